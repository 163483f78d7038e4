/*
 * test_greenlets.c - the greenlets model by order of events and counters:
 * the demo's print order, a COMPUTE greenlet starving the others unless
 * --yield-every is given (print order, and the background workload's
 * request count), every workload running to the end, and bad stack sizes
 * or exhausted memory ending as a reason, never a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gilbench/coro.h>

#include "registry.h"
#include "run.h"
#include "tap.h"

struct mrun {
	struct gb_cell cell;
	struct gb_run run;
	const struct gb_model_ops *m;
	int demo;
};

static void mrun_params(struct mrun *r, const char *model, enum gb_workload w, unsigned tasks)
{
	memset(r, 0, sizeof(*r));
	r->m = gb_model_find(model);
	r->cell.model = r->m;
	gb_params_defaults(&r->cell.p, 1);
	r->cell.p.workload = w;
	r->cell.p.tasks = tasks;
	r->cell.placement = GB_PLACE_NONE;
}

static int mrun_open(struct mrun *r)
{
	char why[256];
	int err = gb_run_open(&r->run, &r->cell, r->demo, 0, why, sizeof(why));

	if (err)
		printf("# gb_run_open: %s\n", why);
	return err;
}

static int mrun_go(struct mrun *r)
{
	void *st = NULL;
	int err = r->m->init(&st, &r->run);

	if (err)
		return err;
	err = r->m->run(st, &r->run);
	r->m->fini(st);
	return err;
}

#define SH(r, f) ((unsigned long long)atomic_load(&(r)->run.sh->f))

/* Runs r with stdout (the demo's prints) captured into out. */
static int mrun_capture(struct mrun *r, char *out, size_t cap)
{
	char path[] = "/tmp/gb_test_greenlets_XXXXXX";
	int fd = mkstemp(path), saved, err;
	ssize_t n;

	if (fd < 0)
		return -errno;
	unlink(path);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	err = mrun_go(r);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	return err;
}

static void test_unsupported(void)
{
	const struct gb_model_ops *m = gb_model_find("greenlets");
	struct gb_params p;
	const char *why;

	gb_params_defaults(&p, 1);
	ok(m && m->unsupported, "greenlets has an unsupported() hook");
	if (!m || !m->unsupported)
		return;
	p.stack_size = 64 * 1024;
	ok(m->unsupported(&p) == NULL, "a 64 KiB stack is fine");
	p.stack_size = 4096;
	why = m->unsupported(&p);
	ok(why && strstr(why, "--stack-size 4096"), "a 4 KiB stack is refused: %s", why ? why : "");
	p.stack_size = gb_coro_stack_max() + 1;
	why = m->unsupported(&p);
	ok(why && strstr(why, "--stack-size"), "a stack above the maximum is refused: %s",
	   why ? why : "");
	p.stack_size = gb_coro_stack_min();
	ok(m->unsupported(&p) == NULL, "the smallest stack is accepted");
}

static void test_order(void)
{
	static const struct gb_op fg_ops[] = {{.kind = GB_OP_YIELD},
	                                      {.kind = GB_OP_PRINT, .text = "fg"}};
	static const struct gb_op bg_ops[] = {{.kind = GB_OP_COMPUTE, .n = 200000},
	                                      {.kind = GB_OP_PRINT, .text = "bg"}};
	static const struct gb_program fg = {.ops = fg_ops, .n_ops = 2, .repeat = 3, .name = "fg"};
	static const struct gb_program bg = {.ops = bg_ops, .n_ops = 2, .repeat = 1, .name = "bg"};
	char out[512];
	struct mrun r;

	mrun_params(&r, "greenlets", GB_WL_SEED, 2);
	r.demo = 1;
	if (mrun_open(&r) == 0) {
		ok(mrun_capture(&r, out, sizeof(out)) == 0, "seed runs");
		is_int(strcmp(out, "hello alice\nhello bob\nbob done!\nalice done!\n"), 0,
		       "seed prints alice's hello, bob's, then the values joined bob first");
		if (strcmp(out, "hello alice\nhello bob\nbob done!\nalice done!\n"))
			printf("# got: %s\n", out);
		gb_run_close(&r.run);
	}

	/* A greenlet in COMPUTE never yields: fg, waiting in sleep(0), prints
	 * only when bg has finished. */
	mrun_params(&r, "greenlets", GB_WL_SEED, 2);
	r.demo = 1;
	if (mrun_open(&r) == 0) {
		r.run.ws.progs[0] = &fg;
		r.run.ws.progs[1] = &bg;
		ok(mrun_capture(&r, out, sizeof(out)) == 0, "fg and bg run");
		is_int(strcmp(out, "bg\nfg\nfg\nfg\n"), 0,
		       "without --yield-every bg runs to its end");
		is_int(SH(&r, yields), 3, "only fg's three sleep(0)");
		gb_run_close(&r.run);
	}
	mrun_params(&r, "greenlets", GB_WL_SEED, 2);
	r.demo = 1;
	r.cell.p.yield_every = 1000;
	if (mrun_open(&r) == 0) {
		r.run.ws.progs[0] = &fg;
		r.run.ws.progs[1] = &bg;
		ok(mrun_capture(&r, out, sizeof(out)) == 0, "fg and bg run, --yield-every 1000");
		is_int(strcmp(out, "fg\nfg\nfg\nbg\n"), 0,
		       "with --yield-every fg is done before bg");
		is_int(SH(&r, yields), 3 + 199, "fg's 3 yields and bg's 199");
		gb_run_close(&r.run);
	}
}

static void test_workloads(void)
{
	struct mrun r;

	mrun_params(&r, "greenlets", GB_WL_IO, 2000);
	r.cell.p.io_time_ns = 5000000;
	r.cell.p.io_ops = 3;
	if (mrun_open(&r) == 0) {
		ok(mrun_go(&r) == 0, "io sleep, 2000 greenlets x 3 sleeps");
		is_int(SH(&r, blocking_ops), 6000, "6000 sleeps completed");
		is_int(SH(&r, tasks_done), 2000, "2000 greenlets done");
		gb_run_close(&r.run);
	}

	mrun_params(&r, "greenlets", GB_WL_IO, 50);
	r.cell.p.io = GB_IO_ECHO;
	r.cell.p.io_ops = 20;
	r.cell.p.echo_bytes = 9000;
	if (mrun_open(&r) == 0) {
		ok(mrun_go(&r) == 0, "io echo, 50 greenlets x 20 echoes of 9000 bytes");
		is_int(SH(&r, blocking_ops), 1000, "1000 echoes completed");
		is_int(gb_hist_count(&r.run.sh->latency), 1000, "1000 latencies recorded");
		gb_run_close(&r.run);
	}

	mrun_params(&r, "greenlets", GB_WL_CPU, 2);
	r.cell.p.work = 400000;
	r.cell.p.native_fraction = 0.5;
	if (mrun_open(&r) == 0) {
		ok(mrun_go(&r) == 0, "cpu with native work");
		is_int(SH(&r, bytecodes) + SH(&r, native_units), 400000, "all the work was done");
		is_int(SH(&r, gil_drop_requests), 0, "one thread: nobody asked for the GIL");
		gb_run_close(&r.run);
	}

	/* Background, B = 1: the foreground sends its first request, then the
	 * burst runs to its end: that request is the only one. */
	mrun_params(&r, "greenlets", GB_WL_BACKGROUND, 2);
	r.cell.p.burst = 2000000;
	if (mrun_open(&r) == 0) {
		ok(mrun_go(&r) == 0, "background without yields");
		is_int(gb_hist_count(&r.run.sh->latency), 1,
		       "the foreground is starved: one request in the whole burst");
		is_int(SH(&r, bytecodes), 2000000, "the burst ran");
		gb_run_close(&r.run);
	}
	mrun_params(&r, "greenlets", GB_WL_BACKGROUND, 2);
	r.cell.p.burst = 10000000;
	r.cell.p.yield_every = 5000;
	r.cell.p.think_ns = 0;
	if (mrun_open(&r) == 0) {
		ok(mrun_go(&r) == 0, "background with --yield-every 5000");
		is_int(SH(&r, yields), 1999, "the burst yielded 1999 times");
		ok(gb_hist_count(&r.run.sh->latency) >= 2,
		   "the foreground made requests during the burst (%llu)",
		   (unsigned long long)gb_hist_count(&r.run.sh->latency));
		gb_run_close(&r.run);
	}
}

#ifndef GB_SANITIZED
static long vm_size_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* Caps the address space at what the process uses now plus `more` MiB. */
static int cap_as(long more)
{
	struct rlimit lim;

	lim.rlim_cur = lim.rlim_max = ((rlim_t)vm_size_kib() + (rlim_t)more * 1024) * 1024;
	return setrlimit(RLIMIT_AS, &lim);
}
#endif

/* -t beyond what memory allows: in a child whose address space is capped a
 * little above what it uses, the greenlets' objects (init) or coroutines
 * (spawn) cannot be allocated, and the run fails with ENOMEM and says so. */
static void test_enomem(void)
{
#ifdef GB_SANITIZED
	skip("the sanitizers' shadow memory does not fit under RLIMIT_AS");
#else
	static const char *const want[] = {"no memory for 1000000 greenlets", "spawning greenlet"};
	struct mrun r;

	mrun_params(&r, "greenlets", GB_WL_IO, 1000000);
	r.cell.p.io_time_ns = 1000000;
	if (mrun_open(&r) != 0)
		return;
	for (int k = 0; k < 2; k++) {
		int status = 0, pfd[2];
		char msg[256] = "";
		ssize_t n;
		pid_t pid;

		if (pipe(pfd) != 0)
			break;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			void *st = NULL;
			int err;

			close(pfd[0]);
			/* The run's error is in shared memory: the first child's is there. */
			atomic_store(&r.run.sh->error_set, 0);
			r.run.sh->error[0] = '\0';
			if (k == 0) {
				/* 1 000 000 greenlet objects do not fit in 48 MiB. */
				if (cap_as(48) != 0)
					_exit(3);
				err = mrun_go(&r);
			} else {
				/* They do fit, but then their coroutines do not. */
				err = r.m->init(&st, &r.run);
				if (!err && cap_as(4) != 0)
					_exit(3);
				if (!err) {
					err = r.m->run(st, &r.run);
					r.m->fini(st);
				}
			}
			if (write(pfd[1], r.run.sh->error, strlen(r.run.sh->error)) < 0)
				_exit(3);
			_exit(err == -ENOMEM ? 0 : 4);
		}
		close(pfd[1]);
		n = read(pfd[0], msg, sizeof(msg) - 1);
		msg[n > 0 ? n : 0] = '\0';
		close(pfd[0]);
		waitpid(pid, &status, 0);
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && strstr(msg, want[k]),
		   "1 000 000 greenlets under a capped address space: ENOMEM, and why (%s)", msg);
	}
	gb_run_close(&r.run);
#endif
}

int main(void)
{
	ok(gb_model_find("greenlets") != NULL, "greenlets is registered");
	test_unsupported();
	test_order();
	test_workloads();
	test_enomem();
	return gb_tap_done();
}
