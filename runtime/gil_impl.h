/*
 * gil_impl.h - what the GIL policies of runtime/ share and plugins do not
 * see: the inline duration clock and the inline halves of the accounting
 * helpers (gb_gil_account_* in gil.c are their exported copies).
 */
#ifndef GB_RUNTIME_GIL_IMPL_H
#define GB_RUNTIME_GIL_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <gilbench/gil.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

/*
 * ns = ns0 + ((ticks - tick0) * mult) >> 32. ticks == 0 in `mode` means
 * "no usable counter": fall back to CLOCK_MONOTONIC.
 */
struct gb__clock {
	int mode; /* GB__CLOCK_MONO, _TSC, _CNTVCT */
	uint64_t tick0, ns0, mult;
};
enum { GB__CLOCK_MONO, GB__CLOCK_TSC, GB__CLOCK_CNTVCT };

extern struct gb__clock gb__clock;

/* Calibrates once per process (about 2 ms the first time). */
void gb__clock_init(void);

static inline uint64_t gb__clock_scale(uint64_t ticks)
{
	uint64_t d = ticks - gb__clock.tick0;

	return gb__clock.ns0 + (uint64_t)(((unsigned __int128)d * gb__clock.mult) >> 32);
}

static inline uint64_t gb__clock_ns(void)
{
#if defined(__x86_64__)
	if (__builtin_expect(gb__clock.mode == GB__CLOCK_TSC, 1))
		return gb__clock_scale(__rdtsc());
#elif defined(__aarch64__)
	if (__builtin_expect(gb__clock.mode == GB__CLOCK_CNTVCT, 1)) {
		uint64_t v;
		__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
		return gb__clock_scale(v);
	}
#endif
	return gb_clock_now_ns();
}

/*
 * What a GIL keeps about itself. The waiter count and contended time are
 * written only by threads in the policy's slow path, under its mutex, on a
 * line of their own; the folded thread counters only at detach.
 */
struct gb__gil_book {
	_Alignas(GB_CACHE_LINE) unsigned waiting; /* threads waiting for the held GIL */
	uint64_t contended_since;                 /* duration clock, when waiting became > 0 */
	_Atomic uint64_t contended_ns;            /* written under the policy mutex; atomic only so
	                                             gb_gil_stats_get may read it at any time */
	_Alignas(GB_CACHE_LINE) pthread_mutex_t fold_lock;
	struct gb_gil_stats folded;
};

/* Under the policy's mutex: t's thread starts waiting for the held GIL. */
static inline void gb__gil_wait_begin(struct gb_gil *gil)
{
	struct gb__gil_book *b = gil->book;

	if (b->waiting++ == 0)
		b->contended_since = gb__clock_ns();
}

/* Under the policy's mutex: a waiter stops waiting (it has the GIL). */
static inline void gb__gil_wait_end(struct gb_gil *gil)
{
	struct gb__gil_book *b = gil->book;

	if (b->waiting && --b->waiting == 0) {
		uint64_t now = gb__clock_ns();
		if (now > b->contended_since)
			atomic_store_explicit(
			        &b->contended_ns,
			        atomic_load_explicit(&b->contended_ns, memory_order_relaxed) + now -
			                b->contended_since,
			        memory_order_relaxed);
	}
}

static inline void gb__gil_account_acquire(struct gb_gil_thread *t, uint64_t now,
                                           uint64_t waited_ns, bool switched)
{
	t->c.acquisitions++;
	t->c.wait_ns += waited_ns;
	if (waited_ns > t->c.wait_max_ns)
		t->c.wait_max_ns = waited_ns;
	if (switched)
		t->c.switches++;
	t->held_since_ns = now;
	t->holds = true;
	gb_gil_trace(t, GB_EV_ACQUIRE);
}

static inline void gb__gil_account_release(struct gb_gil_thread *t, bool forced)
{
	uint64_t now = gb__clock_ns();

	if (now > t->held_since_ns)
		t->c.hold_ns += now - t->held_since_ns;
	t->holds = false;
	if (forced) {
		t->c.forced_drops++;
		gb_gil_trace(t, GB_EV_DROP_FORCED);
	} else {
		t->c.voluntary_drops++;
		gb_gil_trace(t, GB_EV_DROP_VOLUNTARY);
	}
}

/* A deadline `ns` from now on CLOCK_MONOTONIC, for pthread_cond_timedwait. */
struct timespec;
void gb__deadline(struct timespec *ts, uint64_t ns);

/* Condition variables on CLOCK_MONOTONIC (0 or -errno). */
int gb__cond_init_mono(void *cond);

#define GB__GIL_POLICY(n) extern const struct gb_gil_policy gb_gil_policy_##n;
#include "gil_policies.def"
#undef GB__GIL_POLICY

#endif
