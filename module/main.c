// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: module entry and the /proc/vmviz tree: one report file per
 * process (or, with all=0, per tracked process), self, and the track and
 * untrack control files.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "compat.h"
#include "vmviz.h"

/* Files for every process, as /proc has; all=0: only for tracked ones. */
static bool all = true;
module_param(all, bool, 0444);
MODULE_PARM_DESC(all, "give every process its /proc/vmviz/<pid> (default); 0: only processes written to /proc/vmviz/track");

/* At most this many tracked processes (default mode); one more is -ENOSPC. */
#define MAX_TRACKED	4096

/* Room for a PID in decimal and its NUL: the name of a report file. */
#define NAME_LEN	12

/* All mode: how long after a fork or a reap the directory is reconciled. */
#define RECONCILE_DELAY	(HZ / 10)

/* PIDs the reconcile scan collects under RCU before it creates their files. */
#define SCAN_BATCH	64

/*
 * A report entry. It holds the struct pid, not the number: once the process
 * is reaped its report fails with -ESRCH rather than showing the next
 * process that gets the number. The file is named by @nr: the number in
 * the PID namespace of the writer who tracked it, or in all mode the number
 * in the initial PID namespace.
 *
 * Removal is in two steps so that no one waits for a reader while holding
 * tracked_lock: under the lock the entry is marked removing (it stays in
 * tracked_xa, which keeps its name reserved: a new file of that name would
 * make procfs WARN), then proc_remove() runs without the lock, then the
 * entry leaves tracked_xa.
 */
struct tracked {
	struct vmviz_target tg;		/* the pid, and whether it is removing */
	struct proc_dir_entry *pde;
	struct proc_dir_entry *frames;	/* frames/<name>: the frame detail */
	struct list_head dead;		/* on a removal list once removing */
	unsigned long nr;		/* the key in tracked_xa, and the name */
	struct rcu_head rcu;		/* freed after a grace period: see reconcile() */
	char name[NAME_LEN];
};

/*
 * tracked_lock guards membership of tracked_xa, ->tg.removing, nr_tracked
 * and the deferred list.
 * It is never held while waiting for a reader (proc_remove() runs without
 * it), nor across anything else that waits for long: control writers take
 * it with mutex_lock_killable() all the same.
 */
static DEFINE_MUTEX(tracked_lock);
static DEFINE_XARRAY(tracked_xa);	/* nr -> struct tracked */
static unsigned int nr_tracked;		/* entries in tracked_xa */

static struct proc_dir_entry *vmviz_dir;

struct vmviz_target vmviz_self;

/* All mode: the reconcile work and the queue it runs on. */
static void reconcile(struct work_struct *work);
static DECLARE_DELAYED_WORK(reconcile_work, reconcile);
static struct workqueue_struct *vmviz_wq;

/*
 * Removals put off while a call on the file is in flight (tracked_remove()),
 * and the work that tries them again every REMOVE_RETRY. At unload
 * (@remove_sync) a removal waits for its calls instead.
 */
#define REMOVE_WAIT	(HZ / 20)	/* five polls of a read waiting for a lock */
#define REMOVE_RETRY	(HZ / 10)
static LIST_HEAD(deferred);
static void deferred_remove(struct work_struct *work);
static DECLARE_DELAYED_WORK(deferred_work, deferred_remove);
static bool remove_sync;

/*
 * What keeping the files costs, for make bench (debugfs vmviz/upkeep):
 * nanoseconds spent in the probes and in the reconcile and removal works,
 * events noted, and scans of every PID (docs/FORMAT.md, "All-process
 * mode").
 */
static atomic64_t upkeep_probe_ns, upkeep_work_ns, upkeep_events, upkeep_scans;
static struct dentry *upkeep_dir;

static int tracked_open(struct inode *inode, struct file *file)
{
	struct tracked *t = pde_data(inode);

	/* procfs keeps @t alive while a proc_ops call is in flight. */
	return vmviz_report_open(file, &t->tg);
}

/* self is the reading process: its thread-group leader, whichever thread reads. */
static int self_open(struct inode *inode, struct file *file)
{
	return vmviz_report_open(file, &vmviz_self);
}

static const struct proc_ops tracked_ops = {
	.proc_open = tracked_open,
	.proc_read_iter = vmviz_report_read_iter,
	.proc_lseek = vmviz_report_lseek,
	.proc_release = vmviz_report_release,
};

static const struct proc_ops self_ops = {
	.proc_open = self_open,
	.proc_read_iter = vmviz_report_read_iter,
	.proc_lseek = vmviz_report_lseek,
	.proc_release = vmviz_report_release,
};

/*
 * First step of removal: mark @t and put it on @list for tracked_remove().
 *
 * Locking: tracked_lock held.
 */
static void tracked_unlink(struct tracked *t, struct list_head *list)
{
	lockdep_assert_held(&tracked_lock);
	/* Read without the lock by a report waiting for its target's lock. */
	WRITE_ONCE(t->tg.removing, true);
	list_add_tail(&t->dead, list);
}

/* Whether a call is still in flight on a file of one of the entries on @list. */
static bool any_busy(struct list_head *list)
{
	struct tracked *t;

	list_for_each_entry(t, list, dead)
		if (!vmviz_target_idle(&t->tg))
			return true;
	return false;
}

/*
 * Remove the entries on @list, marked removing (tracked_unlink()).
 * proc_remove() waits for the proc_ops calls in flight on a file and
 * releases its open files (fs/proc/generic.c, proc_entry_rundown(), 5.10
 * to 7.2): it must not be called while a call that can last is in flight.
 * Calls are counted (vmviz_target_enter()); most end soon once the entry
 * is marked removing (a read waiting for the target's lock polls for it
 * every REPORT_LOCK_POLL), so the entries get REMOVE_WAIT, all together,
 * to have none; an entry with a call still in flight then (a read() whose
 * buffer faults on a server that does not answer) is put off, on the
 * deferred list, and deferred_remove() tries it again every REMOVE_RETRY:
 * no caller, neither a control write nor the all-mode reconcile, waits for
 * it, and its name stays reserved (-EBUSY) until it goes. Once an entry
 * has none, a call that begins fails at once, and proc_remove() waits for
 * nothing that lasts. After proc_remove() nothing refers to the entry,
 * and its name is free again. At unload (@remove_sync) every removal waits.
 *
 * Locking: tracked_lock not held, so that other writers do not wait too.
 */
static void tracked_remove(struct list_head *list)
{
	unsigned long until = jiffies + REMOVE_WAIT;
	struct tracked *t, *tmp;
	LIST_HEAD(put_off);

	if (list_empty(list))
		return;
	while (!READ_ONCE(remove_sync) && any_busy(list) && time_before(jiffies, until))
		schedule_timeout_uninterruptible(1);
	list_for_each_entry_safe(t, tmp, list, dead) {
		if (!READ_ONCE(remove_sync) && !vmviz_target_idle(&t->tg)) {
			list_move_tail(&t->dead, &put_off);
			continue;
		}
		proc_remove(t->frames);
		proc_remove(t->pde);
	}
	/* Not killable: the entries must leave tracked_xa. Held only briefly. */
	mutex_lock(&tracked_lock);
	list_for_each_entry(t, list, dead) {
		xa_erase(&tracked_xa, t->nr);
		nr_tracked--;
	}
	if (!list_empty(&put_off)) {
		list_splice_tail(&put_off, &deferred);
		schedule_delayed_work(&deferred_work, REMOVE_RETRY);
	}
	mutex_unlock(&tracked_lock);
	list_for_each_entry_safe(t, tmp, list, dead) {
		put_pid(t->tg.pid);
		kfree_rcu(t, rcu);
		cond_resched();
	}
	/* Empty again: the caller may reuse @list. */
	INIT_LIST_HEAD(list);
}

/* The removals put off: each is tried again (and put off again if need be). */
static void deferred_remove(struct work_struct *work)
{
	u64 t0 = ktime_get_mono_fast_ns();
	LIST_HEAD(list);

	mutex_lock(&tracked_lock);
	list_splice_init(&deferred, &list);
	mutex_unlock(&tracked_lock);
	tracked_remove(&list);
	atomic64_add(ktime_get_mono_fast_ns() - t0, &upkeep_work_ns);
}

/*
 * Move @t (if any) to @list for removal if its process was reaped; all
 * such entries, for reap_dead(). The track mode reaps lazily: the entry a
 * control write names, and every entry only when a track finds no room or
 * its name taken, so that a write costs O(log n), not a scan of up to
 * MAX_TRACKED entries (4096 writes took 170 s on the KASAN kernel under
 * TCG with a scan each).
 *
 * Locking: tracked_lock held.
 */
static void reap_if_dead(struct tracked *t, struct list_head *list)
{
	if (t && !t->tg.removing && !pid_has_task(t->tg.pid, PIDTYPE_PID))
		tracked_unlink(t, list);
}

static void reap_dead(struct list_head *list)
{
	struct tracked *t;
	unsigned long nr;

	lockdep_assert_held(&tracked_lock);
	xa_for_each(&tracked_xa, nr, t)
		reap_if_dead(t, list);
}

/*
 * Create the entry of @pid named @nr; 0 if it exists already, -EEXIST if
 * that name is another process's, -EBUSY while a file of that name is
 * being removed. If a file cannot be made, the entry goes on @dead, for
 * tracked_remove() once the lock is dropped: its first file may have been
 * opened already, and removal waits for readers.
 *
 * Locking: tracked_lock held.
 */
static int tracked_add(struct pid *pid, unsigned long nr, struct list_head *dead)
{
	struct tracked *t;
	int err;

	lockdep_assert_held(&tracked_lock);
	t = xa_load(&tracked_xa, nr);
	if (t) {
		if (t->tg.removing)
			return -EBUSY;
		return t->tg.pid == pid ? 0 : -EEXIST;
	}
	if (!all && nr_tracked >= MAX_TRACKED)
		return -ENOSPC;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->nr = nr;
	snprintf(t->name, sizeof(t->name), "%lu", nr);
	t->tg.pid = get_pid(pid);
	err = xa_err(xa_store(&tracked_xa, nr, t, GFP_KERNEL));
	if (err)
		goto out_free;
	nr_tracked++;
	/* 0444, as /proc/PID/maps: access.c decides at open. */
	t->pde = proc_create_data(t->name, 0444, vmviz_dir, &tracked_ops, t);
	t->frames = vmviz_frames_add(t->name, &t->tg);
	if (!t->pde || (VMVIZ_FRAMES && !t->frames)) {
		tracked_unlink(t, dead);
		return -ENOMEM;
	}
	return 0;

out_free:
	put_pid(t->tg.pid);
	/* Not yet visible to anyone: tracked_xa never held it. */
	kfree(t);
	return err;
}

/*
 * All mode: what the probes saw, for the reconcile work. Each event is a
 * number in the initial PID namespace: a new thread-group leader's
 * (positive), or a freed task's (negative). The probes run with preemption
 * disabled, sched_process_free from an RCU callback (softirq): nothing
 * there may sleep or allocate, on PREEMPT_RT neither, hence a fixed ring
 * under a raw spinlock, interrupts off. When it is full, @events_lost
 * makes the next reconcile scan every PID instead.
 */
#define EVENT_RING	4096
static DEFINE_RAW_SPINLOCK(event_lock);

static int event_ring[EVENT_RING];
static unsigned int event_first, event_count;
static bool events_lost = true;		/* the first reconcile scans */

static void event_push(int nr)
{
	u64 t0 = ktime_get_mono_fast_ns();
	unsigned long flags;

	raw_spin_lock_irqsave(&event_lock, flags);
	if (event_count < EVENT_RING)
		event_ring[(event_first + event_count++) % EVENT_RING] = nr;
	else
		events_lost = true;
	raw_spin_unlock_irqrestore(&event_lock, flags);
	queue_delayed_work(vmviz_wq, &reconcile_work, RECONCILE_DELAY);
	atomic64_inc(&upkeep_events);
	atomic64_add(ktime_get_mono_fast_ns() - t0, &upkeep_probe_ns);
}

/*
 * Take up to @max events into @out; *@scan is set if events were lost
 * (the ring is then emptied: a scan of every PID covers them).
 */
static unsigned int event_pop(int *out, unsigned int max, bool *scan)
{
	unsigned int n = 0;
	unsigned long flags;

	raw_spin_lock_irqsave(&event_lock, flags);
	if (events_lost) {
		*scan = true;
		events_lost = false;
		event_count = 0;
	}
	while (n < max && event_count) {
		out[n++] = event_ring[event_first];
		event_first = (event_first + 1) % EVENT_RING;
		event_count--;
	}
	raw_spin_unlock_irqrestore(&event_lock, flags);
	return n;
}

/* After a reconcile that could not finish: scan every PID, a bit later. */
static void reconcile_later(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&event_lock, flags);
	events_lost = true;
	raw_spin_unlock_irqrestore(&event_lock, flags);
	queue_delayed_work(vmviz_wq, &reconcile_work, RECONCILE_DELAY);
}

/*
 * Give each PID of @batch its file. -EEXIST and -EBUSY mean the number's
 * last owner still has its file (its free event is behind, or its removal
 * runs), -ENOMEM that there was no memory: true, so that a later scan sets
 * it right.
 *
 * Locking: tracked_lock not held; takes it.
 */
static bool add_batch(struct pid **batch, unsigned int n)
{
	bool again = false;
	unsigned int i;
	LIST_HEAD(dead);

	mutex_lock(&tracked_lock);
	for (i = 0; i < n; i++) {
		int err = tracked_add(batch[i], pid_nr(batch[i]), &dead);

		if (err && err != -EEXIST && err != -EBUSY)
			pr_warn_ratelimited("no file for PID %d: %d\n",
					    pid_nr(batch[i]), err);
		again |= err != 0;
	}
	mutex_unlock(&tracked_lock);
	tracked_remove(&dead);
	for (i = 0; i < n; i++)
		put_pid(batch[i]);
	return again;
}

/*
 * All mode, from scratch: make the directory match the task list. Files
 * of reaped processes go, every thread-group leader without a file gets
 * one, named by its number in the initial PID namespace. One scan of the
 * PID namespace, SCAN_BATCH PIDs at a time. Run at load and when events
 * were lost: its cost grows with the number of processes.
 */
static bool reconcile_all(void)
{
	struct pid *batch[SCAN_BATCH];
	bool room, again = false;
	LIST_HEAD(dead);
	int next = 1, n;

	atomic64_inc(&upkeep_scans);
	mutex_lock(&tracked_lock);
	reap_dead(&dead);
	mutex_unlock(&tracked_lock);
	tracked_remove(&dead);

	do {
		struct pid *pid;

		n = 0;
		rcu_read_lock();
		while ((room = n < SCAN_BATCH) &&
		       (pid = find_ge_pid(next, &init_pid_ns))) {
			struct tracked *t;

			next = pid_nr(pid) + 1;
			if (!pid_task(pid, PIDTYPE_TGID))
				continue;	/* a thread, or not a task yet */
			/*
			 * Entries are freed with kfree_rcu() after they left
			 * tracked_xa, so @t stays readable in this RCU
			 * section whoever removes it meanwhile.
			 */
			t = xa_load(&tracked_xa, next - 1);
			if (t && READ_ONCE(t->tg.pid) == pid &&
			    !READ_ONCE(t->tg.removing))
				continue;
			batch[n++] = get_pid(pid);
		}
		rcu_read_unlock();
		again |= add_batch(batch, n);
		cond_resched();
	} while (!room);	/* a full batch: the scan goes on */
	return again;
}

/*
 * All mode: the work the probes queue. It takes their events a batch at
 * a time, each at a cost that does not grow with the number of processes:
 * a new leader gets its file (find_pid_ns(), as the scan finds it), and a
 * freed task's number loses its file if that file's process is reaped.
 * Events that were lost, or a number that still had its last owner's
 * file, make a scan of every PID (reconcile_all()).
 */
static void reconcile(struct work_struct *work)
{
	struct pid *batch[SCAN_BATCH];
	int events[SCAN_BATCH];
	bool scan = false, again = false;
	u64 t0 = ktime_get_mono_fast_ns();
	unsigned int i, n, k;

	while ((n = event_pop(events, SCAN_BATCH, &scan)) || scan) {
		LIST_HEAD(dead);

		if (scan) {
			again = reconcile_all();
			scan = false;
			continue;
		}
		k = 0;
		rcu_read_lock();
		for (i = 0; i < n; i++) {
			struct pid *pid;

			if (events[i] < 0)
				continue;
			pid = find_pid_ns(events[i], &init_pid_ns);
			if (pid && pid_task(pid, PIDTYPE_TGID))
				batch[k++] = get_pid(pid);
		}
		rcu_read_unlock();
		mutex_lock(&tracked_lock);
		for (i = 0; i < n; i++)
			if (events[i] < 0)
				reap_if_dead(xa_load(&tracked_xa, -events[i]), &dead);
		mutex_unlock(&tracked_lock);
		tracked_remove(&dead);
		again |= add_batch(batch, k);
		cond_resched();
	}
	if (again)
		reconcile_later();
	atomic64_add(ktime_get_mono_fast_ns() - t0, &upkeep_work_ns);
}

static int upkeep_show(struct seq_file *m, void *v)
{
	mutex_lock(&tracked_lock);
	seq_printf(m, "files %u events %lld scans %lld probe_ns %lld work_ns %lld\n",
		   nr_tracked, (s64)atomic64_read(&upkeep_events),
		   (s64)atomic64_read(&upkeep_scans),
		   (s64)atomic64_read(&upkeep_probe_ns),
		   (s64)atomic64_read(&upkeep_work_ns));
	mutex_unlock(&tracked_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(upkeep);

/*
 * Tracepoint probes (all mode). They run with preemption disabled: they
 * only note the event and queue the reconcile work. A queued work is not
 * pushed back by later events: a file appears or goes at most
 * RECONCILE_DELAY plus the events before it after the event.
 */
static void probe_fork(void *data, struct task_struct *parent,
		       struct task_struct *child)
{
	if (child->pid == child->tgid)
		event_push(child->pid);
}

/* After release_task() and an RCU grace period: the task was reaped. */
static void probe_free(void *data, struct task_struct *p)
{
	/* A leader, or a thread that track gave a file of its own. */
	if (p->pid == p->tgid || xa_load(&tracked_xa, p->pid))
		event_push(-p->pid);
}

static struct {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} probes[] = {
	{ "sched_process_fork", probe_fork },
	{ "sched_process_free", probe_free },
};

/* The sched tracepoints are not exported: find them by name. */
static void probe_lookup(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(probes); i++)
		if (!strcmp(tp->name, probes[i].name))
			probes[i].tp = tp;
}

/* Unregister the first @n probes and wait until none runs. */
static void probes_unregister(unsigned int n)
{
	while (n--)
		tracepoint_probe_unregister(probes[n].tp, probes[n].probe, NULL);
	tracepoint_synchronize_unregister();
}

static int probes_register(void)
{
	unsigned int i;
	int err;

	for_each_kernel_tracepoint(probe_lookup, NULL);
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		if (!probes[i].tp) {
			pr_err("no tracepoint %s\n", probes[i].name);
			err = -ENOENT;
			goto out_unregister;
		}
		err = tracepoint_probe_register(probes[i].tp, probes[i].probe, NULL);
		if (err)
			goto out_unregister;
	}
	return 0;

out_unregister:
	probes_unregister(i);
	return err;
}

/*
 * Check and parse a control write: a positive decimal PID without sign or
 * leading zero, optionally followed by one newline, nothing else (no
 * blanks, no NUL). Numbers past INT_MAX are -EINVAL like any other
 * malformed input.
 *
 * Disclosure: only CAP_SYS_ADMIN in the initial namespace may track, checked
 * at open and again here against the opener's credentials.
 */
static int control_parse(struct file *file, const char __user *ubuf,
			 size_t count, int *nr)
{
	char buf[16];

	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (strlen(buf) != count || buf[0] < '1' || buf[0] > '9')
		return -EINVAL;
	if (kstrtoint(buf, 10, nr) || *nr <= 0)
		return -EINVAL;
	return 0;
}

static int control_open(struct inode *inode, struct file *file)
{
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

/*
 * One attempt of track_write(): the entry of @pid named @nr, after the
 * reaped process's entry of that name (if any) is gone, or, with
 * @reap_all, every reaped process's entry.
 */
static int track_once(struct pid *pid, int nr, bool reap_all)
{
	LIST_HEAD(dead);
	int err;

	err = mutex_lock_killable(&tracked_lock);
	if (err)
		return err;
	/* All mode: the reconcile work reaps. */
	if (!all && reap_all)
		reap_dead(&dead);
	else if (!all)
		reap_if_dead(xa_load(&tracked_xa, nr), &dead);
	if (!list_empty(&dead)) {
		/* Their names and room are free once they are removed. */
		mutex_unlock(&tracked_lock);
		tracked_remove(&dead);
		err = mutex_lock_killable(&tracked_lock);
		if (err)
			return err;
	}
	if (pid && pid_has_task(pid, PIDTYPE_PID))
		err = tracked_add(pid, all ? pid_nr(pid) : nr, &dead);
	else
		err = -ESRCH;
	mutex_unlock(&tracked_lock);
	tracked_remove(&dead);
	return err;
}

/*
 * Track the process the writer's PID namespace calls @nr, as
 * /proc/vmviz/@nr (all mode: by its number in the initial namespace).
 * Short of room or of the name, the track mode reaps every entry of a
 * reaped process and tries once more.
 */
static ssize_t track_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct pid *pid;
	int nr, err;

	err = control_parse(file, ubuf, count, &nr);
	if (err)
		return err;
	pid = find_get_pid(nr);
	err = track_once(pid, nr, false);
	if (!all && (err == -ENOSPC || err == -EEXIST || err == -EBUSY))
		err = track_once(pid, nr, true);
	put_pid(pid);
	return err ? err : count;
}

/*
 * Remove /proc/vmviz/@nr, but only when @nr, read in the writer's PID
 * namespace, is the process the file reports: a writer in another
 * namespace may not remove it (-EPERM). Refused in all mode, where files
 * follow processes (-EOPNOTSUPP).
 */
static ssize_t untrack_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	LIST_HEAD(dead);
	struct tracked *t;
	int nr, err;

	err = control_parse(file, ubuf, count, &nr);
	if (err)
		return err;
	if (all)
		return -EOPNOTSUPP;
	err = mutex_lock_killable(&tracked_lock);
	if (err)
		return err;
	reap_if_dead(xa_load(&tracked_xa, nr), &dead);
	t = xa_load(&tracked_xa, nr);
	if (!t || t->tg.removing)
		err = -ENOENT;
	else if (pid_nr_ns(t->tg.pid, task_active_pid_ns(current)) != nr)
		err = -EPERM;
	else
		tracked_unlink(t, &dead);
	mutex_unlock(&tracked_lock);
	tracked_remove(&dead);
	return err ? err : count;
}

static const struct proc_ops track_ops = {
	.proc_open = control_open,
	.proc_write = track_write,
	.proc_lseek = noop_llseek,
};

static const struct proc_ops untrack_ops = {
	.proc_open = control_open,
	.proc_write = untrack_write,
	.proc_lseek = noop_llseek,
};

/*
 * All mode: probes first, then one reconcile that has every existing
 * process's file in place before insmod returns; a fork during it queues
 * another.
 */
static int all_mode_start(void)
{
	int err;

	vmviz_wq = alloc_ordered_workqueue("vmviz", 0);
	if (!vmviz_wq)
		return -ENOMEM;
	err = probes_register();
	if (err) {
		/*
		 * A fork seen by the probe registered first may have queued
		 * the work: its timer must not fire once the module is gone.
		 * Entries it made are the caller's to remove.
		 */
		cancel_delayed_work_sync(&reconcile_work);
		destroy_workqueue(vmviz_wq);
		return err;
	}
	queue_delayed_work(vmviz_wq, &reconcile_work, 0);
	flush_delayed_work(&reconcile_work);
	/* Optional: a kernel without debugfs keeps the files all the same. */
	upkeep_dir = debugfs_create_dir("vmviz", NULL);
	debugfs_create_file("upkeep", 0400, upkeep_dir, NULL, &upkeep_fops);
	return 0;
}

/* No probe runs and no work is queued or running after this. */
static void all_mode_stop(void)
{
	debugfs_remove(upkeep_dir);
	probes_unregister(ARRAY_SIZE(probes));
	cancel_delayed_work_sync(&reconcile_work);
	destroy_workqueue(vmviz_wq);
}

/*
 * Unload: remove every entry, those put off included, each removal waiting
 * for the calls in flight on its files (a reader stuck in its own buffer
 * holds rmmod up, as it holds up the removal of any proc file; only root
 * unloads). Nothing is put off once @remove_sync is set, and
 * cancel_delayed_work_sync() waits for a run of deferred_remove() in
 * progress and keeps it from queueing itself again. Nothing else adds or
 * removes entries any more (the control files and the all-mode work are
 * gone).
 *
 * Locking: tracked_lock not held.
 */
static void tracked_remove_all(void)
{
	struct tracked *t;
	unsigned long nr;
	LIST_HEAD(dead);

	WRITE_ONCE(remove_sync, true);
	cancel_delayed_work_sync(&deferred_work);
	mutex_lock(&tracked_lock);
	list_splice_init(&deferred, &dead);
	xa_for_each(&tracked_xa, nr, t)
		if (!t->tg.removing)
			tracked_unlink(t, &dead);
	mutex_unlock(&tracked_lock);
	tracked_remove(&dead);
}

static int __init vmviz_init(void)
{
	int err = -ENOMEM;

	vmviz_report_init();
	err = vmviz_access_init();
	if (err)
		return err;
	err = -ENOMEM;
	vmviz_dir = proc_mkdir_mode("vmviz", 0555, NULL);
	if (!vmviz_dir)
		goto out_access;
	if (!proc_create("track", 0200, vmviz_dir, &track_ops) ||
	    !proc_create("untrack", 0200, vmviz_dir, &untrack_ops) ||
	    !proc_create("self", 0444, vmviz_dir, &self_ops) ||
	    vmviz_frames_init(vmviz_dir) || vmviz_khalf_init(vmviz_dir))
		goto out_remove_dir;
	if (all) {
		err = all_mode_start();
		if (err) {
			tracked_remove_all();
			goto out_remove_dir;
		}
	}
	return 0;

out_remove_dir:
	/* A reader of self waiting for its own lock ends too (report.c). */
	WRITE_ONCE(vmviz_self.removing, true);
	proc_remove(vmviz_dir);
out_access:
	vmviz_access_exit();
	return err;
}

/*
 * Teardown order: the control files first (remove_proc_entry() waits for
 * writers inside them, and writers never wait for more than one read()
 * of a report in flight), then the probes and the work, so nothing adds or
 * removes entries any more; then every entry, then self and the directory.
 */
static void __exit vmviz_exit(void)
{
	remove_proc_entry("track", vmviz_dir);
	remove_proc_entry("untrack", vmviz_dir);
	if (all)
		all_mode_stop();
	tracked_remove_all();
	/* A reader of self waiting for its own lock ends too (report.c). */
	WRITE_ONCE(vmviz_self.removing, true);
	/* Waits for every caller inside proc_ops and releases open files. */
	proc_remove(vmviz_dir);
	xa_destroy(&tracked_xa);
	vmviz_access_exit();
}

module_init(vmviz_init);
module_exit(vmviz_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Show a process's mm, VMAs and page tables through /proc/vmviz");
