#!/bin/bash
# kwg-diff: timeout=60
# Path MTU on the outer path, IPv4: a router between n1 and n2 whose far
# link has MTU 1300, smaller than the tunnel's full packets (1480 bytes
# outside). Is DF clear on the outer packets (the router then fragments
# them, no ICMP "fragmentation needed"), and does the tunnel carry them?
# Records the wire on both sides of the router, its ICMP counters and the
# route n1 then has to n2.
. /kwg/diff/lib.sh

routed_pair 4
ip -n r link set v3 mtu 1300
ip -n n2 link set v4 mtu 1300
check "small ping" ping_rec ping-small n1 -c1 -W5 "$IN4_2"
capture_start near r v2
capture_start far r v3
check "ping filling the tunnel MTU" ping_rec ping-1392 n1 -c1 -W5 -s 1392 "$IN4_2"
check "and again" ping_rec ping-1392-again n1 -c1 -W5 -s 1392 "$IN4_2"
capture_stop near
capture_stop far
record route.n1 route_get n1 10.0.1.2
record snmp.r snmp r
observe after n1 n2
finish
