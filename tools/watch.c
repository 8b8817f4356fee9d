// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: vmviz watch. One process read again every few seconds, each
 * read compared with the one before: what was mapped, unmapped, faulted in,
 * swapped, which frames changed.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmviz.h"

/* Sleep @seconds; on a terminal, count down on stderr meanwhile. */
static void wait_for(double seconds, long k, long count)
{
	bool tty = isatty(STDERR_FILENO);
	struct timespec step = { 0, 100 * 1000 * 1000 };
	double left;

	if (!tty) {
		struct timespec all = { (time_t)seconds,
					(long)((seconds - (time_t)seconds) * 1e9) };

		nanosleep(&all, NULL);
		return;
	}
	for (left = seconds; left > 0; left -= 0.1) {
		if (count)
			fprintf(stderr, "\r[%ld/%ld] next read in %4.1f s ", k, count, left);
		else
			fprintf(stderr, "\r[%ld] next read in %4.1f s (Ctrl-C stops) ", k, left);
		if (left < 0.1)
			step.tv_nsec = (long)(left * 1e9);
		nanosleep(&step, NULL);
	}
	fprintf(stderr, "\r%60s\r", "");
}

/* One read: of @file if there is one (read again each time), else of @pid. */
static void load(pid_t pid, const char *file, struct vmviz_report *r)
{
	if (file)
		vmviz_load_file(file, r);
	else
		vmviz_load_pid(pid, r);
}

/* -J: the first read, a line of its own: {"read": 1, "report": {...}}. */
static void first_json(const struct vmviz_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	fprintf(f, "{\"read\": 1, \"report\": ");
	vmviz_json_report(f, r, "");
	fputc('}', f);
	if (fclose(f))
		err(VMVIZ_EXIT_FAILURE, "out of memory");
	vmviz_json_line(stdout, text);
	free(text);
}

/**
 * vmviz_watch - read @pid every @seconds and say what changed each time
 * @pid: the process
 * @file: a report to read again instead (a FIFO, or a file rewritten), or NULL
 * @seconds: between reads
 * @count: comparisons to print, 0 for no end
 * @o: table options for the rows that changed; -J: a line of JSON a read
 *
 * Return: an exit code; a process that exits ends it with its own code.
 */
int vmviz_watch(pid_t pid, const char *file, double seconds, long count,
		const struct vmviz_out *o)
{
	struct vmviz_report prev, cur;
	char comm[128], when[64];
	long k;

	load(pid, file, &prev);
	if (o->json) {
		first_json(&prev);
	} else {
		vmviz_format_time(&prev.time, when, sizeof(when));
		printf("watching pid %d (%s) every %g s, from %s\n", prev.pid,
		       vmviz_esc(prev.comm, comm, sizeof(comm)), seconds, when);
	}
	fflush(stdout);
	for (k = 1; !count || k <= count; k++) {
		struct vmviz_cmp c;

		wait_for(seconds, k, count);
		load(pid, file, &cur);
		if (o->json) {
			vmviz_print_watch_json(&prev, &cur, k + 1, o);
		} else {
			if (!o->raw && !o->noheadings) {
				printf("\n== read %ld ==\n", k + 1);
				vmviz_print_compare(&prev, &cur, o, false);
			}
			vmviz_compare(&prev, &cur, &c);
			vmviz_print_changed_rows(&c, o);
			vmviz_cmp_free(&c);
		}
		if (fflush(stdout) || ferror(stdout))
			err(VMVIZ_EXIT_FAILURE, "write error");
		vmviz_free(&prev);
		prev = cur;
	}
	vmviz_free(&prev);
	return VMVIZ_EXIT_OK;
}
