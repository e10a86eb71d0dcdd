#!/bin/bash
# kwg-vm: stock=yes timeout=120
# What GET returns for a configuration set with `wg setconf`/`wg set`,
# compared with the text the stock module gives for the same steps
# (captured once from it; the suite also runs against it).
. /kwg/lib.sh
cat >/tmp/c.conf <<'C'
[Interface]
PrivateKey = j6cTPfVO2ALpkQBWi/guJGPyme3PzePAc53yq+fC/Sw=
ListenPort = 51820
FwMark = 42

[Peer]
PublicKey = XPNHmDqZpzUTt4D3JDsEAbxv7vCgv/V+bmeJXZas/i8=
PresharedKey = mRR6/xpNM8OL16bI+rvwJgar+knda32GMgUGqPj2M10=
AllowedIPs = 10.1.0.0/16, fd00:1::/64, 10.0.0.5/32, 0.0.0.0/0, ::/0, 10.2.3.4/31
Endpoint = 192.0.2.7:1234
PersistentKeepalive = 25

[Peer]
PublicKey = spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378=
AllowedIPs = 192.168.77.0/24
Endpoint = [2001:db8::1]:51820

[Peer]
PublicKey = LcO9MwLOe4RmRDD/S4iNyRlPyWLHZbcpuXVAzfgI1/0=
C
ip link add wg0 type wireguard
check "setconf" wg setconf wg0 /tmp/c.conf
check_eq "showconf" "$(cat <<'X'
[Interface]
ListenPort = 51820
FwMark = 0x2a
PrivateKey = iKcTPfVO2ALpkQBWi/guJGPyme3PzePAc53yq+fC/Ww=

[Peer]
PublicKey = XPNHmDqZpzUTt4D3JDsEAbxv7vCgv/V+bmeJXZas/i8=
PresharedKey = mRR6/xpNM8OL16bI+rvwJgar+knda32GMgUGqPj2M10=
AllowedIPs = 10.1.0.0/16, fd00:1::/64, 10.0.0.5/32, 0.0.0.0/0, ::/0, 10.2.3.4/31
Endpoint = 192.0.2.7:1234
PersistentKeepalive = 25

[Peer]
PublicKey = spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378=
AllowedIPs = 192.168.77.0/24
Endpoint = [2001:db8::1]:51820

[Peer]
PublicKey = LcO9MwLOe4RmRDD/S4iNyRlPyWLHZbcpuXVAzfgI1/0=
X
)" "$(wg showconf wg0)"
check_eq "show all dump" "$(cat <<'X'
wg0	iKcTPfVO2ALpkQBWi/guJGPyme3PzePAc53yq+fC/Ww=	z7Z+G1ldfnfE/ZXVeg0ZEmmgFwaUJGdphoAlYvWmz1c=	51820	0x2a
wg0	XPNHmDqZpzUTt4D3JDsEAbxv7vCgv/V+bmeJXZas/i8=	mRR6/xpNM8OL16bI+rvwJgar+knda32GMgUGqPj2M10=	192.0.2.7:1234	10.1.0.0/16,fd00:1::/64,10.0.0.5/32,0.0.0.0/0,::/0,10.2.3.4/31	0	0	0	25
wg0	spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378=	(none)	[2001:db8::1]:51820	192.168.77.0/24	0	0	0	off
wg0	LcO9MwLOe4RmRDD/S4iNyRlPyWLHZbcpuXVAzfgI1/0=	(none)	(none)	(none)	0	0	0	off
X
)" "$(wg show all dump)"
wg set wg0 peer spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378= allowed-ips 192.168.77.0/24,10.9.9.9/32 persistent-keepalive 0
wg set wg0 peer XPNHmDqZpzUTt4D3JDsEAbxv7vCgv/V+bmeJXZas/i8= remove
# The new private key is a peer's public key: that peer is not removed
# (its public key differs from the new public key).
wg set wg0 private-key <(echo spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378=)
check_eq "dump after set, remove and a new private key" "$(cat <<'X'
wg0	sJn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj338=	f1C6EWs7pRjvMowyHyV9VeYN2/53zefoBQy3jfIbhmM=	51820	0x2a
wg0	spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378=	(none)	[2001:db8::1]:51820	192.168.77.0/24,10.9.9.9/32	0	0	0	off
wg0	LcO9MwLOe4RmRDD/S4iNyRlPyWLHZbcpuXVAzfgI1/0=	(none)	(none)	(none)	0	0	0	off
X
)" "$(wg show all dump)"
# Removing single allowed IPs (our wg uses WGALLOWEDIP_F_REMOVE_ME where
# the kernel's policy lists it, and rewrites the whole list elsewhere).
if [[ $(command -v wg) == /opt/kwg/* ]]; then
	wg set wg0 peer spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378= allowed-ips -10.9.9.9/32,+10.8.8.0/24
	check_eq "one allowed IP removed, one added" "192.168.77.0/24 10.8.8.0/24" \
		"$(wg show wg0 allowed-ips | awk '$1 == "spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378=" { print $2, $3 }')"
	wg set wg0 peer spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378= allowed-ips -10.8.8.0/24,+10.9.9.9/32
else
	skip "removing single allowed IPs needs our wg"
fi
ip link set wg0 up
check_eq "the port survives up" 51820 "$(wg show wg0 listen-port)"
wg set wg0 listen-port 0
p=$(wg show wg0 listen-port)
check "listen-port 0 while up picks a random port" test "$p" -gt 0 -a "$p" -ne 51820
check "the socket is bound there" sh -c "ss -Huln | grep -q ':$p '"
wg set wg0 fwmark 0
check_eq "showconf after fwmark 0 and port 0" "$(cat <<'X'
[Interface]
ListenPort = PORT
PrivateKey = sJn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj338=

[Peer]
PublicKey = spn1wHJUziBrg81nPnYpCjrbNF/JV3OdISFwUBEj378=
AllowedIPs = 192.168.77.0/24, 10.9.9.9/32
Endpoint = [2001:db8::1]:51820

[Peer]
PublicKey = LcO9MwLOe4RmRDD/S4iNyRlPyWLHZbcpuXVAzfgI1/0=
X
)" "$(wg showconf wg0 | sed "s/^ListenPort = $p\$/ListenPort = PORT/")"
# A peer whose key is our own public key is ignored.
own=$(wg show wg0 public-key)
wg set wg0 peer "$own" allowed-ips 10.99.0.0/16
check "a peer with our own public key is ignored" sh -c "! wg show wg0 peers | grep -q '$own'"
check_fails "an allowed IP with a bad prefix length is refused" wg set wg0 peer "$own" allowed-ips 10.0.0.0/33
finish
