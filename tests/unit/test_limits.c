/*
 * test_limits.c - a cell that meets a resource limit fails with the
 * reason (EAGAIN, ENOMEM, EMFILE) and leaves nothing behind: every thread
 * joined, every child process reaped, every descriptor closed. Each case
 * runs in a forked child that lowers one limit (RLIMIT_NPROC, RLIMIT_AS,
 * RLIMIT_NOFILE), runs one cell in-process with gb_runner_once, looks at
 * what is left, and sends a line back. The CLI view of the same limits,
 * through the fork-per-repetition harness, is tests/cli/limits.sh.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "registry.h"
#include "run.h"
#include "runner.h"
#include "tap.h"

#define LIM_NOBODY 65534

struct lim_result {
	int ran;         /* the child got as far as running the cell */
	int err;         /* gb_runner_once's return */
	int children;    /* 1 if a child process was left unreaped */
	int threads;     /* threads after the cell minus before (a sanitizer has its own) */
	int fds_leaked;  /* descriptors after minus before */
	char why[512];   /* the cell's reason */
	char setup[256]; /* why the limit could not be set, if so */
};

static int lim_count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Tasks (threads) that belong to `uid`: what RLIMIT_NPROC counts. */
static long lim_user_tasks(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], line[256];
		unsigned long u = ~0ul;
		long threads = 0;
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "Uid: %lu", &u);
			sscanf(line, "Threads: %ld", &threads);
		}
		fclose(f);
		if (u == uid)
			n += threads;
	}
	closedir(d);
	return n;
}

static size_t lim_vm_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return pages * (size_t)sysconf(_SC_PAGESIZE);
}

static void *lim_nop(void *arg)
{
	return arg;
}

/* Makes the process multithreaded once, so helpers a runtime starts then exist. */
static void lim_start_helpers(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, lim_nop, NULL) == 0)
		pthread_join(t, NULL);
}

enum lim_kind { LIM_NPROC, LIM_AS, LIM_NOFILE };

/*
 * In the child: RLIMIT_NPROC binds no process of root, so root becomes
 * nobody first; the limit leaves room for a few tasks beyond those the
 * user has now, far fewer than the cell wants.
 */
static int lim_apply(enum lim_kind kind, struct lim_result *r)
{
	struct rlimit rl;
	int res;

	switch (kind) {
	case LIM_NPROC:
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 ||
		                       setresgid(LIM_NOBODY, LIM_NOBODY, LIM_NOBODY) != 0 ||
		                       setresuid(LIM_NOBODY, LIM_NOBODY, LIM_NOBODY) != 0)) {
			snprintf(r->setup, sizeof(r->setup), "cannot become nobody: %s",
			         strerror(errno));
			return -1;
		}
		rl.rlim_cur = rl.rlim_max = (rlim_t)lim_user_tasks(getuid()) + 24;
		res = RLIMIT_NPROC;
		break;
	case LIM_AS:
		rl.rlim_cur = rl.rlim_max = lim_vm_bytes() + (256u << 20);
		res = RLIMIT_AS;
		break;
	default:
		rl.rlim_cur = rl.rlim_max = 64;
		res = RLIMIT_NOFILE;
		break;
	}
	if (setrlimit(res, &rl) != 0) {
		snprintf(r->setup, sizeof(r->setup), "setrlimit: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static struct lim_result lim_run(const char *model, enum lim_kind kind, enum gb_workload w,
                                 unsigned tasks, enum gb_io_kind io)
{
	struct lim_result r;
	int pfd[2], status;
	pid_t pid;

	memset(&r, 0, sizeof(r));
	if (pipe(pfd) != 0) {
		snprintf(r.setup, sizeof(r.setup), "pipe: %s", strerror(errno));
		return r;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct gb_cell c = {0};
		json_t *sample = NULL;
		int fds;

		close(pfd[0]);
		c.model = gb_model_find(model);
		gb_params_defaults(&c.p, 1);
		c.p.workload = w;
		c.p.tasks = tasks;
		c.p.io = io;
		c.p.io_ops = 1;
		c.p.io_time_ns = 1000000;
		c.placement = GB_PLACE_NONE;
		if (lim_apply(kind, &r) == 0) {
			int threads;

			/* TSan starts a thread of its own with the first one we make. */
			lim_start_helpers();
			threads = lim_count_dir("/proc/self/task");

			fds = lim_count_dir("/proc/self/fd");
			r.ran = 1;
			r.err = gb_runner_once(&c, 0, &sample, r.why, sizeof(r.why));
			json_decref(sample);
			r.children = !(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
			r.threads = lim_count_dir("/proc/self/task") - threads;
			r.fds_leaked = lim_count_dir("/proc/self/fd") - fds;
		}
		if (write(pfd[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		snprintf(r.setup, sizeof(r.setup), "the test child died before it reported");
	close(pfd[0]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return r;
}

static void lim_expect(const char *what, struct lim_result r, const char *want1, const char *want2)
{
	if (!ok(r.ran, "%s: the limit is set and the cell runs", what)) {
		printf("#   %s\n", r.setup);
		return;
	}
	char name[3][160];

	ok(r.err != 0 && (strstr(r.why, want1) || (want2 && strstr(r.why, want2))),
	   "%s: the cell fails with the reason (%s)", what, r.why);
	snprintf(name[0], sizeof(name[0]), "%s: no child process left unreaped", what);
	snprintf(name[1], sizeof(name[1]), "%s: every thread joined", what);
	snprintf(name[2], sizeof(name[2]), "%s: no descriptor left open", what);
	is_int(r.children, 0, name[0]);
	is_int(r.threads, 0, name[1]);
	is_int(r.fds_leaked, 0, name[2]);
}

int main(void)
{
	const char *eagain = strerror(EAGAIN);
	char want[128];

	signal(SIGPIPE, SIG_IGN);
	snprintf(want, sizeof(want), "pthread_create: %s", eagain);
	lim_expect("threads -t 100000 under RLIMIT_NPROC",
	           lim_run("threads", LIM_NPROC, GB_WL_IO, 100000, GB_IO_SLEEP), want, NULL);
	snprintf(want, sizeof(want), "fork: %s", eagain);
	lim_expect("processes -t 100000 under RLIMIT_NPROC",
	           lim_run("processes", LIM_NPROC, GB_WL_IO, 100000, GB_IO_SLEEP), want, NULL);
#ifndef GB_SANITIZED
	/* glibc says EAGAIN when it cannot map a thread's stack. */
	lim_expect("threads -t 100000 under RLIMIT_AS (256 MiB free)",
	           lim_run("threads", LIM_AS, GB_WL_IO, 100000, GB_IO_SLEEP), eagain,
	           strerror(ENOMEM));
#else
	/* The sanitizer's shadow memory is far beyond any small RLIMIT_AS. */
	skip("RLIMIT_AS under a sanitizer");
#endif
	snprintf(want, sizeof(want), "echo peer for 1000 tasks: %s", strerror(EMFILE));
	lim_expect("threads io echo -t 1000 under RLIMIT_NOFILE 64",
	           lim_run("threads", LIM_NOFILE, GB_WL_IO, 1000, GB_IO_ECHO), want, NULL);
	lim_expect("greenlets io echo -t 1000 under RLIMIT_NOFILE 64",
	           lim_run("greenlets", LIM_NOFILE, GB_WL_IO, 1000, GB_IO_ECHO), want, NULL);
	return gb_tap_done();
}
