#!/bin/bash
# kwg-vm: stock=yes timeout=300
# `wg-quick add-peer` and `remove-peer` (wg-quick(8)) on a live server of
# the tutorial's shape: a server and one client up with wg-quick; add-peer
# makes a second client, whose printed wg0.conf brings it up with
# wg-quick in its own namespace; it pings the server and, through it, the
# first client, whose session add-peer did not touch (no new handshake).
# remove-peer takes the new client off the live interface and gives back
# the server's file byte for byte. A second add-peer of the same name is
# refused and changes nothing. On the stock module the same works, with
# the peer's Name kept in the file only (wg warns that it is ignored).
#
#   client1 10.0.1.2 ---- 10.0.1.1 server 10.0.2.1 ---- 10.0.2.2 client2
#                         (wg0 10.8.0.1/24, port 51820)
. /kwg/lib.sh
. /kwg/common/topo.sh
export WG_HIDE_KEYS=never
umask 077

netns_add server client1 client2
i=1
for c in client1 client2; do
	ip link add "v$c" type veth peer name eth0 netns "$c"
	ip link set "v$c" netns server
	ip -n server addr add "10.0.$i.1/24" dev "v$c"
	ip -n server link set "v$c" up
	ip -n "$c" addr add "10.0.$i.2/24" dev eth0
	ip -n "$c" link set eth0 up
	i=$((i + 1))
done
n server sysctl -qw net.ipv4.ip_forward=1
# `ip netns exec` binds /etc/netns/HOST/wireguard over this.
mkdir -p /etc/wireguard

for h in server client1 client2; do
	mkdir -p "/etc/netns/$h/wireguard"
	chmod 700 "/etc/netns/$h/wireguard"
	wg genkey >"/etc/netns/$h/wireguard/key"
done
pub() { wg pubkey <"/etc/netns/$1/wireguard/key"; }
cat >/etc/netns/server/wireguard/wg0.conf <<EOF
[Interface]
# the server
Address = 10.8.0.1/24
ListenPort = 51820
PrivateKey = $(cat /etc/netns/server/wireguard/key)

[Peer]
# client1
PublicKey = $(pub client1)
AllowedIPs = 10.8.0.2/32
EOF
cat >/etc/netns/client1/wireguard/wg0.conf <<EOF
[Interface]
Address = 10.8.0.2/24
PrivateKey = $(cat /etc/netns/client1/wireguard/key)

[Peer]
PublicKey = $(pub server)
Endpoint = 10.0.1.1:51820
AllowedIPs = 10.8.0.0/24
PersistentKeepalive = 25
EOF
chmod 600 /etc/netns/*/wireguard/wg0.conf
check "server: wg-quick up wg0" n server wg-quick up wg0
check "client1: wg-quick up wg0" n client1 wg-quick up wg0
check "client1 pings the server" ping_ok client1 10.8.0.1
hs1=$(n server wg show wg0 latest-handshakes | awk '{ print $2 }')
cp /etc/netns/server/wireguard/wg0.conf /tmp/server-before.conf

out=$(n server wg-quick add-peer wg0 client2 --endpoint 10.0.2.1:51820 2>/tmp/add.err)
check_eq "add-peer succeeds" 0 "$?"
sed 's/^/    | /' /tmp/add.err
printf '%s\n' "$out" >/etc/netns/client2/wireguard/wg0.conf
chmod 600 /etc/netns/client2/wireguard/wg0.conf
check "the printed config gives client2 the next free address, 10.8.0.3" \
	grep -qx "Address = 10.8.0.3/24" /etc/netns/client2/wireguard/wg0.conf
check "the server's file gained the peer, by name" \
	grep -qx "Name = client2" /etc/netns/server/wireguard/wg0.conf
check "with the client's address only" \
	grep -qx "AllowedIPs = 10.8.0.3/32" /etc/netns/server/wireguard/wg0.conf
check_eq "the server's file is still mode 600" 600 "$(stat -c %a /etc/netns/server/wireguard/wg0.conf)"
check "the server's file begins with what it had" \
	cmp -n "$(stat -c %s /tmp/server-before.conf)" /tmp/server-before.conf /etc/netns/server/wireguard/wg0.conf
check_eq "the live interface has two peers" 2 "$(n server wg show wg0 peers | wc -l)"
if [[ $KWG_MODULE == ours ]]; then
	check "the live peer has its name" grep -q "(client2)" <(n server wg show wg0)
else
	check "stock: wg warned that the name is ignored" grep -q "Name ignored" /tmp/add.err
fi
check "client2: wg-quick up with the printed file" n client2 wg-quick up wg0
check "client2 pings the server" ping_ok client2 10.8.0.1
check "client2 pings client1 through the server" ping_ok client2 10.8.0.2
check_eq "client1's session was not touched (same handshake)" "$hs1" \
	"$(n server wg show wg0 latest-handshakes | awk -v k="$(pub client1)" '$1 == k { print $2 }')"

cp /etc/netns/server/wireguard/wg0.conf /tmp/server-added.conf
check_fails "add-peer of a name in use is refused" n server wg-quick add-peer wg0 client2 --endpoint 10.0.2.1:51820
check "and changes nothing in the file" cmp /tmp/server-added.conf /etc/netns/server/wireguard/wg0.conf
check_eq "nor on the interface" 2 "$(n server wg show wg0 peers | wc -l)"

check "remove-peer client2" n server wg-quick remove-peer wg0 client2
check "the server's file is back, byte for byte" cmp /tmp/server-before.conf /etc/netns/server/wireguard/wg0.conf
check_eq "the live interface has client1 only" "$(pub client1)" "$(n server wg show wg0 peers)"
check "client2 reaches the server no more" ping_none client2 10.8.0.1
check "client1 still does" ping_ok client1 10.8.0.1

for h in client2 client1 server; do
	check "$h: wg-quick down" n "$h" wg-quick down wg0
done
finish
