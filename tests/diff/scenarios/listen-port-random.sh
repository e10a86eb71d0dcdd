#!/bin/bash
# kwg-diff: timeout=60
# No listen port given: the kernel picks one when the device comes up (the
# dump shows it, both families' sockets use it), down and up keep it, and
# listen-port 0 while up picks another. The random value is masked in the
# records (mask_port: the kernel's choice differs on every run); checks
# assert what must hold of it.
. /kwg/diff/lib.sh

# port: n1's listen port as the dump shows it.
port() { n n1 wg show wg0 listen-port; }
# sockets: n1's UDP sockets, sorted (ss walks the kernel's socket hash
# table, whose order is not the module's to decide).
sockets() { n n1 ss -Huan | tr -s ' ' | sort; }

netns_add n1
wg_dev n1 wg0 n1
record port-created port
record sockets-created sockets
ip -n n1 link set wg0 up
p=$(port)
check "a port is chosen when the device comes up" test "$p" -gt 0
DIFF_FILTER="mask_port $p" record port-up port
DIFF_FILTER="mask_port $p" record sockets-up sockets
ip -n n1 link set wg0 down
DIFF_FILTER="mask_port $p" record port-down port
DIFF_FILTER="mask_port $p" record sockets-down sockets
ip -n n1 link set wg0 up
check_eq "down and up keep the port" "$p" "$(port)"
old=$p
n n1 wg set wg0 listen-port 0
p=$(port)
check "listen-port 0 while up gives a nonzero port" test "$p" -gt 0
note port-zero-again "$([[ $p == "$old" ]] && echo "kept the port" || echo "chose another port")"
DIFF_FILTER="mask_port $p" record sockets-zero-again sockets
DIFF_FILTER="mask_port $p" observe after n1
finish
