#!/bin/bash
# kwg-diff: timeout=60
# The remembered source when its link goes down: n1 has 10.0.0.1 on v1 and
# 10.0.0.3 on v3 and reaches n2's subnet over v3 first (metric 1), over v1
# second (metric 2). n2 reaches n1 at 10.0.0.3 over v4, so n1 answers from
# 10.0.0.3 over v3. Then v3 goes down: n1's next packets must take v1 (from
# 10.0.0.1, the only address left usable), and n2's endpoint for n1 must
# follow. Captures both of n2's links.
. /kwg/diff/lib.sh

two_paths 4
ip -n n1 route add 10.0.0.0/24 dev v3 src 10.0.0.3 metric 1
# n1 only answers: its peer n2 has no endpoint; n2's peer n1 is at .3.
wg_peer n1 wg0 n2 remove
pair_peer1
pair_peer2 endpoint 10.0.0.3:1
capture_start first-v2 n2 v2
capture_start first-v4 n2 v4
check "n2 reaches n1 over the second link" ping_rec ping-n2 n2 -c1 -W5 "$IN4_1"
check "n1's own ping" ping_rec ping-n1 n1 -c1 -W5 "$IN4_2"
capture_stop first-v2
capture_stop first-v4
record endpoint-first.n1 n n1 wg show wg0 endpoints
record endpoint-first.n2 n n2 wg show wg0 endpoints

ip -n n1 link set v3 down
capture_start down-v2 n2 v2
check "n1's ping after its link went down" ping_rec ping-down n1 -c1 -W5 "$IN4_2"
capture_stop down-v2
record endpoint-down.n2 n n2 wg show wg0 endpoints
observe after n1 n2
finish
