#!/bin/bash
# kwg-diff: timeout=60
# A peer whose public key is the device's own: what wg set says and what
# the dump shows; then the device's private key changed to that of an
# existing peer.
. /kwg/diff/lib.sh

netns_add n1
wg_dev n1 wg0 n1 1
record add-self wg_peer n1 wg0 n1 allowed-ips 10.9.0.1/32
record dump-self wg_dump n1 wg0
wg_peer n1 wg0 n2 allowed-ips 10.9.0.2/32
record key-of-peer n n1 wg set wg0 private-key "$(key_file n2)"
record dump-key-of-peer wg_dump n1 wg0
finish
