#!/bin/bash
# kwg-vm: stock=yes bench timeout=260
# Throughput between two namespaces, one TCP stream and four, both ways;
# prints "# perf: ..." lines to compare our module with the stock one
# (run with -m stock), and ours with a `wg monitor` listening against
# ours without. Under TCG the numbers only compare, never judge.
. /kwg/lib.sh
. /kwg/common/veth-pair.sh

veth_wg_pair
check "tunnel up" n a ping -c1 -W5 192.168.0.2
rate() { awk '/receiver/ { print $(NF - 2), $(NF - 1) }' | tail -n1; }
for args in "-P 1" "-P 4" "-P 1 -R" "-P 4 -R"; do
	n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
	# shellcheck disable=SC2086
	out=$(n a iperf3 -c 192.168.0.2 -t 8 -O 2 $args 2>&1)
	check "iperf3 $args" test -n "$(rate <<<"$out")"
	echo "# perf: $KWG_MODULE $KWG_KVER iperf3 $args: $(rate <<<"$out")"
done
# The cost of events (docs/events.md): the same streams with a `wg monitor`
# listening on both ends, so that every event path asks and finds a
# listener. Only our module announces events.
if [[ $KWG_MODULE == ours ]]; then
	n a wg monitor all json >/tmp/events-a 2>&1 &
	mon_a=$!
	n b wg monitor all json >/tmp/events-b 2>&1 &
	mon_b=$!
	sleep 0.5
	for args in "-P 1" "-P 4"; do
		n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
		# shellcheck disable=SC2086
		out=$(n a iperf3 -c 192.168.0.2 -t 8 -O 2 $args 2>&1)
		check "iperf3 $args with a listener" test -n "$(rate <<<"$out")"
		echo "# perf: $KWG_MODULE $KWG_KVER iperf3 $args, wg monitor listening: $(rate <<<"$out")"
	done
	kill "$mon_a" "$mon_b"
	check "the listeners were alive" test -z "$(grep -l 'wg monitor:' /tmp/events-a /tmp/events-b)"
fi
n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
out=$(n a iperf3 -c 10.0.0.2 -t 8 -O 2 2>&1)
echo "# perf: $KWG_MODULE $KWG_KVER plain veth, no tunnel: $(rate <<<"$out")"
finish
