/*
 * plot_compare.c - the compare chart: base against new, one row per cell
 * present in both, the wall time's median and confidence interval from the
 * raw samples (bench/stats.c), and the verdict `gilbench compare` gives.
 *
 * The verdicts are not this file's: it calls compare's library (gb_compare,
 * compare.h) on the same two documents and takes its wall_s rows, so the
 * chart and the command can never disagree. It draws and counts; it
 * decides nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "identity.h"
#include "log.h"
#include "plot.h"
#include "report_json.h"
#include "report_md.h"
#include "results_io.h"
#include "stats.h"

/* One side of a row: the wall time's median and the CI of the median. */
struct plot_side {
	double med, lo, hi;
	double level; /* the CI's coverage (0.9375 for 5 samples), NAN if not known */
	size_t n;     /* raw samples; 0 = medians from metrics.wall_s */
};

struct plot_row {
	json_t *base, *cell;
	struct plot_side b, nw;
	const char *verdict; /* compare's, or NULL when it tested no wall_s here */
	double p;
};

/* samples.wall_s as an array: n = 0 when absent or not all numbers. */
static double *plot_samples(json_t *cell, size_t *n)
{
	json_t *arr = json_object_get(json_object_get(cell, "samples"), "wall_s"), *v;
	double *x;
	size_t i;

	*n = 0;
	if (!json_array_size(arr))
		return NULL;
	x = malloc(json_array_size(arr) * sizeof(*x));
	if (!x)
		return NULL;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_number(v)) {
			free(x);
			return NULL;
		}
		x[i] = json_number_value(v);
	}
	*n = json_array_size(arr);
	return x;
}

/*
 * From the raw samples when the cell has them (metrics.wall_s may be
 * stale or absent in a hand-edited file; the samples are what compare
 * tests), else from metrics.wall_s. The CI's level: metrics.wall_s.ci_level
 * when the file gives it, else the coverage of the CI computed here.
 */
static int plot_side_get(json_t *cell, struct plot_side *s)
{
	json_t *ws = json_object_get(json_object_get(cell, "metrics"), "wall_s");
	double lvl;
	double *x = plot_samples(cell, &s->n);

	s->level = NAN;
	if (x) {
		s->med = gb_stats_median(x, s->n);
		s->level = gb_stats_median_ci(x, s->n, 0.95, &s->lo, &s->hi);
		free(x);
	} else {
		if (gb__res_num(cell, "metrics.wall_s.median", &s->med) != 0)
			return -ENOENT;
		s->lo = s->hi = s->med;
		if (gb_summary_ci(ws, &s->lo, &s->hi, &lvl) == 0 && lvl > 0 && lvl <= 1)
			s->level = lvl;
		return s->med > 0 ? 0 : -ENOENT;
	}
	if (gb__res_num(ws, "ci_level", &lvl) == 0 && lvl > 0 && lvl <= 1)
		s->level = lvl;
	return s->med > 0 ? 0 : -ENOENT;
}

/*
 * The params that tell a workload's cells apart, and the value most of its
 * cells hold for each, found once per workload. A row names a param only
 * where it differs from that value: "background  greenlets  tasks=2
 * yield_every=10000", not every swept param of every row. Two cells still
 * get two labels: where they differ, at least one of them is not the mode.
 */
struct plot_vary {
	const char *wl;
	const char *keys[16];
	json_t *mode[16];
	size_t n;
};

static json_t *plot_param_mode(json_t *results, const char *wl, const char *key)
{
	json_t *best = NULL, *a, *b;
	size_t bestc = 0, i, j;

	json_array_foreach(results, i, a)
	{
		json_t *v = json_object_get(json_object_get(a, "params"), key);
		size_t c = 0;
		if (!v || strcmp(gb__res_str(a, "workload"), wl) != 0)
			continue;
		json_array_foreach(results, j, b)
		{
			json_t *w = json_object_get(json_object_get(b, "params"), key);
			c += w && strcmp(gb__res_str(b, "workload"), wl) == 0 && json_equal(v, w);
		}
		if (c > bestc)
			best = v, bestc = c;
	}
	return best;
}

static void plot_row_label(json_t *results, json_t *cell, struct plot_vary *cache, size_t *ncache,
                           char *buf, size_t len)
{
	const char *wl = gb__res_str(cell, "workload");
	struct plot_vary *c = NULL;
	size_t off;
	char key[64], title[128], v[128];
	double t = gb__plot_get(cell, "params.tasks");

	for (size_t i = 0; i < *ncache && !c; i++)
		if (strcmp(cache[i].wl, wl) == 0)
			c = &cache[i];
	if (!c) {
		c = &cache[(*ncache)++];
		c->wl = wl;
		c->n = gb__res_varying(results, wl, c->keys, 16);
		for (size_t i = 0; i < c->n; i++)
			c->mode[i] = plot_param_mode(results, wl, c->keys[i]);
	}

	gb__res_series(cell, key, sizeof(key), title, sizeof(title));
	off = (size_t)snprintf(buf, len, "%s  %s", wl, title);
	if (!isnan(t) && off < len)
		off += (size_t)snprintf(buf + off, len - off, "  tasks=%.0f", t);
	for (size_t i = 0; i < c->n && off < len; i++) {
		json_t *pv = json_object_get(json_object_get(cell, "params"), c->keys[i]);
		if (!pv || (c->mode[i] && json_equal(pv, c->mode[i])))
			continue;
		gb__res_value_text(pv, v, sizeof(v));
		off += (size_t)snprintf(buf + off, len - off, "  %s=%s", c->keys[i], v);
	}
	/* The label is a quoted gnuplot string in the .dat file. */
	for (char *p = buf; *p; p++)
		if (*p == '"')
			*p = '\'';
}

/*
 * compare's verdict on each row's wall time: gb_compare on the base and the
 * merged results as charted (plot.c resolved repeated cells, so compare
 * merges none and its cells are the chart's), each row's base cell found
 * by pointer. On a malformed file compare says why and the rows stay "not
 * tested" (-EINVAL); -ENOMEM stops the chart.
 */
static int plot_verdicts(struct gb__plot_ctx *pc, struct plot_row *rows, size_t nrows,
                         const struct gb_compare_opts *o)
{
	struct gb_compare_result res;
	int err = gb_compare(pc->base, pc->doc, o, &res);

	for (size_t k = 0; !err && k < nrows; k++) {
		const struct gb_compare_side *b = &res.sides[0];
		const struct gb_compare_row *row = NULL;

		if (!(rows[k].b.n && rows[k].nw.n))
			continue;
		for (size_t i = 0; i < b->n && !row; i++)
			if (b->cells[i].cell == rows[k].base)
				row = gb_compare_find(&res, i, "wall_s");
		if (row) {
			rows[k].verdict = gb_compare_verdict_name(row->verdict);
			rows[k].p = row->p;
		}
	}
	gb_compare_result_free(&res);
	return err;
}

/* The band behind a row: 1 slower, -1 faster, 0 neither (or not tested). */
static int plot_worse(const char *verdict)
{
	if (!verdict)
		return 0;
	if (strcmp(verdict, "slower") == 0)
		return 1;
	return strcmp(verdict, "faster") == 0 ? -1 : 0;
}

/* "94%" when every side's CI has one level; "" when they differ or are unknown. */
static void plot_level(const struct plot_row *rows, size_t nrows, char *buf, size_t len)
{
	double lvl = NAN;

	buf[0] = '\0';
	for (size_t i = 0; i < nrows; i++)
		for (int s = 0; s < 2; s++) {
			double l = s ? rows[i].nw.level : rows[i].b.level;
			if (isnan(l) || (!isnan(lvl) && fabs(l - lvl) > 1e-9))
				return;
			lvl = l;
		}
	if (!isnan(lvl))
		snprintf(buf, len, "%.0f%% ", 100 * lvl);
}

/*
 * The chart's rows: compare's pairing, in base order, each base cell with
 * the first unpaired new cell of its id (plot.c resolved repeated cells
 * already), kept when both ended ok and have a wall time. -ENOMEM or 0.
 */
static int plot_pair_rows(json_t *bres, json_t *nres, struct plot_row *rows, size_t *nrows)
{
	size_t nb = json_array_size(bres), nn = json_array_size(nres), i;
	char **nids = calloc(nn ? nn : 1, sizeof(char *));
	char **bids = calloc(nb ? nb : 1, sizeof(char *));
	char *used = calloc(nn ? nn : 1, 1);
	json_t *cell;
	int err = -ENOMEM;

	*nrows = 0;
	if (!nids || !bids || !used)
		goto out;
	json_array_foreach(nres, i, cell)
	{
		if (!(nids[i] = gb_cell_id(cell)))
			goto out;
	}
	json_array_foreach(bres, i, cell)
	{
		if (!(bids[i] = gb_cell_id(cell)))
			goto out;
	}
	json_array_foreach(bres, i, cell)
	{
		struct plot_row *r = &rows[*nrows];
		int dup = 0;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(bids[j], bids[i]) == 0;
		for (size_t j = 0; j < nn && !dup; j++) {
			if (used[j] || strcmp(nids[j], bids[i]) != 0)
				continue;
			used[j] = 1;
			if (strcmp(gb__res_str(cell, "status"), "ok") == 0 &&
			    strcmp(gb__res_str(json_array_get(nres, j), "status"), "ok") == 0 &&
			    plot_side_get(cell, &r->b) == 0 &&
			    plot_side_get(json_array_get(nres, j), &r->nw) == 0) {
				r->base = cell;
				r->cell = json_array_get(nres, j);
				r->p = NAN;
				(*nrows)++;
			}
			break;
		}
	}
	err = 0;
out:
	for (i = 0; nids && i < nn; i++)
		free(nids[i]);
	for (i = 0; bids && i < nb; i++)
		free(bids[i]);
	free(nids);
	free(bids);
	free(used);
	return err;
}

/* What compare.dat's rows add up to, for the chart's sentence. */
struct plot_tally {
	size_t slower, faster, noisy, tested, big;
	double bigc; /* the largest change of the median, as a fraction */
	double xlo, xhi;
};

/* compare.dat: one line per row, first row on top. */
static int plot_write_dat(struct gb__plot_ctx *pc, struct plot_row *rows, size_t nrows,
                          struct plot_vary *vcache, size_t *nvcache, struct plot_tally *t)
{
	json_t *nres = json_object_get(pc->doc, "results");
	char path[4096], label[256], verdict[64], key[64], title[128];
	FILE *f = gb__plot_open(pc, "compare.dat", path, sizeof(path));

	*t = (struct plot_tally){.xlo = 1, .xhi = 1};
	if (!f)
		return -EIO;
	fprintf(f, "# gilbench plot: compare.dat; wall time relative to the base median\n"
	           "# row base base_ci_lo base_ci_hi new new_ci_lo new_ci_hi key label "
	           "verdict worse(1 slower, -1 faster, 0 neither)\n");
	for (size_t i = 0; i < nrows; i++) {
		struct plot_row *r = &rows[i];
		double c = r->nw.med / r->b.med - 1;
		gb__res_series(r->cell, key, sizeof(key), title, sizeof(title));
		plot_row_label(nres, r->cell, vcache, nvcache, label, sizeof(label));
		snprintf(verdict, sizeof(verdict), "%+.1f%%  %s", 100 * c,
		         r->verdict ? r->verdict : "not tested");
		fprintf(f, "%zu %.9g %.9g %.9g %.9g %.9g %.9g %s \"%s\" \"%s\" %d\n", nrows - i,
		        1.0, r->b.lo / r->b.med, r->b.hi / r->b.med, r->nw.med / r->b.med,
		        r->nw.lo / r->b.med, r->nw.hi / r->b.med, key, label, verdict,
		        plot_worse(r->verdict));
		t->xlo = fmin(t->xlo, fmin(r->b.lo, r->nw.lo) / r->b.med);
		t->xhi = fmax(t->xhi, fmax(r->b.hi, r->nw.hi) / r->b.med);
		t->tested += r->verdict != NULL;
		t->slower += r->verdict && strcmp(r->verdict, "slower") == 0;
		t->faster += r->verdict && strcmp(r->verdict, "faster") == 0;
		t->noisy += r->verdict && strcmp(r->verdict, "too noisy") == 0;
		if (fabs(c) > fabs(t->bigc))
			t->bigc = c, t->big = i;
	}
	return gb__plot_close(f, path);
}

static void plot_sentence(struct gb__plot_ctx *pc, struct gb_report_chart *ch,
                          const struct plot_tally *t, size_t nrows, const char *label,
                          const struct gb_compare_opts *o)
{
	char untested[64];

	snprintf(untested, sizeof(untested), ", %zu not tested (no samples)", nrows - t->tested);
	if (o)
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "Of %zu cells in both runs, `gilbench compare` (Mann-Whitney U "
		         "test on the raw samples, alpha %g, threshold %g%%) finds the wall "
		         "time slower in %zu and faster in %zu; %zu too noisy to tell%s; "
		         "the largest change is %+.1f%% (%s). Base: `%s`.",
		         nrows, o->alpha, o->threshold, t->slower, t->faster, t->noisy,
		         nrows > t->tested ? untested : "", t->bigc * 100, label, pc->base_path);
	else
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "Of %zu cells in both runs, the largest change of the wall time is "
		         "%+.1f%% (%s); `gilbench compare` gave no verdicts (see its "
		         "error). "
		         "Base: `%s`.",
		         nrows, t->bigc * 100, label, pc->base_path);
}

/*
 * The chart's variables. gnuplot picks x tics by range, not by the pixels
 * it has: a narrow plot beside long labels gets tics that overprint. About
 * six.
 */
static int plot_write_vars(struct gb__plot_ctx *pc, struct gb_report_chart *ch,
                           const struct plot_row *rows, size_t nrows, const struct plot_tally *t)
{
	static const double nice[] = {1, 2, 2.5, 5, 10};
	double pad = fmax(t->xhi - t->xlo, 0.02) * 0.06, span = t->xhi - t->xlo + 2 * pad;
	double mag = pow(10, floor(log10(span / 6))), step = mag;
	const char *date = gb__res_str(pc->base, "context.date");
	char *vars = NULL, level[16];
	size_t vlen = 0;
	FILE *vf;

	plot_level(rows, nrows, level, sizeof(level));
	vf = gb__plot_vars_open(pc, &vars, &vlen, "compare", NULL);
	if (!vf)
		return -ENOMEM;
	gb__plot_var_num(vf, "rows", (double)nrows);
	/* Rows stay readable at any count: the chart grows with them. */
	gb__plot_var_num(vf, "height", (double)(nrows * 24 + 170 > 500 ? nrows * 24 + 170 : 500));
	gb__plot_var_str(vf, "base_name", date ? date : "base");
	gb__plot_var_str(vf, "ci_label", level);
	for (size_t k = 0; k < sizeof(nice) / sizeof(nice[0]); k++)
		if (nice[k] * mag >= span / 6) {
			step = nice[k] * mag;
			break;
		}
	gb__plot_var_num(vf, "x_lo", t->xlo - pad);
	gb__plot_var_num(vf, "x_hi", t->xhi + pad);
	gb__plot_var_num(vf, "x_step", step);
	return gb__plot_finish(pc, vf, &vars, "compare", "compare", ch);
}

int gb__plot_compare(struct gb__plot_ctx *pc)
{
	const struct gb_compare_opts o = {.threshold = GB_COMPARE_THRESHOLD_DEFAULT,
	                                  .alpha = GB_COMPARE_ALPHA_DEFAULT,
	                                  .base_name = pc->base_path,
	                                  .new_name = pc->nsources == 1 ? pc->sources[0]
	                                                                : "the merged results"};
	json_t *bres = json_object_get(pc->base, "results");
	json_t *nres = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "Base vs new");
	size_t nb = json_array_size(bres), nn = json_array_size(nres), nrows = 0, nvcache = 0;
	struct plot_row *rows = calloc(nb ? nb : 1, sizeof(*rows));
	struct plot_vary *vcache = calloc(nn ? nn : 1, sizeof(*vcache));
	struct plot_tally t;
	char label[256];
	int err = -ENOMEM, tested;

	if (!ch || !rows || !vcache || plot_pair_rows(bres, nres, rows, &nrows))
		goto out;
	if (!nrows) {
		gb__plot_skip(ch, "compare", "no ok cell is in both the base and the new results.");
		err = 0;
		goto out;
	}
	err = plot_verdicts(pc, rows, nrows, &o);
	if (err == -ENOMEM)
		goto out;
	tested = !err;
	if (err)
		pc->failed = 1;
	err = plot_write_dat(pc, rows, nrows, vcache, &nvcache, &t);
	if (err)
		goto out;
	plot_row_label(nres, rows[t.big].cell, vcache, &nvcache, label, sizeof(label));
	plot_sentence(pc, ch, &t, nrows, label, tested ? &o : NULL);
	err = plot_write_vars(pc, ch, rows, nrows, &t);
out:
	free(rows);
	free(vcache);
	return err;
}
