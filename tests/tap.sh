# SPDX-License-Identifier: GPL-2.0
#
# TAP lines for the test scripts (bash; sourced). Set TAP_PREFIX for a
# label in front of every description (it is read at each call, so it may
# be set after sourcing); $failed becomes 1 at the first failure.
#	ok DESCRIPTION		"ok - <prefix>DESCRIPTION"
#	not_ok DESCRIPTION	"not ok - <prefix>DESCRIPTION"
#	detail FILE [N]		FILE's first N (20) lines as TAP detail lines

failed=0

ok()
{
	echo "ok - ${TAP_PREFIX:-}$*"
}

not_ok()
{
	failed=1
	echo "not ok - ${TAP_PREFIX:-}$*"
}

detail()
{
	sed 's/^/#   /' "$1" | head -n "${2:-20}"
}
