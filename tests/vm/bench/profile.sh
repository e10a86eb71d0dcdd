#!/bin/bash
# kwg-vm: timeout=900
# make profile's guest: where the CPU time of one implementation goes while
# one TCP stream runs a -> b through the tunnel (the bench's veth pair).
# perf samples every CPU on the software clock (TCG has no PMU) while
# iperf3 runs; the guest prints what bench/profile classifies:
#   "# profile: SAMPLES DSO SYMBOL"  samples of one symbol
#   "# profile-bytes: BYTES"         what iperf3 moved meanwhile
#   "# profile-hz: HZ"               samples per second and CPU
# The checks only say that the setup worked.
#
# PROFILE_IMPL      stock or kwg (the wireguard.ko vm.sh loaded), or
#                   kwg-nobatch (ours with udp_batching=0)
# PROFILE_SECONDS   length of the iperf3 run
# perf and its libraries are at /perf (bench/profile puts them there).
. /kwg/lib.sh
. /kwg/common/topo.sh
. /kwg/common/veth-pair.sh

IMPL=${PROFILE_IMPL:?} SECS=${PROFILE_SECONDS:?}
HZ=1000
perf() { LD_LIBRARY_PATH=/perf/lib /perf/bin/perf "$@"; }

[[ $IMPL == kwg-nobatch ]] && modprobe wireguard udp_batching=0
veth_wg_pair
check "the tunnel answers" wait_until 20 n a ping -c1 -W1 192.168.0.2
# Kernel addresses for perf's symbol lookup (root reads them anyway, but
# only with kptr_restrict below 2).
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid

ip netns exec b iperf3 -s -1 >/dev/null 2>&1 &
srv=$!
wait_until 5 listening b 5201
perf record -q -a -e cpu-clock -F $HZ -o /tmp/perf.data -- \
	ip netns exec a iperf3 -J -c 192.168.0.2 -t "$SECS" >/tmp/tcp.json 2>/tmp/perf.err
check_eq "perf recorded the run" 0 $?
[[ -s /tmp/perf.err ]] && sed 's/^/    perf: /' /tmp/perf.err | head -n 5
wait "$srv" 2>/dev/null
bytes=$(json_num /tmp/tcp.json sum_received bytes)
check "iperf3 moved data" ge "${bytes:-0}" 1
echo "# profile-bytes: $bytes"
echo "# profile-hz: $HZ"
# One line per symbol: "  12.34%  1234  [kernel.kallsyms]  [k] name" with
# -n; the command column is left out so that a symbol is counted once.
# perf has no file for a module and puts its symbols in the kernel's
# object; /proc/kallsyms says which are wireguard.ko's.
perf report -i /tmp/perf.data -n --stdio --no-children --sort dso,sym 2>/dev/null |
	awk 'FNR == NR { if ($4 == "[wireguard]") mod[$3] = 1; next }
		$1 ~ /%$/ && $2 ~ /^[0-9]+$/ {
		sym = $5; for (i = 6; i <= NF; i++) sym = sym " " $i
		dso = $3; if (dso == "[kernel.kallsyms]" && (sym in mod)) dso = "[wireguard]"
		print "# profile: " $2 " " dso " " sym }' /proc/kallsyms -
check "perf attributed samples" grep -q . <(perf report -i /tmp/perf.data -n --stdio 2>/dev/null | grep '%')
finish
