// SPDX-License-Identifier: GPL-2.0
/*
 * Who may read a report: the rules of /proc/PID. Each file is opened beside
 * /proc/PID/pagemap (and maps) by the same reader for the same target, and
 * the outcomes must be the same; what an unprivileged reader sees of its own
 * process is checked against the maps and pagemap that reader gets.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>

#include "kselftest_harness.h"
#include "vmviz_test.h"

#define OTHER_UID	1000
#define NOBODY		65534

/* Identities a reader takes in a child; 0 done, 3 not supported here. */
static int as_root(void)
{
	return 0;
}

/*
 * A process of @uid as login would start one: dumpable again after the
 * change of credentials (commit_creds() makes it suid_dumpable's, 0).
 */
static int as_uid(uid_t uid)
{
	return setgroups(0, NULL) || setgid(uid) || setuid(uid) ||
	       prctl(PR_SET_DUMPABLE, 1) ? 2 : 0;
}

static int as_nobody(void)
{
	return as_uid(NOBODY);
}

static int as_other(void)
{
	return as_uid(OTHER_UID);
}

static const struct {
	const char *name;
	int (*become)(void);
} readers[] = {
	{ "root", as_root },
	{ "nobody", as_nobody },
	{ "uid 1000", as_other },
	{ "root without CAP_SYS_ADMIN", vt_drop_sys_admin },
	{ "root of a user namespace", vt_enter_user_ns },
};

/* 0 if @path opens for reading, else errno. */
static int open_outcome(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* A child parked as @uid (not dumpable if @undumpable), until killed. */
static pid_t park_as(uid_t uid, int undumpable)
{
	int p[2];
	pid_t pid;
	char b;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (as_uid(uid) || (undumpable && prctl(PR_SET_DUMPABLE, 0)))
			_exit(2);
		if (write(p[1], "", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &b, 1) != 1) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return pid;
}

/*
 * In a child that became reader @r: for each target, open the report, the
 * frame detail, pagemap and maps, and write one line per target, "PID
 * report frames pagemap maps" (errnos, 0 opened), to @out.
 */
static int outcomes_as(int r, const pid_t *targets, int n, char *out, size_t len)
{
	int p[2], i;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		char line[256], path[4][64];
		int err = readers[r].become();

		close(p[0]);
		if (err)
			_exit(err);
		for (i = 0; i < n; i++) {
			snprintf(path[0], sizeof(path[0]), VMVIZ_DIR "/%d", targets[i]);
			snprintf(path[1], sizeof(path[1]), VMVIZ_FRAMES "/%d", targets[i]);
			snprintf(path[2], sizeof(path[2]), "/proc/%d/pagemap", targets[i]);
			snprintf(path[3], sizeof(path[3]), "/proc/%d/maps", targets[i]);
			snprintf(line, sizeof(line), "%d %d %d %d %d\n", targets[i],
				 open_outcome(path[0]),
				 access(VMVIZ_FRAMES, F_OK) ? -1 : open_outcome(path[1]),
				 open_outcome(path[2]), open_outcome(path[3]));
			if (write(p[1], line, strlen(line)) < 0)
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	return vt_child_output(pid, p[0], out, len);
}

/*
 * Every reader, every target: the report and the frame detail open exactly
 * when pagemap does, with the same errno; maps (0444, the same ptrace rule
 * at open) agrees too. Targets: init, a process of uid 1000, the same made
 * undumpable, and the test itself.
 */
static void check_matrix(struct __test_metadata *_metadata, const char *setting)
{
	pid_t targets[4] = { 1, park_as(OTHER_UID, 0), park_as(OTHER_UID, 1), getpid() };
	int r, i, checked = 0;
	char out[1024];

	ASSERT_LT(0, targets[1]);
	ASSERT_LT(0, targets[2]);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, vt_track(targets[i]));
	for (r = 0; r < (int)ARRAY_SIZE(readers); r++) {
		int status = outcomes_as(r, targets, 4, out, sizeof(out));
		char *line = out;

		if (status == 3)
			continue;	/* no user namespaces here */
		EXPECT_EQ(0, status) TH_LOG("%s: the reader could not start", readers[r].name);
		for (i = 0; i < 4 && line && *line; i++) {
			int pid, rep, frm, pm, maps;

			ASSERT_EQ(5, sscanf(line, "%d %d %d %d %d", &pid, &rep, &frm, &pm, &maps));
			TH_LOG("%s, %s, target %d: report %s, frames %s, pagemap %s, maps %s",
			       setting, readers[r].name, pid, strerror(rep),
			       frm < 0 ? "-" : strerror(frm), strerror(pm), strerror(maps));
			EXPECT_EQ(pm, rep);
			if (frm >= 0)
				EXPECT_EQ(pm, frm);
			EXPECT_EQ(maps, rep);
			checked++;
			line = strchr(line, '\n');
			if (line)
				line++;
		}
	}
	for (i = 1; i < 3; i++) {
		kill(targets[i], SIGKILL);
		waitpid(targets[i], NULL, 0);
		vt_untrack(targets[i]);
	}
	vt_untrack(1);
	vt_untrack(targets[3]);
	TH_LOG("%s: %d reader/target pairs agree with pagemap and maps", setting, checked);
	EXPECT_LE(16, checked);
}

TEST(open_follows_pagemap)
{
	VMVIZ_REQUIRE();
	check_matrix(_metadata, "default");
}

/* Yama's ptrace_scope 3 (no attach at all) must not change a READ check. */
TEST(open_follows_pagemap_under_yama)
{
	const char *knob = "/proc/sys/kernel/yama/ptrace_scope";
	char *old;

	VMVIZ_REQUIRE();
	old = vt_read_file(knob, NULL);
	if (!old)
		SKIP(return, "no Yama in this kernel");
	/* 3 cannot be undone in a boot: 2, admin-only attach, can. */
	ASSERT_EQ(0, vt_write(knob, "2\n"));
	check_matrix(_metadata, "yama ptrace_scope 2");
	vt_write(knob, old);
	free(old);
}

/*
 * What uid 1000 reads of its own process: its VMAs as its maps has them,
 * and every PFN and swap offset 0, as its pagemap gives it; in the frame
 * detail, no frame field but the node. Run in a child that became uid
 * 1000; it writes what it found to @msg and exits 0 if all agreed.
 */
static int own_view(char *msg, size_t len)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		char *text, *maps, *frames, *body, err[256] = "", *line;
		unsigned long long pm, nonzero_pm = 0;
		unsigned long nonzero = 0, present = 0;
		struct vt_report rep;
		int fd, i, bad = 0, nmaps = 0;
		FILE *o;

		close(p[0]);
		o = fdopen(p[1], "w");
		if (!o || as_other())
			_exit(2);
		/* The report between two reads of maps that agree. */
		for (i = 0, text = maps = NULL; i < 5; i++) {
			char *before = vt_read_file("/proc/self/maps", NULL);

			free(text);
			free(maps);
			text = vt_read_file(VMVIZ_DIR "/self", NULL);
			maps = vt_read_file("/proc/self/maps", NULL);
			if (before && maps && !strcmp(before, maps)) {
				free(before);
				break;
			}
			free(before);
		}
		if (!text || !maps || vt_parse(text, &rep, err, sizeof(err))) {
			fprintf(o, "report of self as uid 1000: %s %s\n",
				text ? err : strerror(errno), maps ? "" : "(no maps)");
			fflush(o);
			_exit(1);
		}
		fd = open("/proc/self/pagemap", O_RDONLY);
		for (i = 0; i < rep.npages; i++) {
			const struct vt_page *pg = &rep.pages[i];
			unsigned long a;

			nonzero += pg->pfn != 0;
			for (a = pg->start; a < pg->end && fd >= 0; a += 4096)
				if (vt_pread64(fd, a >> 12, &pm) == 0) {
					present += !!(pm >> 63);
					nonzero_pm += (pm & ((1ULL << 55) - 1)) &&
						      (pm >> 63);
				}
		}
		/* The VMAs of maps, but [vsyscall], which has no VMA. */
		for (line = maps; *line; line = strchr(line, '\n') + 1) {
			size_t len = strcspn(line, "\n");
			unsigned long s, e;

			/* [vsyscall] in this line, not in the lines after it */
			if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s < (1UL << 56) &&
			    !memmem(line, len, "[vsyscall]", 10)) {
				const struct vt_vma *v = vt_vma_at(&rep, s);

				if (!v || v->start != s || v->end != e)
					bad++;
				nmaps++;
			}
			if (!strchr(line, '\n'))
				break;
		}
		/* What README shows: the head of the report, as a user sees it. */
		for (i = 0, line = text; i < 14 && line && *line; i++) {
			char *nl = strchr(line, '\n');

			fprintf(o, "  | %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
			line = nl ? nl + 1 : NULL;
		}
		fprintf(o, "uid 1000 reads its own report: %d VMAs (maps %d, %d differ), %d page lines, %lu with a PFN; pagemap: %lu present pages, %llu with a PFN\n",
			rep.nvmas, nmaps, bad, rep.npages, nonzero, present, nonzero_pm);
		if (!nmaps) {
			char *nl = strchr(maps, '\n');

			fprintf(o, "its maps: %zu bytes, first line '%.*s'\n", strlen(maps),
				nl ? (int)(nl - maps) : (int)strlen(maps), maps);
		}
		bad += rep.nvmas != nmaps || nonzero || nonzero_pm || !present;
		frames = access(VMVIZ_FRAMES, F_OK) ? NULL :
			 vt_read_file(VMVIZ_FRAMES "/self", NULL);
		if (frames) {
			struct vt_report fr;
			int shown = 0, hidden = 0;

			body = vt_frames_body(frames);
			if (!body || vt_parse(body, &fr, err, sizeof(err))) {
				fprintf(o, "frame detail of self as uid 1000: %s\n", err);
				fflush(o);
				_exit(1);
			}
			for (i = 0; i < fr.npages; i++) {
				const struct vt_page *pg = &fr.pages[i];

				if (!strcmp(pg->kind, "?") && pg->order < 0 &&
				    pg->map_lo < 0 && pg->node >= 0 &&
				    !strcmp(pg->fflags, "----------"))
					hidden++;
				else if (strcmp(pg->kind, "-"))
					shown++;
				if (pg->pfn)
					shown++;
			}
			/* A table's PFN is physical too: hidden, as pagemap's. */
			for (i = 0; i < fr.nuppers; i++)
				if (fr.uppers[i].pfn || fr.uppers[i].step != '=')
					shown++;
			fprintf(o, "its frame detail: %d page lines, %d with only the node, %d upper lines, %d showing more\n",
				fr.npages, hidden, fr.nuppers, shown);
			bad += shown || !hidden || !fr.nuppers;
		}
		fflush(o);
		_exit(bad ? 1 : 0);
	}
	close(p[1]);
	return vt_child_output(pid, p[0], msg, len);
}

TEST(unprivileged_own_process)
{
	char msg[4096];
	int status;

	VMVIZ_REQUIRE();
	status = own_view(msg, sizeof(msg));
	TH_LOG("%s", msg);
	EXPECT_EQ(0, status);
}

/*
 * README's first example: a normal user's shell runs cat /proc/vmviz/$$
 * (the module is loaded in the track mode here: the test tracks the
 * shell's PID for it, which the default mode does for every process).
 */
TEST(user_shell_cats_its_own_report)
{
	int go[2], out[2], status, pid_seen = 0;
	char text[4096] = "", *task;
	pid_t pid;
	char b = 0;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		close(out[0]);
		if (as_other() || read(go[0], &b, 1) != 1 || dup2(out[1], 1) < 0 ||
		    dup2(out[1], 2) < 0)
			_exit(2);
		execl("/bin/sh", "sh", "-c", "id -u; cat /proc/vmviz/$$ | head -4", (char *)NULL);
		_exit(3);
	}
	close(go[0]);
	close(out[1]);
	ASSERT_EQ(0, vt_track(pid));
	ASSERT_EQ(1, write(go[1], &b, 1));
	status = vt_child_output(pid, out[0], text, sizeof(text));
	vt_untrack(pid);
	TH_LOG("$ id -u; cat /proc/vmviz/$$ | head -4\n%s", text);
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, strncmp(text, "1000\nvmviz-format 2\n", 20));
	task = strstr(text, "\ntask pid ");
	ASSERT_NE(NULL, task);
	EXPECT_EQ(1, sscanf(task, "\ntask pid %d", &pid_seen));
	EXPECT_EQ(pid, pid_seen);
	EXPECT_NE(NULL, strstr(task, " comm sh\n"));
	close(go[1]);
}

/*
 * A descriptor opened before the target execs (a setuid-root program, and
 * a plain one) reads afterwards what /proc/PID/maps opened at the same
 * moment reads: the mm bound at open is gone, so no VMA at all.
 */
static void exec_case(struct __test_metadata *_metadata, const char *bin, int setuid_root)
{
	int go[2], rfd, mfd, status;
	char *text, buf[256], err[256] = "";
	struct vt_report rep;
	ssize_t maps_len;
	pid_t pid;
	char b = 0;

	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		if (as_other() || read(go[0], &b, 1) != 1)
			_exit(2);
		execl(bin, "sleep", "30", NULL);
		_exit(3);
	}
	close(go[0]);
	ASSERT_EQ(0, vt_track(pid));
	snprintf(buf, sizeof(buf), VMVIZ_DIR "/%d", pid);
	rfd = open(buf, O_RDONLY);
	snprintf(buf, sizeof(buf), "/proc/%d/maps", pid);
	mfd = open(buf, O_RDONLY);
	ASSERT_LE(0, rfd);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(1, write(go[1], &b, 1));
	/* Wait until the exec is done: the child's exe is @bin. */
	for (status = 0; status < 500; status++) {
		char exe[256] = "";

		snprintf(buf, sizeof(buf), "/proc/%d/exe", pid);
		if (readlink(buf, exe, sizeof(exe) - 1) > 0 && !strcmp(exe, bin))
			break;
		usleep(10000);
	}
	usleep(100000);
	{
		size_t cap = 1 << 20, got = 0;
		ssize_t k;

		text = malloc(cap);
		ASSERT_NE(NULL, text);
		while ((k = read(rfd, text + got, cap - 1 - got)) > 0)
			got += k;
		text[got] = '\0';
	}
	maps_len = read(mfd, buf, sizeof(buf));
	ASSERT_EQ(0, vt_parse(text, &rep, err, sizeof(err))) TH_LOG("%s", err);
	TH_LOG("%s%s: a report opened before the exec shows %d VMAs; maps opened then reads %zd bytes",
	       bin, setuid_root ? " (setuid root)" : "", rep.nvmas, maps_len);
	EXPECT_EQ(0, maps_len);
	EXPECT_EQ(0, rep.nvmas);
	EXPECT_EQ(0, rep.ncounters);
	vt_free(&rep);
	free(text);
	close(rfd);
	close(mfd);
	/* A new open after a setuid-root exec is refused, as pagemap is. */
	snprintf(buf, sizeof(buf), VMVIZ_DIR "/%d", pid);
	status = open_outcome(buf);
	snprintf(buf, sizeof(buf), "/proc/%d/pagemap", pid);
	EXPECT_EQ(open_outcome(buf), status);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(go[1]);
	vt_untrack(pid);
}

TEST(descriptor_does_not_follow_exec)
{
	const char *plain = "/tmp/vt-sleep", *suid = "/tmp/vt-suid-sleep";
	char *bb;
	size_t len;
	int fd;

	VMVIZ_REQUIRE();
	/* Copies of busybox, one of them setuid root, that run as sleep. */
	bb = vt_read_file("/bin/busybox", &len);
	ASSERT_NE(NULL, bb);
	fd = open(plain, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ASSERT_EQ((ssize_t)len, write(fd, bb, len));
	close(fd);
	fd = open(suid, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ASSERT_EQ((ssize_t)len, write(fd, bb, len));
	close(fd);
	free(bb);
	ASSERT_EQ(0, chmod(suid, 04755));
	exec_case(_metadata, plain, 0);
	exec_case(_metadata, suid, 1);
	unlink(plain);
	unlink(suid);
}

/*
 * A reader in a new PID namespace, with its own /proc: the files of
 * processes outside it do not exist for it (ENOENT), as their /proc/N do
 * not; its own report opens. The directory lists the same names in every
 * procfs instance (docs/FORMAT.md, "Who may read what").
 */
TEST(pid_namespace_hides_outside)
{
	int p[2], status;
	char out[256] = "";
	pid_t pid, test = getpid();

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_track(1));
	ASSERT_EQ(0, vt_track(getpid()));
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWPID | CLONE_NEWNS))
			_exit(3);
		pid = fork();
		if (pid == 0) {
			char path[64], line[200];

			if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
			    mount("proc", "/proc", "proc", 0, NULL))
				_exit(3);
			snprintf(path, sizeof(path), VMVIZ_DIR "/%d", test);
			snprintf(line, sizeof(line), "%d %d %d\n",
				 open_outcome(VMVIZ_DIR "/1"),
				 open_outcome(path), open_outcome(VMVIZ_DIR "/self"));
			_exit(write(p[1], line, strlen(line)) > 0 ? 0 : 1);
		}
		_exit(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ?
		      WEXITSTATUS(status) : 1);
	}
	close(p[1]);
	ASSERT_LT(0, read(p[0], out, sizeof(out) - 1));
	close(p[0]);
	waitpid(pid, &status, 0);
	vt_untrack(1);
	{
		int init, outside, self;

		ASSERT_EQ(3, sscanf(out, "%d %d %d", &init, &outside, &self));
		TH_LOG("in a new PID namespace: the host's init %s, the test %s, self %s",
		       strerror(init), strerror(outside), strerror(self));
		EXPECT_EQ(ENOENT, init);
		EXPECT_EQ(ENOENT, outside);
		EXPECT_EQ(0, self);
	}
	vt_untrack(getpid());
}

TEST_HARNESS_MAIN
