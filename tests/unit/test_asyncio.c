/*
 * test_asyncio.c - the asyncio loop's rules, counted in loop iterations:
 * a callback scheduled during iteration k runs in k+1, every iteration
 * reaches libuv's poll (as _run_once calls select), timers run in deadline
 * order, a task's await costs one iteration per hop; and the asyncio model
 * runs every workload to the end (counters, not time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "run.h"
#include "tap.h"
#include "uvloop.h"

/* --- the loop alone --- */

static struct gb__loop L;
static uint64_t seen_iter[8];
static int order[1100], norder;

static void note_a(void *arg);
static void note_b(void *arg)
{
	seen_iter[1] = L.st.iterations;
}
static void note_a(void *arg)
{
	seen_iter[0] = L.st.iterations;
	gb__loop_call_soon(&L, note_b, NULL);
}

static int chain_left;
static void chain(void *arg)
{
	if (--chain_left > 0)
		gb__loop_call_soon(&L, chain, NULL);
}

static void record(void *arg)
{
	order[norder++] = (int)(intptr_t)arg;
}

/* libuv runs check handles right after its poll: one call per poll reached. */
static uint64_t checks;
static void count_check(uv_check_t *c)
{
	checks++;
}

static void timer_then_soon(void *arg)
{
	seen_iter[2] = L.st.iterations;
	gb__loop_call_soon(&L, note_b, NULL);
}

static void test_loop(void)
{
	int sorted = 1, fifo = 1;
	uint64_t took;

	ok(gb__loop_init(&L, NULL) == 0, "loop init");
	ok(gb__loop_stalled(&L), "an empty loop is stalled");

	gb__loop_call_soon(&L, note_a, NULL);
	ok(!gb__loop_stalled(&L), "a ready handle: not stalled");
	gb__loop_run_once(&L);
	is_int(seen_iter[0], 1, "call_soon before iteration 1 runs in iteration 1");
	is_int(seen_iter[1], 0, "a handle it schedules has not run in iteration 1");
	gb__loop_run_once(&L);
	is_int(seen_iter[1], 2, "... it runs in iteration 2 (snapshot rule)");

	chain_left = 100;
	L.st.iterations = 0;
	uv_check_t check;
	uv_check_init(&L.uv, &check);
	uv_unref((uv_handle_t *)&check);
	uv_check_start(&check, count_check);
	gb__loop_call_soon(&L, chain, NULL);
	while (!gb__loop_stalled(&L))
		gb__loop_run_once(&L);
	is_int(L.st.iterations, 100, "a handle rescheduling itself 100 times takes 100 iterations");
	is_int(L.st.blocking_polls, 0, "with something ready the poll never blocks");
	is_int(checks, 100, "... but libuv reached its poll in each of them (select(0))");
	uv_close((uv_handle_t *)&check, NULL);

	/* Timers: deadline order whatever the insertion order; FIFO on ties. */
	norder = 0;
	took = gb_clock_now_ns();
	for (int i = 0; i < 1000; i++) {
		/* Eight delays 10 ms apart (more than scheduling all takes, unless
		 * the machine stalls us), all due after the sleep, so one iteration
		 * runs them all. */
		gb__loop_call_later(&L, (uint64_t)((i * 7919) % 8) * 10000000u, record,
		                    (void *)(intptr_t)i);
	}
	took = gb_clock_now_ns() - took;
	usleep(80000);
	L.st.iterations = 0;
	while (!gb__loop_stalled(&L))
		gb__loop_run_once(&L);
	is_int(norder, 1000, "1000 timers all ran");
	for (int i = 1; i < norder; i++) {
		int da = (order[i - 1] * 7919) % 8, db = (order[i] * 7919) % 8;
		if (da == db && order[i - 1] > order[i])
			fifo = 0;
		if (da > db)
			sorted = 0;
	}
	ok(fifo, "timers of one delay ran in scheduling order");
	/* Deadlines are now + delay: delays in order only if now moved less
	 * than their spacing while they were scheduled. */
	if (took < 10000000u)
		ok(sorted, "timers ran by deadline (scheduled in %.1f ms)", (double)took / 1e6);
	else
		skip("deadline order: scheduling took %.1f ms, more than the delays' spacing",
		     (double)took / 1e6);
	is_int(L.st.timers, 1000, "the loop counted 1000 timer handles");

	/* A real wait: the poll blocks, the timer's handle runs, and what it
	 * schedules runs one iteration later. */
	memset(seen_iter, 0, sizeof(seen_iter));
	L.st.iterations = 0;
	L.st.blocking_polls = 0;
	gb__loop_call_later(&L, 2000000, timer_then_soon, NULL);
	while (!gb__loop_stalled(&L))
		gb__loop_run_once(&L);
	ok(L.st.blocking_polls >= 1, "waiting for a timer blocks in the poll (%llu times)",
	   (unsigned long long)L.st.blocking_polls);
	ok(seen_iter[2] >= 1 && seen_iter[1] == seen_iter[2] + 1,
	   "the timer's call_soon ran one iteration after it (%llu, %llu)",
	   (unsigned long long)seen_iter[2], (unsigned long long)seen_iter[1]);
	gb__loop_close(&L);
}

/* --- the model --- */

struct mrun {
	struct gb_cell cell;
	struct gb_run run;
	const struct gb_model_ops *m;
};

static int mrun_open(struct mrun *r, const char *model, enum gb_workload w, unsigned tasks)
{
	char why[256];
	int err;

	memset(r, 0, sizeof(*r));
	r->m = gb_model_find(model);
	if (!r->m)
		return -1;
	r->cell.model = r->m;
	gb_params_defaults(&r->cell.p, 1);
	r->cell.p.workload = w;
	r->cell.p.tasks = tasks;
	r->cell.placement = GB_PLACE_NONE;
	err = gb_run_open(&r->run, &r->cell, 0, 0, why, sizeof(why));
	if (err)
		printf("# gb_run_open: %s\n", why);
	return err;
}

/* Reopens with the cell's current params (after a test changed them). */
static int mrun_reopen(struct mrun *r)
{
	char why[256];

	gb_run_close(&r->run);
	return gb_run_open(&r->run, &r->cell, 0, 0, why, sizeof(why));
}

static int mrun_go(struct mrun *r)
{
	void *st = NULL;
	int err = r->m->init(&st, &r->run);

	if (err)
		return err;
	err = r->m->run(st, &r->run);
	r->m->fini(st);
	if (err)
		printf("# run: %s\n", r->run.sh->error);
	return err;
}

#define SH(r, f) ((unsigned long long)atomic_load(&(r)->run.sh->f))

static void test_model(void)
{
	static const struct gb_op yield_op = {.kind = GB_OP_YIELD};
	static const struct gb_program yields = {
	        .ops = &yield_op, .n_ops = 1, .repeat = 10, .name = "yielder"};
	struct gb__loop_stats st;
	struct mrun r;

	ok(gb_model_find("asyncio") != NULL, "asyncio is registered");

	/* Hops: main's step (1), each task's ten awaits of sleep(0) (2..11), the
	 * tasks end (12), main resumes from its await (13). */
	if (mrun_open(&r, "asyncio", GB_WL_IO, 3) == 0) {
		for (unsigned i = 0; i < 3; i++)
			r.run.ws.progs[i] = &yields;
		ok(mrun_go(&r) == 0, "three tasks of ten sleep(0) run");
		gb__loop_last_stats(&st);
		is_int(st.iterations, 13, "they take exactly 13 loop iterations");
		is_int(SH(&r, yields), 30, "30 yields counted");
		is_int(SH(&r, tasks_done), 3, "3 tasks done");
		gb_run_close(&r.run);
	}

	if (mrun_open(&r, "asyncio", GB_WL_SEED, 2) == 0) {
		ok(mrun_go(&r) == 0, "seed runs");
		is_int(SH(&r, prints), 4, "seed: 2 hellos and 2 results printed");
		is_int(SH(&r, blocking_ops), 2, "seed: 2 sleeps");
		gb__loop_last_stats(&st);
		is_int(st.timers, 2, "seed: 2 call_later timers");
		gb_run_close(&r.run);
	}
}

/* The I/O and CPU workloads on the loop: every op done, the GIL's counters. */
static void test_model_work(void)
{
	struct mrun r;

	if (mrun_open(&r, "asyncio", GB_WL_IO, 2000) == 0) {
		r.cell.p.io_time_ns = 5000000;
		r.cell.p.io_ops = 3;
		mrun_reopen(&r);
		ok(mrun_go(&r) == 0, "io sleep, 2000 tasks x 3 sleeps");
		is_int(SH(&r, blocking_ops), 6000, "6000 sleeps completed");
		is_int(SH(&r, tasks_done), 2000, "2000 tasks done");
		gb_run_close(&r.run);
	}

	if (mrun_open(&r, "asyncio", GB_WL_IO, 50) == 0) {
		r.cell.p.io = GB_IO_ECHO;
		r.cell.p.io_ops = 20;
		r.cell.p.echo_bytes = 9000; /* more than one read's scratch */
		mrun_reopen(&r);
		ok(mrun_go(&r) == 0, "io echo, 50 tasks x 20 echoes of 9000 bytes");
		is_int(SH(&r, blocking_ops), 1000, "1000 echoes completed");
		is_int(gb_hist_count(&r.run.sh->latency), 1000, "1000 latencies recorded");
		gb_run_close(&r.run);
	}

	if (mrun_open(&r, "asyncio", GB_WL_CPU, 2) == 0) {
		r.cell.p.work = 400000;
		r.cell.p.native_fraction = 0.5;
		mrun_reopen(&r);
		ok(mrun_go(&r) == 0, "cpu with native work");
		is_int(SH(&r, bytecodes) + SH(&r, native_units), 400000, "all the work was done");
		ok(SH(&r, gil_voluntary_drops) >= 200, "native chunks released the GIL (%llu)",
		   SH(&r, gil_voluntary_drops));
		is_int(SH(&r, gil_drop_requests), 0, "one thread: nobody asked for the GIL");
		gb_run_close(&r.run);
	}
}

/* The background workload: starved without yields, served with them. */
static void test_model_background(void)
{
	struct mrun r;

	/* Background, B = 1: with no yield the whole burst runs in one step, so
	 * the foreground's first request is its only one. */
	if (mrun_open(&r, "asyncio", GB_WL_BACKGROUND, 2) == 0) {
		r.cell.p.burst = 2000000;
		mrun_reopen(&r);
		ok(mrun_go(&r) == 0, "background without yields");
		is_int(gb_hist_count(&r.run.sh->latency), 1,
		       "the foreground is starved: one request in the whole burst");
		is_int(SH(&r, bytecodes), 2000000, "the burst ran");
		gb_run_close(&r.run);
	}
	/* With --yield-every every slice of the burst is one iteration, and the
	 * foreground's requests go on in between. */
	if (mrun_open(&r, "asyncio", GB_WL_BACKGROUND, 2) == 0) {
		r.cell.p.burst = 10000000;
		r.cell.p.yield_every = 5000;
		r.cell.p.think_ns = 0;
		mrun_reopen(&r);
		ok(mrun_go(&r) == 0, "background with --yield-every 5000");
		is_int(SH(&r, yields), 1999, "the burst yielded 1999 times");
		ok(gb_hist_count(&r.run.sh->latency) >= 2,
		   "the foreground made requests during the burst (%llu)",
		   (unsigned long long)gb_hist_count(&r.run.sh->latency));
		gb_run_close(&r.run);
	}
}

int main(void)
{
	test_loop();
	test_model();
	test_model_work();
	test_model_background();
	return gb_tap_done();
}
