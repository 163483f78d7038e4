/*
 * test_processes.c - the `processes` model: the lecture's output order,
 * every task's work counted across processes, one uncontended GIL per
 * child, and the life of the children on every path. After a normal end,
 * a child that dies, a signal to the parent, a timeout's group kill or a
 * parent killed outright: no zombie, no orphan, no leaked descriptor.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "registry.h"
#include "run.h"
#include "runner.h"
#include "tap.h"

#define PT_LONG_SLEEP_NS 30000000000ull /* children that would outlive every bound */
#define PT_BOUND_S       20.0           /* "ended early": far below PT_LONG_SLEEP_NS */

static double pt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct gb_cell pt_cell(enum gb_workload w, unsigned tasks)
{
	struct gb_cell c = {0};

	c.model = gb_model_find("processes");
	gb_params_defaults(&c.p, 1);
	c.p.workload = w;
	c.p.tasks = tasks;
	c.placement = GB_PLACE_NONE;
	return c;
}

static double num(json_t *sample, const char *key)
{
	json_t *v = json_object_get(sample, key);
	return v ? json_number_value(v) : -1.0;
}

static int pt_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the DIR's own descriptor */
}

static int pt_no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

/* Up to `max` pids whose parent is `ppid`, read from /proc. */
static int pt_children_of(pid_t ppid, pid_t *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		char path[300], buf[512], *p;
		FILE *f;
		int pp = -1;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 1, " %*c %d", &pp) == 1 && pp == ppid)
			out[n++] = (pid_t)atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Waits (at most 10 s) until `ppid` has `want` children; how many it has. */
static int pt_wait_children(pid_t ppid, pid_t *out, int want)
{
	double end = pt_now() + 10.0;
	int n;

	while ((n = pt_children_of(ppid, out, want)) < want && pt_now() < end)
		usleep(10000);
	return n;
}

struct pt_killer;
static void pt_killer_start(struct pt_killer *k);
static void pt_killer_join(struct pt_killer *k);

/*
 * Runs a cell, checking it leaves no child and no descriptor behind; `k`,
 * if any, runs alongside (started after the first count: it opens /proc).
 */
static json_t *pt_run(const struct gb_cell *c, const char *what, char *why, size_t why_len,
                      int *err, struct pt_killer *k)
{
	json_t *sample = NULL;
	int fds = pt_count_fds();

	if (k)
		pt_killer_start(k);
	*err = gb_runner_once(c, 0, &sample, why, why_len);
	if (k)
		pt_killer_join(k);
	ok(pt_no_children(), "%s: no child left (waitpid: ECHILD)", what);
	is_int(pt_count_fds(), fds, "descriptors after the run equal those before");
	return sample;
}

static json_t *pt_run_ok(const struct gb_cell *c, const char *what, struct pt_killer *k)
{
	char why[512];
	int err;
	json_t *s = pt_run(c, what, why, sizeof(why), &err, k);

	if (!ok(err == 0, "%s runs", what))
		printf("#   %s\n", why);
	return err ? NULL : s;
}

static char *pt_demo(void)
{
	struct gb_cell c = pt_cell(GB_WL_SEED, 2);
	char path[] = "/tmp/gb_test_processes_XXXXXX", *out = NULL;
	json_t *sample = NULL;
	char why[512];
	int fd = mkstemp(path), saved, err;
	long len;
	FILE *f;

	if (fd < 0)
		return NULL;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	err = gb_runner_once(&c, 1, &sample, why, sizeof(why));
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	json_decref(sample);
	if (err) {
		printf("#   demo: %s\n", why);
		unlink(path);
		return NULL;
	}
	f = fopen(path, "r");
	unlink(path);
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	out = calloc(1, (size_t)len + 1);
	if (out && fread(out, 1, (size_t)len, f) != (size_t)len) {
		free(out);
		out = NULL;
	}
	fclose(f);
	return out;
}

/* --- A helper thread that signals the children (or the parent) mid-run --- */

struct pt_killer {
	pthread_t tid;
	int sig;
	int target_parent; /* signal this process instead of one child */
	int repeat;        /* signals to send (EINTR test) */
	int found;         /* children seen before signalling */
};

static void *pt_killer_main(void *arg)
{
	struct pt_killer *k = arg;
	pid_t kids[4];

	k->found = pt_wait_children(getpid(), kids, 2);
	if (k->found < 2)
		return NULL;
	usleep(50000); /* let them start their program */
	for (int i = 0; i < k->repeat; i++) {
		if (k->target_parent)
			kill(getpid(), k->sig);
		else
			kill(kids[1], k->sig);
		usleep(20000);
	}
	return NULL;
}

static void pt_killer_start(struct pt_killer *k)
{
	pthread_create(&k->tid, NULL, pt_killer_main, k);
}

static void pt_killer_join(struct pt_killer *k)
{
	pthread_join(k->tid, NULL);
}

static volatile sig_atomic_t pt_got_int, pt_got_usr1;
static void pt_on_int(int sig)
{
	(void)sig;
	pt_got_int++;
}
static void pt_on_usr1(int sig)
{
	(void)sig;
	pt_got_usr1++;
}

/* A child killed by `sig` mid-run fails the cell, named, and ends the run early. */
static void pt_child_dies(int sig)
{
	struct gb_cell c = pt_cell(GB_WL_IO, 2);
	struct pt_killer k = {.sig = sig, .repeat = 1};
	char why[512], what[64], want[64];
	json_t *s;
	double t0 = pt_now();
	int err;

	snprintf(what, sizeof(what), "a child killed by %s", strsignal(sig));
	c.p.io_time_ns = PT_LONG_SLEEP_NS;
	s = pt_run(&c, what, why, sizeof(why), &err, &k);
	json_decref(s);
	is_int(k.found, 2, "both children were seen running");
	snprintf(want, sizeof(want), "killed by signal %d", sig);
	ok(err != 0 && strstr(why, "task 1") && strstr(why, want),
	   "%s: the cell fails naming task 1 and the signal (%s)", what, why);
	ok(pt_now() - t0 < PT_BOUND_S, "%s: the other child is not waited for", what);
}

/* SIGINT to the parent: children killed and reaped, then the signal goes on. */
static void pt_parent_sigint(void)
{
	struct gb_cell c = pt_cell(GB_WL_IO, 2);
	struct pt_killer k = {.sig = SIGINT, .target_parent = 1, .repeat = 1};
	struct sigaction sa = {.sa_handler = pt_on_int}, old;
	char why[512];
	json_t *s;
	double t0 = pt_now();
	int err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	pt_got_int = 0;
	c.p.io_time_ns = PT_LONG_SLEEP_NS;
	s = pt_run(&c, "SIGINT to the parent", why, sizeof(why), &err, &k);
	json_decref(s);
	sigaction(SIGINT, &old, NULL);
	ok(err != 0 && strstr(why, "interrupted"), "SIGINT: the cell says it was interrupted (%s)",
	   why);
	is_int(pt_got_int, 1, "SIGINT: passed on to the handler that was there before");
	ok(pt_now() - t0 < PT_BOUND_S, "SIGINT: the children did not run to their end");
}

/* Signals that interrupt the parent's waits (EINTR) change nothing. */
static void pt_eintr(void)
{
	struct gb_cell c = pt_cell(GB_WL_IO, 2);
	struct pt_killer k = {.sig = SIGUSR1, .target_parent = 1, .repeat = 10};
	struct sigaction sa = {.sa_handler = pt_on_usr1}, old;
	json_t *s;

	sigemptyset(&sa.sa_mask); /* no SA_RESTART: every blocking call sees EINTR */
	sigaction(SIGUSR1, &sa, &old);
	pt_got_usr1 = 0;
	c.p.io_time_ns = 600000000;
	s = pt_run_ok(&c, "EINTR storm", &k);
	sigaction(SIGUSR1, &old, NULL);
	ok(pt_got_usr1 >= 1, "EINTR: the parent was interrupted %d times", (int)pt_got_usr1);
	if (s) {
		double ops = num(s, "ops_per_s") * num(s, "wall_s");
		ok(ops > 1.5 && ops < 2.5, "EINTR: both children finished their op (%g)", ops);
	}
	json_decref(s);
}

/*
 * The harness's view: a cell process in its own group, killed on timeout
 * (the whole group) or killed alone. This test process is the subreaper,
 * so any child the model leaves behind comes back here to be counted.
 */
static void pt_killed_cell(int whole_group)
{
	const char *what = whole_group ? "group kill (timeout)" : "parent SIGKILLed alone";
	pid_t cell, kids[4];
	int found, reaped = 0, by_kill = 0, st;
	double end;

	fflush(NULL);
	cell = fork();
	if (cell == 0) {
		struct gb_cell c = pt_cell(GB_WL_IO, 2);
		json_t *s = NULL;
		char why[256];

		setpgid(0, 0);
		c.p.io_time_ns = PT_LONG_SLEEP_NS;
		gb_runner_once(&c, 0, &s, why, sizeof(why));
		_exit(0);
	}
	setpgid(cell, cell);
	found = pt_wait_children(cell, kids, 2);
	is_int(found, 2, "the cell forked its two children");
	usleep(50000);
	kill(whole_group ? -cell : cell, SIGKILL);
	/* Everyone must be gone well before the children's 30 s sleep ends. */
	end = pt_now() + 10.0;
	while (pt_now() < end) {
		pid_t r = waitpid(-1, &st, WNOHANG);
		if (r > 0) {
			reaped++;
			by_kill += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
			continue;
		}
		if (r < 0 && errno == ECHILD)
			break;
		usleep(10000);
	}
	ok(pt_no_children(), "%s: nothing left to reap", what);
	is_int(reaped, 1 + found, "cell and children all ended");
	is_int(by_kill, 1 + found, "all by SIGKILL (children by the group kill or PDEATHSIG)");
	if (!pt_no_children()) {
		kill(-cell, SIGKILL);
		for (int i = 0; i < found; i++)
			kill(kids[i], SIGKILL);
		while (waitpid(-1, NULL, 0) > 0)
			;
	}
}

int main(void)
{
	struct gb_cell c;
	json_t *s;
	char *demo;

	/* Orphans of the cells killed below are re-parented here, to be seen. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	ok(gb_model_find("processes") != NULL, "processes is registered");

	demo = pt_demo();
	ok(demo && strcmp(demo, "hello alice\nhello bob\nalice done!\nbob done!\n") == 0,
	   "demo prints hello alice, hello bob, alice done!, bob done!");
	if (demo && strcmp(demo, "hello alice\nhello bob\nalice done!\nbob done!\n") != 0)
		printf("#   got: %s\n", demo);
	free(demo);
	ok(pt_no_children(), "demo: no child left");

	/* Each child has its own GIL: two CPU-bound tasks never contend. */
	c = pt_cell(GB_WL_CPU, 2);
	c.p.work = 4000000;
	c.p.switch_interval_s = 1e-4;
	if ((s = pt_run_ok(&c, "cpu t=2 new", NULL))) {
		is_int(num(s, "bytecodes"), c.p.work, "cpu: every child's bytecodes counted");
		is_int(num(s, "gil_drop_requests"), 0, "cpu: no drop request between processes");
		is_int(num(s, "gil_forced_switches"), 0, "cpu: no forced switch");
		is_int(num(s, "gil_acquisitions"), 2, "cpu: one acquisition per child");
		json_decref(s);
	}

	c = pt_cell(GB_WL_IO, 3);
	c.p.io = GB_IO_ECHO;
	c.p.io_ops = 20;
	c.placement = GB_PLACE_COMPACT;
	if ((s = pt_run_ok(&c, "io echo t=3 compact", NULL))) {
		const char *b = json_string_value(json_object_get(s, "bound_cpus"));
		is_int(num(s, "latency_count"), 60, "io echo: every child's echoes measured");
		ok(b && b[0], "compact placement bound the children (%s)", b ? b : "null");
		json_decref(s);
	}

	c = pt_cell(GB_WL_BACKGROUND, 2);
	c.p.burst = 2000000;
	c.p.think_ns = 100000;
	if ((s = pt_run_ok(&c, "background t=2", NULL))) {
		is_int(num(s, "bytecodes"), c.p.burst, "background: the burst ran");
		ok(num(s, "latency_count") >= 1,
		   "background: the foreground child saw the stop flag (%g requests)",
		   num(s, "latency_count"));
		json_decref(s);
	}

	c = pt_cell(GB_WL_IO, 100);
	c.p.io_time_ns = 1000000;
	if ((s = pt_run_ok(&c, "io sleep t=100", NULL))) {
		double ops = num(s, "ops_per_s") * num(s, "wall_s");
		ok(ops > 99.5 && ops < 100.5, "100 children each did their op (%g)", ops);
		json_decref(s);
	}

	pt_child_dies(SIGKILL);
	pt_child_dies(SIGINT);
	pt_parent_sigint();
	pt_eintr();
	pt_killed_cell(1);
	pt_killed_cell(0);
	return gb_tap_done();
}
