// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz: who may open a report, and which of its fields that reader sees.
 * The kernel's own /proc files decide, through a procfs mount of the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/string.h>

#include "compat.h"
#include "vmviz.h"

/*
 * A procfs instance of the module's own, mounted at load in the loader's
 * PID namespace (proc_init_fs_context() takes task_active_pid_ns()), with
 * no hidepid or subset option: every process of that namespace has its
 * /proc/N there. It is never attached to a mount tree, so nobody else sees
 * it. get_fs_type() took no module reference: procfs is built in.
 */
static struct vfsmount *proc_mnt;
static struct pid_namespace *proc_ns;

int vmviz_access_init(void)
{
	struct file_system_type *proc;

	/* Files are named, and processes found, in the initial namespace. */
	if (task_active_pid_ns(current) != &init_pid_ns) {
		pr_err("load vmviz from the initial PID namespace\n");
		return -EINVAL;
	}
	proc = get_fs_type("proc");
	if (!proc)
		return -ENODEV;
	proc_mnt = kern_mount(proc);
	if (IS_ERR(proc_mnt))
		return PTR_ERR(proc_mnt);
	proc_ns = task_active_pid_ns(current);
	return 0;
}

void vmviz_access_exit(void)
{
	kern_unmount(proc_mnt);
}

/*
 * Open @name of the module's procfs as the caller: path lookup, the file's
 * mode and its ->open() all run with the caller's credentials, exactly as
 * if the caller had opened it in its own /proc. Only the outcome is kept.
 */
static int proc_open_as_caller(const char *name)
{
	struct file *f = vmviz_open_root(proc_mnt, name, O_RDONLY);

	if (IS_ERR(f))
		return PTR_ERR(f);
	filp_close(f, NULL);
	return 0;
}

/**
 * vmviz_access_open - may the caller open the report of @pid, and see what?
 * @file: the report file being opened, with the opener's credentials
 * @pid: the process the report is of
 * @frames: the frame detail is being opened
 * @has_mm: the process has an address space now
 * @acc: filled in: the fields this opener sees
 *
 * The rules of /proc/PID (docs/FORMAT.md, "Who may read what"), each
 * decided by the kernel's own code:
 *
 * - A process outside the opener's PID namespace does not exist for it:
 *   -ENOENT, as its /proc/N would be.
 * - A process without an address space (a kernel thread, a zombie) has
 *   nothing the checks below protect: its report is the identity that
 *   /proc/N/stat shows to everyone. (Its pagemap opens on some kernels and
 *   is -ESRCH on others: mm_access() of 6.12 fails without an mm.)
 * - The report itself (VMA lines, counters, page lines, smaps sums) needs
 *   what /proc/N/maps, smaps and pagemap need: proc_mem_open(inode,
 *   PTRACE_MODE_READ) in fs/proc/base.c, that is mm_access() with
 *   PTRACE_MODE_READ_FSCREDS: the ptrace rules (same thread group, or uid
 *   and gid and dumpable, or CAP_SYS_PTRACE over the target's user
 *   namespace) and then the LSMs (security_ptrace_access_check()), after
 *   the DAC check of the file's mode, 0400 owned by the task's dump owner.
 *   ptrace_may_access() and mm_access() are not exported (5.10 to 7.2), so
 *   the module opens /proc/N/pagemap as the opener and keeps the verdict.
 * - PFNs, swap offsets and migration PFNs: pagemap_read() shows them only
 *   to a reader with CAP_SYS_ADMIN in the initial user namespace, checked
 *   on the file's credentials (fs/proc/task_mmu.c, 4.2 to 7.2); zero for
 *   the others.
 * - Folio flags, order and mapcounts of the frame detail: /proc/kpageflags
 *   and /proc/kpagecount, mode 0400 owned by root (fs/proc/page.c), which
 *   the module opens as the opener; and, since those files are indexed by
 *   PFN, only with the PFNs too: a folio's order and where runs of frame
 *   fields break would otherwise tell physical contiguity to a reader the
 *   kernel gives no PFN of a virtual address (root without CAP_SYS_ADMIN).
 *
 * Return: 0, -ENOENT, -EACCES or -EPERM (the ptrace or DAC verdict), or
 * another error of the open (-EINTR, -ENOMEM).
 */
int vmviz_access_open(struct file *file, struct pid *pid, bool frames,
		      bool has_mm, struct vmviz_access *acc)
{
	char name[32];
	pid_t nr;
	int err;

	if (!pid_nr_ns(pid, task_active_pid_ns(current)))
		return -ENOENT;
	acc->pfn = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
	acc->frames = false;
	if (!has_mm)
		return 0;
	nr = pid_nr_ns(pid, proc_ns);
	if (!nr)
		return -ENOENT;
	snprintf(name, sizeof(name), "%d/pagemap", nr);
	err = proc_open_as_caller(name);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	acc->frames = frames && acc->pfn && !proc_open_as_caller("kpageflags");
	return 0;
}

/* The integer in the sysctl file @name of the module's procfs. */
static int sysctl_int(const char *name, int *val)
{
	struct file *f = vmviz_open_root(proc_mnt, name, O_RDONLY);
	char buf[24];
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return kstrtoint(strim(buf), 10, val);
}

/**
 * vmviz_access_kallsyms - would /proc/kallsyms show this opener real addresses?
 * @file: the file being opened, with the opener's credentials
 *
 * kallsyms_open() decides once, at open, with kallsyms_show_value(
 * file->f_cred) (kernel/kallsyms.c on 5.10 and 6.1, kernel/ksyms_common.c
 * from 6.4 to 7.2; the same body on all): kptr_restrict 0 shows them when
 * kallsyms_for_perf() (perf_event_paranoid <= 1 with CONFIG_PERF_EVENTS)
 * or to CAP_SYSLOG; 1 only to CAP_SYSLOG; 2 and more to nobody. Neither
 * kallsyms_show_value() nor kptr_restrict (exported on 7.2 only) nor
 * sysctl_perf_event_paranoid is exported, and /proc/kallsyms cannot be
 * read by kernel_read() (its proc_ops have .proc_read only), so the rule
 * is done again here on the two sysctls as procfs shows them now, and
 * CAP_SYSLOG in the initial user namespace on the file's credentials
 * (file_ns_capable(): security_capable() as kallsyms_show_value() calls
 * it, but audited: its CAP_OPT_NOAUDIT is not available to a module).
 *
 * Return: 0 if it would, -EPERM if not, or the error reading a sysctl.
 */
int vmviz_access_kallsyms(struct file *file)
{
	int restrict_level, paranoid = 2, err;

	err = sysctl_int("sys/kernel/kptr_restrict", &restrict_level);
	if (err)
		return err;
	if (IS_ENABLED(CONFIG_PERF_EVENTS)) {
		err = sysctl_int("sys/kernel/perf_event_paranoid", &paranoid);
		if (err)
			return err;
	}
	if (restrict_level == 0 && paranoid <= 1)
		return 0;
	if (restrict_level <= 1 &&
	    file_ns_capable(file, &init_user_ns, CAP_SYSLOG))
		return 0;
	return -EPERM;
}
