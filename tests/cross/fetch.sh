#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/cross/fetch.sh [--update] ARCH [SERIES]
#
# Fetches what the tests need of a foreign architecture's stock Debian
# kernel (SERIES "6.1" by default) into the cache, without installing
# anything: nothing of the target architecture goes through dpkg -i.
#
#	$KMODS_CACHE/cross/apt/<arch>/	a private apt state (lists of the
#		host's Debian sources for <arch> alone; refreshed daily)
#	$KMODS_CACHE/cross/debs/<arch>/	the downloaded .deb files
#	$KMODS_CACHE/cross/kernels/<abi>/	linux-image-<abi>,
#		linux-headers-<abi> and its -common package, unpacked
#		together (dpkg -x); lib/modules/<abi> depmod'ed; the
#		flavour Makefile points at the unpacked -common copy and
#		usr/lib/linux-kbuild-* at the host's (amd64) one
#	$KMODS_CACHE/cross/sysroot/<arch>/	busybox-static, kmod and
#		kmod's libraries of the target, for the guest's initramfs
#	$KMODS_CACHE/cross/<arch>/<series>.env	KABI KIMAGE KMODDIR KROOT KDIR
#		KSYSROOT KDTB (tests/cross/lib.sh reads it)
#
# The ABI is the newest the archive offers for the architecture: what
# linux-headers-<flavour> (6.1) or linux-headers-<series>-<flavour>
# depends on. A second run downloads and unpacks nothing. Needs the host
# packages tests/setup.sh --arch ARCH installs (the amd64 linux-kbuild of
# the series; fdtput for armel). apt output goes to
# $KMODS_CACHE/cross/fetch.log.
#
# --update	refresh the apt lists even when they are less than a day old

set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
[ $# -ge 1 ] && [ $# -le 2 ] || kmods_die "usage: $0 [--update] ARCH [SERIES]"
kmods_arch_info "$1"
series=${2:-6.1}
arch=$KA_ARCH
[ "$arch" != x86_64 ] || kmods_die "x86_64 kernels come from tests/setup.sh"

C=$KMODS_CACHE/cross
A=$C/apt/$arch
LOG=$C/fetch.log
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/sources.list.d" \
	"$C/debs/$arch" "$C/kernels" "$C/sysroot" "$C/$arch"

# One fetch per architecture at a time (two test runs may share the cache).
exec 9>"$C/$arch.lock"
flock 9

# The host's Debian sources, restricted to $KA_DEB.
write_sources()
{
	local f out=$A/sources.list.d

	rm -f "$out"/*
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		sed -e '/^Architectures:/d' \
		    -e "s/^Types:.*/&\nArchitectures: $KA_DEB/" "$f" >"$out/${f##*/}"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n -e "s/^deb \[\([^]]*\)\] /deb [\1 arch=$KA_DEB] /p" \
		       -e "t" -e "s/^deb /deb [arch=$KA_DEB] /p" "$f" >"$out/${f##*/}.list"
	done
}

kmods_private_apt "$A"
APT+=(
	-o "Dir::Cache::pkgcache=pkgcache.bin"
	-o "Dir::Cache::srcpkgcache=srcpkgcache.bin"
	-o "APT::Architecture=$KA_DEB"
	-o "APT::Architectures::=$KA_DEB"
)
updated=0

apt_update()
{
	[ "$updated" = 0 ] || return 0
	: >"$A/status"
	write_sources
	kmods_log "apt-get update ($KA_DEB lists, in $A)"
	printf '\n### %s: apt-get update for %s\n' "$(date '+%F %T')" "$KA_DEB" >>"$LOG"
	# An inconsistent index (a mirror mid-sync) drops that suite only;
	# what the other suites offer is still usable.
	if ! apt-get -q "${APT[@]}" update >>"$LOG" 2>&1; then
		kmods_warn "apt-get update for $KA_DEB reported errors (see $LOG); going on with the indexes it got:"
		grep -E '^(E|Err):' "$LOG" | tail -n 4 | sed 's/^/    /' >&2
	fi
	touch "$A/updated"
	updated=1
}

# resolve_abi: set ABI from the headers metapackage.
resolve_abi()
{
	local meta dep

	if [ "$series" = 6.1 ]; then
		meta=linux-headers-$KA_FLAVOUR
	else
		meta=linux-headers-$series-$KA_FLAVOUR
	fi
	dep=$(apt-cache "${APT[@]}" depends --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances "$meta" 2>/dev/null | \
		awk '$1 ~ /^\|?Depends:$/ && $2 ~ /^linux-headers-/ { print $2; exit }') || dep=
	ABI=${dep#linux-headers-}
	case $ABI in
	"$series".*-"$KA_FLAVOUR"|"$series"-*-"$KA_FLAVOUR") return 0 ;;
	esac
	return 1
}

if [ "$update" = 1 ] || [ ! -e "$A/updated" ] || \
   [ -n "$(find "$A/updated" -mmin +1440)" ]; then
	apt_update
fi
if ! resolve_abi; then
	apt_update
	resolve_abi || kmods_die "no $series kernel for $KA_DEB (linux-headers-$KA_FLAVOUR resolves to '${ABI:-nothing}')"
fi

# fetch PKG...: download each package's candidate into debs/<arch> (once)
# and print the .deb paths.
fetch()
{
	local pkg ver deb p v
	local -A cand=()

	# One apt-cache call for all the candidates.
	while read -r p v; do
		cand[$p]=$v
	done < <(apt-cache "${APT[@]}" policy "$@" 2>/dev/null | \
		awk '/^[^ ]/ { p = $1; sub(/:$/, "", p) }
		     $1 == "Candidate:" { print p, $2 }')
	for pkg in "$@"; do
		ver=${cand[$pkg]:-}
		[ -n "$ver" ] && [ "$ver" != "(none)" ] || return 1
		deb=$(ls -1 "$C/debs/$arch/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1) || deb=
		if [ -z "$deb" ]; then
			kmods_log "downloading $pkg $ver ($KA_DEB)"
			(cd "$C/debs/$arch" && kmods_run_logged "apt-get download $pkg" \
				apt-get -q "${APT[@]}" download "$pkg=$ver") >&2
			deb=$(ls -1 "$C/debs/$arch/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1) || deb=
			[ -n "$deb" ] || kmods_die "apt-get download $pkg=$ver left no .deb"
		fi
		echo "$deb"
	done
}

# --- the kernel: image + headers + common headers, one tree per ABI ---------
image=$(fetch "linux-image-$ABI") || \
	image=$(fetch "linux-image-$ABI-unsigned") || \
	kmods_die "cannot download linux-image-$ABI for $KA_DEB (see $LOG)"
common=$(apt-cache "${APT[@]}" depends "linux-headers-$ABI" 2>/dev/null | \
	awk '$1 == "Depends:" && $2 ~ /^linux-headers-.*-common/ { print $2; exit }')
[ -n "$common" ] || kmods_die "linux-headers-$ABI depends on no -common package"
headers=$(fetch "linux-headers-$ABI" "$common") || \
	kmods_die "cannot download linux-headers-$ABI for $KA_DEB (see $LOG)"
debs=$(printf '%s\n' "$image" $headers | sed 's|.*/||')

K=$C/kernels/$ABI
if [ ! -f "$K/.igloo-kmods-extracted" ] || [ "$(cat "$K/.igloo-kmods-extracted")" != "$debs" ]; then
	kmods_log "unpacking the $ABI kernel and headers"
	tmp=$C/kernels/.tmp-$ABI
	rm -rf "$tmp"
	mkdir -p "$tmp"
	for deb in "$image" $headers; do
		dpkg -x "$deb" "$tmp" || kmods_die "dpkg -x $deb failed"
	done
	# vmlinuz, or an ELF vmlinux (ppc64el).
	[ -f "$tmp/boot/vmlinuz-$ABI" ] || [ -f "$tmp/boot/vmlinux-$ABI" ] || \
		kmods_die "$image has no boot/vmlinuz-$ABI"
	[ -d "$tmp/lib/modules/$ABI/kernel" ] || kmods_die "$image has no lib/modules/$ABI/kernel"
	hdr=$tmp/usr/src/linux-headers-$ABI
	[ -f "$hdr/Makefile" ] || kmods_die "linux-headers-$ABI has no Makefile"
	# scripts -> ../../lib/linux-kbuild-<v>/scripts: the host's amd64 one.
	kbuild=$(readlink "$hdr/scripts")
	kbuild=${kbuild%/scripts}
	kbuild=${kbuild##*/}
	[ -d "/usr/lib/$kbuild/scripts" ] || \
		kmods_die "/usr/lib/$kbuild missing (the host's linux-headers-amd64 brings linux-kbuild-6.1; run tests/setup.sh)"
	mkdir -p "$tmp/usr/lib"
	ln -sfn "/usr/lib/$kbuild" "$tmp/usr/lib/$kbuild"
	# The flavour Makefile includes the -common one by absolute path.
	sed -i "s|^include /usr/src/|include $K/usr/src/|" "$hdr/Makefile"
	grep -q "^include $K/" "$hdr/Makefile" || \
		kmods_die "unexpected $hdr/Makefile: $(head -c 200 "$hdr/Makefile")"
	kmods_run_logged "depmod for $ABI" depmod -b "$tmp" "$ABI"
	if [ "$arch" = armel ]; then
		# QEMU's raspi0 has the mini UART; the Zero's tree disables it.
		dtb=$tmp/usr/lib/linux-image-$ABI/bcm2835-rpi-zero.dtb
		[ -f "$dtb" ] || kmods_die "$image has no bcm2835-rpi-zero.dtb"
		command -v fdtput >/dev/null || kmods_die "fdtput missing (tests/setup.sh --arch armel)"
		cp "$dtb" "$tmp/kmods-rpi-zero.dtb"
		fdtput -t s "$tmp/kmods-rpi-zero.dtb" /soc/serial@7e215040 status okay || \
			kmods_die "fdtput on the rpi-zero device tree failed"
	fi
	echo "$debs" >"$tmp/.igloo-kmods-extracted"
	rm -rf "$K"
	mv "$tmp" "$K"
fi

# --- the target's user space for the initramfs --------------------------------
SYSPKGS="busybox-static kmod libc6 liblzma5 libzstd1 libssl3 libatomic1"
# shellcheck disable=SC2086
sysdebs=$(fetch $SYSPKGS) || kmods_die "cannot download $SYSPKGS for $KA_DEB (see $LOG)"
S=$C/sysroot/$arch
want=$(printf '%s\n' $sysdebs | sed 's|.*/||')
if [ ! -f "$S/.igloo-kmods-extracted" ] || [ "$(cat "$S/.igloo-kmods-extracted")" != "$want" ]; then
	kmods_log "unpacking busybox and kmod for $KA_DEB"
	tmp=$C/sysroot/.tmp-$arch
	rm -rf "$tmp"
	mkdir -p "$tmp"
	for deb in $sysdebs; do
		dpkg -x "$deb" "$tmp" || kmods_die "dpkg -x $deb failed"
	done
	[ -x "$tmp/bin/busybox" ] && [ -x "$tmp/bin/kmod" ] || \
		kmods_die "busybox-static or kmod for $KA_DEB has no /bin/busybox or /bin/kmod"
	echo "$want" >"$tmp/.igloo-kmods-extracted"
	rm -rf "$S"
	mv "$tmp" "$S"
fi

dtb=
[ "$arch" != armel ] || dtb=$K/kmods-rpi-zero.dtb
img=$K/boot/vmlinuz-$ABI
[ -f "$img" ] || img=$K/boot/vmlinux-$ABI
{
	echo "# Written by tests/cross/fetch.sh $arch $series"
	printf 'KABI=%q\n' "$ABI"
	printf 'KIMAGE=%q\n' "$img"
	printf 'KMODDIR=%q\n' "$K/lib/modules/$ABI"
	printf 'KROOT=%q\n' "$K"
	printf 'KDIR=%q\n' "$K/usr/src/linux-headers-$ABI"
	printf 'KSYSROOT=%q\n' "$S"
	printf 'KDTB=%q\n' "$dtb"
} >"$C/$arch/$series.env.tmp"
mv "$C/$arch/$series.env.tmp" "$C/$arch/$series.env"
echo "$C/$arch/$series.env"
