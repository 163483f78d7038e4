/*
 * plot_compare.c - the compare chart: base against new, one row per cell
 * present in both, the wall time's median and confidence interval from the
 * raw samples (bench/stats.c), and the verdict `gilbench compare` gives.
 *
 * The verdicts are not this file's: it runs compare itself (gb_cmd_compare,
 * --format json, on the same two documents) and reads its wall_s rows, so
 * the chart and the command can never disagree. It draws and counts; it
 * decides nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "plot.h"
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
	json_t *ci = json_object_get(ws, "ci95");
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
		if (json_array_size(ci) == 2 && json_is_number(json_array_get(ci, 0)) &&
		    json_is_number(json_array_get(ci, 1))) {
			s->lo = json_number_value(json_array_get(ci, 0));
			s->hi = json_number_value(json_array_get(ci, 1));
		}
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

/* Writes doc to a fresh temporary file; its path into `path` (len >= 64). */
static int plot_tmp_json(json_t *doc, char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/gilbench-plot-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		gb_err(path, "cannot create a temporary file: %s", strerror(errno));
		return -errno;
	}
	if (json_dumpfd(doc, fd, JSON_COMPACT | JSON_REAL_PRECISION(17)) != 0) {
		gb_err(path, "cannot write a temporary file");
		close(fd);
		unlink(path);
		return -EIO;
	}
	close(fd);
	return 0;
}

/*
 * Runs `gilbench compare BASE NEW --format json` on the base and on the
 * merged results, both as charted, and hands each wall_s verdict to its row.
 * compare walks base cells in file order, pairs each with the first
 * unpaired new cell of the same identity, and emits a wall_s row when both
 * sides have samples: the rows here were built the same way, so the k-th
 * wall_s comparison is the k-th row with samples on both sides. Each match
 * is checked (sample counts, medians) before it is believed.
 */
static int plot_verdicts(struct gb__plot_ctx *pc, struct plot_row *rows, size_t nrows, json_t **out)
{
	char basep[4096], newp[4096], cmpp[4200];
	char *argv[] = {"compare", basep, newp, "--format", "json", "-o", cmpp, NULL};
	json_t *doc = NULL, *cmp, *c;
	size_t i, k = 0;
	int rc, err;

	*out = NULL;
	/* Both documents as charted (repeats resolved), not the files as given. */
	err = plot_tmp_json(pc->base, basep, sizeof(basep));
	if (err)
		return err;
	err = plot_tmp_json(pc->doc, newp, sizeof(newp));
	if (err) {
		unlink(basep);
		return err;
	}
	snprintf(cmpp, sizeof(cmpp), "%s.compare.json", newp);
	rc = gb_cmd_compare(7, argv);
	unlink(basep);
	unlink(newp);
	if (rc != 0 && rc != 3) {
		unlink(cmpp);
		return -EINVAL; /* compare said why, on one line */
	}
	doc = json_load_file(cmpp, 0, NULL);
	unlink(cmpp);
	if (!doc) {
		gb_err("plot", "compare: cannot read its own output");
		return -EIO;
	}
	cmp = json_object_get(doc, "comparisons");
	json_array_foreach(cmp, i, c)
	{
		double bn = -1, nn = -1, bm = NAN, nm = NAN, p = NAN;
		const char *metric = json_string_value(json_object_get(c, "metric"));
		if (!metric || strcmp(metric, "wall_s") != 0)
			continue;
		while (k < nrows && !(rows[k].b.n && rows[k].nw.n))
			k++;
		gb__res_num(c, "base.n", &bn);
		gb__res_num(c, "new.n", &nn);
		gb__res_num(c, "base.median", &bm);
		gb__res_num(c, "new.median", &nm);
		gb__res_num(c, "p_value", &p);
		if (k == nrows || bn != (double)rows[k].b.n || nn != (double)rows[k].nw.n ||
		    fabs(bm - rows[k].b.med) > 1e-9 * fabs(bm) ||
		    fabs(nm - rows[k].nw.med) > 1e-9 * fabs(nm)) {
			gb_err("plot", "compare: its wall_s rows do not line up with the chart's "
			               "cells; verdicts left out");
			for (size_t j = 0; j < nrows; j++)
				rows[j].verdict = NULL;
			json_decref(doc);
			return -EPROTO;
		}
		rows[k].verdict = json_string_value(json_object_get(c, "verdict"));
		rows[k].p = p;
		k++;
	}
	*out = doc;
	return 0;
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

int gb__plot_compare(struct gb__plot_ctx *pc)
{
	json_t *bres = json_object_get(pc->base, "results");
	json_t *nres = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "Base vs new");
	size_t nb = json_array_size(bres), nn = json_array_size(nres), nrows = 0, i;
	char **nids = calloc(nn ? nn : 1, sizeof(char *));
	char **bids = calloc(nb ? nb : 1, sizeof(char *));
	char *used = calloc(nn ? nn : 1, 1);
	struct plot_row *rows = calloc(nb ? nb : 1, sizeof(*rows));
	struct plot_vary *vcache = calloc(nn ? nn : 1, sizeof(*vcache));
	size_t nvcache = 0;
	char path[4096], *vars = NULL, level[16];
	double xlo = 1, xhi = 1;
	size_t vlen = 0;
	json_t *cell, *cmp = NULL;
	FILE *f, *vf;
	int err = -ENOMEM;

	if (!ch || !nids || !bids || !used || !rows || !vcache)
		goto out;
	json_array_foreach(nres, i, cell)
	{
		if (!(nids[i] = gb__res_cell_id(cell)))
			goto out;
	}
	json_array_foreach(bres, i, cell)
	{
		if (!(bids[i] = gb__res_cell_id(cell)))
			goto out;
	}
	/* compare's pairing: base order; plot.c resolved repeated cells already. */
	json_array_foreach(bres, i, cell)
	{
		struct plot_row *r = &rows[nrows];
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
				nrows++;
			}
			break;
		}
	}
	if (!nrows) {
		gb__plot_skip(ch, "compare", "no ok cell is in both the base and the new results.");
		err = 0;
		goto out;
	}
	err = plot_verdicts(pc, rows, nrows, &cmp);
	if (err == -ENOMEM)
		goto out;
	if (err)
		pc->failed = 1;

	f = gb__plot_open(pc, "compare.dat", path, sizeof(path));
	if (!f) {
		err = -EIO;
		goto out;
	}
	fprintf(f, "# gilbench plot: compare.dat; wall time relative to the base median\n"
	           "# row base base_ci_lo base_ci_hi new new_ci_lo new_ci_hi key label "
	           "verdict worse(1 slower, -1 faster, 0 neither)\n");
	{
		size_t slower = 0, faster = 0, noisy = 0, tested = 0, big = 0;
		double bigc = 0;
		char label[256], verdict[64], untested[64];
		for (i = 0; i < nrows; i++) {
			struct plot_row *r = &rows[i];
			char key[64], title[128];
			double c = r->nw.med / r->b.med - 1;
			gb__res_series(r->cell, key, sizeof(key), title, sizeof(title));
			plot_row_label(nres, r->cell, vcache, &nvcache, label, sizeof(label));
			if (r->verdict)
				snprintf(verdict, sizeof(verdict), "%+.1f%%  %s", 100 * c,
				         r->verdict);
			else
				snprintf(verdict, sizeof(verdict), "%+.1f%%  not tested", 100 * c);
			/* First row on top. */
			fprintf(f, "%zu %.9g %.9g %.9g %.9g %.9g %.9g %s \"%s\" \"%s\" %d\n",
			        nrows - i, 1.0, r->b.lo / r->b.med, r->b.hi / r->b.med,
			        r->nw.med / r->b.med, r->nw.lo / r->b.med, r->nw.hi / r->b.med, key,
			        label, verdict, plot_worse(r->verdict));
			xlo = fmin(xlo, fmin(r->b.lo, r->nw.lo) / r->b.med);
			xhi = fmax(xhi, fmax(r->b.hi, r->nw.hi) / r->b.med);
			tested += r->verdict != NULL;
			slower += r->verdict && strcmp(r->verdict, "slower") == 0;
			faster += r->verdict && strcmp(r->verdict, "faster") == 0;
			noisy += r->verdict && strcmp(r->verdict, "too noisy") == 0;
			if (fabs(c) > fabs(bigc))
				bigc = c, big = i;
		}
		err = gb__plot_close(f, path);
		if (err)
			goto out;
		plot_row_label(nres, rows[big].cell, vcache, &nvcache, label, sizeof(label));
		snprintf(untested, sizeof(untested), ", %zu not tested (no samples)",
		         nrows - tested);
		if (cmp)
			snprintf(
			        ch->sentence, sizeof(ch->sentence),
			        "Of %zu cells in both runs, `gilbench compare` (Mann-Whitney U "
			        "test on the raw samples, alpha %g, threshold %g%%) finds the wall "
			        "time slower in %zu and faster in %zu; %zu too noisy to tell%s; "
			        "the largest change is %+.1f%% (%s). Base: `%s`.",
			        nrows, json_number_value(json_object_get(cmp, "alpha")),
			        json_number_value(json_object_get(cmp, "threshold_pct")), slower,
			        faster, noisy, nrows > tested ? untested : "", bigc * 100, label,
			        pc->base_path);
		else
			snprintf(
			        ch->sentence, sizeof(ch->sentence),
			        "Of %zu cells in both runs, the largest change of the wall time is "
			        "%+.1f%% (%s); `gilbench compare` gave no verdicts (see its "
			        "error). "
			        "Base: `%s`.",
			        nrows, bigc * 100, label, pc->base_path);
	}

	plot_level(rows, nrows, level, sizeof(level));
	vf = gb__plot_vars_open(pc, &vars, &vlen, "compare", NULL);
	if (!vf)
		goto out;
	gb__plot_var_num(vf, "rows", (double)nrows);
	/* Rows stay readable at any count: the chart grows with them. */
	gb__plot_var_num(vf, "height", (double)(nrows * 24 + 170 > 500 ? nrows * 24 + 170 : 500));
	gb__plot_var_str(vf, "base_name",
	                 gb__res_str(pc->base, "context.date")
	                         ? gb__res_str(pc->base, "context.date")
	                         : "base");
	gb__plot_var_str(vf, "ci_label", level);
	{
		/*
		 * gnuplot picks x tics by range, not by the pixels it has: a narrow
		 * plot beside long labels gets tics that overprint. About six.
		 */
		double pad = fmax(xhi - xlo, 0.02) * 0.06, span = xhi - xlo + 2 * pad;
		double mag = pow(10, floor(log10(span / 6))), step = mag;
		static const double nice[] = {1, 2, 2.5, 5, 10};
		for (size_t k = 0; k < sizeof(nice) / sizeof(nice[0]); k++)
			if (nice[k] * mag >= span / 6) {
				step = nice[k] * mag;
				break;
			}
		gb__plot_var_num(vf, "x_lo", xlo - pad);
		gb__plot_var_num(vf, "x_hi", xhi + pad);
		gb__plot_var_num(vf, "x_step", step);
	}
	err = gb__plot_finish(pc, vf, &vars, "compare", "compare", ch);
out:
	if (nids)
		for (i = 0; i < nn; i++)
			free(nids[i]);
	free(nids);
	if (bids)
		for (i = 0; i < nb; i++)
			free(bids[i]);
	free(bids);
	free(used);
	free(rows);
	free(vcache);
	json_decref(cmp);
	return err;
}
