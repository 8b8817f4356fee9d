// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: the report of one process, streamed through seq_file: a header
 * (provenance, identity, geometry, mm_struct, segments), then each VMA, its
 * pages and its sums, then an end line.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>

#include "compat.h"
#include "vmviz.h"

/* The format version on the first line; the reader refuses others. */
#define VMVIZ_FORMAT_VERSION	2

/* Page lines per seq_file record: keeps a record well inside one page. */
#define LINES_PER_RECORD	32

/*
 * The work one hold of the target's mmap lock may do: entries read by the
 * walker (upper-level entries and PTEs copied; a full PTE table is 512).
 * Past it the walk drops the lock and takes it again; a VMA line counts as
 * VMA_LINE_WORK. The longest hold is this budget plus one PTE table,
 * whatever the size of a VMA. A writer that waits ends a hold sooner: at
 * the next batch of the walk (one PTE table or leaf) once the hold has done
 * HOLD_MIN_WORK (walk_piece()), or between two VMAs (report_pause()).
 */
#define HOLD_BUDGET		32768
#define HOLD_MIN_WORK		PTRS_PER_PTE
#define VMA_LINE_WORK		64

/* The header's pass over the VMAs counts this much work per VMA. */
#define SEGMENT_WORK		8

/*
 * A read waiting for its target's mmap lock tries again at most this far
 * apart (from 1 jiffy, doubling), and ends between two tries if the file
 * is being removed or a fatal signal is pending: report_lock_wait().
 */
#define REPORT_LOCK_POLL	(HZ / 100 ?: 1)

/*
 * A report is a sequence of records. Record 0 is the header; then, for each
 * VMA, records holding its VMA line, its page lines (at most
 * LINES_PER_RECORD a record), and its sum line; then the end line. The
 * position of a record is only a counter: where it starts is the cursor
 * (struct report_cursor), which show() works out for the next record and
 * next() takes over. seq_file replays a record from the same cursor when
 * it did not fit, and restarts from position 0 on a seek, so the cursor is
 * always that of the record at @pos.
 */
enum report_phase {
	PHASE_HEADER,
	PHASE_VMA,	/* the VMA line of the first VMA ending above @addr */
	PHASE_PAGES,	/* page lines of the VMA from @addr on */
	PHASE_SUM,	/* the sum line of the VMA: [sum_start, addr) */
	PHASE_END,
	PHASE_DONE,
};

struct report_cursor {
	enum report_phase phase;
	unsigned long addr;
	unsigned long vma_start, vma_end;	/* the VMA of the last VMA line */
	unsigned long sum_start;		/* where its page walk began */
	struct vmviz_pgstat st;			/* its counts so far */
	struct vmviz_run run;			/* its open run of entries */
	unsigned long vmas, lines;		/* VMA and page lines so far */
	/* Frame detail only: the VMA's smaps counts, and all VMAs' so far. */
	struct vmviz_mss mss, total;
	struct vmviz_tables tables;		/* the page-table tree so far */
	unsigned long first_start;		/* of the first VMA line */
};

struct vmviz_report {
	struct pid *pid;		/* reference held until release */
	struct mm_struct *mm;		/* bound at open, mmgrab()ed; or NULL */
	struct vmviz_target *tg;	/* the file's: its removal */
	pte_t *ptes;			/* the walker's copy of one PTE table */
	bool frames;			/* the frame detail (frames/<pid>) */
	struct vmviz_access acc;	/* what the opener may see */

	loff_t pos;			/* the record @cur belongs to */
	struct report_cursor cur;
	struct report_cursor next;	/* set by show(): record @pos + 1 */

	/*
	 * Valid from start() to stop() only: never across read() calls. @vma
	 * is the VMA of the cursor, checked under this hold of the mmap lock
	 * (@mm_locked), or read-locked itself (@vma_locked).
	 */
	struct task_struct *task;
	struct vm_area_struct *vma;
	unsigned long held;		/* work done under this hold */
	bool mm_got;			/* an mm_users reference (mmget) */
	bool mm_locked;
	bool vma_locked;
};

/*
 * /proc/sys/kernel/random/boot_id, read once at load: the kernel keeps it
 * in a static of drivers/char/random.c, exported to nobody.
 */
static char boot_id[40] = "unknown";

void vmviz_report_init(void)
{
	struct file *f = filp_open("/proc/sys/kernel/random/boot_id", O_RDONLY, 0);
	char buf[36];
	loff_t pos = 0;
	unsigned int i;

	if (IS_ERR(f)) {
		pr_warn("no boot id: /proc/sys/kernel/random/boot_id: %ld\n", PTR_ERR(f));
		return;
	}
	if (kernel_read(f, buf, sizeof(buf), &pos) == sizeof(buf)) {
		for (i = 0; i < sizeof(buf); i++)
			if (!isxdigit(buf[i]) && buf[i] != '-')
				break;
		if (i == sizeof(buf)) {
			memcpy(boot_id, buf, sizeof(buf));
			boot_id[sizeof(buf)] = '\0';
		}
	}
	filp_close(f, NULL);
}

/*
 * What names (comm, paths, the release) have escaped as \ooo: blank and
 * backslash, which would break the line into fields, and every control
 * byte, so that a name a process chose (a comm, a file name) cannot move
 * the cursor or recolour the terminal of whoever cats a report.
 */
static const char name_esc[] = {
	' ', '\\', 001, 002, 003, 004, 005, 006, 007, 010, 011, 012, 013, 014,
	015, 016, 017, 020, 021, 022, 023, 024, 025, 026, 027, 030, 031, 032,
	033, 034, 035, 036, 037, 0177, 0
};

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

/*
 * Header, part 1 (docs/FORMAT.md, "Provenance"):
 *   report kernel RELEASE boot BOOTID time SEC.NSEC boottime SEC.NSEC
 * the kernel that made the report, its boot, and when (CLOCK_REALTIME and
 * CLOCK_BOOTTIME) the header was read.
 */
static void show_provenance(struct seq_file *m)
{
	struct timespec64 real, boot;

	ktime_get_real_ts64(&real);
	ktime_get_boottime_ts64(&boot);
	seq_puts(m, "report kernel ");
	seq_escape(m, init_utsname()->release, name_esc);
	seq_printf(m, " boot %s time %lld.%09ld boottime %lld.%09ld\n", boot_id,
		   (s64)real.tv_sec, real.tv_nsec, (s64)boot.tv_sec, boot.tv_nsec);
}

/* The provenance line and a size, for the kernel half (khalf.c). */
void vmviz_show_provenance(struct seq_file *m)
{
	show_provenance(m);
}

void vmviz_show_size(struct seq_file *m, u64 bytes)
{
	show_size(m, bytes);
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
 * Header, part 2 (docs/FORMAT.md, "Identity"):
 *   task pid N tgid N kind K state C comm NAME
 *   mm id ID users N count N active own|other|none
 * pid and tgid are in the reader's PID namespace; kind is process, thread,
 * kthread, zombie or exited; state is the letter of /proc/PID/stat; comm is
 * escaped (name_esc).
 *
 * ID is the mm's x86 context ID (mm->context.ctx_id, 16 hex digits): the
 * kernel numbers every mm_struct it creates from one 64-bit counter and
 * never gives a number twice in a boot, so with the boot id it names one
 * address space for ever, even once the mm_struct's memory is reused.
 * users and count are mm_users and mm_count without the references this
 * read holds: the mmget() of start() and the mmgrab() of open. active says
 * whether the task runs on its own mm, on another (a kernel thread
 * borrowing one) or on none.
 */
static void show_identity(struct seq_file *m, struct vmviz_report *r,
			  struct mm_struct *mm)
{
	struct task_struct *task = r->task;
	char comm[TASK_COMM_LEN];
	struct mm_struct *active;

	get_task_comm(comm, task);
	seq_printf(m, "task pid %d tgid %d kind %s state %c comm ",
		   task_pid_vnr(task), task_tgid_vnr(task), task_kind(task),
		   task_state_to_char(task));
	seq_escape(m, comm, name_esc);
	seq_putc(m, '\n');

	if (mm)
		seq_printf(m, "mm id %016llx users %d count %d",
			   (u64)mm->context.ctx_id,
			   atomic_read(&mm->mm_users) - r->mm_got,
			   atomic_read(&mm->mm_count) - 1);
	else
		seq_puts(m, "mm id none users 0 count 0");
	task_lock(task);
	active = task->active_mm;
	task_unlock(task);
	seq_printf(m, " active %s\n", !active ? "none" :
		   active == r->mm ? "own" : "other");
}

/*
 * Header, part 3 (docs/FORMAT.md, "Geometry"):
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
 * Header, part 4 (docs/FORMAT.md, "mm_struct"):
 *   field NAME HEX         one per layout field of the mm_struct
 *   counter NAME N         in pages
 * The rss_* counters are the kernel's per-mm RSS counters, summed as
 * /proc/PID/status sums them for RssFile, RssAnon, RssShmem and VmSwap.
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
		{ "rss_file", vmviz_mm_counter(mm, MM_FILEPAGES) },
		{ "rss_anon", vmviz_mm_counter(mm, MM_ANONPAGES) },
		{ "rss_shmem", vmviz_mm_counter(mm, MM_SHMEMPAGES) },
		{ "swap_ents", vmviz_mm_counter(mm, MM_SWAPENTS) },
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

static bool vma_overlaps(struct vm_area_struct *vma, unsigned long start,
			 unsigned long end)
{
	return start < end && vma->vm_start < end && vma->vm_end > start;
}

enum vma_seg {
	SEG_CODE, SEG_DATA, SEG_BSS, SEG_HEAP, SEG_STACK, SEG_VDSO, SEG_VVAR,
	SEG_SPECIAL, SEG_IMAGE, SEG_MMAP,
};

static const char *const seg_names[] = {
	[SEG_CODE] = "code", [SEG_DATA] = "data", [SEG_BSS] = "bss",
	[SEG_HEAP] = "heap", [SEG_STACK] = "stack", [SEG_VDSO] = "vdso",
	[SEG_VVAR] = "vvar", [SEG_SPECIAL] = "special", [SEG_IMAGE] = "image",
	[SEG_MMAP] = "mmap",
};

/*
 * The one classification of a VMA, behind both its segment and its name,
 * in the order /proc/PID/maps names VMAs: a file-backed VMA is code, data,
 * image (another mapping of the file mapped at start_code: @image) or
 * mmap, never heap or stack; then special mappings (vdso, vvar, special);
 * then anonymous ones: heap (it overlaps start_brk..brk: the rule of
 * vma_is_initial_heap(), on every kernel), stack (it holds start_stack),
 * code or data (ranges set by prctl(PR_SET_MM)), bss (it starts at the page
 * after end_data and ends at or below start_brk), or mmap.
 */
static enum vma_seg vma_segment(struct vm_area_struct *vma,
				const struct inode *image)
{
	struct mm_struct *mm = vma->vm_mm;
	const char *special;

	if (vma->vm_file) {
		if (vma_overlaps(vma, mm->start_code, mm->end_code))
			return SEG_CODE;
		if (vma_overlaps(vma, mm->start_data, mm->end_data))
			return SEG_DATA;
		if (image && file_inode(vma->vm_file) == image)
			return SEG_IMAGE;
		return SEG_MMAP;
	}
	special = special_name(vma);
	if (special)
		return !strcmp(special, "[vdso]") ? SEG_VDSO :
		       !strncmp(special, "[vvar", 5) ? SEG_VVAR : SEG_SPECIAL;
	if (vma_overlaps(vma, mm->start_brk, mm->brk))
		return SEG_HEAP;
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		return SEG_STACK;
	if (vma_overlaps(vma, mm->start_code, mm->end_code))
		return SEG_CODE;
	if (vma_overlaps(vma, mm->start_data, mm->end_data))
		return SEG_DATA;
	if (vma->vm_start == PAGE_ALIGN(mm->end_data) &&
	    vma->vm_end <= mm->start_brk)
		return SEG_BSS;
	return SEG_MMAP;
}

/* The inode mapped at start_code; only compared, never followed. */
static const struct inode *image_inode(struct mm_struct *mm)
{
	struct vm_area_struct *vma = find_vma(mm, mm->start_code);

	if (vma && vma->vm_start <= mm->start_code && vma->vm_file)
		return file_inode(vma->vm_file);
	return NULL;
}

/* Drop the lock the read holds on the target: a VMA's, or the mmap lock. */
static void report_unlock(struct vmviz_report *r)
{
	if (r->vma_locked)
		vmviz_unlock_vma(r->vma);
	r->vma_locked = false;
	if (r->mm_locked)
		mmap_read_unlock(r->mm);
	r->mm_locked = false;
	r->vma = NULL;
	r->held = 0;
}

/* The file is being removed: end the read (-EIO, as a removed proc file). */
static bool report_removing(const struct vmviz_report *r)
{
	return READ_ONCE(r->tg->removing);
}

/**
 * report_lock_wait - take the target's mmap lock for read, without queueing
 * @r: the report; r->mm is held by mmget()
 *
 * A read never sleeps in the target's lock queue. mmap_read_lock() behind
 * a writer that waits for a holder stuck for long (a fault on a FUSE or
 * NFS server that does not answer, with a writer queued behind it) would
 * keep this read inside proc_ops, and proc_remove() waits for every such
 * call: untrack, rmmod and the all-mode reconcile would hang with it. So
 * the lock is tried (mmap_read_trylock() fails at once while a writer
 * holds or waits, and never makes a writer wait), and between two tries,
 * from one jiffy apart up to REPORT_LOCK_POLL, the read ends if the file
 * is being removed (-EIO) or a fatal signal is pending (-EINTR). Removal
 * thus waits at most REPORT_LOCK_POLL for a reader that has not got the
 * lock, and one piece of work (HOLD_BUDGET) for one that has.
 *
 * Return: 0 with the lock held (r->mm_locked), -EINTR or -EIO.
 */
static int report_lock_wait(struct vmviz_report *r)
{
	unsigned long delay = 1;

	while (!mmap_read_trylock(r->mm)) {
		if (fatal_signal_pending(current))
			return -EINTR;
		if (report_removing(r))
			return -EIO;
		schedule_timeout_killable(delay);
		delay = min_t(unsigned long, delay * 2, REPORT_LOCK_POLL);
	}
	r->mm_locked = true;
	return 0;
}

/* Hold the mmap read lock: VMA lines, the header and walks without VMA locks. */
static int report_lock_mm(struct vmviz_report *r)
{
	if (r->mm_locked)
		return 0;
	report_unlock(r);
	return report_lock_wait(r);
}

/*
 * Whether a writer waits for the lock this read holds: for the mmap lock
 * (mmap_lock_is_contended(), a look at the rwsem's wait list), or for a
 * read-locked VMA (7.2), in vma_start_write() while it holds the mmap lock
 * for write: vmviz_vma_writer_waits().
 */
static bool report_writer_waits(struct vmviz_report *r)
{
	return (r->mm_locked && mmap_lock_is_contended(r->mm)) ||
	       (r->vma_locked && vmviz_vma_writer_waits(r->vma));
}

/*
 * Between two pieces of a report: a fatal signal or the file's removal
 * ends the read here, and the lock is dropped when this hold has done its
 * share of work, or when a writer waits for the lock held, so that the
 * target's mmap, munmap or mprotect waits for one bounded piece at most
 * (a walk's piece also ends after a batch when a writer waits:
 * walk_piece()). The caller takes the lock it needs again, and looks its
 * VMA up again.
 */
static int report_pause(struct vmviz_report *r)
{
	if (fatal_signal_pending(current))
		return -EINTR;
	if (report_removing(r))
		return -EIO;
	if (r->held < HOLD_BUDGET && !report_writer_waits(r))
		return 0;
	report_unlock(r);
	cond_resched();
	return 0;
}

/*
 * Header, part 5 (docs/FORMAT.md, "Segments"):
 *   segment NAME START-END size SIZE
 * for code, data, bss, heap, mmap, stack, args, env, vdso and vvar, END
 * exclusive. bss runs from end_data to the end of the VMA of segment bss
 * (the tail of the last data page and that mapping); mmap spans the VMAs
 * of segment mmap; stack, vdso and vvar are their VMAs. A segment that does
 * not exist is shown as 0-0.
 *
 * Locking: mmap read lock held; one pass over the VMAs, with find_vma(),
 * paused as the walk is (report_pause()): the lock is dropped when the
 * hold's budget is spent or a writer waits, and the pass goes on from the
 * end of the last VMA seen. The segments are then those of a layout that
 * may have changed during the pass, as /proc/PID/maps would show it.
 *
 * Return: 0, or -EINTR or -EIO from report_pause().
 */
static int show_segments(struct seq_file *m, struct vmviz_report *r)
{
	struct mm_struct *mm = r->mm;
	unsigned long mmap_lo = ~0UL, mmap_hi = 0, bss_end = mm->end_data;
	unsigned long range[SEG_MMAP + 1][2] = {};
	const struct inode *image = image_inode(mm);
	struct vm_area_struct *vma;
	unsigned long next = 0;
	int err;

	for (vma = find_vma(mm, 0); vma; vma = find_vma(mm, next)) {
		enum vma_seg seg = vma_segment(vma, image);

		next = vma->vm_end;
		r->held += SEGMENT_WORK;

		if (seg == SEG_MMAP) {
			mmap_lo = min(mmap_lo, vma->vm_start);
			mmap_hi = max(mmap_hi, vma->vm_end);
		} else if (seg == SEG_BSS) {
			bss_end = vma->vm_end;
		} else {
			if (!range[seg][1])
				range[seg][0] = vma->vm_start;
			range[seg][1] = vma->vm_end;
		}
		err = report_pause(r);
		if (!err)
			err = report_lock_mm(r);
		if (err)
			return err;
		if (!r->held)
			image = image_inode(mm);	/* the lock was dropped */
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
	show_range(m, "segment", "stack", range[SEG_STACK][0], range[SEG_STACK][1]);
	show_range(m, "segment", "args", mm->arg_start, mm->arg_end);
	show_range(m, "segment", "env", mm->env_start, mm->env_end);
	show_range(m, "segment", "vdso", range[SEG_VDSO][0], range[SEG_VDSO][1]);
	show_range(m, "segment", "vvar", range[SEG_VVAR][0], range[SEG_VVAR][1]);
	return 0;
}

static int show_header(struct seq_file *m, struct vmviz_report *r,
		       struct report_cursor *c)
{
	struct mm_struct *mm = r->mm_locked ? r->mm : NULL;
	int err;

	seq_printf(m, "vmviz-format %d\n", VMVIZ_FORMAT_VERSION);
	if (r->frames)
		seq_puts(m, "detail frames tables\n");
	show_provenance(m);
	show_identity(m, r, mm);
	show_geometry(m, mm);
	if (mm) {
		show_mm_struct(m, mm);
		err = show_segments(m, r);
		if (err)
			return err;
	}
	c->phase = mm ? PHASE_VMA : PHASE_END;
	c->addr = 0;
	return 0;
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
	{ VM_PFNMAP, "pf" },
#ifdef VM_DENYWRITE
	{ VM_DENYWRITE, "dw" },
#endif
	{ VM_LOCKED, "lo" }, { VM_IO, "io" },
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

/*
 * The name /proc/PID/maps gives, escaped; [anon] where maps shows none.
 * It follows the VMA's segment, but for 6.1's [heap], which maps also
 * gives an anonymous VMA that only touches start_brk..brk.
 */
static void show_vma_name(struct seq_file *m, struct vm_area_struct *vma,
			  enum vma_seg seg)
{
	const char *special = special_name(vma);

	if (vma->vm_file)
		seq_path(m, vmviz_file_path(vma->vm_file), name_esc);
	else if (special)
		seq_puts(m, special);
	else if (seg == SEG_HEAP || vmviz_maps_heap(vma))
		seq_puts(m, "[heap]");
	else if (seg == SEG_STACK)
		seq_puts(m, "[stack]");
	else
		seq_puts(m, "[anon]");
}

/*
 * A VMA line (docs/FORMAT.md, "VMA lines"), of the first VMA ending above
 * c->addr:
 *   vma START-END PERM OFFSET NAME seg SEG flags HEX vm NAMES prot HEX
 *       protflags FLAGS anon 0|1 pkey N
 * PERM and OFFSET (bytes, 16 hex digits; 0 without a file) as
 * /proc/PID/maps has them; vm names the vm_flags as smaps' VmFlags does,
 * in bit order, comma separated; prot is vm_page_prot, protflags its
 * hardware bits as in page lines; anon tells whether an anon_vma is
 * attached. Its page lines follow from c->addr on (a VMA that changed
 * while it was read is shown again from where its walk stopped).
 *
 * Locking: mmap read lock held.
 */
static int show_vma(struct seq_file *m, struct vmviz_report *r,
		    struct report_cursor *c)
{
	struct vm_area_struct *vma;
	enum vma_seg seg;
	unsigned long flags;
	int err;

	err = report_pause(r);
	if (err)
		return err;
	/* Leave the first piece of the VMA's walk room in this hold. */
	if (r->held > HOLD_BUDGET / 2)
		report_unlock(r);
	err = report_lock_mm(r);
	if (err)
		return err;
	vma = find_vma(r->mm, c->addr);
	if (!vma) {
		c->phase = PHASE_END;
		return 0;
	}
	r->vma = vma;
	r->held += VMA_LINE_WORK;
	flags = vmviz_vm_flags(vma);
	seg = vma_segment(vma, image_inode(r->mm));

	seq_printf(m, "vma %016lx-%016lx %c%c%c%c %016llx ", vma->vm_start,
		   vma->vm_end, flags & VM_READ ? 'r' : '-',
		   flags & VM_WRITE ? 'w' : '-', flags & VM_EXEC ? 'x' : '-',
		   flags & VM_MAYSHARE ? 's' : 'p',
		   vma->vm_file ? (u64)vma->vm_pgoff << PAGE_SHIFT : 0);
	show_vma_name(m, vma, seg);
	seq_printf(m, " seg %s flags %016lx vm ", seg_names[seg], flags);
	show_vm_flags(m, flags);
	seq_printf(m, " prot %016llx protflags ",
		   (u64)pgprot_val(vma->vm_page_prot));
	vmviz_show_hwflags(m, pgprot_val(vma->vm_page_prot), VMVIZ_PTE);
	seq_printf(m, " anon %d pkey %u\n", !!vma->anon_vma, vm_pkey(flags));

	c->vma_start = vma->vm_start;
	c->vma_end = vma->vm_end;
	c->addr = max(c->addr, vma->vm_start);
	c->sum_start = c->addr;
	memset(&c->st, 0, sizeof(c->st));
	if (r->frames) {
		memset(&c->mss, 0, sizeof(c->mss));
		if (!c->vmas)
			c->first_start = vma->vm_start;
	}
	c->run.open = false;
	c->run.frames = r->frames;
	c->run.pfn_hidden = !r->acc.pfn;
	c->run.frames_hidden = r->frames && !r->acc.frames;
	c->vmas++;
	c->phase = PHASE_PAGES;
	return 0;
}

/*
 * Lock the VMA of the last VMA line for the next piece of its walk: by its
 * own read lock where the kernel lets a module take one, else (or when that
 * fails: a writer is changing the VMA) by the mmap lock.
 *
 * Return: 0 with r->vma locked; 1 if the VMA has changed (unmapped, split,
 * merged, grown or shrunk) since its line was made; -EINTR.
 */
static int report_lock_vma(struct vmviz_report *r, struct report_cursor *c)
{
	struct vm_area_struct *vma;
	int err;

	if (r->vma)
		return 0;
	/*
	 * Looked up by its start: c->addr is its end when a record filled up
	 * with its last entry, and the VMA there is the next one.
	 */
	if (!r->mm_locked) {
		vma = vmviz_lock_vma(r->mm, c->vma_start);
		if (vma) {
			r->vma = vma;
			r->vma_locked = true;
			return vma->vm_start != c->vma_start ||
			       vma->vm_end != c->vma_end;
		}
		err = report_lock_mm(r);
		if (err)
			return err;
	}
	vma = find_vma(r->mm, c->vma_start);
	if (!vma || vma->vm_start != c->vma_start || vma->vm_end != c->vma_end)
		return 1;
	r->vma = vma;
	return 0;
}

/*
 * Walk the VMA from c->addr on, under the lock held, until the hold's
 * budget is spent or a writer waits (0), the record is full (1), the VMA
 * is done (2), or a lock the walk needs is held by another (3:
 * walk_lock_shared()).
 */
static int walk_piece(struct vmviz_report *r, struct report_cursor *c,
		      struct vmviz_sink *sink)
{
	struct vmviz_walk w = {
		.mm = r->mm, .vma = r->vma_locked ? r->vma : NULL,
		.addr = c->addr, .end = c->vma_end, .buf = r->ptes,
		.work = r->held, .budget = HOLD_BUDGET,
		.tables = r->frames ? &c->tables : NULL,
		.path = r->frames ? &c->run.path : NULL,
		/*
		 * The frame detail reads what PTEs map under the table's lock,
		 * as smaps does (vmviz_frame_pte()).
		 */
		.lock_ptes = r->frames,
	};
	struct vmviz_batch b;
	unsigned int taken;
	int ret = 0;

	while (vmviz_walk_next(&w, &b)) {
		taken = vmviz_run_feed(&c->run, &b, sink);
		vmviz_walk_done(&b);
		/*
		 * An upper entry is no progress: the walk goes on to the leaf
		 * below it (at most four upper lines more, which the record's
		 * headroom takes or a fresh buffer remakes), so that the first
		 * piece of a VMA still walks at least one leaf or PTE table.
		 */
		if (b.upper)
			continue;
		if (r->frames) {
			vmviz_smaps_account(&c->mss, &c->tables, r->vma, &b,
					    taken);
			/* Its frames are read page by page: 512 struct pages. */
			if (b.level == VMVIZ_PMD)
				w.work += PTRS_PER_PTE;
		}
		if (taken < b.nr) {
			w.addr = b.addr + ((unsigned long)taken << PAGE_SHIFT);
			ret = 1;
			break;
		}
		if (vmviz_sink_full(sink)) {
			ret = 1;
			break;
		}
		/*
		 * A writer that came to wait ends the hold once it has done a
		 * PTE table's worth of work (HOLD_MIN_WORK), not at the end of
		 * the budget: the piece ends as a spent one does, and
		 * report_pause() drops the lock. After a batch, so that every
		 * piece makes progress; not sooner, so that a target whose
		 * writers always wait (an mmap loop) still lets a hold read
		 * 512 huge leaves, where each drop may cost a jiffy's wait.
		 */
		if (w.work >= HOLD_MIN_WORK && report_writer_waits(r))
			break;
		/*
		 * A hold may be long (HOLD_BUDGET): give the CPU up between
		 * batches, as smaps_pte_range() does after each PMD. Nothing
		 * but the walk's lock is held here: the mmap lock, a sleeping
		 * lock, or the VMA's read lock, which do_user_addr_fault()
		 * holds across the sleeps of handle_mm_fault() (7.2). A shared
		 * hugetlb table's i_mmap_rwsem is held only inside a step
		 * (vmviz_walk_next()); RCU and a PTE table's lock no longer than
		 * its batch (vmviz_walk_done() above).
		 */
		cond_resched();
	}
	if (!ret && w.addr >= w.end)
		ret = 2;
	else if (!ret && w.blocked)
		ret = 3;
	c->addr = w.addr;
	r->held = w.work;
	return ret;
}

/*
 * Page lines of the VMA from c->addr on, until the record is full or the
 * VMA is done (docs/FORMAT.md, "Page lines"; the line is at pgrun.c).
 * Entries are merged into runs across batches, records and holds of the
 * lock; the open run travels in the cursor.
 *
 * Locking: on entry the mmap read lock; on the way, pieces of the walk
 * under the VMA's own lock where the kernel allows it, else under the mmap
 * lock, dropped and taken again.
 *
 * Progress: the first piece after the VMA line runs in the hold that made
 * the line, which show_vma() leaves at least half a budget, so it walks at
 * least one PTE table or leaf on. A VMA that keeps changing between holds
 * has its line shown again from where the walk stopped (docs/FORMAT.md),
 * each time further on: the report always ends.
 */
static int show_pages(struct seq_file *m, struct vmviz_report *r,
		      struct report_cursor *c)
{
	struct vmviz_sink sink = {
		.m = m, .st = &c->st, .lines = &c->lines,
		.room = LINES_PER_RECORD, .mss = &c->mss,
	};
	struct vmviz_shmem_swap sw;
	bool first = r->vma;	/* still locked since its VMA line */
	int err;

	for (;;) {
		if (!first) {
			err = report_pause(r);
			/* Where the kernel allows it, on the VMA's own lock. */
			if (!err && VMVIZ_VMA_LOCK && r->mm_locked && !r->vma)
				report_unlock(r);
			if (!err)
				err = report_lock_vma(r, c);
			if (err < 0)
				return err;
			if (err)
				break;	/* changed: its sum ends at c->addr */
		}
		first = false;
		sink.vma = r->vma;
		sink.pfnmap = r->frames && (vmviz_vm_flags(r->vma) & VM_PFNMAP);
		err = walk_piece(r, c, &sink);
		if (err == 1)
			return 0;	/* the record is full */
		if (err == 3) {
			/* Wait for the file's writer outside the target's lock. */
			report_unlock(r);
			schedule_timeout_killable(1);
			continue;
		}
		if (err == 2) {
			/*
			 * The VMA is done, and still locked: its shmem
			 * object's swap is counted after the lock is gone.
			 */
			if (r->frames && vmviz_smaps_shmem_get(&sw, r->vma,
							       c->sum_start)) {
				report_unlock(r);
				vmviz_smaps_shmem_put(&c->mss, &sw);
			}
			break;
		}
	}
	vmviz_run_flush(&c->run, &sink);
	c->phase = PHASE_SUM;
	return 0;
}

/*
 * A sum line (docs/FORMAT.md, "Sum lines"), after a VMA's page lines:
 *   sum START-END present N dirty N accessed N writable N huge N
 *       swapped N nonpresent N
 * START-END is the part of the VMA its page lines cover: all of it, unless
 * it changed while it was read. The counts are base pages of those page
 * lines: present (P or PROT_NONE), dirty, accessed, writable (P and RW),
 * huge (mapped by 2M or 1G leaves), swapped (in swap), nonpresent (swap,
 * migration and other non-present entries).
 */
static void show_sum(struct seq_file *m, struct vmviz_report *r,
		     struct report_cursor *c)
{
	const struct vmviz_pgstat *st = &c->st;
	struct vmviz_sink sink = { .m = m, .lines = &c->lines };

	/* The frame detail's upper lines still open: before their sum. */
	vmviz_run_flush_upper(&c->run, &sink);
	seq_printf(m, "sum %016lx-%016lx present %lu dirty %lu accessed %lu",
		   c->sum_start, c->addr, st->present, st->dirty, st->accessed);
	seq_printf(m, " writable %lu huge %lu swapped %lu nonpresent %lu",
		   st->writable, st->huge, st->swapped, st->nonpresent);
	if (r->frames) {
		vmviz_smaps_show(m, &c->mss);
		vmviz_smaps_add(&c->total, &c->mss);
	}
	seq_putc(m, '\n');
	c->phase = PHASE_VMA;
}

/*
 * Frame detail only, before the end line (docs/FORMAT.md, "Frame detail"):
 *   rollup START-END FIELDS
 * the smaps fields of the sum lines, summed over every VMA (as
 * /proc/PID/smaps_rollup sums them before it scales them), START-END from
 * the first VMA line's start to the last one's end (0-0 without VMAs).
 */
/*
 * Frame detail only, before the rollup line (docs/FORMAT.md, "Page-table
 * tree"): one line per level of tables below the PGD that the walk
 * entered (p4d only with 5-level paging), then the total the kernel keeps
 * in mm->pgtables_bytes (VmPTE):
 *   table LEVEL count N used N min N max N hist N,...,N bytes N
 *   pgtables deposited N bytes N
 * used: non-empty entries in all of them; min, max: per table; hist:
 * tables by used entries, 0, 1, 2-3, 4-7, ..., 256-511, 512; bytes: of
 * the tables. deposited: PTE tables kept under anonymous PMD leaves; the
 * total bytes are the PTE, PMD and PUD tables and the deposited ones, as
 * mm_inc_nr_ptes(), _pmds() and _puds() count them (P4D tables are not).
 */
static void show_tables(struct seq_file *m, const struct vmviz_tables *t)
{
	static const char *const names[VMVIZ_NR_TABLES] = {
		[VMVIZ_TABLE_PTE] = "pte", [VMVIZ_TABLE_PMD] = "pmd",
		[VMVIZ_TABLE_PUD] = "pud", [VMVIZ_TABLE_P4D] = "p4d",
	};
	unsigned int l, i, levels = pgtable_l5_enabled() ? 4 : 3;
	unsigned long tables = t->deposited;

	for (l = 0; l < levels; l++) {
		const struct vmviz_tstat *s = &t->level[l];

		seq_printf(m, "table %s count %lu used %lu min %u max %u hist ",
			   names[l], s->count, s->used, s->min, s->max);
		for (i = 0; i < VMVIZ_TABLE_HIST; i++)
			seq_printf(m, i ? ",%lu" : "%lu", s->hist[i]);
		seq_printf(m, " bytes %lu\n", s->count * PAGE_SIZE);
		if (l != VMVIZ_TABLE_P4D)
			tables += s->count;
	}
	seq_printf(m, "pgtables deposited %lu bytes %lu\n", t->deposited,
		   tables * PAGE_SIZE);
}

static void show_rollup(struct seq_file *m, struct report_cursor *c)
{
	show_tables(m, &c->tables);
	seq_printf(m, "rollup %016lx-%016lx", c->vmas ? c->first_start : 0,
		   c->vmas ? c->vma_end : 0);
	vmviz_smaps_show(m, &c->total);
	seq_putc(m, '\n');
}

/*
 * The last line (docs/FORMAT.md, "End line"): end vmas N pagelines N, the
 * number of VMA lines and page lines above it. A report without it was cut.
 */
static void show_end(struct seq_file *m, struct vmviz_report *r,
		     struct report_cursor *c)
{
	if (r->frames)
		show_rollup(m, c);
	seq_printf(m, "end vmas %lu pagelines %lu\n", c->vmas, c->lines);
	c->phase = PHASE_DONE;
}

/*
 * Locking: takes, in this order, a task reference (header only), an mm_users
 * reference and the mmap read lock, killably; stop() drops them. Between
 * read() calls nothing is held but the mm_count reference taken at open.
 */
static void *report_start(struct seq_file *m, loff_t *pos)
{
	struct vmviz_report *r = m->private;
	enum report_phase phase;

	r->task = NULL;
	r->vma = NULL;
	r->held = 0;
	r->mm_got = false;
	r->mm_locked = false;
	r->vma_locked = false;
	if (*pos == 0) {
		memset(&r->cur, 0, sizeof(r->cur));
		r->cur.phase = PHASE_HEADER;
	} else if (*pos != r->pos) {
		return ERR_PTR(-EINVAL);
	}
	r->pos = *pos;
	phase = r->cur.phase;
	if (phase == PHASE_DONE)
		return NULL;
	if (phase == PHASE_HEADER) {
		r->task = get_pid_task(r->pid, PIDTYPE_PID);
		if (!r->task)
			return ERR_PTR(-ESRCH);
	}
	/*
	 * The mm bound at open: once the task has exec'd, it has no users
	 * and the report no VMAs, as /proc/PID/maps opened then shows none.
	 */
	if (r->mm && mmget_not_zero(r->mm)) {
		int err;

		r->mm_got = true;
		err = report_lock_wait(r);
		if (err)
			return ERR_PTR(err);
	} else if (r->mm && (phase == PHASE_VMA || phase == PHASE_PAGES)) {
		/* The address space is gone: the process exited. */
		return ERR_PTR(-ESRCH);
	}
	return r;
}

static void *report_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmviz_report *r = m->private;

	r->cur = r->next;
	r->pos = ++*pos;
	return r->cur.phase == PHASE_DONE ? NULL : r;
}

static void report_stop(struct seq_file *m, void *v)
{
	struct vmviz_report *r = m->private;

	report_unlock(r);
	/*
	 * The last mm_users reference, if the target exited meanwhile: its
	 * address space is torn down by a kworker (mmput_async(), exported
	 * on 5.10 to 7.2), not inside this read(), which a removal of the
	 * file would have to wait for.
	 */
	if (r->mm_got)
		mmput_async(r->mm);
	r->mm_got = false;
	if (r->task) {
		put_task_struct(r->task);
		r->task = NULL;
	}
}

/*
 * One record from the cursor r->cur, into r->next: the header; or a VMA
 * line, its page lines and its sum line, as many as fit; or the end line.
 */
static int report_show(struct seq_file *m, void *v)
{
	struct vmviz_report *r = m->private;
	struct report_cursor *c = &r->next;
	int err = 0;

	*c = r->cur;
	while (!err) {
		switch (c->phase) {
		case PHASE_HEADER:
			return show_header(m, r, c);
		case PHASE_VMA:
			if (!r->mm_got)
				return -ESRCH;
			err = show_vma(m, r, c);
			break;
		case PHASE_PAGES:
			if (!r->mm_got)
				return -ESRCH;
			err = show_pages(m, r, c);
			if (!err && c->phase == PHASE_PAGES)
				return 0;	/* the record is full */
			break;
		case PHASE_SUM:
			show_sum(m, r, c);
			return 0;
		case PHASE_END:
			show_end(m, r, c);
			return 0;
		default:
			return 0;
		}
	}
	return err;
}

static const struct seq_operations report_seq_ops = {
	.start = report_start,
	.next = report_next,
	.stop = report_stop,
	.show = report_show,
};

/* execve()s between the access check and the look at the mm: tries. */
#define BIND_TRIES	3

/*
 * Bind the report to the mm the opener was allowed to read, as
 * proc_mem_open() binds /proc/PID/maps, smaps and pagemap at open: a
 * descriptor kept, or passed on, never shows what the process execs next
 * (a setuid program, say). The check runs on the mm the task has between
 * two looks at it; if an execve() replaced it meanwhile, both go again.
 * exec_mmap() installs the new mm before begin_new_exec() commits the new
 * credentials, both under exec_update_lock, which mm_access() takes too
 * (5.10 to 7.2): an unchanged mm was checked with its own credentials.
 *
 * Return: 0 with r->mm set (NULL for a kernel thread or a task past
 * exit_mm(): not an error) and mmgrab()ed; an error of the check; -EAGAIN
 * if the task kept exec'ing.
 */
static int report_bind_mm(struct vmviz_report *r, struct file *file,
			  struct task_struct *task)
{
	struct mm_struct *mm, *now;
	unsigned int tries;
	int err;

	for (tries = 0; tries < BIND_TRIES; tries++) {
		mm = get_task_mm(task);
		err = vmviz_access_open(file, r->pid, r->frames, !!mm, &r->acc);
		now = get_task_mm(task);
		/* As in report_stop(): a last reference is dropped by a kworker. */
		if (now)
			mmput_async(now);
		if (!err && now == mm) {
			r->mm = mm;
			if (mm) {
				mmgrab(mm);
				mmput_async(mm);
			}
			return 0;
		}
		if (mm)
			mmput_async(mm);
		if (err)
			return err;
	}
	return -EAGAIN;
}

/**
 * report_open - open the report of a process
 * @file: the file being opened
 * @tg: the process (no pid: the opener itself) and its file's removal flag
 * @frames: with the frame detail
 *
 * Disclosure: the rules of /proc/PID, decided at open against the
 * opener's credentials (vmviz_access_open()), and the mm bound at open
 * (report_bind_mm()).
 *
 * Locking: pid -> task -> mm, each reference dropped before the next is
 * kept: what stays is the pid and an mm_count reference (mmgrab), so an
 * open report does not keep the process's memory alive.
 *
 * Return: 0, -ENOENT (not in the opener's PID namespace), -EACCES or
 * -EPERM (refused as /proc/PID/pagemap would be), -ESRCH if the process
 * has been reaped, -ENOMEM, -EAGAIN.
 */
static int report_open(struct file *file, struct vmviz_target *tg, bool frames)
{
	struct pid *pid = tg->pid ?: task_tgid(current);
	struct vmviz_report *r;
	struct task_struct *task;
	int err;

	task = get_pid_task(pid, PIDTYPE_PID);
	if (!task)
		return -ESRCH;
	r = __seq_open_private(file, &report_seq_ops, sizeof(*r));
	if (!r) {
		err = -ENOMEM;
		goto out_put_task;
	}
	/* Charged to the opener's memory cgroup: anyone may open a report. */
	r->ptes = kvmalloc_array(VMVIZ_PTES_PER_TABLE, sizeof(pte_t), GFP_KERNEL_ACCOUNT);
	if (!r->ptes) {
		err = -ENOMEM;
		goto out_release;
	}
	r->pid = pid;
	r->frames = frames;
	r->tg = tg;
	err = report_bind_mm(r, file, task);
	if (err)
		goto out_free_ptes;
	get_pid(pid);
	put_task_struct(task);
	return 0;

out_free_ptes:
	kvfree(r->ptes);
out_release:
	seq_release_private(file_inode(file), file);
out_put_task:
	put_task_struct(task);
	return err;
}

/**
 * vmviz_target_enter - a call on @tg's file begins
 * @tg: the file's target
 *
 * Return: true, and the call counts in @tg->inflight until
 * vmviz_target_leave(); false if the file is being removed: the call must
 * then end without touching user memory (-EIO, -ENOENT for an open, as
 * procfs answers for a removed file).
 *
 * Ordering: the increment is ordered before the read of @tg->removing (a
 * full barrier), as the removal's write of @tg->removing is before its
 * read of @tg->inflight (vmviz_target_idle()): either the removal sees the
 * call, or the call sees the removal.
 */
bool vmviz_target_enter(struct vmviz_target *tg)
{
	atomic_inc(&tg->inflight);
	/* Pairs with the smp_mb() of vmviz_target_idle(): see above. */
	smp_mb__after_atomic();
	if (!READ_ONCE(tg->removing))
		return true;
	vmviz_target_leave(tg);
	return false;
}

void vmviz_target_leave(struct vmviz_target *tg)
{
	/* What the call did is done before the removal can see it gone. */
	smp_mb__before_atomic();
	atomic_dec(&tg->inflight);
}

/*
 * Whether no call is in flight on @tg's file; the caller has set
 * @tg->removing (vmviz_target_enter()). A call that sees removing set
 * leaves at once, so once this is true proc_remove() waits for nothing
 * that can take long.
 */
bool vmviz_target_idle(struct vmviz_target *tg)
{
	/* Removing set before inflight read: vmviz_target_enter()'s pair. */
	smp_mb();
	return !atomic_read(&tg->inflight);
}

/*
 * A call in flight on a report file holds its removal up. Most end within
 * a bounded time once the file is marked removing: a read waiting for the
 * target's lock polls for it (report_lock_wait()), a piece of work ends at
 * its budget (report_pause()). One does not: a read() whose own buffer
 * faults on a server that never answers (FUSE, NFS, a userfaultfd) waits
 * in copy_to_iter() inside seq_read_iter() for as long as that lasts. So
 * every call is counted (vmviz_target_enter()) and removal waits for the
 * count to reach 0 without blocking (main.c, tracked_remove()): a file
 * with such a reader stays, marked removing, until it leaves.
 */
static int report_open_counted(struct file *file, struct vmviz_target *tg,
			       bool frames)
{
	int err;

	if (!vmviz_target_enter(tg))
		return -ENOENT;
	err = report_open(file, tg, frames);
	vmviz_target_leave(tg);
	return err;
}

/* The report of an open report file (report_open()'s seq_file private). */
static struct vmviz_report *file_report(struct file *file)
{
	return ((struct seq_file *)file->private_data)->private;
}

ssize_t vmviz_report_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct vmviz_target *tg = file_report(iocb->ki_filp)->tg;
	ssize_t ret;

	if (!vmviz_target_enter(tg))
		return -EIO;
	ret = seq_read_iter(iocb, to);
	vmviz_target_leave(tg);
	return ret;
}

loff_t vmviz_report_lseek(struct file *file, loff_t offset, int whence)
{
	struct vmviz_target *tg = file_report(file)->tg;
	loff_t ret;

	if (!vmviz_target_enter(tg))
		return -EIO;
	ret = seq_lseek(file, offset, whence);
	vmviz_target_leave(tg);
	return ret;
}

int vmviz_report_open(struct file *file, struct vmviz_target *tg)
{
	return report_open_counted(file, tg, false);
}

/*
 * The frame detail of @pid: the same report, whose sum lines also carry
 * the smaps counts of their VMA's frames, with a rollup line before the
 * end line (docs/FORMAT.md, "Frame detail").
 */
int vmviz_report_open_frames(struct file *file, struct vmviz_target *tg)
{
	return report_open_counted(file, tg, true);
}

int vmviz_report_release(struct inode *inode, struct file *file)
{
	struct vmviz_report *r = file_report(file);

	if (r->mm)
		mmdrop(r->mm);
	put_pid(r->pid);
	kvfree(r->ptes);
	return seq_release_private(inode, file);
}
