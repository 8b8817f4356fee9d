// SPDX-License-Identifier: GPL-2.0
/*
 * The upper levels of the frame detail (docs/FORMAT.md, "Upper lines"):
 * every leaf has one entry at each level above it, each entry points to a
 * page that /proc/kpageflags calls a page table, PTI's user copy is shown
 * where /proc/cpuinfo says PTI is on, and the effective permission of a
 * page line predicts what a read, a write and an instruction fetch of the page do
 * when this test makes them: no fault, a fault the kernel fixes (counted
 * by getrusage()), or SIGSEGV.
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "vmviz_test.h"

#define PG		4096UL
#define KPF_PGTABLE	26	/* include/uapi/linux/kernel-page-flags.h */

/* Flag columns of page and upper lines (docs/FORMAT.md, "Page lines"). */
enum { F_P, F_W, F_U, F_T, F_C, F_A, F_D, F_H, F_G, F_M, F_N };

/* The frame detail of this process, parsed; NULL with a message. */
static struct vt_report *own_frames(char *err, size_t len)
{
	struct vt_report *r = calloc(1, sizeof(*r));
	char *text = vt_read_file(VMVIZ_FRAMES "/self", NULL), *body;

	if (!r || !text) {
		snprintf(err, len, "frames/self: %s", strerror(errno));
		free(text);
		free(r);
		return NULL;
	}
	if (strncmp(text, "vmviz-format 2\ndetail frames tables\n", 36)) {
		snprintf(err, len, "frames/self: no 'detail frames tables' line");
		free(text);
		free(r);
		return NULL;
	}
	body = vt_frames_body(text);
	free(text);
	if (!body || vt_parse(body, r, err, len)) {
		free(body);
		free(r);
		return NULL;
	}
	free(body);
	return r;
}

/*
 * Whether this boot isolates page tables: the "pti" flag of /proc/cpuinfo
 * (X86_FEATURE_PTI). Not the meltdown file of /sys, which says "Not
 * affected" on a CPU without the bug even when pti=on forces PTI.
 */
static int pti_on(void)
{
	char *s = vt_read_file("/proc/cpuinfo", NULL), *flags;
	int on = 0;

	flags = s ? strstr(s, "\nflags") : NULL;
	if (flags) {
		char *nl = strchr(flags + 1, '\n');

		if (nl)
			*nl = '\0';
		on = strstr(flags, " pti ") || (strlen(flags) > 4 &&
			!strcmp(flags + strlen(flags) - 4, " pti"));
	}
	free(s);
	return on;
}

/* The span of one entry of an upper line's level, from its size word. */
static unsigned long upper_span(const char *size)
{
	if (!strcmp(size, "2M"))
		return 1UL << 21;
	if (!strcmp(size, "1G"))
		return 1UL << 30;
	if (!strcmp(size, "512G"))
		return 1UL << 39;
	if (!strcmp(size, "256T"))
		return 1UL << 48;
	return 0;
}

/*
 * The upper line of @level that covers @addr, or NULL: one in the whole
 * report, under the VMA @vma or one before it (an entry is shown once,
 * under the first VMA whose walk went down through it).
 */
static const struct vt_upper *upper_at(const struct vt_report *r, int vma,
				       const char *level, unsigned long addr)
{
	const struct vt_upper *found = NULL;
	int i;

	for (i = 0; i < r->nuppers; i++) {
		const struct vt_upper *u = &r->uppers[i];

		if (u->vma <= vma && !strcmp(u->level, level) &&
		    u->start <= addr && addr < u->end) {
			if (found)
				return NULL;	/* two: as bad as none */
			found = u;
		}
	}
	return found;
}

/*
 * Check the upper lines of @r: each well formed, and the levels above every
 * page line there once each. Returns the number of faults, each logged.
 */
static int check_uppers(struct __test_metadata *_metadata,
			const struct vt_report *r, int pti)
{
	static const char *const above[][4] = {
		/* 4-level: the top level is the PGD */
		{ "pmd", "pud", "pgd", NULL },	/* above a PTE */
		{ "pud", "pgd", NULL },		/* above a PMD leaf */
		{ "pgd", NULL },		/* above a PUD leaf */
	};
	static const char *const above5[][5] = {
		{ "pmd", "pud", "p4d", "pgd", NULL },
		{ "pud", "p4d", "pgd", NULL },
		{ "p4d", "pgd", NULL },
	};
	int i, j, bad = 0;

	for (i = 0; i < r->nuppers; i++) {
		const struct vt_upper *u = &r->uppers[i];
		unsigned long span = upper_span(u->size);
		const char *want = !strcmp(u->level, "pmd") ? "2M" :
				   !strcmp(u->level, "pud") ? "1G" :
				   !strcmp(u->level, "p4d") ? "512G" :
				   r->levels == 5 ? "256T" : "512G";
		int top = !strcmp(u->level, "pgd");

		if (strcmp(u->size, want) || !span || u->start % span ||
		    u->end % span || (u->end - u->start) / span != u->count ||
		    u->flags[F_P] != 'P' || u->flags[F_U] != 'U' ||
		    u->flags[F_H] != '-' || !strchr("+-=", u->step) ||
		    (r->levels == 4 && !strcmp(u->level, "p4d"))) {
			TH_LOG("bad upper line: %s %lx-%lx %lu %s %s %c",
			       u->level, u->start, u->end, u->count, u->size,
			       u->flags, u->step);
			bad++;
		}
		/* PTI: the kernel's copy has NX, user mode's copy has not. */
		if (top && pti ? strlen(u->ucopy) != 11 || u->flags[F_N] != 'N' ||
				 u->ucopy[F_N] != '-' || u->ucopy[F_U] != 'U' :
				 strcmp(u->ucopy, "-")) {
			TH_LOG("pgd %lx-%lx: flags %s ucopy %s with PTI %s",
			       u->start, u->end, u->flags, u->ucopy, pti ? "on" : "off");
			bad++;
		}
	}
	for (i = 0; i < r->npages; i++) {
		const struct vt_page *p = &r->pages[i];
		int l = !strcmp(p->level, "pte") ? 0 : !strcmp(p->level, "pmd") ? 1 : 2;
		const char *const *lv = r->levels == 5 ? above5[l] : above[l];

		/* A run can cross entries above it: its first and last page. */
		for (j = 0; lv[j]; j++) {
			if (upper_at(r, p->vma, lv[j], p->start) &&
			    upper_at(r, p->vma, lv[j], p->end - 1))
				continue;
			TH_LOG("page line %s %lx-%lx: not one %s upper line above its ends",
			       p->level, p->start, p->end, lv[j]);
			bad++;
		}
		if (!strcmp(p->state, "present") || !strcmp(p->state, "protnone") ?
		    !p->eff[0] || (strlen(p->eff) != 1 && strlen(p->eff) != 3) ||
		    (strlen(p->eff) == 1 && p->eff[0] != '=') :
		    strcmp(p->eff, "-")) {
			TH_LOG("page line %lx-%lx state %s: eff '%s'", p->start,
			       p->end, p->state, p->eff);
			bad++;
		}
	}
	return bad;
}

TEST(upper_lines_lead_to_every_leaf)
{
	char err[256];
	struct vt_report *r;
	int pti = pti_on(), i, pgds = 0;
	char *thp = mmap(NULL, 4UL << 20, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail");
	ASSERT_NE(MAP_FAILED, thp);
	/* A PMD leaf too, where THP gives one. */
	madvise(thp, 4UL << 20, MADV_HUGEPAGE);
	memset(thp, 1, 4UL << 20);
	r = own_frames(err, sizeof(err));
	ASSERT_NE(NULL, r) TH_LOG("%s", err);
	EXPECT_LT(0, r->nuppers);
	EXPECT_EQ(0, check_uppers(_metadata, r, pti));
	for (i = 0; i < r->nuppers; i++)
		pgds += !strcmp(r->uppers[i].level, "pgd");
	EXPECT_LT(0, pgds);
	printf("# vmviz-figures tables: self %d page lines, %d upper lines (%d pgd), %d levels, PTI %s\n",
	       r->npages, r->nuppers, pgds, r->levels, pti ? "on" : "off");
	vt_free(r);
	free(r);
	munmap(thp, 4UL << 20);
}

/*
 * Every table an upper line points to is a page table by the kernel's own
 * account: /proc/kpageflags sets KPF_PGTABLE on pages with PG_table, which
 * the constructors of PTE and PMD tables set (pagetable_pte_ctor() and
 * pagetable_pmd_ctor(), pgtable_pte_page_ctor() on 5.10). PUD and P4D
 * tables and the PGD get it on some kernels only: counted, not required.
 */
TEST(tables_are_page_tables)
{
	unsigned long long kf;
	struct vt_report *r;
	int fd, i, j, checked = 0, bad = 0, upper_pt = 0, upper_n = 0, retried = 0;
	char err[256];

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail");
	fd = open("/proc/kpageflags", O_RDONLY);
	ASSERT_LE(0, fd);
again:
	r = own_frames(err, sizeof(err));
	ASSERT_NE(NULL, r) TH_LOG("%s", err);
	for (i = 0; i < r->nuppers; i++) {
		const struct vt_upper *u = &r->uppers[i];
		int must = !strcmp(u->level, "pmd") || !strcmp(u->level, "pud");

		for (j = 0; j < (int)u->count; j++) {
			unsigned long pfn = u->pfn + (u->step == '+' ? j :
					    u->step == '-' ? -j : 0);

			ASSERT_EQ(0, vt_pread64(fd, pfn, &kf));
			if (!must) {
				upper_n++;
				upper_pt += !!(kf & (1ULL << KPF_PGTABLE));
				continue;
			}
			checked++;
			if (!(kf & (1ULL << KPF_PGTABLE))) {
				TH_LOG("%s entry at %lx: table pfn %lx flags %llx: not a page table",
				       u->level, u->start + j * upper_span(u->size), pfn, kf);
				bad++;
			}
		}
	}
	printf("# vmviz-figures tables: %d PTE and PMD tables are page tables by kpageflags, %d bad; PUD/P4D tables: %d of %d\n",
	       checked, bad, upper_pt, upper_n);
	/* A table freed between the two reads (reclaim, khugepaged): again. */
	if (bad && !retried++) {
		vt_free(r);
		free(r);
		checked = bad = upper_pt = upper_n = 0;
		goto again;
	}
	EXPECT_LT(0, checked);
	EXPECT_EQ(0, bad);
	close(fd);
	vt_free(r);
	free(r);
}

/* What an access did: no fault, a fault the kernel fixed, or SIGSEGV. */
enum outcome { DONE, FIXED, SEGV };
static const char *const outcome_names[] = { "done", "fixed", "SIGSEGV" };

static sigjmp_buf touch_env;

static void on_segv(int sig)
{
	siglongjmp(touch_env, 1);
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

/* Read (0), write (1) or fetch and run (2) the page at @p. */
static enum outcome touch(char *p, int how)
{
	volatile char *v = p;
	long before;

	before = minflt();
	if (sigsetjmp(touch_env, 1))
		return SEGV;
	if (how == 0)
		(void)v[8];
	else if (how == 1)
		v[8] = 2;
	else
		((void (*)(void))p)();
	return minflt() == before ? DONE : FIXED;
}

/*
 * What the report says an access will do (the rules vmviz explain states,
 * docs/FORMAT.md "Upper lines"): the VMA must allow it, or SIGSEGV; an
 * entry not present (not populated, PROT_NONE by NUMA hinting, swap) is
 * a fault the kernel fixes; a present one does it unless its effective
 * permission lacks U (any access), W (write) or has N (fetch), where the
 * kernel fixes the fault (copy on write, write notification).
 */
static enum outcome predict(const struct vt_report *r, char *addr, int how,
			    const char **why)
{
	const struct vt_vma *v = vt_vma_at(r, (unsigned long)addr);
	const struct vt_page *p = vt_page_at(r, (unsigned long)addr, NULL);
	char w, u, n;

	*why = "no vma";
	if (!v)
		return SEGV;
	*why = "vma permission";
	if (v->perm[how] == '-')
		return SEGV;
	*why = "not present";
	if (!p || strcmp(p->state, "present"))
		return FIXED;
	if (!strcmp(p->eff, "=")) {
		w = p->flags[F_W];
		u = p->flags[F_U];
		n = p->flags[F_N];
	} else {
		w = p->eff[0];
		u = p->eff[1];
		n = p->eff[2];
	}
	*why = "effective permission";
	if (u == '-' || (how == 1 && w == '-') || (how == 2 && n == 'N'))
		return FIXED;
	*why = "effective permission allows it";
	return DONE;
}

/* NUMA hinting would make pages PROT_NONE under the test: off meanwhile. */
FIXTURE(touches) {
	char *numa_balancing;
};

FIXTURE_SETUP(touches)
{
	self->numa_balancing = vt_read_file("/proc/sys/kernel/numa_balancing", NULL);
	if (self->numa_balancing && self->numa_balancing[0] != '0')
		vt_write("/proc/sys/kernel/numa_balancing", "0");
}

FIXTURE_TEARDOWN(touches)
{
	if (self->numa_balancing && self->numa_balancing[0] != '0')
		vt_write("/proc/sys/kernel/numa_balancing", self->numa_balancing);
	free(self->numa_balancing);
}

TEST_F(touches, effective_permission_predicts_touches)
{
	static const struct {
		const char *name;
		int prot;	/* after the pages are written */
		int cow;	/* a child shares the pages */
		int populate;
		enum outcome want[3];	/* read, write, fetch: what Linux does */
	} regions[] = {
		{ "rw", PROT_READ | PROT_WRITE, 0, 1, { DONE, DONE, SEGV } },
		{ "rwx", PROT_READ | PROT_WRITE | PROT_EXEC, 0, 1, { DONE, DONE, DONE } },
		{ "ro", PROT_READ, 0, 1, { DONE, SEGV, SEGV } },
		{ "rx", PROT_READ | PROT_EXEC, 0, 1, { DONE, SEGV, DONE } },
		{ "none", PROT_NONE, 0, 1, { SEGV, SEGV, SEGV } },
		{ "cow", PROT_READ | PROT_WRITE, 1, 1, { DONE, FIXED, SEGV } },
		{ "empty", PROT_READ | PROT_WRITE, 0, 0, { FIXED, FIXED, SEGV } },
	};
	const int n = sizeof(regions) / sizeof(regions[0]);
	char *base[sizeof(regions) / sizeof(regions[0])];
	struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_NODEFER };
	static char altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	char err[256], stackwarm[16384];
	struct vt_report *r;
	int i, how, status, bad = 0;
	pid_t child = -1;

	VMVIZ_REQUIRE();
	if (access(VMVIZ_FRAMES, F_OK))
		SKIP(return, "no frame detail");
	/* Faults of the stacks while touching would count as the page's. */
	memset(stackwarm, 0, sizeof(stackwarm));
	memset(altstack, 0, sizeof(altstack));
	memset(&touch_env, 0, sizeof(touch_env));
	ASSERT_EQ(0, sigaltstack(&ss, NULL));
	sa.sa_flags |= SA_ONSTACK;
	ASSERT_EQ(0, sigaction(SIGSEGV, &sa, NULL));
	for (i = 0; i < n; i++) {
		base[i] = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, base[i]);
		madvise(base[i], 3 * PG, MADV_NOHUGEPAGE);
		if (regions[i].populate) {
			/* ret: the fetch of each page runs one instruction. */
			memset(base[i], 0xc3, 3 * PG);
			ASSERT_EQ(0, mprotect(base[i], 3 * PG, regions[i].prot));
		}
	}
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		pause();
		_exit(0);
	}
	/*
	 * The fork left every page shared and write-protected: a write makes
	 * the writable ones this process's own again, but the "cow" ones.
	 * Read-only pages stay shared: their entries lack W either way.
	 */
	for (i = 0; i < n; i++)
		if (!regions[i].cow && regions[i].populate &&
		    regions[i].prot & PROT_WRITE)
			memset(base[i], 0xc3, 3 * PG);
	/* touch()'s own code and stack faulted in: only the page counts. */
	touch(stackwarm, 0);
	touch(stackwarm, 1);
	r = own_frames(err, sizeof(err));
	ASSERT_NE(NULL, r) TH_LOG("%s", err);
	EXPECT_EQ(0, check_uppers(_metadata, r, pti_on()));
	for (i = 0; i < n; i++) {
		for (how = 0; how < 3; how++) {
			char *page = base[i] + how * PG;
			const struct vt_page *p = vt_page_at(r, (unsigned long)page, NULL);
			const char *why;
			enum outcome want = predict(r, page, how, &why);
			enum outcome got = touch(page, how);

			printf("# vmviz-figures tables: %-5s %-5s %-8s %s eff %-3s: predicted %s (%s), got %s\n",
			       regions[i].name, how == 0 ? "read" : how == 1 ? "write" : "fetch",
			       p ? p->state : "-", p ? p->flags : "-----------",
			       p ? p->eff : "-", outcome_names[want], why, outcome_names[got]);
			if (want != got || got != regions[i].want[how]) {
				TH_LOG("%s %s: the report predicted %s (%s), the page did %s, Linux should %s",
				       regions[i].name, how == 0 ? "read" : how == 1 ? "write" : "fetch",
				       outcome_names[want], why, outcome_names[got],
				       outcome_names[regions[i].want[how]]);
				bad++;
			}
		}
	}
	EXPECT_EQ(0, bad);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	vt_free(r);
	free(r);
	for (i = 0; i < n; i++)
		munmap(base[i], 3 * PG);
}

/*
 * The user half as the x86 ptdump shows it (CONFIG_PTDUMP_DEBUGFS: the
 * project's debug kernel): /sys/kernel/debug/page_tables/current_kernel
 * walks the reader's own mm (and current_user, with PTI, its user-mode
 * copy). Its lines end where the leaf's flags, the effective permission
 * or the level change (note_page(), arch/x86/mm/dump_pagetables.c); it
 * prints the leaf's own flags. Present ranges only, adjacent equal ones
 * merged, compared with this process's page lines merged the same way.
 */
#define PTDUMP_DIR	"/sys/kernel/debug/page_tables"
#define DUMP_MAX	(8UL << 20)

struct urange {
	unsigned long start, end;
	char level[4];
	char flags[8];		/* U W T C M G N */
};

static char dump_buf[DUMP_MAX], rep_buf[2][DUMP_MAX];

/* Read @path whole into @buf with read() alone: no allocation. */
static long read_into(const char *path, char *buf)
{
	long n = 0, got;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((got = read(fd, buf + n, DUMP_MAX - 1 - n)) > 0)
		n += got;
	close(fd);
	buf[n] = '\0';
	return got < 0 ? -1 : n;
}

static int urange_add(struct urange *r, int n, const struct urange *u)
{
	if (n && r[n - 1].end == u->start && !strcmp(r[n - 1].level, u->level) &&
	    !strcmp(r[n - 1].flags, u->flags)) {
		r[n - 1].end = u->end;
		return n;
	}
	r[n] = *u;
	return n + 1;
}

/* ptdump's present lines below @half: "0xS-0xE SIZE USR RW ... LEVEL". */
static int ptdump_user(char *text, unsigned long half, struct urange *r, int max)
{
	char *line, *save = NULL, *lv;
	struct urange u;
	int n = 0;

	for (line = strtok_r(text, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "0x%lx-0x%lx", &u.start, &u.end) != 2 || u.start >= half)
			continue;
		if (!strstr(line, " RW ") && !strstr(line, " ro "))
			continue;	/* not present: no flag columns */
		lv = strrchr(line, ' ');
		if (!lv || strlen(lv + 1) > 3)
			continue;
		snprintf(u.level, sizeof(u.level), "%s", lv + 1);
		snprintf(u.flags, sizeof(u.flags), "%c%c%c%c%c%c%c",
			 strstr(line, " USR ") ? 'U' : '-', strstr(line, " RW ") ? 'W' : '-',
			 strstr(line, " PWT ") ? 'T' : '-', strstr(line, " PCD ") ? 'C' : '-',
			 strstr(line, " PAT ") ? 'M' : '-', strstr(line, " GLB ") ? 'G' : '-',
			 strstr(line, " NX ") ? 'N' : '-');
		n = urange_add(r, n, &u);
	}
	return n;
}

/* The present page lines of @rep, as ptdump shows them. */
static int vmviz_user(const struct vt_report *rep, struct urange *r, int max)
{
	struct urange u;
	int i, n = 0;

	for (i = 0; i < rep->npages && n < max; i++) {
		const struct vt_page *p = &rep->pages[i];
		const char *f = p->flags;	/* P W U T C A D H G M N */

		if (strcmp(p->state, "present"))
			continue;
		u.start = p->start;
		u.end = p->end;
		snprintf(u.level, sizeof(u.level), "%s", p->level);
		snprintf(u.flags, sizeof(u.flags), "%c%c%c%c%c%c%c",
			 f[F_U] == 'U' ? 'U' : '-', f[F_W] == 'W' ? 'W' : '-',
			 f[F_T] == 'T' ? 'T' : '-', f[F_C] == 'C' ? 'C' : '-',
			 f[F_M] == 'M' ? 'M' : '-', f[F_G] == 'G' ? 'G' : '-',
			 f[F_N] == 'N' ? 'N' : '-');
		n = urange_add(r, n, &u);
	}
	return n;
}

static void ptdump_user_compare(struct __test_metadata *_metadata, const char *file)
{
	static struct urange pr[65536], vr[65536];
	struct vt_report rep;
	char path[128], err[256];
	int attempt, np = 0, nv = 0, i, diff = 0;
	unsigned long half;

	snprintf(path, sizeof(path), PTDUMP_DIR "/%s", file);
	if (access(path, R_OK))
		SKIP(return, "no %s (a kernel without CONFIG_PTDUMP_DEBUGFS, or no PTI)", path);
	/* Every page the reads write to is mapped before they begin. */
	memset(dump_buf, 0, sizeof(dump_buf));
	memset(rep_buf, 0, sizeof(rep_buf));
	for (attempt = 0; attempt < 10; attempt++) {
		ASSERT_LT(0, read_into(VMVIZ_DIR "/self", rep_buf[0]));
		ASSERT_LT(0, read_into(path, dump_buf));
		ASSERT_LT(0, read_into(VMVIZ_DIR "/self", rep_buf[1]));
		/* The two reports alike but for their time stamps. */
		if (!strcmp(strstr(rep_buf[0], "\nvma ") ?: "", strstr(rep_buf[1], "\nvma ") ?: ""))
			break;
	}
	ASSERT_GT(10, attempt) TH_LOG("this process's mappings kept changing");
	ASSERT_EQ(0, vt_parse(rep_buf[0], &rep, err, sizeof(err))) TH_LOG("%s", err);
	half = rep.levels == 5 ? 1UL << 56 : 1UL << 47;
	np = ptdump_user(dump_buf, half, pr, 65536);
	nv = vmviz_user(&rep, vr, 65536);
	for (i = 0; i < np || i < nv; i++) {
		if (i < np && i < nv && pr[i].start == vr[i].start && pr[i].end == vr[i].end &&
		    !strcmp(pr[i].level, vr[i].level) && !strcmp(pr[i].flags, vr[i].flags))
			continue;
		if (diff++ < 10)
			TH_LOG("%s %lx-%lx %s %s / vmviz %lx-%lx %s %s", file,
			       i < np ? pr[i].start : 0, i < np ? pr[i].end : 0,
			       i < np ? pr[i].level : "-", i < np ? pr[i].flags : "-",
			       i < nv ? vr[i].start : 0, i < nv ? vr[i].end : 0,
			       i < nv ? vr[i].level : "-", i < nv ? vr[i].flags : "-");
	}
	printf("# vmviz-figures tables: ptdump %s user half: %d ranges, vmviz %d, %d differ\n",
	       file, np, nv, diff);
	EXPECT_LT(0, np);
	EXPECT_EQ(0, diff);
	vt_free(&rep);
}

TEST(ptdump_current_kernel_user_half)
{
	VMVIZ_REQUIRE();
	ptdump_user_compare(_metadata, "current_kernel");
}

TEST(ptdump_current_user_user_half)
{
	VMVIZ_REQUIRE();
	ptdump_user_compare(_metadata, "current_user");
}

TEST_HARNESS_MAIN
