#!/bin/bash
# kwg-diff: timeout=60
# The basic exchange over outer IPv4: n1 pings n2 through the tunnel, which
# makes the handshake on demand, and n2 pings back. Shows the packets on
# the veth (types, lengths, TTL, DSCP/ECN, DF), the devices' counters and
# the dumps before and after.
. /kwg/diff/lib.sh

pair 4
observe before n1 n2
check "ping through the tunnel" ping_wire ping n1 -c1 -W5 "$IN4_2"
check "ping back" ping_wire ping-back n2 -c1 -W5 "$IN4_1"
observe after n1 n2
finish
