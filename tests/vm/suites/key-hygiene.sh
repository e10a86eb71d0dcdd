#!/bin/bash
# kwg-vm: stock=yes timeout=480
# No private or preshared key ever reaches the kernel log. Every
# dynamic-debug message of the module is switched on and the console made
# fully verbose; then handshakes, new handshakes after down/up, invalid
# handshakes (a mismatched preshared key, an unknown sender, a replayed
# initiation, junk of every message type, a forged cookie reply), cookie
# replies under a flood, private and preshared key changes and removals,
# peer removal, device removal (by `ip link del` and with its namespace)
# and the module's unload. The whole kernel log (read continuously from
# /dev/kmsg, and `dmesg` at the end) is then searched for every private and
# preshared key used: in base64, in hex (both cases; contiguous or with
# ' ', ':' or '-' between bytes; and as little-endian 64-bit words, as in a
# register dump), as raw bytes and in the \xNN-escaped form /dev/kmsg gives
# them. Hex and raw forms are looked for by every 8-byte run of the key, so
# a dump of any 15 consecutive bytes is found. Public keys may appear. A
# control key written to the log in each form first proves that the search
# finds what it looks for.
. /kwg/lib.sh
. /kwg/common/topo.sh
. /kwg/common/cookie-flood.sh

logs=(/tmp/kmsg.log /tmp/dmesg.log)
cat /dev/kmsg >/tmp/kmsg.log 2>/tmp/kmsg.err &
kmsg_pid=$!

# Every secret the module is given, as "label base64" lines.
secrets=()
# newkey VAR LABEL / newpsk VAR LABEL: a fresh key in $VAR, remembered.
newkey() { printf -v "$1" '%s' "$(wg genkey)"; secrets+=("$2 ${!1}"); }
newpsk() { printf -v "$1" '%s' "$(wg genpsk)"; secrets+=("$2 ${!1}"); }

# key_hex B64: the key's 32 bytes as 64 lower-case hex digits.
key_hex() { printf '%s' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }

# forms KIND B64: the fixed strings that betray the key, one per line.
# text: base64 and every hex spelling of each aligned 8-byte run (any run
# of 15 bytes or more contains one); raw: every 8-byte run as raw bytes
# and escaped as /dev/kmsg prints them (runs with a newline or NUL byte
# cannot be a grep pattern and are left out; the runs around them remain).
forms() {
	local kind=$1 b64=$2 hex w le sep i j b esc
	hex=$(key_hex "$b64")
	if [[ $kind == text ]]; then
		printf '%s\n%s\n' "$b64" "${b64%=}"
		for i in 0 16 32 48; do
			w=${hex:i:16}
			le=
			for ((j = 14; j >= 0; j -= 2)); do le+=${w:j:2}; done
			printf '%s\n' "$w" "${w^^}" "$le" "${le^^}"
			for sep in ' ' ':' '-'; do
				b=$(sed "s/../&$sep/g; s/$sep\$//" <<<"$w")
				printf '%s\n' "$b" "${b^^}"
			done
		done
		return
	fi
	for ((i = 0; i <= 48; i += 2)); do
		w=${hex:i:16}
		[[ $w =~ ^(..)*(0a|00) ]] && continue
		esc=
		for ((j = 0; j < 16; j += 2)); do
			b=$((16#${w:j:2}))
			if ((b < 32 || b > 126 || b == 92)); then
				esc+="\\x${w:j:2}"
			else
				esc+=$(printf '%b' "\\x${w:j:2}")
			fi
		done
		printf '%b\n' "$(sed 's/../\\x&/g' <<<"$w")"
		printf '%s\n' "$esc"
	done
}

# leaks B64 FILE...: the kinds of form of the key found in the files.
leaks() {
	local kind b64=$1
	shift
	for kind in text raw; do
		forms "$kind" "$b64" >/tmp/patterns
		LC_ALL=C grep -a -q -F -f /tmp/patterns "$@" && echo "$kind"
	done
}

modprobe wireguard
check "dynamic debug of the wireguard module switched on" \
	sh -c "echo 'module wireguard +p' > /sys/kernel/debug/dynamic_debug/control"
sites=$(grep -c '\[wireguard\].* =p' /sys/kernel/debug/dynamic_debug/control)
echo "# $sites debug messages of the module enabled"
check "the module has debug messages, all $sites enabled" test "$sites" -ge 5
echo 8 >/proc/sys/kernel/printk
check_eq "console log level raised to 8" 8 "$(cut -f1 /proc/sys/kernel/printk)"

# The control: a key (without newline or NUL bytes) written to the log in
# each form, to be found again by the same search.
for _ in {1..100}; do
	ctl=$(wg genkey)
	[[ $(key_hex "$ctl") =~ ^(..)*(0a|00) ]] || break
done
ctl_hex=$(key_hex "$ctl")
ctl_le=
for ((j = 46; j >= 32; j -= 2)); do ctl_le+=${ctl_hex:j:2}; done
ctl_forms=(
	"b64 $ctl"
	"hex-upper ${ctl_hex^^}"
	"hex-spaced-unaligned $(sed 's/../& /g' <<<"${ctl_hex:6:32}")"
	"hex-colon $(sed 's/../&:/g; s/:$//' <<<"${ctl_hex:20:40}")"
	"le64-word RAX: ${ctl_le^^}"
)
for f in "${ctl_forms[@]}"; do echo "kwg-control ${f%% *} ${f#* }" >/dev/kmsg; done
printf 'kwg-control raw %b\n' "$(sed 's/../\\x&/g' <<<"$ctl_hex")" >/dev/kmsg

# --- the tunnel: a and b, with a preshared key --------------------------------
netns_add a b
ip link add va netns a type veth peer name vb netns b
n a ip addr add 10.0.0.1/24 dev va
n b ip addr add 10.0.0.2/24 dev vb
n a ip link set va up
n b ip link set vb up
newkey ka "a's private key"
newkey kb "b's private key"
newpsk psk1 "preshared key 1"
pa=$(wg pubkey <<<"$ka")
pb=$(wg pubkey <<<"$kb")
n a ip link add wg0 type wireguard
n b ip link add wg0 type wireguard
n a wg set wg0 private-key <(echo "$ka") listen-port 1 peer "$pb" \
	preshared-key <(echo "$psk1") allowed-ips 192.168.0.2/32 endpoint 10.0.0.2:2
n b wg set wg0 private-key <(echo "$kb") listen-port 2 peer "$pa" \
	preshared-key <(echo "$psk1") allowed-ips 192.168.0.1/32
n a ip addr add 192.168.0.1/24 dev wg0
n b ip addr add 192.168.0.2/24 dev wg0
n a ip link set wg0 up
n b ip link set wg0 up
check "handshake with a preshared key, a to b" n a ping -c2 -W5 192.168.0.2
check "and b to a" n b ping -c1 -W5 192.168.0.1
check "the keys can be read back (GET with keys)" \
	sh -c "ip netns exec a wg showconf wg0 | grep -qF '$psk1'"

latest() { n "$1" wg show wg0 latest-handshakes | cut -f2; }
# new_handshake NS PEER-NS ADDR: down/up NS's wg0 (dropping its keys), then
# a ping from NS must make a handshake newer than the one before.
new_handshake() {
	local before
	before=$(latest "$1")
	sleep 1.1
	n "$1" ip link set wg0 down
	n "$1" ip link set wg0 up
	n "$1" ping -c1 -W5 "$3" >/dev/null &&
		[[ $(latest "$1") -gt $before ]]
}
check "a new handshake after a's down/up" new_handshake a b 192.168.0.2
check "a new handshake after b's down/up, b initiating" new_handshake b a 192.168.0.1

# --- a replayed initiation and a forged cookie reply ---------------------------
n b tcpdump -Z root -i vb -nn -U -c1 -w /tmp/init.pcap 'udp dst port 2 and udp[8] = 1' \
	>/dev/null 2>/tmp/cap.err &
cap=$!
wait_until 20 grep -q listening /tmp/cap.err
check "a third handshake" new_handshake a b 192.168.0.2
wait_until 10 sh -c "! kill -0 $cap"
kill "$cap" 2>/dev/null
wait "$cap" 2>/dev/null
init=$(tcpdump -Z root -r /tmp/init.pcap -nn -x 2>/dev/null |
	awk '/^[ \t]+0x/ { for (i = 2; i <= NF; i++) h = h $i } END { print h }')
check_eq "an initiation captured (176 bytes)" 352 "${#init}"
# A cookie reply to a's index of that handshake (a keypair's now), that
# does not open; then junk of every type to both ends.
{ printf '\x03\0\0\0'; printf '%b' "$(sed 's/../\\x&/g' <<<"${init:64:8}")"
  head -c 56 /dev/urandom; } >/tmp/cookie
check "a forged cookie reply sent" n b sh -c 'cat /tmp/cookie >/dev/udp/10.0.0.1/1'
check "the initiation replayed to b" n a /kwg/probes/raw-send "$init"
for t in 1:144 2:88 3:60 4:28 4:60 1:10; do
	{ printf '%b' "\\x0${t%:*}\\0\\0\\0"; head -c "${t#*:}" /dev/urandom; } >/tmp/junk
	n a sh -c 'cat /tmp/junk >/dev/udp/10.0.0.2/2'
	n b sh -c 'cat /tmp/junk >/dev/udp/10.0.0.1/1'
done
check "the tunnel survives the replay, the forgery and the junk" \
	n a ping -c1 -W5 192.168.0.2

# --- preshared key changes: mismatched, matched, removed ----------------------
newpsk psk2 "preshared key 2"
n a wg set wg0 peer "$pb" preshared-key <(echo "$psk2")
n a ip link set wg0 down
n a ip link set wg0 up
check_fails "no session with a preshared key on one side only" \
	n a ping -c1 -W3 192.168.0.2
n b wg set wg0 peer "$pa" preshared-key <(echo "$psk2")
n a ip link set wg0 down
n a ip link set wg0 up
check "a session once both have the new preshared key" n a ping -c1 -W8 192.168.0.2
n a wg set wg0 peer "$pb" preshared-key /dev/null
n b wg set wg0 peer "$pa" preshared-key /dev/null
check_eq "a's preshared key removed" "(none)" \
	"$(n a wg show wg0 preshared-keys | cut -f2)"
n a ip link set wg0 down
n a ip link set wg0 up
check "a session without preshared keys" n a ping -c1 -W8 192.168.0.2
newpsk psk3 "preshared key 3"
n a wg set wg0 peer "$pb" preshared-key <(echo "$psk3")
n b wg set wg0 peer "$pa" preshared-key <(echo "$psk3")

# --- an unknown sender: a second device in a that b does not know -------------
newkey kc "c's private key (unknown to b)"
n a ip link add wg1 type wireguard
n a wg set wg1 private-key <(echo "$kc") listen-port 3 peer "$pb" \
	preshared-key <(echo "$psk3") allowed-ips 192.168.1.2/32 endpoint 10.0.0.2:2
n a ip addr add 192.168.1.1/24 dev wg1
n a ip link set wg1 up
check_fails "an unknown sender gets no session" n a ping -c1 -W3 192.168.1.2
n a ip link del wg1

# --- private key changes -------------------------------------------------------
newkey ka2 "a's second private key"
pa2=$(wg pubkey <<<"$ka2")
n a wg set wg0 private-key <(echo "$ka2")
n b wg set wg0 peer "$pa" remove peer "$pa2" preshared-key <(echo "$psk3") \
	allowed-ips 192.168.0.1/32
check "a session after a's private key changed" n a ping -c1 -W8 192.168.0.2
n a wg set wg0 private-key <(echo "$ka2")
check "the same private key again changes nothing" n a ping -c1 -W5 192.168.0.2
n b wg set wg0 private-key <(echo AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=)
check_eq "b's private key removed" "(none)" "$(n b wg show wg0 private-key)"
newkey kb2 "b's second private key"
pb2=$(wg pubkey <<<"$kb2")
n b wg set wg0 private-key <(echo "$kb2")
n a wg set wg0 peer "$pb" remove peer "$pb2" preshared-key <(echo "$psk3") \
	allowed-ips 192.168.0.2/32 endpoint 10.0.0.2:2
check "a session after b's key was removed and a new one set" \
	n a ping -c1 -W8 192.168.0.2

# --- cookies under load (as in dp-load.sh) --------------------------------------
KR=GHqvHrFRdZ7v4M8nuFxKxHKz6dXf4EWTnUSZv5yvtmk=
secrets+=("the flooded device's private key $KR")
netns_add r l f
ip link add vlegit netns r type veth peer name v netns l
ip link add vflood netns r type veth peer name v netns f
n r ip addr add 10.1.0.1/24 dev vlegit
n r ip addr add 10.1.1.1/24 dev vflood
n l ip addr add 10.1.0.2/24 dev v
n f ip addr add 10.1.1.2/24 dev v
n r ip link set vlegit up
n r ip link set vflood up
n l ip link set v up
n f ip link set v up
newkey kl "the legitimate peer's private key"
newpsk psk4 "preshared key 4"
n r ip link add wg0 type wireguard
n r wg set wg0 private-key <(echo "$KR") listen-port 51820 \
	peer "$(wg pubkey <<<"$kl")" preshared-key <(echo "$psk4") allowed-ips 192.168.9.2/32
n r ip addr add 192.168.9.1/24 dev wg0
n r ip link set wg0 up
n l ip link add wg0 type wireguard
n l wg set wg0 private-key <(echo "$kl") peer "$(wg pubkey <<<"$KR")" \
	preshared-key <(echo "$psk4") allowed-ips 192.168.9.1/32 endpoint 10.1.0.1:51820
n l ip addr add 192.168.9.2/24 dev wg0
n l ip link set wg0 up
flood_start r vflood 10.1.1.2 10.1.1.1 10.1.2.0/24 "$(wg pubkey <<<"$KR")"
load_check "under load the device answers the flood with cookie replies" \
	wait_until $((15 * KWG_SLOW)) under_load
check "a legitimate peer completes its handshake during the flood" \
	n l ping -c1 -W$((30 * KWG_SLOW)) 192.168.9.1
flood_stop

# --- peer removal, device removal, module unload -------------------------------
check "a session before the peers are removed" n a ping -c1 -W5 192.168.0.2
n b wg set wg0 peer "$pa2" remove
n a wg set wg0 peer "$pb2" remove
check_eq "b has no peers left" "" "$(n b wg show wg0 peers)"
n a wg set wg0 peer "$pb2" preshared-key <(echo "$psk3") allowed-ips 192.168.0.2/32 \
	endpoint 10.0.0.2:2
n b wg set wg0 peer "$pa2" preshared-key <(echo "$psk3") allowed-ips 192.168.0.1/32
check "a session with the peers added back" n a ping -c1 -W8 192.168.0.2
n b wg setconf wg0 <(printf '[Interface]\nPrivateKey = %s\n' "$kb2")
check_eq "replace-peers removed b's peer" "" "$(n b wg show wg0 peers)"
n l ip link del wg0
n a ip link del wg0
ip netns del b
ip netns del r
ip netns del f
ip netns del l
ip netns del a
check "every device gone and the module unloaded" \
	wait_until 60 sh -c '! grep -q "^wireguard " /proc/modules || rmmod wireguard'
sleep 1
echo 1 >/proc/sys/kernel/printk

# --- the search ---------------------------------------------------------------
check "/dev/kmsg was read without a record lost" \
	sh -c "kill -0 $kmsg_pid && ! test -s /tmp/kmsg.err"
kill "$kmsg_pid"
wait "$kmsg_pid" 2>/dev/null
dmesg >/tmp/dmesg.log
lines=$(wc -l </tmp/kmsg.log)
dbg=$(grep -c -E 'wg[01]:' /tmp/kmsg.log)
echo "# kernel log: $lines records, $dbg of them about wg0/wg1; $(wc -c </tmp/dmesg.log) bytes of dmesg"
check "the module's debug messages are in the log ($dbg of $lines records)" \
	test "$dbg" -ge 20

for f in "${ctl_forms[@]}" "raw x"; do
	kind=${f%% *}
	grep -a "kwg-control $kind " /tmp/kmsg.log >/tmp/ctl.kmsg
	grep -a "kwg-control $kind " /tmp/dmesg.log >/tmp/ctl.dmesg
	check "control: the key written as $kind is found in /dev/kmsg" \
		test -n "$(leaks "$ctl" /tmp/ctl.kmsg)"
	check "control: and in dmesg" test -n "$(leaks "$ctl" /tmp/ctl.dmesg)"
done
# The control is the only key expected: drop its lines before the search.
for log in "${logs[@]}"; do
	grep -a -v 'kwg-control ' "$log" >"$log.search"
done
check_eq "the control key appears nowhere else" "" \
	"$(leaks "$ctl" /tmp/kmsg.log.search /tmp/dmesg.log.search)"

echo "# searching for ${#secrets[@]} private and preshared keys"
found=
for s in "${secrets[@]}"; do
	kinds=$(leaks "${s##* }" /tmp/kmsg.log.search /tmp/dmesg.log.search)
	[[ -z $kinds ]] || found+="${s% *}: "$kinds$'\n'
done
check_eq "none of the ${#secrets[@]} private and preshared keys in the kernel log" "" "$found"
finish
