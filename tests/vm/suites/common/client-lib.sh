# shellcheck shell=bash
# What the client-* suites share.
#
#   client_peer NS PRIVKEY CLIENT_PUBKEY PSK
#                                the client's peer in namespace NS: wg0
#                                configured with wg, 10.50.0.2/24
#                                and fd50::2/64, port 51821, no endpoint
#                                (the client's keepalive brings it)
client_peer() {
	n "$1" ip link add wg0 type wireguard
	n "$1" wg set wg0 private-key <(echo "$2") listen-port 51821 \
		peer "$3" preshared-key <(echo "$4") allowed-ips 10.50.0.1/32,fd50::1/128
	n "$1" ip addr add 10.50.0.2/24 dev wg0
	n "$1" ip addr add fd50::2/64 dev wg0 nodad
	n "$1" ip link set wg0 up
}

# What a real client sends over netlink, for the record the suites print: an nlmon tap in the client's namespace (a tap sees only the
# sockets of its own namespace) captured by tcpdump, then decoded by
# client-nldecode.py. A kernel without nlmon gives no record, not a failure.
#
#   capture_start NAME [NETNS]   start capturing into /tmp/NAME.pcap
#   capture_print FAMILY TITLE   stop, and print the decoded requests
#                                (FAMILY: the family id, or auto)
CAPTURE_PID="" CAPTURE_FILE=""

capture_start() {
	local in=()
	[[ -n ${2:-} ]] && in=(ip netns exec "$2")
	CAPTURE_FILE=/tmp/$1.pcap
	"${in[@]}" ip link add nlmon0 type nlmon 2>/dev/null && "${in[@]}" ip link set nlmon0 up || return 0
	# (ip netns exec execs tcpdump: $! is tcpdump.)
	"${in[@]}" tcpdump -Z root -i nlmon0 -U --immediate-mode -s 0 -w "$CAPTURE_FILE" 2>/tmp/capture.err &
	CAPTURE_PID=$!
	wait_until 10 grep -q listening /tmp/capture.err
}

capturing() { [[ -n $CAPTURE_PID ]]; }

capture_print() {
	capturing || return 0
	kill -TERM "$CAPTURE_PID"
	wait_until 20 test ! -e "/proc/$CAPTURE_PID"
	echo "--- $2:"
	python3 /kwg/common/client-nldecode.py "$1" "$CAPTURE_FILE" 2>&1 | sed 's/^/    /'
}
