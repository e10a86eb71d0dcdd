#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build kwg's Debian packages (make deb):
#   packaging/build-deb.sh [OUTDIR]      (default: build/deb)
# gives OUTDIR/kwg-dkms_<ver>_all.deb and OUTDIR/kwg-tools_<ver>_<arch>.deb
# (plus kwg-tools-dbgsym, the .buildinfo and .changes), <ver> being dkms.conf's
# PACKAGE_VERSION with the Debian revision of packaging/debian/changelog.
#
# dpkg-buildpackage wants debian/ at the top of the source tree, and the
# repository keeps it in packaging/: the sources that the packages need
# (dkms.conf, module/, uapi/, tools/, COPYING), without build products, and
# packaging/debian are copied into OUTDIR/src/kwg-<ver>, and the binary
# packages are built there (dpkg-buildpackage -b, unsigned).
# Needs: dpkg-dev, debhelper, dh-dkms, libmnl-dev, libsodium-dev, pkg-config.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$top/build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
[[ -n $ver ]] || { echo "build-deb: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }

stage=$out/src/kwg-$ver
rm -rf "$out/src"
mkdir -p "$stage"
tar -C "$top" -cf - \
	--exclude='*.o' --exclude='*.ko' --exclude='*.ko.*' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.a' --exclude='*.order' \
	--exclude=Module.symvers --exclude=tools/wg --exclude=tools/.check \
	dkms.conf COPYING module uapi tools |
	tar -C "$stage" -xf -
cp -r "$top/packaging/debian" "$stage/debian"

# dkms.conf decides the version. A changelog without an entry for it (a
# version bump in dkms.conf, packaging not updated yet) gets one here, in
# the staged copy only, and the build says so.
chver=$(cd "$stage" && dpkg-parsechangelog -S Version)
if [[ ${chver%-*} != "$ver" ]]; then
	maint=$(sed -n 's/^Maintainer: //p' "$stage/debian/control")
	echo "build-deb: packaging/debian/changelog is at $chver, dkms.conf at $ver:" \
		"adding an entry for $ver-1 to the staged changelog (add a real one)" >&2
	{
		printf 'kwg (%s-1) unstable; urgency=medium\n\n' "$ver"
		printf '  * New upstream version %s (entry made by make deb).\n\n' "$ver"
		printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
		cat "$top/packaging/debian/changelog"
	} > "$stage/debian/changelog"
fi
debver=$(cd "$stage" && dpkg-parsechangelog -S Version)

rm -f "$out"/kwg-dkms_*.deb "$out"/kwg-tools_*.deb "$out"/kwg-tools-dbgsym_*.deb \
	"$out"/kwg_*.buildinfo "$out"/kwg_*.changes
(cd "$stage" && dpkg-buildpackage -b -us -uc)
mv "$out"/src/kwg-dkms_"$debver"_*.deb "$out"/src/kwg-tools_"$debver"_*.deb \
	"$out"/src/kwg-tools-dbgsym_"$debver"_*.deb \
	"$out"/src/kwg_"$debver"_*.buildinfo "$out"/src/kwg_"$debver"_*.changes "$out"/
echo "build-deb: built in $out:"
ls -1 "$out"/kwg-*_"$debver"_*.deb
