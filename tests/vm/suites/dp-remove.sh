#!/bin/bash
# kwg-vm: stock=yes bench timeout=400
# How long peer removal takes while another device carries traffic: 1,000
# idle peers removed in one `wg set`, and by `wg setconf` of an empty file;
# and peers with packets in flight removed one at a time. Prints "# remove:"
# lines (make bench); the checks only say that every removal happened.
. /kwg/lib.sh
. /kwg/common/topo.sh
. /kwg/common/veth-pair.sh

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# The traffic on another device: TCP a -> b through a's and b's wg0.
veth_wg_pair
check "tunnel up" n a ping -c1 -W5 192.168.0.2
n b iperf3 -s -D >/dev/null 2>&1
wait_until 5 listening b 5201
n a iperf3 -c 192.168.0.2 -t 300 -P 2 >/dev/null 2>&1 &
load=$!
sleep 2

# wg_many NS DEV COUNT: DEV in NS with COUNT idle peers (random keys, an
# allowed IP and an endpoint each), up; their keys in $TOPO_TMP/DEV.keys.
wg_many() {
	local ns=$1 dev=$2 count=$3
	randkeys "$count" >"$TOPO_TMP/$dev.keys"
	{
		printf '[Interface]\nPrivateKey = %s\n' "$(wg genkey)"
		awk '{ printf "[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32\nEndpoint = 127.0.0.1:%d\n",
			$1, int(NR / 65536), int(NR / 256) % 256, NR % 256, 1000 + NR }' "$TOPO_TMP/$dev.keys"
	} >"$TOPO_TMP/$dev.conf"
	n "$ns" ip link add "$dev" type wireguard
	n "$ns" wg setconf "$dev" "$TOPO_TMP/$dev.conf"
	n "$ns" ip link set "$dev" up
}
peers() { n "$1" wg show "$2" peers | wc -l; }

# median: the middle of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

netns_add c
wg_many c wgc 1000
noop=() remove=()
while read -r k; do
	noop+=(peer "$k")
	remove+=(peer "$k" remove)
done <"$TOPO_TMP/wgc.keys"
printf '[Interface]\nPrivateKey = %s\n' "$(wg genkey)" >"$TOPO_TMP/empty.conf"
# Three rounds of: a wg set naming all 1,000 peers and changing nothing
# (what the process and netlink cost by themselves), the same removing
# them all, and setconf of a file without peers.
for round in 1 2 3; do
	n c wg setconf wgc "$TOPO_TMP/wgc.conf"
	check_eq "round $round: 1,000 peers configured" 1000 "$(peers c wgc)"
	t=$(date +%s%N)
	n c wg set wgc "${noop[@]}"
	ms "$t" >>"$TOPO_TMP/noop.ms"
	t=$(date +%s%N)
	n c wg set wgc "${remove[@]}"
	ms "$t" >>"$TOPO_TMP/remove.ms"
	check_eq "round $round: all removed by wg set" 0 "$(peers c wgc)"
	n c wg setconf wgc "$TOPO_TMP/wgc.conf"
	t=$(date +%s%N)
	n c wg setconf wgc "$TOPO_TMP/empty.conf"
	ms "$t" >>"$TOPO_TMP/setconf.ms"
	check_eq "round $round: all removed by setconf" 0 "$(peers c wgc)"
done
echo "# remove: $KWG_MODULE $KWG_KVER 1000 idle peers, median of 3:" \
	"wg set changing nothing $(median <"$TOPO_TMP/noop.ms") ms," \
	"wg set removing all $(median <"$TOPO_TMP/remove.ms") ms," \
	"setconf without peers $(median <"$TOPO_TMP/setconf.ms") ms"

# Busy peers: a second tunnel pair d-e flooded with pings both ways, whose
# peer is removed on d under that flood, then put back; ten times.
veth_wg_pair d e 1
for i in $(seq 10); do
	n d wg set wg0 peer "$pb" allowed-ips 192.168.1.2/32 endpoint 10.1.0.2:4
	n d ping -c1 -W5 192.168.1.2 >/dev/null
	n d timeout 3 ping -q -f -s 1200 192.168.1.2 >/dev/null 2>&1 &
	n e timeout 3 ping -q -f -s 1200 192.168.1.1 >/dev/null 2>&1 &
	sleep 1
	t=$(date +%s%N)
	n d wg set wg0 peer "$pb" remove
	ms "$t" >>"$TOPO_TMP/busy.ms"
	wait_until 5 test "$(peers d wg0)" -eq 0
	sleep 2.2
done
check_eq "busy peer removed" 0 "$(peers d wg0)"
echo "# remove: $KWG_MODULE $KWG_KVER a peer with packets in flight:" \
	"median of 10 $(median <"$TOPO_TMP/busy.ms") ms"

kill "$load" 2>/dev/null
wait "$load" 2>/dev/null
check "the other device still carries traffic" n a ping -c1 -W5 192.168.0.2
finish
