/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmviz: version shims for the kernels vmviz is built against (6.1, 6.12,
 * 7.2). Every difference between them is bridged here and nowhere else.
 */
#ifndef VMVIZ_COMPAT_H
#define VMVIZ_COMPAT_H

#include <linux/fs.h>
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

/*
 * The kernel's swap type and offset of a non-present entry value. For
 * migration, hwpoison and device entries the offset is a PFN, with the
 * young and dirty bits of migration entries above it: keep the PFN only,
 * as pagemap does.
 */
static inline void vmviz_swp_decode(u64 val, unsigned int *type,
				    unsigned long *offset)
{
	swp_entry_t arch = __pte_to_swp_entry(pte_swp_clear_flags(__pte(val)));
	swp_entry_t e = swp_entry(__swp_type(arch), __swp_offset(arch));

	*type = swp_type(e);
	*offset = swp_offset(e);
	if (*type >= MAX_SWAPFILES)
		*offset &= SWP_PFN_MASK;
}

/*
 * /proc/PID/maps names a VMA [heap] when it meets start_brk..brk: 6.1
 * counts a VMA that only touches that range, later kernels do not.
 */
static inline bool vmviz_vma_is_heap(const struct vm_area_struct *vma)
{
#ifdef VMVIZ_HAVE_VMA_IS_INITIAL_HEAP
	return vma_is_initial_heap(vma);
#else
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
#endif
}

/* The path maps shows: on overlayfs the user's path, not the backing file. */
static inline const struct path *vmviz_file_path(const struct file *file)
{
#ifdef VMVIZ_HAVE_FILE_USER_PATH
	return file_user_path((struct file *)file);
#else
	return &file->f_path;
#endif
}

#endif /* VMVIZ_COMPAT_H */
