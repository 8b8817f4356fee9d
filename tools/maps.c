// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: the maps and pages views, a row per VMA or per page run,
 * made as the report is read (nothing per page is kept).
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "vmviz.h"
#include "table.h"

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
		snprintf(buf, len, o->json ? "%llu" : "%llx", v->offset);
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

/* The totals row of maps: sums of the shown rows' sizes and counts. */
static void maps_total(struct vmviz_table *t, const struct vmviz_vma *tot, int nrows)
{
	struct vmviz_row *ln = vmviz_table_total_row(t);
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

/**
 * vmviz_print_maps - the VMA table, a row per VMA as its sum line is read
 * @r: a loaded report, read to its end here
 * @o: table options and filters
 */
void vmviz_print_maps(struct vmviz_report *r, const struct vmviz_out *o)
{
	struct vmviz_vma tot = { 0 };
	const struct vmviz_vma *v;
	struct vmviz_table t;
	unsigned long highest = 0;
	char buf[4096];
	int j, nrows = 0;

	vmviz_table_init(&t, vmviz_view("maps"), o, NULL);
	if (vmviz_no_mm(r, o)) {
		vmviz_table_free(&t);
		return;
	}
	while ((v = vmviz_next_vma(r))) {
		struct vmviz_row *ln;

		highest = v->end;
		if (!vmviz_vma_wanted(v, &o->filter))
			continue;
		if (t.sort_col >= 0) {
			struct vmviz_out jo = *o;

			jo.json = true;
			maps_cell(&jo, 16, v, t.sort_col, buf, sizeof(buf));
			vmviz_table_sort_key(&t, buf, v->start);
		}
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
	vmviz_table_addrs(&t, highest);
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
		       const struct vmviz_vma *v, const struct vmviz_page *p, int col, char *buf,
		       size_t len)
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
		vmviz_size_cell(t->out, p->entry_size, buf, len);
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
		snprintf(buf, len, "%s", v->name);
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
	case PG_REF:
	case PG_ACT: {
		long n = col == PG_REF ? p->ref : p->act;

		if (r->frames && p->refact && n >= 0)
			snprintf(buf, len, "%ld", n);
		else if (r->frames && p->refact && !t->out->json)
			snprintf(buf, len, "-");
		break;
	}
	case PG_EFF:
		if (p->eff[0])
			snprintf(buf, len, "%s", p->eff);
		else if (r->uppers && !t->out->json)
			snprintf(buf, len, "-");
		break;
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

/* What vmviz_print_pages_at() learns of its address as the report is read. */
struct where {
	unsigned long addr;
	bool page_found, vma_found, above_found;
	struct vmviz_page page;		/* the page line holding addr */
	struct vmviz_vma vma;		/* the VMA holding it (name copied) */
	unsigned long below_end, above_start;
};

static void where_line(struct where *w, enum vmviz_item it, const struct vmviz_report *r)
{
	const struct vmviz_vma *v = &r->vma;

	if (it == VMVIZ_PAGE && !w->page_found && r->page.start <= w->addr &&
	    w->addr < r->page.end) {
		w->page = r->page;
		w->page_found = true;
	}
	if (it != VMVIZ_SUM)
		return;
	if (v->start <= w->addr && w->addr < v->end && !w->vma_found) {
		w->vma = *v;
		w->vma.name = vmviz_esc_dup(v->name);
		w->vma.vm = NULL;
		w->vma_found = true;
	} else if (v->end <= w->addr) {
		w->below_end = v->end;
	} else if (v->start > w->addr && !w->above_found) {
		w->above_start = v->start;
		w->above_found = true;
	}
}

/*
 * The page table of @r in [lo, hi): a row per page run the filters take,
 * cut to the range, as its line is read. With @at, the entry holding
 * lo is found as well (*at, and the VMAs around it in *below, *in, *above
 * for vmviz_print_pages_at()). Returns the rows.
 */
static int pages_table(struct vmviz_report *r, const struct vmviz_out *o, unsigned long lo,
		       unsigned long hi, struct vmviz_table *t, struct where *w)
{
	struct vmviz_page p;
	unsigned long bytes = 0, highest = 0;
	char buf[4096];
	int j, nrows = 0;

	for (;;) {
		enum vmviz_item it = vmviz_next(r);
		struct vmviz_row *ln;

		if (it == VMVIZ_END)
			break;
		if (w)
			where_line(w, it, r);
		if (it != VMVIZ_PAGE)
			continue;
		highest = r->page.end;
		if (!vmviz_page_wanted(&r->vma, &r->page, &o->filter) ||
		    !clip_page(&r->page, lo, hi, &p))
			continue;
		if (t->sort_col >= 0) {
			struct vmviz_out jo = *o;
			struct vmviz_table jt = *t;

			jo.json = true;
			jt.out = &jo;
			pages_cell(r, &jt, &r->vma, &p, t->sort_col, buf, sizeof(buf));
			vmviz_table_sort_key(t, buf, p.start);
		}
		ln = vmviz_table_row(t);
		for (j = 0; j < t->n; j++) {
			pages_cell(r, t, &r->vma, &p, t->ids[j], buf, sizeof(buf));
			vmviz_table_set(t, ln, j, buf[0] ? buf : NULL);
		}
		bytes += p.end - p.start;
		nrows++;
	}
	vmviz_table_addrs(t, highest);
	if (o->total) {
		struct vmviz_row *ln = vmviz_table_total_row(t);

		/*
		 * Entries of different leaf sizes do not add up: the total
		 * counts base pages, and its LEAF cell and label say so.
		 */
		for (j = 0; j < t->n; j++) {
			if (t->ids[j] == PG_COUNT)
				snprintf(buf, sizeof(buf), "%lu", bytes >> 12);
			else if (t->ids[j] == PG_SIZE)
				vmviz_size_cell(o, 4096, buf, sizeof(buf));
			else if (t->ids[j] == PG_BYTES)
				vmviz_size_cell(o, bytes, buf, sizeof(buf));
			else if (t->ids[j] == PG_NAME)
				snprintf(buf, sizeof(buf), "total (%d %s, COUNT in 4K pages)",
					 nrows, vmviz_plural(nrows, "run", "runs"));
			else
				continue;
			vmviz_table_set(t, ln, j, buf);
		}
	}
	return nrows;
}

/* The table made, as JSON or text; with no row, why, in words. */
static void pages_print(struct vmviz_report *r, const struct vmviz_out *o,
			struct vmviz_table *t, int nrows, unsigned long lo, unsigned long hi)
{
	struct vmviz_out said = *o;

	if (o->json) {
		vmviz_table_print_json(t, vmviz_report_json_pre, r);
		return;
	}
	vmviz_table_print(t);
	if (nrows)
		return;
	if (lo || hi != ~0UL) {
		said.lo = lo;
		said.hi = hi;
	}
	vmviz_say_none(&said, "page run");
}

/* The pages table with its frame columns for frame detail. */
static void pages_init(const struct vmviz_report *r, const struct vmviz_out *o,
		       struct vmviz_view *fv, struct vmviz_table *t)
{
	*fv = *vmviz_view("pages");
	/* Frame detail: the frame columns instead of some others, all in JSON. */
	if (r->frames)
		fv->defaults = fv->frame_defaults;
	vmviz_table_init(t, fv, o, r->frames ? "END,PERM,ORDER,NODE,MAPHI" : NULL);
}

/**
 * vmviz_print_pages - the page runs of @r in [@lo, @hi), cut to it
 * @r: a loaded report, read to its end here
 * @o: table options and filters
 * @lo: the range asked (0 for all)
 * @hi: its end, exclusive (~0UL for all)
 */
void vmviz_print_pages(struct vmviz_report *r, const struct vmviz_out *o,
		       unsigned long lo, unsigned long hi)
{
	struct vmviz_view fv;
	struct vmviz_table t;
	int nrows;

	pages_init(r, o, &fv, &t);
	if (vmviz_no_mm(r, o)) {
		vmviz_table_free(&t);
		return;
	}
	nrows = pages_table(r, o, lo, hi, &t, NULL);
	pages_print(r, o, &t, nrows, lo, hi);
}

/**
 * vmviz_print_pages_at - the entry holding @addr and its frame, or why there is none
 * @r: the report, read to its end here
 * @o: table options
 * @addr: the address
 *
 * Return: 0, or 1 (with the reason on stderr) when no page line holds @addr.
 */
int vmviz_print_pages_at(struct vmviz_report *r, const struct vmviz_out *o,
			 unsigned long addr)
{
	struct where w = { .addr = addr };
	const struct vmviz_page *p = &w.page;
	const struct vmviz_vma *v = &w.vma;
	unsigned long pfn;
	struct vmviz_table t;
	struct vmviz_view fv;
	int nrows, rc = VMVIZ_EXIT_FAILURE;

	pages_init(r, o, &fv, &t);
	nrows = pages_table(r, o, addr, addr + 1, &t, &w);
	if (w.page_found) {
		/* The entry holding ADDR, its own frame (clip_page()). */
		pages_print(r, o, &t, nrows, addr, addr + 1);
		vmviz_page_pfn(p, addr & ~4095UL, &pfn);
		if (p->entry_size > 4096 && !o->json && !o->raw && !o->noheadings)
			vmviz_say(stdout, o->width,
				  "%016lx is base page %lu of this %s entry: frame %010lx\n", addr,
				  (addr - (p->start + (addr - p->start) / p->entry_size *
					   p->entry_size)) >> 12, p->size, pfn);
		rc = VMVIZ_EXIT_OK;
	} else if (!r->has_mm) {
		warnx("%016lx: no page tables: the task has no address space (%s)", addr, r->kind);
	} else if (addr > r->user.end) {
		warnx("%016lx: not a user address: the user half ends at %016lx", addr,
		      r->user.end);
	} else if (!w.vma_found) {
		warnx("%016lx: in no VMA: unmapped, between %016lx and %016lx", addr,
		      w.below_end, w.above_found ? w.above_start : r->user.end + 1);
	} else if (addr < v->sum_start || addr >= v->sum_end) {
		warnx("%016lx: in VMA %016lx-%016lx %s, %s", addr, v->start, v->end, v->name,
		      "in a part not read: the VMA changed while the report was read");
	} else {
		warnx("%016lx: in VMA %016lx-%016lx %s, %s", addr, v->start, v->end, v->name,
		      "but no page-table entry: never touched, or dropped (file pages are reclaimed, MADV_DONTNEED)");
	}
	if (!w.page_found)
		vmviz_table_free(&t);
	free(w.vma.name);
	return rc;
}
