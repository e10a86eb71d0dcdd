#!/bin/bash
# kwg-diff: timeout=60
# Tunnels inside tunnels over IPv6, then a true loop over IPv6: as
# tunnel-in-tunnel, but the outer link is IPv6 (n1 reaches n2's wg0 at
# [fd00::2]:2) and so is everything inside. n1's wg0 has two peers: n2's
# wg0 (fd01::2) and n2's wg1 (fd02::2, listen port 5), whose endpoint
# [fd01::2]:5 lies inside the first tunnel: a ping to fd02::2 is encrypted
# twice. Then wg1's endpoint becomes [fd02::2]:5, inside its own tunnel:
# those packets must be dropped, nothing may crash or stall, and the
# tunnel to n2's wg0 keeps working. Shows the per-peer transfer counters
# and the wire in both phases, each recorded within a few seconds of its
# last data packet (before any passive keepalive is due).
. /kwg/diff/lib.sh

pair 6
addr n1 wg0 fd02::1/64
wg_dev n2 wg1 n2b 5
addr n2 wg1 fd02::2/64
ip -n n2 link set wg1 up
wg_peer n2 wg1 n1 allowed-ips fd02::1/128
wg_peer n1 wg0 n2b allowed-ips fd02::2/128 endpoint "[$IN6_2]:5"

capture_start nested n2 v2
check "ping through the outer tunnel" ping_rec ping-outer n1 -c1 -W5 "$IN6_2"
check "ping through the tunnel inside it" ping_rec ping-nested n1 -c1 -W5 fd02::2
capture_stop nested
record nested.n1.dump wg_dump n1
record nested.n2.dump wg_dump n2

wg_peer n1 wg0 n2b endpoint "[fd02::2]:5"
# As in tunnel-in-tunnel: stock lets a packet go round until it has grown
# too big for the next hop (its last send fails: a transmit error, counted
# as aborted, where over IPv4 it is a drop); ours drops a packet nested in
# more than 4 of our tunnels. Only the looping peer's transfer and wg0's
# transmit counters may differ, never what leaves on the veth.
reason="a routing loop over IPv6: stock lets a packet go round until its send fails (tx error, aborted), ours drops it inside 4 nested tunnels (tx dropped)"
allow_diff '^loop\.n1\.dump\| wg0	[^	]+	\(none\)	\[fd02::2\]:5	' "$reason"
allow_diff '^loop\.n1\.ip\| +[0-9]+ +[0-9]+ +[01] +[01] +0 +0 *$' "$reason"
allow_diff '^loop\.n1\.ip\| +[01] +0 +0 +0 +0 *$' "$reason"
capture_start loop n2 v2
check_fails "no answer through a tunnel routed into itself" ping_rec ping-loop n1 -c1 -W1 fd02::2
check "the outer tunnel still works" ping_rec ping-outer-after n1 -c1 -W5 "$IN6_2"
capture_stop loop
observe loop n1 n2
finish
