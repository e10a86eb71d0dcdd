#!/bin/bash
# kwg-vm: stock=yes timeout=300
# The data plane between two namespaces joined by a veth: handshake, ping
# and TCP in both address families over IPv4 and IPv6 outside, exact byte
# accounting, roaming with the sticky source, the allowed-IPs source filter,
# ICMP unreachable, key change, persistent keepalive, big dumps, and
# teardown under traffic.
. /kwg/lib.sh

# On a debug kernel (lib.sh) every step takes seconds, so protocol timers
# fire between steps that production kernels run well within them: a's
# passive keepalive 10 s after receiving data, a rekey once a session is
# older than 120 s. The checks that assume no timer fired in between then
# allow exactly what the timer sends, when enough time has passed for it;
# endpoint checks wait for a stray packet of the previous path to settle.
# The big dump is smaller there (it alone would not finish in time).
progress() { debug_kernel && echo "# [${SECONDS}s] $*"; return 0; }
# repoint ENDPOINT EXPECTED: a sends to b at ENDPOINT; b's endpoint for a is
# then EXPECTED.
repoint() {
	n a wg set wg0 peer "$pb" endpoint "$1"
	n a ping -c1 -W5 192.168.0.2 >/dev/null
	[[ $(n b wg show wg0 endpoints) == "$2" ]]
}

ip netns add a
ip netns add b
ip link add va netns a type veth peer name vb netns b
n a ip link set lo up
n b ip link set lo up
n a ip addr add 10.0.0.1/24 dev va
n a ip addr add fd00::1/64 dev va nodad
n a ip link set va up
n b ip addr add 10.0.0.2/24 dev vb
n b ip addr add fd00::2/64 dev vb nodad
n b ip link set vb up
ka=$(wg genkey); kb=$(wg genkey)
pa=$(echo "$ka" | wg pubkey); pb=$(echo "$kb" | wg pubkey)
n a ip link add wg0 type wireguard
n b ip link add wg0 type wireguard
n a wg set wg0 private-key <(echo "$ka") listen-port 1 \
	peer "$pb" allowed-ips 192.168.0.2/32,fd01::2/128 endpoint 10.0.0.2:2
n b wg set wg0 private-key <(echo "$kb") listen-port 2 \
	peer "$pa" allowed-ips 192.168.0.1/32,fd01::1/128
n a ip addr add 192.168.0.1/24 dev wg0
n a ip addr add fd01::1/64 dev wg0 nodad
n b ip addr add 192.168.0.2/24 dev wg0
n b ip addr add fd01::2/64 dev wg0 nodad
n a ip link set wg0 up
n b ip link set wg0 up

check_eq "nothing is sent before there is traffic" "0 0" \
	"$(n a cat /sys/class/net/wg0/statistics/tx_packets /sys/class/net/wg0/statistics/tx_errors | xargs)"
t_ping=$(now_ms)
check "ping over the tunnel (handshake on demand)" n a ping -c1 -W5 192.168.0.2
sleep 0.5
# initiation 148 + ping 84 padded to 96 + 32 = 128; response 92 + reply 128.
counters=$(n a sh -c 'cd /sys/class/net/wg0/statistics && cat tx_bytes tx_packets rx_bytes rx_packets' | xargs)
want="276 2 220 2" want_tx=276
if debug_kernel && [[ $counters == "308 3 220 2" ]] && (($(now_ms) - t_ping >= 10000)); then
	# 10 s after b's reply, a had sent nothing: its passive keepalive.
	echo "# debug kernel: $((($(now_ms) - t_ping) / 1000)) s since the ping: a's passive keepalive (32 bytes) is counted too"
	want="308 3 220 2" want_tx=308
fi
check_eq "initiator's netdev counters: tx 276 in 2, rx 220 in 2" "$want" "$counters"
check_eq "peer transfer equals the netdev counters" "$pb	220	$want_tx" "$(n a wg show wg0 transfer)"
check_eq "responder learned the endpoint" "$pa	10.0.0.1:1" "$(n b wg show wg0 endpoints)"
check "latest handshake is set" test "$(n a wg show wg0 latest-handshakes | cut -f2)" -gt 0
check "ping the other way" n b ping -c1 -W5 192.168.0.1
check "ping6 inside over IPv4 outside" n a ping -c2 -i0.2 -W5 fd01::2
check "large ping, fragmented inside" n a ping -c1 -W5 -s 4000 192.168.0.2

n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
check "TCP a->b (iperf3)" n a iperf3 -c 192.168.0.2 -t 3 -O 0
n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
check "TCP b->a (iperf3 -R)" n a iperf3 -c 192.168.0.2 -t 3 -R
n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
check "parallel TCP streams over IPv6 inside" n a iperf3 -6 -c fd01::2 -t 3 -P 4
n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
check "UDP iperf3" n a iperf3 -c 192.168.0.2 -u -b 50M -t 2
check_eq "no receive errors on b" 0 "$(n b cat /sys/class/net/wg0/statistics/rx_errors)"

progress "large MTU"
# A large MTU: jumbo frames outside, a 8920-byte tunnel MTU inside.
n a ip link set va mtu 9000
n b ip link set vb mtu 9000
n a ip link set wg0 mtu 8920
n b ip link set wg0 mtu 8920
check "an 8920-byte packet crosses unfragmented" n a ping -c1 -W5 -M do -s 8892 192.168.0.2
n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
check "TCP with the large MTU" n a iperf3 -c 192.168.0.2 -t 2
n a ip link set wg0 mtu 1420
n b ip link set wg0 mtu 1420

# Outer IPv6.
progress "outer IPv6, roaming"
n a wg set wg0 peer "$pb" endpoint "[fd00::2]:2"
check "ping over IPv6 outside" n a ping -c1 -W5 192.168.0.2
if debug_kernel; then
	check "b follows a to IPv6 (debug kernel: once stray packets settled)" \
		wait_until $((10 * KWG_SLOW)) repoint "[fd00::2]:2" "$pa	[fd00::1]:1"
else
	check_eq "b follows a to IPv6" "$pa	[fd00::1]:1" "$(n b wg show wg0 endpoints)"
fi
n a wg set wg0 peer "$pb" endpoint 10.0.0.2:2
n a ping -c1 -W5 192.168.0.2 >/dev/null
if debug_kernel; then
	check "b follows a back to IPv4 (debug kernel: once stray packets settled)" \
		wait_until $((10 * KWG_SLOW)) repoint 10.0.0.2:2 "$pa	10.0.0.1:1"
else
	check_eq "b follows a back to IPv4" "$pa	10.0.0.1:1" "$(n b wg show wg0 endpoints)"
fi

# Roaming: b answers from its sticky source; a moves to a new address.
n a ip addr del 10.0.0.1/24 dev va
n a ip addr add 10.0.0.3/24 dev va
check "a reaches b from its new address" n a ping -c1 -W5 192.168.0.2
if debug_kernel; then
	check "b's endpoint for a roamed (debug kernel: once stray packets settled)" \
		wait_until $((10 * KWG_SLOW)) repoint 10.0.0.2:2 "$pa	10.0.0.3:1"
else
	check_eq "b's endpoint for a roamed" "$pa	10.0.0.3:1" "$(n b wg show wg0 endpoints)"
fi
check "b reaches a at the roamed endpoint" n b ping -c1 -W5 192.168.0.1

# b has two addresses; a reaches b on the second: b must answer from it.
n b ip addr add 10.0.0.4/24 dev vb
n a wg set wg0 peer "$pb" endpoint 10.0.0.4:2
check "ping via b's second address" n a ping -c1 -W5 192.168.0.2
n b ip addr del 10.0.0.4/24 dev vb
n a wg set wg0 peer "$pb" endpoint 10.0.0.2:2
check "b's sticky source went away: it routes again" n b ping -c1 -W5 192.168.0.1

# The source filter: a sends from an address b allows to nobody.
n a ip addr add 192.168.0.5/24 dev wg0
before=$(n b cat /sys/class/net/wg0/statistics/rx_errors)
check_fails "a packet from a source not allowed for its peer is dropped" \
	n a ping -c1 -W2 -I 192.168.0.5 192.168.0.2
check_eq "and counted as a receive error" $((before + 1)) "$(n b cat /sys/class/net/wg0/statistics/rx_errors)"
n a ip addr del 192.168.0.5/24 dev wg0

# No peer for the destination: ICMP host unreachable, tx error.
out=$(n a ping -c1 -W2 192.168.0.9 2>&1)
check "no peer: ping gets Destination Host Unreachable" grep -q "Destination Host Unreachable" <<<"$out"
n a wg set wg0 peer "$(wg genkey | wg pubkey)" allowed-ips 192.168.0.10/32
out=$(n a ping -c1 -W2 192.168.0.10 2>&1)
check "no endpoint: ping gets Destination Host Unreachable" grep -q "Destination Host Unreachable" <<<"$out"

progress "persistent keepalive"
# Persistent keepalive: switching it on sends one at once.
rx=$(n b wg show wg0 transfer | awk -v k="$pa" '$1 == k { print $2 }')
if debug_kernel; then
	# "At once": before the 25 s interval. If the session is older than
	# REKEY_AFTER_TIME (120 s), sending the keepalive also starts a
	# handshake: an initiation (148) and, once answered, a keepalive.
	hs_age=$(($(date +%s) - $(n a wg show wg0 latest-handshakes | awk -v k="$pb" '$1 == k { print $2 }')))
	t_ka=$(now_ms)
	n a wg set wg0 peer "$pb" persistent-keepalive 25
	brx() { n b wg show wg0 transfer | awk -v k="$pa" '$1 == k { print $2 }'; }
	brx_grew() { test "$(brx)" -gt "$rx"; }
	wait_until $((25 * KWG_SLOW)) brx_grew
	t_ka=$((($(now_ms) - t_ka) / 1000))
	sleep 1
	got=$(($(brx) - rx))
	echo "# debug kernel: b received $got bytes from a within $t_ka s of switching the keepalive on (session $hs_age s old)"
	check "persistent keepalive: one 32-byte keepalive at once (debug kernel: before the 25 s interval)" \
		test "$t_ka" -lt 25 -a \( "$got" = 32 -o \( "$hs_age" -ge 110 -a \( "$got" = 180 -o "$got" = 212 \) \) \)
else
	n a wg set wg0 peer "$pb" persistent-keepalive 25
	sleep 1
	check_eq "persistent keepalive: one 32-byte keepalive at once" $((rx + 32)) \
		"$(n b wg show wg0 transfer | awk -v k="$pa" '$1 == k { print $2 }')"
fi

# New private key on a: the next packet handshakes at once.
ka2=$(wg genkey); pa2=$(echo "$ka2" | wg pubkey)
n b wg set wg0 peer "$pa" remove peer "$pa2" allowed-ips 192.168.0.1/32,fd01::1/128
n a wg set wg0 private-key <(echo "$ka2")
check "after a key change the tunnel works at once" n a ping -c1 -W5 192.168.0.2

# A dump spread over many messages: 20000 allowed IPs and 300 peers
# (debug kernel: 5000 and 100, still many messages).
NIPS=20000 NPEERS=300
debug_kernel && NIPS=5000 NPEERS=100
progress "big dump"
{
	echo "[Peer]"; echo "PublicKey = $(wg genkey | wg pubkey)"
	for i in $(seq 0 $((NIPS - 1))); do echo "AllowedIPs = 10.$((100 + i / 65536)).$((i / 256 % 256)).$((i % 256))/32"; done
	for i in $(seq 1 $NPEERS); do echo "[Peer]"; echo "PublicKey = $(head -c32 /dev/urandom | base64)"; echo "AllowedIPs = 172.16.$((i / 256)).$((i % 256))/32"; done
} >/tmp/big.conf
progress "addconf"
check "addconf of $NIPS allowed IPs and $NPEERS peers" n a wg addconf wg0 /tmp/big.conf
progress "dump"
check_eq "all $NIPS allowed IPs of one peer come back" $NIPS \
	"$(n a wg show wg0 allowed-ips | awk 'NF > 1000 { print NF - 1 }')"
check_eq "all peers come back" $((NPEERS + 3)) "$(n a wg show wg0 peers | wc -l)"
progress "fwmark"
check "the tunnel still works" n a ping -c1 -W5 192.168.0.2

# fwmark: the tunnel's own packets follow the policy routing of their mark.
n a ip route add blackhole 10.0.0.2/32
check_fails "a blackhole route to the endpoint stops the tunnel" n a ping -c1 -W2 192.168.0.2
n a ip rule add fwmark 0x10 lookup 100
n a ip route add 10.0.0.0/24 dev va table 100
n a wg set wg0 fwmark 0x10
check "with fwmark 0x10, its packets take table 100 and get through" n a ping -c1 -W5 192.168.0.2
n a wg set wg0 fwmark 0
check_fails "fwmark off: the blackhole again" n a ping -c1 -W2 192.168.0.2
n a ip route del blackhole 10.0.0.2/32
n a ip rule del fwmark 0x10 lookup 100
check "and without the blackhole the main table works again" n a ping -c1 -W5 192.168.0.2

# Teardown under traffic.
progress "teardown"
n a ping -f -w 5 192.168.0.2 >/dev/null 2>&1 &
n b ping -f -w 5 192.168.0.1 >/dev/null 2>&1 &
sleep 1
check "delete a namespace under traffic" ip netns del b
sleep 1
wait
check "delete the other" ip netns del a
sleep 1
progress "rmmod"
check "rmmod afterwards" rmmod wireguard
finish
