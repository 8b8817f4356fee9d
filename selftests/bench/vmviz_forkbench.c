// SPDX-License-Identifier: GPL-2.0
/*
 * vmviz_forkbench: what keeping a file for every process costs (make bench).
 * A loop of short processes (fork, exec of a static busybox "true", wait)
 * is timed in one boot with the module unloaded, loaded in the track mode
 * (all=0: no probes) and in the default mode (a file per process), rounds
 * interleaved; then, with 1,000 to 50,000 parked processes around, the same
 * loop in the default mode against the module unloaded: the upkeep of one
 * event must not grow with the number of processes.
 *
 * Two costs are counted. The module's own: the time its probes and its
 * reconcile work spent (debugfs vmviz/upkeep), against the CPU time of the
 * loop itself (its processes' user and system time): exact, and what the
 * overhead is. And the CPU time of the whole guest (/proc/stat: every CPU's
 * busy time) per mode, since the work runs in a kernel worker: the same
 * ratio seen from outside, but with all the noise of an emulated machine.
 * Output: "benchfork KEY=VALUE ..." lines; timing is never a pass/fail test.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *ko = "/vmviz.ko";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Busy CPU seconds of the whole machine so far: all but idle and iowait. */
static double busy_cpu_s(void)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	double busy;

	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			 &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
			 &v[8], &v[9]) < 8) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	return busy / sysconf(_SC_CLK_TCK);
}

/* The module's upkeep counters so far (all zero where there are none). */
struct upkeep {
	double files, events, scans, probe_s, work_s;
};

static void upkeep_read(struct upkeep *u)
{
	FILE *f = fopen("/sys/kernel/debug/vmviz/upkeep", "r");
	double probe_ns = 0, work_ns = 0;

	memset(u, 0, sizeof(*u));
	if (!f)
		return;
	if (fscanf(f, "files %lf events %lf scans %lf probe_ns %lf work_ns %lf",
		   &u->files, &u->events, &u->scans, &probe_ns, &work_ns) != 5)
		memset(u, 0, sizeof(*u));
	fclose(f);
	u->probe_s = probe_ns / 1e9;
	u->work_s = work_ns / 1e9;
}

/* CPU seconds of this process and its reaped children, user and system. */
static double own_cpu_s(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
	       kids.ru_stime.tv_sec + (self.ru_utime.tv_usec + self.ru_stime.tv_usec +
	       kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6;
}

enum mode { M_UNLOADED, M_TRACK, M_ALL, M_NR };
static const char *const mode_names[M_NR] = { "unloaded", "track", "default" };

static int set_mode(enum mode m)
{
	char cmd[256];

	if (system("rmmod vmviz 2>/dev/null; true"))
		return -1;
	if (m == M_UNLOADED)
		return 0;
	snprintf(cmd, sizeof(cmd), "insmod %s%s", ko, m == M_TRACK ? " all=0" : "");
	return system(cmd) ? -1 : 0;
}

/*
 * @n short processes, one after the other: wall and machine CPU seconds,
 * the loop's own CPU seconds and the module's upkeep meanwhile.
 */
struct loop {
	double wall, cpu, own;
	struct upkeep up;
};

static void fork_loop(unsigned long n, struct loop *l)
{
	double t0 = now(), c0 = busy_cpu_s(), o0 = own_cpu_s();
	struct upkeep u0, u1;
	unsigned long i;

	upkeep_read(&u0);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/busybox", "true", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, NULL, 0) != pid) {
			printf("# benchfork error: fork %lu: %s\n", i, strerror(errno));
			break;
		}
	}
	l->own = own_cpu_s() - o0;
	/* Let the reconcile work of the last events run: it is counted too. */
	usleep(300000);
	l->wall = now() - t0 - 0.3;
	l->cpu = busy_cpu_s() - c0;
	upkeep_read(&u1);
	l->up.events = u1.events - u0.events;
	l->up.scans = u1.scans - u0.scans;
	l->up.probe_s = u1.probe_s - u0.probe_s;
	l->up.work_s = u1.work_s - u0.work_s;
	l->up.files = u1.files;
}

static void print_loop(const char *what, unsigned long n, const struct loop *l)
{
	double up = l->up.probe_s + l->up.work_s;

	printf("%s n=%lu wall_s=%.3f cpu_s=%.3f own_cpu_s=%.3f files=%.0f events=%.0f scans=%.0f upkeep_ms=%.3f upkeep_per_event_us=%.2f upkeep_per_own_cpu=%.5f\n",
	       what, n, l->wall, l->cpu, l->own, l->up.files, l->up.events, l->up.scans,
	       up * 1e3, l->up.events ? up * 1e6 / l->up.events : 0,
	       l->own > 0 ? up / l->own : 0);
}

/* Parked processes: CLONE_VM children on tiny stacks, each its own tgid. */
#define PARK_STACK	16384

static int parked_fn(void *arg)
{
	for (;;)
		pause();
	return 0;
}

static pid_t *park(unsigned long n, char **stacks)
{
	pid_t *pids = calloc(n, sizeof(*pids));
	unsigned long i;

	*stacks = mmap(NULL, n * PARK_STACK, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!pids || *stacks == MAP_FAILED)
		return NULL;
	for (i = 0; i < n; i++) {
		pids[i] = clone(parked_fn, *stacks + (i + 1) * PARK_STACK,
				CLONE_VM | SIGCHLD, NULL);
		if (pids[i] < 0) {
			printf("# benchfork error: parked process %lu: %s\n", i, strerror(errno));
			while (i--)
				kill(pids[i], SIGKILL);
			free(pids);
			return NULL;
		}
	}
	return pids;
}

static void unpark(pid_t *pids, unsigned long n, char *stacks)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	munmap(stacks, n * PARK_STACK);
	free(pids);
}

static int write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(s, f);
	return fclose(f);
}

int main(int argc, char **argv)
{
	unsigned long n = 20000, bg[8] = { 1000, 10000, 50000 }, nbg = 3, bgn = 2000;
	double wall[M_NR] = { 0 }, cpu[M_NR] = { 0 }, own[M_NR] = { 0 }, up = 0;
	int rounds = 3, opt, r, m;
	unsigned long i;

	while ((opt = getopt(argc, argv, "n:r:B:b:k:")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'r': rounds = atoi(optarg); break;
		case 'b': bgn = strtoul(optarg, NULL, 10); break;
		case 'k': ko = optarg; break;
		case 'B': {
			char *s = optarg, *end;

			for (nbg = 0; nbg < 8 && *s; s = *end ? end + 1 : end)
				bg[nbg++] = strtoul(s, &end, 10);
			break;
		}
		default:
			fprintf(stderr, "usage: %s [-n forks] [-r rounds] [-B N,N,..] [-b forks] [-k ko]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	write_file("/proc/sys/kernel/pid_max", "4194304");
	write_file("/proc/sys/kernel/threads-max", "200000");
	write_file("/proc/sys/vm/max_map_count", "1000000");

	/* 1. The fork loop per mode, rounds interleaved; then the sums. */
	for (r = 0; r < rounds; r++) {
		for (m = 0; m < M_NR; m++) {
			char what[64];
			struct loop l;

			if (set_mode(m)) {
				printf("# benchfork error: cannot set mode %s\n", mode_names[m]);
				return 1;
			}
			fork_loop(n, &l);
			wall[m] += l.wall;
			cpu[m] += l.cpu;
			own[m] += l.own;
			if (m == M_ALL)
				up += l.up.probe_s + l.up.work_s;
			snprintf(what, sizeof(what), "benchforkrun round=%d mode=%s", r,
				 mode_names[m]);
			print_loop(what, n, &l);
		}
	}
	for (m = 0; m < M_NR; m++)
		printf("benchfork mode=%s n=%lu rounds=%d wall_s=%.3f cpu_s=%.3f own_cpu_s=%.3f wall_ratio=%.4f cpu_ratio=%.4f upkeep_s=%.4f upkeep_per_own_cpu=%.5f\n",
		       mode_names[m], n, rounds, wall[m], cpu[m], own[m],
		       wall[m] / wall[M_UNLOADED], cpu[m] / cpu[M_UNLOADED],
		       m == M_ALL ? up : 0, m == M_ALL && own[m] > 0 ? up / own[m] : 0);

	/* 2. Upkeep at N processes: the default mode against unloaded. */
	for (i = 0; i < nbg; i++) {
		struct loop l[2] = {};
		double t0, made;
		pid_t *pids;
		char *stacks;
		int k;

		for (k = 0; k < 2; k++) {
			char what[96];

			if (set_mode(k ? M_ALL : M_UNLOADED))
				return 1;
			t0 = now();
			pids = park(bg[i], &stacks);
			if (!pids)
				break;
			made = now() - t0;
			sleep(2);	/* the files of the parked ones are made */
			fork_loop(bgn, &l[k]);
			snprintf(what, sizeof(what), "benchforkrun procs=%lu mode=%s park_s=%.3f",
				 bg[i], mode_names[k ? M_ALL : M_UNLOADED], made);
			print_loop(what, bgn, &l[k]);
			unpark(pids, bg[i], stacks);
		}
		if (l[0].cpu > 0 && l[1].cpu > 0)
			printf("benchforkbg procs=%lu n=%lu files=%.0f cpu_unloaded_s=%.3f cpu_default_s=%.3f cpu_ratio=%.4f wall_ratio=%.4f upkeep_per_event_us=%.2f upkeep_per_own_cpu=%.5f scans=%.0f\n",
			       bg[i], bgn, l[1].up.files, l[0].cpu, l[1].cpu, l[1].cpu / l[0].cpu,
			       l[1].wall / l[0].wall,
			       l[1].up.events ? (l[1].up.probe_s + l[1].up.work_s) * 1e6 / l[1].up.events : 0,
			       l[1].own > 0 ? (l[1].up.probe_s + l[1].up.work_s) / l[1].own : 0,
			       l[1].up.scans);
	}
	set_mode(M_TRACK);
	return 0;
}
