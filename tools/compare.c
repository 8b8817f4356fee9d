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
	c->kernel[0] = a->kernel_release;
	c->kernel[1] = b->kernel_release;
	c->levels[0] = a->levels;
	c->levels[1] = b->levels;
	c->same_mm = c->rel == REL_SAME_MM;
	c->same_task = c->same_mm && a->pid == b->pid;
	c->over_time = c->same_mm && c->dt_ns;
}

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

/* One of the two reports, read page line by page line in address order. */
struct cmp_stream {
	struct vmviz_report *r;
	const struct vmviz_page *p;	/* its page line at the merge, or NULL at the end */
	struct vmviz_cmp_counts *counts;	/* per VMA of the report (of a) */
	size_t ncounts;
};

static struct vmviz_cmp_counts *counts_of(struct cmp_stream *s, int vma);

/*
 * The next page line that stands for a page (carries_page()), or NULL;
 * on the way, what a write would do in each VMA (frame detail, its sum
 * line): in copy1/reuse1 of @s's counts (copy2/reuse2 for b).
 */
static void next_page(struct cmp_stream *s, bool b)
{
	struct vmviz_report *r = s->r;
	enum vmviz_item it;

	while ((it = vmviz_next(r)) != VMVIZ_END) {
		if (it == VMVIZ_SUM && r->frames) {
			struct vmviz_cmp_counts *n = counts_of(s, r->nvmas - 1);

			*(b ? &n->copy2 : &n->copy1) = r->sm[SM_COW_COPY] / 4;
			*(b ? &n->reuse2 : &n->reuse1) = r->sm[SM_COW_REUSE] / 4;
		}
		if (it == VMVIZ_PAGE && carries_page(&r->page)) {
			s->p = &r->page;
			return;
		}
	}
	s->p = NULL;
}

/* The counts of a VMA of @s's report, by index: of a, its row's; of b, its own. */
static struct vmviz_cmp_counts *counts_of(struct cmp_stream *s, int vma)
{
	if ((size_t)vma >= s->ncounts) {
		size_t n = s->ncounts ? s->ncounts : 64;

		while (n <= (size_t)vma)
			n *= 2;
		s->counts = realloc(s->counts, n * sizeof(*s->counts));
		if (!s->counts)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
		memset(s->counts + s->ncounts, 0, (n - s->ncounts) * sizeof(*s->counts));
		s->ncounts = n;
	}
	return &s->counts[vma];
}

/* The 4K pages of [@start, @end) both map: same frame, diverged, swapped. */
static void both(struct cmp_stream *sa, struct cmp_stream *sb, unsigned long start,
		 unsigned long end)
{
	const struct vmviz_page *pa = sa->p, *pb = sb->p;
	const struct vmviz_vma *v = &sa->r->vma;
	struct vmviz_cmp_counts *n = counts_of(sa, pa->vma);
	unsigned long addr;

	for (addr = start; addr < end; addr += 4096) {
		unsigned long fa, fb;

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
		if (is_mapped(pa) && (zero_page(sa->r, pa) || zero_page(sb->r, pb)))
			n->zero++;
		else if (v->perm[3] == 's')
			n->shared++;
		else if (v->perm[1] != 'w')
			n->readonly++;
		else if (is_mapped(pa) && (pa->flags[1] != 'W' || pb->flags[1] != 'W'))
			n->cow++;
	}
}

/*
 * The 4K pages of [@start, @end) only b maps: counted in the row of a's
 * VMA there (a's VMAs up to here are read: they come in address order),
 * or in b's VMA's (its aux), whose row is known at the end.
 */
static void only2(struct cmp_stream *sa, struct cmp_stream *sb, unsigned long start,
		  unsigned long end)
{
	struct vmviz_report *a = sa->r;
	unsigned long addr;

	for (addr = start; addr < end; addr += 4096) {
		const struct vmviz_vma *va = vmviz_vma_at(a, addr);

		if (va)
			counts_of(sa, va - a->vmas)->only2++;
		else
			counts_of(sb, sb->p->vma)->only2++;
	}
}

/*
 * Merge the page lines of the two reports in address order, a stretch of
 * addresses at a time: mapped in both (both()), in a only, in b only.
 */
static void merge_pages(struct cmp_stream *sa, struct cmp_stream *sb)
{
	unsigned long x = 0;

	next_page(sa, false);
	next_page(sb, true);
	while (sa->p || sb->p) {
		const struct vmviz_page *pa = sa->p, *pb = sb->p;
		unsigned long start, end;
		bool in_a, in_b;

		if (pa && pa->end <= x) {
			next_page(sa, false);
			continue;
		}
		if (pb && pb->end <= x) {
			next_page(sb, true);
			continue;
		}
		/* The next stretch: from x or the next run, to the next edge. */
		start = ~0UL;
		if (pa)
			start = pa->start > x ? pa->start : x;
		if (pb && (pb->start > x ? pb->start : x) < start)
			start = pb->start > x ? pb->start : x;
		in_a = pa && pa->start <= start;
		in_b = pb && pb->start <= start;
		end = ~0UL;
		if (pa)
			end = in_a ? pa->end : pa->start;
		if (pb && (in_b ? pb->end : pb->start) < end)
			end = in_b ? pb->end : pb->start;
		if (in_a && in_b)
			both(sa, sb, start, end);
		else if (in_a)
			counts_of(sa, pa->vma)->only1 += (end - start) >> 12;
		else
			only2(sa, sb, start, end);
		x = end;
	}
}

/**
 * vmviz_compare - compare the page tables of two reports, 4K page by page
 * @a: the first report, read to its end here (its VMAs kept)
 * @b: the second, likewise
 * @c: filled in: a row per VMA of @a (with the VMA of @b at its place, if
 *	any, grown or shrunk), and per VMA of @b that @a lacks
 *
 * The two reports are read once, together, their page lines merged in
 * address order: only the VMAs are kept, nothing per page.
 * A page is "same" when both map it to one frame (or one swap slot); of
 * those, "cow" when the VMA is private and writable but an entry has RW
 * clear (a write would copy), "shared" in a MAP_SHARED VMA, "readonly" in
 * a private read-only one. "diverged": both map it, to different frames;
 * "swapout"/"swapin": present in one, in swap in the other. Markers
 * (uffd-wp, guard, poisoned) are no pages. What the numbers mean depends
 * on c->rel: two mm_structs (fork) or one read twice (over time).
 */
void vmviz_compare(struct vmviz_report *a, struct vmviz_report *b, struct vmviz_cmp *c)
{
	struct cmp_stream sa = { .r = a }, sb = { .r = b };
	struct vmviz_cmp_counts *n;
	int *brow, i, j;
	bool *amatched;

	memset(c, 0, sizeof(*c));
	relation(a, b, c);
	vmviz_rewind(a);
	vmviz_rewind(b);
	a->keep = VMVIZ_KEEP_VMAS;
	b->keep = VMVIZ_KEEP_VMAS;
	/* Frames of another boot, or of no mm, are nothing to compare. */
	if (c->rel == REL_NO_MM || c->rel == REL_OTHER_BOOT) {
		do
			next_page(&sa, false);
		while (sa.p);
		do
			next_page(&sb, true);
		while (sb.p);
	} else {
		merge_pages(&sa, &sb);
	}
	brow = calloc(b->nvmas + 1, sizeof(int));
	amatched = calloc(a->nvmas + 1, sizeof(bool));
	if (!brow || !amatched)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	for (i = 0; i < a->nvmas; i++) {
		add_row(c, &a->vmas[i], CMP_VMA_BOTH);
		if ((size_t)i < sa.ncounts)
			c->rows[i].c = sa.counts[i];
	}
	free(sa.counts);
	counts_of(&sb, b->nvmas);
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
	/*
	 * Of b's VMAs, into their rows: pages of b only where a has no VMA,
	 * and what a write would do (frame detail: of both reports only).
	 */
	c->frames = a->frames && b->frames;
	for (j = 0; j < b->nvmas; j++) {
		n = &c->rows[brow[j]].c;
		n->only2 += sb.counts[j].only2;
		if (c->frames) {
			n->copy2 += sb.counts[j].copy2;
			n->reuse2 += sb.counts[j].reuse2;
		}
	}
	free(sb.counts);
	for (i = 0; !c->frames && i < a->nvmas; i++) {
		c->rows[i].c.copy1 = 0;
		c->rows[i].c.reuse1 = 0;
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
			 "from different boots (1: kernel %s, %d-level paging; 2: kernel %s, %d-level paging): two different address spaces, not comparable",
			 c->kernel[0], c->levels[0], c->kernel[1], c->levels[1]);
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
	char comm[128], when[64], src[1100], later[64];
	int room = width - 40;
	size_t len = strlen(r->source);

	/* The source, cut at the front if long: the file name says most. */
	if (room < 10)
		room = 10;
	if ((int)len > room)
		snprintf(src, sizeof(src), "...%s", r->source + len - (room - 3));
	else
		snprintf(src, sizeof(src), "%s", r->source);
	vmviz_say(stdout, width, "%s: %s: pid %d (%s, %s)\n", n, src, r->pid,
		  vmviz_esc(r->comm, comm, 32), r->kind);
	vmviz_format_time(&r->time, when, sizeof(when));
	later[0] = '\0';
	if (other && (r->time.sec != other->time.sec || r->time.nsec != other->time.nsec)) {
		struct vmviz_cmp c;
		char dt[48];

		relation(other, r, &c);
		interval(c.dt_ns, dt, sizeof(dt));
		snprintf(later, sizeof(later), " (%s)", dt);
	}
	vmviz_say(stdout, width, "   mm %s, read %s%s\n", r->mm_id, when, later);
}

static void count_line(int width, const char *what, unsigned long n, const char *why)
{
	char label[40];

	snprintf(label, sizeof(label), "%s:", what);
	vmviz_say(stdout, width, "   %-20s %6lu %s%s%s\n", label, n,
		  vmviz_plural(n, "page ", "pages"), *why ? " " : "", why);
}

/* Two boots: each one's boot, kernel and paging; nothing is compared. */
static void other_boot(const struct vmviz_report *a, const struct vmviz_report *b, int width)
{
	const struct vmviz_report *r[] = { a, b };
	char rel[256];
	int i;

	vmviz_say(stdout, width,
		  "   from different boots: not comparable (different address spaces; the frame numbers of one boot say nothing of the other)\n");
	for (i = 0; i < 2; i++)
		vmviz_say(stdout, width, "   %d: boot %s, kernel %s, %d-level paging\n", i + 1,
			  r[i]->boot_id, vmviz_esc(r[i]->kernel_release, rel, sizeof(rel)),
			  r[i]->levels);
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
	count_line(width, "unchanged", t->same, "(same frame in both reads)");
	count_line(width, "faulted in since 1", t->only2, "(mapped in 2 only)");
	count_line(width, "gone since 1", t->only1, "(unmapped or reclaimed)");
	count_line(width, "changed frame", t->diverged, "(COW break, migration, refault)");
	count_line(width, "swapped out", t->swapout, "(present in 1, in swap in 2)");
	count_line(width, "swapped in", t->swapin, "(in swap in 1, present in 2)");
	vmviz_say(stdout, width,
		  "   VMAs since 1:        %lu mapped, %lu unmapped, %lu grown or shrunk\n",
		  c->vmas_only2, c->vmas_only1, c->vmas_resized);
}

static void print_two_mms(const struct vmviz_cmp *c, int width)
{
	const struct vmviz_cmp_counts *t = &c->total;

	vmviz_say(stdout, width, "   two mm_structs: page tables of their own\n");
	count_line(width, "same frame in both", t->same, "");
	vmviz_say(stdout, width,
		  "     of which copy-on-write pending %lu, MAP_SHARED %lu, read-only %lu\n",
		  t->cow, t->shared, t->readonly);
	if (t->zero)
		vmviz_say(stdout, width,
			  "     and the shared zero page %lu (read as zeros: shared, not a copy)\n",
			  t->zero);
	count_line(width, "diverged", t->diverged, "(both mapped, different frames)");
	count_line(width, "only in 1", t->only1, "");
	count_line(width, "only in 2", t->only2, "");
	if (t->swapout || t->swapin)
		vmviz_say(stdout, width, "   in RAM in one, in swap in the other: %lu / %lu\n",
			  t->swapout, t->swapin);
	if (c->frames) {
		vmviz_say(stdout, width,
			  "   copy-on-write pending, by what a write would do (frame detail):\n");
		vmviz_say(stdout, width, "     in 1: copy %lu %s, reuse %lu\n", t->copy1,
			  vmviz_plural(t->copy1, "page", "pages"), t->reuse1);
		vmviz_say(stdout, width, "     in 2: copy %lu %s, reuse %lu\n", t->copy2,
			  vmviz_plural(t->copy2, "page", "pages"), t->reuse2);
	}
	if (t->only1 || t->only2)
		vmviz_say(stdout, width,
			  "   (fork copies no entries it can fault in again, such as file pages; and either process may have touched pages since)\n");
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
		if (c->frames && c->rel != REL_OTHER_BOOT)
			snprintf(buf, len, "%lu", nums[col]);
		break;
	default:
		/* Frames of two boots are not comparable: no count (null). */
		if (c->rel != REL_OTHER_BOOT)
			snprintf(buf, len, "%lu", nums[col]);
		break;
	}
}

/* The view of a comparison over time: its own default columns. */
static struct vmviz_view time_view;

/* The per-VMA rows of a comparison and its total row, as a table. */
static void cmp_table(const struct vmviz_cmp *c, const struct vmviz_out *o,
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

			if (!vmviz_vma_wanted(c->rows[i].v, f))
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
	/*
	 * One mm read twice: what changed, swaps included, so that the
	 * table adds up to what the words above it say changed.
	 */
	if (c->over_time) {
		time_view = *vmviz_view("compare");
		time_view.defaults = time_view.time_defaults;
		time_view.narrow = time_view.time_narrow;
	}
	vmviz_table_init(&t, c->over_time ? &time_view : vmviz_view("compare"), o, c->frames ?
			 "SAMEMM,VERDICT,VMA,ZERO,COPY1,REUSE1,COPY2,REUSE2" :
			 "SAMEMM,VERDICT,VMA,ZERO");
	for (i = 0; i < c->nrows; i++)
		if (c->rows[i].end > highest)
			highest = c->rows[i].end;
	vmviz_table_addrs(&t, highest);
	for (i = 0; i <= c->nrows; i++) {
		const struct vmviz_cmp_row *row = i < c->nrows ? &c->rows[i] : NULL;
		struct vmviz_row *ln;

		if (row && !vmviz_vma_wanted(row->v, &o->filter))
			continue;
		if (row && t.sort_col >= 0) {
			cmp_cell(row, &shown, 16, t.sort_col, buf, sizeof(buf));
			vmviz_table_sort_key(&t, buf, row->start);
		}
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

	cmp_table(c, o, &t);
	vmviz_table_print(&t);
}

/* A VMA in one only, resized, or with pages that diverged, swapped or are in one only. */
static bool row_changed(const struct vmviz_cmp_row *row)
{
	return row->vma != CMP_VMA_BOTH || row->c.diverged || row->c.only1 ||
	       row->c.only2 || row->c.swapout || row->c.swapin;
}

/* The rows where the two differ (row_changed()) and the total; nothing if none. */
void vmviz_print_changed_rows(const struct vmviz_cmp *c, const struct vmviz_out *o)
{
	struct vmviz_cmp sub = *c;
	int i;

	sub.nrows = 0;
	sub.rows = calloc(c->nrows + 1, sizeof(*c->rows));
	if (!sub.rows)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	for (i = 0; i < c->nrows; i++) {
		if (row_changed(&c->rows[i]))
			sub.rows[sub.nrows++] = c->rows[i];
	}
	if (sub.nrows) {
		putchar('\n');
		vmviz_print_cmp_rows(&sub, o);
	}
	free(sub.rows);
}

/* The JSON of the two reports and how they relate, before the rows. */
struct cmp_json {
	const struct vmviz_report *a, *b;
	const struct vmviz_cmp *c;
	long read;		/* watch: the number of the read of b */
};

static const char *const rel_names[] = {
	[REL_NO_MM] = "no-mm", [REL_OTHER_BOOT] = "other-boot",
	[REL_OTHER_MM] = "other-mm", [REL_SAME_MM] = "same-mm",
};

static void cmp_json_pre(FILE *f, const void *arg)
{
	const char *const *rel = rel_names;
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

/* watch -J: the read, its report, and what changed since the read before. */
static void watch_json_pre(FILE *f, const void *arg)
{
	const struct cmp_json *j = arg;

	fprintf(f, "   \"read\": %ld,\n   \"report\": ", j->read);
	vmviz_json_report(f, j->b, "   ");
	fprintf(f, ",\n   \"relation\": \"%s\",\n   \"interval\": %.9f,\n",
		rel_names[j->c->rel], j->c->dt_ns / 1e9);
	fprintf(f, "   \"vmas\": {\"mapped\": %lu, \"unmapped\": %lu, \"resized\": %lu},\n",
		j->c->vmas_only2, j->c->vmas_only1, j->c->vmas_resized);
}

/**
 * vmviz_print_watch_json - one read of watch as one line of JSON
 * @a: the read before
 * @b: this read, number @read
 * @read: its number (the first read is 1)
 * @o: table options: -o and the filters apply to the rows
 *
 * {"read", "report", "relation", "interval", "vmas", "changed": [the rows
 * that changed], "total": {the counts of all VMAs, the verdict}} on one
 * line: a JSON text has no raw newline but between its tokens.
 */
void vmviz_print_watch_json(struct vmviz_report *a, struct vmviz_report *b, long read,
			    const struct vmviz_out *o)
{
	struct vmviz_cmp c, sub;
	struct cmp_json j = { a, b, &c, read };
	struct vmviz_table t;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	vmviz_compare(a, b, &c);
	sub = c;
	sub.nrows = 0;
	sub.rows = calloc(c.nrows + 1, sizeof(*c.rows));
	if (!sub.rows)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	for (i = 0; i < c.nrows; i++)
		if (row_changed(&c.rows[i]))
			sub.rows[sub.nrows++] = c.rows[i];
	cmp_table(&sub, o, &t);
	f = open_memstream(&text, &len);
	if (!f)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	vmviz_table_json_to(&t, f, "changed", watch_json_pre, &j);
	if (fclose(f))
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	vmviz_json_line(stdout, text);
	free(text);
	free(sub.rows);
	vmviz_cmp_free(&c);
}

/* --name, --seg, --perm or --range: the table shows part of the VMAs. */
static bool filtered(const struct vmviz_filter *f)
{
	return f->name || f->segs || f->perm || f->range;
}

void vmviz_print_compare(struct vmviz_report *a, struct vmviz_report *b,
			 const struct vmviz_out *o, bool table)
{
	struct vmviz_table t;
	struct vmviz_cmp c;
	struct cmp_json j = { a, b, &c, 0 };
	int width = o->width ? o->width : 80;
	char verdict[1024], said[1024];

	vmviz_compare(a, b, &c);
	/* The table first: a bad -o fails before anything is printed. */
	cmp_table(&c, o, &t);
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

		vmviz_say(stdout, width, "   one boot %s, kernel %s\n", a->boot_id,
			  vmviz_esc(a->kernel_release, rel, sizeof(rel)));
	}
	switch (c.rel) {
	case REL_NO_MM:
		vmviz_say(stdout, width,
			  "   %s has no address space (a kernel thread, or a task that exited)\n",
			  !a->has_mm && !b->has_mm ? "neither" : !a->has_mm ? "1" : "2");
		break;
	case REL_OTHER_BOOT:
		other_boot(a, b, width);
		break;
	case REL_SAME_MM:
		if (c.over_time)
			print_over_time(&c, width);
		else
			vmviz_say(stdout, width,
				  "   one mm_struct: the same page tables, read at the same time\n");
		break;
	case REL_OTHER_MM:
		print_two_mms(&c, width);
		break;
	}
	vmviz_wrap(stdout, filtered(&o->filter) ? "verdict (all VMAs): " : "verdict: ",
		   vmviz_esc(verdict, said, sizeof(said)), width);
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
