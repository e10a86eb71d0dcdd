#!/bin/bash
# kwg-vm: stock=yes timeout=300
# Configuration churn and teardown under traffic: peers removed and re-added,
# keys changed, the device taken down and up, the device deleted, and the
# module unloaded while packets flow in both directions. The harness fails
# the run on any WARN, oops or leak report in the kernel log.
. /kwg/lib.sh
. /kwg/common/veth-pair.sh

# traffic SECONDS: floods both ways and TCP; bounded, since a client whose
# tunnel is deleted under it may wait for its server forever.
traffic() {
	n a timeout "$(($1 + 5))" ping -f -w "$1" 192.168.0.2 >/dev/null 2>&1 &
	n b timeout "$(($1 + 5))" ping -f -w "$1" 192.168.0.1 >/dev/null 2>&1 &
	n b timeout "$(($1 + 5))" iperf3 -s -1 >/dev/null 2>&1 &
	sleep 0.3
	n a timeout "$(($1 + 5))" iperf3 -c 192.168.0.2 -t "$1" -P 2 >/dev/null 2>&1 &
}

# sentinel NS: a veth pair, s-NS here and its peer inside NS; the kernel
# deletes both only when NS is really destroyed, so a reference leaked to
# NS keeps s-NS alive.
sentinel() { ip link add name "s-$1" type veth peer name sentinel netns "$1"; }

# destroyed NS...: the sentinel of every NS is gone.
destroyed() {
	local ns
	for ns; do
		! ip link show "s-$ns" >/dev/null 2>&1 || return 1
	done
}

# wg_peered NS1 DEV1 NS2 DEV2 HOST1 HOST2: DEV1 in NS1 (port 1, tunnel
# address 192.168.9.1) and DEV2 in NS2 (port 2, .2), each the other's peer
# at HOST:port, neither up. Sets ka/kb and pa/pb.
wg_peered() {
	ka=$(wg genkey); kb=$(wg genkey)
	pa=$(echo "$ka" | wg pubkey); pb=$(echo "$kb" | wg pubkey)
	n "$1" ip link add "$2" type wireguard
	n "$3" ip link add "$4" type wireguard
	n "$1" wg set "$2" private-key <(echo "$ka") listen-port 1 \
		peer "$pb" allowed-ips 192.168.9.2/32 endpoint "$6:2"
	n "$3" wg set "$4" private-key <(echo "$kb") listen-port 2 \
		peer "$pa" allowed-ips 192.168.9.1/32 endpoint "$5:1"
}

veth_wg_pair
check "tunnel up" n a ping -c1 -W5 192.168.0.2
traffic 20
sleep 1
for i in 1 2 3 4 5; do
	n b wg set wg0 peer "$pa" remove
	sleep 0.3
	n b wg set wg0 peer "$pa" allowed-ips 192.168.0.1/32 endpoint 10.0.0.1:1
	sleep 0.3
	n a wg set wg0 peer "$pb" allowed-ips 192.168.0.2/32,10.77.$i.0/24
	n a ip link set wg0 down
	n a ip link set wg0 up
	sleep 0.3
done
check "peer removal, re-adding and down/up under traffic" true
kb2=$(wg genkey)
n a wg set wg0 peer "$(echo "$kb2" | wg pubkey)" allowed-ips 192.168.0.2/32 endpoint 10.0.0.2:2
n b wg set wg0 private-key <(echo "$kb2")
sleep 1
n b wg set wg0 private-key <(echo "$kb")
n a wg set wg0 peer "$pb" allowed-ips 192.168.0.2/32
check "the tunnel recovers after the churn" wait_until 30 n a ping -c1 -W1 192.168.0.2
check "delete a device under traffic" n b ip link del wg0
sleep 1
check "delete the other under traffic" n a ip link del wg0
wait
ip netns del a
ip netns del b

# The sockets' namespace deleted before the devices: both devices were
# created in w (their sockets stay there, talking over its loopback) and
# moved out. Their peers' cached IPv6 routes, and the packets queued from
# w's sockets, hold routes of w: they must be released when w goes, not
# after it (when the queues drain, when the devices go): on a KASAN kernel
# a late release reads the freed namespace.
ip netns add w
ip netns add c1
ip netns add c2
sentinel w
n w ip link set lo up
wg_peered w wg1 w wg2 "[::1]" "[::1]"
n w ip link set wg1 netns c1
n w ip link set wg2 netns c2
n c1 ip addr add 192.168.9.1/24 dev wg1
n c2 ip addr add 192.168.9.2/24 dev wg2
n c1 ip link set wg1 up
n c2 ip link set wg2 up
check "a tunnel through another namespace's loopback" \
	n c1 ping -c3 -i0.2 -W5 192.168.9.2
n c1 ping -f -s 1000 -w 4 192.168.9.2 >/dev/null 2>&1 &
n c2 ping -f -s 1000 -w 4 192.168.9.1 >/dev/null 2>&1 &
sleep 2
ip netns del w
check "the sockets' namespace is destroyed under traffic" \
	wait_until 30 destroyed w
wait
# Its sentinel goes before it is freed, and the kernel frees a namespace
# only at the end of a later teardown of namespaces, after an RCU barrier
# of that one (teardowns run one at a time); what still referred to w from
# the traffic can hold it for one more. Once three namespaces deleted one
# after the other are gone, w is freed.
for m in m1 m2 m3; do
	ip netns add $m
	sentinel $m
	ip netns del $m
	check "w is freed: namespace $m deleted after it is destroyed too" \
		wait_until 60 destroyed $m
done
check "the devices are deleted after it" \
	sh -c 'ip -n c1 link del wg1 && ip -n c2 link del wg2'
ip netns del c1
ip netns del c2

# Devices deleted with their own namespaces, over IPv6: what the peers hold
# of the namespace (cached routes) is released during its teardown, not in
# RCU callbacks that may run after it is freed.
for i in 1 2; do
	ip netns add "d$i"
	sentinel "d$i"
done
ip link add vd netns d1 type veth peer name vd netns d2
n d1 ip addr add fd00:9::1/64 dev vd nodad
n d2 ip addr add fd00:9::2/64 dev vd nodad
n d1 ip link set vd up
n d2 ip link set vd up
wg_peered d1 wg0 d2 wg0 "[fd00:9::1]" "[fd00:9::2]"
n d1 ip addr add 192.168.9.1/24 dev wg0
n d2 ip addr add 192.168.9.2/24 dev wg0
n d1 ip link set wg0 up
n d2 ip link set wg0 up
check "a tunnel over IPv6" n d1 ping -c3 -i0.2 -W5 192.168.9.2
n d1 ping -f -w 3 192.168.9.2 >/dev/null 2>&1 &
n d2 ping -f -w 3 192.168.9.1 >/dev/null 2>&1 &
sleep 1
ip netns del d1
ip netns del d2
check "both namespaces are destroyed with their devices, under traffic" \
	wait_until 30 destroyed d1 d2
wait

veth_wg_pair
check "tunnel up again" n a ping -c1 -W5 192.168.0.2
traffic 10
sleep 2
check "rmmod under traffic" rmmod wireguard
wait
check_fails "the devices are gone" n a ip link show wg0
ip netns del a
ip netns del b
sleep 1
check "the module loads again" modprobe wireguard
finish
