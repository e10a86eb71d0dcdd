#!/bin/bash
# kwg-vm: stock=yes timeout=420
# A TCP stream through two rekeys (REKEY_AFTER_TIME is 120 s): it must
# neither stall nor reset, and the handshake time must move twice.
. /kwg/lib.sh

ip netns add a
ip netns add b
ip link add va netns a type veth peer name vb netns b
n a ip addr add 10.0.0.1/24 dev va
n a ip link set va up
n b ip addr add 10.0.0.2/24 dev vb
n b ip link set vb up
ka=$(wg genkey); kb=$(wg genkey)
pa=$(echo "$ka" | wg pubkey); pb=$(echo "$kb" | wg pubkey)
n a ip link add wg0 type wireguard
n b ip link add wg0 type wireguard
n a wg set wg0 private-key <(echo "$ka") listen-port 1 peer "$pb" allowed-ips 192.168.0.2/32 endpoint 10.0.0.2:2
n b wg set wg0 private-key <(echo "$kb") listen-port 2 peer "$pa" allowed-ips 192.168.0.1/32 endpoint 10.0.0.1:1
n a ip addr add 192.168.0.1/24 dev wg0
n b ip addr add 192.168.0.2/24 dev wg0
n a ip link set wg0 up
n b ip link set wg0 up
check "tunnel up" n a ping -c1 -W5 192.168.0.2
hs() { n a wg show wg0 latest-handshakes | cut -f2; }
first=$(hs)
n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
# A modest rate keeps the guest responsive; what matters is continuity.
n a iperf3 -c 192.168.0.2 -t 260 -i 10 -b 20M >/tmp/iperf.log 2>&1 &
ip=$!
seen=("$first")
for _ in $(seq 1 27); do
	sleep 10
	h=$(hs)
	[[ $h != "${seen[-1]}" ]] && seen+=("$h")
done
wait "$ip"
st=$?
check_eq "the stream ran to the end" 0 "$st"
tail -n 6 /tmp/iperf.log | sed 's/^/# /'
check_eq "no 10-second interval without data" "" \
	"$(awk '/sec/ && / 0.00 Bytes/' /tmp/iperf.log)"
check "the handshake moved at least twice" test "${#seen[@]}" -ge 3
echo "# handshakes: ${seen[*]}"
check_eq "no receive errors" "0 0" \
	"$(n a cat /sys/class/net/wg0/statistics/rx_errors) $(n b cat /sys/class/net/wg0/statistics/rx_errors)"
finish
