#!/bin/bash
# kwg-vm: stock=yes timeout=240
# Under load: a flood of initiations (valid mac1, precomputed for the fixed
# key below, invalid otherwise) fills the handshake queue past one eighth.
# The flooder then gets cookie replies instead of handshake processing,
# and a legitimate peer still completes its handshake by answering with
# mac2. (The per-source rate limit applies once mac2 proved the source; a
# flooder that cannot compute mac2 never reaches it.)
. /kwg/lib.sh

KR=GHqvHrFRdZ7v4M8nuFxKxHKz6dXf4EWTnUSZv5yvtmk=
# An initiation to XPNHmDqZpzUTt4D3JDsEAbxv7vCgv/V+bmeJXZas/i8= (KR's
# public key) with a valid mac1 and random contents.
MSG='\x01\x00\x00\x00\x3f\x15\x2f\x88\xd4\x7d\xc0\x27\x26\x74\x11\xa6\x8a\xc0\x1d\xcc\x4a\xcf\x59\x30\x74\x6e\x98\x8a\x43\xc9\x46\x9b\x4c\x23\xbf\x2a\xda\x9c\x14\x22\xb8\x8e\x93\x85\xd3\x9a\xb9\x8e\x8f\x92\x85\x51\x08\x32\x49\xa1\x6b\xf0\x8c\x63\x5a\x8b\xd8\xf3\x66\xf8\xce\xee\x82\x6c\xfe\xe2\xa4\x0c\xeb\x79\xcf\x12\x8c\xd8\xa3\x4a\x23\xd0\x9c\xb4\x6b\x63\x70\x1d\x8a\xb9\x8b\x15\xbd\x13\xd0\xaf\xa6\x65\x2f\xff\xf6\xfe\x75\x5b\xb4\xf9\xe2\x76\x30\x5c\x14\x1d\x80\x1b\x46\xcf\xd3\xf0\x0c\x57\xe7\x3f\x18\xcc\x4f\x89\xc6\x3e\xad\xbd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'

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

n f nft add table inet t
n f nft add chain inet t in '{ type filter hook input priority 0; }'
n f nft add rule inet t in udp sport 51820 udp length 72 counter
cookies() { n f nft list chain inet t in | awk '/counter/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'; }

flood() {
	exec 3<>/dev/udp/10.0.1.1/51820
	while [[ ! -e /tmp/stop ]]; do
		for _ in {1..200}; do printf "$MSG" >&3; done
	done
}
export -f flood
export MSG
# On a debug kernel (lib.sh) the handshake behind the flood's queue and the
# cookie round trip take KWG_SLOW times longer: the pings wait that much.
start=$SECONDS
n f bash -c flood &
n f bash -c flood &
n f bash -c flood &
sleep 3
check "a legitimate peer completes its handshake during the flood" \
	n l ping -c1 -W$((20 * KWG_SLOW)) 192.168.9.1
touch /tmp/stop
wait
elapsed=$((SECONDS - start))
c=$(cookies)
echo "# $c cookie replies to the flooder in $elapsed s"
check "under load the flooder gets cookie replies" test "$c" -gt 0
sleep 2
check "after the flood the tunnel works" n l ping -c1 -W$((5 * KWG_SLOW)) 192.168.9.1
finish
