// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: the /proc/vmviz/frames/ directory: the frame-detail report of each
 * tracked process (frames/<pid>) and of the reader itself (frames/self).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "compat.h"
#include "vmviz.h"

static struct proc_dir_entry *frames_dir;

/* procfs keeps the entry, and so its target, alive here. */
static int frames_open(struct inode *inode, struct file *file)
{
	return vmviz_report_open_frames(file, pde_data(inode));
}

static int frames_self_open(struct inode *inode, struct file *file)
{
	return vmviz_report_open_frames(file, &vmviz_self);
}

static const struct proc_ops frames_ops = {
	.proc_open = frames_open,
	.proc_read_iter = vmviz_report_read_iter,
	.proc_lseek = vmviz_report_lseek,
	.proc_release = vmviz_report_release,
};

static const struct proc_ops frames_self_ops = {
	.proc_open = frames_self_open,
	.proc_read_iter = vmviz_report_read_iter,
	.proc_lseek = vmviz_report_lseek,
	.proc_release = vmviz_report_release,
};

/**
 * vmviz_frames_init - make /proc/vmviz/frames/ and frames/self
 * @parent: /proc/vmviz
 *
 * Removed with @parent (proc_remove() removes a subtree). Nothing is made
 * on kernels without folios (5.10), where the frames are not counted.
 *
 * Return: 0 or -ENOMEM.
 */
int vmviz_frames_init(struct proc_dir_entry *parent)
{
	if (!VMVIZ_FRAMES)
		return 0;
	frames_dir = proc_mkdir_mode("frames", 0555, parent);
	if (!frames_dir)
		return -ENOMEM;
	if (!proc_create("self", 0444, frames_dir, &frames_self_ops))
		return -ENOMEM;
	return 0;
}

/**
 * vmviz_frames_add - make /proc/vmviz/frames/@name for a process
 * @name: the name of its report file
 * @tg: the process; the caller keeps it until it has removed the entry
 *      with proc_remove()
 *
 * Disclosure: 0444 as /proc/PID/smaps; at open the rules of the report
 * and of /proc/kpageflags (access.c) decide.
 *
 * Return: the entry, or NULL (always, where there are no frame files).
 */
struct proc_dir_entry *vmviz_frames_add(const char *name,
					struct vmviz_target *tg)
{
	if (!VMVIZ_FRAMES)
		return NULL;
	return proc_create_data(name, 0444, frames_dir, &frames_ops, tg);
}
