#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the igloo_kmods test guest: mount what the scenarios need, run
# them, and power off. Results leave through the third serial port.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
stty -F /dev/ttyS1 raw -echo
stty -F /dev/ttyS2 raw -echo
echo "KMODS-BOOT-OK $(uname -r)"
sh /kmods/scenarios.sh
echo "KMODS-GUEST-END"
sync
reboot -f
