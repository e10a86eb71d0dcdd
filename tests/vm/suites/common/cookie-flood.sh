# shellcheck shell=bash
# Cookies under load, as dp-load and key-hygiene test them: the hs-flood
# probe floods a device with initiations (valid mac1, random otherwise)
# from 254 spoofed sources, and the device's cookie replies to them are
# counted. Sourced after /kwg/lib.sh and /kwg/common/topo.sh.

# flood_start NS OIF VIA DST PREFIX PUBKEY: the device in NS reaches the
# flooder, namespace f, over OIF; the spoofed PREFIX is routed back to f
# (at VIA), which drops the replies (no forwarding), and NS counts the
# cookie replies it sends out of OIF. The probe floods DST:51820, the
# device of public key PUBKEY, until flood_stop.
flood_start() {
	local ns=$1 oif=$2 via=$3 dst=$4 prefix=$5 pub=$6
	FLOOD_NS=$ns
	n "$ns" ip route add "$prefix" via "$via"
	n "$ns" nft -f - <<-EOT
		table inet cookie {
			chain out {
				type filter hook output priority 0;
				oifname "$oif" udp sport 51820 @th,64,32 0x03000000 counter comment "cookie"
			}
		}
	EOT
	ip netns exec f /kwg/probes/hs-flood -k "$pub" -d "$dst" -s "$prefix" -n 254 \
		-r 0 -t 600 >/tmp/flood.out 2>&1 &
	FLOOD_PID=$!
}

# cookie_replies: how many the device has sent the flood so far.
cookie_replies() { counted_pk "$FLOOD_NS" inet cookie cookie; }
under_load() { [[ $(cookie_replies) -gt 0 ]]; }

# flood_stop: the probe stops; what it sent and the replies it got.
flood_stop() {
	kill -INT "$FLOOD_PID"
	wait "$FLOOD_PID"
	echo "# $(grep '^hs-flood:' /tmp/flood.out); $(cookie_replies) cookie replies"
}
