#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/static-checks.sh: the static checks CI keeps clean, one TAP line
# each:
#	checkpatch.pl --strict on every kernel-side C file and header
#	checkpatch.pl --strict on the user-space C files, without the checks
#	    that only fit kernel code: kernel types and attribute macros
#	    (user space has neither), CamelCase (C library names such as
#	    PRIu64), volatile (the C way for a sig_atomic_t flag), typedefs,
#	    and argument reuse (ARRAY_SIZE-style table macros)
#	sparse (make C=2) on igloo_kmods against every test kernel
#	scripts/kernel-doc -none on the module's sources
# checkpatch and kernel-doc come from Debian's linux-source-6.1 tarball,
# unpacked once into the cache.

set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$KMODS_REPO"

tools=$KMODS_CACHE/kernel-scripts
tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
[ -n "$tarball" ] || kmods_die "linux-source-6.1 is not installed (tests/setup.sh)"
if [ ! -x "$tools/scripts/checkpatch.pl" ] || [ "$tarball" -nt "$tools/.stamp" ]; then
	rm -rf "$tools"
	mkdir -p "$tools"
	tar -xJf "$tarball" -C "$tools" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch \
		linux-source-6.1/scripts/kernel-doc
	touch "$tools/.stamp"
fi

kernel_src=(igloo_kmods.c policy.c record.c policy.h internal.h compat.h
	    include/uapi/linux/igloo_kmods.h tests/modules/*.c
	    tests/elf-image.h)
while IFS= read -r f; do kernel_src+=("$f"); done < \
	<(ls tests/kunit/*.c 2>/dev/null || true)
user_src=(collector/*.c collector/tests/*.c tests/prog/*.c)
while IFS= read -r f; do user_src+=("$f"); done < \
	<(ls tests/unit/*.c tests/fuzz/*.c 2>/dev/null || true)

failed=0
report()	# report STATUS-FILE DESCRIPTION
{
	if [ -s "$1" ]; then
		failed=1
		echo "not ok - $2"
		sed 's/^/#   /' "$1" | head -40
	else
		echo "ok - $2"
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

checkpatch()
{
	"$tools/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--codespell --codespellfile /usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt \
		--quiet "$@" 2>&1 | grep -v "^total:" || true
}

checkpatch -f "${kernel_src[@]}" > "$tmp/cp-kernel"
report "$tmp/cp-kernel" "checkpatch --strict: ${#kernel_src[@]} kernel files"
checkpatch --ignore PREFER_KERNEL_TYPES,CAMELCASE,NEW_TYPEDEFS,VOLATILE \
	--ignore PREFER_DEFINED_ATTRIBUTE_MACRO,MACRO_ARG_REUSE \
	-f "${user_src[@]}" > "$tmp/cp-user"
report "$tmp/cp-user" "checkpatch --strict: ${#user_src[@]} user-space files"

for flavour in $KMODS_FLAVOURS; do
	kmods_kernel_info "$flavour"
	dir=$KMODS_BUILD/sparse/$KABI
	rm -rf "$dir"
	mkdir -p "$dir/include/uapi/linux"
	cp Kbuild compat.mk ./*.[ch] "$dir/"
	cp include/uapi/linux/*.h "$dir/include/uapi/linux/"
	if make -s -C "$KDIR" M="$dir" C=2 modules > "$tmp/sparse.out" 2>&1; then
		grep -v -e "^Skipping BTF" -e "^  " "$tmp/sparse.out" > "$tmp/sparse" || true
	else
		cp "$tmp/sparse.out" "$tmp/sparse"
	fi
	report "$tmp/sparse" "sparse (make C=2) against $KABI"
done

"$tools/scripts/kernel-doc" -none igloo_kmods.c policy.c record.c policy.h \
	internal.h include/uapi/linux/igloo_kmods.h > "$tmp/kdoc" 2>&1 || true
report "$tmp/kdoc" "kernel-doc -none on the module's sources"

exit $failed
