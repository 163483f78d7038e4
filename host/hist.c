/*
 * hist.c - the log-linear latency histogram (see hist.h for the error
 * bound). It knows nothing of units or of which task recorded what.
 */
#include "hist.h"

#include <math.h>
#include <string.h>

unsigned gb_hist_index(uint64_t v)
{
	unsigned k;

	if (v < 128)
		return (unsigned)v;
	k = 63u - (unsigned)__builtin_clzll(v);
	return 128u + (k - 7u) * 64u + (unsigned)((v >> (k - 6u)) - 64u);
}

uint64_t gb_hist_midpoint(unsigned idx)
{
	unsigned k, sub;
	uint64_t lo, width;

	if (idx < 128)
		return idx;
	k = (idx - 128u) / 64u + 7u;
	sub = (idx - 128u) % 64u;
	width = 1ull << (k - 6u);
	lo = (64ull + sub) << (k - 6u);
	return lo + width / 2;
}

void gb_hist_reset(struct gb_hist *h)
{
	memset(h, 0, sizeof(*h));
	atomic_store(&h->min, UINT64_MAX);
}

void gb_hist_record(struct gb_hist *h, uint64_t v)
{
	uint64_t cur;

	atomic_fetch_add_explicit(&h->buckets[gb_hist_index(v)], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	cur = atomic_load_explicit(&h->max, memory_order_relaxed);
	while (v > cur && !atomic_compare_exchange_weak_explicit(
	                          &h->max, &cur, v, memory_order_relaxed, memory_order_relaxed))
		;
	cur = atomic_load_explicit(&h->min, memory_order_relaxed);
	while (v < cur && !atomic_compare_exchange_weak_explicit(
	                          &h->min, &cur, v, memory_order_relaxed, memory_order_relaxed))
		;
}

uint64_t gb_hist_count(const struct gb_hist *h)
{
	return atomic_load_explicit(&h->count, memory_order_relaxed);
}

uint64_t gb_hist_quantile(const struct gb_hist *h, double q)
{
	uint64_t n = gb_hist_count(h), rank, seen = 0;
	uint64_t hmax = atomic_load_explicit(&h->max, memory_order_relaxed);
	uint64_t hmin = atomic_load_explicit(&h->min, memory_order_relaxed);

	if (n == 0)
		return 0;
	if (q >= 1.0)
		return hmax;
	if (q <= 0.0)
		return hmin;
	rank = (uint64_t)ceil(q * (double)n);
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < GB_HIST_BUCKETS; i++) {
		seen += atomic_load_explicit(&h->buckets[i], memory_order_relaxed);
		if (seen >= rank) {
			uint64_t m = gb_hist_midpoint(i);
			/* Never report beyond what was seen. */
			return m > hmax ? hmax : (m < hmin ? hmin : m);
		}
	}
	return hmax;
}
