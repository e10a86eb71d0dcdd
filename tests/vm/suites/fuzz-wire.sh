#!/bin/bash
# kwg-vm: stock=yes timeout=600 debug_timeout=14400
# The wire fuzzer (tests/fuzz/vm/fuzz-wire.c) against b's listen port while
# the tunnel a-b carries pings: random, truncated, extended, bit-flipped and
# replayed versions of real messages of every type, captured from this
# tunnel, from spoofed sources in 10.99.0.0/16 and fd99::/64 (routed back
# through a, which does not forward them).
#
# Checks (every module): the tunnel keeps working throughout (ping loss
# and the longest run of lost pings bounded), b sends nothing to the
# spoofed sources but cookie replies, and the tunnel still works at the
# end. On our module, the per-reason drop counters (ethtool statistics)
# account for the fuzzed datagrams, the arithmetic being:
#
#   S  datagrams the fuzzer sent; F of them reached b's UDP input (nft
#      counter, saddr in the spoofed prefixes); S - F were lost in the
#      stack on the way (veth, backlog): they must be few.
#   No fuzzed datagram can be a valid message: the crypto does not open
#   for a mutated one, and an unchanged one is a replay (timestamp not
#   newer, counter already seen, cookie no longer awaited, or an index b
#   does not own, as the messages b sent itself carry a's indices). So
#   each of the F reaches one drop counter, once: D, the sum of all of
#   them, is at least F. Drops of legitimate packets (a's, counted by nft
#   as G) are possible too (a handshake of a's while b is loaded gets a
#   cookie reply, a full queue), so F <= D <= F + G.
#   Which datagrams fail on their type and length alone, the fuzzer knows
#   (expect.NAME: payload under 4 bytes, unknown type or reserved bytes
#   set, wrong length for the type); a's packets never do, so each of
#   these counters is at most its expectation, and equal to it but for
#   the S - F lost ones.
#   Every cookie reply b sends (nft, udp sport 2 with a type-3 payload) is
#   one handshake message dropped for want of a cookie: their number is
#   rx_drop_handshake_needs_cookie.
#
# KWG_FUZZ_WIRE_PACKETS (default: 1000000 on the UML debug kernel, else
# $default_n below, ~60-90 s on the stock 6.1 kernel under TCG),
# KWG_FUZZ_WIRE_SEED (default: random, printed).
. /kwg/lib.sh
. /kwg/common/veth-pair.sh

default_n=200000
# The UML debug kernel runs at the host's speed: the full size there.
[[ ${KWG_KERNEL:-} == uml ]] && default_n=1000000
N=${KWG_FUZZ_WIRE_PACKETS:-$default_n}
SEED=${KWG_FUZZ_WIRE_SEED:-$(( (RANDOM << 15 | RANDOM) + 1 ))}
FUZZ=/kwg/probes/fuzz-wire
echo "fuzz-wire: $N datagrams, seed $SEED (KWG_FUZZ_WIRE_SEED=$SEED to repeat)"

veth_wg_pair
n a ip link set lo up
n b ip link set lo up
n a ip addr add fd00::1/64 dev va nodad
n b ip addr add fd00::2/64 dev vb nodad
n b ip route add 10.99.0.0/16 via 10.0.0.1
n b ip -6 route add fd99::/64 via fd00::1
# Capture the tunnel's real messages: initiation, response, data,
# keepalives; then replayed initiations from spoofed sources load b, which
# answers them with cookie replies (to 10.99/16, through a's veth).
# stop PID SIGNAL: signal a background program (started with
# `ip netns exec`, which execs it: $! is the program) and wait for it.
stop() {
	kill "-$2" "$1"
	wait_until 10 bash -c "! kill -0 $1" || kill -KILL "$1"
	wait "$1"
}
ip netns exec a tcpdump -Z root -i va -n -s 2048 -U --immediate-mode -w /tmp/cap.pcap udp \
	>/dev/null 2>/tmp/tcpdump.err &
tcpdump_pid=$!
wait_until 10 grep -q "listening on" /tmp/tcpdump.err
# a keepalive a second when idle: the capture gets one
n a wg set wg0 peer "$pb" persistent-keepalive 1
check "tunnel up" n a ping -c 3 -i 0.3 -W 5 192.168.0.2
sleep 2
# b is loaded only while its handshake queue outgrows what it can work
# off; on a slow (debug) kernel the sender may be the slower one: bigger
# bursts, a few times, at the highest priority (on one CPU, as on UML, the
# worker would otherwise get the CPU as often as the sender and keep up).
# Our module's counters say what became of them.
cookies() { /kwg/probes/pcap-summary /tmp/cap.pcap | grep -c 'wg=cookie'; }
for round in 1 2 3 4; do
	n a nice -n -20 $FUZZ -r /tmp/cap.pcap -d 10.0.0.2 -p 2 -t init -m replay \
		-n $((2000 * round * round)) -s $round -N /run/netns/b -i wg0 -w 30 >/tmp/prime.out
	sleep 2	# b done with them (our module waits for its counters to settle)
	echo "prime $round:" $(grep -E '^(seconds|rate) |^counter\..* [1-9]' /tmp/prime.out)
	[[ $(cookies) -gt 0 ]] && break
done
stop $tcpdump_pid TERM
echo "capture:" $(/kwg/probes/pcap-summary /tmp/cap.pcap | grep -o 'wg=[a-z]*' | sort | uniq -c)
types=init,resp,cookie,data,keepalive
if [[ $(cookies) -eq 0 ]]; then
	skip "no cookie reply could be provoked (b never got loaded): not among the fuzzer's bases"
	types=init,resp,data,keepalive
fi

# Counters in b: what reaches the listen port (a's and the fuzzer's), and
# everything b sends (to a, to the spoofed sources, cookie replies).
n b nft -f - <<'EOF'
table inet fw {
	counter in_legit {}
	counter in_fuzz {}
	counter out_fuzz {}
	counter out_fuzz_cookie {}
	counter out_cookie {}
	counter out_all {}
	chain in {
		type filter hook input priority 0;
		udp dport 2 ip saddr 10.0.0.1 counter name in_legit
		udp dport 2 ip saddr 10.99.0.0/16 counter name in_fuzz
		udp dport 2 ip6 saddr fd99::/64 counter name in_fuzz
	}
	chain out {
		type filter hook output priority 0;
		counter name out_all
		udp sport 2 udp length 72 @th,64,32 0x03000000 counter name out_cookie
		ip daddr 10.99.0.0/16 udp sport 2 udp length 72 @th,64,32 0x03000000 counter name out_fuzz_cookie
		ip6 daddr fd99::/64 udp sport 2 udp length 72 @th,64,32 0x03000000 counter name out_fuzz_cookie
		ip daddr 10.99.0.0/16 counter name out_fuzz
		ip6 daddr fd99::/64 counter name out_fuzz
	}
}
EOF
nftc() { n b nft list counter inet fw "$1" | awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'; }

# b's IPv6 neighbour entry, lest the first datagrams wait for it (and drop).
n a ping -c 1 -W 5 fd00::2 >/dev/null
# Pings through the tunnel all along, 5 a second.
ip netns exec a ping -i 0.2 -W 2 192.168.0.2 >/tmp/ping.log 2>&1 &
ping_pid=$!
sleep 1
start=$SECONDS
if n a $FUZZ -r /tmp/cap.pcap -c va -d 10.0.0.2 -D fd00::2 -p 2 -n "$N" -s "$SEED" -t $types \
	-N /run/netns/b -i wg0 >/tmp/fuzz.out 2>/tmp/fuzz.err; then
	pass "fuzz-wire ran ($((SECONDS - start)) s)"
	fuzz_ok=1
else
	fail "fuzz-wire ran"
	sed 's/^/    | /' /tmp/fuzz.err
	fuzz_ok=0
fi
# Read at once: the fuzzer's last counter reading is that recent.
F=$(nftc in_fuzz) G=$(nftc in_legit)
out_fuzz=$(nftc out_fuzz) out_fuzz_cookie=$(nftc out_fuzz_cookie) out_cookie=$(nftc out_cookie)
sleep 1
stop $ping_pid INT	# ping prints its summary
sed 's/^/    fuzz: /' /tmp/fuzz.out
v() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' /tmp/fuzz.out; }

# The tunnel kept working: under 5% of the pings lost, none of them in a
# run longer than 5 s (25 in a row).
sent_pings=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' /tmp/ping.log)
got_pings=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' /tmp/ping.log)
gap=$(sed -n 's/.*icmp_seq=\([0-9]*\) .*/\1/p' /tmp/ping.log | sort -n -u |
	awk -v last="$sent_pings" 'BEGIN { p = 0; m = 0 } { if ($1 - p - 1 > m) m = $1 - p - 1; p = $1 }
		END { if (last - p > m) m = last - p; print m }')
echo "pings: $got_pings of $sent_pings answered, longest run lost $gap"
S=$(v sent)
check "pings through the tunnel during the fuzzing: under 5% lost" \
	test "${got_pings:-0}" -gt 0 -a $((100 * (sent_pings - got_pings))) -lt $((5 * sent_pings))
check "no run of more than 25 pings (5 s) lost" test "${gap:-999}" -le 25

echo "sent $S, reached b $F, lost on the way $((S - F)), legitimate to b $G"
echo "b sent to the spoofed sources $out_fuzz packets, $out_fuzz_cookie cookie replies; cookie replies in all $out_cookie"
check "at least 99% of the $N fuzzed datagrams were sent" test "$S" -ge $((N * 99 / 100))
check "at most 1% of them lost before b's UDP input" test $((100 * (S - F))) -le "$S"
check_eq "b sent nothing to the spoofed sources but cookie replies" "$out_fuzz_cookie" "$out_fuzz"

if [[ $fuzz_ok == 0 ]]; then
	skip "per-reason drop counters: the fuzzer did not run"
elif [[ $KWG_MODULE == stock ]] || grep -q '^counters none' /tmp/fuzz.out; then
	skip "per-reason drop counters: the $KWG_MODULE module has no ethtool statistics"
else
	D=$(v counters_sum)
	echo "drop counters: sum $D = reached $F + $((D - F)) (legitimate ones dropped, at most $G)"
	check "every fuzzed datagram that reached b is counted as dropped (D=$D >= F=$F)" test "$D" -ge "$F"
	check "no more drops counted than datagrams received (D=$D <= F+G=$((F + G)))" test "$D" -le $((F + G))
	short=0
	for r in shorter_than_header unknown_type init_bad_length resp_bad_length \
		cookie_bad_length data_too_short; do
		e=$(v "expect.rx_drop_$r") c=$(v "counter.rx_drop_$r")
		check "rx_drop_$r: $c, at most the $e the fuzzer sent" test "$c" -le "$e"
		short=$((short + e - c))
	done
	check "the length and type counters miss only datagrams lost on the way ($short <= $((S - F)))" \
		test "$short" -le $((S - F))
	check "some fuzzed datagrams passed the length checks and were refused further in" \
		test $((D - $(v expect.rx_drop_shorter_than_header) - $(v expect.rx_drop_unknown_type))) -gt 0
	check_eq "cookie replies sent = handshakes dropped for want of a cookie" \
		"$(v counter.rx_drop_handshake_needs_cookie)" "$out_cookie"
fi

check "the tunnel passes traffic after the fuzzing" n a ping -c 3 -i 0.3 -W 5 192.168.0.2
check "and in the other direction" n b ping -c 3 -i 0.3 -W 5 192.168.0.1
finish
