// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: fetching a report (live through /proc/vmviz, or a saved
 * file) and parsing it into struct vmviz_report, line by documented line.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "vmviz.h"

const char *const vmviz_field_names[VMVIZ_NFIELDS] = {
	"task_size", "start_code", "end_code", "start_data", "end_data",
	"start_brk", "brk", "start_stack", "arg_start", "arg_end",
	"env_start", "env_end", "mmap_base",
};

const char *const vmviz_counter_names[VMVIZ_NCOUNTERS] = {
	"total_vm", "locked_vm", "pinned_vm", "data_vm", "exec_vm",
	"stack_vm", "rss_file", "rss_anon", "rss_shmem", "swap_ents",
};

const char *const vmviz_seg_names[VMVIZ_NSEGS] = {
	"code", "data", "bss", "heap", "mmap", "stack", "args", "env",
	"vdso", "vvar",
};

static int name_index(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

/* Undo the \ooo escapes of names and comm, in place. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) |
				      (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

#define MAX_TOKENS	64

/* Split a line on blanks; returns the number of words. */
static int split(char *line, char **tok)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " ", &save); t && n < MAX_TOKENS;
	     t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	return n;
}

static bool hex(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 16);
	return *s && !*end && !errno;
}

static bool dec(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return *s && !*end && !errno;
}

static bool range(const char *s, unsigned long *start, unsigned long *end)
{
	char buf[64], *dash;

	if (strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (!dash)
		return false;
	*dash = '\0';
	return hex(buf, start) && hex(dash + 1, end);
}

/* The value after KEY in the key/value pairs of tok[from..n). */
static const char *key(char **tok, int n, int from, const char *name)
{
	int i;

	for (i = from; i + 1 < n; i += 2)
		if (!strcmp(tok[i], name))
			return tok[i + 1];
	return NULL;
}

static unsigned long entry_bytes(const char *size)
{
	if (!strcmp(size, "4K"))
		return 4096UL;
	if (!strcmp(size, "2M"))
		return 2UL << 20;
	if (!strcmp(size, "1G"))
		return 1UL << 30;
	return 0;
}

static int parse_vma(struct vmviz_report *r, char **tok, int n)
{
	static const char *const counts[] = {
		"present", "dirty", "accessed", "writable", "huge", "swapped",
		"nonpresent",
	};
	struct vmviz_vma *v;
	unsigned long val[7];
	unsigned long x;
	const char *s;
	int i;

	if (n < 5)
		return -1;
	if (!(r->nvmas & (r->nvmas - 1)) || !r->nvmas) {
		void *p = realloc(r->vmas, sizeof(*v) * (r->nvmas ? r->nvmas * 2 : 16));

		if (!p)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
		r->vmas = p;
	}
	v = &r->vmas[r->nvmas];
	memset(v, 0, sizeof(*v));
	if (!range(tok[1], &v->start, &v->end) || strlen(tok[2]) != 4 ||
	    !hex(tok[3], &x))
		return -1;
	snprintf(v->perm, sizeof(v->perm), "%s", tok[2]);
	v->offset = x;
	unescape(tok[4]);
	v->name = strdup(tok[4]);
	s = key(tok, n, 5, "seg");
	if (!s || strlen(s) >= sizeof(v->seg))
		return -1;
	snprintf(v->seg, sizeof(v->seg), "%s", s);
	s = key(tok, n, 5, "flags");
	if (!s || !hex(s, &x))
		return -1;
	v->flags = x;
	s = key(tok, n, 5, "vm");
	if (!s)
		return -1;
	v->vm = strdup(s);
	s = key(tok, n, 5, "prot");
	if (!s || !hex(s, &x))
		return -1;
	v->prot = x;
	s = key(tok, n, 5, "protflags");
	if (!s || strlen(s) != 11)
		return -1;
	snprintf(v->protflags, sizeof(v->protflags), "%s", s);
	s = key(tok, n, 5, "anon");
	if (!s || !dec(s, &x))
		return -1;
	v->anon = x;
	s = key(tok, n, 5, "pkey");
	if (!s || !dec(s, &x))
		return -1;
	v->pkey = x;
	for (i = 0; i < 7; i++) {
		s = key(tok, n, 5, counts[i]);
		if (!s || !dec(s, &val[i]))
			return -1;
	}
	v->present = val[0];
	v->dirty = val[1];
	v->accessed = val[2];
	v->writable = val[3];
	v->huge = val[4];
	v->swapped = val[5];
	v->nonpresent = val[6];
	v->first_page = r->npages;
	r->nvmas++;
	return 0;
}

static int parse_page(struct vmviz_report *r, char **tok, int n)
{
	struct vmviz_page *p;
	unsigned long x;

	if (n < 11 || !r->nvmas)
		return -1;
	if (!(r->npages & (r->npages - 1)) || !r->npages) {
		void *np = realloc(r->pages, sizeof(*p) * (r->npages ? r->npages * 2 : 64));

		if (!np)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
		r->pages = np;
	}
	p = &r->pages[r->npages];
	memset(p, 0, sizeof(*p));
	if (strlen(tok[0]) >= sizeof(p->level) || !range(tok[1], &p->start, &p->end) ||
	    !dec(tok[2], &p->count) || strlen(tok[3]) >= sizeof(p->size) ||
	    strlen(tok[4]) >= sizeof(p->state) || strlen(tok[5]) != 11 ||
	    !hex(tok[6], &p->pfn) || strlen(tok[7]) != 1)
		return -1;
	snprintf(p->level, sizeof(p->level), "%s", tok[0]);
	snprintf(p->size, sizeof(p->size), "%s", tok[3]);
	p->entry_size = entry_bytes(p->size);
	if (!p->entry_size || p->end <= p->start ||
	    (p->end - p->start) / p->entry_size != p->count)
		return -1;
	snprintf(p->state, sizeof(p->state), "%s", tok[4]);
	snprintf(p->flags, sizeof(p->flags), "%s", tok[5]);
	p->step = tok[7][0];
	if (p->step != '+' && p->step != '=')
		return -1;
	if (!dec(tok[8], &x))
		return -1;
	p->sd = x;
	if (!dec(tok[9], &x))
		return -1;
	p->pkey = x;
	if (!strcmp(tok[10], "-"))
		p->swaptype = -1;
	else if (dec(tok[10], &x))
		p->swaptype = x;
	else
		return -1;
	p->vma = r->nvmas - 1;
	r->vmas[r->nvmas - 1].npages++;
	r->npages++;
	return 0;
}

static int parse_line(struct vmviz_report *r, char *line)
{
	char *tok[MAX_TOKENS];
	bool indented = line[0] == ' ';
	unsigned long x;
	int n = split(line, tok), i;

	if (!n)
		return -1;
	if (indented)
		return parse_page(r, tok, n);
	if (!strcmp(tok[0], "task")) {
		const char *s;

		s = key(tok, n, 1, "comm");
		if (!s || !key(tok, n, 1, "kind") || !key(tok, n, 1, "state"))
			return -1;
		snprintf(r->comm, sizeof(r->comm), "%s", s);
		unescape(r->comm);
		snprintf(r->kind, sizeof(r->kind), "%s", key(tok, n, 1, "kind"));
		r->state = key(tok, n, 1, "state")[0];
		if (!key(tok, n, 1, "pid") || !key(tok, n, 1, "tgid"))
			return -1;
		r->pid = atoi(key(tok, n, 1, "pid"));
		r->tgid = atoi(key(tok, n, 1, "tgid"));
	} else if (!strcmp(tok[0], "mm")) {
		if (n < 9 || strcmp(tok[1], "id") || strcmp(tok[3], "users") ||
		    strcmp(tok[5], "count") || strcmp(tok[7], "active") ||
		    strlen(tok[2]) > 16 || strlen(tok[8]) > 16)
			return -1;
		snprintf(r->mm_id, sizeof(r->mm_id), "%s", tok[2]);
		r->users = atoi(tok[4]);
		r->count = atoi(tok[6]);
		snprintf(r->active_id, sizeof(r->active_id), "%s", tok[8]);
		r->has_mm = strcmp(r->mm_id, "none") != 0;
	} else if (!strcmp(tok[0], "geometry")) {
		const char *ps = key(tok, n, 1, "page_size"), *lv = key(tok, n, 1, "levels");
		const char *ts = key(tok, n, 1, "task_size"), *mb = key(tok, n, 1, "mmap_base");
		const char *mw = key(tok, n, 1, "mmap_window"), *lo = key(tok, n, 1, "layout");

		if (!ps || !lv || !ts || !mb || !mw || !lo || !dec(ps, &r->page_size) ||
		    !hex(ts, &r->task_size) || !hex(mb, &r->mmap_base) ||
		    !hex(mw, &r->mmap_window) || strlen(lo) >= sizeof(r->layout))
			return -1;
		r->levels = atoi(lv);
		snprintf(r->layout, sizeof(r->layout), "%s", lo);
	} else if (!strcmp(tok[0], "space")) {
		struct vmviz_range *sp;

		if (n < 3)
			return -1;
		sp = !strcmp(tok[1], "user") ? &r->user : !strcmp(tok[1], "hole") ?
		     &r->hole : !strcmp(tok[1], "kernel") ? &r->kernel : NULL;
		if (!sp || !range(tok[2], &sp->start, &sp->end))
			return -1;
	} else if (!strcmp(tok[0], "field")) {
		i = n < 3 ? -1 : name_index(vmviz_field_names, VMVIZ_NFIELDS, tok[1]);
		if (i < 0 || !hex(tok[2], &x))
			return -1;
		r->fields[i] = x;
	} else if (!strcmp(tok[0], "counter")) {
		i = n < 3 ? -1 : name_index(vmviz_counter_names, VMVIZ_NCOUNTERS, tok[1]);
		if (i < 0 || !dec(tok[2], &x))
			return -1;
		r->counters[i] = x;
	} else if (!strcmp(tok[0], "segment")) {
		i = n < 3 ? -1 : name_index(vmviz_seg_names, VMVIZ_NSEGS, tok[1]);
		if (i < 0 || !range(tok[2], &r->segs[i].start, &r->segs[i].end))
			return -1;
	} else if (!strcmp(tok[0], "vma")) {
		return parse_vma(r, tok, n);
	} else {
		return -1;
	}
	return 0;
}

/**
 * vmviz_parse - parse the text of a report
 * @text: the whole report, NUL-terminated
 * @r: filled in; r->source names the report in messages
 *
 * Exits with VMVIZ_EXIT_FORMAT, naming the line, on a version this reader
 * does not know or on a line that does not follow docs/FORMAT.md.
 */
int vmviz_parse(const char *text, struct vmviz_report *r)
{
	const char *line = text, *nl;
	char *buf = NULL;
	size_t cap = 0;
	int lineno = 0;

	if (strncmp(text, "vmviz-format ", 13))
		vmviz_die(VMVIZ_EXIT_FORMAT, "%s: not a vmviz report (no vmviz-format line)",
			  r->source);
	r->version = atoi(text + 13);
	if (r->version != VMVIZ_FORMAT_VERSION)
		vmviz_die(VMVIZ_EXIT_FORMAT,
			  "%s: report format version %d is not known to this vmviz (it reads version %d)",
			  r->source, r->version, VMVIZ_FORMAT_VERSION);
	for (; *line; line = nl + 1) {
		size_t n;

		lineno++;
		nl = strchr(line, '\n');
		if (!nl)
			vmviz_die(VMVIZ_EXIT_FORMAT,
				  "%s: line %d is not terminated (truncated report?)",
				  r->source, lineno);
		if (lineno == 1)
			continue;
		n = nl - line;
		if (n + 1 > cap) {
			cap = n + 1;
			buf = realloc(buf, cap);
			if (!buf)
				err(VMVIZ_EXIT_FAILURE, "out of memory");
		}
		memcpy(buf, line, n);
		buf[n] = '\0';
		if (parse_line(r, buf))
			vmviz_die(VMVIZ_EXIT_FORMAT, "%s: line %d does not follow format %d: %.*s",
				  r->source, lineno, r->version, (int)(n > 120 ? 120 : n), line);
	}
	free(buf);
	if (!r->levels)
		vmviz_die(VMVIZ_EXIT_FORMAT, "%s: no geometry line", r->source);
	return 0;
}

/* Read a whole file. On error, returns NULL with errno set. */
static char *read_all(int fd)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap), *nb;
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			errno = e;
			return NULL;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	return buf;
}

void vmviz_load_file(const char *path, struct vmviz_report *r)
{
	char *text;
	int fd;

	memset(r, 0, sizeof(*r));
	snprintf(r->source, sizeof(r->source), "%s", path);
	fd = !strcmp(path, "-") ? dup(STDIN_FILENO) : open(path, O_RDONLY);
	if (fd < 0)
		err(VMVIZ_EXIT_FAILURE, "cannot open %s", path);
	text = read_all(fd);
	if (!text)
		err(VMVIZ_EXIT_FAILURE, "cannot read %s", path);
	close(fd);
	vmviz_parse(text, r);
	r->text = text;
}

/* Write a PID to a control file; 0 or an errno. */
static int control(const char *file, pid_t pid)
{
	char path[64], s[24];
	int fd, e = 0;

	snprintf(path, sizeof(path), VMVIZ_DIR "/%s", file);
	snprintf(s, sizeof(s), "%d\n", pid);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		e = errno;
	close(fd);
	return e;
}

static void need_module(void)
{
	if (access(VMVIZ_DIR, F_OK))
		vmviz_die(VMVIZ_EXIT_NOMODULE,
			  "%s does not exist: the vmviz module is not loaded (modprobe vmviz, or insmod vmviz.ko)",
			  VMVIZ_DIR);
}

static void perm_denied(void)
{
	vmviz_die(VMVIZ_EXIT_PERM, "permission denied: reading %s needs root (CAP_SYS_ADMIN)%s",
		  VMVIZ_DIR, geteuid() ? "" : "; this root lacks it (user namespace?)");
}

/*
 * The text of the live report of @pid into r->text, unparsed: tracks @pid
 * unless someone already did, reads /proc/vmviz/PID whole and untracks what
 * it tracked. A process that exits before or while it is read is reported
 * as such (ESRCH at open or read).
 */
static void read_pid(pid_t pid, struct vmviz_report *r)
{
	char path[64];
	bool tracked_here = false;
	char *text;
	int fd, e;

	memset(r, 0, sizeof(*r));
	snprintf(r->source, sizeof(r->source), "pid %d", pid);
	need_module();
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", pid);
	if (access(path, F_OK)) {
		e = control("track", pid);
		if (e == EACCES || e == EPERM)
			perm_denied();
		if (e == ESRCH)
			vmviz_die(VMVIZ_EXIT_NOPROC, "no process with PID %d", pid);
		if (e)
			vmviz_die(VMVIZ_EXIT_FAILURE, "cannot track PID %d: %s", pid,
				  strerror(e));
		tracked_here = true;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		e = errno;
		if (tracked_here)
			control("untrack", pid);
		if (e == EACCES || e == EPERM)
			perm_denied();
		if (e == ESRCH || e == ENOENT)
			vmviz_die(VMVIZ_EXIT_NOPROC, "no process with PID %d (it exited)", pid);
		vmviz_die(VMVIZ_EXIT_FAILURE, "cannot open %s: %s", path, strerror(e));
	}
	text = read_all(fd);
	e = errno;
	close(fd);
	if (tracked_here)
		control("untrack", pid);
	if (!text && e == ESRCH)
		vmviz_die(VMVIZ_EXIT_VANISHED, "process %d exited while its report was read", pid);
	if (!text)
		vmviz_die(VMVIZ_EXIT_FAILURE, "cannot read %s: %s", path, strerror(e));
	r->text = text;
}

/**
 * vmviz_load_pid - read and parse the live report of @pid
 * @pid: a process (or thread) ID in our PID namespace
 * @r: filled in
 */
void vmviz_load_pid(pid_t pid, struct vmviz_report *r)
{
	read_pid(pid, r);
	vmviz_parse(r->text, r);
}

/**
 * vmviz_load_pids - the live reports of two processes, read back to back
 * @a: the first PID
 * @b: the second
 * @ra: filled in for @a
 * @rb: filled in for @b
 *
 * Both texts are read before either is parsed, so the two describe moments
 * as close as the reader can make them: a report is no snapshot, and the
 * reader itself may be one of the two.
 */
void vmviz_load_pids(pid_t a, pid_t b, struct vmviz_report *ra, struct vmviz_report *rb)
{
	read_pid(a, ra);
	read_pid(b, rb);
	vmviz_parse(ra->text, ra);
	vmviz_parse(rb->text, rb);
}

void vmviz_free(struct vmviz_report *r)
{
	int i;

	for (i = 0; i < r->nvmas; i++) {
		free(r->vmas[i].name);
		free(r->vmas[i].vm);
	}
	free(r->vmas);
	free(r->pages);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

const struct vmviz_vma *vmviz_vma_at(const struct vmviz_report *r, unsigned long addr)
{
	int lo = 0, hi = r->nvmas - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (addr < r->vmas[mid].start)
			hi = mid - 1;
		else if (addr >= r->vmas[mid].end)
			lo = mid + 1;
		else
			return &r->vmas[mid];
	}
	return NULL;
}

/*
 * The frame (or swap offset) of the 4K page at @addr inside page line @p:
 * with '+' the frames follow on, with '=' every entry maps the same frame.
 */
bool vmviz_page_pfn(const struct vmviz_page *p, unsigned long addr, unsigned long *pfn)
{
	unsigned long off;

	if (addr < p->start || addr >= p->end)
		return false;
	off = (addr - p->start) >> 12;
	if (p->step == '=')
		off %= p->entry_size >> 12;
	*pfn = p->pfn + off;
	return true;
}

/* A size for people: 4K, 132K, 1.4M; exact units stay whole numbers. */
void vmviz_human_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned long long whole = bytes;
	unsigned int u = 0;
	double v = bytes;

	while (u < sizeof(units) - 2 && v >= 1024) {
		v /= 1024;
		whole >>= 10;
		u++;
	}
	if (u && v != (double)whole && v < 100) {
		snprintf(buf, len, "%.1f%c", v, units[u]);
		/* 36.0K says no more than 36K */
		if (strlen(buf) > 3 && !strncmp(buf + strlen(buf) - 3, ".0", 2))
			memmove(buf + strlen(buf) - 3, buf + strlen(buf) - 1, 2);
	} else {
		snprintf(buf, len, "%.0f%c", v, units[u]);
	}
}

/* An address in hex, with or without 0x. */
bool vmviz_parse_addr(const char *s, unsigned long *addr)
{
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		s += 2;
	return hex(s, addr);
}
