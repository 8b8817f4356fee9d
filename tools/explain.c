// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz explain: one address of a report or frame detail, as crash's vtop
 * walks it: the VMA holding it (or the gap, hole or kernel half, and the
 * VMAs around it), the entries on its page-table path (upper lines of
 * frame detail with tables), its leaf and frame, and what a user-mode
 * read, write and instruction fetch there would do (explain_verdict()).
 *
 * The report is streamed: only the VMAs below, at and above the address
 * and the lines covering it are kept.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "vmviz.h"
#include "table.h"

/* What explain knows of the address: the facts its rules test. */
enum {
	X_NOMM,		/* the task has no address space */
	X_KERNEL,	/* in the kernel half */
	X_HOLE,		/* in the non-canonical hole */
	X_GAP,		/* in no VMA */
	X_GROWS,	/* a gap the stack VMA above may grow down over */
	X_VR, X_VW, X_VX,	/* the VMA's perm (of the stack above, with X_GROWS) */
	X_VSHARED,	/* VM_MAYSHARE */
	X_VUM,		/* registered for userfaultfd missing faults (vm um) */
	X_VUW,		/* registered for userfaultfd write-protect (vm uw) */
	X_VSD,		/* VM_SOFTDIRTY (vm sd): soft-dirty tracking is not on */
	X_NOLEAF,	/* in a VMA, no page line */
	X_PRESENT, X_PROTNONE, X_SWAP, X_MIGR, X_HWPOISON, X_POISONED, X_GUARD,
	X_UFFDWP, X_MARKER, X_DEVICE,	/* the leaf's state */
	X_W, X_U, X_N,	/* the effective W, U, N of the leaf */
	X_LSD,		/* the leaf's soft-dirty bit */
	X_FRAMES,	/* the frame's kind is known (frame detail) */
	X_EXCL,		/* the frame is exclusive to this process (fflag X) */
	X_ZERO,		/* the shared zero page */
};

#define X(f)	(1UL << (X_##f))

enum ex_access { EX_READ, EX_WRITE, EX_EXEC, EX_NACCESS };

/* The accesses a rule is about, as bits. */
enum {
	A_R = 1 << EX_READ, A_W = 1 << EX_WRITE, A_X = 1 << EX_EXEC,
	A_ALL = A_R | A_W | A_X,
};

enum ex_verdict { EX_OK, EX_FAULT, EX_SEGV, EX_BUS };

static const char *const access_names[] = { "read", "write", "exec" };
static const char *const verdict_words[] = {
	[EX_OK] = "succeeds", [EX_FAULT] = "faults, fixed up",
	[EX_SEGV] = "SIGSEGV", [EX_BUS] = "SIGBUS",
};

static const char *const verdict_json[] = {
	[EX_OK] = "ok", [EX_FAULT] = "fault", [EX_SEGV] = "sigsegv", [EX_BUS] = "sigbus",
};

struct ex_rule {
	unsigned int access;	/* A_* it is about */
	unsigned long all;	/* facts that must all hold */
	unsigned long none;	/* facts that must not */
	enum ex_verdict verdict;
	const char *why;
};

/*
 * What a user-mode access does, in order: the first rule whose access,
 * facts and missing facts match decides (vmviz.8, "EXPLAIN"). x86: any
 * of r, w, x lets a read through (no write-only or execute-only pages);
 * protection keys are said apart (they apply to reads and writes only).
 */
static const struct ex_rule rules[] = {
	{ A_ALL, X(NOMM), 0, EX_SEGV,
	  "the task has no address space (a kernel thread, or it exited)" },
	{ A_ALL, X(KERNEL), 0, EX_SEGV,
	  "a kernel address: its entries lack U, user mode faults" },
	{ A_ALL, X(HOLE), 0, EX_SEGV,
	  "not canonical: the CPU raises #GP before any page walk" },
	{
		A_R | A_W, X(GAP) | X(GROWS), 0, EX_FAULT,
		"below a stack VMA that grows down: the fault extends the stack over it (up to RLIMIT_STACK)",
	},
	{
		A_X, X(GAP) | X(GROWS) | X(VX), 0, EX_FAULT,
		"below a stack VMA that grows down: the fault extends the stack over it (up to RLIMIT_STACK)",
	},
	{ A_X, X(GAP) | X(GROWS), 0, EX_SEGV,
	  "the stack VMA above would grow over it, but is not executable" },
	{ A_ALL, X(GAP), 0, EX_SEGV, "no VMA holds it" },
	{ A_ALL, 0, X(VR) | X(VW) | X(VX), EX_SEGV, "a PROT_NONE VMA: no access at all" },
	{ A_W, 0, X(VW), EX_SEGV, "the VMA is not writable" },
	{ A_X, 0, X(VX), EX_SEGV, "the VMA is not executable" },
	{ A_ALL, X(GUARD), 0, EX_SEGV, "a guard marker (MADV_GUARD_INSTALL)" },
	{ A_ALL, X(HWPOISON), 0, EX_BUS, "the frame has a hardware memory error" },
	{ A_ALL, X(POISONED), 0, EX_BUS,
	  "a poisoned entry (its swap-in failed, or UFFDIO_POISON)" },
	{
		A_ALL, X(NOLEAF) | X(VUM), 0, EX_FAULT,
		"not populated; the VMA is registered for userfaultfd missing faults: its handler supplies the page",
	},
	{
		A_R, X(NOLEAF), 0, EX_FAULT,
		"not populated yet (or dropped): the fault maps it (the zero page for private anonymous memory, else the file's page)",
	},
	{
		A_W, X(NOLEAF), 0, EX_FAULT,
		"not populated yet (or dropped): the fault allocates the page (or the file's) and maps it writable",
	},
	{ A_X, X(NOLEAF), 0, EX_FAULT,
	  "not populated yet (or dropped): the fault maps the file's page" },
	{ A_ALL, X(SWAP), 0, EX_FAULT,
	  "swapped out: the fault reads it back from swap (a major fault)" },
	{ A_ALL, X(MIGR), 0, EX_FAULT,
	  "being migrated: the fault waits until the migration ends" },
	{ A_ALL, X(DEVICE), 0, EX_FAULT, "device memory: the fault migrates it back to RAM" },
	{ A_W, X(UFFDWP), 0, EX_FAULT,
	  "a userfaultfd write-protect marker: the handler gets the write fault" },
	{ A_R | A_X, X(UFFDWP), 0, EX_FAULT,
	  "not populated, userfaultfd write-protected: the fault maps it, still write-protected" },
	{ A_ALL, X(MARKER), 0, EX_FAULT, "a PTE marker: the fault handler decides" },
	{
		A_ALL, X(PROTNONE), 0, EX_FAULT,
		"NUMA hinting: the kernel made the entry PROT_NONE to see who touches it; the fault restores it (and may migrate the page)",
	},
	{ A_ALL, X(PRESENT), X(U), EX_SEGV,
	  "the entry or one above it lacks U: kernel-only" },
	{ A_X, X(PRESENT) | X(N), 0, EX_SEGV,
	  "the page is no-execute (NX on the leaf or above it)" },
	{ A_X, X(PRESENT), 0, EX_OK, "present and executable" },
	{ A_R, X(PRESENT), 0, EX_OK, "present" },
	{ A_W, X(PRESENT) | X(W), 0, EX_OK, "present and writable" },
	{
		A_W, X(PRESENT) | X(VUW), 0, EX_FAULT,
		"read-only in a VMA registered for userfaultfd write-protect: the handler gets the fault if the entry is write-protected, else the kernel makes it writable",
	},
	{
		A_W, X(PRESENT) | X(VSHARED), 0, EX_FAULT,
		"read-only in a shared writable VMA: write-notify (page_mkwrite, dirty or soft-dirty tracking) makes it writable",
	},
	{ A_W, X(PRESENT) | X(ZERO), 0, EX_FAULT,
	  "copy-on-write of the shared zero page: the fault maps a new zeroed page" },
	{
		A_W, X(PRESENT) | X(EXCL), 0, EX_FAULT,
		"copy-on-write pending, but only this process maps the page (X): the fault reuses it in place",
	},
	{
		A_W, X(PRESENT) | X(FRAMES), 0, EX_FAULT,
		"copy-on-write: the page is shared (after fork, KSM, or a file's page): the fault copies it",
	},
	{
		A_W, X(PRESENT), X(VSD) | X(LSD), EX_FAULT,
		"soft-dirty tracking write-protected it: the fault marks it soft-dirty and makes it writable (copying it if shared)",
	},
	{
		A_W, X(PRESENT), 0, EX_FAULT,
		"copy-on-write: read-only in a writable private VMA: the fault copies the page, or reuses it if only this process maps it",
	},
	{ A_ALL, 0, 0, EX_FAULT, "the fault handler decides" },
};

/* The verdict of @access with @facts: the first rule of rules[] that matches. */
static const struct ex_rule *explain_verdict(unsigned long facts, enum ex_access access)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++)
		if (rules[i].access & (1U << access) && (facts & rules[i].all) == rules[i].all &&
		    !(facts & rules[i].none))
			return &rules[i];
	return &rules[ARRAY_SIZE(rules) - 1];
}

/* What the reading keeps: the VMAs around the address and its lines. */
struct explain {
	unsigned long addr;
	struct vmviz_vma at, below, above;	/* name, vm: own copies */
	bool has_at, has_below, has_above;
	struct vmviz_page leaf;
	bool has_leaf;
	struct vmviz_upper up[UP_NLEVELS];
	bool has_up[UP_NLEVELS];
};

/* *@dst = *@src with its own name and vm. */
static void keep_vma(struct vmviz_vma *dst, const struct vmviz_vma *src)
{
	free(dst->name);
	free(dst->vm);
	*dst = *src;
	dst->name = strdup(src->name ? src->name : "");
	dst->vm = strdup(src->vm ? src->vm : "-");
	if (!dst->name || !dst->vm)
		err(VMVIZ_EXIT_FAILURE, "out of memory");
}

static void explain_read(struct vmviz_report *r, struct explain *e)
{
	const struct vmviz_vma *v = &r->vma;
	enum vmviz_item it;

	while ((it = vmviz_next(r)) != VMVIZ_END) {
		switch (it) {
		case VMVIZ_UPPER:
			if (!e->has_up[r->upper.lvl] && r->upper.start <= e->addr &&
			    e->addr < r->upper.end) {
				e->up[r->upper.lvl] = r->upper;
				e->has_up[r->upper.lvl] = true;
			}
			break;
		case VMVIZ_PAGE:
			if (!e->has_leaf && r->page.start <= e->addr && e->addr < r->page.end) {
				e->leaf = r->page;
				e->has_leaf = true;
			}
			break;
		case VMVIZ_SUM:
			if (v->start <= e->addr && e->addr < v->end) {
				if (!e->has_at)
					keep_vma(&e->at, v);
				e->has_at = true;
			} else if (v->end <= e->addr) {
				keep_vma(&e->below, v);
				e->has_below = true;
			} else if (v->start > e->addr && !e->has_above) {
				keep_vma(&e->above, v);
				e->has_above = true;
			}
			break;
		default:
			break;
		}
	}
}

/* A word of a comma-separated list. */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, word, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* The facts of the VMA @v for the rules. */
static unsigned long vma_facts(const struct vmviz_vma *v)
{
	unsigned long f = 0;

	f |= v->perm[0] == 'r' ? X(VR) : 0;
	f |= v->perm[1] == 'w' ? X(VW) : 0;
	f |= v->perm[2] == 'x' ? X(VX) : 0;
	f |= v->perm[3] == 's' ? X(VSHARED) : 0;
	f |= has_word(v->vm, "um") ? X(VUM) : 0;
	f |= has_word(v->vm, "uw") ? X(VUW) : 0;
	f |= has_word(v->vm, "sd") ? X(VSD) : 0;
	return f;
}

/* The smallest gap the kernel keeps below a stack that grows down (stack_guard_gap). */
#define STACK_GUARD_GAP	(256UL << 12)

/* The effective W U N of the leaf: its eff field, else its own bits. */
static void leaf_eff(const struct vmviz_page *p, char eff[4])
{
	if (p->eff[0]) {
		memcpy(eff, p->eff, 4);
		return;
	}
	eff[0] = p->flags[1];
	eff[1] = p->flags[2];
	eff[2] = p->flags[10];
	eff[3] = '\0';
}

static unsigned long leaf_facts(const struct vmviz_page *p)
{
	static const struct { const char *state; unsigned long fact; } states[] = {
		{ "present", X(PRESENT) }, { "protnone", X(PROTNONE) }, { "swap", X(SWAP) },
		{ "migr-r", X(MIGR) }, { "migr-rx", X(MIGR) }, { "migr-w", X(MIGR) },
		{ "hwpoison", X(HWPOISON) }, { "poisoned", X(POISONED) }, { "guard", X(GUARD) },
		{ "uffd-wp", X(UFFDWP) }, { "marker", X(MARKER) }, { "device", X(DEVICE) },
	};
	unsigned long f = 0;
	char eff[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(states); i++)
		if (!strcmp(p->state, states[i].state))
			f |= states[i].fact;
	if (f & (X(PRESENT) | X(PROTNONE))) {
		leaf_eff(p, eff);
		f |= eff[0] == 'W' ? X(W) : 0;
		f |= eff[1] == 'U' ? X(U) : 0;
		f |= eff[2] == 'N' ? X(N) : 0;
	}
	f |= p->sd ? X(LSD) : 0;
	if (p->kind[0] && strcmp(p->kind, "-") && strcmp(p->kind, "?")) {
		f |= X(FRAMES);
		f |= !strcmp(p->kind, "zero") ? X(ZERO) : 0;
		f |= p->fflags[9] == 'X' ? X(EXCL) : 0;
	}
	return f;
}

/* Where the address is, in words for JSON: vma, gap, hole, kernel, none. */
static const char *where_word(const struct vmviz_report *r, const struct explain *e)
{
	if (!r->has_mm)
		return "none";
	if (e->addr >= r->kernel.start)
		return "kernel";
	if (e->addr >= r->hole.start)
		return "hole";
	return e->has_at ? "vma" : "gap";
}

static unsigned long explain_facts(const struct vmviz_report *r, const struct explain *e)
{
	const char *w = where_word(r, e);

	if (!strcmp(w, "none"))
		return X(NOMM);
	if (!strcmp(w, "kernel"))
		return X(KERNEL);
	if (!strcmp(w, "hole"))
		return X(HOLE);
	if (!e->has_at) {
		unsigned long floor = e->has_below ? e->below.end : 0;

		if (e->has_above && has_word(e->above.vm, "gd") &&
		    e->addr >= floor + STACK_GUARD_GAP)
			return X(GAP) | X(GROWS) | vma_facts(&e->above);
		return X(GAP);
	}
	return vma_facts(&e->at) | (e->has_leaf ? leaf_facts(&e->leaf) : X(NOLEAF));
}

/* The protection key that checks the access: the leaf's, else the VMA's. */
static int explain_pkey(const struct explain *e)
{
	if (e->has_leaf && (!strcmp(e->leaf.state, "present") ||
			    !strcmp(e->leaf.state, "protnone")))
		return e->leaf.pkey;
	return e->has_at ? e->at.pkey : 0;
}

static const char *detail_word(const struct vmviz_report *r)
{
	return r->uppers ? "tables" : r->frames ? "frames" : "report";
}

/* A VMA on one line: range, perm, name (escaped). */
static void say_vma(const struct vmviz_out *o, const char *label, const struct vmviz_vma *v)
{
	char name[1024];

	vmviz_say(stdout, o->width, "%-6s %016lx-%016lx %s %s\n", label, v->start, v->end,
		  v->perm, vmviz_esc(v->name, name, sizeof(name)));
}

/* The start of the entry of @size, in a run from @start, that holds @addr. */
static unsigned long entry_start(unsigned long start, unsigned long size, unsigned long addr)
{
	return start + (addr - start) / size * size;
}

static void say_leaf(const struct vmviz_out *o, const struct explain *e)
{
	const struct vmviz_page *p = &e->leaf;
	unsigned long pfn, lo = entry_start(p->start, p->entry_size, e->addr);
	bool mapped = !strcmp(p->state, "present") || !strcmp(p->state, "protnone");
	char eff[4], words[64], map[48];

	vmviz_page_pfn(p, e->addr & ~4095UL, &pfn);
	vmviz_say(stdout, o->width, "%-6s %016lx-%016lx %s %s\n", p->level,
		  lo, lo + p->entry_size, p->size, p->state);
	if (mapped)
		vmviz_say(stdout, o->width, "       flags %s, pfn %010lx, sd %d, pkey %d\n",
			  p->flags, pfn, p->sd, p->pkey);
	else if (p->swaptype >= 0 && !strcmp(p->state, "swap"))
		vmviz_say(stdout, o->width, "       swap type %d, offset %010lx, sd %d\n",
			  p->swaptype, pfn, p->sd);
	else
		vmviz_say(stdout, o->width, "       swap type %d, value %010lx, sd %d\n",
			  p->swaptype, pfn, p->sd);
	if (p->entry_size > 4096)
		vmviz_say(stdout, o->width, "       4K page %lu of the %s entry\n",
			  ((e->addr - p->start) % p->entry_size) >> 12, p->size);
	if (mapped) {
		leaf_eff(p, eff);
		if (!strcmp(p->state, "protnone"))
			snprintf(words, sizeof(words), "no access (P clear: PROT_NONE)");
		else
			snprintf(words, sizeof(words), "%s, %s, %s",
				 eff[0] == 'W' ? "writable" : "read-only",
				 eff[1] == 'U' ? "user" : "kernel-only",
				 eff[2] == 'N' ? "no-execute" : "executable");
		vmviz_say(stdout, o->width, "eff    %s%s: %s\n", eff,
			  p->eff[0] ? "" : " (the leaf's own)", words);
	}
	if (!p->kind[0] || !strcmp(p->kind, "-"))
		return;
	if (!strcmp(p->kind, "?")) {
		vmviz_say(stdout, o->width, "frame  ? (hidden from this reader), node %d\n",
			  p->node);
		return;
	}
	if (p->map_lo == p->map_hi)
		snprintf(map, sizeof(map), "%ld", p->map_lo);
	else
		snprintf(map, sizeof(map), "%ld-%ld", p->map_lo, p->map_hi);
	vmviz_say(stdout, o->width, "frame  %s %s, order %d, node %d, map %s\n", p->kind,
		  p->fflags, p->order, p->node, map);
}

static void explain_text(const struct vmviz_report *r, const struct vmviz_out *o,
			 const struct explain *e, unsigned long facts)
{
	static const char *const details[] = {
		"a report, not the frame detail: no upper entries, no frame fields",
		"frame detail without tables: no upper entries",
		"frame detail with tables",
	};
	const char *w = where_word(r, e);
	char src[1024];
	int i, pkey = explain_pkey(e);

	vmviz_say(stdout, o->width, "%016lx: %s\n", e->addr,
		  !strcmp(w, "none") ? "the task has no address space" :
		  !strcmp(w, "kernel") ? "in the kernel half" :
		  !strcmp(w, "hole") ? "in the non-canonical hole" :
		  !strcmp(w, "vma") ? "in a VMA" : "in no VMA (a gap)");
	vmviz_say(stdout, o->width, "source %s\ndetail %s\n",
		  vmviz_esc(r->source, src, sizeof(src)),
		  details[r->uppers ? 2 : r->frames ? 1 : 0]);
	if (!strcmp(w, "kernel") || !strcmp(w, "hole")) {
		const struct vmviz_range *s = !strcmp(w, "kernel") ? &r->kernel : &r->hole;

		vmviz_say(stdout, o->width, "space  %016lx-%016lx%s\n", s->start, s->end,
			  !strcmp(w, "kernel") ? " ('vmviz kernel' shows it)" : "");
	}
	if (e->has_at) {
		say_vma(o, "vma", &e->at);
		vmviz_say(stdout, o->width, "       seg %s, offset %llx, anon %d, pkey %d\n",
			  e->at.seg, e->at.offset, e->at.anon, e->at.pkey);
		{
			char *vm = strdup(e->at.vm), *c;

			if (!vm)
				err(VMVIZ_EXIT_FAILURE, "out of memory");
			for (c = vm; *c; c++)
				if (*c == ',')
					*c = ' ';
			vmviz_say(stdout, o->width, "       vm %s\n", vm);
			free(vm);
		}
		if (e->addr < e->at.sum_start || e->addr >= e->at.sum_end)
			vmviz_say(stdout, o->width,
				  "note   the VMA changed while it was read: its entries here were not read\n");
	} else if (!strcmp(w, "gap")) {
		unsigned long lo = e->has_below ? e->below.end : 0;
		unsigned long hi = e->has_above ? e->above.start : r->user.end + 1;
		char size[32];

		vmviz_human_size(hi - lo, size, sizeof(size));
		vmviz_say(stdout, o->width, "gap    %016lx-%016lx %s\n", lo, hi, size);
	}
	if (e->has_below)
		say_vma(o, "below", &e->below);
	if (e->has_above)
		say_vma(o, "above", &e->above);
	for (i = 0; i < UP_NLEVELS; i++) {
		const struct vmviz_upper *u = &e->up[i];
		unsigned long table, lo;

		if (!e->has_up[i])
			continue;
		lo = entry_start(u->start, u->entry_size, e->addr);
		vmviz_upper_table(u, e->addr, &table);
		vmviz_say(stdout, o->width, "%-6s %016lx-%016lx %s %s\n", u->level,
			  lo, lo + u->entry_size, u->size, u->flags);
		vmviz_say(stdout, o->width, "       table %010lx%s%s\n", table,
			  u->ucopy[0] ? ", user copy " : "", u->ucopy);
	}
	if (e->has_leaf)
		say_leaf(o, e);
	else if (e->has_at)
		vmviz_say(stdout, o->width, "leaf   none: no page-table entry maps it\n");
	for (i = 0; i < EX_NACCESS; i++) {
		const struct ex_rule *x = explain_verdict(facts, i);

		vmviz_say(stdout, o->width, "%-6s %s:\n       %s\n", access_names[i],
			  verdict_words[x->verdict], x->why);
	}
	if (pkey)
		vmviz_say(stdout, o->width,
			  "pkey   %d:\n       reads and writes also need the thread's PKRU to allow key %d (else SIGSEGV, SEGV_PKUERR); instruction fetches are not checked\n",
			  pkey, pkey);
}

static void json_vma(FILE *f, const char *key, const struct vmviz_vma *v, bool has, bool full)
{
	fprintf(f, "   \"%s\": ", key);
	if (!has) {
		fprintf(f, "null,\n");
		return;
	}
	fprintf(f, "{\"start\": \"%016lx\", \"end\": \"%016lx\", \"perm\": \"%s\", \"name\": ",
		v->start, v->end, v->perm);
	vmviz_json_str(f, v->name);
	if (full) {
		fprintf(f, ", \"offset\": \"%016llx\", \"seg\": \"%s\", ", v->offset, v->seg);
		fprintf(f, "\"flags\": \"%016lx\", \"vm\": ", v->flags);
		vmviz_json_str(f, v->vm);
		fprintf(f, ", \"anon\": %d, \"pkey\": %d", v->anon, v->pkey);
	}
	fprintf(f, "},\n");
}

/* "start", "end" and "size" of the one entry of @size at @start. */
static void json_range(unsigned long start, unsigned long size)
{
	printf("\"start\": \"%016lx\", \"end\": \"%016lx\", \"size\": %lu", start,
	       start + size, size);
}

static void explain_json(const struct vmviz_report *r, const struct explain *e,
			 unsigned long facts)
{
	const struct vmviz_page *p = &e->leaf;
	bool first = true;
	char eff[4];
	int i;

	printf("{\n");
	vmviz_report_json_pre(stdout, r);
	printf("   \"address\": \"%016lx\",\n   \"where\": \"%s\",\n   \"detail\": \"%s\",\n",
	       e->addr, where_word(r, e), detail_word(r));
	json_vma(stdout, "vma", &e->at, e->has_at, true);
	json_vma(stdout, "below", &e->below, e->has_below, false);
	json_vma(stdout, "above", &e->above, e->has_above, false);
	printf("   \"path\": [");
	for (i = 0; i < UP_NLEVELS; i++) {
		const struct vmviz_upper *u = &e->up[i];
		unsigned long table;

		if (!e->has_up[i])
			continue;
		vmviz_upper_table(u, e->addr, &table);
		printf("%s\n      {\"level\": \"%s\", ", first ? "" : ",", u->level);
		json_range(entry_start(u->start, u->entry_size, e->addr), u->entry_size);
		printf(", \"flags\": \"%s\", \"table\": \"%010lx\", \"ucopy\": ", u->flags,
		       table);
		if (u->ucopy[0])
			printf("\"%s\"}", u->ucopy);
		else
			printf("null}");
		first = false;
	}
	printf("%s],\n   \"leaf\": ", first ? "" : "\n   ");
	if (e->has_leaf) {
		unsigned long pfn;

		vmviz_page_pfn(p, e->addr & ~4095UL, &pfn);
		printf("{\"level\": \"%s\", ", p->level);
		json_range(entry_start(p->start, p->entry_size, e->addr), p->entry_size);
		printf(", \"state\": \"%s\", \"flags\": \"%s\", \"pfn\": \"%010lx\", ", p->state,
		       p->flags, pfn);
		printf("\"sd\": %d, \"pkey\": %d, \"swaptype\": ", p->sd, p->pkey);
		if (p->swaptype >= 0)
			printf("%d}", p->swaptype);
		else
			printf("null}");
	} else {
		printf("null");
	}
	printf(",\n   \"effective\": ");
	if (facts & (X(PRESENT) | X(PROTNONE))) {
		leaf_eff(p, eff);
		printf("\"%s\"", eff);
	} else {
		printf("null");
	}
	printf(",\n   \"frame\": ");
	if (e->has_leaf && p->kind[0] && strcmp(p->kind, "-") && strcmp(p->kind, "?")) {
		printf("{\"kind\": \"%s\", \"fflags\": \"%s\", \"order\": %d, \"node\": %d, ",
		       p->kind, p->fflags, p->order, p->node);
		printf("\"map\": %ld, \"maphi\": %ld}", p->map_lo, p->map_hi);
	} else {
		printf("null");
	}
	printf(",\n   \"pkey\": %d,\n   \"access\": [", explain_pkey(e));
	for (i = 0; i < EX_NACCESS; i++) {
		const struct ex_rule *x = explain_verdict(facts, i);

		printf("%s\n      {\"access\": \"%s\", ", i ? "," : "", access_names[i]);
		printf("\"verdict\": \"%s\", \"why\": ", verdict_json[x->verdict]);
		vmviz_json_str(stdout, x->why);
		printf("}");
	}
	printf("\n   ]\n}\n");
}

/**
 * vmviz_explain - one address: where it is, its path, its leaf, each access
 * @r: a report or frame detail, read to its end here
 * @o: --json, --width
 * @addr: the address
 *
 * Return: VMVIZ_EXIT_OK.
 */
int vmviz_explain(struct vmviz_report *r, const struct vmviz_out *o, unsigned long addr)
{
	struct explain e = { .addr = addr };
	unsigned long facts;

	vmviz_rewind(r);
	r->keep = 0;
	explain_read(r, &e);
	/* Neighbours are of user addresses: none for the hole and the kernel half. */
	if (strcmp(where_word(r, &e), "vma") && strcmp(where_word(r, &e), "gap")) {
		e.has_below = false;
		e.has_above = false;
	}
	facts = explain_facts(r, &e);
	if (o->json)
		explain_json(r, &e, facts);
	else
		explain_text(r, o, &e, facts);
	free(e.at.name);
	free(e.at.vm);
	free(e.below.name);
	free(e.below.vm);
	free(e.above.name);
	free(e.above.vm);
	return VMVIZ_EXIT_OK;
}
