#!/bin/bash
# kwg-diff: timeout=60
# A device created in one namespace and moved to another keeps its socket
# where it was created: n1's wg0 is made in n1 (which has the veth) and
# moved to n3 (which has none); n3 then talks to n2 through it. Shows the
# sockets of both namespaces, the dumps and the wire.
. /kwg/diff/lib.sh

# sockets NS: the UDP sockets in NS, sorted (ss walks the kernel's socket
# hash table, whose order is not the module's to decide).
sockets() { n "$1" ss -Huan | tr -s ' ' | sort; }

pair_links
netns_add n3
wg_dev n1 wg0 n1 1
ip -n n1 link set wg0 up
record sockets-n1-before sockets n1
ip -n n1 link set wg0 netns n3
addr n3 wg0 "$IN4_1/24" "$IN6_1/64"
ip -n n3 link set wg0 up
wg_peer n3 wg0 n2 allowed-ips "$IN4_2/32,$IN6_2/128" endpoint "$(endpoint2 4)"
wg_dev n2 wg0 n2 2
addr n2 wg0 "$IN4_2/24" "$IN6_2/64"
ip -n n2 link set wg0 up
pair_peer2
record sockets-n1 sockets n1
record sockets-n3 sockets n3
check "ping from the moved device" ping_wire ping n3 -c1 -W5 "$IN4_2"
observe after n1 n3 n2
finish
