/*
 * report_json.h - the result document (DESIGN.md section 5): cells with
 * params, raw samples and the metrics derived from them.
 */
#ifndef GB_REPORT_JSON_H
#define GB_REPORT_JSON_H

#include <jansson.h>

#include "run.h"

/* {schema_version: 1, context: {...}, results: []}; NULL on out of memory. */
json_t *gb_report_doc_new(const char *command);

/* The params object of a cell (bound_cpus added by the runner). */
json_t *gb_report_params(const struct gb_cell *cell, unsigned reps, unsigned warmup);

/*
 * Appends a sample object (name -> number) to the samples arrays; numbers
 * only, other keys are ignored.
 */
void gb_report_add_sample(json_t *samples, json_t *sample);

/*
 * Derives "metrics", "summaries" (one summary object per compared metric,
 * bench/results/metrics.def) and "warnings" of a cell from its "samples".
 */
void gb_report_metrics(json_t *cell);

/*
 * 1 when the summary of `key` in cell's "summaries" calls for a warning:
 * a metric flagged GB_METRIC_WARN that is noisy or has too few samples
 * (cpu_s only when the cell spends at least a tenth of its wall on CPU).
 */
int gb_report_warns(json_t *cell, const char *key);

/*
 * A speedup over serial: serial_wall / wall, NAN unless both are positive.
 * The one formula; every reader that derives a speedup itself (fidelity,
 * a chart of a result file without metrics.speedup) calls it.
 */
double gb_speedup(double serial_wall, double wall);

/*
 * Fills speedup and efficiency for every ok cell that has a serial cell
 * doing the same work in the document (cpython-serial for a cpython-
 * cell, as scripts/cpython/gbresult.py does); cpus is the number of PUs
 * usable.
 */
void gb_report_speedups(json_t *doc, unsigned cpus);

/*
 * The confidence interval of the median a summary object holds, and its
 * coverage: "ci" with "ci_level" (files from now on), else the "ci95" of
 * older files (its level from n when ci_level is absent). Every reader of
 * a summary's interval calls this. 0, or -ENOENT when it has none.
 */
int gb_summary_ci(json_t *summary, double *lo, double *hi, double *level);

/* True if doc has an ok serial cell matching the work of `params`. */
int gb_report_has_serial(json_t *doc, json_t *params, const char *workload);

#endif
