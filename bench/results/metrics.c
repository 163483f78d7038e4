/*
 * metrics.c - the table of compared metrics and their worse direction.
 * Only the table: testing, summarising and warning are compare.c's,
 * report_json.c's and run_warn.c's.
 */
#include "metrics.h"

#include <string.h>

#define UP       GB_METRIC_UP_IS_WORSE
#define WARN     GB_METRIC_WARN
#define PER_TASK GB_METRIC_PER_TASK

/*
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
const struct gb_metric gb_metrics[] = {
        {"wall_s", UP | WARN, 0},
        {"cpu_s", UP | WARN, 0.001},
        {"ops_per_s", WARN, 0},
        {"bytecodes_per_s", 0, 0},
        {"speedup", 0, 0},
        {"latency_p50_us", UP | WARN, 0},
        {"latency_p90_us", UP, 0},
        {"latency_p99_us", UP | WARN, 0},
        {"latency_max_us", UP, 0},
        {"mem_per_task_kib", UP | PER_TASK, 512},
        {"gil_held_frac", UP, 0.01},
        {"gil_wait_frac", UP, 0.01},
        {"gil_wait_max_us", UP, 0},
        {"gil_acquisitions", UP, 0},
        {"gil_drop_requests", UP, 0},
        {"gil_forced_switches", UP, 0},
        {"gil_futile_wakeups", UP, 0},
        {"gil_switches", UP, 0},
};
const size_t gb_nmetrics = sizeof(gb_metrics) / sizeof(gb_metrics[0]);

const struct gb_metric *gb_metric_find(const char *key)
{
	for (size_t i = 0; i < gb_nmetrics; i++)
		if (strcmp(gb_metrics[i].key, key) == 0)
			return &gb_metrics[i];
	return NULL;
}
