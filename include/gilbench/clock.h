/*
 * gilbench/clock.h - the runtime's two clocks, for everything that runs
 * below the harness (GIL policies, the interpreter, models, plugins).
 */
#ifndef GILBENCH_CLOCK_H
#define GILBENCH_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in ns: the one clock for timestamps (traces, deadlines). */
uint64_t gb_clock_now_ns(void);

/*
 * The clock durations (GIL hold and wait times) are measured with: the
 * invariant TSC (x86-64) or the generic timer (aarch64) scaled to ns,
 * calibrated once against CLOCK_MONOTONIC; CLOCK_MONOTONIC itself
 * elsewhere. Its origin is CLOCK_MONOTONIC's, give or take the calibration
 * error (a few ppm): use it for durations, gb_clock_now_ns() for
 * timestamps. About half the cost of a clock_gettime(), and acquire+release
 * read it twice.
 */
uint64_t gb_clock_fast_ns(void);

/* The names of ABI 2's first plugins, kept so that they still load. */
uint64_t gb_gil_now_ns(void) __attribute__((deprecated("use gb_clock_now_ns")));
uint64_t gb_gil_clock_ns(void) __attribute__((deprecated("use gb_clock_fast_ns")));

#endif
