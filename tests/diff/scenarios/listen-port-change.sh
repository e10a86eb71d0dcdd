#!/bin/bash
# kwg-diff: timeout=60
# A fixed listen port changed while the device is up, then the device
# taken down and up: the sockets (ss), the dump, and n2 learning the new
# port from n1's next packet.
. /kwg/diff/lib.sh

# sockets NS: the UDP sockets in NS. Sorted: ss walks the kernel's socket
# hash table, whose order is not the module's to decide.
sockets() { n "$1" ss -Huan | tr -s ' ' | sort; }

pair 4
check "ping through the tunnel" ping_rec ping n1 -c1 -W5 "$IN4_2"
record sockets-1 sockets n1
n n1 wg set wg0 listen-port 11
record sockets-11 sockets n1
check "ping from the new port" ping_rec ping-11 n1 -c1 -W5 "$IN4_2"
record endpoint-11 n n2 wg show wg0 endpoints
ip -n n1 link set wg0 down
record sockets-down sockets n1
record dump-down wg_dump n1 wg0
ip -n n1 link set wg0 up
record sockets-up sockets n1
check "ping after down and up" ping_rec ping-up n1 -c1 -W5 "$IN4_2"
observe after n1 n2
finish
