#!/bin/bash
# kwg-vm: stock=yes timeout=300
# interop: the module under test against other WireGuard parts in the same
# guest.
#  1. wireguard-go (Debian's, userspace) in one namespace, the module in
#     another, joined by a veth: handshakes initiated by each side (told
#     apart by counting initiations on the wire), ping both ways, iperf3
#     both ways.
#  2. Debian's wg (wireguard-tools 1.0.20210914) configuring the module:
#     set, setconf and show all dump, checked against the dump the
#     configuration must produce.
# The stock module in a second guest is interop-stock.sh.
. /kwg/lib.sh
# tests/vm/suites/common, which vm.sh puts at /kwg/common.
[[ -f /kwg/common/topo.sh ]] || { fail "the harness did not put the suites' common/ at /kwg/common"; finish; }
. /kwg/common/topo.sh

DWG=/opt/debian/bin/wg
export WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1
TCP_FLOOR=$((512 * 1024))	# bytes in 3 s; wireguard-go is the slow end
GO_PID=
cleanup() { [[ -z $GO_PID ]] || kill "$GO_PID" 2>/dev/null; }
trap cleanup EXIT

# ------------------------------------------------- the module vs wireguard-go
netns_add kern user
ip link add name veth0 netns kern type veth peer name veth0 netns user
n kern ip addr add 10.0.0.1/24 dev veth0
n user ip addr add 10.0.0.2/24 dev veth0
ip -n kern link set veth0 up
ip -n user link set veth0 up
wire_watch kern "input output" 51001 51002

n kern ip link add wgk type wireguard
# wireguard-go makes its tun device in the namespace it runs in; its
# configuration socket is /run/wireguard/wgu.sock for every namespace.
ip netns exec user wireguard-go -f wgu >/tmp/wgo.log 2>&1 &
GO_PID=$!
check "wireguard-go started" wait_until 20 test -S /run/wireguard/wgu.sock
KK=$(key kern) KU=$(key user)
conf_pair() {
	n kern wg set wgk private-key "$TOPO_TMP/kern.key" listen-port 51001 \
		peer "$KU" endpoint 10.0.0.2:51002 allowed-ips 192.168.50.2/32,fd50::2/128
	n user wg set wgu private-key "$TOPO_TMP/user.key" listen-port 51002 \
		peer "$KK" endpoint 10.0.0.1:51001 allowed-ips 192.168.50.1/32,fd50::1/128
}
conf_pair
n kern ip addr add 192.168.50.1/24 dev wgk
n kern ip addr add fd50::1/64 dev wgk nodad
n user ip addr add 192.168.50.2/24 dev wgu
n user ip addr add fd50::2/64 dev wgu nodad
ip -n kern link set wgk up
ip -n user link set wgu up

inits() { echo "$(wire_pk kern 51001 1) $(wire_pk kern 51002 1)"; }
check "go: the module initiates, ping v4" ping_ok kern 192.168.50.2
check "go: ping v6" ping_ok kern fd50::2
read -r ik iu <<<"$(inits)"
check "go: the initiation came from the module" test "$ik" -ge 1 -a "$iu" -eq 0
check "go: wireguard-go pings back" ping_ok user 192.168.50.1
check "go: the module shows the handshake" test "$(latest_handshake kern wgk)" -gt 0

# Forget both sessions (remove and re-add the peers), then let
# wireguard-go speak first.
n kern wg set wgk peer "$KU" remove
n user wg set wgu peer "$KK" remove
conf_pair
check "go: wireguard-go initiates, ping v4" ping_ok user 192.168.50.1
check "go: ping v6 from wireguard-go" ping_ok user fd50::1
read -r ik2 iu2 <<<"$(inits)"
check "go: the initiation came from wireguard-go" test "$iu2" -ge 1 -a "$ik2" -eq "$ik"
check "go: the module answers pings too" ping_ok kern 192.168.50.2

iperf_server user
iperf /tmp/go1 kern -t 3 -c 192.168.50.2
speed_floor "go: TCP module -> wireguard-go moves >= 512 KiB in 3 s" \
	"$(json_num /tmp/go1 sum_received bytes)" $TCP_FLOOR
iperf_server user
iperf /tmp/go2 kern -t 3 -R -c fd50::2
speed_floor "go: TCP wireguard-go -> module moves >= 512 KiB in 3 s" \
	"$(json_num /tmp/go2 sum_received bytes)" $TCP_FLOOR
echo "# module->go $(json_num /tmp/go1 sum_received bytes) B, go->module $(json_num /tmp/go2 sum_received bytes) B in 3 s"
kill "$GO_PID"
wait "$GO_PID" 2>/dev/null
GO_PID=
ip netns del kern
ip netns del user

# --------------------------------------------- Debian's wg drives the module
# Expected "show all dump" lines are built here from the configuration;
# allowed IPs are compared as sets (the order within a peer is the
# module's business), peers in the order they were added.
norm() {	# sort each line's allowed-IPs field (5th of peer lines)
	awk -F'\t' -v OFS='\t' 'NF == 9 {
		n = split($5, a, ","); s = ""
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") a[i]
		$5 = s
	} { print }'
}
dump() { "$DWG" show all dump | norm; }
PRIV=$(cat "$TOPO_TMP/kern.key") PUB=$KK
A=$(key a) B=$(key b) C=$(key c)
PSK=$("$DWG" genpsk)
echo "$PSK" >"$TOPO_TMP/psk"
ip link add wgd type wireguard
cat >/tmp/d.conf <<EOF
[Interface]
PrivateKey = $PRIV
ListenPort = 51820
FwMark = 0x20

[Peer]
PublicKey = $A
PresharedKey = $PSK
AllowedIPs = 10.1.0.0/16, fd01::/48, 10.2.3.4/32
Endpoint = 192.0.2.1:51820
PersistentKeepalive = 25

[Peer]
PublicKey = $B
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = [2001:db8::1]:4500

[Peer]
PublicKey = $C
EOF
check "debian wg: setconf" "$DWG" setconf wgd /tmp/d.conf
T=$'\t'
want() { printf '%s\n' "$@" | norm; }
check_eq "debian wg: show all dump after setconf" "$(want \
	"wgd${T}$PRIV${T}$PUB${T}51820${T}0x20" \
	"wgd${T}$A${T}$PSK${T}192.0.2.1:51820${T}10.1.0.0/16,fd01::/48,10.2.3.4/32${T}0${T}0${T}0${T}25" \
	"wgd${T}$B${T}(none)${T}[2001:db8::1]:4500${T}0.0.0.0/0,::/0${T}0${T}0${T}0${T}off" \
	"wgd${T}$C${T}(none)${T}(none)${T}(none)${T}0${T}0${T}0${T}off")" "$(dump)"

check "debian wg: set (port, fwmark off, peer changes)" "$DWG" set wgd listen-port 51821 fwmark 0 \
	peer "$A" preshared-key /dev/null allowed-ips 10.9.0.0/24 persistent-keepalive off \
	peer "$B" remove \
	peer "$C" preshared-key "$TOPO_TMP/psk" endpoint 198.51.100.9:1 allowed-ips fd09::1/128,10.9.1.1 \
	peer "$B" allowed-ips 192.0.2.0/24
check_eq "debian wg: show all dump after set" "$(want \
	"wgd${T}$PRIV${T}$PUB${T}51821${T}off" \
	"wgd${T}$A${T}(none)${T}192.0.2.1:51820${T}10.9.0.0/24${T}0${T}0${T}0${T}off" \
	"wgd${T}$C${T}$PSK${T}198.51.100.9:1${T}fd09::1/128,10.9.1.1/32${T}0${T}0${T}0${T}off" \
	"wgd${T}$B${T}(none)${T}(none)${T}192.0.2.0/24${T}0${T}0${T}0${T}off")" "$(dump)"

# Round trip: showconf into a second device, both listed by show all.
"$DWG" showconf wgd >/tmp/d2.conf
ip link add wge type wireguard
sed -i 's/^ListenPort = .*/ListenPort = 51822/' /tmp/d2.conf
check "debian wg: setconf of its own showconf" "$DWG" setconf wge /tmp/d2.conf
check_eq "debian wg: show all dump lists both devices alike" \
	"$(dump | grep '^wgd' | sed 's/^wgd/wge/; s/\t51821\t/\t51822\t/')" "$(dump | grep '^wge')"
check "debian wg: set private key to none clears the keys" "$DWG" set wge private-key /dev/null
check_eq "debian wg: the interface line shows no keys" "wge${T}(none)${T}(none)${T}51822${T}off" \
	"$(dump | grep '^wge' | head -n1)"
printf '[Interface]\nListenPort = 51823\n' >/tmp/d3.conf
check "debian wg: setconf replaces all peers" "$DWG" setconf wge /tmp/d3.conf
check_eq "debian wg: no peers left" "wge${T}(none)${T}(none)${T}51823${T}off" "$(dump | grep '^wge')"
ip link del wgd
ip link del wge
finish
