#!/bin/bash
# Install every Debian package that building, testing and benchmarking kwg
# need, on a fresh Debian 12 machine, and unpack the two test kernels'
# images into the cache. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

KWG_CACHE=${KWG_CACHE:-/var/cache/kwg}
export DEBIAN_FRONTEND=noninteractive

SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo

if [[ -z $(apt-cache pkgnames linux-headers-6.12 2>/dev/null | head -n1) ]]; then
	$SUDO apt-get update
fi

K61=$(scripts/kernels.sh kver 6.1)
K612=$(scripts/kernels.sh kver 6.12)

pkgs=(
	# build
	build-essential make gcc libc6-dev pkg-config rsync libmnl-dev libsodium-dev
	bc bison flex libelf-dev libssl-dev dwarves kmod python3 xz-utils
	"linux-headers-$K61" "linux-headers-$K612" linux-source-6.1
	# checks (systemd: systemd-analyze verify of the units, and the
	# systemd that the unit test boots in a guest)
	sparse clang llvm libclang-rt-14-dev perl systemd
	# VM harness
	qemu-system-x86 busybox-static cpio
	# guest userland, copied from the host into the initramfs
	bash iproute2 iperf3 iputils-ping ncat nftables iptables procps tcpdump
	# wg-quick add-peer --qr runs qrencode; its tests decode the QR codes
	# with zbarimg; the reresolve test serves names with dnsmasq (the
	# program alone: the dnsmasq package would also start a DNS server on
	# this machine)
	qrencode zbar-tools dnsmasq-base
	# reference peers (and make bench's wireguard-go)
	wireguard-tools wireguard-go
	# make bench's charts (bench/report draws them with gnuplot); make
	# profile's perf, which runs in the guest
	gnuplot-nox linux-perf
	# real clients driven in the guest (tests/vm/suites/client-*.sh):
	# pyroute2, systemd-networkd (systemd, above) with the D-Bus system bus,
	# NetworkManager
	python3-pyroute2 dbus network-manager
	# packaging (make deb, make debtest)
	dkms debhelper dh-dkms lintian debootstrap zstd
	# the YNL spec's checks (tests/host/ynl): the kernel's YNL tooling and
	# its schemas from the 6.12 source package
	linux-source-6.12 python3-yaml python3-jsonschema
)
$SUDO apt-get install -y --no-install-recommends "${pkgs[@]}"

# The test kernels' images: unpacked into the cache for the VMs, whether or
# not one is installed (the 6.12 headers package depends on its image, so
# apt installs that one; the 6.1 headers do not).
for kver in "$K61" "$K612"; do
	dir=$KWG_CACHE/kernels/$kver
	[[ -f $dir/.unpacked ]] && continue
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	pkg=linux-image-$kver
	apt-cache show "$pkg" >/dev/null 2>&1 || pkg=$pkg-unsigned
	(cd "$tmp" && apt-get download "$pkg")
	$SUDO rm -rf "$dir"
	$SUDO mkdir -p "$dir"
	$SUDO dpkg -x "$tmp"/*.deb "$dir"
	rm -rf "$tmp"
	$SUDO touch "$dir/.unpacked"
done
echo "deps: ready (kernels $K61 and $K612 in $KWG_CACHE/kernels)"
