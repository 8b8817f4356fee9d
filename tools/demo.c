// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz reader: the demo. One parent, four children that see its memory in
 * the four ways Linux offers (fork, vfork, clone(CLONE_VM), a thread), and
 * what the page tables say about each.
 */
#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "vmviz.h"

#define PRIV_PAGES	16	/* private anonymous, written before fork */
#define CHILD_WRITES	4	/* of those, written by the fork child */
#define PARENT_WRITES	2	/* and by the parent, after fork */
#define SHARED_PAGES	4	/* MAP_SHARED anonymous */
#define CLONE_STACK	(256 * 1024)
#define GONE_PAGES	8	/* mapped and touched before the first read of two */
#define NEW_PAGES	16	/* mapped after it, NEW_TOUCHED of them touched */
#define NEW_TOUCHED	4

/* Children park on @go until the parent closes its end; @ready says "up". */
static int go[2], ready[2];
static char *priv, *shared;
/* Written by the children before they signal @ready: the pipe orders it. */
static pid_t vfork_pid, thread_tid;

static void park(bool own_files)
{
	char b = 1;

	if (own_files)
		close(go[1]);
	if (write(ready[1], &b, 1) != 1)
		_exit(1);
	while (read(go[0], &b, 1) > 0)
		;
}

static void *vfork_helper(void *arg)
{
	int status;
	pid_t pid;

	/* vfork suspends this thread only, until the child exits. */
	pid = vfork();
	if (pid == 0) {
		vfork_pid = getpid();
		park(true);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return NULL;
}

static int clone_child(void *arg)
{
	park(true);
	return 0;
}

static void *thread_main(void *arg)
{
	thread_tid = syscall(SYS_gettid);
	park(false);
	return NULL;
}

static void save(const char *dir, const char *name, struct vmviz_report *r)
{
	char path[4096];

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.report", dir, name);
	vmviz_save(r, path);
}

static void compare_with(pid_t pid, const char *what, const struct vmviz_out *o,
			 const char *save_dir, const char *name)
{
	struct vmviz_report parent, child;
	char parent_name[64];
	struct vmviz_cmp c;
	int i;

	printf("\n== the parent (1) and its %s (2) ==\n", what);
	/* The parent again, just before the child: it is the reader, it moves. */
	vmviz_load_pids(getpid(), pid, &parent, &child);
	snprintf(parent_name, sizeof(parent_name), "parent-%s", name);
	save(save_dir, parent_name, &parent);
	save(save_dir, name, &child);
	vmviz_print_compare(&parent, &child, o, false);
	vmviz_compare(&parent, &child, &c);
	if (!c.same_mm) {
		/* The VMAs where the two differ, the demo's buffers among them. */
		struct vmviz_cmp sub = c;

		sub.nrows = 0;
		sub.rows = calloc(c.nrows, sizeof(*c.rows));
		if (!sub.rows)
			err(VMVIZ_EXIT_FAILURE, "out of memory");
		for (i = 0; i < c.nrows; i++)
			if (c.rows[i].c.cow || c.rows[i].c.diverged || c.rows[i].c.shared)
				sub.rows[sub.nrows++] = c.rows[i];
		putchar('\n');
		fflush(stdout);
		vmviz_print_cmp_rows(&sub, o);
		free(sub.rows);
	}
	vmviz_cmp_free(&c);
	vmviz_free(&child);
	vmviz_free(&parent);
}

/* "Rss 2.1M, Pss 1.6M, Uss 1.2M" of a frame-detail report's rollup. */
static void mem_line(const char *n, const struct vmviz_report *r)
{
	char rss[32], pss[32], uss[32], comm[64];

	vmviz_human_size(r->rollup_sm[SM_RSS] * 1024ULL, rss, sizeof(rss));
	vmviz_human_size(r->rollup_sm[SM_PSS] * 1024ULL, pss, sizeof(pss));
	vmviz_human_size(r->rollup_sm[SM_USS] * 1024ULL, uss, sizeof(uss));
	printf("   %s: pid %d (%s): Rss %s, Pss %s, Uss %s\n", n, r->pid,
	       vmviz_esc(r->comm, comm, sizeof(comm)), rss, pss, uss);
}

/*
 * The parent and its fork child by their frames (/proc/vmviz/frames/PID):
 * what each really costs (Pss, Uss), and what a write to a page they still
 * share copy-on-write would do in each: copy it, or reuse it in place.
 */
static void by_frames(pid_t pid, const struct vmviz_out *o, const char *save_dir)
{
	struct vmviz_report parent, child;
	struct vmviz_cmp c;
	char verdict[512];

	if (access(VMVIZ_DIR "/frames", F_OK)) {
		printf("\n(this module has no frame detail: no Pss, Uss or copy-or-reuse)\n");
		return;
	}
	printf("\n== the parent (1) and its fork child (2), by their frames ==\n");
	vmviz_load_pids_frames(getpid(), pid, true, &parent, &child);
	save(save_dir, "parent-frames", &parent);
	save(save_dir, "fork-frames", &child);
	/* The rollup line is the last of a report: read them whole first. */
	vmviz_read_all(&parent, 0);
	vmviz_read_all(&child, 0);
	mem_line("1", &parent);
	mem_line("2", &child);
	vmviz_compare(&parent, &child, &c);
	printf("   Pss shares each page among those mapping it; Uss counts the pages only\n"
	       "   this process maps (what it gives back by exiting).\n");
	printf("   copy-on-write pending, by what a write would do: in 1 copy %lu, reuse %lu;\n"
	       "   in 2 copy %lu, reuse %lu (a page mapped once, exclusive, is reused in place)\n",
	       c.total.copy1, c.total.reuse1, c.total.copy2, c.total.reuse2);
	vmviz_verdict(&c, verdict, sizeof(verdict));
	vmviz_wrap(stdout, "verdict: ", verdict, o->width ? o->width : 80);
	vmviz_cmp_free(&c);
	vmviz_free(&child);
	vmviz_free(&parent);
}

/*
 * The parent over time: read, then unmap a buffer, map and touch another,
 * write a page still shared copy-on-write with the fork child, and read
 * again. One mm read twice: the comparison says what changed in between.
 */
static void over_time(const struct vmviz_out *o, const char *save_dir)
{
	struct vmviz_report before, after;
	struct vmviz_cmp c;
	char *gone, *fresh;
	int i;

	gone = mmap(NULL, GONE_PAGES * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (gone == MAP_FAILED)
		err(VMVIZ_EXIT_FAILURE, "cannot map the demo's memory");
	memset(gone, 'g', GONE_PAGES * 4096);
	printf("\n== the parent over time: read (1); then it unmaps %d pages, maps %d and\n",
	       GONE_PAGES, NEW_PAGES);
	printf("   touches %d, writes a page shared copy-on-write; read again (2) ==\n",
	       NEW_TOUCHED);
	vmviz_load_pid(getpid(), &before);
	munmap(gone, GONE_PAGES * 4096);
	fresh = mmap(NULL, NEW_PAGES * 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED)
		err(VMVIZ_EXIT_FAILURE, "cannot map the demo's memory");
	for (i = 0; i < NEW_TOUCHED; i++)
		fresh[i * 4096] = 'n';
	/* Still shared with the fork child: the write gets a frame of its own. */
	priv[(PRIV_PAGES - 1) * 4096] = 'Q';
	vmviz_load_pid(getpid(), &after);
	save(save_dir, "parent-before", &before);
	save(save_dir, "parent-after", &after);
	vmviz_print_compare(&before, &after, o, false);
	vmviz_compare(&before, &after, &c);
	fflush(stdout);
	vmviz_print_changed_rows(&c, o);
	vmviz_cmp_free(&c);
	vmviz_free(&before);
	vmviz_free(&after);
	munmap(fresh, NEW_PAGES * 4096);
}

/**
 * vmviz_demo - spawn the four kinds of children and compare them
 * @o: table options for the comparisons
 * @color: colour the overview
 * @save_dir: if not NULL, every report read is written there too
 *
 * Return: an exit code.
 */
int vmviz_demo(const struct vmviz_out *o, bool color, const char *save_dir)
{
	pthread_t vfork_thread, thread;
	struct vmviz_report parent;
	pid_t fork_pid, clone_pid;
	char *stack, b;
	int i, status;

	if (access(VMVIZ_DIR, F_OK))
		vmviz_die(VMVIZ_EXIT_NOMODULE, "%s does not exist: the vmviz module is not loaded",
			  VMVIZ_DIR);
	if (save_dir && mkdir(save_dir, 0755) && errno != EEXIST)
		err(VMVIZ_EXIT_FAILURE, "cannot create %s", save_dir);
	priv = mmap(NULL, PRIV_PAGES * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared = mmap(NULL, SHARED_PAGES * 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	stack = malloc(CLONE_STACK);
	if (priv == MAP_FAILED || shared == MAP_FAILED || !stack)
		err(VMVIZ_EXIT_FAILURE, "cannot map the demo's memory");
	memset(priv, 'p', PRIV_PAGES * 4096);
	memset(shared, 's', SHARED_PAGES * 4096);
	if (pipe(go) || pipe(ready))
		err(VMVIZ_EXIT_FAILURE, "pipe");
	fflush(stdout);

	fork_pid = fork();
	if (fork_pid < 0)
		err(VMVIZ_EXIT_FAILURE, "fork");
	if (fork_pid == 0) {
		/* The child writes its first pages: they get copies of their own. */
		for (i = 0; i < CHILD_WRITES; i++)
			priv[i * 4096] = 'c';
		/*
		 * fork copies no entries of a shared mapping (they can be
		 * faulted in again): writing gets the parent's very frames.
		 */
		for (i = 0; i < SHARED_PAGES; i++)
			shared[i * 4096] = 'c';
		park(true);
		_exit(0);
	}
	if (pthread_create(&vfork_thread, NULL, vfork_helper, NULL))
		errx(VMVIZ_EXIT_FAILURE, "cannot start a thread");
	clone_pid = clone(clone_child, stack + CLONE_STACK, CLONE_VM | SIGCHLD, NULL);
	if (clone_pid < 0)
		err(VMVIZ_EXIT_FAILURE, "clone");
	if (pthread_create(&thread, NULL, thread_main, NULL))
		errx(VMVIZ_EXIT_FAILURE, "cannot start a thread");
	for (i = 0; i < 4; i++)
		if (read(ready[0], &b, 1) != 1)
			err(VMVIZ_EXIT_FAILURE, "a child did not start");
	/* The parent writes two more after the fork: copies for it this time. */
	for (i = CHILD_WRITES; i < CHILD_WRITES + PARENT_WRITES; i++)
		priv[i * 4096] = 'P';

	printf("vmviz demo: parent %d; fork child %d, vfork child %d, ", getpid(), fork_pid,
	       vfork_pid);
	printf("clone(CLONE_VM) child %d, thread %d\n", clone_pid, thread_tid);
	printf("private buffer %016lx: %d pages written before fork; ", (unsigned long)priv,
	       PRIV_PAGES);
	printf("after it, the fork child wrote %d, the parent %d\n", CHILD_WRITES, PARENT_WRITES);
	printf("shared buffer  %016lx: %d pages, MAP_SHARED|MAP_ANONYMOUS, ", (unsigned long)shared,
	       SHARED_PAGES);
	printf("written before fork and by the fork child\n\n");
	vmviz_load_pid(getpid(), &parent);
	save(save_dir, "parent", &parent);
	vmviz_print_overview(&parent, stdout, color, o, false);

	compare_with(fork_pid, "fork child", o, save_dir, "fork");
	by_frames(fork_pid, o, save_dir);
	compare_with(vfork_pid, "vfork child", o, save_dir, "vfork");
	compare_with(clone_pid, "clone(CLONE_VM) child", o, save_dir, "clone");
	compare_with(thread_tid, "thread", o, save_dir, "thread");
	over_time(o, save_dir);
	fflush(stdout);

	close(go[1]);
	waitpid(fork_pid, &status, 0);
	waitpid(clone_pid, &status, 0);
	pthread_join(vfork_thread, NULL);
	pthread_join(thread, NULL);
	vmviz_free(&parent);
	free(stack);
	return VMVIZ_EXIT_OK;
}
