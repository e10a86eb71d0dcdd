#!/bin/bash
# kwg-diff: timeout=60
# A peer without an endpoint (IPv4 inside): n1 has a second peer for
# 192.168.241.3 that has never been heard from; a ping to it gets ICMP
# destination unreachable and counts a transmit error.
. /kwg/diff/lib.sh

pair 4
wg_peer n1 wg0 n3 allowed-ips 192.168.241.3/32,fd01::3/128
check_fails "no answer from a peer without an endpoint" ping_wire ping n1 -c1 -W2 192.168.241.3
observe after n1
finish
