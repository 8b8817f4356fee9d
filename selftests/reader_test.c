// SPDX-License-Identifier: GPL-2.0
/*
 * The reader, live: vmviz maps, pages, compare and demo on real processes,
 * checked against /proc/PID/maps, /proc/PID/pagemap and the module's mm id.
 */
#include <pthread.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "vmviz_test.h"

#define VMVIZ_BIN	"/bin/vmviz"
#define BUF_PAGES	32
#define CHILD_WRITES	5
#define PARENT_WRITES	3

#define READER_REQUIRE()						\
	do {								\
		VMVIZ_REQUIRE();					\
		if (access(VMVIZ_BIN, X_OK))				\
			SKIP(return, "no " VMVIZ_BIN " in this image");	\
	} while (0)

/* Run a shell command; its stdout and stderr in *out, its exit status back. */
static int run(char **out, const char *fmt, ...)
{
	char cmd[1024];
	size_t cap = 1 << 16, len = 0, n;
	va_list ap;
	FILE *p;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	*out = malloc(cap);
	p = popen(cmd, "r");
	if (!p || !*out)
		return -1;
	while ((n = fread(*out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (len + 1 == cap) {
			cap *= 2;
			*out = realloc(*out, cap);
		}
	}
	(*out)[len] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The PFN of addr in pid's pagemap, 0 if not present. */
static unsigned long pagemap_pfn(pid_t pid, unsigned long addr)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (addr >> 12) * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return (e >> 63) & 1 ? e & ((1ULL << 55) - 1) : 0;
}

static bool tracked(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", pid);
	return access(path, F_OK) == 0;
}

/* Children parked on a pipe until the test closes it. */
static int go[2], ready[2];
static char *buf;
static volatile pid_t vfork_pid, thread_tid;

static void park(bool own_files)
{
	char b = 1;

	if (own_files)
		close(go[1]);
	if (write(ready[1], &b, 1) != 1)
		_exit(1);
	while (read(go[0], &b, 1) > 0)
		;
}

static void *vfork_helper(void *arg)
{
	pid_t pid = vfork();

	if (pid == 0) {
		vfork_pid = getpid();
		park(true);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return NULL;
}

static int clone_main(void *arg)
{
	park(true);
	return 0;
}

static void *thread_main(void *arg)
{
	thread_tid = syscall(SYS_gettid);
	park(false);
	return NULL;
}

enum child_kind { FORK_CHILD, VFORK_CHILD, CLONE_CHILD, THREAD };

struct child {
	enum child_kind kind;
	pid_t pid;
	pthread_t thread;
	char *stack;
};

static int child_start(struct child *c, enum child_kind kind)
{
	char b;

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if (pipe(go) || pipe(ready))
		return -1;
	switch (kind) {
	case FORK_CHILD:
		c->pid = fork();
		if (c->pid == 0) {
			for (int i = 0; i < CHILD_WRITES; i++)
				buf[i * 4096] = 'c';
			park(true);
			_exit(0);
		}
		break;
	case VFORK_CHILD:
		if (pthread_create(&c->thread, NULL, vfork_helper, NULL))
			return -1;
		break;
	case CLONE_CHILD:
		c->stack = malloc(1 << 18);
		c->pid = clone(clone_main, c->stack + (1 << 18), CLONE_VM | SIGCHLD, NULL);
		break;
	case THREAD:
		if (pthread_create(&c->thread, NULL, thread_main, NULL))
			return -1;
		break;
	}
	if (read(ready[0], &b, 1) != 1)
		return -1;
	if (kind == VFORK_CHILD)
		c->pid = vfork_pid;
	if (kind == THREAD)
		c->pid = thread_tid;
	return c->pid > 0 ? 0 : -1;
}

static void child_stop(struct child *c)
{
	close(go[1]);
	if (c->kind == FORK_CHILD || c->kind == CLONE_CHILD)
		waitpid(c->pid, NULL, 0);
	else
		pthread_join(c->thread, NULL);
	close(go[0]);
	close(ready[0]);
	close(ready[1]);
	free(c->stack);
}

FIXTURE(reader) {
	struct child child;
};

FIXTURE_SETUP(reader)
{
	buf = mmap(NULL, BUF_PAGES * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 'p', BUF_PAGES * 4096);
}

FIXTURE_TEARDOWN(reader)
{
	munmap(buf, BUF_PAGES * 4096);
}

/* vmviz maps PID: the same VMAs as /proc/PID/maps, and the PID untracked after. */
TEST_F(reader, maps_live_equals_proc_maps)
{
	char *out, *maps, *line, *save = NULL, *mline, *msave = NULL;
	char path[64];
	int rc, n = 0;

	READER_REQUIRE();
	ASSERT_EQ(0, child_start(&self->child, FORK_CHILD));
	rc = run(&out, VMVIZ_BIN " maps -r -n -o START,END,PERM,NAME %d", self->child.pid);
	ASSERT_EQ(0, rc) TH_LOG("vmviz maps: %s", out);
	EXPECT_FALSE(tracked(self->child.pid)) TH_LOG("vmviz left PID %d tracked", self->child.pid);
	snprintf(path, sizeof(path), "/proc/%d/maps", self->child.pid);
	maps = vt_read_file(path, NULL);
	ASSERT_NE(NULL, maps);
	line = strtok_r(out, "\n", &save);
	for (mline = strtok_r(maps, "\n", &msave); mline; mline = strtok_r(NULL, "\n", &msave)) {
		unsigned long ms, me, vs, ve;
		char mperm[8], vperm[8], mname[512] = "", vname[512] = "";

		if (strstr(mline, "[vsyscall]"))
			continue;
		ASSERT_NE(NULL, line) TH_LOG("vmviz has fewer VMAs than maps, missing: %s", mline);
		ASSERT_LE(3, sscanf(mline, "%lx-%lx %7s %*s %*s %*s %511s", &ms, &me, mperm, mname));
		ASSERT_EQ(4, sscanf(line, "%lx %lx %7s %511s", &vs, &ve, vperm, vname)) TH_LOG("%s", line);
		EXPECT_EQ(ms, vs);
		EXPECT_EQ(me, ve);
		EXPECT_STREQ(mperm, vperm);
		/* Raw output escapes blanks (\x20): compare up to the first. */
		if (strstr(vname, "\\x20"))
			*strstr(vname, "\\x20") = '\0';
		EXPECT_STREQ(mname[0] ? mname : "[anon]", vname);
		line = strtok_r(NULL, "\n", &save);
		n++;
	}
	EXPECT_EQ(NULL, line) TH_LOG("vmviz has more VMAs than maps: %s", line);
	TH_LOG("%d VMAs agree with /proc/%d/maps", n, self->child.pid);
	free(out);
	free(maps);
	child_stop(&self->child);
}

/* vmviz pages PID ADDR: the frame pagemap gives, for every page of the buffer. */
TEST_F(reader, pages_live_pfn_equals_pagemap)
{
	pid_t me = getpid();
	int i, rc;

	READER_REQUIRE();
	for (i = 0; i < BUF_PAGES; i += 7) {
		unsigned long addr = (unsigned long)buf + i * 4096UL, pfn;
		char *out;

		/* ADDR+1000: the run cut to the entry holding ADDR (ADDR alone: the whole run). */
		rc = run(&out, VMVIZ_BIN " pages -r -n -o PFN,STATE %d %lx+1000", me, addr);
		ASSERT_EQ(0, rc) TH_LOG("vmviz pages: %s", out);
		ASSERT_EQ(1, sscanf(out, "%lx present", &pfn)) TH_LOG("output: %s", out);
		EXPECT_EQ(pagemap_pfn(me, addr), pfn) TH_LOG("page %lx", addr);
		free(out);
	}
}

/* Counts of one VMA in `vmviz compare -r -n` output, by its start. */
static int cmp_row(const char *out, unsigned long start, unsigned long *same,
		   unsigned long *cow, unsigned long *diverged)
{
	const char *l;

	for (l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned long s;

		if (sscanf(l, "%lx %lu %lu %lu", &s, same, cow, diverged) == 4 && s == start)
			return 0;
	}
	return -1;
}

/* A fork child: pages of the buffer on one frame are COW, written ones diverged. */
TEST_F(reader, compare_fork_child_against_pagemap)
{
	unsigned long vs = 0, ve = 0, same, cow, diverged, a, tsame = 0, tdiv = 0;
	char *out, path[64], *maps, *l;
	pid_t me = getpid();
	int i, rc;

	READER_REQUIRE();
	ASSERT_EQ(0, child_start(&self->child, FORK_CHILD));
	for (i = CHILD_WRITES; i < CHILD_WRITES + PARENT_WRITES; i++)
		buf[i * 4096] = 'P';
	/* The VMA holding the buffer (it may have merged with a neighbour). */
	snprintf(path, sizeof(path), "/proc/%d/maps", me);
	maps = vt_read_file(path, NULL);
	ASSERT_NE(NULL, maps);
	for (l = maps; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (sscanf(l, "%lx-%lx", &vs, &ve) == 2 && vs <= (unsigned long)buf &&
		    (unsigned long)buf < ve)
			break;
	free(maps);
	ASSERT_LT(vs, ve);

	rc = run(&out, VMVIZ_BIN " compare -r -n -o START,SAME,COW,DIVERGED %d %d",
		 me, self->child.pid);
	ASSERT_EQ(0, rc) TH_LOG("vmviz compare: %s", out);
	ASSERT_EQ(0, cmp_row(out, vs, &same, &cow, &diverged)) TH_LOG("no row %lx in %s", vs, out);
	for (a = vs; a < ve; a += 4096) {
		unsigned long p = pagemap_pfn(me, a), c = pagemap_pfn(self->child.pid, a);

		if (p && c && p == c)
			tsame++;
		else if (p && c)
			tdiv++;
	}
	TH_LOG("buffer VMA %lx-%lx: vmviz same %lu cow %lu diverged %lu; pagemap same %lu diverged %lu",
	       vs, ve, same, cow, diverged, tsame, tdiv);
	EXPECT_EQ(tsame, same);
	EXPECT_EQ(tdiv, diverged);
	/* After fork, an anonymous page on one frame is write-protected in both. */
	EXPECT_EQ(same, cow);
	EXPECT_GE(same, BUF_PAGES - CHILD_WRITES - PARENT_WRITES);
	EXPECT_GE(diverged, CHILD_WRITES + PARENT_WRITES);
	free(out);

	rc = run(&out, VMVIZ_BIN " compare %d %d", me, self->child.pid);
	ASSERT_EQ(0, rc);
	EXPECT_NE(NULL, strstr(out, "verdict: fork child: ")) TH_LOG("%s", out);
	free(out);
	EXPECT_FALSE(tracked(self->child.pid));
	EXPECT_FALSE(tracked(me));
	child_stop(&self->child);
}

/* vfork, clone(CLONE_VM) and thread children share the mm: so says the module too. */
static void one_mm(struct __test_metadata *_metadata, struct child *c, enum child_kind kind)
{
	struct vt_report rp, rc;
	char *out;
	int rcode;

	ASSERT_EQ(0, child_start(c, kind));
	rcode = run(&out, VMVIZ_BIN " compare %d %d", getpid(), c->pid);
	EXPECT_EQ(0, rcode) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "verdict: one address space (thread, vfork or CLONE_VM child)"))
		TH_LOG("%s", out);
	/* Format 2: one boot and one mm id; two reads, worded as such. */
	EXPECT_NE(NULL, strstr(out, "one mm_struct"));
	EXPECT_EQ(NULL, strstr(out, "copy-on-write pending")) TH_LOG("%s", out);
	free(out);
	VT_REPORT(getpid(), &rp);
	VT_REPORT(c->pid, &rc);
	EXPECT_STREQ(rp.mm_id, rc.mm_id);
	TH_LOG("child %d kind %s: mm %s, parent mm %s", c->pid, rc.kind, rc.mm_id, rp.mm_id);
	vt_untrack(getpid());
	vt_untrack(c->pid);
	vt_free(&rp);
	vt_free(&rc);
	child_stop(c);
}

TEST_F(reader, compare_vfork_child_one_mm)
{
	READER_REQUIRE();
	one_mm(_metadata, &self->child, VFORK_CHILD);
}

TEST_F(reader, compare_clone_vm_child_one_mm)
{
	READER_REQUIRE();
	one_mm(_metadata, &self->child, CLONE_CHILD);
}

TEST_F(reader, compare_thread_one_mm)
{
	READER_REQUIRE();
	one_mm(_metadata, &self->child, THREAD);
}

/* A saved report reads as the live one does. */
TEST_F(reader, file_equals_live)
{
	char *live, *saved, path[64];
	pid_t pid;

	READER_REQUIRE();
	ASSERT_EQ(0, child_start(&self->child, FORK_CHILD));
	pid = self->child.pid;
	ASSERT_EQ(0, vt_track(pid));
	snprintf(path, sizeof(path), "cat " VMVIZ_DIR "/%d > /tmp/reader.report", pid);
	ASSERT_EQ(0, system(path));
	/* Tracked by us: vmviz must leave it tracked. */
	ASSERT_EQ(0, run(&live, VMVIZ_BIN " maps -o +FLAGS,PROTFLAGS %d", pid));
	EXPECT_TRUE(tracked(pid));
	vt_untrack(pid);
	ASSERT_EQ(0, run(&saved, VMVIZ_BIN " maps -o +FLAGS,PROTFLAGS --file /tmp/reader.report"));
	EXPECT_STREQ(live, saved);
	free(live);
	free(saved);
	ASSERT_EQ(0, run(&live, VMVIZ_BIN " %d", pid));
	ASSERT_EQ(0, run(&saved, VMVIZ_BIN " -f /tmp/reader.report"));
	/*
	 * Line 3 is the time of the read, line 4 has mm_count. The live
	 * picture draws the kernel half's regions from /proc/vmviz/kernel,
	 * which a saved report does not hold (--khalf gives it): from the
	 * canonical hole down, the same.
	 */
	ASSERT_NE(NULL, strstr(live, "canonical hole"));
	ASSERT_NE(NULL, strstr(saved, "canonical hole"));
	EXPECT_STREQ(strstr(live, "canonical hole"), strstr(saved, "canonical hole"));
	EXPECT_NE(NULL, strstr(live, "kernel half")) TH_LOG("%s", live);
	/* Root reads the kernel file: its regions are drawn. */
	EXPECT_NE(NULL, strstr(live, "  direct ")) TH_LOG("%s", live);
	EXPECT_NE(NULL, strstr(live, "  text ")) TH_LOG("%s", live);
	EXPECT_EQ(NULL, strstr(saved, "  direct ")) TH_LOG("%s", saved);
	EXPECT_NE(NULL, strstr(live, "[stack]"));
	free(live);
	free(saved);
	ASSERT_EQ(0, run(&live, VMVIZ_BIN " svg %d %lx", pid, (unsigned long)buf));
	EXPECT_EQ(0, strncmp(live, "<?xml", 5));
	EXPECT_NE(NULL, strstr(live, "</svg>"));
	free(live);
	unlink("/tmp/reader.report");
	child_stop(&self->child);
}

/* A child with a hostile comm and a file with control bytes in its name. */
static pid_t hostile_child(const char *file, int *go_fd)
{
	int p[2], g[2];
	pid_t pid;
	char b;

	if (pipe(p) || pipe(g))
		return -1;
	pid = fork();
	if (!pid) {
		char *m;
		int fd;

		close(g[1]);
		prctl(PR_SET_NAME, "ev\033[31mil\nx");
		fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, 4096))
			_exit(1);
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			_exit(1);
		m[0] = 1;
		if (write(p[1], &b, 1) != 1)
			_exit(1);
		while (read(g[0], &b, 1) > 0)
			;
		_exit(0);
	}
	close(p[1]);
	close(g[0]);
	*go_fd = g[1];
	if (pid < 0 || read(p[0], &b, 1) != 1)
		pid = -1;
	close(p[0]);
	return pid;
}

/* Escaping: no control byte a process chose reaches vmviz's output, in any view. */
TEST(hostile_names_are_escaped)
{
	static const char *const views[] = {
		"%d", "maps --width 300 %d", "maps -r %d", "pages %d", "pages -r %d", "compare %d %d",
		"compare -r %d %d", "svg %d", "maps -J %d", "pages -J %d", "-J %d",
		"compare -J %d %d",
	};
	const char *file = "/tmp/ev\033]0;pwned\007il\nf \033[2J";
	char cmd[128], *out;
	int go_fd, rc;
	size_t i, k;
	pid_t pid;

	READER_REQUIRE();
	pid = hostile_child(file, &go_fd);
	ASSERT_LT(0, pid);
	for (i = 0; i < ARRAY_SIZE(views); i++) {
		snprintf(cmd, sizeof(cmd), "%s %s", VMVIZ_BIN, views[i]);
		/* compare gets the child twice: one mm, read twice. */
		rc = run(&out, cmd, pid, pid);
		EXPECT_EQ(0, rc) TH_LOG("%s: %s", cmd, out);
		for (k = 0; out[k]; k++) {
			unsigned char c = out[k];

			if ((c < 0x20 && c != '\n') || c == 0x7f) {
				TH_LOG("%s: byte %#x at %zu: %.60s", cmd, c, k,
				       k > 20 ? out + k - 20 : out);
				EXPECT_TRUE(false);
				break;
			}
		}
		if (strstr(views[i], "maps --width") == views[i])
			EXPECT_NE(NULL, strstr(out, "\\033]0;pwned\\007il\\012f \\033[2J"))
				TH_LOG("the file name, escaped, not in: %s", out);
		if (!strcmp(views[i], "%d"))
			EXPECT_NE(NULL, strstr(out, "(ev\\033[31mil\\012x)")) TH_LOG("%s", out);
		free(out);
	}
	close(go_fd);
	waitpid(pid, NULL, 0);
	unlink(file);
}

/* vmviz watch: two reads of a child that maps and touches memory in between. */
TEST(watch_sees_a_new_mapping)
{
	int p[2], g[2], rc;
	char b, *out;
	pid_t pid;

	READER_REQUIRE();
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(g));
	pid = fork();
	if (!pid) {
		char *m;

		close(g[1]);
		if (write(p[1], &b, 1) != 1)
			_exit(1);
		usleep(700 * 1000);	/* after vmviz's first read, before its second */
		m = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		memset(m, 1, 8 * 4096);
		while (read(g[0], &b, 1) > 0)
			;
		_exit(0);
	}
	ASSERT_LT(0, pid);
	close(g[0]);
	ASSERT_EQ(1, read(p[0], &b, 1));
	rc = run(&out, VMVIZ_BIN " watch --count 1 %d 1.5", pid);
	EXPECT_EQ(0, rc) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "read twice")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "VMAs since 1:")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "faulted in since 1:")) TH_LOG("%s", out);
	EXPECT_FALSE(tracked(pid));
	free(out);
	close(g[1]);
	waitpid(pid, NULL, 0);
}

/* A PID with no process: exit status 4 and a message that says so. */
TEST(no_such_process)
{
	pid_t pid;
	char *out;
	int rc;

	READER_REQUIRE();
	pid = fork();
	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	rc = run(&out, VMVIZ_BIN " maps %d", pid);
	EXPECT_EQ(4, rc);
	EXPECT_NE(NULL, strstr(out, "no process with PID")) TH_LOG("%s", out);
	free(out);
	EXPECT_FALSE(tracked(pid));
}

/* Not root: exit status 3, and it says what is missing. */
TEST(not_root_is_refused)
{
	int status, fd;
	char *msg;
	pid_t pid;

	READER_REQUIRE();
	pid = fork();
	if (!pid) {
		fd = open("/tmp/reader.err", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0 || setgid(65534) || setuid(65534))
			_exit(100);
		execl(VMVIZ_BIN, "vmviz", "maps", "1", NULL);
		_exit(101);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(3, WEXITSTATUS(status));
	msg = vt_read_file("/tmp/reader.err", NULL);
	ASSERT_NE(NULL, msg);
	EXPECT_NE(NULL, strstr(msg, "permission denied")) TH_LOG("%s", msg);
	free(msg);
	unlink("/tmp/reader.err");
}

/* A number of JSON text: "@key": N between @from and @to; -1 if none. */
static long json_num(const char *from, const char *to, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(from, pat);
	if (!p || p >= to)
		return -1;
	return strtol(p + strlen(pat), NULL, 10);
}

/* A field of /proc/PID/smaps_rollup in kB (@key with its colon); -1 if none. */
static long rollup_kb(pid_t pid, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	return vt_file_kb(path, key);
}

/* The fields of vmviz mem -J and of smaps_rollup compared. */
static const struct {
	const char *json, *rollup;
} mem_fields[] = {
	{ "rss", "Rss:" }, { "pss", "Pss:" }, { "pssdirty", "Pss_Dirty:" },
	{ "shclean", "Shared_Clean:" }, { "shdirty", "Shared_Dirty:" },
	{ "prclean", "Private_Clean:" }, { "prdirty", "Private_Dirty:" },
	{ "anonymous", "Anonymous:" }, { "swap", "Swap:" },
};
#define MEM_PRCLEAN	5
#define MEM_PRDIRTY	6

static void rollup_all(pid_t pid, long *kb)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mem_fields); i++)
		kb[i] = rollup_kb(pid, mem_fields[i].rollup);
}

/*
 * vmviz mem -J PID: the total row and the rollup object are what
 * /proc/PID/smaps_rollup says of a process at rest (a parked fork child
 * with private, copied and copy-on-write pages), field by field; vmviz
 * tables -J: the page tables are VmPTE. The child is at rest, but the
 * pages it shares with this process are not: a write of this process to
 * one of them (its stack, its heap) makes the child's copy private. Such
 * changes only go one way, so the figures are taken when smaps_rollup
 * reads the same before and after vmviz's read (at most 8 tries).
 */
TEST_F(reader, mem_totals_equal_smaps_rollup)
{
	long before[ARRAY_SIZE(mem_fields)], want[ARRAY_SIZE(mem_fields)];
	const char *total, *row, *roll;
	char *out = NULL, *tb;
	int rc, tries;
	pid_t pid;
	size_t i;

	READER_REQUIRE();
	if (access(VMVIZ_DIR "/frames", F_OK))
		SKIP(return, "this module has no frame detail");
	ASSERT_EQ(0, child_start(&self->child, FORK_CHILD));
	pid = self->child.pid;
	for (tries = 1; tries <= 8; tries++) {
		free(out);
		rollup_all(pid, before);
		rc = run(&out, VMVIZ_BIN " mem -J -o RSS,PSS,PSSDIRTY,SHCLEAN,SHDIRTY,PRCLEAN,PRDIRTY,ANONYMOUS,SWAP,USS,NAME %d",
			 pid);
		ASSERT_EQ(0, rc) TH_LOG("vmviz mem: %s", out);
		rollup_all(pid, want);
		if (!memcmp(before, want, sizeof(want)))
			break;
	}
	TH_LOG("smaps_rollup read the same around vmviz's read at try %d", tries);
	EXPECT_FALSE(tracked(pid)) TH_LOG("vmviz left PID %d tracked", pid);
	total = strstr(out, "\"name\": \"total (");
	roll = strstr(out, "\"rollup\": {");
	ASSERT_NE(NULL, total) TH_LOG("no total row: %s", out);
	ASSERT_NE(NULL, roll) TH_LOG("no rollup: %s", out);
	for (row = total; row > out && *row != '{'; row--)
		;
	for (i = 0; i < ARRAY_SIZE(mem_fields); i++) {
		const char *json = mem_fields[i].json;
		const char *rkey = !strcmp(json, "shclean") ? "shared_clean" :
				   !strcmp(json, "shdirty") ? "shared_dirty" :
				   !strcmp(json, "prclean") ? "private_clean" :
				   !strcmp(json, "prdirty") ? "private_dirty" :
				   !strcmp(json, "pssdirty") ? "pss_dirty" : json;

		ASSERT_LE(0, want[i]) TH_LOG("no %s in smaps_rollup", mem_fields[i].rollup);
		EXPECT_EQ(want[i] * 1024, json_num(row, total, json))
			TH_LOG("total %s vs smaps_rollup %s %ld kB", json, mem_fields[i].rollup,
			       want[i]);
		EXPECT_EQ(want[i] * 1024, json_num(roll, roll + 2000, rkey))
			TH_LOG("rollup %s vs smaps_rollup %s %ld kB", rkey, mem_fields[i].rollup,
			       want[i]);
	}
	EXPECT_EQ((want[MEM_PRCLEAN] + want[MEM_PRDIRTY]) * 1024, json_num(row, total, "uss"));
	EXPECT_LT(0, json_num(row, total, "uss"));
	TH_LOG("pid %d: Rss %ld kB, Pss %ld kB, Uss %ld kB agree with smaps_rollup", pid,
	       json_num(row, total, "rss") / 1024, json_num(row, total, "pss") / 1024,
	       json_num(row, total, "uss") / 1024);
	rc = run(&tb, VMVIZ_BIN " tables -J %d", pid);
	ASSERT_EQ(0, rc) TH_LOG("vmviz tables: %s", tb);
	EXPECT_EQ(vt_status_kb(pid, "VmPTE:") * 1024, json_num(tb, tb + strlen(tb), "pgtables"))
		TH_LOG("%s", tb);
	free(tb);
	free(out);
	child_stop(&self->child);
}

/* The demo: four children, the fork one COW, the three others one mm. */
TEST(demo)
{
	char *out, *p;
	int rc, one = 0;

	READER_REQUIRE();
	rc = run(&out, VMVIZ_BIN " demo");
	ASSERT_EQ(0, rc) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "verdict: fork child: ")) TH_LOG("%s", out);
	for (p = out; (p = strstr(p, "verdict: one address space (thread, vfork or CLONE_VM")); p++)
		one++;
	EXPECT_EQ(3, one);
	EXPECT_NE(NULL, strstr(out, "kernel half"));
	/* The parent over time: it mapped, touched and unmapped between two reads. */
	p = strstr(out, "verdict: one address space (the same process), read again");
	EXPECT_NE(NULL, p) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "VMAs since 1:")) TH_LOG("%s", out);
	/* By their frames: Pss and Uss, and what a write would copy or reuse. */
	if (!access(VMVIZ_DIR "/frames", F_OK)) {
		EXPECT_NE(NULL, strstr(out, "Uss ")) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "copy-on-write pending, by what a write would do: in 1 copy "))
			TH_LOG("%s", out);
	}
	free(out);
}

TEST_HARNESS_MAIN
