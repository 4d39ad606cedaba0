#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the KUnit guest (tests/run-kunit.sh): load the KUnit module,
# send its suites' results, as one KTAP document, out through ttyS1; load
# and unload igloo_kmods once; then a kmemleak scan. Status lines and the
# kmemleak report go out through ttyS2:
#	IKT|<check>|ok|  or  IKT|<check>|fail|<reason>
#	IKT-KMEMLEAK-BEGIN ... IKT-KMEMLEAK-END	(the report, empty if clean)
#	IKT-DONE

export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
stty -F /dev/ttyS1 raw -echo
stty -F /dev/ttyS2 raw -echo
echo "IKT-BOOT-OK $(uname -r)"

KTAP=/dev/ttyS1
STATUS=/dev/ttyS2
KUNIT=/sys/kernel/debug/kunit
LEAK=/sys/kernel/debug/kmemleak
SUITES="igloo_kmods_names igloo_kmods_lists igloo_kmods_policy igloo_kmods_elf igloo_kmods_records"

status()
{
	echo "IKT|$1|$2|$3" >> "$STATUS"
	echo "IKT|$1|$2|$3"
}

# Leak suspects from boot are not ours: report them once, then forget them.
if [ -w "$LEAK" ]; then
	echo scan > "$LEAK"
	echo clear > "$LEAK"
fi

# The suites run while insmod waits; their results stay in debugfs until
# the module is removed.
if /sbin/insmod /kmods/igloo_kmods_kunit.ko; then
	status insmod_kunit ok
else
	status insmod_kunit fail "insmod exited $?"
fi

# One KTAP document: each results file is a whole one ("KTAP version 1",
# "1..1", the suite, "ok 1 <suite>"); drop its header, number its line.
n=0
for s in $SUITES; do
	n=$((n + 1))
done
{
	echo "KTAP version 1"
	echo "1..$n"
	i=0
	for s in $SUITES; do
		i=$((i + 1))
		if [ -r "$KUNIT/$s/results" ]; then
			sed -E -e '1,2d' -e '$s/^(not ok|ok) 1 /\1 '"$i"' /' \
				"$KUNIT/$s/results"
		else
			echo "not ok $i $s # no $KUNIT/$s/results"
		fi
	done
} > "$KTAP"

if /sbin/rmmod igloo_kmods_kunit; then
	status rmmod_kunit ok
else
	status rmmod_kunit fail "rmmod exited $?"
fi

# igloo_kmods itself, once, so that kmemleak looks at its load and unload.
if /sbin/insmod /kmods/igloo_kmods.ko allowlist=a,b denylist=c; then
	if [ -d /sys/module/igloo_kmods ] && /sbin/rmmod igloo_kmods; then
		status igloo_kmods_load_unload ok
	else
		status igloo_kmods_load_unload fail "rmmod igloo_kmods failed"
	fi
else
	status igloo_kmods_load_unload fail "insmod igloo_kmods exited $?"
fi

# kmemleak reports an object only once it is 5 s old and was unreferenced
# in two scans in a row.
if [ -w "$LEAK" ]; then
	sleep 6
	echo scan > "$LEAK"
	sleep 1
	echo scan > "$LEAK"
	{
		echo "IKT-KMEMLEAK-BEGIN"
		cat "$LEAK"
		echo "IKT-KMEMLEAK-END"
	} >> "$STATUS"
	status kmemleak_scan ok
else
	status kmemleak_scan fail "no $LEAK"
fi

echo "IKT-DONE" >> "$STATUS"
echo "IKT-GUEST-END"
sync
reboot -f
