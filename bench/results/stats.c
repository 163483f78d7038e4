/*
 * stats.c - summaries of raw repetition samples (median, MAD, confidence
 * interval of the median, outliers, noise flags) and the Mann-Whitney U
 * test that compare uses to tell a change from noise.
 *
 * Pure functions over double arrays: no I/O, no JSON, no clocks. Deciding
 * what a change means (thresholds, verdicts, exit codes) is compare.c's job;
 * docs/statistics.md gives the methods and why they were chosen.
 */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int stats_cmp_dbl(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static double *stats_sorted_copy(const double *x, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), stats_cmp_dbl);
	return s;
}

/* Type 7 (R's default, numpy's "linear") on already sorted data. */
static double stats_quantile_sorted(const double *s, size_t n, double q)
{
	double h, frac;
	size_t lo;

	if (q <= 0)
		return s[0];
	if (q >= 1)
		return s[n - 1];
	h = (double)(n - 1) * q;
	lo = (size_t)floor(h);
	frac = h - (double)lo;
	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

double gb_stats_quantile(const double *x, size_t n, double q)
{
	double *s, v;

	if (n == 0 || !(q >= 0 && q <= 1))
		return NAN;
	s = stats_sorted_copy(x, n);
	if (!s)
		return NAN;
	v = stats_quantile_sorted(s, n, q);
	free(s);
	return v;
}

double gb_stats_median(const double *x, size_t n)
{
	return gb_stats_quantile(x, n, 0.5);
}

/* P(B <= k) for B ~ Binomial(n, 1/2), summed in log space so large n is fine. */
static double stats_binom_half_cdf(size_t n, size_t k)
{
	double sum = 0, ln_half_n = (double)n * log(0.5);

	for (size_t i = 0; i <= k && i <= n; i++)
		sum += exp(lgamma((double)n + 1) - lgamma((double)i + 1) -
		           lgamma((double)(n - i) + 1) + ln_half_n);
	return sum > 1 ? 1 : sum;
}

/*
 * [x_(l), x_(n+1-l)] (1-based order statistics) covers the median with
 * probability 1 - 2 P(B <= l-1): take the largest l that keeps that at or
 * above conf. No distribution assumed, so it suits skewed timings.
 */
static double stats_median_ci_sorted(const double *s, size_t n, double conf, double *lo, double *hi)
{
	const double eps = 1e-12;
	double tail = 1 - conf;
	size_t l = 1;

	while (l + 1 <= n + 1 - (l + 1) && 2 * stats_binom_half_cdf(n, l) <= tail + eps)
		l++;
	*lo = s[l - 1];
	*hi = s[n - l];
	return 1 - 2 * stats_binom_half_cdf(n, l - 1);
}

double gb_stats_median_ci(const double *x, size_t n, double conf, double *lo, double *hi)
{
	double *s, cov;

	if (n == 0)
		return -1;
	s = stats_sorted_copy(x, n);
	if (!s)
		return -1;
	cov = stats_median_ci_sorted(s, n, conf, lo, hi);
	free(s);
	return cov;
}

double gb_stats_median_ci_level(size_t n)
{
	double *s, lo, hi, cov;

	if (n == 0)
		return -1;
	s = calloc(n, sizeof(*s));
	if (!s)
		return -1;
	cov = stats_median_ci_sorted(s, n, GB_STATS_CI_LEVEL, &lo, &hi);
	free(s);
	return cov;
}

double gb_stats_ci_rel_pct(const double *x, size_t n)
{
	double lo, hi, med;

	if (n == 0 || gb_stats_median_ci(x, n, GB_STATS_CI_LEVEL, &lo, &hi) < 0)
		return INFINITY;
	if (hi == lo)
		return 0;
	med = gb_stats_median(x, n);
	return med != 0 ? 100 * (hi - lo) / 2 / fabs(med) : INFINITY;
}

enum gb_stats_reps gb_stats_reps_enough(const double *x, size_t n, size_t min, size_t max,
                                        double target_pct)
{
	if (n >= min && gb_stats_ci_rel_pct(x, n) < target_pct)
		return GB_STATS_REPS_TARGET;
	return n >= max ? GB_STATS_REPS_MAX : GB_STATS_REPS_MORE;
}

/* Standard normal upper tail and its inverse (bisection is plenty here). */
static double stats_norm_sf(double z)
{
	return 0.5 * erfc(z / sqrt(2.0));
}

static double stats_norm_isf(double p)
{
	double lo = -40, hi = 40;

	for (int i = 0; i < 200; i++) {
		double mid = 0.5 * (lo + hi);

		if (stats_norm_sf(mid) > p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* Smallest two-sided p a U test can give with n per side: 2 / C(2n, n). */
static double stats_mwu_min_p(size_t na, size_t nb)
{
	double lc = lgamma((double)(na + nb) + 1) - lgamma((double)na + 1) - lgamma((double)nb + 1);

	return fmin(1.0, 2 * exp(-lc));
}

size_t gb_stats_reps_needed(double cv, double change, double alpha)
{
	/* Asymptotic relative efficiency of the U test against the t test. */
	const double are = 3 / M_PI;
	double z_a = stats_norm_isf(alpha / 2), z_b = stats_norm_isf(0.2), need;
	size_t nmin = 2;

	while (nmin < 1000 && stats_mwu_min_p(nmin, nmin) >= alpha)
		nmin++;
	if (!(change > 0))
		return SIZE_MAX;
	cv = fabs(cv);
	need = ceil(2 * (z_a + z_b) * (z_a + z_b) * (cv / change) * (cv / change) / are);
	if (!(need < 1e9))
		return SIZE_MAX;
	return (size_t)need > nmin ? (size_t)need : nmin;
}

int gb_stats_summarize(const double *x, size_t n, struct gb_summary *out)
{
	double *s, *dev, sum = 0, ss = 0, q1, q3, iqr;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return -EINVAL;
	s = stats_sorted_copy(x, n);
	if (!s)
		return -ENOMEM;
	dev = malloc(n * sizeof(*dev));
	if (!dev) {
		free(s);
		return -ENOMEM;
	}

	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->median = stats_quantile_sorted(s, n, 0.5);
	for (size_t i = 0; i < n; i++)
		sum += s[i];
	out->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (s[i] - out->mean) * (s[i] - out->mean);
	out->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
	/* A zero mean only happens when every sample is zero: no spread. */
	out->cv = out->mean != 0 ? out->stddev / fabs(out->mean) : 0;

	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(s[i] - out->median);
	qsort(dev, n, sizeof(*dev), stats_cmp_dbl);
	out->mad = stats_quantile_sorted(dev, n, 0.5);

	out->ci_level =
	        stats_median_ci_sorted(s, n, GB_STATS_CI_LEVEL, &out->ci95_lo, &out->ci95_hi);

	q1 = stats_quantile_sorted(s, n, 0.25);
	q3 = stats_quantile_sorted(s, n, 0.75);
	iqr = q3 - q1;
	for (size_t i = 0; i < n; i++)
		if (s[i] < q1 - 1.5 * iqr || s[i] > q3 + 1.5 * iqr)
			out->outliers++;

	out->noisy = out->cv > GB_STATS_NOISY_CV;
	out->too_few = n < gb_stats_reps_needed(out->cv, GB_STATS_DETECT_CHANGE, 0.05);
	free(dev);
	free(s);
	return 0;
}

int gb_stats_warning(const struct gb_summary *s, const char *metric, char *buf, size_t len)
{
	int off = 0;

	if (len)
		buf[0] = '\0';
	if (!s->noisy && !s->too_few)
		return 0;
	off = snprintf(buf, len, "%s: ", metric);
	if (s->noisy && off >= 0 && (size_t)off < len)
		off += snprintf(buf + off, len - (size_t)off, "cv %.1f%% above %.0f%%%s",
		                100 * s->cv, 100 * GB_STATS_NOISY_CV, s->too_few ? "; " : "");
	if (s->too_few && off >= 0 && (size_t)off < len) {
		size_t need = gb_stats_reps_needed(s->cv, GB_STATS_DETECT_CHANGE, 0.05);

		if (need == SIZE_MAX)
			snprintf(buf + off, len - (size_t)off,
			         "%zu repetitions cannot detect a %.0f%% change", s->n,
			         100 * GB_STATS_DETECT_CHANGE);
		else
			snprintf(buf + off, len - (size_t)off,
			         "%zu repetitions, %zu needed to detect a %.0f%% change", s->n,
			         need, 100 * GB_STATS_DETECT_CHANGE);
	}
	return 1;
}

struct stats_ranked {
	double v;
	int side; /* 0 = a, 1 = b */
};

static int stats_cmp_ranked(const void *pa, const void *pb)
{
	const struct stats_ranked *a = pa, *b = pb;

	return (a->v > b->v) - (a->v < b->v);
}

/*
 * Exact two-sided p of the rank-sum test: the probability, over every way
 * to pick k of the n pooled values as side a, that the rank sum lies at
 * least as far from its mean as the observed one. Ranks are doubled so
 * midranks of ties are integers (ranks i+1..j+1 tied: 2 x midrank = i+j+2)
 * and every comparison is exact. f[j][s] counts the subsets of size j of
 * the values seen so far with doubled rank sum s: a knapsack count, only
 * additions, exact in doubles while C(n, k) < 2^53 (n <= 50 is below).
 * With midranks the distribution is symmetric about its mean, so this
 * equals 2 min(P(W <= w), P(W >= w)), capped at 1.
 */
static double stats_mwu_exact_p(const unsigned *r2, size_t n, size_t k, long obs2)
{
	size_t smax = (size_t)n * (n + 1), w = smax + 1;
	double *f = calloc((k + 1) * w, sizeof(*f));
	long mean2 = (long)(k * (n + 1)), dev = labs(obs2 - mean2);
	double tail = 0, total = 0;

	if (!f)
		return -1;
	f[0] = 1;
	for (size_t i = 0; i < n; i++)
		/* j and s descending: each value is taken at most once. */
		for (size_t j = (i + 1 < k ? i + 1 : k); j >= 1; j--)
			for (size_t s = smax; s >= r2[i]; s--)
				f[j * w + s] += f[(j - 1) * w + s - r2[i]];
	for (size_t s = 0; s < w; s++) {
		double c = f[k * w + s];

		total += c;
		if (labs((long)s - mean2) >= dev)
			tail += c;
	}
	free(f);
	return tail / total;
}

double gb_stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb;
	struct stats_ranked *r;
	unsigned *r2;
	double ra = 0, tie_term = 0, u, umin, mu, sigma2, z, p;
	long obs2 = 0;

	if (na == 0 || nb == 0)
		return -1;
	r = malloc(n * sizeof(*r));
	r2 = malloc(n * sizeof(*r2));
	if (!r || !r2) {
		free(r);
		free(r2);
		return -1;
	}
	for (size_t i = 0; i < na; i++)
		r[i] = (struct stats_ranked){a[i], 0};
	for (size_t i = 0; i < nb; i++)
		r[na + i] = (struct stats_ranked){b[i], 1};
	qsort(r, n, sizeof(*r), stats_cmp_ranked);

	/* Midranks for ties; sum of t^3 - t feeds the variance correction. */
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && r[j + 1].v == r[i].v)
			j++;
		double rank = 0.5 * (double)(i + j) + 1, t = (double)(j - i + 1);

		for (size_t k = i; k <= j; k++) {
			r2[k] = (unsigned)(i + j + 2);
			if (r[k].side == 0) {
				ra += rank;
				obs2 += (long)(i + j + 2);
			}
		}
		if (t > 1)
			tie_term += t * t * t - t;
		i = j + 1;
	}
	free(r);

	if (n <= GB_STATS_MWU_EXACT_MAX) {
		/* The smaller side as the subset: the table is (k + 1) rows. */
		size_t k = na <= nb ? na : nb;

		if (na > nb)
			obs2 = (long)(n * (n + 1)) - obs2; /* doubled rank sum of side b */
		p = stats_mwu_exact_p(r2, n, k, obs2);
		free(r2);
		return p > 1 ? 1 : p;
	}
	free(r2);

	u = ra - (double)na * (double)(na + 1) / 2;
	umin = fmin(u, (double)na * (double)nb - u);
	mu = (double)na * (double)nb / 2;
	sigma2 = (double)na * (double)nb / 12 *
	         ((double)(n + 1) - tie_term / ((double)n * (double)(n - 1)));
	if (!(sigma2 > 0))
		return 1; /* every value tied: nothing tells the sides apart */
	z = (mu - umin - 0.5) / sqrt(sigma2);
	p = 2 * stats_norm_sf(z);
	return p > 1 ? 1 : p;
}
