/*
 * warnings.h - the noise warnings of result cells as data, and grouped:
 * one group per metric and kind over many cells, which both the stderr
 * lines of `gilbench run` and the report of `gilbench plot` print.
 */
#ifndef GB_WARNINGS_H
#define GB_WARNINGS_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum gb_warn_kind {
	GB_WARN_NOISY, /* cv above GB_STATS_NOISY_CV */
	GB_WARN_FEW,   /* tight, but too few repetitions to detect a 5% change */
};

/* One cell's noise warning on one metric. */
struct gb_warn {
	const char *metric; /* a key of gb_metrics */
	enum gb_warn_kind kind;
	double cv;   /* a fraction */
	size_t n;    /* repetitions */
	size_t need; /* repetitions a 5% change needs; SIZE_MAX: no number can */
	int too_few; /* n < need (a noisy cell can be too) */
};

/*
 * The warning of cell on metric key: 1 and *w when the cell carries one (a
 * warning text on key: "key: ...", as report_json.c writes them) and the
 * metric's summary gives its numbers ("summaries", or in a file without
 * them "metrics" for wall_s and cpu_s); else 0. The numbers come from the
 * summary, never from the text.
 */
int gb_warn_of(json_t *cell, const char *key, struct gb_warn *w);

/* 1 and *w when text is one of cell's warnings that gb_warn_of reads as data. */
int gb_warn_of_text(json_t *cell, const char *text, struct gb_warn *w);

/* Repetitions done and needed over several cells: lo to hi. */
struct gb_warn_reps {
	size_t n_lo, n_hi, need_lo, need_hi;
};

/* The warnings of one metric and kind over several cells: their ranges. */
struct gb_warn_group {
	const char *metric;
	enum gb_warn_kind kind;
	size_t count;            /* cells */
	size_t nfew;             /* of them with too few repetitions */
	double cv_lo, cv_hi;     /* fractions */
	struct gb_warn_reps all; /* over every cell */
	struct gb_warn_reps few; /* over the nfew cells (what their texts name) */
};

/* An empty group of metric and kind. */
void gb_warn_group_init(struct gb_warn_group *g, const char *metric, enum gb_warn_kind kind);

/* Adds one cell's warning (of the group's metric and kind) to the ranges. */
void gb_warn_group_add(struct gb_warn_group *g, const struct gb_warn *w);

/* 1 when cell has a warning of the group's metric and kind. */
int gb_warn_group_has(const struct gb_warn_group *g, json_t *cell);

/*
 * Writes to f one line per metric and kind of warning (noisy; too few
 * repetitions) over the ok cells results[first..] of doc, each naming the
 * cells it applies to (at most a few, then how many more). Returns the
 * number of lines written.
 */
size_t gb_run_warn_print(FILE *f, json_t *doc, size_t first);

/*
 * A cell's label: model/workload and the identity params whose value
 * differs among the cells results[first..] of the same workload, what
 * tells this cell from the others ("threads/cpu tasks=4"). Run's warning
 * lines and the table of bench/results/table.c name cells so.
 */
void gb_cell_label(FILE *f, json_t *results, size_t first, json_t *cell);

/* "lo" or "lo to hi", each printed with fmt. */
void gb_warn_put_range(FILE *f, double lo, double hi, const char *fmt);

/* Repetitions needed, lo to hi, SIZE_MAX meaning no number can do:
 * "20", "20 to 988", "20 or more", "more than 10^9". */
void gb_warn_put_need(FILE *f, size_t lo, size_t hi);

#endif
