# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2054 # QEMU's arguments have commas of their own
#
# Per-architecture support for the igloo_kmods tests, sourced by
# tests/lib.sh. One table (kmods_arch_info) says, for each architecture
# the tests know, which Debian kernel flavour it boots, how it cross-builds
# and how QEMU runs it; everything else asks the table.
#
# Variables:
#	KMODS_ARCH		architecture under test (x86_64 unless set; the
#				scripts' --arch option sets it)
#	KMODS_CROSS_ARCHES	the foreign architectures tested by tests/arch.sh
#	KMODS_SERIES		the kernel series under test, when it changes the
#				table (4.10 on arm64 and armel); set by
#				kmods_cross_kernel_info and tests/setup.sh
#
# Functions:
#	kmods_arch_info ARCH	sets the KA_* variables below; dies on an
#				unknown ARCH
#	kmods_arch_canon NAME	prints the table's name for NAME (aarch64 ->
#				arm64, arm -> armhf, mips -> mipsel ...)
#	kmods_cross_kernel_info SERIES
#				kmods_kernel_info for a foreign ARCH: sets
#				KFLAVOUR KABI KIMAGE KMODDIR KROOT KDIR plus
#				KSYSROOT (the target's busybox, kmod and their
#				libraries) and KDTB (device tree, or empty);
#				fetches on first use (tests/setup.sh --arch)
#	kmods_sysroot_copy_bin SYSROOT BIN DESTROOT DEST
#				copy the target binary SYSROOT/BIN to
#				DESTROOT/DEST plus the libraries it needs,
#				found in SYSROOT (no ldd: the binary is foreign)
#	kmods_qemu_args		fills the QEMU_ARGS array for boot.sh

KMODS_ARCH=${KMODS_ARCH:-x86_64}
KMODS_CROSS_ARCHES="arm64 armhf armel mipsel mips64el mipseb ppc64el i386"
# Built by tests/arch-build.sh: penguin's 6.13 architectures (each also
# boots: tests/arch.sh --arch ARCH --kernel 6.12).
KMODS_BUILDONLY_ARCHES="riscv64 powerpc powerpc64 mips64eb"

# kmods_arch_canon NAME: Debian and kernel spellings to the table's names.
kmods_arch_canon()
{
	case $1 in
	x86_64|amd64|x86|"") echo x86_64 ;;
	i386|i686|686) echo i386 ;;
	arm64|aarch64) echo arm64 ;;
	armhf|arm|armmp) echo armhf ;;
	armel|rpi) echo armel ;;
	mipsel|mips) echo mipsel ;;
	mips64el|mips64) echo mips64el ;;
	ppc64el|ppc64le|powerpc64le) echo ppc64el ;;
	ppc|ppc32|powerpc32) echo powerpc ;;
	ppc64|ppc64be) echo powerpc64 ;;
	riscv) echo riscv64 ;;
	*) echo "$1" ;;
	esac
}

# kmods_arch_info ARCH: sets
#	KA_ARCH		the table's name
#	KA_DEB		Debian architecture
#	KA_FLAVOUR	Debian kernel flavour (linux-image-<flavour>)
#	KA_KARCH	the kernel's ARCH=
#	KA_CROSS	CROSS_COMPILE for Kbuild (empty: native)
#	KA_TRIPLET	the target's GNU triplet (multiarch library dir)
#	KA_CC		C compiler for the guest's static programs
#	KA_CC32		... for the 32-bit (compat) kmods-call32; empty when
#			the kernel runs no 32-bit user space
#	KA_HOST_PACKAGES	host Debian packages the above need
#	KA_QEMU		qemu-system-* binary
#	KA_MACHINE	array: machine and CPU arguments
#	KA_SMP_MAX	most CPUs the machine takes
#	KA_CONSOLE	the guest's console device
#	KA_APPEND	extra kernel command line
#	KA_CHANNELS	how the records and results leave the guest:
#			serial	 second and third serial port (ttyS1, ttyS2)
#			virtio	 virtio-serial ports kmods.raw, kmods.results
#			aux	 records on the second serial port (ttyS1, a
#				 sync line first), results on the console
#			hvc	 second and third spapr-vty (hvc1, hvc2)
#	KA_PRELOAD	kernel modules the guest's init loads first (the
#			channels' drivers)
#	KA_SELFBUILT	1: no Debian kernel or user space; the kernel is
#			tests/kernel/build.sh's flavour KA_FLAVOUR and
#			busybox is tests/cross/busybox.sh's
#	KA_SERIES	the kernel series tests/arch.sh uses by default
#	KA_KBUILT	1: the kernel is tests/kernel/build.sh's flavour
#			KA_FLAVOUR of series KMODS_SERIES, the user space
#			Debian's (the 6.1 fetch's sysroot): penguin's 4.10
#			on arm64, armel and mipsel
# shellcheck disable=SC2034 # the variables are for the caller
kmods_arch_info()
{
	KA_ARCH=$(kmods_arch_canon "$1")
	KA_CROSS='' KA_CC=cc KA_CC32='' KA_APPEND='' KA_PRELOAD='' KA_SELFBUILT=''
	KA_SERIES=6.1 KA_QEMU='' KA_MACHINE=() KA_CONSOLE='' KA_KBUILT=''
	KA_SMP_MAX=64 KA_CHANNELS=serial KA_HOST_PACKAGES=''
	case $KA_ARCH in
	x86_64)
		KA_DEB=amd64 KA_FLAVOUR=amd64 KA_KARCH=x86
		KA_CC32="cc -m32"
		KA_QEMU=qemu-system-x86_64
		KA_MACHINE=(-M pc -cpu max)
		KA_CONSOLE=ttyS0 ;;
	arm64)
		KA_DEB=arm64 KA_FLAVOUR=arm64 KA_KARCH=arm64
		KA_CROSS=aarch64-linux-gnu-
		KA_CC=aarch64-linux-gnu-gcc-12
		# AArch32 user space on the 64-bit kernel (CONFIG_COMPAT).
		KA_CC32=arm-linux-gnueabihf-gcc-12
		KA_HOST_PACKAGES="gcc-12-aarch64-linux-gnu libc6-dev-arm64-cross
			gcc-12-arm-linux-gnueabihf libc6-dev-armhf-cross
			qemu-system-arm"
		KA_QEMU=qemu-system-aarch64
		KA_MACHINE=(-M virt -cpu cortex-a57)
		KA_CONSOLE=ttyAMA0
		KA_CHANNELS=virtio
		KA_PRELOAD="virtio_mmio virtio_console" ;;
	armhf)
		KA_DEB=armhf KA_FLAVOUR=armmp KA_KARCH=arm
		KA_CROSS=arm-linux-gnueabihf-
		KA_CC=arm-linux-gnueabihf-gcc-12
		KA_HOST_PACKAGES="gcc-12-arm-linux-gnueabihf libc6-dev-armhf-cross
			qemu-system-arm"
		KA_QEMU=qemu-system-arm
		KA_MACHINE=(-M virt,highmem=off -cpu cortex-a15)
		KA_CONSOLE=ttyAMA0
		KA_CHANNELS=virtio
		KA_PRELOAD="virtio_mmio virtio_console" ;;
	armel)
		KA_DEB=armel KA_FLAVOUR=rpi KA_KARCH=arm
		KA_CROSS=arm-linux-gnueabi-
		KA_CC=arm-linux-gnueabi-gcc-12
		# fdtput enables the mini UART in the device tree.
		KA_HOST_PACKAGES="gcc-12-arm-linux-gnueabi libc6-dev-armel-cross
			qemu-system-arm device-tree-compiler"
		KA_QEMU=qemu-system-arm
		# raspi0 has 512 MB and one CPU, no virtio: its two UARTs are
		# the PL011 (console) and the mini UART (records).
		KA_MACHINE=(-M raspi0)
		KA_SMP_MAX=1
		KA_CONSOLE=ttyAMA0
		KA_APPEND="initcall_blacklist=bcm2835_power_driver_init"
		KA_CHANNELS=aux ;;
	mipsel)
		KA_DEB=mipsel KA_FLAVOUR=4kc-malta KA_KARCH=mips
		KA_CROSS=mipsel-linux-gnu-
		KA_CC=mipsel-linux-gnu-gcc-12
		KA_HOST_PACKAGES="gcc-12-mipsel-linux-gnu libc6-dev-mipsel-cross
			qemu-system-mips"
		KA_QEMU=qemu-system-mipsel
		KA_MACHINE=(-M malta -cpu 24Kf)
		KA_SMP_MAX=1
		KA_CONSOLE=ttyS0 ;;
	mips64el)
		KA_DEB=mips64el KA_FLAVOUR=5kc-malta KA_KARCH=mips
		KA_CROSS=mips64el-linux-gnuabi64-
		KA_CC=mips64el-linux-gnuabi64-gcc-12
		# o32 user space on the 64-bit kernel (CONFIG_MIPS32_O32).
		KA_CC32=mipsel-linux-gnu-gcc-12
		KA_HOST_PACKAGES="gcc-12-mips64el-linux-gnuabi64
			libc6-dev-mips64el-cross gcc-12-mipsel-linux-gnu
			libc6-dev-mipsel-cross qemu-system-mips"
		KA_QEMU=qemu-system-mips64el
		KA_MACHINE=(-M malta -cpu 5KEf)
		KA_SMP_MAX=1
		KA_CONSOLE=ttyS0 ;;
	ppc64el)
		KA_DEB=ppc64el KA_FLAVOUR=powerpc64le KA_KARCH=powerpc
		KA_CROSS=powerpc64le-linux-gnu-
		KA_CC=powerpc64le-linux-gnu-gcc-12
		KA_HOST_PACKAGES="gcc-12-powerpc64le-linux-gnu
			libc6-dev-ppc64el-cross qemu-system-ppc"
		KA_QEMU=qemu-system-ppc64
		KA_MACHINE=(-M pseries -cpu power9)
		KA_CONSOLE=hvc0
		KA_CHANNELS=hvc ;;
	mipseb)
		# Big-endian MIPS32r2, which Debian does not ship: the kernel
		# is built here (tests/kernel/build.sh SERIES mipseb) and so
		# is busybox (tests/cross/busybox.sh); no kmod.
		KA_DEB='' KA_FLAVOUR=mipseb KA_KARCH=mips
		KA_SELFBUILT=1
		KA_CROSS=mips-linux-gnu-
		KA_CC=mips-linux-gnu-gcc-12
		KA_HOST_PACKAGES="gcc-12-mips-linux-gnu libc6-dev-mips-cross
			qemu-system-mips patch"
		KA_QEMU=qemu-system-mips
		KA_MACHINE=(-M malta -cpu 24Kf)
		KA_SMP_MAX=1
		KA_CONSOLE=ttyS0 ;;
	riscv64)
		# penguin's 6.13 riscv64, which Debian 12 does not ship: a
		# 6.12 kernel built here (tests/kernel/build.sh 6.12 riscv64)
		# and busybox (tests/cross/busybox.sh), on QEMU's virt under
		# its OpenSBI (-bios default). One UART: virtio channels,
		# their drivers built in.
		KA_DEB='' KA_FLAVOUR=riscv64 KA_KARCH=riscv
		KA_SELFBUILT=1 KA_SERIES=6.12
		KA_CROSS=riscv64-linux-gnu-
		KA_CC=riscv64-linux-gnu-gcc-12
		KA_HOST_PACKAGES="gcc-12-riscv64-linux-gnu
			libc6-dev-riscv64-cross qemu-system-misc patch"
		KA_QEMU=qemu-system-riscv64
		KA_MACHINE=(-M virt -bios default)
		KA_CONSOLE=ttyS0
		KA_CHANNELS=virtio ;;
	mips64eb)
		# Big-endian MIPS64r2 (penguin's 6.13 mips64eb), as mipseb: the
		# kernel (tests/kernel/build.sh 6.12 mips64eb) and a static
		# n64 busybox are built here; o32 programs run too.
		KA_DEB='' KA_FLAVOUR=mips64eb KA_KARCH=mips
		KA_SELFBUILT=1 KA_SERIES=6.12
		KA_CROSS=mips64-linux-gnuabi64-
		KA_CC=mips64-linux-gnuabi64-gcc-12
		KA_CC32=mips-linux-gnu-gcc-12
		KA_HOST_PACKAGES="gcc-12-mips64-linux-gnuabi64
			libc6-dev-mips64-cross gcc-12-mips-linux-gnu
			libc6-dev-mips-cross qemu-system-mips patch"
		KA_QEMU=qemu-system-mips64
		KA_MACHINE=(-M malta -cpu 5KEf)
		KA_SMP_MAX=1
		KA_CONSOLE=ttyS0 ;;
	powerpc)
		# penguin's 6.13 powerpc (32-bit big-endian e500), which
		# Debian 12 does not ship: as riscv64, on QEMU's ppce500
		# (-cpu e500mc: Debian's gcc builds busybox with classic FPU
		# instructions, which ppce500's default e500v2 lacks). Its
		# two UARTs: the console (with the results) and the records.
		KA_DEB='' KA_FLAVOUR=powerpc KA_KARCH=powerpc
		KA_SELFBUILT=1 KA_SERIES=6.12
		KA_CROSS=powerpc-linux-gnu-
		KA_CC=powerpc-linux-gnu-gcc-12
		KA_HOST_PACKAGES="gcc-12-powerpc-linux-gnu
			libc6-dev-powerpc-cross qemu-system-ppc patch"
		KA_QEMU=qemu-system-ppc
		KA_MACHINE=(-M ppce500 -cpu e500mc)
		KA_CONSOLE=ttyS0
		KA_CHANNELS=aux ;;
	powerpc64)
		# penguin's 6.13 powerpc64 (big-endian; ELFv2, as 6.5 on
		# make it by default), which Debian 12 does not ship: as
		# riscv64, on QEMU's pseries, whose spapr-vty are the console
		# and the channels, as ppc64el's. busybox is built with
		# Debian's ppc64 cross compiler (an ELFv1 user space, which
		# the kernel runs whatever its own ABI).
		KA_DEB='' KA_FLAVOUR=powerpc64 KA_KARCH=powerpc
		KA_SELFBUILT=1 KA_SERIES=6.12
		KA_CROSS=powerpc64-linux-gnu-
		KA_CC=powerpc64-linux-gnu-gcc-12
		KA_HOST_PACKAGES="gcc-12-powerpc64-linux-gnu
			libc6-dev-ppc64-cross qemu-system-ppc patch"
		KA_QEMU=qemu-system-ppc64
		KA_MACHINE=(-M pseries -cpu power9)
		KA_CONSOLE=hvc0
		KA_CHANNELS=hvc ;;
	i386)
		# 32-bit x86 (Debian's 686 flavour): the host's gcc-12 -m32
		# builds the kernel side (its headers set ARCH=x86) and, with
		# gcc-12-multilib, the static programs.
		KA_DEB=i386 KA_FLAVOUR=686 KA_KARCH=x86
		KA_CC="cc -m32 -idirafter /usr/include/x86_64-linux-gnu"
		KA_HOST_PACKAGES="gcc-12-multilib qemu-system-x86"
		KA_QEMU=qemu-system-i386
		# -cpu max is an AMD CPU here, which 6.1 refuses for SMP.
		KA_MACHINE=(-M pc -cpu qemu32)
		KA_CONSOLE=ttyS0 ;;
	*)
		kmods_die "unknown architecture '$1' (known: x86_64 $KMODS_CROSS_ARCHES $KMODS_BUILDONLY_ARCHES)" ;;
	esac
	# penguin's 4.10 on arm64 and armel (tests/kernel/build.sh 4.10
	# arm64|armel): QEMU's virt machine, whose virtio-mmio transports
	# and virtio console are built into the kernel; Debian's user space.
	case $KA_ARCH/${KMODS_SERIES:-} in
	arm64/4.10|armel/4.10)
		KA_FLAVOUR=$KA_ARCH KA_KBUILT=1 KA_SMP_MAX=64 KA_APPEND=''
		KA_CONSOLE=ttyAMA0 KA_CHANNELS=virtio KA_PRELOAD=''
		[ "$KA_ARCH" = arm64 ] || \
			KA_MACHINE=(-M virt,highmem=off -cpu cortex-a15) ;;
	# ... and on mipsel (tests/kernel/build.sh 4.10 mipsel): the same
	# malta as Debian's 4kc-malta, built with patches-4.10/mipsel/.
	mipsel/4.10)
		KA_FLAVOUR=mipsel KA_KBUILT=1 ;;
	esac
	KA_TRIPLET=${KA_CROSS%-}
	[ "$KA_ARCH" != i386 ] || KA_TRIPLET=i386-linux-gnu
	KA_TRIPLET=${KA_TRIPLET:-x86_64-linux-gnu}
}

# kmods_arch_suffix: "" for x86_64, "-<arch>" otherwise (build dirs of
# user-space programs, which carry no kernel ABI in their names).
kmods_arch_suffix()
{
	[ "$KMODS_ARCH" = x86_64 ] || printf -- '-%s' "$KMODS_ARCH"
}

# kmods_kmake: the make arguments that cross-build against the current
# architecture's headers, in the KMODS_KMAKE array (empty for x86_64).
# shellcheck disable=SC2034 # for the caller
kmods_kmake()
{
	KMODS_KMAKE=()
	kmods_arch_info "$KMODS_ARCH"
	[ -z "$KA_CROSS" ] || KMODS_KMAKE=(ARCH="$KA_KARCH" CROSS_COMPILE="$KA_CROSS")
	# Debian's headers name their compiler (<triplet>-gcc-12); a kernel
	# built here (tests/kernel/build.sh) does not.
	[ -z "$KA_SELFBUILT$KA_KBUILT" ] || KMODS_KMAKE+=(CC="${KA_CROSS}gcc-12")
}

# kmods_cross_kernel_info SERIES: see the top of this file.
# shellcheck disable=SC2034
kmods_cross_kernel_info()
{
	local series=$1 env tries

	KMODS_SERIES=$series
	kmods_arch_info "$KMODS_ARCH"
	if [ -n "$KA_SELFBUILT" ]; then
		kmods_selfbuilt_kernel_info "$series"
		return
	fi
	if [ -n "$KA_KBUILT" ]; then
		kmods_kbuilt_kernel_info "$series"
		return
	fi
	env=$KMODS_CACHE/cross/$KA_ARCH/$series.env
	for tries in 1 2; do
		if [ -r "$env" ]; then
			KABI='' KIMAGE='' KMODDIR='' KROOT='' KDIR='' KSYSROOT='' KDTB=''
			# shellcheck disable=SC1090
			. "$env"
			if [ -n "$KABI" ] && [ -f "$KIMAGE" ] && \
			   [ -f "$KMODDIR/modules.dep" ] && [ -f "$KDIR/Makefile" ] && \
			   [ -x "$KSYSROOT/bin/busybox" ] && \
			   { [ -z "$KDTB" ] || [ -f "$KDTB" ]; }; then
				KFLAVOUR=$series
				return 0
			fi
		fi
		[ "$tries" = 1 ] || break
		"$KMODS_TESTS/setup.sh" --arch "$KA_ARCH" --series "$series" \
			--cross-only >&2 || \
			kmods_die "tests/setup.sh --arch $KA_ARCH failed"
	done
	kmods_die "$KA_ARCH kernel $series not available after tests/setup.sh --arch $KA_ARCH"
}

# kmods_selfbuilt_kernel_info SERIES: kmods_cross_kernel_info for an
# architecture Debian does not ship (KA_SELFBUILT): builds the kernel
# (kmods_built_kernel_info) and busybox (tests/cross/busybox.sh, whose
# sysroot holds bin/busybox alone) on first use.
# shellcheck disable=SC2034
kmods_selfbuilt_kernel_info()
{
	local series=$1 bb

	if [ -n "$(kmods_missing_packages $KA_HOST_PACKAGES)" ]; then
		"$KMODS_TESTS/setup.sh" --arch "$KA_ARCH" --series "$series" \
			--cross-only >&2 || \
			kmods_die "tests/setup.sh --arch $KA_ARCH failed"
	fi
	kmods_built_kernel_info "$series" "$KA_FLAVOUR"
	bb=$("$KMODS_TESTS/cross/busybox.sh" "$KA_ARCH") || \
		kmods_die "tests/cross/busybox.sh $KA_ARCH failed"
	KFLAVOUR=$series
	KSYSROOT=${bb%/bin/busybox}
	KDTB=''
}

# kmods_kbuilt_kernel_info SERIES: kmods_cross_kernel_info for KA_KBUILT:
# the kernel tests/kernel/build.sh builds (once; cached), the user space
# (KSYSROOT) Debian's, from the 6.1 fetch (tests/cross/fetch.sh ARCH 6.1
# on first use). No device tree: QEMU's virt makes its own.
# shellcheck disable=SC2034
kmods_kbuilt_kernel_info()
{
	local series=$1 env sysroot

	env=$KMODS_CACHE/cross/$KA_ARCH/6.1.env
	if [ ! -r "$env" ]; then
		"$KMODS_TESTS/cross/fetch.sh" "$KA_ARCH" 6.1 >&2 || \
			kmods_die "tests/cross/fetch.sh $KA_ARCH 6.1 failed"
	fi
	sysroot=$(sed -n 's/^KSYSROOT=//p' "$env")
	[ -x "$sysroot/bin/busybox" ] || \
		kmods_die "no $KA_ARCH busybox in '$sysroot' (from $env)"
	kmods_built_kernel_info "$series" "$KA_FLAVOUR"
	KFLAVOUR=$series
	KSYSROOT=$sysroot
	KDTB=''
}

# kmods_sysroot_resolve SYSROOT PATH: print the file PATH names inside
# SYSROOT, following symbolic links (absolute ones relative to SYSROOT).
kmods_sysroot_resolve()
{
	local root=$1 p=$2 t n=0

	while [ -L "$root$p" ]; do
		t=$(readlink "$root$p")
		case $t in
		/*) p=$t ;;
		*) p=$(dirname "$p")/$t ;;
		esac
		n=$((n + 1))
		[ "$n" -lt 20 ] || return 1
	done
	[ -e "$root$p" ] || return 1
	printf '%s\n' "$p"
}

# kmods_sysroot_copy_bin SYSROOT BIN DESTROOT DEST: see above. Libraries
# keep the path the program interpreter looks them up at (the directories
# of the target's ld.so configuration are searched in order).
kmods_sysroot_copy_bin()
{
	local root=$1 bin=$2 dest=$3 dpath=$4 todo lib dir f real interp
	local -A seen=()
	local dirs="/lib/${KA_TRIPLET:-} /usr/lib/${KA_TRIPLET:-} /lib /usr/lib /lib64 /usr/lib64"

	real=$(kmods_sysroot_resolve "$root" "$bin") || \
		kmods_die "$root$bin: no such file"
	mkdir -p "$dest$(dirname "$dpath")"
	cp "$root$real" "$dest$dpath"
	chmod 755 "$dest$dpath"
	interp=$(readelf -lW "$root$real" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	[ -n "$interp" ] || return 0
	todo="$interp $(readelf -dW "$root$real" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
	while [ -n "${todo// /}" ]; do
		lib=${todo%% *}
		todo=${todo#"$lib"}
		todo=${todo# }
		[ -n "$lib" ] && [ -z "${seen[$lib]:-}" ] || continue
		seen[$lib]=1
		f=''
		case $lib in
		/*) f=$lib ;;
		*)
			for dir in $dirs; do
				if [ -e "$root$dir/$lib" ]; then
					f=$dir/$lib
					break
				fi
			done ;;
		esac
		[ -n "$f" ] || kmods_die "$bin needs $lib, not found in $root"
		real=$(kmods_sysroot_resolve "$root" "$f") || \
			kmods_die "$root$f: dangling link"
		if [ ! -e "$dest$f" ]; then
			mkdir -p "$dest$(dirname "$f")"
			cp "$root$real" "$dest$f"
		fi
		todo="$todo $(readelf -dW "$root$real" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
	done
}

# kmods_qemu_args: fill QEMU (the binary) and QEMU_ARGS for the current
# architecture from boot.sh's variables: smp mem initrd cmdline log raw
# results (results may be empty) and KIMAGE / KDTB.
# shellcheck disable=SC2034,SC2154 # boot.sh's variables
kmods_qemu_args()
{
	local n

	kmods_arch_info "$KMODS_ARCH"
	QEMU=$(command -v "$KA_QEMU") || \
		kmods_die "$KA_QEMU missing (tests/setup.sh --arch $KA_ARCH)"
	n=$smp
	[ "$n" -le "$KA_SMP_MAX" ] || n=$KA_SMP_MAX
	cmdline="console=$KA_CONSOLE,115200 ${cmdline}${KA_APPEND:+ $KA_APPEND}"
	# KMODS_QEMU_MACHINE replaces the table's machine and CPU (trials).
	[ -z "${KMODS_QEMU_MACHINE:-}" ] || read -r -a KA_MACHINE <<<"$KMODS_QEMU_MACHINE"
	QEMU_ARGS=(
		-accel tcg "${KA_MACHINE[@]}" -smp "$n" -m "$mem"
		-nodefaults -nographic -monitor none -no-reboot
		-kernel "$KIMAGE" -initrd "$initrd" -append "$cmdline"
	)
	[ -z "${KDTB:-}" ] || QEMU_ARGS+=(-dtb "$KDTB")
	QEMU_ARGS+=(-chardev "file,id=con,path=$log" -serial chardev:con)
	case $KA_CHANNELS in
	serial)
		QEMU_ARGS+=(-chardev "file,id=raw,path=$raw" -serial chardev:raw)
		[ -z "$results" ] || QEMU_ARGS+=(-serial "file:$results") ;;
	aux)
		QEMU_ARGS+=(-chardev "file,id=raw,path=$raw" -serial chardev:raw) ;;
	hvc)
		# pseries: each -serial is a spapr-vty, the guest's hvc<n>.
		QEMU_ARGS+=(-chardev "file,id=raw,path=$raw" -serial chardev:raw)
		QEMU_ARGS+=(-chardev "file,id=res,path=${results:-/dev/null}"
			-serial chardev:res) ;;
	virtio)
		QEMU_ARGS+=(-device virtio-serial-device
			-chardev "file,id=raw,path=$raw"
			-device virtserialport,chardev=raw,name=kmods.raw)
		[ -z "$results" ] || QEMU_ARGS+=(
			-chardev "file,id=res,path=$results"
			-device virtserialport,chardev=res,name=kmods.results) ;;
	esac
}

# kmods_guest_env: the guest's /etc/kmods-arch.env (sourced by
# tests/guest/init.sh): where records and results go, what to load first,
# whether 32-bit programs run.
kmods_guest_env()
{
	kmods_arch_info "$KMODS_ARCH"
	echo "KMODS_ARCH=$KA_ARCH"
	echo "KMODS_HAVE_COMPAT=$([ -n "$KA_CC32" ] && echo 1 || echo 0)"
	echo "KMODS_PRELOAD='$KA_PRELOAD'"
	case $KA_CHANNELS in
	serial)
		echo "KMODS_RAW_CHANNEL=/dev/ttyS1"
		echo "KMODS_RESULTS_CHANNEL=/dev/ttyS2" ;;
	virtio)
		echo "KMODS_RAW_CHANNEL=virtio:kmods.raw"
		echo "KMODS_RESULTS_CHANNEL=virtio:kmods.results" ;;
	hvc)
		echo "KMODS_RAW_CHANNEL=/dev/hvc1"
		echo "KMODS_RESULTS_CHANNEL=/dev/hvc2" ;;
	aux)
		echo "KMODS_RAW_CHANNEL=/dev/ttyS1"
		echo "KMODS_RAW_SYNC=1"
		echo "KMODS_RESULTS_CHANNEL=console" ;;
	esac
}

# The guest's init (tests/guest/init.sh) prints a results file kept in the
# guest, when the results channel is the console, as lines with this
# prefix; with KMODS_RAW_SYNC it writes this line on the raw channel first.
KMODS_CONSOLE_RESULT_PREFIX='KMODS-R: '
KMODS_RAW_SYNC_LINE='KMODS-RAW-SYNC'

# kmods_channels_finish: after QEMU exits, boot.sh's log, raw and results:
# "aux" (armel) gets its results from the console and drops what the
# UART sent before the guest's sync line (the driver's start-up bytes).
kmods_channels_finish()
{
	kmods_arch_info "$KMODS_ARCH"
	[ "$KA_CHANNELS" = aux ] || return 0
	if [ -n "$results" ]; then
		tr -d '\r' <"$log" | \
			sed -n "s/^$KMODS_CONSOLE_RESULT_PREFIX//p" >"$results"
	fi
	python3 - "$raw" "$KMODS_RAW_SYNC_LINE" <<'EOF'
import sys
path, sync = sys.argv[1], sys.argv[2].encode() + b"\n"
data = open(path, "rb").read()
at = data.find(sync)
if at >= 0:
    if at:
        sys.stderr.write("boot.sh: dropped %d bytes before the raw channel's "
                         "sync line: %r\n" % (at, data[:at][:32]))
    open(path, "wb").write(data[at + len(sync):])
EOF
}
