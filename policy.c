// SPDX-License-Identifier: GPL-2.0
/*
 * igloo_kmods pure logic: names, lists, decisions and the ELF name reader.
 *
 * Every function here works on its arguments alone. Inputs come from
 * untrusted user space (paths, sysfs writes, module images), so every
 * length and offset is checked before use.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/sort.h>
#include <linux/string.h>
#endif

#include "policy.h"

/* Module names that are always allowed: penguin's driver and this module. */
static const char *const kmods_builtin_names[] = { "igloo", "igloo_kmods" };

/* Suffixes a module file name may carry; the longest first. */
static const char *const kmods_module_suffixes[] = {
	".ko.zst", ".ko.xz", ".ko.gz", ".ko",
};

static bool kmods_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/**
 * kmods_name_valid() - check that a string can be a module name
 * @name: NUL-terminated candidate
 *
 * A module name is 1 to MODULE_NAME_LEN - 1 characters from [A-Za-z0-9_-].
 *
 * Context: Any context.
 * Return: true if @name is a valid module name.
 */
bool kmods_name_valid(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++) {
		if (i >= MODULE_NAME_LEN - 1 || !kmods_name_char_ok(name[i]))
			return false;
	}
	return i > 0;
}

static char kmods_fold(char c)
{
	return c == '-' ? '_' : c;
}

/**
 * kmods_name_eq() - compare module names as modprobe does
 * @a: first name
 * @b: second name
 *
 * '-' and '_' compare equal; everything else compares exactly.
 *
 * Context: Any context.
 * Return: true if the names are the same module.
 */
bool kmods_name_eq(const char *a, const char *b)
{
	while (*a && kmods_fold(*a) == kmods_fold(*b)) {
		a++;
		b++;
	}
	return *a == *b;
}

static size_t kmods_module_suffix_len(const char *s, size_t len)
{
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(kmods_module_suffixes); i++) {
		n = strlen(kmods_module_suffixes[i]);
		if (len > n && !memcmp(s + len - n, kmods_module_suffixes[i], n))
			return n;
	}
	return 0;
}

/**
 * kmods_path_is_module() - does a path name a module file?
 * @path: NUL-terminated path
 *
 * Context: Any context.
 * Return: true if @path ends in .ko, .ko.gz, .ko.xz or .ko.zst after at
 * least one other character.
 */
bool kmods_path_is_module(const char *path)
{
	return kmods_module_suffix_len(path, strlen(path)) != 0;
}

/**
 * kmods_name_from_path() - derive a module name from a file path
 * @path: NUL-terminated path, e.g. "/lib/modules/foo.ko.xz"
 * @name: buffer for the name
 * @size: size of @name
 *
 * Drops the directories and one module suffix (.ko, .ko.gz, .ko.xz,
 * .ko.zst). A file name without a suffix is used as it is.
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL if the result is empty or not a valid
 * module name, -ENAMETOOLONG if it does not fit in @size.
 */
int kmods_name_from_path(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	len -= kmods_module_suffix_len(base, len);
	if (len >= size || len >= MODULE_NAME_LEN)
		return -ENAMETOOLONG;
	memcpy(name, base, len);
	name[len] = '\0';
	return kmods_name_valid(name) ? 0 : -EINVAL;
}

/**
 * kmods_cmdline_module() - find the module file in a command line
 * @args: NUL-separated arguments, as in /proc/PID/cmdline
 * @len: bytes in @args
 *
 * This is what penguin's host plugin records for init_module: the last
 * argument that names a module file. An unterminated last argument is
 * ignored.
 *
 * Context: Any context.
 * Return: the last argument for which kmods_path_is_module() holds, or
 * NULL.
 */
const char *kmods_cmdline_module(const char *args, size_t len)
{
	const char *found = NULL;
	const char *end;
	size_t pos = 0;

	while (pos < len) {
		end = memchr(args + pos, '\0', len - pos);
		if (!end)
			break;
		if (kmods_path_is_module(args + pos))
			found = args + pos;
		pos = end - args + 1;
	}
	return found;
}

/**
 * kmods_penguin_name() - the name penguin's kmods plugin gives a file
 * @path: NUL-terminated path, e.g. "/lib/modules/foo.ko"
 * @name: buffer for the name
 * @size: size of @name
 *
 * penguin's plugin matches its lists against the file's base name with
 * one ".ko" dropped, nothing else: "snd-hda-intel.ko" is "snd-hda-intel",
 * "foo.ko.xz" stays "foo.ko.xz" (which no list entry can be).
 *
 * Context: Any context.
 * Return: 0 if that name is a valid module name (and so could be a list
 * entry), -EINVAL if not, -ENAMETOOLONG if it does not fit in @size.
 */
int kmods_penguin_name(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len >= 3 && !strcmp(base + len - 3, ".ko"))
		len -= 3;
	if (len >= size || len >= MODULE_NAME_LEN)
		return -ENAMETOOLONG;
	memcpy(name, base, len);
	name[len] = '\0';
	return kmods_name_valid(name) ? 0 : -EINVAL;
}

static bool kmods_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * One entry of a list text: skip leading white space, find the name.
 * Returns the position after the entry's comma, or NULL at the end of
 * the text; *@start and *@len give the name (*@len may be 0); *@bad is
 * set for a character outside [A-Za-z0-9_-] or white space inside a name.
 */
static const char *kmods_list_entry(const char *p, const char **start,
				    size_t *len, bool *bad)
{
	while (kmods_is_space(*p))
		p++;
	*start = p;
	while (*p && *p != ',' && !kmods_is_space(*p)) {
		if (!kmods_name_char_ok(*p))
			*bad = true;
		p++;
	}
	*len = p - *start;
	while (kmods_is_space(*p))
		p++;
	if (*p && *p != ',')
		*bad = true;	/* white space inside a name */
	return *p ? p + 1 : NULL;
}

/* Compare as strcmp() does, with '-' and '_' equal. */
static int kmods_fold_cmp(const char *a, const char *b)
{
	while (*a && kmods_fold(*a) == kmods_fold(*b)) {
		a++;
		b++;
	}
	return (unsigned char)kmods_fold(*a) - (unsigned char)kmods_fold(*b);
}

/* Lookup order: folded first, then byte for byte. */
static int kmods_list_cmp(const char *a, const char *b)
{
	int r = kmods_fold_cmp(a, b);

	return r ? r : strcmp(a, b);
}

/* sort() order for @sorted; the earlier of two equal names comes first. */
static int kmods_list_sort_cmp(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa;
	const char *b = *(const char *const *)pb;
	int r = kmods_list_cmp(a, b);

	if (r)
		return r;
	return a < b ? -1 : a > b;
}

/* Count @base's names and @text's entries and their bytes; validate. */
static int kmods_list_measure(const struct kmods_list *base, const char *text,
			      unsigned int *entries, size_t *bytes)
{
	const char *p = text, *start;
	unsigned int i, n = base ? base->count : 0;
	size_t len, total = 0;
	bool bad = false;

	for (i = 0; i < n; i++)
		total += strlen(base->names[i]) + 1;
	while (p) {
		p = kmods_list_entry(p, &start, &len, &bad);
		if (bad || len >= MODULE_NAME_LEN)
			return -EINVAL;
		if (len && ++n > KMODS_LIST_MAX)
			return -EINVAL;
		if (len)
			total += len + 1;
	}
	*entries = n;
	*bytes = total;
	return 0;
}

/**
 * kmods_list_size() - the memory kmods_list_parse() needs for a list
 * @base: the list that @text adds to, or NULL for a new list
 * @text: NUL-terminated text, e.g. "wireguard, nf_conntrack\n"
 * @size: set to the size, in bytes, of the block to pass to
 *	kmods_list_parse()
 *
 * Context: Any context.
 * Return: 0 on success; -EINVAL as kmods_list_parse() would refuse @text.
 */
int kmods_list_size(const struct kmods_list *base, const char *text,
		    size_t *size)
{
	unsigned int entries;
	size_t bytes;
	int err;

	err = kmods_list_measure(base, text, &entries, &bytes);
	if (err)
		return err;
	/* kmods_list_parse() computes the same. */
	*size = sizeof(struct kmods_list) +
		2 * entries * sizeof(const char *) + bytes;
	return 0;
}

/* Put @len bytes of @s into the list under construction. */
static void kmods_list_push(struct kmods_list *list, char **pool,
			    const char *s, size_t len)
{
	memcpy(*pool, s, len);
	(*pool)[len] = '\0';
	list->names[list->count++] = *pool;
	*pool += len + 1;
}

/**
 * kmods_list_parse() - parse a comma-separated list of module names
 * @base: a list whose names come first (for an append), or NULL
 * @text: NUL-terminated text, e.g. "wireguard, nf_conntrack\n"
 * @list: where the result goes: a block of @size bytes; written only on
 *	success, and then independent of @base
 * @size: bytes at @list, at least what kmods_list_size() gave
 *
 * White space around names is ignored, and so are empty entries (a
 * trailing comma, or an empty string for an empty list). A name given
 * twice, byte for byte, is kept once, where it first appeared; nf-nat and
 * nf_nat are two entries, which match differently on an allowlist
 * (kmods_list_allows()). The names are then sorted for lookup, so that
 * the lookups cost O(log n) comparisons: building costs O(n log n).
 *
 * Context: Any context; no allocation, no recursion.
 * Return: 0 on success; -EINVAL for a character outside [A-Za-z0-9_-]
 * (a path or a .ko suffix included), a name of MODULE_NAME_LEN or more
 * characters, or more than KMODS_LIST_MAX names in all (repeats
 * counted); -ENOSPC if @size is too small. On error @list is left as it
 * was.
 */
int kmods_list_parse(const struct kmods_list *base, const char *text,
		     struct kmods_list *list, size_t size)
{
	const char *p = text, *start;
	unsigned int entries, i, n;
	size_t len, need;
	bool bad = false;
	char *pool;
	int err;

	err = kmods_list_measure(base, text, &entries, &len);
	if (err)
		return err;
	need = sizeof(*list) + 2 * entries * sizeof(const char *) + len;
	if (size < need)
		return -ENOSPC;
	list->count = 0;
	list->size = need;
	list->names = list->slots;
	list->sorted = list->slots + entries;
	pool = (char *)(list->slots + 2 * entries);
	for (i = 0; base && i < base->count; i++)
		kmods_list_push(list, &pool, base->names[i],
				strlen(base->names[i]));
	while (p) {
		p = kmods_list_entry(p, &start, &len, &bad);
		if (len)
			kmods_list_push(list, &pool, start, len);
	}

	/* Sort, then drop every later copy of a name (made ""). */
	memcpy(list->sorted, list->names, entries * sizeof(const char *));
	sort(list->sorted, entries, sizeof(const char *),
	     kmods_list_sort_cmp, NULL);
	for (i = entries; i-- > 1;) {
		/* Equal names are adjacent, the first-written first. */
		if (!strcmp(list->sorted[i], list->sorted[i - 1]))
			*(char *)list->sorted[i] = '\0';
	}
	for (i = 0, n = 0; i < entries; i++) {
		if (*list->sorted[i])
			list->sorted[n++] = list->sorted[i];
	}
	for (i = 0, n = 0; i < entries; i++) {
		if (*list->names[i])
			list->names[n++] = list->names[i];
	}
	list->count = n;
	return 0;
}

/**
 * kmods_list_format() - print a list in the syntax kmods_list_parse() takes
 * @list: the list
 * @buf: output buffer
 * @size: size of @buf
 *
 * The names come in the order they were written.
 *
 * Context: Any context.
 * Return: the length written, without the terminating NUL, or -ENOSPC if
 * @size is too small (then @buf holds an empty string, if @size > 0).
 */
int kmods_list_format(const struct kmods_list *list, char *buf, size_t size)
{
	size_t pos = 0, len;
	unsigned int i;

	if (!size)
		return -ENOSPC;
	for (i = 0; i < list->count; i++) {
		len = strlen(list->names[i]);
		if (pos + len + (i ? 1 : 0) >= size) {
			buf[0] = '\0';
			return -ENOSPC;
		}
		if (i)
			buf[pos++] = ',';
		memcpy(buf + pos, list->names[i], len);
		pos += len;
	}
	buf[pos] = '\0';
	return pos;
}

/* Binary search of @list->sorted: byte for byte, or with '-' == '_'. */
static bool kmods_list_search(const struct kmods_list *list, const char *name,
			      bool exact)
{
	unsigned int lo = 0, hi = list ? list->count : 0, mid;
	int r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = exact ? kmods_list_cmp(list->sorted[mid], name) :
			    kmods_fold_cmp(list->sorted[mid], name);
		if (!r)
			return true;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/**
 * kmods_list_has() - is @name an entry of @list, byte for byte?
 * @list: the list, or NULL for an empty one
 * @name: the name
 *
 * This is how penguin's plugin matches (Python's "in").
 *
 * Context: Any context.
 * Return: true if @list holds exactly @name.
 */
bool kmods_list_has(const struct kmods_list *list, const char *name)
{
	return kmods_list_search(list, name, true);
}

/**
 * kmods_list_contains() - does a denylist entry name this module?
 * @list: the list, or NULL for an empty one
 * @name: module name
 *
 * '-' and '_' are equal here: an entry blocks every spelling of its name,
 * so that no module slips past a denylist entry by a separator.
 *
 * Context: Any context. O(log n) name comparisons.
 * Return: true if @name is on @list, with '-' and '_' equal.
 */
bool kmods_list_contains(const struct kmods_list *list, const char *name)
{
	return kmods_list_search(list, name, false);
}

/**
 * kmods_list_allows() - does an allowlist entry name this module?
 * @list: the list, or NULL for an empty one
 * @name: module name
 *
 * The kernel tells modules apart by their exact names, so an entry
 * allows only the module of that name, and, for an entry written with
 * '-' (a file name such as snd-hda-intel, as penguin users write them),
 * the name kbuild gives that file's module, with every '-' made '_'
 * (snd_hda_intel). An entry thus admits at most two names, never a
 * spelling with a '-' that it does not have: nf_nat does not allow
 * nf-nat, nor igloo_kmods igloo-kmods.
 *
 * Context: Any context. O(log n) name comparisons.
 * Return: true if an entry of @list allows @name.
 */
bool kmods_list_allows(const struct kmods_list *list, const char *name)
{
	/*
	 * A name with a '-' needs its own entry. One without matches every
	 * entry that folds to it, and those are adjacent in @sorted.
	 */
	return kmods_list_search(list, name, !!strchr(name, '-'));
}

/*
 * The hint flag for one list: @by_name, whether it matches the module's
 * name as igloo_kmods matches; @by_file, whether penguin's plugin would
 * match the file's name.
 */
static u32 kmods_hint(bool by_name, bool by_file, u32 file_flag,
		      u32 module_flag)
{
	if (by_file && !by_name)
		return file_flag;
	if (by_name && !by_file)
		return module_flag;
	return 0;
}

/**
 * kmods_policy_check() - apply the policy to a module name, with hints
 * @name: the module's name, or NULL or "" when none could be read
 * @file: the file's name as penguin's plugin takes it
 *	(kmods_penguin_name()), or NULL or "" when there is none
 * @allow: the allowlist, or NULL
 * @deny: the denylist, or NULL
 * @hints: where the hint flags go, or NULL for none
 *
 * In order: no valid name blocks; igloo and igloo_kmods (exactly: the
 * kernel would load igloo-kmods as another module) are always allowed;
 * the denylist blocks (kmods_list_contains()); the allowlist allows
 * (kmods_list_allows()); anything else is blocked.
 *
 * penguin's plugin matches a list entry byte for byte against the file
 * name; igloo_kmods matches the module's real name. Where the two differ
 * (a renamed file, or '-' in one and '_' in the other), a list written
 * for one does not match the other. @hints says, for each list, whether
 * it names the file and not the module (KMODS_F_ALLOW_FILE,
 * KMODS_F_DENY_FILE: the entry that would match is @name) or the module
 * and not the file (KMODS_F_ALLOW_MODULE, KMODS_F_DENY_MODULE: penguin's
 * plugin would need the entry @file); 0 when the two ways agree, when
 * either name is missing or invalid, or for igloo's own modules. The
 * hints change no decision. Each list is searched once for @name and,
 * with @hints, once for @file.
 *
 * Context: Any context.
 * Return: the rule that decided; kmods_rule_allows() tells its verdict.
 */
enum kmods_rule kmods_policy_check(const char *name, const char *file,
				   const struct kmods_list *allow,
				   const struct kmods_list *deny, u32 *hints)
{
	bool denied, allowed;
	size_t i;

	if (hints)
		*hints = 0;
	if (!name || !kmods_name_valid(name))
		return KMODS_RULE_NO_NAME;
	for (i = 0; i < ARRAY_SIZE(kmods_builtin_names); i++) {
		if (!strcmp(name, kmods_builtin_names[i]))
			return KMODS_RULE_BUILTIN;
	}
	denied = kmods_list_contains(deny, name);
	/* A denied name needs the allowlist only for the hints. */
	allowed = (!denied || hints) && kmods_list_allows(allow, name);
	if (hints && file && kmods_name_valid(file))
		*hints = kmods_hint(allowed, kmods_list_has(allow, file),
				    KMODS_F_ALLOW_FILE, KMODS_F_ALLOW_MODULE) |
			 kmods_hint(denied, kmods_list_has(deny, file),
				    KMODS_F_DENY_FILE, KMODS_F_DENY_MODULE);
	if (denied)
		return KMODS_RULE_DENYLIST;
	return allowed ? KMODS_RULE_ALLOWLIST : KMODS_RULE_DEFAULT;
}

/**
 * kmods_policy_decide() - apply the policy to a module name
 * @name: the module's name, or NULL or "" when none could be read
 * @allow: the allowlist, or NULL
 * @deny: the denylist, or NULL
 *
 * kmods_policy_check() without the hints.
 *
 * Context: Any context.
 * Return: the rule that decided; kmods_rule_allows() tells its verdict.
 */
enum kmods_rule kmods_policy_decide(const char *name,
				    const struct kmods_list *allow,
				    const struct kmods_list *deny)
{
	return kmods_policy_check(name, NULL, allow, deny, NULL);
}

/**
 * kmods_rule_allows() - the verdict of a rule
 * @rule: a rule returned by kmods_policy_decide()
 *
 * Context: Any context.
 * Return: true if @rule lets the module load.
 */
bool kmods_rule_allows(enum kmods_rule rule)
{
	return rule == KMODS_RULE_BUILTIN || rule == KMODS_RULE_ALLOWLIST;
}

/* ELF reading. Offsets are those of the ELF specification. */

#define KMODS_EI_NIDENT		16
#define KMODS_ELFCLASS32	1
#define KMODS_ELFCLASS64	2
#define KMODS_ELFDATA2LSB	1
#define KMODS_ELFDATA2MSB	2
#define KMODS_SHT_NULL		0
#define KMODS_SHT_SYMTAB	2
#define KMODS_SHT_STRTAB	3
#define KMODS_SHT_RELA		4
#define KMODS_SHT_NOBITS	8
#define KMODS_SHT_REL		9
#define KMODS_SHF_ALLOC		0x2
#define KMODS_SHN_UNDEF		0
#define KMODS_SHN_LORESERVE	0xff00
#define KMODS_SHN_LIVEPATCH	0xff20
#define KMODS_SHN_ABS		0xfff1
#define KMODS_SHN_COMMON	0xfff2
#define KMODS_EM_MIPS		8

/* Bytes of symbols or relocations read at a time when checking them. */
#define KMODS_CHECK_CHUNK	240

/* Bytes read with the section headers, for the section names before them. */
#define KMODS_SHSTR_LEAD	1024

/* Longest .modinfo entry worth reading whole: "name=" plus a name. */
#define KMODS_MODINFO_CHUNK	(sizeof("name=") + MODULE_NAME_LEN)

static u64 kmods_min_u64(u64 a, u64 b)
{
	return a < b ? a : b;
}

/*
 * @shdrs and @shstr, when set, hold in @img->scratch the whole section
 * header table and the whole section-name table, read in one call each.
 */
struct kmods_elf {
	const struct kmods_image *img;
	bool is64;
	bool msb;
	bool mips64;	/* MIPS64 relocations have their own r_info layout */
	const u8 *shdrs;
	const char *shstr;
};

/*
 * One section header. @size is 0 for a section without contents in the
 * file (SHT_NULL, SHT_NOBITS); @mem_size is sh_size as it is.
 */
struct kmods_section {
	u64 offset;
	u64 size;
	u64 mem_size;
	u64 flags;
	u32 type;
	u32 link;
	u32 info;
};

static __always_inline u32 kmods_get32(const u8 *p, bool msb)
{
	if (msb)
		return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
	return (u32)p[3] << 24 | (u32)p[2] << 16 | (u32)p[1] << 8 | p[0];
}

static __always_inline u64 kmods_get64(const u8 *p, bool msb)
{
	if (msb)
		return (u64)kmods_get32(p, true) << 32 | kmods_get32(p + 4, true);
	return (u64)kmods_get32(p + 4, false) << 32 | kmods_get32(p, false);
}

/*
 * A field of @width (2, 4 or 8) bytes in byte order @msb, spelled out so
 * that the compiler makes one load of it (this runs for every field of
 * every section header, symbol and relocation).
 */
static __always_inline u64 kmods_get(const u8 *p, unsigned int width,
				     bool msb)
{
	if (width == 2)
		return msb ? (u16)(p[0] << 8 | p[1]) : (u16)(p[1] << 8 | p[0]);
	if (width == 4)
		return kmods_get32(p, msb);
	return kmods_get64(p, msb);
}

static inline u64 kmods_elf_get(const struct kmods_elf *elf, const u8 *p,
				unsigned int width)
{
	return kmods_get(p, width, elf->msb);
}

/*
 * The loops over every section header, symbol and relocation are built
 * twice: for the class and byte order of the kernel they run in, with
 * both known to the compiler (a field is one load), and for any other.
 * A module the kernel can load is of the first kind.
 */
#define KMODS_HOST_IS64	(sizeof(long) == 8)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define KMODS_HOST_MSB	true
#else
#define KMODS_HOST_MSB	false
#endif

static inline bool kmods_elf_is_host(const struct kmods_elf *elf)
{
	return elf->is64 == KMODS_HOST_IS64 && elf->msb == KMODS_HOST_MSB;
}

static int kmods_elf_read(const struct kmods_elf *elf, u64 off, void *buf,
			  size_t len)
{
	if (off > elf->img->size || len > elf->img->size - off)
		return -ENOEXEC;
	return elf->img->read(elf->img->ctx, off, buf, len);
}

/*
 * @len bytes at @off: where they are when the image is in memory
 * (@img->base), else read into @buf. Return: the bytes, or NULL with
 * *@err set.
 */
static const u8 *kmods_elf_view(const struct kmods_elf *elf, u64 off,
				void *buf, size_t len, int *err)
{
	if (off > elf->img->size || len > elf->img->size - off) {
		*err = -ENOEXEC;
		return NULL;
	}
	if (elf->img->base)
		return (const u8 *)elf->img->base + off;
	*err = elf->img->read(elf->img->ctx, off, buf, len);
	return *err ? NULL : buf;
}

/* Entries of @entsize bytes to take at once: all of them in memory. */
static u64 kmods_elf_chunk(const struct kmods_elf *elf, u64 left,
			   size_t buf_size, unsigned int entsize)
{
	if (elf->img->base)
		return left;
	return kmods_min_u64(left, buf_size / entsize);
}

/*
 * Section header @index, decoded and checked to lie in the image, of an
 * image of class @is64 and byte order @msb: the image's own, passed as
 * constants for a kmods_elf_is_host() image.
 */
static __always_inline int kmods_elf_section_as(const struct kmods_elf *elf,
						u64 shoff,
						unsigned int shentsize,
						unsigned int index, u32 *name,
						struct kmods_section *sec,
						bool is64, bool msb)
{
	u8 buf[64];
	const u8 *sh = buf;
	int err;

	if (elf->shdrs) {
		sh = elf->shdrs + (size_t)index * shentsize;
	} else {
		err = kmods_elf_read(elf, shoff + (u64)index * shentsize, buf,
				     is64 ? 64 : 40);
		if (err)
			return err;
	}
	*name = kmods_get32(sh, msb);
	sec->type = kmods_get32(sh + 4, msb);
	if (is64) {
		sec->flags = kmods_get64(sh + 8, msb);
		sec->offset = kmods_get64(sh + 0x18, msb);
		sec->size = kmods_get64(sh + 0x20, msb);
		sec->link = kmods_get32(sh + 0x28, msb);
		sec->info = kmods_get32(sh + 0x2c, msb);
	} else {
		sec->flags = kmods_get32(sh + 8, msb);
		sec->offset = kmods_get32(sh + 0x10, msb);
		sec->size = kmods_get32(sh + 0x14, msb);
		sec->link = kmods_get32(sh + 0x18, msb);
		sec->info = kmods_get32(sh + 0x1c, msb);
	}
	sec->mem_size = sec->size;
	/* Like the kernel's loader: these have no contents to check. */
	if (sec->type == KMODS_SHT_NOBITS || sec->type == KMODS_SHT_NULL)
		sec->size = 0;
	if (sec->offset > elf->img->size ||
	    sec->size > elf->img->size - sec->offset)
		return -ENOEXEC;
	return 0;
}

static int kmods_elf_section(const struct kmods_elf *elf, u64 shoff,
			     unsigned int shentsize, unsigned int index,
			     u32 *name, struct kmods_section *sec)
{
	return kmods_elf_section_as(elf, shoff, shentsize, index, name, sec,
				    elf->is64, elf->msb);
}

/*
 * Is @sec a string table whose every string ends inside it: a non-empty
 * SHT_STRTAB whose last byte is a NUL? The kernel's loader takes
 * strlen() of the symbol names (layout_symtab()) and section names it
 * finds there.
 */
static int kmods_elf_strtab_ok(const struct kmods_elf *elf,
			       const struct kmods_section *sec,
			       const char *in_memory)
{
	char last;
	int err;

	if (sec->type != KMODS_SHT_STRTAB || !sec->size)
		return -ENOEXEC;
	if (in_memory)
		return in_memory[sec->size - 1] ? -ENOEXEC : 0;
	err = kmods_elf_read(elf, sec->offset + sec->size - 1, &last, 1);
	if (err)
		return err;
	return last ? -ENOEXEC : 0;
}

/*
 * A symbol's section index as the loader uses it: simplify_symbols()
 * indexes the section table with every value but SHN_UNDEF, SHN_ABS,
 * SHN_COMMON and SHN_LIVEPATCH, without a range check.
 */
static bool kmods_elf_shndx_ok(unsigned int shndx, unsigned int shnum)
{
	return shndx < shnum || shndx == KMODS_SHN_ABS ||
	       shndx == KMODS_SHN_COMMON || shndx == KMODS_SHN_LIVEPATCH;
}

/*
 * How many @entsize-byte entries a table of @size bytes holds, in @count.
 * A table of 4 GiB or more is refused rather than divided: no module is
 * that large, and 32-bit kernels have no 64-bit division (__udivdi3).
 */
static int kmods_elf_entries(u64 size, unsigned int entsize, u64 *count)
{
	if (size >> 32)
		return -ENOEXEC;
	*count = (u32)size / entsize;
	return 0;
}

/* @n symbols at @p: see kmods_elf_check_symbols_as(). */
static __always_inline int kmods_elf_symbols_as(const u8 *p, u64 n,
						u64 strsize,
						unsigned int shnum,
						bool is64, bool msb)
{
	unsigned int symsize = is64 ? 24 : 16;
	unsigned int shndx_at = is64 ? 6 : 14;
	const u8 *sym;
	u64 j;

	for (j = 0; j < n; j++) {
		sym = p + j * symsize;
		if (kmods_get(sym, 4, msb) >= strsize ||
		    !kmods_elf_shndx_ok(kmods_get(sym + shndx_at, 2, msb),
					shnum))
			return -ENOEXEC;
	}
	return 0;
}

/*
 * Every one of the @nsyms symbols of @symtab names a string inside
 * @strtab and a section that exists (or a special index the loader
 * handles).
 */
static __always_inline int
kmods_elf_check_symbols_as(const struct kmods_elf *elf,
			   const struct kmods_section *symtab,
			   const struct kmods_section *strtab, u64 nsyms,
			   unsigned int shnum, bool is64, bool msb)
{
	unsigned int symsize = is64 ? 24 : 16;
	u64 i, n;
	u8 buf[KMODS_CHECK_CHUNK];
	const u8 *p;
	int err;

	for (i = 0; i < nsyms; i += n) {
		n = kmods_elf_chunk(elf, nsyms - i, sizeof(buf), symsize);
		p = kmods_elf_view(elf, symtab->offset + i * symsize, buf,
				   n * symsize, &err);
		if (!p)
			return err;
		err = kmods_elf_symbols_as(p, n, strtab->size, shnum, is64,
					   msb);
		if (err)
			return err;
	}
	return 0;
}

/* @n relocations of @entsize bytes at @p: kmods_elf_check_relocs_as(). */
static __always_inline int kmods_elf_relocs_as(const u8 *p, u64 n,
					       unsigned int entsize,
					       u64 target_size, u64 nsyms,
					       bool mips64, bool is64,
					       bool msb)
{
	unsigned int w = is64 ? 8 : 4;
	const u8 *r;
	u64 j, sym;

	for (j = 0; j < n; j++) {
		r = p + j * entsize;
		if (mips64)	/* r_sym: r_info's first word */
			sym = kmods_get(r + w, 4, msb);
		else if (is64)
			sym = kmods_get(r + w, 8, msb) >> 32;
		else
			sym = kmods_get(r + w, 4, msb) >> 8;
		if (kmods_get(r, w, msb) >= target_size || sym >= nsyms)
			return -ENOEXEC;
	}
	return 0;
}

/*
 * Every relocation in @rel applies inside @target and names a symbol of
 * the @nsyms in the symbol table: apply_relocate{,_add}() index the
 * symbol table with r_info and write at r_offset without checking either.
 * (The bound on r_offset is the section's size, not the size less the
 * relocation's width, which depends on the architecture and its type.)
 */
static __always_inline int
kmods_elf_check_relocs_as(const struct kmods_elf *elf,
			  const struct kmods_section *rel,
			  const struct kmods_section *target, u64 nsyms,
			  bool is64, bool msb)
{
	unsigned int w = is64 ? 8 : 4;
	unsigned int entsize = (rel->type == KMODS_SHT_RELA ? 3 : 2) * w;
	u64 nrel, i, n;
	u8 buf[KMODS_CHECK_CHUNK];
	const u8 *p;
	int err;

	err = kmods_elf_entries(rel->size, entsize, &nrel);
	if (err)
		return err;
	for (i = 0; i < nrel; i += n) {
		n = kmods_elf_chunk(elf, nrel - i, sizeof(buf), entsize);
		p = kmods_elf_view(elf, rel->offset + i * entsize, buf,
				   n * entsize, &err);
		if (!p)
			return err;
		if (elf->mips64)
			err = kmods_elf_relocs_as(p, n, entsize,
						  target->mem_size, nsyms,
						  true, is64, msb);
		else
			err = kmods_elf_relocs_as(p, n, entsize,
						  target->mem_size, nsyms,
						  false, is64, msb);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The symbol table, its string table and the relocations, as the
 * kernel's loader reads them after elf_validity_check() (6.1) or
 * elf_validity_cache_copy() (6.12) passed: layout_symtab(),
 * simplify_symbols(), apply_relocations(), add_kallsyms(). Those checks
 * cover the section table, the section names and the SYMTAB's sh_link
 * range; everything below is read unchecked, and an inconsistency (an
 * image another thread rewrote while it was copied mixes two modules'
 * tables) makes the loader read or write out of bounds. @symtab is
 * the image's only SHT_SYMTAB.
 */
static __always_inline int
kmods_elf_check_tables_as(const struct kmods_elf *elf, u64 shoff,
			  unsigned int shentsize, unsigned int shnum,
			  const struct kmods_section *symtab, bool is64,
			  bool msb)
{
	struct kmods_section strtab, sec, target;
	unsigned int i;
	u32 sh_name, type;
	u64 nsyms;
	int err;

	if (symtab->link == KMODS_SHN_UNDEF || symtab->link >= shnum)
		return -ENOEXEC;
	err = kmods_elf_section_as(elf, shoff, shentsize, symtab->link,
				   &sh_name, &strtab, is64, msb);
	if (err)
		return err;
	err = kmods_elf_strtab_ok(elf, &strtab, NULL);
	if (err)
		return err;
	err = kmods_elf_entries(symtab->size, is64 ? 24 : 16, &nsyms);
	if (err)
		return err;
	err = kmods_elf_check_symbols_as(elf, symtab, &strtab, nsyms, shnum,
					 is64, msb);
	if (err)
		return err;
	for (i = 1; i < shnum; i++) {
		/* Held in memory, the type alone tells most sections apart. */
		if (elf->shdrs) {
			type = kmods_get32(elf->shdrs + (size_t)i * shentsize + 4,
					   msb);
			if (type != KMODS_SHT_REL && type != KMODS_SHT_RELA)
				continue;
		}
		err = kmods_elf_section_as(elf, shoff, shentsize, i, &sh_name,
					   &sec, is64, msb);
		if (err)
			return err;
		if (sec.type != KMODS_SHT_REL && sec.type != KMODS_SHT_RELA)
			continue;
		/* apply_relocations() skips these two. */
		if (sec.info >= shnum)
			continue;
		err = kmods_elf_section_as(elf, shoff, shentsize, sec.info,
					   &sh_name, &target, is64, msb);
		if (err)
			return err;
		if (!(target.flags & KMODS_SHF_ALLOC))
			continue;
		err = kmods_elf_check_relocs_as(elf, &sec, &target, nsyms,
						is64, msb);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Does the section name at @off in the string table equal @want, of
 * @need bytes with its NUL (a literal's sizeof)?
 */
static int kmods_elf_name_is(const struct kmods_elf *elf,
			     const struct kmods_section *strtab, u32 off,
			     const char *want, size_t need)
{
	char buf[32];
	int err;

	if (need > sizeof(buf) || off >= strtab->size ||
	    need > strtab->size - off)
		return 0;
	/* Section names start with '.': the second byte tells most apart. */
	if (elf->shstr)
		return elf->shstr[off + 1] == want[1] &&
		       !memcmp(elf->shstr + off, want, need);
	err = kmods_elf_read(elf, strtab->offset + off, buf, need);
	if (err)
		return err;
	return !memcmp(buf, want, need);
}

/*
 * Find "name=" in .modinfo: a list of NUL-terminated "key=value" strings.
 * Returns 0 with @name set, -ENOENT if there is none, -EBADMSG if the
 * first one is overlong or invalid, or a read error.
 *
 * The section is read in pieces of the scratch buffer's size (or of
 * KMODS_MODINFO_CHUNK bytes without one), each holding as many whole
 * entries as fit; an entry cut at the end of a piece is read again at the
 * start of the next, and one longer than a piece is skipped piece by
 * piece ("name=" is not read past KMODS_MODINFO_CHUNK bytes either way).
 */
static int kmods_modinfo_name(const struct kmods_elf *elf,
			      const struct kmods_section *sec,
			      char *name, size_t size)
{
	char chunk[KMODS_MODINFO_CHUNK];
	char *buf = chunk;
	const char *p, *entry, *nul;
	size_t cap = sizeof(chunk), len, at, avail;
	u64 pos = 0;
	bool is_name;
	int err;

	if (elf->img->base) {
		cap = sec->size;
	} else if (elf->img->scratch &&
		   elf->img->scratch_size >= sizeof(chunk)) {
		buf = elf->img->scratch;
		cap = elf->img->scratch_size;
	}
	while (pos < sec->size) {
		len = kmods_min_u64(cap, sec->size - pos);
		p = (const char *)kmods_elf_view(elf, sec->offset + pos, buf,
						 len, &err);
		if (!p)
			return err;
		for (at = 0; at < len; at = nul - p + 1) {
			entry = p + at;
			avail = len - at;
			nul = memchr(entry, '\0', avail);
			if (!nul && at)
				break;	/* cut: read it again from its start */
			is_name = avail >= 5 && !memcmp(entry, "name=", 5);
			if (is_name) {
				if (!nul || (size_t)(nul - entry) - 5 >= size ||
				    (size_t)(nul - entry) >= sizeof(chunk))
					return -EBADMSG;
				memcpy(name, entry + 5, nul - entry - 5 + 1);
				return kmods_name_valid(name) ? 0 : -EBADMSG;
			}
			/* Skip to the end of this entry, however long it is. */
			while (!nul) {
				pos += len;
				if (pos >= sec->size)
					return -ENOENT;	/* unterminated */
				len = kmods_min_u64(cap, sec->size - pos);
				p = (const char *)kmods_elf_view(elf,
						sec->offset + pos, buf, len,
						&err);
				if (!p)
					return err;
				nul = memchr(p, '\0', len);
			}
		}
		pos += at;
	}
	return -ENOENT;
}

/* The name field of struct module, at the start of this_module. */
static int kmods_this_module_name(const struct kmods_elf *elf,
				  const struct kmods_section *sec,
				  char *name, size_t size)
{
	/* state (4 bytes, padded) and struct list_head come first. */
	u64 off = elf->is64 ? 24 : 12;
	size_t name_len = 64 - (elf->is64 ? 8 : 4);	/* MODULE_NAME_LEN */
	char buf[64];
	char *nul;
	int err;

	if (sec->size < off + name_len)
		return -EBADMSG;
	err = kmods_elf_read(elf, sec->offset + off, buf, name_len);
	if (err)
		return err;
	nul = memchr(buf, '\0', name_len);
	if (!nul || (size_t)(nul - buf) >= size)
		return -EBADMSG;
	memcpy(name, buf, nul - buf + 1);
	return kmods_name_valid(name) ? 0 : -EBADMSG;
}

/* What kmods_elf_scan_as() finds in the section table. */
struct kmods_elf_found {
	struct kmods_section info;
	struct kmods_section mod;
	struct kmods_section symtab;
	unsigned int have_info;
	unsigned int have_mod;
	unsigned int have_sym;
};

/*
 * One pass over the section table, for an image of class @is64 and byte
 * order @msb. Every section must be named inside the section name table
 * @strtab (6.12 checks it for all, 6.1 for SHF_ALLOC ones), and there
 * must be one symbol table at most (6.12 refuses two, 6.1 would use the
 * first). Like the kernel's find_sec(), look only at SHF_ALLOC sections
 * for .modinfo and .gnu.linkonce.this_module. A second one of the same
 * name could name the module otherwise than the one read here (6.12
 * refuses such images; 6.1 takes the first): -EBADMSG.
 */
static __always_inline int kmods_elf_scan_as(const struct kmods_elf *elf,
					     u64 shoff, unsigned int shentsize,
					     unsigned int shnum,
					     const struct kmods_section *strtab,
					     struct kmods_elf_found *f,
					     bool is64, bool msb)
{
	struct kmods_section sec;
	unsigned int i;
	u32 sh_name;
	char c;
	int err;

	for (i = 1; i < shnum; i++) {
		err = kmods_elf_section_as(elf, shoff, shentsize, i, &sh_name,
					   &sec, is64, msb);
		if (err)
			return err;
		if (sec.type != KMODS_SHT_NULL && sh_name >= strtab->size)
			return -ENOEXEC;
		if (sec.type == KMODS_SHT_SYMTAB) {
			if (f->have_sym++)
				return -ENOEXEC;
			f->symtab = sec;
		}
		if (!(sec.flags & KMODS_SHF_ALLOC))
			continue;
		/* Names in memory: the second byte tells most apart. */
		if (elf->shstr) {
			if (sh_name >= strtab->size - 1)
				continue;
			c = elf->shstr[sh_name + 1];
			if (c != ".modinfo"[1] &&
			    c != ".gnu.linkonce.this_module"[1])
				continue;
		}
		err = kmods_elf_name_is(elf, strtab, sh_name, ".modinfo",
					sizeof(".modinfo"));
		if (err < 0)
			return err;
		if (err) {
			if (f->have_info++)
				return -EBADMSG;
			f->info = sec;
			continue;
		}
		err = kmods_elf_name_is(elf, strtab, sh_name,
					".gnu.linkonce.this_module",
					sizeof(".gnu.linkonce.this_module"));
		if (err < 0)
			return err;
		if (err) {
			if (f->have_mod++)
				return -EBADMSG;
			f->mod = sec;
		}
	}
	return 0;
}

/*
 * The section table, then, for an image the kernel's loader gets from
 * this reader, the tables that loader trusts.
 */
static __always_inline int kmods_elf_walk_as(const struct kmods_elf *elf,
					     u64 shoff, unsigned int shentsize,
					     unsigned int shnum,
					     const struct kmods_section *strtab,
					     struct kmods_elf_found *f,
					     bool is64, bool msb)
{
	int err;

	err = kmods_elf_scan_as(elf, shoff, shentsize, shnum, strtab, f,
				is64, msb);
	if (err)
		return err;
	/*
	 * Without a symbol table the kernel refuses the image itself. An
	 * image read for its name only is not the copy the kernel loads.
	 */
	if (!f->have_sym || elf->img->name_only)
		return 0;
	return kmods_elf_check_tables_as(elf, shoff, shentsize, shnum,
					 &f->symtab, is64, msb);
}

static int kmods_elf_walk(const struct kmods_elf *elf, u64 shoff,
			  unsigned int shentsize, unsigned int shnum,
			  const struct kmods_section *strtab,
			  struct kmods_elf_found *f)
{
	if (kmods_elf_is_host(elf))
		return kmods_elf_walk_as(elf, shoff, shentsize, shnum, strtab,
					 f, KMODS_HOST_IS64, KMODS_HOST_MSB);
	return kmods_elf_walk_as(elf, shoff, shentsize, shnum, strtab, f,
				 elf->is64, elf->msb);
}

/**
 * kmods_image_name() - read a module's name from its ELF image
 * @img: the image
 * @name: buffer for the name
 * @size: size of @name (KMODS_NAME_LEN is enough)
 * @src: set to KMODS_NAME_MODINFO or KMODS_NAME_THIS_MODULE on success
 *
 * Reads .modinfo "name=" and the name in .gnu.linkonce.this_module, the
 * one the kernel gives the loaded module. Both must be valid and, when
 * both exist, equal: a module that names itself twice, differently, is
 * treated as badly named, as is one with two such sections. Works on
 * 32- and 64-bit images of either byte order. .modinfo is not read when
 * @img->need_modinfo says so (see struct kmods_image).
 *
 * An image whose tables the kernel's loader would read out of bounds is
 * not well-formed: section headers or contents outside the image, a bad
 * e_shstrndx or section name table, a section name outside it, more than
 * one symbol table, a symbol table whose sh_link is not a string table,
 * a string table without a final NUL, a symbol whose st_name lies outside
 * it or whose st_shndx is neither a section nor one of SHN_UNDEF,
 * SHN_ABS, SHN_COMMON and SHN_LIVEPATCH, a relocation outside its
 * section or naming no symbol. The kernel trusts these once its own
 * checks passed, and a buffer rewritten while it was copied mixes two
 * images' tables.
 *
 * Context: Whatever @img->read needs.
 * Return: 0 on success; -ENOEXEC if the image is not a well-formed ELF
 * file (a compressed module, say, or one of the above); -ENOENT if it has
 * no name; -EBADMSG if
 * a name is present but overlong, invalid or contradicted; or an error
 * from @img->read.
 */
int kmods_image_name(const struct kmods_image *img, char *name, size_t size,
		     enum kmods_name_source *src)
{
	struct kmods_elf elf = { .img = img };
	struct kmods_elf_found f = {};
	struct kmods_section strtab;
	unsigned int shentsize, shnum, shstrndx, have_info;
	char info_name[KMODS_NAME_LEN], mod_name[KMODS_NAME_LEN];
	int info_err, mod_err, err;
	size_t used = 0, lead = 0;
	u64 table;
	u8 eh[64];
	u32 sh_name;
	u64 shoff;

	if (img->size < 52)
		return -ENOEXEC;
	/* The whole header of either class in one read. */
	err = img->read(img->ctx, 0, eh, kmods_min_u64(sizeof(eh), img->size));
	if (err)
		return err;
	if (memcmp(eh, "\177ELF", 4) || eh[6] != 1)
		return -ENOEXEC;
	if (eh[4] != KMODS_ELFCLASS32 && eh[4] != KMODS_ELFCLASS64)
		return -ENOEXEC;
	if (eh[5] != KMODS_ELFDATA2LSB && eh[5] != KMODS_ELFDATA2MSB)
		return -ENOEXEC;
	elf.is64 = eh[4] == KMODS_ELFCLASS64;
	elf.msb = eh[5] == KMODS_ELFDATA2MSB;
	elf.mips64 = elf.is64 && kmods_elf_get(&elf, eh + 18, 2) == KMODS_EM_MIPS;
	if (elf.is64) {
		if (img->size < 64)
			return -ENOEXEC;
		shoff = kmods_elf_get(&elf, eh + 0x28, 8);
		shentsize = kmods_elf_get(&elf, eh + 0x3a, 2);
		shnum = kmods_elf_get(&elf, eh + 0x3c, 2);
		shstrndx = kmods_elf_get(&elf, eh + 0x3e, 2);
	} else {
		shoff = kmods_elf_get(&elf, eh + 0x20, 4);
		shentsize = kmods_elf_get(&elf, eh + 0x2e, 2);
		shnum = kmods_elf_get(&elf, eh + 0x30, 2);
		shstrndx = kmods_elf_get(&elf, eh + 0x32, 2);
	}
	if (shentsize < (elf.is64 ? 64 : 40) || !shnum ||
	    shnum >= KMODS_SHN_LORESERVE || shstrndx == KMODS_SHN_UNDEF ||
	    shstrndx >= shnum)
		return -ENOEXEC;
	if (shoff > img->size || (u64)shnum * shentsize > img->size - shoff)
		return -ENOEXEC;

	/*
	 * With a scratch buffer: all section headers in one read, with up to
	 * KMODS_SHSTR_LEAD bytes before them, where the linker puts the
	 * section names (.shstrtab is its last section); ...
	 */
	table = (u64)shnum * shentsize;
	if (img->base) {
		elf.shdrs = (const u8 *)img->base + shoff;
	} else if (img->scratch && table <= img->scratch_size) {
		lead = kmods_min_u64(kmods_min_u64(KMODS_SHSTR_LEAD, shoff),
				     img->scratch_size - table);
		err = img->read(img->ctx, shoff - lead, img->scratch,
				lead + table);
		if (err)
			return err;
		elf.shdrs = (const u8 *)img->scratch + lead;
		used = lead + table;
	}
	err = kmods_elf_section(&elf, shoff, shentsize, shstrndx, &sh_name,
				&strtab);
	if (err)
		return err;
	/* ... else the section names in a read of their own, if they fit. */
	if (img->base) {
		elf.shstr = (const char *)img->base + strtab.offset;
	} else if (elf.shdrs && strtab.offset >= shoff - lead &&
	    strtab.offset <= shoff && strtab.size <= shoff - strtab.offset) {
		elf.shstr = (const char *)img->scratch +
			    (strtab.offset - (shoff - lead));
	} else if (img->scratch && strtab.size &&
		   strtab.size <= img->scratch_size - used) {
		err = img->read(img->ctx, strtab.offset,
				(u8 *)img->scratch + used, strtab.size);
		if (err)
			return err;
		elf.shstr = (const char *)img->scratch + used;
	}
	err = kmods_elf_strtab_ok(&elf, &strtab, elf.shstr);
	if (err)
		return err;
	err = kmods_elf_walk(&elf, shoff, shentsize, shnum, &strtab, &f);
	if (err)
		return err;

	mod_err = f.have_mod ? kmods_this_module_name(&elf, &f.mod, mod_name,
						      sizeof(mod_name)) :
			       -ENOENT;
	have_info = f.have_info;
	if (!mod_err && img->need_modinfo && !img->need_modinfo(img, mod_name))
		have_info = 0;
	info_err = have_info ? kmods_modinfo_name(&elf, &f.info, info_name,
						  sizeof(info_name)) : -ENOENT;
	if ((info_err && info_err != -ENOENT) ||
	    (mod_err && mod_err != -ENOENT))
		return info_err && info_err != -ENOENT ? info_err : mod_err;
	if (!info_err && !mod_err && !kmods_name_eq(info_name, mod_name))
		return -EBADMSG;
	if (!info_err) {
		*src = KMODS_NAME_MODINFO;
		err = strscpy(name, info_name, size);
	} else if (!mod_err) {
		*src = KMODS_NAME_THIS_MODULE;
		err = strscpy(name, mod_name, size);
	} else {
		return -ENOENT;
	}
	return err < 0 ? -EBADMSG : 0;
}
