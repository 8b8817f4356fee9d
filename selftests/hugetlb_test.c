// SPDX-License-Identifier: GPL-2.0
/*
 * Shared hugetlb page tables (docs/RELIABILITY.md, "Shared hugetlb PMD
 * tables"): processes that map one hugetlb file MAP_SHARED over a 1 GiB-
 * aligned range share one PMD table. Readers read the report and the frame
 * detail of two sharers over and over while the test punches holes in the
 * file and faults them back (huge_pmd_unshare() in every sharer), a third
 * sharer exits and is forked again, and a parked sharer faults the pages
 * back into its own tables. Every report read must parse to its end line;
 * between rounds, at rest, the parked sharer's report must equal its
 * /proc/PID/pagemap page for page. Skips where the kernel has no hugetlb
 * pages to give. Bounded: ROUNDS rounds of CHURN_MS each, or, where
 * VMVIZ_SOAK_SECS asks for a longer stress (make check-debug), as many
 * rounds as fill half of it. VMVIZ_SOAK_SEED replays a run's choices.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "vmviz_test.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB	0x0004U
#endif

#define HPAGE		(2UL << 20)
#define PUD_SPAN	(1UL << 30)
#define NTOUCH		4		/* huge pages of the file in use */
#define POOL		16		/* huge pages the test asks for */
#define ROUNDS		8
#define CHURN_MS	2500
#define NREADERS	2

#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_PRESENT	(1ULL << 63)

/* Shared by every process of the test (MAP_SHARED anonymous). */
struct shared {
	int ready;		/* the parked sharer has its table */
	int churn;		/* the parked sharer faults pages back */
	int stop;		/* readers stop */
	unsigned long reads, frame_reads, parsed, esrch, bad;
	char failmsg[512];
};

static struct shared *sh;

static void add(unsigned long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static void fail_once(const char *what, int pid, const char *why)
{
	add(&sh->bad);
	if (!sh->failmsg[0])
		snprintf(sh->failmsg, sizeof(sh->failmsg), "%s of %d: %s", what, pid, why);
}

static long read_long(const char *path)
{
	char *t = vt_read_file(path, NULL);
	long v = t ? strtol(t, NULL, 10) : -1;

	free(t);
	return v;
}

static int write_long(const char *path, long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld\n", v);
	return vt_write(path, s);
}

/* Touch (read) the pages in use, one byte each: a fault shares the table. */
static void touch(volatile char *map)
{
	unsigned int i;

	for (i = 0; i < NTOUCH; i++)
		(void)map[i * 2 * HPAGE];
}

/*
 * The parked sharer: fork gives it no hugetlb entries (they are left to
 * faults), so its first fault makes it share the table; then it faults
 * pages back while the churn goes on.
 */
static void parked(volatile char *map)
{
	(void)map[0];
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	for (;;) {
		if (__atomic_load_n(&sh->churn, __ATOMIC_ACQUIRE))
			touch(map);
		usleep(500);
	}
}

/* The sharer that comes and goes: lives 0-100 ms, touching the pages. */
static void transient(volatile char *map, unsigned int seed)
{
	touch(map);
	usleep(rand_r(&seed) % 100000);
	_exit(0);
}

/*
 * Read one report or frame detail whole, @chunk at a time; it must parse
 * to its end line. ESRCH is allowed: the target is gone.
 */
static void read_one(pid_t pid, bool frames, size_t chunk)
{
	char path[64], err[256] = "", *text, *body;
	struct vt_report r;

	snprintf(path, sizeof(path), "%s/%d", frames ? VMVIZ_FRAMES : VMVIZ_DIR, pid);
	text = vt_read_file_by(path, NULL, chunk);
	if (!text) {
		if (errno == ESRCH || errno == ENOENT)
			add(&sh->esrch);
		else
			fail_once(frames ? "frame detail" : "report", pid, strerror(errno));
		return;
	}
	add(frames ? &sh->frame_reads : &sh->reads);
	body = frames ? vt_frames_body(text) : text;
	if (vt_parse(body, &r, err, sizeof(err)) || !r.ended)
		fail_once(frames ? "frame detail" : "report", pid,
			  err[0] ? err : "no end line");
	else
		add(&sh->parsed);
	vt_free(&r);
	if (frames)
		free(body);
	free(text);
}

static void reader(pid_t a, pid_t b, unsigned int seed)
{
	static const size_t chunks[] = { 0, 4093, 65536, 1 };
	/* 5.10 has no frame detail. */
	bool frames = access(VMVIZ_FRAMES, F_OK) == 0;
	unsigned long n = 0;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		size_t chunk = chunks[rand_r(&seed) % (n % 16 ? 3 : 4)];

		read_one(n & 1 ? b : a, frames && ((n >> 1) & 1), chunk);
		n++;
	}
	_exit(0);
}

/*
 * At rest, every page of [map, map + span) in @pid's report against its
 * pagemap, read before and after: 1 if they agree, 0 if the pagemap moved
 * meanwhile (try again), -1 on a difference (@why says which).
 */
static int compare_at_rest(pid_t pid, unsigned long map, unsigned long span,
			   unsigned long *present, char *why, size_t len)
{
	uint64_t before[NTOUCH * 2], after[NTOUCH * 2];
	char path[64], err[256] = "", *text;
	struct vt_report r;
	unsigned int i;
	int fd, ret = 1;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(why, len, "pagemap: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < NTOUCH * 2; i++)
		if (vt_pread64(fd, (map + i * HPAGE) / 4096, (unsigned long long *)&before[i]))
			ret = -1;
	text = vt_report(pid);
	for (i = 0; i < NTOUCH * 2; i++)
		if (vt_pread64(fd, (map + i * HPAGE) / 4096, (unsigned long long *)&after[i]))
			ret = -1;
	close(fd);
	if (ret < 0 || !text) {
		snprintf(why, len, "read failed: %s", strerror(errno));
		free(text);
		return -1;
	}
	if (memcmp(before, after, sizeof(before))) {
		free(text);
		return 0;
	}
	if (vt_parse(text, &r, err, sizeof(err)) || !r.ended) {
		snprintf(why, len, "report: %s", err[0] ? err : "no end line");
		free(text);
		return -1;
	}
	free(text);
	*present = 0;
	/* Each huge page of the range, at its first and its last 4K page. */
	for (i = 0; i < span / HPAGE && ret > 0; i++) {
		unsigned long addr = map + i * HPAGE, off;
		uint64_t pm = i < NTOUCH * 2 ? after[i] : 0;

		for (off = 0; off < HPAGE; off += HPAGE - 4096) {
			unsigned long pfn = 0;
			const struct vt_page *pg = vt_page_at(&r, addr + off, &pfn);

			if (!(pm & PM_PRESENT)) {
				if (pg) {
					snprintf(why, len, "%lx: page line %s, pagemap none",
						 addr + off, pg->state);
					ret = -1;
				}
				continue;
			}
			if (!pg || strcmp(pg->state, "present") || strcmp(pg->size, "2M") ||
			    pfn != (pm & PM_PFN_MASK) + off / 4096) {
				snprintf(why, len, "%lx: pagemap pfn %llx, page line %s %s pfn %lx",
					 addr + off, (unsigned long long)((pm & PM_PFN_MASK) + off / 4096),
					 pg ? pg->state : "none", pg ? pg->size : "-", pfn);
				ret = -1;
			}
		}
		*present += !!(pm & PM_PRESENT);
	}
	vt_free(&r);
	return ret;
}

FIXTURE(hugetlb) {
	long old_pool;
};

FIXTURE_SETUP(hugetlb)
{
	self->old_pool = read_long("/proc/sys/vm/nr_hugepages");
}

FIXTURE_TEARDOWN(hugetlb)
{
	if (self->old_pool >= 0)
		write_long("/proc/sys/vm/nr_hugepages", self->old_pool);
}

/* The harness's guard only: rounds end by the clock. */
TEST_F_TIMEOUT(hugetlb, shared_pmd_tables_unshared_under_readers, 2400)
{
	unsigned long present = 0, compared = 0, unsettled = 0, punches = 0, forks = 0;
	pid_t target, transient_pid = 0, readers[NREADERS];
	const char *secs = getenv("VMVIZ_SOAK_SECS"), *seed_env = getenv("VMVIZ_SOAK_SEED");
	unsigned int seed = seed_env && *seed_env ? strtoul(seed_env, NULL, 0) : time(NULL);
	unsigned int seed0 = seed, round, i, rounds = ROUNDS;
	char *reserve, *map, why[256] = "";
	bool shared_seen = false;
	uint64_t pm_main;
	int fd, status;
	double end;

	VMVIZ_REQUIRE();
	if (self->old_pool < 0)
		SKIP(return, "no /proc/sys/vm/nr_hugepages: no hugetlb");
	if (self->old_pool < POOL)
		write_long("/proc/sys/vm/nr_hugepages", POOL);
	if (vt_file_kb("/proc/meminfo", "HugePages_Free:") < NTOUCH * 2)
		SKIP(return, "fewer than %d free 2M hugetlb pages", NTOUCH * 2);
	fd = memfd_create("vmviz-hugetlb", MFD_HUGETLB);
	if (fd < 0)
		SKIP(return, "memfd_create(MFD_HUGETLB): %s", strerror(errno));
	ASSERT_EQ(0, ftruncate(fd, PUD_SPAN));
	if (secs && atol(secs) / 2 * 1000 / CHURN_MS > ROUNDS)
		rounds = atol(secs) / 2 * 1000 / CHURN_MS;
	TH_LOG("seed %u, %u rounds (VMVIZ_SOAK_SEED=%u replays)", seed, rounds, seed);

	/* A 1 GiB-aligned range, MAP_NORESERVE: only the pages touched count. */
	reserve = mmap(NULL, 2 * PUD_SPAN, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, reserve);
	map = (char *)(((uintptr_t)reserve + PUD_SPAN - 1) & ~(PUD_SPAN - 1));
	ASSERT_EQ(map, mmap(map, PUD_SPAN, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	map[0] = 1;

	/* The parked sharer: its fault of that page shares the table. */
	target = fork();
	ASSERT_LE(0, target);
	if (target == 0)
		parked(map);
	while (!__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE))
		usleep(1000);
	ASSERT_EQ(0, vt_track(target));
	ASSERT_EQ(0, vt_track(getpid()));

	/*
	 * Sharing seen: a page this process faults in now is in the parked
	 * sharer's tables, which never touched it, at the same frame (its
	 * pagemap and its report).
	 */
	map[2 * HPAGE] = 1;
	{
		char path[64];
		uint64_t pm = 0;
		int pfd;

		snprintf(path, sizeof(path), "/proc/%d/pagemap", getpid());
		pfd = open(path, O_RDONLY);
		ASSERT_EQ(0, vt_pread64(pfd, ((unsigned long)map + 2 * HPAGE) / 4096,
					(unsigned long long *)&pm_main));
		close(pfd);
		snprintf(path, sizeof(path), "/proc/%d/pagemap", target);
		pfd = open(path, O_RDONLY);
		ASSERT_EQ(0, vt_pread64(pfd, ((unsigned long)map + 2 * HPAGE) / 4096,
					(unsigned long long *)&pm));
		close(pfd);
		shared_seen = (pm & PM_PRESENT) && pm == pm_main;
		TH_LOG("PMD table shared: %s (pagemap %llx, own %llx)",
		       shared_seen ? "yes" : "no", (unsigned long long)pm,
		       (unsigned long long)pm_main);
	}
	i = compare_at_rest(target, (unsigned long)map, 8 * HPAGE, &present, why, sizeof(why));
	ASSERT_EQ(1, i) TH_LOG("at rest before the churn: %s", why);
	if (shared_seen)
		EXPECT_EQ(2, present) TH_LOG("the report does not show the shared table's pages");
	/* The kernels vmviz runs on all share (ARCH_WANT_HUGE_PMD_SHARE). */
	EXPECT_TRUE(shared_seen);

	for (i = 0; i < NREADERS; i++) {
		readers[i] = fork();
		ASSERT_LE(0, readers[i]);
		if (readers[i] == 0)
			reader(target, i ? getppid() : target, seed + i);
	}

	for (round = 0; round < rounds; round++) {
		__atomic_store_n(&sh->churn, 1, __ATOMIC_RELEASE);
		end = vt_now_ms() + CHURN_MS;
		while (vt_now_ms() < end) {
			unsigned int k = rand_r(&seed) % NTOUCH;

			/* Unshares the table in every sharer but the last. */
			if (!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				       k * 2 * HPAGE, HPAGE))
				punches++;
			map[k * 2 * HPAGE] = 1;		/* fault it back */
			if (transient_pid && waitpid(transient_pid, &status, WNOHANG) > 0) {
				vt_untrack(transient_pid);
				transient_pid = 0;
			}
			if (!transient_pid) {
				transient_pid = fork();
				if (transient_pid == 0)
					transient(map, seed + round);
				if (transient_pid > 0) {
					forks++;
					vt_track(transient_pid);
				}
			}
			usleep(rand_r(&seed) % 2000);
		}
		/* At rest: the parked sharer no longer faults, nobody punches. */
		__atomic_store_n(&sh->churn, 0, __ATOMIC_RELEASE);
		if (transient_pid) {
			waitpid(transient_pid, &status, 0);
			vt_untrack(transient_pid);
			transient_pid = 0;
		}
		usleep(20000);
		for (i = 0; i < 5; i++) {
			int ret = compare_at_rest(target, (unsigned long)map, 8 * HPAGE,
						  &present, why, sizeof(why));

			ASSERT_LE(0, ret) TH_LOG("round %u at rest: %s", round, why);
			if (ret > 0) {
				compared++;
				break;
			}
			unsettled++;
			usleep(10000);
		}
	}

	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NREADERS; i++)
		waitpid(readers[i], &status, 0);
	kill(target, SIGKILL);
	waitpid(target, &status, 0);
	vt_untrack(target);
	vt_untrack(getpid());
	munmap(reserve, 2 * PUD_SPAN);
	close(fd);

	printf("# vmviz-figures hugetlb seed=%u rounds=%u punches=%lu forks=%lu reads=%lu "
	       "frame_reads=%lu parsed=%lu esrch=%lu compared=%lu unsettled=%lu bad=%lu\n",
	       seed0, rounds, punches, forks, sh->reads, sh->frame_reads, sh->parsed,
	       sh->esrch, compared, unsettled, sh->bad);
	EXPECT_EQ(0, sh->bad) TH_LOG("%s", sh->failmsg);
	EXPECT_GT(sh->parsed, 0);
	EXPECT_GT(punches, 0);
	EXPECT_GT(compared, 0) TH_LOG("the pagemap never settled");
}

TEST_HARNESS_MAIN
