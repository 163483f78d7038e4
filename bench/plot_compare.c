/*
 * plot_compare.c - the compare chart: base against new, one row per cell
 * present in both. It draws; the verdicts are not its own.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plot.h"
#include "report_md.h"

/* ---- compare ------------------------------------------------------------- */

struct plot_row {
	json_t *base, *cell;
	double b, blo, bhi, nw, nlo, nhi; /* wall medians and ci95 bounds */
};

static int plot_ci(json_t *cell, double *med, double *lo, double *hi)
{
	json_t *ci = json_object_get(json_object_get(json_object_get(cell, "metrics"), "wall_s"),
	                             "ci95");

	if (gb__res_num(cell, "metrics.wall_s.median", med) != 0 || !(*med > 0))
		return -ENOENT;
	*lo = *hi = *med;
	if (json_array_size(ci) == 2 && json_is_number(json_array_get(ci, 0)) &&
	    json_is_number(json_array_get(ci, 1))) {
		*lo = json_number_value(json_array_get(ci, 0));
		*hi = json_number_value(json_array_get(ci, 1));
	}
	return 0;
}

/* The params that tell a workload's cells apart, found once per workload. */
struct plot_vary {
	const char *wl;
	const char *keys[16];
	size_t n;
};

static void plot_row_label(json_t *results, json_t *cell, struct plot_vary *cache, size_t *ncache,
                           char *buf, size_t len)
{
	const char *wl = gb__res_str(cell, "workload");
	const char **vary = NULL;
	size_t nv = 0, off;
	char key[64], title[128], v[128];

	for (size_t i = 0; i < *ncache && !vary; i++)
		if (strcmp(cache[i].wl, wl) == 0)
			vary = cache[i].keys, nv = cache[i].n;
	if (!vary) {
		struct plot_vary *c = &cache[(*ncache)++];
		c->wl = wl;
		c->n = gb__res_varying(results, wl, c->keys, 16);
		vary = c->keys;
		nv = c->n;
	}
	double t = gb__plot_get(cell, "params.tasks");

	gb__res_series(cell, key, sizeof(key), title, sizeof(title));
	off = (size_t)snprintf(buf, len, "%s  %s", wl, title);
	if (!isnan(t) && off < len)
		off += (size_t)snprintf(buf + off, len - off, "  tasks=%.0f", t);
	for (size_t i = 0; i < nv && off < len; i++) {
		json_t *pv = json_object_get(json_object_get(cell, "params"), vary[i]);
		if (!pv)
			continue;
		gb__res_value_text(pv, v, sizeof(v));
		off += (size_t)snprintf(buf + off, len - off, "  %s=%s", vary[i], v);
	}
	/* The label is a quoted gnuplot string in the .dat file. */
	for (char *p = buf; *p; p++)
		if (*p == '"')
			*p = '\'';
}

int gb__plot_compare(struct gb__plot_ctx *pc)
{
	json_t *bres = json_object_get(pc->base, "results");
	json_t *nres = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "Base vs new");
	size_t nb = json_array_size(bres), nn = json_array_size(nres), nrows = 0, i;
	char **bids = calloc(nb ? nb : 1, sizeof(char *));
	struct plot_row *rows = calloc(nn ? nn : 1, sizeof(*rows));
	struct plot_vary *vcache = calloc(nn ? nn : 1, sizeof(*vcache));
	size_t nvcache = 0;
	char path[4096], *vars = NULL;
	size_t vlen = 0;
	json_t *cell;
	FILE *f, *vf;
	int err = -ENOMEM;

	if (!ch || !bids || !rows || !vcache)
		goto out;
	json_array_foreach(bres, i, cell)
	{
		if (strcmp(gb__res_str(cell, "status"), "ok") == 0 &&
		    !(bids[i] = gb__res_cell_id(cell)))
			goto out;
	}
	json_array_foreach(nres, i, cell)
	{
		struct plot_row *r = &rows[nrows];
		char *id;
		if (strcmp(gb__res_str(cell, "status"), "ok") != 0 ||
		    plot_ci(cell, &r->nw, &r->nlo, &r->nhi) != 0)
			continue;
		id = gb__res_cell_id(cell);
		if (!id)
			goto out;
		for (size_t j = 0; j < nb; j++)
			if (bids[j] && strcmp(bids[j], id) == 0 &&
			    plot_ci(json_array_get(bres, j), &r->b, &r->blo, &r->bhi) == 0) {
				r->base = json_array_get(bres, j);
				r->cell = cell;
			}
		free(id);
		nrows += r->cell != NULL;
	}
	if (!nrows) {
		gb__plot_skip(ch, "compare", "no ok cell is in both the base and the new results.");
		err = 0;
		goto out;
	}

	f = gb__plot_open(pc, "compare.dat", path, sizeof(path));
	if (!f) {
		err = -EIO;
		goto out;
	}
	fprintf(f, "# gilbench plot: compare.dat; wall time relative to the base median\n"
	           "# row base base_ci_lo base_ci_hi new new_ci_lo new_ci_hi key label\n");
	{
		size_t slower = 0, faster = 0, big = 0;
		double bigc = 0;
		char label[256];
		for (i = 0; i < nrows; i++) {
			struct plot_row *r = &rows[i];
			char key[64], title[128];
			double c = r->nw / r->b - 1;
			gb__res_series(r->cell, key, sizeof(key), title, sizeof(title));
			plot_row_label(nres, r->cell, vcache, &nvcache, label, sizeof(label));
			/* First row on top. */
			fprintf(f, "%zu %.9g %.9g %.9g %.9g %.9g %.9g %s \"%s\"\n", nrows - i, 1.0,
			        r->blo / r->b, r->bhi / r->b, r->nw / r->b, r->nlo / r->b,
			        r->nhi / r->b, key, label);
			slower += r->nlo > r->bhi;
			faster += r->nhi < r->blo;
			if (fabs(c) > fabs(bigc))
				bigc = c, big = i;
		}
		err = gb__plot_close(f, path);
		if (err)
			goto out;
		plot_row_label(nres, rows[big].cell, vcache, &nvcache, label, sizeof(label));
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "Of %zu cells in both runs, %zu got slower and %zu faster with "
		         "non-overlapping 95%% confidence intervals; the largest change is "
		         "%+.1f%% (%s). Base: `%s`.",
		         nrows, slower, faster, bigc * 100, label,
		         pc->base_path ? pc->base_path : "?");
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	gb__plot_var_dat(pc, vf, "compare.dat");
	gb__plot_var_num(vf, "rows", (double)nrows);
	/* Rows stay readable at any count: the chart grows with them. */
	gb__plot_var_num(vf, "height", (double)(nrows * 24 + 170 > 500 ? nrows * 24 + 170 : 500));
	gb__plot_var_str(vf, "base_name",
	                 gb__res_str(pc->base, "context.date")
	                         ? gb__res_str(pc->base, "context.date")
	                         : "base");
	err = gb__plot_finish(pc, vf, &vars, "compare", "compare", ch);
out:
	if (bids)
		for (i = 0; i < nb; i++)
			free(bids[i]);
	free(bids);
	free(rows);
	free(vcache);
	return err;
}
