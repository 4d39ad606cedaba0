/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the igloo_kmods benchmark helpers share: the clock they read.
 */
#ifndef _KMODS_BENCH_H
#define _KMODS_BENCH_H

#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds. */
static inline unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif /* _KMODS_BENCH_H */
