/*
 * hist.h - an HDR-style log-linear histogram of nanosecond latencies.
 *
 * Values below 128 are counted exactly; above, each power of two is split
 * into 64 sub-buckets, and a percentile is reported as its bucket's
 * midpoint: the relative error is at most 1/128 (0.78%). Recording is one
 * relaxed atomic increment, so forked children can share one histogram in
 * MAP_SHARED memory.
 */
#ifndef GB_HIST_H
#define GB_HIST_H

#include <stdatomic.h>
#include <stdint.h>

#define GB_HIST_BUCKETS (128 + 57 * 64)

struct gb_hist {
	_Atomic uint64_t count;
	_Atomic uint64_t max;
	_Atomic uint64_t min;
	_Atomic uint64_t buckets[GB_HIST_BUCKETS];
};

void gb_hist_reset(struct gb_hist *h);
void gb_hist_record(struct gb_hist *h, uint64_t v);
uint64_t gb_hist_count(const struct gb_hist *h);
/* q in [0,1]; the exact max for q == 1; 0 when empty. */
uint64_t gb_hist_quantile(const struct gb_hist *h, double q);

/* Exposed for tests: the bucket of v and the midpoint of a bucket. */
unsigned gb_hist_index(uint64_t v);
uint64_t gb_hist_midpoint(unsigned idx);

#endif
