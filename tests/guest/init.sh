#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the igloo_kmods test guest: mount what the scenarios need, run
# them, and power off. Records leave through $KMODS_RAW, results through
# $KMODS_RESULTS: on x86_64 the second and third serial ports; other
# architectures say where in /etc/kmods-arch.env (tests/cross/lib.sh,
# kmods_guest_env): a device, "virtio:<port name>" (a virtio-serial port)
# or "console" (kept in a file here, printed on the console at the end);
# "none" for the records of a guest that writes them to penguin's 9p
# share (/etc/kmods-share.env, tests/run-share.sh).

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug

KMODS_RAW_CHANNEL=/dev/ttyS1
KMODS_RESULTS_CHANNEL=/dev/ttyS2
KMODS_HAVE_COMPAT=1
KMODS_PRELOAD=
KMODS_RAW_SYNC=0
[ -r /etc/kmods-arch.env ] && . /etc/kmods-arch.env
# A guest with penguin's 9p share (tests/run-share.sh): its drivers load
# first, and records leave through the share, never a serial port
# (KMODS_RAW_CHANNEL=none).
KMODS_SHARE_TAG=
[ -r /etc/kmods-share.env ] && . /etc/kmods-share.env

# The channels' drivers, before igloo_kmods (whose records start later).
for m in $KMODS_PRELOAD; do
	/sbin/modprobe "$m" || echo "KMODS-INIT: modprobe $m failed"
done

if [ -n "$KMODS_SHARE_TAG" ]; then
	mkdir -p /igloo/shared
	mount -t 9p -o trans=virtio,version=9p2000.L,cache=none \
		"$KMODS_SHARE_TAG" /igloo/shared || \
		echo "KMODS-INIT: mount of the 9p share $KMODS_SHARE_TAG failed"
fi

# kmods_channel CHANNEL: the file to write for CHANNEL
kmods_channel()
{
	case $1 in
	virtio:*)
		# Ports appear once the host's control messages are handled.
		n=0
		while [ "$n" -lt 100 ]; do
			for p in /sys/class/virtio-ports/*; do
				[ -r "$p/name" ] && [ "$(cat "$p/name")" = "${1#virtio:}" ] && \
					[ -c "/dev/${p##*/}" ] && { echo "/dev/${p##*/}"; return; }
			done
			sleep 0.1
			n=$((n + 1))
		done
		echo "KMODS-INIT: no virtio port ${1#virtio:}" >&2
		echo /dev/null ;;
	console) echo /tmp/kmods-results.txt ;;
	none) echo none ;;
	*) echo "$1" ;;
	esac
}
KMODS_RAW=$(kmods_channel "$KMODS_RAW_CHANNEL")
KMODS_RESULTS=$(kmods_channel "$KMODS_RESULTS_CHANNEL")
export KMODS_RAW KMODS_RESULTS KMODS_HAVE_COMPAT KMODS_ARCH
# hvc resets a port's settings when its last user closes it: keep the
# results port open from before stty on (the collector sets its own port
# raw whenever it opens it).
case $KMODS_RESULTS in
/dev/hvc*) exec 8>"$KMODS_RESULTS" ;;
esac
for dev in "$KMODS_RAW" "$KMODS_RESULTS"; do
	case $dev in
	/dev/tty*|/dev/hvc*) stty -F "$dev" raw -echo ;;
	esac
done
if [ "$KMODS_RAW_SYNC" = 1 ]; then
	# The UART sends a byte of its own whenever it is set up: keep it
	# open (set up) from here on, and mark where the stream starts.
	exec 9>"$KMODS_RAW"
	echo KMODS-RAW-SYNC >&9
fi

echo "KMODS-BOOT-OK $(uname -r)"
sh /kmods/scenarios.sh
echo "KMODS-GUEST-END"
if [ "$KMODS_RESULTS_CHANNEL" = console ]; then
	# Quiet the kernel while the results pass on its console.
	dmesg -n 1
	sed 's/^/KMODS-R: /' "$KMODS_RESULTS"
	dmesg -n 7
fi
sync
reboot -f
