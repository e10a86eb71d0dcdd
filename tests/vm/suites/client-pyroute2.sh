#!/bin/bash
# kwg-vm: stock=yes clients=yes timeout=600
# pyroute2 (Debian's python3-pyroute2) as a real client of the module: its
# IPRoute creates, addresses and raises the devices, its WireGuard class sets
# the private key, listen port, fwmark and peers (preshared key, endpoint,
# keepalive, allowed IPs of both families), removes a peer and replaces
# allowed IPs; what it reads back and what `wg show dump` prints must both
# be exactly what was set, and traffic passes between the two namespaces it
# configured. The netlink requests it sends are captured on nlmon and
# printed beside Debian wg's for the same configuration (information only).
#
# KWG_CLIENT_WRONG=1 (vm.sh -e) turns every expectation wrong: each check
# must then fail (the suite's self-test).
. /kwg/lib.sh
. /kwg/common/client-lib.sh
P="pyroute2:"
PY=/kwg/common/client-pyroute2.py

if ! command -v python3 >/dev/null || [[ ! -d /usr/lib/python3/dist-packages/pyroute2 ]]; then
	fail "$P python3 with pyroute2 is not in the guest (make deps installs python3-pyroute2; tests/vm/initramfs.sh copies it)"
	finish
fi
check "$P pyroute2 imports in the guest" python3 -c "import $(pick pyroute2 pyroute2_missing)"
echo "pyroute2: $(cd /usr/lib/python3/dist-packages && echo pyroute2-*.dist-info)"

# py NS ARGS...: one command of client-pyroute2.py, by the server of NS
# (pystart NS first): its output, and its status.
declare -A PYIN PYOUT
pystart() {
	local ns=$1 wfd rfd
	mkfifo /tmp/py.$ns.in /tmp/py.$ns.out
	n "$ns" python3 $PY serve </tmp/py.$ns.in >/tmp/py.$ns.out 2>&1 &
	exec {wfd}>/tmp/py.$ns.in {rfd}</tmp/py.$ns.out
	PYIN[$ns]=$wfd PYOUT[$ns]=$rfd
}
py() {
	local ns=$1 a line=""
	shift
	for a; do
		a=${a//$'\n'/ } a=${a//$'\t'/ }
		line+="'${a//\'/\'\"\'\"\'}' "
	done
	printf '%s\n' "$line" >&"${PYIN[$ns]}"
	while IFS= read -r -u "${PYOUT[$ns]}" line; do
		[[ $line == "@@kwg-end "* ]] && return "${line#@@kwg-end }"
		printf '%s\n' "$line"
	done
	echo "the pyroute2 server in $ns died"
	return 1
}

# pyset NS IFNAME JSON: WireGuard().set() in NS (the self-test first makes
# the same call on a device that does not exist, which must fail).
pyset() {
	local ns=$1 dev=$2 json=$3
	if [[ -n $WRONG ]]; then
		py "$ns" set nosuch0 "$json" || return 1
	fi
	py "$ns" set "$dev" "$json"
}
pydump() { py "$1" dump wg0 | dump_norm; }
wgdump() { n "$1" wg show wg0 dump | dump_norm; }

client_pair
pystart A
pystart B

KA=$(wg genkey) KB=$(wg genkey) KX=$(wg genkey) KY=$(wg genkey)
PA=$(wg pubkey <<<"$KA") PB=$(wg pubkey <<<"$KB") PX=$(wg pubkey <<<"$KX") PY_=$(wg pubkey <<<"$KY")
PSK1=$(wg genpsk) PSK2=$(wg genpsk)

capture_start pyroute2 A

check "$P IPRoute creates, addresses and raises wg0 in B" \
	py B link "$(pick wg0 'wg0/x')" 192.168.4.2/24 fd01::2/64
[[ -n $WRONG ]] && py B link wg0 192.168.4.2/24 fd01::2/64
check "$P IPRoute creates, addresses and raises wg0 in A" \
	py A link "$(pick wg0 'wg0/x')" 192.168.4.1/24 fd01::1/64
[[ -n $WRONG ]] && py A link wg0 192.168.4.1/24 fd01::1/64
check_eq "$P wg0 has the addresses IPRoute gave it" \
	"$(want $'192.168.4.1/24\nfd01::1/64')" \
	"$(n A ip -o addr show dev wg0 | awk '$3 != "inet6" || $4 !~ /^fe80/ { print $4 }')"

check "$P set B: private key, listen port, peer A with preshared key and allowed IPs" \
	pyset B wg0 "{\"private_key\": \"$KB\", \"listen_port\": 51821, \"peer\":
		{\"public_key\": \"$PA\", \"preshared_key\": \"$PSK1\",
		 \"allowed_ips\": [\"192.168.4.1/32\", \"fd01::1/128\"]}}"
T=$'\t'
# Before A has B as a peer (its keepalive starts the handshake at once).
check_eq "$P B as set: wg show dump" \
	"$(want "$KB$T$(wg pubkey <<<"$KB")${T}51821${T}off
$PA$T$PSK1$T(none)${T}192.168.4.1/32,fd01::1/128$T-$T-$T-${T}off")" "$(MASK=1 wgdump B)"
check "$P set A: private key, listen port, fwmark" \
	pyset A wg0 "{\"private_key\": \"$KA\", \"listen_port\": 51820, \"fwmark\": 4660}"
check "$P set A: three peers (preshared keys, v4 and v6 endpoints, keepalives, v4+v6 allowed IPs)" \
	pyset A wg0 "{\"peers\": [
		{\"public_key\": \"$PB\", \"preshared_key\": \"$PSK1\", \"endpoint_addr\": \"10.0.0.2\",
		 \"endpoint_port\": 51821, \"persistent_keepalive\": 25,
		 \"allowed_ips\": [\"192.168.4.2/32\", \"fd01::2/128\"]},
		{\"public_key\": \"$PX\", \"preshared_key\": \"$PSK2\", \"endpoint_addr\": \"fd00::99\",
		 \"endpoint_port\": 1234,
		 \"allowed_ips\": [\"10.10.0.0/16\", \"fd02::/48\", \"10.11.1.0/24\", \"fd02:1::/64\"]},
		{\"public_key\": \"$PY_\", \"endpoint_addr\": \"10.0.0.77\", \"endpoint_port\": 7,
		 \"persistent_keepalive\": 7, \"allowed_ips\": [\"10.12.0.0/16\"]}]}"

devA="$KA$T$PA${T}51820${T}0x1234"
peerB="$PB$T$PSK1${T}10.0.0.2:51821${T}192.168.4.2/32,fd01::2/128$T-$T-$T-${T}25"
peerX="$PX$T$PSK2${T}[fd00::99]:1234${T}10.10.0.0/16,10.11.1.0/24,fd02:1::/64,fd02::/48$T-$T-$T-${T}off"
peerY="$PY_$T(none)${T}10.0.0.77:7${T}10.12.0.0/16$T-$T-$T-${T}7"
expect=$(printf '%s\n' "$devA" "$peerB" "$peerX" "$peerY" | dump_norm)
check_eq "$P pyroute2 reads back every field it set" "$(want "$expect")" "$(MASK=1 pydump A)"
check_eq "$P wg show dump has every field pyroute2 set" "$(want "$expect")" "$(MASK=1 wgdump A)"

# Remove a peer, drop the fwmark, replace a peer's allowed IPs.
check "$P set A: remove peer Y" pyset A wg0 "{\"peer\": {\"public_key\": \"$PY_\", \"remove\": true}}"
check "$P set A: fwmark 0" pyset A wg0 '{"fwmark": 0}'
check "$P set A: replace X's allowed IPs" \
	pyset A wg0 "{\"peer\": {\"public_key\": \"$PX\", \"allowed_ips\": [\"10.20.0.0/24\", \"fd03::/64\"]}}"
devA="$KA$T$PA${T}51820${T}off"
peerX="$PX$T$PSK2${T}[fd00::99]:1234${T}10.20.0.0/24,fd03::/64$T-$T-$T-${T}off"
expect=$(printf '%s\n' "$devA" "$peerB" "$peerX" | dump_norm)
check_eq "$P after the changes: pyroute2's view" "$(want "$expect")" "$(MASK=1 pydump A)"
check_eq "$P after the changes: wg show dump" "$(want "$expect")" "$(MASK=1 wgdump A)"

# pyroute2 0.7 sends WGPEER_A_FLAGS = 2 with every peer it sets (meant as
# "update only", it is WGPEER_F_REPLACE_ALLOWEDIPS): a peer set without
# allowed IPs loses them. Both modules must do what the flag says.
check "$P set A: X's keepalive alone" \
	pyset A wg0 "{\"peer\": {\"public_key\": \"$PX\", \"persistent_keepalive\": 9}}"
peerX="$PX$T$PSK2${T}[fd00::99]:1234$T(none)$T-$T-$T-${T}9"
expect=$(printf '%s\n' "$devA" "$peerB" "$peerX" | dump_norm)
check_eq "$P a peer set without allowed IPs has none left (pyroute2 sends REPLACE_ALLOWEDIPS)" \
	"$(want "$expect")" "$(MASK=1 wgdump A)"

# Traffic between the namespaces pyroute2 configured.
check "$P ping A -> B through the tunnel (IPv4)" n A ping -c 2 -W 5 "$(pick 192.168.4.2 192.168.4.3)"
check "$P ping A -> B through the tunnel (IPv6)" n A ping -c 2 -W 5 "$(pick fd01::2 fd01::3)"
check "$P ping B -> A through the tunnel (IPv4)" n B ping -c 2 -W 5 "$(pick 192.168.4.1 192.168.4.3)"
# Counters and handshake time, both ways of reading them, at one moment
# (nothing is sent to B between the two reads: its next keepalive is 25 s
# off; X, keepalive 9 and no one at its endpoint, retries its handshake
# every 5 s, so its transfer counters are compared masked).
a=$(pydump A) b=$(wgdump A)
check_eq "$P after traffic: pyroute2 lists the device and both peers" "$(want 3)" "$(grep -c . <<<"$a")"
check_eq "$P after traffic: pyroute2 and wg show agree on B's every field (handshake, transfer)" \
	"$(want "$(grep "^$PB" <<<"$a")")" "$(grep "^$PB" <<<"$b")"
check_eq "$P after traffic: pyroute2 and wg show agree on the rest" \
	"$(want "$(MASK=1 dump_norm <<<"$a")")" "$(MASK=1 dump_norm <<<"$b")"
hs=$(awk -F'\t' -v k="$PB" '$1 == k { print ($5 > 0 && $6 > 0 && $7 > 0) ? "yes" : "no: " $0 }' <<<"$a")
check_eq "$P after traffic: pyroute2 sees a handshake and bytes both ways for B" "$(want yes)" "$hs"
check_eq "$P after traffic: B learned A's endpoint (wg show)" "$(want 10.0.0.1:51820)" \
	"$(n B wg show wg0 endpoints | cut -f2)"

check "$P IPRoute deletes wg0" py A del "$(pick wg0 wg9)"
check_fails "$P wg0 is gone from A" n A ip link show "$(pick wg0 va)"

# What pyroute2 sent, and what Debian's wg sends for the same configuration.
if capturing; then
	wgcmd=/opt/debian/bin/wg
	n A ip link add wg1 type wireguard
	kf=$(mktemp) pf=$(mktemp)
	echo "$KA" >"$kf"; echo "$PSK2" >"$pf"
	n A $wgcmd set wg1 private-key "$kf" listen-port 51820 fwmark 4660 \
		peer "$PX" preshared-key "$pf" endpoint '[fd00::99]:1234' persistent-keepalive 9 \
		allowed-ips 10.10.0.0/16,fd02::/48 peer "$PY_" remove
	n A $wgcmd show wg1 dump >/dev/null
	sleep 1
	capture_print "$(py A prid -)" "netlink requests to the wireguard family (pyroute2's, then Debian wg's for wg1)"
fi
finish
