/*
 * compare.h - base against new, as a library: matches the cells of two
 * result documents, tests every metric of bench/results/metrics.def on the
 * raw samples (Mann-Whitney U) and gives each a verdict. `gilbench compare`
 * (compare.c) prints the result; the compare chart (plot_compare.c) draws
 * it. The verdict rules are in docs/statistics.md, section 3.
 */
#ifndef GB_COMPARE_H
#define GB_COMPARE_H

#include <stddef.h>

#include <jansson.h>

#include "metrics.h"
#include "stats.h"

#define GB_COMPARE_THRESHOLD_DEFAULT 5.0 /* percent */
#define GB_COMPARE_ALPHA_DEFAULT     0.05

struct gb_compare_opts {
	double threshold; /* percent: the smallest change that counts */
	double alpha;     /* significance level of the U test */
	/* Names of the two documents in messages and in the json output. */
	const char *base_name, *new_name;
};

enum gb_compare_verdict {
	GB_COMPARE_NO_CHANGE,
	GB_COMPARE_FASTER,
	GB_COMPARE_SLOWER, /* a regression */
	GB_COMPARE_TOO_NOISY,
};

/* "no change", "faster", "slower", "too noisy": the words of every output. */
const char *gb_compare_verdict_name(enum gb_compare_verdict v);

struct gb_compare_cell {
	json_t *cell;  /* borrowed from the document */
	json_t *ident; /* params without the volatile keys (owned) */
	size_t idx;    /* index in results[] after merging repeated cells */
	long match;    /* index of the cell on the other side, -1 if none */
	int has_rows;  /* base side: at least one metric compared */
	char *label;   /* model/workload and the params that tell cells apart */
	char *id;      /* gb_cell_id: the key that matches cells */
};

struct gb_compare_side {
	const char *name;
	json_t *doc; /* borrowed */
	struct gb_compare_cell *cells;
	size_t n;
};

/* One metric of one matched cell, both ended ok and have samples of it. */
struct gb_compare_row {
	size_t base_cell, new_cell; /* indices into sides[0].cells, sides[1].cells */
	const struct gb_metric *metric;
	struct gb_summary b, n;
	double change_pct; /* NaN when the base median is 0 and the new is not */
	double p;
	int significant, regression;
	enum gb_compare_verdict verdict;
};

struct gb_compare_result {
	struct gb_compare_side sides[2]; /* base, new */
	struct gb_compare_row *rows;
	size_t nrows, cap;
	size_t ncells; /* matched cells */
	unsigned faster, slower, same, noisy;
	/* The serial cpu cells' wall time: compared, moved (faster or slower),
	 * and the range of the moves in percent (lo > hi when none is finite).
	 * When they moved, other cells' changes of that size may be the
	 * machine's, not their models': the serial-cells note. */
	unsigned serial_rows, serial_moved;
	double serial_lo, serial_hi;
};

/*
 * Compares `base` with `new_` (loaded result documents, borrowed; cells
 * repeated within one are merged in place first, with a warning naming
 * it). Fills *out, which the caller frees with gb_compare_result_free
 * whatever the return. 0, -ENOMEM (nothing printed) or -EINVAL (a
 * malformed samples array, one line printed).
 */
int gb_compare(json_t *base, json_t *new_, const struct gb_compare_opts *o,
               struct gb_compare_result *out);

void gb_compare_result_free(struct gb_compare_result *res);

/* The row of metric `key` for base cell `base_cell`, or NULL. */
const struct gb_compare_row *gb_compare_find(const struct gb_compare_result *res, size_t base_cell,
                                             const char *key);

#endif
