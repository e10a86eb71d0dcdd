#!/bin/bash
# kwg-vm: stock=yes bench timeout=200
# Throughput between two namespaces, one TCP stream and four, both ways;
# prints "# perf: ..." lines to compare our module with the stock one
# (run with -m stock). Under TCG the numbers only compare, never judge.
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
n b iperf3 -s -D -1 >/dev/null 2>&1; sleep 0.5
out=$(n a iperf3 -c 10.0.0.2 -t 8 -O 2 2>&1)
echo "# perf: $KWG_MODULE $KWG_KVER plain veth, no tunnel: $(rate <<<"$out")"
finish
