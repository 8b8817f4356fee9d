// SPDX-License-Identifier: GPL-2.0
/*
 * Reliability under churn: readers read reports and frame details in every
 * way a reader can (whole, a byte at a time, random sizes, seeking back to
 * 0) while the target maps, unmaps, protects, remaps, advises (THP collapse,
 * and split by freeing half of one; swap-out and swap-in; KSM merging and
 * unmerging), migrates its pages between NUMA nodes (where there are two),
 * forks and exits, with khugepaged and ksmd scanning flat out and
 * compaction run in a loop; short-lived targets exit or exec mid-read;
 * entries are tracked and untracked under open readers. Every report read
 * to the end must parse, no line may hold a kernel address, and the only
 * errors are ESRCH (target gone), EINTR and, for an untracked file, EIO. At
 * rest, a report read a byte at a time equals the report read in one call.
 * Bounded: VMVIZ_SOAK_SECS seconds (default 25). Every process draws its
 * choices from VMVIZ_SOAK_SEED (default: the time), printed with the
 * figures to the TAP log as "# vmviz-figures soak key=value ..." lines.
 */
#include <ctype.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/mempolicy.h>

#include "vmviz_test.h"

#define NERR		160	/* errno slots counted */
#define NREADERS	4	/* the last reads the frame detail */
#define NMUTATORS	3
#define NSLOTS		12
#define MAXREGION	(4UL << 20)

/* Counters shared by every process of the soak (MAP_SHARED). */
struct soak {
	unsigned long deadline_ms;	/* mutators and targets stop */
	unsigned long reads, bytes, parsed, parse_fail, kaddr;
	unsigned long mutations, forks, thread_exits, collapse_einval;
	unsigned long short_targets, exits_during_read, killed_mid_read;
	unsigned long untrack_during_read, eio_after_untrack, track_churn;
	unsigned long seeks, byte_reads, bad_errors;
	unsigned long frame_reads, splits, ksm_merges, migrations, compactions, execs;
	unsigned int seed;
	unsigned long err[NERR];
	char failmsg[512];
};

static struct soak *S;

static unsigned long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000UL + ts.tv_nsec / 1000000;
}

static void add(unsigned long *c, unsigned long n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static void fail_msg(const char *fmt, const char *a, const char *b)
{
	/* First failure wins; later ones only count. */
	if (!S->failmsg[0])
		snprintf(S->failmsg, sizeof(S->failmsg), fmt, a, b);
}

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return n ? rand_r(seed) % n : 0;
}

/*
 * Lines holding a 16-hex-digit value in the kernel half: 0 if none. The
 * "space kernel" and "space hole" lines print that half by design.
 */
static int kaddr_scan(const char *text, int levels, char *bad, size_t len)
{
	unsigned long long top = levels == 5 ? 0xff00000000000000ULL : 0xffff800000000000ULL;
	const char *line = text, *nl;
	int found = 0;

	for (; *line; line = nl + 1) {
		const char *p;

		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		if (!strncmp(line, "space kernel", 12) || !strncmp(line, "space hole", 10))
			continue;
		for (p = line; p < nl; ) {
			size_t n = 0;

			while (p + n < nl && isxdigit((unsigned char)p[n]))
				n++;
			if (n == 16 && (p == line || !isalnum((unsigned char)p[-1])) &&
			    !isalnum((unsigned char)p[n]) &&
			    strtoull(p, NULL, 16) >= top) {
				if (!found)
					snprintf(bad, len, "%.*s", (int)(nl - line), line);
				found++;
				break;
			}
			p += n ? n : 1;
		}
	}
	return found;
}

/*
 * Check one report (or frame detail, @frames) read to its end: it parses
 * and leaks no kernel address.
 */
static void check_text(const char *text, size_t len, int frames)
{
	char err[256] = "", bad[256], *body = NULL;
	struct vt_report r;

	add(&S->reads, 1);
	add(&S->bytes, len);
	if (frames) {
		add(&S->frame_reads, 1);
		body = vt_frames_body(text);
		if (!body)
			return;
		text = body;
	}
	if (vt_parse(text, &r, err, sizeof(err))) {
		add(&S->parse_fail, 1);
		fail_msg("report does not parse: %s%s", err, "");
	} else {
		add(&S->parsed, 1);
		if (kaddr_scan(text, r.levels, bad, sizeof(bad))) {
			add(&S->kaddr, 1);
			fail_msg("kernel address in: %s%s", bad, "");
		}
	}
	vt_free(&r);
	free(body);
}

static void count_err(int e, int ok1, int ok2, int ok3)
{
	add(&S->err[e < NERR ? e : 0], 1);
	if (e != ok1 && e != ok2 && e != ok3) {
		add(&S->bad_errors, 1);
		fail_msg("unexpected error %s%s", strerror(e), "");
	}
}

/*
 * Read @fd to its end in the given mode into @buf (cap bytes). Returns the
 * length, or -errno. Mode 0: 64 KiB reads; 1: one byte at a time; 2: random
 * sizes; 3: part of it, then lseek back to 0 and the whole report. @len
 * bytes are already in @buf (read from this file).
 */
static ssize_t read_mode(int fd, char *buf, size_t cap, int mode, unsigned int *seed,
			 size_t len)
{
	size_t stop_at = mode == 3 ? 1 + rnd(seed, 20000) : (size_t)-1;
	ssize_t n;

	for (;;) {
		size_t want = mode == 0 ? 65536 : mode == 1 ? 1 : 1 + rnd(seed, 9000);

		if (len + want + 1 > cap)
			want = cap - len - 1;
		if (!want)
			return -EFBIG;
		n = read(fd, buf + len, want);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += n;
		if (len >= stop_at) {
			stop_at = (size_t)-1;
			add(&S->seeks, 1);
			if (lseek(fd, 0, SEEK_SET) != 0)
				return -errno;
			len = 0;
		}
	}
	if (mode == 1)
		add(&S->byte_reads, 1);
	buf[len] = '\0';
	return len;
}

/* The long-lived target's mutators: each owns NSLOTS regions. */
struct region {
	char *addr;
	size_t size;
	int prot;
};

static void touch(struct region *g, unsigned int *seed)
{
	size_t i, pages = g->size / 4096;

	if (!g->addr || g->prot != (PROT_READ | PROT_WRITE))
		return;
	for (i = 0; i < 32; i++)
		g->addr[rnd(seed, pages) * 4096] = 1;
}

static int nr_nodes(void)
{
	int n = 0;
	char path[64];

	do
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
	while (!access(path, F_OK) && ++n < 64);
	return n ? n : 1;
}

/* Move up to 16 pages of @g to the next node: 1 if any moved. */
static int migrate(struct region *g, unsigned int *seed, int nodes)
{
	void *pages[16];
	int node[16], status[16], i, n = 0;

	if (!g->addr || nodes < 2)
		return 0;
	for (i = 0; i < 16 && (size_t)i * 4096 < g->size; i++) {
		pages[i] = g->addr + rnd(seed, g->size / 4096) * 4096;
		node[i] = rnd(seed, nodes);
	}
	n = i;
	if (syscall(SYS_move_pages, 0, n, pages, node, status, MPOL_MF_MOVE))
		return 0;
	for (i = 0; i < n; i++)
		if (status[i] == node[i])
			return 1;
	return 0;
}

static void *mutator(void *arg)
{
	unsigned int seed = S->seed + (unsigned long)arg * 7919;
	struct region g[NSLOTS] = {};
	int prots[] = { PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE };
	int nodes = nr_nodes();

	while (now_ms() < S->deadline_ms) {
		struct region *s = &g[rnd(&seed, NSLOTS)];
		unsigned long a;
		size_t sz;
		void *p;

		switch (rnd(&seed, 14)) {
		case 0:		/* mmap */
			if (s->addr)
				munmap(s->addr, s->size);
			sz = rnd(&seed, 2) ? MAXREGION : 4096UL * (1 + rnd(&seed, 256));
			p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			s->addr = p == MAP_FAILED ? NULL : p;
			s->size = sz;
			s->prot = PROT_READ | PROT_WRITE;
			touch(s, &seed);
			break;
		case 1:		/* munmap */
			if (s->addr)
				munmap(s->addr, s->size);
			s->addr = NULL;
			break;
		case 2:		/* mprotect */
			if (!s->addr)
				continue;
			s->prot = prots[rnd(&seed, 3)];
			mprotect(s->addr, s->size, s->prot);
			break;
		case 3:		/* mremap: grow, shrink or move */
			if (!s->addr)
				continue;
			sz = s->size < MAXREGION ? s->size * 2 : s->size / 2;
			p = mremap(s->addr, s->size, sz, MREMAP_MAYMOVE);
			if (p != MAP_FAILED) {
				s->addr = p;
				s->size = sz;
			}
			break;
		case 4:
			if (s->addr)
				madvise(s->addr, s->size, MADV_DONTNEED);
			break;
		case 5:
			if (s->addr)
				madvise(s->addr, s->size, MADV_PAGEOUT);
			break;
		case 6:
			if (s->addr)
				madvise(s->addr, s->size, MADV_HUGEPAGE);
			touch(s, &seed);
			break;
		case 7:		/* 6.1 has no MADV_COLLAPSE: EINVAL */
			if (s->addr && madvise(s->addr, s->size, MADV_COLLAPSE) && errno == EINVAL)
				add(&S->collapse_einval, 1);
			break;
		case 8:		/* split a THP: free half of a 2 MiB block */
			a = ((unsigned long)s->addr + (2UL << 20) - 1) & ~((2UL << 20) - 1);
			if (s->addr && a + (2UL << 20) <= (unsigned long)s->addr + s->size &&
			    !madvise((void *)a + rnd(&seed, 2) * (1UL << 20), 1UL << 20,
				     MADV_DONTNEED))
				add(&S->splits, 1);
			break;
		case 9:		/* same bytes for ksmd to merge, or unmerge */
			if (!s->addr || s->prot != (PROT_READ | PROT_WRITE))
				break;
			if (rnd(&seed, 3)) {
				memset(s->addr, 0x5a, s->size < (256UL << 10) ? s->size : 256UL << 10);
				if (!madvise(s->addr, s->size, MADV_MERGEABLE))
					add(&S->ksm_merges, 1);
			} else {
				madvise(s->addr, s->size, MADV_UNMERGEABLE);
			}
			break;
		case 10:
			if (migrate(s, &seed, nodes))
				add(&S->migrations, 1);
			break;
		case 11:	/* swap-in of what case 5 paged out */
			if (s->addr)
				madvise(s->addr, s->size, MADV_WILLNEED);
			touch(s, &seed);
			break;
		default:
			touch(s, &seed);
			break;
		}
		add(&S->mutations, 1);
	}
	return NULL;
}

static void *short_thread(void *arg)
{
	char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED) {
		memset(p, 1, 65536);
		munmap(p, 65536);
	}
	return NULL;
}

/* Forks children that dirty memory and exit; starts threads that exit. */
static void *forker(void *arg)
{
	while (now_ms() < S->deadline_ms) {
		pthread_t t;
		pid_t c = fork();

		if (c == 0) {
			char *p = malloc(1 << 20);

			if (p)
				memset(p, 2, 1 << 20);
			_exit(0);
		}
		if (c > 0) {
			waitpid(c, NULL, 0);
			add(&S->forks, 1);
		}
		if (!pthread_create(&t, NULL, short_thread, NULL)) {
			pthread_join(t, NULL);
			add(&S->thread_exits, 1);
		}
		usleep(2000);
	}
	return NULL;
}

static void target_main(void)
{
	pthread_t t[NMUTATORS + 1];
	long i;

	for (i = 0; i < NMUTATORS; i++)
		pthread_create(&t[i], NULL, mutator, (void *)i);
	pthread_create(&t[NMUTATORS], NULL, forker, NULL);
	for (i = 0; i <= NMUTATORS; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

/* A reader of the long-lived target: ESRCH (it exited) and EINTR only. */
static void reader_main(pid_t target, int id, unsigned long until)
{
	unsigned int seed = S->seed + 100 + id;
	size_t cap = 16 << 20;
	char *buf = malloc(cap), path[64];
	int mode = id, gone, frames = id == NREADERS - 1;

	snprintf(path, sizeof(path), "%s/%d", frames ? VMVIZ_FRAMES : VMVIZ_DIR, target);
	if (frames && access(VMVIZ_FRAMES, F_OK))
		_exit(0);	/* a module built without the frame detail */
	while (now_ms() < until) {
		int fd = open(path, O_RDONLY);
		ssize_t n;

		/*
		 * After the deadline the target exits and is reaped, and a
		 * control write naming it (the test's untrack) drops its
		 * entry: ENOENT at open, EIO on a file open at that moment.
		 */
		gone = now_ms() >= S->deadline_ms;
		if (fd < 0) {
			count_err(errno, ESRCH, gone ? ENOENT : ESRCH, ESRCH);
			usleep(1000);
			continue;
		}
		n = read_mode(fd, buf, cap, mode++ % 4, &seed, 0);
		close(fd);
		if (n >= 0)
			check_text(buf, n, frames);
		else if (-n == ESRCH)
			add(&S->exits_during_read, 1);
		/* A read that began before the deadline may end after it. */
		gone = now_ms() >= S->deadline_ms;
		if (n < 0)
			count_err(-n, ESRCH, EINTR, gone ? EIO : EINTR);
	}
	_exit(0);
}

/*
 * Short-lived targets: track a child that lives a few milliseconds, read
 * its report in small pieces while it exits.
 */
static void exiter_main(unsigned long until)
{
	unsigned int seed = S->seed + 1000;
	size_t cap = 4 << 20;
	char *buf = malloc(cap), path[64];

	while (now_ms() < until) {
		unsigned int life = rnd(&seed, 20000), exec = rnd(&seed, 3) == 0;
		pid_t c = fork();
		ssize_t n;
		int fd, e, killed = 0;

		if (c == 0) {
			char *p = mmap(NULL, 1 << 21, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p != MAP_FAILED)
				memset(p, 3, 1 << 21);
			usleep(life);
			/* A new mm mid-read: the reader's stays the old one. */
			if (exec)
				execl("/bin/sh", "sh", "-c", "exit 0", (char *)NULL);
			_exit(0);
		}
		if (c < 0)
			break;
		add(&S->short_targets, 1);
		if (exec)
			add(&S->execs, 1);
		e = -vt_track(c);
		if (e) {
			count_err(e, ESRCH, ESRCH, ESRCH);
			waitpid(c, NULL, 0);
			continue;
		}
		snprintf(path, sizeof(path), VMVIZ_DIR "/%d", c);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			count_err(errno, ESRCH, ESRCH, ESRCH);
		} else {
			n = 0;
			killed = rnd(&seed, 2);
			if (killed) {
				/*
				 * Killed and reaped after the first piece; the
				 * rest reads ESRCH, or, while someone else
				 * still holds the mm (reclaim's mm walk), the
				 * rest of a report that must parse whole.
				 */
				n = read(fd, buf, 1 + rnd(&seed, 4096));
				kill(c, SIGKILL);
				waitpid(c, NULL, 0);
				if (n > 0)
					add(&S->killed_mid_read, 1);
			}
			if (n >= 0)
				n = read_mode(fd, buf, cap, 2, &seed, n);
			else
				n = -errno;
			if (n >= 0) {
				check_text(buf, n, 0);
			} else {
				if (n == -ESRCH)
					add(&S->exits_during_read, 1);
				/* Reaped: a control write may drop the entry. */
				count_err(-n, ESRCH, EINTR, killed ? EIO : EINTR);
			}
			close(fd);
		}
		waitpid(c, NULL, 0);
		/* Reaped: the entry is dropped at this write, so ENOENT. */
		e = -vt_untrack(c);
		if (e)
			count_err(e, ENOENT, ENOENT, ENOENT);
	}
	_exit(0);
}

/*
 * Track/untrack churn under an open reader: after the untrack the open file
 * reads EIO (procfs has released it); tracking again gives a fresh file.
 */
static void churner_main(pid_t target, unsigned long until)
{
	unsigned int seed = S->seed + 2000;
	char buf[4096], path[64];

	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", target);
	while (now_ms() < until) {
		int fd, e;
		ssize_t n;

		e = -vt_track(target);
		if (e) {
			count_err(e, ESRCH, ESRCH, ESRCH);
			usleep(1000);
			continue;
		}
		add(&S->track_churn, 1);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			count_err(errno, ESRCH, ESRCH, ESRCH);
		} else {
			n = read(fd, buf, 1 + rnd(&seed, sizeof(buf)));
			if (n < 0)
				count_err(errno, ESRCH, EINTR, EINTR);
			e = -vt_untrack(target);
			if (e)
				count_err(e, ENOENT, ENOENT, ENOENT);
			add(&S->untrack_during_read, 1);
			n = read(fd, buf, sizeof(buf));
			if (n < 0 && errno == EIO)
				add(&S->eio_after_untrack, 1);
			else if (n < 0)
				count_err(errno, ESRCH, EINTR, EIO);
			else
				fail_msg("read after untrack returned data%s%s", "", "");
			close(fd);
		}
	}
	_exit(0);
}

/* Write a sysfs knob; the old value goes to @old (if given). */
static void knob(const char *path, const char *val, char *old, size_t len)
{
	char *cur = vt_read_file(path, NULL);
	int fd;

	if (old) {
		/* "always [madvise] never" -> "madvise"; "100\n" -> "100" */
		const char *v = cur ? cur : "";
		const char *b = strchr(v, '[');

		if (b)
			snprintf(old, len, "%.*s", (int)strcspn(b + 1, "]"), b + 1);
		else
			snprintf(old, len, "%.*s", (int)strcspn(v, "\n"), v);
	}
	free(cur);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0)
			perror(path);
		close(fd);
	}
}

/* Compaction of every zone, over and over, until the deadline. */
static void compactor_main(void)
{
	while (now_ms() < S->deadline_ms) {
		if (!vt_write("/proc/sys/vm/compact_memory", "1"))
			add(&S->compactions, 1);
		usleep(200000);
	}
	_exit(0);
}

#define THP	"/sys/kernel/mm/transparent_hugepage/"
#define KSM	"/sys/kernel/mm/ksm/"

FIXTURE(soak) {
	char thp[32], defrag[32], sleep_ms[32], alloc_ms[32], pages[32];
	char ksm_run[32], ksm_sleep[32], ksm_pages[32];
};

FIXTURE_SETUP(soak)
{
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, S);
	memset(S, 0, sizeof(*S));
	/* khugepaged flat out, THP for every mapping. */
	knob(THP "enabled", "always", self->thp, sizeof(self->thp));
	knob(THP "defrag", "madvise", self->defrag, sizeof(self->defrag));
	knob(THP "khugepaged/scan_sleep_millisecs", "0", self->sleep_ms, sizeof(self->sleep_ms));
	knob(THP "khugepaged/alloc_sleep_millisecs", "0", self->alloc_ms, sizeof(self->alloc_ms));
	knob(THP "khugepaged/pages_to_scan", "4096", self->pages, sizeof(self->pages));
	/* ksmd too (a kernel without KSM has no such files: nothing done). */
	knob(KSM "sleep_millisecs", "0", self->ksm_sleep, sizeof(self->ksm_sleep));
	knob(KSM "pages_to_scan", "1000", self->ksm_pages, sizeof(self->ksm_pages));
	knob(KSM "run", "1", self->ksm_run, sizeof(self->ksm_run));
}

FIXTURE_TEARDOWN(soak)
{
	knob(THP "enabled", self->thp, NULL, 0);
	knob(THP "defrag", self->defrag, NULL, 0);
	knob(THP "khugepaged/scan_sleep_millisecs", self->sleep_ms, NULL, 0);
	knob(THP "khugepaged/alloc_sleep_millisecs", self->alloc_ms, NULL, 0);
	knob(THP "khugepaged/pages_to_scan", self->pages, NULL, 0);
	/* run=2 would unmerge everything: back to what it was. */
	knob(KSM "run", self->ksm_run, NULL, 0);
	knob(KSM "sleep_millisecs", self->ksm_sleep, NULL, 0);
	knob(KSM "pages_to_scan", self->ksm_pages, NULL, 0);
}

static void parked(void *arg)
{
	size_t sz = 8 << 20;
	char *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		return;
	madvise(p, sz, MADV_HUGEPAGE);
	for (i = 0; i < sz; i += 4096 * 3)
		p[i] = 1;
	mprotect(p + (1 << 20), 1 << 20, PROT_READ);
	madvise(p + (3 << 20), 1 << 20, MADV_PAGEOUT);
}

/* Wait until @pid sleeps (state S in /proc/PID/stat); 0, or -1 after 5 s. */
static int wait_sleeping(pid_t pid)
{
	char path[64], *stat, *p;
	int i, ok;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (i = 0; i < 500; i++) {
		stat = vt_read_file(path, NULL);
		p = stat ? strrchr(stat, ')') : NULL;
		ok = p && p[1] == ' ' && p[2] == 'S';
		free(stat);
		if (ok)
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * Where the lines that move at rest are in @text: from the "report" line
 * (the time it was read) to the "mm" line, whose "count" is mm_count, which
 * moves while the process sleeps (an idle CPU borrows its mm as the lazy
 * TLB mm); comparisons skip them.
 */
static void moving_lines(const char *text, size_t *off, size_t *end)
{
	const char *p = strstr(text, "\nreport "), *q = strstr(text, "\nmm ");

	*off = *end = 0;
	if (p && q) {
		*off = p + 1 - text;
		*end = strchr(q + 1, '\n') - text;
	}
}

/* @a and @b (@len bytes, @b starting at offset @base of @a) equal outside [mo, me). */
static int same_outside(const char *a, const char *b, size_t base, size_t len, size_t mo, size_t me)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((base + i < mo || base + i >= me) && a[base + i] != b[i])
			return 0;
	return 1;
}

/* A report read in one call, a byte at a time and in random pieces agree. */
TEST_F(soak, report_at_rest_reads_the_same_in_any_pieces)
{
	char path[64], *whole, *bytes, *pieces;
	unsigned int seed = 1;
	size_t blen, mo, me, bo, be;
	struct vt_child c;
	int fd, i, k;
	ssize_t n, len;

	VMVIZ_REQUIRE();
	/* Nothing may change the child while it is read: no khugepaged. */
	knob(THP "enabled", "never", NULL, 0);
	ASSERT_EQ(0, vt_spawn(&c, parked, NULL));
	/* Past vt_spawn's handshake the child still runs into read(): wait. */
	ASSERT_EQ(0, wait_sleeping(c.pid));
	ASSERT_EQ(0, vt_track(c.pid));
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", c.pid);
	whole = vt_read_file(path, &blen);
	ASSERT_NE(NULL, whole);
	moving_lines(whole, &mo, &me);
	ASSERT_NE(0, me);
	bytes = malloc(blen + 64);
	pieces = malloc(blen + 64);
	for (k = 0; k < 3; k++) {
		fd = open(path, O_RDONLY);
		ASSERT_LE(0, fd);
		for (len = 0; len < (ssize_t)blen + 32; len += n) {
			n = read(fd, bytes + len,
				 k == 0 ? 1 : 1 + rnd(&seed, 5000) % (blen + 32 - len));
			ASSERT_LE(0, n) TH_LOG("read: %s", strerror(errno));
			if (n == 0)
				break;
		}
		close(fd);
		bytes[len] = '\0';
		moving_lines(bytes, &bo, &be);
		/* Same text before and after the mm line. */
		ASSERT_EQ(mo, bo);
		ASSERT_EQ((ssize_t)(blen - me), len - (ssize_t)be) TH_LOG("pass %d", k);
		EXPECT_EQ(0, memcmp(whole, bytes, mo)) TH_LOG("pass %d: '%.*s' vs '%.*s'", k,
							      (int)mo, whole, (int)mo, bytes);
		EXPECT_EQ(0, memcmp(whole + me, bytes + be, blen - me)) {
			const char *a = whole + me, *b = bytes + be;
			size_t i = 0, l;

			while (i < blen - me && a[i] == b[i])
				i++;
			while (i && a[i - 1] != '\n')
				i--;
			l = strcspn(a + i, "\n");
			TH_LOG("pass %d: first differing line:\n%.*s\n%.*s", k,
			       (int)l, a + i, (int)strcspn(b + i, "\n"), b + i);
		}
	}
	/* pread at any offset returns that slice of the whole report. */
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	for (i = 0; i < 64; i++) {
		size_t off = rnd(&seed, blen + 10), want = 1 + rnd(&seed, 8192);

		n = pread(fd, pieces, want, off);
		ASSERT_LE(0, n) TH_LOG("pread %zu at %zu: %s", want, off, strerror(errno));
		if (off >= blen) {
			EXPECT_EQ(0, n);
		} else {
			EXPECT_TRUE(n <= (ssize_t)(blen - off) &&
				    same_outside(whole, pieces, off, n, mo, me))
				TH_LOG("pread %zu at %zu: %zd bytes differ", want, off, n);
		}
	}
	close(fd);
	printf("# vmviz-figures consistency bytes=%zu piecewise_reads=3 preads=64\n", blen);
	free(whole);
	free(bytes);
	free(pieces);
	EXPECT_EQ(0, vt_release(&c));
}

/* The harness's guard only: the soak ends itself at VMVIZ_SOAK_SECS. */
TEST_F_TIMEOUT(soak, readers_under_churn, 3600)
{
	unsigned long secs = getenv("VMVIZ_SOAK_SECS") ? atol(getenv("VMVIZ_SOAK_SECS")) : 25;
	const char *seed = getenv("VMVIZ_SOAK_SEED");
	pid_t target, kids[NREADERS + 4];
	char *ksm_sharing;
	struct utsname u;
	int i, nk = 0, status, e;
	char errs[1024] = "";

	VMVIZ_REQUIRE();
	ASSERT_GT(3000, secs) TH_LOG("VMVIZ_SOAK_SECS=%lu: at most 3000", secs);
	S->seed = seed && *seed ? strtoul(seed, NULL, 0) : (unsigned int)time(NULL);
	/* First, so that a soak that never ends still says how to replay it. */
	printf("# vmviz-figures soak_seed seed=%u secs=%lu\n", S->seed, secs);
	fflush(stdout);
	S->deadline_ms = now_ms() + secs * 1000;
	target = fork();
	ASSERT_LE(0, target);
	if (target == 0)
		target_main();
	ASSERT_EQ(0, vt_track(target));
	for (i = 0; i < NREADERS; i++) {
		kids[nk] = fork();
		if (kids[nk] == 0)
			reader_main(target, i, S->deadline_ms + 1000);
		nk++;
	}
	kids[nk] = fork();
	if (kids[nk] == 0)
		exiter_main(S->deadline_ms);
	nk++;
	kids[nk] = fork();
	if (kids[nk] == 0) {
		struct vt_child p;

		/* Churn the entry of a parked process of its own. */
		if (vt_spawn(&p, parked, NULL))
			_exit(1);
		churner_main(p.pid, S->deadline_ms);
		vt_release(&p);
		_exit(0);
	}
	nk++;
	kids[nk] = fork();
	if (kids[nk] == 0)
		compactor_main();
	nk++;
	/* The target exits at the deadline, while readers still read it. */
	waitpid(target, &status, 0);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < nk; i++) {
		waitpid(kids[i], &status, 0);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("soak process %d: status %x", i, status);
	}
	e = -vt_untrack(target);
	EXPECT_TRUE(e == 0 || e == ENOENT);

	for (i = 1; i < NERR; i++)
		if (S->err[i])
			snprintf(errs + strlen(errs), sizeof(errs) - strlen(errs), "%s%s:%lu",
				 errs[0] ? "," : "", strerrorname_np(i) ?: "?", S->err[i]);
	uname(&u);
	ksm_sharing = vt_read_file(KSM "full_scans", NULL);
	printf("# vmviz-figures soak kernel=%s seed=%u secs=%lu reads=%lu frame_reads=%lu bytes=%lu parsed=%lu "
	       "parse_fail=%lu kaddr_lines=%lu byte_reads=%lu seeks=%lu mutations=%lu "
	       "thp_splits=%lu ksm_merges=%lu ksm_full_scans=%ld migrations=%lu nodes=%d compactions=%lu "
	       "forks=%lu thread_exits=%lu collapse_einval=%lu short_targets=%lu execs=%lu "
	       "killed_mid_read=%lu exits_during_read=%lu track_churn=%lu eio_after_untrack=%lu "
	       "bad_errors=%lu errors=%s\n",
	       u.release, S->seed, secs, S->reads, S->frame_reads, S->bytes, S->parsed,
	       S->parse_fail, S->kaddr, S->byte_reads, S->seeks, S->mutations,
	       S->splits, S->ksm_merges, ksm_sharing ? atol(ksm_sharing) : -1L, S->migrations,
	       nr_nodes(), S->compactions, S->forks, S->thread_exits,
	       S->collapse_einval, S->short_targets, S->execs, S->killed_mid_read,
	       S->exits_during_read, S->track_churn,
	       S->eio_after_untrack, S->bad_errors, errs[0] ? errs : "none");
	free(ksm_sharing);
	fflush(stdout);
	EXPECT_EQ(0, S->parse_fail) TH_LOG("%s", S->failmsg);
	EXPECT_EQ(0, S->kaddr) TH_LOG("%s", S->failmsg);
	EXPECT_EQ(0, S->bad_errors) TH_LOG("%s", S->failmsg);
	EXPECT_LT(0, S->parsed);
	EXPECT_LT(0, S->mutations);
}

TEST_HARNESS_MAIN
