/*
 * clock.c - the runtime's two clocks: CLOCK_MONOTONIC for timestamps
 * (traces, deadlines) and a cheaper duration clock for GIL hold and wait
 * times, read twice per acquire+release. Not a general timing library:
 * the harness owns wall-clock measurement.
 *
 * The duration clock is the invariant TSC on x86-64 (cntvct_el0 on
 * aarch64) scaled to ns. A clock_gettime() costs about 16 ns on the
 * machines we measured and a bare rdtsc about 7, and the uncontended GIL
 * fast path has no other cost of that size. The TSC rate is calibrated once
 * per process against CLOCK_MONOTONIC over 2 ms (error: a few ppm), so
 * durations agree with CLOCK_MONOTONIC well within what we report.
 */
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include <gilbench/clock.h>

#include "gil_impl.h"

#define CLOCK_CALIBRATE_NS 2000000ull

struct gb__clock gb__clock;

static pthread_once_t clock_once = PTHREAD_ONCE_INIT;

uint64_t gb_clock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
static int clock_tsc_invariant(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u)
		return 0;
	__get_cpuid(0x80000007u, &a, &b, &c, &d);
	return (d >> 8) & 1u; /* "Invariant TSC": constant rate, runs in deep C-states */
}

/* A (tick, ns) pair: the ns read bracketed by two ticks, best of three. */
static void clock_pair(uint64_t *tick, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	*tick = 0;
	*ns = 0;
	for (int i = 0; i < 3; i++) {
		uint64_t a = __rdtsc();
		uint64_t n = gb_clock_now_ns();
		uint64_t b = __rdtsc();
		if (b - a < best) {
			best = b - a;
			*tick = a + (b - a) / 2;
			*ns = n;
		}
	}
}

static void clock_calibrate(void)
{
	uint64_t t0 = 0, n0 = 0, t1 = 0, n1 = 0;
	unsigned __int128 mult;

	if (!clock_tsc_invariant())
		return;
	clock_pair(&t0, &n0);
	do
		clock_pair(&t1, &n1);
	while (n1 - n0 < CLOCK_CALIBRATE_NS);
	if (t1 <= t0)
		return;
	mult = ((unsigned __int128)(n1 - n0) << 32) / (t1 - t0);
	/* Only rates between 100 MHz and 20 GHz are believable. */
	if (mult > ((unsigned __int128)10 << 32) || mult < ((unsigned __int128)1 << 32) / 20)
		return;
	gb__clock.tick0 = t1;
	gb__clock.ns0 = n1;
	gb__clock.mult = (uint64_t)mult;
	gb__clock.mode = GB__CLOCK_TSC;
}
#elif defined(__aarch64__)
static void clock_calibrate(void)
{
	uint64_t freq, v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	if (freq < 1000000u)
		return;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	gb__clock.ns0 = gb_clock_now_ns();
	gb__clock.tick0 = v;
	gb__clock.mult = (uint64_t)(((unsigned __int128)1000000000u << 32) / freq);
	gb__clock.mode = GB__CLOCK_CNTVCT;
}
#else
static void clock_calibrate(void)
{
}
#endif

void gb__clock_init(void)
{
	pthread_once(&clock_once, clock_calibrate);
}

uint64_t gb_clock_fast_ns(void)
{
	gb__clock_init();
	return gb__clock_ns();
}

void gb__deadline(struct timespec *ts, uint64_t ns)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ns += (uint64_t)ts->tv_nsec;
	ts->tv_sec += (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

int gb__cond_init_mono(void *cond)
{
	pthread_condattr_t attr;
	int err;

	err = pthread_condattr_init(&attr);
	if (err)
		return -err;
	err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!err)
		err = pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
	return -err;
}

/* ABI 2's first names of the two clocks (gilbench/clock.h). */
uint64_t gb_gil_now_ns(void)
{
	return gb_clock_now_ns();
}

uint64_t gb_gil_clock_ns(void)
{
	return gb_clock_fast_ns();
}
