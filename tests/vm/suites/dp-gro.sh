#!/bin/bash
# kwg-vm: two-guests long timeout=600
# Receive batching across a NIC (module parameter udp_batching,
# docs/performance.md): our sockets ask for UDP GRO, so the datagrams of a
# peer that one poll of the NIC brings in go up through IP and UDP as one
# packet, which the stack cuts apart again just before our encap_rcv. Two
# guests (vm2.sh) joined by their virtio NICs; a guest sends bulk TCP
# (iperf3) and a 20 Mbit/s UDP stream through the tunnel to the other, over
# outer IPv4 and outer IPv6. On the receiver:
#   - the tunnel's wire datagrams (eth0's rx_packets, which the driver
#     counts per buffer before GRO, less the non-tunnel frames an nft
#     counter on eth0's ingress saw) against the trips up the UDP stack
#     (kprobe hits on udp_rcv for outer IPv4, udpv6_rcv for outer IPv6; the
#     inner traffic is of the other family, so it is not counted): fewer
#     trips than datagrams when the receiver runs our module with batching
#     on; one trip per datagram on the controls: our module with
#     udp_batching=0 on both guests (set before the devices and their
#     sockets are made) and the stock module;
#   - an nft counter on eth0's ingress hook, which runs after GRO, counts
#     the trips, not the datagrams (why it is not the wire count);
#   - nothing lost or reordered on the way in: iperf3 completes and counts
#     no UDP datagram out of order, every wire datagram is a message the
#     receiver counted (wg0's rx_packets, or rx_dropped if its queue was
#     full: a guest short of CPU) and its `wg show transfer` rx is the
#     datagrams' UDP payload; on the sender, every message it
#     counted left its NIC. The emulated wire between the two QEMUs (a UDP
#     socket on the host) drops datagrams when the receiving guest falls
#     behind; the sender's tx equals the receiver's rx when it dropped
#     none, else exceeds it.
# Guest a drives; guest b runs what it is asked through a shell it serves
# on the shared link (TCP on eth0, never during a measurement). With
# vm2.sh's default (a ours, b stock), a's receive is the GRO case and b's
# the stock control; with `--b-module ours` ours is on both ends. Printed:
# "# gro:" lines with every count.
. /kwg/lib.sh

KEY_A=gFV0C1SQ0+C257eomXLOuao/gSDiyXjTjN8d8yCV3ls=
PUB_A=dZ8AHqWKgeXA85tM9XxwwuuPofQD8mk+pSdwQqB9k1E=
KEY_B=iIfdA1EUufT/QnVNvqIXn6zeSrk018JH2SV7pd49/2U=
PUB_B=lJ4lsLcoLowLbUf9+HQlEPL864AchLG7t4HNceJ25io=
PORT=51820
CTL=7777
param=/sys/module/wireguard/parameters/udp_batching
T=/sys/kernel/tracing

me=${KWG_GUEST:-a}
case $me in
a) other=b my4=192.0.2.1 peer4=192.0.2.2 my6=fd00:2::1 peer6=fd00:2::2 mykey=$KEY_A peerpub=$PUB_B ;;
b) other=a my4=192.0.2.2 peer4=192.0.2.1 my6=fd00:2::2 peer6=fd00:2::1 mykey=$KEY_B peerpub=$PUB_A ;;
esac
# Tunnel addresses of guest a or b.
in4() { [[ $1 == a ]] && echo 10.9.0.1 || echo 10.9.0.2; }
in6() { [[ $1 == a ]] && echo fd09::1 || echo fd09::2; }

# mkdev on|off 4|6: a fresh wg0 whose peer is the other guest over outer
# IPv4 or IPv6; our module's udp_batching is set first, so that the new
# sockets ask for UDP GRO or not.
mkdev() {
	ip link del wg0 2>/dev/null
	if [[ $KWG_MODULE != stock ]]; then
		modprobe wireguard || return 1
		if [[ $1 == on ]]; then echo Y; else echo N; fi >"$param" || return 1
	fi
	local ep="$peer4:$PORT"
	[[ $2 == 6 ]] && ep="[$peer6]:$PORT"
	ip link add wg0 type wireguard &&
		wg set wg0 private-key /tmp/my.key listen-port "$PORT" peer "$peerpub" \
			endpoint "$ep" allowed-ips "$(in4 "$other")/32,$(in6 "$other")/128" &&
		ip addr add "$(in4 "$me")/24" dev wg0 &&
		ip addr add "$(in6 "$me")/64" dev wg0 nodad &&
		ip link set wg0 up
}

# snap: this guest's counters as NAME=VALUE words: eth0's and wg0's
# (eth, ethb: rx packets and bytes; etx: tx packets; wgrx, wgtx, wgdrop:
# rx_dropped), the nft
# counters (tunnel, other, other_out and their bytes, NAMEb), the peer's
# transfer (trx, ttx) and the kprobes' hits (kwg_*). Read until two
# readings agree: a moment with nothing in flight.
snap_once() {
	local s=/sys/class/net
	echo "eth=$(<$s/eth0/statistics/rx_packets) ethb=$(<$s/eth0/statistics/rx_bytes)" \
		"etx=$(<$s/eth0/statistics/tx_packets) wgrx=$(<$s/wg0/statistics/rx_packets)" \
		"wgtx=$(<$s/wg0/statistics/tx_packets) wgdrop=$(<$s/wg0/statistics/rx_dropped)" \
		"$({ nft list counters table netdev kwggro; wg show wg0 transfer; } | awk -v kp="$T/kprobe_profile" '
			$1 == "counter" { c = $2 }
			$1 == "packets" { printf "%s=%s %sb=%s ", c, $2, c, $4 }
			NF == 3 && $1 ~ /=$/ { printf "trx=%s ttx=%s ", $2, $3 }
			END { while ((getline l <kp) > 0) { split(l, f, " "); if (f[1] ~ /^kwg_/) printf "%s=%s ", f[1], f[2] } }')"
}
snap() { settled snap_once; }
# prefix P WORDS: each word with P in front.
prefix() {
	local w out=""
	for w in $2; do out+="$1$w "; done
	echo "$out"
}

# rx_case 4|6 tcp|udp: on the receiver, the other guest's iperf3 server
# waiting: its traffic to us (iperf3 -R), between two snapshots. Prints
# NAME=VALUE words: the counters before (b_*) and after (e_*), iperf3's
# status, the bytes it reports and its UDP datagrams out of order.
rx_case() {
	local dst args s0 s1 rc
	# The inner traffic is of the other family than the outer.
	if [[ $1 == 4 ]]; then dst=$(in6 "$other"); else dst=$(in4 "$other"); fi
	args=(-t 3)
	[[ $2 == udp ]] && args=(-u -b 20M -l 1200 -t 3)
	s0=$(snap)
	iperf3 -c "$dst" -R -J "${args[@]}" >/tmp/iperf.json 2>&1
	rc=$?
	s1=$(snap)
	echo "rc=$rc $(prefix b_ "$s0") $(prefix e_ "$s1")" \
		"bytes=$(json_last bytes) ooo=$(json_last out_of_order)"
}
# json_last KEY: the last value of KEY in iperf3's report.
json_last() { grep -o "\"$1\":[[:space:]]*[0-9]*" /tmp/iperf.json | tail -n1 | grep -o '[0-9]*$'; }

# The shell b serves: each connection sends one line of commands and gets
# their output and a last line "#rc=STATUS".
if [[ ${1:-} == serve ]]; then
	IFS= read -r cmd
	# ncat hands its own sockets and pipes down to us: a daemon started
	# here (an iperf3 server) would keep the connection open.
	for fd in "/proc/$$/fd/"*; do
		fd=${fd##*/}
		[[ $fd -gt 2 && $fd != 255 ]] && eval "exec $fd>&-"
	done 2>/dev/null
	eval "$cmd" 2>&1
	echo "#rc=$?"
	exit 0
fi

umask 077
echo "$mykey" >/tmp/my.key
check "eth0 exists" wait_until 20 ip link show eth0
ip addr add "$my4/24" dev eth0
ip addr add "$my6/64" dev eth0 nodad
ip link set eth0 up
check "the other guest answers on the shared link" wait_until 90 ping -c1 -W1 "$peer4"
check "the other guest answers on the shared link over IPv6" wait_until 30 ping -c1 -W1 "$peer6"
# Fixed neighbours: no ARP or neighbour discovery in a measurement.
for addr in "$peer4" "$peer6"; do
	mac=$(ip neigh show "$addr" dev eth0 | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2)
	[[ -n $mac ]] && ip neigh replace "$addr" lladdr "$mac" dev eth0 nud permanent
done
echo "# guest $me runs the $([[ $KWG_MODULE == stock ]] && echo stock || echo kwg) module"

# Trips up the UDP stack (udp_rcv, udpv6_rcv) and, for the record, the
# packets entering UDP GRO (udp4_gro_receive, udp6_gro_receive).
[[ -e $T/kprobe_events ]] || mount -t tracefs nodev "$T"
check "kprobes on the UDP receive path" sh -c "
	echo 'p:kwg_rx4 udp_rcv' >>$T/kprobe_events &&
	echo 'p:kwg_rx6 udpv6_rcv' >>$T/kprobe_events &&
	echo 'p:kwg_gro4 udp4_gro_receive' >>$T/kprobe_events &&
	echo 'p:kwg_gro6 udp6_gro_receive' >>$T/kprobe_events &&
	echo 1 >$T/events/kprobes/enable"
# eth0's ingress (after GRO): the tunnel's packets and all the others;
# its egress: all but the tunnel's.
check "nft counters on eth0's ingress and egress" nft -f - <<EOF
table netdev kwggro {
	counter tunnel { }
	counter other { }
	counter other_out { }
	chain in {
		type filter hook ingress device eth0 priority -500;
		udp dport $PORT counter name tunnel accept
		counter name other
	}
	chain out {
		type filter hook egress device eth0 priority -500;
		udp sport $PORT accept
		counter name other_out
	}
}
EOF

if [[ $me == b ]]; then
	ncat -lk "$my4" "$CTL" --sh-exec "exec bash /kwg/suite.sh serve" 2>/dev/null &
	srv=$!
	# a says when it is done (else the suite's timeout ends us).
	wait_until $((KWG_TIMEOUT - 20)) test -e /tmp/done ||
		fail "guest a never said it was done"
	kill "$srv"
	finish
fi

# rb COMMAND: COMMAND (one line) run in b's shell; its output, its status.
# (ncat's exec mode ends a connection at the client's half-close, so the
# client keeps its side open and b's shell ends it.)
rb() {
	local out
	out=$(printf '%s\n' "$1" | timeout 120 ncat --no-shutdown "$peer4" "$CTL" 2>/dev/null)
	[[ $out == *'#rc='* ]] || return 1
	printf '%s' "${out%#rc=*}"
	return "${out##*#rc=}"
}
# on a|b COMMAND: COMMAND run in that guest.
on() {
	if [[ $1 == a ]]; then eval "$2"; else rb "$2"; fi
}
check "b serves its shell" wait_until 60 rb true
# shellcheck disable=SC2016 # expanded in b
bmod=$(rb 'echo $KWG_MODULE')
mod_of() { if [[ $1 == a ]]; then echo "$KWG_MODULE"; else echo "$bmod"; fi; }
echo "# a: $KWG_MODULE, b: $bmod"
declare -A V
# d NAME: the change of counter NAME over a case (e_NAME - b_NAME).
d() { local e=${V[e_$1]} b=${V[b_$1]}; echo $((e - b)); }

# case_run SENDER RECEIVER 4|6 tcp|udp LABEL GRO(yes|no): one case and
# its checks.
case_run() {
	local s=$1 r=$2 fam=$3 proto=$4 label=$5 t0=$SECONDS res w
	local wire trips after gro hdr payload sent drop
	# The sender's counters before, and its iperf3 server; the receiver
	# runs the client; the sender's counters after.
	res=$(on "$s" "snap; iperf3 -s -D -1 >/dev/null 2>&1")
	res="$(prefix b_s "$res") $(on "$r" "rx_case $fam $proto")"
	res+=" $(prefix e_s "$(on "$s" snap)")"
	V=()
	for w in $res; do V[${w%%=*}]=${w#*=}; done
	check_eq "$label: iperf3 ran" 0 "${V[rc]}"
	check "$label: data arrived" test "${V[bytes]:-0}" -gt 0
	[[ $proto == udp ]] &&
		check_eq "$label: UDP datagrams arrive in order" 0 "${V[ooo]}"
	wire=$(($(d eth) - $(d other)))
	after=$(d tunnel)
	trips=$(d "kwg_rx$fam")
	gro=$(d "kwg_gro$fam")
	# The UDP payload of the tunnel's datagrams on the receiver's NIC: its
	# rx bytes count Ethernet headers, nft's (at ingress) do not.
	hdr=$((14 + 8 + (fam == 4 ? 20 : 40)))
	payload=$(($(d ethb) - $(d otherb) - 14 * $(d other) - hdr * wire))
	sent=$(($(d setx) - $(d sother_out)))
	drop=$(d wgdrop)
	echo "# gro: $label: $wire datagrams on the wire, $gro into UDP GRO," \
		"$after tunnel packets after GRO (nft), $trips trips up UDP; $(d wgrx) messages in, $drop dropped;" \
		"sender: $(d swgtx) messages, $sent datagrams out; transfer: $(d sttx) B sent," \
		"$(d trx) B received, $payload B UDP payload in; $((SECONDS - t0)) s"
	if [[ $6 == yes ]]; then
		check "$label: GRO merged: fewer trips up UDP than wire datagrams ($trips for $wire)" \
			test "$trips" -lt "$wire"
	else
		check_eq "$label: one trip up UDP per wire datagram" "$wire" "$trips"
	fi
	check_eq "$label: the nft ingress counter counts GRO's packets, the trips" "$trips" "$after"
	# A receiver short of CPU drops what its full queue cannot take and
	# counts it (rx_dropped): every wire datagram is a message received
	# or counted so; the bytes agree when none was dropped.
	check_eq "$label: every wire datagram is a message the receiver counted, received or dropped ($drop)" \
		"$wire" "$(($(d wgrx) + drop))"
	if [[ $drop == 0 ]]; then
		check_eq "$label: the receiver's transfer rx is the datagrams' UDP payload" "$payload" "$(d trx)"
	else
		check "$label: the receiver's transfer rx is below the datagrams' UDP payload ($drop dropped)" \
			test "$(d trx)" -lt "$payload"
	fi
	check_eq "$label: every message the sender counted left its NIC" "$(d swgtx)" "$sent"
	if [[ $sent == "$wire" && $drop == 0 ]]; then
		check_eq "$label: the sender's transfer tx is the receiver's rx (the wire lost nothing)" \
			"$(d sttx)" "$(d trx)"
	else
		check "$label: the receiver's rx is below the sender's tx ($((sent - wire)) datagrams lost on the wire or sent between the two snapshots, $drop dropped by the receiver)" \
			test "$(d trx)" -lt "$(d sttx)"
	fi
}

# Batching on: both ways (the receiver is ours or stock). Off (when a
# guest runs ours): one way, to a receiver of ours, b if both are.
modes=on
[[ $KWG_MODULE != stock || $bmod != stock ]] && modes="on off"
for mode in $modes; do
	dirs="a:b b:a"
	if [[ $mode == off ]]; then
		if [[ $bmod != stock ]]; then dirs=a:b; else dirs=b:a; fi
	fi
	for fam in 4 6; do
		check "batching $mode, outer IPv$fam: a's wg0" mkdev "$mode" "$fam"
		check "batching $mode, outer IPv$fam: b's wg0" rb "mkdev $mode $fam"
		if [[ $fam == 4 ]]; then inner=in6; else inner=in4; fi
		check "batching $mode, outer IPv$fam: tunnel up" ping -c1 -W5 "$($inner b)"
		for dir in $dirs; do
			s=${dir%:*} r=${dir#*:}
			rmod=$(mod_of "$r")
			if [[ $rmod == stock ]]; then
				what="stock, control" merge=no
			elif [[ $mode == off ]]; then
				what="ours, batching off, control" merge=no
			else
				what="ours, batching on" merge=yes
			fi
			for proto in tcp udp; do
				case_run "$s" "$r" "$fam" "$proto" \
					"$proto $s -> $r, outer IPv$fam, receiver $r ($what)" "$merge"
			done
		done
	done
done
rb "touch /tmp/done"
finish
