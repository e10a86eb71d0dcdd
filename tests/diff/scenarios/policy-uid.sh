#!/bin/bash
# kwg-diff: timeout=60
# Policy routing by user: a rule "uidrange 65534-65534 lookup 10" steers
# user nobody's traffic to 192.168.250.1 (an address of n2's) into the
# tunnel (table 10 routes it over wg0), while root's goes straight over the
# veth. Then a rule "uidrange 0-0 lookup 20", table 20 reaching n2 over
# the second link (v3, source 10.0.0.3): do the tunnel's own outer packets
# (its kernel socket) count as uid 0's? Both links are captured: the wire
# says where they went, the endpoints which source n2 saw.
. /kwg/diff/lib.sh

# as_nobody NS CMD...: CMD run as user nobody (uid 65534) in NS.
as_nobody() {
	local ns=$1
	shift
	n "$ns" su -s /bin/bash nobody -c "$*"
}
# ping_nobody LABEL ARGS...: a ping from n1 as nobody, recorded as ping_rec does.
ping_nobody() {
	local label=$1
	shift
	store "$label" < <(with_status as_nobody n1 ping "$@" | norm_ping)
	! grep -q '^\[exit ' "$DIFF_FILE"
}

two_paths 4
# Unprivileged pings use ICMP datagram sockets, which this allows.
n n1 sysctl -qw net.ipv4.ping_group_range="0 2147483647"
addr n2 lo 192.168.250.1/32
wg_peer n1 wg0 n2 allowed-ips "$IN4_2/32,$IN6_2/128,192.168.250.0/24"
ip -n n1 route add 192.168.250.0/24 via "$OUT4_2" dev v1
ip -n n1 route add 192.168.250.0/24 dev wg0 table 10
ip -n n1 rule add uidrange 65534-65534 lookup 10 pref 100
check_eq "the user switch works" 65534 "$(as_nobody n1 id -u)"

capture_start first n2 v2
check "root's ping goes over the veth" ping_rec ping-root n1 -c1 -W5 192.168.250.1
check "nobody's ping goes through the tunnel" ping_nobody ping-nobody -c1 -W5 192.168.250.1
capture_stop first
record endpoint-first n n2 wg show wg0 endpoints

ip -n n1 route add "$OUT4_2" dev v3 src 10.0.0.3 table 20
ip -n n1 rule add uidrange 0-0 lookup 20 pref 50
capture_start second-v2 n2 v2
capture_start second-v4 n2 v4
check "nobody's ping with the uid 0 rule" ping_nobody ping-nobody-uid0 -c1 -W5 192.168.250.1
capture_stop second-v2
capture_stop second-v4
record endpoint-second n n2 wg show wg0 endpoints
observe after n1 n2
finish
