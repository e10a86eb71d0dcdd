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
