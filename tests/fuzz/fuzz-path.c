// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the name helpers: kmods_name_valid(), kmods_name_eq(),
 * kmods_path_is_module(), kmods_name_from_path(), kmods_cmdline_module()
 * and kmods_policy_decide() without lists.
 *
 * Each is checked against a plain model written here. Output buffers and
 * the command line are heap copies of exactly the size passed, so a read
 * or write past them is an AddressSanitizer report.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static const char *const fuzz_path_suffixes[] = {
	".ko.zst", ".ko.xz", ".ko.gz", ".ko",
};

static bool fuzz_path_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len > MODULE_NAME_LEN - 1)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static char fuzz_path_fold(char c)
{
	return c == '-' ? '_' : c;
}

static bool fuzz_path_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;

	if (la != lb)
		return false;
	for (i = 0; i < la; i++) {
		if (fuzz_path_fold(a[i]) != fuzz_path_fold(b[i]))
			return false;
	}
	return true;
}

/* Length of the module suffix @s ends in, after at least one character. */
static size_t fuzz_path_suffix(const char *s)
{
	size_t len = strlen(s), n, i;

	for (i = 0; i < ARRAY_SIZE(fuzz_path_suffixes); i++) {
		n = strlen(fuzz_path_suffixes[i]);
		if (len > n && !strcmp(s + len - n, fuzz_path_suffixes[i]))
			return n;
	}
	return 0;
}

/* The last NUL-terminated argument that names a module file. */
static const char *fuzz_path_cmdline(const char *args, size_t len)
{
	const char *found = NULL;
	size_t start = 0, i;

	for (i = 0; i < len; i++) {
		if (args[i])
			continue;
		if (fuzz_path_suffix(args + start))
			found = args + start;
		start = i + 1;
	}
	return found;
}

/* kmods_name_from_path() with an output buffer of exactly @size bytes. */
static int fuzz_path_name_size(const char *path, size_t size)
{
	const char *base = strrchr(path, '/');
	char want[KMODS_NAME_LEN] = "";
	int ret = 0, err, want_err;
	char *name;
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base) - fuzz_path_suffix(base);
	if (len < sizeof(want)) {
		memcpy(want, base, len);
		want[len] = '\0';
	}
	if (len >= size || len >= MODULE_NAME_LEN)
		want_err = -ENAMETOOLONG;
	else
		want_err = fuzz_path_valid(want) ? 0 : -EINVAL;

	name = malloc(size ? size : 1);
	if (!name)
		return 0;
	err = kmods_name_from_path(path, name, size);
	FUZZ_CHECK(err == want_err);
	if (!err)
		FUZZ_CHECK(!strcmp(name, want));
out:
	free(name);
	return ret;
}

/* kmods_name_from_path() with a range of buffer sizes, and @extra if set. */
static int fuzz_path_name(const char *path, size_t extra)
{
	static const size_t sizes[] = {
		0, 1, 2, 4, 8, MODULE_NAME_LEN - 1, MODULE_NAME_LEN,
		KMODS_NAME_LEN,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (fuzz_path_name_size(path, sizes[i]))
			return -1;
	}
	return extra ? fuzz_path_name_size(path, extra) : 0;
}

int kmods_fuzz_path(const u8 *data, size_t size)
{
	const char *a, *b, *found, *want;
	enum kmods_rule rule;
	char *text, *args;
	size_t len;
	int ret = 0;

	text = malloc(size + 1);
	args = malloc(size ? size : 1);
	if (!text || !args)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	memcpy(args, data, size);
	len = strlen(text);

	FUZZ_CHECK(kmods_name_valid(text) == fuzz_path_valid(text));
	FUZZ_CHECK(kmods_path_is_module(text) == !!fuzz_path_suffix(text));

	/* The first two NUL-separated strings of the input, as names. */
	a = text;
	b = "";
	if (len + 1 < size && memchr(args + len + 1, '\0', size - len - 1))
		b = args + len + 1;
	FUZZ_CHECK(kmods_name_eq(a, b) == fuzz_path_eq(a, b));
	FUZZ_CHECK(kmods_name_eq(b, a) == kmods_name_eq(a, b));
	FUZZ_CHECK(kmods_name_eq(a, a));

	rule = kmods_policy_decide(text, NULL, NULL);
	if (!fuzz_path_valid(text))
		FUZZ_CHECK(rule == KMODS_RULE_NO_NAME);
	else if (!strcmp(text, "igloo") || !strcmp(text, "igloo_kmods"))
		FUZZ_CHECK(rule == KMODS_RULE_BUILTIN);
	else
		FUZZ_CHECK(rule == KMODS_RULE_DEFAULT);

	if (fuzz_path_name(text, size))
		FUZZ_CHECK(!"kmods_name_from_path");

	found = kmods_cmdline_module(args, size);
	want = fuzz_path_cmdline(args, size);
	FUZZ_CHECK(found == want);
	if (found) {
		FUZZ_CHECK(kmods_path_is_module(found));
		if (fuzz_path_name(found, 0))
			FUZZ_CHECK(!"kmods_name_from_path on the command line");
	}
	FUZZ_CHECK(!kmods_cmdline_module(args, 0));
out:
	free(args);
	free(text);
	return ret;
}
