#!/bin/bash
# kwg-diff: timeout=90
# The device MTU changed under traffic: while n1 floods n2 with small pings
# through the tunnel (load only, left out of the record), n1's wg0 goes
# 1420 -> 1280 -> 1500 -> 1420. After each change, fixed-size pings from n1
# (1280, 1410 and 1500 bytes inside) show the data messages' padded lengths
# (fragmented inside when bigger than the MTU), and a 1400-byte ping with DF
# forwarded from n0 through n1 gets ICMP "fragmentation needed" with the
# new MTU when it does not fit.
. /kwg/diff/lib.sh

pair_links
netns_add n0
veth n0 v5 n1 v6
addr n0 v5 10.1.0.2/24
addr n1 v6 10.1.0.1/24
ip -n n0 route add default via 10.1.0.1
n n1 sysctl -qw net.ipv4.ip_forward=1
pair_devices
# n0's pings go to 192.168.251.STEP, a new address at each step: n0 keeps
# the MTU an ICMP error told it per destination.
wg_peer n1 wg0 n2 allowed-ips "$IN4_2/32,$IN6_2/128,192.168.251.0/24" endpoint "$(endpoint2 4)"
ip -n n1 route add 192.168.251.0/24 dev wg0
addr n2 lo 192.168.251.1/32 192.168.251.2/32 192.168.251.3/32 192.168.251.4/32
wg_peer n2 wg0 n1 allowed-ips "$IN4_1/32,$IN6_1/128,10.1.0.0/24"
ip -n n2 route add 10.1.0.0/24 dev wg0
check "ping through the tunnel" ping_rec ping n1 -c1 -W5 "$IN4_2"

# The flood's packets (44 bytes inside, padded to 48) are the only UDP
# datagrams of 88 bytes on the link: the capture leaves them out, and so
# does the summary, for those our module sent in one batch (one UDP GSO
# packet, which the capture's filter sees whole) with others. It starts
# first: tcpdump counts what arrives before its filter is set.
capture_start link n2 v2 not '(udp and udp[4:2] = 88)'
ip netns exec n1 ping -f -q -s 16 -w 40 "$IN4_2" >"$DIFF_OUT/.flood" 2>&1 &
flood=$!
step=0
for mtu in 1420 1280 1500 1420; do
	step=$((step + 1))
	[[ $step == 1 ]] || ip -n n1 link set wg0 mtu "$mtu"
	for size in 1252 1382 1472; do
		check "mtu $mtu: ping -s $size" ping_rec "$step-mtu$mtu-$size" n1 -c1 -W5 -s "$size" "$IN4_2"
	done
	if [[ $mtu -lt 1400 ]]; then
		check_fails "mtu $mtu: a forwarded 1400-byte packet with DF does not fit" \
			ping_rec "$step-mtu$mtu-forwarded" n0 -c1 -W2 -M do -s 1372 "192.168.251.$step"
	else
		check "mtu $mtu: a forwarded 1400-byte packet with DF" \
			ping_rec "$step-mtu$mtu-forwarded" n0 -c1 -W5 -M do -s 1372 "192.168.251.$step"
	fi
done
# The flood stops first: under it the capture may fall behind.
kill -INT "$flood"
wait "$flood"
DIFF_FILTER="grep -vw udp=88" capture_stop link
check "the flood ran all along" grep -Eq ' [1-9][0-9]* received' "$DIFF_OUT/.flood"
finish
