// SPDX-License-Identifier: GPL-2.0
/*
 * syscall-loop - time a system call unrelated to module loading, for the
 * igloo_kmods benchmark (tests/bench.sh).
 *
 * Usage: syscall-loop getpid|open N
 *	getpid	syscall(SYS_getpid) N times
 *	open	open("/dev/null") and close() N times
 *
 * Prints "ns=<total nanoseconds> n=<N>" (CLOCK_MONOTONIC); exit 0, or 1
 * when a call failed, 2 on a usage error.
 */
#define _GNU_SOURCE
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
	unsigned long long t0, t1;
	unsigned long n, i, bad = 0;
	int fd;

	if (argc != 3 || (strcmp(argv[1], "getpid") && strcmp(argv[1], "open"))) {
		fprintf(stderr, "usage: syscall-loop getpid|open N\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 0);
	t0 = now_ns();
	if (!strcmp(argv[1], "getpid")) {
		for (i = 0; i < n; i++)
			bad += syscall(SYS_getpid) <= 0;
	} else {
		for (i = 0; i < n; i++) {
			fd = open("/dev/null", O_RDONLY);
			bad += fd < 0 || close(fd);
		}
	}
	t1 = now_ns();
	printf("ns=%llu n=%lu\n", t1 - t0, n);
	return bad ? 1 : 0;
}
