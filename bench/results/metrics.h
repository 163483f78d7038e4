/*
 * metrics.h - the metrics of a result cell, from the one list
 * metrics.def: what compare tests and which way is worse, what the
 * summaries, run's warnings, the exporters, the markdown report's columns
 * and `gilbench list --json` show. docs/statistics.md has the compared
 * ones as a table with the reasons.
 */
#ifndef GB_METRICS_H
#define GB_METRICS_H

#include <stddef.h>

#include <jansson.h>

enum gb_metric_flags {
	GB_METRIC_WARN = 1u << 1,     /* noise warnings in the file and on stderr */
	GB_METRIC_PER_TASK = 1u << 2, /* `grain` is the cell's, shared by its tasks */
	GB_METRIC_GBENCH = 1u << 3,   /* a per-repetition counter in the gbench export */
	GB_METRIC_GROUP = 1u << 4,    /* in samples: makes metrics.<path's first part> */
	GB_METRIC_TABLE = 1u << 5,    /* a column of the cell table (run's summary, show) */
};

enum gb_metric_worse {
	GB_METRIC_WORSE_NONE, /* a count that is neither better nor worse */
	GB_METRIC_WORSE_UP,   /* times, latencies, memory, GIL traffic */
	GB_METRIC_WORSE_DOWN, /* rates and speedup */
};

/* How metrics.<path> is made from samples.<key>. */
enum gb_metric_reduce {
	GB_METRIC_REDUCE_NONE,      /* not in metrics */
	GB_METRIC_REDUCE_SUMMARY,   /* the summary object (n, median, ci95, ...) */
	GB_METRIC_REDUCE_MEDIAN,    /* the median */
	GB_METRIC_REDUCE_MAX,       /* the largest sample */
	GB_METRIC_REDUCE_ELSEWHERE, /* written by another function (the speedup) */
};

struct gb_metric {
	const char *key; /* samples.<key> */
	int compared;    /* compare tests it; summaries.<key>; warnings */
	const char *unit;
	enum gb_metric_worse worse;
	/* The smallest move of the median that is a change rather than the
	 * grain of the measurement (0: none); per task with GB_METRIC_PER_TASK
	 * it is divided by the cell's task count. */
	double grain;
	unsigned flags;
	enum gb_metric_reduce reduce;
	const char *path;     /* metrics.<path>, or NULL */
	const char *gab;      /* github-action-benchmark series suffix, or NULL */
	const char *bmf;      /* Bencher measure, or NULL */
	double bmf_scale;     /* Bencher's built-in latency is in ns */
	unsigned col;         /* the report's workload-table column (1, 2, ...), 0: none */
	const char *col_head; /* its heading */
};

/* Every metric of metrics.def, in its order. */
extern const struct gb_metric gb_metric_defs[];
extern const size_t gb_nmetric_defs;

/* The compared ones (cmp YES), in the same order: compare's rows, the
 * summaries, run's warnings. */
extern const struct gb_metric gb_metrics[];
extern const size_t gb_nmetrics;

/* The compared entry of samples key `key`, or NULL. */
const struct gb_metric *gb_metric_find(const char *key);

/* An id per metric: GB_METRIC_ID_wall_s, ... */
enum gb_metric_id {
#define GB_METRIC(key, ...) GB_METRIC_ID_##key,
#include "metrics.def"
#undef GB_METRIC
	GB_METRIC_ID__COUNT
};

/* "key" for a key of metrics.def; any other key does not compile. */
#define GB_METRIC_KEY(key) ((void)GB_METRIC_ID_##key, #key)

/* How many report columns metrics.def names (the largest col). */
enum {
	GB_METRIC_NCOLUMNS = 0
#define GB_METRIC(key, cmp, unit, worse, grain, flags, reduce, path, gab, bmf, scale, col, head)   \
	+((col) > 0)
#include "metrics.def"
#undef GB_METRIC
};

/* The metric of report column `col` (1 .. GB_METRIC_NCOLUMNS), or NULL. */
const struct gb_metric *gb_metric_column(unsigned col);

/*
 * The dotted path of metric m's value in a cell: "metrics.wall_s.median"
 * for a summary, "metrics.latency_us.p50" for a median. 0, or -ENOENT if
 * it has none in metrics.
 */
int gb_metric_value_path(const struct gb_metric *m, char *buf, size_t len);

/*
 * The list as JSON, for `gilbench list --json` and scripts/cpython:
 * [{key, unit, worse ("up", "down" or null), grain, per_task, compared,
 *   warns, reduce ("summary", "median", "max", "other" or null), path
 *   (in metrics, or null), group}], in metrics.def's order. NULL on out of
 * memory.
 */
json_t *gb_metrics_json(void);

#endif
