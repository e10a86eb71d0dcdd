#!/bin/bash
# kwg-diff: timeout=60
# How allowed IPs are stored and shown: host bits set in a prefix, a
# prefix inside another one, IPv4-mapped IPv6, /0 of both families, the
# order the dump lists them in, and the same given twice.
. /kwg/diff/lib.sh

netns_add n1
wg_dev n1 wg0 n1 1
record set-n2 wg_peer n1 wg0 n2 allowed-ips 10.1.2.3/8,10.1.0.0/16,192.168.1.1/32,192.168.1.1/32
record set-n3 wg_peer n1 wg0 n3 allowed-ips fd00::1:2:3/48,::ffff:1.2.3.4/128,fd00:0:0:1::/64,0.0.0.0/0,::/0
record dump wg_dump n1 wg0
record allowed-ips n n1 wg show wg0 allowed-ips
finish
