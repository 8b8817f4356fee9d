// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: /proc/vmviz/kernel, the kernel half of the address space as the
 * reader's own page tables hold it: its regions and their leaves.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <asm/cpu_entry_area.h>
#include <asm/fixmap.h>
#include <asm/pgtable.h>

#include "compat.h"
#include "vmviz.h"

/*
 * The format (docs/FORMAT.md, "The kernel half"):
 *
 *   vmviz-kernel 1
 *   report kernel RELEASE boot BOOTID time SEC.NSEC boottime SEC.NSEC
 *   geometry levels 4 pti 1 half ffff800000000000-ffffffffffffffff
 *   pgd kernel                          (then, with PTI, "pgd user")
 *   region NAME START-END size SIZE [skip REASON]
 *     LEVEL START-END COUNT SIZE FLAGS EFFECTIVE PFN
 *   wx START-END pages N                (after a writable, executable line)
 *   sum NAME pte N pmd N pud N wx N unshown N   (after each region's)
 *   end regions N pagelines N wx N steps N entries N
 *
 * Regions tile the half from its start to 2^64 (END exclusive, the last
 * written ...ffff inclusive as in space lines: see show_range()); page
 * lines are present leaves, merged as ptdump merges them (same level,
 * same flags and effective flags, contiguous), clipped to their region.
 */
#define KHALF_VERSION	1

/* Steps of the walk (one table each) in one record, at most. */
#define KHALF_STEPS	64
/* Room a record leaves in the seq_file buffer: two lines and more. */
#define KHALF_LINE_MAX	160

#define KHALF_MAX_REGIONS	32

enum khalf_skip {
	KHALF_READ,
	KHALF_SKIP_OTHER_MM,	/* the LDT slot of a mm not the reader's */
	KHALF_SKIP_INVLPGB,	/* tables freed without an IPI (see kwalk.c) */
};

static const char *const skip_names[] = {
	[KHALF_SKIP_OTHER_MM] = "other-mm",
	[KHALF_SKIP_INVLPGB] = "invlpgb",
};

struct khalf_region {
	const char *name;
	unsigned long start;
	unsigned long last;	/* inclusive: the last region ends at 2^64 */
	bool frees_tables;	/* its tables can be freed at run time */
	bool per_mm;		/* the LDT slot: tables of one mm */
	unsigned int max_lines;	/* page lines shown, at most; 0: all */
};

/* One run of leaves, as ptdump's pg_state keeps one. */
struct khalf_run {
	unsigned long start, end;	/* end 0: 2^64 */
	unsigned long count;
	unsigned long pfn;
	u64 hw, eff;
	unsigned int level;
	bool open;
};

enum khalf_phase {
	KHALF_HEADER,
	KHALF_COPY,		/* the "pgd" line of a copy */
	KHALF_REGION,		/* a region line */
	KHALF_PAGES,		/* its page lines */
	KHALF_SUM,		/* its sum line */
	KHALF_END,
	KHALF_DONE,
};

struct khalf_cursor {
	enum khalf_phase phase;
	unsigned int copy;		/* 0: the kernel's PGD, 1: PTI's user copy */
	unsigned int region;
	unsigned long addr;		/* next address of the region to walk */
	struct khalf_run run;
	unsigned long leaves[3];	/* of the region, per level */
	unsigned long wx;		/* W+X pages of the region */
	unsigned long region_lines;	/* page lines of the region */
	unsigned long regions, lines, wx_total;
	unsigned long steps, entries;	/* the walk's work: steps, entries read */
};

struct khalf {
	struct mm_struct *mm;		/* the opener's, mmgrab()bed */
	struct khalf_region regions[KHALF_MAX_REGIONS];
	unsigned int nr_regions;
	unsigned int copies;		/* 2 with PTI */
	loff_t pos;
	struct khalf_cursor cur, next;
	struct vmviz_kmemo memo;	/* cleared at each record */
	struct vmviz_kbatch batch;
};

static int region_cmp(const void *a, const void *b)
{
	const struct khalf_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void region_add(struct khalf *k, const char *name, unsigned long start,
		       unsigned long last, bool frees)
{
	struct khalf_region *r;

	if (k->nr_regions >= KHALF_MAX_REGIONS || last < start)
		return;
	r = &k->regions[k->nr_regions++];
	r->name = name;
	r->start = start;
	r->last = last;
	r->frees_tables = frees;
	r->per_mm = false;
	r->max_lines = 0;
}

/* The start of the kernel half: bit 47 (4-level) or 56 (5-level) set. */
static unsigned long half_start(void)
{
	return ~0UL << (vmviz_kwalk_top() == 4 ? 56 : 47);
}

/*
 * The kernel image inside the text window: from the first to the end of
 * the last present leaf. cleanup_highmap() (arch/x86/mm/init_64.c,
 * 5.10-7.2) clears every PMD of the window outside _text ..
 * roundup(_brk_end, PMD_SIZE), so this is _text to the end of the last
 * 2M of the image. The window's tables are level2_kernel_pgt and PTE
 * tables set_memory_*() split off (freed only as kwalk.c says).
 */
static void image_bounds(struct khalf *k, unsigned long *first,
			 unsigned long *end)
{
	unsigned long addr = __START_KERNEL_map;
	unsigned long last = MODULES_VADDR - 1;
	struct vmviz_kbatch *b = &k->batch;

	*first = 0;
	*end = 0;
	while (addr && addr <= last) {
		unsigned long size, base;
		unsigned int i;

		vmviz_kwalk_step(k->mm->pgd, addr, last, b, NULL);
		size = vmviz_kwalk_size(b->level);
		base = b->addr & ~(size - 1);
		for (i = 0; i < b->nr; i++) {
			if (!vmviz_kwalk_leaf(b->ents[i], b->level))
				continue;
			if (!*first)
				*first = max(base + i * size, b->addr);
			*end = min(base + (i + 1) * size, last + 1);
		}
		addr = base + b->nr * size;
		cond_resched();
	}
}

/*
 * The regions of this boot, Documentation/arch/x86/x86_64/mm.rst: the
 * bases randomised by RANDOMIZE_MEMORY (page_offset_base, vmalloc_base,
 * vmemmap_base) as the kernel exports them, the fixed ones from the
 * kernel's own macros; the gaps between them are "gap" regions, so the
 * regions tile the half.
 */
static void regions_init(struct khalf *k)
{
	unsigned long img_first, img_end, at;
	struct khalf_region named[KHALF_MAX_REGIONS / 2];
	unsigned int n, i;

	region_add(k, "guard", GUARD_HOLE_BASE_ADDR, GUARD_HOLE_END_ADDR - 1, false);
	region_add(k, "ldt", LDT_BASE_ADDR, LDT_END_ADDR - 1, false);
	k->regions[k->nr_regions - 1].per_mm = true;
	region_add(k, "direct", PAGE_OFFSET, VMALLOC_START - 1, true);
	region_add(k, "vmalloc", VMALLOC_START, VMALLOC_END, true);
	/* vmemmap ends where the next region starts (set below). */
	region_add(k, "vmemmap", VMEMMAP_START, VMEMMAP_START, true);
#ifdef CONFIG_KASAN
	region_add(k, "kasan", KASAN_SHADOW_START, KASAN_SHADOW_END - 1, true);
#endif
	region_add(k, "cpu_entry_area", CPU_ENTRY_AREA_BASE,
		   CPU_ENTRY_AREA_BASE + CPU_ENTRY_AREA_MAP_SIZE - 1, false);
#ifdef CONFIG_X86_ESPFIX64
	/*
	 * espfix maps each of its pages at thousands of addresses (one PMD
	 * table and one PTE table referenced ESPFIX_PUD_CLONES * 512 times,
	 * arch/x86/kernel/espfix_64.c): its lines are counted, the first
	 * 16 shown, as ptdump's address_markers show them.
	 */
	region_add(k, "espfix", ESPFIX_BASE_ADDR, ESPFIX_BASE_ADDR + P4D_SIZE - 1, false);
	k->regions[k->nr_regions - 1].max_lines = 16;
#endif
	region_add(k, "efi", EFI_VA_END, EFI_VA_START - 1, false);
	image_bounds(k, &img_first, &img_end);
	if (img_first)
		region_add(k, "text", img_first, img_end - 1, true);
	region_add(k, "modules", MODULES_VADDR, MODULES_END - 1, true);
	region_add(k, "fixmap", FIXADDR_START, FIXADDR_TOP + PAGE_SIZE - 1, false);

	n = k->nr_regions;
	memcpy(named, k->regions, n * sizeof(named[0]));
	sort(named, n, sizeof(named[0]), region_cmp, NULL);
	for (i = 0; i + 1 < n; i++)
		if (!strcmp(named[i].name, "vmemmap"))
			named[i].last = named[i + 1].start - 1;

	/* Tile: named regions in order, clipped, with gaps between. */
	k->nr_regions = 0;
	at = half_start();
	for (i = 0; i < n; i++) {
		struct khalf_region r = named[i];

		if (r.last < at)
			continue;
		if (r.start < at)
			r.start = at;
		if (r.start > at)
			region_add(k, "gap", at, r.start - 1, false);
		if (k->nr_regions < KHALF_MAX_REGIONS)
			k->regions[k->nr_regions++] = r;
		at = r.last + 1;
		if (!at)
			return;
	}
	region_add(k, "gap", at, ~0UL, false);
}

/* Why the current region is not read, or KHALF_READ. */
static enum khalf_skip region_skip(const struct khalf *k,
				   const struct khalf_region *r)
{
	if (r->per_mm && current->mm != k->mm)
		return KHALF_SKIP_OTHER_MM;
	if (r->frees_tables && !vmviz_kwalk_ipi_safe())
		return KHALF_SKIP_INVLPGB;
	return KHALF_READ;
}

static const char *const level_names[] = { "pte", "pmd", "pud" };
static const char *const size_names[] = { "4K", "2M", "1G" };

/* START-END, END exclusive; an END of 2^64 is written ffffffffffffffff. */
static void show_range(struct seq_file *m, unsigned long start,
		       unsigned long end)
{
	seq_printf(m, "%016lx-%016lx", start, end ? end : ~0UL);
}

/*
 * A page line:
 *   "  LEVEL START-END COUNT SIZE FLAGS EFFECTIVE PFN"
 * LEVEL pte, pmd, pud; COUNT decimal in 6 columns; FLAGS the leaf's bits
 * as a user page line shows them; EFFECTIVE the same with W and U as the
 * AND and N as the OR over the entries above (ptdump's effective_prot());
 * PFN 10 hex digits, the run's first. Then a W+X line where EFFECTIVE is
 * writable and executable, as CONFIG_DEBUG_WX's check counts it.
 */
static void run_flush(struct seq_file *m, const struct khalf_region *r,
		      struct khalf_cursor *c)
{
	struct khalf_run *run = &c->run;
	unsigned long pages = (run->end - run->start) >> PAGE_SHIFT;
	bool wx = (run->eff & _PAGE_RW) && !(run->eff & _PAGE_NX);

	if (!run->open)
		return;
	run->open = false;
	c->leaves[run->level] += run->count;
	if (wx) {
		c->wx += pages;
		c->wx_total += pages;
	}
	if (r->max_lines && c->region_lines++ >= r->max_lines)
		return;
	seq_printf(m, "  %s ", level_names[run->level]);
	show_range(m, run->start, run->end);
	seq_printf(m, " %6lu %s ", run->count, size_names[run->level]);
	vmviz_show_hwflags(m, run->hw, run->level);
	seq_putc(m, ' ');
	vmviz_show_hwflags(m, run->eff, run->level);
	seq_printf(m, " %010lx\n", run->pfn);
	c->lines++;
	if (wx) {
		seq_puts(m, "wx ");
		show_range(m, run->start, run->end);
		seq_printf(m, " pages %lu\n", pages);
	}
}

/* The bits a page line shows: runs break only where these differ. */
static u64 shown_bits(u64 val, unsigned int level)
{
	u64 mask = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_PWT |
		   _PAGE_PCD | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL |
		   _PAGE_NX;

	mask |= level ? _PAGE_PSE | _PAGE_PAT_LARGE : _PAGE_PAT;
	return val & mask;
}

static unsigned long leaf_pfn(u64 val, unsigned int level)
{
	u64 mask = level == 2 ? PHYSICAL_PUD_PAGE_MASK :
		   level == 1 ? PHYSICAL_PMD_PAGE_MASK : PTE_PFN_MASK;

	return (val & mask) >> PAGE_SHIFT;
}

/* Leaves to add to the run: @count of @level, all like @val. */
struct khalf_leaves {
	unsigned int level;
	u64 val;
	u64 upper_rwu, upper_nx;	/* of the entries above them */
	unsigned long start, end;	/* end 0: 2^64 */
	unsigned long count;
	unsigned long pfn;		/* of the first page at @start */
};

/* Add leaves to the run, or start a new one. */
static void run_add(struct seq_file *m, const struct khalf_region *r,
		    struct khalf_cursor *c, const struct khalf_leaves *l)
{
	struct khalf_run *run = &c->run;
	u64 hw = shown_bits(l->val, l->level);
	u64 eff = (hw & ~(_PAGE_RW | _PAGE_USER)) |
		  (hw & l->upper_rwu & (_PAGE_RW | _PAGE_USER)) | l->upper_nx;

	if (run->open && run->end == l->start && run->level == l->level &&
	    run->hw == hw && run->eff == eff) {
		run->end = l->end;
		run->count += l->count;
		return;
	}
	run_flush(m, r, c);
	run->open = true;
	run->start = l->start;
	run->end = l->end;
	run->count = l->count;
	run->level = l->level;
	run->hw = hw;
	run->eff = eff;
	run->pfn = l->pfn;
}

/*
 * Add the leaves of step @b to the run, clipped to region @r. The step
 * began at b->addr (in @r), which its first entry may map from before:
 * a region's start, or a table that was split or summarised between two
 * steps, is not aligned to that entry. Leaves count from b->addr on.
 */
static void batch_add(struct seq_file *m, const struct khalf_region *r,
		      struct khalf_cursor *c, const struct vmviz_kbatch *b)
{
	unsigned long size = vmviz_kwalk_size(b->level);
	unsigned long base = b->addr & ~(size - 1);
	struct khalf_leaves l = {
		.upper_rwu = b->upper_rwu,
		.upper_nx = b->upper_nx,
	};
	unsigned int i;

	if (b->repeat) {
		unsigned long leaf_size = vmviz_kwalk_size(b->leaf_level);
		unsigned long ee = base + b->nr * size;

		l.level = b->leaf_level;
		l.val = b->leaf;
		l.start = max(base, b->addr);
		l.end = ee - 1 > r->last ? r->last + 1 : ee;
		l.count = (l.end - l.start) / leaf_size;
		l.pfn = leaf_pfn(b->leaf, b->leaf_level);
		if (l.count)
			run_add(m, r, c, &l);
		return;
	}
	l.level = b->level;
	for (i = 0; i < b->nr; i++) {
		unsigned long es = base + i * size, ee = es + size;

		if (!vmviz_kwalk_leaf(b->ents[i], b->level))
			continue;
		l.val = b->ents[i];
		l.start = max(es, b->addr);
		l.end = ee - 1 > r->last ? r->last + 1 : ee;
		l.count = 1;
		l.pfn = leaf_pfn(l.val, l.level) + ((l.start - es) >> PAGE_SHIFT);
		run_add(m, r, c, &l);
	}
}

static const pgd_t *copy_pgd(const struct khalf *k, unsigned int copy)
{
	/*
	 * PTI's user copy is the second 4 KiB of the 8 KiB PGD
	 * (kernel_to_user_pgdp(): PTI_PGTABLE_SWITCH_BIT is PAGE_SHIFT,
	 * 5.10-7.2), allocated with it and freed with it (pgd_free()).
	 */
	if (copy)
		return (const pgd_t *)((unsigned long)k->mm->pgd | BIT(PAGE_SHIFT));
	return k->mm->pgd;
}

/*
 * The page lines of the current region from c->addr, as many as the
 * record takes: at most KHALF_STEPS tables, and while the buffer has room.
 */
static int show_pages(struct seq_file *m, struct khalf *k,
		      struct khalf_cursor *c, size_t record_start)
{
	const struct khalf_region *r = &k->regions[c->region];
	const pgd_t *pgd = copy_pgd(k, c->copy);
	struct vmviz_kbatch *b = &k->batch;
	unsigned int steps;

	/* Summaries live for one record (kwalk.c): forget them. */
	k->memo.valid = 0;
	k->memo.mixed_valid = 0;
	for (steps = 0; steps < KHALF_STEPS; steps++) {
		unsigned long size, next;

		/*
		 * A record with lines in it ends while the buffer has room
		 * for two more; an empty one goes on (seq_read_iter() would
		 * otherwise call it again and again without progress).
		 */
		if (m->count > record_start &&
		    m->size - m->count < KHALF_LINE_MAX * 2)
			return 0;
		if (fatal_signal_pending(current))
			return -EINTR;
		vmviz_kwalk_step(pgd, c->addr, r->last, b, &k->memo);
		c->steps++;
		c->entries += b->read;
		batch_add(m, r, c, b);
		size = vmviz_kwalk_size(b->level);
		next = (b->addr & ~(size - 1)) + b->nr * size;
		if (!next || next - 1 >= r->last) {
			run_flush(m, r, c);
			c->phase = KHALF_SUM;
			return 0;
		}
		c->addr = next;
		cond_resched();
	}
	return 0;
}

static void show_header(struct seq_file *m, struct khalf *k,
			struct khalf_cursor *c)
{
	seq_printf(m, "vmviz-kernel %d\n", KHALF_VERSION);
	vmviz_show_provenance(m);
	seq_printf(m, "geometry levels %u pti %u half ", vmviz_kwalk_top() + 1,
		   k->copies - 1);
	show_range(m, half_start(), 0);
	seq_putc(m, '\n');
	c->phase = KHALF_COPY;
}

static void show_region(struct seq_file *m, struct khalf *k,
			struct khalf_cursor *c)
{
	const struct khalf_region *r = &k->regions[c->region];
	enum khalf_skip skip = region_skip(k, r);

	seq_printf(m, "region %-14s ", r->name);
	show_range(m, r->start, r->last + 1);
	seq_puts(m, " size ");
	vmviz_show_size(m, r->last - r->start + 1);
	if (skip)
		seq_printf(m, " skip %s", skip_names[skip]);
	seq_putc(m, '\n');
	c->regions++;
	memset(&c->run, 0, sizeof(c->run));
	memset(c->leaves, 0, sizeof(c->leaves));
	c->wx = 0;
	c->region_lines = 0;
	c->addr = r->start;
	c->phase = skip ? KHALF_SUM : KHALF_PAGES;
}

static void show_sum(struct seq_file *m, struct khalf *k, struct khalf_cursor *c)
{
	const struct khalf_region *r = &k->regions[c->region];
	unsigned long unshown = 0;

	if (r->max_lines && c->region_lines > r->max_lines)
		unshown = c->region_lines - r->max_lines;
	seq_printf(m, "sum %s pte %lu pmd %lu pud %lu wx %lu unshown %lu\n",
		   r->name, c->leaves[0], c->leaves[1], c->leaves[2], c->wx,
		   unshown);
	if (++c->region < k->nr_regions) {
		c->phase = KHALF_REGION;
	} else if (++c->copy < k->copies) {
		c->region = 0;
		c->phase = KHALF_COPY;
	} else {
		c->phase = KHALF_END;
	}
}

static void *khalf_start(struct seq_file *m, loff_t *pos)
{
	struct khalf *k = m->private;

	if (*pos == 0) {
		memset(&k->cur, 0, sizeof(k->cur));
		k->cur.phase = KHALF_HEADER;
	} else if (*pos != k->pos) {
		return ERR_PTR(-EINVAL);
	}
	k->pos = *pos;
	return k->cur.phase == KHALF_DONE ? NULL : k;
}

static void *khalf_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct khalf *k = m->private;

	k->cur = k->next;
	k->pos = ++*pos;
	return k->cur.phase == KHALF_DONE ? NULL : k;
}

static void khalf_stop(struct seq_file *m, void *v)
{
}

/* One record from k->cur into k->next: see the format above. */
static int khalf_show(struct seq_file *m, void *v)
{
	struct khalf *k = m->private;
	struct khalf_cursor *c = &k->next;

	*c = k->cur;
	cond_resched();
	switch (c->phase) {
	case KHALF_HEADER:
		show_header(m, k, c);
		break;
	case KHALF_COPY:
		seq_printf(m, "pgd %s\n", c->copy ? "user" : "kernel");
		c->phase = KHALF_REGION;
		break;
	case KHALF_REGION:
		show_region(m, k, c);
		break;
	case KHALF_PAGES:
		return show_pages(m, k, c, m->count);
	case KHALF_SUM:
		show_sum(m, k, c);
		break;
	case KHALF_END:
		seq_printf(m, "end regions %lu pagelines %lu wx %lu steps %lu entries %lu\n",
			   c->regions, c->lines, c->wx_total, c->steps, c->entries);
		c->phase = KHALF_DONE;
		break;
	default:
		break;
	}
	return 0;
}

static const struct seq_operations khalf_seq_ops = {
	.start = khalf_start,
	.next = khalf_next,
	.stop = khalf_stop,
	.show = khalf_show,
};

/*
 * Disclosure: kernel addresses are the KASLR secret, and PFNs of the
 * kernel's memory are physical addresses. The file opens only for an
 * opener with CAP_SYS_ADMIN in the initial user namespace (pagemap's rule
 * for PFNs) to whom /proc/kallsyms would show real addresses
 * (vmviz_access_kallsyms()); -EPERM otherwise, decided at open as
 * kallsyms_open() decides. The tables read are the opener's own mm's,
 * bound at open as proc_mem_open() binds one (mmgrab() keeps its PGD:
 * pgd_free() runs from __mmdrop()).
 */
static int khalf_open(struct inode *inode, struct file *file)
{
	struct khalf *k;
	int err;

	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	err = vmviz_access_kallsyms(file);
	if (err)
		return err;
	if (!current->mm)
		return -EINVAL;
	k = __seq_open_private(file, &khalf_seq_ops, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->mm = current->mm;
	mmgrab(k->mm);
	k->copies = boot_cpu_has(X86_FEATURE_PTI) ? 2 : 1;
	regions_init(k);
	return 0;
}

static int khalf_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;
	struct khalf *k = m->private;

	mmdrop(k->mm);
	return seq_release_private(inode, file);
}

static const struct proc_ops khalf_ops = {
	.proc_open = khalf_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = khalf_release,
};

/**
 * vmviz_khalf_init - make /proc/vmviz/kernel
 * @parent: /proc/vmviz; the file is removed with it
 *
 * Return: 0 or -ENOMEM.
 */
int vmviz_khalf_init(struct proc_dir_entry *parent)
{
	return proc_create("kernel", 0444, parent, &khalf_ops) ? 0 : -ENOMEM;
}
