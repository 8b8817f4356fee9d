// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: the page-table walker. Reads a user range of an mm level by level
 * and hands every non-empty leaf, raw, to a callback. Knows nothing of output.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

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

static int emit(vmviz_leaf_fn fn, void *arg, u64 val, enum vmviz_level level,
		unsigned long addr, unsigned long size, unsigned long start,
		unsigned long end)
{
	struct vmviz_leaf leaf = {
		.addr = max(addr & ~(size - 1), start),
		.end = min((addr & ~(size - 1)) + size, end),
		.val = val,
		.level = level,
	};

	return fn(arg, &leaf);
}

/*
 * Copy the PTEs of [addr, end) (inside one PMD) and report the non-empty
 * ones. Returns the address to resume at if @fn stopped the walk, else 0
 * (never ambiguous: @fn only stops at a leaf after one it merged or showed).
 *
 * Locking: mmap read lock held. A PTE table can be freed under that lock
 * (khugepaged collapse on 6.12, empty-table reclaim on 7.2), but only after
 * an RCU grace period: so the PMD is re-read and the table copied entirely
 * inside one RCU read section, and formatting happens on the copy outside it.
 */
static unsigned long walk_ptes(pmd_t *pmdp, unsigned long addr,
			       unsigned long end, pte_t *buf, vmviz_leaf_fn fn,
			       void *arg, bool *retry_pmd)
{
	unsigned int i, n = (end - addr) >> PAGE_SHIFT, first = n, last = 0;
	pte_t *table;
	pmd_t pmd;

	rcu_read_lock();
	pmd = READ_ONCE(*pmdp);
	if (!upper_is_table(pmd_flags(pmd))) {
		/* Collapsed or zapped since the caller looked: look again. */
		rcu_read_unlock();
		*retry_pmd = true;
		return 0;
	}
	table = pte_offset_kernel(&pmd, addr);
	/* Note where the non-empty entries lie: sparse tables end early. */
	for (i = 0; i < n; i++) {
		buf[i] = ptep_get(table + i);
		if (!pte_none(buf[i])) {
			if (first == n)
				first = i;
			last = i;
		}
	}
	rcu_read_unlock();

	addr += (unsigned long)first << PAGE_SHIFT;
	for (i = first; i <= last && i < n; i++, addr += PAGE_SIZE) {
		if (pte_none(buf[i]))
			continue;
		if (emit(fn, arg, pte_val(buf[i]), VMVIZ_PTE, addr, PAGE_SIZE,
			 addr, end))
			return addr;
	}
	return 0;
}

/*
 * Read the PMD at @pmdp of the table @pud points to, or return false if
 * @pudp no longer holds @pud. A hugetlb PMD table can be shared between
 * processes and unshared, then freed by another sharer, without this mm's
 * mmap lock; page tables are freed after an RCU grace period or an IPI, so
 * checking the PUD and reading the PMD with interrupts off is safe.
 */
static bool read_pmd(pud_t *pudp, pud_t pud, pmd_t *pmdp, pmd_t *pmd)
{
	unsigned long irqflags;
	bool same;

	local_irq_save(irqflags);
	same = pud_val(READ_ONCE(*pudp)) == pud_val(pud);
	if (same)
		*pmd = READ_ONCE(*pmdp);
	local_irq_restore(irqflags);
	return same;
}

static unsigned long walk_pmds(pud_t *pudp, pud_t pud, unsigned long addr,
			       unsigned long end, pte_t *buf, vmviz_leaf_fn fn,
			       void *arg)
{
	unsigned long next, resume;
	pmd_t *pmdp, pmd;
	bool retry;

	/* One PMD table: find it once, then step through it. */
	for (pmdp = pmd_offset(&pud, addr); addr < end; addr = next, pmdp++) {
		next = pmd_addr_end(addr, end);
		cond_resched();
again:
		if (!read_pmd(pudp, pud, pmdp, &pmd))
			return 0;	/* unmapped under us: nothing left here */
		if (pmd_none(pmd))
			continue;
		if (!upper_is_table(pmd_flags(pmd))) {
			if (emit(fn, arg, pmd_val(pmd), VMVIZ_PMD, addr,
				 PMD_SIZE, addr, end))
				return addr;
			continue;
		}
		retry = false;
		resume = walk_ptes(pmdp, addr, next, buf, fn, arg, &retry);
		if (retry)
			goto again;
		if (resume)
			return resume;
	}
	return 0;
}

static unsigned long walk_puds(p4d_t p4d, unsigned long addr,
			       unsigned long end, pte_t *buf, vmviz_leaf_fn fn,
			       void *arg)
{
	unsigned long next, resume;
	pud_t *pudp, pud;

	for (; addr < end; addr = next) {
		next = pud_addr_end(addr, end);
		pudp = pud_offset(&p4d, addr);
		pud = READ_ONCE(*pudp);
		if (pud_none(pud))
			continue;
		if (!upper_is_table(pud_flags(pud))) {
			if (emit(fn, arg, pud_val(pud), VMVIZ_PUD, addr,
				 PUD_SIZE, addr, end))
				return addr;
			continue;
		}
		resume = walk_pmds(pudp, pud, addr, next, buf, fn, arg);
		if (resume)
			return resume;
	}
	return 0;
}

/* With 4-level paging p4d_offset() folds the P4D into the PGD snapshot. */
static unsigned long walk_p4ds(pgd_t pgd, unsigned long addr,
			       unsigned long end, pte_t *buf, vmviz_leaf_fn fn,
			       void *arg)
{
	unsigned long next, resume;
	p4d_t p4d;

	for (; addr < end; addr = next) {
		next = p4d_addr_end(addr, end);
		p4d = READ_ONCE(*p4d_offset(&pgd, addr));
		if (p4d_none(p4d))
			continue;
		resume = walk_puds(p4d, addr, next, buf, fn, arg);
		if (resume)
			return resume;
	}
	return 0;
}

/**
 * vmviz_walk - report every non-empty leaf of [start, end) in address order
 * @mm: the address space, with a reference held by the caller
 * @start: first address, page aligned
 * @end: end address, page aligned, at most the mm's task size
 * @buf: room for VMVIZ_PTES_PER_TABLE entries, the copy of one PTE table
 * @fn: called for each leaf; non-zero stops the walk
 * @arg: passed to @fn
 *
 * Each upper level is read once with READ_ONCE into a local snapshot and the
 * next level is found from the snapshot, never by re-reading the entry; a
 * PUD or PMD with PSE set is a 1G or 2M leaf.
 *
 * Locking: the caller holds the mmap read lock of @mm, which keeps the
 * PGD, P4D, PUD and PMD tables alive; PTE tables are read under RCU.
 *
 * Return: the address of the leaf at which @fn stopped the walk, or @end.
 */
unsigned long vmviz_walk(struct mm_struct *mm, unsigned long start,
			 unsigned long end, pte_t *buf, vmviz_leaf_fn fn,
			 void *arg)
{
	unsigned long addr, next, resume;
	pgd_t pgd;

	mmap_assert_locked(mm);
	for (addr = start; addr < end; addr = next) {
		next = pgd_addr_end(addr, end);
		pgd = READ_ONCE(*pgd_offset(mm, addr));
		/* pgd_none() is always false when the P4D level is folded. */
		if (pgd_none(pgd))
			continue;
		resume = walk_p4ds(pgd, addr, next, buf, fn, arg);
		if (resume)
			return resume;
	}
	return end;
}
