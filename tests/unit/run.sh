#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/unit/run.sh - build and run the policy.c unit test (policy-test).
#
# Prints one "ok N - name" / "not ok N - name" / "ok N - name # SKIP why"
# line per case and a final "N passed, N failed, N skipped"; exits
# non-zero if a case failed or the build did. real_dummy_ko reads the 6.1
# test kernel's dummy.ko (tests/setup.sh puts it in the cache) unless
# KMODS_DUMMY_KO names another.
# CC=clang tests/unit/run.sh builds with clang instead of gcc.
set -euo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$dir/../.." && pwd)
out=${O:-$top/build/unit}

make -s -C "$dir" O="$out" ${CC:+CC="$CC"} >&2
if [ -z "${KMODS_DUMMY_KO:-}" ]; then
	cache=${IGLOO_KMODS_CACHE:-$HOME/.cache/igloo_kmods}
	for ko in "$cache"/kernels/6.1.*/lib/modules/*/kernel/drivers/net/dummy.ko; do
		[ -f "$ko" ] && export KMODS_DUMMY_KO=$ko
	done
fi
exec "$out/policy-test" --replay "$top/tests/fuzz/regressions" \
	--replay "$top/tests/fuzz/seeds"
