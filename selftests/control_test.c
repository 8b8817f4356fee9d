// SPDX-License-Identifier: GPL-2.0
/*
 * The control files and the life of a report entry: bad input is refused
 * with EINVAL or ESRCH and creates nothing; tracking twice is a no-op; an
 * exited process reads as ESRCH; kernel threads and zombies are reported as
 * what they are; self reports the reader; the unprivileged are refused; a
 * writer in another PID namespace may not untrack; control writes do not
 * wait for readers that are mid-way through a report.
 */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <linux/capability.h>

#include "vmviz_test.h"

/* write(2) of exactly @len bytes; returns 0 or -errno. */
static int write_raw(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	e = n < 0 ? -errno : (n == (ssize_t)len ? 0 : -EIO);
	close(fd);
	return e;
}

TEST(bad_control_input_is_refused_and_creates_nothing)
{
	static const struct {
		const char *what, *buf;
		size_t len;
		int err;
	} cases[] = {
		{ "empty", "", 0, EINVAL },
		{ "blank", " ", 1, EINVAL },
		{ "newline", "\n", 1, EINVAL },
		{ "leading blank", " 1", 2, EINVAL },
		{ "negative", "-1", 2, EINVAL },
		{ "zero", "0", 1, EINVAL },
		{ "non-numeric", "init", 4, EINVAL },
		{ "trailing garbage", "1abc", 4, EINVAL },
		{ "trailing blank", "1 ", 2, EINVAL },
		{ "two newlines", "1\n\n", 3, EINVAL },
		{ "embedded NUL", "1\0002", 3, EINVAL },
		{ "hex", "0x1", 3, EINVAL },
		{ "plus sign", "+1", 2, EINVAL },
		{ "leading zero", "01", 2, EINVAL },
		{ "INT_MAX + 1", "2147483648", 10, EINVAL },
		{ "huge", "99999999999999999999999999", 26, EINVAL },
		{ "no such process", "4194000", 7, ESRCH },
	};
	static const char * const files[] = { VMVIZ_TRACK, VMVIZ_UNTRACK };
	char before[4096], after[4096];
	unsigned int i, f;

	VMVIZ_REQUIRE();
	vt_list_dir(before, sizeof(before));
	for (f = 0; f < 2; f++) {
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			int err = write_raw(files[f], cases[i].buf, cases[i].len);
			int want = cases[i].err;

			/* untrack of a valid number that is not tracked */
			if (f == 1 && want == ESRCH)
				want = ENOENT;
			EXPECT_EQ(-want, err) TH_LOG("%s, %s: got %s", files[f],
						     cases[i].what, strerror(-err));
		}
	}
	vt_list_dir(after, sizeof(after));
	EXPECT_STREQ(before, after);
}

TEST(track_twice_is_a_noop_and_untrack_removes)
{
	char path[64];

	VMVIZ_REQUIRE();
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", getpid());
	ASSERT_EQ(0, vt_track(getpid()));
	ASSERT_EQ(0, vt_track(getpid()));
	EXPECT_EQ(0, access(path, F_OK));
	ASSERT_EQ(0, vt_untrack(getpid()));
	EXPECT_EQ(-1, access(path, F_OK));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-ENOENT, vt_untrack(getpid()));
}

TEST(report_file_modes)
{
	struct stat st;
	char path[64];

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_track(getpid()));
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", getpid());
	ASSERT_EQ(0, stat(path, &st));
	/* 0444 as /proc/PID/maps: the rules of /proc/PID decide at open. */
	EXPECT_EQ(S_IFREG | 0444, st.st_mode);
	ASSERT_EQ(0, stat(VMVIZ_DIR "/self", &st));
	EXPECT_EQ(S_IFREG | 0444, st.st_mode);
	ASSERT_EQ(0, stat(VMVIZ_TRACK, &st));
	EXPECT_EQ(S_IFREG | 0200, st.st_mode);
	ASSERT_EQ(0, stat(VMVIZ_UNTRACK, &st));
	EXPECT_EQ(S_IFREG | 0200, st.st_mode);
	vt_untrack(getpid());
}

TEST(self_reports_the_reader)
{
	char *txt = vt_read_file(VMVIZ_DIR "/self", NULL);
	struct vt_report r;
	char err[256];

	VMVIZ_REQUIRE();
	ASSERT_NE(NULL, txt);
	ASSERT_EQ(0, vt_parse(txt, &r, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(getpid(), r.pid);
	EXPECT_STREQ("process", r.kind);
	EXPECT_STREQ("own", r.active);
	free(txt);
	vt_free(&r);
}

TEST(exited_process_reads_esrch_and_is_reaped)
{
	char path[64], buf[64];
	pid_t pid = fork();
	int fd;

	VMVIZ_REQUIRE();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, vt_track(pid));
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", pid);
	/* Opened while alive, read after it is reaped. */
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(ESRCH, errno);
	close(fd);
	/* Opened after it is reaped. */
	EXPECT_EQ(-1, open(path, O_RDONLY));
	EXPECT_EQ(ESRCH, errno);
	/* Tracking it again fails; the failed write still reaps the dead. */
	EXPECT_EQ(-ESRCH, vt_track(pid));
	EXPECT_EQ(-1, access(path, F_OK));
}

TEST(entry_never_shows_a_process_that_reused_the_number)
{
	char path[64], last[32];
	pid_t a, b;
	int fd;

	VMVIZ_REQUIRE();
	a = fork();
	if (a == 0) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, vt_track(a));
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	/* Make the next fork get the same number. */
	snprintf(last, sizeof(last), "%d", a - 1);
	ASSERT_EQ(0, vt_write("/proc/sys/kernel/ns_last_pid", last));
	b = fork();
	if (b == 0) {
		pause();
		_exit(0);
	}
	if (b != a) {
		kill(b, SIGKILL);
		waitpid(b, NULL, 0);
		SKIP(return, "PID %d was not reused (got %d)", a, b);
	}
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", a);
	fd = open(path, O_RDONLY);
	EXPECT_EQ(-1, fd) TH_LOG("the entry of the dead process opened");
	EXPECT_EQ(ESRCH, errno);
	if (fd >= 0)
		close(fd);
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
	vt_untrack(a);
}

static int park_fd;
static int parked;

/* Publish the thread's TID, then wait for the pipe to close. */
static void *park(void *arg)
{
	char c;

	*(pid_t *)arg = syscall(SYS_gettid);
	__atomic_add_fetch(&parked, 1, __ATOMIC_SEQ_CST);
	if (read(park_fd, &c, 1) < 0)
		return NULL;
	return NULL;
}

FIXTURE(many) {};
FIXTURE_SETUP(many) {}
FIXTURE_TEARDOWN(many) {}

/*
 * Thousands of threads and control writes take a while under emulation:
 * on the KASAN kernel under TCG, 57 s for the threads and 170 s for the
 * tracks when each write scanned every entry for reaped processes.
 * A child takes one entry; once it is reaped, the track refused for want
 * of room succeeds (reaping its entry) when written again.
 */
TEST_F_TIMEOUT(many, entries_are_bounded_enospc_beyond_4096, 900)
{
	enum { MAX = 4096 };
	int existing = 0, n, i, ok = 0, fds[2], err = 0;
	char child_path[64];
	double t0, t1, t2, t3;
	pid_t child;
	static pthread_t th[MAX + 1];
	static pid_t tids[MAX + 1];
	pthread_attr_t attr;
	struct dirent *d;
	DIR *dir;

	VMVIZ_REQUIRE();
	dir = opendir(VMVIZ_DIR);
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir)))
		existing += atoi(d->d_name) > 0;
	closedir(dir);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, vt_track(child));
	snprintf(child_path, sizeof(child_path), VMVIZ_DIR "/%d", child);
	n = MAX - existing;
	ASSERT_EQ(0, pipe(fds));
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	/* Threads have their own numbers: one process gives enough of them. */
	park_fd = fds[0];
	t0 = (vt_now_ms() / 1000);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pthread_create(&th[i], &attr, park, &tids[i]));
	while (__atomic_load_n(&parked, __ATOMIC_SEQ_CST) < n)
		usleep(1000);
	t1 = (vt_now_ms() / 1000);
	for (i = 0; i < n; i++) {
		err = vt_track(tids[i]);
		if (err)
			break;
		ok++;
	}
	EXPECT_EQ(n - 1, ok);
	EXPECT_EQ(-ENOSPC, err) TH_LOG("after %d entries: %s", existing + 1 + ok, strerror(-err));
	TH_LOG("%d entries before, the child's and %d tracked, then %s", existing, ok,
	       strerror(-err));
	/* The child reaped: its room goes to the refused thread. */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	EXPECT_EQ(0, access(child_path, F_OK)) TH_LOG("reaped before any write named it");
	if (ok == n - 1) {
		EXPECT_EQ(0, vt_track(tids[ok]));
		EXPECT_NE(0, access(child_path, F_OK)) TH_LOG("the reaped child's file stayed");
		ok++;
	}
	t2 = (vt_now_ms() / 1000);
	for (i = 0; i < ok; i++)
		vt_untrack(tids[i]);
	t3 = (vt_now_ms() / 1000);
	TH_LOG("%d threads in %.1f s, %d track writes in %.1f s, %d untrack writes in %.1f s",
	       n, t1 - t0, ok + 2, t2 - t1, ok, t3 - t2);
	close(fds[1]);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

TEST(zombie_is_reported_as_zombie)
{
	struct vt_report r;
	pid_t pid = fork();
	char stat[64];
	int i;

	VMVIZ_REQUIRE();
	if (pid == 0)
		_exit(0);
	/* Wait until it is a zombie, without reaping it. */
	for (i = 0; i < 1000; i++) {
		char *s;

		snprintf(stat, sizeof(stat), "/proc/%d/stat", pid);
		s = vt_read_file(stat, NULL);
		if (s && strstr(s, ") Z ")) {
			free(s);
			break;
		}
		free(s);
		usleep(1000);
	}
	VT_REPORT(pid, &r);
	EXPECT_STREQ("zombie", r.kind);
	EXPECT_EQ('Z', r.state);
	EXPECT_STREQ("none", r.mm_id);
	EXPECT_EQ(0, r.nvmas);
	vt_free(&r);
	waitpid(pid, NULL, 0);
	vt_untrack(pid);
}

TEST(kernel_thread_has_no_mm)
{
	struct vt_report r;

	VMVIZ_REQUIRE();
	/* kthreadd is PID 2 on every kernel. */
	VT_REPORT(2, &r);
	EXPECT_STREQ("kthread", r.kind);
	EXPECT_STREQ("kthreadd", r.comm);
	EXPECT_STREQ("none", r.mm_id);
	EXPECT_EQ(0, r.nvmas);
	EXPECT_EQ(0, r.nfields);
	vt_free(&r);
	vt_untrack(2);
}

/*
 * In a child that gave up its privilege through @become, both control
 * files must refuse to open, with errno @want or @alt (who may open a
 * report is access_test.c's: the rule of /proc/PID/pagemap). Returns the
 * child's exit
 * status: 0 all refused, 1 one opened or failed otherwise, or what @become
 * returned (2 it failed, 3 it is not supported here); -1 if the child died.
 */
static int refused_in_child(int (*become)(void), int want, int alt)
{
	static const struct {
		const char *path;
		int flags;
	} files[] = {
		{ VMVIZ_TRACK, O_WRONLY }, { VMVIZ_UNTRACK, O_WRONLY },
	};
	unsigned int i;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int err = become();

		if (err)
			_exit(err);
		for (i = 0; i < ARRAY_SIZE(files); i++)
			if (open(files[i].path, files[i].flags) >= 0 ||
			    (errno != want && errno != alt))
				_exit(1);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Not root: the file modes already refuse. */
static int become_nobody(void)
{
	return setgid(65534) || setuid(65534) ? 2 : 0;
}


TEST(unprivileged_reader_is_refused)
{
	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_track(1));
	EXPECT_EQ(0, refused_in_child(become_nobody, EACCES, EACCES));
	vt_untrack(1);
}

TEST(root_without_cap_sys_admin_is_refused)
{
	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_track(1));
	EXPECT_EQ(0, refused_in_child(vt_drop_sys_admin, EPERM, EPERM));
	vt_untrack(1);
}

TEST(root_in_a_user_namespace_is_refused)
{
	int status;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_track(1));
	/* The namespace's root maps to no user outside: mode bits or CAP_SYS_ADMIN. */
	status = refused_in_child(vt_enter_user_ns, EACCES, EPERM);
	vt_untrack(1);
	if (status == 3)
		SKIP(return, "user namespaces are disabled");
	EXPECT_EQ(0, status);
}

/*
 * untrack N removes /proc/vmviz/N only when N, read in the writer's PID
 * namespace, is the process the file reports. A child of a new PID
 * namespace (PID 1 there) tries on init's file "1" and on the test's own
 * file, and succeeds only on a file it made for a process of its own
 * namespace (its child, PID 2 there).
 */
TEST(untrack_from_another_pid_namespace_is_refused)
{
	pid_t me = getpid(), child;
	int fds[2], res[4] = { 1, 1, 1, 1 }, status;
	char path[64];

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_track(1));
	ASSERT_EQ(0, vt_track(me));
	ASSERT_EQ(0, pipe(fds));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pid_t inner;

		if (unshare(CLONE_NEWPID))
			_exit(3);
		inner = fork();
		if (inner == 0) {
			int r[4];
			pid_t sub = fork();

			if (sub == 0) {
				pause();
				_exit(0);
			}
			r[0] = vt_untrack(1);	/* here 1 is this process */
			r[1] = vt_untrack(me);	/* no such process here */
			r[2] = vt_track(sub);	/* PID 2 of this namespace */
			r[3] = r[2] ? r[2] : vt_untrack(sub);
			kill(sub, SIGKILL);
			waitpid(sub, NULL, 0);
			_exit(write(fds[1], r, sizeof(r)) == sizeof(r) ? 0 : 1);
		}
		if (inner < 0 || waitpid(inner, &status, 0) != inner)
			_exit(1);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	close(fds[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 3)
		SKIP(goto out, "unshare(CLONE_NEWPID) failed");
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(sizeof(res), read(fds[0], res, sizeof(res)));
	EXPECT_EQ(-EPERM, res[0]) TH_LOG("untrack 1 from a child namespace: %s",
					 strerror(-res[0]));
	EXPECT_EQ(-EPERM, res[1]) TH_LOG("untrack %d from a child namespace: %s",
					 me, strerror(-res[1]));
	EXPECT_EQ(0, res[2]) TH_LOG("track 2 in its own namespace: %s", strerror(-res[2]));
	EXPECT_EQ(0, res[3]) TH_LOG("untrack 2 in its own namespace: %s", strerror(-res[3]));
	/* Both files are still there, and their own namespace removes them. */
	EXPECT_EQ(0, access(VMVIZ_DIR "/1", F_OK));
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", me);
	EXPECT_EQ(0, access(path, F_OK));
out:
	close(fds[0]);
	EXPECT_EQ(0, vt_untrack(1));
	EXPECT_EQ(0, vt_untrack(me));
}

/* A reader that keeps a report open and keeps reading it in big read()s. */
struct busy_reader {
	const char *path;
	int stop, started;
	unsigned long reads, bytes, eio;
	double longest_ms;		/* the longest single read() */
	int err;			/* the first error other than EIO */
};

static void *busy_read(void *arg)
{
	struct busy_reader *r = arg;
	size_t cap = 16 << 20;
	char *buf = malloc(cap);
	int fd = open(r->path, O_RDONLY);

	if (fd < 0 || !buf) {
		r->err = errno;
		__atomic_store_n(&r->started, 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	while (!__atomic_load_n(&r->stop, __ATOMIC_SEQ_CST)) {
		double t0 = vt_now_ms();
		ssize_t n = read(fd, buf, cap);
		double t = vt_now_ms() - t0;

		/* Read by the test while this thread runs: whole stores. */
		if (t > r->longest_ms)
			__atomic_store(&r->longest_ms, &t, __ATOMIC_RELAXED);
		if (n < 0) {
			if (errno != EIO) {
				r->err = errno;
				break;
			}
			/* Untracked under us: procfs released the file. */
			r->eio++;
			close(fd);
			/* Gone (ENOENT) until it is tracked again. */
			while ((fd = open(r->path, O_RDONLY)) < 0 && errno == ENOENT &&
			       !__atomic_load_n(&r->stop, __ATOMIC_SEQ_CST))
				usleep(1000);
			if (fd < 0 && !__atomic_load_n(&r->stop, __ATOMIC_SEQ_CST)) {
				r->err = errno;
				break;
			}
			continue;
		}
		r->reads++;
		r->bytes += n;
		__atomic_store_n(&r->started, 1, __ATOMIC_SEQ_CST);
		if (n == 0)
			lseek(fd, 0, SEEK_SET);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/*
 * Two writers for one number for a second: one tracks, one untracks. Each
 * write may find the file there, gone, or being removed (EBUSY); nothing
 * else, and procfs never sees two files of one name.
 */
struct race {
	pid_t pid;
	int stop;
	unsigned long writes, ebusy;
	int other;
};

static void race_note(struct race *r, int err, int gone)
{
	__atomic_fetch_add(&r->writes, 1, __ATOMIC_RELAXED);
	if (err == -EBUSY)
		__atomic_fetch_add(&r->ebusy, 1, __ATOMIC_RELAXED);
	else if (err && err != gone)
		r->other = -err;
}

static void *race_track(void *arg)
{
	struct race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_SEQ_CST))
		race_note(r, vt_track(r->pid), 0);
	return NULL;
}

static void race_untrack(struct race *r)
{
	double t0 = vt_now_ms();

	while (vt_now_ms() - t0 < 1000)
		race_note(r, vt_untrack(r->pid), -ENOENT);
	__atomic_store_n(&r->stop, 1, __ATOMIC_SEQ_CST);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * What the writes and the readers cost on this kernel, measured in the same
 * run before they contend: the bound a write is held to scales with it, so
 * a slower kernel (KASAN and lockdep under emulation) gets a bound as much
 * larger as it is slower.
 */
struct busy_baseline {
	double write_ms;		/* median uncontended control write */
	double piece_ms;		/* median read() of a piece of the report */
	double piece_long_ms;		/* 95th percentile: a long piece */
	double piece_max_ms;		/* the longest (a host hiccup, maybe) */
	double whole_ms;		/* the whole report, read() after read() */
	unsigned long pieces;
	double own_ms;			/* a write's own share of the bound */
};

#define BASE_WRITES	10
/*
 * The bound. A writer may wait for the one read() in flight on the file it
 * removes (a piece: seq_read_iter() fills one buffer per call), never for
 * the rest of the report. So a write, and any stretch of the writer in D
 * state, may take
 *   - the longest read() the busy reader made while the writes ran: the
 *     piece in flight, however long this run's load made it (a stalled
 *     emulated CPU lengthens the piece the writer waits for as much);
 *   - plus its own work and its turn among the reader and the sampler on
 *     two CPUs: BUSY_SCALE times an uncontended write plus a long piece
 *     (the 95th percentile: one host hiccup in the baseline does not count),
 *     but at least 1/BUSY_WHOLE_PART of a whole report read, since on a
 *     stock kernel a piece takes a fraction of a millisecond and scheduling
 *     alone exceeds any multiple of it.
 * All of it measured in this run, so a kernel as much slower gets a bound
 * as much larger. A write that waited for a reader's whole report would
 * wait for the rest of the pass it landed in, up to whole_ms: that all
 * four writes about the file being read land in the last quarter of a
 * pass is a 1 in 256 chance.
 */
#define BUSY_SCALE		10
#define BUSY_WHOLE_PART		4

/*
 * Fills @b: self tracked and untracked BASE_WRITES times, then the report
 * at @path read once to its end in 16 MiB read()s as the busy reader reads
 * it, each read() timed. 0 or -errno.
 */
static int busy_measure(struct busy_baseline *b, const char *path)
{
	double w[BASE_WRITES], *piece = NULL, t0, t;
	size_t npiece = 0, cappiece = 0, cap = 16 << 20;
	int fd, i, err = 0;
	char *buf;

	for (i = 0; i < BASE_WRITES; i++) {
		t0 = vt_now_ms();
		err = i % 2 ? vt_untrack(getpid()) : vt_track(getpid());
		w[i] = vt_now_ms() - t0;
		if (err)
			return err;
	}
	qsort(w, BASE_WRITES, sizeof(w[0]), cmp_double);
	b->write_ms = w[BASE_WRITES / 2];

	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	b->whole_ms = 0;
	for (;;) {
		ssize_t n;

		t0 = vt_now_ms();
		n = read(fd, buf, cap);
		t = vt_now_ms() - t0;
		if (n < 0) {
			err = -errno;
			break;
		}
		b->whole_ms += t;
		if (n == 0)
			break;
		if (npiece == cappiece) {
			double *np = realloc(piece, (cappiece = cappiece * 2 + 256) * sizeof(*np));

			if (!np) {
				err = -ENOMEM;
				break;
			}
			piece = np;
		}
		piece[npiece++] = t;
	}
	close(fd);
	if (!err && !npiece)
		err = -ENODATA;
	if (!err) {
		qsort(piece, npiece, sizeof(piece[0]), cmp_double);
		b->pieces = npiece;
		b->piece_ms = piece[npiece / 2];
		b->piece_long_ms = piece[npiece * 95 / 100];
		b->piece_max_ms = piece[npiece - 1];
		b->own_ms = BUSY_SCALE * (b->write_ms + b->piece_long_ms);
		if (b->own_ms < b->whole_ms / BUSY_WHOLE_PART)
			b->own_ms = b->whole_ms / BUSY_WHOLE_PART;
	}
	free(piece);
	free(buf);
	return err;
}

FIXTURE(busy) {};
FIXTURE_SETUP(busy) {}
FIXTURE_TEARDOWN(busy) {}

/*
 * Control writes while two readers are mid-way through a large report of
 * the target: one reading it in 16 MiB read()s in a loop, one holding it
 * open after its first 4 KiB. Writes about other processes, about the
 * target and the untrack of the very file being read all return within a
 * bound made of this run's own figures (see BUSY_SCALE): one read() in
 * flight and a write's own share, well under a whole report read; the
 * writer is never in D state longer than that bound either; the readers
 * of the removed file get EIO. Timeout: the baseline reads the whole
 * report once more, which takes tens of seconds on a KASAN kernel.
 */
TEST_F_TIMEOUT(busy, control_writes_do_not_wait_for_readers, 600)
{
	static const char * const what[] = {
		"track self", "untrack self", "track target again",
		"untrack target", "track target anew", "untrack target anew",
	};
	struct busy_reader br = { 0 };
	struct busy_baseline base = { 0 };
	struct vt_state_sampler ss = { 0 };
	struct race race = { 0 };
	double took[6], worst = 0, in_flight_ms, bound_ms;
	char path[64], buf[4096];
	struct vt_child c;
	pthread_t rt, st, wt;
	int held, i, err[6];

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_spawn(&c, vt_many_vmas, NULL));
	ASSERT_EQ(0, vt_track(c.pid));
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", c.pid);
	held = open(path, O_RDONLY);
	ASSERT_LE(0, held);
	ASSERT_LT(0, read(held, buf, sizeof(buf)));
	err[0] = busy_measure(&base, path);
	ASSERT_EQ(0, err[0]) TH_LOG("baseline: %s", strerror(-err[0]));
	printf("# vmviz-ctl busy_baseline write_ms=%.2f piece_ms=%.2f piece_ms_p95=%.2f",
	       base.write_ms, base.piece_ms, base.piece_long_ms);
	printf(" piece_ms_longest=%.1f pieces=%lu whole_ms=%.1f own_ms=%.1f\n",
	       base.piece_max_ms, base.pieces, base.whole_ms, base.own_ms);
	br.path = path;
	ASSERT_EQ(0, pthread_create(&rt, NULL, busy_read, &br));
	while (!__atomic_load_n(&br.started, __ATOMIC_SEQ_CST))
		usleep(1000);
	ASSERT_EQ(0, br.err) TH_LOG("reader: %s", strerror(br.err));
	ss.tid = syscall(SYS_gettid);
	ASSERT_EQ(0, pthread_create(&st, NULL, vt_sample_state, &ss));
	for (i = 0; i < 6; i++) {
		/* Self twice, then the target (the file being read) four times. */
		pid_t pid = i < 2 ? getpid() : c.pid;
		double t0 = vt_now_ms();

		err[i] = i % 2 ? vt_untrack(pid) : vt_track(pid);
		took[i] = vt_now_ms() - t0;
		if (took[i] > worst)
			worst = took[i];
		usleep(50000);
	}
	__atomic_store_n(&ss.stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(st, NULL);
	__atomic_load(&br.longest_ms, &in_flight_ms, __ATOMIC_RELAXED);
	bound_ms = in_flight_ms + base.own_ms;
	/* Racing writers on the name being read: removal and reuse overlap. */
	race.pid = c.pid;
	ASSERT_EQ(0, pthread_create(&wt, NULL, race_track, &race));
	race_untrack(&race);
	pthread_join(wt, NULL);
	__atomic_store_n(&br.stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(rt, NULL);
	EXPECT_EQ(0, race.other) TH_LOG("racing writes: %s", strerror(race.other));
	for (i = 0; i < 6; i++) {
		EXPECT_EQ(0, err[i]) TH_LOG("%s: %s", what[i], strerror(-err[i]));
		EXPECT_GT(bound_ms, took[i])
			TH_LOG("%s took %.1f ms, bound %.1f ms (whole report %.0f ms)",
			       what[i], took[i], bound_ms, base.whole_ms);
	}
	/* The held file was released by the untrack. */
	EXPECT_EQ(-1, read(held, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	close(held);
	EXPECT_EQ(0, br.err) TH_LOG("reader: %s", strerror(br.err));
	EXPECT_LT(0, br.eio) TH_LOG("the busy reader never saw its file go");
	EXPECT_GT(bound_ms, ss.longest_d_ms)
		TH_LOG("writer in D state for %.1f ms, bound %.1f ms (whole report %.0f ms)",
		       ss.longest_d_ms, bound_ms, base.whole_ms);
	printf("# vmviz-ctl busy_bound read_ms_in_flight=%.1f + own_ms=%.1f = bound_ms=%.1f",
	       in_flight_ms, base.own_ms, bound_ms);
	printf(" (own: max(%d x (write + p95 piece), whole / %d)); whole_ms=%.1f\n",
	       BUSY_SCALE, BUSY_WHOLE_PART, base.whole_ms);
	printf("# vmviz-ctl busy_readers write_ms_worst=%.1f", worst);
	printf(" reads=%lu bytes=%lu read_ms_longest=%.1f reader_eio=%lu",
	       br.reads, br.bytes, br.longest_ms, br.eio);
	printf(" writer_samples=%lu writer_d=%lu writer_d_ms_longest=%.1f",
	       ss.samples, ss.in_d, ss.longest_d_ms);
	printf(" race_writes=%lu race_ebusy=%lu\n", race.writes, race.ebusy);
	EXPECT_EQ(0, vt_release(&c));
}

TEST_HARNESS_MAIN
