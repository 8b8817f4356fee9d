// SPDX-License-Identifier: GPL-2.0
/*
 * A stuck target must not hang anyone else: a target whose mmap lock is held
 * for as long as a FUSE server keeps a read unanswered, with a writer queued
 * behind it. A report read of it waits; untrack, and rmmod, return anyway,
 * and the waiting reader gets an error. The rmmod variant loads the module
 * again as the rig did (VMVIZ_KO, default /vmviz.ko, all=0). Nor a reader
 * stuck in its own buffer (a private mapping of that server's file): the
 * untrack of its file returns, and the file goes once the reader leaves.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fuse.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmviz_test.h"

#define MNT		"/tmp/vt-fuse"
#define FILE_SIZE	(1UL << 20)

/*
 * A FUSE server of one file, "f", whose reads are never answered: any
 * fault on a mapping of it waits in fuse_simple_request() until the
 * connection is aborted.
 */
struct server {
	int fd;
	volatile int stop;
	volatile int reads;	/* FUSE_READ requests left unanswered */
	pthread_t thread;
};

static void attr_of(uint64_t node, struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = node;
	a->nlink = 1;
	a->blksize = 4096;
	if (node == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0755;
	} else {
		a->mode = S_IFREG | 0644;
		a->size = FILE_SIZE;
		a->blocks = FILE_SIZE / 512;
	}
}

static void reply(struct server *s, uint64_t unique, int error, const void *body, size_t len)
{
	char buf[sizeof(struct fuse_out_header) + 256];
	struct fuse_out_header *oh = (void *)buf;

	oh->len = sizeof(*oh) + (error ? 0 : len);
	oh->error = error;
	oh->unique = unique;
	if (!error && len)
		memcpy(buf + sizeof(*oh), body, len);
	if (write(s->fd, buf, oh->len) < 0)
		return;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	static char buf[1 << 17];	/* above FUSE_MIN_READ_BUFFER */

	while (!s->stop) {
		struct pollfd pfd = { s->fd, POLLIN, 0 };
		struct fuse_in_header *ih = (void *)buf;
		void *in = buf + sizeof(*ih);
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(s->fd, buf, sizeof(buf));
		if (n < (ssize_t)sizeof(*ih))
			continue;
		switch (ih->opcode) {
		case FUSE_INIT: {
			const struct fuse_init_in *ii = in;
			struct fuse_init_out o = {
				.major = FUSE_KERNEL_VERSION, .minor = 31,
				.max_readahead = ii->max_readahead, .max_write = 4096,
			};

			reply(s, ih->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out o = { .nodeid = 2, .generation = 1,
						    .entry_valid = 3600, .attr_valid = 3600 };

			if (ih->nodeid != FUSE_ROOT_ID || strcmp(in, "f")) {
				reply(s, ih->unique, -ENOENT, NULL, 0);
				break;
			}
			attr_of(2, &o.attr);
			reply(s, ih->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out o = { .attr_valid = 3600 };

			attr_of(ih->nodeid, &o.attr);
			reply(s, ih->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_OPEN:
		case FUSE_OPENDIR: {
			struct fuse_open_out o = { .fh = 1 };

			reply(s, ih->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_READ:
			s->reads++;	/* never answered */
			break;
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break;		/* no reply expected, or none given */
		case FUSE_RELEASE:
		case FUSE_RELEASEDIR:
		case FUSE_FLUSH:
			reply(s, ih->unique, 0, NULL, 0);
			break;
		default:
			reply(s, ih->unique, -ENOSYS, NULL, 0);
			break;
		}
	}
	return NULL;
}

/* 0, or why the server could not start (SKIP where FUSE is missing). */
static const char *server_start(struct server *s)
{
	char opts[128];

	memset(s, 0, sizeof(*s));
	s->fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (s->fd < 0)
		return "no /dev/fuse";
	mkdir(MNT, 0755);
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", s->fd);
	if (mount("vt-fuse", MNT, "fuse", MS_NOSUID | MS_NODEV, opts)) {
		close(s->fd);
		return "cannot mount fuse";
	}
	if (pthread_create(&s->thread, NULL, serve, s)) {
		umount2(MNT, MNT_DETACH);
		close(s->fd);
		return "no server thread";
	}
	return NULL;
}

/* Abort the connection: every request waiting for an answer fails. */
static void server_stop(struct server *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->fd);
	umount2(MNT, MNT_DETACH);
	rmdir(MNT);
}

/*
 * The target: maps the file (untouched) and an anonymous page, then on a
 * byte from @cmd unmaps the page: a writer of its own mmap lock.
 */
static pid_t target_start(int cmd[2], unsigned long *file_addr, int fuse_fd)
{
	int ready[2];
	pid_t pid;

	if (pipe(cmd) || pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd;

		/* Only the server may hold the device: its close aborts. */
		close(fuse_fd);
		fd = open(MNT "/f", O_RDONLY);
		void *f = fd < 0 ? MAP_FAILED :
			  mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
		void *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned long addr = (unsigned long)f;
		char b;

		if (f == MAP_FAILED || a == MAP_FAILED)
			_exit(2);
		if (write(ready[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(1);
		if (read(cmd[0], &b, 1) != 1)
			_exit(1);
		munmap(a, 4096);	/* waits for the stuck holder */
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], file_addr, sizeof(*file_addr)) != sizeof(*file_addr))
		pid = -1;
	close(ready[0]);
	return pid;
}

/* Holds the target's mmap lock: /proc/PID/mem faults the FUSE page in. */
struct holder {
	pid_t target;
	unsigned long addr;
	ssize_t ret;
};

static void *hold(void *arg)
{
	struct holder *h = arg;
	char path[64], b;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", h->target);
	fd = open(path, O_RDONLY);
	h->ret = fd < 0 ? -1 : pread(fd, &b, 1, h->addr);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* A report reader of the target: the result of its read, and when. */
struct reader {
	pid_t target;
	volatile int done;
	ssize_t ret;
	int err;
	double at;
};

static void *read_report(void *arg)
{
	struct reader *r = arg;
	char path[64], buf[4096];
	int fd;

	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", r->target);
	fd = open(path, O_RDONLY);
	r->ret = fd < 0 ? -2 : read(fd, buf, sizeof(buf));
	r->err = errno;
	r->at = vt_now_ms();
	r->done = 1;
	if (fd >= 0)
		close(fd);
	return NULL;
}

static char task_state(pid_t pid)
{
	char path[64], *st, *p, c = '?';

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	st = vt_read_file(path, NULL);
	if (st && (p = strrchr(st, ')')))
		c = p[2];
	free(st);
	return c;
}

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* What removes the stuck target's file: an untrack write, or rmmod. */
FIXTURE(stuck) {};
FIXTURE_VARIANT(stuck) {
	const char *name;
	int rmmod;
};
FIXTURE_VARIANT_ADD(stuck, untrack) { .name = "untrack", .rmmod = 0 };
FIXTURE_VARIANT_ADD(stuck, rmmod) { .name = "rmmod", .rmmod = 1 };
FIXTURE_SETUP(stuck) {}
FIXTURE_TEARDOWN(stuck) {}

TEST_F(stuck, removal_does_not_wait_for_a_stuck_target)
{
	const char *ko = getenv("VMVIZ_KO") ?: "/vmviz.ko";
	struct holder h = {};
	struct reader rd = {};
	char st, cmd[256];
	pthread_t ht, rt;
	struct server s;
	const char *why;
	unsigned long addr;
	int cmd_pipe[2], i, err;
	double t0, t1;
	pid_t target;

	VMVIZ_REQUIRE();
	if (variant->rmmod && access(ko, R_OK))
		SKIP(return, "no module at %s to load again", ko);
	why = server_start(&s);
	if (why)
		SKIP(return, "%s", why);
	target = target_start(cmd_pipe, &addr, s.fd);
	ASSERT_LT(0, target);
	ASSERT_EQ(0, vt_track(target));

	/* 1. A holder of the target's mmap lock, stuck on the server. */
	h.target = target;
	h.addr = addr;
	ASSERT_EQ(0, pthread_create(&ht, NULL, hold, &h));
	for (i = 0; i < 500 && !s.reads; i++)
		usleep(10000);
	ASSERT_LT(0, s.reads) TH_LOG("the FUSE read never came");
	/* 2. A writer queued behind it: the target's own munmap. */
	ASSERT_EQ(1, write(cmd_pipe[1], "", 1));
	for (i = 0; i < 500 && (st = task_state(target)) != 'D'; i++)
		usleep(10000);
	EXPECT_EQ('D', st) TH_LOG("the target's munmap is not waiting");
	/* 3. A report reader, which must wait: the lock is not to be had. */
	rd.target = target;
	ASSERT_EQ(0, pthread_create(&rt, NULL, read_report, &rd));
	usleep(300000);
	EXPECT_EQ(0, rd.done) TH_LOG("the report read returned %zd while the target is stuck",
				     rd.ret);
	/* 4. The removal returns, and the waiting reader gets an error. */
	t0 = vt_now_ms();
	err = variant->rmmod ? run("rmmod vmviz") : vt_untrack(target);
	t1 = vt_now_ms();
	EXPECT_EQ(0, err);
	for (i = 0; i < 500 && !rd.done; i++)
		usleep(10000);
	EXPECT_EQ(1, rd.done);
	TH_LOG("%s with a reader of a stuck target took %.1f ms (documented bound: one poll of 10 ms and one piece); the waiting reader got %zd (%s) %.1f ms after it began",
	       variant->name, t1 - t0, rd.ret, rd.ret < 0 ? strerror(rd.err) : "data",
	       rd.at - t0);
	EXPECT_EQ(-1, rd.ret);
	EXPECT_EQ(EIO, rd.err);
	printf("# vmviz-figures stuck %s_ms=%.1f reader_ms=%.1f\n", variant->name, t1 - t0,
	       rd.at - t0);

	/* The server gives up: the holder fails, the munmap completes. */
	server_stop(&s);
	pthread_join(ht, NULL);
	pthread_join(rt, NULL);
	EXPECT_GT(0, h.ret) TH_LOG("the stuck read of /proc/PID/mem returned %zd", h.ret);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	close(cmd_pipe[0]);
	close(cmd_pipe[1]);
	if (variant->rmmod) {
		snprintf(cmd, sizeof(cmd), "insmod %s all=0", ko);
		ASSERT_EQ(0, run(cmd));
		EXPECT_EQ(0, access(VMVIZ_DIR "/track", F_OK));
	}
}

/*
 * A reader stuck in its own buffer: a child reads the report into a
 * private mapping of the server's file, so that the copy to it faults on
 * a FUSE read that is never answered, inside the read(). The removal of
 * the file must not wait for it (untrack returns, other files come and
 * go); the file stays, marked removing, its name reserved, until the
 * reader leaves; then it goes (docs/FORMAT.md, "Removal").
 */
static pid_t stuck_reader_start(struct server *s, pid_t target, int result[2])
{
	pid_t pid;

	if (pipe(result))
		return -1;
	pid = fork();
	if (pid == 0) {
		char path[64];
		long out[2];
		void *buf;
		int fd, rfd;

		/* Only the server may hold the device: its close aborts. */
		close(s->fd);
		close(result[0]);
		fd = open(MNT "/f", O_RDONLY);
		buf = fd < 0 ? MAP_FAILED :
		      mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		snprintf(path, sizeof(path), VMVIZ_DIR "/%d", target);
		rfd = open(path, O_RDONLY);
		if (buf == MAP_FAILED || rfd < 0)
			_exit(2);
		out[0] = read(rfd, buf, 4096);
		out[1] = errno;
		if (write(result[1], out, sizeof(out)) != sizeof(out))
			_exit(1);
		_exit(0);
	}
	close(result[1]);
	return pid;
}

FIXTURE(buffer) {};
FIXTURE_SETUP(buffer) {}
FIXTURE_TEARDOWN(buffer) {}

TEST_F_TIMEOUT(buffer, removal_does_not_wait_for_a_reader_stuck_in_it, 120)
{
	char path[64], other_path[64], *text;
	struct vt_child target, other;
	int result[2], i, err, status;
	long out[2] = { 0, 0 };
	double t0, t1, t_back, t_gone;
	struct pollfd pfd;
	struct server s;
	const char *why;
	pid_t reader;

	VMVIZ_REQUIRE();
	/* Before the server: a child must not hold the device (its close aborts). */
	ASSERT_EQ(0, vt_spawn(&target, NULL, NULL));
	why = server_start(&s);
	if (why) {
		vt_release(&target);
		SKIP(return, "%s", why);
	}
	ASSERT_EQ(0, vt_track(target.pid));
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", target.pid);

	/* 1. The reader, stuck copying the report into its buffer. */
	reader = stuck_reader_start(&s, target.pid, result);
	ASSERT_LT(0, reader);
	for (i = 0; i < 500 && !s.reads; i++)
		usleep(10000);
	ASSERT_LT(0, s.reads) TH_LOG("the reader's buffer never faulted on the server");
	pfd = (struct pollfd){ result[0], POLLIN, 0 };
	EXPECT_EQ(0, poll(&pfd, 1, 300)) TH_LOG("the read returned while its buffer is stuck");

	/* 2. Its file's removal returns; the file is gone for new calls. */
	t0 = vt_now_ms();
	err = vt_untrack(target.pid);
	t1 = vt_now_ms();
	EXPECT_EQ(0, err) TH_LOG("untrack: %s", strerror(-err));
	EXPECT_EQ(-1, open(path, O_RDONLY));
	EXPECT_EQ(ENOENT, errno) TH_LOG("an open of the file being removed");
	EXPECT_EQ(-EBUSY, vt_track(target.pid)) TH_LOG("its name is reserved until it goes");

	/* 3. Other files come, are read and go meanwhile (this child exits
	 * before the server stops: it holds the device too).
	 */
	ASSERT_EQ(0, vt_spawn(&other, NULL, NULL));
	ASSERT_EQ(0, vt_track(other.pid));
	snprintf(other_path, sizeof(other_path), VMVIZ_DIR "/%d", other.pid);
	text = vt_read_file(other_path, NULL);
	EXPECT_NE(NULL, text) TH_LOG("another process's report while one reader is stuck");
	free(text);
	EXPECT_EQ(0, vt_untrack(other.pid));
	EXPECT_NE(0, access(other_path, F_OK)) TH_LOG("another file's removal was put off");
	EXPECT_EQ(0, vt_release(&other));
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("the reader left before the server gave up");

	/* 4. The server gives up: the read fails, and then the file goes. */
	server_stop(&s);
	ASSERT_EQ(1, poll(&pfd, 1, 30000)) TH_LOG("the reader never came back");
	t_back = vt_now_ms();
	ASSERT_EQ(sizeof(out), read(result[0], out, sizeof(out)));
	waitpid(reader, &status, 0);
	close(result[0]);
	for (i = 0; i < 500 && !access(path, F_OK); i++)
		usleep(10000);
	t_gone = vt_now_ms();
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("the file stayed after its reader left");
	TH_LOG("untrack with a reader stuck in its buffer took %.1f ms; the reader got %ld (%s); the file went %.0f ms after the reader left",
	       t1 - t0, out[0], out[0] < 0 ? strerror(out[1]) : "bytes", t_gone - t_back);
	printf("# vmviz-figures stuck buffer_untrack_ms=%.1f\n", t1 - t0);
	/* The name is free again. */
	EXPECT_EQ(0, vt_track(target.pid));
	EXPECT_EQ(0, vt_untrack(target.pid));
	EXPECT_EQ(0, vt_release(&target));
}

TEST_HARNESS_MAIN
