// SPDX-License-Identifier: GPL-2.0
/*
 * kwalk-sim: module/kwalk.c, built unchanged on the host against stand-in
 * headers, walks a model of the KASAN shadow as the debug kernel's
 * kasan_init() lays it out (4- and 5-level), and what it counts is checked
 * against an independent count of the model's leaves.
 *
 * The model is written from what arch/x86/mm/kasan_init_64.c and
 * mm/kasan/init.c (6.12) do, not copied from them:
 *  - kasan_early_init(): kasan_early_shadow_pte/pmd/pud/p4d are filled,
 *    each entry pointing to the table one level down (leaves: the zero
 *    page), with _KERNPG_TABLE (no USER);
 *  - kasan_init(): the shadow's PGD entries cleared, then
 *    kasan_populate_early_shadow() over the shadow of everything with no
 *    shadow of its own: an entry whose whole range is covered points to
 *    the early table one level down, and the first entry of each early
 *    table below is written again on the way (pgd/p4d/pud_populate(),
 *    pmd_populate_kernel(): _PAGE_TABLE, USER set); a range that covers
 *    an entry in part gets a table of its own; a PTE of its own maps the
 *    zero page read-only (zero_pte_populate());
 *  - the shadow of RAM, of the shared cpu_entry_area and of the kernel
 *    image: tables and frames of their own, 2M leaves where a whole
 *    aligned 2M is covered (kasan_populate_pmd());
 *  - at the end the early PTEs become __PAGE_KERNEL_RO.
 * The layout is the fixed one of Documentation/arch/x86/x86_64/mm.rst
 * (KASAN turns off RANDOMIZE_MEMORY: kaslr_memory_enabled()), a 4 GiB
 * guest with RAM at 0-2G and 4-6G (QEMU q35), KASAN_VMALLOC off (the
 * debug recipe's: vmalloc's shadow is early shadow too).
 *
 * Usage: sim [4|5]  (both without an argument). Prints, per paging mode,
 * the walk's steps, entries read and leaves, the model's leaves, and what
 * the walk before the PFN summaries would have needed; exit 1 on a
 * difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../module/kwalk.h"

u64 *sim_arena;
unsigned long sim_arena_pages;
unsigned long sim_irq_sections;
int sim_l5;

#define ARENA_PAGES	16384
#define STEPS_PER_RECORD	64	/* module/khalf.c's KHALF_STEPS */
#define SHORT_RECORD		3	/* memo forgotten every 3 steps */

#define KERNPG_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PAGE_TABLE	(KERNPG_TABLE | _PAGE_USER)
#define PAGE_KERNEL	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | \
			 _PAGE_GLOBAL | _PAGE_NX)
#define PAGE_KERNEL_RO	(_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_GLOBAL | _PAGE_NX)

#define SHADOW_OFFSET	0xdffffc0000000000UL	/* CONFIG_KASAN_SHADOW_OFFSET */
#define SZ_2M		(1UL << 21)
#define SZ_1G		(1UL << 30)

static unsigned int top;		/* 4: 5-level PGD; 3: 4-level */
static unsigned long next_table = 1;	/* arena PFN 0: never a table */
static unsigned long next_frame = 1UL << 30;	/* frames: outside the arena */
static unsigned long pgd_pfn, early[4], zero_page;

static unsigned long shadow(unsigned long addr)
{
	return (addr >> 3) + SHADOW_OFFSET;
}

static unsigned long size_of(unsigned int level)
{
	return 1UL << (PAGE_SHIFT + 9 * level);
}

static unsigned int idx_of(unsigned int level, unsigned long addr)
{
	return (addr >> (PAGE_SHIFT + 9 * level)) & (PTRS_PER_PTE - 1);
}

static u64 *table(unsigned long pfn)
{
	return sim_arena + pfn * PTRS_PER_PTE;
}

static unsigned long new_table(void)
{
	if (next_table >= ARENA_PAGES) {
		fprintf(stderr, "sim: arena full\n");
		exit(2);
	}
	return next_table++;
}

static u64 entry(unsigned long pfn, u64 bits)
{
	return ((u64)pfn << PAGE_SHIFT) | bits;
}

static unsigned long pfn_of(u64 e)
{
	return (e & PTE_PFN_MASK) >> PAGE_SHIFT;
}

/* The end of the entry of @level holding @addr, or @end if that is first. */
static unsigned long entry_end(unsigned int level, unsigned long addr,
			       unsigned long end)
{
	unsigned long b = (addr | (size_of(level) - 1)) + 1;

	return b - 1 < end - 1 ? b : end;
}

/* The early shadow over [addr, end) of the table @t at @level. */
static void early_range(unsigned int level, unsigned long t, unsigned long addr,
			unsigned long end)
{
	do {
		unsigned long next = entry_end(level, addr, end);
		u64 *e = &table(t)[idx_of(level, addr)];

		if (!level) {
			if (addr + PAGE_SIZE <= end)
				*e = entry(zero_page, PAGE_KERNEL & ~_PAGE_RW);
		} else if (!(addr & (size_of(level) - 1)) && end - addr >= size_of(level)) {
			*e = entry(early[level - 1], PAGE_TABLE);
			for (unsigned int l = level - 1; l >= 1; l--)
				table(early[l])[0] = entry(early[l - 1], PAGE_TABLE);
		} else {
			if (!*e)
				*e = entry(new_table(), PAGE_TABLE);
			early_range(level - 1, pfn_of(*e), addr, next);
		}
		addr = next;
	} while (addr != end);
}

/* Shadow of its own over [addr, end): tables and frames, 2M where it can. */
static void real_range(unsigned int level, unsigned long t, unsigned long addr,
		       unsigned long end)
{
	do {
		unsigned long next = entry_end(level, addr, end);
		u64 *e = &table(t)[idx_of(level, addr)];

		if (!level) {
			if (!*e)
				*e = entry(next_frame++, PAGE_KERNEL);
		} else if (level == 1 && !*e && !(addr & (SZ_2M - 1)) && end - addr >= SZ_2M) {
			*e = entry(next_frame, PAGE_KERNEL | _PAGE_PSE);
			next_frame += 512;
		} else if (!(*e & _PAGE_PSE) || level > 2) {
			if (!*e)
				*e = entry(new_table(), PAGE_TABLE);
			real_range(level - 1, pfn_of(*e), addr, next);
		}
		addr = next;
	} while (addr != end);
}

static void populate(bool real, unsigned long start, unsigned long end)
{
	start &= ~(PAGE_SIZE - 1);
	end = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (start >= end)
		return;
	if (real)
		real_range(top, pgd_pfn, start, end);
	else
		early_range(top, pgd_pfn, start, end);
}

struct layout {
	unsigned long page_offset, maxmem, vmalloc_start, vmalloc_end;
	unsigned long cea_base, cea_map_size, start_kernel_map, modules_end;
	unsigned long shadow_start, shadow_end;
};

static void build(const struct layout *l)
{
	static const unsigned long ram[][2] = { { 0, 2 * SZ_1G }, { 4 * SZ_1G, 6 * SZ_1G } };
	unsigned long cea_begin, cea_end, kernel_text = l->start_kernel_map + 0x1000000;

	memset(sim_arena, 0, ARENA_PAGES * PAGE_SIZE);
	next_table = 1;
	pgd_pfn = new_table();
	for (int i = 0; i < 4; i++)
		early[i] = new_table();
	zero_page = next_frame++;
	/* kasan_early_init() */
	for (int i = 0; i < PTRS_PER_PTE; i++) {
		table(early[0])[i] = entry(zero_page, PAGE_KERNEL);
		for (int lv = 1; lv < 4; lv++)
			table(early[lv])[i] = entry(early[lv - 1], KERNPG_TABLE);
	}
	/* kasan_init(): the PGD's shadow entries start empty here. */
	populate(false, l->shadow_start & ~(size_of(top) - 1), shadow(l->page_offset));
	for (int i = 0; i < 2; i++)
		populate(true, shadow(l->page_offset + ram[i][0]),
			 shadow(l->page_offset + ram[i][1]));
	cea_begin = shadow(l->cea_base) & ~(PAGE_SIZE - 1);
	cea_end = (shadow(l->cea_base + l->cea_map_size) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	populate(false, shadow(l->page_offset + l->maxmem), shadow(l->vmalloc_start));
	populate(false, shadow(l->vmalloc_start), shadow(l->vmalloc_end));
	populate(false, shadow(l->vmalloc_end + 1), cea_begin);
	populate(true, cea_begin, shadow(l->cea_base + PAGE_SIZE));
	populate(false, cea_end, shadow(l->start_kernel_map));
	populate(true, shadow(kernel_text), shadow(kernel_text + 48 * SZ_2M));
	populate(false, shadow(l->modules_end), l->shadow_end);
	for (int i = 0; i < PTRS_PER_PTE; i++)
		table(early[0])[i] = entry(zero_page, PAGE_KERNEL_RO);
}

/* The independent count: depth first, each table's leaves counted once. */
struct count {
	unsigned long leaves[3];
};

static struct count cache[5][ARENA_PAGES];
static bool cached[5][ARENA_PAGES];

/* An address of the kernel half from its bits below the top (sign-extended). */
static unsigned long canonical(unsigned long a)
{
	unsigned int bits = PAGE_SHIFT + 9 * (top + 1);

	return (unsigned long)((long)(a << (64 - bits)) >> (64 - bits));
}

static void count_table(unsigned int level, unsigned long t, unsigned long base,
			unsigned long first, unsigned long last, struct count *c)
{
	unsigned long span_last = base + (size_of(level) * PTRS_PER_PTE - 1);
	bool whole = level < top && first <= base && last >= span_last;
	struct count mine = { { 0 } };

	if (whole && cached[level][t]) {
		for (int i = 0; i < 3; i++)
			c->leaves[i] += cache[level][t].leaves[i];
		return;
	}
	for (unsigned int i = 0; i < PTRS_PER_PTE; i++) {
		unsigned long es = base + i * size_of(level);
		unsigned long el = es + size_of(level) - 1;
		u64 e = table(t)[i];

		if (level == top)
			es = canonical(es), el = es + size_of(level) - 1;
		if (el < first || es > last || !(e & _PAGE_PRESENT))
			continue;
		if (!level || (level <= 2 && (e & _PAGE_PSE)))
			mine.leaves[level]++;
		else
			count_table(level - 1, pfn_of(e), es, first, last, &mine);
	}
	if (whole) {
		cache[level][t] = mine;
		cached[level][t] = true;
	}
	for (int i = 0; i < 3; i++)
		c->leaves[i] += mine.leaves[i];
}

struct walked {
	unsigned long steps, entries, records, sections;
	struct count c;
};

/* What khalf.c's show_pages() does with the steps of one region. */
static void walk(unsigned long first, unsigned long last, unsigned long record,
		 struct walked *w)
{
	static struct vmviz_kbatch b;
	static struct vmviz_kmemo memo;
	unsigned long addr = first, in_record = record;

	sim_irq_sections = 0;
	for (;;) {
		unsigned long size, base, next;

		if (in_record++ == record) {
			memo.valid = 0;
			memo.mixed_valid = 0;
			in_record = 1;
			w->records++;
		}
		vmviz_kwalk_step((const pgd_t *)table(pgd_pfn), addr, last, &b, &memo);
		w->steps++;
		w->entries += b.read;
		size = vmviz_kwalk_size(b.level);
		base = b.addr & ~(size - 1);
		next = base + b.nr * size;
		if (b.repeat) {
			unsigned long end = next && next - 1 <= last ? next : last + 1;

			w->c.leaves[b.leaf_level] += (end - b.addr) / vmviz_kwalk_size(b.leaf_level);
		} else {
			for (unsigned int i = 0; i < b.nr; i++)
				if (vmviz_kwalk_leaf(b.ents[i], b.level))
					w->c.leaves[b.level]++;
		}
		if (!next || next - 1 >= last)
			break;
		addr = next;
	}
	w->sections = sim_irq_sections;
}

/*
 * The walk before the PFN summaries, counted, not run: two steps for
 * every PUD entry reaching kasan_early_shadow_pmd (its entry 0, then
 * entries 1-511: no early table above the PTEs was ever found uniform,
 * their entry 0 differing), one for every other table reached.
 */
static unsigned long old_steps(unsigned int level, unsigned long t)
{
	unsigned long n = 0;

	if (level == 1 && t == early[1])
		return 2;
	for (unsigned int i = 0; i < PTRS_PER_PTE; i++) {
		u64 e = table(t)[i];

		if (level && (e & _PAGE_PRESENT) && !(level <= 2 && (e & _PAGE_PSE)))
			n += old_steps(level - 1, pfn_of(e));
	}
	return n ? n : 1;
}

static int run(unsigned int levels)
{
	struct layout l5 = {
		.page_offset = 0xff11000000000000UL, .maxmem = 1UL << 52,
		.vmalloc_start = 0xffa0000000000000UL, .vmalloc_end = 0xffd1ffffffffffffUL,
		.cea_base = 0xfffffe0000000000UL, .cea_map_size = 1UL << 39,
		.start_kernel_map = 0xffffffff80000000UL, .modules_end = 0xffffffffff000000UL,
		.shadow_start = SHADOW_OFFSET + ((~0UL << 56) >> 3),
		.shadow_end = SHADOW_OFFSET + (1UL << 61),
	};
	struct layout l4 = l5;
	struct walked w = { 0 }, ws = { 0 };
	struct count truth = { { 0 } };
	unsigned long first, last, old = 0, tables;
	int bad;

	l4.page_offset = 0xffff888000000000UL;
	l4.maxmem = 1UL << 46;
	l4.vmalloc_start = 0xffffc90000000000UL;
	l4.vmalloc_end = 0xffffe8ffffffffffUL;
	l4.shadow_start = SHADOW_OFFSET + ((~0UL << 47) >> 3);
	sim_l5 = levels == 5;
	top = sim_l5 ? 4 : 3;
	memset(cached, 0, sizeof(cached));
	build(sim_l5 ? &l5 : &l4);

	/* khalf.c's regions over the shadow: the PGD entry it starts in, on. */
	first = (sim_l5 ? l5.shadow_start : l4.shadow_start) & ~(size_of(top) - 1);
	last = l5.shadow_end - 1;
	walk(first, last, STEPS_PER_RECORD, &w);
	walk(first, last, SHORT_RECORD, &ws);
	count_table(top, pgd_pfn, canonical(0), first, last, &truth);
	for (unsigned int i = idx_of(top, first); i <= idx_of(top, last); i++) {
		u64 e = table(pgd_pfn)[i];

		if (e & _PAGE_PRESENT)
			old += old_steps(top - 1, pfn_of(e));
	}
	/*
	 * The truth is the model's leaves; the bound is the walk's work: at
	 * most two steps per distinct table (one into it, one past the entry
	 * that led further down), whatever the shadow's size.
	 */
	tables = next_table - 1;
	bad = memcmp(&w.c, &truth, sizeof(truth)) != 0 ||
	      memcmp(&ws.c, &truth, sizeof(truth)) != 0 || w.steps > 2 * tables;
	printf("%u-level: shadow %016lx-%016lx, %lu tables\n", levels, first, last, tables);
	printf("  walk:  %lu steps in %lu records, %lu entries read (%.1f KiB a step), leaves 4K %lu 2M %lu\n",
	       w.steps, w.records, w.entries, w.entries * 8.0 / 1024 / w.steps,
	       w.c.leaves[0], w.c.leaves[1]);
	printf("  walk, summaries forgotten every %d steps: %lu steps, leaves 4K %lu 2M %lu\n",
	       SHORT_RECORD, ws.steps, ws.c.leaves[0], ws.c.leaves[1]);
	printf("  model: leaves 4K %lu 2M %lu\n", truth.leaves[0], truth.leaves[1]);
	printf("  %s\n", bad ? "FAIL: leaves differ, or more than 2 steps per table" :
	       "ok: leaves equal, at most 2 steps per table");
	printf("  the walk before: about %lu steps\n", old);
	return bad;
}

int main(int argc, char **argv)
{
	int bad = 0;

	sim_arena = calloc(ARENA_PAGES, PAGE_SIZE);
	sim_arena_pages = ARENA_PAGES;
	if (!sim_arena)
		return 2;
	if (argc < 2 || atoi(argv[1]) == 4)
		bad |= run(4);
	if (argc < 2 || atoi(argv[1]) == 5)
		bad |= run(5);
	return bad;
}
