#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest-side helpers for igloo_kmods scenarios (busybox sh).
#
# Results go to $KMODS_RESULTS (the third serial port), one line each, so
# they never interleave with the kernel's console output:
#	KMODS-EXPECT|<scenario>|<event>|<syscall>|<compat>|<name>|<decision>|
#		<rule>|<ret>|<path>[|<flags>]
#			a record the host must find next in modules.jsonl
#			("*" matches anything), with at least those flags
#	KMODS-HINT|<scenario>|<text>	a line the host collector's summary
#					must print
#	KMODS-BULK|<scenario>|<n>		n load records of any content
#	KMODS-TABLE|<case>|<what>|<value>	a measured outcome, for the docs
#	KMODS-SKIP|<scenario>|<reason>		checks left out on this machine
#						(the host reports each as a
#						TAP skip, never a pass)
#	KMODS-RESULT|<scenario>|ok|		the guest-side checks passed
#	KMODS-RESULT|<scenario>|fail|<reason>	one failed
#	KMODS-DONE				the run finished

KMODS_DIR=/kmods
KMODS_KO=$KMODS_DIR/igloo_kmods.ko
KMODS_T=$KMODS_DIR/test
KMODS_PARAMS=/sys/module/igloo_kmods/parameters
KMODS_RELAY=/sys/kernel/debug/igloo_kmods/records0
KMODS_CHARDEV=/dev/igloo_kmods
KMODS_RESULTS=${KMODS_RESULTS:-/dev/ttyS2}
KMODS_RAW=${KMODS_RAW:-/dev/ttyS1}

kmods_scenario=
kmods_failed=

kmods_out()
{
	echo "$*" >> "$KMODS_RESULTS"
}

# begin NAME: start a scenario
begin()
{
	kmods_scenario=$1
	kmods_failed=
	echo "=== scenario $1"
}

# fail REASON: record a failed check (the scenario goes on)
fail()
{
	echo "FAIL [$kmods_scenario]: $*"
	[ -n "$kmods_failed" ] || kmods_failed=$*
}

# skip REASON: say which checks this machine cannot run (never silently:
# the host prints "ok - <label> <scenario> # SKIP REASON" and counts it as
# skipped; the scenario's own line covers only the checks that ran)
skip()
{
	echo "SKIP [$kmods_scenario]: $*"
	kmods_out "KMODS-SKIP|$kmods_scenario|$*"
}

# end: report the scenario
end()
{
	if [ -n "$kmods_failed" ]; then
		kmods_out "KMODS-RESULT|$kmods_scenario|fail|$kmods_failed"
	else
		kmods_out "KMODS-RESULT|$kmods_scenario|ok|"
	fi
}

# expect EVENT SYSCALL COMPAT NAME DECISION RULE RET PATH [FLAGS]
# FLAGS: comma-separated flag names (modules.jsonl's) the record must have
expect()
{
	kmods_out "KMODS-EXPECT|$kmods_scenario|$1|$2|$3|$4|$5|$6|$7|$8${9:+|$9}"
}

# expect_hint TEXT: the host collector's summary must have the line TEXT
# (after "igloo-kmods-collect: ")
expect_hint()
{
	kmods_out "KMODS-HINT|$kmods_scenario|$1"
}

# check DESCRIPTION COMMAND...: fail unless COMMAND succeeds
check()
{
	desc=$1
	shift
	"$@" || fail "$desc"
}

# not COMMAND...: succeed when COMMAND fails (for check)
not()
{
	! "$@"
}

# run_rc EXPECTED COMMAND...: run COMMAND, fail unless it exits EXPECTED
run_rc()
{
	want=$1
	shift
	"$@"
	rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want"
}

# call_is "ret=N errno=E" ARGS...: run kmods-call ARGS, compare its line
call_is()
{
	want=$1
	shift
	got=$("$KMODS_DIR/kmods-call" "$@" 2>&1)
	[ "$got" = "$want" ] || fail "kmods-call $*: got '$got', expected '$want'"
}

call32_is()
{
	want=$1
	shift
	got=$("$KMODS_DIR/kmods-call32" "$@" 2>&1)
	[ "$got" = "$want" ] || fail "kmods-call32 $*: got '$got', expected '$want'"
}

loaded()
{
	[ -d "/sys/module/$1" ]
}

# Number of lines in the kernel log matching a fixed string.
dmesg_count()
{
	dmesg | grep -cF -- "$1"
}

# The record stream: the relay file, or the character device where
# igloo_kmods was built without relay.
kmods_stream()
{
	if [ -e "$KMODS_RELAY" ]; then
		echo "$KMODS_RELAY"
	else
		echo "$KMODS_CHARDEV"
	fi
}

# The collector in the guest follows the stream and forwards every
# record, unchanged, to the host through $KMODS_RAW.
kmods_follow_start()
{
	rm -f /tmp/kmods.stop
	"$KMODS_DIR/igloo-kmods-collect" -f -q --stop-file /tmp/kmods.stop \
		--raw "$KMODS_RAW" "$(kmods_stream)" &
	kmods_follower=$!
}

# kmods_follow_stop [MAX]: stop the follower; an exit status above MAX
# (default 0; 1 is a follower that saw a gap or drops) fails the scenario.
kmods_follow_stop()
{
	local rc=0

	[ -n "$kmods_follower" ] || return 0
	touch /tmp/kmods.stop
	wait "$kmods_follower" || rc=$?
	kmods_follower=
	[ "$rc" -le "${1:-0}" ] || fail "the guest collector exited $rc"
}

# kmods_load [PARAM=VALUE...]: (re)load igloo_kmods with these parameters
kmods_load()
{
	kmods_unload
	insmod "$KMODS_KO" "$@" || { fail "insmod igloo_kmods $* failed"; return 1; }
	kmods_follow_start
}

kmods_unload()
{
	kmods_follow_stop
	if loaded igloo_kmods; then
		rmmod igloo_kmods || fail "rmmod igloo_kmods failed"
	fi
}

# param NAME: print a parameter's value
param()
{
	cat "$KMODS_PARAMS/$1"
}

# set_param NAME VALUE: write a parameter; returns the write's status
set_param()
{
	echo "$2" > "$KMODS_PARAMS/$1" 2>/dev/null
}

# kmods_drain DIR: read what the record stream holds now, without
# following it, into DIR (modules.log, modules.jsonl) and print how many
# attempts were decoded: the records read back, not the module's counter.
kmods_drain()
{
	rm -rf "$1"
	mkdir -p "$1"
	# Exit status 1 only reports drops, which the caller counts itself.
	"$KMODS_DIR/igloo-kmods-collect" -q -o "$1" "$(kmods_stream)" \
		>/dev/null 2>&1
	if [ -f "$1/modules.log" ]; then
		wc -l < "$1/modules.log"
	else
		echo 0
	fi
}

# kmemleak_scenario: on kernels with kmemleak (the debug kernels), a
# scenario that fails if anything is reported; elsewhere a skip (which
# run-guest.sh fails on a debug kernel).
kmemleak_scenario()
{
	local leaks

	if [ ! -w /sys/kernel/debug/kmemleak ]; then
		kmods_scenario=kmemleak
		skip "no /sys/kernel/debug/kmemleak in this kernel"
		return 0
	fi
	begin kmemleak
	# kmemleak reports objects older than 5 s, after two scans.
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
	[ "$leaks" = 0 ] || head -40 /sys/kernel/debug/kmemleak
	check "kmemleak reports $leaks leaks" test "$leaks" = 0
	end
}
