// SPDX-License-Identifier: GPL-2.0
/*
 * ikm_dash_name - igloo_kmods test module; the tests copy it to
 * ikm-dash-name.ko (dashes in the file name, underscores in the name).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static char *tag;
module_param(tag, charp, 0444);
MODULE_PARM_DESC(tag, "string printed by the init message");

static int __init ikm_dash_name_init(void)
{
	if (tag)
		pr_info("init ran tag=%s\n", tag);
	else
		pr_info("init ran\n");
	return 0;
}

static void __exit ikm_dash_name_exit(void)
{
	pr_info("exit ran\n");
}

module_init(ikm_dash_name_init);
module_exit(ikm_dash_name_exit);

MODULE_DESCRIPTION("igloo_kmods test module loaded as ikm-dash-name.ko");
MODULE_LICENSE("GPL");
