/*
 * test_callbacks.c - the callbacks model by order of events and loop
 * iterations: on_result prints each value as it arrives, every completion
 * runs the next step in the iteration it fires in (one hop fewer than
 * asyncio), a 1 ms sleep waits in one poll armed for 1 ms (not 2: the
 * timeout is counted from now, in ms rounded up, as CPython's selector
 * does), and every workload runs to the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "run.h"
#include "tap.h"
#include "uvloop.h"

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
	char path[] = "/tmp/gb_test_callbacks_XXXXXX";
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

static void test_hops(void)
{
	static const struct gb_op yield_op = {.kind = GB_OP_YIELD};
	static const struct gb_op sleep_op = {.kind = GB_OP_SLEEP, .n = 1000000};
	static const struct gb_program yields = {
	        .ops = &yield_op, .n_ops = 1, .repeat = 10, .name = "yielder"};
	static const struct gb_program sleeps = {
	        .ops = &sleep_op, .n_ops = 1, .repeat = 20, .name = "sleeper"};
	struct gb__loop_stats st;
	struct mrun r;

	/* Each task runs to its first yield before the loop starts; then one
	 * iteration per step: yields 2..10 in iterations 1..9, the end in 10. */
	mrun_params(&r, "callbacks", GB_WL_IO, 3);
	if (mrun_open(&r) == 0) {
		for (unsigned i = 0; i < 3; i++)
			r.run.ws.progs[i] = &yields;
		ok(mrun_go(&r) == 0, "three tasks of ten yields run");
		gb__loop_last_stats(&st);
		is_int(st.iterations, 10, "they take exactly 10 loop iterations");
		is_int(SH(&r, yields), 30, "30 yields counted");
		is_int(SH(&r, tasks_done), 3, "3 tasks done");
		gb_run_close(&r.run);
	}

	/* A due timer's callback is the next step: one iteration per sleep. For
	 * asyncio the same program takes 2 + 2 x 20 + 1 (the future's wakeup
	 * hop). Each sleep waits in at most one poll, armed for at most 1 ms: a
	 * sleep that woke early would take another iteration, one armed for
	 * 2 ms (the deadline rounded up to a ms boundary) twice as long. (A
	 * loaded machine may reach a deadline before its poll: no wait then.) */
	mrun_params(&r, "callbacks", GB_WL_IO, 1);
	if (mrun_open(&r) == 0) {
		r.run.ws.progs[0] = &sleeps;
		ok(mrun_go(&r) == 0, "20 sleeps of 1 ms");
		gb__loop_last_stats(&st);
		is_int(st.iterations, 20, "callbacks: one iteration per sleep");
		is_int(st.timers, 20, "callbacks: 20 timer handles");
		ok(st.blocking_polls >= 1 && st.blocking_polls <= 20,
		   "callbacks: at most one blocking poll per sleep (%llu)",
		   (unsigned long long)st.blocking_polls);
		is_int(st.timeout_ms_max, 1, "callbacks: each poll armed for at most 1 ms");
		is_int(st.polls, st.iterations, "callbacks: a poll in every iteration");
		gb_run_close(&r.run);
	}
	mrun_params(&r, "asyncio", GB_WL_IO, 1);
	if (mrun_open(&r) == 0) {
		r.run.ws.progs[0] = &sleeps;
		ok(mrun_go(&r) == 0, "asyncio: 20 sleeps of 1 ms");
		gb__loop_last_stats(&st);
		is_int(st.iterations, 43, "asyncio: the same program takes 43 iterations");
		ok(st.blocking_polls >= 1 && st.blocking_polls <= 20,
		   "asyncio: at most one blocking poll per sleep (%llu)",
		   (unsigned long long)st.blocking_polls);
		is_int(st.timeout_ms_max, 1, "asyncio: each poll armed for at most 1 ms");
		is_int(st.polls, st.iterations, "asyncio: a poll in every iteration");
		gb_run_close(&r.run);
	}
}

static void test_workloads(void)
{
	char out[256];
	struct mrun r;

	mrun_params(&r, "callbacks", GB_WL_SEED, 2);
	r.demo = 1;
	if (mrun_open(&r) == 0) {
		ok(mrun_capture(&r, out, sizeof(out)) == 0, "seed runs");
		is_int(strcmp(out, "hello alice\nalice done!\nhello bob\nbob done!\n"), 0,
		       "on_result prints each value as soon as it comes");
		is_int(SH(&r, prints), 4, "4 prints");
		gb_run_close(&r.run);
	}

	mrun_params(&r, "callbacks", GB_WL_IO, 2000);
	r.cell.p.io_time_ns = 5000000;
	r.cell.p.io_ops = 3;
	if (mrun_open(&r) == 0) {
		ok(mrun_go(&r) == 0, "io sleep, 2000 tasks x 3 sleeps");
		is_int(SH(&r, blocking_ops), 6000, "6000 sleeps completed");
		is_int(SH(&r, tasks_done), 2000, "2000 tasks done");
		gb_run_close(&r.run);
	}

	mrun_params(&r, "callbacks", GB_WL_IO, 50);
	r.cell.p.io = GB_IO_ECHO;
	r.cell.p.io_ops = 20;
	r.cell.p.echo_bytes = 9000;
	if (mrun_open(&r) == 0) {
		ok(mrun_go(&r) == 0, "io echo, 50 tasks x 20 echoes of 9000 bytes");
		is_int(SH(&r, blocking_ops), 1000, "1000 echoes completed");
		is_int(gb_hist_count(&r.run.sh->latency), 1000, "1000 latencies recorded");
		gb_run_close(&r.run);
	}

	mrun_params(&r, "callbacks", GB_WL_CPU, 2);
	r.cell.p.work = 400000;
	r.cell.p.native_fraction = 0.5;
	if (mrun_open(&r) == 0) {
		ok(mrun_go(&r) == 0, "cpu with native work");
		is_int(SH(&r, bytecodes) + SH(&r, native_units), 400000, "all the work was done");
		gb_run_close(&r.run);
	}

	mrun_params(&r, "callbacks", GB_WL_BACKGROUND, 2);
	r.cell.p.burst = 2000000;
	if (mrun_open(&r) == 0) {
		ok(mrun_go(&r) == 0, "background without yields");
		is_int(gb_hist_count(&r.run.sh->latency), 1,
		       "the foreground is starved: one request in the whole burst");
		gb_run_close(&r.run);
	}
	mrun_params(&r, "callbacks", GB_WL_BACKGROUND, 2);
	r.cell.p.burst = 10000000;
	r.cell.p.yield_every = 5000;
	r.cell.p.think_ns = 0;
	if (mrun_open(&r) == 0) {
		ok(mrun_go(&r) == 0, "background with --yield-every 5000");
		ok(gb_hist_count(&r.run.sh->latency) >= 2,
		   "the foreground made requests during the burst (%llu)",
		   (unsigned long long)gb_hist_count(&r.run.sh->latency));
		gb_run_close(&r.run);
	}
}

int main(void)
{
	ok(gb_model_find("callbacks") != NULL, "callbacks is registered");
	test_hops();
	test_workloads();
	return gb_tap_done();
}
