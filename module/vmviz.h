/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmviz: declarations shared by the walker (walk.c), the page-run formatter
 * (pgrun.c), the report producer (report.c) and the procfs glue (main.c).
 */
#ifndef VMVIZ_H
#define VMVIZ_H

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>

#include "kwalk.h"

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
 * The upper levels of the tree, whose entries point to tables: the frame
 * detail's upper lines. With 4-level paging the top level (Linux's PGD, the
 * P4D folded into it) is VMVIZ_UP_PGD and VMVIZ_UP_P4D is never used.
 */
enum vmviz_upper {
	VMVIZ_UP_PMD,
	VMVIZ_UP_PUD,
	VMVIZ_UP_P4D,
	VMVIZ_UP_PGD,
	VMVIZ_NR_UPPER,
};

/*
 * The upper entries the walk handed on last, one per level: the path to
 * the leaves it hands on next. Kept by the caller from one walk to the
 * next (a walk lives within one hold of the lock) for the whole report:
 * each entry is handed on once.
 */
struct vmviz_path {
	unsigned long start[VMVIZ_NR_UPPER];	/* the entry's span */
	u64 val[VMVIZ_NR_UPPER];		/* raw; 0: none handed on */
	u64 user;	/* PTI: the top entry's user-mode copy; else its val */
};

/*
 * What the walker hands on in one step: the copied PTEs of one table that
 * lie in the walked range, from the first non-empty one to the last, or
 * one huge leaf; or, in the frame detail, one upper entry (@upper: nr 0,
 * its whole span, val the entry, user the top entry's user-mode copy).
 */
struct vmviz_batch {
	unsigned long addr;	/* address of the first entry */
	unsigned long end;	/* one past the last address */
	enum vmviz_level level;
	unsigned int nr;	/* entries: ptes[0..nr) or the one huge leaf */
	const pte_t *ptes;	/* VMVIZ_PTE: the copies; may hold empty ones */
	u64 val;		/* VMVIZ_PMD, VMVIZ_PUD: the raw leaf */
	bool upper;		/* an upper entry of level @ulevel */
	enum vmviz_upper ulevel;
	u64 user;
	/*
	 * VMVIZ_PTE of a walk with @lock_ptes: the table's lock, held (with
	 * RCU) until vmviz_walk_done(); the copies are then the live entries,
	 * but for the accessed and dirty bits the MMU sets without it.
	 */
	spinlock_t *ptl;
};

/* Table levels below the PGD, for the page-table tree of the frame detail. */
enum vmviz_table {
	VMVIZ_TABLE_PTE,
	VMVIZ_TABLE_PMD,
	VMVIZ_TABLE_PUD,
	VMVIZ_TABLE_P4D,	/* only with 5-level paging */
	VMVIZ_NR_TABLES,
};

/* Buckets of used entries: 0, 1, 2-3, 4-7, ..., 256-511, 512. */
#define VMVIZ_TABLE_HIST	11

/* The tables of one level the walk entered, each counted once. */
struct vmviz_tstat {
	unsigned long count;		/* tables */
	unsigned long used;		/* non-empty entries in them */
	unsigned int min, max;		/* of used entries per table */
	unsigned long hist[VMVIZ_TABLE_HIST];
	unsigned long last_key;		/* address >> shift of the last one */
};

struct vmviz_tables {
	struct vmviz_tstat level[VMVIZ_NR_TABLES];
	unsigned long deposited;	/* PTE tables kept under anon PMD leaves */
};

/* PMDs a walk copies at a time, with interrupts off (walk.c, read_pmds()). */
#define VMVIZ_PMD_CHUNK	32

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
	struct vmviz_tables *tables;	/* NULL, or count the tables entered */
	struct vmviz_path *path;	/* NULL, or hand on upper entries */
	bool lock_ptes;		/* hand PTE batches on under the table's lock */
	bool blocked;		/* a lock the step needs is held: wait, retry */
	/*
	 * walk.c's own, zero to begin with: the PUD being walked and its PMDs
	 * copied and not yet walked, kept from one step to the next of one
	 * hold of the lock (a walk struct lives no longer than that).
	 */
	unsigned long plain_end;	/* no shared hugetlb VMA below */
	pud_t *pudp;		/* NULL: nothing kept */
	pud_t pud;		/* *pudp as read */
	unsigned long pmd_end;	/* the PUD's part of the walked range ends */
	unsigned long pmd_addr;	/* the address pmds[pmd_next] maps */
	unsigned int pmd_next, pmd_nr;
	pmd_t pmds[VMVIZ_PMD_CHUNK];
};

/* Entries one PTE table holds: the size of the walker's copy buffer. */
#define VMVIZ_PTES_PER_TABLE	PTRS_PER_PTE

bool vmviz_walk_next(struct vmviz_walk *w, struct vmviz_batch *b);
void vmviz_walk_done(struct vmviz_batch *b);

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

/* What a frame is, for the frame fields of page lines (frame detail). */
enum vmviz_kind {
	VMVIZ_KIND_NONE,	/* no frame: not present, special, offline */
	VMVIZ_KIND_ANON,
	VMVIZ_KIND_KSM,
	VMVIZ_KIND_SHMEM,	/* swap-backed, not anonymous */
	VMVIZ_KIND_FILE,	/* page cache */
	VMVIZ_KIND_ZERO,	/* the shared zero page, the huge zero folio */
	VMVIZ_KIND_OTHER,	/* a kernel page inserted into a VMA */
	VMVIZ_KIND_HIDDEN,	/* a frame this reader may not inspect */
	VMVIZ_NR_KINDS,
};

/* Frame flags, one column each (docs/FORMAT.md, "Frame fields"). */
enum vmviz_fflag {
	VMVIZ_FF_LRU,
	VMVIZ_FF_ACTIVE,
	VMVIZ_FF_UNEVICTABLE,
	VMVIZ_FF_REFERENCED,
	VMVIZ_FF_DIRTY,
	VMVIZ_FF_WRITEBACK,
	VMVIZ_FF_SWAPCACHE,
	VMVIZ_FF_MLOCKED,
	VMVIZ_FF_PINNED,
	VMVIZ_FF_EXCLUSIVE,
	VMVIZ_NR_FFLAGS,
};

/*
 * The frame behind an entry: entries merge into one run only where this is
 * the same, field by field but for the counted flags (pgrun.c,
 * frame_same()). All zero for entries without a frame and outside the
 * frame detail.
 */
struct vmviz_frame {
	u8 kind;		/* enum vmviz_kind */
	u8 order;		/* folio order */
	u16 flags;		/* BIT(enum vmviz_fflag) */
	int node;
	int map_lo, map_hi;	/* mapcounts of the entry's base pages */
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
	u64 eff;		/* frame detail: effective RW, USER, NX */
	struct vmviz_frame frame;	/* frame detail only */
};

void vmviz_decode(const struct vmviz_leaf *leaf, struct vmviz_entry *e);

/* Counts of one VMA's pages, in base pages. */
struct vmviz_pgstat {
	unsigned long present, dirty, accessed, writable, huge, swapped;
	unsigned long nonpresent;	/* swap, migration and other entries */
};

/* A run of upper entries of one level: one upper line. */
struct vmviz_urun {
	unsigned long start, end;	/* whole entries */
	unsigned long count;
	unsigned long pfn;		/* of the first entry's table */
	u64 hw, user;			/* shown flags; the user copy's */
	unsigned long shown_end;	/* entries below are shown already */
	char step;
	bool hidden;			/* PFNs hidden: all 0 */
	bool open;
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
	u64 val_mask;			/* raw bits the fast path compares */
	char step;			/* '+', '-', '=', or 0 while count is 1 */
	bool fast;			/* the fast path applies */
	bool open;
	bool frames;			/* frame detail: read and show frames */
	bool pfn_hidden;		/* PFNs and swap offsets shown as 0 */
	bool frames_hidden;		/* frame fields but the node hidden */
	u16 frame_mask;			/* frame flags that split runs */
	unsigned long referenced;	/* entries whose folio has PG_referenced */
	unsigned long active;		/* entries whose folio has PG_active */
	/* Frame detail: the path to the entries, its runs of upper entries. */
	struct vmviz_path path;
	u64 path_and, path_or;		/* of the path the last entry had */
	struct vmviz_urun up[VMVIZ_NR_UPPER];
};

/* Where page lines go, and when the formatter must stop writing them. */
struct vmviz_sink {
	struct seq_file *m;
	struct vmviz_pgstat *st;	/* every line shown is counted here */
	unsigned long *lines;		/* page lines shown in the report */
	unsigned int room;		/* lines this record may still take */
	struct vm_area_struct *vma;	/* the VMA walked, locked */
	bool pfnmap;			/* VM_PFNMAP: its PFNs have no frames */
	struct vmviz_mss *mss;		/* frame detail: PTEs counted here */
};

/*
 * Longer than the longest page line. A record of page lines ends while the
 * seq_file buffer still has this much room: a record that overflows the
 * buffer is thrown away and made again by the next read().
 */
#define VMVIZ_PAGE_LINE_MAX	192

static inline bool vmviz_sink_full(const struct vmviz_sink *sink)
{
	return !sink->room || sink->m->size - sink->m->count < VMVIZ_PAGE_LINE_MAX;
}

unsigned int vmviz_run_feed(struct vmviz_run *run, const struct vmviz_batch *b,
			    struct vmviz_sink *sink);
void vmviz_run_flush(struct vmviz_run *run, struct vmviz_sink *sink);
void vmviz_run_flush_upper(struct vmviz_run *run, struct vmviz_sink *sink);
void vmviz_show_hwflags(struct seq_file *m, u64 hw, enum vmviz_level level);

/*
 * The memory of the frames a VMA's entries map, as smaps counts it
 * (fs/proc/task_mmu.c, struct mem_size_stats): bytes; the pss_* and
 * swap_pss in bytes << 12. Only u64 members: vmviz_smaps_add() adds them
 * one by one.
 */
struct vmviz_mss {
	u64 resident, shared_clean, shared_dirty, private_clean, private_dirty;
	u64 referenced, anonymous, lazyfree, anonymous_thp, shmem_thp, file_thp;
	u64 swap, ksm;
	u64 cow_copy, cow_reuse;	/* write-protected anon pages of a COW VMA */
	u64 shmem_hidden;	/* object swap behind entries (private shmem) */
	u64 pss, pss_anon, pss_file, pss_shmem, pss_dirty, pss_locked, swap_pss;
};

/* A shmem VMA's object in swap, counted without the VMA's lock. */
struct vmviz_shmem_swap {
	struct file *file;	/* a reference, dropped by the count */
	pgoff_t start, end;	/* the object's pages the walk covered */
	bool whole;		/* the object's own count: all of it mapped */
	bool hidden;		/* minus the swap behind the entries walked */
};

/* What vmviz_frame_pte() does for the PTEs of one VMA. */
struct vmviz_frame_ctx {
	struct vm_area_struct *vma;	/* locked by the caller */
	bool frames;			/* read the frame fields */
	bool account;			/* count as smaps: not pfnmap, hugetlb */
	bool locked;			/* VM_LOCKED */
	bool cow;			/* private and writable */
	spinlock_t *ptl;		/* the PTE table's lock, held */
	bool zero_read;			/* @zero holds the zero page's fields */
	struct vmviz_frame zero;
};

/* smaps.c, built where there are folios; compat.h stubs them elsewhere. */
#ifdef VMVIZ_HAVE_FOLIO
void vmviz_frame_pte(struct vmviz_frame *fr, struct vmviz_mss *mss, pte_t pte,
		     struct vmviz_frame_ctx *fc);
void vmviz_smaps_account(struct vmviz_mss *mss, struct vmviz_tables *tables,
			 struct vm_area_struct *vma, const struct vmviz_batch *b,
			 unsigned int taken);
void vmviz_smaps_add(struct vmviz_mss *total, const struct vmviz_mss *mss);
void vmviz_smaps_show(struct seq_file *m, const struct vmviz_mss *mss);
void vmviz_frame_read(struct vmviz_frame *fr, const struct vmviz_leaf *leaf,
		      const struct vmviz_entry *e, struct vm_area_struct *vma);
bool vmviz_smaps_shmem_get(struct vmviz_shmem_swap *sw,
			   struct vm_area_struct *vma, unsigned long from);
void vmviz_smaps_shmem_put(struct vmviz_mss *mss, struct vmviz_shmem_swap *sw);
#endif

/*
 * A profile of the walk of every reader for make bench (vmviz_bench -q):
 * time and calls per phase, summed while the module parameter prof is set
 * (pgrun.c). Off, a phase pays one test of a bool.
 */
enum vmviz_prof {
	VMVIZ_PROF_WALK,	/* vmviz_walk_next() */
	VMVIZ_PROF_FEED,	/* vmviz_run_feed(), FRAME and SHOW included */
	VMVIZ_PROF_FRAME,	/* a frame read (and a PTE's counted) */
	VMVIZ_PROF_SHOW,	/* a page line made and written */
	VMVIZ_PROF_ACCOUNT,	/* vmviz_smaps_account(): PMDs, shmem swap */
	VMVIZ_NR_PROF,
};

extern bool vmviz_prof_on;
extern atomic64_t vmviz_prof_ns[VMVIZ_NR_PROF], vmviz_prof_calls[VMVIZ_NR_PROF];

static inline u64 vmviz_prof_start(void)
{
	return READ_ONCE(vmviz_prof_on) ? ktime_get_mono_fast_ns() : 0;
}

static inline void vmviz_prof_end(enum vmviz_prof phase, u64 t0)
{
	if (!t0)
		return;
	atomic64_add(ktime_get_mono_fast_ns() - t0, &vmviz_prof_ns[phase]);
	atomic64_inc(&vmviz_prof_calls[phase]);
}

/*
 * The process a report file stands for: the data of its proc entries.
 * @removing is set (under the module's lock) before the file is removed;
 * a read waiting for the target's lock sees it and ends (report.c), and a
 * call that begins after it fails at once (vmviz_target_enter()).
 * @inflight counts the open(), read() and lseek() calls on the file past
 * vmviz_target_enter(): the file is removed only when none is left
 * (vmviz_target_idle(), main.c).
 */
struct vmviz_target {
	struct pid *pid;
	bool removing;
	atomic_t inflight;
};

/* The self files': no pid (the opener), removing at unload (main.c). */
extern struct vmviz_target vmviz_self;

bool vmviz_target_enter(struct vmviz_target *tg);
void vmviz_target_leave(struct vmviz_target *tg);
bool vmviz_target_idle(struct vmviz_target *tg);

/* The report: open a report of @tg (no pid: the opener itself). */
void vmviz_report_init(void);
int vmviz_report_open(struct file *file, struct vmviz_target *tg);
int vmviz_report_open_frames(struct file *file, struct vmviz_target *tg);
ssize_t vmviz_report_read_iter(struct kiocb *iocb, struct iov_iter *to);
loff_t vmviz_report_lseek(struct file *file, loff_t offset, int whence);
int vmviz_report_release(struct inode *inode, struct file *file);

/* What the opener of a report may see of it (access.c). */
struct vmviz_access {
	bool pfn;	/* PFNs and swap offsets, as pagemap shows them */
	bool frames;	/* folio flags, order and mapcounts, as kpageflags */
};

int vmviz_access_init(void);
void vmviz_access_exit(void);
int vmviz_access_open(struct file *file, struct pid *pid, bool frames,
		      bool has_mm, struct vmviz_access *acc);

/* The frame-detail files, /proc/vmviz/frames/ (frames.c). */
struct proc_dir_entry;
int vmviz_frames_init(struct proc_dir_entry *parent);
struct proc_dir_entry *vmviz_frames_add(const char *name,
					struct vmviz_target *tg);

/* The kernel half (khalf.c); its walker is kwalk.h's. */
int vmviz_khalf_init(struct proc_dir_entry *parent);
int vmviz_access_kallsyms(struct file *file);
void vmviz_show_provenance(struct seq_file *m);
void vmviz_show_size(struct seq_file *m, u64 bytes);

#endif /* VMVIZ_H */
