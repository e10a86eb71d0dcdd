#!/bin/bash
# kwg-diff: timeout=60
# A preshared key on both sides: the handshake completes and the dump shows
# the key on both.
. /kwg/diff/lib.sh

pair_links
pair_devices
pair_peer1 endpoint "$(endpoint2 4)" preshared-key "$(psk_file p12)"
pair_peer2 preshared-key "$(psk_file p12)"
check "ping through the tunnel" ping_wire ping n1 -c1 -W5 "$IN4_2"
observe after n1 n2
finish
