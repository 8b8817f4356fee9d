// SPDX-License-Identifier: GPL-2.0
/*
 * The mm_struct section against /proc/PID/status (VmLck, VmPin, VmData,
 * VmStk, VmExe, and the RSS counters RssAnon, RssFile, RssShmem, VmSwap)
 * and /proc/PID/stat (code, data, brk, stack, arg and env bounds), for a
 * parked process that locked, wrote, mapped, shared and swapped memory, and
 * for init; each with the report read whole, a byte at a time and in odd
 * pieces.
 */
#include <sys/mman.h>

#include "vmviz_test.h"

/* Field n (1-based, as proc(5) numbers them) of /proc/PID/stat. */
static unsigned long stat_field(pid_t pid, int n)
{
	char path[64], *txt, *p;
	unsigned long v = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	txt = vt_read_file(path, NULL);
	if (!txt)
		return 0;
	p = strrchr(txt, ')') + 2;	/* field 3 */
	for (i = 3; i < n && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		v = strtoul(p, NULL, 10);
	free(txt);
	return v;
}

static void compare(struct __test_metadata *_metadata, pid_t pid)
{
	const struct {
		const char *ours;
		int field;
	} bounds[] = {
		{ "start_code", 26 }, { "end_code", 27 }, { "start_stack", 28 },
		{ "start_data", 45 }, { "end_data", 46 }, { "start_brk", 47 },
		{ "arg_start", 48 }, { "arg_end", 49 }, { "env_start", 50 },
		{ "env_end", 51 },
	};
	unsigned long start_code, end_code, exe;
	struct vt_report r;
	unsigned int i;

	VT_REPORT(pid, &r);
	/* Exactly, not within the per-CPU counters' slack. */
	EXPECT_EQ(vt_status_kb(pid, "RssAnon:"), vt_counter(&r, "rss_anon") * 4);
	EXPECT_EQ(vt_status_kb(pid, "RssFile:"), vt_counter(&r, "rss_file") * 4);
	EXPECT_EQ(vt_status_kb(pid, "RssShmem:"), vt_counter(&r, "rss_shmem") * 4);
	EXPECT_EQ(vt_status_kb(pid, "VmSwap:"), vt_counter(&r, "swap_ents") * 4);
	EXPECT_EQ(vt_status_kb(pid, "VmLck:"), vt_counter(&r, "locked_vm") * 4);
	EXPECT_EQ(vt_status_kb(pid, "VmPin:"), vt_counter(&r, "pinned_vm") * 4);
	EXPECT_EQ(vt_status_kb(pid, "VmData:"), vt_counter(&r, "data_vm") * 4);
	EXPECT_EQ(vt_status_kb(pid, "VmStk:"), vt_counter(&r, "stack_vm") * 4);
	EXPECT_EQ(vt_status_kb(pid, "VmSize:"), vt_counter(&r, "total_vm") * 4);
	/* VmExe as task_mem() computes it from the code bounds and exec_vm. */
	start_code = vt_field(&r, "start_code");
	end_code = vt_field(&r, "end_code");
	exe = ((end_code + 4095) & ~4095UL) - (start_code & ~4095UL);
	if (exe > vt_counter(&r, "exec_vm") * 4096)
		exe = vt_counter(&r, "exec_vm") * 4096;
	EXPECT_EQ(vt_status_kb(pid, "VmExe:"), (long)(exe >> 10));
	for (i = 0; i < ARRAY_SIZE(bounds); i++) {
		const char *name = bounds[i].ours;
		unsigned long want = stat_field(pid, bounds[i].field);

		EXPECT_EQ(want, vt_field(&r, name)) TH_LOG("pid %d %s", pid, name);
	}
	vt_free(&r);
	vt_untrack(pid);
}

/*
 * Memory of every kind the RSS counters count: anonymous pages written and
 * locked, a file read through a private mapping, shared anonymous (shmem)
 * pages written, and anonymous pages pushed out to swap.
 */
static void use_memory(void *arg)
{
	char tmpl[] = "/tmp/vmviz-status-XXXXXX";
	char *p = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *f, *sh;
	int fd, i;

	if (mlock(p, 5 * 4096))
		_exit(2);
	for (i = 0; i < 64; i++)
		p[i * 4096] = 1;
	madvise(p + 32 * 4096, 16 * 4096, MADV_PAGEOUT);
	fd = mkstemp(tmpl);
	if (fd < 0 || ftruncate(fd, 8 * 4096))
		_exit(2);
	f = mmap(NULL, 8 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	for (i = 0; i < 8; i++)
		(void)((volatile char *)f)[i * 4096];
	unlink(tmpl);
	sh = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < 8; i++)
		sh[i * 4096] = 1;
}

TEST(counters_and_bounds_equal_status_and_stat)
{
	struct vt_child c;
	unsigned int k;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_spawn(&c, use_memory, NULL));
	EXPECT_EQ(20, vt_status_kb(c.pid, "VmLck:"));
	EXPECT_LE(32, vt_status_kb(c.pid, "RssShmem:"));
	TH_LOG("child: VmSwap %ld kB (0 without swap), RssFile %ld kB",
	       vt_status_kb(c.pid, "VmSwap:"), vt_status_kb(c.pid, "RssFile:"));
	for (k = 0; k < VT_NCHUNKS; k++) {
		vt_chunk = vt_chunks[k];
		compare(_metadata, c.pid);
	}
	vt_chunk = 0;
	EXPECT_EQ(0, vt_release(&c));
}

TEST(init_counters_and_bounds)
{
	unsigned int k;

	VMVIZ_REQUIRE();
	for (k = 0; k < VT_NCHUNKS; k++) {
		vt_chunk = vt_chunks[k];
		compare(_metadata, 1);
	}
	vt_chunk = 0;
}

TEST_HARNESS_MAIN
