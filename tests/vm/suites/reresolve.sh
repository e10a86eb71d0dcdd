#!/bin/bash
# kwg-vm: stock=yes timeout=300
# `wg-quick reresolve` (wg-quick(8)) with a real DNS server (dnsmasq)
# whose answer changes. The client's peer is the server by host name; the
# server moved (its old address is dead) before the client came up, so
# the client never completes a handshake. Once DNS says where the server
# is now, reresolve moves the peer's endpoint there and the tunnel works.
# A second run changes nothing. A peer that has a recent handshake (under
# 135 s) is left where it is although its name now resolves elsewhere;
# a literal-address endpoint is never touched; and the module never
# learns a host name: `wg showconf` shows addresses only.
#
#   client 10.0.0.2 -- br0 -- server 10.0.0.1 (old, removed), 10.0.1.1 (new)
#                             dns 10.0.0.53 (dnsmasq, in the server's namespace)
. /kwg/lib.sh
. /kwg/common/topo.sh
export WG_HIDE_KEYS=never
umask 077
# `ip netns exec` binds /etc/netns/HOST/wireguard over this.
mkdir -p /etc/wireguard

netns_add server client
ip link add vc type veth peer name eth0 netns client
ip link set vc netns server
ip -n server link set vc up
# The DNS server's address first: deleting a subnet's primary address
# would take the secondary ones with it.
ip -n server addr add 10.0.0.53/24 dev vc
ip -n server addr add 10.0.0.1/24 dev vc
ip -n server addr add 10.0.1.1/24 dev vc
ip -n client addr add 10.0.0.2/24 dev eth0
ip -n client link set eth0 up
# The new address is on the same link.
ip -n client route add 10.0.1.0/24 dev eth0

# dnsmasq answers from a hosts file it reads again on SIGHUP.
hosts=/tmp/dns-hosts
printf '10.0.0.1 vpn.example.test\n' >$hosts
chmod 644 $hosts
n server dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --addn-hosts=$hosts \
	--listen-address=10.0.0.53 --bind-interfaces --local-ttl=0 --user=root --group=root \
	--pid-file=/tmp/dnsmasq.pid --log-facility=/tmp/dnsmasq.log
mkdir -p /etc/netns/client
echo "nameserver 10.0.0.53" >/etc/netns/client/resolv.conf
chmod 644 /etc/netns/client/resolv.conf
check "the client resolves vpn.example.test to 10.0.0.1" \
	grep -q '^10.0.0.1 ' <(n client getent ahosts vpn.example.test)

mkdir -p /etc/netns/server/wireguard /etc/netns/client/wireguard
wg genkey >/tmp/server.key
wg genkey >/tmp/client.key
wg genkey >/tmp/other.key
cat >/etc/netns/server/wireguard/wg0.conf <<EOF
[Interface]
Address = 10.8.0.1/24
ListenPort = 51820
PrivateKey = $(cat /tmp/server.key)

[Peer]
PublicKey = $(wg pubkey </tmp/client.key)
AllowedIPs = 10.8.0.2/32
EOF
cat >/etc/netns/client/wireguard/wg0.conf <<EOF
[Interface]
Address = 10.8.0.2/24
PrivateKey = $(cat /tmp/client.key)

[Peer]
# the server, by name
PublicKey = $(wg pubkey </tmp/server.key)
Endpoint = vpn.example.test:51820
AllowedIPs = 10.8.0.0/24

[Peer]
# a peer by literal address, never re-resolved
PublicKey = $(wg pubkey </tmp/other.key)
Endpoint = 10.0.0.9:51820
AllowedIPs = 10.9.0.0/24
EOF
chmod 600 /etc/netns/*/wireguard/wg0.conf
S=$(wg pubkey </tmp/server.key) O=$(wg pubkey </tmp/other.key)
ep() { n client wg show wg0 endpoints | awk -v k="$1" '$1 == k { print $2 }'; }

# The server moves before the client comes up: 10.0.0.1 dies.
ip -n server addr del 10.0.0.1/24 dev vc
check "server: wg-quick up" n server wg-quick up wg0
check "client: wg-quick up (the name resolves to the old address)" n client wg-quick up wg0
check_eq "the client's peer is at the old address" "10.0.0.1:51820" "$(ep "$S")"
check "no tunnel: the server is not there any more" ping_none client 10.8.0.1
check "reresolve with nothing new to learn" n client wg-quick reresolve wg0
check_eq "changes nothing" "10.0.0.1:51820" "$(ep "$S")"

sed -i 's/^10.0.0.1 vpn/10.0.1.1 vpn/' $hosts
kill -HUP "$(cat /tmp/dnsmasq.pid)"
wait_until 5 sh -c 'ip netns exec client getent ahosts vpn.example.test | grep -q "^10.0.1.1 "'
check "DNS now says 10.0.1.1" grep -q '^10.0.1.1 ' <(n client getent ahosts vpn.example.test)
out=$(n client wg-quick reresolve wg0 2>&1)
check_eq "reresolve succeeds" 0 "$?"
printf '%s\n' "$out" | sed 's/^/    | /'
check_eq "the peer that never shook hands moved to 10.0.1.1" "10.0.1.1:51820" "$(ep "$S")"
check_eq "the literal-address peer is untouched" "10.0.0.9:51820" "$(ep "$O")"
check "the tunnel works" ping_ok client 10.8.0.1
check_eq "the module holds addresses only" 0 "$(n client wg showconf wg0 | grep -c example)"

# Now the handshake is recent: a new answer is not followed.
sed -i 's/^10.0.1.1 vpn/10.0.0.77 vpn/' $hosts
kill -HUP "$(cat /tmp/dnsmasq.pid)"
wait_until 5 sh -c 'ip netns exec client getent ahosts vpn.example.test | grep -q "^10.0.0.77 "'
check "reresolve with a recent handshake" n client wg-quick reresolve wg0
check_eq "leaves the peer where it works" "10.0.1.1:51820" "$(ep "$S")"
check "the tunnel still works" ping_ok client 10.8.0.1

check "client: wg-quick down" n client wg-quick down wg0
check "server: wg-quick down" n server wg-quick down wg0
kill "$(cat /tmp/dnsmasq.pid)"
finish
