// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: the command line. One table of options and one of commands
 * feed getopt, --help and the checks of which option applies to which view;
 * the view gets the report(s) read live or from files.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "vmviz.h"

#define VMVIZ_VERSION	"2.1"

/* The commands an option applies to, as bits. */
enum {
	C_OVERVIEW = 1 << 0, C_MAPS = 1 << 1, C_PAGES = 1 << 2, C_COMPARE = 1 << 3,
	C_SVG = 1 << 4, C_DEMO = 1 << 5, C_WATCH = 1 << 6, C_MEM = 1 << 7,
	C_PGTABLES = 1 << 8, C_KERNEL = 1 << 9, C_EXPLAIN = 1 << 10,
	C_TABLES = C_MAPS | C_PAGES | C_COMPARE | C_MEM,
	C_ALL = C_OVERVIEW | C_TABLES | C_SVG | C_DEMO | C_WATCH | C_PGTABLES | C_KERNEL |
		C_EXPLAIN,
	/* Commands that read the frame detail of a live PID, always or with --frames. */
	C_FRAMES = C_MEM | C_PGTABLES,
};

enum {
	OPT_COLOR = 256, OPT_COLOUR, OPT_SAVE, OPT_BYTES, OPT_WIDTH, OPT_ALL, OPT_NAME,
	OPT_SEG, OPT_PERM, OPT_STATE, OPT_RANGE, OPT_TOTAL, OPT_COUNT, OPT_FRAMES,
	OPT_KHALF,
};

struct vmviz_option {
	const char *name;
	int val;		/* the short option, or OPT_* */
	int has_arg;
	const char *arg;	/* its name in --help */
	unsigned int cmds;	/* C_* it applies to */
	const char *help;
};

/* Every option: getopt_long, --help, vmviz.8 and the completion follow it. */
static const struct vmviz_option options[] = {
	{ "file", 'f', required_argument, "REPORT",
	  C_OVERVIEW | C_TABLES | C_SVG | C_PGTABLES | C_WATCH | C_KERNEL | C_EXPLAIN,
	  "read a saved report (from /proc/vmviz/PID, frames/PID or kernel) instead of a PID" },
	{ "frames", OPT_FRAMES, no_argument, NULL, C_PAGES | C_COMPARE,
	  "read the frame detail of a PID (/proc/vmviz/frames/PID): frame columns" },
	{ "output", 'o', required_argument, "LIST", C_TABLES | C_DEMO | C_WATCH | C_PGTABLES,
	  "columns to print (-o +LIST adds to the defaults)" },
	{ "sort", 's', required_argument, "COLUMN", C_TABLES,
	  "rows by COLUMN: sizes and counts largest first, names and addresses in order" },
	{ "json", 'J', no_argument, NULL,
	  C_OVERVIEW | C_TABLES | C_PGTABLES | C_WATCH | C_EXPLAIN,
	  "JSON output (watch: a line of JSON a read)" },
	{ "raw", 'r', no_argument, NULL, C_TABLES | C_DEMO | C_WATCH | C_PGTABLES,
	  "raw output: no alignment, no prose" },
	{ "noheadings", 'n', no_argument, NULL,
	  C_TABLES | C_DEMO | C_WATCH | C_PGTABLES | C_KERNEL,
	  "no column headings (and no prose header)" },
	{ "bytes", OPT_BYTES, no_argument, NULL, C_MAPS | C_PAGES | C_MEM | C_PGTABLES | C_KERNEL,
	  "sizes in bytes, not 4K, 1.5M" },
	{ "width", OPT_WIDTH, required_argument, "N",
	  C_OVERVIEW | C_TABLES | C_DEMO | C_WATCH | C_PGTABLES | C_EXPLAIN,
	  "fit N columns (default: COLUMNS, the terminal, or 80)" },
	{ "all", OPT_ALL, no_argument, NULL, C_OVERVIEW | C_SVG,
	  "one box per VMA: do not fold repeated VMAs" },
	{ "khalf", OPT_KHALF, required_argument, "FILE", C_OVERVIEW | C_SVG,
	  "the kernel half's regions from FILE (a saved /proc/vmviz/kernel)" },
	{ "name", OPT_NAME, required_argument, "GLOB", C_TABLES | C_OVERVIEW | C_SVG,
	  "only VMAs whose name matches GLOB ('*libc*', '[heap]' quoted as '\\[heap]')" },
	{ "seg", OPT_SEG, required_argument, "LIST", C_TABLES | C_OVERVIEW | C_SVG,
	  "only VMAs of these segments (code,data,bss,heap,mmap,stack,image,...)" },
	{ "perm", OPT_PERM, required_argument, "LETTERS", C_TABLES | C_OVERVIEW | C_SVG,
	  "only VMAs with all these permission letters (rwxsp): --perm wx" },
	{ "state", OPT_STATE, required_argument, "LIST", C_MAPS | C_PAGES | C_OVERVIEW | C_SVG,
	  "pages: only runs in these states (swap,present,...); others: VMAs with one" },
	{ "range", OPT_RANGE, required_argument, "RANGE",
	  C_MAPS | C_COMPARE | C_MEM | C_OVERVIEW | C_SVG,
	  "only VMAs overlapping START-END or START+LEN (hex)" },
	{ "total", OPT_TOTAL, no_argument, NULL, C_MAPS | C_PAGES,
	  "a totals row (compare always has one)" },
	{ "count", OPT_COUNT, required_argument, "N", C_WATCH,
	  "watch: stop after N comparisons (default: Ctrl-C stops)" },
	{ "color", OPT_COLOR, optional_argument, "WHEN", C_OVERVIEW | C_DEMO,
	  "colour the overview: auto (default), always, never" },
	{ "colour", OPT_COLOUR, optional_argument, "WHEN", C_OVERVIEW | C_DEMO,
	  "the same as --color" },
	{ "save", OPT_SAVE, required_argument, "DIR", C_DEMO,
	  "demo: also write every report it reads to DIR" },
	{ "help", 'h', no_argument, NULL, C_ALL, "this help" },
	{ "version", 'V', no_argument, NULL, C_ALL, "the version" },
};

struct args {
	struct vmviz_out out;
	const char *files[2], *color, *save;
	bool all, frames;
	const char *pos[3];		/* positional arguments after the command */
	int nfiles, npos;
	unsigned long addr;		/* explain's ADDR */
};

struct command {
	const char *name;
	unsigned int bit;
	int nreports;
	const char *usage, *help;
	int (*run)(struct args *a, struct vmviz_report *r);
};

static int run_overview(struct args *a, struct vmviz_report *r);
static int run_maps(struct args *a, struct vmviz_report *r);
static int run_pages(struct args *a, struct vmviz_report *r);
static int run_compare(struct args *a, struct vmviz_report *r);
static int run_svg(struct args *a, struct vmviz_report *r);
static int run_mem(struct args *a, struct vmviz_report *r);
static int run_tables(struct args *a, struct vmviz_report *r);
static int run_explain(struct args *a, struct vmviz_report *r);

static const struct command commands[] = {
	{ "overview", C_OVERVIEW, 1, "vmviz [options] PID",
	  "overview: the address space, high to low", run_overview },
	{ "maps", C_MAPS, 1, "vmviz maps [options] PID", "the VMA table", run_maps },
	{ "pages", C_PAGES, 1, "vmviz pages [options] PID [ADDR | START-END | START+LEN]",
	  "page-table runs, one a line; with ADDR, the entry holding it, its frame", run_pages },
	{ "compare", C_COMPARE, 2, "vmviz compare [options] PID1 PID2",
	  "two processes, or one read twice: shared, copy-on-write, changed pages",
	  run_compare },
	{ "mem", C_MEM, 1, "vmviz mem [options] PID",
	  "Rss, Pss, Uss, swap per VMA and in total, as smaps (frame detail)",
	  run_mem },
	{ "tables", C_PGTABLES, 1, "vmviz tables [options] PID",
	  "the page-table tree level by level, against VmPTE: frame detail", run_tables },
	{ "explain", C_EXPLAIN, 1, "vmviz explain [options] PID|--file REPORT ADDR",
	  "one address: its VMA, page-table path, leaf, frame; what a read, write, exec do",
	  run_explain },
	{ "svg", C_SVG, 1, "vmviz svg [options] PID [ADDR] > map.svg",
	  "the picture as SVG (a page strip of the VMA at ADDR)", run_svg },
	{ "demo", C_DEMO, 0, "vmviz demo", "fork, vfork, CLONE_VM and thread children compared",
	  NULL },
	{ "watch", C_WATCH, 0, "vmviz watch [options] PID|--file REPORT [SECONDS]",
	  "read PID every SECONDS (2), and say what changed since the read before", NULL },
	{ "kernel", C_KERNEL, 0, "vmviz kernel [options]",
	  "the kernel half as the reader's page tables hold it: regions, leaves, W+X", NULL },
};

static const char pids[] =
	"\nPID is a process or thread ID, or 'self'; with --file, a saved report takes\n"
	"its place (given twice for compare). mem and tables read the frame detail\n"
	"(/proc/vmviz/frames/PID, or a saved one); pages and compare with --frames;\n"
	"explain reads the frame detail where the module has it. ADDR is hex, 0x\n"
	"optional.\n";
static const char watch_pids[] =
	"\nPID is a process or thread ID (not 'self': what changed would be the\n"
	"reader's own reads); with --file, REPORT is read again at each read (a FIFO\n"
	"a job writes reports to, or a file it rewrites). With -J, a line of JSON a\n"
	"read: the first its report, then each what changed since the one before.\n";

/* --help; after a command, only its usage and the options it takes. */
static void usage(FILE *f, const struct command *only)
{
	size_t i;

	fprintf(f, "Usage:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!only || only == &commands[i])
			fprintf(f, " %s\n      %s\n", commands[i].usage, commands[i].help);
	fputs(only && only->bit == C_WATCH ? watch_pids : pids, f);
	fprintf(f, "\nOptions:\n");
	for (i = 0; i < ARRAY_SIZE(options); i++) {
		const struct vmviz_option *o = &options[i];
		char left[40];

		if (only && !(o->cmds & only->bit))
			continue;
		if (o->val < 256)
			snprintf(left, sizeof(left), "-%c, --%s", o->val, o->name);
		else
			snprintf(left, sizeof(left), "    --%s", o->name);
		if (o->has_arg == optional_argument)
			snprintf(left + strlen(left), sizeof(left) - strlen(left), "[=%s]", o->arg);
		else if (o->has_arg)
			snprintf(left + strlen(left), sizeof(left) - strlen(left), " %s", o->arg);
		fprintf(f, " %-22s %s\n", left, o->help);
	}
	fputc('\n', f);
	/* The values --seg and --state take, from the lists that check them. */
	for (i = 0; i < ARRAY_SIZE(options); i++) {
		const char *const *valid = options[i].val == OPT_SEG ? vmviz_vma_segs :
					   options[i].val == OPT_STATE ? vmviz_states : NULL;
		size_t k;

		if (!valid || (only && !(options[i].cmds & only->bit)))
			continue;
		fprintf(f, "Values of --%s:", options[i].name);
		for (k = 0; valid[k]; k++)
			fprintf(f, "%s %s", k ? "," : "", valid[k]);
		fputc('\n', f);
	}
	fputc('\n', f);
	if (!only || (only->bit & (C_TABLES | C_DEMO | C_WATCH | C_PGTABLES)))
		vmviz_columns_help(f, only ? only->name : NULL);
	fprintf(f,
		"Exit status: 0 success, 1 failure, 2 wrong command line (what to type is\n"
		"said), 3 permission denied, 4 no such process, 5 process exited while read,\n"
		"6 unknown, malformed or truncated report, 7 module not loaded. See vmviz(8).\n");
}

static pid_t parse_pid(const char *s)
{
	char *end;
	long v;

	if (!strcmp(s, "self"))
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > 0x7fffffff || !strchr("123456789", *s)) {
		char *e = vmviz_esc_dup(s);

		vmviz_die(VMVIZ_EXIT_USAGE, "not a PID: '%s'", e);
	}
	return v;
}

/*
 * One report: from a file, or live (PID 0 is the reader itself); live, the
 * frame detail if @frames.
 */
static void load(const char *arg, bool is_file, bool frames, struct vmviz_report *r)
{
	pid_t pid;

	if (is_file) {
		vmviz_load_file(arg, r);
		return;
	}
	pid = parse_pid(arg);
	if (!pid) {
		if (access(VMVIZ_DIR, F_OK))
			vmviz_die(VMVIZ_EXIT_NOMODULE,
				  "%s does not exist: the vmviz module is not loaded", VMVIZ_DIR);
		if (frames && access(VMVIZ_DIR "/frames", F_OK))
			vmviz_die(VMVIZ_EXIT_NOMODULE,
				  "%s/frames does not exist: this vmviz module has no frame detail",
				  VMVIZ_DIR);
		vmviz_load_file(frames ? VMVIZ_DIR "/frames/self" : VMVIZ_DIR "/self", r);
		return;
	}
	vmviz_load_pid_frames(pid, frames, r);
}

static bool want_color(const char *when)
{
	const char *nc = getenv("NO_COLOR");

	if (!strcmp(when, "always"))
		return true;
	if (!strcmp(when, "never"))
		return false;
	if (strcmp(when, "auto")) {
		char *e = vmviz_esc_dup(when);

		vmviz_die(VMVIZ_EXIT_USAGE, "--color takes auto, always or never, not '%s'", e);
	}
	return isatty(STDOUT_FILENO) && !(nc && *nc);
}

/* ADDR, START-END or START+LEN (hex); *is_range false for a lone ADDR. */
static void parse_range(const char *s, unsigned long *lo, unsigned long *hi, bool *is_range)
{
	char buf[64], *sep, *e;
	unsigned long len;

	e = vmviz_esc_dup(s);
	if (strlen(s) >= sizeof(buf))
		vmviz_die(VMVIZ_EXIT_USAGE, "not an address or range: '%s'", e);
	snprintf(buf, sizeof(buf), "%s", s);
	sep = strpbrk(buf, "-+");
	*is_range = sep;
	if (sep)
		*sep = '\0';
	if (!vmviz_parse_addr(buf, lo) || (sep && !vmviz_parse_addr(sep + 1, hi)))
		vmviz_die(VMVIZ_EXIT_USAGE,
			  "not an address or range (hex ADDR, START-END or START+LEN): '%s'", e);
	if (sep && *s && s[sep - buf] == '+') {
		len = *hi;
		if (len > ~0UL - *lo)
			vmviz_die(VMVIZ_EXIT_USAGE,
				  "range past the end of the address space: '%s'", e);
		*hi = *lo + len;
	}
	if (sep && *hi <= *lo)
		vmviz_die(VMVIZ_EXIT_USAGE, "empty range (END is exclusive): '%s'", e);
	free(e);
}

/* The width to fit: --width, COLUMNS, the terminal, or 80. */
static int out_width(const char *opt)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long w;

	if (opt || (env && *env)) {
		w = strtol(opt ? opt : env, &end, 10);
		if (!*end && w >= 20 && w <= 10000)
			return w;
		if (opt) {
			char *e = vmviz_esc_dup(opt);

			vmviz_die(VMVIZ_EXIT_USAGE,
				  "--width takes a number from 20 to 10000, not '%s'", e);
		}
	}
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

static void no_extra(struct args *a, int allowed, const char *cmd)
{
	const char *w;
	char *e;

	if (a->npos <= allowed)
		return;
	w = a->pos[allowed];
	e = vmviz_esc_dup(w);
	/* --color's WHEN is optional, so it only comes after '=': say so. */
	if (!strcmp(w, "auto") || !strcmp(w, "always") || !strcmp(w, "never"))
		vmviz_die(VMVIZ_EXIT_USAGE,
			  "%s: extra argument '%s' (--color takes WHEN after '=': --color=%s)",
			  cmd, e, e);
	vmviz_die(VMVIZ_EXIT_USAGE, "%s: extra argument '%s' (try 'vmviz %s--help')", cmd, e,
		  strcmp(cmd, "overview") ? cmd : "");
}

/*
 * A comma-separated filter value (--seg, --state): every word one of
 * @valid, or exit with the valid words.
 */
static void check_list(const char *opt, const char *list, const char *const *valid)
{
	const char *p = list;
	char words[512] = "";
	size_t i;

	for (i = 0; valid[i]; i++)
		snprintf(words + strlen(words), sizeof(words) - strlen(words), "%s%s",
			 i ? ", " : "", valid[i]);
	if (!*list)
		vmviz_die(VMVIZ_EXIT_USAGE, "--%s takes a comma-separated list of: %s", opt,
			  words);
	while (*p) {
		size_t len = strcspn(p, ",");

		for (i = 0; valid[i]; i++)
			if (strlen(valid[i]) == len && !strncmp(valid[i], p, len))
				break;
		if (!valid[i]) {
			char *w = strndup(p, len), *e = vmviz_esc_dup(w ? w : "");

			vmviz_die(VMVIZ_EXIT_USAGE, "--%s: unknown value '%s'; valid values: %s",
				  opt, e, words);
		}
		p += len;
		if (*p == ',' && !*++p)
			vmviz_die(VMVIZ_EXIT_USAGE, "--%s: a list ends with a comma", opt);
	}
}

static int run_overview(struct args *a, struct vmviz_report *r)
{
	no_extra(a, 0, "overview");
	if (a->out.json)
		vmviz_print_overview_json(r, stdout);
	else
		vmviz_print_overview(r, stdout, want_color(a->color), &a->out, a->all);
	return VMVIZ_EXIT_OK;
}

static int run_maps(struct args *a, struct vmviz_report *r)
{
	no_extra(a, 0, "maps");
	vmviz_print_maps(r, &a->out);
	return VMVIZ_EXIT_OK;
}

/* --frames asks for frame detail: a saved report without it is refused, in words. */
static void frames_given(const struct args *a, const struct vmviz_report *r, int n)
{
	int i;

	for (i = 0; a->frames && i < n; i++)
		if (!r[i].frames)
			vmviz_die(VMVIZ_EXIT_FAILURE,
				  "%s: --frames: the report has no frame detail (no 'detail frames' line: it was read from /proc/vmviz/PID, not /proc/vmviz/frames/PID)",
				  r[i].source);
}

static int run_pages(struct args *a, struct vmviz_report *r)
{
	unsigned long lo = 0, hi = ~0UL;
	bool is_range = true;

	frames_given(a, r, 1);
	no_extra(a, 1, "pages");
	if (a->npos)
		parse_range(a->pos[0], &lo, &hi, &is_range);
	if (!is_range)
		return vmviz_print_pages_at(r, &a->out, lo);
	vmviz_print_pages(r, &a->out, lo, hi);
	return VMVIZ_EXIT_OK;
}

static int run_compare(struct args *a, struct vmviz_report *r)
{
	no_extra(a, 0, "compare");
	frames_given(a, r, 2);
	vmviz_print_compare(&r[0], &r[1], &a->out, true);
	return VMVIZ_EXIT_OK;
}

static int run_mem(struct args *a, struct vmviz_report *r)
{
	no_extra(a, 0, "mem");
	vmviz_print_mem(r, &a->out);
	return VMVIZ_EXIT_OK;
}

static int run_tables(struct args *a, struct vmviz_report *r)
{
	no_extra(a, 0, "tables");
	vmviz_print_tables(r, &a->out);
	return VMVIZ_EXIT_OK;
}

static int run_svg(struct args *a, struct vmviz_report *r)
{
	unsigned long addr = 0;

	no_extra(a, 1, "svg");
	if (a->npos && !vmviz_parse_addr(a->pos[0], &addr)) {
		char *e = vmviz_esc_dup(a->pos[0]);

		vmviz_die(VMVIZ_EXIT_USAGE, "svg takes one address (hex), not '%s'", e);
	}
	vmviz_print_svg(r, stdout, addr, a->all, &a->out);
	return VMVIZ_EXIT_OK;
}

static int run_explain(struct args *a, struct vmviz_report *r)
{
	return vmviz_explain(r, &a->out, a->addr);
}

/*
 * explain PID ADDR, or --file REPORT ADDR: ADDR checked before any report
 * is read; live, the frame detail where the module has it.
 */
static void explain_args(struct args *a)
{
	const char *s;
	char *e;

	if (a->nfiles > 1)
		vmviz_die(VMVIZ_EXIT_USAGE, "explain reads one report: --file given twice");
	if (a->npos < (a->nfiles ? 1 : 2))
		vmviz_die(VMVIZ_EXIT_USAGE,
			  "explain needs %sADDR (try 'vmviz explain --help')",
			  a->nfiles ? "" : "a PID and ");
	no_extra(a, a->nfiles ? 1 : 2, "explain");
	s = a->pos[a->npos - 1];
	if (!vmviz_parse_addr(s, &a->addr)) {
		e = vmviz_esc_dup(s);
		vmviz_die(VMVIZ_EXIT_USAGE,
			  "explain: not an address (hex, 0x optional, at most 16 digits): '%s'", e);
	}
	a->npos--;
	a->frames = !a->nfiles && !access(VMVIZ_DIR "/frames", F_OK);
}

static const struct vmviz_option *option_of(int val)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(options); i++)
		if (options[i].val == val)
			return &options[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct option longopts[ARRAY_SIZE(options) + 1];
	char shortopts[64] = "", *sp = shortopts;
	const char *width = NULL;
	const char *khalf_file = NULL;
	long count = 0;
	bool help = false, named = false;
	struct args a = { .color = "auto" };
	const struct command *cmd = &commands[0];
	struct vmviz_report r[2];
	int nreports, c, i, rc, seen[ARRAY_SIZE(options)] = { 0 };
	size_t k;

	vmviz_locale_init();
	/* getopt's messages name the program as err() does: "vmviz: ". */
	argv[0] = "vmviz";
	for (k = 0; k < ARRAY_SIZE(options); k++) {
		longopts[k] = (struct option){ options[k].name, options[k].has_arg, NULL,
					       options[k].val };
		if (options[k].val < 256) {
			*sp++ = options[k].val;
			if (options[k].has_arg == required_argument)
				*sp++ = ':';
		}
	}
	longopts[k] = (struct option){ NULL, 0, NULL, 0 };
	*sp = '\0';

	/* Options may come before or after the command: "+" stops at neither. */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct vmviz_option *o = option_of(c);

		if (!o) {
			fprintf(stderr, "Try 'vmviz --help'.\n");
			return VMVIZ_EXIT_USAGE;
		}
		seen[o - options] = 1;
		switch (c) {
		case 'f':
			if (a.nfiles == 2)
				vmviz_die(VMVIZ_EXIT_USAGE, "--file given more than twice");
			a.files[a.nfiles++] = optarg;
			break;
		case 'o':
			if (!*optarg || !strcmp(optarg, "+"))
				vmviz_die(VMVIZ_EXIT_USAGE,
					  "--output takes a list of columns, not '%s' (see 'vmviz COMMAND --help')",
					  optarg);
			a.out.columns = optarg;
			break;
		case 's':
			a.out.sort = optarg;
			break;
		case OPT_FRAMES:
			a.frames = true;
			break;
		case 'J':
			a.out.json = true;
			break;
		case 'r':
			a.out.raw = true;
			break;
		case 'n':
			a.out.noheadings = true;
			break;
		case OPT_BYTES:
			a.out.bytes = true;
			break;
		case OPT_WIDTH:
			width = optarg;
			break;
		case OPT_ALL:
			a.all = true;
			break;
		case OPT_KHALF:
			khalf_file = optarg;
			break;
		case OPT_NAME:
			a.out.filter.name = optarg;
			break;
		case OPT_SEG:
			check_list("seg", optarg, vmviz_vma_segs);
			a.out.filter.segs = optarg;
			break;
		case OPT_PERM:
			if (!*optarg || strspn(optarg, "rwxsp") != strlen(optarg))
				vmviz_die(VMVIZ_EXIT_USAGE,
					  "--perm takes letters of rwxsp (r read, w write, x exec, s shared, p private)");
			a.out.filter.perm = optarg;
			break;
		case OPT_STATE:
			check_list("state", optarg, vmviz_states);
			a.out.filter.states = optarg;
			break;
		case OPT_RANGE: {
			bool is_range;

			parse_range(optarg, &a.out.filter.lo, &a.out.filter.hi, &is_range);
			if (!is_range)
				a.out.filter.hi = a.out.filter.lo + 1;
			a.out.filter.range = true;
			break;
		}
		case OPT_TOTAL:
			a.out.total = true;
			break;
		case OPT_COUNT: {
			char *end;

			count = strtol(optarg, &end, 10);
			if (*end || count <= 0)
				vmviz_die(VMVIZ_EXIT_USAGE, "--count takes a positive number");
			break;
		}
		case OPT_COLOR:
		case OPT_COLOUR:
			a.color = optarg ? optarg : "always";
			break;
		case OPT_SAVE:
			a.save = optarg;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			printf("vmviz %s (report format %d)\n", VMVIZ_VERSION,
			       VMVIZ_FORMAT_VERSION);
			return VMVIZ_EXIT_OK;
		}
	}
	if (optind < argc) {
		for (k = 1; k < ARRAY_SIZE(commands); k++)
			if (!strcmp(argv[optind], commands[k].name)) {
				cmd = &commands[k];
				optind++;
				named = true;
				break;
			}
		if (k == ARRAY_SIZE(commands) && !strcmp(argv[optind], "overview")) {
			optind++;
			named = true;
		}
	}
	if (help) {
		usage(stdout, named ? cmd : NULL);
		return VMVIZ_EXIT_OK;
	}
	for (; optind < argc; optind++) {
		if (a.npos == 3)
			vmviz_die(VMVIZ_EXIT_USAGE, "too many arguments (try 'vmviz --help')");
		a.pos[a.npos++] = argv[optind];
	}

	/* "vmviz bogus": a word that is no command and no PID. */
	if (!named && a.npos && !a.nfiles && strcmp(a.pos[0], "self") &&
	    !strchr("0123456789", a.pos[0][0])) {
		char names[256] = "", *e = vmviz_esc_dup(a.pos[0]);

		for (k = 0; k < ARRAY_SIZE(commands); k++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 k ? ", " : "", commands[k].name);
		vmviz_die(VMVIZ_EXIT_USAGE,
			  "unknown command '%s': type one of %s, or a PID (a number, or self); see 'vmviz --help'",
			  e, names);
	}
	/* An option that does nothing for this command is an error, not a no-op. */
	for (k = 0; k < ARRAY_SIZE(options); k++) {
		if (!seen[k] || (options[k].cmds & cmd->bit))
			continue;
		vmviz_die(VMVIZ_EXIT_USAGE, "%s: option --%s does not apply to this command",
			  cmd->name, options[k].name);
	}
	if (cmd->bit & (C_OVERVIEW | C_SVG) && a.out.json && a.out.raw)
		vmviz_die(VMVIZ_EXIT_USAGE, "--json and --raw do not go together");
	/* The overview's JSON has no VMAs: maps -J has them, filtered. */
	if (cmd->bit == C_OVERVIEW && a.out.json && vmviz_filtering(&a.out.filter))
		vmviz_die(VMVIZ_EXIT_USAGE,
			  "overview: --json has no VMAs to filter; 'vmviz maps -J' takes the same filters");
	a.out.width = out_width(width);

	if (cmd->bit == C_DEMO) {
		if (a.npos)
			vmviz_die(VMVIZ_EXIT_USAGE, "demo takes no arguments");
		return vmviz_demo(&a.out, want_color(a.color), a.save);
	}
	if (cmd->bit == C_WATCH) {
		double seconds = 2;
		char *end;

		int npid = a.nfiles ? 0 : 1;

		if (a.nfiles > 1)
			vmviz_die(VMVIZ_EXIT_USAGE, "watch reads one report: --file given twice");
		if (!a.npos && !a.nfiles)
			vmviz_die(VMVIZ_EXIT_USAGE,
				  "watch needs a PID or --file REPORT (try 'vmviz watch --help')");
		no_extra(&a, npid + 1, "watch");
		if (a.npos == npid + 1) {
			seconds = strtod(a.pos[npid], &end);
			if (*end || !(seconds >= 0.1 && seconds <= 86400))
				vmviz_die(VMVIZ_EXIT_USAGE,
					  "watch: SECONDS is a number from 0.1 to 86400");
		}
		if (a.nfiles)
			return vmviz_watch(0, a.files[0], seconds, count, &a.out);
		if (!parse_pid(a.pos[0]))
			vmviz_die(VMVIZ_EXIT_USAGE,
				  "watch takes a PID, not self (the reader's own reads would be what changes)");
		return vmviz_watch(parse_pid(a.pos[0]), NULL, seconds, count, &a.out);
	}
	if (cmd->bit == C_KERNEL) {
		no_extra(&a, 0, "kernel");
		if (a.nfiles > 1)
			vmviz_die(VMVIZ_EXIT_USAGE, "kernel takes one --file");
		return vmviz_kernel(a.nfiles ? a.files[0] : NULL, &a.out);
	}
	want_color(a.color);
	/* overview and svg: the kernel half from --khalf, or live, this reader's. */
	vmviz_picture_kernel(khalf_file, !a.nfiles);
	if (cmd->bit & C_FRAMES)
		a.frames = true;
	if (cmd->bit == C_EXPLAIN)
		explain_args(&a);

	/* The reports: --file ones first, then PIDs, as many as the view needs. */
	nreports = cmd->nreports;
	if (a.nfiles > nreports)
		vmviz_die(VMVIZ_EXIT_USAGE, "%s takes %d report%s", cmd->name, nreports,
			  nreports > 1 ? "s" : "");
	if (nreports == 2 && !a.nfiles && a.npos >= 2 && strcmp(a.pos[0], "self") &&
	    strcmp(a.pos[1], "self")) {
		/* Two live processes: read back to back, parsed after. */
		vmviz_load_pids_frames(parse_pid(a.pos[0]), parse_pid(a.pos[1]), a.frames, &r[0],
				       &r[1]);
		memmove(a.pos, a.pos + 2, sizeof(a.pos[0]) * (a.npos - 2));
		a.npos -= 2;
		nreports = 0;
	}
	for (i = 0; i < nreports; i++) {
		if (i < a.nfiles) {
			load(a.files[i], true, false, &r[i]);
		} else if (a.npos) {
			load(a.pos[0], false, a.frames, &r[i]);
			memmove(a.pos, a.pos + 1, sizeof(a.pos[0]) * --a.npos);
		} else {
			vmviz_die(VMVIZ_EXIT_USAGE, "%s needs %s (try 'vmviz --help')", cmd->name,
				  cmd->nreports > 1 ? "two PIDs or reports" :
				  "a PID or --file REPORT");
		}
	}

	rc = cmd->run(&a, r);
	for (i = 0; i < cmd->nreports; i++)
		vmviz_free(&r[i]);
	if (fflush(stdout) || ferror(stdout))
		err(VMVIZ_EXIT_FAILURE, "write error");
	return rc;
}
