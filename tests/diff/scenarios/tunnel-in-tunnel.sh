#!/bin/bash
# kwg-diff: timeout=60 check
# Tunnels inside tunnels, then a true loop. n1's wg0 has two peers: n2's
# wg0 (192.168.241.2, over the veth) and n2's wg1 (192.168.242.2, listen
# port 5), whose endpoint 192.168.241.2:5 lies inside the first tunnel:
# a ping to 192.168.242.2 is encrypted twice. Then wg1's endpoint becomes
# 192.168.242.2:5, inside its own tunnel: those packets must be dropped,
# nothing may crash or stall, and the tunnel to n2's wg0 keeps working.
# Shows the per-peer transfer counters and the wire in both phases. (Each
# phase is recorded within a few seconds of its last data packet: 10 s
# after receiving data, a peer that sent nothing back sends a keepalive.)
. /kwg/diff/lib.sh

pair 4
addr n1 wg0 192.168.242.1/24
wg_dev n2 wg1 n2b 5
addr n2 wg1 192.168.242.2/24
ip -n n2 link set wg1 up
wg_peer n2 wg1 n1 allowed-ips 192.168.242.1/32
wg_peer n1 wg0 n2b allowed-ips 192.168.242.2/32 endpoint 192.168.241.2:5

capture_start nested n2 v2
check "ping through the outer tunnel" ping_rec ping-outer n1 -c1 -W5 "$IN4_2"
check "ping through the tunnel inside it" ping_rec ping-nested n1 -c1 -W5 192.168.242.2
capture_stop nested
record nested.n1.dump wg_dump n1
record nested.n2.dump wg_dump n2

wg_peer n1 wg0 n2b endpoint 192.168.242.2:5
# A routing loop through a tunnel costs stock far more: a small packet goes
# round until it is dropped (18 rounds on 6.1, 19 on 6.12), a large one is
# fragmented and storms; ours drops a packet nested in more than 4 of our
# tunnels (5 rounds). Only the looping peer's transfer and wg0's transmit
# counters may differ, never what leaves on the veth.
reason="a routing loop: stock lets a packet go round ~19 times (a large one storms), ours drops it inside 4 nested tunnels"
allow_diff '^loop\.n1\.dump\| wg0	[^	]+	\(none\)	192\.168\.242\.2:5	' "$reason"
allow_diff '^loop\.n1\.ip\| +[0-9]+ +[0-9]+ +0 +1 +0 +0 *$' "$reason"
capture_start loop n2 v2
check_fails "no answer through a tunnel routed into itself" ping_rec ping-loop n1 -c1 -W1 192.168.242.2
check "the outer tunnel still works" ping_rec ping-outer-after n1 -c1 -W5 "$IN4_2"
capture_stop loop
observe loop n1 n2
finish
