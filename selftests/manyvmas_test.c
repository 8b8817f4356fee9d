// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded everywhere: a target with a million VMAs (vm.max_map_count
 * raised). Each hold of its mmap lock by a report read, the header's pass
 * over every VMA included, does a bounded piece of work: counted with the
 * kernel's mmap_lock tracepoints, the read drops the lock at least once per
 * budget's worth of VMAs. The longest hold and the target's own munmap
 * stall during the header are printed (timing is the bench's, not a test's).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmviz_test.h"
#include "vt_holds.h"

#define NVMAS		1000000UL
/*
 * A test must not fail because a kernel is slower: a target that has not
 * made its million VMAs in this long (a KASAN kernel under emulation)
 * goes on with those it has, and the test says how many.
 */
#define MAKE_SECS	180
/* module/report.c: HOLD_BUDGET over SEGMENT_WORK, VMA_LINE_WORK. */
#define HOLD_BUDGET	32768
#define SEGMENT_WORK	8
#define VMA_LINE_WORK	64

/* Shared with the target: its munmap stall while the parent asks. */
struct stall {
	volatile unsigned long made;	/* VMAs the target made */
	volatile int measure, quit;
	int busy;			/* the loop is inside an mmap+munmap */
	volatile pid_t tid;		/* the thread that takes the lock */
	volatile double max_ms;
	volatile long calls;
};

static struct stall *stall;

static void *target_loop(void *arg);

static void many_vmas(void *arg)
{
	pthread_t t;
	char *p = mmap(NULL, NVMAS * 4096, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	double t0 = vt_now_ms();
	unsigned long i;

	if (p == MAP_FAILED)
		_exit(2);
	/* Every other page PROT_NONE: NVMAS VMAs of one page each. */
	for (i = 0; i < NVMAS; i += 2) {
		if (mprotect(p + i * 4096, 4096, PROT_NONE))
			_exit(3);
		if (!(i % 20000) && vt_now_ms() - t0 > MAKE_SECS * 1000.0)
			break;
	}
	stall->made = i < NVMAS ? i + 1 : NVMAS;
	if (pthread_create(&t, NULL, target_loop, NULL))
		_exit(4);
}

/*
 * In the target: mmap and munmap a page in a loop while asked, timed. Its
 * first munmap, a write hold, tells the trace which mm is the target's.
 * @busy is set before @measure is looked at and cleared once the page is
 * gone, so that stop_measuring() knows when no page of the loop is left.
 */
static void *target_loop(void *arg)
{
	stall->tid = syscall(SYS_gettid);
	while (!stall->quit) {
		double t0;
		void *q;

		__atomic_store_n(&stall->busy, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&stall->measure, __ATOMIC_SEQ_CST)) {
			__atomic_store_n(&stall->busy, 0, __ATOMIC_SEQ_CST);
			usleep(1000);
			continue;
		}
		t0 = vt_now_ms();
		q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q != MAP_FAILED)
			munmap(q, 4096);
		__atomic_store_n(&stall->busy, 0, __ATOMIC_SEQ_CST);
		if (vt_now_ms() - t0 > stall->max_ms)
			stall->max_ms = vt_now_ms() - t0;
		stall->calls++;
		usleep(2000);
	}
	return NULL;
}

/*
 * Stop the loop and wait until its last page is unmapped: an mmap that
 * waited seconds for the lock behind a read would else still be mapped
 * when the next read begins, one VMA more than maps counted.
 */
static void stop_measuring(void)
{
	int ms;

	__atomic_store_n(&stall->measure, 0, __ATOMIC_SEQ_CST);
	/* Bounded, should the target die inside: the counts then tell. */
	for (ms = 0; ms < 120000; ms++) {
		if (!__atomic_load_n(&stall->busy, __ATOMIC_SEQ_CST))
			break;
		usleep(1000);
	}
}

static long count_maps(pid_t pid)
{
	char path[64], buf[1 << 16];
	long lines = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

/* Read @pid's report through @len bytes (0: all); its end line's VMAs. */
static long read_report(pid_t pid, size_t len, size_t *bytes)
{
	static char buf[1 << 20];
	char path[64], tail[256] = "", *e;
	size_t got = 0;
	long vmas = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, len ? len - got : sizeof(buf))) > 0) {
		got += n;
		if (n >= (ssize_t)sizeof(tail)) {
			memcpy(tail, buf + n - sizeof(tail) + 1, sizeof(tail) - 1);
		} else {
			memmove(tail, tail + n, sizeof(tail) - 1 - n);
			memcpy(tail + sizeof(tail) - 1 - n, buf, n);
		}
		tail[sizeof(tail) - 1] = '\0';
		if (len && got >= len)
			break;
	}
	close(fd);
	e = strstr(tail, "end vmas ");
	if (e)
		vmas = strtol(e + 9, NULL, 10);
	*bytes = got;
	return vmas;
}

FIXTURE(many) {
};

FIXTURE_SETUP(many)
{
}

FIXTURE_TEARDOWN(many)
{
}

/* Minutes under emulation: a million mprotect()s, then reads of 360 MB. */
TEST_F_TIMEOUT(many, million_vmas_every_hold_bounded, 1200)
{
	char *old = vt_read_file("/proc/sys/vm/max_map_count", NULL);
	struct vt_holds header = {}, whole = {};
	size_t hbytes = 0, wbytes = 0;
	long maps, vmas;
	struct vt_child c;
	bool events;
	double t0, t_whole;

	VMVIZ_REQUIRE();
	ASSERT_NE(NULL, old);
	ASSERT_EQ(0, vt_write("/proc/sys/vm/max_map_count", "1100000\n"));
	stall = mmap(NULL, sizeof(*stall), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, stall);
	memset(stall, 0, sizeof(*stall));
	t0 = vt_now_ms();
	ASSERT_EQ(0, vt_spawn(&c, many_vmas, NULL)) TH_LOG("the target could not map");
	TH_LOG("a target with %lu VMAs (of %lu) made in %.1f s", stall->made, NVMAS,
	       (vt_now_ms() - t0) / 1000);
	maps = count_maps(c.pid);
	ASSERT_LT((long)stall->made, maps);
	ASSERT_EQ(0, vt_track(c.pid));
	events = vt_holds_enable();

	/* The header: its segment pass walks every VMA. */
	stall->measure = 1;
	if (events)
		vt_holds_record(1);
	usleep(20000);
	read_report(c.pid, 4096, &hbytes);
	if (events) {
		vt_holds_record(0);
		vt_holds_of(getpid(), stall->tid, &header);
	}
	stop_measuring();

	/* The whole report; the target's thread shows its mm once more. */
	if (events)
		vt_holds_record(1);
	stall->measure = 1;
	usleep(20000);
	stop_measuring();
	t0 = vt_now_ms();
	vmas = read_report(c.pid, 0, &wbytes);
	t_whole = vt_now_ms() - t0;
	if (events) {
		vt_holds_record(0);
		vt_holds_of(getpid(), stall->tid, &whole);
		vt_holds_disable();
	}
	TH_LOG("header (%zu bytes): %ld holds, longest %.0f us, %ld events lost; the target's mmap+munmap: %ld calls, longest %.1f ms",
	       hbytes, header.holds, header.max_us, header.lost, stall->calls, stall->max_ms);
	TH_LOG("whole report (%zu bytes, %ld VMA lines, maps %ld lines) in %.1f s: %ld holds, longest %.0f us, p99 %.0f us, %ld events lost",
	       wbytes, vmas, maps, t_whole / 1000, whole.holds, whole.max_us, whole.p99_us,
	       whole.lost);
	printf("# vmviz-figures manyvmas vmas=%ld header_holds=%ld header_max_us=%.0f target_stall_ms=%.1f whole_holds=%ld whole_max_us=%.0f whole_s=%.1f\n",
	       vmas, header.holds, header.max_us, stall->max_ms, whole.holds, whole.max_us,
	       t_whole / 1000);
	/* maps has the [vsyscall] line, which is no VMA. */
	EXPECT_LE(maps - 1, vmas);
	EXPECT_GE(maps, vmas);
	if (events && header.found_mm && !header.lost) {
		/* At least one drop per budget's worth of VMAs. */
		EXPECT_LE((long)(stall->made * SEGMENT_WORK / HOLD_BUDGET), header.holds);
		/* The whole read's events are counted only when seen whole. */
		if (whole.found_mm && !whole.lost) {
			EXPECT_LE((long)(stall->made * VMA_LINE_WORK / HOLD_BUDGET),
				  whole.holds);
		} else {
			TH_LOG("the whole read's holds not counted: target's mm not seen in its events");
		}
	} else {
		TH_LOG("no mmap_lock events here (or the target's mm not seen): holds not counted");
	}
	stall->quit = 1;
	EXPECT_EQ(0, vt_release(&c));
	vt_write("/proc/sys/vm/max_map_count", old);
	free(old);
}

TEST_HARNESS_MAIN
