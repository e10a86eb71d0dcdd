#!/bin/bash
# kwg-diff: timeout=60
# Replayed and reordered data messages. n1 pings n2 three times while n2's
# link is captured; then two more pings whose data messages n2 captures
# but drops before they reach its socket (an ingress filter). Those
# captured datagrams are then sent to n2 again from n1's namespace with a
# raw socket (/kwg/probes/raw-send), byte for byte but for the UDP
# checksum (which the capture holds unfinished):
#   replay   the first ping's data message again, from 10.0.0.3:7: a
#            duplicate, to be dropped, and the endpoint must stay put;
#   reorder  the two held-back messages, the later one first: both inside
#            the replay window, both delivered;
#   again    the later one once more: a duplicate, dropped.
# After each step: n2's device counters (ip -s -s link), its transfer
# counters and endpoint, and how many echo requests reached it through the
# tunnel (an nft counter on wg0's input). The wire shows what was sent to
# n2 and what it sent back.
. /kwg/diff/lib.sh

# data_hex NAME: each of n1's data messages in NAME.pcap, one datagram per
# line in hex (IP header first), in capture order.
data_hex() {
	tcpdump -Z root -r "$DIFF_OUT/$1.pcap" -nn -x \
		"src host $OUT4_1 and udp dst port 2 and udp[8] = 4 and udp[4:2] > 40" 2>/dev/null |
		awk '/^[ \t]+0x/ { for (i = 2; i <= NF; i++) h = h $i; next }
		     { if (h != "") print h; h = "" } END { if (h != "") print h }'
}
# echoes: echo requests from n1 that reached n2 through the tunnel.
echoes() { n n2 nft list chain inet t in | sed -n 's/.* packets \([0-9]*\) bytes.*/\1/p'; }
# state STEP: n2's counters after STEP.
state() {
	record "$1.n2.stats" link_stats n2 wg0
	record "$1.n2.transfer" n n2 wg show wg0 transfer
	record "$1.n2.endpoint" n n2 wg show wg0 endpoints
	note "$1.n2.echoes" "$(echoes)"
}

pair 4
n n2 nft add table inet t
n n2 nft add chain inet t in '{ type filter hook input priority 0; }'
n n2 nft add rule inet t in iifname wg0 icmp type echo-request counter
# The replay from 10.0.0.3 must pass reverse-path filtering.
n n2 sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.v2.rp_filter=0

capture_start sent n2 v2
check "three pings through the tunnel" ping_rec ping n1 -c3 -i 0.2 -W5 "$IN4_2"
capture_stop sent
state ping

# Hold back n1's next two data messages: captured on v2, dropped after.
n n2 nft add table netdev h
n n2 nft add chain netdev h in '{ type filter hook ingress device v2 priority 0; }'
n n2 nft add rule netdev h in ip saddr "$OUT4_1" udp dport 2 drop
capture_start held n2 v2 udp
check_fails "two pings held back" ping_rec ping-held n1 -c2 -i 0.2 -W1 "$IN4_2"
capture_stop held
n n2 nft delete table netdev h
state held

mapfile -t sent < <(data_hex sent)
mapfile -t held < <(data_hex held)
check_eq "three data messages sent, two held back" "3 2" "${#sent[@]} ${#held[@]}"

capture_start replayed n2 v2
check "replay the first data message from elsewhere" n n1 "$DIFF_PROBES/raw-send" -s 10.0.0.3 -p 7 "${sent[0]}"
sleep 0.5
state replay
check_eq "the duplicate is not delivered" 3 "$(echoes)"
check_eq "the duplicate does not move the endpoint" "10.0.0.1:1" "$(n n2 wg show wg0 endpoints | cut -f2)"
check "send the held-back messages, the later one first" n n1 "$DIFF_PROBES/raw-send" "${held[1]}" "${held[0]}"
sleep 0.5
state reorder
check_eq "both reordered messages are delivered" 5 "$(echoes)"
check "send the later one again" n n1 "$DIFF_PROBES/raw-send" "${held[1]}"
sleep 0.5
state again
check_eq "the second duplicate is not delivered" 5 "$(echoes)"
# n1 got n2's answers and sent nothing since: its device goes down before
# the passive keepalive is due (10 s), so that the snapshot does not race it.
ip -n n1 link set wg0 down
# n2's answer to the later held-back message can pass n1's earlier one on
# the link, either way on either module: after the replay from elsewhere,
# the wire is compared as a set (the echo counts above say what arrived).
replayed() { sort_runs '^ip4 10\.0\.0\.(1|2):'; }
DIFF_FILTER=replayed capture_stop replayed
observe after n1 n2
finish
