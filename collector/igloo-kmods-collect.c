// SPDX-License-Identifier: GPL-2.0
/*
 * igloo-kmods-collect - decode, check and log igloo_kmods record streams
 *
 * Reads the fixed-size binary records written by igloo_kmods.ko (see
 * include/uapi/linux/igloo_kmods.h) from a file, relay file, character
 * device, serial capture or stdin, checks every record, and writes
 * modules.log (the format of penguin's host plugin) and modules.jsonl.
 * Every multi-byte field is decoded byte-wise as little-endian, so the
 * program behaves the same on any host byte order.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>

#include <linux/igloo_kmods.h>

#define COLLECT_NAME		"igloo-kmods-collect"
#define COLLECT_VERSION		"1.0"

/* Exit status (values from sysexits.h, defined here for portability). */
#define COLLECT_EXIT_OK		0	/* all good */
#define COLLECT_EXIT_LOSS	1	/* sequence gaps or guest drops */
#define COLLECT_EXIT_CORRUPT	2	/* corrupt or truncated stream */
#define COLLECT_EXIT_USAGE	64
#define COLLECT_EXIT_IOERR	74

#define COLLECT_POLL_MS		100
#define COLLECT_READ_SIZE	65536
#define COLLECT_MAX_PENDING	4096	/* allowed attempts awaiting a result */

#define REC_SIZE		((unsigned int)KMODS_RECORD_SIZE)
#define REC_VERSION		((unsigned int)KMODS_RECORD_VERSION)
#define REC_OFF(field)		offsetof(struct kmods_record, field)

/* The wire layout is fixed; refuse to build against a header that differs. */
_Static_assert(sizeof(struct kmods_record) == KMODS_RECORD_SIZE,
	       "struct kmods_record size");
_Static_assert(REC_OFF(bom) == 4 && REC_OFF(csum) == 12 &&
	       REC_OFF(seq) == 24 && REC_OFF(pid) == 64 &&
	       REC_OFF(syscall) == 96 && REC_OFF(comm) == 104 &&
	       REC_OFF(name) == 120 && REC_OFF(path) == 184 &&
	       REC_OFF(params) == 440, "struct kmods_record layout");

/* One record, decoded into host byte order. Strings are NUL-terminated. */
struct kmods_event {
	uint32_t instance;
	uint32_t type;
	uint64_t seq;
	uint64_t ts_ns;
	uint64_t dropped;
	uint64_t ref_seq;
	uint64_t image_size;
	uint32_t pid;
	uint32_t tgid;
	uint32_t uid;
	uint32_t euid;
	uint32_t flags;
	int32_t ret;
	int32_t kernel_ret;
	uint32_t load_flags;
	uint8_t syscall;
	uint8_t name_src;
	uint8_t decision;
	uint8_t rule;
	uint8_t mode;
	char comm[KMODS_COMM_LEN + 1];
	char name[KMODS_NAME_LEN + 1];
	char path[KMODS_PATH_LEN + 1];
	char params[KMODS_PARAMS_LEN + 1];
};

/* Sequence and drop tracking for one igloo_kmods instance. */
struct collect_instance {
	uint32_t id;
	uint64_t next_seq;
	uint64_t dropped;
};

struct collect_opts {
	const char *source;
	const char *source_name;	/* for messages */
	const char *outdir;
	const char *raw_path;
	const char *stop_file;
	bool follow;
	bool quiet;
	bool penguin;
};

struct collect {
	struct collect_opts opt;

	int in_fd;
	bool in_is_pipe;		/* EOF is final even with --follow */
	bool in_poll_useless;		/* poll() says ready with no data */
	int in_fl_saved;		/* file status flags to restore or -1 */
	bool in_is_tty;			/* EOF/EIO is a hangup: final */
	bool in_tty_saved;
	struct termios in_tty;

	int raw_fd;
	FILE *log;
	FILE *jsonl;

	/*
	 * Stream bytes not yet used up: an incomplete record (or, while
	 * resynchronising, an incomplete candidate), then room for a read.
	 */
	unsigned char buf[REC_SIZE + COLLECT_READ_SIZE];
	size_t have;			/* bytes in buf */
	uint64_t offset;		/* stream offset of buf[0] */
	bool resync;			/* looking for the next valid record */
	uint64_t bad_start;		/* stream offset of the bad bytes */

	/* Distinct "hint: ..." lines for the summary, in order seen. */
	char **hints;
	size_t n_hints;
	size_t cap_hints;
	uint64_t n_hinted;		/* attempts with a hint flag */

	struct collect_instance *inst;
	size_t n_inst;
	size_t cap_inst;
	size_t cur;			/* index of the current instance */
	bool have_cur;

	struct kmods_event *pending;	/* allowed attempts, in stream order */
	size_t n_pending;
	size_t cap_pending;

	uint64_t n_records;
	uint64_t n_attempts;
	uint64_t n_results;
	uint64_t n_unloads;
	uint64_t n_gaps;
	uint64_t n_dropped;
	uint64_t n_bad;			/* corrupt or truncated regions */
	uint64_t n_skipped;		/* bytes in them */
	bool loss;			/* gaps or drops seen: exit 1 */
};

static volatile sig_atomic_t collect_signalled;

static const char *const kmods_type_names[] = {
	[KMODS_REC_ATTEMPT] = "attempt",
	[KMODS_REC_RESULT] = "result",
	[KMODS_REC_UNLOAD] = "unload",
};

static const char *const kmods_syscall_names[] = {
	[KMODS_SYS_INIT_MODULE] = "init_module",
	[KMODS_SYS_FINIT_MODULE] = "finit_module",
	[KMODS_SYS_DELETE_MODULE] = "delete_module",
};

static const char *const kmods_name_src_names[] = {
	[KMODS_NAME_NONE] = "none",
	[KMODS_NAME_MODINFO] = "modinfo",
	[KMODS_NAME_THIS_MODULE] = "this_module",
	[KMODS_NAME_PATH] = "path",
	[KMODS_NAME_KERNEL] = "kernel",
	[KMODS_NAME_ARG] = "arg",
};

static const char *const kmods_decision_names[] = {
	[KMODS_DECISION_ALLOW] = "allow",
	[KMODS_DECISION_BLOCK] = "block",
	[KMODS_DECISION_KERNEL] = "kernel",
};

static const char *const kmods_rule_names[] = {
	[KMODS_RULE_BUILTIN] = "builtin",
	[KMODS_RULE_DENYLIST] = "denylist",
	[KMODS_RULE_ALLOWLIST] = "allowlist",
	[KMODS_RULE_DEFAULT] = "default",
	[KMODS_RULE_NO_NAME] = "no_name",
	[KMODS_RULE_UNPRIVILEGED] = "unprivileged",
	[KMODS_RULE_FAKED] = "faked",
	[KMODS_RULE_LOCKED] = "locked",
	[KMODS_RULE_BAD_CALL] = "bad_call",
};

static const char *const kmods_mode_names[] = {
	[KMODS_MODE_ENFORCE] = "enforce",
	[KMODS_MODE_MONITOR] = "monitor",
};

/* KMODS_F_* names: lower case, without the prefix. */
static const struct {
	uint32_t flag;
	const char *name;
} kmods_flag_names[] = {
	{ KMODS_F_COMPAT, "compat" },
	{ KMODS_F_PATH_TRUNC, "path_trunc" },
	{ KMODS_F_PARAMS_TRUNC, "params_trunc" },
	{ KMODS_F_PARAMS_FAULT, "params_fault" },
	{ KMODS_F_IMAGE_FAULT, "image_fault" },
	{ KMODS_F_NOT_ELF, "not_elf" },
	{ KMODS_F_BAD_NAME, "bad_name" },
	{ KMODS_F_VETOED, "vetoed" },
	{ KMODS_F_ERRNO, "errno" },
	{ KMODS_F_BUSY, "busy" },
	{ KMODS_F_ALLOW_FILE, "allow_file" },
	{ KMODS_F_ALLOW_MODULE, "allow_module" },
	{ KMODS_F_DENY_FILE, "deny_file" },
	{ KMODS_F_DENY_MODULE, "deny_module" },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *kmods_enum_name(const char *const *names, size_t n,
				   unsigned int v)
{
	return v < n ? names[v] : NULL;
}

#define KMODS_ENUM(table, v) kmods_enum_name(table, ARRAY_SIZE(table), v)

/* ---- messages ---- */

#define __printf(a, b)	__attribute__((format(printf, a, b)))

static void collect_msg(const char *fmt, ...) __printf(1, 2);

static void collect_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(COLLECT_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A warning: suppressed by --quiet. */
#define collect_warn(c, ...)				\
	do {						\
		if (!(c)->opt.quiet)			\
			collect_msg(__VA_ARGS__);	\
	} while (0)

/* ---- little-endian decoding, byte-wise, independent of host order ---- */

static uint16_t kmods_get_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t kmods_get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t kmods_get_le64(const unsigned char *p)
{
	return (uint64_t)kmods_get_le32(p) |
	       (uint64_t)kmods_get_le32(p + 4) << 32;
}

/* Two's complement reinterpretation without implementation-defined casts. */
static int32_t kmods_s32(uint32_t v)
{
	if (v <= INT32_MAX)
		return (int32_t)v;
	return -(int32_t)~v - 1;
}

/* Copy a NUL-padded field, stopping at the first NUL or the field's end. */
static void kmods_get_str(char *dst, const unsigned char *src, size_t len)
{
	const unsigned char *nul = memchr(src, '\0', len);
	size_t n = nul ? (size_t)(nul - src) : len;

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static uint32_t kmods_csum_of(const unsigned char *buf)
{
	struct kmods_record rec;

	memcpy(&rec, buf, sizeof(rec));
	memset(&rec.csum, 0, sizeof(rec.csum));
	return kmods_record_csum(&rec);
}

/*
 * Check the fixed header fields of a possibly incomplete record (the first
 * @have bytes). Return NULL if what is there is fine, else write the reason
 * to @why and return it.
 */
static const char *kmods_check_head(const unsigned char *buf, size_t have,
				    char *why, size_t whylen)
{
	size_t n = have < 4 ? have : 4;

	if (memcmp(buf, KMODS_RECORD_MAGIC, n)) {
		char found[16] = "";
		size_t i;

		for (i = 0; i < n; i++)
			snprintf(found + 3 * i, sizeof(found) - 3 * i,
				 " %02x", buf[i]);
		snprintf(why, whylen,
			 "bad magic (expected 49 4b 4d 52 \"IKMR\", found%s)",
			 found);
		return why;
	}
	if ((have > REC_OFF(bom) && buf[REC_OFF(bom)] != 0xff) ||
	    (have > REC_OFF(bom) + 1 && buf[REC_OFF(bom) + 1] != 0xfe)) {
		snprintf(why, whylen, "bad byte-order mark (expected ff fe)");
		return why;
	}
	if (have >= REC_OFF(version) + 2 &&
	    kmods_get_le16(buf + REC_OFF(version)) != REC_VERSION) {
		snprintf(why, whylen, "unsupported version %u (expected %u)",
			 (unsigned int)kmods_get_le16(buf + REC_OFF(version)),
			 REC_VERSION);
		return why;
	}
	if (have >= REC_OFF(size) + 4 &&
	    kmods_get_le32(buf + REC_OFF(size)) != REC_SIZE) {
		snprintf(why, whylen, "bad size %" PRIu32 " (expected %u)",
			 kmods_get_le32(buf + REC_OFF(size)), REC_SIZE);
		return why;
	}
	return NULL;
}

/* Check a complete record. Return NULL if valid, else the reason. */
static const char *kmods_check_record(const unsigned char *buf,
				      char *why, size_t whylen)
{
	static const struct {
		const char *field;
		size_t off;
		const char *const *names;
		size_t n;
	} enums[] = {
#define E(f, t) { #f, REC_OFF(f), t, ARRAY_SIZE(t) }
		E(syscall, kmods_syscall_names),
		E(name_src, kmods_name_src_names),
		E(decision, kmods_decision_names),
		E(rule, kmods_rule_names),
		E(mode, kmods_mode_names),
#undef E
	};
	uint32_t stored, calc, type;
	size_t i;

	if (kmods_check_head(buf, REC_SIZE, why, whylen))
		return why;

	stored = kmods_get_le32(buf + REC_OFF(csum));
	calc = kmods_csum_of(buf);
	if (stored != calc) {
		snprintf(why, whylen,
			 "bad checksum (stored 0x%08" PRIx32
			 ", computed 0x%08" PRIx32 ")", stored, calc);
		return why;
	}

	type = kmods_get_le32(buf + REC_OFF(type));
	if (!KMODS_ENUM(kmods_type_names, type)) {
		snprintf(why, whylen, "bad type %" PRIu32, type);
		return why;
	}
	for (i = 0; i < ARRAY_SIZE(enums); i++) {
		unsigned int v = buf[enums[i].off];

		if (!kmods_enum_name(enums[i].names, enums[i].n, v)) {
			snprintf(why, whylen, "bad %s %u", enums[i].field, v);
			return why;
		}
	}
	return NULL;
}

static void kmods_decode(struct kmods_event *ev, const unsigned char *b)
{
	ev->instance = kmods_get_le32(b + REC_OFF(instance));
	ev->type = kmods_get_le32(b + REC_OFF(type));
	ev->seq = kmods_get_le64(b + REC_OFF(seq));
	ev->ts_ns = kmods_get_le64(b + REC_OFF(ts_ns));
	ev->dropped = kmods_get_le64(b + REC_OFF(dropped));
	ev->ref_seq = kmods_get_le64(b + REC_OFF(ref_seq));
	ev->image_size = kmods_get_le64(b + REC_OFF(image_size));
	ev->pid = kmods_get_le32(b + REC_OFF(pid));
	ev->tgid = kmods_get_le32(b + REC_OFF(tgid));
	ev->uid = kmods_get_le32(b + REC_OFF(uid));
	ev->euid = kmods_get_le32(b + REC_OFF(euid));
	ev->flags = kmods_get_le32(b + REC_OFF(flags));
	ev->ret = kmods_s32(kmods_get_le32(b + REC_OFF(ret)));
	ev->kernel_ret = kmods_s32(kmods_get_le32(b + REC_OFF(kernel_ret)));
	ev->load_flags = kmods_get_le32(b + REC_OFF(load_flags));
	ev->syscall = b[REC_OFF(syscall)];
	ev->name_src = b[REC_OFF(name_src)];
	ev->decision = b[REC_OFF(decision)];
	ev->rule = b[REC_OFF(rule)];
	ev->mode = b[REC_OFF(mode)];
	kmods_get_str(ev->comm, b + REC_OFF(comm), KMODS_COMM_LEN);
	kmods_get_str(ev->name, b + REC_OFF(name), KMODS_NAME_LEN);
	kmods_get_str(ev->path, b + REC_OFF(path), KMODS_PATH_LEN);
	kmods_get_str(ev->params, b + REC_OFF(params), KMODS_PARAMS_LEN);
}

/* ---- output ---- */

static int collect_write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd pfd = {
					.fd = fd,
					.events = POLLOUT,
				};

				poll(&pfd, 1, COLLECT_POLL_MS);
				continue;
			}
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * modules.log escaping: a backslash becomes "\\", bytes below 0x20 and
 * 0x7f become "\xNN" (lower-case hex); everything else is copied as is.
 */
static void collect_log_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
}

/* JSON string: bytes >= 0x80, controls and 0x7f as \u00XX. */
static void collect_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void collect_json_key_str(FILE *f, const char *key, const char *val)
{
	fprintf(f, ",\"%s\":", key);
	if (val)
		collect_json_str(f, val);
	else
		fputs("null", f);
}

static void collect_json_flags(FILE *f, uint32_t flags)
{
	const char *sep = "";
	unsigned int bit;

	fputs(",\"flags\":[", f);
	for (bit = 0; bit < 32; bit++) {
		uint32_t flag = UINT32_C(1) << bit;
		size_t i;

		if (!(flags & flag))
			continue;
		for (i = 0; i < ARRAY_SIZE(kmods_flag_names); i++)
			if (kmods_flag_names[i].flag == flag)
				break;
		if (i < ARRAY_SIZE(kmods_flag_names))
			fprintf(f, "%s\"%s\"", sep, kmods_flag_names[i].name);
		else
			fprintf(f, "%s\"bit%u\"", sep, bit);
		sep = ",";
	}
	fputc(']', f);
}

/*
 * Write one modules.jsonl object. @seq is the attempt's sequence number,
 * @result_seq the result record's (or NULL), @result "done", "pending" or
 * NULL; kernel_ret is only shown for a completed allowed load.
 */
static void collect_json_event(struct collect *c, const struct kmods_event *ev,
			       uint64_t seq, const uint64_t *result_seq,
			       const char *result)
{
	FILE *f = c->jsonl;

	if (!f)
		return;
	fprintf(f, "{\"event\":\"%s\"",
		ev->type == KMODS_REC_UNLOAD ? "unload" : "load");
	fprintf(f, ",\"instance\":%" PRIu32, ev->instance);
	fprintf(f, ",\"seq\":%" PRIu64, seq);
	if (result_seq)
		fprintf(f, ",\"result_seq\":%" PRIu64, *result_seq);
	else
		fputs(",\"result_seq\":null", f);
	fprintf(f, ",\"ts_ns\":%" PRIu64, ev->ts_ns);
	collect_json_key_str(f, "syscall",
			     KMODS_ENUM(kmods_syscall_names, ev->syscall));
	fprintf(f, ",\"compat\":%s",
		ev->flags & KMODS_F_COMPAT ? "true" : "false");
	fprintf(f, ",\"pid\":%" PRIu32 ",\"tgid\":%" PRIu32
		",\"uid\":%" PRIu32 ",\"euid\":%" PRIu32,
		ev->pid, ev->tgid, ev->uid, ev->euid);
	collect_json_key_str(f, "comm", ev->comm);
	collect_json_key_str(f, "name", ev->name);
	collect_json_key_str(f, "name_source",
			     KMODS_ENUM(kmods_name_src_names, ev->name_src));
	collect_json_key_str(f, "path", ev->path);
	collect_json_key_str(f, "params", ev->params);
	fprintf(f, ",\"params_truncated\":%s,\"path_truncated\":%s",
		ev->flags & KMODS_F_PARAMS_TRUNC ? "true" : "false",
		ev->flags & KMODS_F_PATH_TRUNC ? "true" : "false");
	fprintf(f, ",\"image_size\":%" PRIu64 ",\"load_flags\":%" PRIu32,
		ev->image_size, ev->load_flags);
	collect_json_key_str(f, "decision",
			     KMODS_ENUM(kmods_decision_names, ev->decision));
	collect_json_key_str(f, "rule", KMODS_ENUM(kmods_rule_names, ev->rule));
	collect_json_key_str(f, "mode", KMODS_ENUM(kmods_mode_names, ev->mode));
	fprintf(f, ",\"ret\":%" PRId32, ev->ret);
	if (result_seq)
		fprintf(f, ",\"kernel_ret\":%" PRId32, ev->kernel_ret);
	else
		fputs(",\"kernel_ret\":null", f);
	collect_json_key_str(f, "result", result);
	collect_json_flags(f, ev->flags);
	fprintf(f, ",\"dropped\":%" PRIu64 "}\n", ev->dropped);
}

/*
 * The line penguin's kmods plugin writes for an attempt, or none: the
 * path as is (no escaping), for finit_module the file's path, for
 * init_module a path ending in ".ko" (the plugin takes the last argument
 * ending so, else an open file ending so) unless the caller is a
 * modprobe, whose init_module calls the plugin lets through unlogged.
 * Attempts without a path are not logged, as the plugin does not log
 * them. The record has the command name, not the arguments: a modprobe
 * that names a .ko file as an argument is not logged here but would be
 * by penguin.
 */
static void collect_log_penguin(struct collect *c,
				const struct kmods_event *ev)
{
	size_t len = strlen(ev->path), comm_len = strlen(ev->comm);

	if (!len)
		return;
	if (ev->syscall == KMODS_SYS_INIT_MODULE &&
	    (len < 3 || strcmp(ev->path + len - 3, ".ko") ||
	     (comm_len >= 8 && !strcmp(ev->comm + comm_len - 8, "modprobe"))))
		return;
	fputs(ev->path, c->log);
	fputc('\n', c->log);
}

/* Most distinct hints kept for the summary; more are only counted. */
#define COLLECT_HINTS_MAX	256

/*
 * The name penguin's kmods plugin matches a list against: the path's base
 * name with one ".ko" dropped (kmods_penguin_name() in policy.c).
 */
static void collect_penguin_name(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len >= 3 && !strcmp(base + len - 3, ".ko"))
		len -= 3;
	snprintf(name, size, "%.*s", (int)len, base);
}

/*
 * Remember, once each, where a list named the file and not the module
 * or the other way round (the KMODS_F_ALLOW_* and KMODS_F_DENY_* hints),
 * with the entry that would match, for the summary.
 */
static void collect_hint(struct collect *c, const struct kmods_event *ev)
{
	static const struct {
		uint32_t flag;
		const char *list;
		bool file;
	} kinds[] = {
		{ KMODS_F_ALLOW_FILE, "allowlist", true },
		{ KMODS_F_ALLOW_MODULE, "allowlist", false },
		{ KMODS_F_DENY_FILE, "denylist", true },
		{ KMODS_F_DENY_MODULE, "denylist", false },
	};
	char file[KMODS_PATH_LEN], line[2 * KMODS_PATH_LEN + 256];
	size_t i, j;
	char **grown;

	if (!(ev->flags & KMODS_F_HINTS))
		return;
	c->n_hinted++;
	collect_penguin_name(ev->path, file, sizeof(file));
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!(ev->flags & kinds[i].flag))
			continue;
		if (kinds[i].file)
			snprintf(line, sizeof(line),
				 "hint: %s names the file %s, not the module %s: entry %s would match",
				 kinds[i].list, file, ev->name, ev->name);
		else
			snprintf(line, sizeof(line),
				 "hint: %s names the module %s, not the file %s: penguin's plugin would need entry %s",
				 kinds[i].list, ev->name, file, file);
		for (j = 0; j < c->n_hints; j++) {
			if (!strcmp(c->hints[j], line))
				break;
		}
		if (j < c->n_hints || c->n_hints == COLLECT_HINTS_MAX)
			continue;
		if (c->n_hints == c->cap_hints) {
			c->cap_hints = c->cap_hints ? 2 * c->cap_hints : 8;
			grown = realloc(c->hints,
					c->cap_hints * sizeof(*c->hints));
			if (!grown)
				return;
			c->hints = grown;
		}
		c->hints[c->n_hints] = strdup(line);
		if (c->hints[c->n_hints])
			c->n_hints++;
	}
}

static void collect_log_attempt(struct collect *c, const struct kmods_event *ev)
{
	if (!c->log)
		return;
	if (c->opt.penguin) {
		collect_log_penguin(c, ev);
		return;
	}
	if (ev->path[0])
		collect_log_str(c->log, ev->path);
	else if (ev->name[0])
		collect_log_str(c->log, ev->name);
	else
		fputs("<unknown>", c->log);
	fputc('\n', c->log);
}

/* Flush the output files; report and return -1 on a write error. */
static int collect_flush(struct collect *c)
{
	static const char *const names[] = { "modules.log", "modules.jsonl" };
	FILE *files[] = { c->log, c->jsonl };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		if (!files[i])
			continue;
		if (fflush(files[i]) == EOF || ferror(files[i])) {
			collect_msg("%s/%s: write error: %s", c->opt.outdir,
				    names[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* ---- pending allowed attempts ---- */

static void collect_emit_pending(struct collect *c, size_t i)
{
	const struct kmods_event *ev = &c->pending[i];

	collect_json_event(c, ev, ev->seq, NULL, "pending");
}

/* Emit every attempt still waiting for its result as "pending". */
static void collect_flush_pending(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n_pending; i++)
		collect_emit_pending(c, i);
	c->n_pending = 0;
}

static void collect_pending_remove(struct collect *c, size_t i)
{
	memmove(&c->pending[i], &c->pending[i + 1],
		(c->n_pending - i - 1) * sizeof(*c->pending));
	c->n_pending--;
}

static int collect_pending_add(struct collect *c, const struct kmods_event *ev)
{
	if (c->n_pending == COLLECT_MAX_PENDING) {
		const struct kmods_event *old = &c->pending[0];

		collect_warn(c, "instance %" PRIu32
			     ": too many loads await results; seq %" PRIu64
			     " logged as pending", old->instance, old->seq);
		collect_emit_pending(c, 0);
		collect_pending_remove(c, 0);
	}
	if (c->n_pending == c->cap_pending) {
		size_t cap = c->cap_pending ? 2 * c->cap_pending : 16;
		struct kmods_event *p;

		p = realloc(c->pending, cap * sizeof(*p));
		if (!p) {
			collect_msg("out of memory");
			return -1;
		}
		c->pending = p;
		c->cap_pending = cap;
	}
	c->pending[c->n_pending++] = *ev;
	return 0;
}

/* ---- record processing ---- */

static int collect_select_instance(struct collect *c, uint32_t id)
{
	size_t i;

	if (c->have_cur && c->inst[c->cur].id == id)
		return 0;

	/* igloo_kmods was reloaded: its old attempts will get no result. */
	collect_flush_pending(c);

	for (i = 0; i < c->n_inst; i++) {
		if (c->inst[i].id == id) {
			c->cur = i;
			c->have_cur = true;
			return 0;
		}
	}
	if (c->n_inst == c->cap_inst) {
		size_t cap = c->cap_inst ? 2 * c->cap_inst : 8;
		struct collect_instance *p;

		p = realloc(c->inst, cap * sizeof(*p));
		if (!p) {
			collect_msg("out of memory");
			return -1;
		}
		c->inst = p;
		c->cap_inst = cap;
	}
	c->inst[c->n_inst] = (struct collect_instance){ .id = id };
	c->cur = c->n_inst++;
	c->have_cur = true;
	return 0;
}

/* Check the sequence number and the guest's drop counter. */
static void collect_track(struct collect *c, const struct kmods_event *ev)
{
	struct collect_instance *in = &c->inst[c->cur];

	if (ev->seq != in->next_seq) {
		if (ev->seq > in->next_seq)
			collect_warn(c, "sequence gap in instance %" PRIu32
				     ": expected %" PRIu64 ", got %" PRIu64,
				     in->id, in->next_seq, ev->seq);
		else
			collect_warn(c, "sequence error in instance %" PRIu32
				     ": expected %" PRIu64 ", got %" PRIu64
				     " (repeated or out of order)",
				     in->id, in->next_seq, ev->seq);
		c->n_gaps++;
		c->loss = true;
	}
	in->next_seq = ev->seq + 1;

	if (ev->dropped > in->dropped) {
		uint64_t n = ev->dropped - in->dropped;

		collect_warn(c, "instance %" PRIu32 ": guest dropped %" PRIu64
			     " record%s before seq %" PRIu64 " (%" PRIu64
			     " in total)", in->id, n, n == 1 ? "" : "s",
			     ev->seq, ev->dropped);
		c->n_dropped += n;
		c->loss = true;
	} else if (ev->dropped < in->dropped) {
		collect_warn(c, "instance %" PRIu32
			     ": drop counter went back from %" PRIu64
			     " to %" PRIu64 " at seq %" PRIu64,
			     in->id, in->dropped, ev->dropped, ev->seq);
		c->loss = true;
	}
	in->dropped = ev->dropped;
}

static void collect_result(struct collect *c, const struct kmods_event *ev)
{
	size_t i;

	for (i = 0; i < c->n_pending; i++) {
		if (c->pending[i].seq == ev->ref_seq) {
			collect_json_event(c, ev, ev->ref_seq, &ev->seq,
					   "done");
			collect_pending_remove(c, i);
			return;
		}
	}
	/* Its attempt was lost, or was never an allowed load. */
	collect_warn(c, "instance %" PRIu32 ": result seq %" PRIu64
		     " for attempt seq %" PRIu64 ", which is not awaiting one",
		     ev->instance, ev->seq, ev->ref_seq);
	collect_json_event(c, ev, ev->ref_seq, &ev->seq, "done");
}

/*
 * Report a bad record at stream offset @off ("corrupt" or "truncated") and
 * open a bad region there, unless one is open already.
 */
static void collect_bad(struct collect *c, uint64_t off, const char *what,
			const char *why)
{
	collect_msg("%s: %s record at offset %" PRIu64 " (record %" PRIu64
		    "): %s", c->opt.source_name, what, off, off / REC_SIZE,
		    why);
	if (c->resync)
		return;
	c->resync = true;
	c->bad_start = off;
	c->n_bad++;
}

/* Close the bad region before stream offset @end: report and count it. */
static void collect_skipped(struct collect *c, uint64_t end, const char *to)
{
	uint64_t n = end - c->bad_start;

	collect_msg("%s: skipped %" PRIu64 " byte%s (offsets %" PRIu64
		    "-%" PRIu64 ") %s", c->opt.source_name, n,
		    n == 1 ? "" : "s", c->bad_start, end - 1, to);
	c->n_skipped += n;
	c->resync = false;
}

/* The stream has ended: report the bytes left, which hold no record. */
static void collect_end(struct collect *c)
{
	char why[40];

	if (c->have) {
		snprintf(why, sizeof(why), "%zu of %u bytes", c->have,
			 REC_SIZE);
		collect_bad(c, c->offset, "truncated", why);
	}
	if (c->resync)
		collect_skipped(c, c->offset + c->have,
				"to the end of the stream");
}

/*
 * Handle one complete, valid record at @rec. Return 0, or the exit status
 * that ends the run.
 */
static int collect_record(struct collect *c, const unsigned char *rec)
{
	struct kmods_event ev;

	kmods_decode(&ev, rec);

	if (c->raw_fd >= 0 && collect_write_all(c->raw_fd, rec, REC_SIZE)) {
		collect_msg("%s: write error: %s", c->opt.raw_path,
			    strerror(errno));
		return COLLECT_EXIT_IOERR;
	}

	if (collect_select_instance(c, ev.instance))
		return COLLECT_EXIT_IOERR;
	collect_track(c, &ev);
	c->n_records++;

	switch (ev.type) {
	case KMODS_REC_ATTEMPT:
		c->n_attempts++;
		collect_log_attempt(c, &ev);
		collect_hint(c, &ev);
		/* Loads passed to the kernel get a result record. */
		if (ev.decision != KMODS_DECISION_BLOCK) {
			if (collect_pending_add(c, &ev))
				return COLLECT_EXIT_IOERR;
		} else {
			collect_json_event(c, &ev, ev.seq, NULL, NULL);
		}
		break;
	case KMODS_REC_RESULT:
		c->n_results++;
		collect_result(c, &ev);
		break;
	case KMODS_REC_UNLOAD:
		c->n_unloads++;
		collect_json_event(c, &ev, ev.seq, NULL, NULL);
		break;
	}
	return collect_flush(c) ? COLLECT_EXIT_IOERR : 0;
}

/*
 * Resynchronising after a bad record: look byte by byte, from c->buf[pos]
 * on, for an offset at which a complete record starts that passes every
 * check (a stray "IKMR" without a valid checksum is not taken), and close
 * the bad region there. Return that position, or that of the first
 * candidate still too short to judge (it waits for more bytes), or
 * c->have.
 */
static size_t collect_resync(struct collect *c, size_t pos)
{
	static const char magic[] = KMODS_RECORD_MAGIC;
	char why[160];

	while (pos < c->have) {
		const unsigned char *p = memchr(c->buf + pos, magic[0],
						c->have - pos);
		size_t avail;

		if (!p)
			return c->have;
		pos = (size_t)(p - c->buf);
		avail = c->have - pos;
		/* The magic alone rules out most positions, cheaply. */
		if (memcmp(p, magic, avail < 4 ? avail : 4)) {
			pos++;
		} else if (avail < REC_SIZE) {
			if (!kmods_check_head(p, avail, why, sizeof(why)))
				return pos;
			pos++;
		} else if (kmods_check_record(p, why, sizeof(why))) {
			pos++;
		} else {
			collect_skipped(c, c->offset + pos,
					"to the next valid record");
			return pos;
		}
	}
	return pos;
}

/*
 * Decode the c->have bytes in c->buf. A record that fails its checks (its
 * header as soon as it arrives, the rest once complete) is reported, and
 * the stream resynchronised at the next valid record. Whatever may still
 * become a record is kept at the start of c->buf for more bytes. Return 0,
 * or the exit status that ends the run.
 */
static int collect_parse(struct collect *c)
{
	size_t pos = 0;
	char why[160];
	int ret = 0;

	while (!ret && pos < c->have) {
		const unsigned char *p = c->buf + pos;
		size_t avail = c->have - pos;

		if (c->resync) {
			pos = collect_resync(c, pos);
			if (c->resync)
				break;
			continue;
		}
		if (avail < REC_SIZE) {
			/* Fail early on a bad header rather than wait. */
			if (!kmods_check_head(p, avail, why, sizeof(why)))
				break;
		} else if (!kmods_check_record(p, why, sizeof(why))) {
			ret = collect_record(c, p);
			pos += REC_SIZE;
			continue;
		}
		collect_bad(c, c->offset + pos, "corrupt", why);
		pos++;		/* the next record starts after this offset */
	}
	c->have -= pos;
	memmove(c->buf, c->buf + pos, c->have);
	c->offset += pos;
	return ret;
}

/* ---- input ---- */

static void collect_on_signal(int sig)
{
	(void)sig;
	if (collect_signalled < 2)
		collect_signalled++;
}

static bool collect_stop_file_exists(const struct collect *c)
{
	struct stat st;

	return c->opt.stop_file && stat(c->opt.stop_file, &st) == 0;
}

/* Put a tty in raw mode (cfmakeraw); save its old settings in @old. */
static int collect_tty_raw(int fd, struct termios *old)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -1;
	if (old)
		*old = t;
	cfmakeraw(&t);
	return tcsetattr(fd, TCSANOW, &t);
}

static int collect_open_input(struct collect *c)
{
	struct stat st;

	if (!strcmp(c->opt.source, "-")) {
		c->in_fd = STDIN_FILENO;
	} else {
		c->in_fd = open(c->opt.source, O_RDONLY | O_NOCTTY | O_CLOEXEC);
		if (c->in_fd < 0) {
			collect_msg("%s: %s", c->opt.source, strerror(errno));
			return -1;
		}
	}
	if (fstat(c->in_fd, &st)) {
		collect_msg("%s: %s", c->opt.source_name, strerror(errno));
		return -1;
	}
	c->in_is_pipe = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);

	/* A serial line must pass the bytes through unchanged. */
	c->in_is_tty = isatty(c->in_fd);
	if (c->in_is_tty) {
		if (collect_tty_raw(c->in_fd, &c->in_tty)) {
			collect_msg("%s: cannot set raw mode: %s",
				    c->opt.source_name, strerror(errno));
			return -1;
		}
		c->in_tty_saved = true;
	}

	/*
	 * Following a device or pipe: never block in read(), so that the
	 * stop file and signals are noticed. Relay files and regular files
	 * return 0 at the end of the data anyway.
	 */
	if (c->opt.follow && !S_ISREG(st.st_mode)) {
		int fl = fcntl(c->in_fd, F_GETFL);

		if (fl >= 0 && !(fl & O_NONBLOCK) &&
		    fcntl(c->in_fd, F_SETFL, fl | O_NONBLOCK) == 0)
			c->in_fl_saved = fl;
	}
	return 0;
}

static void collect_close_input(struct collect *c)
{
	if (c->in_fd < 0)
		return;
	if (c->in_fl_saved >= 0)
		fcntl(c->in_fd, F_SETFL, c->in_fl_saved);
	if (c->in_tty_saved)
		tcsetattr(c->in_fd, TCSANOW, &c->in_tty);
	if (c->in_fd != STDIN_FILENO)
		close(c->in_fd);
	c->in_fd = -1;
}

/*
 * Wait up to COLLECT_POLL_MS for more input. Regular files (and hung-up
 * devices) always poll as ready: once poll() woke us and read() then found
 * nothing, just sleep from then on.
 */
static void collect_wait(struct collect *c, bool *woke)
{
	struct pollfd pfd = { .fd = c->in_fd, .events = POLLIN };

	if (*woke)
		c->in_poll_useless = true;
	if (c->in_poll_useless) {
		poll(NULL, 0, COLLECT_POLL_MS);
		return;
	}
	*woke = poll(&pfd, 1, COLLECT_POLL_MS) > 0;
}

/*
 * Read and process the whole stream. Without --follow, stop at the end of
 * the data. With --follow, wait for more (poll() with a timeout, then read
 * again: relay files read 0 when empty and only wake poll() when a
 * sub-buffer fills) until a signal or the stop file, then drain what is
 * left. Return 0, or the exit status that ends the run.
 */
static int collect_read_loop(struct collect *c)
{
	bool draining = false;
	bool woke = false;	/* the last wait ended early: data expected */
	int ret;

	for (;;) {
		ssize_t n;

		if (collect_signalled > 1)
			return 0;	/* second signal: stop draining */
		if (collect_signalled && !c->opt.follow)
			return 0;
		if (collect_signalled && !draining)
			draining = true;

		/* After collect_parse(), fewer than REC_SIZE bytes are left. */
		n = read(c->in_fd, c->buf + c->have, sizeof(c->buf) - c->have);
		if (n > 0) {
			woke = false;
			c->have += (size_t)n;
			ret = collect_parse(c);
			if (ret)
				return ret;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EIO && c->in_is_tty)
			n = 0;		/* tty hung up: the end of the data */
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			collect_msg("%s: read error: %s", c->opt.source_name,
				    strerror(errno));
			return COLLECT_EXIT_IOERR;
		}

		/* No data now (n == 0, or EAGAIN). */
		if (n == 0 && (!c->opt.follow || c->in_is_pipe ||
			       c->in_is_tty))
			return 0;	/* end of file */
		if (draining)
			return 0;
		if (collect_stop_file_exists(c)) {
			draining = true;
			continue;
		}
		collect_wait(c, &woke);
	}
}

/* ---- outputs ---- */

/* Create @dir and its missing parents, like mkdir -p. */
static int collect_mkdir_p(const char *dir)
{
	char *p, *s = strdup(dir);
	struct stat st;
	int ret = 0;

	if (!s)
		return -1;
	for (p = s + 1; !ret; p++) {
		char save = *p;

		if (save != '/' && save != '\0')
			continue;
		*p = '\0';
		if (mkdir(s, 0777) && errno != EEXIST &&
		    !(stat(s, &st) == 0 && S_ISDIR(st.st_mode)))
			ret = -1;
		*p = save;
		if (!save)
			break;
	}
	free(s);
	if (ret)
		return -1;
	if (stat(dir, &st))
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static FILE *collect_open_out(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);
	FILE *f;

	if (!path)
		return NULL;
	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		collect_msg("%s: %s", path, strerror(errno));
	free(path);
	return f;
}

/* Read the parent and session of @pid from /proc: 0, or -1 if it is gone. */
static int collect_proc_ids(pid_t pid, int *ppid, int *sid)
{
	char path[32], *line = NULL, *end;
	size_t cap = 0;
	int ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	/* "pid (comm) state ppid pgrp session ...": comm may hold spaces. */
	if (getline(&line, &cap, f) > 0) {
		end = strrchr(line, ')');
		if (end && sscanf(end + 1, " %*c %d %*d %d", ppid, sid) == 2)
			ret = 0;
	}
	free(line);
	fclose(f);
	return ret;
}

/*
 * Is @pid one of ours: this process, one of its ancestors, or a process
 * of its session (a shell redirection, an init that keeps the port set
 * up, a job that inherited the descriptor)?
 */
static bool collect_is_ours(pid_t pid)
{
	int ppid, sid, depth, p = (int)getpid();

	if (!collect_proc_ids(pid, &ppid, &sid) && sid == (int)getsid(0))
		return true;
	for (depth = 0; p > 0 && depth < 64; depth++) {
		if (p == (int)pid)
			return true;
		if (collect_proc_ids(p, &ppid, &sid))
			return false;
		p = ppid;
	}
	return false;
}

/*
 * Is the character device @rdev a console of the kernel? /proc/consoles
 * ends each line with the device's "major:minor"; /dev/console and
 * /dev/tty are consoles whatever they point at.
 */
static bool collect_is_console(dev_t rdev, char *name, size_t len)
{
	char line[256];
	bool found = false;
	FILE *f;

	if (major(rdev) == 5 && minor(rdev) <= 1) {
		snprintf(name, len, "%s", minor(rdev) ? "console" : "tty");
		return true;
	}
	f = fopen("/proc/consoles", "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		char *dev = strrchr(line, ' ');

		if (dev && sscanf(dev, " %u:%u", &maj, &min) == 2 &&
		    maj == major(rdev) && min == minor(rdev)) {
			found = true;
			snprintf(name, len, "%.*s", (int)strcspn(line, " "),
				 line);
		}
	}
	fclose(f);
	return found;
}

/*
 * Find a process that is not ours (collect_is_ours()) and has the
 * character device @rdev open. Return its pid (its command name in
 * @comm), 0 if there is none, or -1 if /proc cannot be read.
 */
static pid_t collect_tty_holder(dev_t rdev, char *comm, size_t len)
{
	struct dirent *de;
	pid_t found = 0;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return -1;
	while (!found && (de = readdir(proc))) {
		char path[sizeof("/proc//fd/") + 2 * sizeof(de->d_name)];
		struct dirent *fe;
		pid_t pid;
		DIR *fds;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (collect_is_ours(pid))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", de->d_name);
		fds = opendir(path);
		if (!fds)
			continue;	/* gone, or a kernel thread */
		while (!found && (fe = readdir(fds))) {
			struct stat st;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
				 de->d_name, fe->d_name);
			if (!stat(path, &st) && S_ISCHR(st.st_mode) &&
			    st.st_rdev == rdev)
				found = pid;
		}
		closedir(fds);
	}
	closedir(proc);
	if (found) {
		char path[40];
		FILE *f;

		snprintf(comm, len, "?");
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)found);
		f = fopen(path, "r");
		if (f) {
			if (fgets(comm, (int)len, f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
	}
	return found;
}

/*
 * A terminal that records are forwarded to must be free: never a console
 * of the kernel, never a terminal that a process of another session has
 * open (in a penguin guest the second serial port is the root shell,
 * in a session of its own). Processes that started this one, or of its
 * session, may hold it. Return 0 if @fd may be used, -1 (reported) if
 * not, or if it cannot be checked.
 */
static int collect_check_port(const struct collect *c, int fd)
{
	static const char refused[] = "not forwarding records there";
	char who[64];
	struct stat st;
	pid_t holder;

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode) || !isatty(fd))
		return 0;
	if (collect_is_console(st.st_rdev, who, sizeof(who))) {
		collect_msg("%s: is the kernel's console %s: %s",
			    c->opt.raw_path, who, refused);
		return -1;
	}
	holder = collect_tty_holder(st.st_rdev, who, sizeof(who));
	if (holder < 0) {
		collect_msg("%s: /proc cannot be read to tell whether the port is free: %s",
			    c->opt.raw_path, refused);
		return -1;
	}
	if (holder) {
		collect_msg("%s: in use by pid %d (%s): %s", c->opt.raw_path,
			    (int)holder, who, refused);
		return -1;
	}
	return 0;
}

static int collect_open_outputs(struct collect *c)
{
	if (c->opt.outdir) {
		if (collect_mkdir_p(c->opt.outdir)) {
			collect_msg("%s: cannot create directory: %s",
				    c->opt.outdir, strerror(errno));
			return -1;
		}
		c->log = collect_open_out(c->opt.outdir, "modules.log");
		if (!c->log)
			return -1;
		c->jsonl = collect_open_out(c->opt.outdir, "modules.jsonl");
		if (!c->jsonl)
			return -1;
	}
	if (c->opt.raw_path) {
		c->raw_fd = open(c->opt.raw_path, O_WRONLY | O_CREAT |
				 O_APPEND | O_NOCTTY | O_CLOEXEC, 0644);
		if (c->raw_fd < 0) {
			collect_msg("%s: %s", c->opt.raw_path, strerror(errno));
			return -1;
		}
		if (collect_check_port(c, c->raw_fd))
			return -1;
		/* A serial line must pass the bytes through unchanged. */
		if (isatty(c->raw_fd) && collect_tty_raw(c->raw_fd, NULL)) {
			collect_msg("%s: cannot set raw mode: %s",
				    c->opt.raw_path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int collect_close_outputs(struct collect *c)
{
	int ret = 0;

	if (c->log && fclose(c->log)) {
		collect_msg("%s/modules.log: %s", c->opt.outdir,
			    strerror(errno));
		ret = -1;
	}
	if (c->jsonl && fclose(c->jsonl)) {
		collect_msg("%s/modules.jsonl: %s", c->opt.outdir,
			    strerror(errno));
		ret = -1;
	}
	c->log = NULL;
	c->jsonl = NULL;
	if (c->raw_fd >= 0 && close(c->raw_fd) && errno != EINTR) {
		collect_msg("%s: %s", c->opt.raw_path, strerror(errno));
		ret = -1;
	}
	c->raw_fd = -1;
	return ret;
}

/* ---- main ---- */

static void collect_usage(FILE *f)
{
	fprintf(f,
		"Usage: " COLLECT_NAME " [options] SOURCE\n"
		"Decode and check an igloo_kmods record stream.\n"
		"SOURCE is a file, relay file, character device, serial capture,\n"
		"or - for standard input.\n"
		"\n"
		"  -o, --output DIR      write DIR/modules.log and DIR/modules.jsonl\n"
		"  -f, --follow          keep reading as data arrives; stop on\n"
		"                        SIGINT/SIGTERM or the stop file\n"
		"      --stop-file PATH  with -f: stop once PATH exists\n"
		"  -r, --raw FILE        append each valid record to FILE (a tty\n"
		"                        is put in raw mode)\n"
		"  -q, --quiet           print errors only\n"
		"      --penguin         write modules.log exactly as penguin's\n"
		"                        kmods plugin does (its lines only, raw)\n"
		"  -h, --help            show this help\n"
		"  -V, --version         show the version\n"
		"\n"
		"A corrupt record is reported with its byte offset and skipped:\n"
		"decoding goes on at the next valid record (exit status 2).\n"
		"\n"
		"Exit status: 0 ok, 1 sequence gaps or drops, 2 corrupt or\n"
		"truncated input, 64 usage error, 74 I/O error.\n");
}

static int collect_parse_args(struct collect_opts *o, int argc, char **argv)
{
	enum { OPT_STOP_FILE = 256, OPT_PENGUIN };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "follow", no_argument, NULL, 'f' },
		{ "stop-file", required_argument, NULL, OPT_STOP_FILE },
		{ "raw", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "penguin", no_argument, NULL, OPT_PENGUIN },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	for (;;) {
		ch = getopt_long(argc, argv, "o:fr:qhV", longopts, NULL);
		if (ch == -1)
			break;
		switch (ch) {
		case 'o':
			o->outdir = optarg;
			break;
		case 'f':
			o->follow = true;
			break;
		case OPT_STOP_FILE:
			o->stop_file = optarg;
			break;
		case 'r':
			o->raw_path = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_PENGUIN:
			o->penguin = true;
			break;
		case 'h':
			collect_usage(stdout);
			exit(fflush(stdout) ? COLLECT_EXIT_IOERR : 0);
		case 'V':
			printf(COLLECT_NAME " " COLLECT_VERSION
			       " (record format version %u, %u bytes)\n",
			       REC_VERSION, REC_SIZE);
			exit(fflush(stdout) ? COLLECT_EXIT_IOERR : 0);
		default:
			goto usage;
		}
	}
	if (argc - optind != 1) {
		collect_msg(argc == optind ? "missing SOURCE" :
			    "too many arguments");
		goto usage;
	}
	o->source = argv[optind];
	o->source_name = strcmp(o->source, "-") ? o->source : "(stdin)";
	if (!o->source[0] || (o->outdir && !o->outdir[0]) ||
	    (o->raw_path && !o->raw_path[0]) ||
	    (o->stop_file && !o->stop_file[0])) {
		collect_msg("empty file name");
		goto usage;
	}
	return 0;
usage:
	fprintf(stderr, "Try '" COLLECT_NAME " --help' for more information.\n");
	return -1;
}

static void collect_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = collect_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: interrupt a blocking read() */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int main(int argc, char **argv)
{
	static struct collect c = {	/* static: c.buf is 64 KiB */
		.in_fd = -1,
		.in_fl_saved = -1,
		.raw_fd = -1,
	};
	int status;
	size_t i;

	if (collect_parse_args(&c.opt, argc, argv))
		return COLLECT_EXIT_USAGE;

	collect_install_signals();

	if (collect_open_input(&c) || collect_open_outputs(&c)) {
		collect_close_input(&c);
		collect_close_outputs(&c);
		return COLLECT_EXIT_IOERR;
	}

	status = collect_read_loop(&c);
	if (!status)
		collect_end(&c);

	/* The stream has ended: allowed loads still waiting are pending. */
	collect_flush_pending(&c);
	if (collect_flush(&c) && !status)
		status = COLLECT_EXIT_IOERR;
	collect_close_input(&c);
	if (collect_close_outputs(&c) && !status)
		status = COLLECT_EXIT_IOERR;

	if (!c.opt.quiet)
		fprintf(stderr, COLLECT_NAME ": %" PRIu64 " records (%" PRIu64
			" attempts, %" PRIu64 " results, %" PRIu64
			" unloads), %" PRIu64 " gaps, %" PRIu64
			" dropped, %zu instances, %" PRIu64
			" corrupt regions (%" PRIu64 " bytes skipped)\n",
			c.n_records, c.n_attempts, c.n_results, c.n_unloads,
			c.n_gaps, c.n_dropped, c.n_inst, c.n_bad,
			c.n_skipped);
	/*
	 * The names penguin users write: the decision was the module's real
	 * name; these say where a list matched only the file name, or only
	 * the module's, and which entry would match.
	 */
	if (!c.opt.quiet && c.n_hinted)
		fprintf(stderr, COLLECT_NAME ": %" PRIu64
			" attempts where a list matched the module's name and not its file's, or the other way round (penguin's plugin matches file names):\n",
			c.n_hinted);
	for (i = 0; i < c.n_hints; i++) {
		if (!c.opt.quiet)
			fprintf(stderr, COLLECT_NAME ": %s\n", c.hints[i]);
		free(c.hints[i]);
	}
	free(c.hints);

	if (!status && c.n_bad)
		status = COLLECT_EXIT_CORRUPT;
	if (!status && c.loss)
		status = COLLECT_EXIT_LOSS;
	free(c.pending);
	free(c.inst);
	return status;
}
