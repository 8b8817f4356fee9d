// SPDX-License-Identifier: GPL-2.0
/*
 * The frame fields of page lines (docs/FORMAT.md, "Frame fields of page
 * lines") for states the test makes itself, each checked against what the
 * test did and against /proc/kpageflags and /proc/kpagecount: the zero
 * page, page cache of ramfs and tmpfs, KSM-merged pages (ksmd run here), swap-cache pages, pages pinned
 * for DMA by io_uring fixed buffers, exclusive anonymous pages around a
 * fork, and, in a guest with two NUMA nodes, pages placed by mbind()
 * against /proc/PID/numa_maps.
 */
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "vmviz_test.h"

#define PAGE		4096UL
#define KSM		"/sys/kernel/mm/ksm/"
#define MPOL_BIND	2

/* A private anonymous VMA of @n pages of its own, never THP-backed. */
static char *map_pages(unsigned long n)
{
	char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n * PAGE, MADV_NOHUGEPAGE);
	return p;
}

/*
 * The frame detail of @pid (0: frames/self), parsed, cut down to the page
 * lines inside [start, start + n pages): each base page of the range must
 * be in one. Returns 0, or -1 with @err filled in.
 */
static int frames_of(pid_t pid, char *start, unsigned long n, struct vt_report *r,
		     char *err, size_t len)
{
	unsigned long s = (unsigned long)start, e = s + n * PAGE, covered = 0;
	char *txt, *body;
	int i, k = 0;

	txt = pid ? vt_frames(pid) : vt_read_file(VMVIZ_FRAMES "/self", NULL);
	if (!txt) {
		snprintf(err, len, "reading the frame detail: %s", strerror(errno));
		return -1;
	}
	body = vt_frames_body(txt);
	free(txt);
	if (vt_parse(body, r, err, len)) {
		free(body);
		return -1;
	}
	free(body);
	/* A run may go on past the range, into a VMA merged with it: cut it. */
	for (i = 0; i < r->npages; i++) {
		struct vt_page *p = &r->pages[i];

		if (p->end <= s || p->start >= e)
			continue;
		if (!strcmp(p->size, "4K") && (p->start < s || p->end > e)) {
			unsigned long from = p->start > s ? p->start : s;

			p->pfn = vt_run_pfn(p, from);
			p->start = from;
			p->end = p->end < e ? p->end : e;
			p->count = (p->end - p->start) / PAGE;
		}
		r->pages[k++] = *p;
		covered += (p->end - p->start) / PAGE;
	}
	r->npages = k;
	if (covered != n) {
		snprintf(err, len, "page lines cover %lu of the %lu pages", covered, n);
		vt_free(r);
		return -1;
	}
	return 0;
}

/* Base pages of the range whose line has @kind, and whose flag @letter is set. */
static unsigned long count_pages(const struct vt_report *r, const char *kind, char letter)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < r->npages; i++) {
		const struct vt_page *p = &r->pages[i];

		if (kind && strcmp(p->kind, kind))
			continue;
		if (letter && !strchr(p->fflags, letter))
			continue;
		n += (p->end - p->start) / PAGE;
	}
	return n;
}

/*
 * The range's page lines, read again, agree with kpageflags and kpagecount;
 * a disagreement is read again up to five times (a per-CPU LRU batch
 * drained between the two reads changes L, A and R). Returns the base
 * pages that disagree at the last try, -1 if nothing could be read.
 */
static int kpageflags_differ(pid_t pid, char *start, unsigned long n, char *why, size_t len)
{
	unsigned long pages;
	struct vt_report r;
	int bad = -1, attempt;

	for (attempt = 0; attempt < 5 && bad; attempt++) {
		if (attempt)
			usleep(200 * 1000);
		if (frames_of(pid, start, n, &r, why, len))
			return -1;
		bad = vt_check_frames(&r, &pages, why, len);
		vt_free(&r);
	}
	return bad;
}

#define EXPECT_KPAGEFLAGS(pid, start, n)					\
	do {									\
		char _why[512];							\
		int _bad = kpageflags_differ(pid, start, n, _why, sizeof(_why));\
		EXPECT_EQ(0, _bad) TH_LOG("%s", _why);				\
	} while (0)

TEST(zero_page)
{
	volatile char sink = 0;
	struct vt_report r;
	char err[256], *p;
	unsigned long i;

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail on this kernel (5.10: no folios)");
	p = map_pages(16);
	ASSERT_NE(NULL, p);
	for (i = 0; i < 16; i++)
		sink += p[i * PAGE];
	(void)sink;
	ASSERT_EQ(0, frames_of(0, p, 16, &r, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(16, count_pages(&r, "zero", 0));
	EXPECT_KPAGEFLAGS(0, p, 16);
	vt_free(&r);
	munmap(p, 16 * PAGE);
}

/*
 * Page cache: a file on ramfs (kind file: not swap-backed, written through
 * a shared mapping, so dirty) and one on tmpfs (kind shmem).
 */
TEST(file_and_shmem)
{
	const char *dirs[] = { "/tmp/vt-ramfs", "/tmp/vt-tmpfs" };
	const char *fstypes[] = { "ramfs", "tmpfs" };
	const char *kinds[] = { "file", "shmem" };
	struct vt_report r;
	char err[256], path[64], *p;
	int i, fd;

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail on this kernel (5.10: no folios)");
	for (i = 0; i < 2; i++) {
		const char *kind = kinds[i];

		mkdir(dirs[i], 0700);
		ASSERT_EQ(0, mount("none", dirs[i], fstypes[i], 0, NULL))
			TH_LOG("mount %s: %s", fstypes[i], strerror(errno));
		snprintf(path, sizeof(path), "%s/f", dirs[i]);
		fd = open(path, O_RDWR | O_CREAT, 0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ftruncate(fd, 16 * PAGE));
		p = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		memset(p, 7, 16 * PAGE);
		ASSERT_EQ(0, frames_of(0, p, 16, &r, err, sizeof(err))) TH_LOG("%s", err);
		EXPECT_EQ(16, count_pages(&r, kind, 'D')) TH_LOG("%s pages, dirty", kind);
		vt_free(&r);
		EXPECT_KPAGEFLAGS(0, p, 16);
		munmap(p, 16 * PAGE);
		close(fd);
		umount(dirs[i]);
		rmdir(dirs[i]);
	}
}

/*
 * Anonymous pages are exclusive (X) while one process maps them, not after
 * fork; a page the child writes is its own copy, exclusive again.
 */
TEST(exclusive_across_fork)
{
	enum { N = 32, CHILD_WRITES = 8 };
	struct vt_pages writes;
	struct vt_child child;
	struct vt_report r;
	char err[256], *p;
	int i;

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail on this kernel (5.10: no folios)");
	p = map_pages(N);
	ASSERT_NE(NULL, p);
	memset(p, 1, N * PAGE);
	ASSERT_EQ(0, frames_of(0, p, N, &r, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(N, count_pages(&r, "anon", 'X')) TH_LOG("before fork");
	vt_free(&r);

	writes = (struct vt_pages){ .p = p, .n = CHILD_WRITES, .byte = 2 };
	ASSERT_EQ(0, vt_spawn(&child, vt_write_pages, &writes));
	ASSERT_EQ(0, frames_of(0, p, N, &r, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, count_pages(&r, NULL, 'X')) TH_LOG("parent after fork");
	/* Mapped by both but the child's copies: map 1 there, 2 elsewhere. */
	for (i = 0; i < r.npages; i++) {
		int want = r.pages[i].end <= (unsigned long)p + CHILD_WRITES * PAGE ? 1 : 2;

		EXPECT_TRUE(r.pages[i].start >= (unsigned long)p + CHILD_WRITES * PAGE ||
			    r.pages[i].end <= (unsigned long)p + CHILD_WRITES * PAGE);
		EXPECT_EQ(want, r.pages[i].map_lo);
		EXPECT_EQ(want, r.pages[i].map_hi);
	}
	EXPECT_KPAGEFLAGS(0, p, N);
	vt_free(&r);
	ASSERT_EQ(0, frames_of(child.pid, p, N, &r, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(CHILD_WRITES, count_pages(&r, "anon", 'X')) TH_LOG("child: its copies");
	for (i = 0; i < r.npages; i++)
		if (strchr(r.pages[i].fflags, 'X'))
			EXPECT_GE((unsigned long)p + CHILD_WRITES * PAGE, r.pages[i].end);
	EXPECT_KPAGEFLAGS(child.pid, p, N);
	vt_free(&r);
	vt_release(&child);
	munmap(p, N * PAGE);
}

static long read_long(const char *path)
{
	char *s = vt_read_file(path, NULL);
	long v = s ? atol(s) : -1;

	free(s);
	return v;
}

static void write_long(const char *path, long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld", v);
	vt_write(path, s);
}

/*
 * 32 pages of equal content, MADV_MERGEABLE, merged by ksmd into one KSM
 * page mapped 32 times (kind ksm, one PFN repeated: step '=', map 32).
 */
TEST(ksm_merged)
{
	enum { N = 32 };
	long run, scan, sleep_ms;
	struct vt_report r;
	char err[256], *p;
	unsigned long ksm = 0;
	int waited, i;

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail on this kernel (5.10: no folios)");
	if (access(KSM "run", W_OK))
		SKIP(return, "no KSM in this kernel");
	p = map_pages(N);
	ASSERT_NE(NULL, p);
	memset(p, 0x5a, N * PAGE);
	ASSERT_EQ(0, madvise(p, N * PAGE, MADV_MERGEABLE));
	run = read_long(KSM "run");
	scan = read_long(KSM "pages_to_scan");
	sleep_ms = read_long(KSM "sleep_millisecs");
	write_long(KSM "pages_to_scan", 1000);
	write_long(KSM "sleep_millisecs", 10);
	write_long(KSM "run", 1);
	for (waited = 0; waited < 600 && ksm < N; waited++) {
		usleep(100 * 1000);
		if (frames_of(0, p, N, &r, err, sizeof(err)) == 0) {
			ksm = count_pages(&r, "ksm", 0);
			if (ksm < N)
				vt_free(&r);
		}
	}
	if (ksm == N)
		EXPECT_KPAGEFLAGS(0, p, N);
	write_long(KSM "run", 2);	/* unmerge, and stop, whatever happened */
	write_long(KSM "run", run);
	write_long(KSM "pages_to_scan", scan);
	write_long(KSM "sleep_millisecs", sleep_ms);
	ASSERT_EQ(N, ksm) TH_LOG("ksmd merged %lu of %d pages in %d s", ksm, N, waited / 10);
	/* One KSM page, mapped N times (lines split where A or D differ). */
	for (i = 0; i < r.npages; i++) {
		EXPECT_EQ(vt_run_pfn(&r.pages[0], r.pages[0].start),
			  vt_run_pfn(&r.pages[i], r.pages[i].end - PAGE));
		EXPECT_TRUE(r.pages[i].step == '=' || r.pages[i].count == 1);
		EXPECT_EQ(N, r.pages[i].map_lo);
	}
	vt_free(&r);
	munmap(p, N * PAGE);
}

/* Pages of [p, p + n pages) whose pagemap entry says swapped (bit 62). */
static unsigned long swapped_pages(char *p, unsigned long n)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	unsigned long i, k = 0;
	unsigned long long e;

	for (i = 0; fd >= 0 && i < n; i++)
		if (pread(fd, &e, 8, (unsigned long)(p + i * PAGE) / PAGE * 8) == 8 &&
		    (e & (1ULL << 62)))
			k++;
	if (fd >= 0)
		close(fd);
	return k;
}

/*
 * A page swapped in while another process still holds its swap entry
 * stays in the swap cache (S): pages are paged out, then shared with a
 * child by fork, then read back by the parent.
 */
TEST(swap_cache)
{
	enum { N = 16 };
	volatile char sink = 0;
	struct vt_child child;
	struct vt_report r;
	char err[256], *p;
	unsigned long i;
	int tries;

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail on this kernel (5.10: no folios)");
	if (vt_file_kb("/proc/meminfo", "SwapTotal:") <= 0)
		SKIP(return, "no swap in this guest");
	/*
	 * New pages wait in the per-CPU LRU batch of the CPU that faulted
	 * them; MADV_PAGEOUT drains only its own CPU's (lru_add_drain()) and
	 * cannot isolate the others: on 6.12-rt a test that moved between
	 * CPUs paged out 15 and once 0 of its 16 pages. Stay on one CPU.
	 */
	{
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(sched_getcpu(), &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	p = map_pages(N);
	ASSERT_NE(NULL, p);
	memset(p, 3, N * PAGE);
	/* Reclaim can still leave a page behind on a busy guest: try longer. */
	for (tries = 0; tries < 100 && swapped_pages(p, N) < N; tries++) {
		madvise(p, N * PAGE, MADV_PAGEOUT);
		if (swapped_pages(p, N) < N)
			usleep(10000);
	}
	ASSERT_EQ(N, swapped_pages(p, N));
	ASSERT_EQ(0, vt_spawn(&child, NULL, NULL));	/* it shares the swap entries */
	for (i = 0; i < N; i++)
		sink += p[i * PAGE];
	(void)sink;
	ASSERT_EQ(0, frames_of(0, p, N, &r, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(N, count_pages(&r, "anon", 'S'));
	EXPECT_KPAGEFLAGS(0, p, N);
	vt_free(&r);
	vt_release(&child);
	munmap(p, N * PAGE);
}

/*
 * Buffers registered with io_uring are pinned (FOLL_PIN | FOLL_LONGTERM)
 * while the ring lives: P on their pages, on no page of a VMA beside them,
 * and on none once the ring is gone.
 */
TEST(dma_pinned)
{
	enum { N = 8 };
	struct io_uring_params params = {};
	struct vt_report r;
	char err[256], *buf, *other;
	struct iovec iov;
	unsigned long pinned = N;
	int ring, waited;

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail on this kernel (5.10: no folios)");
	buf = map_pages(N);
	other = map_pages(N);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, other);
	memset(buf, 4, N * PAGE);
	memset(other, 5, N * PAGE);
	ring = syscall(__NR_io_uring_setup, 4, &params);
	if (ring < 0)
		SKIP(return, "io_uring_setup: %s", strerror(errno));
	iov.iov_base = buf;
	iov.iov_len = N * PAGE;
	ASSERT_EQ(0, syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, &iov, 1))
		TH_LOG("IORING_REGISTER_BUFFERS: %s", strerror(errno));
	ASSERT_EQ(0, frames_of(0, buf, N, &r, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(N, count_pages(&r, "anon", 'P'));
	EXPECT_KPAGEFLAGS(0, buf, N);
	vt_free(&r);
	ASSERT_EQ(0, frames_of(0, other, N, &r, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, count_pages(&r, NULL, 'P'));
	vt_free(&r);
	close(ring);
	/* The ring is torn down by a kernel worker: its pins go soon after. */
	for (waited = 0; waited < 50 && pinned; waited++) {
		usleep(100 * 1000);
		ASSERT_EQ(0, frames_of(0, buf, N, &r, err, sizeof(err))) TH_LOG("%s", err);
		pinned = count_pages(&r, NULL, 'P');
		vt_free(&r);
	}
	EXPECT_EQ(0, pinned) TH_LOG("still pinned 5 s after the ring was closed");
	munmap(buf, N * PAGE);
	munmap(other, N * PAGE);
}

/* The parked process of the NUMA test: a VMA bound to each node (shared). */
static char **numa_vma;

static void numa_setup(void *arg)
{
	unsigned long node;

	for (node = 0; node < 2; node++) {
		unsigned long mask = 1UL << node;

		numa_vma[node] = map_pages(32);
		if (!numa_vma[node] ||
		    syscall(__NR_mbind, numa_vma[node], 32 * PAGE, MPOL_BIND, &mask, 64, 0))
			_exit(2);
		memset(numa_vma[node], 6, 32 * PAGE);
	}
}

/* numa_maps' N<node>=<pages> of the VMA starting at @start, or -1. */
static long numa_maps_pages(const char *maps, unsigned long start, int node)
{
	char key[32], *line, *end, *k;
	unsigned long s;

	for (line = (char *)maps; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (sscanf(line, "%lx", &s) != 1 || s != start)
			continue;
		snprintf(key, sizeof(key), " N%d=", node);
		k = strstr(line, key);
		if (!k || (end && k > end))
			return 0;
		return atol(k + strlen(key));
	}
	return -1;
}

/*
 * With two NUMA nodes: pages bound by mbind() show their node, and every
 * VMA of the process has, per node, as many pages with a frame (not the
 * zero page or other reserved kernel pages, which numa_maps skips) as
 * /proc/PID/numa_maps counts.
 */
TEST(numa_nodes)
{
	struct vt_child child;
	char err[256], path[64], *maps, *txt, *body;
	struct vt_report r;
	int i, v, node, vmas = 0;

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail on this kernel (5.10: no folios)");
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node (the rig's 5-level runs boot two)");
	numa_vma = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, numa_vma);
	ASSERT_EQ(0, vt_spawn(&child, numa_setup, NULL));
	for (node = 0; node < 2; node++) {
		ASSERT_EQ(0, frames_of(child.pid, numa_vma[node], 32, &r, err, sizeof(err)))
			TH_LOG("%s", err);
		for (i = 0; i < r.npages; i++)
			EXPECT_EQ(node, r.pages[i].node) TH_LOG("%s", r.pages[i].kind);
		EXPECT_KPAGEFLAGS(child.pid, numa_vma[node], 32);
		vt_free(&r);
	}

	txt = vt_frames(child.pid);
	ASSERT_NE(NULL, txt);
	body = vt_frames_body(txt);
	ASSERT_EQ(0, vt_parse(body, &r, err, sizeof(err))) TH_LOG("%s", err);
	snprintf(path, sizeof(path), "/proc/%d/numa_maps", child.pid);
	maps = vt_read_file(path, NULL);
	ASSERT_NE(NULL, maps);
	for (v = 0; v < r.nvmas; v++) {
		long ours[2] = {}, theirs;

		for (i = 0; i < r.npages; i++) {
			const struct vt_page *p = &r.pages[i];

			if (p->vma != v || p->node < 0 || !strcmp(p->kind, "zero") ||
			    !strcmp(p->kind, "other"))
				continue;
			if (p->node < 2)
				ours[p->node] += (p->end - p->start) / PAGE;
		}
		for (node = 0; node < 2; node++) {
			theirs = numa_maps_pages(maps, r.vmas[v].start, node);
			if (theirs < 0)
				continue;	/* not in numa_maps: [vsyscall] */
			EXPECT_EQ(theirs, ours[node])
				TH_LOG("VMA %lx node %d: numa_maps %ld pages, vmviz %ld",
				       r.vmas[v].start, node, theirs, ours[node]);
		}
		vmas++;
	}
	TH_LOG("%d VMAs: pages per node equal to numa_maps", vmas);
	free(maps);
	free(body);
	free(txt);
	vt_free(&r);
	vt_untrack(child.pid);
	vt_release(&child);
}

TEST_HARNESS_MAIN
