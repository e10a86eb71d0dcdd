#!/bin/bash
# kwg-diff: timeout=120
# The messages of a GET_DEVICE dump too big for one: which attributes each
# message carries, in what order, and where a peer whose allowed IPs do
# not fit continues (nl-dump-shape prints the layout, not the values).
# Clients that parse a dump message by message rely on it: the kernel's
# YNL cli.py prints each message as it came (suites/client-ynl.sh found
# that only the first one names the device on stock, where ours named it
# in every message). client-ynl.sh checks that part in make check.
. /kwg/diff/lib.sh

netns_add n1
wg_dev n1 wg0 n1 1
n n1 wg set wg0 fwmark 7
wg_peer n1 wg0 n2 preshared-key "$(psk_file n2)" endpoint 10.0.0.2:2 \
	persistent-keepalive 25 allowed-ips 10.2.0.0/16,fd02::/64
ips=$(for i in $(seq 0 999); do printf '10.%d.%d.1/32,' $((100 + i / 250)) $((i % 250)); done)
wg_peer n1 wg0 n3 allowed-ips "${ips%,}"
wg_peer n1 wg0 n4 allowed-ips 10.4.0.0/16,10.44.0.0/16,fd04::/64
record one-big-peer n n1 /kwg/probes/nl-dump-shape wg0

# Many peers with one allowed IP each (~45 fit in a message): messages end
# between peers.
wg_dev n1 wg1 n5 5
args=()
for i in $(seq 1 80); do
	args+=(peer "$(key_pub "m$i")" allowed-ips "10.200.$i.0/24")
done
n n1 wg set wg1 "${args[@]}"
record many-peers n n1 /kwg/probes/nl-dump-shape wg1
finish
