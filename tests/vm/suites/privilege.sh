#!/bin/bash
# kwg-vm: stock=yes timeout=300
# Who may configure what, through raw GET_DEVICE/SET_DEVICE requests
# (tests/vm/probes/nl-table): without CAP_NET_ADMIN (as nobody, and as
# root with the capability dropped) both are refused with EPERM by name
# and by index and change nothing; a netlink socket opened by root and
# used after moving into a user namespace is refused too. An unprivileged
# user in a user namespace that owns its network namespace creates,
# configures and reads back its own device, cannot reach the initial
# namespace's device by name or index, never sees its keys, and may not
# push its device into the initial namespace. A device root moves into
# that namespace is the user's to configure, except for the listen port
# and fwmark, which act in the namespace it was created in.
# (wg-compat.sh checks only that `wg show` as nobody says "permission denied".)
. /kwg/lib.sh
P=/kwg/probes/nl-table
D=$(mktemp -d)
chmod 777 "$D"

ip link add wg0 type wireguard
# A key of its own: the helper's set-key uses one fixed key, which the
# user inside sets on its own device below.
check "root configures wg0" wg set wg0 private-key <(wg genkey)
check "root adds a peer to wg0" $P set-peer wg0
idx=$(cat /sys/class/net/wg0/ifindex)
$P get wg0 >"$D/root-get"
read -r _ priv pub _ <"$D/root-get"
priv=${priv#private_key=} pub=${pub#public_key=}
check "root reads wg0's private key" test "${#priv}" -eq 64
conf_before=$(wg showconf wg0)

# --- without CAP_NET_ADMIN --------------------------------------------------
check_eq "the uid switch works" 65534 "$($P nobody id -u)"
for who in nobody no-netadmin; do
	for d in wg0 "@$idx"; do
		check_eq "[$who] GET $d is refused" "error EPERM" "$($P $who $P get "$d")"
		for s in set-peer set-key "set-port 4000"; do
			read -r -a cmd <<<"$s"
			out=$($P $who $P "${cmd[0]}" "$d" "${cmd[@]:1}")
			check_eq "[$who] SET ${cmd[0]} $d is refused" "error EPERM" "${out%%:*}"
		done
	done
done
check "[no-netadmin] the helper really runs as uid 0" test "$($P no-netadmin id -u)" = 0
check_eq "nothing was changed without CAP_NET_ADMIN" "$conf_before" "$(wg showconf wg0)"

# A socket opened by root, used from inside a new user namespace.
out=$($P old-socket wg0 | sed "s/:.*//")
check_eq "a root socket used from a user namespace: GET and SET refused" \
	"error EPERM
error EPERM" "$out"
check_eq "nothing was changed through it" "$conf_before" "$(wg showconf wg0)"

# --- a user namespace that owns its network namespace ----------------------
if ! $P userns true 2>"$D/err"; then
	skip "no unprivileged user namespaces here: $(cat "$D/err")"
	finish
fi
cat >"$D/inside.sh" <<IN
exec >"$D/inside.out" 2>&1
echo "uid=\$(id -u)"
ip link add wgu type wireguard && echo created
$P set-key wgu
$P set-peer wgu
$P set-port wgu 4000
$P get wgu
wg show wgu private-key >/dev/null && echo wg-reads-key
echo "by-name: \$($P get wg0)"
echo "by-index: \$($P get @$idx)"
echo "set-by-name: \$($P set-peer wg0)"
echo "set-by-index: \$($P set-key @$idx)"
ip link set wgu netns 1 2>/dev/null && echo pushed-out || echo push-refused
echo done
IN
$P userns bash "$D/inside.sh"
cat "$D/inside.out" | sed 's/^/    inside| /'
seen() { grep -c -x -- "$1" "$D/inside.out"; }
check_eq "inside: root of its own user namespace" 1 "$(seen 'uid=0')"
check_eq "inside: creates its own WireGuard device" 1 "$(seen created)"
check_eq "inside: sets its device's key, a peer and a port" 3 "$(seen ok)"
key9=$(grep -o 'private_key=[0-9a-f]*' "$D/inside.out" | head -n1)
check "inside: reads its device back with its key and peer" \
	grep -qx "ok $key9 public_key=[0-9a-f]* peers=1" "$D/inside.out"
check_eq "inside: wg reads its key too" 1 "$(seen wg-reads-key)"
check_eq "inside: the initial namespace's wg0 by name is not found" 1 "$(seen 'by-name: error ENODEV')"
check_eq "inside: SET on wg0 by name is not found" 1 "$(seen 'set-by-name: error ENODEV.*')"
# The index may be taken by its own device there; it must never be wg0.
check_fails "inside: wg0's private key never shows" grep -q "$priv" "$D/inside.out"
check_fails "inside: wg0's public key never shows" grep -q "$pub" "$D/inside.out"
check_eq "inside: its device cannot be pushed into the initial namespace" 1 "$(seen push-refused)"
check_eq "inside: ran to its end" 1 "$(seen done)"
check_eq "wg0 is untouched by all that" "$conf_before" "$(wg showconf wg0)"

# --- a device root gives to the user's namespace ---------------------------
ip link add wgm type wireguard
wg set wgm listen-port 5000 private-key <(printf '%s' "$(wg genkey)")
mpub=$(wg show wgm public-key)
cat >"$D/given.sh" <<IN
exec >"$D/given.out" 2>&1
for _ in \$(seq 100); do ip link show wgm >/dev/null 2>&1 && break; sleep 0.1; done
$P get wgm
echo "peer: \$($P set-peer wgm)"
echo "port: \$($P set-port wgm 5001)"
echo done
IN
$P userns bash -c "while [ ! -e $D/go ]; do sleep 0.1; done; exec bash $D/given.sh" &
upid=$!
ns_moved() { [[ $(readlink "/proc/$upid/ns/net") != "$(readlink /proc/self/ns/net)" ]]; }
wait_until 5 ns_moved
check "root moves wgm into the user's namespace" ip link set wgm netns "$upid"
touch "$D/go"
wait "$upid"
sed 's/^/    given| /' "$D/given.out"
check "given: the user reads the device it was given" grep -q "^ok private_key=[0-9a-f]\{64\} public_key=" "$D/given.out"
check "given: the public key is wgm's" grep -q "public_key=$(printf '%s' "$mpub" | base64 -d | od -An -tx1 | tr -d ' \n')" "$D/given.out"
check "given: the user adds a peer to it" grep -qx "peer: ok" "$D/given.out"
check "given: the listen port (creating namespace) is refused" grep -q "^port: error EPERM" "$D/given.out"
rm -rf "$D"
finish
