#!/bin/bash
# kwg-vm: stock=yes timeout=420
# Netlink events and `wg monitor` (docs/events.md). On our module, with
# one `wg monitor all json` in each namespace: each event is seen exactly
# once for the action that makes it, in the device's namespace only:
# handshake-completed on both ends of a handshake, peer-removed,
# peer-added, peer-changed (with what changed), interface-changed, the
# peers a setconf replaces, endpoint-changed with the old and the new
# endpoint when a peer roams; a SET the kernel refuses announces nothing;
# a flood of roaming stays within the rate limit (5 a second per peer and
# kind) and says how many it suppressed; keys-expired comes once per side
# when the key-expiry delay is shortened through the test-only module
# parameter, which refuses 0 and 541. Without CAP_NET_ADMIN a listener is
# refused; an unprivileged user in a user namespace that owns its network
# namespace hears its own device and nothing of the initial namespace's.
# `--exec` runs a hook per event with the event in its environment.
# On the stock module: `wg monitor` exits 1 and says there are no events.
. /kwg/lib.sh
. /kwg/common/topo.sh
P=/kwg/probes/nl-table
export WG_HIDE_KEYS=never WG_COLOR_MODE=never
T=$(mktemp -d)
chmod 755 "$T"

if [[ $KWG_MODULE == stock ]]; then
	ip link add wg0 type wireguard
	out=$(timeout 10 wg monitor all 2>&1)
	check_eq "stock: wg monitor exits 1" 1 "$?"
	check "stock: and says the module announces no events" grep -q "announces no events" <<<"$out"
	finish
fi

# monitor NS FILE: `wg monitor all json` in NS, appending to FILE (so that
# the suite may empty FILE under it), in the background, given half a
# second to join the group.
MONS=()
monitor() {
	nx "$1" wg monitor all json >>"$2" 2>"$2.err" &
	MONS+=($!)
	sleep 0.5
}
# count FILE KIND [PATTERN]: events of KIND in FILE (matching PATTERN).
count() { grep "\"event\": \"$2\"" "$1" | grep -c -- "${3:-.}"; }
# settle: let the monitors print what the kernel sent.
settle() { sleep $((1 * KWG_SLOW)); }

pair_loopback 1
A=$(key wg1) B=$(key wg2)
monitor ns0 "$T/ns0"
monitor ns1 "$T/ns1"
monitor ns2 "$T/ns2"

# --- a handshake --------------------------------------------------------------
check "ping across the tunnel" ping_ok ns2 "$(inner4 1)"
settle
check_eq "ns1: one handshake-completed, for wg2's key" 1 "$(count "$T/ns1" handshake-completed "$B")"
check_eq "ns2: one handshake-completed, for wg1's key" 1 "$(count "$T/ns2" handshake-completed "$A")"
check "handshake-completed carries the time of the handshake" \
	grep -q "\"latest_handshake\": $(latest_handshake ns1 wg1)" "$T/ns1"
check_eq "ns0, where the sockets are, hears nothing" 0 "$(grep -c . "$T/ns0")"
check_eq "no endpoint-changed: nobody moved" 0 "$(count "$T/ns1" endpoint-changed)"

# --- administrative events ------------------------------------------------------
: >"$T/ns1"
check "remove wg2's peer on wg1" n ns1 wg set wg1 peer "$B" remove
settle
check_eq "ns1: one peer-removed" 1 "$(count "$T/ns1" peer-removed "$B")"
check "peer-removed names the request's port id" grep -q '"portid": [1-9]' "$T/ns1"
check_eq "ns2: nothing of it" 0 "$(count "$T/ns2" peer-removed)"
check "add it back" n ns1 wg set wg1 peer "$B" allowed-ips "$(inner4 2)/32,$(inner6 2)/128" endpoint 127.0.0.1:10002
settle
check_eq "ns1: one peer-added, with its endpoint" 1 "$(count "$T/ns1" peer-added '"endpoint": "127.0.0.1:10002"')"
: >"$T/ns1"
check "change keepalive and name" n ns1 wg set wg1 peer "$B" persistent-keepalive 0 name two
settle
check_eq "ns1: one peer-changed" 1 "$(count "$T/ns1" peer-changed)"
check "with changes persistent-keepalive and name, and the name" \
	grep -q '"changes": \["persistent-keepalive", "name"\].*"name": "two"' "$T/ns1"
: >"$T/ns1"
check "set wg1's listen port (to the one it has)" n ns1 wg set wg1 listen-port 10001
settle
check_eq "ns1: one interface-changed [listen-port]" 1 "$(count "$T/ns1" interface-changed '"changes": \["listen-port"\]')"
check_eq "and nothing else" 1 "$(grep -c . "$T/ns1")"
: >"$T/ns1"
check_fails "the kernel refuses wg2's port for wg1 (in use)" n ns1 wg set wg1 listen-port 10002
settle
check_eq "a refused SET announces nothing" 0 "$(grep -c . "$T/ns1")"

# setconf replaces wg1's one peer with three new ones.
{
	echo "[Interface]"
	echo "PrivateKey = $(cat "$TOPO_TMP/wg1.key")"
	echo "ListenPort = 10001"
	for i in 1 2 3; do
		echo "[Peer]"
		echo "PublicKey = $(randkeys 1)"
		echo "AllowedIPs = 10.$i.0.0/16"
	done
} >"$T/three.conf"
check "setconf of three new peers" n ns1 wg setconf wg1 "$T/three.conf"
settle
check_eq "setconf: one peer-removed" 1 "$(count "$T/ns1" peer-removed "$B")"
check_eq "setconf: three peer-added" 3 "$(count "$T/ns1" peer-added)"
check_eq "setconf: one interface-changed with peers-replaced" 1 "$(count "$T/ns1" interface-changed peers-replaced)"
check "put wg2 back" n ns1 wg setconf wg1 <(printf '[Interface]\nPrivateKey = %s\nListenPort = 10001\n[Peer]\nPublicKey = %s\nAllowedIPs = %s/32, %s/128\nEndpoint = 127.0.0.1:10002\n' \
	"$(cat "$TOPO_TMP/wg1.key")" "$B" "$(inner4 2)" "$(inner6 2)")
# wg1 starts a new session: wg2 still has one that wg1 has forgotten.
check "the tunnel works again" ping_ok ns1 "$(inner4 2)"

# --- roaming --------------------------------------------------------------------
settle
: >"$T/ns1"
check "wg2 moves to port 10012" n ns2 wg set wg2 listen-port 10012
check "ping from the new port" ping_ok ns2 "$(inner4 1)"
settle
check_eq "ns1: one endpoint-changed" 1 "$(count "$T/ns1" endpoint-changed)"
check "from 127.0.0.1:10002 to 127.0.0.1:10012" \
	grep -q '"endpoint": "127.0.0.1:10012", "old_endpoint": "127.0.0.1:10002"' "$T/ns1"

: >"$T/ns1"
t0=$(now_ms)
# One process per roam: the datagram through the tunnel is bash's own.
n ns2 bash -c "for i in \$(seq 1 40); do wg set wg2 listen-port \$((20000 + i)); echo x >/dev/udp/$(inner4 1)/9; done"
t1=$(now_ms)
settle
roams=$(count "$T/ns1" endpoint-changed)
secs=$(((t1 - t0 + 999) / 1000))
suppressed=$(grep '"event": "endpoint-changed"' "$T/ns1" | grep -o '"suppressed": [0-9]*' | awk '{ s += $2 } END { print s + 0 }')
echo "# events: 40 roams in ${secs} s: $roams endpoint-changed events, $suppressed reported suppressed"
check "a roaming flood: at most 5 events a second ($roams in $secs s)" kwg_ge $((5 * (secs + 1))) "$roams"
check "and at least one event" kwg_ge "$roams" 1
if ((40 > 5 * (secs + 1))); then
	check "the flood outran the limit: suppressed ones are counted ($suppressed)" kwg_ge "$suppressed" 1
	check "every roam is an event or counted (up to the last second's)" kwg_ge $((roams + suppressed + 5)) 40
else
	skip "the flood was too slow to outrun the limit (40 roams in $secs s)"
fi

# --- --exec -------------------------------------------------------------------
cat >"$T/hook" <<'EOF'
#!/bin/bash
echo "$WG_EVENT|$WG_INTERFACE|$WG_PEER|$WG_PEER_NAME|$WG_CHANGES" >>"$HOOK_LOG"
EOF
chmod 755 "$T/hook"
nx ns1 env HOOK_LOG="$T/hook.log" wg monitor wg1 --exec "$T/hook" >/dev/null 2>&1 &
MONS+=($!)
sleep 0.5
check "name the peer" n ns1 wg set wg1 peer "$B" name "hook test"
wait_until $((5 * KWG_SLOW)) test -s "$T/hook.log"
check_eq "the hook ran once, with the event in its environment" \
	"peer-changed|wg1|$B|hook test|name" "$(cat "$T/hook.log")"

# --- who may listen --------------------------------------------------------------
out=$($P nobody wg monitor all 2>&1)
check_eq "nobody: wg monitor exits 1" 1 "$?"
check "nobody: permission denied" grep -q "Permission denied" <<<"$out"
out=$($P no-netadmin wg monitor all 2>&1)
check_eq "root without CAP_NET_ADMIN: refused too" 1 "$?"
U=$(mktemp -d)
chmod 777 "$U"
cat >"$U/inside.sh" <<EOF
ip link add wgu type wireguard
wg monitor all json >$U/userns 2>&1 &
mon=\$!
sleep 0.5
wg set wgu private-key <(wg genkey) listen-port 41000
sleep 0.5
n=\$(grep -c . $U/userns)
kill \$mon
echo "\$n"
EOF
: >"$T/ns1"
out=$($P userns bash "$U/inside.sh" 2>&1)
check_eq "user namespace: its monitor hears its own interface-changed" 1 "$out"
check "for wgu" grep -q '"interface": "wgu"' "$U/userns"
n ns1 wg set wg1 listen-port 10001
settle
check_eq "user namespace: ns1 heard nothing of it" 0 "$(grep -c wgu "$T/ns1")"

kill "${MONS[@]}" 2>/dev/null
wait 2>/dev/null

# --- key expiry -------------------------------------------------------------------
for ns in ns0 ns1 ns2; do ip netns del "$ns"; done
wait_until 30 sh -c '! grep -q "^wireguard " /proc/modules || rmmod wireguard'
check "the module is unloaded" sh -c '! grep -q "^wireguard " /proc/modules'
check_fails "test_key_expiry_divisor=0 is refused" modprobe wireguard test_key_expiry_divisor=0
check_fails "test_key_expiry_divisor=541 is refused" modprobe wireguard test_key_expiry_divisor=541
# 540 s / 54: keys expire 10 s after the handshake.
check "test_key_expiry_divisor=54" modprobe wireguard test_key_expiry_divisor=54
rm -rf "$TOPO_TMP"/*
pair_loopback 1
A=$(key wg1) B=$(key wg2)
MONS=()
monitor ns1 "$T/x1"
monitor ns2 "$T/x2"
check "a handshake" ping_ok ns2 "$(inner4 1)"
# The last reply leaves ns2 with data received and none sent: its passive
# keepalive, 10 s later, finds the keys gone and starts a new handshake,
# whose keys would expire in turn (seen on the slow debug kernel). That
# handshake is sent nowhere, so that this session's expiry is the only one.
n ns2 wg set wg2 peer "$A" endpoint 127.0.0.1:9
wait_until $((30 * KWG_SLOW)) sh -c "grep -q keys-expired $T/x1 && grep -q keys-expired $T/x2"
sleep $((2 * KWG_SLOW))
check_eq "ns1: one keys-expired, for wg2's key" 1 "$(count "$T/x1" keys-expired "$B")"
check_eq "ns2: one keys-expired, for wg1's key" 1 "$(count "$T/x2" keys-expired "$A")"
# Back to wg1: the initiation under way is sent there when it is retried,
# up to 5 s (REKEY_TIMEOUT and its jitter) later.
n ns2 wg set wg2 peer "$A" endpoint 127.0.0.1:10001
check "the tunnel handshakes again after it" wait_until $((15 * KWG_SLOW)) ping_ok ns2 "$(inner4 1)"
kill "${MONS[@]}" 2>/dev/null
wait 2>/dev/null
finish
