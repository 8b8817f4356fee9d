// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: decoding of raw page-table entries and the run-length formatter of
 * the page lines: entries that continue each other become one line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/seq_file.h>

#include "compat.h"
#include "vmviz.h"

#define PKEY_SHIFT	59
#define PKEY_MASK	0xfULL

/* The hardware bits a page line shows: what runs are compared on. */
#define SHOWN_FLAGS	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_PWT | \
			 _PAGE_PCD | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PSE | \
			 _PAGE_GLOBAL | _PAGE_PAT_LARGE | _PAGE_NX)

static unsigned long level_size(enum vmviz_level level)
{
	switch (level) {
	case VMVIZ_PUD:
		return PUD_SIZE;
	case VMVIZ_PMD:
		return PMD_SIZE;
	default:
		return PAGE_SIZE;
	}
}

static enum vmviz_state swap_state(unsigned int type)
{
	if (type < MAX_SWAPFILES)
		return VMVIZ_SWAP;
	switch (type) {
#ifdef CONFIG_MIGRATION
	case SWP_MIGRATION_READ:
		return VMVIZ_MIGR_READ;
	case SWP_MIGRATION_READ_EXCLUSIVE:
		return VMVIZ_MIGR_READ_EXCL;
	case SWP_MIGRATION_WRITE:
		return VMVIZ_MIGR_WRITE;
#endif
#ifdef CONFIG_MEMORY_FAILURE
	case SWP_HWPOISON:
		return VMVIZ_HWPOISON;
#endif
	case SWP_PTE_MARKER:
		return VMVIZ_MARKER;
	default:
		return VMVIZ_DEVICE;
	}
}

/**
 * vmviz_decode - split a raw leaf into what the hardware and the kernel see
 * @leaf: the leaf as the walker found it
 * @e: filled in
 *
 * Hardware bits come from the entry itself (pte_flags() and friends), not
 * from pte_dirty()-style helpers that fold in software bits. A present or
 * PROT_NONE entry gives its PFN through pte_pfn()/pmd_pfn()/pud_pfn(), which
 * undo the L1TF inversion of PROT_NONE entries. Anything else is a swap-type
 * entry; x86 uses one swap format at every level.
 */
void vmviz_decode(const struct vmviz_leaf *leaf, struct vmviz_entry *e)
{
	u64 flags;

	/* Flag bits stop below bit 21 (2M) or 30 (1G) only on huge leaves. */
	switch (leaf->level) {
	case VMVIZ_PUD:
		flags = pud_flags(__pud(leaf->val));
		break;
	case VMVIZ_PMD:
		flags = pmd_flags(__pmd(leaf->val));
		break;
	default:
		flags = pte_flags(__pte(leaf->val));
		break;
	}
	e->addr = leaf->addr;
	e->end = leaf->end;
	e->level = leaf->level;
	e->pkey = 0;
	e->swap_type = 0;
	/*
	 * Present, PROT_NONE, or (PSE set, P clear) a huge leaf that
	 * pmdp_invalidate() has made not present while it is being split.
	 */
	if ((flags & (_PAGE_PRESENT | _PAGE_PROTNONE)) ||
	    (leaf->level != VMVIZ_PTE && (flags & _PAGE_PSE))) {
		e->state = (flags & _PAGE_PRESENT) ? VMVIZ_PRESENT : VMVIZ_PROTNONE;
		/* _PAGE_PAT of a 4K PTE is _PAGE_PSE, kept by the mask. */
		e->hw = flags & SHOWN_FLAGS;
		e->soft_dirty = !!(flags & _PAGE_SOFT_DIRTY);
		e->pkey = (leaf->val >> PKEY_SHIFT) & PKEY_MASK;
		switch (leaf->level) {
		case VMVIZ_PUD:
			e->pfn = pud_pfn(__pud(leaf->val));
			break;
		case VMVIZ_PMD:
			e->pfn = pmd_pfn(__pmd(leaf->val));
			break;
		default:
			e->pfn = pte_pfn(__pte(leaf->val));
			break;
		}
		/* A clipped huge leaf starts inside its frame range. */
		e->pfn += (leaf->addr & (level_size(leaf->level) - 1)) >> PAGE_SHIFT;
		return;
	}
	e->hw = 0;
	e->soft_dirty = !!(flags & _PAGE_SWP_SOFT_DIRTY);
	vmviz_swp_decode(leaf->val, &e->swap_type, &e->pfn);
	e->state = swap_state(e->swap_type);
}

/* Counts in base pages: a 2M leaf adds 512 to each count it meets. */
void vmviz_pgstat_add(struct vmviz_pgstat *st, const struct vmviz_entry *e)
{
	unsigned long pages = (e->end - e->addr) >> PAGE_SHIFT;

	if (e->state == VMVIZ_SWAP)
		st->swapped += pages;
	if (e->state != VMVIZ_PRESENT && e->state != VMVIZ_PROTNONE) {
		st->nonpresent += pages;
		return;
	}
	st->present += pages;
	if (e->hw & _PAGE_DIRTY)
		st->dirty += pages;
	if (e->hw & _PAGE_ACCESSED)
		st->accessed += pages;
	if ((e->hw & _PAGE_RW) && e->state == VMVIZ_PRESENT)
		st->writable += pages;
	if (e->level != VMVIZ_PTE)
		st->huge += pages;
}

/*
 * The step between the PFNs of two neighbouring entries of @e's size. Swap
 * offsets count entries; migration and other entries hold PFNs.
 */
static unsigned long pfn_stride(const struct vmviz_entry *e)
{
	if (e->state == VMVIZ_SWAP)
		return 1;
	return level_size(e->level) >> PAGE_SHIFT;
}

void vmviz_run_begin(struct vmviz_run *run, const struct vmviz_entry *e)
{
	run->first = *e;
	run->end = e->end;
	run->count = 1;
	run->next_pfn = e->pfn + pfn_stride(e);
	run->step = '+';
	run->open = true;
}

/**
 * vmviz_run_extend - merge @e into @run if it continues it
 * @run: an open run
 * @e: the next entry in address order
 *
 * It continues the run when it starts where the run ends, has the same
 * level, state, hardware flags, soft-dirty bit, protection key and swap
 * type, and its PFN (or swap offset) follows on from the last one, or, for
 * a run of present entries, equals it (the shared zero page).
 *
 * Return: true if merged; false if the run must be shown and a new one begun.
 */
bool vmviz_run_extend(struct vmviz_run *run, const struct vmviz_entry *e)
{
	const struct vmviz_entry *f = &run->first;
	unsigned long last_pfn = run->next_pfn - pfn_stride(f);

	if (e->addr != run->end || e->level != f->level || e->state != f->state ||
	    e->hw != f->hw || e->soft_dirty != f->soft_dirty || e->pkey != f->pkey ||
	    e->swap_type != f->swap_type || e->end - e->addr != f->end - f->addr)
		return false;
	if (run->count == 1 && e->pfn == last_pfn && f->state == VMVIZ_PRESENT)
		run->step = '=';
	else if (run->step == '=' ? e->pfn != last_pfn : e->pfn != run->next_pfn)
		return false;
	if (run->step == '+')
		run->next_pfn += pfn_stride(e);
	run->end = e->end;
	run->count++;
	return true;
}

/*
 * Hardware flags as eleven fixed columns, '-' where clear:
 *   P  present          W  writable (RW)     U  user (US)
 *   T  write-through (PWT)                   C  cache disabled (PCD)
 *   A  accessed         D  dirty             H  huge leaf (PSE)
 *   G  global           M  PAT memory type   N  no-execute (NX)
 * PAT is bit 7 of a 4K PTE and bit 12 of a 2M or 1G leaf, where bit 7 is PSE.
 */
#define HWFLAGS_LEN	11

/* The eleven flag columns into @s (not terminated); returns the end. */
static char *put_hwflags(char *s, u64 hw, enum vmviz_level level)
{
	u64 pat = level == VMVIZ_PTE ? _PAGE_PAT : _PAGE_PAT_LARGE;
	bool huge = level != VMVIZ_PTE && (hw & _PAGE_PSE);

	*s++ = hw & _PAGE_PRESENT ? 'P' : '-';
	*s++ = hw & _PAGE_RW ? 'W' : '-';
	*s++ = hw & _PAGE_USER ? 'U' : '-';
	*s++ = hw & _PAGE_PWT ? 'T' : '-';
	*s++ = hw & _PAGE_PCD ? 'C' : '-';
	*s++ = hw & _PAGE_ACCESSED ? 'A' : '-';
	*s++ = hw & _PAGE_DIRTY ? 'D' : '-';
	*s++ = huge ? 'H' : '-';
	*s++ = (hw & _PAGE_GLOBAL) && (hw & _PAGE_PRESENT) ? 'G' : '-';
	*s++ = hw & pat ? 'M' : '-';
	*s++ = hw & _PAGE_NX ? 'N' : '-';
	return s;
}

void vmviz_show_hwflags(struct seq_file *m, u64 hw, enum vmviz_level level)
{
	char s[HWFLAGS_LEN];

	seq_write(m, s, put_hwflags(s, hw, level) - s);
}

static const char *const state_names[VMVIZ_NR_STATES] = {
	[VMVIZ_PRESENT] = "present",
	[VMVIZ_PROTNONE] = "protnone",
	[VMVIZ_SWAP] = "swap",
	[VMVIZ_MIGR_READ] = "migr-r",
	[VMVIZ_MIGR_READ_EXCL] = "migr-rx",
	[VMVIZ_MIGR_WRITE] = "migr-w",
	[VMVIZ_HWPOISON] = "hwpoison",
	[VMVIZ_MARKER] = "marker",
	[VMVIZ_DEVICE] = "device",
};

static const char *const level_names[] = {
	[VMVIZ_PTE] = "pte",
	[VMVIZ_PMD] = "pmd",
	[VMVIZ_PUD] = "pud",
};

static const char *const size_names[] = {
	[VMVIZ_PTE] = "4K",
	[VMVIZ_PMD] = "2M",
	[VMVIZ_PUD] = "1G",
};

/*
 * Page lines are most of a report, and vsnprintf() was most of their cost:
 * they are put together by hand, to the letter of the format above, in a
 * buffer of PAGE_LINE_LEN (longer than the longest line) and written at once.
 */
#define PAGE_LINE_LEN	160

/* @v in lower-case hex, at least @width digits, zero-padded (%0*lx). */
static char *put_hex(char *p, unsigned long v, unsigned int width)
{
	char digits[16];
	unsigned int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	for (; width > n; width--)
		*p++ = '0';
	while (n)
		*p++ = digits[--n];
	return p;
}

/* @v in decimal, right-aligned in at least @width columns (%*lu). */
static char *put_dec(char *p, unsigned long v, unsigned int width)
{
	char digits[20];
	unsigned int n = 0;

	do {
		digits[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	for (; width > n; width--)
		*p++ = ' ';
	while (n)
		*p++ = digits[--n];
	return p;
}

/* @s left-aligned in at least @width columns (%-*s). */
static char *put_str(char *p, const char *s, unsigned int width)
{
	unsigned int n = strlen(s);

	memcpy(p, s, n);
	p += n;
	for (; width > n; width--)
		*p++ = ' ';
	return p;
}

/*
 * One page line (docs/FORMAT.md, "Page lines"), fields separated by blanks:
 *   level start-end count size state flags pfn step sd pkey swaptype
 * level: pte, pmd or pud; start-end: 16 hex digits each, end exclusive;
 * count: entries in the run; size: 4K, 2M or 1G per entry; state: present,
 * protnone, swap, migr-r, migr-rx, migr-w, hwpoison, marker, device; flags:
 * see vmviz_show_hwflags(), all '-' unless present or protnone; pfn: 10 hex
 * digits, the first entry's PFN, or its swap offset; step: '+' when PFNs
 * follow on, '=' when they repeat; sd: soft-dirty 0/1; pkey: 0-15; swaptype:
 * the kernel's swap type of a non-present entry, '-' for present ones.
 */
void vmviz_run_show(struct seq_file *m, const struct vmviz_run *run)
{
	const struct vmviz_entry *f = &run->first;
	char line[PAGE_LINE_LEN], *p = line;

	/* "  %s %016lx-%016lx %6lu %s %-8s " */
	*p++ = ' ';
	*p++ = ' ';
	p = put_str(p, level_names[f->level], 0);
	*p++ = ' ';
	p = put_hex(p, f->addr, 16);
	*p++ = '-';
	p = put_hex(p, run->end, 16);
	*p++ = ' ';
	p = put_dec(p, run->count, 6);
	*p++ = ' ';
	p = put_str(p, size_names[f->level], 0);
	*p++ = ' ';
	p = put_str(p, state_names[f->state], 8);
	*p++ = ' ';
	p = put_hwflags(p, f->hw, f->level);
	/* " %010lx %c %d %u " */
	*p++ = ' ';
	p = put_hex(p, f->pfn, 10);
	*p++ = ' ';
	*p++ = run->step;
	*p++ = ' ';
	*p++ = f->soft_dirty ? '1' : '0';
	*p++ = ' ';
	p = put_dec(p, f->pkey, 0);
	*p++ = ' ';
	if (f->state == VMVIZ_PRESENT || f->state == VMVIZ_PROTNONE)
		*p++ = '-';
	else
		p = put_dec(p, f->swap_type, 0);
	*p++ = '\n';
	seq_write(m, line, p - line);
}
