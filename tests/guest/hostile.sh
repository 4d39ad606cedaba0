#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input and hostile callers, run inside the guest. Every bad call
# is made in three modes: enforce (fake success), block_errno=1 and
# monitor (the kernel answers). The caller must get 0, -EPERM and the
# kernel's own answer, every attempt must be recorded with what the caller
# got, and nothing must crash. Each outcome is also reported as a
# KMODS-TABLE line for the documentation.

. /kmods/lib.sh

T=$KMODS_T
H=$KMODS_DIR/hostile
KMODS_CALL=$KMODS_DIR/kmods-call

# outcome ARGS...: run kmods-call ARGS, print the value the caller got
outcome()
{
	line=$("$KMODS_CALL" "$@" 2>&1)
	case $line in
	"ret=0 errno=0") echo 0 ;;
	"ret=-1 errno="*) echo "-${line#ret=-1 errno=}" ;;
	*) echo "bad:$line" ;;
	esac
}

# bad_call CASE SYSCALL NAME RULE PATH -- KMODS-CALL-ARGS...
#	NAME and RULE: what the policy must see ("" for no name)
bad_call()
{
	case_name=$1 sc=$2 name=$3 rule=$4 path=$5
	shift 6
	for mode in enforce errno monitor; do
		case $mode in
		enforce) set_param mode enforce; set_param block_errno 0
			 want=0 decision=block ;;
		errno) set_param block_errno 1
		       want=-1 decision=block ;;
		monitor) set_param block_errno 0; set_param mode monitor
			 want='*' decision=allow ;;
		esac
		got=$(outcome "$@")
		if [ "$want" != '*' ] && [ "$got" != "$want" ]; then
			fail "$case_name ($mode): caller got $got, expected $want"
		fi
		case $got in bad:*) fail "$case_name ($mode): $got" ;; esac
		expect load "$sc" false "$name" "$decision" "$rule" "$got" "$path"
		kmods_out "KMODS-TABLE|$case_name|$mode|$got"
		# Whatever monitor mode let through goes again.
		for m in ikm_mark ikm_marx; do
			loaded $m && rmmod $m
		done
	done
	set_param mode enforce
}

# The longest image length the caller can claim: 1 TiB, or 4 GiB - 1 from
# a 32-bit kmods-call (its ELF class, byte 4 of the file: 1 or 2).
huge=0x10000000000
if [ "$(dd if="$KMODS_CALL" bs=1 skip=4 count=1 2>/dev/null | od -An -tu1 | \
	tr -d ' ')" = 1 ]; then
	huge=0xffffffff
fi

begin hostile_init_module
kmods_load
bad_call init-null-image init_module "" no_name "" -- init-null 100
bad_call init-unmapped-image init_module "" no_name "" -- init-unmapped 4096
bad_call init-huge-size init_module "" no_name "" -- init-null $huge
bad_call init-size-0 init_module ikm_mark default $T/ikm_mark.ko -- \
	init-buf $T/ikm_mark.ko 0
bad_call init-size-1 init_module ikm_mark default $T/ikm_mark.ko -- \
	init-buf $T/ikm_mark.ko 1
bad_call init-not-elf init_module "" no_name "" -- init-buf /etc/passwd 200
bad_call init-truncated-header init_module ikm_mark default $T/ikm_mark.ko -- \
	init-buf $T/ikm_mark.ko 60
bad_call init-params-unmapped init_module ikm_mark default $T/ikm_mark.ko -- \
	init-params-unmapped $T/ikm_mark.ko
for img in shoff-past-end shnum-huge shstrndx-bad; do
	bad_call "init-$img" init_module "$img" default "$H/$img.ko" -- \
		init "$H/$img.ko"
done
# The last .modinfo entry is not name=: the name is still read.
bad_call init-modinfo-nonul init_module ikm_mark default $H/modinfo-nonul.ko -- \
	init $H/modinfo-nonul.ko
for img in name-long name-slash name-ctrl name-mismatch; do
	# Only modules with a .modinfo name= (5.x on) have two names.
	if [ ! -f "$H/$img.ko" ]; then
		skip "init-$img: the module has a single name (no .modinfo name=)"
		continue
	fi
	bad_call "init-$img" init_module "" no_name "$H/$img.ko" -- \
		init "$H/$img.ko"
done
check "a hostile module stayed loaded" not loaded ikm_mark
end

begin hostile_finit_module
bad_call finit-fd-minus1 finit_module "" no_name "" -- finit-fd minus1
bad_call finit-fd-closed finit_module "" no_name "" -- finit-fd closed
bad_call finit-directory finit_module "" no_name / -- finit-fd dir
bad_call finit-pipe finit_module "" no_name '*' -- finit-fd pipe
bad_call finit-socket finit_module "" no_name '*' -- finit-fd socket
bad_call finit-empty-file finit_module "" no_name '*' -- finit-fd empty
bad_call finit-write-only finit_module ikm_mark default $T/ikm_mark.ko -- \
	finit-fd wronly:$T/ikm_mark.ko
bad_call finit-unknown-flags finit_module ikm_mark default $T/ikm_mark.ko -- \
	finit-flags $T/ikm_mark.ko 0x100
long=$(printf 'x%.0s' $(seq 1 1000))
bad_call finit-long-params finit_module ikm_mark default $T/ikm_mark.ko -- \
	finit $T/ikm_mark.ko "tag=$long"
for img in name-slash name-mismatch; do
	if [ ! -f "$H/$img.ko" ]; then
		skip "finit-$img: the module has a single name (no .modinfo name=)"
		continue
	fi
	bad_call "finit-$img" finit_module "" no_name "$H/$img.ko" -- \
		finit "$H/$img.ko"
done
check "a hostile module stayed loaded" not loaded ikm_mark
end

# --- bypass attempts: the denied module must stay out, the log true ---
begin bypass_compressed
kmods_load allowlist=ikm_mark denylist=ikm_other
# ikm_mark.ko.xz holds ikm_other: only the file name speaks for it until
# the kernel decompresses it and names it.
got=$(outcome finit-flags $H/ikm_mark.ko.xz COMPRESSED_FILE)
check "compressed denied module loaded" not loaded ikm_other
# EOPNOTSUPP is 95, but 122 on MIPS.
case $(uname -m) in
mips*) eopnotsupp=122 ;;
*) eopnotsupp=95 ;;
esac
case $(uname -r) in
6.1.*)	# no in-kernel decompression: the kernel refuses it itself
	want=-$eopnotsupp ;;
*)	want=-1 ;;	# decompressed, named ikm_other and vetoed: -EPERM
esac
check "compressed bypass: caller got $got, expected $want" test "$got" = "$want"
if [ "$want" = -1 ]; then
	expect load finit_module false ikm_other allow denylist -1 $H/ikm_mark.ko.xz
	check "no veto counted" test "$(param vetoed)" = 1
else
	expect load finit_module false ikm_mark allow allowlist "$want" \
		$H/ikm_mark.ko.xz
fi
end

begin bypass_toctou
kmods_load allowlist=ikm_mark denylist=ikm_marx
# A second thread flips the init_module buffer between ikm_mark and the
# same module named ikm_marx while igloo_kmods checks it and the kernel
# copies it. The kernel must only ever load what the policy saw.
i=0
while [ $i -lt 40 ]; do
	"$KMODS_CALL" race $T/ikm_mark.ko $H/ikm_marx.ko 2000 > /dev/null
	expect load init_module false '*' '*' '*' '*' $H/ikm_marx.ko
	check "TOCTOU: ikm_marx loaded" not loaded ikm_marx
	loaded ikm_mark && rmmod ikm_mark
	i=$((i + 1))
done
echo "TOCTOU: 40 races: allowed=$(param allowed) blocked=$(param blocked) vetoed=$(param vetoed)"
kmods_out "KMODS-TABLE|toctou-40-races|allowed|$(param allowed)"
kmods_out "KMODS-TABLE|toctou-40-races|blocked|$(param blocked)"
kmods_out "KMODS-TABLE|toctou-40-races|vetoed|$(param vetoed)"
end

# --- sysfs: invalid writes change nothing; readers never see half ---
begin sysfs_hostile
kmods_load allowlist=ikm_mark denylist=ikm_other
good="ikm_mark"
check "empty write changed the list" sh -c \
	"printf '' > $KMODS_PARAMS/allowlist; test \"\$(cat $KMODS_PARAMS/allowlist)\" = $good"
for bad in "ikm_mark.ko" "/lib/ikm_mark" "$(printf 'caf\303\251')" \
	"$(seq -s, 1 1000)" "$(printf 'n%.0s' $(seq 1 4096))" \
	"$(seq -s, 1 10000)"; do
	if set_param allowlist "$bad"; then
		fail "accepted '$(echo "$bad" | cut -c1-40)...'"
	fi
	check "list changed by a refused write" test "$(param allowlist)" = "$good"
done
# 64 KiB in one write: kernfs refuses it whole (E2BIG).
check "64 KiB write accepted" not sh -c \
	"head -c 65536 /dev/zero | tr '\\0' a > $KMODS_PARAMS/allowlist"
check "list changed by a 64 KiB write" test "$(param allowlist)" = "$good"
check "only commas refused" set_param allowlist ",,,"
check "only commas is the empty list" test "$(param allowlist)" = ""
check "spaces and duplicates" set_param allowlist " a ,a, b,a-b,a_b "
check "duplicates kept once" test "$(param allowlist)" = "a,b,a-b"
# Two writers and a reader: every read is one whole list or the other.
A=$(seq -s, 1 60 | sed 's/[0-9]*/a&/g')
B=$(seq -s, 1 60 | sed 's/[0-9]*/b&/g')
(i=0; while [ $i -lt 150 ]; do echo "$A" > $KMODS_PARAMS/allowlist; i=$((i + 1)); done) &
w1=$!
(i=0; while [ $i -lt 150 ]; do echo "$B" > $KMODS_PARAMS/allowlist; i=$((i + 1)); done) &
w2=$!
torn=0
i=0
while [ $i -lt 300 ]; do
	v=$(param allowlist)
	[ "$v" = "$A" ] || [ "$v" = "$B" ] || [ "$v" = "" ] || \
		[ "$v" = "a,b,a-b" ] || torn=$((torn + 1))
	i=$((i + 1))
done
wait $w1 $w2
check "$torn torn reads of the allowlist" test "$torn" = 0
non_root=$("$KMODS_CALL" --uid 1000 write "$KMODS_PARAMS/denylist" x)
check "non-root changed the denylist ($non_root)" test "$(param denylist)" = ikm_other
end

# --- many callers at once, a policy writer, the collector draining ---
begin stress
kmods_load allowlist=ikm_mark
made=0
start=$(cut -d' ' -f1 /proc/uptime)
pids=
for w in 1 2 3; do
	"$KMODS_CALL" --quiet --repeat 300 finit $T/ikm_other.ko &
	pids="$pids $!"
done
(i=0; while [ $i -lt 20 ]; do insmod $T/ikm_mark.ko; rmmod ikm_mark; i=$((i + 1)); done) &
pids="$pids $!"
(i=0; while [ $i -lt 100 ]; do echo "ikm_mark,x$i" > $KMODS_PARAMS/allowlist; i=$((i + 1)); done) &
pids="$pids $!"
# Not a bare wait: the guest collector runs in the background too.
wait $pids
made=$((3 * 300 + 20))
echo "stress: $made attempts in $(echo "$(cut -d' ' -f1 /proc/uptime) - $start" | bc 2>/dev/null) s"
check "attempts counter $(param attempts) != $made" test "$(param attempts)" = "$made"
check "records dropped: $(param dropped)" test "$(param dropped)" = 0
kmods_out "KMODS-BULK|stress|$made"
check "ikm_other loaded" not loaded ikm_other
end

# --- a burst of 10,000 attempts with the collector draining in the guest ---
begin burst
kmods_follow_stop
kmods_unload
insmod "$KMODS_KO"
rm -f /tmp/kmods.stop
mkdir -p /tmp/burst
"$KMODS_DIR/igloo-kmods-collect" -f -q --stop-file /tmp/kmods.stop \
	-o /tmp/burst "$(kmods_stream)" &
drain=$!
start=$(cut -d' ' -f1 /proc/uptime)
"$KMODS_CALL" --quiet --repeat 10000 finit $T/ikm_other.ko
end_t=$(cut -d' ' -f1 /proc/uptime)
sleep 1
touch /tmp/kmods.stop
wait $drain || fail "the draining collector exited $?"
lines=$(wc -l < /tmp/burst/modules.log)
echo "burst: 10000 attempts in $(echo "$end_t - $start" | bc) s, $lines decoded, $(param dropped) dropped"
kmods_out "KMODS-TABLE|burst-10000|decoded|$lines"
kmods_out "KMODS-TABLE|burst-10000|dropped|$(param dropped)"
check "burst: $lines decoded + $(param dropped) dropped != 10000" \
	test $((lines + $(param dropped))) = 10000
check "burst: $(param dropped) records lost" test "$(param dropped)" = 0
rmmod igloo_kmods
# The same burst with nobody draining: what the default buffers hold.
insmod "$KMODS_KO"
"$KMODS_CALL" --quiet --repeat 3000 finit $T/ikm_other.ko
kmods_out "KMODS-TABLE|burst-undrained-3000|records|$(param records)"
kmods_out "KMODS-TABLE|burst-undrained-3000|dropped|$(param dropped)"
check "undrained: records + dropped != 3000" \
	test $(($(param records) + $(param dropped))) = 3000
rmmod igloo_kmods
end

# --- unloading igloo_kmods while loads are in flight ---
begin unload_in_flight
insmod "$KMODS_KO" allowlist=ikm_mark
(i=0; while [ $i -lt 30 ]; do insmod $T/ikm_mark.ko; rmmod ikm_mark 2>/dev/null; i=$((i + 1)); done) &
pids=$!
"$KMODS_CALL" --quiet --repeat 500 finit $T/ikm_other.ko &
pids="$! $pids"
busy=0
i=0
while [ $i -lt 50 ] && loaded igloo_kmods; do
	rmmod igloo_kmods 2>/dev/null || busy=$((busy + 1))
	i=$((i + 1))
done
wait $pids
loaded igloo_kmods && rmmod igloo_kmods
loaded ikm_other && rmmod ikm_other
check "igloo_kmods could not be unloaded" not loaded igloo_kmods
if [ -r /sys/kernel/debug/kprobes/list ]; then
	check "a probe was left behind" test "$(grep -c _module /sys/kernel/debug/kprobes/list)" = 0
fi
loaded ikm_mark && rmmod ikm_mark
run_rc 0 insmod $T/ikm_other.ko
check "loads do not work again" loaded ikm_other
rmmod ikm_other
end

# --- lock: last, since it keeps igloo_kmods loaded until reboot ---
begin lock
kmods_load allowlist=ikm_mark lock=1
check "locked policy changed" not set_param allowlist ikm_other
check "locked mode changed" not set_param mode monitor
check "lock undone" not set_param lock 0
check "allowlist after refused writes" test "$(param allowlist)" = ikm_mark
run_rc 1 rmmod igloo_kmods
expect unload delete_module false igloo_kmods block locked -1 ""
check "locked igloo_kmods unloaded" loaded igloo_kmods
run_rc 0 insmod $T/ikm_other.ko
check "lock let a blocked module in" not loaded ikm_other
expect load finit_module false ikm_other block default 0 $T/ikm_other.ko
kmods_follow_stop
end

# --- debug kernels: no leak from any of the above ---
kmemleak_scenario

kmods_out "KMODS-DONE"
