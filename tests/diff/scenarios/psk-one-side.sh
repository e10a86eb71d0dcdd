#!/bin/bash
# kwg-diff: timeout=60
# A preshared key on the initiator only: n2 answers the initiation, n1
# cannot use the response, no session comes up and n1 retransmits its
# initiation 5 s later (the time column counts seconds between packets).
. /kwg/diff/lib.sh

pair_links
pair_devices
pair_peer1 endpoint "$(endpoint2 4)" preshared-key "$(psk_file p12)"
pair_peer2
capture_start link n2 v2
check_fails "no ping through the tunnel" ping_rec ping n1 -c1 -W1 "$IN4_2"
sleep 5.5
# n1 would retransmit again 5 s later: its device goes down first, so that
# the snapshot does not race the third initiation.
ip -n n1 link set wg0 down
# The retransmission comes 5 s plus up to 1/3 s of jitter later; timers in
# a loaded TCG guest fire a few hundred ms late on top of that.
DIFF_FILTER="widen_time 5 6" capture_stop link -d
observe after n1 n2
finish
