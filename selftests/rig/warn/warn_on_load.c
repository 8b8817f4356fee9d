// SPDX-License-Identifier: GPL-2.0
/*
 * A module that splats on load, on purpose: the rig boots it to prove that
 * its console detector flags a splat. Never loaded by the real runs.
 * how=warn (default): a WARN. how=atomic: a sleep with preemption disabled,
 * what a sleeping (PREEMPT_RT) spinlock taken under a raw one would do; the
 * scheduler reports "BUG: scheduling while atomic" on every kernel, and
 * "sleeping function called from invalid context" first where
 * CONFIG_DEBUG_ATOMIC_SLEEP is set.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/string.h>

static char *how = "warn";
module_param(how, charp, 0400);
MODULE_PARM_DESC(how, "warn (a WARN) or atomic (a sleep in atomic context)");

static int __init vmviz_warn_on_load_init(void)
{
	if (!strcmp(how, "atomic")) {
		pr_info("vmviz_warn_on_load: sleeping with preemption disabled\n");
		preempt_disable();
		msleep(20);
		/*
		 * The scheduler resets the preempt count when it reports the
		 * bug; enable only what is still disabled.
		 */
		if (preempt_count())
			preempt_enable();
		return 0;
	}
	WARN(1, "vmviz_warn_on_load: deliberate warning for the rig's detector\n");
	return 0;
}
module_init(vmviz_warn_on_load_init);

static void __exit vmviz_warn_on_load_exit(void)
{
}
module_exit(vmviz_warn_on_load_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmviz test rig: splat on load to prove the detector");
