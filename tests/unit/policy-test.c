// SPDX-License-Identifier: GPL-2.0
/*
 * policy-test - user-space unit tests for igloo_kmods' pure logic
 * (policy.c), built with AddressSanitizer and UBSan.
 *
 * Usage: policy-test [--no-fork] [--replay DIR]...
 *        policy-test --write-seeds DIR
 *
 * Prints a plan, one "ok N - name", "not ok N - name" or
 * "ok N - name # SKIP reason" line per test case, then
 * "N passed, N failed, N skipped", and exits 1 if any case failed. A
 * --replay DIR that is missing or holds no input is a failing case. The
 * ELF cases use images made by a small in-memory ELF writer;
 * --write-seeds DIR writes a few of them to DIR as the image fuzzer's seed
 * corpus and exits.
 * Every file under each --replay DIR/{list,path,image}/ (default:
 * tests/fuzz/regressions and tests/fuzz/seeds) is replayed through that
 * fuzz harness as one more test case. Each case runs in a child process,
 * so a sanitizer report fails that case alone; --no-fork runs them all
 * in this one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy.h"
#include "../elf-image.h"
#include "../fuzz/fuzz.h"

#ifndef KMODS_FUZZ_DIR
#define KMODS_FUZZ_DIR "../fuzz"
#endif

/* Test bookkeeping */

static bool test_failed;		/* the running case has failed */
static const char *test_skip_reason;	/* the running case was skipped */

#define __printf(a, b) __attribute__((format(printf, a, b)))

static __printf(2, 3) void test_fail(int line, const char *fmt, ...);

static void test_fail(int line, const char *fmt, ...)
{
	va_list ap;

	printf("    # policy-test.c:%d: ", line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	test_failed = true;
}

static void test_skip(const char *reason)
{
	test_skip_reason = reason;
}

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			test_fail(__LINE__, "CHECK(%s) failed", #cond);	\
	} while (0)

#define CHECK_INT(got, want)						\
	do {								\
		long long _g = (got), _w = (want);			\
		if (_g != _w)						\
			test_fail(__LINE__, "%s == %lld, expected %s == %lld", \
				  #got, _g, #want, _w);			\
	} while (0)

#define CHECK_STR(got, want)						\
	do {								\
		const char *_g = (got), *_w = (want);			\
		if (!_g || strcmp(_g, _w))				\
			test_fail(__LINE__, "%s == \"%s\", expected \"%s\"", \
				  #got, _g ? _g : "(null)", _w);	\
	} while (0)

/* Replayed fuzz harnesses report a broken invariant here. */
void kmods_fuzz_fail(const char *file, int line, const char *what)
{
	printf("    # %s:%d: invariant broken: %s\n", file, line, what);
	test_failed = true;
}

/* Name helpers */

static char test_long_name[MODULE_NAME_LEN + 1];

/* A name of @len 'a's (at most MODULE_NAME_LEN), in a static buffer. */
static const char *test_name_of_len(size_t len)
{
	memset(test_long_name, 'a', len);
	test_long_name[len] = '\0';
	return test_long_name;
}

static void test_path_name(int line, const char *path, int want_err,
			   const char *want)
{
	char name[KMODS_NAME_LEN];
	int err;

	memset(name, 0x5a, sizeof(name));
	err = kmods_name_from_path(path, name, sizeof(name));
	if (err != want_err)
		test_fail(line, "kmods_name_from_path(\"%s\") == %d, expected %d",
			  path, err, want_err);
	else if (!err && strcmp(name, want))
		test_fail(line, "kmods_name_from_path(\"%s\") gave \"%s\", expected \"%s\"",
			  path, name, want);
}

#define CHECK_PATH(path, err, want) test_path_name(__LINE__, path, err, want)

static void test_name_from_path_dirs(void)
{
	CHECK_PATH("/lib/modules/6.1.0/kernel/drivers/net/dummy.ko", 0,
		   "dummy");
	CHECK_PATH("a/b/c", 0, "c");
	CHECK_PATH("./nf_conntrack.ko", 0, "nf_conntrack");
	CHECK_PATH("//x//y.ko", 0, "y");
	CHECK_PATH("/", -EINVAL, NULL);
	CHECK_PATH("dir/", -EINVAL, NULL);
	CHECK_PATH("/lib/modules/", -EINVAL, NULL);
	CHECK_PATH("/a.ko/", -EINVAL, NULL);
}

static void test_name_from_path_suffixes(void)
{
	CHECK_PATH("/m/foo.ko", 0, "foo");
	CHECK_PATH("/m/foo.ko.gz", 0, "foo");
	CHECK_PATH("/m/foo.ko.xz", 0, "foo");
	CHECK_PATH("/m/foo.ko.zst", 0, "foo");
	CHECK_PATH("/m/nf-nat.ko.xz", 0, "nf-nat");
	/* Only one suffix comes off; what is left has a '.'. */
	CHECK_PATH("/m/foo.ko.ko", -EINVAL, NULL);
	CHECK_PATH("/m/foo.ko.xz.ko", -EINVAL, NULL);
	/* Suffixes are case-sensitive. */
	CHECK_PATH("/m/foo.KO", -EINVAL, NULL);
}

static void test_name_from_path_other_suffix(void)
{
	/* .bz2 is no module suffix: the name keeps its dots. */
	CHECK_PATH("foo.ko.bz2", -EINVAL, NULL);
	CHECK_PATH("/m/foo.o", -EINVAL, NULL);
	CHECK_PATH("/m/foo.ko.", -EINVAL, NULL);
}

static void test_name_from_path_empty(void)
{
	CHECK_PATH("", -EINVAL, NULL);
}

static void test_name_from_path_no_suffix(void)
{
	CHECK_PATH("foo", 0, "foo");
	CHECK_PATH("/sbin/foo-bar_2", 0, "foo-bar_2");
}

static void test_name_from_path_bare_suffix(void)
{
	/* ".ko" alone is not stripped (nothing before it): name ".ko". */
	CHECK_PATH(".ko", -EINVAL, NULL);
	CHECK_PATH("/m/.ko", -EINVAL, NULL);
	CHECK_PATH("/m/.ko.xz", -EINVAL, NULL);
	CHECK_PATH("/m/.ko.zst", -EINVAL, NULL);
}

static void test_name_from_path_max_len(void)
{
	char path[MODULE_NAME_LEN + 16];

	/* MODULE_NAME_LEN - 1 characters: the longest name. */
	snprintf(path, sizeof(path), "/m/%s.ko",
		 test_name_of_len(MODULE_NAME_LEN - 1));
	CHECK_PATH(path, 0, test_name_of_len(MODULE_NAME_LEN - 1));
	snprintf(path, sizeof(path), "%s",
		 test_name_of_len(MODULE_NAME_LEN - 1));
	CHECK_PATH(path, 0, test_name_of_len(MODULE_NAME_LEN - 1));

	/* MODULE_NAME_LEN characters: too long, however big the buffer. */
	snprintf(path, sizeof(path), "/m/%s.ko.zst",
		 test_name_of_len(MODULE_NAME_LEN));
	CHECK_PATH(path, -ENAMETOOLONG, NULL);
	snprintf(path, sizeof(path), "%s", test_name_of_len(MODULE_NAME_LEN));
	CHECK_PATH(path, -ENAMETOOLONG, NULL);
}

static void test_name_from_path_small_buffer(void)
{
	char *name = malloc(4);		/* exact size: ASan sees overflows */

	if (!name) {
		test_fail(__LINE__, "out of memory");
		return;
	}
	CHECK_INT(kmods_name_from_path("/m/abc.ko", name, 4), 0);
	CHECK_STR(name, "abc");
	CHECK_INT(kmods_name_from_path("/m/abcd.ko", name, 4), -ENAMETOOLONG);
	CHECK_INT(kmods_name_from_path("abcdefgh", name, 4), -ENAMETOOLONG);
	CHECK_INT(kmods_name_from_path("x", name, 1), -ENAMETOOLONG);
	CHECK_INT(kmods_name_from_path("x", name, 2), 0);
	CHECK_STR(name, "x");
	CHECK_INT(kmods_name_from_path("", name, 0), -ENAMETOOLONG);
	free(name);
}

static void test_path_is_module(void)
{
	CHECK(kmods_path_is_module("a.ko"));
	CHECK(kmods_path_is_module("/m/a.ko.gz"));
	CHECK(kmods_path_is_module("/m/a.ko.xz"));
	CHECK(kmods_path_is_module("/m/a.ko.zst"));
	CHECK(!kmods_path_is_module(""));
	CHECK(!kmods_path_is_module(".ko"));
	CHECK(!kmods_path_is_module("ko"));
	CHECK(!kmods_path_is_module("a.ko.bz2"));
	CHECK(!kmods_path_is_module("a.ko/"));
	CHECK(!kmods_path_is_module("a.o"));
	CHECK(!kmods_path_is_module("a.KO"));
}

static void test_name_eq_fold(void)
{
	CHECK(kmods_name_eq("nf-nat", "nf_nat"));
	CHECK(kmods_name_eq("nf_nat", "nf-nat"));
	CHECK(kmods_name_eq("--", "__"));
	CHECK(kmods_name_eq("a_b-c", "a-b_c"));
	CHECK(kmods_name_eq("dummy", "dummy"));
	CHECK(!kmods_name_eq("Dummy", "dummy"));
	CHECK(!kmods_name_eq("a-b", "a.b"));
	CHECK(!kmods_name_eq("a-b", "a b"));
}

static void test_name_eq_prefix(void)
{
	CHECK(!kmods_name_eq("igloo", "igloo_kmods"));
	CHECK(!kmods_name_eq("igloo_kmods", "igloo"));
	CHECK(!kmods_name_eq("a-", "a"));
	CHECK(!kmods_name_eq("a", "a_"));
	CHECK(!kmods_name_eq("ab", "abc"));
	CHECK(!kmods_name_eq("abc", "ab"));
}

static void test_name_eq_empty(void)
{
	CHECK(kmods_name_eq("", ""));
	CHECK(!kmods_name_eq("", "a"));
	CHECK(!kmods_name_eq("a", ""));
	CHECK(!kmods_name_eq("", "-"));
	CHECK(!kmods_name_eq("_", ""));
}

static void test_name_valid_basic(void)
{
	CHECK(kmods_name_valid("dummy"));
	CHECK(kmods_name_valid("nf_conntrack-ftp"));
	CHECK(kmods_name_valid("ABCxyz0189"));
	CHECK(kmods_name_valid("a"));
	CHECK(kmods_name_valid("-"));
	CHECK(!kmods_name_valid(""));
}

static void test_name_valid_bad_chars(void)
{
	static const char *const bad[] = {
		"a/b", "/a", "a.b", "a.ko", ".", "a b", " a", "a ", "a\tb",
		"a\nb", "a\x01", "\x1f", "a\x7f", "caf\xc3\xa9", "\xff",
		"a\x80\x62", "a=b", "a,b", "a:b", "a*", "a%s",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (kmods_name_valid(bad[i]))
			test_fail(__LINE__, "bad[%zu] is valid", i);
	}
}

static void test_name_valid_max_len(void)
{
	CHECK(kmods_name_valid(test_name_of_len(MODULE_NAME_LEN - 1)));
	CHECK(!kmods_name_valid(test_name_of_len(MODULE_NAME_LEN)));
}

/* Command lines, as NUL-separated bytes in an exact-size heap copy. */
static const char *test_cmdline(const char *bytes, size_t len, char **copy)
{
	*copy = malloc(len ? len : 1);
	if (!*copy)
		abort();
	memcpy(*copy, bytes, len);
	return kmods_cmdline_module(*copy, len);
}

/* test_cmdline() on the bytes of @s up to its last explicit NUL. */
#define TEST_CMDLINE(s, copy) test_cmdline((s), sizeof(s) - 1, (copy))

static void test_cmdline_basic(void)
{
	char *args;
	const char *found = TEST_CMDLINE("insmod\0/a/x.ko\0p=1\0", &args);

	CHECK(found == args + 7);
	CHECK_STR(found, "/a/x.ko");
	free(args);
}

static void test_cmdline_last(void)
{
	char *args;
	const char *found =
		TEST_CMDLINE("insmod\0a.ko\0b.ko.xz\0x=1\0c.ko.gz\0y\0", &args);

	CHECK_STR(found, "c.ko.gz");
	free(args);
}

static void test_cmdline_none(void)
{
	char *args;

	CHECK(!TEST_CMDLINE("insmod\0a.ko.bz2\0.ko\0p=1\0", &args));
	free(args);
	CHECK(!TEST_CMDLINE("\0\0\0", &args));
	free(args);
}

static void test_cmdline_unterminated(void)
{
	char *args;

	/* The last argument runs off the end: ignored. */
	CHECK_STR(test_cmdline("insmod\0a.ko\0b.ko", 16, &args), "a.ko");
	free(args);
	CHECK(!test_cmdline("insmod\0b.ko", 11, &args));
	free(args);
	CHECK(!test_cmdline("b.ko", 4, &args));
	free(args);
}

static void test_cmdline_empty(void)
{
	char *args;

	CHECK(!test_cmdline("a.ko", 0, &args));
	free(args);
	CHECK(!kmods_cmdline_module(NULL, 0));
}

/* Lists */

/* Room for the largest list of the longest names. */
#define TEST_LIST_BYTES	(sizeof(struct kmods_list) + KMODS_LIST_MAX * \
			 (2 * sizeof(char *) + MODULE_NAME_LEN))

static struct kmods_list *test_list_new(void)
{
	struct kmods_list *l = malloc(TEST_LIST_BYTES);

	if (!l)
		abort();
	memset(l, 0, TEST_LIST_BYTES);
	return l;
}

/*
 * Parse (appending to @base, if any) into a list filled with a sentinel;
 * on error, check that the list still holds the sentinel, and on success
 * that kmods_list_size() asked for exactly what was used.
 */
static int test_parse_onto(int line, const struct kmods_list *base,
			   const char *text, struct kmods_list *list)
{
	static unsigned char *sentinel;
	size_t size = 0;
	int err, size_err;

	if (!sentinel) {
		sentinel = malloc(TEST_LIST_BYTES);
		if (!sentinel)
			abort();
		memset(sentinel, 0xa5, TEST_LIST_BYTES);
	}
	memcpy(list, sentinel, TEST_LIST_BYTES);
	size_err = kmods_list_size(base, text, &size);
	err = kmods_list_parse(base, text, list, TEST_LIST_BYTES);
	if (err != size_err)
		test_fail(line, "parse %d, size %d", err, size_err);
	if (err && memcmp(list, sentinel, TEST_LIST_BYTES))
		test_fail(line, "failed parse (%d) changed the list", err);
	if (!err && list->size != size)
		test_fail(line, "list uses %zu bytes, size said %zu",
			  list->size, size);
	return err;
}

static int test_parse(int line, const char *text, struct kmods_list *list)
{
	return test_parse_onto(line, NULL, text, list);
}

static void test_check_list(int line, const struct kmods_list *list,
			    const char *const *want, unsigned int count)
{
	unsigned int i;

	if (list->count != count) {
		test_fail(line, "list has %u names, expected %u", list->count,
			  count);
		return;
	}
	for (i = 0; i < count; i++) {
		if (strcmp(list->names[i], want[i]))
			test_fail(line, "name %u is \"%.*s\", expected \"%s\"",
				  i, (int)MODULE_NAME_LEN, list->names[i], want[i]);
	}
}

#define PARSE(text, list) test_parse(__LINE__, text, list)
#define CHECK_LIST(list, ...)						\
	test_check_list(__LINE__, list, (const char *const []){ __VA_ARGS__ }, \
			ARRAY_SIZE(((const char *const []){ __VA_ARGS__ })))

static struct kmods_list *test_list, *test_list2;

static void test_list_parse_empty(void)
{
	CHECK_INT(PARSE("", test_list), 0);
	CHECK_INT(test_list->count, 0);
	CHECK_INT(PARSE("\n", test_list), 0);
	CHECK_INT(test_list->count, 0);
	CHECK_INT(PARSE(" \t\r\n ", test_list), 0);
	CHECK_INT(test_list->count, 0);
}

static void test_list_parse_spaces(void)
{
	CHECK_INT(PARSE("wireguard, nf_conntrack\n", test_list), 0);
	CHECK_LIST(test_list, "wireguard", "nf_conntrack");
	CHECK_INT(PARSE("  a ,\tb\t,\r\nc\t\n", test_list), 0);
	CHECK_LIST(test_list, "a", "b", "c");
	CHECK_INT(PARSE("single", test_list), 0);
	CHECK_LIST(test_list, "single");
}

static void test_list_parse_duplicates(void)
{
	CHECK_INT(PARSE("a,b,a", test_list), 0);
	CHECK_LIST(test_list, "a", "b");
	/*
	 * Only a name repeated byte for byte is dropped: nf-nat and nf_nat
	 * are different entries (kmods_list_allows()).
	 */
	CHECK_INT(PARSE("nf-nat,x,nf_nat,nf-nat", test_list), 0);
	CHECK_LIST(test_list, "nf-nat", "x", "nf_nat");
	CHECK_INT(PARSE("a_b_c,a-b-c", test_list), 0);
	CHECK_LIST(test_list, "a_b_c", "a-b-c");
}

static void test_list_parse_empty_entries(void)
{
	CHECK_INT(PARSE("a,", test_list), 0);
	CHECK_LIST(test_list, "a");
	CHECK_INT(PARSE("a,\n", test_list), 0);
	CHECK_LIST(test_list, "a");
	CHECK_INT(PARSE(",,a,, ,b", test_list), 0);
	CHECK_LIST(test_list, "a", "b");
	CHECK_INT(PARSE(",,,", test_list), 0);
	CHECK_INT(test_list->count, 0);
	CHECK_INT(PARSE(" , , ", test_list), 0);
	CHECK_INT(test_list->count, 0);
}

static void test_list_parse_inner_space(void)
{
	CHECK_INT(PARSE("a b", test_list), -EINVAL);
	CHECK_INT(PARSE("x,a b,y", test_list), -EINVAL);
	CHECK_INT(PARSE("a\tb", test_list), -EINVAL);
	CHECK_INT(PARSE("a\nb", test_list), -EINVAL);
}

static void test_list_parse_name_len(void)
{
	char text[2 * MODULE_NAME_LEN];

	snprintf(text, sizeof(text), " %s ,b",
		 test_name_of_len(MODULE_NAME_LEN - 1));
	CHECK_INT(PARSE(text, test_list), 0);
	CHECK_LIST(test_list, test_name_of_len(MODULE_NAME_LEN - 1), "b");
	snprintf(text, sizeof(text), "b,%s",
		 test_name_of_len(MODULE_NAME_LEN));
	CHECK_INT(PARSE(text, test_list), -EINVAL);
}

/* "m0,m1,...": @count distinct names. */
static char *test_many_names(unsigned int count, const char *sep)
{
	char *text = malloc(count * (8 + strlen(sep)) + 1);
	size_t pos = 0;
	unsigned int i;

	if (!text)
		abort();
	text[0] = '\0';
	for (i = 0; i < count; i++)
		pos += sprintf(text + pos, "%sm%u", i ? sep : "", i);
	return text;
}

static void test_list_parse_max_names(void)
{
	char *text = test_many_names(KMODS_LIST_MAX, ",");
	unsigned int i;
	char want[16];

	CHECK_INT(PARSE(text, test_list), 0);
	CHECK_INT(test_list->count, KMODS_LIST_MAX);
	for (i = 0; i < test_list->count; i++) {
		snprintf(want, sizeof(want), "m%u", i);
		CHECK_STR(test_list->names[i], want);
	}
	free(text);
	text = test_many_names(KMODS_LIST_MAX, " , ");
	CHECK_INT(PARSE(text, test_list), 0);
	CHECK_INT(test_list->count, KMODS_LIST_MAX);
	free(text);
}

static void test_list_parse_too_many(void)
{
	char *text = test_many_names(KMODS_LIST_MAX + 1, ",");

	CHECK_INT(PARSE(text, test_list), -EINVAL);
	free(text);
}

static void test_list_parse_bad_chars(void)
{
	static const char *const bad[] = {
		"foo.ko", "a,foo.ko", "/lib/modules/x", "a/b", "caf\xc3\xa9",
		"a,\xff", "a;b", "a\vb", "a\fb", "a\x01", "a=1", "*", "\x80",
	};
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err = PARSE(bad[i], test_list);
		if (err != -EINVAL)
			test_fail(__LINE__, "bad[%zu]: %d, expected -EINVAL",
				  i, err);
	}
}

static void test_list_format_round_trip(void)
{
	static const char *const texts[] = {
		"", "a", "wireguard, nf_conntrack\n", "a-b,a_b, c ,,d,",
		"igloo,igloo-kmods,dummy",
	};
	char buf[KMODS_LIST_MAX * MODULE_NAME_LEN];
	unsigned int i, j;
	int len;

	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		CHECK_INT(PARSE(texts[i], test_list), 0);
		len = kmods_list_format(test_list, buf, sizeof(buf));
		CHECK(len >= 0 && (size_t)len == strlen(buf));
		CHECK_INT(PARSE(buf, test_list2), 0);
		CHECK_INT(test_list2->count, test_list->count);
		for (j = 0; j < test_list->count && j < test_list2->count; j++)
			CHECK_STR(test_list2->names[j], test_list->names[j]);
	}
	CHECK_INT(PARSE(" x , y-z ,", test_list), 0);
	CHECK_INT(kmods_list_format(test_list, buf, sizeof(buf)), 5);
	CHECK_STR(buf, "x,y-z");
}

static void test_list_format_full(void)
{
	/* The biggest list: formats whole, round trips, not in a page. */
	size_t size = KMODS_LIST_MAX * MODULE_NAME_LEN;
	char *text = malloc(size + 1), *buf = malloc(size);
	size_t pos = 0;
	unsigned int i;
	int len;

	if (!text || !buf)
		abort();
	for (i = 0; i < KMODS_LIST_MAX; i++) {
		memset(text + pos, 'a', MODULE_NAME_LEN - 1);
		pos += MODULE_NAME_LEN - 1 - 5;
		pos += sprintf(text + pos, "%05u,", i);
	}
	text[pos] = '\0';
	CHECK_INT(PARSE(text, test_list), 0);
	CHECK_INT(test_list->count, KMODS_LIST_MAX);
	len = kmods_list_format(test_list, buf, size);
	CHECK_INT(len, KMODS_LIST_MAX * MODULE_NAME_LEN - 1);
	CHECK_INT(PARSE(buf, test_list2), 0);
	CHECK_INT(test_list2->count, KMODS_LIST_MAX);
	CHECK_INT(kmods_list_format(test_list, buf, 4096), -ENOSPC);
	free(text);
	free(buf);
}

static void test_list_format_small(void)
{
	char *buf = malloc(8);

	if (!buf)
		abort();
	CHECK_INT(PARSE("abc,de", test_list), 0);
	memset(buf, 'x', 8);
	CHECK_INT(kmods_list_format(test_list, buf, 6), -ENOSPC);
	CHECK(buf[0] == '\0');
	CHECK_INT(kmods_list_format(test_list, buf, 3), -ENOSPC);
	CHECK(buf[0] == '\0');
	memset(buf, 'x', 8);
	CHECK_INT(kmods_list_format(test_list, buf, 0), -ENOSPC);
	CHECK(buf[0] == 'x');
	CHECK_INT(kmods_list_format(test_list, buf, 7), 6);
	CHECK_STR(buf, "abc,de");

	CHECK_INT(PARSE("", test_list), 0);
	CHECK_INT(kmods_list_format(test_list, buf, 1), 0);
	CHECK_STR(buf, "");
	free(buf);
}

/*
 * An allowlist entry allows its own name and, when written with '-', the
 * name kbuild gives its file's module ('-' made '_'): never more.
 */
static void test_list_allows(void)
{
	CHECK_INT(PARSE("snd-hda-intel,nf_nat,a-b_c", test_list), 0);
	CHECK(kmods_list_allows(test_list, "snd-hda-intel"));
	CHECK(kmods_list_allows(test_list, "snd_hda_intel"));
	CHECK(!kmods_list_allows(test_list, "snd-hda_intel"));
	CHECK(!kmods_list_allows(test_list, "snd_hda-intel"));
	CHECK(kmods_list_allows(test_list, "nf_nat"));
	CHECK(!kmods_list_allows(test_list, "nf-nat"));
	CHECK(kmods_list_allows(test_list, "a-b_c"));
	CHECK(kmods_list_allows(test_list, "a_b_c"));
	CHECK(!kmods_list_allows(test_list, "a_b-c"));
	CHECK(!kmods_list_allows(test_list, "a-b-c"));
	CHECK(!kmods_list_allows(test_list, "snd_hda_intel2"));
	CHECK(!kmods_list_allows(NULL, "nf_nat"));
	CHECK_INT(kmods_policy_decide("snd_hda_intel", test_list, NULL),
		  KMODS_RULE_ALLOWLIST);
	CHECK_INT(kmods_policy_decide("a_b-c", test_list, NULL),
		  KMODS_RULE_DEFAULT);
}

static void test_list_contains(void)
{
	CHECK_INT(PARSE("nf-nat,dummy", test_list), 0);
	CHECK(kmods_list_contains(test_list, "nf_nat"));
	CHECK(kmods_list_contains(test_list, "nf-nat"));
	CHECK(kmods_list_contains(test_list, "dummy"));
	CHECK(!kmods_list_contains(test_list, "dumm"));
	CHECK(!kmods_list_contains(test_list, "dummy0"));
	CHECK(!kmods_list_contains(test_list, ""));
	CHECK(!kmods_list_contains(NULL, "dummy"));
}

/* A leading base list: its names first, repeats of them dropped. */
static void test_list_append(void)
{
	char *text;

	CHECK_INT(PARSE("a,b,nf-nat", test_list), 0);
	CHECK_INT(test_parse_onto(__LINE__, test_list, "c, a ,nf_nat,c",
				  test_list2), 0);
	CHECK_LIST(test_list2, "a", "b", "nf-nat", "c", "nf_nat");
	/* The base is untouched, and the new list does not point into it. */
	CHECK_LIST(test_list, "a", "b", "nf-nat");
	memset(test_list, 0x5a, TEST_LIST_BYTES);
	CHECK_LIST(test_list2, "a", "b", "nf-nat", "c", "nf_nat");
	CHECK(kmods_list_allows(test_list2, "nf_nat"));
	CHECK(kmods_list_contains(test_list2, "c"));
	CHECK(!kmods_list_contains(test_list2, "d"));
	/* Appending nothing copies; a bad append fails whole. */
	CHECK_INT(test_parse_onto(__LINE__, test_list2, "", test_list), 0);
	CHECK_LIST(test_list, "a", "b", "nf-nat", "c", "nf_nat");
	CHECK_INT(test_parse_onto(__LINE__, test_list, "x,y.ko", test_list2),
		  -EINVAL);
	/* The limit counts the base too. */
	text = test_many_names(KMODS_LIST_MAX, ",");
	CHECK_INT(PARSE(text, test_list), 0);
	free(text);
	CHECK_INT(test_parse_onto(__LINE__, test_list, "zz", test_list2),
		  -EINVAL);
	CHECK_INT(test_parse_onto(__LINE__, test_list, "", test_list2), 0);
	CHECK_INT(test_list2->count, KMODS_LIST_MAX);
}

/* A block too small by a byte is refused and left alone. */
static void test_list_size(void)
{
	static const char *const texts[] = {
		"", "a", "a,a,a", "wireguard, nf_conntrack\n", "x-y,x_y",
	};
	unsigned char *buf = malloc(TEST_LIST_BYTES);
	size_t size, i;

	if (!buf)
		abort();
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		CHECK_INT(kmods_list_size(NULL, texts[i], &size), 0);
		memset(buf, 0xa5, TEST_LIST_BYTES);
		CHECK_INT(kmods_list_parse(NULL, texts[i],
					   (struct kmods_list *)buf, size - 1),
			  -ENOSPC);
		CHECK(buf[0] == 0xa5 && buf[size - 2] == 0xa5);
		CHECK_INT(kmods_list_parse(NULL, texts[i],
					   (struct kmods_list *)buf, size), 0);
		CHECK(buf[size] == 0xa5);
	}
	CHECK_INT(kmods_list_size(NULL, "a b", &size), -EINVAL);
	free(buf);
}

/* The lookups as they were written before the sort: a linear model. */
static bool test_model_allows(const struct kmods_list *l, const char *name)
{
	unsigned int i;

	for (i = 0; i < l->count; i++) {
		if (!strcmp(l->names[i], name) ||
		    (!strchr(name, '-') && kmods_name_eq(l->names[i], name)))
			return true;
	}
	return false;
}

static bool test_model_has(const struct kmods_list *l, const char *name)
{
	unsigned int i;

	for (i = 0; i < l->count; i++) {
		if (!strcmp(l->names[i], name))
			return true;
	}
	return false;
}

static bool test_model_contains(const struct kmods_list *l, const char *name)
{
	unsigned int i;

	for (i = 0; i < l->count; i++) {
		if (kmods_name_eq(l->names[i], name))
			return true;
	}
	return false;
}

/*
 * 4,096 names of '-', '_' and letters, in random order: every lookup of
 * a random name (on the list or not, each separator flipped or not)
 * agrees with the linear model; the last name is found, a name not on
 * the list is not.
 */
static void test_list_large_lookup(void)
{
	static const char alpha[] = "ab-_";
	size_t cap = 4096 * 8 + 1, pos = 0;
	char *text = malloc(cap), name[8];
	unsigned int i, j, mismatch = 0;
	unsigned int seed = 12345;

	if (!text)
		abort();
	for (i = 0; i < 4096; i++) {
		for (j = 0; j < 6; j++) {
			seed = seed * 1103515245 + 12345;
			name[j] = alpha[(seed >> 16) & 3];
		}
		name[6] = '\0';
		pos += sprintf(text + pos, "%s%s", i ? "," : "", name);
	}
	CHECK_INT(PARSE(text, test_list), 0);
	CHECK(test_list->count > 2000 && test_list->count <= 4096);
	for (i = 0; i < 20000; i++) {
		for (j = 0; j < 6; j++) {
			seed = seed * 1103515245 + 12345;
			name[j] = alpha[(seed >> 16) & 3];
		}
		name[6] = '\0';
		mismatch += kmods_list_allows(test_list, name) !=
			    test_model_allows(test_list, name);
		mismatch += kmods_list_contains(test_list, name) !=
			    test_model_contains(test_list, name);
		mismatch += kmods_list_has(test_list, name) !=
			    test_model_has(test_list, name);
	}
	CHECK_INT(mismatch, 0);
	free(text);

	/* m0..m4095: the last one is found, m4096 is not. */
	text = test_many_names(4096, ",");
	CHECK_INT(PARSE(text, test_list), 0);
	CHECK_INT(test_list->count, 4096);
	CHECK(kmods_list_allows(test_list, "m4095"));
	CHECK(kmods_list_contains(test_list, "m4095"));
	CHECK(!kmods_list_allows(test_list, "m4096"));
	CHECK(!kmods_list_contains(test_list, "m4096"));
	CHECK_INT(kmods_policy_decide("m4095", test_list, NULL),
		  KMODS_RULE_ALLOWLIST);
	CHECK_INT(kmods_policy_decide("m4096", test_list, NULL),
		  KMODS_RULE_DEFAULT);
	free(text);
}

static void test_penguin_name(void)
{
	char name[MODULE_NAME_LEN];

	CHECK_INT(kmods_penguin_name("/lib/modules/foo.ko", name,
				     sizeof(name)), 0);
	CHECK_STR(name, "foo");
	CHECK_INT(kmods_penguin_name("snd-hda-intel.ko", name, sizeof(name)),
		  0);
	CHECK_STR(name, "snd-hda-intel");
	CHECK_INT(kmods_penguin_name("/x/bar", name, sizeof(name)), 0);
	CHECK_STR(name, "bar");
	/* penguin drops ".ko" only: foo.ko.xz is no list entry. */
	CHECK_INT(kmods_penguin_name("/x/foo.ko.xz", name, sizeof(name)),
		  -EINVAL);
	CHECK_INT(kmods_penguin_name("/x/.ko", name, sizeof(name)), -EINVAL);
	CHECK_INT(kmods_penguin_name("/x/", name, sizeof(name)), -EINVAL);
	CHECK_INT(kmods_penguin_name(test_name_of_len(MODULE_NAME_LEN), name,
				     sizeof(name)), -ENAMETOOLONG);
}

/* kmods_policy_check()'s hints alone; they start out all ones. */
static u32 test_hints(const char *name, const char *file,
		      const struct kmods_list *allow,
		      const struct kmods_list *deny)
{
	u32 hints = ~0U;

	kmods_policy_check(name, file, allow, deny, &hints);
	return hints;
}

static void test_policy_hints(void)
{
	CHECK_INT(PARSE("foo,snd_hda_intel,nf-nat", test_list), 0);
	CHECK_INT(PARSE("bar,evil_mod", test_list2), 0);
	/* Renamed file: the list has the file's name, not the module's. */
	CHECK_INT(test_hints("ikm_mark", "foo", test_list, NULL),
		  KMODS_F_ALLOW_FILE);
	/* The module's name, not the file's (penguin: snd-hda-intel). */
	CHECK_INT(test_hints("snd_hda_intel", "snd-hda-intel",
			     test_list, NULL), KMODS_F_ALLOW_MODULE);
	/* Both, or neither: nothing to say. */
	CHECK_INT(test_hints("nf_nat", "nf-nat", test_list, NULL), 0);
	CHECK_INT(test_hints("foo", "foo", test_list, NULL), 0);
	CHECK_INT(test_hints("other", "other2", test_list, NULL), 0);
	/* penguin matches byte for byte: nf-nat is not the file nf_nat. */
	CHECK_INT(test_hints("nf_nat", "nf_nat", test_list, NULL),
		  KMODS_F_ALLOW_MODULE);
	/* Denylist: it folds, penguin does not. */
	CHECK_INT(test_hints("ikm_mark", "bar", NULL, test_list2),
		  KMODS_F_DENY_FILE);
	CHECK_INT(test_hints("evil_mod", "evil-mod", NULL, test_list2),
		  KMODS_F_DENY_MODULE);
	CHECK_INT(test_hints("evil-mod", "x", NULL, test_list2),
		  KMODS_F_DENY_MODULE);
	CHECK_INT(test_hints("ikm_mark", "foo", test_list, test_list2),
		  KMODS_F_ALLOW_FILE);
	CHECK_INT(test_hints("foo", "bar", test_list, test_list2),
		  KMODS_F_ALLOW_MODULE | KMODS_F_DENY_FILE);
	/* No file name, no hint. */
	CHECK_INT(test_hints("foo", "", test_list, NULL), 0);
	CHECK_INT(test_hints("foo", NULL, test_list, NULL), 0);
	CHECK_INT(test_hints(NULL, "foo", test_list, NULL), 0);
	/* igloo's own modules are allowed whatever the lists say. */
	CHECK_INT(PARSE("igloo", test_list), 0);
	CHECK_INT(test_hints("igloo", "other", test_list, NULL), 0);
	/* One pass gives the rule and the hints: a denied name, both. */
	{
		u32 hints = 0;

		CHECK_INT(kmods_policy_check("foo", "bar", test_list2, test_list2,
					     &hints), KMODS_RULE_DEFAULT);
		CHECK_INT(hints, KMODS_F_ALLOW_FILE | KMODS_F_DENY_FILE);
		CHECK_INT(kmods_policy_check("evil-mod", "evil_mod", test_list2,
					     test_list2, &hints),
			  KMODS_RULE_DENYLIST);
		CHECK_INT(hints, KMODS_F_ALLOW_FILE);
		/* Denied and allowlisted: the allowlist still hints. */
		CHECK_INT(kmods_policy_check("evil_mod", "x", test_list2,
					     test_list2, &hints),
			  KMODS_RULE_DENYLIST);
		CHECK_INT(hints, KMODS_F_ALLOW_MODULE | KMODS_F_DENY_MODULE);
	}
}

/* Decisions */

static void test_decide_no_name(void)
{
	CHECK_INT(PARSE("dummy", test_list), 0);
	CHECK_INT(kmods_policy_decide(NULL, test_list, NULL),
		  KMODS_RULE_NO_NAME);
	CHECK_INT(kmods_policy_decide("", test_list, NULL),
		  KMODS_RULE_NO_NAME);
	CHECK_INT(kmods_policy_decide("dummy.ko", test_list, NULL),
		  KMODS_RULE_NO_NAME);
	CHECK_INT(kmods_policy_decide("a/dummy", test_list, NULL),
		  KMODS_RULE_NO_NAME);
	CHECK_INT(kmods_policy_decide(test_name_of_len(MODULE_NAME_LEN),
				      NULL, NULL), KMODS_RULE_NO_NAME);
	CHECK(!kmods_rule_allows(KMODS_RULE_NO_NAME));
}

static void test_decide_builtin(void)
{
	static const char *const names[] = { "igloo", "igloo_kmods" };
	size_t i;

	CHECK_INT(PARSE("igloo,igloo_kmods", test_list), 0);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		CHECK_INT(kmods_policy_decide(names[i], NULL, test_list),
			  KMODS_RULE_BUILTIN);
		CHECK_INT(kmods_policy_decide(names[i], test_list, test_list),
			  KMODS_RULE_BUILTIN);
		CHECK_INT(kmods_policy_decide(names[i], NULL, NULL),
			  KMODS_RULE_BUILTIN);
	}
	/*
	 * Only those exact names: a module named igloo-kmods is another
	 * module to the kernel. It is blocked by default, and a denylist
	 * entry igloo_kmods blocks it too.
	 */
	CHECK_INT(kmods_policy_decide("igloo-kmods", NULL, NULL),
		  KMODS_RULE_DEFAULT);
	CHECK_INT(kmods_policy_decide("igloo-kmods", test_list, test_list),
		  KMODS_RULE_DENYLIST);
	CHECK_INT(kmods_policy_decide("igloo-kmods", test_list, NULL),
		  KMODS_RULE_DEFAULT);
	CHECK_INT(kmods_policy_decide("igloo-kmods", NULL, NULL),
		  KMODS_RULE_DEFAULT);
	CHECK_INT(kmods_policy_decide("igloo_kmods2", NULL, NULL),
		  KMODS_RULE_DEFAULT);
	CHECK_INT(kmods_policy_decide("iglo", NULL, NULL), KMODS_RULE_DEFAULT);
	CHECK_INT(kmods_policy_decide("IGLOO", NULL, NULL),
		  KMODS_RULE_DEFAULT);
	CHECK(kmods_rule_allows(KMODS_RULE_BUILTIN));
}

static void test_decide_deny_beats_allow(void)
{
	CHECK_INT(PARSE("a,nf_nat,b", test_list), 0);
	CHECK_INT(PARSE("nf-nat", test_list2), 0);
	CHECK_INT(kmods_policy_decide("nf_nat", test_list, test_list2),
		  KMODS_RULE_DENYLIST);
	CHECK_INT(kmods_policy_decide("nf-nat", test_list, test_list2),
		  KMODS_RULE_DENYLIST);
	CHECK_INT(kmods_policy_decide("nf_nat", NULL, test_list2),
		  KMODS_RULE_DENYLIST);
	CHECK(!kmods_rule_allows(KMODS_RULE_DENYLIST));
}

static void test_decide_allow(void)
{
	CHECK_INT(PARSE("a,nf_nat,b", test_list), 0);
	CHECK_INT(PARSE("c", test_list2), 0);
	CHECK_INT(kmods_policy_decide("nf_nat", test_list, test_list2),
		  KMODS_RULE_ALLOWLIST);
	/* nf-nat is another module: nf_nat's entry does not allow it. */
	CHECK_INT(kmods_policy_decide("nf-nat", test_list, test_list2),
		  KMODS_RULE_DEFAULT);
	CHECK_INT(kmods_policy_decide("b", test_list, NULL),
		  KMODS_RULE_ALLOWLIST);
	CHECK(kmods_rule_allows(KMODS_RULE_ALLOWLIST));
}

static void test_decide_default(void)
{
	CHECK_INT(PARSE("a", test_list), 0);
	CHECK_INT(PARSE("b", test_list2), 0);
	CHECK_INT(kmods_policy_decide("c", test_list, test_list2),
		  KMODS_RULE_DEFAULT);
	CHECK_INT(kmods_policy_decide("c", NULL, NULL), KMODS_RULE_DEFAULT);
	CHECK_INT(PARSE("", test_list), 0);
	CHECK_INT(kmods_policy_decide("a", test_list, test_list),
		  KMODS_RULE_DEFAULT);
	CHECK(!kmods_rule_allows(KMODS_RULE_DEFAULT));
}

static void test_rule_allows(void)
{
	CHECK(kmods_rule_allows(KMODS_RULE_BUILTIN));
	CHECK(kmods_rule_allows(KMODS_RULE_ALLOWLIST));
	CHECK(!kmods_rule_allows(KMODS_RULE_DENYLIST));
	CHECK(!kmods_rule_allows(KMODS_RULE_DEFAULT));
	CHECK(!kmods_rule_allows(KMODS_RULE_NO_NAME));
	CHECK(!kmods_rule_allows(KMODS_RULE_UNPRIVILEGED));
	CHECK(!kmods_rule_allows(KMODS_RULE_FAKED));
	CHECK(!kmods_rule_allows(KMODS_RULE_LOCKED));
}

/*
 * Images from the minimal ELF writer in ../elf-image.h, in memory from
 * calloc(); test_elf_free() frees it.
 */
static void test_elf_build(const struct elfimg_spec *spec, struct elfimg *elf)
{
	struct elfimg_scratch scratch;

	if (elfimg_layout(spec, elf, &scratch))
		abort();
	elf->buf = calloc(1, elf->size);
	if (!elf->buf)
		abort();
	elfimg_write(spec, elf, &scratch);
}

/* Grow the image to @size bytes, zero-filled. */
static void test_elf_grow(struct elfimg *elf, size_t size)
{
	u8 *buf = realloc(elf->buf, size);

	if (!buf)
		abort();
	memset(buf + elf->size, 0, size - elf->size);
	elf->buf = buf;
	elf->size = size;
}

/*
 * Spread the section headers @stride bytes apart; the image ends after
 * the last one. A stride shorter than a header overlaps them: each keeps
 * its first @stride bytes (name, type, flags, address, offset and size
 * for a 40-byte stride on a 64-bit image), the next one overwrites the
 * rest (link, info, alignment, entry size).
 */
static void test_elf_restride(struct elfimg *elf, unsigned int stride)
{
	unsigned int hdr = elf->is64 ? 64 : 40;
	size_t size = elf->shoff + (size_t)(elf->shnum - 1) * stride +
		      (stride > hdr ? stride : hdr);
	u8 *buf = calloc(1, size);
	unsigned int i;

	if (!buf)
		abort();
	memcpy(buf, elf->buf, elf->shoff);
	for (i = 0; i < elf->shnum; i++)
		memcpy(buf + elf->shoff + i * stride,
		       elf->buf + elf->shoff + i * elf->shentsize, hdr);
	free(elf->buf);
	elf->buf = buf;
	elf->size = size;
	elf->shentsize = stride;
	elfimg_set_eh(elf, ELFIMG_EH_SHENTSIZE, stride);
}

static void test_elf_free(struct elfimg *elf)
{
	free(elf->buf);
	elf->buf = NULL;
}

/* Reading images */

struct test_image {
	const u8 *data;
	u64 size;
	unsigned int calls;
	unsigned int fail_at;	/* 1-based call that fails; 0 for none */
	int fail_err;
};

/* The read callback: any read outside [0, size) fails the test. */
static int test_image_read(void *ctx, u64 off, void *buf, size_t len)
{
	struct test_image *ti = ctx;

	ti->calls++;
	if (off >= ti->size || len > ti->size - off) {
		test_fail(__LINE__, "read of %zu bytes at %llu, image size %llu",
			  len, (unsigned long long)off,
			  (unsigned long long)ti->size);
		return -EDOM;
	}
	if (ti->calls == ti->fail_at)
		return ti->fail_err;
	memcpy(buf, ti->data + off, len);
	return 0;
}

/* As a scratch size: the image in memory (kmods_image.base), no scratch. */
#define TEST_IN_MEMORY	((size_t)-1)

/*
 * Scratch sizes the reader is also run with (besides KMODS_SCRATCH_SIZE):
 * none (a section header and a name at a time), too small for any
 * section table here but enough for .modinfo pieces, one that cuts
 * .modinfo entries at odd places, and the image read in place.
 */
static const size_t test_scratch_sizes[] = { 0, 62, 97, 1000,
					     TEST_IN_MEMORY };

/*
 * kmods_image_name() with a heap scratch of exactly @scratch_size bytes,
 * or on the image in memory (TEST_IN_MEMORY).
 */
static int test_image_name_scratch(struct test_image *ti, size_t size,
				   size_t scratch_size, char *name,
				   size_t name_size,
				   enum kmods_name_source *src)
{
	struct kmods_image img = { .read = test_image_read, .ctx = ti,
				   .size = size };
	int err;

	if (scratch_size == TEST_IN_MEMORY) {
		img.base = ti->data;
	} else if (scratch_size) {
		img.scratch = malloc(scratch_size);
		if (!img.scratch)
			abort();
		img.scratch_size = scratch_size;
	}
	ti->calls = 0;
	err = kmods_image_name(&img, name, name_size, src);
	free(img.scratch);
	return err;
}

/*
 * kmods_image_name() on @size bytes of @data, copied to the heap so that
 * AddressSanitizer sees any access past them, with a scratch buffer of
 * KMODS_SCRATCH_SIZE bytes as the module reads files; @ti->calls counts
 * the reads of that run. When no read is made to fail, the image is read
 * again with each of test_scratch_sizes[], which must give the same
 * result.
 */
static int test_image_name_ex(const void *data, size_t size,
			      struct test_image *ti, char *name,
			      size_t name_size, enum kmods_name_source *src)
{
	char *name2 = malloc(name_size ? name_size : 1);
	enum kmods_name_source src2;
	unsigned int calls, fail_at = ti->fail_at;
	u8 *copy = malloc(size ? size : 1);
	size_t i;
	int err, err2;

	if (!copy || !name2)
		abort();
	memcpy(copy, data, size);
	ti->data = copy;
	ti->size = size;
	err = test_image_name_scratch(ti, size, KMODS_SCRATCH_SIZE, name,
				      name_size, src);
	calls = ti->calls;
	ti->fail_at = 0;
	for (i = 0; !fail_at && i < ARRAY_SIZE(test_scratch_sizes); i++) {
		memset(name2, 0x5a, name_size);
		src2 = KMODS_NAME_NONE;
		err2 = test_image_name_scratch(ti, size, test_scratch_sizes[i],
					       name2, name_size, &src2);
		if (err2 != err || (!err && (src2 != *src ||
					     strcmp(name2, name))))
			test_fail(__LINE__, "scratch %zd (-1: in memory): %d (%s), %d: %d (%s)",
				  test_scratch_sizes[i], err2, err2 ? "" : name2,
				  KMODS_SCRATCH_SIZE, err, err ? "" : name);
	}
	ti->fail_at = fail_at;
	ti->calls = calls;
	free(copy);
	free(name2);
	ti->data = NULL;
	return err;
}

static char test_name[KMODS_NAME_LEN];
static enum kmods_name_source test_src;

static int test_image_name(const void *data, size_t size)
{
	struct test_image ti = { 0 };

	memset(test_name, 0x5a, sizeof(test_name));
	test_name[sizeof(test_name) - 1] = '\0';
	test_src = KMODS_NAME_NONE;
	return test_image_name_ex(data, size, &ti, test_name,
				  sizeof(test_name), &test_src);
}

static int test_elf_name(const struct elfimg *elf)
{
	return test_image_name(elf->buf, elf->size);
}

/* Build an image, read its name, free it. */
static int test_spec_name(const struct elfimg_spec *spec)
{
	struct elfimg elf;
	int err;

	test_elf_build(spec, &elf);
	err = test_elf_name(&elf);
	test_elf_free(&elf);
	return err;
}

#define MODINFO(s) .modinfo = (s), .modinfo_len = sizeof(s) - 1

#define TEST_MODINFO_DUMMY "license=GPL\0description=Dummy netdevice\0" \
			   "alias=rtnl-link-dummy\0depends=\0name=dummy\0" \
			   "vermagic=6.1.0 SMP mod_unload \0"

static void test_elf_variant(bool is64, bool msb)
{
	struct elfimg_spec spec = {
		.is64 = is64, .msb = msb, MODINFO(TEST_MODINFO_DUMMY),
		.mod_name = "dummy", .text_bss = true,
	};

	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "dummy");
	CHECK_INT(test_src, KMODS_NAME_MODINFO);
}

static void test_elf_64_lsb(void)
{
	test_elf_variant(true, false);
}

static void test_elf_64_msb(void)
{
	test_elf_variant(true, true);
}

static void test_elf_32_lsb(void)
{
	test_elf_variant(false, false);
}

static void test_elf_32_msb(void)
{
	test_elf_variant(false, true);
}

static void test_elf_modinfo_only(void)
{
	struct elfimg_spec spec = { .is64 = true,
				    MODINFO("license=GPL\0name=foo\0") };

	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "foo");
	CHECK_INT(test_src, KMODS_NAME_MODINFO);
}

static void test_elf_this_module_only(void)
{
	static const bool is64[] = { true, true, false, false };
	static const bool msb[] = { false, true, false, true };
	struct elfimg_spec spec = { .mod_name = "only_mod" };
	struct elfimg elf;
	unsigned int i;
	u64 off;

	for (i = 0; i < ARRAY_SIZE(is64); i++) {
		spec.is64 = is64[i];
		spec.msb = msb[i];
		test_elf_build(&spec, &elf);
		/* The name sits at 24 (64-bit) or 12 (32-bit). */
		off = elfimg_get_sh(&elf, elf.mod, ELFIMG_SH_OFFSET);
		CHECK(!memcmp(elf.buf + off + (is64[i] ? 24 : 12), "only_mod",
			      9));
		CHECK_INT(test_elf_name(&elf), 0);
		CHECK_STR(test_name, "only_mod");
		CHECK_INT(test_src, KMODS_NAME_THIS_MODULE);
		test_elf_free(&elf);
	}
	/* A .modinfo without name= leaves this_module to name it. */
	spec = (struct elfimg_spec){ .is64 = true, .mod_name = "m",
				     MODINFO("license=GPL\0") };
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "m");
	CHECK_INT(test_src, KMODS_NAME_THIS_MODULE);
	/* And so does an empty one. */
	spec = (struct elfimg_spec){ .is64 = false, .mod_name = "m",
				     .modinfo = "", .modinfo_len = 0 };
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_INT(test_src, KMODS_NAME_THIS_MODULE);
}

static void test_elf_names_differ(void)
{
	struct elfimg_spec spec = { .is64 = true,
				    MODINFO("name=allowed_mod\0"),
				    .mod_name = "evil" };

	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	spec.is64 = false;
	spec.msb = true;
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	/* A prefix is not the same name either. */
	spec.mod_name = "allowed_mo";
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
}

static void test_elf_names_fold(void)
{
	struct elfimg_spec spec = { .is64 = true, MODINFO("name=nf-nat\0"),
				    .mod_name = "nf_nat" };

	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "nf-nat");		/* .modinfo's spelling */
	CHECK_INT(test_src, KMODS_NAME_MODINFO);
}

static void test_elf_no_name(void)
{
	struct elfimg_spec spec = { .is64 = true, .text_bss = true };

	CHECK_INT(test_spec_name(&spec), -ENOENT);
	spec = (struct elfimg_spec){ .is64 = true, .msb = true,
				     MODINFO("license=GPL\0alias=x\0") };
	CHECK_INT(test_spec_name(&spec), -ENOENT);
	/* "name=" inside another entry is not a name entry. */
	spec = (struct elfimg_spec){ .is64 = true,
				     MODINFO("xname=foo\0alias=name=foo\0") };
	CHECK_INT(test_spec_name(&spec), -ENOENT);
	/* "name" without '=' neither. */
	spec = (struct elfimg_spec){ .is64 = false, MODINFO("name\0") };
	CHECK_INT(test_spec_name(&spec), -ENOENT);
}

static void test_elf_not_elf(void)
{
	u8 buf[128] = { 0 };

	memcpy(buf, "\xfd\x37\x7a\x58\x5a", 6);	/* xz: fd "7zXZ" 00 */
	CHECK_INT(test_image_name(buf, sizeof(buf)), -ENOEXEC);
	memcpy(buf, "\x28\xb5\x2f\xfd", 4);	/* zstd */
	CHECK_INT(test_image_name(buf, sizeof(buf)), -ENOEXEC);
	memcpy(buf, "\x1f\x8b\x08\x00", 4);	/* gzip */
	CHECK_INT(test_image_name(buf, sizeof(buf)), -ENOEXEC);
	memset(buf, 0, sizeof(buf));
	CHECK_INT(test_image_name(buf, sizeof(buf)), -ENOEXEC);
}

static void test_elf_bad_ident(void)
{
	struct elfimg_spec spec = { .is64 = true, MODINFO("name=a\0") };
	struct elfimg elf;

	test_elf_build(&spec, &elf);
	CHECK_INT(test_elf_name(&elf), 0);
	elf.buf[4] = 3;				/* EI_CLASS */
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elf.buf[4] = 0;
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elf.buf[4] = 2;
	elf.buf[5] = 0;				/* EI_DATA */
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elf.buf[5] = 3;
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elf.buf[5] = 1;
	elf.buf[6] = 2;				/* EI_VERSION */
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elf.buf[6] = 1;
	elf.buf[3] = 'f';
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	test_elf_free(&elf);
}

static void test_elf_truncated_header(void)
{
	struct elfimg_spec spec = { .is64 = false, MODINFO("name=a\0") };
	struct elfimg elf;
	size_t n;

	test_elf_build(&spec, &elf);
	for (n = 0; n < 52; n++)
		CHECK_INT(test_image_name(elf.buf, n), -ENOEXEC);
	test_elf_free(&elf);

	/* A 64-bit header needs 64 bytes. */
	spec.is64 = true;
	test_elf_build(&spec, &elf);
	CHECK_INT(test_image_name(elf.buf, 60), -ENOEXEC);
	for (n = 52; n < 64; n++)
		CHECK_INT(test_image_name(elf.buf, n), -ENOEXEC);
	test_elf_free(&elf);
}

static void test_elf_truncated_anywhere(void)
{
	struct elfimg_spec spec = { .is64 = true, .msb = true,
				    MODINFO(TEST_MODINFO_DUMMY),
				    .mod_name = "dummy", .text_bss = true };
	struct elfimg elf;
	size_t n;
	int err;

	/* Cut short anywhere, the section header table is past the end. */
	test_elf_build(&spec, &elf);
	for (n = 0; n < elf.size; n++) {
		err = test_image_name(elf.buf, n);
		if (err != -ENOEXEC)
			test_fail(__LINE__, "cut at %zu: %d", n, err);
	}
	CHECK_INT(test_image_name(elf.buf, elf.size), 0);
	test_elf_free(&elf);
}

static void test_elf_shdrs_out_of_bounds(void)
{
	struct elfimg_spec spec = { .is64 = true, MODINFO("name=a\0") };
	struct elfimg elf;

	test_elf_build(&spec, &elf);
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, elf.shoff + 1);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, elf.size);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, elf.size + 1);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	/* shoff + shnum * shentsize wraps around 2^64. */
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, ~0ULL - 63);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, elf.shoff);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, elf.shnum + 1);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, elf.shnum);
	elfimg_set_eh(&elf, ELFIMG_EH_SHENTSIZE, 0xffff);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHENTSIZE, 63);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHENTSIZE, 64);
	CHECK_INT(test_elf_name(&elf), 0);
	test_elf_free(&elf);

	/* 32-bit: an entry smaller than 40 bytes. */
	spec.is64 = false;
	test_elf_build(&spec, &elf);
	elfimg_set_eh(&elf, ELFIMG_EH_SHENTSIZE, 39);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHENTSIZE, 40);
	CHECK_INT(test_elf_name(&elf), 0);
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, 0xffffffff);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	test_elf_free(&elf);
}

static void test_elf_shnum_huge(void)
{
	struct elfimg_spec spec = { .is64 = true, MODINFO("name=a\0") };
	struct elfimg elf;

	test_elf_build(&spec, &elf);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, 0xfeff);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	/* SHN_LORESERVE and up mean extended numbering: refused. */
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, 0xff00);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, 0xffff);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, 0);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	test_elf_free(&elf);
}

static void test_elf_shnum_in_bounds(void)
{
	struct elfimg_spec spec = { .is64 = false, .msb = true,
				    MODINFO("name=a\0") };
	struct elfimg elf;

	/*
	 * 0xfeff section headers, all there: the extra ones are null
	 * sections and the name is found. At 0xff00 (SHN_LORESERVE) the
	 * count means extended numbering, which no module uses: refused.
	 */
	test_elf_build(&spec, &elf);
	test_elf_grow(&elf, elf.shoff + 0xff00 * 40);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, 0xfeff);
	CHECK_INT(test_elf_name(&elf), 0);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, 0xff00);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	test_elf_free(&elf);
}

static void test_elf_shentsize(void)
{
	struct elfimg_spec spec = { .is64 = true, MODINFO("name=a\0"),
				    .mod_name = "a" };
	struct elfimg elf;

	/* Entries may be bigger than the structure; the table must fit. */
	test_elf_build(&spec, &elf);
	test_elf_restride(&elf, 80);
	CHECK_INT(test_elf_name(&elf), 0);
	/* Every header's 64 bytes are there, the last entry's tail not. */
	CHECK_INT(test_image_name(elf.buf, elf.size - 16), -ENOEXEC);
	test_elf_free(&elf);

	spec.is64 = false;
	test_elf_build(&spec, &elf);
	test_elf_restride(&elf, 48);
	CHECK_INT(test_elf_name(&elf), 0);
	CHECK_INT(test_image_name(elf.buf, elf.size - 8), -ENOEXEC);
	test_elf_free(&elf);

	/*
	 * A 64-bit image whose headers are really 40 bytes apart: every
	 * field the reader uses is where a 40-byte stride puts it, so only
	 * the header check can refuse it (a reader that took the stride
	 * would find "a"). The kernel wants e_shentsize == 64 here.
	 */
	spec.is64 = true;
	test_elf_build(&spec, &elf);
	test_elf_restride(&elf, 40);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	test_elf_free(&elf);
}

static void test_elf_section_order(void)
{
	struct elfimg_spec spec = { .is64 = true, .msb = true,
				    MODINFO("name=last\0"),
				    .strtab_first = true };
	struct elfimg elf;

	/* .shstrtab first and .modinfo the last section. */
	test_elf_build(&spec, &elf);
	CHECK_INT(elf.shstrtab, 1);
	CHECK_INT(elf.modinfo, elf.shnum - 1);
	CHECK_INT(test_elf_name(&elf), 0);
	CHECK_STR(test_name, "last");
	test_elf_free(&elf);

	spec = (struct elfimg_spec){ .mod_name = "last",
				     .strtab_first = true };
	test_elf_build(&spec, &elf);
	CHECK_INT(elf.mod, elf.shnum - 1);
	CHECK_INT(test_elf_name(&elf), 0);
	CHECK_INT(test_src, KMODS_NAME_THIS_MODULE);
	test_elf_free(&elf);
}

static void test_elf_shstrndx(void)
{
	struct elfimg_spec spec = { .is64 = false, .msb = true,
				    MODINFO("name=a\0") };
	struct elfimg elf;

	test_elf_build(&spec, &elf);
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, elf.shnum);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, 0xffff);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	/* The null section (SHN_UNDEF): the kernel refuses it too. */
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, 0);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	/* A section that is not a string table. */
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, elf.modinfo);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, elf.shstrtab);
	CHECK_INT(test_elf_name(&elf), 0);

	/* Index shnum, even with a good string table header there. */
	test_elf_grow(&elf, elf.size + 40);
	memcpy(elf.buf + elf.shoff + elf.shnum * 40,
	       elf.buf + elf.shoff + elf.shstrtab * 40, 40);
	elfimg_set_eh(&elf, ELFIMG_EH_SHSTRNDX, elf.shnum);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_eh(&elf, ELFIMG_EH_SHNUM, elf.shnum + 1);
	CHECK_INT(test_elf_name(&elf), 0);
	test_elf_free(&elf);
}

static void test_elf_section_past_end(void)
{
	struct elfimg_spec spec = { .is64 = true,
				    MODINFO("name=a\0"), .mod_name = "a",
				    .text_bss = true };
	struct elfimg elf;
	unsigned int idx[3];
	u64 off, size;
	size_t i;

	test_elf_build(&spec, &elf);
	idx[0] = elf.modinfo;
	idx[1] = elf.text;		/* one the reader does not need */
	idx[2] = elf.shstrtab;
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		off = elfimg_get_sh(&elf, idx[i], ELFIMG_SH_OFFSET);
		size = elfimg_get_sh(&elf, idx[i], ELFIMG_SH_SIZE);
		/* Ends exactly at the end of the image: fine. */
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_SIZE, elf.size - off);
		CHECK_INT(test_elf_name(&elf), 0);
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_SIZE,
			      elf.size - off + 1);
		CHECK_INT(test_elf_name(&elf), -ENOEXEC);
		/* offset + size wraps around. */
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_SIZE, ~0ULL);
		CHECK_INT(test_elf_name(&elf), -ENOEXEC);
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_SIZE, size);
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_OFFSET, elf.size + 1);
		CHECK_INT(test_elf_name(&elf), -ENOEXEC);
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_OFFSET, ~0ULL - 1);
		CHECK_INT(test_elf_name(&elf), -ENOEXEC);
		elfimg_set_sh(&elf, idx[i], ELFIMG_SH_OFFSET, off);
		CHECK_INT(test_elf_name(&elf), 0);
	}
	/* NOBITS takes no file space: a huge .bss is fine. */
	elfimg_set_sh(&elf, elf.bss, ELFIMG_SH_SIZE, ~0ULL);
	CHECK_INT(test_elf_name(&elf), 0);
	test_elf_free(&elf);
}

static void test_elf_section_names(void)
{
	struct elfimg_spec spec = { .is64 = true, MODINFO("name=a\0") };
	struct elfimg elf;

	test_elf_build(&spec, &elf);
	/*
	 * A name offset at or past the end of .shstrtab: the kernel's
	 * loader would read the name out of bounds (6.12 refuses it).
	 */
	elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_NAME, 0xffffffff);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_NAME,
		      elfimg_get_sh(&elf, elf.shstrtab, ELFIMG_SH_SIZE));
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	/* ".shstrtab" + 1 is "shstrtab", not ".modinfo". */
	elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_NAME,
		      elfimg_get_sh(&elf, elf.shstrtab, ELFIMG_SH_NAME) + 1);
	CHECK_INT(test_elf_name(&elf), -ENOENT);
	/* A SHT_NULL section's name means nothing, as for the kernel. */
	elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_TYPE, 0);
	elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_NAME, 0xffffffff);
	CHECK_INT(test_elf_name(&elf), -ENOENT);
	elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_TYPE, ELFIMG_SHT_PROGBITS);
	/*
	 * A string table cut inside ".modinfo" does not end in a NUL: the
	 * strings at its end run past it.
	 */
	elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_NAME, 1);
	elfimg_set_sh(&elf, elf.shstrtab, ELFIMG_SH_SIZE, 9);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	/* Cut after ".modinfo": .shstrtab's own name is then outside. */
	elfimg_set_sh(&elf, elf.shstrtab, ELFIMG_SH_SIZE, 10);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_sh(&elf, elf.shstrtab, ELFIMG_SH_NAME, 0);
	CHECK_INT(test_elf_name(&elf), 0);
	/* An empty or NOBITS section name table. */
	elfimg_set_sh(&elf, elf.shstrtab, ELFIMG_SH_SIZE, 0);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_set_sh(&elf, elf.shstrtab, ELFIMG_SH_SIZE, 10);
	elfimg_set_sh(&elf, elf.shstrtab, ELFIMG_SH_TYPE, ELFIMG_SHT_NOBITS);
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	/* Its last byte not a NUL. */
	elfimg_set_sh(&elf, elf.shstrtab, ELFIMG_SH_TYPE, ELFIMG_SHT_STRTAB);
	CHECK_INT(test_elf_name(&elf), 0);
	elf.buf[elfimg_get_sh(&elf, elf.shstrtab, ELFIMG_SH_OFFSET) + 9] = 'x';
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	test_elf_free(&elf);
}

/*
 * The symbol, string and relocation tables: each case of
 * elfimg_table_cases on every layout, with .rela and with .rel.
 */
static void test_elf_tables(void)
{
	struct elfimg_spec spec = { MODINFO("name=a\0"), .mod_name = "a",
				    .symtab = true };
	const struct elfimg_table_case *tc;
	struct elfimg elf;
	unsigned int layout, c;
	int err;

	for (layout = 0; layout < 8; layout++) {
		spec.is64 = layout & 1;
		spec.msb = layout & 2;
		spec.rel = layout & 4;
		for (c = 0; c < ARRAY_SIZE(elfimg_table_cases); c++) {
			tc = &elfimg_table_cases[c];
			test_elf_build(&spec, &elf);
			tc->apply(&elf);
			err = test_elf_name(&elf);
			if (err != tc->want)
				test_fail(__LINE__, "%s (%d-bit %s%s): %d, expected %d",
					  tc->desc, spec.is64 ? 64 : 32,
					  spec.msb ? "MSB" : "LSB",
					  spec.rel ? ", .rel" : "", err,
					  tc->want);
			if (!err && strcmp(test_name, "a"))
				test_fail(__LINE__, "%s: name '%s'", tc->desc,
					  test_name);
			test_elf_free(&elf);
		}
	}
}

/*
 * MIPS64 relocations keep the symbol in the first word of r_info, not in
 * its high half (the kernel's ELF64_MIPS_R_SYM()): the same bytes name
 * another symbol on EM_MIPS.
 */
static void test_elf_reloc_mips64(void)
{
	struct elfimg_spec spec = { .is64 = true, MODINFO("name=a\0"),
				    .symtab = true };
	struct elfimg elf;
	u8 *r_info;

	test_elf_build(&spec, &elf);
	r_info = elf.buf + elfimg_get_sh(&elf, elf.rela, ELFIMG_SH_OFFSET) + 8;
	/* ELF64_R_INFO(2, 3): symbol 2 (x86), r_sym 3 (MIPS64 LSB). */
	elfimg_put(r_info, 8, (2ULL << 32) | 3, false);
	CHECK_INT(test_elf_name(&elf), 0);
	elfimg_put(elf.buf + 18, 2, 8, false);		/* EM_MIPS */
	CHECK_INT(test_elf_name(&elf), -ENOEXEC);
	elfimg_put(r_info, 8, (3ULL << 32) | 2, false);
	CHECK_INT(test_elf_name(&elf), 0);
	test_elf_free(&elf);
}

static void test_elf_modinfo_unterminated_name(void)
{
	struct elfimg_spec spec = { .is64 = true,
				    MODINFO("license=GPL\0name=foo") };

	/*
	 * The image has a name= entry, but not where it ends: the kernel's
	 * get_modinfo() would read on past the section. That is an image
	 * naming itself badly (-EBADMSG, KMODS_F_BAD_NAME, rule NO_NAME),
	 * not an image without a name: -ENOENT would let this_module or the
	 * file name decide instead, a name the kernel never reads.
	 */
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	spec.mod_name = "foo";
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	spec = (struct elfimg_spec){ .is64 = false, MODINFO("name=") };
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	spec = (struct elfimg_spec){ .is64 = false, MODINFO("name") };
	CHECK_INT(test_spec_name(&spec), -ENOENT);
}

static void test_elf_modinfo_unterminated_tail(void)
{
	struct elfimg_spec spec = { .is64 = true,
				    MODINFO("name=foo\0license=GPL") };

	/* The name entry is whole; the garbage after it is never read. */
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "foo");
	/* Unterminated garbage without a name: no name from .modinfo. */
	spec = (struct elfimg_spec){ .is64 = true, .mod_name = "bar",
				     MODINFO("license=GPL\0alias=x") };
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "bar");
	CHECK_INT(test_src, KMODS_NAME_THIS_MODULE);
}

static void test_elf_modinfo_long_entries(void)
{
	char modinfo[512];
	struct elfimg_spec spec = { .is64 = true, .modinfo = modinfo };
	size_t len, pos;

	/* Entries of every length before name= (crossing read chunks). */
	for (len = 0; len < 300; len++) {
		pos = 0;
		memcpy(modinfo, "description=", 12);
		pos = 12;
		memset(modinfo + pos, 'x', len);
		pos += len;
		modinfo[pos++] = '\0';
		memcpy(modinfo + pos, "name=m\0", 7);
		spec.modinfo_len = pos + 7;
		if (test_spec_name(&spec) || strcmp(test_name, "m"))
			test_fail(__LINE__, "entry of %zu bytes before name=",
				  len + 12);
	}
}

static void test_elf_modinfo_name_len(void)
{
	char modinfo[300];
	struct elfimg_spec spec = { .is64 = true, .modinfo = modinfo };
	size_t len;
	int err;

	for (len = 0; len < 200; len++) {
		int want = len && len < MODULE_NAME_LEN ? 0 : -EBADMSG;

		memcpy(modinfo, "name=", 5);
		memset(modinfo + 5, 'n', len);
		modinfo[5 + len] = '\0';
		spec.modinfo_len = len + 6;
		err = test_spec_name(&spec);
		if (err != want)
			test_fail(__LINE__, "name of %zu: %d, expected %d",
				  len, err, want);
	}
	/* The longest is read whole. */
	memcpy(modinfo, "name=", 5);
	memcpy(modinfo + 5, test_name_of_len(MODULE_NAME_LEN - 1),
	       MODULE_NAME_LEN);
	spec.modinfo_len = 5 + MODULE_NAME_LEN;
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, test_name_of_len(MODULE_NAME_LEN - 1));
}

static void test_elf_modinfo_bad_chars(void)
{
	static const char *const bad[] = {
		"name=a/b", "name=../x", "name=a\x01", "name=\x1b[31m",
		"name=a b", "name=a.ko", "name=caf\xc3\xa9", "name=a\n",
	};
	char modinfo[64];
	struct elfimg_spec spec = { .is64 = true, .modinfo = modinfo };
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		spec.modinfo_len = strlen(bad[i]) + 1;
		memcpy(modinfo, bad[i], spec.modinfo_len);
		err = test_spec_name(&spec);
		if (err != -EBADMSG)
			test_fail(__LINE__, "bad[%zu]: %d", i, err);
	}
}

static void test_elf_modinfo_first_name(void)
{
	struct elfimg_spec spec = { .is64 = true,
				    MODINFO("name=first\0name=second\0") };

	/* The kernel's get_modinfo() also returns the first. */
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "first");
}

static void test_elf_this_module_bad(void)
{
	struct elfimg_spec spec = { .is64 = true, .mod_name = "a/b" };

	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	spec.mod_name = "a\x02";
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	spec.mod_name = "";
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	/* 56 bytes without a NUL fill the 64-bit name field. */
	spec.mod_name = test_name_of_len(MODULE_NAME_LEN);
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	spec.mod_name = test_name_of_len(MODULE_NAME_LEN - 1);
	CHECK_INT(test_spec_name(&spec), 0);
	/* Too small to hold the name field. */
	spec.mod_name = "a";
	spec.mod_size = 24 + 56 - 1;
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	spec.mod_size = 24 + 56;
	CHECK_INT(test_spec_name(&spec), 0);
	spec = (struct elfimg_spec){ .is64 = false, .mod_name = "a",
				     .mod_size = 12 + 60 - 1 };
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
	/* A bad this_module name spoils a good .modinfo name. */
	spec = (struct elfimg_spec){ .is64 = true, MODINFO("name=a\0"),
				     .mod_name = "a.b" };
	CHECK_INT(test_spec_name(&spec), -EBADMSG);
}

/*
 * SHF_ALLOC sections named .modinfo and .gnu.linkonce.this_module are the
 * ones the kernel reads (find_sec()); the writer gives them the flags of
 * a real module, and without SHF_ALLOC the reader passes them over.
 */
static void test_elf_alloc_flags(void)
{
	struct elfimg_spec spec = {
		MODINFO(TEST_MODINFO_DUMMY), .mod_name = "dummy",
		.text_bss = true,
	};
	struct elfimg elf;
	unsigned int j;

	for (j = 0; j < 4; j++) {
		spec.is64 = j & 1;
		spec.msb = j & 2;
		test_elf_build(&spec, &elf);
		CHECK_INT(elfimg_get_sh(&elf, elf.modinfo, ELFIMG_SH_FLAGS),
			  ELFIMG_SHF_ALLOC);
		CHECK_INT(elfimg_get_sh(&elf, elf.mod, ELFIMG_SH_FLAGS),
			  ELFIMG_SHF_WRITE | ELFIMG_SHF_ALLOC);
		CHECK_INT(elfimg_get_sh(&elf, elf.text, ELFIMG_SH_FLAGS),
			  ELFIMG_SHF_ALLOC | ELFIMG_SHF_EXECINSTR);
		CHECK_INT(elfimg_get_sh(&elf, elf.bss, ELFIMG_SH_FLAGS),
			  ELFIMG_SHF_WRITE | ELFIMG_SHF_ALLOC);
		CHECK_INT(elfimg_get_sh(&elf, elf.shstrtab, ELFIMG_SH_FLAGS),
			  0);
		CHECK_INT(test_elf_name(&elf), 0);
		CHECK_INT(test_src, KMODS_NAME_MODINFO);

		/* .modinfo without SHF_ALLOC is not read: this_module names. */
		elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_FLAGS, 0);
		CHECK_INT(test_elf_name(&elf), 0);
		CHECK_STR(test_name, "dummy");
		CHECK_INT(test_src, KMODS_NAME_THIS_MODULE);
		/* Other flags do not make up for it. */
		elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_FLAGS,
			      ELFIMG_SHF_WRITE | ELFIMG_SHF_EXECINSTR);
		CHECK_INT(test_elf_name(&elf), 0);
		CHECK_INT(test_src, KMODS_NAME_THIS_MODULE);
		/* Nor this_module: nothing names the image. */
		elfimg_set_sh(&elf, elf.mod, ELFIMG_SH_FLAGS, ELFIMG_SHF_WRITE);
		CHECK_INT(test_elf_name(&elf), -ENOENT);
		/* .modinfo alone. */
		elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_FLAGS,
			      ELFIMG_SHF_ALLOC);
		CHECK_INT(test_elf_name(&elf), 0);
		CHECK_STR(test_name, "dummy");
		CHECK_INT(test_src, KMODS_NAME_MODINFO);
		test_elf_free(&elf);
	}
}

/* Non-ALLOC copies of both name sections, naming the module otherwise. */
static const struct elfimg_extra test_decoys[] = {
	{ MODINFO("name=allowed\0"), .no_alloc = true },
	{ .this_module = true, .mod_name = "allowed", .no_alloc = true },
};

/*
 * The decoy image: non-ALLOC .modinfo and this_module saying "allowed",
 * then the ALLOC ones the kernel reads saying "evil". The name is the
 * kernel's, "evil"; were the decoys read, the first .modinfo would win.
 */
static void test_elf_decoy_sections(void)
{
	struct elfimg_spec spec = {
		MODINFO("name=evil\0"), .mod_name = "evil",
		.extra = test_decoys, .nr_extra = ARRAY_SIZE(test_decoys),
	};
	struct elfimg elf;
	unsigned int j;

	for (j = 0; j < 8; j++) {
		spec.is64 = j & 1;
		spec.msb = j & 2;
		spec.text_bss = j & 4;
		test_elf_build(&spec, &elf);
		/* The decoys come first, each without SHF_ALLOC. */
		CHECK(elf.extra[0] < elf.extra[1]);
		CHECK(elf.extra[1] < elf.modinfo);
		CHECK(elf.modinfo < elf.mod);
		CHECK_INT(elfimg_get_sh(&elf, elf.extra[0], ELFIMG_SH_FLAGS),
			  0);
		CHECK_INT(elfimg_get_sh(&elf, elf.extra[1], ELFIMG_SH_FLAGS),
			  ELFIMG_SHF_WRITE);
		CHECK_INT(elfimg_get_sh(&elf, elf.modinfo, ELFIMG_SH_FLAGS),
			  ELFIMG_SHF_ALLOC);
		CHECK_INT(elfimg_get_sh(&elf, elf.mod, ELFIMG_SH_FLAGS),
			  ELFIMG_SHF_WRITE | ELFIMG_SHF_ALLOC);
		CHECK_INT(test_elf_name(&elf), 0);
		CHECK_STR(test_name, "evil");
		CHECK_INT(test_src, KMODS_NAME_MODINFO);
		test_elf_free(&elf);
	}

	/* Either one alone names it "evil" all the same. */
	spec = (struct elfimg_spec){
		.is64 = true, MODINFO("name=evil\0"),
		.extra = test_decoys, .nr_extra = ARRAY_SIZE(test_decoys),
	};
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "evil");
	CHECK_INT(test_src, KMODS_NAME_MODINFO);
	spec = (struct elfimg_spec){
		.is64 = true, .mod_name = "evil",
		.extra = test_decoys, .nr_extra = ARRAY_SIZE(test_decoys),
	};
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "evil");
	CHECK_INT(test_src, KMODS_NAME_THIS_MODULE);
}

/* The decoys after the real sections, or badly named: never read. */
static void test_elf_decoy_sections_other(void)
{
	static const struct elfimg_extra after[] = {
		{ MODINFO("name=evil\0") },
		{ .this_module = true, .mod_name = "evil" },
		{ MODINFO("name=allowed\0"), .no_alloc = true },
		{ .this_module = true, .mod_name = "allowed",
		  .no_alloc = true },
	};
	static const struct elfimg_extra bad[] = {
		{ MODINFO("name=a/b\0"), .no_alloc = true },
		{ MODINFO("name=allowed"), .no_alloc = true },
		{ .this_module = true, .mod_name = "", .no_alloc = true },
	};
	struct elfimg_spec spec = {
		.is64 = true, .msb = true,
		.extra = after, .nr_extra = ARRAY_SIZE(after),
	};

	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "evil");
	CHECK_INT(test_src, KMODS_NAME_MODINFO);
	spec = (struct elfimg_spec){
		MODINFO("name=evil\0"), .mod_name = "evil",
		.extra = bad, .nr_extra = ARRAY_SIZE(bad),
	};
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "evil");
}

/* Two ALLOC .modinfo sections: which names the module? Neither. */
static void test_elf_two_modinfo(void)
{
	static const struct elfimg_extra same[] = {
		{ MODINFO("name=evil\0") },
	};
	static const struct elfimg_extra differ[] = {
		{ MODINFO("name=allowed\0") },
	};
	static const struct elfimg_extra empty[] = {
		{ .modinfo = "", .modinfo_len = 0 },
	};
	static const struct elfimg_extra nameless[] = {
		{ MODINFO("license=GPL\0") },
	};
	static const struct elfimg_extra *const firsts[] = {
		same, differ, empty, nameless,
	};
	struct elfimg_spec spec = { MODINFO("name=evil\0"), .nr_extra = 1 };
	struct elfimg elf;
	unsigned int i, j;
	int err;

	for (i = 0; i < ARRAY_SIZE(firsts); i++) {
		for (j = 0; j < 8; j++) {
			spec.extra = firsts[i];
			spec.is64 = j & 1;
			spec.msb = j & 2;
			spec.mod_name = j & 4 ? "evil" : NULL;
			test_elf_build(&spec, &elf);
			CHECK_INT(elfimg_get_sh(&elf, elf.extra[0],
						ELFIMG_SH_FLAGS),
				  ELFIMG_SHF_ALLOC);
			err = test_elf_name(&elf);
			if (err != -EBADMSG)
				test_fail(__LINE__, "first %u, variant %u: %d",
					  i, j, err);
			test_elf_free(&elf);
		}
	}
	/* Without SHF_ALLOC on the first, the second alone names it. */
	spec = (struct elfimg_spec){
		.is64 = true, MODINFO("name=evil\0"),
		.extra = test_decoys, .nr_extra = 1,
	};
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "evil");
}

/* Two ALLOC this_module sections: -EBADMSG, as for .modinfo. */
static void test_elf_two_this_module(void)
{
	static const struct elfimg_extra same[] = {
		{ .this_module = true, .mod_name = "evil" },
	};
	static const struct elfimg_extra differ[] = {
		{ .this_module = true, .mod_name = "allowed" },
	};
	static const struct elfimg_extra *const firsts[] = { same, differ };
	struct elfimg_spec spec = { .mod_name = "evil", .nr_extra = 1 };
	struct elfimg elf;
	unsigned int i, j;
	int err;

	for (i = 0; i < ARRAY_SIZE(firsts); i++) {
		for (j = 0; j < 8; j++) {
			spec.extra = firsts[i];
			spec.is64 = j & 1;
			spec.msb = j & 2;
			/* A good .modinfo name does not settle it. */
			spec.modinfo = j & 4 ? "name=evil" : NULL;
			spec.modinfo_len = j & 4 ? sizeof("name=evil") : 0;
			test_elf_build(&spec, &elf);
			CHECK_INT(elfimg_get_sh(&elf, elf.extra[0],
						ELFIMG_SH_FLAGS),
				  ELFIMG_SHF_WRITE | ELFIMG_SHF_ALLOC);
			err = test_elf_name(&elf);
			if (err != -EBADMSG)
				test_fail(__LINE__, "first %u, variant %u: %d",
					  i, j, err);
			test_elf_free(&elf);
		}
	}
	/* Without SHF_ALLOC on the first, the second alone names it. */
	spec = (struct elfimg_spec){
		.is64 = true, .mod_name = "evil",
		.extra = test_decoys + 1, .nr_extra = 1,
	};
	CHECK_INT(test_spec_name(&spec), 0);
	CHECK_STR(test_name, "evil");
	CHECK_INT(test_src, KMODS_NAME_THIS_MODULE);
}

/* Name sections, all without SHF_ALLOC: the image has no name. */
static void test_elf_no_alloc_name(void)
{
	struct elfimg_spec spec = {
		.extra = test_decoys, .nr_extra = ARRAY_SIZE(test_decoys),
	};
	unsigned int j;
	int err;

	for (j = 0; j < 8; j++) {
		spec.is64 = j & 1;
		spec.msb = j & 2;
		spec.text_bss = j & 4;
		err = test_spec_name(&spec);
		if (err != -ENOENT)
			test_fail(__LINE__, "variant %u: %d", j, err);
	}
	/* Each alone. */
	spec.nr_extra = 1;
	CHECK_INT(test_spec_name(&spec), -ENOENT);
	spec.extra = test_decoys + 1;
	CHECK_INT(test_spec_name(&spec), -ENOENT);
}

static void test_elf_name_buffer(void)
{
	struct elfimg_spec spec = { .is64 = true, MODINFO("name=dummy\0") };
	struct test_image ti = { 0 };
	enum kmods_name_source src;
	struct elfimg elf;
	char *name = malloc(6);		/* exact size: ASan sees overflows */

	if (!name)
		abort();
	test_elf_build(&spec, &elf);
	CHECK_INT(test_image_name_ex(elf.buf, elf.size, &ti, name, 6, &src),
		  0);
	CHECK_STR(name, "dummy");
	CHECK_INT(test_image_name_ex(elf.buf, elf.size, &ti, name, 5, &src),
		  -EBADMSG);
	CHECK_INT(test_image_name_ex(elf.buf, elf.size, &ti, name, 1, &src),
		  -EBADMSG);
	test_elf_free(&elf);
	free(name);
}

static void test_elf_read_error(void)
{
	struct elfimg_spec spec = { .is64 = true, .msb = true,
				    MODINFO(TEST_MODINFO_DUMMY),
				    .mod_name = "dummy", .text_bss = true };
	struct test_image ti = { 0 };
	enum kmods_name_source src;
	char name[KMODS_NAME_LEN];
	struct elfimg elf;
	unsigned int calls, i;
	int err;

	test_elf_build(&spec, &elf);
	CHECK_INT(test_image_name_ex(elf.buf, elf.size, &ti, name,
				     sizeof(name), &src), 0);
	calls = ti.calls;
	CHECK(calls > 3);
	/* Whichever read fails, its error is the result. */
	for (i = 1; i <= calls; i++) {
		ti.fail_at = i;
		ti.fail_err = -EFAULT;
		err = test_image_name_ex(elf.buf, elf.size, &ti, name,
					 sizeof(name), &src);
		if (err != -EFAULT)
			test_fail(__LINE__, "read %u of %u failed: %d", i,
				  calls, err);
	}
	ti.fail_at = 1;
	ti.fail_err = -EIO;
	CHECK_INT(test_image_name_ex(elf.buf, elf.size, &ti, name,
				     sizeof(name), &src), -EIO);
	test_elf_free(&elf);
}

static void test_elf_read_error_bad_modinfo(void)
{
	struct elfimg_spec spec = { .is64 = true, MODINFO("name=a/b\0"),
				    .mod_name = "ab" };
	struct test_image ti = { 0 };
	enum kmods_name_source src;
	char name[KMODS_NAME_LEN];
	struct elfimg elf;

	/*
	 * A bad .modinfo name makes the image -EBADMSG whatever this_module
	 * holds, so failing the read of this_module's name (the one before
	 * the last) changes nothing: still -EBADMSG, the image naming
	 * itself badly.
	 */
	test_elf_build(&spec, &elf);
	CHECK_INT(test_image_name_ex(elf.buf, elf.size, &ti, name,
				     sizeof(name), &src), -EBADMSG);
	ti.fail_at = ti.calls - 1;
	ti.fail_err = -EFAULT;
	CHECK_INT(test_image_name_ex(elf.buf, elf.size, &ti, name,
				     sizeof(name), &src), -EBADMSG);
	/* Failing the .modinfo read (the last) instead is reported. */
	ti.fail_at = ti.calls;
	CHECK_INT(test_image_name_ex(elf.buf, elf.size, &ti, name,
				     sizeof(name), &src), -EFAULT);
	test_elf_free(&elf);
}

static const char *test_need_seen;
static bool test_need_answer;

static bool test_need_modinfo(const struct kmods_image *img, const char *name)
{
	(void)img;
	test_need_seen = name;
	return test_need_answer;
}

/*
 * need_modinfo: asked with this_module's name; false skips .modinfo, so
 * a .modinfo name that is bad or disagrees is not seen (and not read:
 * one read fewer); true reads it as without the hook.
 */
static void test_elf_need_modinfo(void)
{
	static const char *const infos[] = { "name=a/b", "name=other",
					     "name=ab" };
	struct test_image ti = { 0 };
	enum kmods_name_source src;
	char name[KMODS_NAME_LEN];
	struct kmods_image img = { .read = test_image_read, .ctx = &ti,
				   .need_modinfo = test_need_modinfo };
	struct elfimg_spec spec = { .is64 = true, .mod_name = "ab" };
	unsigned int i, calls;
	struct elfimg elf;
	int want;

	for (i = 0; i <= ARRAY_SIZE(infos); i++) {
		/* Last, a bad this_module name: not asked, .modinfo read. */
		if (i == ARRAY_SIZE(infos))
			spec.mod_name = "a/b";
		spec.modinfo = i < ARRAY_SIZE(infos) ? infos[i] : "name=ab";
		spec.modinfo_len = strlen(spec.modinfo) + 1;
		test_elf_build(&spec, &elf);
		ti.data = elf.buf;
		ti.size = elf.size;
		img.size = elf.size;

		test_need_answer = false;
		test_need_seen = NULL;
		ti.calls = 0;
		if (i == ARRAY_SIZE(infos)) {
			CHECK_INT(kmods_image_name(&img, name, sizeof(name),
						   &src), -EBADMSG);
			CHECK_INT(!test_need_seen, 1);
			test_elf_free(&elf);
			break;
		}
		CHECK_INT(kmods_image_name(&img, name, sizeof(name), &src), 0);
		CHECK_STR(test_need_seen ? test_need_seen : "(none)", "ab");
		CHECK_STR(name, "ab");
		CHECK_INT(src, KMODS_NAME_THIS_MODULE);
		calls = ti.calls;

		test_need_answer = true;
		ti.calls = 0;
		want = i == 2 ? 0 : -EBADMSG;
		CHECK_INT(kmods_image_name(&img, name, sizeof(name), &src),
			  want);
		CHECK_INT(ti.calls, calls + 1);
		if (!want)
			CHECK_INT(src, KMODS_NAME_MODINFO);
		test_elf_free(&elf);
	}
}

/*
 * The section names after the section headers, the old copy zeroed: the
 * bytes read with the headers (KMODS_SHSTR_LEAD before them) must not be
 * taken for them. Then the names just before the headers, the usual
 * layout, and far before them.
 */
static void test_elf_strtab_placed(void)
{
	struct elfimg_spec spec = { .is64 = true, MODINFO(TEST_MODINFO_DUMMY),
				    .mod_name = "dummy", .text_bss = true };
	struct elfimg elf;
	u64 off, len;
	size_t old;

	test_elf_build(&spec, &elf);
	CHECK_INT(test_elf_name(&elf), 0);
	CHECK_STR(test_name, "dummy");
	off = elfimg_get_sh(&elf, elf.shstrtab, ELFIMG_SH_OFFSET);
	len = elfimg_get_sh(&elf, elf.shstrtab, ELFIMG_SH_SIZE);
	CHECK(off + len <= elf.shoff && elf.shoff - (off + len) < 8);
	old = elf.size;
	test_elf_grow(&elf, old + len);
	memcpy(elf.buf + old, elf.buf + off, len);
	memset(elf.buf + off, 0, len);
	elfimg_set_sh(&elf, elf.shstrtab, ELFIMG_SH_OFFSET, old);
	CHECK_INT(test_elf_name(&elf), 0);
	CHECK_STR(test_name, "dummy");
	test_elf_free(&elf);

	/* 2 KiB of padding between the names and the headers. */
	test_elf_build(&spec, &elf);
	old = elf.size;
	test_elf_grow(&elf, old + 2048 + (elf.size - elf.shoff));
	memcpy(elf.buf + elf.shoff + 2048, elf.buf + elf.shoff,
	       old - elf.shoff);
	memset(elf.buf + elf.shoff, 0, 2048);
	elf.shoff += 2048;
	elfimg_set_eh(&elf, ELFIMG_EH_SHOFF, elf.shoff);
	CHECK_INT(test_elf_name(&elf), 0);
	CHECK_STR(test_name, "dummy");
	test_elf_free(&elf);
}

static void test_elf_reads_in_bounds(void)
{
#define S(s) { s, sizeof(s) - 1 }
	static const struct {
		const char *s;
		size_t len;
	} modinfos[] = {
		S("name=a"), S("name=a\0"), S("x"), S("license=GPL\0name="),
		S(""), S("name=a\0license"),
		S("name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	};
#undef S
	struct elfimg_spec spec;
	struct elfimg elf;
	size_t len, size;
	unsigned int i, j;
	int err;
	u8 *buf;

	/*
	 * Sections ending exactly at the end of the image, and images cut
	 * at every length: test_image_read() fails the test on any read
	 * outside the image, and ASan on any access past the copy.
	 */
	for (i = 0; i < ARRAY_SIZE(modinfos); i++) {
		for (j = 0; j < 4; j++) {
			spec = (struct elfimg_spec){
				.is64 = j & 1, .msb = j & 2,
				.modinfo = modinfos[i].s,
				.modinfo_len = modinfos[i].len,
				.mod_name = "a",
			};
			test_elf_build(&spec, &elf);
			/* Move .modinfo to the very end of the image. */
			len = spec.modinfo_len;
			buf = realloc(elf.buf, elf.size + len + 1);
			if (!buf)
				abort();
			elf.buf = buf;
			memcpy(elf.buf + elf.size, modinfos[i].s, len);
			elfimg_set_sh(&elf, elf.modinfo, ELFIMG_SH_OFFSET,
				      elf.size);
			elf.size += len;
			err = test_elf_name(&elf);
			CHECK(err == 0 || err == -EBADMSG);
			for (size = 0; size < elf.size; size++)
				test_image_name(elf.buf, size);
			test_elf_free(&elf);
		}
	}
}

/* Real modules */

struct test_file {
	int fd;
	u64 size;
};

/* Reads test_file_name() made. */
static unsigned int test_file_reads;

static int test_file_read(void *ctx, u64 off, void *buf, size_t len)
{
	struct test_file *tf = ctx;
	ssize_t n;

	test_file_reads++;
	if (off >= tf->size || len > tf->size - off) {
		test_fail(__LINE__, "read of %zu bytes at %llu, file size %llu",
			  len, (unsigned long long)off,
			  (unsigned long long)tf->size);
		return -EDOM;
	}
	n = pread(tf->fd, buf, len, off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* The first existing file matching @pattern, or NULL. */
static char *test_glob_first(const char *pattern)
{
	char *path = NULL;
	glob_t g;

	if (!glob(pattern, 0, NULL, &g) && g.gl_pathc)
		path = strdup(g.gl_pathv[0]);
	globfree(&g);
	return path;
}

static int test_file_name(const char *path, bool name_only)
{
	static u8 scratch[KMODS_SCRATCH_SIZE];
	struct kmods_image img = { .read = test_file_read,
				   .scratch = scratch,
				   .scratch_size = sizeof(scratch),
				   .name_only = name_only };
	struct test_file tf = { 0 };
	struct stat st;
	int err;

	tf.fd = open(path, O_RDONLY);
	if (tf.fd < 0 || fstat(tf.fd, &st)) {
		test_fail(__LINE__, "%s: %s", path, strerror(errno));
		if (tf.fd >= 0)
			close(tf.fd);
		return -errno;
	}
	tf.size = st.st_size;
	img.ctx = &tf;
	img.size = tf.size;
	memset(test_name, 0, sizeof(test_name));
	test_file_reads = 0;
	err = kmods_image_name(&img, test_name, sizeof(test_name), &test_src);
	close(tf.fd);
	return err;
}

/*
 * An uncompressed dummy.ko: $KMODS_DUMMY_KO (tests/unit/run.sh points it
 * at the 6.1 test kernel's copy), else the first under /lib/modules.
 */
static void test_real_dummy_ko(void)
{
	const char *env = getenv("KMODS_DUMMY_KO");
	char *path;

	if (env && *env)
		path = strdup(env);
	else
		path = test_glob_first("/lib/modules/*/kernel/drivers/net/dummy.ko");
	if (!path) {
		test_skip("no uncompressed dummy.ko under /lib/modules and KMODS_DUMMY_KO unset");
		return;
	}
	printf("    # %s\n", path);
	/* As init_module's copy is read: a real module passes every check. */
	CHECK_INT(test_file_name(path, false), 0);
	CHECK_STR(test_name, "dummy");
	CHECK_INT(test_src, KMODS_NAME_MODINFO);
	printf("    # %u reads with the symbol and relocation tables\n",
	       test_file_reads);
	/* As finit_module's file is read: for the name only. */
	CHECK_INT(test_file_name(path, true), 0);
	CHECK_STR(test_name, "dummy");
	CHECK_INT(test_src, KMODS_NAME_MODINFO);
	/*
	 * The header, the section headers, the section names, .modinfo and
	 * this_module's name: five reads, not one per section and name.
	 */
	printf("    # %u reads\n", test_file_reads);
	CHECK(test_file_reads <= 5);
	free(path);
}

static void test_real_dummy_ko_xz(void)
{
	char *path = test_glob_first("/lib/modules/*/kernel/drivers/net/dummy.ko.xz");
	char cmd[512];
	size_t size = 0, n;
	u8 *image;
	FILE *f;

	if (!path) {
		test_skip("no dummy.ko.xz under /lib/modules");
		return;
	}
	printf("    # %s\n", path);
	/* As the kernel gets it from finit_module(): not ELF. */
	CHECK_INT(test_file_name(path, true), -ENOEXEC);

	/* As init_module() gets it from kmod: decompressed. */
	if (system("command -v xz >/dev/null 2>&1")) {
		test_skip("no xz to decompress it");
		free(path);
		return;
	}
	image = malloc(16 << 20);
	if (!image)
		abort();
	snprintf(cmd, sizeof(cmd), "xz -dc -- '%s'", path);
	f = popen(cmd, "r");
	if (f) {
		while ((n = fread(image + size, 1, (16 << 20) - size, f)) > 0)
			size += n;
		if (pclose(f))
			size = 0;
	}
	if (!size) {
		test_fail(__LINE__, "%s failed", cmd);
	} else {
		CHECK_INT(test_image_name(image, size), 0);
		CHECK_STR(test_name, "dummy");
		CHECK_INT(test_src, KMODS_NAME_MODINFO);
	}
	free(image);
	free(path);
}

/* Seeds for the image fuzzer */

struct test_seed {
	const char *file;
	struct elfimg_spec spec;
};

static const struct test_seed test_seeds[] = {
	{ "dummy-64lsb.elf", { .is64 = true, MODINFO(TEST_MODINFO_DUMMY),
			      .mod_name = "dummy", .text_bss = true } },
	{ "dummy-64msb.elf", { .is64 = true, .msb = true,
			      MODINFO(TEST_MODINFO_DUMMY),
			      .mod_name = "dummy" } },
	{ "dummy-32lsb.elf", { MODINFO(TEST_MODINFO_DUMMY),
			      .mod_name = "dummy", .text_bss = true } },
	{ "dummy-32msb.elf", { .msb = true, MODINFO(TEST_MODINFO_DUMMY),
			      .mod_name = "dummy" } },
	{ "this-module-64.elf", { .is64 = true, .mod_name = "nf_nat" } },
	{ "modinfo-32msb.elf", { .msb = true,
				MODINFO("license=GPL\0name=nf-nat\0") } },
	{ "differ-64.elf", { .is64 = true, MODINFO("name=allowed\0"),
			    .mod_name = "evil" } },
	{ "decoy-64.elf", { .is64 = true, MODINFO("name=evil\0"),
			   .mod_name = "evil", .extra = test_decoys,
			   .nr_extra = ARRAY_SIZE(test_decoys) } },
	/* Symbol, string and relocation tables for the fuzzer to break. */
	{ "symtab-64lsb.elf", { .is64 = true, MODINFO(TEST_MODINFO_DUMMY),
			       .mod_name = "dummy", .text_bss = true,
			       .symtab = true } },
	{ "symtab-64msb.elf", { .is64 = true, .msb = true,
			       MODINFO("name=a\0"), .symtab = true } },
	{ "symtab-32lsb-rel.elf", { MODINFO("name=a\0"), .mod_name = "a",
				   .symtab = true, .rel = true } },
	{ "symtab-32msb.elf", { .msb = true, .mod_name = "a",
			       .symtab = true } },
};

static int test_write_seeds(const char *dir)
{
	struct elfimg elf;
	char path[4096];
	size_t i;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(test_seeds); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, test_seeds[i].file);
		test_elf_build(&test_seeds[i].spec, &elf);
		f = fopen(path, "wb");
		if (!f || fwrite(elf.buf, 1, elf.size, f) != elf.size ||
		    fclose(f)) {
			perror(path);
			return 1;
		}
		test_elf_free(&elf);
		printf("%s\n", path);
	}
	return 0;
}

/* Running */

struct test_case {
	const char *name;
	void (*fn)(void);
};

#define TEST(fn) { #fn, fn }

static const struct test_case test_cases[] = {
	TEST(test_name_from_path_dirs),
	TEST(test_name_from_path_suffixes),
	TEST(test_name_from_path_other_suffix),
	TEST(test_name_from_path_empty),
	TEST(test_name_from_path_no_suffix),
	TEST(test_name_from_path_bare_suffix),
	TEST(test_name_from_path_max_len),
	TEST(test_name_from_path_small_buffer),
	TEST(test_path_is_module),
	TEST(test_name_eq_fold),
	TEST(test_name_eq_prefix),
	TEST(test_name_eq_empty),
	TEST(test_name_valid_basic),
	TEST(test_name_valid_bad_chars),
	TEST(test_name_valid_max_len),
	TEST(test_cmdline_basic),
	TEST(test_cmdline_last),
	TEST(test_cmdline_none),
	TEST(test_cmdline_unterminated),
	TEST(test_cmdline_empty),
	TEST(test_list_parse_empty),
	TEST(test_list_parse_spaces),
	TEST(test_list_parse_duplicates),
	TEST(test_list_allows),
	TEST(test_list_parse_empty_entries),
	TEST(test_list_parse_inner_space),
	TEST(test_list_parse_name_len),
	TEST(test_list_parse_max_names),
	TEST(test_list_parse_too_many),
	TEST(test_list_parse_bad_chars),
	TEST(test_list_format_round_trip),
	TEST(test_list_format_full),
	TEST(test_list_format_small),
	TEST(test_list_contains),
	TEST(test_list_append),
	TEST(test_list_size),
	TEST(test_list_large_lookup),
	TEST(test_penguin_name),
	TEST(test_policy_hints),
	TEST(test_decide_no_name),
	TEST(test_decide_builtin),
	TEST(test_decide_deny_beats_allow),
	TEST(test_decide_allow),
	TEST(test_decide_default),
	TEST(test_rule_allows),
	TEST(test_elf_64_lsb),
	TEST(test_elf_64_msb),
	TEST(test_elf_32_lsb),
	TEST(test_elf_32_msb),
	TEST(test_elf_modinfo_only),
	TEST(test_elf_this_module_only),
	TEST(test_elf_names_differ),
	TEST(test_elf_names_fold),
	TEST(test_elf_no_name),
	TEST(test_elf_not_elf),
	TEST(test_elf_bad_ident),
	TEST(test_elf_truncated_header),
	TEST(test_elf_truncated_anywhere),
	TEST(test_elf_shdrs_out_of_bounds),
	TEST(test_elf_shnum_huge),
	TEST(test_elf_shnum_in_bounds),
	TEST(test_elf_shentsize),
	TEST(test_elf_section_order),
	TEST(test_elf_shstrndx),
	TEST(test_elf_section_past_end),
	TEST(test_elf_section_names),
	TEST(test_elf_tables),
	TEST(test_elf_reloc_mips64),
	TEST(test_elf_modinfo_unterminated_name),
	TEST(test_elf_modinfo_unterminated_tail),
	TEST(test_elf_modinfo_long_entries),
	TEST(test_elf_modinfo_name_len),
	TEST(test_elf_modinfo_bad_chars),
	TEST(test_elf_modinfo_first_name),
	TEST(test_elf_this_module_bad),
	TEST(test_elf_alloc_flags),
	TEST(test_elf_decoy_sections),
	TEST(test_elf_decoy_sections_other),
	TEST(test_elf_two_modinfo),
	TEST(test_elf_two_this_module),
	TEST(test_elf_no_alloc_name),
	TEST(test_elf_name_buffer),
	TEST(test_elf_read_error),
	TEST(test_elf_read_error_bad_modinfo),
	TEST(test_elf_need_modinfo),
	TEST(test_elf_strtab_placed),
	TEST(test_elf_reads_in_bounds),
	TEST(test_real_dummy_ko),
	TEST(test_real_dummy_ko_xz),
};

static unsigned int test_num, test_passed, test_failed_count, test_skipped;

static void test_report(const char *name)
{
	test_num++;
	if (test_failed) {
		test_failed_count++;
		printf("not ok %u - %s\n", test_num, name);
	} else if (test_skip_reason) {
		test_skipped++;
		printf("ok %u - %s # SKIP %s\n", test_num, name,
		       test_skip_reason);
	} else {
		test_passed++;
		printf("ok %u - %s\n", test_num, name);
	}
	fflush(stdout);
	test_failed = false;
	test_skip_reason = NULL;
}

/* Fuzz inputs to replay: DIR/<harness>/<file>, each one case. */

struct test_harness {
	const char *name;
	int (*fn)(const u8 *data, size_t size);
};

static const struct test_harness test_harnesses[] = {
	{ "list", kmods_fuzz_list },
	{ "path", kmods_fuzz_path },
	{ "image", kmods_fuzz_image },
};

struct test_replay {
	const struct test_harness *harness;
	char path[4096 + 1 + 256];	/* DIR/harness, '/', file name */
	char name[512];
};

static struct test_replay *test_replays;
static size_t test_nr_replays;

static int test_replay_cmp(const void *a, const void *b)
{
	return strcmp(((const struct test_replay *)a)->name,
		      ((const struct test_replay *)b)->name);
}

static void test_sort_replays(size_t first)
{
	if (test_nr_replays > first)
		qsort(test_replays + first, test_nr_replays - first,
		      sizeof(*test_replays), test_replay_cmp);
}

/* A case to replay; without a harness, one that fails (a missing input). */
static __printf(3, 4) struct test_replay *
test_add_replay(const struct test_harness *harness, const char *path,
		const char *fmt, ...)
{
	struct test_replay *r;
	va_list ap;

	test_replays = realloc(test_replays,
			       (test_nr_replays + 1) * sizeof(*test_replays));
	if (!test_replays)
		abort();
	r = &test_replays[test_nr_replays++];
	r->harness = harness;
	snprintf(r->path, sizeof(r->path), "%s", path);
	va_start(ap, fmt);
	vsnprintf(r->name, sizeof(r->name), fmt, ap);
	va_end(ap);
	return r;
}

static void test_find_replays(const char *dir)
{
	struct test_replay *r;
	struct dirent *de;
	const char *label = strrchr(dir, '/');
	char path[4096];
	size_t i, first;
	DIR *d;

	label = label && label[1] ? label + 1 : dir;
	d = opendir(dir);
	if (!d) {
		test_add_replay(NULL, dir, "replay %s: %s", dir, strerror(errno));
		return;
	}
	closedir(d);
	first = test_nr_replays;
	for (i = 0; i < ARRAY_SIZE(test_harnesses); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 test_harnesses[i].name);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.' ||
			    !strcmp(de->d_name, "README"))
				continue;
			r = test_add_replay(&test_harnesses[i], path,
					    "replay %s/%s/%s", label,
					    test_harnesses[i].name, de->d_name);
			snprintf(r->path, sizeof(r->path), "%s/%s", path,
				 de->d_name);
		}
		closedir(d);
	}
	/* A directory given to replay that holds nothing fails, visibly. */
	if (test_nr_replays == first)
		test_add_replay(NULL, dir, "replay %s: no input for any harness",
				dir);
}

static u8 *test_read_file(const char *path, size_t *size)
{
	size_t cap = 4096, n;
	u8 *buf = malloc(cap);
	FILE *f = fopen(path, "rb");

	*size = 0;
	if (!buf || !f) {
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	while ((n = fread(buf + *size, 1, cap - *size, f)) > 0) {
		*size += n;
		if (*size == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
	}
	fclose(f);
	return buf;
}

static void test_replay(const void *arg)
{
	const struct test_replay *r = arg;
	size_t size;
	u8 *data;

	if (!r->harness) {
		test_fail(__LINE__, "%s", r->name);
		return;
	}
	data = test_read_file(r->path, &size);
	if (!data) {
		test_fail(__LINE__, "%s: %s", r->path, strerror(errno));
		return;
	}
	if (r->harness->fn(data, size))
		test_failed = true;
	free(data);
}

static void test_case(const void *arg)
{
	((const struct test_case *)arg)->fn();
}

#define TEST_TIMEOUT	20	/* seconds for one case */

static bool test_no_fork;
static char test_child_skip[256];

/*
 * Run one case in a child process, so that a sanitizer report or a crash
 * fails that case alone. The child sends its skip reason through a pipe.
 */
static void test_run(void (*fn)(const void *arg), const void *arg)
{
	int status, fds[2];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (test_no_fork) {
		fn(arg);
		return;
	}
	if (pipe(fds)) {
		test_fail(__LINE__, "pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		test_fail(__LINE__, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (!pid) {
		close(fds[0]);
		alarm(TEST_TIMEOUT);
		fn(arg);
		if (test_skip_reason &&
		    write(fds[1], test_skip_reason, strlen(test_skip_reason)) < 0)
			test_failed = true;
		close(fds[1]);
		/*
		 * _exit(): no LeakSanitizer scan per case, which would take
		 * most of the run time. policy.c allocates nothing; the fuzz
		 * harnesses' own allocations are leak-checked by libFuzzer.
		 */
		fflush(stdout);
		_exit(test_failed ? 1 : 0);
	}
	close(fds[1]);
	while (len < sizeof(test_child_skip) - 1 &&
	       (n = read(fds[0], test_child_skip + len,
			 sizeof(test_child_skip) - 1 - len)) > 0)
		len += n;
	test_child_skip[len] = '\0';
	close(fds[0]);
	if (len)
		test_skip_reason = test_child_skip;
	if (waitpid(pid, &status, 0) != pid)
		test_fail(__LINE__, "waitpid: %s", strerror(errno));
	else if (WIFSIGNALED(status))
		test_fail(__LINE__, "killed by signal %d%s", WTERMSIG(status),
			  WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	else if (WEXITSTATUS(status))
		test_failed = true;
}

static void test_usage(void)
{
	fprintf(stderr,
		"usage: policy-test [--no-fork] [--replay DIR]...\n"
		"       policy-test --write-seeds DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	bool replay = false;
	size_t i, first;
	int arg;

	for (arg = 1; arg < argc; arg++) {
		if (!strcmp(argv[arg], "--write-seeds") && arg + 1 < argc)
			return test_write_seeds(argv[arg + 1]);
		else if (!strcmp(argv[arg], "--replay") && arg + 1 < argc)
			replay = !!argv[++arg];
		else if (!strcmp(argv[arg], "--no-fork"))
			test_no_fork = true;
		else
			test_usage();
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	test_list = test_list_new();
	test_list2 = test_list_new();
	for (arg = 1; arg < argc; arg++) {
		if (!strcmp(argv[arg], "--replay")) {
			first = test_nr_replays;
			test_find_replays(argv[++arg]);
			test_sort_replays(first);
		}
	}
	if (!replay) {
		test_find_replays(KMODS_FUZZ_DIR "/regressions");
		test_find_replays(KMODS_FUZZ_DIR "/seeds");
		test_sort_replays(0);
	}
	printf("KTAP version 1\n");
	printf("1..%zu\n", ARRAY_SIZE(test_cases) + test_nr_replays);
	for (i = 0; i < ARRAY_SIZE(test_cases); i++) {
		test_run(test_case, &test_cases[i]);
		/* Print the function name without its "test_". */
		test_report(test_cases[i].name + strlen("test_"));
	}
	for (i = 0; i < test_nr_replays; i++) {
		test_run(test_replay, &test_replays[i]);
		test_report(test_replays[i].name);
	}
	free(test_replays);
	printf("%u passed, %u failed, %u skipped\n", test_passed,
	       test_failed_count, test_skipped);
	return test_failed_count ? 1 : 0;
}
