#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/arch-build.sh [--kernel SERIES] [--arch ARCH]...
#
# Build coverage of penguin's 6.13 architectures (KMODS_BUILDONLY_ARCHES,
# tests/cross/lib.sh): for riscv64, powerpc (32-bit big-endian e500),
# powerpc64 (64-bit big-endian) and mips64eb, igloo_kmods.ko must build
# without a compiler warning against a linux-source-SERIES tree (default
# 6.12) that tests/kernel/build.sh made; with the default transport
# (relay: the trees have relay and debugfs) and with
# KMODS_TRANSPORT=chardev (what penguin's kernels get).
# They are built against the full kernels that tests/arch.sh boots (the
# first run builds them and their busybox). The powerpc64 (big-endian)
# module must be of the ELFv2 ABI, as the kernel is (the ELFv1 ABI's
# function descriptors are what compat.h refuses with an #error). A
# "warning:" from the compiler fails a build.
#
# --arch: only these of KMODS_BUILDONLY_ARCHES.
#
# TAP: a plan, then one line per build. Build logs go to
# build/arch-build/<arch>-<transport>.log.

set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

series='' arches=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) series=${2:?}; shift 2 ;;
	--arch) arches+=("$(kmods_arch_canon "${2:?}")"); shift 2 ;;
	*) kmods_die "usage: $0 [--kernel SERIES] [--arch ARCH]..." ;;
	esac
done

out=$KMODS_BUILD/arch-build
mkdir -p "$out"
[ ${#arches[@]} -gt 0 ] || read -r -a arches <<<"$KMODS_BUILDONLY_ARCHES"

# Two builds for each architecture.
echo "1..$((2 * ${#arches[@]}))"

# The cross compilers (tests/setup.sh --arch installs what is missing).
for a in "${arches[@]}"; do
	kmods_arch_info "$a"
	# shellcheck disable=SC2086 # a list of packages
	if [ -n "$(kmods_missing_packages $KA_HOST_PACKAGES)" ]; then
		"$KMODS_TESTS/setup.sh" --arch "$a" --cross-only \
			>"$out/setup-$a.log" 2>&1 || true
	fi
done

# build ARCH TRANSPORT LOG: build igloo_kmods for ARCH; exit status of the
# build, output in LOG.
build()
{
	(
		export KMODS_ARCH=$1
		kmods_arch_info "$1"
		kmods_build_module "${series:-$KA_SERIES}" "$2"
		echo "module: $KMODS_KO"
	) >"$3" 2>&1
}

for a in "${arches[@]}"; do
	kmods_arch_info "$a"
	s=${series:-$KA_SERIES}
	for t in relay chardev; do
		log=$out/$a-$t.log
		tr=$t
		[ "$t" != relay ] || tr=''
		if ! build "$a" "$tr" "$log"; then
			echo "not ok - arch-build $a/$s ($t): igloo_kmods.ko does not build"
			tail -15 "$log" | sed 's/^/#   /'
		elif grep -q 'warning:' "$log"; then
			echo "not ok - arch-build $a/$s ($t): compiler warnings"
			grep -A3 'warning:' "$log" | head -20 | sed 's/^/#   /'
		else
			ko=$(sed -n 's/^module: //p' "$log")
			kind=$(file -b "$ko")
			if [ "$a" = powerpc64 ] && \
			   ! grep -q 'MSB.*ELF V2 ABI' <<<"$kind"; then
				echo "not ok - arch-build $a/$s ($t): not a big-endian ELFv2 module: $kind"
			else
				echo "ok - arch-build $a/$s ($t): igloo_kmods.ko built without a warning ($(cut -d, -f1-3 <<<"$kind"))"
			fi
		fi
	done
done
