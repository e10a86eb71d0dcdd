#!/bin/bash
# kwg-vm: stock=yes timeout=240
# Under load: a flood of initiations (valid mac1, random otherwise: the
# hs-flood probe) from 254 spoofed sources fills the handshake queue past
# one eighth. The flooder then gets cookie replies instead of handshake
# processing, and a legitimate peer still completes its handshake by
# answering with mac2. (The per-source rate limit applies once mac2 proved
# the source; a flooder that cannot compute mac2 never reaches it.) The
# probe sends as fast as the kernel takes datagrams: a flooder in shell
# cannot fill the queue of a slow (debug) kernel.
. /kwg/lib.sh
. /kwg/common/topo.sh
. /kwg/common/cookie-flood.sh

KR=GHqvHrFRdZ7v4M8nuFxKxHKz6dXf4EWTnUSZv5yvtmk=

ip netns add r
ip netns add l
ip netns add f
ip link add vlegit netns r type veth peer name v netns l
ip link add vflood netns r type veth peer name v netns f
n r ip addr add 10.0.0.1/24 dev vlegit
n r ip addr add 10.0.1.1/24 dev vflood
n l ip addr add 10.0.0.2/24 dev v
n f ip addr add 10.0.1.2/24 dev v
for ns in r l f; do n $ns ip link set lo up; done
n r ip link set vlegit up
n r ip link set vflood up
n l ip link set v up
n f ip link set v up

kl=$(wg genkey)
n r ip link add wg0 type wireguard
n r wg set wg0 private-key <(echo "$KR") listen-port 51820 \
	peer "$(echo "$kl" | wg pubkey)" allowed-ips 192.168.9.2/32
n r ip addr add 192.168.9.1/24 dev wg0
n r ip link set wg0 up
n l ip link add wg0 type wireguard
n l wg set wg0 private-key <(echo "$kl") \
	peer "$(echo "$KR" | wg pubkey)" allowed-ips 192.168.9.1/32 endpoint 10.0.0.1:51820
n l ip addr add 192.168.9.2/24 dev wg0
n l ip link set wg0 up

# The legitimate peer's first handshake comes once the device answers the
# flood with cookie replies, so that it is made under load. On a debug
# kernel (lib.sh) everything takes up to KWG_SLOW times longer.
check_eq "no handshake before the flood" 0 "$(n l wg show wg0 latest-handshakes | cut -f2)"
flood_start r vflood 10.0.1.2 10.0.1.1 10.0.2.0/24 "$(echo "$KR" | wg pubkey)"
load_check "under load the device answers the flood with cookie replies" \
	wait_until $((15 * KWG_SLOW)) under_load
check "a legitimate peer completes its handshake during the flood" \
	n l ping -c1 -W$((20 * KWG_SLOW)) 192.168.9.1
flood_stop
check "the flooder ran" grep -q '^hs-flood: sent [1-9]' /tmp/flood.out
sleep 2
check "after the flood the tunnel works" n l ping -c1 -W$((5 * KWG_SLOW)) 192.168.9.1
finish
