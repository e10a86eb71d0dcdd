# shellcheck shell=bash
# Topologies and wire probes shared by the data-plane suites (netns,
# interop, soak). Sourced after /kwg/lib.sh; the harness puts this
# directory at /kwg/common in the guest.
#
# Tunnel pair k (k = 1, 2, ...) joins wg(2k-1) in ns(2k-1) and wg(2k) in
# ns(2k), inside 192.168.(240+k).0/24 and fd0k::/64. Their UDP endpoints
# sit on ns0's loopback at port 10000 + N for wgN: both devices were
# created in ns0 and moved out, and a WireGuard device keeps its socket in
# the namespace that created it.

TOPO_TMP=${TOPO_TMP:-/tmp/topo}
mkdir -p "$TOPO_TMP"
chmod 700 "$TOPO_TMP"

# key NAME: a private key in $TOPO_TMP/NAME.key and its public key in
# $TOPO_TMP/NAME.pub, made on first use; prints the public key.
key() {
	[[ -f $TOPO_TMP/$1.key ]] || {
		(umask 077 && wg genkey >"$TOPO_TMP/$1.key")
		wg pubkey <"$TOPO_TMP/$1.key" >"$TOPO_TMP/$1.pub"
	}
	cat "$TOPO_TMP/$1.pub"
}

# randkeys COUNT: COUNT random 32-byte values in base64, one per line: peer
# public keys for configurations that never handshake (a random value is a
# low-order point with negligible probability). One awk instead of
# thousands of wg processes.
randkeys() {
	head -c $((32 * $1)) /dev/urandom | od -An -v -tu1 -w32 | awk '
	BEGIN { a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" }
	{
		s = ""
		for (i = 1; i + 2 <= 32; i += 3) {
			v = $i * 65536 + $(i + 1) * 256 + $(i + 2)
			s = s substr(a, int(v / 262144) + 1, 1) substr(a, int(v / 4096) % 64 + 1, 1) \
			      substr(a, int(v / 64) % 64 + 1, 1) substr(a, v % 64 + 1, 1)
		}
		v = $31 * 65536 + $32 * 256
		print s substr(a, int(v / 262144) + 1, 1) substr(a, int(v / 4096) % 64 + 1, 1) \
		        substr(a, int(v / 64) % 64 + 1, 1) "="
	}'
}

# nx NS COMMAND...: like n, and NS "-" is the namespace we are in (the
# functions below take "-" wherever they take a namespace).
nx() {
	if [[ $1 == - ]]; then
		shift
		"$@"
	else
		n "$@"
	fi
}

# inner4 N / inner6 N: wgN's tunnel address.
inner4() { echo "192.168.$((240 + ($1 + 1) / 2)).$((2 - $1 % 2))"; }
inner6() { echo "fd0$((($1 + 1) / 2))::$((2 - $1 % 2))"; }

# pair_loopback K [4|6]: tunnel pair K over ns0's loopback, outer IPv4
# (127.0.0.1) or IPv6 (::1). The odd side allows only its peer's
# addresses; the even side sends everything to the odd side.
pair_loopback() {
	local a=$((2 * $1 - 1)) b=$((2 * $1)) lo=127.0.0.1
	[[ ${2:-4} == 6 ]] && lo='[::1]'
	[[ -e /run/netns/ns0 ]] || netns_add ns0
	netns_add "ns$a" "ns$b"
	ip -n ns0 link add "wg$a" type wireguard
	ip -n ns0 link add "wg$b" type wireguard
	ip -n ns0 link set "wg$a" netns "ns$a"
	ip -n ns0 link set "wg$b" netns "ns$b"
	key "wg$a" >/dev/null
	key "wg$b" >/dev/null
	n "ns$a" wg set "wg$a" private-key "$TOPO_TMP/wg$a.key" listen-port $((10000 + a)) \
		peer "$(key "wg$b")" allowed-ips "$(inner4 "$b")/32,$(inner6 "$b")/128" \
		endpoint "$lo:$((10000 + b))"
	n "ns$b" wg set "wg$b" private-key "$TOPO_TMP/wg$b.key" listen-port $((10000 + b)) \
		peer "$(key "wg$a")" allowed-ips 0.0.0.0/0,::/0 \
		endpoint "$lo:$((10000 + a))"
	tunnel_addrs "$a" "$b"
}

# tunnel_addrs A B: tunnel addresses on wgA in nsA and wgB in nsB, up.
tunnel_addrs() {
	local i
	for i in "$1" "$2"; do
		ip -n "ns$i" addr add "$(inner4 "$i")/24" dev "wg$i"
		ip -n "ns$i" addr add "$(inner6 "$i")/64" dev "wg$i" nodad
		ip -n "ns$i" link set "wg$i" up
	done
}

# ping_ok NS DEST [ARGS...]: a few pings, at least one answered.
ping_ok() {
	local ns=$1 dst=$2
	shift 2
	nx "$ns" ping -q -c 3 -i 0.2 -W 2 "$@" "$dst" | grep -q ' [1-9][0-9]* received'
}

# ping_none NS DEST [ARGS...]: three pings, none answered.
ping_none() {
	local ns=$1 dst=$2
	shift 2
	nx "$ns" ping -q -c 3 -i 0.2 -W 1 "$@" "$dst" | grep -q ' 0 received'
}

# latest_handshake NS DEV: the newest handshake time of any peer, 0 if none.
latest_handshake() {
	nx "$1" wg show "$2" latest-handshakes | awk '$2 > m { m = $2 } END { print m + 0 }'
}

# transfer NS DEV: "rx tx" summed over the device's peers.
transfer() {
	nx "$1" wg show "$2" transfer | awk '{ r += $2; t += $3 } END { print r + 0, t + 0 }'
}

# link_stats NS DEV: "rx_bytes rx_packets tx_bytes tx_packets".
link_stats() {
	local d=/sys/class/net/$2/statistics
	nx "$1" cat "$d/rx_bytes" "$d/rx_packets" "$d/tx_bytes" "$d/tx_packets" | tr '\n' ' '
	echo
}

# endpoint_of NS DEV PUBKEY: the endpoint the device has for that peer.
endpoint_of() {
	nx "$1" wg show "$2" endpoints | awk -v k="$3" '$1 == k { print $2 }'
}

# iperf JSONFILE NS ARGS...: run an iperf3 client (-J) in NS, keep its
# JSON report in JSONFILE. A server must be listening (iperf_server).
iperf() {
	local f=$1 ns=$2
	shift 2
	nx "$ns" timeout 60 iperf3 -J "$@" >"$f" 2>&1
}

# iperf_server NS [PORT]: a one-shot iperf3 server in NS.
iperf_server() {
	nx "$1" iperf3 -s -D -1 -p "${2:-5201}" >/dev/null 2>&1
	wait_until 5 listening "$1" "${2:-5201}"
}

# listening NS PORT: a TCP socket listens on PORT in NS.
listening() { nx "$1" ss -Htln "sport = :$2" | grep -q .; }

# json_num FILE SECTION FIELD: FIELD of the end-of-test SECTION of an iperf3
# JSON report (e.g. sum_received bytes), as an integer; empty if missing.
json_num() {
	awk -v s="\"$2\":" -v f="\"$3\":" '
		/"end":[ \t]*\{/ { end = 1 }
		end && index($0, s) { on = 1 }
		on && index($0, f) { gsub(/[^0-9.]/, "", $2); print int($2); exit }' "$1"
}

# ge A B: A >= B, both integers, A not empty.
ge() { [[ -n $1 && $1 -ge $2 ]]; }

# counted NS FAMILY TABLE NAME: "packets bytes" of the rules whose comment
# is NAME. (Anonymous counters with comments, not named counter objects:
# the guest has no nft_objref module.)
counted() {
	nx "$1" nft list table "$2" "$3" | counted_in "$4"
}

# counted_in NAME: the same from a table listing on stdin.
counted_in() {
	awk -v c="comment \"$1\"" 'index($0, c) {
		for (i = 1; i < NF; i++) {
			if ($i == "packets") p += $(i + 1)
			if ($i == "bytes") b += $(i + 1)
		}
		f = 1
	} END { if (f) print p + 0, b + 0 }'
}

# counted_pk NS FAMILY TABLE NAME: just the packets.
counted_pk() { counted "$@" | cut -d' ' -f1; }

# wire_watch NS HOOKS PORT...: per-message-type counters in NS for UDP
# datagrams from each PORT (by source port), separately for IPv4 and
# IPv6: handshake initiation (t1), response (t2), cookie reply (t3), data
# (t4) and keepalive (tka: data with an empty payload). The first word
# of a message is its type as a little-endian u32: the reserved bytes must
# be zero too. HOOKS is "input" for ns0's loopback (each datagram passes
# it once), "input output" for a host namespace.
wire_watch() {
	local ns=$1 hooks=$2 p t f h
	shift 2
	{
		echo "table inet wire {"
		echo "chain count {"
		for p; do
			for f in 4 6; do
				for t in 1 2 3 4; do
					echo "meta nfproto ipv$f udp sport $p @th,64,32 0x0${t}000000 counter comment \"p${p}_t${t}_v$f\""
				done
				echo "meta nfproto ipv$f udp sport $p udp length 40 @th,64,32 0x04000000 counter comment \"p${p}_tka_v$f\""
			done
		done
		echo "}"
		for h in $hooks; do
			echo "chain $h { type filter hook $h priority -10; jump count; }"
		done
		echo "}"
	} | nx "$ns" nft -f -
}

# wire_port NS PORT: count datagrams to PORT as well ("to$PORT").
wire_port() {
	nx "$1" nft add rule inet wire count udp dport "$2" counter comment "\"to$2\""
}

# wire_snap NS: take a snapshot of NS's wire counters. With WIRE_FROZEN
# set, wire and wire_pk read the last snapshot instead of taking one, so
# that several numbers come from the same instant.
wire_snap() { nx "$1" nft list table inet wire >"$TOPO_TMP/wire.$1"; }

# wire NS PORT TYPE [4|6|46]: "packets payload-bytes" of the datagrams of
# that type from PORT, over IPv4, IPv6 or both (default both); the payload
# is the UDP payload, i.e. the WireGuard message.
wire() {
	local ns=$1 p=$2 t=$3 fams=${4:-46} f pk=0 by=0 c b
	[[ -n ${WIRE_FROZEN:-} ]] || wire_snap "$ns"
	for f in 4 6; do
		[[ $fams == *$f* ]] || continue
		read -r c b <<<"$(counted_in "p${p}_t${t}_v$f" <"$TOPO_TMP/wire.$ns")"
		pk=$((pk + c))
		by=$((by + b - c * (f == 4 ? 28 : 48)))
	done
	echo "$pk $by"
}

# wire_pk NS PORT TYPE [FAMS]: just the packet count.
wire_pk() { wire "$@" | cut -d' ' -f1; }

# msglen INNER MTU: the size of the data message carrying an inner packet
# of INNER bytes: header 16 + payload padded to 16 (at most to the MTU) +
# tag 16.
msglen() {
	local p=$(((($1 + 15) / 16) * 16))
	[[ $p -le $2 ]] || p=$(($1 > $2 ? $1 : $2))
	echo $((32 + p))
}
