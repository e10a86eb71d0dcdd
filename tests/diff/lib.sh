# shellcheck shell=bash
# Sourced by every differential scenario (as /kwg/diff/lib.sh in the guest),
# after /kwg/lib.sh. A scenario runs once on the stock module and once on
# ours, in the same guest; everything it records goes to $DIFF_OUT, one
# file per label, and the host compares the two records line by line.
# See tests/vm/README.md, "Differential tests", for the whole picture.
#
# The API, in short (each function has its comment below):
#   keys     key_file NAME, key_pub NAME, psk_file NAME: fixed keys by name
#   hosts    veth NS1 DEV1 NS2 DEV2, addr NS DEV ADDR...,
#            wg_dev NS DEV KEY|- [PORT], wg_peer NS DEV KEY [ARGS...], mac
#   pair     pair 4|6: the standard two-host tunnel (pair_links,
#            pair_devices, pair_peer1, pair_peer2, endpoint2); two_paths 4|6;
#            routed_pair 4|6
#   record   record LABEL CMD..., record_sorted LABEL CMD..., note LABEL TEXT,
#            ping_rec LABEL NS ARGS..., wg_dump NS [DEV], link_stats NS DEV,
#            route_get NS ARGS..., snmp NS, observe LABEL NS...
#   wire     capture_start NAME NS DEV [FILTER...], capture_stop NAME [-t|-d],
#            ping_wire LABEL NS ARGS...
#   filters  DIFF_FILTER="mask_port PORT..." / "widen_time LOW HIGH" /
#            "sort_runs ERE" / count_kinds / sort, for one call, with the
#            reason beside it
#   allow    allow_diff ERE REASON
# and from /kwg/lib.sh: check, check_fails, check_eq, wait_until, n, finish,
# netns_add NS... (namespaces with loopback up), hex2b64 HEX.
#
# Every record line is compared exactly. A record must therefore hold only
# what is the same on every run of the same module: fixed keys, addresses
# and ports, no times, no random numbers. Where a value is legitimately
# random or its order nondeterministic, normalise it (DIFF_FILTER, below)
# and say why in a comment next to it.
. /kwg/lib.sh

: "${DIFF_OUT:?run by /kwg/diff/guest-run, which sets DIFF_OUT}"
# DIFF_MODULE (stock or ours), set by guest-run: only for a check of what
# ours must do where a declared difference departs from stock; records
# never depend on it.
: "${DIFF_MODULE:?run by /kwg/diff/guest-run, which sets DIFF_MODULE}"
DIFF_KEYS=/tmp/diff-keys
DIFF_PROBES=/kwg/probes
mkdir -p "$DIFF_KEYS"

## Keys: the same on every run, derived from a name.

# key_hex NAME [clamp]: 32 bytes in hex, a hash of NAME; clamped as an
# X25519 private key when asked, so that what the module stores and shows
# is exactly what we gave it.
key_hex() {
	local hex first last
	hex=$(printf 'kwg-diff %s' "$1" | sha256sum | cut -c1-64)
	if [[ ${2:-} == clamp ]]; then
		first=$((0x${hex:0:2} & 248))
		last=$(((0x${hex:62:2} & 127) | 64))
		hex=$(printf '%02x%s%02x' "$first" "${hex:2:60}" "$last")
	fi
	echo "$hex"
}

# key_file NAME: the path of a file holding NAME's private key.
key_file() {
	local f=$DIFF_KEYS/$1.key
	[[ -f $f ]] || (umask 077 && hex2b64 "$(key_hex "$1" clamp)" >"$f")
	echo "$f"
}

# key_pub NAME: NAME's public key.
key_pub() {
	local f=$DIFF_KEYS/$1.pub
	[[ -f $f ]] || wg pubkey <"$(key_file "$1")" >"$f"
	cat "$f"
}

# psk_file NAME: the path of a file holding a preshared key named NAME.
psk_file() {
	local f=$DIFF_KEYS/$1.psk
	[[ -f $f ]] || (umask 077 && hex2b64 "$(key_hex "psk $1")" >"$f")
	echo "$f"
}

## Hosts and links. Scenarios configure network namespaces only, never the
## guest's own (the runner deletes them all after each run).

DIFF_MACS=0
# veth NS1 DEV1 NS2 DEV2: a veth between two namespaces, up, with fixed
# MAC addresses and no IPv6 link-local address (its neighbour discovery
# and router solicitations are timed by the kernel, not by the module).
veth() {
	local mac1 mac2
	DIFF_MACS=$((DIFF_MACS + 2))
	mac1=$(printf '02:00:00:00:00:%02x' $((DIFF_MACS - 1)))
	mac2=$(printf '02:00:00:00:00:%02x' "$DIFF_MACS")
	ip link add "$2" netns "$1" address "$mac1" type veth peer name "$4" netns "$3" address "$mac2"
	ip -n "$1" link set "$2" addrgenmode none
	ip -n "$3" link set "$4" addrgenmode none
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# addr NS DEV ADDR/LEN...: addresses on a device (IPv6 ones without DAD).
addr() {
	local ns=$1 dev=$2 a
	shift 2
	for a; do
		if [[ $a == *:* ]]; then
			ip -n "$ns" addr add "$a" dev "$dev" nodad
		else
			ip -n "$ns" addr add "$a" dev "$dev"
		fi
	done
}

# wg_dev NS DEV KEY|- [PORT]: a WireGuard device created in NS (so its
# sockets live there) with KEY's private key (none if KEY is "-") and
# listen port PORT (the kernel's choice if none).
wg_dev() {
	local args=()
	[[ $3 == - ]] || args+=(private-key "$(key_file "$3")")
	[[ -z ${4:-} ]] || args+=(listen-port "$4")
	ip -n "$1" link add "$2" type wireguard
	[[ ${#args[@]} -eq 0 ]] || n "$1" wg set "$2" "${args[@]}"
}

# mac NS DEV: the device's link-layer address.
mac() { n "$1" cat "/sys/class/net/$2/address"; }

# wg_peer NS DEV KEY [ARGS...]: peer KEY on DEV, with `wg set` peer
# arguments (allowed-ips, endpoint, persistent-keepalive, ...).
wg_peer() {
	local ns=$1 dev=$2 k=$3
	shift 3
	n "$ns" wg set "$dev" peer "$(key_pub "$k")" "$@"
}

# The standard pair: hosts n1 and n2 joined by veth v1-v2, outer addresses
# 10.0.0.1/24, fd00::1/64 and 10.0.0.2/24, fd00::2/64; wg0 in each with
# key "n1"/"n2", listen port 1/2, tunnel addresses 192.168.241.1/24,
# fd01::1/64 and .2; n1's peer is n2 (allowed-ips its two tunnel
# addresses, endpoint on v2), n2's peer is n1 without an endpoint (it
# learns it from n1's first packet).
OUT4_1=10.0.0.1 OUT4_2=10.0.0.2 OUT6_1=fd00::1 OUT6_2=fd00::2
IN4_1=192.168.241.1 IN4_2=192.168.241.2 IN6_1=fd01::1 IN6_2=fd01::2

# pair_links: n1, n2 and the veth with its addresses.
pair_links() {
	netns_add n1 n2
	veth n1 v1 n2 v2
	addr n1 v1 "$OUT4_1/24" "$OUT6_1/64"
	addr n2 v2 "$OUT4_2/24" "$OUT6_2/64"
}

# pair_devices: both wg0 with their tunnel addresses, up, without peers.
pair_devices() {
	wg_dev n1 wg0 n1 1
	wg_dev n2 wg0 n2 2
	addr n1 wg0 "$IN4_1/24" "$IN6_1/64"
	addr n2 wg0 "$IN4_2/24" "$IN6_2/64"
	ip -n n1 link set wg0 up
	ip -n n2 link set wg0 up
}

# pair_peer1 [ARGS...]: n1's peer n2, with more `wg set` peer arguments.
pair_peer1() { wg_peer n1 wg0 n2 allowed-ips "$IN4_2/32,$IN6_2/128" "$@"; }

# pair_peer2 [ARGS...]: n2's peer n1, likewise.
# shellcheck disable=SC2120 # scenarios pass arguments
pair_peer2() { wg_peer n2 wg0 n1 allowed-ips "$IN4_1/32,$IN6_1/128" "$@"; }

# endpoint2 4|6: n2's endpoint over outer IPv4 or IPv6.
endpoint2() { if [[ $1 == 6 ]]; then echo "[$OUT6_2]:2"; else echo "$OUT4_2:2"; fi; }

# pair 4|6: the whole standard pair, n1 reaching n2 over outer IPv4 or IPv6.
pair() {
	pair_links
	pair_devices
	pair_peer1 endpoint "$(endpoint2 "${1:-4}")"
	pair_peer2
}

# two_paths 4|6: the standard pair's tunnel over two links instead of one,
# for source address selection: v1-v2 and v3-v4. n1 has host addresses
# .1 on v1 and .3 on v3 (10.0.0.x or fd00::x) and reaches n2's subnet over
# v1 with source .1 (metric 2); n2 has .2/24 (/64) on v2 and reaches .3
# over v4. Reverse-path filtering is off.
two_paths() {
	local ns
	netns_add n1 n2
	veth n1 v1 n2 v2
	veth n1 v3 n2 v4
	for ns in n1 n2; do
		n "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	done
	if [[ $1 == 6 ]]; then
		addr n1 v1 fd00::1/128
		addr n1 v3 fd00::3/128
		ip -n n1 route add fd00::/64 dev v1 src fd00::1 metric 2
		addr n2 v2 fd00::2/64
		ip -n n2 route add fd00::3/128 dev v4
		# Neighbour discovery answers only for addresses on the link it
		# arrives on: fd00::2 is not on v4, and v4 has no address to ask
		# for fd00::3 from. Static entries for the second path.
		ip -n n1 neigh add fd00::2 lladdr "$(mac n2 v4)" dev v3 nud permanent
		ip -n n2 neigh add fd00::3 lladdr "$(mac n1 v3)" dev v4 nud permanent
	else
		addr n1 v1 10.0.0.1/32
		addr n1 v3 10.0.0.3/32
		ip -n n1 route add 10.0.0.0/24 dev v1 src 10.0.0.1 metric 2
		addr n2 v2 10.0.0.2/24
		ip -n n2 route add 10.0.0.3/32 dev v4
	fi
	pair_devices
	pair_peer1 endpoint "$(endpoint2 "$1")"
	pair_peer2
}

# routed_pair 4|6: the standard pair's tunnel across a router r, for
# what happens between the two ends: n1 (v1: 10.0.0.1/24, fd00::1/64) --
# (v2: 10.0.0.254, fd00::fe) r (v3: 10.0.1.254, fd00:1::fe) -- n2 (v4:
# 10.0.1.2/24, fd00:1::2/64). n1 and n2 route everything else through r,
# which forwards both families. wg0 as in pair; n1's peer n2 has endpoint
# 10.0.1.2:2 or [fd00:1::2]:2.
routed_pair() {
	netns_add n1 r n2
	veth n1 v1 r v2
	veth r v3 n2 v4
	addr n1 v1 "$OUT4_1/24" "$OUT6_1/64"
	addr r v2 10.0.0.254/24 fd00::fe/64
	addr r v3 10.0.1.254/24 fd00:1::fe/64
	addr n2 v4 10.0.1.2/24 fd00:1::2/64
	ip -n n1 route add default via 10.0.0.254
	ip -n n1 -6 route add default via fd00::fe
	ip -n n2 route add default via 10.0.1.254
	ip -n n2 -6 route add default via fd00:1::fe
	n r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# Without link-local addresses the router cannot ask for a neighbour
	# on behalf of a packet it forwards (a neighbour solicitation needs a
	# source address on that link): static entries for n1 and n2.
	ip -n r neigh add "$OUT6_1" lladdr "$(mac n1 v1)" dev v2 nud permanent
	ip -n r neigh add fd00:1::2 lladdr "$(mac n2 v4)" dev v3 nud permanent
	pair_devices
	if [[ $1 == 6 ]]; then
		pair_peer1 endpoint "[fd00:1::2]:2"
	else
		pair_peer1 endpoint 10.0.1.2:2
	fi
	pair_peer2
}

## Records.

# DIFF_FILTER: a command (split into words: it may have arguments) that
# every recorded output goes through (stdin to stdout) before it is
# stored, for a label whose raw output legitimately differs between runs.
# Set it for one call only, with the reason beside it:
#   # The kernel picks a random port: mask it.
#   DIFF_FILTER="mask_port $port" observe up n1
DIFF_FILTER=${DIFF_FILTER:-}

# new_label LABEL: register a new label in the record's index (which keeps
# the recording order for the diff) and point DIFF_FILE at its file.
new_label() {
	local l
	DIFF_FILE=/dev/null
	if [[ ! $1 =~ ^[A-Za-z0-9_.+-]+$ ]]; then
		fail "bad record label '$1'"
		return
	fi
	while read -r l; do
		[[ $l != "$1" ]] || { fail "record label '$1' used twice"; return; }
	done <"$DIFF_OUT/.labels"
	echo "$1" >>"$DIFF_OUT/.labels"
	DIFF_FILE=$DIFF_OUT/$1
}

# store LABEL: stdin, through DIFF_FILTER, as LABEL's record. Feed it with
# a redirection, not a pipe (store LABEL < <(...)), so that a bad label
# counts as a failed check.
store() {
	local l
	new_label "$1"
	if [[ -n $DIFF_FILTER ]]; then
		$DIFF_FILTER >"$DIFF_FILE"
	else
		while IFS= read -r l || [[ -n $l ]]; do printf '%s\n' "$l"; done >"$DIFF_FILE"
	fi
}

# mask_port PORT...: a filter replacing each PORT (a port the kernel chose
# at random, from the ephemeral range) by RANDOM wherever the number
# stands alone. Ports below 1024 -- the fixed ones scenarios use -- and
# empty arguments are left alone.
mask_port() {
	local p script=
	for p; do
		[[ $p =~ ^[0-9]+$ && $p -ge 1024 ]] || continue
		script+="s/(^|[^0-9])$p([^0-9]|\$)/\\1RANDOM\\2/g;"
	done
	if [[ -n $script ]]; then sed -E "$script"; else cat; fi
}

# with_status CMD...: CMD's output (stdout and stderr), and a last line
# "[exit N]" when its status is not zero.
with_status() {
	local out status
	out=$("$@" 2>&1)
	status=$?
	[[ -z $out ]] || printf '%s\n' "$out"
	[[ $status -eq 0 ]] || echo "[exit $status]"
}

# record LABEL CMD...: CMD's output and status (with_status) as LABEL's record.
record() {
	local label=$1
	shift
	store "$label" < <(with_status "$@")
}

# record_sorted LABEL CMD...: the same with the lines sorted, for output
# whose order legitimately varies (say why where you use it).
record_sorted() {
	local label=$1
	shift
	store "$label" < <(with_status "$@" | sort)
}

# route_get NS ARGS...: `ip route get` in NS without the expiry countdown
# of a cached exception (a learnt path MTU: it ticks), for record.
route_get() {
	local ns=$1
	shift
	ip -n "$ns" route get "$@" | sed -E 's/ expires [0-9]+sec//'
}

# link_stats NS DEV: `ip -s -s link show` of one device (every counter
# the kernel keeps for it: rx/tx errors, dropped, ...), without indices.
link_stats() { ip -n "$1" -s -s link show dev "$2" | norm_ip; }

# note LABEL TEXT...: a line of text as LABEL's record (a value the
# scenario computed).
note() {
	local label=$1
	shift
	store "$label" < <(printf '%s\n' "$*")
}

# norm_ping: ping's output without round-trip times.
norm_ping() {
	sed -E 's/ time=[0-9.]+ ms//; s/, time [0-9]+ms//; /^rtt /d; /^$/d'
}

# ping_rec LABEL NS PING-ARGS...: a ping's output (replies, the ICMP errors
# it saw, its summary) and exit status, without times; succeeds when the
# ping did (check "..." ping_rec ... asserts it).
ping_rec() {
	local label=$1 ns=$2
	shift 2
	store "$label" < <(with_status n "$ns" ping "$@" | norm_ping)
	! grep -q '^\[exit ' "$DIFF_FILE"
}

# norm_dump: a filter for `wg show all dump` and `wg show DEV dump`: each
# peer's latest-handshake (a time) reduced to 0 or "set".
norm_dump() {
	awk -F '\t' -v OFS='\t' '
		NF == 9 && $6 != 0 { $6 = "set" }
		NF == 8 && $5 != 0 { $5 = "set" }
		{ print }'
}

# wg_dump NS [DEV]: the normalised dump of DEV, or of every device in NS.
wg_dump() {
	if [[ -n ${2:-} ]]; then
		n "$1" wg show "$2" dump | norm_dump
	else
		n "$1" wg show all dump | norm_dump
	fi
}

# norm_ip: a filter for `ip` output: no interface indices (they depend
# on what earlier runs created), and IPv6 link-local addresses reduced to
# fe80::LL (the kernel derives them from a per-namespace random secret or
# at random; whether there is one, and of which kind, stays visible).
norm_ip() {
	sed -E 's/^[0-9]+: /N: /; s/@if[0-9]+/@ifN/; s/link-netns(id)? [^ ]+/link-netns N/;
		s/fe80::[0-9a-f:]*[0-9a-f]/fe80::LL/g'
}

# The rest of this section runs inside a namespace (in_ns), where /sys
# and /proc/net are the namespace's. Builtins wherever possible: every
# process costs a tenth of a second in the guest.

# sysfs_attrs DEV: every readable attribute of the device in sysfs,
# "path: value", or the error reading it gives; the interface index and
# the counters aside (ip -s -s shows those).
sysfs_attrs() {
	local d=/sys/class/net/$1 f v e err=/tmp/.sysfs-err.$BASHPID
	(
		cd "$d" || exit
		shopt -s globstar
		for f in **; do
			[[ -f $f && $f != statistics/* && $f != uevent && $f != ifindex && $f != iflink ]] || continue
			if [[ ! -r $f ]]; then
				echo "$f: (write-only)"
				continue
			fi
			v=
			{ IFS= read -r -d '' v <"$f"; } 2>"$err"
			if [[ -s $err ]]; then
				IFS= read -r e <"$err"
				v=${e##*: }
			fi
			v=${v//$'\n'/ }
			echo "$f: ${v% }"
		done
	)
	rm -f "$err"
}

# uevent DEV: the device's uevent, its interface index aside.
uevent() {
	local l
	while IFS= read -r l; do
		[[ $l != IFINDEX=* ]] || l=IFINDEX=N
		echo "$l"
	done <"/sys/class/net/$1/uevent"
}

# icmp_counters: the ICMP and UDP counters, "Name value" per line,
# without neighbour discovery, router solicitation and MLD (timed by the
# kernel, not by the module).
icmp_counters() {
	local -a h v
	local i k x
	while read -r -a h && read -r -a v; do
		case ${h[0]} in
		Icmp: | IcmpMsg: | Udp: | UdpLite:)
			for ((i = 1; i < ${#h[@]}; i++)); do echo "${h[0]%:}.${h[i]} ${v[i]}"; done ;;
		esac
	done </proc/net/snmp
	while read -r k x; do
		[[ $k =~ ^Icmp6(In|Out)(DestUnreachs|PktTooBigs|TimeExcds|ParmProblems|Echos|EchoReplies|Errors|CsumErrors|Type(1|2|3|4|128|129))$|^Udp6 ]] &&
			echo "$k $x"
	done </proc/net/snmp6
}

# snmp NS: the ICMP and UDP counters of NS (icmp_counters), for a
# namespace without WireGuard devices (observe gives them for the others).
snmp() { in_ns "$1" icmp_counters; true; }

# snapshot DIR: the parts of observe's snapshot of this namespace, as
# files in DIR: the counters first (dump, ip, snmp), then the rest.
snapshot() {
	local d=$1 l dev devs=()
	wg show all dump 2>&1 | norm_dump >"$d/dump"
	ip -s -s -d addr show type wireguard 2>&1 | norm_ip >"$d/ip"
	icmp_counters >"$d/snmp"
	while IFS= read -r l; do
		[[ $l =~ ^N:\ ([^:@]+) ]] && devs+=("${BASH_REMATCH[1]}")
	done <"$d/ip"
	printf '%s\n' "${devs[@]}" >"$d/devs"
	for dev in "${devs[@]}"; do
		sysfs_attrs "$dev" >"$d/$dev.sysfs"
		uevent "$dev" >"$d/$dev.uevent"
	done
	{
		ip -4 route show table all
		# Sorted: IPv6 routes to one prefix over several devices come in
		# the order their carriers came up, which the kernel's link
		# watcher decides asynchronously.
		ip -6 route show table all | sort
		ip -4 rule show
		ip -6 rule show
	} 2>&1 | norm_ip >"$d/routes"
}

# in_ns NS FUNCTION [ARGS...]: run one of these functions in NS.
in_ns() {
	local ns=$1 fn=$2
	shift 2
	n "$ns" bash -c "$(declare -f); $fn \"\$@\"" "$fn" "$@"
}

# observe LABEL NS...: the standard snapshot of each namespace, as labels
#   LABEL.NS.dump        wg show all dump (normalised: norm_dump)
#   LABEL.NS.ip          ip -s -s -d addr of its WireGuard devices: flags,
#                        MTU, qdisc, link details, addresses, counters
#   LABEL.NS.snmp        ICMP and UDP counters (icmp_counters)
#   LABEL.NS.DEV.sysfs   every sysfs attribute of each WireGuard device
#   LABEL.NS.DEV.uevent  its uevent
#   LABEL.NS.routes      routes of every table and rules, both families
observe() {
	local label=$1 ns dev tmp=/tmp/diff-observe
	shift
	for ns; do
		mkdir -p "$tmp/$ns"
		in_ns "$ns" snapshot "$tmp/$ns"
	done
	for ns; do
		store "$label.$ns.dump" <"$tmp/$ns/dump"
		store "$label.$ns.ip" <"$tmp/$ns/ip"
		store "$label.$ns.snmp" <"$tmp/$ns/snmp"
		while read -r dev; do
			[[ -n $dev ]] || continue
			store "$label.$ns.$dev.sysfs" <"$tmp/$ns/$dev.sysfs"
			store "$label.$ns.$dev.uevent" <"$tmp/$ns/$dev.uevent"
		done <"$tmp/$ns/devs"
		store "$label.$ns.routes" <"$tmp/$ns/routes"
	done
	rm -rf "$tmp"
}

## The outer link: captures with tcpdump, summarised per packet by
## /kwg/probes/pcap-summary (see its header for the fields).

# tcpdump_ready FILE: tcpdump said in FILE (its stderr) that it listens.
tcpdump_ready() {
	local l
	read -r l <"$1" && [[ $l == *"listening on"* ]]
}

# capture_start NAME NS DEV [FILTER...]: capture DEV in NS into NAME.pcap
# (kept in the record for reading with tcpdump -r) until capture_stop.
# FILTER sees a UDP GSO packet (a sender's batch, which crosses a veth as
# one) whole, its length and its first message, not the datagrams that
# pcap-summary lists for it.
capture_start() {
	local name=$1 ns=$2 dev=$3
	shift 3
	# ip netns exec execs tcpdump: $! is tcpdump itself.
	# Immediate mode: each packet is handed over at once, none waits in a
	# kernel buffer block for a timeout (and is lost when we stop).
	# Whole packets (-s 65535): pcap-summary reads every message header
	# of a UDP GSO packet (up to 64 KiB) to list its segments. In
	# immediate mode each packet takes a ring frame of the snap length
	# (64 KiB on a veth): -B 16384 (KiB) makes room for 256, not 32.
	ip netns exec "$ns" tcpdump -Z root -i "$dev" -n -s 65535 -B 16384 \
		-U --immediate-mode -w "$DIFF_OUT/$name.pcap" "$@" \
		>/dev/null 2>"$DIFF_OUT/.$name.tcpdump" &
	echo $! >"$DIFF_OUT/.$name.pid"
	wait_until 10 tcpdump_ready "$DIFF_OUT/.$name.tcpdump" ||
		fail "capture $name on $ns/$dev did not start: $(tr '\n' ' ' <"$DIFF_OUT/.$name.tcpdump")"
}

# capture_stop NAME [-t|-d]: stop the capture, record its summary as
# NAME.wire (with a time column: -t seconds since its first packet, -d
# since the previous one, both rounded), and fail if any packet the
# filter took before the stop is missing from the file.
capture_stop() {
	local name=$1 pid err taken
	shift
	pid=$(cat "$DIFF_OUT/.$name.pid")
	err=$DIFF_OUT/.$name.tcpdump
	sleep 0.3	# let the packets in flight reach the capture
	# Every packet the filter took must be in the file; none dropped.
	# tcpdump counts as taken a packet that arrives while it exits, and
	# a timer's packet (a keepalive, a retransmission) can arrive then:
	# so read the count first (SIGUSR1 prints it on one line), and then
	# require that every packet taken by that moment was written.
	# Poll briefly: the time until SIGINT widens the capture's window.
	kill -USR1 "$pid"
	for _ in {1..250}; do
		grep -q 'received by filter,' "$err" && break
		sleep 0.02
	done
	taken=$(sed -n 's/.* \([0-9]*\) packets\{0,1\} received by filter,.*/\1/p' "$err" | tail -n 1)
	kill -INT "$pid"
	wait "$pid" 2>/dev/null
	awk -v taken="$taken" '
	     /packets? captured$/ { c = $1 } /packets? dropped by kernel$/ { d = $1 }
	     END { exit !(taken != "" && c != "" && c + 0 >= taken + 0 && d == 0) }' "$err" ||
		fail "capture $name lost packets (${taken:-?} taken before the stop): $(tr '\n' ' ' <"$err")"
	store "$name.wire" < <("$DIFF_PROBES/pcap-summary" "$@" "$DIFF_OUT/$name.pcap" 2>&1)
}

# widen_time LOW HIGH: a filter for a capture summary with a time column:
# any time from LOW to HIGH seconds shows as "LOW..HIGH". A declared
# tolerance for a timer whose expiry the guest's load can delay across a
# whole second (say which timer and why where you use it).
widen_time() {
	local re
	re=$(seq -s '|' "$1" "$2")
	sed -E "s/^([td])=($re) /\\1=$1..$2 /"
}

# sort_runs ERE: a filter that sorts each run of consecutive lines matching
# ERE and leaves every other line where it is: for packets whose relative
# order is a race between two hosts (a reply crossing the sender's next
# packet), while what comes before and after them keeps its place. Say why
# where you use it.
sort_runs() {
	local line run=()
	while IFS= read -r line; do
		if [[ $line =~ $1 ]]; then
			run+=("$line")
			continue
		fi
		[[ ${#run[@]} -eq 0 ]] || printf '%s\n' "${run[@]}" | sort
		run=()
		printf '%s\n' "$line"
	done
	[[ ${#run[@]} -eq 0 ]] || printf '%s\n' "${run[@]}" | sort
}

# count_kinds: a filter for a capture summary (DIFF_FILTER=count_kinds
# capture_stop NAME) that keeps only how many packets of each kind it
# holds (the wg= and icmp= fields), for scenarios where the exact order of
# packets is timing-dependent. Say why where you use it.
count_kinds() {
	grep -o ' wg=[a-z]*\| icmp6\{0,1\}=[0-9/]*' | sort | uniq -c | awk '{ print $2, $1 }'
}

# ping_wire NAME NS PING-ARGS...: a ping from NS recorded as NAME (see
# ping_rec) while the standard pair's link is captured (NAME.wire, from
# n2's end). Succeeds when the ping did.
ping_wire() {
	local name=$1 ns=$2 status
	shift 2
	capture_start "$name" n2 v2
	ping_rec "$name" "$ns" "$@"
	status=$?
	capture_stop "$name"
	return "$status"
}

## Declared differences.

# allow_diff ERE REASON: a line of the diff (a record line prefixed with
# its label and "| ", on either side) matching ERE is an expected
# difference between the modules, reported with REASON instead of failing.
allow_diff() { printf '%s\t%s\n' "$1" "$2" >>"$DIFF_OUT/.allow"; }
