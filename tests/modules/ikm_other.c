// SPDX-License-Identifier: GPL-2.0
/*
 * ikm_other - igloo_kmods test module: a second module that prints its
 * init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static char *tag;
module_param(tag, charp, 0444);
MODULE_PARM_DESC(tag, "string printed by the init message");

static int __init ikm_other_init(void)
{
	if (tag)
		pr_info("init ran tag=%s\n", tag);
	else
		pr_info("init ran\n");
	return 0;
}

static void __exit ikm_other_exit(void)
{
	pr_info("exit ran\n");
}

module_init(ikm_other_init);
module_exit(ikm_other_exit);

MODULE_DESCRIPTION("igloo_kmods test module: a second module");
MODULE_LICENSE("GPL");
