#!/bin/bash
# kwg-diff: timeout=60 check
# Orderings inside one SET message (one `wg set` or `wg setconf` is one
# message): a peer removed and added back, added and then removed, a peer
# listed twice, allowed IPs moving between peers both ways, a new private
# key equal to a peer's public key (with and without that peer in the same
# message), and a message that fails on its listen port after changes
# listed before it. The status and the dump after each.
. /kwg/diff/lib.sh

netns_add n1
wg_dev n1 wg0 n1 1
wg_peer n1 wg0 n2 allowed-ips 10.2.0.0/16 endpoint 10.0.0.2:2 persistent-keepalive 25
wg_peer n1 wg0 n3 allowed-ips 10.3.0.0/16
wg_peer n1 wg0 n4 allowed-ips 10.4.0.0/16
record start wg_dump n1 wg0

# n2 removed and added back: a new peer (no endpoint, no keepalive), and
# in the order of creation (last).
record remove-readd n n1 wg set wg0 peer "$(key_pub n2)" remove \
	peer "$(key_pub n2)" allowed-ips 10.22.0.0/16
record remove-readd-dump wg_dump n1 wg0

# n5 added and removed in the same message: not there.
record add-remove n n1 wg set wg0 peer "$(key_pub n5)" allowed-ips 10.5.0.0/16 \
	peer "$(key_pub n5)" remove
record add-remove-dump wg_dump n1 wg0

# n3 twice: the second mention adds to the first.
record twice n n1 wg set wg0 peer "$(key_pub n3)" allowed-ips 10.31.0.0/16 \
	peer "$(key_pub n3)" allowed-ips 10.32.0.0/16 persistent-keepalive 5
record twice-dump wg_dump n1 wg0

# A prefix moves n3 -> n4 -> n3 within one message, and one moves to n4 from
# a peer removed later in it.
record move n n1 wg set wg0 peer "$(key_pub n4)" allowed-ips 10.3.0.0/16 \
	peer "$(key_pub n3)" allowed-ips 10.3.0.0/16,10.4.0.0/16 \
	peer "$(key_pub n4)" allowed-ips 10.22.0.0/16 \
	peer "$(key_pub n2)" remove
record move-dump wg_dump n1 wg0

# setconf with a peer in two sections: each section replaces its allowed
# IPs, so the second one's stay.
conf() {
	printf '[Interface]\nPrivateKey = %s\nListenPort = 1\n' "$(cat "$(key_file n1)")"
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.3.0.0/16\n' "$(key_pub n3)"
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.4.0.0/16\n' "$(key_pub n4)"
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.33.0.0/16\n' "$(key_pub n3)"
}
record setconf-twice n n1 wg setconf wg0 <(conf)
record setconf-twice-dump wg_dump n1 wg0

# The device takes n4's private key: the peer with its own public key goes.
record own-key n n1 wg set wg0 private-key "$(key_file n4)"
record own-key-dump wg_dump n1 wg0
# ... and in one message with that peer named again (n3's key, peer n3).
record own-key-peer n n1 wg set wg0 private-key "$(key_file n3)" \
	peer "$(key_pub n3)" allowed-ips 10.34.0.0/16
record own-key-peer-dump wg_dump n1 wg0
# ... and a peer named with the key the device already has.
record own-peer n n1 wg set wg0 peer "$(key_pub n3)" allowed-ips 10.35.0.0/16
record own-peer-dump wg_dump n1 wg0

# A message that fails on its listen port (taken by wg0) after a fwmark,
# a private key and a peer listed before it in the message. Stock keeps the
# fwmark it set before the port failed (and nothing else); ours applies a
# SET all or nothing, so wg1 keeps all of its configuration.
reason="a failed SET: stock keeps the fwmark it applied before the port failed, ours applies nothing"
allow_diff '^port-taken-dump\| [^[:blank:]]+[[:blank:]][^[:blank:]]+[[:blank:]]7[[:blank:]](0x9|off)$' "$reason"
wg_dev n1 wg1 n6 7
wg_peer n1 wg1 n7 allowed-ips 10.7.0.0/16
ip -n n1 link set wg0 up
ip -n n1 link set wg1 up
record port-taken n n1 wg set wg1 fwmark 9 private-key "$(key_file n8)" listen-port 1 \
	peer "$(key_pub n9)" allowed-ips 10.9.0.0/16 peer "$(key_pub n7)" remove
record port-taken-dump wg_dump n1 wg1
if [[ $DIFF_MODULE == ours ]]; then
	check_eq "ours: the failed SET left wg1's fwmark as it was" off "$(n n1 wg show wg1 fwmark)"
fi
finish
