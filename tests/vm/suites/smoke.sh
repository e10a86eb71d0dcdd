#!/bin/bash
# kwg-vm: stock=yes timeout=120
# The module's basic contract: it loads through its aliases, devices
# come and go, follow netns moves, die with their creating namespace, and
# the module unloads with live devices.
. /kwg/lib.sh

check "ip link add loads the module through its alias" ip link add wg0 type wireguard
check "the module is loaded" grep -q '^wireguard ' /proc/modules
check "device is point-to-point and NOARP" sh -c 'ip -d link show wg0 | grep -q "POINTOPOINT,NOARP"'
check_eq "default MTU is 1420" 1420 "$(cat /sys/class/net/wg0/mtu)"
check_eq "device type is none (ARPHRD_NONE)" 65534 "$(cat /sys/class/net/wg0/type)"
check "link kind is wireguard" sh -c 'ip -d link show wg0 | grep -qw wireguard'
check "wg show lists the device" sh -c 'wg show interfaces | grep -qw wg0'
check "wg set listen-port" wg set wg0 listen-port 51820
check_eq "GET_DEVICE returns the listen port" 51820 "$(wg show wg0 listen-port)"
check_fails "wg on a non-WireGuard device fails" wg show lo
check_fails "wg on a missing device fails" wg show nosuchdev0
check "ip link set up" ip link set wg0 up
check "ip link del" ip link del wg0
check_fails "the device is gone" ip link show wg0

# Move a device into another namespace, then delete that namespace.
ip netns add moved
check "device moves to another netns" sh -c 'ip link add wg1 type wireguard && ip link set wg1 netns moved'
check "moved device is visible there" n moved ip link show wg1
check "wg works on the moved device" n moved wg show wg1
check "deleting the netns holding the device" ip netns del moved
sleep 1

# A device outlives its creating namespace without its sockets (they were
# there): up, without carrier; its peers can change, its port cannot, and
# once down it cannot come up (tests/diff/scenarios/creating-netns-gone.sh
# compares all of it with stock).
ip netns add creator
n creator ip link add wg2 type wireguard
n creator wg set wg2 listen-port 4444
n creator ip link set wg2 netns 1
check "device created in creator now lives in init_net" ip link show wg2
ip link set wg2 up
ip netns del creator
check "device survives its creating namespace, up without carrier" \
	wait_until 20 sh -c 'ip -o link show wg2 | grep -q "NO-CARRIER.*,UP"'
check "its peers can still change" \
	wg set wg2 peer "$(wg genkey | wg pubkey)" allowed-ips 10.9.0.0/16
check_fails "its port cannot" wg set wg2 listen-port 5555
ip link set wg2 down
check_fails "once down it cannot come up" ip link set wg2 up
check "but can be deleted" ip link del wg2

# Data through devices created here and moved away: their sockets stay here.
ip link set lo up
ip netns add m1
ip netns add m2
k1=$(wg genkey); k2=$(wg genkey)
ip link add wgm1 type wireguard
ip link add wgm2 type wireguard
wg set wgm1 private-key <(echo "$k1") listen-port 11001 \
	peer "$(echo "$k2" | wg pubkey)" allowed-ips 192.168.231.2/32 endpoint 127.0.0.1:11002
wg set wgm2 private-key <(echo "$k2") listen-port 11002 \
	peer "$(echo "$k1" | wg pubkey)" allowed-ips 192.168.231.1/32 endpoint 127.0.0.1:11001
ip link set wgm1 netns m1
ip link set wgm2 netns m2
n m1 ip addr add 192.168.231.1/24 dev wgm1
n m2 ip addr add 192.168.231.2/24 dev wgm2
n m1 ip link set wgm1 up
n m2 ip link set wgm2 up
check "moved devices talk through sockets in the creating namespace" \
	n m1 ping -c1 -W5 192.168.231.2
check_eq "no IPv6 link-local address (no RS/MLD into the tunnel), also after a move" "" \
	"$(n m1 ip -6 addr show dev wgm1)"
check_eq "hence no transmit errors" 0 "$(n m1 cat /sys/class/net/wgm1/statistics/tx_errors)"
check "the sockets are in the creating namespace" sh -c 'ss -Huln | grep -q ":11001 "'
check_fails "not in the device's namespace" n m1 sh -c 'ss -Huln | grep -q ":11001 "'
check "the other side has a handshake too" test "$(n m2 wg show wgm2 latest-handshakes | cut -f2)" -gt 0
ip netns del m1
ip netns del m2
sleep 1

# rmmod with live devices in two namespaces.
ip netns add live
ip link add wg3 type wireguard
n live ip link add wg4 type wireguard
ip link set wg3 up
check "rmmod with live devices" rmmod wireguard
check_fails "devices are gone after rmmod" ip link show wg3
check_fails "devices in other namespaces are gone after rmmod" n live ip link show wg4
check "module loads again" modprobe wireguard
check "and a device can be created again" ip link add wg5 type wireguard
ip link del wg5
ip netns del live
finish
