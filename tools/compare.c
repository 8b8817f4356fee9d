// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: comparing two processes page by page: one mm or two, which
 * frames they still share (copy-on-write or MAP_SHARED), which diverged.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "vmviz.h"
#include "table.h"

static bool is_mapped(const struct vmviz_page *p)
{
	return !strcmp(p->state, "present") || !strcmp(p->state, "protnone");
}

/*
 * A page line that stands for a page: mapped, or a swap, migration,
 * hwpoison or device entry. Markers (uffd-wp, guard, poisoned) carry none.
 */
static bool carries_page(const struct vmviz_page *p)
{
	return p && strcmp(p->state, "uffd-wp") && strcmp(p->state, "guard") &&
	       strcmp(p->state, "poisoned") && strcmp(p->state, "marker");
}

static const struct vmviz_page *real_page_at(const struct vmviz_report *r, unsigned long addr)
{
	const struct vmviz_page *p = vmviz_page_at(r, addr);

	return carries_page(p) ? p : NULL;
}

/* Both entries lead to one frame (or one swap slot). */
static bool same_frame(const struct vmviz_page *pa, unsigned long fa,
		       const struct vmviz_page *pb, unsigned long fb)
{
	if (fa != fb || is_mapped(pa) != is_mapped(pb))
		return false;
	return is_mapped(pa) || (!strcmp(pa->state, pb->state) &&
				 pa->swaptype == pb->swaptype);
}

static int add_row(struct vmviz_cmp *c, const struct vmviz_vma *v, enum vmviz_cmp_vma how)
{
	struct vmviz_cmp_row *row;

	if (!(c->nrows & (c->nrows - 1)) || !c->nrows) {
		void *p = realloc(c->rows, sizeof(*row) * (c->nrows ? c->nrows * 2 : 16));

		if (!p)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
		c->rows = p;
	}
	row = &c->rows[c->nrows++];
	memset(row, 0, sizeof(*row));
	row->start = v->start;
	row->end = v->end;
	snprintf(row->perm, sizeof(row->perm), "%s", v->perm);
	row->name = v->name;
	row->v = v;
	row->vma = how;
	return c->nrows - 1;
}

static int cmp_rows(const void *x, const void *y)
{
	const struct vmviz_cmp_row *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* The VMA of @a that @v of the other report is, grown or shrunk: one end kept. */
static int same_vma(const struct vmviz_report *a, const struct vmviz_vma *v)
{
	const struct vmviz_vma *va = vmviz_vma_at(a, v->start);

	if (va && (va->start == v->start || va->end == v->end))
		return va - a->vmas;
	va = vmviz_vma_at(a, v->end - 1);
	if (va && va->end == v->end)
		return va - a->vmas;
	return -1;
}

static void relation(const struct vmviz_report *a, const struct vmviz_report *b,
		     struct vmviz_cmp *c)
{
	c->dt_ns = ((long long)b->time.sec - (long long)a->time.sec) * 1000000000LL +
		   ((long long)b->time.nsec - (long long)a->time.nsec);
	if (!a->has_mm || !b->has_mm)
		c->rel = REL_NO_MM;
	else if (strcmp(a->boot_id, b->boot_id))
		c->rel = REL_OTHER_BOOT;
	else if (strcmp(a->mm_id, b->mm_id))
		c->rel = REL_OTHER_MM;
	else
		c->rel = REL_SAME_MM;
	c->same_mm = c->rel == REL_SAME_MM;
	c->same_task = c->same_mm && a->pid == b->pid;
	c->over_time = c->same_mm && c->dt_ns;
}

static const struct vmviz_report no_pages;

/*
 * The shared zero page behind @p: kind zero in frame detail; without it, a
 * present run of many entries on one frame (step '=', count > 1), which is
 * what the zero page looks like (a KSM page can too: frame detail tells).
 */
static bool zero_page(const struct vmviz_report *r, const struct vmviz_page *p)
{
	if (r->frames)
		return !strcmp(p->kind, "zero");
	return p->step == '=' && p->count > 1 && !strcmp(p->state, "present");
}

/**
 * vmviz_compare - compare the page tables of two reports, 4K page by page
 * @a: the first report
 * @b: the second
 * @c: filled in: a row per VMA of @a (with the VMA of @b at its place, if
 *	any, grown or shrunk), and per VMA of @b that @a lacks
 *
 * A page is "same" when both map it to one frame (or one swap slot); of
 * those, "cow" when the VMA is private and writable but an entry has RW
 * clear (a write would copy), "shared" in a MAP_SHARED VMA, "readonly" in
 * a private read-only one. "diverged": both map it, to different frames;
 * "swapout"/"swapin": present in one, in swap in the other. Markers
 * (uffd-wp, guard, poisoned) are no pages. What the numbers mean depends
 * on c->rel: two mm_structs (fork) or one read twice (over time).
 */
void vmviz_compare(const struct vmviz_report *a, const struct vmviz_report *b,
		   struct vmviz_cmp *c)
{
	int *brow = calloc(b->nvmas + 1, sizeof(int));
	bool *amatched = calloc(a->nvmas + 1, sizeof(bool));
	struct vmviz_cmp_counts *n;
	int i, j;

	memset(c, 0, sizeof(*c));
	if (!brow || !amatched)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	relation(a, b, c);
	for (i = 0; i < a->nvmas; i++)
		add_row(c, &a->vmas[i], CMP_VMA_BOTH);
	for (j = 0; j < b->nvmas; j++) {
		const struct vmviz_vma *v = &b->vmas[j];
		struct vmviz_cmp_row *row;

		i = same_vma(a, v);
		if (i < 0 || amatched[i]) {
			brow[j] = add_row(c, v, CMP_VMA_ONLY2);
			c->vmas_only2++;
			continue;
		}
		amatched[i] = true;
		brow[j] = i;
		row = &c->rows[i];
		if (row->start == v->start && row->end == v->end)
			continue;
		row->vma = CMP_VMA_RESIZED;
		c->vmas_resized++;
		if (v->start < row->start)
			row->start = v->start;
		if (v->end > row->end)
			row->end = v->end;
	}
	for (i = 0; i < a->nvmas; i++)
		if (!amatched[i]) {
			c->rows[i].vma = CMP_VMA_ONLY1;
			c->vmas_only1++;
		}
	/* Frame detail: what a write would do, from each process's sum lines. */
	c->frames = a->frames && b->frames;
	if (c->frames) {
		for (i = 0; i < a->nvmas; i++) {
			c->rows[i].c.copy1 = a->vmas[i].sm[SM_COW_COPY] / 4;
			c->rows[i].c.reuse1 = a->vmas[i].sm[SM_COW_REUSE] / 4;
		}
		for (j = 0; j < b->nvmas; j++) {
			c->rows[brow[j]].c.copy2 += b->vmas[j].sm[SM_COW_COPY] / 4;
			c->rows[brow[j]].c.reuse2 += b->vmas[j].sm[SM_COW_REUSE] / 4;
		}
	}
	/* Frames of another boot, or of no mm, are nothing to compare. */
	if (c->rel == REL_NO_MM || c->rel == REL_OTHER_BOOT)
		a = &no_pages, b = &no_pages;

	for (i = 0; i < a->npages; i++) {
		const struct vmviz_page *pa = &a->pages[i];
		const struct vmviz_vma *v = &a->vmas[pa->vma];
		unsigned long addr;

		if (!carries_page(pa))
			continue;
		n = &c->rows[pa->vma].c;
		for (addr = pa->start; addr < pa->end; addr += 4096) {
			const struct vmviz_page *pb = real_page_at(b, addr);
			unsigned long fa, fb;

			if (!pb) {
				n->only1++;
				continue;
			}
			vmviz_page_pfn(pa, addr, &fa);
			vmviz_page_pfn(pb, addr, &fb);
			if (!strcmp(pa->state, "present") && !strcmp(pb->state, "swap")) {
				n->swapout++;
				continue;
			}
			if (!strcmp(pa->state, "swap") && !strcmp(pb->state, "present")) {
				n->swapin++;
				continue;
			}
			if (!same_frame(pa, fa, pb, fb)) {
				n->diverged++;
				continue;
			}
			n->same++;
			if (is_mapped(pa) && (zero_page(a, pa) || zero_page(b, pb)))
				n->zero++;
			else if (v->perm[3] == 's')
				n->shared++;
			else if (v->perm[1] != 'w')
				n->readonly++;
			else if (is_mapped(pa) && (pa->flags[1] != 'W' || pb->flags[1] != 'W'))
				n->cow++;
		}
	}
	for (i = 0; i < b->npages; i++) {
		const struct vmviz_page *pb = &b->pages[i];
		unsigned long addr;

		if (!carries_page(pb))
			continue;
		for (addr = pb->start; addr < pb->end; addr += 4096) {
			const struct vmviz_vma *va;

			if (real_page_at(a, addr))
				continue;
			va = vmviz_vma_at(a, addr);
			n = &c->rows[va ? va - a->vmas : brow[pb->vma]].c;
			n->only2++;
		}
	}
	for (i = 0; i < c->nrows; i++) {
		n = &c->rows[i].c;
		c->total.same += n->same;
		c->total.cow += n->cow;
		c->total.zero += n->zero;
		c->total.shared += n->shared;
		c->total.readonly += n->readonly;
		c->total.diverged += n->diverged;
		c->total.only1 += n->only1;
		c->total.only2 += n->only2;
		c->total.swapout += n->swapout;
		c->total.swapin += n->swapin;
		c->total.copy1 += n->copy1;
		c->total.reuse1 += n->reuse1;
		c->total.copy2 += n->copy2;
		c->total.reuse2 += n->reuse2;
	}
	qsort(c->rows, c->nrows, sizeof(*c->rows), cmp_rows);
	free(brow);
	free(amatched);
}

void vmviz_cmp_free(struct vmviz_cmp *c)
{
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

/* Seconds between the two reads, for people: 0.004 s, 12 s. */
static void interval(long long ns, char *buf, size_t len)
{
	double s = (ns < 0 ? -ns : ns) / 1e9;

	if (s < 10)
		snprintf(buf, len, "%.3f s %s", s, ns < 0 ? "earlier" : "later");
	else
		snprintf(buf, len, "%.0f s %s", s, ns < 0 ? "earlier" : "later");
}

/* The comparison in words. */
void vmviz_verdict(const struct vmviz_cmp *c, char *buf, size_t len)
{
	const struct vmviz_cmp_counts *t = &c->total;
	char when[48];
	unsigned long changed = t->diverged + t->only1 + t->only2 + t->swapout + t->swapin;

	interval(c->dt_ns, when, sizeof(when));
	switch (c->rel) {
	case REL_NO_MM:
		snprintf(buf, len,
			 "nothing to compare: one of them has no address space (kernel thread or exited task)");
		return;
	case REL_OTHER_BOOT:
		snprintf(buf, len,
			 "from different boots: two different address spaces, frame numbers not comparable");
		return;
	case REL_SAME_MM:
		if (!c->over_time) {
			snprintf(buf, len, c->same_task ? "one address space, the same read twice" :
				 "one address space (thread, vfork or CLONE_VM child)");
			return;
		}
		snprintf(buf, len, "%s, read again %s: %lu %s changed between the two reads",
			 c->same_task ? "one address space (the same process)" :
			 "one address space (thread, vfork or CLONE_VM child)", when, changed,
			 vmviz_plural(changed, "page", "pages"));
		return;
	case REL_OTHER_MM:
		break;
	}
	if (t->cow && c->frames)
		snprintf(buf, len,
			 "fork child: %lu %s still shared copy-on-write, %lu diverged; a write would copy %lu and reuse %lu in 1, copy %lu and reuse %lu in 2",
			 t->cow, vmviz_plural(t->cow, "page", "pages"), t->diverged, t->copy1,
			 t->reuse1, t->copy2, t->reuse2);
	else if (t->cow)
		snprintf(buf, len, "fork child: %lu %s still shared copy-on-write, %lu diverged",
			 t->cow, vmviz_plural(t->cow, "page", "pages"), t->diverged);
	else if (t->zero)
		snprintf(buf, len,
			 "two separate address spaces: %lu %s on the same frames (%lu the shared zero page, the others shared memory or files), nothing copy-on-write",
			 t->same, vmviz_plural(t->same, "page", "pages"), t->zero);
	else
		snprintf(buf, len,
			 "two separate address spaces: %lu %s on the same frames (shared memory or files), nothing copy-on-write",
			 t->same, vmviz_plural(t->same, "page", "pages"));
}

static void describe(const char *n, const struct vmviz_report *r,
		     const struct vmviz_report *other, int width)
{
	char comm[128], when[64], src[1100];
	int room = width - 40;
	size_t len = strlen(r->source);

	/* The source, cut at the front if long: the file name says most. */
	if (room < 10)
		room = 10;
	if ((int)len > room)
		snprintf(src, sizeof(src), "...%s", r->source + len - (room - 3));
	else
		snprintf(src, sizeof(src), "%s", r->source);
	printf("%s: %s: pid %d (%s, %s)\n", n, src, r->pid,
	       vmviz_esc(r->comm, comm, 32), r->kind);
	vmviz_format_time(&r->time, when, sizeof(when));
	printf("   mm %s, read %s", r->mm_id, when);
	if (other && (r->time.sec != other->time.sec || r->time.nsec != other->time.nsec)) {
		struct vmviz_cmp c;

		relation(other, r, &c);
		interval(c.dt_ns, when, sizeof(when));
		printf(" (%s)", when);
	}
	putchar('\n');
}

static void count_line(const char *what, unsigned long n, const char *why)
{
	char label[40];

	snprintf(label, sizeof(label), "%s:", what);
	printf("   %-20s %6lu %s%s%s\n", label, n, vmviz_plural(n, "page ", "pages"),
	       *why ? " " : "", why);
}

/* The comparison of one mm read twice: what changed between the reads. */
static void print_over_time(const struct vmviz_cmp *c, int width)
{
	const struct vmviz_cmp_counts *t = &c->total;
	char when[48], text[256];

	interval(c->dt_ns, when, sizeof(when));
	snprintf(text, sizeof(text),
		 "one mm_struct, read twice (2 is %s): the differences are changes between the two reads, not copies",
		 when);
	vmviz_wrap(stdout, "   ", text, width);
	count_line("unchanged", t->same, "(same frame in both reads)");
	count_line("faulted in since 1", t->only2, "(mapped in 2 only)");
	count_line("gone since 1", t->only1, "(unmapped or reclaimed)");
	count_line("changed frame", t->diverged, "(COW break, migration, refault)");
	count_line("swapped out", t->swapout, "(present in 1, in swap in 2)");
	count_line("swapped in", t->swapin, "(in swap in 1, present in 2)");
	printf("   VMAs since 1:        %lu mapped, %lu unmapped, %lu grown or shrunk\n",
	       c->vmas_only2, c->vmas_only1, c->vmas_resized);
}

static void print_two_mms(const struct vmviz_cmp *c)
{
	const struct vmviz_cmp_counts *t = &c->total;

	printf("   two mm_structs: page tables of their own\n");
	count_line("same frame in both", t->same, "");
	printf("     of which copy-on-write pending %lu, MAP_SHARED %lu, read-only %lu\n",
	       t->cow, t->shared, t->readonly);
	if (t->zero)
		printf("     and the shared zero page %lu (read as zeros: shared, not a copy)\n",
		       t->zero);
	count_line("diverged", t->diverged, "(both mapped, different frames)");
	count_line("only in 1", t->only1, "");
	count_line("only in 2", t->only2, "");
	if (t->swapout || t->swapin)
		printf("   in RAM in one, in swap in the other: %lu / %lu\n", t->swapout,
		       t->swapin);
	if (c->frames) {
		printf("   copy-on-write pending, by what a write would do (frame detail):\n");
		printf("     in 1: copy %lu %s, reuse %lu\n", t->copy1,
		       vmviz_plural(t->copy1, "page", "pages"), t->reuse1);
		printf("     in 2: copy %lu %s, reuse %lu\n", t->copy2,
		       vmviz_plural(t->copy2, "page", "pages"), t->reuse2);
	}
	if (t->only1 || t->only2)
		printf("   (fork copies no entries it can fault in again, such as file pages; and\n"
		       "    either process may have touched pages since)\n");
}

/* The JSON of the two reports and how they relate, before the rows. */
struct cmp_json {
	const struct vmviz_report *a, *b;
	const struct vmviz_cmp *c;
};

static void cmp_json_pre(FILE *f, const void *arg)
{
	static const char *const rel[] = {
		[REL_NO_MM] = "no-mm", [REL_OTHER_BOOT] = "other-boot",
		[REL_OTHER_MM] = "other-mm", [REL_SAME_MM] = "same-mm",
	};
	const struct cmp_json *j = arg;

	fprintf(f, "   \"reports\": [\n");
	vmviz_json_report(f, j->a, "      ");
	fprintf(f, ",\n");
	vmviz_json_report(f, j->b, "      ");
	fprintf(f, "\n   ],\n   \"relation\": \"%s\",\n   \"over_time\": %s,\n",
		rel[j->c->rel], j->c->over_time ? "true" : "false");
	fprintf(f, "   \"interval\": %.9f,\n", j->c->dt_ns / 1e9);
	fprintf(f, "   \"frames\": %s,\n", j->c->frames ? "true" : "false");
}

/* --name, --seg, --perm or --range: the table shows part of the VMAs. */
static bool filtered(const struct vmviz_filter *f)
{
	return f->name || f->segs || f->perm || f->range;
}

void vmviz_print_compare(const struct vmviz_report *a, const struct vmviz_report *b,
			 const struct vmviz_out *o, bool table)
{
	struct vmviz_table t;
	struct vmviz_cmp c;
	struct cmp_json j = { a, b, &c };
	int width = o->width ? o->width : 80;
	char verdict[256];

	vmviz_compare(a, b, &c);
	/* The table first: a bad -o fails before anything is printed. */
	vmviz_cmp_table(&c, o, &t);
	if (o->json) {
		vmviz_table_print_json(&t, cmp_json_pre, &j);
		vmviz_cmp_free(&c);
		return;
	}
	if (o->raw || o->noheadings) {
		vmviz_table_print(&t);
		vmviz_cmp_free(&c);
		return;
	}
	vmviz_verdict(&c, verdict, sizeof(verdict));
	describe("1", a, NULL, width);
	describe("2", b, a, width);
	if (!strcmp(a->boot_id, b->boot_id) && !strcmp(a->kernel_release, b->kernel_release)) {
		char rel[256];

		printf("   one boot %s, kernel %s\n", a->boot_id,
		       vmviz_esc(a->kernel_release, rel, sizeof(rel)));
	}
	switch (c.rel) {
	case REL_NO_MM:
		printf("   %s has no address space (a kernel thread, or a task that exited)\n",
		       !a->has_mm && !b->has_mm ? "neither" : !a->has_mm ? "1" : "2");
		break;
	case REL_OTHER_BOOT:
		printf("   boot of 1: %s\n   boot of 2: %s\n", a->boot_id, b->boot_id);
		printf("   from different boots: different address spaces, and the frame\n"
		       "   numbers of one boot say nothing of the other\n");
		break;
	case REL_SAME_MM:
		if (c.over_time)
			print_over_time(&c, width);
		else
			printf("   one mm_struct: the same page tables, read at the same time\n");
		break;
	case REL_OTHER_MM:
		print_two_mms(&c);
		break;
	}
	vmviz_wrap(stdout, filtered(&o->filter) ? "verdict (all VMAs): " : "verdict: ", verdict,
		   width);
	if (table && c.rel != REL_NO_MM && c.rel != REL_OTHER_BOOT) {
		if (filtered(&o->filter))
			vmviz_wrap(stdout, "",
				   "the counts and verdict above are of all VMAs; the table below only of the VMAs the filters select, its total row of them",
				   width);
		putchar('\n');
		fflush(stdout);
		vmviz_table_print(&t);
	} else {
		vmviz_table_free(&t);
	}
	vmviz_cmp_free(&c);
}
