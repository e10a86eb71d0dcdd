# shellcheck shell=bash
# Live slab readings for the suites that compare memory before and after
# (churn-soak, teardown-cycles). Sourced after /kwg/lib.sh.
#
# The live slab is the bytes of live objects: the sum over /proc/slabinfo
# of active objects x object size. A reading (slab_reading) comes after
# dropping caches, shrinking every cache (which flushes the per-CPU slabs,
# whose free objects slabinfo counts as active, and, under KASAN, frees the
# cache's quarantine: otherwise freed objects sit there, counted as live,
# until the quarantine is full), waiting until no network namespace is
# left, and until two readings 2 s apart agree within 16 KiB
# (RCU-deferred frees).
#
# SLAB_SNAP: the file that holds a copy of /proc/slabinfo as of the last
# reading (for slab_growth). It is made when this file is sourced, so that
# its tmpfs inode exists before any baseline: a suite makes every other
# file it keeps across readings before its first reading too.

SLAB_SNAP=${SLAB_SNAP:-/tmp/slab.last}
: >"$SLAB_SNAP"

slab_settle() {
	local c
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for c in /sys/kernel/slab/*; do
		[[ -L $c ]] || echo 1 >"$c/shrink" 2>/dev/null
	done
}

# slab_live: the live slab bytes now (and /proc/slabinfo to $SLAB_SNAP).
slab_live() {
	cp /proc/slabinfo "$SLAB_SNAP"
	awk 'NR > 2 { s += $2 * $4 } END { printf "%.0f\n", s }' "$SLAB_SNAP"
}

# slab_growth OLD NEW: the caches that changed most between two snapshots.
slab_growth() {
	awk 'FNR <= 2 { next } FILENAME == ARGV[1] { o[$1] = $2 * $4; next }
		{ d = int(($2 * $4 - o[$1]) / 1024); a = d < 0 ? -d : d; if (a >= 4) print a, $1, d }' "$1" "$2" |
		sort -nr | head -n 12 | awk '{ printf "%s%s %+d KiB", (NR > 1 ? ", " : ""), $2, $3 }'
}

# kworkers: the number of workqueue workers, kernel threads that come and
# go with load (each a task_struct and a few small objects; idle ones are
# reaped after 5 min). Only these: a kernel thread of any other name that
# stays (a leaked workqueue's rescuer, say) earns no allowance.
kworkers() {
	local p k=0 c
	for p in /proc/[0-9]*; do
		[[ -s $p/cmdline ]] && continue
		read -r c <"$p/comm" 2>/dev/null || continue
		[[ $c == kworker/* ]] && k=$((k + 1))
	done
	echo "$k"
}

# task_size: a task_struct's size in the slab.
task_size() { awk '$1 == "task_struct" { print $4 }' /proc/slabinfo; }

# nets_alive: network namespaces allocated and not yet freed (init_net is
# static), from the net_namespace cache. The kernel keeps the structs of
# the last namespaces destroyed (1 or 2, seen on 6.1 with plain
# namespaces, no WireGuard) until more are destroyed: nets_wait makes and
# deletes a scratch namespace every 5 s while it waits for at most
# NETS0 = 1 to be left. Prints "none" when slabinfo has no net_namespace
# cache (merged into another one, say), so that a check on the count
# fails instead of reading 0.
NETS0=1
nets_alive() {
	echo 1 >/sys/kernel/slab/net_namespace/shrink 2>/dev/null
	awk '$1 == "net_namespace" { print $2; f = 1 } END { if (!f) print "none" }' /proc/slabinfo
}

# nets_freed: at most NETS0 network namespaces left.
nets_freed() {
	local a
	a=$(nets_alive)
	[[ $a =~ ^[0-9]+$ && $a -le $NETS0 ]]
}

# nets_wait: wait (up to 120 s) until at most NETS0 namespaces are left.
nets_wait() {
	local i
	for i in $(seq 120); do
		nets_freed && return 0
		if ((i % 5 == 0)); then
			ip netns add kwg-flush && ip netns del kwg-flush
		fi
		sleep 1
	done
	echo "# $(nets_alive) network namespaces still allocated after 120 s"
	return 1
}

# slab_reading: live slab bytes once nothing is pending.
slab_reading() {
	local i prev=-1 cur
	nets_wait >&2
	for i in 1 2 3 4 5 6 7 8; do
		slab_settle
		cur=$(slab_live)
		if ((prev >= 0 && (cur - prev < 16384 && prev - cur < 16384))); then
			echo "$cur"
			return 0
		fi
		prev=$cur
		sleep 2
	done
	echo "# live slab still moving after 8 readings (the last: $cur)" >&2
	echo "$cur"
}
