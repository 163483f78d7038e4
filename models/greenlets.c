/*
 * greenlets.c - the greenlets model, as gevent runs a monkey-patched
 * program: stackful coroutines (runtime coro) on one OS thread that holds
 * the GIL, and a hub coroutine running a libuv loop (research/gil.md
 * section 5.2). A blocking op starts a watcher (a uv_timer for SLEEP, a
 * uv_poll on the echo socket for ECHO) and switches to the hub: hub.wait.
 * The hub switches back when the watcher fires. spawn puts the greenlet on
 * the hub's callback FIFO (loop.run_callback(g.switch)); YIELD, and
 * --yield-every inside a COMPUTE, is gevent.sleep(0): the same FIFO.
 *
 * The hub's iteration is gevent's: run the callback FIFO (callbacks added
 * meanwhile run in the same pass, but every 50 callbacks the pass ends if
 * it has taken a switch interval), then poll libuv (no wait if callbacks
 * are pending), then switch to each greenlet whose watcher fired. A
 * greenlet in COMPUTE never switches on its own: nothing preempts it.
 *
 * The program as Python would write it:
 *     gs = [gevent.spawn(prog, i) for i in range(K)]
 *     for g in gs: g.join(); print(g.value)
 * The main greenlet is the calling thread's own context.
 *
 * Stacks are greenlet's: every greenlet runs on one shared stack
 * (--stack-size deep, with a guard), and a suspended greenlet keeps only its
 * live part, copied to the heap when another greenlet needs the stack
 * (runtime/coro.c, gb_coro_ready). The hub has a stack of its own: every
 * copy is made on it. A greenlet's memory (its coroutine and saved stack)
 * is freed when it ends, as a dead greenlet is.
 *
 * Not here: the stack switch, slicing and guard pages (runtime/coro.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gilbench/coro.h>
#include <gilbench/model.h>

#include "uvloop.h"

#define GL_CALLBACK_CHECK_COUNT 50 /* gevent's CALLBACK_CHECK_COUNT */
#define GL_NS_PER_MS            1000000u
#define GL_HUB_STACK            GB_CORO_STACK_DEFAULT
#define GL_CORO_EST             192u /* struct gb_coro, with malloc's overhead */
#define GL_LIVE_EST             272u /* its saved stack: 168-216 bytes live, in 256 */

struct gl_hub;

struct gl_greenlet {
	struct gb_task t;
	struct gb_coro *coro;
	struct gl_hub *h;
	struct gl_greenlet *next; /* in the callback FIFO or the fired list */
	const char *value;
	uint8_t dead;
	uint8_t fired; /* in the fired list */
};

/* A sleep's watcher: gevent makes one per sleep; ours come back to a free
 * list when they fire, so a greenlet that never sleeps carries none. */
struct gl_timer {
	uv_timer_t uv; /* first: the handle is the allocation (gl_close_cb) */
	struct gl_timer *next;
};

struct gl_io {
	uv_poll_t poll;
	uint8_t inited;
};

struct gl_fifo {
	struct gl_greenlet *head, *tail;
};

struct gl_hub {
	struct gb_gil_thread gt; /* first: the state is cache-line aligned */
	uv_loop_t uv;
	uv_prepare_t prepare; /* unreferenced: it never keeps the loop alive */
	uv_idle_t idle;       /* started: the poll does not wait */
	struct gb_gil *gil;
	struct gb_run *run;
	struct gb_interp_env env;
	struct gb_coro *hub;
	struct gb_coro_stack *stack; /* the greenlets' shared stack */
	struct gl_greenlet main;     /* only coro and next are used */
	struct gl_greenlet *gls;
	struct gl_io *io;            /* one per task when the workload has ECHO ops */
	struct gl_fifo callbacks;    /* loop.run_callback */
	struct gl_fifo fired;        /* greenlets whose watcher fired in this poll */
	struct gl_timer *timers;     /* idle sleep watchers */
	struct gl_greenlet *joining; /* the greenlet main waits for */
	size_t stack_size;
	uint64_t interval_ns; /* gevent.getswitchinterval() */
	unsigned ntasks, spawned;
	int uv_inited, hub_started, exit, err;
	char scratch[GB_UV_SCRATCH];
};

static void gl_push(struct gl_fifo *q, struct gl_greenlet *g)
{
	g->next = NULL;
	if (q->tail)
		q->tail->next = g;
	else
		q->head = g;
	q->tail = g;
}

static struct gl_greenlet *gl_pop(struct gl_fifo *q)
{
	struct gl_greenlet *g = q->head;

	if (g) {
		q->head = g->next;
		if (!q->head)
			q->tail = NULL;
	}
	return g;
}

/* hub.wait(): the watcher is started; run the hub until it switches back. */
static void gl_wait(struct gl_greenlet *g)
{
	gb_coro_switch(g->coro, g->h->hub);
}

static void gl_fail(struct gl_hub *h, int err)
{
	if (!h->err)
		h->err = err;
	/* main must learn of it: it waits in a join. */
	if (h->joining) {
		h->joining = NULL;
		gl_push(&h->callbacks, &h->main);
	}
}

/* The hub switches to g; a greenlet that has ended is freed at once. */
static void gl_enter(struct gl_hub *h, struct gl_greenlet *g)
{
	int err = gb_coro_ready(g->coro);

	if (err) {
		gb_run_errorf(h->run, "greenlets: greenlet %u: saving the shared stack: %s",
		              g->t.id, strerror(-err));
		gl_fail(h, err);
		return;
	}
	gb_coro_switch(h->hub, g->coro);
	if (g != &h->main && gb_coro_finished(g->coro)) {
		gb_coro_destroy(g->coro);
		g->coro = NULL;
	}
}

static void gl_idle_cb(uv_idle_t *idle)
{
	/* Its being active is what matters: the poll does not wait. */
	(void)idle;
}

/*
 * Just before the poll: a timer that came due since the last one has
 * already fired (libuv runs due timers first), and its greenlet must not
 * wait for the poll's timeout. An active idle handle makes it zero.
 */
static void gl_prepare_cb(uv_prepare_t *prepare)
{
	struct gl_hub *h = prepare->data;

	if (h->fired.head || h->callbacks.head)
		uv_idle_start(&h->idle, gl_idle_cb);
}

/* libuv polls again when a batch of events fills its array, so one fd can
 * be reported twice in one poll: a greenlet goes on the list once. */
static void gl_fire(struct gl_greenlet *g)
{
	if (g->fired)
		return;
	g->fired = 1;
	gl_push(&g->h->fired, g);
}

static void gl_timer_cb(uv_timer_t *timer)
{
	gl_fire(timer->data);
}

static void gl_poll_cb(uv_poll_t *poll, int status, int events)
{
	struct gl_greenlet *g = poll->data;

	/* On an error status the greenlet's own send/recv reports it. */
	(void)status;
	(void)events;
	gl_fire(g);
}

/* What a monkey-patched socket does on EAGAIN: wait for the fd, then retry. */
static int gl_wait_fd(struct gl_greenlet *g, int fd, int events)
{
	struct gl_hub *h = g->h;
	struct gl_io *io = &h->io[g->t.id];
	int err;

	if (!io->inited) {
		err = uv_poll_init(&h->uv, &io->poll, fd);
		if (err)
			return err;
		io->poll.data = g;
		io->inited = 1;
	}
	err = uv_poll_start(&io->poll, events, gl_poll_cb);
	if (err)
		return err;
	gl_wait(g);
	uv_poll_stop(&io->poll);
	return 0;
}

static int gl_echo(struct gl_greenlet *g)
{
	struct gl_hub *h = g->h;
	int fd = gb_run_echo_fd(h->run, g->t.id);
	uint64_t off = 0;
	int r;

	if (fd < 0)
		return fd;
	if (g->t.block_arg > GB_INTERP_ECHO_MAX)
		return -EINVAL;
	while ((r = gb__echo_send(fd, g->t.block_arg, &off)) == -EAGAIN)
		if ((r = gl_wait_fd(g, fd, UV_WRITABLE)) != 0)
			return r;
	if (r)
		return r;
	off = 0;
	while ((r = gb__echo_recv(fd, g->t.block_arg, &off, h->scratch)) == -EAGAIN)
		if ((r = gl_wait_fd(g, fd, UV_READABLE)) != 0)
			return r;
	return r;
}

/* gevent.sleep(seconds): a timer watcher and hub.wait, or sleep(0). */
static int gl_sleep(struct gl_greenlet *g, uint64_t ns)
{
	struct gl_hub *h = g->h;
	struct gl_timer *t;
	int err;

	if (ns == 0) {
		gl_push(&h->callbacks, g);
		gl_wait(g);
		return 0;
	}
	t = h->timers;
	if (t) {
		h->timers = t->next;
	} else {
		t = malloc(sizeof(*t));
		if (!t)
			return -ENOMEM;
		err = uv_timer_init(&h->uv, &t->uv);
		if (err) {
			free(t);
			return err;
		}
	}
	t->uv.data = g;
	/* The loop's clock is as old as its last poll: a long COMPUTE since then
	 * would make the sleep short. libuv counts ms: round up. */
	uv_update_time(&h->uv);
	err = uv_timer_start(&t->uv, gl_timer_cb, (ns + GL_NS_PER_MS - 1) / GL_NS_PER_MS, 0);
	if (!err)
		gl_wait(g);
	/* Fired (a one-shot timer is inactive again), or never started. */
	t->next = h->timers;
	h->timers = t;
	return err;
}

static void gl_body(struct gb_coro *self, void *arg)
{
	struct gl_greenlet *g = arg;
	struct gl_hub *h = g->h;
	enum gb_step step;
	int err = 0;

	while (!err && (step = gb_interp_step(&g->t, &h->env)) != GB_STEP_DONE) {
		switch (step) {
		case GB_STEP_YIELD:
			err = gl_sleep(g, 0);
			break;
		case GB_STEP_SLEEP:
			err = gl_sleep(g, g->t.block_arg);
			break;
		case GB_STEP_ECHO:
			err = gl_echo(g);
			break;
		case GB_STEP_DONE:
			break;
		}
	}
	g->dead = 1;
	if (err) {
		gb_run_errorf(h->run, "greenlets: greenlet %u: %s: %s", g->t.id,
		              g->t.pending == GB_STEP_ECHO ? "echo" : "sleep", strerror(-err));
		gl_fail(h, err);
	} else if (h->joining == g) {
		/* Greenlet._notify_links: the joiner resumes through the FIFO. */
		h->joining = NULL;
		gl_push(&h->callbacks, &h->main);
	}
	/* Returning switches back to the hub, which switched here last. */
}

/* loop._run_callbacks: bounded by a switch interval, checked every 50. */
static void gl_run_callbacks(struct gl_hub *h)
{
	uint64_t expiration = gb_clock_now_ns() + h->interval_ns;
	int count = GL_CALLBACK_CHECK_COUNT;
	struct gl_greenlet *g;

	while (!h->exit && (g = gl_pop(&h->callbacks))) {
		gl_enter(h, g);
		if (--count == 0 && h->callbacks.head) {
			count = GL_CALLBACK_CHECK_COUNT;
			if (gb_clock_now_ns() >= expiration)
				break;
		}
	}
}

static void gl_hub_main(struct gb_coro *self, void *arg)
{
	struct gl_hub *h = arg;
	struct gl_greenlet *g;

	h->hub_started = 1;
	while (!h->exit) {
		int block;

		gl_run_callbacks(h);
		if (h->exit)
			break;
		block = h->callbacks.head == NULL;
		if (block && !uv_loop_alive(&h->uv)) {
			gb_run_errorf(h->run, "greenlets: the hub has nothing to run or wait for, "
			                      "yet main still joins");
			gl_fail(h, -EDEADLK);
			continue;
		}
		if (block) {
			/* gevent runs the loop with the GIL released. */
			gb_gil_release(&h->gt);
			gb_gil_trace(&h->gt, GB_EV_IO_START);
		}
		/* A pass that must not wait still polls, as every libuv iteration of
		 * gevent's loop does: the active idle handle keeps the loop alive. */
		if (!block)
			uv_idle_start(&h->idle, gl_idle_cb);
		uv_run(&h->uv, block ? UV_RUN_ONCE : UV_RUN_NOWAIT);
		if (block) {
			gb_gil_trace(&h->gt, GB_EV_IO_END);
			gb_gil_acquire(&h->gt);
		}
		uv_idle_stop(&h->idle);
		while (!h->exit && (g = gl_pop(&h->fired))) {
			g->fired = 0;
			gl_enter(h, g);
		}
	}
	/* Returning switches back to main, which set h->exit. */
}

static const char *gl_unsupported(const struct gb_params *p)
{
	static __thread char why[160];

	if (p->stack_size < gb_coro_stack_min() || p->stack_size > gb_coro_stack_max()) {
		snprintf(why, sizeof(why),
		         "--stack-size %zu is outside what a greenlet stack can be (%zu to %zu "
		         "bytes)",
		         p->stack_size, gb_coro_stack_min(), gb_coro_stack_max());
		return why;
	}
	return NULL;
}

static void gl_fini(void *state);

static int gl_init(void **state, struct gb_run *run)
{
	const struct gb_params *p = gb_run_params(run);
	struct gl_hub *h;
	struct gb_gil_config cfg;
	unsigned n = gb_run_tasks(run);
	const char *why;
	int err;

	h = aligned_alloc(GB_CACHE_LINE,
	                  (sizeof(*h) + GB_CACHE_LINE - 1) / GB_CACHE_LINE * GB_CACHE_LINE);
	if (!h)
		return -ENOMEM;
	memset(h, 0, sizeof(*h));
	/* A greenlet: its object, its coroutine, the live stack it saves while
	 * suspended, and a sleep's watcher. */
	why = gb__mem_check("greenlets", n,
	                    sizeof(struct gl_greenlet) + GL_CORO_EST + GL_LIVE_EST +
	                            sizeof(struct gl_timer));
	if (why) {
		gb_run_errorf(run, "%s", why);
		free(h);
		return -ENOMEM;
	}
	h->run = run;
	h->ntasks = n;
	h->stack_size = p->stack_size;
	h->interval_ns = (uint64_t)(p->switch_interval_s > 0 ? p->switch_interval_s * 1e9 : 5e6);
	err = gb_coro_guard_install();
	if (err) {
		gb_run_errorf(run, "greenlets: cannot install the stack guard handler: %s",
		              strerror(-err));
		free(h);
		return err;
	}
	err = uv_loop_init(&h->uv);
	if (err) {
		free(h);
		return err;
	}
	h->uv_inited = 1;
	uv_prepare_init(&h->uv, &h->prepare);
	uv_idle_init(&h->uv, &h->idle);
	h->prepare.data = h;
	uv_unref((uv_handle_t *)&h->prepare);
	uv_prepare_start(&h->prepare, gl_prepare_cb);
	h->gls = calloc(n, sizeof(*h->gls));
	if (gb_run_echo_fd(run, 0) >= 0)
		h->io = calloc(n, sizeof(*h->io));
	if (!h->gls || (gb_run_echo_fd(run, 0) >= 0 && !h->io)) {
		gb_run_errorf(run, "greenlets: no memory for %u greenlets", n);
		err = -ENOMEM;
		goto fail;
	}
	gb_run_gil_config(run, &cfg);
	err = gb_gil_create(&cfg, &h->gil);
	if (err)
		goto fail;
	*state = h;
	return 0;

fail:
	gl_fini(h);
	return err;
}

static int gl_spawn(struct gl_hub *h, unsigned i)
{
	struct gl_greenlet *g = &h->gls[i];
	int err;

	gb_task_init(&g->t, gb_run_program(h->run, i), i, &h->gt);
	g->t.user = g;
	g->h = h;
	err = gb_coro_create_on(&g->coro, h->stack, gl_body, g);
	if (err) {
		gb_run_errorf(h->run, "greenlets: spawning greenlet %u of %u: %s", i + 1, h->ntasks,
		              strerror(-err));
		return err;
	}
	h->spawned++;
	gl_push(&h->callbacks, g);
	return 0;
}

static void gl_ret(void *ctx, struct gb_task *task, const char *value)
{
	struct gl_greenlet *g = task->user;

	g->value = value;
}

static int gl_run(void *state, struct gb_run *run)
{
	struct gl_hub *h = state;
	int err;
	struct gb_task sum;

	gb_run_interp_env(run, &h->env);
	h->env.ret = gl_ret;
	err = gb_gil_thread_attach(h->gil, 0, &h->gt);
	if (err)
		return err;
	gb_run_pin(run, 0);
	gb_gil_acquire(&h->gt);
	h->main.coro = gb_coro_main();
	err = gb_coro_create(&h->hub, GL_HUB_STACK, gl_hub_main, h);
	if (err)
		gb_run_errorf(run, "greenlets: creating the hub: %s", strerror(-err));
	if (!err) {
		err = gb_coro_stack_create(&h->stack, h->stack_size);
		if (err)
			gb_run_errorf(run, "greenlets: mapping a %zu-byte greenlet stack: %s",
			              h->stack_size, strerror(-err));
	}
	for (unsigned i = 0; i < h->ntasks && !err; i++)
		err = gl_spawn(h, i);
	for (unsigned i = 0; i < h->ntasks && !err; i++) {
		struct gl_greenlet *g = &h->gls[i];

		while (!g->dead && !h->err) {
			h->joining = g;
			gb_coro_switch(h->main.coro, h->hub);
		}
		err = h->err;
		if (!err && g->value)
			gb_run_print(run, g->value);
	}
	if (h->hub_started) {
		h->exit = 1;
		gb_coro_switch(h->main.coro, h->hub);
	}
	gb_gil_release(&h->gt);
	gb__task_sum(&sum, &h->gls[0].t, h->spawned, sizeof(struct gl_greenlet));
	gb_run_collect_task(run, &sum);
	gb_run_collect_gil(run, &h->gt);
	gb_gil_thread_detach(&h->gt);
	return err;
}

/* The only timers of the hub's loop are gl_timers, malloc'd one by one. */
static void gl_close_cb(uv_handle_t *handle)
{
	if (handle->type == UV_TIMER)
		free(handle);
}

static void gl_close_walk(uv_handle_t *handle, void *arg)
{
	(void)arg;
	if (!uv_is_closing(handle))
		uv_close(handle, gl_close_cb);
}

static void gl_fini(void *state)
{
	struct gl_hub *h = state;

	if (h->uv_inited) {
		/* Every handle: the idle timers, those of greenlets left asleep by an
		 * error, the sockets' polls, prepare and idle. */
		uv_walk(&h->uv, gl_close_walk, NULL);
		uv_run(&h->uv, UV_RUN_DEFAULT);
		uv_loop_close(&h->uv);
	}
	/* After an error some greenlets stay suspended; their saved stacks
	 * hold no resource but memory, so they are freed all the same. */
	for (unsigned i = 0; h->gls && i < h->spawned; i++)
		gb_coro_destroy(h->gls[i].coro);
	gb_coro_stack_destroy(h->stack);
	gb_coro_destroy(h->hub);
	if (h->gil)
		gb_gil_destroy(h->gil);
	free(h->io);
	free(h->gls);
	free(h);
}

const struct gb_model_ops gb_model_greenlets = {
        .abi = GB_MODEL_ABI,
        .name = "greenlets",
        .summary = "gevent: stackful coroutines and a libuv hub on one thread",
        .workloads = GB_WL_ALL,
        .flags = GB_MF_ONE_THREAD,
        .unsupported = gl_unsupported,
        .init = gl_init,
        .run = gl_run,
        .fini = gl_fini,
};
