// SPDX-License-Identifier: GPL-2.0
/*
 * ikm_torn_a - igloo_kmods test module without code, for the torn-image
 * races of tests/guest/hostile.sh. It has no init, no exit, no parameters
 * and no instrumentation (Kbuild), so that a copy mixed from it and
 * ikm_torn_b that passes every check runs nothing of its own when the
 * kernel loads it: only the loader's parsing and relocation are tested.
 * Its tables differ from ikm_torn_b's: a few short words and pointers.
 */
#include <linux/compiler.h>
#include <linux/module.h>

static const char *const ikm_torn_a_words[] __used = {
	"alpha", "beta", "gamma", "delta",
};

static const char *const *const ikm_torn_a_list __used = ikm_torn_a_words;

MODULE_DESCRIPTION("igloo_kmods test module without code: torn images, first");
MODULE_LICENSE("GPL");
