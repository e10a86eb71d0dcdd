#!/bin/bash
# kwg-vm: stock=yes timeout=300
# The timers of protocol.md section 5, seen from the outside through the
# bytes each side sends: handshake retransmission every 5 s, the passive
# keepalive 10 s after receiving data, a new handshake 15 s after sending
# data that got no answer.
. /kwg/lib.sh
. /kwg/common/veth-pair.sh

veth_wg_pair
tx() { n "$1" wg show wg0 transfer | cut -f3; }
rx() { n "$1" wg show wg0 transfer | cut -f2; }

# Retransmission: b drops everything, a's initiation is repeated every 5 s.
n b nft add table inet t
n b nft add chain inet t in '{ type filter hook input priority 0; }'
n b nft add rule inet t in udp dport 2 drop
n a ping -c1 -W1 192.168.0.2 >/dev/null 2>&1
sleep 0.5
check_eq "one initiation at once" 148 "$(tx a)"
sleep 5.5
check_eq "a second 5 s later" 296 "$(tx a)"
sleep 5.3
check_eq "a third 5 s after that" 444 "$(tx a)"
n b nft delete table inet t
check "the handshake completes once b listens again" wait_until 8 n a ping -c1 -W1 192.168.0.2

# Passive keepalive: b receives one data packet, has nothing to say, and
# sends a keepalive 10 s later.
# (A listener on b, so that no ICMP port unreachable answers.)
n b timeout 40 ncat -u -l 9 >/dev/null 2>&1 &
sleep 11
t0=$(tx b)
echo x | n a ncat -u -w1 --send-only 192.168.0.2 9 2>/dev/null
sleep 5
check_eq "b is silent for a while after receiving data" "$t0" "$(tx b)"
sleep 6.5
check_eq "then sends one keepalive" $((t0 + 32)) "$(tx b)"

# New handshake: a sends data that gets no answer (b drops it); 15 s
# later a starts a new handshake.
sleep 11
n b nft add table inet t
n b nft add chain inet t in '{ type filter hook input priority 0; }'
n b nft add rule inet t in udp dport 2 drop
t0=$(tx a)
echo x | n a ncat -u -w1 --send-only 192.168.0.2 9 2>/dev/null
sleep 1
t1=$(tx a)
check "a sent the data" test "$t1" -gt "$t0"
sleep 12
check_eq "no handshake before 15 s" "$t1" "$(tx a)"
sleep 4
check_eq "a new initiation after 15 s without an answer" $((t1 + 148)) "$(tx a)"
finish
