// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer glue: kmods_fuzz_fail() aborts so the input is saved. Built
 * once per harness with -DKMODS_FUZZ_HARNESS=kmods_fuzz_<name>.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

#ifndef KMODS_FUZZ_HARNESS
#error "build with -DKMODS_FUZZ_HARNESS=kmods_fuzz_<name>"
#endif

void kmods_fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	KMODS_FUZZ_HARNESS(data, size);
	return 0;
}
