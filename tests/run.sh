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
# KMODS_FUZZ_SECONDS (default 20) bounds each fuzzer's run.
# KMODS_TIME_SCALE (default 1) multiplies every time limit (a slower
# machine).

set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

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
	echo "$passed passed, $failed failed, $skipped skipped"
}
trap summary EXIT
trap 'echo "not ok - tests/run.sh interrupted"; failed=$((failed + 1)); exit 130' INT TERM

# tier NAME MIN LIMIT COMMAND...: run a tier for at most LIMIT seconds,
# show its TAP lines and count them. It fails when it printed fewer than
# MIN checks (ok, not ok or skip), or fewer than the sum of its TAP plans.
tier()
{
	local name=$1 min=$2 limit=$3 start rc n_ok n_fail n_skip ran plan
	shift 3
	limit=$((limit * ${KMODS_TIME_SCALE:-1}))
	echo "# --- $name"
	start=$(date +%s)
	# timeout signals the tier's whole process group (make, QEMU...).
	timeout --kill-after=30 "$limit" "$@" > "$log/$name.log" 2>&1 < /dev/null
	rc=$?
	grep -E '^(ok|not ok)( |$)|^#' "$log/$name.log" | \
		grep -v -E '^# (Skipping|[0-9]+ passed)' || true
	n_skip=$(grep -ciE '^ok( .*)? # skip' "$log/$name.log")
	n_ok=$(($(grep -cE '^ok( |$)' "$log/$name.log") - n_skip))
	n_fail=$(grep -cE '^not ok( |$)' "$log/$name.log")
	ran=$((n_ok + n_fail + n_skip))
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)\b.*/\1/p' "$log/$name.log" | \
		awk '{ n += $1 } END { print n + 0 }')
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "not ok - $name timed out after $limit s (killed; see $log/$name.log)"
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
	echo "# $name: $n_ok passed, $n_fail failed, $n_skip skipped, $(($(date +%s) - start)) s (limit $limit s)"
}

# A guest tier's minimum: each top-level scenario of SCRIPT gives one
# line, and run-guest.sh adds at least four (collector, modules.log,
# finished, console).
scenarios()
{
	echo $(($(grep -c '^begin ' "$1") + 4))
}

if ! timeout --kill-after=30 $((3600 * ${KMODS_TIME_SCALE:-1})) \
	tests/setup.sh > "$log/setup.log" 2>&1 < /dev/null; then
	echo "not ok - tests/setup.sh failed or timed out"
	tail -20 "$log/setup.log" | sed 's/^/#   /'
	failed=$((failed + 1))
	exit 1
fi

# Limits (seconds): about four times the tier's time in a CI run on this
# 2-CPU machine (static 254 s, collector 37 s, config 162 s, docs 93 s,
# unit 25 s, fuzz 84 s, guest-6.1 99 s, guest-6.12 157 s, hostile-6.1
# 635 s; demo about 6 minutes), since a run sharing the machine with other
# builds took twice as long (static 500 s). Tiers that build a kernel on
# first use (or wait on the lock of another run building it) get two
# hours: tests/kernel/README.md measured 7 to 18 minutes for a cold build,
# but one 6.1-debug build on this machine, shared with four other builds,
# was still running after 66 minutes. Minimums: the checks each tier
# printed in that run; a guest tier's is computed from its script
# (scenarios above).
S=tests/guest/scenarios.sh
H=tests/guest/hostile.sh
tier static 5 1200 tests/static-checks.sh
tier collector 40 300 make -s -C collector check
tier config 90 900 tests/config.sh
tier docs 14 600 Documentation/check-docs.sh
tier unit 100 300 tests/unit/run.sh
tier fuzz 3 $((3 * ${KMODS_FUZZ_SECONDS:-20} + 900)) \
	tests/fuzz/run.sh "${KMODS_FUZZ_SECONDS:-20}"
# The README's first command, from a fresh clone of the commit under test.
tier demo 8 1800 tests/fresh-demo.sh
for flavour in $KMODS_FLAVOURS; do
	tier "guest-$flavour" "$(scenarios $S)" 900 tests/run-guest.sh \
		--kernel "$flavour" --script $S \
		--out "$KMODS_BUILD/run/$flavour" --label "$flavour"
done
for flavour in $KMODS_FLAVOURS; do
	tier "hostile-$flavour" "$(scenarios $H)" 2400 tests/run-guest.sh \
		--kernel "$flavour" --script $H \
		--out "$KMODS_BUILD/run/hostile-$flavour" --label "hostile-$flavour"
done
# penguin's own kmods tests (tests/penguin/test_kmods.table), replayed in
# a guest whose records leave through penguin's 9p share, never a serial
# port: one line per row, and 14 of the harness's own. On 6.12 through
# /dev/igloo_kmods, the stream of penguin's kernels.
share_min=$(($(grep -c '^[a-z]' tests/penguin/test_kmods.table) + 14))
tier share-6.1 "$share_min" 900 tests/run-share.sh --kernel 6.1 \
	--out "$KMODS_BUILD/run/share-6.1" --label share-6.1
tier share-6.12-chardev "$share_min" 900 tests/run-share.sh --kernel 6.12 \
	--transport chardev --out "$KMODS_BUILD/run/share-6.12-chardev" \
	--label share-6.12-chardev
# The character-device stream that kernels without relay/debugfs use.
tier guest-6.12-chardev "$(scenarios $S)" 900 tests/run-guest.sh \
	--kernel 6.12 --transport chardev --script $S \
	--out "$KMODS_BUILD/run/6.12-chardev" --label 6.12-chardev
# A relay build on a kernel booted without debugfs: the character device.
tier guest-6.1-nodebugfs "$(scenarios $S)" 900 tests/run-guest.sh \
	--kernel 6.1 --append debugfs=off --script $S \
	--out "$KMODS_BUILD/run/6.1-nodebugfs" --label 6.1-nodebugfs
# Kernels the project builds from Debian's linux-source (tests/kernel/,
# cached under ~/.cache/igloo_kmods/kbuild): KUnit, and the scenario and
# hostile suites under KASAN, lockdep, UBSAN and kmemleak (plus their
# kmemleak scenario); and a kernel shaped like penguin's (no relay, no
# debugfs, no function tracer), where the records come through
# /dev/igloo_kmods.
for version in 6.1 6.12; do
	# One line per KUNIT_CASE of tests/kunit/, and the harness's own.
	tier "kunit-$version" "$(cat tests/kunit/*.c | grep -c 'KUNIT_CASE(')" \
		7200 tests/run-kunit.sh "$version"
	tier "guest-$version-debug" $(($(scenarios $S) + 1)) 7200 \
		tests/run-guest.sh --kernel "$version-debug" --script $S \
		--out "$KMODS_BUILD/run/$version-debug" --label "$version-debug"
	tier "hostile-$version-debug" $(($(scenarios $H) + 1)) 7200 \
		tests/run-guest.sh --kernel "$version-debug" --script $H \
		--out "$KMODS_BUILD/run/hostile-$version-debug" \
		--label "hostile-$version-debug"
done
# The same penguin shape on 6.12 (int3 kprobes on a current x86 kernel):
# on request only (KMODS_IGLOO_612=1), since guest-4.10 (below) took over as the
# penguin-shaped x86 kernel and a cold run cannot afford both builds.
if [ "${KMODS_IGLOO_612:-0}" = 1 ]; then
	tier guest-6.12-igloo "$(scenarios $S)" 7200 tests/run-guest.sh \
		--kernel 6.12-igloo --script $S \
		--out "$KMODS_BUILD/run/6.12-igloo" --label 6.12-igloo \
		--transport chardev
fi
# penguin's default kernel: vanilla 4.10.17 with penguin's x86_64 options
# (tests/kernel/penguin.config), records through /dev/igloo_kmods.
tier guest-4.10 "$(scenarios $S)" 7200 tests/run-guest.sh \
	--kernel 4.10-penguin --script $S --out "$KMODS_BUILD/run/4.10-penguin" \
	--label 4.10-penguin --transport chardev
# The hostile suite there: its stock answers are 4.10's own (ETXTBSY for a
# write-only fd), and with no notifier veto before 5.10, bypass_probes_off
# is where kmods_coming_veto() replaces a refused module's init. The
# kernel is guest-4.10's (built by then); the suite took 35 s in the
# guest, about 2.5 min with the harness.
tier hostile-4.10 "$(scenarios $H)" 1200 tests/run-guest.sh \
	--kernel 4.10-penguin --script $H \
	--out "$KMODS_BUILD/run/hostile-4.10-penguin" \
	--label hostile-4.10-penguin --transport chardev
# The scenarios on other architectures' Debian kernels under QEMU
# (tests/arch.sh: arm64 armhf armel mipsel mips64el mipseb ppc64el i386); a
# table ends it.
tier cross $((8 * $(scenarios $S))) 7200 tests/arch.sh --out "$KMODS_BUILD/arch"
# The hostile suite on the big-endian guest (crafted images, bad arguments
# and the stress runs through another byte order and 32-bit lengths).
tier hostile-mipseb "$(scenarios $H)" 3600 tests/arch.sh --arch mipseb \
	--script $H --out "$KMODS_BUILD/arch-hostile"

# add, the sources, the CONFIG_KPROBES exclusion, seven checks for each of
# the two header sets (build, status, install, installed, vermagic,
# parameters, depmod), remove and a clean machine: 19.
tier dkms 19 1200 tests/dkms.sh

[ "$failed" = 0 ]
