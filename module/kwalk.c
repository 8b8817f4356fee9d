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

#include "vmviz.h"

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
 * section is dereferenced in another. Each section copies at most two
 * tables (4 KiB each): a short section, also on PREEMPT_RT, where
 * local_irq_save() still masks interrupts.
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

/*
 * Tables the kernel points to from many entries: the KASAN shadow of
 * unused memory maps one zero page through kasan_early_shadow_pte, _pmd,
 * _pud and _p4d, each referenced by every entry of the level above
 * (mm/kasan/init.c), terabytes of identical leaves. ptdump skips them by
 * name (mm/ptdump.c, note_kasan_page_table()); those symbols are not
 * exported, so the walker remembers, per level, the last table it found
 * uniform (512 equal leaves, or 512 equal entries pointing to the table
 * remembered one level down) and counts an entry pointing to it again
 * without reading it: as the table was when read, a moment earlier in
 * the same record (the caller clears the memo at each record).
 */
static void memo_set(struct vmviz_kmemo *memo, unsigned int level,
		     unsigned long pfn, u64 leaf, unsigned int leaf_level,
		     u64 sub_rwu, u64 sub_nx, unsigned long leaves)
{
	memo->valid |= BIT(level);
	memo->pfn[level] = pfn;
	memo->leaf[level] = leaf;
	memo->leaf_level[level] = leaf_level;
	memo->sub_rwu[level] = sub_rwu;
	memo->sub_nx[level] = sub_nx;
	memo->leaves[level] = leaves;
}

static bool all_equal(const u64 *ents, unsigned int n)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if (ents[i] != ents[0])
			return false;
	return true;
}

/**
 * vmviz_kwalk_step - copy the entries of one table from @addr on
 * @pgd: the PGD (its kernel virtual address); kept alive by the caller
 * @addr: where to start, page aligned, in the kernel half
 * @last: the last address to cover (inclusive: the half ends at 2^64)
 * @b: filled in: the entries of one table, from @addr's on, up to the
 *     first that points to a table below (it comes next), the table's end
 *     or @last; they are leaves, or empty, or not present. Or (b->repeat)
 *     entries that all point to the table @memo remembers one level down
 * @memo: uniform tables seen (see above), or NULL
 *
 * Locking: none; interrupts off inside (see the rule above).
 * Return: 0, or -EFAULT if a table could not be read (b->nr is then 1, an
 * empty entry: the walk goes on past it).
 */
int vmviz_kwalk_step(const pgd_t *pgd, unsigned long addr, unsigned long last,
		     struct vmviz_kbatch *b, struct vmviz_kmemo *memo)
{
	const u64 *table = (const u64 *)pgd;
	unsigned int level = vmviz_kwalk_top();
	u64 upper_rwu = _PAGE_RW | _PAGE_USER, upper_nx = 0;
	unsigned long flags, table_pfn = 0;
	int err = 0;

	b->addr = addr;
	b->nr = 0;
	b->repeat = false;
	local_irq_save(flags);
	for (;;) {
		unsigned int shift = level_shift(level);
		unsigned int idx = (addr >> shift) & (PTRS_PER_PTE - 1);
		unsigned int n = PTRS_PER_PTE - idx, i;
		unsigned long span = (last >> shift) - (addr >> shift);
		unsigned long pfn;
		u64 val;

		if (span < n - 1)
			n = span + 1;
		if (copy_from_kernel_nofault(b->ents, table + idx, n * sizeof(u64))) {
			err = -EFAULT;
			break;
		}
		val = b->ents[0];
		if (!is_table(val, level)) {
			for (i = 1; i < n && !is_table(b->ents[i], level); i++)
				;
			b->nr = i;
			if (memo && !level && !idx && n == PTRS_PER_PTE &&
			    (val & _PAGE_PRESENT) && all_equal(b->ents, n))
				memo_set(memo, 0, table_pfn, val, 0,
					 _PAGE_RW | _PAGE_USER, 0, PTRS_PER_PTE);
			break;
		}
		pfn = (val & PTE_PFN_MASK) >> PAGE_SHIFT;
		if (memo && (memo->valid & BIT(level - 1)) &&
		    memo->pfn[level - 1] == pfn) {
			unsigned int below = level - 1;

			for (i = 1; i < n && b->ents[i] == val; i++)
				;
			b->nr = i;
			b->repeat = true;
			b->leaf = memo->leaf[below];
			b->leaf_level = memo->leaf_level[below];
			b->leaves_per_entry = memo->leaves[below];
			upper_rwu &= val & memo->sub_rwu[below];
			upper_nx |= (val & _PAGE_NX) | memo->sub_nx[below];
			if (!idx && i == PTRS_PER_PTE && level < vmviz_kwalk_top())
				memo_set(memo, level, table_pfn, b->leaf,
					 b->leaf_level,
					 val & memo->sub_rwu[below] &
					 (_PAGE_RW | _PAGE_USER),
					 (val & _PAGE_NX) | memo->sub_nx[below],
					 PTRS_PER_PTE * memo->leaves[below]);
			break;
		}
		table = table_of(val);
		if (!table) {
			err = -EFAULT;
			break;
		}
		table_pfn = pfn;
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
