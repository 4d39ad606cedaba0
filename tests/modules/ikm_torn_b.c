// SPDX-License-Identifier: GPL-2.0
/*
 * ikm_torn_b - igloo_kmods test module without code: the second image of
 * the torn-image races (see ikm_torn_a.c), laid out differently: a larger
 * table, more symbols and more relocations than ikm_torn_a's.
 */
#include <linux/compiler.h>
#include <linux/module.h>

/*
 * Zeros: a buffer torn between the two images, and held still so that no
 * check can tell (see Documentation/threat-model.rst, "A torn image"),
 * can put this table where ikm_torn_a has its struct module, and there
 * zeros are no init or exit function for the kernel to call (0x5a5a5a5a
 * words were, and rmmod of such a module oopsed).
 */
static const unsigned int ikm_torn_b_table[1024] __used = { 0 };

static unsigned int ikm_torn_b_counter __used;

static const void *const ikm_torn_b_refs[] __used = {
	ikm_torn_b_table, &ikm_torn_b_counter, ikm_torn_b_table + 512,
	"one", "two", "three", "four", "five", "six", "seven", "eight",
};

MODULE_DESCRIPTION("igloo_kmods test module without code: torn images, second");
MODULE_LICENSE("GPL");
