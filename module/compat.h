/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmviz: version shims for the kernels vmviz is built against (6.1, 6.12,
 * 7.2). Every difference between them is bridged here and nowhere else.
 */
#ifndef VMVIZ_COMPAT_H
#define VMVIZ_COMPAT_H

#include <linux/mm.h>
#include <linux/sched/coredump.h>
#include <linux/swap.h>
#include <linux/swapops.h>

/*
 * Whether new mappings are placed top-down. 6.12 records it in MMF_TOPDOWN,
 * 7.2 in the mm_flags bitmap; 6.1 only keeps a get_unmapped_area pointer
 * whose targets are not exported, so the layout is inferred from where
 * mmap_base lies: top-down places it just below the stack gap, the legacy
 * layout at TASK_UNMAPPED_BASE, a third of the way up.
 */
static inline bool vmviz_mmap_topdown(const struct mm_struct *mm)
{
#if defined(NUM_MM_FLAG_BITS)
	return mm_flags_test(MMF_TOPDOWN, mm);
#elif defined(MMF_TOPDOWN)
	return test_bit(MMF_TOPDOWN, &mm->flags);
#else
	return mm->mmap_base > DEFAULT_MAP_WINDOW / 2;
#endif
}

/* vm_flags became a const union member, then a bitmap; reading it works. */
static inline unsigned long vmviz_vm_flags(const struct vm_area_struct *vma)
{
	return vma->vm_flags;
}

/* The kernel's swap entry type and offset of a non-present entry value. */
static inline void vmviz_swp_decode(u64 val, unsigned int *type,
				    unsigned long *offset)
{
	swp_entry_t arch = __pte_to_swp_entry(pte_swp_clear_flags(__pte(val)));
	swp_entry_t e = swp_entry(__swp_type(arch), __swp_offset(arch));

	*type = swp_type(e);
	*offset = swp_offset(e);
}

#endif /* VMVIZ_COMPAT_H */
