#!/bin/bash
# kwg-diff: timeout=60
# No peer for the destination (IPv6 inside): ICMPv6 destination unreachable
# to the pinger, a transmit error, nothing on the wire.
. /kwg/diff/lib.sh

pair 4
check_fails "no answer from an address no peer has" ping_wire ping n1 -c1 -W2 fd01::9
observe after n1
finish
