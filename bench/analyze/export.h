/*
 * export.h - result files in the formats other benchmark tools read:
 *   gbench  Google Benchmark JSON (compare.py, github-action-benchmark
 *           "googlecpp", Bencher "cpp_google")
 *   bmf     Bencher Metric Format (bencher run --adapter json)
 *   gab     github-action-benchmark customSmallerIsBetter and
 *           customBiggerIsBetter: TWO files, see gb_export_write
 *   pyperf  pyperf JSON version "1.0" (pyperf stats/hist/check/compare_to)
 * docs/statistics.md describes each mapping.
 */
#ifndef GB_EXPORT_H
#define GB_EXPORT_H

#include <jansson.h>

/* 1 if `format` is one of the names above, else 0. */
int gb_export_format_valid(const char *format);

/*
 * Writes `results_doc` (a loaded result file, schema_version 1) to `path`
 * in `format`, atomically; "-" is stdout. gab writes two files, PATH with
 * "-smaller" and "-bigger" inserted before the extension of the last path
 * component (out.json -> out-smaller.json + out-bigger.json; out ->
 * out-smaller + out-bigger), and refuses "-". Cells that are not "ok" or
 * have no wall_s samples are left out; a document with no such cell is an
 * error (-ENODATA). 0 or -errno, after printing one line on error.
 */
int gb_export_write(json_t *results_doc, const char *format, const char *path);

/*
 * The stable benchmark name of a result cell, the same in every format and
 * every run: "model/workload/tasks=N/gil=P/<other params, sorted>=...",
 * leaving out the volatile params (bound_cpus, reps, warmup). malloc'd;
 * NULL on out of memory.
 */
char *gb_export_cell_name(json_t *cell);

#endif
