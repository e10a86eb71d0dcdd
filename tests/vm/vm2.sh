#!/bin/bash
# Boot two guests at once, joined by one virtio NIC each (eth0) over a QEMU
# UDP socket pair on the host's 127.0.0.1, for interop tests between
# modules that cannot share one kernel (ours against the stock one). Both
# guests run the same script; KWG_GUEST tells it whether it is "a" or "b".
# Files given with -f go to both guests.
#
# usage: tests/vm/vm2.sh [options] SCRIPT [ARGS...]
#   -k, --kernel 6.1|6.12    kernel series of both guests (default 6.1)
#   --a-module, --b-module   ours|stock|FILE (default ours, stock)
#   --a-kernel, --b-kernel   per-guest kernel series
#   -w, --wg ours|debian     wg on both guests' PATH (default ours)
#   -t, --timeout SECONDS    -f SRC:DEST    -e NAME=VALUE    -q
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

ak="" bk="" series=6.1 am=ours bm=stock common=()
while [[ $# -gt 0 ]]; do
	case $1 in
	-k|--kernel) series=$2; shift 2 ;;
	--a-kernel) ak=$2; shift 2 ;;
	--b-kernel) bk=$2; shift 2 ;;
	--a-module) am=$2; shift 2 ;;
	--b-module) bm=$2; shift 2 ;;
	-w|--wg|-t|--timeout|-f|--file|-e|--env) common+=("$1" "$2"); shift 2 ;;
	-q|--quiet) common+=("$1"); shift ;;
	--) shift; break ;;
	-*) echo "vm2.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[[ $# -ge 1 ]] || { echo "vm2.sh: no guest script given" >&2; exit 2; }

free_udp_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		ss -Huln "sport = :$p" 2>/dev/null | grep . >/dev/null || { echo "$p"; return; }
	done
}
pa=$(free_udp_port)
pb=$(free_udp_port)
while [[ $pb == "$pa" ]]; do pb=$(free_udp_port); done

# Build both initramfs images and modules first, so the two boots start
# together instead of one guest waiting through the other's build.
for k in "${ak:-$series}" "${bk:-$series}"; do
	"$here/initramfs.sh" "$("$here/../../scripts/kernels.sh" kver "$k")" >/dev/null
done

out=$(mktemp -d /tmp/kwg-vm2.XXXXXX)
trap 'rm -rf "$out"' EXIT
"$here/vm.sh" -k "${ak:-$series}" -m "$am" -g a -n "$pa:$pb" "${common[@]}" "$@" \
	> "$out/a" 2>&1 &
apid=$!
"$here/vm.sh" -k "${bk:-$series}" -m "$bm" -g b -n "$pb:$pa" "${common[@]}" "$@" \
	> "$out/b" 2>&1 &
bpid=$!
sa=0 sb=0
wait "$apid" || sa=$?
wait "$bpid" || sb=$?
sed 's/^\(PASS\|FAIL\|SKIP\): /\1: [a] /' "$out/a"
sed 's/^\(PASS\|FAIL\|SKIP\): /\1: [b] /' "$out/b"
[[ $sa -eq 0 && $sb -eq 0 ]]
