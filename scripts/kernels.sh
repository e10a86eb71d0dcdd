#!/bin/bash
# Resolve the Debian kernel packages this project builds and tests against.
# Never hard-code an ABI number: ask apt-cache which packages the
# meta-packages point at today.
#
#   scripts/kernels.sh kver 6.1|6.12      -> kernel release, e.g. 6.1.0-56-amd64
#   scripts/kernels.sh cachedir 6.1|6.12  -> unpacked image dir under the cache
#   scripts/kernels.sh kver kasan|kcsan|uml -> release of a debug kernel built
#                                          by scripts/debug-kernel.sh
#
# 6.1: the release that linux-image-amd64/linux-headers-amd64 (bookworm's
# default) depend on. 6.12: the newest 6.12 release for which both the
# headers and the image package exist.
set -euo pipefail

KWG_CACHE=${KWG_CACHE:-/var/cache/kwg}

meta_dep() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-[a-z]*-\)\(.*\)$/\2/p' | head -n1
}

resolve_kver() {
	local series=$1 kver cand
	# Prefer what is already installed so that an offline re-run works.
	case $series in
	6.1)
		kver=$(meta_dep linux-headers-amd64)
		[[ $kver == 6.1.* ]] || kver=""
		;;
	6.12)
		kver=""
		for cand in $(apt-cache pkgnames linux-headers-6.12. 2>/dev/null |
			sed -n 's/^linux-headers-\(6\.12\.[0-9]*+deb[0-9]*-amd64\)$/\1/p' |
			sort -V -r); do
			if apt-cache show "linux-image-$cand" >/dev/null 2>&1 ||
			   apt-cache show "linux-image-$cand-unsigned" >/dev/null 2>&1; then
				kver=$cand
				break
			fi
		done
		;;
	*)
		echo "unknown kernel series: $series (want 6.1 or 6.12)" >&2
		return 1
		;;
	esac
	if [[ -z $kver ]]; then
		# No apt lists: fall back to the newest installed headers.
		kver=$(ls -d /usr/src/linux-headers-"$series".*-amd64 2>/dev/null |
			sed 's#.*/linux-headers-##' | grep -v -- '-rt-\|-cloud-' |
			sort -V | tail -n1)
	fi
	[[ -n $kver ]] || { echo "cannot resolve a $series kernel (run apt-get update)" >&2; return 1; }
	echo "$kver"
}

case ${1:-} in
# The debug kernels (scripts/debug-kernel.sh) are named by their flavour.
kver) case $2 in kasan|kcsan|uml) "$(dirname "$0")/debug-kernel.sh" kver "$2" ;; *) resolve_kver "$2" ;; esac ;;
cachedir) echo "$KWG_CACHE/kernels/$(resolve_kver "$2")" ;;
*) echo "usage: $0 kver|cachedir 6.1|6.12" >&2; exit 2 ;;
esac
