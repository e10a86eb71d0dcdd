#!/bin/bash
# kwg-vm: stock=yes timeout=400
# Outer batching (module parameter udp_batching, docs/performance.md): a
# peer's messages that leave together go down as one UDP GSO packet. With
# it on and off, over IPv4 and IPv6 endpoints, and with a veth that cannot
# segment UDP (gso_max_segs 1: the stack cuts the packet in software):
# TCP and UDP traffic arrive in order (iperf3's out-of-order count), every
# message sent is received (netdev and `wg show transfer` counters of both
# ends agree, and a firewall counter on the far veth counts one datagram
# per message), and batching cuts the trips through the UDP stack
# (udp_tunnel_xmit_skb calls, counted by a kprobe, printed as "# batch:"). The stock module runs
# the same traffic checks, without the parameter.
. /kwg/lib.sh
. /kwg/common/veth-pair.sh
. /kwg/common/batch-traffic.sh

param=/sys/module/wireguard/parameters/udp_batching
T=/sys/kernel/tracing
mountpoint -q "$T" || mount -t tracefs nodev "$T"

veth_wg_pair
check "tunnel up" n a ping -c1 -W5 192.168.0.2
# A veth hands each packet to the backlog of the CPU that sent it: two
# datagrams sent in order from two CPUs (the transmit worker moves) may be
# received in the other order, before any code of ours sees them. RPS
# steers a flow to one backlog, in the order it was sent; a long backlog
# keeps the stack from dropping what we would then not count.
for dev in a:va b:vb; do
	n "${dev%:*}" sh -c "echo $(printf %x $(((1 << KWG_NCPUS) - 1))) >/sys/class/net/${dev#*:}/queues/rx-0/rps_cpus"
done
sysctl -qw net.core.netdev_max_backlog=100000
# Packets the stack dropped at a backlog, all CPUs.
backlog_drops() {
	local s=0 d
	while read -r _ d _; do s=$((s + 16#$d)); done </proc/net/softnet_stat
	echo "$s"
}
n a ip addr add fd00::1/64 dev va nodad
n b ip addr add fd00::2/64 dev vb nodad

# Trips through the UDP stack on the way out: the tunnel helpers' calls.
trips=0
if echo 'p:kwg_tx4 udp_tunnel_xmit_skb' >>"$T/kprobe_events" &&
	echo 'p:kwg_tx6 udp_tunnel6_xmit_skb' >>"$T/kprobe_events"; then
	trips=1
fi
trips_now() { awk '$1 ~ /^kwg_tx/ { s += $2 } END { print s + 0 }' "$T/kprobe_profile"; }

stat_of() { n "$1" cat "/sys/class/net/$2/statistics/$3"; }
transfer() { n "$1" wg show wg0 transfer | awk -v i="$2" '{ print $i }'; }

# Datagrams from a to b's port 2, one per message, as b's firewall sees
# them (a GSO packet that crossed the veth whole counts once).
n b nft -f - <<'EOF'
table inet kwgbatch {
	counter msgs { }
	chain in { type filter hook prerouting priority -300; udp dport 2 counter name msgs; }
}
EOF
datagrams() { n b nft list counter inet kwgbatch msgs | awk '/packets/ { print $2 }'; }

# counts_once: a's wg0 tx and rx packets, b's, the datagrams b's firewall
# counted, each side's transfer tx and rx, and the trips; counts: the same
# at a moment with nothing in flight.
counts_once() {
	echo "$(stat_of a wg0 tx_packets) $(stat_of a wg0 rx_packets)" \
		"$(stat_of b wg0 tx_packets) $(stat_of b wg0 rx_packets) $(datagrams)" \
		"$(transfer a 3) $(transfer a 2) $(transfer b 3) $(transfer b 2)" \
		"$(if ((trips)); then trips_now; else echo 0; fi)"
}
counts() { settled counts_once; }

# run LABEL: TCP both ways and a UDP stream a -> b; then the checks.
run() {
	local label=$1 atx0 arx0 btx0 brx0 d0 t0 b0 atx arx btx brx d attx atrx bttx btrx t
	local all
	((trips)) && echo 1 >"$T/events/kprobes/enable"
	read -r atx0 arx0 btx0 brx0 d0 _ _ _ _ t0 <<<"$(counts)"
	b0=$(backlog_drops)

	batch_traffic "$label" 25M

	read -r atx arx btx brx d attx atrx bttx btrx t <<<"$(counts)"
	((trips)) && echo 0 >"$T/events/kprobes/enable"
	atx=$((atx - atx0)) arx=$((arx - arx0)) btx=$((btx - btx0)) brx=$((brx - brx0))
	check_eq "$label: the stack dropped nothing at a backlog" 0 "$(($(backlog_drops) - b0))"
	check_eq "$label: b received every message a sent" "$atx" "$brx"
	check_eq "$label: a received every message b sent" "$btx" "$arx"
	check_eq "$label: a's transfer tx is b's rx" "$attx" "$btrx"
	check_eq "$label: b's transfer tx is a's rx" "$bttx" "$atrx"
	if [[ $segs == 1 ]]; then
		check_eq "$label: one datagram on the veth per message" "$atx" "$((d - d0))"
	fi
	if ((trips)); then
		t=$((t - t0)) all=$((atx + btx))
		echo "# batch: $label: $all messages sent, $t trips through the UDP stack"
		if [[ $KWG_MODULE == stock || $mode == off ]]; then
			check_eq "$label: one trip per message" "$all" "$t"
		else
			check "$label: fewer trips than messages ($t for $all)" \
				test "$t" -lt "$all"
		fi
	fi
}

for mode in on off; do
	if [[ $KWG_MODULE == ours ]]; then
		if [[ $mode == on ]]; then echo Y; else echo N; fi >"$param"
	elif [[ $mode == off ]]; then
		break
	fi
	for family in 4 6; do
		batch_endpoints "$family"
		for segs in 64 1; do
			n a ip link set va gso_max_segs "$segs"
			n b ip link set vb gso_max_segs "$segs"
			label="$KWG_MODULE batching=$mode IPv$family gso_max_segs=$segs"
			[[ $KWG_MODULE == stock ]] && label="stock IPv$family gso_max_segs=$segs"
			run "$label"
		done
	done
done
[[ $KWG_MODULE == ours ]] && echo Y >"$param"
((trips)) && echo >"$T/kprobe_events"
finish
