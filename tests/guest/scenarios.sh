#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# igloo_kmods integration scenarios, run inside the guest by init.sh.
# Each scenario checks what the guest can see (exit codes, /sys/module,
# the kernel log) and declares, with expect, the records the host must
# decode from the stream, in order. The host compares them one by one.

. /kmods/lib.sh

T=$KMODS_T
KABI=$(uname -r)
EXTRA=/lib/modules/$KABI/extra
# The longest module name, MODULE_NAME_LEN - 1 = 63 - sizeof(long): 55 on
# a 64-bit kernel, 59 on a 32-bit one (kallsyms addresses tell which).
if [ "$(head -n1 /proc/kallsyms | cut -d' ' -f1 | wc -c)" -gt 9 ]; then
	NAME_MAX=55
else
	NAME_MAX=59
fi

# --- the host plugin's default: block everything, fake success ---
begin default_block
kmods_load
kmods_out "KMODS-STREAM|$(kmods_stream)"
check "no record stream" test -r "$(kmods_stream)"
run_rc 0 insmod $T/ikm_mark.ko
check "blocked module is in /sys/module" not loaded ikm_mark
check "blocked module's init ran" test "$(dmesg_count 'ikm_mark: init ran')" = 0
expect load finit_module false ikm_mark block default 0 $T/ikm_mark.ko
check "attempts counter" test "$(param attempts)" = 1
check "blocked counter" test "$(param blocked)" = 1
end

# --- rmmod of a module whose load was faked succeeds, once ---
begin faked_unload
run_rc 0 rmmod ikm_mark
expect unload delete_module false ikm_mark block faked 0 ""
run_rc 1 rmmod ikm_mark
end

begin allowlist
kmods_load allowlist=ikm_mark
run_rc 0 insmod $T/ikm_mark.ko
check "allowed module is not loaded" loaded ikm_mark
check "allowed module's init did not run" test "$(dmesg_count 'ikm_mark: init ran')" = 1
expect load finit_module false ikm_mark allow allowlist 0 $T/ikm_mark.ko
run_rc 0 rmmod ikm_mark
check "allowed counter" test "$(param allowed)" = 1
end

begin denylist_wins
kmods_load allowlist=ikm_mark,ikm_other denylist=ikm_mark
run_rc 0 insmod $T/ikm_mark.ko
check "denied module loaded" not loaded ikm_mark
expect load finit_module false ikm_mark block denylist 0 $T/ikm_mark.ko
run_rc 0 insmod $T/ikm_other.ko
check "allowed module not loaded" loaded ikm_other
expect load finit_module false ikm_other allow allowlist 0 $T/ikm_other.ko
run_rc 0 rmmod ikm_other
end

begin igloo_builtin
kmods_load denylist=ikm_mark
run_rc 0 insmod $T/igloo.ko
check "igloo not loaded" loaded igloo
expect load finit_module false igloo allow builtin 0 $T/igloo.ko
run_rc 0 rmmod igloo
end

# A module whose own name is igloo-kmods is not igloo_kmods: the kernel
# loads it as another module. It is blocked by default, and its init
# never runs; an allowlist entry igloo_kmods does not admit it either.
begin builtin_exact
kmods_load allowlist=igloo_kmods
inits=$(dmesg_count "ikm_dash_name: init ran")
run_rc 0 insmod $T/igloo-kmods.ko
check "a module named igloo-kmods loaded" not loaded igloo-kmods
check "igloo-kmods' init ran" test "$(dmesg_count "ikm_dash_name: init ran")" = "$inits"
expect load finit_module false igloo-kmods block default 0 $T/igloo-kmods.ko
end

begin dash_underscore
kmods_load allowlist=ikm-dash-name
cp $T/ikm_dash_name.ko /tmp/ikm-dash-name.ko
run_rc 0 insmod /tmp/ikm-dash-name.ko
check "dash-named module not loaded" loaded ikm_dash_name
expect load finit_module false ikm_dash_name allow allowlist 0 /tmp/ikm-dash-name.ko
run_rc 0 rmmod ikm-dash-name
check "dash-named module still loaded" not loaded ikm_dash_name
end

# --- the name is read from the image, not the file name ---
begin renamed_module
kmods_load allowlist=ikm_mark denylist=ikm_other
cp $T/ikm_other.ko /tmp/ikm_mark.ko
run_rc 0 insmod /tmp/ikm_mark.ko
check "renamed denied module loaded" not loaded ikm_other
check "renamed denied module's init ran" test "$(dmesg_count 'ikm_other: init ran')" = 1
expect load finit_module false ikm_other block denylist 0 /tmp/ikm_mark.ko
rm -f /tmp/ikm_mark.ko
end

# --- the names penguin users write: its plugin matches file names ---
# The decision stays on the module's real name; the record (a flag), the
# kernel log line and the host collector's summary say where a list named
# the file and not the module, or the other way round, with the entry
# that would match.
begin penguin_names
kmods_load allowlist=foo denylist=ikm-other
cp $T/ikm_mark.ko /tmp/foo.ko
run_rc 0 insmod /tmp/foo.ko
check "renamed module allowed by its file name" not loaded ikm_mark
hint="hint: allowlist names the file foo, not the module ikm_mark: entry ikm_mark would match"
check "kernel log lacks the file-name hint" \
	test "$(dmesg_count "foo.ko [ikm_mark] by insmod")" = 1 -a \
	"$(dmesg_count "blocked (default), returned 0; $hint")" = 1
expect load finit_module false ikm_mark block default 0 /tmp/foo.ko allow_file
expect_hint "$hint"
run_rc 0 insmod $T/ikm_other.ko
check "denied module loaded" not loaded ikm_other
hint="hint: denylist names the module ikm_other, not the file ikm_other: penguin's plugin would need entry ikm_other"
check "kernel log lacks the module-name hint" \
	test "$(dmesg_count "blocked (denylist), returned 0; $hint")" = 1
expect load finit_module false ikm_other block denylist 0 $T/ikm_other.ko deny_module
expect_hint "$hint"
check "write allowlist" set_param allowlist ikm_mark
run_rc 0 insmod /tmp/foo.ko
check "module allowed by its real name not loaded" loaded ikm_mark
hint="hint: allowlist names the module ikm_mark, not the file foo: penguin's plugin would need entry foo"
check "kernel log lacks the penguin entry" \
	test "$(dmesg_count "allowed (allowlist), returned 0; $hint")" = 1
expect load finit_module false ikm_mark allow allowlist 0 /tmp/foo.ko allow_module
expect_hint "$hint"
run_rc 0 rmmod ikm_mark
# A list that names the module as its file is named: nothing to say.
hinted=$(dmesg | grep -F "$T/ikm_mark.ko [ikm_mark] by insmod" | grep -c "hint:")
allowed=$(dmesg | grep -F "$T/ikm_mark.ko [ikm_mark] by insmod" | grep -c "allowed (allowlist)")
run_rc 0 insmod $T/ikm_mark.ko
check "no log line for the allowed load" \
	test "$(dmesg | grep -F "$T/ikm_mark.ko [ikm_mark] by insmod" | grep -c "allowed (allowlist)")" = $((allowed + 1))
check "a hint where the list matches both names" \
	test "$(dmesg | grep -F "$T/ikm_mark.ko [ikm_mark] by insmod" | grep -c "hint:")" = "$hinted"
expect load finit_module false ikm_mark allow allowlist 0 $T/ikm_mark.ko
run_rc 0 rmmod ikm_mark
rm -f /tmp/foo.ko
end

# --- lists of 4,096 names, through insmod and through sysfs appends ---
# long_names FIRST COUNT: m<FIRST>... (40 characters each), comma-separated
long_names()
{
	awk -v f="$1" -v n="$2" 'BEGIN {
		for (i = f; i < f + n; i++)
			printf("%sm%039d", (i > f) ? "," : "", i) }'
}

# long_list_ends HOW: the last and the first name of a 4,096-name
# allowlist (given through HOW) load, and are recorded as allowed.
long_list_ends()
{
	run_rc 0 insmod $T/ikm_mark.ko
	check "last of 4,096 allowlisted names ($1) not loaded" loaded ikm_mark
	expect load finit_module false ikm_mark allow allowlist 0 $T/ikm_mark.ko
	run_rc 0 rmmod ikm_mark
	run_rc 0 insmod $T/ikm_dash_name.ko
	check "first of 4,096 allowlisted names ($1) not loaded" loaded ikm_dash_name
	expect load finit_module false ikm_dash_name allow allowlist 0 $T/ikm_dash_name.ko
	run_rc 0 rmmod ikm_dash_name
}

# ikm_dash_name first, 4,094 names of 40 characters, ikm_mark last: 168
# KiB, more than one argument may carry (128 KiB), so insmod gets each
# list in two parts, the second appended ("+"); the denylist ends with
# ikm-other, which folds to ikm_other.
begin long_lists
a=$(long_names 0 2047)
b=$(long_names 2047 2047)
check "names not generated" test "${#a}" = 83926 -a "${#b}" = 83926
kmods_load "allowlist=ikm_dash_name,$a" "allowlist=+$b,ikm_mark" \
	"denylist=$b" "denylist=+$a,ikm-other"
long_list_ends insmod
run_rc 0 insmod $T/ikm_other.ko
check "last of 4,096 denylisted names (insmod) loaded" not loaded ikm_other
expect load finit_module false ikm_other block denylist 0 $T/ikm_other.ko
check "a list longer than a page read back" not cat $KMODS_PARAMS/allowlist

# The same through sysfs: one write, then appends of at most 90 names
# (3,690 bytes, under a page).
check "write allowlist" set_param allowlist ikm_dash_name
check "empty denylist" set_param denylist ""
awk 'BEGIN { for (i = 0; i < 4094; i++)
	printf("%sm%039d%s", (i % 90) ? "," : "+", i,
	       (i % 90 == 89 || i == 4093) ? "\n" : "") }' >/tmp/appends
n=0
while read -r w; do
	set_param allowlist "$w" || fail "append $n refused"
	n=$((n + 1))
done </tmp/appends
check "append ikm_mark" set_param allowlist +ikm_mark
check "46 appends" test "$n" = 46
# A write of a page or more is refused whole (sysfs would cut it): 69,699
# bytes, more than the largest page of the guests here (ppc64el: 64 KiB).
check "a write of 69,699 bytes accepted" not set_param allowlist "$(long_names 0 1700)"
check "a write of 69,700 bytes appended" not set_param allowlist "+$(long_names 0 1700)"
long_list_ends sysfs
run_rc 0 insmod $T/ikm_other.ko
check "a name on neither list loaded" not loaded ikm_other
expect load finit_module false ikm_other block default 0 $T/ikm_other.ko
rm -f /tmp/appends
end

# --- both system calls, 64-bit and 32-bit, blocked and allowed ---
begin syscalls
kmods_load
call_is "ret=0 errno=0" finit $T/ikm_mark.ko
expect load finit_module false ikm_mark block default 0 $T/ikm_mark.ko
call_is "ret=0 errno=0" init $T/ikm_mark.ko
expect load init_module false ikm_mark block default 0 $T/ikm_mark.ko
# 32-bit callers where the kernel runs 32-bit programs (KMODS_HAVE_COMPAT,
# set by init.sh per architecture; a 32-bit kernel has no compat calls).
progs=kmods-call
if [ "${KMODS_HAVE_COMPAT:-1}" = 1 ]; then
	call32_is "ret=0 errno=0" finit $T/ikm_mark.ko
	expect load finit_module true ikm_mark block default 0 $T/ikm_mark.ko
	call32_is "ret=0 errno=0" init $T/ikm_mark.ko
	expect load init_module true ikm_mark block default 0 $T/ikm_mark.ko
	progs="kmods-call kmods-call32"
else
	skip "32-bit callers of a 64-bit kernel (compat): none on this architecture"
fi
check "blocked module loaded" not loaded ikm_mark
set_param allowlist ikm_mark
for prog in $progs; do
	for sc in finit init; do
		got=$($KMODS_DIR/$prog $sc $T/ikm_mark.ko "tag=$prog-$sc")
		[ "$got" = "ret=0 errno=0" ] || fail "$prog $sc: $got"
		check "$prog $sc: not loaded" loaded ikm_mark
		check "$prog $sc: parameter" test \
			"$(dmesg_count "init ran tag=$prog-$sc")" = 1
		rmmod ikm_mark || fail "rmmod after $prog $sc"
	done
done
expect load finit_module false ikm_mark allow allowlist 0 $T/ikm_mark.ko
expect load init_module false ikm_mark allow allowlist 0 $T/ikm_mark.ko
if [ "$progs" != kmods-call ]; then
	expect load finit_module true ikm_mark allow allowlist 0 $T/ikm_mark.ko
	expect load init_module true ikm_mark allow allowlist 0 $T/ikm_mark.ko
fi
end

# --- an allowed load that the kernel refuses: its own error is returned ---
begin allowed_kernel_error
kmods_load allowlist=ikm_mark
insmod $T/ikm_mark.ko
call_is "ret=-1 errno=17" finit $T/ikm_mark.ko
expect load finit_module false ikm_mark allow allowlist 0 $T/ikm_mark.ko
expect load finit_module false ikm_mark allow allowlist -17 $T/ikm_mark.ko
rmmod ikm_mark
end

# --- kmod's modprobe, and the kernel's own request_module ---
begin modprobe
kmods_load
run_rc 0 /sbin/modprobe ikm_mark
check "modprobe'd blocked module loaded" not loaded ikm_mark
expect load '*' false ikm_mark block default 0 $EXTRA/ikm_mark.ko
# mount -t ikmfs makes the kernel run modprobe fs-ikmfs: an alias of ikm_mark
mount -t ikmfs none /mnt 2>/dev/null
check "request_module's blocked module loaded" not loaded ikm_mark
expect load '*' false ikm_mark block default 0 $EXTRA/ikm_mark.ko
set_param allowlist ikm_mark
mount -t ikmfs none /mnt 2>/dev/null
check "request_module's allowed module not loaded" loaded ikm_mark
expect load '*' false ikm_mark allow allowlist 0 $EXTRA/ikm_mark.ko
/sbin/rmmod ikm_mark || fail "kmod rmmod"
end

# --- runtime policy changes through sysfs ---
begin sysfs_runtime
kmods_load allowlist=a,b
check "initial allowlist" test "$(param allowlist)" = "a,b"
check "write allowlist" set_param allowlist " ikm_other , ikm-dash-name,,ikm_other,"
check "read allowlist" test "$(param allowlist)" = "ikm_other,ikm-dash-name"
check "write denylist" set_param denylist ikm_other
run_rc 0 insmod $T/ikm_other.ko
check "denylisted module loaded" not loaded ikm_other
expect load finit_module false ikm_other block denylist 0 $T/ikm_other.ko
check "clear denylist" set_param denylist ""
check "empty denylist" test "$(param denylist)" = ""
run_rc 0 insmod $T/ikm_other.ko
check "allowlisted module not loaded" loaded ikm_other
expect load finit_module false ikm_other allow allowlist 0 $T/ikm_other.ko
rmmod ikm_other
for bad in "a/b" "ikm_mark.ko" "bad name" "x!" \
	"$(printf 'n%.0s' $(seq 1 $((NAME_MAX + 1))))" \
	"+x,a b" "+x,y.ko" "+,bad name"; do
	if set_param allowlist "$bad"; then
		fail "invalid allowlist '$bad' accepted"
	fi
	check "allowlist changed by '$bad'" test "$(param allowlist)" = "ikm_other,ikm-dash-name"
done
check "longest valid name" set_param denylist "$(printf 'n%.0s' $(seq 1 $NAME_MAX))"
check "65 entries (the limit was 64)" set_param denylist "$(seq -s, 1 65)"
check "an append of 2" set_param denylist "+66,1,67"
check "the append" test "$(param denylist)" = "$(seq -s, 1 67)"
check "bad mode refused" not set_param mode sideways
check "mode unchanged" test "$(param mode)" = enforce
check "bad block_errno refused" not set_param block_errno 4096
check "counters are read-only" not set_param attempts 0
# One line each, on every kernel: 4.10's sysfs appends the newline that
# later kernels leave to the parameter's own get.
for p in allowlist mode attempts block_errno; do
	n=$(wc -l < $KMODS_PARAMS/$p)
	check "$p reads as $n lines" test "$n" = 1
done
su_out=$($KMODS_DIR/kmods-call --uid 1000 write $KMODS_PARAMS/allowlist x 2>&1)
check "non-root wrote the policy ($su_out)" test "$(param allowlist)" = "ikm_other,ikm-dash-name"
end

# --- quiet changes the kernel log, never the decision ---
begin quiet
kmods_load quiet=1 allowlist=ikm_other
before=$(dmesg_count "igloo_kmods: finit_module")
inits=$(dmesg_count 'ikm_other: init ran')
run_rc 0 insmod $T/ikm_mark.ko
check "quiet=1: blocked module loaded" not loaded ikm_mark
expect load finit_module false ikm_mark block default 0 $T/ikm_mark.ko
run_rc 0 insmod $T/ikm_other.ko
check "quiet=1: allowed module not loaded" loaded ikm_other
check "quiet=1: allowed module's init did not run" \
	test "$(dmesg_count 'ikm_other: init ran')" = $((inits + 1))
expect load finit_module false ikm_other allow allowlist 0 $T/ikm_other.ko
run_rc 0 rmmod ikm_other
check "quiet=1 logged an attempt" test "$(dmesg_count "igloo_kmods: finit_module")" = "$before"
set_param quiet 0
run_rc 0 insmod $T/ikm_mark.ko
check "quiet=0: blocked module loaded" not loaded ikm_mark
check "quiet=0 did not log the attempt" test "$(dmesg_count "igloo_kmods: finit_module")" = $((before + 1))
expect load finit_module false ikm_mark block default 0 $T/ikm_mark.ko
end

begin block_errno
kmods_load block_errno=1
call_is "ret=-1 errno=1" finit $T/ikm_mark.ko
expect load finit_module false ikm_mark block default -1 $T/ikm_mark.ko
# busybox insmod retries with init_module after finit_module fails. Run
# as a process of its own, its command line names the file; run inside
# this shell (busybox runs applets in-process) it does not, and like
# penguin's plugin the record then has no path (modules.log: the name).
run_rc 1 /bin/busybox insmod $T/ikm_mark.ko
expect load finit_module false ikm_mark block default -1 $T/ikm_mark.ko
expect load init_module false ikm_mark block default -1 $T/ikm_mark.ko
run_rc 1 insmod $T/ikm_mark.ko
expect load finit_module false ikm_mark block default -1 $T/ikm_mark.ko
expect load init_module false ikm_mark block default -1 ""
check "refused module loaded" not loaded ikm_mark
set_param block_errno 13
call_is "ret=-1 errno=13" init $T/ikm_mark.ko
expect load init_module false ikm_mark block default -13 $T/ikm_mark.ko
end

begin monitor
kmods_load mode=monitor denylist=ikm_mark
run_rc 0 insmod $T/ikm_mark.ko
check "monitored module not loaded" loaded ikm_mark
expect load finit_module false ikm_mark allow denylist 0 $T/ikm_mark.ko
rmmod ikm_mark
end

begin unprivileged
kmods_load allowlist=ikm_other
call_is "ret=-1 errno=1" --uid 1000 finit $T/ikm_mark.ko
expect load finit_module false ikm_mark kernel unprivileged -1 $T/ikm_mark.ko
call_is "ret=-1 errno=1" --uid 1000 init $T/ikm_other.ko
expect load init_module false ikm_other kernel unprivileged -1 $T/ikm_other.ko
# ikm_other is the one the policy would let through: the kernel's own
# check must have stopped it.
check "unprivileged load of an allowlisted module happened" not loaded ikm_other
check "unprivileged load happened" not loaded ikm_mark
end

# --- an ELF image the reader cannot parse is not named by its file ---
# ikm_other with EI_VERSION zeroed, in a file named ikm_mark.ko: the
# kernel loads it (as ikm_other); it must be blocked like any image
# without a name, with the usual outcome, never allowed as ikm_mark.
begin unparsable_elf
kmods_load allowlist=ikm_mark
eiv=$KMODS_DIR/hostile/ei-version-0/ikm_mark.ko
call_is "ret=0 errno=0" finit "$eiv"
expect load finit_module false "" block no_name 0 "$eiv"
call_is "ret=0 errno=0" init "$eiv"
expect load init_module false "" block no_name 0 "$eiv"
check "the unparsable image loaded" not loaded ikm_other
set_param block_errno 1
call_is "ret=-1 errno=1" finit "$eiv"
expect load finit_module false "" block no_name -1 "$eiv"
check "the unparsable image loaded" not loaded ikm_other
end

# --- the kernel log line escapes the caller's bytes as modules.log does ---
begin log_escape
kmods_load
# A newline and a backslash in the file name.
forged=$(printf '/tmp/x\nigloo_kmods: forged line\\.ko')
cp $T/ikm_mark.ko "$forged"
call_is "ret=0 errno=0" finit "$forged"
expect load finit_module false ikm_mark block default 0 '*'
check "a file name started a kernel log line of its own" \
	test "$(dmesg | grep -cE '(^|\] )igloo_kmods: forged line')" = 0
check "the kernel log line is not escaped" \
	test "$(dmesg_count '/tmp/x\x0aigloo_kmods: forged line\\.ko [ikm_mark]')" = 1
rm -f "$forged"
end

# --- block_errno takes errno values only, not the kernel's own (512+) ---
begin block_errno_range
check "block_errno 511 refused" set_param block_errno 511
for bad in 512 516 4095; do
	check "block_errno $bad accepted" not set_param block_errno $bad
done
check "a refused block_errno changed it" test "$(param block_errno)" = 511
set_param block_errno 0
end

# --- a blocked load of a loaded module's name: rmmod unloads the real one ---
begin faked_of_loaded
kmods_load allowlist=ikm_mark
run_rc 0 insmod $T/ikm_mark.ko
expect load finit_module false ikm_mark allow allowlist 0 $T/ikm_mark.ko
set_param allowlist ""
run_rc 0 insmod $T/ikm_mark.ko
expect load finit_module false ikm_mark block default 0 $T/ikm_mark.ko
run_rc 0 rmmod ikm_mark
check "rmmod did not unload the real ikm_mark" not loaded ikm_mark
# The faked load is gone with it: the kernel answers the next rmmod.
run_rc 1 rmmod ikm_mark
end

# --- unloading igloo_kmods leaves the kernel as it was ---
begin unload_clean
kp_list=/sys/kernel/debug/kprobes/list
if [ -r $kp_list ]; then
	check "fewer than 4 probes listed" \
		test "$(grep -c '_module' $kp_list)" -ge 4
	# On ftrace a probe keeps an ftrace_ops armed, which every module
	# load then pays for (ftrace_module_enable()); x86's probes go past
	# the __fentry__ call (KMODS_FTRACE_SITE_SIZE), the others' stay.
	if grep -q '_module.*FTRACE' $kp_list; then
		case $(uname -m) in
		x86_64 | i?86) fail "a probe is carried by ftrace" ;;
		*) skip "probes on ftrace: kept off it on x86 only" ;;
		esac
	fi
fi
kmods_unload
check "igloo_kmods still loaded" not loaded igloo_kmods
check "debugfs directory left" test ! -e /sys/kernel/debug/igloo_kmods
check "character device left" test ! -e "$KMODS_CHARDEV"
if [ -r $kp_list ]; then
	check "kprobes left" test "$(grep -c _module $kp_list)" = 0
else
	skip "no $kp_list to look for probes left behind"
fi
run_rc 0 insmod $T/ikm_mark.ko
check "plain load failed" loaded ikm_mark
run_rc 0 rmmod ikm_mark
end

# --- probes that cannot be armed fail the load, with a message ---
begin unarmed
if [ -w /sys/kernel/debug/kprobes/enabled ]; then
	echo 0 > /sys/kernel/debug/kprobes/enabled
	check "insmod igloo_kmods succeeded with kprobes disarmed" \
		not insmod "$KMODS_KO"
	echo 1 > /sys/kernel/debug/kprobes/enabled
	if loaded igloo_kmods; then
		fail "igloo_kmods loaded with kprobes disarmed"
		rmmod igloo_kmods
	fi
	# busybox insmod tries init_module after finit_module: one or two.
	check "no message for the probe that does not fire" \
		test "$(dmesg_count 'does not fire (kprobes disabled?)')" -ge 1
else
	skip "no /sys/kernel/debug/kprobes/enabled to disarm kprobes with"
fi
end

# --- debug kernels: nothing igloo_kmods allocated is left behind ---
kmemleak_scenario

kmods_out "KMODS-DONE"
