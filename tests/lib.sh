# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the igloo_kmods test scripts.  Source it from bash:
#
#	. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"    (or ../lib.sh)
#
# It does not change shell options; callers use `set -euo pipefail`.
#
# Variables:
#	KMODS_REPO	repository root (computed from this file's location)
#	KMODS_TESTS	$KMODS_REPO/tests
#	KMODS_BUILD	build output directory ($KMODS_REPO/build unless set)
#	KMODS_CACHE	download cache ($IGLOO_KMODS_CACHE or ~/.cache/igloo_kmods)
#	KMODS_FLAVOURS	kernel flavours the tests know about ("6.1 6.12")
#
# Functions:
#	kmods_log MSG...		progress message on stderr
#	kmods_warn MSG...		warning on stderr
#	kmods_die MSG...		error on stderr, exit 1
#	kmods_kernel_info FLAVOUR	sets KFLAVOUR KABI KIMAGE KMODDIR KDIR KROOT
#	copy_bin_with_libs BIN ROOT [DEST]
#					copy a binary (to ROOT/DEST, default its
#					own path) plus the loader and libs ldd
#					reports, keeping their paths
#	kmods_build_prog		build tests/prog into $KMODS_BUILD/prog,
#					sets KMODS_PROG_DIR
#	kmods_build_test_modules FLAVOUR
#					build tests/modules for FLAVOUR into
#					$KMODS_BUILD/modules/<abi>, sets
#					KMODS_TESTMOD_DIR

KMODS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KMODS_TESTS=$KMODS_REPO/tests
KMODS_BUILD=${KMODS_BUILD:-$KMODS_REPO/build}
KMODS_CACHE=${IGLOO_KMODS_CACHE:-$HOME/.cache/igloo_kmods}
KMODS_FLAVOURS="6.1 6.12"
# KMODS_ARCH, KMODS_CROSS_ARCHES, kmods_arch_info ...: other architectures.
. "$KMODS_TESTS/cross/lib.sh"

kmods_log()
{
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

kmods_warn()
{
	printf '%s: warning: %s\n' "${0##*/}" "$*" >&2
}

kmods_die()
{
	printf '%s: error: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

# kmods_run_logged DESCRIPTION CMD...: run CMD with its output appended to
# $LOG (the caller's log file); on failure show the end of the log and die.
kmods_run_logged()
{
	local what=$1
	shift
	printf '\n### %s: %s\n' "$(date '+%F %T')" "$*" >>"$LOG"
	if ! "$@" >>"$LOG" 2>&1; then
		tail -n 25 "$LOG" >&2
		kmods_die "$what failed (command: $*; full log: $LOG)"
	fi
}

# kmods_console_verdict LABEL BOOT_RC OUT: the TAP line for a guest's
# console, from tests/qemu/boot.sh's exit status (it fails on any BUG:,
# WARNING:, Oops, Call Trace or KASAN line); with its errors on failure.
kmods_console_verdict()
{
	if [ "$2" = 0 ]; then
		echo "ok - $1 console has no BUG, WARNING, Oops, Call Trace or KASAN"
		return 0
	fi
	echo "not ok - $1 guest console (boot.sh exit $2, see $3/console.log)"
	sed 's/^/#   /' "$3/boot.err" | head -20
	return 1
}

kmods_need_root()
{
	[ "$(id -u)" = 0 ] || kmods_die "must run as root to $1 (or run tests/setup.sh once as root)"
}

# kmods_missing_packages PKG...: print those not fully installed (one
# dpkg-query call: tests/setup.sh runs it on every invocation).
kmods_missing_packages()
{
	local p st name
	local -A status=()

	while read -r name st; do
		status[$name]=$st
	done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true)
	for p in "$@"; do
		case ${status[$p]:-} in
		ii*) ;;
		*) echo "$p" ;;
		esac
	done
}

# kmods_python_with MODULE PACKAGE LOG: print a python3 that can import
# MODULE, installing the Debian PACKAGE first (as root; apt's output to
# LOG) when none can; print nothing when that fails.
kmods_python_with()
{
	local p

	for p in python3 /usr/bin/python3; do
		if command -v "$p" >/dev/null && "$p" -c "import $1" 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	(LOG=$3 kmods_apt_install "$2") >/dev/null 2>&1 || true
	if /usr/bin/python3 -c "import $1" 2>/dev/null; then
		echo /usr/bin/python3
	fi
}

# kmods_private_apt DIR: set the APT array to the apt-get options of a
# private apt state in DIR (sources in DIR/sources.list.d, lists, cache
# and an empty dpkg status of its own), so that the host's is untouched.
# shellcheck disable=SC2034 # for the caller
kmods_private_apt()
{
	APT=(
		-o "Dir::Etc::sourcelist=/dev/null"
		-o "Dir::Etc::sourceparts=$1/sources.list.d"
		-o "Dir::State::Lists=$1/lists"
		-o "Dir::State::status=$1/status"
		-o "Dir::Cache=$1/cache"
		-o "Acquire::Languages=none"
		-o "APT::Sandbox::User=root"
		-o "Debug::NoLocking=1"
	)
}

# Wait for another apt-get or dpkg (a second test run, say) rather than
# fail on its lock.
KMODS_APT_LOCK=(-o DPkg::Lock::Timeout=1200)

# kmods_apt_update: apt-get update, once per run, logged to $LOG.
KMODS_APT_UPDATED=0
kmods_apt_update()
{
	[ "$KMODS_APT_UPDATED" = 0 ] || return 0
	kmods_need_root "run apt-get update"
	kmods_log "apt-get update"
	kmods_run_logged "apt-get update" apt-get -q "${KMODS_APT_LOCK[@]}" update
	KMODS_APT_UPDATED=1
}

# kmods_apt_install PKG...: install from Debian's archive, logged to $LOG;
# when the lists are too old for it, update them once and try again.
kmods_apt_install()
{
	kmods_need_root "install packages"
	kmods_log "apt-get install $*"
	printf '\n### %s: apt-get install %s\n' "$(date '+%F %T')" "$*" >>"$LOG"
	DEBIAN_FRONTEND=noninteractive apt-get -q "${KMODS_APT_LOCK[@]}" install -y \
		--no-install-recommends "$@" >>"$LOG" 2>&1 && return 0
	kmods_apt_update
	DEBIAN_FRONTEND=noninteractive kmods_run_logged "apt-get install $*" \
		apt-get -q "${KMODS_APT_LOCK[@]}" install -y --no-install-recommends "$@"
}

# kmods_kernel_info FLAVOUR
#
# Looks FLAVOUR ("6.1" or "6.12") up in the list tests/setup.sh writes
# ($KMODS_CACHE/kernels.list) and sets:
#	KFLAVOUR	the flavour
#	KABI		kernel release, e.g. 6.1.0-56-amd64
#	KIMAGE		vmlinuz of the extracted linux-image package
#	KMODDIR		its lib/modules/<abi> directory (depmod'ed)
#	KROOT		root of the extracted package (for depmod -b/modprobe -d)
#	KDIR		headers build dir, /lib/modules/<abi>/build
# Runs tests/setup.sh first when the list is missing or stale.
# FLAVOUR "<version>-<kind>" (6.1-debug, 6.12-igloo...) is a kernel built
# by tests/kernel/build.sh <version> <kind> instead (built on first use).
# shellcheck disable=SC2034 # the variables are for the caller
# kmods_built_kernel_info VERSION KIND: build (once; cached) the kernel
# tests/kernel/build.sh makes of Debian's linux-source-VERSION with the
# fragments of KIND, and set KIMAGE (its boot image), KDIR (its build
# dir), KABI, KROOT and KMODDIR (its installed modules).
# shellcheck disable=SC2034 # the variables are for the caller
kmods_built_kernel_info()
{
	local out key val

	out=$("$KMODS_TESTS/kernel/build.sh" "$1" "$2") || \
		kmods_die "tests/kernel/build.sh $1 $2 failed"
	while IFS='=' read -r key val; do
		case $key in
		bzImage) KIMAGE=$val ;;
		build) KDIR=$val ;;
		release) KABI=$val ;;
		modroot) KROOT=$val ;;
		moddir) KMODDIR=$val ;;
		esac
	done <<<"$out"
}

kmods_kernel_info()
{
	local flavour=$1 list=$KMODS_CACHE/kernels.list tries f abi img mod kdir

	# Another architecture's Debian kernel (tests/cross/lib.sh).
	if [ "$KMODS_ARCH" != x86_64 ]; then
		kmods_cross_kernel_info "$flavour"
		return 0
	fi

	case $flavour in
	*-*)
		# "<version>-<kind>" (6.1-debug, 6.12-debug, 6.12-igloo): a
		# kernel tests/kernel/build.sh builds from Debian's
		# linux-source (once; cached). KIMAGE is its bzImage, KDIR
		# its build dir, KROOT/KMODDIR its installed modules.
		kmods_built_kernel_info "${flavour%%-*}" "${flavour#*-}"
		KFLAVOUR=$flavour
		return 0 ;;
	esac

	for tries in 1 2; do
		if [ -r "$list" ]; then
			while read -r f abi img mod kdir; do
				[ "$f" = "$flavour" ] || continue
				if [ -f "$img" ] && [ -d "$mod" ] && \
				   [ -f "$kdir/Makefile" ]; then
					KFLAVOUR=$f
					KABI=$abi
					KIMAGE=$img
					KMODDIR=$mod
					KROOT=${mod%/lib/modules/*}
					KDIR=$kdir
					return 0
				fi
			done <"$list"
		fi
		[ "$tries" = 1 ] || break
		case " $KMODS_FLAVOURS " in
		*" $flavour "*) ;;
		*) kmods_die "unknown kernel flavour '$flavour' (known: $KMODS_FLAVOURS)" ;;
		esac
		"$KMODS_TESTS/setup.sh" >&2 || kmods_die "tests/setup.sh failed"
	done
	kmods_die "kernel flavour '$flavour' not available after tests/setup.sh"
}

# copy_bin_with_libs BINARY DESTROOT [DESTPATH]
#
# Copies BINARY to DESTROOT/DESTPATH (default: DESTROOT/<path of BINARY>)
# and every shared library ldd lists, including the program interpreter,
# to the same absolute path under DESTROOT (symlinks are dereferenced).
# Static binaries are copied alone.
copy_bin_with_libs()
{
	local bin=$1 root=$2 dest=${3:-} line lib

	[ -f "$bin" ] || bin=$(command -v "$bin" 2>/dev/null) || true
	[ -n "$bin" ] && [ -f "$bin" ] || kmods_die "copy_bin_with_libs: no such binary: $1"
	[ -n "$dest" ] || dest=$bin
	mkdir -p "$root/$(dirname "$dest")"
	cp -L "$bin" "$root/$dest"
	chmod 755 "$root/$dest"

	# "not a dynamic executable" (exit 1) means static: nothing more.
	ldd "$bin" >/dev/null 2>&1 || return 0
	while read -r line; do
		lib=
		case $line in
		*"=> not found"*)
			kmods_die "copy_bin_with_libs: $bin: missing library: $line" ;;
		*"=> /"*)
			lib=${line#*=> }
			lib=${lib%% (*} ;;
		/*)
			lib=${line%% (*} ;;
		esac
		[ -n "$lib" ] || continue
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < <(ldd "$bin")
}

# kmods_build_prog: build tests/prog (kmods-call, kmods-call32) into
# $KMODS_BUILD/prog and set KMODS_PROG_DIR. Another KMODS_ARCH: into
# $KMODS_BUILD/prog-<arch>, with that architecture's compilers, and
# kmods-call32 only where its kernel runs 32-bit programs (KA_CC32).
kmods_build_prog()
{
	local args=()

	kmods_arch_info "$KMODS_ARCH"
	KMODS_PROG_DIR=$KMODS_BUILD/prog$(kmods_arch_suffix)
	mkdir -p "$KMODS_PROG_DIR"
	# Another architecture: its compilers; kmods-call32 only with a CC32.
	[ "$KA_ARCH" = x86_64 ] || args=("CC=$KA_CC" "CC32=$KA_CC32" "CFLAGS32=")
	# One build at a time (guests side by side share the directory).
	( flock 9
	  make -s -C "$KMODS_TESTS/prog" O="$KMODS_PROG_DIR" \
		${args[@]+"${args[@]}"} >&2
	) 9>"$KMODS_PROG_DIR/.lock" || \
		kmods_die "building tests/prog for $KMODS_ARCH failed"
}

# kmods_build_test_modules FLAVOUR: build tests/modules against FLAVOUR's
# headers.  Kbuild builds external modules in their source directory, so
# the sources are copied to $KMODS_BUILD/modules/<abi>/ and built there
# (the tree itself stays clean and both kernels can be built side by
# side).  Sets KMODS_TESTMOD_DIR to that directory (the .ko files are in
# it), plus everything kmods_kernel_info sets.
kmods_build_test_modules()
{
	local flavour=$1 f

	kmods_kernel_info "$flavour"
	KMODS_TESTMOD_DIR=$KMODS_BUILD/modules/$KABI
	mkdir -p "$KMODS_TESTMOD_DIR"
	for f in "$KMODS_TESTS"/modules/*; do
		[ -f "$f" ] || continue
		# Copy only when changed, so make's timestamps stay useful.
		cmp -s "$f" "$KMODS_TESTMOD_DIR/${f##*/}" || cp -p "$f" "$KMODS_TESTMOD_DIR/"
	done
	kmods_kmake
	make -s -C "$KMODS_TESTMOD_DIR" KDIR="$KDIR" \
		${KMODS_KMAKE[@]+"${KMODS_KMAKE[@]}"} >&2 || \
		kmods_die "building tests/modules for $KABI failed"
}

# kmods_build_module FLAVOUR [TRANSPORT [profile]]: build igloo_kmods.ko
# against FLAVOUR's headers in $KMODS_BUILD/kmods/<abi>[-<transport>]/ (a
# copy of the sources, as for the test modules) and set KMODS_KO to it.
# TRANSPORT "chardev" selects the /dev/igloo_kmods record stream
# (KMODS_TRANSPORT); "profile" builds with KMODS_PROFILE=1 (tests/bench.sh).
kmods_build_module()
{
	local flavour=$1 transport=${2:-} profile=${3:-} dir f

	kmods_kernel_info "$flavour"
	dir=$KMODS_BUILD/kmods/$KABI${transport:+-$transport}${profile:+-$profile}
	mkdir -p "$dir/include/uapi/linux"
	for f in "$KMODS_REPO"/Kbuild "$KMODS_REPO"/compat.mk \
		 "$KMODS_REPO"/*.[ch] "$KMODS_REPO"/include/uapi/linux/*.h; do
		# Not modpost's output of a build in the source tree (make
		# module): a stale symbol version table breaks the load.
		case $f in *.mod.c) continue ;; esac
		cmp -s "$f" "$dir/${f#"$KMODS_REPO"/}" || \
			cp -p "$f" "$dir/${f#"$KMODS_REPO"/}"
	done
	kmods_kmake
	make -s -C "$KDIR" M="$dir" KMODS_TRANSPORT="$transport" \
		KMODS_PROFILE="${profile:+1}" \
		${KMODS_KMAKE[@]+"${KMODS_KMAKE[@]}"} modules >&2 || \
		kmods_die "building igloo_kmods for $KABI failed"
	KMODS_KO=$dir/igloo_kmods.ko
}

# kmods_make_collector: `make` the host collector in collector/, one such
# build at a time (tests run side by side share it); the lock is
# $KMODS_BUILD/collector/.lock, which kmods_build_collector holds too.
kmods_make_collector_locked()
{
	make -s -C "$KMODS_REPO/collector" >&2
}
kmods_make_collector()
{
	mkdir -p "$KMODS_BUILD/collector"
	( flock 9; kmods_make_collector_locked ) \
		9>"$KMODS_BUILD/collector/.lock"
}

# kmods_build_collector: build the collector for the host and, static, for
# the guest; sets KMODS_COLLECT (host) and KMODS_COLLECT_STATIC.
kmods_build_collector()
{
	local dir=$KMODS_BUILD/collector static

	# The guest's copy is built for the architecture under test.
	kmods_arch_info "$KMODS_ARCH"
	static=static$(kmods_arch_suffix)
	mkdir -p "$dir/host" "$dir/$static"
	# Guests that run side by side (tests/run.sh, PAR=1) share these
	# files: one build at a time, and each file replaced whole, never
	# seen half written (or not yet executable) by another guest's
	# initramfs.
	# shellcheck disable=SC2086 # KA_CC may carry options
	( flock 9
	  kmods_make_collector_locked &&
	  cp -p "$KMODS_REPO/collector/igloo-kmods-collect" \
		"$dir/host/.igloo-kmods-collect.tmp" &&
	  mv -f "$dir/host/.igloo-kmods-collect.tmp" \
		"$dir/host/igloo-kmods-collect" &&
	  $KA_CC -std=gnu11 -O2 -Wall -Wextra -Werror -static \
		-I"$KMODS_REPO/include/uapi" \
		-o "$dir/$static/.igloo-kmods-collect.tmp" \
		"$KMODS_REPO/collector/igloo-kmods-collect.c" &&
	  mv -f "$dir/$static/.igloo-kmods-collect.tmp" \
		"$dir/$static/igloo-kmods-collect"
	) 9>"$dir/.lock" || \
		kmods_die "building the collector (static for $KMODS_ARCH) failed"
	KMODS_COLLECT=$dir/host/igloo-kmods-collect
	KMODS_COLLECT_STATIC=$dir/$static/igloo-kmods-collect
}
