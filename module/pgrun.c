// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: decoding of raw page-table entries and the run-length formatter of
 * the page lines: entries that continue each other become one line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/moduleparam.h>
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
	memset(&e->frame, 0, sizeof(e->frame));
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
	e->state = vmviz_decode_nonpresent(leaf->val, &e->swap_type, &e->pfn);
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
	[VMVIZ_UFFD_WP] = "uffd-wp",
	[VMVIZ_GUARD] = "guard",
	[VMVIZ_POISONED] = "poisoned",
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
#define PAGE_LINE_LEN	224
static_assert(PAGE_LINE_LEN > VMVIZ_PAGE_LINE_MAX);

/*
 * The eight lower-case hex digits of @v as the eight bytes to store, first
 * digit lowest (x86 is little-endian): each nibble spread to a byte of its
 * own, the bytes reversed, and each made '0'-'9' or 'a'-'f' without a
 * branch (a nibble of 10 or more carries into bit 4 when 6 is added).
 */
static u64 hex8(u32 v)
{
	u64 x = v, letters;

	x = (x | x << 16) & 0x0000ffff0000ffffULL;
	x = (x | x << 8) & 0x00ff00ff00ff00ffULL;
	x = (x | x << 4) & 0x0f0f0f0f0f0f0f0fULL;
	x = swab64(x);
	letters = ((x + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
	return x + 0x3030303030303030ULL + letters * ('a' - '0' - 10);
}

/*
 * @v in lower-case hex, at least @width digits, zero-padded (%0*lx). The
 * widths of addresses (16) and PFNs (10) are stored eight digits at a
 * time: they are most of a page line's bytes.
 */
static char *put_hex(char *p, unsigned long v, unsigned int width)
{
	char digits[16] __uninitialized;
	unsigned int n = 0;
	u64 hi, lo;

	if (width == 16) {
		hi = hex8(v >> 32);
		lo = hex8((u32)v);
		memcpy(p, &hi, 8);
		memcpy(p + 8, &lo, 8);
		return p + 16;
	}
	if (width == 10 && v < BIT_ULL(40)) {
		hi = hex8(v >> 32) >> 48;	/* its last two digits */
		lo = hex8((u32)v);
		memcpy(p, &hi, 2);
		memcpy(p + 2, &lo, 8);
		return p + 10;
	}

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
	char digits[20] __uninitialized;
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
 * The step between the PFNs of two neighbouring entries of @e's kind: swap
 * offsets count entries, migration, hwpoison and device entries and present
 * ones hold PFNs; markers hold none (0: every entry repeats the value 0).
 */
static unsigned long pfn_stride(const struct vmviz_entry *e)
{
	switch (e->state) {
	case VMVIZ_SWAP:
		return 1;
	case VMVIZ_UFFD_WP:
	case VMVIZ_GUARD:
	case VMVIZ_POISONED:
	case VMVIZ_MARKER:
		return 0;
	default:
		return level_size(e->level) >> PAGE_SHIFT;
	}
}

/*
 * The stride of @run's entries: none where the reader may not see PFNs,
 * whose entries then all show 0 and repeat ('='), so that neither the
 * numbers nor where lines break tell which frames are contiguous.
 */
static unsigned long run_stride(const struct vmviz_run *run)
{
	return run->pfn_hidden ? 0 : pfn_stride(&run->first);
}

/* The step a run shows: one entry alone goes up, or repeats if it has no PFN. */
static char run_step(const struct vmviz_run *run)
{
	if (run->step)
		return run->step;
	return run_stride(run) ? '+' : '=';
}

/* The PFN (or swap offset) of the last entry merged into @run. */
static unsigned long run_last_pfn(const struct vmviz_run *run)
{
	unsigned long moved = (run->count - 1) * run_stride(run);

	switch (run->step) {
	case '+':
		return run->first.pfn + moved;
	case '-':
		return run->first.pfn - moved;
	default:
		return run->first.pfn;
	}
}

/*
 * The frame flags that change most often, PG_referenced (set and cleared
 * by the LRU's aging at every access the kernel notices) and PG_active,
 * split no run of the frame detail: a page line counts the entries that
 * have each (docs/FORMAT.md, "Frame fields of page lines"). Root can ask
 * for the per-entry truth: with frame_split_lru set, runs split where
 * they change too, and every line's counts are 0 or its count.
 */
static bool frame_split_lru;
module_param(frame_split_lru, bool, 0644);
MODULE_PARM_DESC(frame_split_lru,
		 "Frame detail: also split page lines where PG_referenced or PG_active changes");

#define FF_COUNTED	(BIT(VMVIZ_FF_REFERENCED) | BIT(VMVIZ_FF_ACTIVE))

/*
 * The profile of make bench (vmviz.h, enum vmviz_prof): writing 1 to the
 * root-only parameter clears the sums and starts, 0 stops; reading it
 * shows "PHASE NS CALLS" per phase. Debugging aid: it adds a clock read
 * around every frame read and line while on.
 */
bool vmviz_prof_on;
atomic64_t vmviz_prof_ns[VMVIZ_NR_PROF], vmviz_prof_calls[VMVIZ_NR_PROF];

static const char *const prof_names[VMVIZ_NR_PROF] = {
	[VMVIZ_PROF_WALK] = "walk",
	[VMVIZ_PROF_FEED] = "feed",
	[VMVIZ_PROF_FRAME] = "frame",
	[VMVIZ_PROF_SHOW] = "show",
	[VMVIZ_PROF_ACCOUNT] = "account",
};

static int prof_set(const char *val, const struct kernel_param *kp)
{
	unsigned int i;
	bool on;
	int err;

	err = kstrtobool(val, &on);
	if (err)
		return err;
	if (on) {
		for (i = 0; i < VMVIZ_NR_PROF; i++) {
			atomic64_set(&vmviz_prof_ns[i], 0);
			atomic64_set(&vmviz_prof_calls[i], 0);
		}
	}
	WRITE_ONCE(vmviz_prof_on, on);
	return 0;
}

static int prof_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < VMVIZ_NR_PROF; i++)
		n += scnprintf(buf + n, PAGE_SIZE - n, "%s %lld %lld\n",
			       prof_names[i], atomic64_read(&vmviz_prof_ns[i]),
			       atomic64_read(&vmviz_prof_calls[i]));
	return n;
}

static const struct kernel_param_ops prof_ops = {
	.set = prof_set,
	.get = prof_get,
};
module_param_cb(prof, &prof_ops, NULL, 0600);
MODULE_PARM_DESC(prof, "make bench: time the walk's phases (1: clear and start)");

/*
 * The effective permission of an entry, frame detail only: the bits every
 * level of the path decides together, as the MMU does (user-mode writes
 * need RW, and any access needs USER, at every level; NX at any level
 * forbids fetches: Intel SDM vol. 3A, 4.6, "Access Rights") and as
 * effective_prot() of the x86 ptdump (arch/x86/mm/dump_pagetables.c)
 * computes them.
 */
#define EFF_BITS	(_PAGE_RW | _PAGE_USER | _PAGE_NX)

/* The upper levels above a leaf of a level are those from its own on. */
static_assert((int)VMVIZ_UP_PMD == (int)VMVIZ_PTE &&
	      (int)VMVIZ_UP_PUD == (int)VMVIZ_PMD &&
	      (int)VMVIZ_UP_P4D == (int)VMVIZ_PUD);

/*
 * What the path above a leaf of @level adds: *@and the RW and USER every
 * entry has, *@or the NX any has. The top entry counts as user mode walks
 * it: PTI's user copy (walk_user_top()).
 */
static void path_masks(const struct vmviz_path *p, enum vmviz_level level,
		       u64 *and, u64 *or)
{
	unsigned int i;
	u64 v;

	*and = _PAGE_RW | _PAGE_USER;
	*or = 0;
	for (i = level; i < VMVIZ_NR_UPPER; i++) {
		v = i == VMVIZ_UP_PGD ? p->user : p->val[i];
		if (!v)
			continue;	/* the P4D of 4-level paging */
		*and &= v;
		*or |= v & _PAGE_NX;
	}
}

/* The effective permission of @e under the path masks @and and @or. */
static u64 entry_eff(const struct vmviz_entry *e, u64 and, u64 or)
{
	return (e->hw & (_PAGE_RW | _PAGE_USER) & and) |
	       ((e->hw | or) & _PAGE_NX);
}

/* Whether two frames' fields are the same, but for flags outside @mask. */
static bool frame_same(const struct vmviz_frame *a, const struct vmviz_frame *b,
		       u16 mask)
{
	return a->kind == b->kind && a->order == b->order &&
	       !((a->flags ^ b->flags) & mask) && a->node == b->node &&
	       a->map_lo == b->map_lo && a->map_hi == b->map_hi;
}

/* Count @fr's flags of FF_COUNTED in @run, which it joined or began. */
static void run_count_frame(struct vmviz_run *run, const struct vmviz_frame *fr)
{
	run->referenced += !!(fr->flags & BIT(VMVIZ_FF_REFERENCED));
	run->active += !!(fr->flags & BIT(VMVIZ_FF_ACTIVE));
}

/*
 * After @val was merged into @run, or began it: present PTEs that follow
 * can be recognised by their raw value alone, which differs from @val by
 * one page frame (up, down) or not at all, with every other bit equal;
 * with PFNs hidden, by every bit but the PFN (@val_mask).
 */
static void run_arm(struct vmviz_run *run, const struct vmviz_entry *e, u64 val)
{
	run->last_val = val;
	run->fast = e->level == VMVIZ_PTE && e->state == VMVIZ_PRESENT &&
		    run->step;
	run->val_step = run->step == '+' ? PAGE_SIZE :
			run->step == '-' ? -(u64)PAGE_SIZE : 0;
	run->val_mask = run->pfn_hidden ? ~(u64)PTE_PFN_MASK : ~0ULL;
}

static void run_begin(struct vmviz_run *run, const struct vmviz_entry *e, u64 val)
{
	run->first = *e;
	run->end = e->end;
	run->count = 1;
	run->step = 0;
	run->open = true;
	run->frame_mask = READ_ONCE(frame_split_lru) ? U16_MAX :
			  (u16)~FF_COUNTED;
	run->referenced = 0;
	run->active = 0;
	run_count_frame(run, &e->frame);
	run_arm(run, e, val);
}

/*
 * Merge @e into @run if it continues it: it starts where the run ends, has
 * the same level, size, state, shown flags, soft-dirty bit, protection key
 * and swap type, the same frame fields but for the counted flags (unless
 * frame_split_lru), and its PFN (or swap offset) is the last one's plus one
 * entry ('+'), minus one entry ('-'), or the same ('=': present entries,
 * the shared zero page, and entries without a PFN). The second entry of a
 * run decides its step.
 */
static bool run_extend(struct vmviz_run *run, const struct vmviz_entry *e, u64 val)
{
	const struct vmviz_entry *f = &run->first;
	unsigned long stride = run_stride(run), last = run_last_pfn(run);
	bool repeats = f->state == VMVIZ_PRESENT || f->state == VMVIZ_PROTNONE ||
		       !stride;

	if (e->addr != run->end || e->level != f->level || e->state != f->state ||
	    e->hw != f->hw || e->eff != f->eff ||
	    e->soft_dirty != f->soft_dirty || e->pkey != f->pkey ||
	    e->swap_type != f->swap_type || e->end - e->addr != f->end - f->addr ||
	    !frame_same(&e->frame, &f->frame, run->frame_mask))
		return false;
	if (!run->step) {
		if (stride && e->pfn == last + stride)
			run->step = '+';
		else if (stride && e->pfn == last - stride)
			run->step = '-';
		else if (repeats && e->pfn == last)
			run->step = '=';
		else
			return false;
	} else if (e->pfn != (run->step == '+' ? last + stride :
			      run->step == '-' ? last - stride : last)) {
		return false;
	}
	run->end = e->end;
	run->count++;
	run_count_frame(run, &e->frame);
	run_arm(run, e, val);
	return true;
}

/* Add the base pages of @run to the counts of its VMA's sum line. */
static void run_count(const struct vmviz_run *run, struct vmviz_pgstat *st)
{
	const struct vmviz_entry *f = &run->first;
	unsigned long pages = (run->end - f->addr) >> PAGE_SHIFT;

	if (f->state == VMVIZ_SWAP)
		st->swapped += pages;
	if (f->state != VMVIZ_PRESENT && f->state != VMVIZ_PROTNONE) {
		st->nonpresent += pages;
		return;
	}
	st->present += pages;
	if (f->hw & _PAGE_DIRTY)
		st->dirty += pages;
	if (f->hw & _PAGE_ACCESSED)
		st->accessed += pages;
	if ((f->hw & _PAGE_RW) && f->state == VMVIZ_PRESENT)
		st->writable += pages;
	if (f->level != VMVIZ_PTE)
		st->huge += pages;
}

static const char *const kind_names[VMVIZ_NR_KINDS] = {
	[VMVIZ_KIND_NONE] = "-",
	[VMVIZ_KIND_ANON] = "anon",
	[VMVIZ_KIND_KSM] = "ksm",
	[VMVIZ_KIND_SHMEM] = "shmem",
	[VMVIZ_KIND_FILE] = "file",
	[VMVIZ_KIND_ZERO] = "zero",
	[VMVIZ_KIND_OTHER] = "other",
	[VMVIZ_KIND_HIDDEN] = "?",
};

/* The letters of the frame flag columns, in enum vmviz_fflag order. */
static const char fflag_letters[VMVIZ_NR_FFLAGS] = "LAURDWSMPX";

/*
 * The frame fields of a page line of the frame detail (docs/FORMAT.md,
 * "Frame fields of page lines"): " kind fflags order node map ref act",
 * where kind is left-aligned in 5 columns, fflags one column per flag, map
 * the mapcount of the entries' base pages, "LO-HI" when they differ, and
 * ref and act the entries whose folio has PG_referenced and PG_active,
 * whose letters R and A show only when every entry has them. Without a
 * frame: " -     ---------- - - - - -". A frame the reader may not inspect
 * (no access to /proc/kpageflags) shows only its node, which
 * /proc/PID/numa_maps shows that reader: " ?     ---------- - NODE - - -".
 */
static char *put_frame(char *p, const struct vmviz_run *run)
{
	const struct vmviz_frame *fr = &run->first.frame;
	u16 flags = fr->flags & ~FF_COUNTED;
	unsigned int i;

	if (run->referenced == run->count)
		flags |= BIT(VMVIZ_FF_REFERENCED);
	if (run->active == run->count)
		flags |= BIT(VMVIZ_FF_ACTIVE);
	*p++ = ' ';
	p = put_str(p, kind_names[fr->kind], 5);
	*p++ = ' ';
	for (i = 0; i < VMVIZ_NR_FFLAGS; i++)
		*p++ = flags & BIT(i) ? fflag_letters[i] : '-';
	if (fr->kind == VMVIZ_KIND_NONE) {
		memcpy(p, " - - - - -", 10);
		return p + 10;
	}
	if (fr->kind == VMVIZ_KIND_HIDDEN) {
		memcpy(p, " - ", 3);
		p = put_dec(p + 3, fr->node, 0);
		memcpy(p, " - - -", 6);
		return p + 6;
	}
	*p++ = ' ';
	p = put_dec(p, fr->order, 0);
	*p++ = ' ';
	p = put_dec(p, fr->node, 0);
	*p++ = ' ';
	p = put_dec(p, fr->map_lo, 0);
	if (fr->map_hi != fr->map_lo) {
		*p++ = '-';
		p = put_dec(p, fr->map_hi, 0);
	}
	*p++ = ' ';
	p = put_dec(p, run->referenced, 0);
	*p++ = ' ';
	return put_dec(p, run->active, 0);
}

/*
 * The effective permission of a page line of the frame detail: "=" where
 * it is the entry's own W, U and N, else the three columns "WUN" ('-'
 * where clear); "-" for entries that translate nothing (neither present
 * nor PROT_NONE).
 */
static char *put_eff(char *p, const struct vmviz_entry *f)
{
	*p++ = ' ';
	if (f->state != VMVIZ_PRESENT && f->state != VMVIZ_PROTNONE) {
		*p++ = '-';
	} else if (f->eff == (f->hw & EFF_BITS)) {
		*p++ = '=';
	} else {
		*p++ = f->eff & _PAGE_RW ? 'W' : '-';
		*p++ = f->eff & _PAGE_USER ? 'U' : '-';
		*p++ = f->eff & _PAGE_NX ? 'N' : '-';
	}
	return p;
}

/*
 * One page line (docs/FORMAT.md, "Page lines"), fields separated by blanks:
 *   level start-end count size state flags pfn step sd pkey swaptype
 * level: pte, pmd or pud; start-end: 16 hex digits each, end exclusive;
 * count: entries in the run; size: 4K, 2M or 1G per entry; state: present,
 * protnone, swap, migr-r, migr-rx, migr-w, hwpoison, uffd-wp, guard,
 * poisoned, marker, device; flags: see vmviz_show_hwflags(), all '-' unless
 * present or protnone; pfn: 10 hex digits, the first entry's PFN, its swap
 * offset, or 0 for markers; step: '+' when PFNs go up entry by entry, '-'
 * when they go down, '=' when they repeat; sd: soft-dirty 0/1; pkey: 0-15;
 * swaptype: the kernel's swap type of a non-present entry, '-' for present
 * ones.
 *
 * Shows @run, counts it and closes it.
 */
static void run_show(struct vmviz_run *run, struct vmviz_sink *sink)
{
	const struct vmviz_entry *f = &run->first;
	char line[PAGE_LINE_LEN] __uninitialized, *p = line;
	u64 t0 = vmviz_prof_start();

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
	*p++ = run_step(run);
	*p++ = ' ';
	*p++ = f->soft_dirty ? '1' : '0';
	*p++ = ' ';
	p = put_dec(p, f->pkey, 0);
	*p++ = ' ';
	if (f->state == VMVIZ_PRESENT || f->state == VMVIZ_PROTNONE)
		*p++ = '-';
	else
		p = put_dec(p, f->swap_type, 0);
	if (run->frames) {
		p = put_frame(p, run);
		p = put_eff(p, f);
	}
	*p++ = '\n';
	seq_write(sink->m, line, p - line);
	run_count(run, sink->st);
	(*sink->lines)++;
	if (sink->room)
		sink->room--;
	run->open = false;
	vmviz_prof_end(VMVIZ_PROF_SHOW, t0);
}

/* What a reader without access to /proc/kpageflags sees of @fr: its node. */
static void frame_hide(const struct vmviz_run *run, struct vmviz_frame *fr)
{
	int node = fr->node;

	if (!run->frames_hidden || fr->kind == VMVIZ_KIND_NONE)
		return;
	memset(fr, 0, sizeof(*fr));
	fr->kind = VMVIZ_KIND_HIDDEN;
	fr->node = node;
}

/*
 * Merge one leaf into the runs: it joins the open run or begins the next
 * one, and is always taken (its frame counted, once). Returns false when
 * the run it ended was shown and the record has no room for more lines:
 * the walk stops after this leaf, whose run travels in the cursor as any
 * open run does. @fr is its frame if already read (a PTE of the frame
 * detail), else NULL.
 */
static bool feed_leaf(struct vmviz_run *run, const struct vmviz_leaf *leaf,
		      struct vmviz_sink *sink, struct vmviz_frame_ctx *fc,
		      const struct vmviz_frame *fr)
{
	struct vmviz_entry e __uninitialized;	/* vmviz_decode() fills it */
	bool room = true;
	u64 and = 0, or = 0;

	vmviz_decode(leaf, &e);
	e.eff = 0;
	if (run->frames) {
		path_masks(&run->path, leaf->level, &and, &or);
		if (e.state == VMVIZ_PRESENT || e.state == VMVIZ_PROTNONE)
			e.eff = entry_eff(&e, and, or);
	}
	if (fr) {
		e.frame = *fr;
	} else if (run->frames) {
		u64 t0 = vmviz_prof_start();

		if (leaf->level == VMVIZ_PTE)
			vmviz_frame_pte(&e.frame, sink->mss, __pte(leaf->val), fc);
		else if (!sink->pfnmap)
			vmviz_frame_read(&e.frame, leaf, &e, sink->vma);
		vmviz_prof_end(VMVIZ_PROF_FRAME, t0);
		/* What this reader may not see is not shown, nor splits runs. */
		frame_hide(run, &e.frame);
	}
	if (run->pfn_hidden)
		e.pfn = 0;
	run->path_and = and;
	run->path_or = or;
	if (run->open) {
		if (run_extend(run, &e, leaf->val))
			return true;
		run_show(run, sink);
		room = !vmviz_sink_full(sink);
	}
	run_begin(run, &e, leaf->val);
	return room;
}

static const char *const upper_names[VMVIZ_NR_UPPER] = {
	[VMVIZ_UP_PMD] = "pmd",
	[VMVIZ_UP_PUD] = "pud",
	[VMVIZ_UP_P4D] = "p4d",
	[VMVIZ_UP_PGD] = "pgd",
};

/* What one entry of @level spans: the PGD's 256T with 5-level paging. */
static const char *upper_size(enum vmviz_upper level)
{
	switch (level) {
	case VMVIZ_UP_PMD:
		return "2M";
	case VMVIZ_UP_PUD:
		return "1G";
	case VMVIZ_UP_P4D:
		return "512G";
	default:
		return pgtable_l5_enabled() ? "256T" : "512G";
	}
}

/*
 * The bits an upper line shows: those of a page line but PSE (clear in an
 * entry that points to a table) and bit 12 (the table's address there).
 */
#define UPPER_FLAGS	(SHOWN_FLAGS & ~(_PAGE_PSE | _PAGE_PAT_LARGE))

/*
 * An upper line (docs/FORMAT.md, "Upper lines"):
 *   upper LEVEL START-END COUNT SIZE FLAGS TABLE STEP UCOPY
 * LEVEL: pgd, p4d, pud or pmd; START-END: the whole entries, END
 * exclusive; COUNT: entries; SIZE: the span of one; FLAGS: as a page
 * line's; TABLE: the PFN of the first entry's table, 10 hex digits (0 where
 * the reader may not see PFNs); STEP: as a page line's; UCOPY: on a pgd
 * line with PTI, the flags of the user-mode copy, else "-". Not a page
 * line: not counted in the end line, but it takes the record's room.
 */
static void upper_show(struct vmviz_urun *u, enum vmviz_upper level,
		       struct vmviz_sink *sink)
{
	char line[PAGE_LINE_LEN] __uninitialized, *p = line;

	memcpy(p, "  upper ", 8);
	p = put_str(p + 8, upper_names[level], 0);
	*p++ = ' ';
	p = put_hex(p, u->start, 16);
	*p++ = '-';
	p = put_hex(p, u->end, 16);
	*p++ = ' ';
	p = put_dec(p, u->count, 6);
	*p++ = ' ';
	p = put_str(p, upper_size(level), 0);
	*p++ = ' ';
	p = put_hwflags(p, u->hw, VMVIZ_PMD);
	*p++ = ' ';
	p = put_hex(p, u->pfn, 10);
	*p++ = ' ';
	/* A run of one goes up, or repeats where PFNs are hidden. */
	*p++ = u->step ? u->step : u->hidden ? '=' : '+';
	*p++ = ' ';
	if (level == VMVIZ_UP_PGD && boot_cpu_has(X86_FEATURE_PTI))
		p = put_hwflags(p, u->user, VMVIZ_PMD);
	else
		*p++ = '-';
	*p++ = '\n';
	seq_write(sink->m, line, p - line);
	if (sink->room)
		sink->room--;
	u->open = false;
	u->shown_end = u->end;
}

/*
 * Merge an upper entry the walk handed on into its level's run: entries
 * merge as page lines' do (next to each other, the same flags, the tables'
 * PFNs up or down by one, or the same where hidden). An entry the walk
 * handed on again because it changed after its line was made (a table
 * freed and another put in its place) is not shown twice: the path, which
 * the walk has updated, gives the effective permission of what follows.
 */
static void upper_feed(struct vmviz_run *run, const struct vmviz_batch *b,
		       struct vmviz_sink *sink)
{
	struct vmviz_urun *u = &run->up[b->ulevel];
	unsigned long pfn = run->pfn_hidden ? 0 :
			    (b->val & PTE_PFN_MASK) >> PAGE_SHIFT;
	u64 hw = b->val & UPPER_FLAGS, user = b->user & UPPER_FLAGS;
	unsigned long last;

	if (b->addr < u->shown_end || (u->open && b->addr < u->end))
		return;
	if (u->open && b->addr == u->end && hw == u->hw && user == u->user) {
		last = u->step == '-' ? u->pfn - (u->count - 1) :
		       u->step == '=' ? u->pfn : u->pfn + (u->count - 1);
		if (!u->step) {
			if (pfn == last + 1)
				u->step = '+';
			else if (pfn == last - 1)
				u->step = '-';
			else if (pfn == last)
				u->step = '=';
		}
		if (u->step && pfn == (u->step == '+' ? last + 1 :
				       u->step == '-' ? last - 1 : last)) {
			u->end = b->end;
			u->count++;
			return;
		}
	}
	if (u->open)
		upper_show(u, b->ulevel, sink);
	u->start = b->addr;
	u->end = b->end;
	u->count = 1;
	u->pfn = pfn;
	u->hw = hw;
	u->user = user;
	u->step = 0;
	u->hidden = run->pfn_hidden;
	u->open = true;
}

/* The body of vmviz_run_feed(), which times it for the profile. */
static unsigned int run_feed(struct vmviz_run *run, const struct vmviz_batch *b,
			     struct vmviz_sink *sink)
{
	struct vmviz_leaf leaf = { .level = b->level };
	struct vmviz_frame_ctx fc = {};
	unsigned long addr = b->addr, flags;
	struct vmviz_frame fr;
	u64 and = 0, or = 0;
	unsigned int i;

	if (b->upper) {
		upper_feed(run, b, sink);
		return 0;
	}
	if (b->level != VMVIZ_PTE) {
		leaf.addr = b->addr;
		leaf.end = b->end;
		leaf.val = b->val;
		feed_leaf(run, &leaf, sink, &fc, NULL);
		return 1;
	}
	if (run->frames) {
		/* smaps skips pfnmap VMAs and counts hugetlb ones apart. */
		flags = vmviz_vm_flags(sink->vma);
		fc.vma = sink->vma;
		fc.frames = !sink->pfnmap;
		fc.account = !(flags & (VM_PFNMAP | VM_HUGETLB));
		fc.locked = flags & VM_LOCKED;
		fc.cow = (flags & (VM_SHARED | VM_WRITE)) == VM_WRITE;
		fc.ptl = b->ptl;
		path_masks(&run->path, VMVIZ_PTE, &and, &or);
	}
	for (i = 0; i < b->nr; i++, addr += PAGE_SIZE) {
		u64 val = pte_val(b->ptes[i]);
		const struct vmviz_frame *have = NULL;

		if (pte_none(b->ptes[i]))
			continue;
		if (run->fast && addr == run->end &&
		    !(((val - run->val_step) ^ run->last_val) & run->val_mask) &&
		    run->path_and == and && run->path_or == or) {
			if (run->frames && val == run->last_val &&
			    (val & _PAGE_SPECIAL) && fc.zero_read &&
			    run->first.frame.kind == VMVIZ_KIND_ZERO) {
				/*
				 * The zero page again, read in this batch
				 * already (vmviz_frame_pte() says why once a
				 * batch is enough): smaps does not count it.
				 */
				have = &fc.zero;
			} else if (run->frames) {
				u64 t0 = vmviz_prof_start();

				vmviz_frame_pte(&fr, sink->mss, b->ptes[i], &fc);
				vmviz_prof_end(VMVIZ_PROF_FRAME, t0);
				frame_hide(run, &fr);
				have = &fr;
			}
			if (!have || frame_same(have, &run->first.frame,
						run->frame_mask)) {
				run->last_val = val;
				run->end += PAGE_SIZE;
				run->count++;
				if (have)
					run_count_frame(run, have);
				continue;
			}
		}
		leaf.addr = addr;
		leaf.end = addr + PAGE_SIZE;
		leaf.val = val;
		if (!feed_leaf(run, &leaf, sink, &fc, have))
			return i + 1;
	}
	return b->nr;
}

/**
 * vmviz_run_feed - merge a batch of entries into the page lines
 * @run: the open run, carried from batch to batch
 * @b: the batch, as the walker handed it on
 * @sink: where finished runs are shown and counted
 *
 * The inner loop runs over the copied table itself. A present PTE that
 * continues the run is merged on its raw value alone (run_arm()), in the
 * frame detail once its frame, read and counted (vmviz_frame_pte(): one
 * read of the struct page for both), has the run's frame fields; any other
 * entry is decoded and merged or begins a new run. Lines are made only
 * where a run ends.
 *
 * Context: in the frame detail a PTE batch comes with its table's lock
 * held (b->ptl): nothing here sleeps.
 *
 * Return: the number of entries of @b taken; fewer than b->nr when a line
 * filled the record: the walk goes on at the first entry not taken. A
 * PMD or PUD leaf is always taken.
 */
unsigned int vmviz_run_feed(struct vmviz_run *run, const struct vmviz_batch *b,
			    struct vmviz_sink *sink)
{
	u64 t0 = vmviz_prof_start();
	unsigned int taken = run_feed(run, b, sink);

	vmviz_prof_end(VMVIZ_PROF_FEED, t0);
	return taken;
}

/* Show the open run, if any: the walk of its VMA is over. */
void vmviz_run_flush(struct vmviz_run *run, struct vmviz_sink *sink)
{
	if (run->open)
		run_show(run, sink);
}

/*
 * Show the open runs of upper entries, lowest level first: the walk of
 * their VMA is over. Its sum line's record shows them, where there is room
 * for the four.
 */
void vmviz_run_flush_upper(struct vmviz_run *run, struct vmviz_sink *sink)
{
	unsigned int i;

	for (i = 0; i < VMVIZ_NR_UPPER; i++)
		if (run->up[i].open)
			upper_show(&run->up[i], i, sink);
}

