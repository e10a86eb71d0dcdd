#!/bin/bash
# kwg-diff: timeout=60
# `ip link set wg0 netns` with a live peer: n1's wg0 has a session with n2
# (a ping went through) when it is moved to n3, which has no veth. The move
# takes the device down and its addresses are lost; n3 gives them back and
# brings it up. What the dumps say before and after (peers, endpoints,
# transfer, handshake), whether the next ping from n3 starts a new
# handshake or reuses the session, and where the outer packets leave from
# (the socket stays in n1, where the device was made).
. /kwg/diff/lib.sh

pair 4
netns_add n3
check "ping before the move" ping_rec ping-before n1 -c1 -W5 "$IN4_2"
record before.n1.dump wg_dump n1
capture_start link n2 v2
ip -n n1 link set wg0 netns n3
record moved.n3.dump wg_dump n3
record moved.n3.link n n3 ip -br link show dev wg0
addr n3 wg0 "$IN4_1/24" "$IN6_1/64"
ip -n n3 link set wg0 up
check "ping from the moved device" ping_rec ping-after n3 -c1 -W5 "$IN4_2"
# n2 answered and n3 sends nothing more: down before n2's passive
# keepalive is due (10 s), so that the snapshot does not race it.
ip -n n3 link set wg0 down
capture_stop link
observe after n3 n2
finish
