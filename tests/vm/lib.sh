# Sourced by every VM suite (as /kwg/lib.sh in the guest): one line per
# check, "PASS: what" or "FAIL: what" plus the evidence, and a non-zero exit
# at the end if anything failed.
# shellcheck shell=bash

KWG_FAILED=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; KWG_FAILED=$((KWG_FAILED + 1)); }
skip() { echo "SKIP: $*"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/    | /'
	fi
}

# check_fails DESCRIPTION COMMAND...: passes when the command fails.
check_fails() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$desc (unexpectedly succeeded)"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/    | /'
	else
		pass "$desc"
	fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [[ $2 == "$3" ]]; then
		pass "$1"
	else
		fail "$1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -n 40 | sed 's/^/    | /'
	fi
}

# wait_until SECONDS COMMAND...: poll every 0.2 s until the command succeeds.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[[ $SECONDS -lt $deadline ]] || return 1
		sleep 0.2
	done
}

# Debug kernels (KWG_KERNEL=kasan or kcsan: make vmtest-debug, vmtest-kcsan;
# uml: make vmtest-uml) run 5-10 times slower under TCG (UML: KASAN's cost), their timers fire late under load and the
# shell's sleeps overrun by seconds, and allocator debugging (red zones,
# tracking, KASAN) inflates every slab object. A check whose premise is
# production speed, memory or real-time precision asks debug_kernel: there it
# widens its tolerance by KWG_SLOW (timers may fire that many times late;
# never early) or becomes a SKIP that names the reason and the measurement.
# Functional assertions stay. On 6.1 and 6.12 nothing changes (KWG_SLOW=1).
debug_kernel() { [[ ${KWG_KERNEL:-} == kasan || ${KWG_KERNEL:-} == kcsan || ${KWG_KERNEL:-} == uml ]]; }
if debug_kernel; then KWG_SLOW=${KWG_SLOW:-4}; else KWG_SLOW=1; fi

# now_ms: the wall clock in milliseconds.
now_ms() { local t=${EPOCHREALTIME/./}; echo $((10#${t:0:-3})); }

# speed_floor DESCRIPTION ACTUAL FLOOR: ACTUAL (a number measured over a
# fixed time) is at least FLOOR. On a debug kernel the floor is a SKIP with
# the measurement, and only that something was measured at all is checked.
speed_floor() {
	if debug_kernel; then
		check "$1: data moved at all (${2:-nothing})" kwg_ge "$2" 1
		skip "$1: the floor of $3 (debug kernel: the data path is many times slower; measured ${2:-nothing})"
	else
		check "$1" kwg_ge "$2" "$3"
	fi
}
kwg_ge() { [[ -n $1 && $1 -ge $2 ]]; }

# load_check DESCRIPTION COMMAND...: a check that needs a flood to load the
# device (the flooder's rate, cookie replies). A debug kernel under TCG
# takes a flood as slowly as its own sender makes it (~100-160 initiations
# a second on the x86 KASAN guest) and never comes under load: there such
# a check that fails is a SKIP, named; elsewhere it is a check.
load_check() {
	local desc=$1
	shift
	if ! debug_kernel; then
		check "$desc" "$@"
	elif "$@" >/dev/null 2>&1; then
		pass "$desc"
	else
		skip "$desc (debug kernel: the flood cannot load it)"
	fi
}

# settled COMMAND...: the command's output once two readings 0.2 s apart
# agree, or the last of 20: counters read one after another are only
# comparable at a moment with nothing in flight (a keepalive may leave at
# any time).
settled() {
	local x y
	x=$("$@")
	for _ in $(seq 20); do
		sleep 0.2
		y=$("$@")
		[[ $x == "$y" ]] && break
		x=$y
	done
	echo "$y"
}

# Network namespaces are the test hosts: n NAME COMMAND... runs in one.
n() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# netns_add NAME...: fresh namespaces with loopback up.
netns_add() {
	local ns
	for ns; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
}

# hex2b64 HEX: bytes given in hex (a key, say), in base64.
hex2b64() { printf '%s' "$1" | xxd -r -p | base64; }

# finish: the suite's last line.
finish() {
	[[ $KWG_FAILED -eq 0 ]] || { echo "$KWG_FAILED check(s) failed"; exit 1; }
	exit 0
}
