# shellcheck shell=bash
# Recorded results, for run-all (sourced by it).
#
# make vmtest-debug boots every suite on the KASAN kernel under TCG: 4 to 5
# hours, more than one sitting on a 2-core machine. With KWG_RECORD_DIR set
# (the debug and long make targets set it), each run that passes is recorded
# there under a key of everything that decides its outcome, and a later
# run-all that plans the same run with the same key prints the record
# instead of booting again. So a long target can be taken in parts, and the
# module counts as proven when every run has passed on one tree. A failed
# run is never recorded: it runs again next time.
#
# The key hashes the contents of every file the guest runs or is built
# from, taken from git (tracked and untracked, not ignored): the module
# and uapi sources, the tools, the VM harness and its common suite code,
# the probes and fuzzers, the scripts that build kernels and images; plus
# the suite's own file, the kernel release (and a debug kernel's
# configuration key), and the run's command line (without -q: how much of
# the output is shown does not change the outcome). A change to any of them
# makes a new key, and the run happens again. Outside a git checkout
# nothing is recorded. A record holds the run's whole output (run-all
# shows it all when recording), so its measurements can be quoted later.
#
#   KWG_RECORD_DIR     where records live (unset: no recording)
#   KWG_RECORD_STATUS  1: print which planned runs are recorded, run none

# The files every run depends on besides its suite; paths from the top.
# Not tests/vm/debug: a debug kernel's fragments are in its own key (the
# one scripts/debug-kernel.sh gave the kernel that boots), so a change to
# one debug kernel's configuration reruns only the runs on that kernel.
RECORD_PATHS=(Kbuild module uapi tools scripts tests/fuzz tests/host/ynl
	tests/vm/vm.sh tests/vm/vm2.sh tests/vm/lib.sh tests/vm/guest-init
	tests/vm/initramfs.sh tests/vm/build-module.sh tests/vm/probes
	tests/vm/suites/common)

record_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
record_cache=${KWG_CACHE:-/var/cache/kwg}
record_tree=""
# Per kernel: its release and debug configuration key, looked up once by
# record_init (kernels.sh asks apt-cache; record_file runs in $(...), where
# a cache filled on the way would be lost).
declare -A record_kernel=()

# record_init KERNEL...: the tree's hash and each kernel's part of the key,
# once; no recording outside git.
record_init() {
	local k
	[[ -n ${KWG_RECORD_DIR:-} ]] || return 0
	if ! git -C "$record_top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		echo "# not a git checkout: results are not recorded" >&2
		return 0
	fi
	record_tree=$(cd "$record_top" &&
		git ls-files -co --exclude-standard -- "${RECORD_PATHS[@]}" |
		LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -c1-16)
	for k; do
		record_kernel[$k]=$("$record_top/scripts/kernels.sh" kver "$k") || continue
		[[ -f $record_cache/debug/$k.key ]] &&
			record_kernel[$k]+=" $(cat "$record_cache/debug/$k.key")"
	done
	mkdir -p "$KWG_RECORD_DIR"
}

# record_file SUITE KERNEL COMMAND: the record's path for this run, or
# nothing when runs are not recorded.
record_file() {
	local suite=$1 k=$2 cmd=$3 key
	[[ -n $record_tree && -n ${record_kernel[$k]:-} ]] || return 0
	# The command names files by absolute path: a second checkout of the
	# same tree (a worktree, a fresh clone) gets the same key.
	cmd=${cmd//$record_top/.}
	key=$({ echo "$record_tree ${record_kernel[$k]} ${cmd// -q / }"; cat "$suite"; } |
		sha256sum | cut -c1-16)
	echo "$KWG_RECORD_DIR/$(basename "$suite" .sh)-$k-$key.out"
}

# recorded FILE: a record exists there (FILE empty: runs are not recorded).
recorded() { [[ -n $1 && -s $1 ]]; }

# record_when FILE: when, at which commit and tree a record was made.
record_when() { sed -n '1s/^# recorded //p' "$1"; }

# record_show TAG FILE: a recorded run, in place of running it again.
record_show() {
	local tag=$1 f=$2 when
	when=$(record_when "$f")
	echo "--- $tag (recorded $when)"
	echo "PASS: [$tag] suite run recorded $when: $(grep '^PASS:' "$f" | grep -vc '] suite run (') checks passed, $(grep -c '^SKIP:' "$f") skipped ($f)"
}

# record_save FILE OUTPUT: record a passed run's output.
record_save() {
	local f=$1 out=$2
	[[ -n $f ]] || return 0
	{
		echo "# recorded $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$record_top" rev-parse --short HEAD), tree $record_tree"
		cat "$out"
	} >"$f.tmp" && mv "$f.tmp" "$f"
}
