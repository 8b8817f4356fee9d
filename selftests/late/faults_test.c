// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocation fails once: the module's load (both modes), a track
 * write, and the open and read of a report, each repeated with the Nth
 * fault-injectable call of the calling task failed (/proc/thread-self/
 * fail-nth), N = 1, 2, ... until a call completes without reaching its
 * Nth point. The points are those of failslab and of fail_page_alloc of
 * order 1 and more (its default min-order), both told not to spare
 * GFP_KERNEL; user pages (highmem) are spared, as a user fault that fails
 * is retried, never an error; so are order-0 pages (500 of the 543 points
 * of a load under KASAN), whose failure vmalloc or the slab turns into the
 * NULL that failslab gives anyway. Of a load only the points of the
 * module's init count: a stack filter skips the loader's (stack_filter()).
 * Each failed call must return a clean error and leave nothing behind (no
 * module, no /proc/vmviz, no file of the PID); the next call without a
 * fault must succeed. The console check of the rig and kmemleak after the
 * late tests see the rest. Needs a kernel with
 * CONFIG_FAULT_INJECTION_DEBUG_FS, FAILSLAB, FAIL_PAGE_ALLOC and
 * FAULT_INJECTION_STACKTRACE_FILTER (the debug kernel of make
 * check-debug); skipped elsewhere, saying so.
 *
 * Points of the all-mode work (the reconcile runs in a kworker, out of
 * reach of fail-nth) are failed at random instead: failslab with a stack
 * filter on the module's .text, 30 % of them, while processes come and go
 * for 20 s, after which every process must have its file again. Run by
 * the rig's /init after the other tests (it unloads the module):
 * /tests/late/. The module is VMVIZ_KO (default /vmviz.ko), loaded again
 * with all=0 at the end.
 */
#include <elf.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../vmviz_test.h"

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAILPAGE	"/sys/kernel/debug/fail_page_alloc/"
#define MAX_POINTS	20000	/* a guard against a loop that never ends */

static const char *ko_path(void)
{
	return getenv("VMVIZ_KO") ?: "/vmviz.ko";
}

static int fail_nth_set(unsigned int n)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", n);
	return vt_write("/proc/thread-self/fail-nth", s);
}

/*
 * Disarm what fail_nth_set() armed: 0 when the fault was injected, else
 * how many points were still to go.
 */
static long fail_nth_end(void)
{
	char *s = vt_read_file("/proc/thread-self/fail-nth", NULL);
	long v = s ? strtol(s, NULL, 10) : -1;

	free(s);
	fail_nth_set(0);
	return v;
}

/* Why fault injection cannot run here, or NULL; sets it up if it can. */
static const char *injection_setup(void)
{
	if (access("/proc/thread-self/fail-nth", W_OK))
		return "no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)";
	if (access(FAILSLAB "ignore-gfp-wait", W_OK) ||
	    access(FAILPAGE "ignore-gfp-wait", W_OK))
		return "no failslab or fail_page_alloc in debugfs";
	/* No stack dumps on the console: verbose 0. */
	if (vt_write(FAILSLAB "ignore-gfp-wait", "N") ||
	    vt_write(FAILSLAB "verbose", "0") ||
	    vt_write(FAILPAGE "ignore-gfp-wait", "N") ||
	    vt_write(FAILPAGE "verbose", "0"))
		return "cannot configure failslab/fail_page_alloc";
	return NULL;
}

static int module_loaded(void)
{
	return !access("/sys/module/vmviz", F_OK);
}

static int unload(void)
{
	return syscall(SYS_delete_module, "vmviz", O_NONBLOCK) ? -errno : 0;
}

static int load(int fd, const char *params)
{
	return syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
}

/* The address of symbol @name in /proc/kallsyms (root sees it), or 0. */
static unsigned long kallsyms_addr(const char *name)
{
	char line[256], sym[128], type;
	unsigned long addr, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %127s", &addr, &type, sym) == 3 &&
		    !strcmp(sym, name)) {
			found = addr;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * Count only the points whose stack holds an address above the kernel's
 * text (from @start on: module space, where the module's init runs), or
 * every point again (start 0). With a stack filter set, fail-nth counts a
 * point only when the filter matches: lib/fault-inject.c should_fail_ex()
 * calls fail_stacktrace() before it decrements current->fail_nth (6.12,
 * the debug kernel). The loader's own points (its stacks are kernel text
 * only; 400 to 450 of them, and not the same number from one load to the
 * next) then never count, and point 1 is the init's first.
 */
static int stack_filter(unsigned long start)
{
	static const char *const attr[] = { FAILSLAB, FAILPAGE };
	char path[128], val[32];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%srequire-start", attr[i]);
		snprintf(val, sizeof(val), "%lu", start);
		if (vt_write(path, val))
			return -1;
		snprintf(path, sizeof(path), "%srequire-end", attr[i]);
		if (vt_write(path, "18446744073709551615"))
			return -1;
		snprintf(path, sizeof(path), "%sstacktrace-depth", attr[i]);
		if (vt_write(path, "32"))
			return -1;
	}
	return 0;
}

/* Counts of one loop: points reached, calls that failed, by errno. */
struct tally {
	unsigned long points, failed, survived, enomem, efault, other;
	int other_err;
};

static void tally_err(struct tally *t, int err)
{
	t->failed++;
	if (err == -ENOMEM)
		t->enomem++;
	else if (err == -EFAULT)	/* a page table for the copy to user */
		t->efault++;
	else if (!t->other++)
		t->other_err = err;
}

static void tally_print(const char *what, const struct tally *t, double ms)
{
	printf("# vmviz-figures faults %s points=%lu failed=%lu enomem=%lu efault=%lu other=%lu survived=%lu ms=%.0f\n",
	       what, t->points, t->failed, t->enomem, t->efault, t->other, t->survived, ms);
}

FIXTURE(faults) {
	int ko;
};

FIXTURE_VARIANT(faults) {
	const char *params;
};

FIXTURE_VARIANT_ADD(faults, all0) { .params = "all=0" };
FIXTURE_VARIANT_ADD(faults, all1) { .params = "all=1" };

FIXTURE_SETUP(faults)
{
	self->ko = open(ko_path(), O_RDONLY | O_CLOEXEC);
}

/* The rig's state for what follows: loaded, in the track mode. */
FIXTURE_TEARDOWN(faults)
{
	fail_nth_set(0);
	if (!access(FAILSLAB "require-start", W_OK))
		stack_filter(0);
	if (module_loaded() && unload())
		return;
	if (self->ko >= 0) {
		load(self->ko, "all=0");
		close(self->ko);
	}
}

TEST_F_TIMEOUT(faults, load_fails_cleanly_at_every_point, 1800)
{
	const char *name = strcmp(variant->params, "all=1") ? "load_all0" : "load_all1";
	unsigned long etext;
	unsigned int n;
	long whole;
	struct tally t = {};
	double t0 = vt_now_ms();
	const char *why;

	ASSERT_LE(0, self->ko) TH_LOG("no module at %s", ko_path());
	why = injection_setup();
	if (why)
		SKIP(return, "%s", why);
	if (access(FAILSLAB "require-start", W_OK) || access(FAILPAGE "require-start", W_OK))
		SKIP(return, "no stack filter (FAULT_INJECTION_STACKTRACE_FILTER)");
	etext = kallsyms_addr("_etext");
	ASSERT_NE(0, etext) TH_LOG("no _etext in /proc/kallsyms");
	if (module_loaded())
		ASSERT_EQ(0, unload());
	/* The points of a whole load, the loader's too, for the figures. */
	ASSERT_EQ(0, stack_filter(0));
	ASSERT_EQ(0, fail_nth_set(1000000));
	ASSERT_EQ(0, load(self->ko, variant->params));
	whole = 1000000 - fail_nth_end();
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, stack_filter(etext));
	for (n = 1; n < MAX_POINTS; n++) {
		long left;
		int err;

		ASSERT_EQ(0, fail_nth_set(n));
		err = load(self->ko, variant->params);
		left = fail_nth_end();
		if (left > 0) {
			/* Fewer than n points: the load ran unhurt. */
			ASSERT_EQ(0, err) TH_LOG("a load without a fault failed: %s",
						 strerror(-err));
			break;
		}
		t.points++;
		if (err) {
			tally_err(&t, err);
			EXPECT_FALSE(module_loaded()) TH_LOG("point %u: failed load left the module", n);
			EXPECT_NE(0, access(VMVIZ_DIR, F_OK)) TH_LOG("point %u: failed load left /proc/vmviz", n);
			if (module_loaded())
				break;
			continue;
		}
		/* It coped with the failure: the module must work. */
		t.survived++;
		EXPECT_EQ(0, access(VMVIZ_DIR "/self", R_OK)) TH_LOG("point %u", n);
		ASSERT_EQ(0, unload()) TH_LOG("point %u", n);
	}
	EXPECT_EQ(0, stack_filter(0));
	EXPECT_GT(MAX_POINTS, n);
	EXPECT_EQ(0, t.other) TH_LOG("a failed load returned %s", strerror(-t.other_err));
	EXPECT_LT(0, t.failed);
	/* What the load made works. */
	EXPECT_EQ(0, access(VMVIZ_DIR "/self", R_OK));
	TH_LOG("%s: %lu of the %ld points of a whole load are the module's, each failed in turn: %lu loads failed (%lu ENOMEM), %lu coped",
	       variant->params, t.points, whole, t.failed, t.enomem, t.survived);
	printf("# vmviz-figures faults %s_loader loader_points=%ld whole_load_points=%ld\n",
	       name, whole - (long)t.points, whole);
	tally_print(name, &t, vt_now_ms() - t0);
}

TEST_F_TIMEOUT(faults, track_open_read_fail_cleanly_at_every_point, 1800)
{
	struct tally tt = {}, tr = {};
	char path[64], *text;
	struct vt_child c;
	double t0 = vt_now_ms();
	const char *why;
	unsigned int n;

	ASSERT_LE(0, self->ko) TH_LOG("no module at %s", ko_path());
	if (strcmp(variant->params, "all=0"))
		SKIP(return, "track writes exist in the track mode only");
	why = injection_setup();
	if (why)
		SKIP(return, "%s", why);
	if (!module_loaded())
		ASSERT_EQ(0, load(self->ko, variant->params));
	/* A child parked in vt_spawn() until vt_release(). */
	ASSERT_EQ(0, vt_spawn(&c, NULL, NULL));
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", c.pid);
	/* A track write (its open, write and close), failed at each point. */
	for (n = 1; n < MAX_POINTS; n++) {
		long left;
		int err;

		ASSERT_EQ(0, fail_nth_set(n));
		err = vt_track(c.pid);
		left = fail_nth_end();
		if (left > 0) {
			ASSERT_EQ(0, err);
			break;
		}
		tt.points++;
		if (err) {
			tally_err(&tt, err);
			EXPECT_NE(0, access(path, F_OK)) TH_LOG("point %u: a failed track left %s", n, path);
		} else {
			tt.survived++;
		}
		/* Without a fault it is tracked, then untracked again. */
		ASSERT_EQ(0, vt_track(c.pid));
		ASSERT_EQ(0, vt_untrack(c.pid));
	}
	tally_print("track", &tt, vt_now_ms() - t0);
	/* A whole report (open, every read, close), failed at each point. */
	t0 = vt_now_ms();
	ASSERT_EQ(0, vt_track(c.pid));
	for (n = 1; n < MAX_POINTS; n++) {
		struct vt_report r;
		char err[256];
		long left;
		int e;

		ASSERT_EQ(0, fail_nth_set(n));
		text = vt_read_file(path, NULL);
		e = errno;
		left = fail_nth_end();
		if (left > 0) {
			ASSERT_NE(NULL, text) TH_LOG("a read without a fault failed: %s", strerror(e));
			free(text);
			break;
		}
		tr.points++;
		if (!text) {
			tally_err(&tr, -e);
			continue;
		}
		/* Coped (the buffer of seq_file grows again): it parses. */
		tr.survived++;
		EXPECT_EQ(0, vt_parse(text, &r, err, sizeof(err))) TH_LOG("point %u: %s", n, err);
		vt_free(&r);
		free(text);
	}
	tally_print("read", &tr, vt_now_ms() - t0);
	EXPECT_EQ(0, tt.other) TH_LOG("a failed track write returned %s", strerror(-tt.other_err));
	EXPECT_EQ(0, tr.other) TH_LOG("a failed read returned %s", strerror(-tr.other_err));
	EXPECT_LT(0, tt.failed);
	EXPECT_LT(0, tr.failed);
	EXPECT_EQ(0, vt_untrack(c.pid));
	EXPECT_EQ(0, vt_release(&c));
}

/* The size of section @name of the ELF file open at @fd, or 0. */
static unsigned long elf_section_size(int fd, const char *name)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh, strsh;
	char sname[64];
	int i;

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_shentsize != sizeof(sh) ||
	    pread(fd, &strsh, sizeof(strsh), eh.e_shoff + eh.e_shstrndx * sizeof(sh)) !=
	    sizeof(strsh))
		return 0;
	for (i = 0; i < eh.e_shnum; i++) {
		if (pread(fd, &sh, sizeof(sh), eh.e_shoff + i * sizeof(sh)) != sizeof(sh) ||
		    pread(fd, sname, sizeof(sname), strsh.sh_offset + sh.sh_name) <= 0)
			return 0;
		sname[sizeof(sname) - 1] = '\0';
		if (!strcmp(sname, name))
			return sh.sh_size;
	}
	return 0;
}

/* Processes in /proc without a file in /proc/vmviz; one named in @which. */
static int files_missing(char *which, size_t len)
{
	struct dirent *d;
	char path[64];
	int missing = 0;
	DIR *dir = opendir("/proc");

	which[0] = '\0';
	while (dir && (d = readdir(dir))) {
		int pid = atoi(d->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), VMVIZ_DIR "/%d", pid);
		if (access(path, F_OK)) {
			/* Gone meanwhile, or a zombie being reaped: look again. */
			snprintf(path, sizeof(path), "/proc/%d", pid);
			if (access(path, F_OK))
				continue;
			if (!missing++)
				snprintf(which, len, "%d", pid);
		}
	}
	if (dir)
		closedir(dir);
	return missing;
}

/*
 * All mode: the reconcile work (a kworker: out of fail-nth's reach) with
 * allocations failed at random, those whose stack holds the module's
 * .text (failslab's stack filter), while processes come and go. Once
 * injection stops, the next fork's reconcile must give every process its
 * file again (FORMAT.md: -ENOMEM makes it try again).
 */
TEST_F_TIMEOUT(faults, all_mode_work_recovers_from_failed_allocations, 900)
{
	char val[64], which[16], *s;
	unsigned long text, size, injected;
	int i, missing = 0, forks = 0;
	const char *why;
	double t0;

	ASSERT_LE(0, self->ko) TH_LOG("no module at %s", ko_path());
	if (strcmp(variant->params, "all=1"))
		SKIP(return, "the reconcile work exists in all mode only");
	why = injection_setup();
	if (why)
		SKIP(return, "%s", why);
	if (access(FAILSLAB "require-start", W_OK))
		SKIP(return, "no stack filter (FAULT_INJECTION_STACKTRACE_FILTER)");
	if (module_loaded())
		ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(self->ko, "all=1"));
	s = vt_read_file("/sys/module/vmviz/sections/.text", NULL);
	text = s ? strtoul(s, NULL, 16) : 0;
	free(s);
	size = elf_section_size(self->ko, ".text");
	ASSERT_NE(0, text) TH_LOG("no address of the module's .text");
	ASSERT_NE(0, size) TH_LOG("no size of .text in %s", ko_path());

	snprintf(val, sizeof(val), "%lu", text);
	ASSERT_EQ(0, vt_write(FAILSLAB "require-start", val));
	snprintf(val, sizeof(val), "%lu", text + size);
	ASSERT_EQ(0, vt_write(FAILSLAB "require-end", val));
	ASSERT_EQ(0, vt_write(FAILSLAB "stacktrace-depth", "32"));
	ASSERT_EQ(0, vt_write(FAILSLAB "task-filter", "N"));
	ASSERT_EQ(0, vt_write(FAILSLAB "interval", "1"));
	ASSERT_EQ(0, vt_write(FAILSLAB "times", "100000"));
	ASSERT_EQ(0, vt_write(FAILSLAB "probability", "30"));
	/* Processes come and go: the probes queue the reconcile. */
	t0 = vt_now_ms();
	while (vt_now_ms() - t0 < 20000) {
		pid_t c = fork();

		if (c == 0) {
			usleep(20000);
			_exit(0);
		}
		if (c > 0)
			forks++;
		usleep(5000);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	ASSERT_EQ(0, vt_write(FAILSLAB "probability", "0"));
	s = vt_read_file(FAILSLAB "times", NULL);
	injected = s ? 100000 - strtol(s, NULL, 10) : 0;
	free(s);
	stack_filter(0);
	vt_write(FAILSLAB "times", "1");
	while (wait(NULL) > 0)
		;
	/* One more fork queues a reconcile without failures. */
	for (i = 0; i < 100; i++) {
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		waitpid(c, NULL, 0);
		usleep(100000);
		missing = files_missing(which, sizeof(which));
		if (!missing)
			break;
	}
	TH_LOG("%lu allocations failed in the module's work while %d processes came and went; every process has its file again after %d tries",
	       injected, forks, i + 1);
	printf("# vmviz-figures faults all_work forks=%d injected=%lu settled_tries=%d missing=%d\n",
	       forks, injected, i + 1, missing);
	EXPECT_LT(0, injected);
	EXPECT_EQ(0, missing) TH_LOG("%d processes without a file, %s one of them", missing,
				     which);
}

TEST_HARNESS_MAIN
