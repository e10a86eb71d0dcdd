#!/bin/bash
# kwg-vm: stock=yes timeout=900
# wg-compat: our wg against Debian's wg (wireguard-tools 1.0.20210914).
# Every scenario is applied once with each tool to the same device; after
# each, both tools read the device. Reading: our showconf, dump and pretty
# output equal Debian's for the same state. Writing: the state our wg
# leaves equals the state Debian's wg leaves, as Debian's wg reads it.
# Runs against the kernel module (whichever vm.sh loaded) and against
# wireguard-go. On the host, tests/host/uapi-compat.sh runs the userspace
# half of it (WG_COMPAT_BACKENDS=userspace).
# shellcheck source=../lib.sh
. "${KWG_LIB:-/kwg/lib.sh}"

OURS=${WG_OURS:-/opt/kwg/bin/wg}
DEB=${WG_DEBIAN:-/opt/debian/bin/wg}
BACKENDS=${WG_COMPAT_BACKENDS:-kernel userspace}
BIG=${WG_COMPAT_BIG:-1}
T=$(mktemp -d /tmp/wg-compat.XXXXXX)
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
export WG_HIDE_KEYS=never WG_COLOR_MODE=never
wgo_pids=()
cleanup() {
	local p
	for p in "${wgo_pids[@]}"; do kill "$p" 2>/dev/null; done
	ip link del kwgc0 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

[[ -x $OURS ]] || { fail "our wg is missing at $OURS"; finish; }
[[ -x $DEB ]] || { skip "Debian's wg is missing at $DEB"; finish; }

# Keys fixed for the whole run so both tools build the same state.
key() { "$DEB" genkey; }
PRIV=$(key) PRIV2=$(key)
for i in 1 2 3 4 5; do
	eval "P$i=\$(key | \"$DEB\" pubkey)"
done
PSK=$("$DEB" genpsk)
umask 077
echo "$PRIV2" >"$T/priv2"
echo "$PSK" >"$T/psk"

cat >"$T/full.conf" <<EOF
# A configuration as people write them: comments, odd case and spacing.
[Interface]
PrivateKey = $PRIV
ListenPort = 47820
FwMark = 0x4242

[Peer]   # road warrior
PublicKey = $P1
PresharedKey = $PSK
AllowedIPs = 10.10.0.2/32, fd10::2/128
AllowedIPs = 10.20.0.0/16
Endpoint = 192.0.2.10:47820
PersistentKeepalive = 25

[peer]
publickey=$P2
allowedips=10.30.0.0/24,10.31.0.1/24
endpoint=[2001:db8::1]:4500

[Peer]
PublicKey = $P3
AllowedIPs = 0.0.0.0/0, ::/0
EOF
cat >"$T/add.conf" <<EOF
[Peer]
PublicKey = $P4
AllowedIPs = 10.40.0.0/16
Endpoint = 198.51.100.7:1
[Peer]
PublicKey = $P2
AllowedIPs = 10.32.0.0/24
EOF
# Peer 1 keeps its PSK and keepalive (Debian's syncconf does not clear
# them; ours does, checked separately below), peer 2 changes, peer 3 goes,
# peer 5 is new.
cat >"$T/sync.conf" <<EOF
[Interface]
PrivateKey = $PRIV
ListenPort = 47821
[Peer]
PublicKey = $P1
PresharedKey = $PSK
AllowedIPs = 10.10.0.2/32, fd10::2/128, 10.20.0.0/16
Endpoint = 192.0.2.10:47820
PersistentKeepalive = 25
[Peer]
PublicKey = $P2
AllowedIPs = 10.33.0.0/24
Endpoint = [2001:db8::2]:4501
[Peer]
PublicKey = $P5
AllowedIPs = 172.16.0.0/12
EOF
printf '[Interface]\nListenPort = 40000\n' >"$T/reset.conf"

scenario_setconf() { $WG setconf "$DEV" "$T/full.conf"; }
scenario_addconf() { $WG setconf "$DEV" "$T/full.conf" && $WG addconf "$DEV" "$T/add.conf"; }
scenario_set() {
	$WG set "$DEV" listen-port 47822 fwmark 0x10 private-key "$T/priv2" \
		peer "$P1" preshared-key "$T/psk" endpoint 203.0.113.1:9 persistent-keepalive 15 \
		allowed-ips 10.50.0.0/16,fd50::/48 \
		peer "$P2" endpoint '[fd00::1]:47820' allowed-ips 10.51.0.1/32 &&
	$WG set "$DEV" peer "$P1" preshared-key /dev/null persistent-keepalive off \
		peer "$P2" allowed-ips 10.52.0.0/16,10.51.0.1/32 \
		peer "$P3" allowed-ips 10.53.0.0/16 &&
	$WG set "$DEV" fwmark off peer "$P3" remove peer "$P2" allowed-ips "" &&
	$WG set "$DEV" private-key /dev/null
}
scenario_syncconf() { $WG setconf "$DEV" "$T/full.conf" && $WG syncconf "$DEV" "$T/sync.conf"; }

# Userspace devices list peers in a random order and count their own
# handshake attempts: compare sorted, without time and traffic fields.
mask_dump() {
	awk -F'\t' -v OFS='\t' 'NF >= 8 { $(NF-3) = "H"; $(NF-2) = "R"; $(NF-1) = "T" } { print }' | sort
}
mask_pretty() {
	grep -v -e '^  latest handshake:' -e '^  transfer:' |
		awk 'BEGIN { RS = "" } { gsub("\n", "\001"); print }' | sort | tr '\001' '\n'
}
mask_age() { sed '/latest handshake/s/: .* ago$/: AGE ago/'; }
blocks() { awk 'BEGIN { RS = "" } { gsub("\n", "\001"); print }' | sort | tr '\001' '\n'; }

# capture TOOL PREFIX: the three views of the device, as TOOL prints them.
capture() {
	"$1" showconf "$DEV" | blocks >"$T/$2.conf.out"
	"$1" show "$DEV" dump | mask_dump >"$T/$2.dump.out"
	"$1" show | mask_pretty >"$T/$2.pretty.out"
}

same() { cmp -s "$1" "$2" || { diff -u "$1" "$2" | head -n 30 | sed 's/^/    | /'; return 1; }; }

run_scenarios() {
	local s
	for s in setconf addconf set syncconf; do
		"$DEB" setconf "$DEV" "$T/reset.conf"
		WG=$DEB "scenario_$s" 2>"$T/err" || fail "[$BK] Debian's wg failed the $s scenario: $(cat "$T/err")"
		capture "$DEB" deb
		capture "$OURS" ours-reads
		"$DEB" setconf "$DEV" "$T/reset.conf"
		if WG=$OURS "scenario_$s" 2>"$T/err"; then
			pass "[$BK] $s: our wg applies it"
		else
			fail "[$BK] $s: our wg applies it: $(cat "$T/err")"
		fi
		capture "$DEB" ours-wrote
		for v in conf dump pretty; do
			check "[$BK] $s: our $v output equals Debian's" same "$T/deb.$v.out" "$T/ours-reads.$v.out"
			check "[$BK] $s: state written by our wg equals Debian's ($v)" same "$T/deb.$v.out" "$T/ours-wrote.$v.out"
		done
	done
	# The field views, on the last state.
	for f in public-key private-key listen-port fwmark peers preshared-keys endpoints allowed-ips latest-handshakes persistent-keepalive transfer; do
		check "[$BK] show $DEV $f equals Debian's" same_read show "$DEV" $f
		check "[$BK] show all $f equals Debian's" same_read show all $f
	done
}

# Debian's wg and ours print the same view of the device: sorted, and
# without the device's name, which Debian's 1.0.20210914 prefixes only to
# the first line of `show all endpoints' and ours to every line. The peers'
# keepalives send handshake initiations, so the transfer counters may move
# between the two reads: three tries, where a real difference fails each.
same_read() {
	local try
	for try in 1 2 3; do
		same <("$DEB" "$@" | sed 's/^[a-z0-9]*\t//' | sort) \
			<("$OURS" "$@" | sed 's/^[a-z0-9]*\t//' | sort) && return 0
	done
	return 1
}

extra_checks() {
	local before after
	# syncconf clears what the file no longer has (Debian's keeps them).
	"$DEB" setconf "$DEV" "$T/full.conf" 2>/dev/null
	sed '/PresharedKey/d; /PersistentKeepalive/d' "$T/sync.conf" >"$T/sync2.conf"
	"$OURS" syncconf "$DEV" "$T/sync2.conf"
	check_eq "[$BK] syncconf clears a removed preshared key" "(none)" \
		"$("$DEB" show "$DEV" preshared-keys | awk -v k="$P1" '$1 == k { print $2 }')"
	check_eq "[$BK] syncconf clears a removed keepalive" "off" \
		"$("$DEB" show "$DEV" persistent-keepalive | awk -v k="$P1" '$1 == k { print $2 }')"
	check_eq "[$BK] syncconf removes peers absent from the file" "" \
		"$("$DEB" show "$DEV" peers | grep -x -e "$P3" -e "$P4")"

	# '-' removes one entry, '+' adds one; never a silent addition.
	"$DEB" setconf "$DEV" "$T/full.conf" 2>/dev/null
	check "[$BK] allowed-ips with +/- prefixes" "$OURS" set "$DEV" peer "$P1" allowed-ips -10.20.0.0/16,+10.21.0.0/16,-10.99.0.0/16
	check_eq "[$BK] '-' removed exactly one entry and '+' added one" \
		"10.10.0.2/32 10.21.0.0/16 fd10::2/128" \
		"$("$DEB" show "$DEV" allowed-ips | awk -v k="$P1" '$1 == k { $1 = ""; print }' | tr ' ' '\n' | grep . | sort | tr '\n' ' ' | sed 's/ $//')"

	# A file with an error changes nothing.
	before=$("$DEB" show "$DEV" dump | mask_dump)
	printf '[Interface]\nListenPort = 1\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/8\nPersistentKeepalive = 70000\n' "$P5" >"$T/bad.conf"
	check_fails "[$BK] setconf with an error fails" "$OURS" setconf "$DEV" "$T/bad.conf"
	"$OURS" setconf "$DEV" "$T/bad.conf" 2>"$T/err"
	check "[$BK] the error names file and line" grep -q "^$T/bad.conf:6: " "$T/err"
	after=$("$DEB" show "$DEV" dump | mask_dump)
	check_eq "[$BK] nothing was applied" "$before" "$after"

	# The JSON schema of docs/json.md, where a JSON parser is at hand.
	if command -v python3 >/dev/null; then
		"$DEB" setconf "$DEV" "$T/full.conf" 2>/dev/null
		check "[$BK] show all json follows docs/json.md" python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
hidden = json.load(open(sys.argv[2]))
assert doc["schema"] == 1
want_if = {"name", "ifindex", "public_key", "private_key", "listen_port", "fwmark", "peers"}
want_peer = {"public_key", "preshared_key", "endpoint", "allowed_ips", "latest_handshake",
             "rx_bytes", "tx_bytes", "persistent_keepalive"}
dev = [i for i in doc["interfaces"] if i["name"] == sys.argv[3]][0]
assert set(dev) >= want_if, dev.keys()
assert dev["listen_port"] == 47820 and dev["fwmark"] == 0x4242
assert len(dev["private_key"]) == 44
assert len(dev["peers"]) == 3
for p in dev["peers"]:
    assert set(p) >= want_peer, p.keys()
    assert isinstance(p["allowed_ips"], list) and isinstance(p["rx_bytes"], int)
assert any(p["persistent_keepalive"] == 25 and len(p["preshared_key"]) == 44 for p in dev["peers"])
assert any(p["endpoint"] == "[2001:db8::1]:4500" for p in dev["peers"])
hdev = [i for i in hidden["interfaces"] if i["name"] == sys.argv[3]][0]
assert hdev["private_key"] == "(hidden)"
assert any(p["preshared_key"] == "(hidden)" for p in hdev["peers"])
assert all(p["preshared_key"] in (None, "(hidden)") for p in hdev["peers"])
' <("$OURS" show all json) <(env -u WG_HIDE_KEYS "$OURS" show "$DEV" json) "$DEV"
	fi

	check_fails "[$BK] a peer key of the wrong length is refused" "$OURS" set "$DEV" peer "${P1%?=}=" remove
	if as_nobody true 2>/dev/null; then
		as_nobody "$OURS" show "$DEV" >/dev/null 2>"$T/err"
		check "[$BK] an unprivileged user gets permission denied" grep -qi "permission denied" "$T/err"
	elif [[ $BK == kernel ]] && unshare -U true 2>/dev/null; then
		unshare -U "$OURS" show "$DEV" >/dev/null 2>"$T/err"
		check "[$BK] a user without CAP_NET_ADMIN gets permission denied" grep -qi "permission denied" "$T/err"
	else
		skip "[$BK] no way to drop privileges here"
	fi
}

# as_nobody COMMAND...: run as uid/gid 65534 with whatever tool exists.
as_nobody() {
	if setpriv --help 2>&1 | grep -q reuid; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	elif chroot --help 2>&1 | grep -q userspec; then
		chroot --userspec=65534:65534 / "$@"
	else
		return 1
	fi
}

# gen_big PEERS IPS FILE: a configuration with deterministic keys, made in awk for speed.
gen_big() { # PEERS IPS FILE
	awk -v peers="$1" -v ips="$2" -v salt="$RANDOM" '
	function b64(n, s, i, b, v, out) {
		s = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		for (i = 0; i < 32; i++) b[i] = int((n * 131 + i * 29 + salt + int(n / 256) * 7 + i * i) % 256)
		b[0] = n % 256; b[1] = int(n / 256) % 256; b[2] = salt % 256
		out = ""
		for (i = 0; i < 30; i += 3) {
			v = b[i] * 65536 + b[i + 1] * 256 + b[i + 2]
			out = out substr(s, int(v / 262144) + 1, 1) substr(s, int(v / 4096) % 64 + 1, 1) substr(s, int(v / 64) % 64 + 1, 1) substr(s, v % 64 + 1, 1)
		}
		v = b[30] * 65536 + b[31] * 256
		return out substr(s, int(v / 262144) + 1, 1) substr(s, int(v / 4096) % 64 + 1, 1) substr(s, int(v / 64) % 64 + 1, 1) "="
	}
	BEGIN {
		print "[Interface]\nListenPort = 40001"
		n = 0
		for (p = 0; p < peers; p++) {
			printf "[Peer]\nPublicKey = %s\n", b64(p + 1)
			for (j = 0; j < ips; j++) {
				if (j % 4 == 3)
					printf "AllowedIPs = fd%02x:%x:%x::%x/128\n", (p % 200) + 10, p, int(j / 65536), j % 65536
				else
					printf "AllowedIPs = %d.%d.%d.%d/32\n", 10 + int(n / 16777216), int(n / 65536) % 256, int(n / 256) % 256, n % 256
				n++
			}
		}
	}' >"$3"
}

big_checks() {
	local f s t
	for spec in "1000 100" "1 100000"; do
		read -r -a spec_args <<<"$spec"
		set -- "${spec_args[@]}"
		f=$T/big-$1.conf
		gen_big "$1" "$2" "$f"
		"$DEB" setconf "$DEV" "$T/reset.conf"
		s=$(date +%s%N)
		check "[$BK] our wg applies $1 peer(s) x $2 allowed IPs" "$OURS" setconf "$DEV" "$f"
		t=$(date +%s%N)
		echo "    [$BK] setconf of $1 x $2 took $(((t - s) / 1000000)) ms"
		s=$(date +%s%N)
		"$OURS" show "$DEV" dump >"$T/ours.big"
		t=$(date +%s%N)
		echo "    [$BK] dump of $1 x $2 took $(((t - s) / 1000000)) ms"
		"$DEB" show "$DEV" dump >"$T/deb.big"
		check_eq "[$BK] $1 x $2: every allowed IP is there" "$(($1 * $2))" \
			"$(tail -n +2 "$T/deb.big" | cut -f4 | tr ',' '\n' | grep -c .)"
		check "[$BK] $1 x $2: our dump equals Debian's" same <(mask_dump <"$T/deb.big") <(mask_dump <"$T/ours.big")
		if [[ $1 == 1000 ]]; then
			# Dumps racing with changes: each must still be whole
			# (the interrupted-dump retry), never a mix of two states.
			( for i in $(seq 30); do
				"$DEB" set "$DEV" peer "$P5" allowed-ips "10.250.0.$i/32"
				"$DEB" set "$DEV" peer "$P5" remove
			done ) &
			local racer=$! bad=0
			for i in 1 2 3 4 5; do
				"$OURS" show "$DEV" dump 2>>"$T/race.err" | awk -F'\t' -v skip="$P5" '
					NR > 1 && $1 != skip { seen[$1]++; if (split($4, a, ",") != 100) bad++ }
					END { n = 0; for (k in seen) { n++; if (seen[k] != 1) bad++ }
					      if (n != 1000 || bad) printf "dump %d: %d stable peers, %d bad\n", NR, n, bad
					      exit (n != 1000 || bad) }' >>"$T/race.err" || bad=1
			done
			wait "$racer"
			check_eq "[$BK] dumps racing with changes are always whole" 0 "$bad"
			[[ $bad == 0 ]] || sed 's/^/    | /' "$T/race.err"
		fi
		"$OURS" showconf "$DEV" >"$T/big.back"
		"$DEB" setconf "$DEV" "$T/reset.conf"
		"$DEB" setconf "$DEV" "$T/big.back"
		"$DEB" show "$DEV" dump >"$T/deb.big2"
		check "[$BK] $1 x $2: our showconf round-trips through Debian's setconf" same <(mask_dump <"$T/deb.big") <(mask_dump <"$T/deb.big2")
	done
}

# Two kernel devices in two namespaces that really handshake: the pretty
# output with "latest handshake" and "transfer" lines, and syncconf that
# must not disturb a live session.
handshake_checks() {
	local ka kb pa pb before after
	if ! ip netns add kwga || ! ip netns add kwgb; then
		fail "[$BK] netns setup"
		return
	fi
	ip link add veth-a netns kwga type veth peer name veth-b netns kwgb
	n kwga ip addr add 192.168.77.1/24 dev veth-a
	n kwgb ip addr add 192.168.77.2/24 dev veth-b
	n kwga ip link set veth-a up
	n kwgb ip link set veth-b up
	ka=$(key) kb=$(key)
	pa=$(echo "$ka" | "$DEB" pubkey) pb=$(echo "$kb" | "$DEB" pubkey)
	printf '[Interface]\nPrivateKey = %s\nListenPort = 47001\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.77.0.2/32\nEndpoint = 192.168.77.2:47002\n' \
		"$ka" "$pb" "$PSK" >"$T/a.conf"
	printf '[Interface]\nPrivateKey = %s\nListenPort = 47002\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.77.0.1/32\n' \
		"$kb" "$pa" "$PSK" >"$T/b.conf"
	n kwga ip link add wga type wireguard
	n kwgb ip link add wgb type wireguard
	check "[$BK] our setconf on a live pair (a)" n kwga "$OURS" setconf wga "$T/a.conf"
	check "[$BK] our setconf on a live pair (b)" n kwgb "$OURS" setconf wgb "$T/b.conf"
	n kwga ip addr add 10.77.0.1/24 dev wga
	n kwgb ip addr add 10.77.0.2/24 dev wgb
	n kwga ip link set wga up
	n kwgb ip link set wgb up
	check "[$BK] the pair handshakes and pings" n kwga ping -c 2 -W 3 10.77.0.2
	# The two commands run a moment apart: the age may tick in between.
	check "[$BK] live pretty output equals Debian's (keys hidden)" same \
		<(n kwga env -u WG_HIDE_KEYS "$DEB" show | mask_age) <(n kwga env -u WG_HIDE_KEYS "$OURS" show | mask_age)
	check "[$BK] live pretty output has the handshake and transfer lines" \
		sh -c "ip netns exec kwga '$OURS' show | grep -q 'latest handshake: .* ago' && ip netns exec kwga '$OURS' show | grep -q 'transfer: .* received, .* sent'"
	check "[$BK] live colour output equals Debian's" same \
		<(n kwga env WG_COLOR_MODE=always "$DEB" show all | mask_age) <(n kwga env WG_COLOR_MODE=always "$OURS" show all | mask_age)
	check "[$BK] live dump of all equals Debian's" same <(n kwga "$DEB" show all dump) <(n kwga "$OURS" show all dump)
	check "[$BK] live showconf equals Debian's" same <(n kwga "$DEB" showconf wga) <(n kwga "$OURS" showconf wga)
	check_eq "[$BK] JSON latest_handshake is the dump's epoch" \
		"$(n kwga "$DEB" show wga latest-handshakes | cut -f2)" \
		"$(n kwga "$OURS" show wga json | sed -n 's/.*"latest_handshake": \([0-9]*\).*/\1/p')"
	check_eq "[$BK] JSON rx_bytes is the dump's" \
		"$(n kwga "$DEB" show wga transfer | cut -f2)" \
		"$(n kwga "$OURS" show wga json | sed -n 's/.*"rx_bytes": \([0-9]*\).*/\1/p')"

	# syncconf with the same file plus one new peer leaves the session.
	before=$(n kwga "$DEB" show wga latest-handshakes | awk -v k="$pb" '$1 == k { print $2 }')
	sleep 1.2
	cp "$T/a.conf" "$T/a2.conf"
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.9/32\n' "$P5" >>"$T/a2.conf"
	check "[$BK] syncconf on the live device" n kwga "$OURS" syncconf wga "$T/a2.conf"
	check "[$BK] traffic still flows after syncconf" n kwga ping -c 1 -W 3 10.77.0.2
	after=$(n kwga "$DEB" show wga latest-handshakes | awk -v k="$pb" '$1 == k { print $2 }')
	check_eq "[$BK] syncconf kept the session (no new handshake)" "$before" "$after"
	check_eq "[$BK] and added the new peer" "2" "$(n kwga "$DEB" show wga peers | wc -l)"
	ip netns del kwga
	ip netns del kwgb
}

for BK in $BACKENDS; do
	case $BK in
	kernel)
		DEV=kwgc0
		if ! ip link add "$DEV" type wireguard 2>"$T/err"; then
			skip "[$BK] no WireGuard kernel module: $(cat "$T/err")"
			continue
		fi
		;;
	userspace)
		DEV=kwgu0
		command -v wireguard-go >/dev/null || { skip "[$BK] wireguard-go is not installed"; continue; }
		[[ -c /dev/net/tun ]] || { skip "[$BK] no /dev/net/tun"; continue; }
		wireguard-go -f "$DEV" >"$T/wgo.log" 2>&1 &
		wgo_pids+=($!)
		wait_until 10 test -S "/var/run/wireguard/$DEV.sock" || { fail "[$BK] wireguard-go did not start"; continue; }
		;;
	esac
	run_scenarios
	extra_checks
	[[ $BIG == 1 ]] && big_checks
	[[ $BK == kernel ]] && handshake_checks
	if [[ $BK == kernel ]]; then
		ip link del "$DEV"
	else
		kill "${wgo_pids[-1]}" 2>/dev/null
		wait "${wgo_pids[-1]}" 2>/dev/null
	fi
done

# Kernel and userspace devices side by side: listing order and `all' views.
if [[ $BACKENDS == *kernel* && $BACKENDS == *userspace* ]] && command -v wireguard-go >/dev/null &&
	ip link add kwgc1 type wireguard 2>/dev/null; then
	ip link add kwgc2 type wireguard
	wireguard-go -f kwgu1 >"$T/wgo1.log" 2>&1 &
	wgo_pids+=($!)
	if wait_until 10 test -S /var/run/wireguard/kwgu1.sock; then
		sed '/ListenPort/d' "$T/full.conf" >"$T/noport.conf"
		for d in kwgc1 kwgc2 kwgu1; do "$DEB" setconf "$d" "$T/noport.conf" 2>/dev/null; done
		check "[mixed] show interfaces equals Debian's" same <("$DEB" show interfaces) <("$OURS" show interfaces)
		check "[mixed] show all dump equals Debian's" same <("$DEB" show all dump | mask_dump) <("$OURS" show all dump | mask_dump)
		check "[mixed] show equals Debian's" same <("$DEB" show | mask_pretty) <("$OURS" show | mask_pretty)
		# Devices by their names: peers have a "name" field too (null here).
		check_eq "[mixed] show all json lists the three devices" 3 "$("$OURS" show all json | grep -cE '"name": "kwg(c1|c2|u1)"')"
	else
		fail "[mixed] wireguard-go did not start"
	fi
	ip link del kwgc1
	ip link del kwgc2
fi
finish
