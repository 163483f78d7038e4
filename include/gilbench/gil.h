/*
 * gilbench/gil.h - the simulated GIL: one API, several policies.
 *
 * A simulated OS thread attaches to a GIL and gets a struct gb_gil_thread:
 * its own cache-line-aligned state and counters, so that measuring never
 * adds a shared atomic to the fast path. The interpreter calls
 * gb_gil_check() at every eval-breaker check point; it costs a decrement and
 * one relaxed load unless the policy has something to do.
 *
 * Policies (runtime/gil_*.c, listed once in runtime/gil_policies.def):
 *   new     CPython 3.13+ ceval_gil.c: timed waits, per-thread drop request,
 *           FORCE_SWITCHING handshake
 *   new312  as new, with the interpreter-wide drop flag of 3.12 and earlier
 *   legacy  Python 2 / 3.1: release and re-acquire every check_interval ticks
 *   priority bpo-7946 fix: a thread back from I/O goes ahead of CPU waiters
 *   none    free-threaded (PEP 703): no lock, optional per-bytecode overhead
 */
#ifndef GILBENCH_GIL_H
#define GILBENCH_GIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gilbench/clock.h>

#define GB_CACHE_LINE 64

struct gb_gil_stats;

/*
 * Zero means "the default" for every number, so a zeroed config is a valid
 * `new` GIL. gb_gil_create() rejects negative, NaN or infinite values.
 */
struct gb_gil_config {
	const char *policy;       /* "new", "legacy", ...; NULL means "new" */
	double switch_interval_s; /* new/new312/priority: default 0.005; < 1e-6 becomes 1e-6 */
	unsigned check_interval;  /* legacy: check points between releases, default 100 */
	double overhead; /* none: extra work per bytecode, 0.0 = none (the interp applies it) */
	size_t trace_capacity; /* events per thread ring; 0 = no trace */
	/*
	 * Optional: gb_gil_destroy() calls report(report_ctx, totals) with the
	 * GIL's own counters (struct gb_gil_stats) just before it frees the
	 * GIL, if any thread ever attached. The harness sets it
	 * (gb_run_gil_config) so every model's GILs are counted, one by one.
	 */
	void (*report)(void *report_ctx, const struct gb_gil_stats *totals);
	void *report_ctx;
};

/*
 * Per-thread counters; summed by the harness after the threads end. The
 * times come from the runtime's duration clock (gb_clock_fast_ns()).
 * Policy `none` counts nothing.
 */
struct gb_gil_counters {
	uint64_t acquisitions;    /* take_gil calls that returned (forced re-takes included) */
	uint64_t hold_ns;         /* total time holding */
	uint64_t wait_ns;         /* total time in take_gil (0 for an uncontended take) */
	uint64_t wait_max_ns;     /* longest single take_gil */
	uint64_t drop_requests;   /* requests this thread issued as a waiter */
	uint64_t forced_drops;    /* drops at a check point because asked (or ticks) */
	uint64_t voluntary_drops; /* drops for I/O or native code */
	uint64_t switch_waits;    /* FORCE_SWITCHING waits on switch_cond */
	uint64_t futile_wakeups;  /* woken from cond while the GIL was still held */
	uint64_t switches;        /* acquisitions that took the GIL from another thread */
	uint64_t requested_acquisitions; /* take_gil calls in which this thread had to ask
	                                    the holder to drop (CPython's drop_requested) */
};

/*
 * Per GIL: the counters of every thread that attached to it, folded in at
 * detach, plus what only the GIL can see: how long at least one thread was
 * waiting for it (contended_ns, kept by the policy's slow path under its
 * own mutex, never on the uncontended fast path). Complete once every
 * thread has detached; gb_gil_stats_get() and the report hook read it.
 */
struct gb_gil_stats {
	uint64_t threads;         /* threads that attached */
	uint64_t acquisitions;    /* Σ thread acquisitions */
	uint64_t switches;        /* Σ thread switches = CPython's switch_number */
	uint64_t drop_requests;   /* Σ requests issued by its waiters */
	uint64_t forced_switches; /* Σ forced drops */
	uint64_t held_ns;         /* time held: Σ tenures (one holder at a time) */
	uint64_t wait_ns;         /* Σ thread time inside take_gil (overlaps counted twice) */
	uint64_t contended_ns;    /* time during which >= 1 thread was waiting for it */
};

enum gb_trace_event {
	GB_EV_REQUEST,        /* take_gil found the GIL held and starts to wait */
	GB_EV_ACQUIRE,        /* got it */
	GB_EV_DROP_FORCED,    /* dropped at a check point */
	GB_EV_DROP_VOLUNTARY, /* dropped for I/O or native work */
	GB_EV_DROP_REQUEST,   /* as a waiter, asked the holder to drop */
	GB_EV_IO_START,       /* gb_interp_block: the blocking call starts (GIL released) */
	GB_EV_IO_END,         /* ... and returned; the next event is the re-acquire */
	GB_EV_NATIVE_START,   /* NATIVE op: its work starts (GIL released) */
	GB_EV_NATIVE_END,     /* ... and is done; the next event is the re-acquire */
	GB_EV__COUNT
};

struct gb_trace_rec {
	uint64_t ns; /* gb_clock_now_ns() */
	uint32_t thread;
	uint32_t event; /* enum gb_trace_event */
};

/* A ring: the newest capacity events; `total` counts all ever written. */
struct gb_trace_ring {
	struct gb_trace_rec *recs;
	size_t capacity;
	uint64_t total;
};

struct gb_gil;

/* Bits of gb_gil_thread.breaker (CPython's eval_breaker bits). */
#define GB_GIL_BREAK_DROP 1u /* a waiter asks the holder to drop the GIL */

struct gb_gil_thread {
	/* Written by other threads (drop requests): alone on its cache line. */
	_Alignas(GB_CACHE_LINE) _Atomic uint32_t breaker;

	/* Owner-only from here on. */
	_Alignas(GB_CACHE_LINE) uint32_t countdown; /* check points until the slow path */
	uint32_t countdown_reset; /* set by the policy's attach; UINT32_MAX = never */
	unsigned id;
	bool holds;
	uint64_t held_since_ns; /* gb_clock_fast_ns() when this tenure began */
	struct gb_gil *gil;
	struct gb_gil_counters c;
	struct gb_trace_ring trace;
	void *policy_data; /* the policy's own per-thread state */
};

/* The policy ops table: what a new GIL design implements. */
struct gb_gil_policy {
	const char *name;
	const char *summary;
	int (*create)(struct gb_gil *gil); /* set gil->impl; 0 or -errno */
	void (*destroy)(struct gb_gil *gil);
	int (*attach)(struct gb_gil_thread *t); /* optional per-thread set-up */
	void (*detach)(struct gb_gil_thread *t);
	void (*acquire)(struct gb_gil_thread *t);    /* take_gil */
	void (*release)(struct gb_gil_thread *t);    /* voluntary drop: never waits */
	void (*check_slow)(struct gb_gil_thread *t); /* breaker set or countdown hit 0 */
};

/*
 * A policy's acquire/release/check_slow report what happened through these,
 * so that every policy counts and traces alike:
 *   gb_gil_account_acquire(t, now, waited_ns) right after the GIL is taken
 *   (now = gb_clock_fast_ns(); waited_ns = 0 when it did not wait; switched =
 *   it was last held by another thread); gb_gil_account_release(t, forced)
 *   right before it is given up. The per-event counters (drop_requests,
 *   switch_waits, futile_wakeups) the policy increments itself in t->c.
 */
void gb_gil_account_acquire(struct gb_gil_thread *t, uint64_t now, uint64_t waited_ns,
                            bool switched);
void gb_gil_account_release(struct gb_gil_thread *t, bool forced);
/*
 * The GIL's contended time: a policy calls wait_begin when a thread starts
 * waiting for a held GIL and wait_end when it stops (it took the GIL), both
 * under the policy's own lock (the calls of one GIL must not overlap). The
 * time with at least one waiter becomes gb_gil_stats.contended_ns.
 */
void gb_gil_account_wait_begin(struct gb_gil *gil);
void gb_gil_account_wait_end(struct gb_gil *gil);

struct gb__gil_book; /* runtime-private: contended time and folded counters */

struct gb_gil {
	const struct gb_gil_policy *policy;
	struct gb_gil_config cfg;
	uint64_t interval_ns;
	void *impl;
	struct gb__gil_book *book;
};

/* Policies known to this build, NULL-terminated; and lookup by name. */
extern const struct gb_gil_policy *const gb_gil_policies[];
const struct gb_gil_policy *gb_gil_policy_find(const char *name);
/* Adds a policy (from a plugin); -EEXIST on a taken name, -EINVAL if incomplete,
 * -ENOSPC past 16 plugins. The policy must stay valid for the process's life. */
int gb_gil_policy_register(const struct gb_gil_policy *policy);
/* Every policy, built-in ones first then registered ones; NULL past the end. */
const struct gb_gil_policy *gb_gil_policy_at(size_t i);

int gb_gil_create(const struct gb_gil_config *cfg, struct gb_gil **out);
/* Calls cfg.report (if set and a thread ever attached), then frees the GIL. */
void gb_gil_destroy(struct gb_gil *gil);
/* The GIL's counters so far (see struct gb_gil_stats). */
void gb_gil_stats_get(const struct gb_gil *gil, struct gb_gil_stats *out);

/*
 * Per simulated thread; t must stay at one address while attached and be
 * GB_CACHE_LINE aligned (-EINVAL otherwise: use aligned_alloc for arrays).
 * Attach zeroes t, so counters start at 0. Detach releases the GIL if t
 * still holds it (without the FORCE_SWITCHING wait: a final release) and
 * frees the trace ring: read t->c and t->trace before detaching. Detach
 * folds t->c into the GIL's own counters (struct gb_gil_stats).
 */
int gb_gil_thread_attach(struct gb_gil *gil, unsigned id, struct gb_gil_thread *t);
void gb_gil_thread_detach(struct gb_gil_thread *t);

void gb_gil_acquire(struct gb_gil_thread *t);
void gb_gil_release(struct gb_gil_thread *t);
void gb_gil_check_slow(struct gb_gil_thread *t);

/* The eval-breaker check point, inlined into the bytecode loop. */
static inline void gb_gil_check(struct gb_gil_thread *t)
{
	if (__builtin_expect(--t->countdown == 0 ||
	                             atomic_load_explicit(&t->breaker, memory_order_relaxed),
	                     0))
		gb_gil_check_slow(t);
}

static inline void gb_gil_trace(struct gb_gil_thread *t, enum gb_trace_event ev)
{
	if (t->trace.capacity) {
		struct gb_trace_rec *r = &t->trace.recs[t->trace.total % t->trace.capacity];
		r->ns = gb_clock_now_ns();
		r->thread = t->id;
		r->event = (uint32_t)ev;
		t->trace.total++;
	}
}

const char *gb_trace_event_name(enum gb_trace_event ev);

/* Adds src into dst (max for wait_max_ns). */
void gb_gil_counters_add(struct gb_gil_counters *dst, const struct gb_gil_counters *src);

#endif
