#!/bin/bash
# kwg-diff: timeout=60
# fwmark policy routing as wg-quick sets it up for a default route through
# the tunnel: fwmark 51820 on the device, the default route in table 51820,
# "not fwmark 51820 lookup 51820" and "lookup main suppress_prefixlength 0".
# The tunnel's own packets must escape the default route by their mark; n1
# reaches n2's tunnel address and an address only the default route covers.
. /kwg/diff/lib.sh

pair_links
pair_devices
wg_peer n1 wg0 n2 allowed-ips 0.0.0.0/0,::/0 endpoint "$(endpoint2 4)"
pair_peer2
addr n2 lo 192.168.250.1/32
n n1 wg set wg0 fwmark 51820
ip -n n1 route add default dev wg0 table 51820
ip -n n1 rule add not fwmark 51820 table 51820
ip -n n1 rule add table main suppress_prefixlength 0
check "ping n2's tunnel address" ping_wire ping n1 -c1 -W5 "$IN4_2"
check "ping an address behind the default route" ping_wire ping-default n1 -c1 -W5 192.168.250.1
observe after n1 n2
finish
