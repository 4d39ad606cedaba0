// SPDX-License-Identifier: GPL-2.0
/*
 * igloo - igloo_kmods test module standing in for penguin's igloo.ko, which
 * igloo_kmods always lets load. It prints its init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static char *tag;
module_param(tag, charp, 0444);
MODULE_PARM_DESC(tag, "string printed by the init message");

static int __init igloo_test_init(void)
{
	if (tag)
		pr_info("init ran tag=%s\n", tag);
	else
		pr_info("init ran\n");
	return 0;
}

static void __exit igloo_test_exit(void)
{
	pr_info("exit ran\n");
}

module_init(igloo_test_init);
module_exit(igloo_test_exit);

MODULE_DESCRIPTION("igloo_kmods test module: stands in for igloo.ko");
MODULE_LICENSE("GPL");
