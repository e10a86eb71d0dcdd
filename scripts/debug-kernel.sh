#!/bin/bash
# Build (once) and install into the cache a debug kernel from Debian's
# linux-source-6.1: x86_64_defconfig + kvm_guest.config + the fragments in
# tests/vm/debug/ (common.config and FLAVOUR.config). The result is laid out
# like an unpacked Debian image, in $KWG_CACHE/kernels/<release>/, so that
# vm.sh and initramfs.sh boot it like the stock kernels; <release>/build
# points at the build tree that our module is compiled against.
# Flavour uml is the kasan kernel as a UML binary (ARCH=um defconfig +
# common.config + kasan.config + uml.config), "vmlinuz" being the binary.
#
#   scripts/debug-kernel.sh build kasan|kcsan|uml  -> builds if needed, prints the release
#   scripts/debug-kernel.sh kver kasan|kcsan|uml   -> prints the release of the last build
#
# A build is redone when the fragments, this script or the source package
# change. Environment: KWG_CACHE (default /var/cache/kwg), KWG_JOBS
# (default nproc).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
KWG_CACHE=${KWG_CACHE:-/var/cache/kwg}
cache=$KWG_CACHE/debug
tarball=/usr/src/linux-source-6.1.tar.xz
src=$cache/linux-source-6.1
jobs=${KWG_JOBS:-$(nproc)}

cmd=${1:-} flavour=${2:-}
arch=() defconfig=(x86_64_defconfig) image=arch/x86/boot/bzImage
case $flavour in
kasan|kcsan)
	fragments=("$top/tests/vm/debug/common.config" "$top/tests/vm/debug/$flavour.config")
	merge=("$src/kernel/configs/kvm_guest.config")
	;;
uml)
	fragments=("$top/tests/vm/debug/common.config" "$top/tests/vm/debug/kasan.config"
		   "$top/tests/vm/debug/uml.config")
	arch=(ARCH=um) defconfig=(defconfig) image=linux merge=()
	;;
*) echo "usage: $0 build|kver kasan|kcsan|uml" >&2; exit 2 ;;
esac
build=$cache/build-$flavour

if [[ $cmd == kver ]]; then
	[[ -s $cache/$flavour.kver ]] ||
		{ echo "no $flavour debug kernel built (make vmtest-debug builds it)" >&2; exit 1; }
	cat "$cache/$flavour.kver"
	exit 0
fi
[[ $cmd == build ]] || { echo "usage: $0 build|kver kasan|kcsan|uml" >&2; exit 2; }

mkdir -p "$cache"
exec 9>"$cache/$flavour.lock"
flock 9

key=$( { cat "$0" "${fragments[@]}"; stat -L -c '%s %Y' "$tarball"; } | sha256sum | cut -c1-16)
if [[ -s $cache/$flavour.kver && $(cat "$cache/$flavour.key" 2>/dev/null) == "$key" &&
      -f $KWG_CACHE/kernels/$(cat "$cache/$flavour.kver")/.unpacked ]]; then
	cat "$cache/$flavour.kver"
	exit 0
fi

(
	exec 8>"$cache/src.lock"
	flock 8
	if [[ ! -f $src/.kwg-unpacked ]]; then
		[[ -f $tarball ]] || { echo "$tarball missing (make deps)" >&2; exit 1; }
		echo "debug-kernel: unpacking $tarball (once)" >&2
		rm -rf "$src" "$cache/unpack.tmp"
		mkdir -p "$cache/unpack.tmp"
		tar -C "$cache/unpack.tmp" -xf "$tarball"
		mv "$cache/unpack.tmp/linux-source-6.1" "$src"
		rmdir "$cache/unpack.tmp"
		touch "$src/.kwg-unpacked"
	fi
)

mkdir -p "$build"
start=$SECONDS
log=$cache/build-$flavour.log
echo "debug-kernel: configuring and building $flavour in $build (log: $log)" >&2
{
	make -C "$src" O="$build" "${arch[@]}" "${defconfig[@]}"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" \
		"${merge[@]}" "${fragments[@]}"
	make -C "$src" O="$build" "${arch[@]}" olddefconfig
} >"$log" 2>&1 || { tail -n 40 "$log" >&2; exit 1; }

# Every option a fragment asks for must have survived olddefconfig: a
# silently dropped KASAN or lockdep would make every later run meaningless.
# Where fragments disagree, the last one's word counts (as in the merge).
missing=$(grep -h '^CONFIG_' "${fragments[@]}" | tac | sort -u -t= -k1,1 -s | while IFS= read -r line; do
	opt=${line%%=*} want=${line#*=}
	if [[ $want == n ]]; then
		grep -q "^$opt=" "$build/.config" && echo "$opt (wanted off)"
	else
		grep -qxF "$line" "$build/.config" || echo "$line"
	fi
done || true)
if [[ -n $missing ]]; then
	echo "debug-kernel: options the configuration did not take:" >&2
	echo "$missing" | sed 's/^/    /' >&2
	exit 1
fi

make -C "$src" O="$build" "${arch[@]}" -j"$jobs" "${image##*/}" modules >>"$log" 2>&1 ||
	{ grep -E 'error|Error' "$log" | head -n 30 >&2; exit 1; }
kver=$(make -s -C "$src" O="$build" "${arch[@]}" kernelrelease)
dir=$KWG_CACHE/kernels/$kver
rm -rf "$dir"
mkdir -p "$dir/boot"
cp "$build/$image" "$dir/boot/vmlinuz-$kver"
make -C "$src" O="$build" "${arch[@]}" INSTALL_MOD_PATH="$dir" INSTALL_MOD_STRIP=1 \
	DEPMOD=/sbin/depmod modules_install >>"$log" 2>&1
ln -sfn "$build" "$dir/build"
touch "$dir/.unpacked"
echo "$kver" >"$cache/$flavour.kver"
echo "$key" >"$cache/$flavour.key"
echo "debug-kernel: $flavour kernel $kver built in $((SECONDS - start)) s" | tee -a "$log" >&2
echo "$kver"
