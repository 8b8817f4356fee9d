// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: the picture of an address space, high to low addresses, as
 * text (vmviz PID) and as SVG (vmviz svg), with the counters in words.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "vmviz.h"

enum region_kind { REGION_KERNEL, REGION_HOLE, REGION_GAP, REGION_VMA };

/*
 * One box of the picture: a half, the hole, a gap, or VMAs: one, or a run
 * of alike ones folded (same name, permissions and segment, or two such
 * alternating, as thread stacks and their guard pages).
 */
struct region {
	enum region_kind kind;
	unsigned long start, last;	/* inclusive: the kernel half ends at 2^64 */
	const struct vmviz_vma *vma, *vma2;	/* vma2: the other of a pair */
	int nvmas;			/* VMAs in the box */
	unsigned long mapped, present, swapped;	/* bytes, base pages, base pages */
	const char *label;		/* segment name, on its first box */
	bool high;			/* a gap above mmap_window */
};

static struct region *push(struct region **rs, int *n, enum region_kind kind,
			   unsigned long start, unsigned long last)
{
	struct region *r;

	if (!(*n & 63)) {
		*rs = realloc(*rs, sizeof(**rs) * (*n + 64));
		if (!*rs)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
	}
	r = &(*rs)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->start = start;
	r->last = last;
	return r;
}

/*
 * A gap from @start to @last, holding the VMAs @hide to @end - 1 that the
 * filter hid; with 5-level paging, the part above mmap_window apart:
 * mmap() hands out addresses there only when asked with a hint above it.
 */
static void push_gap(const struct vmviz_report *r, struct region **rs, int *n,
		     unsigned long start, unsigned long last, int hide, int end)
{
	unsigned long window = r->mmap_window;
	struct region *g;
	int i, high = 0;

	if (r->levels == 5 && window > start && window - 1 < last) {
		for (i = hide; i < end; i++)
			high += r->vmas[i].end > window;
		g = push(rs, n, REGION_GAP, window, last);
		g->high = true;
		g->nvmas = high;
		last = window - 1;
	}
	push(rs, n, REGION_GAP, start, last)->nvmas = end - hide - high;
}

static bool alike(const struct vmviz_vma *a, const struct vmviz_vma *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->perm, b->perm) &&
	       !strcmp(a->seg, b->seg);
}

/* Folding starts at this many VMAs in a row (pairs: this many VMAs too). */
#define FOLD_MIN	4

/* The run of alike VMAs ending at @i, all of them drawn (@shown). */
static int fold_run(const struct vmviz_report *r, const bool *shown, int i, int period)
{
	int k;

	if (period == 2 && (i < 1 || !shown[i - 1] || alike(&r->vmas[i], &r->vmas[i - 1])))
		return 1;
	for (k = period; i - k >= 0; k++)
		if (!shown[i - k] || !alike(&r->vmas[i - k], &r->vmas[i - k + period]))
			break;
	return k;
}

/*
 * The boxes, highest first: kernel half, hole, then VMAs and gaps. Only
 * the VMAs the filter @f takes are drawn: the others are in the gaps,
 * which count them (nvmas). Returns the boxes; *drawn gets the VMAs drawn.
 */
static int regions(const struct vmviz_report *r, struct region **rs, bool all,
		   const struct vmviz_filter *f, int *drawn)
{
	unsigned long top = r->user.end;
	const char *prev_seg = NULL;
	int n = 0, i, j, len, period, above = r->nvmas;
	bool *shown;

	*rs = NULL;
	*drawn = 0;
	shown = malloc(sizeof(*shown) * (r->nvmas + 1));
	if (!shown)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	for (i = 0; i < r->nvmas; i++)
		shown[i] = vmviz_vma_wanted(&r->vmas[i], f);
	push(rs, &n, REGION_KERNEL, r->kernel.start, r->kernel.end);
	push(rs, &n, REGION_HOLE, r->hole.start, r->hole.end);
	for (i = r->nvmas - 1; i >= 0; i -= len) {
		const struct vmviz_vma *v = &r->vmas[i];
		struct region *g;

		len = 1;
		period = 1;
		if (!shown[i])
			continue;
		if (!all) {
			len = fold_run(r, shown, i, 1);
			if (len < FOLD_MIN) {
				int len2 = fold_run(r, shown, i, 2);

				if (len2 >= FOLD_MIN) {
					len = len2;
					period = 2;
				} else {
					len = 1;
				}
			}
		}
		if (v->end - 1 < top)
			push_gap(r, rs, &n, v->end, top, i + 1, above);
		g = push(rs, &n, REGION_VMA, r->vmas[i - len + 1].start, v->end - 1);
		g->vma = v;
		g->vma2 = period == 2 ? &r->vmas[i - 1] : NULL;
		g->nvmas = len;
		for (j = i - len + 1; j <= i; j++) {
			g->mapped += r->vmas[j].end - r->vmas[j].start;
			g->present += r->vmas[j].present;
			g->swapped += r->vmas[j].swapped;
		}
		*drawn += len;
		if (!prev_seg || strcmp(prev_seg, v->seg))
			g->label = v->seg;
		prev_seg = v->seg;
		top = g->start - 1;
		above = i - len + 1;
		if (!g->start)
			break;
	}
	if (i < 0)
		push_gap(r, rs, &n, 0, top, 0, above);
	free(shown);
	return n;
}

/* What a gap box says: unmapped, or how many VMAs the filter hid in it. */
static void gap_words(const struct region *g, char *buf, size_t len, int width)
{
	if (!g->nvmas) {
		snprintf(buf, len, "%s", g->high ? "unmapped, above mmap_window (hint needed)" :
			 "unmapped");
		if ((int)strlen(buf) > width)
			snprintf(buf, len, "unmapped (above mmap_window)");
		return;
	}
	snprintf(buf, len, "%d %s hidden by the filter%s", g->nvmas,
		 vmviz_plural(g->nvmas, "VMA", "VMAs"), g->high ? ", above mmap_window" : "");
	if ((int)strlen(buf) > width)
		snprintf(buf, len, "%d %s hidden", g->nvmas, vmviz_plural(g->nvmas, "VMA", "VMAs"));
}

static const char *seg_color(const char *seg)
{
	static const struct {
		const char *seg, *ansi;
	} colors[] = {
		{ "code", "31" }, { "image", "31" }, { "data", "33" }, { "bss", "33" },
		{ "heap", "32" }, { "mmap", "34" }, { "stack", "35" },
		{ "vdso", "36" }, { "vvar", "36" }, { "special", "36" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(colors); i++)
		if (!strcmp(colors[i].seg, seg))
			return colors[i].ansi;
	return "0";
}

/*
 * @name escaped, in at most @width columns: its tail after "..." if it is
 * longer (the end of a path says most: the file name is kept whole
 * however long the path), so a cut is always visible.
 */
static void fit(const char *name, char *buf, size_t len, size_t width)
{
	char *esc = vmviz_esc_dup(name);

	if (vmviz_text_cols(esc) <= width)
		snprintf(buf, len, "%s", esc);
	else
		snprintf(buf, len, "...%s", vmviz_text_tail(esc, width - 3));
	free(esc);
}

/* @s left-aligned in @width columns, as the terminal counts them. */
static void pad(FILE *f, const char *s, size_t width)
{
	size_t cols = vmviz_text_cols(s);

	fputs(s, f);
	for (; cols < width; cols++)
		fputc(' ', f);
}

/* Where the kernel half's regions come from: vmviz_picture_kernel(). */
static const char *kernel_path;
static bool kernel_live;

/**
 * vmviz_picture_kernel - the kernel-half file the overview and svg draw
 * @path: a saved /proc/vmviz/kernel (--khalf), or NULL
 * @live: without @path, read /proc/vmviz/kernel if it opens (a PID given)
 */
void vmviz_picture_kernel(const char *path, bool live)
{
	kernel_path = path;
	kernel_live = live;
}

/*
 * The kernel half's regions to draw for @r, or NULL (free() it): from
 * --khalf, or live from /proc/vmviz/kernel when it opens; when it
 * does not (no module, or refused: it needs CAP_SYS_ADMIN and addresses
 * in /proc/kallsyms), the one box as before, silently. A file that is not
 * of @r's paging mode is refused; live, it cannot be.
 */
static struct vmviz_khalf *kernel_half(const struct vmviz_report *r)
{
	struct vmviz_khalf *h;

	if (!kernel_path && !kernel_live)
		return NULL;
	h = malloc(sizeof(*h));
	if (!h)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	if (!vmviz_kernel_regions(kernel_path, h)) {
		free(h);
		return NULL;
	}
	if (h->levels != (unsigned int)r->levels || h->half != r->kernel.start) {
		if (kernel_path) {
			char *e = vmviz_esc_dup(kernel_path);

			vmviz_die(VMVIZ_EXIT_USAGE,
				  "--khalf %s: a kernel half of %u-level paging (from %016lx), the report's is %d-level (from %016lx)",
				  e, h->levels, h->half, r->levels, r->kernel.start);
		}
		free(h);
		return NULL;
	}
	return h;
}

/* A gap between regions: the file names it "gap"; the picture, unused. */
static bool kregion_unused(const struct vmviz_kregion *k)
{
	return !strcmp(k->name, "gap");
}

/* Whose page tables the regions are, in words (escaped for @sink). */
static void kernel_words(const struct vmviz_report *r, const struct vmviz_khalf *h,
			 enum vmviz_sink sink, char *buf, size_t len)
{
	char src[2100], boot[200];

	vmviz_escape(sink, strcmp(h->source, "-") ? h->source : "standard input", src,
		     sizeof(src));
	if (h->live)
		snprintf(buf, len,
			 "kernel half: its regions as this reader's page tables hold it (%s: alike in every process but ldt)",
			 src);
	else
		snprintf(buf, len,
			 "kernel half: its regions from %s, as its reader's page tables held it (alike in every process but ldt)",
			 src);
	if (h->pti)
		snprintf(buf + strlen(buf), len - strlen(buf),
			 "; PTI: the kernel's copy (vmviz kernel shows user mode's)");
	if (strcmp(h->boot, r->boot_id)) {
		vmviz_escape(sink, h->boot, boot, sizeof(boot));
		snprintf(buf + strlen(buf), len - strlen(buf),
			 "; from another boot (%s): KASLR moves regions", boot);
	}
}

/* The box layout for a width: "  ADDRESS16 |" + inside + "|" fits it. */
struct layout {
	int box;		/* columns inside a box */
	int name;		/* of those, for the name */
	bool swap;		/* a SWAP column */
};

/*
 * The boxes for @width columns; below 72, a picture without swap has no
 * SWAP column: its columns go to the names.
 */
static struct layout layout_for(int width, bool swap)
{
	struct layout l;

	/* 2 + 16 + 1 + 1 + box + 1, and one spare column: no auto-wrap. */
	l.box = width - 22;
	if (l.box < 38)
		l.box = 38;
	if (l.box > 160)
		l.box = 160;
	l.swap = swap || l.box >= 50;
	l.name = l.box - (l.swap ? 30 : 23);
	return l;
}

static void border(FILE *f, const struct layout *l, unsigned long addr)
{
	int i;

	fprintf(f, "  %016lx +", addr);
	for (i = 0; i < l->box; i++)
		fputc('-', f);
	fprintf(f, "+\n");
}

/*
 * What a VMA box says in its name column: the name, or what was folded:
 * "12 x NAME", or for a pair alternating "N x NAME PERM1/PERM2" (thread
 * stacks and their guards), "N x NAME1 / NAME2" if the names differ.
 */
static void box_name(const struct region *g, char *buf, size_t len, size_t width)
{
	char *a, *b, *text, *tail;
	size_t n;

	if (g->nvmas <= 1) {
		fit(g->vma->name, buf, len, width);
		return;
	}
	a = vmviz_esc_dup(g->vma->name);
	b = vmviz_esc_dup(g->vma2 ? g->vma2->name : "");
	n = strlen(a) + strlen(b) + 64;
	text = malloc(n);
	if (!text)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	if (!g->vma2)
		snprintf(text, n, "%d x %s", g->nvmas, a);
	else if (!strcmp(g->vma->name, g->vma2->name))
		snprintf(text, n, "%d x %s %s/%s", g->nvmas, a, g->vma->perm, g->vma2->perm);
	else
		snprintf(text, n, "%d x %s / %s", g->nvmas, a, b);
	/* Already escaped: cut it as it is, keeping "N x " and the tail. */
	if (vmviz_text_cols(text) <= width) {
		snprintf(buf, len, "%s", text);
	} else {
		snprintf(buf, len, "%d x ...", g->nvmas);
		tail = strchr(text, 'x') + 2;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s",
			 vmviz_text_tail(tail, width > strlen(buf) ? width - strlen(buf) : 0));
	}
	free(text);
	free(a);
	free(b);
}

static void box_row(FILE *f, const struct layout *l, const struct region *g, bool color)
{
	const char *side = g->kind == REGION_GAP ? ":" : "|";
	const char *ansi = "2", *what = NULL;
	char text[1200], name[2048], size[16], res[16], swp[16], gap[64];

	vmviz_human_size((unsigned long long)(g->last - g->start) + 1, size, sizeof(size));
	switch (g->kind) {
	case REGION_KERNEL:
		what = "kernel half (no user access)";
		break;
	case REGION_HOLE:
		what = "canonical hole (no valid address)";
		break;
	case REGION_GAP:
		gap_words(g, gap, sizeof(gap), l->box - 10);
		what = gap;
		break;
	case REGION_VMA:
		/* What the VMAs map: a fold's span holds the gaps between them. */
		vmviz_human_size(g->mapped, size, sizeof(size));
		box_name(g, name, sizeof(name) - 1024, l->name);
		vmviz_human_size((unsigned long long)g->present * 4096, res, sizeof(res));
		swp[0] = '\0';
		if (g->swapped)
			vmviz_human_size((unsigned long long)g->swapped * 4096, swp, sizeof(swp));
		ansi = seg_color(g->vma->seg);
		break;
	}
	fprintf(f, "  %16s %s", g->label ? g->label : "", side);
	if (color)
		fprintf(f, "\033[%sm", ansi);
	if (what) {
		/* A narrow box has the short words. */
		if ((int)strlen(what) > l->box - 10)
			what = g->kind == REGION_KERNEL ? "kernel half" : "canonical hole";
		snprintf(text, sizeof(text), " %-*s %7s ", l->box - 10, what, size);
		fputs(text, f);
	} else {
		fputc(' ', f);
		pad(f, name, l->name);
		fprintf(f, " %-4s %7s %7s ", g->nvmas > 1 && g->vma2 ? "mix" : g->vma->perm,
			size, res);
		if (l->swap)
			fprintf(f, "%6s ", swp);
	}
	if (color)
		fprintf(f, "\033[0m");
	fprintf(f, "%s\n", side);
}

/*
 * The kernel half's regions inside its box, highest first, each with its
 * start at the left: name, size and, under IN RAM, the bytes its leaves
 * map; the gaps between them as "unused".
 */
static void kernel_rows(FILE *f, const struct layout *l, const struct vmviz_khalf *h,
			bool color)
{
	char name[128], size[16], mapped[16];
	int i;

	for (i = h->nreg - 1; i >= 0; i--) {
		const struct vmviz_kregion *k = &h->reg[i];

		vmviz_human_size((unsigned long long)(k->last - k->start) + 1, size, sizeof(size));
		mapped[0] = '\0';
		if (k->skip[0])
			snprintf(mapped, sizeof(mapped), "skipped");
		else if (!kregion_unused(k))
			vmviz_human_size(k->mapped, mapped, sizeof(mapped));
		fit(kregion_unused(k) ? "unused" : k->name, name, sizeof(name), l->name - 1);
		fprintf(f, "  %016lx |", k->start);
		if (color)
			fprintf(f, "\033[2m");
		fputs("  ", f);
		pad(f, name, l->name - 1);
		fprintf(f, " %-4s %7s %7s ", "", size, mapped);
		if (l->swap)
			fprintf(f, "%6s ", "");
		if (color)
			fprintf(f, "\033[0m");
		fprintf(f, "|\n");
	}
}

static const char *kind_words(const struct vmviz_report *r)
{
	if (!strcmp(r->kind, "process"))
		return "a process (thread-group leader)";
	if (!strcmp(r->kind, "thread"))
		return "a thread";
	if (!strcmp(r->kind, "kthread"))
		return "a kernel thread (no address space of its own)";
	if (!strcmp(r->kind, "zombie"))
		return "a zombie (exited, not yet reaped: its memory is gone)";
	if (!strcmp(r->kind, "exited"))
		return "exiting (its memory is already gone)";
	return r->kind;
}

static const char *state_words(char state)
{
	switch (state) {
	case 'R':
		return "running";
	case 'S':
		return "sleeping";
	case 'D':
		return "in uninterruptible sleep";
	case 'T':
		return "stopped";
	case 't':
		return "stopped by a tracer";
	case 'Z':
		return "zombie";
	case 'X':
		return "dead";
	case 'I':
		return "idle";
	case 'P':
		return "parked";
	default:
		return "in an unknown state";
	}
}

static const char *const seg_help[VMVIZ_NSEGS] = {
	"the program's instructions",
	"initialised global variables",
	"zero-initialised globals (BSS)",
	"grown by brk() (malloc)",
	"libraries, files, anonymous mmap()s",
	"the main thread's stack",
	"argv strings, top of the stack",
	"environment strings",
	"kernel code for fast system calls",
	"kernel data the vDSO reads",
};

static const char *const counter_help[VMVIZ_NCOUNTERS] = {
	"mapped, resident or not (VmSize)",
	"mlock()ed, never swapped (VmLck)",
	"pinned for devices (VmPin)",
	"private writable, not stack (VmData)",
	"executable, not writable (code)",
	"stack (VmStk)",
	"resident file pages (RssFile)",
	"resident anonymous pages (RssAnon)",
	"resident shared memory (RssShmem)",
	"pages in swap (VmSwap)",
};

static void print_provenance(const struct vmviz_report *r, FILE *f, int width)
{
	char rel[256], when[64];

	vmviz_format_time(&r->time, when, sizeof(when));
	vmviz_say(f, width, "kernel %s, boot %s\n",
		  vmviz_esc(r->kernel_release, rel, sizeof(rel)), r->boot_id);
	vmviz_say(f, width, "read %s, %llu.%03lu s after boot\n", when, r->boottime.sec,
		  r->boottime.nsec / 1000000);
}

/**
 * vmviz_print_overview - identity, the picture, the segments and counters
 * @r: the report
 * @f: where to
 * @color: ANSI colours by segment
 * @o: the width to fit
 * @all: a box per VMA, nothing folded
 */
void vmviz_print_overview(struct vmviz_report *r, FILE *f, bool color,
			  const struct vmviz_out *o, bool all)
{
	int width = o->width ? o->width : 80;
	struct layout l;
	struct region *rs;
	struct vmviz_khalf *kh;
	char size[16], comm[128], group[48] = "", partial[96] = "", words[4600];
	int n, i, folded = 0, drawn;

	/* The VMAs with their sums: the page lines are only counted. */
	vmviz_read_all(r, VMVIZ_KEEP_VMAS);
	/* Before any output: a kernel-half file refused prints nothing. */
	kh = r->has_mm ? kernel_half(r) : NULL;

	if (r->pid != r->tgid)
		snprintf(group, sizeof(group), ", in thread group %d", r->tgid);
	vmviz_say(f, width, "pid %d (%s): %s, %s%s\n", r->pid,
		  vmviz_esc(r->comm, comm, sizeof(comm)), kind_words(r), state_words(r->state),
		  group);
	print_provenance(r, f, width);
	if (!r->has_mm) {
		vmviz_say(f, width,
			  "no address space: mm none (a kernel thread or a task that exited)%s\n",
			  !strcmp(r->active, "other") ? "; running on a borrowed mm" : "");
		vmviz_say(f, width,
			  "%d-level paging: user half %lx-%016lx, kernel half from %016lx\n",
			  r->levels, r->user.start, r->user.end, r->kernel.start);
		return;
	}
	vmviz_say(f, width, "mm %s: used by %lu %s (mm_users), %lu %s (mm_count)\n", r->mm_id,
		  r->users, vmviz_plural(r->users, "task", "tasks"), r->count,
		  vmviz_plural(r->count, "reference", "references"));
	vmviz_say(f, width, "%d-level paging (%d-bit addresses), %luK pages, %s mmap layout\n",
		  r->levels, r->levels == 5 ? 57 : 48, r->page_size / 1024, r->layout);
	if (r->partial)
		snprintf(partial, sizeof(partial),
			 "; %d %s changed while read (counts cover the part read)", r->partial,
			 vmviz_plural(r->partial, "VMA", "VMAs"));
	vmviz_say(f, width, "%d %s, %ld page-table %s%s\n", r->nvmas,
		  vmviz_plural(r->nvmas, "VMA", "VMAs"), r->npages,
		  vmviz_plural(r->npages, "run", "runs"), partial);
	n = regions(r, &rs, all, &o->filter, &drawn);
	if (vmviz_filtering(&o->filter))
		vmviz_say(f, width, "drawn: %d of them, those matching%s\n", drawn,
			  vmviz_filter_words(o, words, sizeof(words)));
	if (kh) {
		kernel_words(r, kh, SINK_TERM, words, sizeof(words));
		vmviz_say(f, width, "%s; IN RAM: what their leaves map\n", words);
	}
	fputc('\n', f);

	for (i = 0; i < n && !rs[i].swapped; i++)
		;
	l = layout_for(width, i < n);
	fprintf(f, "  %16s  ", "");
	pad(f, "VMA", l.name);
	fprintf(f, " %-4s %7s %7s%s\n", "PERM", "SIZE", "IN RAM", l.swap ? "   SWAP" : "");
	for (i = 0; i < n; i++) {
		const struct region *g = &rs[i];

		border(f, &l, i ? rs[i - 1].start : g->last);
		box_row(f, &l, g, color);
		if (g->kind == REGION_KERNEL && kh)
			kernel_rows(f, &l, kh, color);
		if (g->kind == REGION_VMA && g->nvmas > 1)
			folded++;
	}
	border(f, &l, 0);
	free(rs);
	free(kh);
	if (folded)
		vmviz_say(f, width, "(%d %s of alike VMAs folded; --all shows every VMA)\n",
			  folded, vmviz_plural(folded, "run", "runs"));
	if (vmviz_filtering(&o->filter) && !drawn)
		vmviz_say(f, width, "%s\n", vmviz_none_words(o, "VMA", words, sizeof(words)));

	fprintf(f, "\nSegments (from the mm_struct):\n");
	for (i = 0; i < VMVIZ_NSEGS; i++) {
		const struct vmviz_range *s = &r->segs[i];

		if (!s->start && !s->end) {
			vmviz_say(f, width, "  %-5s %-25s %7s  %s\n", vmviz_seg_names[i], "none",
				  "", seg_help[i]);
			continue;
		}
		vmviz_human_size(s->end - s->start, size, sizeof(size));
		vmviz_say(f, width, "  %-5s %012lx-%012lx %7s  %s\n", vmviz_seg_names[i],
			  s->start, s->end, size, seg_help[i]);
	}
	fprintf(f, "\nCounters (pages of %luK):\n", r->page_size / 1024);
	for (i = 0; i < VMVIZ_NCOUNTERS; i++) {
		vmviz_human_size((unsigned long long)r->counters[i] * r->page_size, size,
				 sizeof(size));
		vmviz_say(f, width, "  %-9s %8lu %7s  %s\n", vmviz_counter_names[i],
			  r->counters[i], size, counter_help[i]);
	}
}

/*
 * The kernel half's regions in the overview's JSON, in address order (as
 * "spaces"): the file, live or not (live: this reader's page tables), each
 * region's range, size and mapped bytes (with PTI, user mode's copy's too).
 */
static void json_kernel(FILE *f, const struct vmviz_khalf *h)
{
	int i;

	fprintf(f, ",\n   \"kernel_half\": {\"source\": ");
	vmviz_json_str(f, h->source);
	fprintf(f, ", \"live\": %s, \"kernel\": ", h->live ? "true" : "false");
	vmviz_json_str(f, h->release);
	fprintf(f, ", \"boot\": ");
	vmviz_json_str(f, h->boot);
	fprintf(f, ", \"levels\": %u, \"pti\": %s,\n      \"regions\": [", h->levels,
		h->pti ? "true" : "false");
	for (i = 0; i < h->nreg; i++) {
		const struct vmviz_kregion *k = &h->reg[i];

		fprintf(f, "%s\n         {\"name\": ", i ? "," : "");
		vmviz_json_str(f, k->name);
		fprintf(f, ", \"start\": \"%016lx\", \"last\": \"%016lx\", \"size\": %lu, ",
			k->start, k->last, k->last - k->start + 1);
		fprintf(f, "\"unused\": %s, \"mapped\": %lu, ",
			kregion_unused(k) ? "true" : "false", k->mapped);
		if (h->pti)
			fprintf(f, "\"user_mapped\": %lu, ", k->user_mapped);
		fprintf(f, "\"skip\": ");
		if (k->skip[0])
			vmviz_json_str(f, k->skip);
		else
			fprintf(f, "null");
		fputc('}', f);
	}
	fprintf(f, "\n      ]}");
}

/* The overview as JSON: identity, provenance, geometry, segments, counters. */
void vmviz_print_overview_json(struct vmviz_report *r, FILE *f)
{
	static const char *const spaces[] = { "user", "hole", "kernel" };
	const struct vmviz_range *sp[] = { &r->user, &r->hole, &r->kernel };
	struct vmviz_khalf *kh;
	int i;

	vmviz_read_all(r, 0);
	kh = r->has_mm ? kernel_half(r) : NULL;

	fprintf(f, "{\n   \"report\": ");
	vmviz_json_report(f, r, "   ");
	fprintf(f, ",\n   \"geometry\": {\"page_size\": %lu, \"levels\": %d, ", r->page_size,
		r->levels);
	fprintf(f, "\"task_size\": \"%016lx\", \"mmap_base\": \"%016lx\", ", r->task_size,
		r->mmap_base);
	fprintf(f, "\"mmap_window\": \"%016lx\", \"layout\": ", r->mmap_window);
	vmviz_json_str(f, r->layout);
	fprintf(f, "},\n   \"spaces\": [");
	for (i = 0; i < 3; i++) {
		fprintf(f, "%s\n      {\"name\": \"%s\", ", i ? "," : "", spaces[i]);
		fprintf(f, "\"start\": \"%016lx\", \"last\": \"%016lx\"}", sp[i]->start,
			sp[i]->end);
	}
	fprintf(f, "\n   ]");
	if (kh) {
		json_kernel(f, kh);
		free(kh);
	}
	fprintf(f, ",\n   \"vmas\": %d,\n   \"pagelines\": %ld,\n   \"segments\": [",
		r->nvmas, r->npages);
	for (i = 0; r->has_mm && i < VMVIZ_NSEGS; i++) {
		fprintf(f, "%s\n      {\"name\": \"%s\", ", i ? "," : "", vmviz_seg_names[i]);
		fprintf(f, "\"start\": \"%016lx\", \"end\": \"%016lx\", \"size\": %lu}",
			r->segs[i].start, r->segs[i].end, r->segs[i].end - r->segs[i].start);
	}
	fprintf(f, "\n   ],\n   \"fields\": {");
	for (i = 0; r->has_mm && i < VMVIZ_NFIELDS; i++)
		fprintf(f, "%s\n      \"%s\": \"%016lx\"", i ? "," : "", vmviz_field_names[i],
			r->fields[i]);
	fprintf(f, "\n   },\n   \"counters\": {");
	for (i = 0; r->has_mm && i < VMVIZ_NCOUNTERS; i++)
		fprintf(f, "%s\n      \"%s\": %lu", i ? "," : "", vmviz_counter_names[i],
			r->counters[i]);
	fprintf(f, "\n   }\n}\n");
}

static const char *seg_fill(const char *seg)
{
	static const struct {
		const char *seg, *fill;
	} fills[] = {
		{ "code", "#f4a6a6" }, { "image", "#f8c8c8" }, { "data", "#f6e08a" },
		{ "bss", "#f9eeb8" }, { "heap", "#a8e0a0" }, { "mmap", "#a8c4f0" },
		{ "stack", "#e0a8e8" }, { "vdso", "#a0e0e0" }, { "vvar", "#c8f0f0" },
		{ "special", "#c8f0f0" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fills); i++)
		if (!strcmp(fills[i].seg, seg))
			return fills[i].fill;
	return "#dddddd";
}

/* The colours of the page strip, each with its legend entry. */
enum strip_kind {
	STRIP_NONE, STRIP_RW, STRIP_RW_HUGE, STRIP_R, STRIP_R_HUGE, STRIP_X, STRIP_SWAP,
	STRIP_OTHER, STRIP_KINDS,
};

static const struct {
	const char *fill, *what;
} strip_colors[STRIP_KINDS] = {
	[STRIP_NONE] = { "#eeeeee", "no entry" },
	[STRIP_RW] = { "#40b040", "rw" },
	[STRIP_RW_HUGE] = { "#207020", "rw huge" },
	[STRIP_R] = { "#4070d0", "r" },
	[STRIP_R_HUGE] = { "#203f90", "r huge" },
	[STRIP_X] = { "#d04040", "x" },
	[STRIP_SWAP] = { "#f0a040", "swap" },
	[STRIP_OTHER] = { "#404040", "other (protnone, migration, marker)" },
};

static enum strip_kind strip_kind(const struct vmviz_page *p)
{
	if (!strcmp(p->state, "swap"))
		return STRIP_SWAP;
	if (strcmp(p->state, "present"))
		return STRIP_OTHER;
	if (p->flags[10] != 'N')
		return STRIP_X;
	if (p->flags[1] == 'W')
		return p->entry_size > 4096 ? STRIP_RW_HUGE : STRIP_RW;
	return p->entry_size > 4096 ? STRIP_R_HUGE : STRIP_R;
}

/* The kind covering most of [start, end): what one strip cell shows. */
static enum strip_kind cell_kind(const struct vmviz_report *r, int *from, unsigned long start,
				 unsigned long end)
{
	unsigned long bytes[STRIP_KINDS] = { 0 }, covered = 0;
	enum strip_kind best = STRIP_NONE;
	int i, k;

	while (*from < r->nkept && r->pages[*from].end <= start)
		(*from)++;
	for (i = *from; i < r->nkept && r->pages[i].start < end; i++) {
		const struct vmviz_page *p = &r->pages[i];
		unsigned long s = p->start > start ? p->start : start;
		unsigned long e = p->end < end ? p->end : end;

		bytes[strip_kind(p)] += e - s;
		covered += e - s;
	}
	bytes[STRIP_NONE] = (end - start) - covered;
	for (k = 0; k < STRIP_KINDS; k++)
		if (bytes[k] > bytes[best])
			best = k;
	return best;
}

/*
 * The VMAs with their sums, and the page lines of the VMA holding
 * @strip_addr (if not 0), the only ones the page strip draws.
 */
static void read_for_strip(struct vmviz_report *r, unsigned long strip_addr)
{
	enum vmviz_item it;

	vmviz_rewind(r);
	r->keep = VMVIZ_KEEP_VMAS;
	while ((it = vmviz_next(r)) != VMVIZ_END) {
		if (it != VMVIZ_VMA || !strip_addr || r->keep & VMVIZ_KEEP_PAGES ||
		    strip_addr < r->vma.start || strip_addr >= r->vma.end)
			continue;
		r->keep |= VMVIZ_KEEP_PAGES;
		r->keep_lo = r->vma.start;
		r->keep_hi = r->vma.end;
	}
}

static const char *const seg_order[] = {
	"code", "image", "data", "bss", "heap", "mmap", "stack", "vdso", "vvar", "special",
};

#define SVG_WIDTH	900
#define SVG_LEFT	130
#define SVG_BOX		560
#define SVG_BAR		120
#define STRIP_COLS	64
#define STRIP_CELL	9
#define STRIP_MAX	(64 * 64)

/*
 * The share @part of @whole as a bar of at most SVG_BAR pixels, in integers:
 * never negative, never wider than the bar, whatever the counts.
 */
static int bar_width(unsigned long part, unsigned long whole)
{
	if (!whole)
		return 0;
	if (part >= whole)
		return SVG_BAR;
	/* part < whole: part / whole * SVG_BAR without overflowing part * SVG_BAR. */
	if (part <= ~0UL / SVG_BAR)
		return part * SVG_BAR / whole;
	return part / (whole / SVG_BAR + 1);
}

/* Box height: grows with log2 of the size, 18 px for 4K to 60 px for 128T. */
static int size_height(unsigned long size)
{
	int bits = 0;

	while (size >>= 1)
		bits++;
	bits = bits < 12 ? 0 : bits - 12;
	return 18 + bits * 42 / 52;
}

static int row_height(const struct region *g)
{
	return size_height(g->last - g->start);
}

#define KREGION_FILL	"#b8b8d0"
#define KREGION_EMPTY	"#e0e0ea"

/*
 * Text already escaped for XML as lines of at most 140 characters (840 px
 * at 10 px monospace), cut at blanks, from @y down 16 px apart; only
 * counted if @f is NULL. Returns how many lines.
 */
static int svg_lines(FILE *f, int y, const char *text)
{
	int lines = 0;

	while (*text) {
		size_t len = strlen(text), cut = len;

		if (len > 140) {
			for (cut = 140; cut && text[cut] != ' '; cut--)
				;
			if (!cut)
				cut = strcspn(text, " ");
		}
		if (f)
			fprintf(f, "<text x=\"10\" y=\"%d\" fill=\"#555555\" font-size=\"10\">",
				y + 4 + 16 * lines);
		if (f)
			fprintf(f, "%.*s</text>\n", (int)cut, text);
		lines++;
		text += cut;
		text += strspn(text, " ");
	}
	return lines;
}

/* The kernel half as its regions: as tall as their boxes, highest first. */
static int kernel_height(const struct vmviz_khalf *h)
{
	int i, height = 0;

	for (i = 0; i < h->nreg; i++)
		height += size_height(h->reg[i].last - h->reg[i].start);
	return height;
}

/*
 * Its regions as boxes from @y down, their heights as the other boxes'
 * (the logarithm of the size), each labelled with its name, size and the
 * bytes its leaves map; the gaps between them dashed, "unused".
 */
static void svg_kernel(FILE *f, const struct vmviz_khalf *h, int y, const char *total)
{
	char size[16], mapped[16];
	int i, mid = y + kernel_height(h) / 2;

	/* A bracket at the right: all of them are the kernel half. */
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n",
		SVG_LEFT + SVG_BOX + 8, y + 2, SVG_LEFT + SVG_BOX + 8, y + kernel_height(h) - 2);
	fprintf(f, "<text x=\"%d\" y=\"%d\">kernel half: %s</text>\n", SVG_LEFT + SVG_BOX + 14,
		mid - 4, total);
	fprintf(f, "<text x=\"%d\" y=\"%d\">(no user access)</text>\n", SVG_LEFT + SVG_BOX + 14,
		mid + 10);

	for (i = h->nreg - 1; i >= 0; i--) {
		const struct vmviz_kregion *k = &h->reg[i];
		int ht = size_height(k->last - k->start);
		bool unused = kregion_unused(k);

		vmviz_human_size((unsigned long long)(k->last - k->start) + 1, size, sizeof(size));
		fprintf(f, "<text x=\"10\" y=\"%d\" fill=\"#333333\">%016lx</text>\n", y + 4,
			i == h->nreg - 1 ? k->last : h->reg[i + 1].start);
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" ",
			SVG_LEFT, y, SVG_BOX, ht);
		fprintf(f, "fill=\"%s\" stroke=\"#333333\"%s/>\n",
			unused ? "#ffffff" : k->mapped ? KREGION_FILL : KREGION_EMPTY,
			unused ? " stroke-dasharray=\"4 3\"" : "");
		fprintf(f, "<text x=\"%d\" y=\"%d\">", SVG_LEFT + 6, y + ht / 2 + 4);
		if (unused) {
			fprintf(f, "unused (%s)</text>\n", size);
			y += ht;
			continue;
		}
		fprintf(f, "kernel ");
		vmviz_xml_str(f, k->name);
		fprintf(f, " (%s, ", size);
		if (k->skip[0]) {
			fprintf(f, "skipped: ");
			vmviz_xml_str(f, k->skip);
		} else {
			vmviz_human_size(k->mapped, mapped, sizeof(mapped));
			fprintf(f, "%s mapped", mapped);
			if (h->pti) {
				vmviz_human_size(k->user_mapped, mapped, sizeof(mapped));
				fprintf(f, "; %s in user mode's copy", mapped);
			}
		}
		fprintf(f, ")</text>\n");
		y += ht;
	}
}

static void svg_legend_item(FILE *f, int *x, int *y, const char *fill, const char *what)
{
	int w = 30 + 7 * (int)strlen(what);

	if (*x + w > SVG_WIDTH - 10) {
		*x = 10;
		*y += 18;
	}
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"12\" ", *x, *y - 10);
	fprintf(f, "fill=\"%s\" stroke=\"#333333\"/>", fill);
	fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n", *x + 18, *y, what);
	*x += w;
}

static void svg_bar(FILE *f, int x, int y, int w, const char *fill)
{
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"10\" fill=\"%s\"/>\n",
		x, y, w, fill);
}

/* An address at the left of a strip row. */
static void svg_axis(FILE *f, unsigned long y, unsigned long addr, const char *what)
{
	fprintf(f, "<text x=\"10\" y=\"%lu\" font-size=\"9\" fill=\"#333333\">", y);
	fprintf(f, "%016lx%s</text>\n", addr, what);
}

/**
 * vmviz_print_svg - the address-space picture as SVG
 * @r: the report
 * @f: where to
 * @strip_addr: draw a strip of the pages of the VMA holding this address;
 *	0 for none. A cell is one 4K page, or, for VMAs of more than
 *	STRIP_MAX pages, an equal share of the VMA coloured by what covers
 *	most of it; the strip says which, and its rows carry their address.
 * @all: a box per VMA, nothing folded
 * @o: the filters: only the VMAs they take are drawn, the others are in
 *	dashed gaps that say how many; none taken is said in the picture
 *	and on standard error
 *
 * Box heights grow with the logarithm of the size (the hole is 2^17 times
 * the user half: a linear scale shows nothing); each VMA box has a bar of
 * the share of its pages in RAM and in swap. The legend names every
 * colour drawn.
 */
void vmviz_print_svg(struct vmviz_report *r, FILE *f, unsigned long strip_addr, bool all,
		     const struct vmviz_out *o)
{
	const struct vmviz_vma *sv;
	unsigned long npages = 0, ncells = 0, per_cell = 1;
	struct region *rs = NULL;
	struct vmviz_khalf *kh = NULL;
	int n = 0, i, height, strip_rows = 0, y, x, from = 0, drawn = 0;
	bool filtering = r->has_mm && vmviz_filtering(&o->filter);
	char size[16], res[16], swp[16], when[64], words[4600], gap[64];

	read_for_strip(r, strip_addr);
	sv = strip_addr ? vmviz_vma_at(r, strip_addr) : NULL;

	if (r->has_mm) {
		n = regions(r, &rs, all, &o->filter, &drawn);
		kh = kernel_half(r);
	}
	if (sv) {
		npages = (sv->end - sv->start) >> 12;
		per_cell = (npages + STRIP_MAX - 1) / STRIP_MAX;
		ncells = (npages + per_cell - 1) / per_cell;
		strip_rows = (ncells + STRIP_COLS - 1) / STRIP_COLS;
	}
	height = 90;
	for (i = 0; i < n; i++)
		height += rs[i].kind == REGION_KERNEL && kh ? kernel_height(kh) :
			  row_height(&rs[i]);
	height += 30;
	if (kh) {
		kernel_words(r, kh, SINK_XML, words, sizeof(words));
		height += 16 * svg_lines(NULL, 0, words) + 18;	/* its words, its legend row */
	}
	if (filtering)
		height += drawn ? 20 : 44;
	height += 110;		/* legend */
	if (sv)
		height += 60 + strip_rows * STRIP_CELL + 40;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\">\n",
		SVG_WIDTH, height, SVG_WIDTH, height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"10\" y=\"20\" font-size=\"14\">pid %d (", r->pid);
	vmviz_xml_str(f, r->comm);
	fprintf(f, "), ");
	vmviz_xml_str(f, r->kind);
	fprintf(f, ", %d-level paging, mm ", r->levels);
	vmviz_xml_str(f, r->mm_id);
	fprintf(f, "</text>\n");
	vmviz_format_time(&r->time, when, sizeof(when));
	fprintf(f, "<text x=\"10\" y=\"38\" fill=\"#555555\">kernel ");
	vmviz_xml_str(f, r->kernel_release);
	fprintf(f, ", boot ");
	vmviz_xml_str(f, r->boot_id);
	fprintf(f, ", read %s</text>\n", when);
	fprintf(f, "<text x=\"10\" y=\"54\" fill=\"#555555\">");
	fprintf(f, "high addresses at the top; box heights grow with the logarithm of the size");
	fprintf(f, "</text>\n");
	y = 66;
	if (kh)
		y += 16 * svg_lines(f, y, words);
	if (filtering) {
		fprintf(f, "<text x=\"10\" y=\"%d\" fill=\"#555555\">", y + 4);
		fprintf(f, "drawn: %d of %d %s, those matching", drawn, r->nvmas,
			vmviz_plural(r->nvmas, "VMA", "VMAs"));
		vmviz_xml_str(f, vmviz_filter_words(o, words, sizeof(words)));
		fprintf(f, "; dashed gaps say how many the filter hid</text>\n");
		y += 20;
	}
	if (filtering && !drawn) {
		vmviz_none_words(o, "VMA", words, sizeof(words));
		warnx("%s", words);
		fprintf(f, "<text x=\"10\" y=\"%d\" font-size=\"13\">", y + 12);
		vmviz_xml_str(f, words);
		fprintf(f, "</text>\n");
		y += 24;
	}
	if (!r->has_mm) {
		fprintf(f, "<text x=\"10\" y=\"%d\" font-size=\"13\">", y + 14);
		fprintf(f, "no address space: ");
		vmviz_xml_str(f, r->kind);
		fprintf(f, " has no mm ");
		fprintf(f, "(a kernel thread, or a task that exited)");
		fprintf(f, ": nothing to draw</text>\n");
		y += 30;
	}
	for (i = 0; i < n; i++) {
		const struct region *g = &rs[i];
		int h = row_height(g);
		const char *fill;

		if (g->kind == REGION_KERNEL && kh) {
			vmviz_human_size((unsigned long long)(g->last - g->start) + 1, size,
					 sizeof(size));
			svg_kernel(f, kh, y, size);
			y += kernel_height(kh);
			continue;
		}
		fill = g->kind == REGION_VMA ? seg_fill(g->vma->seg) :
		       g->kind == REGION_GAP ? "#ffffff" : "#bbbbbb";

		vmviz_human_size((unsigned long long)(g->last - g->start) + 1, size,
				 sizeof(size));
		fprintf(f, "<text x=\"10\" y=\"%d\" fill=\"#333333\">%016lx</text>\n", y + 4,
			i ? rs[i - 1].start : g->last);
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" ",
			SVG_LEFT, y, SVG_BOX, h);
		fprintf(f, "fill=\"%s\" stroke=\"#333333\"%s/>\n", fill,
			g->kind == REGION_GAP ? " stroke-dasharray=\"4 3\"" : "");
		fprintf(f, "<text x=\"%d\" y=\"%d\">", SVG_LEFT + 6, y + h / 2 + 4);
		if (g->kind == REGION_VMA) {
			unsigned long pages = g->mapped >> 12;
			int wr = bar_width(g->present, pages);
			int ws = bar_width(g->swapped, pages);

			if (wr + ws > SVG_BAR)
				ws = SVG_BAR - wr;
			vmviz_human_size((unsigned long long)g->present * 4096, res, sizeof(res));
			vmviz_human_size((unsigned long long)g->swapped * 4096, swp, sizeof(swp));
			if (g->nvmas > 1) {
				/* Mapped bytes, and the span with its gaps apart. */
				vmviz_human_size(g->mapped, size, sizeof(size));
				fprintf(f, "%d VMAs: ", g->nvmas);
			}
			vmviz_xml_str(f, g->vma->seg);
			fputc(' ', f);
			vmviz_xml_str(f, g->nvmas > 1 && g->vma2 ? "mix" : g->vma->perm);
			fputc(' ', f);
			vmviz_xml_str(f, g->vma->name);
			fprintf(f, " (%s%s, %s in RAM, %s in swap", size,
				g->nvmas > 1 ? " mapped" : "", res, swp);
			if (g->nvmas > 1 && g->mapped != g->last - g->start + 1) {
				vmviz_human_size((unsigned long long)(g->last - g->start) + 1, size,
						 sizeof(size));
				fprintf(f, "; a span of %s with the gaps", size);
			}
			fprintf(f, ")</text>\n");
			x = SVG_LEFT + SVG_BOX + 10;
			svg_bar(f, x, y + h / 2 - 5, SVG_BAR, "#eeeeee\" stroke=\"#999999");
			if (wr)
				svg_bar(f, x, y + h / 2 - 5, wr, "#40b040");
			if (ws)
				svg_bar(f, x + wr, y + h / 2 - 5, ws, "#f0a040");
		} else {
			gap_words(g, gap, sizeof(gap), sizeof(gap));
			fprintf(f, "%s (%s)</text>\n", g->kind == REGION_KERNEL ? "kernel half" :
				g->kind == REGION_HOLE ? "canonical hole" : g->nvmas ? gap :
				g->high ? "unmapped, above mmap_window" : "unmapped", size);
		}
		y += h;
	}
	if (n)
		fprintf(f, "<text x=\"10\" y=\"%d\" fill=\"#333333\">%016lx</text>\n", y + 4, 0UL);

	/* The legend: every colour drawn above and below. */
	y += 30;
	x = 10;
	fprintf(f, "<text x=\"10\" y=\"%d\" font-size=\"12\">legend</text>\n", y);
	y += 18;
	for (i = 0; i < (int)ARRAY_SIZE(seg_order); i++)
		svg_legend_item(f, &x, &y, seg_fill(seg_order[i]), seg_order[i]);
	svg_legend_item(f, &x, &y, "#dddddd", "other VMA");
	svg_legend_item(f, &x, &y, "#bbbbbb", "kernel half, hole");
	svg_legend_item(f, &x, &y, "#ffffff", filtering ? "unmapped, or VMAs hidden" : "unmapped");
	if (kh) {
		x = 10;
		y += 18;
		svg_legend_item(f, &x, &y, KREGION_FILL, "kernel region");
		svg_legend_item(f, &x, &y, KREGION_EMPTY, "kernel region, nothing mapped");
		svg_legend_item(f, &x, &y, "#ffffff", "unused");
	}
	x = 10;
	y += 18;
	svg_legend_item(f, &x, &y, "#40b040", "bar: share of pages in RAM");
	svg_legend_item(f, &x, &y, "#f0a040", "in swap");
	svg_legend_item(f, &x, &y, "#eeeeee", "neither");
	if (sv) {
		x = 10;
		y += 18;
		for (i = 0; i < STRIP_KINDS; i++)
			svg_legend_item(f, &x, &y, strip_colors[i].fill, strip_colors[i].what);
	}
	if (sv) {
		unsigned long k;

		y += 36;
		fprintf(f, "<text x=\"10\" y=\"%d\">pages of %016lx-%016lx ", y, sv->start,
			sv->end);
		vmviz_xml_str(f, sv->name);
		if (per_cell == 1)
			fprintf(f, ": one cell a 4K page, %lu %s</text>\n", npages,
				vmviz_plural(npages, "page", "pages"));
		else
			fprintf(f, ": one cell %lu pages (%lu in all), %s</text>\n", per_cell,
				npages, "coloured by what covers most of it");
		y += 10;
		for (k = 0; k < ncells; k++) {
			unsigned long cs = sv->start + (k * per_cell << 12);
			unsigned long ce = cs + (per_cell << 12);

			if (ce > sv->end)
				ce = sv->end;
			if (!(k % STRIP_COLS))
				svg_axis(f, y + (k / STRIP_COLS) * STRIP_CELL + 8, cs, "");
			fprintf(f, "<rect x=\"%lu\" y=\"%lu\" ",
				SVG_LEFT + (k % STRIP_COLS) * STRIP_CELL,
				y + (k / STRIP_COLS) * STRIP_CELL);
			fprintf(f, "width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", STRIP_CELL - 1,
				STRIP_CELL - 1, strip_colors[cell_kind(r, &from, cs, ce)].fill);
		}
		svg_axis(f, y + strip_rows * STRIP_CELL + 12, sv->end, " (end)");
	}
	fprintf(f, "</svg>\n");
	free(rs);
	free(kh);
}
