#!/bin/bash
# kwg-vm: stock=yes timeout=300
# GET dumps that span many messages while the configuration changes. The
# module marks the parts it builds after a change NLM_F_DUMP_INTR (seen by
# a raw-netlink probe that reads a dump part by part and changes the
# device in between); a dump resumed after its peers were removed still
# ends cleanly; and wg, which retries an interrupted dump, never shows a
# configuration half from before and half from after a change.
. /kwg/lib.sh
. /kwg/common/topo.sh

# 500 peers with 20 allowed IPs each: a dump of well over ten messages.
randkeys 500 >/tmp/keys
awk '
BEGIN { print "[Interface]\nListenPort = 51820" }
{
	i = NR - 1
	printf "[Peer]\nPublicKey = %s\nAllowedIPs = ", $0
	for (j = 0; j < 16; j++)
		printf "10.%d.%d.%d/28, ", int(i / 256), i % 256, 16 * j
	printf "fd00:%x::1/128, fd00:%x::2/128, fd00:%x::3/128, fd00:%x::4/128\n", i, i, i, i
	print "Endpoint = 192.0.2.1:1\n"
}' /tmp/keys >/tmp/big.conf
first=$(sed -n 1p /tmp/keys) last=$(sed -n 500p /tmp/keys)

ip link add wg0 type wireguard
check "500 peers with 10,000 allowed IPs are set" wg setconf wg0 /tmp/big.conf
check_eq "and read back" 10000 "$(wg show wg0 allowed-ips | cut -f2 | tr ' ' '\n' | grep -c .)"

probe() { /kwg/probes/nl-dump-intr wg0 "$1"; }
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }

out=$(probe true)
echo "# undisturbed dump: $out"
check "the dump spans many messages" test "$(field parts "$out")" -ge 5
check_eq "an undisturbed dump is not marked interrupted" "0 0" \
	"$(field intr_before "$out") $(field intr_after "$out")"

out=$(probe "wg set wg0 listen-port 51821")
check_eq "a device change marks the rest of the dump interrupted" "0 1" \
	"$(field intr_before "$out") $(field intr_after "$out")"
out=$(probe "wg set wg0 peer $last persistent-keepalive 7")
check_eq "a peer change marks it too" 1 "$(field intr_after "$out")"
out=$(probe "wg set wg0 peer $first allowed-ips +10.255.0.0/16")
check_eq "an allowed-IPs change marks it too" 1 "$(field intr_after "$out")"

# Remove the middle 300 peers (where the paused dump stands) while it is
# paused: the dump must still end, marked, and the kernel log stay clean.
remove=$(sed -n 101,400p /tmp/keys | sed 's/.*/peer & remove/' | tr '\n' ' ')
out=$(probe "wg set wg0 $remove")
check "a dump paused over removed peers still ends" test -n "$out"
check_eq "and is marked interrupted" 1 "$(field intr_after "$out")"
check_eq "200 peers are left" 200 "$(wg show wg0 peers | wc -l)"

# wg under concurrent changes: one SET moves the first and the last peer to
# the same new endpoint port, so every consistent view shows them equal.
(
	i=2
	while [[ ! -e /tmp/stop ]]; do
		wg set wg0 peer "$first" endpoint "192.0.2.1:$i" peer "$last" endpoint "192.0.2.1:$i"
		echo "$i" >/tmp/changes
		i=$((i + 1))
	done
) &
writer=$!
mixed=0 reads=0
start=$(cat /tmp/changes 2>/dev/null || echo 0)
while [[ $reads -lt 30 ]]; do
	view=$(wg show wg0 endpoints)
	a=$(grep -F "$first" <<<"$view" | cut -f2)
	b=$(grep -F "$last" <<<"$view" | cut -f2)
	[[ -n $a && $a == "$b" ]] || { mixed=$((mixed + 1)); echo "    | mixed view: $a vs $b"; }
	reads=$((reads + 1))
done
touch /tmp/stop
wait "$writer"
changes=$(( $(cat /tmp/changes) - start ))
echo "# $reads reads of wg show during $changes changes"
check "the configuration changed during the reads" test "$changes" -ge 10
check_eq "wg never showed a half-changed configuration" 0 "$mixed"
finish
