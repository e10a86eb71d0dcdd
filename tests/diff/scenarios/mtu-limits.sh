#!/bin/bash
# kwg-diff: timeout=60
# MTU limits of a device: the MTUs `ip link set mtu` accepts or refuses
# (with which error), and what happens to the device's IPv6 addresses and
# routes below IPv6's minimum of 1280 and back above it.
. /kwg/diff/lib.sh

netns_add n1
wg_dev n1 wg0 n1 1
addr n1 wg0 192.168.241.1/24 fd01::1/64
ip -n n1 link set wg0 up
for mtu in 0 67 68 1279 1280 9000 65535 65536 2147483552 2147483553; do
	record "set-$mtu" ip -n n1 link set wg0 mtu "$mtu"
	record "mtu-after-$mtu" n n1 cat /sys/class/net/wg0/mtu
done
ip -n n1 link set wg0 mtu 1200
observe below-1280 n1
ip -n n1 link set wg0 mtu 1420
observe back n1
finish
