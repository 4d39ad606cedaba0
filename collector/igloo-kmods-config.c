// SPDX-License-Identifier: GPL-2.0
/*
 * igloo-kmods-config - turn the kmods plugin section of a penguin
 * config.yaml into igloo_kmods module parameters
 *
 * Reads the YAML file (or standard input), takes plugins.kmods (allowlist,
 * denylist, quiet), checks every value the way penguin's Python YAML
 * loader types it and the way igloo_kmods would accept it, and prints
 * either the insmod command line that loads igloo_kmods with that policy
 * or, with --sysfs, the writes to /sys/module/igloo_kmods/parameters that
 * give a loaded igloo_kmods that policy, and nothing else. The rest of
 * the config is not looked at.
 *
 * Scalars are typed as PyYAML's SafeLoader (YAML 1.1) types them: an
 * unquoted yes/no/on/off/true/false is a boolean, 123 an integer, ~ null,
 * 2024-01-01 a date; quoting or !!str makes any of them a string. Anchors,
 * aliases and merge keys (<<) work as in PyYAML.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define CONFIG_NAME		"igloo-kmods-config"
#define CONFIG_VERSION		"1.0"

#define CONFIG_EXIT_OK		0
#define CONFIG_EXIT_ERROR	1	/* bad config or unreadable input */
#define CONFIG_EXIT_USAGE	2

/*
 * What igloo_kmods accepts in a list (policy.c, kmods_list_parse()): at
 * most 64 names of [A-Za-z0-9_-], each shorter than MODULE_NAME_LEN, which
 * is 56 on 64-bit kernels (60 on 32-bit ones: 56 works on both).
 */
#define NAME_LEN_MAX		55
#define LIST_MAX		64

#define SYSFS_PARAMS		"/sys/module/igloo_kmods/parameters"
#define DEFAULT_MODULE		"igloo_kmods.ko"

#define MERGE_DEPTH_MAX		32
#define YAML_TAG_PREFIX		"tag:yaml.org,2002:"

#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* ---- A YAML document as a tree ---- */

enum node_kind { NODE_SCALAR, NODE_SEQ, NODE_MAP };

/**
 * struct node - one YAML node
 * @kind: scalar, sequence or mapping
 * @tag: the explicit tag, resolved ("tag:yaml.org,2002:str" for !!str),
 *	or NULL when the node has none
 * @plain: a scalar written without quotes (only those are typed by value)
 * @value: scalar bytes, NUL-terminated (may also contain NUL bytes)
 * @len: scalar length
 * @items: sequence items, or mapping keys and values alternating
 * @n: number of entries in @items
 * @cap: allocated entries
 * @all_next: every node, for freeing
 */
struct node {
	enum node_kind kind;
	char *tag;
	bool plain;
	char *value;
	size_t len;
	struct node **items;
	size_t n;
	size_t cap;
	struct node *all_next;
};

struct anchor {
	char *name;
	struct node *node;
};

struct tree {
	struct node *root;
	struct node *all;
	struct anchor *anchors;
	size_t n_anchors;
	struct node *stack[256];
	size_t depth;
	int documents;
};

static const char *prog = CONFIG_NAME;

static void oom(void)
{
	fprintf(stderr, "%s: out of memory\n", prog);
	exit(CONFIG_EXIT_ERROR);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

static char *xstrndup(const char *s, size_t len)
{
	char *p = xcalloc(len + 1, 1);

	memcpy(p, s, len);
	return p;
}

static struct node *node_new(struct tree *t, enum node_kind kind,
			     const yaml_char_t *tag)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	if (tag && strcmp((const char *)tag, "!"))
		n->tag = xstrndup((const char *)tag, strlen((const char *)tag));
	else if (tag)
		n->tag = xstrndup("!", 1);
	n->all_next = t->all;
	t->all = n;
	return n;
}

static void node_append(struct node *parent, struct node *child)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? 2 * parent->cap : 8;
		struct node **items = realloc(parent->items,
					      cap * sizeof(*items));

		if (!items)
			oom();
		parent->items = items;
		parent->cap = cap;
	}
	parent->items[parent->n++] = child;
}

static void tree_free(struct tree *t)
{
	struct node *n, *next;
	size_t i;

	for (n = t->all; n; n = next) {
		next = n->all_next;
		free(n->tag);
		free(n->value);
		free(n->items);
		free(n);
	}
	for (i = 0; i < t->n_anchors; i++)
		free(t->anchors[i].name);
	free(t->anchors);
}

static void anchor_add(struct tree *t, const yaml_char_t *name,
		       struct node *node)
{
	struct anchor *a;

	if (!name)
		return;
	a = realloc(t->anchors, (t->n_anchors + 1) * sizeof(*a));
	if (!a)
		oom();
	t->anchors = a;
	a[t->n_anchors].name = xstrndup((const char *)name,
					strlen((const char *)name));
	a[t->n_anchors].node = node;
	t->n_anchors++;
}

/* The latest node with this anchor, as a later &name redefines it. */
static struct node *anchor_find(const struct tree *t, const yaml_char_t *name)
{
	size_t i = t->n_anchors;

	while (i--) {
		if (!strcmp(t->anchors[i].name, (const char *)name))
			return t->anchors[i].node;
	}
	return NULL;
}

static int tree_attach(struct tree *t, struct node *n)
{
	if (t->depth)
		node_append(t->stack[t->depth - 1], n);
	else
		t->root = n;
	return 0;
}

static void __printf(1, 2) error(const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Build the tree of the only document in @parser. Return 0, or -1 after
 * printing an error.
 */
static int tree_load(struct tree *t, yaml_parser_t *parser, const char *src)
{
	yaml_event_t ev;
	struct node *n;
	bool done = false;
	int err = 0;

	while (!done && !err) {
		if (!yaml_parser_parse(parser, &ev)) {
			if (parser->error == YAML_READER_ERROR)
				error("%s: byte %zu: %s", src,
				      parser->problem_offset,
				      parser->problem ? parser->problem :
				      "input error");
			else
				error("%s:%zu:%zu: %s%s%s", src,
				      parser->problem_mark.line + 1,
				      parser->problem_mark.column + 1,
				      parser->problem ? parser->problem :
				      "invalid YAML",
				      parser->context ? " " : "",
				      parser->context ? parser->context : "");
			return -1;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++t->documents > 1) {
				error("%s:%zu:%zu: expected a single document, found another",
				      src, ev.start_mark.line + 1,
				      ev.start_mark.column + 1);
				err = -1;
			}
			break;
		case YAML_SCALAR_EVENT:
			n = node_new(t, NODE_SCALAR, ev.data.scalar.tag);
			n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			n->value = xstrndup((const char *)ev.data.scalar.value,
					    ev.data.scalar.length);
			n->len = ev.data.scalar.length;
			anchor_add(t, ev.data.scalar.anchor, n);
			tree_attach(t, n);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (t->depth == ARRAY_SIZE(t->stack)) {
				error("%s:%zu:%zu: nested too deeply", src,
				      ev.start_mark.line + 1,
				      ev.start_mark.column + 1);
				err = -1;
				break;
			}
			if (ev.type == YAML_SEQUENCE_START_EVENT) {
				n = node_new(t, NODE_SEQ,
					     ev.data.sequence_start.tag);
				anchor_add(t, ev.data.sequence_start.anchor, n);
			} else {
				n = node_new(t, NODE_MAP,
					     ev.data.mapping_start.tag);
				anchor_add(t, ev.data.mapping_start.anchor, n);
			}
			tree_attach(t, n);
			t->stack[t->depth++] = n;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			t->depth--;
			break;
		case YAML_ALIAS_EVENT:
			n = anchor_find(t, ev.data.alias.anchor);
			if (!n) {
				error("%s:%zu:%zu: found undefined alias '%s'",
				      src, ev.start_mark.line + 1,
				      ev.start_mark.column + 1,
				      (const char *)ev.data.alias.anchor);
				err = -1;
				break;
			}
			tree_attach(t, n);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	return err;
}

/* ---- Typing scalars as PyYAML's SafeLoader does (YAML 1.1) ---- */

enum ytype {
	Y_STR, Y_NULL, Y_BOOL, Y_INT, Y_FLOAT, Y_TIMESTAMP, Y_MERGE, Y_VALUE,
	Y_SEQ, Y_MAP, Y_OTHER,
};

static const char *const ytype_names[] = {
	[Y_STR] = "a string",
	[Y_NULL] = "null",
	[Y_BOOL] = "a boolean",
	[Y_INT] = "an integer",
	[Y_FLOAT] = "a float",
	[Y_TIMESTAMP] = "a timestamp",
	[Y_MERGE] = "a merge key",
	[Y_VALUE] = "a value key",
	[Y_SEQ] = "a list",
	[Y_MAP] = "a mapping",
	[Y_OTHER] = "a tagged value",
};

/*
 * PyYAML's implicit resolvers (yaml/resolver.py) as POSIX EREs, one
 * alternative each.
 */
#define RE_EXP		"([eE][-+][0-9]+)?"
#define RE_SEXA		"(:[0-5]?[0-9])+"
#define RE_DATE		"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
#define RE_TIME		"[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*)?"
#define RE_TZ		"([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?"

static const struct {
	enum ytype type;
	const char *re;
} resolvers[] = {
	{ Y_BOOL, "^(yes|Yes|YES|no|No|NO)$" },
	{ Y_BOOL, "^(true|True|TRUE|false|False|FALSE)$" },
	{ Y_BOOL, "^(on|On|ON|off|Off|OFF)$" },
	{ Y_FLOAT, "^[-+]?[0-9][0-9_]*\\.[0-9_]*" RE_EXP "$" },
	{ Y_FLOAT, "^\\.[0-9][0-9_]*" RE_EXP "$" },
	{ Y_FLOAT, "^[-+]?[0-9][0-9_]*" RE_SEXA "\\.[0-9_]*$" },
	{ Y_FLOAT, "^[-+]?\\.(inf|Inf|INF)$" },
	{ Y_FLOAT, "^\\.(nan|NaN|NAN)$" },
	{ Y_INT, "^[-+]?0b[0-1_]+$" },
	{ Y_INT, "^[-+]?0[0-7_]+$" },
	{ Y_INT, "^[-+]?(0|[1-9][0-9_]*)$" },
	{ Y_INT, "^[-+]?0x[0-9a-fA-F_]+$" },
	{ Y_INT, "^[-+]?[1-9][0-9_]*" RE_SEXA "$" },
	{ Y_MERGE, "^<<$" },
	{ Y_NULL, "^(~|null|Null|NULL|)$" },
	{ Y_TIMESTAMP, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
	{ Y_TIMESTAMP, "^" RE_DATE "([Tt]|[ \t]+)" RE_TIME RE_TZ "$" },
	{ Y_VALUE, "^=$" },
};

static regex_t resolver_re[ARRAY_SIZE(resolvers)];

static void resolvers_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(resolvers); i++) {
		if (regcomp(&resolver_re[i], resolvers[i].re,
			    REG_EXTENDED | REG_NOSUB)) {
			fprintf(stderr, "%s: bad built-in pattern %zu\n",
				prog, i);
			exit(CONFIG_EXIT_ERROR);
		}
	}
}

static void resolvers_free(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(resolvers); i++)
		regfree(&resolver_re[i]);
}

static bool bool_word(const char *s, bool *value)
{
	static const char *const yes[] = { "yes", "true", "on" };
	static const char *const no[] = { "no", "false", "off" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*value = true;
			return true;
		}
		if (!strcasecmp(s, no[i])) {
			*value = false;
			return true;
		}
	}
	return false;
}

static enum ytype ytype_of(const struct node *n)
{
	const char *tag = n->tag;
	size_t i;

	if (n->kind == NODE_SEQ)
		return Y_SEQ;
	if (n->kind == NODE_MAP)
		return Y_MAP;
	if (tag && !strcmp(tag, "!"))
		return Y_STR;	/* the non-specific tag: a string */
	if (tag) {
		static const struct {
			const char *name;
			enum ytype type;
		} tags[] = {
			{ "str", Y_STR }, { "null", Y_NULL },
			{ "bool", Y_BOOL }, { "int", Y_INT },
			{ "float", Y_FLOAT }, { "timestamp", Y_TIMESTAMP },
			{ "merge", Y_MERGE }, { "value", Y_VALUE },
		};

		if (strncmp(tag, YAML_TAG_PREFIX, strlen(YAML_TAG_PREFIX)))
			return Y_OTHER;
		tag += strlen(YAML_TAG_PREFIX);
		for (i = 0; i < ARRAY_SIZE(tags); i++) {
			if (!strcmp(tag, tags[i].name))
				return tags[i].type;
		}
		return Y_OTHER;
	}
	if (!n->plain || strlen(n->value) != n->len)
		return Y_STR;
	for (i = 0; i < ARRAY_SIZE(resolvers); i++) {
		if (!regexec(&resolver_re[i], n->value, 0, NULL, 0))
			return resolvers[i].type;
	}
	return Y_STR;
}

/* ---- Messages ---- */

/* @s quoted for a message: 'text', with \\, \' and \xNN escapes. */
static char *quoted(const char *s, size_t len)
{
	char *out = xcalloc(4 * len + 3, 1), *p = out;
	size_t i;

	*p++ = '\'';
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '\\' || c == '\'') {
			*p++ = '\\';
			*p++ = c;
		} else if (c < 0x20 || c >= 0x7f) {
			p += sprintf(p, "\\x%02x", c);
		} else {
			*p++ = c;
		}
	}
	*p++ = '\'';
	*p = '\0';
	return out;
}

/* Printable ASCII without spaces or quotes: shown as is in messages. */
static bool printable_word(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c <= ' ' || c >= 0x7f || c == '\'' || c == '\\')
			return false;
	}
	return len > 0;
}

/* "a string ('x')", "a mapping", ...: what a node is, for a message. */
static char *describe(const struct node *n)
{
	enum ytype type = ytype_of(n);
	char *q, *out;

	if (n->kind != NODE_SCALAR || type == Y_NULL) {
		if (type == Y_OTHER && n->tag)
			goto tagged;
		return xstrndup(ytype_names[type], strlen(ytype_names[type]));
	}
	if (type == Y_OTHER)
		goto tagged;
	if (type != Y_STR && printable_word(n->value, n->len))
		q = xstrndup(n->value, n->len);
	else
		q = quoted(n->value, n->len);
	if (asprintf(&out, "%s (%s)", ytype_names[type], q) < 0)
		oom();
	free(q);
	return out;
tagged:
	if (asprintf(&out, "a value tagged %s", n->tag) < 0)
		oom();
	return out;
}

/* ---- Mappings, with PyYAML's merge keys and last-one-wins ---- */

struct pair {
	const struct node *key;
	const struct node *value;
	bool merged;		/* came from a << merge */
};

struct pairs {
	struct pair *v;
	size_t n;
	size_t cap;
};

static void pairs_add(struct pairs *p, const struct node *key,
		      const struct node *value, bool merged)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct pair *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			oom();
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].key = key;
	p->v[p->n].value = value;
	p->v[p->n].merged = merged;
	p->n++;
}

static int merge_error(const char *path)
{
	error("%s: a merge key (<<) takes a mapping or a list of mappings",
	      path);
	return -1;
}

/*
 * The entries of mapping @map in the order PyYAML's flatten_mapping()
 * gives them (merged entries first, the first merged mapping last), so
 * that the last entry with a key is the one that counts.
 */
static int flatten(const struct node *map, struct pairs *out, bool merged,
		   const char *path, int depth)
{
	struct pairs own = { 0 };
	const struct node *v;
	size_t i, j;
	int err = 0;

	if (depth > MERGE_DEPTH_MAX) {
		error("%s: merge keys (<<) nested too deeply", path);
		return -1;
	}
	for (i = 0; i + 1 < map->n && !err; i += 2) {
		if (ytype_of(map->items[i]) != Y_MERGE) {
			pairs_add(&own, map->items[i], map->items[i + 1],
				  merged);
			continue;
		}
		v = map->items[i + 1];
		if (v->kind == NODE_MAP) {
			err = flatten(v, out, true, path, depth + 1);
		} else if (v->kind == NODE_SEQ) {
			for (j = v->n; j-- && !err;) {
				if (v->items[j]->kind != NODE_MAP)
					err = merge_error(path);
				else
					err = flatten(v->items[j], out, true,
						      path, depth + 1);
			}
		} else {
			err = merge_error(path);
		}
	}
	for (i = 0; i < own.n; i++)
		pairs_add(out, own.v[i].key, own.v[i].value, own.v[i].merged);
	free(own.v);
	return err;
}

static bool key_is(const struct node *key, const char *name)
{
	enum ytype type = ytype_of(key);

	return key->kind == NODE_SCALAR &&
	       (type == Y_STR || type == Y_VALUE) &&
	       key->len == strlen(name) && !memcmp(key->value, name, key->len);
}

/*
 * The value of @name in the flattened mapping @p (the last one), or NULL.
 * A key written twice in the mapping itself is an error (PyYAML would
 * silently take the last one): *@err is set.
 */
static const struct node *lookup(const struct pairs *p, const char *name,
				 const char *path, int *err)
{
	const struct node *found = NULL;
	int own = 0;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (!key_is(p->v[i].key, name))
			continue;
		found = p->v[i].value;
		if (!p->v[i].merged)
			own++;
	}
	if (own > 1) {
		error("%s%s%s: duplicate key", path, *path ? "." : "", name);
		*err = -1;
	}
	return found;
}

/* ---- The kmods section ---- */

struct policy {
	char **allow;
	size_t n_allow;
	char **deny;
	size_t n_deny;
	bool quiet;
};

/* Why igloo_kmods would refuse @s as a list entry, or NULL. */
static const char *name_problem(const char *s, size_t len, char *buf,
				size_t size)
{
	size_t i;

	if (!len)
		return "an empty name";
	if (memchr(s, '/', len))
		return "a path, not a module name";
	if ((len >= 3 && !memcmp(s + len - 3, ".ko", 3)) ||
	    memmem(s, len, ".ko.", 4))
		return "a file name, not a module name (drop the .ko suffix)";
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];
		char *q;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-')
			continue;
		q = quoted(s + i, 1);
		snprintf(buf, size,
			 "character %s is not allowed (only A-Z a-z 0-9 _ -)",
			 q);
		free(q);
		return buf;
	}
	if (len > NAME_LEN_MAX) {
		snprintf(buf, size, "%zu characters, at most %d", len,
			 NAME_LEN_MAX);
		return buf;
	}
	return NULL;
}

static int get_list(const struct node *v, const char *key, char ***names,
		    size_t *count)
{
	char path[64], why[128], *d, *q;
	const struct node *item;
	const char *problem;
	int err = 0;
	size_t i;

	if (!v || ytype_of(v) == Y_NULL)
		return 0;
	if (v->kind != NODE_SEQ) {
		d = describe(v);
		error("plugins.kmods.%s: expected a list of module names, got %s",
		      key, d);
		free(d);
		return -1;
	}
	if (v->tag && strcmp(v->tag, YAML_TAG_PREFIX "seq") &&
	    strcmp(v->tag, "!")) {
		error("plugins.kmods.%s: expected a list of module names, got a value tagged %s",
		      key, v->tag);
		return -1;
	}
	*names = xcalloc(v->n, sizeof(**names));
	for (i = 0; i < v->n; i++) {
		item = v->items[i];
		snprintf(path, sizeof(path), "plugins.kmods.%s[%zu]", key, i);
		if (ytype_of(item) != Y_STR) {
			d = describe(item);
			error("%s: expected a module name, got %s%s", path, d,
			      item->kind == NODE_SCALAR && item->plain &&
			      !item->tag && ytype_of(item) != Y_NULL ?
			      "; quote it to make it a string" : "");
			free(d);
			err = -1;
			continue;
		}
		q = quoted(item->value, item->len);
		problem = name_problem(item->value, item->len, why,
				       sizeof(why));
		if (problem) {
			error("%s: %s: %s", path, q, problem);
			err = -1;
		} else if (i == LIST_MAX) {
			error("%s: %s: more than %d names", path, q, LIST_MAX);
			err = -1;
		}
		free(q);
		(*names)[(*count)++] = item->value;
	}
	return err;
}

static int get_bool(const struct node *v, const char *key, bool *value)
{
	char *d;

	if (!v || ytype_of(v) == Y_NULL)
		return 0;
	if (v->kind == NODE_SCALAR && ytype_of(v) == Y_BOOL &&
	    strlen(v->value) == v->len && bool_word(v->value, value))
		return 0;
	if (v->kind == NODE_SCALAR && ytype_of(v) == Y_BOOL) {
		/* !!bool with a value PyYAML does not know */
		d = quoted(v->value, v->len);
		error("plugins.kmods.%s: expected true or false, got %s tagged !!bool",
		      key, d);
	} else {
		d = describe(v);
		error("plugins.kmods.%s: expected true or false, got %s", key,
		      d);
	}
	free(d);
	return -1;
}

static const char *const kmods_keys[] = { "allowlist", "denylist", "quiet" };

static int get_policy(const struct tree *t, struct policy *pol)
{
	struct pairs top = { 0 }, plugins = { 0 }, kmods = { 0 };
	const struct node *n;
	char *d, *q;
	int err = 0;
	size_t i, k;

	n = t->root;
	if (!n || ytype_of(n) == Y_NULL)
		return 0;
	if (n->kind != NODE_MAP) {
		d = describe(n);
		error("the config is %s, not a mapping", d);
		free(d);
		return -1;
	}
	if (flatten(n, &top, false, "the config", 0))
		goto out_err;
	n = lookup(&top, "plugins", "", &err);
	if (err || !n || ytype_of(n) == Y_NULL)
		goto out;
	if (n->kind != NODE_MAP) {
		d = describe(n);
		error("plugins: expected a mapping, got %s", d);
		free(d);
		goto out_err;
	}
	if (flatten(n, &plugins, false, "plugins", 0))
		goto out_err;
	n = lookup(&plugins, "kmods", "plugins", &err);
	if (err || !n || ytype_of(n) == Y_NULL)
		goto out;
	if (n->kind != NODE_MAP) {
		d = describe(n);
		error("plugins.kmods: expected a mapping, got %s", d);
		free(d);
		goto out_err;
	}
	if (flatten(n, &kmods, false, "plugins.kmods", 0))
		goto out_err;

	for (i = 0; i < kmods.n; i++) {
		const struct node *key = kmods.v[i].key;

		for (k = 0; k < ARRAY_SIZE(kmods_keys); k++) {
			if (key_is(key, kmods_keys[k]))
				break;
		}
		if (k < ARRAY_SIZE(kmods_keys))
			continue;
		if (key->kind == NODE_SCALAR) {
			q = printable_word(key->value, key->len) ?
			    xstrndup(key->value, key->len) :
			    quoted(key->value, key->len);
			error("plugins.kmods.%s: unknown key", q);
			free(q);
		} else {
			d = describe(key);
			error("plugins.kmods: unknown key (%s)", d);
			free(d);
		}
		err = -1;
	}
	if (get_list(lookup(&kmods, "allowlist", "plugins.kmods", &err),
		     "allowlist", &pol->allow, &pol->n_allow))
		err = -1;
	if (get_list(lookup(&kmods, "denylist", "plugins.kmods", &err),
		     "denylist", &pol->deny, &pol->n_deny))
		err = -1;
	if (get_bool(lookup(&kmods, "quiet", "plugins.kmods", &err),
		     "quiet", &pol->quiet))
		err = -1;
	goto out;
out_err:
	err = -1;
out:
	free(top.v);
	free(plugins.v);
	free(kmods.v);
	return err;
}

/* ---- Output ---- */

/* Characters that need no quoting in a shell word. */
#define SHELL_SAFE	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789_-+./:,=@%"

/* @s as one shell word: as is when safe, else in single quotes. */
static void print_shell_word(FILE *f, const char *s)
{
	const char *p;

	if (*s && strspn(s, SHELL_SAFE) == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (p = s; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	}
	fputc('\'', f);
}

static void print_list(FILE *f, char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "," : "", names[i]);
}

static void print_insmod(FILE *f, const struct policy *pol,
			 const char *module)
{
	fputs("insmod ", f);
	print_shell_word(f, module);
	if (pol->n_allow) {
		fputs(" allowlist=", f);
		print_list(f, pol->allow, pol->n_allow);
	}
	if (pol->n_deny) {
		fputs(" denylist=", f);
		print_list(f, pol->deny, pol->n_deny);
	}
	if (pol->quiet)
		fputs(" quiet=1", f);
	fputc('\n', f);
}

/*
 * Every policy parameter, the stricter ones first: enforce mode, then the
 * denylist, then the allowlist, so that no moment between two writes
 * allows a module that neither the old nor the new policy allows.
 */
static void print_sysfs(FILE *f, const struct policy *pol)
{
	fprintf(f, "echo 'enforce' > %s/mode\n", SYSFS_PARAMS);
	fputs("echo '", f);
	print_list(f, pol->deny, pol->n_deny);
	fprintf(f, "' > %s/denylist\n", SYSFS_PARAMS);
	fputs("echo '", f);
	print_list(f, pol->allow, pol->n_allow);
	fprintf(f, "' > %s/allowlist\n", SYSFS_PARAMS);
	fprintf(f, "echo '0' > %s/block_errno\n", SYSFS_PARAMS);
	fprintf(f, "echo '%d' > %s/quiet\n", pol->quiet, SYSFS_PARAMS);
}

/* ---- main ---- */

static void print_help(FILE *f)
{
	static const char *const text[] = {
		"",
		"Read a penguin config.yaml (CONFIG, or standard input when it is",
		"absent or -) and print the igloo_kmods policy of its plugins.kmods",
		"section (allowlist, denylist, quiet):",
		"",
		"  default       the insmod command line that loads igloo_kmods with it",
		"  --sysfs       the writes to " SYSFS_PARAMS " that set it",
		"                on a loaded igloo_kmods (every policy parameter)",
		"  --module PATH the module file for insmod (default " DEFAULT_MODULE ")",
		"",
		"A missing or empty plugins.kmods gives the default policy. Any other",
		"key under it, a value of the wrong type, or a name igloo_kmods would",
		"refuse is an error: \"error: plugins.kmods.<key>...\" on stderr,",
		"nothing on stdout, exit status 1 (2 for a usage error).",
	};
	size_t i;

	fprintf(f, "Usage: %s [--module PATH] [--sysfs] [CONFIG]\n", prog);
	fprintf(f, "       %s --help | --version\n", prog);
	for (i = 0; i < ARRAY_SIZE(text); i++)
		fprintf(f, "%s\n", text[i]);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "module", required_argument, NULL, 'm' },
		{ "sysfs", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *module = DEFAULT_MODULE, *path = NULL, *src;
	struct policy pol = { 0 };
	struct tree t = { 0 };
	yaml_parser_t parser;
	bool sysfs = false;
	FILE *in = stdin;
	int c, rc;

	opterr = 0;	/* messages without argv[0]'s directory */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!*optarg) {
				fprintf(stderr, "%s: --module needs a path\n",
					prog);
				return CONFIG_EXIT_USAGE;
			}
			module = optarg;
			break;
		case 's':
			sysfs = true;
			break;
		case 'h':
			print_help(stdout);
			return CONFIG_EXIT_OK;
		case 'V':
			printf("%s %s\n", CONFIG_NAME, CONFIG_VERSION);
			return CONFIG_EXIT_OK;
		case ':':
			fprintf(stderr, "%s: %s needs an argument (try --help)\n",
				prog, argv[optind - 1]);
			return CONFIG_EXIT_USAGE;
		default:
			fprintf(stderr, "%s: unknown option '%s' (try --help)\n",
				prog, argv[optind - 1]);
			return CONFIG_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "%s: one CONFIG at most (try --help)\n", prog);
		return CONFIG_EXIT_USAGE;
	}
	if (optind < argc && strcmp(argv[optind], "-"))
		path = argv[optind];
	src = path ? path : "<stdin>";
	if (path) {
		in = fopen(path, "rb");
		if (!in) {
			error("%s: %s", path, strerror(errno));
			return CONFIG_EXIT_ERROR;
		}
	}

	resolvers_init();
	if (!yaml_parser_initialize(&parser))
		oom();
	yaml_parser_set_input_file(&parser, in);
	rc = tree_load(&t, &parser, src) || get_policy(&t, &pol) ?
	     CONFIG_EXIT_ERROR : CONFIG_EXIT_OK;
	if (rc == CONFIG_EXIT_OK) {
		if (sysfs)
			print_sysfs(stdout, &pol);
		else
			print_insmod(stdout, &pol, module);
		if (fflush(stdout) || ferror(stdout)) {
			fprintf(stderr, "%s: writing the output: %s\n", prog,
				strerror(errno));
			rc = CONFIG_EXIT_ERROR;
		}
	}
	yaml_parser_delete(&parser);
	if (path)
		fclose(in);
	free(pol.allow);
	free(pol.deny);
	tree_free(&t);
	resolvers_free();
	return rc;
}
