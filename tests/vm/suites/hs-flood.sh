#!/bin/bash
# kwg-vm: stock=yes long timeout=900
# Handshake flood (issue 11, "Load and faults"): initiations with a valid
# mac1 and random contents (/kwg/probes/hs-flood) from 4096 spoofed IPv4
# addresses or IPv6 /64s and random ports, at a WireGuard device in
# namespace t. The spoofed prefixes are routed back to the flooder's
# namespace f, where the cookie replies are counted and dropped. A
# legitimate peer (namespace l) and 48 devices behind one address
# (namespace m) each have their own veth to t, like f.
#
# 0. Control, no flood: the 48 devices behind one address start their
#    handshakes at once and all complete (reported: how many responses in
#    the densest second, i.e. what the guest answers with no limit).
# 1. Flat out (-r 0), IPv4 then IPv6: the device answers at least half
#    the flood with cookie replies; reported: the rate sent and received,
#    the cookie replies, what one spoofed source alone gets (cookie replies
#    are not limited per source, by stock either: the limit applies once
#    mac2 proved the source), and the legitimate peer's handshake time
#    from its first initiation on the wire. Flat out, the flooder can
#    outrun the device, whose handshake queue (4096) then drops
#    initiations before any check, the legitimate peer's among them: each
#    retry gets through with a probability of about answered/arrived, so
#    that time is reported, not asserted (stock took 4-13 s).
#    During the IPv4 flood the 48 devices behind one address start at once
#    (counted only if all 48 got a cookie reply, i.e. the device was under
#    load; else tried again): their initiations carrying mac2 and the
#    responses are captured on m's link; in no second are more than
#    burst 5 + 20/s (protocol.md section 4) + slack 5 answered, and at
#    least 10 are. (Checked only when the densest second offered more
#    than the bound even after the full queue's losses; else a SKIP.)
# 2. At half the rate the device answered in 1, IPv4 then IPv6: the queue
#    never fills, the device is under load (answers at least half of the
#    flood with cookie replies), and a legitimate peer completes a
#    handshake within 10 s of its first initiation on the wire (a cookie,
#    then mac2) and passes traffic.
# 3. Throughout: the peak of Slab and SUnreclaim over the baseline stays
#    under 64 MiB (reported, with the caches grown most at the peak).
#    After the floods all 48 complete and both tunnels pass traffic.
. /kwg/lib.sh
. /kwg/common/topo.sh

K=48			# devices behind one source address
MAXT=300		# cap on a flat-out flood (stopped when its tests end)
HALF=15			# seconds of each half-rate flood
RL_BOUND=30		# responses in any 1 s to one address: 5 + 20, slack 5
MEM_BOUND_KB=$((64 * 1024))
PROBE=/kwg/probes/hs-flood
D=/tmp/hsf
mkdir -p $D

now() { echo "${EPOCHREALTIME/./}"; }	# microseconds
ms() { echo $((($2 - $1) / 1000)); }

# ---- topology: f, l, m each on its own veth to t ----
netns_add t f l m
link() {	# link NS TDEV NSDEV i: 10.0.i.1, fd00:i::1 on t; .2, ::2 in NS
	ip link add "$2" netns t type veth peer name "$3" netns "$1"
	n t ip addr add "10.0.$4.1/24" dev "$2"
	n t ip addr add "fd00:$4::1/64" dev "$2" nodad
	n "$1" ip addr add "10.0.$4.2/24" dev "$3"
	n "$1" ip addr add "fd00:$4::2/64" dev "$3" nodad
	n t ip link set dev "$2" up
	n "$1" ip link set dev "$3" up
}
link f tf ef 1
link l tl el 2
link m tm em 3
# The spoofed prefixes lead back to f.
n t ip route add 10.200.0.0/16 via 10.0.1.2
n t ip route add 10.201.0.0/24 via 10.0.1.2
n t ip -6 route add fd00:200::/32 via fd00:1::2

# ---- the target and its peers ----
PT=$(key t)
n t ip link add wg0 type wireguard
n t wg set wg0 private-key "$TOPO_TMP/t.key" listen-port 51820 \
	peer "$(key l4)" allowed-ips 192.168.9.2/32 \
	peer "$(key l6)" allowed-ips fd09::2/128
n t ip addr add 192.168.9.1/24 dev wg0
n t ip addr add fd09::1/64 dev wg0 nodad
n t ip link set wg0 up
n l ip link add wg4 type wireguard
n l wg set wg4 private-key "$TOPO_TMP/l4.key" peer "$PT" allowed-ips 192.168.9.1/32 \
	endpoint 10.0.2.1:51820
n l ip addr add 192.168.9.2/24 dev wg4
n l ip link set wg4 up
n l ip link add wg6 type wireguard
n l wg set wg6 private-key "$TOPO_TMP/l6.key" peer "$PT" allowed-ips fd09::1/128 \
	endpoint '[fd00:2::1]:51820'
n l ip addr add fd09::2/64 dev wg6 nodad
n l ip link set wg6 up
# m's devices: configured but down; up, each sends a keepalive at once.
for i in $(seq 1 $K); do
	key "m$i" >/dev/null
	n m ip link add "wg$i" type wireguard
	n m wg set "wg$i" private-key "$TOPO_TMP/m$i.key" listen-port $((20000 + i)) \
		peer "$PT" endpoint 10.0.3.1:51820 persistent-keepalive 25
	echo "peer $(key "m$i")"
done | xargs ip netns exec t wg set wg0

# ---- counters ----
# t: flood initiations received; cookie replies sent, by link.
n t nft -f - <<'EOF'
table inet c {
	chain in {
		type filter hook input priority -10;
		iifname "tf" udp dport 51820 @th,64,32 0x01000000 meta nfproto ipv4 counter comment "init4"
		iifname "tf" udp dport 51820 @th,64,32 0x01000000 meta nfproto ipv6 counter comment "init6"
	}
	chain out {
		type filter hook output priority -10;
		udp sport 51820 @th,64,32 0x03000000 ip daddr 10.201.0.1 counter comment "single"
		oifname "tf" udp sport 51820 @th,64,32 0x03000000 meta nfproto ipv4 counter comment "cookie4"
		oifname "tf" udp sport 51820 @th,64,32 0x03000000 meta nfproto ipv6 counter comment "cookie6"
		oifname "tl" udp sport 51820 @th,64,32 0x03000000 meta nfproto ipv4 counter comment "cookie_l4"
		oifname "tl" udp sport 51820 @th,64,32 0x03000000 meta nfproto ipv6 counter comment "cookie_l6"
		oifname "tm" udp sport 51820 @th,64,32 0x03000000 counter comment "cookie_m"
	}
}
EOF
# f: cookie replies arriving for the spoofed sources, dropped there.
n f nft -f - <<'EOF'
table inet c {
	chain pre {
		type filter hook prerouting priority -10;
		udp sport 51820 @th,64,32 0x03000000 counter drop comment "back"
		udp sport 51820 drop
	}
}
EOF
cnt() { counted_pk "$1" inet c "$2"; }

# ---- helpers ----
# m_up / m_down: all K devices up (each starts a handshake within
# milliseconds of the others) or down (which drops their sessions), in
# one ip process.
m_up() { for i in $(seq 1 $K); do echo "link set dev wg$i up"; done | ip -n m -batch -; }
m_down() { for i in $(seq 1 $K); do echo "link set dev wg$i down"; done | ip -n m -batch -; }
# m_done: every device in m has a session.
m_done() { [[ $(n m wg show all latest-handshakes | awk '$3 != 0' | wc -l) == "$K" ]]; }

# resp_start NAME / resp_stop NAME: timestamps (seconds) of the handshake
# responses m receives meanwhile, one a line, in $D/NAME.
tcpdump_ready() { local l; read -r l <"$1" && [[ $l == *"listening on"* ]]; }
resp_start() {
	ip netns exec m tcpdump -Z root -i em -n -tt -l --immediate-mode \
		'udp src port 51820 and udp[8] = 2' >"$D/$1.txt" 2>"$D/$1.err" &
	echo $! >"$D/$1.pid"
	wait_until 10 tcpdump_ready "$D/$1.err"
}
resp_stop() {
	sleep 0.3
	kill -INT "$(cat "$D/$1.pid")"
	wait "$(cat "$D/$1.pid")" 2>/dev/null
	awk '{ print $1 }' "$D/$1.txt" >"$D/$1"
}
# maxwin FILE: the most timestamps in FILE within any 1 s, and how many.
maxwin() {
	sort -n "$1" | awk '
	{ t[NR] = $1 }
	END {
		m = 0; j = 1
		for (i = 1; i <= NR; i++) {
			while (t[i] - t[j] > 1.0) j++
			if (i - j + 1 > m) m = i - j + 1
		}
		print m, NR
	}'
}

# handshake_time NS DEV WIRE-DEV PING-ARGS...: pings through DEV (the
# first one starts a handshake) until DEV's handshake time moves, up to
# 40 s, capturing WIRE-DEV meanwhile. Prints "MS INITS COOKIES": the
# milliseconds from DEV's first initiation on the wire to the response,
# how many initiations it sent and cookie replies it got until then (MS is
# "none" without a response).
hs_newer() { [[ $(latest_handshake "$1" "$2") -gt $3 ]]; }
handshake_time() {
	local ns=$1 dev=$2 wdev=$3 p before
	shift 3
	before=$(latest_handshake "$ns" "$dev")
	ip netns exec "$ns" tcpdump -Z root -i "$wdev" -n -tt -l --immediate-mode \
		'udp port 51820' >"$D/hs.txt" 2>"$D/hs.err" &
	echo $! >"$D/hs.pid"
	wait_until 10 tcpdump_ready "$D/hs.err"
	# RESET="ARGS": replace the peer first (wg set DEV peer ARGS), for a
	# handshake from scratch whatever the device did before.
	if [[ -n ${RESET:-} ]]; then
		n "$ns" wg set "$dev" peer "${RESET%% *}" remove
		# shellcheck disable=SC2086
		n "$ns" wg set "$dev" peer $RESET
		before=0
	fi
	ip netns exec "$ns" ping -q -c 50 -i 1 -W 1 "$@" >/dev/null 2>&1 &
	p=$!
	wait_until 40 hs_newer "$ns" "$dev" "$before"
	kill $p 2>/dev/null
	wait $p 2>/dev/null
	sleep 0.3
	kill -INT "$(cat "$D/hs.pid")"
	wait "$(cat "$D/hs.pid")" 2>/dev/null
	# by message length: 148 initiation, 92 response, 64 cookie reply
	awk '/ > .*\.51820: UDP, length 148$/ { if (!t0) t0 = $1; i++ }
	     /\.51820 > .*UDP, length 64$/ { if (!r) c++ }
	     /\.51820 > .*UDP, length 92$/ { if (!r) r = $1 }
	     END { print (t0 && r) ? int((r - t0) * 1000) : "none", i + 0, c + 0 }' "$D/hs.txt"
}
le() { [[ $1 != none && $1 -le $2 ]]; }

# flood_ok FILE MIN: the probe ran and sent at least MIN datagrams.
flood_ok() { awk -v m="$2" '/^hs-flood: sent / { ok = $3 >= m } END { exit !ok }' "$1"; }
sent_rate() { awk '/^hs-flood: sent / { sub(/\/s,$/, "", $7); print int($7) }' "$1"; }

# ---- control: the burst from m without a flood ----
resp_start ctl
m_up
check "control (no flood): all $K devices behind one address complete their handshakes" \
	wait_until 30 m_done
resp_stop ctl
read -r ctl_max ctl_total <<<"$(maxwin $D/ctl)"
echo "# control, no flood: $K devices behind one address got $ctl_total responses, at most $ctl_max in 1 s"
m_down
sleep 1

# ---- memory sampler: "Slab SUnreclaim" in kB every 0.5 s ----
meminfo() { awk '/^Slab:/ { s = $2 } /^SUnreclaim:/ { u = $2 } END { print s, u }' /proc/meminfo; }
slabinfo() {	# NAME BYTES of every cache, if /proc/slabinfo exists
	[[ -r /proc/slabinfo ]] && awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo
}
sync
echo 3 >/proc/sys/vm/drop_caches
sleep 1
read -r base_slab base_unrecl <<<"$(meminfo)"
slabinfo >$D/slab.base
peak_kb=0
sampler() {
	while [[ ! -e $D/stop-sampler ]]; do
		meminfo >>$D/mem
		# the caches at the highest Slab so far
		read -r s _ < <(tail -n1 $D/mem)
		if [[ $s -gt $peak_kb ]]; then
			peak_kb=$s
			slabinfo >$D/slab.peak
		fi
		sleep 0.5
	done
}
sampler &
SAMPLER=$!

# rl_start / rl_stop: capture on m's link what the rate limit is about:
# initiations from m carrying a mac2 (bytes 132-135 of the message not
# zero; the chance that a real mac2 starts with four zero bytes is 2^-32)
# and the responses to m; leaves their timestamps in $D/rl.init and
# $D/rl.resp.
rl_start() {
	ip netns exec m tcpdump -Z root -i em -n -tt -l --immediate-mode \
		'(udp dst port 51820 and udp[8] = 1 and udp[140:4] != 0) or (udp src port 51820 and udp[8] = 2)' \
		>"$D/rl.txt" 2>"$D/rl.err" &
	echo $! >"$D/rl.pid"
	wait_until 10 tcpdump_ready "$D/rl.err"
}
rl_stop() {
	sleep 0.3
	kill -INT "$(cat "$D/rl.pid")"
	wait "$(cat "$D/rl.pid")" 2>/dev/null
	awk '/length 148$/ { print $1 }' "$D/rl.txt" >"$D/rl.init"
	awk '/length 92$/ { print $1 }' "$D/rl.txt" >"$D/rl.resp"
}

# ---- 1. flat out, IPv4 ----
c0=$(cnt t cookie4)
i0=$(cnt t init4)
t0=$(now)
ip netns exec f $PROBE -k "$PT" -d 10.0.1.1 -s 10.200.0.0/16 -n 4096 -r 0 -t $MAXT >$D/max4.out 2>&1 &
F=$!
sleep 3
read -r hs hsi hsc <<<"$(handshake_time l wg4 el 192.168.9.1)"
echo "# flat-out IPv4 flood: the legitimate peer's handshake took $hs ms from its first initiation ($hsi initiations, $hsc cookie replies until the response)"

# K devices behind one address start at once. The limit applies under
# load only: the burst counts if all K got a cookie reply for their first
# initiation (else the device was between two loads; try again).
for try in 1 2 3 4 5; do
	m0=$(cnt t cookie_m)
	ci0=$(cnt t cookie4)
	ii0=$(cnt t init4)
	rl_start
	m_up
	sleep 1
	[[ $(($(cnt t cookie_m) - m0)) -lt $K && $try -lt 5 ]] || break
	rl_stop
	echo "# the burst from m came between two loads ($(($(cnt t cookie_m) - m0)) cookie replies); again"
	m_down
	sleep 2
done
sleep 16
rl_stop
ci1=$(cnt t cookie4)
ii1=$(cnt t init4)
read -r rl_max rl_total <<<"$(maxwin $D/rl.resp)"
read -r off_max off_total <<<"$(maxwin $D/rl.init)"
# The flood's initiations the device had the time to answer: the share
# of the others (mac2 or not) that got past the full queue.
admit=$(((ci1 - ci0) * 100 / (ii1 - ii0 > 0 ? ii1 - ii0 : 1)))
echo "# $K devices behind one address, in 16 s of the flood: $(($(cnt t cookie_m) - m0)) cookie replies; $off_total initiations with mac2 sent, at most $off_max in 1 s; $rl_total responses, at most $rl_max in 1 s (control without a flood: $ctl_max); the device answered $admit% of the flood meanwhile"
if [[ $(cnt t cookie_m) -ge $((m0 + K)) && $((off_max * admit / 100)) -gt $((RL_BOUND + 5)) ]]; then
	check "flat-out IPv4 flood: handshakes from one address are rate-limited ($rl_max in 1 s <= $RL_BOUND)" \
		test "$rl_max" -le $RL_BOUND
	check "flat-out IPv4 flood: ... but served: at least two bursts of 5 in 16 s ($rl_total)" \
		test "$rl_total" -ge 10
else
	skip "flat-out IPv4 flood: rate limit per address not observable: no burst under load, or the full queue let too few through ($off_max x $admit%)"
fi

# one source alone, random ports, among the flood
s0=$(cnt t single)
ip netns exec f $PROBE -k "$PT" -d 10.0.1.1 -s 10.201.0.0/24 -n 1 -r 0 -t 5 >$D/single.out 2>&1
single=$(($(cnt t single) - s0))
kill -TERM $F
wait $F
t1=$(now)
c1=$(cnt t cookie4)
i1=$(cnt t init4)
dt=$(ms "$t0" "$t1")
echo "# $(cat $D/max4.out)"
echo "# received by t: $(((i1 - i0) * 1000 / dt))/s; cookie replies to the spoofed sources: $((c1 - c0)), $(((c1 - c0) * 1000 / dt))/s (arrived back at f: $(cnt f back))"
echo "# one spoofed source alone among it: $(cat $D/single.out); it got $single cookie replies"
load_check "flat-out IPv4 flood: the flooder sent at least 10000 initiations" flood_ok $D/max4.out 10000
load_check "flat-out IPv4 flood: the device answered at least half the flood with cookie replies" \
	test $((c1 - c0)) -ge $(((i1 - i0) / 2))
COOKIE_RATE=$(((c1 - c0) * 1000 / dt))

# ---- 1. flat out, IPv6 ----
c0=$(cnt t cookie6)
i0=$(cnt t init6)
t0=$(now)
ip netns exec f $PROBE -k "$PT" -d fd00:1::1 -s fd00:200::/32 -n 4096 -r 0 -t $MAXT >$D/max6.out 2>&1 &
F=$!
sleep 3
read -r hs hsi hsc <<<"$(handshake_time l wg6 el fd09::1)"
echo "# flat-out IPv6 flood: the legitimate peer's handshake took $hs ms from its first initiation ($hsi initiations, $hsc cookie replies until the response)"
sleep 5
kill -TERM $F
wait $F
t1=$(now)
c1=$(cnt t cookie6)
i1=$(cnt t init6)
dt=$(ms "$t0" "$t1")
echo "# $(cat $D/max6.out)"
echo "# received by t: $(((i1 - i0) * 1000 / dt))/s; cookie replies to the spoofed sources: $((c1 - c0)), $(((c1 - c0) * 1000 / dt))/s"
load_check "flat-out IPv6 flood: the flooder sent at least 5000 initiations" flood_ok $D/max6.out 5000
load_check "flat-out IPv6 flood: the device answered at least half the flood with cookie replies" \
	test $((c1 - c0)) -ge $(((i1 - i0) / 2))

# ---- 2. half the rate the device answered ----
# Below the device's capacity the handshake queue never fills, so a
# legitimate initiation is never dropped unseen: the peer's handshake
# completes within two attempts (a cookie, then mac2), i.e. in ~5.3 s.
RATE=$((COOKIE_RATE / 2))
[[ $RATE -ge 300 ]] || RATE=300
echo "# half-rate floods: $RATE initiations/s"
for fam in 4 6; do
	if [[ $fam == 4 ]]; then
		dst=10.0.1.1 pfx=10.200.0.0/16 inner=192.168.9.1
		reset="$PT allowed-ips 192.168.9.1/32 endpoint 10.0.2.1:51820"
	else
		dst=fd00:1::1 pfx=fd00:200::/32 inner=fd09::1
		reset="$PT allowed-ips fd09::1/128 endpoint [fd00:2::1]:51820"
	fi
	c0=$(cnt t "cookie$fam")
	i0=$(cnt t "init$fam")
	ip netns exec f $PROBE -k "$PT" -d $dst -s $pfx -n 4096 -r $RATE -t $HALF >$D/half$fam.out 2>&1 &
	F=$!
	sleep 3
	read -r hs hsi hsc <<<"$(RESET=$reset handshake_time l "wg$fam" el "$inner")"
	[[ $hs != none ]] || { n l wg show "wg$fam"; head -n 20 "$D/hs.txt" "$D/hs.err"; } | sed 's/^/#   /'
	echo "# half-rate IPv$fam flood: the legitimate peer's handshake took $hs ms from its first initiation ($hsi initiations, $hsc cookie replies until the response)"
	# A debug kernel (lib.sh) gets KWG_SLOW times as long.
	check "half-rate IPv$fam flood: the legitimate peer completes a handshake within $((10 * KWG_SLOW)) s of its first initiation ($hs ms)" \
		le "$hs" $((10000 * KWG_SLOW))
	check "half-rate IPv$fam flood: the legitimate peer passes traffic" ping_ok l "$inner"
	wait $F
	c1=$(cnt t "cookie$fam")
	i1=$(cnt t "init$fam")
	echo "# $(cat $D/half$fam.out)"
	echo "# received by t: $((i1 - i0)); cookie replies to the spoofed sources: $((c1 - c0)) ($(((c1 - c0) * 100 / (i1 - i0 > 0 ? i1 - i0 : 1)))%)"
	load_check "half-rate IPv$fam flood: the flooder sent its initiations" \
		flood_ok $D/half$fam.out $((RATE * HALF * 8 / 10))
	load_check "half-rate IPv$fam flood: the device answered at least half the flood with cookie replies" \
		test $((c1 - c0)) -ge $(((i1 - i0) / 2))
done

# ---- 3. memory ----
touch $D/stop-sampler
wait $SAMPLER
read -r peak_slab peak_unrecl <<<"$(awk '$1 > s { s = $1 } $2 > u { u = $2 } END { print s + 0, u + 0 }' $D/mem)"
echo "# Slab: baseline $base_slab kB, peak $peak_slab kB (+$((peak_slab - base_slab)) kB); SUnreclaim: baseline $base_unrecl kB, peak $peak_unrecl kB (+$((peak_unrecl - base_unrecl)) kB); $(wc -l <$D/mem) samples"
if [[ -s $D/slab.base && -s $D/slab.peak ]]; then
	echo "# caches grown most at the peak (kB):"
	awk 'NR == FNR { b[$1] = $2; next } { d = ($2 - b[$1]) / 1024; if (d > 0) print int(d), $1 }' \
		$D/slab.base $D/slab.peak | sort -rn | head -n 5 | sed 's/^/#   /'
fi
if debug_kernel; then
	skip "kernel slab stays within 64 MiB of the baseline during the floods (debug kernel: allocator debugging inflates objects; +$((peak_slab - base_slab)) kB measured)"
	skip "unreclaimable slab stays within 64 MiB of the baseline during the floods (debug kernel: allocator debugging inflates objects; +$((peak_unrecl - base_unrecl)) kB measured)"
else
	check "kernel slab stays within 64 MiB of the baseline during the floods" \
		test $((peak_slab - base_slab)) -lt $MEM_BOUND_KB
	check "unreclaimable slab stays within 64 MiB of the baseline during the floods" \
		test $((peak_unrecl - base_unrecl)) -lt $MEM_BOUND_KB
fi

# ---- after the floods ----
check "after the floods all $K devices behind one address complete their handshakes" \
	wait_until 40 m_done
check "after the floods the IPv4 tunnel works" ping_ok l 192.168.9.1
check "after the floods the IPv6 tunnel works" ping_ok l fd09::1
finish
