// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: comparing two processes page by page: one mm or two, which
 * frames they still share (copy-on-write or MAP_SHARED), which diverged.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "vmviz.h"

/* The page line of @r covering @addr, or NULL (binary search). */
static const struct vmviz_page *page_at(const struct vmviz_report *r, unsigned long addr)
{
	int lo = 0, hi = r->npages - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (addr < r->pages[mid].start)
			hi = mid - 1;
		else if (addr >= r->pages[mid].end)
			lo = mid + 1;
		else
			return &r->pages[mid];
	}
	return NULL;
}

static bool is_mapped(const struct vmviz_page *p)
{
	return !strcmp(p->state, "present") || !strcmp(p->state, "protnone");
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

static void add_row(struct vmviz_cmp *c, const struct vmviz_vma *v)
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
}

static int cmp_rows(const void *x, const void *y)
{
	const struct vmviz_cmp_row *a = x, *b = y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/**
 * vmviz_compare - compare the page tables of two reports, 4K page by page
 * @a: the first process
 * @b: the second
 * @c: filled in: a row per VMA of @a, and per VMA of @b that @a lacks
 *
 * A page is "same" when both map it to one frame (or one swap slot); of
 * those, "cow" when the VMA is private and writable but an entry has RW
 * clear (a write would copy), "shared" in a MAP_SHARED VMA, "readonly" in
 * a private read-only one. "diverged": both map it, to different frames.
 */
void vmviz_compare(const struct vmviz_report *a, const struct vmviz_report *b,
		   struct vmviz_cmp *c)
{
	int *brow = calloc(b->nvmas + 1, sizeof(int));
	struct vmviz_cmp_counts *n;
	int i, j;

	memset(c, 0, sizeof(*c));
	if (!brow)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	c->same_mm = a->has_mm && !strcmp(a->mm_id, b->mm_id);
	for (i = 0; i < a->nvmas; i++)
		add_row(c, &a->vmas[i]);
	for (j = 0; j < b->nvmas; j++) {
		const struct vmviz_vma *v = &b->vmas[j], *va = vmviz_vma_at(a, v->start);

		if (va && va->start == v->start && va->end == v->end) {
			brow[j] = va - a->vmas;
			continue;
		}
		brow[j] = c->nrows;
		add_row(c, v);
	}

	for (i = 0; i < a->npages; i++) {
		const struct vmviz_page *pa = &a->pages[i];
		const struct vmviz_vma *v = &a->vmas[pa->vma];
		unsigned long addr;

		n = &c->rows[pa->vma].c;
		for (addr = pa->start; addr < pa->end; addr += 4096) {
			const struct vmviz_page *pb = page_at(b, addr);
			unsigned long fa, fb;

			if (!pb) {
				n->only1++;
				continue;
			}
			vmviz_page_pfn(pa, addr, &fa);
			vmviz_page_pfn(pb, addr, &fb);
			if (!same_frame(pa, fa, pb, fb)) {
				n->diverged++;
				continue;
			}
			n->same++;
			if (v->perm[3] == 's')
				n->shared++;
			else if (v->perm[1] != 'w')
				n->readonly++;
			else if (pa->flags[1] != 'W' || pb->flags[1] != 'W')
				n->cow++;
		}
	}
	for (i = 0; i < b->npages; i++) {
		const struct vmviz_page *pb = &b->pages[i];
		unsigned long addr;

		for (addr = pb->start; addr < pb->end; addr += 4096) {
			const struct vmviz_vma *va;

			if (page_at(a, addr))
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
		c->total.shared += n->shared;
		c->total.readonly += n->readonly;
		c->total.diverged += n->diverged;
		c->total.only1 += n->only1;
		c->total.only2 += n->only2;
	}
	qsort(c->rows, c->nrows, sizeof(*c->rows), cmp_rows);
	free(brow);
}

void vmviz_cmp_free(struct vmviz_cmp *c)
{
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

/* The comparison in words. */
void vmviz_verdict(const struct vmviz_cmp *c, char *buf, size_t len)
{
	if (c->same_mm)
		snprintf(buf, len, "one address space (thread, vfork or CLONE_VM child)");
	else if (c->total.cow)
		snprintf(buf, len, "fork child: %lu pages still shared copy-on-write, %lu diverged",
			 c->total.cow, c->total.diverged);
	else
		snprintf(buf, len,
			 "two separate address spaces: %lu pages on the same frames (shared memory or files), nothing copy-on-write",
			 c->total.same);
}

static void describe(const struct vmviz_report *r, FILE *f)
{
	fprintf(f, "%s (%s, %s)", r->source, r->comm, r->kind);
}

void vmviz_print_compare(const struct vmviz_report *a, const struct vmviz_report *b,
			 const struct vmviz_out *o, bool table)
{
	struct vmviz_cmp c;
	char verdict[256];

	vmviz_compare(a, b, &c);
	if (o->json) {
		vmviz_print_cmp_rows(&c, o);
		vmviz_cmp_free(&c);
		return;
	}
	vmviz_verdict(&c, verdict, sizeof(verdict));
	printf("1: ");
	describe(a, stdout);
	printf(", mm %s\n2: ", a->mm_id);
	describe(b, stdout);
	printf(", mm %s\n", b->mm_id);
	printf("   %s\n", c.same_mm ? "one mm_struct: the same page tables" :
	       "two mm_structs: page tables of their own");
	printf("   same frame in both:   %lu pages (copy-on-write pending %lu, ",
	       c.total.same, c.total.cow);
	printf("MAP_SHARED %lu, private read-only %lu)\n", c.total.shared, c.total.readonly);
	printf("   diverged:             %lu pages (both mapped, different frames)\n",
	       c.total.diverged);
	printf("   only in 1 / only in 2: %lu / %lu pages\n", c.total.only1, c.total.only2);
	if (!c.same_mm && (c.total.only1 || c.total.only2))
		printf("   (fork copies no entries it can fault in again, such as file pages; and\n"
		       "    either process may have touched pages since)\n");
	printf("verdict: %s\n", verdict);
	if (table) {
		putchar('\n');
		vmviz_print_cmp_rows(&c, o);
	}
	vmviz_cmp_free(&c);
}
