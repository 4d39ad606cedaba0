// SPDX-License-Identifier: GPL-2.0
/*
 * ikm_mark - igloo_kmods test module: prints its init/exit, alias fs-ikmfs
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static char *tag;
module_param(tag, charp, 0444);
MODULE_PARM_DESC(tag, "string printed by the init message");

static int __init ikm_mark_init(void)
{
	if (tag)
		pr_info("init ran tag=%s\n", tag);
	else
		pr_info("init ran\n");
	return 0;
}

static void __exit ikm_mark_exit(void)
{
	pr_info("exit ran\n");
}

module_init(ikm_mark_init);
module_exit(ikm_mark_exit);

/* "mount -t ikmfs" makes the kernel request_module("fs-ikmfs"). */
MODULE_ALIAS_FS("ikmfs");
MODULE_DESCRIPTION("igloo_kmods test module with the fs-ikmfs alias");
MODULE_LICENSE("GPL");
