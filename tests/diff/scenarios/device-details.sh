#!/bin/bash
# kwg-diff: timeout=60 check
# A fresh device, as `ip link add wg0 type wireguard` makes it, then up,
# then with addresses of both families and another MTU: what ip -d shows
# (flags, MTU, MTU limits, qdisc, queues, addrgenmode, GSO/GRO limits),
# every sysfs attribute, the uevent, and whether IPv6 gives it a
# link-local address and routes.
. /kwg/diff/lib.sh

netns_add n1
ip -n n1 link add wg0 type wireguard
observe created n1
ip -n n1 link set wg0 up
# No listen port given: the kernel picks one at random when the device
# comes up (listen-port-random shows how); masked here.
p=$(n n1 wg show wg0 listen-port)
DIFF_FILTER="mask_port $p" observe up n1
addr n1 wg0 192.168.241.1/24 fd01::1/64
ip -n n1 link set wg0 mtu 1280
DIFF_FILTER="mask_port $p" observe configured n1
finish
