#!/bin/bash
# kwg-diff: timeout=60
# An endpoint with an IPv6 link-local address and its scope: n1's peer n2
# has endpoint [fe80::2%v1]:2 (the veth's ends have fixed link-local
# addresses fe80::1 and fe80::2 and nothing else). n1 pings n2 and n2 pings
# back over the endpoint it learnt; what both dumps show for the endpoints.
# Then the other way round: n2 initiates to [fe80::1%v2]:1 after n1's peer
# and n2's were removed and added anew. Last, an endpoint fe80::2 without a
# scope: what the dump shows and whether a ping gets through.
. /kwg/diff/lib.sh

netns_add n1 n2
veth n1 v1 n2 v2
addr n1 v1 fe80::1/64
addr n2 v2 fe80::2/64
pair_devices
pair_peer1 endpoint "[fe80::2%v1]:2"
pair_peer2
record endpoint-set.n1 n n1 wg show wg0 endpoints
check "ping to a link-local endpoint" ping_wire ping n1 -c1 -W5 "$IN4_2"
record endpoint-learnt.n2 n n2 wg show wg0 endpoints
check "ping back to the learnt endpoint" ping_wire ping-back n2 -c1 -W5 "$IN4_1"

wg_peer n1 wg0 n2 remove
wg_peer n2 wg0 n1 remove
pair_peer1
pair_peer2 endpoint "[fe80::1%v2]:1"
record endpoint-set.n2 n n2 wg show wg0 endpoints
check "ping from n2 to a link-local endpoint" ping_wire ping-n2 n2 -c1 -W5 "$IN4_1"
record endpoint-learnt.n1 n n1 wg show wg0 endpoints

wg_peer n1 wg0 n2 remove
record set-no-scope wg_peer n1 wg0 n2 allowed-ips "$IN4_2/32" endpoint "[fe80::2]:2"
record endpoint-no-scope n n1 wg show wg0 endpoints
ping_wire ping-no-scope n1 -c1 -W2 "$IN4_2"
observe after n1 n2
finish
