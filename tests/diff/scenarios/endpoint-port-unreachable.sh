#!/bin/bash
# kwg-diff: timeout=60
# The endpoint's host answers with ICMP port unreachable (n2 has no
# WireGuard device): the initiation is retransmitted 5 s later all the
# same; the ICMP errors are on the wire and in n1's counters.
. /kwg/diff/lib.sh

pair_links
wg_dev n1 wg0 n1 1
addr n1 wg0 "$IN4_1/24"
ip -n n1 link set wg0 up
pair_peer1 endpoint "$(endpoint2 4)"
capture_start link n2 v2
check_fails "no answer" ping_rec ping n1 -c1 -W1 "$IN4_2"
sleep 5.5
# The next initiation is due 5 s later: n1's device goes down first, so
# that the snapshot does not race it.
ip -n n1 link set wg0 down
# The retransmission comes 5 s plus up to 1/3 s of jitter later; timers in
# a loaded TCG guest fire a few hundred ms late on top of that.
DIFF_FILTER="widen_time 5 6" capture_stop link -d
observe after n1
finish
