#!/bin/bash
# make check: every test in the project. Each part prints one PASS:/FAIL:
# line per check; this script runs them all (a failing part does not stop
# the others), keeps their logs, and ends with one line "N passed, N failed".
# KWG_CHECK_PARTS narrows it to some parts (host ynl wg-quick kunit dkms
# vmtest difftest systemd).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
logdir=${KWG_LOGDIR:-$top/tests/logs}
# Two guests at a time: most suite time is protocol timers waiting, so this
# halves the VM part of CI on two cores; every suite passes that way.
export KWG_VM_JOBS=${KWG_VM_JOBS:-2}
mkdir -p "$logdir"
: > "$logdir/check.log"

parts=(
	"host:make -s -C tools check"
	"ynl:tests/host/ynl/run"
	"wg-quick:tests/host/wg-quick/run"
	"kunit:tests/kunit/run"
	"dkms:tests/dkms/run"
	"vmtest:tests/vm/run-all"
	# Stock against ours, one guest per series: the scenarios of the four
	# parity defects (all of them: make difftest, too long for CI).
	"difftest:tests/diff/run --check"
	"systemd:tests/host/wg-quick/systemd-vm"
)
failed_parts=()
for part in "${parts[@]}"; do
	name=${part%%:*} cmd=${part#*:}
	# KWG_CHECK_PARTS="vmtest kunit" runs just those parts.
	if [[ -n ${KWG_CHECK_PARTS:-} && " $KWG_CHECK_PARTS " != *" $name "* ]]; then
		continue
	fi
	runner=${cmd%% *}
	echo "=== $name: $cmd"
	start=$SECONDS
	if [[ $runner != make && ! -x $runner ]]; then
		echo "FAIL: [$name] runner $runner is missing" | tee -a "$logdir/check.log"
		failed_parts+=("$name")
		continue
	fi
	$cmd 2>&1 | tee "$logdir/$name.log" | tee -a "$logdir/check.log"
	status=${PIPESTATUS[0]}
	if [[ $status -ne 0 ]]; then
		failed_parts+=("$name")
		# A runner that failed without saying which check failed still counts.
		grep -q '^FAIL: ' "$logdir/$name.log" ||
			echo "FAIL: [$name] exited with status $status" | tee -a "$logdir/check.log"
	fi
	echo "=== $name: status $status, $((SECONDS - start)) s"
done

passed=$(grep -c '^PASS: ' "$logdir/check.log")
failed=$(grep -c '^FAIL: ' "$logdir/check.log")
# What did not run is said, so a green line is never mistaken for it.
skipped=$(grep '^SKIP: ' "$logdir/check.log")
[[ -z $skipped ]] || printf 'skipped (not run, not counted):\n%s\n' "$skipped"
[[ ${#failed_parts[@]} -eq 0 ]] || echo "failed parts: ${failed_parts[*]} (logs in $logdir)"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && ${#failed_parts[@]} -eq 0 ]]
