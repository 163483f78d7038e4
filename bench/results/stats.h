/*
 * stats.h - statistics over raw repetition samples, and the tests that
 * tell a change from noise. Pure functions over double arrays: no I/O.
 */
#ifndef GB_STATS_H
#define GB_STATS_H

#include <stddef.h>

struct gb_summary {
	size_t n;
	double median, mean, stddev, mad, min, max;
	/* Confidence interval of the median, aiming at 95%: ci_level is the
	 * coverage it really has (below 0.95 when n <= 5, see gb_stats_median_ci).
	 * The JSON writes it as "ci" always and as "ci95" only when it is one. */
	double ci95_lo, ci95_hi;
	double ci_level;
	double cv;         /* stddev / mean */
	unsigned outliers; /* beyond 1.5 IQR from the quartiles */
	int noisy;         /* cv above 5% */
	int too_few;       /* too few samples to detect a 5% change */
};

/* Summary of x[0..n); x is not modified. 0, or -EINVAL for n == 0. */
int gb_stats_summarize(const double *x, size_t n, struct gb_summary *out);

/* Quantile q in [0,1] of x[0..n), linear interpolation (type 7). */
double gb_stats_quantile(const double *x, size_t n, double q);

double gb_stats_median(const double *x, size_t n);

/*
 * Two-sided Mann-Whitney U test of a against b, ties given midranks. Exact
 * (the permutation distribution of the rank sum, ties included) when
 * na + nb <= GB_STATS_MWU_EXACT_MAX; beyond, the normal approximation with
 * tie and continuity correction. Returns the p-value in [0,1], or -1 if
 * either side is empty (or on out of memory).
 */
double gb_stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

/* Largest na + nb for which the U test is exact. */
#define GB_STATS_MWU_EXACT_MAX 50

/* The thresholds behind noisy and too_few (fractions, not percent). */
#define GB_STATS_NOISY_CV      0.05
#define GB_STATS_DETECT_CHANGE 0.05

/*
 * Distribution-free confidence interval of the median of x[0..n) from order
 * statistics (binomial, p = 1/2) at level `conf` (e.g. 0.95). Writes the
 * bounds and returns the coverage actually achieved: never below `conf`
 * unless n is too small to reach it, in which case [min, max] is given.
 * -1 for n == 0 (bounds left alone).
 */
double gb_stats_median_ci(const double *x, size_t n, double conf, double *lo, double *hi);

/* The coverage gb_stats_median_ci reaches at conf 0.95 with n samples (-1
 * for n == 0): what an older file's ci95 without ci_level had. */
double gb_stats_median_ci_level(size_t n);

/* GB_STATS_CI_LEVEL: a "ci95" is written only at this coverage or above. */
#define GB_STATS_CI_LEVEL 0.95

/*
 * Adaptive repetitions: whether n samples x[0..n) are enough. The median's
 * interval (gb_stats_median_ci at 95%) within target_pct percent of the
 * median (its half-width relative to it, as pyperf and Google Benchmark
 * judge) once n >= min: GB_STATS_REPS_TARGET; else n >= max:
 * GB_STATS_REPS_MAX; else GB_STATS_REPS_MORE (repeat again).
 */
enum gb_stats_reps { GB_STATS_REPS_MORE, GB_STATS_REPS_TARGET, GB_STATS_REPS_MAX };
enum gb_stats_reps gb_stats_reps_enough(const double *x, size_t n, size_t min, size_t max,
                                        double target_pct);

/* The half-width of the median's interval over |median|, in percent:
 * 0 when the interval is one point, INFINITY for n == 0 or a zero median. */
double gb_stats_ci_rel_pct(const double *x, size_t n);

/*
 * Repetitions per side needed for a two-sided Mann-Whitney test at `alpha`
 * to detect a relative change `change` (0.05 = 5%) with 80% power, when
 * the samples have coefficient of variation `cv`; never fewer than the
 * smallest n for which the test can reach p < alpha at all.
 */
size_t gb_stats_reps_needed(double cv, double change, double alpha);

/*
 * The warning the output carries for a summary, e.g. "wall_s: cv 7.1% above
 * 5%" or "wall_s: 3 repetitions, 9 needed to detect a 5% change". Writes
 * it to buf and returns 1, or returns 0 (buf = "") when there is none.
 */
int gb_stats_warning(const struct gb_summary *s, const char *metric, char *buf, size_t len);

#endif
