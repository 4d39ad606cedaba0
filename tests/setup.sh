#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/setup.sh [--print-kernels] [--arch ARCH]... [--all-arches]
#	[--series SERIES]
#
# Installs what the igloo_kmods tests need on a Debian 12 amd64 host and
# fetches the stock Debian kernels the QEMU tests boot.  Idempotent; when
# everything is present it only resolves the kernel ABIs (one apt-cache
# call) and returns.
#
# --arch ARCH (arm64 armhf armel mipsel mips64el ppc64el i386; repeatable) also
# installs that architecture's host packages (cross compilers, the target
# libc for static programs, qemu-system-*; tests/cross/lib.sh lists them)
# and fetches its kernel SERIES (default 6.1) with tests/cross/fetch.sh.
# --all-arches: every architecture tests/arch.sh tests. --cross-only:
# skip the amd64 kernels (tests/cross/lib.sh uses it for a cross build).
#
# The 32-bit x86 test program is built with gcc-12-multilib, not
# gcc-multilib, which conflicts with every Debian cross compiler.
#
# For each kernel flavour the ABI is what the flavour's headers
# metapackage depends on (6.1: linux-headers-amd64, 6.12:
# linux-headers-6.12-amd64).  linux-headers-<abi> is installed with apt;
# linux-image-<abi> is only downloaded (apt-get download) and unpacked
# with dpkg -x into $KMODS_CACHE/kernels/<abi>/ (boot/vmlinuz-<abi>, a
# "vmlinuz" symlink to it, lib/modules/<abi>/ with depmod run on it).
#
# Writes $KMODS_CACHE/kernels.list, one line per flavour:
#	<flavour> <abi> <vmlinuz path> <modules dir> <headers build dir>
# --print-kernels prints that list on stdout after setting up.
#
# $IGLOO_KMODS_CACHE overrides the cache directory (~/.cache/igloo_kmods).
# apt output goes to $KMODS_CACHE/setup.log.

set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HOST_PACKAGES="
	qemu-system-x86 busybox-static linux-headers-amd64
	linux-headers-6.12-amd64 sparse dkms gcc-12-multilib kmod cpio gzip
	zstd xz-utils libyaml-dev linux-source-6.1 ccache bc flex bison
	libelf-dev libssl-dev make gcc libc6-dev file python3 coreutils
	codespell python3-docutils python3-yaml
"

# flavour:headers-metapackage
FLAVOUR_META="6.1:linux-headers-amd64 6.12:linux-headers-6.12-amd64"

print=0 arches=() series=6.1 cross_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--print-kernels) print=1; shift ;;
	--arch) arches+=("$(kmods_arch_canon "${2:?}")"); shift 2 ;;
	--all-arches) read -r -a arches <<<"$KMODS_CROSS_ARCHES"; shift ;;
	--series) series=${2:?}; shift 2 ;;
	--cross-only) cross_only=1; shift ;;
	-h|--help)
		sed -n '3,34s/^# \{0,1\}//p' "$0"
		exit 0 ;;
	*)
		kmods_die "unknown argument '$1' (usage: $0 [--print-kernels] [--arch ARCH]... [--all-arches] [--series SERIES] [--cross-only])" ;;
	esac
done

export DEBIAN_FRONTEND=noninteractive
LOG=$KMODS_CACHE/setup.log

mkdir -p "$KMODS_CACHE/debs" "$KMODS_CACHE/kernels" || \
	kmods_die "cannot create cache directory $KMODS_CACHE"

# --- 1. host packages ------------------------------------------------------
for a in ${arches[@]+"${arches[@]}"}; do
	kmods_arch_info "$a"
	[ "$KA_ARCH" = x86_64 ] || HOST_PACKAGES="$HOST_PACKAGES $KA_HOST_PACKAGES"
done
# shellcheck disable=SC2086
missing=$(kmods_missing_packages $HOST_PACKAGES)
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	kmods_apt_install $missing
fi

# --- 2. other architectures' kernels (tests/cross/fetch.sh) -----------------
# Architectures Debian does not ship (KA_SELFBUILT) get a kernel and a
# busybox built here instead.
# penguin's 4.10 on arm64, armel and mipsel (KA_KBUILT) builds its kernel
# too.
# shellcheck disable=SC2034 # read by kmods_arch_info (tests/cross/lib.sh)
KMODS_SERIES=$series
for a in ${arches[@]+"${arches[@]}"}; do
	[ "$a" = x86_64 ] && continue
	kmods_arch_info "$a"
	if [ -n "$KA_KBUILT" ]; then
		kmods_kbuilt_kernel_info "$series"
		continue
	fi
	if [ -n "$KA_SELFBUILT" ]; then
		kmods_selfbuilt_kernel_info "$series"
		continue
	fi
	"$KMODS_TESTS/cross/fetch.sh" "$a" "$series" >/dev/null || \
		kmods_die "tests/cross/fetch.sh $a $series failed"
done
# --cross-only: not the amd64 kernels (a cross build needs none of them).
[ "$cross_only" = 0 ] || exit 0

# --- 3. resolve the ABI of each flavour --------------------------------------
# resolve_abis: sets ABI_<n> for each flavour from one apt-cache call.
declare -A ABI
resolve_abis()
{
	local metas="" fm out meta dep flavour
	for fm in $FLAVOUR_META; do
		metas="$metas ${fm#*:}"
	done
	# shellcheck disable=SC2086
	out=$(apt-cache depends --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances $metas 2>/dev/null) || out=
	for fm in $FLAVOUR_META; do
		flavour=${fm%%:*}
		meta=${fm#*:}
		# The block for $meta: its first "Depends: linux-headers-*".
		dep=$(awk -v m="$meta" '
			/^[^ ]/ { cur = $1; next }
			cur == m && $1 ~ /^\|?Depends:$/ && $2 ~ /^linux-headers-/ {
				print $2; exit
			}' <<<"$out")
		ABI[$flavour]=${dep#linux-headers-}
	done
}

abis_ok()
{
	local fm flavour abi
	for fm in $FLAVOUR_META; do
		flavour=${fm%%:*}
		abi=${ABI[$flavour]:-}
		# Sanity: "6.1" must resolve to 6.1.*, "6.12" to 6.12.*.
		case $abi in
		"$flavour".*-amd64|"$flavour"-*-amd64) ;;
		*) return 1 ;;
		esac
	done
}

resolve_abis
if ! abis_ok; then
	kmods_apt_update
	resolve_abis
	abis_ok || {
		for fm in $FLAVOUR_META; do
			kmods_warn "flavour ${fm%%:*}: ${fm#*:} depends on '${ABI[${fm%%:*}]:-nothing}'"
		done
		kmods_die "cannot resolve the kernel ABIs from the headers metapackages"
	}
fi

# --- 4. headers + image per flavour ------------------------------------------
# fetch_image ABI: download linux-image-ABI (signed, else -unsigned) and
# unpack it into $KMODS_CACHE/kernels/ABI.
fetch_image()
{
	local abi=$1 dest=$KMODS_CACHE/kernels/$1 tmp pkg deb try ok=0 ver

	cd "$KMODS_CACHE/debs"
	for try in 1 2; do
		for pkg in "linux-image-$abi" "linux-image-$abi-unsigned"; do
			ver=$(apt-cache policy "$pkg" 2>/dev/null | \
				awk '$1 == "Candidate:" { print $2 }')
			[ -n "$ver" ] && [ "$ver" != "(none)" ] || continue
			deb=$(ls -1 "${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1) || deb=
			if [ -z "$deb" ]; then
				kmods_log "downloading $pkg $ver"
				printf '\n### %s: apt-get download %s\n' "$(date '+%F %T')" "$pkg" >>"$LOG"
				apt-get -q download "$pkg=$ver" >>"$LOG" 2>&1 || continue
				deb=$(ls -1 "${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1) || deb=
			fi
			[ -n "$deb" ] && { ok=1; break 2; }
		done
		[ "$try" = 1 ] && [ "$KMODS_APT_UPDATED" = 0 ] || break
		kmods_apt_update
	done
	[ "$ok" = 1 ] || kmods_die "cannot download linux-image-$abi (see $LOG)"

	tmp=$KMODS_CACHE/kernels/.tmp-$abi
	rm -rf "$tmp"
	mkdir -p "$tmp"
	dpkg -x "$deb" "$tmp" || kmods_die "dpkg -x $deb failed"
	# Bookworm packages use /lib/modules; accept /usr/lib/modules too.
	if [ ! -d "$tmp/lib/modules/$abi" ] && [ -d "$tmp/usr/lib/modules/$abi" ]; then
		mkdir -p "$tmp/lib/modules"
		mv "$tmp/usr/lib/modules/$abi" "$tmp/lib/modules/$abi"
	fi
	[ -f "$tmp/boot/vmlinuz-$abi" ] || kmods_die "$deb has no boot/vmlinuz-$abi"
	[ -d "$tmp/lib/modules/$abi/kernel" ] || kmods_die "$deb has no lib/modules/$abi/kernel"
	ln -sfn "boot/vmlinuz-$abi" "$tmp/vmlinuz"
	kmods_run_logged "depmod for $abi" depmod -b "$tmp" "$abi"
	echo "${deb##*/}" >"$tmp/.igloo-kmods-extracted"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	cd - >/dev/null
}

list_tmp=$KMODS_CACHE/kernels.list.tmp.$$
: >"$list_tmp"
for fm in $FLAVOUR_META; do
	flavour=${fm%%:*}
	abi=${ABI[$flavour]}

	if [ -n "$(kmods_missing_packages "linux-headers-$abi")" ] || \
	   [ ! -f "/lib/modules/$abi/build/Makefile" ]; then
		kmods_apt_install "linux-headers-$abi"
	fi
	[ -f "/lib/modules/$abi/build/Makefile" ] || \
		kmods_die "linux-headers-$abi installed but /lib/modules/$abi/build/Makefile is missing"

	kroot=$KMODS_CACHE/kernels/$abi
	if [ ! -f "$kroot/.igloo-kmods-extracted" ] || [ ! -f "$kroot/vmlinuz" ] || \
	   [ ! -f "$kroot/lib/modules/$abi/modules.dep" ]; then
		fetch_image "$abi"
	fi
	echo "$flavour $abi $kroot/boot/vmlinuz-$abi $kroot/lib/modules/$abi /lib/modules/$abi/build" >>"$list_tmp"
done
mv "$list_tmp" "$KMODS_CACHE/kernels.list"

if [ "$print" = 1 ]; then
	cat "$KMODS_CACHE/kernels.list"
fi
