// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: the page-table walker. Reads a user range of an mm level by level,
 * a bounded amount at a time, and hands on copied PTE tables and huge leaves,
 * raw. Knows nothing of output.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
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
 * Copy the PTEs of [w->addr, end) (inside one PMD) and hand on the span
 * from the first non-empty one to the last. Returns false if the table had
 * none, with w->addr at @end; sets @retry if the PMD is no longer a table.
 *
 * Locking: mmap read lock held. A PTE table can be freed under that lock
 * (khugepaged collapse on 6.12, empty-table reclaim on 7.2), but only after
 * an RCU grace period: so the PMD is re-read and the table copied entirely
 * inside one RCU read section; the copy is read outside it.
 */
static bool walk_ptes(struct vmviz_walk *w, struct vmviz_batch *b,
		      pmd_t *pmdp, unsigned long end, bool *retry)
{
	unsigned int i, n = (end - w->addr) >> PAGE_SHIFT, first = n, last = 0;
	pte_t *table, *buf = w->buf;
	pmd_t pmd;

	rcu_read_lock();
	pmd = READ_ONCE(*pmdp);
	if (!upper_is_table(pmd_flags(pmd))) {
		/* Collapsed or zapped since the caller looked: look again. */
		rcu_read_unlock();
		*retry = true;
		return false;
	}
	table = pte_offset_kernel(&pmd, w->addr);
	for (i = 0; i < n; i++)
		buf[i] = ptep_get(table + i);
	rcu_read_unlock();
	w->work += n;

	/* Sparse tables: hand on only the span that holds entries. */
	for (i = 0; i < n; i++) {
		if (!pte_none(buf[i])) {
			if (first == n)
				first = i;
			last = i;
		}
	}
	if (first == n) {
		w->addr = end;
		return false;
	}
	b->addr = w->addr + ((unsigned long)first << PAGE_SHIFT);
	b->end = w->addr + ((unsigned long)(last + 1) << PAGE_SHIFT);
	b->level = VMVIZ_PTE;
	b->nr = last - first + 1;
	b->ptes = buf + first;
	b->val = 0;
	w->addr = end;
	return true;
}

/*
 * PMDs are read this many at a time: one interrupts-off section each (see
 * read_pmds()), and a walk that goes on after a batch reads at most this
 * many again.
 */
#define PMD_CHUNK	32

/*
 * Copy @n PMDs from @pmdp, in the table @pud points to, or return false if
 * @pudp no longer holds @pud. A hugetlb PMD table can be shared between
 * processes and unshared, then freed by another sharer, without this mm's
 * mmap lock; page tables are freed after an RCU grace period or an IPI, so
 * checking the PUD and reading the PMDs with interrupts off is safe.
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

/*
 * The step functions below share one contract: return true when the walk
 * stops, with a batch in @b (b->nr != 0) or with the budget spent (b->nr
 * == 0); false when their range is done. w->addr is always where the walk
 * goes on.
 */
static bool walk_pmds(struct vmviz_walk *w, struct vmviz_batch *b,
		      pud_t *pudp, pud_t pud, unsigned long end)
{
	unsigned int i = 0, n = 0;
	pmd_t pmds[PMD_CHUNK], pmd;
	unsigned long next;
	bool retry;

	for (; w->addr < end; w->addr = next) {
		next = pmd_addr_end(w->addr, end);
		if (walk_spent(w))
			return true;
		if (i == n) {
			/* The next PMDs of the range, up to PMD_CHUNK. */
			n = min_t(unsigned long, PMD_CHUNK,
				  ((end - 1 - (w->addr & PMD_MASK)) >> PMD_SHIFT) + 1);
			if (!read_pmds(pudp, pud, pmd_offset(&pud, w->addr), pmds, n)) {
				/* Unmapped under us: nothing left in this PUD. */
				w->addr = end;
				return false;
			}
			w->work += n;
			i = 0;
		}
		pmd = pmds[i++];
again:
		if (pmd_none(pmd))
			continue;
		if (!upper_is_table(pmd_flags(pmd)))
			return walk_leaf(w, b, pmd_val(pmd), VMVIZ_PMD, next);
		retry = false;
		if (walk_ptes(w, b, pmd_offset(&pud, w->addr), next, &retry))
			return true;
		if (retry) {
			/* Collapsed or zapped since it was read: read it again. */
			if (walk_spent(w))
				return true;
			if (!read_pmds(pudp, pud, pmd_offset(&pud, w->addr), &pmd, 1)) {
				w->addr = end;
				return false;
			}
			w->work++;
			goto again;
		}
	}
	return false;
}

static bool walk_puds(struct vmviz_walk *w, struct vmviz_batch *b, p4d_t p4d,
		      unsigned long end)
{
	unsigned long next;
	pud_t *pudp, pud;

	for (; w->addr < end; w->addr = next) {
		next = pud_addr_end(w->addr, end);
		if (walk_spent(w))
			return true;
		pudp = pud_offset(&p4d, w->addr);
		pud = READ_ONCE(*pudp);
		w->work++;
		if (pud_none(pud))
			continue;
		if (!upper_is_table(pud_flags(pud)))
			return walk_leaf(w, b, pud_val(pud), VMVIZ_PUD, next);
		if (walk_pmds(w, b, pudp, pud, next))
			return true;
	}
	return false;
}

/* With 4-level paging p4d_offset() folds the P4D into the PGD snapshot. */
static bool walk_p4ds(struct vmviz_walk *w, struct vmviz_batch *b, pgd_t pgd,
		      unsigned long end)
{
	unsigned long next;
	p4d_t p4d;

	for (; w->addr < end; w->addr = next) {
		next = p4d_addr_end(w->addr, end);
		if (walk_spent(w))
			return true;
		p4d = READ_ONCE(*p4d_offset(&pgd, w->addr));
		w->work++;
		if (p4d_none(p4d))
			continue;
		if (walk_puds(w, b, p4d, next))
			return true;
	}
	return false;
}

/**
 * vmviz_walk_next - the next batch of non-empty leaves of the walk
 * @w: the walk; w->addr moves past what was handed on or looked at
 * @b: filled in when a batch is found
 *
 * Each upper level is read once with READ_ONCE into a local snapshot and the
 * next level is found from the snapshot, never by re-reading the entry; a
 * PUD or PMD with PSE set is a 1G or 2M leaf. Every step starts again from
 * the PGD at w->addr, so a walk can stop anywhere and go on later, under
 * another hold of the lock: nothing of the tables is kept between steps.
 *
 * Locking: the caller holds the mmap read lock of w->mm, or the read lock
 * of w->vma, the VMA holding [w->addr, w->end); either keeps the PGD, P4D,
 * PUD and PMD tables of the range alive. PTE tables are read under RCU.
 *
 * Return: true with a batch in @b; false when w->addr reached w->end, or
 * when w->work reached w->budget (then w->addr < w->end: call again after
 * raising the budget).
 */
bool vmviz_walk_next(struct vmviz_walk *w, struct vmviz_batch *b)
{
	unsigned long next;
	pgd_t pgd;

	vmviz_assert_walk_locked(w);
	b->nr = 0;
	for (; w->addr < w->end; w->addr = next) {
		next = pgd_addr_end(w->addr, w->end);
		if (walk_spent(w))
			return false;
		pgd = READ_ONCE(*pgd_offset(w->mm, w->addr));
		w->work++;
		/* pgd_none() is always false when the P4D level is folded. */
		if (pgd_none(pgd))
			continue;
		if (walk_p4ds(w, b, pgd, next))
			return b->nr != 0;
	}
	return false;
}
