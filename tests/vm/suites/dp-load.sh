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

# The spoofed sources lead back to f, which drops the replies (no
# forwarding); r counts the cookie replies it sends them.
n r ip route add 10.0.2.0/24 via 10.0.1.2
n r nft add table inet t
n r nft add chain inet t out '{ type filter hook output priority 0; }'
n r nft add rule inet t out oifname vflood udp sport 51820 @th,64,32 0x03000000 counter
cookies() { n r nft list chain inet t out | awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'; }

# The legitimate peer's first handshake comes once the device answers the
# flood with cookie replies, so that it is made under load. On a debug
# kernel (lib.sh) everything takes up to KWG_SLOW times longer.
check_eq "no handshake before the flood" 0 "$(n l wg show wg0 latest-handshakes | cut -f2)"
start=$SECONDS
ip netns exec f /kwg/probes/hs-flood -k "$(echo "$KR" | wg pubkey)" -d 10.0.1.1 \
	-s 10.0.2.0/24 -n 254 -r 0 -t 600 >/tmp/flood.out 2>&1 &
flooder=$!
under_load() { [[ $(cookies) -gt 0 ]]; }
# A debug kernel can handle a flood as fast as its own sender makes it, so
# that the queue never fills (the x86 KASAN guest: ~100 initiations a
# second): there that is said, not failed.
if wait_until $((15 * KWG_SLOW)) under_load; then
	pass "under load the device answers the flood with cookie replies"
elif debug_kernel; then
	skip "under load the device answers the flood with cookie replies: the flood never filled this debug kernel's handshake queue"
else
	fail "under load the device answers the flood with cookie replies"
fi
check "a legitimate peer completes its handshake during the flood" \
	n l ping -c1 -W$((20 * KWG_SLOW)) 192.168.9.1
kill -INT $flooder
wait $flooder
echo "# $(grep '^hs-flood:' /tmp/flood.out); $(cookies) cookie replies in $((SECONDS - start)) s"
check "the flooder ran" grep -q '^hs-flood: sent [1-9]' /tmp/flood.out
sleep 2
check "after the flood the tunnel works" n l ping -c1 -W$((5 * KWG_SLOW)) 192.168.9.1
finish
