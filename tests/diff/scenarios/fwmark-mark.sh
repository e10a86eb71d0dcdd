#!/bin/bash
# kwg-diff: timeout=60
# fwmark on the outer packets: with fwmark 0x51 on n1's device, every
# packet its socket sends carries the mark (an nft rule on n1's output
# hook counts marked and all datagrams to n2's port), the dump shows it,
# and fwmark 0 takes it off again.
. /kwg/diff/lib.sh

# counters: n1's nft counters, "comment packets bytes" per rule.
counters() {
	n n1 nft list table inet t | awk '/comment/ {
		for (i = 1; i < NF; i++) { if ($i == "packets") p = $(i + 1); if ($i == "bytes") b = $(i + 1) }
		print $NF, p, b }'
}

pair 4
n n1 nft -f - <<'NFT'
table inet t {
	chain out {
		type filter hook output priority 0;
		udp dport 2 meta mark 0x51 counter comment "marked"
		udp dport 2 counter comment "all"
	}
}
NFT
n n1 wg set wg0 fwmark 0x51
check "ping through the tunnel with a fwmark" ping_wire ping n1 -c1 -W5 "$IN4_2"
record counters-marked counters
# shellcheck disable=SC2016 # awk's fields
check "every datagram to n2 carries the mark" \
	awk '{ p[$1] = $2 } END { exit !(p["\"all\""] > 0 && p["\"all\""] == p["\"marked\""]) }' "$DIFF_FILE"
record dump-marked wg_dump n1 wg0
n n1 wg set wg0 fwmark 0
check "ping without the fwmark" ping_rec ping-unmarked n1 -c1 -W5 "$IN4_2"
record counters-unmarked counters
observe after n1
finish
