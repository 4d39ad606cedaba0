#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fresh-demo.sh [COMMIT]: the README's first command as a new user
# runs it. Clones the commit under test (default HEAD of this repository;
# what is not committed is not in it) into $KMODS_BUILD/fresh-clone, where there is
# no build/ directory, runs its tests/demo.sh, and checks what the demo
# printed against the records its policy must produce (the expected
# lines are written here, not taken from the demo's output).
# Prints TAP lines (with a plan); exit 0 if all passed.

set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

clone=$KMODS_BUILD/fresh-clone
head=$(git -C "$KMODS_REPO" rev-parse --verify "${1:-HEAD}^{commit}")
rm -rf "$clone"
mkdir -p "$KMODS_BUILD"

echo "1..8"
failed=0
pass() { echo "ok - demo: $*"; }
flunk() { failed=1; echo "not ok - demo: $*"; }
# same DESCRIPTION WANT GOT: pass if GOT is WANT, else flunk with a diff.
same()
{
	if [ "$3" = "$2" ]; then
		pass "$1"
	else
		flunk "$1"
		diff <(echo "$2") <(echo "$3") | sed 's/^/#   /' || true
	fi
}

if git clone -q --no-checkout "$KMODS_REPO" "$clone" && \
   git -C "$clone" checkout -q --detach "$head"; then
	pass "fresh clone of $head"
else
	flunk "git clone of $head failed"
	exit 1
fi
if [ ! -e "$clone/build" ]; then
	pass "the fresh clone has no build/"
else
	flunk "the fresh clone has a build/ directory"
fi

rc=0
# Its own build directory, not ours.
(cd "$clone" && env -u KMODS_BUILD tests/demo.sh) > "$clone.out" 2>&1 || rc=$?
if [ "$rc" = 0 ]; then
	pass "tests/demo.sh exited 0"
else
	flunk "tests/demo.sh exited $rc (output: $clone.out)"
	tail -15 "$clone.out" | sed 's/^/#   /'
fi

# The section of the demo's output between "== TITLE" and the next "==".
section()
{
	tr -d '\r' < "$clone.out" | \
		awk -v t="$1" '/^== / { on = index($0, t) > 0; next } on && NF'
}

# The five loads of tests/guest/demo.sh under allowlist=dummy,ikm_other
# denylist=ikm_mark, in order: modules.log holds each path, the records
# say what the policy decided.
want_log="/lib/modules/@KABI@/kernel/drivers/net/dummy.ko
/kmods/test/ikm_other.ko
/kmods/test/ikm_mark.ko
/lib/firmware-modules/nf_conntrack.ko
/lib/firmware-modules/vendor_wifi.ko"
same "modules.log lists the five loads in order" "$want_log" \
	"$(section modules.log | sed 's|^/lib/modules/[^/]*/|/lib/modules/@KABI@/|')"

want_rec="finit_module dummy allow allowlist 0
finit_module ikm_other allow allowlist 0
finit_module ikm_mark block denylist 0
finit_module ikm_mark block denylist 0
finit_module ikm_dash_name block default 0"
same "the records hold the policy's five decisions" "$want_rec" \
	"$(section modules.jsonl | awk '$1 != "seq" { print $2, $3, $4, $5, $6 }')"

if section "guest's console" | grep -qx 'policy: allowlist=dummy,ikm_other denylist=ikm_mark mode=enforce'; then
	pass "the console shows the policy"
else
	flunk "the console shows the policy"
fi
if section "guest's console" | grep -qx 'loaded now: dummy igloo igloo_kmods ikm_other '; then
	pass "only dummy, igloo, igloo_kmods and ikm_other are loaded"
else
	flunk "only dummy, igloo, igloo_kmods and ikm_other are loaded"
	section "guest's console" | grep '^loaded now' | sed 's/^/#   /' || true
fi

checks=$(section checks)
if [ -n "$checks" ] && ! grep -q '^not ok' <<<"$checks" && \
   grep -q '^ok - demo demo$' <<<"$checks"; then
	pass "the demo's own checks passed ($(grep -c '^ok' <<<"$checks") ok)"
else
	flunk "the demo's own checks passed"
	grep '^not ok' <<<"$checks" | sed 's/^/#   /' || true
fi
exit $failed
