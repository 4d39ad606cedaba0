// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz kmods_list_parse() and kmods_list_format().
 *
 * The input, NUL-terminated, is parsed twice: by policy.c and by a small
 * independent model here; both must agree on success and on the names.
 * A failed parse must leave the list untouched. A parsed list must hold
 * valid, distinct names, decide as the lists it is, and format to text
 * that parses back to the same list; one byte less must give -ENOSPC.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static bool fuzz_list_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool fuzz_list_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* The documented grammar, written the obvious way. */
static int fuzz_list_model(const char *text,
			   char names[KMODS_LIST_MAX][MODULE_NAME_LEN],
			   unsigned int *count)
{
	const char *s = text, *e, *comma, *p;
	unsigned int entries = 0, n = 0, i;
	bool dup;

	for (;;) {
		comma = strchr(s, ',');
		e = comma ? comma : s + strlen(s);
		while (s < e && fuzz_list_space(*s))
			s++;
		while (e > s && fuzz_list_space(e[-1]))
			e--;
		for (p = s; p < e; p++) {
			if (!fuzz_list_char(*p))
				return -EINVAL;
		}
		if ((size_t)(e - s) >= MODULE_NAME_LEN)
			return -EINVAL;
		if (e > s) {
			if (++entries > KMODS_LIST_MAX)
				return -EINVAL;
			memcpy(names[n], s, e - s);
			names[n][e - s] = '\0';
			dup = false;
			for (i = 0; i < n && !dup; i++)
				dup = !strcmp(names[i], names[n]);
			if (!dup)
				n++;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	*count = n;
	return 0;
}

int kmods_fuzz_list(const u8 *data, size_t size)
{
	static struct kmods_list list, again, sentinel;
	static char model[KMODS_LIST_MAX][MODULE_NAME_LEN];
	static char buf[KMODS_LIST_MAX * MODULE_NAME_LEN];
	enum kmods_rule rule;
	char *text, *small = NULL;
	unsigned int model_count = 0, i, j;
	int ret = 0, err, model_err, len;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	memset(&sentinel, 0xa5, sizeof(sentinel));
	list = sentinel;
	err = kmods_list_parse(text, &list);
	model_err = fuzz_list_model(text, model, &model_count);
	FUZZ_CHECK(err == model_err);
	if (err) {
		FUZZ_CHECK(err == -EINVAL);
		FUZZ_CHECK(!memcmp(&list, &sentinel, sizeof(list)));
		goto out;
	}

	FUZZ_CHECK(list.count <= KMODS_LIST_MAX);
	FUZZ_CHECK(list.count == model_count);
	for (i = 0; i < list.count; i++) {
		FUZZ_CHECK(!strcmp(list.names[i], model[i]));
		FUZZ_CHECK(kmods_name_valid(list.names[i]));
		FUZZ_CHECK(kmods_list_contains(&list, list.names[i]));
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(list.names[i], list.names[j]));
		rule = kmods_policy_decide(list.names[i], &list, NULL);
		FUZZ_CHECK(rule == KMODS_RULE_ALLOWLIST ||
			   rule == KMODS_RULE_BUILTIN);
		rule = kmods_policy_decide(list.names[i], &list, &list);
		FUZZ_CHECK(rule == KMODS_RULE_DENYLIST ||
			   rule == KMODS_RULE_BUILTIN);
		FUZZ_CHECK(kmods_rule_allows(rule) ==
			   (rule == KMODS_RULE_BUILTIN));
	}

	len = kmods_list_format(&list, buf, sizeof(buf));
	FUZZ_CHECK(len >= 0 && (size_t)len < sizeof(buf));
	FUZZ_CHECK(strlen(buf) == (size_t)len);

	/* Exactly big enough works; one byte short fails, leaving "". */
	small = malloc(len + 1);
	if (!small)
		goto out;
	FUZZ_CHECK(kmods_list_format(&list, small, len + 1) == len);
	FUZZ_CHECK(!strcmp(small, buf));
	if (len) {
		FUZZ_CHECK(kmods_list_format(&list, small, len) == -ENOSPC);
		FUZZ_CHECK(small[0] == '\0');
	}
	FUZZ_CHECK(kmods_list_format(&list, small, 0) == -ENOSPC);

	memset(&again, 0x5a, sizeof(again));
	FUZZ_CHECK(kmods_list_parse(buf, &again) == 0);
	FUZZ_CHECK(again.count == list.count);
	for (i = 0; i < list.count; i++)
		FUZZ_CHECK(!strcmp(again.names[i], list.names[i]));
out:
	free(small);
	free(text);
	return ret;
}
