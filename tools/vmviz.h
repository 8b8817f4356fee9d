/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmviz, the reader: a parsed /proc/vmviz report (docs/FORMAT.md) and the
 * declarations shared by the views.
 */
#ifndef VMVIZ_H
#define VMVIZ_H

#include <err.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* The one report format version this reader understands (/work/spec-v2.md). */
/* printf-style checking, spelled as the kernel spells it. */
#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

#define VMVIZ_FORMAT_VERSION	2

#define VMVIZ_DIR	"/proc/vmviz"

/* Exit codes, also in vmviz.8 */
enum vmviz_exit {
	VMVIZ_EXIT_OK = 0,
	VMVIZ_EXIT_FAILURE = 1,		/* I/O, no entry at ADDR, anything else */
	VMVIZ_EXIT_USAGE = 2,		/* the command line: what to type instead */
	VMVIZ_EXIT_PERM = 3,		/* not root / no CAP_SYS_ADMIN */
	VMVIZ_EXIT_NOPROC = 4,		/* no such process */
	VMVIZ_EXIT_VANISHED = 5,	/* the process exited while being read */
	VMVIZ_EXIT_FORMAT = 6,		/* unknown version or malformed report */
	VMVIZ_EXIT_NOMODULE = 7,	/* /proc/vmviz missing */
};

#define VMVIZ_NFIELDS	13
#define VMVIZ_NCOUNTERS	10
#define VMVIZ_NSEGS	10
#define VMVIZ_NSMAPS	23	/* smaps fields of a frame-detail sum or rollup line */
#define VMVIZ_NTABLES	4	/* table levels: pte, pmd, pud, p4d */
#define VMVIZ_NHIST	11	/* fill buckets: 0, 1, 2-3, ..., 256-511, 512 */

/* The smaps fields of frame detail (docs/FORMAT.md, "Frame detail"), in line order. */
enum {
	SM_RSS, SM_PSS, SM_PSS_DIRTY, SM_PSS_ANON, SM_PSS_FILE, SM_PSS_SHMEM,
	SM_SHARED_CLEAN, SM_SHARED_DIRTY, SM_PRIVATE_CLEAN, SM_PRIVATE_DIRTY,
	SM_REFERENCED, SM_ANONYMOUS, SM_KSM, SM_LAZYFREE, SM_ANON_HUGE, SM_SHMEM_PMD,
	SM_FILE_PMD, SM_SWAP, SM_SWAP_PSS, SM_LOCKED, SM_USS, SM_COW_COPY, SM_COW_REUSE,
};

struct vmviz_page {
	char level[4];			/* pte, pmd, pud */
	unsigned long start, end;	/* END exclusive */
	unsigned long count;		/* entries */
	unsigned long entry_size;	/* bytes one entry maps */
	char size[4];			/* 4K, 2M, 1G */
	char state[12];
	char flags[12];			/* 11 letters */
	unsigned long pfn;
	char step;			/* '+', '-' or '=' */
	int sd, pkey, swaptype;		/* swaptype -1 for '-' */
	int vma;			/* index of its VMA */
	/* Frame detail only ("Frame fields of page lines"); -1 for '-'. */
	char kind[8];			/* anon ksm shmem file zero other, "-" */
	char fflags[12];		/* 10 letters */
	int order, node;
	long map_lo, map_hi;		/* equal unless the line shows LO-HI */
	long ref, act;			/* entries with PG_referenced, PG_active, or -1 */
	bool refact;			/* the line has ref and act (fields 17, 18) */
	/*
	 * Frame detail with tables (field 19): the effective W U N of a
	 * present or protnone entry, "W-N" style, the entry's own when the
	 * line says '='; "" for other states and in files without it.
	 */
	char eff[4];
};

/* Levels of upper lines, root first (struct vmviz_upper.lvl). */
enum { UP_PGD, UP_P4D, UP_PUD, UP_PMD, UP_NLEVELS };

/*
 * An upper line of frame detail with tables ("detail frames tables"): a
 * run of entries pointing to tables on the walk's path to a VMA's leaves.
 */
struct vmviz_upper {
	char level[4];			/* pgd, p4d, pud, pmd */
	int lvl;			/* UP_* */
	unsigned long start, end;	/* whole entries, END exclusive */
	unsigned long count;		/* entries */
	unsigned long entry_size;	/* bytes one entry spans */
	char size[6];			/* 2M, 1G, 512G, 256T */
	char flags[12];			/* 11 letters, as a page line's */
	unsigned long table;		/* PFN of the first entry's table */
	char step;			/* '+', '-' or '=': one table per entry */
	char ucopy[12];			/* pgd under PTI: the user copy's flags, else "" */
	int vma;			/* index of its VMA */
};

struct vmviz_vma {
	unsigned long start, end;
	char perm[5];
	unsigned long long offset;
	char *name;			/* unescaped */
	char seg[16];
	unsigned long flags;
	char *vm;			/* decoded vm_flags */
	unsigned long prot;
	char protflags[12];
	int anon, pkey;
	/* From its sum line: over sum_start..sum_end, the part read. */
	unsigned long sum_start, sum_end;
	unsigned long present, dirty, accessed, writable, huge, swapped, nonpresent;
	int npages;			/* its page lines */
	int nuppers;			/* its upper lines */
	unsigned int states;		/* of its page lines: bit i for vmviz_states[i] */
};

/* A table line of frame detail: the tables of one level. */
struct vmviz_tlevel {
	char level[4];			/* pte, pmd, pud, p4d */
	unsigned long count, used, min, max, bytes;
	unsigned long hist[VMVIZ_NHIST];
};

/* A clock reading of the report line: seconds and nanoseconds. */
struct vmviz_time {
	unsigned long long sec;
	unsigned long nsec;
};

struct vmviz_range {
	unsigned long start, end;
};

/* What vmviz_next() keeps of the body as it reads it (struct vmviz_report.keep). */
enum {
	VMVIZ_KEEP_VMAS = 1 << 0,	/* every VMA, with its sums: r->vmas */
	VMVIZ_KEEP_PAGES = 1 << 1,	/* page lines overlapping keep_lo..keep_hi: r->pages */
};

/* What vmviz_next() read: a vma, page, sum or upper line, or the end. */
enum vmviz_item { VMVIZ_END, VMVIZ_VMA, VMVIZ_PAGE, VMVIZ_SUM, VMVIZ_UPPER };

struct vmviz_parser;

/*
 * A report: its header, parsed when it is loaded, and its body, read line
 * by line with vmviz_next() (docs/FORMAT.md). Only what r->keep asks for is
 * kept: memory follows what a view needs, not the size of the report.
 */
struct vmviz_report {
	char source[1024];		/* "pid 123" or the file name, escaped */
	FILE *in;			/* the report: a file, or a copy of a live one */
	struct vmviz_parser *ps;
	int version;
	char *kernel_release;		/* unescaped: print with vmviz_esc() */
	char boot_id[40];
	struct vmviz_time time, boottime;
	int pid, tgid;
	char kind[16];
	char state;
	char *comm;			/* unescaped: print with vmviz_esc() */
	char mm_id[20];			/* 16 hex digits (ctx_id) or none */
	char active[8];			/* own, none, other */
	unsigned long users, count;
	unsigned long page_size;
	int levels;
	unsigned long task_size, mmap_base, mmap_window;
	char layout[16];
	struct vmviz_range user, hole, kernel;	/* inclusive last address */
	bool has_mm;
	unsigned long fields[VMVIZ_NFIELDS];
	unsigned long counters[VMVIZ_NCOUNTERS];
	struct vmviz_range segs[VMVIZ_NSEGS];
	/* The body: the line vmviz_next() read last, and what was kept. */
	struct vmviz_vma vma;		/* the VMA read last (its sums after VMVIZ_SUM) */
	unsigned long sm[VMVIZ_NSMAPS];	/* frame detail: its smaps fields, kB */
	struct vmviz_page page;		/* the page line read last */
	struct vmviz_upper upper;	/* the upper line read last */
	int nvmas;			/* VMAs read so far */
	long npages;			/* page lines read so far */
	long nuppers;			/* upper lines read so far */
	unsigned int keep;		/* VMVIZ_KEEP_* */
	unsigned long keep_lo, keep_hi;	/* pages kept: those overlapping [lo, hi) */
	struct vmviz_vma *vmas;		/* VMVIZ_KEEP_VMAS: all nvmas of them */
	struct vmviz_page *pages;	/* VMVIZ_KEEP_PAGES */
	int nkept;			/* pages kept */
	int partial;			/* VMAs whose sum line covers part of them */
	/* Frame detail (/proc/vmviz/frames/PID): a "detail frames" line. */
	bool frames;
	bool uppers;			/* "detail frames tables": upper lines, eff */
	struct vmviz_tlevel tables[VMVIZ_NTABLES];
	int ntables;
	unsigned long deposited, pgtables_bytes;
	struct vmviz_range rollup;	/* END exclusive; 0-0 without VMAs */
	unsigned long rollup_sm[VMVIZ_NSMAPS];
};

extern const char *const vmviz_field_names[VMVIZ_NFIELDS];
extern const char *const vmviz_counter_names[VMVIZ_NCOUNTERS];
extern const char *const vmviz_seg_names[VMVIZ_NSEGS];
extern const char *const vmviz_smaps_names[VMVIZ_NSMAPS];
extern const char *const vmviz_vma_segs[];	/* seg of VMA lines, NULL-terminated */
extern const char *const vmviz_states[];	/* page states, NULL-terminated */

enum { SEG_CODE, SEG_DATA, SEG_BSS, SEG_HEAP, SEG_MMAP, SEG_STACK, SEG_ARGS,
	SEG_ENV, SEG_VDSO, SEG_VVAR };
enum { CNT_TOTAL, CNT_LOCKED, CNT_PINNED, CNT_DATA, CNT_EXEC, CNT_STACK,
	CNT_RSS_FILE, CNT_RSS_ANON, CNT_RSS_SHMEM, CNT_SWAP };

#ifndef fallthrough
#define fallthrough	__attribute__((__fallthrough__))
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A fatal error: the message, and the exit code that says what it was. */
#define vmviz_die(code, ...)	errx(code, __VA_ARGS__)

/* parse.c */
void vmviz_load_file(const char *path, struct vmviz_report *r);
enum vmviz_item vmviz_next(struct vmviz_report *r);
const struct vmviz_vma *vmviz_next_vma(struct vmviz_report *r);
void vmviz_read_all(struct vmviz_report *r, unsigned int keep);
void vmviz_rewind(struct vmviz_report *r);
void vmviz_save(struct vmviz_report *r, const char *path);
FILE *vmviz_tmpfile(void);
void vmviz_load_pid(pid_t pid, struct vmviz_report *r);
void vmviz_load_pid_frames(pid_t pid, bool frames, struct vmviz_report *r);
void vmviz_load_pids(pid_t a, pid_t b, struct vmviz_report *ra, struct vmviz_report *rb);
void vmviz_load_pids_frames(pid_t a, pid_t b, bool frames, struct vmviz_report *ra,
			    struct vmviz_report *rb);
void vmviz_free(struct vmviz_report *r);
const struct vmviz_vma *vmviz_vma_at(const struct vmviz_report *r, unsigned long addr);
const struct vmviz_page *vmviz_page_at(const struct vmviz_report *r, unsigned long addr);
bool vmviz_page_pfn(const struct vmviz_page *p, unsigned long addr, unsigned long *pfn);
bool vmviz_upper_table(const struct vmviz_upper *u, unsigned long addr, unsigned long *table);
void vmviz_human_size(unsigned long long bytes, char *buf, size_t len);
bool vmviz_parse_addr(const char *s, unsigned long *addr);

/* text.c: every string that leaves vmviz goes through vmviz_escape() */
enum vmviz_sink { SINK_TERM, SINK_JSON, SINK_XML, SINK_RAW };
char *vmviz_escape(enum vmviz_sink sink, const char *s, char *buf, size_t len);
void vmviz_escape_to(FILE *f, enum vmviz_sink sink, const char *s);
void vmviz_locale_init(void);
size_t vmviz_text_cols(const char *s);
const char *vmviz_text_tail(const char *s, size_t width);
char *vmviz_esc(const char *s, char *buf, size_t len);
char *vmviz_esc_dup(const char *s);
void vmviz_json_str(FILE *f, const char *s);
void vmviz_json_safe(FILE *f, const char *json);
void vmviz_json_line(FILE *f, const char *json);
void vmviz_wrap(FILE *f, const char *first, const char *text, int width);
void vmviz_say(FILE *f, int width, const char *fmt, ...) __printf(3, 4);
void vmviz_json_report(FILE *f, const struct vmviz_report *r, const char *indent);
void vmviz_format_time(const struct vmviz_time *t, char *buf, size_t len);
const char *vmviz_plural(unsigned long n, const char *one, const char *many);
void vmviz_xml_str(FILE *f, const char *s);

/* table.c: the column tables and libsmartcols output */
/*
 * Which VMAs and page runs a table shows, and which VMAs the overview and
 * svg draw (--name, --seg, --perm, --state, --range).
 */
struct vmviz_filter {
	const char *name;		/* a glob (fnmatch) on the VMA name */
	const char *segs;		/* comma-separated segment names */
	const char *perm;		/* letters the VMA's perm must all have */
	const char *states;		/* comma-separated page states */
	bool range;			/* lo..hi: VMAs and runs that overlap it */
	unsigned long lo, hi;
};

struct vmviz_out {
	bool json, raw, noheadings;
	bool total;			/* --total: a totals row */
	struct vmviz_filter filter;
	bool bytes;			/* --bytes: sizes in bytes, not 4K, 1.5M */
	int width;			/* columns to fit (tables and overview) */
	const char *columns;		/* -o, NULL for the defaults */
	const char *sort;		/* --sort COLUMN, or NULL */
	unsigned long lo, hi;		/* pages START-END: the range asked, 0-0 if none */
};

/* text.c: filters */
bool vmviz_vma_wanted(const struct vmviz_vma *v, const struct vmviz_filter *f);
bool vmviz_page_wanted(const struct vmviz_vma *v, const struct vmviz_page *p,
		       const struct vmviz_filter *f);
bool vmviz_filtering(const struct vmviz_filter *f);
char *vmviz_filter_words(const struct vmviz_out *o, char *buf, size_t len);
char *vmviz_none_words(const struct vmviz_out *o, const char *what, char *buf, size_t len);
void vmviz_say_none(const struct vmviz_out *o, const char *what);
bool vmviz_has_state(const struct vmviz_vma *v, const char *states);

void vmviz_print_maps(struct vmviz_report *r, const struct vmviz_out *o);
void vmviz_print_pages(struct vmviz_report *r, const struct vmviz_out *o,
		       unsigned long lo, unsigned long hi);
int vmviz_print_pages_at(struct vmviz_report *r, const struct vmviz_out *o,
			 unsigned long addr);
void vmviz_columns_help(FILE *f, const char *view);

/* compare.c */
struct vmviz_cmp_counts {
	unsigned long same, cow, shared, readonly, diverged, only1, only2;
	unsigned long zero;		/* of same: the zero page, not copy-on-write sharing */
	unsigned long swapout, swapin;	/* present in 1 and in swap in 2, and back */
	/* Frame detail: pending copy-on-write pages a write would copy or reuse. */
	unsigned long copy1, reuse1, copy2, reuse2;
};

/* How a row's VMA differs between the two reports. */
enum vmviz_cmp_vma { CMP_VMA_BOTH, CMP_VMA_ONLY1, CMP_VMA_ONLY2, CMP_VMA_RESIZED };

struct vmviz_cmp_row {
	unsigned long start, end;	/* of both VMAs together */
	char perm[5];
	const char *name;
	const struct vmviz_vma *v;	/* the VMA of 1, or of 2 if 1 has none */
	enum vmviz_cmp_vma vma;
	struct vmviz_cmp_counts c;
};

/* What the two reports are of: decides the words of the comparison. */
enum vmviz_relation {
	REL_NO_MM,		/* one has no address space: nothing to compare */
	REL_OTHER_BOOT,		/* different boots: different address spaces */
	REL_OTHER_MM,		/* one boot, two mm_structs (fork, or unrelated) */
	REL_SAME_MM,		/* one boot, one mm id: one address space */
};

struct vmviz_cmp {
	enum vmviz_relation rel;
	bool same_mm;		/* rel == REL_SAME_MM */
	bool same_task;		/* and one task (same pid), read twice */
	bool over_time;		/* one mm, read at two different times */
	bool frames;		/* both reports have frame detail */
	long long dt_ns;	/* time of 2 minus time of 1 */
	const char *kernel[2];	/* the kernel releases of 1 and 2 (unescaped) */
	int levels[2];		/* and their paging levels */
	unsigned long vmas_only1, vmas_only2, vmas_resized;
	struct vmviz_cmp_counts total;
	struct vmviz_cmp_row *rows;
	int nrows;
};

void vmviz_compare(struct vmviz_report *a, struct vmviz_report *b, struct vmviz_cmp *c);
void vmviz_cmp_free(struct vmviz_cmp *c);
void vmviz_verdict(const struct vmviz_cmp *c, char *buf, size_t len);
void vmviz_print_compare(struct vmviz_report *a, struct vmviz_report *b,
			 const struct vmviz_out *o, bool table);
void vmviz_print_cmp_rows(const struct vmviz_cmp *c, const struct vmviz_out *o);
void vmviz_print_changed_rows(const struct vmviz_cmp *c, const struct vmviz_out *o);
void vmviz_print_watch_json(struct vmviz_report *a, struct vmviz_report *b, long read,
			    const struct vmviz_out *o);

/* mem.c: the frame detail's views */
void vmviz_print_mem(struct vmviz_report *r, const struct vmviz_out *o);
void vmviz_print_tables(struct vmviz_report *r, const struct vmviz_out *o);

/* picture.c */
void vmviz_print_overview(struct vmviz_report *r, FILE *f, bool color,
			  const struct vmviz_out *o, bool all);
void vmviz_print_overview_json(struct vmviz_report *r, FILE *f);
void vmviz_print_svg(struct vmviz_report *r, FILE *f, unsigned long strip_addr, bool all,
		     const struct vmviz_out *o);

/* watch.c */
int vmviz_watch(pid_t pid, const char *file, double seconds, long count,
		const struct vmviz_out *o);

/* kernel.c */
int vmviz_kernel(const char *path, const struct vmviz_out *o);

/* explain.c */
int vmviz_explain(struct vmviz_report *r, const struct vmviz_out *o, unsigned long addr);

/* The kernel half's regions (its kernel PGD's), for the overview and svg. */
#define VMVIZ_KREGIONS	64
struct vmviz_kregion {
	char name[24];			/* [a-z0-9_-]: the validator's */
	unsigned long start, last;	/* inclusive: the last one ends at 2^64 */
	unsigned long mapped;		/* bytes its leaves map (its sum line) */
	unsigned long user_mapped;	/* with PTI: the same in user mode's copy */
	char skip[24];			/* why it was not read, or "" */
};

struct vmviz_khalf {
	char source[1024];		/* the file read, as given (unescaped) */
	bool live;			/* /proc/vmviz/kernel: this reader's tables */
	char release[72];		/* as the file writes it */
	char boot[64];
	unsigned int levels, pti;
	unsigned long half;		/* where it starts */
	int nreg;
	struct vmviz_kregion reg[VMVIZ_KREGIONS];	/* in address order */
};

bool vmviz_kernel_regions(const char *path, struct vmviz_khalf *h);

/* picture.c: the kernel file the overview and svg draw (see vmviz_kernel_regions) */
void vmviz_picture_kernel(const char *path, bool live);

/* demo.c */
int vmviz_demo(const struct vmviz_out *o, bool color, const char *save_dir);

#endif /* VMVIZ_H */
