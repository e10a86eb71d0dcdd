#!/bin/bash
# kwg-diff: timeout=60
# Persistent keepalive: on an established session, persistent-keepalive 1
# sends one keepalive at once and then one a second while nothing else is
# sent; switched off 3.5 s later, they stop. The time column counts the
# seconds between packets.
. /kwg/diff/lib.sh

pair 4
check "ping through the tunnel" ping_rec ping n1 -c1 -W5 "$IN4_2"
capture_start link n2 v2
pair_peer1 persistent-keepalive 1
sleep 3.5
pair_peer1 persistent-keepalive 0
sleep 1
capture_stop link -d
observe after n1 n2
finish
