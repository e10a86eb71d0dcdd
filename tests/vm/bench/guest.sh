#!/bin/bash
# kwg-vm: timeout=1500
# make bench's guest: the figures of one implementation in one boot.
# bench/run boots one guest per implementation and round, gives each the
# same configuration files and collects its lines:
#   "# bench: METRIC VALUE UNIT"   one figure
#   "# bench-info: KEY VALUE..."   about the setup
# The checks only say that the setup worked (a tunnel that never came up
# would measure nothing); no figure is judged.
#
# BENCH_IMPL          plain (a veth between two namespaces, no tunnel),
#                     stock or kwg (the wireguard.ko vm.sh loaded),
#                     kwg-nobatch (ours with udp_batching=0: the data
#                     plane only, its control plane being kwg's), go
#                     (Debian's wireguard-go); our wg drives all of them
# BENCH_SECONDS       length of each iperf3 run
# BENCH_PEERS         peers in /bench/peers.conf (bench/genconf peers)
# BENCH_AIPS          allowed IPs in /bench/aips.conf (genconf allowedips)
# BENCH_UDP_LEN, BENCH_UDP_RATE   iperf3 -u -l and -b
# BENCH_PINGS, BENCH_PING_INTERVAL
. /kwg/lib.sh
. /kwg/common/topo.sh
. /kwg/common/veth-pair.sh

IMPL=${BENCH_IMPL:?} SECS=${BENCH_SECONDS:?} PEERS=${BENCH_PEERS:?} AIPS=${BENCH_AIPS:?}
UDP_LEN=${BENCH_UDP_LEN:?} UDP_RATE=${BENCH_UDP_RATE:?}
PINGS=${BENCH_PINGS:?} PING_INTERVAL=${BENCH_PING_INTERVAL:?}
TRACING=/sys/kernel/tracing
BATCHING=/sys/module/wireguard/parameters/udp_batching
# /proc/stat counts in USER_HZ ticks; the guest has no getconf, and
# Debian's kernels (like every x86 kernel) use 100.
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
# The TCP runs: metric suffix and iperf3 arguments.
TCP_RUNS=("1:-P 1" "4:-P 4" "1r:-P 1 -R" "4r:-P 4 -R")

bench() { echo "# bench: $1 $2 $3"; }
info() { echo "# bench-info: $*"; }
# div A B [DECIMALS]: A / B, printed with DECIMALS (default 1) decimals.
div() { awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN { printf "%.*f", d, a / b }'; }

# ------------------------------------------------------------ wireguard-go
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
GO_PIDS=()
trap '[[ ${#GO_PIDS[@]} -eq 0 ]] || kill "${GO_PIDS[@]}" 2>/dev/null' EXIT

# in_ns NS COMMAND...: COMMAND in NS. For go, with /run/wg-NS mounted on
# /run/wireguard for that command alone (`ip netns exec` gives it a mount
# namespace of its own): both ends' devices are named wg0, and a UAPI
# socket's path, /run/wireguard/NAME.sock, holds only the name.
# shellcheck disable=SC2016 # expanded by the inner bash
OWN_SOCKETS='mount --bind "$0" /run/wireguard && exec "$@"'
in_ns() {
	local ns=$1
	shift
	if [[ $IMPL == go ]]; then
		mkdir -p "/run/wg-$ns"
		ip netns exec "$ns" bash -c "$OWN_SOCKETS" "/run/wg-$ns" "$@"
	else
		n "$ns" "$@"
	fi
}

# dev_add NS NAME: a device in NS; for go, a wireguard-go process, its pid
# in GO_PID (ip netns exec and bash exec it: one process, started here
# rather than through in_ns, whose own shell would be the background job).
dev_add() {
	if [[ $IMPL == go ]]; then
		mkdir -p "/run/wg-$1"
		ip netns exec "$1" bash -c "$OWN_SOCKETS" "/run/wg-$1" wireguard-go -f "$2" \
			>>/tmp/wireguard-go.log 2>&1 &
		GO_PID=$!
		GO_PIDS+=("$GO_PID")
		wait_until 20 test -S "/run/wg-$1/$2.sock" || fail "wireguard-go $2 in $1 started"
		check_eq "wireguard-go $2 in $1 is process $GO_PID" wireguard-go "$(cat "/proc/$GO_PID/comm")"
	else
		n "$1" ip link add "$2" type wireguard
	fi
}

dev_del() {
	if [[ $IMPL == go ]]; then
		kill "$GO_PID"
		wait "$GO_PID" 2>/dev/null || true
	else
		n "$1" ip link del "$2"
	fi
}

# mem: the memory the implementation holds, in bytes. Kernel: slab plus
# per-CPU memory (caches dropped first, as in suites/dp-mem.sh); go: the
# wireguard-go process's resident set (whatever its garbage collector has
# not returned yet included).
mem() {
	sleep 1
	if [[ $IMPL == go ]]; then
		awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$GO_PID/status"
	else
		sync
		echo 3 >/proc/sys/vm/drop_caches
		awk '/^Slab:|^Percpu:/ { s += $2 } END { print s * 1024 }' /proc/meminfo
	fi
}

# ----------------------------------------------------------- control plane
# wg_us NS ARGS...: how long `wg ARGS` takes in NS, in microseconds,
# output discarded. Timed inside the namespace's shell with bash's clock
# (no process start of its own inside the span).
wg_us() {
	local ns=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner bash
	in_ns "$ns" bash -c 't=$EPOCHREALTIME; wg "$@" >/dev/null || exit 1
		e=$EPOCHREALTIME; echo $((10#${e/./} - 10#${t/./}))' wg_us "$@"
}

# median: the median of the numbers on standard input, one per line.
# (printf: awk would print a large non-integer in exponent form.)
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f\n", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2 }'; }

# median_run N COMMAND...: COMMAND run N times; the median of the first
# word each run printed. Fails as soon as a run does.
median_run() {
	local n=$1 i out all=""
	shift
	for ((i = 0; i < n; i++)); do
		out=$("$@") || return 1
		all+="${out%% *}"$'\n'
	done
	median <<<"${all%$'\n'}"
}

# timed METRIC NS ARGS...: the figure METRIC, how long `wg ARGS` takes in
# NS; with RUNS set (a command that changes nothing), the median of that
# many runs, steadier than one.
RUNS_NOOP=5
timed() {
	local metric=$1 ns=$2 us
	shift 2
	if us=$(median_run "${RUNS:-1}" wg_us "$ns" "$@"); then
		bench "$metric" "$(div "$us" 1000)" ms
	else
		fail "$metric: wg $*"
	fi
}

control_plane() {
	local m0 m1 extra ms
	netns_add c
	# PEERS peers (an IPv4 and an IPv6 allowed IP each, half with an
	# endpoint) on a device that stays down: no traffic, no handshake.
	dev_add c wg0
	m0=$(mem)
	timed cp_setconf c setconf wg0 /bench/peers.conf
	m1=$(mem)
	bench mem_peer "$(div $((m1 - m0)) "$PEERS" 0)" B
	RUNS=$RUNS_NOOP timed cp_dump c show wg0 dump
	# The kernel's share of that dump, without wg's start, parsing and
	# printing (wireguard-go answers on its own socket, not netlink).
	if [[ $IMPL != go ]]; then
		if ms=$(median_run $RUNS_NOOP in_ns c /kwg/probes/nl-dump-time wg0); then
			bench cp_dump_kernel "$ms" ms
		else
			fail "cp_dump_kernel: nl-dump-time"
		fi
	fi
	RUNS=$RUNS_NOOP timed cp_syncconf c syncconf wg0 /bench/peers.conf
	extra=$(wg genkey | wg pubkey)
	timed cp_set c set wg0 peer "$extra" allowed-ips 10.255.255.255/32,fd00:ffff::ffff/128 \
		endpoint 198.19.255.254:51820
	check_eq "control plane: $PEERS peers set, synced, one added" $((PEERS + 1)) \
		"$(in_ns c wg show wg0 peers | wc -l)"
	dev_del c wg0

	# AIPS allowed IPs on a fresh device, their peers made first so that
	# the difference is the allowed IPs' alone.
	grep -v '^AllowedIPs' /bench/aips.conf >/tmp/aips-peers.conf
	dev_add c wg1
	in_ns c wg setconf wg1 /tmp/aips-peers.conf
	m0=$(mem)
	timed cp_addconf_aips c addconf wg1 /bench/aips.conf
	m1=$(mem)
	bench mem_allowedip "$(div $((m1 - m0)) "$AIPS")" B
	check_eq "control plane: $AIPS allowed IPs" "$AIPS" \
		"$(in_ns c wg show wg1 allowed-ips | awk '{ n += NF - 1 } END { print n }')"
	dev_del c wg1
	ip netns del c
}

# -------------------------------------------------------------- data plane
# The path a -> b: a veth va-vb (10.0.0.1 and .2); for the tunnels a wg0
# at each end over it (192.168.0.1 and .2, ports 1 and 2). DST: b's
# address on the path measured.
plain_pair() {
	ip netns add a
	ip netns add b
	ip link add va netns a type veth peer name vb netns b
	n a ip addr add 10.0.0.1/24 dev va
	n b ip addr add 10.0.0.2/24 dev vb
	n a ip link set va up
	n b ip link set vb up
}

# The same as veth_wg_pair (suites/common/veth-pair.sh), with a
# wireguard-go at each end.
go_pair() {
	local pa pb
	plain_pair
	pa=$(key a) pb=$(key b)
	dev_add a wg0
	dev_add b wg0
	in_ns a wg set wg0 private-key "$TOPO_TMP/a.key" listen-port 1 \
		peer "$pb" allowed-ips 192.168.0.2/32 endpoint 10.0.0.2:2
	in_ns b wg set wg0 private-key "$TOPO_TMP/b.key" listen-port 2 \
		peer "$pa" allowed-ips 192.168.0.1/32 endpoint 10.0.0.1:1
	n a ip addr add 192.168.0.1/24 dev wg0
	n b ip addr add 192.168.0.2/24 dev wg0
	n a ip link set wg0 up
	n b ip link set wg0 up
}

# The UDP stack's entry points, counted by kprobes: transmit through the
# tunnel helpers (the kernel modules) or sendmsg (wireguard-go), receive
# at each family's UDP handler. TX_PROBES and RX_PROBES: the events that
# could be placed; MISSING: the symbols that could not.
PROBES_TX="kwg_tx_tun:udp_tunnel_xmit_skb kwg_tx_tun6:udp_tunnel6_xmit_skb kwg_tx_msg:udp_sendmsg kwg_tx_msg6:udpv6_sendmsg"
PROBES_RX="kwg_rx:udp_rcv kwg_rx6:udpv6_rcv"
probes_setup() {
	local p ev sym
	TX_PROBES=() RX_PROBES=() MISSING=()
	[[ -e $TRACING/kprobe_events ]] || mount -t tracefs nodev "$TRACING" 2>/dev/null
	# The tunnel helpers live in modules that only the kernel
	# implementations load; load them so that every run has the same probes.
	modprobe -q udp_tunnel 2>/dev/null
	modprobe -q ip6_udp_tunnel 2>/dev/null
	# Hits are counted with the trace buffer off: no event is recorded.
	echo 0 >"$TRACING/tracing_on" 2>/dev/null
	for p in $PROBES_TX $PROBES_RX; do
		ev=${p%%:*} sym=${p#*:}
		if echo "p:$ev $sym" >>"$TRACING/kprobe_events" 2>/dev/null &&
		   echo 1 >"$TRACING/events/kprobes/$ev/enable" 2>/dev/null; then
			if [[ " $PROBES_TX " == *" $p "* ]]; then TX_PROBES+=("$ev"); else RX_PROBES+=("$ev"); fi
		else
			MISSING+=("$sym")
			info missing-probe "$sym"
		fi
	done
}

# probe_hits EVENT...: their hits so far, summed.
probe_hits() {
	awk -v evs=" $* " 'index(evs, " " $1 " ") { s += $2 } END { print s + 0 }' "$TRACING/kprobe_profile"
}

# cpu_ticks: busy time of all CPUs so far in USER_HZ ticks: user, nice,
# system, irq, softirq and steal (everything but idle and iowait; guest
# time is already part of user).
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# jnum FILE SECTION FIELD: FIELD of the end-of-test SECTION of an iperf3
# JSON report, as printed; empty if missing.
jnum() {
	awk -v s="\"$2\":" -v f="\"$3\":" '
		/"end":[ \t]*\{/ { end = 1 }
		end && index($0, s) { on = 1 }
		on && index($0, f) { sub(/,$/, "", $2); print $2; exit }' "$1"
}

# iperf_run FILE ARGS...: iperf3 from a to DST for SECS seconds (its JSON
# report in FILE) against a one-shot server in b. Processes put in the
# background are started with `ip netns exec` itself, not n: $! is then
# the process (ip execs it), not a subshell that kill would leave it behind.
iperf_run() {
	local f=$1 srv status
	shift
	ip netns exec b iperf3 -s -1 >/dev/null 2>&1 &
	srv=$!
	wait_until 5 listening b 5201
	n a timeout $((SECS + 30)) iperf3 -J -c "$DST" -t "$SECS" "$@" >"$f" 2>&1
	status=$?
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	return $status
}

# tcp NAME ARGS...: throughput of one TCP run, and what it cost: CPU time
# per GB and trips through the UDP stack per MB (all the guest's probe
# hits during the run, both directions, over the MB iperf3 moved).
# Adds to the overall CPU figure's totals.
CPU_TOTAL=0 BYTES_TOTAL=0
tcp() {
	local name=$1 f=/tmp/tcp-$1.json c0 c1 tx0 tx1 rx0 rx1 bytes
	shift
	c0=$(cpu_ticks) tx0=$(probe_hits "${TX_PROBES[@]}") rx0=$(probe_hits "${RX_PROBES[@]}")
	iperf_run "$f" "$@" || { fail "iperf3 $* ran"; sed 's/^/    | /' "$f" | tail -n 5; return; }
	c1=$(cpu_ticks) tx1=$(probe_hits "${TX_PROBES[@]}") rx1=$(probe_hits "${RX_PROBES[@]}")
	bytes=$(jnum "$f" sum_received bytes)
	[[ -n $bytes && $bytes -gt 0 ]] || { fail "iperf3 $* moved data"; return; }
	bench "tcp_$name" "$(div "$(jnum "$f" sum_received bits_per_second)" 1e6)" Mbit/s
	[[ $name == *monitor ]] && return
	bench "cpu_tcp_$name" "$(div "$(((c1 - c0) * 1000000000 / HZ))" "$bytes" 2)" s/GB
	CPU_TOTAL=$((CPU_TOTAL + c1 - c0)) BYTES_TOTAL=$((BYTES_TOTAL + bytes))
	if [[ ${#MISSING[@]} -eq 0 ]]; then
		bench "trips_tx_tcp_$name" "$(div $(((tx1 - tx0) * 1000000)) "$bytes" 1)" trips/MB
		bench "trips_rx_tcp_$name" "$(div $(((rx1 - rx0) * 1000000)) "$bytes" 1)" trips/MB
	else
		bench "trips_tx_tcp_$name" missing trips/MB
		bench "trips_rx_tcp_$name" missing trips/MB
	fi
}

# rtt NAME: the median and 99th percentile of PINGS pings a -> DST.
rtt() {
	n a ping -c "$PINGS" -i "$PING_INTERVAL" -W 2 "$DST" | sed -n 's/.* time=\([0-9.]*\) ms$/\1/p' |
		sort -n >"/tmp/rtt-$1"
	[[ -s /tmp/rtt-$1 ]] || { fail "ping $1: no answer"; return; }
	read -r p50 p99 < <(awk '{ v[NR] = $1 } END {
		p = int(NR * 0.99); if (p < NR * 0.99) p++
		printf "%s %s\n", (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2, v[p] }' "/tmp/rtt-$1")
	bench "rtt_$1_p50" "$p50" ms
	bench "rtt_$1_p99" "$p99" ms
	[[ $(wc -l <"/tmp/rtt-$1") -eq $PINGS ]] ||
		info "rtt_$1: $(wc -l <"/tmp/rtt-$1") of $PINGS pings answered"
}

data_plane() {
	local run srv load mon_a mon_b f
	if [[ $IMPL == kwg-nobatch ]]; then
		# Set before the devices exist: their sockets ask for UDP GRO
		# only with batching on.
		modprobe wireguard udp_batching=0
		check_eq "udp_batching is off" N "$(cat "$BATCHING")"
	fi
	case $IMPL in
	plain) plain_pair; DST=10.0.0.2 ;;
	go) go_pair; DST=192.168.0.2 ;;
	*) veth_wg_pair; DST=192.168.0.2 ;;
	esac
	check "data plane: $DST answers" wait_until 20 n a ping -c1 -W1 "$DST"
	probes_setup

	for run in "${TCP_RUNS[@]}"; do
		# shellcheck disable=SC2086 # the iperf3 arguments, one word each
		tcp "${run%%:*}" ${run#*:}
	done
	[[ $BYTES_TOTAL -gt 0 ]] &&
		bench cpu_overall "$(div "$((CPU_TOTAL * 1000000000 / HZ))" "$BYTES_TOTAL" 2)" s/GB

	f=/tmp/udp.json
	if iperf_run "$f" -u -l "$UDP_LEN" -b "$UDP_RATE"; then
		bench udp_sent "$(div "$(jnum "$f" sum_sent bits_per_second)" 1e6)" Mbit/s
		bench udp_recv "$(div "$(jnum "$f" sum_received bits_per_second)" 1e6)" Mbit/s
		bench udp_loss "$(div "$(jnum "$f" sum_received lost_percent)" 1 2)" %
	else
		fail "iperf3 UDP ran"
	fi

	rtt idle
	# Under load: one TCP stream a -> b the whole time the pings take.
	ip netns exec b iperf3 -s -1 >/dev/null 2>&1 &
	srv=$!
	wait_until 5 listening b 5201
	ip netns exec a iperf3 -c "$DST" -t 600 >/dev/null 2>&1 &
	load=$!
	sleep 1
	rtt load
	kill "$load" "$srv" 2>/dev/null
	wait "$load" "$srv" 2>/dev/null

	# The cost of events (docs/events.md), ours only: the forward runs
	# again with a `wg monitor` listening at both ends.
	if [[ $IMPL == kwg ]]; then
		ip netns exec a wg monitor all json >/tmp/events-a 2>&1 &
		mon_a=$!
		ip netns exec b wg monitor all json >/tmp/events-b 2>&1 &
		mon_b=$!
		sleep 0.5
		tcp 1_monitor -P 1
		tcp 4_monitor -P 4
		check "the listeners stayed alive" kill -0 "$mon_a" "$mon_b"
		kill "$mon_a" "$mon_b"
	fi
}

info vcpus "$(nproc)"
info guest-cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
info kernel "$(uname -r)"
[[ $IMPL == plain || $IMPL == kwg-nobatch ]] || control_plane
data_plane
finish
