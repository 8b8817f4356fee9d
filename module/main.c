// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: module entry and the /proc/vmviz tree: the track and untrack
 * control files, one report file per tracked process, and self.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vmviz.h"

/* At most this many tracked processes; tracking one more is -ENOSPC. */
#define MAX_TRACKED	4096

/* Room for a PID in decimal and its NUL: the name of a report file. */
#define NAME_LEN	12

/*
 * A tracked process. It holds the struct pid, not the number: once the
 * process is reaped its report fails with -ESRCH rather than showing the
 * next process that gets the number. The file is named by the number in
 * the PID namespace of the writer who tracked it.
 */
struct tracked {
	struct list_head node;
	struct pid *pid;
	struct proc_dir_entry *pde;
	struct proc_dir_entry *frames;	/* vmviz frames: frames/<pid> */
	char name[NAME_LEN];
};

static struct proc_dir_entry *vmviz_dir;
static LIST_HEAD(tracked_list);		/* under tracked_lock */
static unsigned int nr_tracked;		/* under tracked_lock */
static DEFINE_MUTEX(tracked_lock);

static int tracked_open(struct inode *inode, struct file *file)
{
	struct tracked *t = pde_data(inode);

	/* procfs keeps @t alive while a proc_ops call is in flight. */
	return vmviz_report_open(file, t->pid);
}

/* self is the reading process: its thread-group leader, whichever thread reads. */
static int self_open(struct inode *inode, struct file *file)
{
	return vmviz_report_open(file, task_tgid(current));
}

static const struct proc_ops tracked_ops = {
	.proc_open = tracked_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = vmviz_report_release,
};

static const struct proc_ops self_ops = {
	.proc_open = self_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = vmviz_report_release,
};

/*
 * Remove an entry: proc_remove() waits for callers inside its proc_ops and
 * releases its open files, after which nothing refers to @t.
 *
 * Locking: tracked_lock held.
 */
static void tracked_free(struct tracked *t)
{
	lockdep_assert_held(&tracked_lock);
	proc_remove(t->frames);		/* vmviz frames */
	proc_remove(t->pde);
	list_del(&t->node);
	nr_tracked--;
	put_pid(t->pid);
	kfree(t);
}

/* Drop the entries of reaped processes. Locking: tracked_lock held. */
static void reap_dead(void)
{
	struct tracked *t, *tmp;

	lockdep_assert_held(&tracked_lock);
	list_for_each_entry_safe(t, tmp, &tracked_list, node)
		if (!pid_has_task(t->pid, PIDTYPE_PID))
			tracked_free(t);
}

/* Locking: tracked_lock held. */
static struct tracked *tracked_find(const char *name)
{
	struct tracked *t;

	lockdep_assert_held(&tracked_lock);
	list_for_each_entry(t, &tracked_list, node)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/*
 * Check and parse a control write: a positive decimal PID without sign or
 * leading zero, optionally followed by one newline, nothing else (no
 * blanks, no NUL). Numbers past INT_MAX are -EINVAL like any other
 * malformed input. Fills in the number and the report file's @name.
 *
 * Disclosure: only CAP_SYS_ADMIN in the initial namespace may track, checked
 * at open and again here against the opener's credentials.
 */
static int control_parse(struct file *file, const char __user *ubuf,
			 size_t count, int *nr, char *name)
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
	snprintf(name, NAME_LEN, "%d", *nr);
	return 0;
}

static int control_open(struct inode *inode, struct file *file)
{
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

/*
 * Track @pid as /proc/vmviz/@name; 0 if it already is.
 *
 * Locking: tracked_lock held.
 */
static int track(struct pid *pid, const char *name)
{
	struct tracked *t;

	lockdep_assert_held(&tracked_lock);
	t = tracked_find(name);
	if (t)
		return t->pid == pid ? 0 : -EEXIST;
	if (nr_tracked >= MAX_TRACKED)
		return -ENOSPC;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	strscpy(t->name, name, sizeof(t->name));
	t->pid = get_pid(pid);
	t->pde = proc_create_data(t->name, 0400, vmviz_dir, &tracked_ops, t);
	t->frames = vmviz_frames_add(t->name, t->pid);	/* vmviz frames */
	if (!t->pde || !t->frames) {
		proc_remove(t->frames);			/* vmviz frames */
		proc_remove(t->pde);
		put_pid(t->pid);
		kfree(t);
		return -ENOMEM;
	}
	list_add_tail(&t->node, &tracked_list);
	nr_tracked++;
	return 0;
}

static ssize_t track_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char name[NAME_LEN];
	struct pid *pid;
	int nr, err;

	err = control_parse(file, ubuf, count, &nr, name);
	if (err)
		return err;
	mutex_lock(&tracked_lock);
	reap_dead();
	/* The number is read in the writer's PID namespace. */
	pid = find_get_pid(nr);
	if (pid && pid_has_task(pid, PIDTYPE_PID))
		err = track(pid, name);
	else
		err = -ESRCH;
	mutex_unlock(&tracked_lock);
	put_pid(pid);
	return err ? err : count;
}

static ssize_t untrack_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct tracked *t;
	char name[NAME_LEN];
	int nr, err;

	err = control_parse(file, ubuf, count, &nr, name);
	if (err)
		return err;
	mutex_lock(&tracked_lock);
	reap_dead();
	t = tracked_find(name);
	if (t)
		tracked_free(t);
	else
		err = -ENOENT;
	mutex_unlock(&tracked_lock);
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

static int __init vmviz_init(void)
{
	vmviz_report_init();
	vmviz_dir = proc_mkdir_mode("vmviz", 0555, NULL);
	if (!vmviz_dir)
		return -ENOMEM;
	if (!proc_create("track", 0200, vmviz_dir, &track_ops) ||
	    !proc_create("untrack", 0200, vmviz_dir, &untrack_ops) ||
	    !proc_create("self", 0400, vmviz_dir, &self_ops) ||
	    vmviz_frames_init(vmviz_dir))		/* vmviz frames */
		goto out_remove_dir;
	return 0;

out_remove_dir:
	proc_remove(vmviz_dir);
	return -ENOMEM;
}

/*
 * Teardown order: the control files first (remove_proc_entry() waits for
 * writers inside them), so no write can reap an entry while it goes away;
 * then every entry, then self and the directory.
 */
static void __exit vmviz_exit(void)
{
	struct tracked *t, *tmp;

	remove_proc_entry("track", vmviz_dir);
	remove_proc_entry("untrack", vmviz_dir);
	mutex_lock(&tracked_lock);
	list_for_each_entry_safe(t, tmp, &tracked_list, node)
		tracked_free(t);
	mutex_unlock(&tracked_lock);
	/* Waits for every caller inside proc_ops and releases open files. */
	proc_remove(vmviz_dir);
}

module_init(vmviz_init);
module_exit(vmviz_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Show a process's mm, VMAs and page tables through /proc/vmviz");
