/*
 * callbacks.c - the callbacks model: the lecture's on_result style on the
 * same _run_once loop as asyncio (uvloop.c), with no Task and no Future.
 * Starting a task runs it up to its first blocking op, which registers the
 * rest of the program as that op's completion callback (a call_later for
 * SLEEP, a reader for ECHO, a call_soon for YIELD); RETURN calls on_result,
 * which prints the value at once. Per task there is only the interpreter
 * state the callbacks close over, and the echo progress.
 *
 *     def bob(on_result):
 *         def wake(): print("hello bob"); on_result("bob done!")
 *         loop.call_later(0.3, wake)
 *     bob(print); alice(print); loop.run_forever()
 *
 * One OS thread, holding the GIL except inside a blocking poll. A fd's
 * readiness runs its callback in the same iteration (the reader handle is
 * itself the next step), one hop fewer than asyncio's future and wakeup.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gilbench/model.h>

#include "uvloop.h"

enum cbk_echo_phase { CBK_ECHO_NONE, CBK_ECHO_SEND, CBK_ECHO_RECV };

struct cbk_state;

struct cbk_task {
	struct gb_task t;
	struct cbk_state *s;
	uint64_t echo_off;
	uint8_t echo_phase;
};

struct cbk_state {
	struct gb_gil_thread gt; /* first: the state is cache-line aligned */
	struct gb__loop loop;
	struct gb_gil *gil;
	struct gb_run *run;
	struct gb_interp_env env;
	struct cbk_task *tasks;
	struct gb__watch *watches; /* one per task when the workload has ECHO ops */
	unsigned ntasks;
	unsigned live; /* tasks whose program has not ended */
	char scratch[GB_UV_SCRATCH];
};

static void cbk_step(void *arg);

static void cbk_fail(struct cbk_task *t, int err)
{
	struct cbk_state *s = t->s;

	gb_run_errorf(s->run, "callbacks: task %u: echo: %s", t->t.id, strerror(-err));
	if (!s->loop.err)
		s->loop.err = err;
}

/* Sends, then receives, as far as the socket allows: 1 when a reader or
 * writer callback will go on, 0 when the exchange is over, -errno. */
static int cbk_echo(struct cbk_task *t)
{
	struct cbk_state *s = t->s;
	struct gb__watch *w = &s->watches[t->t.id];
	int fd = gb_run_echo_fd(s->run, t->t.id);
	int r = 0, events;

	if (fd < 0)
		return fd;
	if (t->echo_phase == CBK_ECHO_SEND) {
		r = gb__echo_send(fd, t->t.block_arg, &t->echo_off);
		if (r == 0) {
			t->echo_phase = CBK_ECHO_RECV;
			t->echo_off = 0;
		}
	}
	if (t->echo_phase == CBK_ECHO_RECV) {
		r = gb__echo_recv(fd, t->t.block_arg, &t->echo_off, s->scratch);
		if (r == 0) {
			t->echo_phase = CBK_ECHO_NONE;
			gb__watch_stop(w);
			return 0;
		}
	}
	if (r != -EAGAIN) {
		gb__watch_stop(w);
		return r;
	}
	events = t->echo_phase == CBK_ECHO_SEND ? UV_WRITABLE : UV_READABLE;
	if (w->events == events)
		return 1;
	r = gb__watch_start(&s->loop, w, fd, events, cbk_step, t);
	return r ? r : 1;
}

/* The next step of a task's program: whatever completion called it. */
static void cbk_step(void *arg)
{
	struct cbk_task *t = arg;
	struct cbk_state *s = t->s;

	for (;;) {
		enum gb_step step;

		if (t->echo_phase != CBK_ECHO_NONE) {
			int r = cbk_echo(t);
			if (r < 0)
				cbk_fail(t, r);
			if (r != 0)
				return;
		}
		step = gb_interp_step(&t->t, &s->env);
		switch (step) {
		case GB_STEP_DONE:
			s->live--;
			return;
		case GB_STEP_YIELD:
			gb__loop_call_soon(&s->loop, cbk_step, t);
			return;
		case GB_STEP_SLEEP:
			if (t->t.block_arg == 0)
				gb__loop_call_soon(&s->loop, cbk_step, t);
			else
				gb__loop_call_later(&s->loop, t->t.block_arg, cbk_step, t);
			return;
		case GB_STEP_ECHO:
			if (t->t.block_arg > GB_INTERP_ECHO_MAX) {
				cbk_fail(t, -EINVAL);
				return;
			}
			t->echo_phase = CBK_ECHO_SEND;
			t->echo_off = 0;
			break;
		}
	}
}

/* on_result: print the value when it arrives. */
static void cbk_on_result(void *ctx, struct gb_task *task, const char *value)
{
	gb_run_print(ctx, value);
}

static void cbk_fini(void *state);

static int cbk_init(void **state, struct gb_run *run)
{
	struct cbk_state *s;
	struct gb_gil_config cfg;
	unsigned n = gb_run_tasks(run);
	const char *why;
	int err;

	/* The task, a ready handle and a timer entry each: past the machine's
	 * memory the cell fails now rather than by the OOM killer. */
	why = gb__mem_check("callbacks", n,
	                    sizeof(struct cbk_task) + sizeof(struct gb__handle) +
	                            sizeof(struct gb__timer));
	if (why) {
		gb_run_errorf(run, "%s", why);
		return -ENOMEM;
	}
	s = aligned_alloc(GB_CACHE_LINE,
	                  (sizeof(*s) + GB_CACHE_LINE - 1) / GB_CACHE_LINE * GB_CACHE_LINE);
	if (!s)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->run = run;
	s->ntasks = n;
	err = gb__loop_init(&s->loop, &s->gt);
	if (err) {
		free(s);
		return err;
	}
	s->tasks = calloc(n, sizeof(*s->tasks));
	if (gb_run_echo_fd(run, 0) >= 0)
		s->watches = calloc(n, sizeof(*s->watches));
	if (!s->tasks || (gb_run_echo_fd(run, 0) >= 0 && !s->watches)) {
		gb_run_errorf(run, "callbacks: no memory for %u tasks", n);
		err = -ENOMEM;
		goto fail;
	}
	gb_run_gil_config(run, &cfg);
	err = gb_gil_create(&cfg, &s->gil);
	if (err)
		goto fail;
	*state = s;
	return 0;

fail:
	cbk_fini(s);
	return err;
}

static int cbk_run(void *state, struct gb_run *run)
{
	struct cbk_state *s = state;
	int err = 0;
	struct gb_task sum;

	gb_run_interp_env(run, &s->env);
	s->env.ret = cbk_on_result;
	err = gb_gil_thread_attach(s->gil, 0, &s->gt);
	if (err)
		return err;
	gb_run_pin(run, 0);
	gb_gil_acquire(&s->gt);
	s->live = s->ntasks;
	/* bob(on_result); alice(on_result): each runs to its first blocking op. */
	for (unsigned i = 0; i < s->ntasks; i++) {
		struct cbk_task *t = &s->tasks[i];
		gb_task_init(&t->t, gb_run_program(run, i), i, &s->gt);
		t->t.user = t;
		t->s = s;
		cbk_step(t);
	}
	while (s->live > 0 && !s->loop.err) {
		if (gb__loop_stalled(&s->loop)) {
			gb_run_errorf(run,
			              "callbacks: the loop has nothing ready, scheduled or "
			              "watched, yet %u tasks have not ended",
			              s->live);
			err = -EDEADLK;
			break;
		}
		gb__loop_run_once(&s->loop);
	}
	if (!err && s->loop.err) {
		err = s->loop.err;
		gb_run_errorf(run, "callbacks: event loop: %s", strerror(-err));
	}
	gb_gil_release(&s->gt);
	gb__task_sum(&sum, &s->tasks[0].t, s->ntasks, sizeof(struct cbk_task));
	gb_run_collect_task(run, &sum);
	gb_run_collect_gil(run, &s->gt);
	gb_gil_thread_detach(&s->gt);
	return err;
}

static void cbk_fini(void *state)
{
	struct cbk_state *s = state;

	if (s->watches)
		for (unsigned i = 0; i < s->ntasks; i++)
			gb__watch_close(&s->watches[i]);
	gb__loop_close(&s->loop);
	if (s->gil)
		gb_gil_destroy(s->gil);
	free(s->watches);
	free(s->tasks);
	free(s);
}

const struct gb_model_ops gb_model_callbacks = {
        .abi = GB_MODEL_ABI,
        .name = "callbacks",
        .summary = "on_result callbacks on a libuv event loop, one thread, no task objects",
        .workloads = GB_WL_ALL,
        .flags = GB_MF_ONE_THREAD,
        .init = cbk_init,
        .run = cbk_run,
        .fini = cbk_fini,
};
