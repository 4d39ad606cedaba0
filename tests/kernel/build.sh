#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/kernel/build.sh [--quiet] [--check] VERSION FLAVOUR
#
# Builds a test kernel from Debian's linux-source-VERSION package (6.1 or
# 6.12; installed with apt-get when missing), or, for VERSION 4.10, from
# vanilla linux-4.10.17.tar.xz (see "4.10" below): tinyconfig plus the
# config fragments in tests/kernel/, in this order (a later one wins):
#	base.config, base-VERSION.config, FLAVOUR.config, FLAVOUR-VERSION.config
# (those that exist; 4.10 starts from base-4.10.config alone). FLAVOUR is
# debug (KASAN, lockdep, UBSAN, kmemleak...), igloo (no relay, no debugfs,
# no function tracer: like penguin's), mipseb, mips64eb (6.x), riscv64
# and powerpc (6.x, 32-bit big-endian e500; these two from
# base-boot.config instead of base.config), or for 4.10 penguin (x86_64
# with penguin's options), mipsel, arm64 or armel (QEMU's virt machine).
# Fails if a value a fragment asks for is not in the final .config.
#
# 4.10: penguin's default kernel. Debian has no source package of it; the
# tarball is the first of $KMODS_LINUX_4_10_TARBALL,
# $KMODS_CACHE/linux-4.10.17.tar.xz and ../shared/linux-4.10.17.tar.xz
# (next to the repository) that exists. The patches in
# tests/kernel/patches-4.10/ (what Debian 12's gcc-12 and binutils 2.40
# need; patches-4.10/<ARCH>/ for one architecture only, then
# patches-4.10/<FLAVOUR>/ for one flavour's cross toolchain) are applied
# to the unpacked source, whose directory name carries a hash of them.
#
# The source is unpacked once into $KMODS_CACHE/src/ and must stay there
# (the build directory's Makefile includes it). The build goes, with O=,
# into
#	$KMODS_CACHE/kbuild/<linux-source version>-FLAVOUR-<fragments hash>/
# and is pruned when done (objects, .cmd files and vmlinux dropped; what
# out-of-tree modules need kept: .config, include/, scripts/, tools/,
# Module.symvers). Its modules are installed in modroot/lib/modules/<rel>/
# inside it. A build that exists is not redone: the second run of the
# same command only prints. ccache is used when installed (cache in
# $KMODS_CACHE/ccache unless CCACHE_DIR is set). Builds run under
# `nice -n 10`, with `make -j$(nproc)` ($KMODS_KBUILD_JOBS overrides).
#
# Prints on stdout, one per line:
#	bzImage=<path>  build=<dir>  release=<kernelrelease>
#	modroot=<dir>   moddir=<modroot/lib/modules/release>
#	source=<dir>
# --quiet: no progress messages on stderr. --check: build nothing, exit 1
# when the build does not exist yet (0 and the paths when it does). The make output goes to
# <build dir>/build.log; on failure its end is shown.

set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# Bump when a change to this script changes what it builds. Recipe 1:
# tinyconfig, then the fragments merged in, then olddefconfig.
RECIPE=1

quiet=0 check=0
while [ $# -gt 0 ]; do
	case $1 in
	--quiet) quiet=1; shift ;;
	--check) check=1; shift ;;
	*) break ;;
	esac
done
[ $# = 2 ] || kmods_die "usage: $0 [--quiet] VERSION FLAVOUR (VERSION: 4.10|6.1|6.12, FLAVOUR: debug|igloo|mipseb|mipsel|mips64eb|riscv64|powerpc|powerpc64|penguin|arm64|armel)"
version=$1
flavour=$2
case $version/$flavour in
4.10/penguin|4.10/mipseb|4.10/mipsel|4.10/arm64|4.10/armel) ;;
4.10/*) kmods_die "4.10 is built as FLAVOUR penguin, mipseb, mipsel, arm64 or armel only" ;;
*/mipsel) kmods_die "FLAVOUR mipsel is 4.10's (6.x boots Debian's 4kc-malta)" ;;
*/penguin|*/arm64|*/armel) kmods_die "FLAVOUR $flavour is 4.10's" ;;
6.1/*|6.12/*) ;;
*) kmods_die "unknown VERSION '$version' (4.10, 6.1 or 6.12)" ;;
esac
keep_extra=''
case $flavour in
# 32-bit powerpc links every module with crtsavres.o, which the prune
# below keeps.
powerpc) keep_extra=arch/powerpc/lib/crtsavres.o ;;
esac
here=$KMODS_TESTS/kernel
if [ ! -f "$here/$flavour.config" ] || [ "$flavour" = base ]; then
	kmods_die "unknown FLAVOUR '$flavour' (no tests/kernel/$flavour.config)"
fi

log()
{
	[ "$quiet" = 1 ] || kmods_log "$@"
}

# --- the target: x86_64, or a flavour for another architecture -----------------
# mipseb: 32-bit big-endian MIPS (QEMU's malta), an architecture penguin
# targets and Debian has no kernel for; it has its own base fragment.
case $version/$flavour in
4.10/mipseb)
	karch=mips cross=mips-linux-gnu- image=vmlinux
	bases="base-4.10 base-mips-4.10" ;;
# mipsel: the same, little-endian (4.10 only: Debian ships 6.x's).
4.10/mipsel)
	karch=mips cross=mipsel-linux-gnu- image=vmlinux
	bases="base-4.10 base-mips-4.10" ;;
*/mipseb)
	karch=mips cross=mips-linux-gnu- image=vmlinux bases="base-mips" ;;
# arm64 and armel (ARMv7, EABI): penguin's 4.10 ARM kernels, on QEMU's virt.
4.10/arm64)
	karch=arm64 cross=aarch64-linux-gnu- image=arch/arm64/boot/Image
	bases="base-4.10 base-arm-4.10" ;;
4.10/armel)
	karch=arm cross=arm-linux-gnueabi- image=arch/arm/boot/zImage
	bases="base-4.10 base-arm-4.10" ;;
4.10/*)
	karch=x86_64 cross='' image=arch/x86/boot/bzImage bases="base-4.10" ;;
*/riscv64)
	karch=riscv cross=riscv64-linux-gnu- image=arch/riscv/boot/Image
	bases=base-boot ;;
*/powerpc)
	karch=powerpc cross=powerpc-linux-gnu- image=vmlinux bases=base-boot ;;
*/powerpc64)
	karch=powerpc cross=powerpc64-linux-gnu- image=vmlinux bases=base-boot ;;
# mips64eb: 64-bit big-endian MIPS64r2 malta (booted, as mipseb).
*/mips64eb)
	karch=mips cross=mips64-linux-gnuabi64- image=vmlinux bases="base-mips" ;;
*)
	karch=x86_64 cross='' image=arch/x86/boot/bzImage
	bases="base base-$version" ;;
esac

# --- the source: Debian's package, or 4.10's tarball and patches --------------
patches=()
if [ "$version" = 4.10 ]; then
	tarball=''
	for f in "${KMODS_LINUX_4_10_TARBALL:-}" \
		 "$KMODS_CACHE/linux-4.10.17.tar.xz" \
		 "$KMODS_REPO/../shared/linux-4.10.17.tar.xz"; do
		if [ -n "$f" ] && [ -f "$f" ]; then
			tarball=$f
			break
		fi
	done
	# Needed only to unpack (below): a build in the cache is used
	# without it, from a clone anywhere.
	# Every architecture's, then this one's, then this flavour's (what
	# its cross toolchain alone needs; arm64's is its architecture's);
	# each set its own source.
	fdir=$here/patches-4.10/$flavour
	[ "$flavour" != "$karch" ] || fdir=/nonexistent
	for f in "$here"/patches-4.10/*.patch "$here/patches-4.10/$karch"/*.patch \
		 "$fdir"/*.patch; do
		[ ! -f "$f" ] || patches+=("$f")
	done
	pkg=linux
	pkgtag=4.10.17-$(cat ${patches[@]+"${patches[@]}"} /dev/null | \
			 sha256sum | cut -c1-8)
else
pkg=linux-source-$version
tarball=/usr/src/$pkg.tar.xz
pkgver=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$pkg" 2>/dev/null || true)
if [ ! -f "$tarball" ] || [ "${pkgver%% *}" != ii ]; then
	[ "$check" = 0 ] || exit 1
	[ "$(id -u)" = 0 ] || kmods_die "$pkg is not installed (run as root to install it)"
	log "apt-get install $pkg"
	DEBIAN_FRONTEND=noninteractive apt-get -q install -y \
		--no-install-recommends "$pkg" >&2 || \
		kmods_die "apt-get install $pkg failed"
	pkgver=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$pkg")
fi
pkgver=${pkgver##* }
[ -f "$tarball" ] || kmods_die "$pkg $pkgver has no $tarball"
# '~' (6.12.117-1~deb12u1) is no friend of make: use '_' in paths.
pkgtag=${pkgver//\~/_}
fi

# --- fragments and the build directory ---------------------------------------
frags=()
for f in $bases "$flavour" "$flavour-$version"; do
	[ ! -f "$here/$f.config" ] || frags+=("$here/$f.config")
done
hash=$( {
	echo "recipe $RECIPE"
	for f in "${frags[@]}"; do
		echo "== ${f##*/}"
		cat "$f"
	done
} | sha256sum | cut -c1-12)
dir=$KMODS_CACHE/kbuild/$pkgtag-$flavour-$hash
src=$KMODS_CACHE/src/$pkg'_'$pkgtag
stamp=$dir/.igloo-kmods-built

print_info()
{
	local rel

	rel=$(cat "$dir/include/config/kernel.release")
	echo "bzImage=$dir/$image"
	echo "build=$dir"
	echo "release=$rel"
	echo "modroot=$dir/modroot"
	echo "moddir=$dir/modroot/lib/modules/$rel"
	echo "source=$src"
}

built()
{
	[ -f "$stamp" ] && [ -f "$src/Makefile" ] || return 1
	[ -z "$keep_extra" ] || [ -f "$dir/$keep_extra" ] || return 1
	[ -f "$dir/$image" ] && [ -f "$dir/Module.symvers" ]
}

if built; then
	print_info
	exit 0
fi
# --check: is it built? Build nothing (tests/run.sh's time budget asks).
[ "$check" = 0 ] || exit 1

mkdir -p "$KMODS_CACHE/kbuild" "$KMODS_CACHE/src"
# One build of a directory at a time; whoever waited finds it built.
exec 9>"$dir.lock"
if ! flock -n 9; then
	log "waiting for another build of $dir"
	flock 9
fi
if built; then
	print_info
	exit 0
fi

t0=$(date +%s)
# Flavours with the same patches share the source (arm64 and armel): one
# unpack at a time, on its own lock.
exec 8>"$src.lock"
flock 8
if [ ! -f "$src/Makefile" ]; then
	[ -n "$tarball" ] || kmods_die "no linux-4.10.17.tar.xz: put it in $KMODS_CACHE/ or set KMODS_LINUX_4_10_TARBALL (https://cdn.kernel.org/pub/linux/kernel/v4.x/linux-4.10.17.tar.xz)"
	log "unpacking $tarball into $src"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	nice -n 10 tar -xJf "$tarball" -C "$src.tmp" --strip-components=1 || \
		kmods_die "unpacking $tarball failed"
	for f in ${patches[@]+"${patches[@]}"}; do
		log "applying ${f#"$KMODS_REPO"/}"
		patch -s -p1 -d "$src.tmp" <"$f" || kmods_die "$f does not apply"
	done
	rm -rf "$src"
	mv "$src.tmp" "$src"
fi
exec 8>&-
t_src=$(date +%s)

jobs=${KMODS_KBUILD_JOBS:-$(nproc)}
use_ccache=0
mk=(nice -n 10 make -C "$src" O="$dir" ARCH="$karch" -j"$jobs"
    KBUILD_BUILD_TIMESTAMP="igloo_kmods $version-$flavour"
    KBUILD_BUILD_USER=igloo_kmods KBUILD_BUILD_HOST=igloo_kmods)
# Debian's cross compilers exist only as <triplet>-gcc-12.
cc=gcc
if [ -n "$cross" ]; then
	cc=${cross}gcc-12
	command -v "$cc" >/dev/null || kmods_die "no $cc (apt-get install gcc-12-${cross%-})"
	mk+=(CROSS_COMPILE="$cross")
fi
if command -v ccache >/dev/null; then
	export CCACHE_DIR=${CCACHE_DIR:-$KMODS_CACHE/ccache}
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-4G}
	mk+=(CC="ccache $cc" HOSTCC="ccache gcc")
	use_ccache=1
else
	mk+=(CC="$cc")
	kmods_warn "ccache not installed: building without it"
fi

blog=$dir/build.log
mkdir -p "$dir"
: >"$blog"
run()
{
	printf '\n### %s: %s\n' "$(date '+%F %T')" "$*" >>"$blog"
	if ! "$@" >>"$blog" 2>&1; then
		tail -n 40 "$blog" >&2
		kmods_die "failed: $* (full log: $blog)"
	fi
}

# --- configure ---------------------------------------------------------------
log "configuring $version-$flavour in $dir (fragments: ${frags[*]##*/})"
run "${mk[@]}" tinyconfig
run "$src/scripts/kconfig/merge_config.sh" -m -O "$dir" "$dir/.config" "${frags[@]}"
run "${mk[@]}" olddefconfig

# Every value asked for (the last fragment that names a symbol wins) must
# be in .config; "is not set" means any value but y or m is fine.
bad=$(awk '
	FNR == 1 { conf = (FILENAME ~ /\/\.config$/) }
	!conf && /^CONFIG_[A-Za-z0-9_]+=/ {
		sym = $0; sub(/=.*/, "", sym); want[sym] = $0; next
	}
	!conf && /^# CONFIG_[A-Za-z0-9_]+ is not set/ {
		want[$2] = "n"; next
	}
	conf && /^CONFIG_[A-Za-z0-9_]+=/ {
		sym = $0; sub(/=.*/, "", sym); have[sym] = $0
	}
	END {
		for (sym in want) {
			got = (sym in have) ? have[sym] : "not set"
			if (want[sym] == "n") {
				if (got ~ /=[ym]$/)
					printf "%s: wanted n, got %s\n", sym, got
			} else if (got != want[sym]) {
				printf "%s: wanted %s, got %s\n", sym, want[sym], got
			}
		}
	}' "${frags[@]}" "$dir/.config" | sort)
if [ -n "$bad" ]; then
	printf '%s\n' "$bad" >&2
	kmods_die "the final .config lacks values the fragments ask for (see above; merge log: $blog)"
fi
t_cfg=$(date +%s)

# --- build, install the modules ----------------------------------------------
# ccache's hits and misses (counted over the whole cache: a build running
# at the same time adds its own).
ccache_counts()
{
	[ "$use_ccache" = 1 ] || { echo "0 0"; return; }
	ccache --print-stats 2>/dev/null | awk '
		$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { h += $2 }
		$1 == "cache_miss" { m += $2 }
		END { print h + 0, m + 0 }'
}
read -r hits0 misses0 < <(ccache_counts)
log "building $version-$flavour (make -j$jobs ${image##*/} modules; log: $blog)"
run "${mk[@]}" "${image##*/}" modules
t_build=$(date +%s)
read -r hits1 misses1 < <(ccache_counts)
rel=$(cat "$dir/include/config/kernel.release")
rm -rf "$dir/modroot"
run "${mk[@]}" INSTALL_MOD_PATH="$dir/modroot" DEPMOD=/sbin/depmod modules_install
# The build and source links point at this machine's paths; drop them.
rm -f "$dir/modroot/lib/modules/$rel/build" "$dir/modroot/lib/modules/$rel/source"
[ -f "$dir/modroot/lib/modules/$rel/modules.dep" ] || \
	kmods_die "modules_install left no modules.dep in $dir/modroot/lib/modules/$rel"

# --- prune: keep what booting and out-of-tree modules need -------------------
size_before=$(du -sm "$dir" | cut -f1)
find "$dir" \( -path "$dir/scripts" -o -path "$dir/tools" -o \
	       -path "$dir/modroot" -o -path "$dir/${keep_extra:-.}" \) \
	-prune -o -type f \
	\( -name '*.o' -o -name '*.a' -o -name '.*.cmd' -o -name '*.mod' \
	   -o -name '*.mod.c' -o -name '*.ko' -o -name '.*.d' \
	   -o -name '.tmp_*' \) -print0 | xargs -0r rm -f
# QEMU boots MIPS from vmlinux itself: keep it, without its symbols.
if [ "$image" = vmlinux ]; then
	run "${cross}objcopy" --strip-debug "$dir/vmlinux"
else
	rm -f "$dir/vmlinux"
fi
rm -f "$dir/arch/x86/boot/compressed/vmlinux" \
	"$dir/arch/x86/boot/compressed/vmlinux.bin" \
	"$dir/arch/x86/boot/compressed/vmlinux.bin."* \
	"$dir/arch/x86/boot/vmlinux.bin" "$dir/arch/x86/boot/setup.elf"
size_after=$(du -sm "$dir" | cut -f1)
t_end=$(date +%s)

cat >"$dir/build-times" <<EOF
unpack $((t_src - t0))
configure $((t_cfg - t_src))
build $((t_build - t_cfg))
install+prune $((t_end - t_build))
total $((t_end - t0))
size_mb_before_prune $size_before
size_mb_after_prune $size_after
ccache_hits $((hits1 - hits0))
ccache_misses $((misses1 - misses0))
EOF
date '+%F %T' >"$stamp"
log "built $rel in $((t_end - t0)) s (make: $((t_build - t_cfg)) s, ccache $((hits1 - hits0)) hits, $((misses1 - misses0)) misses); $size_before MB pruned to $size_after MB"
print_info
