#!/bin/bash
# kwg-diff: timeout=60
# VRF: n1's wg0 enslaved to a VRF (vrf-x, table 10), its underlay v1 not:
# a ping bound to the VRF goes through the tunnel, whose outer packets are
# routed in the main table. Then v1 is enslaved too, with a route leaked
# into the main table for the outer packets: they still leave, but n2's
# answers arrive on a VRF port, which the device's unbound socket does not
# accept (ICMP port unreachable back to n2) until net.ipv4.udp_l3mdev_accept
# is set. Records routes (all tables), dumps and the wire of each phase.
. /kwg/diff/lib.sh

pair 4
ip -n n1 link add vrf-x type vrf table 10
ip -n n1 link set vrf-x up
ip -n n1 link set wg0 master vrf-x
check "ping through the tunnel in a VRF" ping_wire ping-wg-in-vrf n1 -c1 -W5 -I vrf-x "$IN4_2"
observe wg-in-vrf n1

ip -n n1 link set v1 master vrf-x
ip -n n1 route add 10.0.0.0/24 dev v1
check_fails "no answer with the underlay in the VRF" ping_wire ping-underlay-in-vrf n1 -c1 -W2 -I vrf-x "$IN4_2"
n n1 sysctl -qw net.ipv4.udp_l3mdev_accept=1
check "ping with udp_l3mdev_accept" ping_wire ping-l3mdev-accept n1 -c1 -W5 -I vrf-x "$IN4_2"
observe after n1 n2
finish
