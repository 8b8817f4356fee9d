// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: fetching a report (live through /proc/vmviz, or a saved
 * file) and parsing it into struct vmviz_report, line by documented line.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "vmviz.h"

const char *const vmviz_field_names[VMVIZ_NFIELDS] = {
	"task_size", "start_code", "end_code", "start_data", "end_data",
	"start_brk", "brk", "start_stack", "arg_start", "arg_end",
	"env_start", "env_end", "mmap_base",
};

const char *const vmviz_counter_names[VMVIZ_NCOUNTERS] = {
	"total_vm", "locked_vm", "pinned_vm", "data_vm", "exec_vm",
	"stack_vm", "rss_file", "rss_anon", "rss_shmem", "swap_ents",
};

const char *const vmviz_seg_names[VMVIZ_NSEGS] = {
	"code", "data", "bss", "heap", "mmap", "stack", "args", "env",
	"vdso", "vvar",
};

const char *const vmviz_smaps_names[VMVIZ_NSMAPS] = {
	"rss", "pss", "pss_dirty", "pss_anon", "pss_file", "pss_shmem",
	"shared_clean", "shared_dirty", "private_clean", "private_dirty",
	"referenced", "anonymous", "ksm", "lazyfree", "anon_huge", "shmem_pmd",
	"file_pmd", "swap", "swap_pss", "locked", "uss", "cow_copy", "cow_reuse",
};

static int name_index(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

/* Undo the \ooo escapes of names, comm and the kernel release, in place. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
				      (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

static char *unescaped_dup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	unescape(d);
	return d;
}

/* @s unescaped into @buf (of *@cap bytes), grown as needed. */
static char *text_into(char *buf, size_t *cap, const char *s)
{
	size_t len = strlen(s) + 1;

	if (!buf || len > *cap) {
		*cap = len < 64 ? 64 : len;
		free(buf);
		buf = malloc(*cap);
		if (!buf)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
	}
	memcpy(buf, s, len);
	unescape(buf);
	return buf;
}

#define MAX_TOKENS	256

/* Split a line on blanks; returns the number of words, -1 if too many. */
static int split(char *line, char **tok)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == MAX_TOKENS)
			return -1;
		tok[n++] = t;
	}
	return n;
}

/* Digits of @base only: no sign, no blank, no 0x, no wrap past 2^64. */
static bool number(const char *s, int base, unsigned long *v)
{
	unsigned long x = 0;
	unsigned int d;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return false;
		if (x > (~0UL - d) / base)
			return false;
		x = x * base + d;
	}
	*v = x;
	return true;
}

static bool dec(const char *s, unsigned long *v)
{
	return number(s, 10, v);
}

/* Hex of exactly @width digits (the format pads its hex to fixed widths). */
static bool hexw(const char *s, size_t width, unsigned long *v)
{
	return strlen(s) == width && number(s, 16, v);
}

static bool range(const char *s, unsigned long *start, unsigned long *end)
{
	char buf[40];

	if (strlen(s) != 33 || s[16] != '-')
		return false;
	memcpy(buf, s, 33);
	buf[16] = '\0';
	buf[33] = '\0';
	return hexw(buf, 16, start) && hexw(buf + 17, 16, end);
}

/* SEC.NSEC, nine digits of nanoseconds. */
static bool clock_value(const char *s, struct vmviz_time *t)
{
	const char *dot = strchr(s, '.');
	char sec[24];
	unsigned long v;

	if (!dot || dot == s || dot - s >= (long)sizeof(sec) || strlen(dot + 1) != 9)
		return false;
	memcpy(sec, s, dot - s);
	sec[dot - s] = '\0';
	if (!dec(sec, &v))
		return false;
	t->sec = v;
	if (!dec(dot + 1, &v))
		return false;
	t->nsec = v;
	return true;
}

/* 8-4-4-4-12 lower-case hex digits. */
static bool boot_id(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (i = 0; shape[i]; i++)
		if (shape[i] == '-' ? s[i] != '-' : !strchr("0123456789abcdef", s[i]) || !s[i])
			return false;
	return true;
}

static unsigned long entry_bytes(const char *size)
{
	if (!strcmp(size, "4K"))
		return 4096UL;
	if (!strcmp(size, "2M"))
		return 2UL << 20;
	if (!strcmp(size, "1G"))
		return 1UL << 30;
	return 0;
}

/* docs/FORMAT.md, "VMA lines": seg. */
const char *const vmviz_vma_segs[] = {
	"code", "data", "bss", "heap", "mmap", "stack", "image", "vdso", "vvar", "special", NULL,
};

/* docs/FORMAT.md, "Page lines": state. */
const char *const vmviz_states[] = {
	"present", "protnone", "swap", "migr-r", "migr-rx", "migr-w", "hwpoison", "marker",
	"device", "uffd-wp", "guard", "poisoned", NULL,
};

/* docs/FORMAT.md, "VMA lines": the two-letter names of vm. */
static const char *const vm_names[] = {
	"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "pf", "dw", "lo", "io", "sr", "rr",
	"dc", "de", "lf", "ac", "nr", "ht", "sf", "ar", "wf", "dd", "sd", "mm", "hg", "nh", "mg",
	"um", "uw", "ui", "ss", "dp", "sl", "gu",
};

static int list_index(const char *const *names, const char *name)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

/* The hardware bits of page lines and protflags: a letter in its place or '-'. */
static bool hw_flags(const char *s)
{
	static const char letters[] = "PWUTCADHGMN";
	int i;

	if (strlen(s) != sizeof(letters) - 1)
		return false;
	for (i = 0; letters[i]; i++)
		if (s[i] != '-' && s[i] != letters[i])
			return false;
	return true;
}

/* As /proc/PID/maps: r or -, w or -, x or -, then s or p. */
static bool perm_word(const char *s)
{
	return strlen(s) == 4 && strchr("r-", s[0]) && strchr("w-", s[1]) && strchr("x-", s[2]) &&
	       strchr("sp", s[3]);
}

/* vm: the documented two-letter names, comma separated, each once, or "-". */
static bool vm_word(const char *s)
{
	size_t n = 0;

	if (!strcmp(s, "-"))
		return true;
	while (*s) {
		size_t i, len = strcspn(s, ",");

		for (i = 0; i < ARRAY_SIZE(vm_names); i++)
			if (len == 2 && !strncmp(s, vm_names[i], 2))
				break;
		if (i == ARRAY_SIZE(vm_names) || ++n > ARRAY_SIZE(vm_names))
			return false;
		s += len;
		if (*s == ',' && !*++s)
			return false;
	}
	return n > 0;
}

/*
 * A name as the module escapes it (kernel, comm, VMA names): not empty, no
 * byte 0x01-0x1f or 0x7f (the report writes them \ooo), and a backslash only
 * as \ooo. A raw escape byte in a saved report is an edited report.
 */
static bool escaped_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!*p)
		return false;
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p == '\\') {
			if (p[1] < '0' || p[1] > '3' || p[2] < '0' || p[2] > '7' ||
			    p[3] < '0' || p[3] > '7')
				return false;
			p += 3;
		}
	}
	return true;
}

/* A size as space and segment lines write it: the largest unit dividing it exactly. */
static bool size_word(const char *s, unsigned long long bytes)
{
	static const char units[] = "BKMGTPE";
	char want[32];
	int u = 0;

	while (u < 6 && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(want, sizeof(want), "%llu%c", bytes, units[u]);
	return !strcmp(s, want);
}

/* The counts of a sum line, in line order. */
enum {
	SUM_PRESENT, SUM_DIRTY, SUM_ACCESSED, SUM_WRITABLE, SUM_HUGE, SUM_SWAPPED,
	SUM_NONPRESENT, SUM_NCOUNTS,
};

/* Where the parser is in the line order of format 2. */
enum stage {
	ST_DETAIL, ST_REPORT, ST_TASK, ST_MM, ST_GEOMETRY, ST_SPACE, ST_FIELD,
	ST_COUNTER, ST_SEGMENT, ST_BODY, ST_TABLE, ST_PGTABLES, ST_ROLLUP, ST_END,
	ST_DONE,
};

/* What the checks of a line need of the lines before it. */
struct parser {
	enum stage stage;
	int n;				/* lines read of the current stage */
	bool in_vma;			/* a vma line waits for its sum line */
	unsigned long last_end;		/* end of the last page line or sum range */
	unsigned long vma_floor;	/* last_end when the vma line was read */
	unsigned long end_vmas, end_pages;
	unsigned long counted[SUM_NCOUNTS];	/* of the page lines of the current VMA */
	bool prev_whole;		/* the VMA before: its sum line covers all of it */
	unsigned long prev_end;		/* the VMA before: its end */
	unsigned long first_start;	/* the first VMA's start (the rollup line) */
	unsigned long pages_start;	/* the first page line of the current VMA: start */
	/* Upper lines, per level (UP_*): where the last one ended. */
	unsigned long upper_end[UP_NLEVELS];
	unsigned long upper_last[UP_NLEVELS];	/* the start of its last entry */
	enum vmviz_item item;		/* what the line was, for vmviz_next() */
	const char *why;		/* what was expected instead, in words */
};

/* The input of a report, read line by line, and where its body starts. */
struct vmviz_parser {
	struct parser ps;
	struct parser body;		/* ps where the body starts, for vmviz_rewind() */
	char *line, *copy;		/* the line read last, and a copy to quote */
	size_t cap, copy_cap;
	int lineno, body_lineno;
	off_t body_off;
	size_t name_cap, vm_cap;	/* of r->vma.name and r->vma.vm */
};

static void *grow(void *p, int n, size_t size)
{
	if (n && (n & (n - 1)))
		return p;
	p = realloc(p, size * (n ? n * 2 : 16));
	if (!p)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	return p;
}

/*
 * Checks "w[i] == name" for the fixed words of a line. Words after them are
 * fields a later module added at the end of the line (docs/FORMAT.md: new
 * fields only ever go there, anything else is a new version): ignored.
 */
static bool words(char **tok, int n, const char *const *names, int count)
{
	int i;

	if (n < count * 2)
		return false;
	for (i = 0; i < count; i++)
		if (names[i] && strcmp(tok[2 * i], names[i]))
			return false;
	return true;
}

/* Refuse the line: @why says what was expected there, in plain words. */
static int bad(struct parser *ps, const char *why)
{
	ps->why = why;
	return -1;
}

static int parse_report(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	static const char *const w[] = { "report", "kernel", "boot", "time", "boottime" };

	/* "report" KERNEL: the first pair is shifted by one word. */
	if (n < 9 || strcmp(tok[0], "report") || strcmp(tok[1], "kernel") ||
	    !words(tok + 1, n - 1, w + 1, 4))
		return bad(ps,
			   "the report line: report kernel RELEASE boot ID time SEC.NSEC boottime SEC.NSEC");
	if (!escaped_name(tok[2]))
		return bad(ps, "a kernel release, escaped (no raw control byte, \\ only as \\ooo)");
	if (!boot_id(tok[4]) && strcmp(tok[4], "unknown"))
		return bad(ps, "a boot id of 8-4-4-4-12 lower-case hex digits, or unknown");
	if (!clock_value(tok[6], &r->time) || !clock_value(tok[8], &r->boottime))
		return bad(ps, "time and boottime as seconds, a dot and nine digits");
	r->kernel_release = unescaped_dup(tok[2]);
	snprintf(r->boot_id, sizeof(r->boot_id), "%s", tok[4]);
	return 0;
}

static int parse_task(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	static const char *const kinds[] = { "process", "thread", "kthread", "zombie", "exited" };
	unsigned long pid, tgid;

	if (n < 11 || strcmp(tok[1], "pid") || strcmp(tok[3], "tgid") ||
	    strcmp(tok[5], "kind") || strcmp(tok[7], "state") || strcmp(tok[9], "comm"))
		return bad(ps, "the task line: task pid N tgid N kind KIND state L comm NAME");
	if (!dec(tok[2], &pid) || !dec(tok[4], &tgid) || pid > 0x7fffffff || tgid > 0x7fffffff)
		return bad(ps, "pid and tgid as decimal numbers up to 2147483647");
	if (name_index(kinds, ARRAY_SIZE(kinds), tok[6]) < 0)
		return bad(ps, "kind process, thread, kthread, zombie or exited");
	if (strlen(tok[8]) != 1 || !strchr("RSDTtXZPI", tok[8][0]))
		return bad(ps, "state as one letter of /proc/PID/stat: R S D T t X Z P I");
	if (!escaped_name(tok[10]))
		return bad(ps, "a comm, escaped (no raw control byte, \\ only as \\ooo)");
	r->pid = pid;
	r->tgid = tgid;
	snprintf(r->kind, sizeof(r->kind), "%s", tok[6]);
	r->state = tok[8][0];
	r->comm = unescaped_dup(tok[10]);
	return 0;
}

static int parse_mm(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	static const char *const actives[] = { "own", "none", "other" };
	unsigned long x;

	if (n < 9 || strcmp(tok[1], "id") || strcmp(tok[3], "users") ||
	    strcmp(tok[5], "count") || strcmp(tok[7], "active"))
		return bad(ps, "the mm line: mm id ID users N count N active ACTIVE");
	if (strcmp(tok[2], "none") && !hexw(tok[2], 16, &x))
		return bad(ps, "an mm id of 16 lower-case hex digits, or none");
	if (!dec(tok[4], &r->users) || !dec(tok[6], &r->count))
		return bad(ps, "users and count as decimal numbers");
	if (name_index(actives, ARRAY_SIZE(actives), tok[8]) < 0)
		return bad(ps, "active own, none or other");
	snprintf(r->mm_id, sizeof(r->mm_id), "%s", tok[2]);
	snprintf(r->active, sizeof(r->active), "%s", tok[8]);
	r->has_mm = strcmp(r->mm_id, "none") != 0;
	if (!r->has_mm && (r->users || r->count))
		return bad(ps, "users 0 and count 0 with mm id none");
	return 0;
}

static int parse_geometry(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	static const char *const w[] = {
		NULL, "page_size", "levels", "task_size", "mmap_base", "mmap_window", "layout",
	};
	unsigned long levels;

	/* "geometry" then six pairs: shift by one word, as for the report line. */
	if (n < 13 || !words(tok + 1, n - 1, w + 1, 6))
		return bad(ps,
			   "the geometry line: page_size, levels, task_size, mmap_base, mmap_window, layout");
	if (!dec(tok[2], &r->page_size) || r->page_size != 4096)
		return bad(ps, "page_size 4096");
	if (!dec(tok[4], &levels) || (levels != 4 && levels != 5))
		return bad(ps, "levels 4 or 5");
	if (!hexw(tok[6], 16, &r->task_size) || !hexw(tok[8], 16, &r->mmap_base) ||
	    !hexw(tok[10], 16, &r->mmap_window))
		return bad(ps, "task_size, mmap_base and mmap_window of 16 lower-case hex digits");
	if (r->has_mm ? strcmp(tok[12], "topdown") && strcmp(tok[12], "legacy") :
	    strcmp(tok[12], "none"))
		return bad(ps, r->has_mm ? "layout topdown or legacy" :
			   "layout none (the mm line says mm id none)");
	r->levels = levels;
	snprintf(r->layout, sizeof(r->layout), "%s", tok[12]);
	return 0;
}

static int parse_vma(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	static const char *const w[] = {
		"seg", "flags", "vm", "prot", "protflags", "anon", "pkey",
	};
	bool prev = r->nvmas > 0;
	struct vmviz_vma *v = &r->vma;
	unsigned long start, end, offset, flags, prot, anon, pkey;
	char *name, *vm;
	int i;

	if (n < 19 || !words(tok + 5, n - 5, w, 7))
		return bad(ps, "a vma line: range, perm, offset, name, 7 pairs ending at pkey");
	if (!range(tok[1], &start, &end) || end <= start || (start | end) & 4095)
		return bad(ps,
			   "a VMA range START-END of 16 hex digits each, page aligned, START below END");
	if (end - 1 > r->user.end)
		return bad(ps, "a VMA range inside the user half (see the space user line)");
	/*
	 * In address order, not overlapping: only after a VMA whose walk was
	 * cut (its sum line covers part of it) may the next VMA line go back
	 * over it, and then it must end above where that walk stopped.
	 */
	if (prev && end <= ps->last_end)
		return bad(ps, "VMAs in address order: a vma line ending above the VMA before");
	if (prev && start < ps->prev_end && ps->prev_whole)
		return bad(ps,
			   "VMAs not overlapping: a vma line starting at or above the end of the VMA before");
	if (!perm_word(tok[2]))
		return bad(ps, "perm as in maps: r or -, w or -, x or -, then s or p");
	if (!hexw(tok[3], 16, &offset))
		return bad(ps, "an offset of 16 lower-case hex digits");
	if (!escaped_name(tok[4]))
		return bad(ps, "a VMA name, escaped (no raw control byte, \\ only as \\ooo)");
	if (list_index(vmviz_vma_segs, tok[6]) < 0)
		return bad(ps,
			   "seg code, data, bss, heap, mmap, stack, image, vdso, vvar or special");
	if (!hexw(tok[8], 16, &flags) || !hexw(tok[12], 16, &prot))
		return bad(ps, "flags and prot of 16 lower-case hex digits");
	if (!vm_word(tok[10]))
		return bad(ps,
			   "vm as smaps' two-letter VmFlags names (rd,wr,ex,...), comma separated, or -");
	if (!hw_flags(tok[14]))
		return bad(ps,
			   "protflags of 11 columns: each letter of PWUTCADHGMN in its place, or -");
	if (!dec(tok[16], &anon) || anon > 1)
		return bad(ps, "anon 0 or 1");
	if (!dec(tok[18], &pkey) || pkey > 15)
		return bad(ps, "pkey from 0 to 15");
	/* The strings of the VMA before are reused: nothing per VMA is kept. */
	name = v->name;
	vm = v->vm;
	memset(v, 0, sizeof(*v));
	v->name = text_into(name, &r->ps->name_cap, tok[4]);
	v->vm = text_into(vm, &r->ps->vm_cap, tok[10]);
	v->start = start;
	v->end = end;
	v->offset = offset;
	v->flags = flags;
	v->prot = prot;
	v->anon = anon;
	v->pkey = pkey;
	snprintf(v->perm, sizeof(v->perm), "%s", tok[2]);
	snprintf(v->seg, sizeof(v->seg), "%s", tok[6]);
	snprintf(v->protflags, sizeof(v->protflags), "%s", tok[14]);
	if (!r->nvmas)
		ps->first_start = start;
	r->nvmas++;
	ps->item = VMVIZ_VMA;
	ps->in_vma = true;
	ps->vma_floor = ps->last_end;
	/*
	 * Upper lines cover whole entries, so the last entry of a level under
	 * the VMA before may come again under this one; never one below it,
	 * unless that VMA's walk was cut (see parse_sum()).
	 */
	for (i = 0; i < UP_NLEVELS; i++)
		ps->upper_end[i] = prev && ps->prev_whole ? ps->upper_last[i] : 0;
	memset(&ps->counted, 0, sizeof(ps->counted));
	return 0;
}

/* "-" or a decimal number up to @max; -1 for "-". */
static bool dash_or_dec(const char *s, unsigned long max, long *v)
{
	unsigned long x;

	if (!strcmp(s, "-")) {
		*v = -1;
		return true;
	}
	if (!dec(s, &x) || x > max)
		return false;
	*v = x;
	return true;
}

/*
 * Fields 17 and 18 of a page line of frame detail, ref and act: how many
 * of its entries have PG_referenced, PG_active; '-' without a frame (or a
 * hidden one); flag R (A) set exactly when every entry has it. A report of
 * a module before them has neither (ref and act -1, p->refact false).
 */
static int parse_page_refact(struct vmviz_page *p, char **tok, int n)
{
	long v[2];
	int i;

	p->ref = -1;
	p->act = -1;
	if (n < 17)
		return 0;
	if (n < 18)
		return -1;
	for (i = 0; i < 2; i++)
		if (!dash_or_dec(tok[16 + i], p->count, &v[i]))
			return -1;
	p->ref = v[0];
	p->act = v[1];
	p->refact = true;
	if (!strcmp(p->kind, "-") || !strcmp(p->kind, "?"))
		return p->ref >= 0 || p->act >= 0 ? -1 : 0;
	if (p->ref < 0 || p->act < 0)
		return -1;
	return (p->fflags[3] == 'R') != ((unsigned long)p->ref == p->count) ||
	       (p->fflags[1] == 'A') != ((unsigned long)p->act == p->count) ? -1 : 0;
}

/*
 * The frame fields of a page line of frame detail (docs/FORMAT.md,
 * "Frame fields of page lines"): kind fflags order node map, then ref act
 * (parse_page_refact()). Without a frame (kind -) the others are all -;
 * with one, all are set; a frame the reader may not inspect (kind ?, "Who
 * may read what") has only its node.
 */
static int parse_page_frame(struct vmviz_page *p, char **tok, int n)
{
	static const char *const kinds[] = {
		"anon", "ksm", "shmem", "file", "zero", "other", "-", "?"
	};
	static const char letters[] = "LAURDWSMPX";
	char lo[24], *dash;
	long order, node;
	int i;

	if (n < 16 || name_index(kinds, ARRAY_SIZE(kinds), tok[11]) < 0 ||
	    strlen(tok[12]) != sizeof(letters) - 1)
		return -1;
	for (i = 0; letters[i]; i++)
		if (tok[12][i] != '-' && tok[12][i] != letters[i])
			return -1;
	if (!dash_or_dec(tok[13], 18, &order) || !dash_or_dec(tok[14], 65535, &node))
		return -1;
	dash = strchr(tok[15], '-');
	if (dash && dash != tok[15]) {
		if (dash - tok[15] >= (long)sizeof(lo))
			return -1;
		memcpy(lo, tok[15], dash - tok[15]);
		lo[dash - tok[15]] = '\0';
		if (!dash_or_dec(lo, ~0UL >> 1, &p->map_lo) || p->map_lo < 0 ||
		    !dash_or_dec(dash + 1, ~0UL >> 1, &p->map_hi) || p->map_hi <= p->map_lo)
			return -1;
	} else {
		if (!dash_or_dec(tok[15], ~0UL >> 1, &p->map_lo))
			return -1;
		p->map_hi = p->map_lo;
	}
	snprintf(p->kind, sizeof(p->kind), "%s", tok[11]);
	snprintf(p->fflags, sizeof(p->fflags), "%s", tok[12]);
	p->order = order;
	p->node = node;
	if (parse_page_refact(p, tok, n))
		return -1;
	/* No frame: nothing else; a frame: an order, a node and a mapcount. */
	if (!strcmp(p->kind, "-"))
		return strcmp(p->fflags, "----------") || order >= 0 || node >= 0 ||
		       p->map_lo >= 0 ? -1 : 0;
	if (!strcmp(p->kind, "?"))
		return strcmp(p->fflags, "----------") || order >= 0 || node < 0 ||
		       p->map_lo >= 0 ? -1 : 0;
	return order < 0 || node < 0 || p->map_lo < 0 ? -1 : 0;
}

/*
 * Field 19 of a page line of frame detail with tables, eff: for a present
 * or protnone entry '=' (the effective W U N are the entry's own) or three
 * columns W/- U/- N/-, which can only take W or U away, or add N (ANDed
 * and ORed over the upper entries on the path); '-' for every other state.
 */
static int parse_page_eff(struct vmviz_page *p, const char *s, bool mapped)
{
	char own[4] = { p->flags[1], p->flags[2], p->flags[10], '\0' };

	if (!mapped)
		return strcmp(s, "-") ? -1 : 0;
	if (!strcmp(s, "=")) {
		memcpy(p->eff, own, sizeof(p->eff));
		return 0;
	}
	if (strlen(s) != 3 || !strchr("W-", s[0]) || !strchr("U-", s[1]) ||
	    !strchr("N-", s[2]) || !strcmp(s, own))
		return -1;
	if ((s[0] == 'W' && own[0] != 'W') || (s[1] == 'U' && own[1] != 'U') ||
	    (s[2] != 'N' && own[2] == 'N'))
		return -1;
	memcpy(p->eff, s, sizeof(p->eff));
	return 0;
}

static int parse_page(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	static const char *const levels[] = { "pte", "pmd", "pud" };
	static const char *const sizes[] = { "4K", "2M", "1G" };
	struct vmviz_vma *v = &r->vma;
	struct vmviz_page *p = &r->page;
	unsigned long x, pages, k;
	bool mapped;
	int level, state;

	if (!ps->in_vma)
		return bad(ps, "a page line only between a vma line and its sum line");
	if (n < 11)
		return bad(ps,
			   "a page line: level, range, count, size, state, flags, pfn, step, sd, pkey, swaptype");
	memset(p, 0, sizeof(*p));
	level = name_index(levels, ARRAY_SIZE(levels), tok[0]);
	if (level < 0)
		return bad(ps, "a page line's level: pte, pmd or pud");
	if (!range(tok[1], &p->start, &p->end) || !dec(tok[2], &p->count))
		return bad(ps, "a run range START-END of 16 hex digits each, then a decimal count");
	if (strcmp(tok[3], sizes[level]))
		return bad(ps, "a leaf size matching its level: pte 4K, pmd 2M, pud 1G");
	state = list_index(vmviz_states, tok[4]);
	if (state < 0)
		return bad(ps,
			   "a state: present, protnone, swap, migr-r, migr-rx, migr-w, hwpoison, marker, device, uffd-wp, guard or poisoned");
	if (!hw_flags(tok[5]))
		return bad(ps,
			   "page flags of 11 columns: each letter of PWUTCADHGMN in its place, or -");
	if (!hexw(tok[6], 10, &p->pfn))
		return bad(ps, "a pfn of 10 lower-case hex digits");
	snprintf(p->level, sizeof(p->level), "%s", tok[0]);
	snprintf(p->size, sizeof(p->size), "%s", tok[3]);
	p->entry_size = entry_bytes(p->size);
	if (p->end <= p->start || p->start % p->entry_size || p->end % p->entry_size ||
	    (p->end - p->start) / p->entry_size != p->count)
		return bad(ps, "a run whose range is COUNT whole entries of its leaf size");
	if (p->start < v->start || p->end > v->end)
		return bad(ps, "a page line inside the range of its vma line");
	if (p->start < ps->last_end)
		return bad(ps, "page lines in address order, not overlapping the line before");
	snprintf(p->state, sizeof(p->state), "%s", tok[4]);
	snprintf(p->flags, sizeof(p->flags), "%s", tok[5]);
	p->step = strlen(tok[7]) == 1 ? tok[7][0] : 0;
	k = p->entry_size >> 12;
	pages = p->count * k;
	if (!p->step || !strchr("+-=", p->step))
		return bad(ps, "a step of +, - or =");
	if (p->step == '-' && p->pfn < (p->count - 1) * k)
		return bad(ps, "a step - that stays at or above frame 0");
	if (p->step == '+' && pages - 1 > (1UL << 40) - 1 - p->pfn)
		return bad(ps, "a step + that stays within the 10 hex digits of a pfn");
	if (!dec(tok[8], &x) || x > 1)
		return bad(ps, "sd 0 or 1");
	p->sd = x;
	if (!dec(tok[9], &x) || x > 15)
		return bad(ps, "a pkey from 0 to 15");
	p->pkey = x;
	mapped = !strcmp(p->state, "present") || !strcmp(p->state, "protnone");
	if (!strcmp(tok[10], "-"))
		p->swaptype = -1;
	else if (dec(tok[10], &x) && x < 256)
		p->swaptype = x;
	else
		return bad(ps, "a swaptype from 0 to 255, or -");
	if (mapped ? p->swaptype >= 0 : p->swaptype < 0)
		return bad(ps,
			   "swaptype - for present and protnone entries, a number for the others");
	if (!strcmp(p->state, "present") != (p->flags[0] == 'P'))
		return bad(ps, "flag P on present entries and on no others");
	if (!mapped && strcmp(p->flags, "-----------"))
		return bad(ps, "flags all - on a non-present entry");
	if (r->frames && parse_page_frame(p, tok, n))
		return bad(ps,
			   "a page line of frame detail: kind fflags order node map after swaptype, then ref and act (entries with flag R, A: all of them exactly when the letter is set; - without a frame)");
	if (r->uppers && (n < 19 || parse_page_eff(p, tok[18], mapped)))
		return bad(ps,
			   "a page line's eff after act: = or the effective W U N (W/- U/- N/-, only less W or U, more N than the entry's own) for present and protnone entries, - for the others");
	/* What its sum line must add up to (docs/FORMAT.md, "Sum lines"). */
	if (!strcmp(p->state, "swap"))
		ps->counted[SUM_SWAPPED] += pages;
	if (mapped) {
		ps->counted[SUM_PRESENT] += pages;
		ps->counted[SUM_DIRTY] += p->flags[6] == 'D' ? pages : 0;
		ps->counted[SUM_ACCESSED] += p->flags[5] == 'A' ? pages : 0;
		ps->counted[SUM_WRITABLE] += p->flags[1] == 'W' && p->flags[0] == 'P' ? pages : 0;
		ps->counted[SUM_HUGE] += level ? pages : 0;
	} else {
		ps->counted[SUM_NONPRESENT] += pages;
	}
	p->vma = r->nvmas - 1;
	if (!v->npages)
		ps->pages_start = p->start;
	ps->last_end = p->end;
	v->npages++;
	v->states |= 1U << state;
	r->npages++;
	ps->item = VMVIZ_PAGE;
	return 0;
}

/* The span of one entry of an upper line's level, as its size word says it. */
static const char *upper_size(int lvl, int levels)
{
	static const char *const sizes[] = { "512G", "512G", "1G", "2M" };

	return lvl == UP_PGD && levels == 5 ? "256T" : sizes[lvl];
}

static unsigned long upper_bytes(int lvl, int levels)
{
	static const int shift[] = { 39, 39, 30, 21 };

	return 1UL << (lvl == UP_PGD && levels == 5 ? 48 : shift[lvl]);
}

/* Flags of an upper entry: 11 columns as a page line's, never H. */
static bool upper_flags(const char *s)
{
	return hw_flags(s) && s[7] != 'H';
}

/*
 * An upper line of frame detail with tables ("detail frames tables"):
 * "upper LEVEL START-END COUNT SPAN FLAGS TABLE STEP UCOPY", between a vma
 * line and its sum line: runs of entries pointing to tables on the walk's
 * path to the VMA's leaves, in address order per level (the same entry
 * may come again under the next VMA), not in order with page lines.
 */
static int parse_upper(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	static const char *const levels[] = { "pgd", "p4d", "pud", "pmd" };
	static char why[160];
	struct vmviz_vma *v = &r->vma;
	struct vmviz_upper *u = &r->upper;
	unsigned long span;
	int lvl;

	if (!r->uppers)
		return bad(ps,
			   "a page line (upper lines only in frame detail with tables: detail frames tables)");
	if (!ps->in_vma)
		return bad(ps, "an upper line only between a vma line and its sum line");
	if (n < 9)
		return bad(ps,
			   "an upper line: upper, level, range, count, span, flags, table, step, ucopy");
	memset(u, 0, sizeof(*u));
	lvl = name_index(levels, ARRAY_SIZE(levels), tok[1]);
	if (lvl < 0 || (lvl == UP_P4D && r->levels != 5))
		return bad(ps, r->levels == 5 ? "an upper line's level: pgd, p4d, pud or pmd" :
			   "an upper line's level: pgd, pud or pmd (p4d only with 5-level paging)");
	if (!range(tok[2], &u->start, &u->end) || !dec(tok[3], &u->count))
		return bad(ps,
			   "an upper range START-END of 16 hex digits each, then a decimal count");
	if (strcmp(tok[4], upper_size(lvl, r->levels))) {
		snprintf(why, sizeof(why), "the span of one %s entry with %d-level paging: %s",
			 levels[lvl], r->levels, upper_size(lvl, r->levels));
		return bad(ps, why);
	}
	span = upper_bytes(lvl, r->levels);
	if (u->end <= u->start || u->start % span || u->end % span)
		return bad(ps,
			   "an upper range of whole entries: START and END aligned to the span");
	if ((u->end - u->start) / span != u->count)
		return bad(ps, "an upper line's count: the entries its range covers");
	if (u->start >= v->end || u->end <= v->start)
		return bad(ps, "an upper range overlapping its VMA");
	if (u->start < ps->upper_end[lvl])
		return bad(ps,
			   "upper lines of one level in address order, not overlapping (but for one entry of the VMA before)");
	if (!upper_flags(tok[5]))
		return bad(ps,
			   "upper flags of 11 columns: each letter of PWUTCADHGMN in its place, or -; never H");
	if (!hexw(tok[6], 10, &u->table))
		return bad(ps, "an upper line's table: a pfn of 10 lower-case hex digits");
	u->step = strlen(tok[7]) == 1 ? tok[7][0] : 0;
	if (!u->step || !strchr("+-=", u->step))
		return bad(ps, "an upper line's step: +, - or =");
	if ((u->step == '-' && u->table < u->count - 1) ||
	    (u->step == '+' && u->count - 1 > (1UL << 40) - 1 - u->table))
		return bad(ps, "an upper line's step that keeps its tables within 10 hex digits");
	if (strcmp(tok[8], "-") && (lvl != UP_PGD || !upper_flags(tok[8])))
		return bad(ps, lvl != UP_PGD ? "ucopy - (a user copy only on pgd lines)" :
			   "ucopy: the 11 flag columns of the user copy of the PGD (never H), or -");
	snprintf(u->level, sizeof(u->level), "%s", tok[1]);
	snprintf(u->size, sizeof(u->size), "%s", tok[4]);
	snprintf(u->flags, sizeof(u->flags), "%s", tok[5]);
	if (strcmp(tok[8], "-"))
		snprintf(u->ucopy, sizeof(u->ucopy), "%s", tok[8]);
	u->lvl = lvl;
	u->entry_size = span;
	u->vma = r->nvmas - 1;
	ps->upper_end[lvl] = u->end;
	ps->upper_last[lvl] = u->end - span;
	v->nuppers++;
	r->nuppers++;
	ps->item = VMVIZ_UPPER;
	return 0;
}

/* The 23 smaps pairs of a sum or rollup line of frame detail. */
static int smaps_fields(char **tok, int n, unsigned long *sm)
{
	int i;

	if (!words(tok, n, vmviz_smaps_names, VMVIZ_NSMAPS))
		return -1;
	for (i = 0; i < VMVIZ_NSMAPS; i++)
		if (!dec(tok[2 * i + 1], &sm[i]))
			return -1;
	return 0;
}

static int parse_sum(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	static const char *const w[] = {
		NULL, "present", "dirty", "accessed", "writable", "huge", "swapped", "nonpresent",
	};
	static char why[160];
	struct vmviz_vma *v = &r->vma;
	unsigned long val[SUM_NCOUNTS], start, end;
	int i;

	if (!ps->in_vma)
		return bad(ps, "a sum line only after a vma line and its page lines");
	/* "sum" RANGE, then seven pairs. */
	if (n < 16 || !words(tok + 2, n - 2, w + 1, 7))
		return bad(ps,
			   "a sum line: range, then present dirty accessed writable huge swapped nonpresent");
	if (!range(tok[1], &start, &end))
		return bad(ps, "a sum range START-END of 16 hex digits each");
	for (i = 0; i < SUM_NCOUNTS; i++)
		if (!dec(tok[3 + 2 * i], &val[i]))
			return bad(ps, "sum counts as decimal numbers");
	/* Frame detail: the smaps fields follow, in kB. */
	if (r->frames && smaps_fields(tok + 16, n - 16, r->sm))
		return bad(ps, "a sum line of frame detail: the 23 smaps fields after nonpresent");
	if (start > end || start < v->start || end > v->end ||
	    (v->npages && (ps->pages_start < start || ps->last_end > end)) ||
	    (start < ps->vma_floor && start != end) || (start | end) & 4095)
		return bad(ps, "a sum range: the part of its VMA its page lines cover");
	/* The counts are the sums of the page lines above (same pass). */
	for (i = 0; i < SUM_NCOUNTS; i++)
		if (val[i] != ps->counted[i]) {
			snprintf(why, sizeof(why),
				 "%s %lu, what its page lines add up to (the line says %lu)",
				 w[i + 1], ps->counted[i], val[i]);
			return bad(ps, why);
		}
	v->sum_start = start;
	v->sum_end = end;
	if (start != v->start || end != v->end)
		r->partial++;
	v->present = val[SUM_PRESENT];
	v->dirty = val[SUM_DIRTY];
	v->accessed = val[SUM_ACCESSED];
	v->writable = val[SUM_WRITABLE];
	v->huge = val[SUM_HUGE];
	v->swapped = val[SUM_SWAPPED];
	v->nonpresent = val[SUM_NONPRESENT];
	if (end > ps->last_end)
		ps->last_end = end;
	ps->prev_end = v->end;
	ps->prev_whole = start == v->start && end == v->end;
	ps->in_vma = false;
	ps->item = VMVIZ_SUM;
	return 0;
}

/* A list of VMVIZ_NHIST decimal numbers, comma separated. */
static bool hist(const char *s, unsigned long *h)
{
	char buf[256], *save = NULL, *t;
	int i = 0;

	if (strlen(s) >= sizeof(buf) || s[strlen(s) - 1] == ',' || strstr(s, ",,") || *s == ',')
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (i == VMVIZ_NHIST || !dec(t, &h[i]))
			return false;
		i++;
	}
	return i == VMVIZ_NHIST;
}

/*
 * Frame detail: "table LEVEL count N used N min N max N hist H,...,H bytes N",
 * one per level below the PGD (pte pmd pud, p4d with 5 levels), in order.
 */
static int parse_table(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	static const char *const levels[] = { "pte", "pmd", "pud", "p4d" };
	static const char *const w[] = { NULL, "count", "used", "min", "max", "hist", "bytes" };
	struct vmviz_tlevel *t = &r->tables[r->ntables];
	unsigned long sum = 0;
	int i;

	if (n < 14 || !words(tok + 2, n - 2, w + 1, 6) || strcmp(tok[1], levels[r->ntables])) {
		ps->why = "a table line: pte, pmd, pud (and p4d with 5 levels) in this order";
		return -1;
	}
	snprintf(t->level, sizeof(t->level), "%s", tok[1]);
	if (!dec(tok[3], &t->count) || !dec(tok[5], &t->used) || !dec(tok[7], &t->min) ||
	    !dec(tok[9], &t->max) || !hist(tok[11], t->hist) || !dec(tok[13], &t->bytes))
		return bad(ps,
			   "a table line's count, used, min, max and bytes in decimal, hist as 11 decimal numbers with commas");
	for (i = 0; i < VMVIZ_NHIST; i++)
		sum += t->hist[i];
	if (sum != t->count || t->bytes != t->count * 4096 || t->max > 512 ||
	    t->min > t->max || (!t->count && (t->used || t->max)) ||
	    (t->count && (t->used < t->min * t->count || t->used > t->max * t->count))) {
		ps->why = "a table line whose count, used, min, max, histogram and bytes agree";
		return -1;
	}
	if (++r->ntables == r->levels - 1)
		ps->stage = ST_PGTABLES;
	return 0;
}

static int parse_rollup(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	unsigned long start, end;

	if (n < 2 || !range(tok[1], &start, &end) || smaps_fields(tok + 2, n - 2, r->rollup_sm)) {
		ps->why = "the rollup line: a range and the 23 smaps fields";
		return -1;
	}
	if (r->nvmas ? start != ps->first_start || end != ps->prev_end :
	    start || end) {
		ps->why = "a rollup range from the first VMA's start to the last one's end";
		return -1;
	}
	r->rollup.start = start;
	r->rollup.end = end;
	return 0;
}

static int parse_end(struct vmviz_report *r, struct parser *ps, char **tok, int n)
{
	if (ps->in_vma)
		return bad(ps, "a sum line for the last VMA, then the end line");
	if (n < 5 || strcmp(tok[1], "vmas") || strcmp(tok[3], "pagelines") ||
	    !dec(tok[2], &ps->end_vmas) || !dec(tok[4], &ps->end_pages))
		return bad(ps, "the end line: end vmas N pagelines N, decimal");
	ps->stage = ST_DONE;
	return 0;
}

/* Words that may start a line of each stage, for messages. */
static const char *const expected[] = {
	[ST_DETAIL] = "the report or detail line",
	[ST_REPORT] = "the report line", [ST_TASK] = "the task line",
	[ST_MM] = "the mm line", [ST_GEOMETRY] = "the geometry line",
	[ST_SPACE] = "a space line", [ST_FIELD] = "a field line",
	[ST_COUNTER] = "a counter line", [ST_SEGMENT] = "a segment line",
	[ST_BODY] = "a vma, page, sum or end line",
	[ST_TABLE] = "a table line", [ST_PGTABLES] = "the pgtables line",
	[ST_ROLLUP] = "the rollup line", [ST_END] = "the end line",
	[ST_DONE] = "nothing after the end line",
};

static int parse_line(struct vmviz_report *r, struct parser *ps, char *line)
{
	static const char *const spaces[] = { "user", "hole", "kernel" };
	char *tok[MAX_TOKENS];
	bool indented = !strncmp(line, "  ", 2) && line[2] != ' ';
	unsigned long x;
	int n = split(line, tok), i;

	ps->why = NULL;
	if (n < 0)
		return bad(ps, "a line of at most 256 words");
	if (n == 0)
		return bad(ps, "a line with words (not an empty or blank line)");
	if (line[0] == ' ' && !indented)
		return bad(ps, "no blank at the start of a line, but two before a page line");
	if (indented && ps->stage != ST_BODY)
		return bad(ps, expected[ps->stage]);
	switch (ps->stage) {
	case ST_DETAIL:
		/* Frame detail: "detail frames" right after the version line. */
		ps->stage++;
		if (!strcmp(tok[0], "detail")) {
			if (n < 2 || n > 3 || strcmp(tok[1], "frames") ||
			    (n == 3 && strcmp(tok[2], "tables"))) {
				return bad(ps,
					   "detail frames, or detail frames tables (no other detail)");
			}
			r->frames = true;
			r->uppers = n == 3;
			return 0;
		}
		fallthrough;
	case ST_REPORT:
		if (strcmp(tok[0], "report"))
			break;
		ps->stage++;
		return parse_report(r, ps, tok, n);
	case ST_TASK:
		if (strcmp(tok[0], "task"))
			break;
		ps->stage++;
		return parse_task(r, ps, tok, n);
	case ST_MM:
		if (strcmp(tok[0], "mm"))
			break;
		ps->stage++;
		return parse_mm(r, ps, tok, n);
	case ST_GEOMETRY:
		if (strcmp(tok[0], "geometry"))
			break;
		ps->stage++;
		ps->n = 0;
		return parse_geometry(r, ps, tok, n);
	case ST_SPACE: {
		struct vmviz_range *sp[] = { &r->user, &r->hole, &r->kernel };
		struct vmviz_range *s;

		if (strcmp(tok[0], "space"))
			break;
		s = sp[ps->n];
		if (n < 5 || strcmp(tok[1], spaces[ps->n]) || strcmp(tok[3], "size") ||
		    !range(tok[2], &s->start, &s->end))
			return bad(ps, ps->n == 0 ? "space user START-LAST size SIZE" :
				   ps->n == 1 ? "space hole START-LAST size SIZE" :
				   "space kernel START-LAST size SIZE");
		/* user from 0, then the hole, then the kernel half up to 2^64 - 1. */
		if (s->end < s->start || s->start != (ps->n ? sp[ps->n - 1]->end + 1 : 0) ||
		    (ps->n == 2 && s->end != ~0UL) || (ps->n < 2 && s->end == ~0UL))
			return bad(ps,
				   "space lines user from 0, hole, kernel up to ffffffffffffffff, each starting after the one before");
		if (!size_word(tok[4], (unsigned long long)(s->end - s->start) + 1) &&
		    !(ps->n == 2 && s->start == 0))
			return bad(ps,
				   "the size of the space range, in the largest unit that divides it (B K M G T P E)");
		if (++ps->n == 3) {
			ps->stage = r->has_mm ? ST_FIELD : ST_BODY;
			ps->n = 0;
		}
		return 0;
	}
	case ST_FIELD:
		if (strcmp(tok[0], "field"))
			break;
		if (n < 3 || strcmp(tok[1], vmviz_field_names[ps->n]))
			return bad(ps,
				   "the field lines in their order: task_size start_code end_code start_data end_data start_brk brk start_stack arg_start arg_end env_start env_end mmap_base");
		if (!hexw(tok[2], 16, &x))
			return bad(ps, "a field value of 16 lower-case hex digits");
		r->fields[ps->n] = x;
		if (++ps->n == VMVIZ_NFIELDS) {
			ps->stage++;
			ps->n = 0;
		}
		return 0;
	case ST_COUNTER:
		if (strcmp(tok[0], "counter"))
			break;
		if (n < 3 || strcmp(tok[1], vmviz_counter_names[ps->n]))
			return bad(ps,
				   "the counter lines in their order: total_vm locked_vm pinned_vm data_vm exec_vm stack_vm rss_file rss_anon rss_shmem swap_ents");
		if (!dec(tok[2], &x))
			return bad(ps, "a counter value as a decimal number");
		r->counters[ps->n] = x;
		if (++ps->n == VMVIZ_NCOUNTERS) {
			ps->stage++;
			ps->n = 0;
		}
		return 0;
	case ST_SEGMENT:
		if (strcmp(tok[0], "segment"))
			break;
		i = ps->n;
		if (n < 5 || strcmp(tok[1], vmviz_seg_names[i]) || strcmp(tok[3], "size"))
			return bad(ps,
				   "the segment lines in their order: code data bss heap mmap stack args env vdso vvar, each START-END size SIZE");
		if (!range(tok[2], &r->segs[i].start, &r->segs[i].end) ||
		    r->segs[i].end < r->segs[i].start)
			return bad(ps,
				   "a segment range START-END of 16 hex digits each, START not above END");
		if (!size_word(tok[4], r->segs[i].end - r->segs[i].start))
			return bad(ps,
				   "the size of the segment range, in the largest unit that divides it (B K M G T P E)");
		if (++ps->n == VMVIZ_NSEGS)
			ps->stage++;
		return 0;
	case ST_BODY:
		if (indented && !strcmp(tok[0], "upper"))
			return parse_upper(r, ps, tok, n);
		if (indented)
			return parse_page(r, ps, tok, n);
		if (!strcmp(tok[0], "vma")) {
			if (!r->has_mm)
				break;
			if (ps->in_vma)
				return bad(ps, "a sum line for the VMA before, then this vma line");
			return parse_vma(r, ps, tok, n);
		}
		if (!strcmp(tok[0], "sum"))
			return parse_sum(r, ps, tok, n);
		if (!r->frames && !strcmp(tok[0], "end"))
			return parse_end(r, ps, tok, n);
		if (r->frames && !strcmp(tok[0], "table")) {
			if (ps->in_vma)
				return bad(ps, "a sum line for the last VMA, then the table lines");
			ps->stage = ST_TABLE;
			return parse_table(r, ps, tok, n);
		}
		break;
	case ST_TABLE:
		if (strcmp(tok[0], "table"))
			break;
		return parse_table(r, ps, tok, n);
	case ST_PGTABLES:
		if (strcmp(tok[0], "pgtables"))
			break;
		if (n < 5 || strcmp(tok[1], "deposited") || strcmp(tok[3], "bytes") ||
		    !dec(tok[2], &r->deposited) || !dec(tok[4], &r->pgtables_bytes))
			return bad(ps, "the pgtables line: pgtables deposited N bytes N, decimal");
		ps->stage++;
		return 0;
	case ST_ROLLUP:
		if (strcmp(tok[0], "rollup"))
			break;
		ps->stage++;
		return parse_rollup(r, ps, tok, n);
	case ST_END:
		if (strcmp(tok[0], "end"))
			break;
		return parse_end(r, ps, tok, n);
	case ST_DONE:
		break;
	}
	ps->why = ps->stage == ST_BODY && r->frames ? "a vma, page, sum or table line" :
		  expected[ps->stage];
	return -1;
}

/* Up to 80 bytes of a line of the report, safe to print. */
static const char *quote_line(const char *line, size_t n, char *buf, size_t len)
{
	char raw[81];

	if (n > 80)
		n = 80;
	memcpy(raw, line, n);
	raw[n] = '\0';
	return vmviz_esc(raw, buf, len);
}

/*
 * The next line of the report into r->ps->line, without its newline; its
 * length, or -1 at the end of the report. Refuses a line cut short and a
 * NUL byte.
 */
static ssize_t read_line(struct vmviz_report *r)
{
	struct vmviz_parser *p = r->ps;
	ssize_t n;

	errno = 0;
	n = getline(&p->line, &p->cap, r->in);
	if (n < 0) {
		if (ferror(r->in))
			err(VMVIZ_EXIT_FAILURE, "cannot read %s", r->source);
		return -1;
	}
	p->lineno++;
	if (p->line[n - 1] != '\n')
		vmviz_die(VMVIZ_EXIT_FORMAT,
			  "%s: truncated report (line %d is cut short: no newline)",
			  r->source, p->lineno);
	p->line[--n] = '\0';
	if (strlen(p->line) != (size_t)n)
		vmviz_die(VMVIZ_EXIT_FORMAT, "%s: a NUL byte in the report: not a vmviz report",
			  r->source);
	return n;
}

/* The version line: exactly "vmviz-format 2". */
static void check_version(struct vmviz_report *r)
{
	static const char tag[] = "vmviz-format ";
	struct vmviz_parser *p = r->ps;
	char want[32], buf[400];
	ssize_t len = getline(&p->line, &p->cap, r->in);
	const char *v;
	size_t n;

	if (len < 0 && ferror(r->in))
		err(VMVIZ_EXIT_FAILURE, "cannot read %s", r->source);
	if (len < 0 || strncmp(p->line, tag, sizeof(tag) - 1) ||
	    strlen(p->line) != (size_t)len)
		vmviz_die(VMVIZ_EXIT_FORMAT, "%s: not a vmviz report (no vmviz-format line)",
			  r->source);
	if (p->line[len - 1] != '\n')
		vmviz_die(VMVIZ_EXIT_FORMAT, "%s: truncated report (it ends in its first line)",
			  r->source);
	p->lineno = 1;
	v = p->line + sizeof(tag) - 1;
	n = len - 1 - (sizeof(tag) - 1);
	snprintf(want, sizeof(want), "%d", VMVIZ_FORMAT_VERSION);
	if (n == strlen(want) && !strncmp(v, want, n)) {
		r->version = VMVIZ_FORMAT_VERSION;
		return;
	}
	if (n == 1 && *v == '1')
		vmviz_die(VMVIZ_EXIT_FORMAT,
			  "%s: the report is format 1; this vmviz reads format %d only (load a vmviz module of the same version)",
			  r->source, VMVIZ_FORMAT_VERSION);
	vmviz_die(VMVIZ_EXIT_FORMAT,
		  "%s: report format '%s' is not known to this vmviz (it reads format %d only)",
		  r->source, quote_line(v, n, buf, sizeof(buf)), VMVIZ_FORMAT_VERSION);
}

/* Parse the line read last, or exit naming it and what was expected. */
static void parse_one(struct vmviz_report *r, size_t n)
{
	struct vmviz_parser *p = r->ps;
	char quoted[400];

	if (n + 1 > p->copy_cap) {
		p->copy_cap = n + 1;
		free(p->copy);
		p->copy = malloc(p->copy_cap);
		if (!p->copy)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
	}
	memcpy(p->copy, p->line, n + 1);
	p->ps.item = VMVIZ_END;
	if (parse_line(r, &p->ps, p->line))
		vmviz_die(VMVIZ_EXIT_FORMAT, "%s: line %d does not follow format %d%s%s: %s",
			  r->source, p->lineno, r->version, p->ps.why ? ": expected " : "",
			  p->ps.why ? p->ps.why : "",
			  quote_line(p->copy, n, quoted, sizeof(quoted)));
}

/* The end of the report: it must have been whole. */
static void check_end(struct vmviz_report *r)
{
	struct parser *ps = &r->ps->ps;

	if (ps->stage != ST_DONE)
		vmviz_die(VMVIZ_EXIT_FORMAT,
			  "%s: truncated report (no end line after line %d; expected %s)",
			  r->source, r->ps->lineno, expected[ps->stage]);
	if (ps->end_vmas != (unsigned long)r->nvmas || ps->end_pages != (unsigned long)r->npages)
		vmviz_die(VMVIZ_EXIT_FORMAT,
			  "%s: truncated report (its end line counts %lu VMA and %lu page lines, %d and %ld were read)",
			  r->source, ps->end_vmas, ps->end_pages, r->nvmas, r->npages);
}

/*
 * Read the header: the lines up to the first of the body (vma, table or
 * end line), which is read again by vmviz_next().
 */
static void read_header(struct vmviz_report *r)
{
	struct vmviz_parser *p = calloc(1, sizeof(*p));
	ssize_t n;

	if (!p)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	r->ps = p;
	p->ps.stage = ST_DETAIL;
	check_version(r);
	for (;;) {
		off_t at = ftello(r->in);

		if (p->ps.stage == ST_BODY) {
			p->body = p->ps;
			p->body_off = at;
			p->body_lineno = p->lineno;
			return;
		}
		n = read_line(r);
		if (n < 0)
			break;
		parse_one(r, n);
	}
	check_end(r);
}

/**
 * vmviz_next - read the next line of the body of a report
 * @r: a loaded report
 *
 * Checks the line against docs/FORMAT.md, with what the lines before it
 * say, and exits with VMVIZ_EXIT_FORMAT naming it if it does not follow
 * the format; at the end, exits if the report was truncated (no end line,
 * or one that counts other VMA and page lines than were read).
 *
 * Return: VMVIZ_VMA (r->vma is its vma line), VMVIZ_PAGE (r->page),
 * VMVIZ_UPPER (r->upper, frame detail with tables), VMVIZ_SUM (r->vma has
 * its sums), or VMVIZ_END after the whole report.
 * The other lines of the body (table, pgtables, rollup) fill in @r.
 */
enum vmviz_item vmviz_next(struct vmviz_report *r)
{
	struct vmviz_parser *p = r->ps;
	ssize_t n;

	while ((n = read_line(r)) >= 0) {
		parse_one(r, n);
		switch (p->ps.item) {
		case VMVIZ_VMA:
			if (r->keep & VMVIZ_KEEP_VMAS) {
				struct vmviz_vma *v;

				r->vmas = grow(r->vmas, r->nvmas - 1, sizeof(*v));
				v = &r->vmas[r->nvmas - 1];
				/* Not vm (no view that keeps VMAs shows it); a name once a run. */
				*v = r->vma;
				v->vm = NULL;
				if (r->nvmas > 1 && !strcmp(v[-1].name, r->vma.name))
					v->name = v[-1].name;
				else
					v->name = strdup(r->vma.name);
				if (!v->name)
					err(VMVIZ_EXIT_FAILURE, "out of memory");
			}
			return VMVIZ_VMA;
		case VMVIZ_PAGE:
			if (r->keep & VMVIZ_KEEP_PAGES && r->page.end > r->keep_lo &&
			    r->page.start < r->keep_hi) {
				r->pages = grow(r->pages, r->nkept, sizeof(*r->pages));
				r->pages[r->nkept++] = r->page;
			}
			return VMVIZ_PAGE;
		case VMVIZ_SUM:
			if (r->keep & VMVIZ_KEEP_VMAS) {
				struct vmviz_vma *v = &r->vmas[r->nvmas - 1];
				char *name = v->name;

				*v = r->vma;
				v->name = name;
				v->vm = NULL;
			}
			return VMVIZ_SUM;
		case VMVIZ_UPPER:
			return VMVIZ_UPPER;
		case VMVIZ_END:
			break;
		}
	}
	check_end(r);
	return VMVIZ_END;
}

/**
 * vmviz_next_vma - read on to the next VMA's sum line
 * @r: a loaded report
 *
 * Return: the VMA with its sums (r->vma), or NULL after the whole report.
 */
const struct vmviz_vma *vmviz_next_vma(struct vmviz_report *r)
{
	enum vmviz_item it;

	while ((it = vmviz_next(r)) != VMVIZ_END)
		if (it == VMVIZ_SUM)
			return &r->vma;
	return NULL;
}

/* Forget what was kept of the body. */
static void free_kept(struct vmviz_report *r)
{
	int i;

	for (i = 0; r->vmas && i < r->nvmas; i++)
		if (!i || r->vmas[i].name != r->vmas[i - 1].name)
			free(r->vmas[i].name);
	free(r->vmas);
	free(r->pages);
	r->vmas = NULL;
	r->pages = NULL;
	r->nkept = 0;
}

/**
 * vmviz_rewind - read the body of a report again from its first line
 * @r: a loaded report
 *
 * What was kept is dropped; r->keep stays.
 */
void vmviz_rewind(struct vmviz_report *r)
{
	struct vmviz_parser *p = r->ps;

	free_kept(r);
	if (fseeko(r->in, p->body_off, SEEK_SET))
		err(VMVIZ_EXIT_FAILURE, "cannot read %s again", r->source);
	p->ps = p->body;
	p->lineno = p->body_lineno;
	r->nvmas = 0;
	r->npages = 0;
	r->nuppers = 0;
	r->partial = 0;
	r->ntables = 0;
}

/**
 * vmviz_read_all - read the body of a report, keeping what @keep says
 * @r: a loaded report, rewound if it was read before
 * @keep: VMVIZ_KEEP_*; VMVIZ_KEEP_PAGES keeps those of r->keep_lo..keep_hi
 */
void vmviz_read_all(struct vmviz_report *r, unsigned int keep)
{
	vmviz_rewind(r);
	r->keep = keep;
	while (vmviz_next(r) != VMVIZ_END)
		;
}

/**
 * vmviz_tmpfile - a temporary file, in TMPDIR (or /tmp), gone when closed
 *
 * Return: the file open for writing and reading, or NULL with errno set.
 */
FILE *vmviz_tmpfile(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	FILE *f;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if (snprintf(path, sizeof(path), "%s/vmviz.XXXXXX", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);
	f = fdopen(fd, "w+");
	if (!f)
		close(fd);
	return f;
}

/*
 * A seekable copy of @fd, a temporary file deleted when closed: the body
 * of a live report (or a pipe) is read again from it, not from memory.
 */
static FILE *spool(int fd, const char *what)
{
	char buf[1 << 16];
	FILE *f = vmviz_tmpfile();
	ssize_t n;

	if (!f)
		err(VMVIZ_EXIT_FAILURE, "cannot make a temporary file for %s", what);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (fwrite(buf, 1, n, f) != (size_t)n)
			err(VMVIZ_EXIT_FAILURE, "cannot write a temporary copy of %s", what);
	}
	if (n < 0) {
		int e = errno;

		fclose(f);
		errno = e;
		return NULL;
	}
	if (fflush(f) || fseeko(f, 0, SEEK_SET))
		err(VMVIZ_EXIT_FAILURE, "cannot write a temporary copy of %s", what);
	return f;
}

void vmviz_load_file(const char *path, struct vmviz_report *r)
{
	struct stat st;
	int fd;

	memset(r, 0, sizeof(*r));
	vmviz_esc(path, r->source, sizeof(r->source));
	fd = !strcmp(path, "-") ? dup(STDIN_FILENO) : open(path, O_RDONLY);
	if (fd < 0)
		err(VMVIZ_EXIT_FAILURE, "cannot open %s", r->source);
	/* A pipe cannot be read twice: a copy of it can. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		r->in = spool(fd, r->source);
		if (!r->in)
			err(VMVIZ_EXIT_FAILURE, "cannot read %s", r->source);
		close(fd);
	} else {
		r->in = fdopen(fd, "r");
		if (!r->in)
			err(VMVIZ_EXIT_FAILURE, "cannot read %s", r->source);
	}
	read_header(r);
}

/* Write the report as it was read to @path (the demo's --save). */
void vmviz_save(struct vmviz_report *r, const char *path)
{
	char buf[1 << 16];
	off_t at = ftello(r->in);
	FILE *f = fopen(path, "w");
	size_t n;

	if (!f || fseeko(r->in, 0, SEEK_SET))
		err(VMVIZ_EXIT_FAILURE, "cannot write %s", path);
	while ((n = fread(buf, 1, sizeof(buf), r->in)) > 0)
		if (fwrite(buf, 1, n, f) != n)
			err(VMVIZ_EXIT_FAILURE, "cannot write %s", path);
	if (ferror(r->in) || fclose(f) || fseeko(r->in, at, SEEK_SET))
		err(VMVIZ_EXIT_FAILURE, "cannot write %s", path);
}

/* Write a PID to a control file; 0 or an errno. */
static int control(const char *file, pid_t pid)
{
	char path[64], s[24];
	int fd, e = 0;

	snprintf(path, sizeof(path), VMVIZ_DIR "/%s", file);
	snprintf(s, sizeof(s), "%d\n", pid);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		e = errno;
	close(fd);
	return e;
}

static void need_module(void)
{
	if (access(VMVIZ_DIR, F_OK))
		vmviz_die(VMVIZ_EXIT_NOMODULE,
			  "%s does not exist: the vmviz module is not loaded (modprobe vmviz, or insmod vmviz.ko)",
			  VMVIZ_DIR);
}

/* The report of @pid exists, but this reader may not open it. */
static void perm_denied(pid_t pid)
{
	vmviz_die(VMVIZ_EXIT_PERM,
		  "permission denied: the report of PID %d opens for whoever may read /proc/%d/pagemap (its owner, or root)",
		  pid, pid);
}

/* No report of @pid, and this reader may not track it. */
static void track_denied(pid_t pid)
{
	vmviz_die(VMVIZ_EXIT_PERM,
		  "permission denied: no %s/%d, and tracking it needs root (CAP_SYS_ADMIN): the module was loaded with all=0",
		  VMVIZ_DIR, pid);
}

/*
 * The text of the live report of @pid into a temporary file, unparsed: tracks @pid
 * unless someone already did, reads /proc/vmviz/PID whole and untracks what
 * it tracked. A process that exits before or while it is read is reported
 * as such (ESRCH at open or read).
 */
static void read_pid(pid_t pid, bool frames, struct vmviz_report *r)
{
	char path[64];
	bool tracked_here = false;
	FILE *text;
	int fd, e;

	memset(r, 0, sizeof(*r));
	snprintf(r->source, sizeof(r->source), "pid %d", pid);
	need_module();
	if (frames && access(VMVIZ_DIR "/frames", F_OK))
		vmviz_die(VMVIZ_EXIT_NOMODULE,
			  "%s/frames does not exist: this vmviz module has no frame detail",
			  VMVIZ_DIR);
	/* The frame detail of a PID exists while its report does. */
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", pid);
	if (access(path, F_OK)) {
		e = control("track", pid);
		if (e == EACCES || e == EPERM)
			track_denied(pid);
		if (e == ESRCH)
			vmviz_die(VMVIZ_EXIT_NOPROC, "no process with PID %d", pid);
		if (e)
			vmviz_die(VMVIZ_EXIT_FAILURE, "cannot track PID %d: %s", pid,
				  strerror(e));
		tracked_here = true;
	}
	if (frames)
		snprintf(path, sizeof(path), VMVIZ_DIR "/frames/%d", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		e = errno;
		if (tracked_here)
			control("untrack", pid);
		if (e == EACCES || e == EPERM)
			perm_denied(pid);
		if (e == ESRCH || e == ENOENT)
			vmviz_die(VMVIZ_EXIT_NOPROC, "no process with PID %d (it exited)", pid);
		vmviz_die(VMVIZ_EXIT_FAILURE, "cannot open %s: %s", path, strerror(e));
	}
	text = spool(fd, r->source);
	e = errno;
	close(fd);
	if (tracked_here)
		control("untrack", pid);
	if (!text && e == ESRCH)
		vmviz_die(VMVIZ_EXIT_VANISHED, "process %d exited while its report was read", pid);
	if (!text)
		vmviz_die(VMVIZ_EXIT_FAILURE, "cannot read %s: %s", path, strerror(e));
	r->in = text;
}

/**
 * vmviz_load_pid - read and parse the live report of @pid
 * @pid: a process (or thread) ID in our PID namespace
 * @r: filled in
 */
void vmviz_load_pid(pid_t pid, struct vmviz_report *r)
{
	vmviz_load_pid_frames(pid, false, r);
}

/**
 * vmviz_load_pid_frames - read and parse a live report, or its frame detail
 * @pid: a process (or thread) ID in our PID namespace
 * @frames: read /proc/vmviz/frames/PID instead of /proc/vmviz/PID
 * @r: filled in
 */
void vmviz_load_pid_frames(pid_t pid, bool frames, struct vmviz_report *r)
{
	read_pid(pid, frames, r);
	read_header(r);
}

/**
 * vmviz_load_pids - the live reports of two processes, read back to back
 * @a: the first PID
 * @b: the second
 * @ra: filled in for @a
 * @rb: filled in for @b
 *
 * Both texts are read before either is parsed, so the two describe moments
 * as close as the reader can make them: a report is no snapshot, and the
 * reader itself may be one of the two.
 */
void vmviz_load_pids(pid_t a, pid_t b, struct vmviz_report *ra, struct vmviz_report *rb)
{
	vmviz_load_pids_frames(a, b, false, ra, rb);
}

/* vmviz_load_pids(), of the frame detail files if @frames. */
void vmviz_load_pids_frames(pid_t a, pid_t b, bool frames, struct vmviz_report *ra,
			    struct vmviz_report *rb)
{
	read_pid(a, frames, ra);
	read_pid(b, frames, rb);
	read_header(ra);
	read_header(rb);
}

void vmviz_free(struct vmviz_report *r)
{
	free_kept(r);
	if (r->in)
		fclose(r->in);
	if (r->ps) {
		free(r->ps->line);
		free(r->ps->copy);
		free(r->ps);
	}
	free(r->vma.name);
	free(r->vma.vm);
	free(r->comm);
	free(r->kernel_release);
	memset(r, 0, sizeof(*r));
}

const struct vmviz_vma *vmviz_vma_at(const struct vmviz_report *r, unsigned long addr)
{
	int lo = 0, hi = r->nvmas - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (addr < r->vmas[mid].start)
			hi = mid - 1;
		else if (addr >= r->vmas[mid].end)
			lo = mid + 1;
		else
			return &r->vmas[mid];
	}
	return NULL;
}

/* The page line of @r covering @addr, or NULL (binary search). */
const struct vmviz_page *vmviz_page_at(const struct vmviz_report *r, unsigned long addr)
{
	int lo = 0, hi = r->nkept - 1;

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

/**
 * vmviz_page_pfn - the frame (or swap offset) of the 4K page at @addr
 * @p: a page line holding @addr
 * @addr: the address
 * @pfn: the frame
 *
 * With k base pages per entry and i = (addr - start) / 4096, as format 2
 * defines it: '+' pfn + i (entries ascend), '=' pfn + (i mod k) (every entry
 * carries one value), '-' pfn - (i div k) * k + (i mod k) (entries descend,
 * the pages inside one entry still ascend).
 */
bool vmviz_page_pfn(const struct vmviz_page *p, unsigned long addr, unsigned long *pfn)
{
	unsigned long i, k;

	if (addr < p->start || addr >= p->end)
		return false;
	i = (addr - p->start) >> 12;
	k = p->entry_size >> 12;
	switch (p->step) {
	case '=':
		*pfn = p->pfn + i % k;
		break;
	case '-':
		*pfn = p->pfn - i / k * k + i % k;
		break;
	default:
		*pfn = p->pfn + i;
		break;
	}
	return true;
}

/**
 * vmviz_upper_table - the table the entry of an upper line at @addr points to
 * @u: an upper line holding @addr
 * @addr: the address
 * @table: its PFN
 *
 * One table per entry: with i = (addr - start) / span, '+' table + i,
 * '-' table - i, '=' table.
 */
bool vmviz_upper_table(const struct vmviz_upper *u, unsigned long addr, unsigned long *table)
{
	unsigned long i;

	if (addr < u->start || addr >= u->end)
		return false;
	i = (addr - u->start) / u->entry_size;
	*table = u->step == '+' ? u->table + i : u->step == '-' ? u->table - i : u->table;
	return true;
}

/*
 * A size for people: 4K, 132K, 1.5M; a size that is no whole number of its
 * unit never looks like one (4104 bytes is 4.01K, not 4K).
 */
void vmviz_human_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned int u = 0, prec;
	double v = bytes;

	while (u < sizeof(units) - 2 && v >= 1024) {
		v /= 1024;
		u++;
	}
	if (!u || !(bytes & ((1ULL << (10 * u)) - 1))) {
		snprintf(buf, len, "%.0f%c", v, units[u]);
		return;
	}
	for (prec = 1; prec <= 2; prec++) {
		double shown;

		snprintf(buf, len, "%.*f", prec, v);
		shown = strtod(buf, NULL);
		if (shown != (double)(unsigned long long)shown) {
			snprintf(buf, len, "%.*f%c", prec, v, units[u]);
			return;
		}
	}
	/* Within 0.5% of a whole number of units, and not it: say so. */
	snprintf(buf, len, "~%.0f%c", v, units[u]);
}

/* An address in hex (either case), with or without 0x; at most 16 digits. */
bool vmviz_parse_addr(const char *s, unsigned long *addr)
{
	char *end;

	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	if (!*s || strlen(s) > 16 || strspn(s, "0123456789abcdefABCDEF") != strlen(s))
		return false;
	*addr = strtoul(s, &end, 16);
	return true;
}
