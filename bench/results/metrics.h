/*
 * metrics.h - the repeated metrics the suite compares: one table, so that
 * compare, the summaries of the result file and run's warnings agree on
 * which metrics count and which way is worse. docs/statistics.md has it as
 * a table with the reasons.
 */
#ifndef GB_METRICS_H
#define GB_METRICS_H

#include <stddef.h>

enum gb_metric_flags {
	GB_METRIC_UP_IS_WORSE = 1u << 0, /* else down is worse */
	GB_METRIC_WARN = 1u << 1,        /* noise warnings in the file and on stderr */
	GB_METRIC_PER_TASK = 1u << 2,    /* `grain` is the cell's, shared by its tasks */
};

struct gb_metric {
	const char *key; /* samples.<key> */
	unsigned flags;
	/* The smallest move of the median that is a change rather than the
	 * grain of the measurement (0: none); per task with GB_METRIC_PER_TASK
	 * it is divided by the cell's task count. */
	double grain;
};

extern const struct gb_metric gb_metrics[];
extern const size_t gb_nmetrics;

/* The entry of samples key `key`, or NULL. */
const struct gb_metric *gb_metric_find(const char *key);

#endif
