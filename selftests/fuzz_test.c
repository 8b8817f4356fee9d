// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input, bounded: random bytes, long and huge strings, boundary numbers,
 * embedded NULs and split writes to track and untrack, each checked against
 * the documented grammar (docs/FORMAT.md): only the documented errors come
 * back and a rejected write creates nothing. Then odd read sizes, offsets
 * and bad user pointers on the reports. Figures go to the TAP log as
 * "# vmviz-figures fuzz key=value ..." lines.
 */
#include <dirent.h>
#include <limits.h>
#include <time.h>
#include <sys/mman.h>

#include "vmviz_test.h"

static int write_raw(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

/*
 * The documented grammar: decimal digits without sign or leading zero, one
 * optional newline, at most 15 bytes, 1..INT_MAX. Returns the PID or 0.
 */
static long grammar(const char *b, size_t len)
{
	size_t i = 0, end = len;
	long v = 0;

	if (len == 0 || len > 15)
		return 0;
	if (b[end - 1] == '\n')
		end--;
	if (i == end || b[i] < '1' || b[i] > '9')
		return 0;
	for (; i < end; i++) {
		if (b[i] < '0' || b[i] > '9')
			return 0;
		v = v * 10 + (b[i] - '0');
		if (v > INT_MAX)
			return 0;
	}
	return v;
}

/* A user pointer the kernel must refuse with EFAULT (opaque to gcc). */
static void *bad_ptr(void)
{
	volatile unsigned long p = 8;

	return (void *)p;
}

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return n ? rand_r(seed) % n : 0;
}

/* One fuzz input into @b; returns its length. */
static size_t gen(unsigned int *seed, char *b, size_t cap)
{
	static const char * const edge[] = {
		"1", "1\n", "+1", "+1\n", "01", "000000000000001", "0000000000000001",
		"2147483647", "2147483648", "4294967295", "4294967296", "-2147483648",
		"-1", "0", "+0", "+", "-", "\n", "\n\n", "1\n\n", "1\r\n", " 1", "1 ",
		"0x10", "1e3", "4194304", "4194303", "32768", "32767", "99999999999999",
		"\0", "2\n", "+2",
	};
	size_t len, i;

	switch (rnd(seed, 6)) {
	case 0:		/* random bytes */
		len = rnd(seed, 24);
		for (i = 0; i < len; i++)
			b[i] = rand_r(seed);
		return len;
	case 1:		/* numbers with random decoration */
		len = snprintf(b, cap, "%s%u%s", rnd(seed, 4) ? "" : rnd(seed, 2) ? "+" : "-",
			       rnd(seed, 3) ? rnd(seed, 5000000) : (unsigned int)rand_r(seed) * 3,
			       rnd(seed, 2) ? "\n" : rnd(seed, 2) ? "" : " ");
		if (rnd(seed, 8) == 0 && len > 1)
			b[rnd(seed, len)] = '\0';
		return len;
	case 2:		/* long strings */
		len = 16 + rnd(seed, 5000);
		for (i = 0; i < len; i++)
			b[i] = '0' + rnd(seed, 10);
		return len;
	case 3:		/* huge */
		len = cap;
		memset(b, rnd(seed, 2) ? '7' : 'x', len);
		return len;
	default: {	/* edges */
		const char *e = edge[rnd(seed, sizeof(edge) / sizeof(edge[0]))];

		len = strlen(e) ? strlen(e) : 1;
		memcpy(b, e, len + 1);
		return len;
	}
	}
}

TEST(control_fuzz_only_documented_errors_nothing_created)
{
	static const char * const files[] = { VMVIZ_TRACK, VMVIZ_UNTRACK };
	unsigned long inputs = 0, accepted = 0, einval = 0, esrch = 0, enoent = 0, other = 0;
	unsigned long deadline = time(NULL) + 8;
	size_t cap = 1 << 20, len;
	char before[8192], after[8192];
	/* A new seed each run, printed so that a failure can be replayed. */
	unsigned int seed = getenv("VMVIZ_FUZZ_SEED") ? atoi(getenv("VMVIZ_FUZZ_SEED")) :
			    (unsigned int)time(NULL) ^ getpid();
	char *b = malloc(cap + 1);
	unsigned int seed0;
	int fd[2], f, i;

	VMVIZ_REQUIRE();
	seed0 = seed;
	TH_LOG("seed %u (VMVIZ_FUZZ_SEED replays it)", seed);
	vt_list_dir(before, sizeof(before));
	for (f = 0; f < 2; f++) {
		fd[f] = open(files[f], O_WRONLY);
		ASSERT_LE(0, fd[f]);
	}
	for (i = 0; i < 4000 && time(NULL) < deadline; i++) {
		long pid;
		int err, want;

		f = rnd(&seed, 2);
		len = gen(&seed, b, cap);
		pid = grammar(b, len);
		inputs++;
		err = write_raw(fd[f], b, len);
		/* What the documentation says must happen. */
		if (!pid)
			want = -EINVAL;
		else if (f == 1)
			want = -ENOENT;		/* nothing of ours is tracked */
		else if (kill(pid, 0) && errno == ESRCH)
			want = -ESRCH;
		else
			want = 0;
		if (err != want) {
			char shown[64];
			size_t k;

			for (k = 0; k < len && k < 20; k++)
				shown[k] = b[k] >= 32 && b[k] < 127 ? b[k] : '.';
			shown[k] = '\0';
			EXPECT_EQ(want, err) TH_LOG("%s '%s' (%zu bytes): got %s", files[f],
						    shown, len, strerror(-err));
		}
		switch (-err) {
		case 0:
			accepted++;
			/* A real process tracked: take it back out. */
			EXPECT_EQ(0, vt_untrack(pid));
			break;
		case EINVAL:
			einval++;
			break;
		case ESRCH:
			esrch++;
			break;
		case ENOENT:
			enoent++;
			break;
		default:
			other++;
			break;
		}
		vt_list_dir(after, sizeof(after));
		ASSERT_STREQ(before, after) TH_LOG("input %d changed /proc/vmviz", i);
	}
	/* Split writes: each write is a whole PID; a lone newline is refused. */
	EXPECT_EQ(0, write_raw(fd[0], "1", 1));
	EXPECT_EQ(-EINVAL, write_raw(fd[0], "\n", 1));
	EXPECT_EQ(0, vt_untrack(1));
	/* Bad user pointers: EFAULT; a bad pointer with a bad length: EINVAL. */
	EXPECT_EQ(-EFAULT, write_raw(fd[0], bad_ptr(), 5));
	EXPECT_EQ(-EFAULT, write_raw(fd[1], bad_ptr(), 5));
	EXPECT_EQ(-EINVAL, write_raw(fd[0], bad_ptr(), 1 << 30));
	EXPECT_EQ(-EINVAL, write_raw(fd[0], b, 0));
	vt_list_dir(after, sizeof(after));
	EXPECT_STREQ(before, after);
	close(fd[0]);
	close(fd[1]);
	EXPECT_EQ(0, other);
	printf("# vmviz-figures fuzz seed=%u inputs=%lu accepted=%lu einval=%lu esrch=%lu "
	       "enoent=%lu other=%lu\n", seed0, inputs + 6, accepted, einval, esrch, enoent, other);
	free(b);
}

/* Odd read sizes and offsets, and bad buffers, on a report. */
TEST(report_odd_reads_and_bad_buffers)
{
	static const size_t sizes[] = { 0, 1, 4095, 4097, 1 << 20, 3, 65536, 7 };
	size_t cap = 2 << 20, len = 0, i;
	char *buf = malloc(cap + 1);
	unsigned long reads = 0;
	void *none;
	struct vt_report r;
	char err[256];
	ssize_t n;
	int fd;

	VMVIZ_REQUIRE();
	fd = open(VMVIZ_DIR "/self", O_RDONLY);
	ASSERT_LE(0, fd);
	for (i = 0;; i++) {
		size_t want = sizes[i % 8];

		if (len + want > cap)
			want = cap - len;
		n = read(fd, buf + len, want);
		ASSERT_LE(0, n) TH_LOG("read %zu: %s", want, strerror(errno));
		reads++;
		if (n == 0 && want)
			break;
		len += n;
	}
	buf[len] = '\0';
	ASSERT_EQ(0, vt_parse(buf, &r, err, sizeof(err))) TH_LOG("%s", err);
	vt_free(&r);
	/* Past the end: 0. A seek back to 0 starts over. */
	EXPECT_EQ(0, read(fd, buf, 100));
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(19, read(fd, buf, 19));
	EXPECT_EQ(0, memcmp(buf, "vmviz-format 2\nreport", 19));
	/* Seeks seq_file refuses. */
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	/* pread far out: 0. */
	EXPECT_EQ(0, pread(fd, buf, 100, 1L << 40));
	/* Bad buffers: EFAULT, and the file still reads afterwards. */
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(-1, read(fd, bad_ptr(), 100));
	EXPECT_EQ(EFAULT, errno);
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(-1, read(fd, none, 4096));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(15, read(fd, buf, 15));
	EXPECT_EQ(0, memcmp(buf, "vmviz-format 2\n", 15));
	close(fd);
	/* Odd pread offsets on a fresh file each: a line's middle, a big size. */
	for (i = 0; i < 32; i++) {
		fd = open(VMVIZ_DIR "/self", O_RDONLY);
		ASSERT_LE(0, fd);
		n = pread(fd, buf, i % 2 ? 1 << 20 : 4097, i * 131 + 1);
		EXPECT_LT(0, n) TH_LOG("pread at %zu: %s", i * 131 + 1, strerror(errno));
		reads++;
		close(fd);
	}
	munmap(none, 4096);
	printf("# vmviz-figures oddreads reads=%lu bytes=%zu\n", reads + 8, len);
	free(buf);
}

/*
 * The wrong direction: writing a report or reading a control file. procfs
 * answers EIO (no such operation); nothing changes.
 */
TEST(wrong_direction_is_refused)
{
	char before[8192], after[8192], b[16];
	int fd;

	VMVIZ_REQUIRE();
	vt_list_dir(before, sizeof(before));
	fd = open(VMVIZ_DIR "/self", O_WRONLY);
	if (fd >= 0) {
		EXPECT_EQ(-EIO, write_raw(fd, "1\n", 2));
		close(fd);
	} else {
		EXPECT_EQ(EACCES, errno);
	}
	fd = open(VMVIZ_TRACK, O_RDONLY);
	if (fd >= 0) {
		EXPECT_EQ(-1, read(fd, b, sizeof(b)));
		EXPECT_EQ(EIO, errno);
		close(fd);
	} else {
		EXPECT_EQ(EACCES, errno);
	}
	vt_list_dir(after, sizeof(after));
	EXPECT_STREQ(before, after);
}

TEST_HARNESS_MAIN
