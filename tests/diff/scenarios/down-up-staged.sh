#!/bin/bash
# kwg-diff: timeout=60
# Device down and up with staged packets and persistent keepalive: n1's
# peer n2 has persistent-keepalive 25 (none falls due in the scenario but
# the one sent when the peer is configured or the device comes up), but n2's address sits behind a
# blackhole route on n1, so no handshake can go out and three pings wait
# in the peer's queue. Then wg0 goes down, the blackhole goes away, and wg0
# comes up again: what is sent when (a handshake at once? the staged pings
# after it, or are they dropped?), and what the counters say at each
# stage (tx_dropped, tx_errors, transfer). n2 counts the echo requests it
# gets (Icmp.InEchos in its snapshot). The time column counts the seconds
# from the first packet on the wire.
. /kwg/diff/lib.sh

pair_links
pair_devices
ip -n n1 route add blackhole "$OUT4_2/32"
pair_peer1 endpoint "$(endpoint2 4)" persistent-keepalive 25
pair_peer2
capture_start link n2 v2
check_fails "no answer while n2 is unreachable" ping_rec ping-staged n1 -c3 -i 0.2 -W1 "$IN4_2"
record staged.n1.stats link_stats n1 wg0
record staged.n1.dump wg_dump n1
ip -n n1 link set wg0 down
record down.n1.stats link_stats n1 wg0
ip -n n1 route del blackhole "$OUT4_2/32"
ip -n n1 link set wg0 up
sleep 3
capture_stop link -t
observe up n1 n2
finish
