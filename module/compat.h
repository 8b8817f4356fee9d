/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmviz: version shims for the kernels vmviz is built against (5.10, 6.1,
 * 6.12, 7.2). Every difference between them is bridged here and nowhere else.
 */
#ifndef VMVIZ_COMPAT_H
#define VMVIZ_COMPAT_H

#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mount.h>
#include <linux/pid_namespace.h>
#include <linux/sched/coredump.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#ifdef VMVIZ_HAVE_SOFTLEAF
#include <linux/leafops.h>
#endif

#include "vmviz.h"

/*
 * Debian builds 6.1, 6.12 and 7.2 with CONFIG_INIT_STACK_ALL_ZERO: every
 * local is cleared on entry (a rep stos of its size). The buffers of the
 * per-entry and per-line paths are written before they are read, and the
 * clear cost more than the work (a snapshot's 592 bytes on every PTE of
 * the frame detail): they are marked __uninitialized (compiler_attributes.h,
 * 6.1 and later; 5.10 and its gcc 10 have neither the mark nor the clear).
 */
#ifndef __uninitialized
#define __uninitialized
#endif

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

/*
 * vm_flags: a plain field on 6.1 and 6.12. 7.2 keeps that field only as a
 * "temporary" alias of the vma_flags_t bitmap that replaces it, with
 * vma_flags_test() as the accessor meant to last: the legacy word is
 * rebuilt from it, bit by bit.
 */
static inline unsigned long vmviz_vm_flags(const struct vm_area_struct *vma)
{
#ifdef VMVIZ_HAVE_VMA_FLAGS_TEST
	unsigned long word = 0;
	unsigned int bit;

	for (bit = 0; bit < BITS_PER_LONG; bit++)
		if (vma_flags_test(&vma->flags, (__force vma_flag_t)bit))
			word |= BIT(bit);
	return word;
#else
	return vma->vm_flags;
#endif
}

/*
 * The RSS counters as /proc/PID/status shows them: 6.12.117 and 7.2 sum
 * the per-CPU counters there (get_mm_counter() is only an approximation);
 * 6.1 reads get_mm_counter() itself.
 */
static inline unsigned long vmviz_mm_counter(struct mm_struct *mm, int member)
{
#ifdef VMVIZ_HAVE_MM_COUNTER_SUM
	return get_mm_counter_sum(mm, member);
#else
	return get_mm_counter(mm, member);
#endif
}

/*
 * 5.10 (Debian 11): the 6.1 names, from what 5.10 has. No PTE markers
 * (5.19) and no exclusive-read migration entries (5.19); the offset of a
 * migration, hwpoison or device entry is the PFN itself (the young and
 * dirty bits that swp_offset_pfn() masks came in 6.1); PDE_DATA() was
 * renamed pde_data() in 5.17.
 */
#ifndef SWP_PFN_MASK		/* 5.10: swapops.h before 6.1 */
#define pde_data(inode)	PDE_DATA(inode)

static inline bool is_pte_marker_entry(swp_entry_t entry)
{
	return false;
}

static inline unsigned long pte_marker_get(swp_entry_t entry)
{
	return 0;
}

static inline unsigned long swp_offset_pfn(swp_entry_t entry)
{
	return swp_offset(entry);
}

static inline bool is_writable_migration_entry(swp_entry_t entry)
{
	return is_write_migration_entry(entry);
}

static inline bool is_readable_exclusive_migration_entry(swp_entry_t entry)
{
	return false;
}

/*
 * find_ge_pid() is not exported on 5.10; there it is exactly this
 * (kernel/pid.c), and idr_get_next() and init_pid_ns are. Under RCU.
 */
static inline struct pid *vmviz_find_ge_pid(int nr, struct pid_namespace *ns)
{
	return idr_get_next(&ns->idr, &nr);
}

#define find_ge_pid(nr, ns)	vmviz_find_ge_pid(nr, ns)
#endif

/*
 * A marker's kind. More than one bit can be set (a poisoned page under
 * uffd-wp): the one that decides what an access does comes first.
 */
static inline enum vmviz_state vmviz_marker_state(unsigned long marker)
{
#ifdef PTE_MARKER_POISONED
	if (marker & PTE_MARKER_POISONED)
		return VMVIZ_POISONED;
#endif
#ifdef PTE_MARKER_GUARD
	if (marker & PTE_MARKER_GUARD)
		return VMVIZ_GUARD;
#endif
#ifdef PTE_MARKER_UFFD_WP
	if (marker & PTE_MARKER_UFFD_WP)
		return VMVIZ_UFFD_WP;
#endif
	return VMVIZ_MARKER;
}

/**
 * vmviz_decode_nonpresent - what a non-present, non-empty entry holds
 * @val: the raw entry (x86 has one swap format at every level)
 * @type: the kernel's swap type
 * @offset: the swap offset, or the PFN of a migration, hwpoison or device
 *          entry (without the young and dirty bits, as pagemap), or 0
 *
 * Decoded by the kernel's own helpers: the softleaf_*() family on 7.2, the
 * swp_entry_t helpers on 6.1 and 6.12.
 *
 * Return: the entry's state.
 */
static inline enum vmviz_state
vmviz_decode_nonpresent(u64 val, unsigned int *type, unsigned long *offset)
{
#ifdef VMVIZ_HAVE_SOFTLEAF
	softleaf_t e = softleaf_from_pte(__pte(val));

	*type = swp_type(e);
	*offset = softleaf_has_pfn(e) ? softleaf_to_pfn(e) : 0;
	switch (softleaf_type(e)) {
	case SOFTLEAF_SWAP:
		*offset = swp_offset(e);
		return VMVIZ_SWAP;
	case SOFTLEAF_MIGRATION_READ:
		return VMVIZ_MIGR_READ;
	case SOFTLEAF_MIGRATION_READ_EXCLUSIVE:
		return VMVIZ_MIGR_READ_EXCL;
	case SOFTLEAF_MIGRATION_WRITE:
		return VMVIZ_MIGR_WRITE;
	case SOFTLEAF_HWPOISON:
		return VMVIZ_HWPOISON;
	case SOFTLEAF_MARKER:
		return vmviz_marker_state(softleaf_to_marker(e));
	default:
		return VMVIZ_DEVICE;
	}
#else
	swp_entry_t e = pte_to_swp_entry(__pte(val));

	*type = swp_type(e);
	*offset = 0;
	if (!non_swap_entry(e)) {
		*offset = swp_offset(e);
		return VMVIZ_SWAP;
	}
	if (is_pte_marker_entry(e))
		return vmviz_marker_state(pte_marker_get(e));
#ifdef VMVIZ_HAVE_SWAPIN_ERROR
	if (is_swapin_error_entry(e))
		return VMVIZ_POISONED;
#endif
	*offset = swp_offset_pfn(e);
	if (is_migration_entry(e))
		return is_writable_migration_entry(e) ? VMVIZ_MIGR_WRITE :
		       is_readable_exclusive_migration_entry(e) ?
		       VMVIZ_MIGR_READ_EXCL : VMVIZ_MIGR_READ;
	if (is_hwpoison_entry(e))
		return VMVIZ_HWPOISON;
	return VMVIZ_DEVICE;
#endif
}

/*
 * The rule of /proc/PID/maps for [heap]: 6.1 counts a VMA that only
 * touches start_brk..brk, later kernels (vma_is_initial_heap()) do not.
 * Only names follow it; segments use the later kernels' rule everywhere.
 */
static inline bool vmviz_maps_heap(const struct vm_area_struct *vma)
{
#ifdef VMVIZ_HAVE_VMA_IS_INITIAL_HEAP
	return vma_is_initial_heap(vma);
#else
	return vma->vm_start <= vma->vm_mm->brk &&
	       vma->vm_end >= vma->vm_mm->start_brk;
#endif
}

/*
 * Per-VMA read locks, where a module can take them (7.2 exports
 * lock_vma_under_rcu(); 6.12 has the locks but not the export): a page walk
 * of one VMA under its own lock, as page faults and 7.2's /proc/PID/maps
 * and smaps do, keeps the mmap lock free for the target's writers. The VMA
 * lock keeps the VMA attached and its page tables from being freed by
 * munmap (which write-locks the VMAs it detaches); PTE tables freed under
 * RCU are read under RCU, as with the mmap lock.
 */
#ifdef VMVIZ_HAVE_VMA_LOCK
#define VMVIZ_VMA_LOCK	true

static inline struct vm_area_struct *
vmviz_lock_vma(struct mm_struct *mm, unsigned long addr)
{
	return lock_vma_under_rcu(mm, addr);
}

static inline void vmviz_unlock_vma(struct vm_area_struct *vma)
{
	vma_end_read(vma);
}

/*
 * Whether a writer waits for @vma, read-locked by us: vma_start_write()
 * (7.2, __vma_enter_exclusive_locked()) sets VM_REFCNT_EXCLUDE_READERS_FLAG
 * in vm_refcnt and then waits, holding the mmap lock for write, until the
 * readers are gone. Without that flag (a kernel vmviz does not know yet):
 * whenever anyone holds the mmap lock, which errs on the side of dropping.
 */
static inline bool vmviz_vma_writer_waits(struct vm_area_struct *vma)
{
#ifdef VM_REFCNT_EXCLUDE_READERS_FLAG
	return refcount_read(&vma->vm_refcnt) & VM_REFCNT_EXCLUDE_READERS_FLAG;
#else
	return rwsem_is_locked(&vma->vm_mm->mmap_lock);
#endif
}
#else
#define VMVIZ_VMA_LOCK	false

static inline struct vm_area_struct *
vmviz_lock_vma(struct mm_struct *mm, unsigned long addr)
{
	return NULL;
}

static inline void vmviz_unlock_vma(struct vm_area_struct *vma)
{
}

static inline bool vmviz_vma_writer_waits(struct vm_area_struct *vma)
{
	return false;
}
#endif

/* The lock a walk relies on: its VMA's own, or the mmap lock. */
static inline void vmviz_assert_walk_locked(struct vmviz_walk *w)
{
#ifdef VMVIZ_HAVE_VMA_LOCK
	if (w->vma) {
		vma_assert_locked(w->vma);
		return;
	}
#endif
	mmap_assert_locked(w->mm);
}

/*
 * How smaps counts a frame mapped by a non-present (migration) entry: 6.1
 * as mapped once, private (smaps_account(..., migration)); 6.12 and 7.2 as
 * "maybe shared", not private (smaps_account(..., present)). 6.1 is told
 * apart by its page_mapcount(), which later kernels dropped.
 */
#ifdef VMVIZ_HAVE_PAGE_MAPCOUNT
#define VMVIZ_SMAPS_MIGRATION_PRIVATE	true
#else
#define VMVIZ_SMAPS_MIGRATION_PRIVATE	false
#endif

/*
 * Whether a non-present entry is device-private (a ZONE_DEVICE page), not
 * device-exclusive: softleaf_is_device_private() on 7.2,
 * is_device_private_entry() before (false without CONFIG_DEVICE_PRIVATE).
 */
static inline bool vmviz_device_private(u64 val)
{
#ifdef VMVIZ_HAVE_SOFTLEAF
	return softleaf_is_device_private(softleaf_from_pte(__pte(val)));
#else
	return is_device_private_entry(pte_to_swp_entry(__pte(val)));
#endif
}

/* A devmap (DAX) huge leaf, which has no page for smaps: 6.1 and 6.12. */
static inline bool vmviz_leaf_devmap(u64 flags)
{
#ifdef _PAGE_DEVMAP
	return flags & _PAGE_DEVMAP;
#else
	return false;
#endif
}

/*
 * The frame detail (smaps.c) counts folios, which 5.10 does not have:
 * there the frame files are not made, and nothing calls these.
 */
#ifdef VMVIZ_HAVE_FOLIO
#define VMVIZ_FRAMES	true

/*
 * The mapcount of one page as that kernel's smaps reads it, with @folio a
 * snapshot of its folio (smaps.c, snap_frame()) and @page the live page,
 * of which only _mapcount is read (atomic_read(): it asserts nothing).
 * 6.1: page_mapcount(), i.e. __page_mapcount() (mm/util.c) for a page of a
 * large folio, on the snapshot: page_mapcount() itself reads the live head
 * and PageDoubleMap() asserts (VM_BUG_ON_PGFLAGS) a head that a split can
 * take away. 6.12 and 7.2 (CONFIG_PAGE_MAPCOUNT=y): the body of
 * folio_precise_page_mapcount() (fs/proc/internal.h, in no exported
 * header), except that the entire mapcount is read from the folio directly:
 * folio_entire_mapcount() asserts (VM_BUG_ON) a large folio.
 */
static inline int vmviz_page_mapcount(struct folio *folio, struct page *page)
{
#ifdef VMVIZ_HAVE_PAGE_MAPCOUNT
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (!folio_test_large(folio) ||
	    (!folio_test_anon(folio) && !folio_test_hugetlb(folio)))
		return mapcount;
	mapcount += folio_entire_mapcount(folio);
	if (PageDoubleMap(&folio->page))
		mapcount--;
	return mapcount;
#else
	int mapcount = atomic_read(&page->_mapcount) + 1;

	if (page_mapcount_is_type(mapcount))
		mapcount = 0;
	if (folio_test_large(folio))
		mapcount += atomic_read(&folio->_entire_mapcount) + 1;
	return mapcount;
#endif
}

/*
 * Whether a write fault on a PTE-mapped page of the large anonymous folio
 * @folio would reuse it: 7.2 (CONFIG_MM_ID) reuses one that only this mm
 * maps and nothing else references (__wp_can_reuse_large_anon_folio());
 * 6.1 and 6.12 never do (wp_can_reuse_anon_folio()).
 */
static inline bool vmviz_large_anon_reusable(struct folio *folio)
{
#ifdef FOLIO_MM_IDS_SHARED_BITNUM
	int mapcount = folio_large_mapcount(folio);

	return mapcount > 1 &&
	       !test_bit(FOLIO_MM_IDS_SHARED_BITNUM, &folio->_mm_ids) &&
	       mapcount == folio_ref_count(folio);
#else
	return false;
#endif
}
#else
#define VMVIZ_FRAMES	false

static inline void vmviz_smaps_account(struct vmviz_mss *mss,
				       struct vmviz_tables *tables,
				       struct vm_area_struct *vma,
				       const struct vmviz_batch *b,
				       unsigned int taken)
{
}

static inline void vmviz_smaps_add(struct vmviz_mss *total,
				   const struct vmviz_mss *mss)
{
}

static inline void vmviz_smaps_show(struct seq_file *m,
				    const struct vmviz_mss *mss)
{
}

static inline bool vmviz_smaps_shmem_get(struct vmviz_shmem_swap *sw,
					 struct vm_area_struct *vma,
					 unsigned long from)
{
	return false;
}

static inline void vmviz_smaps_shmem_put(struct vmviz_mss *mss,
					 struct vmviz_shmem_swap *sw)
{
}

static inline void vmviz_frame_read(struct vmviz_frame *fr,
				    const struct vmviz_leaf *leaf,
				    const struct vmviz_entry *e,
				    struct vm_area_struct *vma)
{
}

static inline void vmviz_frame_pte(struct vmviz_frame *fr,
				   struct vmviz_mss *mss, pte_t pte,
				   struct vmviz_frame_ctx *fc)
{
}
#endif

/* The path maps shows: on overlayfs the user's path, not the backing file. */
static inline const struct path *vmviz_file_path(const struct file *file)
{
#ifdef VMVIZ_HAVE_FILE_USER_PATH
	return file_user_path((struct file *)file);
#else
	return &file->f_path;
#endif
}

/* Open @name below the root of @mnt: file_open_root() took a path in 5.12. */
static inline struct file *vmviz_open_root(struct vfsmount *mnt,
					   const char *name, int flags)
{
#ifdef VMVIZ_HAVE_FILE_OPEN_ROOT_MNT
	return file_open_root_mnt(mnt, name, flags, 0);
#else
	return file_open_root(mnt->mnt_root, mnt, name, flags, 0);
#endif
}

#endif /* VMVIZ_COMPAT_H */
