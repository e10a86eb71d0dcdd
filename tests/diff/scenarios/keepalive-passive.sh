#!/bin/bash
# kwg-diff: timeout=60
# The passive keepalive: n1 pings n2 and gets the reply; having received
# data and sent nothing since, n1 sends a keepalive 10 s later, and only
# one. The time column counts the seconds between packets.
. /kwg/diff/lib.sh

pair 4
capture_start link n2 v2
check "ping through the tunnel" ping_rec ping n1 -c1 -W5 "$IN4_2"
sleep 11.5
# The keepalive comes 10 s after the reply; timers in a loaded TCG guest
# fire a few hundred ms late.
DIFF_FILTER="widen_time 10 11" capture_stop link -d
observe after n1 n2
finish
