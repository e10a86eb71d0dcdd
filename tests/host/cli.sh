#!/bin/bash
# Command-line behaviour of wg that needs no WireGuard device: key
# commands, usage and error exits, config errors with file:line, and errors
# for missing or foreign devices. WG names the binary under test.
set -u
WG=${WG:-$(dirname "$0")/../../tools/wg}
tmp=$(mktemp -d /tmp/wg-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS: cli: $*"; }
fail() { echo "FAIL: cli: $*"; failed=1; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }

# hex on stdin to base64, with nothing beyond coreutils and printf.
b64() { local h; read -r h; printf "$(printf '%s' "$h" | sed 's/../\\x&/g')" | base64 -w0; }

# RFC 7748 §6.1: Alice's private and public keys.
priv=$(printf 77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a | b64)
pub=$(printf 8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a | b64)
check "pubkey derives the RFC 7748 public key" test "$(echo "$priv" | "$WG" pubkey)" = "$pub"
check "pubkey accepts surrounding whitespace" test "$(printf '  %s \n\n' "$priv" | "$WG" pubkey)" = "$pub"
check "pubkey rejects garbage" bash -c "! echo nonsense | '$WG' pubkey 2>/dev/null"
check "pubkey rejects an empty input" bash -c "! '$WG' pubkey </dev/null 2>/dev/null"

k1=$("$WG" genkey) k2=$("$WG" genkey)
check "genkey prints a 44-character base64 key" bash -c "[[ '$k1' =~ ^[A-Za-z0-9+/]{43}=$ ]]"
check "genkey gives a new key every time" test "$k1" != "$k2"
clamped=$(echo "$k1" | base64 -d | od -An -tu1 | tr -s ' \n' ' ')
first=$(echo "$clamped" | awk '{print $1}') last=$(echo "$clamped" | awk '{print $32}')
check "genkey output is clamped" test $((first & 7)) -eq 0 -a $((last & 128)) -eq 0 -a $((last & 64)) -eq 64
check "pubkey accepts genkey output" bash -c "echo '$k1' | '$WG' pubkey >/dev/null"
p=$("$WG" genpsk)
check "genpsk prints a 44-character base64 key" bash -c "[[ '$p' =~ ^[A-Za-z0-9+/]{43}=$ ]]"

(umask 022; "$WG" genkey >"$tmp/open.key" 2>"$tmp/err")
check "genkey warns about a world-readable file" grep -q "world accessible" "$tmp/err"
(umask 077; "$WG" genkey >"$tmp/closed.key" 2>"$tmp/err")
check "genkey is quiet about a private file" test ! -s "$tmp/err"
"$WG" genkey 2>"$tmp/err" | cat >/dev/null
check "genkey is quiet on a pipe" test ! -s "$tmp/err"

check "--help exits 0" bash -c "'$WG' --help >/dev/null"
check "--version exits 0" bash -c "'$WG' --version | grep -q ."
check "an unknown subcommand fails" bash -c "! '$WG' frobnicate 2>/dev/null"
check "an unknown show field fails" bash -c "! '$WG' show wg0 colours 2>/dev/null"
check "set without arguments fails" bash -c "! '$WG' set 2>/dev/null"
check "setconf without a file fails" bash -c "! '$WG' setconf wg0 2>/dev/null"
check "subcommand --help prints usage" bash -c "'$WG' setconf --help 2>&1 | grep -q Usage"

if ip link show lo >/dev/null 2>&1 && ! [[ -S /var/run/wireguard/lo.sock ]]; then
	"$WG" show lo >/dev/null 2>"$tmp/err"; rc=$?
	check "show on a non-WireGuard device fails" test $rc -ne 0
	check "and says it is not a WireGuard device" grep -q "Not a WireGuard device" "$tmp/err"
	"$WG" set lo peer "$pub" name laptop 2>"$tmp/err"; rc=$?
	check "set name on a non-WireGuard device: not a WireGuard device, not a word about names" \
		test $rc -eq 1 -a "$(cat "$tmp/err")" = "Unable to modify interface lo: Not a WireGuard device"
fi
"$WG" show kwgnosuch0 >/dev/null 2>"$tmp/err"; rc=$?
check "show on a missing device fails" test $rc -ne 0
check "and says there is no such device" grep -q "No such device" "$tmp/err"
"$WG" set kwgnosuch0 listen-port 1 2>"$tmp/err"; rc=$?
check "set on a missing device fails with a message" test $rc -ne 0 -a -s "$tmp/err"
"$WG" set kwgnosuch0 listen-port 65536 2>"$tmp/err"; rc=$?
check "set rejects port 65536 before touching anything" grep -q "65535" "$tmp/err"

printf '[Interface]\nListenPort = 1\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.1/40\n' "$pub" >"$tmp/bad.conf"
"$WG" setconf kwgnosuch0 "$tmp/bad.conf" 2>"$tmp/err"; rc=$?
check "setconf with a bad file fails" test $rc -ne 0
check "the error names file and line" grep -q "^$tmp/bad.conf:6: " "$tmp/err"
"$WG" setconf kwgnosuch0 "$tmp/absent.conf" 2>"$tmp/err"; rc=$?
check "setconf with a missing file fails with a message" test $rc -ne 0 -a -s "$tmp/err"
check "a too long interface name is rejected" bash -c "! '$WG' set abcdefghijklmnopq listen-port 1 2>/dev/null"

# Peer names: checked before anything is sent, like every other value.
"$WG" set kwgnosuch0 peer "$pub" name "my laptop" 2>"$tmp/err"; rc=$?
check "set name on a missing device: no such device" \
	test $rc -eq 1 -a "$(cat "$tmp/err")" = "Unable to modify interface kwgnosuch0: No such device"
"$WG" set kwgnosuch0 peer "$pub" name $'bell\a' 2>"$tmp/err"; rc=$?
check "set name with a control character: refused with the reason" \
	test $rc -eq 1 -a "$(cat "$tmp/err")" = "name contains a control character"
"$WG" set kwgnosuch0 peer "$pub" name "$(printf '%065d' 0)" 2>"$tmp/err"; rc=$?
check "set name of 65 bytes: refused with the reason" \
	test $rc -eq 1 -a "$(cat "$tmp/err")" = "name is longer than 64 bytes"
printf '[Peer]\nPublicKey = %s\nName = ok # kept\n\n[Peer]\nPublicKey = %s\nName = \xc3\x28\n' "$pub" "$k1" >"$tmp/names.conf"
"$WG" setconf kwgnosuch0 "$tmp/names.conf" 2>"$tmp/err"; rc=$?
check "setconf with an invalid Name: file:line and the reason" \
	test $rc -eq 1 -a "$(cat "$tmp/err")" = "$tmp/names.conf:7: Name is not valid UTF-8"

# Interface names are at most 15 bytes (IFNAMSIZ - 1). A longer one is
# refused before anything else is read or resolved, with exit status 1 as
# Debian's wg; a name of exactly 15 bytes is a name like any other.
long=abcdefghijklmnop
for args in "show $long" "show $long private-key" "showconf $long" "showconf --portable $long" \
	    "monitor $long" "monitor $long json --exec true" "set $long listen-port 1" \
	    "set $long peer $pub endpoint kwg-test.invalid:1" "setconf $long /dev/null" \
	    "addconf $long /dev/null" "syncconf $long /dev/null"; do
	"$WG" $args >"$tmp/out" 2>"$tmp/err"; rc=$?
	check "wg ${args%% kwg-test*}: a 16-byte name is refused, naming it and the limit" \
		test $rc -eq 1 -a ! -s "$tmp/out" -a \
		"$(cat "$tmp/err")" = "Interface name \`$long' is too long: 16 bytes, at most 15 are allowed"
done
for args in "show ${long%p}" "show ${long%p} private-key" "showconf ${long%p}" "showconf --portable ${long%p}" \
	    "set ${long%p} listen-port 1" "set ${long%p} peer $pub name x" \
	    "setconf ${long%p} /dev/null" "addconf ${long%p} /dev/null" "syncconf ${long%p} /dev/null"; do
	"$WG" $args >"$tmp/out" 2>"$tmp/err"; rc=$?
	check "wg ${args/$pub/KEY}: a 15-byte name is looked up" test $rc -eq 1 -a ! -s "$tmp/out" -a \
		"$(cat "$tmp/err")" = "Unable to $([[ $args == @(set|setconf|addconf)\ * ]] && echo modify || echo access) interface ${long%p}: No such device"
done

# The usage texts, word for word: `wg help' on stdout, a subcommand's on
# stderr, exit 0 when asked for and 1 after wrong arguments.
help_text="Usage: $WG <cmd> [<args>]

Available subcommands:
  show: Shows the current configuration and device information
  showconf: Shows the current configuration of a given WireGuard interface, for use with \`setconf'
  set: Change the current configuration, add peers, remove peers, or change peers
  setconf: Applies a configuration file to a WireGuard interface
  addconf: Appends a configuration file to a WireGuard interface
  syncconf: Synchronizes a configuration file to a WireGuard interface
  monitor: Prints the events of WireGuard interfaces as they happen (kwg module)
  genkey: Generates a new private key and writes it to stdout
  genpsk: Generates a new preshared key and writes it to stdout
  pubkey: Reads a private key from stdin and writes a public key to stdout
You may pass \`--help' to any of these subcommands to view usage."
for h in help --help -h; do
	"$WG" $h >"$tmp/out" 2>"$tmp/err"; rc=$?
	check "wg $h: the subcommand list on stdout, exit 0" test $rc -eq 0 -a ! -s "$tmp/err" -a "$(cat "$tmp/out")" = "$help_text"
done
for args in frobnicate "help extra"; do
	"$WG" $args >"$tmp/out" 2>"$tmp/err"; rc=$?
	check "wg $args: invalid subcommand and the list on stderr, exit 1" test $rc -eq 1 -a ! -s "$tmp/out" -a \
		"$(cat "$tmp/err")" = "Invalid subcommand: \`${args%% *}'"$'\n'"$help_text"
done
usage_of() {
	case $1 in
	show) echo "Usage: $WG show { <interface> | all | interfaces } [public-key | private-key | listen-port | fwmark | peers | preshared-keys | endpoints | allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump | json]" ;;
	showconf) echo "Usage: $WG showconf [--portable] <interface>" ;;
	set) echo "Usage: $WG set <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] [peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] [allowed-ips [+|-]<ip1>/<cidr1>[,[+|-]<ip2>/<cidr2>]...] [name <text>] ]..." ;;
	monitor) echo "Usage: $WG monitor [<interface> | all] [json] [--exec <command>]" ;;
	*conf) echo "Usage: $WG $1 <interface> <configuration filename>" ;;
	*) echo "Usage: $WG $1" ;;
	esac
}
for c in show showconf set setconf addconf syncconf monitor genkey genpsk pubkey; do
	for h in --help -h; do
		"$WG" $c $h >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
		check "wg $c $h: its usage on stderr, exit 0" test $rc -eq 0 -a ! -s "$tmp/out" -a "$(cat "$tmp/err")" = "$(usage_of $c)"
	done
done
for args in "show a b c" "show interfaces json" showconf "showconf a b" "showconf --portable" \
	    "showconf wg0 --portable" set "set wg0" setconf "setconf wg0" "addconf wg0" "syncconf wg0 a b" \
	    "monitor wg0 json --exec true x" "monitor json json" "monitor wg0 all" "monitor --exec" \
	    "monitor wg0 json --exec" "monitor --exec true json" "genkey x" "genpsk x" "pubkey x"; do
	"$WG" $args >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
	check "wg $args: usage, exit 1" test $rc -eq 1 -a ! -s "$tmp/out" -a "$(cat "$tmp/err")" = "$(usage_of ${args%% *})"
done
"$WG" show wg0 colours >"$tmp/out" 2>"$tmp/err"; rc=$?
check "wg show wg0 colours: the bad field and the usage, exit 1" test $rc -eq 1 -a ! -s "$tmp/out" -a \
	"$(cat "$tmp/err")" = "Invalid parameter: \`colours'"$'\n'"$(usage_of show)"
"$WG" set wg0 --help >"$tmp/out" 2>"$tmp/err"; rc=$?
check "wg set wg0 --help: an argument like any other" test $rc -eq 1 -a "$(cat "$tmp/err")" = "Invalid argument: --help"

# wg monitor without kwg's module: a clear word, exit 1, at once. (With
# kwg's module loaded here it would run: skipped then.)
timeout 10 "$WG" monitor >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
if [[ $rc -eq 124 ]]; then
	echo "SKIP: cli: wg monitor without events (kwg's module is loaded on this host)"
else
	check "wg monitor: no events to listen to: exit 1, nothing on stdout" test $rc -eq 1 -a ! -s "$tmp/out"
	check "wg monitor: and says that events need the kwg module" grep -qE \
		"^wg monitor: (no WireGuard module is loaded \(events need the kwg module\)|this WireGuard module announces no events \(kwg only\))$" "$tmp/err"
fi

# Endpoint names: a resolver that always says "try again" (nothing listens
# on 127.0.0.2:53) is retried WG_ENDPOINT_RESOLUTION_RETRIES times, a second
# apart; needs root for a private mount namespace.
if [[ $(id -u) -eq 0 ]] && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
	echo "nameserver 127.0.0.2" >"$tmp/resolv.conf"
	timed() { # RETRIES: prints the status and the milliseconds taken
		unshare -m sh -c "mount --bind '$tmp/resolv.conf' /etc/resolv.conf &&
			s=\$(date +%s%N); WG_ENDPOINT_RESOLUTION_RETRIES=$1 '$WG' set kwgnosuch0 peer $pub endpoint kwg-test.example:1 2>'$tmp/err'
			echo \$? \$(( (\$(date +%s%N) - s) / 1000000 ))"
	}
	read -r rc0 ms0 < <(timed 0)
	read -r rc2 ms2 < <(timed 2)
	check "endpoint name: temporary failure without retries is quick (${ms0} ms)" test "$rc0" -ne 0 -a "$ms0" -lt 1500
	check "endpoint name: WG_ENDPOINT_RESOLUTION_RETRIES=2 retries for about 2 s (${ms2} ms)" test "$rc2" -ne 0 -a "$ms2" -ge 1900 -a "$ms2" -lt 6000
	check "endpoint name: the failure is explained" grep -q "kwg-test.example:1" "$tmp/err"
else
	echo "SKIP: cli: endpoint resolution retries (needs root and unshare)"
fi

exit $failed
