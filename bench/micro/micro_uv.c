/*
 * micro_uv.c - the `gilbench micro` ops of the libuv models: greenlet
 * spawn+join and switch through the hub, asyncio task spawn, a call_soon
 * round trip and a loop iteration, each judged against a bare libuv loop
 * doing the same work, measured in the same run (docs/models.md has the
 * pairs and why):
 *   base_uv_idle    one iteration with one idle callback: a poll and a
 *                   callback, as loop_iter is one _run_once;
 *   base_uv_idle64  one callback of 64 idle handles: a callback and 1/64
 *                   of an iteration, as call_soon with 64 handles in
 *                   flight, and greenlet_switch (the hub runs its FIFO
 *                   between polls);
 *   base_uv_spawn   a handle started, run once, stopped and closed: what
 *                   a spawned task or greenlet is to the loop.
 * base_uv_timer0 (a zero timer re-armed from its callback) is still
 * measured, as DESIGN.md lists it, but judges nothing: libuv 1.44 fires it
 * again within one timer pass, without a poll, so it is no loop iteration.
 * The model ops go through the models' own ops table on a harness run
 * whose programs are replaced by trivial ones, so they time the models'
 * code, not a copy of it. Repetition, calibration and printing are
 * micro.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "micro.h"
#include "registry.h"
#include "run.h"
#include "uvloop.h"

/* Tasks per model run: a spawn op runs its iterations in batches of this. */
#define UVM_BATCH 10000u
/* The fewest sleep(0) round trips one greenlet_switch run makes. */
#define UVM_SWITCH_MIN 100000u
/* Handles in flight in the call_soon op (and idle handles in its baseline),
 * so one iteration runs many. */
#define UVM_CHAINS 64u

static double uvm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* --- bare libuv --- */

static void uvm_idle_cb(uv_idle_t *idle)
{
	uint64_t *left = idle->data;

	if (--*left == 0)
		uv_idle_stop(idle);
}

static int uvm_base_idle(const char *arg, uint64_t iters, double *ns, char *why, size_t len)
{
	uv_loop_t loop;
	uv_idle_t idle;
	uint64_t left = iters ? iters : 1;
	double t0, t1;
	int err = uv_loop_init(&loop);

	if (err)
		return err;
	uv_idle_init(&loop, &idle);
	idle.data = &left;
	uv_idle_start(&idle, uvm_idle_cb);
	t0 = uvm_now_ns();
	uv_run(&loop, UV_RUN_DEFAULT);
	t1 = uvm_now_ns();
	uv_close((uv_handle_t *)&idle, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	*ns = (t1 - t0) / (double)(iters ? iters : 1);
	return 0;
}

static void uvm_timer_cb(uv_timer_t *timer)
{
	uint64_t *left = timer->data;

	if (--*left > 0)
		uv_timer_start(timer, uvm_timer_cb, 0, 0);
}

static int uvm_base_timer0(const char *arg, uint64_t iters, double *ns, char *why, size_t len)
{
	uv_loop_t loop;
	uv_timer_t timer;
	uint64_t left = iters ? iters : 1;
	double t0, t1;
	int err = uv_loop_init(&loop);

	if (err)
		return err;
	uv_timer_init(&loop, &timer);
	timer.data = &left;
	uv_timer_start(&timer, uvm_timer_cb, 0, 0);
	t0 = uvm_now_ns();
	uv_run(&loop, UV_RUN_DEFAULT);
	t1 = uvm_now_ns();
	uv_close((uv_handle_t *)&timer, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	*ns = (t1 - t0) / (double)(iters ? iters : 1);
	return 0;
}

struct uvm_many {
	uint64_t left;
};

static void uvm_many_cb(uv_idle_t *idle)
{
	struct uvm_many *m = idle->data;

	if (m->left == 0)
		uv_idle_stop(idle);
	else
		m->left--;
}

static int uvm_base_idle64(const char *arg, uint64_t iters, double *ns, char *why, size_t len)
{
	uv_loop_t loop;
	uv_idle_t idle[UVM_CHAINS];
	struct uvm_many m = {.left = iters ? iters : 1};
	double t0, t1;
	int err = uv_loop_init(&loop);

	if (err)
		return err;
	for (unsigned i = 0; i < UVM_CHAINS; i++) {
		uv_idle_init(&loop, &idle[i]);
		idle[i].data = &m;
		uv_idle_start(&idle[i], uvm_many_cb);
	}
	t0 = uvm_now_ns();
	uv_run(&loop, UV_RUN_DEFAULT);
	t1 = uvm_now_ns();
	for (unsigned i = 0; i < UVM_CHAINS; i++)
		uv_close((uv_handle_t *)&idle[i], NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	*ns = (t1 - t0) / (double)(iters ? iters : 1);
	return 0;
}

/* A spawned unit of work: started, run once, then stopped and closed. */
static void uvm_once_cb(uv_idle_t *idle)
{
	uv_idle_stop(idle);
	uv_close((uv_handle_t *)idle, NULL);
}

/* One batch of n: the handles' memory is allocated and freed outside. */
static int uvm_spawn_batch(unsigned n, double *spent)
{
	uv_loop_t loop;
	uv_idle_t *h = calloc(n, sizeof(*h));
	double t0, t1;
	int err;

	if (!h)
		return -ENOMEM;
	err = uv_loop_init(&loop);
	if (err) {
		free(h);
		return err;
	}
	t0 = uvm_now_ns();
	for (unsigned i = 0; i < n; i++) {
		uv_idle_init(&loop, &h[i]);
		uv_idle_start(&h[i], uvm_once_cb);
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	t1 = uvm_now_ns();
	uv_loop_close(&loop);
	free(h);
	*spent = t1 - t0;
	return 0;
}

/* Batches of UVM_BATCH after one untimed batch, as the model spawn ops:
 * steady state, the allocator's memory already touched once. */
static int uvm_base_spawn(const char *arg, uint64_t iters, double *ns, char *why, size_t len)
{
	uint64_t batches = (iters + UVM_BATCH - 1) / UVM_BATCH;
	double total = 0.0, spent;
	int err = uvm_spawn_batch(UVM_BATCH, &spent);

	for (uint64_t b = 0; b < batches && !err; b++) {
		err = uvm_spawn_batch(UVM_BATCH, &spent);
		total += spent;
	}
	*ns = total / (double)(batches * UVM_BATCH);
	return err;
}

/* --- the asyncio/callbacks loop --- */

struct uvm_chain {
	struct gb__loop loop;
	uint64_t left;
};

static void uvm_again(void *arg)
{
	struct uvm_chain *c = arg;

	if (c->left > 0) {
		c->left--;
		gb__loop_call_soon(&c->loop, uvm_again, c);
	}
}

/* `chains` handles each re-scheduling itself until `iters` ran in all. */
static int uvm_chains(unsigned chains, uint64_t iters, double *ns, uint64_t *iterations)
{
	struct uvm_chain c;
	double t0, t1;
	int err = gb__loop_init(&c.loop, NULL);

	if (err)
		return err;
	c.left = iters > chains ? iters - chains : 0;
	for (unsigned i = 0; i < chains; i++)
		gb__loop_call_soon(&c.loop, uvm_again, &c);
	t0 = uvm_now_ns();
	while (!gb__loop_stalled(&c.loop) && !err)
		err = gb__loop_run_once(&c.loop);
	t1 = uvm_now_ns();
	*iterations = c.loop.st.iterations;
	gb__loop_close(&c.loop);
	*ns = (t1 - t0) / (double)(iters ? iters : 1);
	return err;
}

static int uvm_loop_iter(const char *arg, uint64_t iters, double *ns, char *why, size_t len)
{
	uint64_t iterations;

	return uvm_chains(1, iters, ns, &iterations);
}

static int uvm_call_soon(const char *arg, uint64_t iters, double *ns, char *why, size_t len)
{
	uint64_t iterations;

	return uvm_chains(UVM_CHAINS, iters < UVM_CHAINS ? UVM_CHAINS : iters, ns, &iterations);
}

/* --- through the models --- */

/* One run of `model` with n tasks all running prog; the ns run and fini
 * took together. init is left out: its fixed cost (a libuv loop, a GIL)
 * would swamp small calibration runs, and the tasks are spawned in run,
 * their stacks freed in fini. */
static int uvm_model(const char *model, const struct gb_program *prog, unsigned n, double *spent,
                     char *why, size_t len)
{
	struct gb_cell cell;
	struct gb_run run;
	void *state = NULL;
	double t0 = 0.0, t1 = 0.0;
	int err;

	memset(&cell, 0, sizeof(cell));
	cell.model = gb_model_find(model);
	if (!cell.model) {
		snprintf(why, len, "model %s is not built in", model);
		return -ENOENT;
	}
	gb_params_defaults(&cell.p, 1);
	cell.p.workload = GB_WL_IO;
	cell.p.tasks = n;
	cell.placement = GB_PLACE_NONE;
	err = gb_run_open(&run, &cell, 0, 0, why, len);
	if (err)
		return err;
	for (unsigned i = 0; i < n; i++)
		run.ws.progs[i] = prog;
	err = cell.model->init(&state, &run);
	t0 = uvm_now_ns();
	if (!err) {
		err = cell.model->run(state, &run);
		cell.model->fini(state);
	}
	t1 = uvm_now_ns();
	if (err)
		snprintf(why, len, "%s: %s", model,
		         run.sh->error_set ? run.sh->error : strerror(-err));
	gb_run_close(&run);
	*spent = t1 - t0;
	return err;
}

/* A program that ends at once: what is left is spawn, start, finish, join. */
static const struct gb_program uvm_empty = {.ops = NULL, .n_ops = 0, .repeat = 1, .name = "empty"};

/*
 * Whole batches of UVM_BATCH tasks, after one untimed batch: what is timed
 * is the steady state, where the tasks' objects come from memory the
 * allocator has handed out before (as pymalloc's arenas are). The first
 * touch of fresh pages (20-30 us per page on the dev box's hypervisor) is
 * the io scale test's business, not spawn's.
 */
static int uvm_spawn(const char *model, uint64_t iters, double *ns, char *why, size_t len)
{
	uint64_t batches = (iters + UVM_BATCH - 1) / UVM_BATCH;
	double total = 0.0, spent;
	int err = uvm_model(model, &uvm_empty, UVM_BATCH, &spent, why, len);

	for (uint64_t b = 0; b < batches && !err; b++) {
		err = uvm_model(model, &uvm_empty, UVM_BATCH, &spent, why, len);
		total += spent;
	}
	*ns = total / (double)(batches * UVM_BATCH);
	return err;
}

static int uvm_greenlet_spawn(const char *arg, uint64_t iters, double *ns, char *why, size_t len)
{
	return uvm_spawn("greenlets", iters, ns, why, len);
}

static int uvm_asyncio_spawn(const char *arg, uint64_t iters, double *ns, char *why, size_t len)
{
	return uvm_spawn("asyncio", iters, ns, why, len);
}

/*
 * One greenlet doing sleep(0) `iters` times, but at least UVM_SWITCH_MIN:
 * a run's fixed cost (the hub, the loop's close, tens of us) would
 * otherwise be most of what a short calibration call measures.
 */
static int uvm_greenlet_switch(const char *arg, uint64_t iters, double *ns, char *why, size_t len)
{
	static const struct gb_op yield = {.kind = GB_OP_YIELD};
	struct gb_program prog = {.ops = &yield,
	                          .n_ops = 1,
	                          .repeat = iters > UVM_SWITCH_MIN ? iters : UVM_SWITCH_MIN,
	                          .name = "yielder"};
	double spent;
	int err = uvm_model("greenlets", &prog, 1, &spent, why, len);

	*ns = spent / (double)prog.repeat;
	return err;
}

const struct gb_micro_op gb_micro_ops_uv[] = {
        {.name = "base_uv_idle", .fn = uvm_base_idle},
        {.name = "base_uv_idle64", .fn = uvm_base_idle64},
        {.name = "base_uv_spawn", .fn = uvm_base_spawn},
        {.name = "base_uv_timer0", .fn = uvm_base_timer0},
        {.name = "loop_iter", .baseline = "base_uv_idle", .target = 2.0, .fn = uvm_loop_iter},
        {.name = "call_soon", .baseline = "base_uv_idle64", .target = 2.0, .fn = uvm_call_soon},
        {.name = "asyncio_spawn",
         .baseline = "base_uv_spawn",
         .target = 2.0,
         .fn = uvm_asyncio_spawn},
        {.name = "greenlet_spawn",
         .baseline = "base_uv_spawn",
         .target = 2.0,
         .fn = uvm_greenlet_spawn},
        {.name = "greenlet_switch",
         .baseline = "base_uv_idle64",
         .target = 2.0,
         .fn = uvm_greenlet_switch},
        {0},
};
