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

/* One box of the picture: a half, the hole, a gap or a VMA. */
struct region {
	enum region_kind kind;
	unsigned long start, last;	/* inclusive: the kernel half ends at 2^64 */
	const struct vmviz_vma *vma;
	const char *label;		/* segment name, on its first box */
	bool high;			/* a gap above mmap_window */
};

static void push(struct region **rs, int *n, enum region_kind kind, unsigned long start,
		 unsigned long last, const struct vmviz_vma *vma)
{
	struct region *r;

	if (!(*n & 63)) {
		*rs = realloc(*rs, sizeof(**rs) * (*n + 64));
		if (!*rs)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
	}
	r = &(*rs)[(*n)++];
	r->kind = kind;
	r->start = start;
	r->last = last;
	r->vma = vma;
	r->label = NULL;
	r->high = false;
}

/*
 * A gap; with 5-level paging, the part above mmap_window apart: mmap()
 * hands out addresses there only when asked with a hint above it.
 */
static void push_gap(const struct vmviz_report *r, struct region **rs, int *n,
		     unsigned long start, unsigned long last)
{
	unsigned long window = r->mmap_window;

	if (r->levels == 5 && window > start && window - 1 < last) {
		push(rs, n, REGION_GAP, window, last, NULL);
		(*rs)[*n - 1].high = true;
		last = window - 1;
	}
	push(rs, n, REGION_GAP, start, last, NULL);
}

/* The boxes, highest first: kernel half, hole, then VMAs and gaps. */
static int regions(const struct vmviz_report *r, struct region **rs)
{
	unsigned long top = r->user.end;
	const char *prev_seg = NULL;
	int n = 0, i;

	*rs = NULL;
	push(rs, &n, REGION_KERNEL, r->kernel.start, r->kernel.end, NULL);
	push(rs, &n, REGION_HOLE, r->hole.start, r->hole.end, NULL);
	for (i = r->nvmas - 1; i >= 0; i--) {
		const struct vmviz_vma *v = &r->vmas[i];

		if (v->end - 1 < top)
			push_gap(r, rs, &n, v->end, top);
		push(rs, &n, REGION_VMA, v->start, v->end - 1, v);
		if (!prev_seg || strcmp(prev_seg, v->seg))
			(*rs)[n - 1].label = v->seg;
		prev_seg = v->seg;
		top = v->start - 1;
		if (!v->start)
			return n;
	}
	push_gap(r, rs, &n, 0, top);
	return n;
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

#define BOX_WIDTH	60

static void border(FILE *f, unsigned long addr, const char *edge)
{
	int i;

	fprintf(f, "  %016lx %s", addr, edge);
	for (i = 0; i < BOX_WIDTH; i++)
		fputc('-', f);
	fprintf(f, "%s\n", edge);
}

/* A name that fits: its tail, which says most for a path. */
static void fit(const char *name, char *buf, size_t width)
{
	size_t len = strlen(name);

	if (len <= width)
		snprintf(buf, width + 1, "%s", name);
	else
		snprintf(buf, width + 1, "...%s", name + len - (width - 3));
}

static void box_row(FILE *f, const struct region *g, bool color)
{
	const char *side = g->kind == REGION_GAP ? ":" : "|";
	const char *ansi = NULL;
	char text[BOX_WIDTH + 32], name[40], size[16], res[16];

	vmviz_human_size((unsigned long long)(g->last - g->start) + 1, size, sizeof(size));
	switch (g->kind) {
	case REGION_KERNEL:
		snprintf(text, sizeof(text), " %-45s %12s ", "kernel half (no user access)", size);
		ansi = "2";
		break;
	case REGION_HOLE:
		snprintf(text, sizeof(text), " %-45s %12s ", "canonical hole (no valid address)",
			 size);
		ansi = "2";
		break;
	case REGION_GAP:
		snprintf(text, sizeof(text), " %-45s %12s ", g->high ?
			 "unmapped, above mmap_window (hint needed)" : "unmapped", size);
		ansi = "2";
		break;
	case REGION_VMA:
		fit(g->vma->name, name, 32);
		vmviz_human_size((unsigned long long)g->vma->present * 4096, res, sizeof(res));
		snprintf(text, sizeof(text), " %-32s %-4s %7s %7s %5s ", name, g->vma->perm,
			 size, res, g->vma->swapped ? "swap" : "");
		ansi = seg_color(g->vma->seg);
		break;
	}
	fprintf(f, "  %16s %s", g->label ? g->label : "", side);
	if (color && ansi)
		fprintf(f, "\033[%sm%-*.*s\033[0m", ansi, BOX_WIDTH, BOX_WIDTH, text);
	else
		fprintf(f, "%-*.*s", BOX_WIDTH, BOX_WIDTH, text);
	fprintf(f, "%s\n", side);
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
	"start_code..end_code: the program's instructions",
	"start_data..end_data: initialised global variables",
	"end_data..: zero-initialised globals (BSS)",
	"start_brk..brk: the heap grown by brk() (malloc)",
	"libraries, mapped files and anonymous mmap()s",
	"the main thread's stack",
	"argument strings (argv), top of the stack",
	"environment strings, top of the stack",
	"kernel code mapped for fast system calls",
	"kernel data the vDSO reads (clocks)",
};

static const char *const counter_help[VMVIZ_NCOUNTERS] = {
	"mapped in all, resident or not (VmSize)",
	"locked in RAM with mlock(), never swapped (VmLck)",
	"pinned for devices: RDMA, io_uring, vfio (VmPin)",
	"private writable, not stack: data, heap, anonymous (VmData)",
	"executable, not writable: code of program and libraries",
	"stack (VmStk)",
	"resident pages of files (RssFile)",
	"resident anonymous pages (RssAnon)",
	"resident shared memory and tmpfs (RssShmem)",
	"pages in swap (VmSwap)",
};

/**
 * vmviz_print_overview - identity, the picture, the segments and counters
 * @r: the report
 * @f: where to
 * @color: ANSI colours by segment
 */
void vmviz_print_overview(const struct vmviz_report *r, FILE *f, bool color)
{
	struct region *rs;
	char size[16];
	int n, i;

	fprintf(f, "pid %d (%s): %s, %s", r->pid, r->comm, kind_words(r), state_words(r->state));
	if (r->pid != r->tgid)
		fprintf(f, ", in thread group %d", r->tgid);
	fputc('\n', f);
	if (!r->has_mm) {
		fprintf(f, "no address space: mm none (a kernel thread or a task that exited)\n");
		fprintf(f, "%d-level paging: user half %016lx-%016lx, kernel half from %016lx\n",
			r->levels, r->user.start, r->user.end, r->kernel.start);
		return;
	}
	fprintf(f, "mm %s: used by %d task%s (mm_users), %d reference%s (mm_count)%s\n",
		r->mm_id, r->users, r->users == 1 ? "" : "s", r->count,
		r->count == 1 ? "" : "s",
		strcmp(r->mm_id, r->active_id) ? "; running on another mm" : "");
	fprintf(f, "%d-level paging (%d-bit addresses), %luK pages, ", r->levels,
		r->levels == 5 ? 57 : 48, r->page_size / 1024);
	fprintf(f, "%s mmap layout, mmap_base %016lx\n", r->layout, r->mmap_base);
	fprintf(f, "%d VMAs, %d page-table runs\n\n", r->nvmas, r->npages);

	fprintf(f, "  %16s  %-32s %-4s %7s %7s\n", "", "VMA", "PERM", "SIZE", "IN RAM");
	n = regions(r, &rs);
	for (i = 0; i < n; i++) {
		const struct region *g = &rs[i];

		border(f, i ? rs[i - 1].start : g->last, "+");
		box_row(f, g, color);
	}
	border(f, 0, "+");
	free(rs);

	fprintf(f, "\nSegments (from the mm_struct):\n");
	for (i = 0; i < VMVIZ_NSEGS; i++) {
		const struct vmviz_range *s = &r->segs[i];

		if (!s->start && !s->end) {
			fprintf(f, "  %-6s %-33s %7s  %s\n", vmviz_seg_names[i], "none", "",
				seg_help[i]);
			continue;
		}
		vmviz_human_size(s->end - s->start, size, sizeof(size));
		fprintf(f, "  %-6s %016lx-%016lx %7s  %s\n", vmviz_seg_names[i], s->start,
			s->end, size, seg_help[i]);
	}
	fprintf(f, "\nCounters (pages of %luK):\n", r->page_size / 1024);
	for (i = 0; i < VMVIZ_NCOUNTERS; i++) {
		vmviz_human_size((unsigned long long)r->counters[i] * r->page_size, size,
				 sizeof(size));
		fprintf(f, "  %-9s %8lu %7s  %s\n", vmviz_counter_names[i], r->counters[i],
			size, counter_help[i]);
	}
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

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
				fputc(*s, f);
			else
				fputc('?', f);
		}
	}
}

/* The colour of one 4K page in the strip. */
static const char *page_fill(const struct vmviz_report *r, unsigned long addr)
{
	const struct vmviz_page *p = NULL;
	int i;

	for (i = 0; i < r->npages; i++)
		if (r->pages[i].start <= addr && addr < r->pages[i].end) {
			p = &r->pages[i];
			break;
		}
	if (!p)
		return "#eeeeee";
	if (!strcmp(p->state, "swap"))
		return "#f0a040";
	if (strcmp(p->state, "present"))
		return "#404040";
	if (p->flags[10] != 'N')
		return "#d04040";
	if (p->flags[1] == 'W')
		return p->entry_size > 4096 ? "#207020" : "#40b040";
	return p->entry_size > 4096 ? "#203f90" : "#4070d0";
}

#define SVG_ROW		26
#define SVG_LEFT	170
#define SVG_BOX		520
#define STRIP_COLS	64
#define STRIP_CELL	9
#define STRIP_MAX	(64 * 64)

/**
 * vmviz_print_svg - the address-space picture as SVG
 * @r: the report
 * @f: where to
 * @strip_addr: draw a strip of per-page cells for the VMA holding this
 *	address (its first STRIP_MAX pages); 0 for none
 *
 * Boxes are one per region, all the same height: the address space is far
 * too sparse for a linear scale; sizes are written in the boxes.
 */
void vmviz_print_svg(const struct vmviz_report *r, FILE *f, unsigned long strip_addr)
{
	const struct vmviz_vma *sv = strip_addr ? vmviz_vma_at(r, strip_addr) : NULL;
	unsigned long npages = 0;
	struct region *rs = NULL;
	int n = 0, i, height, strip_rows = 0, y;
	char size[16], res[16];

	if (r->has_mm)
		n = regions(r, &rs);
	if (sv) {
		npages = (sv->end - sv->start) >> 12;
		if (npages > STRIP_MAX)
			npages = STRIP_MAX;
		strip_rows = (npages + STRIP_COLS - 1) / STRIP_COLS;
	}
	height = 70 + (n + 1) * SVG_ROW + (sv ? 60 + strip_rows * STRIP_CELL : 0);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\">\n",
		SVG_LEFT + SVG_BOX + 20, height, SVG_LEFT + SVG_BOX + 20, height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"10\" y=\"20\" font-size=\"14\">pid %d (", r->pid);
	xml_text(f, r->comm);
	fprintf(f, "), %s, %d-level paging, mm %s</text>\n", r->kind, r->levels, r->mm_id);
	fprintf(f, "<text x=\"10\" y=\"38\" fill=\"#555555\">");
	fprintf(f, "high addresses at the top; boxes not to scale</text>\n");
	y = 50;
	for (i = 0; i < n; i++, y += SVG_ROW) {
		const struct region *g = &rs[i];
		const char *fill = g->kind == REGION_VMA ? seg_fill(g->vma->seg) :
				   g->kind == REGION_GAP ? "#ffffff" : "#bbbbbb";

		vmviz_human_size((unsigned long long)(g->last - g->start) + 1, size,
				 sizeof(size));
		fprintf(f, "<text x=\"10\" y=\"%d\" fill=\"#333333\">%016lx</text>\n", y + 4,
			i ? rs[i - 1].start : g->last);
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" ",
			SVG_LEFT, y, SVG_BOX, SVG_ROW);
		fprintf(f, "fill=\"%s\" stroke=\"#333333\"%s/>\n", fill,
			g->kind == REGION_GAP ? " stroke-dasharray=\"4 3\"" : "");
		fprintf(f, "<text x=\"%d\" y=\"%d\">", SVG_LEFT + 6, y + 17);
		if (g->kind == REGION_VMA) {
			vmviz_human_size((unsigned long long)g->vma->present * 4096, res,
					 sizeof(res));
			fprintf(f, "%s %s ", g->vma->seg, g->vma->perm);
			xml_text(f, g->vma->name);
			fprintf(f, " (%s, %s in RAM)", size, res);
		} else {
			fprintf(f, "%s (%s)", g->kind == REGION_KERNEL ? "kernel half" :
				g->kind == REGION_HOLE ? "canonical hole" : "unmapped", size);
		}
		fprintf(f, "</text>\n");
	}
	if (n)
		fprintf(f, "<text x=\"10\" y=\"%d\" fill=\"#333333\">%016lx</text>\n", y + 4, 0UL);
	if (sv) {
		unsigned long k;

		y += 30;
		fprintf(f, "<text x=\"10\" y=\"%d\">pages of %016lx-%016lx ", y,
			sv->start, sv->end);
		xml_text(f, sv->name);
		fprintf(f, ": green rw, blue r, red x, orange swap, grey none</text>\n");
		y += 10;
		for (k = 0; k < npages; k++) {
			fprintf(f, "<rect x=\"%lu\" y=\"%lu\" ", 10 + (k % STRIP_COLS) * STRIP_CELL,
				y + (k / STRIP_COLS) * STRIP_CELL);
			fprintf(f, "width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", STRIP_CELL - 1,
				STRIP_CELL - 1, page_fill(r, sv->start + (k << 12)));
		}
	}
	fprintf(f, "</svg>\n");
	free(rs);
}
