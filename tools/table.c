// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: the columns of the table views as data (name, width hint,
 * flags, JSON type, help), and the one libsmartcols path that prints them.
 */
#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols.h>

#include "vmviz.h"
#include "table.h"

static const struct vmviz_col maps_cols[] = {
	[MAPS_START] = { "START", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "first address (hex)" },
	[MAPS_END] = { "END", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"end address, exclusive (hex)" },
	[MAPS_SIZE] = { "SIZE", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"size of the VMA (bytes in JSON and with --bytes)" },
	[MAPS_PERM] = { "PERM", 4, 0, SCOLS_JSON_STRING, "permissions as in /proc/PID/maps" },
	[MAPS_OFFSET] = { "OFFSET", 8, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"file offset in bytes (hex; a number in JSON)" },
	[MAPS_SEG] = { "SEG", 5, 0, SCOLS_JSON_STRING,
		"segment: code, data, bss, heap, mmap, stack, image, vdso, vvar, special" },
	[MAPS_PRESENT] = { "PRESENT", 7, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"base pages present (or PROT_NONE)" },
	[MAPS_DIRTY] = { "DIRTY", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"present pages with the dirty bit" },
	[MAPS_ACCESSED] = { "ACCESSED", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"present pages with the accessed bit" },
	[MAPS_WRITABLE] = { "WRITABLE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"present pages with RW set" },
	[MAPS_HUGE] = { "HUGE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"base pages mapped by 2M or 1G leaves" },
	[MAPS_SWAPPED] = { "SWAPPED", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "base pages in swap" },
	[MAPS_NONPRESENT] = { "NONPRESENT", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"base pages with a swap, migration or other entry" },
	[MAPS_ANON] = { "ANON", 1, SCOLS_FL_RIGHT, SCOLS_JSON_BOOLEAN, "an anon_vma is attached" },
	[MAPS_PKEY] = { "PKEY", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "protection key" },
	[MAPS_FLAGS] = { "FLAGS", 20, 0, SCOLS_JSON_STRING, "vm_flags by name, as smaps VmFlags" },
	[MAPS_VMFLAGS] = { "VMFLAGS", 16, 0, SCOLS_JSON_STRING, "raw vm_flags (hex)" },
	[MAPS_PROT] = { "PROT", 16, 0, SCOLS_JSON_STRING, "vm_page_prot (hex)" },
	[MAPS_PROTFLAGS] = { "PROTFLAGS", 11, 0, SCOLS_JSON_STRING,
		"hardware bits of vm_page_prot" },
	[MAPS_PAGELINES] = { "RUNS", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"page-table runs (lines of vmviz pages)" },
	[MAPS_NAME] = { "NAME", 30, SCOLS_FL_TRUNC, SCOLS_JSON_STRING,
		"file, [heap], [stack], [vdso], [anon]..." },
	[MAPS_RAM] = { "RAM", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"bytes in RAM: present pages times 4K" },
	[MAPS_SWAP] = { "SWAP", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"bytes in swap: swapped pages times 4K" },
};

static const struct vmviz_col pages_cols[] = {
	[PG_START] = { "START", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"first address of the run (hex)" },
	[PG_END] = { "END", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"end of the run, exclusive (hex)" },
	[PG_COUNT] = { "COUNT", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "entries in the run" },
	[PG_SIZE] = { "LEAF", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"bytes one entry maps: 4K, 2M, 1G (bytes in JSON and with --bytes)" },
	[PG_BYTES] = { "BYTES", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"bytes the run maps (a number in JSON and with --bytes)" },
	[PG_LEVEL] = { "LEVEL", 3, 0, SCOLS_JSON_STRING, "table level of the leaf: pte, pmd, pud" },
	[PG_STATE] = { "STATE", 8, 0, SCOLS_JSON_STRING,
		"present, protnone, swap, migr-*, hwpoison, device, uffd-wp, guard, poisoned..." },
	[PG_PERM] = { "PERM", 4, 0, SCOLS_JSON_STRING,
		"what the hardware allows: r w x, u for user" },
	[PG_FLAGS] = { "FLAGS", 11, 0, SCOLS_JSON_STRING, "hardware bits P W U T C A D H G M N" },
	[PG_PFN] = { "PFN", 10, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"first frame (swap offset when not present), hex" },
	[PG_STEP] = { "STEP", 1, 0, SCOLS_JSON_STRING,
		"+ frames ascend entry by entry, - descend, = every entry the same" },
	[PG_SD] = { "SD", 1, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "soft-dirty bit" },
	[PG_PKEY] = { "PKEY", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "protection key" },
	[PG_SWAPTYPE] = { "SWAPTYPE", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"swap type of a non-present entry (- or null if none)" },
	[PG_NAME] = { "NAME", 20, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "the VMA the run belongs to" },
	[PG_KIND] = { "KIND", 5, 0, SCOLS_JSON_STRING,
		"frame detail: anon, ksm, shmem, file, zero, other, - (no frame)" },
	[PG_FFLAGS] = { "FFLAGS", 10, 0, SCOLS_JSON_STRING,
		"frame detail: folio flags L A U R D W S M P X (see vmviz(8))" },
	[PG_ORDER] = { "ORDER", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"frame detail: folio order (0 a base page, 9 a 2M folio)" },
	[PG_NODE] = { "NODE", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "frame detail: NUMA node" },
	[PG_MAP] = { "MAP", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"frame detail: times each page is mapped (LO-HI if unequal; JSON: LO)" },
	[PG_MAPHI] = { "MAPHI", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"frame detail: times the most mapped page of the run is mapped" },
	[PG_REF] = { "REF", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"frame detail: entries whose folio is referenced (PG_referenced)" },
	[PG_ACT] = { "ACT", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"frame detail: entries whose folio is active (PG_active)" },
	[PG_EFF] = { "EFF", 3, 0, SCOLS_JSON_STRING,
		"frame detail with tables: effective W U N over the page-table path" },
};

/* vmviz mem */
#define SM_COL(id, head, w, what) \
	[MEM_SM + (id)] = { head, w, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, what }

static const struct vmviz_col mem_cols[] = {
	[MEM_START] = { "START", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "first address (hex)" },
	[MEM_END] = { "END", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"end address, exclusive (hex)" },
	[MEM_SIZE] = { "SIZE", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "size of the VMA" },
	[MEM_PERM] = { "PERM", 4, 0, SCOLS_JSON_STRING, "permissions as in /proc/PID/maps" },
	[MEM_SEG] = { "SEG", 5, 0, SCOLS_JSON_STRING, "segment: code, data, heap, mmap, stack..." },
	SM_COL(SM_RSS, "RSS", 6, "resident (smaps Rss)"),
	SM_COL(SM_PSS, "PSS", 6, "proportional: each page divided by its mapcount (Pss)"),
	SM_COL(SM_PSS_DIRTY, "PSSDIRTY", 6, "Pss of dirty pages (Pss_Dirty)"),
	SM_COL(SM_PSS_ANON, "PSSANON", 6, "Pss of anonymous pages (Pss_Anon)"),
	SM_COL(SM_PSS_FILE, "PSSFILE", 6, "Pss of file pages (Pss_File)"),
	SM_COL(SM_PSS_SHMEM, "PSSSHMEM", 6, "Pss of shmem pages (Pss_Shmem)"),
	SM_COL(SM_SHARED_CLEAN, "SHCLEAN", 6, "clean pages mapped more than once (Shared_Clean)"),
	SM_COL(SM_SHARED_DIRTY, "SHDIRTY", 6, "dirty pages mapped more than once (Shared_Dirty)"),
	SM_COL(SM_PRIVATE_CLEAN, "PRCLEAN", 6, "clean pages mapped once (Private_Clean)"),
	SM_COL(SM_PRIVATE_DIRTY, "PRDIRTY", 6, "dirty pages mapped once (Private_Dirty)"),
	SM_COL(SM_REFERENCED, "REFERENCED", 6, "referenced or accessed (Referenced)"),
	SM_COL(SM_ANONYMOUS, "ANONYMOUS", 6, "anonymous pages (Anonymous)"),
	SM_COL(SM_KSM, "KSM", 6, "KSM pages (KSM)"),
	SM_COL(SM_LAZYFREE, "LAZYFREE", 6, "MADV_FREE pages still clean (LazyFree)"),
	SM_COL(SM_ANON_HUGE, "ANONHUGE", 6, "anonymous, mapped by PMD leaves (AnonHugePages)"),
	SM_COL(SM_SHMEM_PMD, "SHMEMPMD", 6, "shmem, mapped by PMD leaves (ShmemPmdMapped)"),
	SM_COL(SM_FILE_PMD, "FILEPMD", 6, "file, mapped by PMD leaves (FilePmdMapped)"),
	SM_COL(SM_SWAP, "SWAP", 6, "in swap (Swap)"),
	SM_COL(SM_SWAP_PSS, "SWAPPSS", 6, "in swap, each entry counted once (SwapPss)"),
	SM_COL(SM_LOCKED, "LOCKED", 6, "Pss of a VM_LOCKED VMA (Locked)"),
	SM_COL(SM_USS, "USS", 6, "mapped by this process only: what exiting gives back"),
	SM_COL(SM_COW_COPY, "COWCOPY", 6,
	       "copy-on-write pending, a write would copy (vmviz's own)"),
	SM_COL(SM_COW_REUSE, "COWREUSE", 6,
	       "copy-on-write pending, a write would reuse the page (vmviz's own)"),
	[MEM_NAME] = { "NAME", 30, SCOLS_FL_TRUNC, SCOLS_JSON_STRING,
		"file, [heap], [stack], [vdso], [anon]...; total" },
};

/* vmviz tables */
#define H_COL(i, head, what) \
	[TB_H0 + (i)] = { head, 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, what }

static const struct vmviz_col tb_cols[] = {
	[TB_LEVEL] = { "LEVEL", 5, 0, SCOLS_JSON_STRING,
		"pte, pmd, pud, p4d; deposited; total (what VmPTE counts)" },
	[TB_COUNT] = { "COUNT", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "tables" },
	[TB_USED] = { "USED", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"entries in use, of 512 per table" },
	[TB_MIN] = { "MIN", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "used entries, emptiest table" },
	[TB_MAX] = { "MAX", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "used entries, fullest table" },
	[TB_FILL] = { "FILL", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"used entries in percent of all entries of the tables" },
	[TB_BYTES] = { "BYTES", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "4K per table" },
	[TB_HIST] = { "HIST", 22, 0, SCOLS_JSON_ARRAY_NUMBER,
		"tables by used entries: 0,1,2-3,4-7,...,256-511,512 (JSON: an array)" },
	H_COL(0, "H0", "tables with no entry used"),
	H_COL(1, "H1", "tables with 1 entry used"),
	H_COL(2, "H2", "tables with 2-3 entries used"),
	H_COL(3, "H4", "tables with 4-7 entries used"),
	H_COL(4, "H8", "tables with 8-15 entries used"),
	H_COL(5, "H16", "tables with 16-31 entries used"),
	H_COL(6, "H32", "tables with 32-63 entries used"),
	H_COL(7, "H64", "tables with 64-127 entries used"),
	H_COL(8, "H128", "tables with 128-255 entries used"),
	H_COL(9, "H256", "tables with 256-511 entries used"),
	H_COL(10, "H512", "tables with all 512 entries used"),
};

static const struct vmviz_col cmp_cols[] = {
	[CMP_START] = { "START", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"first address of the VMA (hex)" },
	[CMP_END] = { "END", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "end of the VMA (hex)" },
	[CMP_PERM] = { "PERM", 4, 0, SCOLS_JSON_STRING, "permissions of the VMA" },
	[CMP_SAME] = { "SAME", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"pages mapping the same frame in both" },
	[CMP_COW] = { "COW", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"of those, copy-on-write pending (private writable VMA, RW clear)" },
	[CMP_SHARED] = { "SHARED", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"of those, truly shared (MAP_SHARED)" },
	[CMP_READONLY] = { "READONLY", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"of those, in a private read-only VMA (code, file pages)" },
	[CMP_DIVERGED] = { "DIVERGED", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"pages mapped in both to different frames" },
	[CMP_ONLY1] = { "ONLY1", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"pages mapped only in the first process" },
	[CMP_ONLY2] = { "ONLY2", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"pages mapped only in the second process" },
	[CMP_NAME] = { "NAME", 20, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "the VMA, or total" },
	[CMP_SAMEMM] = { "SAMEMM", 3, 0, SCOLS_JSON_BOOLEAN,
		"the two reports are of one mm_struct (every row)" },
	[CMP_VERDICT] = { "VERDICT", 30, 0, SCOLS_JSON_STRING, "the verdict in words (total row)" },
	[CMP_VMA] = { "VMA", 7, 0, SCOLS_JSON_STRING,
		"the VMA in both, only1, only2, or resized (grown or shrunk)" },
	[CMP_SWAPOUT] = { "SWAPOUT", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"pages present in the first, in swap in the second" },
	[CMP_SWAPIN] = { "SWAPIN", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"pages in swap in the first, present in the second" },
	[CMP_COPY1] = { "COPY1", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"frame detail: pages a write in the first would copy (cow_copy)" },
	[CMP_REUSE1] = { "REUSE1", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"frame detail: pages pending copy-on-write a write in the first would reuse" },
	[CMP_COPY2] = { "COPY2", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"frame detail: pages a write in the second would copy" },
	[CMP_REUSE2] = { "REUSE2", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"frame detail: pages a write in the second would reuse" },
	[CMP_ZERO] = { "ZERO", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"of SAME, the shared zero page (kind zero; without frame detail, '=' runs)" },
};

const struct vmviz_view vmviz_views[] = {
	{ "maps", "vmas", maps_cols, ARRAY_SIZE(maps_cols),
	  "START,END,SIZE,PERM,SEG,RAM,SWAP,NAME", NULL, "END,SWAP,SEG,PERM",
	  NULL, NULL, NULL },
	{ "pages", "pages", pages_cols, ARRAY_SIZE(pages_cols),
	  "START,END,COUNT,LEAF,STATE,PERM,PFN,NAME",
	  "START,COUNT,LEAF,STATE,PFN,KIND,FFLAGS,REF,ACT,MAP,NAME",
	  "END,PERM,LEAF,MAP,REF,ACT,PFN,FFLAGS,KIND,STATE", NULL, NULL, "REF,ACT" },
	{ "compare", "compare", cmp_cols, ARRAY_SIZE(cmp_cols),
	  "START,END,PERM,SAME,COW,DIVERGED,ONLY1,ONLY2,NAME", NULL, "END,PERM,ONLY2,ONLY1",
	  "START,END,PERM,SAME,DIVERGED,ONLY1,ONLY2,SWAPOUT,SWAPIN,NAME", "END,PERM,SAME", NULL },
	{ "mem", "vmas", mem_cols, ARRAY_SIZE(mem_cols),
	  "START,PERM,RSS,PSS,PSSDIRTY,USS,SWAP,NAME", NULL, "PSSDIRTY,PERM,SWAP",
	  NULL, NULL, NULL },
	{ "tables", "tables", tb_cols, ARRAY_SIZE(tb_cols),
	  "LEVEL,COUNT,USED,MIN,MAX,FILL,BYTES,HIST", NULL, "HIST", NULL, NULL, NULL },
	{ NULL },
};

static int column_id(const struct vmviz_view *v, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < v->ncols; i++)
		if (strlen(v->cols[i].name) == len && !strncasecmp(v->cols[i].name, name, len))
			return i;
	return -1;
}

/* Append a comma-separated list of column names to t->ids. */
static void add_columns(struct vmviz_table *t, const char *list)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ",");
		int id = column_id(t->view, p, len);

		if (id < 0) {
			char *w = strndup(p, len), *e = vmviz_esc_dup(w ? w : "");

			vmviz_die(VMVIZ_EXIT_USAGE,
				  "unknown column for %s: %s (see vmviz %s --help)",
				  t->view->name, e, t->view->name);
		}
		if (t->n >= VMVIZ_MAX_COLS)
			vmviz_die(VMVIZ_EXIT_USAGE, "too many columns");
		t->ids[t->n++] = id;
		p += len;
		if (*p == ',')
			p++;
	}
}

/**
 * vmviz_table_init - a table of @v's columns as -o asks (or its defaults)
 * @t: the table to set up
 * @v: the view
 * @o: output options; -o LIST replaces the defaults, -o +LIST extends them
 * @extra: columns added in JSON mode, or NULL
 */
void vmviz_table_init(struct vmviz_table *t, const struct vmviz_view *v,
		      const struct vmviz_out *o, const char *extra)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->view = v;
	t->out = o;
	if (!o->columns || o->columns[0] == '+') {
		add_columns(t, v->defaults);
		if (o->json && extra)
			add_columns(t, extra);
	}
	if (o->columns)
		add_columns(t, o->columns[0] == '+' ? o->columns + 1 : o->columns);
	t->sort_col = -1;
	if (o->sort) {
		t->sort_col = column_id(v, o->sort, strlen(o->sort));
		if (t->sort_col < 0) {
			char *e = vmviz_esc_dup(o->sort);

			vmviz_die(VMVIZ_EXIT_USAGE,
				  "--sort: unknown column for %s: %s (see vmviz %s --help)",
				  v->name, e, v->name);
		}
	}
	for (i = 0; i < t->n; i++) {
		const char *name = v->cols[t->ids[i]].name;

		t->widths[i] = vmviz_text_cols(name);
		t->addr[i] = !strcmp(name, "START") || !strcmp(name, "END");
	}
	t->addr_digits = 16;
	t->shown_digits = 16;
}

/*
 * Addresses in tables for people take the digits the highest needs (at
 * least 12, all 4-level user addresses); JSON and raw output keep 16.
 * Cells are made with 16 digits; the ones not needed are dropped when the
 * table is printed (the highest is known at the end of the report).
 */
void vmviz_table_addrs(struct vmviz_table *t, unsigned long highest)
{
	int digits = 12;

	if (t->out->json || t->out->raw)
		return;
	while (digits < 16 && highest >> (4 * digits))
		digits++;
	t->shown_digits = digits;
}

static void spool_out(struct vmviz_table *t, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, t->spool) != n)
		err(VMVIZ_EXIT_FAILURE, "cannot write the table's temporary file");
}

/* The row filled in to the spool. */
static void flush_row(struct vmviz_table *t)
{
	int i;

	if (!t->in_row)
		return;
	if (!t->spool) {
		t->spool = vmviz_tmpfile();
		if (!t->spool)
			err(VMVIZ_EXIT_FAILURE, "cannot make a temporary file for the table");
	}
	for (i = 0; i < t->n; i++) {
		uint32_t len = t->row.set[i] ? strlen(t->row.cell[i]) : UINT32_MAX;

		spool_out(t, &len, sizeof(len));
		if (t->row.set[i])
			spool_out(t, t->row.cell[i], len);
	}
	t->nrows++;
	t->in_row = false;
}

static void clear_row(struct vmviz_table *t, struct vmviz_row *row)
{
	int i;

	for (i = 0; i < t->n; i++)
		row->set[i] = false;
}

/* A new row: the caller fills it with vmviz_table_set(). */
struct vmviz_row *vmviz_table_row(struct vmviz_table *t)
{
	flush_row(t);
	clear_row(t, &t->row);
	t->in_row = true;
	return &t->row;
}

/* The totals row, last: its label is never cut to fit the width. */
struct vmviz_row *vmviz_table_total_row(struct vmviz_table *t)
{
	flush_row(t);
	clear_row(t, &t->total_row);
	t->total = true;
	return &t->total_row;
}

/**
 * vmviz_table_sort_key - what the row about to be made is ordered by (--sort)
 * @t: a table with a --sort column
 * @cell: the row's cell of that column, as JSON has it (sizes in bytes)
 * @addr: the row's address: the order of rows with equal cells
 *
 * Numbers sort largest first, text (names, permissions, hex) in order.
 */
void vmviz_table_sort_key(struct vmviz_table *t, const char *cell, unsigned long addr)
{
	struct vmviz_row_key *k;

	flush_row(t);
	if (t->nkeys == t->keys_cap) {
		t->keys_cap = t->keys_cap ? t->keys_cap * 2 : 256;
		t->keys = realloc(t->keys, t->keys_cap * sizeof(*t->keys));
		if (!t->keys)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
	}
	k = &t->keys[t->nkeys++];
	memset(k, 0, sizeof(*k));
	k->addr = addr;
	if (t->view->cols[t->sort_col].json_type == SCOLS_JSON_NUMBER) {
		k->num = strtoul(cell, NULL, 10);
	} else {
		k->str = strdup(cell);
		if (!k->str)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
	}
	k->off = t->spool ? ftello(t->spool) : 0;
}

static int key_order(const void *x, const void *y)
{
	const struct vmviz_row_key *a = x, *b = y;
	int d;

	if (a->str && b->str)
		d = strcmp(a->str, b->str);
	else
		d = a->num > b->num ? -1 : a->num < b->num;
	if (d)
		return d;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/*
 * Set cell @i of @ln. For people, strings from the target are escaped here
 * (before measuring them); JSON and raw output get them as they are and
 * escape them when they are printed.
 */
void vmviz_table_set(struct vmviz_table *t, struct vmviz_row *ln, int i, const char *s)
{
	char esc[4096];
	size_t len, cols;

	if (!s)
		return;
	if (!t->out->json && !t->out->raw)
		s = vmviz_esc(s, esc, sizeof(esc));
	len = strlen(s);
	/* An address of 16 digits: as wide as the digits it will show. */
	if (t->addr[i] && len == 16) {
		t->full_addr[i] = true;
		cols = 0;
	} else {
		cols = vmviz_text_cols(s);
	}
	if (cols > t->widths[i])
		t->widths[i] = cols;
	t->filled[i] = true;
	if (!ln->cell[i] || ln->cap[i] < len + 1) {
		ln->cap[i] = len + 1 < 32 ? 32 : len + 1;
		free(ln->cell[i]);
		ln->cell[i] = malloc(ln->cap[i]);
		if (!ln->cell[i])
			err(VMVIZ_EXIT_FAILURE, "out of memory");
	}
	memcpy(ln->cell[i], s, len + 1);
	ln->set[i] = true;
}

static void free_row(struct vmviz_row *row)
{
	int i;

	for (i = 0; i < VMVIZ_MAX_COLS; i++)
		free(row->cell[i]);
	memset(row, 0, sizeof(*row));
}

void vmviz_table_free(struct vmviz_table *t)
{
	size_t i;

	if (t->spool)
		fclose(t->spool);
	t->spool = NULL;
	free_row(&t->row);
	free_row(&t->total_row);
	for (i = 0; i < t->nkeys; i++)
		free(t->keys[i].str);
	free(t->keys);
	t->keys = NULL;
	t->nkeys = 0;
}

/* Row @k (in order) of the spool into t->row; false after the last. */
static bool read_row(struct vmviz_table *t, long k)
{
	int i;

	if (k >= t->nrows)
		return false;
	if (t->nkeys && fseeko(t->spool, t->keys[k].off, SEEK_SET))
		err(VMVIZ_EXIT_FAILURE, "cannot read the table's temporary file");
	for (i = 0; i < t->n; i++) {
		uint32_t len;

		if (fread(&len, sizeof(len), 1, t->spool) != 1)
			err(VMVIZ_EXIT_FAILURE, "cannot read the table's temporary file");
		t->row.set[i] = len != UINT32_MAX;
		if (!t->row.set[i])
			continue;
		if (!t->row.cell[i] || t->row.cap[i] < (size_t)len + 1) {
			t->row.cap[i] = (size_t)len + 1;
			free(t->row.cell[i]);
			t->row.cell[i] = malloc(t->row.cap[i]);
			if (!t->row.cell[i])
				err(VMVIZ_EXIT_FAILURE, "out of memory");
		}
		if (len && fread(t->row.cell[i], 1, len, t->spool) != len)
			err(VMVIZ_EXIT_FAILURE, "cannot read the table's temporary file");
		t->row.cell[i][len] = '\0';
	}
	return true;
}

static void rewind_rows(struct vmviz_table *t)
{
	flush_row(t);
	if (t->nkeys)
		qsort(t->keys, t->nkeys, sizeof(*t->keys), key_order);
	if (t->spool && fseeko(t->spool, 0, SEEK_SET))
		err(VMVIZ_EXIT_FAILURE, "cannot read the table's temporary file");
}

/* The columns a name is not cut below, to leave out others first. */
#define NAME_MIN	16

/* The columns a line of @t takes, columns left out not counted. */
static size_t line_cols(const struct vmviz_table *t)
{
	size_t total = 0;
	int i, n = 0;

	for (i = 0; i < t->n; i++) {
		if (t->hidden[i])
			continue;
		total += t->widths[i];
		n++;
	}
	return n ? total + n - 1 : 0;
}

/*
 * Default columns (no -o) too wide for the width even with the name cut to
 * NAME_MIN (or to the totals row's label, never cut): leave out the view's
 * narrow columns, in their order, until the rest fits.
 */
static void leave_out(struct vmviz_table *t, int k)
{
	const char *p = t->view->narrow;
	size_t name_min = 0;
	int i;

	if (k >= 0) {
		name_min = t->widths[k] < NAME_MIN ? t->widths[k] : NAME_MIN;
		if (t->total && t->total_row.set[k] &&
		    vmviz_text_cols(t->total_row.cell[k]) > name_min)
			name_min = vmviz_text_cols(t->total_row.cell[k]);
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		int id = column_id(t->view, p, len);

		if (line_cols(t) - (k >= 0 ? t->widths[k] - name_min : 0) <=
		    (size_t)t->out->width)
			return;
		for (i = 0; i < t->n; i++)
			if (t->ids[i] == id && i != k)
				t->hidden[i] = true;
		p += len;
		if (*p == ',')
			p++;
	}
}

/*
 * Fit the width: if the columns are wider, the truncatable column (NAME)
 * gets what is left, and its cells keep their tail after "..."; with the
 * default columns, the view's narrow ones are left out first (leave_out()).
 * Other columns are never cut: with too many of them the line stays long.
 * Returns that column, or -1 if nothing is cut.
 */
static int table_fit(struct vmviz_table *t)
{
	size_t total, avail;
	int i, k = -1;

	for (i = 0; i < t->n; i++)
		if (t->view->cols[t->ids[i]].flags & SCOLS_FL_TRUNC)
			k = i;
	if (!t->out->columns && t->view->narrow)
		leave_out(t, k);
	total = line_cols(t);
	if (k < 0 || total <= (size_t)t->out->width)
		return -1;
	avail = t->out->width - (total - t->widths[k]);
	if (t->out->width <= (int)(total - t->widths[k]) || avail < 10)
		avail = 10;
	/* The totals row's label says what the row is: it is never cut. */
	if (t->total && t->total_row.set[k] && vmviz_text_cols(t->total_row.cell[k]) > avail)
		avail = vmviz_text_cols(t->total_row.cell[k]);
	if (avail >= t->widths[k])
		return -1;
	t->widths[k] = avail;
	return k;
}

/* Default columns no row has a value for (REF, ACT of older reports): left out. */
static void hide_empty(struct vmviz_table *t)
{
	const char *p;
	int i;

	for (p = t->view->if_any; p && *p && !t->out->columns; p += *p == ',') {
		size_t len = strcspn(p, ",");
		int id = column_id(t->view, p, len);

		for (i = 0; i < t->n; i++)
			if (t->ids[i] == id && !t->filled[i])
				t->hidden[i] = true;
		p += len;
	}
}

/* One cell for people: padded to its column, cut if it is the cut column. */
static void print_cell(struct vmviz_table *t, const char *s, int i, int cut)
{
	bool right = t->view->cols[t->ids[i]].flags & SCOLS_FL_RIGHT;
	bool last = true;
	size_t cols, pad;
	int j;

	if (t->hidden[i])
		return;
	for (j = i + 1; j < t->n; j++)
		if (!t->hidden[j])
			last = false;
	if (!s)
		s = "";
	if (t->addr[i] && strlen(s) == 16)
		s += 16 - t->shown_digits;
	cols = vmviz_text_cols(s);
	if (i == cut && cols > t->widths[i]) {
		fputs("...", stdout);
		s = vmviz_text_tail(s, t->widths[i] - 3);
		cols = vmviz_text_cols(s) + 3;
	}
	pad = t->widths[i] > cols ? t->widths[i] - cols : 0;
	if (right)
		printf("%*s", (int)pad, "");
	fputs(s, stdout);
	if (!right && !last)
		printf("%*s", (int)pad, "");
	if (!last)
		putchar(' ');
}

static void print_line(struct vmviz_table *t, struct vmviz_row *row, int cut)
{
	int i;

	for (i = 0; i < t->n; i++)
		print_cell(t, row->set[i] ? row->cell[i] : NULL, i, cut);
	putchar('\n');
}

/* -r: one line a row, cells escaped into single words, none padded. */
static void print_raw_line(struct vmviz_table *t, struct vmviz_row *row)
{
	int i;

	bool first = true;

	for (i = 0; i < t->n; i++) {
		if (t->hidden[i])
			continue;
		if (!first)
			putchar(' ');
		first = false;
		if (row->set[i])
			vmviz_escape_to(stdout, SINK_RAW, row->cell[i]);
	}
	putchar('\n');
}

/**
 * vmviz_table_print - the table, for people or raw (-r), and free it
 * @t: the table
 *
 * Columns as wide as their widest cell, one blank apart, numbers to the
 * right; the NAME column cut to fit the width (its cells keep their tail).
 */
void vmviz_table_print(struct vmviz_table *t)
{
	struct vmviz_row head;
	int cut = -1, i;
	long k;

	fflush(stdout);
	memset(&head, 0, sizeof(head));
	for (i = 0; i < t->n; i++)
		if (t->full_addr[i] && (size_t)t->shown_digits > t->widths[i])
			t->widths[i] = t->shown_digits;
	hide_empty(t);
	if (!t->out->json && !t->out->raw && t->out->width)
		cut = table_fit(t);
	for (i = 0; i < t->n; i++) {
		head.cell[i] = (char *)t->view->cols[t->ids[i]].name;
		head.set[i] = true;
	}
	/* An empty table prints nothing (its view says so in words). */
	if (!t->out->noheadings && (t->nrows || t->total || t->in_row)) {
		if (t->out->raw)
			print_raw_line(t, &head);
		else
			print_line(t, &head, -1);
	}
	rewind_rows(t);
	for (k = 0; read_row(t, k); k++) {
		if (t->out->raw)
			print_raw_line(t, &t->row);
		else
			print_line(t, &t->row, cut);
	}
	if (t->total) {
		if (t->out->raw)
			print_raw_line(t, &t->total_row);
		else
			print_line(t, &t->total_row, -1);
	}
	vmviz_table_free(t);
}

/* A JSON member name of a column: its heading in lower case. */
static void json_name(FILE *f, const char *name)
{
	fputc('"', f);
	for (; *name; name++)
		fputc(*name >= 'A' && *name <= 'Z' ? *name - 'A' + 'a' : *name, f);
	fputs("\": ", f);
}

/* A number as JSON writes it: digits, a sign, a fraction. */
static bool json_number(const char *s)
{
	char *end;

	if (!*s || !strchr("-0123456789", *s) || (s[0] == '0' && s[1] && s[1] != '.') ||
	    strspn(s, "-0123456789.e+") != strlen(s))
		return false;
	strtod(s, &end);
	return !*end;
}

/* A comma-separated list of whole numbers, the cell of an array column. */
static bool json_numbers(const char *s)
{
	size_t len;

	for (;;) {
		len = strspn(s, "0123456789");
		if (!len || (s[0] == '0' && len > 1))
			return false;
		s += len;
		if (*s != ',')
			return !*s;
		s++;
	}
}

/* One row as a JSON object, its cells as their column's JSON type says. */
static void json_row(FILE *f, struct vmviz_table *t, struct vmviz_row *row, const char *indent)
{
	int i;

	fprintf(f, "{\n");
	for (i = 0; i < t->n; i++) {
		const struct vmviz_col *c = &t->view->cols[t->ids[i]];
		const char *s = row->set[i] ? row->cell[i] : NULL;

		fprintf(f, "%s   ", indent);
		json_name(f, c->name);
		if (!s || (c->json_type != SCOLS_JSON_STRING && !*s))
			fputs("null", f);
		else if (c->json_type == SCOLS_JSON_BOOLEAN)
			fputs(strcmp(s, "0") ? "true" : "false", f);
		else if (c->json_type == SCOLS_JSON_NUMBER && json_number(s))
			fputs(s, f);
		else if (c->json_type == SCOLS_JSON_ARRAY_NUMBER && json_numbers(s))
			fprintf(f, "[%s]", s);
		else
			vmviz_json_str(f, s);
		fprintf(f, "%s\n", i + 1 < t->n ? "," : "");
	}
	fprintf(f, "%s}", indent);
}

/**
 * vmviz_table_json_to - the table as JSON, with members of its own first
 * @t: the table, in JSON mode
 * @f: where to
 * @name: the member of the rows, NULL for the view's
 * @pre: writes "   \"name\": value,\n" members (of the top-level object)
 * @arg: for @pre
 *
 * Writes {members, "NAME": [rows], "total": {row}}: the totals row, if
 * any, is an object of its own, not one of the rows.
 */
void vmviz_table_json_to(struct vmviz_table *t, FILE *f, const char *name,
			 void (*pre)(FILE *f, const void *arg), const void *arg)
{
	long k;

	fputs("{\n", f);
	pre(f, arg);
	fprintf(f, "   \"%s\": [", name ? name : t->view->json_name);
	rewind_rows(t);
	for (k = 0; read_row(t, k); k++) {
		fprintf(f, "%s\n      ", k ? "," : "");
		json_row(f, t, &t->row, "      ");
	}
	fprintf(f, "%s]", k ? "\n   " : "");
	if (t->total) {
		fprintf(f, ",\n   \"total\": ");
		json_row(f, t, &t->total_row, "   ");
	}
	fprintf(f, "\n}\n");
	vmviz_table_free(t);
}

/* The table as JSON on standard output (vmviz_table_json_to()). */
void vmviz_table_print_json(struct vmviz_table *t,
			    void (*pre)(FILE *f, const void *arg), const void *arg)
{
	vmviz_table_json_to(t, stdout, NULL, pre, arg);
}

/* A report's identity and provenance, the first member of JSON output. */
void vmviz_report_json_pre(FILE *f, const void *arg)
{
	fprintf(f, "   \"report\": ");
	vmviz_json_report(f, arg, "   ");
	fprintf(f, ",\n");
}

const struct vmviz_view *vmviz_view(const char *name)
{
	const struct vmviz_view *v;

	for (v = vmviz_views; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

/* A size: bytes in JSON and with --bytes, 4K or 1.5M for people. */
void vmviz_size_cell(const struct vmviz_out *o, unsigned long bytes, char *buf, size_t len)
{
	if (o->json || o->bytes)
		snprintf(buf, len, "%lu", bytes);
	else
		vmviz_human_size(bytes, buf, len);
}

/*
 * A task without an mm has no table: say so, for people (not JSON or raw),
 * after reading the rest of its report (it must be whole all the same).
 */
bool vmviz_no_mm(struct vmviz_report *r, const struct vmviz_out *o)
{
	char comm[128];

	if (r->has_mm || o->json || o->raw || o->noheadings)
		return false;
	vmviz_read_all(r, 0);
	vmviz_say(stdout, o->width,
		  "pid %d (%s) is %s: no address space, no VMAs, no page tables\n", r->pid,
		  vmviz_esc(r->comm, comm, sizeof(comm)),
		  !strcmp(r->kind, "kthread") ? "a kernel thread" :
		  !strcmp(r->kind, "zombie") ? "a zombie" : "a task that exited");
	return true;
}

/* --help: the views' columns (of @view, or all), from the tables that print them. */
void vmviz_columns_help(FILE *f, const char *view)
{
	const struct vmviz_view *v;
	size_t i;

	for (v = vmviz_views; v->name; v++) {
		bool cmp_only = view && (!strcmp(view, "demo") || !strcmp(view, "watch"));

		if (view && strcmp(view, v->name) && !cmp_only)
			continue;
		if (cmp_only && strcmp(v->name, "compare"))
			continue;
		fprintf(f, "Columns of '%s' (default: %s):\n", v->name, v->defaults);
		if (v->frame_defaults)
			fprintf(f, " with frame detail, default: %s\n", v->frame_defaults);
		if (v->time_defaults)
			fprintf(f, " of one mm read twice, default: %s\n", v->time_defaults);
		for (i = 0; i < v->ncols; i++)
			fprintf(f, " %12s  %s\n", v->cols[i].name, v->cols[i].help);
		fputc('\n', f);
	}
}
