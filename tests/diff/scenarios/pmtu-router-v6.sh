#!/bin/bash
# kwg-diff: timeout=60
# Path MTU on the outer path, IPv6: a router between n1 and n2 whose far
# link has MTU 1300, smaller than the tunnel's full packets (1500 bytes
# outside). The router cannot fragment: it sends n1 an ICMPv6 Packet Too
# Big, and the first big ping is lost. What does n1 do with the next big
# packets (fragment the outer datagram to 1300 at the source?), and does
# the tunnel then carry them? Records the wire on both sides of the
# router, the ICMP counters of all three and the route n1 then has to n2.
. /kwg/diff/lib.sh

routed_pair 6
ip -n r link set v3 mtu 1300
ip -n n2 link set v4 mtu 1300
check "small ping" ping_rec ping-small n1 -c1 -W5 "$IN4_2"
capture_start near r v2
capture_start far r v3
check_fails "the first ping filling the tunnel MTU is lost" ping_rec ping-1392 n1 -c1 -W2 -s 1392 "$IN4_2"
check "the next one gets through" ping_rec ping-1392-again n1 -c1 -W5 -s 1392 "$IN4_2"
capture_stop near
capture_stop far
record route.n1 route_get n1 fd00:1::2
record snmp.r snmp r
observe after n1 n2
finish
