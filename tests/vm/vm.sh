#!/bin/bash
# Boot one Debian test kernel in QEMU (TCG) with our module or the stock
# one, our wg or Debian's, and run a guest script; print its output and
# exit with its status. A kernel splat (oops, WARN, BUG, lockdep, ...) or a
# warning taint fails the run even when the script passed.
#
# usage: tests/vm/vm.sh [options] SCRIPT [ARGS...]
#   -k, --kernel 6.1|6.12|kasan|kcsan|uml  kernel series (default 6.1), or a
#                                debug kernel (scripts/debug-kernel.sh; uml
#                                is a UML binary, run as a host process)
#   -m, --module ours|stock|FILE wireguard.ko under test (default ours)
#   -w, --wg ours|debian         wg/wg-quick first on the guest's PATH (default ours)
#   -t, --timeout SECONDS        guest script timeout (default: the script's
#                                "# kwg-vm: timeout=N" header, else 300; on
#                                a debug kernel its debug_timeout=N header,
#                                else 4 times the other)
#   -f, --file SRC:DEST          add a host file or directory to the guest
#   -e, --env NAME=VALUE         export a variable to the guest script
#   -n, --net LPORT:RPORT        one virtio NIC (eth0) joined to another guest over
#                                a QEMU UDP socket on the host's 127.0.0.1
#   -g, --guest NAME             guest name (hostname, KWG_GUEST; default guest)
#   -a, --append ARGS            extra kernel command-line arguments (also:
#                                the script's "# kwg-vm: append=ARG" header)
#   -l, --log FILE               keep the full console log here
#   -q, --quiet                  print only PASS/FAIL/SKIP lines and errors
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
KWG_CACHE=${KWG_CACHE:-/var/cache/kwg}

series=6.1 module=ours wg=ours timeout="" net="" guest=guest log="" quiet=0 append=
files=() envs=()
while [[ $# -gt 0 ]]; do
	case $1 in
	-k|--kernel) series=$2; shift 2 ;;
	-m|--module) module=$2; shift 2 ;;
	-w|--wg) wg=$2; shift 2 ;;
	-t|--timeout) timeout=$2; shift 2 ;;
	-f|--file) files+=("$2"); shift 2 ;;
	-e|--env) envs+=("$2"); shift 2 ;;
	-n|--net) net=$2; shift 2 ;;
	-g|--guest) guest=$2; shift 2 ;;
	-a|--append) append+=" $2"; shift 2 ;;
	-l|--log) log=$2; shift 2 ;;
	-q|--quiet) quiet=1; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "vm.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[[ $# -ge 1 ]] || { echo "vm.sh: no guest script given (see --help)" >&2; exit 2; }
script=$1; shift
[[ -f $script ]] || { echo "vm.sh: no such script: $script" >&2; exit 2; }
# A suite's "# kwg-vm: append=ARG" header: a kernel argument it needs.
append+=$(sed -n 's/^# kwg-vm:.*append=\([^ ]*\).*/ \1/p' "$script" | head -n1)
timeout_given=${timeout:+1}
if [[ -z $timeout ]]; then
	timeout=$(sed -n 's/^# kwg-vm:.*[: ]timeout=\([0-9]*\).*/\1/p' "$script" | head -n1)
	timeout=${timeout:-300}
fi
# "debug_timeout=N": the suite's own limit on the debug kernels, for work
# whose size grows there (the fuzzers' 10^6 inputs), instead of the scaled one.
debug_timeout=$(sed -n 's/^# kwg-vm:.*debug_timeout=\([0-9]*\).*/\1/p' "$script" | head -n1)

# The debug kernels (-k kasan|kcsan, scripts/debug-kernel.sh) run every
# check several times slower under TCG: give their guests more time and
# room (KASAN's shadow, kmemleak's object pool).
mem=2048
ncpus=2
case $series in
kasan|kcsan|uml)
	if [[ -z $timeout_given && -n $debug_timeout ]]; then
		timeout=$debug_timeout
	else
		timeout=$((timeout * ${KWG_DEBUG_TIMEOUT_SCALE:-4}))
	fi
	mem=3072
	;;
esac
# KASAN prints only its first report unless told otherwise: one the kernel
# makes while booting (see the taint below) would hide every later one.
[[ $series == kasan || $series == uml ]] && append+=" kasan_multi_shot"
[[ $series == uml ]] && ncpus=1
kver=$("$top/scripts/kernels.sh" kver "$series")
kdir=$KWG_CACHE/kernels/$kver
[[ -f $kdir/boot/vmlinuz-$kver ]] ||
	{ echo "vm.sh: kernel $kver not unpacked in $kdir (run make deps)" >&2; exit 1; }

images=("$("$here/initramfs.sh" "$kver")")
# A suite's "# kwg-vm: clients=yes" header: it drives the real clients
# (python3 with pyroute2, systemd-networkd, NetworkManager), kept in an
# image of their own to keep every other guest small.
if grep -q '^# kwg-vm:.*[: ]clients=yes' "$script"; then
	images+=("$("$here/initramfs.sh" "$kver" clients)")
fi

# A suite's "# kwg-vm: ynl=yes" header: it drives the module with the
# kernel's YNL tooling (tools/net/ynl/cli.py from linux-source-6.12, which
# needs the clients image's python3) and our spec, found in the guest at
# /kwg/ynl: cli.py, lib/, wireguard.yaml and tests/host/ynl/check_spec.py.
ynl=""
if grep -q '^# kwg-vm:.*[: ]ynl=yes' "$script"; then
	ynl=$("$top/tests/host/ynl/unpack.sh")/tools/net/ynl ||
		{ echo "vm.sh: the YNL tooling is not available (see above)" >&2; exit 1; }
fi

work=$(mktemp -d /tmp/kwg-vm.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
ov=$work/overlay
mkdir -p "$ov/kwg" "$ov/etc" "$ov/opt/kwg/bin"

# The module under test.
case $module in
stock) ;;
ours) "$here/build-module.sh" "$kver" "$ov/opt/kwg/wireguard.ko" >/dev/null ;;
*) cp "$module" "$ov/opt/kwg/wireguard.ko"; module=file ;;
esac

# Our tools, with whatever libraries they need beyond the base image.
add_binary() {
	local lib dst
	cp "$1" "$ov/opt/kwg/bin/"
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' || true); do
		# The real path: /lib is a symlink in the base image, and a
		# directory of that name here would hide it.
		dst=$(realpath "$(dirname "$lib")")/$(basename "$lib")
		mkdir -p "$ov$(dirname "$dst")"
		cp -L "$lib" "$ov$dst"
	done
}
if [[ -f $top/tools/Makefile ]] &&
   mkdir -p "$KWG_CACHE" && flock "$KWG_CACHE/tools.lock" make -s -C "$top/tools" >"$work/tools.log" 2>&1; then
	[[ -x $top/tools/wg ]] && add_binary "$top/tools/wg"
elif [[ -f $top/tools/Makefile ]]; then
	echo "vm.sh: building tools failed:" >&2; cat "$work/tools.log" >&2; exit 1
fi
# The suites' test programs, at /kwg/probes.
if ! flock "$KWG_CACHE/tools.lock" make -s -C "$here/probes" >"$work/probes.log" 2>&1; then
	echo "vm.sh: building tests/vm/probes failed:" >&2; cat "$work/probes.log" >&2; exit 1
fi
mkdir -p "$ov/kwg/probes"
find "$here/probes" -maxdepth 1 -type f -perm -u+x -exec cp {} "$ov/kwg/probes/" \;
[[ -f $top/tools/wg-quick ]] && install -m 755 "$top/tools/wg-quick" "$ov/opt/kwg/bin/"
if [[ $wg == ours && ! -x $ov/opt/kwg/bin/wg ]]; then
	echo "vm.sh: our wg is not built; using Debian's" >&2
	wg=debian
fi

install -m 755 "$here/guest-init" "$ov/init"
install -m 644 "$here/lib.sh" "$ov/kwg/lib.sh"
install -m 755 "$script" "$ov/kwg/suite.sh"
# Helpers the suites share (sourced as /kwg/common/*.sh).
[[ -d $here/suites/common ]] && cp -a "$here/suites/common" "$ov/kwg/common"
if [[ -n $ynl ]]; then
	mkdir -p "$ov/kwg/ynl"
	cp -a "$ynl/cli.py" "$ynl/lib" "$top/uapi/wireguard.yaml" \
		"$top/tests/host/ynl/check_spec.py" "$ov/kwg/ynl/"
fi
for spec in "${files[@]}"; do
	src=${spec%%:*} dst=${spec#*:}
	mkdir -p "$ov$(dirname "$dst")"
	cp -a "$src" "$ov$dst"
done
{
	printf 'export KWG_KERNEL=%q KWG_KVER=%q KWG_MODULE=%q KWG_WG=%q\n' \
		"$series" "$kver" "$module" "$wg"
	printf 'export KWG_TIMEOUT=%q KWG_GUEST=%q KWG_NCPUS=%q KWG_NET=%q\n' \
		"$timeout" "$guest" "$ncpus" "$net"
	for e in "${envs[@]}"; do printf 'export %q\n' "$e"; done
	printf 'KWG_ARGS=('; [[ $# -eq 0 ]] || printf '%q ' "$@"; printf ')\n'
} > "$ov/etc/kwg-env"

(cd "$ov" && find . -print0 | cpio --null -o -H newc --quiet) > "$work/overlay.cpio"
cat "${images[@]}" "$work/overlay.cpio" > "$work/initrd.cpio"

netargs=(-nic none)
if [[ -n $net && $series == uml ]]; then
	echo "vm.sh: -n: the UML kernel has no NIC for a second guest" >&2
	exit 2
elif [[ -n $net ]]; then
	lport=${net%%:*} rport=${net#*:}
	netargs=(-netdev "socket,id=n0,udp=127.0.0.1:$rport,localaddr=127.0.0.1:$lport"
		 -device "virtio-net-pci,netdev=n0,mac=52:54:00:00:$(printf %02x $((lport % 256))):01")
fi

[[ -n $log ]] || log=$work/console.log
# The guest, its console on stdout: a PC under QEMU, or the UML kernel run
# as a host process (its memory a file in $work, removed with it).
if [[ $series == uml ]]; then
	# shellcheck disable=SC2206 # $append: kernel arguments, one word each
	vm_cmd=(env TMPDIR="$work" "$kdir/boot/vmlinuz-$kver" mem="${mem}M"
	       initrd="$work/initrd.cpio" con=null con0=null,fd:1 rdinit=/init quiet
	       loglevel=4 $append)
else
	# No LA57: under 5-level paging an interrupt in identify_cpu's window
	# (the feature bits cleared and read again) makes the KASAN kernel
	# compute 4-level shadow bounds; with kasan_multi_shot the reports
	# it then prints keep the window open and the guest never boots.
	vm_cmd=(qemu-system-x86_64
	       -machine pc -accel tcg -cpu max,la57=off -smp "$ncpus" -m "$mem"
	       -display none -monitor none -serial stdio -no-reboot
	       "${netargs[@]}"
	       -kernel "$kdir/boot/vmlinuz-$kver" -initrd "$work/initrd.cpio"
	       -append "console=ttyS0 rdinit=/init panic=-1 quiet loglevel=4$append")
fi
# The console log is written line by line (stdbuf: tr would hold back up
# to 4 KiB), so that it can be followed while a long suite runs. The
# suite's lines go to $work/results, printed once the last boot is over (a
# boot the emulator killed is void, below); on a terminal they are also
# shown as they come.
live=0
[[ -t 1 ]] && live=1
boot() {
	set +e
	timeout -k 10 $((timeout + 240)) "${vm_cmd[@]}" \
		</dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$log" | awk -v quiet="$quiet" -v live="$live" \
			-v out="$work/results" '
			BEGIN { printf "" >out }
			/^=== KWG-SUITE-BEGIN ===$/ { on = 1; next }
			/^=== KWG-SUITE-END/ { on = 0; next }
			on && (!quiet || /^(PASS|FAIL|SKIP): /) {
				print >out; fflush(out)
				if (live) { print; fflush() } }'
	qemu_status=${PIPESTATUS[0]}
	set -e
}

# Multi-threaded TCG (QEMU 7.2) can leave a vCPU running a stale
# translation of kernel text that another vCPU just patched (static keys,
# alternatives, net_get_random_once): the guest then dies on an int3 that
# the kernel has already removed, at a site no module owns. Seen at boot
# with no module loaded, in the stock module's runs, and in ours. That is
# the emulator, not the code under test, so the guest boots again (at most
# TCG_REBOOTS times: on a loaded host it was seen twice in a row) and the
# suite starts over; the dead boot's results are dropped. The signature,
# all of it required: the guest's first oops is "Oops: int3"; its RIP is
# in the kernel proper (no [module]); and the byte before RIP in its Code:
# dump is no longer 0xcc, i.e. the int3 the CPU trapped on had already
# been patched away when the kernel read its text back. A stray int3 (a
# jump into 0xcc padding) keeps its 0xcc and fails the run. A suite that
# had already reported a FAIL is not run again (that failure stands), nor
# is a two-guest suite once started (its partner would not start over).
# (No `| grep -q` here: with pipefail, grep quitting at its first match
# lets the writer die of SIGPIPE and the pipeline fail on a match.)
tcg_stale_int3() {
	local oops
	grep -q '^=== KWG-SUITE-END' "$log" && return 1
	grep -E '^FAIL: ' "$work/results" >/dev/null && return 1
	[[ -n $net ]] && grep -E '^(PASS|SKIP): ' "$work/results" >/dev/null && return 1
	oops=$(awk '/Oops|BUG:|kernel BUG|general protection|WARNING:/ { n++ } n == 1 { print } n > 1 { exit }' "$log")
	[[ $(head -n1 <<<"$oops") == *'Oops: int3'* ]] || return 1
	grep -E 'RIP: 0010:' <<<"$oops" | head -n1 | grep -E ' \[[[:alnum:]_]+\]$' >/dev/null && return 1
	grep -E '^(\[[ 0-9.]*\] )?Code: ' <<<"$oops" | head -n1 | grep -E ' [0-9a-f]{2} <' |
		grep -Ev ' cc <' >/dev/null
}

TCG_REBOOTS=3
boot
for ((reboot = 1; reboot <= TCG_REBOOTS; reboot++)); do
	tcg_stale_int3 || break
	keep=$(mktemp /tmp/kwg-vm-console.XXXXXX.log)
	cp "$log" "$keep"
	echo "vm.sh: [$guest] the guest died on a stale int3 in kernel text (a QEMU TCG" \
		"cross-modifying-code race, log: $keep), $(grep -cE '^(PASS|SKIP): ' "$work/results")" \
		"results in; its results are dropped and the suite starts over ($reboot of $TCG_REBOOTS)" >&2
	boot
done
((live)) || cat "$work/results"
status=$(sed -n 's/^=== KWG-SUITE-END status=\([0-9]*\) ===$/\1/p' "$log" | tail -n1)
taint=$(sed -n 's/^=== KWG-TAINT \([0-9]*\) ===$/\1/p' "$log" | tail -n1)
taint_boot=$(sed -n 's/^=== KWG-TAINT-BOOT \([0-9]*\) ===$/\1/p' "$log" | tail -n1)
result=0
if [[ -z $status ]]; then
	echo "FAIL: [$guest] the guest died before the suite ended (qemu status $qemu_status)"
	grep -E -A40 'Kernel panic|Oops|BUG:|general protection' "$log" | awk 'NR <= 60' || true
	result=1
elif [[ $status -ne 0 ]]; then
	result=$status
fi
# The guest's kernel log from the suite's start (guest-init's "kwg: the
# suite starts"): what the kernel reported while booting, before our module
# was loaded, is its own (UML's 6.1 fork path trips PROVE_RCU, say), named
# below but not judged. A KCSAN report (between two lines of '=', its
# first "BUG: KCSAN:") with no frame of ours is a race inside the kernel
# itself (poll wakeups racing, say): not ours to fix or annotate, so it is
# taken out here and only named, as "KWG-KCSAN-ELSEWHERE <its BUG line>".
# A frame of ours counts only above an interrupt's entry in an access's
# stack: below it is the code the interrupt happened to stop (the
# scheduler tick racing on its own masks while our worker sends, say).
sed -n '/^=== KWG-DMESG-BEGIN ===$/,/^=== KWG-DMESG-END ===$/p' "$log" >"$work/dmesg"
boot_log() {
	awk '/kwg: the suite starts$/ { found = 1; exit } { buf = buf $0 "\n" }
		END { if (found) printf "%s", buf }' "$work/dmesg"
}
kernel_log() {
	awk -v marked="$(grep -c 'kwg: the suite starts$' "$work/dmesg")" \
		'!marked || on { print } /kwg: the suite starts$/ { on = 1 }' "$work/dmesg" |
		awk '/========================================/ { if (inblk) { blk = blk $0 "\n"; flush(); inblk = 0; next }
				inblk = 1; blk = $0 "\n"; bug = ""; ours = 0; below = 0; next }
			inblk { blk = blk $0 "\n"; if (/BUG: KCSAN:/) bug = $0
				if (/ on cpu [0-9]+:[ \t]*$/) below = 0
				if (!below && /\[wireguard\]/) ours = 1
				if (/ asm_(sysvec_|common_interrupt)/) below = 1
				next }
			{ print }
			function flush() { if (bug != "" && !ours) { sub(/^.*BUG: /, "", bug); print "KWG-KCSAN-ELSEWHERE " bug }
				else printf "%s", blk }
			END { if (inblk) printf "%s", blk }'
}
kernel_log >"$work/kernel.log"
elsewhere=$(grep '^KWG-KCSAN-ELSEWHERE' "$work/kernel.log" | sort | uniq -c || true)
[[ -z $elsewhere ]] || echo "[$guest] KCSAN races outside the module (not judged): $(echo "$elsewhere" | sed 's/KWG-KCSAN-ELSEWHERE //' | paste -sd';')"
# KCSAN reports start "BUG: KCSAN:"; its boot line names CONFIG_KCSAN_STRICT.
splat_re='WARNING:|BUG:|Oops|general protection|Call Trace:|kernel BUG|possible (recursive|circular) locking|DEBUG_LOCKS_WARN_ON|INFO: trying to register non-static key|inconsistent lock state|ODEBUG|new suspected memory leaks|scheduling while atomic|suspicious RCU|unregister_netdevice: waiting|refcount_t:|list_(add|del) corruption|UBSAN|KASAN|blocked for more than|soft lockup|self-detected stall'
splats=$(grep -E "$splat_re" "$work/kernel.log" || true)
boot_splats=$(boot_log | sed 's/^\[ *[0-9.]*\] //' | grep -E "$splat_re" | grep -v '^Call Trace:' |
	sort | uniq -c | sed 's/^ *//' || true)
[[ -z $boot_splats ]] ||
	echo "[$guest] the kernel's own reports while booting (not judged): $(paste -sd';' <<<"$boot_splats")"
if [[ -n $splats ]]; then
	echo "FAIL: [$guest] kernel log has a splat:"
	# awk, not head: head quitting early would kill sed with SIGPIPE, and
	# pipefail then vm.sh, before it kept the log. A debug kernel's boot
	# log alone is longer than what is worth printing here.
	grep -E -B5 -A60 "$splat_re" "$work/kernel.log" | awk 'NR <= 300'
	result=1
fi
leaks=$(sed -n '/^=== KWG-KMEMLEAK-BEGIN ===$/,/^=== KWG-KMEMLEAK-END ===$/p' "$log" |
	grep -c '^unreferenced object' || true)
if [[ $leaks -gt 0 ]]; then
	echo "FAIL: [$guest] kmemleak reports $leaks unreferenced objects after the suite:"
	sed -n '/^=== KWG-KMEMLEAK-BEGIN ===$/,/^=== KWG-KMEMLEAK-END ===$/p' "$log" | awk 'NR <= 120'
	result=1
fi
if grep -q '^=== KWG-UNLOAD-FAILED' "$log"; then
	echo "FAIL: [$guest] the module would not unload after the suite: $(grep '^=== KWG-UNLOAD-FAILED' "$log")"
	result=1
fi
# W (warning), D (oops), B (bad page, also set by a KASAN report), L (soft
# lockup), taken since the suite started: like the boot log above, a taint
# the kernel took while booting (such as the KASAN false positive in
# identify_cpu that -cpu max with LA57 made) is named, not judged.
taint_bad=$(((1 << 9) | (1 << 7) | (1 << 5) | (1 << 14)))
if [[ -n $taint ]] && (( taint & ~${taint_boot:-0} & taint_bad )); then
	echo "FAIL: [$guest] kernel tainted by a warning or oops (tainted=$taint, $((${taint_boot:-0})) at boot)"
	result=1
elif [[ -n $taint ]] && (( taint & taint_bad )); then
	echo "[$guest] the kernel was tainted while booting (not judged): tainted=$taint_boot"
fi
if [[ $result -ne 0 && -z ${KWG_KEEP_LOG:-} && $log == "$work/console.log" ]]; then
	keep=$(mktemp /tmp/kwg-vm-console.XXXXXX.log)
	cp "$log" "$keep"
	echo "vm.sh: full console log: $keep" >&2
fi
exit "$result"
