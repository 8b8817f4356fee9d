// SPDX-License-Identifier: GPL-2.0
/*
 * The VMA lines against the kernel's own views: /proc/PID/maps (bounds,
 * permissions, offset, name) and smaps' VmFlags, for a parked test process
 * with a varied layout and for every process in the guest.
 */
#include <dirent.h>
#include <sys/mman.h>

#include "vmviz_test.h"

struct maps_vma {
	unsigned long start, end;
	char perm[5];
	unsigned long long offset;
	char name[512];
	char vmflags[256];
};

/* /proc/PID/maps and the VmFlags of /proc/PID/smaps, [vsyscall] left out. */
static int read_maps(pid_t pid, struct maps_vma *out, int max)
{
	char path[64], *text, *line, *save = NULL;
	int n = 0, i = -1;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	text = vt_read_file(path, NULL);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct maps_vma v = {};
		int pos = 0;

		if (!strncmp(line, "VmFlags:", 8)) {
			if (i >= 0 && i < n) {
				char *f = line + 8;

				while (*f == ' ')
					f++;
				snprintf(out[i].vmflags, sizeof(out[i].vmflags), "%s", f);
			}
			continue;
		}
		if (sscanf(line, "%lx-%lx %4s %llx %*s %*u %n", &v.start, &v.end, v.perm,
			   &v.offset, &pos) < 4 || !pos)
			continue;
		snprintf(v.name, sizeof(v.name), "%s", line + pos);
		i = -1;
		if (!strcmp(v.name, "[vsyscall]"))
			continue;
		if (n < max) {
			out[n] = v;
			i = n;
		}
		n++;
	}
	free(text);
	return n;
}

/* "rd,wr,mr" and "rd wr mr " name the same flags. */
static int same_flags(const char *ours, const char *smaps)
{
	char a[256], b[256], *p;

	snprintf(a, sizeof(a), "%s", ours);
	for (p = a; *p; p++)
		if (*p == ',')
			*p = ' ';
	snprintf(b, sizeof(b), "%s", smaps);
	for (p = b + strlen(b); p > b && p[-1] == ' '; p--)
		p[-1] = '\0';
	return !strcmp(a, b);
}

static void compare_with_maps(struct __test_metadata *_metadata, pid_t pid)
{
	static struct maps_vma maps[4096];
	struct vt_report r;
	int n, i;

	VT_REPORT(pid, &r);
	n = read_maps(pid, maps, 4096);
	ASSERT_GE(n, 0);
	ASSERT_EQ(n, r.nvmas) TH_LOG("pid %d (%s): maps has %d VMAs, vmviz %d",
				     pid, r.comm, n, r.nvmas);
	for (i = 0; i < n; i++) {
		const struct vt_vma *v = &r.vmas[i];
		const struct maps_vma *m = &maps[i];
		const char *name = strcmp(v->name, "[anon]") ? v->name : "";

		EXPECT_EQ(m->start, v->start) TH_LOG("pid %d VMA %d start", pid, i);
		EXPECT_EQ(m->end, v->end) TH_LOG("pid %d VMA %d end", pid, i);
		EXPECT_STREQ(m->perm, v->perm) TH_LOG("pid %d VMA %lx", pid, v->start);
		EXPECT_EQ(m->offset, v->offset) TH_LOG("pid %d VMA %lx offset", pid, v->start);
		EXPECT_STREQ(m->name, name) TH_LOG("pid %d VMA %lx name", pid, v->start);
		EXPECT_TRUE(same_flags(v->vm, m->vmflags))
			TH_LOG("pid %d VMA %lx: vmviz vm '%s', smaps VmFlags '%s'",
			       pid, v->start, v->vm, m->vmflags);
	}
	vt_free(&r);
	vt_untrack(pid);
}

/* A layout with every kind of mapping a process commonly has. */
static void varied_layout(void *arg)
{
	char tmpl[] = "/tmp/vmviz maps XXXXXX";	/* a blank to escape */
	int fd = mkstemp(tmpl);
	char *p;

	if (fd < 0 || ftruncate(fd, 4 * 4096))
		_exit(2);
	p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	p[0] = 1;
	mmap(NULL, 4 * 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
	p = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	mprotect(p + 4096, 4096, PROT_NONE);
	p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(p, 4096, MADV_DONTDUMP);
	free(malloc(1 << 16));
	unlink(tmpl);
}

/* The report read whole, a byte at a time, and in odd pieces. */
TEST(test_process_vmas_equal_maps)
{
	struct vt_child c;
	unsigned int k;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_spawn(&c, varied_layout, NULL));
	for (k = 0; k < VT_NCHUNKS; k++) {
		vt_chunk = vt_chunks[k];
		compare_with_maps(_metadata, c.pid);
	}
	vt_chunk = 0;
	EXPECT_EQ(0, vt_release(&c));
}

/* A dynamically linked program: ld.so, libc and their segments. */
TEST(dynamic_process_vmas_equal_maps)
{
	unsigned int k;
	pid_t pid;

	VMVIZ_REQUIRE();
	if (access("/tests/dyn/sleep", X_OK))
		SKIP(return, "no dynamically linked program in this guest");
	pid = vt_run_sleeper("/tests/dyn/sleep", 0);
	ASSERT_LT(0, pid);
	for (k = 0; k < VT_NCHUNKS; k++) {
		vt_chunk = vt_chunks[k];
		compare_with_maps(_metadata, pid);
	}
	vt_chunk = 0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

TEST(every_process_vmas_equal_maps)
{
	struct dirent *d;
	int checked = 0;
	DIR *dir;

	VMVIZ_REQUIRE();
	dir = opendir("/proc");
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir))) {
		pid_t pid = atoi(d->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		if (vt_track(pid))
			continue;	/* gone since readdir */
		compare_with_maps(_metadata, pid);
		checked++;
	}
	closedir(dir);
	EXPECT_GT(checked, 2) TH_LOG("only %d processes checked", checked);
}

TEST_HARNESS_MAIN
