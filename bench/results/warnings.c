/*
 * warnings.c - the noise warnings of result cells as data (struct
 * gb_warn, from a cell's summaries), grouped by metric and kind (struct
 * gb_warn_group), and the stderr lines of one `gilbench run`: one per
 * metric and kind, with the cells it applies to, where a matrix of 50
 * noisy cells would otherwise print 100 near-identical lines. The
 * per-cell texts stay in the result file (report_json.c writes them and
 * decides which metrics warn); this file never parses them, and the
 * report's wording of a group is report_md.c's.
 */
#include "warnings.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "metrics.h"
#include "stats.h"
#include "status.h"

/* Cells named on a line before "and N more". */
#define RW_NAMED 6

void gb_cell_label(FILE *f, json_t *results, size_t first, json_t *cell)
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

/* The text of cell's warning on metric key ("key: ..."), or NULL. */
static const char *rw_text(json_t *cell, const char *key)
{
	size_t len = strlen(key), i;
	json_t *t;

	json_array_foreach(json_object_get(cell, "warnings"), i, t)
	{
		const char *s = json_string_value(t);

		if (s && strncmp(s, key, len) == 0 && strncmp(s + len, ": ", 2) == 0)
			return s;
	}
	return NULL;
}

/* The summary of key: "summaries", else (a file without them) "metrics". */
static json_t *rw_summary(json_t *cell, const char *key)
{
	json_t *sums = json_object_get(cell, "summaries");

	if (json_is_object(sums))
		return json_object_get(sums, key);
	return json_object_get(json_object_get(cell, "metrics"), key);
}

int gb_warn_of(json_t *cell, const char *key, struct gb_warn *w)
{
	const struct gb_metric *m = gb_metric_find(key);
	json_t *sum = rw_summary(cell, key), *cv = json_object_get(sum, "cv");
	int noisy = json_is_true(json_object_get(sum, "noisy"));
	int few = json_is_true(json_object_get(sum, "too_few"));

	if (!m || !(m->flags & GB_METRIC_WARN) || !json_is_number(cv) || (!noisy && !few) ||
	    !rw_text(cell, key))
		return 0;
	*w = (struct gb_warn){
	        .metric = m->key,
	        .kind = noisy ? GB_WARN_NOISY : GB_WARN_FEW,
	        .cv = json_number_value(cv),
	        .n = (size_t)json_integer_value(json_object_get(sum, "n")),
	        .need = gb_stats_reps_needed(json_number_value(cv), GB_STATS_DETECT_CHANGE, 0.05),
	        .too_few = few,
	};
	return 1;
}

int gb_warn_of_text(json_t *cell, const char *text, struct gb_warn *w)
{
	for (size_t m = 0; m < gb_nmetrics; m++)
		if (rw_text(cell, gb_metrics[m].key) == text)
			return gb_warn_of(cell, gb_metrics[m].key, w);
	return 0;
}

void gb_warn_group_init(struct gb_warn_group *g, const char *metric, enum gb_warn_kind kind)
{
	const struct gb_warn_reps none = {.n_lo = SIZE_MAX, .need_lo = SIZE_MAX};

	*g = (struct gb_warn_group){.metric = metric,
	                            .kind = kind,
	                            .cv_lo = INFINITY,
	                            .cv_hi = -INFINITY,
	                            .all = none,
	                            .few = none};
}

static void rw_reps_add(struct gb_warn_reps *r, const struct gb_warn *w)
{
	r->n_lo = w->n < r->n_lo ? w->n : r->n_lo;
	r->n_hi = w->n > r->n_hi ? w->n : r->n_hi;
	r->need_lo = w->need < r->need_lo ? w->need : r->need_lo;
	r->need_hi = w->need > r->need_hi ? w->need : r->need_hi;
}

void gb_warn_group_add(struct gb_warn_group *g, const struct gb_warn *w)
{
	g->count++;
	g->cv_lo = fmin(g->cv_lo, w->cv);
	g->cv_hi = fmax(g->cv_hi, w->cv);
	rw_reps_add(&g->all, w);
	if (w->too_few) {
		g->nfew++;
		rw_reps_add(&g->few, w);
	}
}

int gb_warn_group_has(const struct gb_warn_group *g, json_t *cell)
{
	struct gb_warn w;

	return gb_warn_of(cell, g->metric, &w) && w.kind == g->kind;
}

/* The stderr line of group g over nok ok cells; the cells named from results[first..]. */
static void rw_line(FILE *f, json_t *results, size_t first, size_t nok,
                    const struct gb_warn_group *g)
{
	size_t named = 0;

	fprintf(f, "gilbench: run: warning: %s: ", g->metric);
	if (g->kind == GB_WARN_NOISY) {
		fprintf(f, "cv above %.0f%% (", 100 * GB_STATS_NOISY_CV);
		gb_warn_put_range(f, 100 * g->cv_lo, 100 * g->cv_hi, "%.1f%%");
		fputs("), too noisy to detect a 5% change with ", f);
	} else {
		fputs("cv ", f);
		gb_warn_put_range(f, 100 * g->cv_lo, 100 * g->cv_hi, "%.1f%%");
		fputs(", but too few repetitions to detect a 5% change: ", f);
	}
	gb_warn_put_range(f, (double)g->all.n_lo, (double)g->all.n_hi, "%.0f");
	fputs(" repetitions (", f);
	gb_warn_put_need(f, g->all.need_lo, g->all.need_hi);
	fprintf(f, " needed), in %zu of %zu cells: ", g->count, nok);
	for (size_t i = first; i < json_array_size(results) && named < RW_NAMED; i++) {
		json_t *c = json_array_get(results, i);

		if (!gb_cell_is_ok(c) || !gb_warn_group_has(g, c))
			continue;
		if (named++)
			fputs(", ", f);
		gb_cell_label(f, results, first, c);
	}
	if (g->count > named)
		fprintf(f, " and %zu more", g->count - named);
	fputc('\n', f);
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
		for (int kind = GB_WARN_NOISY; kind <= GB_WARN_FEW; kind++) {
			struct gb_warn_group g;
			struct gb_warn w;

			gb_warn_group_init(&g, gb_metrics[m].key, (enum gb_warn_kind)kind);
			for (size_t i = first; i < json_array_size(results); i++) {
				json_t *c = json_array_get(results, i);

				if (gb_cell_is_ok(c) && gb_warn_of(c, g.metric, &w) &&
				    w.kind == g.kind)
					gb_warn_group_add(&g, &w);
			}
			if (g.count) {
				rw_line(f, results, first, nok, &g);
				lines++;
			}
		}
	return lines;
}
