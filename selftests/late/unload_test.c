// SPDX-License-Identifier: GPL-2.0
/*
 * Unload under load: rmmod vmviz while threads read reports and hold report
 * files open, some mid-report. rmmod must succeed, reads on the held files
 * then fail with EIO (procfs released them), opens with ENOENT, nothing
 * crashes, and insmod brings back a working /proc/vmviz. Run by the rig's
 * /init after the other tests (it unloads the module): /tests/late/.
 * The module is VMVIZ_KO (default /vmviz.ko).
 */
#include <pthread.h>
#include <sys/mman.h>

#include "../vmviz_test.h"

#define NHELD		8
#define NTHREADS	3
#define CYCLES		3

static volatile int stop;
static unsigned long reads, eio, enoent, other;
static char other_msg[128];

static void *reader(void *arg)
{
	const char *path = arg;
	char buf[4096];

	while (!stop) {
		int fd = open(path, O_RDONLY);
		ssize_t n;

		if (fd < 0) {
			if (errno == ENOENT)
				__atomic_fetch_add(&enoent, 1, __ATOMIC_RELAXED);
			else if (__atomic_fetch_add(&other, 1, __ATOMIC_RELAXED) == 0)
				snprintf(other_msg, sizeof(other_msg), "open: %s", strerror(errno));
			usleep(500);
			continue;
		}
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n == 0)
			__atomic_fetch_add(&reads, 1, __ATOMIC_RELAXED);
		else if (errno == EIO)
			__atomic_fetch_add(&eio, 1, __ATOMIC_RELAXED);
		else if (__atomic_fetch_add(&other, 1, __ATOMIC_RELAXED) == 0)
			snprintf(other_msg, sizeof(other_msg), "read: %s", strerror(errno));
		close(fd);
	}
	return NULL;
}

static void parked(void *arg)
{
	char *p = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		memset(p, 1, 4 << 20);
}

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FIXTURE(unload) {
};

FIXTURE_SETUP(unload)
{
}

FIXTURE_TEARDOWN(unload)
{
}

TEST_F_TIMEOUT(unload, rmmod_with_open_readers_then_insmod, 300)
{
	const char *ko = getenv("VMVIZ_KO") ?: "/vmviz.ko";
	unsigned long held_eio = 0, unloads = 0;
	pthread_t t[NTHREADS];
	char path[64], buf[512], cmd[256];
	struct vt_child c;
	int fd[NHELD], i, cyc;
	struct vt_report r;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, access(ko, R_OK)) TH_LOG("no module at %s", ko);
	ASSERT_EQ(0, vt_spawn(&c, parked, NULL));
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", c.pid);
	for (cyc = 0; cyc < CYCLES; cyc++) {
		ASSERT_EQ(0, vt_track(c.pid));
		/* Held files: half opened only, half part-read. */
		for (i = 0; i < NHELD; i++) {
			fd[i] = open(i % 2 ? path : VMVIZ_DIR "/self", O_RDONLY);
			ASSERT_LE(0, fd[i]) TH_LOG("open: %s", strerror(errno));
			if (i >= NHELD / 2)
				ASSERT_LT(0, read(fd[i], buf, sizeof(buf)));
		}
		stop = 0;
		for (i = 0; i < NTHREADS; i++)
			ASSERT_EQ(0, pthread_create(&t[i], NULL, reader,
						    i ? path : VMVIZ_DIR "/self"));
		usleep(300000);
		ASSERT_EQ(0, run("rmmod vmviz"));
		unloads++;
		usleep(100000);
		stop = 1;
		for (i = 0; i < NTHREADS; i++)
			pthread_join(t[i], NULL);
		EXPECT_EQ(-1, access(VMVIZ_DIR, F_OK));
		for (i = 0; i < NHELD; i++) {
			ssize_t n = read(fd[i], buf, sizeof(buf));

			EXPECT_EQ(-1, n);
			EXPECT_EQ(EIO, errno) TH_LOG("held file %d: %s", i, strerror(errno));
			if (n < 0 && errno == EIO)
				held_eio++;
			EXPECT_EQ(-1, lseek(fd[i], 0, SEEK_SET));
		}
		snprintf(cmd, sizeof(cmd), "insmod %s all=0", ko);
		ASSERT_EQ(0, run(cmd));
		/* Closing the stale files after the reload touches nothing. */
		for (i = 0; i < NHELD; i++)
			close(fd[i]);
		ASSERT_EQ(0, access(VMVIZ_DIR, F_OK));
		EXPECT_EQ(-1, access(path, F_OK));
	}
	/* The reloaded module works. */
	ASSERT_EQ(0, vt_track(c.pid));
	VT_REPORT(c.pid, &r);
	EXPECT_LT(0, r.nvmas);
	vt_free(&r);
	EXPECT_EQ(0, vt_release(&c));
	EXPECT_EQ(0, other) TH_LOG("%s", other_msg);
	EXPECT_LT(0, reads);
	printf("# vmviz-figures unload unloads=%lu held_files=%lu held_eio=%lu "
	       "reads_before=%lu eio=%lu enoent=%lu other_errors=%lu\n",
	       unloads, unloads * NHELD, held_eio, reads, eio, enoent, other);
}

TEST_HARNESS_MAIN
