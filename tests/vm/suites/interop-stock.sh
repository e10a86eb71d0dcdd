#!/bin/bash
# kwg-vm: two-guests timeout=420
# interop-stock: the module in guest a against Debian's stock module in
# guest b (vm2.sh), the guests joined by a virtual NIC over QEMU's UDP
# socket on the host's loopback.
#   - handshake initiated from each side, without and with a preshared
#     key, each on a fresh device (who initiated is counted on the wire);
#     a preshared key on one side only must give no session;
#   - ping v4 and v6 inside, over IPv4 and over IPv6 outside;
#   - iperf3 both ways;
#   - a rekey: two devices set up first, one whose session a started and
#     one that b started, carry pings both ways until REKEY_AFTER_TIME has
#     passed; each must go through a new handshake started by the side
#     that started the session, without losing the pings around it.
# Both guests run this script; they meet at barriers over a TCP
# connection on the shared link. Keys are fixed test values.
. /kwg/lib.sh
# tests/vm/suites/common, which vm.sh puts at /kwg/common.
[[ -f /kwg/common/topo.sh ]] || { fail "the harness did not put the suites' common/ at /kwg/common"; finish; }
. /kwg/common/topo.sh

KEY_A=gFV0C1SQ0+C257eomXLOuao/gSDiyXjTjN8d8yCV3ls=
PUB_A=dZ8AHqWKgeXA85tM9XxwwuuPofQD8mk+pSdwQqB9k1E=
KEY_B=iIfdA1EUufT/QnVNvqIXn6zeSrk018JH2SV7pd49/2U=
PUB_B=lJ4lsLcoLowLbUf9+HQlEPL864AchLG7t4HNceJ25io=
PSK=LTDC8gmNcT9fEozpO5wIXtuPdDMIbAP6XUh4OZ4a6Xs=
TCP_FLOOR=$((512 * 1024))	# bytes in 3 s, two TCG guests sharing the host
REKEY_WAIT=${REKEY_WAIT:-130}	# REKEY_AFTER_TIME + margin

me=$KWG_GUEST
case $me in
a) other=b my4=192.0.2.1 peer4=192.0.2.2 my6=fd00:2::1 peer6=fd00:2::2 mykey=$KEY_A peerpub=$PUB_B ;;
b) other=a my4=192.0.2.2 peer4=192.0.2.1 my6=fd00:2::2 peer6=fd00:2::1 mykey=$KEY_B peerpub=$PUB_A ;;
esac
umask 077
echo "$mykey" >/tmp/my.key
echo "$PSK" >/tmp/psk
head -c 32 /dev/urandom | base64 >/tmp/otherpsk
# Tunnel addresses: 10.N.0.1 / fdN::1 for a, .2 for b on device N.
tin4() { echo "10.$1.0.$([[ $2 == a ]] && echo 1 || echo 2)"; }
tin6() { echo "fd$1::$([[ $2 == a ]] && echo 1 || echo 2)"; }

# barrier NAME: neither guest goes on before both reached NAME. b connects
# (retrying) to a's one-shot listener and sends the name.
barrier() {
	local got deadline=$((SECONDS + 180))
	if [[ $me == a ]]; then
		got=$(timeout 180 ncat -l "$my4" 7777 --recv-only 2>/dev/null)
		[[ $got == "$1" ]] || { fail "barrier $1: the other guest sent '$got'"; finish; }
	else
		until echo "$1" | ncat --send-only "$peer4" 7777 2>/dev/null; do
			[[ $SECONDS -lt $deadline ]] || { fail "barrier $1: the other guest never came"; finish; }
			sleep 0.3
		done
	fi
}

check "eth0 exists" wait_until 20 ip link show eth0
ip addr add "$my4/24" dev eth0
ip addr add "$my6/64" dev eth0 nodad
ip link set eth0 up
check "the other guest answers on the shared link" wait_until 90 ping -c1 -W1 "$peer4"
if [[ $KWG_MODULE == stock ]]; then
	echo "# guest $me runs the stock module"
else
	echo "# guest $me runs our module"
fi
# Each guest listens on its own ports (b's are a's + 100), so the source
# port of a message on the wire says which guest sent it.
aport() { echo "$1"; }
bport() { echo $(($1 + 100)); }
myport() { "${me}port" "$1"; }
peerport() { "${other}port" "$1"; }
wire_watch - "input output" 51820 51821 51822 51823 51824 51825 52001 52002 \
	51920 51921 51922 51923 51924 51925 52101 52102

# mkdev N PORT [PSKFILE]: a fresh device wgN talking to the other guest's
# wgN over IPv4 (ports: see myport).
mkdev() {
	ip link del "wg$1" 2>/dev/null
	ip link add "wg$1" type wireguard
	wg set "wg$1" private-key /tmp/my.key listen-port "$(myport "$2")" \
		peer "$peerpub" endpoint "$peer4:$(peerport "$2")" \
		allowed-ips "$(tin4 "$1" "$other")/32,$(tin6 "$1" "$other")/128" \
		${3:+preshared-key "$3"}
	ip addr add "$(tin4 "$1" "$me")/24" dev "wg$1"
	ip addr add "$(tin6 "$1" "$me")/64" dev "wg$1" nodad
	ip link set "wg$1" up
}
inits() { echo "$(wire_pk - "$(aport "$1")" 1) $(wire_pk - "$(bport "$1")" 1)"; }

# ------------------------------------------------ sessions that will rekey
mkdev 1 52001
mkdev 2 52002
barrier rekey-devices
# a starts wg1's session, b starts wg2's.
if [[ $me == a ]]; then
	check "rekey devices: a starts wg1's session" ping_ok - "$(tin4 1 b)"
else
	check "rekey devices: b starts wg2's session" ping_ok - "$(tin4 2 a)"
fi
barrier rekey-sessions
hs1=$(latest_handshake - wg1) hs2=$(latest_handshake - wg2)
check "rekey devices: both sessions are up" test "$hs1" -gt 0 -a "$hs2" -gt 0
check_eq "rekey devices: wg1's initiation came from a, wg2's from b" "1 0 0 1" "$(inits 52001) $(inits 52002)"
rekey_start=$SECONDS
ping -q -i 0.5 -w "$REKEY_WAIT" "$(tin4 1 "$other")" >/tmp/ping1 2>&1 &
ping1=$!
ping -q -i 0.5 -w "$REKEY_WAIT" "$(tin6 2 "$other")" >/tmp/ping2 2>&1 &
ping2=$!

# ------------------------------------------------------- handshake matrix
# Each case on a fresh device pair; the initiator pings, the other side
# stays silent until the session is up.
hcase() {	# hcase N PORT INITIATOR PSK(yes|no) DESCRIPTION
	if [[ $4 == yes ]]; then mkdev "$1" "$2" /tmp/psk; else mkdev "$1" "$2"; fi
	barrier "case-$1-ready"
	if [[ $me == "$3" ]]; then
		check "$5: the initiator reaches the responder" ping_ok - "$(tin4 "$1" "$other")"
	fi
	barrier "case-$1-done"
	check "$5: the session is up on guest $me" test "$(latest_handshake - "wg$1")" -gt 0
	if [[ $3 == a ]]; then
		check "$5: only a sent initiations" sh -c "set -- $(inits "$2"); [ \$1 -ge 1 ] && [ \$2 -eq 0 ]"
	else
		check "$5: only b sent initiations" sh -c "set -- $(inits "$2"); [ \$1 -eq 0 ] && [ \$2 -ge 1 ]"
	fi
	if [[ $4 == yes ]]; then
		check "$5: the preshared key is set" test "$(wg show "wg$1" preshared-keys | cut -f2)" = "$PSK"
	fi
	if [[ $me != "$3" ]]; then
		check "$5: the responder's pings are answered" ping_ok - "$(tin6 "$1" "$other")"
	fi
	barrier "case-$1-checked"
	ip link del "wg$1"
}
hcase 3 51821 a no "a initiates, no PSK"
hcase 4 51822 b no "b initiates, no PSK"
hcase 5 51823 a yes "a initiates, PSK"
hcase 6 51824 b yes "b initiates, PSK"

# Preshared keys that differ: a's initiations are answered, but a cannot
# open the answers, so no session forms.
if [[ $me == a ]]; then mkdev 7 51825 /tmp/psk; else mkdev 7 51825 /tmp/otherpsk; fi
barrier mismatch-ready
if [[ $me == a ]]; then
	check "different PSKs: no session forms" ping_none - "$(tin4 7 b)"
	check_eq "different PSKs: a has no handshake" 0 "$(latest_handshake - wg7)"
	check "different PSKs: b did answer (responses on the wire)" ge "$(wire_pk - "$(bport 51825)" 2)" 1
fi
barrier mismatch-done
ip link del wg7

# ------------------------------------------------------ traffic both ways
mkdev 0 51820
barrier traffic-ready
if [[ $me == a ]]; then
	check "ping v4 inside, IPv4 outside" ping_ok - "$(tin4 0 b)"
	check "ping v6 inside, IPv4 outside" ping_ok - "$(tin6 0 b)"
fi
barrier pinged-a
if [[ $me == b ]]; then
	check "ping v4 inside from b" ping_ok - "$(tin4 0 a)"
	check "ping v6 inside from b" ping_ok - "$(tin6 0 a)"
	iperf_server - 5201
fi
barrier iperf-server
if [[ $me == a ]]; then
	iperf /tmp/i1 - -t 3 -c "$(tin4 0 b)"
	speed_floor "iperf3 TCP a -> b moves >= 512 KiB in 3 s" "$(json_num /tmp/i1 sum_received bytes)" $TCP_FLOOR
fi
barrier iperf-1
[[ $me == b ]] && iperf_server - 5201
barrier iperf-server-2
if [[ $me == a ]]; then
	iperf /tmp/i2 - -t 3 -R -c "$(tin6 0 b)"
	speed_floor "iperf3 TCP b -> a moves >= 512 KiB in 3 s" "$(json_num /tmp/i2 sum_received bytes)" $TCP_FLOOR
	echo "# a->b $(json_num /tmp/i1 sum_received bytes) B, b->a $(json_num /tmp/i2 sum_received bytes) B in 3 s"
fi
barrier iperf-2
# Over IPv6 outside: both sides point their endpoint at the v6 address.
wg set wg0 peer "$peerpub" endpoint "[$peer6]:$(peerport 51820)"
barrier v6-outside
if [[ $me == a ]]; then
	v6=$(wire_pk - 51820 4 6)
	check "ping v4 inside, IPv6 outside" ping_ok - "$(tin4 0 b)"
	check "a's data went over IPv6" ge "$(wire_pk - 51820 4 6)" $((v6 + 3))
fi
barrier v6-done

# ------------------------------------------------------------------ rekey
wait "$ping1" "$ping2"
echo "# rekey sessions ran $((SECONDS - rekey_start)) s"
check "rekey: wg1 (a's session) had a new handshake" test "$(latest_handshake - wg1)" -gt "$hs1"
check "rekey: wg2 (b's session) had a new handshake" test "$(latest_handshake - wg2)" -gt "$hs2"
# The side that started a session starts its rekey: a's port sends wg1's
# initiations, b's port wg2's.
read -r i1a i1b <<<"$(inits 52001)"
read -r i2a i2b <<<"$(inits 52002)"
echo "# initiations: wg1 a=$i1a b=$i1b, wg2 a=$i2a b=$i2b"
check "rekey: a initiated wg1's rekey, b did not" test "$i1a" -ge 2 -a "$i1b" -eq 0
check "rekey: b initiated wg2's rekey, a did not" test "$i2b" -ge 2 -a "$i2a" -eq 0
# flowed FILE: ping's summary shows >= 1 per second sent (2 asked), <= 2 lost.
flowed() {
	awk -v want="$REKEY_WAIT" '/transmitted/ { exit !($1 >= want && $1 - $4 <= 2) }' "$1"
}
echo "# rekey pings: wg1 $(grep transmitted /tmp/ping1); wg2 $(grep transmitted /tmp/ping2)"
check "rekey: pings on wg1 kept flowing (<= 2 lost)" flowed /tmp/ping1
check "rekey: pings on wg2 kept flowing (<= 2 lost)" flowed /tmp/ping2
barrier end
finish
