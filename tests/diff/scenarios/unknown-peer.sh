#!/bin/bash
# kwg-diff: timeout=60
# An initiation from a key the responder does not know: n2's wg0 has no
# peer n1, so it must not answer; what its counters and n1's say.
. /kwg/diff/lib.sh

pair_links
pair_devices
pair_peer1 endpoint "$(endpoint2 4)"
capture_start link n2 v2
check_fails "no answer" ping_rec ping n1 -c1 -W2 "$IN4_2"
# n1 retransmits 5 s after its first initiation: its device goes down
# first, so that the snapshot does not race it.
ip -n n1 link set wg0 down
capture_stop link
observe after n1 n2
finish
