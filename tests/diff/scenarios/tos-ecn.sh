#!/bin/bash
# kwg-diff: timeout=60
# DSCP and ECN of the outer packets for inner packets with various TOS /
# traffic class values (ping -Q): which bits the outer header inherits,
# over outer IPv4, for inner IPv4 and IPv6.
. /kwg/diff/lib.sh

pair 4
check "ping through the tunnel" ping_rec ping n1 -c1 -W5 "$IN4_2"
capture_start link n2 v2
for tos in 0x01 0x02 0x03 0xb8 0xbb; do
	check "ping -Q $tos" ping_rec "ping-$tos" n1 -c1 -W5 -Q "$tos" "$IN4_2"
	check "ping6 -Q $tos" ping_rec "ping6-$tos" n1 -c1 -W5 -Q "$tos" "$IN6_2"
done
capture_stop link
observe after n1 n2
finish
