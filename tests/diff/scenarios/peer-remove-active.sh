#!/bin/bash
# kwg-diff: timeout=60
# Removing a peer with an established session: packets to its addresses
# then get ICMP unreachable; added back, it needs a new handshake.
. /kwg/diff/lib.sh

pair 4
check "ping through the tunnel" ping_rec ping n1 -c1 -W5 "$IN4_2"
wg_peer n1 wg0 n2 remove
check_fails "no peer, no ping" ping_rec ping-removed n1 -c1 -W1 "$IN4_2"
record removed.n1.dump wg_dump n1
pair_peer1 endpoint "$(endpoint2 4)"
check "ping after adding it back" ping_wire ping-back n1 -c1 -W5 "$IN4_2"
observe after n1 n2
finish
