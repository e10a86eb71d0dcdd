# shellcheck shell=bash
# veth_wg_pair [A B [N]]: two namespaces A and B (default a and b) joined by
# a veth va-vb (10.N.0.1 and 10.N.0.2, N default 0), each with a wg0
# (192.168.N.1 and .2) peered with the other over it on ports 2N+1 and
# 2N+2, both up. Sets ka/kb (private) and pa/pb (public keys).
veth_wg_pair() {
	local a=${1:-a} b=${2:-b} i=${3:-0}
	ip netns add "$a"
	ip netns add "$b"
	ip link add va netns "$a" type veth peer name vb netns "$b"
	n "$a" ip addr add "10.$i.0.1/24" dev va
	n "$a" ip link set va up
	n "$b" ip addr add "10.$i.0.2/24" dev vb
	n "$b" ip link set vb up
	ka=$(wg genkey); kb=$(wg genkey)
	pa=$(echo "$ka" | wg pubkey); pb=$(echo "$kb" | wg pubkey)
	n "$a" ip link add wg0 type wireguard
	n "$b" ip link add wg0 type wireguard
	n "$a" wg set wg0 private-key <(echo "$ka") listen-port $((2 * i + 1)) \
		peer "$pb" allowed-ips "192.168.$i.2/32" endpoint "10.$i.0.2:$((2 * i + 2))"
	n "$b" wg set wg0 private-key <(echo "$kb") listen-port $((2 * i + 2)) \
		peer "$pa" allowed-ips "192.168.$i.1/32" endpoint "10.$i.0.1:$((2 * i + 1))"
	n "$a" ip addr add "192.168.$i.1/24" dev wg0
	n "$b" ip addr add "192.168.$i.2/24" dev wg0
	n "$a" ip link set wg0 up
	n "$b" ip link set wg0 up
}
