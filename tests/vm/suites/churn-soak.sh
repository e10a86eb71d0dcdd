#!/bin/bash
# kwg-vm: stock=yes long timeout=900
# Churn soak (KWG_SOAK_SECONDS, default 600 s): a hub and four peers, each
# peer with pings both ways (5 a second) and a paced TCP stream to the hub,
# while a churn script keeps reconfiguring: peers removed and re-added,
# allowed IPs replaced (and taken away and given back), private keys of a
# peer and of the hub changed, preshared keys changed, listen ports and
# endpoints moved, the device taken down and up, and moved to another
# namespace and back. Each change that breaks a tunnel is followed on the
# other side so that the tunnel can come back, and is logged as a window
# (kind, the peers it concerns, start, end).
#
# Checks:
# - no stall: for each peer and direction, the longest stretch without a
#   ping reply from the start of the churn (once every ping has answered)
#   to 12 s after its end, not counting the time inside a window of that
#   peer, stays within BOUND = 7 s. Once a window ends both sides agree
#   again, and a side with traffic and no usable session initiates at
#   once; the worst case is an initiation sent inside the window (to a
#   side that cannot answer it yet), repeated after REKEY_TIMEOUT (5 s)
#   plus up to 1/3 s of jitter. Add the ping interval (0.2 s), a handshake
#   round trip and 1.3 s of TCG scheduling slack (a loaded TCG guest loses
#   a second now and then, see soak.sh): 7 s. A second lost retry (>= 10
#   s) fails. After each window the churn waits BOUND + 1 s before the
#   next one, so that a slow recovery cannot hide behind the next window;
#   changes that must not break anything (dummy peers added and removed,
#   allowed IPs replaced, endpoints moved between addresses) run meanwhile
#   and get no window.
#   On a debug kernel a handshake is no longer quick next to REKEY_TIMEOUT
#   (the KASAN guest takes seconds for one, and a `wg set' takes several),
#   and the stock module stalls up to 26 s there (ours: 11 s), so the
#   bound is REKEY_ATTEMPT_TIME, 90 s: a peer must not give up on its own
#   handshakes after any change. The 7 s bound holds on Debian's kernels.
# - the TCP streams run to their end without an error, and their longest
#   run of seconds without a byte received (at 1 s resolution) stays within
#   2 x (longest window + BOUND) + 2 s: an outage of T seconds makes TCP
#   back off its retransmission timer to up to ~2T.
# - every churn command succeeded, every kind of change was made, and the
#   tunnels work at the end.
# - slab back to baseline: the bytes of live slab objects (sum over
#   /proc/slabinfo of active objects x object size) after everything is
#   deleted, within SLAB_TOL of the figure before setup. Both readings come
#   after dropping caches, shrinking every cache (which flushes per-CPU
#   slabs and, under KASAN, the cache's quarantine), waiting until no
#   network namespace is left and until two readings 2 s apart agree
#   (RCU-deferred frees). The baseline follows a warm-up (module loaded, a
#   device and namespaces made and deleted) so one-time allocations are in
#   both. See SLAB_TOL for the tolerance.
# The harness fails the run on any kernel report in dmesg.
. /kwg/lib.sh
. /kwg/common/topo.sh

# On a debug kernel the soak lasts 1500 s: there each change that breaks a
# tunnel and the quiet changes after it take ~80 s, not ~16 s (KASAN guest,
# 6.1), so 600 s make only 7 of the 11 kinds. KWG_SOAK_SECONDS sets another
# length on a debug kernel only (-k kasan, kcsan or uml); elsewhere it must
# be left unset.
if debug_kernel; then
	DUR=${KWG_SOAK_SECONDS:-1500}
else
	DUR=${KWG_SOAK_SECONDS:-600}
	if [[ $DUR != 600 ]]; then
		fail "KWG_SOAK_SECONDS=$DUR: the soak's length changes only on a debug kernel (this is $KWG_KERNEL)"
		finish
	fi
fi
NP=4
BOUND=7.0
SETTLE=8	# > BOUND: seconds between the end of a window and the next one
# A debug kernel's bound (see the checks above). SETTLE stays 8 s there: a
# longer one would leave kinds of change unmade within the soak.
debug_kernel && BOUND=90.0
# Slab tolerance: 512 KiB, plus what the workqueue workers (kworker/*)
# that appeared since the baseline hold (task_struct + 4 KiB each for the
# pid, its IDR nodes, the worker structs). Under load the workqueues add
# workers, which are only reaped after 5 min idle: 10-15 of them here.
# Other kernel threads earn nothing. Measured on 6.1
# (ours and stock, 120 s and 600 s): 270-440 KiB more after teardown than
# at the baseline, mostly those workers, page-cache and pid IDR nodes and
# the shell's own objects, none in the module's caches. The 600 s churn
# adds and removes ~1,500 dummy peers (printed below; ~1.5 KiB each with
# two allowed IPs), so a peer leaked per dummy peer (> 2 MiB) is well
# above the tolerance; a leak of a few objects per change is not caught
# here, but by kmemleak on the debug kernel (-k kasan). A shortened soak
# (debug kernel) adds fewer dummy peers, so this bound is weaker there.
SLAB_TOL=$((512 * 1024))
# Files made after the baseline go to $D, deleted before the last reading
# (tmpfs inodes and their page-cache nodes are slab objects too).
D=/tmp/cs
S=/tmp/cs-slab
umask 077	# key files (wg warns about world-readable ones)
SLAB_SNAP=$S.last
. /kwg/common/slab.sh


# c CMD...: a churn command; its failure is recorded (and fails the suite).
c() {
	local out
	out=$("$@" 2>&1) || echo "$* -> $out" >>"$D/errors"
}

newkey() { wg genkey >"$D/k/$1"; wg pubkey <"$D/k/$1"; }

# ------------------------------------------------------------- warm-up
warm_up() {
	modprobe wireguard
	netns_add w1 w2
	ip link add wv1 netns w1 type veth peer name wv2 netns w2
	ip -n w1 link add wg0 type wireguard
	ip -n w1 link set wg0 netns w2
	ip -n w2 link set wg0 up
	ip -n w2 link del wg0
	ip netns del w1
	ip netns del w2
}
warm_up
: >"$S.base"
: >"$S.pids"
base=$(slab_reading)
cp "$SLAB_SNAP" "$S.base"
pids() { local p; for p in /proc/[0-9]*; do echo "${p#/proc/}"; done; }
pids >"$S.pids"
kt0=$(kworkers)
echo "# slab baseline: $base bytes live ($(awk '/^Slab:/ { print $2 }' /proc/meminfo) kB Slab in meminfo), $(wc -l <"$S.pids") processes"
mkdir -p "$D/k"
: >"$D/windows"
: >"$D/errors"
: >"$D/quiet"

# --------------------------------------------------------------- setup
# hub: wg0 192.168.100.1, listening on HUB_PORT; h$i 10.$i.0.1 and .4.
# p$i: wg0 192.168.100.(10+i) on PORT[i]; v 10.$i.0.2 and .3.
netns_add hub park
HUB_PORT=51820
HUB_PUB=$(newkey hub0)
HUB_KEY=$D/k/hub0
HUB_SEL=1	# the hub address the peers use: 10.$i.0.1 or .4
for i in $(seq $NP); do
	netns_add "p$i"
	ip link add "h$i" netns hub type veth peer name v netns "p$i"
	ip -n hub addr add "10.$i.0.1/24" dev "h$i"
	ip -n hub addr add "10.$i.0.4/24" dev "h$i"
	ip -n "p$i" addr add "10.$i.0.2/24" dev v
	ip -n "p$i" addr add "10.$i.0.3/24" dev v
	ip -n hub link set "h$i" up
	ip -n "p$i" link set v up
	PUB[i]=$(newkey "p$i.0")
	KEY[i]=$D/k/p$i.0
	PORT[i]=$((52000 + i))
	PSKF[i]=/dev/null
	SEL[i]=2	# the address the hub uses for p$i: 10.$i.0.2 or .3
	AIPS[i]=192.168.100.$((10 + i))/32
	ip -n "p$i" link add wg0 type wireguard
done
ip -n hub link add wg0 type wireguard

hub_peer() {	# hub_peer I: configure peer I on the hub
	c n hub wg set wg0 peer "${PUB[$1]}" allowed-ips "${AIPS[$1]}" \
		endpoint "10.$1.0.${SEL[$1]}:${PORT[$1]}" preshared-key "${PSKF[$1]}"
}
peer_hub() {	# peer_hub I: configure the hub as the peer of p$I
	c n "p$1" wg set wg0 peer "$HUB_PUB" allowed-ips 192.168.100.0/24 \
		endpoint "10.$1.0.$HUB_SEL:$HUB_PORT" preshared-key "${PSKF[$1]}"
}
hub_addr() { c ip -n hub addr add 192.168.100.1/24 dev wg0; c ip -n hub link set wg0 up; }
peer_addr() { c ip -n "p$1" addr add "192.168.100.$((10 + $1))/24" dev wg0; c ip -n "p$1" link set wg0 up; }

c n hub wg set wg0 private-key "$HUB_KEY" listen-port "$HUB_PORT"
for i in $(seq $NP); do
	c n "p$i" wg set wg0 private-key "${KEY[i]}" listen-port "${PORT[i]}"
	hub_peer "$i"
	peer_hub "$i"
	peer_addr "$i"
done
hub_addr
check_eq "setup commands succeeded" "" "$(cat "$D/errors")"
for i in $(seq $NP); do
	check "peer $i: tunnel up (to the hub)" wait_until 20 n "p$i" ping -c1 -W2 192.168.100.1
	check "peer $i: tunnel up (from the hub)" n hub ping -c1 -W2 "192.168.100.$((10 + i))"
done

# ------------------------------------------------------------- traffic
# The timeouts are safety nets: each server ends after its one stream, and
# each client after its -t. They leave room for a slow start: on the KASAN
# guest the servers' DUR + 60 s ran out before streams that started late
# had ended ("interrupt - the server has terminated"). Nor may iperf3's
# own idle limit (120 s) end a stream: a window lasts up to 139 s there
# (peer-netns), and the longest run without data is checked below.
for i in $(seq $NP); do
	n hub timeout $((DUR + 300)) iperf3 -s -1 -J --rcv-timeout $((DUR * 1000)) -p $((5200 + i)) >"$D/srv$i.json" 2>&1 &
done
for i in $(seq $NP); do wait_until 10 listening hub $((5200 + i)); done
T0=$EPOCHREALTIME
for i in $(seq $NP); do
	# No -w: with a deadline, ping stops at its first error (an
	# unreachable while a peer is removed, say). SIGINT ends it cleanly.
	n "p$i" timeout -s INT "$DUR" ping -D -n -i 0.2 192.168.100.1 >"$D/up$i" 2>&1 &
	n hub timeout -s INT "$DUR" ping -D -n -i 0.2 "192.168.100.$((10 + i))" >"$D/down$i" 2>&1 &
	# Paced: four streams and eight pings must leave the TCG guest idle
	# time, or it drops packets and stalls on its own.
	(n "p$i" timeout $((DUR + 240)) iperf3 -J -c 192.168.100.1 -p $((5200 + i)) -b 2M -t $((DUR - 3)) \
		>"$D/cli$i.json" 2>&1; echo $? >"$D/cli$i.status") &
done
sleep 2
# The churn, and the measured span, start once every ping has had its first
# reply: on the KASAN guest starting the twelve processes above takes
# seconds, and a ping that has not started yet is not a stall (each peer's
# longest "stall" was its wait for the first reply, at +0.0 s).
first_replies() {
	local i
	for i in $(seq $NP); do
		grep -q 'bytes from' "$D/up$i" && grep -q 'bytes from' "$D/down$i" || return 1
	done
}
check "every ping has its first reply before the churn" wait_until 30 first_replies

# --------------------------------------------------------------- churn
# window KIND SCOPE START: log a window (SCOPE: a peer number or "all").
window() { echo "$1 $2 $3 $EPOCHREALTIME" >>"$D/windows"; }
gen=0

d_peer_readd() {	# the hub removes peer I and adds it again
	local s=$EPOCHREALTIME
	c n hub wg set wg0 peer "${PUB[$1]}" remove
	sleep 0.5
	hub_peer "$1"
	window peer-readd "$1" "$s"
}
d_peer_key() {	# peer I gets a new private key, the hub follows (either order)
	local s=$EPOCHREALTIME old=${PUB[$1]}
	gen=$((gen + 1))
	PUB[$1]=$(newkey "p$1.$gen")
	KEY[$1]=$D/k/p$1.$gen
	if (($2 % 2)); then
		c n "p$1" wg set wg0 private-key "${KEY[$1]}"
		c n hub wg set wg0 peer "$old" remove
		hub_peer "$1"
	else
		c n hub wg set wg0 peer "$old" remove
		hub_peer "$1"
		c n "p$1" wg set wg0 private-key "${KEY[$1]}"
	fi
	window peer-key "$1" "$s"
}
d_psk() {	# a new preshared key for peer I, on one side then the other
	local s=$EPOCHREALTIME
	gen=$((gen + 1))
	PSKF[$1]=$D/k/psk$1.$gen
	wg genpsk >"${PSKF[$1]}"
	if (($2 % 2)); then
		c n "p$1" wg set wg0 peer "$HUB_PUB" preshared-key "${PSKF[$1]}"
		c n hub wg set wg0 peer "${PUB[$1]}" preshared-key "${PSKF[$1]}"
	else
		c n hub wg set wg0 peer "${PUB[$1]}" preshared-key "${PSKF[$1]}"
		c n "p$1" wg set wg0 peer "$HUB_PUB" preshared-key "${PSKF[$1]}"
	fi
	window psk "$1" "$s"
}
d_peer_port() {	# peer I listens on another port; the hub's endpoint follows
	local s=$EPOCHREALTIME
	PORT[$1]=$((PORT[$1] == 52000 + $1 ? 53000 + $1 : 52000 + $1))
	if (($2 % 2)); then
		c n "p$1" wg set wg0 listen-port "${PORT[$1]}"
		hub_peer "$1"
	else
		hub_peer "$1"
		c n "p$1" wg set wg0 listen-port "${PORT[$1]}"
	fi
	window peer-port "$1" "$s"
}
d_peer_downup() {
	local s=$EPOCHREALTIME
	c ip -n "p$1" link set wg0 down
	sleep 0.5
	c ip -n "p$1" link set wg0 up
	window peer-downup "$1" "$s"
}
d_peer_netns() {	# peer I's wg0 to namespace park and back
	local s=$EPOCHREALTIME
	c ip -n "p$1" link set wg0 netns park
	c ip -n park link set wg0 up
	sleep 0.5
	c ip -n park link set wg0 netns "p$1"
	peer_addr "$1"
	window peer-netns "$1" "$s"
}
d_aips_away() {	# the hub gives peer I allowed IPs without its address, then back
	local s=$EPOCHREALTIME
	c n hub wg set wg0 peer "${PUB[$1]}" allowed-ips "10.21$1.0.0/16"
	sleep 0.5
	hub_peer "$1"
	window aips-away "$1" "$s"
}
d_hub_key() {	# the hub gets a new private key, every peer follows
	local s=$EPOCHREALTIME old=$HUB_PUB i
	gen=$((gen + 1))
	HUB_PUB=$(newkey "hub$gen")
	HUB_KEY=$D/k/hub$gen
	(($2 % 2)) && c n hub wg set wg0 private-key "$HUB_KEY"
	for i in $(seq $NP); do
		c n "p$i" wg set wg0 peer "$old" remove
		peer_hub "$i"
	done
	(($2 % 2)) || c n hub wg set wg0 private-key "$HUB_KEY"
	window hub-key all "$s"
}
d_hub_port() {	# the hub listens on another port, every peer follows
	local s=$EPOCHREALTIME i
	HUB_PORT=$((HUB_PORT == 51820 ? 51821 : 51820))
	(($2 % 2)) && c n hub wg set wg0 listen-port "$HUB_PORT"
	for i in $(seq $NP); do peer_hub "$i"; done
	(($2 % 2)) || c n hub wg set wg0 listen-port "$HUB_PORT"
	window hub-port all "$s"
}
d_hub_downup() {
	local s=$EPOCHREALTIME
	c ip -n hub link set wg0 down
	sleep 0.5
	c ip -n hub link set wg0 up
	window hub-downup all "$s"
}
d_hub_netns() {
	local s=$EPOCHREALTIME
	c ip -n hub link set wg0 netns park
	c ip -n park link set wg0 up
	sleep 0.5
	c ip -n park link set wg0 netns hub
	hub_addr
	window hub-netns all "$s"
}
DKINDS=(peer_readd peer_key psk peer_port peer_downup peer_netns aips_away
	hub_key hub_port hub_downup hub_netns)

# Changes that must leave every tunnel usable.
dummies=0
q_dummies() {	# 50 dummy peers with allowed IPs added to the hub, or removed
	local args=() k j=0
	if [[ -s $D/dummy ]]; then
		while read -r k; do args+=(peer "$k" remove); done <"$D/dummy"
		: >"$D/dummy"
	else
		randkeys 50 >"$D/dummy"
		while read -r k; do
			j=$((j + 1))
			args+=(peer "$k" allowed-ips "10.250.$((RANDOM % 256)).$j/32,fd50::$(printf %x $RANDOM):$j/128")
		done <"$D/dummy"
		dummies=$((dummies + 50))
	fi
	c n hub wg set wg0 "${args[@]}"
	echo "dummies $EPOCHREALTIME" >>"$D/quiet"
}
q_aips() {	# peer I's allowed IPs replaced: its address plus others
	AIPS[$1]=192.168.100.$((10 + $1))/32,10.22$1.$((RANDOM % 256)).0/24,fd2$1::$(printf %x $RANDOM)/64
	hub_peer "$1"
	echo "aips $EPOCHREALTIME" >>"$D/quiet"
}
q_endpoint() {	# the hub's endpoint for peer I, or peer I's for the hub, moved
	if ((RANDOM % 2)); then
		SEL[$1]=$((SEL[$1] == 2 ? 3 : 2))
		hub_peer "$1"
	else
		HUB_SEL=$((HUB_SEL == 1 ? 4 : 1))
		peer_hub "$1"
	fi
	echo "endpoint $EPOCHREALTIME" >>"$D/quiet"
}
QKINDS=(dummies aips endpoint)

Ts=$EPOCHREALTIME
step=0
stop=$(awk -v t="$T0" -v d="$DUR" 'BEGIN { printf "%d", t + d - 15 - 12 }')
while ((${EPOCHREALTIME%.*} < stop)); do
	kind=${DKINDS[step % ${#DKINDS[@]}]}
	"d_$kind" $((step % NP + 1)) $((step / ${#DKINDS[@]}))
	step=$((step + 1))
	# The settle time, with changes that must not break anything.
	end=$((${EPOCHREALTIME%.*} + SETTLE))
	j=0
	while ((${EPOCHREALTIME%.*} < end)); do
		sleep 1.5
		"q_${QKINDS[j % ${#QKINDS[@]}]}" $(((step + j) % NP + 1))
		j=$((j + 1))
	done
done
Tc=$EPOCHREALTIME
echo "# churn: $step changes that break a tunnel, $(wc -l <"$D/quiet") that must not, $dummies dummy peers, in $(awk -v a="$Ts" -v b="$Tc" 'BEGIN { printf "%d", b - a }') s"
wait

# ------------------------------------------------------------ analysis
check_eq "every churn command succeeded" "" "$(cat "$D/errors")"
check_eq "every kind of change was made" "${#DKINDS[@]}" "$(awk '{ print $1 }' "$D/windows" | sort -u | wc -l)"
# The pace: a change, its window (up to ~15 s for one that touches every
# peer on a loaded TCG guest), then SETTLE; measured on 6.1, stock: 36
# changes in 572 s, 16 s each. A premise of production speed: on a debug
# kernel, every kind made (above) is what is checked.
if debug_kernel; then
	skip "at least one change that breaks a tunnel per 20 s (debug kernel: $step in $DUR s)"
else
	check "at least one change that breaks a tunnel per 20 s ($step)" ge "$step" $(((DUR - 30) / 20))
fi
# The measured span: from the start of the churn to 12 s after its end.
Te=$(awk -v c="$Tc" -v t="$T0" -v d="$DUR" 'BEGIN { e = c + 12; if (e > t + d - 1) e = t + d - 1; printf "%.6f", e }')
maxwin=$(awk '{ d = $4 - $3; if (d > m) m = d } END { printf "%.3f", m }' "$D/windows")
echo "# windows: $(wc -l <"$D/windows"), longest $maxwin s; by kind, longest (count): $(awk '
	{ d = $4 - $3; if (d > m[$1]) m[$1] = d; c[$1]++ }
	END { for (k in m) printf "%s=%.1fs(%d) ", k, m[k], c[k] }' "$D/windows")"

# stall SCOPE FILE: "longest-unexcused-gap seconds-into-churn replies".
stall() {
	awk -v ts="$Ts" -v te="$Te" -v scope="$1" '
	FILENAME == ARGV[1] {
		if ($2 == scope || $2 == "all") { n++; ws[n] = $3; we[n] = $4 }
		next
	}
	/bytes from/ {
		t = substr($1, 2, length($1) - 2) + 0
		if (t > ts && t < te) r[++m] = t
	}
	END {
		r[0] = ts; r[m + 1] = te; worst = 0; at = 0
		for (k = 0; k <= m; k++) {
			a = r[k]; b = r[k + 1]; cur = a
			for (w = 1; w <= n; w++) {
				if (we[w] <= a || ws[w] >= b) continue
				if (ws[w] > cur && ws[w] - cur > worst) { worst = ws[w] - cur; at = cur }
				if (we[w] > cur) cur = we[w]
			}
			if (b - cur > worst) { worst = b - cur; at = cur }
		}
		printf "%.3f %.1f %d\n", worst, at - ts, m
	}' "$D/windows" "$2"
}
# recovery: per window kind, the longest time from a window's end to the
# next reply, over the peers and directions it concerns.
recovery() {
	local i
	for i in $(seq $NP); do
		for f in "$D/up$i" "$D/down$i"; do
			awk -v scope="$i" '
			FILENAME == ARGV[1] { if ($2 == scope || $2 == "all") { n++; k[n] = $1; we[n] = $4 }; next }
			/bytes from/ { r[++m] = substr($1, 2, length($1) - 2) + 0 }
			END {
				j = 1
				for (w = 1; w <= n; w++) {
					while (j <= m && r[j] <= we[w]) j++
					if (j <= m) printf "%s %.3f\n", k[w], r[j] - we[w]
				}
			}' "$D/windows" "$f"
		done
	done | awk '{ if ($2 > m[$1]) m[$1] = $2; c[$1]++ } END { for (k in m) printf "%s=%.2fs(%d) ", k, m[k], c[k] }'
}
echo "# longest recovery after a window, by kind (samples): $(recovery)"
# context AT GAP: the windows and quiet changes from 10 s before a stall
# (AT s into the churn, GAP s long) to 10 s after it, to tell what it
# followed.
context() {
	awk -v ts="$Ts" -v a="$1" -v g="$2" '
	FILENAME == ARGV[1] {
		s = $3 - ts; e = $4 - ts
		if (e >= a - 10 && s <= a + g + 10)
			printf "#   window %s (%s) from +%.1f to +%.1f s\n", $1, $2, s, e
		next
	}
	{ t = $2 - ts; if (t >= a - 10 && t <= a + g + 10) printf "#   quiet change %s at +%.1f s\n", $1, t }
	' "$D/windows" "$D/quiet"
}
# within_bound SECONDS...: every one at most BOUND.
within_bound() { awk -v l="$BOUND" 'BEGIN { for (i = 1; i < ARGC; i++) if (ARGV[i] + 0 > l + 0) exit 1 }' "$@"; }
for i in $(seq $NP); do
	read -r gu au ru <<<"$(stall "$i" "$D/up$i")"
	read -r gd ad rd <<<"$(stall "$i" "$D/down$i")"
	echo "# peer $i: to the hub $ru replies, longest stall $gu s (at +$au s); from the hub $rd replies, longest stall $gd s (at +$ad s)"
	# Each stall over the bound gets its context, once where both
	# directions stalled at the same moment.
	shown=""
	within_bound "$gu" || { context "$au" "$gu"; shown=$au; }
	within_bound "$gd" || [[ $ad == "$shown" ]] || context "$ad" "$gd"
	check "peer $i: no stall over $BOUND s outside its windows (to the hub $gu s, from the hub $gd s)" \
		within_bound "$gu" "$gd"
done

# TCP: the receiver's bytes per second (iperf3 server intervals).
tcp_bound=$(awk -v w="$maxwin" -v b="$BOUND" 'BEGIN { printf "%d", 2 * (w + b) + 2 }')
for i in $(seq $NP); do
	awk '/"intervals":/ { on = 1 } /"end":[ \t]*\{/ { on = 0 }
		on && /"sum":/ { s = 1 } s && /"bytes":/ { gsub(/[^0-9]/, "", $2); print $2; s = 0 }' \
		"$D/srv$i.json" >"$D/iv$i"
	zrun=$(awk '{ z = ($1 == 0) ? z + 1 : 0; if (z > m) m = z } END { print m + 0 }' "$D/iv$i")
	echo "# peer $i TCP: $(wc -l <"$D/iv$i") intervals, received $(json_num "$D/srv$i.json" sum_received bytes) bytes, longest run without data $zrun s, retransmits $(json_num "$D/cli$i.json" sum_sent retransmits)"
	check_eq "peer $i: the TCP stream ran to its end (iperf3 status)" 0 "$(cat "$D/cli$i.status")"
	check_fails "peer $i: no error in the TCP stream" grep -h '"error"' "$D/srv$i.json" "$D/cli$i.json"
	# Its length from the receiver's end-of-test summary: on a loaded TCG
	# guest the 1 s intervals stretch, so there are fewer of them (593-594
	# for a 597 s stream, seen on 6.1 stock). Paced at 2 Mbit/s, the stream
	# must deliver 250,000 bytes a second (it did in full on every run).
	secs=$(json_num "$D/srv$i.json" sum_received seconds)
	rx=$(json_num "$D/srv$i.json" sum_received bytes)
	check "peer $i: the TCP stream lasted $((DUR - 3)) s ($secs s)" ge "$secs" $((DUR - 5))
	speed_floor "peer $i: the TCP stream delivered 90% of its 2 Mbit/s" "$rx" $(((DUR - 3) * 250000 * 9 / 10))
	check "peer $i: no TCP stall over $tcp_bound s ($zrun s)" test "$zrun" -le "$tcp_bound"
done
for i in $(seq $NP); do
	check "peer $i: the tunnel works after the churn" ping_ok "p$i" 192.168.100.1
done

# ------------------------------------------------------------ teardown
echo "# made: $((step + NP + 1)) + $dummies peers, $(find "$D/k" -type f | wc -l) key files"
for i in 1 2; do c ip -n "p$i" link del wg0; done
c ip -n hub link del wg0
for ns in hub park $(seq -f 'p%g' $NP); do c ip netns del "$ns"; done
check_eq "teardown commands succeeded" "" "$(cat "$D/errors")"
rm -rf "$D"
after=$(slab_reading)
check "every network namespace was freed (at most the last one left: $(nets_alive))" nets_freed
echo "# slab: baseline $base, after teardown $after bytes live: $(((after - base) / 1024)) KiB more ($(awk '/^Slab:/ { print $2 }' /proc/meminfo) kB Slab in meminfo)"
echo "# caches that changed by more than 4 KiB: $(slab_growth "$S.base" "$SLAB_SNAP")"
echo "# processes now and not at the baseline: $(pids | grep -vxF -f "$S.pids" |
	while read -r p; do cat "/proc/$p/comm" 2>/dev/null; done | sort | uniq -c | tr -s ' \n' ' ')"
kt1=$(kworkers)
tol=$((SLAB_TOL + (kt1 > kt0 ? kt1 - kt0 : 0) * ($(task_size) + 4096)))
echo "# workqueue workers: $kt0 at the baseline, $kt1 now; tolerance $((tol / 1024)) KiB"
check "live slab back to baseline within $((tol / 1024)) KiB ($(((after - base) / 1024)) KiB)" \
	test $((after - base)) -le "$tol"
finish
