#!/bin/bash
# Build (or reuse) the base initramfs for one test kernel: busybox, the
# host's own binaries with their libraries, and the kernel modules the
# suites need -- everything except what changes per run (our module, our
# tools, the guest init and the suite), which vm.sh appends as a second
# cpio archive. The kernel unpacks concatenated archives in order.
# The real clients (python3 with pyroute2 and PyYAML, systemd-networkd,
# D-Bus, NetworkManager) triple the image's size, so they are a second image of
# their own that vm.sh adds only for suites with a "clients=yes" header.
#
#   tests/vm/initramfs.sh <kernel release> [base|clients]  -> prints the cpio's path
set -euo pipefail

kver=$1 part=${2:-base}
case $part in
base | clients) ;;
*) echo "usage: $0 <kernel release> [base|clients]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
KWG_CACHE=${KWG_CACHE:-/var/cache/kwg}
kdir=$KWG_CACHE/kernels/$kver
[[ -d $kdir/lib/modules/$kver ]] ||
	{ echo "initramfs: kernel $kver is not unpacked in $kdir (run make deps)" >&2; exit 1; }

# Binaries copied from the host, dereferenced, at the same paths.
binaries=(
	/usr/bin/bash /usr/sbin/ip /usr/bin/ss /usr/sbin/tc /usr/sbin/bridge
	/usr/bin/iperf3 /usr/bin/ping /usr/bin/ncat /usr/sbin/nft
	/usr/sbin/iptables /usr/sbin/iptables-restore /usr/sbin/iptables-save
	/usr/sbin/ip6tables /usr/sbin/ip6tables-restore /usr/sbin/ip6tables-save
	/usr/bin/wireguard-go /usr/sbin/sysctl
	/usr/bin/kmod /usr/bin/timeout /usr/bin/stat /usr/bin/sort
	/usr/bin/mktemp /usr/bin/date /usr/bin/cut /usr/bin/tr /usr/bin/head
	/usr/bin/tail /usr/bin/wc /usr/bin/seq /usr/bin/od /usr/bin/base64
	/usr/bin/sha256sum /usr/bin/tee /usr/bin/env /usr/bin/stdbuf
	/usr/bin/grep /usr/bin/sed /usr/bin/mawk /usr/bin/diff /usr/bin/cmp
	/usr/bin/find /usr/bin/xargs /usr/bin/readlink /usr/bin/realpath
	/usr/bin/tcpdump /usr/bin/nice
	# wg-quick add-peer, remove-peer and reresolve; the reresolve suite's
	# DNS server
	/usr/bin/flock /usr/bin/iconv /usr/bin/getent /usr/bin/qrencode
	/usr/sbin/dnsmasq
)
# Debian's wireguard-tools: the reference `wg` and `wg-quick`.
reference=(/usr/bin/wg /usr/bin/wg-quick)
# The real clients that suites/client-*.sh drive (installed by make deps;
# whichever is missing on the host is left out, and its suite fails saying
# so): Debian's python3 with pyroute2 and PyYAML, systemd with systemd-networkd, the
# D-Bus system bus and NetworkManager.
clients=(
	/usr/bin/python3.11 /usr/lib/python3/dist-packages/pyroute2
	/usr/lib/python3/dist-packages/yaml
	/usr/lib/systemd/systemd /usr/bin/systemctl /usr/lib/systemd/systemd-networkd
	/usr/bin/networkctl /usr/bin/dbus-daemon /usr/sbin/NetworkManager /usr/bin/nmcli
)
# Loaded on demand inside the guest; dependencies are resolved below.
modules=(
	wireguard veth dummy tun vrf virtio_net virtio_pci sch_netem nlmon
	udp_tunnel ip6_udp_tunnel
	nf_tables nft_nat nft_masq nft_chain_nat nft_ct nft_fib_inet nft_objref
	nft_fib_ipv4 nft_fib_ipv6 nft_reject_inet nft_compat nf_nat
	nf_conntrack ip_tables iptable_filter iptable_nat iptable_mangle
	iptable_raw ip6_tables ip6table_filter ip6table_nat ip6table_mangle
	ip6table_raw xt_MASQUERADE xt_conntrack xt_mark xt_comment
	xt_addrtype xt_connmark xt_nat xt_multiport xt_state xt_tcpudp
	ipt_REJECT ip6t_REJECT nf_reject_ipv4 nf_reject_ipv6
	# IPsec on the outer path (dp-batch-xfrm): ESP in transport mode with
	# cbc(aes) and hmac(sha256) (built in), its IV generator, ip xfrm's
	# netlink family; the default RNG that seeds the IV generator, and
	# what its self-tests use (modules on 6.1, built into 6.12)
	xfrm_user esp4 esp6 authenc echainiv drbg ctr sha512_generic
)

key=$( {
	echo "$kver $part"; cat "$0"
	if [[ $part == clients ]]; then
		for f in "${clients[@]}"; do
			[[ -e $f ]] && stat -L -c '%n %s %Y' "$f"
		done
	else
		# A debug kernel is rebuilt under the same release name.
		stat -c '%n %Y' "$kdir/boot/vmlinuz-$kver"
		for f in "${binaries[@]}" "${reference[@]}" /usr/bin/busybox; do
			stat -L -c '%n %s %Y' "$f"
		done
	fi
} | sha256sum | cut -c1-16)
out=$KWG_CACHE/initramfs/$kver-$part-$key.cpio
# Images kept per release and part (about 40 MB each).
IMAGES_KEPT=4
mkdir -p "$KWG_CACHE/initramfs"
exec 9>"$KWG_CACHE/initramfs/$kver.lock"
flock 9
if [[ -f $out ]]; then
	# Used now: the cleanup below keeps the images used last.
	touch "$out"
	echo "$out"
	exit 0
fi

mkdir -p "$KWG_CACHE/initramfs"
root=$(mktemp -d "$KWG_CACHE/initramfs/root.XXXXXX")
trap 'rm -rf "$root"' EXIT

# Debian 12 is merged-/usr: mirror that so library paths stay valid.
mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{dev,proc,sys,tmp,run,etc,root,var,opt}
for d in bin sbin lib lib64; do ln -s usr/$d "$root/$d"; done
ln -s ../run "$root/var/run"
mkdir -p "$root/opt/debian/bin" "$root/opt/kwg/bin"

copy_file() {	# copy_file <host path> [<guest path>]
	local dst=$root${2:-$1}
	mkdir -p "$(dirname "$dst")"
	cp -L "$1" "$dst"
}

copy_libs() {
	local lib
	# Scripts have no libraries: ldd fails on them, which is fine.
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' || true); do
		[[ -e $root$lib ]] || copy_file "$lib"
	done
}

# The real clients (suites/client-*.sh), each with what it loads at run time.
copy_tree() {	# copy_tree <host dir> [find args...]: a directory, its libraries
	local d=$1 f
	shift
	[[ -d $d ]] || return 0
	mkdir -p "$root$d"
	(cd "$d" && find . "$@" -print0 | cpio --null -pdmu --quiet "$root$d")
	find "$root$d" -name '*.so*' -type f | while read -r f; do copy_libs "$f"; done
}

add_clients() {
	if [[ -x /usr/bin/python3.11 && -d /usr/lib/python3/dist-packages/pyroute2 ]]; then
		copy_file /usr/bin/python3.11
		copy_libs /usr/bin/python3.11
		ln -s python3.11 "$root/usr/bin/python3"
		# The standard library without what no client imports (the static
		# libpython alone is 24 MiB).
		copy_tree /usr/lib/python3.11 \( -path ./config-3.11-x86_64-linux-gnu -o -path ./test \
			-o -path ./lib2to3 -o -path ./pydoc_data -o -path ./idlelib -o -path ./tkinter \
			-o -path ./turtledemo -o -path ./ensurepip -o -path ./distutils \) -prune -o
		# With their metadata: pyroute2 finds its own classes as entry points.
		# PyYAML: the kernel's YNL library (cli.py) reads its spec with it.
		for d in /usr/lib/python3/dist-packages/{pyroute2,psutil,yaml,_yaml,PyYAML}*; do
			copy_tree "$d"
		done
	fi
	if [[ -x /usr/lib/systemd/systemd && -x /usr/lib/systemd/systemd-networkd ]]; then
		for f in /usr/lib/systemd/systemd /usr/bin/systemctl /usr/lib/systemd/systemd-networkd \
			 /usr/bin/networkctl /usr/bin/busctl; do
			[[ -e $f ]] && { copy_file "$f"; copy_libs "$f"; }
		done
		# systemd's private libraries, found through RUNPATH.
		copy_tree /usr/lib/x86_64-linux-gnu/systemd
		mkdir -p "$root/usr/lib/systemd/system"
		cp /usr/lib/systemd/system/*.target /usr/lib/systemd/system/*.slice \
			/usr/lib/systemd/system/systemd-networkd.service /usr/lib/systemd/system/systemd-networkd.socket \
			"$root/usr/lib/systemd/system/"
		cp /etc/os-release "$root/etc/os-release" 2>/dev/null || cp /usr/lib/os-release "$root/etc/os-release"
	fi
	if [[ -x /usr/bin/dbus-daemon ]]; then
		copy_file /usr/bin/dbus-daemon
		copy_libs /usr/bin/dbus-daemon
		copy_tree /usr/share/dbus-1
	fi
	if [[ -x /usr/sbin/NetworkManager && -x /usr/bin/nmcli ]]; then
		for f in /usr/sbin/NetworkManager /usr/bin/nmcli; do
			copy_file "$f"
			copy_libs "$f"
		done
		copy_tree /usr/lib/NetworkManager
		# Device and settings plugins: none is needed for WireGuard, which is
		# built into the daemon; the directory must exist.
		mkdir -p "$root/usr/lib/x86_64-linux-gnu/NetworkManager"
	fi
}

write_image() {
	local tmp=$out.tmp.$$
	(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) > "$tmp"
	mv "$tmp" "$out"
	# Older images of this release and part: another working tree on
	# this machine (a helper's, a fresh clone's) may be booting one, so
	# the few used last stay and only the rest go.
	# shellcheck disable=SC2012 # names of our own making: no newlines
	ls -t "$KWG_CACHE/initramfs/$kver-$part-"*.cpio | tail -n +$((IMAGES_KEPT + 1)) |
		xargs -r rm -f --
	echo "$out"
}

if [[ $part == clients ]]; then
	add_clients
	write_image
	exit 0
fi

for f in "${binaries[@]}"; do
	copy_file "$f"
	copy_libs "$f"
done
for f in "${reference[@]}"; do
	copy_file "$f" "/opt/debian/bin/$(basename "$f")"
	copy_libs "$f"
done

ln -s mawk "$root/usr/bin/awk"
# busybox's sh runs its own applets in preference to the real tools.
ln -s bash "$root/usr/bin/sh"
for t in modprobe insmod rmmod lsmod depmod modinfo; do
	ln -s ../bin/kmod "$root/usr/sbin/$t"
done
# dlopen()ed at run time, so ldd does not see them.
cp -a /usr/lib/x86_64-linux-gnu/xtables "$root/usr/lib/x86_64-linux-gnu/"
for lib in /usr/lib/x86_64-linux-gnu/xtables/*.so; do copy_libs "$lib"; done
for lib in /usr/lib/x86_64-linux-gnu/libnss_{files,dns}.so.2; do
	[[ -e $lib ]] && copy_file "$lib"
done
[[ -d /etc/iproute2 ]] && cp -a /etc/iproute2 "$root/etc/"
cp /etc/protocols /etc/services "$root/etc/"

# busybox fills in every command not copied above.
copy_file /usr/bin/busybox /usr/bin/busybox
/usr/bin/busybox --list-full | while read -r applet; do
	name=$(basename "$applet")
	[[ -e $root/usr/bin/$name || -e $root/usr/sbin/$name ]] && continue
	ln -s /usr/bin/busybox "$root/usr/bin/$name"
done

cat > "$root/etc/passwd" <<'EOT'
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOT
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"
: > "$root/etc/resolv.conf"

# Kernel modules: the closure of the list above. wireguard.ko itself is
# left out: vm.sh adds ours or the stock one per run.
kmods=$kdir/lib/modules/$kver
[[ -f $kmods/modules.dep ]] || depmod -b "$kdir" "$kver"
mkdir -p "$root/lib/modules/$kver"
cp "$kmods"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/"
for m in "${modules[@]}"; do
	# Built in (or merged into another module) in one series: nothing to copy.
	modprobe -d "$kdir" -S "$kver" --show-depends "$m" 2>/dev/null |
		sed -n 's/^insmod \([^ ]*\).*/\1/p' || true
done | sort -u | while read -r path; do
	rel=${path#"$kdir"}
	case $rel in */wireguard/wireguard.ko*) continue ;; esac
	copy_file "$path" "$rel"
done
# The stock module, kept aside for runs against it (the debug kernels have
# none: they test our module only).
stock=$(find "$kmods/kernel/drivers/net" -path '*/wireguard/wireguard.ko*' | head -n1)
[[ -z $stock ]] || copy_file "$stock" "/opt/debian/$(basename "$stock")"

write_image
