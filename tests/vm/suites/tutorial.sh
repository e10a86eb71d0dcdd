#!/bin/bash
# kwg-vm: stock=yes debian-wg=yes timeout=420
# The classic WireGuard tutorial, word for word, with the module and tools
# under test: keys, /etc/wireguard/wg0.conf for a server and two clients,
# `wg-quick up wg0`, ping across, clients reaching each other through the
# server, then all client traffic through the server with NAT and DNS.
#
# Also runs against the stock module (-m stock) and with Debian's wg and
# wg-quick (-w debian): whatever wg/wg-quick the harness put first on PATH.
# Checks that need behaviour only kwg's wg-quick promises (exact restore of
# the sysctl, the shared ip rule) are skipped with Debian's wg-quick.
#
# Hosts are network namespaces; `ip netns exec` binds /etc/netns/HOST/* over
# /etc, so each host has its own /etc/wireguard and /etc/resolv.conf:
#
#   client1 192.168.1.2 -- nat1 (203.0.113.66) --+
#                                                 +-- internet -- server 203.0.113.2
#   client2 192.168.1.2 -- nat2 (203.0.113.130) -+    web 198.51.100.80, DNS 198.51.100.53
. /kwg/lib.sh
export -f n

WGQ=$(command -v wg-quick)
WGB=$(command -v wg)
OURS=1
[[ $WGQ == /opt/kwg/* ]] || OURS=0
echo "# module: $KWG_MODULE, wg: $WGB, wg-quick: $WGQ"

# ---------------------------------------------------------------- guest setup
# resolvconf(8) is not in the guest: a minimal one, so that wg-quick's DNS
# handling is really exercised (records per netns, resolv.conf restored).
install_resolvconf() {
	mkdir -p /usr/local/sbin
	cat >/usr/local/sbin/resolvconf <<'EOF'
#!/bin/bash
set -eu
ns=$(readlink /proc/self/ns/net); ns=${ns//[^0-9]/}
dir=/run/fake-resolvconf/$ns
mkdir -p "$dir/if"
op="" ifname="" exclusive=0 force=0
while (($#)); do
	case $1 in
	-a | -d) op=$1; ifname=$2; shift 2 ;;
	-m) shift 2 ;;
	-x) exclusive=1; shift ;;
	-f) force=1; shift ;;
	*) echo "resolvconf: unsupported $1" >&2; exit 2 ;;
	esac
done
case $op in
-a) cat >"$dir/if/$ifname"; echo "$exclusive" >"$dir/if/$ifname.x" ;;
-d) [[ -e $dir/if/$ifname ]] || { ((force)) && exit 0; echo "resolvconf: no $ifname" >&2; exit 1; }
    rm -f "$dir/if/$ifname" "$dir/if/$ifname.x" ;;
*) exit 2 ;;
esac
shopt -s nullglob
recs=()
for f in "$dir"/if/*; do [[ $f == *.x ]] || recs+=("$f"); done
if ((${#recs[@]} == 0)); then
	[[ -e $dir/orig ]] && { cat "$dir/orig" >/etc/resolv.conf; rm -f "$dir/orig"; }
	exit 0
fi
[[ -e $dir/orig ]] || cp /etc/resolv.conf "$dir/orig"
out="# resolvconf"$'\n'
for f in "${recs[@]}"; do out+=$(cat "$f")$'\n'; done
printf '%s' "$out" >/etc/resolv.conf
EOF
	chmod 755 /usr/local/sbin/resolvconf
	export PATH=$PATH:/usr/local/sbin
}

# A one-answer DNS server for ncat --sh-exec: every A query gets
# 198.51.100.80; the asker's address is logged to show the query's path.
install_dnsd() {
	cat >/usr/local/sbin/kwg-dnsd <<'EOF'
#!/bin/bash
q=($(dd bs=4096 count=1 2>/dev/null | od -An -tx1 -v))
((${#q[@]} >= 17)) || exit 0
echo "$NCAT_REMOTE_ADDR" >>/tmp/dns.log
i=12
while ((i < ${#q[@]})) && [[ ${q[i]} != 00 ]]; do i=$((i + 16#${q[i]} + 1)); done
qend=$((i + 5))
out=(${q[0]} ${q[1]} 81 80 00 01 00 00 00 00 00 00 "${q[@]:12:qend-12}")
if [[ ${q[i+1]}${q[i+2]} == 0001 ]]; then
	out[7]=01
	out+=(c0 0c 00 01 00 01 00 00 00 3c 00 04 c6 33 64 50)
fi
printf "$(printf '\\x%s' "${out[@]}")"
EOF
	chmod 755 /usr/local/sbin/kwg-dnsd
}

install_resolvconf
install_dnsd
mkdir -p /etc/wireguard

HOSTS=(internet server nat1 nat2 client1 client2)
for h in "${HOSTS[@]}"; do
	mkdir -p "/etc/netns/$h/wireguard"
	printf 'nameserver 192.0.2.1\nsearch home.example\n' >"/etc/netns/$h/resolv.conf"
	ip netns add "$h"
	n "$h" ip link set lo up
	n "$h" sysctl -q net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done

# veth A-side-name B-side-name
link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	n "$1" ip link set "$2" up
	n "$3" ip link set "$4" up
}
link internet i-srv server eth0
link internet i-nat1 nat1 wan
link internet i-nat2 nat2 wan
link nat1 lan client1 eth0
link nat2 lan client2 eth0

n internet ip addr add 203.0.113.1/26 dev i-srv
n internet ip addr add 203.0.113.65/26 dev i-nat1
n internet ip addr add 203.0.113.129/26 dev i-nat2
n internet ip addr add 198.51.100.80/32 dev lo
n internet ip addr add 198.51.100.53/32 dev lo
n internet sysctl -q net.ipv4.ip_forward=1
n server ip addr add 203.0.113.2/26 dev eth0
n server ip route add default via 203.0.113.1
for i in 1 2; do
	wan=203.0.113.$((i == 1 ? 66 : 130)) gw=203.0.113.$((i == 1 ? 65 : 129))
	n nat$i ip addr add $wan/26 dev wan
	n nat$i ip route add default via $gw
	n nat$i ip addr add 192.168.1.1/24 dev lan
	n nat$i sysctl -q net.ipv4.ip_forward=1
	n nat$i nft -f - <<-EOF
	table ip nat {
		chain post { type nat hook postrouting priority srcnat; oifname "wan" masquerade; }
	}
	EOF
	n client$i ip addr add 192.168.1.2/24 dev eth0
	n client$i ip route add default via 192.168.1.1
	# Strict reverse-path filtering, as hardened clients have it: the
	# full tunnel must still receive the server's replies.
	n client$i sysctl -q net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1
done
# The web server answers with the address it sees the client as.
n internet ncat -l -k 198.51.100.80 80 --sh-exec \
	'while read -r l && [ -n "$(echo "$l" | tr -d "\r")" ]; do :; done; printf "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n%s\n" "$NCAT_REMOTE_ADDR"' &
WEB_PID=$!
(while :; do n internet ncat -u -l 198.51.100.53 53 --sh-exec /usr/local/sbin/kwg-dnsd; done) >/dev/null 2>&1 &
DNS_PID=$!

public_ip() {
	n "$1" timeout 10 bash -c 'exec 3<>/dev/tcp/198.51.100.80/80 &&
		printf "GET / HTTP/1.0\r\nHost: web.example\r\n\r\n" >&3 && tail -n1 <&3' 2>/dev/null | tr -d '\r\n'
}
check "the internet is reachable from client1 (via its NAT)" wait_until 10 n client1 ping -c1 -W1 198.51.100.80
check "the internet is reachable from client2 (via its NAT)" wait_until 10 n client2 ping -c1 -W1 198.51.100.80
check_eq "client1's public address is its NAT's" 203.0.113.66 "$(public_ip client1)"

# ---------------------------------------------------------------- snapshots
# Firewall state as rules, so that empty built-in chains that iptables
# creates on first use (and never removes) do not count.
nft_rules() {
	nft list ruleset 2>/dev/null | awk '
		/^table / { t = $2 " " $3 } /^\tchain / { c = $2 }
		/^\t\t/ && !/^\t\t(type|policy) / && !/^\t\t}/ { sub(/^\t\t/, ""); print t "/" c ": " $0 }'
	nft list tables 2>/dev/null | grep wg-quick
}
snapshot() {
	n "$1" bash -c '
		echo "== links"; ip -o link show | sed "s/ qlen [0-9]*//; s/state [A-Z]*//"
		echo "== addresses"; ip -o address show | sed "s/ valid_lft.*//"
		echo "== routes"; ip -4 route show table all; ip -6 route show table all | grep -v "^local fe80\|^fe80\|^multicast"
		echo "== rules"; ip -4 rule show; ip -6 rule show
		echo "== sysctl"; sysctl net.ipv4.conf.all.src_valid_mark net.ipv4.ip_forward net.ipv4.conf.all.rp_filter
		echo "== resolv.conf"; cat /etc/resolv.conf
		echo "== iptables"; iptables-save 2>/dev/null | grep "^-A"; ip6tables-save 2>/dev/null | grep "^-A"
	'
	echo "== nft"
	n "$1" bash -c "$(declare -f nft_rules); nft_rules"
}
same_as_snapshot() {
	local now
	now=$(snapshot "$1")
	[[ $now == "$(cat "/tmp/snap-$1")" ]] && return 0
	diff "/tmp/snap-$1" <(echo "$now")
	return 1
}

# ---------------------------------------------------------------- the tutorial
# Each host runs the commands a user types, in its own namespace.
on() { local h=$1; shift; n "$h" bash -c "umask 077; $*"; }

for h in server client1 client2; do
	on $h 'cd /etc/wireguard && wg genkey | tee privatekey | wg pubkey > publickey'
done
check "wg genkey | tee privatekey | wg pubkey on every host" \
	bash -c '[[ $(cat /etc/netns/server/wireguard/publickey) =~ ^[A-Za-z0-9+/]{43}=$ &&
		   $(cat /etc/netns/client2/wireguard/publickey) =~ ^[A-Za-z0-9+/]{43}=$ ]]'
key() { cat "/etc/netns/$1/wireguard/$2"; }
export -f key

server_conf() { # extra [Interface] lines
	cat <<-EOF
	[Interface]
	Address = 10.0.0.1/24, fd42::1/64
	ListenPort = 51820
	PrivateKey = $(key server privatekey)
	$1

	[Peer]
	# client1
	PublicKey = $(key client1 publickey)
	AllowedIPs = 10.0.0.2/32, fd42::2/128

	[Peer]
	# client2
	PublicKey = $(key client2 publickey)
	AllowedIPs = 10.0.0.3/32, fd42::3/128
	EOF
}
client_conf() { # host, last octet, AllowedIPs, extra [Interface] lines
	cat <<-EOF
	[Interface]
	Address = 10.0.0.$2/24, fd42::$2/64
	PrivateKey = $(key "$1" privatekey)
	$4

	[Peer]
	PublicKey = $(key server publickey)
	Endpoint = 203.0.113.2:51820
	AllowedIPs = $3
	PersistentKeepalive = 25
	EOF
}
write_conf() { # host; the text on stdin
	umask 077
	cat >"/etc/netns/$1/wireguard/wg0.conf"
	chmod 600 "/etc/netns/$1/wireguard/wg0.conf"
}

for h in server client1 client2; do
	snapshot $h >"/tmp/snap-$h"
done

# ---- stage 1: the server is reachable
server_conf "" | write_conf server
client_conf client1 2 "10.0.0.1/32, fd42::1/128" | write_conf client1
client_conf client2 3 "10.0.0.1/32, fd42::1/128" | write_conf client2
n server sysctl -q net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
snapshot server >/tmp/snap-server
up_ok=1
for h in server client1 client2; do
	check "$h: wg-quick up wg0" on $h wg-quick up wg0
	n $h ip link show wg0 >/dev/null 2>&1 || up_ok=0
done
if ((!up_ok)); then
	# Everything below needs the three tunnels; do not wait for them.
	fail "the tutorial's first stage did not come up; the remaining stages were not run"
	finish
fi
check "client1 pings the server through the tunnel" wait_until 15 n client1 ping -c1 -W1 10.0.0.1
check "client2 pings the server through the tunnel" wait_until 15 n client2 ping -c1 -W1 10.0.0.1
check "client1 reaches the server over IPv6 in the tunnel" wait_until 10 n client1 ping -c1 -W1 fd42::1
check "the server pings client2 back" wait_until 10 n server ping -c1 -W1 10.0.0.3
wg_show=$(n server wg show wg0)
echo "$wg_show" | sed 's/^/# /'
check "wg show on the server lists both peers" \
	bash -c '[[ $(n server wg show wg0 peers | wc -l) -eq 2 ]]'
check "both peers have a handshake" \
	bash -c '[[ $(n server wg show wg0 latest-handshakes | awk "\$2 > 0" | wc -l) -eq 2 ]]'
check "endpoints are the clients' NAT addresses" \
	bash -c 'e=$(n server wg show wg0 endpoints); [[ $e == *"203.0.113.66:"* && $e == *"203.0.113.130:"* ]]'
check "wg show prints handshake and transfer lines for both" \
	bash -c '[[ $(grep -c "latest handshake:" <<<"$0") -eq 2 && $(grep -c "transfer:" <<<"$0") -eq 2 ]]' "$wg_show"
check_fails "client1 cannot reach client2 yet (only the server is allowed)" n client1 ping -c1 -W1 10.0.0.3

# ---- stage 2: clients reach each other through the server
# client1 edits the live file and reloads the way the systemd unit does;
# client2 takes the interface down, edits, and brings it up again.
client_conf client1 2 "10.0.0.0/24, fd42::/64" | write_conf client1
check "client1: wg syncconf wg0 <(wg-quick strip wg0)" on client1 'wg syncconf wg0 <(wg-quick strip wg0)'
check "client2: wg-quick down wg0" on client2 wg-quick down wg0
client_conf client2 3 "10.0.0.0/24, fd42::/64" | write_conf client2
check "client2: wg-quick up wg0" on client2 wg-quick up wg0
check "client1 pings client2 through the server" wait_until 15 n client1 ping -c1 -W1 10.0.0.3
check "client2 pings client1 through the server (IPv6)" wait_until 15 n client2 ping -c1 -W1 fd42::2
check "the path goes through the server (TTL decremented once)" \
	bash -c '[[ $(n client1 ping -c1 -W2 10.0.0.3) == *"ttl=63"* ]]'

# ---- stage 3: all client traffic through the server, NAT and DNS
NAT_UP='PostUp = iptables -A FORWARD -i %i -j ACCEPT; iptables -A FORWARD -o %i -j ACCEPT; iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE'
NAT_DOWN='PostDown = iptables -D FORWARD -i %i -j ACCEPT; iptables -D FORWARD -o %i -j ACCEPT; iptables -t nat -D POSTROUTING -o eth0 -j MASQUERADE'
check "server: wg-quick down wg0" on server wg-quick down wg0
server_conf "$NAT_UP
$NAT_DOWN" | write_conf server
check "server: wg-quick up wg0 (with the NAT hooks)" on server wg-quick up wg0
check "server: the PostUp rules are in place" bash -c '[[ $(n server iptables-save -t nat) == *"-A POSTROUTING -o eth0 -j MASQUERADE"* ]]'
check "client2 gets a session with the restarted server" wait_until 40 n client2 ping -c1 -W1 10.0.0.1
check "client1: wg-quick down wg0" on client1 wg-quick down wg0
client_conf client1 2 "0.0.0.0/0, ::/0" "DNS = 198.51.100.53" | write_conf client1
check "client1: wg-quick up wg0 with AllowedIPs = 0.0.0.0/0, ::/0" on client1 wg-quick up wg0
check "client1 still reaches the server" wait_until 15 n client1 ping -c1 -W1 10.0.0.1
check_eq "client1's public address is now the server's" 203.0.113.2 "$(public_ip client1)"
check_eq "client2's public address is still its NAT's" 203.0.113.130 "$(public_ip client2)"
check "client1's resolv.conf holds the tunnel's DNS only" \
	bash -c 'r=$(n client1 cat /etc/resolv.conf); [[ $r == *"nameserver 198.51.100.53"* && $r != *192.0.2.1* ]]'
rm -f /tmp/dns.log
check "client1 resolves names through the tunnel's DNS" \
	bash -c '[[ $(n client1 nslookup -type=a web.example) == *"198.51.100.80"* ]]'
check "the DNS query left through the server's NAT" grep -qx 203.0.113.2 /tmp/dns.log
check "client1 reaches client2 inside the tunnel" wait_until 10 n client1 ping -c1 -W1 10.0.0.3
check "client1 has the fwmark rules" bash -c '
	r=$(n client1 ip -4 rule show); [[ $r == *"not from all fwmark 0xca6c lookup 51820"* && $r == *"suppress_prefixlength 0"* ]]'

# ---- roaming: client1's NAT gets a new public address
n nat1 ip addr del 203.0.113.66/26 dev wan
n nat1 ip addr add 203.0.113.67/26 dev wan
n nat1 ip route add default via 203.0.113.65
check "client1 keeps reaching the server after its NAT changed address" wait_until 20 n client1 ping -c1 -W1 10.0.0.1
check "the server follows client1 to its new endpoint" bash -c '
	[[ $(n server wg show wg0 endpoints | grep "^$(key client1 publickey)") == *"203.0.113.67:"* ]]'
check "the server reaches client1 at its new endpoint" wait_until 10 n server ping -c1 -W1 10.0.0.2
n nat1 ip addr del 203.0.113.67/26 dev wan
n nat1 ip addr add 203.0.113.66/26 dev wan
n nat1 ip route add default via 203.0.113.65

# ---- down restores everything, on every host
for h in client1 client2 server; do
	check "$h: wg-quick down wg0" on $h wg-quick down wg0
done
if ((OURS)); then
	for h in client1 client2 server; do
		check "$h: down restored routes, rules, firewall, sysctls, resolv.conf" same_as_snapshot $h
	done
else
	# Debian's wg-quick leaves src_valid_mark=1 and the resolv.conf
	# is handled the same; compare without the sysctl.
	for h in client1 client2 server; do
		check "$h: down restored routes, rules, firewall, resolv.conf (Debian's wg-quick)" \
			bash -c 'diff <(grep -v src_valid_mark "/tmp/snap-$0") <(grep -v src_valid_mark <<<"$1")' "$h" "$(snapshot $h)"
	done
fi
check_eq "client1's public address is its NAT's again" 203.0.113.66 "$(public_ip client1)"

# ---- broken configurations leave nothing behind
if ((!OURS)); then
	skip "broken configurations: Debian's wg-quick does not promise to unwind routes, rules, firewall and DNS"
	kill "$WEB_PID" "$DNS_PID" 2>/dev/null
	finish
fi
broken() { # description, expected text (ours only), config on stdin
	local d=$1 want=$2 out rc
	write_conf client1
	out=$(on client1 wg-quick up wg0 2>&1)
	rc=$?
	if ((rc != 0)); then
		pass "$d: up fails"
	else
		fail "$d: up succeeded"
		on client1 wg-quick down wg0 >/dev/null 2>&1
	fi
	if ((OURS)) && [[ -n $want ]]; then
		check "$d: the reason is given" grep -qF -- "$want" <<<"$out"
	fi
	check "$d: nothing left behind" same_as_snapshot client1
}
client_conf client1 2 "0.0.0.0/0, ::/0" "DNS = 198.51.100.53" |
	sed "s|^PrivateKey = .*|PrivateKey = this-is-not-a-key|" | broken "bad private key" "wg rejected the configuration"
client_conf client1 2 "0.0.0.0/0, ::/0" "DNS = 198.51.100.53" |
	sed "s|^Address = .*|Address = 10.0.0.300/24|" | broken "bad address" "Address: \`10.0.0.300/24'"
client_conf client1 2 "0.0.0.0/0, ::/0" "Address = 1:2:3:4:5:6:7:8:9/64" | broken "IPv6 address ip refuses" "cannot add address"
client_conf client1 2 "0.0.0.0/0, ::/0" "DNS = 198.51.100.53
PostUp = false" | broken "failing PostUp after routes, rules, firewall, DNS" "a PostUp command failed"
client_conf client1 2 "0.0.0.0/0, ::/0" "DNS = 198.51.100.53" |
	sed "s|^Endpoint = .*|Endpoint = 203.0.113.2:99999|" | broken "bad endpoint port (wg error)" "wg rejected the configuration"

# ---- interfaces named like ip(8) keywords, on the kernel module: wg-quick
# says `ip link add dev NAME'; PreUp runs once the kernel's link exists.
check "server: wg-quick up wg0 (for the keyword-named clients)" on server wg-quick up wg0
for name in dev type; do
	client_conf client1 2 "10.0.0.1/32" "PreUp = ip -d link show dev %i | grep -qw wireguard" \
		>"/etc/netns/client1/wireguard/$name.conf"
	chmod 600 "/etc/netns/client1/wireguard/$name.conf"
	check "interface named $name: wg-quick up $name (PreUp sees the kernel's link)" \
		on client1 wg-quick up $name
	check "interface named $name: a wireguard link of the module" \
		bash -c "n client1 ip -d link show dev $name | grep -qw wireguard"
	check "interface named $name: client1 pings the server through it" \
		wait_until 15 n client1 ping -c1 -W1 10.0.0.1
	check "interface named $name: wg-quick down $name" on client1 wg-quick down $name
	check "interface named $name: nothing left behind" same_as_snapshot client1
	rm -f "/etc/netns/client1/wireguard/$name.conf"
done
check "server: wg-quick down wg0" on server wg-quick down wg0

kill "$WEB_PID" "$DNS_PID" 2>/dev/null
finish
