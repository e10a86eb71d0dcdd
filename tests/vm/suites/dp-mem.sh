#!/bin/bash
# kwg-vm: stock=yes timeout=400
# Memory per peer and per allowed IP, from the kernel's slab and per-CPU
# counters, with 10,000 peers and then 100,000 more allowed IPs. Prints the
# numbers ("# mem: ...") and checks they stay within a sane bound.
. /kwg/lib.sh
. /kwg/common/topo.sh

# Slab plus per-CPU memory, in bytes.
kmem() {
	sync; echo 3 >/proc/sys/vm/drop_caches
	awk '/^Slab:|^Percpu:/ { s += $2 } END { print s * 1024 }' /proc/meminfo
}

ip link add wg0 type wireguard
wg set wg0 private-key <(wg genkey)
randkeys 10000 >/tmp/keys
awk '{ printf "[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.%d/32\n", $1, int((NR-1) / 65536), int((NR-1) / 256) % 256, (NR-1) % 256 }' \
	/tmp/keys >/tmp/peers.conf
awk '{ printf "[Peer]\nPublicKey = %s\n", $1; for (j = 1; j <= 10; j++) printf "AllowedIPs = fd00:%x:%x::%x/128\n", j, NR, j }' \
	/tmp/keys >/tmp/ips.conf
sleep 1
m0=$(kmem)
check "10,000 peers" wg addconf wg0 /tmp/peers.conf
m1=$(kmem)
check "100,000 more allowed IPs" wg addconf wg0 /tmp/ips.conf
m2=$(kmem)
check_eq "all peers are there" 10000 "$(wg show wg0 peers | wc -l)"
per_peer=$(((m1 - m0) / 10000))
per_ip=$(((m2 - m1) / 100000))
echo "# mem: module $KWG_MODULE kernel $KWG_KVER cpus $KWG_NCPUS: $per_peer bytes per peer (with one allowed IP), $per_ip bytes per allowed IP"
if debug_kernel; then
	# Red zones, allocation tracking and KASAN's metadata inflate every
	# slab object: the bounds are about production kernels.
	skip "under 8 KiB per peer (debug kernel: allocator debugging inflates objects; $per_peer measured)"
	skip "under 512 bytes per allowed IP (debug kernel: allocator debugging inflates objects; $per_ip measured)"
else
	check "under 8 KiB per peer" test "$per_peer" -lt 8192
	check "under 512 bytes per allowed IP" test "$per_ip" -lt 512
fi
check "deleting the device frees them" ip link del wg0
finish
