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

# The debug kernels (KASAN, lockdep, kmemleak) run the torn race, the
# stress flood and the sysfs readers a third as many times: they are
# there for what the detectors find on the paths the stock kernels race
# in full, and every call costs about five times as much there.
laps=3
case $(uname -r) in
*-kmods-debug) laps=1 ;;
esac

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

# The longest image length the caller can claim: 1 TiB, or 4 GiB - 1 from
# a 32-bit kmods-call (its ELF class, byte 4 of the file: 1 or 2).
huge=0x10000000000
if [ "$(dd if="$KMODS_CALL" bs=1 skip=4 count=1 2>/dev/null | od -An -tu1 | \
	tr -d ' ')" = 1 ]; then
	huge=0xffffffff
fi

# Files for the cases below: a copy to hold open for writing, a file
# shorter than an ELF header, a text file.
cp $T/ikm_mark.ko /tmp/ikm_busy.ko
head -c 40 $T/ikm_mark.ko > /tmp/ikm_short.ko
long=$(printf 'x%.0s' $(seq 1 1000))

# Modules built for kernels before 5.x (4.10) have no .modinfo name=: the
# kernel knows them by .gnu.linkonce.this_module's name only, which the
# name-* images then carry (tests/hostile/mkimages.py), and there is no
# name-mismatch image. The stock kernel loads those images under that
# name, and name-long's, 56 (60) bytes without a NUL, runs on into the
# next field of struct module: delete_module can never match it, so that
# module would stay loaded for the rest of the run.
modinfo_name=0
grep -q 'name=ikm_mark' $T/ikm_mark.ko && modinfo_name=1

# 4.x's load_module() takes e_shstrndx on trust: it reads that section
# header before anything checks the index, past the end of the image
# (an Oops on 4.10 mipseb, garbage on 4.10 x86_64). The runs that hand
# shstrndx-bad.ko to the kernel (stock, monitor) skip it there.
shstrndx_checked=1
case $(uname -r) in
[1-4].*) shstrndx_checked=0 ;;
esac

# mods_new BASE: the modules loaded now (a /sys/module directory with an
# initstate) that BASE does not list, as "/name/name/" ("/": none). BASE:
# "/" or an earlier answer. sysfs shows a '/' in a module's name as '!',
# so no name here holds a '/'.
mods_new()
{
	local d s=/

	for d in /sys/module/*/initstate; do
		[ -e "$d" ] || continue
		d=${d%/initstate}
		d=${d#/sys/module/}
		case $1 in
		*"/$d/"*) ;;
		*) s="$s$d/" ;;
		esac
	done
	printf '%s' "$s"
}

# mods_remove LIST: unload the modules of LIST (mods_new's form) by the
# kernel's name for each ('!' in sysfs is its '/'); fail for one that
# stays loaded.
mods_remove()
{
	local n name ifs=$IFS

	IFS=/
	set -f
	for n in $1; do
		[ -n "$n" ] || continue
		name=$n
		while :; do
			case $name in
			*!*) name="${name%%!*}/${name#*!}" ;;
			*) break ;;
			esac
		done
		"$KMODS_CALL" delete "$name" O_NONBLOCK > /dev/null
		[ -d "/sys/module/$n" ] && fail "module '$n' could not be unloaded"
	done
	set +f
	IFS=$ifs
}

# Every bad call, one per line:
#	CASE|CLASS|STOCK|SYSCALL|NAME|RULE|KMODS-CALL ARGS
# CLASS:
#	arg	the kernel refuses the arguments before it loads anything:
#		every run must give the stock kernel's answer, and the
#		record says decision "kernel", rule "bad_call"
#	image	an image the kernel parses (it has the ELF magic): the
#		policy decides; monitor mode gives the stock answer
#	load	a valid module: the policy decides
#	loaded	a valid module already loaded (allowed runs only)
# STOCK: what the kernels tested answer without igloo_kmods (an errno
# name, 0 for loaded), checked in the run without igloo_kmods, so that a
# kernel that answers otherwise is noticed. A/B: either, by kernel: the
# debug kernels built here (tests/kernel/) refuse name-long with ENOEXEC
# where Debian's load it; 4.10 refuses a write-only fd with ETXTBSY (its
# deny_write_access() comes before the FMODE_READ check) where 6.1 and
# 6.12 say EBADF; 4.10 does not check that .modinfo ends in a NUL: it
# refuses modinfo-nonul on x86_64 and loads it on mipseb, where the byte
# replaced is padding after vermagic's NUL. Every run with igloo_kmods is
# compared with what that run observed on this kernel.
# NAME and RULE: what the policy must see in enforce mode ("*": any). An
# image with the ELF magic that the reader cannot parse has no name, even
# under a file name the policy would know.
kmods_cases()
{
	cat <<EOF2
init-null-image|arg|EFAULT|init_module|*|*|init-null 100
init-unmapped-image|arg|EFAULT|init_module|*|*|init-unmapped 4096
init-huge-size|arg|ENOMEM|init_module|*|*|init-null $huge
init-size-0|arg|ENOEXEC|init_module|*|*|init-buf $T/ikm_mark.ko 0
init-size-1|arg|ENOEXEC|init_module|*|*|init-buf $T/ikm_mark.ko 1
init-size-40|arg|ENOEXEC|init_module|*|*|init-buf $T/ikm_mark.ko 40
init-not-elf|arg|ENOEXEC|init_module|*|*|init-buf $KMODS_DIR/lib.sh 200
init-params-null|arg|EFAULT|init_module|ikm_mark|*|init-params-null $T/ikm_mark.ko
init-params-unmapped|arg|EFAULT|init_module|ikm_mark|*|init-params-unmapped $T/ikm_mark.ko
finit-fd-minus1|arg|EBADF|finit_module|*|*|finit-fd minus1
finit-fd-closed|arg|EBADF|finit_module|*|*|finit-fd closed
finit-directory|arg|EINVAL|finit_module|*|*|finit-fd dir
finit-chardev|arg|EINVAL|finit_module|*|*|finit-fd rdonly:/dev/null
finit-pipe|arg|EINVAL|finit_module|*|*|finit-fd pipe
finit-socket|arg|EINVAL|finit_module|*|*|finit-fd socket
finit-empty-file|arg|EINVAL|finit_module|*|*|finit-fd empty
finit-write-only|arg|EBADF/ETXTBSY|finit_module|*|*|finit-fd wronly:$T/ikm_mark.ko
finit-open-for-writing|arg|ETXTBSY|finit_module|*|*|finit-fd writing:/tmp/ikm_busy.ko
finit-short-file|arg|ENOEXEC|finit_module|*|*|finit-fd rdonly:/tmp/ikm_short.ko
finit-not-elf|arg|ENOEXEC|finit_module|*|*|finit-fd rdonly:$KMODS_DIR/lib.sh
finit-unknown-flags|arg|EINVAL|finit_module|*|*|finit-flags $T/ikm_mark.ko 0x100
finit-flags-before-fd|arg|EINVAL|finit_module|*|*|finit-fd minus1 x 0x100
finit-params-null|arg|EFAULT|finit_module|ikm_mark|*|finit-params-null $T/ikm_mark.ko
finit-params-unmapped|arg|EFAULT|finit_module|ikm_mark|*|finit-params-unmapped $T/ikm_mark.ko
init-truncated-200|image|ENOEXEC|init_module||no_name|init-buf $T/ikm_mark.ko 200
init-shoff-past-end|image|ENOEXEC|init_module||no_name|init $H/shoff-past-end.ko
init-shnum-huge|image|ENOEXEC|init_module||no_name|init $H/shnum-huge.ko
init-shstrndx-bad|image|ENOEXEC|init_module||no_name|init $H/shstrndx-bad.ko
init-modinfo-nonul|image|ENOEXEC/0|init_module|ikm_mark|default|init $H/modinfo-nonul.ko
init-name-long|image|0/ENOEXEC|init_module||no_name|init $H/name-long.ko
init-name-slash|image|0|init_module||no_name|init $H/name-slash.ko
init-name-ctrl|image|0|init_module||no_name|init $H/name-ctrl.ko
init-name-mismatch|image|0|init_module||no_name|init $H/name-mismatch.ko
finit-name-slash|image|0|finit_module||no_name|finit $H/name-slash.ko
finit-name-mismatch|image|0|finit_module||no_name|finit $H/name-mismatch.ko
init-valid|load|0|init_module|ikm_mark|default|init $T/ikm_mark.ko
finit-valid|load|0|finit_module|ikm_mark|default|finit $T/ikm_mark.ko
finit-long-params|load|0|finit_module|ikm_mark|default|finit $T/ikm_mark.ko tag=$long
init-already-loaded|loaded|EEXIST|init_module|ikm_mark|*|init $T/ikm_mark.ko
finit-already-loaded|loaded|EEXIST|finit_module|ikm_mark|*|finit $T/ikm_mark.ko
EOF2
}
kmods_cases > /tmp/kmods-cases
mkdir -p /tmp/stock

# run_cases RUN: make every call of /tmp/kmods-cases. RUN: stock (no
# igloo_kmods), monitor, allow (allowlist=ikm_mark), default (the
# default policy, enforce) or errno (the default policy, block_errno=1).
run_cases()
{
	run=$1
	while IFS='|' read -r c class stock sc rname rrule args; do
		case $run/$class in
		allow/image|default/loaded|errno/loaded) continue ;;
		esac
		case $c/$modinfo_name/$run in
		*-name-mismatch/0/stock)
			skip "$c: no image: this kernel's modules have no .modinfo name= to disagree with" ;;
		init-name-long/0/stock|init-name-long/0/monitor)
			skip "$c ($run): this kernel would load it under a name delete_module cannot match" ;;
		esac
		case $c/$modinfo_name/$run in
		*-name-mismatch/0/*|init-name-long/0/stock|init-name-long/0/monitor)
			continue ;;
		esac
		case $c/$shstrndx_checked/$run in
		init-shstrndx-bad/0/stock|init-shstrndx-bad/0/monitor)
			skip "$c ($run): this kernel reads the section header e_shstrndx names without checking it"
			continue ;;
		esac
		# shellcheck disable=SC2086 # the arguments are words
		set -- $args
		if [ "$class" = loaded ]; then
			"$KMODS_CALL" finit $T/ikm_mark.ko > /dev/null
			[ "$run" = stock ] || \
				expect load finit_module false ikm_mark allow '*' 0 '*'
			check "$c ($run): ikm_mark did not load first" loaded ikm_mark
		fi
		base=$(mods_new /)
		line=$("$KMODS_CALL" --errname "$@" 2>&1)
		new=$(mods_new "$base")
		got=${line% *} ret=${line##* }
		case $line in
		"0 0"|E*" -"[0-9]*) ;;
		*) fail "$c ($run): kmods-call said '$line'"; got="bad:$line" ;;
		esac
		kmods_out "KMODS-TABLE|$c|$run|$got"
		if [ "$run" = stock ]; then
			# STOCK may name several answers (A/B): the one seen
			# must be among them.
			case /$stock/ in
			*"/$got/"*) want=$got ;;
			*) want=$stock ;;
			esac
			echo "$got" > "/tmp/stock/$c"
		elif [ "$run" = monitor ] || [ "$class" = arg ] || \
		     [ "$class" = loaded ] || [ "$run" = allow ]; then
			# The kernel's own answer, as the stock run observed it.
			want=$(cat "/tmp/stock/$c")
		elif [ "$run" = default ]; then
			want=0		# faked
		else
			want=EPERM	# block_errno=1
		fi
		[ "$got" = "$want" ] || \
			fail "$c ($run): the caller got $got, expected $want"
		# The record of the attempt, with what the caller got. A
		# name the policy refuses is not checked against .modinfo:
		# in enforce mode an image whose .modinfo names it badly is
		# refused under this_module's name, the kernel's for it.
		case $c/$modinfo_name/$run in
		*-name-slash/1/default|*-name-slash/1/errno|\
		*-name-ctrl/1/default|*-name-ctrl/1/errno|\
		*-name-long/1/default|*-name-long/1/errno)
			rname=ikm_mark rrule=default ;;
		*-name-mismatch/1/default|*-name-mismatch/1/errno)
			rname=ikm_marx rrule=default ;;
		esac
		# In monitor mode an image without a valid name of its own
		# that the kernel loads is recorded under the name the kernel
		# gave it (MODULE_STATE_COMING), no list naming it. 4.10 loads
		# names with '/' (sysfs shows '!') or a newline: any such name,
		# still no_name.
		if [ "$run" = monitor ] && [ -z "$rname" ] && [ "$new" != / ]; then
			rname=${new#/} rname=${rname%/}
			case $rname in
			*[!A-Za-z0-9_-]*) rname='*' ;;
			*) rrule=default ;;
			esac
		fi
		case $run/$class in
		stock/*) ;;
		*/arg) expect load "$sc" false "$rname" kernel bad_call "$ret" '*' ;;
		monitor/*) expect load "$sc" false "$rname" allow "$rrule" "$ret" '*' ;;
		allow/*) expect load "$sc" false ikm_mark allow allowlist "$ret" '*' ;;
		default/*) expect load "$sc" false "$rname" block "$rrule" 0 '*' ;;
		errno/*) expect load "$sc" false "$rname" block "$rrule" -1 '*' ;;
		esac
		# What got loaded, checked before anything is removed: only a
		# load the kernel itself made in a run that lets it through,
		# under whatever name the kernel gave it.
		case $run/$want in
		stock/0|monitor/0|allow/0)
			[ "$new" != / ] || \
				fail "$c ($run): returned 0 and nothing loaded" ;;
		*)
			[ "$new" = / ] || \
				fail "$c ($run): a module was loaded (caller got $got): $new" ;;
		esac
		mods_remove "$new"
		loaded ikm_mark && rmmod ikm_mark
	done < /tmp/kmods-cases
}

# The stock kernel first: the answers every other run is compared with.
begin args_stock
kmods_unload
check "igloo_kmods is loaded for the stock run" not loaded igloo_kmods
# A kernel whose modules have a .modinfo name= must get every image.
[ "$modinfo_name" = 0 ] || \
	check "ikm_mark.ko has a .modinfo name= and no name-mismatch.ko was made" \
		test -e $H/name-mismatch.ko
run_cases stock
end

begin args_monitor
kmods_load mode=monitor
run_cases monitor
end

begin args_allowlist
kmods_load allowlist=ikm_mark
run_cases allow
end

begin args_default
kmods_load
run_cases default
end

begin args_block_errno
kmods_load block_errno=1
run_cases errno
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
[1-4].*|5.[0-9].*|5.1[0-6].*)
	# MODULE_INIT_COMPRESSED_FILE came in 5.17: an unknown flag before
	want=-22 ;;
*)	# Decompressed, named ikm_other and vetoed: -EPERM; without
	# MODULE_DECOMPRESS (Debian's 6.1, penguin's kernels, those built
	# here) the kernel refuses it itself.
	if grep -q ' module_decompress$' /proc/kallsyms; then
		want=-1
	else
		want=-$eopnotsupp
	fi ;;
esac
check "compressed bypass: caller got $got, expected $want" test "$got" = "$want"
if [ "$want" = -1 ]; then
	expect load finit_module false ikm_other allow denylist -1 $H/ikm_mark.ko.xz
	check "no veto counted" test "$(param vetoed)" = 1
else
	# Refused before the file is read: the kernel's answer, in any mode.
	expect load finit_module false ikm_mark kernel bad_call "$want" \
		$H/ikm_mark.ko.xz
fi
end

begin bypass_toctou
kmods_load allowlist=ikm_mark denylist=ikm_marx
# A second thread flips the init_module buffer between ikm_mark and the
# same module named ikm_marx while igloo_kmods reads it and the kernel
# copies it. The kernel must only ever load what the policy allowed: its
# own copy is checked (a torn one is refused). Only a whole ikm_mark
# loads, and it is the only allowed attempt. The race counts only if it
# overlapped: some rounds must have been refused.
i=0 mark=0 other=0
while [ $i -lt 40 ]; do
	"$KMODS_CALL" race $T/ikm_mark.ko $H/ikm_marx.ko ${KMODS_RACE_FLIPS:-2000} > /dev/null
	expect load init_module false '*' '*' '*' '*' $H/ikm_marx.ko
	check "TOCTOU: ikm_marx loaded" not loaded ikm_marx
	if loaded ikm_mark; then
		mark=$((mark + 1))
		rmmod ikm_mark
	else
		other=$((other + 1))
	fi
	i=$((i + 1))
done
echo "TOCTOU: 40 races: allowed=$(param allowed) blocked=$(param blocked) vetoed=$(param vetoed)"
echo "TOCTOU: ikm_mark loaded in $mark rounds, refused in $other"
check "TOCTOU: the check never saw another image ($other refusals): no race" \
	test "$other" -gt 0
check "TOCTOU: $(param allowed) allowed + $(param blocked) blocked != 40" \
	test $(($(param allowed) + $(param blocked))) = 40
check "TOCTOU: $(param allowed) allowed != $mark loads" \
	test "$(param allowed)" = "$mark"
kmods_out "KMODS-TABLE|toctou-40-races|allowed|$(param allowed)"
kmods_out "KMODS-TABLE|toctou-40-races|blocked|$(param blocked)"
kmods_out "KMODS-TABLE|toctou-40-races|vetoed|$(param vetoed)"
end

# --- torn images: two different modules rewritten under init_module ---
begin torn_image
kmods_load allowlist=ikm_torn_a,ikm_torn_b
# A second thread rewrites the buffer with ikm_torn_b's image and back to
# ikm_torn_a's (two modules of different layouts) while igloo_kmods reads
# it and the kernel copies it: a copy taken mid-write mixes their
# section, symbol and string tables, which the kernel's loader reads out
# of bounds (6.12 oopses in layout_symtab()). Such a copy must be refused
# (blocked, no_name), by igloo_kmods' read or by its check of the
# kernel's copy, before the loader parses it; a whole image of either
# loads. A mixed copy whose tables are each whole and in bounds passes:
# the kernel either loads it under the name its tables give or refuses
# it in bounds (an unknown symbol, say): counted. The two modules have no
# code, so such a load runs nothing of its own (a mixed ikm_mark/ikm_other
# once ran its init from a data page), and nothing may oops.
rounds=$((laps * 100)) a=0 b=0 torn=0 refused=0 i=0
while [ $i -lt $rounds ]; do
	line=$("$KMODS_CALL" race $T/ikm_torn_a.ko $T/ikm_torn_b.ko 2000 2>&1)
	if loaded ikm_torn_a; then
		a=$((a + 1))
		expect load init_module false ikm_torn_a allow allowlist 0 $T/ikm_torn_b.ko
		rmmod ikm_torn_a
	elif loaded ikm_torn_b; then
		b=$((b + 1))
		expect load init_module false ikm_torn_b allow allowlist 0 $T/ikm_torn_b.ko
		rmmod ikm_torn_b
	elif [ "$line" = "ret=0 errno=0" ]; then
		# Faked: igloo_kmods refused a torn copy.
		torn=$((torn + 1))
		expect load init_module false "" block no_name 0 $T/ikm_torn_b.ko
	else
		# Allowed, and then refused by the kernel's loader.
		refused=$((refused + 1))
		expect load init_module false '*' allow allowlist '*' $T/ikm_torn_b.ko
	fi
	i=$((i + 1))
done
echo "torn: $rounds races: ikm_torn_a $a, ikm_torn_b $b, torn copies refused $torn, refused by the kernel $refused"
kmods_out "KMODS-TABLE|torn-$rounds-races|ikm_torn_a|$a"
kmods_out "KMODS-TABLE|torn-$rounds-races|ikm_torn_b|$b"
kmods_out "KMODS-TABLE|torn-$rounds-races|torn|$torn"
kmods_out "KMODS-TABLE|torn-$rounds-races|kernel-refused|$refused"
# The race counts only if the copy saw the other thread's writes: an
# image of ikm_torn_b (the buffer starts as ikm_torn_a's), or a torn one.
check "torn: the copy never saw the rewriting thread ($b ikm_torn_b, $torn torn): no race" \
	test $((b + torn)) -gt 0
check "torn: $(param allowed) allowed + $(param blocked) blocked != $rounds" \
	test $(($(param allowed) + $(param blocked))) = $rounds
check "torn: $(param blocked) blocked != $torn torn copies" \
	test "$(param blocked)" = "$torn"
check "torn: $(param allowed) allowed != $a + $b loads + $refused refused by the kernel" \
	test "$(param allowed)" = $((a + b + refused))
end

# --- what the kernel loads is its own copy, and that copy is checked ---
begin copy_check
kmods_load allowlist=ikm_mark denylist=ikm_marx
# kmods-call swap-late: igloo_kmods names the caller's buffer ikm_mark
# (allowed); its read of the parameters, which comes after the name,
# then waits on a page that userfaultfd holds back, while a second thread
# writes another image over the buffer. The kernel copies that other
# image: the check of the kernel's copy must refuse it, every time, even
# when the policy allows both names (it is not the image checked).
swap()
{
	out=$("$KMODS_CALL" swap-late $T/ikm_mark.ko "$1" 2>&1)
	rc=$?
}
# refused WHAT PATH N: the kernel's copy of PATH's call was refused: the
# caller got the faked success, the record is blocked without a name and
# vetoed, and it is the Nth veto of the scenario.
refused()
{
	check "$1: the caller got '$out', expected faked success" \
		test "${out#*ret=}" = "0 errno=0"
	expect load init_module false "" block no_name 0 "$2" vetoed
	check "$1: vetoed is $(param vetoed), expected $((v0 + $3))" \
		test "$(param vetoed)" = $((v0 + $3))
}
v0=$(param vetoed)
swap $H/ikm_marx.ko
if [ $rc = 4 ]; then
	skip "no userfaultfd in this kernel: $out"
else
	check "swap-late: no fault held igloo_kmods' read ($out)" \
		test "$(echo "$out" | head -n 1)" = "faults=1"
	# Another module in the kernel's copy than in the buffer read, a
	# denied one: refused there, without a name, faked success.
	refused "swap-late ikm_marx" $H/ikm_marx.ko 1
	check "swap-late: ikm_marx loaded" not loaded ikm_marx
	check "swap-late: ikm_mark loaded" not loaded ikm_mark
	# A copy that cannot be parsed: the same.
	swap $H/shoff-past-end.ko
	refused "swap-late shoff-past-end" $H/shoff-past-end.ko 2
	# Both names allowed: still not the image checked, refused.
	check "allowlist" set_param allowlist ikm_mark,ikm_marx
	check "denylist" set_param denylist ""
	swap $H/ikm_marx.ko
	refused "swap-late, both allowed" $H/ikm_marx.ko 3
	check "swap-late, both allowed: ikm_marx loaded" not loaded ikm_marx
	# The kernel's copy is the image checked, but the buffer changed
	# while the kernel copied it (tear-late: a byte of the first page,
	# once the copy is held on the last): a copy taken from a buffer
	# being written is refused, whatever it names.
	out=$("$KMODS_CALL" tear-late $T/ikm_mark.ko 2>&1)
	check "tear-late: the kernel's copy was not held ($out)" \
		test "$(echo "$out" | head -n 1)" = "faults=2"
	refused tear-late $T/ikm_mark.ko 4
	check "tear-late: ikm_mark loaded" not loaded ikm_mark
	loaded ikm_mark && rmmod ikm_mark
	check "swap-late: allowed is $(param allowed), expected 0" \
		test "$(param allowed)" = 0
fi
end

# --- the probes disarmed: the module notifier is what still refuses ---
# root can disarm every kprobe (debugfs kprobes/enabled); loads then reach
# the kernel without igloo_kmods' hook, and only the MODULE_STATE_COMING
# notifier stands between a refused name and its code. Before 5.10 it
# cannot veto: kmods_coming_veto() replaces the module's init instead.
# Either way the caller gets EPERM and none of the module's code runs.
begin bypass_probes_off
kmods_load allowlist=ikm_mark
kp_enabled=/sys/kernel/debug/kprobes/enabled
if [ ! -w "$kp_enabled" ]; then
	skip "no $kp_enabled: the probes cannot be disarmed here"
else
	v0=$(param vetoed)
	tag=off$$
	echo 0 > "$kp_enabled"
	check "kprobes still armed" test "$(cat "$kp_enabled")" = 0
	refused=$(outcome finit $T/ikm_other.ko tag=$tag)
	refused_loaded=0
	loaded ikm_other && refused_loaded=1
	allowed=$(outcome finit $T/ikm_mark.ko tag=$tag)
	allowed_loaded=0
	loaded ikm_mark && allowed_loaded=1
	echo 1 > "$kp_enabled"
	loaded ikm_mark && rmmod ikm_mark
	loaded ikm_other && rmmod ikm_other
	echo "probes off: ikm_other got $refused, ikm_mark got $allowed, vetoed $(param vetoed)"
	kmods_out "KMODS-TABLE|probes-off-denied|returned|$refused"
	check "probes off: a refused module got $refused, expected -1 (EPERM)" \
		test "$refused" = -1
	check "probes off: a refused module was loaded" \
		test "$refused_loaded" = 0
	check "probes off: the refused module's init ran" \
		test "$(dmesg_count "ikm_other: init ran tag=$tag")" = 0
	check "probes off: vetoed is $(param vetoed), expected $((v0 + 1))" \
		test "$(param vetoed)" = $((v0 + 1))
	check "probes off: no veto in the kernel log" \
		test "$(dmesg_count "refused ikm_other when the kernel loaded it")" -ge 1
	case $(uname -r) in
	[1-4].*|5.[0-9].*)
		# Before 5.10: its parameters were dropped with its init, so
		# that no setter of its own runs either.
		check "probes off: ikm_other's parameter was not dropped" \
			test "$(dmesg_count "ikm_other: unknown parameter 'tag' ignored")" -ge 1 ;;
	esac
	# The notifier refuses only what the policy refuses, and a dmesg
	# check that can see an init line.
	check "probes off: an allowed module got $allowed, expected 0" \
		test "$allowed" = 0
	check "probes off: an allowed module did not load" \
		test "$allowed_loaded" = 1
	check "probes off: the allowed module's init line is not in the log" \
		test "$(dmesg_count "ikm_mark: init ran tag=$tag")" = 1
	# Armed again: a refused load is faked and recorded as before.
	run_rc 0 insmod $T/ikm_other.ko
	expect load finit_module false ikm_other block default 0 $T/ikm_other.ko
	check "probes on again: ikm_other loaded" not loaded ikm_other
fi
end

# --- sysfs: invalid writes change nothing; readers never see half ---
begin sysfs_hostile
kmods_load allowlist=ikm_mark denylist=ikm_other
good="ikm_mark"
check "empty write changed the list" sh -c \
	"printf '' > $KMODS_PARAMS/allowlist; test \"\$(cat $KMODS_PARAMS/allowlist)\" = $good"
for bad in "ikm_mark.ko" "/lib/ikm_mark" "$(printf 'caf\303\251')" \
	"$(seq -s, 1 1000),x.ko" "+$(seq -s, 1 900),a b" \
	"$(printf 'n%.0s' $(seq 1 4096))" "$(seq -s, 1 10000)"; do
	if set_param allowlist "$bad"; then
		fail "accepted '$(echo "$bad" | cut -c1-40)...'"
	fi
	check "list changed by a refused write" test "$(param allowlist)" = "$good"
done
# 64 KiB in one write: sysfs passes only its first page, which
# igloo_kmods refuses whole (E2BIG), as it does any write of a page.
check "64 KiB write accepted" not sh -c \
	"head -c 65536 /dev/zero | tr '\\0' a > $KMODS_PARAMS/allowlist"
check "list changed by a 64 KiB write" test "$(param allowlist)" = "$good"
check "only commas refused" set_param allowlist ",,,"
check "only commas is the empty list" test "$(param allowlist)" = ""
check "spaces and duplicates" set_param allowlist " a ,a, b,a-b,a_b "
# Only byte-identical repeats are dropped: a-b and a_b are two entries
# (an entry with '-' admits its '_' spelling, not the other way round).
check "duplicates kept once" test "$(param allowlist)" = "a,b,a-b,a_b"
# Two writers and a reader: every read is one whole list or the other.
A=$(seq -s, 1 60 | sed 's/[0-9]*/a&/g')
B=$(seq -s, 1 60 | sed 's/[0-9]*/b&/g')
rm -f /tmp/sysfs.stop /tmp/sysfs.a /tmp/sysfs.b
(echo "$A" > $KMODS_PARAMS/allowlist; : > /tmp/sysfs.a
 while [ ! -e /tmp/sysfs.stop ]; do echo "$A" > $KMODS_PARAMS/allowlist; done) &
w1=$!
(echo "$B" > $KMODS_PARAMS/allowlist; : > /tmp/sysfs.b
 while [ ! -e /tmp/sysfs.stop ]; do echo "$B" > $KMODS_PARAMS/allowlist; done) &
w2=$!
# Both writers must have written before the reads count: on 4.10 the
# reader once took all its reads before the second writer first ran.
until [ -e /tmp/sysfs.a ] && [ -e /tmp/sysfs.b ]; do sleep 0.1; done
# Every read is the list before the writers or one of theirs, never
# empty; and the reads must have seen both writers' lists, or there was
# no race to check.
# Read by the shell itself: a cat per read, against two writers that
# keep both CPUs busy, took 100 s on the debug kernels.
torn=0 seen_a=0 seen_b=0 reads=0
# Read at least laps*100 times, and on until both lists were seen (at
# most ten times that).
while [ $reads -lt $((laps * 100)) ] ||
	{ [ $((seen_a * seen_b)) = 0 ] && [ $reads -lt $((laps * 1000)) ]; }; do
	IFS= read -r v < $KMODS_PARAMS/allowlist || v=
	reads=$((reads + 1))
	if [ "$v" = "$A" ]; then
		seen_a=$((seen_a + 1))
	elif [ "$v" = "$B" ]; then
		seen_b=$((seen_b + 1))
	elif [ "$v" != "a,b,a-b,a_b" ]; then
		torn=$((torn + 1))
		[ $torn -gt 3 ] || echo "sysfs: torn read $reads: '$v'"
	fi
done
touch /tmp/sysfs.stop
wait $w1 $w2
echo "sysfs: $reads reads: $seen_a of list A, $seen_b of list B, $torn torn"
kmods_out "KMODS-TABLE|sysfs-torn|reads|$reads"
check "$torn torn or empty reads of the allowlist" test "$torn" = 0
check "reads never saw list A ($seen_a) and B ($seen_b): no race" \
	test "$seen_a" -gt 0 -a "$seen_b" -gt 0
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
	"$KMODS_CALL" --quiet --repeat $((laps * 100)) finit $T/ikm_other.ko &
	pids="$pids $!"
done
(i=0; while [ $i -lt 20 ]; do insmod $T/ikm_mark.ko; rmmod ikm_mark; i=$((i + 1)); done) &
pids="$pids $!"
(i=0; while [ $i -lt 100 ]; do echo "ikm_mark,x$i" > $KMODS_PARAMS/allowlist; i=$((i + 1)); done) &
pids="$pids $!"
# Not a bare wait: the guest collector runs in the background too.
wait $pids
made=$((3 * laps * 100 + 20))
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
# Loaded while a second thread, as soon as the parameter files exist and
# the module is still "coming" (its init running), sets the lock and then
# tries to change the allowlist. A lock set then must take igloo_kmods'
# reference, and bind every later write.
kmods_unload
out=$("$KMODS_CALL" lock-race "$KMODS_KO" "allowlist=ikm_mark n_subbufs=64" ikm_other 2>&1)
kmods_follow_start
echo "lock race: $out"
case $out in
*"ret=0 errno=0") ;;
*) fail "lock race: the load failed: $out" ;;
esac
coming=$(echo "$out" | sed -n 's/^coming=\([0-9]*\) .*/\1/p')
if [ "${coming:-0}" = 0 ] &&
   [ "$(cat /sys/devices/system/cpu/online)" = 0 ]; then
	# One CPU and an init that never sleeps: no other thread can run
	# while it is coming. The lock is set once it is live instead, and
	# the checks below hold for that lock.
	skip "lock race: one CPU, and no thread ran while igloo_kmods' init ran ($(echo "$out" | head -n 1))"
	check "lock race: lock=1 refused after the load" set_param lock 1
else
	check "lock race: no sysfs write while igloo_kmods was coming: no race ($out)" \
		test "${coming:-0}" -gt 0
	check "lock race: the lock was not set while coming ($out)" \
		test "$(echo "$out" | sed -n 's/.* lock=\([01]\) .*/\1/p')" = 1
	check "lock race: a list write was accepted after the lock ($out)" \
		test "$(echo "$out" | sed -n 's/.* list_ok=\([0-9]*\) .*/\1/p')" = 0
fi
check "lock race: lock is $(param lock)" test "$(param lock)" = Y
check "lock race: allowlist changed to '$(param allowlist)'" \
	test "$(param allowlist)" = ikm_mark
check "lock race: the lock took no reference (refcnt $(cat /sys/module/igloo_kmods/refcnt))" \
	test "$(cat /sys/module/igloo_kmods/refcnt)" -ge 1
kmods_out "KMODS-TABLE|lock-race|coming-writes|$coming"
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

# --- locked: delete_module names that cannot be read, forced unloads ---
# Runs after the lock scenario, with igloo_kmods locked.
locked_unload()
{
	begin locked_unload
	kmods_follow_start
	printf 'igloo_kmods\0' > /tmp/ikm-name
	# The name sits in a file page the caller mapped and never touched:
	# the probe cannot read it, the kernel would fault it in.
	call_is "ret=-1 errno=1" delete-mapped /tmp/ikm-name 'O_TRUNC|O_NONBLOCK'
	expect unload delete_module false igloo_kmods block locked -1 ""
	check "a forced unload of a mapped name unloaded igloo_kmods" \
		loaded igloo_kmods
	call_is "ret=-1 errno=1" delete igloo_kmods 'O_TRUNC|O_NONBLOCK'
	expect unload delete_module false igloo_kmods block locked -1 ""
	check "a forced unload unloaded igloo_kmods" loaded igloo_kmods
	# An unreadable name is refused as if it were igloo_kmods'.
	: > /tmp/ikm-empty
	call_is "ret=-1 errno=1" delete-mapped /tmp/ikm-empty O_NONBLOCK
	expect unload delete_module false "" block locked -1 ""
	# Another module's unload still works, forced or not.
	run_rc 0 insmod $T/ikm_mark.ko
	expect load finit_module false ikm_mark allow allowlist 0 $T/ikm_mark.ko
	call_is "ret=0 errno=0" delete ikm_mark 'O_TRUNC|O_NONBLOCK'
	check "ikm_mark still loaded" not loaded ikm_mark
	# Started mid-stream, this follower sees a gap before its first
	# record (exit 1); more is an error.
	kmods_follow_stop 1
	end
}

# --- unprivileged callers: bounded work and records, all counted ---
unprivileged_flood()
{
	begin unprivileged_flood
	kmods_follow_start
	a0=$(param attempts) r0=$(param records) d0=$(param dropped)
	t0=$(cut -d. -f1 /proc/uptime)
	"$KMODS_CALL" --uid 1000 --repeat 1000 finit $T/ikm_mark.ko | \
		grep -q '^calls=1000 ok=0 fail=1000' || \
		fail "unprivileged calls did not all fail"
	secs=$(($(cut -d. -f1 /proc/uptime) - t0))
	# At most 50 recorded attempts (2 records each) per 5 s begun.
	bound=$((100 * (secs / 5 + 2)))
	a=$(($(param attempts) - a0)) r=$(($(param records) - r0))
	d=$(($(param dropped) - d0))
	echo "unprivileged_flood: 1000 attempts in ${secs}s, $r records, $d dropped"
	kmods_out "KMODS-TABLE|unprivileged-1000|records|$r"
	check "attempts counted: $a, expected 1000" test "$a" = 1000
	check "records + dropped = $((r + d)), expected 2000" \
		test $((r + d)) = 2000
	check "$r records for 1000 unprivileged attempts (bound $bound)" \
		test "$r" -le "$bound"
	# Each recorded attempt has its result record.
	kmods_out "KMODS-BULK|unprivileged_flood|$((r / 2))"
	# This follower saw drops (exit 1); more is an error.
	kmods_follow_stop 1
	end
}

locked_unload
unprivileged_flood

# --- debug kernels: no leak from any of the above ---
kmemleak_scenario

kmods_out "KMODS-DONE"
