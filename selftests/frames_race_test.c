// SPDX-License-Identifier: GPL-2.0
/*
 * Frames that change while they are read (docs/RELIABILITY.md, "Item 5"
 * and "Issue 21, third round"): readers read the frame detail of a target
 * whose folios are split (half of a THP zapped), collapsed
 * (MADV_COLLAPSE), shared by fork and copied, paged out, and freed, over
 * and over; and of a target whose PTE tables are freed and made again
 * under them (4K memory zapped a table at a time, which 7.2 reclaims, and
 * shmem collapsed, which retracts its table on 6.12 and 7.2). The frame
 * detail reads a present PTE's frame under its table's lock, the others
 * from a checked copy; on a kernel with DEBUG_VM_PGFLAGS, KASAN and
 * lockdep (make check-debug) a frame read outside those rules would
 * assert. Here every read must parse to its end line. Bounded: each race
 * runs VMVIZ_RACE_SECS seconds (default 12; the debug kernel's runs raise
 * it, where a cycle is slow).
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "vmviz_test.h"

#define THP		(2UL << 20)
#define NTHP		4
#define RUN_SECS	12
#define RUN_SECS_MAX	600
#define NREADERS	2

struct shared {
	int stop;
	unsigned long reads, parsed, gone, bad, cycles, collapsed;
	char failmsg[512];
};

static struct shared *sh;

static void add(unsigned long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* The target: THPs made, split, collapsed, shared, paged out, freed. */
static void churn(unsigned int seed)
{
	for (;;) {
		char *raw = mmap(NULL, (NTHP + 1) * THP, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;
		pid_t child;
		int i;

		if (raw == MAP_FAILED)
			_exit(1);
		p = (char *)(((uintptr_t)raw + THP - 1) & ~(THP - 1));
		madvise(p, NTHP * THP, MADV_HUGEPAGE);
		memset(p, 1, NTHP * THP);
		child = fork();
		if (child == 0) {
			for (i = 0; i < NTHP; i++)
				p[i * THP + rand_r(&seed) % THP] = 2;	/* COW copies */
			usleep(rand_r(&seed) % 5000);
			_exit(0);
		}
		for (i = 0; i < NTHP; i++) {
			switch (rand_r(&seed) % 4) {
			case 0:		/* split: half of the THP zapped */
				madvise(p + i * THP, THP / 2, MADV_DONTNEED);
				break;
			case 1:
				madvise(p + i * THP + THP / 4, THP / 4, MADV_PAGEOUT);
				break;
			case 2:
				mprotect(p + i * THP, THP / 2, PROT_READ);
				break;
			default:
				p[i * THP + 4096] = 3;
				break;
			}
		}
		if (!madvise(p, NTHP * THP, MADV_COLLAPSE))	/* EINVAL on 6.1 */
			add(&sh->collapsed);
		if (child > 0)
			waitpid(child, NULL, 0);
		munmap(raw, (NTHP + 1) * THP);
		add(&sh->cycles);
	}
}

/*
 * The target whose PTE tables go: per cycle, two tables of 4K anonymous
 * pages and two of shmem pages, all written; then a table of each zapped
 * whole (MADV_DONTNEED: 7.2 frees an empty PTE table at once) and
 * written again in part, the shmem collapsed (MADV_COLLAPSE makes a THP
 * and retracts the table that mapped its pages; EINVAL without THP, as on
 * 6.12-rt), a write-protect and a fork that copies some pages.
 */
static void churn_tables(unsigned int seed)
{
	const size_t len = 2 * THP;
	int fd = memfd_create("frames_race", 0);

	if (fd < 0 || ftruncate(fd, len))
		_exit(1);
	for (;;) {
		char *araw = mmap(NULL, len + THP, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *sraw = mmap(NULL, len + THP, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *a, *s;
		pid_t child;
		size_t off;
		int t;

		if (araw == MAP_FAILED || sraw == MAP_FAILED)
			_exit(1);
		a = (char *)(((uintptr_t)araw + THP - 1) & ~(THP - 1));
		s = (char *)(((uintptr_t)sraw + THP - 1) & ~(THP - 1));
		if (mmap(s, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 fd, 0) == MAP_FAILED)
			_exit(1);
		madvise(a, len, MADV_NOHUGEPAGE);
		for (off = 0; off < len; off += 4096) {
			a[off] = 1;
			s[off] = 1;
		}
		child = fork();
		if (child == 0) {
			for (t = 0; t < 64; t++)
				a[(rand_r(&seed) % (len / 4096)) * 4096] = 2;
			usleep(rand_r(&seed) % 5000);
			_exit(0);
		}
		t = rand_r(&seed) % 2;
		madvise(a + t * THP, THP, MADV_DONTNEED);
		madvise(s + t * THP, THP, MADV_DONTNEED);
		for (off = 0; off < THP; off += 4096 * (1 + rand_r(&seed) % 8))
			a[t * THP + off] = 3;
		mprotect(a + (1 - t) * THP, THP / 2, PROT_READ);
		if (!madvise(s, len, MADV_COLLAPSE))
			add(&sh->collapsed);
		if (child > 0)
			waitpid(child, NULL, 0);
		munmap(araw, len + THP);
		munmap(sraw, len + THP);
		fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, len);
		add(&sh->cycles);
	}
}

static void reader(pid_t target, unsigned int seed)
{
	static const size_t chunks[] = { 0, 4093, 1 };
	char path[64], err[256], *text, *body;
	struct vt_report r;
	unsigned long n = 0;

	snprintf(path, sizeof(path), VMVIZ_FRAMES "/%d", target);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		size_t chunk = chunks[rand_r(&seed) % (n++ % 8 ? 2 : 3)];

		err[0] = '\0';
		text = vt_read_file_by(path, NULL, chunk);
		if (!text) {
			if (errno == ESRCH)
				add(&sh->gone);
			else if (!sh->failmsg[0])
				snprintf(sh->failmsg, sizeof(sh->failmsg), "read: %s",
					 strerror(errno));
			if (errno != ESRCH)
				add(&sh->bad);
			continue;
		}
		add(&sh->reads);
		body = vt_frames_body(text);
		if (vt_parse(body, &r, err, sizeof(err)) || !r.ended) {
			add(&sh->bad);
			if (!sh->failmsg[0])
				snprintf(sh->failmsg, sizeof(sh->failmsg), "parse: %s",
					 err[0] ? err : "no end line");
		} else {
			add(&sh->parsed);
		}
		vt_free(&r);
		free(body);
		free(text);
	}
	_exit(0);
}

/*
 * Run @target_fn in a target under NREADERS readers for @secs, where the
 * module has a frame detail (else the test is skipped). With
 * @collapses, where the kernel has THP, some MADV_COLLAPSE must have
 * taken: else the race did not happen as described.
 */
static void race(struct __test_metadata *_metadata,
		void (*target_fn)(unsigned int), const char *name,
		bool collapses)
{
	const char *env = getenv("VMVIZ_RACE_SECS");
	unsigned long secs = env && *env ? strtoul(env, NULL, 10) : RUN_SECS;
	unsigned int seed = time(NULL), i, started;
	pid_t target, readers[NREADERS];
	bool tracked = false;
	int status;

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail on this kernel");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	ASSERT_GE(RUN_SECS_MAX, secs) TH_LOG("VMVIZ_RACE_SECS=%lu: at most %d",
					     secs, RUN_SECS_MAX);
	TH_LOG("seed %u, %lu s", seed, secs);

	target = fork();
	ASSERT_LE(0, target);
	if (target == 0)
		target_fn(seed);
	/* Set up fully or not at all: no target or reader left running. */
	started = 0;
	if (!vt_track(target)) {
		tracked = true;
		for (; started < NREADERS; started++) {
			readers[started] = fork();
			if (readers[started] < 0)
				break;
			if (readers[started] == 0)
				reader(target, seed + started + 1);
		}
	}
	if (started == NREADERS)
		sleep(secs);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < started; i++)
		waitpid(readers[i], &status, 0);
	kill(target, SIGKILL);
	waitpid(target, &status, 0);
	if (tracked)
		vt_untrack(target);
	ASSERT_TRUE(tracked);
	ASSERT_EQ(NREADERS, started);

	printf("# vmviz-figures %s cycles=%lu reads=%lu parsed=%lu gone=%lu bad=%lu collapsed=%lu\n",
	       name, sh->cycles, sh->reads, sh->parsed, sh->gone, sh->bad,
	       sh->collapsed);
	EXPECT_EQ(0, sh->bad) TH_LOG("%s", sh->failmsg);
	EXPECT_GT(sh->parsed, 0);
	EXPECT_GT(sh->cycles, 0);
	if (collapses && !access("/sys/kernel/mm/transparent_hugepage", F_OK))
		EXPECT_GT(sh->collapsed, 0);
}

FIXTURE(race) {
};

FIXTURE_SETUP(race)
{
}

FIXTURE_TEARDOWN(race)
{
}

/* The harness's guard only: a race ends itself after VMVIZ_RACE_SECS. */
TEST_F_TIMEOUT(race, frame_detail_of_folios_split_and_freed_under_readers,
	       RUN_SECS_MAX + 120)
{
	race(_metadata, churn, "frames_race", false);
}

TEST_F_TIMEOUT(race, frame_detail_of_pte_tables_freed_under_readers,
	       RUN_SECS_MAX + 120)
{
	race(_metadata, churn_tables, "frames_race_tables", true);
}

TEST_HARNESS_MAIN
