#!/bin/bash
# kwg-vm: stock=yes timeout=300
# The timers of protocol.md section 5, seen from the outside through the
# bytes each side sends: handshake retransmission every 5 s, the passive
# keepalive 10 s after receiving data, a new handshake 15 s after sending
# data that got no answer.
. /kwg/lib.sh
. /kwg/common/veth-pair.sh

veth_wg_pair
tx() { n "$1" wg show wg0 transfer | cut -f3; }
rx() { n "$1" wg show wg0 transfer | cut -f2; }

# On a debug kernel (lib.sh) the sleeps below overrun by seconds and the
# timers fire late, so counts at fixed sleeps mean nothing. There each
# event is timed instead: polled, it is known to lie in a window "LO HI"
# (ms: after the start of the last read that missed it, before the end of
# the read that saw it), and two events must not be provably closer than
# the protocol's interval (timers never fire early) nor provably further
# apart than KWG_SLOW times it (late timers).
# events FIELD NS BASE STEP N SECONDS LO: poll NS's wg0 tx or rx bytes
# until they grew by N*STEP from BASE (at most SECONDS); one window per
# event, the first starting at LO. A growth that is no multiple of STEP is
# printed as "bad BYTES" and ends the list. The poller runs in the
# namespace on shell builtins alone (no fork per read), so that a window is
# about 0.1 s wide even on a slow guest.
debug_kernel && mkfifo /tmp/events.fifo
EVENTS='f=/sys/class/net/wg0/statistics/${1}_bytes base=$2 step=$3 want=$4 lo=$6 seen=0
exec 9<>/tmp/events.fifo
t=${EPOCHREALTIME/./}; deadline=$((10#${t:0:-3} + $5 * 1000))
while ((seen < want)); do
	t=${EPOCHREALTIME/./}; read -r v <"$f"; u=${EPOCHREALTIME/./}
	s=$((10#${t:0:-3})) e=$((10#${u:0:-3}))
	(( (v - base) % step == 0 )) || { echo "bad $((v - base))"; exit; }
	k=$(((v - base) / step))
	while ((seen < k && seen < want)); do
		echo "$lo $e"; seen=$((seen + 1))
	done
	lo=$s
	((e < deadline)) || exit
	read -r -t 0.1 -u 9 _
done'
events() { n "$2" bash -c "$EVENTS" events "$1" "${@:3}"; }
# spacing DESCRIPTION WINDOW1 WINDOW2 MIN MAX (ms)
spacing() {
	local l1 h1 l2 h2
	read -r l1 h1 <<<"$2"; read -r l2 h2 <<<"$3"
	if [[ -n $h1 && -n $h2 && $l1 != bad && $l2 != bad ]] && ((h2 - l1 >= $4 && l2 - h1 <= $5)); then
		pass "$1 ($((l2 - h1))..$((h2 - l1)) ms apart)"
	else
		fail "$1"
		echo "    | windows [$2] [$3]: wanted $4..$5 ms apart"
	fi
}

# Retransmission: b drops everything, a's initiation is repeated every 5 s.
n b nft add table inet t
n b nft add chain inet t in '{ type filter hook input priority 0; }'
n b nft add rule inet t in udp dport 2 drop
if debug_kernel; then
	# The poller starts first: the ping and the reads after it take seconds.
	events tx a 0 148 3 $((16 * KWG_SLOW + 10)) "$(now_ms)" >/tmp/ev.retx &
	evp=$!
	n a ping -c1 -W1 192.168.0.2 >/dev/null 2>&1
	check "one initiation at once" test "$(tx a)" -ge 148
	wait $evp
	mapfile -t ev </tmp/ev.retx
	check_eq "three initiations (debug kernel: timed, not counted at fixed sleeps)" 3 "$(grep -c '^[0-9]' /tmp/ev.retx)"
	spacing "a second 5 s later (at most $((5 * KWG_SLOW)) s: debug kernel)" "${ev[0]}" "${ev[1]}" 5000 $((5334 * KWG_SLOW))
	spacing "a third 5 s after that (at most $((5 * KWG_SLOW)) s: debug kernel)" "${ev[1]}" "${ev[2]}" 5000 $((5334 * KWG_SLOW))
else
	n a ping -c1 -W1 192.168.0.2 >/dev/null 2>&1
	sleep 0.5
	check_eq "one initiation at once" 148 "$(tx a)"
	sleep 5.5
	check_eq "a second 5 s later" 296 "$(tx a)"
	sleep 5.3
	check_eq "a third 5 s after that" 444 "$(tx a)"
fi
n b nft delete table inet t
check "the handshake completes once b listens again" wait_until $((8 * KWG_SLOW)) n a ping -c1 -W1 192.168.0.2

# Passive keepalive: b receives one data packet, has nothing to say, and
# sends a keepalive 10 s later.
# (A listener on b, so that no ICMP port unreachable answers.)
n b timeout $((40 * KWG_SLOW)) ncat -u -l 9 >/dev/null 2>&1 &
sleep 11
t0=$(tx b)
if debug_kernel; then
	r0=$(rx b)
	s0=$(now_ms)
	echo x | n a ncat -u -w1 --send-only 192.168.0.2 9 2>/dev/null
	read -r data <<<"$(events rx b "$r0" 1 1 $((10 * KWG_SLOW)) "$s0")"
	data=${data:-"$s0 $(now_ms)"}
	mapfile -t ev < <(events tx b "$t0" 32 1 $((10 * KWG_SLOW + 10)) "${data% *}")
	check_eq "b sends one keepalive after receiving data (debug kernel: timed)" 1 "$(printf '%s\n' "${ev[@]}" | grep -c '^[0-9]')"
	spacing "b is silent for 10 s after receiving data, then sends it (at most $((10 * KWG_SLOW)) s: debug kernel)" \
		"$s0 ${data#* }" "${ev[0]}" 10000 $((10000 * KWG_SLOW))
else
	echo x | n a ncat -u -w1 --send-only 192.168.0.2 9 2>/dev/null
	sleep 5
	check_eq "b is silent for a while after receiving data" "$t0" "$(tx b)"
	sleep 6.5
	check_eq "then sends one keepalive" $((t0 + 32)) "$(tx b)"
fi

# New handshake: a sends data that gets no answer (b drops it); 15 s
# later a starts a new handshake.
sleep 11
n b nft add table inet t
n b nft add chain inet t in '{ type filter hook input priority 0; }'
n b nft add rule inet t in udp dport 2 drop
t0=$(tx a)
if debug_kernel; then
	s0=$(now_ms)
	echo x | n a ncat -u -w1 --send-only 192.168.0.2 9 2>/dev/null
	e0=$(now_ms)
	t1=$(tx a)
	e1=$(now_ms)
	check "a sent the data" test "$t1" -gt "$t0"
	mapfile -t ev < <(events tx a "$t1" 148 1 $((15 * KWG_SLOW + 10)) "$e0")
	check_eq "a new initiation without an answer (debug kernel: timed)" 1 "$(printf '%s\n' "${ev[@]}" | grep -c '^[0-9]')"
	spacing "no handshake before 15 s, one after (at most $((15 * KWG_SLOW)) s: debug kernel)" \
		"$s0 $e1" "${ev[0]}" 15000 $((15000 * KWG_SLOW))
else
	echo x | n a ncat -u -w1 --send-only 192.168.0.2 9 2>/dev/null
	sleep 1
	t1=$(tx a)
	check "a sent the data" test "$t1" -gt "$t0"
	sleep 12
	check_eq "no handshake before 15 s" "$t1" "$(tx a)"
	sleep 4
	check_eq "a new initiation after 15 s without an answer" $((t1 + 148)) "$(tx a)"
fi
finish
