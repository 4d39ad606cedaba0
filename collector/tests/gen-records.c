// SPDX-License-Identifier: GPL-2.0
/*
 * gen-records - write igloo_kmods test record streams to stdout
 *
 * Builds struct kmods_record streams the way igloo_kmods.ko writes them
 * (little-endian fields, kmods_record_csum() checksum) for the collector's
 * tests, and can damage them: flip a byte, cut the end, put a bad enum
 * value under a valid checksum, zero a record, put garbage between records.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/igloo_kmods.h>

#define REC_OFF(field)	offsetof(struct kmods_record, field)
#define MAX_RECORDS	100000
#define MAX_DAMAGE	16
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

_Static_assert(sizeof(struct kmods_record) == KMODS_RECORD_SIZE,
	       "struct kmods_record size");

/* One record's fields, in host order. */
struct gen_rec {
	uint32_t instance;
	uint32_t type;
	uint64_t seq;
	uint64_t ts_ns;
	uint64_t dropped;
	uint64_t ref_seq;
	uint64_t image_size;
	uint32_t pid, tgid, uid, euid;
	uint32_t flags;
	int32_t ret, kernel_ret;
	uint32_t load_flags;
	uint8_t syscall, name_src, decision, rule, mode;
	const char *comm, *name, *path, *params;
};

/* Damage done while the stream is written, before record @rec. */
struct gen_damage {
	enum { GEN_ZERO, GEN_GARBAGE, GEN_STRAY } kind;
	unsigned long rec;
	unsigned long len;	/* GEN_GARBAGE: bytes */
};

static unsigned char *gen_buf;
static size_t gen_count;
static uint32_t gen_instance = 0x1a2b3c4d;
static uint64_t gen_seq;
static uint32_t gen_rand_state = 0x2545f491;
static FILE *gen_f;		/* the stream, in memory */

static void gen_put_le(unsigned char *p, uint64_t v, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void gen_put_str(unsigned char *p, const char *s, size_t len)
{
	if (s)
		memcpy(p, s, strnlen(s, len));	/* NUL-padded, maybe full */
}

static void gen_csum(unsigned char *b)
{
	struct kmods_record rec;

	memset(b + REC_OFF(csum), 0, 4);
	memcpy(&rec, b, sizeof(rec));
	gen_put_le(b + REC_OFF(csum), kmods_record_csum(&rec), 4);
}

/* xorshift32: the same garbage on every run and host. */
static unsigned char gen_rand(void)
{
	uint32_t x = gen_rand_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	gen_rand_state = x;
	return (unsigned char)(x >> 24);
}

static void gen_out(const void *p, size_t len)
{
	fwrite(p, 1, len, gen_f);
}

static void gen_out_garbage(size_t len)
{
	while (len--)
		putc(gen_rand(), gen_f);
}

/*
 * Garbage with stray magic in it: "IKMR" alone, a copy of record @k with
 * a valid header but other strings under its old checksum (nothing may
 * take it for a record), and a header cut short by the next record.
 */
static void gen_out_stray(size_t k)
{
	unsigned char fake[KMODS_RECORD_SIZE];

	memcpy(fake, gen_buf + k * KMODS_RECORD_SIZE, sizeof(fake));
	memset(fake + REC_OFF(name), 0, KMODS_NAME_LEN + KMODS_PATH_LEN);
	memcpy(fake + REC_OFF(name), "invented", 8);
	memcpy(fake + REC_OFF(path), "/invented.ko", 12);
	gen_out_garbage(37);
	gen_out(KMODS_RECORD_MAGIC, 4);
	gen_out_garbage(20);
	gen_out(fake, sizeof(fake));
	gen_out(KMODS_RECORD_MAGIC "\xff\xfe", 6);
}

static void gen_emit(const struct gen_rec *r)
{
	unsigned char *b;

	if (gen_count == MAX_RECORDS) {
		fprintf(stderr, "gen-records: too many records\n");
		exit(1);
	}
	b = gen_buf + gen_count++ * KMODS_RECORD_SIZE;
	memset(b, 0, KMODS_RECORD_SIZE);
	memcpy(b, KMODS_RECORD_MAGIC, 4);
	gen_put_le(b + REC_OFF(bom), KMODS_RECORD_BOM, 2);
	gen_put_le(b + REC_OFF(version), KMODS_RECORD_VERSION, 2);
	gen_put_le(b + REC_OFF(size), KMODS_RECORD_SIZE, 4);
	gen_put_le(b + REC_OFF(instance), r->instance, 4);
	gen_put_le(b + REC_OFF(type), r->type, 4);
	gen_put_le(b + REC_OFF(seq), r->seq, 8);
	gen_put_le(b + REC_OFF(ts_ns), r->ts_ns, 8);
	gen_put_le(b + REC_OFF(dropped), r->dropped, 8);
	gen_put_le(b + REC_OFF(ref_seq), r->ref_seq, 8);
	gen_put_le(b + REC_OFF(image_size), r->image_size, 8);
	gen_put_le(b + REC_OFF(pid), r->pid, 4);
	gen_put_le(b + REC_OFF(tgid), r->tgid, 4);
	gen_put_le(b + REC_OFF(uid), r->uid, 4);
	gen_put_le(b + REC_OFF(euid), r->euid, 4);
	gen_put_le(b + REC_OFF(flags), r->flags, 4);
	gen_put_le(b + REC_OFF(ret), (uint32_t)r->ret, 4);
	gen_put_le(b + REC_OFF(kernel_ret), (uint32_t)r->kernel_ret, 4);
	gen_put_le(b + REC_OFF(load_flags), r->load_flags, 4);
	b[REC_OFF(syscall)] = r->syscall;
	b[REC_OFF(name_src)] = r->name_src;
	b[REC_OFF(decision)] = r->decision;
	b[REC_OFF(rule)] = r->rule;
	b[REC_OFF(mode)] = r->mode;
	gen_put_str(b + REC_OFF(comm), r->comm, KMODS_COMM_LEN);
	gen_put_str(b + REC_OFF(name), r->name, KMODS_NAME_LEN);
	gen_put_str(b + REC_OFF(path), r->path, KMODS_PATH_LEN);
	gen_put_str(b + REC_OFF(params), r->params, KMODS_PARAMS_LEN);
	gen_csum(b);
}

/* Defaults for a finit_module attempt by root's insmod. */
static struct gen_rec gen_attempt(const char *name, const char *path,
				  uint8_t decision, uint8_t rule, int32_t ret)
{
	uint64_t seq = gen_seq++;

	return (struct gen_rec){
		.instance = gen_instance,
		.type = KMODS_REC_ATTEMPT,
		.seq = seq,
		.ts_ns = 1000000000ULL + seq * 1000,
		.image_size = 4096,
		.pid = 100, .tgid = 100,
		.syscall = KMODS_SYS_FINIT_MODULE,
		.name_src = name && name[0] ? KMODS_NAME_MODINFO :
					      KMODS_NAME_NONE,
		.decision = decision,
		.rule = rule,
		.mode = KMODS_MODE_ENFORCE,
		.ret = ret,
		.comm = "insmod",
		.name = name,
		.path = path,
	};
}

/* The result record of allowed attempt @a: all fields repeated. */
static struct gen_rec gen_result(const struct gen_rec *a, int32_t kret,
				 uint32_t flags)
{
	struct gen_rec r = *a;

	r.type = KMODS_REC_RESULT;
	r.seq = gen_seq++;
	r.ref_seq = a->seq;
	r.kernel_ret = kret;
	r.ret = kret;
	r.flags |= flags;
	return r;
}

static void gen_new_instance(uint32_t id)
{
	gen_instance = id;
	gen_seq = 0;
}

/* Four attempts covering the modules.log fallbacks. */
static void gen_case_normal(void)
{
	struct gen_rec a, r;

	r = gen_attempt("foo", "/lib/modules/6.1.0/extra/foo.ko",
			KMODS_DECISION_BLOCK, KMODS_RULE_DENYLIST, -1);
	r.flags = KMODS_F_ERRNO;
	gen_emit(&r);

	r = gen_attempt("bar", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT, 0);
	r.syscall = KMODS_SYS_INIT_MODULE;
	r.params = "debug=1 mode=fast";
	gen_emit(&r);

	/* Left to the kernel: like an allowed load, it gets a result. */
	a = gen_attempt("", "", KMODS_DECISION_KERNEL,
			KMODS_RULE_UNPRIVILEGED, 0);
	a.uid = 1000;
	a.euid = 1000;
	gen_emit(&a);
	r = gen_result(&a, -1, 0);
	gen_emit(&r);

	r = gen_attempt("", "/tmp/baz.ko", KMODS_DECISION_BLOCK,
			KMODS_RULE_NO_NAME, 0);
	r.flags = KMODS_F_COMPAT | KMODS_F_NOT_ELF;
	gen_emit(&r);
}

/*
 * The hint flags: a renamed file twice (one summary line), a module
 * named by the allowlist but not its file, a denylist entry for the file
 * only.
 */
static void gen_case_hints(void)
{
	struct gen_rec a, r;
	int i;

	for (i = 0; i < 2; i++) {
		r = gen_attempt("ikm_mark", "/lib/modules/foo.ko",
				KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT, 0);
		r.flags = KMODS_F_ALLOW_FILE;
		gen_emit(&r);
	}
	a = gen_attempt("snd_hda_intel", "/lib/snd-hda-intel.ko",
			KMODS_DECISION_ALLOW, KMODS_RULE_ALLOWLIST, 0);
	a.flags = KMODS_F_ALLOW_MODULE;
	gen_emit(&a);
	r = gen_result(&a, 0, 0);
	gen_emit(&r);
	r = gen_attempt("evil", "/x/bad.ko", KMODS_DECISION_BLOCK,
			KMODS_RULE_DEFAULT, 0);
	r.syscall = KMODS_SYS_INIT_MODULE;
	r.flags = KMODS_F_DENY_FILE;
	gen_emit(&r);
}

/* Values that need more than one byte in every multi-byte field. */
static void gen_case_bigvals(void)
{
	struct gen_rec r;

	gen_new_instance(0xdeadbeef);
	r = gen_attempt("big", "/x/big.ko", KMODS_DECISION_BLOCK,
			KMODS_RULE_LOCKED, -1);
	r.ts_ns = 0x0123456789abcdefULL;
	r.image_size = 0x100000001ULL;
	r.pid = 70000;
	r.tgid = 0x01020304;
	r.uid = 65534;
	r.euid = 0xfffffffeU;
	r.load_flags = 0x00010203;
	r.ret = -16;
	r.flags = KMODS_F_ERRNO | KMODS_F_PATH_TRUNC | KMODS_F_PARAMS_TRUNC |
		  KMODS_F_BUSY | 0x80000000U;	/* an unknown bit too */
	r.mode = KMODS_MODE_MONITOR;
	r.name_src = KMODS_NAME_THIS_MODULE;
	r.comm = "0123456789abcdef";	/* all 16 bytes, no NUL */
	gen_emit(&r);

	/* An instance id with the top bit set, the most negative ret. */
	gen_new_instance(0x80000001);
	r = gen_attempt("a", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT,
			-2147483647 - 1);
	r.dropped = 0;
	gen_emit(&r);
}

static void gen_case_gap(void)
{
	struct gen_rec r;

	r = gen_attempt("m0", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT, 0);
	gen_emit(&r);
	r = gen_attempt("m1", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT, 0);
	gen_emit(&r);
	gen_seq = 300;	/* 2..299 lost in transport */
	r = gen_attempt("m300", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT,
			0);
	gen_emit(&r);
}

static void gen_case_drop(void)
{
	static const uint64_t dropped[] = { 0, 2, 2, 5 };
	struct gen_rec r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dropped); i++) {
		r = gen_attempt("d", "", KMODS_DECISION_BLOCK,
				KMODS_RULE_DEFAULT, 0);
		r.dropped = dropped[i];
		gen_emit(&r);
	}
}

static void gen_case_instances(void)
{
	struct gen_rec r;

	gen_new_instance(11);
	r = gen_attempt("a0", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT, 0);
	gen_emit(&r);
	r = gen_attempt("a1", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT, 0);
	gen_emit(&r);
	gen_new_instance(22);
	r = gen_attempt("b0", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT, 0);
	gen_emit(&r);
	r = gen_attempt("b1", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT, 0);
	gen_emit(&r);
}

/* Allowed attempt 0, blocked attempt 1, result 2 for attempt 0. */
static void gen_case_merge(void)
{
	struct gen_rec a, r;

	a = gen_attempt("e1000", "/lib/modules/e1000.ko",
			KMODS_DECISION_ALLOW, KMODS_RULE_ALLOWLIST, 0);
	gen_emit(&a);
	r = gen_attempt("evil", "/tmp/evil.ko", KMODS_DECISION_BLOCK,
			KMODS_RULE_DENYLIST, -1);
	gen_emit(&r);
	r = gen_result(&a, -17, KMODS_F_VETOED);
	r.name = "e1000e";
	r.name_src = KMODS_NAME_KERNEL;
	gen_emit(&r);
}

/*
 * Allowed 0 (never answered), blocked 1, allowed 2 answered by 3; then
 * an allowed attempt in instance 99 that is still waiting when instance
 * 77 starts.
 */
static void gen_case_pending(void)
{
	struct gen_rec a, r;

	r = gen_attempt("slow", "", KMODS_DECISION_ALLOW, KMODS_RULE_BUILTIN,
			0);
	gen_emit(&r);
	r = gen_attempt("nope", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT,
			0);
	gen_emit(&r);
	a = gen_attempt("fast", "", KMODS_DECISION_ALLOW,
			KMODS_RULE_ALLOWLIST, 0);
	gen_emit(&a);
	r = gen_result(&a, 0, 0);
	gen_emit(&r);

	gen_new_instance(99);
	r = gen_attempt("old", "", KMODS_DECISION_ALLOW, KMODS_RULE_ALLOWLIST,
			0);
	gen_emit(&r);
	gen_new_instance(77);
	r = gen_attempt("new", "", KMODS_DECISION_BLOCK, KMODS_RULE_DEFAULT,
			0);
	gen_emit(&r);
}

/* The allowed attempt 0 is lost; its result 1 arrives; 1 comes twice. */
static void gen_case_orphan(void)
{
	struct gen_rec a, r;

	a = gen_attempt("lost", "/lib/lost.ko", KMODS_DECISION_ALLOW,
			KMODS_RULE_ALLOWLIST, 0);
	r = gen_result(&a, 0, 0);
	gen_emit(&r);
	gen_emit(&r);
}

static void gen_case_unload(void)
{
	struct gen_rec r;

	r = gen_attempt("dummy", "/lib/dummy.ko", KMODS_DECISION_BLOCK,
			KMODS_RULE_DEFAULT, 0);
	gen_emit(&r);
	r = gen_attempt("dummy", "", KMODS_DECISION_BLOCK, KMODS_RULE_FAKED, 0);
	r.type = KMODS_REC_UNLOAD;
	r.syscall = KMODS_SYS_DELETE_MODULE;
	r.name_src = KMODS_NAME_ARG;
	r.load_flags = 04000;	/* O_NONBLOCK */
	r.image_size = 0;
	r.comm = "rmmod";
	gen_emit(&r);
}

static void gen_case_hostile(void)
{
	static char full_path[KMODS_PATH_LEN];
	struct gen_rec r;

	r = gen_attempt("x\ny", "/lib/a\nb.ko\t\x1b[31m\x7f\\x41\"\xc3\xa9\xff",
			KMODS_DECISION_BLOCK, KMODS_RULE_DENYLIST, -1);
	r.params = "p=\"q\"\r\n";
	r.comm = "ev\x01l";
	gen_emit(&r);

	/* Name only, with a backslash and a control character. */
	r = gen_attempt("n\\\x02", "", KMODS_DECISION_BLOCK,
			KMODS_RULE_DEFAULT, 0);
	gen_emit(&r);

	/* Path filling its whole field: no NUL; must not run into params. */
	memset(full_path, 'p', sizeof(full_path));
	r = gen_attempt("", full_path, KMODS_DECISION_BLOCK,
			KMODS_RULE_NO_NAME, 0);
	r.params = "AFTER";
	r.flags = KMODS_F_PATH_TRUNC;
	gen_emit(&r);
}

static void gen_case_many(unsigned long n)
{
	char name[32];
	struct gen_rec r;
	unsigned long i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "mod%lu", i);
		r = gen_attempt(name, "", KMODS_DECISION_BLOCK,
				KMODS_RULE_DEFAULT, 0);
		gen_emit(&r);
	}
}

static void gen_usage(void)
{
	fprintf(stderr,
		"Usage: gen-records [options] CASE\n"
		"Cases: normal bigvals gap drop instances merge pending orphan\n"
		"       unload hostile many hints\n"
		"  --count N        records for 'many' (default 10)\n"
		"  --corrupt K[:B]  flip byte B (default 200) of record K\n"
		"  --bad-enum K     record K gets rule 99 and a valid checksum\n"
		"  --truncate N     drop the last N bytes of the stream\n"
		"  --zero K         record K is all zero bytes\n"
		"  --garbage K:N    N random bytes before record K\n"
		"  --stray K        garbage with stray magic before record K\n"
		"  (--zero, --garbage and --stray can be repeated; K can be\n"
		"  the record count, for the end of the stream)\n");
	exit(64);
}

int main(int argc, char **argv)
{
	unsigned long count = 10, trunc = 0, corrupt_byte = 200;
	long corrupt = -1, bad_enum = -1;
	struct gen_damage damage[MAX_DAMAGE];
	size_t n_damage = 0, d, k;
	const char *which = NULL;
	char *out;
	size_t len;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end;

		if (!strcmp(a, "--count") && i + 1 < argc) {
			count = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(a, "--corrupt") && i + 1 < argc) {
			corrupt = strtol(argv[++i], &end, 0);
			if (*end == ':')
				corrupt_byte = strtoul(end + 1, NULL, 0);
		} else if (!strcmp(a, "--bad-enum") && i + 1 < argc) {
			bad_enum = strtol(argv[++i], NULL, 0);
		} else if (!strcmp(a, "--truncate") && i + 1 < argc) {
			trunc = strtoul(argv[++i], NULL, 0);
		} else if ((!strcmp(a, "--zero") || !strcmp(a, "--garbage") ||
			    !strcmp(a, "--stray")) && i + 1 < argc &&
			   n_damage < MAX_DAMAGE) {
			struct gen_damage *g = &damage[n_damage++];

			g->kind = a[2] == 'z' ? GEN_ZERO :
				  a[2] == 'g' ? GEN_GARBAGE : GEN_STRAY;
			g->rec = strtoul(argv[++i], &end, 0);
			g->len = *end == ':' ? strtoul(end + 1, NULL, 0) : 0;
		} else if (a[0] != '-' && !which) {
			which = a;
		} else {
			gen_usage();
		}
	}
	if (!which)
		gen_usage();

	gen_buf = calloc(MAX_RECORDS, KMODS_RECORD_SIZE);
	if (!gen_buf)
		return 1;

	if (!strcmp(which, "normal"))
		gen_case_normal();
	else if (!strcmp(which, "hints"))
		gen_case_hints();
	else if (!strcmp(which, "bigvals"))
		gen_case_bigvals();
	else if (!strcmp(which, "gap"))
		gen_case_gap();
	else if (!strcmp(which, "drop"))
		gen_case_drop();
	else if (!strcmp(which, "instances"))
		gen_case_instances();
	else if (!strcmp(which, "merge"))
		gen_case_merge();
	else if (!strcmp(which, "pending"))
		gen_case_pending();
	else if (!strcmp(which, "orphan"))
		gen_case_orphan();
	else if (!strcmp(which, "unload"))
		gen_case_unload();
	else if (!strcmp(which, "hostile"))
		gen_case_hostile();
	else if (!strcmp(which, "many"))
		gen_case_many(count);
	else
		gen_usage();

	if (bad_enum >= 0 && (size_t)bad_enum < gen_count) {
		unsigned char *b = gen_buf + bad_enum * KMODS_RECORD_SIZE;

		b[REC_OFF(rule)] = 99;
		gen_csum(b);
	}
	if (corrupt >= 0 && (size_t)corrupt < gen_count &&
	    corrupt_byte < KMODS_RECORD_SIZE)
		gen_buf[corrupt * KMODS_RECORD_SIZE + corrupt_byte] ^= 0x01;

	/* Written to memory first, so that --truncate can cut it. */
	gen_f = open_memstream(&out, &len);
	if (!gen_f)
		return 1;
	for (k = 0; k <= gen_count; k++) {
		unsigned char *b = gen_buf + k * KMODS_RECORD_SIZE;
		bool zero = false;

		for (d = 0; d < n_damage; d++) {
			if (damage[d].rec != k)
				continue;
			if (damage[d].kind == GEN_GARBAGE)
				gen_out_garbage(damage[d].len);
			else if (damage[d].kind == GEN_STRAY && gen_count)
				gen_out_stray(k < gen_count ? k : k - 1);
			zero |= damage[d].kind == GEN_ZERO;
		}
		if (k == gen_count)
			break;
		if (zero)
			memset(b, 0, KMODS_RECORD_SIZE);
		gen_out(b, KMODS_RECORD_SIZE);
	}
	if (fclose(gen_f))
		return 1;

	len = trunc < len ? len - trunc : 0;
	if (fwrite(out, 1, len, stdout) != len || fflush(stdout)) {
		perror("gen-records");
		return 1;
	}
	free(out);
	free(gen_buf);
	return 0;
}
