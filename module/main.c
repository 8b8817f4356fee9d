// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: module entry and /proc/vmviz registration.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>

static struct proc_dir_entry *vmviz_dir;

static int __init vmviz_init(void)
{
	vmviz_dir = proc_mkdir_mode("vmviz", 0555, NULL);
	if (!vmviz_dir)
		return -ENOMEM;
	return 0;
}

static void __exit vmviz_exit(void)
{
	proc_remove(vmviz_dir);
}

module_init(vmviz_init);
module_exit(vmviz_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Show a process's mm, VMAs and page tables through /proc/vmviz");
