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

struct vmviz_table {
	const struct vmviz_view *view;
	const struct vmviz_out *out;
	struct libscols_table *tb;
	int ids[VMVIZ_MAX_COLS];	/* the columns shown, in order */
	size_t widths[VMVIZ_MAX_COLS];	/* the widest cell (or heading) of each */
	int n;
	int addr_digits;		/* hex digits of addresses: 16 in JSON */
	struct libscols_line *total;	/* the totals row, if any: never cut */
};

extern const struct vmviz_view vmviz_views[];

const struct vmviz_view *vmviz_view(const char *name);
void vmviz_table_init(struct vmviz_table *t, const struct vmviz_view *v,
		      const struct vmviz_out *o, const char *extra);
struct libscols_line *vmviz_table_row(struct vmviz_table *t);
struct libscols_line *vmviz_table_total_row(struct vmviz_table *t);
void vmviz_table_addrs(struct vmviz_table *t, unsigned long highest);
void vmviz_table_set(struct vmviz_table *t, struct libscols_line *ln, int i,
		     const char *s);
void vmviz_table_print(struct vmviz_table *t);
void vmviz_table_print_json(struct vmviz_table *t,
			    void (*pre)(FILE *f, const void *arg), const void *arg);
void vmviz_table_free(struct vmviz_table *t);
void vmviz_size_cell(const struct vmviz_out *o, unsigned long bytes, char *buf, size_t len);
void vmviz_report_json_pre(FILE *f, const void *arg);
bool vmviz_no_mm(const struct vmviz_report *r, const struct vmviz_out *o);
void vmviz_cmp_table(const struct vmviz_cmp *c, const struct vmviz_out *o,
		     struct vmviz_table *t);

#endif /* VMVIZ_TABLE_H */
