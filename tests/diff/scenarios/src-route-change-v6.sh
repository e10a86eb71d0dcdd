#!/bin/bash
# kwg-diff: timeout=60 check
# The source address after a route change (outer IPv6): n1 reaches n2 over
# v1 from fd00::1; a better route over v3 with source fd00::3 appears. n2's
# endpoint for n1 should become [fd00::3]:1. Captures both of n2's links.
. /kwg/diff/lib.sh

two_paths 6
# Stock applies this rule to IPv4 only and keeps sending from fd00::1 over
# the new path; issue 10 asks for the same rule in IPv6, so ours answers
# from the new route's own source and n2's endpoint for n1 moves.
reason="IPv6 source after a route change: ours takes the new route's source (issue 10), stock keeps the old one on the new path"
allow_diff '^(first|second)\.wire\| ' "$reason"
allow_diff '^endpoint-second\| ' "$reason"
allow_diff '^after\.n2\.dump\| wg0	[^	]+	\(none\)	\[fd00::[13]\]:1	' "$reason"
check "ping over the first path" ping_rec ping-first n1 -c1 -W5 "$IN4_2"
record endpoint-first n n2 wg show wg0 endpoints
capture_start first n2 v2
capture_start second n2 v4
ip -n n1 route add fd00::/64 dev v3 src fd00::3 metric 1
check "ping after the route change" ping_rec ping-second n1 -c1 -W5 "$IN4_2"
capture_stop first
capture_stop second
record endpoint-second n n2 wg show wg0 endpoints
# What the declared difference must be on ours (checks are not compared).
if [[ $DIFF_MODULE == ours ]]; then
	check_eq "ours: n2's endpoint for n1 follows the new route's source" \
		"[fd00::3]:1" "$(n n2 wg show wg0 endpoints | cut -f2)"
fi
observe after n1 n2
finish
