#!/bin/bash
# kwg-vm: stock=yes long timeout=600
# Outer batching under IPsec (module parameter udp_batching on, its
# default; docs/performance.md): a route with an xfrm policy cannot take
# UDP GSO, so a batch bound for it goes one message per trip through the
# UDP stack. Namespaces a and b joined by a veth (MTU 1600: the ESP
# overhead does not fragment), over IPv4 and IPv6 endpoints, three phases:
#   - no policy (the control): fewer trips than messages;
#   - ESP in transport mode (cbc(aes), hmac(sha256), fixed test keys) on
#     the tunnel's UDP flows between the two endpoint addresses, both ways:
#     one trip per message, i.e. the fallback was taken; every message
#     crossed as ESP (firewall counters on the receiving side: one ESP
#     packet per message, as many decrypted ones, no plain ones; the SA's
#     own packet count);
#   - the policies removed again: fewer trips than messages.
# In each: TCP both ways and two UDP streams a -> b arrive (iperf3),
# UDP in order, and every message sent is received, or counted as dropped
# by a receiver whose queue was full (netdev counters), and the
# `wg show transfer` counters of both ends agree. Trips are
# udp_tunnel_xmit_skb and udp_tunnel6_xmit_skb calls (a kprobe), printed
# as "# xfrm:" lines. The stock module, which has no batching, makes one
# trip per message in every phase: it runs as the control of the counts.
. /kwg/lib.sh
. /kwg/common/veth-pair.sh
. /kwg/common/batch-traffic.sh

param=/sys/module/wireguard/parameters/udp_batching
T=/sys/kernel/tracing
[[ -e $T/kprobe_events ]] || mount -t tracefs nodev "$T"
# Fixed test keys, never used anywhere else.
ENC=0x00112233445566778899aabbccddeeff
AUTH=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

check "the IPsec modules load" modprobe -a xfrm_user esp4 esp6
veth_wg_pair
[[ $KWG_MODULE != stock ]] && check_eq "udp_batching is on by default" Y "$(cat "$param")"
for ns in a b; do
	n "$ns" ip link set "v$ns" mtu 1600
	# One backlog per flow, in order, long enough (see dp-batch).
	n "$ns" sh -c "echo $(printf %x $(((1 << KWG_NCPUS) - 1))) >/sys/class/net/v$ns/queues/rx-0/rps_cpus"
done
sysctl -qw net.core.netdev_max_backlog=100000
n a ip addr add fd00::1/64 dev va nodad
n b ip addr add fd00::2/64 dev vb nodad
check "tunnel up" n a ping -c1 -W5 192.168.0.2
backlog_drops() {
	local s=0 d
	while read -r _ d _; do s=$((s + 16#$d)); done </proc/net/softnet_stat
	echo "$s"
}

check "kprobes on the tunnel's transmit helpers" sh -c "
	echo 'p:kwg_tx4 udp_tunnel_xmit_skb' >>$T/kprobe_events &&
	echo 'p:kwg_tx6 udp_tunnel6_xmit_skb' >>$T/kprobe_events &&
	echo 1 >$T/events/kprobes/enable"
trips_now() { awk '$1 ~ /^kwg_tx/ { s += $2 } END { print s + 0 }' "$T/kprobe_profile"; }

# What reaches each side's listen port (a: 1, b: 2), before and after
# ESP is taken off: ESP packets (sealed), and the tunnel's UDP with and
# without the IPsec mark of a decrypted packet (opened, plain).
for ns in a:1 b:2; do
	n "${ns%:*}" nft -f - <<EOF
table inet kwgxfrm {
	counter sealed { }
	counter plain { }
	counter opened { }
	chain pre {
		type filter hook prerouting priority -300;
		meta l4proto 50 counter name sealed
		udp dport ${ns#*:} meta ipsec missing counter name plain
		udp dport ${ns#*:} meta ipsec exists counter name opened
	}
}
EOF
done
# The SA a -> b has SPI 0x1001, b -> a 0x1002 (both families).
spi() { case $1 in 10.0.0.1 | fd00::1) echo 0x1001 ;; *) echo 0x1002 ;; esac; }
addr_of() { if [[ $1 == 4 ]]; then echo "10.0.0.$2"; else echo "fd00::$2"; fi; }
# sa_packets NS SRC DST: the packets the ESP SA SRC -> DST has handled in
# NS (0 without one).
sa_packets() {
	n "$1" ip -s xfrm state get src "$2" dst "$3" proto esp spi "$(spi "$2" "$3")" 2>/dev/null |
		awk '/lifetime current:/ { getline; sub(/.*, */, ""); sub(/\(packets\).*/, ""); v = $0 }
			END { print v + 0 }'
}
stat_of() { n "$1" cat "/sys/class/net/$2/statistics/$3"; }
# counts_once FAMILY: NAME=VALUE words: the trips, each side's wg0 packets
# (a_tx, a_rx, a_drop: rx_dropped, ...), its peer's transfer (a_ttx, a_trx, ...), its nft
# counters (a_sealed, ...) and its outgoing SA's packets (a_sa, b_sa).
counts_once() {
	local ns peer me
	echo "trips=$(trips_now)"
	for ns in a b; do
		if [[ $ns == a ]]; then peer=2 me=1; else peer=1 me=2; fi
		echo "${ns}_tx=$(stat_of "$ns" wg0 tx_packets) ${ns}_rx=$(stat_of "$ns" wg0 rx_packets)" \
			"${ns}_drop=$(stat_of "$ns" wg0 rx_dropped)" \
			"${ns}_sa=$(sa_packets "$ns" "$(addr_of "$1" "$me")" "$(addr_of "$1" "$peer")")"
		{ n "$ns" nft list counters table inet kwgxfrm; n "$ns" wg show wg0 transfer; } |
			awk -v p="${ns}_" '$1 == "counter" { c = $2 }
				$1 == "packets" { printf "%s%s=%s ", p, c, $2 }
				NF == 3 && $1 ~ /=$/ { printf "%strx=%s %sttx=%s ", p, $2, p, $3 }'
	done
}
# counts FAMILY: counts_once at a moment with nothing in flight.
counts() { settled counts_once "$1"; }

# xfrm_on 4|6 / xfrm_off: transport-mode ESP on the tunnel's UDP
# between the endpoint addresses, in both namespaces, both ways.
xfrm_on() {
	local ns dir src dst mine pdir
	for ns in a b; do
		if [[ $ns == a ]]; then mine=1; else mine=2; fi
		for dir in 1:2 2:1; do
			src=$(addr_of "$1" "${dir%:*}") dst=$(addr_of "$1" "${dir#*:}")
			n "$ns" ip xfrm state add src "$src" dst "$dst" proto esp spi "$(spi "$src" "$dst")" \
				reqid 1 mode transport enc 'cbc(aes)' "$ENC" \
				auth-trunc 'hmac(sha256)' "$AUTH" 128 || return 1
			if [[ ${dir%:*} == "$mine" ]]; then pdir=out; else pdir=in; fi
			n "$ns" ip xfrm policy add src "$src" dst "$dst" proto udp sport "${dir%:*}" \
				dport "${dir#*:}" dir "$pdir" tmpl src "$src" dst "$dst" proto esp \
				reqid 1 mode transport level required || return 1
		done
	done
}
xfrm_off() {
	local ns
	for ns in a b; do
		n "$ns" ip xfrm policy flush || return 1
		n "$ns" ip xfrm state flush || return 1
	done
}

# accounted LABEL S R SENT RECEIVED DROPPED TXBYTES RXBYTES: every
# message S sent reached R's counters, received or dropped for a full
# queue; the transfer counters agree when none was dropped.
accounted() {
	local label=$1 s=$2 r=$3
	check_eq "$label: $r received every message $s sent, or counted it dropped ($6)" \
		"$4" "$(($5 + $6))"
	if [[ $6 == 0 ]]; then
		check_eq "$label: $s's transfer tx is $r's rx" "$7" "$8"
	else
		echo "# $label: $r dropped $6 of $s's messages at a full queue (load)"
		check "$label: $s's transfer tx is above $r's rx ($6 dropped)" test "$7" -gt "$8"
	fi
}

# run LABEL FAMILY PHASE(plain|esp|removed): TCP both ways and two UDP
# streams a -> b, then the checks.
run() {
	local label=$1 fam=$2 phase=$3 b0 w tx btx all t
	declare -A C
	for w in $(counts "$fam"); do C[b_${w%%=*}]=${w#*=}; done
	b0=$(backlog_drops)

	batch_traffic "$label" 10M

	for w in $(counts "$fam"); do C[e_${w%%=*}]=${w#*=}; done
	d() { local e=${C[e_$1]} b=${C[b_$1]}; echo $((e - b)); }
	check_eq "$label: the stack dropped nothing at a backlog" 0 "$(($(backlog_drops) - b0))"
	tx=$(d a_tx) btx=$(d b_tx) t=$(d trips) all=$(($(d a_tx) + $(d b_tx)))
	# A receiver short of CPU (TCG, a shared host) drops what its full
	# queue cannot take, and counts it (rx_dropped): every message must be
	# received or counted so; the byte counts agree when none was dropped.
	accounted "$label" a b "$tx" "$(d b_rx)" "$(d b_drop)" "$(d a_ttx)" "$(d b_trx)"
	accounted "$label" b a "$btx" "$(d a_rx)" "$(d a_drop)" "$(d b_ttx)" "$(d a_trx)"
	if [[ $tx != $(($(d b_rx) + $(d b_drop))) || $btx != $(($(d a_rx) + $(d a_drop))) ]]; then
		for ns in a b; do
			echo "# $ns:"; n "$ns" ip -s -s link show; n "$ns" grep Udp /proc/net/snmp /proc/net/snmp6
		done
	fi
	echo "# xfrm: $label: $all messages sent ($tx a -> b, $btx b -> a), $t trips through the UDP stack;" \
		"at b: $(d b_sealed) ESP, $(d b_opened) decrypted, $(d b_plain) plain;" \
		"at a: $(d a_sealed) ESP, $(d a_opened) decrypted, $(d a_plain) plain;" \
		"SA packets: a -> b $(d a_sa), b -> a $(d b_sa)"
	if [[ $phase == esp ]]; then
		check_eq "$label: one ESP packet at b per message from a" "$tx" "$(d b_sealed)"
		check_eq "$label: each decrypted at b" "$tx" "$(d b_opened)"
		check_eq "$label: no plain message from a at b" 0 "$(d b_plain)"
		check_eq "$label: one ESP packet at a per message from b" "$btx" "$(d a_sealed)"
		check_eq "$label: each decrypted at a" "$btx" "$(d a_opened)"
		check_eq "$label: no plain message from b at a" 0 "$(d a_plain)"
		check_eq "$label: a's SA to b encrypted every message a sent" "$tx" "$(d a_sa)"
		check_eq "$label: b's SA to a encrypted every message b sent" "$btx" "$(d b_sa)"
		check_eq "$label: one trip per message (the fallback)" "$all" "$t"
	else
		check_eq "$label: no ESP at b" 0 "$(d b_sealed)"
		check_eq "$label: no ESP at a" 0 "$(d a_sealed)"
		check "$label: the messages came plain ($(d b_plain) at b, $(d a_plain) at a)" \
			test "$(d b_plain)" -gt 0 -a "$(d a_plain)" -gt 0
		if [[ $KWG_MODULE == stock ]]; then
			check_eq "$label: one trip per message (stock: no batching)" "$all" "$t"
		else
			check "$label: fewer trips than messages ($t for $all)" test "$t" -lt "$all"
		fi
	fi
}

for fam in 4 6; do
	batch_endpoints "$fam"
	pre="$KWG_MODULE IPv$fam"
	[[ $KWG_MODULE == stock ]] && pre="stock (control) IPv$fam"
	run "$pre, no IPsec" "$fam" plain
	check "$pre: ESP transport-mode states and policies" xfrm_on "$fam"
	run "$pre, under ESP" "$fam" esp
	check "$pre: the policies and states removed" xfrm_off
	run "$pre, IPsec removed" "$fam" removed
done
echo 0 >"$T/events/kprobes/enable"
echo >"$T/kprobe_events"
finish
