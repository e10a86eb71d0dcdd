#!/bin/bash
# kwg-diff: timeout=60
# The outer TTL and hop limit follow the sending namespace's defaults
# (net.ipv4.ip_default_ttl 33 and the veth's IPv6 hop_limit 44 in n1),
# not the inner packet's.
. /kwg/diff/lib.sh

pair 4
n n1 sysctl -qw net.ipv4.ip_default_ttl=33 net.ipv6.conf.v1.hop_limit=44
capture_start link n2 v2
check "ping over outer IPv4" ping_rec ping4 n1 -c1 -W5 -t 7 "$IN4_2"
pair_peer1 endpoint "$(endpoint2 6)"
check "ping over outer IPv6" ping_rec ping6 n1 -c1 -W5 -t 7 "$IN4_2"
capture_stop link
finish
