#!/bin/bash
# kwg-vm: two-guests timeout=300
# Our module (guest a) against the stock module (guest b) over a virtual
# NIC: a handshake initiated from each side, without and with a preshared
# key, ping and TCP both ways. Keys are fixed so both guests know them.
. /kwg/lib.sh

KA=j6cTPfVO2ALpkQBWi/guJGPyme3PzePAc53yq+fC/Sw=
KB=spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378=
KC=yWBnujCgROeM8z8eMEsy1HxqqAlphV0zywTL3PyyS4g=
KD=LcO9MwLOe4RmRDD/S4iNyRlPyWLHZbcpuXVAzfgI1/0=
PSK=mRR6/xpNM8OL16bI+rvwJgar+knda32GMgUGqPj2M10=
pub() { echo "$1" | wg pubkey; }

case $KWG_GUEST in
a) me=192.0.2.1 other=192.0.2.2 mine=$KA theirs=$KB mine1=$KC theirs1=$KD t=1 o=2 ;;
b) me=192.0.2.2 other=192.0.2.1 mine=$KB theirs=$KA mine1=$KD theirs1=$KC t=2 o=1 ;;
esac
echo "# guest $KWG_GUEST, module $KWG_MODULE"
wait_until 20 ip link show eth0
ip addr add "$me/24" dev eth0
ip link set eth0 up
check "the other guest is reachable" wait_until 60 ping -c1 -W1 "$other"

# wg0: no preshared key; only a knows b's endpoint, so a initiates.
ip link add wg0 type wireguard
ip addr add 10.9.0.$t/24 dev wg0
wg set wg0 private-key <(echo "$mine") listen-port 51820 \
	peer "$(pub "$theirs")" allowed-ips 10.9.0.$o/32
[[ $KWG_GUEST == a ]] && wg set wg0 peer "$(pub "$theirs")" endpoint "$other:51820"
ip link set wg0 up
# wg1: a preshared key; only b knows a's endpoint, so b initiates.
ip link add wg1 type wireguard
ip addr add 10.9.1.$t/24 dev wg1
wg set wg1 private-key <(echo "$mine1") listen-port 51821 \
	peer "$(pub "$theirs1")" allowed-ips 10.9.1.$o/32 preshared-key <(echo "$PSK")
[[ $KWG_GUEST == b ]] && wg set wg1 peer "$(pub "$theirs1")" endpoint "$other:51821"
ip link set wg1 up
iperf3 -s -D >/dev/null 2>&1

hs() { [[ $(wg show "$1" latest-handshakes | cut -f2) -gt 0 ]]; }
if [[ $KWG_GUEST == a ]]; then
	check "a (ours) initiates to b (stock): ping" wait_until 30 ping -c1 -W1 10.9.0.2
	check "wg1: b (stock) initiated to a (ours), with a PSK" wait_until 60 hs wg1
	check "ping b over wg1" ping -c3 -i0.2 -W2 10.9.1.2
	sleep 2
	check "TCP a->b" iperf3 -c 10.9.0.2 -t 3
	check "TCP b->a (-R)" iperf3 -c 10.9.0.2 -t 3 -R
	check "TCP over wg1 (PSK)" iperf3 -c 10.9.1.2 -t 3
	touch /tmp/done
else
	check "wg0: a (ours) initiated to b (stock)" wait_until 60 hs wg0
	check "ping a over wg0" ping -c3 -i0.2 -W2 10.9.0.1
	check "b (stock) initiates to a (ours) with a PSK: ping" wait_until 30 ping -c1 -W1 10.9.1.1
	# Stay up while a runs its TCP tests against us.
	sleep 1
	check "a ran its TCP tests against us" wait_until 120 sh -c \
		'ss -Htn state established "( sport = :5201 )" | grep -q . ; [[ $(wg show wg1 transfer | cut -f2) -gt 1000000 ]]'
	sleep 3
fi
check "no receive errors on wg0" test "$(cat /sys/class/net/wg0/statistics/rx_errors)" -eq 0
finish
