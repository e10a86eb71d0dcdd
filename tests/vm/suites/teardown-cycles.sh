#!/bin/bash
# kwg-vm: stock=yes long timeout=2400
# Teardown under traffic, KWG_TEARDOWN_CYCLES (default 100) times: three
# namespaces, a tunnel pair (devices created in ns0 and moved to ns1 and
# ns2, their sockets on ns0's loopback), ping floods both ways and a TCP
# stream; then, mid-stream, in rotation:
#   netns  - odd turns: ns0, the namespace that holds the sockets, is
#            deleted (the devices outlive it, inert); even turns: the
#            traffic is killed and ns1 and ns2 deleted at once, so the
#            namespaces holding the devices die with packets in flight;
#   device - both devices deleted (ip link del);
#   module - rmmod wireguard with both devices up and traffic flowing (both
#            modules allow it: unloading deletes every device; the next
#            cycle loads it again through its alias).
# Then everything left is deleted. Checks: every cycle's tunnel came up
# and carried the stream, every deletion succeeded, rmmod was never
# refused and left no device, and the live slab (bytes of live objects,
# the sum over /proc/slabinfo of active objects x object size) after
# cycle 100 is within 1 MiB of that after cycle 10. Each reading comes
# after dropping caches, shrinking every cache (per-CPU slabs flushed and,
# under KASAN, the cache's quarantine freed: otherwise freed objects sit
# there, counted as live, until the quarantine is full), waiting until no
# network namespace is left, and until two readings 2 s apart agree
# (RCU-deferred frees). Cycles 10 and 100 are both netns turns with the
# module loaded. The harness fails the run on any kernel report.
. /kwg/lib.sh
. /kwg/common/topo.sh

CYCLES=${KWG_TEARDOWN_CYCLES:-100}
MID=10
LIMIT=$((1024 * 1024))
D=/tmp/tc
mkdir -p "$D"
: >"$D/errors"
# Every file exists from the start (tmpfs inodes are slab objects).
for f in 1 $MID 50 100 "$CYCLES"; do : >"$D/slabinfo.$f"; done
SLAB_SNAP=$D/slabinfo.last
. /kwg/common/slab.sh


# e CYCLE CMD...: a command that must succeed; a failure is recorded.
e() {
	local cy=$1 out
	shift
	out=$("$@" 2>&1) || echo "cycle $cy: $* -> $out" >>"$D/errors"
}

# The keys (topo.sh's key files) are made once; every cycle uses them.
key wg1 >/dev/null
key wg2 >/dev/null
: >"$D/iperf"

# The traffic runs as plain commands (ip netns exec execs them), not
# through the function n: $! is then the process itself, and kill -9
# really stops it (a killed subshell would leave it running, holding its
# namespace).
pids=()
traffic() {
	ip netns exec ns2 iperf3 -s -1 -i 0.5 --forceflush >"$D/iperf" 2>&1 &
	pids+=($!)
	ip netns exec ns1 ping -f -w 60 192.168.241.2 >/dev/null 2>&1 &
	pids+=($!)
	ip netns exec ns2 ping -f -w 60 192.168.241.1 >/dev/null 2>&1 &
	pids+=($!)
	wait_until 5 listening ns2 5201
	ip netns exec ns1 iperf3 -c 192.168.241.2 -b 20M -t 60 -i 0.5 >/dev/null 2>&1 &
	pids+=($!)
}
# stream_moving: the server (the receiving end) reported an interval with
# data received. Not the client: what it counts was written to its socket,
# not delivered, and its lines end with the congestion window, a size in
# bytes that is never zero.
stream_moving() { grep -Eq ' (0\.0*[1-9]|[1-9])[0-9.]* [KMG]?Bytes ' "$D/iperf"; }
stop_traffic() {
	kill -9 "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	pids=()
}
# left: processes still in a namespace other than ours (none must be).
left() {
	local p me
	me=$(readlink /proc/self/ns/net)
	for p in /proc/[0-9]*; do
		[[ -s $p/cmdline && $(readlink "$p/ns/net" 2>/dev/null) != "$me" ]] &&
			tr '\0' ' ' <"$p/cmdline" && echo
	done
}

declare -A slab kt
t_start=$SECONDS
t_max=0
netns_turn=0
refused=0
for cy in $(seq "$CYCLES"); do
	mode=$(((cy - 1) % 3))
	t_cy=$SECONDS
	pair_loopback 1 4 2>>"$D/errors"
	if ! wait_until 10 n ns1 ping -c1 -W1 192.168.241.2; then
		echo "cycle $cy: the tunnel did not come up" >>"$D/errors"
	fi
	: >"$D/iperf"
	traffic
	wait_until 10 stream_moving || echo "cycle $cy: no TCP data through the tunnel" >>"$D/errors"
	case $mode in
	0)
		netns_turn=$((netns_turn + 1))
		if ((netns_turn % 2)); then
			e "$cy" ip netns del ns0
			sleep 0.5
			stop_traffic
		else
			stop_traffic &
			e "$cy" ip netns del ns1
			e "$cy" ip netns del ns2
			wait
			pids=()
		fi
		;;
	1)
		e "$cy" ip -n ns1 link del wg1
		e "$cy" ip -n ns2 link del wg2
		sleep 0.5
		stop_traffic
		;;
	2)
		if ! out=$(rmmod wireguard 2>&1); then
			refused=$((refused + 1))
			echo "cycle $cy: rmmod refused with devices up: $out" >>"$D/errors"
			ip -n ns1 link del wg1
			ip -n ns2 link del wg2
			e "$cy" rmmod wireguard
		fi
		grep -q '^wireguard ' /proc/modules && echo "cycle $cy: still loaded after rmmod" >>"$D/errors"
		for i in 1 2; do
			ip -n "ns$i" link show "wg$i" >/dev/null 2>&1 &&
				echo "cycle $cy: wg$i outlived rmmod" >>"$D/errors"
		done
		sleep 0.5
		stop_traffic
		;;
	esac
	for ns in ns0 ns1 ns2; do
		[[ -e /run/netns/$ns ]] && e "$cy" ip netns del "$ns"
	done
	t=$((SECONDS - t_cy))
	((t > t_max)) && t_max=$t
	l=$(left)
	[[ -z $l ]] || echo "cycle $cy: processes left in the namespaces: $l" >>"$D/errors"
	if [[ $cy -eq 1 || $cy -eq $MID || $cy -eq $CYCLES || $((cy % 50)) -eq 0 ]]; then
		slab[$cy]=$(slab_reading)
		cp "$SLAB_SNAP" "$D/slabinfo.$cy"
		kt[$cy]=$(kworkers)
		echo "# after cycle $cy ($((SECONDS - t_start)) s): live slab ${slab[$cy]} bytes, ${kt[$cy]} workqueue workers, $(awk '/^Slab:/ { print $2 }' /proc/meminfo) kB Slab in meminfo, $(nets_alive) namespaces pending"
		# Each reading after cycle MID names the caches that grew since
		# it: a leak shows its cache long before cycle 100.
		((cy > MID)) &&
			echo "# caches changed since cycle $MID by more than 4 KiB: $(slab_growth "$D/slabinfo.$MID" "$D/slabinfo.$cy")"
	fi
done
elapsed=$((SECONDS - t_start))
echo "# $CYCLES cycles in $elapsed s ($((elapsed * 10 / CYCLES / 10)).$((elapsed * 10 / CYCLES % 10)) s each, the longest $t_max s before its reading)"
check_eq "every cycle came up, carried traffic and was torn down without an error" "" "$(cat "$D/errors")"
check_eq "rmmod under traffic with devices up was never refused" 0 "$refused"
check "every network namespace was freed (at most the last one left: $(nets_alive))" nets_freed
check "the module loads again" modprobe wireguard
if [[ $CYCLES -gt $MID && ${slab[$MID]} =~ ^[1-9][0-9]*$ && ${slab[$CYCLES]} =~ ^[1-9][0-9]*$ ]]; then
	delta=$((slab[$CYCLES] - slab[$MID]))
	echo "# live slab: cycle 1 ${slab[1]}, cycle $MID ${slab[$MID]}, cycle $CYCLES ${slab[$CYCLES]} bytes: $((delta / 1024)) KiB from cycle $MID"
	echo "# caches that changed by more than 4 KiB: $(slab_growth "$D/slabinfo.$MID" "$D/slabinfo.$CYCLES")"
	check "live slab after cycle $CYCLES within 1 MiB of cycle $MID ($((delta / 1024)) KiB)" \
		test "${delta#-}" -le "$LIMIT"
else
	fail "live slab after cycle $CYCLES within 1 MiB of cycle $MID: no reading to compare (cycles $CYCLES, readings '${slab[$MID]:-}' '${slab[$CYCLES]:-}')"
fi
finish
