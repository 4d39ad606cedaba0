#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/guest/bench.sh: the guest side of tests/bench.sh (busybox sh).
#
# Measures, in rounds that run the variants of each measurement back to
# back (in ABBA order) so that a slow moment of the host hits all of them
# alike, and writes raw numbers (totals in
# nanoseconds, CLOCK_MONOTONIC, from the helpers in /kmods/bench/) to the
# results port, one "BENCH|..." line each; tests/bench.sh does the
# arithmetic. Settings come from /kmods/bench.conf.
#
# A boot with module_blacklist=dummy on the command line measures the
# blocked attempts (b); any other boot measures the rest:
#	load	finit_module + delete_module of dummy, in one process
#	finit	... the finit_module calls alone
#	insmod	busybox insmod + rmmod of dummy, from the shell
#	getpid, open	an unrelated system call loop
#	tp	attempts per second while the collector drains to tmpfs
#	tpserial	... while it forwards the records over ttyS1
#	burst	what the buffers absorb with no collector running
#
# During the timings the console log level is 1: kernel messages go to
# the log buffer but not to the (slow, emulated) serial console.

# "set -- $(timed ...)" splits the timing into its words on purpose.
# shellcheck disable=SC2046
. /kmods/lib.sh

B=$KMODS_DIR/bench
CALL=$KMODS_DIR/kmods-call
COLLECT=$KMODS_DIR/igloo-kmods-collect
DUMMY=/lib/modules/$(uname -r)/kernel/drivers/net/dummy.ko
# The largest module of the kernel's package (tests/bench.sh picks it).
LARGEST=$B/largest.ko
LARGEST_NAME=$(cat "$B/largest.name" 2>/dev/null || echo largest)

# ROUNDS, N_LOAD, N_INSMOD, N_BLOCK, N_GETPID, N_OPEN, N_TP, N_BURST,
# TP_ROUNDS: the sizes tests/bench.sh chose (and prints in its table).
. "$KMODS_DIR/bench.conf"

out()
{
	kmods_out "BENCH|$*"
}

bench_error()
{
	echo "BENCH ERROR: $*"
	kmods_out "BENCH-ERROR|$*"
}

# getv KEY LINE: the value of KEY=value in LINE
getv()
{
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# igloo_on PARAM...: load igloo_kmods; igloo_off: unload it
igloo_on()
{
	/sbin/insmod "$KMODS_KO" "$@" || bench_error "insmod igloo_kmods $*"
}

igloo_off()
{
	/sbin/rmmod igloo_kmods || bench_error "rmmod igloo_kmods"
}

# timed COMMAND...: run it under timeit, print "NS STATUS"
timed()
{
	r=$("$B/timeit" "$@" | tail -n 1)
	echo "$(getv ns "$r") $(getv status "$r")"
}

# load_loop ROUND VARIANT: one round of finit_module + delete_module
load_loop()
{
	r=$("$B/load-loop" "$DUMMY" dummy "$N_LOAD")
	out "load|$2|$1|$(getv ns "$r")|$N_LOAD|$(($(getv load_fail "$r") + $(getv unload_fail "$r")))"
	out "finit|$2|$1|$(getv load_ns "$r")|$N_LOAD|$(getv load_fail "$r")"
	r=$("$B/load-loop" --init "$DUMMY" dummy "$N_LOAD")
	out "initmod|$2|$1|$(getv load_ns "$r")|$N_LOAD|$(getv load_fail "$r")"
}

# memfree: MemFree in KiB, the page cache dropped first
memfree()
{
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

# mem_igloo: bytes of igloo_kmods that /proc shows: its module image
# (/proc/modules) and the vmalloc and vmap areas its code and relay made
# (/proc/vmallocinfo, guard pages included; nothing else in the guest
# uses relay). Its kmalloc() memory (the attempts) is not in it.
mem_igloo()
{
	core=$(awk '$1 == "igloo_kmods" { print $2 }' /proc/modules)
	vm=$(awk '/igloo_kmods|relay_/ { n += $2 } END { print n + 0 }' \
		/proc/vmallocinfo)
	echo "${core:-0}|$vm"
}

# vm_igloo: vmalloc areas that igloo_kmods' code allocated
vm_igloo()
{
	grep -c 'igloo_kmods' /proc/vmallocinfo || true
}

# insmod_loop ROUND VARIANT: busybox insmod + rmmod, N_INSMOD times
insmod_loop()
{
	fails=0
	t0=$("$B/timeit")
	i=0
	while [ "$i" -lt "$N_INSMOD" ]; do
		busybox insmod "$DUMMY" || fails=$((fails + 1))
		busybox rmmod dummy || fails=$((fails + 1))
		i=$((i + 1))
	done
	t1=$("$B/timeit")
	out "insmod|$2|$1|$((t1 - t0))|$N_INSMOD|$fails"
}

# syscall_loop ROUND VARIANT
syscall_loop()
{
	r=$("$B/syscall-loop" getpid "$N_GETPID") || bench_error "syscall-loop getpid"
	out "getpid|$2|$1|$(getv ns "$r")|$N_GETPID|0"
	r=$("$B/syscall-loop" open "$N_OPEN") || bench_error "syscall-loop open"
	out "open|$2|$1|$(getv ns "$r")|$N_OPEN|0"
}

# attempts ROUND VARIANT N: N finit_module calls of dummy by kmods-call
attempts()
{
	set -- "$1" "$2" "$3" $(timed "$CALL" --repeat "$3" --quiet finit "$DUMMY")
	out "block|$2|$1|$4|$3|$5"
}

# The cost of starting kmods-call, to take off its timings.
startup()
{
	set -- "$1" $(timed "$CALL" --repeat 0 --quiet finit "$DUMMY")
	out "start|-|$1|$2|1|$3"
}

# collect_start DIR [--raw DEV]: the collector follows the relay file
collect_start()
{
	rm -rf "$1" /tmp/bench.stop
	dir=$1
	shift
	"$COLLECT" -f -q --stop-file /tmp/bench.stop -o "$dir" "$@" \
		"$KMODS_RELAY" 2>/tmp/bench.collect.err &
	collector=$!
	# Let it open the relay file before the clock starts.
	sleep 1
}

collect_stop()
{
	touch /tmp/bench.stop
	wait "$collector"
	collect_rc=$?
}

lines()
{
	if [ -f "$1" ]; then
		wc -l <"$1" | tr -d ' '
	else
		echo 0
	fi
}

[ -f "$DUMMY" ] || bench_error "no $DUMMY in the guest"
out "guest|$(uname -r)|$(nproc)|$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
loaded dummy && busybox rmmod dummy
echo 1 > /proc/sys/kernel/printk

# blockloop ROUND FILE NAME WHAT: N_PROF blocked finit_module calls of
# FILE by igloo_kmods as built (quiet=1), the calls alone (load-loop)
blockloop()
{
	igloo_on quiet=1
	r=$("$B/load-loop" "$2" "$3" "$N_PROF")
	out "blockloop|$4|$1|$(getv load_ns "$r")|$N_PROF|$(getv load_fail "$r")"
	igloo_off
}

# initmem ROUND FILE WHAT: init_module of FILE (a dummy.ko padded to a
# size), allowed, by the profiling build: its peak allocation, and what
# igloo_kmods still holds in vmalloc space after the call
initmem()
{
	dmesg -c >/dev/null
	/sbin/insmod "$B/profile/igloo_kmods.ko" quiet=1 allowlist=dummy || \
		bench_error "insmod the profiling igloo_kmods"
	before=$(vm_igloo)
	r=$("$B/load-loop" --init "$2" dummy 1)
	after=$(vm_igloo)
	igloo_off
	peak=$(dmesg | sed -n 's/.*igloo_kmods: profile peak_bytes 1 //p')
	out "initmem|$3|$1|$(stat -c %s "$2")|$(getv load_fail "$r")|${peak:-none}|$before|$after"
}

# profile ROUND FILE WHAT NAME: N_PROF blocked finit_module calls of FILE
# (load-loop; NAME for its delete_module) by the profiling build of
# igloo_kmods, then the time each part took
profile()
{
	dmesg -c >/dev/null
	/sbin/insmod "$B/profile/igloo_kmods.ko" quiet=1 || \
		bench_error "insmod the profiling igloo_kmods"
	r=$("$B/load-loop" "$2" "$4" "$N_PROF")
	out "pcall|$3|$1|$(getv load_ns "$r")|$N_PROF|$(getv load_fail "$r")"
	igloo_off
	dmesg | sed -n 's/.*igloo_kmods: profile //p' | while read -r part n ns; do
		out "prof|$3|$1|$ns|$n|$part"
	done
}

# aprofile ROUND MODE: N_APROF allowed loads and unloads of dummy.ko
# (load-loop, MODE finit or init) by the profiling build of igloo_kmods
# (allowlist=dummy quiet=1), then the time each part took
aprofile()
{
	dmesg -c >/dev/null
	/sbin/insmod "$B/profile/igloo_kmods.ko" quiet=1 allowlist=dummy || \
		bench_error "insmod the profiling igloo_kmods"
	if [ "$2" = init ]; then
		r=$("$B/load-loop" --init "$DUMMY" dummy "$N_APROF")
	else
		r=$("$B/load-loop" "$DUMMY" dummy "$N_APROF")
	fi
	out "acall|$2|$1|$(getv load_ns "$r")|$N_APROF|$(getv load_fail "$r")"
	igloo_off
	dmesg | sed -n 's/.*igloo_kmods: profile //p' | while read -r part n ns; do
		out "aprof|$2|$1|$ns|$n|$part"
	done
}

case " $(cat /proc/cmdline) " in
*" kmods_bench=profile "*)
	echo "=== bench: profile of a blocked attempt"
	[ -f "$LARGEST" ] || bench_error "no $LARGEST in the guest"
	round=1
	while [ "$round" -le "$ROUNDS" ]; do
		startup "$round"
		r=$("$B/syscall-loop" getpid "$N_GETPID") || bench_error "syscall-loop getpid"
		out "getpid|base|$round|$(getv ns "$r")|$N_GETPID|0"
		profile "$round" "$DUMMY" dummy dummy
		profile "$round" "$LARGEST" largest "$LARGEST_NAME"
		blockloop "$round" "$DUMMY" dummy dummy
		blockloop "$round" "$LARGEST" "$LARGEST_NAME" largest
		aprofile "$round" finit
		aprofile "$round" init
		round=$((round + 1))
	done
	initmem 1 "$B/dummy-1m.ko" 1m
	initmem 1 "$B/dummy-16m.ko" 16m
	;;
*" module_blacklist=dummy "*)
	echo "=== bench: blocked attempts (module_blacklist=dummy)"
	r=$("$CALL" finit "$DUMMY" 2>&1)
	out "check|kernel|$r"
	igloo_on quiet=1
	r=$("$CALL" finit "$DUMMY" 2>&1)
	out "check|igloo|$r"
	igloo_off
	round=1
	while [ "$round" -le "$ROUNDS" ]; do
		startup "$round"
		if [ $((round % 2)) = 1 ]; then
			order="kernel igloo igloo_verbose igloo_errno"
		else
			order="igloo_errno igloo_verbose igloo kernel"
		fi
		for v in $order; do
			case $v in
			igloo) igloo_on quiet=1 ;;
			igloo_verbose) igloo_on ;;
			igloo_errno) igloo_on quiet=1 block_errno=1 ;;
			esac
			attempts "$round" "$v" "$N_BLOCK"
			[ "$v" = kernel ] || igloo_off
		done
		round=$((round + 1))
	done
	;;
*)
	echo "=== bench: allowed loads, unrelated system calls, records"
	# Each measurement runs its variants back to back, in ABBA order
	# (odd rounds without igloo_kmods first, even rounds last), so that
	# each pair is close in time and a drift of the host cancels out.
	round=1
	while [ "$round" -le "$ROUNDS" ]; do
		echo "--- round $round"
		startup "$round"
		if [ $((round % 2)) = 1 ]; then
			order="base igloo igloo_verbose"
		else
			order="igloo_verbose igloo base"
		fi
		for step in load_loop insmod_loop syscall_loop; do
			for v in $order; do
				[ "$step" != syscall_loop ] || \
					[ "$v" != igloo_verbose ] || continue
				case $v in
				igloo) igloo_on allowlist=dummy quiet=1 ;;
				igloo_verbose) igloo_on allowlist=dummy ;;
				esac
				"$step" "$round" "$v"
				[ "$v" = base ] || igloo_off
			done
		done
		round=$((round + 1))
	done

	echo "--- record throughput"
	round=1
	while [ "$round" -le "$TP_ROUNDS" ]; do
		igloo_on
		collect_start /tmp/bench.out
		set -- $(timed "$CALL" --repeat "$N_TP" --quiet finit "$DUMMY")
		collect_stop
		out "tp|tmpfs|$round|$1|$N_TP|$(lines /tmp/bench.out/modules.log)|$(param dropped)|$(param records)|$collect_rc"
		igloo_off
		round=$((round + 1))
	done
	# Over the serial port to the host, as tests/run-guest.sh runs it.
	igloo_on
	collect_start /tmp/bench.out --raw "$KMODS_RAW"
	set -- $(timed "$CALL" --repeat "$N_TP" --quiet finit "$DUMMY")
	collect_stop
	out "tp|serial|1|$1|$N_TP|$(lines /tmp/bench.out/modules.log)|$(param dropped)|$(param records)|$collect_rc"
	igloo_off

	echo "--- boot storm: $N_STORM attempts from 8 processes"
	mem_before=$(memfree)
	igloo_on
	mem_rest=$(memfree)
	igloo_rest=$(mem_igloo)
	collect_start /tmp/bench.storm
	pids=
	t0=$("$B/timeit")
	i=0
	while [ "$i" -lt 8 ]; do
		"$CALL" --repeat $(((N_STORM + i) / 8)) --quiet finit "$DUMMY" &
		pids="$pids $!"
		i=$((i + 1))
	done
	for p in $pids; do
		wait "$p" || bench_error "storm: a caller failed"
	done
	t1=$("$B/timeit")
	collect_stop
	storm_log=$(lines /tmp/bench.storm/modules.log)
	rm -rf /tmp/bench.storm
	mem_after=$(memfree)
	out "storm|-|1|$((t1 - t0))|$N_STORM|$storm_log|$(param dropped)|$(param records)|$collect_rc|$mem_before|$mem_rest|$mem_after|$igloo_rest|$(mem_igloo)"
	igloo_off

	echo "--- burst with no collector"
	igloo_on
	set -- $(timed "$CALL" --repeat "$N_BURST" --quiet finit "$DUMMY")
	records=$(param records)
	dropped=$(param dropped)
	attempts=$(param attempts)
	rm -rf /tmp/bench.burst
	"$COLLECT" -q -o /tmp/bench.burst "$KMODS_RELAY" 2>/tmp/bench.burst.err
	out "burst|-|1|$1|$N_BURST|$(lines /tmp/bench.burst/modules.log)|$dropped|$records|$attempts"
	igloo_off
	;;
esac

echo 7 > /proc/sys/kernel/printk
out "done"
echo "=== bench done"
