#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/qemu/boot.sh [--arch ARCH] --kernel FLAVOUR --initrd FILE
#	--console LOG --serial2 RAWFILE [--results FILE]
#	[--append "extra cmdline"] [--timeout SEC]
#	[--mem MB] [--smp N] [--marker STRING] [--qemu-arg ARG]...
#
# Boots the stock Debian kernel FLAVOUR ("6.1" or "6.12", see
# tests/setup.sh) in QEMU (TCG only, never KVM) with the initramfs FILE.
# The guest's ttyS0 (its console) goes to LOG; the guest's ttyS1 goes,
# byte for byte, to RAWFILE (the guest must put ttyS1 in raw mode first,
# at least `stty -F /dev/ttyS1 -opost`; `raw -echo` is what the tests use).
#
# --arch	another architecture (tests/cross/lib.sh; default $KMODS_ARCH,
#		x86_64): its QEMU machine and console, and its channels for
#		RAWFILE and --results (see kmods_guest_env there)
# --results	the guest's third channel (x86_64: ttyS2) goes to FILE
# --timeout	seconds before QEMU is killed (default 300); exit status 124
# --marker	print on stderr how long after QEMU's start STRING first
#		appeared in LOG ("boot.sh: marker 'X' after 12.3 s")
# --qemu-arg	extra argument for QEMU (repeatable)
#
# Exit status: QEMU's (0 when the guest rebooted/powered off: -no-reboot;
# a kernel panic also reboots, with panic=-1), 124 on timeout, and 3 when
# QEMU exited 0 but LOG contains BUG:, WARNING:, Oops, Call Trace, KASAN
# or Kernel panic (the offending lines are printed on stderr in any case).

set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage()
{
	sed -n '3,27s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

flavour='' initrd='' log='' raw='' append='' timeout=300 mem=512 smp=2 marker=''
results=''
qemu_extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) flavour=${2:?}; shift 2 ;;
	--initrd) initrd=${2:?}; shift 2 ;;
	--console) log=${2:?}; shift 2 ;;
	--serial2) raw=${2:?}; shift 2 ;;
	--results) results=${2:?}; shift 2 ;;
	--arch) KMODS_ARCH=$(kmods_arch_canon "${2:?}"); shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--marker) marker=${2:?}; shift 2 ;;
	--qemu-arg) qemu_extra+=("${2?}"); shift 2 ;;
	-h|--help) usage ;;
	*) kmods_warn "unknown argument '$1'"; usage ;;
	esac
done
[ -n "$flavour" ] && [ -n "$initrd" ] && [ -n "$log" ] && [ -n "$raw" ] || usage
[ -f "$initrd" ] || kmods_die "--initrd $initrd: no such file"

kmods_kernel_info "$flavour"

# panic=-1: reboot at once on panic, which -no-reboot turns into QEMU
# exiting; oops=panic and panic_on_warn=1 make every oops and WARN fatal.
# kmods_qemu_args puts console=<the arch's console>,115200 first.
cmdline="loglevel=7 panic=-1 oops=panic panic_on_warn=1"
cmdline="$cmdline rdinit=/init${append:+ $append}"

mkdir -p "$(dirname "$log")" "$(dirname "$raw")"
: >"$log"
: >"$raw"
[ -z "$results" ] || : >"$results"

# x86_64: -M pc -cpu max, ttyS0 console, ttyS1 raw, ttyS2 results.
kmods_qemu_args
args=("${QEMU_ARGS[@]}" ${qemu_extra[@]+"${qemu_extra[@]}"})

start=$EPOCHREALTIME
watcher=
done_flag=$log.qemu-exited
rm -f "$done_flag"
if [ -n "$marker" ]; then
	# Poll LOG for the marker; after QEMU exits, look one last time.
	(
		while :; do
			last=0
			[ ! -e "$done_flag" ] || last=1
			if grep -qF -- "$marker" "$log" 2>/dev/null; then
				awk -v a="$start" -v b="$EPOCHREALTIME" -v m="$marker" \
					'BEGIN { printf "boot.sh: marker '\''%s'\'' after %.1f s\n", m, b - a }' >&2
				exit 0
			fi
			if [ "$last" = 1 ]; then
				echo "boot.sh: marker '$marker' not seen" >&2
				exit 0
			fi
			sleep 0.05
		done
	) &
	watcher=$!
fi

status=0
timeout -k 10 "$timeout" "$QEMU" "${args[@]}" </dev/null || status=$?
if [ -n "$watcher" ]; then
	touch "$done_flag"
	wait "$watcher" 2>/dev/null || true
	rm -f "$done_flag"
fi

# Channels that share the console or carry a preamble (armel).
kmods_channels_finish

if [ "$status" = 124 ]; then
	kmods_warn "timeout after ${timeout}s, QEMU killed (console log: $log)"
fi

bad=$(grep -naE 'BUG:|WARNING:|Oops|Call Trace|KASAN|Kernel panic' "$log" || true)
if [ -n "$bad" ]; then
	kmods_warn "kernel problems in $log:"
	printf '%s\n' "$bad" >&2
	[ "$status" != 0 ] || status=3
fi
exit "$status"
