// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: the views of the frame detail (/proc/vmviz/frames/PID,
 * docs/FORMAT.md "Frame detail"): memory per VMA as smaps counts it, with
 * the rollup's totals (mem), and the page-table tree level by level
 * (tables).
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmviz.h"
#include "table.h"

/* A view of frame detail given a plain report: say where the detail is. */
static void need_frames(const struct vmviz_report *r, const char *view)
{
	if (!r->frames)
		vmviz_die(VMVIZ_EXIT_FAILURE,
			  "%s: no frame detail: %s reads /proc/vmviz/frames/PID (a report with a 'detail frames' line)",
			  r->source, view);
}

static void mem_cell(const struct vmviz_out *o, int digits, const struct vmviz_vma *v,
		     const unsigned long *sm, int col, char *buf, size_t len)
{
	buf[0] = '\0';
	switch (col) {
	case MEM_START:
		if (v)
			snprintf(buf, len, "%0*lx", digits, v->start);
		break;
	case MEM_END:
		if (v)
			snprintf(buf, len, "%0*lx", digits, v->end);
		break;
	case MEM_SIZE:
		if (v)
			vmviz_size_cell(o, v->end - v->start, buf, len);
		break;
	case MEM_PERM:
		if (v)
			snprintf(buf, len, "%s", v->perm);
		break;
	case MEM_SEG:
		if (v)
			snprintf(buf, len, "%s", v->seg);
		break;
	case MEM_NAME:
		if (v)
			snprintf(buf, len, "%s", v->name);
		break;
	default:
		/* The smaps fields are in kB. */
		vmviz_size_cell(o, sm[col - MEM_SM] * 1024, buf, len);
		break;
	}
}

/* The report and the rollup (bytes) before the rows of -J. */
static void mem_json_pre(FILE *f, const void *arg)
{
	const struct vmviz_report *r = arg;
	int i;

	vmviz_report_json_pre(f, r);
	fprintf(f, "   \"rollup\": {\n      \"start\": \"%016lx\",\n      \"end\": \"%016lx\"",
		r->rollup.start, r->rollup.end);
	for (i = 0; i < VMVIZ_NSMAPS; i++)
		fprintf(f, ",\n      \"%s\": %lu", vmviz_smaps_names[i], r->rollup_sm[i] * 1024);
	fprintf(f, "\n   },\n   \"pgtables\": %lu,\n", r->pgtables_bytes);
}

/* "Rss 1.9M, Pss 1.5M, ..." of the rollup, for people. */
static void mem_header(const struct vmviz_report *r, const struct vmviz_out *o)
{
	static const struct {
		const char *label;
		int field;
	} shown[] = {
		{ "Rss", SM_RSS }, { "Pss", SM_PSS }, { "Uss", SM_USS },
		{ "Pss_Dirty", SM_PSS_DIRTY }, { "Anonymous", SM_ANONYMOUS },
		{ "Swap", SM_SWAP }, { "Locked", SM_LOCKED },
	};
	int width = o->width ? o->width : 80, col;
	char item[96], comm[128], size[32];
	size_t i;

	/* Wrapped between items, never inside one ("Swap 0B" stays whole). */
	col = printf("pid %d (%s):", r->pid, vmviz_esc(r->comm, comm, sizeof(comm)));
	for (i = 0; i <= ARRAY_SIZE(shown); i++) {
		int len;

		if (i < ARRAY_SIZE(shown)) {
			vmviz_human_size(r->rollup_sm[shown[i].field] * 1024ULL, size,
					 sizeof(size));
			len = snprintf(item, sizeof(item), "%s %s%s", shown[i].label, size,
				       i + 1 < ARRAY_SIZE(shown) ? "," : ";");
		} else {
			vmviz_human_size(r->pgtables_bytes, size, sizeof(size));
			len = snprintf(item, sizeof(item), "page tables %s (VmPTE)", size);
		}
		if (col + 1 + len > width) {
			printf("\n  ");
			col = 2;
		}
		col += printf(" %s", item);
	}
	putchar('\n');
}

/**
 * vmviz_print_mem - memory per VMA as smaps counts it, in the manner of pmap -X
 * @r: a frame-detail report
 * @o: table options and filters
 *
 * The total row is the rollup line's (summed before the scaling to kB, as
 * smaps_rollup), or with a filter, the sum of the rows shown.
 */
void vmviz_print_mem(struct vmviz_report *r, const struct vmviz_out *o)
{
	const struct vmviz_filter *f = &o->filter;
	bool filtered = f->name || f->segs || f->perm || f->range;
	unsigned long sum[VMVIZ_NSMAPS] = { 0 }, highest = 0;
	const struct vmviz_vma *v;
	struct vmviz_row *ln;
	struct vmviz_table t;
	char buf[4096];
	int j, nrows = 0;

	need_frames(r, "mem");
	vmviz_table_init(&t, vmviz_view("mem"), o, NULL);
	if (vmviz_no_mm(r, o)) {
		vmviz_table_free(&t);
		return;
	}
	while ((v = vmviz_next_vma(r))) {
		highest = v->end;
		if (!vmviz_vma_wanted(v, f))
			continue;
		for (j = 0; j < VMVIZ_NSMAPS; j++)
			sum[j] += r->sm[j];
		if (t.sort_col >= 0) {
			struct vmviz_out jo = *o;

			jo.json = true;
			mem_cell(&jo, 16, v, r->sm, t.sort_col, buf, sizeof(buf));
			vmviz_table_sort_key(&t, buf, v->start);
		}
		ln = vmviz_table_row(&t);
		for (j = 0; j < t.n; j++) {
			mem_cell(o, t.addr_digits, v, r->sm, t.ids[j], buf, sizeof(buf));
			vmviz_table_set(&t, ln, j, buf[0] ? buf : NULL);
		}
		nrows++;
	}
	vmviz_table_addrs(&t, highest);
	ln = vmviz_table_total_row(&t);
	for (j = 0; j < t.n; j++) {
		if (t.ids[j] == MEM_NAME)
			snprintf(buf, sizeof(buf), "total (%d %s%s)", nrows,
				 vmviz_plural(nrows, "VMA", "VMAs"), filtered ? " shown" : "");
		else
			mem_cell(o, t.addr_digits, NULL, filtered ? sum : r->rollup_sm, t.ids[j],
				 buf, sizeof(buf));
		vmviz_table_set(&t, ln, j, buf[0] ? buf : NULL);
	}
	if (o->json) {
		vmviz_table_print_json(&t, mem_json_pre, r);
		return;
	}
	if (!o->raw && !o->noheadings)
		mem_header(r, o);
	vmviz_table_print(&t);
	if (!nrows)
		vmviz_say_none(o, "VMA");
}

static const char *const hist_heads[VMVIZ_NHIST] = {
	"0", "1", "2-3", "4-7", "8-15", "16-31", "32-63", "64-127", "128-255", "256-511", "512",
};

/* One level's cells; @l NULL for the deposited row, @total for the total row. */
static void tables_cell(const struct vmviz_report *r, const struct vmviz_out *o,
			const struct vmviz_tlevel *l, bool total, int col, char *buf, size_t len)
{
	unsigned long count = 0;
	size_t n = 0;
	int i;

	buf[0] = '\0';
	if (total) {
		for (i = 0; i < r->ntables; i++)
			if (strcmp(r->tables[i].level, "p4d"))
				count += r->tables[i].count;
		count += r->deposited;
	}
	switch (col) {
	case TB_LEVEL:
		snprintf(buf, len, "%s", l ? l->level : total ? "total" : "deposited");
		break;
	case TB_COUNT:
		snprintf(buf, len, "%lu", l ? l->count : total ? count : r->deposited);
		break;
	case TB_BYTES:
		vmviz_size_cell(o, l ? l->bytes : total ? r->pgtables_bytes : r->deposited * 4096,
				buf, len);
		break;
	case TB_USED:
		if (l)
			snprintf(buf, len, "%lu", l->used);
		break;
	case TB_MIN:
		if (l)
			snprintf(buf, len, "%lu", l->min);
		break;
	case TB_MAX:
		if (l)
			snprintf(buf, len, "%lu", l->max);
		break;
	case TB_FILL:
		if (l && l->count)
			snprintf(buf, len, o->json ? "%.2f" : "%.1f%%",
				 100.0 * l->used / (l->count * 512.0));
		break;
	case TB_HIST:
		for (i = 0; l && i < VMVIZ_NHIST && n < len; i++)
			n += snprintf(buf + n, len - n, i ? ",%lu" : "%lu", l->hist[i]);
		break;
	default:
		if (l)
			snprintf(buf, len, "%lu", l->hist[col - TB_H0]);
		break;
	}
}

static void tables_json_pre(FILE *f, const void *arg)
{
	const struct vmviz_report *r = arg;

	vmviz_report_json_pre(f, r);
	fprintf(f, "   \"levels\": %d,\n   \"deposited\": %lu,\n   \"pgtables\": %lu,\n",
		r->levels, r->deposited, r->pgtables_bytes);
}

/*
 * The histograms of the levels, one row each, aligned under their buckets;
 * in blocks of the buckets that fit @width.
 */
static void tables_hist(const struct vmviz_report *r, int width)
{
	int i, k, k0, k1, used, w[VMVIZ_NHIST];

	for (k = 0; k < VMVIZ_NHIST; k++) {
		w[k] = strlen(hist_heads[k]) < 3 ? 3 : strlen(hist_heads[k]);
		for (i = 0; i < r->ntables; i++) {
			char num[24];
			int len = snprintf(num, sizeof(num), "%lu", r->tables[i].hist[k]);

			if (len > w[k])
				w[k] = len;
		}
	}
	printf("\ntables by used entries (of 512):\n");
	for (k0 = 0; k0 < VMVIZ_NHIST; k0 = k1) {
		for (k1 = k0, used = 5; k1 < VMVIZ_NHIST; k1++) {
			if (k1 > k0 && used + 1 + w[k1] > width)
				break;
			used += 1 + w[k1];
		}
		printf("%-5s", "");
		for (k = k0; k < k1; k++)
			printf(" %*s", w[k], hist_heads[k]);
		putchar('\n');
		for (i = 0; i < r->ntables; i++) {
			printf("%-5s", r->tables[i].level);
			for (k = k0; k < k1; k++)
				printf(" %*lu", w[k], r->tables[i].hist[k]);
			putchar('\n');
		}
	}
}

/* What the total is: the kernel's VmPTE, and whether the levels add up to it. */
static void tables_total(const struct vmviz_report *r, const struct vmviz_out *o)
{
	unsigned long tables = r->deposited;
	char size[32], sum[32], text[512];
	bool p4d = false;
	int i;

	for (i = 0; i < r->ntables; i++) {
		if (strcmp(r->tables[i].level, "p4d"))
			tables += r->tables[i].count;
		else
			p4d = true;
	}
	vmviz_human_size(r->pgtables_bytes, size, sizeof(size));
	snprintf(text, sizeof(text),
		 "VmPTE %s (/proc/PID/status, mm->pgtables_bytes): the pte, pmd and pud tables and the deposited PTE tables; %s the PGD %s not counted.",
		 size, p4d ? "the p4d tables and" : "",
		 p4d ? "are" : "(and the p4d level, folded with 4-level paging) is");
	putchar('\n');
	vmviz_wrap(stdout, "", text, o->width ? o->width : 80);
	if (tables * 4096 != r->pgtables_bytes) {
		vmviz_human_size(tables * 4096ULL, sum, sizeof(sum));
		snprintf(text, sizeof(text),
			 "The levels and the deposited tables make %s, not %s: a table was freed or made while the report was read.",
			 sum, size);
		vmviz_wrap(stdout, "", text, o->width ? o->width : 80);
	}
}

/**
 * vmviz_print_tables - the page-table tree of a frame-detail report
 * @r: a frame-detail report
 * @o: table options
 *
 * A row per level below the PGD, one for the PTE tables deposited under
 * PMD leaves, and the total that VmPTE shows; for people, the fill
 * histograms and what the total counts.
 */
void vmviz_print_tables(struct vmviz_report *r, const struct vmviz_out *o)
{
	struct vmviz_row *ln;
	struct vmviz_table t;
	char buf[256], comm[128];
	int i, j;

	need_frames(r, "tables");
	/* The table lines come after the VMAs: nothing else is kept. */
	vmviz_read_all(r, 0);
	vmviz_table_init(&t, vmviz_view("tables"), o, "H0,H1,H2,H4,H8,H16,H32,H64,H128,H256,H512");
	for (i = 0; i <= r->ntables + 1; i++) {
		const struct vmviz_tlevel *l = i < r->ntables ? &r->tables[i] : NULL;

		ln = i <= r->ntables ? vmviz_table_row(&t) : vmviz_table_total_row(&t);
		for (j = 0; j < t.n; j++) {
			tables_cell(r, o, l, i == r->ntables + 1, t.ids[j], buf, sizeof(buf));
			vmviz_table_set(&t, ln, j, buf[0] ? buf : NULL);
		}
	}
	if (o->json) {
		vmviz_table_print_json(&t, tables_json_pre, r);
		return;
	}
	if (o->raw || o->noheadings) {
		vmviz_table_print(&t);
		return;
	}
	vmviz_say(stdout, o->width, "page tables of pid %d (%s), %d-level paging%s\n", r->pid,
		  vmviz_esc(r->comm, comm, sizeof(comm)), r->levels,
		  r->has_mm ? "" : ": no address space, no page tables");
	fflush(stdout);
	vmviz_table_print(&t);
	tables_hist(r, o->width ? o->width : 80);
	tables_total(r, o);
}
