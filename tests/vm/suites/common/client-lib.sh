# shellcheck shell=bash
# What the client-* suites share. The client runs in the root namespace.
#
#   client_pair                  namespaces A and B joined by a veth
#   client_underlay              namespace `peer' joined to it by a veth:
#                                vr 10.0.1.1, fd10::1 -- vp 10.0.1.2, fd10::2
#   client_peer NS PRIVKEY CLIENT_PUBKEY PSK
#                                the client's peer in namespace NS: wg0
#                                configured with wg, 10.50.0.2/24
#                                and fd50::2/64, port 51821, no endpoint
#                                (the client's keepalive brings it)
# The self-test: KWG_CLIENT_WRONG=1 (vm.sh -e) turns every expectation
# wrong, and each check must then fail.
#   want TEXT        the expected TEXT, or a wrong one (first line changed)
#   pick RIGHT WRONG RIGHT, or WRONG in the self-test
WRONG=${KWG_CLIENT_WRONG:-}
want() { if [[ -n $WRONG ]]; then printf '%s\n' "$1" | sed '1s/$/-wrong/'; else printf '%s\n' "$1"; fi; }
pick() { if [[ -n $WRONG ]]; then echo "$2"; else echo "$1"; fi; }

# client_pair: namespaces A and B joined by a veth, va 10.0.0.1, fd00::1 --
# vb 10.0.0.2, fd00::2 (for clients that configure both ends).
client_pair() {
	netns_add A B
	ip link add va netns A type veth peer name vb netns B
	n A ip addr add 10.0.0.1/24 dev va
	n B ip addr add 10.0.0.2/24 dev vb
	n A ip addr add fd00::1/64 dev va nodad
	n B ip addr add fd00::2/64 dev vb nodad
	n A ip link set va up
	n B ip link set vb up
}

client_underlay() {
	netns_add peer
	ip link add vr type veth peer name vp netns peer
	ip addr add 10.0.1.1/24 dev vr
	ip addr add fd10::1/64 dev vr nodad
	ip link set vr up
	n peer ip addr add 10.0.1.2/24 dev vp
	n peer ip addr add fd10::2/64 dev vp nodad
	n peer ip link set vp up
}

client_peer() {
	n "$1" ip link add wg0 type wireguard
	n "$1" wg set wg0 private-key <(echo "$2") listen-port 51821 \
		peer "$3" preshared-key <(echo "$4") allowed-ips 10.50.0.1/32,fd50::1/128
	n "$1" ip addr add 10.50.0.2/24 dev wg0
	n "$1" ip addr add fd50::2/64 dev wg0 nodad
	n "$1" ip link set wg0 up
}

# dump_norm: a `wg show dump' on stdin with its peers sorted and each peer's
# allowed IPs sorted (the order the kernel lists them in is not what the
# suites test); MASK=1 also blanks the handshake and transfer fields, which
# traffic moves.
dump_norm() {
	local first=1 line f
	while IFS= read -r line; do
		if [[ -n $first ]]; then printf '%s\n' "$line"; first=""; continue; fi
		IFS=$'\t' read -r -a f <<<"$line"
		f[3]=$(tr , '\n' <<<"${f[3]}" | sort | paste -sd,)
		[[ -n ${MASK:-} ]] && f[4]=- f[5]=- f[6]=-
		(IFS=$'\t'; printf '%s\n' "${f[*]}")
	done | { IFS= read -r head; printf '%s\n' "$head"; sort; }
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
