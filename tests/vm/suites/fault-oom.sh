#!/bin/bash
# kwg-vm: long timeout=3000
# Out of memory: allocations made to fail (failslab, fail_page_alloc) while
# the module serves SET_DEVICE requests, GET dumps, device creation and
# bring-up, handshakes and data. Every failure must be an errno from the
# tool or a dropped packet: never a crash, a WARN or a leak (the harness
# reads the kernel log and kmemleak after the suite; kmemleak is also read
# after each scenario here, to name the scenario), never a half-applied
# configuration (`wg showconf` before and after a failed SET identical),
# never a truncated dump reported as a success.
#
# Requests are hit one fault point at a time with /proc/PID/fail-nth
# (probes/fault-nth: the N-th slab or page allocation of that one netlink
# request fails, N = 1, 2, ... until the request completes without
# reaching N); the receive path, handshakes and timers, which run in
# softirq and kernel threads, get a few seconds of probabilistic injection
# of atomic allocations while a tunnel carries pings.
#
# Only a kernel with fault injection (the debug kernel, vm.sh -k kasan) can
# inject: elsewhere the scenarios' baselines run (every command succeeds
# and changes what it should; the probe finds exactly one request) and the
# injection is skipped.
#
# KWG_OOM_MAX (default 60): fault points tried per scenario at most; a
# request with more is tried at the first half of that many and then at
# evenly spread points up to its last one. A point costs ~5 s on the
# KASAN kernel under TCG (a few more for the first partial ones, which
# are rerun to print where the allocation failed): for every point of
# every request, -e KWG_OOM_MAX=1000 and a longer -t.
. /kwg/lib.sh
. /kwg/common/topo.sh
. /kwg/common/veth-pair.sh

FI=/sys/kernel/debug
PROBE=/kwg/probes/fault-nth
LEAKS=$FI/kmemleak
T=/tmp/oom
MAX=${KWG_OOM_MAX:-60}
# KWG_OOM_PARTS: the parts to run, of "set get dev traffic" (default all).
part() { [[ " ${KWG_OOM_PARTS:-set get dev traffic} " == *" $1 "* ]]; }
mkdir -p "$T"

inject=0
if [[ -d $FI/failslab && -d $FI/fail_page_alloc && -e /proc/self/fail-nth ]]; then
	inject=1
else
	skip "no fault injection in this kernel ($KWG_KVER): failslab/fail_page_alloc in debugfs and /proc/PID/fail-nth need CONFIG_FAULT_INJECTION_DEBUG_FS (vm.sh -k kasan); only the baselines run"
fi

# fi_set ATTR FILE VALUE: one knob of failslab or fail_page_alloc.
fi_set() { echo "$3" >"$FI/$1/$2"; }

# fi_nth_mode: every allocation a request makes is a fault point for
# fail-nth (the defaults skip allocations that may sleep and order-0
# pages), no probabilistic injection, nothing printed.
fi_nth_mode() {
	local a
	for a in failslab fail_page_alloc; do
		fi_set $a probability 0
		fi_set $a verbose 0
		fi_set $a task-filter N
		fi_set $a ignore-gfp-wait N
		fi_set $a space 0
		fi_set $a interval 1
		fi_set $a times -1
	done
	# Pages for user memory (the tool's buffers faulted in by a copy)
	# are not the request's.
	fi_set fail_page_alloc ignore-gfp-highmem Y
	fi_set fail_page_alloc min-order 0
}

# Kernel log lines that are a report, as vm.sh looks for them (but for a
# bare "lockdep", which the debug kernel's boot banner has: "RCU lockdep
# checking is enabled"; lockdep's reports start with WARNING: or BUG:).
SPLAT='WARNING:|BUG:|Oops|general protection|Call Trace:|kernel BUG|possible (recursive|circular) locking|inconsistent lock state|ODEBUG|new suspected memory leaks|scheduling while atomic|suspicious RCU|unregister_netdevice: waiting|refcount_t:|list_(add|del) corruption|UBSAN|KASAN|blocked for more than|soft lockup|self-detected stall'

# inj N TYPE CMD...: CMD with the N-th fault point of its netlink request
# of TYPE failing (N = 0: none). Sets RC, OUT (stdout), ERR (stderr, one
# line), REQ (requests of TYPE), HIT (the fault was injected), PTS (points
# the request went through when it was not). -r K before N: the K-th
# request of TYPE.
inj() {
	local r=()
	[[ $1 == -r ]] && { r=(-r "$2"); shift 2; }
	rm -f "$T/res"
	OUT=$("$PROBE" -o "$T/res" "${r[@]}" "$@" 2>"$T/err")
	RC=$?
	ERR=$(tr '\n' ' ' <"$T/err" | cut -c1-160)
	REQ=- HIT=- PTS=-
	[[ -s $T/res ]] && read -r REQ HIT PTS < <(sed 's/[a-z]*=//g' "$T/res")
}

# points_to_try P: the fault points to try for a request that went
# through P of them: all when P <= MAX, else the first MAX/2 and then
# MAX/2 evenly spread up to P.
points_to_try() {
	local p=$1 i h=$((MAX / 2))
	if [[ $p -le $MAX ]]; then
		seq 1 "$p"
		return
	fi
	seq 1 "$h"
	for ((i = 1; i <= h; i++)); do
		echo $((h + (p - h) * i / h))
	done | uniq
}

# ranges: "1 2 3 7 9 10" -> "1-3,7,9-10".
ranges() {
	awk '{ for (i = 1; i <= NF; i++) {
		if (n && $i == last + 1) { last = $i; continue }
		if (n) out = out (out ? "," : "") (first == last ? first : first "-" last)
		first = last = $i; n = 1 } }
	END { if (n) out = out (out ? "," : "") (first == last ? first : first "-" last); print out }'
}

# leak_check NAME: kmemleak after a scenario (debug kernels): nothing the
# scenario allocated and lost. The report is cleared so that the next
# scenario's are its own; this suite fails instead.
leak_check() {
	[[ -w $LEAKS ]] || return 0
	sleep 6
	echo scan >"$LEAKS"
	sleep 6
	echo scan >"$LEAKS"
	local rep
	rep=$(cat "$LEAKS")
	if grep -q '^unreferenced object' <<<"$rep"; then
		fail "$1: kmemleak reports $(grep -c '^unreferenced object' <<<"$rep") unreferenced objects"
		head -n 60 <<<"$rep" | sed 's/^/    | /'
		echo clear >"$LEAKS"
	else
		pass "$1: kmemleak reports nothing"
	fi
}

# An injected failure is not a report, but the kernel says so loudly in
# places: the allocators print a stack with "page allocation failure",
# "vmalloc error" or "percpu: allocation failed", and fault injection
# itself with "FAULT_INJECTION: forcing a failure" (verbose). Those blocks,
# each up to the end of its stack, are what log_review takes out.
EXPECTED='FAULT_INJECTION: forcing a failure|page allocation failure: order:|vmalloc error: size|percpu: allocation failed'

# log_review [-q] NAME: reads and clears the kernel log (vm.sh reads it
# at the end, and would take the stacks of injected failures for
# reports). Any report outside the blocks of injected failures fails
# here (with the log around it). The blocks are kept in $T/faults, the
# first one in $T/stack. -q: no PASS line.
log_review() {
	local log rest nexp quiet=
	[[ $1 == -q ]] && { quiet=1; shift; }
	log=$(dmesg -c)
	awk -v e="$EXPECTED" '$0 ~ e { on = 1; n++ } on && n == 1 { print } on && /<\/TASK>/ { on = 0 }' <<<"$log" >"$T/stack"
	awk -v e="$EXPECTED" '$0 ~ e { on = 1 } on { print } on && /<\/TASK>/ { on = 0 }' <<<"$log" >"$T/faults"
	rest=$(awk -v e="$EXPECTED" '$0 ~ e { on = 1 } !on { print } on && /<\/TASK>/ { on = 0 }' <<<"$log")
	nexp=$(grep -cE "$EXPECTED" "$T/faults")
	if grep -qE "$SPLAT" <<<"$rest"; then
		fail "$1: the kernel log has a report"
		grep -E -B3 -A30 "$SPLAT" <<<"$rest" | head -n 150 | sed 's/^/    | /'
	elif [[ -z $quiet ]]; then
		pass "$1: nothing in the kernel log ($nexp reports of injected allocation failures: $(grep -oE "$EXPECTED" "$T/faults" | sort | uniq -c | awk '{ c = $1; $1 = ""; printf "%s%s x%d", s, $0, c; s = "," }'))"
	fi
}

# where_fails N TYPE CMD...: run CMD again with its N-th point failing and
# the fault printed with its stack; $T/where gets the module's functions
# on that stack (innermost first) and the first other kernel function that
# is not the allocator's.
where_fails() {
	local a s
	log_review -q "before a diagnostic run"
	for a in failslab fail_page_alloc; do fi_set $a verbose 2; done
	inj "$@" >/dev/null 2>&1
	for a in failslab fail_page_alloc; do fi_set $a verbose 0; done
	log_review -q "diagnostic run of point $1"
	# Frames, innermost first, without the unreliable ones ("? fn").
	s=$(awk '/FAULT_INJECTION/ { on = 1 } on { for (i = 2; i <= NF; i++) if ($i ~ /\+0x/) { if ($(i - 1) != "?") { f = $i; sub(/\+.*/, "", f); print f ($(i + 1) == "[wireguard]" ? " [wireguard]" : "") } break } }' "$T/stack")
	a=$(grep -v '\[wireguard\]' <<<"$s" |
		grep -vE '^(dump_stack|dump_stack_lvl|fail_dump|should_fail.*|__should_fail.*|prepare_alloc_pages|__alloc_pages.*|alloc_pages.*|slab_pre_alloc_hook.*|__kmem_cache_alloc.*|kmem_cache_alloc.*|kmalloc_trace|__kmalloc.*|kmalloc.*|__kmalloc_node.*|kmalloc_node.*|kvmalloc_node|__alloc_skb|__alloc_percpu_gfp|pcpu_alloc|__vmalloc.*|__get_free_pages)$' |
		head -n 1)
	s=$(grep '\[wireguard\]' <<<"$s" | sed 's/ \[wireguard\]//' | paste -sd'<')
	if [[ ! -s $T/stack ]]; then
		# Allocations with __GFP_NOWARN (kmemleak's own, say) fail
		# silently: the rerun's count shifted onto one of those.
		echo "not printed (the rerun hit a __GFP_NOWARN allocation)" >"$T/where"
		return
	fi
	echo "${s:-no module frame}${a:+ (first kernel frame besides the allocator: $a)}" >"$T/where"
}

# --- SET_DEVICE ---------------------------------------------------------

key dev0 >/dev/null; key dev1 >/dev/null
P1=$(key p1); P2=$(key p2); P3=$(key p3); P4=$(key p4); P5=$(key p5); P6=$(key p6)
PSK=$(wg genpsk); PSK2=$(wg genpsk)

# ips PREFIX COUNT: 2 x COUNT allowed IPs, 10.PREFIX.x.0/24 and fd00:PREFIX:x::/48.
ips() {
	local i out=()
	for ((i = 1; i <= $2; i++)); do
		out+=("10.$1.$i.0/24" "fd00:$1:$i::/48")
	done
	local IFS=,
	echo "${out[*]}"
}

# The starting configuration every SET scenario comes back to.
cat >"$T/A.conf" <<EOF
[Interface]
PrivateKey = $(cat "$TOPO_TMP/dev0.key")
ListenPort = 51001
FwMark = 0

[Peer]
PublicKey = $P1
PresharedKey = $PSK
AllowedIPs = $(ips 1 3)
Endpoint = 127.0.0.1:52001

[Peer]
PublicKey = $P2
Name = router
AllowedIPs = $(ips 2 3)
Endpoint = [::1]:52002
PersistentKeepalive = 25

[Peer]
PublicKey = $P3
Name = tablet
AllowedIPs = $(ips 3 3)
EOF

# setconf: everything changes, peers replaced (P1 kept with new allowed
# IPs and no key, P2 and P3 go, P4 and P5 come), 76 allowed IPs.
cat >"$T/B.conf" <<EOF
[Interface]
PrivateKey = $(cat "$TOPO_TMP/dev1.key")
ListenPort = 51002
FwMark = 0x42

[Peer]
PublicKey = $P1
AllowedIPs = $(ips 11 12)
Endpoint = 127.0.0.2:52011

[Peer]
PublicKey = $P4
Name = phone
PresharedKey = $PSK2
AllowedIPs = $(ips 14 13)
Endpoint = 127.0.0.4:52014
PersistentKeepalive = 5

[Peer]
PublicKey = $P5
AllowedIPs = $(ips 15 13)
EOF

# addconf: three peers added to the existing ones.
cat >"$T/C.conf" <<EOF
[Peer]
PublicKey = $P4
AllowedIPs = $(ips 24 8)

[Peer]
PublicKey = $P5
PresharedKey = $PSK2
AllowedIPs = $(ips 25 8)
Endpoint = 127.0.0.5:52025

[Peer]
PublicKey = $P6
AllowedIPs = $(ips 26 8)
PersistentKeepalive = 15
EOF
echo "$PSK2" >"$T/psk2"

reset_A() { wg setconf wg0 "$T/A.conf"; }

# set_scenario NAME CMD...: CMD (a wg command that sends one SET_DEVICE)
# against configuration A with each of its fault points failing in turn.
set_scenario() {
	local name=$1 before after now pts n partial=() clean=0 absorbed=0 bad=0 d
	local -A errs=() applied=()
	shift
	reset_A
	before=$(wg showconf wg0)
	if ! inj 0 wireguard "$@" || [[ $REQ != 1 ]]; then
		fail "$name: baseline (exit $RC, $REQ requests; one SET_DEVICE expected): $ERR"
		return
	fi
	after=$(wg showconf wg0)
	if [[ $after == "$before" ]]; then
		fail "$name: baseline changes nothing"
		return
	fi
	pass "$name: baseline, one SET_DEVICE request, configuration changed"
	[[ $inject == 1 ]] || { skip "$name: injection (no fault injection in this kernel)"; return; }

	reset_A
	inj 1000000 wireguard "$@"
	pts=$PTS
	if [[ $RC != 0 || $HIT != 0 || $pts -lt 1 ]]; then
		fail "$name: counting the request's fault points (exit $RC, injected $HIT, points $pts): $ERR"
		return
	fi
	for n in $(points_to_try "$pts") $((pts + 20)); do
		reset_A
		[[ $(wg showconf wg0) == "$before" ]] || {
			fail "$name: setconf back to the starting configuration before point $n"
			bad=$((bad + 1))
			continue
		}
		inj "$n" wireguard "$@"
		now=$(wg showconf wg0)
		if [[ $HIT != 1 ]]; then
			if [[ $n -le $pts ]]; then
				[[ $RC == 0 && $now == "$after" ]] || { fail "$name: point $n not reached and not applied (exit $RC): $ERR"; bad=$((bad + 1)); }
				continue
			fi
			[[ $RC == 0 && $now == "$after" ]] || { fail "$name: past the last point the request does not succeed (exit $RC): $ERR"; bad=$((bad + 1)); }
			continue
		fi
		if [[ $RC -ge 125 ]]; then
			fail "$name: point $n: wg died or the probe failed (exit $RC): $ERR"
			bad=$((bad + 1))
		elif [[ $RC != 0 ]]; then
			if [[ $now == "$before" ]]; then
				clean=$((clean + 1))
				errs["$ERR"]+=" $n"
			elif [[ $now == "$after" ]]; then
				# All applied, and the error came after (the
				# acknowledgement could not be allocated, say).
				applied["$ERR"]+=" $n"
			else
				d=$(diff <(echo "$before") <(echo "$now") | grep -c '^[<>]')
				partial+=("$n")
				echo "    $name: point $n: exit $RC ($ERR), $d showconf lines differ from before:"
				diff <(echo "$before") <(echo "$now") | grep '^[<>]' | cut -c1-100 | head -n 4 | sed 's/^/      /'
				if [[ ${#partial[@]} -le 4 ]]; then
					reset_A
					where_fails "$n" wireguard "$@"
					echo "      failing allocation: $(cat "$T/where")"
				fi
			fi
		elif [[ $now == "$after" ]]; then
			absorbed=$((absorbed + 1))
		else
			fail "$name: point $n: wg reports success but the configuration is not the one asked for"
			diff <(echo "$after") <(echo "$now") | head -n 8 | sed 's/^/    | /'
			bad=$((bad + 1))
		fi
	done
	local e
	for e in "${!errs[@]}"; do
		echo "    $name: failed cleanly at points $(ranges <<<"${errs[$e]}"): $e"
	done
	for e in "${!applied[@]}"; do
		echo "    $name: failed after applying everything at points $(ranges <<<"${applied[$e]}"): $e"
	done
	echo "    $name: $pts fault points, $(points_to_try "$pts" | wc -l) tried: $clean failed cleanly, $(echo "${applied[@]}" | wc -w) failed with everything applied, $absorbed absorbed (success, all applied), ${#partial[@]} left a partial configuration, $bad other"
	check_eq "$name: no failed SET leaves a partial configuration (points that did: $(ranges <<<"${partial[*]}"))" "" "${partial[*]}"
	[[ $bad == 0 ]] && pass "$name: every other point failed cleanly or succeeded completely"
	reset_A
}

# listen [NS]: a `wg monitor all` in the background (in namespace NS if
# given), so that each request and handshake also allocates its events, and
# those allocations fail too. It must outlive every failure (a lost event
# is reported, never fatal).
listen() {
	${1:+ip netns exec "$1"} wg monitor all >>"$T/events" 2>&1 &
	LISTENER=$!
	sleep 0.5
}
listener_check() {
	check "$1: the event listener is still running" kill -0 "$LISTENER"
	kill "$LISTENER"
	wait "$LISTENER" 2>/dev/null
}

[[ $inject == 1 ]] && fi_nth_mode
if part set; then
ip link add wg0 type wireguard
ip link set wg0 up
listen
set_scenario "setconf (replace peers, new key, port, fwmark)" wg setconf wg0 "$T/B.conf"
set_scenario "set: add a peer with 16 allowed IPs" wg set wg0 peer "$P6" preshared-key "$T/psk2" \
	endpoint 127.0.0.6:52006 persistent-keepalive 15 allowed-ips "$(ips 6 8)"
set_scenario "set: new private key" wg set wg0 private-key "$TOPO_TMP/dev1.key"
set_scenario "set: new preshared key" wg set wg0 peer "$P1" preshared-key "$T/psk2"
set_scenario "set: replace a peer's allowed IPs" wg set wg0 peer "$P2" allowed-ips "$(ips 12 12)"
set_scenario "set: listen port, fwmark, remove a peer, add one" wg set wg0 listen-port 51003 \
	fwmark 7 peer "$P3" remove peer "$P6" allowed-ips 10.7.0.0/16
set_scenario "addconf: three peers" wg addconf wg0 "$T/C.conf"
set_scenario "set: name a peer, rename one, remove a name" wg set wg0 peer "$P1" name "laptop" \
	peer "$P2" name "" peer "$P3" name "téléphone"
listener_check "SET_DEVICE"
log_review "SET_DEVICE"
leak_check "SET_DEVICE"
ip link del wg0
fi

# --- GET dumps -----------------------------------------------------------

if part get; then
ip link add wg1 type wireguard
{
	echo "[Interface]"
	echo "PrivateKey = $(cat "$TOPO_TMP/dev0.key")"
	echo "ListenPort = 51011"
	i=0
	randkeys 300 | while read -r k; do
		i=$((i + 1))
		echo "[Peer]"
		echo "PublicKey = $k"
		echo "AllowedIPs = 10.$((i / 200)).$((i % 200)).0/24, fd01:$i::/64, 172.16.$((i % 250)).$((i / 250))/32"
		echo "Endpoint = 127.0.$((i / 250)).$((i % 250 + 1)):$((20000 + i))"
	done
} >"$T/G.conf"
check "GET: a device with 300 peers" wg setconf wg1 "$T/G.conf"

# get_scenario NAME CMD...: CMD (one GET dump) with each of its points
# failing: it fails, or prints all of what it prints without injection.
get_scenario() {
	local name=$1 ref pts n ok=0 errd=0 trunc=() bad=0
	local -A errs=()
	shift
	if ! inj 0 wireguard "$@" || [[ $REQ != 1 ]]; then
		fail "$name: baseline (exit $RC, $REQ requests; one dump expected): $ERR"
		return
	fi
	ref=$OUT
	pass "$name: baseline, one dump request, $(wc -l <<<"$ref") lines"
	[[ $inject == 1 ]] || { skip "$name: injection (no fault injection in this kernel)"; return; }
	inj 1000000 wireguard "$@"
	pts=$PTS
	if [[ $RC != 0 || $HIT != 0 || $OUT != "$ref" || $pts -lt 1 ]]; then
		fail "$name: counting the dump's fault points (exit $RC, injected $HIT, points $pts): $ERR"
		return
	fi
	for n in $(points_to_try "$pts") $((pts + 20)); do
		inj "$n" wireguard "$@"
		if [[ $HIT != 1 ]]; then
			[[ $RC == 0 && $OUT == "$ref" ]] || { fail "$name: point $n not reached, yet not the full output (exit $RC): $ERR"; bad=$((bad + 1)); }
			continue
		fi
		if [[ $RC -ge 125 ]]; then
			fail "$name: point $n: the tool died or the probe failed (exit $RC): $ERR"
			bad=$((bad + 1))
		elif [[ $RC != 0 ]]; then
			errd=$((errd + 1))
			errs["$ERR"]+=" $n"
		elif [[ $OUT == "$ref" ]]; then
			ok=$((ok + 1))
		else
			trunc+=("$n")
			echo "    $name: point $n: success with $(wc -l <<<"$OUT") of $(wc -l <<<"$ref") lines"
		fi
	done
	local e
	for e in "${!errs[@]}"; do
		echo "    $name: failed at points $(ranges <<<"${errs[$e]}"): $e"
	done
	echo "    $name: $pts fault points: $errd failed with an error, $ok complete, ${#trunc[@]} incomplete output with success, $bad other"
	check_eq "$name: no incomplete output reported as a success (points: $(ranges <<<"${trunc[*]}"))" "" "${trunc[*]}"
	[[ $bad == 0 ]] && pass "$name: every point failed with an error or printed everything"
}

g0=$(wg showconf wg1)
get_scenario "GET: wg showconf of 300 peers" wg showconf wg1
get_scenario "GET: wg show dump of 300 peers" wg show wg1 dump
check_eq "GET: the configuration is unchanged by the failed dumps" "$g0" "$(wg showconf wg1)"
log_review "GET"
leak_check "GET"
ip link del wg1
fi

# --- device creation and bring-up ----------------------------------------

links() { ip -o link show | awk -F': ' '{ print $2 }' | sort | paste -sd' '; }
udp_socks() { ss -Huan | wc -l; }

# create_scenario: ip link add with each point of its RTM_NEWLINK failing.
create_scenario() {
	local name="device creation" links0 pts n clean=0 made=0 bad=0 req
	local -A errs=()
	links0=$(links)
	inj 0 16 ip link add wgc type wireguard
	req=$REQ
	if [[ $RC != 0 ]] || ! ip link show wgc >/dev/null 2>&1; then
		fail "$name: baseline ip link add (exit $RC): $ERR"
		return
	fi
	ip link del wgc
	pass "$name: baseline ($req RTM_NEWLINK requests, the last one creates)"
	[[ $inject == 1 ]] || { skip "$name: injection (no fault injection in this kernel)"; return; }
	inj -r "$req" 1000000 16 ip link add wgc type wireguard
	pts=$PTS
	ip link del wgc 2>/dev/null
	[[ $RC == 0 && $HIT == 0 && $pts -ge 1 ]] || { fail "$name: counting points (exit $RC, points $pts): $ERR"; return; }
	for n in $(points_to_try "$pts") $((pts + 20)); do
		inj -r "$req" "$n" 16 ip link add wgc type wireguard
		if [[ $RC != 0 ]]; then
			if ip link show wgc >/dev/null 2>&1; then
				fail "$name: point $n: ip link add failed ($ERR) but wgc exists"
				bad=$((bad + 1))
				ip link del wgc
			elif [[ $HIT != 1 ]]; then
				fail "$name: point $n not reached, yet ip link add failed: $ERR"
				bad=$((bad + 1))
			else
				clean=$((clean + 1))
				errs["$ERR"]+=" $n"
			fi
		else
			# Made despite the fault: it must work.
			made=$((made + 1))
			if ! { wg set wgc private-key "$TOPO_TMP/dev0.key" listen-port 0 peer "$P1" allowed-ips 10.99.0.0/16 &&
				ip link set wgc up && wg show wgc dump >/dev/null && ip link set wgc down; }; then
				fail "$name: point $n: the device made despite the fault does not work"
				bad=$((bad + 1))
			fi
			ip link del wgc
		fi
		[[ $(links) == "$links0" ]] || { fail "$name: point $n: links left: $(links)"; bad=$((bad + 1)); }
	done
	local e
	for e in "${!errs[@]}"; do
		echo "    $name: failed at points $(ranges <<<"${errs[$e]}"): $e"
	done
	echo "    $name: $pts fault points: $clean failed cleanly, $made succeeded, $bad other"
	check_eq "$name: every failure left nothing behind and every device made works" 0 "$bad"
}

# up_scenario: ip link set up of a configured device (its sockets are
# opened there) with each point failing: the device stays down, nothing
# listens on its port, and a later up works; or the device is up and
# listening and only the answer to `ip` failed (ENOBUFS).
up_scenario() {
	local name="device up" pts n clean=0 up=0 bad=0 req socks0
	local -A errs=() lost=()
	ip link add wgu type wireguard
	wg set wgu private-key "$TOPO_TMP/dev0.key" listen-port 51021 peer "$P1" \
		allowed-ips 10.98.0.0/16 endpoint 127.0.0.1:51022 persistent-keepalive 1
	socks0=$(udp_socks)
	inj 0 16 ip link set wgu up
	req=$REQ
	if [[ $RC != 0 ]] || ! ss -Huln "sport = :51021" | grep -q .; then
		fail "$name: baseline (exit $RC): $ERR"
		ip link del wgu
		return
	fi
	ip link set wgu down
	pass "$name: baseline, the port is bound when up"
	if [[ $inject != 1 ]]; then
		skip "$name: injection (no fault injection in this kernel)"
		ip link del wgu
		return
	fi
	inj -r "$req" 1000000 16 ip link set wgu up
	pts=$PTS
	ip link set wgu down
	[[ $RC == 0 && $HIT == 0 && $pts -ge 1 ]] || { fail "$name: counting points (exit $RC, points $pts): $ERR"; ip link del wgu; return; }
	for n in $(points_to_try "$pts") $((pts + 20)); do
		inj -r "$req" "$n" 16 ip link set wgu up
		if [[ $RC != 0 ]]; then
			if ip link show wgu | grep -q '[<,]UP[,>]' &&
			   [[ $ERR == *"No buffer space available"* ]] &&
			   ss -Huln "sport = :51021" | grep -q .; then
				# Up and listening, and the answer was what
				# failed (rtnetlink's acknowledgement or
				# notification could not be allocated): as a
				# SET applied before its ack failed.
				up=$((up + 1))
				lost["$ERR"]+=" $n"
			elif ip link show wgu | grep -q '[<,]UP[,>]'; then
				fail "$name: point $n: up failed ($ERR) but the device is up"
				bad=$((bad + 1))
			elif [[ $(udp_socks) != "$socks0" ]]; then
				fail "$name: point $n: up failed ($ERR) but UDP sockets were left: $(ss -Huan | tr '\n' ' ')"
				bad=$((bad + 1))
			else
				clean=$((clean + 1))
				errs["$ERR"]+=" $n"
			fi
		else
			up=$((up + 1))
			ss -Huln "sport = :51021" | grep -q . || { fail "$name: point $n: up succeeded but nothing listens on 51021"; bad=$((bad + 1)); }
		fi
		ip link set wgu down
		[[ $(udp_socks) == "$socks0" ]] || { fail "$name: point $n: after down, UDP sockets: $(ss -Huan | tr '\n' ' ')"; bad=$((bad + 1)); }
	done
	if ! ip link set wgu up || ! ss -Huln "sport = :51021" | grep -q .; then
		fail "$name: up after the injections does not bind the port"
		bad=$((bad + 1))
	fi
	local e
	for e in "${!errs[@]}"; do
		echo "    $name: failed at points $(ranges <<<"${errs[$e]}"): $e"
	done
	for e in "${!lost[@]}"; do
		echo "    $name: up, then the answer failed, at points $(ranges <<<"${lost[$e]}"): $e"
	done
	echo "    $name: $pts fault points: $clean failed cleanly, $up succeeded (the answer lost at $(echo "${lost[@]}" | wc -w)), $bad other"
	check_eq "$name: every failure leaves the device down without sockets, every success listens" 0 "$bad"
	ip link del wgu
}

if part dev; then
create_scenario
up_scenario
log_review "device creation and up"
leak_check "device creation and up"
check_eq "no WireGuard device left" "" "$(ip -o link show type wireguard)"
check "the module unloads" rmmod wireguard
check "and loads again" modprobe wireguard
fi

# --- handshakes and data under probabilistic injection --------------------

if part traffic; then
veth_wg_pair
check "tunnel up" n a ping -c1 -W5 192.168.0.2
listen a

# window NAME SECONDS ATTRS PROBABILITY: ATTRS (failslab, fail_page_alloc
# or both) fail PROBABILITY % of the atomic allocations of any task or
# softirq for SECONDS, while pings go both ways and a's peer is removed
# and re-added (a new handshake each time). Then the tunnel must recover.
# shellcheck disable=SC2154 # pb: set by veth_wg_pair
window() {
	local name=$1 secs=$2 attrs=$3 prob=$4 a sets=0 setfail=0 end pings
	for a in $attrs; do
		fi_set "$a" verbose 0
		fi_set "$a" task-filter N
		fi_set "$a" ignore-gfp-wait Y
		fi_set "$a" space 0
		fi_set "$a" interval 1
		fi_set "$a" times -1
	done
	fi_set fail_page_alloc ignore-gfp-highmem Y
	fi_set fail_page_alloc min-order 0
	n a ping -q -i 0.01 -w "$((secs + 1))" 192.168.0.2 >"$T/ping-a" 2>&1 &
	pings=($!)
	n b ping -q -i 0.01 -w "$((secs + 1))" 192.168.0.1 >"$T/ping-b" 2>&1 &
	pings+=($!)
	sleep 0.5
	for a in $attrs; do fi_set "$a" probability "$prob"; done
	end=$((SECONDS + secs))
	while [[ $SECONDS -lt $end ]]; do
		sets=$((sets + 1))
		{ n a wg set wg0 peer "$pb" remove &&
			n a wg set wg0 peer "$pb" allowed-ips 192.168.0.2/32 endpoint 10.0.0.2:2; } 2>/dev/null ||
			setfail=$((setfail + 1))
		sleep 0.5
	done
	for a in failslab fail_page_alloc; do fi_set "$a" probability 0; done
	# The pings, not the event listener, which runs on.
	wait "${pings[@]}"
	# A re-add that failed in the window is done again now.
	n a wg set wg0 peer "$pb" allowed-ips 192.168.0.2/32 endpoint 10.0.0.2:2
	echo "    $name: $prob% of atomic allocations failing for ${secs}s: a->b $(grep -o '[0-9]* packets transmitted, [0-9]* received' "$T/ping-a"), b->a $(grep -o '[0-9]* packets transmitted, [0-9]* received' "$T/ping-b"), $sets peer re-adds ($setfail failed)"
	check "$name: the tunnel recovers after the injection stops" wait_until 30 n a ping -c1 -W1 192.168.0.2
	check "$name: both ways" n b ping -c3 -i 0.2 -W2 192.168.0.1
}

if [[ $inject == 1 ]]; then
	window "handshakes and data, failslab" 6 failslab 20
	window "handshakes and data, fail_page_alloc" 6 fail_page_alloc 20
	window "handshakes and data, both" 6 "failslab fail_page_alloc" 50
	log_review "handshakes and data"
else
	skip "handshakes and data under injection (no fault injection in this kernel)"
fi
[[ $inject == 1 ]] &&
	check "the listener heard the re-adds' handshakes" grep -q 'handshake' "$T/events"
listener_check "handshakes and data"
ip netns del a
ip netns del b
leak_check "handshakes and data"
fi
finish
