#!/bin/bash
# Build our module for one kernel release, out of tree, in a per-release
# copy of the sources under the cache so that builds for 6.1 and 6.12 do
# not clobber each other's objects. Prints the path of wireguard.ko.
#
# usage: build-module.sh KVER [DEST]
# With DEST, the module is copied there before the build directory is
# unlocked, and DEST is printed: every working tree on the machine shares
# the directory, and another one's build may replace the module as soon as
# the lock is released.
set -euo pipefail
kver=$1 dest=${2:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
KWG_CACHE=${KWG_CACHE:-/var/cache/kwg}
kdir=${KDIR:-/usr/src/linux-headers-$kver}
# A debug kernel (scripts/debug-kernel.sh) carries its build tree.
[[ -z ${KDIR:-} && -d $KWG_CACHE/kernels/$kver/build ]] && kdir=$KWG_CACHE/kernels/$kver/build
[[ -d $kdir ]] || { echo "build-module: no headers for $kver at $kdir (run make deps)" >&2; exit 1; }
build=$KWG_CACHE/build/$kver
mkdir -p "$build"
# Two guests booting at once (vm2.sh) build for the same release.
exec 9>"$build.lock"
flock 9
# -c: compare contents, so a fresh clone does not force a full rebuild;
# no -t: a changed file gets a new mtime and always triggers a rebuild.
rsync -rl -c --delete --exclude='*.o' --exclude='*.ko' --exclude='*.mod*' \
	--exclude='.*.cmd' --exclude='Module.symvers' --exclude='modules.order' \
	"$top/module" "$top/uapi" "$build/" >/dev/null
# A UML kernel's tree (scripts/debug-kernel.sh build uml) builds for ARCH=um.
arch=()
grep -qx 'CONFIG_UML=y' "$kdir/.config" 2>/dev/null && arch=(ARCH=um)
make -s -C "$kdir" "${arch[@]}" M="$build/module" modules >"$build/build.log" 2>&1 ||
	{ cat "$build/build.log" >&2; exit 1; }
if [[ -n $dest ]]; then
	cp "$build/module/wireguard.ko" "$dest"
	echo "$dest"
else
	echo "$build/module/wireguard.ko"
fi
