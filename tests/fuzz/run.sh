#!/bin/bash
# Runs a libFuzzer binary for a while from the seed corpus and prints one
# PASS:/FAIL: line. usage: run.sh FUZZER SECONDS [RUNS]
# With RUNS, the run stops after RUNS executions instead (SECONDS is then
# only reported). A longer run: make -C tools fuzz FUZZ_SECONDS=3600, or
# make -C tools fuzz-long (10^7 executions of each target). Crashes are
# kept in the printed artifact directory; replay one with: FUZZER CRASH-FILE.
set -u
fuzzer=$1 seconds=${2:-25} runs_wanted=${3:-}
limit=(-max_total_time="$seconds")
[[ -n $runs_wanted ]] && limit=(-runs="$runs_wanted")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/wg-fuzz.XXXXXX)
mkdir -p "$work/corpus" "$work/artifacts"
# fuzz-config seeds from corpus/, fuzz-NAME from corpus-NAME/.
name=$(basename "$fuzzer")
seeds=$here/corpus
[[ $name == fuzz-config ]] || seeds=$here/corpus-${name#fuzz-}
cp "$seeds"/* "$work/corpus/" 2>/dev/null
start=$SECONDS
"$fuzzer" "${limit[@]}" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1
rc=$?
seconds=$((SECONDS - start))
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n1)
if [[ $rc -eq 0 ]]; then
	echo "PASS: fuzz: $(basename "$fuzzer") ran ${runs:-?} inputs in ${seconds}s without a finding"
	rm -rf "$work"
else
	echo "FAIL: fuzz: $(basename "$fuzzer") found a problem (exit $rc); artifacts in $work/artifacts"
	grep -E 'ERROR|SUMMARY|deadly|==[0-9]+==' "$work/log" | head -n 20 | sed 's/^/    | /'
	exit 1
fi
