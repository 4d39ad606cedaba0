#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run.sh: every igloo_kmods test tier, in order. `make check` runs
# it; so does .ci/run. Each tier prints TAP lines ("ok - ...",
# "not ok - ...", "ok - ... # SKIP reason"); this script counts them and
# always ends with
#	N passed, N failed, N skipped
# A skip is never a pass. A tier that cannot run at all counts as a
# failure, never as a skip. Every tier has a plan and a time limit (the
# table below): it fails when it ran fewer checks than its minimum, or
# fewer than the TAP plans ("1..N") it printed add up to, and it is
# killed, and failed, when it runs longer than its limit; the checks it
# printed until then are still counted.
#
# The run has a time budget, KMODS_RUN_BUDGET seconds (default 4500, 75
# minutes; 0: none), counted from its start, setup included, so that a
# run on a machine with an empty cache ends, with its closing line, well
# inside CI's 90 minutes. Each tier's limit is cut to what is left of it.
# A tier that needs something the cache lacks (a kernel built here, a
# busybox, another architecture's Debian kernel) is not started when what
# is left of the budget cannot cover building it (the cold build times
# measured here, below) plus the tier's own run: it is reported as
# "ok - TIER # SKIP ..." saying what it lacked and how much time was
# left, and counted as skipped, never as passed. A tier that is still
# running when the budget ends is killed and fails. The tiers run in an
# order that gives each kernel version and each architecture once (the
# architectures only penguin's 6.13 has before 4.10's repeats on the
# others) before the debug kernels repeat the same suites.
#
# KMODS_FUZZ_SECONDS (default 20) bounds each fuzzer's run.
# KMODS_TIME_SCALE (default 1) multiplies every time limit and build time
# estimate (a slower machine).

set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

run_start=$(date +%s)
budget=${KMODS_RUN_BUDGET:-4500}
scale=${KMODS_TIME_SCALE:-1}
cd "$KMODS_REPO"
log=$KMODS_BUILD/check
mkdir -p "$log"
passed=0
failed=0
skipped=0
summary_done=0

# The closing line, once, however the run ends (a failed setup, a signal).
summary()
{
	[ "$summary_done" = 0 ] || return 0
	summary_done=1
	echo "# run: $(($(date +%s) - run_start)) s (budget ${budget} s)"
	echo "$passed passed, $failed failed, $skipped skipped"
}
trap summary EXIT
trap 'echo "not ok - tests/run.sh interrupted"; failed=$((failed + 1)); kill $(jobs -p) 2>/dev/null; exit 130' INT TERM

# Seconds left of the run's budget (a large number when there is none).
left()
{
	if [ "$budget" = 0 ]; then
		echo 999999
	else
		echo $((run_start + budget - $(date +%s)))
	fi
}

# What a tier may need that a cold cache lacks, and about how long it
# takes to get it on a cold cache (tests/kernel/README.md, "Build times";
# 2 CPUs): kernel:VERSION/FLAVOUR (tests/kernel/build.sh), busybox:ARCH
# (tests/cross/busybox.sh), debian:ARCH (another architecture's Debian
# 6.1 kernel, tests/setup.sh --arch). Estimates: the four test kernels'
# from their recipe-1 builds (6.12-debug 3355 s and
# mipseb 1991 s on a loaded machine, 1075 s and 706 s on a lighter one;
# a cold 6.12-debug of recipe 2 took 5384 s under a load of 2 to 28;
# 4.10-armel 3158 s and 4.10-arm64 3879 s, 18 minutes of it paused,
# under a load of 11 to 19); busybox
# from its 182 s of CPU; the build-only trees from their 584 to 1785 s
# under a load average of 12 to 28, mostly configure; a Debian kernel
# from one fetch's 100 s, mostly network, and fetched in the background.
# The bootable riscv64 kernel: 2,872 s (configure 273 s, make 2,591 s,
# mostly cold) under a load average of 15 to 19; its busybox 830 s under
# the same load.
# 4.10-mipseb: 2,385 s cold under a load average of about 16; 6.12's
# mips64eb, a full kernel now, 3,127 s at nice 19 under the same load
# (partly from ccache: its build-only tree had compiled the same sources).
# 6.12's powerpc: 537 s (700 ccache misses, 172 hits) with one guest
# running beside it; riscv64 and mips64eb, the same kind of kernel
# (tinyconfig and a few fragments), are estimated like it, with a margin
# (their figures above are from a machine eight times overloaded).
# Measured in a cold run of the whole suite (commit d0f7fd4, nothing else
# running): 4.10-penguin 353 s, 6.1-mipseb 406 s, 6.12 riscv64 491 s,
# mips64eb 526 s, powerpc 520 s; each tier with its busybox and its run
# 504 to 726 s.
declare -A cold_secs=(
	[kernel:6.12/debug]=2400
	[kernel:6.1/debug]=1500
	[kernel:4.10/penguin]=900
	[kernel:6.1/mipseb]=1300
	[kernel:4.10/mipseb]=2400
	[kernel:4.10/mipsel]=2400
	[kernel:6.12/riscv64]=1200
	[kernel:6.12/powerpc]=900
	[kernel:6.12/powerpc64]=900
	[kernel:6.12/mips64eb]=1200
	[busybox:mipseb]=400
	[kernel:4.10/arm64]=3200
	[kernel:4.10/armel]=3200
	[busybox:riscv64]=500
	[busybox:mips64eb]=400
	[busybox:powerpc]=400
	[busybox:powerpc64]=400
	[debian:arm64]=60 [debian:armhf]=60 [debian:armel]=60
	[debian:mipsel]=60 [debian:mips64el]=60 [debian:ppc64el]=60
	[debian:i386]=60
)

# have NEED: is it in the cache already?
have()
{
	local v f

	case $1 in
	kernel:*)
		v=${1#kernel:}
		f=${v#*/}
		v=${v%/*}
		tests/kernel/build.sh --quiet --check "$v" "$f" >/dev/null 2>&1 ;;
	busybox:*)
		[ -x "$KMODS_CACHE/cross/busybox/${1#busybox:}/sysroot/bin/busybox" ] ;;
	debian:*)
		[ -r "$KMODS_CACHE/cross/${1#debian:}/6.1.env" ] ;;
	*)
		return 1 ;;
	esac
}

# [NEEDS="NEED..."] [RUNS=SECONDS] [PAR=1] tier NAME MIN LIMIT COMMAND...:
# run a tier for at most LIMIT seconds (cut to what is left of the run's
# budget), show its TAP lines and count them. It fails when it printed
# fewer than MIN checks (ok, not ok or skip), or fewer than the sum of its
# TAP plans. It is skipped when the budget left is less than RUNS (about
# how long the tier runs once what it needs is there; 60 unless given)
# plus the cold times of the NEEDS that the cache lacks.
#
# PAR=1: when the cache has everything the tier needs, it starts in the
# background and the next tier starts at once; tier_join (and the next
# tier without PAR=1) waits for it and shows its lines then, in the
# order the tiers were started. For tiers that need about one CPU each
# (one guest, a fuzzer) and whose checks do not race each other across
# guests: never a kernel build, never the hostile suite. At most
# KMODS_PAR_JOBS (default 2) run at once.
pending=()
tier()
{
	local name=$1 min=$2 limit=$3 n cost=0 lacks='' avail capped=''
	shift 3
	# Not more than KMODS_PAR_JOBS (default 2, the CPUs this was
	# measured on) at once: a full set is waited for first.
	if [ "${PAR:-0}" != 1 ] ||
	   [ "${#pending[@]}" -ge "${KMODS_PAR_JOBS:-2}" ]; then
		tier_join
	fi
	limit=$((limit * scale))
	echo "# --- $name"
	for n in ${NEEDS:-}; do
		have "$n" && continue
		cost=$((cost + ${cold_secs[$n]:-600} * scale))
		lacks="$lacks ${n#*:}"
	done
	avail=$(left)
	if [ "$avail" -lt $((cost + ${RUNS:-60} * scale)) ]; then
		if [ -n "$lacks" ]; then
			echo "ok - $name # SKIP run budget: needs$lacks, not in the cache (about $cost s to get cold), and only $avail s of KMODS_RUN_BUDGET=$budget s are left (tests/kernel/build.sh VERSION FLAVOUR builds a kernel beforehand; a later run uses it)"
		else
			echo "ok - $name # SKIP run budget: only $avail s of KMODS_RUN_BUDGET=$budget s are left, the tier takes about $((${RUNS:-60} * scale)) s"
		fi
		skipped=$((skipped + 1))
		echo "# $name: skipped (run budget)"
		return 0
	fi
	if [ "$limit" -gt "$avail" ]; then
		limit=$avail
		capped=", cut to the run's budget"
	fi
	if [ "${PAR:-0}" = 1 ] && [ -z "$lacks" ]; then
		echo "# $name: started in the background"
		tier_start "$name" "$limit" "$@" &
		pending+=("$! $name $min $limit ${capped:+capped}")
		return 0
	fi
	tier_start "$name" "$limit" "$@"
	tier_report "$name" "$min" "$limit" "$capped"
}

# tier_start NAME LIMIT COMMAND...: the tier's command, its output in
# $log/NAME.log, its exit status and start time in $log/NAME.rc.
tier_start()
{
	local name=$1 limit=$2 start rc
	shift 2
	start=$(date +%s)
	# timeout signals the tier's whole process group (make, QEMU...).
	timeout --kill-after=30 "$limit" "$@" > "$log/$name.log" 2>&1 < /dev/null
	rc=$?
	echo "$rc $start $(date +%s)" > "$log/$name.rc"
}

# tier_join: wait for the tiers started in the background and report
# them, in the order they were started.
tier_join()
{
	local p pid name min limit capped

	for p in "${pending[@]}"; do
		read -r pid name min limit capped <<<"$p"
		wait "$pid"
		[ -z "$capped" ] || capped=", cut to the run's budget"
		tier_report "$name" "$min" "$limit" "$capped"
	done
	pending=()
}

# tier_report NAME MIN LIMIT CAPPED: show a finished tier's lines, count
# them, and check its minimum, plans, exit status and time limit.
tier_report()
{
	local name=$1 min=$2 limit=$3 capped=$4 rc=1 start end n_ok n_fail
	local n_skip ran plan

	start=$(date +%s) end=$start
	[ ! -r "$log/$name.rc" ] || read -r rc start end < "$log/$name.rc"
	rm -f "$log/$name.rc"
	[ "${#pending[@]}" = 0 ] || echo "# --- $name (background)"
	grep -E '^(ok|not ok)( |$)|^#' "$log/$name.log" | \
		grep -v -E '^# (Skipping|[0-9]+ passed)' || true
	n_skip=$(grep -ciE '^ok( .*)? # skip' "$log/$name.log")
	n_ok=$(($(grep -cE '^ok( |$)' "$log/$name.log") - n_skip))
	n_fail=$(grep -cE '^not ok( |$)' "$log/$name.log")
	ran=$((n_ok + n_fail + n_skip))
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)\b.*/\1/p' "$log/$name.log" | \
		awk '{ n += $1 } END { print n + 0 }')
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "not ok - $name timed out after $limit s$capped (killed; see $log/$name.log)"
		tail -5 "$log/$name.log" | sed 's/^/#   /'
		n_fail=$((n_fail + 1))
	elif [ "$rc" != 0 ] && [ "$n_fail" = 0 ]; then
		echo "not ok - $name exited $rc without a failing test (see $log/$name.log)"
		tail -5 "$log/$name.log" | sed 's/^/#   /'
		n_fail=$((n_fail + 1))
	fi
	if [ "$ran" -lt "$min" ]; then
		echo "not ok - $name ran $ran checks, its minimum is $min"
		n_fail=$((n_fail + 1))
	fi
	if [ "$ran" -lt "$plan" ]; then
		echo "not ok - $name ran $ran checks of the $plan it planned"
		n_fail=$((n_fail + 1))
	fi
	passed=$((passed + n_ok))
	failed=$((failed + n_fail))
	skipped=$((skipped + n_skip))
	echo "# $name: $n_ok passed, $n_fail failed, $n_skip skipped, $((end - start)) s (limit $limit s$capped; $(left) s of the run's budget left)"
}

# A guest tier's minimum: each top-level scenario of SCRIPT gives one
# line, and run-guest.sh adds at least four (collector, modules.log,
# finished, console).
scenarios()
{
	echo $(($(grep -c '^begin ' "$1") + 4))
}

setup_limit=$((3600 * scale))
[ "$setup_limit" -le "$(left)" ] || setup_limit=$(left)
if ! timeout --kill-after=30 "$setup_limit" \
	tests/setup.sh > "$log/setup.log" 2>&1 < /dev/null; then
	echo "not ok - tests/setup.sh failed or timed out"
	tail -20 "$log/setup.log" | sed 's/^/#   /'
	failed=$((failed + 1))
	exit 1
fi

# Other architectures' Debian kernels (and the host packages to use them)
# are fetched in the background while the tiers before `cross` run: it is
# mostly waiting on the network (tests/cross/fetch.sh arm64 with an empty
# cache: 100 s, 23 s of it on a CPU). The `cross` tier's own
# tests/setup.sh then finds them, or waits on the fetch's lock for the
# architecture it is at. KMODS_PREFETCH=0: no background fetch.
prefetch_pid=''
stop_prefetch()
{
	[ -n "$prefetch_pid" ] || return 0
	kill -- -"$prefetch_pid" 2>/dev/null || true
	prefetch_pid=''
}
if [ "${KMODS_PREFETCH:-1}" = 1 ]; then
	prefetch=()
	for a in $KMODS_CROSS_ARCHES; do
		[ "$a" = mipseb ] || prefetch+=(--arch "$a")
	done
	setsid tests/setup.sh --cross-only "${prefetch[@]}" \
		>"$log/prefetch.log" 2>&1 </dev/null &
	prefetch_pid=$!
	trap 'stop_prefetch; summary' EXIT
fi

# Limits (seconds): about four times the tier's time in a CI run on this
# 2-CPU machine (static 254 s, collector 37 s, config 162 s, docs 93 s,
# unit 25 s, fuzz 84 s, guest-6.1 99 s, guest-6.12 157 s, hostile-6.1
# 635 s; demo about 6 minutes), since a run sharing the machine with other
# builds took twice as long (static 500 s). Tiers that build a kernel on
# first use (or wait on the lock of another run building it) get two
# hours, cut to the run's budget. Minimums: the checks each tier printed
# in that run; a guest tier's is computed from its script (scenarios
# above). RUNS: about how long the tier took in a run here once its
# kernel was built (the README's figures, rounded up).
#
# The order: what needs no kernel built here first, then each kernel
# version and each architecture once (Debian's 6.1 and 6.12, penguin's
# 4.10, the other architectures, big-endian MIPS), then the KUnit suites
# (only on the debug kernels), and last the debug kernels' repeats of the
# scenario and hostile suites, which are what a short budget drops first.
S=tests/guest/scenarios.sh
H=tests/guest/hostile.sh
# Two at a time where each needs about one CPU (PAR=1, see tier()).
PAR=1 tier static 5 1200 tests/static-checks.sh
PAR=1 tier fuzz 3 $((3 * ${KMODS_FUZZ_SECONDS:-20} + 900)) \
	tests/fuzz/run.sh "${KMODS_FUZZ_SECONDS:-20}"
# Not beside config, whose tests/config.sh builds in collector/ too.
tier collector 40 300 make -s -C collector check
PAR=1 tier config 90 900 tests/config.sh
PAR=1 tier docs 14 600 Documentation/check-docs.sh
PAR=1 tier unit 100 300 tests/unit/run.sh
# The README's first command, from a fresh clone of the commit under test.
PAR=1 tier demo 8 1800 tests/fresh-demo.sh
# Debian's stock amd64 kernels (tests/setup.sh fetched them).
for flavour in $KMODS_FLAVOURS; do
	PAR=1 tier "guest-$flavour" "$(scenarios $S)" 900 tests/run-guest.sh \
		--kernel "$flavour" --script $S \
		--out "$KMODS_BUILD/run/$flavour" --label "$flavour"
done
for flavour in $KMODS_FLAVOURS; do
	RUNS=300 tier "hostile-$flavour" "$(scenarios $H)" 2400 \
		tests/run-guest.sh --kernel "$flavour" --script $H \
		--out "$KMODS_BUILD/run/hostile-$flavour" \
		--label "hostile-$flavour"
done
# penguin's own kmods tests (tests/penguin/test_kmods.table), replayed in
# a guest whose records leave through penguin's 9p share, never a serial
# port: one line per row, and 14 of the harness's own. On 6.12 through
# /dev/igloo_kmods, the stream of penguin's kernels.
share_min=$(($(grep -c '^[a-z]' tests/penguin/test_kmods.table) + 14))
PAR=1 tier share-6.1 "$share_min" 900 tests/run-share.sh --kernel 6.1 \
	--out "$KMODS_BUILD/run/share-6.1" --label share-6.1
PAR=1 tier share-6.12-chardev "$share_min" 900 tests/run-share.sh --kernel 6.12 \
	--transport chardev --out "$KMODS_BUILD/run/share-6.12-chardev" \
	--label share-6.12-chardev
# The character-device stream that kernels without relay/debugfs use.
PAR=1 tier guest-6.12-chardev "$(scenarios $S)" 900 tests/run-guest.sh \
	--kernel 6.12 --transport chardev --script $S \
	--out "$KMODS_BUILD/run/6.12-chardev" --label 6.12-chardev
# A relay build on a kernel booted without debugfs: the character device.
PAR=1 tier guest-6.1-nodebugfs "$(scenarios $S)" 900 tests/run-guest.sh \
	--kernel 6.1 --append debugfs=off --script $S \
	--out "$KMODS_BUILD/run/6.1-nodebugfs" --label 6.1-nodebugfs
# add, the sources, the CONFIG_KPROBES exclusion, seven checks for each of
# the two header sets (build, status, install, installed, vermagic,
# parameters, depmod), remove and a clean machine: 19.
RUNS=180 tier dkms 19 1200 tests/dkms.sh
# penguin's default kernel: vanilla 4.10.17 with penguin's x86_64 options
# (tests/kernel/penguin.config), records through /dev/igloo_kmods.
NEEDS=kernel:4.10/penguin RUNS=150 \
	tier guest-4.10 "$(scenarios $S)" 7200 tests/run-guest.sh \
	--kernel 4.10-penguin --script $S --out "$KMODS_BUILD/run/4.10-penguin" \
	--label 4.10-penguin --transport chardev
# The hostile suite there: its stock answers are 4.10's own (ETXTBSY for a
# write-only fd), and with no notifier veto before 5.10, bypass_probes_off
# is where kmods_coming_veto() replaces a refused module's init.
NEEDS=kernel:4.10/penguin RUNS=400 \
	tier hostile-4.10 "$(scenarios $H)" 2400 tests/run-guest.sh \
	--kernel 4.10-penguin --script $H \
	--out "$KMODS_BUILD/run/hostile-4.10-penguin" \
	--label hostile-4.10-penguin --transport chardev
# The scenarios on other architectures' Debian 6.1 kernels under QEMU
# (tests/arch.sh; a table ends it).
if [ -n "$prefetch_pid" ] && ! kill -0 "$prefetch_pid" 2>/dev/null; then
	rc=0
	wait "$prefetch_pid" || rc=$?
	prefetch_pid=''
	[ "$rc" = 0 ] || echo "# background fetch failed ($rc; $log/prefetch.log): the cross tier fetches again"
fi
cross_debian=()
needs=''
for a in $KMODS_CROSS_ARCHES; do
	[ "$a" != mipseb ] || continue
	cross_debian+=(--arch "$a")
	needs="$needs debian:$a"
done
NEEDS=$needs RUNS=700 tier cross $(($((${#cross_debian[@]} / 2)) * \
	$(scenarios $S))) 7200 tests/arch.sh "${cross_debian[@]}" \
	--out "$KMODS_BUILD/arch"
# Big-endian MIPS32: a 6.1 kernel and a busybox built here. The scenarios,
# then the hostile suite (crafted images, bad arguments and the stress
# runs through another byte order and 32-bit lengths).
NEEDS="kernel:6.1/mipseb busybox:mipseb" RUNS=200 \
	tier cross-mipseb "$(scenarios $S)" 7200 tests/arch.sh --arch mipseb \
	--out "$KMODS_BUILD/arch"
NEEDS="kernel:6.1/mipseb busybox:mipseb" RUNS=900 \
	tier hostile-mipseb "$(scenarios $H)" 3600 tests/arch.sh --arch mipseb \
	--script $H --out "$KMODS_BUILD/arch-hostile"
# penguin's 6.13 riscv64 (QEMU virt, OpenSBI), mips64eb (malta, MIPS64r2
# big-endian, o32 callers too), powerpc (ppce500, 32-bit big-endian
# e500mc) and powerpc64 (pseries, 64-bit big-endian ELFv2): 6.12 kernels
# and busybox built here, the scenarios; then igloo_kmods built against
# the four with each transport (tests/arch-build.sh).
NEEDS="kernel:6.12/riscv64 busybox:riscv64" RUNS=120 PAR=1 \
	tier cross-riscv64 "$(scenarios $S)" 7200 tests/arch.sh \
	--arch riscv64 --kernel 6.12 --out "$KMODS_BUILD/arch"
NEEDS="kernel:6.12/mips64eb busybox:mips64eb" RUNS=200 PAR=1 \
	tier cross-mips64eb "$(scenarios $S)" 7200 tests/arch.sh \
	--arch mips64eb --kernel 6.12 --out "$KMODS_BUILD/arch"
NEEDS="kernel:6.12/powerpc busybox:powerpc" RUNS=200 PAR=1 \
	tier cross-powerpc "$(scenarios $S)" 7200 tests/arch.sh \
	--arch powerpc --kernel 6.12 --out "$KMODS_BUILD/arch"
NEEDS="kernel:6.12/powerpc64 busybox:powerpc64" RUNS=200 PAR=1 \
	tier cross-powerpc64 "$(scenarios $S)" 7200 tests/arch.sh \
	--arch powerpc64 --kernel 6.12 --out "$KMODS_BUILD/arch"
NEEDS="kernel:6.12/riscv64 busybox:riscv64 kernel:6.12/mips64eb
	busybox:mips64eb kernel:6.12/powerpc busybox:powerpc
	kernel:6.12/powerpc64 busybox:powerpc64" RUNS=60 \
	tier arch-build-booted 8 3600 tests/arch-build.sh --arch riscv64 \
	--arch mips64eb --arch powerpc --arch powerpc64
# penguin's 4.10 on its other architectures, records through
# /dev/igloo_kmods: arm64 and armel on QEMU's virt (kernels built here,
# tests/kernel/build.sh 4.10 arm64|armel, Debian's user space from the 6.1
# fetch; armel's guest alone took 172 s with its builds, arm64's 42 s);
# little-endian MIPS32 (with patches-4.10/mipsel/, Debian's user space);
# big-endian MIPS32 (patches-4.10/mips/: its CBUS UART, ttyS2, was driven
# byte-swapped; busybox built here), then the hostile suite there.
for a in arm64 armel mipsel mipseb; do
	case $a in
	mipseb) needs="kernel:4.10/mipseb busybox:mipseb" ;;
	*) needs="kernel:4.10/$a debian:$a" ;;
	esac
	NEEDS=$needs RUNS=200 PAR=1 \
		tier "cross-4.10-$a" "$(scenarios $S)" 7200 tests/arch.sh \
		--arch "$a" --kernel 4.10 --transport chardev \
		--out "$KMODS_BUILD/arch"
done
NEEDS="kernel:4.10/mipseb busybox:mipseb" RUNS=450 \
	tier hostile-4.10-mipseb "$(scenarios $H)" 3600 tests/arch.sh \
	--arch mipseb --kernel 4.10 --transport chardev --script $H \
	--out "$KMODS_BUILD/arch-hostile"
# Kernels the project builds from Debian's linux-source (tests/kernel/,
# cached under ~/.cache/igloo_kmods/kbuild) with KASAN, lockdep, UBSAN and
# kmemleak: first the KUnit suites (one line per KUNIT_CASE of
# tests/kunit/, and the harness's own), which run nowhere else ...
for version in 6.1 6.12; do
	NEEDS=kernel:$version/debug RUNS=200 PAR=1 \
		tier "kunit-$version" \
		"$(cat tests/kunit/*.c | grep -c 'KUNIT_CASE(')" \
		7200 tests/run-kunit.sh "$version"
done
# ... then the scenario and hostile suites again under those detectors
# (plus their kmemleak scan).
for version in 6.1 6.12; do
	NEEDS=kernel:$version/debug RUNS=200 PAR=1 \
		tier "guest-$version-debug" $(($(scenarios $S) + 1)) 7200 \
		tests/run-guest.sh --kernel "$version-debug" --script $S \
		--out "$KMODS_BUILD/run/$version-debug" --label "$version-debug"
done
for version in 6.1 6.12; do
	NEEDS=kernel:$version/debug RUNS=500 \
		tier "hostile-$version-debug" $(($(scenarios $H) + 1)) 7200 \
		tests/run-guest.sh --kernel "$version-debug" --script $H \
		--out "$KMODS_BUILD/run/hostile-$version-debug" \
		--label "hostile-$version-debug"
done
# The penguin shape on 6.12 (no relay, debugfs or function tracer: int3
# kprobes on a current x86 kernel): on request only (KMODS_IGLOO_612=1),
# since guest-4.10 took over as the penguin-shaped x86 kernel and a cold
# run cannot afford both builds.
if [ "${KMODS_IGLOO_612:-0}" = 1 ]; then
	NEEDS=kernel:6.12/igloo RUNS=150 \
		tier guest-6.12-igloo "$(scenarios $S)" 7200 \
		tests/run-guest.sh --kernel 6.12-igloo --script $S \
		--out "$KMODS_BUILD/run/6.12-igloo" --label 6.12-igloo \
		--transport chardev
fi

tier_join
[ "$failed" = 0 ]
