/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmviz selftests: reading whole files, tracking a PID
 * and fetching its report, and parsing the report's documented lines.
 */
#ifndef VMVIZ_TEST_H
#define VMVIZ_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <signal.h>

#include "kselftest_harness.h"

/*
 * The harness gives a test 30 s: enough natively, not under emulation on
 * a loaded host, nor on a KASAN kernel (a 1 GiB hugetlb fault, hundreds of
 * processes). A test must not fail because a kernel is slower; a hung one
 * is still caught, by this and by the rig's run timeout.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300

/* madvise() advice newer than some libc headers. */
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define VMVIZ_DIR	"/proc/vmviz"
#define VMVIZ_TRACK	VMVIZ_DIR "/track"
#define VMVIZ_UNTRACK	VMVIZ_DIR "/untrack"

/* Skip (kselftest exit 4) unless root and the module is loaded. */
#define VMVIZ_REQUIRE()							\
	do {								\
		if (geteuid() != 0)					\
			SKIP(return, "needs root");			\
		if (access(VMVIZ_DIR, F_OK) != 0)			\
			SKIP(return, "vmviz module not loaded");	\
	} while (0)

/*
 * How reports are read: 0 reads as much as fits at once; anything else is
 * the size of every read() (1: a byte at a time; an odd size cuts lines).
 */
static size_t vt_chunk;

/* The read sizes every cross-check is run with. */
static const size_t vt_chunks[] = { 0, 1, 4093 };
#define VT_NCHUNKS	(sizeof(vt_chunks) / sizeof(vt_chunks[0]))

/* Read a whole file into a NUL-terminated malloc'd buffer; NULL + errno. */
static inline char *vt_read_file_by(const char *path, size_t *lenp, size_t chunk)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || !buf) {
		int e = errno;

		free(buf);
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, chunk && chunk < cap - len - 1 ? chunk : cap - len - 1);
		if (n < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

static inline char *vt_read_file(const char *path, size_t *lenp)
{
	return vt_read_file_by(path, lenp, 0);
}

/* The names in /proc/vmviz, in readdir order, blank separated. */
static inline void vt_list_dir(char *out, size_t len)
{
	struct dirent *d;
	DIR *dir = opendir(VMVIZ_DIR);

	out[0] = '\0';
	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (strlen(out) + strlen(d->d_name) + 2 < len) {
			strcat(out, d->d_name);
			strcat(out, " ");
		}
	closedir(dir);
}

/* Write a string to a control file; returns 0 or -errno. */
static inline int vt_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	e = n < 0 ? -errno : 0;
	close(fd);
	return e;
}

static inline int vt_track(pid_t pid)
{
	char s[32];

	snprintf(s, sizeof(s), "%d\n", pid);
	return vt_write(VMVIZ_TRACK, s);
}

static inline int vt_untrack(pid_t pid)
{
	char s[32];

	snprintf(s, sizeof(s), "%d\n", pid);
	return vt_write(VMVIZ_UNTRACK, s);
}

/*
 * Identities a test's child takes before it opens vmviz files: 0 done,
 * 2 failed, 3 not supported here (user namespaces disabled).
 */
static inline int vt_drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return 2;
	data[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &hdr, data) ? 2 : 0;
}

/* All capabilities in a new user namespace, none in the initial one. */
static inline int vt_enter_user_ns(void)
{
	return unshare(CLONE_NEWUSER) ? 3 : 0;
}

/*
 * Read what child @pid writes to @fd until it closes it (into @out, NUL
 * terminated, at most @len - 1 bytes), then reap it: its exit status, or
 * -1 if it did not exit.
 */
static inline int vt_child_output(pid_t pid, int fd, char *out, size_t len)
{
	size_t got = 0;
	ssize_t k;
	int status;

	while (pid > 0 && (k = read(fd, out + got, len - 1 - got)) > 0)
		got += k;
	out[got] = '\0';
	close(fd);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Track pid and read its whole report, vt_chunk at a time; NULL + errno. */
static inline char *vt_report(pid_t pid)
{
	char path[64];
	int err = vt_track(pid);

	if (err) {
		errno = -err;
		return NULL;
	}
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", pid);
	return vt_read_file_by(path, NULL, vt_chunk);
}

/*
 * A parsed report (docs/FORMAT.md). Every line is kept: the header values
 * by name, the VMA lines and the page lines, each page line knowing the VMA
 * line above it.
 */
struct vt_vma {
	unsigned long start, end;
	char perm[5];
	unsigned long long offset;
	char name[512];		/* unescaped */
	char seg[16];
	unsigned long flags;
	char vm[256];
	unsigned long long prot;
	char protflags[12];
	int anon, pkey;
	/* From the VMA's sum line: the range its page lines cover, counts. */
	unsigned long sum_start, sum_end;
	unsigned long present, dirty, accessed, writable, huge, swapped, nonpresent;
	int summed;
};

struct vt_page {
	char level[4];
	unsigned long start, end, count;
	char size[3];
	char state[10];
	char flags[12];
	unsigned long pfn;
	char step;
	int sd, pkey, swaptype;	/* swaptype -1 for '-' */
	int vma;		/* index into vmas */
	/* Frame detail only (frame[0] is 0 otherwise); -1 for '-'. */
	char kind[8], fflags[12];
	int order, node, map_lo, map_hi;
	long referenced, active;	/* entries with R, with A; -1: '-' or absent */
	char eff[4];		/* "=", "WUN"-style, "-"; "" where absent */
};

/* An upper line of the frame detail (docs/FORMAT.md, "Upper lines"). */
struct vt_upper {
	char level[4];
	unsigned long start, end, count;
	char size[5];
	char flags[12];
	unsigned long pfn;	/* of the first entry's table */
	char step;
	char ucopy[12];		/* the PTI user copy's flags, or "-" */
	int vma;		/* index into vmas */
};

struct vt_kv {
	char name[16];
	unsigned long val;
};

struct vt_report {
	int version;
	char release[128], boot_id[40];
	unsigned long long time_ns, boottime_ns;
	int pid, tgid;
	char kind[16], state, comm[64];
	char mm_id[17], active[8];
	int users, count;
	int levels;
	unsigned long task_size, mmap_base;
	char layout[16];
	struct vt_kv fields[32], counters[32], seg_start[16], seg_end[16];
	int nfields, ncounters, nsegs;
	struct vt_vma *vmas;
	int nvmas;
	struct vt_page *pages;
	int npages;
	struct vt_upper *uppers;
	int nuppers;
	int ended;		/* the end line was read and its totals agree */
};

/* Undo the \ooo escapes of names and comm. */
static inline void vt_unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*d++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Look up NAME in a VMA line's key/value pairs; the value as a string. */
static inline const char *vt_key(const char *line, const char *name, char *out, size_t len)
{
	char pat[40];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), " %s ", name);
	p = strstr(line, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	n = strcspn(p, " \n");
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

static inline unsigned long vt_key_ul(const char *line, const char *name, int base)
{
	char v[64];

	if (!vt_key(line, name, v, sizeof(v)))
		return (unsigned long)-1;
	return strtoul(v, NULL, base);
}

static inline void vt_free(struct vt_report *r)
{
	free(r->vmas);
	free(r->pages);
	free(r->uppers);
	memset(r, 0, sizeof(*r));
}

/*
 * Parse report text. Returns 0, or -1 with a message in @err when a line
 * does not follow the documented format.
 */
static inline int vt_parse(const char *text, struct vt_report *r, char *err, size_t errlen)
{
	const char *line = text, *nl;
	int capv = 64, capp = 256, capu = 64;
	char buf[4096];

	memset(r, 0, sizeof(*r));
	r->vmas = calloc(capv, sizeof(*r->vmas));
	r->pages = calloc(capp, sizeof(*r->pages));
	r->uppers = calloc(capu, sizeof(*r->uppers));
	for (; *line; line = nl + 1) {
		size_t n;

		nl = strchr(line, '\n');
		if (!nl) {
			snprintf(err, errlen, "unterminated last line");
			return -1;
		}
		n = nl - line;
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, line, n);
		buf[n] = '\0';
#define BAD() do { snprintf(err, errlen, "bad line: %.200s", buf); return -1; } while (0)
		if (r->ended) {
			snprintf(err, errlen, "a line after the end line: %.200s", buf);
			return -1;
		}
		if (!strncmp(buf, "vmviz-format ", 13)) {
			if (strcmp(buf, "vmviz-format 2"))
				BAD();
			r->version = 2;
		} else if (!strncmp(buf, "report ", 7)) {
			unsigned long long s1, n1, s2, n2;

			if (sscanf(buf, "report kernel %127s boot %39s time %llu.%9llu boottime %llu.%9llu",
				   r->release, r->boot_id, &s1, &n1, &s2, &n2) != 6)
				BAD();
			r->time_ns = s1 * 1000000000ULL + n1;
			r->boottime_ns = s2 * 1000000000ULL + n2;
		} else if (!strncmp(buf, "task ", 5)) {
			if (sscanf(buf, "task pid %d tgid %d kind %15s state %c comm %63s",
				   &r->pid, &r->tgid, r->kind, &r->state, r->comm) != 5)
				BAD();
			vt_unescape(r->comm);
		} else if (!strncmp(buf, "mm ", 3)) {
			if (sscanf(buf, "mm id %16s users %d count %d active %7s",
				   r->mm_id, &r->users, &r->count, r->active) != 4)
				BAD();
		} else if (!strncmp(buf, "geometry ", 9)) {
			if (sscanf(buf, "geometry page_size %*u levels %d task_size %lx mmap_base %lx mmap_window %*x layout %15s",
				   &r->levels, &r->task_size, &r->mmap_base, r->layout) != 4)
				BAD();
		} else if (!strncmp(buf, "space ", 6)) {
			/* checked by the tests that need it */
		} else if (!strncmp(buf, "field ", 6) && r->nfields < 32) {
			struct vt_kv *kv = &r->fields[r->nfields++];

			if (sscanf(buf, "field %15s %lx", kv->name, &kv->val) != 2)
				BAD();
		} else if (!strncmp(buf, "counter ", 8) && r->ncounters < 32) {
			struct vt_kv *kv = &r->counters[r->ncounters++];

			if (sscanf(buf, "counter %15s %lu", kv->name, &kv->val) != 2)
				BAD();
		} else if (!strncmp(buf, "segment ", 8) && r->nsegs < 16) {
			struct vt_kv *s0 = &r->seg_start[r->nsegs], *s1 = &r->seg_end[r->nsegs];

			if (sscanf(buf, "segment %15s %lx-%lx", s0->name, &s0->val, &s1->val) != 3)
				BAD();
			strcpy(s1->name, s0->name);
			r->nsegs++;
		} else if (!strncmp(buf, "vma ", 4)) {
			struct vt_vma *v;
			char tmp[64];

			if (r->nvmas == capv) {
				capv *= 2;
				r->vmas = realloc(r->vmas, capv * sizeof(*r->vmas));
			}
			v = &r->vmas[r->nvmas];
			memset(v, 0, sizeof(*v));
			if (sscanf(buf, "vma %lx-%lx %4s %llx %511s", &v->start, &v->end,
				   v->perm, &v->offset, v->name) != 5)
				BAD();
			vt_unescape(v->name);
			if (!vt_key(buf, "seg", v->seg, sizeof(v->seg)) ||
			    !vt_key(buf, "vm", v->vm, sizeof(v->vm)) ||
			    !vt_key(buf, "protflags", v->protflags, sizeof(v->protflags)) ||
			    !vt_key(buf, "flags", tmp, sizeof(tmp)))
				BAD();
			v->flags = strtoul(tmp, NULL, 16);
			v->prot = vt_key_ul(buf, "prot", 16);
			v->anon = vt_key_ul(buf, "anon", 10);
			v->pkey = vt_key_ul(buf, "pkey", 10);
			if (v->pkey == -1 || (r->nvmas && !r->vmas[r->nvmas - 1].summed))
				BAD();
			r->nvmas++;
		} else if (!strncmp(buf, "sum ", 4)) {
			struct vt_vma *v = r->nvmas ? &r->vmas[r->nvmas - 1] : NULL;

			if (!v || v->summed ||
			    sscanf(buf, "sum %lx-%lx", &v->sum_start, &v->sum_end) != 2)
				BAD();
			v->present = vt_key_ul(buf, "present", 10);
			v->dirty = vt_key_ul(buf, "dirty", 10);
			v->accessed = vt_key_ul(buf, "accessed", 10);
			v->writable = vt_key_ul(buf, "writable", 10);
			v->huge = vt_key_ul(buf, "huge", 10);
			v->swapped = vt_key_ul(buf, "swapped", 10);
			v->nonpresent = vt_key_ul(buf, "nonpresent", 10);
			if (v->nonpresent == (unsigned long)-1)
				BAD();
			v->summed = 1;
		} else if (!strncmp(buf, "end ", 4)) {
			int nv, np;

			if (sscanf(buf, "end vmas %d pagelines %d", &nv, &np) != 2 ||
			    nv != r->nvmas || np != r->npages ||
			    (r->nvmas && !r->vmas[r->nvmas - 1].summed))
				BAD();
			r->ended = 1;
		} else if (!strncmp(buf, "  upper ", 8)) {
			struct vt_upper *u;
			char pfn[24], st[4];

			if (r->nuppers == capu) {
				capu *= 2;
				r->uppers = realloc(r->uppers, capu * sizeof(*r->uppers));
			}
			u = &r->uppers[r->nuppers];
			memset(u, 0, sizeof(*u));
			if (sscanf(buf, "  upper %3s %lx-%lx %lu %4s %11s %23s %3s %11s",
				   u->level, &u->start, &u->end, &u->count, u->size,
				   u->flags, pfn, st, u->ucopy) != 9 ||
			    strlen(u->flags) != 11 || strlen(st) != 1 || !r->nvmas ||
			    r->vmas[r->nvmas - 1].summed)
				BAD();
			u->pfn = strtoul(pfn, NULL, 16);
			u->step = st[0];
			u->vma = r->nvmas - 1;
			r->nuppers++;
		} else if (!strncmp(buf, "  ", 2)) {
			struct vt_page *p;
			char pfn[24], st[4], sd[4], pk[4], swt[8], ord[8], nod[8], map[32];
			char ref[24], act[24], eff[8];
			int used = 0, nf;

			if (r->npages == capp) {
				capp *= 2;
				r->pages = realloc(r->pages, capp * sizeof(*r->pages));
			}
			p = &r->pages[r->npages];
			memset(p, 0, sizeof(*p));
			if (sscanf(buf, " %3s %lx-%lx %lu %2s %9s %11s %23s %3s %3s %3s %7s%n",
				   p->level, &p->start, &p->end, &p->count, p->size,
				   p->state, p->flags, pfn, st, sd, pk, swt, &used) != 12 ||
			    strlen(p->flags) != 11 || !r->nvmas || r->vmas[r->nvmas - 1].summed)
				BAD();
			nf = sscanf(buf + used, " %7s %11s %7s %7s %31s %23s %23s %7s",
				    p->kind, p->fflags, ord, nod, map, ref, act, eff);
			p->referenced = p->active = -1;
			if (nf == 8) {
				if (strlen(eff) > 3)
					BAD();
				strcpy(p->eff, eff);
			}
			if (nf == 7 || nf == 8) {
				p->referenced = ref[0] == '-' ? -1 : atol(ref);
				p->active = act[0] == '-' ? -1 : atol(act);
			}
			if (nf == 5 || nf == 7 || nf == 8) {
				char *dash;

				p->order = ord[0] == '-' ? -1 : atoi(ord);
				p->node = nod[0] == '-' ? -1 : atoi(nod);
				p->map_lo = map[0] == '-' ? -1 : atoi(map);
				dash = strchr(map + 1, '-');
				p->map_hi = dash ? atoi(dash + 1) : p->map_lo;
				if (strlen(p->fflags) != 10)
					BAD();
			} else if (nf > 0) {
				BAD();
			}
			p->pfn = strtoul(pfn, NULL, 16);
			p->step = st[0];
			p->sd = atoi(sd);
			p->pkey = atoi(pk);
			p->swaptype = swt[0] == '-' ? -1 : atoi(swt);
			p->vma = r->nvmas - 1;
			r->npages++;
		} else {
			BAD();
		}
#undef BAD
	}
	if (r->version != 2) {
		snprintf(err, errlen, "no vmviz-format 2 line");
		return -1;
	}
	if (!r->ended) {
		snprintf(err, errlen, "no end line: the report was cut");
		return -1;
	}
	return 0;
}

static inline unsigned long vt_kv_get(const struct vt_kv *kv, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].name, name))
			return kv[i].val;
	return (unsigned long)-1;
}

#define vt_field(r, name)	vt_kv_get((r)->fields, (r)->nfields, name)
#define vt_counter(r, name)	vt_kv_get((r)->counters, (r)->ncounters, name)

/* The VMA line holding addr, or NULL. */
static inline const struct vt_vma *vt_vma_at(const struct vt_report *r, unsigned long addr)
{
	int i;

	for (i = 0; i < r->nvmas; i++)
		if (r->vmas[i].start <= addr && addr < r->vmas[i].end)
			return &r->vmas[i];
	return NULL;
}

/* docs/FORMAT.md: the PFN (or swap offset) of the 4K page at @addr of a run. */
static inline unsigned long vt_run_pfn(const struct vt_page *p, unsigned long addr)
{
	unsigned long off = (addr - p->start) >> 12;
	unsigned long leaf = !strcmp(p->size, "4K") ? 1 : !strcmp(p->size, "2M") ? 512 : 512 * 512;

	if (p->step == '=')
		return p->pfn + off % leaf;
	if (p->step == '-')
		return p->pfn - off / leaf * leaf + off % leaf;
	return p->pfn + off;
}

/*
 * The page line covering addr, or NULL where nothing is mapped. @pfn gets
 * the frame (or swap offset) of the 4K page at addr itself.
 */
static inline const struct vt_page *vt_page_at(const struct vt_report *r, unsigned long addr,
					       unsigned long *pfn)
{
	int i;

	for (i = 0; i < r->npages; i++) {
		const struct vt_page *p = &r->pages[i];

		if (addr < p->start || addr >= p->end)
			continue;
		if (pfn)
			*pfn = vt_run_pfn(p, addr);
		return p;
	}
	return NULL;
}

/* Report of pid, parsed; fails the test on any error. */
#define VT_REPORT(pid, rep)							\
	do {									\
		char *__txt = vt_report(pid);					\
		char __err[256] = "";						\
		ASSERT_NE(NULL, __txt) TH_LOG("report of %d: %s", (int)(pid), strerror(errno)); \
		ASSERT_EQ(0, vt_parse(__txt, rep, __err, sizeof(__err)))	\
			TH_LOG("report of %d: %s", (int)(pid), __err);	\
		free(__txt);							\
	} while (0)

/*
 * Run @bin as "sleep 1000" (with personality @pers if not 0) and wait until
 * it sleeps in nanosleep, its mappings done (ld.so's relocations too): two
 * reads of its maps alike, in state S. Returns the pid, or -1.
 */
static inline pid_t vt_run_sleeper(const char *bin, unsigned long pers)
{
	char path[64], mpath[64], *stat, *maps = NULL;
	pid_t pid = fork();
	int i;

	if (pid == 0) {
		if (pers)
			personality(pers);
		execl(bin, "sleep", "1000", (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	snprintf(mpath, sizeof(mpath), "/proc/%d/maps", pid);
	for (i = 0; i < 2000; i++) {
		char *p, *m2;
		int sleeping, same;

		stat = vt_read_file(path, NULL);
		p = stat ? strrchr(stat, ')') : NULL;
		sleeping = p && p[2] == 'S';
		free(stat);
		m2 = vt_read_file(mpath, NULL);
		same = maps && m2 && !strcmp(maps, m2);
		free(maps);
		maps = m2;
		if (sleeping && same) {
			free(maps);
			return pid;
		}
		usleep(5000);
	}
	free(maps);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static inline double vt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * A thread function: samples the state letter of thread @tid until @stop,
 * counting how often, and for how long at a stretch, it is in D state.
 */
struct vt_state_sampler {
	pid_t tid;
	int stop;
	unsigned long samples, in_d;
	double longest_d_ms;
};

static inline void *vt_sample_state(void *arg)
{
	struct vt_state_sampler *s = arg;
	double d_since = 0;
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", s->tid);
	while (!__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST)) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		char *p;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			p = strrchr(buf, ')');
			s->samples++;
			if (p && p[2] == 'D') {
				s->in_d++;
				if (!d_since)
					d_since = vt_now_ms();
				else if (vt_now_ms() - d_since > s->longest_d_ms)
					s->longest_d_ms = vt_now_ms() - d_since;
			} else {
				d_since = 0;
			}
		}
		usleep(200);
	}
	return NULL;
}

/*
 * A value in kB of a /proc file of "Key:  N kB" lines (@key with its
 * colon): /proc/meminfo, /proc/PID/status, smaps_rollup; -1 if none.
 */
static inline long vt_file_kb(const char *path, const char *key)
{
	char *txt = vt_read_file(path, NULL), *p;
	long v = -1;

	if (!txt)
		return -1;
	p = strstr(txt, key);
	if (p)
		v = strtol(p + strlen(key), NULL, 10);
	free(txt);
	return v;
}

/* A value of /proc/PID/status in kB (@key with its colon); -1 if none. */
static inline long vt_status_kb(pid_t pid, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return vt_file_kb(path, key);
}

/* A target whose report is large: many VMAs (every other page read-only). */
#define VT_MANY_PAGES	20000

static inline void vt_many_vmas(void *arg)
{
	char *p = mmap(NULL, VT_MANY_PAGES * 4096L, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long i;

	if (p == MAP_FAILED)
		return;
	for (i = 0; i < VT_MANY_PAGES; i++)
		p[i * 4096] = 1;
	for (i = 0; i < VT_MANY_PAGES; i += 2)
		mprotect(p + i * 4096, 4096, PROT_READ);
}

/*
 * A child parked in a known state: run @setup in a forked child, which
 * then signals readiness and waits until vt_release(). The parent gets the
 * child's pid back once the child is ready.
 */
struct vt_child {
	pid_t pid;
	int go[2], ready[2];
};

static inline int vt_spawn(struct vt_child *c, void (*setup)(void *), void *arg)
{
	char b = 0;

	if (pipe(c->go) || pipe(c->ready))
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		close(c->go[1]);
		close(c->ready[0]);
		if (setup)
			setup(arg);
		if (write(c->ready[1], &b, 1) != 1)
			_exit(1);
		if (read(c->go[0], &b, 1) < 0)
			_exit(1);
		_exit(b);
	}
	close(c->go[0]);
	close(c->ready[1]);
	return read(c->ready[0], &b, 1) == 1 ? 0 : -1;
}

/* A vt_spawn() set-up: @byte into the first byte of @n pages from @p. */
struct vt_pages {
	char *p;
	unsigned long n;
	char byte;
};

static inline void vt_write_pages(void *arg)
{
	const struct vt_pages *w = arg;
	unsigned long i;

	for (i = 0; i < w->n; i++)
		w->p[i * 4096] = w->byte;
}

/* Tell the child to exit; returns its exit status. */
static inline int vt_release(struct vt_child *c)
{
	int status = -1;
	char b = 0;

	if (write(c->go[1], &b, 1) != 1)
		kill(c->pid, SIGKILL);
	close(c->go[1]);
	close(c->ready[0]);
	waitpid(c->pid, &status, 0);
	vt_untrack(c->pid);
	return status;
}

/*
 * The frame detail (docs/FORMAT.md, "Frame detail"): track pid and read
 * /proc/vmviz/frames/<pid> whole, vt_chunk at a time; NULL + errno.
 */
#define VMVIZ_FRAMES	VMVIZ_DIR "/frames"

static inline char *vt_frames(pid_t pid)
{
	char path[64];
	int err = vt_track(pid);

	if (err) {
		errno = -err;
		return NULL;
	}
	snprintf(path, sizeof(path), VMVIZ_FRAMES "/%d", pid);
	return vt_read_file_by(path, NULL, vt_chunk);
}

/*
 * The format 2 report inside a frame detail: the text without its "detail",
 * "table", "pgtables" and "rollup" lines, for vt_parse(). The caller frees
 * it.
 */
static inline char *vt_frames_body(const char *text)
{
	char *out = malloc(strlen(text) + 1), *d = out;
	const char *line, *nl;

	if (!out)
		return NULL;
	for (line = text; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		if (strncmp(line, "detail ", 7) && strncmp(line, "rollup ", 7) &&
		    strncmp(line, "table ", 6) && strncmp(line, "pgtables ", 9)) {
			memcpy(d, line, nl - line + 1);
			d += nl - line + 1;
		}
	}
	*d = '\0';
	return out;
}

/*
 * /proc/kpageflags bits (Documentation/admin-guide/mm/pagemap.rst; bit 33,
 * mlocked, is one of the kernel-hacking bits above 31).
 */
#define VT_KPF_REFERENCED	2
#define VT_KPF_DIRTY		4
#define VT_KPF_LRU		5
#define VT_KPF_ACTIVE		6
#define VT_KPF_WRITEBACK	8
#define VT_KPF_ANON		12
#define VT_KPF_SWAPCACHE	13
#define VT_KPF_SWAPBACKED	14
#define VT_KPF_COMPOUND_HEAD	15
#define VT_KPF_COMPOUND_TAIL	16
#define VT_KPF_UNEVICTABLE	18
#define VT_KPF_KSM		21
#define VT_KPF_ZERO_PAGE	24
#define VT_KPF_MLOCKED		33

/* The folio flag columns of a page line and the kpageflags bit of each. */
static const struct { char letter; int bit; } vt_fflag_bits[] = {
	{ 'L', VT_KPF_LRU }, { 'A', VT_KPF_ACTIVE }, { 'U', VT_KPF_UNEVICTABLE },
	{ 'R', VT_KPF_REFERENCED }, { 'D', VT_KPF_DIRTY }, { 'W', VT_KPF_WRITEBACK },
	{ 'S', VT_KPF_SWAPCACHE }, { 'M', VT_KPF_MLOCKED },
};

static inline int vt_pread64(int fd, unsigned long idx, unsigned long long *v)
{
	return pread(fd, v, 8, idx * 8) == 8 ? 0 : -1;
}

/*
 * Whether /proc/kpageflags tells KSM pages apart: 6.12's
 * stable_page_flags() sets KPF_KSM when the folio's mapping has either
 * PAGE_MAPPING_KSM bit, which every anonymous folio has. Tried on a page of
 * our own that KSM cannot have merged (it is not MADV_MERGEABLE).
 */
static inline int vt_kpageflags_knows_ksm(int flags_fd)
{
	static int known = -1;
	unsigned long long e = 0, f = 0;
	char *page;
	int pm;

	if (known >= 0)
		return known;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 1;
	page[0] = 1;
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm >= 0 && vt_pread64(pm, (unsigned long)page / 4096, &e) == 0 && (e >> 63) &&
	    vt_pread64(flags_fd, e & ((1ULL << 55) - 1), &f) == 0) {
		known = !(f & (1ULL << 21));
		if (!known)
			printf("# /proc/kpageflags sets KSM on every anonymous page here: ksm told from anon by the test's own state only\n");
	}
	if (pm >= 0)
		close(pm);
	munmap(page, 4096);
	return known < 0 ? 1 : known;
}

/*
 * Check the frame fields of every page line with a frame against
 * /proc/kpageflags (the folio's flags at its head PFN, its kind, its order
 * through the compound head and tail bits of each PFN) and /proc/kpagecount
 * (each base page's mapcount). Returns the number of base pages that
 * disagree (the first described in @why), or -1 if the files cannot be
 * read; @pages counts the base pages checked.
 */
static inline int vt_check_frames(const struct vt_report *r, unsigned long *pages,
				  char *why, size_t len)
{
	int flags_fd = open("/proc/kpageflags", O_RDONLY);
	int count_fd = open("/proc/kpagecount", O_RDONLY);
	int bad = 0, i, knows_ksm;
	unsigned int f;

	*pages = 0;
	if (flags_fd < 0 || count_fd < 0) {
		snprintf(why, len, "cannot open /proc/kpageflags or kpagecount: %s", strerror(errno));
		bad = -1;
		goto out;
	}
	knows_ksm = vt_kpageflags_knows_ksm(flags_fd);
	for (i = 0; i < r->npages; i++) {
		const struct vt_page *p = &r->pages[i];
		unsigned long addr;

		if (!p->kind[0])
			continue;
		/*
		 * No frame: a present entry's PFN is then not a page of the
		 * zero page, an anonymous folio or an LRU one (special and
		 * pfnmap PFNs, reserved kernel pages, PFNs past the memmap).
		 */
		if (!strcmp(p->kind, "-")) {
			unsigned long long pf;

			if (strcmp(p->state, "present") && strcmp(p->state, "protnone"))
				continue;
			for (addr = p->start; addr < p->end; addr += 4096) {
				unsigned long pfn = vt_run_pfn(p, addr);

				if (vt_pread64(flags_fd, pfn, &pf))
					continue;
				(*pages)++;
				if ((pf & ((1ULL << VT_KPF_ZERO_PAGE) | (1ULL << VT_KPF_ANON) |
					   (1ULL << VT_KPF_LRU))) && !bad++)
					snprintf(why, len, "%#lx pfn %#lx: vmviz no frame; kpageflags %#llx",
						 addr, pfn, pf);
			}
			continue;
		}
		/*
		 * R and A of a line that counts them (fields 17 and 18) are
		 * the entries that have them, the letters set only when every
		 * entry has: checked per line, below, from the base pages.
		 */
		unsigned long ref_pages = 0, act_pages = 0;
		unsigned long entry_pages = 1;

		if (!strcmp(p->size, "2M"))
			entry_pages = 512;
		else if (!strcmp(p->size, "1G"))
			entry_pages = 512 * 512;
		for (addr = p->start; addr < p->end; addr += 4096) {
			unsigned long pfn = vt_run_pfn(p, addr);
			unsigned long head = pfn & ~((1UL << p->order) - 1);
			unsigned long long hf, pf, cnt;
			char got[16], want[16];
			int anon, ok;

			if (vt_pread64(flags_fd, head, &hf) || vt_pread64(flags_fd, pfn, &pf) ||
			    vt_pread64(count_fd, pfn, &cnt)) {
				snprintf(why, len, "pfn %#lx: kpageflags/kpagecount unreadable", pfn);
				bad = -1;
				goto out;
			}
			(*pages)++;
			anon = !!(hf & (1ULL << VT_KPF_ANON));
			if (!strcmp(p->kind, "anon"))
				ok = anon && (!knows_ksm || !(hf & (1ULL << VT_KPF_KSM)));
			else if (!strcmp(p->kind, "ksm"))
				ok = anon && (hf & (1ULL << VT_KPF_KSM));
			else if (!strcmp(p->kind, "zero"))
				ok = !!(hf & (1ULL << VT_KPF_ZERO_PAGE));
			else if (!strcmp(p->kind, "shmem"))
				ok = !anon && (hf & (1ULL << VT_KPF_SWAPBACKED));
			else
				ok = !anon && !(hf & (1ULL << (VT_KPF_SWAPBACKED))) &&
				     !(hf & (1ULL << VT_KPF_ZERO_PAGE));
			for (f = 0; f < sizeof(vt_fflag_bits) / sizeof(vt_fflag_bits[0]); f++) {
				got[f] = p->fflags[f] == vt_fflag_bits[f].letter ? vt_fflag_bits[f].letter : '-';
				want[f] = hf & (1ULL << vt_fflag_bits[f].bit) ? vt_fflag_bits[f].letter : '-';
				if (p->referenced >= 0 && (vt_fflag_bits[f].letter == 'R' ||
							   vt_fflag_bits[f].letter == 'A'))
					got[f] = want[f];
			}
			ref_pages += !!(hf & (1ULL << VT_KPF_REFERENCED));
			act_pages += !!(hf & (1ULL << VT_KPF_ACTIVE));
			got[f] = want[f] = '\0';
			if (strcmp(got, want))
				ok = 0;
			if (p->order > 0) {
				unsigned long long next = 0;

				ok = ok && (pfn == head ? pf & (1ULL << VT_KPF_COMPOUND_HEAD) :
							  pf & (1ULL << VT_KPF_COMPOUND_TAIL));
				/* And the folio ends where its order says. */
				if (pfn == head &&
				    !vt_pread64(flags_fd, head + (1UL << p->order), &next) &&
				    (next & (1ULL << VT_KPF_COMPOUND_TAIL)))
					ok = 0;
			} else
				ok = ok && !(pf & (3ULL << VT_KPF_COMPOUND_HEAD));
			if ((long long)cnt < p->map_lo || (long long)cnt > p->map_hi)
				ok = 0;
			if (!ok && !bad++)
				snprintf(why, len,
					 "%#lx pfn %#lx: vmviz %s %s order %d map %d-%d; kpageflags %#llx at head %#lx (%s), %#llx, kpagecount %llu",
					 addr, pfn, p->kind, p->fflags, p->order, p->map_lo, p->map_hi,
					 hf, head, want, pf, cnt);
		}
		if (p->referenced >= 0 &&
		    (ref_pages / entry_pages != (unsigned long)p->referenced ||
		     act_pages / entry_pages != (unsigned long)p->active ||
		     !!strchr(p->fflags, 'R') != (p->referenced == (long)p->count) ||
		     !!strchr(p->fflags, 'A') != (p->active == (long)p->count)) && !bad++)
			snprintf(why, len,
				 "line %#lx-%#lx %s: vmviz %lu entries, R %ld A %ld; kpageflags R %lu A %lu of %lu pages",
				 p->start, p->end, p->fflags, p->count, p->referenced, p->active,
				 ref_pages, act_pages, (p->end - p->start) / 4096);
	}
out:
	if (flags_fd >= 0)
		close(flags_fd);
	if (count_fd >= 0)
		close(count_fd);
	return bad;
}

#endif /* VMVIZ_TEST_H */
