/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmviz: declarations shared by the walker (walk.c), the page-run formatter
 * (pgrun.c), the report producer (report.c) and the procfs glue (main.c).
 */
#ifndef VMVIZ_H
#define VMVIZ_H

#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/siphash.h>

struct pid;

/* Page-table level of a leaf: a PTE (4K), a PMD (2M) or a PUD (1G). */
enum vmviz_level {
	VMVIZ_PTE,
	VMVIZ_PMD,
	VMVIZ_PUD,
};

/* One non-empty leaf entry as the walker found it. */
struct vmviz_leaf {
	unsigned long addr;	/* first address, clipped to the walked range */
	unsigned long end;	/* one past the last address, clipped too */
	u64 val;		/* the raw hardware entry */
	enum vmviz_level level;
};

/*
 * Called for each leaf in address order. A non-zero return stops the walk;
 * vmviz_walk() then returns that leaf's address so the caller can resume
 * there.
 */
typedef int (*vmviz_leaf_fn)(void *arg, const struct vmviz_leaf *leaf);

/* Entries one PTE table holds: the size of the walker's copy buffer. */
#define VMVIZ_PTES_PER_TABLE	PTRS_PER_PTE

unsigned long vmviz_walk(struct mm_struct *mm, unsigned long start,
			 unsigned long end, pte_t *buf, vmviz_leaf_fn fn,
			 void *arg);

/* What an entry is, decoded from its raw bits. */
enum vmviz_state {
	VMVIZ_PRESENT,		/* P set */
	VMVIZ_PROTNONE,		/* P clear, PROT_NONE (or being split) */
	VMVIZ_SWAP,		/* swapped out: type is the swap device */
	VMVIZ_MIGR_READ,	/* migration entries */
	VMVIZ_MIGR_READ_EXCL,
	VMVIZ_MIGR_WRITE,
	VMVIZ_HWPOISON,
	VMVIZ_MARKER,		/* PTE marker: uffd-wp, guard region */
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
	unsigned long pfn;	/* PFN, or the swap offset */
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

void vmviz_pgstat_add(struct vmviz_pgstat *st, const struct vmviz_entry *e);

/*
 * The run-length state of the page lines: consecutive entries of one level,
 * state and flags whose PFNs (or swap offsets) follow on, or repeat as the
 * shared zero page does, make one line.
 */
struct vmviz_run {
	struct vmviz_entry first;
	unsigned long end;		/* end of the last entry merged */
	unsigned long count;		/* entries merged */
	unsigned long next_pfn;		/* PFN the next entry must have */
	char step;			/* '+' PFNs follow on, '=' repeat */
	bool open;
};

bool vmviz_run_extend(struct vmviz_run *run, const struct vmviz_entry *e);
void vmviz_run_begin(struct vmviz_run *run, const struct vmviz_entry *e);
void vmviz_run_show(struct seq_file *m, const struct vmviz_run *run);
void vmviz_show_hwflags(struct seq_file *m, u64 hw, enum vmviz_level level);

/* Hashed identity of a kernel object: never the pointer itself. */
void vmviz_report_init(void);
u64 vmviz_hash_ptr(const void *ptr);

/* The report: open a report of @pid (NULL: the opener itself). */
int vmviz_report_open(struct file *file, struct pid *pid);
int vmviz_report_release(struct inode *inode, struct file *file);

#endif /* VMVIZ_H */
