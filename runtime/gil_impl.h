/*
 * gil_impl.h - what the GIL policies of runtime/ share and plugins do not
 * see: the inline duration clock and the inline halves of the accounting
 * helpers (gb_gil_account_* in gil.c are their exported copies).
 */
#ifndef GB_RUNTIME_GIL_IMPL_H
#define GB_RUNTIME_GIL_IMPL_H

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
	return gb_gil_now_ns();
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
