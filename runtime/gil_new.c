/*
 * gil_new.c - the CPython 3.2+ GIL (Python/ceval_gil.c) and its two
 * variants, as state machines over a mutex and condition variables:
 *
 *   new       3.13+: the drop request is a bit in the holder's own
 *             eval breaker, set by a waiter that timed out
 *   new312    3.12 and earlier: one interpreter-wide drop flag, reset by
 *             whichever thread takes the GIL next (so a third waiter's
 *             request can be lost and it re-asks an interval later)
 *   priority  the fix Beazley proposed in bpo-7946: a thread that last
 *             dropped voluntarily (I/O-bound) preempts a CPU-bound holder at
 *             once and takes the GIL ahead of CPU-bound waiters
 *
 * What CPython does (research/gil.md 1.2-1.3), step by step:
 *   take_gil: while the GIL is held, wait on `cond` for one switch
 *     interval at a time; a wait that times out with no switch during it
 *     (switch_number unchanged) sets the holder's drop request. Having it,
 *     note a switch (last_holder, switch_number) and signal switch_cond.
 *   drop_gil: mark the GIL free and signal `cond`; then FORCE_SWITCHING:
 *     if this thread's drop request is set and nobody has taken the GIL
 *     yet, wait on switch_cond until somebody has. That applies to any
 *     drop, voluntary ones too (as in CPython); a drop with no pending
 *     request, the normal I/O case, never waits.
 *   check point: a pending request makes the holder drop and re-take.
 *
 * Where this file differs, and why:
 *   - A lock-free fast path: when the GIL is free and nobody waits, take
 *     and drop are one compare-and-swap each on `state`, which also counts
 *     the waiters (so a drop knows whether to signal). Under the mutex,
 *     the same thread would find `locked` 0 and take it at once, so the
 *     behaviour is CPython's; it only skips the mutexes that an
 *     uncontended take cannot need.
 *   - The FORCE_SWITCHING wait loops while last_holder is still us,
 *     where CPython waits once: a spurious wakeup must not let the forced
 *     thread win the GIL back, which is the point of the handshake.
 *   - switch_cond is signalled only when the holder changes: the only
 *     thread that can be waiting on it is the previous holder.
 *
 * Counting: a thread that finds the GIL held is a waiter of the GIL
 * (gb__gil_wait_begin/end, under `mutex`) until it takes it; the time with
 * at least one waiter is the GIL's contended time. A take during which the
 * thread had to ask for a drop counts as a requested acquisition.
 *
 * Not here: what a check point is (the interp), counting and tracing
 * (gil_impl.h), policy selection (gil.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "gil_impl.h"

enum ceval_variant { CEVAL_313, CEVAL_312, CEVAL_PRIORITY };

#define CEVAL_LOCKED 1u /* state: the GIL is held */
#define CEVAL_WAITER 2u /* state: added per thread in the take_gil wait loop */

struct ceval {
	/* Touched by every take and drop. */
	_Alignas(GB_CACHE_LINE) _Atomic uint32_t state;
	_Atomic uint32_t drop_request; /* new312: the interpreter-wide gil_drop_request */
	_Atomic(struct gb_gil_thread *) last_holder;
	_Atomic uint64_t switch_number;
	enum ceval_variant variant;
	uint64_t interval_ns;

	/* Contended path only. */
	_Alignas(GB_CACHE_LINE) pthread_mutex_t mutex;
	pthread_cond_t cond;
	unsigned prio_waiters; /* priority: I/O-bound threads waiting; under mutex */
	pthread_mutex_t switch_mutex;
	pthread_cond_t switch_cond;
};

/* Per thread. */
struct ceval_thread {
	_Atomic bool cpu_bound; /* priority: its last drop was forced */
};

static struct ceval *ceval_of(const struct gb_gil_thread *t)
{
	return t->gil->impl;
}

static bool ceval_cpu_bound(const struct gb_gil_thread *t)
{
	const struct ceval_thread *ct = t->policy_data;

	return atomic_load_explicit(&ct->cpu_bound, memory_order_relaxed);
}

static int ceval_create(struct gb_gil *gil, enum ceval_variant variant)
{
	struct ceval *g;
	int err;

	g = aligned_alloc(GB_CACHE_LINE,
	                  (sizeof(*g) + GB_CACHE_LINE - 1) & ~(size_t)(GB_CACHE_LINE - 1));
	if (!g)
		return -ENOMEM;
	atomic_init(&g->state, 0);
	atomic_init(&g->drop_request, 0);
	atomic_init(&g->last_holder, NULL);
	atomic_init(&g->switch_number, 0);
	g->variant = variant;
	g->interval_ns = gil->interval_ns;
	g->prio_waiters = 0;
	err = -pthread_mutex_init(&g->mutex, NULL);
	if (err)
		goto fail_mutex;
	err = gb__cond_init_mono(&g->cond);
	if (err)
		goto fail_cond;
	err = -pthread_mutex_init(&g->switch_mutex, NULL);
	if (err)
		goto fail_switch_mutex;
	err = gb__cond_init_mono(&g->switch_cond);
	if (err)
		goto fail_switch_cond;
	gil->impl = g;
	return 0;

fail_switch_cond:
	pthread_mutex_destroy(&g->switch_mutex);
fail_switch_mutex:
	pthread_cond_destroy(&g->cond);
fail_cond:
	pthread_mutex_destroy(&g->mutex);
fail_mutex:
	free(g);
	return err;
}

static int ceval_create_313(struct gb_gil *gil)
{
	return ceval_create(gil, CEVAL_313);
}

static int ceval_create_312(struct gb_gil *gil)
{
	return ceval_create(gil, CEVAL_312);
}

static int ceval_create_priority(struct gb_gil *gil)
{
	return ceval_create(gil, CEVAL_PRIORITY);
}

static void ceval_destroy(struct gb_gil *gil)
{
	struct ceval *g = gil->impl;

	pthread_cond_destroy(&g->switch_cond);
	pthread_mutex_destroy(&g->switch_mutex);
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->mutex);
	free(g);
}

static int ceval_attach(struct gb_gil_thread *t)
{
	struct ceval_thread *ct = calloc(1, sizeof(*ct));

	if (!ct)
		return -ENOMEM;
	atomic_init(&ct->cpu_bound, false);
	t->policy_data = ct;
	t->countdown_reset = UINT32_MAX; /* only the breaker matters */
	return 0;
}

static void ceval_detach(struct gb_gil_thread *t)
{
	struct ceval *g = ceval_of(t);

	/* A waiter must never find a freed thread in last_holder. */
	pthread_mutex_lock(&g->mutex);
	pthread_mutex_lock(&g->switch_mutex);
	if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == t)
		atomic_store_explicit(&g->last_holder, NULL, memory_order_relaxed);
	pthread_mutex_unlock(&g->switch_mutex);
	pthread_mutex_unlock(&g->mutex);
	free(t->policy_data);
	t->policy_data = NULL;
}

/* Under g->mutex: a waiter asks the current holder to drop; true if it did. */
static bool ceval_request_drop(struct ceval *g, struct gb_gil_thread *t)
{
	struct gb_gil_thread *h = atomic_load_explicit(&g->last_holder, memory_order_relaxed);

	if (!h || h == t)
		return false;
	if (g->variant == CEVAL_312)
		atomic_store_explicit(&g->drop_request, 1, memory_order_relaxed);
	atomic_fetch_or_explicit(&h->breaker, GB_GIL_BREAK_DROP, memory_order_relaxed);
	t->c.drop_requests++;
	gb_gil_trace(t, GB_EV_DROP_REQUEST);
	return true;
}

/* Under g->mutex: must t keep waiting? */
static bool ceval_must_wait(struct ceval *g, struct gb_gil_thread *t, bool prio)
{
	if (atomic_load_explicit(&g->state, memory_order_relaxed) & CEVAL_LOCKED)
		return true;
	/* priority: CPU-bound threads let waiting I/O-bound ones go first. */
	return g->variant == CEVAL_PRIORITY && !prio && g->prio_waiters > 0;
}

/*
 * t has just set CEVAL_LOCKED: the rest of take_gil. Under g->mutex on
 * the slow path; on the fast path nobody is waiting, which is what makes
 * skipping the mutex safe. Returns whether the GIL changed hands.
 */
static bool ceval_took(struct ceval *g, struct gb_gil_thread *t)
{
	bool switched = false;

	if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) != t) {
		pthread_mutex_lock(&g->switch_mutex);
		atomic_store_explicit(&g->last_holder, t, memory_order_relaxed);
		atomic_fetch_add_explicit(&g->switch_number, 1, memory_order_relaxed);
		pthread_cond_signal(&g->switch_cond);
		pthread_mutex_unlock(&g->switch_mutex);
		switched = true;
	}
	/* 3.13 clears the new holder's own bit; <= 3.12 resets the shared flag. */
	if (g->variant == CEVAL_312 && atomic_load_explicit(&g->drop_request, memory_order_relaxed))
		atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
	if (atomic_load_explicit(&t->breaker, memory_order_relaxed) & GB_GIL_BREAK_DROP)
		atomic_fetch_and_explicit(&t->breaker, ~GB_GIL_BREAK_DROP, memory_order_relaxed);
	return switched;
}

static void ceval_take_slow(struct ceval *g, struct gb_gil_thread *t)
{
	uint64_t t0 = gb__clock_ns(), now;
	bool prio = g->variant == CEVAL_PRIORITY && !ceval_cpu_bound(t);
	bool switched, asked = false;

	pthread_mutex_lock(&g->mutex);
	/* Counted as a waiter even if we take the GIL at once: with state != 0
	 * no fast-path CAS can take it between our look and our take. */
	atomic_fetch_add_explicit(&g->state, CEVAL_WAITER, memory_order_relaxed);
	if (ceval_must_wait(g, t, prio)) {
		gb_gil_trace(t, GB_EV_REQUEST);
		gb__gil_wait_begin(t->gil);
		if (prio) {
			g->prio_waiters++;
			struct gb_gil_thread *h =
			        atomic_load_explicit(&g->last_holder, memory_order_relaxed);
			if (h && h != t &&
			    (atomic_load_explicit(&g->state, memory_order_relaxed) &
			     CEVAL_LOCKED) &&
			    ceval_cpu_bound(h))
				asked |= ceval_request_drop(g, t);
		}
		do {
			uint64_t saved =
			        atomic_load_explicit(&g->switch_number, memory_order_relaxed);
			struct timespec dl;
			int rc;

			gb__deadline(&dl, g->interval_ns);
			rc = pthread_cond_timedwait(&g->cond, &g->mutex, &dl);
			if (rc != ETIMEDOUT) {
				if (ceval_must_wait(g, t, prio))
					t->c.futile_wakeups++;
			} else if ((atomic_load_explicit(&g->state, memory_order_relaxed) &
			            CEVAL_LOCKED) &&
			           atomic_load_explicit(&g->switch_number, memory_order_relaxed) ==
			                   saved) {
				asked |= ceval_request_drop(g, t);
			}
		} while (ceval_must_wait(g, t, prio));
		if (prio)
			g->prio_waiters--;
		gb__gil_wait_end(t->gil);
		if (asked)
			t->c.requested_acquisitions++;
	}
	/* Leave the waiters and take the GIL in one step. */
	atomic_fetch_add_explicit(&g->state, CEVAL_LOCKED - CEVAL_WAITER, memory_order_acquire);
	switched = ceval_took(g, t);
	pthread_mutex_unlock(&g->mutex);
	now = gb__clock_ns();
	gb__gil_account_acquire(t, now, now - t0, switched);
}

static void ceval_take(struct gb_gil_thread *t)
{
	struct ceval *g = ceval_of(t);
	uint32_t free_state = 0;

	if (atomic_compare_exchange_strong_explicit(&g->state, &free_state, CEVAL_LOCKED,
	                                            memory_order_acquire, memory_order_relaxed)) {
		bool switched = ceval_took(g, t);
		gb__gil_account_acquire(t, gb__clock_ns(), 0, switched);
		return;
	}
	ceval_take_slow(g, t);
}

static bool ceval_drop_pending(struct ceval *g, struct gb_gil_thread *t)
{
	bool bit = atomic_load_explicit(&t->breaker, memory_order_relaxed) & GB_GIL_BREAK_DROP;

	if (g->variant == CEVAL_312)
		return bit && atomic_load_explicit(&g->drop_request, memory_order_relaxed);
	return bit;
}

static void ceval_drop(struct gb_gil_thread *t, bool forced)
{
	struct ceval *g = ceval_of(t);
	uint32_t held = CEVAL_LOCKED;

	gb__gil_account_release(t, forced);
	if (g->variant == CEVAL_PRIORITY) {
		struct ceval_thread *ct = t->policy_data;
		atomic_store_explicit(&ct->cpu_bound, forced, memory_order_relaxed);
	}
	if (!atomic_compare_exchange_strong_explicit(&g->state, &held, 0, memory_order_release,
	                                             memory_order_relaxed)) {
		pthread_mutex_lock(&g->mutex);
		atomic_fetch_and_explicit(&g->state, ~CEVAL_LOCKED, memory_order_release);
		if (g->prio_waiters)
			pthread_cond_broadcast(&g->cond); /* the one signal must reach them */
		else
			pthread_cond_signal(&g->cond);
		pthread_mutex_unlock(&g->mutex);
	}
	if (!ceval_drop_pending(g, t))
		return;
	/* FORCE_SWITCHING: do not race the waiter for the GIL just given up. */
	pthread_mutex_lock(&g->switch_mutex);
	if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == t) {
		if (g->variant == CEVAL_312)
			atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
		atomic_fetch_and_explicit(&t->breaker, ~GB_GIL_BREAK_DROP, memory_order_relaxed);
		t->c.switch_waits++;
		do
			pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
		while (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == t);
	}
	pthread_mutex_unlock(&g->switch_mutex);
}

static void ceval_release(struct gb_gil_thread *t)
{
	ceval_drop(t, false);
}

static void ceval_check_slow(struct gb_gil_thread *t)
{
	if (t->countdown == 0)
		t->countdown = t->countdown_reset;
	if (atomic_load_explicit(&t->breaker, memory_order_relaxed) & GB_GIL_BREAK_DROP) {
		ceval_drop(t, true);
		ceval_take(t);
	}
}

const struct gb_gil_policy gb_gil_policy_new = {
        .name = "new",
        .summary = "CPython 3.13+: timed waits, per-thread drop request, forced switching",
        .create = ceval_create_313,
        .destroy = ceval_destroy,
        .attach = ceval_attach,
        .detach = ceval_detach,
        .acquire = ceval_take,
        .release = ceval_release,
        .check_slow = ceval_check_slow,
};

const struct gb_gil_policy gb_gil_policy_new312 = {
        .name = "new312",
        .summary = "CPython 3.2-3.12: as new, one interpreter-wide drop flag",
        .create = ceval_create_312,
        .destroy = ceval_destroy,
        .attach = ceval_attach,
        .detach = ceval_detach,
        .acquire = ceval_take,
        .release = ceval_release,
        .check_slow = ceval_check_slow,
};

const struct gb_gil_policy gb_gil_policy_priority = {
        .name = "priority",
        .summary = "bpo-7946 fix: threads back from I/O preempt CPU-bound ones",
        .create = ceval_create_priority,
        .destroy = ceval_destroy,
        .attach = ceval_attach,
        .detach = ceval_detach,
        .acquire = ceval_take,
        .release = ceval_release,
        .check_slow = ceval_check_slow,
};
