/*
 * threads.c - the `threads` model: threading.Thread + queue.Queue. One
 * pthread per task, all attached to one shared simulated GIL; blocking ops
 * release it (gb_interp_block), RETURN values go through the runtime's
 * in-process channel, and the model thread prints them after joining every
 * worker, as the lecture's main thread drains its queue.
 *
 * It does not build workloads, time anything or decide placement: the
 * harness does (gb_run_pin gives each worker its CPU set).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <gilbench/chan.h>
#include <gilbench/model.h>

/*
 * Workers need little stack (the interpreter keeps no deep recursion), and a
 * small one lets thousands of io tasks fit; 256 KiB still leaves room for an
 * ECHO buffer of GB_INTERP_ECHO_MAX on the stack, and for sanitizers.
 */
#define THR_STACK_SIZE (256u * 1024u)

struct thr_state;

struct thr_worker {
	struct gb_gil_thread gt; /* first: GB_CACHE_LINE aligned with the struct */
	struct thr_state *s;
	unsigned id;
	int err;
	pthread_t tid;
};

/*
 * The start gate: workers pin and attach, report ready, and wait for `go`,
 * so that no task starts before every thread exists. A mutex and condvar
 * rather than a pthread_barrier, because a failed pthread_create must still
 * be able to open the gate (with `abort`) for the threads already created.
 */
struct thr_gate {
	pthread_mutex_t lock;
	pthread_cond_t ready_cond; /* the model thread waits here for `ready` */
	pthread_cond_t go_cond;    /* workers wait here; two conds so that N arrivals
	                              wake one waiter each, not N sleeping workers */
	unsigned ready;
	int go, abort;
};

struct thr_state {
	struct gb_run *run;
	struct gb_gil *gil;
	struct gb_chan *results;
	struct thr_worker *workers;
	unsigned n;
	struct gb_interp_env env;
	struct thr_gate gate;
};

static void thr_ret(void *ctx, struct gb_task *task, const char *value)
{
	struct thr_worker *w = task->user;
	int err;

	(void)ctx;
	err = gb_chan_put(w->s->results, value, strlen(value));
	if (err && !w->err) {
		w->err = err;
		gb_run_errorf(w->s->run, "task %u: result queue put: %s", w->id, strerror(-err));
	}
}

/* Returns 1 if the run goes ahead, 0 if it was called off. */
static int thr_gate_wait(struct thr_gate *g)
{
	int go;

	pthread_mutex_lock(&g->lock);
	g->ready++;
	pthread_cond_signal(&g->ready_cond);
	while (!g->go)
		pthread_cond_wait(&g->go_cond, &g->lock);
	go = !g->abort;
	pthread_mutex_unlock(&g->lock);
	return go;
}

static void thr_gate_open(struct thr_gate *g, unsigned created, int abort)
{
	pthread_mutex_lock(&g->lock);
	while (!abort && g->ready < created)
		pthread_cond_wait(&g->ready_cond, &g->lock);
	g->go = 1;
	g->abort = abort;
	pthread_cond_broadcast(&g->go_cond);
	pthread_mutex_unlock(&g->lock);
}

static int thr_run_task(struct thr_worker *w)
{
	struct thr_state *s = w->s;
	struct gb_task task;
	enum gb_step step;
	int err = 0;

	gb_task_init(&task, gb_run_program(s->run, w->id), w->id, &w->gt);
	task.user = w;
	while ((step = gb_interp_step(&task, &s->env)) != GB_STEP_DONE) {
		if (step == GB_STEP_YIELD) {
			/* time.sleep(0): the GIL is released around a system call. */
			gb_gil_release(&w->gt);
			sched_yield();
			gb_gil_acquire(&w->gt);
			continue;
		}
		err = gb_interp_block(&task, step, gb_run_echo_fd(s->run, w->id));
		if (err) {
			gb_run_errorf(s->run, "task %u: %s failed: %s", w->id,
			              step == GB_STEP_ECHO ? "echo" : "sleep", strerror(-err));
			break;
		}
	}
	gb_run_collect_task(s->run, &task);
	return err;
}

static void *thr_worker_main(void *arg)
{
	struct thr_worker *w = arg;
	struct thr_state *s = w->s;
	int err, go;

	/* A failed binding is recorded by the harness; the task still runs. */
	gb_run_pin(s->run, w->id);
	err = gb_gil_thread_attach(s->gil, w->id, &w->gt);
	go = thr_gate_wait(&s->gate);
	if (err) {
		gb_run_errorf(s->run, "task %u: GIL attach: %s", w->id, strerror(-err));
		w->err = err;
		return NULL;
	}
	if (go) {
		gb_gil_acquire(&w->gt);
		err = thr_run_task(w);
		if (err && !w->err)
			w->err = err;
		gb_gil_release(&w->gt);
	}
	gb_run_collect_gil(s->run, &w->gt);
	gb_gil_thread_detach(&w->gt);
	return NULL;
}

static int thr_init(void **state, struct gb_run *run)
{
	struct gb_gil_config cfg;
	struct thr_state *s;
	unsigned n = gb_run_tasks(run);
	size_t wsize = ((size_t)n * sizeof(struct thr_worker) + GB_CACHE_LINE - 1) / GB_CACHE_LINE *
	               GB_CACHE_LINE;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->run = run;
	s->n = n;
	s->workers = aligned_alloc(GB_CACHE_LINE, wsize);
	if (!s->workers) {
		err = -ENOMEM;
		goto fail_workers;
	}
	memset(s->workers, 0, wsize);
	gb_run_gil_config(run, &cfg);
	err = gb_gil_create(&cfg, &s->gil);
	if (err) {
		gb_run_errorf(run, "GIL '%s': %s", cfg.policy ? cfg.policy : "new", strerror(-err));
		goto fail_gil;
	}
	err = gb_chan_create_inproc(&s->results);
	if (err)
		goto fail_chan;
	err = -pthread_mutex_init(&s->gate.lock, NULL);
	if (err)
		goto fail_lock;
	err = -pthread_cond_init(&s->gate.ready_cond, NULL);
	if (err)
		goto fail_ready;
	err = -pthread_cond_init(&s->gate.go_cond, NULL);
	if (err)
		goto fail_go;
	*state = s;
	return 0;

fail_go:
	pthread_cond_destroy(&s->gate.ready_cond);
fail_ready:
	pthread_mutex_destroy(&s->gate.lock);
fail_lock:
	gb_chan_destroy(s->results);
fail_chan:
	gb_gil_destroy(s->gil);
fail_gil:
	free(s->workers);
fail_workers:
	free(s);
	return err;
}

/* The lecture's `for r in iter(queue.get, None): print(r)`, but it ends. */
static int thr_drain(struct thr_state *s)
{
	char buf[GB_CHAN_MSG_MAX + 1];
	size_t len;
	int err;

	gb_chan_close_writer(s->results);
	while ((err = gb_chan_get(s->results, buf, sizeof(buf) - 1, &len)) == 0) {
		buf[len] = '\0';
		gb_run_print(s->run, buf);
	}
	if (err == -EPIPE)
		return 0;
	gb_run_errorf(s->run, "result queue get: %s", strerror(-err));
	return err;
}

static int thr_run(void *state, struct gb_run *run)
{
	struct thr_state *s = state;
	pthread_attr_t attr;
	unsigned created = 0;
	int err;

	gb_run_interp_env(run, &s->env);
	s->env.ret = thr_ret;
	s->env.yield_every = 0; /* preemptive: the GIL switches, tasks never yield */
	err = -pthread_attr_init(&attr);
	if (err)
		return err;
	err = -pthread_attr_setstacksize(&attr, THR_STACK_SIZE);
	if (err)
		goto out_attr;
	for (; created < s->n; created++) {
		struct thr_worker *w = &s->workers[created];

		w->s = s;
		w->id = created;
		err = -pthread_create(&w->tid, &attr, thr_worker_main, w);
		if (err) {
			gb_run_errorf(run, "task %u of %u: pthread_create: %s", created, s->n,
			              strerror(-err));
			break;
		}
	}
	thr_gate_open(&s->gate, created, err != 0);
	for (unsigned i = 0; i < created; i++) {
		pthread_join(s->workers[i].tid, NULL);
		if (!err)
			err = s->workers[i].err;
	}
	if (!err)
		err = thr_drain(s);
out_attr:
	pthread_attr_destroy(&attr);
	return err;
}

static void thr_fini(void *state)
{
	struct thr_state *s = state;

	pthread_cond_destroy(&s->gate.go_cond);
	pthread_cond_destroy(&s->gate.ready_cond);
	pthread_mutex_destroy(&s->gate.lock);
	gb_chan_destroy(s->results);
	gb_gil_destroy(s->gil);
	free(s->workers);
	free(s);
}

const struct gb_model_ops gb_model_threads = {
        .abi = GB_MODEL_ABI,
        .name = "threads",
        .summary = "threading.Thread + queue.Queue: one pthread per task, one shared GIL",
        .workloads = GB_WL_ALL,
        .init = thr_init,
        .run = thr_run,
        .fini = thr_fini,
};
