// SPDX-License-Identifier: GPL-2.0
/*
 * Frames that change while they are read (docs/RELIABILITY.md, "Item 5"):
 * readers read the frame detail of a target whose folios are split (half
 * of a THP zapped), collapsed (MADV_COLLAPSE), shared by fork and
 * copied, paged out, and freed, over and over. The frame detail reads
 * every frame without a reference; on a kernel with DEBUG_VM_PGFLAGS
 * (make check-debug) a live folio helper on such a frame would assert.
 * Here every read must parse to its end line. Bounded: RUN_MS.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "vmviz_test.h"

#define THP		(2UL << 20)
#define NTHP		4
#define RUN_MS		12000
#define NREADERS	2

struct shared {
	int stop;
	unsigned long reads, parsed, gone, bad, cycles;
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
		madvise(p, NTHP * THP, MADV_COLLAPSE);	/* EINVAL on 6.1 */
		if (child > 0)
			waitpid(child, NULL, 0);
		munmap(raw, (NTHP + 1) * THP);
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

TEST(frame_detail_of_folios_split_and_freed_under_readers)
{
	unsigned int seed = time(NULL), i;
	pid_t target, readers[NREADERS];
	int status;

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail on this kernel");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	TH_LOG("seed %u", seed);

	target = fork();
	ASSERT_LE(0, target);
	if (target == 0)
		churn(seed);
	ASSERT_EQ(0, vt_track(target));
	for (i = 0; i < NREADERS; i++) {
		readers[i] = fork();
		ASSERT_LE(0, readers[i]);
		if (readers[i] == 0)
			reader(target, seed + i + 1);
	}
	usleep(RUN_MS * 1000);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NREADERS; i++)
		waitpid(readers[i], &status, 0);
	kill(target, SIGKILL);
	waitpid(target, &status, 0);
	vt_untrack(target);

	printf("# vmviz-figures frames_race cycles=%lu reads=%lu parsed=%lu gone=%lu bad=%lu\n",
	       sh->cycles, sh->reads, sh->parsed, sh->gone, sh->bad);
	EXPECT_EQ(0, sh->bad) TH_LOG("%s", sh->failmsg);
	EXPECT_GT(sh->parsed, 0);
	EXPECT_GT(sh->cycles, 0);
}

TEST_HARNESS_MAIN
