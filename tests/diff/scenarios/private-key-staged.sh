#!/bin/bash
# kwg-diff: timeout=60
# A private key change with packets staged: n2 knows n1 only by the public
# key of n1's next private key ("n1new"), so n1's initiation gets no
# answer and two pings wait in its peer's queue. Then n1 gets its new
# private key: is a handshake sent (at once, or at the retransmission 5 s
# after the first initiation), and are the staged pings sent after it?
# The time column counts seconds from the first packet; n2 counts the
# echo requests it gets (Icmp.InEchos in its snapshot).
. /kwg/diff/lib.sh

pair_links
pair_devices
pair_peer1 endpoint "$(endpoint2 4)"
wg_peer n2 wg0 n1new allowed-ips "$IN4_1/32,$IN6_1/128"
capture_start link n2 v2
check_fails "no answer to the old key" ping_rec ping-staged n1 -c2 -i 0.3 -W1 "$IN4_2"
record staged.n1.stats link_stats n1 wg0
n n1 wg set wg0 private-key "$(key_file n1new)"
record changed.n1.dump wg_dump n1
sleep 6
# wire: retransmissions come 5 s plus up to 1/3 s of jitter after the first
# initiation, and timers in a loaded TCG guest fire a few hundred ms late;
# n2's answer to the first staged ping may cross n1's second one on the
# wire (a race between the hosts), so the data messages after the
# handshake are compared as a set, in their place after it.
wire() { widen_time 5 6 | sort_runs ' wg=data '; }
DIFF_FILTER=wire capture_stop link -t
observe after n1 n2
finish
