/*
 * run_warn.c - condenses the noise warnings of the cells one `gilbench
 * run` made into a few stderr lines: one per metric and kind, with the
 * cells it applies to, where a matrix of 50 noisy cells would otherwise
 * print 100 near-identical lines. The per-cell lines stay in the result
 * file (report_json.c writes them and decides which metrics warn); this
 * file only groups and prints.
 */
#include "warnings.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "metrics.h"
#include "report_json.h"
#include "stats.h"
#include "status.h"

/* Cells named on a line before "and N more". */
#define RW_NAMED 6

/*
 * model/workload and the identity params whose value differs among the
 * run's cells of the same workload: what tells this cell from the others.
 */
static void rw_label(FILE *f, json_t *results, size_t first, json_t *cell)
{
	const char *wl = json_string_value(json_object_get(cell, "workload")), *keys[64], *key;
	json_t *params = json_object_get(cell, "params"), *v;
	size_t nkeys = 0;

	json_object_foreach(params, key, v)
	{
		int varies = 0;

		if (gb_param_is_volatile(key))
			continue;
		for (size_t j = first; j < json_array_size(results) && !varies; j++) {
			json_t *o = json_array_get(results, j);
			const char *owl = json_string_value(json_object_get(o, "workload"));

			varies = owl && strcmp(owl, wl) == 0 &&
			         !json_equal(v, json_object_get(json_object_get(o, "params"), key));
		}
		if (varies && nkeys < sizeof(keys) / sizeof(keys[0]))
			keys[nkeys++] = key;
	}
	qsort(keys, nkeys, sizeof(*keys), gb_param_label_order);
	fprintf(f, "%s/%s", json_string_value(json_object_get(cell, "model")), wl);
	for (size_t k = 0; k < nkeys; k++) {
		fprintf(f, " %s=", keys[k]);
		gb_param_put_value(f, json_object_get(params, keys[k]));
	}
}

void gb_warn_put_range(FILE *f, double lo, double hi, const char *fmt)
{
	fprintf(f, fmt, lo);
	if (hi != lo) {
		fputs(" to ", f);
		fprintf(f, fmt, hi);
	}
}

void gb_warn_put_need(FILE *f, size_t lo, size_t hi)
{
	if (lo == SIZE_MAX) {
		fputs("more than 10^9", f);
		return;
	}
	fprintf(f, "%zu", lo);
	if (hi != lo) {
		if (hi == SIZE_MAX)
			fputs(" or more", f);
		else
			fprintf(f, " to %zu", hi);
	}
}

/*
 * One line: kind 0 = noisy cells; kind 1 = tight cells (cv within 5%)
 * that still have too few repetitions for a 5% change.
 */
static int rw_line(FILE *f, json_t *results, size_t first, size_t nok, const char *key, int kind)
{
	double cv_lo = 1e300, cv_hi = 0;
	size_t n_lo = SIZE_MAX, n_hi = 0, need_lo = SIZE_MAX, need_hi = 0, count = 0, named = 0;
	json_t *c;

	for (size_t i = first; i < json_array_size(results); i++) {
		json_t *sum;
		double cv;
		size_t n, need;

		c = json_array_get(results, i);
		if (!gb_cell_is_ok(c) || !gb_report_warns(c, key))
			continue;
		sum = json_object_get(json_object_get(c, "summaries"), key);
		if (json_is_true(json_object_get(sum, "noisy")) != (kind == 0))
			continue;
		cv = json_number_value(json_object_get(sum, "cv"));
		n = (size_t)json_integer_value(json_object_get(sum, "n"));
		need = gb_stats_reps_needed(cv, GB_STATS_DETECT_CHANGE, 0.05);
		cv_lo = cv < cv_lo ? cv : cv_lo;
		cv_hi = cv > cv_hi ? cv : cv_hi;
		n_lo = n < n_lo ? n : n_lo;
		n_hi = n > n_hi ? n : n_hi;
		need_lo = need < need_lo ? need : need_lo;
		need_hi = need > need_hi ? need : need_hi;
		count++;
	}
	if (!count)
		return 0;
	fprintf(f, "gilbench: run: warning: %s: ", key);
	if (kind == 0) {
		fprintf(f, "cv above %.0f%% (", 100 * GB_STATS_NOISY_CV);
		gb_warn_put_range(f, 100 * cv_lo, 100 * cv_hi, "%.1f%%");
		fputs("), too noisy to detect a 5% change with ", f);
	} else {
		fputs("cv ", f);
		gb_warn_put_range(f, 100 * cv_lo, 100 * cv_hi, "%.1f%%");
		fputs(", but too few repetitions to detect a 5% change: ", f);
	}
	gb_warn_put_range(f, (double)n_lo, (double)n_hi, "%.0f");
	fputs(" repetitions (", f);
	gb_warn_put_need(f, need_lo, need_hi);
	fprintf(f, " needed), in %zu of %zu cells: ", count, nok);
	for (size_t i = first; i < json_array_size(results) && named < RW_NAMED; i++) {
		json_t *sum;

		c = json_array_get(results, i);
		if (!gb_cell_is_ok(c) || !gb_report_warns(c, key))
			continue;
		sum = json_object_get(json_object_get(c, "summaries"), key);
		if (json_is_true(json_object_get(sum, "noisy")) != (kind == 0))
			continue;
		if (named++)
			fputs(", ", f);
		rw_label(f, results, first, c);
	}
	if (count > named)
		fprintf(f, " and %zu more", count - named);
	fputc('\n', f);
	return 1;
}

size_t gb_run_warn_print(FILE *f, json_t *doc, size_t first)
{
	json_t *results = json_object_get(doc, "results");
	size_t nok = 0, lines = 0;

	for (size_t i = first; i < json_array_size(results); i++)
		nok += gb_cell_is_ok(json_array_get(results, i));
	if (!nok)
		return 0;
	for (size_t m = 0; m < gb_nmetrics; m++)
		for (int kind = 0; kind < 2; kind++)
			lines += (size_t)rw_line(f, results, first, nok, gb_metrics[m].key, kind);
	return lines;
}
