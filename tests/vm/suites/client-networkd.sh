#!/bin/bash
# kwg-vm: stock=yes clients=yes timeout=900 append=cgroup.memory=nokmem
# systemd-networkd (Debian's systemd) as a real client of the module:
# systemd runs as PID 1 of a PID namespace (as in
# tests/host/wg-quick/systemd-vm, whose cgroup.memory=nokmem it shares), a
# D-Bus system bus beside it for networkctl, and networkd creates two
# WireGuard devices from .netdev files: PrivateKey= and PrivateKeyFile=,
# ListenPort=, FirewallMark=, peers with PublicKey=, PresharedKey= (and one
# without), hundreds of AllowedIPs= of both families (more than one netlink
# message), Endpoint= as an address and as a name from /etc/hosts,
# PersistentKeepalive=, and a .network with an address. Every field must
# land exactly (`wg show dump` against the files), traffic passes to a peer
# namespace, and an edited file is applied.
#
# KWG_CLIENT_WRONG=1 (vm.sh -e) turns every expectation wrong: each check
# must then fail (the suite's self-test).
. /kwg/lib.sh
. /kwg/common/client-lib.sh
P="networkd:"
T=$'\t'

for f in /usr/lib/systemd/systemd /usr/lib/systemd/systemd-networkd /usr/bin/networkctl /usr/bin/dbus-daemon; do
	[[ -x $f ]] || { fail "$P $f is not in the guest (make deps; tests/vm/initramfs.sh copies it)"; finish; }
done

# --- the system: users, a D-Bus system bus, systemd
cat >>/etc/passwd <<'EOF'
systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin
messagebus:x:997:997::/nonexistent:/usr/sbin/nologin
EOF
printf 'systemd-network:x:998:\nmessagebus:x:997:\n' >>/etc/group
mkdir -p /sys/fs/cgroup /etc/systemd/network /etc/systemd/system/systemd-networkd.service.d /run/dbus /var/lib/systemd
grep -q " /sys/fs/cgroup " /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
: >/etc/machine-id
# The guest's root is the initramfs: no mount namespaces with read-only
# views of it for the service. The rest of networkd's unit stays.
cat >/etc/systemd/system/systemd-networkd.service.d/kwg-test.conf <<'EOF'
[Service]
ProtectSystem=no
ProtectHome=no
ProtectProc=default
ProtectKernelLogs=no
ProtectKernelModules=no
ProtectControlGroups=no
ProtectClock=no
StandardOutput=append:/tmp/networkd.log
StandardError=inherit
Environment=SYSTEMD_LOG_LEVEL=debug
EOF
printf '[Unit]\nDescription=kwg test\n' >/etc/systemd/system/kwg-test.target

# --- the peer namespace and the files
client_underlay
echo "10.0.1.2 peerhost.kwg.test peerhost" >>/etc/hosts

K0=$(wg genkey) K1=$(wg genkey) KP=$(wg genkey) KQ=$(wg genkey) KR=$(wg genkey)
P0=$(wg pubkey <<<"$K0") P1=$(wg pubkey <<<"$K1") PP=$(wg pubkey <<<"$KP")
PQ=$(wg pubkey <<<"$KQ") PR=$(wg pubkey <<<"$KR")
PSK=$(wg genpsk)
# Hundreds of allowed IPs for the peer: 300 IPv4 and 200 IPv6 entries.
many4=$(for i in $(seq 0 299); do echo "10.$((100 + i / 250)).$((i % 250)).0/24"; done)
many6=$(for i in $(seq 1 200); do printf 'fd77:%x::/32\n' "$i"; done)

# netdev_wg0 KEEPALIVE PEER_ALLOWED_EXTRA WITH_Q
netdev_wg0() {
	cat <<EOF
[NetDev]
Name=wg0
Kind=wireguard

[WireGuard]
PrivateKey=$K0
ListenPort=51820
FirewallMark=0x42

[WireGuardPeer]
PublicKey=$PP
PresharedKey=$PSK
Endpoint=peerhost:51821
PersistentKeepalive=$1
AllowedIPs=10.50.0.2/32,fd50::2/128
EOF
	# One AllowedIPs= line per entry, as a long file would have them.
	printf 'AllowedIPs=%s\n' $2
	[[ -n $3 ]] && cat <<EOF

[WireGuardPeer]
PublicKey=$PQ
Endpoint=[fd10::77]:5000
AllowedIPs=10.60.0.0/16
AllowedIPs=fd60::/48
EOF
	return 0
}
umask 077
netdev_wg0 15 "$many4 $many6" q >/etc/systemd/network/50-wg0.netdev
printf '[Match]\nName=wg0\n\n[Network]\nAddress=10.50.0.1/24\nAddress=fd50::1/64\n' >/etc/systemd/network/50-wg0.network
echo "$K1" >/etc/systemd/network/wg1.key
cat >/etc/systemd/network/51-wg1.netdev <<EOF
[NetDev]
Name=wg1
Kind=wireguard

[WireGuard]
PrivateKeyFile=/etc/systemd/network/wg1.key
ListenPort=51822

[WireGuardPeer]
PublicKey=$PR
Endpoint=10.0.1.2:51823
AllowedIPs=10.70.0.0/24
EOF
printf '[Match]\nName=wg1\n\n[Network]\nAddress=10.70.1.1/24\n' >/etc/systemd/network/51-wg1.network
# networkd reads the files as systemd-network.
chgrp systemd-network /etc/systemd/network/*
chmod 640 /etc/systemd/network/*
chmod 755 /etc/systemd/network
umask 022

# The peer: configured with wg, no endpoint (networkd's keepalive brings it).
client_peer peer "$KP" "$P0" "$PSK"

capture_start networkd

# /sys read-only in systemd's mount namespace, as in a container: with it
# writable, networkd waits for udev (which the guest has not) to announce
# each link before configuring it.
unshare --pid --fork --mount-proc sh -c 'mount -o remount,bind,ro /sys &&
	exec env container=kwg-test /usr/lib/systemd/systemd --system --unit=kwg-test.target' \
	>/tmp/systemd.log 2>&1 &
SDPID=""
find_systemd() {
	local p
	for p in /proc/[0-9]*; do
		[[ $(cat "$p/comm" 2>/dev/null) == systemd ]] && SDPID=${p#/proc/} && return 0
	done
	return 1
}
wait_until 20 find_systemd
find_systemd
insd() { nsenter -t "$SDPID" -p -m "$@"; }
systemctl() { insd /usr/bin/systemctl "$@"; }
networkctl() { insd /usr/bin/networkctl "$@"; }
if ! wait_until 60 systemctl is-system-running; then
	state=$(systemctl is-system-running 2>&1)
	if [[ $state != running && $state != degraded ]]; then
		fail "$P systemd did not start ($state)"
		tail -n 30 /tmp/systemd.log | sed 's/^/    | /'
		finish
	fi
fi
check_eq "$P systemd runs as PID 1 of a PID namespace" "$(want running)" running
# The system bus, in systemd's PID namespace (credentials as networkd sees them).
insd dbus-daemon --system --fork
wait_until 20 test -S /run/dbus/system_bus_socket
check "$P systemctl start systemd-networkd" systemctl start "$(pick systemd-networkd systemd-nosuchd)"
[[ -n $WRONG ]] && systemctl start systemd-networkd
check_eq "$P systemd-networkd is active" "$(want active)" "$(systemctl is-active systemd-networkd)"

wg_ready() { [[ -n $(ip link show up dev "$1" 2>/dev/null) ]] && wg show "$1" peers | grep -q .; }
check "$P networkd created wg0 and set its peers" wait_until 60 wg_ready "$(pick wg0 wg7)"
check "$P networkd created wg1 (PrivateKeyFile=)" wait_until 60 wg_ready "$(pick wg1 wg8)"
# All of wg0's allowed IPs take several messages: wait until they are in.
aips_in() { [[ $(wg show wg0 allowed-ips | awk -v k="$PP" '$1 == k { print NF - 1 }') -ge $1 ]]; }
wait_until 60 aips_in 502

allowed_sorted() { printf '%s\n' "$@" | tr ' ' '\n' | grep . | sort | paste -sd,; }

dev0="$K0$T$P0${T}51820${T}0x42"
peerP="$PP$T$PSK${T}10.0.1.2:51821$T$(allowed_sorted 10.50.0.2/32 fd50::2/128 $many4 $many6)$T-$T-$T-${T}15"
peerQ="$PQ$T(none)${T}[fd10::77]:5000$T$(allowed_sorted 10.60.0.0/16 fd60::/48)$T-$T-$T-${T}off"
expect=$(printf '%s\n' "$dev0" "$peerP" "$peerQ" | dump_norm)
got=$(wg show wg0 dump | MASK=1 dump_norm)
check_eq "$P wg0: every field of the .netdev, as wg show dump lists it" "$(want "$expect")" "$got"
check_eq "$P wg0: 502 allowed IPs for the peer (more than one message)" "$(want 502)" \
	"$(wg show wg0 allowed-ips | awk -v k="$PP" '$1 == k { print NF - 1 }')"
check_eq "$P wg0: Endpoint=peerhost:51821 resolved through /etc/hosts" "$(want 10.0.1.2:51821)" \
	"$(wg show wg0 endpoints | awk -v k="$PP" '$1 == k { print $2 }')"
check_eq "$P wg0: the peer without PresharedKey= shows (none)" "$(want '(none)')" \
	"$(wg show wg0 preshared-keys | awk -v k="$PQ" '$1 == k { print $2 }')"
check_eq "$P wg0: the .network's addresses" "$(want $'10.50.0.1/24\nfd50::1/64')" \
	"$(ip -o addr show dev wg0 | awk '$3 != "inet6" || $4 !~ /^fe80/ { print $4 }')"
expect1=$(printf '%s\n' "$K1$T$P1${T}51822${T}off" \
	"$PR$T(none)${T}10.0.1.2:51823${T}10.70.0.0/24$T-$T-$T-${T}off" | dump_norm)
check_eq "$P wg1: PrivateKeyFile= and its peer, as wg show dump lists it" "$(want "$expect1")" \
	"$(wg show wg1 dump | MASK=1 dump_norm)"

# Traffic to the peer namespace (once networkd's IPv6 address is past DAD).
no_tentative() { [[ -z $(ip -6 addr show dev wg0 tentative) ]]; }
wait_until 20 no_tentative
check "$P ping the peer through wg0 (IPv4)" ping -c 2 -W 5 "$(pick 10.50.0.2 10.50.0.3)"
check "$P ping the peer through wg0 (IPv6)" ping -c 2 -W 5 "$(pick fd50::2 fd50::3)"
check "$P the peer pings back (IPv4)" n peer ping -c 2 -W 5 "$(pick 10.50.0.1 10.50.0.3)"

# An edited file: fewer allowed IPs, keepalive 25, peer Q removed.
idx=$(cat /sys/class/net/wg0/ifindex)
netdev_wg0 25 "$(head -n 20 <<<"$many4") $(head -n 10 <<<"$many6") 10.99.0.0/16" >/etc/systemd/network/50-wg0.netdev
chgrp systemd-network /etc/systemd/network/50-wg0.netdev
chmod 640 /etc/systemd/network/50-wg0.netdev
check "$P networkctl reload" networkctl "$(pick reload relaod)"
[[ -n $WRONG ]] && networkctl reload
check "$P networkctl reconfigure wg0" networkctl reconfigure "$(pick wg0 wg7)"
[[ -n $WRONG ]] && networkctl reconfigure wg0
sleep 5
peerP2="$PP$T$PSK${T}10.0.1.2:51821$T$(allowed_sorted 10.50.0.2/32 fd50::2/128 \
	"$(head -n 20 <<<"$many4")" "$(head -n 10 <<<"$many6")" 10.99.0.0/16)$T-$T-$T-${T}25"
expect2=$(printf '%s\n' "$dev0" "$peerP2" | dump_norm)
got2=$(wg show wg0 dump | MASK=1 dump_norm)
# networkctl(1) of systemd 252: "even if an existing .netdev is modified
# or removed, systemd-networkd does not update or remove the netdev", and
# reconfigure re-applies the .network only.
check_eq "$P after reload + reconfigure: wg0 is as before (252 leaves an existing netdev alone)" \
	"$(want "$expect")" "$got2"
check_eq "$P reconfigure kept the device (same ifindex)" "$(want "$idx")" "$(cat /sys/class/net/wg0/ifindex)"
check "$P ping the peer after the reconfiguration" ping -c 2 -W 5 "$(pick 10.50.0.2 10.50.0.3)"

# What networkctl(1) documents for a changed .netdev: networkd leaves an
# existing netdev alone; deleted, it is made again from the file on reload.
check "$P ip link del wg0, networkctl reload" sh -c 'ip link del '"$(pick wg0 wg7)"' && nsenter -t '"$SDPID"' -p -m /usr/bin/networkctl reload'
check "$P networkd made wg0 again" wait_until 60 wg_ready "$(pick wg0 wg7)"
wait_until 30 aips_in 33
check_eq "$P the new wg0 is the edited file, as wg show dump lists it" "$(want "$expect2")" \
	"$(wg show wg0 dump | MASK=1 dump_norm)"

systemctl stop systemd-networkd
echo "--- networkd's log (wireguard lines):"
grep -iE 'wireguard|wg0:|wg1:' /tmp/networkd.log | tail -n 40 | cut -c1-200 | sed 's/^/    /'
capture_print auto "netlink requests networkd sent to the wireguard family"
systemctl poweroff >/dev/null 2>&1 &
finish
