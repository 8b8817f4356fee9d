// SPDX-License-Identifier: GPL-2.0
/*
 * A module the kernel-half stress (selftests/khalf_stress_test.c) loads and
 * unloads in a loop: each load changes the kernel's page tables the ways a
 * reader of them must survive. Never loaded by the real runs.
 *
 * - Loading and unloading a module allocates module memory and, with
 *   STRICT_MODULE_RWX, flips it with set_memory_ro/x/nx/rw (splitting
 *   leaves of the module area and, where it is aliased, the direct map).
 * - Its init allocates small vmalloc areas, frees them and purges the lazy
 *   list (vm_unmap_aliases(): their PTEs are cleared, the PTE tables stay),
 *   then allocates huge vmalloc areas: a 2M mapping over a PMD whose PTE
 *   table is still there frees that table (vmap_try_huge_pmd() ->
 *   pmd_free_pte_page()), the path the walker's rule must cover.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/version.h>

static unsigned int rounds = 32;
module_param(rounds, uint, 0400);
MODULE_PARM_DESC(rounds, "rounds of small and huge vmalloc churn at load");

#define SMALL_AREAS	64

static int __init vmviz_churn_init(void)
{
	void **small;
	unsigned int r, i;

	small = kcalloc(SMALL_AREAS, sizeof(*small), GFP_KERNEL);
	if (!small)
		return -ENOMEM;
	for (r = 0; r < rounds; r++) {
		void *huge = NULL;

		for (i = 0; i < SMALL_AREAS; i++)
			small[i] = vmalloc(PAGE_SIZE * (1 + i % 16));
		for (i = 0; i < SMALL_AREAS; i++)
			vfree(small[i]);
		vm_unmap_aliases();
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0)
		huge = vmalloc_huge(8UL << 20, GFP_KERNEL);
#endif
		vfree(huge);
		vm_unmap_aliases();
		cond_resched();
	}
	kfree(small);
	return 0;
}
module_init(vmviz_churn_init);

static void __exit vmviz_churn_exit(void)
{
}
module_exit(vmviz_churn_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmviz test rig: churn the kernel's page tables on load");
