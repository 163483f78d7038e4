/*
 * test_hist.c - the latency histogram: bucket bounds, the documented 1/128
 * relative error, and percentiles of known distributions.
 */
#include <stdlib.h>

#include "hist.h"
#include "tap.h"

int main(void)
{
	static struct gb_hist h;
	double worst = 0.0;
	int mono = 1;

	/* Every value maps to a bucket whose midpoint is within 1/128 of it. */
	for (uint64_t v = 1; v < (1ull << 40); v = v * 3 / 2 + 1) {
		for (uint64_t d = 0; d < 3; d++) {
			uint64_t x = v + d;
			unsigned i = gb_hist_index(x);
			double err = (double)gb_hist_midpoint(i) - (double)x;
			if (err < 0)
				err = -err;
			if (err / (double)x > worst)
				worst = err / (double)x;
			if (i >= GB_HIST_BUCKETS)
				mono = 0;
		}
	}
	ok(worst <= 1.0 / 128.0, "relative error %.5f <= 1/128", worst);
	ok(mono, "every index is inside the bucket array");
	is_int(gb_hist_index(UINT64_MAX), GB_HIST_BUCKETS - 1, "largest value, last bucket");
	for (uint64_t v = 0; v < 128; v++)
		if (gb_hist_midpoint(gb_hist_index(v)) != v)
			mono = 0;
	ok(mono, "values below 128 are exact");

	/* 1..10000 us uniformly: p50 5000, p90 9000, p99 9900, max 10000. */
	gb_hist_reset(&h);
	is_int(gb_hist_quantile(&h, 0.5), 0, "empty histogram p50 is 0");
	for (uint64_t v = 1; v <= 10000; v++)
		gb_hist_record(&h, v * 1000);
	is_int(gb_hist_count(&h), 10000, "count");
	ok(llabs((long long)gb_hist_quantile(&h, 0.50) - 5000000) <= 5000000 / 128, "p50 ~ 5 ms");
	ok(llabs((long long)gb_hist_quantile(&h, 0.90) - 9000000) <= 9000000 / 128, "p90 ~ 9 ms");
	ok(llabs((long long)gb_hist_quantile(&h, 0.99) - 9900000) <= 9900000 / 128, "p99 ~ 9.9 ms");
	is_int(gb_hist_quantile(&h, 1.0), 10000000, "max is exact");
	is_int(gb_hist_quantile(&h, 0.0), 1000, "min is exact");

	/* A single value: every percentile is that value, never beyond it. */
	gb_hist_reset(&h);
	gb_hist_record(&h, 123456);
	is_int(gb_hist_quantile(&h, 0.5), 123456, "single value p50 clamps to it");
	return gb_tap_done();
}
