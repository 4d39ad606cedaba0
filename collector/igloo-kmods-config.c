// SPDX-License-Identifier: GPL-2.0
/*
 * igloo-kmods-config - turn the kmods plugin section of a penguin
 * config.yaml into igloo_kmods module parameters
 *
 * Reads a penguin project's kmods settings the way penguin's loader
 * (load_config()) does: plugins.kmods or the deprecated top-level kmods,
 * then the config's patches: files, then the project's patch_*.yaml and
 * patches/ *.yaml, merged in that order (lists appended, scalars replaced,
 * null changing nothing). Values are typed as penguin types them: YAML
 * 1.2's core schema (yes, on and dates are strings; no merge keys;
 * duplicate keys and unknown tags refused anywhere in a file), then
 * pydantic's lax mode (quiet: 1 or "yes" is true). It prints either the
 * insmod command line that loads igloo_kmods with that policy or, with
 * --sysfs, the writes to /sys/module/igloo_kmods/parameters that give a
 * loaded igloo_kmods that policy. Whatever it cannot read as penguin
 * would, it refuses, naming the file and line: it never prints a policy
 * for settings it did not understand.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <libgen.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define CONFIG_NAME		"igloo-kmods-config"
#define CONFIG_VERSION		"1.0"

#define CONFIG_EXIT_OK		0
#define CONFIG_EXIT_ERROR	1	/* bad config or unreadable input */
#define CONFIG_EXIT_USAGE	2

/*
 * What igloo_kmods accepts in a list (policy.c, kmods_list_parse()): at
 * most KMODS_LIST_MAX (16384) names of [A-Za-z0-9_-], each shorter than
 * MODULE_NAME_LEN, which is 56 on 64-bit kernels (60 on 32-bit ones: 56
 * works on both).
 */
#define NAME_LEN_MAX		55
#define LIST_MAX		16384

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
 * @src: the file it was read from
 * @line: its line, from 1
 * @col: its column, from 1
 * @all_next: every node, for freeing
 */
struct node {
	enum node_kind kind;
	const char *src;
	size_t line;
	size_t col;
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
	const char *src;
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
			     const yaml_char_t *tag, const yaml_event_t *ev)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->src = t->src;
	n->line = ev->start_mark.line + 1;
	n->col = ev->start_mark.column + 1;
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
			n = node_new(t, NODE_SCALAR, ev.data.scalar.tag, &ev);
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
					     ev.data.sequence_start.tag, &ev);
				anchor_add(t, ev.data.sequence_start.anchor, n);
			} else {
				n = node_new(t, NODE_MAP,
					     ev.data.mapping_start.tag, &ev);
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

/* ---- Typing scalars as penguin's loader does (YAML 1.2 core schema) ---- */

enum ytype {
	Y_STR, Y_NULL, Y_BOOL, Y_INT, Y_FLOAT, Y_BINARY, Y_SEQ, Y_MAP, Y_OTHER,
};

static const char *const ytype_names[] = {
	[Y_STR] = "a string",
	[Y_NULL] = "null",
	[Y_BOOL] = "a boolean",
	[Y_INT] = "an integer",
	[Y_FLOAT] = "a float",
	[Y_BINARY] = "binary data",
	[Y_SEQ] = "a list",
	[Y_MAP] = "a mapping",
	[Y_OTHER] = "a tagged value",
};

/*
 * The implicit resolvers of the YAML 1.2 core schema, in the order
 * penguin's loader (yamlcore's CoreLoader) tries them: an integer is
 * never a float, and yes/no/on/off, dates, 0b101 and 1_000 are strings.
 */
static const struct {
	enum ytype type;
	const char *re;
} resolvers[] = {
	{ Y_BOOL, "^(true|True|TRUE|false|False|FALSE)$" },
	{ Y_INT, "^(0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$" },
	{ Y_FLOAT, "^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$" },
	{ Y_FLOAT, "^([-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$" },
	{ Y_NULL, "^(~|null|Null|NULL|)$" },
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

static bool matches(enum ytype type, const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(resolvers); i++) {
		if (resolvers[i].type == type &&
		    !regexec(&resolver_re[i], s, 0, NULL, 0))
			return true;
	}
	return false;
}

static enum ytype ytype_of(const struct node *n)
{
	static const struct {
		const char *name;
		enum ytype type;
	} tags[] = {
		{ "str", Y_STR }, { "null", Y_NULL }, { "bool", Y_BOOL },
		{ "int", Y_INT }, { "float", Y_FLOAT }, { "binary", Y_BINARY },
		{ "seq", Y_SEQ }, { "map", Y_MAP },
	};
	const char *tag = n->tag;
	size_t i;

	if (tag && strcmp(tag, "!")) {
		if (strncmp(tag, YAML_TAG_PREFIX, strlen(YAML_TAG_PREFIX)))
			return Y_OTHER;
		tag += strlen(YAML_TAG_PREFIX);
		for (i = 0; i < ARRAY_SIZE(tags); i++) {
			if (!strcmp(tag, tags[i].name))
				return tags[i].type;
		}
		return Y_OTHER;
	}
	if (n->kind == NODE_SEQ)
		return Y_SEQ;
	if (n->kind == NODE_MAP)
		return Y_MAP;
	if (tag || !n->plain || strlen(n->value) != n->len)
		return Y_STR;	/* "!", quoted, or with a NUL byte */
	for (i = 0; i < ARRAY_SIZE(resolvers); i++) {
		if (!regexec(&resolver_re[i], n->value, 0, NULL, 0))
			return resolvers[i].type;
	}
	return Y_STR;
}

static bool is_null(const struct node *n)
{
	return !n || ytype_of(n) == Y_NULL;
}

/* ---- Messages ---- */

static int n_errors;

/* "error: FILE:LINE:COL: ...", and one more error counted. */
static void __printf(2, 3) node_error(const struct node *n,
				      const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "error: %s:%zu:%zu: ", n->src, n->line, n->col);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	n_errors++;
}

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

	if (type == Y_OTHER) {
		if (asprintf(&out, "a value tagged %s", n->tag) < 0)
			oom();
		return out;
	}
	if (n->kind != NODE_SCALAR || type == Y_NULL || type == Y_BINARY)
		return xstrndup(ytype_names[type], strlen(ytype_names[type]));
	if (type != Y_STR && printable_word(n->value, n->len))
		q = xstrndup(n->value, n->len);
	else
		q = quoted(n->value, n->len);
	if (asprintf(&out, "%s (%s)", ytype_names[type], q) < 0)
		oom();
	free(q);
	return out;
}

/* ---- What penguin's loader refuses anywhere in a file ---- */

static bool key_same(const struct node *a, const struct node *b)
{
	return ytype_of(a) == ytype_of(b) && a->len == b->len &&
	       !memcmp(a->value, b->value, a->len);
}

/* Is a scalar's value one its explicit tag can be built from? */
static bool tagged_value_ok(const struct node *n, enum ytype type)
{
	switch (type) {
	case Y_BOOL:
	case Y_NULL:
	case Y_INT:
		return strlen(n->value) == n->len && matches(type, n->value) &&
		       (type != Y_NULL || n->len || !n->plain || n->tag);
	case Y_FLOAT:
		return strlen(n->value) == n->len &&
		       (matches(Y_FLOAT, n->value) || matches(Y_INT, n->value));
	default:
		return true;
	}
}

/*
 * Every node the way yamlcore's CoreLoader builds it: only the core tags
 * (and !!binary, which penguin adds), each on a node of its kind and with
 * a value it can build; mapping keys that are scalars, none twice.
 * Return 0, or -1 after printing the errors.
 */
static int check_tree(const struct node *n, int depth)
{
	bool is_seq, is_map;
	enum ytype type;
	size_t i, j;
	char *d;
	int err = 0;

	if (!n)
		return 0;
	if (depth > 64) {
		node_error(n, "nested too deeply");
		return -1;
	}
	type = ytype_of(n);
	if (type == Y_OTHER) {
		node_error(n, "a value tagged %s: penguin's loader cannot read it",
			   n->tag);
		return -1;
	}
	is_seq = n->kind == NODE_SEQ;
	is_map = n->kind == NODE_MAP;
	if (is_seq != (bool)(type == Y_SEQ) || is_map != (bool)(type == Y_MAP)) {
		node_error(n, "a %s tagged %s", n->kind == NODE_SCALAR ?
			   "scalar" : n->kind == NODE_SEQ ? "list" : "mapping",
			   n->tag);
		return -1;
	}
	if (n->kind == NODE_SCALAR) {
		if (n->tag && strcmp(n->tag, "!") && !tagged_value_ok(n, type)) {
			d = quoted(n->value, n->len);
			node_error(n, "%s is not a valid %s value", d, n->tag);
			free(d);
			return -1;
		}
		return 0;
	}
	if (n->kind == NODE_SEQ) {
		for (i = 0; i < n->n; i++)
			err |= check_tree(n->items[i], depth + 1);
		return err;
	}
	for (i = 0; i + 1 < n->n; i += 2) {
		const struct node *key = n->items[i];

		err |= check_tree(key, depth + 1);
		err |= check_tree(n->items[i + 1], depth + 1);
		if (key->kind != NODE_SCALAR) {
			node_error(key, "a mapping key that is %s: penguin's loader refuses it",
				   ytype_names[ytype_of(key)]);
			err = -1;
			continue;
		}
		for (j = 0; j < i; j += 2) {
			if (n->items[j]->kind == NODE_SCALAR &&
			    key_same(n->items[j], key)) {
				d = quoted(key->value, key->len);
				node_error(key, "duplicate key %s (first at line %zu)",
					   d, n->items[j]->line);
				free(d);
				err = -1;
				break;
			}
		}
	}
	return err;
}

/* ---- Mappings ---- */

static bool key_is(const struct node *key, const char *name)
{
	return key->kind == NODE_SCALAR && ytype_of(key) == Y_STR &&
	       key->len == strlen(name) && !memcmp(key->value, name, key->len);
}

/* The value of @name in mapping @map, or NULL (keys are unique). */
static const struct node *lookup(const struct node *map, const char *name,
				 const struct node **keyp)
{
	size_t i;

	for (i = 0; map && map->kind == NODE_MAP && i + 1 < map->n; i += 2) {
		if (key_is(map->items[i], name)) {
			if (keyp)
				*keyp = map->items[i];
			return map->items[i + 1];
		}
	}
	return NULL;
}

/* Does a Jinja template start in @s? penguin renders them on load. */
static bool templated(const char *s, size_t len)
{
	return memmem(s, len, "{{", 2) || memmem(s, len, "{%", 2) ||
	       memmem(s, len, "{#", 2);
}

/* Report every string under @n that penguin would render as a template. */
static int check_templates(const struct node *n, const char *path, int depth)
{
	size_t i;
	char *q;
	int err = 0;

	if (!n || depth > 64)
		return 0;
	if (n->kind == NODE_SCALAR) {
		if (ytype_of(n) != Y_STR || !templated(n->value, n->len))
			return 0;
		q = quoted(n->value, n->len);
		node_error(n, "%s: %s is a Jinja template, which only penguin can render",
			   path, q);
		free(q);
		return -1;
	}
	for (i = 0; i < n->n; i++)
		err |= check_templates(n->items[i], path, depth + 1);
	return err;
}

/* ---- Lax values, as penguin's schema (pydantic, lax mode) takes them ---- */

/* A scalar as a boolean: true, 1, 1.0, "yes", "on", "t", "y", ... */
static bool lax_bool(const struct node *n, bool *value)
{
	static const char *const yes[] = { "1", "true", "t", "yes", "y", "on" };
	static const char *const no[] = { "0", "false", "f", "no", "n", "off" };
	const char *s = n->value;
	char *end;
	double d;
	size_t i;

	if (n->kind != NODE_SCALAR || strlen(s) != n->len)
		return false;
	switch (ytype_of(n)) {
	case Y_BOOL:
		*value = s[0] == 't' || s[0] == 'T';
		return true;
	case Y_INT:
		if (*s == '+' || *s == '-')
			s++;
		if (s[0] == '0' && (s[1] == 'o' || s[1] == 'x'))
			s += 2;
		while (s[0] == '0' && s[1])
			s++;
		if (strcmp(s, "0") && (strcmp(s, "1") || n->value[0] == '-'))
			return false;
		*value = s[0] == '1';
		return true;
	case Y_FLOAT:
		if (strchr(s, 'n') || strchr(s, 'N'))
			return false;	/* .inf, .nan */
		d = strtod(s, &end);
		if (*end || (d != 0.0 && d != 1.0))
			return false;
		*value = d == 1.0;
		return true;
	case Y_STR:
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
	default:
		return false;
	}
}

/* ---- The kmods settings, merged over the config and its patches ---- */

#define KMODS_KEYS	"allowlist, denylist, quiet, enabled, depends_on, description, version"
#define LAX_BOOLS	"true, false, 1, 0, \"yes\", \"no\", \"on\", \"off\", ..."
#define MONITOR_NOTE	"penguin lets every module load: monitor mode does too, and records them"

/* One value of a key, as one file (a layer) gives it. */
struct setting {
	const struct node *key;
	const struct node *value;
	const char *path;	/* "plugins.kmods" or "kmods" */
};

struct settings {
	struct setting *v;
	size_t n;
	size_t cap;
};

/**
 * struct conf - what every layer said about the kmods plugin
 * @seen: some layer has a kmods section
 * @enabled: the last non-null enabled, or .value NULL
 * @quiet: the last non-null quiet
 * @lists: every non-null allowlist (0) and denylist (1), in merge order:
 *	penguin appends a patch's list to the one before it
 * @unknown: every other key, in merge order (the last one counts)
 */
struct conf {
	bool seen;
	struct setting enabled;
	struct setting quiet;
	struct settings lists[2];
	struct settings unknown;
};

static const char *const list_keys[] = { "allowlist", "denylist" };

static void settings_add(struct settings *s, const struct node *key,
			 const struct node *value, const char *path)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct setting *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			oom();
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].key = key;
	s->v[s->n].value = value;
	s->v[s->n].path = path;
	s->n++;
}

/* The plugin's own keys, which penguin's schema types on every layer. */
static void plugin_key(const struct node *key, const struct node *v,
		       const char *path, struct conf *c)
{
	char *d;
	bool b;

	if (key_is(key, "enabled")) {
		if (is_null(v) || !lax_bool(v, &b)) {
			d = describe(v);
			node_error(v, "%s.enabled: expected a boolean, got %s",
				   path, d);
			free(d);
			return;
		}
		c->enabled.key = key;
		c->enabled.value = v;
		c->enabled.path = path;
		return;
	}
	/* description, depends_on, version: a string or null */
	if (!is_null(v) && ytype_of(v) != Y_STR) {
		d = describe(v);
		node_error(v, "%s.%.*s: expected a string, got %s", path,
			   (int)key->len, key->value, d);
		free(d);
	}
}

/* Take one layer's kmods section (a mapping, @path names it). */
static void layer_add(const struct node *sec, const char *path,
		      struct conf *c)
{
	static const char *const plugin_keys[] = {
		"enabled", "description", "depends_on", "version",
	};
	const struct node *key, *v;
	size_t i, k;
	char *d;

	c->seen = true;
	if (sec->kind != NODE_MAP) {
		d = describe(sec);
		node_error(sec, "%s: expected a mapping, got %s", path, d);
		free(d);
		return;
	}
	check_templates(sec, path, 0);
	for (i = 0; i + 1 < sec->n; i += 2) {
		key = sec->items[i];
		v = sec->items[i + 1];
		for (k = 0; k < ARRAY_SIZE(plugin_keys); k++) {
			if (key_is(key, plugin_keys[k]))
				break;
		}
		if (k < ARRAY_SIZE(plugin_keys)) {
			plugin_key(key, v, path, c);
			continue;
		}
		if (key_is(key, "quiet")) {
			if (!is_null(v)) {
				c->quiet.key = key;
				c->quiet.value = v;
				c->quiet.path = path;
			}
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(list_keys); k++) {
			if (key_is(key, list_keys[k]))
				break;
		}
		if (k < ARRAY_SIZE(list_keys)) {
			if (!is_null(v))
				settings_add(&c->lists[k], key, v, path);
			continue;
		}
		settings_add(&c->unknown, key, v, path);
	}
}

/*
 * The kmods section of one file: plugins.kmods, or the deprecated
 * top-level kmods, which penguin moves under plugins (both in one file is
 * an error there).
 */
static void file_add(const struct node *root, struct conf *c)
{
	const struct node *plugins, *top, *sec, *key = NULL;
	char *d;

	top = lookup(root, "kmods", &key);
	plugins = lookup(root, "plugins", NULL);
	if (plugins && !is_null(plugins) && plugins->kind != NODE_MAP) {
		d = describe(plugins);
		node_error(plugins, "plugins: expected a mapping, got %s", d);
		free(d);
		return;
	}
	sec = lookup(plugins, "kmods", NULL);
	if (top && sec) {
		node_error(key,
			   "kmods both at the top level and under plugins: (line %zu): penguin refuses that",
			   sec->line);
		return;
	}
	if (top && plugins && is_null(plugins)) {
		node_error(key, "top-level kmods with plugins: null: penguin refuses that");
		return;
	}
	if (top)
		layer_add(top, "kmods", c);
	else if (sec)
		layer_add(sec, "plugins.kmods", c);
}

/* ---- Reading files ---- */

struct file {
	char *path;
	struct tree tree;
	struct file *next;
};

static struct file *files;

/* Load and check one YAML file; NULL after printing an error. */
static const struct node *file_load(const char *path, FILE *in,
				    const char *what)
{
	struct file *f = xcalloc(1, sizeof(*f));
	yaml_parser_t parser;
	int err;

	f->path = xstrndup(path, strlen(path));
	f->tree.src = f->path;
	f->next = files;
	files = f;
	if (!in) {
		in = fopen(path, "rb");
		if (!in) {
			error("%s: %s", path, strerror(errno));
			n_errors++;
			return NULL;
		}
	}
	if (!yaml_parser_initialize(&parser))
		oom();
	yaml_parser_set_input_file(&parser, in);
	err = tree_load(&f->tree, &parser, path);
	yaml_parser_delete(&parser);
	if (in != stdin)
		fclose(in);
	if (err) {
		n_errors++;
		return NULL;
	}
	if (check_tree(f->tree.root, 0))
		return NULL;
	if (!f->tree.root || is_null(f->tree.root) ||
	    f->tree.root->kind != NODE_MAP) {
		char *d = f->tree.root && !is_null(f->tree.root) ?
			  describe(f->tree.root) : xstrndup("empty", 5);

		error("%s: %s is %s, not a mapping: penguin cannot load it",
		      path, what, d);
		free(d);
		n_errors++;
		return NULL;
	}
	return f->tree.root;
}

static void files_free(void)
{
	struct file *f, *next;

	for (f = files; f; f = next) {
		next = f->next;
		tree_free(&f->tree);
		free(f->path);
		free(f);
	}
	files = NULL;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Apply the patch files of @proj in penguin's order: its patch_*.yaml,
 * then its patches/ *.yaml, each group sorted by name (as Python sorts
 * paths: by code point).
 */
static void auto_patches(const char *proj, struct conf *c)
{
	static const char *const patterns[] = { "patch_*.yaml",
						"patches/*.yaml" };
	const struct node *root;
	struct stat st;
	glob_t g;
	size_t i, k;
	char *pat;

	for (k = 0; k < ARRAY_SIZE(patterns); k++) {
		if (asprintf(&pat, "%s/%s", proj, patterns[k]) < 0)
			oom();
		memset(&g, 0, sizeof(g));
		if (glob(pat, GLOB_NOSORT | GLOB_PERIOD, NULL, &g) == 0) {
			qsort(g.gl_pathv, g.gl_pathc, sizeof(char *),
			      path_cmp);
			for (i = 0; i < g.gl_pathc; i++) {
				if (stat(g.gl_pathv[i], &st) ||
				    !S_ISREG(st.st_mode)) {
					error("%s: not a regular file", g.gl_pathv[i]);
					n_errors++;
					continue;
				}
				root = file_load(g.gl_pathv[i], NULL,
						 "the patch");
				if (root)
					file_add(root, c);
			}
		}
		globfree(&g);
		free(pat);
	}
}

/*
 * The base config, then each patch it lists, then (unless
 * core.auto_patching is false) the project's patch files: what penguin's
 * load_config() merges, in its order.
 */
static void read_config(const char *path, FILE *in, const char *proj,
			struct conf *c)
{
	const struct node *root, *core, *ap, *patches, *e, *proot;
	bool auto_patching = true;
	struct stat st;
	char *ppath;
	size_t i;
	char *d;

	root = file_load(path, in, "the config");
	if (!root)
		return;
	file_add(root, c);

	core = lookup(root, "core", NULL);
	if (core && core->kind == NODE_MAP) {
		ap = lookup(core, "auto_patching", NULL);
		if (ap && (is_null(ap) || !lax_bool(ap, &auto_patching))) {
			d = describe(ap);
			node_error(ap, "core.auto_patching: expected a boolean, got %s",
				   d);
			free(d);
		}
	} else if (core && !is_null(core)) {
		d = describe(core);
		node_error(core, "core: expected a mapping, got %s", d);
		free(d);
	}

	patches = lookup(root, "patches", NULL);
	if (patches && !is_null(patches) && patches->kind != NODE_SEQ) {
		d = describe(patches);
		node_error(patches, "patches: expected a list of file names, got %s",
			   d);
		free(d);
		patches = NULL;
	}
	for (i = 0; patches && i < patches->n; i++) {
		e = patches->items[i];
		if (ytype_of(e) != Y_STR) {
			d = describe(e);
			node_error(e, "patches[%zu]: expected a file name, got %s",
				   i, d);
			free(d);
			continue;
		}
		if (check_templates(e, "patches", 0))
			continue;
		if (!proj) {
			node_error(e,
				   "patches[%zu]: a patch, but the config came from stdin: give --project",
				   i);
			continue;
		}
		if (e->value[0] == '/')
			ppath = xstrndup(e->value, e->len);
		else if (asprintf(&ppath, "%s/%s", proj, e->value) < 0)
			oom();
		if (stat(ppath, &st)) {
			/* penguin logs it and goes on without it */
			fprintf(stderr,
				"warning: %s:%zu:%zu: patch file %s not found: skipped, as penguin does\n",
				e->src, e->line, e->col, ppath);
		} else {
			proot = file_load(ppath, NULL, "the patch");
			if (proot)
				file_add(proot, c);
		}
		free(ppath);
	}
	if (proj && auto_patching)
		auto_patches(proj, c);
}

/* ---- The policy ---- */

struct policy {
	const char **allow;
	size_t n_allow;
	const char **deny;
	size_t n_deny;
	bool quiet;
	bool monitor;
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

/* The names of every layer's list @k, each once, in merge order. */
static void get_list(const struct conf *c, size_t k, const char ***names,
		     size_t *count)
{
	const struct setting *s;
	const struct node *item;
	const char *problem;
	char why[128], *d, *q;
	size_t i, j, l, total = 0;

	for (i = 0; i < c->lists[k].n; i++)
		total += c->lists[k].v[i].value->n;
	*names = xcalloc(total, sizeof(**names));
	for (i = 0; i < c->lists[k].n; i++) {
		s = &c->lists[k].v[i];
		if (s->value->kind != NODE_SEQ) {
			d = describe(s->value);
			node_error(s->value, "%s.%s: expected a list of module names, got %s",
				   s->path, list_keys[k], d);
			free(d);
			continue;
		}
		for (j = 0; j < s->value->n; j++) {
			item = s->value->items[j];
			if (ytype_of(item) != Y_STR) {
				d = describe(item);
				node_error(item, "%s.%s[%zu]: expected a module name, got %s%s",
					   s->path, list_keys[k], j, d,
					   item->kind == NODE_SCALAR &&
					   item->plain && !item->tag &&
					   ytype_of(item) != Y_NULL ?
					   "; quote it to make it a string" : "");
				free(d);
				continue;
			}
			problem = name_problem(item->value, item->len, why,
					       sizeof(why));
			if (problem) {
				q = quoted(item->value, item->len);
				node_error(item, "%s.%s[%zu]: %s: %s", s->path,
					   list_keys[k], j, q, problem);
				free(q);
				continue;
			}
			for (l = 0; l < *count; l++) {
				if (!strcmp((*names)[l], item->value))
					break;
			}
			if (l < *count)
				continue;	/* penguin: the same name again */
			if (*count == LIST_MAX) {
				node_error(item, "%s.%s[%zu]: more than %d different names",
					   s->path, list_keys[k], j, LIST_MAX);
				continue;
			}
			(*names)[(*count)++] = item->value;
		}
	}
}

static int get_policy(const struct conf *c, struct policy *pol)
{
	const struct setting *u, *later;
	bool enabled = true;
	size_t i, j;
	char *d, *q;

	if (c->enabled.value)
		lax_bool(c->enabled.value, &enabled);
	if (!enabled) {
		/* penguin neither loads the plugin nor checks its keys */
		pol->monitor = true;
		fprintf(stderr, "note: %s:%zu:%zu: %s.enabled is false: %s\n",
			c->enabled.value->src, c->enabled.value->line,
			c->enabled.value->col, c->enabled.path, MONITOR_NOTE);
		return 0;
	}
	for (i = 0; i < c->unknown.n; i++) {
		u = &c->unknown.v[i];
		later = NULL;
		for (j = i + 1; j < c->unknown.n && !later; j++) {
			if (key_same(c->unknown.v[j].key, u->key))
				later = &c->unknown.v[j];
		}
		/* penguin drops a key whose merged value is null */
		if (later || is_null(u->value))
			continue;
		if (printable_word(u->key->value, u->key->len))
			q = xstrndup(u->key->value, u->key->len);
		else
			q = quoted(u->key->value, u->key->len);
		node_error(u->key, "%s.%s: unknown key (the plugin takes %s)",
			   u->path, q, KMODS_KEYS);
		free(q);
	}
	get_list(c, 0, &pol->allow, &pol->n_allow);
	get_list(c, 1, &pol->deny, &pol->n_deny);
	if (c->quiet.value && !lax_bool(c->quiet.value, &pol->quiet)) {
		d = describe(c->quiet.value);
		node_error(c->quiet.value, "%s.quiet: expected a boolean (%s), got %s",
			   c->quiet.path, LAX_BOOLS, d);
		free(d);
	}
	return n_errors ? -1 : 0;
}

/* ---- Output ---- */

/* Characters that need no quoting in a shell word. */
#define SHELL_SAFE	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789_-+./:,=@%"

/*
 * The longest list text one write carries: a sysfs write is cut at a page
 * (4096 bytes, less the newline), and one insmod argument at 128 KiB
 * (MAX_ARG_STRLEN). Longer lists are split, the later parts appended
 * with a leading '+'.
 */
#define SYSFS_CHUNK		4000
#define INSMOD_CHUNK		65536

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

/*
 * Print names[*i..] that fit in @max bytes, comma-separated; advance *i.
 * At least one name is printed.
 */
static void print_chunk(FILE *f, const char *const *names, size_t n,
			size_t *i, size_t max)
{
	size_t used = 0, len, first = *i;

	for (; *i < n; (*i)++) {
		len = strlen(names[*i]) + (*i > first);
		if (*i > first && used + len > max)
			break;
		fprintf(f, "%s%s", *i > first ? "," : "", names[*i]);
		used += len;
	}
}

static void print_insmod_list(FILE *f, const char *param,
			      const char *const *names, size_t n)
{
	size_t i = 0;

	while (i < n) {
		fprintf(f, " %s=%s", param, i ? "+" : "");
		print_chunk(f, names, n, &i, INSMOD_CHUNK);
	}
}

static void print_insmod(FILE *f, const struct policy *pol,
			 const char *module)
{
	fputs("insmod ", f);
	print_shell_word(f, module);
	if (pol->monitor) {
		fputs(" mode=monitor\n", f);
		return;
	}
	print_insmod_list(f, "allowlist", pol->allow, pol->n_allow);
	print_insmod_list(f, "denylist", pol->deny, pol->n_deny);
	if (pol->quiet)
		fputs(" quiet=1", f);
	fputc('\n', f);
}

static void print_sysfs_list(FILE *f, const char *param,
			     const char *const *names, size_t n)
{
	size_t i = 0;

	do {
		fprintf(f, "echo '%s", i ? "+" : "");
		print_chunk(f, names, n, &i, SYSFS_CHUNK);
		fprintf(f, "' > %s/%s\n", SYSFS_PARAMS, param);
	} while (i < n);
}

/*
 * Every policy parameter, so that the policy is replaced as a whole, in
 * an order where no moment between two writes allows a module that
 * neither the old nor the new policy allows: the mode, an empty
 * allowlist, the denylist, then the allowlist (appended in parts when it
 * is longer than one write).
 */
static void print_sysfs(FILE *f, const struct policy *pol)
{
	fprintf(f, "echo '%s' > %s/mode\n", pol->monitor ? "monitor" :
		"enforce", SYSFS_PARAMS);
	if (pol->n_allow)
		fprintf(f, "echo '' > %s/allowlist\n", SYSFS_PARAMS);
	print_sysfs_list(f, "denylist", pol->deny, pol->n_deny);
	print_sysfs_list(f, "allowlist", pol->allow, pol->n_allow);
	fprintf(f, "echo '0' > %s/block_errno\n", SYSFS_PARAMS);
	fprintf(f, "echo '%d' > %s/quiet\n", pol->quiet, SYSFS_PARAMS);
}

/* ---- main ---- */

static void print_help(FILE *f)
{
	static const char *const text[] = {
		"",
		"Read a penguin config.yaml (CONFIG, or standard input when it is",
		"absent or -) the way penguin's loader reads it: plugins.kmods or the",
		"deprecated top-level kmods, merged with the patches it lists and the",
		"project's patch_*.yaml and patches/*.yaml; print the igloo_kmods",
		"policy that gives (allowlist, denylist, quiet; enabled: false is",
		"monitor mode):",
		"",
		"  default       the insmod command line that loads igloo_kmods with it",
		"  --sysfs       the writes to " SYSFS_PARAMS " that set it",
		"                on a loaded igloo_kmods (every policy parameter)",
		"  --module PATH the module file for insmod (default " DEFAULT_MODULE ")",
		"  --project DIR the project directory, where patch files are found",
		"                (default: the directory of CONFIG; none for stdin)",
		"",
		"A missing plugins.kmods gives the default policy. Anything penguin",
		"would refuse, a Jinja template, or a name igloo_kmods would refuse",
		"is an error: \"error: FILE:LINE:COLUMN: ...\" on stderr, nothing on",
		"stdout, exit status 1 (2 for a usage error).",
	};
	size_t i;

	fprintf(f, "Usage: %s [--module PATH] [--project DIR] [--sysfs] [CONFIG]\n",
		prog);
	fprintf(f, "       %s --help | --version\n", prog);
	for (i = 0; i < ARRAY_SIZE(text); i++)
		fprintf(f, "%s\n", text[i]);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "module", required_argument, NULL, 'm' },
		{ "project", required_argument, NULL, 'p' },
		{ "sysfs", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *module = DEFAULT_MODULE, *path = NULL, *proj = NULL;
	struct policy pol = { 0 };
	struct conf conf = { 0 };
	char *dir = NULL, *dropin = NULL;
	struct stat st;
	bool sysfs = false;
	int c, rc;

	opterr = 0;	/* messages without argv[0]'s directory */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
		case 'p':
			if (!*optarg) {
				fprintf(stderr, "%s: --%s needs a path\n",
					prog, c == 'm' ? "module" : "project");
				return CONFIG_EXIT_USAGE;
			}
			if (c == 'm')
				module = optarg;
			else
				proj = optarg;
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
	if (path && !proj) {
		dir = xstrndup(path, strlen(path));
		proj = dirname(dir);
	}

	resolvers_init();
	if (proj) {
		/* A project plugin named kmods replaces penguin's. */
		if (asprintf(&dropin, "%s/plugins.d/kmods.py", proj) < 0)
			oom();
		if (!stat(dropin, &st)) {
			error("%s: a project kmods plugin replaces penguin's: no policy to read",
			      dropin);
			n_errors++;
		}
		free(dropin);
	}
	if (!n_errors)
		read_config(path ? path : "<stdin>", path ? NULL : stdin, proj,
			    &conf);
	rc = n_errors || get_policy(&conf, &pol) ? CONFIG_EXIT_ERROR :
	     CONFIG_EXIT_OK;
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
	free(pol.allow);
	free(pol.deny);
	free(conf.lists[0].v);
	free(conf.lists[1].v);
	free(conf.unknown.v);
	free(dir);
	files_free();
	resolvers_free();
	return rc;
}
