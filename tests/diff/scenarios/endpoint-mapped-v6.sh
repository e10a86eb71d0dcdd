#!/bin/bash
# kwg-diff: timeout=60
# An endpoint given as an IPv4-mapped IPv6 address, [::ffff:10.0.0.2]:2:
# how the dump shows it, and which family the packets use on the wire.
. /kwg/diff/lib.sh

pair_links
pair_devices
pair_peer1 endpoint "[::ffff:$OUT4_2]:2"
pair_peer2
record dump-set wg_dump n1 wg0
ping_wire ping n1 -c1 -W3 "$IN4_2"
observe after n1 n2
finish
