# Traffic for the outer-batching suites (dp-batch, dp-batch-xfrm), between
# namespaces a (192.168.0.1) and b (192.168.0.2) of veth-pair.sh's tunnel.
# Sourced after /kwg/lib.sh.

# batch_traffic LABEL RATE: TCP a -> b and b -> a, then two UDP streams of
# RATE each a -> b; checks that each ran and that no UDP datagram came out
# of order (the per-peer order batching must keep).
batch_traffic() {
	local label=$1 rate=$2 ooo

	n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
	check "$label: TCP a -> b" n a iperf3 -c 192.168.0.2 -t 3 -O 1
	n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
	check "$label: TCP b -> a" n a iperf3 -c 192.168.0.2 -t 3 -O 1 -R
	n b iperf3 -s -1 -J >/tmp/udp-srv.json 2>&1 &
	sleep 0.5
	check "$label: UDP a -> b, two streams" n a iperf3 -c 192.168.0.2 -u -l 1300 -b "$rate" -P 2 -t 3
	wait
	ooo=$(grep -o '"out_of_order":[[:space:]]*[0-9]*' /tmp/udp-srv.json | tail -n1 | grep -o '[0-9]*$')
	check_eq "$label: UDP datagrams arrive in order" 0 "${ooo:-missing}"
}

# batch_endpoints FAMILY: point the tunnel's two ends at each other over
# outer IPv4 (4) or IPv6 (6); needs veth-pair.sh's $pa and $pb.
batch_endpoints() {
	if [[ $1 == 6 ]]; then
		n a wg set wg0 peer "$pb" endpoint "[fd00::2]:2"
		n b wg set wg0 peer "$pa" endpoint "[fd00::1]:1"
	else
		n a wg set wg0 peer "$pb" endpoint 10.0.0.2:2
		n b wg set wg0 peer "$pa" endpoint 10.0.0.1:1
	fi
}
