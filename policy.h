/* SPDX-License-Identifier: GPL-2.0 */
/*
 * igloo_kmods pure logic: module names, policy lists, the decision and the
 * ELF module-name reader. Nothing here hooks, allocates, sleeps or touches
 * global state, so the same code builds into the module, the KUnit suite
 * and the user-space fuzzers.
 */
#ifndef _IGLOO_KMODS_POLICY_H
#define _IGLOO_KMODS_POLICY_H

#ifdef __KERNEL__
#include <linux/module.h>
#include <linux/types.h>
#else
/* User space (tests, fuzzers): the few kernel names this code uses. */
#include <errno.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
#define MODULE_NAME_LEN (64 - sizeof(unsigned long))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#include <stdlib.h>
/* lib/sort.c's sort(), as the C library has it; @swap is always NULL. */
#define sort(base, num, size, cmp, swap) qsort(base, num, size, cmp)

static inline long strscpy(char *dst, const char *src, size_t size)
{
	size_t len = strnlen(src, size);

	if (!size)
		return -E2BIG;
	if (len == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, len + 1);
	return len;
}
#endif

#include <uapi/linux/igloo_kmods.h>

/*
 * Most names one policy list holds: penguin sets no limit, and a target
 * may load hundreds of modules. The bound keeps a list's memory (about
 * 80 bytes a name) and the time to build it in check.
 */
#define KMODS_LIST_MAX		16384

/**
 * struct kmods_list - a parsed allowlist or denylist, in one block
 * @count: number of names
 * @size: bytes of the block, this header included (kmods_list_size())
 * @names: the names in the order written, each once (byte for byte)
 * @sorted: the same names in lookup order: by their spelling with every
 *	'-' made '_', then byte for byte, so that a lookup is a binary
 *	search whichever rule it applies
 * @slots: storage for @names and @sorted; the names' bytes follow it
 *
 * One block holds the header, both arrays and the names themselves, so a
 * list is allocated, replaced and freed as one piece, and a reader that
 * holds a pointer to it sees the whole list or none of it.
 */
struct kmods_list {
	unsigned int count;
	size_t size;
	const char **names;
	const char **sorted;
	const char *slots[];
};

/**
 * struct kmods_image - a module image, read through @read
 * @read: copy exactly @len bytes at offset @off into @buf;
 *	return 0 or a negative errno. Called only with in-bounds ranges of
 *	at least one byte.
 * @ctx: passed to @read
 * @size: image size in bytes
 * @scratch: optional buffer of @scratch_size bytes for reading whole
 *	ranges at once: the section headers in one call, the section-name
 *	table in another, .modinfo in as few as fit. With KMODS_SCRATCH_SIZE
 *	bytes a typical module is read in five calls; without it (NULL) the
 *	reader goes a section header and a name at a time. The result is
 *	the same either way.
 * @scratch_size: size of @scratch
 * @name_only: read only what names the module and what the name reader
 *	itself relies on; skip the symbol, string and relocation tables
 *	that the kernel's loader trusts. For an image that the kernel does
 *	not get from this reader (finit_module: the kernel reads the file
 *	again itself), checking them would protect nothing and costs a read
 *	of every table.
 * @base: optional: the whole image in memory, @size bytes that do not
 *	change while they are read. The tables are then used where they
 *	are, not read into @scratch (the kernel's own copy of an image, say);
 *	@read still takes the few small ranges. The result is the same.
 * @need_modinfo: optional. Called with the name in
 *	.gnu.linkonce.this_module, when the image has a valid one, before
 *	.modinfo is read; if it returns false, .modinfo is not read and
 *	that name is the result (KMODS_NAME_THIS_MODULE), unchecked against
 *	.modinfo's. For a caller that refuses the module under that name:
 *	the kernel names a loaded module by this_module, and a .modinfo
 *	that disagrees could only make the caller refuse it as well. Without
 *	it a large module's .modinfo (40 KiB of aliases for amdgpu.ko) is
 *	read and scanned on every refusal.
 */
struct kmods_image {
	int (*read)(void *ctx, u64 off, void *buf, size_t len);
	void *ctx;
	u64 size;
	void *scratch;
	size_t scratch_size;
	bool name_only;
	const void *base;
	bool (*need_modinfo)(const struct kmods_image *img, const char *name);
};

/* Scratch that holds the section headers and names of Debian's modules. */
#define KMODS_SCRATCH_SIZE	8192

bool kmods_name_valid(const char *name);
bool kmods_name_eq(const char *a, const char *b);
bool kmods_path_is_module(const char *path);
int kmods_name_from_path(const char *path, char *name, size_t size);
const char *kmods_cmdline_module(const char *args, size_t len);

int kmods_penguin_name(const char *path, char *name, size_t size);

int kmods_list_size(const struct kmods_list *base, const char *text,
		    size_t *size);
int kmods_list_parse(const struct kmods_list *base, const char *text,
		     struct kmods_list *list, size_t size);
int kmods_list_format(const struct kmods_list *list, char *buf, size_t size);
bool kmods_list_contains(const struct kmods_list *list, const char *name);
bool kmods_list_allows(const struct kmods_list *list, const char *name);
bool kmods_list_has(const struct kmods_list *list, const char *name);

enum kmods_rule kmods_policy_check(const char *name, const char *file,
				   const struct kmods_list *allow,
				   const struct kmods_list *deny, u32 *hints);
enum kmods_rule kmods_policy_decide(const char *name,
				    const struct kmods_list *allow,
				    const struct kmods_list *deny);
bool kmods_rule_allows(enum kmods_rule rule);

int kmods_image_name(const struct kmods_image *img, char *name, size_t size,
		     enum kmods_name_source *src);

#endif /* _IGLOO_KMODS_POLICY_H */
