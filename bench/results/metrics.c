/*
 * metrics.c - the tables of metrics.def as C data, the lookups over them
 * and their JSON form for `gilbench list --json`. Only the tables:
 * testing, summarising, warning and exporting are compare.c's,
 * report_json.c's, warnings.c's and export.c's.
 */
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * Why each row of metrics.def says what it says.
 *
 * Times, latencies and memory: up is worse. Rates and speedup: down is
 * worse. GIL measures are the cost of the lock: time held and waited, and
 * the traffic of acquisitions, drop requests, forced switches, futile
 * wakeups and switches are all overhead for the same work: up is worse.
 * Warnings only for the headline figures: a counter's spread is the
 * workload's nature, not noise the reader must act on.
 *
 * Grains, from two quiet runs of one commit's quick matrix (A/A): the
 * memory a cell adds moved by up to 330 KiB (a malloc arena's and a
 * stack's first touched pages), spread over its tasks; the GIL fractions
 * of cells that barely use the lock moved from 1e-5 to 5e-3 of the wall
 * time; and in a CI run of an unchanged commit the CPU time of io cells
 * that mostly sleep moved from 55 to 156 us.
 * Percent of nearly nothing flagged them as regressions.
 */
#define MT_WORSE_UP         GB_METRIC_WORSE_UP
#define MT_WORSE_DOWN       GB_METRIC_WORSE_DOWN
#define MT_WORSE_NONE       GB_METRIC_WORSE_NONE
#define MT_REDUCE_SUMMARY   GB_METRIC_REDUCE_SUMMARY
#define MT_REDUCE_MEDIAN    GB_METRIC_REDUCE_MEDIAN
#define MT_REDUCE_MAX       GB_METRIC_REDUCE_MAX
#define MT_REDUCE_ELSEWHERE GB_METRIC_REDUCE_ELSEWHERE
#define MT_REDUCE_NONE      GB_METRIC_REDUCE_NONE
#define WARN                GB_METRIC_WARN
#define PER_TASK            GB_METRIC_PER_TASK
#define GBENCH              GB_METRIC_GBENCH
#define GROUP               GB_METRIC_GROUP
#define TABLE               GB_METRIC_TABLE
#define MT_CMP_YES          1
#define MT_CMP_NO           0

#define MT_ROW(key, cmp, unit, worse, grain, flags, reduce, path, gab, bmf, scale, col, head)      \
	{#key,                                                                                     \
	 MT_CMP_##cmp,                                                                             \
	 unit,                                                                                     \
	 MT_WORSE_##worse,                                                                         \
	 grain,                                                                                    \
	 flags,                                                                                    \
	 MT_REDUCE_##reduce,                                                                       \
	 path,                                                                                     \
	 gab,                                                                                      \
	 bmf,                                                                                      \
	 scale,                                                                                    \
	 col,                                                                                      \
	 head},

/* Every row; then only the compared ones (MT_IF_YES keeps, MT_IF_NO drops). */
const struct gb_metric gb_metric_defs[] = {
#define GB_METRIC MT_ROW
#include "metrics.def"
#undef GB_METRIC
};
const size_t gb_nmetric_defs = sizeof(gb_metric_defs) / sizeof(gb_metric_defs[0]);

#define MT_IF_YES(row) row
#define MT_IF_NO(row)
#define MT_COMPARED(key, cmp, ...) MT_IF_##cmp(MT_ROW(key, cmp, __VA_ARGS__))

const struct gb_metric gb_metrics[] = {
#define GB_METRIC MT_COMPARED
#include "metrics.def"
#undef GB_METRIC
};
const size_t gb_nmetrics = sizeof(gb_metrics) / sizeof(gb_metrics[0]);

const struct gb_metric *gb_metric_find(const char *key)
{
	for (size_t i = 0; i < gb_nmetrics; i++)
		if (strcmp(gb_metrics[i].key, key) == 0)
			return &gb_metrics[i];
	return NULL;
}

const struct gb_metric *gb_metric_column(unsigned col)
{
	for (size_t i = 0; col && i < gb_nmetric_defs; i++)
		if (gb_metric_defs[i].col == col)
			return &gb_metric_defs[i];
	return NULL;
}

int gb_metric_value_path(const struct gb_metric *m, char *buf, size_t len)
{
	int n;

	if (m->reduce == GB_METRIC_REDUCE_NONE || !m->path)
		return -ENOENT;
	n = snprintf(buf, len, "metrics.%s%s", m->path,
	             m->reduce == GB_METRIC_REDUCE_SUMMARY ? ".median" : "");
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static json_t *mt_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *gb_metrics_json(void)
{
	static const char *const reduce[] = {
	        [GB_METRIC_REDUCE_NONE] = NULL,         [GB_METRIC_REDUCE_SUMMARY] = "summary",
	        [GB_METRIC_REDUCE_MEDIAN] = "median",   [GB_METRIC_REDUCE_MAX] = "max",
	        [GB_METRIC_REDUCE_ELSEWHERE] = "other",
	};
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < gb_nmetric_defs; i++) {
		const struct gb_metric *m = &gb_metric_defs[i];
		const char *worse = m->worse == GB_METRIC_WORSE_UP     ? "up"
		                    : m->worse == GB_METRIC_WORSE_DOWN ? "down"
		                                                       : NULL;
		/* null, not an absent key, where a metric has none */
		json_t *e = json_pack(
		        "{s:s, s:s, s:o, s:f, s:b, s:b, s:b, s:o, s:o, s:b}", "key", m->key, "unit",
		        m->unit, "worse", mt_str_or_null(worse), "grain", m->grain, "per_task",
		        !!(m->flags & GB_METRIC_PER_TASK), "compared", m->compared, "warns",
		        !!(m->flags & GB_METRIC_WARN), "reduce", mt_str_or_null(reduce[m->reduce]),
		        "path", mt_str_or_null(m->path), "group", !!(m->flags & GB_METRIC_GROUP));

		if (!e || json_array_append_new(arr, e)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
