#!/bin/bash
# kwg-vm: stock=yes timeout=240
# Our module against wireguard-go in the same guest: a handshake started by
# each side, ping and TCP both ways.
. /kwg/lib.sh

ip netns add k
ip netns add g
ip link add vk netns k type veth peer name vg netns g
n k ip addr add 10.0.0.1/24 dev vk
n k ip link set vk up
n g ip addr add 10.0.0.2/24 dev vg
n g ip link set vg up
n k ip link set lo up
n g ip link set lo up
kk=$(wg genkey); kg=$(wg genkey)
pk=$(echo "$kk" | wg pubkey); pg=$(echo "$kg" | wg pubkey)

mkdir -p /dev/net
[[ -c /dev/net/tun ]] || mknod /dev/net/tun c 10 200
n g env WG_PROCESS_FOREGROUND=1 wireguard-go wgg >/tmp/wggo.log 2>&1 &
check "wireguard-go is up" wait_until 10 n g ip link show wgg
n k ip link add wgk type wireguard
n k wg set wgk private-key <(echo "$kk") listen-port 1000 peer "$pg" allowed-ips 10.8.0.2/32,fd08::2/128 endpoint 10.0.0.2:2000
n g wg set wgg private-key <(echo "$kg") listen-port 2000 peer "$pk" allowed-ips 10.8.0.1/32,fd08::1/128 endpoint 10.0.0.1:1000
n k ip addr add 10.8.0.1/24 dev wgk
n k ip addr add fd08::1/64 dev wgk nodad
n g ip addr add 10.8.0.2/24 dev wgg
n g ip addr add fd08::2/64 dev wgg nodad
n k ip link set wgk up
n g ip link set wgg up

check "ours initiates: ping wireguard-go" n k ping -c2 -i0.3 -W5 10.8.0.2
check "ping6 both ways" n g ping -c2 -i0.3 -W5 fd08::1
n g iperf3 -s -D >/dev/null 2>&1; sleep 0.5
check "TCP ours->wireguard-go" n k iperf3 -c 10.8.0.2 -t 3
check "TCP wireguard-go->ours" n k iperf3 -c 10.8.0.2 -t 3 -R
# A fresh device on our side: now wireguard-go starts the handshake.
n k ip link del wgk
n k ip link add wgk type wireguard
n k wg set wgk private-key <(echo "$kk") listen-port 1000 peer "$pg" allowed-ips 10.8.0.2/32
n k ip addr add 10.8.0.1/24 dev wgk
n k ip link set wgk up
n g wg set wgg peer "$pk" remove
n g wg set wgg peer "$pk" allowed-ips 10.8.0.1/32 endpoint 10.0.0.1:1000
check "wireguard-go initiates: ping ours" n g ping -c2 -i0.3 -W5 10.8.0.1
check_eq "ours learned wireguard-go's endpoint" "$pg	10.0.0.2:2000" "$(n k wg show wgk endpoints)"
kill %1 2>/dev/null
finish
