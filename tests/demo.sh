#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/demo.sh [FLAVOUR]: the main job on a default example. Installs
# what is missing, builds igloo_kmods, boots a Debian guest (6.1 unless
# FLAVOUR says otherwise) whose "firmware" loads five modules under the
# policy allowlist=dummy,ikm_other denylist=ikm_mark, decodes the records
# that left the guest, and prints the resulting modules.log.

set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

flavour=${1:-6.1}
out=$KMODS_BUILD/demo
# A fresh clone has no build/ yet.
mkdir -p "$KMODS_BUILD"
"$KMODS_TESTS/setup.sh" > /dev/null
echo "Booting a Debian $flavour guest (about 15 s)..."
rc=0
"$KMODS_TESTS/run-guest.sh" --kernel "$flavour" \
	--script "$KMODS_TESTS/guest/demo.sh" --out "$out" \
	--label demo > "$out.tap" 2> "$out.log" || rc=$?
if [ ! -f "$out/console.log" ]; then
	echo "tests/run-guest.sh exited $rc before booting the guest:" >&2
	tail -20 "$out.log" >&2
	exit 1
fi

echo
echo "== the guest's console (igloo_kmods lines and the firmware script)"
sed 's/^\[ *[0-9.]*\] //' "$out/console.log" | \
	grep -E '^(igloo_kmods|firmware|policy|loaded now|counters): '

echo
echo "== $out/out/modules.log (what penguin's kmods plugin would write)"
cat "$out/out/modules.log"
echo
echo "== $out/out/modules.jsonl, in short"
python3 - "$out/out/modules.jsonl" <<'PY'
import json, sys
print("%-4s %-13s %-14s %-9s %-10s %4s  %s" % ("seq", "syscall", "name", "decision",
                                          "rule", "ret", "path"))
for line in open(sys.argv[1]):
    r = json.loads(line)
    print("%-4s %-13s %-14s %-9s %-10s %4s  %s" % (
        r["seq"], r["syscall"], r["name"], r["decision"], r["rule"],
        r["ret"], r["path"]))
PY
echo
echo "== checks"
cat "$out.tap"
exit $rc
