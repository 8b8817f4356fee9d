// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: a walker of the kernel half of a PGD, one table at a time, with
 * interrupts off and every table read through copy_from_kernel_nofault().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <asm/pgtable.h>

#include "kwalk.h"

/*
 * Why a module may read kernel page tables this way (docs/RELIABILITY.md,
 * "The kernel half"). ptdump serialises against the writers with
 * init_mm's mmap lock and mem_hotplug_lock (ptdump_walk_pgd(), get_online_mems()
 * in 5.10-7.2), neither of which a module can take: init_mm and
 * get_online_mems() are not exported. What a module has is the rule the
 * kernel itself relies on for lockless walks (gup_fast, 5.10-7.2): a page
 * table of the kernel half is freed only after the entry pointing to it
 * was cleared AND a TLB flush reached every CPU by IPI, and a CPU with
 * interrupts off does not answer that IPI, so the free waits for it:
 *
 * - vunmap_range()/vfree() (mm/vmalloc.c, 5.10-7.2) clear PTEs and never
 *   free a table; lazy purging (purge_vmap_area_lazy()) only delays the
 *   flush of PTEs, it frees no table either.
 * - Huge vmap/ioremap over a range that had a smaller mapping frees the
 *   old tables: vmap_try_huge_pmd()/vmap_try_huge_pud() call
 *   pmd_free_pte_page()/pud_free_pmd_page() (arch/x86/mm/pgtable.c,
 *   5.10-7.2), which clear the entry, call flush_tlb_kernel_range() and
 *   only then free_page() the table (7.2: pagetable_free_kernel(), which
 *   with ASYNC_KERNEL_PGTABLE_FREE frees later still, from a work).
 * - set_memory_*() (arch/x86/mm/pat/set_memory.c) splits large leaves
 *   into new tables (__split_large_page(): a table is added, none freed);
 *   where the kernel collapses them again (cpa_collapse_large_pages(), 7.2
 *   only) it frees the PTE tables after flush_tlb_all().
 * - flush_tlb_kernel_range() and flush_tlb_all() (arch/x86/mm/tlb.c) run
 *   on_each_cpu(..., wait=1) on 5.10-6.12: every online CPU, by IPI, and
 *   wait. From 6.15 (7.2) they use INVLPGB instead of IPIs where the CPU
 *   has it (AMD Zen 3 and later: cpu_feature_enabled(X86_FEATURE_INVLPGB)):
 *   then nothing waits for a reader with interrupts off, and the regions
 *   whose tables can be freed are not read (vmviz_kwalk_safe()).
 * - Memory hot-remove (arch_remove_memory() -> remove_pagetable() in
 *   arch/x86/mm/init_64.c, 5.10-7.2) frees direct-map and vmemmap tables
 *   with free_pagetable() BEFORE its flush_tlb_all(), under
 *   mem_hotplug_lock only: the IPI rule does not cover it. The nearest
 *   safe thing: each table is read with copy_from_kernel_nofault() and a
 *   table pointer is followed only to a PFN with a memmap (pfn_valid()),
 *   so a table freed by hot-remove meanwhile is read as stale memory of
 *   the direct map, never through an unmapped or MMIO address; its lines
 *   may be wrong. No kernel of the matrix removes memory in the test rig.
 * - The LDT remap slot of a PGD (PTI) holds tables of that mm only, freed
 *   by free_ldt_pgtables() at its exit_mmap(); the caller reads it only in
 *   the reader's own mm, which cannot exit while it reads.
 * - Everything else is made at boot and never freed: the kernel image's
 *   level2_kernel_pgt, fixmap, cpu_entry_area, espfix, and the PTI user
 *   copy of the PGD (pti_init(), pti_clone_*()).
 *
 * So every entry that leads to a table, and the table copied, are read in
 * one section with interrupts off, from the PGD down; nothing read in one
 * section is dereferenced in another. Each section reads one entry per
 * level on the way down and at most five tables' worth of entries (20
 * KiB, see vmviz_kwalk_step()), whatever the layout: a short section,
 * also on PREEMPT_RT, where local_irq_save() still masks interrupts.
 */

/* Shift of the addresses one entry of @level maps: 0 PTE ... 4 PGD (LA57). */
static unsigned int level_shift(unsigned int level)
{
	return PAGE_SHIFT + 9 * level;
}

/* The top level: the PGD, 4 with 5-level paging, else 3 (P4D folded). */
unsigned int vmviz_kwalk_top(void)
{
	return pgtable_l5_enabled() ? 4 : 3;
}

/* Does @val at @level point to a table below it? */
static bool is_table(u64 val, unsigned int level)
{
	if (!level || !(val & _PAGE_PRESENT))
		return false;
	/* PSE marks a leaf in PUDs and PMDs only; P4Ds and PGDs have none. */
	return level > 2 || !(val & _PAGE_PSE);
}

/* The kernel address of the table @val points to, or NULL without a memmap. */
static const u64 *table_of(u64 val)
{
	unsigned long pfn = (val & PTE_PFN_MASK) >> PAGE_SHIFT;

	if (!pfn_valid(pfn))
		return NULL;
	return (const u64 *)pfn_to_kaddr(pfn);
}

/* The PFN an entry pointing to a table holds. */
static unsigned long entry_pfn(u64 val)
{
	return (val & PTE_PFN_MASK) >> PAGE_SHIFT;
}

/*
 * Tables the kernel points to from many entries, and what the walk does
 * about them (docs/RELIABILITY.md, "The walk's work").
 *
 * The KASAN shadow of memory that has none of its own maps one zero page,
 * read-only, through kasan_early_shadow_pte, _pmd, _pud and _p4d (5-level
 * only): every entry of each points to the next one down, and any number
 * of entries of the level above point to them (kasan_early_init() in
 * arch/x86/mm/kasan_init_64.c, kasan_populate_early_shadow() in
 * mm/kasan/init.c, 5.10-7.2). The shadow is 1/8 of the kernel half
 * (KASAN_SHADOW_START..KASAN_SHADOW_END, Documentation/arch/x86/x86_64/
 * mm.rst): 16 TiB with 4-level paging, 8 PiB with 5-level, nearly all of
 * it these tables: 2^23 PUD and 2^32 PMD entries lead to them. ptdump
 * skips them by address (note_kasan_page_table(), mm/ptdump.c); their
 * symbols are not exported. A walk that reads a table for every entry
 * pointing to it does not end there (with 5-level paging).
 *
 * The entries pointing to them are not all equal: kasan_early_init()
 * fills the four tables with _KERNPG_TABLE entries, then
 * kasan_populate_early_shadow() and zero_p4d/pud/pmd_populate() write,
 * through pgd/p4d/pud_populate() and pmd_populate_kernel(), the first
 * entry of each again with _PAGE_TABLE, which adds _PAGE_USER. So the
 * walk summarises a table by its PFN, not by equal entries: a table is
 * uniform (struct vmviz_ksummary) when its 512 entries are present,
 * equal leaves (a PTE table), or all point to the one table summarised a
 * level down with the same effective RW/USER and NX (the AND and OR with
 * the leaf below: an entry's USER that the leaf has not changes nothing).
 * Per level the memo keeps the last uniform table and the last table
 * found mixed (not to check it again), and an entry that points to the
 * uniform one is counted with its neighbours that do too, in one step,
 * without reading it. That covers every level below the PGD, P4D
 * included, and the repetition across PGD entries: 32 PGD entries of
 * shadow are one step.
 *
 * A summary is of the table as it was read, earlier in the same record:
 * the caller clears the memo at each record (khalf.c, at most 64 steps),
 * so a table freed and reused meanwhile is counted from what it was for
 * the rest of one record at most, as any table a read passes may change
 * behind it; and the memo holds values only, no pointer into a table, so
 * nothing is dereferenced outside the section that read it.
 */
static const struct vmviz_ksummary *memo_find(const struct vmviz_kmemo *memo,
					      unsigned int level,
					      unsigned long pfn)
{
	if (!memo || level >= VMVIZ_KMEMO_LEVELS || !(memo->valid & BIT(level)) ||
	    memo->sum[level].pfn != pfn)
		return NULL;
	return &memo->sum[level];
}

/*
 * Is @ent of a table at @level (above the PTEs) a pointer to the table
 * @below summarises, contributing @rwu and @nx to its leaves?
 */
static bool same_path(u64 ent, unsigned int level,
		      const struct vmviz_ksummary *below, u64 rwu, u64 nx)
{
	return is_table(ent, level) && entry_pfn(ent) == below->pfn &&
	       (ent & below->sub_rwu) == rwu &&
	       ((ent & _PAGE_NX) | below->sub_nx) == nx;
}

/* Summarise @w, the whole table at @level; false if it is not uniform. */
static bool summarise(struct vmviz_kmemo *memo, unsigned int level,
		      const u64 *w, struct vmviz_ksummary *s)
{
	const struct vmviz_ksummary *below;
	u64 rwu, nx;
	unsigned int i;

	if (!level) {
		if (!vmviz_kwalk_leaf(w[0], 0))
			return false;
		for (i = 1; i < PTRS_PER_PTE; i++)
			if (w[i] != w[0])
				return false;
		s->leaf = w[0];
		s->leaf_level = 0;
		s->sub_rwu = w[0] & (_PAGE_RW | _PAGE_USER);
		s->sub_nx = w[0] & _PAGE_NX;
		s->leaves = PTRS_PER_PTE;
		return true;
	}
	below = memo_find(memo, level - 1, entry_pfn(w[0]));
	if (!below || !is_table(w[0], level))
		return false;
	rwu = w[0] & below->sub_rwu;
	nx = (w[0] & _PAGE_NX) | below->sub_nx;
	for (i = 1; i < PTRS_PER_PTE; i++)
		if (!same_path(w[i], level, below, rwu, nx))
			return false;
	s->leaf = below->leaf;
	s->leaf_level = below->leaf_level;
	s->sub_rwu = rwu;
	s->sub_nx = nx;
	s->leaves = PTRS_PER_PTE * below->leaves;
	return true;
}

/*
 * Check whether @table (its PFN @pfn), at @level below the PGD, is
 * uniform, once: a table the memo already holds, as uniform or as mixed,
 * is not copied again. @ents, if not NULL, is the whole table already
 * copied. Called with interrupts off, in the section that reached @table.
 * Return: whether the memo now holds @table as uniform.
 */
static bool memo_check(struct vmviz_kmemo *memo, unsigned int level,
		       const u64 *table, unsigned long pfn, const u64 *ents,
		       unsigned int *read)
{
	struct vmviz_ksummary s = { .pfn = pfn };

	if (!memo || level >= VMVIZ_KMEMO_LEVELS)
		return false;
	if (memo_find(memo, level, pfn))
		return true;
	if ((memo->mixed_valid & BIT(level)) && memo->mixed_pfn[level] == pfn)
		return false;
	if (!ents) {
		if (copy_from_kernel_nofault(memo->whole, table,
					     PTRS_PER_PTE * sizeof(u64)))
			return false;
		*read += PTRS_PER_PTE;
		ents = memo->whole;
	}
	if (summarise(memo, level, ents, &s)) {
		memo->sum[level] = s;
		memo->valid |= BIT(level);
		return true;
	}
	memo->mixed_pfn[level] = pfn;
	memo->mixed_valid |= BIT(level);
	return false;
}

/*
 * @level's table was found uniform: so may be the tables above it on the
 * step's path (@path, @path_pfn, up to the PGD's level, not included),
 * each checked whole, while they are.
 */
static void memo_check_up(struct vmviz_kmemo *memo, unsigned int level,
			  unsigned int top, const u64 *const *path,
			  const unsigned long *path_pfn, unsigned int *read)
{
	while (++level < top)
		if (!memo_check(memo, level, path[level], path_pfn[level], NULL, read))
			return;
}

/* Copy @n entries from @src into @b->ents, counting them. */
static int copy_entries(struct vmviz_kbatch *b, const u64 *src, unsigned int n)
{
	if (copy_from_kernel_nofault(b->ents, src, n * sizeof(u64)))
		return -EFAULT;
	b->read += n;
	return 0;
}

/**
 * vmviz_kwalk_step - copy the entries of one table from @addr on
 * @pgd: the PGD (its kernel virtual address); kept alive by the caller
 * @addr: where to start, page aligned, in the kernel half
 * @last: the last address to cover (inclusive: the half ends at 2^64)
 * @b: filled in: the entries of one table, from @addr's on, up to the
 *     first that points to a table below (it comes next), the table's end
 *     or @last; they are leaves, or empty, or not present. Or (b->repeat)
 *     entries that all point to the table @memo summarises one level
 *     down, with the same effective bits
 * @memo: uniform tables seen (see above), or NULL
 *
 * From the PGD down one entry is read per level, until an entry that is
 * not a table or points to a summarised one; then that table's entries
 * from there on (at most 512); and, to summarise, at most once each the
 * whole of that table and of the tables above it on the path, below the
 * PGD (memo_check(), memo_check_up()). In all at most 4 + 5 * 512
 * entries, 20 KiB, in one section with interrupts off, whatever the
 * layout.
 *
 * Locking: none; interrupts off inside (see the rule above).
 * Return: 0, or -EFAULT if a table could not be read (b->nr is then 1, an
 * empty entry: the walk goes on past it).
 */
int vmviz_kwalk_step(const pgd_t *pgd, unsigned long addr, unsigned long last,
		     struct vmviz_kbatch *b, struct vmviz_kmemo *memo)
{
	const u64 *table = (const u64 *)pgd;
	unsigned int top = vmviz_kwalk_top(), level = top;
	u64 upper_rwu = _PAGE_RW | _PAGE_USER, upper_nx = 0;
	const u64 *path[VMVIZ_KMEMO_LEVELS + 1];
	unsigned long path_pfn[VMVIZ_KMEMO_LEVELS + 1];
	unsigned long flags, table_pfn = 0;
	int err = 0;

	b->addr = addr;
	b->nr = 0;
	b->read = 0;
	b->repeat = false;
	local_irq_save(flags);
	for (;;) {
		unsigned int shift = level_shift(level);
		unsigned int idx = (addr >> shift) & (PTRS_PER_PTE - 1);
		unsigned int n = PTRS_PER_PTE - idx, i;
		unsigned long span = (last >> shift) - (addr >> shift);
		const struct vmviz_ksummary *below;
		const u64 *next;
		u64 val, rwu, nx;

		if (span < n - 1)
			n = span + 1;
		if (copy_from_kernel_nofault(&val, table + idx, sizeof(val))) {
			err = -EFAULT;
			break;
		}
		b->read++;
		if (!is_table(val, level)) {
			/*
			 * Leaves, holes: up to the next pointer to a table.
			 * The first is the entry decided on, read once.
			 */
			err = copy_entries(b, table + idx, n);
			if (err)
				break;
			b->ents[0] = val;
			for (i = 1; i < n && !is_table(b->ents[i], level); i++)
				;
			b->nr = i;
			if (!level && memo_check(memo, 0, table, table_pfn,
						 !idx && n == PTRS_PER_PTE ? b->ents : NULL,
						 &b->read))
				memo_check_up(memo, 0, top, path, path_pfn, &b->read);
			break;
		}
		below = memo_find(memo, level - 1, entry_pfn(val));
		if (below) {
			/* Entries pointing to a summarised table: count them. */
			err = copy_entries(b, table + idx, n);
			if (err)
				break;
			rwu = val & below->sub_rwu;
			nx = (val & _PAGE_NX) | below->sub_nx;
			for (i = 1; i < n && same_path(b->ents[i], level, below, rwu, nx); i++)
				;
			b->nr = i;
			b->repeat = true;
			b->leaf = below->leaf;
			b->leaf_level = below->leaf_level;
			b->leaves_per_entry = below->leaves;
			upper_rwu &= rwu;
			upper_nx |= nx;
			if (level < top &&
			    memo_check(memo, level, table, table_pfn,
				       !idx && n == PTRS_PER_PTE ? b->ents : NULL,
				       &b->read))
				memo_check_up(memo, level, top, path, path_pfn, &b->read);
			break;
		}
		next = table_of(val);
		if (!next) {
			err = -EFAULT;
			break;
		}
		table = next;
		table_pfn = entry_pfn(val);
		path[level - 1] = table;
		path_pfn[level - 1] = table_pfn;
		upper_rwu &= val & (_PAGE_RW | _PAGE_USER);
		upper_nx |= val & _PAGE_NX;
		level--;
	}
	local_irq_restore(flags);
	b->level = level;
	b->upper_rwu = upper_rwu;
	b->upper_nx = upper_nx;
	if (err) {
		b->nr = 1;
		b->ents[0] = 0;
		b->repeat = false;
	}
	return err;
}

/* Bytes one entry of @level maps. */
unsigned long vmviz_kwalk_size(unsigned int level)
{
	return 1UL << level_shift(level);
}

/* Is @val at @level a present leaf: a PTE, or a 2M or 1G PSE entry? */
bool vmviz_kwalk_leaf(u64 val, unsigned int level)
{
	if (!(val & _PAGE_PRESENT) || level > 2)
		return false;
	return !level || (val & _PAGE_PSE);
}

/*
 * Does a TLB flush of the kernel half reach every CPU by IPI on this
 * kernel and CPU? Not where flush_tlb_kernel_range() and flush_tlb_all()
 * use INVLPGB (arch/x86/mm/tlb.c from 6.15, here 7.2; the Kbuild finds
 * invlpgb_count_max in asm/tlbflush.h), on a CPU that has it.
 */
bool vmviz_kwalk_ipi_safe(void)
{
#ifdef VMVIZ_HAVE_INVLPGB_FLUSH
	return !cpu_feature_enabled(X86_FEATURE_INVLPGB);
#else
	return true;
#endif
}
