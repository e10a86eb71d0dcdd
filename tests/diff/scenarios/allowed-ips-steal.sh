#!/bin/bash
# kwg-diff: timeout=60
# An allowed IP given to a second peer moves from the first; an empty
# allowed-ips list clears a peer's; replace-allowed-ips; removing a peer
# and adding it back.
. /kwg/diff/lib.sh

netns_add n1
wg_dev n1 wg0 n1 1
wg_peer n1 wg0 n2 allowed-ips 10.2.0.0/16,10.3.0.1/32
wg_peer n1 wg0 n3 allowed-ips 10.2.0.0/16
record stolen wg_dump n1 wg0
wg_peer n1 wg0 n2 allowed-ips ""
record cleared wg_dump n1 wg0
n n1 wg set wg0 peer "$(key_pub n3)" allowed-ips 10.4.0.0/16
record added wg_dump n1 wg0
record replaced n n1 wg set wg0 peer "$(key_pub n3)" replace-allowed-ips allowed-ips 10.5.0.0/16
record replaced-dump wg_dump n1 wg0
wg_peer n1 wg0 n2 remove
wg_peer n1 wg0 n2 allowed-ips 10.2.0.0/16
record re-added wg_dump n1 wg0
finish
