/*
 * micro.h - the ops `gilbench micro` times. An op is one row of a table:
 * a name, the baseline it is judged against and the ratio to meet, and a
 * function that runs it `iters` times and reports ns per op. micro.c
 * repeats, calibrates and prints; it knows no op.
 *
 * To add ops from another file: define a table (ending with an all-zero
 * row) and add one line GB_MICRO_TABLE(its_name) to bench/micro_ops.def.
 */
#ifndef GB_MICRO_H
#define GB_MICRO_H

#include <stddef.h>
#include <stdint.h>

enum gb_micro_flags {
	GB_MICRO_EACH_POLICY = 1u << 0, /* one op per GIL policy: "%s" in name = the policy */
	GB_MICRO_LATENCY = 1u << 1,     /* fn reports a median of single samples, not a mean */
};

struct gb_micro_op {
	const char *name;     /* JSON key, snake_case; may hold one "%s" with EACH_POLICY */
	const char *baseline; /* name of the op this one is judged against, or NULL */
	double target;        /* met when median / baseline median <= target; 0 = none */
	unsigned flags;       /* enum gb_micro_flags */
	const char *arg;      /* handed to fn (EACH_POLICY: the policy name) */
	/*
	 * Runs the op `iters` times (set-up and tear-down outside the timed
	 * part) and stores ns per op. 0 or -errno; on error it may write one
	 * reason into why.
	 */
	int (*fn)(const char *arg, uint64_t iters, double *ns_per_op, char *why, size_t why_len);
};

/* For ops that need two CPUs: binds the calling thread to the first (0) or
 * second (1) CPU the run uses; a no-op with one CPU. */
void gb_micro_pin(unsigned which);

#endif
