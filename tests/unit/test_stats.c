/*
 * test_stats.c - bench/stats against known vectors. The expected figures
 * come from outside this code: Python's statistics module (type 7 =
 * quantiles(method='inclusive')), a brute-force enumeration of every
 * split for exact U p-values, math.comb for the median interval, and the
 * Mann-Whitney example of the SciPy documentation.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_summary(void)
{
	/* python3: statistics.median/mean/stdev, MAD, quantiles inclusive */
	const double v[] = {1.02, 0.98, 1.05, 1.00, 0.99, 1.01, 1.30, 0.97, 1.03, 1.00};
	struct gb_summary s;

	is_int(gb_stats_summarize(v, N(v), &s), 0, "summarize 10 values");
	is_int(s.n, 10, "n");
	is_dbl(s.median, 1.005, 1e-12, "median");
	is_dbl(s.mean, 1.035, 1e-12, "mean");
	is_dbl(s.stddev, 0.0960613230065971, 1e-12, "sample stddev");
	is_dbl(s.mad, 0.02, 1e-12, "MAD (unscaled)");
	is_dbl(s.min, 0.97, 0, "min");
	is_dbl(s.max, 1.30, 0, "max");
	/* n = 10: order statistics 2 and 9 (coverage 1 - 22/1024) */
	is_dbl(s.ci95_lo, 0.98, 0, "ci95 lo = x(2)");
	is_dbl(s.ci95_hi, 1.05, 0, "ci95 hi = x(9)");
	is_dbl(s.ci_level, 1 - 22.0 / 1024, 1e-12, "ci_level: the real coverage at n = 10");
	is_dbl(s.cv, 0.09281287247014214, 1e-12, "cv");
	is_int(s.outliers, 1, "1.30 is the one IQR outlier");
	ok(s.noisy, "cv 9.3%% is noisy");
	/* cv 9.3% needs ~57 reps per side to see 5% */
	ok(s.too_few, "10 reps too few at cv 9.3%%");

	const double tight[] = {1.000, 1.002, 0.999, 1.001, 0.998, 1.003, 1.000, 0.997};
	is_int(gb_stats_summarize(tight, N(tight), &s), 0, "summarize tight");
	ok(!s.noisy && !s.too_few, "tight samples: neither noisy nor too few");
	is_int(s.outliers, 0, "no outliers");

	const double one[] = {2.5};
	is_int(gb_stats_summarize(one, 1, &s), 0, "summarize 1 value");
	is_dbl(s.stddev, 0, 0, "stddev of one value is 0");
	is_dbl(s.ci95_lo, 2.5, 0, "ci of one value");
	is_dbl(s.ci_level, 0, 0, "one value covers the median with probability 0");

	const double three[] = {1.0, 1.1, 0.9};
	is_int(gb_stats_summarize(three, 3, &s), 0, "summarize 3 values");
	ok(s.ci95_lo == 0.9 && s.ci95_hi == 1.1, "n=3: the interval is [min, max]");
	is_dbl(s.ci_level, 0.75, 1e-12, "n=3: [min, max] is a 75%% interval, not 95%%");
	const double five[] = {1.0, 1.1, 0.9, 1.2, 0.8};
	is_int(gb_stats_summarize(five, 5, &s), 0, "summarize 5 values");
	is_dbl(s.ci_level, 0.9375, 1e-12, "n=5: 93.75%%");
	ok(s.too_few, "one value is too few");

	const double zeros[] = {0, 0, 0, 0, 0};
	is_int(gb_stats_summarize(zeros, N(zeros), &s), 0, "summarize zeros");
	is_dbl(s.cv, 0, 0, "cv of all zeros is 0, not NaN");

	is_int(gb_stats_summarize(v, 0, &s), -EINVAL, "n == 0 is -EINVAL");
}

static void test_quantile(void)
{
	/* python3: statistics.quantiles([3,1,4,1,5,9,2,6], n=10, method='inclusive') */
	const double x[] = {3, 1, 4, 1, 5, 9, 2, 6};
	const double want[] = {1.0, 1.4, 2.1, 2.8, 3.5, 4.2, 4.9, 5.6, 6.9};
	char name[64];

	for (size_t i = 0; i < N(want); i++) {
		snprintf(name, sizeof(name), "type 7 quantile %.1f", 0.1 * (double)(i + 1));
		is_dbl(gb_stats_quantile(x, N(x), 0.1 * (double)(i + 1)), want[i], 1e-9, name);
	}
	is_dbl(gb_stats_quantile(x, N(x), 0), 1, 0, "q 0 = min");
	is_dbl(gb_stats_quantile(x, N(x), 1), 9, 0, "q 1 = max");
	is_dbl(gb_stats_median(x, N(x)), 3.5, 0, "median of even n");
	ok(isnan(gb_stats_median(x, 0)), "median of nothing is NaN");
	is_dbl(x[0], 3, 0, "input left unsorted");
}

static void test_median_ci(void)
{
	/* python3: largest l with 1 - 2*P(B <= l-1) >= 0.95, B ~ Bin(n, 1/2) */
	double x[30], lo, hi, cov;

	for (int i = 0; i < 30; i++)
		x[i] = 30 - i; /* reversed, so the function must sort */
	cov = gb_stats_median_ci(x, 5, 0.95, &lo, &hi);
	is_dbl(cov, 0.9375, 1e-12, "n=5 cannot reach 95%: coverage 1 - 2/32");
	ok(lo == 26 && hi == 30, "n=5 gives [min, max]");
	cov = gb_stats_median_ci(x, 6, 0.95, &lo, &hi);
	is_dbl(cov, 0.96875, 1e-12, "n=6 coverage");
	cov = gb_stats_median_ci(x, 20, 0.95, &lo, &hi);
	is_dbl(cov, 0.9586105346679688, 1e-12, "n=20 coverage");
	ok(lo == 16 && hi == 25, "n=20: order statistics 6 and 15 (got %g %g)", lo, hi);
	cov = gb_stats_median_ci(x, 30, 0.95, &lo, &hi);
	is_dbl(cov, 0.9572260547429323, 1e-12, "n=30 coverage");
	ok(lo == 10 && hi == 21, "n=30: order statistics 10 and 21 (got %g %g)", lo, hi);
	is_dbl(gb_stats_median_ci(x, 0, 0.95, &lo, &hi), -1, 0, "n=0 is -1");
}

static void test_reps_needed(void)
{
	/* python3: ceil(2 (z_.975 + z_.8)^2 (cv/0.05)^2 / (3/pi)), at least 4 */
	is_int(gb_stats_reps_needed(0.01, 0.05, 0.05), 4, "cv 1%%: the U test floor of 4");
	is_int(gb_stats_reps_needed(0.02, 0.05, 0.05), 4, "cv 2%%: 3, floor 4");
	is_int(gb_stats_reps_needed(0.03, 0.05, 0.05), 6, "cv 3%%");
	is_int(gb_stats_reps_needed(0.05, 0.05, 0.05), 17, "cv 5%%");
	is_int(gb_stats_reps_needed(0.10, 0.05, 0.05), 66, "cv 10%%");
	ok(gb_stats_reps_needed(0.05, 0, 0.05) == SIZE_MAX, "a 0%% change is never detectable");
}

/*
 * Every way to split the pooled values: the definition of the exact test.
 * U counts the pairs a > b, a tie counting one half; p is the share of
 * splits whose U lies at least as far from na nb / 2 as the observed one.
 */
static double brute_mwu_p(const double *a, size_t na, const double *b, size_t nb)
{
	double pool[16], u_obs = 0, mu = (double)(na * nb) / 2, dev;
	size_t n = na + nb, total = 0, far = 0;

	for (size_t i = 0; i < na; i++)
		pool[i] = a[i];
	for (size_t i = 0; i < nb; i++)
		pool[na + i] = b[i];
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			u_obs += (a[i] > b[j]) + 0.5 * (a[i] == b[j]);
	dev = fabs(u_obs - mu);
	for (unsigned mask = 0; mask < (1u << n); mask++) {
		if ((size_t)__builtin_popcount(mask) != na)
			continue;
		double u = 0;

		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				if ((mask >> i & 1) && !(mask >> j & 1))
					u += (pool[i] > pool[j]) + 0.5 * (pool[i] == pool[j]);
		total++;
		far += fabs(u - mu) >= dev - 1e-9;
	}
	return (double)far / (double)total;
}

static void test_mann_whitney(void)
{
	/* SciPy docs: mannwhitneyu(males, females): U = 17, p = 0.1111 exact,
	 * 0.11134688653314041 asymptotic */
	const double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
	is_dbl(gb_stats_mann_whitney_p(males, 5, females, 4), 1.0 / 9, 1e-12,
	       "scipy example, exact");

	/* python3 brute force over all C(13, 6) splits */
	const double a6[] = {1.0, 1.3, 0.9, 1.7, 1.1, 0.8};
	const double b7[] = {1.25, 1.45, 1.05, 2.0, 1.6, 1.35, 0.95};
	is_dbl(gb_stats_mann_whitney_p(a6, 6, b7, 7), 0.23426573426573427, 1e-12, "6 vs 7 exact");
	is_dbl(gb_stats_mann_whitney_p(b7, 7, a6, 6), 0.23426573426573427, 1e-12,
	       "symmetric in the sides");

	/* ties at small n are exact too (python3: all C(13, 6) splits with
	 * midranks); the normal approximation said 0.0130 here */
	const double ta[] = {1, 2, 2, 3, 3, 3, 4}, tb[] = {3, 4, 4, 5, 5, 6};
	is_dbl(gb_stats_mann_whitney_p(ta, 7, tb, 6), 0.009906759906759906, 1e-12,
	       "ties: exact permutation p");
	is_dbl(gb_stats_mann_whitney_p(ta, 7, tb, 6), brute_mwu_p(ta, 7, tb, 6), 1e-12,
	       "ties: exact p equals brute force");

	/* 3 vs 3, all tied within a side: the smallest p 3 vs 3 can give is
	 * 2 / C(6, 3) = 0.1, never the 0.047 of the normal approximation */
	const double t1[] = {1, 1, 1}, t12[] = {1.2, 1.2, 1.2};
	is_dbl(gb_stats_mann_whitney_p(t1, 3, t12, 3), 0.1, 1e-12, "3 x 1 vs 3 x 1.2: p = 0.1");
	ok(gb_stats_mann_whitney_p(t1, 3, t12, 3) >= 0.05, "3 vs 3 is never significant at 0.05");
	const double t5[] = {5, 5, 5, 6}, t6[] = {5, 6, 6, 6, 7};
	is_dbl(gb_stats_mann_whitney_p(t5, 4, t6, 5), 0.1746031746031746, 1e-12,
	       "ties across the sides: exact (python3 brute force)");

	/* 30 vs 30 with ties: beyond the exact limit, normal approximation
	 * with tie and continuity correction (python3, textbook formula) */
	double na30[30], nb30[30];
	for (int i = 0; i < 30; i++) {
		na30[i] = (double)(i % 7);
		nb30[i] = (double)(i % 7) + (i % 3 == 0);
	}
	is_dbl(gb_stats_mann_whitney_p(na30, 30, nb30, 30), 0.570447261186608, 1e-12,
	       "30 vs 30 with ties: corrected normal approximation");

	/* 60 x 60 = 3600 pairs: beyond the exact table, normal approximation */
	double la[60], lb[60];
	for (int i = 0; i < 60; i++) {
		la[i] = 0.1 * i;
		lb[i] = 0.1 * i + 2.05;
	}
	is_dbl(gb_stats_mann_whitney_p(la, 60, lb, 60), 8.747567722893554e-08, 1e-15,
	       "60 vs 60: normal approximation");

	/* complete separation of 10 vs 10: 2 / C(20, 10) */
	double s10a[10], s10b[10];
	for (int i = 0; i < 10; i++) {
		s10a[i] = 1.0 + 0.001 * i;
		s10b[i] = 1.2 + 0.001 * i;
	}
	is_dbl(gb_stats_mann_whitney_p(s10a, 10, s10b, 10), 2.0 / 184756, 1e-15,
	       "separated 10 vs 10");
	is_dbl(gb_stats_mann_whitney_p(s10a, 10, s10a, 10), 1, 1e-12, "identical sides: p = 1");

	const double same[] = {5, 5, 5, 5};
	is_dbl(gb_stats_mann_whitney_p(same, 4, same, 4), 1, 0, "all tied: p = 1");
	is_dbl(gb_stats_mann_whitney_p(same, 0, same, 4), -1, 0, "empty side: -1");

	/* the exact path against brute force on seeded random data */
	unsigned seed = 12345, bad = 0;
	for (int round = 0; round < 40; round++) {
		double ra[8], rb[8];
		size_t na = 1 + (size_t)(rand_r(&seed) % 7), nb = 1 + (size_t)(rand_r(&seed) % 7);

		for (size_t i = 0; i < na; i++)
			ra[i] = rand_r(&seed) / (double)RAND_MAX;
		for (size_t i = 0; i < nb; i++)
			rb[i] = rand_r(&seed) / (double)RAND_MAX + 0.2;
		double got = gb_stats_mann_whitney_p(ra, na, rb, nb);
		double want = brute_mwu_p(ra, na, rb, nb);
		if (fabs(got - want) > 1e-12)
			bad++;
	}
	is_int(bad, 0, "exact p equals brute force on 40 random pairs of samples");

	/* ... and with ties: values drawn from a handful of levels */
	bad = 0;
	for (int round = 0; round < 60; round++) {
		double ra[8], rb[8];
		size_t na = 1 + (size_t)(rand_r(&seed) % 7), nb = 1 + (size_t)(rand_r(&seed) % 7);

		for (size_t i = 0; i < na; i++)
			ra[i] = (double)(rand_r(&seed) % 4);
		for (size_t i = 0; i < nb; i++)
			rb[i] = (double)(rand_r(&seed) % 4 + round % 2);
		double got = gb_stats_mann_whitney_p(ra, na, rb, nb);
		double want = brute_mwu_p(ra, na, rb, nb);
		if (fabs(got - want) > 1e-12)
			bad++;
	}
	is_int(bad, 0, "exact p with ties equals brute force on 60 random pairs of samples");
}

static void test_warning(void)
{
	struct gb_summary s;
	char buf[160];
	const double v[] = {1.0, 1.2, 0.9, 1.1, 0.8};
	const double t[] = {1.0, 1.001, 0.999, 1.0005, 0.9995};

	gb_stats_summarize(v, N(v), &s);
	is_int(gb_stats_warning(&s, "wall_s", buf, sizeof(buf)), 1, "noisy summary warns");
	ok(strncmp(buf, "wall_s: cv 15.8% above 5%", 25) == 0, "warning text: %s", buf);
	ok(strstr(buf, "needed to detect a 5% change") != NULL, "too-few part: %s", buf);
	gb_stats_summarize(t, N(t), &s);
	is_int(gb_stats_warning(&s, "wall_s", buf, sizeof(buf)), 0, "tight summary: no warning");
	ok(buf[0] == '\0', "empty buffer when no warning");
}

int main(void)
{
	test_summary();
	test_quantile();
	test_median_ci();
	test_reps_needed();
	test_mann_whitney();
	test_warning();
	return gb_tap_done();
}
