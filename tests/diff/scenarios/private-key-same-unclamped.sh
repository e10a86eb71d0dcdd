#!/bin/bash
# kwg-diff: timeout=60
# A device's own private key set again: first as it is, then written
# unclamped (the bits that clamping clears set, the one it sets cleared),
# which is the same key to Curve25519. Does the device keep its sessions or
# handshake again? The wire after each set shows which (stock: the same
# key keeps them, the unclamped one starts over); the dump shows the key
# as stored.
. /kwg/diff/lib.sh

pair 4
check "ping through the tunnel" ping_rec first n1 -c1 -W5 "$IN4_2"
capture_start same n2 v2
n n1 wg set wg0 private-key "$(key_file n1)"
check "ping after setting the same key" ping_rec second n1 -c1 -W5 "$IN4_2"
capture_stop same
hex=$(key_hex n1 clamp)
first=$((0x${hex:0:2} | 7))
last=$(((0x${hex:62:2} & 191) | 128))
capture_start unclamped n2 v2
n n1 wg set wg0 private-key <(hex2b64 "$(printf '%02x%s%02x' "$first" "${hex:2:60}" "$last")")
record after-set wg_dump n1 wg0
check "ping after setting it unclamped" ping_rec third n1 -c1 -W5 "$IN4_2"
capture_stop unclamped
finish
