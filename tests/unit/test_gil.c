/*
 * test_gil.c - the GIL policies, checked by behaviour: counters and the
 * order of trace events, never by how long anything took.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gilbench/gil.h>

#include "tap.h"

#define MAX_THREADS 4

/* Threads share the test through one of these. */
struct harness {
	struct gb_gil *gil;
	struct gb_gil_thread gt[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	atomic_int stop;
	atomic_int ready;
	atomic_int forced_once[MAX_THREADS];
	uint64_t iters;          /* per thread */
	uint64_t shared_counter; /* plain: only touched with the GIL held */
	uint64_t work[MAX_THREADS];
};

static struct harness H;
static int rc; /* tap.h macros evaluate their arguments twice */

/* The report hook harness_open gives its GIL (NULL: none). */
static void (*harness_report)(void *ctx, const struct gb_gil_stats *st);
static int report_calls;
static struct gb_gil_stats reported;

static void on_report(void *ctx, const struct gb_gil_stats *st)
{
	(void)ctx;
	report_calls++;
	reported = *st;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static uint64_t burn(uint64_t x)
{
	for (int i = 0; i < 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

static int harness_open(const char *policy, double interval_s, unsigned check_interval,
                        size_t trace_capacity, unsigned nthreads)
{
	struct gb_gil_config cfg = {
	        .policy = policy,
	        .switch_interval_s = interval_s,
	        .check_interval = check_interval,
	        .trace_capacity = trace_capacity,
	        .report = harness_report,
	};
	int err;

	memset(&H, 0, sizeof(H));
	err = gb_gil_create(&cfg, &H.gil);
	if (err)
		return err;
	for (unsigned i = 0; i < nthreads; i++) {
		err = gb_gil_thread_attach(H.gil, i, &H.gt[i]);
		if (err)
			return err;
	}
	return 0;
}

static void harness_close(unsigned nthreads)
{
	for (unsigned i = 0; i < nthreads; i++)
		gb_gil_thread_detach(&H.gt[i]);
	gb_gil_destroy(H.gil);
	H.gil = NULL;
}

static void harness_run(void *(*fn)(void *), unsigned nthreads)
{
	for (uintptr_t i = 0; i < nthreads; i++)
		pthread_create(&H.tid[i], NULL, fn, (void *)i);
}

static void harness_join(unsigned nthreads)
{
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(H.tid[i], NULL);
}

static struct gb_gil_counters harness_sum(unsigned nthreads)
{
	struct gb_gil_counters sum = {0};

	for (unsigned i = 0; i < nthreads; i++)
		gb_gil_counters_add(&sum, &H.gt[i].c);
	return sum;
}

/* All threads' trace records, oldest first. */
struct merged {
	struct gb_trace_rec *r;
	size_t n;
	int complete; /* no ring wrapped */
};

static int rec_cmp(const void *a, const void *b)
{
	const struct gb_trace_rec *x = a, *y = b;

	return x->ns < y->ns ? -1 : x->ns > y->ns;
}

static struct merged trace_merge(unsigned nthreads)
{
	struct merged m = {.complete = 1};
	size_t total = 0;

	for (unsigned i = 0; i < nthreads; i++)
		total += H.gt[i].trace.total < H.gt[i].trace.capacity ? H.gt[i].trace.total
		                                                      : H.gt[i].trace.capacity;
	m.r = calloc(total ? total : 1, sizeof(*m.r));
	for (unsigned i = 0; i < nthreads; i++) {
		const struct gb_trace_ring *ring = &H.gt[i].trace;
		uint64_t n = ring->total < ring->capacity ? ring->total : ring->capacity;
		if (ring->total > ring->capacity)
			m.complete = 0;
		for (uint64_t k = ring->total - n; k < ring->total; k++)
			m.r[m.n++] = ring->recs[k % ring->capacity];
	}
	qsort(m.r, m.n, sizeof(*m.r), rec_cmp);
	return m;
}

/* --- mutual exclusion --- */

static void *mutex_worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct gb_gil_thread *t = &H.gt[id];
	uint64_t x = id + 1;

	/* Start together, so the threads really contend. */
	atomic_fetch_add(&H.ready, 1);
	while (atomic_load(&H.ready) < MAX_THREADS)
		sched_yield();
	gb_gil_acquire(t);
	for (uint64_t i = 0; i < H.iters; i++) {
		H.shared_counter++;
		x = burn(x);
		gb_gil_check(t);
		if (i % 5000 == 4999) { /* an I/O call now and then */
			gb_gil_release(t);
			gb_gil_acquire(t);
		}
	}
	gb_gil_release(t);
	H.work[id] = x;
	return NULL;
}

static void test_mutual_exclusion(const char *policy)
{
	const unsigned n = MAX_THREADS;
	struct gb_gil_counters sum;
	int err;

	err = harness_open(policy, 0.0001, 50, 0, n);
	is_int(err, 0, "mutex: create and attach");
	if (err)
		return;
	H.iters = 1000000;
	harness_run(mutex_worker, n);
	harness_join(n);
	sum = harness_sum(n);
	ok(H.shared_counter == n * H.iters, "%s: %u threads x %llu increments under the GIL = %llu",
	   policy, n, (unsigned long long)H.iters, (unsigned long long)H.shared_counter);
	ok(sum.acquisitions >= n * (1 + H.iters / 5000), "%s: every acquire counted (%llu)", policy,
	   (unsigned long long)sum.acquisitions);
	ok(sum.voluntary_drops == n * (1 + H.iters / 5000),
	   "%s: voluntary drops = explicit releases (%llu)", policy,
	   (unsigned long long)sum.voluntary_drops);
	ok(sum.acquisitions == sum.forced_drops + sum.voluntary_drops,
	   "%s: every acquire matched by one drop (%llu = %llu + %llu)", policy,
	   (unsigned long long)sum.acquisitions, (unsigned long long)sum.forced_drops,
	   (unsigned long long)sum.voluntary_drops);
	ok(sum.switches <= sum.acquisitions,
	   "%s: switches <= acquisitions (%llu switches, %llu forced, %llu futile)", policy,
	   (unsigned long long)sum.switches, (unsigned long long)sum.forced_drops,
	   (unsigned long long)sum.futile_wakeups);
	harness_close(n);
}

/* --- a lone CPU-bound thread --- */

static void test_lone_thread(const char *policy)
{
	struct gb_gil_thread *t;
	uint64_t x = 1, t0;
	int err = harness_open(policy, 0.001, 0, 0, 1);

	is_int(err, 0, "lone: create and attach");
	if (err)
		return;
	t = &H.gt[0];
	gb_gil_acquire(t);
	/* Twenty switch intervals of bytecodes, with a check point each. */
	t0 = now_ns();
	while (now_ns() - t0 < 20000000ull) {
		for (int i = 0; i < 1000; i++) {
			x = burn(x);
			gb_gil_check(t);
		}
	}
	gb_gil_release(t);
	is_int(t->c.drop_requests, 0, "lone: no drop request");
	is_int(t->c.forced_drops, 0, "lone: never forced to drop");
	is_int(t->c.switch_waits, 0, "lone: never waits on switch_cond");
	is_int(t->c.futile_wakeups, 0, "lone: never woken");
	is_int(t->c.acquisitions, 1, "lone: one acquisition");
	is_int(t->c.wait_ns, 0, "lone: no wait time");
	ok(t->c.hold_ns > 0, "lone: hold time recorded");
	{
		struct gb_gil_stats st;
		gb_gil_stats_get(H.gil, &st);
		is_int(st.contended_ns, 0, "lone: the GIL was never contended");
	}
	H.work[0] = x;
	harness_close(1);
}

/* --- two CPU-bound threads: FORCE_SWITCHING --- */

static void *cpu_worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct gb_gil_thread *t = &H.gt[id];
	uint64_t x = id + 1;

	gb_gil_acquire(t);
	while (!atomic_load_explicit(&H.stop, memory_order_relaxed)) {
		for (int i = 0; i < 100; i++) {
			x = burn(x);
			gb_gil_check(t);
		}
		if (t->c.forced_drops &&
		    !atomic_load_explicit(&H.forced_once[id], memory_order_relaxed))
			atomic_store(&H.forced_once[id], 1);
	}
	gb_gil_release(t);
	H.work[id] = x;
	return NULL;
}

static void test_force_switching(const char *policy)
{
	struct gb_gil_counters sum;
	struct merged m;
	size_t forced = 0, bad = 0;
	int err = harness_open(policy, 0.001, 0, 1u << 16, 2);

	is_int(err, 0, "force: create and attach");
	if (err)
		return;
	harness_run(cpu_worker, 2);
	sleep_ms(300);
	atomic_store(&H.stop, 1);
	harness_join(2);
	sum = harness_sum(2);
	ok(sum.drop_requests > 0, "%s: two CPU-bound threads: drop requests (%llu)", policy,
	   (unsigned long long)sum.drop_requests);
	ok(sum.forced_drops > 0, "%s: forced drops (%llu)", policy,
	   (unsigned long long)sum.forced_drops);
	/* A forced thread waits only if the waiter has not taken the GIL yet:
	 * how many do depends on scheduling, so only the bound is checked. */
	ok(sum.switch_waits <= sum.forced_drops + 2,
	   "%s: switch_cond waits only after drops with a request (%llu of %llu)", policy,
	   (unsigned long long)sum.switch_waits, (unsigned long long)sum.forced_drops);
	m = trace_merge(2);
	ok(m.complete, "%s: trace ring held every event (%zu)", policy, m.n);
	for (size_t i = 0; i < m.n; i++) {
		if (m.r[i].event != GB_EV_DROP_FORCED)
			continue;
		forced++;
		for (size_t j = i + 1; j < m.n; j++) {
			if (m.r[j].event == GB_EV_ACQUIRE) {
				if (m.r[j].thread == m.r[i].thread)
					bad++;
				break;
			}
		}
	}
	ok(forced == sum.forced_drops, "%s: every forced drop traced (%zu)", policy, forced);
	is_int(bad, 0, "after every forced drop the other thread acquires next");
	free(m.r);
	harness_close(2);
}

/*
 * --- the "timeout with no switch in between" rule ---
 *
 * A waiter asks for a drop only after a whole timed wait of one interval
 * with no switch, and it starts that wait after the holder took the GIL,
 * which is after the previous holder's drop. So every forced drop comes
 * more than one interval after the last drop by another thread: a bound on
 * the order of trace events and the monotonic clock (a timed wait never
 * ends early), which no load can break. Four threads hold for random spans
 * and wait at random moments, so up to three wait at once with waits begun
 * before the last switch: a policy that asks on every timeout, ignoring
 * switch_number, asks a new holder as soon as such a wait runs out, and
 * breaks the bound again and again.
 */
static void *rule_worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct gb_gil_thread *t = &H.gt[id];
	uint64_t x = id + 1, rnd = 0x9e3779b97f4a7c15ull * (id + 1);
	uint64_t ival = H.iters; /* the switch interval, ns */

	/*
	 * Hold for a random half to three intervals, then sleep off the GIL for
	 * up to one: waits start at scattered moments, not in step with the
	 * switches, which is when the rule (and only the rule) holds requests
	 * back.
	 */
	while (!atomic_load_explicit(&H.stop, memory_order_relaxed)) {
		uint64_t t0, hold, nap;
		rnd = burn(rnd);
		hold = ival / 2 + rnd % (5 * ival / 2);
		nap = (rnd >> 32) % ival;
		gb_gil_acquire(t);
		t0 = now_ns();
		while (now_ns() - t0 < hold && !atomic_load_explicit(&H.stop, memory_order_relaxed))
			for (int i = 0; i < 100; i++) {
				x = burn(x);
				gb_gil_check(t);
			}
		gb_gil_release(t);
		atomic_store_explicit(&H.forced_once[id], (int)t->c.forced_drops,
		                      memory_order_relaxed);
		struct timespec ts = {0, (long)nap};
		nanosleep(&ts, NULL);
	}
	H.work[id] = x;
	return NULL;
}

static void test_no_switch_rule(const char *policy)
{
	const double interval = 0.002;
	const unsigned n = MAX_THREADS, want = 100;
	const uint64_t ival = (uint64_t)(interval * 1e9);
	uint64_t t0, min_gap = UINT64_MAX;
	size_t checked = 0, early = 0;
	struct merged m;
	int err = harness_open(policy, interval, 0, 1u << 16, n);

	is_int(err, 0, "rule: create and attach");
	if (err)
		return;
	H.iters = ival;
	harness_run(rule_worker, n);
	/* Until enough forced drops happened (bounded, for a stalled machine). */
	t0 = now_ns();
	for (;;) {
		unsigned forced = 0;
		for (unsigned i = 0; i < n; i++)
			forced += (unsigned)atomic_load(&H.forced_once[i]);
		if (forced >= want || now_ns() - t0 > 60000000000ull)
			break;
		sleep_ms(10);
	}
	atomic_store(&H.stop, 1);
	harness_join(n);
	m = trace_merge(n);
	for (size_t i = 0; i < m.n; i++) {
		if (m.r[i].event != GB_EV_DROP_FORCED)
			continue;
		for (size_t j = i; j-- > 0;) {
			const struct gb_trace_rec *d = &m.r[j];
			if (d->thread == m.r[i].thread ||
			    (d->event != GB_EV_DROP_FORCED && d->event != GB_EV_DROP_VOLUNTARY))
				continue;
			checked++;
			early += m.r[i].ns - d->ns <= ival;
			if (m.r[i].ns - d->ns < min_gap)
				min_gap = m.r[i].ns - d->ns;
			break;
		}
	}
	ok(m.complete, "%s rule: the trace rings held every event", policy);
	ok(checked >= want - n, "%s rule: %zu forced drops after another thread's drop", policy,
	   checked);
	is_int(early, 0, "each came more than one interval after the other thread's drop");
	printf("#   %s: shortest gap %.3f ms (interval %.3f ms)\n", policy, (double)min_gap / 1e6,
	       interval * 1e3);
	free(m.r);
	harness_close(n);
}

/*
 * --- per-GIL counters ---
 *
 * Two CPU-bound threads for a while: the GIL's totals are its threads'
 * counters (folded at detach), its contended time lies within the threads'
 * time in take_gil, and destroy hands the totals to the report hook once.
 */
static void test_gil_stats(void)
{
	struct gb_gil_stats st, none;
	struct gb_gil_counters sum;
	struct gb_gil_config cfg = {.report = on_report};
	struct gb_gil *unused;
	uint64_t t0, elapsed;
	int err;

	report_calls = 0;
	rc = gb_gil_create(&cfg, &unused);
	is_int(rc, 0, "stats: a GIL no thread attached to");
	if (!rc) {
		gb_gil_stats_get(unused, &none);
		ok(none.threads == 0 && none.acquisitions == 0 && none.contended_ns == 0,
		   "stats: start at zero");
		gb_gil_destroy(unused);
		is_int(report_calls, 0, "stats: a GIL nobody used reports nothing");
	}

	harness_report = on_report;
	err = harness_open("new", 0.001, 0, 0, 2);
	harness_report = NULL;
	is_int(err, 0, "stats: create and attach");
	if (err)
		return;
	t0 = now_ns();
	harness_run(cpu_worker, 2);
	sleep_ms(200);
	atomic_store(&H.stop, 1);
	harness_join(2);
	elapsed = now_ns() - t0;
	sum = harness_sum(2);
	for (unsigned i = 0; i < 2; i++)
		gb_gil_thread_detach(&H.gt[i]);
	gb_gil_stats_get(H.gil, &st);
	is_int(st.threads, 2, "stats: two threads attached");
	ok(st.acquisitions == sum.acquisitions && st.switches == sum.switches &&
	           st.drop_requests == sum.drop_requests &&
	           st.forced_switches == sum.forced_drops && st.held_ns == sum.hold_ns &&
	           st.wait_ns == sum.wait_ns,
	   "stats: the GIL's counters are its threads' (%llu acquisitions, %llu switches)",
	   (unsigned long long)st.acquisitions, (unsigned long long)st.switches);
	ok(st.contended_ns > 0, "stats: contended while one thread waited (%.1f ms)",
	   (double)st.contended_ns / 1e6);
	ok(st.contended_ns <= st.wait_ns,
	   "stats: contended time lies within the threads' waits (%llu <= %llu)",
	   (unsigned long long)st.contended_ns, (unsigned long long)st.wait_ns);
	/* One holder at a time, one contended span at a time: neither exceeds the
	 * time the test took (1 ms for the clocks' calibration difference). */
	ok(st.held_ns <= elapsed + 1000000 && st.contended_ns <= elapsed + 1000000,
	   "stats: held %.1f ms and contended %.1f ms within %.1f ms", (double)st.held_ns / 1e6,
	   (double)st.contended_ns / 1e6, (double)elapsed / 1e6);
	ok(sum.requested_acquisitions >= 1 && sum.requested_acquisitions <= sum.acquisitions,
	   "stats: acquisitions after a drop request counted (%llu)",
	   (unsigned long long)sum.requested_acquisitions);
	gb_gil_destroy(H.gil);
	H.gil = NULL;
	is_int(report_calls, 1, "stats: destroy reported once");
	ok(memcmp(&reported, &st, sizeof(st)) == 0, "stats: with the GIL's totals");
}

/* --- I/O releases --- */

static void *io_worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct gb_gil_thread *t = &H.gt[id];
	uint64_t x = id + 1;

	for (uint64_t i = 0; i < H.iters; i++) {
		gb_gil_acquire(t);
		x = burn(x);
		H.shared_counter++;
		gb_gil_release(t);
		if (i % 16 == 0)
			sched_yield();
	}
	H.work[id] = x;
	return NULL;
}

static void test_io_release(const char *policy)
{
	struct gb_gil_counters sum;
	/* An interval no wait in this test can reach: no request can be made. */
	int err = harness_open(policy, 30.0, 0, 0, 2);

	is_int(err, 0, "io: create and attach");
	if (err)
		return;
	H.iters = 2000;
	harness_run(io_worker, 2);
	harness_join(2);
	sum = harness_sum(2);
	is_int(sum.drop_requests, 0, "io: no drop request");
	is_int(sum.switch_waits, 0, "io: I/O releases with no request never wait on switch_cond");
	is_int(sum.voluntary_drops, 2 * H.iters, "io: every release voluntary");
	is_int(sum.forced_drops, 0, "io: no forced drop");
	is_int(sum.requested_acquisitions, 0, "io: no acquisition had to ask");
	is_int(H.shared_counter, 2 * H.iters, "io: exclusion held");
	harness_close(2);
}

static void *requester(void *arg)
{
	struct gb_gil_thread *t = &H.gt[1];

	gb_gil_acquire(t);
	gb_gil_release(t);
	return arg;
}

/*
 * CPython's drop_gil makes any drop wait while a request is pending, if
 * nobody has taken the GIL yet. Whether the waiter is faster is up to the
 * scheduler, so the scenario runs 20 times: with two CPUs the waiter wins
 * the race now and then, with one it never does.
 */
static void test_release_with_request(void)
{
	const unsigned rounds = 20;
	struct gb_gil_thread *a;
	unsigned seen_all = 1, consistent = 1;
	int err = harness_open("new", 0.02, 0, 0, 2);

	is_int(err, 0, "pending: create and attach");
	if (err)
		return;
	a = &H.gt[0];
	for (unsigned r = 0; r < rounds; r++) {
		uint64_t t0, waits = a->c.switch_waits;
		int seen = 0;

		gb_gil_acquire(a);
		pthread_create(&H.tid[1], NULL, requester, NULL);
		t0 = now_ns();
		while (!seen && now_ns() - t0 < 10000000000ull) {
			seen = atomic_load(&a->breaker) & GB_GIL_BREAK_DROP;
			if (!seen)
				sleep_ms(1);
		}
		seen_all &= seen;
		gb_gil_release(a); /* voluntary, with the request pending */
		pthread_join(H.tid[1], NULL);
		/* Waited (and cleared the bit), or found the GIL taken (bit left for
		 * the next take to clear). */
		consistent &= a->c.switch_waits == waits + 1
		                      ? !(atomic_load(&a->breaker) & GB_GIL_BREAK_DROP)
		                      : a->c.switch_waits == waits &&
		                                (atomic_load(&a->breaker) & GB_GIL_BREAK_DROP);
	}
	ok(seen_all, "pending: each time the waiter set the holder's drop bit");
	ok(consistent, "pending: each voluntary drop either waited once or found the GIL taken");
	ok(a->c.switch_waits >= 1 && a->c.switch_waits <= rounds,
	   "pending: voluntary drops with a request waited on switch_cond (%llu of %u)",
	   (unsigned long long)a->c.switch_waits, rounds);
	is_int(a->c.forced_drops, 0, "pending: ... and are still counted voluntary");
	is_int(a->c.voluntary_drops, rounds, "pending: one voluntary drop per round");
	ok(H.gt[1].c.drop_requests >= rounds, "pending: the waiter asked each time");
	is_int(H.gt[1].c.requested_acquisitions, rounds,
	       "pending: each of its acquisitions counts as requested");
	is_int(a->c.requested_acquisitions, 0, "pending: the holder never had to ask");
	is_int(H.gt[1].c.switches, rounds, "pending: the waiter took it over each time");
	harness_close(2);
}

/* --- legacy ticks --- */

static void test_legacy_ticks(unsigned interval, unsigned checks)
{
	struct gb_gil_thread *t;
	int err = harness_open("legacy", 0, interval, 0, 1);

	is_int(err, 0, "legacy: create and attach");
	if (err)
		return;
	t = &H.gt[0];
	gb_gil_acquire(t);
	for (unsigned i = 0; i < checks; i++)
		gb_gil_check(t);
	gb_gil_release(t);
	ok(t->c.forced_drops == checks / interval,
	   "legacy: check_interval %u, %u check points: %llu releases", interval, checks,
	   (unsigned long long)t->c.forced_drops);
	is_int(t->c.acquisitions, 1 + checks / interval, "legacy: each release re-acquires");
	is_int(t->c.drop_requests, 0, "legacy: no drop requests");
	harness_close(1);
}

static void *legacy_worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct gb_gil_thread *t = &H.gt[id];
	uint64_t x = id + 1;

	gb_gil_acquire(t);
	for (uint64_t i = 0; i < H.iters; i++) {
		x = burn(x);
		gb_gil_check(t);
	}
	gb_gil_release(t);
	H.work[id] = x;
	return NULL;
}

static void test_legacy_two_threads(void)
{
	int err = harness_open("legacy", 0, 100, 0, 2);

	is_int(err, 0, "legacy2: create and attach");
	if (err)
		return;
	H.iters = 200003;
	harness_run(legacy_worker, 2);
	harness_join(2);
	for (unsigned i = 0; i < 2; i++)
		ok(H.gt[i].c.forced_drops == H.iters / 100,
		   "legacy2: thread %u releases once per 100 ticks under contention (%llu)", i,
		   (unsigned long long)H.gt[i].c.forced_drops);
	harness_close(2);
}

/* --- none --- */

static void *none_worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct gb_gil_thread *t = &H.gt[id];
	uint64_t t0 = now_ns(), x = id;

	gb_gil_acquire(t);
	atomic_fetch_add(&H.ready, 1);
	/* Hold "the GIL" until the other thread holds it too (bounded). */
	while (atomic_load(&H.ready) < 2 && now_ns() - t0 < 10000000000ull)
		x = burn(x);
	for (int i = 0; i < 1000; i++) {
		x = burn(x);
		gb_gil_check(t);
	}
	gb_gil_release(t);
	H.work[id] = x;
	return NULL;
}

static void test_none(void)
{
	struct gb_gil_counters sum, zero = {0};
	uint64_t acq[2] = {0}, drop[2] = {0};
	int err = harness_open("none", 0, 0, 64, 2);

	is_int(err, 0, "none: create and attach");
	if (err)
		return;
	harness_run(none_worker, 2);
	harness_join(2);
	sum = harness_sum(2);
	ok(memcmp(&sum, &zero, sizeof(sum)) == 0, "none: counts nothing (acquisitions %llu)",
	   (unsigned long long)sum.acquisitions);
	for (unsigned i = 0; i < 2; i++) {
		const struct gb_trace_ring *r = &H.gt[i].trace;
		for (uint64_t k = 0; k < r->total && k < r->capacity; k++) {
			if (r->recs[k].event == GB_EV_ACQUIRE)
				acq[i] = r->recs[k].ns;
			if (r->recs[k].event == GB_EV_DROP_VOLUNTARY)
				drop[i] = r->recs[k].ns;
		}
	}
	ok(acq[0] && acq[1] && drop[0] && drop[1], "none: trace has both threads' spans");
	ok((acq[0] > acq[1] ? acq[0] : acq[1]) < (drop[0] < drop[1] ? drop[0] : drop[1]),
	   "none: the two threads overlap in time");
	harness_close(2);
}

/* --- priority --- */

static void *prio_io_worker(void *arg)
{
	struct gb_gil_thread *t = &H.gt[2];

	for (int i = 0; i < 20; i++) {
		gb_gil_acquire(t);
		H.shared_counter++;
		gb_gil_release(t);
		sleep_ms(1);
	}
	return arg;
}

static void test_priority(void)
{
	const double interval = 0.1;
	struct merged m;
	uint64_t t0;
	size_t requests = 0, quick = 0, next_is_io = 0;
	pthread_t io;
	int err = harness_open("priority", interval, 0, 1u << 14, 3);

	is_int(err, 0, "priority: create and attach");
	if (err)
		return;
	harness_run(cpu_worker, 2);
	/* Both CPU threads must have been forced once: then they count as CPU-bound. */
	t0 = now_ns();
	while ((!atomic_load(&H.forced_once[0]) || !atomic_load(&H.forced_once[1])) &&
	       now_ns() - t0 < 20000000000ull)
		sleep_ms(10);
	ok(atomic_load(&H.forced_once[0]) && atomic_load(&H.forced_once[1]),
	   "priority: both CPU threads were forced to drop");
	pthread_create(&io, NULL, prio_io_worker, NULL);
	pthread_join(io, NULL);
	atomic_store(&H.stop, 1);
	harness_join(2);
	is_int(H.shared_counter, 20, "priority: the I/O thread ran 20 times");
	m = trace_merge(3);
	ok(m.complete, "priority: trace ring held every event");
	for (size_t i = 0; i < m.n; i++) {
		if (m.r[i].thread != 2 || m.r[i].event != GB_EV_DROP_REQUEST)
			continue;
		requests++;
		/* Its own REQUEST just before: asked at once, not after a timed wait. */
		for (size_t j = i; j-- > 0;) {
			if (m.r[j].thread == 2 && m.r[j].event == GB_EV_REQUEST) {
				if (m.r[i].ns - m.r[j].ns < (uint64_t)(interval * 1e9))
					quick++;
				break;
			}
		}
		for (size_t j = i + 1; j < m.n; j++) {
			if (m.r[j].event == GB_EV_ACQUIRE) {
				next_is_io += m.r[j].thread == 2;
				break;
			}
		}
	}
	ok(requests > 0, "priority: the I/O thread preempted a CPU-bound holder (%zu)", requests);
	ok(quick == requests, "priority: every such request came before any timed wait (%zu/%zu)",
	   quick, requests);
	ok(next_is_io == requests, "priority: and the I/O thread got the GIL next (%zu/%zu)",
	   next_is_io, requests);
	free(m.r);
	harness_close(3);
}

/* --- registry, config, helpers --- */

static int fake_create(struct gb_gil *gil)
{
	gil->impl = NULL;
	return 0;
}

static void fake_destroy(struct gb_gil *gil)
{
}

static void fake_acquire(struct gb_gil_thread *t)
{
	gb_gil_account_acquire(t, gb_clock_fast_ns(), 0, false);
}

static void fake_release(struct gb_gil_thread *t)
{
	gb_gil_account_release(t, false);
}

static void fake_check(struct gb_gil_thread *t)
{
	t->countdown = t->countdown_reset;
}

static void test_registry(void)
{
	static const char *const builtin[] = {"new", "new312", "priority", "legacy", "none"};
	static const struct gb_gil_policy fake = {
	        .name = "test_fake",
	        .summary = "a plugin policy",
	        .create = fake_create,
	        .destroy = fake_destroy,
	        .acquire = fake_acquire,
	        .release = fake_release,
	        .check_slow = fake_check,
	};
	static const struct gb_gil_policy incomplete = {.name = "half", .create = fake_create};
	static const struct gb_gil_policy dup = {
	        .name = "new",
	        .create = fake_create,
	        .destroy = fake_destroy,
	        .acquire = fake_acquire,
	        .release = fake_release,
	        .check_slow = fake_check,
	};
	struct gb_gil_config cfg = {.policy = "test_fake"};
	struct gb_gil *gil;
	size_t n = 0, at_fake = 0;

	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		ok(gb_gil_policy_find(builtin[i]) != NULL, "policy '%s' is built in", builtin[i]);
	ok(gb_gil_policy_find("nope") == NULL, "unknown policy: NULL");
	ok(gb_gil_policy_find(NULL) == NULL, "NULL name: NULL");
	rc = gb_gil_policy_register(NULL);
	is_int(rc, -EINVAL, "register NULL");
	rc = gb_gil_policy_register(&incomplete);
	is_int(rc, -EINVAL, "register an incomplete policy");
	rc = gb_gil_policy_register(&dup);
	is_int(rc, -EEXIST, "register a taken name");
	rc = gb_gil_policy_register(&fake);
	is_int(rc, 0, "register a plugin policy");
	rc = gb_gil_policy_register(&fake);
	is_int(rc, -EEXIST, "register it twice");
	ok(gb_gil_policy_find("test_fake") == &fake, "the plugin policy is found");
	for (const struct gb_gil_policy *p; (p = gb_gil_policy_at(n)); n++)
		if (p == &fake)
			at_fake = n;
	ok(n == 6 && at_fake == 5, "gb_gil_policy_at lists built-ins then plugins (%zu)", n);
	rc = gb_gil_create(&cfg, &gil);
	is_int(rc, 0, "create a GIL with the plugin policy");
	if (gil) {
		struct gb_gil_thread *t = aligned_alloc(GB_CACHE_LINE, sizeof(*t));
		rc = gb_gil_thread_attach(gil, 7, t);
		is_int(rc, 0, "attach to it");
		gb_gil_acquire(t);
		gb_gil_release(t);
		is_int(t->c.acquisitions, 1, "plugin acquire counted through the helper");
		is_int(t->c.voluntary_drops, 1, "plugin release counted through the helper");
		gb_gil_thread_detach(t);
		free(t);
		gb_gil_destroy(gil);
	}
}

static void test_config(void)
{
	struct gb_gil_config cfg = {0};
	struct gb_gil *gil = NULL;
	char raw[sizeof(struct gb_gil_thread) + GB_CACHE_LINE * 2];
	struct gb_gil_thread *mis;

	rc = gb_gil_create(&cfg, &gil);
	is_int(rc, 0, "zeroed config");
	if (gil) {
		ok(strcmp(gil->policy->name, "new") == 0, "zeroed config: policy new");
		is_int(gil->interval_ns, 5000000, "zeroed config: 5 ms interval");
		is_int(gil->cfg.check_interval, 100, "zeroed config: check interval 100");
		/* A pointer one byte past a cache line boundary. */
		mis = (struct gb_gil_thread *)(((uintptr_t)raw + GB_CACHE_LINE) / GB_CACHE_LINE *
		                                       GB_CACHE_LINE +
		                               8);
		rc = gb_gil_thread_attach(gil, 0, mis);
		is_int(rc, -EINVAL, "misaligned thread state");
		gb_gil_destroy(gil);
	}
	rc = gb_gil_create(NULL, &gil);
	is_int(rc, 0, "NULL config means defaults");
	gb_gil_destroy(gil);
	cfg.switch_interval_s = 1e-9;
	rc = gb_gil_create(&cfg, &gil);
	is_int(rc, 0, "a tiny interval");
	if (gil) {
		is_int(gil->interval_ns, 1000, "... is clamped to 1 us as sys.setswitchinterval");
		gb_gil_destroy(gil);
	}
	cfg.switch_interval_s = -1;
	rc = gb_gil_create(&cfg, &gil);
	is_int(rc, -EINVAL, "negative interval");
	ok(gil == NULL, "no GIL on error");
	cfg.switch_interval_s = NAN;
	rc = gb_gil_create(&cfg, &gil);
	is_int(rc, -EINVAL, "NaN interval");
	cfg.switch_interval_s = 0;
	cfg.overhead = -0.5;
	rc = gb_gil_create(&cfg, &gil);
	is_int(rc, -EINVAL, "negative overhead");
	cfg.overhead = 0;
	cfg.policy = "gil9000";
	rc = gb_gil_create(&cfg, &gil);
	is_int(rc, -ENOENT, "unknown policy");
}

static void test_helpers(void)
{
	struct gb_gil_counters a = {1, 2, 3, 10, 5, 6, 7, 8, 9, 10, 11};
	struct gb_gil_counters b = {10, 20, 30, 4, 50, 60, 70, 80, 90, 100, 110};
	struct gb_gil_config cfg = {.policy = "none", .trace_capacity = 4};
	struct gb_gil *gil;
	struct gb_gil_thread *t = aligned_alloc(GB_CACHE_LINE, sizeof(*t));
	uint64_t prev = 0;
	int ordered = 1;

	gb_gil_counters_add(&a, &b);
	ok(a.acquisitions == 11 && a.hold_ns == 22 && a.wait_ns == 33 && a.drop_requests == 55 &&
	           a.forced_drops == 66 && a.voluntary_drops == 77 && a.switch_waits == 88 &&
	           a.futile_wakeups == 99 && a.switches == 110 && a.requested_acquisitions == 121,
	   "counters_add sums");
	is_int(a.wait_max_ns, 10, "counters_add keeps the max wait");
	ok(strcmp(gb_trace_event_name(GB_EV_REQUEST), "request") == 0 &&
	           strcmp(gb_trace_event_name(GB_EV_DROP_FORCED), "drop_forced") == 0 &&
	           strcmp(gb_trace_event_name(GB_EV_IO_END), "io_end") == 0,
	   "trace event names");
	ok(strcmp(gb_trace_event_name(GB_EV__COUNT), "unknown") == 0, "unknown trace event");

	/* A ring of 4 keeps the newest 4 of 10 events. */
	gb_gil_create(&cfg, &gil);
	gb_gil_thread_attach(gil, 3, t);
	for (int i = 0; i < 5; i++) {
		gb_gil_acquire(t);
		gb_gil_release(t);
	}
	is_int(t->trace.total, 10, "trace: total counts every event");
	for (uint64_t k = t->trace.total - 4; k < t->trace.total; k++) {
		const struct gb_trace_rec *r = &t->trace.recs[k % 4];
		ordered &= r->ns >= prev && r->thread == 3 &&
		           r->event == (k % 2 ? GB_EV_DROP_VOLUNTARY : GB_EV_ACQUIRE);
		prev = r->ns;
	}
	ok(ordered, "trace: the ring holds the newest events in order");
	gb_gil_thread_detach(t);
	ok(t->trace.recs == NULL && t->gil == NULL, "detach frees the ring");
	gb_gil_destroy(gil);
	free(t);
	ok(gb_clock_fast_ns() > 0 && gb_clock_now_ns() > 0, "clocks run");
}

static void test_detach_holding(void)
{
	struct gb_gil_thread *a;
	int err = harness_open("new", 0.001, 0, 0, 2);

	is_int(err, 0, "detach: create and attach");
	if (err)
		return;
	a = &H.gt[0];
	gb_gil_acquire(a);
	gb_gil_thread_detach(a); /* still holding: detach must let it go */
	gb_gil_acquire(&H.gt[1]);
	ok(H.gt[1].holds, "detach while holding releases the GIL");
	gb_gil_release(&H.gt[1]);
	gb_gil_thread_detach(&H.gt[1]);
	gb_gil_destroy(H.gil);
}

int main(void)
{
	static const char *const locking[] = {"new", "new312", "priority", "legacy"};

	test_registry();
	test_config();
	test_helpers();
	for (size_t i = 0; i < sizeof(locking) / sizeof(locking[0]); i++)
		test_mutual_exclusion(locking[i]);
	test_lone_thread("new");
	test_lone_thread("new312");
	test_force_switching("new");
	test_force_switching("new312");
	test_no_switch_rule("new");
	test_no_switch_rule("new312");
	test_gil_stats();
	test_io_release("new");
	test_io_release("new312");
	test_release_with_request();
	test_legacy_ticks(100, 10000);
	test_legacy_ticks(7, 1000);
	test_legacy_two_threads();
	test_none();
	test_priority();
	test_detach_holding();
	return gb_tap_done();
}
