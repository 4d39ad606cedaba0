#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run-guest.sh [--arch ARCH] --kernel FLAVOUR --script GUEST_SCRIPT
#	--out DIR [--label LABEL] [--append CMDLINE] [--transport chardev]
#
# Builds igloo_kmods, the test modules, the test programs and the static
# collector for FLAVOUR, boots a guest that runs GUEST_SCRIPT (with
# tests/guest/lib.sh as /kmods/lib.sh), and checks the outcome on the
# host: the records that left the guest on its second serial port are
# decoded by the collector into DIR/out/modules.log and modules.jsonl and
# compared with what the guest declared on its third serial port
# (tests/check-records.py). Prints TAP lines; exit 0 if all passed.
# --arch: another architecture's Debian kernel (arm64 armhf armel mipsel
# mips64el, tests/cross/lib.sh), cross-built, booted in its QEMU machine;
# the records and results take that machine's channels. LABEL defaults to
# FLAVOUR on x86_64, ARCH/FLAVOUR elsewhere. --append debugfs=off (or
# no-mount): the records must come through /dev/igloo_kmods.
# KMODS_GUEST_TIMEOUT (default 1200 s): QEMU is killed after it. The
# hostile suite on a debug kernel or an emulated MIPS guest needs more
# than the 10 minutes its stock x86_64 run can take on a loaded host.

set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

flavour= script= out= label= append= transport=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) flavour=${2:?}; shift 2 ;;
	--script) script=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--label) label=${2:?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--transport) transport=${2?}; shift 2 ;;
	--arch) KMODS_ARCH=$(kmods_arch_canon "${2:?}"); shift 2 ;;
	*) kmods_die "unknown argument '$1'" ;;
	esac
done
[ -n "$flavour" ] && [ -n "$script" ] && [ -n "$out" ] || \
	kmods_die "usage: $0 --kernel FLAVOUR --script FILE --out DIR"
if [ "$KMODS_ARCH" = x86_64 ]; then
	label=${label:-$flavour}
else
	label=${label:-$KMODS_ARCH/$flavour}
fi
export KMODS_ARCH

kmods_build_module "$flavour" "$transport"
kmods_build_test_modules "$flavour"
kmods_build_prog
kmods_build_collector

rm -rf "$out"
mkdir -p "$out/out" "$out/hostile"
# kmods-call32 exists where the kernel runs 32-bit programs.
call32=
[ ! -f "$KMODS_PROG_DIR/kmods-call32" ] || call32=$KMODS_PROG_DIR/kmods-call32
T=$KMODS_TESTMOD_DIR
# Hostile images for tests/guest/hostile.sh: broken copies of ikm_mark,
# and ikm_other compressed under ikm_mark's file name.
python3 "$KMODS_TESTS/hostile/mkimages.py" "$T/ikm_mark.ko" "$out/hostile" \
	"$T/ikm_other.ko"
xz --check=crc32 --lzma2=dict=1MiB -c "$T/ikm_other.ko" > "$out/hostile/ikm_mark.ko.xz"
# A module whose own name (.modinfo name= and this_module) is igloo-kmods:
# to the kernel another module than igloo_kmods, so not a built-in name.
python3 - "$T/ikm_dash_name.ko" "$out/igloo-kmods.ko" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
old, new = b"ikm_dash_name\0", b"igloo-kmods\0\0\0"
# Before 5.x (4.10) there is no .modinfo name=: this_module's is the only.
named = data.count(b"name=" + old)
assert named in (0, 1) and data.count(old) == named + 1
open(sys.argv[2], "wb").write(data.replace(old, new))
EOF
"$KMODS_TESTS/qemu/mkinitramfs.sh" --kernel "$flavour" \
	--out "$out/initrd.gz" --init "$KMODS_TESTS/guest/init.sh" \
	--add "$KMODS_KO:/kmods/" \
	--add "$T/ikm_mark.ko:/kmods/test/" \
	--add "$T/ikm_other.ko:/kmods/test/" \
	--add "$T/ikm_dash_name.ko:/kmods/test/" \
	--add "$T/ikm_torn_a.ko:/kmods/test/" \
	--add "$T/ikm_torn_b.ko:/kmods/test/" \
	--add "$out/igloo-kmods.ko:/kmods/test/" \
	--add "$T/igloo.ko:/kmods/test/" \
	--add "$T/ikm_mark.ko:/lib/modules/$KABI/extra/" \
	--add "$KMODS_PROG_DIR/kmods-call:/kmods/" \
	--add "$KMODS_COLLECT_STATIC:/kmods/" \
	--add "$out/hostile:/kmods/hostile" \
	--add "$KMODS_TESTS/guest/lib.sh:/kmods/lib.sh" \
	--add "$script:/kmods/scenarios.sh" \
	${call32:+--add "$call32:/kmods/"}

start=$(date +%s.%N)
boot_rc=0
"$KMODS_TESTS/qemu/boot.sh" --kernel "$flavour" --initrd "$out/initrd.gz" \
	--console "$out/console.log" --serial2 "$out/records.bin" \
	--results "$out/results.txt" --marker KMODS-BOOT-OK \
	--append "$append" --timeout "${KMODS_GUEST_TIMEOUT:-1200}" 2> "$out/boot.err" || boot_rc=$?
secs=$(echo "$(date +%s.%N) - $start" | bc)
printf '# %s: guest ran %.1f s (boot.sh exit %d)\n' "$label" "$secs" "$boot_rc"
# "boot.sh: marker 'KMODS-BOOT-OK' after 4.2 s": the kernel's boot time.
boot_secs=$(sed -n "s/^boot.sh: marker 'KMODS-BOOT-OK' after \([0-9.]*\) s$/\1/p" "$out/boot.err")
printf '# %s: booted in %s s\n' "$label" "${boot_secs:-?}"

# The outcome table, after the kernel it was measured on.
{
	sed -n 's/^KMODS-BOOT-OK \([^[:space:]]*\).*/KMODS-KERNEL|\1/p' \
		"$out/console.log" | head -n 1
	grep '^KMODS-TABLE|' "$out/results.txt"
} > "$out/table.txt" || true
failed=0
collect_rc=0
"$KMODS_COLLECT" -o "$out/out" "$out/records.bin" 2> "$out/collect.err" || \
	collect_rc=$?
if [ "$collect_rc" = 0 ]; then
	echo "ok - $label collector decoded the stream: $(grep -F ' records (' "$out/collect.err" | tail -1)"
else
	failed=1
	echo "not ok - $label collector exited $collect_rc"
	sed 's/^/#   /' "$out/collect.err"
fi
python3 "$KMODS_TESTS/check-records.py" "$label" "$out/results.txt" \
	"$out/out" "$out/collect.err" || failed=1
# Checks a scenario could not run on this machine: each one a TAP skip,
# counted as skipped (never as passed). A debug kernel has kmemleak, so
# there its scan may not be skipped.
while IFS='|' read -r _ scenario reason; do
	case $scenario:$flavour in
	kmemleak:*-debug)
		failed=1
		echo "not ok - $label kmemleak scan did not run: $reason" ;;
	*)
		echo "ok - $label $scenario # SKIP $reason" ;;
	esac
done < <(grep '^KMODS-SKIP|' "$out/results.txt" | tr -d '\r' || true)
want_stream=/sys/kernel/debug/igloo_kmods/records0
[ "$transport" != chardev ] || want_stream=/dev/igloo_kmods
# Without debugfs the relay build falls back to the character device.
case " $append " in
*" debugfs=off "*|*" debugfs=no-mount "*) want_stream=/dev/igloo_kmods ;;
esac
if grep -q '^KMODS-STREAM|' "$out/results.txt"; then
	if grep -qxF "KMODS-STREAM|$want_stream" "$out/results.txt"; then
		echo "ok - $label records came through $want_stream"
	else
		failed=1
		echo "not ok - $label records came through $want_stream"
		grep '^KMODS-STREAM|' "$out/results.txt" | sed 's/^/#   /'
	fi
fi
kmods_console_verdict "$label" "$boot_rc" "$out" || failed=1
exit $failed
