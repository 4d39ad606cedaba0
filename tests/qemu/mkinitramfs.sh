#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/qemu/mkinitramfs.sh --kernel FLAVOUR --out FILE.cpio.gz --init SCRIPT
#	[--add SRC:DEST]... [--add-bin BIN[:DEST]]... [--kmod NAME]...
#	[--no-default-kmods]
#
# Builds a gzip'ed newc initramfs for the stock Debian kernel FLAVOUR
# ("6.1" or "6.12", see tests/setup.sh) containing:
#	/bin/busybox + a symlink in /bin for every applet except the module
#	    tools (busybox-static from the host)
#	/sbin/kmod + symlinks modprobe insmod rmmod lsmod depmod modinfo,
#	    with kmod's shared libraries and the loader
#	/lib/modules/<abi>/: the kernel's own modules named with --kmod (and
#	    their dependencies; default: dummy), modules.order/.builtin*
#	    from the package, and the indexes depmod -b generates after the
#	    --add files are in place (so modules added under
#	    /lib/modules/<abi>/ are indexed too)
#	/dev/console /dev/null nodes, /proc /sys /tmp /dev /mnt /run dirs
#	/etc/passwd, /etc/group (root, nobody), /etc/kmods-kernel
#	    ("<flavour> <abi>")
#	/etc/kmods-arch.env: the architecture's record and result channels,
#	    the modules to load first, KMODS_HAVE_COMPAT (tests/cross/lib.sh,
#	    kmods_guest_env; sourced by tests/guest/init.sh)
#	/etc/kmods-env.sh: to be sourced by /init: sets PATH and defines
#	    modprobe/insmod/... shell functions calling /sbin/<tool>; needed
#	    because Debian's busybox-static runs its own applets in
#	    preference to anything on PATH (FEATURE_SH_STANDALONE +
#	    FEATURE_PREFER_APPLETS).  Scripts can also call /sbin/modprobe.
#	SRC:DEST	copies file or directory SRC to DEST in the image (a
#			DEST ending in / means "into that directory")
#	--add-bin	copies a dynamic binary with its libs (copy_bin_with_libs)
#	SCRIPT		becomes /init (mode 755)
#
# Paths may be relative to the current directory.  Must run as root (it
# creates device nodes with mknod).  With KMODS_ARCH set to another
# architecture (tests/cross/lib.sh), busybox and kmod are the target's
# (tests/cross/fetch.sh unpacks them) and the channels' drivers
# (KA_PRELOAD) are added to the --kmod list.

set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

usage()
{
	sed -n '3,40s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

flavour='' out='' init=''
adds=() addbins=() kmods=() default_kmods=(dummy)
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) flavour=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--init) init=${2:?}; shift 2 ;;
	--add) adds+=("${2:?}"); shift 2 ;;
	--add-bin) addbins+=("${2:?}"); shift 2 ;;
	--kmod) kmods+=("${2:?}"); shift 2 ;;
	--no-default-kmods) default_kmods=(); shift ;;
	-h|--help) usage ;;
	*) kmods_warn "unknown argument '$1'"; usage ;;
	esac
done
[ -n "$flavour" ] && [ -n "$out" ] && [ -n "$init" ] || usage
[ -f "$init" ] || kmods_die "--init $init: no such file"
[ "$(id -u)" = 0 ] || kmods_die "must run as root (mknod)"

kmods_kernel_info "$flavour"
kmods_arch_info "$KMODS_ARCH"

mkdir -p "$KMODS_BUILD/tmp"
staging=$(mktemp -d "$KMODS_BUILD/tmp/initramfs.XXXXXX")
trap 'rm -rf "$staging"; rmdir "$KMODS_BUILD/tmp" 2>/dev/null || true' EXIT

S=$staging
M=$S/lib/modules/$KABI
mkdir -p "$S"/{bin,sbin,usr/bin,usr/sbin,proc,sys,tmp,dev,etc,mnt,run,root,lib64} "$M"
chmod 1777 "$S/tmp"

# --- busybox -----------------------------------------------------------------
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || kmods_die "$BUSYBOX missing (apt-get install busybox-static)"
file -L "$BUSYBOX" | grep 'statically linked' > /dev/null || \
	kmods_die "$BUSYBOX is not static (install busybox-static, not busybox)"
if [ "$KA_ARCH" = x86_64 ]; then
	cp "$BUSYBOX" "$S/bin/busybox"
else
	# The target's busybox-static (tests/cross/fetch.sh); the host's,
	# the same Debian package, lists the applets.
	cp "$KSYSROOT/bin/busybox" "$S/bin/busybox"
fi
KMOD_TOOLS="modprobe insmod rmmod lsmod depmod modinfo"
for applet in $("$BUSYBOX" --list); do
	case " busybox $KMOD_TOOLS " in
	*" $applet "*) continue ;;
	esac
	ln -s busybox "$S/bin/$applet"
done

# --- kmod --------------------------------------------------------------------
kmod=kmod
if [ "$KA_ARCH" = x86_64 ]; then
	KMOD=$(command -v kmod) || kmods_die "kmod not installed"
	copy_bin_with_libs "$KMOD" "$S" /sbin/kmod
elif [ -e "$KSYSROOT/bin/kmod" ]; then
	kmods_sysroot_copy_bin "$KSYSROOT" /bin/kmod "$S" /sbin/kmod
else
	# No kmod for this architecture (KA_SELFBUILT): busybox's applets.
	kmod=../bin/busybox
fi
for t in $KMOD_TOOLS; do
	ln -s "$kmod" "$S/sbin/$t"
done

# --- device nodes, etc ---------------------------------------------------------
mknod -m 600 "$S/dev/console" c 5 1
mknod -m 666 "$S/dev/null" c 1 3

cat >"$S/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$S/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo "$KFLAVOUR $KABI" >"$S/etc/kmods-kernel"
cat >"$S/etc/kmods-env.sh" <<'EOF'
# Sourced by /init.  Debian's busybox-static prefers its own applets to
# anything on PATH, so route the module tools to kmod explicitly.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
modprobe() { /sbin/modprobe "$@"; }
insmod() { /sbin/insmod "$@"; }
rmmod() { /sbin/rmmod "$@"; }
lsmod() { /sbin/lsmod "$@"; }
depmod() { /sbin/depmod "$@"; }
modinfo() { /sbin/modinfo "$@"; }
read -r KMODS_FLAVOUR KMODS_ABI </etc/kmods-kernel
export KMODS_FLAVOUR KMODS_ABI
EOF
# The architecture's channels and modules to load first (tests/cross/lib.sh).
kmods_guest_env >"$S/etc/kmods-arch.env"

# --- the kernel's own modules --------------------------------------------------
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$KMODDIR/$f" ] && cp "$KMODDIR/$f" "$M/"
done
# shellcheck disable=SC2086 # KA_PRELOAD: the channels' drivers
for name in "${default_kmods[@]}" ${kmods[@]+"${kmods[@]}"} $KA_PRELOAD; do
	deps=$(modprobe -d "$KROOT" -S "$KABI" --show-depends "$name" 2>&1) || \
		kmods_die "module '$name' not found for $KABI: $deps"
	while read -r kind path _; do
		[ "$kind" = insmod ] || continue
		rel=${path#"$KMODDIR"/}
		[ "$rel" != "$path" ] || kmods_die "unexpected module path $path"
		mkdir -p "$M/$(dirname "$rel")"
		cp "$path" "$M/$rel"
	done <<<"$deps"
done

# --- caller's files ------------------------------------------------------------
for spec in ${adds[@]+"${adds[@]}"}; do
	src=${spec%:*}
	dest=${spec##*:}
	[ "$src" != "$spec" ] && [ -n "$dest" ] || kmods_die "--add wants SRC:DEST, got '$spec'"
	[ -e "$src" ] || kmods_die "--add $spec: no such file: $src"
	dest=/${dest#/}
	case $dest in
	*/) mkdir -p "$S$dest" ;;
	*) mkdir -p "$S$(dirname "$dest")" ;;
	esac
	cp -a "$src" "$S$dest"
done
for spec in ${addbins[@]+"${addbins[@]}"}; do
	case $spec in
	*:*) copy_bin_with_libs "${spec%:*}" "$S" "/${spec##*:}" ;;
	*) copy_bin_with_libs "$spec" "$S" ;;
	esac
done

install -m 755 "$init" "$S/init"

depmod -b "$S" "$KABI" || kmods_die "depmod -b for $KABI failed"

# --- archive -----------------------------------------------------------------
mkdir -p "$(dirname "$out")"
(cd "$S" && find . -mindepth 1 -print0 | LC_ALL=C sort -z | \
	cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) | \
	gzip -1 -n >"$out.tmp"
mv "$out.tmp" "$out"
