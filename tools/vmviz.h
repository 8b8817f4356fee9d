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

/* The report format versions this reader understands. */
#define VMVIZ_FORMAT_VERSION	1

#define VMVIZ_DIR	"/proc/vmviz"

/* Exit codes, also in vmviz.8 */
enum vmviz_exit {
	VMVIZ_EXIT_OK = 0,
	VMVIZ_EXIT_FAILURE = 1,		/* usage, I/O, anything else */
	VMVIZ_EXIT_NOMODULE = 2,	/* /proc/vmviz missing */
	VMVIZ_EXIT_PERM = 3,		/* not root / no CAP_SYS_ADMIN */
	VMVIZ_EXIT_NOPROC = 4,		/* no such process */
	VMVIZ_EXIT_VANISHED = 5,	/* the process exited while being read */
	VMVIZ_EXIT_FORMAT = 6,		/* unknown version or malformed report */
};

#define VMVIZ_NFIELDS	13
#define VMVIZ_NCOUNTERS	10
#define VMVIZ_NSEGS	10

struct vmviz_page {
	char level[4];			/* pte, pmd, pud */
	unsigned long start, end;	/* END exclusive */
	unsigned long count;		/* entries */
	unsigned long entry_size;	/* bytes one entry maps */
	char size[4];			/* 4K, 2M, 1G */
	char state[12];
	char flags[12];			/* 11 letters */
	unsigned long pfn;
	char step;			/* '+' or '=' */
	int sd, pkey, swaptype;		/* swaptype -1 for '-' */
	int vma;			/* index of its VMA */
};

struct vmviz_vma {
	unsigned long start, end;
	char perm[5];
	unsigned long long offset;
	char *name;			/* unescaped */
	char seg[16];
	unsigned long long flags;
	char *vm;			/* decoded vm_flags */
	unsigned long long prot;
	char protflags[12];
	int anon, pkey;
	unsigned long present, dirty, accessed, writable, huge, swapped, nonpresent;
	int first_page, npages;		/* its page lines */
};

struct vmviz_range {
	unsigned long start, end;
};

struct vmviz_report {
	char source[256];		/* "pid 123" or the file name */
	char *text;			/* the report as read */
	int version;
	int pid, tgid;
	char kind[16];
	char state;
	char comm[64];
	char mm_id[20], active_id[20];
	int users, count;
	unsigned long page_size;
	int levels;
	unsigned long task_size, mmap_base, mmap_window;
	char layout[16];
	struct vmviz_range user, hole, kernel;	/* inclusive last address */
	bool has_mm;
	unsigned long fields[VMVIZ_NFIELDS];
	unsigned long counters[VMVIZ_NCOUNTERS];
	struct vmviz_range segs[VMVIZ_NSEGS];
	struct vmviz_vma *vmas;
	int nvmas;
	struct vmviz_page *pages;
	int npages;
};

extern const char *const vmviz_field_names[VMVIZ_NFIELDS];
extern const char *const vmviz_counter_names[VMVIZ_NCOUNTERS];
extern const char *const vmviz_seg_names[VMVIZ_NSEGS];

enum { SEG_CODE, SEG_DATA, SEG_BSS, SEG_HEAP, SEG_MMAP, SEG_STACK, SEG_ARGS,
	SEG_ENV, SEG_VDSO, SEG_VVAR };
enum { CNT_TOTAL, CNT_LOCKED, CNT_PINNED, CNT_DATA, CNT_EXEC, CNT_STACK,
	CNT_RSS_FILE, CNT_RSS_ANON, CNT_RSS_SHMEM, CNT_SWAP };

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A fatal error: the message, and the exit code that says what it was. */
#define vmviz_die(code, ...)	errx(code, __VA_ARGS__)

/* parse.c */
int vmviz_parse(const char *text, struct vmviz_report *r);
void vmviz_load_file(const char *path, struct vmviz_report *r);
void vmviz_load_pid(pid_t pid, struct vmviz_report *r);
void vmviz_load_pids(pid_t a, pid_t b, struct vmviz_report *ra, struct vmviz_report *rb);
void vmviz_free(struct vmviz_report *r);
const struct vmviz_vma *vmviz_vma_at(const struct vmviz_report *r, unsigned long addr);
bool vmviz_page_pfn(const struct vmviz_page *p, unsigned long addr, unsigned long *pfn);
void vmviz_human_size(unsigned long long bytes, char *buf, size_t len);
bool vmviz_parse_addr(const char *s, unsigned long *addr);

/* table.c: the column tables and libsmartcols output */
struct vmviz_out {
	bool json, raw, noheadings;
	const char *columns;		/* -o, NULL for the defaults */
};

void vmviz_print_maps(const struct vmviz_report *r, const struct vmviz_out *o);
void vmviz_print_pages(const struct vmviz_report *r, const struct vmviz_out *o,
		       unsigned long lo, unsigned long hi);
void vmviz_columns_help(FILE *f);

/* compare.c */
struct vmviz_cmp_counts {
	unsigned long same, cow, shared, readonly, diverged, only1, only2;
};

struct vmviz_cmp_row {
	unsigned long start, end;
	char perm[5];
	const char *name;
	struct vmviz_cmp_counts c;
};

struct vmviz_cmp {
	bool same_mm;
	struct vmviz_cmp_counts total;
	struct vmviz_cmp_row *rows;
	int nrows;
};

void vmviz_compare(const struct vmviz_report *a, const struct vmviz_report *b,
		   struct vmviz_cmp *c);
void vmviz_cmp_free(struct vmviz_cmp *c);
void vmviz_verdict(const struct vmviz_cmp *c, char *buf, size_t len);
void vmviz_print_compare(const struct vmviz_report *a, const struct vmviz_report *b,
			 const struct vmviz_out *o, bool table);
void vmviz_print_cmp_rows(const struct vmviz_cmp *c, const struct vmviz_out *o);

/* picture.c */
void vmviz_print_overview(const struct vmviz_report *r, FILE *f, bool color);
void vmviz_print_svg(const struct vmviz_report *r, FILE *f, unsigned long strip_addr);

/* demo.c */
int vmviz_demo(const struct vmviz_out *o, bool color, const char *save_dir);

#endif /* VMVIZ_H */
