// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: the command line. Picks the view, reads the report(s) live
 * or from files, and hands them to the view.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmviz.h"

#define VMVIZ_VERSION	"1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage:\n"
		" vmviz [options] PID                overview: the address space, high to low\n"
		" vmviz maps [options] PID           the VMA table\n"
		" vmviz pages [options] PID [ADDR | START-END]\n"
		"                                    page-table runs, one a line\n"
		" vmviz compare [options] PID1 PID2  shared, copy-on-write and diverged pages\n"
		" vmviz svg PID [ADDR] > map.svg     the picture as SVG (page strip of the VMA at ADDR)\n"
		" vmviz demo                         fork, vfork, CLONE_VM and thread children compared\n"
		"\n"
		"PID is a process or thread ID, or 'self'; with --file, a saved report takes\n"
		"its place (given twice for compare).\n"
		"\n"
		"Options:\n"
		" -f, --file REPORT     read a saved report (from /proc/vmviz/PID) instead of a PID\n"
		" -o, --output LIST     columns to print (-o +LIST adds to the defaults)\n"
		" -J, --json            JSON output\n"
		" -r, --raw             raw output\n"
		" -n, --noheadings      no column headings\n"
		"     --color[=WHEN]    colour the overview: auto (default), always, never\n"
		"     --save DIR        demo: also write every report it reads to DIR\n"
		" -h, --help            this help\n"
		" -V, --version         the version\n");
	vmviz_columns_help(f);
	fprintf(f,
		"\nExit status: 0 success, 1 failure, 2 module not loaded, 3 permission denied,\n"
		"4 no such process, 5 process exited while read, 6 unknown or malformed report.\n"
		"See vmviz(8).\n");
}

static pid_t parse_pid(const char *s)
{
	char *end;
	long v;

	if (!strcmp(s, "self"))
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > 0x7fffffff)
		vmviz_die(VMVIZ_EXIT_FAILURE, "not a PID: '%s'", s);
	return v;
}

/* One report: from a file, or live (PID 0 is the reader itself). */
static void load(const char *arg, bool is_file, struct vmviz_report *r)
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
		vmviz_load_file(VMVIZ_DIR "/self", r);
		return;
	}
	vmviz_load_pid(pid, r);
}

static bool want_color(const char *when)
{
	const char *nc = getenv("NO_COLOR");

	if (!strcmp(when, "always"))
		return true;
	if (!strcmp(when, "never"))
		return false;
	if (strcmp(when, "auto"))
		vmviz_die(VMVIZ_EXIT_FAILURE, "--color takes auto, always or never, not '%s'",
			  when);
	return isatty(STDOUT_FILENO) && !(nc && *nc);
}

static void parse_range(const char *s, unsigned long *lo, unsigned long *hi)
{
	char buf[64], *dash;

	if (strlen(s) >= sizeof(buf))
		vmviz_die(VMVIZ_EXIT_FAILURE, "not an address or range: '%s'", s);
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (!vmviz_parse_addr(buf, lo) || (dash && !vmviz_parse_addr(dash + 1, hi)))
		vmviz_die(VMVIZ_EXIT_FAILURE, "not an address or range: '%s'", s);
	if (!dash)
		*hi = *lo + 1;
	if (*hi <= *lo)
		vmviz_die(VMVIZ_EXIT_FAILURE, "empty range: '%s'", s);
}

enum { OPT_COLOR = 256, OPT_SAVE };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "colour", optional_argument, NULL, OPT_COLOR },
		{ "save", required_argument, NULL, OPT_SAVE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vmviz_out out = { 0 };
	const char *files[2] = { NULL, NULL }, *color = "auto", *save = NULL;
	const char *cmd = "overview", *args[3];
	struct vmviz_report r[2];
	int nfiles = 0, nargs = 0, nreports, c, i;

	while ((c = getopt_long(argc, argv, "f:o:JrnhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (nfiles == 2)
				vmviz_die(VMVIZ_EXIT_FAILURE, "--file given more than twice");
			files[nfiles++] = optarg;
			break;
		case 'o':
			out.columns = optarg;
			break;
		case 'J':
			out.json = true;
			break;
		case 'r':
			out.raw = true;
			break;
		case 'n':
			out.noheadings = true;
			break;
		case OPT_COLOR:
			color = optarg ? optarg : "always";
			break;
		case OPT_SAVE:
			save = optarg;
			break;
		case 'h':
			usage(stdout);
			return VMVIZ_EXIT_OK;
		case 'V':
			printf("vmviz %s (report format %d)\n", VMVIZ_VERSION,
			       VMVIZ_FORMAT_VERSION);
			return VMVIZ_EXIT_OK;
		default:
			fprintf(stderr, "Try 'vmviz --help'.\n");
			return VMVIZ_EXIT_FAILURE;
		}
	}
	if (optind < argc && (!strcmp(argv[optind], "maps") || !strcmp(argv[optind], "pages") ||
			      !strcmp(argv[optind], "compare") || !strcmp(argv[optind], "svg") ||
			      !strcmp(argv[optind], "demo") || !strcmp(argv[optind], "overview")))
		cmd = argv[optind++];
	for (; optind < argc; optind++) {
		if (nargs == 3)
			vmviz_die(VMVIZ_EXIT_FAILURE, "too many arguments (try 'vmviz --help')");
		args[nargs++] = argv[optind];
	}

	if (!strcmp(cmd, "demo")) {
		if (nargs || nfiles)
			vmviz_die(VMVIZ_EXIT_FAILURE, "demo takes no arguments");
		return vmviz_demo(&out, want_color(color), save);
	}

	/* The reports: --file ones first, then PIDs, as many as the view needs. */
	nreports = !strcmp(cmd, "compare") ? 2 : 1;
	if (nfiles > nreports)
		vmviz_die(VMVIZ_EXIT_FAILURE, "%s takes %d report%s", cmd, nreports,
			  nreports > 1 ? "s" : "");
	if (nreports == 2 && !nfiles && nargs >= 2 && strcmp(args[0], "self") &&
	    strcmp(args[1], "self")) {
		/* Two live processes: read back to back, parsed after. */
		vmviz_load_pids(parse_pid(args[0]), parse_pid(args[1]), &r[0], &r[1]);
		memmove(args, args + 2, sizeof(args[0]) * (nargs - 2));
		nargs -= 2;
		nreports = 0;
	}
	for (i = 0; i < nreports; i++) {
		if (i < nfiles) {
			load(files[i], true, &r[i]);
		} else if (nargs) {
			load(args[0], false, &r[i]);
			memmove(args, args + 1, sizeof(args[0]) * --nargs);
		} else {
			vmviz_die(VMVIZ_EXIT_FAILURE, "%s needs %s (try 'vmviz --help')", cmd,
				  nreports > 1 ? "two PIDs or reports" : "a PID or --file REPORT");
		}
	}

	if (!strcmp(cmd, "overview")) {
		if (nargs)
			vmviz_die(VMVIZ_EXIT_FAILURE, "unknown command or extra argument '%s'",
				  args[0]);
		vmviz_print_overview(&r[0], stdout, want_color(color));
	} else if (!strcmp(cmd, "maps")) {
		if (nargs)
			vmviz_die(VMVIZ_EXIT_FAILURE, "extra argument '%s'", args[0]);
		vmviz_print_maps(&r[0], &out);
	} else if (!strcmp(cmd, "pages")) {
		unsigned long lo = 0, hi = ~0UL;

		if (nargs > 1)
			vmviz_die(VMVIZ_EXIT_FAILURE, "extra argument '%s'", args[1]);
		if (nargs)
			parse_range(args[0], &lo, &hi);
		vmviz_print_pages(&r[0], &out, lo, hi);
	} else if (!strcmp(cmd, "compare")) {
		if (nargs)
			vmviz_die(VMVIZ_EXIT_FAILURE, "extra argument '%s'", args[0]);
		vmviz_print_compare(&r[0], &r[1], &out, true);
	} else if (!strcmp(cmd, "svg")) {
		unsigned long addr = 0;

		if (nargs > 1 || (nargs && !vmviz_parse_addr(args[0], &addr)))
			vmviz_die(VMVIZ_EXIT_FAILURE, "svg takes one address, not '%s'", args[0]);
		vmviz_print_svg(&r[0], stdout, addr);
	}
	for (i = 0; i < (!strcmp(cmd, "compare") ? 2 : 1); i++)
		vmviz_free(&r[i]);
	if (fflush(stdout) || ferror(stdout))
		err(VMVIZ_EXIT_FAILURE, "write error");
	return VMVIZ_EXIT_OK;
}
