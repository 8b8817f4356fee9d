// SPDX-License-Identifier: GPL-2.0
/*
 * What a saved report can be trusted for: its provenance is the kernel's
 * (boot id, release, clocks), its mm users are the process's own, its mm
 * id is never shared by two address spaces of one boot, and its segments
 * classify a static and a dynamic binary the same with and without ASLR.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <sys/utsname.h>

#include "vmviz_test.h"

#define RANDOMIZE	"/proc/sys/kernel/randomize_va_space"

static unsigned long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

TEST(provenance_is_the_kernels)
{
	unsigned long long real0, real1, boot0, boot1;
	char *boot_id;
	struct vt_report r;
	struct utsname u;

	VMVIZ_REQUIRE();
	boot_id = vt_read_file("/proc/sys/kernel/random/boot_id", NULL);
	ASSERT_NE(NULL, boot_id);
	boot_id[strcspn(boot_id, "\n")] = '\0';
	ASSERT_EQ(0, uname(&u));
	real0 = clock_ns(CLOCK_REALTIME);
	boot0 = clock_ns(CLOCK_BOOTTIME);
	VT_REPORT(getpid(), &r);
	real1 = clock_ns(CLOCK_REALTIME);
	boot1 = clock_ns(CLOCK_BOOTTIME);
	EXPECT_STREQ(boot_id, r.boot_id);
	EXPECT_STREQ(u.release, r.release);
	EXPECT_LE(real0, r.time_ns);
	EXPECT_GE(real1, r.time_ns);
	EXPECT_LE(boot0, r.boottime_ns);
	EXPECT_GE(boot1, r.boottime_ns);
	TH_LOG("kernel %s boot %s", r.release, r.boot_id);
	free(boot_id);
	vt_free(&r);
	vt_untrack(getpid());
}

static void *block(void *arg)
{
	pause();
	return NULL;
}

/* @arg threads more than the main one, parked in pause(). */
static void start_threads(void *arg)
{
	long i, n = (long)arg;
	pthread_t t;

	for (i = 0; i < n; i++)
		if (pthread_create(&t, NULL, block, NULL))
			_exit(2);
}

TEST(users_are_the_process_threads)
{
	long threads[] = { 0, 3 };
	unsigned int i;

	VMVIZ_REQUIRE();
	for (i = 0; i < ARRAY_SIZE(threads); i++) {
		struct vt_report r;
		struct vt_child c;

		ASSERT_EQ(0, vt_spawn(&c, start_threads, (void *)threads[i]));
		VT_REPORT(c.pid, &r);
		EXPECT_EQ(1 + threads[i], r.users) TH_LOG("%ld threads", 1 + threads[i]);
		/* mm_count: one for the users, and lazy-TLB CPUs borrowing it. */
		EXPECT_GE(r.count, 1);
		EXPECT_STREQ("own", r.active);
		vt_free(&r);
		vt_release(&c);
	}
}

/*
 * The mm id of @pid, from the first piece of its report (the header's mm
 * line is in its first 4 KiB): tracks @pid; 0 or -errno.
 */
static int mm_id_of(pid_t pid, char id[17])
{
	char path[64], buf[4096], *line;
	int fd, err = vt_track(pid);
	ssize_t n;

	if (err)
		return err;
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	line = strstr(buf, "\nmm id ");
	if (!line || sscanf(line + 1, "mm id %16s", id) != 1)
		return -EBADMSG;
	return 0;
}

/*
 * How many short-lived processes, and for how long. SLUB's per-CPU
 * freelists are LIFO: a stock kernel hands a reaped process's mm_struct to
 * one of the next few forks, so a few dozen processes made and reaped one
 * after the other already reuse it many times over; 300 made sure. On a
 * KASAN kernel under emulation a process costs far more (fork, exit and
 * every report read are instrumented, lockdep checks every lock) and 300
 * of them died of the harness's 30 s timeout; KASAN's quarantine also holds
 * freed objects back (up to 1/32 of memory), so there reuse is rare at
 * these counts and the test proves mostly that ids differ. So: up to
 * SHORT_LIVED processes, but no new one after SHORT_LIVED_SECS once
 * SHORT_LIVED_MIN are made, and a harness timeout that leaves the minimum
 * several seconds a process. A stock 6.12 under TCG made all 300 in 6-11 s
 * (20-36 ms each) on a loaded host; the TAP log says how many were made,
 * in how long (# vmviz-ids).
 */
#define SHORT_LIVED		300
#define SHORT_LIVED_MIN		32
#define SHORT_LIVED_SECS	60
#define SHORT_LIVED_TIMEOUT	300

FIXTURE(ids) {};
FIXTURE_SETUP(ids) {}
FIXTURE_TEARDOWN(ids) {}

/*
 * mm ids over up to a few hundred processes made and reaped one after the
 * other: the slab hands the freed mm_struct out again, the id is still new.
 */
TEST_F_TIMEOUT(ids, mm_ids_never_repeat, SHORT_LIVED_TIMEOUT)
{
	static char ids[SHORT_LIVED][17];
	int i, j, n, dup = 0;
	double t0 = vt_now_ms(), secs;

	VMVIZ_REQUIRE();
	for (n = 0; n < SHORT_LIVED; n++) {
		struct vt_child c;
		int err;

		if (n >= SHORT_LIVED_MIN && vt_now_ms() - t0 > SHORT_LIVED_SECS * 1e3)
			break;
		ASSERT_EQ(0, vt_spawn(&c, NULL, NULL));
		err = mm_id_of(c.pid, ids[n]);
		vt_release(&c);
		ASSERT_EQ(0, err) TH_LOG("mm id of process %d: %s", n, strerror(-err));
	}
	secs = (vt_now_ms() - t0) / 1e3;
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(ids[i], ids[j])) {
				dup++;
				TH_LOG("processes %d and %d share mm id %s", j, i, ids[i]);
			}
	EXPECT_EQ(0, dup);
	printf("# vmviz-ids short_lived=%d of %d secs=%.1f ms_each=%.1f shared_ids=%d\n",
	       n, SHORT_LIVED, secs, secs * 1e3 / n, dup);
}

/* Write @val to a sysctl file; returns 0 or -1. */
static int sysctl_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The segments of one run of @bin, as a string: for each file-backed VMA
 * "OFFSET/PERM=SEG" of the binary's own file ("lib=SEG" for other files),
 * and for anonymous VMAs the segments stack, vdso and vvar, sorted (where
 * the vdso lies, above or below the stack, depends on ASLR on 6.1). Checks
 * on the way that no file-backed VMA is heap or stack, and that the VMA
 * named [heap] is the heap segment (but on 6.1, whose maps also name an
 * anonymous VMA that only touches start_brk [heap]).
 */
static void classify(struct __test_metadata *_metadata, const struct vt_report *r,
		     const char *bin, char *sig, size_t len)
{
	char *parts[256];
	int i, n = 0;

	for (i = 0; i < r->nvmas && n < 256; i++) {
		const struct vt_vma *v = &r->vmas[i];
		char part[96];

		if (v->name[0] == '/') {
			EXPECT_TRUE(strcmp(v->seg, "heap") && strcmp(v->seg, "stack"))
				TH_LOG("%s: file VMA %lx %s is %s", bin, v->start, v->name, v->seg);
			if (strcmp(v->name, bin))
				snprintf(part, sizeof(part), "lib=%s", v->seg);
			else
				snprintf(part, sizeof(part), "%llx/%s=%s", v->offset, v->perm, v->seg);
		} else {
			if (!strcmp(v->name, "[heap]") && strncmp(r->release, "6.1.", 4))
				EXPECT_STREQ("heap", v->seg) TH_LOG("%s: %lx", bin, v->start);
			if (!strcmp(v->seg, "heap"))
				EXPECT_STREQ("[heap]", v->name) TH_LOG("%s: %lx", bin, v->start);
			if (strcmp(v->seg, "stack") && strcmp(v->seg, "vdso") && strcmp(v->seg, "vvar"))
				continue;
			snprintf(part, sizeof(part), "%s", v->seg);
		}
		parts[n++] = strdup(part);
	}
	qsort(parts, n, sizeof(parts[0]), cmp_str);
	sig[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strlen(sig) + strlen(parts[i]) + 2 < len) {
			strcat(sig, parts[i]);
			strcat(sig, " ");
		}
		free(parts[i]);
	}
}

/*
 * The same static binary (busybox) and dynamic binary (coreutils' sleep,
 * against libc) classified alike with ASLR on, with randomize_va_space 0
 * and 1, and with ADDR_NO_RANDOMIZE (what setarch -R and gdb do).
 */
TEST(segments_do_not_depend_on_aslr)
{
	const char *bins[] = { "/bin/busybox", "/tests/dyn/sleep" };
	const struct {
		const char *randomize;	/* NULL: leave it */
		unsigned long pers;
		const char *what;
	} runs[] = {
		{ "2", 0, "ASLR" }, { "0", 0, "randomize_va_space 0" },
		{ "1", 0, "randomize_va_space 1" }, { "2", ADDR_NO_RANDOMIZE, "setarch -R" },
	};
	char *saved = vt_read_file(RANDOMIZE, NULL);
	unsigned int b, k;

	VMVIZ_REQUIRE();
	ASSERT_NE(NULL, saved);
	for (b = 0; b < ARRAY_SIZE(bins); b++) {
		char first[2048] = "", sig[2048];

		if (access(bins[b], X_OK)) {
			TH_LOG("no %s in this guest", bins[b]);
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(runs); k++) {
			struct vt_report r;
			pid_t pid;

			ASSERT_EQ(0, sysctl_write(RANDOMIZE, runs[k].randomize));
			pid = vt_run_sleeper(bins[b], runs[k].pers);
			ASSERT_LT(0, pid) TH_LOG("%s did not start", bins[b]);
			VT_REPORT(pid, &r);
			classify(_metadata, &r, bins[b], sig, sizeof(sig));
			TH_LOG("%s, %s: %s", bins[b], runs[k].what, sig);
			if (k == 0)
				snprintf(first, sizeof(first), "%s", sig);
			else
				EXPECT_STREQ(first, sig) TH_LOG("%s under %s", bins[b], runs[k].what);
			vt_free(&r);
			vt_untrack(pid);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	}
	sysctl_write(RANDOMIZE, saved);
	free(saved);
}

#define HOSTILE_COMM	"ev\033[31m\til\n"
#define HOSTILE_FILE	"/tmp/x\033]0;t\007y\tz \\w\177"

/* A comm and a file name made to drive a terminal. */
static void hostile_names(void *arg)
{
	int fd = open(HOSTILE_FILE, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || ftruncate(fd, 4096) ||
	    mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
		_exit(2);
	prctl(PR_SET_NAME, HOSTILE_COMM);
}

/* cat /proc/vmviz/PID puts no control byte on a terminal but line ends. */
TEST(report_holds_no_control_bytes)
{
	struct vt_report r;
	struct vt_child c;
	char *txt, err[256];
	size_t len, i, bad = 0;
	int k, found = 0;

	VMVIZ_REQUIRE();
	ASSERT_EQ(0, vt_spawn(&c, hostile_names, NULL));
	txt = vt_report(c.pid);
	ASSERT_NE(NULL, txt);
	len = strlen(txt);
	for (i = 0; i < len; i++)
		if (((unsigned char)txt[i] < 0x20 && txt[i] != '\n') || txt[i] == 0x7f)
			bad++;
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, vt_parse(txt, &r, err, sizeof(err))) TH_LOG("%s", err);
	/* Escaped, not lost: the names read back as the process set them. */
	EXPECT_STREQ(HOSTILE_COMM, r.comm);
	for (k = 0; k < r.nvmas; k++)
		found += !strcmp(r.vmas[k].name, HOSTILE_FILE);
	EXPECT_EQ(1, found);
	vt_free(&r);
	free(txt);
	EXPECT_EQ(0, vt_release(&c));
	unlink(HOSTILE_FILE);
}

TEST_HARNESS_MAIN
