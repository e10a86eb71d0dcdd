#!/bin/bash
# kwg-vm: stock=yes append=ipv6.disable=1 timeout=200
# A kernel booted with IPv6 disabled: the device must come up on IPv4
# alone (no IPv6 socket to open), carry traffic, and take an IPv6 endpoint
# without harm (nothing can be sent to it).
. /kwg/lib.sh
. /kwg/common/veth-pair.sh

check "IPv6 is disabled in this kernel" test ! -e /proc/net/if_inet6

# "ip link show DEV up" succeeds, silently, on a device that is down.
is_up() { n "$1" ip -o link show "$2" | grep -qE '[<,]UP[,>]'; }

veth_wg_pair
check "a's device is up" is_up a wg0
check "b's device is up" is_up b wg0
check_eq "the device listens on IPv4 only" "0.0.0.0:1" \
	"$(n a ss -Hlun | awk '{ print $4 }')"
check "a ping crosses the tunnel" n a ping -c 2 -W 2 192.168.0.2
check "a handshake is recorded" \
	test "$(n a wg show wg0 latest-handshakes | cut -f2)" -gt 0

# A random listen port (0) also binds with IPv4 alone.
n a ip link add wg1 type wireguard
n a wg set wg1 private-key <(wg genkey) listen-port 0
check "a random port binds without IPv6" n a ip link set wg1 up
port=$(n a wg show wg1 listen-port)
check "the random port is shown" test "$port" -gt 0
check_eq "and is the socket's port" "0.0.0.0:$port" \
	"$(n a ss -Hlun "sport = :$port" | awk '{ print $4 }')"
n a ip link del wg1

# An IPv6 endpoint is stored but unreachable; IPv4 keeps working after it.
check "an IPv6 endpoint is accepted" n a wg set wg0 peer "$pb" endpoint "[fd00::2]:2"
check_eq "and shown" "[fd00::2]:2" "$(n a wg show wg0 endpoints | cut -f2)"
n a ping -c 1 -W 1 192.168.0.2 >/dev/null 2>&1
check "the device survives sending toward it" is_up a wg0
check "the IPv4 endpoint restored" n a wg set wg0 peer "$pb" endpoint 10.0.0.2:2
check "and the tunnel carries traffic again" n a ping -c 2 -W 2 192.168.0.2

# Changing the listen port rebinds on IPv4 alone.
check "a new listen port binds" n a wg set wg0 listen-port 3
check_eq "the socket moved" "0.0.0.0:3" "$(n a ss -Hlun | awk '{ print $4 }')"
finish
