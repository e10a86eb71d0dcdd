#!/bin/bash
# kwg-vm: stock=yes clients=yes ynl=yes timeout=600
# The kernel's own YNL tooling as a client of the module: tools/net/ynl's
# cli.py from Debian's linux-source-6.12, driven by our spec
# uapi/wireguard.yaml, sets devices by name and by ifindex, adds, changes
# and removes peers (every peer and allowed-IP flag the family has), reads
# them back with --dump get-device (a dump spread over several messages
# too), and gets the kernel's errors for bad requests. What cli.py reads
# back and what `wg show dump` prints must both be exactly what was set,
# and traffic passes between the two namespaces it configured. This suite
# found that our module named the device in every message of a dump, stock
# only in the first (now the same; tests/diff/scenarios/dump-messages.sh).
#
# 6.12's cli.py decodes indexed arrays but cannot encode them, so requests
# with peers go through check_spec.py's `cli` wrapper: the same cli.py with
# the one encoder added (entries numbered from 1). Everything else is the
# unmodified cli.py. The requests it sent are captured on nlmon and printed
# (information only).
#
# KWG_CLIENT_WRONG=1 (vm.sh -e) turns every expectation wrong: each check
# must then fail (the suite's self-test).
. /kwg/lib.sh
. /kwg/common/client-lib.sh
P="ynl:"
Y=/kwg/ynl
# The device the SET checks name: one that does not exist in the self-test.
WG0=$(pick wg0 nosuch0)

if ! command -v python3 >/dev/null || ! python3 -c 'import yaml' 2>/dev/null || [[ ! -f $Y/cli.py ]]; then
	fail "$P python3 with PyYAML and cli.py are not in the guest (make deps installs python3-yaml and linux-source-6.12; vm.sh adds /kwg/ynl for a ynl=yes suite)"
	finish
fi

# ynl NS ARGS...: the unmodified cli.py in NS. ynlp NS ARGS...: the same,
# with indexed arrays encodable (requests with peers).
ynl() { local ns=$1; shift; n "$ns" python3 $Y/cli.py --spec $Y/wireguard.yaml --no-schema "$@"; }
ynlp() { local ns=$1; shift; n "$ns" python3 $Y/check_spec.py cli $Y --spec $Y/wireguard.yaml --no-schema "$@"; }
# ynldump NS [ARGS...]: --dump get-device of wg0 as `wg show dump` prints it.
ynldump() {
	local ns=$1; shift
	ynl "$ns" --output-json --dump get-device --json '{"ifname": "wg0"}' "$@" |
		python3 /kwg/common/client-ynl-dump.py | dump_norm
}
wgdump() { n "$1" wg show wg0 dump | dump_norm; }
# hex KEY: a base64 key as cli.py takes binary attributes.
hex() { base64 -d <<<"$1" | od -An -v -tx1 | tr -d ' \n'; }
# sa ADDRESS PORT: a struct sockaddr_in or sockaddr_in6, in hex.
sa() {
	python3 -c 'import ipaddress, struct, sys
a = ipaddress.ip_address(sys.argv[1]); p = struct.pack(">H", int(sys.argv[2]))
print((struct.pack("<H", 2) + p + a.packed + bytes(8) if a.version == 4 else
       struct.pack("<H", 10) + p + bytes(4) + a.packed + bytes(4)).hex())' "$1" "$2"
}
# aip ADDRESS/CIDR...: a JSON list of allowed IPs (one python3 for all:
# each start costs seconds under TCG).
aip() {
	python3 -c 'import ipaddress, json, sys
print(json.dumps([{"family": 2 if n.version == 4 else 10,
                   "ipaddr": n.network_address.packed.hex(), "cidr-mask": n.prefixlen}
                  for n in (ipaddress.ip_network(a, strict=False) for a in sys.argv[1:])]))' "$@"
}

client_pair
for ns in A B; do
	n $ns ip link add wg0 type wireguard
done

KA=$(wg genkey) KB=$(wg genkey) KX=$(wg genkey) KY=$(wg genkey) KZ=$(wg genkey) KW=$(wg genkey)
PA=$(wg pubkey <<<"$KA") PB=$(wg pubkey <<<"$KB") PX=$(wg pubkey <<<"$KX")
PY_=$(wg pubkey <<<"$KY") PZ=$(wg pubkey <<<"$KZ") PW=$(wg pubkey <<<"$KW")
PSK1=$(wg genpsk) PSK2=$(wg genpsk)
T=$'\t'

capture_start ynl A

out=$(ynl A --list-ops 2>&1)
check_eq "$P cli.py finds the family in the kernel and lists its operations" \
	"$(want $'get-device  [ dump ]\nset-device  [ do ]')" "$out"

# The device alone: the unmodified cli.py, by name and by ifindex.
check "$P --do set-device by name: private key, listen port, fwmark" \
	ynl A --do set-device --json "{\"ifname\": \"$(pick wg0 wg9)\", \"private-key\": \"$(hex "$KA")\",
		\"listen-port\": 51820, \"fwmark\": 4660}"
ifb=$(n B cat /sys/class/net/wg0/ifindex)
check "$P --do set-device by ifindex ($ifb): private key, listen port" \
	ynl B --do set-device --json "{\"ifindex\": $(pick "$ifb" 999), \"private-key\": \"$(hex "$KB")\",
		\"listen-port\": 51821}"
check_eq "$P B as set: wg show dump" "$(want "$KB$T$PB${T}51821${T}off")" "$(wgdump B)"

# Three peers in one request, replacing whatever A had.
peerB="{\"public-key\": \"$(hex "$PB")\", \"preshared-key\": \"$(hex "$PSK1")\",
	\"endpoint\": \"$(sa 10.0.0.2 51821)\", \"persistent-keepalive-interval\": 25,
	\"allowedips\": $(aip 192.168.4.2/32 fd01::2/128)}"
peerX="{\"public-key\": \"$(hex "$PX")\", \"preshared-key\": \"$(hex "$PSK2")\",
	\"endpoint\": \"$(sa fd00::99 1234)\",
	\"allowedips\": $(aip 10.10.0.0/16 fd02::/48 10.11.1.0/24 fd02:1::/64)}"
peerY="{\"public-key\": \"$(hex "$PY_")\", \"endpoint\": \"$(sa 10.0.0.77 7)\",
	\"persistent-keepalive-interval\": 7, \"allowedips\": $(aip 10.12.0.0/16)}"
check "$P --do set-device with replace-peers and three peers (preshared keys, v4 and v6 endpoints, keepalives, allowed IPs of both families)" \
	ynlp A --do set-device --json "{\"ifname\": \"$WG0\", \"flags\": [\"replace-peers\"],
		\"peers\": [$peerB, $peerX, $(pick "$peerY" "{\"public-key\": \"00\"}")]}"

devA="$KA$T$PA${T}51820${T}0x1234"
lineB="$PB$T$PSK1${T}10.0.0.2:51821${T}192.168.4.2/32,fd01::2/128$T-$T-$T-${T}25"
lineX="$PX$T$PSK2${T}[fd00::99]:1234${T}10.10.0.0/16,10.11.1.0/24,fd02:1::/64,fd02::/48$T-$T-$T-${T}off"
lineY="$PY_$T(none)${T}10.0.0.77:7${T}10.12.0.0/16$T-$T-$T-${T}7"
expect=$(printf '%s\n' "$devA" "$lineB" "$lineX" "$lineY" | dump_norm)
check_eq "$P --dump get-device reads back every field it set" "$(want "$expect")" "$(MASK=1 ynldump A)"
check_eq "$P wg show dump has every field cli.py set" "$(want "$expect")" "$(MASK=1 wgdump A)"

# B's side of the tunnel, no endpoint: A's keepalive brings it.
check "$P --do set-device on B: peer A with preshared key and allowed IPs" \
	ynlp B --do set-device --json "{\"ifname\": \"$WG0\", \"peers\": [{\"public-key\": \"$(hex "$PA")\",
		\"preshared-key\": \"$(hex "$PSK1")\", \"allowedips\": $(aip 192.168.4.1/32 fd01::1/128)}]}"
n B ip addr add 192.168.4.2/24 dev wg0
n B ip addr add fd01::2/64 dev wg0 nodad
n B ip link set wg0 up

# Every peer and allowed-IP flag, and the fwmark back to 0.
check "$P peer flag remove-me removes Y" \
	ynlp A --do set-device --json "{\"ifname\": \"$WG0\", \"peers\": [{\"public-key\": \"$(hex "$PY_")\", \"flags\": [\"remove-me\"]}]}"
check "$P peer flag update-only on an unknown peer is accepted" \
	ynlp A --do set-device --json "{\"ifname\": \"$WG0\", \"peers\": [{\"public-key\": \"$(hex "$PZ")\",
		\"flags\": [\"update-only\"], \"allowedips\": $(aip 10.99.0.0/16)}]}"
check "$P peer flag replace-allowedips replaces X's" \
	ynlp A --do set-device --json "{\"ifname\": \"$WG0\", \"peers\": [{\"public-key\": \"$(hex "$PX")\",
		\"flags\": [\"replace-allowedips\"], \"allowedips\": $(aip 10.20.0.0/24 fd03::/64 10.21.0.0/24)}]}"
check "$P fwmark 0" ynl A --do set-device --json "{\"ifname\": \"$WG0\", \"fwmark\": 0}"
devA="$KA$T$PA${T}51820${T}off"
lineX="$PX$T$PSK2${T}[fd00::99]:1234${T}10.20.0.0/24,10.21.0.0/24,fd03::/64$T-$T-$T-${T}off"
expect=$(printf '%s\n' "$devA" "$lineB" "$lineX" | dump_norm)
check_eq "$P after the changes (Y removed, Z not created, X's allowed IPs replaced): cli.py's view" \
	"$(want "$expect")" "$(MASK=1 ynldump A)"
check_eq "$P after the changes: wg show dump" "$(want "$expect")" "$(MASK=1 wgdump A)"

n A ip addr add 192.168.4.1/24 dev wg0
n A ip addr add fd01::1/64 dev wg0 nodad
n A ip link set wg0 up
check "$P ping A -> B through the tunnel (IPv4)" n A ping -c 2 -W 5 "$(pick 192.168.4.2 192.168.4.3)"
check "$P ping A -> B through the tunnel (IPv6)" n A ping -c 2 -W 5 "$(pick fd01::2 fd01::3)"
check "$P ping B -> A through the tunnel (IPv4)" n B ping -c 2 -W 5 "$(pick 192.168.4.1 192.168.4.3)"
# Handshake time and counters, read both ways at one moment (nothing is
# sent to B between the reads: its next keepalive is 25 s off; X retries
# its handshake every 5 s, so its counters are compared masked).
a=$(ynldump A) b=$(wgdump A)
check_eq "$P after traffic: cli.py and wg show agree on B's every field (handshake, transfer)" \
	"$(want "$(grep "^$PB" <<<"$a")")" "$(grep "^$PB" <<<"$b")"
hs=$(awk -F'\t' -v k="$PB" '$1 == k { print ($5 > 0 && $6 > 0 && $7 > 0) ? "yes" : "no: " $0 }' <<<"$a")
check_eq "$P after traffic: cli.py sees a handshake and bytes both ways for B" "$(want yes)" "$hs"
check_eq "$P after traffic: B learned A's endpoint (cli.py on B)" "$(want 10.0.0.1:51820)" \
	"$(ynldump B | awk -F'\t' -v k="$PA" '$1 == k { print $3 }')"

capture_print auto "netlink requests cli.py sent to the wireguard family"

# A peer with 1000 allowed IPs: one request, a dump of several messages,
# of which only the first names the device (as on stock).
ips=()
for i in $(seq 0 999); do ips+=("10.$((100 + i / 250)).$((i % 250)).1/32"); done
check "$P one request with a peer of 1000 allowed IPs" \
	ynlp A --do set-device --json "{\"ifname\": \"$WG0\", \"peers\": [{\"public-key\": \"$(hex "$PW")\",
		\"allowedips\": $(aip "${ips[@]}")}]}"
shape=$(ynl A --output-json --dump get-device --json '{"ifname": "wg0"}' |
	python3 -c 'import json, sys; print(" ".join(",".join(sorted(m)) for m in json.load(sys.stdin)))')
echo "# the dump of A, each message's attributes: $shape"
msgs=$(wc -w <<<"$shape")
check "$P the dump of 1000 allowed IPs took several messages ($msgs)" test "$msgs" -gt "$(pick 1 99)"
check_eq "$P only the dump's first message names the device" "$(want 1)" "$(grep -o ifname <<<"$shape" | wc -l)"
a=$(MASK=1 ynldump A) b=$(MASK=1 wgdump A)
check_eq "$P cli.py reassembles the dump: W has 1000 allowed IPs" "$(want 1000)" \
	"$(awk -F'\t' -v k="$PW" '$1 == k { print split($4, x, ",") }' <<<"$a")"
check_eq "$P cli.py and wg show agree on the whole dump" "$(want "$b")" "$a"

# The kernel's errors, as cli.py reports them, and nothing changed.
before=$(MASK=1 wgdump A)
out=$(ynl A --do set-device --json '{"ifname": "nosuch0", "listen-port": 1}' 2>&1); rc=$?
check_eq "$P a device that does not exist: cli.py fails (exit 1)" "$(want 1)" "$rc"
check "$P a device that does not exist: No such device ($out)" grep -q "$(pick 'No such device' 'Invalid argument')" <<<"$out"
out=$(ynl A --do set-device --json "{\"ifname\": \"wg0\", \"private-key\": \"$(hex "$KA" | cut -c3-)\"}" 2>&1); rc=$?
check_eq "$P a 31-byte private key: cli.py fails (exit 1)" "$(want 1)" "$rc"
# (ERANGE: the length check of the attribute's policy, on both modules.)
check "$P a 31-byte private key: Numerical result out of range ($out)" \
	grep -q "$(pick 'Numerical result out of range' 'No such device')" <<<"$out"
out=$(ynl A --dump get-device 2>&1); rc=$?
check_eq "$P a dump naming no device: cli.py fails (exit 1)" "$(want 1)" "$rc"
check "$P a dump naming no device: Invalid request descriptor, EBADR ($out)" \
	grep -q "$(pick 'Invalid request descriptor' 'No such device')" <<<"$out"
check_eq "$P the bad requests changed nothing" "$(want "$before")" "$(MASK=1 wgdump A)"

n A ip link del wg0
out=$(ynl A --dump get-device --json '{"ifname": "wg0"}' 2>&1)
check "$P a deleted device: No such device ($out)" grep -q "$(pick 'No such device' 'Invalid argument')" <<<"$out"

finish
