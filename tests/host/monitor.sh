#!/bin/bash
# wg monitor on the host, which cannot load kwg's module: fake-genl.c,
# preloaded into wg, plays the module's side of the generic-netlink socket
# (family queries, the event group, overflows, unload and load), and the
# events are the hand-built messages of tests/fuzz/corpus-event. What runs
# is the real wg: its event loop, output, hooks and signals. WG names the
# binary under test; CC the compiler for the stand-in.
set -u
here=$(cd "$(dirname "$0")" && pwd)
WG=${WG:-$here/../../tools/wg}
CC=${CC:-cc}
corpus=$here/../fuzz/corpus-event
tmp=$(mktemp -d /tmp/wg-monitor.XXXXXX)
pid=""
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; exec 3>&-; rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS: monitor: $*"; }
fail() { echo "FAIL: monitor: $*"; failed=1; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
# wait_for SECONDS 'COMMAND': true as soon as COMMAND is, evaluated anew
# each time.
wait_for() {
	local end=$((SECONDS + $1))
	until eval "$2"; do ((SECONDS < end)) || return 1; sleep 0.05; done
}
lines() { [[ -f $1 ]] && wc -l <"$1" || echo 0; }
ended() { cat "$tmp/seq" 2>/dev/null | grep -c '^end '; }

if ! "$CC" -shared -fPIC -O1 -Wall -o "$tmp/fake.so" "$here/fake-genl.c" -ldl -lpthread 2>"$tmp/cc.err"; then
	fail "the stand-in module does not build: $(cat "$tmp/cc.err")"
	exit 1
fi
# A sanitizer build of wg loads its runtime first; the stand-in goes before it.
export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1
# Inherited by the hooks, but for a stale variable of wg monitor's own.
export WG_HIDE_KEYS=never WG_PEER_NAME=stale
k1=AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
k2=AgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICE=

# start ARGS...: wg monitor ARGS in the background, and the control FIFO
# on fd 3 once it listens; false when it does not get that far.
start() {
	rm -f "$tmp/ctl" "$tmp/ctl.ready" "$tmp/out" "$tmp/err"
	mkfifo "$tmp/ctl"
	KWG_FAKE_CTL=$tmp/ctl LD_PRELOAD=$tmp/fake.so "$WG" monitor "$@" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	wait_for 10 'test -e "$tmp/ctl.ready"' && exec 3>"$tmp/ctl"
}
# stop SIGNAL: the status wg monitor exits with after SIGNAL.
stop() {
	local rc
	kill -"$1" $pid
	wait_for 10 '! kill -0 $pid 2>/dev/null'
	wait $pid; rc=$?
	pid=""
	exec 3>&-
	return $rc
}
# The lines of wg monitor without their times, which must be ISO 8601.
untimed() {
	local t rest
	while read -r t rest; do
		[[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}[+-][0-9]{2}:[0-9]{2}$ ]] || rest="BAD TIME $t $rest"
		echo "$rest"
	done <"$tmp/out"
}

# Every kind of event, with a slow hook: the lines come when the events do,
# the hooks one at a time and in order, each with its event's variables.
hook='echo "start $WG_EVENT" >>'"$tmp"'/seq
{ echo "-- $WG_EVENT"; env | grep "^WG_" | grep -v "^WG_TIME=" | LC_ALL=C sort; } >>'"$tmp"'/env
case $WG_TIME in [0-9]*.[0-9][0-9][0-9]) ;; *) echo "bad WG_TIME $WG_TIME" >>'"$tmp"'/env ;; esac
sleep 0.4; echo "end $WG_EVENT" >>'"$tmp"'/seq'
kinds="peer-added peer-changed interface-changed handshake keys-expired endpoint-changed peer-removed"
if start all --exec "$hook" </dev/null; then
	for k in $kinds; do echo "send $corpus/$k.bin" >&3; done
	check "seven events: seven lines at once, while the slow hooks are still running" \
		wait_for 2 'test "$(lines "$tmp/out")" -eq 7'
	n=$(ended)
	check "  (only $n of seven hooks have ended by then)" test "$n" -lt 7
	check "the lines, in order, each with its time" test "$(untimed)" = "wg0 peer-added peer: $k1 (laptop) endpoint: 192.0.2.1:51820 portid: 4242
wg0 peer-changed peer: $k1 (café) changed: preshared-key,endpoint,persistent-keepalive,allowed-ips,name,0x80 portid: 99
wg0 interface-changed changed: private-key,listen-port,fwmark,peers-replaced portid: 7
wg0 handshake-completed peer: $k1 (phone) endpoint: [2001:db8::1]:51820 suppressed: 3
wg0 keys-expired peer: $k1
wg0 endpoint-changed peer: $k1 endpoint: 198.51.100.2:4000 (was [2001:db8::9]:51820)
wg0 peer-removed peer: $k1 portid: 0"
	check "every hook ran, in the order of the events, none before the previous one ended" \
		wait_for 10 'test "$(cat "$tmp/seq" 2>/dev/null)" = "$(for e in peer-added peer-changed interface-changed \
			handshake-completed keys-expired endpoint-changed peer-removed; do printf "start %s\nend %s\n" $e $e; done)"'
	check "each hook had its event's variables, no stale one, and wg's environment" test "$(cat "$tmp/env")" = "-- peer-added
WG_ENDPOINT=192.0.2.1:51820
WG_EVENT=peer-added
WG_HIDE_KEYS=never
WG_IFINDEX=5
WG_INTERFACE=wg0
WG_PEER=$k1
WG_PEER_NAME=laptop
WG_PORTID=4242
-- peer-changed
WG_CHANGES=preshared-key,endpoint,persistent-keepalive,allowed-ips,name,0x80
WG_EVENT=peer-changed
WG_HIDE_KEYS=never
WG_IFINDEX=5
WG_INTERFACE=wg0
WG_PEER=$k1
WG_PEER_NAME=café
WG_PORTID=99
-- interface-changed
WG_CHANGES=private-key,listen-port,fwmark,peers-replaced
WG_EVENT=interface-changed
WG_HIDE_KEYS=never
WG_IFINDEX=5
WG_INTERFACE=wg0
WG_PORTID=7
-- handshake-completed
WG_ENDPOINT=[2001:db8::1]:51820
WG_EVENT=handshake-completed
WG_HIDE_KEYS=never
WG_IFINDEX=5
WG_INTERFACE=wg0
WG_LATEST_HANDSHAKE=1732486199
WG_PEER=$k1
WG_PEER_NAME=phone
WG_SUPPRESSED=3
-- keys-expired
WG_EVENT=keys-expired
WG_HIDE_KEYS=never
WG_IFINDEX=5
WG_INTERFACE=wg0
WG_PEER=$k1
WG_SUPPRESSED=0
-- endpoint-changed
WG_ENDPOINT=198.51.100.2:4000
WG_EVENT=endpoint-changed
WG_HIDE_KEYS=never
WG_IFINDEX=5
WG_INTERFACE=wg0
WG_OLD_ENDPOINT=[2001:db8::9]:51820
WG_PEER=$k1
WG_SUPPRESSED=0
-- peer-removed
WG_EVENT=peer-removed
WG_HIDE_KEYS=never
WG_IFINDEX=5
WG_INTERFACE=wg0
WG_PEER=$k1
WG_PORTID=0"
	check "nothing on stderr so far" test ! -s "$tmp/err"

	# What did not come from the kernel is not an event; a malformed
	# message is said and skipped; an overflow is said, shown and hooked.
	rm -f "$tmp/seq"
	printf '\x14\x00\x00\x00\x1c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x45\x01\x00\x00' >"$tmp/bad.bin"
	{ echo "forged $corpus/peer-added.bin"; echo "send $tmp/bad.bin"; echo enobufs; echo "send $corpus/keys-expired.bin"; } >&3
	wait_for 5 'test "$(ended)" -eq 2'
	check "a forged message is not shown, a malformed one is said, an overflow shown and hooked" \
		test "$(untimed | tail -n +8)" = "events-lost
wg0 keys-expired peer: $k1" -a "$(grep ^end "$tmp/seq")" = "end events-lost
end keys-expired" -a "$(cat "$tmp/err")" = "wg monitor: warning: a malformed event was ignored
wg monitor: warning: events were lost: they came faster than they were handled (a slow hook?)"

	# The module goes away and comes back: the group is joined again.
	{ echo unload; echo "send $corpus/keys-expired.bin"; } >&3
	wait_for 5 'test "$(lines "$tmp/err")" -eq 3'
	echo load >&3
	wait_for 5 'test "$(lines "$tmp/err")" -eq 4'
	echo "send $corpus/peer-removed.bin" >&3
	wait_for 5 'test "$(lines "$tmp/out")" -eq 10'
	check "unloaded, the module's events stop; loaded again, they come again" \
		test "$(untimed | tail -n +10)" = "wg0 peer-removed peer: $k1 portid: 0" -a \
		"$(tail -n +3 "$tmp/err")" = "wg monitor: the WireGuard module was unloaded; waiting for it to come back
wg monitor: the WireGuard module was loaded again; events follow"
	wait_for 5 'test "$(ended)" -eq 3'

	# SIGTERM while a hook runs: the hook gets it, queued hooks are dropped.
	rm -f "$tmp/seq"
	for k in keys-expired keys-expired keys-expired; do echo "send $corpus/$k.bin" >&3; done
	wait_for 5 'test "$(lines "$tmp/seq")" -eq 1'
	stop TERM; rc=$?
	sleep 0.5
	check "SIGTERM during a hook: exit 0 ($rc), the hook stopped, the queued ones never ran" \
		test $rc -eq 0 -a "$(cat "$tmp/seq")" = "start keys-expired"
else
	fail "wg monitor all --exec does not listen: $(cat "$tmp/err")"
fi

# One interface, in JSON: others are left out; a rename is followed.
if start wg0 json </dev/null; then
	for k in peer-added other-interface renamed; do echo "send $corpus/$k.bin" >&3; done
	wait_for 5 'test "$(lines "$tmp/out")" -eq 2'
	check "wg0 json: the followed interface's events, through a rename, as JSON" test "$(sed 's/"time": [0-9]*\.[0-9]\{3\},/"time": T,/' "$tmp/out")" = "{\"schema\": 1, \"event\": \"peer-added\", \"time\": T, \"interface\": \"wg0\", \"ifindex\": 5, \"portid\": 4242, \"changes\": null, \"suppressed\": null, \"peer\": {\"public_key\": \"$k1\", \"name\": \"laptop\", \"endpoint\": \"192.0.2.1:51820\", \"old_endpoint\": null, \"latest_handshake\": null}}
{\"schema\": 1, \"event\": \"keys-expired\", \"time\": T, \"interface\": \"wg0-renamed\", \"ifindex\": 5, \"portid\": null, \"changes\": null, \"suppressed\": 0, \"peer\": {\"public_key\": \"$k2\", \"name\": null, \"endpoint\": null, \"old_endpoint\": null, \"latest_handshake\": null}}"
	check "  and a word that wg0 does not exist yet" \
		test "$(cat "$tmp/err")" = "wg monitor: there is no interface wg0 yet; its events will show once it exists"
	stop INT; rc=$?
	check "SIGINT: exit 0 ($rc)" test $rc -eq 0
else
	fail "wg monitor wg0 json does not listen: $(cat "$tmp/err")"
fi

# Where there is nothing to listen to: exit 1 at once, and why.
for c in "stock|wg monitor: this WireGuard module announces no events (kwg only)" \
	 "none|wg monitor: no WireGuard module is loaded (events need the kwg module)" \
	 "kwg eperm|wg monitor: Permission denied (CAP_NET_ADMIN is needed)"; do
	read -r module join <<<"${c%%|*}"
	KWG_FAKE_MODULE=$module KWG_FAKE_JOIN=${join:-} LD_PRELOAD=$tmp/fake.so timeout 10 "$WG" monitor \
		>"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
	check "${c%%|*}: exit 1: ${c#*|}" test $rc -eq 1 -a ! -s "$tmp/out" -a "$(cat "$tmp/err")" = "${c#*|}"
done
exit $failed
