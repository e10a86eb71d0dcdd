#!/bin/bash
# kwg-diff: timeout=60
# The outer link's MTU (1400) is smaller than the tunnel's packets (1420
# inside, 1480 outside, outer IPv4): are the outer packets fragmented, with
# DF clear, and does the tunnel still carry them?
. /kwg/diff/lib.sh

pair 4
ip -n n1 link set v1 mtu 1400
ip -n n2 link set v2 mtu 1400
check "small ping" ping_rec ping-small n1 -c1 -W5 "$IN4_2"
capture_start link n2 v2
check "ping filling the tunnel MTU" ping_rec ping-1392 n1 -c1 -W5 -s 1392 "$IN4_2"
capture_stop link
observe after n1 n2
finish
