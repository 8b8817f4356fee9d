// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: the columns of the table views as data (name, width hint,
 * flags, JSON type, help), and the one libsmartcols path that prints them.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols.h>

#include "vmviz.h"
#include "table.h"

/* vmviz maps */
enum {
	MAPS_START, MAPS_END, MAPS_SIZE, MAPS_PERM, MAPS_OFFSET, MAPS_SEG,
	MAPS_PRESENT, MAPS_DIRTY, MAPS_ACCESSED, MAPS_WRITABLE, MAPS_HUGE,
	MAPS_SWAPPED, MAPS_NONPRESENT, MAPS_ANON, MAPS_PKEY, MAPS_FLAGS,
	MAPS_VMFLAGS, MAPS_PROT, MAPS_PROTFLAGS, MAPS_PAGELINES, MAPS_NAME,
	MAPS_RAM, MAPS_SWAP,
};

static const struct vmviz_col maps_cols[] = {
	[MAPS_START] = { "START", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "first address (hex)" },
	[MAPS_END] = { "END", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"end address, exclusive (hex)" },
	[MAPS_SIZE] = { "SIZE", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
		"size of the VMA (bytes in JSON and with --bytes)" },
	[MAPS_PERM] = { "PERM", 4, 0, SCOLS_JSON_STRING, "permissions as in /proc/PID/maps" },
	[MAPS_OFFSET] = { "OFFSET", 8, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"file offset in bytes (hex)" },
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

/* vmviz pages */
enum {
	PG_START, PG_END, PG_COUNT, PG_SIZE, PG_BYTES, PG_LEVEL, PG_STATE,
	PG_PERM, PG_FLAGS, PG_PFN, PG_STEP, PG_SD, PG_PKEY, PG_SWAPTYPE,
	PG_NAME, PG_KIND, PG_FFLAGS, PG_ORDER, PG_NODE, PG_MAP, PG_MAPHI,
};

static const struct vmviz_col pages_cols[] = {
	[PG_START] = { "START", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"first address of the run (hex)" },
	[PG_END] = { "END", 16, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"end of the run, exclusive (hex)" },
	[PG_COUNT] = { "COUNT", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "entries in the run" },
	[PG_SIZE] = { "LEAF", 4, SCOLS_FL_RIGHT, SCOLS_JSON_STRING,
		"bytes one entry maps: 4K, 2M, 1G" },
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
	[TB_HIST] = { "HIST", 22, 0, SCOLS_JSON_STRING,
		"tables by used entries: 0,1,2-3,4-7,...,256-511,512" },
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

/* vmviz compare */
enum {
	CMP_START, CMP_END, CMP_PERM, CMP_SAME, CMP_COW, CMP_SHARED,
	CMP_READONLY, CMP_DIVERGED, CMP_ONLY1, CMP_ONLY2, CMP_NAME,
	CMP_SAMEMM, CMP_VERDICT, CMP_VMA, CMP_SWAPOUT, CMP_SWAPIN,
	CMP_COPY1, CMP_REUSE1, CMP_COPY2, CMP_REUSE2, CMP_ZERO,
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
	  "START,END,SIZE,PERM,SEG,RAM,SWAP,NAME", NULL },
	{ "pages", "pages", pages_cols, ARRAY_SIZE(pages_cols),
	  "START,END,COUNT,LEAF,STATE,PERM,PFN,NAME",
	  "START,COUNT,LEAF,STATE,PFN,KIND,FFLAGS,MAP,NAME" },
	{ "compare", "compare", cmp_cols, ARRAY_SIZE(cmp_cols),
	  "START,END,PERM,SAME,COW,DIVERGED,ONLY1,ONLY2,NAME", NULL },
	{ "mem", "vmas", mem_cols, ARRAY_SIZE(mem_cols),
	  "START,PERM,RSS,PSS,PSSDIRTY,USS,SWAP,NAME", NULL },
	{ "tables", "tables", tb_cols, ARRAY_SIZE(tb_cols),
	  "LEVEL,COUNT,USED,MIN,MAX,FILL,BYTES,HIST", NULL },
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

		if (id < 0)
			vmviz_die(VMVIZ_EXIT_FAILURE,
				  "unknown column for %s: %.*s (see vmviz --help)",
				  t->view->name, (int)len, p);
		if (t->n >= VMVIZ_MAX_COLS)
			vmviz_die(VMVIZ_EXIT_FAILURE, "too many columns");
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

	scols_init_debug(0);
	t->tb = scols_new_table();
	if (!t->tb)
		err(VMVIZ_EXIT_FAILURE, "cannot create a table");
	scols_table_enable_raw(t->tb, o->raw);
	scols_table_enable_json(t->tb, o->json);
	scols_table_enable_noheadings(t->tb, o->noheadings);
	scols_table_set_name(t->tb, v->json_name);
	for (i = 0; i < t->n; i++) {
		const struct vmviz_col *c = &v->cols[t->ids[i]];
		struct libscols_column *cl;

		cl = scols_table_new_column(t->tb, c->name, c->whint, c->flags);
		if (!cl)
			err(VMVIZ_EXIT_FAILURE, "cannot create a column");
		scols_column_set_json_type(cl, c->json_type);
		t->widths[i] = strlen(c->name);
	}
	t->addr_digits = 16;
}

/*
 * Addresses in tables for people take the digits the highest needs (at
 * least 12, all 4-level user addresses); JSON and raw output keep 16.
 */
void vmviz_table_addrs(struct vmviz_table *t, unsigned long highest)
{
	int digits = 12;

	if (t->out->json || t->out->raw)
		return;
	while (digits < 16 && highest >> (4 * digits))
		digits++;
	t->addr_digits = digits;
}

/*
 * Fit the width: if the columns are wider, cut the truncatable column
 * (NAME) to what is left, keeping the tail of each cell after "...".
 * Other columns are never cut: with too many of them the line stays long.
 */
static void table_fit(struct vmviz_table *t)
{
	size_t total = t->n ? t->n - 1 : 0, avail;
	struct libscols_iter *it;
	struct libscols_line *ln;
	int i, k = -1;

	for (i = 0; i < t->n; i++) {
		total += t->widths[i];
		if (t->view->cols[t->ids[i]].flags & SCOLS_FL_TRUNC)
			k = i;
	}
	if (k < 0 || total <= (size_t)t->out->width)
		return;
	avail = t->out->width - (total - t->widths[k]);
	if (t->out->width <= (int)(total - t->widths[k]) || avail < 10)
		avail = 10;
	/* The totals row's label says what the row is: it is never cut. */
	if (t->total) {
		const char *label = scols_cell_get_data(scols_line_get_cell(t->total, k));

		if (label && vmviz_text_cols(label) > avail)
			avail = vmviz_text_cols(label);
	}
	if (avail >= t->widths[k])
		return;
	it = scols_new_iter(SCOLS_ITER_FORWARD);
	if (!it)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	while (!scols_table_next_line(t->tb, it, &ln)) {
		const char *data = scols_cell_get_data(scols_line_get_cell(ln, k));
		char cut[4096];
		size_t cols;

		if (!data || ln == t->total)
			continue;
		cols = vmviz_text_cols(data);
		if (cols <= avail)
			continue;
		snprintf(cut, sizeof(cut), "...%s", vmviz_text_tail(data, avail - 3));
		if (scols_line_set_data(ln, k, cut))
			err(VMVIZ_EXIT_FAILURE, "cannot set a cell");
	}
	scols_free_iter(it);
	t->widths[k] = avail;
}

/* A new row: the caller fills it with vmviz_table_set(). */
struct libscols_line *vmviz_table_row(struct vmviz_table *t)
{
	struct libscols_line *ln = scols_table_new_line(t->tb, NULL);

	if (!ln)
		err(VMVIZ_EXIT_FAILURE, "cannot add a row");
	return ln;
}

/* The totals row, last: its label is never cut to fit the width. */
struct libscols_line *vmviz_table_total_row(struct vmviz_table *t)
{
	t->total = vmviz_table_row(t);
	return t->total;
}

/*
 * Set cell @i of @ln. For people, strings from the target are escaped here
 * (as libsmartcols would, but before measuring them); JSON and raw output
 * get them as they are and escape them themselves.
 */
void vmviz_table_set(struct vmviz_table *t, struct libscols_line *ln, int i, const char *s)
{
	char esc[4096];

	if (!s)
		return;
	if (!t->out->json && !t->out->raw)
		s = vmviz_esc(s, esc, sizeof(esc));
	if (vmviz_text_cols(s) > t->widths[i])
		t->widths[i] = vmviz_text_cols(s);
	if (scols_line_set_data(ln, i, s))
		err(VMVIZ_EXIT_FAILURE, "cannot set a cell");
}

void vmviz_table_free(struct vmviz_table *t)
{
	scols_unref_table(t->tb);
	t->tb = NULL;
}

void vmviz_table_print(struct vmviz_table *t)
{
	fflush(stdout);
	if (!t->out->json && !t->out->raw && t->out->width) {
		size_t total = 0;
		int i;

		table_fit(t);
		for (i = 0; i < t->n; i++) {
			scols_column_set_whint(scols_table_get_column(t->tb, i), t->widths[i]);
			total += t->widths[i] + 1;
		}
		/* Our widths, not the terminal's: libsmartcols must cut nothing. */
		scols_table_set_termforce(t->tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(t->tb, total > (size_t)t->out->width ?
					  total : (size_t)t->out->width);
	}
	scols_print_table(t->tb);
	vmviz_table_free(t);
}

/**
 * vmviz_table_print_json - the table as JSON, with members of its own first
 * @t: the table, in JSON mode
 * @pre: writes "   \"name\": value,\n" members (of the top-level object)
 * @arg: for @pre
 *
 * libsmartcols writes {"NAME": [rows]}; this writes {members, "NAME": [rows]}.
 */
void vmviz_table_print_json(struct vmviz_table *t,
			    void (*pre)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	scols_table_set_stream(t->tb, m);
	scols_print_table(t->tb);
	if (fclose(m) || len < 2 || strncmp(buf, "{\n", 2))
		errx(VMVIZ_EXIT_FAILURE, "libsmartcols wrote no JSON object");
	fputs("{\n", stdout);
	pre(stdout, arg);
	vmviz_json_safe(stdout, buf + 2);
	free(buf);
	vmviz_table_free(t);
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

/* Letters for what the hardware lets user space do with a page line. */
static void page_perm(const struct vmviz_page *p, char *buf)
{
	bool mapped = p->flags[0] == 'P';

	buf[0] = mapped ? 'r' : '-';
	buf[1] = mapped && p->flags[1] == 'W' ? 'w' : '-';
	buf[2] = mapped && p->flags[10] != 'N' ? 'x' : '-';
	buf[3] = mapped && p->flags[2] == 'U' ? 'u' : '-';
	buf[4] = '\0';
}

/* A size: bytes in JSON and with --bytes, 4K or 1.5M for people. */
void vmviz_size_cell(const struct vmviz_out *o, unsigned long bytes, char *buf, size_t len)
{
	if (o->json || o->bytes)
		snprintf(buf, len, "%lu", bytes);
	else
		vmviz_human_size(bytes, buf, len);
}

static void maps_cell(const struct vmviz_out *o, int digits, const struct vmviz_vma *v,
		      int col, char *buf, size_t len)
{
	unsigned long nums[] = {
		[MAPS_PRESENT] = v->present, [MAPS_DIRTY] = v->dirty,
		[MAPS_ACCESSED] = v->accessed, [MAPS_WRITABLE] = v->writable,
		[MAPS_HUGE] = v->huge, [MAPS_SWAPPED] = v->swapped,
		[MAPS_NONPRESENT] = v->nonpresent, [MAPS_PKEY] = v->pkey,
		[MAPS_PAGELINES] = v->npages,
	};

	switch (col) {
	case MAPS_START:
		snprintf(buf, len, "%0*lx", digits, v->start);
		break;
	case MAPS_END:
		snprintf(buf, len, "%0*lx", digits, v->end);
		break;
	case MAPS_SIZE:
		vmviz_size_cell(o, v->end - v->start, buf, len);
		break;
	case MAPS_RAM:
		vmviz_size_cell(o, v->present * 4096, buf, len);
		break;
	case MAPS_SWAP:
		vmviz_size_cell(o, v->swapped * 4096, buf, len);
		break;
	case MAPS_PERM:
		snprintf(buf, len, "%s", v->perm);
		break;
	case MAPS_OFFSET:
		snprintf(buf, len, "%llx", v->offset);
		break;
	case MAPS_SEG:
		snprintf(buf, len, "%s", v->seg);
		break;
	case MAPS_ANON:
		snprintf(buf, len, "%s", v->anon ? "1" : "0");
		break;
	case MAPS_FLAGS:
		snprintf(buf, len, "%s", v->vm);
		break;
	case MAPS_VMFLAGS:
		snprintf(buf, len, "%016lx", v->flags);
		break;
	case MAPS_PROT:
		snprintf(buf, len, "%016lx", v->prot);
		break;
	case MAPS_PROTFLAGS:
		snprintf(buf, len, "%s", v->protflags);
		break;
	case MAPS_NAME:
		snprintf(buf, len, "%s", v->name);
		break;
	default:
		snprintf(buf, len, "%lu", nums[col]);
		break;
	}
}

/* A task without an mm has no table: say so, for people (not JSON or raw). */
bool vmviz_no_mm(const struct vmviz_report *r, const struct vmviz_out *o)
{
	char comm[128];

	if (r->has_mm || o->json || o->raw || o->noheadings)
		return false;
	printf("pid %d (%s) is %s: no address space, no VMAs, no page tables\n", r->pid,
	       vmviz_esc(r->comm, comm, sizeof(comm)),
	       !strcmp(r->kind, "kthread") ? "a kernel thread" :
	       !strcmp(r->kind, "zombie") ? "a zombie" : "a task that exited");
	return true;
}

/* The totals row of maps: sums of the shown rows' sizes and counts. */
static void maps_total(struct vmviz_table *t, const struct vmviz_vma *tot, int nrows)
{
	struct libscols_line *ln = vmviz_table_total_row(t);
	char buf[64];
	int j;

	for (j = 0; j < t->n; j++) {
		switch (t->ids[j]) {
		case MAPS_START:
		case MAPS_END:
		case MAPS_PERM:
		case MAPS_OFFSET:
		case MAPS_SEG:
		case MAPS_ANON:
		case MAPS_PKEY:
		case MAPS_FLAGS:
		case MAPS_VMFLAGS:
		case MAPS_PROT:
		case MAPS_PROTFLAGS:
			continue;
		case MAPS_NAME:
			snprintf(buf, sizeof(buf), "total (%d %s)", nrows,
				 vmviz_plural(nrows, "VMA", "VMAs"));
			break;
		default:
			/* tot->end holds the bytes of all rows, start 0. */
			maps_cell(t->out, t->addr_digits, tot, t->ids[j], buf, sizeof(buf));
			break;
		}
		vmviz_table_set(t, ln, j, buf);
	}
}

void vmviz_print_maps(const struct vmviz_report *r, const struct vmviz_out *o)
{
	struct vmviz_vma tot = { 0 };
	struct vmviz_table t;
	char buf[4096];
	int i, j, nrows = 0;

	if (vmviz_no_mm(r, o)) {
		vmviz_table_init(&t, vmviz_view("maps"), o, NULL);
		vmviz_table_free(&t);
		return;
	}
	vmviz_table_init(&t, vmviz_view("maps"), o, NULL);
	if (r->nvmas)
		vmviz_table_addrs(&t, r->vmas[r->nvmas - 1].end);
	for (i = 0; i < r->nvmas; i++) {
		const struct vmviz_vma *v = &r->vmas[i];
		struct libscols_line *ln;

		if (!vmviz_vma_wanted(r, v, &o->filter))
			continue;
		ln = vmviz_table_row(&t);
		for (j = 0; j < t.n; j++) {
			maps_cell(o, t.addr_digits, v, t.ids[j], buf, sizeof(buf));
			vmviz_table_set(&t, ln, j, buf);
		}
		tot.present += v->present;
		tot.dirty += v->dirty;
		tot.accessed += v->accessed;
		tot.writable += v->writable;
		tot.huge += v->huge;
		tot.swapped += v->swapped;
		tot.nonpresent += v->nonpresent;
		tot.npages += v->npages;
		tot.end += v->end - v->start;
		nrows++;
	}
	if (o->total)
		maps_total(&t, &tot, nrows);
	if (o->json) {
		vmviz_table_print_json(&t, vmviz_report_json_pre, r);
		return;
	}
	vmviz_table_print(&t);
	if (!nrows)
		vmviz_say_none(o, "VMA");
}

static void pages_cell(const struct vmviz_report *r, const struct vmviz_table *t,
		       const struct vmviz_page *p, int col, char *buf, size_t len)
{
	buf[0] = '\0';
	switch (col) {
	case PG_START:
		snprintf(buf, len, "%0*lx", t->addr_digits, p->start);
		break;
	case PG_END:
		snprintf(buf, len, "%0*lx", t->addr_digits, p->end);
		break;
	case PG_COUNT:
		snprintf(buf, len, "%lu", p->count);
		break;
	case PG_SIZE:
		snprintf(buf, len, "%s", p->size);
		break;
	case PG_BYTES:
		vmviz_size_cell(t->out, p->end - p->start, buf, len);
		break;
	case PG_LEVEL:
		snprintf(buf, len, "%s", p->level);
		break;
	case PG_STATE:
		snprintf(buf, len, "%s", p->state);
		break;
	case PG_PERM:
		page_perm(p, buf);
		break;
	case PG_FLAGS:
		snprintf(buf, len, "%s", p->flags);
		break;
	case PG_PFN:
		snprintf(buf, len, "%010lx", p->pfn);
		break;
	case PG_STEP:
		snprintf(buf, len, "%c", p->step);
		break;
	case PG_SD:
		snprintf(buf, len, "%d", p->sd);
		break;
	case PG_PKEY:
		snprintf(buf, len, "%d", p->pkey);
		break;
	case PG_SWAPTYPE:
		if (p->swaptype < 0)
			snprintf(buf, len, "%s", t->out->json ? "" : "-");
		else
			snprintf(buf, len, "%d", p->swaptype);
		break;
	case PG_NAME:
		snprintf(buf, len, "%s", r->vmas[p->vma].name);
		break;
	case PG_KIND:
		if (r->frames)
			snprintf(buf, len, "%s", t->out->json && p->kind[0] == '-' ? "" : p->kind);
		break;
	case PG_FFLAGS:
		if (r->frames)
			snprintf(buf, len, "%s", p->fflags);
		break;
	case PG_ORDER:
	case PG_NODE: {
		int v = col == PG_ORDER ? p->order : p->node;

		if (r->frames && v >= 0)
			snprintf(buf, len, "%d", v);
		else if (r->frames && !t->out->json)
			snprintf(buf, len, "-");
		break;
	}
	case PG_MAP:
	case PG_MAPHI:
		if (r->frames && p->map_lo < 0 && !t->out->json)
			snprintf(buf, len, "-");
		else if (r->frames && p->map_lo >= 0 && col == PG_MAP &&
			 p->map_hi != p->map_lo && !t->out->json)
			snprintf(buf, len, "%ld-%ld", p->map_lo, p->map_hi);
		else if (r->frames && p->map_lo >= 0)
			snprintf(buf, len, "%ld", col == PG_MAP ? p->map_lo : p->map_hi);
		break;
	}
}

/*
 * Cut a page line down to [lo, hi), whole entries kept: the start, count
 * and first frame move with the cut (frames follow on with '+').
 */
static bool clip_page(const struct vmviz_page *p, unsigned long lo, unsigned long hi,
		      struct vmviz_page *out)
{
	unsigned long start, end;

	if (p->end <= lo || p->start >= hi)
		return false;
	*out = *p;
	start = p->start;
	if (lo > start)
		start = p->start + (lo - p->start) / p->entry_size * p->entry_size;
	end = p->end;
	if (hi < end)
		end = p->start + (hi - p->start + p->entry_size - 1) / p->entry_size *
		      p->entry_size;
	out->start = start;
	out->end = end;
	out->count = (end - start) / p->entry_size;
	vmviz_page_pfn(p, start, &out->pfn);
	return true;
}

void vmviz_print_pages(const struct vmviz_report *r, const struct vmviz_out *o,
		       unsigned long lo, unsigned long hi)
{
	unsigned long bytes = 0;
	struct vmviz_table t;
	struct vmviz_page p;
	char buf[4096];
	int i, j, nrows = 0;

	struct vmviz_view fv = *vmviz_view("pages");

	/* Frame detail: the frame columns instead of some others, all in JSON. */
	if (r->frames)
		fv.defaults = fv.frame_defaults;
	if (vmviz_no_mm(r, o)) {
		vmviz_table_init(&t, &fv, o, NULL);
		vmviz_table_free(&t);
		return;
	}
	vmviz_table_init(&t, &fv, o, r->frames ? "END,PERM,ORDER,NODE,MAPHI" : NULL);
	if (r->npages)
		vmviz_table_addrs(&t, r->pages[r->npages - 1].end);
	for (i = 0; i < r->npages; i++) {
		struct libscols_line *ln;

		if (!vmviz_page_wanted(r, &r->pages[i], &o->filter) ||
		    !clip_page(&r->pages[i], lo, hi, &p))
			continue;
		ln = vmviz_table_row(&t);
		for (j = 0; j < t.n; j++) {
			pages_cell(r, &t, &p, t.ids[j], buf, sizeof(buf));
			vmviz_table_set(&t, ln, j, buf[0] ? buf : NULL);
		}
		bytes += p.end - p.start;
		nrows++;
	}
	if (o->total) {
		struct libscols_line *ln = vmviz_table_total_row(&t);

		/*
		 * Entries of different leaf sizes do not add up: the total
		 * counts base pages, and its LEAF cell and label say so.
		 */
		for (j = 0; j < t.n; j++) {
			if (t.ids[j] == PG_COUNT)
				snprintf(buf, sizeof(buf), "%lu", bytes >> 12);
			else if (t.ids[j] == PG_SIZE)
				snprintf(buf, sizeof(buf), "4K");
			else if (t.ids[j] == PG_BYTES)
				vmviz_size_cell(o, bytes, buf, sizeof(buf));
			else if (t.ids[j] == PG_NAME)
				snprintf(buf, sizeof(buf), "total (%d %s, COUNT in 4K pages)",
					 nrows, vmviz_plural(nrows, "run", "runs"));
			else
				continue;
			vmviz_table_set(&t, ln, j, buf);
		}
	}
	if (o->json) {
		vmviz_table_print_json(&t, vmviz_report_json_pre, r);
		return;
	}
	vmviz_table_print(&t);
	if (!nrows) {
		struct vmviz_out said = *o;

		if (lo || hi != ~0UL) {
			said.lo = lo;
			said.hi = hi;
		}
		vmviz_say_none(&said, "page run");
	}
}

/**
 * vmviz_print_pages_at - the entry holding @addr and its frame, or why there is none
 * @r: the report
 * @o: table options
 * @addr: the address
 *
 * Return: 0, or 1 (with the reason on stderr) when no page line holds @addr.
 */
int vmviz_print_pages_at(const struct vmviz_report *r, const struct vmviz_out *o,
			 unsigned long addr)
{
	const struct vmviz_page *p = vmviz_page_at(r, addr);
	const struct vmviz_vma *v = vmviz_vma_at(r, addr);
	char name[256];
	int i;

	if (p) {
		unsigned long pfn;

		/* The entry holding ADDR, its own frame (clip_page()). */
		vmviz_print_pages(r, o, addr, addr + 1);
		vmviz_page_pfn(p, addr & ~4095UL, &pfn);
		if (p->entry_size > 4096 && !o->json && !o->raw && !o->noheadings)
			printf("%016lx is base page %lu of this %s entry: frame %010lx\n", addr,
			       (addr - (p->start + (addr - p->start) / p->entry_size *
					p->entry_size)) >> 12, p->size, pfn);
		return VMVIZ_EXIT_OK;
	}
	if (!r->has_mm) {
		warnx("%016lx: no page tables: the task has no address space (%s)", addr, r->kind);
	} else if (addr > r->user.end) {
		warnx("%016lx: not a user address: the user half ends at %016lx", addr,
		      r->user.end);
	} else if (!v) {
		const struct vmviz_vma *below = NULL, *above = NULL;

		for (i = 0; i < r->nvmas; i++) {
			if (r->vmas[i].end <= addr)
				below = &r->vmas[i];
			else if (r->vmas[i].start > addr && !above)
				above = &r->vmas[i];
		}
		warnx("%016lx: in no VMA: unmapped, between %016lx and %016lx", addr,
		      below ? below->end : 0UL, above ? above->start : r->user.end + 1);
	} else if (addr < v->sum_start || addr >= v->sum_end) {
		warnx("%016lx: in VMA %016lx-%016lx %s, %s", addr, v->start, v->end,
		      vmviz_esc(v->name, name, sizeof(name)),
		      "in a part not read: the VMA changed while the report was read");
	} else {
		warnx("%016lx: in VMA %016lx-%016lx %s, %s", addr, v->start, v->end,
		      vmviz_esc(v->name, name, sizeof(name)),
		      "but no page-table entry: never touched, or dropped (file pages are reclaimed, MADV_DONTNEED)");
	}
	return VMVIZ_EXIT_FAILURE;
}

static void cmp_cell(const struct vmviz_cmp_row *row, const struct vmviz_cmp *c, int digits,
		     int col, char *buf, size_t len)
{
	const struct vmviz_cmp_counts *n = row ? &row->c : &c->total;
	unsigned long nums[] = {
		[CMP_SAME] = n->same, [CMP_COW] = n->cow, [CMP_SHARED] = n->shared,
		[CMP_READONLY] = n->readonly, [CMP_DIVERGED] = n->diverged, [CMP_ZERO] = n->zero,
		[CMP_ONLY1] = n->only1, [CMP_ONLY2] = n->only2,
		[CMP_SWAPOUT] = n->swapout, [CMP_SWAPIN] = n->swapin,
		[CMP_COPY1] = n->copy1, [CMP_REUSE1] = n->reuse1,
		[CMP_COPY2] = n->copy2, [CMP_REUSE2] = n->reuse2,
	};
	static const char *const how[] = {
		[CMP_VMA_BOTH] = "both", [CMP_VMA_ONLY1] = "only1",
		[CMP_VMA_ONLY2] = "only2", [CMP_VMA_RESIZED] = "resized",
	};

	buf[0] = '\0';
	switch (col) {
	case CMP_START:
		if (row)
			snprintf(buf, len, "%0*lx", digits, row->start);
		break;
	case CMP_END:
		if (row)
			snprintf(buf, len, "%0*lx", digits, row->end);
		break;
	case CMP_PERM:
		if (row)
			snprintf(buf, len, "%s", row->perm);
		break;
	case CMP_NAME:
		snprintf(buf, len, "%s", row ? row->name : "total");
		break;
	case CMP_SAMEMM:
		snprintf(buf, len, "%s", c->same_mm ? "1" : "0");
		break;
	case CMP_VMA:
		if (row)
			snprintf(buf, len, "%s", how[row->vma]);
		break;
	case CMP_VERDICT:
		if (!row)
			vmviz_verdict(c, buf, len);
		break;
	case CMP_COPY1:
	case CMP_REUSE1:
	case CMP_COPY2:
	case CMP_REUSE2:
		if (c->frames)
			snprintf(buf, len, "%lu", nums[col]);
		break;
	default:
		snprintf(buf, len, "%lu", nums[col]);
		break;
	}
}

/* The per-VMA rows of a comparison and its total row, as a table. */
void vmviz_cmp_table(const struct vmviz_cmp *c, const struct vmviz_out *o,
		     struct vmviz_table *tp)
{
	const struct vmviz_filter *f = &o->filter;
	bool filtered = f->name || f->segs || f->perm || f->range;
	struct vmviz_cmp shown = *c;
	struct vmviz_table t;
	unsigned long highest = 0;
	char buf[1024];
	int i, j;

	/* With a filter, the total row sums the rows shown. */
	if (filtered) {
		memset(&shown.total, 0, sizeof(shown.total));
		for (i = 0; i < c->nrows; i++) {
			const struct vmviz_cmp_counts *n = &c->rows[i].c;

			if (!vmviz_vma_wanted(NULL, c->rows[i].v, f))
				continue;
			shown.total.same += n->same;
			shown.total.cow += n->cow;
			shown.total.zero += n->zero;
			shown.total.shared += n->shared;
			shown.total.readonly += n->readonly;
			shown.total.diverged += n->diverged;
			shown.total.only1 += n->only1;
			shown.total.only2 += n->only2;
			shown.total.swapout += n->swapout;
			shown.total.swapin += n->swapin;
			shown.total.copy1 += n->copy1;
			shown.total.reuse1 += n->reuse1;
			shown.total.copy2 += n->copy2;
			shown.total.reuse2 += n->reuse2;
		}
	}
	vmviz_table_init(&t, vmviz_view("compare"), o, c->frames ?
			 "SAMEMM,VERDICT,VMA,ZERO,COPY1,REUSE1,COPY2,REUSE2" :
			 "SAMEMM,VERDICT,VMA,ZERO");
	for (i = 0; i < c->nrows; i++)
		if (c->rows[i].end > highest)
			highest = c->rows[i].end;
	vmviz_table_addrs(&t, highest);
	for (i = 0; i <= c->nrows; i++) {
		const struct vmviz_cmp_row *row = i < c->nrows ? &c->rows[i] : NULL;
		struct libscols_line *ln;

		if (row && !vmviz_vma_wanted(NULL, row->v, &o->filter))
			continue;
		ln = row ? vmviz_table_row(&t) : vmviz_table_total_row(&t);

		for (j = 0; j < t.n; j++) {
			cmp_cell(row, &shown, t.addr_digits, t.ids[j], buf, sizeof(buf));
			vmviz_table_set(&t, ln, j, buf[0] ? buf : NULL);
		}
	}
	*tp = t;
}

/* The rows printed now, as the table options say (the demo's subsets). */
void vmviz_print_cmp_rows(const struct vmviz_cmp *c, const struct vmviz_out *o)
{
	struct vmviz_table t;

	vmviz_cmp_table(c, o, &t);
	vmviz_table_print(&t);
}

/*
 * The rows where the two differ (a VMA in one only, resized, or pages that
 * diverged, swapped or are in one only) and the total; nothing if none.
 */
void vmviz_print_changed_rows(const struct vmviz_cmp *c, const struct vmviz_out *o)
{
	struct vmviz_cmp sub = *c;
	int i;

	sub.nrows = 0;
	sub.rows = calloc(c->nrows + 1, sizeof(*c->rows));
	if (!sub.rows)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	for (i = 0; i < c->nrows; i++) {
		const struct vmviz_cmp_row *row = &c->rows[i];

		if (row->vma != CMP_VMA_BOTH || row->c.diverged || row->c.only1 ||
		    row->c.only2 || row->c.swapout || row->c.swapin)
			sub.rows[sub.nrows++] = *row;
	}
	if (sub.nrows) {
		putchar('\n');
		vmviz_print_cmp_rows(&sub, o);
	}
	free(sub.rows);
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
		for (i = 0; i < v->ncols; i++)
			fprintf(f, " %12s  %s\n", v->cols[i].name, v->cols[i].help);
		fputc('\n', f);
	}
}
