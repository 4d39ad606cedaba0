#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh [SECONDS] [HARNESS...]
#
# Builds the libFuzzer harnesses (installing libclang-rt-14-dev with apt if
# the fuzzer runtime is missing) and runs each one, list path image by
# default, for SECONDS (default 60) with -max_total_time. Prints a TAP
# plan (one test per harness), then
#	ok N - fuzz <harness> (<execs> execs)
# or "not ok" (a crash, a leak, a timeout, or no input run at all: 0 of
# libFuzzer's executed units fails), then "N passed, N failed, 0 skipped";
# exits 1 if any harness failed.
#
# The working corpus of each harness is kept in $O/corpus/<harness>
# (O defaults to <repo>/build/fuzz, which git ignores), seeded from
# seeds/<harness>/. When a harness crashes, times out or leaks, the input
# is minimized and saved as regressions/<harness>/<kind>-<sha1>, which
# tests/unit/policy-test then replays on every run.
set -uo pipefail

secs=${1:-60}
shift $(($# ? 1 : 0))
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(list path image)
case $secs in
''|*[!0-9]*) echo "usage: $0 [SECONDS] [HARNESS...]" >&2; exit 2 ;;
esac

dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/../.." && pwd)
out=${O:-$top/build/fuzz}
clang=${CLANG:-clang}

# The fuzzer runtime: /usr/lib/llvm-14/lib/clang/*/lib/linux/.
have_runtime() {
	compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" \
		>/dev/null
}

if ! command -v "$clang" >/dev/null || ! have_runtime; then
	echo "# installing clang-14 and libclang-rt-14-dev" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y clang-14 libclang-rt-14-dev >&2 ||
		{ apt-get update >&2 &&
		  apt-get install -y clang-14 libclang-rt-14-dev >&2; } ||
		{ echo "# cannot install the fuzzer runtime" >&2; exit 1; }
	command -v "$clang" >/dev/null || clang="clang-14"
fi

make -s -C "$dir" O="$out" CLANG="$clang" >&2 || exit 1

num=0
passed=0
failed=0
echo "1..${#harnesses[@]}"
for h in "${harnesses[@]}"; do
	num=$((num + 1))
	prog=$out/fuzz-$h
	corpus=$out/corpus/$h
	art=$out/artifacts/$h
	log=$out/$h.log
	dict=()
	[ -f "$dir/$h.dict" ] && dict=(-dict="$dir/$h.dict")
	if [ ! -x "$prog" ]; then
		echo "not ok $num - fuzz $h (no such harness)"
		failed=$((failed + 1))
		continue
	fi
	rm -rf "$art"
	mkdir -p "$corpus" "$art"

	"$prog" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$art/" "${dict[@]}" \
		"$corpus" "$dir/seeds/$h" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	execs=${execs:-0}

	crashes=("$art"/*)
	[ -e "${crashes[0]}" ] || crashes=()
	if [ $rc -eq 0 ] && [ ${#crashes[@]} -eq 0 ] && [ "$execs" -gt 0 ]; then
		echo "ok $num - fuzz $h ($execs execs)"
		passed=$((passed + 1))
		continue
	fi
	if [ $rc -eq 0 ] && [ ${#crashes[@]} -eq 0 ]; then
		echo "not ok $num - fuzz $h ran no input (0 execs; see $log)"
		failed=$((failed + 1))
		continue
	fi

	echo "not ok $num - fuzz $h ($execs execs, exit $rc)"
	failed=$((failed + 1))
	grep -E 'ERROR|invariant|SUMMARY|runtime error|#[0-9]+ 0x' "$log" |
		head -n 20 | sed 's/^/    # /'
	for a in "${crashes[@]}"; do
		kind=$(basename "$a")
		kind=${kind%%-*}
		min=$art/min-$(basename "$a")
		# Minimizing needs the input to fail the same way again.
		"$prog" -minimize_crash=1 -max_total_time=60 -timeout=10 \
			-exact_artifact_path="$min" "$a" >"$log.min" 2>&1
		[ -s "$min" ] || cp "$a" "$min"
		mkdir -p "$dir/regressions/$h"
		save=$dir/regressions/$h/$kind-$(sha1sum "$min" | cut -c1-40)
		cp "$min" "$save"
		echo "    # saved $(wc -c <"$save") bytes as ${save#"$top"/}"
	done
done
echo "$passed passed, $failed failed, 0 skipped"
[ $failed -eq 0 ]
