// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz_bench: the in-guest benchmark of make bench. For targets with N
 * mapped pages in several layouts it times a full read of /proc/vmviz/PID
 * against /proc/PID/pagemap (over every VMA) and /proc/PID/smaps, measures
 * the kernel memory an open reader holds, and how long the target's own
 * mmap/munmap calls stall while each file is read.
 *
 * Output: one line per measurement, "bench KEY=VALUE ...", which
 * selftests/rig/bench.sh turns into a table; "# " lines are comments.
 * Timing is never a pass/fail test.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../vt_holds.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

#define PAGE		4096UL
#define HPAGE		(2UL << 20)
#define READ_BUF	(1UL << 20)	/* every file is read 1 MiB at a time */

static char *rbuf;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stdout, "# bench error: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

/* ---- the target ---------------------------------------------------- */

/* Shared between the parent and the target (MAP_SHARED before fork). */
struct ctl {
	atomic_int ready;	/* target: layout populated */
	atomic_int churn;	/* parent: 1 = loop mmap/munmap and time it */
	atomic_int quit;
	atomic_long ops;	/* target: mmap+munmap pairs done while churning */
	atomic_long max_ns;	/* target: the longest pair */
	atomic_long sum_ns;
	atomic_int poke;	/* parent: 1 = one mmap+munmap now; target: 0 when done */
	atomic_long made;	/* vmas target: the VMAs it made */
};

enum variant { V_ANON4K, V_THP, V_ZERO, V_FILE, V_SPARSE, V_WIDE, NR_VARIANTS };

static const char *const variant_names[NR_VARIANTS] = {
	"anon4k", "thp", "zero", "file", "sparse", "wide",
};

/* Guest RAM a variant needs per mapped page (data plus page tables). */
static unsigned long bytes_per_page(enum variant v)
{
	switch (v) {
	case V_ANON4K:
	case V_FILE:
		return PAGE + 8;
	case V_THP:
		return PAGE;
	case V_ZERO:
		return 8;
	case V_SPARSE:
		return PAGE;		/* one PTE table per page */
	case V_WIDE:
		return 2 * PAGE;	/* a PTE table and a PMD table per page */
	default:
		return PAGE;
	}
}

/* The address span of variant "wide": N pages spread over 64 TiB. */
#define WIDE_SPAN	(64UL << 40)

static void populate(void *p, size_t len, int advice)
{
	if (!madvise(p, len, advice))
		return;
	/* Before 5.14: touch every page. */
	for (size_t off = 0; off < len; off += PAGE) {
		if (advice == MADV_POPULATE_WRITE)
			((volatile char *)p)[off] = 1;
		else
			(void)((volatile char *)p)[off];
	}
}

static void *map_anon(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		die("mmap");
	if (!align)
		return p;
	a = ((uintptr_t)p + align - 1) & ~(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + align - a);
	return (void *)a;
}

static void build_layout(enum variant v, unsigned long n)
{
	size_t len = n * PAGE;
	char *p;
	int fd;

	switch (v) {
	case V_ANON4K:
		p = map_anon(len, 0);
		madvise(p, len, MADV_NOHUGEPAGE);
		populate(p, len, MADV_POPULATE_WRITE);
		break;
	case V_THP:
		p = map_anon(len, HPAGE);
		madvise(p, len, MADV_HUGEPAGE);
		populate(p, len, MADV_POPULATE_WRITE);
		break;
	case V_ZERO:
		p = map_anon(len, 0);
		madvise(p, len, MADV_NOHUGEPAGE);
		populate(p, len, MADV_POPULATE_READ);
		break;
	case V_FILE:
		fd = open("/tmp/vmviz-bench.data", O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			die("open /tmp/vmviz-bench.data");
		unlink("/tmp/vmviz-bench.data");
		if (fallocate(fd, 0, 0, len))
			die("fallocate");
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap file");
		close(fd);
		populate(p, len, MADV_POPULATE_READ);
		break;
	case V_SPARSE:
	case V_WIDE: {
		size_t stride = v == V_SPARSE ? HPAGE : WIDE_SPAN / n;

		p = map_anon(stride * n, HPAGE);
		madvise(p, stride * n, MADV_NOHUGEPAGE);
		for (unsigned long i = 0; i < n; i++)
			(void)((volatile char *)p)[i * stride];
		break;
	}
	default:
		abort();
	}
}

/* The target's loop: time mmap+munmap pairs while the parent asks. */
static void target_loop(struct ctl *c)
{
	atomic_store(&c->ready, 1);
	while (!atomic_load(&c->quit)) {
		double t0, dt;
		void *q;

		if (atomic_load(&c->poke)) {
			/* Takes the target's mmap lock for writing once: the
			 * lock tracer learns which mm is the target's. */
			q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (q != MAP_FAILED)
				munmap(q, PAGE);
			atomic_store(&c->poke, 0);
			continue;
		}
		if (!atomic_load(&c->churn)) {
			usleep(500);
			continue;
		}
		t0 = now();
		q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q != MAP_FAILED)
			munmap(q, PAGE);
		dt = (now() - t0) * 1e9;
		atomic_fetch_add(&c->ops, 1);
		atomic_fetch_add(&c->sum_ns, (long)dt);
		if ((long)dt > atomic_load(&c->max_ns))
			atomic_store(&c->max_ns, (long)dt);
	}
	_exit(0);
}

static void target_main(struct ctl *c, enum variant v, unsigned long n)
{
	build_layout(v, n);
	target_loop(c);
}

/* ---- readers ---------------------------------------------------------- */

/*
 * Read a whole file 1 MiB at a time; returns the bytes read, and counts
 * its lines into @lines unless that is NULL.
 */
static long read_count(const char *path, long *lines)
{
	long total = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die(path);
	while ((r = read(fd, rbuf, READ_BUF)) > 0) {
		total += r;
		for (ssize_t i = 0; lines && i < r; i++)
			*lines += rbuf[i] == '\n';
	}
	if (r < 0)
		die(path);
	close(fd);
	return total;
}

static long read_whole(const char *path)
{
	return read_count(path, NULL);
}

struct range {
	unsigned long start, end;
};

/* The VMAs of @pid from /proc/PID/maps, without the vsyscall gate page. */
static int read_maps(pid_t pid, struct range *rs, int max)
{
	char path[64], line[512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		die(path);
	while (n < max && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &rs[n].start, &rs[n].end) != 2)
			continue;
		if (rs[n].start >= (1UL << 56))
			continue;
		n++;
	}
	fclose(f);
	return n;
}

static unsigned long pagemap_span(pid_t pid)
{
	struct range rs[256];
	int n = read_maps(pid, rs, 256);
	unsigned long pages = 0;

	for (int i = 0; i < n; i++)
		pages += (rs[i].end - rs[i].start) / PAGE;
	return pages;
}

/*
 * Read /proc/PID/pagemap over every VMA, 1 MiB (128 Ki entries) at a time,
 * as a tool would: the maps parse is part of the cost. @present counts the
 * entries with bit 63 set.
 */
static long read_pagemap(pid_t pid, unsigned long *present)
{
	struct range rs[256];
	char path[64];
	long total = 0;
	int n, fd;

	n = read_maps(pid, rs, 256);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	*present = 0;
	for (int i = 0; i < n; i++) {
		off_t off = rs[i].start / PAGE * 8, end = rs[i].end / PAGE * 8;

		while (off < end) {
			size_t want = end - off < (off_t)READ_BUF ? end - off : READ_BUF;
			ssize_t r = pread(fd, rbuf, want, off);

			if (r <= 0)
				break;
			for (ssize_t j = 0; j < r / 8; j++)
				*present += ((uint64_t *)rbuf)[j] >> 63;
			off += r;
			total += r;
		}
	}
	close(fd);
	return total;
}

/*
 * The readers: the default report, pagemap, smaps, and the frame detail
 * (/proc/vmviz/frames/PID: the report with smaps' counts per VMA and a
 * rollup) beside smaps_rollup, the kernel's own total of the same counts.
 */
enum reader { R_VMVIZ, R_PAGEMAP, R_SMAPS, R_FRAMES, R_ROLLUP, NR_READERS };

static const char *const reader_names[NR_READERS] = {
	"vmviz", "pagemap", "smaps", "frames", "rollup",
};

/* The module has the frame detail (not on kernels without folios). */
static bool have_frames;

/* Whether reader @r is timed for a target whose VMAs span @span pages. */
static bool reader_on(int r, unsigned long span)
{
	if (r == R_PAGEMAP)
		return span <= (1UL << 27);	/* 1 GiB of pagemap at most */
	return r != R_FRAMES || have_frames;
}

static long read_one(enum reader r, pid_t pid, unsigned long *present)
{
	char path[64];

	switch (r) {
	case R_VMVIZ:
		snprintf(path, sizeof(path), "/proc/vmviz/%d", pid);
		return read_whole(path);
	case R_PAGEMAP:
		return read_pagemap(pid, present);
	case R_FRAMES:
		snprintf(path, sizeof(path), "/proc/vmviz/frames/%d", pid);
		return read_whole(path);
	case R_ROLLUP:
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
		return read_whole(path);
	default:
		snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
		return read_whole(path);
	}
}

/* ---- kernel memory ---------------------------------------------------- */

/* Slab + vmalloc + page tables + kernel stacks, in kB, from /proc/meminfo. */
static long kernel_kb(long *slab)
{
	char line[256];
	long total = 0, v;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo");
	*slab = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %ld", &v) == 1) {
			*slab = v;
			total += v;
		} else if (sscanf(line, "VmallocUsed: %ld", &v) == 1 ||
			   sscanf(line, "KernelStack: %ld", &v) == 1) {
			total += v;
		}
	}
	fclose(f);
	return total;
}

static long memfree_kb(void)
{
	char line[256];
	long v = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/*
 * Open @k readers of @path, each having read its first 4 KiB, and report
 * what the kernel gained per reader: slab (kB counters, so averaged over
 * @k) and MemFree lost (everything: slab, vmalloc, page-sized buffers).
 * No warm-up round: freed objects would stay in partial slabs and hide
 * the next round's allocations.
 */
static void reader_memory(const char *path, int k, double *slab_b, double *free_b)
{
	long slab0, slab1, free0, free1;
	int *fds = calloc(k, sizeof(int));
	char buf[4096];

	sync();
	usleep(20000);
	kernel_kb(&slab0);
	free0 = memfree_kb();
	for (int i = 0; i < k; i++) {
		fds[i] = open(path, O_RDONLY);
		if (fds[i] < 0)
			die(path);
		if (read(fds[i], buf, sizeof(buf)) < 0)
			die(path);
	}
	kernel_kb(&slab1);
	free1 = memfree_kb();
	for (int i = 0; i < k; i++)
		close(fds[i]);
	*slab_b = (slab1 - slab0) * 1024.0 / k;
	*free_b = (free0 - free1) * 1024.0 / k;
	free(fds);
}

/* ---- a profile with the kernel's own tracer (ftrace function_graph) --- */

/*
 * The functions timed: the module's walker and run builder (format 2
 * names), the entry points of the three readers, and the lock taken
 * again after each drop. Debian's kernels have no function
 * profiler, so function_graph records each call's duration and
 * prof_end() sums them per function.
 */
static const char *const prof_funcs[] = {
	"vmviz_walk_next", "vmviz_run_feed", "vmviz_run_flush", "seq_read_iter",
	"seq_read", "pagemap_read", "show_smap", "smap_gather_stats",
	"walk_page_vma", "vfs_read", "down_read_killable", "__cond_resched",
	"vmviz_smaps_account", "show_smaps_rollup",
	"seq_write",
};

static bool prof_begin(void)
{
	if (!vt_tracefs) {
		if (!access("/sys/kernel/tracing/current_tracer", W_OK))
			vt_tracefs = "/sys/kernel/tracing";
		else if (!access("/sys/kernel/debug/tracing/current_tracer", W_OK))
			vt_tracefs = "/sys/kernel/debug/tracing";
		else
			return false;
		vt_trace_write("buffer_size_kb", "16384", false);
	}
	vt_trace_write("tracing_on", "0", false);
	vt_trace_write("current_tracer", "nop", false);
	vt_trace_write("set_ftrace_filter", "", false);
	for (unsigned int i = 0; i < sizeof(prof_funcs) / sizeof(prof_funcs[0]); i++)
		vt_trace_write("set_ftrace_filter", prof_funcs[i], true);
	vt_trace_write("set_ftrace_pid", "", false);
	vt_trace_write("options/funcgraph-tail", "1", false);
	vt_trace_write("trace", "", false);
	if (vt_trace_write("current_tracer", "function_graph", false))
		return false;
	return !vt_trace_write("tracing_on", "1", false);
}

struct prof_sum {
	char name[48];
	long calls;
	double total_us, max_us;
};

/* Sum the durations function_graph printed, per function. */
static void prof_end(const char *label, double wall)
{
	struct prof_sum sums[24] = {};
	char path[256], line[512];
	int nsums = 0;
	FILE *f;

	vt_trace_write("tracing_on", "0", false);
	snprintf(path, sizeof(path), "%s/trace", vt_tracefs);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *bar = strchr(line, '|'), *us, *name, *e, *num;
		double d;
		int i;

		if (!bar || line[0] == '#')
			continue;
		*bar = 0;
		us = strstr(line, " us");
		if (!us)
			continue;
		*us = 0;
		num = strrchr(line, ' ');
		d = atof(num ? num + 1 : line);
		name = strstr(bar + 1, "/* ");
		if (name) {
			name += 3;
			e = strstr(name, " */");
		} else {
			name = bar + 1 + strspn(bar + 1, " ");
			e = strstr(name, "();");
		}
		if (!e)
			continue;
		*e = 0;
		for (i = 0; i < nsums && strcmp(sums[i].name, name); i++)
			;
		if (i == nsums) {
			if (nsums == 24)
				continue;
			snprintf(sums[nsums++].name, sizeof(sums[0].name), "%s", name);
		}
		sums[i].calls++;
		sums[i].total_us += d;
		if (d > sums[i].max_us)
			sums[i].max_us = d;
	}
	if (f)
		fclose(f);
	vt_trace_write("current_tracer", "nop", false);
	printf("# prof %s: wall %.1f ms under the tracer\n", label, wall * 1e3);
	for (int i = 0; i < nsums; i++)
		printf("# prof %s %-18s calls %7ld total %10.0f us max %10.0f us\n",
		       label, sums[i].name, sums[i].calls, sums[i].total_us, sums[i].max_us);
}

/* ---- mmap lock holds, from the kernel's mmap_lock tracepoints ------------ */

/*
 * mmap_lock:mmap_lock_acquire_returned and mmap_lock:mmap_lock_released
 * (6.1 and later) name the mm (a hashed pointer, stable within a boot),
 * read or write, and for an acquire whether it succeeded. Events are kept
 * for every task and sorted out here by PID: set_event_pid would register
 * scheduler probes, which patches try_to_wake_up()'s text each time it is
 * written, and under TCG that crashed the guest twice (Oops: int3 in
 * try_to_wake_up, 6.12). The target takes
 * its own lock for writing once at the start (ctl->poke), which tells
 * which mm is the target's. A hold is one successful read acquire by the
 * reader of the target's mm up to its release.
 */
static bool holds_ok;
static bool no_lock_events;	/* -N: no lock events at all (timing only) */

/* Once: check the events exist, show their formats, size the buffer. */
static void holds_init(void)
{
	char path[256], line[512];

	if (!vt_find_tracefs()) {
		printf("# holds: no vt_tracefs\n");
		return;
	}
	holds_ok = true;
	for (unsigned int i = 0; i < 2; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/events/mmap_lock/%s/format",
			 vt_tracefs, vt_lock_events[i]);
		f = fopen(path, "r");
		if (!f) {
			printf("# holds: no event mmap_lock:%s\n", vt_lock_events[i]);
			holds_ok = false;
			continue;
		}
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "print fmt:", 10))
				printf("# holds: %s %s", vt_lock_events[i], line);
		fclose(f);
	}
	vt_trace_write("tracing_on", "0", false);
	vt_trace_write("current_tracer", "nop", false);
	vt_trace_write("buffer_size_kb", "16384", false);
	vt_trace_write("options/overwrite", "0", false);
	/*
	 * Enabled once for the whole run; only tracing_on goes on and off.
	 * Enabling an event patches kernel text (int3), and under TCG doing
	 * that again and again crashed a guest ("Oops: int3" in
	 * ttwu_do_activate, 6.12). While recording is off the events cost
	 * every mmap lock operation of the reader and the target a little
	 * (on 6.1 and 6.12 the memcg path is looked up before the buffer is
	 * checked), readers alike.
	 */
	for (unsigned int i = 0; holds_ok && i < 2; i++) {
		snprintf(path, sizeof(path), "events/mmap_lock/%s/enable", vt_lock_events[i]);
		vt_trace_write(path, "1", false);
	}
}

/* One read of @r with the lock events on; the holds of the target's lock. */
static void measure_holds(struct ctl *c, enum reader r, pid_t pid, struct vt_holds *h)
{
	unsigned long present;
	double t0;

	vt_trace_write("tracing_on", "0", false);
	vt_trace_write("trace", "", false);
	vt_trace_write("tracing_on", "1", false);
	atomic_store(&c->poke, 1);
	for (t0 = now(); atomic_load(&c->poke) && now() - t0 < 2; )
		usleep(200);
	read_one(r, pid, &present);
	vt_trace_write("tracing_on", "0", false);
	vt_holds_of(getpid(), pid, h);
	vt_trace_write("trace", "", false);
}

static void bench_holds(struct ctl *c, const char *label, unsigned long n,
			pid_t pid, bool pagemap)
{
	struct vt_holds h;

	if (!holds_ok)
		return;
	for (int r = 0; r < NR_READERS; r++) {
		if ((r == R_PAGEMAP && !pagemap) || (r == R_FRAMES && !have_frames))
			continue;
		measure_holds(c, r, pid, &h);
		printf("benchhold variant=%s n=%lu reader=%s holds=%ld max_us=%.0f"
		       " p99_us=%.0f p50_us=%.0f sum_us=%.0f events=%ld lost=%ld"
		       " target_mm=%d\n", label, n, reader_names[r], h.holds,
		       h.max_us, h.p99_us, h.p50_us, h.sum_us, h.events, h.lost,
		       h.found_mm);
	}
}

/* ---- PFN patterns: what breaks runs of 4K PTEs ---------------------------- */

/* Read a whole file into memory (NUL-terminated); NULL past @limit bytes. */
static char *read_mem(const char *path, size_t limit, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !buf)
		die(path);
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap) {
			if (cap >= limit) {
				free(buf);
				close(fd);
				return NULL;
			}
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				die("realloc");
		}
	}
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
}

enum pfn_class { C_ASC, C_DESC, C_REP, C_INTER, C_OTHER, NR_CLASSES };

static const char *const class_names[NR_CLASSES] = {
	"asc", "desc", "rep", "inter", "other",
};

struct pfnstat {
	unsigned long pages;		/* present 4K PTEs (not in huge leaves) */
	unsigned long pairs[NR_CLASSES];	/* neighbouring present pairs */
	unsigned long breaks[NR_CLASSES];	/* pairs where a +1/-1/= run ends */
	unsigned long runs;		/* maximal +1/-1/= runs */
	unsigned long all_present;	/* every present entry, huge or not */
};

struct hrange {
	unsigned long start, end;
};

/* Whether @addr is in one of the sorted huge leaf ranges (binary search). */
static bool in_huge(const struct hrange *h, long nh, unsigned long addr)
{
	long lo = 0, hi = nh - 1;

	while (lo <= hi) {
		long mid = (lo + hi) / 2;

		if (addr < h[mid].start)
			hi = mid - 1;
		else if (addr >= h[mid].end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/*
 * The runs pagemap allows, taken greedily as the module does: the second
 * entry of a run decides its step (+1, -1 or the same PFN), which the
 * following ones must keep. Only present 4K PTEs neighbouring in one VMA;
 * a pair that does not continue the open run is a break, classified as
 * ascending, descending, repeat, interleaved (the PFN is the one two back
 * plus one: two streams of frames handed out alternately) or other.
 */
static void pfn_scan(pid_t pid, const struct hrange *h, long nh, struct pfnstat *st)
{
	struct range rs[256];
	char path[64];
	int n, fd;

	memset(st, 0, sizeof(*st));
	n = read_maps(pid, rs, 256);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	for (int i = 0; i < n; i++) {
		unsigned long addr = rs[i].start, p1 = 0, p2 = 0, run = 0;
		bool have1 = false, have2 = false;
		long step = 0;

		if ((rs[i].end - rs[i].start) / PAGE > (1UL << 24))
			continue;
		while (addr < rs[i].end) {
			size_t want = (rs[i].end - addr) / PAGE * 8;
			ssize_t r;

			if (want > READ_BUF)
				want = READ_BUF;
			r = pread(fd, rbuf, want, addr / PAGE * 8);
			if (r <= 0)
				break;
			for (ssize_t j = 0; j < r / 8; j++, addr += PAGE) {
				uint64_t e = ((uint64_t *)rbuf)[j];
				unsigned long pfn = e & ((1ULL << 55) - 1);
				enum pfn_class cl;
				long d;

				st->all_present += e >> 63;
				if (!(e >> 63) || (nh && in_huge(h, nh, addr))) {
					have1 = have2 = false;
					run = 0;
					continue;
				}
				st->pages++;
				if (!have1) {
					st->runs++;
					run = 1;
					have1 = true;
					have2 = false;
					p1 = pfn;
					continue;
				}
				d = (long)(pfn - p1);
				cl = d == 1 ? C_ASC : d == -1 ? C_DESC : d == 0 ? C_REP :
				     have2 && pfn == p2 + 1 ? C_INTER : C_OTHER;
				st->pairs[cl]++;
				if (run == 1 && cl <= C_REP) {
					step = d;
					run++;
				} else if (run > 1 && d == step) {
					run++;
				} else {
					st->breaks[cl]++;
					st->runs++;
					run = 1;
				}
				p2 = p1;
				have2 = true;
				p1 = pfn;
			}
		}
	}
	close(fd);
}

/*
 * The report's present 4K page lines against pagemap's runs: how much of
 * what could merge on PFNs alone the module merges (page lines also split
 * where the hardware flags differ, which pagemap does not show).
 */
static void bench_pfn(const char *label, unsigned long n, pid_t pid)
{
	unsigned long ptelines = 0, pagelines = 0, vmas = 0, rpresent = 0, x;
	/* Lines that continue the last one's PFNs: split by what? */
	static const char cols[] = "PWUTCADHGMN";
	unsigned long split[sizeof(cols)] = {}, split_sd = 0, split_step = 0;
	unsigned long pend = 0, plast = 0;
	char pflags[16] = "";
	int psd = -1;
	struct hrange *h = NULL;
	long nh = 0, caph = 0;
	struct pfnstat st;
	char path[64], *text, *p;
	size_t len;

	snprintf(path, sizeof(path), "/proc/vmviz/%d", pid);
	text = read_mem(path, 512UL << 20, &len);
	if (!text) {
		printf("# benchpfn %s n=%lu: report over 512 MiB, not analysed\n", label, n);
		return;
	}
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long s, e;

		if (strncmp(p, "  pte ", 6))
			psd = -1;	/* a VMA, sum or huge line ends the chain */
		if (!strncmp(p, "  pte ", 6)) {
			char *nl = strchr(p, '\n');

			if (nl)
				*nl = 0;
			if (strstr(p, " present ")) {
				unsigned long st, en, cnt, pfn;
				char fl[16], step;
				int sd;

				ptelines++;
				if (sscanf(p + 6, "%lx-%lx %lu %*s %*s %15s %lx %c %d", &st, &en,
					   &cnt, fl, &pfn, &step, &sd) == 7) {
					if (psd >= 0 && st == pend &&
					    (pfn == plast + 1 || pfn == plast - 1 || pfn == plast)) {
						bool any = false;

						for (unsigned int c = 0; c < sizeof(cols) - 1; c++)
							if (fl[c] != pflags[c]) {
								split[c]++;
								any = true;
							}
						if (sd != psd) {
							split_sd++;
							any = true;
						}
						if (!any)
							split_step++;
					}
					pend = en;
					plast = step == '+' ? pfn + cnt - 1 :
						step == '-' ? pfn - (cnt - 1) : pfn;
					snprintf(pflags, sizeof(pflags), "%s", fl);
					psd = sd;
				}
			} else {
				psd = -1;
			}
			if (nl)
				*nl = '\n';
		} else if ((!strncmp(p, "  pmd ", 6) || !strncmp(p, "  pud ", 6)) &&
			   sscanf(p + 6, "%lx-%lx", &s, &e) == 2) {
			if (nh == caph) {
				caph = caph ? caph * 2 : 1024;
				h = realloc(h, caph * sizeof(*h));
				if (!h)
					die("realloc");
			}
			h[nh].start = s;
			h[nh++].end = e;
		} else if (!strncmp(p, "sum ", 4) &&
			   sscanf(p, "sum %*s present %lu", &x) == 1) {
			rpresent += x;
		} else if (!strncmp(p, "end ", 4)) {
			sscanf(p, "end vmas %lu pagelines %lu", &vmas, &pagelines);
		}
	}
	pfn_scan(pid, h, nh, &st);
	printf("benchpfn variant=%s n=%lu pages4k=%lu pfnruns=%lu ptelines=%lu"
	       " pagelines=%lu report_bytes=%zu report_present=%lu pagemap_present=%lu",
	       label, n, st.pages, st.runs, ptelines, pagelines, len, rpresent,
	       st.all_present);
	for (int i = 0; i < NR_CLASSES; i++)
		printf(" pair_%s=%lu", class_names[i], st.pairs[i]);
	for (int i = 0; i < NR_CLASSES; i++)
		printf(" break_%s=%lu", class_names[i], st.breaks[i]);
	/* Neighbouring present pte lines whose PFNs continue: what differs. */
	for (unsigned int c = 0; c < sizeof(cols) - 1; c++)
		if (split[c])
			printf(" split_%c=%lu", cols[c], split[c]);
	printf(" split_sd=%lu split_step=%lu\n", split_sd, split_step);
	fflush(stdout);
	free(h);
	free(text);
}

/*
 * The frame detail's present 4K page lines: where a line's PFNs continue
 * the last one's, what split them (the hardware flags, the soft-dirty bit,
 * or one of the frame fields: kind, a folio flag, order, node, map).
 */
/* After "  pte ": range count size state flags pfn step sd pkey swaptype,
 * then the frame fields kind fflags order node map.
 */
static const char fsplit_fmt[] =
	"%lx-%lx %lu %*s present %15s %lx %c %d %*s %*s %7s %15s %7s %7s %15s";

static void bench_fsplit(const char *label, unsigned long n, pid_t pid)
{
	static const char hw[] = "PWUTCADHGMN", ff[] = "LAURDWSMPX";
	unsigned long hsplit[sizeof(hw)] = {}, fsplit[sizeof(ff)] = {};
	unsigned long lines = 0, cont = 0, s_sd = 0, s_kind = 0, s_order = 0;
	unsigned long s_node = 0, s_map = 0, s_none = 0, pend = 0, plast = 0;
	char pf[16] = "", pk[8] = "", pff[16] = "", po[8] = "", pn[8] = "", pm[16] = "";
	int psd = -1;
	char path[64], *text, *p;
	size_t len;

	snprintf(path, sizeof(path), "/proc/vmviz/frames/%d", pid);
	text = read_mem(path, 512UL << 20, &len);
	if (!text) {
		printf("# benchfsplit %s n=%lu: frame detail over 512 MiB\n", label, n);
		return;
	}
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char fl[16], k[8], fff[16], o[8], nd[8], m[16], step;
		unsigned long st, en, cnt, pfn;
		bool any = false;
		int sd;

		if (strncmp(p, "  pte ", 6) ||
		    sscanf(p + 6, fsplit_fmt, &st, &en, &cnt, fl, &pfn, &step, &sd, k, fff,
			   o, nd, m) != 12) {
			psd = -1;
			continue;
		}
		lines++;
		if (psd >= 0 && st == pend &&
		    (pfn == plast + 1 || pfn == plast - 1 || pfn == plast)) {
			cont++;
			for (unsigned int c = 0; c < sizeof(hw) - 1; c++)
				if (fl[c] != pf[c]) {
					hsplit[c]++;
					any = true;
				}
			for (unsigned int c = 0; c < sizeof(ff) - 1; c++)
				if (fff[c] != pff[c]) {
					fsplit[c]++;
					any = true;
				}
			any |= sd != psd;
			s_sd += sd != psd;
			any |= strcmp(k, pk) != 0;
			s_kind += strcmp(k, pk) != 0;
			any |= strcmp(o, po) != 0;
			s_order += strcmp(o, po) != 0;
			any |= strcmp(nd, pn) != 0;
			s_node += strcmp(nd, pn) != 0;
			any |= strcmp(m, pm) != 0;
			s_map += strcmp(m, pm) != 0;
			s_none += !any;
		}
		pend = en;
		plast = step == '+' ? pfn + cnt - 1 : step == '-' ? pfn - (cnt - 1) : pfn;
		snprintf(pf, sizeof(pf), "%s", fl);
		snprintf(pk, sizeof(pk), "%s", k);
		snprintf(pff, sizeof(pff), "%s", fff);
		snprintf(po, sizeof(po), "%s", o);
		snprintf(pn, sizeof(pn), "%s", nd);
		snprintf(pm, sizeof(pm), "%s", m);
		psd = sd;
	}
	printf("benchfsplit variant=%s n=%lu frames_bytes=%zu ptelines=%lu continued=%lu",
	       label, n, len, lines, cont);
	for (unsigned int c = 0; c < sizeof(hw) - 1; c++)
		if (hsplit[c])
			printf(" hw_%c=%lu", hw[c], hsplit[c]);
	for (unsigned int c = 0; c < sizeof(ff) - 1; c++)
		if (fsplit[c])
			printf(" folio_%c=%lu", ff[c], fsplit[c]);
	printf(" sd=%lu kind=%lu order=%lu node=%lu map=%lu none=%lu\n",
	       s_sd, s_kind, s_order, s_node, s_map, s_none);
	fflush(stdout);
	free(text);
}

/* Until @pid has slept (state S) in 5 looks 100 ms apart, 10 s at most. */
static void wait_blocked(pid_t pid)
{
	char path[64], buf[512], *p;
	int sleeping = 0;
	double t0 = now();

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	while (sleeping < 5 && now() - t0 < 10) {
		int fd = open(path, O_RDONLY);
		ssize_t r = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		if (fd >= 0)
			close(fd);
		if (r <= 0)
			return;
		buf[r] = 0;
		p = strrchr(buf, ')');
		sleeping = p && p[2] == 'S' ? sleeping + 1 : 0;
		usleep(100000);
	}
}

/*
 * Real processes: the reader /bin/vmviz (dynamically linked: ld.so, libc,
 * libsmartcols), blocked reading a saved report from a pipe after 48 KiB
 * of it, and a busybox sh blocked reading commands from a pipe.
 */
static void bench_real(void)
{
	static const struct {
		const char *label, *path, *argv[4];
	} progs[] = {	/* the reader first: it is fed text */
		{ "real-vmviz", "/bin/vmviz", { "vmviz", "-f", "-", NULL } },
		{ "real-busybox-sh", "/bin/busybox", { "sh", NULL } },
	};

	for (unsigned int i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		int fds[2], fd;
		char s[32];
		pid_t pid;

		if (access(progs[i].path, X_OK)) {
			printf("# benchpfn %s: no %s\n", progs[i].label, progs[i].path);
			continue;
		}
		if (pipe(fds))
			die("pipe");
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			int null = open("/dev/null", O_WRONLY);

			dup2(fds[0], 0);
			close(fds[0]);
			close(fds[1]);
			if (null >= 0) {
				dup2(null, 1);
				dup2(null, 2);
			}
			execv(progs[i].path, (char **)progs[i].argv);
			_exit(127);
		}
		close(fds[0]);
		/* Text for the reader to hold on its heap: 48 KiB of smaps
		 * lines (the shell gets none: it would run them). */
		if (i == 0) {
			long left = 48 << 10;

			while (left > 0) {
				int sf = open("/proc/self/smaps", O_RDONLY);
				ssize_t r = sf < 0 ? -1 : read(sf, rbuf, 16384);

				if (sf >= 0)
					close(sf);
				if (r <= 0 || write(fds[1], rbuf, r < left ? r : left) < 0)
					break;
				left -= r;
			}
		}
		wait_blocked(pid);
		fd = open("/proc/vmviz/track", O_WRONLY);
		snprintf(s, sizeof(s), "%d\n", pid);
		if (fd < 0 || write(fd, s, strlen(s)) < 0)
			printf("# benchpfn %s: track failed\n", progs[i].label);
		else
			bench_pfn(progs[i].label, 0, pid);
		if (fd >= 0)
			close(fd);
		kill(pid, SIGKILL);
		close(fds[1]);
		waitpid(pid, NULL, 0);
	}
}

/* ---- the measurements --------------------------------------------------- */

static double budget = 1.0;	/* seconds per timed reader, at most */
static int max_reps = 5;
static int nreaders = 200;
static double point_limit = 90;	/* seconds one (variant, N) may take */
static char prof_spec[64];	/* -p VARIANT:LOG: profile that point */
static bool profile_this;
static char mprof_spec[128];	/* -q VARIANT:LOG: the module's own profile */
static char only_spec[1024];	/* -o VARIANT:LOG,...: only these points */
static char vmas_spec[128] = "65536,1000000";	/* -m N,...: bench_vmas() */
static bool mprof_this;

/* ---- the module's own profile (its parameter prof) ---------------------- */

/*
 * The module sums the time of its walk's phases while its parameter prof
 * is set (module/vmviz.h, enum vmviz_prof): no kernel text is patched, so
 * this works where ftrace's int3 patching under TCG crashed guests. One
 * read of the report and one of the frame detail, each alone.
 */
#define MPROF_PARAM "/sys/module/vmviz/parameters/prof"

static int mprof_write(const char *val)
{
	int fd = open(MPROF_PARAM, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

static void mprof_one(const char *label, int r, pid_t pid, unsigned long *present)
{
	char buf[512], *line, *save = NULL;
	double t;
	ssize_t n;
	int fd;

	if (mprof_write("1"))
		return;
	t = now();
	read_one(r, pid, present);
	t = now() - t;
	mprof_write("0");
	fd = open(MPROF_PARAM, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	printf("# mprof %s wall_ms=%.3f", label, t * 1e3);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[16];
		long long ns, calls;

		if (sscanf(line, "%15s %lld %lld", name, &ns, &calls) == 3)
			printf(" %s_ms=%.3f %s_calls=%lld", name, ns / 1e6, name, calls);
	}
	printf("\n");
}

static void start_churn(struct ctl *c)
{
	atomic_store(&c->ops, 0);
	atomic_store(&c->max_ns, 0);
	atomic_store(&c->sum_ns, 0);
	atomic_store(&c->churn, 1);
}

static void stop_churn(struct ctl *c, long *ops, double *max_us, double *avg_us)
{
	atomic_store(&c->churn, 0);
	usleep(2000);
	*ops = atomic_load(&c->ops);
	*max_us = atomic_load(&c->max_ns) / 1e3;
	*avg_us = *ops ? atomic_load(&c->sum_ns) / 1e3 / *ops : 0;
}

/*
 * Read the file again and again for at least 300 ms (at least once) while
 * the target loops on mmap/munmap, so that short reads meet enough calls.
 */
static void stall_reads(struct ctl *c, enum reader r, pid_t pid, long *ops,
			double *max_us, double *avg_us)
{
	unsigned long present;
	double t0;

	start_churn(c);
	usleep(2000);	/* the target polls every 500 us */
	t0 = now();
	do
		read_one(r, pid, &present);
	while (now() - t0 < 0.3);
	stop_churn(c, ops, max_us, avg_us);
}

/* Wait until target @pid has made its layout, then track it; false if it died. */
static bool ready_and_tracked(struct ctl *c, pid_t pid)
{
	char s[32];
	int fd;

	while (!atomic_load(&c->ready)) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return false;
		usleep(1000);
	}
	fd = open("/proc/vmviz/track", O_WRONLY);
	snprintf(s, sizeof(s), "%d\n", pid);
	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		die("track");
	close(fd);
	return true;
}

static void bench_one(enum variant v, unsigned long n)
{
	struct ctl *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double best[NR_READERS], t0, t_setup, slab_b, free_b, sslab_b, sfree_b;
	long bytes[NR_READERS] = {};
	unsigned long present = 0, span;
	int reps[NR_READERS] = {};
	char path[64], s[32];
	pid_t pid;

	if (c == MAP_FAILED)
		die("mmap ctl");
	memset(c, 0, sizeof(*c));
	t0 = now();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		target_main(c, v, n);
	if (!ready_and_tracked(c, pid)) {
		printf("# bench %s n=%lu: target died while populating\n",
		       variant_names[v], n);
		return;
	}
	t_setup = now() - t0;

	snprintf(path, sizeof(path), "/proc/vmviz/frames/%d", pid);
	have_frames = !access(path, R_OK);
	snprintf(path, sizeof(path), "/proc/vmviz/%d", pid);

	/* pagemap of a 64 TiB VMA is 128 GiB of output: not read. */
	/*
	 * The three readers take turns, so that a slow spell of the shared
	 * host hits all of them; each keeps its fastest time. Repeat while
	 * a round fits in the time budget.
	 */
	span = pagemap_span(pid);
	for (int r = 0; r < NR_READERS; r++)
		best[r] = -1;
	for (int rep = 0; rep < max_reps; rep++) {
		double round = 0;

		for (int r = 0; r < NR_READERS; r++) {
			double t, dt;

			if (!reader_on(r, span))
				continue;
			t = now();
			bytes[r] = read_one(r, pid, &present);
			dt = now() - t;
			round += dt;
			if (best[r] < 0 || dt < best[r])
				best[r] = dt;
			reps[r]++;
		}
		if (round * (rep + 2) > budget)
			break;
	}

	printf("bench variant=%s n=%lu setup_s=%.2f", variant_names[v], n, t_setup);
	if (best[R_PAGEMAP] >= 0)
		printf(" present=%lu", present);
	for (int r = 0; r < NR_READERS; r++)
		printf(" %s_ms=%.3f %s_bytes=%ld %s_reps=%d", reader_names[r],
		       best[r] * 1e3, reader_names[r], bytes[r], reader_names[r], reps[r]);
	printf(" vmviz_per_pagemap=%.3f vmviz_per_smaps=%.3f vmviz_bytes_per_page=%.2f",
	       best[R_PAGEMAP] > 0 ? best[R_VMVIZ] / best[R_PAGEMAP] : -1,
	       best[R_VMVIZ] / best[R_SMAPS], (double)bytes[R_VMVIZ] / n);
	/* The frame detail against smaps, smaps_rollup and the report. */
	printf(" frames_per_smaps=%.3f frames_per_rollup=%.3f frames_per_vmviz=%.3f"
	       " smaps_per_rollup=%.3f frames_bytes_per_page=%.2f\n",
	       best[R_FRAMES] > 0 ? best[R_FRAMES] / best[R_SMAPS] : -1,
	       best[R_FRAMES] > 0 ? best[R_FRAMES] / best[R_ROLLUP] : -1,
	       best[R_FRAMES] > 0 ? best[R_FRAMES] / best[R_VMVIZ] : -1,
	       best[R_SMAPS] / best[R_ROLLUP], (double)bytes[R_FRAMES] / n);
	fflush(stdout);

	/* sparse and wide have no neighbouring pages: nothing to classify. */
	if (v != V_SPARSE && v != V_WIDE) {
		bench_pfn(variant_names[v], n, pid);
		if (have_frames)
			bench_fsplit(variant_names[v], n, pid);
	}
	bench_holds(c, variant_names[v], n, pid, span <= (1UL << 24));
	fflush(stdout);

	if (profile_this && prof_begin()) {
		for (int r = 0; r < NR_READERS; r++) {
			double t;

			if (!reader_on(r, span))
				continue;
			prof_begin();
			t = now();
			read_one(r, pid, &present);
			prof_end(reader_names[r], now() - t);
		}
	}

	if (mprof_this) {
		mprof_one("vmviz", R_VMVIZ, pid, &present);
		if (have_frames)
			mprof_one("frames", R_FRAMES, pid, &present);
		fflush(stdout);
	}

	/* Kernel memory per open reader that has read its first 4 KiB. */
	reader_memory(path, nreaders, &slab_b, &free_b);
	snprintf(s, sizeof(s), "/proc/%d/smaps", pid);
	reader_memory(s, nreaders, &sslab_b, &sfree_b);
	printf("benchmem variant=%s n=%lu readers=%d vmviz_slab_b=%.0f vmviz_free_b=%.0f"
	       " smaps_slab_b=%.0f smaps_free_b=%.0f\n", variant_names[v], n,
	       nreaders, slab_b, free_b, sslab_b, sfree_b);
	fflush(stdout);

	/* Stalls of the target's mmap/munmap: idle, under vmviz, under smaps. */
	{
		double idle_max, idle_avg, vm_max, vm_avg, sm_max, sm_avg;
		long idle_ops, vm_ops, sm_ops;

		start_churn(c);
		usleep(300000);
		stop_churn(c, &idle_ops, &idle_max, &idle_avg);
		stall_reads(c, R_VMVIZ, pid, &vm_ops, &vm_max, &vm_avg);
		stall_reads(c, R_SMAPS, pid, &sm_ops, &sm_max, &sm_avg);
		printf("benchstall variant=%s n=%lu idle_max_us=%.0f idle_avg_us=%.1f"
		       " vmviz_max_us=%.0f vmviz_avg_us=%.1f vmviz_ops=%ld"
		       " smaps_max_us=%.0f smaps_avg_us=%.1f smaps_ops=%ld\n",
		       variant_names[v], n, idle_max, idle_avg, vm_max, vm_avg, vm_ops,
		       sm_max, sm_avg, sm_ops);
		fflush(stdout);
	}

	atomic_store(&c->quit, 1);
	waitpid(pid, NULL, 0);
	munmap(c, sizeof(*c));
}

/* ---- many VMAs: holds and the target's stall ------------------------------ */

/*
 * A target that makes a mapping of @n pages with every other page
 * PROT_NONE, so @n one-page VMAs (none of them populated), for at most
 * VMAS_MAKE_SECS; it says how many it made. A slower kernel goes on with
 * those it has (manyvmas_test does the same).
 */
#define VMAS_MAKE_SECS	180

static void vmas_target(struct ctl *c, unsigned long n)
{
	char *p = mmap(NULL, n * PAGE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	double t0 = now();
	unsigned long i;

	if (p == MAP_FAILED)
		_exit(2);
	for (i = 0; i < n; i += 2) {
		if (mprotect(p + i * PAGE, PAGE, PROT_NONE))
			break;
		if (!(i & 4095) && now() - t0 > VMAS_MAKE_SECS)
			break;
	}
	atomic_store(&c->made, i < n ? i + 1 : n);
	target_loop(c);
}

/*
 * vm.max_map_count raised, a target with @n VMAs: one timed read each of
 * the report, maps, smaps and smaps_rollup (the kernel's walkers over the
 * same VMAs, same boot); the holds of the target's mmap lock by the report
 * and by smaps (mmap_lock events); the longest mmap+munmap of the target
 * while nothing reads it, while the report is read and while smaps and
 * maps are. One "benchvmas" line; "benchhold" lines as for the variants.
 */
static void bench_vmas(unsigned long n)
{
	enum { VR_VMVIZ, VR_MAPS, VR_SMAPS, VR_ROLLUP, NR_VR };
	static const char *const vr_names[NR_VR] = { "vmviz", "maps", "smaps", "rollup" };
	static const char *const vr_fmt[NR_VR] = {
		"/proc/vmviz/%d", "/proc/%d/maps", "/proc/%d/smaps", "/proc/%d/smaps_rollup",
	};
	struct ctl *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double ms[NR_VR], t0, t_setup, idle_max, idle_avg, stall_max[NR_VR], stall_avg;
	long bytes[NR_VR], ops, maps_lines;
	char path[64], s[32], *old;
	struct vt_holds h;
	size_t len;
	pid_t pid;
	int fd;

	if (c == MAP_FAILED)
		die("mmap ctl");
	memset(c, 0, sizeof(*c));
	old = read_mem("/proc/sys/vm/max_map_count", 64, &len);
	snprintf(s, sizeof(s), "%lu\n", n + 65536);
	fd = open("/proc/sys/vm/max_map_count", O_WRONLY);
	if (fd < 0 || write(fd, s, strlen(s)) < 0) {
		printf("# benchvmas n=%lu: cannot raise vm.max_map_count: %s\n", n, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(old);
		munmap(c, sizeof(*c));
		return;
	}
	close(fd);

	t0 = now();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		vmas_target(c, n);
	if (!ready_and_tracked(c, pid)) {
		printf("# benchvmas n=%lu: the target died making its VMAs\n", n);
		goto out;
	}
	t_setup = now() - t0;

	for (int r = 0; r < NR_VR; r++) {
		snprintf(path, sizeof(path), vr_fmt[r], pid);
		t0 = now();
		bytes[r] = read_whole(path);
		ms[r] = (now() - t0) * 1e3;
	}
	maps_lines = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	read_count(path, &maps_lines);

	/* The holds of one read of the report and of smaps. */
	for (int r = 0; holds_ok && r < 2; r++) {
		enum reader rd = r ? R_SMAPS : R_VMVIZ;

		measure_holds(c, rd, pid, &h);
		printf("benchhold variant=vmas n=%lu reader=%s holds=%ld max_us=%.0f"
		       " p99_us=%.0f p50_us=%.0f sum_us=%.0f events=%ld lost=%ld"
		       " target_mm=%d\n", n, reader_names[rd], h.holds, h.max_us,
		       h.p99_us, h.p50_us, h.sum_us, h.events, h.lost, h.found_mm);
	}

	/* The target's mmap+munmap: idle, then under each reader. */
	start_churn(c);
	usleep(300000);
	stop_churn(c, &ops, &idle_max, &idle_avg);
	for (int r = 0; r < NR_VR; r++) {
		stall_max[r] = -1;
		if (r == VR_ROLLUP)
			continue;
		snprintf(path, sizeof(path), vr_fmt[r], pid);
		start_churn(c);
		usleep(2000);	/* the target polls every 500 us */
		t0 = now();
		do
			read_whole(path);
		while (now() - t0 < 0.3);
		stop_churn(c, &ops, &stall_max[r], &stall_avg);
	}

	printf("benchvmas n=%lu vmas=%ld maps_lines=%ld setup_s=%.1f", n,
	       atomic_load(&c->made), maps_lines, t_setup);
	for (int r = 0; r < NR_VR; r++)
		printf(" %s_ms=%.1f %s_bytes=%ld", vr_names[r], ms[r], vr_names[r], bytes[r]);
	printf(" vmviz_per_smaps=%.3f vmviz_per_maps=%.3f idle_max_us=%.0f",
	       ms[VR_VMVIZ] / ms[VR_SMAPS], ms[VR_VMVIZ] / ms[VR_MAPS], idle_max);
	for (int r = 0; r < NR_VR; r++)
		if (stall_max[r] >= 0)
			printf(" %s_max_us=%.0f", vr_names[r], stall_max[r]);
	printf("\n");
	fflush(stdout);
out:
	atomic_store(&c->quit, 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	munmap(c, sizeof(*c));
	if (old) {
		fd = open("/proc/sys/vm/max_map_count", O_WRONLY);
		if (fd >= 0) {
			if (write(fd, old, strlen(old)) < 0)
				printf("# benchvmas: vm.max_map_count not restored\n");
			close(fd);
		}
		free(old);
	}
}

static long mem_available_kb(void)
{
	char line[256];
	long v = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* Whether the comma-separated @spec names @point (VARIANT:LOG2N) whole. */
static bool spec_has(const char *spec, const char *point)
{
	size_t len = strlen(point);

	for (const char *p = spec; (p = strstr(p, point)); p += len)
		if ((p == spec || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vmviz_bench [-v VARIANT,...] [-a MINLOG] [-b MAXLOG] [-s STEP]\n"
		"                   [-t SECONDS] [-r REPS] [-k READERS] [-T TOTAL_SECONDS]\n"
		"                   [-P SECONDS_PER_POINT] [-p VARIANT:LOG2N]\n"
		"                   [-q VARIANT:LOG2N,...] [-o VARIANT:LOG2N,...]\n"
		"                   [-m NVMAS,...] [-N]\n"
		"variants: anon4k thp zero file sparse wide vmas (default: all)\n"
		"vmas: targets of NVMAS one-page VMAs (-m, default 65536,1000000; -m 0: none)\n"
		"-o: only these points of the variants and range asked (a rerun of misses)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int minlog = 12, maxlog = 22, step = 1, opt;
	bool want[NR_VARIANTS], want_vmas = true;
	double total = 0, start = now();
	char path[64];

	for (int v = 0; v < NR_VARIANTS; v++)
		want[v] = true;
	while ((opt = getopt(argc, argv, "v:a:b:s:t:r:k:T:P:p:q:o:m:N")) != -1) {
		switch (opt) {
		case 'v':
			for (int v = 0; v < NR_VARIANTS; v++)
				want[v] = strstr(optarg, variant_names[v]) != NULL;
			want_vmas = strstr(optarg, "vmas") != NULL;
			break;
		case 'a': minlog = atoi(optarg); break;
		case 'b': maxlog = atoi(optarg); break;
		case 's': step = atoi(optarg); break;
		case 't': budget = atof(optarg); break;
		case 'r': max_reps = atoi(optarg); break;
		case 'k': nreaders = atoi(optarg); break;
		case 'T': total = atof(optarg); break;
		case 'P': point_limit = atof(optarg); break;
		case 'p': snprintf(prof_spec, sizeof(prof_spec), "%s", optarg); break;
		case 'q': snprintf(mprof_spec, sizeof(mprof_spec), "%s", optarg); break;
		case 'o': snprintf(only_spec, sizeof(only_spec), "%s", optarg); break;
		case 'm': snprintf(vmas_spec, sizeof(vmas_spec), "%s", optarg); break;
		case 'N': no_lock_events = true; break;
		default: usage();
		}
	}
	if (only_spec[0])
		want_vmas = false;	/* a rerun of points of the variants */
	rbuf = malloc(READ_BUF);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# bench mem_available_kb=%ld budget_s=%.2f max_reps=%d readers=%d\n",
	       mem_available_kb(), budget, max_reps, nreaders);
	if (no_lock_events)
		printf("# holds: not measured (-N): the mmap_lock events stay off\n");
	else
		holds_init();
	bench_real();

	for (int v = 0; v < NR_VARIANTS; v++) {
		if (!want[v])
			continue;
		double last = 0;

		for (int lg = minlog; lg <= maxlog; lg += step) {
			unsigned long n = 1UL << lg;
			/* Leave a quarter of the free memory to the kernel. */
			unsigned long need = n * bytes_per_page(v) / 1024;

			snprintf(path, sizeof(path), "%s:%d", variant_names[v], lg);
			if (only_spec[0] && !spec_has(only_spec, path))
				continue;

			if (need > (unsigned long)mem_available_kb() * 3 / 4) {
				printf("# bench skip variant=%s n=%lu: needs %lu MiB\n",
				       variant_names[v], n, need >> 10);
				continue;
			}
			if (total && now() - start > total) {
				printf("# bench skip variant=%s n=%lu: time budget spent\n",
				       variant_names[v], n);
				continue;
			}
			/* Cost doubles with N: bound each variant by time. */
			if (last * (1 << step) > point_limit) {
				printf("# bench skip variant=%s n=%lu: the last N took %.0f s\n",
				       variant_names[v], n, last);
				continue;
			}
			last = now();
			profile_this = spec_has(prof_spec, path);
			mprof_this = spec_has(mprof_spec, path);
			bench_one(v, n);
			last = now() - last;
		}
	}
	for (char *tok = want_vmas ? strtok(vmas_spec, ",") : NULL; tok; tok = strtok(NULL, ",")) {
		unsigned long n = strtoul(tok, NULL, 0);

		if (!n)
			continue;
		/* A VMA and its maple tree slot: under 1 KiB of kernel memory. */
		if (n > (unsigned long)mem_available_kb() * 3 / 4) {
			printf("# benchvmas skip n=%lu: needs %lu MiB\n", n, n >> 10);
			continue;
		}
		if (total && now() - start > total) {
			printf("# benchvmas skip n=%lu: time budget spent\n", n);
			continue;
		}
		bench_vmas(n);
	}
	printf("# bench done in %.0f s\n", now() - start);
	return 0;
}
