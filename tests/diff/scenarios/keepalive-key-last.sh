#!/bin/bash
# kwg-diff: timeout=60 check
# Persistent keepalive when the private key arrives last: n1's device has a
# peer with an endpoint and persistent-keepalive 1 and is up, but has no
# private key, so it sends nothing. When the key is set, the keepalive is
# due at once: the initiation is sent before `wg set` returns (the transfer
# counters show it right after), and a keepalive follows the handshake.
. /kwg/diff/lib.sh

# sent: n1 has sent something to its peer.
sent() { [[ $(n n1 wg show wg0 transfer | cut -f3) -gt 0 ]]; }
# first3: the first three packets of a capture. More keepalives follow
# every second; how many fall in the window depends on the guest's speed.
first3() { head -n 3; }

pair_links
wg_dev n1 wg0 - 1
pair_peer1 endpoint "$(endpoint2 4)" persistent-keepalive 1
addr n1 wg0 "$IN4_1/24" "$IN6_1/64"
ip -n n1 link set wg0 up
wg_dev n2 wg0 n2 2
addr n2 wg0 "$IN4_2/24" "$IN6_2/64"
ip -n n2 link set wg0 up
pair_peer2
capture_start link n2 v2
sleep 1.5
record transfer-keyless n n1 wg show wg0 transfer
n n1 wg set wg0 private-key "$(key_file n1)"
# Whether anything was sent when `wg set` returned; not how much: the
# handshake may or may not have completed by then.
if sent; then note sent-at-once "sent when wg set returned"; else note sent-at-once "nothing sent yet"; fi
if wait_until 2 sent; then note sent-after-key "sent within 2 s"; else note sent-after-key "nothing sent in 2 s"; fi
DIFF_FILTER=first3 capture_stop link
finish
