// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: the memory behind the entries, counted as /proc/PID/smaps counts
 * it: Rss, Pss, shared and private, clean and dirty, swap, of the frames the
 * walked entries map. Knows nothing of the walk or of seq_file records.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/memory_hotplug.h>
#include <linux/memremap.h>
#include <linux/page_idle.h>
#include <linux/seq_file.h>
#include <linux/file.h>
#include <linux/shmem_fs.h>
#include <linux/xarray.h>

#include "compat.h"
#include "vmviz.h"

/* As fs/proc/task_mmu.c: Pss is summed in 1/4096ths of a byte. */
#define PSS_SHIFT	12

/*
 * The frame behind a present huge leaf (a present PTE's: vmviz_frame_pte()),
 * as vm_normal_page_pmd() finds it on x86, which has pte_special():
 * special entries (pfnmap PFNs) have none; other PFNs are looked up with
 * pfn_to_online_page(), which refuses PFNs without an online memmap (as
 * /proc/kpagecount does) where vm_normal_page_pmd() would warn of a bad
 * entry.
 */
static struct page *normal_page(unsigned long pfn, u64 flags)
{
	if (flags & _PAGE_SPECIAL)
		return NULL;
	return pfn_to_online_page(pfn);
}

/*
 * How a frame is read. The frame behind a present PTE is read live, under
 * the PTE table's lock, as smaps reads it (vmviz_frame_pte() says why that
 * is safe). Every other frame is read without a reference: a huge leaf's
 * (one read per 2M or 1G) without the lock that keeps its entry, since the
 * walk hands on copied entries; a migration, hwpoison or device PTE's
 * under its table's lock, but no mapping holds such a frame in place as
 * it holds a present entry's (a migration's folio is the migrating
 * task's, a poisoned page nobody's). By the time such a frame is read,
 * its folio may have been split, freed, reused, or be a tail of a larger
 * one, and the folio helpers assert what they assume (VM_BUG_ON_PGFLAGS
 * in PageAnonExclusive() and page_mapcount(), VM_WARN_ON_FOLIO in
 * folio_large_mapcount(), PageTail() checks in every folio_test_*()). So
 * frames are read as fs/proc/page.c reads them since
 * its fix for exactly that (snapshot_page(), mm/util.c, 6.17 and later,
 * after __dump_page() of mm/debug.c): the struct page and the first pages
 * of its folio are copied, the copies checked against each other and the
 * page again, a bounded number of times, and every helper is applied to
 * the copies only, where what they assert holds. snapshot_page() itself
 * is not exported on any kernel vmviz runs on (and is not in 6.1 or 6.12),
 * hence this copy of its rule.
 *
 * A speculative reference (folio_try_get() and a re-check, as
 * mm/page_idle.c does; folio_try_get() is inline, __folio_put() exported
 * on 6.1, 6.12 and 7.2) would work as well, but it changes what is read:
 * the reference count smaps decides "mapped once" by, and it makes a
 * migration, split, compaction or KSM merge of the target's folio fail
 * while it is held. A read-only view should not perturb the process it
 * looks at: snapshots have no side effect.
 *
 * Of the live struct pages of these frames only two kinds of reads
 * remain, neither of which asserts anything: the copies (memcpy) and
 * atomic_read() of the per-page _mapcount of the pages an entry maps
 * (vmviz_page_mapcount()).
 */
#define SNAP_TRIES	5
#define SNAP_MAX_PAGES	(PUD_SIZE >> PAGE_SHIFT)

/*
 * A frame as read: copies (snap_frame()), or the live page and folio under
 * the PTE table's lock (vmviz_frame_pte(): @page and @folio only). A
 * snapshot is written before it is read, but for what of it a folio of one
 * page leaves unwritten (the rest of struct folio, the other slot, @tail),
 * which nothing reads: every reader of the rest tests folio_test_large()
 * first. So the snapshots on the stack are __uninitialized (compat.h).
 */
struct frame_snap {
	/*
	 * Two slots for the folio's copy: the one used is never page-aligned.
	 * With the HugeTLB vmemmap optimization, PageTail() and PageHead() of a
	 * page-aligned head that has PG_head look at the next struct page for
	 * a "fake head" (page_fixed_fake_head(), 6.1 and 6.12): a copy must not
	 * look like one.
	 */
	struct folio slot[2];
	struct folio *folio;	/* the copy: a head, or a page alone */
	struct page *page;	/* the copy of the page: &folio->page or &tail */
	struct page tail;	/* the page's own copy, when it is not a folio alone */
};

/*
 * Raw bits of a copy, read without the helpers' assertions: bit 0 of the
 * second word of a struct page (compound_head on 6.1 and 6.12,
 * compound_info on 7.2; struct folio's lru overlays it on all three) marks
 * a tail; the flags word is the first (a memdesc_flags_t holding only it
 * on 7.2).
 */
static bool copy_is_tail(const struct page *copy)
{
	return (unsigned long)((const struct folio *)copy)->lru.next & 1;
}

static bool copy_flag(const struct page *copy, int bit)
{
	return test_bit(bit, (const unsigned long *)&copy->flags);
}

/**
 * snap_frame - copy a page and its folio, consistently, or give up
 * @s: the snapshot
 * @page: a page of an online memmap (pfn_to_online_page()), or a
 *        ZONE_DEVICE page whose dev_pagemap the caller holds
 *
 * As snapshot_page(): the page is copied; a page that is neither tail nor
 * head is a folio alone. Else its head is found as compound_head() finds
 * it (the encodings differ: a pointer on 6.1 and 6.12, a mask on 7.2 with
 * the HugeTLB vmemmap optimization), and is taken only if it agrees with
 * the copy: the page itself for a head, below it by less than
 * SNAP_MAX_PAGES for a tail. Then the head and the page after it are
 * copied (all a 6.1 folio is; both in the folio the copy saw, so both
 * exist in the memmap), the rest of struct folio only for a folio of more
 * than two pages whose head is 4-aligned (so that those struct pages are
 * in the head's memmap subsection whatever the folio has become). The
 * copies are kept if the head's copy is a large folio's head, the page
 * lies inside it, and the page still has that head; else it is tried
 * again.
 *
 * Return: true with @s filled in; false if the frame kept changing under
 * SNAP_TRIES tries (it is then counted and shown as no frame), or if the
 * page is poisoned (an uninitialized memmap).
 */
static bool snap_frame(struct frame_snap *s, struct page *page)
{
	const size_t first = 2 * sizeof(struct page);
	unsigned long idx, nr;
	unsigned int tries;
	struct page *head;
	bool tail;

	BUILD_BUG_ON(sizeof(struct folio) > 4 * sizeof(struct page));
	s->folio = &s->slot[IS_ALIGNED((unsigned long)&s->slot[0], PAGE_SIZE)];
	for (tries = 0; tries < SNAP_TRIES; tries++) {
		/*
		 * The page is copied where a folio of one page is kept: for
		 * such a folio (most of a process's memory) that one copy is
		 * the whole snapshot.
		 */
		s->page = &s->folio->page;
		memcpy(s->page, page, sizeof(*page));
		if (PagePoisoned(s->page))
			return false;
		tail = copy_is_tail(s->page);
		if (!tail && !copy_flag(s->page, PG_head)) {
			/*
			 * A folio of one page: the copy is the folio. The rest
			 * of struct folio is left as it is: what reads it
			 * (folio_nr_pages(), folio_maybe_dma_pinned(), the
			 * entire and large mapcounts, PG_hugetlb on 6.1) tests
			 * folio_test_large() first, PG_head of this copy.
			 */
			return true;
		}
		s->tail = *s->page;
		s->page = &s->tail;
		memset(s->folio, 0, sizeof(*s->folio));
		head = compound_head(page);
		idx = page - head;
		if (tail ? !idx || idx >= SNAP_MAX_PAGES : idx)
			continue;
		memcpy(s->folio, head, first);
		if (copy_is_tail(&s->folio->page) ||
		    !copy_flag(&s->folio->page, PG_head))
			continue;
		nr = folio_nr_pages(s->folio);
		if (sizeof(struct folio) > first && nr > 2 &&
		    IS_ALIGNED(page_to_pfn(head), 4))
			memcpy((char *)s->folio + first, (char *)head + first,
			       sizeof(struct folio) - first);
		if (idx < nr && compound_head(page) == head)
			return true;
	}
	return false;
}

/*
 * smaps_page_accumulate() of fs/proc/task_mmu.c, the same on 6.1, 6.12 and
 * 7.2 (6.1 spells the folio tests as Page*(page), which test the head).
 * @folio is a snapshot.
 */
static void accumulate(struct vmviz_mss *mss, struct folio *folio,
		       unsigned long size, u64 pss, bool dirty, bool locked,
		       bool private)
{
	mss->pss += pss;
	if (folio_test_anon(folio))
		mss->pss_anon += pss;
	else if (folio_test_swapbacked(folio))
		mss->pss_shmem += pss;
	else
		mss->pss_file += pss;
	if (locked)
		mss->pss_locked += pss;
	if (dirty || folio_test_dirty(folio)) {
		mss->pss_dirty += pss;
		if (private)
			mss->private_dirty += size;
		else
			mss->shared_dirty += size;
	} else {
		if (private)
			mss->private_clean += size;
		else
			mss->shared_clean += size;
	}
}

/**
 * account - smaps_account() of fs/proc/task_mmu.c, for @nr pages from @page
 * @mss: the counts
 * @s: the snapshot of @page and its folio (snap_frame())
 * @page: the first page the entry maps (the head of a PMD-mapped folio)
 * @nr: 1, or HPAGE_PMD_NR for a PMD leaf
 * @young: the entry's accessed bit; @dirty: its dirty bit (pte_dirty())
 * @locked: the VMA is VM_LOCKED
 * @present: the entry is present (or PROT_NONE, or device-private), not a
 *           migration or device-exclusive entry
 * @migration: the entry is a migration entry
 *
 * A present entry whose folio has one reference is mapped exactly once
 * (private, full Pss); otherwise each page is shared by its mapcount, read
 * as that kernel's smaps reads it (vmviz_page_mapcount()). Entries that are
 * not present are not shared: private on 6.1 (migration entries count as
 * mapped once), "maybe shared" (not private) on 6.12 and 7.2.
 *
 * Under the PTE table's lock (a present PTE, vmviz_frame_pte()) exact, as
 * smaps. Otherwise racy but safe: no reference is taken, the folio is read
 * from its snapshot, and the pages' own mapcounts with atomic_read(): @page
 * is in an online memmap (pfn_to_online_page()), and a 2M leaf's pages in
 * the same section. If the frame is freed, split or reused after the entry
 * was copied, the counts read are of whatever the frame was then: wrong,
 * never unsafe. The caller holds the lock that keeps the entry's VMA (and
 * so its mapping, for an at-rest process, its frames) in place.
 */
static void account(struct vmviz_mss *mss, struct frame_snap *s,
		    struct page *page, unsigned int nr, bool young, bool dirty,
		    bool locked, bool present, bool migration)
{
	struct folio *folio = s->folio;
	unsigned long size = (unsigned long)nr << PAGE_SHIFT;
	unsigned int i;

	if (folio_test_anon(folio)) {
		mss->anonymous += size;
		if (!folio_test_swapbacked(folio) && !dirty &&
		    !folio_test_dirty(folio))
			mss->lazyfree += size;
	}
	if (folio_test_ksm(folio))
		mss->ksm += size;
	mss->resident += size;
	if (young || folio_test_young(folio) || folio_test_referenced(folio))
		mss->referenced += size;

	if (VMVIZ_SMAPS_MIGRATION_PRIVATE) {
		if (folio_ref_count(folio) == 1 || migration) {
			accumulate(mss, folio, size, (u64)size << PSS_SHIFT,
				   dirty, locked, true);
			return;
		}
	} else if (folio_ref_count(folio) == 1 || !present) {
		accumulate(mss, folio, size, (u64)size << PSS_SHIFT, dirty,
			   locked, present);
		return;
	}
	for (i = 0; i < nr; i++, page++) {
		int mapcount = vmviz_page_mapcount(folio, page);
		u64 pss = (u64)PAGE_SIZE << PSS_SHIFT;

		if (mapcount >= 2)
			pss = div_u64(pss, mapcount);
		accumulate(mss, folio, PAGE_SIZE, pss, dirty, locked,
			   mapcount < 2);
	}
}

/*
 * PageAnonExclusive() of the page an entry maps, from the snapshot: the
 * bit is per page for a THP, on the head for hugetlb, and on the head for
 * a PMD-mapped THP (@pmd) too. Read as a bit of the copies, since
 * PageAnonExclusive() asserts PageAnon() of a live page (VM_BUG_ON_PGFLAGS).
 */
static bool snap_anon_exclusive(struct frame_snap *s, bool pmd)
{
	if (pmd || folio_test_hugetlb(s->folio))
		return copy_flag(&s->folio->page, PG_anon_exclusive);
	return copy_flag(s->page, PG_anon_exclusive);
}

/**
 * account_cow - would a write to this write-protected page copy it?
 * @mss: the counts: cow_copy or cow_reuse grows by @size
 * @s: the snapshot of the page an entry maps without write permission, in
 *     a VMA that is private and writable (a copy-on-write mapping)
 * @size: PAGE_SIZE, or HPAGE_PMD_SIZE for a PMD leaf
 * @pmd: the entry is a PMD leaf
 *
 * Only anonymous pages count: a page-cache page is always copied. The
 * verdict is do_wp_page()'s (do_huge_pmd_wp_page()'s for a PMD leaf): an
 * exclusive page (PageAnonExclusive, set while only this process maps it,
 * cleared at fork) is reused; a KSM page is copied; a PTE-mapped page of
 * a large folio as vmviz_large_anon_reusable(); else the folio is reused
 * when this mapping holds its only reference, not counting one held by a
 * per-CPU LRU batch (the fault drains its own CPU's) or by the swap cache
 * (the fault frees it). Racy, as the rest: an estimate of what the next
 * write fault decides, exact for a process at rest whose folios are not
 * in another CPU's LRU batch.
 */
static void account_cow(struct vmviz_mss *mss, struct frame_snap *s,
			unsigned long size, bool pmd)
{
	struct folio *folio = s->folio;
	bool reuse;
	int refs;

	if (!folio_test_anon(folio))
		return;
	if (snap_anon_exclusive(s, pmd)) {
		reuse = true;
	} else if (folio_test_ksm(folio)) {
		reuse = false;
	} else if (!pmd && folio_test_large(folio)) {
		reuse = vmviz_large_anon_reusable(folio);
	} else {
		refs = folio_ref_count(folio) - !folio_test_lru(folio);
		if (folio_test_swapcache(folio))
			refs -= folio_nr_pages(folio);
		reuse = refs == 1;
	}
	if (reuse)
		mss->cow_reuse += size;
	else
		mss->cow_copy += size;
}

/*
 * A device entry's frame, counted as smaps_pte_entry() counts it: it takes
 * the page of every entry that holds a PFN (is_pfn_swap_entry() on 6.1 and
 * 6.12, softleaf_has_pfn() on 7.2) and calls smaps_account(): on 6.1 as
 * any entry that is no migration entry; on 6.12 and 7.2 a device-private
 * entry as present, a device-exclusive one as not present.
 *
 * A device-exclusive entry maps an ordinary page, in an online memmap. A
 * device-private entry maps a ZONE_DEVICE page, whose memmap lives only as
 * long as its dev_pagemap: smaps reads it under the PTE lock, which keeps
 * the entry, and so the page and its pagemap. vmviz holds that lock too
 * (walk_ptes()), but reads this frame as it reads every frame of an entry
 * that is not present, from a snapshot, and takes a reference on the
 * pagemap (get_dev_pagemap(), exported GPL on 6.1, 6.12 and 7.2) for the
 * read: untested code that asks nothing of its caller's locks.
 * get_dev_pagemap() lost its second argument in 6.17 and only kernels
 * with softleaf_*() (7.2) are known here to have the one-argument form,
 * so device-private entries are counted there only. Debian builds 6.1
 * and 6.12 without CONFIG_DEVICE_PRIVATE (so neither kind of entry exists
 * there) and 7.2 with it; no driver of a guest makes them (no
 * CONFIG_TEST_HMM): counted by the source, untested.
 */
static void account_device(struct vmviz_mss *mss, u64 val, unsigned long pfn,
			   bool locked)
{
	struct frame_snap s __uninitialized;
	struct page *page;

	if (!vmviz_device_private(val)) {
		page = pfn_to_online_page(pfn);
		if (page && snap_frame(&s, page))
			account(mss, &s, page, 1, false, false, locked, false,
				false);
		return;
	}
#if defined(CONFIG_DEVICE_PRIVATE) && defined(VMVIZ_HAVE_SOFTLEAF)
	{
		struct dev_pagemap *pgmap = get_dev_pagemap(pfn);

		if (!pgmap)
			return;
		page = pfn_to_page(pfn);
		if (snap_frame(&s, page))
			account(mss, &s, page, 1, false, false, locked, true,
				false);
		put_dev_pagemap(pgmap);
	}
#endif
}

/*
 * smaps_pte_entry() for one PTE that is neither empty nor present (the
 * present ones: vmviz_frame_pte()). The frame a migration or hwpoison
 * entry holds is read from a snapshot, as a huge leaf's.
 */
static void account_pte(struct vmviz_mss *mss, pte_t pte, bool locked)
{
	enum vmviz_state state;
	struct frame_snap s __uninitialized;
	unsigned long offset;
	unsigned int type;
	struct page *page;

	state = vmviz_decode_nonpresent(pte_val(pte), &type, &offset);
	switch (state) {
	case VMVIZ_SWAP:
		/*
		 * smaps divides SwapPss by the swap count (swp_swapcount(),
		 * not exported): an entry is counted as referenced once.
		 */
		mss->swap += PAGE_SIZE;
		mss->swap_pss += (u64)PAGE_SIZE << PSS_SHIFT;
		return;
	case VMVIZ_MIGR_READ:
	case VMVIZ_MIGR_READ_EXCL:
	case VMVIZ_MIGR_WRITE:
	case VMVIZ_HWPOISON:
		page = pfn_to_online_page(offset);
		if (page && snap_frame(&s, page))
			account(mss, &s, page, 1, false, false, locked, false,
				state != VMVIZ_HWPOISON);
		return;
	case VMVIZ_DEVICE:
		account_device(mss, pte_val(pte), offset, locked);
		return;
	default:
		/* Markers hold no frame. */
		return;
	}
}

/*
 * smaps_pmd_entry() for one PMD leaf. The huge zero folio, which
 * vm_normal_page_pmd() refuses (6.1: follow_trans_huge_pmd(FOLL_DUMP)), is
 * the only folio an anonymous VMA maps by PMD that is not anonymous: its
 * PFN variable is not exported. Special (huge pfnmap, 6.12 and 7.2) and
 * devmap leaves have no page either.
 */
static void account_pmd(struct vmviz_mss *mss, struct vm_area_struct *vma,
			u64 val, bool locked, bool cow)
{
	pmd_t pmd = __pmd(val);
	u64 flags = pmd_flags(pmd);
	bool present = pmd_present(pmd), migration = false;
	struct folio *folio;
	enum vmviz_state state;
	struct frame_snap s __uninitialized;
	unsigned long offset;
	unsigned int type;
	struct page *page;

	if (present) {
		if (vmviz_leaf_devmap(flags))
			return;
		page = normal_page(pmd_pfn(pmd), flags);
	} else {
		state = vmviz_decode_nonpresent(val, &type, &offset);
		migration = state == VMVIZ_MIGR_READ ||
			    state == VMVIZ_MIGR_READ_EXCL ||
			    state == VMVIZ_MIGR_WRITE;
		page = migration ? pfn_to_online_page(offset) : NULL;
	}
	if (!page || !snap_frame(&s, page))
		return;
	folio = s.folio;
	if (vma_is_anonymous(vma) && !folio_test_anon(folio))
		return;
	if (folio_test_anon(folio))
		mss->anonymous_thp += HPAGE_PMD_SIZE;
	else if (folio_test_swapbacked(folio))
		mss->shmem_thp += HPAGE_PMD_SIZE;
	else if (!folio_is_zone_device(folio))
		mss->file_thp += HPAGE_PMD_SIZE;
	account(mss, &s, page, HPAGE_PMD_NR, present && pmd_young(pmd),
		present && pmd_dirty(pmd), locked, present, migration);
	if (cow && (flags & _PAGE_PRESENT) && !(flags & _PAGE_RW))
		account_cow(mss, &s, HPAGE_PMD_SIZE, true);
}

/*
 * Swap entries of a shmem object in [start, end) of its pages: what
 * shmem_partial_swap_usage() counts (not exported). An entry of order n
 * stands for 2^n pages; 6.1 has none above order 0 (xas_get_order() says
 * 0 there). The walk of the object's xarray gives up the CPU every
 * XA_CHECK_SCHED entries, as mm/shmem.c's does.
 */
static unsigned long shmem_swapped_range(struct address_space *mapping,
					 pgoff_t start, pgoff_t end)
{
	XA_STATE(xas, &mapping->i_pages, start);
	unsigned long swapped = 0, seen = 0;
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, end - 1) {
		if (xas_retry(&xas, entry))
			continue;
		if (xa_is_value(entry))
			swapped += 1UL << xas_get_order(&xas);
		if (xas.xa_index >= end)
			break;
		if (++seen % XA_CHECK_SCHED == 0) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	return swapped;
}

/*
 * The mapping of a shmem VMA whose object has pages in swap, or NULL: the
 * swap entries of the object behind the walked entries are counted then,
 * for vmviz_smaps_shmem_put().
 */
static struct address_space *shmem_swapped_mapping(struct vm_area_struct *vma)
{
	struct address_space *mapping;

	if (!vma->vm_file)
		return NULL;
	mapping = vma->vm_file->f_mapping;
	if (!shmem_mapping(mapping) ||
	    !READ_ONCE(SHMEM_I(file_inode(vma->vm_file))->swapped))
		return NULL;
	return mapping;
}

/* The body of vmviz_smaps_account(), which times it for the profile. */
static void smaps_account(struct vmviz_mss *mss, struct vmviz_tables *tables,
			  struct vm_area_struct *vma, const struct vmviz_batch *b,
			  unsigned int taken)
{
	unsigned long flags = vmviz_vm_flags(vma);
	bool locked = flags & VM_LOCKED;
	bool cow = (flags & (VM_SHARED | VM_WRITE)) == VM_WRITE;
	struct address_space *shmem = shmem_swapped_mapping(vma);
	pgoff_t index;
	unsigned int i;

	if (shmem && taken && b->level != VMVIZ_PTE) {
		index = linear_page_index(vma, b->addr);
		mss->shmem_hidden += (u64)shmem_swapped_range(shmem, index,
				index + ((b->end - b->addr) >> PAGE_SHIFT)) << PAGE_SHIFT;
	} else if (shmem) {
		for (i = 0; i < taken; i++) {
			if (pte_none(b->ptes[i]))
				continue;
			index = linear_page_index(vma, b->addr + i * PAGE_SIZE);
			if (xa_is_value(xa_load(&shmem->i_pages, index)))
				mss->shmem_hidden += PAGE_SIZE;
		}
	}

	/*
	 * An anonymous VMA's PMD leaf (a THP, the huge zero folio, or either
	 * under migration) keeps a PTE table deposited for its split
	 * (pgtable_trans_huge_deposit()), counted in mm_pgtables_bytes().
	 */
	if (b->level == VMVIZ_PMD && taken && vma_is_anonymous(vma))
		tables->deposited++;
	if (flags & (VM_PFNMAP | VM_HUGETLB))
		return;
	if (b->level == VMVIZ_PMD) {
		if (taken && IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
			account_pmd(mss, vma, b->val, locked, cow);
		return;
	}
	/* PTEs are counted as their page lines take them (vmviz_frame_pte()). */
}

/**
 * vmviz_smaps_account - count what a batch adds beside its entries' frames
 * @mss: the counts of the VMA
 * @tables: the page-table tree, for the tables deposited under PMD leaves
 * @vma: the VMA of the entries, locked by the caller
 * @b: the batch the entries come from
 * @taken: how many entries of @b were taken into page lines
 *
 * The object's swap behind a shmem VMA's entries, the tables deposited
 * under PMD leaves and the frame of a PMD leaf; the frames of PTEs are
 * counted by vmviz_frame_pte() as the page lines take them, from the one
 * read of each frame that also makes its page line.
 *
 * smaps skips VM_PFNMAP VMAs (walk_page_test()) and counts hugetlb VMAs
 * only as Shared_Hugetlb and Private_Hugetlb, which vmviz does not show:
 * neither adds anything here. PUD leaves are not counted either (smaps has
 * no pud_entry).
 *
 * Locking: the VMA's read lock or the mmap read lock, as for the walk.
 */
void vmviz_smaps_account(struct vmviz_mss *mss, struct vmviz_tables *tables,
			 struct vm_area_struct *vma, const struct vmviz_batch *b,
			 unsigned int taken)
{
	u64 t0 = vmviz_prof_start();

	smaps_account(mss, tables, vma, b, taken);
	vmviz_prof_end(VMVIZ_PROF_ACCOUNT, t0);
}

/* The kind of @folio, mapped by @leaf in @vma: see enum vmviz_kind. */
static enum vmviz_kind frame_kind(struct folio *folio, unsigned long pfn,
				  enum vmviz_level level,
				  struct vm_area_struct *vma)
{
	/*
	 * The huge zero folio (its PFN is not exported) is the only folio an
	 * anonymous VMA maps by PMD that is not anonymous (account_pmd()).
	 */
	if (is_zero_pfn(pfn) || (level == VMVIZ_PMD &&
				 vma_is_anonymous(vma) && !folio_test_anon(folio)))
		return VMVIZ_KIND_ZERO;
	if (folio_test_ksm(folio))
		return VMVIZ_KIND_KSM;
	if (folio_test_anon(folio))
		return VMVIZ_KIND_ANON;
	if (folio_test_swapbacked(folio))
		return VMVIZ_KIND_SHMEM;
	if (READ_ONCE(folio->mapping))
		return VMVIZ_KIND_FILE;
	return VMVIZ_KIND_OTHER;
}

/*
 * The frame fields of @fr from the snapshot @s of @page, mapped by an
 * entry of @level whose first base page is @page, @nr base pages (1 for a
 * PTE; a 2M leaf's pages, clipped to the walked range).
 */
static void frame_fill(struct vmviz_frame *fr, struct frame_snap *s,
		       struct page *page, unsigned long pfn,
		       enum vmviz_level level, unsigned long nr,
		       struct vm_area_struct *vma)
{
	struct folio *folio = s->folio;
	unsigned long i;
	u16 flags = 0;
	int map;

	fr->kind = frame_kind(folio, pfn, level, vma);
	if (folio_test_lru(folio))
		flags |= BIT(VMVIZ_FF_LRU);
	if (folio_test_active(folio))
		flags |= BIT(VMVIZ_FF_ACTIVE);
	if (folio_test_unevictable(folio))
		flags |= BIT(VMVIZ_FF_UNEVICTABLE);
	if (folio_test_referenced(folio))
		flags |= BIT(VMVIZ_FF_REFERENCED);
	if (folio_test_dirty(folio))
		flags |= BIT(VMVIZ_FF_DIRTY);
	if (folio_test_writeback(folio))
		flags |= BIT(VMVIZ_FF_WRITEBACK);
	if (folio_test_swapcache(folio))
		flags |= BIT(VMVIZ_FF_SWAPCACHE);
	if (folio_test_mlocked(folio))
		flags |= BIT(VMVIZ_FF_MLOCKED);
	if (folio_maybe_dma_pinned(folio))
		flags |= BIT(VMVIZ_FF_PINNED);
	/*
	 * A PMD-mapped THP keeps PG_anon_exclusive on its head page only: a
	 * 2M entry read from inside (a resumed walk) looks there.
	 */
	if (fr->kind == VMVIZ_KIND_ANON &&
	    snap_anon_exclusive(s, level != VMVIZ_PTE))
		flags |= BIT(VMVIZ_FF_EXCLUSIVE);
	fr->flags = flags;
	fr->order = folio_order(folio);
	fr->node = page_to_nid(s->page);
	/*
	 * An anonymous folio with one reference is mapped once, whole: every
	 * mapping of a folio holds a reference (a PMD one, and each PTE of a
	 * split one, __split_huge_pmd_locked()), the rule smaps_account()
	 * counts a folio mapped once by, on 6.1, 6.12 and 7.2. So a 2M leaf's
	 * pages are each mapped once, without reading 512 mapcounts. Not the
	 * huge zero folio's (not anonymous, mapped without a reference).
	 */
	if (nr > 1 && folio_test_anon(folio) && folio_ref_count(folio) == 1) {
		fr->map_lo = 1;
		fr->map_hi = 1;
		return;
	}
	fr->map_lo = INT_MAX;
	fr->map_hi = 0;
	for (i = 0; i < nr; i++) {
		/* Never below 0, but read racily. */
		map = max(vmviz_page_mapcount(folio, page + i), 0);
		fr->map_lo = min(fr->map_lo, map);
		fr->map_hi = max(fr->map_hi, map);
	}
}

/**
 * vmviz_frame_read - the frame behind one huge leaf, for its page line
 * @fr: filled in; all zero (no frame) unless the entry maps an online page
 * @leaf: the entry, raw: a PMD or PUD leaf (PTEs: vmviz_frame_pte())
 * @e: the entry, decoded
 * @vma: its VMA, locked by the caller
 *
 * The frame of a present or PROT_NONE entry: the huge zero folio, or what
 * vm_normal_page_pmd() finds (normal_page(); devmap huge leaves have
 * none). Folio flags are read from the folio, as /proc/kpageflags shows
 * them at its head PFN; PageAnonExclusive and mapcounts per base page, the
 * latter as /proc/kpagecount reads them (vmviz_page_mapcount()). Of a 1G
 * leaf only the first base page's mapcount is read.
 *
 * Racy but safe, as account(): no reference is taken, the folio is read
 * from its snapshot (snap_frame()); a frame that kept changing under the
 * snapshot's tries is shown as no frame.
 */
void vmviz_frame_read(struct vmviz_frame *fr, const struct vmviz_leaf *leaf,
		      const struct vmviz_entry *e, struct vm_area_struct *vma)
{
	struct frame_snap s __uninitialized;
	struct page *page;
	u64 raw = leaf->val;

	memset(fr, 0, sizeof(*fr));
	if (e->state != VMVIZ_PRESENT && e->state != VMVIZ_PROTNONE)
		return;
	if (vmviz_leaf_devmap(raw))
		return;
	/*
	 * The huge zero folio, whose PMD is special on 7.2 (pmd_mkspecial()
	 * in set_huge_zero_folio()): the only special 2M entry an anonymous
	 * VMA has.
	 */
	if (leaf->level == VMVIZ_PMD && (raw & _PAGE_SPECIAL) &&
	    vma_is_anonymous(vma))
		page = pfn_to_online_page(e->pfn);
	else
		page = normal_page(e->pfn, raw);
	if (!page || !snap_frame(&s, page))
		return;
	frame_fill(fr, &s, page, e->pfn, leaf->level,
		   leaf->level == VMVIZ_PMD ? (e->end - e->addr) >> PAGE_SHIFT : 1,
		   vma);
}

/**
 * vmviz_frame_pte - the frame behind one PTE, read once for its page line
 *                   and for the smaps counts of its VMA
 * @fr: filled in if @fc->frames; all zero (no frame) unless the entry maps
 *      the shared zero page or a normal page
 * @mss: the counts, if @fc->account: smaps_pte_entry() for this PTE
 * @pte: a non-empty PTE, as the walk copied it
 * @fc: what to do, for the entries of one VMA
 *
 * One read of the frame serves both: the page line's frame fields
 * (vmviz_frame_read() for huge leaves says how they are read) and smaps'
 * counts (account(), account_cow()). A present entry's page is what
 * vm_normal_page() finds (special entries have none, the rest are read as
 * said below); the shared zero page, which it refuses, has frame fields
 * but is not counted, as smaps does not count it. Entries that are not
 * present have no frame fields; their swap and migration entries are
 * counted as account_pte() counts them.
 *
 * Context: the PTE table's lock is held (@fc->ptl, walk_ptes()), and the
 * lock that keeps the entry's VMA. The page of a present entry is read
 * live under it, as smaps reads it; no reference is taken.
 */
void vmviz_frame_pte(struct vmviz_frame *fr, struct vmviz_mss *mss, pte_t pte,
		     struct vmviz_frame_ctx *fc)
{
	u64 flags = pte_flags(pte);
	unsigned long pfn;
	struct frame_snap s __uninitialized;
	struct page *page;
	bool count, frame, zero;

	memset(fr, 0, sizeof(*fr));
	if (!pte_present(pte)) {
		if (fc->account)
			account_pte(mss, pte, fc->locked);
		return;
	}
	pfn = pte_pfn(pte);
	/*
	 * Special entries, the zero page among them, have no page for
	 * vm_normal_page() (normal_page()): not counted; of them only the zero
	 * page has frame fields.
	 */
	zero = (flags & _PAGE_SPECIAL) && is_zero_pfn(pfn);
	count = fc->account && !(flags & _PAGE_SPECIAL);
	frame = fc->frames && (!(flags & _PAGE_SPECIAL) || zero);
	if (!count && !frame)
		return;
	/*
	 * The zero page is read once per context (a batch: one PTE table's
	 * copy, read at once). Its struct page does not change as it is
	 * mapped: a special entry takes no reference and no mapcount
	 * (vm_normal_page() refuses it, so do_anonymous_page() and
	 * zap_pte_range() leave it alone on 6.1, 6.12 and 7.2), and its flags
	 * are PG_reserved's for good. Only a pin changes it (6.1's
	 * try_grab_page() adds GUP_PIN_COUNTING_BIAS to it for FOLL_PIN; 6.5
	 * stopped that), which a read a few microseconds later could as well
	 * miss.
	 */
	if (zero && fc->zero_read) {
		*fr = fc->zero;
		return;
	}
	/*
	 * The live page, read as smaps_pte_entry() reads it: the PTE table's
	 * lock is held since the entry was copied (walk_ptes()), so the entry
	 * is still this one and its page stays mapped by it. A split, a
	 * migration or a freeing of its folio must first unmap it under this
	 * lock (try_to_migrate() and try_to_unmap() through
	 * page_vma_mapped_walk(), zap_pte_range(); 6.1, 6.12 and 7.2), and a
	 * page that is mapped is online, or a ZONE_DEVICE page (device
	 * coherent, P2PDMA) whose pagemap lives as long as the mapping; such
	 * pages have a frame here as in smaps, where pfn_to_online_page()
	 * refused them. So the folio is the page's folio
	 * until the lock is dropped, and the folio helpers' assertions hold,
	 * as they do for smaps. pfn_valid() stands where vm_normal_page()
	 * checks highest_memmap_pfn (not exported) against a bad entry.
	 */
	lockdep_assert_held(fc->ptl);
	if (!pfn_valid(pfn))
		return;
	page = pfn_to_page(pfn);
	s.page = page;
	s.folio = page_folio(page);
	if (frame)
		frame_fill(fr, &s, page, pfn, VMVIZ_PTE, 1, fc->vma);
	if (zero) {
		fc->zero = *fr;
		fc->zero_read = true;
	}
	if (!count)
		return;
	account(mss, &s, page, 1, pte_young(pte), pte_dirty(pte), fc->locked,
		true, false);
	if (fc->cow && (flags & _PAGE_PRESENT) && !(flags & _PAGE_RW))
		account_cow(mss, &s, PAGE_SIZE, false);
}

/**
 * vmviz_smaps_shmem_get - what of a shmem VMA's object in swap smaps counts
 * @sw: filled in, with a reference to the VMA's file
 * @vma: the VMA, walked from @from to its end, locked by the caller
 * @from: where the walk of its page lines began: its start, unless it
 *        changed while the report was read
 *
 * The pages of a shmem object in swap are not in the page tables (a shmem
 * PTE is cleared when its page is swapped out). smaps adds them to Swap
 * (not SwapPss) as shmem_swap_usage() (not exported) counts them: the
 * object's count when a shared or read-only VMA maps all of it, else its
 * swap entries in the VMA's range. For a private writable mapping with
 * pages in swap, and for a walk resumed inside the VMA, it counts only
 * those behind empty entries (a COW copy hides the object's page): that
 * is the object's swap entries in the range walked minus those behind the
 * entries found (mss->shmem_hidden, vmviz_smaps_account()).
 *
 * Return: true if @sw is to be counted with vmviz_smaps_shmem_put(),
 * after the caller has dropped its lock: the object's xarray is walked
 * with the file's reference only.
 */
bool vmviz_smaps_shmem_get(struct vmviz_shmem_swap *sw,
			   struct vm_area_struct *vma, unsigned long from)
{
	bool private = (vmviz_vm_flags(vma) & (VM_SHARED | VM_WRITE)) == VM_WRITE;
	struct inode *inode;

	if (!shmem_swapped_mapping(vma))
		return false;
	inode = file_inode(vma->vm_file);
	sw->start = linear_page_index(vma, from);
	sw->end = vma->vm_pgoff + vma_pages(vma);
	sw->hidden = private || from != vma->vm_start;
	sw->whole = !sw->hidden && !vma->vm_pgoff &&
		    vma->vm_end - vma->vm_start >= i_size_read(inode);
	sw->file = get_file(vma->vm_file);
	return true;
}

/**
 * vmviz_smaps_shmem_put - count what vmviz_smaps_shmem_get() chose
 * @mss: the counts of the VMA
 * @sw: as vmviz_smaps_shmem_get() filled it; its file reference is dropped
 *
 * Context: no mmap or VMA lock needed (none should be held: the walk of a
 * large object's xarray is long).
 */
void vmviz_smaps_shmem_put(struct vmviz_mss *mss, struct vmviz_shmem_swap *sw)
{
	struct inode *inode = file_inode(sw->file);
	unsigned long swapped;
	u64 bytes;

	if (sw->whole)
		swapped = READ_ONCE(SHMEM_I(inode)->swapped);
	else
		swapped = shmem_swapped_range(inode->i_mapping, sw->start, sw->end);
	bytes = (u64)swapped << PAGE_SHIFT;
	if (sw->hidden)
		bytes -= min(bytes, mss->shmem_hidden);
	mss->swap += bytes;
	fput(sw->file);
}

void vmviz_smaps_add(struct vmviz_mss *total, const struct vmviz_mss *mss)
{
	const u64 *from = (const u64 *)mss;
	u64 *to = (u64 *)total;
	unsigned int i;

	for (i = 0; i < sizeof(*mss) / sizeof(u64); i++)
		to[i] += from[i];
}

/*
 * The smaps fields, appended to a sum or rollup line (docs/FORMAT.md,
 * "Frame detail"): key value pairs in kB, each computed and truncated as
 * smaps prints it (Pss values are shifted down before they are scaled):
 *   rss pss pss_dirty pss_anon pss_file pss_shmem shared_clean shared_dirty
 *   private_clean private_dirty referenced anonymous ksm lazyfree anon_huge
 *   shmem_pmd file_pmd swap swap_pss locked uss cow_copy cow_reuse
 * cow_copy and cow_reuse are vmviz's own: see account_cow().
 */
void vmviz_smaps_show(struct seq_file *m, const struct vmviz_mss *mss)
{
	const struct {
		const char *name;
		u64 bytes;
	} fields[] = {
		{ " rss ", mss->resident },
		{ " pss ", mss->pss >> PSS_SHIFT },
		{ " pss_dirty ", mss->pss_dirty >> PSS_SHIFT },
		{ " pss_anon ", mss->pss_anon >> PSS_SHIFT },
		{ " pss_file ", mss->pss_file >> PSS_SHIFT },
		{ " pss_shmem ", mss->pss_shmem >> PSS_SHIFT },
		{ " shared_clean ", mss->shared_clean },
		{ " shared_dirty ", mss->shared_dirty },
		{ " private_clean ", mss->private_clean },
		{ " private_dirty ", mss->private_dirty },
		{ " referenced ", mss->referenced },
		{ " anonymous ", mss->anonymous },
		{ " ksm ", mss->ksm },
		{ " lazyfree ", mss->lazyfree },
		{ " anon_huge ", mss->anonymous_thp },
		{ " shmem_pmd ", mss->shmem_thp },
		{ " file_pmd ", mss->file_thp },
		{ " swap ", mss->swap },
		{ " swap_pss ", mss->swap_pss >> PSS_SHIFT },
		{ " locked ", mss->pss_locked >> PSS_SHIFT },
		{ " uss ", mss->private_clean + mss->private_dirty },
		{ " cow_copy ", mss->cow_copy },
		{ " cow_reuse ", mss->cow_reuse },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		seq_put_decimal_ull(m, fields[i].name, fields[i].bytes >> 10);
}
