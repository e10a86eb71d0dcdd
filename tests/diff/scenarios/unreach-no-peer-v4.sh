#!/bin/bash
# kwg-diff: timeout=60
# No peer for the destination (IPv4 inside): the pinger gets an ICMP
# destination unreachable from its own device, which counts a transmit
# error; nothing goes on the wire.
. /kwg/diff/lib.sh

pair 4
check_fails "no answer from an address no peer has" ping_wire ping n1 -c1 -W2 192.168.241.9
observe after n1
finish
