#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run-share.sh --kernel FLAVOUR --out DIR [--label LABEL]
#	[--transport chardev]
#
# penguin's own kmods tests (tests/penguin/test_kmods.table, transcribed
# from its tests/unit/test_kmods.py) replayed against igloo_kmods in a
# booted x86_64 guest whose records leave the way a penguin guest's can:
# through penguin's 9p share. QEMU exports DIR/share (-virtfs, mount tag
# igloo_shared_dir); the guest's init loads 9pnet_virtio and 9p before
# igloo_kmods and mounts the share at /igloo/shared, and the collector in
# the guest (tests/guest/penguin-replay.sh) writes modules.log,
# modules.jsonl and a raw copy of the records there. No serial port
# carries records: the guest's second serial port is captured, and must
# stay empty. While the guest runs, this script answers the guest's
# request (DIR/share/sync/replay.req) by copying what the share holds to
# DIR/live and writing replay.ack; the guest waits for that answer.
# tests/penguin-replay.py then compares the calls' outcomes, the records,
# modules.log and the collector's --penguin output with the table.
# Prints TAP lines; exit 0 if all passed.

set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

flavour='' out='' label='' transport=''
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) flavour=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--label) label=${2:?}; shift 2 ;;
	--transport) transport=${2?}; shift 2 ;;
	*) kmods_die "unknown argument '$1'" ;;
	esac
done
[ -n "$flavour" ] && [ -n "$out" ] || \
	kmods_die "usage: $0 --kernel FLAVOUR --out DIR"
[ "$KMODS_ARCH" = x86_64 ] || kmods_die "x86_64 only (virtio-9p-pci)"
label=${label:-share-$flavour}
table=$KMODS_TESTS/penguin/test_kmods.table

kmods_build_module "$flavour" "$transport"
kmods_build_test_modules "$flavour"
kmods_build_prog
kmods_build_collector

rm -rf "$out"
mkdir -p "$out/share" "$out/live" "$out/images"
T=$KMODS_TESTMOD_DIR

# One image per module name of the table: ikm_dash_name.ko with its own
# name (.modinfo name= and this_module) replaced, so that the real name is
# the name penguin takes from the file.
images=$(grep -v '^#' "$table" | cut -d'|' -f7 | grep -vx -e '' -e igloo | sort -u)
# shellcheck disable=SC2086 # one argument per name
python3 - "$T/ikm_dash_name.ko" "$out/images" $images <<'EOF'
import sys
src, dst, names = sys.argv[1], sys.argv[2], sys.argv[3:]
data = open(src, "rb").read()
old = b"ikm_dash_name\0"
named = data.count(b"name=" + old)
assert named in (0, 1) and data.count(old) == named + 1
for name in names:
    new = name.encode() + b"\0"
    assert len(new) <= len(old)
    new += b"\0" * (len(old) - len(new))
    open("%s/%s.ko" % (dst, name), "wb").write(data.replace(old, new))
EOF

# The 9p client: 9p and 9pnet_virtio (with what they need: netfs, 9pnet,
# virtio; virtio_pci where it is a module) load before igloo_kmods.
kmods_kernel_info "$flavour"
preload="9pnet_virtio 9p"
if modprobe -d "$KROOT" -S "$KABI" --show-depends virtio_pci 2>/dev/null | \
	grep -q '^insmod '; then
	preload="virtio_pci $preload"
fi
kmods=()
for m in $preload; do
	kmods+=(--kmod "$m")
done
cat > "$out/share.env" <<EOF
KMODS_PRELOAD="\$KMODS_PRELOAD $preload"
KMODS_SHARE_TAG=igloo_shared_dir
KMODS_RAW_CHANNEL=none
EOF
"$KMODS_TESTS/qemu/mkinitramfs.sh" --kernel "$flavour" \
	--out "$out/initrd.gz" --init "$KMODS_TESTS/guest/init.sh" "${kmods[@]}" \
	--add "$out/share.env:/etc/kmods-share.env" \
	--add "$KMODS_KO:/kmods/" \
	--add "$T/igloo.ko:/kmods/test/" \
	--add "$out/images:/kmods/penguin" \
	--add "$table:/kmods/penguin/" \
	--add "$KMODS_PROG_DIR/kmods-call:/kmods/" \
	--add "$KMODS_COLLECT_STATIC:/kmods/" \
	--add "$KMODS_TESTS/guest/lib.sh:/kmods/lib.sh" \
	--add "$KMODS_TESTS/guest/penguin-replay.sh:/kmods/scenarios.sh"

# Answer the guest's request while QEMU runs: copy the share's files as
# they are now, then write the answer (renamed into place, whole).
share=$out/share
serve()
{
	local req=$share/sync/replay.req

	while [ ! -e "$out/qemu.exited" ]; do
		if [ -e "$req" ] && [ ! -e "$share/sync/replay.ack" ]; then
			cp "$share/kmods/modules.log" "$share/kmods/modules.jsonl" \
				"$share/kmods/records.bin" "$out/live/" || true
			echo "host read $(wc -l < "$out/live/modules.log") lines" \
				> "$share/sync/replay.ack.tmp"
			mv "$share/sync/replay.ack.tmp" "$share/sync/replay.ack"
			date +%s.%N > "$out/live/read-at"
		fi
		sleep 0.2
	done
}
rm -f "$out/qemu.exited"
serve &
server=$!

start=$(date +%s.%N)
boot_rc=0
"$KMODS_TESTS/qemu/boot.sh" --kernel "$flavour" --initrd "$out/initrd.gz" \
	--console "$out/console.log" --serial2 "$out/serial2.bin" \
	--results "$out/results.txt" --marker KMODS-BOOT-OK \
	--qemu-arg -virtfs \
	--qemu-arg "local,path=$share,mount_tag=igloo_shared_dir,security_model=none" \
	--timeout "${KMODS_GUEST_TIMEOUT:-1200}" 2> "$out/boot.err" || boot_rc=$?
date +%s.%N > "$out/qemu.exited"
wait "$server" || true
secs=$(echo "$(date +%s.%N) - $start" | bc)
printf '# %s: guest ran %.1f s (boot.sh exit %d)\n' "$label" "$secs" "$boot_rc"

failed=0
tr -d '\r' < "$out/results.txt" > "$out/results.clean"

# Guest-side checks (the mount, the port refusals, the host's answer).
while IFS='|' read -r _ scenario status reason; do
	if [ "$status" = ok ]; then
		echo "ok - $label guest: $scenario"
	else
		failed=1
		echo "not ok - $label guest: $scenario: $reason"
	fi
done < <(grep '^KMODS-RESULT|' "$out/results.clean" || true)
for scenario in share load busy_port host_read follower; do
	grep -q "^KMODS-RESULT|$scenario|" "$out/results.clean" || {
		failed=1
		echo "not ok - $label guest: $scenario did not report"
	}
done

want_stream=/sys/kernel/debug/igloo_kmods/records0
[ "$transport" != chardev ] || want_stream=/dev/igloo_kmods
if grep -qxF "KMODS-STREAM|$want_stream" "$out/results.clean"; then
	echo "ok - $label records came through $want_stream"
else
	failed=1
	echo "not ok - $label records did not come through $want_stream"
	grep '^KMODS-STREAM|' "$out/results.clean" | sed 's/^/#   /' || true
fi

if [ -f "$out/serial2.bin" ] && [ ! -s "$out/serial2.bin" ]; then
	echo "ok - $label no serial port carried records (the guest's ttyS1 sent 0 bytes)"
else
	failed=1
	echo "not ok - $label the guest's ttyS1 sent $(stat -c %s "$out/serial2.bin" 2>/dev/null || echo '?') bytes"
fi

# The host read the share while the guest ran: the guest saw the answer,
# and the copy was taken before QEMU exited.
ack=$(sed -n 's/^KMODS-ACK|//p' "$out/results.clean")
if [ -n "$ack" ] && [ -f "$out/live/read-at" ] && \
	[ "$(echo "$(cat "$out/live/read-at") < $(cat "$out/qemu.exited")" | bc)" = 1 ]; then
	echo "ok - $label the host read the share while the guest ran ($ack, $(echo "$(cat "$out/qemu.exited") - $(cat "$out/live/read-at")" | bc) s before QEMU exited)"
else
	failed=1
	echo "not ok - $label the host's read of the share was not seen by the guest"
fi

# --penguin, from the raw records the guest wrote to the share.
penguin_rc=0
"$KMODS_COLLECT" -q --penguin -o "$out/penguin" "$out/live/records.bin" \
	2> "$out/penguin.err" || penguin_rc=$?
[ "$penguin_rc" = 0 ] || echo "# --penguin exited $penguin_rc: $(head -3 "$out/penguin.err")"

python3 "$KMODS_TESTS/penguin-replay.py" "$label" "$table" \
	"$out/results.clean" "$out/live" "$share/kmods" \
	"$out/penguin/modules.log" || failed=1

kmods_console_verdict "$label" "$boot_rc" "$out" || failed=1
exit $failed
