#!/bin/bash
# kwg-diff: timeout=60
# A peer without an endpoint (IPv6 inside): ICMPv6 destination unreachable
# to the pinger and a transmit error.
. /kwg/diff/lib.sh

pair 4
wg_peer n1 wg0 n3 allowed-ips 192.168.241.3/32,fd01::3/128
check_fails "no answer from a peer without an endpoint" ping_wire ping n1 -c1 -W2 fd01::3
observe after n1
finish
