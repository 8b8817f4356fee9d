// SPDX-License-Identifier: GPL-2.0
/*
 * The page walk on large ranges: markers that carry no frame merge into a
 * handful of lines and agree with pagemap (uffd-wp over 256 MiB, a 1 GiB
 * guard region), and a reader killed in the middle of a huge VMA's walk
 * exits while the target goes on.
 */
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>

#include "vmviz_test.h"

#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED	(1 << 13)
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL	102
#endif

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_UFFD_WP	(1ULL << 57)
#define PM_SWAP_TYPE_MASK	0x1fULL

#define UFFD_LEN	(256UL << 20)
#define GUARD_LEN	(1UL << 30)

struct marked {
	size_t len;
	char *addr;
	int skip;	/* set by the child: the kernel can't make these markers */
};

/* Write-protect an unpopulated range: every PTE becomes a uffd-wp marker. */
static void uffd_wp_range(void *arg)
{
	struct marked *m = arg;
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_WP_UNPOPULATED };
	struct uffdio_register reg = {};
	struct uffdio_writeprotect wp = {};
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0 || ioctl(fd, UFFDIO_API, &api) ||
	    !(api.features & UFFD_FEATURE_WP_UNPOPULATED)) {
		m->skip = 1;
		return;
	}
	m->addr = mmap(NULL, m->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	madvise(m->addr, m->len, MADV_NOHUGEPAGE);
	reg.range.start = (uintptr_t)m->addr;
	reg.range.len = m->len;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	wp.range = reg.range;
	wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
	if (m->addr == MAP_FAILED || ioctl(fd, UFFDIO_REGISTER, &reg) ||
	    ioctl(fd, UFFDIO_WRITEPROTECT, &wp))
		m->skip = 2;
	/* fd stays open while the child is parked: the range stays registered. */
}

/* Guard pages over the whole range (7.2: MADV_GUARD_INSTALL). */
static void guard_range(void *arg)
{
	struct marked *m = arg;

	m->addr = mmap(NULL, m->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->addr == MAP_FAILED || madvise(m->addr, m->len, MADV_GUARD_INSTALL))
		m->skip = 1;
}

/*
 * The VMA of @m in the child's report is all @state, in at most a handful
 * of page lines, and pagemap agrees page by page: nothing present, and
 * (@uffd_wp) the uffd-wp bit on every page. pagemap marks a marker as a
 * swap entry (bit 62) with the marker's swap type in the low five frame
 * bits: where it does, that type is the line's swaptype.
 */
static void check_markers(struct __test_metadata *_metadata, pid_t pid,
			  const struct marked *m, const char *state, int uffd_wp)
{
	unsigned long start = (uintptr_t)m->addr, end = start + m->len, n = m->len / 4096;
	unsigned long i, lines = 0, pages = 0;
	const struct vt_vma *v = NULL;
	struct vt_report r;
	uint64_t *pm;
	char path[64];
	int fd, k, swaptype = -1;

	VT_REPORT(pid, &r);
	for (k = 0; k < r.nvmas; k++)
		if (r.vmas[k].start == start && r.vmas[k].end == end)
			v = &r.vmas[k];
	ASSERT_NE(NULL, v) TH_LOG("no VMA %lx-%lx", start, end);
	for (k = 0; k < r.npages; k++) {
		const struct vt_page *p = &r.pages[k];

		if (&r.vmas[p->vma] != v)
			continue;
		lines++;
		pages += p->count;
		EXPECT_STREQ(state, p->state) TH_LOG("line at %lx", p->start);
		EXPECT_EQ('=', p->step);
		EXPECT_EQ(0, p->pfn);
		swaptype = p->swaptype;
	}
	TH_LOG("%lu %s pages in %lu lines, sum nonpresent %lu", pages, state, lines,
	       v->nonpresent);
	EXPECT_EQ(n, pages);
	EXPECT_LE(lines, 4);
	EXPECT_EQ(n, v->nonpresent);
	EXPECT_EQ(0, v->present);
	EXPECT_EQ(0, v->swapped);

	pm = malloc(n * 8);
	ASSERT_NE(NULL, pm);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)(n * 8), pread(fd, pm, n * 8, start / 4096 * 8));
	close(fd);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, pm[i] & PM_PRESENT) TH_LOG("page %lx", start + i * 4096);
		if (pm[i] & PM_SWAP)
			ASSERT_EQ(swaptype, (int)(pm[i] & PM_SWAP_TYPE_MASK))
				TH_LOG("page %lx: pagemap %llx", start + i * 4096,
				       (unsigned long long)pm[i]);
		if (uffd_wp)
			ASSERT_NE(0, pm[i] & PM_UFFD_WP) TH_LOG("page %lx", start + i * 4096);
	}
	free(pm);
	vt_free(&r);
}

/* A struct marked the child fills in and the parent reads. */
static struct marked *shared_marked(size_t len)
{
	struct marked *m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	m->len = len;
	return m;
}

TEST(uffd_wp_markers_over_256m_are_a_few_lines)
{
	struct marked *m = shared_marked(UFFD_LEN);
	struct vt_child c;

	VMVIZ_REQUIRE();
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, vt_spawn(&c, uffd_wp_range, m));
	if (m->skip) {
		vt_release(&c);
		SKIP(return, "no UFFD_FEATURE_WP_UNPOPULATED on this kernel (step %d)", m->skip);
	}
	check_markers(_metadata, c.pid, m, "uffd-wp", 1);
	EXPECT_EQ(0, vt_release(&c));
}

TEST(guard_region_of_1g_is_a_few_lines)
{
	struct marked *m = shared_marked(GUARD_LEN);
	struct vt_child c;

	VMVIZ_REQUIRE();
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, vt_spawn(&c, guard_range, m));
	if (m->skip) {
		vt_release(&c);
		SKIP(return, "no MADV_GUARD_INSTALL on this kernel");
	}
	check_markers(_metadata, c.pid, m, "guard", 0);
	EXPECT_EQ(0, vt_release(&c));
}

#define SPARSE_TABLES	16384

/*
 * A huge sparse VMA whose page tables hold nothing: one page touched per
 * 2 MiB, then all dropped. The PTE tables stay (until 7.2's empty-table
 * reclaim frees them), so a report walks 16384 tables that give no line:
 * one read() does the whole walk.
 */
static void empty_tables(void *arg)
{
	size_t len = SPARSE_TABLES * (2UL << 20);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	size_t off;

	if (p == MAP_FAILED)
		_exit(2);
	madvise(p, len, MADV_NOHUGEPAGE);
	for (off = 0; off < len; off += 2UL << 20)
		p[off] = 1;
	madvise(p, len, MADV_DONTNEED);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read the report in 1 MiB read()s, @rounds times over (0: for ever). */
static void read_report(const char *path, int rounds)
{
	static char buf[1 << 20];
	int i;

	for (i = 0; !rounds || i < rounds; i++) {
		int fd = open(path, O_RDONLY);

		if (fd < 0)
			_exit(3);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

TEST(reader_killed_mid_walk_exits)
{
	struct vt_child c;
	double t0, whole, killed;
	char path[64];
	pid_t reader;
	int status;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_spawn(&c, empty_tables, NULL));
	ASSERT_EQ(0, vt_track(c.pid));
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", c.pid);

	t0 = now_s();
	read_report(path, 1);
	whole = now_s() - t0;

	reader = fork();
	ASSERT_LE(0, reader);
	if (reader == 0) {
		read_report(path, 0);
		_exit(0);
	}
	/* Into the middle of some read of the walk, then kill. */
	usleep(200000 + (unsigned int)(whole * 1e6 / 2));
	t0 = now_s();
	ASSERT_EQ(0, kill(reader, SIGKILL));
	ASSERT_EQ(reader, waitpid(reader, &status, 0));
	killed = now_s() - t0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	TH_LOG("a whole report took %.3f s; the killed reader was reaped %.3f s after SIGKILL",
	       whole, killed);
	printf("# vmviz-figures kill_mid_walk whole_s=%.3f reaped_s=%.3f\n", whole, killed);
	/* The target is untouched: alive, and its report reads to the end. */
	EXPECT_EQ(0, kill(c.pid, 0));
	read_report(path, 1);
	EXPECT_EQ(0, vt_release(&c));
}

#define CHANGED_PAGES	1024

/*
 * A VMA that changes while its page lines are being read: its upper half
 * is unmapped after the reader has read the VMA line and 50 page lines.
 * The VMA's sum line then covers only what was read before the change, and
 * the VMA (now half as long) is shown again from there, its pages read
 * once: no address in two page lines, the end line's counts right.
 */
TEST(vma_changed_mid_read_is_shown_in_consistent_pieces)
{
	int cmd[2], done[2], fd, seen = 0, nlines = 0, k, vmas = 0;
	unsigned long start, end;
	char path[64], c1, *txt, err[256];
	size_t len = 0, cap = 1 << 20;
	struct vt_report r;
	pid_t pid;
	char *p;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, pipe(cmd));
	ASSERT_EQ(0, pipe(done));
	p = mmap(NULL, CHANGED_PAGES * 4096UL, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	start = (unsigned long)p;
	end = start + CHANGED_PAGES * 4096UL;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int i;

		/* Every other page: a page line each, none merging. */
		madvise(p, CHANGED_PAGES * 4096UL, MADV_NOHUGEPAGE);
		for (i = 0; i < CHANGED_PAGES; i += 2)
			p[i * 4096UL] = 1;
		if (write(done[1], "r", 1) != 1 || read(cmd[0], &c1, 1) != 1)
			_exit(1);
		munmap(p + CHANGED_PAGES / 2 * 4096UL, CHANGED_PAGES / 2 * 4096UL);
		if (write(done[1], "m", 1) != 1 || read(cmd[0], &c1, 1) != 1)
			_exit(1);
		_exit(0);
	}
	munmap(p, CHANGED_PAGES * 4096UL);
	ASSERT_EQ(1, read(done[0], &c1, 1));
	ASSERT_EQ(0, vt_track(pid));
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	txt = malloc(cap);
	ASSERT_NE(NULL, txt);
	/* A byte at a time up to the VMA line and 50 of its page lines. */
	while (nlines < 50 && len < cap - 1 && read(fd, txt + len, 1) == 1) {
		if (txt[len++] != '\n')
			continue;
		txt[len] = '\0';
		if (!seen) {
			char *l = memrchr(txt, '\n', len - 1);
			unsigned long s0;

			l = l ? l + 1 : txt;
			seen = sscanf(l, "vma %lx-", &s0) == 1 && s0 == start;
		} else {
			nlines++;
		}
	}
	ASSERT_EQ(50, nlines);
	ASSERT_EQ(1, write(cmd[1], "u", 1));
	ASSERT_EQ(1, read(done[0], &c1, 1));
	for (;;) {
		ssize_t n = read(fd, txt + len, cap - 1 - len);

		ASSERT_LE(0, n);
		if (n == 0)
			break;
		len += n;
	}
	txt[len] = '\0';
	close(fd);
	ASSERT_EQ(0, vt_parse(txt, &r, err, sizeof(err))) TH_LOG("%s", err);
	for (k = 0; k < r.nvmas; k++) {
		const struct vt_vma *v = &r.vmas[k];

		if (v->start != start)
			continue;
		vmas++;
		if (vmas == 1) {
			EXPECT_EQ(end, v->end);
			EXPECT_EQ(start, v->sum_start);
			EXPECT_LT(v->sum_end, start + CHANGED_PAGES / 2 * 4096UL);
			TH_LOG("read before the change: %lx-%lx, %lu pages",
			       v->sum_start, v->sum_end, v->present);
		} else {
			EXPECT_EQ(start + CHANGED_PAGES / 2 * 4096UL, v->end);
			EXPECT_EQ(r.vmas[k - 1].sum_end, v->sum_start);
			EXPECT_EQ(v->end, v->sum_end);
			EXPECT_EQ(CHANGED_PAGES / 2 / 2,
				  r.vmas[k - 1].present + v->present);
		}
	}
	EXPECT_EQ(2, vmas);
	/* No address in two page lines: they only go up. */
	for (k = 1; k < r.npages; k++)
		EXPECT_LE(r.pages[k - 1].end, r.pages[k].start)
			TH_LOG("page lines %d and %d overlap", k - 1, k);
	vt_free(&r);
	free(txt);
	vt_untrack(pid);
	ASSERT_EQ(1, write(cmd[1], "q", 1));
	waitpid(pid, NULL, 0);
}

TEST_HARNESS_MAIN
