/*
 * gil_legacy.c - the Python 2 / 3.1 GIL (research/gil.md 2.1): a plain
 * non-fair lock that the holder releases and immediately re-acquires every
 * check_interval ticks. There is no timeout, no drop request and no
 * handoff: on several cores the releaser, still running, usually takes the
 * lock back before the waiter it woke gets there (the "GIL battle"); those
 * waiters are counted as futile wakeups.
 *
 * The lock is a mutex + condition + flag, as Python 2 builds it without
 * semaphores, with the fast path a sem_t has on Linux: a free lock with no
 * waiters is taken and given back with one compare-and-swap each, and only
 * a release that sees waiters takes the mutex to signal one.
 *
 * A tick is a check point (gb_gil_check), so with check_every = 1 one tick
 * per bytecode, as _Py_Ticker. The countdown is per thread where Python 2
 * had one global ticker: it is only decremented by the holder, and reset on
 * every release, so the difference is where a fresh holder starts counting.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "gil_impl.h"

#define LEGACY_LOCKED 1u
#define LEGACY_WAITER 2u

struct legacy {
	_Alignas(GB_CACHE_LINE) _Atomic uint32_t state;
	_Atomic(struct gb_gil_thread *) last_holder;
	unsigned check_interval;
	_Alignas(GB_CACHE_LINE) pthread_mutex_t mutex;
	pthread_cond_t cond;
};

static int legacy_create(struct gb_gil *gil)
{
	struct legacy *g;
	int err;

	g = aligned_alloc(GB_CACHE_LINE,
	                  (sizeof(*g) + GB_CACHE_LINE - 1) & ~(size_t)(GB_CACHE_LINE - 1));
	if (!g)
		return -ENOMEM;
	atomic_init(&g->state, 0);
	atomic_init(&g->last_holder, NULL);
	g->check_interval = gil->cfg.check_interval;
	err = -pthread_mutex_init(&g->mutex, NULL);
	if (err)
		goto fail_mutex;
	err = -pthread_cond_init(&g->cond, NULL);
	if (err)
		goto fail_cond;
	gil->impl = g;
	return 0;

fail_cond:
	pthread_mutex_destroy(&g->mutex);
fail_mutex:
	free(g);
	return err;
}

static void legacy_destroy(struct gb_gil *gil)
{
	struct legacy *g = gil->impl;

	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->mutex);
	free(g);
}

static int legacy_attach(struct gb_gil_thread *t)
{
	const struct legacy *g = t->gil->impl;

	t->countdown_reset = g->check_interval;
	return 0;
}

static void legacy_detach(struct gb_gil_thread *t)
{
	struct legacy *g = t->gil->impl;
	struct gb_gil_thread *self = t;

	/* last_holder only feeds the switch count; never leave a freed thread there. */
	atomic_compare_exchange_strong(&g->last_holder, &self, NULL);
}

static void legacy_took(struct legacy *g, struct gb_gil_thread *t, uint64_t t0, bool waited)
{
	uint64_t now = gb__clock_ns();
	bool switched = atomic_load_explicit(&g->last_holder, memory_order_relaxed) != t;

	if (switched) /* only the holder writes it: no read-modify-write needed */
		atomic_store_explicit(&g->last_holder, t, memory_order_relaxed);

	gb__gil_account_acquire(t, now, waited ? now - t0 : 0, switched);
}

static void legacy_acquire(struct gb_gil_thread *t)
{
	struct legacy *g = t->gil->impl;
	uint32_t free_state = 0;
	uint64_t t0;

	if (atomic_compare_exchange_strong_explicit(&g->state, &free_state, LEGACY_LOCKED,
	                                            memory_order_acquire, memory_order_relaxed)) {
		legacy_took(g, t, 0, false);
		return;
	}
	t0 = gb__clock_ns();
	pthread_mutex_lock(&g->mutex);
	/* Counted as a waiter even if the lock is free now (others queued, and
	 * we barge past them: no fairness, as in Python 2): with state != 0 no
	 * fast-path CAS can take it between our look and our take. */
	atomic_fetch_add_explicit(&g->state, LEGACY_WAITER, memory_order_relaxed);
	if (atomic_load_explicit(&g->state, memory_order_relaxed) & LEGACY_LOCKED) {
		gb_gil_trace(t, GB_EV_REQUEST);
		gb__gil_wait_begin(t->gil);
		for (;;) {
			pthread_cond_wait(&g->cond, &g->mutex);
			if (!(atomic_load_explicit(&g->state, memory_order_relaxed) &
			      LEGACY_LOCKED))
				break;
			t->c.futile_wakeups++; /* the releaser took it back first */
		}
		gb__gil_wait_end(t->gil);
	}
	atomic_fetch_add_explicit(&g->state, LEGACY_LOCKED - LEGACY_WAITER, memory_order_acquire);
	pthread_mutex_unlock(&g->mutex);
	legacy_took(g, t, t0, true);
}

static void legacy_drop(struct gb_gil_thread *t, bool forced)
{
	struct legacy *g = t->gil->impl;
	uint32_t held = LEGACY_LOCKED;

	gb__gil_account_release(t, forced);
	if (atomic_compare_exchange_strong_explicit(&g->state, &held, 0, memory_order_release,
	                                            memory_order_relaxed))
		return;
	pthread_mutex_lock(&g->mutex);
	atomic_fetch_and_explicit(&g->state, ~LEGACY_LOCKED, memory_order_release);
	pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->mutex);
}

static void legacy_release(struct gb_gil_thread *t)
{
	legacy_drop(t, false);
}

static void legacy_check_slow(struct gb_gil_thread *t)
{
	if (t->countdown != 0)
		return;
	t->countdown = t->countdown_reset;
	/* "Give another thread a chance", then take it straight back. */
	legacy_drop(t, true);
	legacy_acquire(t);
}

const struct gb_gil_policy gb_gil_policy_legacy = {
        .name = "legacy",
        .summary = "Python 2 / 3.1: release and re-acquire every check_interval ticks",
        .create = legacy_create,
        .destroy = legacy_destroy,
        .attach = legacy_attach,
        .detach = legacy_detach,
        .acquire = legacy_acquire,
        .release = legacy_release,
        .check_slow = legacy_check_slow,
};
