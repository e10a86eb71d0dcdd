#!/bin/bash
# kwg-diff: timeout=60
# The allowed-IPs source filter (IPv4 inside): n1 pings n2 from an extra
# address that n2 does not allow for n1. The data message crosses the wire
# and n2 drops its content as a receive error.
. /kwg/diff/lib.sh

pair 4
check "ping from the allowed address" ping_rec ping n1 -c1 -W5 "$IN4_2"
addr n1 wg0 192.168.241.5/24
check_fails "no answer to a source n2 does not allow" ping_wire spoofed n1 -c1 -W2 -I 192.168.241.5 "$IN4_2"
observe after n1 n2
finish
