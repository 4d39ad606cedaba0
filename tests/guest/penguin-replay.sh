#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# penguin's own kmods tests, replayed in a guest that gets its records out
# the way a penguin guest can: through penguin's 9p share (/igloo/shared),
# never through a serial port. Run by tests/run-share.sh (with init.sh).
#
# The in-guest collector follows the record stream and writes
# modules.log, modules.jsonl and a raw copy into /igloo/shared/kmods.
# Each row of /kmods/penguin/test_kmods.table is one call; the guest only
# reports what it saw (KMODS-REPLAY lines), and the host compares it with
# the table. After the last call, the guest asks the host to read the
# share (/igloo/shared/sync/replay.req) and waits for its answer
# (replay.ack), so that the host's copy is taken while the guest runs.

. /kmods/lib.sh

# The results port stays open: a port opened and closed for every line
# lost a line here once, next to the busy_port scenario's use of ttyS1.
exec 7>> "$KMODS_RESULTS"
kmods_out()
{
	echo "$*" >&7
}

SHARE=/igloo/shared
OUT=$SHARE/kmods
TABLE=/kmods/penguin/test_kmods.table

# --- the share: a real 9p mount, its modules loaded before igloo_kmods ---
begin share
check "/igloo/shared is not a 9p mount" \
	grep -q "^[^ ]* $SHARE 9p " /proc/mounts
for m in 9p 9pnet 9pnet_virtio; do
	check "module $m is not loaded" loaded "$m"
done
check "igloo_kmods loaded before the share was up" not loaded igloo_kmods
end

begin load
insmod "$KMODS_KO" || fail "insmod igloo_kmods failed"
kmods_out "KMODS-STREAM|$(kmods_stream)"
mkdir -p "$OUT" "$SHARE/sync"
rm -f /tmp/kmods.stop
"$KMODS_DIR/igloo-kmods-collect" -f -q --stop-file /tmp/kmods.stop \
	-o "$OUT" -r "$OUT/records.bin" "$(kmods_stream)" &
follower=$!
end

# --- a forwarding port is never assumed free ---
# The source is empty, so a collector that took the port anyway would
# write nothing to it and take nothing from the record stream.
begin busy_port
: > /tmp/empty.bin
run_rc 74 "$KMODS_DIR/igloo-kmods-collect" -q -r /dev/ttyS0 /tmp/empty.bin
# penguin's root shell holds its serial port, in a session of its own
# (left running: the guest reboots at the end).
setsid sleep 3600 < /dev/ttyS1 &
sleep 1
run_rc 74 "$KMODS_DIR/igloo-kmods-collect" -q -r /dev/ttyS1 /tmp/empty.bin
end

# --- the rows ---
calls=0
inits=$(dmesg_count 'ikm_dash_name: init ran')
# The table on fd 3: the calls in the loop may read standard input.
while IFS='|' read -r id test allow deny call path image rest <&3; do
	case $id in
	''|'#'*) continue ;;
	esac
	set_param allowlist "$allow" || echo "row $id: allowlist write failed"
	set_param denylist "$deny" || echo "row $id: denylist write failed"
	if [ "$call" = params ]; then
		kmods_out "KMODS-REPLAY|$id|allowlist=$(param allowlist)|denylist=$(param denylist)"
		continue
	fi
	if [ "$image" = igloo ]; then
		src=$KMODS_T/igloo.ko
	else
		src=/kmods/penguin/$image.ko
	fi
	mkdir -p "$(dirname "$path")"
	cp "$src" "$path"
	case $call in
	finit) got=$("$KMODS_DIR/kmods-call" finit "$path" 2>&1) ;;
	init|init-nopath) got=$("$KMODS_DIR/kmods-call" init "$path" 2>&1) ;;
	*) got="unknown call $call" ;;
	esac
	calls=$((calls + 1))
	now=no
	if loaded "$image"; then
		now=yes
		rmmod "$image" || echo "row $id: rmmod $image failed"
	fi
	kmods_out "KMODS-REPLAY|$id|$got|loaded=$now"
done 3< "$TABLE"
kmods_out "KMODS-INITS|$(($(dmesg_count 'ikm_dash_name: init ran') - inits))"

# --- the host reads the share while the guest runs ---
begin host_read
# Up to 30 s for the follower to write the last records.
until=$(($(date +%s) + 30))
while [ "$(date +%s)" -lt "$until" ]; do
	[ "$(wc -l < "$OUT/modules.log" 2>/dev/null || echo 0)" -ge "$calls" ] && break
	sleep 0.1
done
check "modules.log in the share has fewer lines than the $calls calls" \
	test "$(wc -l < "$OUT/modules.log")" -ge "$calls"
: > "$SHARE/sync/replay.req"
until=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt "$until" ] && [ ! -e "$SHARE/sync/replay.ack" ]; do
	sleep 0.1
done
if [ -e "$SHARE/sync/replay.ack" ]; then
	kmods_out "KMODS-ACK|$(cat "$SHARE/sync/replay.ack")"
else
	fail "the host did not answer within 60 s"
fi
end

begin follower
touch /tmp/kmods.stop
rc=0
wait "$follower" || rc=$?
check "the collector in the guest exited $rc" test "$rc" = 0
rmmod igloo_kmods || fail "rmmod igloo_kmods"
end

kmods_out "KMODS-DONE"
