/*
 * test_adaptive_reps.c - when adaptive repetitions stop
 * (gb_stats_reps_enough): by counters, never by timing. Identical samples
 * reach any target at min-reps; spread ones go on until the cap; the
 * interval's half-width is relative to the median.
 */
#include <math.h>

#include "stats.h"
#include "tap.h"

int main(void)
{
	const double same[] = {2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0};
	/* median 1.0; at n = 6 the interval is [min, max] = [0.5, 1.5] */
	const double wide[] = {0.5, 0.9, 1.0, 1.0, 1.1, 1.5, 1.0, 1.0, 1.0, 1.0};
	size_t n;

	is_int(gb_stats_reps_enough(same, 2, 3, 8, 1.0), GB_STATS_REPS_MORE,
	       "identical, below min-reps: more");
	is_int(gb_stats_reps_enough(same, 3, 3, 8, 1.0), GB_STATS_REPS_TARGET,
	       "identical samples reach the target at min-reps");
	is_int(gb_stats_reps_enough(same, 1, 1, 8, 0.01), GB_STATS_REPS_TARGET,
	       "one sample, min-reps 1: a point interval is within any target");
	is_dbl(gb_stats_ci_rel_pct(wide, 6), 50.0, 1e-9, "n=6: half of [0.5, 1.5] over 1.0 is 50%");
	is_int(gb_stats_reps_enough(wide, 6, 3, 8, 10.0), GB_STATS_REPS_MORE,
	       "50% > 10%: more below the cap");
	is_int(gb_stats_reps_enough(wide, 6, 3, 6, 10.0), GB_STATS_REPS_MAX, "at the cap: max");
	is_int(gb_stats_reps_enough(wide, 6, 3, 8, 60.0), GB_STATS_REPS_TARGET,
	       "50% < 60%: target");
	/* the count a loop over the samples stops at: the cap, and never past it */
	for (n = 1; gb_stats_reps_enough(wide, n, 2, 5, 1.0) == GB_STATS_REPS_MORE; n++)
		;
	is_int(n, 5, "spread samples: the loop stops at max-reps 5");
	for (n = 1; gb_stats_reps_enough(same, n, 4, 8, 1.0) == GB_STATS_REPS_MORE; n++)
		;
	is_int(n, 4, "identical samples: the loop stops at min-reps 4");
	ok(isinf(gb_stats_ci_rel_pct(wide, 0)), "no samples: no interval");
	return gb_tap_done();
}
