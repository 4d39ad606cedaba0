// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for igloo_kmods' pure logic (policy.c): module names from
 * paths, '-'/'_' folding, the policy lists, the decision and the ELF
 * module-name reader, the last on images crafted here.
 *
 * policy.c is included, not linked: it has no globals and no hooks, so
 * this module tests the very code igloo_kmods.ko runs, built with the
 * test kernel's KASAN, UBSAN and the rest. Every buffer handed to the
 * code under test is allocated at its exact size, so KASAN reports any
 * access past it.
 *
 * record.c, the record stream, is included too; its suite writes records
 * on a stream of its own (named after this module) that nothing reads,
 * and looks at what a reader would be shown.
 *
 * Suites: igloo_kmods_names, igloo_kmods_lists, igloo_kmods_policy,
 * igloo_kmods_elf, igloo_kmods_records. Run them with
 * tests/run-kunit.sh.
 */
/* First: record.c sets pr_fmt before any header does. */
#include "../../record.c"

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "../../policy.c"
#include "../elf-image.h"

/* record.c counts into igloo_kmods.c's counters. */
struct kmods_stats kmods_stats;

/* A string of @len 'a's, allocated for @test. */
static char *ikt_name_of_len(struct kunit *test, size_t len)
{
	char *s = kunit_kmalloc(test, len + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s);
	memset(s, 'a', len);
	s[len] = '\0';
	return s;
}

/* A copy of @len bytes of @bytes in a buffer of exactly @len bytes. */
static char *ikt_exact(struct kunit *test, const void *bytes, size_t len)
{
	char *s = kunit_kmalloc(test, len ? len : 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s);
	memcpy(s, bytes, len);
	return s;
}

/* --- igloo_kmods_names ---------------------------------------------------- */

/* kmods_name_from_path() cases: the path, the error, the name. */
static const struct {
	const char *path;
	int err;
	const char *name;
} ikt_path_cases[] = {
	{ "/lib/modules/6.1.0/kernel/drivers/net/dummy.ko", 0, "dummy" },
	{ "a/b/c", 0, "c" },
	{ "./nf_conntrack.ko", 0, "nf_conntrack" },
	{ "//x//y.ko", 0, "y" },
	{ "/m/foo.ko", 0, "foo" },
	{ "/m/foo.ko.gz", 0, "foo" },
	{ "/m/foo.ko.xz", 0, "foo" },
	{ "/m/foo.ko.zst", 0, "foo" },
	{ "/m/nf-nat.ko.xz", 0, "nf-nat" },
	/* No extension: the file name is the name. */
	{ "foo", 0, "foo" },
	{ "/sbin/foo-bar_2", 0, "foo-bar_2" },
	/* Nothing left, or something that is no module name. */
	{ "", -EINVAL, NULL },
	{ "/", -EINVAL, NULL },
	{ "dir/", -EINVAL, NULL },
	{ "/a.ko/", -EINVAL, NULL },
	{ "/m/foo.ko.ko", -EINVAL, NULL },
	{ "foo.ko.bz2", -EINVAL, NULL },
	{ "/m/foo.o", -EINVAL, NULL },
	{ "/m/foo.KO", -EINVAL, NULL },
	{ "/m/.ko", -EINVAL, NULL },
	{ ".ko.xz", -EINVAL, NULL },
	{ "/m/a b.ko", -EINVAL, NULL },
};

static void name_from_path_table(struct kunit *test)
{
	char name[KMODS_NAME_LEN];
	size_t i;
	char *path;
	int err;

	for (i = 0; i < ARRAY_SIZE(ikt_path_cases); i++) {
		path = ikt_exact(test, ikt_path_cases[i].path,
				 strlen(ikt_path_cases[i].path) + 1);
		memset(name, 0x5a, sizeof(name));
		err = kmods_name_from_path(path, name, sizeof(name));
		KUNIT_EXPECT_EQ_MSG(test, err, ikt_path_cases[i].err,
				    "path \"%s\"", path);
		if (!err && ikt_path_cases[i].name)
			KUNIT_EXPECT_STREQ_MSG(test, name, ikt_path_cases[i].name,
					       "path \"%s\"", path);
	}
}

static void name_from_path_max_len(struct kunit *test)
{
	char *longest = ikt_name_of_len(test, MODULE_NAME_LEN - 1);
	char *too_long = ikt_name_of_len(test, MODULE_NAME_LEN);
	char path[MODULE_NAME_LEN + 16];
	char name[KMODS_NAME_LEN];

	snprintf(path, sizeof(path), "/m/%s.ko", longest);
	KUNIT_EXPECT_EQ(test, kmods_name_from_path(path, name, sizeof(name)), 0);
	KUNIT_EXPECT_STREQ(test, name, longest);
	KUNIT_EXPECT_EQ(test, kmods_name_from_path(longest, name, sizeof(name)),
			0);

	/* MODULE_NAME_LEN characters: too long, however big the buffer. */
	snprintf(path, sizeof(path), "/m/%s.ko.zst", too_long);
	KUNIT_EXPECT_EQ(test, kmods_name_from_path(path, name, sizeof(name)),
			-ENAMETOOLONG);
	KUNIT_EXPECT_EQ(test,
			kmods_name_from_path(too_long, name, sizeof(name)),
			-ENAMETOOLONG);
}

static void name_from_path_small_buffer(struct kunit *test)
{
	char *name = kunit_kmalloc(test, 4, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, name);
	KUNIT_EXPECT_EQ(test, kmods_name_from_path("/m/abc.ko", name, 4), 0);
	KUNIT_EXPECT_STREQ(test, name, "abc");
	KUNIT_EXPECT_EQ(test, kmods_name_from_path("/m/abcd.ko", name, 4),
			-ENAMETOOLONG);
	KUNIT_EXPECT_EQ(test, kmods_name_from_path("x", name, 1),
			-ENAMETOOLONG);
	KUNIT_EXPECT_EQ(test, kmods_name_from_path("", name, 0),
			-ENAMETOOLONG);
}

static void path_is_module_suffixes(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, kmods_path_is_module("a.ko"));
	KUNIT_EXPECT_TRUE(test, kmods_path_is_module("/m/a.ko.gz"));
	KUNIT_EXPECT_TRUE(test, kmods_path_is_module("/m/a.ko.xz"));
	KUNIT_EXPECT_TRUE(test, kmods_path_is_module("/m/a.ko.zst"));
	KUNIT_EXPECT_FALSE(test, kmods_path_is_module(""));
	KUNIT_EXPECT_FALSE(test, kmods_path_is_module(".ko"));
	KUNIT_EXPECT_FALSE(test, kmods_path_is_module("ko"));
	KUNIT_EXPECT_FALSE(test, kmods_path_is_module("a.ko.bz2"));
	KUNIT_EXPECT_FALSE(test, kmods_path_is_module("a.ko/"));
	KUNIT_EXPECT_FALSE(test, kmods_path_is_module("a.KO"));
}

static void name_eq_folds_dash_underscore(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, kmods_name_eq("nf-nat", "nf_nat"));
	KUNIT_EXPECT_TRUE(test, kmods_name_eq("nf_nat", "nf-nat"));
	KUNIT_EXPECT_TRUE(test, kmods_name_eq("--", "__"));
	KUNIT_EXPECT_TRUE(test, kmods_name_eq("a_b-c", "a-b_c"));
	KUNIT_EXPECT_TRUE(test, kmods_name_eq("dummy", "dummy"));
	KUNIT_EXPECT_FALSE(test, kmods_name_eq("Dummy", "dummy"));
	KUNIT_EXPECT_FALSE(test, kmods_name_eq("a-b", "a.b"));
	KUNIT_EXPECT_FALSE(test, kmods_name_eq("a-b", "a b"));
}

static void name_eq_prefix_and_empty(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, kmods_name_eq("igloo", "igloo_kmods"));
	KUNIT_EXPECT_FALSE(test, kmods_name_eq("igloo_kmods", "igloo"));
	KUNIT_EXPECT_FALSE(test, kmods_name_eq("a-", "a"));
	KUNIT_EXPECT_FALSE(test, kmods_name_eq("a", "a_"));
	KUNIT_EXPECT_TRUE(test, kmods_name_eq("", ""));
	KUNIT_EXPECT_FALSE(test, kmods_name_eq("", "-"));
	KUNIT_EXPECT_FALSE(test, kmods_name_eq("_", ""));
}

static void name_valid_chars(struct kunit *test)
{
	static const char * const bad[] = {
		"a/b", "/a", "a.b", "a.ko", ".", "a b", " a", "a\tb", "a\nb",
		"a\x01", "a\x7f", "caf\xc3\xa9", "\xff", "a=b", "a,b", "a*",
	};
	size_t i;

	KUNIT_EXPECT_TRUE(test, kmods_name_valid("dummy"));
	KUNIT_EXPECT_TRUE(test, kmods_name_valid("nf_conntrack-ftp"));
	KUNIT_EXPECT_TRUE(test, kmods_name_valid("ABCxyz0189"));
	KUNIT_EXPECT_TRUE(test, kmods_name_valid("-"));
	KUNIT_EXPECT_FALSE(test, kmods_name_valid(""));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_FALSE_MSG(test, kmods_name_valid(bad[i]),
				       "bad[%zu]", i);
}

static void name_valid_max_len(struct kunit *test)
{
	char *longest = ikt_name_of_len(test, MODULE_NAME_LEN - 1);
	char *too_long = ikt_name_of_len(test, MODULE_NAME_LEN);

	KUNIT_EXPECT_TRUE(test, kmods_name_valid(longest));
	KUNIT_EXPECT_FALSE(test, kmods_name_valid(too_long));
}

/* kmods_cmdline_module() on an exact-size copy of @len bytes of @args. */
static const char *ikt_cmdline(struct kunit *test, const char *args,
			       size_t len, const char **copy)
{
	*copy = ikt_exact(test, args, len);
	return kmods_cmdline_module(*copy, len);
}

/* The same on a string literal, up to its last explicit NUL. */
#define IKT_CMDLINE(test, s, copy) ikt_cmdline(test, s, sizeof(s) - 1, copy)

static void cmdline_module_last(struct kunit *test)
{
	const char *args, *found;

	found = IKT_CMDLINE(test, "insmod\0/a/x.ko\0p=1\0", &args);
	KUNIT_EXPECT_PTR_EQ(test, found, args + 7);
	found = IKT_CMDLINE(test, "insmod\0a.ko\0b.ko.xz\0x=1\0c.ko.gz\0y\0",
			    &args);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, found);
	KUNIT_EXPECT_STREQ(test, found, "c.ko.gz");
}

static void cmdline_module_none(struct kunit *test)
{
	const char *args;

	KUNIT_EXPECT_NULL(test, IKT_CMDLINE(test, "insmod\0a.ko.bz2\0.ko\0p=1\0",
					    &args));
	KUNIT_EXPECT_NULL(test, IKT_CMDLINE(test, "\0\0\0", &args));
	KUNIT_EXPECT_NULL(test, ikt_cmdline(test, "a.ko", 0, &args));
	KUNIT_EXPECT_NULL(test, kmods_cmdline_module(NULL, 0));
}

static void cmdline_module_unterminated(struct kunit *test)
{
	const char *args, *found;

	/* The last argument runs off the end: ignored. */
	found = ikt_cmdline(test, "insmod\0a.ko\0b.ko", 16, &args);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, found);
	KUNIT_EXPECT_STREQ(test, found, "a.ko");
	KUNIT_EXPECT_NULL(test, ikt_cmdline(test, "insmod\0b.ko", 11, &args));
	KUNIT_EXPECT_NULL(test, ikt_cmdline(test, "b.ko", 4, &args));
}

static struct kunit_case igloo_kmods_names_cases[] = {
	KUNIT_CASE(name_from_path_table),
	KUNIT_CASE(name_from_path_max_len),
	KUNIT_CASE(name_from_path_small_buffer),
	KUNIT_CASE(path_is_module_suffixes),
	KUNIT_CASE(name_eq_folds_dash_underscore),
	KUNIT_CASE(name_eq_prefix_and_empty),
	KUNIT_CASE(name_valid_chars),
	KUNIT_CASE(name_valid_max_len),
	KUNIT_CASE(cmdline_module_last),
	KUNIT_CASE(cmdline_module_none),
	KUNIT_CASE(cmdline_module_unterminated),
	{}
};

static struct kunit_suite igloo_kmods_names_suite = {
	.name = "igloo_kmods_names",
	.test_cases = igloo_kmods_names_cases,
};

/* --- igloo_kmods_lists ---------------------------------------------------- */

struct ikt_lists {
	struct kmods_list *list;	/* parsed into */
	struct kmods_list *sentinel;	/* what @list held before */
	struct kmods_list *other;
};

/* Room for the largest list of the longest names. */
#define IKT_LIST_BYTES	(sizeof(struct kmods_list) + KMODS_LIST_MAX * \
			 (2 * sizeof(char *) + MODULE_NAME_LEN))

static int ikt_lists_init(struct kunit *test)
{
	struct ikt_lists *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	if (!l)
		return -ENOMEM;
	test->priv = l;
	/* Over a megabyte each: vmalloc, freed by ikt_lists_exit(). */
	l->list = vmalloc(IKT_LIST_BYTES);
	l->sentinel = vmalloc(IKT_LIST_BYTES);
	l->other = vzalloc(IKT_LIST_BYTES);
	if (!l->list || !l->sentinel || !l->other)
		return -ENOMEM;
	memset(l->sentinel, 0xa5, IKT_LIST_BYTES);
	return 0;
}

static void ikt_lists_exit(struct kunit *test)
{
	struct ikt_lists *l = test->priv;

	if (!l)
		return;
	vfree(l->list);
	vfree(l->sentinel);
	vfree(l->other);
}

/*
 * Parse @text (copied to an exact-size buffer), appended to @base if
 * not NULL, into a list that holds a sentinel; a failed parse must leave
 * the sentinel alone, and a good one use what kmods_list_size() said.
 */
static int ikt_parse_onto(struct kunit *test, const struct kmods_list *base,
			  const char *text)
{
	struct ikt_lists *l = test->priv;
	char *copy = ikt_exact(test, text, strlen(text) + 1);
	size_t size = 0;
	int err;

	memcpy(l->list, l->sentinel, IKT_LIST_BYTES);
	KUNIT_EXPECT_EQ(test, kmods_list_size(base, copy, &size),
			kmods_list_parse(base, copy, l->list, IKT_LIST_BYTES));
	err = kmods_list_size(base, copy, &size);
	if (err)
		KUNIT_EXPECT_TRUE_MSG(test, !memcmp(l->list, l->sentinel,
						    IKT_LIST_BYTES),
				      "failed parse (%d) of \"%s\" changed the list",
				      err, text);
	else
		KUNIT_EXPECT_EQ(test, l->list->size, size);
	return err;
}

static int ikt_parse(struct kunit *test, const char *text)
{
	return ikt_parse_onto(test, NULL, text);
}

static void ikt_expect_list(struct kunit *test, const char * const *want,
			    unsigned int count)
{
	struct ikt_lists *l = test->priv;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, l->list->count, count);
	for (i = 0; i < count; i++)
		KUNIT_EXPECT_STREQ(test, l->list->names[i], want[i]);
}

#define IKT_LIST(test, ...)						\
	ikt_expect_list(test, (const char * const []){ __VA_ARGS__ },	\
			ARRAY_SIZE(((const char * const []){ __VA_ARGS__ })))

static void list_parse_empty(struct kunit *test)
{
	struct ikt_lists *l = test->priv;

	KUNIT_EXPECT_EQ(test, ikt_parse(test, ""), 0);
	KUNIT_EXPECT_EQ(test, l->list->count, 0);
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "\n"), 0);
	KUNIT_EXPECT_EQ(test, l->list->count, 0);
	KUNIT_EXPECT_EQ(test, ikt_parse(test, " \t\r\n "), 0);
	KUNIT_EXPECT_EQ(test, l->list->count, 0);
}

static void list_parse_spaces(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "wireguard, nf_conntrack\n"), 0);
	IKT_LIST(test, "wireguard", "nf_conntrack");
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "  a ,\tb\t,\r\nc\t\n"), 0);
	IKT_LIST(test, "a", "b", "c");
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "single"), 0);
	IKT_LIST(test, "single");
}

static void list_parse_duplicates(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "a,b,a"), 0);
	IKT_LIST(test, "a", "b");
	/* Only a name repeated byte for byte is dropped. */
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "nf-nat,x,nf_nat,nf-nat"), 0);
	IKT_LIST(test, "nf-nat", "x", "nf_nat");
}

static void list_parse_trailing_comma(struct kunit *test)
{
	struct ikt_lists *l = test->priv;

	KUNIT_EXPECT_EQ(test, ikt_parse(test, "a,"), 0);
	IKT_LIST(test, "a");
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "a,\n"), 0);
	IKT_LIST(test, "a");
	KUNIT_EXPECT_EQ(test, ikt_parse(test, ",,a,, ,b"), 0);
	IKT_LIST(test, "a", "b");
	KUNIT_EXPECT_EQ(test, ikt_parse(test, " , , "), 0);
	KUNIT_EXPECT_EQ(test, l->list->count, 0);
}

static void list_parse_inner_space(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "a b"), -EINVAL);
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "x,a b,y"), -EINVAL);
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "a\tb"), -EINVAL);
}

static void list_parse_overlong_name(struct kunit *test)
{
	char *longest = ikt_name_of_len(test, MODULE_NAME_LEN - 1);
	char *too_long = ikt_name_of_len(test, MODULE_NAME_LEN);
	char text[2 * MODULE_NAME_LEN];

	snprintf(text, sizeof(text), " %s ,b", longest);
	KUNIT_EXPECT_EQ(test, ikt_parse(test, text), 0);
	IKT_LIST(test, longest, "b");
	snprintf(text, sizeof(text), "b,%s", too_long);
	KUNIT_EXPECT_EQ(test, ikt_parse(test, text), -EINVAL);
}

/* "m0<sep>m1<sep>...": @count distinct names. */
static char *ikt_many_names(struct kunit *test, unsigned int count,
			    const char *sep)
{
	size_t size = count * (8 + strlen(sep)) + 1, pos = 0;
	char *text = kunit_kzalloc(test, size, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, text);
	for (i = 0; i < count; i++)
		pos += scnprintf(text + pos, size - pos, "%sm%u",
				 i ? sep : "", i);
	return text;
}

static void list_parse_max_entries(struct kunit *test)
{
	struct ikt_lists *l = test->priv;
	char want[16];
	unsigned int i;

	KUNIT_EXPECT_EQ(test,
			ikt_parse(test, ikt_many_names(test, KMODS_LIST_MAX, ",")),
			0);
	KUNIT_ASSERT_EQ(test, l->list->count, KMODS_LIST_MAX);
	for (i = 0; i < KMODS_LIST_MAX; i++) {
		snprintf(want, sizeof(want), "m%u", i);
		KUNIT_EXPECT_STREQ(test, l->list->names[i], want);
	}
	KUNIT_EXPECT_EQ(test,
			ikt_parse(test,
				  ikt_many_names(test, KMODS_LIST_MAX, " , ")),
			0);
	KUNIT_EXPECT_EQ(test, l->list->count, KMODS_LIST_MAX);
}

static void list_parse_too_many_entries(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test,
			ikt_parse(test,
				  ikt_many_names(test, KMODS_LIST_MAX + 1, ",")),
			-EINVAL);
}

static void list_parse_invalid_chars(struct kunit *test)
{
	static const char * const bad[] = {
		"foo.ko", "a,foo.ko", "/lib/modules/x", "a/b", "caf\xc3\xa9",
		"a,\xff", "a;b", "a\vb", "a\x01", "a=1", "*", "\x80",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, ikt_parse(test, bad[i]), -EINVAL,
				    "bad[%zu]", i);
}

static void list_parse_error_keeps_list(struct kunit *test)
{
	struct ikt_lists *l = test->priv;

	/* A real list, then bad writes: it stays as it was. */
	KUNIT_ASSERT_EQ(test, kmods_list_parse(NULL, "keep,me", l->list,
					       IKT_LIST_BYTES), 0);
	memcpy(l->sentinel, l->list, IKT_LIST_BYTES);
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "ok,bad name"), -EINVAL);
	KUNIT_EXPECT_EQ(test, ikt_parse(test, "ok,x.ko"), -EINVAL);
	KUNIT_EXPECT_EQ(test,
			ikt_parse(test,
				  ikt_many_names(test, KMODS_LIST_MAX + 1, ",")),
			-EINVAL);
	IKT_LIST(test, "keep", "me");
}

static void list_format_round_trip(struct kunit *test)
{
	static const char * const texts[] = {
		"", "a", "wireguard, nf_conntrack\n", "a-b,a_b, c ,,d,",
		"igloo,igloo-kmods,dummy",
	};
	struct ikt_lists *l = test->priv;
	size_t size = KMODS_LIST_MAX * MODULE_NAME_LEN;
	char *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	unsigned int i, j;
	int len;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		KUNIT_ASSERT_EQ(test, ikt_parse(test, texts[i]), 0);
		len = kmods_list_format(l->list, buf, size);
		KUNIT_EXPECT_EQ(test, len, (int)strlen(buf));
		KUNIT_ASSERT_EQ(test, kmods_list_parse(NULL, buf, l->other,
						       IKT_LIST_BYTES), 0);
		KUNIT_ASSERT_EQ(test, l->other->count, l->list->count);
		for (j = 0; j < l->list->count; j++)
			KUNIT_EXPECT_STREQ(test, l->other->names[j],
					   l->list->names[j]);
	}
	KUNIT_ASSERT_EQ(test, ikt_parse(test, " x , y-z ,"), 0);
	KUNIT_EXPECT_EQ(test, kmods_list_format(l->list, buf, size), 5);
	KUNIT_EXPECT_STREQ(test, buf, "x,y-z");
}

static void list_format_small_buffer(struct kunit *test)
{
	struct ikt_lists *l = test->priv;
	char *buf = kunit_kmalloc(test, 7, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, ikt_parse(test, "abc,de"), 0);
	memset(buf, 'x', 7);
	KUNIT_EXPECT_EQ(test, kmods_list_format(l->list, buf, 6), -ENOSPC);
	KUNIT_EXPECT_EQ(test, buf[0], '\0');
	memset(buf, 'x', 7);
	KUNIT_EXPECT_EQ(test, kmods_list_format(l->list, buf, 0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, buf[0], 'x');
	KUNIT_EXPECT_EQ(test, kmods_list_format(l->list, buf, 7), 6);
	KUNIT_EXPECT_STREQ(test, buf, "abc,de");
}

static void list_allows_exact_or_kbuild(struct kunit *test)
{
	struct ikt_lists *l = test->priv;

	KUNIT_ASSERT_EQ(test, ikt_parse(test, "snd-hda-intel,nf_nat"), 0);
	KUNIT_EXPECT_TRUE(test, kmods_list_allows(l->list, "snd-hda-intel"));
	KUNIT_EXPECT_TRUE(test, kmods_list_allows(l->list, "snd_hda_intel"));
	KUNIT_EXPECT_FALSE(test, kmods_list_allows(l->list, "snd-hda_intel"));
	KUNIT_EXPECT_TRUE(test, kmods_list_allows(l->list, "nf_nat"));
	KUNIT_EXPECT_FALSE(test, kmods_list_allows(l->list, "nf-nat"));
	KUNIT_EXPECT_FALSE(test, kmods_list_allows(NULL, "nf_nat"));
}

static void list_contains_folds(struct kunit *test)
{
	struct ikt_lists *l = test->priv;

	KUNIT_ASSERT_EQ(test, ikt_parse(test, "nf-nat,dummy"), 0);
	KUNIT_EXPECT_TRUE(test, kmods_list_contains(l->list, "nf_nat"));
	KUNIT_EXPECT_TRUE(test, kmods_list_contains(l->list, "nf-nat"));
	KUNIT_EXPECT_TRUE(test, kmods_list_contains(l->list, "dummy"));
	KUNIT_EXPECT_FALSE(test, kmods_list_contains(l->list, "dumm"));
	KUNIT_EXPECT_FALSE(test, kmods_list_contains(l->list, "dummy0"));
	KUNIT_EXPECT_FALSE(test, kmods_list_contains(l->list, ""));
	KUNIT_EXPECT_FALSE(test, kmods_list_contains(NULL, "dummy"));
}

static void list_append(struct kunit *test)
{
	struct ikt_lists *l = test->priv;

	KUNIT_ASSERT_EQ(test, kmods_list_parse(NULL, "a,b,nf-nat", l->other,
					       IKT_LIST_BYTES), 0);
	KUNIT_ASSERT_EQ(test, ikt_parse_onto(test, l->other, "c,a, nf_nat"), 0);
	IKT_LIST(test, "a", "b", "nf-nat", "c", "nf_nat");
	KUNIT_EXPECT_EQ(test, ikt_parse_onto(test, l->other, "c,x.ko"),
			-EINVAL);
	KUNIT_EXPECT_TRUE(test, kmods_list_contains(l->other, "nf_nat"));
	KUNIT_EXPECT_FALSE(test, kmods_list_contains(l->other, "c"));
}

/* 4,096 names: the last is found, the next is not, by either rule. */
static void list_lookup_4096(struct kunit *test)
{
	struct ikt_lists *l = test->priv;
	u32 hints;

	KUNIT_ASSERT_EQ(test, ikt_parse(test, ikt_many_names(test, 4096, ",")),
			0);
	KUNIT_ASSERT_EQ(test, l->list->count, 4096U);
	KUNIT_EXPECT_TRUE(test, kmods_list_allows(l->list, "m4095"));
	KUNIT_EXPECT_TRUE(test, kmods_list_contains(l->list, "m4095"));
	KUNIT_EXPECT_TRUE(test, kmods_list_allows(l->list, "m0"));
	KUNIT_EXPECT_FALSE(test, kmods_list_allows(l->list, "m4096"));
	KUNIT_EXPECT_FALSE(test, kmods_list_contains(l->list, "m4096"));
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("m4095", l->list, NULL),
			KMODS_RULE_ALLOWLIST);
	KUNIT_EXPECT_EQ(test, kmods_policy_check("ikm_mark", "m17", l->list,
						 NULL, &hints), KMODS_RULE_DEFAULT);
	KUNIT_EXPECT_EQ(test, hints, KMODS_F_ALLOW_FILE);
	KUNIT_EXPECT_EQ(test, kmods_policy_check("m17", "x17", NULL, l->list,
						 &hints), KMODS_RULE_DENYLIST);
	KUNIT_EXPECT_EQ(test, hints, KMODS_F_DENY_MODULE);
}

static struct kunit_case igloo_kmods_lists_cases[] = {
	KUNIT_CASE(list_parse_empty),
	KUNIT_CASE(list_parse_spaces),
	KUNIT_CASE(list_parse_duplicates),
	KUNIT_CASE(list_allows_exact_or_kbuild),
	KUNIT_CASE(list_parse_trailing_comma),
	KUNIT_CASE(list_parse_inner_space),
	KUNIT_CASE(list_parse_overlong_name),
	KUNIT_CASE(list_parse_max_entries),
	KUNIT_CASE(list_parse_too_many_entries),
	KUNIT_CASE(list_parse_invalid_chars),
	KUNIT_CASE(list_parse_error_keeps_list),
	KUNIT_CASE(list_format_round_trip),
	KUNIT_CASE(list_format_small_buffer),
	KUNIT_CASE(list_contains_folds),
	KUNIT_CASE(list_append),
	KUNIT_CASE(list_lookup_4096),
	{}
};

static struct kunit_suite igloo_kmods_lists_suite = {
	.name = "igloo_kmods_lists",
	.init = ikt_lists_init,
	.exit = ikt_lists_exit,
	.test_cases = igloo_kmods_lists_cases,
};

/* --- igloo_kmods_policy --------------------------------------------------- */

/* Lists parsed from @allow and @deny, for @test. */
static void ikt_policy_lists(struct kunit *test, const char *allow,
			     const char *deny, struct kmods_list **a,
			     struct kmods_list **d)
{
	size_t as = 0, ds = 0;

	KUNIT_ASSERT_EQ(test, kmods_list_size(NULL, allow, &as), 0);
	KUNIT_ASSERT_EQ(test, kmods_list_size(NULL, deny, &ds), 0);
	*a = kunit_kzalloc(test, as, GFP_KERNEL);
	*d = kunit_kzalloc(test, ds, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, *a);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, *d);
	KUNIT_ASSERT_EQ(test, kmods_list_parse(NULL, allow, *a, as), 0);
	KUNIT_ASSERT_EQ(test, kmods_list_parse(NULL, deny, *d, ds), 0);
}

static void policy_decide_no_name(struct kunit *test)
{
	struct kmods_list *a, *d;

	ikt_policy_lists(test, "dummy,igloo", "", &a, &d);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide(NULL, a, d),
			KMODS_RULE_NO_NAME);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("", a, d),
			KMODS_RULE_NO_NAME);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("dummy.ko", a, d),
			KMODS_RULE_NO_NAME);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("a/dummy", a, d),
			KMODS_RULE_NO_NAME);
	KUNIT_EXPECT_EQ(test,
			kmods_policy_decide(ikt_name_of_len(test, MODULE_NAME_LEN),
					    NULL, NULL),
			KMODS_RULE_NO_NAME);
	KUNIT_EXPECT_FALSE(test, kmods_rule_allows(KMODS_RULE_NO_NAME));
}

static void policy_decide_builtin_beats_denylist(struct kunit *test)
{
	static const char * const names[] = { "igloo", "igloo_kmods" };
	struct kmods_list *a, *d;
	size_t i;

	ikt_policy_lists(test, "igloo", "igloo,igloo_kmods", &a, &d);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		KUNIT_EXPECT_EQ(test, kmods_policy_decide(names[i], NULL, d),
				KMODS_RULE_BUILTIN);
		KUNIT_EXPECT_EQ(test, kmods_policy_decide(names[i], a, d),
				KMODS_RULE_BUILTIN);
		KUNIT_EXPECT_EQ(test, kmods_policy_decide(names[i], NULL, NULL),
				KMODS_RULE_BUILTIN);
	}
	/* Only those exact names: igloo-kmods is another module. */
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("igloo-kmods", NULL, NULL),
			KMODS_RULE_DEFAULT);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("igloo-kmods", a, d),
			KMODS_RULE_DENYLIST);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("igloo_kmods2", NULL, NULL),
			KMODS_RULE_DEFAULT);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("IGLOO", NULL, NULL),
			KMODS_RULE_DEFAULT);
	KUNIT_EXPECT_TRUE(test, kmods_rule_allows(KMODS_RULE_BUILTIN));
}

static void policy_decide_denylist_beats_allowlist(struct kunit *test)
{
	struct kmods_list *a, *d;

	ikt_policy_lists(test, "a,nf_nat,b", "nf-nat", &a, &d);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("nf_nat", a, d),
			KMODS_RULE_DENYLIST);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("nf-nat", a, d),
			KMODS_RULE_DENYLIST);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("nf_nat", NULL, d),
			KMODS_RULE_DENYLIST);
	KUNIT_EXPECT_FALSE(test, kmods_rule_allows(KMODS_RULE_DENYLIST));
}

static void policy_decide_allowlist(struct kunit *test)
{
	struct kmods_list *a, *d;

	ikt_policy_lists(test, "a,nf_nat,b", "c", &a, &d);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("nf_nat", a, d),
			KMODS_RULE_ALLOWLIST);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("nf-nat", a, d),
			KMODS_RULE_DEFAULT);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("b", a, NULL),
			KMODS_RULE_ALLOWLIST);
	KUNIT_EXPECT_TRUE(test, kmods_rule_allows(KMODS_RULE_ALLOWLIST));
}

static void policy_decide_default_blocks(struct kunit *test)
{
	struct kmods_list *a, *d;

	ikt_policy_lists(test, "a", "b", &a, &d);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("c", a, d),
			KMODS_RULE_DEFAULT);
	KUNIT_EXPECT_EQ(test, kmods_policy_decide("c", NULL, NULL),
			KMODS_RULE_DEFAULT);
	KUNIT_EXPECT_FALSE(test, kmods_rule_allows(KMODS_RULE_DEFAULT));
}

static void policy_rule_allows(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, kmods_rule_allows(KMODS_RULE_BUILTIN));
	KUNIT_EXPECT_TRUE(test, kmods_rule_allows(KMODS_RULE_ALLOWLIST));
	KUNIT_EXPECT_FALSE(test, kmods_rule_allows(KMODS_RULE_DENYLIST));
	KUNIT_EXPECT_FALSE(test, kmods_rule_allows(KMODS_RULE_DEFAULT));
	KUNIT_EXPECT_FALSE(test, kmods_rule_allows(KMODS_RULE_NO_NAME));
	KUNIT_EXPECT_FALSE(test, kmods_rule_allows(KMODS_RULE_UNPRIVILEGED));
	KUNIT_EXPECT_FALSE(test, kmods_rule_allows(KMODS_RULE_FAKED));
	KUNIT_EXPECT_FALSE(test, kmods_rule_allows(KMODS_RULE_LOCKED));
}

static struct kunit_case igloo_kmods_policy_cases[] = {
	KUNIT_CASE(policy_decide_no_name),
	KUNIT_CASE(policy_decide_builtin_beats_denylist),
	KUNIT_CASE(policy_decide_denylist_beats_allowlist),
	KUNIT_CASE(policy_decide_allowlist),
	KUNIT_CASE(policy_decide_default_blocks),
	KUNIT_CASE(policy_rule_allows),
	{}
};

static struct kunit_suite igloo_kmods_policy_suite = {
	.name = "igloo_kmods_policy",
	.test_cases = igloo_kmods_policy_cases,
};

/* --- igloo_kmods_elf ------------------------------------------------------ */

/* Images from the minimal ELF writer in ../elf-image.h. */
#define IKT_MODINFO(s) .modinfo = (s), .modinfo_len = sizeof(s) - 1

/* Build the image @spec describes, in memory allocated for @test. */
static void ikt_elf_build(struct kunit *test, const struct elfimg_spec *spec,
			  struct elfimg *elf)
{
	/* Too big for the kernel stack. */
	struct elfimg_scratch *scratch;

	scratch = kunit_kzalloc(test, sizeof(*scratch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, scratch);
	KUNIT_ASSERT_EQ(test, elfimg_layout(spec, elf, scratch), 0);
	/* Exactly the image's size: KASAN sees any read past its end. */
	elf->buf = kunit_kzalloc(test, elf->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, elf->buf);
	elfimg_write(spec, elf, scratch);
	kunit_kfree(test, scratch);
}

/* An image as kmods_image_name() reads it, through ikt_image_read(). */
struct ikt_image {
	struct kunit *test;
	const u8 *data;
	u64 size;
	unsigned int calls;
	unsigned int fail_at;	/* 1-based call that fails; 0 for none */
	int fail_err;
};

/* The read callback: a read outside [0, size) fails the test. */
static int ikt_image_read(void *ctx, u64 off, void *buf, size_t len)
{
	struct ikt_image *ti = ctx;

	ti->calls++;
	if (off >= ti->size || len > ti->size - off) {
		KUNIT_FAIL(ti->test, "read of %zu bytes at %llu, image size %llu",
			   len, off, ti->size);
		return -EDOM;
	}
	if (ti->calls == ti->fail_at)
		return ti->fail_err;
	memcpy(buf, ti->data + off, len);
	return 0;
}

/* What the last ikt_name() call read. */
struct ikt_result {
	char name[KMODS_NAME_LEN];
	enum kmods_name_source src;
};

/* As a scratch size: the image in memory (kmods_image.base). */
#define IKT_IN_MEMORY	((size_t)-1)

/*
 * kmods_image_name() with a scratch of exactly @scratch_size bytes, or on
 * the image in memory (IKT_IN_MEMORY), as the module reads the kernel's
 * copy of an image.
 */
static int ikt_name_scratch(struct kunit *test, struct ikt_image *ti,
			    size_t size, size_t scratch_size, char *name,
			    size_t name_size, enum kmods_name_source *src)
{
	struct kmods_image img = { .read = ikt_image_read, .ctx = ti,
				   .size = size };
	int err;

	if (scratch_size == IKT_IN_MEMORY) {
		img.base = ti->data;
	} else if (scratch_size) {
		img.scratch = kunit_kmalloc(test, scratch_size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, img.scratch);
		img.scratch_size = scratch_size;
	}
	memset(name, 0x5a, name_size ? name_size : 1);
	ti->calls = 0;
	err = kmods_image_name(&img, name, name_size, src);
	if (img.scratch)
		kunit_kfree(test, img.scratch);
	return err;
}

/*
 * kmods_image_name() on the first @size bytes of @data (at most the
 * buffer's size), with a name buffer of exactly @name_size bytes and a
 * scratch of KMODS_SCRATCH_SIZE bytes, as the module reads files;
 * @ti->calls counts that run's reads. When no read is made to fail, it is
 * read again without scratch, with a small one and in memory, for the
 * same result.
 */
static int ikt_name_ex(struct kunit *test, const void *data, size_t size,
		       struct ikt_image *ti, size_t name_size,
		       struct ikt_result *res)
{
	static const size_t other_scratch[] = { 0, 97, IKT_IN_MEMORY };
	char *name = kunit_kmalloc(test, name_size ? name_size : 1,
				   GFP_KERNEL);
	char *name2 = kunit_kmalloc(test, name_size ? name_size : 1,
				    GFP_KERNEL);
	unsigned int calls, fail_at = ti->fail_at;
	enum kmods_name_source src2;
	int err, err2;
	size_t i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, name2);
	ti->test = test;
	ti->data = data;
	ti->size = size;
	res->src = KMODS_NAME_NONE;
	err = ikt_name_scratch(test, ti, size, KMODS_SCRATCH_SIZE, name,
			       name_size, &res->src);
	calls = ti->calls;
	ti->fail_at = 0;
	for (i = 0; !fail_at && i < ARRAY_SIZE(other_scratch); i++) {
		src2 = KMODS_NAME_NONE;
		err2 = ikt_name_scratch(test, ti, size, other_scratch[i], name2,
					name_size, &src2);
		KUNIT_EXPECT_EQ_MSG(test, err2, err,
				    "scratch of %zd bytes (-1: in memory)",
				    other_scratch[i]);
		if (!err && !err2) {
			KUNIT_EXPECT_EQ(test, src2, res->src);
			KUNIT_EXPECT_STREQ(test, name2, name);
		}
	}
	ti->fail_at = fail_at;
	ti->calls = calls;
	if (!err)
		strscpy(res->name, name, sizeof(res->name));
	else
		res->name[0] = '\0';
	kunit_kfree(test, name);
	kunit_kfree(test, name2);
	return err;
}

static int ikt_name(struct kunit *test, const void *data, size_t size,
		    struct ikt_result *res)
{
	struct ikt_image ti = {};

	return ikt_name_ex(test, data, size, &ti, KMODS_NAME_LEN, res);
}

static int ikt_elf_name(struct kunit *test, const struct elfimg *elf,
			struct ikt_result *res)
{
	return ikt_name(test, elf->buf, elf->size, res);
}

static int ikt_spec_name(struct kunit *test, const struct elfimg_spec *spec,
			 struct ikt_result *res)
{
	struct elfimg elf;

	ikt_elf_build(test, spec, &elf);
	return ikt_elf_name(test, &elf, res);
}

#define IKT_MODINFO_DUMMY "license=GPL\0description=Dummy netdevice\0" \
			  "alias=rtnl-link-dummy\0depends=\0name=dummy\0" \
			  "vermagic=6.1.0 SMP mod_unload \0"

/* The four layouts: 64- and 32-bit, little- and big-endian. */
static const struct {
	const char *desc;
	bool is64;
	bool msb;
} ikt_layouts[] = {
	{ "ELF64 LSB", true, false },
	{ "ELF64 MSB", true, true },
	{ "ELF32 LSB", false, false },
	{ "ELF32 MSB", false, true },
};

static void image_name_valid(struct kunit *test)
{
	struct elfimg_spec spec = {
		IKT_MODINFO(IKT_MODINFO_DUMMY), .mod_name = "dummy",
		.text_bss = true,
	};
	struct ikt_result res;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ikt_layouts); i++) {
		spec.is64 = ikt_layouts[i].is64;
		spec.msb = ikt_layouts[i].msb;
		KUNIT_EXPECT_EQ_MSG(test, ikt_spec_name(test, &spec, &res), 0,
				    "%s", ikt_layouts[i].desc);
		KUNIT_EXPECT_STREQ_MSG(test, res.name, "dummy", "%s",
				       ikt_layouts[i].desc);
		KUNIT_EXPECT_EQ_MSG(test, res.src, KMODS_NAME_MODINFO, "%s",
				    ikt_layouts[i].desc);
	}
}

static void image_name_this_module_only(struct kunit *test)
{
	struct elfimg_spec spec = { .mod_name = "only_mod" };
	struct ikt_result res;
	struct elfimg elf;
	size_t i;
	u64 off;

	for (i = 0; i < ARRAY_SIZE(ikt_layouts); i++) {
		spec.is64 = ikt_layouts[i].is64;
		spec.msb = ikt_layouts[i].msb;
		ikt_elf_build(test, &spec, &elf);
		/* The name sits at 24 (64-bit) or 12 (32-bit). */
		off = elfimg_get_sh(&elf, elf.mod, ELFIMG_SH_OFFSET);
		KUNIT_EXPECT_EQ(test, memcmp(elf.buf + off + (spec.is64 ? 24 : 12),
					     "only_mod", 9), 0);
		KUNIT_EXPECT_EQ_MSG(test, ikt_elf_name(test, &elf, &res), 0,
				    "%s", ikt_layouts[i].desc);
		KUNIT_EXPECT_STREQ(test, res.name, "only_mod");
		KUNIT_EXPECT_EQ(test, res.src, KMODS_NAME_THIS_MODULE);
	}
	/* A .modinfo without name= leaves this_module to name it. */
	spec.modinfo = "license=GPL";
	spec.modinfo_len = sizeof("license=GPL");
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), 0);
	KUNIT_EXPECT_STREQ(test, res.name, "only_mod");
	KUNIT_EXPECT_EQ(test, res.src, KMODS_NAME_THIS_MODULE);
}

static void image_name_modinfo_only(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = true,
				    IKT_MODINFO("license=GPL\0name=foo\0") };
	struct ikt_result res;

	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), 0);
	KUNIT_EXPECT_STREQ(test, res.name, "foo");
	KUNIT_EXPECT_EQ(test, res.src, KMODS_NAME_MODINFO);
}

static void image_name_no_modinfo(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = true, .text_bss = true };
	struct ikt_result res;

	/* Neither .modinfo nor this_module: no name. */
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -ENOENT);
	spec = (struct elfimg_spec){ .is64 = true, .msb = true,
				     IKT_MODINFO("license=GPL\0alias=x\0") };
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -ENOENT);
	/* "name=" inside another entry is not a name entry. */
	spec = (struct elfimg_spec){ .is64 = true,
				     IKT_MODINFO("xname=foo\0alias=name=foo\0") };
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -ENOENT);
}

static void image_name_names_differ(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = true,
				    IKT_MODINFO("name=allowed_mod\0"),
				    .mod_name = "evil" };
	struct ikt_result res;

	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	spec.is64 = false;
	spec.msb = true;
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	/* A prefix is not the same name either. */
	spec.mod_name = "allowed_mo";
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	/* '-' and '_' are: .modinfo's spelling is returned. */
	spec = (struct elfimg_spec){ .is64 = true, IKT_MODINFO("name=nf-nat\0"),
				     .mod_name = "nf_nat" };
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), 0);
	KUNIT_EXPECT_STREQ(test, res.name, "nf-nat");
}

static bool ikt_need_answer;
static char ikt_need_name[KMODS_NAME_LEN];

static bool ikt_need_modinfo(const struct kmods_image *img, const char *name)
{
	strscpy(ikt_need_name, name, sizeof(ikt_need_name));
	return ikt_need_answer;
}

/*
 * need_modinfo, as the module answers it for a name its policy refuses:
 * .modinfo is not read, this_module names the image, in all four layouts,
 * whether .modinfo's name agrees, disagrees or is bad.
 */
static void image_name_need_modinfo(struct kunit *test)
{
	static const char *const infos[] = { "name=evil", "name=a/b",
					     "name=allowed_mod" };
	struct elfimg_spec spec = { .mod_name = "evil" };
	struct ikt_image ti = { .test = test };
	struct kmods_image img = { .read = ikt_image_read, .ctx = &ti,
				   .need_modinfo = ikt_need_modinfo };
	enum kmods_name_source src;
	char name[KMODS_NAME_LEN];
	unsigned int i, j;
	struct elfimg elf;

	for (i = 0; i < ARRAY_SIZE(ikt_layouts); i++) {
		for (j = 0; j < ARRAY_SIZE(infos); j++) {
			spec.is64 = ikt_layouts[i].is64;
			spec.msb = ikt_layouts[i].msb;
			spec.modinfo = infos[j];
			spec.modinfo_len = strlen(infos[j]) + 1;
			ikt_elf_build(test, &spec, &elf);
			ti.data = elf.buf;
			ti.size = elf.size;
			img.size = elf.size;
			ikt_need_answer = false;
			ikt_need_name[0] = '\0';
			KUNIT_EXPECT_EQ(test, kmods_image_name(&img, name,
							       sizeof(name),
							       &src), 0);
			KUNIT_EXPECT_STREQ(test, ikt_need_name, "evil");
			KUNIT_EXPECT_STREQ(test, name, "evil");
			KUNIT_EXPECT_EQ(test, src, KMODS_NAME_THIS_MODULE);
			ikt_need_answer = true;
			KUNIT_EXPECT_EQ(test, kmods_image_name(&img, name,
							       sizeof(name),
							       &src),
					j ? -EBADMSG : 0);
		}
	}
}

static void image_name_not_elf(struct kunit *test)
{
	static const char * const magics[] = {
		"\xfd\x37zXZ", "\x28\xb5\x2f\xfd", "\x1f\x8b\x08", "",
	};
	struct ikt_result res;
	size_t i;
	u8 *buf = kunit_kzalloc(test, 128, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(magics); i++) {
		memcpy(buf, magics[i], strlen(magics[i]));
		KUNIT_EXPECT_EQ_MSG(test, ikt_name(test, buf, 128, &res),
				    -ENOEXEC, "magic %zu", i);
	}
}

static void image_name_bad_ident(struct kunit *test)
{
	static const struct {
		u8 index;
		u8 value;
	} bad[] = {
		{ 4, 0 }, { 4, 3 },	/* EI_CLASS */
		{ 5, 0 }, { 5, 3 },	/* EI_DATA */
		{ 6, 2 },		/* EI_VERSION */
		{ 3, 'f' },		/* magic */
	};
	struct elfimg_spec spec = { .is64 = true, IKT_MODINFO("name=a\0") };
	struct ikt_result res;
	struct elfimg elf;
	size_t i;
	u8 was;

	ikt_elf_build(test, &spec, &elf);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		was = elf.buf[bad[i].index];
		elf.buf[bad[i].index] = bad[i].value;
		KUNIT_EXPECT_EQ_MSG(test, ikt_elf_name(test, &elf, &res),
				    -ENOEXEC, "bad[%zu]", i);
		elf.buf[bad[i].index] = was;
	}
}

static void image_name_truncated_header(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = false, IKT_MODINFO("name=a\0") };
	struct ikt_result res;
	struct elfimg elf;
	size_t n;

	/* Every length short of the 52-byte 32-bit header. */
	ikt_elf_build(test, &spec, &elf);
	for (n = 0; n < 52; n++)
		KUNIT_EXPECT_EQ_MSG(test,
				    ikt_name(test, ikt_exact(test, elf.buf, n),
					     n, &res),
				    -ENOEXEC, "%zu bytes", n);
	/* A 64-bit header needs 64 bytes. */
	spec.is64 = true;
	ikt_elf_build(test, &spec, &elf);
	for (n = 52; n < 64; n++)
		KUNIT_EXPECT_EQ_MSG(test,
				    ikt_name(test, ikt_exact(test, elf.buf, n),
					     n, &res),
				    -ENOEXEC, "%zu bytes", n);
}

static void image_name_truncated_anywhere(struct kunit *test)
{
	struct elfimg_spec spec = { IKT_MODINFO(IKT_MODINFO_DUMMY),
				    .mod_name = "dummy", .text_bss = true };
	struct ikt_result res;
	struct elfimg elf;
	size_t i, n;
	int err;

	/* Cut short anywhere, the section header table is past the end. */
	for (i = 0; i < ARRAY_SIZE(ikt_layouts); i++) {
		spec.is64 = ikt_layouts[i].is64;
		spec.msb = ikt_layouts[i].msb;
		ikt_elf_build(test, &spec, &elf);
		for (n = 0; n < elf.size; n++) {
			err = ikt_name(test, elf.buf, n, &res);
			if (err != -ENOEXEC)
				KUNIT_FAIL(test, "%s cut at %zu of %zu: %d",
					   ikt_layouts[i].desc, n, elf.size,
					   err);
		}
		KUNIT_EXPECT_EQ_MSG(test, ikt_elf_name(test, &elf, &res), 0,
				    "%s", ikt_layouts[i].desc);
	}
}

static void image_name_shdrs_out_of_bounds(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = true, IKT_MODINFO("name=a\0") };
	struct ikt_result res;
	struct elfimg elf;

	ikt_elf_build(test, &spec, &elf);
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, elf.shoff + 1);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, elf.size);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	/* shoff + shnum * shentsize wraps around 2^64. */
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, ~0ULL - 63);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, elf.shoff);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, elf.shnum + 1);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, 0xff00);	/* extended numbering */
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, 0);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, elf.shnum);
	elfimg_set_eh(&elf, ELFIMG_EH_SHENTSIZE, 0xffff);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHENTSIZE, 63);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHENTSIZE, 64);
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, elf.shnum);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, elf.shstrtab);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), 0);

	/* 32-bit: an entry smaller than 40 bytes; a table past the end. */
	spec.is64 = false;
	ikt_elf_build(test, &spec, &elf);
	elfimg_set_eh(&elf, ELFIMG_EH_SHENTSIZE, 39);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHENTSIZE, 40);
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, 0xffffffff);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
}

static void image_name_section_out_of_bounds(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = true, IKT_MODINFO("name=a\0"),
				    .mod_name = "a", .text_bss = true };
	struct ikt_result res;
	struct elfimg elf;
	unsigned int idx[3];
	u64 off, size;
	size_t i;

	ikt_elf_build(test, &spec, &elf);
	idx[0] = elf.modinfo;
	idx[1] = elf.text;		/* one the reader does not need */
	idx[2] = elf.shstrtab;
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		off = elfimg_get_sh(&elf, idx[i], ELFIMG_SH_OFFSET);
		size = elfimg_get_sh(&elf, idx[i], ELFIMG_SH_SIZE);
		/* Ending exactly at the end of the image is fine. */
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_SIZE, elf.size - off);
		KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), 0);
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_SIZE, elf.size - off + 1);
		KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
		/* offset + size wraps around. */
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_SIZE, ~0ULL);
		KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_SIZE, size);
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_OFFSET, elf.size + 1);
		KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_OFFSET, off);
		KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), 0);
	}
	/* NOBITS takes no file space: a huge .bss is fine. */
	elfimg_set_sh(&elf, elf.bss, ELFIMG_SH_SIZE, ~0ULL);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), 0);
	/*
	 * A name offset outside .shstrtab: the kernel's loader would read
	 * the name out of bounds (6.12 refuses it).
	 */
	elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_NAME, 0xffffffff);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	/* Unless the section is SHT_NULL, whose name means nothing. */
	elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_TYPE, 0);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), 0);
	KUNIT_EXPECT_EQ(test, res.src, KMODS_NAME_THIS_MODULE);
	/* e_shstrndx SHN_UNDEF, or a section that is no string table. */
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, 0);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, elf.text);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, elf.shstrtab);
	/* A section name table whose last byte is not a NUL. */
	elf.buf[elfimg_get_sh(&elf, elf.shstrtab, ELFIMG_SH_OFFSET) +
		elfimg_get_sh(&elf, elf.shstrtab, ELFIMG_SH_SIZE) - 1] = 'x';
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
}

/*
 * The symbol, string and relocation tables: each case of
 * elfimg_table_cases on every layout, with .rela and with .rel.
 */
static void image_name_tables(struct kunit *test)
{
	struct elfimg_spec spec = { IKT_MODINFO("name=a\0"), .mod_name = "a",
				    .symtab = true };
	const struct elfimg_table_case *tc;
	struct ikt_result res;
	unsigned int i, c;
	struct elfimg elf;

	for (i = 0; i < 2 * ARRAY_SIZE(ikt_layouts); i++) {
		spec.is64 = ikt_layouts[i / 2].is64;
		spec.msb = ikt_layouts[i / 2].msb;
		spec.rel = i & 1;
		for (c = 0; c < ARRAY_SIZE(elfimg_table_cases); c++) {
			tc = &elfimg_table_cases[c];
			ikt_elf_build(test, &spec, &elf);
			tc->apply(&elf);
			KUNIT_EXPECT_EQ_MSG(test, ikt_elf_name(test, &elf, &res),
					    tc->want, "%s, %s%s", tc->desc,
					    ikt_layouts[i / 2].desc,
					    spec.rel ? ", .rel" : "");
			kunit_kfree(test, elf.buf);
		}
	}
}

/* MIPS64 keeps a relocation's symbol in r_info's first word. */
static void image_name_reloc_mips64(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = true, IKT_MODINFO("name=a\0"),
				    .symtab = true };
	struct ikt_result res;
	struct elfimg elf;
	u8 *r_info;

	ikt_elf_build(test, &spec, &elf);
	r_info = elf.buf + elfimg_get_sh(&elf, elf.rela, ELFIMG_SH_OFFSET) + 8;
	/* ELF64_R_INFO(2, 3): symbol 2 (x86), r_sym 3 (MIPS64 LSB). */
	elfimg_put(r_info, 8, (2ULL << 32) | 3, false);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), 0);
	elfimg_put(elf.buf + 18, 2, 8, false);		/* EM_MIPS */
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), -ENOEXEC);
	elfimg_put(r_info, 8, (3ULL << 32) | 2, false);
	KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), 0);
}

static void image_name_modinfo_unterminated(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = true,
				    IKT_MODINFO("license=GPL\0name=foo") };
	struct ikt_result res;

	/* A name= entry without its NUL names the module badly. */
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	spec.mod_name = "foo";
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	spec = (struct elfimg_spec){ .is64 = false, IKT_MODINFO("name=") };
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	/* Unterminated garbage after a whole name= entry is not read. */
	spec = (struct elfimg_spec){ .is64 = true,
				     IKT_MODINFO("name=foo\0license=GPL") };
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), 0);
	KUNIT_EXPECT_STREQ(test, res.name, "foo");
	/* Unterminated garbage and no name=: this_module names it. */
	spec = (struct elfimg_spec){ .is64 = true, .mod_name = "bar",
				     IKT_MODINFO("license=GPL\0alias=x") };
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), 0);
	KUNIT_EXPECT_STREQ(test, res.name, "bar");
	KUNIT_EXPECT_EQ(test, res.src, KMODS_NAME_THIS_MODULE);
}

static void image_name_modinfo_name_too_long(struct kunit *test)
{
	char *modinfo = kunit_kzalloc(test, 300, GFP_KERNEL);
	struct elfimg_spec spec = { .is64 = true, .modinfo = modinfo };
	struct ikt_result res;
	size_t len;
	int want, err;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, modinfo);
	/* 1 to MODULE_NAME_LEN - 1 characters, nothing else. */
	for (len = 0; len < 200; len++) {
		want = len && len < MODULE_NAME_LEN ? 0 : -EBADMSG;
		memcpy(modinfo, "name=", 5);
		memset(modinfo + 5, 'n', len);
		modinfo[5 + len] = '\0';
		spec.modinfo_len = len + 6;
		err = ikt_spec_name(test, &spec, &res);
		if (err != want)
			KUNIT_FAIL(test, "name of %zu: %d, expected %d", len,
				   err, want);
	}
}

static void image_name_modinfo_long_entries(struct kunit *test)
{
	char *modinfo = kunit_kzalloc(test, 512, GFP_KERNEL);
	struct elfimg_spec spec = { .is64 = true, .modinfo = modinfo };
	struct ikt_result res;
	size_t len, pos;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, modinfo);
	/* Entries of every length before name= (crossing read chunks). */
	for (len = 0; len < 300; len++) {
		memcpy(modinfo, "description=", 12);
		pos = 12;
		memset(modinfo + pos, 'x', len);
		pos += len;
		modinfo[pos++] = '\0';
		memcpy(modinfo + pos, "name=m\0", 7);
		spec.modinfo_len = pos + 7;
		if (ikt_spec_name(test, &spec, &res) || strcmp(res.name, "m"))
			KUNIT_FAIL(test, "entry of %zu bytes before name=",
				   len + 12);
	}
}

static void image_name_modinfo_bad_chars(struct kunit *test)
{
	static const char * const bad[] = {
		"name=a/b", "name=../x", "name=a\x01", "name=\x1b[31m",
		"name=a b", "name=a.ko", "name=caf\xc3\xa9", "name=a\n",
	};
	struct elfimg_spec spec = { .is64 = true };
	struct ikt_result res;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		spec.modinfo = bad[i];
		spec.modinfo_len = strlen(bad[i]) + 1;
		KUNIT_EXPECT_EQ_MSG(test, ikt_spec_name(test, &spec, &res),
				    -EBADMSG, "bad[%zu]", i);
	}
}

static void image_name_this_module_bad(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = true, .mod_name = "a/b" };
	struct ikt_result res;

	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	spec.mod_name = "";
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	/* 56 bytes without a NUL fill the 64-bit name field. */
	spec.mod_name = ikt_name_of_len(test, MODULE_NAME_LEN);
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	spec.mod_name = ikt_name_of_len(test, MODULE_NAME_LEN - 1);
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), 0);
	/* Too small to hold the name field. */
	spec.mod_name = "a";
	spec.mod_size = 24 + 56 - 1;
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	spec.mod_size = 24 + 56;
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), 0);
	/* A bad this_module name spoils a good .modinfo name. */
	spec = (struct elfimg_spec){ .is64 = true, IKT_MODINFO("name=a\0"),
				     .mod_name = "a.b" };
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
}

/* Only SHF_ALLOC name sections count, as for the kernel's find_sec(). */
static void image_name_alloc_flags(struct kunit *test)
{
	struct elfimg_spec spec = { IKT_MODINFO(IKT_MODINFO_DUMMY),
				    .mod_name = "dummy", .text_bss = true };
	struct ikt_result res;
	struct elfimg elf;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ikt_layouts); i++) {
		spec.is64 = ikt_layouts[i].is64;
		spec.msb = ikt_layouts[i].msb;
		ikt_elf_build(test, &spec, &elf);
		KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), 0);
		KUNIT_EXPECT_EQ(test, res.src, KMODS_NAME_MODINFO);
		/* .modinfo without SHF_ALLOC is not read. */
		elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_FLAGS,
			      ELFIMG_SHF_WRITE | ELFIMG_SHF_EXECINSTR);
		KUNIT_EXPECT_EQ(test, ikt_elf_name(test, &elf, &res), 0);
		KUNIT_EXPECT_STREQ(test, res.name, "dummy");
		KUNIT_EXPECT_EQ_MSG(test, res.src, KMODS_NAME_THIS_MODULE,
				    "%s", ikt_layouts[i].desc);
		/* Nor this_module: nothing names the image. */
		elfimg_set_sh(&elf, elf.mod, ELFIMG_SH_FLAGS, ELFIMG_SHF_WRITE);
		KUNIT_EXPECT_EQ_MSG(test, ikt_elf_name(test, &elf, &res),
				    -ENOENT, "%s", ikt_layouts[i].desc);
	}
}

/* Non-ALLOC copies of both name sections, naming the module otherwise. */
static const struct elfimg_extra ikt_decoys[] = {
	{ IKT_MODINFO("name=allowed\0"), .no_alloc = true },
	{ .this_module = true, .mod_name = "allowed", .no_alloc = true },
};

static void image_name_decoy_sections(struct kunit *test)
{
	struct elfimg_spec spec = {
		IKT_MODINFO("name=evil\0"), .mod_name = "evil",
		.extra = ikt_decoys, .nr_extra = ARRAY_SIZE(ikt_decoys),
	};
	struct ikt_result res;
	size_t i;

	/* Decoys first, then the sections the kernel reads: "evil". */
	for (i = 0; i < ARRAY_SIZE(ikt_layouts); i++) {
		spec.is64 = ikt_layouts[i].is64;
		spec.msb = ikt_layouts[i].msb;
		KUNIT_EXPECT_EQ_MSG(test, ikt_spec_name(test, &spec, &res), 0,
				    "%s", ikt_layouts[i].desc);
		KUNIT_EXPECT_STREQ(test, res.name, "evil");
		KUNIT_EXPECT_EQ(test, res.src, KMODS_NAME_MODINFO);
	}
	/* Only decoys: no name. */
	spec = (struct elfimg_spec){
		.is64 = true, .extra = ikt_decoys,
		.nr_extra = ARRAY_SIZE(ikt_decoys),
	};
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -ENOENT);
}

/* Two SHF_ALLOC sections of a name: which names the module? Neither. */
static void image_name_two_name_sections(struct kunit *test)
{
	static const struct elfimg_extra modinfo_same[] = {
		{ IKT_MODINFO("name=evil\0") },
	};
	static const struct elfimg_extra modinfo_nameless[] = {
		{ IKT_MODINFO("license=GPL\0") },
	};
	static const struct elfimg_extra mod_same[] = {
		{ .this_module = true, .mod_name = "evil" },
	};
	static const struct elfimg_extra mod_differ[] = {
		{ .this_module = true, .mod_name = "allowed" },
	};
	struct elfimg_spec spec = { .is64 = true, IKT_MODINFO("name=evil\0"),
				    .mod_name = "evil", .nr_extra = 1 };
	struct ikt_result res;

	spec.extra = modinfo_same;
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	spec.extra = modinfo_nameless;
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	spec.extra = mod_same;
	spec.msb = true;
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
	spec.extra = mod_differ;
	spec.is64 = false;
	KUNIT_EXPECT_EQ(test, ikt_spec_name(test, &spec, &res), -EBADMSG);
}

static void image_name_small_buffer(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = true, IKT_MODINFO("name=dummy\0") };
	struct ikt_image ti = {};
	struct ikt_result res;
	struct elfimg elf;

	ikt_elf_build(test, &spec, &elf);
	KUNIT_EXPECT_EQ(test, ikt_name_ex(test, elf.buf, elf.size, &ti, 6, &res),
			0);
	KUNIT_EXPECT_STREQ(test, res.name, "dummy");
	KUNIT_EXPECT_EQ(test, ikt_name_ex(test, elf.buf, elf.size, &ti, 5, &res),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, ikt_name_ex(test, elf.buf, elf.size, &ti, 1, &res),
			-EBADMSG);
}

static void image_name_read_error(struct kunit *test)
{
	struct elfimg_spec spec = { .is64 = true, .msb = true,
				    IKT_MODINFO(IKT_MODINFO_DUMMY),
				    .mod_name = "dummy", .text_bss = true };
	struct ikt_image ti = {};
	struct ikt_result res;
	struct elfimg elf;
	unsigned int calls, i;
	int err;

	ikt_elf_build(test, &spec, &elf);
	KUNIT_ASSERT_EQ(test, ikt_name_ex(test, elf.buf, elf.size, &ti,
					  KMODS_NAME_LEN, &res), 0);
	calls = ti.calls;
	KUNIT_EXPECT_GT(test, calls, 3);
	/* Whichever read fails, its error is the result. */
	for (i = 1; i <= calls; i++) {
		ti.fail_at = i;
		ti.fail_err = -EFAULT;
		err = ikt_name_ex(test, elf.buf, elf.size, &ti, KMODS_NAME_LEN,
				  &res);
		if (err != -EFAULT)
			KUNIT_FAIL(test, "read %u of %u failed: %d", i, calls,
				   err);
	}
}

static struct kunit_case igloo_kmods_elf_cases[] = {
	KUNIT_CASE(image_name_valid),
	KUNIT_CASE(image_name_this_module_only),
	KUNIT_CASE(image_name_modinfo_only),
	KUNIT_CASE(image_name_no_modinfo),
	KUNIT_CASE(image_name_names_differ),
	KUNIT_CASE(image_name_need_modinfo),
	KUNIT_CASE(image_name_not_elf),
	KUNIT_CASE(image_name_bad_ident),
	KUNIT_CASE(image_name_truncated_header),
	KUNIT_CASE(image_name_truncated_anywhere),
	KUNIT_CASE(image_name_shdrs_out_of_bounds),
	KUNIT_CASE(image_name_section_out_of_bounds),
	KUNIT_CASE(image_name_tables),
	KUNIT_CASE(image_name_reloc_mips64),
	KUNIT_CASE(image_name_modinfo_unterminated),
	KUNIT_CASE(image_name_modinfo_name_too_long),
	KUNIT_CASE(image_name_modinfo_long_entries),
	KUNIT_CASE(image_name_modinfo_bad_chars),
	KUNIT_CASE(image_name_this_module_bad),
	KUNIT_CASE(image_name_alloc_flags),
	KUNIT_CASE(image_name_decoy_sections),
	KUNIT_CASE(image_name_two_name_sections),
	KUNIT_CASE(image_name_small_buffer),
	KUNIT_CASE(image_name_read_error),
	{}
};

static struct kunit_suite igloo_kmods_elf_suite = {
	.name = "igloo_kmods_elf",
	.test_cases = igloo_kmods_elf_cases,
};

/* ---- the record stream (record.c) ---- */

/* A stream of two sub-buffers of exactly one record each. */
static int ikt_records_init(struct kunit *test)
{
	memset(&kmods_stats, 0, sizeof(kmods_stats));
	kmods_next_seq = 0;
	return kmods_records_init(sizeof(struct kmods_record), 2);
}

static void ikt_records_exit(struct kunit *test)
{
	kmods_records_exit();
}

static void ikt_record_fill(struct kmods_record *rec, const char *name)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = cpu_to_le32(KMODS_REC_ATTEMPT);
	strscpy(rec->name, name, sizeof(rec->name));
}

/* Check the stamped header and checksum of a record as a reader sees it. */
static void ikt_record_check(struct kunit *test, const void *bytes, u64 seq,
			     const char *name)
{
	struct kmods_record *rec;
	u32 csum;

	rec = kunit_kmalloc(test, sizeof(*rec), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rec);
	memcpy(rec, bytes, sizeof(*rec));
	KUNIT_EXPECT_EQ(test, memcmp(rec->magic, KMODS_RECORD_MAGIC, 4), 0);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(rec->bom), KMODS_RECORD_BOM);
	KUNIT_EXPECT_EQ(test, le16_to_cpu(rec->version), KMODS_RECORD_VERSION);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(rec->size), (u32)sizeof(*rec));
	KUNIT_EXPECT_EQ(test, le32_to_cpu(rec->instance), kmods_instance);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(rec->seq), seq);
	KUNIT_EXPECT_STREQ(test, rec->name, name);
	csum = le32_to_cpu(rec->csum);
	rec->csum = 0;
	KUNIT_EXPECT_EQ(test, kmods_record_csum(rec), csum);
}

/* Sequence numbers go to written records only; a full stream drops. */
static void records_emit_seq_and_drop(struct kunit *test)
{
	struct kmods_record *rec;

	rec = kunit_kmalloc(test, sizeof(*rec), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rec);
	ikt_record_fill(rec, "first");
	KUNIT_EXPECT_EQ(test, kmods_record_emit(rec), 0ULL);
	ikt_record_fill(rec, "second");
	KUNIT_EXPECT_EQ(test, kmods_record_emit(rec), 1ULL);
	/* Two sub-buffers of one record each, no reader: full. */
	ikt_record_fill(rec, "third");
	KUNIT_EXPECT_EQ(test, kmods_record_emit(rec), KMODS_SEQ_NONE);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kmods_stats.records), 2LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&kmods_stats.dropped), 1LL);
}

static void records_bad_geometry(struct kunit *test)
{
	/* The suite's stream exists: these must fail before creating one. */
	KUNIT_EXPECT_EQ(test, kmods_records_init(sizeof(struct kmods_record) - 1,
						 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmods_records_init(4096, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, kmods_records_init(SZ_64M, 2), -EINVAL);
}

#ifdef KMODS_RELAY_TRANSPORT
/* Bytes relay_file_read() would hand a reader now, from the start. */
static size_t ikt_stream_readable(void)
{
	struct rchan_buf *buf = *per_cpu_ptr(kmods_chan->buf, 0);
	size_t size = kmods_chan->subbuf_size;
	size_t done = buf->subbufs_produced * size;
	size_t i;

	for (i = 0; i < buf->subbufs_produced; i++)
		done -= buf->padding[i % kmods_chan->n_subbufs];
	return done + min(READ_ONCE(buf->offset), size);
}

/* Where the stream's @n-th record is, with one record a sub-buffer. */
static const void *ikt_stream_record(unsigned int n)
{
	struct rchan_buf *buf = *per_cpu_ptr(kmods_chan->buf, 0);

	return buf->start + n * kmods_chan->subbuf_size;
}
#else
static size_t ikt_stream_readable(void)
{
	return kmods_ring_used();
}

static const void *ikt_stream_record(unsigned int n)
{
	return kmods_ring + n * sizeof(struct kmods_record);
}
#endif

/*
 * A reader on another CPU may read at any moment: it must never be shown
 * a slot that is not yet written, in the first sub-buffer or after a
 * switch to the next (relay_reserve() would show it at once).
 */
static void records_publish_after_write(struct kunit *test)
{
	const size_t len = sizeof(struct kmods_record);
	unsigned long flags;
	size_t before;
	void *slot;
	int i;

	for (i = 0; i < 2; i++) {
		before = ikt_stream_readable();
		spin_lock_irqsave(&kmods_record_lock, flags);
		slot = kmods_transport_slot(len);
		spin_unlock_irqrestore(&kmods_record_lock, flags);
		KUNIT_ASSERT_NOT_NULL(test, slot);
		KUNIT_EXPECT_EQ(test, ikt_stream_readable(), before);

		memset(slot, 0x5a, len);
		KUNIT_EXPECT_EQ(test, ikt_stream_readable(), before);

		spin_lock_irqsave(&kmods_record_lock, flags);
		kmods_transport_publish(len);
		spin_unlock_irqrestore(&kmods_record_lock, flags);
		KUNIT_EXPECT_EQ(test, ikt_stream_readable(), before + len);
		KUNIT_EXPECT_PTR_EQ(test, (const void *)slot,
				    ikt_stream_record(i));
	}
}

/* What a reader reads is each record as stamped. */
static void records_stream_bytes(struct kunit *test)
{
	struct kmods_record *rec;

	rec = kunit_kmalloc(test, sizeof(*rec), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rec);
	ikt_record_fill(rec, "ikm_mark");
	KUNIT_ASSERT_EQ(test, kmods_record_emit(rec), 0ULL);
	ikt_record_fill(rec, "ikm_other");
	KUNIT_ASSERT_EQ(test, kmods_record_emit(rec), 1ULL);
	ikt_record_check(test, ikt_stream_record(0), 0, "ikm_mark");
	ikt_record_check(test, ikt_stream_record(1), 1, "ikm_other");
	KUNIT_EXPECT_EQ(test, ikt_stream_readable(), 2 * sizeof(*rec));
}

/*
 * /dev/igloo_kmods' ring: its byte counters wrap (after 4 GiB of records
 * on a 32-bit kernel), and the ring is a multiple of the record size, not
 * a power of two, so a slot found from a counter modulo the ring size
 * leaves the record boundaries at the wrap and runs past the ring. A
 * ring of three records, its counters started just below the wrap of
 * their type: every slot must stay a whole record inside the ring.
 */
static void records_ring_counter_wrap(struct kunit *test)
{
	const size_t len = sizeof(struct kmods_record);
	/* The last multiple of a record below the wrap, less one record. */
	const size_t start = (SIZE_MAX / len) * len - len;
	unsigned long flags;
	size_t off;
	void *slot;
	int i;

	KUNIT_ASSERT_EQ(test, kmods_ring_alloc(3 * len), 0);
	kmods_ring_head = start;
	kmods_ring_tail = start;
	for (i = 0; i < 8; i++) {
		spin_lock_irqsave(&kmods_record_lock, flags);
		slot = kmods_ring_slot(len);
		spin_unlock_irqrestore(&kmods_record_lock, flags);
		KUNIT_ASSERT_NOT_NULL(test, slot);
		off = (char *)slot - kmods_ring;
		KUNIT_EXPECT_EQ_MSG(test, off % len, (size_t)0,
				    "record %d at ring offset %zu", i, off);
		/* Stop before a write past the ring. */
		KUNIT_ASSERT_LE_MSG(test, off + len, kmods_ring_size,
				    "record %d at ring offset %zu", i, off);
		memset(slot, 0x5a, len);
		spin_lock_irqsave(&kmods_record_lock, flags);
		kmods_ring_publish(len);
		spin_unlock_irqrestore(&kmods_record_lock, flags);
		KUNIT_EXPECT_EQ(test, kmods_ring_used(), len);
		kmods_ring_consume(len);
		KUNIT_EXPECT_EQ(test, kmods_ring_used(), (size_t)0);
	}
	/* A full ring still refuses a record across the wrap. */
	for (i = 0; i < 3; i++) {
		spin_lock_irqsave(&kmods_record_lock, flags);
		slot = kmods_ring_slot(len);
		if (slot)
			kmods_ring_publish(len);
		spin_unlock_irqrestore(&kmods_record_lock, flags);
		KUNIT_EXPECT_NOT_NULL(test, slot);
	}
	spin_lock_irqsave(&kmods_record_lock, flags);
	KUNIT_EXPECT_NULL(test, kmods_ring_slot(len));
	spin_unlock_irqrestore(&kmods_record_lock, flags);
	kmods_ring_free();
}

static struct kunit_case igloo_kmods_records_cases[] = {
	KUNIT_CASE(records_emit_seq_and_drop),
	KUNIT_CASE(records_bad_geometry),
	KUNIT_CASE(records_publish_after_write),
	KUNIT_CASE(records_stream_bytes),
	KUNIT_CASE(records_ring_counter_wrap),
	{}
};

static struct kunit_suite igloo_kmods_records_suite = {
	.name = "igloo_kmods_records",
	.init = ikt_records_init,
	.exit = ikt_records_exit,
	.test_cases = igloo_kmods_records_cases,
};

kunit_test_suites(&igloo_kmods_names_suite, &igloo_kmods_lists_suite,
		  &igloo_kmods_policy_suite, &igloo_kmods_elf_suite,
		  &igloo_kmods_records_suite);

MODULE_DESCRIPTION("KUnit tests for igloo_kmods' names, lists, policy, ELF reader and record stream");
MODULE_LICENSE("GPL");
