/*
 * asyncio.c - the asyncio model: stackless tasks on one OS thread that
 * holds the GIL, driven by the _run_once loop of uvloop.c. A task is its
 * interpreter state (struct gb_task: program counter and all) plus two
 * futures, and Task.__step runs gb_interp_step until the program awaits
 * something; the await returns to the loop, and the awaited future's done
 * callback (scheduled with call_soon, as Future.set_result does) steps the
 * task again one iteration later (research/gil.md section 6.2).
 *
 * The program as Python would write it:
 *     async def main():
 *         tasks = [asyncio.create_task(prog(i)) for i in range(K)]
 *         for t in tasks: print(await t)
 * where an op is: SLEEP -> await asyncio.sleep(s); YIELD -> await
 * asyncio.sleep(0); ECHO -> await loop.sock_sendall(); await loop.sock_recv().
 *
 * Simplified: a future has at most one done callback (nothing here awaits
 * a future twice), no cancellation, no exceptions; the reader is removed as
 * soon as the echo reply is in rather than by a done callback one
 * iteration later; a partial reply keeps the reader registered instead of
 * resuming the task to call sock_recv again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gilbench/model.h>

#include "uvloop.h"

enum aio_echo_phase { AIO_ECHO_NONE, AIO_ECHO_SEND, AIO_ECHO_RECV };

struct aio_future {
	gb__loop_fn cb; /* the done callback: the awaiting task's __wakeup */
	void *cb_arg;
	uint8_t done;
};

struct aio_state;

struct aio_task {
	struct gb_task t;
	struct aio_state *s;
	const char *result;
	struct aio_future fut;    /* a Task is a Future: main awaits this */
	struct aio_future waiter; /* _fut_waiter: what the task awaits now */
	uint64_t echo_off;
	int io_err;
	uint8_t echo_phase;
};

struct aio_state {
	struct gb_gil_thread gt; /* first: the state is cache-line aligned */
	struct gb__loop loop;
	struct gb_gil *gil;
	struct gb_run *run;
	struct gb_interp_env env;
	struct aio_task *tasks;
	struct gb__watch *watches; /* one per task when the workload has ECHO ops */
	unsigned ntasks;
	unsigned main_next; /* the main coroutine's position: the task it awaits */
	int main_started, main_done;
	char scratch[GB_UV_SCRATCH];
};

static void aio_task_step(void *arg);

/* Future.set_result: done callbacks go through call_soon, never inline. */
static void aio_future_set_result(struct gb__loop *l, struct aio_future *f)
{
	f->done = 1;
	if (f->cb) {
		gb__loop_call_soon(l, f->cb, f->cb_arg);
		f->cb = NULL;
	}
}

/* `await fut` on a pending future: add_done_callback(self.__wakeup). */
static void aio_await(struct aio_task *t, struct aio_future *f)
{
	f->done = 0;
	f->cb = aio_task_step;
	f->cb_arg = t;
}

static void aio_main_step(void *arg)
{
	struct aio_state *s = arg;

	if (!s->main_started) {
		s->main_started = 1;
		/* create_task: Task.__init__ does call_soon(self.__step). */
		for (unsigned i = 0; i < s->ntasks; i++)
			gb__loop_call_soon(&s->loop, aio_task_step, &s->tasks[i]);
	}
	while (s->main_next < s->ntasks) {
		struct aio_task *t = &s->tasks[s->main_next];
		if (!t->fut.done) {
			t->fut.cb = aio_main_step;
			t->fut.cb_arg = s;
			return;
		}
		if (t->result)
			gb_run_print(s->run, t->result);
		s->main_next++;
	}
	s->main_done = 1;
}

/* futures._set_result_unless_cancelled, the call_later of asyncio.sleep. */
static void aio_sleep_done(void *arg)
{
	struct aio_task *t = arg;

	aio_future_set_result(&t->s->loop, &t->waiter);
}

/* _sock_sendall / _sock_recv: the fd is ready, go on with the exchange. */
static void aio_sock_ready(void *arg)
{
	struct aio_task *t = arg;
	struct aio_state *s = t->s;
	struct gb__watch *w = &s->watches[t->t.id];
	int fd = gb_run_echo_fd(s->run, t->t.id);
	int r;

	if (t->waiter.done)
		return; /* a stale readiness of this iteration's poll */
	if (t->echo_phase == AIO_ECHO_SEND)
		r = gb__echo_send(fd, t->t.block_arg, &t->echo_off);
	else
		r = gb__echo_recv(fd, t->t.block_arg, &t->echo_off, s->scratch);
	if (r == -EAGAIN)
		return; /* still registered: the next poll calls again */
	gb__watch_stop(w);
	if (r < 0) {
		t->io_err = r;
	} else if (t->echo_phase == AIO_ECHO_SEND) {
		t->echo_phase = AIO_ECHO_RECV;
		t->echo_off = 0;
	} else {
		t->echo_phase = AIO_ECHO_NONE;
	}
	aio_future_set_result(&s->loop, &t->waiter);
}

/* The sock_sendall/sock_recv coroutines: 1 if the task now awaits, 0 when the
 * exchange is over, -errno. They try the socket first, as CPython does. */
static int aio_echo(struct aio_task *t)
{
	struct aio_state *s = t->s;
	int fd = gb_run_echo_fd(s->run, t->t.id);
	int r = 0, events;

	if (t->io_err)
		return t->io_err;
	if (fd < 0)
		return fd;
	if (t->echo_phase == AIO_ECHO_SEND) {
		r = gb__echo_send(fd, t->t.block_arg, &t->echo_off);
		if (r == 0) {
			t->echo_phase = AIO_ECHO_RECV;
			t->echo_off = 0;
		}
	}
	if (t->echo_phase == AIO_ECHO_RECV) {
		r = gb__echo_recv(fd, t->t.block_arg, &t->echo_off, s->scratch);
		if (r == 0) {
			t->echo_phase = AIO_ECHO_NONE;
			return 0;
		}
	}
	if (r != -EAGAIN)
		return r;
	events = t->echo_phase == AIO_ECHO_SEND ? UV_WRITABLE : UV_READABLE;
	r = gb__watch_start(&s->loop, &s->watches[t->t.id], fd, events, aio_sock_ready, t);
	if (r)
		return r;
	aio_await(t, &t->waiter);
	return 1;
}

static void aio_task_fail(struct aio_task *t, int err)
{
	struct aio_state *s = t->s;

	gb_run_errorf(s->run, "asyncio: task %u: echo: %s", t->t.id, strerror(-err));
	if (!s->loop.err)
		s->loop.err = err;
}

/* Task.__step: coro.send(None) until the coroutine awaits or returns. */
static void aio_task_step(void *arg)
{
	struct aio_task *t = arg;
	struct aio_state *s = t->s;

	for (;;) {
		enum gb_step step;
		int r;

		if (t->echo_phase != AIO_ECHO_NONE) {
			r = aio_echo(t);
			if (r < 0)
				aio_task_fail(t, r);
			if (r != 0)
				return;
		}
		step = gb_interp_step(&t->t, &s->env);
		switch (step) {
		case GB_STEP_DONE:
			aio_future_set_result(&s->loop, &t->fut);
			return;
		case GB_STEP_YIELD:
			/* A bare yield: __step is called again next iteration. */
			gb__loop_call_soon(&s->loop, aio_task_step, t);
			return;
		case GB_STEP_SLEEP:
			if (t->t.block_arg == 0) {
				gb__loop_call_soon(&s->loop, aio_task_step, t);
				return;
			}
			gb__loop_call_later(&s->loop, t->t.block_arg, aio_sleep_done, t);
			aio_await(t, &t->waiter);
			return;
		case GB_STEP_ECHO:
			if (t->t.block_arg > GB_INTERP_ECHO_MAX) {
				aio_task_fail(t, -EINVAL);
				return;
			}
			t->echo_phase = AIO_ECHO_SEND;
			t->echo_off = 0;
			break;
		}
	}
}

static void aio_ret(void *ctx, struct gb_task *task, const char *value)
{
	struct aio_task *t = task->user;

	t->result = value;
}

static void aio_fini(void *state);

static int aio_init(void **state, struct gb_run *run)
{
	struct aio_state *s;
	struct gb_gil_config cfg;
	unsigned n = gb_run_tasks(run);
	const char *why;
	int err;

	/* The task, a ready handle and a timer entry each: past the machine's
	 * memory the cell fails now rather than by the OOM killer. */
	why = gb__mem_check("asyncio", n,
	                    sizeof(struct aio_task) + sizeof(struct gb__handle) +
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
		gb_run_errorf(run, "asyncio: no memory for %u tasks", n);
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
	aio_fini(s);
	return err;
}

static int aio_run(void *state, struct gb_run *run)
{
	struct aio_state *s = state;
	int err;
	struct gb_task sum;

	gb_run_interp_env(run, &s->env);
	s->env.ret = aio_ret;
	err = gb_gil_thread_attach(s->gil, 0, &s->gt);
	if (err)
		return err;
	gb_run_pin(run, 0);
	gb_gil_acquire(&s->gt);
	for (unsigned i = 0; i < s->ntasks; i++) {
		struct aio_task *t = &s->tasks[i];
		gb_task_init(&t->t, gb_run_program(run, i), i, &s->gt);
		t->t.user = t;
		t->s = s;
	}
	/* asyncio.run(main()): the main task's first step, next iteration. */
	gb__loop_call_soon(&s->loop, aio_main_step, s);
	while (!s->main_done) {
		if (gb__loop_stalled(&s->loop)) {
			gb_run_errorf(run, "asyncio: the loop has nothing ready, scheduled or "
			                   "awaited, yet main() has not returned");
			err = -EDEADLK;
			break;
		}
		err = gb__loop_run_once(&s->loop);
		if (err) {
			gb_run_errorf(run, "asyncio: event loop: %s", strerror(-err));
			break;
		}
	}
	gb_gil_release(&s->gt);
	gb__task_sum(&sum, &s->tasks[0].t, s->ntasks, sizeof(struct aio_task));
	gb_run_collect_task(run, &sum);
	gb_run_collect_gil(run, &s->gt);
	gb_gil_thread_detach(&s->gt);
	return err;
}

static void aio_fini(void *state)
{
	struct aio_state *s = state;

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

const struct gb_model_ops gb_model_asyncio = {
        .abi = GB_MODEL_ABI,
        .name = "asyncio",
        .summary = "stackless tasks and futures on a libuv event loop, one thread",
        .workloads = GB_WL_ALL,
        .flags = GB_MF_ONE_THREAD,
        .init = aio_init,
        .run = aio_run,
        .fini = aio_fini,
};
