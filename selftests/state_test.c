// SPDX-License-Identifier: GPL-2.0
/*
 * States the tests create and then expect to see: protections, accessed and
 * dirty bits, mlock and pinned pages, copy-on-write after fork, shared
 * mappings, one mm for threads and vfork/CLONE_VM children, THP and hugetlb
 * leaves, a mapping above 2^47 with 5-level paging, and swap entries.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/io_uring.h>

#include "vmviz_test.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << MAP_HUGE_SHIFT)
#define MAP_HUGE_1GB	(30 << MAP_HUGE_SHIFT)
#endif

#define PG	4096UL

/* Flag columns of a page line (docs/FORMAT.md). */
enum { F_P, F_W, F_U, F_T, F_C, F_A, F_D, F_H, F_G, F_M, F_N };

static int flag(const struct vt_page *p, int col)
{
	return p->flags[col] != '-';
}

/* The page line of @addr in our own report, parsed into @r. */
static const struct vt_page *own_page(struct __test_metadata *_metadata,
				      struct vt_report *r, void *addr,
				      unsigned long *pfn)
{
	const struct vt_page *p;
	char *txt = vt_report(getpid());
	char err[256];

	if (!txt || vt_parse(txt, r, err, sizeof(err))) {
		TH_LOG("own report: %s", txt ? err : strerror(errno));
		free(txt);
		return NULL;
	}
	free(txt);
	p = vt_page_at(r, (unsigned long)addr, pfn);
	if (!p)
		TH_LOG("no page line at %p", addr);
	return p;
}

static uint64_t pagemap(pid_t pid, void *addr)
{
	char path[64];
	uint64_t v = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, &v, 8, ((uintptr_t)addr / PG) * 8) != 8)
		v = 0;
	if (fd >= 0)
		close(fd);
	return v;
}

#define PM_PFN(v)	((v) & ((1ULL << 55) - 1))

static char *anon(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

TEST(mprotect_read_clears_rw)
{
	const struct vt_page *pg;
	struct vt_report r;
	char *p = anon(PG);

	VMVIZ_REQUIRE();
	ASSERT_NE(NULL, p);
	p[0] = 1;
	pg = own_page(_metadata, &r, p, NULL);
	ASSERT_NE(NULL, pg);
	EXPECT_TRUE(flag(pg, F_P) && flag(pg, F_W) && flag(pg, F_D) && flag(pg, F_N))
		TH_LOG("written page: %s", pg->flags);
	vt_free(&r);

	ASSERT_EQ(0, mprotect(p, PG, PROT_READ));
	pg = own_page(_metadata, &r, p, NULL);
	ASSERT_NE(NULL, pg);
	EXPECT_STREQ("present", pg->state);
	EXPECT_TRUE(flag(pg, F_P) && !flag(pg, F_W)) TH_LOG("PROT_READ: %s", pg->flags);
	EXPECT_STREQ("r--p", r.vmas[pg->vma].perm);
	vt_free(&r);
	munmap(p, PG);
}

TEST(mprotect_none_is_protnone)
{
	const struct vt_page *pg;
	unsigned long pfn;
	struct vt_report r;
	char *p = anon(PG);

	VMVIZ_REQUIRE();
	p[0] = 1;
	ASSERT_EQ(0, mprotect(p, PG, PROT_NONE));
	pg = own_page(_metadata, &r, p, &pfn);
	ASSERT_NE(NULL, pg);
	EXPECT_STREQ("protnone", pg->state);
	EXPECT_FALSE(flag(pg, F_P)) TH_LOG("PROT_NONE: %s", pg->flags);
	EXPECT_STREQ("---p", r.vmas[pg->vma].perm);
	/* The frame is still there, as pagemap says. */
	EXPECT_EQ(PM_PFN(pagemap(getpid(), p)), pfn);
	vt_free(&r);
	munmap(p, PG);
}

TEST(mprotect_exec_clears_nx)
{
	const struct vt_page *pg;
	struct vt_report r;
	char *p = anon(PG);

	VMVIZ_REQUIRE();
	p[0] = (char)0xc3;
	ASSERT_EQ(0, mprotect(p, PG, PROT_READ | PROT_EXEC));
	pg = own_page(_metadata, &r, p, NULL);
	ASSERT_NE(NULL, pg);
	EXPECT_TRUE(flag(pg, F_P) && !flag(pg, F_W) && !flag(pg, F_N))
		TH_LOG("PROT_EXEC: %s", pg->flags);
	EXPECT_STREQ("r-xp", r.vmas[pg->vma].perm);
	vt_free(&r);
	munmap(p, PG);
}

TEST(accessed_and_dirty_after_read_and_write)
{
	const struct vt_page *rd, *wr;
	struct vt_report r;
	char *p = anon(2 * PG);
	volatile char c;

	VMVIZ_REQUIRE();
	c = p[0];
	(void)c;
	p[PG] = 1;
	rd = own_page(_metadata, &r, p, NULL);
	ASSERT_NE(NULL, rd);
	wr = vt_page_at(&r, (unsigned long)p + PG, NULL);
	ASSERT_NE(NULL, wr);
	EXPECT_TRUE(flag(rd, F_A) && !flag(rd, F_D) && !flag(rd, F_W))
		TH_LOG("read: %s", rd->flags);
	EXPECT_TRUE(flag(wr, F_A) && flag(wr, F_D) && flag(wr, F_W))
		TH_LOG("written: %s", wr->flags);
	vt_free(&r);
	munmap(p, 2 * PG);
}

TEST(mlock_counts_locked_vm)
{
	const struct vt_page *pg;
	unsigned long before;
	struct vt_report r;
	char *p = anon(8 * PG);

	VMVIZ_REQUIRE();
	VT_REPORT(getpid(), &r);
	before = vt_counter(&r, "locked_vm");
	vt_free(&r);
	ASSERT_EQ(0, mlock(p, 3 * PG));
	pg = own_page(_metadata, &r, p, NULL);
	ASSERT_NE(NULL, pg);
	EXPECT_EQ(before + 3, vt_counter(&r, "locked_vm"));
	EXPECT_NE(NULL, strstr(r.vmas[pg->vma].vm, "lo")) TH_LOG("vm %s", r.vmas[pg->vma].vm);
	EXPECT_EQ(3, r.vmas[pg->vma].present);
	vt_free(&r);
	munlock(p, 3 * PG);
	munmap(p, 8 * PG);
}

/*
 * io_uring accounts registered buffers in pinned_vm when the registering
 * task lacks CAP_IPC_LOCK (7.2 skips the accounting for it), so the child
 * drops that capability first.
 */
static void register_buffers(void *arg)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	struct io_uring_params params = {};
	struct iovec iov = { anon(4 * PG), 4 * PG };
	int fd;

	if (syscall(SYS_capget, &hdr, data))
		_exit(2);
	data[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	if (syscall(SYS_capset, &hdr, data))
		_exit(2);
	fd = syscall(__NR_io_uring_setup, 4, &params);
	if (fd < 0)
		_exit(3);
	if (syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS, &iov, 1))
		_exit(4);
}

TEST(io_uring_buffers_count_pinned_vm)
{
	struct vt_report r;
	struct vt_child c;
	char path[64], *st, *pin;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_spawn(&c, register_buffers, NULL))
		TH_LOG("the child could not register buffers");
	VT_REPORT(c.pid, &r);
	EXPECT_EQ(4, vt_counter(&r, "pinned_vm"));
	snprintf(path, sizeof(path), "/proc/%d/status", c.pid);
	st = vt_read_file(path, NULL);
	ASSERT_NE(NULL, st);
	pin = strstr(st, "VmPin:");
	ASSERT_NE(NULL, pin);
	EXPECT_EQ(vt_counter(&r, "pinned_vm") * 4, strtoul(pin + 6, NULL, 10));
	free(st);
	vt_free(&r);
	EXPECT_EQ(0, vt_release(&c));
}

/* A child that waits for a byte, writes *addr, answers, and waits again. */
static pid_t writer_child(char *addr, int *go, int *done)
{
	int a[2], b[2];
	pid_t pid;
	char c;

	if (pipe(a) || pipe(b))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (read(a[0], &c, 1) != 1)
			_exit(1);
		*addr = 7;
		if (write(b[1], &c, 1) != 1)
			_exit(1);
		if (read(a[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	*go = a[1];
	*done = b[0];
	return pid;
}

TEST(fork_shares_cow_pages_until_written)
{
	const struct vt_page *pp, *cp;
	unsigned long ppfn, cpfn;
	struct vt_report pr, cr;
	int go, done, status;
	char *p = anon(PG);
	pid_t child;
	char c = 0;

	VMVIZ_REQUIRE();
	p[0] = 1;
	child = writer_child(p, &go, &done);
	ASSERT_LT(0, child);

	pp = own_page(_metadata, &pr, p, &ppfn);
	VT_REPORT(child, &cr);
	cp = vt_page_at(&cr, (unsigned long)p, &cpfn);
	ASSERT_NE(NULL, pp);
	ASSERT_NE(NULL, cp);
	EXPECT_STRNE(pr.mm_id, cr.mm_id);
	EXPECT_EQ(ppfn, cpfn) TH_LOG("after fork the page is shared");
	EXPECT_FALSE(flag(pp, F_W)) TH_LOG("parent: %s", pp->flags);
	EXPECT_FALSE(flag(cp, F_W)) TH_LOG("child: %s", cp->flags);
	vt_free(&pr);
	vt_free(&cr);

	ASSERT_EQ(1, write(go, &c, 1));
	ASSERT_EQ(1, read(done, &c, 1));
	VT_REPORT(child, &cr);
	cp = vt_page_at(&cr, (unsigned long)p, &cpfn);
	ASSERT_NE(NULL, cp);
	EXPECT_NE(ppfn, cpfn) TH_LOG("the child's write copied the page");
	EXPECT_TRUE(flag(cp, F_W) && flag(cp, F_D)) TH_LOG("child: %s", cp->flags);
	EXPECT_EQ(PM_PFN(pagemap(child, p)), cpfn);
	vt_free(&cr);

	ASSERT_EQ(1, write(go, &c, 1));
	waitpid(child, &status, 0);
	vt_untrack(child);
	munmap(p, PG);
}

TEST(map_shared_keeps_one_writable_frame)
{
	const struct vt_page *pp, *cp;
	unsigned long ppfn, cpfn;
	struct vt_report pr, cr;
	int go, done, status;
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t child;
	char c = 0;

	VMVIZ_REQUIRE();
	p[0] = 1;
	child = writer_child(p, &go, &done);
	ASSERT_LT(0, child);
	ASSERT_EQ(1, write(go, &c, 1));
	ASSERT_EQ(1, read(done, &c, 1));

	pp = own_page(_metadata, &pr, p, &ppfn);
	VT_REPORT(child, &cr);
	cp = vt_page_at(&cr, (unsigned long)p, &cpfn);
	ASSERT_NE(NULL, pp);
	ASSERT_NE(NULL, cp);
	EXPECT_EQ(ppfn, cpfn);
	EXPECT_TRUE(flag(pp, F_W)) TH_LOG("parent: %s", pp->flags);
	EXPECT_TRUE(flag(cp, F_W)) TH_LOG("child: %s", cp->flags);
	EXPECT_STREQ("rw-s", pr.vmas[pp->vma].perm);
	vt_free(&pr);
	vt_free(&cr);
	ASSERT_EQ(1, write(go, &c, 1));
	waitpid(child, &status, 0);
	vt_untrack(child);
	munmap(p, PG);
}

static void *park_thread(void *arg)
{
	int *fds = arg;
	pid_t tid = syscall(SYS_gettid);
	char c;

	if (write(fds[1], &tid, sizeof(tid)) != sizeof(tid))
		return NULL;
	if (read(fds[2], &c, 1) < 0)
		return NULL;
	return NULL;
}

static int clone_fn(void *arg)
{
	return park_thread(arg) ? 0 : 0;
}

static void expect_same_mm(struct __test_metadata *_metadata, pid_t a, pid_t b,
			   const char *kind, int same)
{
	struct vt_report ra, rb;

	VT_REPORT(a, &ra);
	VT_REPORT(b, &rb);
	if (same) {
		EXPECT_STREQ(ra.mm_id, rb.mm_id) TH_LOG("%s %d and %d", kind, a, b);
		EXPECT_GE(rb.users, 2);
	} else {
		EXPECT_STRNE(ra.mm_id, rb.mm_id) TH_LOG("%s %d and %d", kind, a, b);
	}
	if (!strcmp(kind, "thread"))
		EXPECT_STREQ("thread", rb.kind);
	vt_free(&ra);
	vt_free(&rb);
	vt_untrack(b);
}

TEST(thread_and_clone_vm_share_the_mm_fork_does_not)
{
	int up[2], down[2], fds[3];
	static char stack[64 * 1024];
	pthread_t th;
	pid_t tid, cl, fk;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	fds[1] = up[1];
	fds[2] = down[0];

	ASSERT_EQ(0, pthread_create(&th, NULL, park_thread, fds));
	ASSERT_EQ(sizeof(tid), read(up[0], &tid, sizeof(tid)));
	expect_same_mm(_metadata, getpid(), tid, "thread", 1);

	cl = clone(clone_fn, stack + sizeof(stack), CLONE_VM | SIGCHLD, fds);
	ASSERT_LT(0, cl);
	ASSERT_EQ(sizeof(tid), read(up[0], &tid, sizeof(tid)));
	expect_same_mm(_metadata, getpid(), cl, "CLONE_VM child", 1);

	fk = fork();
	if (fk == 0) {
		park_thread(fds);
		_exit(0);
	}
	ASSERT_EQ(sizeof(tid), read(up[0], &tid, sizeof(tid)));
	expect_same_mm(_metadata, getpid(), fk, "fork child", 0);

	/* Release all three. */
	ASSERT_EQ(3, write(down[1], "xxx", 3));
	pthread_join(th, NULL);
	waitpid(cl, NULL, 0);
	waitpid(fk, NULL, 0);
}

TEST(vfork_child_shares_the_mm)
{
	int up[2], down[2], status;
	pid_t parent, child;
	char c;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	/* A parent that vforks; the test inspects both while it is blocked. */
	parent = fork();
	if (parent == 0) {
		pid_t v = vfork();

		if (v == 0) {
			pid_t self = syscall(SYS_getpid);

			if (syscall(SYS_write, up[1], &self, sizeof(self)) != sizeof(self))
				_exit(1);
			syscall(SYS_read, down[0], &c, 1);
			_exit(0);
		}
		waitpid(v, NULL, 0);
		_exit(0);
	}
	ASSERT_EQ(sizeof(child), read(up[0], &child, sizeof(child)));
	expect_same_mm(_metadata, parent, child, "vfork child", 1);
	ASSERT_EQ(1, write(down[1], "x", 1));
	waitpid(parent, &status, 0);
	vt_untrack(parent);
}

static char *aligned(size_t len, size_t align, int flags)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	return (char *)(((uintptr_t)p + align - 1) & ~(align - 1));
}

TEST(thp_is_a_2m_pmd_leaf)
{
	const size_t huge = 2UL << 20;
	const struct vt_page *pg;
	unsigned long pfn;
	struct vt_report r;
	char *p;

	VMVIZ_REQUIRE();
	/* PREEMPT_RT kernels (Debian's -rt-amd64) are built without THP. */
	if (access("/sys/kernel/mm/transparent_hugepage", F_OK))
		SKIP(return, "kernel without transparent huge pages (CONFIG_TRANSPARENT_HUGEPAGE unset, as on PREEMPT_RT)");
	vt_write("/sys/kernel/mm/transparent_hugepage/enabled", "madvise");
	p = aligned(huge, huge, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, madvise(p, huge, MADV_HUGEPAGE));
	memset(p, 1, huge);
	pg = own_page(_metadata, &r, p + 4096 * 3, &pfn);
	ASSERT_NE(NULL, pg);
	EXPECT_STREQ("pmd", pg->level);
	EXPECT_STREQ("2M", pg->size);
	EXPECT_TRUE(flag(pg, F_H) && flag(pg, F_P) && flag(pg, F_W)) TH_LOG("%s", pg->flags);
	EXPECT_EQ(PM_PFN(pagemap(getpid(), p + 4096 * 3)), pfn);
	EXPECT_EQ(512, r.vmas[pg->vma].huge);
	vt_free(&r);
}

static void hugetlb_leaf(struct __test_metadata *_metadata, size_t size, int flag_size,
			 const char *level, const char *sz)
{
	const struct vt_page *pg;
	unsigned long pfn;
	struct vt_report r;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | flag_size, -1, 0);

	if (p == MAP_FAILED)
		SKIP(return, "no %s hugetlb page reserved: %s", sz, strerror(errno));
	p[0] = 1;
	p[size - 1] = 1;
	pg = own_page(_metadata, &r, p + size / 2, &pfn);
	ASSERT_NE(NULL, pg);
	EXPECT_STREQ(level, pg->level);
	EXPECT_STREQ(sz, pg->size);
	EXPECT_EQ(1, pg->count);
	EXPECT_TRUE(flag(pg, F_H) && flag(pg, F_D)) TH_LOG("%s", pg->flags);
	EXPECT_NE(NULL, strstr(r.vmas[pg->vma].vm, "ht"));
	EXPECT_EQ(PM_PFN(pagemap(getpid(), p + size / 2)), pfn);
	vt_free(&r);
	munmap(p, size);
}

TEST(hugetlb_2m_is_a_pmd_leaf)
{
	VMVIZ_REQUIRE();
	hugetlb_leaf(_metadata, 2UL << 20, MAP_HUGE_2MB, "pmd", "2M");
}

TEST(hugetlb_1g_is_a_pud_leaf)
{
	VMVIZ_REQUIRE();
	hugetlb_leaf(_metadata, 1UL << 30, MAP_HUGE_1GB, "pud", "1G");
}

TEST(mapping_above_47_bits_with_5_level_paging)
{
	const struct vt_page *pg;
	unsigned long pfn;
	struct vt_report r;
	char *p;

	VMVIZ_REQUIRE();
	VT_REPORT(getpid(), &r);
	if (r.levels != 5) {
		vt_free(&r);
		SKIP(return, "4-level paging: no address space above 2^47");
	}
	vt_free(&r);
	p = mmap((void *)(1UL << 52), PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_LE(1UL << 47, (unsigned long)p) TH_LOG("mapped at %p", p);
	p[0] = 1;
	pg = own_page(_metadata, &r, p, &pfn);
	ASSERT_NE(NULL, pg);
	EXPECT_STREQ("present", pg->state);
	EXPECT_EQ(PM_PFN(pagemap(getpid(), p)), pfn);
	vt_free(&r);
	munmap(p, PG);
}

TEST(paged_out_page_is_a_swap_entry)
{
	const struct vt_page *pg;
	struct vt_report r;
	char *p = anon(4 * PG);
	unsigned long off;
	int tries;

	VMVIZ_REQUIRE();
	memset(p, 3, 4 * PG);
	for (tries = 0; tries < 10; tries++) {
		madvise(p, 4 * PG, MADV_PAGEOUT);
		if (pagemap(getpid(), p) & (1ULL << 62))
			break;
	}
	if (!(pagemap(getpid(), p) & (1ULL << 62)))
		SKIP(return, "MADV_PAGEOUT did not swap (no swap?)");
	pg = own_page(_metadata, &r, p, &off);
	ASSERT_NE(NULL, pg);
	EXPECT_STREQ("swap", pg->state);
	EXPECT_STREQ("-----------", pg->flags);
	EXPECT_EQ(PM_PFN(pagemap(getpid(), p)), ((uint64_t)off << 5) | pg->swaptype);
	EXPECT_LE(1, r.vmas[pg->vma].swapped);
	vt_free(&r);
	EXPECT_EQ(3, p[0]);	/* and it comes back */
	munmap(p, 4 * PG);
}

TEST_HARNESS_MAIN
