// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz kmods_list_parse() and kmods_list_format().
 *
 * The input, NUL-terminated, is parsed twice: by policy.c and by a small
 * independent model here; both must agree on success and on the names.
 * A failed parse must leave the list untouched. A parsed list must hold
 * valid, distinct names, decide as the lists it is (its sorted lookups
 * agreeing with a linear search), and format to text that parses back
 * to the same list; one byte less must give -ENOSPC. The input is also
 * appended to a fixed list, as a '+' write to sysfs is.
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

/* The lookups before the lists were sorted: linear, for comparison. */
static bool fuzz_list_allows_model(const struct kmods_list *l,
				   const char *name)
{
	unsigned int i;

	for (i = 0; i < l->count; i++) {
		if (!strcmp(l->names[i], name) ||
		    (!strchr(name, '-') && kmods_name_eq(l->names[i], name)))
			return true;
	}
	return false;
}

static bool fuzz_list_contains_model(const struct kmods_list *l,
				     const char *name)
{
	unsigned int i;

	for (i = 0; i < l->count; i++) {
		if (kmods_name_eq(l->names[i], name))
			return true;
	}
	return false;
}

#define FUZZ_LIST_BYTES	(sizeof(struct kmods_list) + KMODS_LIST_MAX * \
			 (2 * sizeof(char *) + MODULE_NAME_LEN))

/*
 * kmods_policy_check() with @name and @file against @l as the allowlist
 * and as the denylist: the rule is kmods_policy_decide()'s, and each
 * list's hint follows from whether the list matches the name as
 * igloo_kmods matches (folding) and the file byte for byte, as penguin's
 * plugin does; nothing for igloo's own modules.
 */
static int fuzz_list_hints(const struct kmods_list *l, const char *name,
			   const char *file)
{
	bool builtin = !strcmp(name, "igloo") || !strcmp(name, "igloo_kmods");
	bool by_name, by_file, den_name;
	u32 hints, want = 0;
	unsigned int i;
	int ret = 0;

	by_name = fuzz_list_allows_model(l, name);
	den_name = fuzz_list_contains_model(l, name);
	by_file = false;
	for (i = 0; i < l->count; i++)
		by_file |= !strcmp(l->names[i], file);
	if (!builtin && by_file != by_name)
		want |= by_file ? KMODS_F_ALLOW_FILE : KMODS_F_ALLOW_MODULE;
	FUZZ_CHECK(kmods_policy_check(name, file, l, NULL, &hints) ==
		   kmods_policy_decide(name, l, NULL));
	FUZZ_CHECK(hints == want);
	if (!builtin && by_file != den_name)
		want |= by_file ? KMODS_F_DENY_FILE : KMODS_F_DENY_MODULE;
	FUZZ_CHECK(kmods_policy_check(name, file, l, l, &hints) ==
		   kmods_policy_decide(name, l, l));
	FUZZ_CHECK(hints == want);
out:
	return ret;
}

int kmods_fuzz_list(const u8 *data, size_t size)
{
	static union {
		struct kmods_list l;
		unsigned char b[FUZZ_LIST_BYTES];
	} lu, againu, sentinel, baseu, appu;
	static char model[KMODS_LIST_MAX][MODULE_NAME_LEN];
	static char buf[KMODS_LIST_MAX * MODULE_NAME_LEN];
	struct kmods_list *lp = &lu.l, *ap = &againu.l;
	enum kmods_rule rule;
	char *text, *small = NULL, probe[MODULE_NAME_LEN];
	unsigned int model_count = 0, i, j;
	int ret = 0, err, model_err, len;
	size_t need, k;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	memset(&sentinel, 0xa5, sizeof(sentinel));
	lu = sentinel;
	err = kmods_list_parse(NULL, text, lp, sizeof(lu));
	model_err = fuzz_list_model(text, model, &model_count);
	FUZZ_CHECK(err == model_err);
	FUZZ_CHECK(kmods_list_size(NULL, text, &need) == err);
	if (err) {
		FUZZ_CHECK(err == -EINVAL);
		FUZZ_CHECK(!memcmp(&lu, &sentinel, sizeof(lu)));
		goto out;
	}
	FUZZ_CHECK(lp->size == need);

	FUZZ_CHECK(lp->count <= KMODS_LIST_MAX);
	FUZZ_CHECK(lp->count == model_count);
	for (i = 0; i < lp->count; i++) {
		FUZZ_CHECK(!strcmp(lp->names[i], model[i]));
		FUZZ_CHECK(kmods_name_valid(lp->names[i]));
		FUZZ_CHECK(kmods_list_contains(lp, lp->names[i]));
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(lp->names[i], lp->names[j]));
		rule = kmods_policy_decide(lp->names[i], lp, NULL);
		FUZZ_CHECK(rule == KMODS_RULE_ALLOWLIST ||
			   rule == KMODS_RULE_BUILTIN);
		rule = kmods_policy_decide(lp->names[i], lp, lp);
		FUZZ_CHECK(rule == KMODS_RULE_DENYLIST ||
			   rule == KMODS_RULE_BUILTIN);
		FUZZ_CHECK(kmods_rule_allows(rule) ==
			   (rule == KMODS_RULE_BUILTIN));
	}

	len = kmods_list_format(lp, buf, sizeof(buf));
	FUZZ_CHECK(len >= 0 && (size_t)len < sizeof(buf));
	FUZZ_CHECK(strlen(buf) == (size_t)len);

	/* Exactly big enough works; one byte short fails, leaving "". */
	small = malloc(len + 1);
	if (!small)
		goto out;
	FUZZ_CHECK(kmods_list_format(lp, small, len + 1) == len);
	FUZZ_CHECK(!strcmp(small, buf));
	if (len) {
		FUZZ_CHECK(kmods_list_format(lp, small, len) == -ENOSPC);
		FUZZ_CHECK(small[0] == '\0');
	}
	FUZZ_CHECK(kmods_list_format(lp, small, 0) == -ENOSPC);

	memset(&againu, 0x5a, sizeof(againu));
	FUZZ_CHECK(kmods_list_parse(NULL, buf, ap, sizeof(againu)) == 0);
	FUZZ_CHECK(ap->count == lp->count);
	for (i = 0; i < lp->count; i++)
		FUZZ_CHECK(!strcmp(ap->names[i], lp->names[i]));

	/*
	 * Each name, and each with its first separator flipped: the sorted
	 * lookups agree with the linear ones.
	 */
	for (i = 0; i < lp->count; i++) {
		strcpy(probe, lp->names[i]);
		for (j = 0; j < 2; j++) {
			FUZZ_CHECK(kmods_list_allows(lp, probe) ==
				   fuzz_list_allows_model(lp, probe));
			FUZZ_CHECK(kmods_list_contains(lp, probe) ==
				   fuzz_list_contains_model(lp, probe));
			/* A name or a file off the list, against one on it. */
			FUZZ_CHECK(!fuzz_list_hints(lp, probe,
						    lp->names[(i + 1) % lp->count]));
			FUZZ_CHECK(!fuzz_list_hints(lp, lp->names[i], probe));
			k = strcspn(probe, "-_");
			if (!probe[k])
				break;
			probe[k] ^= '-' ^ '_';
		}
	}

	/* Appended to "a,nf-nat": those first, then the input's new names. */
	FUZZ_CHECK(kmods_list_parse(NULL, "a,nf-nat", &baseu.l,
				    sizeof(baseu)) == 0);
	FUZZ_CHECK(kmods_list_parse(&baseu.l, text, &appu.l,
				    sizeof(appu)) == 0);
	FUZZ_CHECK(appu.l.count >= 2 && appu.l.count <= lp->count + 2);
	FUZZ_CHECK(!strcmp(appu.l.names[0], "a") &&
		   !strcmp(appu.l.names[1], "nf-nat"));
	for (i = 0; i < lp->count; i++)
		FUZZ_CHECK(kmods_list_has(&appu.l, lp->names[i]));
out:
	free(small);
	free(text);
	return ret;
}
