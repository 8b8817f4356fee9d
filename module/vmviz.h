/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmviz: declarations shared by the walker (walk.c), the page-run formatter
 * (pgrun.c), the report producer (report.c) and the procfs glue (main.c).
 */
#ifndef VMVIZ_H
#define VMVIZ_H

#include <linux/mm.h>
#include <linux/seq_file.h>

struct pid;

/* Page-table level of a leaf: a PTE (4K), a PMD (2M) or a PUD (1G). */
enum vmviz_level {
	VMVIZ_PTE,
	VMVIZ_PMD,
	VMVIZ_PUD,
};

/* One non-empty leaf entry, decoded by pgrun.c. */
struct vmviz_leaf {
	unsigned long addr;	/* first address, clipped to the walked range */
	unsigned long end;	/* one past the last address, clipped too */
	u64 val;		/* the raw hardware entry */
	enum vmviz_level level;
};

/*
 * What the walker hands on in one step: the copied PTEs of one table that
 * lie in the walked range, from the first non-empty one to the last, or
 * one huge leaf.
 */
struct vmviz_batch {
	unsigned long addr;	/* address of the first entry */
	unsigned long end;	/* one past the last address */
	enum vmviz_level level;
	unsigned int nr;	/* entries: ptes[0..nr) or the one huge leaf */
	const pte_t *ptes;	/* VMVIZ_PTE: the copies; may hold empty ones */
	u64 val;		/* VMVIZ_PMD, VMVIZ_PUD: the raw leaf */
};

/*
 * A resumable walk of [addr, end). @addr is where the next step begins:
 * any page boundary, inside a table or not. @work counts the entries read
 * (upper-level entries and PTEs copied) since the caller last cleared it:
 * the walker stops when it reaches @budget, wherever it is.
 */
struct vmviz_walk {
	struct mm_struct *mm;
	struct vm_area_struct *vma;	/* read-locked itself; NULL: mmap lock */
	unsigned long addr;
	unsigned long end;
	pte_t *buf;		/* VMVIZ_PTES_PER_TABLE entries */
	unsigned long work;
	unsigned long budget;
};

/* Entries one PTE table holds: the size of the walker's copy buffer. */
#define VMVIZ_PTES_PER_TABLE	PTRS_PER_PTE

bool vmviz_walk_next(struct vmviz_walk *w, struct vmviz_batch *b);

/* What an entry is, decoded from its raw bits. */
enum vmviz_state {
	VMVIZ_PRESENT,		/* P set */
	VMVIZ_PROTNONE,		/* P clear, PROT_NONE (or being split) */
	VMVIZ_SWAP,		/* swapped out: type is the swap device */
	VMVIZ_MIGR_READ,	/* migration entries */
	VMVIZ_MIGR_READ_EXCL,
	VMVIZ_MIGR_WRITE,
	VMVIZ_HWPOISON,
	VMVIZ_UFFD_WP,		/* PTE markers: userfaultfd write-protect, */
	VMVIZ_GUARD,		/* a MADV_GUARD_INSTALL guard page, */
	VMVIZ_POISONED,		/* a failed swapin (6.1: swapin-error entry), */
	VMVIZ_MARKER,		/* another kind */
	VMVIZ_DEVICE,		/* device-private or device-exclusive */
	VMVIZ_NR_STATES,
};

/* A leaf decoded: the hardware view plus the kernel's swap view. */
struct vmviz_entry {
	unsigned long addr;
	unsigned long end;
	enum vmviz_level level;
	enum vmviz_state state;
	u64 hw;			/* hardware flag bits (present/protnone only) */
	unsigned long pfn;	/* PFN, swap offset, or 0 (markers) */
	unsigned int swap_type;	/* the kernel's swap type (non-present) */
	unsigned int pkey;	/* protection key, bits 59-62 */
	bool soft_dirty;
};

void vmviz_decode(const struct vmviz_leaf *leaf, struct vmviz_entry *e);

/* Counts of one VMA's pages, in base pages. */
struct vmviz_pgstat {
	unsigned long present, dirty, accessed, writable, huge, swapped;
	unsigned long nonpresent;	/* swap, migration and other entries */
};

/*
 * The run-length state of the page lines: consecutive entries of one level,
 * state and flags whose PFNs (or swap offsets) go up by one entry ('+'),
 * down by one entry ('-'), or repeat ('=': the zero page, markers) make one
 * line. @last_val and @val_step let present PTEs that continue the run be
 * merged on their raw value, without decoding them.
 */
struct vmviz_run {
	struct vmviz_entry first;
	unsigned long end;		/* end of the last entry merged */
	unsigned long count;		/* entries merged */
	u64 last_val;			/* raw value of the last entry merged */
	u64 val_step;			/* raw step of the fast path */
	char step;			/* '+', '-', '=', or 0 while count is 1 */
	bool fast;			/* the fast path applies */
	bool open;
};

/* Where page lines go, and when the formatter must stop writing them. */
struct vmviz_sink {
	struct seq_file *m;
	struct vmviz_pgstat *st;	/* every line shown is counted here */
	unsigned long *lines;		/* page lines shown in the report */
	unsigned int room;		/* lines this record may still take */
};

/*
 * Longer than the longest page line. A record of page lines ends while the
 * seq_file buffer still has this much room: a record that overflows the
 * buffer is thrown away and made again by the next read().
 */
#define VMVIZ_PAGE_LINE_MAX	128

static inline bool vmviz_sink_full(const struct vmviz_sink *sink)
{
	return !sink->room || sink->m->size - sink->m->count < VMVIZ_PAGE_LINE_MAX;
}

unsigned int vmviz_run_feed(struct vmviz_run *run, const struct vmviz_batch *b,
			    struct vmviz_sink *sink);
void vmviz_run_flush(struct vmviz_run *run, struct vmviz_sink *sink);
void vmviz_show_hwflags(struct seq_file *m, u64 hw, enum vmviz_level level);

/* The report: open a report of @pid (NULL: the opener itself). */
void vmviz_report_init(void);
int vmviz_report_open(struct file *file, struct pid *pid);
int vmviz_report_release(struct inode *inode, struct file *file);

#endif /* VMVIZ_H */
