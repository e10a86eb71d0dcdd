#!/bin/bash
# kwg-diff: timeout=60
# Handshake retransmission to an endpoint that never answers (n2 drops
# every datagram to its port): n1 repeats its initiation every 5 s (three
# in 12 s; the time column counts the seconds between them).
. /kwg/diff/lib.sh

pair 4
n n2 nft add table inet t
n n2 nft add chain inet t in '{ type filter hook input priority 0; }'
n n2 nft add rule inet t in udp dport 2 drop
capture_start link n2 v2
check_fails "no answer" ping_rec ping n1 -c1 -W1 "$IN4_2"
sleep 11
# The fourth initiation is due 3 s later: n1's device goes down first, so
# that the snapshot does not race it.
ip -n n1 link set wg0 down
# Retransmissions come 5 s plus up to 1/3 s of jitter apart; timers in a
# loaded TCG guest fire a few hundred ms late on top of that.
DIFF_FILTER="widen_time 5 6" capture_stop link -d
observe after n1
finish
