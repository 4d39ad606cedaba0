/* SPDX-License-Identifier: GPL-2.0 */
/*
 * igloo_kmods fuzz harnesses, shared by the libFuzzer programs and the
 * unit test (tests/unit/policy-test.c), which replays every file under
 * tests/fuzz/regressions/<harness>/ through the same checks.
 *
 * A harness returns 0 if every invariant held. A broken invariant is
 * reported through kmods_fuzz_fail(): the fuzzer's version aborts, so
 * libFuzzer saves the input; the unit test's version prints it and the
 * harness returns -1.
 */
#ifndef _KMODS_FUZZ_H
#define _KMODS_FUZZ_H

#include <stddef.h>

#include "policy.h"

void kmods_fuzz_fail(const char *file, int line, const char *what);

/* Needs "int ret" and an "out:" label that frees what the harness holds. */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			kmods_fuzz_fail(__FILE__, __LINE__, #cond);	\
			ret = -1;					\
			goto out;					\
		}							\
	} while (0)

int kmods_fuzz_list(const u8 *data, size_t size);
int kmods_fuzz_path(const u8 *data, size_t size);
int kmods_fuzz_image(const u8 *data, size_t size);

#endif /* _KMODS_FUZZ_H */
