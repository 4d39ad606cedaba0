#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/arch.sh [--arch ARCH]... [--kernel SERIES] [--script FILE]
#	[--out DIR] [--build-only] [--transport chardev]
#
# The scenario suite on other architectures' stock Debian kernels, under
# QEMU (TCG): for each ARCH (default: every one in KMODS_CROSS_ARCHES,
# tests/cross/lib.sh: arm64 armhf armel mipsel mips64el ppc64el i386) it fetches the
# kernel SERIES (default 6.1; the newest ABI the archive has for that
# architecture) into the cache on first use, cross-builds igloo_kmods,
# the test modules and programs and the static collector, boots the guest
# with FILE (default tests/guest/scenarios.sh) and checks its records on
# this host (tests/run-guest.sh --arch). TAP lines are labelled
# "ARCH/SERIES". Ends with a table: architecture, kernel, checks passed
# and failed, boot time, run time; exit 0 when nothing failed. SERIES
# 4.10 on arm64 and armel is penguin's kernel, built here
# (tests/kernel/build.sh 4.10 ARCH) and booted on QEMU's virt machine with
# Debian's user space (tests/cross/lib.sh, KA_KBUILT).
#
# --build-only	fetch and build igloo_kmods.ko for each ARCH, boot nothing;
#		prints the path of each module built. Also takes the
#		built-only architecture powerpc64, whose SERIES
#		defaults to 6.12. riscv64, powerpc and mips64eb
#		(penguin's 6.13 ones, with a kernel and busybox built
#		here) boot with --kernel 6.12
# --out		where each run goes (default build/arch): DIR/ARCH-SERIES/
#		as tests/run-guest.sh --out, DIR/ARCH-SERIES.log its build log
# --transport	as tests/run-guest.sh's: chardev for kernels without relay
#		(4.10's, as penguin's), whose records come through
#		/dev/igloo_kmods

set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

arches=() series='' script=$KMODS_TESTS/guest/scenarios.sh
out=$KMODS_BUILD/arch build_only=0 transport=''
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arches+=("$(kmods_arch_canon "${2:?}")"); shift 2 ;;
	--kernel) series=${2:?}; shift 2 ;;
	--script) script=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--transport) transport=${2:?}; shift 2 ;;
	--build-only) build_only=1; shift ;;
	-h|--help) sed -n '3,29s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) kmods_die "unknown argument '$1' (see $0 --help)" ;;
	esac
done
[ ${#arches[@]} -gt 0 ] || read -r -a arches <<<"$KMODS_CROSS_ARCHES"
for a in "${arches[@]}"; do
	kmods_arch_info "$a"	# dies on an unknown one
done

mkdir -p "$out"
if [ "$build_only" = 1 ]; then
	for a in "${arches[@]}"; do
		export KMODS_ARCH=$a
		kmods_arch_info "$a"
		kmods_build_module "${series:-$KA_SERIES}"
		echo "$KMODS_KO"
	done
	exit 0
fi
series=${series:-6.1}

# Host packages and kernels first, so that the runs below only build.
setup_args=()
for a in "${arches[@]}"; do
	setup_args+=(--arch "$a")
done
"$KMODS_TESTS/setup.sh" "${setup_args[@]}" \
	--series "$series" >"$out/setup.log" 2>&1 || {
	echo "not ok - tests/setup.sh for ${arches[*]} failed"
	tail -20 "$out/setup.log" | sed 's/^#*/#   /'
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}

# Each guest has one architecture to itself (its build directories, its
# output); KMODS_ARCH_JOBS of them (default 2, one per CPU of the machine
# this was measured on) run at once, and their output is printed in the
# order of the arguments. The host collector is built once, first.
kmods_make_collector || kmods_die "building the collector failed"
run_arch()	# run_arch ARCH: the guest; DIR.status gets its exit and seconds
{
	local a=$1 dir=$out/$1-$series start rc=0

	start=$EPOCHREALTIME
	"$KMODS_TESTS/run-guest.sh" --arch "$a" --kernel "$series" \
		--script "$script" --out "$dir" ${transport:+--transport "$transport"} \
		>"$dir.tap" 2>"$dir.log" || rc=$?
	echo "$rc $(awk -v a="$start" -v b="$EPOCHREALTIME" \
		'BEGIN { printf "%.0f", b - a }')" >"$dir.status"
}
njobs=${KMODS_ARCH_JOBS:-2}
for a in "${arches[@]}"; do
	while [ "$(jobs -pr | wc -l)" -ge "$njobs" ]; do
		wait -n || true
	done
	rm -f "$out/$a-$series.status"
	run_arch "$a" &
done
wait

rows=()
total_failed=0
for a in "${arches[@]}"; do
	label=$a/$series
	dir=$out/$a-$series
	rc=1 secs=?
	[ ! -s "$dir.status" ] || read -r rc secs <"$dir.status"
	touch "$dir.tap" "$dir.log"
	cat "$dir.tap"
	n_skip=$(grep -ciE '^ok( .*)? # skip' "$dir.tap" || true)
	n_ok=$(($(grep -cE '^ok( |$)' "$dir.tap" || true) - n_skip))
	n_fail=$(grep -cE '^not ok( |$)' "$dir.tap" || true)
	if [ "$rc" != 0 ] && [ "$n_fail" = 0 ]; then
		echo "not ok - $label run-guest.sh exited $rc (see $dir.log)"
		tail -5 "$dir.log" | sed 's/^/#   /'
		n_fail=1
	fi
	boot=$(sed -n "s|^# $label: booted in \\(.*\\) s$|\\1|p" "$dir.tap")
	abi=-
	if KMODS_ARCH=$a kmods_kernel_info "$series" >/dev/null 2>&1; then
		abi=$KABI
	fi
	rows+=("$a $abi $n_ok $n_fail $n_skip ${boot:-?} $secs")
	total_failed=$((total_failed + n_fail))
done

echo "#"
printf '# %-9s %-22s %6s %6s %7s %8s %8s\n' arch kernel passed failed skipped boot run
for r in "${rows[@]}"; do
	# shellcheck disable=SC2086
	set -- $r
	printf '# %-9s %-22s %6s %6s %7s %7ss %7ss\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7"
done
[ "$total_failed" = 0 ]
