// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel half, /proc/vmviz/kernel, against the kernel's own views:
 * /proc/meminfo's DirectMap counts, /proc/kallsyms' _text and _end,
 * /proc/vmallocinfo, who /proc/kallsyms shows real addresses to, and, on
 * a kernel with CONFIG_PTDUMP_DEBUGFS, /sys/kernel/debug/page_tables/.
 */
#include <stdint.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <asm/ldt.h>

#include "vmviz_test.h"

#define VMVIZ_KERNEL	VMVIZ_DIR "/kernel"
#define PTDUMP_DIR	"/sys/kernel/debug/page_tables"
#define KPTR_RESTRICT	"/proc/sys/kernel/kptr_restrict"
#define PERF_PARANOID	"/proc/sys/kernel/perf_event_paranoid"

#define KMAX_REGIONS	64
#define KMAX_LINES	200000

struct kregion {
	char name[24];
	int copy;		/* 0 kernel PGD, 1 PTI user copy */
	unsigned long start, end;	/* end 0: 2^64 */
	int skipped;
	unsigned long sum[3], wx, unshown;	/* the sum line */
};

struct kline {
	int copy, region;
	int level;		/* 0 pte, 1 pmd, 2 pud */
	unsigned long start, end, count, pfn;
	char flags[12], eff[12];
};

struct khalf {
	unsigned int levels, pti;
	unsigned long half;
	struct kregion reg[KMAX_REGIONS];
	int nreg;
	struct kline *line;
	int nline;
	unsigned long end_regions, end_lines, end_wx, wx_lines, sum_wx;
	unsigned long end_steps, end_entries;	/* the walk's work */
};

static const char *const level_names[] = { "pte", "pmd", "pud" };
static const unsigned long level_size[] = { 4096, 2UL << 20, 1UL << 30 };

/* ffffffffffffffff is how a range reaching 2^64 ends: kept as 0. */
static unsigned long end_of(unsigned long end)
{
	return end == ~0UL ? 0 : end;
}

/* Parse the file (docs/FORMAT.md, "The kernel half"); -1 and @err if bad. */
static int kparse(const char *text, struct khalf *k, char *err, size_t errlen)
{
	const char *p = text;
	int copy = -1, lineno = 0;
	char buf[512];

	memset(k, 0, sizeof(*k));
	k->line = calloc(KMAX_LINES, sizeof(*k->line));
	if (!k->line)
		return -1;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		unsigned long a, b, c, d, e;
		char w1[32], w2[32], w3[32];
		int n;

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		p = nl ? nl + 1 : p + len;
		lineno++;
#define KBAD() do { snprintf(err, errlen, "line %d: %.200s", lineno, buf); return -1; } while (0)
		if (lineno == 1) {
			if (strcmp(buf, "vmviz-kernel 1"))
				KBAD();
		} else if (!strncmp(buf, "report ", 7)) {
			continue;
		} else if (sscanf(buf, "geometry levels %u pti %u half %lx-%lx",
				  &k->levels, &k->pti, &k->half, &a) == 4) {
			continue;
		} else if (sscanf(buf, "pgd %31s", w1) == 1) {
			copy = !strcmp(w1, "user");
		} else if (sscanf(buf, "region %23s %lx-%lx size %31s%n", w1, &a, &b, w2, &n) == 4) {
			struct kregion *r;

			if (k->nreg >= KMAX_REGIONS || copy < 0)
				KBAD();
			r = &k->reg[k->nreg++];
			snprintf(r->name, sizeof(r->name), "%.23s", w1);
			r->copy = copy;
			r->start = a;
			r->end = end_of(b);
			r->skipped = strstr(buf + n, " skip ") != NULL;
		} else if (sscanf(buf, "sum %31s pte %lu pmd %lu pud %lu wx %lu unshown %lu",
				  w1, &a, &b, &c, &d, &e) == 6) {
			struct kregion *r = &k->reg[k->nreg - 1];

			if (!k->nreg || strcmp(r->name, w1))
				KBAD();
			r->sum[0] = a, r->sum[1] = b, r->sum[2] = c, r->wx = d;
			r->unshown = e;
			k->sum_wx += d;
		} else if (sscanf(buf, "wx %lx-%lx pages %lu", &a, &b, &c) == 3) {
			k->wx_lines += c;
		} else if (sscanf(buf, "end regions %lu pagelines %lu wx %lu steps %lu entries %lu",
				  &a, &b, &c, &d, &e) == 5) {
			k->end_regions = a, k->end_lines = b, k->end_wx = c;
			k->end_steps = d, k->end_entries = e;
		} else if (sscanf(buf, "  %31s %lx-%lx %lu %31s %11s %11s %lx",
				  w1, &a, &b, &c, w2, w3, buf + 400, &e) == 8) {
			struct kline *l;
			int lv;

			for (lv = 0; lv < 3 && strcmp(w1, level_names[lv]); lv++)
				;
			if (lv == 3 || !k->nreg || k->nline >= KMAX_LINES)
				KBAD();
			l = &k->line[k->nline++];
			l->copy = copy;
			l->region = k->nreg - 1;
			l->level = lv;
			l->start = a;
			l->end = end_of(b);
			l->count = c;
			l->pfn = e;
			snprintf(l->flags, sizeof(l->flags), "%.11s", w3);
			snprintf(l->eff, sizeof(l->eff), "%.11s", buf + 400);
		} else {
			KBAD();
		}
	}
	if (!k->end_regions && !k->nreg) {
		snprintf(err, errlen, "no end line");
		return -1;
	}
	return 0;
}

static char *read_kernel_half(void)
{
	return vt_read_file_by(VMVIZ_KERNEL, NULL, vt_chunk);
}

/* Parse a fresh read, or fail the test. */
#define KHALF_READ(k)							\
	do {								\
		char *_t = read_kernel_half(), _e[300];			\
		ASSERT_NE(NULL, _t) TH_LOG("read %s: %s", VMVIZ_KERNEL, strerror(errno)); \
		ASSERT_EQ(0, kparse(_t, (k), _e, sizeof(_e))) TH_LOG("%s", _e); \
		free(_t);						\
	} while (0)

static int write_sysctl(const char *path, int v)
{
	char s[16];

	snprintf(s, sizeof(s), "%d\n", v);
	return vt_write(path, s);
}

static int read_sysctl(const char *path)
{
	char *t = vt_read_file(path, NULL);
	int v = t ? atoi(t) : -1;

	free(t);
	return v;
}

static const struct kregion *kregion_named(const struct khalf *k, int copy, const char *name)
{
	for (int i = 0; i < k->nreg; i++)
		if (k->reg[i].copy == copy && !strcmp(k->reg[i].name, name))
			return &k->reg[i];
	return NULL;
}

/* Is [start, end) covered by present leaves of copy 0? */
static int kmapped(const struct khalf *k, unsigned long start, unsigned long end)
{
	for (int i = 0; i < k->nline && start < end; i++) {
		const struct kline *l = &k->line[i];

		if (l->copy || l->start > start || (l->end && l->end <= start))
			continue;
		start = l->end ? l->end : end;
	}
	return start >= end;
}

/* The address of @name in /proc/kallsyms, 0 if absent (or hidden). */
static unsigned long kallsyms_addr(const char *name)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], sym[256], type;
	unsigned long a, found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %255s", &a, &type, sym) == 3 && !strcmp(sym, name)) {
			found = a;
			break;
		}
	fclose(f);
	return found;
}

/*
 * Does /proc/kallsyms show this process real addresses? It shows every
 * address or none (kallsyms_show_value() at open): the first symbol of
 * the kernel text, _text, says which. Percpu symbols before it are 0.
 */
static int kallsyms_real(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], sym[256], type;
	unsigned long a;
	int real = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %255s", &a, &type, sym) == 3 &&
		    (a || !strcmp(sym, "_text"))) {
			real = a != 0;
			break;
		}
	fclose(f);
	return real;
}

/* Restore the two sysctls a test changes, whatever happens. */
static int saved_kptr, saved_paranoid;

static void sysctls_save(void)
{
	saved_kptr = read_sysctl(KPTR_RESTRICT);
	saved_paranoid = read_sysctl(PERF_PARANOID);
}

static void sysctls_restore(void)
{
	write_sysctl(KPTR_RESTRICT, saved_kptr);
	write_sysctl(PERF_PARANOID, saved_paranoid);
}

TEST(kernel_half_tiles_and_counts)
{
	struct khalf k;
	unsigned long lines = 0;

	VMVIZ_REQUIRE();
	sysctls_save();
	write_sysctl(KPTR_RESTRICT, 0);
	KHALF_READ(&k);
	sysctls_restore();
	ASSERT_EQ(k.levels == 5 ? 0xff00000000000000UL : 0xffff800000000000UL, k.half);
	for (int copy = 0; copy <= (int)k.pti; copy++) {
		unsigned long at = k.half;
		int seen = 0;

		for (int i = 0; i < k.nreg; i++) {
			const struct kregion *r = &k.reg[i];
			unsigned long sum[3] = { 0 }, prev_end = r->start;

			if (r->copy != copy)
				continue;
			seen++;
			ASSERT_EQ(at, r->start) TH_LOG("region %s does not follow the last", r->name);
			at = r->end;
			for (int j = 0; j < k.nline; j++) {
				const struct kline *l = &k.line[j];

				if (l->region != i)
					continue;
				EXPECT_LE(prev_end, l->start);
				EXPECT_LE(r->start, l->start);
				EXPECT_TRUE(!r->end || (l->end && l->end <= r->end));
				EXPECT_EQ(l->count * level_size[l->level] >=
					  l->end - l->start, 1);
				sum[l->level] += l->count;
				prev_end = l->end;
				lines++;
			}
			/* A region whose lines are not all shown: its sums are more. */
			for (int lv = 0; lv < 3; lv++) {
				if (r->unshown) {
					EXPECT_LE(sum[lv], r->sum[lv]);
				} else {
					EXPECT_EQ(sum[lv], r->sum[lv])
						TH_LOG("%s %s", r->name, level_names[lv]);
				}
			}
		}
		EXPECT_EQ(0, at) TH_LOG("the regions of copy %d end below 2^64", copy);
		EXPECT_LT(5, seen);
	}
	EXPECT_EQ(k.nreg, k.end_regions);
	EXPECT_EQ(k.nline, k.end_lines);
	EXPECT_EQ(k.sum_wx, k.end_wx);
	EXPECT_LE(k.wx_lines, k.end_wx);
	ksft_print_msg("vmviz-figures khalf levels %u pti %u regions %d pagelines %d wx %lu steps %lu entries %lu\n",
		       k.levels, k.pti, k.nreg, k.nline, k.end_wx, k.end_steps, k.end_entries);
	free(k.line);
}

/*
 * The direct map is the identity map of physical memory: each leaf maps
 * the frame at its offset from page_offset_base, and every range of
 * "System RAM" in /proc/iomem (real addresses for CAP_SYS_ADMIN) is
 * mapped. /proc/meminfo's DirectMap4k/2M/1G are shown beside the leaves'
 * counts, not compared: on every kernel of the matrix they count more
 * than the direct map holds (the debug kernel's ptdump shows what vmviz
 * shows; docs/FORMAT.md, "The kernel half", says why).
 */
TEST(direct_map_maps_system_ram_at_its_offset)
{
	const char *keys[3] = { "DirectMap4k:", "DirectMap2M:", "DirectMap1G:" };
	const struct kregion *r;
	unsigned long ram = 0, ranges = 0, hole_lo = 0, hole_hi = 0;
	char line[256];
	int kfence;
	struct khalf k;
	FILE *f;
	int ri;

	VMVIZ_REQUIRE();
	sysctls_save();
	write_sysctl(KPTR_RESTRICT, 0);
	KHALF_READ(&k);
	sysctls_restore();
	r = kregion_named(&k, 0, "direct");
	ASSERT_NE(NULL, r);
	ASSERT_FALSE(r->skipped);
	ri = r - k.reg;
	for (int i = 0; i < k.nline; i++) {
		const struct kline *l = &k.line[i];

		if (l->region != ri)
			continue;
		EXPECT_EQ((l->start - r->start) >> 12, l->pfn)
			TH_LOG("direct %lx-%lx maps pfn %lx", l->start, l->end, l->pfn);
	}
	f = fopen("/proc/iomem", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		if (line[0] == ' ' || !strstr(line, ": System RAM") ||
		    sscanf(line, "%lx-%lx", &a, &b) != 2)
			continue;
		a = (a + 4095) & ~4095UL;
		b = (b + 1) & ~4095UL;
		if (a >= b)
			continue;
		ranges++;
		ram += b - a;
		/* Where the direct map's lines (sorted) leave [a, b) unmapped. */
		{
			unsigned long pos = r->start + a, end = r->start + b;

			for (int i = 0; i < k.nline && pos < end; i++) {
				const struct kline *l = &k.line[i];

				if (l->region != ri || l->end <= pos || l->start >= end)
					continue;
				if (l->start > pos) {
					if (!hole_lo)
						hole_lo = pos - r->start;
					hole_hi = l->start - r->start;
				}
				pos = l->end;
			}
			if (pos < end) {
				if (!hole_lo)
					hole_lo = pos - r->start;
				hole_hi = b;
			}
		}
	}
	fclose(f);
	/*
	 * KFENCE (the debug kernel's CONFIG_KFENCE with a sample interval)
	 * unmaps its guard pages and free objects in the direct map
	 * (kfence_protect_page()): they lie in its pool, 2 MiB with the
	 * default 255 objects. Any other page of System RAM must be mapped.
	 */
	kfence = read_sysctl("/sys/module/kfence/parameters/sample_interval") > 0;
	if (hole_lo)
		ksft_print_msg("System RAM not mapped: within %lx-%lx (kfence %s)\n",
			       hole_lo, hole_hi, kfence ? "on" : "off");
	EXPECT_TRUE(!hole_lo || (kfence && hole_hi - hole_lo <= (2UL << 20)))
		TH_LOG("System RAM %lx-%lx not all in the direct map", hole_lo, hole_hi);
	EXPECT_LT(0, ranges) TH_LOG("no System RAM in /proc/iomem (addresses hidden?)");
	ksft_print_msg("direct map: %lu 4K, %lu 2M, %lu 1G leaves = %lu kB; System RAM %lu kB in %lu ranges\n",
		       r->sum[0], r->sum[1], r->sum[2],
		       r->sum[0] * 4 + r->sum[1] * 2048 + r->sum[2] * 1048576, ram >> 10, ranges);
	ksft_print_msg("meminfo %s %ld kB %s %ld kB %s %ld kB\n",
		       keys[0], vt_file_kb("/proc/meminfo", keys[0]),
		       keys[1], vt_file_kb("/proc/meminfo", keys[1]),
		       keys[2], vt_file_kb("/proc/meminfo", keys[2]));
	free(k.line);
}

/*
 * The kernel image: its region starts at _text; cleanup_highmap() keeps
 * the window mapped up to roundup(_brk_end, 2M), and _brk_end lies
 * between __brk_base (or, without it, the page before _end) and _end.
 */
TEST(text_region_is_text_to_end_of_kallsyms)
{
	unsigned long text, end, brk;
	const struct kregion *r;
	struct khalf k;

	VMVIZ_REQUIRE();
	sysctls_save();
	write_sysctl(KPTR_RESTRICT, 0);
	text = kallsyms_addr("_text");
	end = kallsyms_addr("_end");
	brk = kallsyms_addr("__brk_base");
	KHALF_READ(&k);
	sysctls_restore();
	ASSERT_NE(0, text);
	ASSERT_NE(0, end);
	if (!brk)
		brk = end - 4096;
	r = kregion_named(&k, 0, "text");
	ASSERT_NE(NULL, r);
	EXPECT_EQ(text, r->start);
	EXPECT_LE((brk + (2UL << 20) - 1) & ~((2UL << 20) - 1), r->end);
	EXPECT_GE((end + (2UL << 20) - 1) & ~((2UL << 20) - 1), r->end);
	ksft_print_msg("text %lx-%lx; kallsyms _text %lx __brk_base %lx _end %lx\n",
		       r->start, r->end, text, brk, end);
	free(k.line);
}

struct varea {
	unsigned long start, end, pages;
	int ioremap;
};

/* The areas of /proc/vmallocinfo that map pages (pages=N, or ioremap). */
static int read_vmallocinfo(struct varea **out)
{
	FILE *f = fopen("/proc/vmallocinfo", "r");
	char line[1024];
	int n = 0, cap = 1024;
	struct varea *v = malloc(cap * sizeof(*v));

	if (!f || !v)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		char *pg = strstr(line, " pages=");

		if (sscanf(line, "0x%lx-0x%lx", &a, &b) != 2 || strstr(line, "unpurged"))
			continue;
		if (n == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				return -1;
		}
		v[n].start = a;
		v[n].end = b;
		v[n].pages = pg ? strtoul(pg + 7, NULL, 10) : 0;
		v[n].ioremap = strstr(line, " ioremap") != NULL;
		n++;
	}
	fclose(f);
	*out = v;
	return n;
}

static int varea_in(const struct varea *v, int n, const struct varea *a)
{
	for (int i = 0; i < n; i++)
		if (v[i].start == a->start && v[i].end == a->end && v[i].pages == a->pages)
			return 1;
	return 0;
}

TEST(vmallocinfo_areas_lie_in_vmalloc_and_are_mapped)
{
	struct varea *v1, *v2;
	int n1, n2, checked = 0, pages = 0;
	const struct kregion *vm, *mod, *kasan;
	struct khalf k;

	VMVIZ_REQUIRE();
	sysctls_save();
	/*
	 * vmallocinfo prints addresses with %pK: real ones with kptr_restrict
	 * 1 to a reader with CAP_SYSLOG (hashed with 0); so does kallsyms.
	 */
	write_sysctl(KPTR_RESTRICT, 1);
	n1 = read_vmallocinfo(&v1);
	KHALF_READ(&k);
	n2 = read_vmallocinfo(&v2);
	sysctls_restore();
	ASSERT_LT(0, n1);
	ASSERT_LT(0, n2);
	vm = kregion_named(&k, 0, "vmalloc");
	mod = kregion_named(&k, 0, "modules");
	kasan = kregion_named(&k, 0, "kasan");
	ASSERT_NE(NULL, vm);
	ASSERT_NE(NULL, mod);
	ASSERT_FALSE(vm->skipped);
	for (int i = 0; i < n1; i++) {
		const struct varea *a = &v1[i];
		int in_vm = a->start >= vm->start && a->end <= vm->end;
		int in_mod = a->start >= mod->start && a->end <= mod->end;
		/* KASAN vmallocs the shadow of module memory inside its shadow region. */
		int in_kasan = kasan && a->start >= kasan->start && a->end <= kasan->end;

		/* Areas that lived across the read only: the others raced it. */
		if (!varea_in(v2, n2, a))
			continue;
		checked++;
		EXPECT_TRUE(in_vm || in_mod || in_kasan)
			TH_LOG("area %lx-%lx outside vmalloc %lx-%lx and modules %lx-%lx",
			       a->start, a->end, vm->start, vm->end, mod->start, mod->end);
		if (a->pages) {
			EXPECT_TRUE(kmapped(&k, a->start, a->start + a->pages * 4096))
				TH_LOG("area %lx-%lx pages=%lu not all mapped", a->start, a->end, a->pages);
			pages += a->pages;
		}
	}
	ksft_print_msg("vmallocinfo: %d areas checked, %d pages mapped\n", checked, pages);
	EXPECT_LT(10, checked);
	free(v1);
	free(v2);
	free(k.line);
}

/* Drop @cap from this process's effective set. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return 2;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data) ? 2 : 0;
}

static int as_root(void) { return 0; }
static int no_syslog(void) { return drop_cap(CAP_SYSLOG); }
static int no_sys_admin(void) { return drop_cap(CAP_SYS_ADMIN); }
static int as_nobody(void) { return setgid(65534) || setuid(65534) ? 2 : 0; }

static const struct {
	const char *name;
	int (*become)(void);
	int sys_admin;
} kreaders[] = {
	{ "root", as_root, 1 },
	{ "root-without-CAP_SYSLOG", no_syslog, 1 },
	{ "root-without-CAP_SYS_ADMIN", no_sys_admin, 0 },
	{ "nobody", as_nobody, 0 },
};

/*
 * In a child of @reader's identity: 1 if /proc/kallsyms shows it real
 * addresses, plus 2 if /proc/vmviz/kernel opens, plus 4 if it was EPERM.
 */
static int kreader_sees(int reader)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int real, fd, r;

		if (kreaders[reader].become())
			_exit(64);
		real = kallsyms_real();
		if (real < 0)
			_exit(65);
		fd = open(VMVIZ_KERNEL, O_RDONLY);
		r = real | (fd >= 0 ? 2 : 0) | (fd < 0 && errno == EPERM ? 4 : 0);
		_exit(r);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(kernel_half_exactly_when_kallsyms_shows_addresses)
{
	int shown = 0, hidden = 0;

	VMVIZ_REQUIRE();
	sysctls_save();
	for (int kr = 0; kr <= 2; kr++) {
		for (int par = 1; par <= 2; par++) {
			ASSERT_EQ(0, write_sysctl(KPTR_RESTRICT, kr));
			ASSERT_EQ(0, write_sysctl(PERF_PARANOID, par));
			for (int i = 0; i < (int)(sizeof(kreaders) / sizeof(kreaders[0])); i++) {
				int r = kreader_sees(i), real, opened;

				ASSERT_LE(0, r);
				ASSERT_GT(64, r) TH_LOG("%s: child failed (%d)", kreaders[i].name, r);
				real = r & 1;
				opened = !!(r & 2);
				EXPECT_EQ(real && kreaders[i].sys_admin, opened)
					TH_LOG("kptr_restrict %d paranoid %d %s: kallsyms %s, vmviz %s",
					       kr, par, kreaders[i].name,
					       real ? "real" : "zeros", opened ? "opened" : "refused");
				if (!opened)
					EXPECT_TRUE(r & 4) TH_LOG("%s: not EPERM", kreaders[i].name);
				if (real)
					shown++;
				else
					hidden++;
			}
		}
	}
	sysctls_restore();
	ksft_print_msg("kallsyms real for %d, zeros for %d reader settings\n", shown, hidden);
	/* Both outcomes were seen: the settings did change what kallsyms shows. */
	EXPECT_LT(0, shown);
	EXPECT_LT(0, hidden);
}

/* A ptdump range: present entries only, flags as its columns show them. */
struct prange {
	unsigned long start, end;	/* end 0: 2^64 */
	int level;			/* 0 pte, 1 pmd, 2 pud */
	char flags[8];			/* U W T C G N + level-specific PAT */
};

static int prange_merge(struct prange *r, int n)
{
	int out = 0;

	for (int i = 0; i < n; i++) {
		if (out && r[out - 1].end == r[i].start && r[out - 1].level == r[i].level &&
		    !strcmp(r[out - 1].flags, r[i].flags)) {
			r[out - 1].end = r[i].end;
			continue;
		}
		r[out++] = r[i];
	}
	return out;
}

/*
 * ptdump's lines of the kernel half (arch/x86/mm/dump_pagetables.c):
 * "0xSTART-0xEND   SIZE[unit] USR RW PWT PCD PSE PAT GLB NX LEVEL",
 * blank columns for absent bits, no flags for non-present ranges.
 */
static int read_ptdump(const char *path, unsigned long half, struct prange **out,
		       int *truncated)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0, cap = 4096;
	struct prange *r = malloc(cap * sizeof(*r));

	*truncated = 0;
	if (!f || !r)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		char *lv;
		int level;

		if (strstr(line, "skipped"))
			(*truncated)++;
		if (sscanf(line, "0x%lx-0x%lx", &a, &b) != 2 || a < half)
			continue;
		line[strcspn(line, "\n")] = '\0';
		lv = strrchr(line, ' ');
		if (!lv)
			continue;
		lv++;
		level = !strcmp(lv, "pte") ? 0 : !strcmp(lv, "pmd") ? 1 : !strcmp(lv, "pud") ? 2 : 3;
		/* Non-present ranges have no "RW"/"ro" column. */
		if (!strstr(line, " RW ") && !strstr(line, " ro "))
			continue;
		if (level == 3)
			continue;
		if (n == cap) {
			cap *= 2;
			r = realloc(r, cap * sizeof(*r));
		}
		r[n].start = a;
		r[n].end = b;
		r[n].level = level;
		snprintf(r[n].flags, sizeof(r[n].flags), "%c%c%c%c%c%c%c",
			 strstr(line, " USR ") ? 'U' : '-', strstr(line, " RW ") ? 'W' : '-',
			 strstr(line, " PWT ") ? 'T' : '-', strstr(line, " PCD ") ? 'C' : '-',
			 strstr(line, " PAT ") ? 'M' : '-', strstr(line, " GLB ") ? 'G' : '-',
			 strstr(line, " NX ") ? 'N' : '-');
		n++;
	}
	fclose(f);
	*out = r;
	return prange_merge(r, n);
}

/* vmviz's page lines of one copy, as ptdump would show their raw flags. */
static int kranges(const struct khalf *k, int copy, struct prange **out)
{
	struct prange *r = malloc((k->nline + 1) * sizeof(*r));
	int n = 0;

	for (int i = 0; i < k->nline; i++) {
		const struct kline *l = &k->line[i];
		const char *f = l->flags;

		if (l->copy != copy)
			continue;
		r[n].start = l->start;
		r[n].end = l->end;
		r[n].level = l->level;
		/* vmviz flags: P W U T C A D H G M N */
		snprintf(r[n].flags, sizeof(r[n].flags), "%c%c%c%c%c%c%c",
			 f[2] == 'U' ? 'U' : '-', f[1] == 'W' ? 'W' : '-',
			 f[3] == 'T' ? 'T' : '-', f[4] == 'C' ? 'C' : '-',
			 f[9] == 'M' ? 'M' : '-', f[8] == 'G' ? 'G' : '-',
			 f[10] == 'N' ? 'N' : '-');
		n++;
	}
	*out = r;
	return prange_merge(r, n);
}

static void ptdump_compare(struct __test_metadata *_metadata, const char *file, int copy)
{
	char path[128];
	struct prange *p, *v;
	int np, nv, trunc, diff = 0;
	unsigned long esp_lo = 0, esp_hi = 0;
	struct khalf k;

	snprintf(path, sizeof(path), PTDUMP_DIR "/%s", file);
	if (access(path, R_OK))
		SKIP(return, "no %s (a kernel without CONFIG_PTDUMP_DEBUGFS, or no PTI)", path);
	sysctls_save();
	write_sysctl(KPTR_RESTRICT, 0);
	KHALF_READ(&k);
	sysctls_restore();
	if (copy > (int)k.pti)
		SKIP(return, "no PTI: no user copy");
	np = read_ptdump(path, k.half, &p, &trunc);
	ASSERT_LT(0, np);
	nv = kranges(&k, copy, &v);
	/* ptdump shows at most 16 lines of the espfix area: compare outside it. */
	if (trunc) {
		const struct kregion *e = kregion_named(&k, copy, "espfix");

		if (e)
			esp_lo = e->start, esp_hi = e->end;
	}
	for (int i = 0, j = 0; i < np || j < nv;) {
		if (i < np && esp_hi && p[i].start >= esp_lo && p[i].start < esp_hi) {
			i++;
			continue;
		}
		if (j < nv && esp_hi && v[j].start >= esp_lo && v[j].start < esp_hi) {
			j++;
			continue;
		}
		if (i >= np || j >= nv || p[i].start != v[j].start || p[i].end != v[j].end ||
		    p[i].level != v[j].level || strcmp(p[i].flags, v[j].flags)) {
			if (diff++ < 10)
				TH_LOG("ptdump %lx-%lx %s %s / vmviz %lx-%lx %s %s",
				       i < np ? p[i].start : 0, i < np ? p[i].end : 0,
				       i < np ? level_names[p[i].level] : "-", i < np ? p[i].flags : "-",
				       j < nv ? v[j].start : 0, j < nv ? v[j].end : 0,
				       j < nv ? level_names[v[j].level] : "-", j < nv ? v[j].flags : "-");
			/* Resynchronise on the lower start. */
			if (j >= nv || (i < np && p[i].start <= v[j].start))
				i++;
			else
				j++;
			continue;
		}
		i++;
		j++;
	}
	ksft_print_msg("%s: %d ranges, vmviz %d, %d differ\n", file, np, nv, diff);
	EXPECT_EQ(0, diff);
	free(p);
	free(v);
	free(k.line);
}

TEST(ptdump_current_kernel_equals_kernel_half)
{
	VMVIZ_REQUIRE();
	ptdump_compare(_metadata, "current_kernel", 0);
}

TEST(ptdump_current_user_equals_pti_user_copy)
{
	VMVIZ_REQUIRE();
	ptdump_compare(_metadata, "current_user", 1);
}

/*
 * In a child: 1 + the ldt region's PTE leaves in the kernel copy as this
 * process reads the file (after setting an LDT entry if @set_ldt), or, if
 * @other, as a child reading a descriptor this process opened: 0 if that
 * reader's ldt region says skip; 255 on an error.
 */
static int ldt_leaves(int set_ldt, int other)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct user_desc d = {
			.entry_number = 0, .limit = 0xfffff, .seg_32bit = 1,
			.limit_in_pages = 1, .useable = 1,
		};
		const struct kregion *r;
		struct khalf k;
		char *t, e[300];
		int fd;

		if (set_ldt && syscall(SYS_modify_ldt, 1, &d, sizeof(d)))
			_exit(255);
		fd = open(VMVIZ_KERNEL, O_RDONLY);
		if (fd < 0)
			_exit(255);
		if (other) {
			pid_t gc = fork();

			if (gc < 0)
				_exit(255);
			if (gc > 0) {
				waitpid(gc, &status, 0);
				_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 255);
			}
		}
		/* Read through the descriptor opened above, from offset 0. */
		t = malloc(1 << 22);
		if (!t)
			_exit(255);
		{
			size_t len = 0;
			ssize_t n;

			while ((n = read(fd, t + len, (1 << 22) - 1 - len)) > 0)
				len += n;
			if (n < 0)
				_exit(255);
			t[len] = '\0';
		}
		if (kparse(t, &k, e, sizeof(e)))
			_exit(255);
		r = kregion_named(&k, 0, "ldt");
		if (!r)
			_exit(255);
		if (r->skipped)
			_exit(0);
		_exit(1 + (r->sum[0] > 200 ? 200 : r->sum[0]));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 255;
	return WEXITSTATUS(status);
}

/* The LDT remap (PTI): this process's LDT, mapped after modify_ldt(). */
TEST(ldt_region_shows_the_ldt_this_process_set)
{
	int pti, before, after, other;

	VMVIZ_REQUIRE();
	sysctls_save();
	write_sysctl(KPTR_RESTRICT, 0);
	{
		struct khalf k;

		KHALF_READ(&k);
		pti = k.pti;
		free(k.line);
	}
	before = ldt_leaves(0, 0);
	after = ldt_leaves(1, 0);
	other = ldt_leaves(1, 1);
	sysctls_restore();
	ksft_print_msg("ldt leaves: before %d, after modify_ldt %d, other reader %s (pti %d)\n",
		       before - 1, after - 1, other ? "read" : "skipped", pti);
	ASSERT_NE(255, before);
	ASSERT_NE(255, after);
	ASSERT_NE(255, other);
	/* Without PTI the LDT is not remapped (map_ldt_struct() returns early). */
	if (!pti)
		SKIP(return, "no PTI: no LDT remap (boot with pti=on)");
	EXPECT_EQ(1, before) TH_LOG("ldt region not empty without an LDT");
	EXPECT_LT(1, after) TH_LOG("no ldt leaf after modify_ldt()");
	EXPECT_EQ(0, other) TH_LOG("another process read the opener's LDT slot");
}

/* Every read size gives the same text, and a fatal signal ends a read. */
TEST(kernel_half_reads_alike_in_pieces)
{
	char *a, *b;

	VMVIZ_REQUIRE();
	sysctls_save();
	write_sysctl(KPTR_RESTRICT, 0);
	/* Tables may change between two reads: three tries to see two agree. */
	for (int tries = 0; tries < 3; tries++) {
		vt_chunk = 0;
		a = read_kernel_half();
		vt_chunk = tries == 1 ? 1 : 4093;
		b = read_kernel_half();
		vt_chunk = 0;
		ASSERT_NE(NULL, a);
		ASSERT_NE(NULL, b);
		/* Lines after the provenance line (its times differ). */
		if (!strcmp(strchr(strchr(a, '\n') + 1, '\n'), strchr(strchr(b, '\n') + 1, '\n')) ||
		    tries == 2)
			break;
		free(a);
		free(b);
	}
	sysctls_restore();
	EXPECT_STREQ(strchr(strchr(a, '\n') + 1, '\n'), strchr(strchr(b, '\n') + 1, '\n'));
	free(a);
	free(b);
}

TEST_HARNESS_MAIN
