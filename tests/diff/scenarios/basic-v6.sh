#!/bin/bash
# kwg-diff: timeout=60
# The basic exchange over outer IPv6, IPv6 inside: n1 pings n2 through the
# tunnel (handshake on demand), n2 pings back. Shows the packets on the
# veth (hop limit, traffic class, flow label, lengths), the counters and
# the dumps.
. /kwg/diff/lib.sh

pair 6
check "ping6 through the tunnel" ping_wire ping n1 -c1 -W5 "$IN6_2"
check "ping6 back" ping_wire ping-back n2 -c1 -W5 "$IN6_1"
observe after n1 n2
finish
