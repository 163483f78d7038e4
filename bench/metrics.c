/*
 * metrics.c - the table of compared metrics and their worse direction.
 * Only the table: testing, summarising and warning are compare.c's,
 * report_json.c's and run_warn.c's.
 */
#include "metrics.h"

#include <string.h>

#define UP   GB_METRIC_UP_IS_WORSE
#define WARN GB_METRIC_WARN

/*
 * Times, latencies and memory: up is worse. Rates and speedup: down is
 * worse. GIL measures are the cost of the lock: time held and waited, and
 * the traffic of acquisitions, drop requests, forced switches, futile
 * wakeups and switches are all overhead for the same work: up is worse.
 * Warnings only for the headline figures: a counter's spread is the
 * workload's nature, not noise the reader must act on.
 */
const struct gb_metric gb_metrics[] = {
        {"wall_s", UP | WARN},
        {"cpu_s", UP | WARN},
        {"ops_per_s", WARN},
        {"bytecodes_per_s", 0},
        {"speedup", 0},
        {"latency_p50_us", UP | WARN},
        {"latency_p90_us", UP},
        {"latency_p99_us", UP | WARN},
        {"latency_max_us", UP},
        {"mem_per_task_kib", UP},
        {"gil_held_frac", UP},
        {"gil_wait_frac", UP},
        {"gil_wait_max_us", UP},
        {"gil_acquisitions", UP},
        {"gil_drop_requests", UP},
        {"gil_forced_switches", UP},
        {"gil_futile_wakeups", UP},
        {"gil_switches", UP},
};
const size_t gb_nmetrics = sizeof(gb_metrics) / sizeof(gb_metrics[0]);

const struct gb_metric *gb_metric_find(const char *key)
{
	for (size_t i = 0; i < gb_nmetrics; i++)
		if (strcmp(gb_metrics[i].key, key) == 0)
			return &gb_metrics[i];
	return NULL;
}
