// SPDX-License-Identifier: GPL-2.0
/*
 * load-loop - load and unload a module N times in one process, for the
 * igloo_kmods benchmark (tests/bench.sh): the system calls alone, without
 * the cost of starting insmod and rmmod.
 *
 * Usage: load-loop [--init] FILE NAME N
 *	finit_module(fd of FILE, "", 0), then delete_module(NAME,
 *	O_NONBLOCK), N times; with --init, init_module() of FILE's bytes
 *	(read into memory once, before the clock starts) instead.
 *
 * Prints "ns=<total nanoseconds> load_ns=<nanoseconds in finit_module>
 * n=<N> load_fail=<k> unload_fail=<k>" (CLOCK_MONOTONIC); exit 0 when
 * every call succeeded, 1 otherwise, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	unsigned long n, i, load_fail = 0, unload_fail = 0;
	unsigned long long t0, t1, t, load_ns = 0;
	char *image = NULL;
	int fd, init = 0;
	off_t size = 0;
	long ret;

	if (argc == 5 && !strcmp(argv[1], "--init")) {
		init = 1;
		argc--;
		argv++;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: load-loop [--init] FILE NAME N\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "load-loop: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (init) {
		size = lseek(fd, 0, SEEK_END);
		image = size > 0 ? malloc(size) : NULL;
		if (!image || pread(fd, image, size, 0) != size) {
			fprintf(stderr, "load-loop: cannot read %s\n", argv[1]);
			return 2;
		}
	}
	n = strtoul(argv[3], NULL, 0);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		t = now_ns();
		if (init)
			ret = syscall(SYS_init_module, image, (unsigned long)size,
				      "");
		else
			ret = syscall(SYS_finit_module, fd, "", 0);
		if (ret)
			load_fail++;
		load_ns += now_ns() - t;
		if (syscall(SYS_delete_module, argv[2], O_NONBLOCK))
			unload_fail++;
	}
	t1 = now_ns();
	printf("ns=%llu load_ns=%llu n=%lu load_fail=%lu unload_fail=%lu\n",
	       t1 - t0, load_ns, n, load_fail, unload_fail);
	return load_fail || unload_fail ? 1 : 0;
}
