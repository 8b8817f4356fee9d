// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel half read in a loop while the kernel changes its page tables:
 * module loads and unloads (set_memory_ro/x/rw of module memory, and the
 * rig's vmviz_churn.ko: vmalloc/vfree and huge vmalloc over freed PTE
 * tables), threads made and joined (vmalloc'd stacks), processes forked.
 * Every read must end with its end line; a splat on the console fails the
 * run (the rig's detector). VMVIZ_KSTRESS_SECS sets the length (default 20
 * s of guest time; the lead's long run: 600 on the debug kernel).
 */
#include <pthread.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "vmviz_test.h"

#define VMVIZ_KERNEL	VMVIZ_DIR "/kernel"
#define KPTR_RESTRICT	"/proc/sys/kernel/kptr_restrict"
#define CHURN_KO	"/vmviz_churn.ko"

static double secs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read the file until @until; exit 0, or 1 at the first bad read. */
static void reader(double until, int fd_out)
{
	unsigned long reads = 0;

	while (secs_now() < until) {
		char *t = vt_read_file_by(VMVIZ_KERNEL, NULL, reads % 2 ? 4093 : 0);
		char *last;

		if (!t) {
			dprintf(fd_out, "read: %s\n", strerror(errno));
			_exit(1);
		}
		last = strstr(t, "\nend regions ");
		if (!last || strchr(last + 1, '\n') != t + strlen(t) - 1) {
			dprintf(fd_out, "read %lu has no end line\n", reads);
			_exit(1);
		}
		free(t);
		reads++;
	}
	dprintf(fd_out, "%lu\n", reads);
	_exit(0);
}

/* Load and unload the churn module until @until; exit 0 or 1. */
static void module_churner(double until, int fd_out)
{
	unsigned long loads = 0;

	while (secs_now() < until) {
		int fd = open(CHURN_KO, O_RDONLY);

		if (fd < 0)
			break;
		if (syscall(SYS_finit_module, fd, "rounds=16", 0)) {
			dprintf(fd_out, "finit_module: %s\n", strerror(errno));
			_exit(1);
		}
		close(fd);
		if (syscall(SYS_delete_module, "vmviz_churn", 0)) {
			dprintf(fd_out, "delete_module: %s\n", strerror(errno));
			_exit(1);
		}
		loads++;
	}
	dprintf(fd_out, "%lu\n", loads);
	_exit(0);
}

static void *thread_nop(void *arg)
{
	return arg;
}

/* Threads and processes made and reaped until @until: vmalloc'd stacks. */
static void task_churner(double until, int fd_out)
{
	unsigned long rounds = 0;

	while (secs_now() < until) {
		pthread_t th[16];
		pid_t pid;
		int i;

		for (i = 0; i < 16; i++)
			if (pthread_create(&th[i], NULL, thread_nop, NULL))
				break;
		while (i--)
			pthread_join(th[i], NULL);
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		rounds++;
	}
	dprintf(fd_out, "%lu\n", rounds);
	_exit(0);
}

struct worker {
	const char *name;
	void (*fn)(double until, int fd_out);
	pid_t pid;
	int fd;
};

FIXTURE(kstress) {};
FIXTURE_SETUP(kstress) {}
FIXTURE_TEARDOWN(kstress) {}

/* Long enough for the lead's 600 s run on the debug kernel. */
TEST_F_TIMEOUT(kstress, kernel_half_read_under_page_table_churn, 1800)
{
	struct worker w[] = {
		{ .name = "reader", .fn = reader }, { .name = "reader", .fn = reader },
		{ .name = "modules", .fn = module_churner },
		{ .name = "tasks", .fn = task_churner },
	};
	const char *env = getenv("VMVIZ_KSTRESS_SECS");
	double secs = env ? atof(env) : 20, until;
	char out[256], saved[16] = "";
	char *kr;
	int i, n = sizeof(w) / sizeof(w[0]);

	VMVIZ_REQUIRE();
	kr = vt_read_file(KPTR_RESTRICT, NULL);
	if (kr)
		snprintf(saved, sizeof(saved), "%s", kr);
	free(kr);
	ASSERT_EQ(0, vt_write(KPTR_RESTRICT, "0\n"));
	if (access(CHURN_KO, R_OK))
		ksft_print_msg("no %s: no module churn in this run\n", CHURN_KO);
	until = secs_now() + secs;
	for (i = 0; i < n; i++) {
		int p[2];

		ASSERT_EQ(0, pipe(p));
		w[i].pid = fork();
		ASSERT_LE(0, w[i].pid);
		if (w[i].pid == 0) {
			close(p[0]);
			w[i].fn(until, p[1]);
		}
		close(p[1]);
		w[i].fd = p[0];
	}
	for (i = 0; i < n; i++) {
		int st = vt_child_output(w[i].pid, w[i].fd, out, sizeof(out));

		out[strcspn(out, "\n")] = '\0';
		EXPECT_EQ(0, st) TH_LOG("%s: %s", w[i].name, out);
		ksft_print_msg("vmviz-figures kstress %s %s in %.0f s\n", w[i].name, out, secs);
	}
	if (saved[0])
		vt_write(KPTR_RESTRICT, saved);
}

TEST_HARNESS_MAIN
