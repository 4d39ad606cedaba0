#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Example /init for tests/qemu/mkinitramfs.sh: mounts the usual
# filesystems, prints KMODS-BOOT-OK, runs every /etc/kmods-init.d/*.sh
# (in order, each in its own shell, so a failing hook cannot kill init),
# prints KMODS-DONE and reboots (QEMU runs with -no-reboot, so it exits).

. /etc/kmods-env.sh

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp

echo "KMODS-BOOT-OK $KMODS_FLAVOUR $KMODS_ABI uptime=$(cut -d' ' -f1 /proc/uptime)"

for hook in /etc/kmods-init.d/*.sh; do
	[ -f "$hook" ] || continue
	/bin/sh "$hook" || echo "KMODS-HOOK-FAILED $hook status=$?"
done

echo "KMODS-DONE"
reboot -f
