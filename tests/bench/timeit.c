// SPDX-License-Identifier: GPL-2.0
/*
 * timeit - run a command and print how long it took, for the igloo_kmods
 * benchmark (tests/bench.sh) in guests whose date(1) has no %N.
 *
 * Usage: timeit COMMAND [ARGS...]
 *	Runs COMMAND (stdin, stdout and stderr inherited), waits for it,
 *	then prints "ns=<elapsed nanoseconds> status=<exit status>"
 *	(CLOCK_MONOTONIC) on stdout.
 * Usage: timeit
 *	Prints the CLOCK_MONOTONIC time in nanoseconds.
 *
 * Exit status: 0, or 2 when COMMAND could not be started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	unsigned long long t0;
	int status;
	pid_t pid;

	if (argc < 2) {
		printf("%llu\n", now_ns());
		return 0;
	}
	fflush(stdout);
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "timeit: fork: %s\n", strerror(errno));
		return 2;
	}
	if (!pid) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "timeit: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "timeit: waitpid: %s\n", strerror(errno));
		return 2;
	}
	printf("ns=%llu status=%d\n", now_ns() - t0,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
