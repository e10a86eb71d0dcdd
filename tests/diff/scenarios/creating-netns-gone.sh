#!/bin/bash
# kwg-diff: timeout=90
# A device outlives the namespace it was created in (its sockets were
# there): n1's wg0 is made in n1 and moved to n3, talks to n2, then n1 is
# deleted. What stays: the device's flags and routes (up, no carrier), its
# dump, which `wg set` still works (peers) and which does not (port,
# fwmark), what a ping through it does, its counters, and that once down
# it cannot come up again. A wg1 moved out while down shows the same
# without ever having been up.
. /kwg/diff/lib.sh

pair_links
netns_add n3
wg_dev n1 wg0 n1 1
wg_dev n1 wg1 n3 3
ip -n n1 link set wg0 netns n3
ip -n n1 link set wg1 netns n3
addr n3 wg0 "$IN4_1/24" "$IN6_1/64"
ip -n n3 link set wg0 up
wg_peer n3 wg0 n2 allowed-ips "$IN4_2/32,$IN6_2/128" endpoint "$(endpoint2 6)"
wg_dev n2 wg0 n2 2
addr n2 wg0 "$IN4_2/24" "$IN6_2/64"
ip -n n2 link set wg0 up
pair_peer2
check "ping through the moved device" ping_rec ping-before n3 -c1 -W5 "$IN4_2"
ip netns del n1
# orphaned: n1's teardown (asynchronous) has reached wg0.
orphaned() { [[ $(ip -n n3 -o link show wg0) == *NO-CARRIER* ]]; }
check "the device loses its carrier with its creating namespace" wait_until 20 orphaned
observe orphaned n3

record set-port n n3 wg set wg0 listen-port 5
record set-port-same n n3 wg set wg0 listen-port 1
record set-fwmark n n3 wg set wg0 fwmark 5
record set-key n n3 wg set wg0 private-key "$(key_file n4)"
record set-peer n n3 wg set wg0 peer "$(key_pub n5)" allowed-ips 10.5.0.0/16 endpoint 10.0.0.5:5
record set-peer-remove n n3 wg set wg0 peer "$(key_pub n5)" remove
record set-wg1-port n n3 wg set wg1 listen-port 6
record set-wg1-peer n n3 wg set wg1 peer "$(key_pub n2)" allowed-ips 10.6.0.0/16
record dump-set wg_dump n3
ping_rec ping-orphaned n3 -c1 -W2 "$IN4_2"
sleep 1
record stats-orphaned link_stats n3 wg0
record down ip -n n3 link set wg0 down
record set-port-down n n3 wg set wg0 listen-port 7
record up ip -n n3 link set wg0 up
record up-wg1 ip -n n3 link set wg1 up
observe down n3
record del ip -n n3 link del wg0
record del-wg1 ip -n n3 link del wg1
finish
