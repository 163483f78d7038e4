/*
 * test_interp.c - the simulated interpreter: what gb_interp_step returns
 * for each op, what it calls and counts, where it puts check points, and
 * gb_interp_block's sleep and echo. Behaviour only: the one clock assert
 * is a lower bound that clock_nanosleep guarantees.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gilbench/interp.h>

#include "tap.h"

static int rc; /* tap.h macros evaluate their arguments twice */

/* What the env callbacks saw. */
struct seen {
	char log[512];
	unsigned prints, rets, latencies, dones;
	uint64_t last_latency;
};

static void seen_add(struct seen *s, const char *what, const char *text)
{
	size_t n = strlen(s->log);

	snprintf(s->log + n, sizeof(s->log) - n, "%s%s%s;", what, text ? ":" : "",
	         text ? text : "");
}

static void cb_print(void *ctx, struct gb_task *task, const char *text)
{
	struct seen *s = ctx;

	s->prints++;
	seen_add(s, "print", text);
}

static void cb_ret(void *ctx, struct gb_task *task, const char *value)
{
	struct seen *s = ctx;

	s->rets++;
	seen_add(s, "ret", value);
}

static void cb_latency(void *ctx, struct gb_task *task, uint64_t ns)
{
	struct seen *s = ctx;

	s->latencies++;
	s->last_latency = ns;
}

static void cb_done(void *ctx, struct gb_task *task)
{
	struct seen *s = ctx;

	s->dones++;
	seen_add(s, "done", NULL);
}

static struct gb_interp_env env_for(struct seen *s)
{
	struct gb_interp_env env = {
	        .check_every = 1,
	        .ctx = s,
	        .print = cb_print,
	        .ret = cb_ret,
	        .latency = cb_latency,
	        .done = cb_done,
	};

	memset(s, 0, sizeof(*s));
	return env;
}

static const char *step_name(enum gb_step st)
{
	switch (st) {
	case GB_STEP_DONE:
		return "D";
	case GB_STEP_SLEEP:
		return "S";
	case GB_STEP_ECHO:
		return "E";
	case GB_STEP_YIELD:
		return "Y";
	}
	return "?";
}

/* Steps to the end, the model doing nothing for blocking ops; the steps as letters. */
static void run_steps(struct gb_task *task, const struct gb_interp_env *env, char *out, size_t cap)
{
	enum gb_step st;
	size_t n = 0;

	out[0] = '\0';
	do {
		st = gb_interp_step(task, env);
		if (n + 2 < cap) {
			out[n++] = step_name(st)[0];
			out[n] = '\0';
		}
	} while (st != GB_STEP_DONE && n < cap - 2);
}

static void test_op_names(void)
{
	ok(strcmp(gb_op_name(GB_OP_COMPUTE), "compute") == 0 &&
	           strcmp(gb_op_name(GB_OP_NATIVE), "native") == 0 &&
	           strcmp(gb_op_name(GB_OP_SLEEP), "sleep") == 0 &&
	           strcmp(gb_op_name(GB_OP_ECHO), "echo") == 0 &&
	           strcmp(gb_op_name(GB_OP_PRINT), "print") == 0 &&
	           strcmp(gb_op_name(GB_OP_RETURN), "return") == 0 &&
	           strcmp(gb_op_name(GB_OP_YIELD), "yield") == 0,
	   "op names");
	ok(strcmp(gb_op_name(GB_OP__COUNT), "unknown") == 0, "unknown op name");
}

static void test_seed_program(void)
{
	static const struct gb_op ops[] = {
	        {GB_OP_SLEEP, 300000000, NULL},
	        {GB_OP_PRINT, 0, "hello bob"},
	        {GB_OP_RETURN, 0, "bob done!"},
	};
	static const struct gb_program prog = {ops, 3, 1, 0, "bob"};
	struct seen s;
	struct gb_interp_env env = env_for(&s);
	struct gb_task task;
	enum gb_step st;

	gb_task_init(&task, &prog, 5, NULL);
	st = gb_interp_step(&task, &env);
	is_int(st, GB_STEP_SLEEP, "seed: first step sleeps");
	is_int(task.block_arg, 300000000, "seed: for 0.3 s");
	ok(s.log[0] == '\0', "seed: nothing printed before the sleep");
	st = gb_interp_step(&task, &env);
	is_int(st, GB_STEP_DONE, "seed: then runs to the end");
	ok(strcmp(s.log, "print:hello bob;ret:bob done!;done;") == 0,
	   "seed: print, return, done (%s)", s.log);
	is_int(task.n.blocking_ops, 1, "seed: one blocking op counted");
	st = gb_interp_step(&task, &env);
	is_int(st, GB_STEP_DONE, "seed: a done task stays done");
	is_int(s.dones, 1, "seed: done called once");
	is_int(s.latencies, 0, "seed: no latency without GB_PF_LATENCY");
}

static void test_every_op(void)
{
	static const struct gb_op ops[] = {
	        {GB_OP_COMPUTE, 100, NULL},     {GB_OP_NATIVE, 50, NULL}, {GB_OP_YIELD, 0, NULL},
	        {GB_OP_ECHO, 16, NULL},         {GB_OP_PRINT, 0, "p"},    {GB_OP_SLEEP, 1, NULL},
	        {(enum gb_op_kind)99, 0, NULL}, {GB_OP_RETURN, 0, "r"},
	};
	static const struct gb_program prog = {ops, 8, 3, GB_PF_LATENCY, "all"};
	struct seen s;
	struct gb_interp_env env = env_for(&s);
	struct gb_task task;
	char steps[64];

	gb_task_init(&task, &prog, 0, NULL);
	run_steps(&task, &env, steps, sizeof(steps));
	ok(strcmp(steps, "YESYESYESD") == 0,
	   "3 iterations: yield, echo, sleep each, then done (%s)", steps);
	is_int(task.n.bytecodes, 300, "bytecodes counted");
	is_int(task.n.native_units, 150, "native units counted");
	is_int(task.n.yields, 3, "yields counted");
	is_int(task.n.blocking_ops, 6, "blocking ops counted when completed");
	is_int(task.iter, 3, "iterations");
	is_int(s.prints, 3, "prints");
	is_int(s.rets, 3, "returns");
	is_int(s.latencies, 3, "an ECHO latency per iteration with GB_PF_LATENCY");
	is_int(s.dones, 1, "done once");
}

static void test_no_callbacks(void)
{
	static const struct gb_op ops[] = {{GB_OP_PRINT, 0, "x"}, {GB_OP_RETURN, 0, "y"}};
	static const struct gb_program prog = {ops, 2, 2, 0, "quiet"};
	struct gb_interp_env env = {.check_every = 1};
	struct gb_task task;

	gb_task_init(&task, &prog, 0, NULL);
	rc = gb_interp_step(&task, &env);
	is_int(rc, GB_STEP_DONE, "NULL callbacks are skipped");
}

static void test_empty_program(void)
{
	static const struct gb_program empty = {NULL, 0, 1000000, 0, "empty"};
	struct seen s;
	struct gb_interp_env env = env_for(&s);
	struct gb_task task;

	gb_task_init(&task, &empty, 0, NULL);
	rc = gb_interp_step(&task, &env);
	is_int(rc, GB_STEP_DONE, "an empty program is done at once");
	is_int(s.dones, 1, "and calls done");
}

static void test_until_stop(void)
{
	static const struct gb_op ops[] = {{GB_OP_COMPUTE, 10, NULL}, {GB_OP_YIELD, 0, NULL}};
	static const struct gb_program prog = {ops, 2, GB_REPEAT_UNTIL_STOP, 0, "bg"};
	atomic_int stop = 0;
	struct seen s;
	struct gb_interp_env env = env_for(&s);
	struct gb_task task;
	int yields = 0;

	env.stop = &stop;
	gb_task_init(&task, &prog, 0, NULL);
	while (gb_interp_step(&task, &env) == GB_STEP_YIELD && ++yields < 1000)
		if (yields == 25)
			atomic_store(&stop, 1);
	is_int(yields, 25, "until stop: the body repeats until the stop flag");
	is_int(task.iter, 25, "until stop: the flag is checked at each body start");
	is_int(task.n.bytecodes, 250, "until stop: every started body ran whole");
	is_int(s.dones, 1, "until stop: then done");

	/* Stopped before it started: the body still runs once. */
	gb_task_init(&task, &prog, 0, NULL);
	yields = 0;
	while (gb_interp_step(&task, &env) == GB_STEP_YIELD && ++yields < 1000)
		;
	ok(yields == 1 && task.iter == 1 && task.n.bytecodes == 10,
	   "until stop, stopped already: the first body runs once (%d yields)", yields);

	env.stop = NULL;
	gb_task_init(&task, &prog, 0, NULL);
	rc = gb_interp_step(&task, &env);
	is_int(rc, GB_STEP_DONE, "until stop with no stop flag: done at once");
}

static void test_yield_every(void)
{
	static const struct gb_op ops[] = {{GB_OP_COMPUTE, 100, NULL}, {GB_OP_COMPUTE, 60, NULL}};
	static const struct gb_program prog = {ops, 2, 1, 0, "chunks"};
	struct seen s;
	struct gb_interp_env env = env_for(&s);
	struct gb_task task;
	char steps[32];
	uint64_t bc[8] = {0};
	int n = 0;

	env.yield_every = 30;
	gb_task_init(&task, &prog, 0, NULL);
	while (gb_interp_step(&task, &env) == GB_STEP_YIELD && n < 7)
		bc[n++] = task.n.bytecodes;
	bc[n] = task.n.bytecodes;
	/* 100 = 30+30+30+10 (the last chunk ends the op, no yield), 60 = 30+30. */
	ok(n == 4 && bc[0] == 30 && bc[1] == 60 && bc[2] == 90 && bc[3] == 130 && bc[4] == 160,
	   "yield_every 30: yields after 30, 60, 90, 130 bytecodes (%d yields)", n);
	is_int(task.n.yields, 4, "yield_every: yields counted");
	env.yield_every = 0;
	gb_task_init(&task, &prog, 0, NULL);
	run_steps(&task, &env, steps, sizeof(steps));
	ok(strcmp(steps, "D") == 0, "yield_every 0: never yields");
}

/* check_every: counted through the legacy policy, which acts on every check_interval-th check. */
static void test_check_every(void)
{
	static const struct gb_op ops[] = {{GB_OP_COMPUTE, 1000, NULL}};
	static const struct gb_program prog = {ops, 1, 1, 0, "checks"};
	struct gb_gil_config cfg = {.policy = "legacy", .check_interval = 10};
	struct gb_interp_env env = {.check_every = 5};
	struct gb_gil *gil;
	struct gb_gil_thread *t = aligned_alloc(GB_CACHE_LINE, sizeof(*t));
	struct gb_task task;

	rc = gb_gil_create(&cfg, &gil);
	is_int(rc, 0, "check_every: legacy GIL");
	if (rc)
		return;
	gb_gil_thread_attach(gil, 0, t);
	gb_gil_acquire(t);
	gb_task_init(&task, &prog, 0, t);
	gb_interp_step(&task, &env);
	/* 1000 bytecodes / 5 = 200 check points; every 10th releases. */
	is_int(t->c.forced_drops, 20, "check_every 5: 200 check points, 20 legacy releases");
	env.check_every = 1000;
	gb_task_init(&task, &prog, 0, t);
	gb_interp_step(&task, &env);
	is_int(t->c.forced_drops, 20, "check_every 1000: one check point, no further release");
	env.check_every = 3;
	gb_task_init(&task, &prog, 0, t);
	gb_interp_compute(&task, &env, 30);
	gb_interp_compute(&task, &env, 31);
	is_int(task.since_check, 1,
	       "check points span calls: 61 bytecodes, every 3 -> 1 left over");
	gb_gil_release(t);
	gb_gil_thread_detach(t);
	gb_gil_destroy(gil);
	free(t);
}

static void test_native_releases(void)
{
	static const struct gb_op ops[] = {{GB_OP_NATIVE, 1000, NULL}, {GB_OP_COMPUTE, 10, NULL}};
	static const struct gb_program prog = {ops, 2, 4, 0, "numpy"};
	struct gb_gil_config cfg = {.policy = "new", .trace_capacity = 64};
	struct gb_interp_env env = {.check_every = 1};
	struct gb_gil *gil;
	struct gb_gil_thread *t = aligned_alloc(GB_CACHE_LINE, sizeof(*t));
	struct gb_task task;
	int pattern = 1;

	rc = gb_gil_create(&cfg, &gil);
	is_int(rc, 0, "native: GIL");
	if (rc)
		return;
	gb_gil_thread_attach(gil, 0, t);
	gb_gil_acquire(t);
	gb_task_init(&task, &prog, 0, t);
	rc = gb_interp_step(&task, &env);
	is_int(rc, GB_STEP_DONE, "native: runs through");
	ok(t->holds, "native: the GIL is held again at the end");
	is_int(t->c.voluntary_drops, 4, "native: each NATIVE op releases the GIL once");
	is_int(t->c.acquisitions, 5, "native: and re-acquires it");
	is_int(task.n.native_units, 4000, "native: units counted");
	/* acquire, then per NATIVE op: drop, native_start, native_end, acquire. */
	for (uint64_t k = 1; k < t->trace.total; k++) {
		static const enum gb_trace_event cycle[4] = {
		        GB_EV_DROP_VOLUNTARY, GB_EV_NATIVE_START, GB_EV_NATIVE_END, GB_EV_ACQUIRE};
		pattern &= t->trace.recs[k].event == cycle[(k - 1) % 4];
	}
	ok(pattern && t->trace.total == 17,
	   "native: trace is drop, native_start, native_end, acquire per NATIVE op");
	for (uint64_t k = 1; k < t->trace.total; k++)
		pattern &= t->trace.recs[k].ns >= t->trace.recs[k - 1].ns;
	ok(pattern, "native: in time order");
	gb_gil_release(t);
	gb_gil_thread_detach(t);
	gb_gil_destroy(gil);
	free(t);
}

static void test_overhead_changes_work(void)
{
	struct gb_interp_env plain = {.check_every = 1},
	                     taxed = {.check_every = 1, .overhead = 0.5};
	struct gb_task a, b;

	gb_task_init(&a, NULL, 1, NULL);
	gb_task_init(&b, NULL, 1, NULL);
	gb_interp_compute(&a, &plain, 1000);
	gb_interp_compute(&b, &taxed, 1000);
	ok(a.work != b.work, "overhead: extra work is done (a different chain value)");
	is_int(b.n.bytecodes, 1000, "overhead: still counts bytecodes, not rounds");
}

/* --- gb_interp_block --- */

static void *echo_peer(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[8192];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w <= 0)
				return NULL;
			off += w;
		}
	}
	return NULL;
}

/* gb_interp_block's refusals and failures: each leaves the GIL held. */
static void test_block_errors(struct gb_task *tp, struct gb_gil_thread *t, int sv[2],
                              pthread_t peer)
{
	struct gb_task task = *tp;

	task.block_arg = GB_INTERP_ECHO_MAX + 1;
	rc = gb_interp_block(&task, GB_STEP_ECHO, sv[0]);
	is_int(rc, -EINVAL, "block: an echo over 64 KiB is refused");
	task.block_arg = 10;
	rc = gb_interp_block(&task, GB_STEP_ECHO, -1);
	is_int(rc, -EBADF, "block: no echo fd");
	rc = gb_interp_block(&task, GB_STEP_ECHO, -ENOTCONN);
	is_int(rc, -ENOTCONN, "block: an errno from gb_run_echo_fd passes through");
	rc = gb_interp_block(&task, GB_STEP_DONE, sv[0]);
	is_int(rc, -EINVAL, "block: not a blocking step");
	ok(t->holds, "block: GIL held after the errors");

	/* A non-blocking fd (shared with an event loop) is waited on, not failed. */
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	task.block_arg = 60000;
	rc = gb_interp_block(&task, GB_STEP_ECHO, sv[0]);
	is_int(rc, 0, "block: echo over a non-blocking fd");

	shutdown(sv[1], SHUT_RDWR);
	pthread_join(peer, NULL);
	task.block_arg = 10;
	rc = gb_interp_block(&task, GB_STEP_ECHO, sv[0]);
	ok(rc == -EPIPE || rc == -ECONNRESET, "block: peer gone: -EPIPE or -ECONNRESET (%d)", rc);
	ok(t->holds, "block: GIL held after a failed echo");

	/* Without a GIL: just the wait. */
	task.gt = NULL;
	task.block_arg = 1000;
	rc = gb_interp_block(&task, GB_STEP_SLEEP, -1);
	is_int(rc, 0, "block: sleep with no GIL");
}

static void test_block(void)
{
	static const struct gb_op ops[] = {{GB_OP_ECHO, 20000, NULL}, {GB_OP_SLEEP, 2000000, NULL}};
	static const struct gb_program prog = {ops, 2, 1, GB_PF_LATENCY, "io"};
	struct gb_gil_config cfg = {.policy = "new", .trace_capacity = 64};
	struct seen s;
	struct gb_interp_env env = env_for(&s);
	struct gb_gil *gil;
	struct gb_gil_thread *t = aligned_alloc(GB_CACHE_LINE, sizeof(*t));
	struct gb_task task;
	int sv[2];
	pthread_t peer;
	uint64_t t0, t1;
	enum gb_step st;
	static const int want[] = {GB_EV_DROP_VOLUNTARY, GB_EV_IO_START, GB_EV_IO_END,
	                           GB_EV_ACQUIRE};
	int order = 1;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pthread_create(&peer, NULL, echo_peer, (void *)(intptr_t)sv[1]);
	gb_gil_create(&cfg, &gil);
	gb_gil_thread_attach(gil, 0, t);
	gb_gil_acquire(t);
	gb_task_init(&task, &prog, 0, t);

	st = gb_interp_step(&task, &env);
	is_int(st, GB_STEP_ECHO, "block: echo step");
	rc = gb_interp_block(&task, st, sv[0]);
	is_int(rc, 0, "block: 20000 bytes echoed back");
	ok(t->holds, "block: GIL held again after the echo");
	for (int i = 0; i < 4; i++)
		order &= t->trace.recs[1 + i].event == (uint32_t)want[i];
	ok(order, "block: trace drop_voluntary, io_start, io_end, acquire");

	st = gb_interp_step(&task, &env);
	is_int(st, GB_STEP_SLEEP, "block: sleep step");
	is_int(s.latencies, 1, "block: the echo's latency was reported");
	ok(s.last_latency > 0, "block: latency is positive");
	t0 = gb_clock_now_ns();
	rc = gb_interp_block(&task, st, -1);
	t1 = gb_clock_now_ns();
	is_int(rc, 0, "block: sleep");
	ok(t1 - t0 >= 2000000, "block: slept at least the asked 2 ms");
	rc = gb_interp_step(&task, &env);
	is_int(rc, GB_STEP_DONE, "block: done");
	is_int(task.n.blocking_ops, 2, "block: both blocking ops counted");
	/* The echo is sendall() then recv(), each releasing the GIL; the sleep one. */
	is_int(t->c.voluntary_drops, 3, "block: two voluntary drops per echo, one per sleep");

	test_block_errors(&task, t, sv, peer);

	gb_gil_release(t);
	gb_gil_thread_detach(t);
	gb_gil_destroy(gil);
	free(t);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	test_op_names();
	test_seed_program();
	test_every_op();
	test_no_callbacks();
	test_empty_program();
	test_until_stop();
	test_yield_every();
	test_check_every();
	test_native_releases();
	test_overhead_changes_work();
	test_block();
	return gb_tap_done();
}
