#!/bin/bash
# kwg-vm: stock=yes timeout=600 debug_timeout=5400
# The generic-netlink fuzzer (tests/fuzz/vm/fuzz-netlink.c): random and
# mutated SET_DEVICE and GET_DEVICE requests on several devices in several
# namespaces at once, dumps interleaved with sets and with devices deleted
# and re-created under them, the tunnel pair's own devices included. Then:
# the fuzzer ran every request and saw no framing error, no unanswered
# request and no malformed or inconsistent dump; the kernel still answers
# wg show; the tunnel, configured again, passes traffic; every device can
# be deleted and the module unloaded. The harness fails the run on any
# WARN, oops, KASAN or lockdep report, and kmemleak on the debug kernels.
#
# KWG_FUZZ_NL_REQUESTS: requests (default 6000: ~30-75 s on Debian's
# kernels under TCG; the same on the x86 debug kernels, where the KASAN
# guest manages 3-12 requests a second; 10^6 on the UML debug kernel, make
# vmtest-uml); KWG_FUZZ_NL_SEED: seed (default 1);
# KWG_FUZZ_NL_CHURN: milliseconds between background deletions and
# re-creations of the "+" devices (default 200; 0: only mid-dump ones);
# KWG_FUZZ_NL_MIX: the scenarios' weights (fuzz-netlink -m; default: its
# own, or on UML the one below); KWG_FUZZ_NL_CHUNK: requests per fuzzer
# run (default: all of them in one; 10^5 on UML). Chunk i (from 0) runs
# with seed SEED+i, and between chunks the fuzzed devices are re-created
# and the pair configured again: otherwise the peers and allowed IPs that
# valid SETs keep adding make every dump, and so the fuzzing, slower and
# slower over a million requests.
. /kwg/lib.sh
. /kwg/common/veth-pair.sh

default_n=6000 default_mix= default_chunk=
# The UML debug kernel runs at the host's speed: the full size there, with
# the mix weighted to the cheaper requests (mutated and raw ones, batches;
# fewer valid SETs, whose peers each cost a DH under KASAN, and fewer slow
# dumps): ~470 requests a second there, 180 with the default mix.
if [[ ${KWG_KERNEL:-} == uml ]]; then
	default_n=1000000 default_chunk=100000
	default_mix=get=100,dump-mid=20,set=100,huge=2,set-chaos=400,get-chaos=150,batch=100,raw=128
fi
requests=${KWG_FUZZ_NL_REQUESTS:-$default_n}
seed=${KWG_FUZZ_NL_SEED:-1}
churn=${KWG_FUZZ_NL_CHURN:-200}
chunk=${KWG_FUZZ_NL_CHUNK:-${default_chunk:-$requests}}
mix=()
mix_spec=${KWG_FUZZ_NL_MIX:-$default_mix}
[[ -n $mix_spec ]] && mix=(-m "$mix_spec")

# The tunnel pair: a (10.0.0.1, wg0 192.168.0.1) -- b (.2), ports 1 and 2.
veth_wg_pair a b
check "the tunnel passes traffic before the fuzzing" n a ping -c1 -W5 192.168.0.2

# Fuzzed namespaces: "+" devices may be deleted and re-created.
declare -A devs=([f1]="+d0,+d1,d2" [f2]="+d0,d1" [f3]="+d0")
for ns in "${!devs[@]}"; do netns_add "$ns"; done
# wg_devices NS: the WireGuard devices in NS.
wg_devices() { ip -n "$1" -o link show type wireguard | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'; }
# fresh_devices: every fuzzed namespace holds exactly its devices, new.
fresh_devices() {
	local ns dev
	for ns in "${!devs[@]}"; do
		for dev in $(wg_devices "$ns"); do
			n "$ns" ip link del "$dev"
		done
		for dev in $(tr ',' ' ' <<<"${devs[$ns]//+/}"); do
			n "$ns" ip link add "$dev" type wireguard
			n "$ns" ip link set "$dev" up
		done
	done
}
fresh_devices

# The pair's configuration, as veth_wg_pair made it.
conf() {
	printf '[Interface]\nPrivateKey = %s\nListenPort = %s\nFwMark = 0\n' "$1" "$2"
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = %s\nEndpoint = %s\n' "$3" "$4" "$5"
}
conf_a() { n a wg setconf wg0 <(conf "$ka" 1 "$pb" 192.168.0.2/32 10.0.0.2:2); }
conf_b() { n b wg setconf wg0 <(conf "$kb" 2 "$pa" 192.168.0.1/32 10.0.0.1:1); }

# Real key pairs (hex) for the fuzzer: private keys it sets, peer keys it
# uses, so devices meet their own key among their peers and handshakes
# between the fuzzed devices can complete; the pair's keys among them.
hex() { base64 -d | xxd -p -c 64; }
for k in "$ka" "$kb" $(for _ in 1 2 3 4 5 6; do wg genkey; done); do
	echo "$(hex <<<"$k") $(wg pubkey <<<"$k" | hex)"
done >/tmp/fuzz-keys

args=()
for ns in "${!devs[@]}"; do args+=("$ns:${devs[$ns]}"); done
args+=(a:wg0 b:wg0)
echo "# fuzz-netlink -s $seed -n $requests (in runs of $chunk) -c $churn ${mix[*]} ${args[*]}"
start=$SECONDS
# field NAME: a number from the fuzzer's summary line (0 if missing).
field() { local v; v=$(sed -n "s/.* $1=\([0-9]*\) .*/\1/p" /tmp/fuzz.out); echo "${v:-0}"; }
ran=0 anomalies=0 completed=0 rc=0 i=0
while ((ran < requests && rc == 0)); do
	size=$((requests - ran < chunk ? requests - ran : chunk))
	t=$SECONDS
	/kwg/probes/fuzz-netlink -s $((seed + i)) -n "$size" -k /tmp/fuzz-keys -c "$churn" \
		"${mix[@]}" "${args[@]}" >/tmp/fuzz.out 2>/tmp/fuzz.err
	rc=$?
	sed 's/^/# /' /tmp/fuzz.out
	head -n 60 /tmp/fuzz.err | sed 's/^/# /'
	ran=$((ran + $(field requests))) anomalies=$((anomalies + $(field anomalies)))
	completed=$((completed + $(field completed)))
	if ((chunk < requests)); then
		echo "# run $i (seed $((seed + i))): $size requests in $((SECONDS - t)) s, $ran so far"
		if ((ran < requests && rc == 0)); then
			fresh_devices
			conf_a && conf_b
			echo "# devices re-created, the pair configured again; run $((i + 1)) starts"
		fi
	fi
	i=$((i + 1))
done
echo "# $((SECONDS - start)) s on $KWG_KERNEL ($KWG_MODULE module)"
check_eq "the fuzzer ends without a harness failure (framing, no answer)" 0 "$rc"
check_eq "it ran $requests requests" "$requests" "$ran"
check_eq "no malformed or inconsistent GET reply" 0 "$anomalies"
check "dumps completed ($completed)" test "$completed" -gt 0

# The kernel still answers, in every namespace.
for ns in f1 f2 f3 a b; do
	check "wg show answers in $ns" n "$ns" wg show all
done
check "wg show answers for a device that was fuzzed" n f1 wg show d2 dump

# The tunnel, configured again as it was, passes traffic.
check "the tunnel is configured again (a)" conf_a
check "the tunnel is configured again (b)" conf_b
check_eq "a's configuration reads back" \
	"$(printf '%s\t%s\t1\toff\n%s\t(none)\t10.0.0.2:2\t192.168.0.2/32' "$ka" "$pa" "$pb")" \
	"$(n a wg show wg0 dump | cut -f1-4)"
check "the tunnel passes traffic after the fuzzing" wait_until 30 n a ping -c1 -W1 192.168.0.2
check "and the other way" n b ping -c1 -W5 192.168.0.1

# Every device in every namespace can be deleted, then the module unloaded.
for ns in f1 f2 f3 a b; do
	for dev in $(wg_devices "$ns"); do
		check "delete $ns/$dev" ip -n "$ns" link del "$dev"
	done
	ip netns del "$ns"
done
check_eq "no WireGuard device is left in the initial namespace" "" \
	"$(ip -o link show type wireguard)"
check "rmmod wireguard" wait_until 30 rmmod wireguard
check_fails "the module is gone" grep -q '^wireguard ' /proc/modules
finish
