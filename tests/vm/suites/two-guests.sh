#!/bin/bash
# kwg-vm: two-guests timeout=120
# The two-guest harness itself: guest a runs our module, guest b the stock
# one, joined by a virtual NIC; each sees the other and its own module.
. /kwg/lib.sh

case $KWG_GUEST in
a) me=192.0.2.1 peer=192.0.2.2 ;;
b) me=192.0.2.2 peer=192.0.2.1 ;;
esac
check "eth0 exists" wait_until 20 ip link show eth0
ip addr add "$me/24" dev eth0
ip link set eth0 up
check "the other guest answers ping over the shared link" wait_until 60 ping -c1 -W1 "$peer"
ip link add wg0 type wireguard
if [[ $KWG_MODULE == stock ]]; then
	check "guest $KWG_GUEST runs the stock module" sh -c '! modinfo wireguard | grep -q "^description:.*kwg"'
else
	check "guest $KWG_GUEST runs our module" sh -c 'modinfo wireguard | grep -q "^description:.*kwg"'
fi
# Stay up until the other side has finished pinging us.
sleep 5
finish
