#!/bin/bash
# kwg-diff: timeout=60
# Taking the initiator's device down and up with a session established:
# does the next packet need a new handshake, and what do the dumps say in
# between?
. /kwg/diff/lib.sh

pair 4
check "ping through the tunnel" ping_rec ping n1 -c1 -W5 "$IN4_2"
ip -n n1 link set wg0 down
record down.n1.dump wg_dump n1
check_fails "no ping while down" ping_rec ping-down n1 -c1 -W1 "$IN4_2"
ip -n n1 link set wg0 up
check "ping after up" ping_wire ping-up n1 -c1 -W5 "$IN4_2"
observe after n1 n2
finish
