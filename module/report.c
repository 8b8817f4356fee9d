// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: the report of one process, streamed through seq_file: a header
 * (identity, geometry, mm_struct, segments), then each VMA and its pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "compat.h"
#include "vmviz.h"

/* The format version on the first line; the reader refuses others. */
#define VMVIZ_FORMAT_VERSION	1

/* Page lines per seq_file record: keeps a record well inside one page. */
#define LINES_PER_RECORD	32

/*
 * The longest page line vmviz_run_show() prints, rounded up. A record of
 * page lines ends while the seq_file buffer still has this much room: a
 * record that overflows the buffer is thrown away and walked and formatted
 * again by the next read(), which doubled the cost of the page lines.
 */
#define PAGE_LINE_MAX		128

/*
 * A report is a sequence of records. Record 0 is the header; then, for each
 * VMA, a VMA line and records of up to LINES_PER_RECORD page lines. The
 * position of a record is only a counter: where it starts is kept in the
 * cursor (@phase, @addr), which next() moves on. seq_file replays a record
 * from the same cursor when it did not fit, and restarts from position 0 on
 * a seek, so the cursor is always that of the record at @pos.
 */
enum report_phase {
	PHASE_HEADER,
	PHASE_VMA,	/* the VMA line of the first VMA ending above @addr */
	PHASE_PAGES,	/* page lines from @addr to the end of its VMA */
	PHASE_DONE,
};

struct vmviz_report {
	struct pid *pid;		/* reference held until release */
	struct mm_struct *mm;		/* mmgrab()ed; NULL: no mm at open */
	pte_t *ptes;			/* the walker's copy of one PTE table */

	loff_t pos;			/* the record the cursor belongs to */
	enum report_phase phase;
	unsigned long addr;

	/* Set by show(): where the record after this one starts. */
	enum report_phase next_phase;
	unsigned long next_addr;

	/* Valid from start() to stop() only: never across read() calls. */
	struct task_struct *task;
	struct vm_area_struct *vma;
	bool mm_locked;
};

static siphash_key_t ptr_key;

/* The key of the identity hash: random, drawn once per module load. */
void vmviz_report_init(void)
{
	get_random_bytes(&ptr_key, sizeof(ptr_key));
}

/*
 * Identities are a keyed hash of the pointer: equal for one object within
 * one load of the module, never the address itself.
 */
u64 vmviz_hash_ptr(const void *ptr)
{
	return siphash_1u64((u64)(unsigned long)ptr, &ptr_key);
}

static void show_id(struct seq_file *m, const char *key, const void *ptr)
{
	if (ptr)
		seq_printf(m, " %s %016llx", key, vmviz_hash_ptr(ptr));
	else
		seq_printf(m, " %s none", key);
}

/* A size for people: a whole number of the largest binary unit that fits. */
static void show_size(struct seq_file *m, u64 bytes)
{
	static const char units[] = "BKMGTPE";
	unsigned int u = 0;

	while (u < sizeof(units) - 2 && bytes >= 1024 && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	seq_printf(m, "%llu%c", bytes, units[u]);
}

static void show_range(struct seq_file *m, const char *line, const char *name,
		       unsigned long start, unsigned long end)
{
	seq_printf(m, "%s %-6s %016lx-%016lx size ", line, name, start, end);
	show_size(m, end >= start ? end - start : 0);
	seq_putc(m, '\n');
}

static const char *task_kind(struct task_struct *task)
{
	if (task->flags & PF_KTHREAD)
		return "kthread";
	if (task->exit_state & EXIT_ZOMBIE)
		return "zombie";
	if (task->exit_state || !task->mm)
		return "exited";
	return thread_group_leader(task) ? "process" : "thread";
}

/*
 * Header, part 1 (docs/FORMAT.md, "Identity"):
 *   task pid N tgid N kind K state C comm NAME
 *   mm id ID users N count N active ID
 * pid and tgid are in the reader's PID namespace; kind is process, thread,
 * kthread, zombie or exited; state is the letter of /proc/PID/stat; comm is
 * escaped (blank, tab, newline and backslash as \ooo). ID is 16 hex digits,
 * a keyed hash of the mm pointer, equal for tasks sharing one mm, or none.
 * active is the mm the task runs on: its own, or the one a kernel thread
 * borrows while it runs.
 */
static void show_identity(struct seq_file *m, struct task_struct *task,
			  struct mm_struct *mm)
{
	char comm[TASK_COMM_LEN];
	struct mm_struct *active;

	get_task_comm(comm, task);
	seq_printf(m, "task pid %d tgid %d kind %s state %c comm ",
		   task_pid_vnr(task), task_tgid_vnr(task), task_kind(task),
		   task_state_to_char(task));
	seq_escape(m, comm, " \t\n\\");
	seq_putc(m, '\n');

	task_lock(task);
	active = task->active_mm;
	seq_puts(m, "mm");
	show_id(m, "id", mm);
	seq_printf(m, " users %d count %d", mm ? atomic_read(&mm->mm_users) : 0,
		   mm ? atomic_read(&mm->mm_count) : 0);
	show_id(m, "active", active);
	seq_putc(m, '\n');
	task_unlock(task);
}

/*
 * Header, part 2 (docs/FORMAT.md, "Geometry"):
 *   geometry page_size N levels 4|5 task_size HEX mmap_base HEX
 *            mmap_window HEX layout topdown|legacy
 *   space user|hole|kernel START-LAST size SIZE
 * Spaces give the inclusive last address: the kernel half ends at 2^64.
 * The canonical boundary is bit 47 with 4-level paging, bit 56 with 5.
 */
static void show_geometry(struct seq_file *m, struct mm_struct *mm)
{
	unsigned int levels = pgtable_l5_enabled() ? 5 : 4;
	unsigned long user_top = 1UL << (levels == 5 ? 56 : 47);

	seq_printf(m, "geometry page_size %lu levels %u task_size %016lx",
		   PAGE_SIZE, levels, mm ? mm->task_size : 0UL);
	seq_printf(m, " mmap_base %016lx mmap_window %016lx layout %s\n",
		   mm ? mm->mmap_base : 0UL, DEFAULT_MAP_WINDOW,
		   !mm ? "none" : vmviz_mmap_topdown(mm) ? "topdown" : "legacy");
	seq_printf(m, "space user   %016lx-%016lx size ", 0UL, user_top - 1);
	show_size(m, user_top);
	seq_printf(m, "\nspace hole   %016lx-%016lx size ", user_top, -user_top - 1);
	show_size(m, -user_top - user_top);
	seq_printf(m, "\nspace kernel %016lx-%016lx size ", -user_top, ~0UL);
	show_size(m, user_top);
	seq_putc(m, '\n');
}

/*
 * Header, part 3 (docs/FORMAT.md, "mm_struct"):
 *   field NAME HEX         one per layout field of the mm_struct
 *   counter NAME N         in pages
 * The rss_* counters are the kernel's per-mm RSS counters (what
 * /proc/PID/status shows as RssFile, RssAnon, RssShmem and VmSwap).
 */
static void show_mm_struct(struct seq_file *m, struct mm_struct *mm)
{
	const struct {
		const char *name;
		unsigned long val;
	} fields[] = {
		{ "task_size", mm->task_size },
		{ "start_code", mm->start_code },
		{ "end_code", mm->end_code },
		{ "start_data", mm->start_data },
		{ "end_data", mm->end_data },
		{ "start_brk", mm->start_brk },
		{ "brk", mm->brk },
		{ "start_stack", mm->start_stack },
		{ "arg_start", mm->arg_start },
		{ "arg_end", mm->arg_end },
		{ "env_start", mm->env_start },
		{ "env_end", mm->env_end },
		{ "mmap_base", mm->mmap_base },
	}, counters[] = {
		{ "total_vm", mm->total_vm },
		{ "locked_vm", mm->locked_vm },
		{ "pinned_vm", atomic64_read(&mm->pinned_vm) },
		{ "data_vm", mm->data_vm },
		{ "exec_vm", mm->exec_vm },
		{ "stack_vm", mm->stack_vm },
		{ "rss_file", get_mm_counter(mm, MM_FILEPAGES) },
		{ "rss_anon", get_mm_counter(mm, MM_ANONPAGES) },
		{ "rss_shmem", get_mm_counter(mm, MM_SHMEMPAGES) },
		{ "swap_ents", get_mm_counter(mm, MM_SWAPENTS) },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		seq_printf(m, "field %-11s %016lx\n", fields[i].name, fields[i].val);
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		seq_printf(m, "counter %-9s %lu\n", counters[i].name, counters[i].val);
}

/* Name of a special mapping ([vdso], [vvar], [vvar_vclock]), or NULL. */
static const char *special_name(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->name)
		return vma->vm_ops->name(vma);
	return NULL;
}

/* The rule of /proc/PID/maps for [stack] (its rule for [heap] is in compat.h). */
static bool vma_is_stack(struct vm_area_struct *vma)
{
	return vma->vm_start <= vma->vm_mm->start_stack &&
	       vma->vm_end >= vma->vm_mm->start_stack;
}

static bool vma_overlaps(struct vm_area_struct *vma, unsigned long start,
			 unsigned long end)
{
	return start < end && vma->vm_start < end && vma->vm_end > start;
}

/*
 * The segment a VMA belongs to: vdso, vvar, special, stack, heap, code,
 * data, bss (the anonymous mapping from the page after end_data up to
 * start_brk), image (other mappings of the executable's file) or mmap.
 * @image is the file mapped at start_code, if any.
 */
static const char *vma_segment(struct vm_area_struct *vma, struct file *image)
{
	struct mm_struct *mm = vma->vm_mm;
	const char *special = special_name(vma);

	if (special)
		return !strcmp(special, "[vdso]") ? "vdso" :
		       !strncmp(special, "[vvar", 5) ? "vvar" : "special";
	if (vma_is_stack(vma))
		return "stack";
	if (vmviz_vma_is_heap(vma))
		return "heap";
	if (vma_overlaps(vma, mm->start_code, mm->end_code))
		return "code";
	if (vma_overlaps(vma, mm->start_data, mm->end_data))
		return "data";
	if (!vma->vm_file && vma->vm_start == PAGE_ALIGN(mm->end_data) &&
	    vma->vm_end <= mm->start_brk)
		return "bss";
	if (vma->vm_file && image && file_inode(vma->vm_file) == file_inode(image))
		return "image";
	return "mmap";
}

static struct file *image_file(struct mm_struct *mm)
{
	struct vm_area_struct *vma = find_vma(mm, mm->start_code);

	if (vma && vma->vm_start <= mm->start_code)
		return vma->vm_file;
	return NULL;
}

/*
 * Header, part 4 (docs/FORMAT.md, "Segments"):
 *   segment NAME START-END size SIZE
 * for code, data, bss, heap, mmap, stack, args, env, vdso and vvar, END
 * exclusive. bss runs from end_data to the end of the anonymous mapping
 * that follows the data (the tail of the last data page and that mapping);
 * mmap spans the VMAs of segment mmap; stack, vdso and vvar are their VMAs.
 * A segment that does not exist is shown as 0-0.
 */
static void show_segments(struct seq_file *m, struct mm_struct *mm)
{
	unsigned long mmap_lo = ~0UL, mmap_hi = 0, bss_end = mm->end_data;
	unsigned long stack[2] = {}, vdso[2] = {}, vvar[2] = {};
	struct file *image = image_file(mm);
	struct vm_area_struct *vma;

	VMA_ITERATOR(vmi, mm, 0);
	for_each_vma(vmi, vma) {
		const char *seg = vma_segment(vma, image);
		unsigned long *range = NULL;

		if (!strcmp(seg, "mmap")) {
			mmap_lo = min(mmap_lo, vma->vm_start);
			mmap_hi = max(mmap_hi, vma->vm_end);
		} else if (!strcmp(seg, "bss")) {
			bss_end = vma->vm_end;
		} else if (!strcmp(seg, "stack")) {
			range = stack;
		} else if (!strcmp(seg, "vdso")) {
			range = vdso;
		} else if (!strcmp(seg, "vvar")) {
			range = vvar;
		}
		if (range) {
			if (!range[1])
				range[0] = vma->vm_start;
			range[1] = vma->vm_end;
		}
	}
	if (bss_end == mm->end_data && mm->end_data)
		bss_end = PAGE_ALIGN(mm->end_data);
	if (mmap_lo > mmap_hi) {
		mmap_lo = 0;
		mmap_hi = 0;
	}

	show_range(m, "segment", "code", mm->start_code, mm->end_code);
	show_range(m, "segment", "data", mm->start_data, mm->end_data);
	show_range(m, "segment", "bss", mm->end_data, bss_end);
	show_range(m, "segment", "heap", mm->start_brk, mm->brk);
	show_range(m, "segment", "mmap", mmap_lo, mmap_hi);
	show_range(m, "segment", "stack", stack[0], stack[1]);
	show_range(m, "segment", "args", mm->arg_start, mm->arg_end);
	show_range(m, "segment", "env", mm->env_start, mm->env_end);
	show_range(m, "segment", "vdso", vdso[0], vdso[1]);
	show_range(m, "segment", "vvar", vvar[0], vvar[1]);
}

static void show_header(struct seq_file *m, struct vmviz_report *r)
{
	struct mm_struct *mm = r->mm_locked ? r->mm : NULL;

	seq_printf(m, "vmviz-format %d\n", VMVIZ_FORMAT_VERSION);
	show_identity(m, r->task, mm);
	show_geometry(m, mm);
	if (mm) {
		show_mm_struct(m, mm);
		show_segments(m, mm);
	}
	r->next_phase = mm ? PHASE_VMA : PHASE_DONE;
	r->next_addr = 0;
}

/*
 * vm_flags as /proc/PID/smaps names them in VmFlags, so the two can be
 * compared word for word; show_vm_flags() prints them in bit order, as
 * smaps does. The protection key is shown apart.
 */
static const struct {
	unsigned long flag;
	char name[3];
} vm_flag_names[] = {
	{ VM_READ, "rd" }, { VM_WRITE, "wr" }, { VM_EXEC, "ex" },
	{ VM_SHARED, "sh" }, { VM_MAYREAD, "mr" }, { VM_MAYWRITE, "mw" },
	{ VM_MAYEXEC, "me" }, { VM_MAYSHARE, "ms" }, { VM_GROWSDOWN, "gd" },
	{ VM_PFNMAP, "pf" }, { VM_LOCKED, "lo" }, { VM_IO, "io" },
	{ VM_SEQ_READ, "sr" }, { VM_RAND_READ, "rr" }, { VM_DONTCOPY, "dc" },
	{ VM_DONTEXPAND, "de" }, { VM_LOCKONFAULT, "lf" }, { VM_ACCOUNT, "ac" },
	{ VM_NORESERVE, "nr" }, { VM_HUGETLB, "ht" }, { VM_SYNC, "sf" },
	{ VM_ARCH_1, "ar" }, { VM_WIPEONFORK, "wf" }, { VM_DONTDUMP, "dd" },
#ifdef CONFIG_MEM_SOFT_DIRTY
	{ VM_SOFTDIRTY, "sd" },
#endif
	{ VM_MIXEDMAP, "mm" }, { VM_HUGEPAGE, "hg" }, { VM_NOHUGEPAGE, "nh" },
	{ VM_MERGEABLE, "mg" }, { VM_UFFD_MISSING, "um" }, { VM_UFFD_WP, "uw" },
#ifdef CONFIG_HAVE_ARCH_USERFAULTFD_MINOR
	{ VM_UFFD_MINOR, "ui" },
#endif
#ifdef VM_SHADOW_STACK
	{ VM_SHADOW_STACK, "ss" },
#endif
#ifdef VM_DROPPABLE
	{ VM_DROPPABLE, "dp" },
#endif
#ifdef VM_SEALED
	{ VM_SEALED, "sl" },
#endif
#ifdef VM_MAYBE_GUARD
	{ VM_MAYBE_GUARD, "gu" },
#endif
};

static void show_vm_flags(struct seq_file *m, unsigned long flags)
{
	bool first = true;
	unsigned int bit, i;

	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		if (!(flags & BIT(bit)))
			continue;
		for (i = 0; i < ARRAY_SIZE(vm_flag_names); i++)
			if (vm_flag_names[i].flag == BIT(bit))
				break;
		if (i == ARRAY_SIZE(vm_flag_names))
			continue;
		if (!first)
			seq_putc(m, ',');
		seq_puts(m, vm_flag_names[i].name);
		first = false;
	}
	if (first)
		seq_putc(m, '-');
}

static unsigned int vm_pkey(unsigned long flags)
{
#ifdef VM_PKEY_SHIFT
	return (flags >> VM_PKEY_SHIFT) & 0xf;
#else
	return 0;
#endif
}

/* The name /proc/PID/maps gives, escaped; [anon] where maps shows none. */
static void show_vma_name(struct seq_file *m, struct vm_area_struct *vma)
{
	const char *special = special_name(vma);

	if (vma->vm_file)
		seq_path(m, vmviz_file_path(vma->vm_file), " \t\n\\");
	else if (special)
		seq_puts(m, special);
	else if (vmviz_vma_is_heap(vma))
		seq_puts(m, "[heap]");
	else if (vma_is_stack(vma))
		seq_puts(m, "[stack]");
	else
		seq_puts(m, "[anon]");
}

/*
 * The counts of a VMA line. Neighbouring PTEs mostly carry the same flags:
 * the counts one PTE adds are kept with its flags, and the PTEs that follow
 * with the same flags are only counted, without being decoded, until the
 * flags change or the walk ends.
 */
struct count_state {
	struct vmviz_pgstat st;
	struct vmviz_pgstat pte_inc;	/* what one PTE with @pte_flags adds */
	u64 pte_flags;
	unsigned long reps;		/* PTEs with @pte_flags not yet added */
};

static void count_flush(struct count_state *cs)
{
	struct vmviz_pgstat *st = &cs->st;
	const struct vmviz_pgstat *inc = &cs->pte_inc;
	unsigned long n = cs->reps;

	st->present += inc->present * n;
	st->dirty += inc->dirty * n;
	st->accessed += inc->accessed * n;
	st->writable += inc->writable * n;
	st->huge += inc->huge * n;
	st->swapped += inc->swapped * n;
	st->nonpresent += inc->nonpresent * n;
	cs->reps = 0;
}

static int count_leaf(void *arg, const struct vmviz_leaf *leaf)
{
	struct count_state *cs = arg;
	u64 flags = leaf->val & PTE_FLAGS_MASK;
	struct vmviz_entry e;

	/* Present or PROT_NONE: the counts depend on the flags alone. */
	if (leaf->level == VMVIZ_PTE && (flags & (_PAGE_PRESENT | _PAGE_PROTNONE))) {
		if (cs->reps && cs->pte_flags == flags) {
			cs->reps++;
			return 0;
		}
		count_flush(cs);
		vmviz_decode(leaf, &e);
		memset(&cs->pte_inc, 0, sizeof(cs->pte_inc));
		vmviz_pgstat_add(&cs->pte_inc, &e);
		cs->pte_flags = flags;
		cs->reps = 1;
		return 0;
	}
	vmviz_decode(leaf, &e);
	vmviz_pgstat_add(&cs->st, &e);
	return 0;
}

/*
 * A VMA line (docs/FORMAT.md, "VMA lines"):
 *   vma START-END PERM OFFSET NAME seg SEG flags HEX vm NAMES prot HEX
 *       protflags FLAGS anon 0|1 pkey N present N dirty N accessed N
 *       writable N huge N swapped N nonpresent N
 * PERM and OFFSET (bytes, 16 hex digits; 0 without a file) as
 * /proc/PID/maps has them; vm names the vm_flags as smaps' VmFlags does,
 * in bit order, comma separated; prot is
 * vm_page_prot, protflags its hardware bits as in page lines; anon tells
 * whether an anon_vma is attached; the counts are base pages of this VMA's
 * entries: present (P or PROT_NONE), dirty, accessed, writable (P and RW),
 * huge (mapped by 2M or 1G leaves), swapped (in swap), nonpresent (swap,
 * migration and other non-present entries).
 *
 * Locking: mmap read lock of the VMA's mm held (it walks the page tables).
 */
static void show_vma(struct seq_file *m, struct vmviz_report *r)
{
	struct vm_area_struct *vma = r->vma;
	unsigned long flags = vmviz_vm_flags(vma);
	struct count_state cs = {};
	struct vmviz_pgstat st;

	mmap_assert_locked(vma->vm_mm);
	vmviz_walk(vma->vm_mm, vma->vm_start, vma->vm_end, r->ptes, count_leaf, &cs);
	count_flush(&cs);
	st = cs.st;

	seq_printf(m, "vma %016lx-%016lx %c%c%c%c %016llx ", vma->vm_start,
		   vma->vm_end, flags & VM_READ ? 'r' : '-',
		   flags & VM_WRITE ? 'w' : '-', flags & VM_EXEC ? 'x' : '-',
		   flags & VM_MAYSHARE ? 's' : 'p',
		   vma->vm_file ? (u64)vma->vm_pgoff << PAGE_SHIFT : 0);
	show_vma_name(m, vma);
	seq_printf(m, " seg %s flags %016lx vm ",
		   vma_segment(vma, image_file(vma->vm_mm)), flags);
	show_vm_flags(m, flags);
	seq_printf(m, " prot %016llx protflags ",
		   (u64)pgprot_val(vma->vm_page_prot));
	vmviz_show_hwflags(m, pgprot_val(vma->vm_page_prot), VMVIZ_PTE);
	seq_printf(m, " anon %d pkey %u", !!vma->anon_vma, vm_pkey(flags));
	seq_printf(m, " present %lu dirty %lu accessed %lu writable %lu huge %lu",
		   st.present, st.dirty, st.accessed, st.writable, st.huge);
	seq_printf(m, " swapped %lu nonpresent %lu\n", st.swapped, st.nonpresent);

	if (st.present || st.nonpresent) {
		r->next_phase = PHASE_PAGES;
		r->next_addr = vma->vm_start;
	} else {
		r->next_phase = PHASE_VMA;
		r->next_addr = vma->vm_end;
	}
}

struct pages_state {
	struct seq_file *m;
	struct vmviz_run run;
	unsigned int lines;
	/*
	 * The fast path for present PTEs that continue the open run: they
	 * differ from the run's last entry in the PFN alone, one up ('+') or
	 * the same ('='), so they are recognised by their raw value and only
	 * counted in @pending, and merged into the run by pages_fold() before
	 * the run is used. The next such PTE has the raw value @last_val plus
	 * (@pending + 1) * @val_step, at @run.end + @pending pages.
	 */
	u64 last_val;
	u64 val_step;
	unsigned long pending;
	bool fast;
};

/* Merge the PTEs the fast path counted into the run. */
static void pages_fold(struct pages_state *ps)
{
	unsigned long n = ps->pending;

	if (!n)
		return;
	ps->run.end += n << PAGE_SHIFT;
	ps->run.count += n;
	if (ps->run.step == '+')
		ps->run.next_pfn += n;
	ps->last_val += n * ps->val_step;
	ps->pending = 0;
}

/* Arm the fast path after @leaf was merged into, or began, the open run. */
static void pages_arm(struct pages_state *ps, const struct vmviz_leaf *leaf)
{
	ps->fast = leaf->level == VMVIZ_PTE && (leaf->val & _PAGE_PRESENT) &&
		   ps->run.first.state == VMVIZ_PRESENT;
	ps->last_val = leaf->val;
	ps->val_step = ps->run.step == '+' ? PAGE_SIZE : 0;
}

static int page_leaf(void *arg, const struct vmviz_leaf *leaf)
{
	struct pages_state *ps = arg;
	struct vmviz_entry e;

	if (ps->fast && leaf->level == VMVIZ_PTE &&
	    leaf->val == ps->last_val + (ps->pending + 1) * ps->val_step &&
	    leaf->addr == ps->run.end + (ps->pending << PAGE_SHIFT)) {
		/* What vmviz_run_extend() would accept: same flags, PFN on. */
		ps->pending++;
		return 0;
	}
	pages_fold(ps);
	vmviz_decode(leaf, &e);
	if (ps->run.open && vmviz_run_extend(&ps->run, &e)) {
		pages_arm(ps, leaf);
		return 0;
	}
	if (ps->run.open) {
		struct seq_file *m = ps->m;

		vmviz_run_show(m, &ps->run);
		/*
		 * Stop here: the next record begins with this entry. Stop
		 * too before the buffer is so full that a line may not fit.
		 */
		if (++ps->lines >= LINES_PER_RECORD ||
		    m->size - m->count < PAGE_LINE_MAX)
			return 1;
	}
	vmviz_run_begin(&ps->run, &e);
	pages_arm(ps, leaf);
	return 0;
}

/*
 * Up to LINES_PER_RECORD page lines of the VMA holding @r->addr, from there
 * on (the format is at vmviz_run_show()).
 *
 * Locking: mmap read lock held.
 */
static void show_pages(struct seq_file *m, struct vmviz_report *r)
{
	struct vm_area_struct *vma = r->vma;
	struct pages_state ps = { .m = m };
	unsigned long start = max(r->addr, vma->vm_start), resume;

	resume = vmviz_walk(vma->vm_mm, start, vma->vm_end, r->ptes, page_leaf, &ps);
	pages_fold(&ps);
	if (resume < vma->vm_end) {
		r->next_phase = PHASE_PAGES;
		r->next_addr = resume;
		return;
	}
	if (ps.run.open)
		vmviz_run_show(m, &ps.run);
	r->next_phase = PHASE_VMA;
	r->next_addr = vma->vm_end;
}

/* Find the VMA of the record at the cursor; NULL at the end. */
static void *report_find(struct vmviz_report *r)
{
	struct vm_area_struct *vma;

	if (r->phase == PHASE_HEADER)
		return r;
	if (r->phase == PHASE_DONE || !r->mm_locked)
		return NULL;
	vma = find_vma(r->mm, r->addr);
	if (!vma) {
		r->phase = PHASE_DONE;
		return NULL;
	}
	/* Unmapped since the last read(): go on with the next VMA's line. */
	if (r->phase == PHASE_PAGES && vma->vm_start > r->addr)
		r->phase = PHASE_VMA;
	r->vma = vma;
	return r;
}

/*
 * A report read from the start shows the mm the task has now: after an
 * execve() the one taken at open is gone for good.
 */
static void report_follow_mm(struct vmviz_report *r)
{
	struct mm_struct *mm = get_task_mm(r->task);

	if (mm != r->mm) {
		if (r->mm)
			mmdrop(r->mm);
		if (mm)
			mmgrab(mm);
		r->mm = mm;
	}
	if (mm)
		mmput(mm);
}

/*
 * Locking: takes, in this order, a task reference (header only), an mm_users
 * reference and the mmap read lock, killably; stop() drops them. Between
 * read() calls nothing is held but the mm_count reference taken at open.
 */
static void *report_start(struct seq_file *m, loff_t *pos)
{
	struct vmviz_report *r = m->private;

	r->task = NULL;
	r->vma = NULL;
	r->mm_locked = false;
	if (*pos == 0) {
		r->phase = PHASE_HEADER;
		r->addr = 0;
	} else if (*pos != r->pos) {
		return ERR_PTR(-EINVAL);
	}
	r->pos = *pos;
	if (r->phase == PHASE_DONE)
		return NULL;
	if (r->phase == PHASE_HEADER) {
		r->task = get_pid_task(r->pid, PIDTYPE_PID);
		if (!r->task)
			return ERR_PTR(-ESRCH);
		report_follow_mm(r);
	}
	if (r->mm && mmget_not_zero(r->mm)) {
		if (mmap_read_lock_killable(r->mm)) {
			mmput(r->mm);
			return ERR_PTR(-EINTR);
		}
		r->mm_locked = true;
	} else if (r->mm && r->phase != PHASE_HEADER) {
		/* The address space is gone: the process exited. */
		return ERR_PTR(-ESRCH);
	}
	return report_find(r);
}

static void *report_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmviz_report *r = m->private;

	r->phase = r->next_phase;
	r->addr = r->next_addr;
	r->pos = ++*pos;
	r->vma = NULL;
	return report_find(r);
}

static void report_stop(struct seq_file *m, void *v)
{
	struct vmviz_report *r = m->private;

	r->vma = NULL;
	if (r->mm_locked) {
		mmap_read_unlock(r->mm);
		mmput(r->mm);
		r->mm_locked = false;
	}
	if (r->task) {
		put_task_struct(r->task);
		r->task = NULL;
	}
}

/*
 * Whether to end this read() before the record at the cursor, to let an
 * mmap writer that waits for the lock in (the target's own mmap, munmap or
 * mprotect). Only when the buffer already holds a record: the record is then
 * marked as overflowed, seq_file returns what the buffer holds and replays
 * the record from the same cursor at the next read(). A read() therefore
 * always makes progress, and the writer waits for one record at most.
 *
 * Locking: mmap read lock held.
 */
static bool report_yield(struct seq_file *m, struct vmviz_report *r)
{
	if (!m->count || !mmap_lock_is_contended(r->mm))
		return false;
	m->count = m->size;	/* seq_has_overflowed() */
	return true;
}

static int report_show(struct seq_file *m, void *v)
{
	struct vmviz_report *r = m->private;

	if (r->phase != PHASE_HEADER && report_yield(m, r))
		return 0;
	switch (r->phase) {
	case PHASE_HEADER:
		show_header(m, r);
		break;
	case PHASE_VMA:
		show_vma(m, r);
		break;
	case PHASE_PAGES:
		show_pages(m, r);
		break;
	default:
		break;
	}
	return 0;
}

static const struct seq_operations report_seq_ops = {
	.start = report_start,
	.next = report_next,
	.stop = report_stop,
	.show = report_show,
};

/**
 * vmviz_report_open - open the report of @pid
 * @file: the file being opened
 * @pid: the process
 *
 * Disclosure: a report shows physical frame numbers and the layout of
 * another process, so opening one needs CAP_SYS_ADMIN in the initial user
 * namespace, checked against the opener's credentials.
 *
 * Locking: pid -> task -> mm, each reference dropped before the next is
 * kept: what stays is the pid and an mm_count reference (mmgrab), so an
 * open report does not keep the process's memory alive.
 *
 * Return: 0, -EPERM, -ESRCH if the process has been reaped, -ENOMEM.
 */
int vmviz_report_open(struct file *file, struct pid *pid)
{
	struct vmviz_report *r;
	struct task_struct *task;
	int err;

	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task)
		return -ESRCH;
	r = __seq_open_private(file, &report_seq_ops, sizeof(*r));
	if (!r) {
		err = -ENOMEM;
		goto out_put_task;
	}
	r->ptes = kvmalloc_array(VMVIZ_PTES_PER_TABLE, sizeof(pte_t), GFP_KERNEL);
	if (!r->ptes) {
		err = -ENOMEM;
		goto out_release;
	}
	r->pid = get_pid(pid);
	/* NULL for a kernel thread or a task past exit_mm(): not an error. */
	r->mm = get_task_mm(task);
	if (r->mm) {
		mmgrab(r->mm);
		mmput(r->mm);
	}
	put_task_struct(task);
	return 0;

out_release:
	seq_release_private(file_inode(file), file);
out_put_task:
	put_task_struct(task);
	return err;
}

int vmviz_report_release(struct inode *inode, struct file *file)
{
	struct vmviz_report *r = ((struct seq_file *)file->private_data)->private;

	if (r->mm)
		mmdrop(r->mm);
	put_pid(r->pid);
	kvfree(r->ptes);
	return seq_release_private(inode, file);
}
