// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: "vmviz kernel", the kernel half of the address space
 * (/proc/vmviz/kernel, or a saved copy: docs/FORMAT.md, "The kernel half"):
 * its regions and their merged leaves, the two PTI copies side by side.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmviz.h"

#define KERNEL_FILE	VMVIZ_DIR "/kernel"
#define KMAX_REGIONS	64	/* per copy; the module makes at most 32 */

/* A page line: a run of present leaves. */
struct kline {
	int copy;			/* 0 the kernel's PGD, 1 PTI's user copy */
	int region;			/* its index in its copy */
	int level;			/* 0 pte, 1 pmd, 2 pud */
	unsigned long start, end;	/* end 0: 2^64 */
	unsigned long count, pfn;
	char flags[12], eff[12];
	bool wx;			/* a wx line followed it */
	bool matched;			/* the other copy has the same line */
};

struct kregion {
	char name[24];
	unsigned long start, end;	/* end 0: 2^64 */
	char skip[24];			/* why it was not read, or "" */
	unsigned long leaves[3], wx, unshown;	/* its sum line */
	bool summed;
};

struct khalf {
	const char *source;		/* the file read, for messages */
	char release[72];		/* as the file writes it (octal escapes kept) */
	char boot[64];
	unsigned int levels, pti;
	unsigned long half;
	struct kregion reg[2][KMAX_REGIONS];
	int nreg[2];
	struct kline *line;
	size_t nline, cap;
	unsigned long end_regions, end_lines, end_wx;
	bool ended;
	bool count_only;		/* keep only the last page line (the picture) */
};

static const char *const level_names[] = { "pte", "pmd", "pud" };
static const unsigned long level_size[] = { 1UL << 12, 1UL << 21, 1UL << 30 };

/* ffffffffffffffff ends a range at 2^64: kept as 0. */
static unsigned long end_of(unsigned long end)
{
	return end == ~0UL ? 0 : end;
}

static unsigned long range_bytes(unsigned long start, unsigned long end)
{
	return end - start;	/* end 0 wraps to 2^64 - start */
}

/*
 * The format's one validator: every line against its documented fields;
 * a line that is none of them ends the read with its number.
 */
#define KBAD(k, n, what)						\
	vmviz_die(VMVIZ_EXIT_FORMAT, "%s: line %d: %s", (k)->source, (n), (what))

/* Is @s a hex range START-END of 16 digits each? */
static bool parse_range16(const char *s, unsigned long *start, unsigned long *end)
{
	char a[17], b[17], tail;

	if (sscanf(s, "%16[0-9a-f]-%16[0-9a-f]%c", a, b, &tail) != 2 ||
	    strlen(a) != 16 || strlen(b) != 16)
		return false;
	*start = strtoul(a, NULL, 16);
	*end = end_of(strtoul(b, NULL, 16));
	return !*end || *end > *start;
}

static bool flags_ok(const char *f)
{
	return strlen(f) == 11 && strspn(f, "PWUTCADHGMN-") == 11;
}

static bool name_ok(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz_0123456789-") == strlen(s);
}

static void add_line(struct khalf *k, const struct kline *l)
{
	if (k->count_only && k->cap) {
		/* The regions' sums are all the picture needs: count, keep the last. */
		k->line[0] = *l;
		k->nline++;
		return;
	}
	if (k->nline == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 256;
		struct kline *n = realloc(k->line, cap * sizeof(*n));

		if (!n)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
		k->line = n;
		k->cap = cap;
	}
	k->line[k->nline++] = *l;
}

static void parse_line(struct khalf *k, char *buf, int n, int *copy)
{
	char w[6][64], tail;
	unsigned long a, b, c, d, e;
	struct kregion *r, *prev;

	if (n == 1) {
		if (strcmp(buf, "vmviz-kernel 1"))
			vmviz_die(VMVIZ_EXIT_FORMAT,
				  "%s: not a kernel-half file of format 1 (first line: vmviz-kernel 1)",
				  k->source);
		return;
	}
	if (!strncmp(buf, "report ", 7)) {
		if (sscanf(buf, "report kernel %71s boot %63s time %63s boottime %63s%c",
			   k->release, k->boot, w[1], w[2], &tail) != 4)
			KBAD(k, n, "not 'report kernel RELEASE boot ID time S.N boottime S.N'");
		return;
	}
	if (!strncmp(buf, "geometry ", 9)) {
		if (sscanf(buf, "geometry levels %u pti %u half %63s%c", &k->levels, &k->pti,
			   w[0], &tail) != 3 || (k->levels != 4 && k->levels != 5) ||
		    k->pti > 1 || !parse_range16(w[0], &k->half, &a) || a)
			KBAD(k, n, "not 'geometry levels 4|5 pti 0|1 half START-END'");
		return;
	}
	if (!strncmp(buf, "pgd ", 4)) {
		if (!strcmp(buf, "pgd kernel") && *copy == -1)
			*copy = 0;
		else if (!strcmp(buf, "pgd user") && *copy == 0 && k->pti)
			*copy = 1;
		else
			KBAD(k, n, "'pgd kernel' comes first, then 'pgd user' with PTI");
		return;
	}
	if (*copy < 0)
		KBAD(k, n, "a line before 'pgd kernel'");
	if (!strncmp(buf, "region ", 7)) {
		int m = sscanf(buf, "region %23s %63s size %63s skip %23s%c", w[0], w[1], w[2],
			       w[3], &tail);

		if (k->nreg[*copy] == KMAX_REGIONS)
			KBAD(k, n, "more regions than a kernel half has");
		prev = k->nreg[*copy] ? &k->reg[*copy][k->nreg[*copy] - 1] : NULL;
		if (prev && !prev->summed)
			KBAD(k, n, "a region before the sum line of the one before");
		r = &k->reg[*copy][k->nreg[*copy]];
		memset(r, 0, sizeof(*r));
		if ((m != 3 && m != 4) || !name_ok(w[0]) ||
		    !parse_range16(w[1], &r->start, &r->end) || (m == 4 && !name_ok(w[3])))
			KBAD(k, n, "not 'region NAME START-END size SIZE [skip REASON]'");
		/* Regions tile the half: each starts where the one before ends. */
		if (r->start != (prev ? prev->end : k->half) || (prev && !prev->end))
			KBAD(k, n, "a region that does not start where the one before ends");
		snprintf(r->name, sizeof(r->name), "%s", w[0]);
		if (m == 4)
			snprintf(r->skip, sizeof(r->skip), "%s", w[3]);
		k->nreg[*copy]++;
		return;
	}
	if (!strncmp(buf, "sum ", 4)) {
		if (!k->nreg[*copy])
			KBAD(k, n, "a sum line before its region");
		r = &k->reg[*copy][k->nreg[*copy] - 1];
		if (sscanf(buf, "sum %23s pte %lu pmd %lu pud %lu wx %lu unshown %lu%c", w[0],
			   &a, &b, &c, &d, &e, &tail) != 6 || strcmp(w[0], r->name) || r->summed)
			KBAD(k, n, "not 'sum NAME pte N pmd N pud N wx N unshown N' of its region");
		r->leaves[0] = a, r->leaves[1] = b, r->leaves[2] = c;
		r->wx = d;
		r->unshown = e;
		r->summed = true;
		return;
	}
	if (!strncmp(buf, "wx ", 3)) {
		struct kline *l = !k->nline ? NULL : &k->line[k->count_only ? 0 : k->nline - 1];

		if (!l || sscanf(buf, "wx %63s pages %lu%c", w[0], &a, &tail) != 2 ||
		    !parse_range16(w[0], &b, &c) || b != l->start || c != l->end)
			KBAD(k, n, "a wx line is 'wx START-END pages N', after its page line");
		l->wx = true;
		return;
	}
	if (!strncmp(buf, "end ", 4)) {
		for (c = 0; c <= k->pti; c++)
			if (!k->nreg[c] || !k->reg[c][k->nreg[c] - 1].summed ||
			    k->reg[c][k->nreg[c] - 1].end)
				KBAD(k, n, "an end line before the regions reach 2^64, summed");
		if (sscanf(buf, "end regions %lu pagelines %lu wx %lu", &a, &b, &c) != 3)
			KBAD(k, n, "an end line is 'end regions N pagelines N wx N ...'");
		k->end_regions = a, k->end_lines = b, k->end_wx = c;
		k->ended = true;
		return;
	}
	if (!strncmp(buf, "  ", 2)) {
		struct kline l = { .copy = *copy, .region = k->nreg[*copy] - 1 };
		int lv;

		if (sscanf(buf, "  %3s %63s %lu %3s %11s %11s %lx%c", w[0], w[1], &l.count, w[2],
			   l.flags, l.eff, &l.pfn, &tail) != 7 || l.region < 0)
			KBAD(k, n, "not '  LEVEL START-END COUNT SIZE FLAGS EFFECTIVE PFN'");
		for (lv = 0; lv < 3 && strcmp(w[0], level_names[lv]); lv++)
			;
		r = &k->reg[*copy][l.region];
		if (lv == 3 || !parse_range16(w[1], &l.start, &l.end) || !l.count ||
		    !flags_ok(l.flags) || !flags_ok(l.eff) || l.start < r->start ||
		    (r->end && (!l.end || l.end > r->end)) || r->summed)
			KBAD(k, n, "a page line's level, range (in its region), count or flags");
		l.level = lv;
		add_line(k, &l);
		return;
	}
	KBAD(k, n, "not a line of the kernel-half format");
}

static void kernel_read(struct khalf *k, FILE *in)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int n = 0, copy = -1;

	while ((len = getline(&buf, &cap, in)) > 0) {
		n++;
		if (buf[len - 1] != '\n')
			KBAD(k, n, "a line without its newline: the file was cut");
		buf[len - 1] = '\0';
		if (strlen(buf) != (size_t)len - 1)
			KBAD(k, n, "a NUL byte");
		if (k->ended)
			KBAD(k, n, "a line after the end line");
		parse_line(k, buf, n, &copy);
	}
	if (ferror(in))
		err(VMVIZ_EXIT_FAILURE, "%s", k->source);
	free(buf);
	if (!n)
		vmviz_die(VMVIZ_EXIT_FORMAT, "%s: empty", k->source);
	if (!k->ended)
		vmviz_die(VMVIZ_EXIT_FORMAT, "%s: no end line: the file was cut", k->source);
	if ((unsigned long)(k->nreg[0] + k->nreg[1]) != k->end_regions ||
	    k->nline != k->end_lines || copy != (int)k->pti ||
	    (k->pti && k->nreg[0] != k->nreg[1]))
		vmviz_die(VMVIZ_EXIT_FORMAT,
			  "%s: the end line's counts are not the file's regions and page lines",
			  k->source);
}

/* Mark the page lines the two copies have alike (same range, level, flags). */
static void match_copies(struct khalf *k)
{
	size_t i, j = 0, u;

	for (u = 0; u < k->nline && !k->line[u].copy; u++)
		;
	/* Both copies' lines are in address order: one pass over each. */
	for (i = 0; i < u; i++) {
		struct kline *a = &k->line[i];

		while (u + j < k->nline && k->line[u + j].start < a->start)
			j++;
		if (u + j < k->nline) {
			struct kline *b = &k->line[u + j];

			if (b->start == a->start && b->end == a->end && b->level == a->level &&
			    !strcmp(b->flags, a->flags) && !strcmp(b->eff, a->eff)) {
				a->matched = true;
				b->matched = true;
			}
		}
	}
}

static void size_cell(const struct vmviz_out *o, unsigned long bytes, char *buf, size_t len)
{
	if (o->bytes)
		snprintf(buf, len, "%lu", bytes);
	else
		vmviz_human_size(bytes, buf, len);
}

/* Bytes the leaves of a region's sum map. */
static unsigned long mapped(const struct kregion *r)
{
	return r->leaves[0] * level_size[0] + r->leaves[1] * level_size[1] +
	       r->leaves[2] * level_size[2];
}

static void print_region(const struct khalf *k, int i, const struct vmviz_out *o)
{
	const struct kregion *r = &k->reg[0][i];
	const struct kregion *u = k->pti && i < k->nreg[1] ? &k->reg[1][i] : NULL;
	char size[32], km[32], um[32] = "", wx[32];
	size_t j;

	size_cell(o, range_bytes(r->start, r->end), size, sizeof(size));
	size_cell(o, mapped(r), km, sizeof(km));
	if (u)
		size_cell(o, mapped(u), um, sizeof(um));
	size_cell(o, (r->wx + (u ? u->wx : 0)) * level_size[0], wx, sizeof(wx));
	printf("%-15s %016lx %016lx %8s %9s", r->name, r->start, r->end ? r->end - 1 : ~0UL,
	       size, r->skip[0] ? "skipped" : km);
	if (k->pti)
		printf(" %9s", u && u->skip[0] ? "skipped" : um);
	printf(" %6s", r->wx || (u && u->wx) ? wx : "-");
	if (r->skip[0])
		printf("  (skip %s)", r->skip);
	putchar('\n');
	/* Its leaves: the kernel copy's, then those only the user copy has. */
	for (j = 0; j < k->nline; j++) {
		const struct kline *l = &k->line[j];
		char rs[32];
		const char *in;

		if (l->region != i || (l->copy && l->matched))
			continue;
		in = !k->pti ? "" : l->matched ? "both" : l->copy ? "user" : "kernel";
		size_cell(o, range_bytes(l->start, l->end), rs, sizeof(rs));
		printf("  %-3s %7lu x %s  %016lx %016lx %8s  %s %s %010lx %s%s\n",
		       level_names[l->level], l->count,
		       l->level == 2 ? "1G" : l->level ? "2M" : "4K", l->start,
		       l->end ? l->end - 1 : ~0UL, rs, l->flags, l->eff, l->pfn, in,
		       l->wx ? " W+X" : "");
	}
	if (r->unshown || (u && u->unshown)) {
		printf("  ... %lu more line%s not shown", r->unshown, r->unshown == 1 ? "" : "s");
		if (u)
			printf(" of the kernel copy, %lu of the user copy", u->unshown);
		printf(" (%s)\n", r->name);
	}
}

/**
 * vmviz_kernel - "vmviz kernel": read and print the kernel half
 * @path: a saved /proc/vmviz/kernel, or NULL for the live file
 * @o: --bytes (sizes in bytes), --noheadings (no prose, no headings)
 */
int vmviz_kernel(const char *path, const struct vmviz_out *o)
{
	struct khalf k = { .source = path ? path : KERNEL_FILE };
	char rel[160], total[32];
	unsigned long wx = 0;
	FILE *in;
	int i;

	in = path && !strcmp(path, "-") ? stdin : fopen(k.source, "r");
	if (!in) {
		if (!path && errno == ENOENT)
			vmviz_die(VMVIZ_EXIT_NOMODULE, "%s does not exist: %s", KERNEL_FILE,
				  access(VMVIZ_DIR, F_OK) ? "the vmviz module is not loaded" :
				  "this vmviz module has no kernel half");
		if (!path && (errno == EPERM || errno == EACCES))
			vmviz_die(VMVIZ_EXIT_PERM,
				  "%s: permission denied (CAP_SYS_ADMIN, and real addresses in /proc/kallsyms: kernel.kptr_restrict)",
				  KERNEL_FILE);
		err(VMVIZ_EXIT_FAILURE, "%s", k.source);
	}
	kernel_read(&k, in);
	if (in != stdin)
		fclose(in);
	match_copies(&k);

	for (i = 0; i < k.nreg[0]; i++)
		wx += k.reg[0][i].wx;
	for (i = 0; i < k.nreg[1]; i++)
		wx += k.reg[1][i].wx;
	if (!o->noheadings) {
		printf("The kernel half %016lx-%016lx of kernel %s: %u-level paging, %s\n",
		       k.half, ~0UL, vmviz_esc(k.release, rel, sizeof(rel)), k.levels,
		       k.pti ? "PTI (the kernel's PGD and the user copy side by side)" : "no PTI");
		printf("%-15s %-16s %-16s %8s %9s", "REGION", "START", "LAST", "SIZE",
		       k.pti ? "KERNEL" : "MAPPED");
		if (k.pti)
			printf(" %9s", "USER");
		printf(" %6s\n", "W+X");
	}
	for (i = 0; i < k.nreg[0]; i++)
		print_region(&k, i, o);
	if (!o->noheadings) {
		size_cell(o, wx * level_size[0], total, sizeof(total));
		printf("W+X: %s\n", wx ? total : "none");
	}
	free(k.line);
	return VMVIZ_EXIT_OK;
}

/**
 * vmviz_kernel_regions - the kernel half's regions, for the overview and svg
 * @path: a saved kernel-half file ("-": standard input), or NULL for
 *	/proc/vmviz/kernel, the half as this reader's page tables hold it
 * @h: filled with the regions of the kernel's PGD and their mapped bytes
 *
 * Read by the one validator above: a malformed or cut file ends the
 * program with its line (exit 6), as "vmviz kernel" does. Returns false,
 * @h untouched, only when @path is NULL and the live file cannot be opened
 * (no module, a module without it, or refused: CAP_SYS_ADMIN and kptr_restrict).
 */
bool vmviz_kernel_regions(const char *path, struct vmviz_khalf *h)
{
	struct khalf *k = calloc(1, sizeof(*k));
	FILE *in;
	int i;

	if (!k)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	k->source = path ? path : KERNEL_FILE;
	k->count_only = true;
	in = path && !strcmp(path, "-") ? stdin : fopen(k->source, "r");
	if (!in) {
		free(k);
		if (!path)
			return false;
		err(VMVIZ_EXIT_FAILURE, "%s", path);
	}
	kernel_read(k, in);
	if (in != stdin)
		fclose(in);
	memset(h, 0, sizeof(*h));
	snprintf(h->source, sizeof(h->source), "%s", k->source);
	h->live = !path;
	snprintf(h->release, sizeof(h->release), "%s", k->release);
	snprintf(h->boot, sizeof(h->boot), "%s", k->boot);
	h->levels = k->levels;
	h->pti = k->pti;
	h->half = k->half;
	for (i = 0; i < k->nreg[0] && i < VMVIZ_KREGIONS; i++) {
		const struct kregion *r = &k->reg[0][i];
		struct vmviz_kregion *o = &h->reg[h->nreg++];

		snprintf(o->name, sizeof(o->name), "%s", r->name);
		snprintf(o->skip, sizeof(o->skip), "%s", r->skip);
		o->start = r->start;
		o->last = r->end - 1;	/* end 0 (2^64): ffffffffffffffff */
		o->mapped = mapped(r);
		if (k->pti)
			o->user_mapped = mapped(&k->reg[1][i]);
	}
	free(k->line);
	free(k);
	return true;
}
