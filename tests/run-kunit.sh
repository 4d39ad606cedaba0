#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run-kunit.sh [--out DIR] VERSION
#
# Runs igloo_kmods' KUnit suites (tests/kunit/) on the debug kernel
# VERSION-debug (6.1 or 6.12; KASAN, lockdep, UBSAN, kmemleak), which
# tests/kernel/build.sh builds from Debian's linux-source the first time:
#   - builds the KUnit module and igloo_kmods.ko against that kernel
#     (a compiler warning fails the run);
#   - boots it in QEMU (TCG) with panic_on_warn=1 and a busybox initramfs
#     whose /init (tests/kunit/guest-init.sh) loads the KUnit module and
#     sends /sys/kernel/debug/kunit/<suite>/results out through the second
#     serial port, loads and unloads igloo_kmods, then runs kmemleak;
#   - parses the results with the kernel's own `kunit.py parse`.
# Prints TAP lines "ok - kunit-VERSION <suite>:<case>" / "not ok - ...",
# one per test case, plus the module build, the guest's steps, the
# console (no BUG:, WARNING:, Oops, Call Trace, KASAN) and kmemleak.
# Exit status 0 if all passed. Output in DIR (default build/kunit-run/VERSION).

set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

out=
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=${2:?}; shift 2 ;;
	-*) kmods_die "unknown argument '$1'" ;;
	*) break ;;
	esac
done
[ $# = 1 ] || kmods_die "usage: $0 [--out DIR] VERSION (6.1 or 6.12)"
version=$1
case $version in
6.1|6.12) ;;
*) kmods_die "unknown VERSION '$version' (6.1 or 6.12)" ;;
esac
flavour=$version-debug
label=kunit-$version
TAP_PREFIX="$label "
out=${out:-$KMODS_BUILD/kunit-run/$version}
# kunit.py changes into the kernel tree: the paths given it must be whole.
mkdir -p "$out"
out=$(realpath "$out")

# --- the kernel, the KUnit module, igloo_kmods --------------------------------
kmods_kernel_info "$flavour"
src=$("$KMODS_TESTS/kernel/build.sh" --quiet "$version" debug | \
	sed -n 's/^source=//p')
kunit_py=$src/tools/testing/kunit/kunit.py
[ -f "$kunit_py" ] || kmods_die "no $kunit_py"

rm -rf "$out"
mkdir -p "$out"

# The KUnit module includes ../../policy.c, ../../record.c (with
# compat.h and compat.mk) and ../elf-image.h: build it from a copy that
# keeps the repository's layout.
kdir=$KMODS_BUILD/kunit/$KABI
mkdir -p "$kdir/tests/kunit" "$kdir/include/uapi/linux"
for f in "$KMODS_REPO"/policy.[ch] "$KMODS_REPO"/record.c \
	 "$KMODS_REPO"/compat.h "$KMODS_REPO"/compat.mk \
	 "$KMODS_REPO"/internal.h "$KMODS_REPO"/include/uapi/linux/*.h \
	 "$KMODS_TESTS"/elf-image.h \
	 "$KMODS_TESTS"/kunit/Kbuild "$KMODS_TESTS"/kunit/*.c; do
	rel=${f#"$KMODS_REPO"/}
	cmp -s "$f" "$kdir/$rel" || cp -p "$f" "$kdir/$rel"
done
if make -C "$KDIR" M="$kdir/tests/kunit" modules > "$out/kunit-build.log" 2>&1; then
	if grep -q 'warning:' "$out/kunit-build.log"; then
		not_ok "KUnit module builds without warnings"
		{ grep -A3 'warning:' "$out/kunit-build.log" || true; } | \
			head -20 | sed 's/^/#   /'
	else
		ok "KUnit module builds without warnings"
	fi
else
	not_ok "KUnit module build failed"
	tail -30 "$out/kunit-build.log" | sed 's/^/#   /'
	exit 1
fi
kunit_ko=$kdir/tests/kunit/igloo_kmods_kunit.ko
kmods_build_module "$flavour"

# --- the guest -----------------------------------------------------------------
"$KMODS_TESTS/qemu/mkinitramfs.sh" --kernel "$flavour" --no-default-kmods \
	--out "$out/initrd.gz" --init "$KMODS_TESTS/kunit/guest-init.sh" \
	--add "$kunit_ko:/kmods/" --add "$KMODS_KO:/kmods/"

start=$(date +%s)
boot_rc=0
"$KMODS_TESTS/qemu/boot.sh" --kernel "$flavour" --initrd "$out/initrd.gz" \
	--console "$out/console.log" --serial2 "$out/results.ktap" \
	--qemu-arg -serial --qemu-arg "file:$out/status.txt" \
	--timeout "${KMODS_KUNIT_TIMEOUT:-900}" 2> "$out/boot.err" || boot_rc=$?
echo "# $label: guest ran $(($(date +%s) - start)) s (boot.sh exit $boot_rc)"

# --- KUnit results ---------------------------------------------------------------
parse_rc=0
python3 "$kunit_py" parse --json="$out/results.json" "$out/results.ktap" \
	> "$out/kunit-parse.txt" 2>&1 || parse_rc=$?
if [ -s "$out/results.json" ]; then
	python3 - "$out/results.json" "$label" <<'EOF' || failed=1
import json
import sys

# One TAP line per test case: suite:case; a parameterised case's
# failing parameters follow as comments.
top = json.load(open(sys.argv[1]))
label = sys.argv[2]
want = ["igloo_kmods_names", "igloo_kmods_lists", "igloo_kmods_policy",
        "igloo_kmods_elf", "igloo_kmods_records"]
bad = 0


def leaves(group, path):
    for case in group.get("test_cases", []):
        yield path + [case["name"]], case["status"]
    for sub in group.get("sub_groups", []):
        yield from leaves(sub, path + [sub["name"]])


suites = {g["name"]: g for g in top.get("sub_groups", [])}
for name in want:
    if name not in suites:
        print(f"not ok - {label} {name}: suite missing from the results")
        bad = 1
for suite in top.get("sub_groups", []):
    for case in suite.get("test_cases", []):
        ok = case["status"] == "PASS"
        bad |= not ok
        print(f"{'ok' if ok else 'not ok'} - {label} "
              f"{suite['name']}:{case['name']}"
              + ("" if ok else f" ({case['status']})"))
    for param in suite.get("sub_groups", []):
        results = list(leaves(param, []))
        failing = [p for p, s in results if s != "PASS"]
        ok = results and not failing
        bad |= not ok
        print(f"{'ok' if ok else 'not ok'} - {label} "
              f"{suite['name']}:{param['name']} ({len(results)} parameters)")
        for p in failing:
            print(f"#   failing parameter: {':'.join(p)}")
sys.exit(bad)
EOF
else
	not_ok "kunit.py parse produced no results (exit $parse_rc; see $out/kunit-parse.txt)"
	tail -20 "$out/kunit-parse.txt" | sed 's/^/#   /'
fi
if [ "$parse_rc" = 0 ]; then
	ok "kunit.py parse: $(grep -E 'Testing complete' "$out/kunit-parse.txt" | \
		sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^.*Testing complete. //' || true)"
else
	not_ok "kunit.py parse exited $parse_rc"
	{ grep -E 'FAILED|CRASHED|EXPECTATION|Expected|at .*:[0-9]+' \
		"$out/kunit-parse.txt" || true; } | head -40 | sed 's/^/#   /'
fi

# --- the guest's own checks, kmemleak, the console -------------------------------
status_file=$out/status.txt
touch "$status_file"
for step in insmod_kunit rmmod_kunit igloo_kmods_load_unload kmemleak_scan; do
	line=$(grep -a "^IKT|$step|" "$status_file" | tail -1 || true)
	case $line in
	"IKT|$step|ok|"*) ok "guest: $step" ;;
	"") not_ok "guest: $step did not run" ;;
	*) not_ok "guest: $step: ${line#"IKT|$step|fail|"}" ;;
	esac
done
leaks=$(sed -n '/^IKT-KMEMLEAK-BEGIN/,/^IKT-KMEMLEAK-END/p' "$status_file" | \
	grep -av '^IKT-KMEMLEAK-' || true)
if ! grep -q '^IKT-KMEMLEAK-END' "$status_file"; then
	not_ok "kmemleak: no report"
elif [ -n "$leaks" ]; then
	not_ok "kmemleak: leaks after the suites and igloo_kmods' load/unload"
	printf '%s\n' "$leaks" | head -40 | sed 's/^/#   /'
else
	ok "kmemleak: no leak after the suites and igloo_kmods' load/unload"
fi
grep -q '^IKT-DONE' "$status_file" || not_ok "the guest did not finish (see $out/console.log)"
if [ "$boot_rc" = 0 ]; then
	ok "console has no BUG, WARNING, Oops, Call Trace or KASAN"
else
	not_ok "guest console (boot.sh exit $boot_rc, see $out/console.log)"
	sed 's/^/#   /' "$out/boot.err" | head -20
fi
exit $failed
