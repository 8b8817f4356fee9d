// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: the page-table walker. Reads a user range of an mm level by level,
 * a bounded amount at a time, and hands on copied PTE tables and huge leaves,
 * raw. Knows nothing of output.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/sched.h>

#include "compat.h"
#include "vmviz.h"

/*
 * An upper-level entry is a leaf when PSE is set and it is present or
 * PROT_NONE; a table when present without PSE; anything else non-empty is a
 * swap or migration entry (those keep bits 7 and 8 clear). The test is on
 * raw bits because pmd_leaf() of 6.1 refuses PROT_NONE leaves.
 */
static bool upper_is_table(u64 flags)
{
	return (flags & (_PAGE_PRESENT | _PAGE_PSE)) == _PAGE_PRESENT;
}

/* Whether the table of @level that maps @addr was counted already. */
static bool table_counted(struct vmviz_walk *w, enum vmviz_table level,
			  unsigned long addr, unsigned int shift)
{
	const struct vmviz_tstat *t = &w->tables->level[level];

	return t->count && t->last_key == addr >> shift;
}

/* Count a table of @used entries, not counted yet (table_counted()). */
static void table_add(struct vmviz_walk *w, enum vmviz_table level,
		      unsigned long addr, unsigned int shift, unsigned int used)
{
	struct vmviz_tstat *t = &w->tables->level[level];

	t->last_key = addr >> shift;
	if (!t->count || used < t->min)
		t->min = used;
	t->max = max(t->max, used);
	t->count++;
	t->used += used;
	t->hist[used ? ilog2(used) + 1 : 0]++;
}

/**
 * count_table - count a table the first time the walk enters it
 * @w: the walk; nothing is done unless w->tables is set (frame detail)
 * @level: the table's level
 * @addr: an address the table maps
 * @shift: log2 of the span the table maps (the shift of the level above)
 * @base: the table's first entry
 *
 * Walks go on from the PGD (at every new hold of the lock) and a table can
 * span VMAs, so a table is counted when its span differs from the last one
 * counted at its level: the walk goes up in address order. Every entry of the table
 * is read, in the table's whole span, not only the walked range. An entry
 * is used when it is not none: x86 tests every level alike (the value
 * without the Knights Landing erratum bits is not 0), so pte_none() serves.
 *
 * A PTE table the walk copies whole is counted from its copy (walk_ptes()).
 *
 * Locking: as for the walk; PTE tables inside the caller's RCU section.
 */
static void count_table(struct vmviz_walk *w, enum vmviz_table level,
			unsigned long addr, unsigned int shift, const void *base)
{
	const u64 *entry = base;
	unsigned int i, used = 0;

	if (!w->tables || table_counted(w, level, addr, shift))
		return;
	for (i = 0; i < PTRS_PER_PTE; i++)
		used += !pte_none(__pte(READ_ONCE(entry[i])));
	w->work += PTRS_PER_PTE;
	table_add(w, level, addr, shift, used);
}

/*
 * The bits that tell an upper entry from the one handed on before: all but
 * A and D, which the MMU sets as it walks (and MGLRU clears on non-leaf
 * PMDs, pmdp_test_and_clear_young() with ARCH_HAS_NONLEAF_PMD_YOUNG, 6.1
 * and later): a table is the same table whatever they say.
 */
#define UPPER_SAME_MASK	(~(u64)(_PAGE_ACCESSED | _PAGE_DIRTY))

/**
 * walk_upper - hand on an upper entry the walk is about to go down through
 * @w: the walk; nothing is done unless w->path is set (frame detail)
 * @b: filled in when the entry is handed on
 * @level: the entry's level
 * @size: the span of one entry of @level
 * @val: the entry as read, a table (upper_is_table())
 * @user: for the top level, the entry of PTI's user-mode copy (else @val)
 *
 * An entry is handed on once, the first time the walk reaches it, before
 * anything below it: every later walk (each step goes down from the PGD
 * again) finds it in w->path and goes on down. The walk then stops where
 * it is, w->addr unchanged, so the caller can show it; the next step reads
 * the entry again and, as long as it points to the same table, goes down.
 * An entry that changed meanwhile is handed on again, as read then.
 *
 * Return: true when @b holds the entry and the walk is to stop.
 */
static bool walk_upper(struct vmviz_walk *w, struct vmviz_batch *b,
		       enum vmviz_upper level, unsigned long size, u64 val,
		       u64 user)
{
	struct vmviz_path *p = w->path;
	unsigned long start = w->addr & ~(size - 1);

	if (!p || (p->start[level] == start &&
		   !((p->val[level] ^ val) & UPPER_SAME_MASK)))
		return false;
	p->start[level] = start;
	p->val[level] = val;
	if (level == VMVIZ_UP_PGD)
		p->user = user;
	b->upper = true;
	b->ulevel = level;
	b->addr = start;
	/* The last PGD entry of the 5-level user half ends at 2^56: no wrap. */
	b->end = start + size;
	b->nr = 0;
	b->val = val;
	b->user = user;
	return true;
}

/*
 * The top-level entry user mode walks for @addr: with page-table isolation
 * the user-mode copy, the second 4 KiB of the PGD (kernel_to_user_pgdp():
 * PTI_PGTABLE_SWITCH_BIT is PAGE_SHIFT, 5.10-7.2), which lacks the NX that
 * __pti_set_user_pgtbl() puts on the kernel's copy of every user entry;
 * else the entry itself. The PGD is 8 KiB only with PTI (PGD_ALLOCATION_ORDER
 * 1 under CONFIG_PAGE_TABLE_ISOLATION to 6.15; pgd_allocation_order() asks
 * cpu_feature_enabled(X86_FEATURE_PTI) from 6.16, 7.2): hence the test,
 * which cannot change once a user mm exists (pti_check_boottime_disable()
 * decides it at boot). Allocated and freed with the PGD (pgd_alloc(),
 * pgd_free()), so the lock that keeps the PGD keeps the copy.
 */
static u64 walk_user_top(struct vmviz_walk *w, u64 val)
{
	const pgd_t *pgdp;

	if (!boot_cpu_has(X86_FEATURE_PTI))
		return val;
	pgdp = pgd_offset(w->mm, w->addr);
	return pgd_val(READ_ONCE(*(const pgd_t *)((unsigned long)pgdp |
						   BIT(PAGE_SHIFT))));
}

/* Whether the walk must stop here: its budget is spent. */
static bool walk_spent(struct vmviz_walk *w)
{
	return w->work >= w->budget;
}

/* Hand on the huge leaf @val mapping [addr, next), clipped to the range. */
static bool walk_leaf(struct vmviz_walk *w, struct vmviz_batch *b, u64 val,
		      enum vmviz_level level, unsigned long next)
{
	b->addr = w->addr;
	b->end = next;
	b->level = level;
	b->nr = 1;
	b->ptes = NULL;
	b->val = val;
	w->addr = next;
	return true;
}

/*
 * The lock of the PTE table @pmd points to, taken if the walk hands its
 * batches on locked (w->lock_ptes), else NULL: taken either way for
 * sparse, as table_unlock() lets it go either way.
 */
static spinlock_t *table_lock(struct vmviz_walk *w, pmd_t *pmd)
	__acquires(ptl)
{
	spinlock_t *ptl;	/* in the table's struct ptdesc (or page) */

	if (!w->lock_ptes) {
		__acquire(ptl);
		return NULL;
	}
	ptl = pte_lockptr(w->mm, pmd);
	spin_lock(ptl);
	return ptl;
}

static void table_unlock(spinlock_t *ptl)
	__releases(ptl)
{
	if (ptl)
		spin_unlock(ptl);
	else
		__release(ptl);
}

/*
 * Copy the PTEs of [w->addr, end) (inside one PMD) and hand on the span
 * from the first non-empty one to the last. Returns false if the table had
 * none, with w->addr at @end; sets @retry if the PMD is no longer a table,
 * or if @pudp no longer holds @pud (the PMD table the PMD is in), or, in
 * the frame detail, if the PMD points to another table than @seen, the
 * copy the walk handed on (walk_upper()): the upper line and the path
 * then name the table the PTEs come from.
 *
 * Locking: mmap read lock held. A PTE table can be freed under that lock
 * (file and shmem collapse on 6.12 and 7.2, empty-table reclaim on 7.2),
 * but only after an RCU grace period: so the PUD is checked, the PMD
 * re-read and the table copied entirely inside one RCU read section; the
 * copy is read outside it, unless w->lock_ptes: then the table is also
 * copied under its own lock, and the batch is handed on with both held
 * (vmviz_walk_done()).
 */
static bool walk_ptes(struct vmviz_walk *w, struct vmviz_batch *b,
		      pud_t *pudp, pud_t pud, pmd_t seen, unsigned long end,
		      bool *retry)
{
	unsigned int i, n = (end - w->addr) >> PAGE_SHIFT, first = n, last = 0;
	unsigned int used = 0;
	pte_t *table, *buf = w->buf, pte;
	spinlock_t *ptl = NULL;
	pmd_t *pmdp, pmd;

	rcu_read_lock();
	if (pud_val(READ_ONCE(*pudp)) != pud_val(pud))
		goto again;
	pmdp = pmd_offset(&pud, w->addr);
	pmd = READ_ONCE(*pmdp);
	/*
	 * Collapsed or zapped since the caller looked, or (frame detail) its
	 * table freed and another put in its place (empty PTE tables
	 * reclaimed on 7.2, retract_page_tables() on 6.12): look again.
	 */
	if (!upper_is_table(pmd_flags(pmd)) ||
	    (w->path && ((pmd_val(pmd) ^ pmd_val(seen)) & UPPER_SAME_MASK)))
		goto again;
	/*
	 * The table's lock, taken as __pte_offset_map_lock() takes it (not
	 * exported on 6.12 and 7.2): RCU keeps the table found from the PMD
	 * read, the lock is the one of that table, and the PMD still pointing
	 * to it once the lock is held means it is still this mm's. Every path
	 * that frees a PTE table under the mmap or VMA read lock holds this
	 * lock when it clears the PMD (retract_page_tables() and
	 * collapse_pte_mapped_thp() on 6.12 and 7.2; on 7.2 zap_pte_range()'s
	 * try_get_and_clear_pmd() and try_to_free_pte()); 5.10 and 6.1 free
	 * tables only under the mmap write lock. So until the lock is dropped
	 * the entries copied are the live ones, and what they map stays
	 * mapped by them, as smaps_pte_range() relies on. On PREEMPT_RT it is
	 * a sleeping lock, taken here with preemption and interrupts on, as
	 * the kernel takes it.
	 */
	ptl = table_lock(w, &pmd);
	if (ptl && pmd_val(READ_ONCE(*pmdp)) != pmd_val(pmd)) {
		table_unlock(ptl);
		goto again;
	}
	table = pte_offset_kernel(&pmd, w->addr);
	/*
	 * One pass copies the entries and finds the span that holds any
	 * (sparse tables: only that span is handed on) and how many are used.
	 * Only used entries are stored as read; an empty one inside the span
	 * is stored as 0, which is as empty (pte_none()), when the next used
	 * one is found: a table with one used entry costs one store.
	 */
	for (i = 0; i < n; i++) {
		pte = ptep_get(table + i);
		if (pte_none(pte))
			continue;
		if (first == n)
			first = i;
		else
			while (++last < i)
				buf[last] = __pte(0);
		buf[i] = pte;
		last = i;
		used++;
	}
	if (w->tables && !table_counted(w, VMVIZ_TABLE_PTE, w->addr, PMD_SHIFT)) {
		/* A whole table copied is counted from the copy. */
		if (n == PTRS_PER_PTE)
			table_add(w, VMVIZ_TABLE_PTE, w->addr, PMD_SHIFT, used);
		else
			count_table(w, VMVIZ_TABLE_PTE, w->addr, PMD_SHIFT,
				    pte_offset_kernel(&pmd, w->addr & PMD_MASK));
	}
	w->work += n;

	if (first == n) {
		table_unlock(ptl);
		rcu_read_unlock();
		w->addr = end;
		return false;
	}
	if (ptl) {
		/*
		 * The batch keeps the lock and RCU until vmviz_walk_done();
		 * for sparse, they are let go here.
		 */
		__release(ptl);
		__release(RCU);
	} else {
		table_unlock(ptl);
		rcu_read_unlock();
	}
	b->addr = w->addr + ((unsigned long)first << PAGE_SHIFT);
	b->end = w->addr + ((unsigned long)(last + 1) << PAGE_SHIFT);
	b->level = VMVIZ_PTE;
	b->nr = last - first + 1;
	b->ptes = buf + first;
	b->val = 0;
	b->ptl = ptl;
	w->addr = end;
	return true;

again:
	rcu_read_unlock();
	*retry = true;
	return false;
}

/*
 * PMDs are read VMVIZ_PMD_CHUNK at a time: one interrupts-off section each
 * (see read_pmds()). Those not walked yet when a step hands on a batch are
 * kept in the walk for the next step of the same hold (walk_resume()), so
 * each PMD of a table is read once, as smaps' walk reads it.
 */
#define PMD_CHUNK	VMVIZ_PMD_CHUNK

/*
 * Copy @n PMDs from @pmdp, in the table @pud points to, or return false if
 * @pudp no longer holds @pud. Which locks keep the table alive is said at
 * walk_lock_shared(): the check of the PUD, with interrupts off, makes
 * what is copied a view of the table the PUD pointed to when it was read.
 */
static bool read_pmds(pud_t *pudp, pud_t pud, pmd_t *pmdp, pmd_t *out,
		      unsigned int n)
{
	unsigned long irqflags;
	unsigned int i;
	bool same;

	local_irq_save(irqflags);
	same = pud_val(READ_ONCE(*pudp)) == pud_val(pud);
	for (i = 0; same && i < n; i++)
		out[i] = READ_ONCE(pmdp[i]);
	local_irq_restore(irqflags);
	return same;
}

/* Count the PMD table @pud points to, read as read_pmds() reads it. */
static void count_pmd_table(struct vmviz_walk *w, pud_t *pudp, pud_t pud)
{
	unsigned long irqflags;

	if (!w->tables)
		return;
	local_irq_save(irqflags);
	if (pud_val(READ_ONCE(*pudp)) == pud_val(pud))
		count_table(w, VMVIZ_TABLE_PMD, w->addr, PUD_SHIFT,
			    pmd_offset(&pud, w->addr & PUD_MASK));
	local_irq_restore(irqflags);
}

/*
 * What walk_pmds() tells walk_puds(): its range is done; the walk stops
 * (a batch in @b, b->nr != 0, or the budget spent, b->nr == 0); or the PUD
 * changed under it, and is to be read again at w->addr, the first PMD not
 * yet read: nothing of the range is skipped, and every read of it counts
 * against the budget, which bounds the reading again.
 */
enum walk_step {
	STEP_DONE,
	STEP_STOP,
	STEP_REREAD_PUD,
};

/*
 * Pass over the empty PMDs from w->addr on, in the table w->pud points to,
 * with plain reads: only a chunk from the first used one on is then copied
 * under the PUD's check with interrupts off (read_pmds()), where a table
 * with a few used entries took sixteen such sections. Each PMD read counts
 * against the budget as in a chunk.
 *
 * Locking: what keeps the table while it is read is what keeps it for
 * read_pmds() (vmviz_walk_next(), walk_lock_shared()): the walk's lock,
 * or for a shared hugetlb table its file's i_mmap_rwsem, held for the step.
 * An entry read empty is shown as read, as the entries of a chunk are.
 *
 * Return: true with w->addr at a used PMD, that PMD read and counted;
 * false when the budget is spent (w->addr at the first PMD not read, below
 * @end) or @end reached first.
 */
static bool skip_empty_pmds(struct vmviz_walk *w, unsigned long end)
{
	pmd_t *pmdp = pmd_offset(&w->pud, w->addr);
	unsigned long n, m, i;

	if (w->addr >= end || walk_spent(w))
		return false;
	/* The PMDs of [w->addr, end), all in this table; those the budget allows. */
	n = ((end - 1) >> PMD_SHIFT) - (w->addr >> PMD_SHIFT) + 1;
	m = min(n, w->budget - w->work);
	for (i = 0; i < m; i++)
		if (!pmd_none(READ_ONCE(pmdp[i])))
			break;
	if (i < m) {
		w->work += i + 1;
		if (i)
			w->addr = ((w->addr >> PMD_SHIFT) + i) << PMD_SHIFT;
		return true;
	}
	w->work += m;
	w->addr = m == n ? end : ((w->addr >> PMD_SHIFT) + m) << PMD_SHIFT;
	return false;
}

/* Forget the PUD and the PMDs kept: the next step reads from the PGD. */
static void walk_forget(struct vmviz_walk *w)
{
	w->pudp = NULL;
	w->pmd_next = 0;
	w->pmd_nr = 0;
}

/*
 * Walk the PMDs of [w->addr, w->pmd_end), in the PMD table w->pud points
 * to, from the PMDs kept (w->pmds[w->pmd_next..w->pmd_nr), which map
 * from w->pmd_addr) and then from copies of the next ones. Every PTE
 * table is copied after the PUD is checked again (walk_ptes()), and every
 * chunk of PMDs after it is checked again (read_pmds()).
 */
static enum walk_step walk_pmds(struct vmviz_walk *w, struct vmviz_batch *b)
{
	unsigned long next, end = w->pmd_end;
	pmd_t pmd;
	bool retry;

	for (; w->addr < end; w->addr = next) {
		if (walk_spent(w))
			return STEP_STOP;
		if (w->pmd_next == w->pmd_nr ||
		    w->pmd_addr != (w->addr & PMD_MASK)) {
			if (!skip_empty_pmds(w, end))
				return w->addr < end ? STEP_STOP : STEP_DONE;
			/* The next PMDs of the range, up to PMD_CHUNK. */
			w->pmd_nr = min_t(unsigned long, PMD_CHUNK,
					  ((end - 1 - (w->addr & PMD_MASK)) >> PMD_SHIFT) + 1);
			w->pmd_next = 0;
			w->pmd_addr = w->addr & PMD_MASK;
			w->work += w->pmd_nr;
			if (!read_pmds(w->pudp, w->pud,
				       pmd_offset(&w->pud, w->addr), w->pmds,
				       w->pmd_nr))
				return STEP_REREAD_PUD;
		}
		next = pmd_addr_end(w->addr, end);
		pmd = w->pmds[w->pmd_next++];
		w->pmd_addr += PMD_SIZE;
again:
		if (pmd_none(pmd))
			continue;
		if (!upper_is_table(pmd_flags(pmd))) {
			walk_leaf(w, b, pmd_val(pmd), VMVIZ_PMD, next);
			return STEP_STOP;
		}
		if (walk_upper(w, b, VMVIZ_UP_PMD, PMD_SIZE, pmd_val(pmd), 0)) {
			/* This PMD again, from the copy, at the next step. */
			w->pmd_next--;
			w->pmd_addr -= PMD_SIZE;
			return STEP_STOP;
		}
		retry = false;
		if (walk_ptes(w, b, w->pudp, w->pud, pmd, next, &retry))
			return STEP_STOP;
		if (retry) {
			/* Collapsed or zapped since it was read: read it again. */
			if (walk_spent(w))
				return STEP_STOP;
			w->work++;
			if (!read_pmds(w->pudp, w->pud,
				       pmd_offset(&w->pud, w->addr), &pmd, 1))
				return STEP_REREAD_PUD;
			/* A step that stops at it goes on from this copy. */
			w->pmds[w->pmd_next - 1] = pmd;
			goto again;
		}
	}
	return STEP_DONE;
}

/*
 * Go on with the PUD of the last step, from the PMDs it kept: when the
 * walk is where that step stopped, inside that PUD's range. The PUD
 * table itself stays (the lock the caller holds keeps the PUD tables of
 * the range, vmviz_walk_next()); the PMD table is checked against the PUD
 * before every read of it, as in the step that kept it.
 *
 * Return: true when the walk stops (STEP_STOP of walk_pmds()); false to go
 * on from the PGD at w->addr: the PUD's range is done, or the PUD changed
 * (it is read again, from w->addr: nothing is skipped), or nothing was
 * kept.
 */
static bool walk_resume(struct vmviz_walk *w, struct vmviz_batch *b)
{
	enum walk_step step;

	if (!w->pudp || w->addr >= w->pmd_end ||
	    (w->addr & PUD_MASK) != ((w->pmd_end - 1) & PUD_MASK)) {
		walk_forget(w);
		return false;
	}
	step = walk_pmds(w, b);
	if (step == STEP_STOP)
		return true;
	walk_forget(w);
	return false;
}

/*
 * The step functions below share one contract: return true when the walk
 * stops, with a batch in @b (b->nr != 0) or with the budget spent (b->nr
 * == 0); false when their range is done. w->addr is always where the walk
 * goes on.
 */
static bool walk_puds(struct vmviz_walk *w, struct vmviz_batch *b, p4d_t p4d,
		      unsigned long end)
{
	unsigned long next;
	pud_t *pudp, pud;

	count_table(w, VMVIZ_TABLE_PUD, w->addr, P4D_SHIFT,
		    pud_offset(&p4d, w->addr & P4D_MASK));
	for (; w->addr < end; w->addr = next) {
		next = pud_addr_end(w->addr, end);
reread:
		if (walk_spent(w))
			return true;
		pudp = pud_offset(&p4d, w->addr);
		pud = READ_ONCE(*pudp);
		w->work++;
		if (pud_none(pud))
			continue;
		if (!upper_is_table(pud_flags(pud)))
			return walk_leaf(w, b, pud_val(pud), VMVIZ_PUD, next);
		if (walk_upper(w, b, VMVIZ_UP_PUD, PUD_SIZE, pud_val(pud), 0))
			return true;
		count_pmd_table(w, pudp, pud);
		w->pudp = pudp;
		w->pud = pud;
		w->pmd_end = next;
		w->pmd_next = 0;
		w->pmd_nr = 0;
		switch (walk_pmds(w, b)) {
		case STEP_STOP:
			/* What is left of the PUD is kept for the next step. */
			return true;
		case STEP_REREAD_PUD:
			walk_forget(w);
			goto reread;
		case STEP_DONE:
			walk_forget(w);
			break;
		}
	}
	return false;
}

/* With 4-level paging p4d_offset() folds the P4D into the PGD snapshot. */
static bool walk_p4ds(struct vmviz_walk *w, struct vmviz_batch *b, pgd_t pgd,
		      unsigned long end)
{
	bool l5 = pgtable_l5_enabled();
	unsigned long next;
	p4d_t p4d;

	/* Folded into the PGD with 4-level paging: no table of its own. */
	if (l5)
		count_table(w, VMVIZ_TABLE_P4D, w->addr, PGDIR_SHIFT,
			    p4d_offset(&pgd, w->addr & PGDIR_MASK));
	for (; w->addr < end; w->addr = next) {
		next = p4d_addr_end(w->addr, end);
		if (walk_spent(w))
			return true;
		p4d = READ_ONCE(*p4d_offset(&pgd, w->addr));
		w->work++;
		if (p4d_none(p4d))
			continue;
		/* With 4-level paging this is the PGD's own entry. */
		if (w->path && upper_is_table(p4d_flags(p4d)) &&
		    walk_upper(w, b, l5 ? VMVIZ_UP_P4D : VMVIZ_UP_PGD, P4D_SIZE,
			       p4d_val(p4d),
			       l5 ? 0 : walk_user_top(w, p4d_val(p4d))))
			return true;
		if (walk_puds(w, b, p4d, next))
			return true;
	}
	return false;
}

/**
 * walk_lock_shared - keep a shared hugetlb PMD table alive for one step
 * @w: the walk, of a range inside one VMA
 *
 * Processes that map one hugetlbfs file or SHM_HUGETLB segment MAP_SHARED
 * over a 1 GiB-aligned range share its PMD table (huge_pmd_share()). A
 * sharer's huge_pmd_unshare() (fallocate PUNCH_HOLE, truncate, its own
 * MADV_DONTNEED or munmap) clears its PUD without any lock of this mm;
 * once the other sharers are gone, the table is freed after a TLB flush of
 * their CPUs only (native_tlb_remove_table() on 6.1 and 6.12), not of the
 * CPU this walk reads from with interrupts off: this mm's locks keep
 * neither the PUD nor the table.
 *
 * The kernel's rule, which this follows, is the file's i_mmap_rwsem held
 * for read: huge_pmd_unshare() asserts it held for write
 * (i_mmap_assert_write_locked(), mm/hugetlb.c, since 5.7: 5.10, 6.1, 6.12,
 * 7.2), and the last sharer frees the table in free_pgtables() only after
 * unlink_file_vma() has taken it for write; so while it is held for read, a
 * PUD that points to a table keeps pointing to it and the table is not
 * freed. It is option (2.2) of the comment above huge_pte_offset()
 * (include/linux/hugetlb.h, 6.3 and later) and one of the two locks
 * hugetlb_walk() accepts; the other, the hugetlb VMA lock, is taken by
 * hugetlb_vma_lock_read(), which is not exported.
 *
 * Lock order: mmap_lock -> hugetlb VMA lock -> i_mmap_rwsem (mm/rmap.c).
 * The walk holds the mmap read lock or, on 7.2, only the VMA's own read
 * lock, as a page fault does when hugetlb_fault() reaches huge_pmd_share()
 * and takes i_mmap_rwsem for read: the same order; the rule needs no mmap
 * lock, since unsharing takes none of this mm's locks. The semaphore is
 * only tried, never waited for (a read must not sleep in a lock queue
 * while it holds the target's lock: a writer of the file, a punch hole or
 * a truncate, may take long); a step that cannot have it ends at once with
 * w->blocked set, and the caller waits outside the target's lock before it
 * tries again. It is dropped before vmviz_walk_next() returns: what it
 * hands on are copies.
 *
 * Return: the semaphore taken, NULL if the VMA is not a shared hugetlb
 * one, or ERR_PTR(-EAGAIN) while a writer holds it.
 */
static struct rw_semaphore *walk_lock_shared(struct vmviz_walk *w)
{
	struct vm_area_struct *vma = w->vma;
	struct rw_semaphore *sem;

	/*
	 * Found by an earlier step of this walk, which lives within one hold
	 * of its lock: the VMAs of the range do not change meanwhile. Under
	 * the mmap read lock, the tree and a VMA's bounds and flags change
	 * only under mmap_write_lock() (vma_iter_store(), vm_flags_set() and
	 * friends assert it, 6.1-7.2; 5.10 the same by convention); under a
	 * VMA's read lock (7.2), only after vma_start_write(), which waits for
	 * its readers.
	 */
	if (w->addr < w->plain_end)
		return NULL;
	if (!vma)
		vma = find_vma(w->mm, w->addr);
	if (!vma) {
		w->plain_end = w->end;
		return NULL;
	}
	if (vma->vm_start > w->addr) {
		w->plain_end = vma->vm_start;
		return NULL;
	}
	if (!is_vm_hugetlb_page(vma) || !vma->vm_file ||
	    !(vmviz_vm_flags(vma) & VM_MAYSHARE)) {
		w->plain_end = vma->vm_end;
		return NULL;
	}
	sem = &vma->vm_file->f_mapping->i_mmap_rwsem;
	if (!down_read_trylock(sem))
		return ERR_PTR(-EAGAIN);
	return sem;
}

/* The body of vmviz_walk_next(), which times it for the profile. */
static bool walk_next(struct vmviz_walk *w, struct vmviz_batch *b)
{
	struct rw_semaphore *shared;
	unsigned long next;
	bool found = false;
	pgd_t pgd;

	vmviz_assert_walk_locked(w);
	b->nr = 0;
	b->upper = false;
	b->ptl = NULL;
	if (w->addr >= w->end)
		return false;
	shared = walk_lock_shared(w);
	if (IS_ERR(shared)) {
		w->work = max(w->work, w->budget);
		w->blocked = true;
		return false;
	}
	/*
	 * A shared PMD table is read only under its file's lock, taken for
	 * this step alone: nothing read of it in an earlier step is used.
	 */
	if (shared)
		walk_forget(w);
	else if (walk_resume(w, b))
		return b->nr != 0 || b->upper;
	for (; w->addr < w->end; w->addr = next) {
		next = pgd_addr_end(w->addr, w->end);
		if (walk_spent(w))
			break;
		pgd = READ_ONCE(*pgd_offset(w->mm, w->addr));
		w->work++;
		/* pgd_none() is always false when the P4D level is folded. */
		if (pgd_none(pgd))
			continue;
		if (w->path && pgtable_l5_enabled() &&
		    upper_is_table(pgd_flags(pgd)) &&
		    walk_upper(w, b, VMVIZ_UP_PGD, PGDIR_SIZE, pgd_val(pgd),
			       walk_user_top(w, pgd_val(pgd)))) {
			found = true;
			break;
		}
		if (walk_p4ds(w, b, pgd, next)) {
			found = b->nr != 0 || b->upper;
			break;
		}
	}
	if (shared)
		up_read(shared);
	return found;
}

/**
 * vmviz_walk_next - the next batch of non-empty leaves of the walk
 * @w: the walk; w->addr moves past what was handed on or looked at
 * @b: filled in when a batch is found
 *
 * Each upper level is read once with READ_ONCE into a local snapshot and the
 * next level is found from the snapshot, never by re-reading the entry; a
 * PUD or PMD with PSE set is a 1G or 2M leaf. Before a PMD or PTE table is
 * read, the PUD that led to it is read again: if it changed, the walk reads
 * it again from the first address not read (never skipping the rest of its
 * range), within the budget. A step goes on from the PUD and the copied
 * PMDs the last step of this walk left (walk_resume(): each upper entry is
 * read once per table, as smaps' walk reads it), else from the PGD at
 * w->addr. A walk lives within one hold of the lock: it can stop anywhere
 * and a new walk goes on later, under another hold, from the PGD: nothing
 * of the tables is kept between holds.
 *
 * Locking: the caller holds the mmap read lock of w->mm, or the read lock
 * of w->vma, the VMA holding [w->addr, w->end); either keeps the PGD, P4D,
 * PUD and PMD tables of the range alive, but for a shared hugetlb VMA's
 * PMD table, kept by its file's i_mmap_rwsem for the step
 * (walk_lock_shared()). PTE tables are read under RCU; with
 * w->lock_ptes also under their own lock, which a PTE batch is handed on
 * with, held until vmviz_walk_done() (walk_ptes()).
 *
 * Return: true with a batch in @b; false when w->addr reached w->end, or
 * when w->work reached w->budget (then w->addr < w->end: call again after
 * raising the budget; a shared hugetlb VMA whose file lock a writer holds
 * ends the step that way too, with w->blocked set).
 */
bool vmviz_walk_next(struct vmviz_walk *w, struct vmviz_batch *b)
{
	u64 t0 = vmviz_prof_start();
	bool found = walk_next(w, b);

	vmviz_prof_end(VMVIZ_PROF_WALK, t0);
	return found;
}

/**
 * vmviz_walk_done - let go of a batch of vmviz_walk_next()
 * @b: the batch: its PTE table's lock and RCU are dropped if it holds them
 *
 * Context: to be called before anything that may sleep, once the batch's
 * entries and what they map have been read.
 */
void vmviz_walk_done(struct vmviz_batch *b)
{
	if (!b->ptl)
		return;
	/* Taken in walk_ptes(), which let them go there for sparse. */
	__acquire(b->ptl);
	__acquire(RCU);
	spin_unlock(b->ptl);
	rcu_read_unlock();
	b->ptl = NULL;
}
