#!/bin/bash
# kwg-vm: stock=yes timeout=300
# Peer names (uapi/wireguard.h WGPEER_A_NAME, wg(8) `name`, `Name =`).
# On our module: a name set with `wg set` or a file shows in `wg show`
# (`peer: KEY (NAME)`), `showconf`, `show json`, and nowhere in `dump`,
# which stays byte-identical to Debian's wg; `--portable` and
# `wg-quick strip --portable` leave it out; an empty name removes it;
# setconf and syncconf make the names what the file says; UTF-8 up to 64
# bytes is kept exactly; Debian's wg reads and changes a device with named
# peers without losing them; wg-quick passes Name through. (Names the
# module refuses, byte by byte: nl-validate's table.)
# On the stock module: `wg set ... name` is refused with a message saying
# why and changes nothing; a file with Name lines is applied with one
# warning, without the names.
. /kwg/lib.sh
DEB=/opt/debian/bin/wg
export WG_HIDE_KEYS=never WG_COLOR_MODE=never
T=$(mktemp -d)

ip link add wg0 type wireguard
A=$(wg genkey | wg pubkey) B=$(wg genkey | wg pubkey) C=$(wg genkey | wg pubkey)
wg genkey >"$T/priv"
wg set wg0 private-key "$T/priv" listen-port 51820 \
	peer "$A" allowed-ips 10.0.0.2/32 \
	peer "$B" allowed-ips 10.0.0.3/32 endpoint 127.0.0.1:4000

# section_of KEY: the showconf lines of KEY's [Peer] section.
section_of() { awk -v k="PublicKey = $1" '/^\[/ { in_s = 0 } $0 == k { in_s = 1 } in_s' ; }

if [[ $KWG_MODULE == stock ]]; then
	before=$(wg showconf wg0)
	out=$(wg set wg0 peer "$A" name laptop 2>&1)
	rc=$?
	check "stock: wg set ... name is refused" test "$rc" -ne 0
	check "stock: the message says names need the kwg module" grep -q "peer names need the kwg module" <<<"$out"
	check_eq "stock: the refused name changed nothing" "$before" "$(wg showconf wg0)"
	cat >"$T/named.conf" <<-EOF
		[Interface]
		PrivateKey = $(cat "$T/priv")
		[Peer]
		PublicKey = $C
		Name = phone
		AllowedIPs = 10.0.0.4/32
	EOF
	out=$(wg setconf wg0 "$T/named.conf" 2>&1)
	rc=$?
	check_eq "stock: setconf of a file with a name succeeds" 0 "$rc"
	check_eq "stock: with one warning naming Name" 1 "$(grep -c 'warning: Name ignored' <<<"$out")"
	check_eq "stock: the file's peer is there" "$C" "$(wg show wg0 peers)"
	finish
fi

# --- wg set -----------------------------------------------------------------
check "wg set ... name laptop" wg set wg0 peer "$A" name laptop
check "wg show: peer: KEY (laptop)" grep -qx "peer: $A (laptop)" <(wg show wg0)
check "wg show: the unnamed peer has no parentheses" grep -qx "peer: $B" <(wg show wg0)
check "showconf: Name = laptop in the peer's section" grep -qx "Name = laptop" <(wg showconf wg0 | section_of "$A")
check_eq "showconf: one Name line in all" 1 "$(wg showconf wg0 | grep -c '^Name')"
check_eq "showconf --portable: no Name" 0 "$(wg showconf --portable wg0 | grep -c '^Name')"
check "show json: \"name\": \"laptop\"" grep -q '"name": "laptop"' <(wg show wg0 json)
check "show json: the unnamed peer's name is null" grep -q '"name": null' <(wg show wg0 json)
check_eq "dump: byte-identical to Debian's wg" "$($DEB show wg0 dump)" "$(wg show wg0 dump)"
check_eq "dump: no name anywhere" 0 "$(wg show wg0 dump | grep -c laptop)"

# --- Debian's wg on a device with names --------------------------------------
check "Debian's wg show works" "$DEB" show wg0
check "Debian's wg showconf works" "$DEB" showconf wg0
check_eq "Debian's showconf equals ours --portable" "$(wg showconf --portable wg0)" "$($DEB showconf wg0)"
check "Debian's wg set changes the named peer's endpoint" "$DEB" set wg0 peer "$A" endpoint 127.0.0.1:5000
check "the name survives Debian's change" grep -qx "peer: $A (laptop)" <(wg show wg0)
check_eq "and the change is made" "127.0.0.1:5000" "$(wg show wg0 endpoints | awk -v k="$A" '$1 == k { print $2 }')"

# --- UTF-8, limits, removal --------------------------------------------------
n64=$(printf 'é%.0s' {1..32})
check "a name of 64 bytes (32 × é) is accepted" wg set wg0 peer "$B" name "$n64"
check "and shown exactly" grep -qxF "peer: $B ($n64)" <(wg show wg0)
check_fails "a name of 65 bytes is refused" wg set wg0 peer "$B" name "x$n64"
check "and the 64-byte name is still there" grep -qxF "peer: $B ($n64)" <(wg show wg0)
check_fails "a name with a tab is refused" wg set wg0 peer "$B" name "$(printf 'a\tb')"
check "an empty name removes it" wg set wg0 peer "$B" name ""
check "wg show: no name after removal" grep -qx "peer: $B" <(wg show wg0)
check_eq "showconf: only A's name left" "Name = laptop" "$(wg showconf wg0 | grep '^Name')"

# --- files: setconf, syncconf, round trip -------------------------------------
cat >"$T/c.conf" <<EOF
[Interface]
PrivateKey = $(cat "$T/priv")
ListenPort = 51820

[Peer]
PublicKey = $A
Name = team #3
AllowedIPs = 10.0.0.2/32

[Peer]
PublicKey = $C
Name = Zoë's phone
AllowedIPs = 10.0.0.4/32
EOF
check "setconf with names" wg setconf wg0 "$T/c.conf"
check "'#' inside a name is part of it" grep -qx "peer: $A (team #3)" <(wg show wg0)
check "a UTF-8 name from a file" grep -qxF "peer: $C (Zoë's phone)" <(wg show wg0)
check_eq "setconf: B, not in the file, is gone" "" "$(wg show wg0 peers | grep -x "$B")"
wg showconf wg0 >"$T/round.conf"
check "showconf's output sets the device again" wg setconf wg0 "$T/round.conf"
check_eq "showconf round trip" "$(cat "$T/round.conf")" "$(wg showconf wg0)"
sed '/^Name = team #3$/d; s/^Name = Zoë.*/Name = Zoë/' "$T/c.conf" >"$T/sync.conf"
check "syncconf that drops one name and changes the other" wg syncconf wg0 "$T/sync.conf"
check "syncconf: the dropped name is gone" grep -qx "peer: $A" <(wg show wg0)
check "syncconf: the changed name is changed" grep -qxF "peer: $C (Zoë)" <(wg show wg0)
check "setconf of a file without names" wg setconf wg0 <(grep -v '^Name' "$T/c.conf")
check_eq "setconf: no names left" 0 "$(wg showconf wg0 | grep -c '^Name')"

# --- two peers of one name, peer removal, device removal -----------------------
check "two peers may share a name" wg set wg0 peer "$A" name same peer "$C" name same
check_eq "both are shown with it" 2 "$(wg show wg0 | grep -c ' (same)$')"
check "a named peer is removed" wg set wg0 peer "$A" remove
check_eq "the other keeps its name" "peer: $C (same)" "$(wg show wg0 | grep '^peer')"
ip link del wg0

# --- wg-quick ------------------------------------------------------------------
mkdir -p /etc/wireguard
cat >/etc/wireguard/wgn.conf <<EOF
[Interface]
PrivateKey = $(cat "$T/priv")
Address = 10.77.0.1/24

[Peer]
# the laptop
PublicKey = $A
Name = laptop
AllowedIPs = 10.77.0.2/32
EOF
chmod 600 /etc/wireguard/wgn.conf
check "wg-quick up with a Name" wg-quick up wgn
check "the name reaches the device" grep -qx "peer: $A (laptop)" <(wg show wgn)
check_eq "wg-quick strip keeps the name" 1 "$(wg-quick strip wgn | grep -c '^Name = laptop')"
check_eq "wg-quick strip --portable drops it" 0 "$(wg-quick strip --portable wgn | grep -c '^Name')"
check "Debian's wg setconf of the portable file" "$DEB" setconf wgn <(wg-quick strip --portable wgn)
check "wg-quick down" wg-quick down wgn
check_fails "wgn is gone" ip link show wgn
finish
