#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/run.sh - build and run the policy.c unit test (policy-test).
#
# Prints one "ok N - name" / "not ok N - name" line per case and a final
# "N passed, N failed"; exits non-zero if a case failed or the build did.
# CC=clang tests/unit/run.sh builds with clang instead of gcc.
set -euo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/../.." && pwd)
out=${O:-$top/build/unit}

make -s -C "$dir" O="$out" ${CC:+CC="$CC"} >&2
exec "$out/policy-test" --replay "$top/tests/fuzz/regressions" \
	--replay "$top/tests/fuzz/seeds"
