#!/bin/bash
# kwg-diff: timeout=60
# The remembered source address when it is removed: n1 has 10.0.0.1 and
# 10.0.0.3 on v1; n2 reaches it at 10.0.0.3 (its peer's endpoint), so n1
# answers from 10.0.0.3 and keeps that source for its own packets. Then
# 10.0.0.3 is removed (10.0.0.1 remains): which source does n1's next
# packet use, and where does n2's endpoint for n1 go?
. /kwg/diff/lib.sh

pair_links
addr n1 v1 10.0.0.3/24
pair_devices
# n1 only answers: its peer n2 has no endpoint; n2's peer n1 is at .3.
pair_peer1
pair_peer2 endpoint 10.0.0.3:1
capture_start first n2 v2
check "n2 reaches n1 at its second address" ping_rec ping-n2 n2 -c1 -W5 "$IN4_1"
check "n1's own ping" ping_rec ping-n1 n1 -c1 -W5 "$IN4_2"
capture_stop first
record endpoint-first.n1 n n1 wg show wg0 endpoints
record endpoint-first.n2 n n2 wg show wg0 endpoints

ip -n n1 addr del 10.0.0.3/24 dev v1
capture_start removed n2 v2
check "n1's ping after the address is gone" ping_rec ping-removed n1 -c1 -W5 "$IN4_2"
capture_stop removed
record endpoint-removed.n2 n n2 wg show wg0 endpoints
observe after n1 n2
finish
