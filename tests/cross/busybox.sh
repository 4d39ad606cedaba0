#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/cross/busybox.sh ARCH
#
# Builds a static busybox for ARCH from Debian 12's busybox source package,
# configured as Debian's busybox-static (debian/config/os/linux plus
# debian/config/pkg/static, Debian's patches applied), for architectures
# Debian ships no user space for (mipseb), into the sysroot the guest's
# initramfs takes it from, and prints its path:
#	$KMODS_CACHE/cross/busybox/<ARCH>/sysroot/bin/busybox
# A binary that exists is not rebuilt. The source comes through a private
# apt state with the host's Debian sources as deb-src lines
# ($KMODS_CACHE/cross/apt-src/); logs go to $KMODS_CACHE/cross/busybox.log.

set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ $# = 1 ] || kmods_die "usage: $0 ARCH"
kmods_arch_info "$1"
[ -n "$KA_CROSS" ] || kmods_die "$KA_ARCH: not a cross architecture"

C=$KMODS_CACHE/cross
out=$C/busybox/$KA_ARCH
bin=$out/sysroot/bin
A=$C/apt-src
LOG=$C/busybox.log
if [ -x "$bin/busybox" ]; then
	echo "$bin/busybox"
	exit 0
fi
mkdir -p "$bin" "$A/lists/partial" "$A/cache/archives/partial" \
	"$A/sources.list.d" "$C/src"
exec 9>"$C/busybox.lock"
flock 9
if [ -x "$bin/busybox" ]; then
	echo "$bin/busybox"
	exit 0
fi

command -v "$KA_CC" >/dev/null || \
	kmods_die "no $KA_CC (tests/setup.sh --arch $KA_ARCH installs it)"

# --- the source package --------------------------------------------------------
kmods_private_apt "$A"
dl=$C/src/busybox
mkdir -p "$dl"
if ! ls "$dl"/busybox_*.dsc >/dev/null 2>&1; then
	rm -f "$A/sources.list.d"/*
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		sed -e 's/^Types:.*/Types: deb-src/' "$f" >"$A/sources.list.d/${f##*/}"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n -e 's/^deb \(\[[^]]*\] \)\{0,1\}/deb-src /p' "$f" \
			>"$A/sources.list.d/${f##*/}.list"
	done
	: >"$A/status"
	kmods_log "apt-get update (source lists, in $A)"
	kmods_run_logged "apt-get update (deb-src)" apt-get -q "${APT[@]}" update
	kmods_log "apt-get source --download-only busybox"
	(cd "$dl" && kmods_run_logged "apt-get source busybox" \
		apt-get -q "${APT[@]}" source --download-only busybox)
fi
orig=$(ls "$dl"/busybox_*.orig.tar.* | head -n1)
deb=$(ls "$dl"/busybox_*.debian.tar.* | head -n1)

src=$out/src
rm -rf "$src"
mkdir -p "$src"
tar -xf "$orig" -C "$src" --strip-components=1
tar -xf "$deb" -C "$src"
while read -r p; do
	case $p in
	''|'#'*) continue ;;
	esac
	kmods_run_logged "patch $p" patch -d "$src" -p1 -i "debian/patches/$p"
done <"$src/debian/patches/series"

# --- configure and build ---------------------------------------------------------
cat "$src/debian/config/os/linux" "$src/debian/config/pkg/static" >"$src/.config"
bb=(make -C "$src" CROSS_COMPILE="$KA_CROSS" CC="$KA_CC" -j"$(nproc)")
kmods_log "building busybox for $KA_ARCH ($KA_CC; log: $LOG)"
kmods_run_logged "busybox oldconfig" \
	bash -c 'yes "" | "$@" oldconfig' _ "${bb[@]}"
grep -q '^CONFIG_STATIC=y' "$src/.config" || \
	kmods_die "busybox's .config is not static"
kmods_run_logged "busybox build" nice -n 10 "${bb[@]}" busybox
file "$src/busybox" | grep -q 'statically linked' || \
	kmods_die "$src/busybox is not statically linked"
cp "$src/busybox" "$bin/busybox.tmp"
mv "$bin/busybox.tmp" "$bin/busybox"
rm -rf "$src"
echo "$bin/busybox"
