#!/bin/bash
# kwg-diff: timeout=60
# Junk to the listen port: UDP datagrams that are no valid WireGuard
# message, sent to n2's port from n1 (10.0.0.1:7): a single byte; each
# message type 1 to 4 with a zero body at its exact length and one byte
# short and long; types 0 and 5; a data message with an unknown receiver
# index. After each, n2's device counters (ip -s -s link: rx errors and
# drops); nothing may be sent back (the wire). Last, the tunnel must still
# work.
. /kwg/diff/lib.sh

# hex_ip ADDR: an IPv4 address in hex.
# shellcheck disable=SC2086 # split at the dots
hex_ip() { local IFS=.; set -- $1; printf '%02x%02x%02x%02x' "$@"; }
# zeros N: N zero bytes in hex.
zeros() { local z; printf -v z '%*s' $((2 * $1)) ''; echo "${z// /0}"; }

# junk NAME TYPE LEN [INDEX]: a datagram of LEN bytes from 10.0.0.1:7 to
# n2's port, sent with /kwg/probes/raw-send (an IPv4 header and a UDP header
# made here; it computes the checksum in place of ffff): a message header
# of TYPE (a byte, then three zeros), the 4-byte index field after it
# (sender's or receiver's, by type) as INDEX (hex bytes in wire order,
# default zeros), zeros after; LEN 1 is the type byte alone. n2's counters
# afterwards are recorded as NAME.
junk() {
	local name=$1 type=$2 len=$3 index=${4:-00000000} msg ip
	if [[ $len -ge 8 ]]; then
		msg=${type}000000$index$(zeros $((len - 8)))
	else
		msg=$type$(zeros $((len - 1)))
	fi
	ip=$(printf '4500%04x0000000040110000%s%s%04x%04x%04xffff' $((28 + len)) \
		"$(hex_ip "$OUT4_1")" "$(hex_ip "$OUT4_2")" 7 2 $((8 + len)))$msg
	n n1 "$DIFF_PROBES/raw-send" "$ip"
	sleep 0.3
	record "$name" link_stats n2 wg0
}

pair 4
capture_start link n2 v2
junk one-byte 01 1
junk init 01 148
junk init-short 01 147
junk init-long 01 149
junk resp 02 92
junk resp-short 02 91
junk resp-long 02 93
junk cookie 03 64
junk cookie-short 03 63
junk cookie-long 03 65
junk data 04 32
junk data-short 04 31
junk data-long 04 33
junk type-0 00 32
junk type-5 05 32
junk data-unknown-index 04 64 efbeadde
capture_stop link
check_fails "nothing sent back" grep -q '^ip4 10\.0\.0\.2' "$DIFF_FILE"
check "the tunnel still works" ping_rec ping n1 -c1 -W5 "$IN4_2"
observe after n1 n2
finish
