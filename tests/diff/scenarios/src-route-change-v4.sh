#!/bin/bash
# kwg-diff: timeout=60 check
# The source address after a route change (outer IPv4): n1 reaches n2 over
# v1 from 10.0.0.1; a better route over v3 with source 10.0.0.3 appears.
# n1's next packet should leave from 10.0.0.3 over v3, so that n2's
# endpoint for n1 becomes 10.0.0.3:1. Captures both of n2's links.
. /kwg/diff/lib.sh

two_paths 4
check "ping over the first path" ping_rec ping-first n1 -c1 -W5 "$IN4_2"
record endpoint-first n n2 wg show wg0 endpoints
capture_start first n2 v2
capture_start second n2 v4
ip -n n1 route add 10.0.0.0/24 dev v3 src 10.0.0.3 metric 1
check "ping after the route change" ping_rec ping-second n1 -c1 -W5 "$IN4_2"
capture_stop first
capture_stop second
record endpoint-second n n2 wg show wg0 endpoints
observe after n1 n2
finish
