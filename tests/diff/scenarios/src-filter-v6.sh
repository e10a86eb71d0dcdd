#!/bin/bash
# kwg-diff: timeout=60
# The allowed-IPs source filter (IPv6 inside): n1 pings n2 from an extra
# address that n2 does not allow for n1: a receive error on n2.
. /kwg/diff/lib.sh

pair 4
check "ping6 from the allowed address" ping_rec ping n1 -c1 -W5 "$IN6_2"
addr n1 wg0 fd01::5/64
check_fails "no answer to a source n2 does not allow" ping_wire spoofed n1 -c1 -W2 -I fd01::5 "$IN6_2"
observe after n1 n2
finish
