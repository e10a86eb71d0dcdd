#!/bin/bash
# kwg-diff: timeout=60
# A private key given unclamped (its low three bits and top bit set): what
# the dump then shows as private and public key; and an all-zero private
# key.
. /kwg/diff/lib.sh

netns_add n1
ip -n n1 link add wg0 type wireguard
hex=$(key_hex unclamped)
hex=ff${hex:2:60}ff
n n1 wg set wg0 private-key <(hex2b64 "$hex")
record dump-unclamped wg_dump n1 wg0
n n1 wg set wg0 private-key <(hex2b64 "$(printf '0%.0s' {1..64})")
record dump-zero wg_dump n1 wg0
finish
