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
