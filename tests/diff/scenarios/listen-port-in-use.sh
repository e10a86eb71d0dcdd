#!/bin/bash
# kwg-diff: timeout=60
# Listen ports already taken: by another WireGuard device (set while up
# and while down, then brought up) and by an ordinary UDP socket; the
# errors wg and ip print and the ports the dumps show afterwards.
. /kwg/diff/lib.sh

netns_add n1
wg_dev n1 wg0 n1 1
ip -n n1 link set wg0 up
wg_dev n1 wg1 n2
ip -n n1 link set wg1 up
record set-taken-up n n1 wg set wg1 listen-port 1
ip -n n1 link set wg1 down
record set-taken-down n n1 wg set wg1 listen-port 1
record up-taken ip -n n1 link set wg1 up
n n1 timeout 20 ncat -u -l 7 >/dev/null 2>&1 &
# bound7: something listens on UDP port 7 in n1.
bound7() { n n1 ss -Huln 'sport = :7' | grep -q .; }
check "ncat listens on port 7" wait_until 5 bound7
wg_dev n1 wg2 n3
record set-udp-taken n n1 wg set wg2 listen-port 7
record up-udp-taken ip -n n1 link set wg2 up
# wg1 and wg2 may have been given random ports by the kernel; masked.
DIFF_FILTER="mask_port $(n n1 wg show wg1 listen-port) $(n n1 wg show wg2 listen-port)" \
	record dumps wg_dump n1
finish
