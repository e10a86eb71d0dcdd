#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: the WireGuard tutorial with kwg, without loading anything on
# this machine. Boots a VM (QEMU, Debian's 6.1 kernel) with our module and
# tools, and plays the tutorial there in network namespaces, printing every
# command as a user would type it: keys, the three wg0.conf files,
# `wg-quick up`, pings, `wg show`, the client's public address before and
# after sending all its traffic through the server. Exits non-zero if any
# step fails.
#
#   scripts/demo.sh                      (KWG_DEMO_MODULE=stock to try
#   KWG_DEMO_KERNEL=6.12 scripts/demo.sh  the stock module instead)
#
# The same file is the guest script: vm.sh runs it inside the VM with
# --in-guest.

if [[ ${1:-} != --in-guest ]]; then
	set -e
	top=$(cd "$(dirname "$0")/.." && pwd)
	echo "Booting a VM (${KWG_DEMO_KERNEL:-6.1} kernel, ${KWG_DEMO_MODULE:-ours} module, kwg tools); this takes a minute..."
	color=0
	[[ -t 1 ]] && color=1
	exec "$top/tests/vm/vm.sh" -k "${KWG_DEMO_KERNEL:-6.1}" -m "${KWG_DEMO_MODULE:-ours}" -w ours \
		-t 150 -e KWG_DEMO_COLOR=$color "$0" --in-guest
fi

# ---------------------------------------------------------------- in the guest
set -u
STEPS=0

B="" G="" N=""
if [[ ${KWG_DEMO_COLOR:-0} == 1 ]]; then
	B=$'\033[1m' G=$'\033[32m' N=$'\033[0m'
fi
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
die() { printf '\nFAIL: %s\n' "$*"; exit 1; }

# As HOST, in /etc/wireguard: show the command, run it, show its output.
type_cmd() {
	local h=$1 c=$2 rc
	printf '%sroot@%s%s:/etc/wireguard# %s\n' "$G" "$h" "$N" "$c"
	ip netns exec "$h" bash -c "cd /etc/wireguard && umask 077 && $c" 2>&1 | sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	STEPS=$((STEPS + 1))
	return "$rc"
}
step() { type_cmd "$@" || die "$1: $2"; }

# ---- the world: two clients behind their own NAT, a server, a web server
# that tells each visitor its public address.
ns() { ip netns exec "$@"; }
mkdir -p /etc/wireguard
for h in internet server nat1 nat2 client1 client2; do
	mkdir -p "/etc/netns/$h/wireguard"
	ip netns add "$h"
	ns "$h" ip link set lo up
done
veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ns "$1" ip link set "$2" up
	ns "$3" ip link set "$4" up
}
veth internet i-srv server eth0
veth internet i-nat1 nat1 wan
veth internet i-nat2 nat2 wan
veth nat1 lan client1 eth0
veth nat2 lan client2 eth0
ns internet ip addr add 203.0.113.1/26 dev i-srv
ns internet ip addr add 203.0.113.65/26 dev i-nat1
ns internet ip addr add 203.0.113.129/26 dev i-nat2
ns internet ip addr add 198.51.100.80/32 dev lo
ns internet sysctl -q net.ipv4.ip_forward=1
ns server ip addr add 203.0.113.2/26 dev eth0
ns server ip route add default via 203.0.113.1
for i in 1 2; do
	ns nat$i ip addr add 203.0.113.$((i == 1 ? 66 : 130))/26 dev wan
	ns nat$i ip route add default via 203.0.113.$((i == 1 ? 65 : 129))
	ns nat$i ip addr add 192.168.1.1/24 dev lan
	ns nat$i sysctl -q net.ipv4.ip_forward=1
	printf '%s\n' 'table ip nat {' \
		'chain post { type nat hook postrouting priority srcnat; oifname "wan" masquerade; }' '}' |
		ns nat$i nft -f -
	ns client$i ip addr add 192.168.1.2/24 dev eth0
	ns client$i ip route add default via 192.168.1.1
done
ns internet ncat -l -k 198.51.100.80 80 --sh-exec \
	'read -r l; printf "HTTP/1.0 200 OK\r\n\r\nYour address is %s\n" "$NCAT_REMOTE_ADDR"' &
sleep 0.5
# No curl in the guest: enough of one for `curl -s http://HOST[:PORT]/PATH`.
mkdir -p /usr/local/bin
cat >/usr/local/bin/curl <<'EOF'
#!/bin/bash
url=${!#}
[[ $url =~ ^http://([^/:]+)(:([0-9]+))?(/.*)?$ ]] || { echo "curl: only http://HOST[:PORT]/PATH" >&2; exit 3; }
exec 3<>"/dev/tcp/${BASH_REMATCH[1]}/${BASH_REMATCH[3]:-80}" || exit 7
printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "${BASH_REMATCH[4]:-/}" "${BASH_REMATCH[1]}" >&3
sed '1,/^\r\?$/d' <&3
EOF
chmod 755 /usr/local/bin/curl
export PATH=$PATH:/usr/local/bin
whatsmyip='curl -s http://198.51.100.80/'

say "The setup: a server with the public address 203.0.113.2, and two clients, each behind its own NAT router (192.168.1.2 inside, 203.0.113.66 and 203.0.113.130 outside). A web server at 198.51.100.80 tells visitors the address it sees them as."

say "1. On each machine, generate a key pair"
for h in server client1 client2; do
	step $h 'wg genkey | tee privatekey | wg pubkey > publickey'
	step $h 'cat publickey'
done
pub() { cat "/etc/netns/$1/wireguard/publickey"; }
priv() { cat "/etc/netns/$1/wireguard/privatekey"; }

say "2. Write /etc/wireguard/wg0.conf on each machine"
cat >/etc/netns/server/wireguard/wg0.conf <<EOF
[Interface]
Address = 10.0.0.1/24
ListenPort = 51820
PrivateKey = $(priv server)
# forward between clients, and NAT their traffic to the internet
PostUp = sysctl -q net.ipv4.ip_forward=1; iptables -A FORWARD -i %i -j ACCEPT; iptables -A FORWARD -o %i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
PostDown = iptables -D FORWARD -i %i -j ACCEPT; iptables -D FORWARD -o %i -j ACCEPT; iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE

[Peer]
# client1
PublicKey = $(pub client1)
AllowedIPs = 10.0.0.2/32

[Peer]
# client2
PublicKey = $(pub client2)
AllowedIPs = 10.0.0.3/32
EOF
for i in 1 2; do
	cat >/etc/netns/client$i/wireguard/wg0.conf <<EOF
[Interface]
Address = 10.0.0.$((i + 1))/24
PrivateKey = $(priv client$i)

[Peer]
# the server
PublicKey = $(pub server)
Endpoint = 203.0.113.2:51820
AllowedIPs = 10.0.0.0/24
PersistentKeepalive = 25
EOF
done
for h in server client1 client2; do
	chmod 600 /etc/netns/$h/wireguard/wg0.conf
	step $h 'cat wg0.conf'
done

say "3. Bring the tunnels up (systemctl enable --now wg-quick@wg0 does the same at boot)"
for h in server client1 client2; do
	step $h 'wg-quick up wg0'
done

say "4. Ping across: each client reaches the server, and the other client through it"
step client1 'ping -c 2 -W 2 10.0.0.1'
step client2 'ping -c 2 -W 2 10.0.0.1'
step client1 'ping -c 2 -W 2 10.0.0.3'

say "5. The server sees both peers, their handshakes and their (NATed) endpoints"
step server 'wg show'
peers=$(ns server wg show wg0 latest-handshakes | awk '$2 > 0' | wc -l)
[[ $peers -eq 2 ]] || die "the server does not show a handshake with both peers"

say "6. Send all of client1's traffic through the server"
step client1 "$whatsmyip"
[[ $(ns client1 bash -c "$whatsmyip") == *203.0.113.66* ]] || die "client1's public address should be its NAT's"
step client1 'wg-quick down wg0'
step client1 "sed -i 's|^AllowedIPs = 10.0.0.0/24|AllowedIPs = 0.0.0.0/0, ::/0|' wg0.conf && grep AllowedIPs wg0.conf"
step client1 'wg-quick up wg0'
step client1 'ip rule show'
step client1 "$whatsmyip"
[[ $(ns client1 bash -c "$whatsmyip") == *203.0.113.2* ]] || die "client1's public address should now be the server's"
step client1 'ping -c 2 -W 2 10.0.0.3'

say "7. Tear down"
for h in client1 client2 server; do
	step $h 'wg-quick down wg0'
done
step client1 'ip rule show'
[[ $(ns client1 ip rule show | wc -l) -eq 3 ]] || die "client1's ip rules are not back to the three defaults"

printf '\nPASS: the tutorial ran end to end (%d commands)\n' "$STEPS"
