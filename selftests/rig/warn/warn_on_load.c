// SPDX-License-Identifier: GPL-2.0
/*
 * A module that WARNs on load, on purpose: the rig boots it once to prove
 * that its console detector flags a splat. Never loaded by the real runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

static int __init vmviz_warn_on_load_init(void)
{
	WARN(1, "vmviz_warn_on_load: deliberate warning for the rig's detector\n");
	return 0;
}
module_init(vmviz_warn_on_load_init);

static void __exit vmviz_warn_on_load_exit(void)
{
}
module_exit(vmviz_warn_on_load_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmviz test rig: WARN on load to prove the detector");
