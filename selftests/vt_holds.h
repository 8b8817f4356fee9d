/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The target's mmap lock holds, from the kernel's mmap_lock tracepoints:
 * shared by the benchmark (bench/vmviz_bench.c) and the guest tests.
 *
 * mmap_lock:mmap_lock_acquire_returned and mmap_lock:mmap_lock_released
 * (6.1 and later) name the mm (a hashed pointer, stable within a boot),
 * read or write, and for an acquire whether it succeeded. A hold is one
 * successful read acquire by the reader of the target's mm up to its
 * release; the target's mm is the one the target took for writing first.
 */
#ifndef VT_HOLDS_H
#define VT_HOLDS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *vt_tracefs;
/* The events were on before vt_holds_enable() (the rig's boot): keep them. */
static bool vt_holds_were_on;

static inline int vt_trace_write(const char *file, const char *val, bool append)
{
	char path[512];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", vt_tracefs, file);
	fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) < 0 ? -1 : 0;
	close(fd);
	return ret;
}

static inline bool vt_find_tracefs(void)
{
	if (vt_tracefs)
		return true;
	if (!access("/sys/kernel/tracing/trace", W_OK))
		vt_tracefs = "/sys/kernel/tracing";
	else if (!access("/sys/kernel/debug/tracing/trace", W_OK))
		vt_tracefs = "/sys/kernel/debug/tracing";
	return vt_tracefs != NULL;
}

static const char *const vt_lock_events[] = {
	"mmap_lock_acquire_returned", "mmap_lock_released",
};

/*
 * Turn the two events on (recording stays off: vt_holds_record()); false
 * where the kernel has no such events (5.10) or no tracefs. The test rig
 * turns them on at boot (selftests/rig/run.sh says why): then nothing here
 * or in vt_holds_disable() changes them, since enabling or disabling a
 * tracepoint while other CPUs run patches their code.
 */
static inline bool vt_holds_enable(void)
{
	char path[256];
	unsigned int i;

	if (!vt_find_tracefs())
		return false;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events/mmap_lock/%s/enable",
			 vt_tracefs, vt_lock_events[i]);
		if (access(path, W_OK))
			return false;
	}
	{
		FILE *f = fopen(path, "r");
		int c = f ? fgetc(f) : 0;

		if (f)
			fclose(f);
		vt_holds_were_on = c == '1';
	}
	vt_trace_write("tracing_on", "0", false);
	vt_trace_write("current_tracer", "nop", false);
	vt_trace_write("buffer_size_kb", "16384", false);
	vt_trace_write("options/overwrite", "0", false);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "events/mmap_lock/%s/enable", vt_lock_events[i]);
		vt_trace_write(path, "1", false);
	}
	return true;
}

/* Start (1) or stop (0) recording; starting empties the buffer first. */
static inline void vt_holds_record(int on)
{
	vt_trace_write("tracing_on", "0", false);
	if (on) {
		vt_trace_write("trace", "", false);
		vt_trace_write("tracing_on", "1", false);
	}
}

static inline void vt_holds_disable(void)
{
	char path[256];
	unsigned int i;

	vt_holds_record(0);
	vt_trace_write("trace", "", false);
	for (i = 0; i < 2 && !vt_holds_were_on; i++) {
		snprintf(path, sizeof(path), "events/mmap_lock/%s/enable", vt_lock_events[i]);
		vt_trace_write(path, "0", false);
	}
}

struct vt_holds {
	long holds, events, lost;
	double max_us, sum_us, p50_us, p99_us;
	bool found_mm;
};

static inline int vt_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* "comm-PID [CPU] flags TS: EVENT: mm=M ... write=W [success=S]" */
static inline bool vt_parse_lock_line(char *line, int *pid, double *ts, char **ev,
			    char **mm, bool *write, bool *success)
{
	char *p = strstr(line, ": mmap_lock_"), *q, *b;

	if (!p)
		return false;
	*ev = p + 2;
	q = strchr(*ev, ':');
	if (!q)
		return false;
	*q = 0;
	for (b = p; b > line && b[-1] != ' '; b--)
		;
	*ts = atof(b);
	b = strstr(line, " [");
	if (!b)
		return false;
	for (p = b; p > line && p[-1] != '-'; p--)
		;
	*pid = atoi(p);
	p = strstr(q + 1, "mm=");
	if (!p)
		return false;
	*mm = p + 3;
	q = strchr(*mm, ' ');
	if (!q)
		return false;
	*q = 0;
	p = strstr(q + 1, "write=");
	*write = p && (p[6] == 't' || p[6] == '1');
	p = strstr(q + 1, "success=");
	*success = !p || p[8] == 't' || p[8] == '1';
	return true;
}

static inline void vt_holds_of(pid_t reader, pid_t target, struct vt_holds *h)
{
	char path[256], *line = NULL, target_mm[64] = "", *ev, *mm;
	double ts, t_acq = -1;
	size_t cap = 0, nd = 0, capd = 0;
	double *d = NULL;
	bool write, success;
	int pid;
	FILE *f;

	memset(h, 0, sizeof(*h));
	snprintf(path, sizeof(path), "%s/trace", vt_tracefs);
	f = fopen(path, "r");
	while (f && getline(&line, &cap, f) > 0) {
		long in, written;
		char *p;

		if (line[0] == '#') {
			p = strstr(line, "entries-in-buffer/entries-written:");
			if (p && sscanf(p + 35, " %ld/%ld", &in, &written) == 2)
				h->lost = written - in;
			continue;
		}
		if (!vt_parse_lock_line(line, &pid, &ts, &ev, &mm, &write, &success))
			continue;
		h->events++;
		if (pid == target && write && !target_mm[0])
			snprintf(target_mm, sizeof(target_mm), "%s", mm);
		if (pid != reader || write || !target_mm[0] || strcmp(mm, target_mm))
			continue;
		if (!strcmp(ev, "mmap_lock_acquire_returned")) {
			if (success)
				t_acq = ts;
		} else if (!strcmp(ev, "mmap_lock_released") && t_acq >= 0) {
			double us = (ts - t_acq) * 1e6;

			if (nd == capd) {
				capd = capd ? capd * 2 : 1024;
				d = realloc(d, capd * sizeof(*d));
				if (!d)
					break;
			}
			d[nd++] = us;
			h->holds++;
			h->sum_us += us;
			if (us > h->max_us)
				h->max_us = us;
			t_acq = -1;
		}
	}
	h->found_mm = target_mm[0];
	if (nd) {
		qsort(d, nd, sizeof(*d), vt_cmp_double);
		h->p50_us = d[nd / 2];
		h->p99_us = d[nd * 99 / 100];
	}
	free(d);
	free(line);
	if (f)
		fclose(f);
}


#endif /* VT_HOLDS_H */
