#!/bin/bash
# The userspace half of the wg-compat VM suite, run on the host: our wg and
# Debian's wg against a wireguard-go device; before it, what peer names and
# wg monitor do with a userspace implementation, which has neither. Skips
# (with a SKIP: line) where root, /dev/net/tun, wireguard-go or Debian's
# wg are missing.
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

failed=0
pass() { echo "PASS: uapi-compat: $*"; }
fail() { echo "FAIL: uapi-compat: $*"; failed=1; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }

# Peer names need kwg's module. A name asked for by `wg set' is refused
# and changes nothing; a file's names are labels, skipped with a warning
# while the rest of the file applies.
dev=kwgnames0 sock=/var/run/wireguard/kwgnames0.sock
tmp=$(mktemp -d /tmp/wg-names.XXXXXX)
WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go -f $dev >"$tmp/wgo.log" 2>&1 &
wgo=$!
trap 'kill $wgo 2>/dev/null; wait $wgo 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.1; done
if ! [[ -S $sock ]]; then
	fail "names: wireguard-go did not start: $(cat "$tmp/wgo.log")"
else
	p1=$("$WG" genkey | "$WG" pubkey) p2=$("$WG" genkey | "$WG" pubkey)
	why="peer names need the kwg module (this interface is served by a userspace implementation)"
	for name in laptop ""; do
		"$WG" set $dev peer "$p1" allowed-ips 10.0.0.1/32 name "$name" >"$tmp/out" 2>"$tmp/err"; rc=$?
		check "names: set name \"$name\" on wireguard-go: refused, exit 1, the reason" \
			test $rc -eq 1 -a ! -s "$tmp/out" -a "$(cat "$tmp/err")" = "Unable to modify interface $dev: $why"
		check "names: and nothing changed" test -z "$("$WG" show $dev peers)"
	done
	printf '[Interface]\nListenPort = 45123\n\n[Peer]\nPublicKey = %s\nName = laptop # 1\nAllowedIPs = 10.0.0.1/32\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.2/32\nName = phone\n' \
		"$p1" "$p2" >"$tmp/names.conf"
	sed '/^Name/d' "$tmp/names.conf" >"$tmp/plain.conf"
	# wireguard-go lists its peers in no fixed order: compare sorted lines.
	conf() { "$WG" showconf "$@" | LC_ALL=C sort; }
	for verb in setconf syncconf addconf; do
		"$WG" setconf $dev /dev/null
		"$WG" $verb $dev "$tmp/names.conf" >"$tmp/out" 2>"$tmp/err"; rc=$?
		check "names: $verb of a file with names on wireguard-go: applied, one warning naming the file" \
			test $rc -eq 0 -a ! -s "$tmp/out" -a \
			"$(cat "$tmp/err")" = "$tmp/names.conf: warning: Name ignored: $why"
		conf $dev >"$tmp/got"
		"$WG" setconf $dev "$tmp/plain.conf"
		check "names: $verb: the rest of the file is as without the Name lines" \
			test "$(cat "$tmp/got")" = "$(conf $dev)"
	done
	check "names: wireguard-go's peers have no name in json" \
		test "$("$WG" show $dev json | grep -c '"name": null')" -eq 2
	check "names: showconf --portable is showconf where there are no names" \
		test "$(conf --portable $dev)" = "$(conf $dev)"
	timeout 10 "$WG" monitor $dev >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
	check "monitor: a wireguard-go interface: exit 1, no events to wait for" \
		test $rc -eq 1 -a ! -s "$tmp/out" -a "$(cat "$tmp/err")" = \
		"wg monitor: $dev is served by a userspace implementation, which announces no events (kwg only)"
fi
kill $wgo 2>/dev/null
wait $wgo 2>/dev/null

KWG_LIB=$top/tests/vm/lib.sh WG_OURS=$WG WG_DEBIAN=/usr/bin/wg \
	WG_COMPAT_BACKENDS=userspace WG_COMPAT_BIG=${WG_COMPAT_BIG:-1} \
	bash "$top/tests/vm/suites/wg-compat.sh" || failed=1
exit $failed
