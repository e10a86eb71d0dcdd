#!/bin/bash
# The userspace half of the wg-compat VM suite, run on the host: our wg and
# Debian's wg against a wireguard-go device. Skips (with a SKIP: line) where
# root, /dev/net/tun, wireguard-go or Debian's wg are missing.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
WG=${WG:-$top/tools/wg}
missing=""
[[ $(id -u) -eq 0 ]] || missing="not root"
[[ -c /dev/net/tun ]] || missing="no /dev/net/tun"
command -v wireguard-go >/dev/null || missing="no wireguard-go"
[[ -x /usr/bin/wg ]] || missing="no Debian wg at /usr/bin/wg"
if [[ -n $missing ]]; then
	echo "SKIP: uapi-compat: $missing"
	exit 0
fi
mkdir -p /var/run/wireguard
KWG_LIB=$top/tests/vm/lib.sh WG_OURS=$WG WG_DEBIAN=/usr/bin/wg \
	WG_COMPAT_BACKENDS=userspace WG_COMPAT_BIG=${WG_COMPAT_BIG:-1} \
	exec bash "$top/tests/vm/suites/wg-compat.sh"
