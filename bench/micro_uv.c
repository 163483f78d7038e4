/*
 * micro_uv.c - the `gilbench micro` ops of the libuv models: greenlet
 * spawn+join and switch through the hub, asyncio task spawn, a call_soon
 * round trip and a loop iteration, each judged against a bare libuv loop
 * doing the same (an idle callback per iteration, a zero timer re-armed
 * from its callback) measured in the same run. The model ops go through
 * the models' own ops table on a harness run whose programs are replaced
 * by trivial ones, so they time the models' code, not a copy of it.
 * Repetition, calibration and printing are micro.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "micro.h"
#include "registry.h"
#include "run.h"
#include "uvloop.h"

/* Tasks per model run: a spawn op runs its iterations in batches of this. */
#define UVM_BATCH 10000u
/* Handles in flight in the call_soon op, so one iteration runs many. */
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

static int uvm_spawn(const char *model, uint64_t iters, double *ns, char *why, size_t len)
{
	double total = 0.0, spent;
	uint64_t done = 0;
	int err = 0;

	if (iters == 0)
		iters = 1;
	while (done < iters && !err) {
		unsigned n = iters - done < UVM_BATCH ? (unsigned)(iters - done) : UVM_BATCH;
		err = uvm_model(model, &uvm_empty, n, &spent, why, len);
		total += spent;
		done += n;
	}
	*ns = total / (double)iters;
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

static int uvm_greenlet_switch(const char *arg, uint64_t iters, double *ns, char *why, size_t len)
{
	static const struct gb_op yield = {.kind = GB_OP_YIELD};
	struct gb_program prog = {
	        .ops = &yield, .n_ops = 1, .repeat = iters ? iters : 1, .name = "yielder"};
	double spent;
	int err = uvm_model("greenlets", &prog, 1, &spent, why, len);

	*ns = spent / (double)prog.repeat;
	return err;
}

const struct gb_micro_op gb_micro_ops_uv[] = {
        {.name = "base_uv_idle", .fn = uvm_base_idle},
        {.name = "base_uv_timer0", .fn = uvm_base_timer0},
        {.name = "loop_iter", .baseline = "base_uv_idle", .target = 2.0, .fn = uvm_loop_iter},
        {.name = "call_soon", .baseline = "base_uv_timer0", .target = 2.0, .fn = uvm_call_soon},
        {.name = "asyncio_spawn",
         .baseline = "base_uv_timer0",
         .target = 2.0,
         .fn = uvm_asyncio_spawn},
        {.name = "greenlet_spawn",
         .baseline = "base_uv_timer0",
         .target = 2.0,
         .fn = uvm_greenlet_spawn},
        {.name = "greenlet_switch",
         .baseline = "base_uv_idle",
         .target = 2.0,
         .fn = uvm_greenlet_switch},
        {0},
};
