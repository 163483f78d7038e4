/*
 * compare.c - base against new: the library (compare.h, gb_compare) that
 * matches the cells of two result documents, tests every metric's raw
 * samples for a change (Mann-Whitney U, bench/stats) and gives each a
 * verdict; and `gilbench compare BASE.json NEW.json`, a thin front that
 * prints it (text, markdown, json) and exits 3 when a change is
 * significant, beyond the threshold and in the worse direction.
 *
 * It does not run benchmarks, keep history or draw (plot_compare.c draws
 * gb_compare's result). The verdict rules are documented in
 * docs/statistics.md; keep the two in step.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "compare.h"
#include "identity.h"
#include "log.h"
#include "suggest.h"
#include "metrics.h"
#include "results_io.h"
#include "stats.h"
#include "status.h"

/* GitHub refuses a comment over 65536 characters: markdown stays below. */
#define CMP_MD_BUDGET 64000

enum cmp_format { CMP_TEXT, CMP_MARKDOWN, CMP_JSON };

/* The command's options: the comparison's and how to print it. */
struct cmp_opts {
	struct gb_compare_opts c;
	enum cmp_format format;
	int all; /* text and markdown: every row, not only the changed ones */
	const char *output;
};

/* ---- cells --------------------------------------------------------------- */

static int cmp_same_cell(const struct gb_compare_cell *a, const struct gb_compare_cell *b)
{
	return strcmp(json_string_value(json_object_get(a->cell, "model")),
	              json_string_value(json_object_get(b->cell, "model"))) == 0 &&
	       strcmp(json_string_value(json_object_get(a->cell, "workload")),
	              json_string_value(json_object_get(b->cell, "workload"))) == 0 &&
	       json_equal(a->ident, b->ident);
}

/*
 * A cell that several sweeps ran is one cell with all their samples
 * (identity.c), so each is compared once, on everything measured.
 */
static int cmp_side_init(struct gb_compare_side *side, json_t *doc, const char *name)
{
	json_t *results, *cell;
	size_t i, merged;
	int err;

	memset(side, 0, sizeof(*side));
	side->name = name;
	side->doc = doc;
	err = gb_results_merge_duplicates(doc, &merged);
	if (err)
		return err;
	if (merged)
		gb_warn(name,
		        "%zu cell%s repeated a cell of the same file; their samples are merged",
		        merged, merged == 1 ? "" : "s");
	results = json_object_get(doc, "results");
	side->cells = calloc(json_array_size(results) + 1, sizeof(*side->cells));
	if (!side->cells)
		return -ENOMEM;
	json_array_foreach(results, i, cell)
	{
		struct gb_compare_cell *c = &side->cells[side->n];

		c->cell = cell;
		c->idx = i;
		c->match = -1;
		c->ident = gb_cell_ident_params(cell);
		c->id = gb_cell_id(cell);
		if (!c->ident || !c->id)
			return -ENOMEM;
		side->n++;
	}
	return 0;
}

static void cmp_side_free(struct gb_compare_side *side)
{
	for (size_t i = 0; i < side->n; i++) {
		json_decref(side->cells[i].ident);
		free(side->cells[i].label);
		free(side->cells[i].id);
	}
	free(side->cells);
	memset(side, 0, sizeof(*side));
}

/*
 * Labels show only the params whose values differ among the cells of the
 * same workload in both files: "threads/cpu tasks=4 gil=legacy" rather
 * than all fifteen params, and not io_time_s on a cpu cell because the io
 * cells used another. A key some cells of the workload lack varies too.
 * One pass gathers, per workload, the first value of each key, how many
 * cells have it and whether another value was seen.
 */
/* Adds cell c to info[workload]: its count, and each key's first value,
 * count and whether another value was seen. 0 or -ENOMEM. */
static int cmp_label_gather(json_t *info, const struct gb_compare_cell *c)
{
	const char *wl = json_string_value(json_object_get(c->cell, "workload")), *key;
	json_t *w = json_object_get(info, wl), *first, *count, *vary, *v;

	if (!w) {
		w = json_pack("{s:i, s:{}, s:{}, s:{}}", "cells", 0, "first", "count", "vary");
		if (!w || json_object_set_new(info, wl, w))
			return -ENOMEM;
	}
	first = json_object_get(w, "first");
	count = json_object_get(w, "count");
	vary = json_object_get(w, "vary");
	json_object_set_new(w, "cells",
	                    json_integer(json_integer_value(json_object_get(w, "cells")) + 1));
	json_object_foreach(c->ident, key, v)
	{
		json_t *f = json_object_get(first, key);
		json_int_t n = json_integer_value(json_object_get(count, key));

		if (!f ? json_object_set(first, key, v) != 0
		       : !json_equal(f, v) && json_object_set_new(vary, key, json_true()) != 0)
			return -ENOMEM;
		if (json_object_set_new(count, key, json_integer(n + 1)))
			return -ENOMEM;
	}
	return 0;
}

/* c's label: model/workload and the keys that vary in its workload (info). */
static int cmp_label_one(json_t *info, struct gb_compare_cell *c)
{
	json_t *w = json_object_get(info, json_string_value(json_object_get(c->cell, "workload")));
	json_int_t cells = json_integer_value(json_object_get(w, "cells"));
	const char **keys = calloc(json_object_size(c->ident) + 1, sizeof(*keys)), *key;
	size_t len, nkeys = 0;
	json_t *v;
	FILE *f;

	if (!keys)
		return -ENOMEM;
	json_object_foreach(c->ident, key, v)
	{
		if (json_object_get(json_object_get(w, "vary"), key) ||
		    json_integer_value(json_object_get(json_object_get(w, "count"), key)) < cells)
			keys[nkeys++] = key;
	}
	qsort(keys, nkeys, sizeof(*keys), gb_param_label_order);
	f = open_memstream(&c->label, &len);
	if (f) {
		fprintf(f, "%s/%s", json_string_value(json_object_get(c->cell, "model")),
		        json_string_value(json_object_get(c->cell, "workload")));
		for (size_t k = 0; k < nkeys; k++) {
			fprintf(f, " %s=", keys[k]);
			gb_param_put_value(f, json_object_get(c->ident, keys[k]));
		}
	}
	free(keys);
	return f && fclose(f) == 0 ? 0 : -ENOMEM;
}

static int cmp_label_cells(struct gb_compare_side *sides)
{
	json_t *info = json_object();
	int err = info ? 0 : -ENOMEM;

	for (int s = 0; s < 2 && !err; s++)
		for (size_t i = 0; i < sides[s].n && !err; i++)
			err = cmp_label_gather(info, &sides[s].cells[i]);
	for (int s = 0; s < 2 && !err; s++)
		for (size_t i = 0; i < sides[s].n && !err; i++)
			err = cmp_label_one(info, &sides[s].cells[i]);
	json_decref(info);
	return err;
}

/* ---- samples and verdicts ------------------------------------------------ */

/* samples.<key>: n = 0 when absent or empty; -EINVAL (one line) if malformed. */
static int cmp_samples(const char *path, const struct gb_compare_cell *c, const char *key,
                       double **x, size_t *n)
{
	json_t *samples = json_object_get(c->cell, "samples"), *arr, *v;
	size_t i;

	*x = NULL;
	*n = 0;
	if (samples && !json_is_object(samples)) {
		gb_err(path, "malformed result file: results[%zu].samples is not an object",
		       c->idx);
		return -EINVAL;
	}
	arr = json_object_get(samples, key);
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		goto malformed;
	if (!json_array_size(arr))
		return 0;
	*x = malloc(json_array_size(arr) * sizeof(**x));
	if (!*x)
		return -ENOMEM;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_number(v)) {
			free(*x);
			*x = NULL;
			goto malformed;
		}
		(*x)[i] = json_number_value(v);
	}
	*n = json_array_size(arr);
	return 0;
malformed:
	gb_err(path, "malformed result file: results[%zu].samples.%s is not an array of numbers",
	       c->idx, key);
	return -EINVAL;
}

static int cmp_is_ok(const struct gb_compare_cell *c)
{
	return gb_cell_is_ok(c->cell);
}

/*
 * The verdict rules (docs/statistics.md, section 3), on the change of the
 * medians and the U test's p:
 *   significant, beyond the threshold      -> faster / slower (slower is a
 *                                             regression)
 *   significant, within the threshold      -> no change (real, too small to
 *                                             matter)
 *   not significant, within the threshold  -> no change
 *   not significant, beyond the threshold  -> too noisy: the medians moved
 *                                             by more than the threshold,
 *                                             but the samples cannot tell
 *                                             that from chance
 * So identical samples are "no change" at any n, and a move the test cannot
 * confirm (too few repetitions, or noise) is shown, never a regression.
 * A move no bigger than the metric's grain is within the threshold whatever
 * its percent: 1e-5 to 5e-3 of the wall held is +50000% of nothing.
 */
static void cmp_verdict(struct gb_compare_row *r, const struct gb_compare_opts *o, double grain)
{
	double diff = r->n.median - r->b.median;
	int beyond, worse;

	if (r->b.median != 0)
		r->change_pct = 100 * diff / fabs(r->b.median);
	else
		r->change_pct = diff == 0 ? 0 : NAN;
	beyond = isnan(r->change_pct) || fabs(r->change_pct) > o->threshold;
	if (fabs(diff) <= grain)
		beyond = 0;
	worse = r->metric->worse == GB_METRIC_WORSE_UP ? diff > 0 : diff < 0;
	r->significant = r->p >= 0 && r->p < o->alpha;
	if (r->significant && beyond) {
		r->verdict = worse ? GB_COMPARE_SLOWER : GB_COMPARE_FASTER;
		r->regression = worse;
	} else if (beyond) {
		r->verdict = GB_COMPARE_TOO_NOISY;
	} else {
		r->verdict = GB_COMPARE_NO_CHANGE;
	}
}

static int cmp_row_add(struct gb_compare_result *res, const struct gb_compare_row *row)
{
	if (res->nrows == res->cap) {
		size_t cap = res->cap ? 2 * res->cap : 32;
		struct gb_compare_row *rows = realloc(res->rows, cap * sizeof(*rows));

		if (!rows)
			return -ENOMEM;
		res->rows = rows;
		res->cap = cap;
	}
	res->rows[res->nrows++] = *row;
	return 0;
}

/* The metric's grain in this cell: a per-task grain shares the cell's. */
static double cmp_grain(const struct gb_compare_cell *c, const struct gb_metric *m)
{
	json_t *t = json_object_get(json_object_get(c->cell, "params"), "tasks");
	double tasks = json_is_integer(t) ? (double)json_integer_value(t) : 1;

	if (!(m->flags & GB_METRIC_PER_TASK))
		return m->grain;
	return m->grain / (tasks >= 1 ? tasks : 1);
}

static int cmp_pair(struct gb_compare_side *sides, size_t bi, size_t ni,
                    const struct gb_compare_opts *o, struct gb_compare_result *res)
{
	const struct gb_compare_cell *bc = &sides[0].cells[bi], *nc = &sides[1].cells[ni];

	for (size_t m = 0; m < gb_nmetrics; m++) {
		struct gb_compare_row row = {
		        .base_cell = bi, .new_cell = ni, .metric = &gb_metrics[m]};
		double *bx, *nx;
		size_t bn, nn;
		int err;

		err = cmp_samples(sides[0].name, bc, gb_metrics[m].key, &bx, &bn);
		if (err)
			return err;
		err = cmp_samples(sides[1].name, nc, gb_metrics[m].key, &nx, &nn);
		if (err) {
			free(bx);
			return err;
		}
		if (bn && nn) {
			err = gb_stats_summarize(bx, bn, &row.b);
			if (!err)
				err = gb_stats_summarize(nx, nn, &row.n);
			row.p = gb_stats_mann_whitney_p(bx, bn, nx, nn);
			if (!err && row.p < 0)
				err = -ENOMEM;
			if (!err) {
				cmp_verdict(&row, o, cmp_grain(bc, &gb_metrics[m]));
				err = cmp_row_add(res, &row);
			}
		}
		free(bx);
		free(nx);
		if (err)
			return err;
		if (bn && nn) {
			sides[0].cells[bi].has_rows = 1;
			res->faster += row.verdict == GB_COMPARE_FASTER;
			res->slower += row.verdict == GB_COMPARE_SLOWER;
			res->noisy += row.verdict == GB_COMPARE_TOO_NOISY;
			res->same += row.verdict == GB_COMPARE_NO_CHANGE;
		}
	}
	return 0;
}

/*
 * How the serial cpu cells' wall time moved. They run the interpreter alone,
 * with no model and no GIL in the way: when they move significantly beyond
 * the threshold, either the machine ran at another speed or runtime/
 * changed, and a change of about that size in any other cell may be that,
 * not its model.
 */
static void cmp_serial_drift(struct gb_compare_side *sides, struct gb_compare_result *res)
{
	res->serial_lo = INFINITY;
	res->serial_hi = -INFINITY;
	for (size_t r = 0; r < res->nrows; r++) {
		const struct gb_compare_row *row = &res->rows[r];
		json_t *cell = sides[0].cells[row->base_cell].cell;

		if (strcmp(row->metric->key, "wall_s") != 0 ||
		    strcmp(json_string_value(json_object_get(cell, "model")), "serial") != 0 ||
		    strcmp(json_string_value(json_object_get(cell, "workload")), "cpu") != 0)
			continue;
		res->serial_rows++;
		if (row->verdict != GB_COMPARE_SLOWER && row->verdict != GB_COMPARE_FASTER)
			continue;
		res->serial_moved++;
		if (isnan(row->change_pct))
			continue;
		res->serial_lo = fmin(res->serial_lo, row->change_pct);
		res->serial_hi = fmax(res->serial_hi, row->change_pct);
	}
}

static void cmp_drift_note(FILE *f, const struct gb_compare_result *res, int markdown)
{
	if (!res->serial_moved)
		return;
	fprintf(f, "%snote: %u of %u serial cpu cells (the interpreter alone) ",
	        markdown ? "\n_" : "", res->serial_moved, res->serial_rows);
	if (res->serial_lo <= res->serial_hi) {
		fprintf(f, "moved %+.1f%%", res->serial_lo);
		if (res->serial_hi != res->serial_lo)
			fprintf(f, " to %+.1f%%", res->serial_hi);
		fputs(" in wall time", f);
	} else {
		fputs("moved in wall time", f);
	}
	fprintf(f,
	        ": with no model and no GIL to blame, that is the machine's variation or a "
	        "change in runtime/, and changes of about that size in other cells may be "
	        "the same, not their models.%s\n",
	        markdown ? "_" : "");
}

/* ---- the library --------------------------------------------------------- */

const char *gb_compare_verdict_name(enum gb_compare_verdict v)
{
	switch (v) {
	case GB_COMPARE_FASTER:
		return "faster";
	case GB_COMPARE_SLOWER:
		return "slower";
	case GB_COMPARE_TOO_NOISY:
		return "too noisy";
	case GB_COMPARE_NO_CHANGE:
		break;
	}
	return "no change";
}

/*
 * Pairs each base cell with the new cell of its id and compares the pairs
 * that both ended ok. Cells are unique per file once merged: match by id
 * through a hash.
 */
static int cmp_match(struct gb_compare_result *res, const struct gb_compare_opts *o)
{
	struct gb_compare_side *sides = res->sides;
	json_t *newids = json_object();
	int err = 0;

	for (size_t j = 0; newids && j < sides[1].n; j++)
		if (json_object_set_new(newids, sides[1].cells[j].id,
		                        json_integer((json_int_t)j))) {
			json_decref(newids);
			newids = NULL;
		}
	if (!newids)
		return -ENOMEM;
	for (size_t i = 0; !err && i < sides[0].n; i++) {
		struct gb_compare_cell *b = &sides[0].cells[i], *n;
		json_t *hit = json_object_get(newids, b->id);
		size_t j;

		if (!hit)
			continue;
		j = (size_t)json_integer_value(hit);
		n = &sides[1].cells[j];
		if (n->match >= 0 || !cmp_same_cell(b, n))
			continue;
		b->match = (long)j;
		n->match = (long)i;
		res->ncells++;
		if (cmp_is_ok(b) && cmp_is_ok(n))
			err = cmp_pair(sides, i, j, o, res);
	}
	json_decref(newids);
	return err;
}

int gb_compare(json_t *base, json_t *new_, const struct gb_compare_opts *o,
               struct gb_compare_result *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = cmp_side_init(&out->sides[0], base, o->base_name);
	if (!err)
		err = cmp_side_init(&out->sides[1], new_, o->new_name);
	if (!err)
		err = cmp_match(out, o);
	if (err)
		return err;
	cmp_serial_drift(out->sides, out);
	return cmp_label_cells(out->sides);
}

void gb_compare_result_free(struct gb_compare_result *res)
{
	free(res->rows);
	cmp_side_free(&res->sides[0]);
	cmp_side_free(&res->sides[1]);
	memset(res, 0, sizeof(*res));
}

const struct gb_compare_row *gb_compare_find(const struct gb_compare_result *res, size_t base_cell,
                                             const char *key)
{
	for (size_t r = 0; r < res->nrows; r++)
		if (res->rows[r].base_cell == base_cell &&
		    strcmp(res->rows[r].metric->key, key) == 0)
			return &res->rows[r];
	return NULL;
}

/* ---- output -------------------------------------------------------------- */

/* Markdown lists stop here: a comment must stay under GitHub's limit. */
#define CMP_MD_LIST_MAX 50

static void cmp_fmt_change(char *buf, size_t len, double pct)
{
	if (isnan(pct))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%+.1f%%", pct);
}

static void cmp_fmt_p(char *buf, size_t len, double p)
{
	if (p < 0.0001)
		snprintf(buf, len, "<0.0001");
	else
		snprintf(buf, len, "%.4f", p);
}

/* Text and markdown show the rows that say something, unless --all. */
static int cmp_row_shown(const struct gb_compare_row *r, const struct cmp_opts *o)
{
	return o->all || r->verdict != GB_COMPARE_NO_CHANGE;
}

static size_t cmp_hidden(const struct gb_compare_result *res, const struct cmp_opts *o)
{
	size_t hidden = 0;

	for (size_t r = 0; r < res->nrows; r++)
		hidden += !cmp_row_shown(&res->rows[r], o);
	return hidden;
}

static void cmp_summary_line(FILE *f, const struct gb_compare_result *res, const struct cmp_opts *o,
                             size_t ncells, int markdown)
{
	size_t hidden = cmp_hidden(res, o);

	if (markdown && res->slower)
		fprintf(f, "**%u regression%s**: ", res->slower, res->slower == 1 ? "" : "s");
	else if (res->slower)
		fprintf(f, "%u regression%s: ", res->slower, res->slower == 1 ? "" : "s");
	else
		fprintf(f, "no regression: ");
	fprintf(f,
	        "%zu metric%s compared in %zu matched cell%s: %u slower, %u faster, %u no change, "
	        "%u too noisy (threshold %g%%, alpha %g)\n",
	        res->nrows, res->nrows == 1 ? "" : "s", ncells, ncells == 1 ? "" : "s", res->slower,
	        res->faster, res->same, res->noisy, o->c.threshold, o->c.alpha);
	if (hidden)
		fprintf(f, "%s%zu row%s with no change not shown (--all shows every row)%s\n",
		        markdown ? "\n_" : "", hidden, hidden == 1 ? "" : "s", markdown ? "_" : "");
	cmp_drift_note(f, res, markdown);
}

/* The cells that were not compared, for text and markdown alike. */
static void cmp_put_unmatched(FILE *f, struct gb_compare_side *sides, int markdown)
{
	static const char *const title[] = {"only in base", "only in new"};
	const char *bullet = markdown ? "- " : "  ";

	for (int s = 0; s < 2; s++) {
		size_t count = 0, shown = 0;

		for (size_t i = 0; i < sides[s].n; i++)
			count += sides[s].cells[i].match < 0;
		if (!count)
			continue;
		fprintf(f, "\n%s%s (%zu):%s\n", markdown ? "**" : "", title[s], count,
		        markdown ? "**" : "");
		for (size_t i = 0; i < sides[s].n; i++) {
			if (sides[s].cells[i].match >= 0)
				continue;
			if (markdown && shown == CMP_MD_LIST_MAX) {
				fprintf(f, "- ... and %zu more (--format json lists them all)\n",
				        count - shown);
				break;
			}
			fprintf(f, "%s%s\n", bullet, sides[s].cells[i].label);
			shown++;
		}
	}
}

static int cmp_has_rows(struct gb_compare_side *sides, size_t base_cell)
{
	return sides[0].cells[base_cell].has_rows;
}

static void cmp_put_not_compared(FILE *f, struct gb_compare_side *sides,
                                 const struct gb_compare_result *res, int markdown)
{
	size_t count = 0, shown = 0;

	for (size_t i = 0; i < sides[0].n; i++)
		count += sides[0].cells[i].match >= 0 && !cmp_has_rows(sides, i);
	if (!count)
		return;
	fprintf(f, "\n%snot compared (%zu):%s\n", markdown ? "**" : "", count,
	        markdown ? "**" : "");
	for (size_t i = 0; i < sides[0].n; i++) {
		const struct gb_compare_cell *b = &sides[0].cells[i], *n;

		if (b->match < 0 || cmp_has_rows(sides, i))
			continue;
		if (markdown && shown == CMP_MD_LIST_MAX) {
			fprintf(f, "- ... and %zu more (--format json lists them all)\n",
			        count - shown);
			break;
		}
		n = &sides[1].cells[b->match];
		fprintf(f, "%s%s: base %s, new %s%s\n", markdown ? "- " : "  ", b->label,
		        json_string_value(json_object_get(b->cell, "status")),
		        json_string_value(json_object_get(n->cell, "status")),
		        cmp_is_ok(b) && cmp_is_ok(n) ? " (no metric with samples on both sides)"
		                                     : "");
		shown++;
	}
}

static void cmp_put_text(FILE *f, struct gb_compare_side *sides,
                         const struct gb_compare_result *res, const struct cmp_opts *o,
                         size_t ncells)
{
	static const char *const head[] = {"cell",   "metric", "base",   "new",
	                                   "change", "p",      "verdict"};
	char cols[7][64];
	int w[7], any = 0;

	for (int c = 0; c < 7; c++)
		w[c] = (int)strlen(head[c]);
	/* Two passes: widths first, then the rows. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t r = 0; r < res->nrows; r++) {
			const struct gb_compare_row *row = &res->rows[r];
			const char *label = sides[0].cells[row->base_cell].label;

			if (!cmp_row_shown(row, o))
				continue;
			if (pass == 1 && !any++)
				fprintf(f, "%-*s  %-*s  %*s  %*s  %*s  %*s  %s\n", w[0], head[0],
				        w[1], head[1], w[2], head[2], w[3], head[3], w[4], head[4],
				        w[5], head[5], head[6]);
			snprintf(cols[2], sizeof(cols[2]), "%.4g", row->b.median);
			snprintf(cols[3], sizeof(cols[3]), "%.4g", row->n.median);
			cmp_fmt_change(cols[4], sizeof(cols[4]), row->change_pct);
			cmp_fmt_p(cols[5], sizeof(cols[5]), row->p);
			if (pass == 0) {
				int lw = (int)strlen(label), mw = (int)strlen(row->metric->key);

				w[0] = lw > w[0] ? lw : w[0];
				w[1] = mw > w[1] ? mw : w[1];
				for (int c = 2; c < 6; c++)
					if ((int)strlen(cols[c]) > w[c])
						w[c] = (int)strlen(cols[c]);
				continue;
			}
			fprintf(f, "%-*s  %-*s  %*s  %*s  %*s  %*s  %s%s\n", w[0], label, w[1],
			        row->metric->key, w[2], cols[2], w[3], cols[3], w[4], cols[4], w[5],
			        cols[5], gb_compare_verdict_name(row->verdict),
			        row->regression ? "  <- regression" : "");
		}
	}
	if (any)
		fputc('\n', f);
	cmp_summary_line(f, res, o, ncells, 0);
	cmp_put_unmatched(f, sides, 0);
	cmp_put_not_compared(f, sides, res, 0);
}

/* GitHub tables break on '|': escape it. */
static void cmp_put_md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

/*
 * For a pull-request comment: heading, summary, the table of shown rows,
 * the lists. The lists are written first to learn their size; rows fill
 * what is left of CMP_MD_BUDGET, regressions first, so a huge report is
 * cut where it matters least and says so.
 */
static int cmp_put_markdown(FILE *f, struct gb_compare_side *sides,
                            const struct gb_compare_result *res, const struct cmp_opts *o,
                            size_t ncells)
{
	char change[32], p[32], *tail = NULL, *line = NULL;
	size_t tail_len = 0, line_len = 0, used, shown = 0, wanted = 0;
	FILE *t = open_memstream(&tail, &tail_len);
	long head_len;

	if (!t)
		return -ENOMEM;
	cmp_put_unmatched(t, sides, 1);
	cmp_put_not_compared(t, sides, res, 1);
	if (fclose(t) != 0) {
		free(tail);
		return -ENOMEM;
	}
	head_len = ftell(f);
	fprintf(f, "### gilbench compare\n\n");
	cmp_summary_line(f, res, o, ncells, 1);
	for (size_t r = 0; r < res->nrows; r++)
		wanted += cmp_row_shown(&res->rows[r], o);
	if (wanted)
		fprintf(f, "\n| cell | metric | base | new | change | p | verdict |\n"
		           "|:--|:--|--:|--:|--:|--:|:--|\n");
	used = (size_t)(ftell(f) - (head_len > 0 ? head_len : 0)) + tail_len + 200;
	/* Pass 0: regressions; pass 1: the other shown rows. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t r = 0; r < res->nrows; r++) {
			const struct gb_compare_row *row = &res->rows[r];
			FILE *l;

			if (!cmp_row_shown(row, o) || (row->regression ? 0 : 1) != pass)
				continue;
			l = open_memstream(&line, &line_len);
			if (!l) {
				free(tail);
				return -ENOMEM;
			}
			cmp_fmt_change(change, sizeof(change), row->change_pct);
			cmp_fmt_p(p, sizeof(p), row->p);
			fputs("| ", l);
			cmp_put_md_cell(l, sides[0].cells[row->base_cell].label);
			fprintf(l, " | %s | %.4g | %.4g | %s | %s | %s%s%s |\n", row->metric->key,
			        row->b.median, row->n.median, change, p,
			        row->regression ? "**" : "", gb_compare_verdict_name(row->verdict),
			        row->regression ? "**" : "");
			if (fclose(l) != 0) {
				free(line);
				free(tail);
				return -ENOMEM;
			}
			if (used + line_len <= CMP_MD_BUDGET) {
				fputs(line, f);
				used += line_len;
				shown++;
			}
			free(line);
			line = NULL;
		}
	if (shown < wanted)
		fprintf(f,
		        "\n_%zu more row%s not shown: GitHub comments are limited to 65536 "
		        "characters; `--format json` has every row._\n",
		        wanted - shown, wanted - shown == 1 ? "" : "s");
	fputs(tail, f);
	free(tail);
	return 0;
}

static json_t *cmp_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* A side's summary: "ci" with ci_level, and "ci95" only when it is one
 * (as result files write them, report_json.c). */
static json_t *cmp_side_json(const struct gb_summary *s)
{
	json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:[oo], s:o, s:b}", "n", (json_int_t)s->n,
	                      "median", cmp_num(s->median), "mean", cmp_num(s->mean), "cv",
	                      cmp_num(s->cv), "ci", cmp_num(s->ci95_lo), cmp_num(s->ci95_hi),
	                      "ci_level", cmp_num(s->ci_level), "noisy", s->noisy);

	if (o && s->ci_level >= GB_STATS_CI_LEVEL)
		json_object_set(o, "ci95", json_object_get(o, "ci"));
	return o;
}

static json_t *cmp_cell_json(const struct gb_compare_cell *c)
{
	json_t *params = json_deep_copy(json_object_get(c->cell, "params"));

	return json_pack("{s:s, s:O, s:O, s:o*, s:O, s:I}", "label", c->label, "model",
	                 json_object_get(c->cell, "model"), "workload",
	                 json_object_get(c->cell, "workload"), "params", params, "status",
	                 json_object_get(c->cell, "status"), "index", (json_int_t)c->idx);
}

static json_t *cmp_json(struct gb_compare_side *sides, const struct gb_compare_result *res,
                        const struct cmp_opts *o, size_t ncells)
{
	json_t *doc, *rows = json_array(), *only[2] = {json_array(), json_array()};
	json_t *notcmp = json_array();

	if (!rows || !only[0] || !only[1] || !notcmp)
		goto fail;
	for (size_t r = 0; r < res->nrows; r++) {
		const struct gb_compare_row *row = &res->rows[r];
		json_t *e = json_pack(
		        "{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:s, s:b}", "cell",
		        sides[0].cells[row->base_cell].label, "metric", row->metric->key,
		        "worse_when", row->metric->worse == GB_METRIC_WORSE_UP ? "up" : "down",
		        "base", cmp_side_json(&row->b), "new", cmp_side_json(&row->n), "change_pct",
		        cmp_num(row->change_pct), "p_value", cmp_num(row->p), "significant",
		        row->significant, "verdict", gb_compare_verdict_name(row->verdict),
		        "regression", row->regression);

		if (!e || json_array_append_new(rows, e))
			goto fail;
	}
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < sides[s].n; i++)
			if (sides[s].cells[i].match < 0 &&
			    json_array_append_new(only[s], cmp_cell_json(&sides[s].cells[i])))
				goto fail;
	for (size_t i = 0; i < sides[0].n; i++) {
		const struct gb_compare_cell *b = &sides[0].cells[i];

		if (b->match < 0)
			continue;
		if (!cmp_has_rows(sides, i) &&
		    json_array_append_new(
		            notcmp,
		            json_pack("{s:s, s:O, s:O}", "cell", b->label, "base_status",
		                      json_object_get(b->cell, "status"), "new_status",
		                      json_object_get(sides[1].cells[b->match].cell, "status"))))
			goto fail;
	}
	doc = json_pack("{s:s, s:s, s:f, s:f, s:b, s:{s:I, s:I, s:i, s:i, s:i, s:i, s:i}, s:o, "
	                "s:o, s:o, s:o, s:{s:i, s:i, s:o, s:o}}",
	                "base", o->c.base_name, "new", o->c.new_name, "threshold_pct",
	                o->c.threshold, "alpha", o->c.alpha, "regression", res->slower > 0,
	                "summary", "cells", (json_int_t)ncells, "metrics", (json_int_t)res->nrows,
	                "slower", (int)res->slower, "faster", (int)res->faster, "no_change",
	                (int)res->same, "too_noisy", (int)res->noisy, "regressions",
	                (int)res->slower, "comparisons", rows, "only_in_base", only[0],
	                "only_in_new", only[1], "not_compared", notcmp, "serial_cpu", "cells",
	                (int)res->serial_rows, "moved", (int)res->serial_moved, "change_pct_min",
	                cmp_num(res->serial_moved ? res->serial_lo : NAN), "change_pct_max",
	                cmp_num(res->serial_moved ? res->serial_hi : NAN));
	return doc;
fail:
	json_decref(rows);
	json_decref(only[0]);
	json_decref(only[1]);
	json_decref(notcmp);
	return NULL;
}

/* ---- command ------------------------------------------------------------- */

/* "Metrics, up is worse: ...; down is worse: ...", from metrics.def,
 * wrapped at 76 columns. */
static void cmp_usage_metrics(FILE *f)
{
	static const struct {
		enum gb_metric_worse worse;
		const char *lead, *end;
	} dirs[] = {{GB_METRIC_WORSE_UP, "Metrics, up is worse:", ";"},
	            {GB_METRIC_WORSE_DOWN, "down is worse:", "."}};
	int col = 0;

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		const char *word = dirs[d].lead;
		size_t m = 0;

		for (;;) {
			int len = (int)strlen(word);
			const char *sep;

			while (m < gb_nmetrics && gb_metrics[m].worse != dirs[d].worse)
				m++;
			sep = m < gb_nmetrics && word != dirs[d].lead ? "," : "";
			if (word != dirs[d].lead && m == gb_nmetrics)
				sep = dirs[d].end;
			if (col && col + 1 + len + (int)strlen(sep) > 76) {
				fputc('\n', f);
				col = 0;
			}
			col += fprintf(f, "%s%s%s", col ? " " : "", word, sep);
			if (m == gb_nmetrics)
				break;
			word = gb_metrics[m++].key;
		}
	}
	fputc('\n', f);
}

static void cmp_usage(FILE *f)
{
	fprintf(f, "usage: gilbench compare BASE.json NEW.json [options]\n"
	           "\n"
	           "Matches the cells of two result files by model, workload and params, tests\n"
	           "each metric's raw samples with a Mann-Whitney U test and gives a verdict:\n"
	           "faster, slower, no change, too noisy. Exit status: 0 no regression,\n"
	           "3 a regression (significant, beyond the threshold, in the worse direction),\n"
	           "1 bad input.\n"
	           "\n"
	           "  --threshold PCT  smallest change that counts, in percent (default 5)\n"
	           "  --alpha A        significance level of the U test (default 0.05)\n"
	           "  -f, --format F   text (default), markdown (for a PR comment) or json\n"
	           "  --all            text and markdown: every row; by default rows with\n"
	           "                   \"no change\" are counted in the summary, not listed\n"
	           "  -o, --output F   write there instead of stdout\n"
	           "  -h, --help       this text\n"
	           "\n");
	cmp_usage_metrics(f);
	fprintf(f, "Cells repeated within a file are merged. See docs/statistics.md.\n");
}

static int cmp_parse_num(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (strcmp(opt, "--threshold") == 0 && end != s && *end == '%')
		end++;
	if (end == s || *end || errno || !isfinite(v)) {
		gb_err("compare", "%s: '%s' is not a number", opt, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

enum { CMP_OPT_THRESHOLD = 256, CMP_OPT_ALPHA, CMP_OPT_ALL };
static const struct option cmp_longopts[] = {
        {"threshold", required_argument, NULL, CMP_OPT_THRESHOLD},
        {"alpha", required_argument, NULL, CMP_OPT_ALPHA},
        {"all", no_argument, NULL, CMP_OPT_ALL},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* What getopt_long refused: a missing value or an unknown option. 1. */
static int cmp_bad_option(char **argv)
{
	char hint[96];

	if (optopt &&
	    ((optopt >= CMP_OPT_THRESHOLD && optopt != CMP_OPT_ALL) || strchr("fo", optopt)))
		gb_err("compare", "option '%s' needs a value", argv[optind - 1]);
	else
		gb_err("compare", "unknown option '%s'%s", argv[optind - 1],
		       gb_suggest_option_hint(hint, sizeof(hint), argv[optind - 1], cmp_longopts,
		                              " (try 'gilbench compare --help')"));
	return 1;
}

/* One option into o: 0, 1 (refused, one line said why), -1 (--help printed). */
static int cmp_option(int c, char **argv, struct cmp_opts *o)
{
	switch (c) {
	case CMP_OPT_THRESHOLD:
		if (cmp_parse_num("--threshold", optarg, &o->c.threshold))
			return 1;
		if (o->c.threshold < 0) {
			gb_err("compare", "--threshold: must be 0 or more (percent)");
			return 1;
		}
		return 0;
	case CMP_OPT_ALPHA:
		if (cmp_parse_num("--alpha", optarg, &o->c.alpha))
			return 1;
		if (!(o->c.alpha > 0 && o->c.alpha < 1)) {
			gb_err("compare", "--alpha: must be between 0 and 1");
			return 1;
		}
		return 0;
	case 'f':
		if (strcmp(optarg, "text") == 0)
			o->format = CMP_TEXT;
		else if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
			o->format = CMP_MARKDOWN;
		else if (strcmp(optarg, "json") == 0)
			o->format = CMP_JSON;
		else {
			gb_err("compare", "--format: '%s' is not text, markdown or json", optarg);
			return 1;
		}
		return 0;
	case 'o':
		o->output = optarg;
		return 0;
	case CMP_OPT_ALL:
		o->all = 1;
		return 0;
	case 'h':
		cmp_usage(stdout);
		return -1;
	default:
		return cmp_bad_option(argv);
	}
}

static int cmp_parse(int argc, char **argv, struct cmp_opts *o)
{
	int c, rc;

	*o = (struct cmp_opts){
	        .c = {.threshold = GB_COMPARE_THRESHOLD_DEFAULT, .alpha = GB_COMPARE_ALPHA_DEFAULT},
	        .format = CMP_TEXT,
	        .output = "-"};
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:h", cmp_longopts, NULL)) != -1)
		if ((rc = cmp_option(c, argv, o)) != 0)
			return rc;
	if (argc - optind != 2) {
		gb_err("compare",
		       "expected two result files, BASE.json and NEW.json, got %d "
		       "(try --help)",
		       argc - optind);
		return 1;
	}
	o->c.base_name = argv[optind];
	o->c.new_name = argv[optind + 1];
	return 0;
}

struct cmp_out {
	const struct gb_compare_result *res;
	const struct cmp_opts *o;
};

/* The text or markdown table, for gb_text_write_with. */
static int cmp_put(FILE *f, void *arg)
{
	const struct cmp_out *c = arg;
	struct gb_compare_side *sides = (struct gb_compare_side *)c->res->sides;

	if (c->o->format == CMP_MARKDOWN)
		return cmp_put_markdown(f, sides, c->res, c->o, c->res->ncells);
	cmp_put_text(f, sides, c->res, c->o, c->res->ncells);
	return 0;
}

/* Prints res as o says: 0 or -errno, after saying why. */
static int cmp_print(const struct gb_compare_result *res, const struct cmp_opts *o)
{
	struct gb_compare_side *sides = (struct gb_compare_side *)res->sides;
	struct cmp_out out = {res, o};
	int err = 0;

	if (o->format == CMP_JSON) {
		json_t *doc = cmp_json(sides, res, o, res->ncells);

		if (!doc)
			goto fail_nomem;
		err = gb_json_write_atomic(o->output, doc);
		json_decref(doc);
		return err ? err : 0;
	}
	return gb_text_write_with(o->output, "compare", cmp_put, &out);
fail_nomem:
	gb_err("compare", "out of memory");
	return -ENOMEM;
}

int gb_cmd_compare(int argc, char **argv)
{
	struct gb_compare_result res = {0};
	json_t *docs[2] = {NULL, NULL};
	struct cmp_opts o;
	int rc, err;

	rc = cmp_parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : 1;
	rc = 1;
	/* Both files are read and checked before anything is printed. */
	if (gb_results_load(o.c.base_name, &docs[0]) || gb_results_load(o.c.new_name, &docs[1]))
		goto out;
	err = gb_compare(docs[0], docs[1], &o.c, &res);
	if (err == -ENOMEM)
		gb_err("compare", "out of memory");
	if (!err)
		err = cmp_print(&res, &o);
	if (!err)
		rc = res.slower ? 3 : 0;
out:
	gb_compare_result_free(&res);
	json_decref(docs[0]);
	json_decref(docs[1]);
	return rc;
}
