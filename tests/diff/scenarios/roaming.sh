#!/bin/bash
# kwg-diff: timeout=60
# Roaming: n1 moves to another address, then another port. n2's endpoint
# for n1 follows only an authenticated packet: forged messages from the new
# address (a data message and an initiation with wrong indices and MACs)
# leave it where it was.
. /kwg/diff/lib.sh

# forge NS SRC TYPE LEN: a UDP datagram to n2's port from SRC:7, a
# WireGuard message header of TYPE followed by zeros, LEN bytes in all.
# (ncat's stderr is its complaint about OpenSSL's legacy provider.)
forge() {
	{ printf '%b\0\0\0' "\\x0$3"; head -c $(($4 - 4)) /dev/zero; } |
		n "$1" ncat -u --send-only -s "$2" -p 7 "$OUT4_2" 2 2>/dev/null
}

pair 4
check "ping through the tunnel" ping_rec ping n1 -c1 -W5 "$IN4_2"
record endpoint-first n n2 wg show wg0 endpoints
ip -n n1 addr del "$OUT4_1/24" dev v1
addr n1 v1 10.0.0.3/24
capture_start link n2 v2
forge n1 10.0.0.3 4 32
forge n1 10.0.0.3 1 148
sleep 0.5
record endpoint-after-forged n n2 wg show wg0 endpoints
check "ping from the new address" ping_rec ping-moved n1 -c1 -W5 "$IN4_2"
record endpoint-moved n n2 wg show wg0 endpoints
n n1 wg set wg0 listen-port 11
check "ping from the new port" ping_rec ping-new-port n1 -c1 -W5 "$IN4_2"
record endpoint-new-port n n2 wg show wg0 endpoints
check "n2 reaches n1 where it is now" ping_rec ping-back n2 -c1 -W5 "$IN4_1"
capture_stop link
observe after n1 n2
finish
