/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmviz reader: a column of a table view, the views, and the table built
 * from -o, -J, -r and -n that every table view prints through.
 */
#ifndef VMVIZ_TABLE_H
#define VMVIZ_TABLE_H

#include <libsmartcols.h>

#include "vmviz.h"

#define VMVIZ_MAX_COLS	64

struct vmviz_col {
	const char *name;
	double whint;		/* width hint for libsmartcols */
	int flags;		/* SCOLS_FL_* */
	int json_type;		/* SCOLS_JSON_* */
	const char *help;
};

struct vmviz_view {
	const char *name;	/* the command */
	const char *json_name;	/* the array in -J output */
	const struct vmviz_col *cols;
	size_t ncols;
	const char *defaults;	/* columns without -o */
	const char *frame_defaults;	/* of a frame-detail report, if other */
	const char *narrow;	/* defaults left out, in order, when too narrow */
	const char *time_defaults;	/* compare of one mm read twice */
	const char *time_narrow;	/* and its narrow columns */
	const char *if_any;	/* defaults shown only if a row has a value */
};

/* vmviz maps */
enum {
	MAPS_START, MAPS_END, MAPS_SIZE, MAPS_PERM, MAPS_OFFSET, MAPS_SEG,
	MAPS_PRESENT, MAPS_DIRTY, MAPS_ACCESSED, MAPS_WRITABLE, MAPS_HUGE,
	MAPS_SWAPPED, MAPS_NONPRESENT, MAPS_ANON, MAPS_PKEY, MAPS_FLAGS,
	MAPS_VMFLAGS, MAPS_PROT, MAPS_PROTFLAGS, MAPS_PAGELINES, MAPS_NAME,
	MAPS_RAM, MAPS_SWAP,
};

/* vmviz pages */
enum {
	PG_START, PG_END, PG_COUNT, PG_SIZE, PG_BYTES, PG_LEVEL, PG_STATE,
	PG_PERM, PG_FLAGS, PG_PFN, PG_STEP, PG_SD, PG_PKEY, PG_SWAPTYPE,
	PG_NAME, PG_KIND, PG_FFLAGS, PG_ORDER, PG_NODE, PG_MAP, PG_MAPHI, PG_REF, PG_ACT,
	PG_EFF,
};

/* vmviz compare */
enum {
	CMP_START, CMP_END, CMP_PERM, CMP_SAME, CMP_COW, CMP_SHARED,
	CMP_READONLY, CMP_DIVERGED, CMP_ONLY1, CMP_ONLY2, CMP_NAME,
	CMP_SAMEMM, CMP_VERDICT, CMP_VMA, CMP_SWAPOUT, CMP_SWAPIN,
	CMP_COPY1, CMP_REUSE1, CMP_COPY2, CMP_REUSE2, CMP_ZERO,
};

/* vmviz mem: the smaps fields of a VMA, MEM_SM + SM_* (vmviz.h) */
enum {
	MEM_START, MEM_END, MEM_SIZE, MEM_PERM, MEM_SEG, MEM_SM,
	MEM_NAME = MEM_SM + VMVIZ_NSMAPS,
};

/* vmviz tables: a level of the page-table tree; H0..H512 its histogram */
enum {
	TB_LEVEL, TB_COUNT, TB_USED, TB_MIN, TB_MAX, TB_FILL, TB_BYTES, TB_HIST, TB_H0,
};

/* A row's cells while it is filled in (vmviz_table_set()). */
struct vmviz_row {
	char *cell[VMVIZ_MAX_COLS];	/* NULL: no value */
	size_t cap[VMVIZ_MAX_COLS];
	bool set[VMVIZ_MAX_COLS];
};

/* What a sorted table orders its rows by (vmviz_table_key()). */
struct vmviz_row_key {
	unsigned long num, addr;
	char *str;
	off_t off;			/* the row in the spool */
};

/*
 * A table: its rows go to a temporary file as they are made (the spool),
 * with the widest cell of each column; they are printed, aligned, cut to
 * the width or as JSON, once the report has been read to its end. Memory
 * holds one row, whatever the number of rows.
 */
struct vmviz_table {
	const struct vmviz_view *view;
	const struct vmviz_out *out;
	int ids[VMVIZ_MAX_COLS];	/* the columns shown, in order */
	size_t widths[VMVIZ_MAX_COLS];	/* the widest cell (or heading) of each */
	bool addr[VMVIZ_MAX_COLS];	/* an address column (START, END) */
	bool full_addr[VMVIZ_MAX_COLS];	/* it has an address cell */
	bool hidden[VMVIZ_MAX_COLS];	/* a default left out to fit (table_fit()) */
	bool filled[VMVIZ_MAX_COLS];	/* a row has a value in it */
	int n;
	int addr_digits;		/* hex digits of addresses in cells: 16 */
	int shown_digits;		/* of them printed for people (vmviz_table_addrs()) */
	FILE *spool;
	long nrows;
	struct vmviz_row row;		/* the row being filled in */
	bool in_row;
	struct vmviz_row total_row;	/* the totals row, if any: never cut */
	bool total;
	struct vmviz_row_key *keys;	/* with --sort: one a row */
	size_t nkeys, keys_cap;
	int sort_col;			/* --sort: a column of the view, or -1 */
};

extern const struct vmviz_view vmviz_views[];

const struct vmviz_view *vmviz_view(const char *name);
void vmviz_table_init(struct vmviz_table *t, const struct vmviz_view *v,
		      const struct vmviz_out *o, const char *extra);
struct vmviz_row *vmviz_table_row(struct vmviz_table *t);
struct vmviz_row *vmviz_table_total_row(struct vmviz_table *t);
void vmviz_table_addrs(struct vmviz_table *t, unsigned long highest);
void vmviz_table_set(struct vmviz_table *t, struct vmviz_row *ln, int i, const char *s);
void vmviz_table_sort_key(struct vmviz_table *t, const char *cell, unsigned long addr);
void vmviz_table_print(struct vmviz_table *t);
void vmviz_table_print_json(struct vmviz_table *t,
			    void (*pre)(FILE *f, const void *arg), const void *arg);
void vmviz_table_json_to(struct vmviz_table *t, FILE *f, const char *name,
			 void (*pre)(FILE *f, const void *arg), const void *arg);
void vmviz_table_free(struct vmviz_table *t);
void vmviz_size_cell(const struct vmviz_out *o, unsigned long bytes, char *buf, size_t len);
void vmviz_report_json_pre(FILE *f, const void *arg);
bool vmviz_no_mm(struct vmviz_report *r, const struct vmviz_out *o);

#endif /* VMVIZ_TABLE_H */
