#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unpack the kernel's YNL tooling (tools/net/ynl) and its schemas
# (Documentation/netlink) from Debian's linux-source-6.12 into
# ${KWG_CACHE}/ynl, once per tarball version, and print the directory they
# are in (the linux-source-6.12 root). Used by tests/host/ynl/run (host
# checks of the spec) and by tests/vm/vm.sh (suites that drive the module
# with cli.py, "# kwg-vm: ynl=yes").
#
# The project is an independent implementation: only YNL and its schemas
# are unpacked, no WireGuard code or spec.
set -uo pipefail
TARBALL=/usr/src/linux-source-6.12.tar.xz
CACHE=${KWG_CACHE:-/var/cache/kwg}/ynl
SRC=$CACHE/linux-source-6.12

[[ -f $TARBALL ]] ||
	{ echo "$TARBALL missing: install linux-source-6.12 (make deps does)" >&2; exit 1; }
# The stamp names the tarball it came from, so an upgraded package is
# unpacked again. flock: parallel runs wait.
stamp="$(stat -c '%s %Y' "$TARBALL")"
mkdir -p "$CACHE" || { echo "cannot create $CACHE" >&2; exit 1; }
(
	flock 9
	[[ -f $SRC/.kwg-unpacked && $(<"$SRC/.kwg-unpacked") == "$stamp" ]] && exit 0
	tmp=$(mktemp -d "$CACHE/unpack.XXXXXX") || exit 1
	if ! nice -n 19 tar -xf "$TARBALL" -C "$tmp" --exclude='*wireguard*' \
		linux-source-6.12/tools/net/ynl linux-source-6.12/Documentation/netlink; then
		rm -rf "$tmp"
		exit 1
	fi
	echo "$stamp" > "$tmp/linux-source-6.12/.kwg-unpacked"
	rm -rf "$SRC"
	mv "$tmp/linux-source-6.12" "$SRC" && rmdir "$tmp"
) 9>"$CACHE/.lock" || { echo "cannot unpack $TARBALL into $CACHE" >&2; exit 1; }
echo "$SRC"
