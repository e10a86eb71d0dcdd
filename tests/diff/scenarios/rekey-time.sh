#!/bin/bash
# kwg-diff: timeout=200
# Rekeying after REKEY_AFTER_TIME (120 s): with persistent-keepalive 1 on
# the initiator n1, a keepalive leaves every second; the first one sent
# when the session is 120 s old makes n1 initiate a new handshake. Records
# the handshake messages only (the keepalives are left out), with the
# seconds since the first initiation, widened to a tolerance: which side
# initiates the rekey, and roughly when. Long: ~130 s per run (hence the
# timeout of 200 s), ~270 s per series.
. /kwg/diff/lib.sh

# have N: at least N handshake messages have been captured.
have() { [[ $("$DIFF_PROBES/pcap-summary" "$DIFF_OUT/link.pcap" | grep -c ' wg=\(init\|resp\)') -ge $1 ]]; }
# wait_slowly SECONDS N: have N, polled every 2 s (each look costs the
# guest a process or two) for up to SECONDS.
wait_slowly() {
	local deadline=$((SECONDS + $1))
	until have "$2"; do
		[[ $SECONDS -lt $deadline ]] || return 1
		sleep 2
	done
}
# rekey_times: a filter for the capture summary: the first handshake's
# times (0, its response within a second) and the rekey's (120 s after the
# session began, plus the keepalive period and timer delays in a loaded
# guest) as ranges.
rekey_times() { sed -E 's/^t=(0|1) /t=0..1 /; s/^t=(11[5-9]|12[0-9]) /t=115..129 /'; }

pair 4
capture_start link n2 v2 udp and '(udp[8] = 1 or udp[8] = 2 or udp[8] = 3)'
pair_peer1 persistent-keepalive 1
check "the first handshake" wait_until 10 have 2
check "a second handshake within 140 s" wait_slowly 140 4
DIFF_FILTER=rekey_times capture_stop link -t
# Not the counters: how many keepalives fit in the time depends on the
# guest's speed.
record after.n1.endpoints n n1 wg show wg0 endpoints
record after.n2.endpoints n n2 wg show wg0 endpoints
finish
