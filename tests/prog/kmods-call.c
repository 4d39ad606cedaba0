// SPDX-License-Identifier: GPL-2.0
/*
 * kmods-call - make raw module loading syscalls for the igloo_kmods tests.
 *
 * Usage: kmods-call [--uid N] [--repeat N] [--quiet] [--errname] COMMAND ARGS...
 *
 * Commands:
 *	finit PATH [PARAMS [FLAGS]]	finit_module(open(PATH), PARAMS, FLAGS)
 *	init PATH [PARAMS]		init_module(image of PATH, len, PARAMS)
 *	delete NAME [FLAGS]		delete_module(NAME, FLAGS), default
 *					O_NONBLOCK
 *	delete-mapped FILE [FLAGS]	delete_module with the name read from
 *					FILE's first page, mapped and never
 *					touched here (the kernel faults it in)
 *	init-null LEN			init_module(NULL, LEN, "")
 *	init-unmapped LEN		init_module(<unmapped address>, LEN, "")
 *	init-buf FILE LEN		image = first LEN bytes of FILE, padded
 *					with zeros when LEN exceeds the file
 *	finit-fd KIND [PARAMS [FLAGS]]	finit_module on an unusual fd; KIND:
 *					minus1 closed dir pipe socket empty
 *					wronly:PATH rdonly:PATH
 *					writing:PATH (read-only, while
 *					another fd has PATH open for writing)
 *	finit-flags PATH FLAGS		finit_module(open(PATH), "", FLAGS)
 *	init-params-unmapped PATH	init_module(image, len, <unmapped address>)
 *	init-params-null PATH		init_module(image, len, NULL)
 *	finit-params-unmapped PATH	finit_module(open(PATH), <unmapped>, 0)
 *	finit-params-null PATH		finit_module(open(PATH), NULL, 0)
 *	race PATH ALTPATH N		init_module on PATH's image while a
 *					second thread overwrites the buffer
 *					until the call returns (N times at
 *					most), alternating ALTPATH's image and
 *					PATH's image (both padded with zeros to
 *					the larger size), each from its last
 *					page to its first
 *	swap-late PATH ALTPATH		init_module on PATH's image (padded
 *					as for race) with the parameters
 *					"tag=late", whose last bytes are in a
 *					page that userfaultfd holds back: the
 *					first read of them (igloo_kmods', after
 *					it has read the image's name) waits
 *					while a second thread writes ALTPATH's
 *					image over the buffer, so that the
 *					kernel copies ALTPATH's. Prints
 *					"faults=F" first; exits 4 when
 *					userfaultfd is not available
 *	tear-late PATH			init_module on PATH's image, with the
 *					parameters of swap-late. While
 *					igloo_kmods' read of them waits, the
 *					image's last page is dropped
 *					(MADV_DONTNEED), so that the kernel's
 *					own copy faults on it: userfaultfd
 *					holds that copy there while a second
 *					thread changes a byte of the first
 *					page (copied already), then gives the
 *					page back as it was. The kernel's copy
 *					is PATH's image; the buffer is not.
 *					Prints "faults=F" first (2 when both
 *					were held); exits 4 as swap-late
 *	lock-race KO PARAMS [LIST]	finit_module(open(KO), PARAMS) of
 *					igloo_kmods while a second thread,
 *					whenever its initstate reads "coming",
 *					writes 1 to its lock once, then LIST
 *					(default ikm_other) to its allowlist.
 *					Prints "coming=C lock=L list_ok=A
 *					list_refused=R" first
 *
 * FLAGS are numbers (strtoul base 0: 0x.. works) or names joined with '|'
 * or ',': IGNORE_MODVERSIONS IGNORE_VERMAGIC COMPRESSED_FILE (finit),
 * O_NONBLOCK O_TRUNC (delete), or a mix of both with numbers.
 *
 * Options (before COMMAND):
 *	--uid N		setgroups(0), setgid(N), setuid(N) right before the
 *			syscall (after files were opened and read)
 *	--repeat N	make the call N times; print only
 *			"calls=N ok=K fail=F" and exit 0 when all succeeded
 *	--quiet		print no result line
 *	--errname	print the result as "<ERRNO NAME> -<errno>", or
 *			"0 0" on success, so that expectations do not depend
 *			on the architecture's numbering
 *
 * Output: one line "ret=<n> errno=<e>" (errno is 0 when ret == 0).
 * Exit status: 0 when the syscall returned 0, 1 when it failed, 2 for a
 * usage or setup error (nothing was called; message on stderr).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __NR_userfaultfd
#include <linux/userfaultfd.h>
#endif

#ifndef MODULE_INIT_IGNORE_MODVERSIONS
#define MODULE_INIT_IGNORE_MODVERSIONS	1
#endif
#ifndef MODULE_INIT_IGNORE_VERMAGIC
#define MODULE_INIT_IGNORE_VERMAGIC	2
#endif
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4
#endif

#define __noreturn	__attribute__((__noreturn__))
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *prog = "kmods-call";

/* The errno values a module load can return, by name. */
#define ERRNO_NAME(e)	{ e, #e }
static const struct {
	int value;
	const char *name;
} errno_names[] = {
	ERRNO_NAME(EPERM), ERRNO_NAME(ENOENT), ERRNO_NAME(EIO),
	ERRNO_NAME(E2BIG), ERRNO_NAME(ENOEXEC), ERRNO_NAME(EBADF),
	ERRNO_NAME(EAGAIN), ERRNO_NAME(ENOMEM), ERRNO_NAME(EACCES),
	ERRNO_NAME(EFAULT), ERRNO_NAME(EBUSY), ERRNO_NAME(EEXIST),
	ERRNO_NAME(ENODEV), ERRNO_NAME(EINVAL), ERRNO_NAME(ETXTBSY),
	ERRNO_NAME(EFBIG), ERRNO_NAME(ENOSPC), ERRNO_NAME(ERANGE),
	ERRNO_NAME(EOPNOTSUPP), ERRNO_NAME(ENOKEY),
	ERRNO_NAME(EKEYREJECTED), ERRNO_NAME(EBADMSG),
};

static void print_errname(long ret, int err)
{
	size_t i;

	if (ret == 0) {
		printf("0 0\n");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(errno_names); i++) {
		if (errno_names[i].value == err) {
			printf("%s -%d\n", errno_names[i].name, err);
			return;
		}
	}
	printf("E%d -%d\n", err, err);
}

static void __noreturn __printf(1, 2) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void __noreturn usage(void)
{
	fprintf(stderr,
		"Usage: %s [--uid N] [--repeat N] [--quiet] COMMAND ARGS...\n"
		"commands:\n"
		"  finit PATH [PARAMS [FLAGS]]\n"
		"  init PATH [PARAMS]\n"
		"  delete NAME [FLAGS]\n"
		"  init-null LEN\n"
		"  init-unmapped LEN\n"
		"  init-buf FILE LEN\n"
		"  finit-fd KIND [PARAMS [FLAGS]]\n"
		"      KIND: minus1 closed dir pipe socket empty wronly:PATH\n"
		"            rdonly:PATH writing:PATH\n"
		"  finit-flags PATH FLAGS\n"
		"  init-params-unmapped PATH\n"
		"  init-params-null PATH\n"
		"  finit-params-unmapped PATH\n"
		"  finit-params-null PATH\n"
		"  race PATH ALTPATH N\n"
		"  swap-late PATH ALTPATH\n"
		"  tear-late PATH\n"
		"  lock-race KO PARAMS [LIST]\n"
		"  write PATH STRING   (a sysfs write, opened after --uid)\n",
		prog);
	exit(2);
}

static unsigned long parse_ulong(const char *s, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end)
		die("invalid %s '%s'", what, s);
	return v;
}

static const struct {
	const char *name;
	unsigned long value;
} flag_names[] = {
	{ "IGNORE_MODVERSIONS", MODULE_INIT_IGNORE_MODVERSIONS },
	{ "MODULE_INIT_IGNORE_MODVERSIONS", MODULE_INIT_IGNORE_MODVERSIONS },
	{ "IGNORE_VERMAGIC", MODULE_INIT_IGNORE_VERMAGIC },
	{ "MODULE_INIT_IGNORE_VERMAGIC", MODULE_INIT_IGNORE_VERMAGIC },
	{ "COMPRESSED_FILE", MODULE_INIT_COMPRESSED_FILE },
	{ "MODULE_INIT_COMPRESSED_FILE", MODULE_INIT_COMPRESSED_FILE },
	{ "O_NONBLOCK", O_NONBLOCK },
	{ "O_TRUNC", O_TRUNC },
};

static unsigned long parse_flags(const char *s)
{
	unsigned long v = 0;
	char *copy, *tok, *save = NULL;
	size_t i;

	copy = strdup(s);
	if (!copy)
		die("out of memory");
	for (tok = strtok_r(copy, "|,", &save); tok;
	     tok = strtok_r(NULL, "|,", &save)) {
		for (i = 0; i < ARRAY_SIZE(flag_names); i++) {
			if (!strcmp(tok, flag_names[i].name))
				break;
		}
		if (i < ARRAY_SIZE(flag_names))
			v |= flag_names[i].value;
		else
			v |= parse_ulong(tok, "flags");
	}
	free(copy);
	return v;
}

/*
 * Read up to @want bytes of @path (the whole file when @want is 0) into a
 * zeroed buffer of max(@want, file size) bytes (at least 1 byte so that
 * malloc never returns NULL for an empty file).
 */
static void *read_file(const char *path, size_t want, size_t *lenp)
{
	struct stat st;
	size_t len, got = 0, fill;
	ssize_t n;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	if (fstat(fd, &st))
		die("stat %s: %s", path, strerror(errno));
	len = want ? want : (size_t)st.st_size;
	buf = calloc(1, len ? len : 1);
	if (!buf)
		die("out of memory for %zu bytes", len);
	fill = len < (size_t)st.st_size ? len : (size_t)st.st_size;
	while (got < fill) {
		n = read(fd, buf + got, fill - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read %s: %s", path, strerror(errno));
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	*lenp = len;
	return buf;
}

/* An address that is certainly not mapped: map, then unmap. */
static void *unmapped_addr(size_t len)
{
	size_t pg = sysconf(_SC_PAGESIZE);
	void *p;

	len = (len + pg - 1) / pg * pg;
	if (!len)
		len = pg;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	if (munmap(p, len))
		die("munmap: %s", strerror(errno));
	return p;
}

static int open_kind(const char *kind)
{
	int fds[2];
	int fd;

	if (!strcmp(kind, "minus1"))
		return -1;
	if (!strcmp(kind, "closed")) {
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0)
			die("open /dev/null: %s", strerror(errno));
		/* Move it high up so that nothing reuses the number. */
		if (dup2(fd, 1000) < 0)
			die("dup2: %s", strerror(errno));
		close(fd);
		close(1000);
		return 1000;
	}
	if (!strcmp(kind, "dir")) {
		fd = open("/", O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			die("open /: %s", strerror(errno));
		return fd;
	}
	if (!strcmp(kind, "pipe")) {
		if (pipe(fds))
			die("pipe: %s", strerror(errno));
		return fds[0];
	}
	if (!strcmp(kind, "socket")) {
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		return fd;
	}
	if (!strcmp(kind, "empty")) {
		fd = memfd_create("kmods-call-empty", 0);
		if (fd < 0)
			die("memfd_create: %s", strerror(errno));
		return fd;
	}
	if (!strncmp(kind, "rdonly:", 7)) {
		fd = open(kind + 7, O_RDONLY);
		if (fd < 0)
			die("open %s: %s", kind + 7, strerror(errno));
		return fd;
	}
	if (!strncmp(kind, "writing:", 8)) {
		/* Kept open for writing (never written) until exit. */
		if (open(kind + 8, O_WRONLY) < 0)
			die("open %s O_WRONLY: %s", kind + 8, strerror(errno));
		fd = open(kind + 8, O_RDONLY);
		if (fd < 0)
			die("open %s: %s", kind + 8, strerror(errno));
		return fd;
	}
	if (!strncmp(kind, "wronly:", 7)) {
		fd = open(kind + 7, O_WRONLY);
		if (fd < 0)
			die("open %s O_WRONLY: %s", kind + 7, strerror(errno));
		return fd;
	}
	die("unknown fd kind '%s'", kind);
}

enum call_kind { CALL_INIT, CALL_FINIT, CALL_DELETE, CALL_RACE, CALL_WRITE,
		 CALL_SWAP_LATE, CALL_LOCK_RACE };

struct call {
	enum call_kind kind;
	void *image;
	unsigned long len;
	const char *params;
	int fd;
	const char *name;
	unsigned long flags;
	/* race */
	void *orig;
	void *alt;
	unsigned long race_n;
	int started;
	int done;
	/* swap-late, tear-late */
	int uffd;
	char *late;			/* the page held back */
	unsigned long faults;
	bool tear;			/* tear-late */
	char *tail;			/* the image's last page, mapped */
	char *tail_orig;		/* what it holds */
	/* lock-race */
	unsigned long coming, list_ok, list_refused;
	int lock_ok;
};

#define KMODS_SYSFS	"/sys/module/igloo_kmods"

/* Write @val to the sysfs file @path; 0 or -1 with errno. */
static int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	err = errno;
	close(fd);
	errno = err;
	return n < 0 ? -1 : 0;
}

static void *lock_race_thread(void *arg)
{
	struct call *c = arg;
	char state[16];
	ssize_t n;
	int fd;

	__atomic_store_n(&c->started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&c->done, __ATOMIC_SEQ_CST)) {
		fd = open(KMODS_SYSFS "/initstate", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, state, sizeof(state) - 1);
		close(fd);
		if (n < 6 || memcmp(state, "coming", 6))
			continue;
		c->coming++;
		if (!c->lock_ok) {
			c->lock_ok = !write_file(KMODS_SYSFS "/parameters/lock",
						 "1");
			continue;
		}
		if (write_file(KMODS_SYSFS "/parameters/allowlist", c->name))
			c->list_refused++;
		else
			c->list_ok++;
	}
	return NULL;
}

#ifdef __NR_userfaultfd
/*
 * The parameters "tag=late": "tag=" ends one page, "late" starts the next,
 * which is registered with userfaultfd and not there yet.
 */
static void swap_late_setup(struct call *c)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	char *p;

	c->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (c->uffd < 0 || ioctl(c->uffd, UFFDIO_API, &api)) {
		fprintf(stderr, "%s: userfaultfd: %s\n", prog, strerror(errno));
		exit(4);
	}
	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	reg.range.start = (unsigned long)p + pg;
	reg.range.len = pg;
	if (ioctl(c->uffd, UFFDIO_REGISTER, &reg)) {
		fprintf(stderr, "%s: UFFDIO_REGISTER: %s\n", prog,
			strerror(errno));
		exit(4);
	}
	memcpy(p + pg - 4, "tag=", 4);
	c->params = p + pg - 4;
	c->late = calloc(1, pg);
	if (!c->late)
		die("out of memory");
	memcpy(c->late, "late", 5);
	if (!c->tear)
		return;
	/* There now; missing (held) once dropped. */
	reg.range.start = (unsigned long)c->tail;
	reg.range.len = pg;
	if (ioctl(c->uffd, UFFDIO_REGISTER, &reg)) {
		fprintf(stderr, "%s: UFFDIO_REGISTER: %s\n", prog,
			strerror(errno));
		exit(4);
	}
}

/*
 * tear-late: at the parameters' fault (igloo_kmods' read), drop the
 * image's last page; at that page's fault (the kernel's copy, which has
 * copied the first page by then), change the first page, then give the
 * last one back as it was.
 */
static unsigned long tear_late_fault(struct call *c, unsigned long page)
{
	if (page == (unsigned long)c->tail) {
		((char *)c->image)[100] ^= 0x5a;
		return (unsigned long)c->tail_orig;
	}
	if (madvise(c->tail, sysconf(_SC_PAGESIZE), MADV_DONTNEED))
		die("madvise: %s", strerror(errno));
	return (unsigned long)c->late;
}

/*
 * At the first fault on the held page: the other image, then the page.
 * The descriptor does not block: poll() may report a fault that is gone
 * (woken by the copy) by the time it is read.
 */
static void *swap_late_thread(void *arg)
{
	struct call *c = arg;
	long pg = sysconf(_SC_PAGESIZE);
	struct pollfd pfd = { .fd = c->uffd, .events = POLLIN };
	struct uffdio_copy copy = { .len = pg };
	struct uffd_msg msg;

	__atomic_store_n(&c->started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&c->done, __ATOMIC_SEQ_CST)) {
		if (poll(&pfd, 1, 10) <= 0)
			continue;
		if (read(c->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		c->faults++;
		copy.dst = msg.arg.pagefault.address & ~(pg - 1UL);
		if (c->tear) {
			copy.src = tear_late_fault(c, copy.dst);
		} else {
			memcpy(c->image, c->alt, c->len);
			copy.src = (unsigned long)c->late;
		}
		if (ioctl(c->uffd, UFFDIO_COPY, &copy))
			die("UFFDIO_COPY: %s", strerror(errno));
	}
	return NULL;
}
#else
static void swap_late_setup(struct call *c)
{
	fprintf(stderr, "%s: built without userfaultfd\n", prog);
	exit(4);
}

static void *swap_late_thread(void *arg)
{
	return NULL;
}
#endif

/*
 * Copy @len bytes a page at a time from the last page to the first:
 * against a reader going up (the kernel's copy), each pass crosses it
 * once, so that two passes can leave it a copy that is neither image
 * nor one cut in two, but ORIG, ALT, ORIG: the tables of one, the
 * contents of the other between them.
 */
static void copy_down(char *dst, const char *src, size_t len)
{
	size_t off = len, n;

	while (off) {
		n = off % 4096 ? off % 4096 : 4096;
		off -= n;
		memcpy(dst + off, src + off, n);
	}
}

static void *race_thread(void *arg)
{
	struct call *c = arg;
	unsigned long i;

	__atomic_store_n(&c->started, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < c->race_n &&
	     !__atomic_load_n(&c->done, __ATOMIC_SEQ_CST); i++) {
		copy_down(c->image, c->alt, c->len);
		copy_down(c->image, c->orig, c->len);
	}
	return NULL;
}

static long do_call(struct call *c)
{
	pthread_t thr;
	long ret;
	int err, fd;

	switch (c->kind) {
	case CALL_INIT:
		return syscall(SYS_init_module, c->image, c->len, c->params);
	case CALL_FINIT:
		return syscall(SYS_finit_module, c->fd, c->params, c->flags);
	case CALL_DELETE:
		return syscall(SYS_delete_module, c->name, c->flags);
	case CALL_WRITE:
		/* Opened here, after --uid took effect. */
		fd = open(c->name, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		ret = write(fd, c->params, strlen(c->params));
		err = errno;
		close(fd);
		errno = err;
		return ret < 0 ? -1 : 0;
	case CALL_LOCK_RACE:
	case CALL_SWAP_LATE:
		if (c->kind == CALL_SWAP_LATE) {
			if (!c->tear)
				memcpy(c->image, c->orig, c->len);
			swap_late_setup(c);
		}
		__atomic_store_n(&c->started, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&c->done, 0, __ATOMIC_SEQ_CST);
		err = pthread_create(&thr, NULL, c->kind == CALL_SWAP_LATE ?
				     swap_late_thread : lock_race_thread, c);
		if (err)
			die("pthread_create: %s", strerror(err));
		while (!__atomic_load_n(&c->started, __ATOMIC_SEQ_CST))
			;
		if (c->kind == CALL_SWAP_LATE)
			ret = syscall(SYS_init_module, c->image, c->len,
				      c->params);
		else
			ret = syscall(SYS_finit_module, c->fd, c->params, 0);
		err = errno;
		__atomic_store_n(&c->done, 1, __ATOMIC_SEQ_CST);
		pthread_join(thr, NULL);
		if (c->kind == CALL_SWAP_LATE)
			printf("faults=%lu\n", c->faults);
		else
			printf("coming=%lu lock=%d list_ok=%lu list_refused=%lu\n",
			       c->coming, c->lock_ok, c->list_ok,
			       c->list_refused);
		errno = err;
		return ret;
	case CALL_RACE:
		memcpy(c->image, c->orig, c->len);
		__atomic_store_n(&c->started, 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&c->done, 0, __ATOMIC_SEQ_CST);
		err = pthread_create(&thr, NULL, race_thread, c);
		if (err)
			die("pthread_create: %s", strerror(err));
		while (!__atomic_load_n(&c->started, __ATOMIC_SEQ_CST))
			;
		ret = syscall(SYS_init_module, c->image, c->len, c->params);
		err = errno;
		__atomic_store_n(&c->done, 1, __ATOMIC_SEQ_CST);
		pthread_join(thr, NULL);
		errno = err;
		return ret;
	}
	return -1;
}

static void need_args(int argc, int min, int max)
{
	if (argc < min || argc > max)
		usage();
}

int main(int argc, char **argv)
{
	unsigned long repeat = 1, i, ok = 0, fail = 0;
	struct call c = { .params = "", .fd = -1 };
	long uid = -1;
	int quiet = 0, errname = 0;
	const char *cmd;
	size_t len, alen;
	long ret = 0;
	int err = 0;

	while (argc > 1 && !strncmp(argv[1], "--", 2)) {
		if (!strcmp(argv[1], "--quiet")) {
			quiet = 1;
			argv++;
			argc--;
		} else if (!strcmp(argv[1], "--errname")) {
			errname = 1;
			argv++;
			argc--;
		} else if (!strcmp(argv[1], "--uid") && argc > 2) {
			uid = parse_ulong(argv[2], "uid");
			argv += 2;
			argc -= 2;
		} else if (!strcmp(argv[1], "--repeat") && argc > 2) {
			repeat = parse_ulong(argv[2], "repeat count");
			argv += 2;
			argc -= 2;
		} else if (!strcmp(argv[1], "--help")) {
			usage();
		} else {
			die("unknown option '%s'", argv[1]);
		}
	}
	if (argc < 2)
		usage();
	cmd = argv[1];
	argv += 2;
	argc -= 2;

	if (!strcmp(cmd, "finit") || !strcmp(cmd, "finit-flags")) {
		if (!strcmp(cmd, "finit"))
			need_args(argc, 1, 3);
		else
			need_args(argc, 2, 2);
		c.kind = CALL_FINIT;
		c.fd = open(argv[0], O_RDONLY | O_CLOEXEC);
		if (c.fd < 0)
			die("open %s: %s", argv[0], strerror(errno));
		if (!strcmp(cmd, "finit-flags")) {
			c.flags = parse_flags(argv[1]);
		} else {
			if (argc > 1)
				c.params = argv[1];
			if (argc > 2)
				c.flags = parse_flags(argv[2]);
		}
	} else if (!strcmp(cmd, "finit-fd")) {
		need_args(argc, 1, 3);
		c.kind = CALL_FINIT;
		c.fd = open_kind(argv[0]);
		if (argc > 1)
			c.params = argv[1];
		if (argc > 2)
			c.flags = parse_flags(argv[2]);
	} else if (!strcmp(cmd, "init")) {
		need_args(argc, 1, 2);
		c.kind = CALL_INIT;
		c.image = read_file(argv[0], 0, &len);
		c.len = len;
		if (argc > 1)
			c.params = argv[1];
	} else if (!strcmp(cmd, "delete")) {
		need_args(argc, 1, 2);
		c.kind = CALL_DELETE;
		c.name = argv[0];
		c.flags = argc > 1 ? parse_flags(argv[1]) : O_NONBLOCK;
	} else if (!strcmp(cmd, "delete-mapped")) {
		int fd;

		need_args(argc, 1, 2);
		c.kind = CALL_DELETE;
		fd = open(argv[0], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("%s: %s", argv[0], strerror(errno));
		c.name = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		if (c.name == MAP_FAILED)
			die("mmap %s: %s", argv[0], strerror(errno));
		close(fd);
		c.flags = argc > 1 ? parse_flags(argv[1]) : O_NONBLOCK;
	} else if (!strcmp(cmd, "write")) {
		need_args(argc, 2, 2);
		c.kind = CALL_WRITE;
		c.name = argv[0];
		c.params = argv[1];
	} else if (!strcmp(cmd, "init-null")) {
		need_args(argc, 1, 1);
		c.kind = CALL_INIT;
		c.image = NULL;
		c.len = parse_ulong(argv[0], "length");
	} else if (!strcmp(cmd, "init-unmapped")) {
		need_args(argc, 1, 1);
		c.kind = CALL_INIT;
		c.len = parse_ulong(argv[0], "length");
		c.image = unmapped_addr(c.len);
	} else if (!strcmp(cmd, "init-buf")) {
		need_args(argc, 2, 2);
		c.kind = CALL_INIT;
		c.len = parse_ulong(argv[1], "length");
		if (c.len) {
			c.image = read_file(argv[0], c.len, &len);
		} else {
			/* LEN 0: a valid pointer to an empty image. */
			c.image = calloc(1, 1);
			if (!c.image)
				die("out of memory");
		}
	} else if (!strcmp(cmd, "init-params-unmapped") ||
		   !strcmp(cmd, "init-params-null")) {
		need_args(argc, 1, 1);
		c.kind = CALL_INIT;
		c.image = read_file(argv[0], 0, &len);
		c.len = len;
		c.params = strcmp(cmd, "init-params-null") ?
			   unmapped_addr(1) : NULL;
	} else if (!strcmp(cmd, "finit-params-unmapped") ||
		   !strcmp(cmd, "finit-params-null")) {
		need_args(argc, 1, 1);
		c.kind = CALL_FINIT;
		c.fd = open(argv[0], O_RDONLY | O_CLOEXEC);
		if (c.fd < 0)
			die("open %s: %s", argv[0], strerror(errno));
		c.params = strcmp(cmd, "finit-params-null") ?
			   unmapped_addr(1) : NULL;
	} else if (!strcmp(cmd, "tear-late")) {
		long pg = sysconf(_SC_PAGESIZE);
		size_t map;

		need_args(argc, 1, 1);
		c.kind = CALL_SWAP_LATE;
		c.tear = true;
		c.orig = read_file(argv[0], 0, &len);
		if (len <= (size_t)pg || len <= 100)
			die("%s: the image must span two pages", argv[0]);
		map = (len + pg - 1) & ~(size_t)(pg - 1);
		c.image = mmap(NULL, map, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		c.tail_orig = calloc(1, pg);
		if (c.image == MAP_FAILED || !c.tail_orig)
			die("out of memory");
		memcpy(c.image, c.orig, len);
		c.tail = (char *)c.image + map - pg;
		memcpy(c.tail_orig, c.tail, pg);
		c.len = len;
	} else if (!strcmp(cmd, "lock-race")) {
		need_args(argc, 2, 3);
		c.kind = CALL_LOCK_RACE;
		c.fd = open(argv[0], O_RDONLY | O_CLOEXEC);
		if (c.fd < 0)
			die("open %s: %s", argv[0], strerror(errno));
		c.params = argv[1];
		c.name = argc > 2 ? argv[2] : "ikm_other";
	} else if (!strcmp(cmd, "race") || !strcmp(cmd, "swap-late")) {
		c.kind = strcmp(cmd, "race") ? CALL_SWAP_LATE : CALL_RACE;
		need_args(argc, c.kind == CALL_RACE ? 3 : 2,
			  c.kind == CALL_RACE ? 3 : 2);
		c.orig = read_file(argv[0], 0, &len);
		c.alt = read_file(argv[1], 0, &alen);
		if (c.kind == CALL_RACE)
			c.race_n = parse_ulong(argv[2], "count");
		if (len != alen) {
			/* Pad the smaller image to the larger size. */
			if (len < alen) {
				free(c.orig);
				c.orig = read_file(argv[0], alen, &len);
			} else {
				free(c.alt);
				c.alt = read_file(argv[1], len, &alen);
			}
		}
		c.len = len;
		c.image = malloc(len ? len : 1);
		if (!c.image)
			die("out of memory");
	} else {
		die("unknown command '%s' (try --help)", cmd);
	}

	if (uid >= 0) {
		if (setgroups(0, NULL))
			die("setgroups: %s", strerror(errno));
		if (setgid(uid))
			die("setgid %ld: %s", uid, strerror(errno));
		if (setuid(uid))
			die("setuid %ld: %s", uid, strerror(errno));
	}

	for (i = 0; i < repeat; i++) {
		errno = 0;
		ret = do_call(&c);
		err = ret == 0 ? 0 : errno;
		if (ret == 0)
			ok++;
		else
			fail++;
	}

	if (!quiet) {
		if (repeat == 1 && errname)
			print_errname(ret, err);
		else if (repeat == 1)
			printf("ret=%ld errno=%d\n", ret, err);
		else
			printf("calls=%lu ok=%lu fail=%lu\n", repeat, ok, fail);
	}
	fflush(stdout);
	return fail ? 1 : 0;
}
