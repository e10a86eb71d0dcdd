#!/bin/bash
# kwg-diff: timeout=60
# Initiations reaching a device that cannot answer them, in three stages
# 5 s apart (n1 retransmits its initiation every 5 s): n2's wg0 has a
# private key but no peers at all; then its private key is removed (still
# no peers); then it gets peer n1 but still no key. n2 must never answer
# nor send ICMP (its socket stays open); its device counters are recorded
# after each initiation arrived. (unknown-peer shows the first stage's
# snapshot alone.)
. /kwg/diff/lib.sh

pair_links
pair_devices
pair_peer1 endpoint "$(endpoint2 4)"
capture_start link n2 v2
check_fails "no answer from a device without peers" ping_rec ping n1 -c1 -W2 "$IN4_2"
record no-peers.n2.stats link_stats n2 wg0
record no-peers.n2.dump wg_dump n2
n n2 wg set wg0 private-key /dev/null
record no-key.n2.dump wg_dump n2
sleep 3.5
record no-key.n2.stats link_stats n2 wg0
pair_peer2
record no-key-peer.n2.dump wg_dump n2
sleep 5.5
record no-key-peer.n2.stats link_stats n2 wg0
# The fourth initiation is due 5 s later: n1's device goes down first, so
# that the snapshot does not race it.
ip -n n1 link set wg0 down
# Retransmissions come 5 s plus up to 1/3 s of jitter apart; timers in a
# loaded TCG guest fire a few hundred ms late on top of that.
DIFF_FILTER="widen_time 5 6" capture_stop link -d
check_fails "n2 sent nothing" grep -q '^d=[^ ]* ip4 10\.0\.0\.2' "$DIFF_FILE"
observe after n1 n2
finish
