/*
 * plot_charts.c - the chart skeleton (gb__plot_chart_run) and the charts
 * drawn from result files as its parts: CPU scaling, I/O scaling, convoy,
 * switch interval, native fraction, cooperative yields. Each says which
 * cells it draws, what a cell's point is (its medians, then the bounds of
 * their confidence intervals), its sentence and its template vars; the
 * skeleton picks, writes the .dat file, notes the series that coincide
 * within their intervals, and renders. How a chart
 * looks is the template's job (scripts/plot/); the numbers are the result
 * file's.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "log.h"
#include "plot.h"
#include "report_json.h"
#include "report_md.h"
#include "status.h"

/* ---- helpers --------------------------------------------------------------- */

/* A ratio to three significant figures, as a plain number: 46200, 7.69. */
static void plot_fmt_ratio(char *buf, size_t len, double r)
{
	double mag;

	if (!(fabs(r) >= 100) || isinf(r)) {
		gb__res_fmt_num(buf, len, r);
		return;
	}
	mag = pow(10, floor(log10(fabs(r))) - 2);
	snprintf(buf, len, "%.0f", round(r / mag) * mag);
}

/* A series measured on real CPython (style key "cpy_..."). */
static int plot_is_cpy(const struct gb__plot_series *s)
{
	return strncmp(s->key, "cpy_", 4) == 0;
}

/* A run pinned with --cpus beside the ordinary one (plot_util.c's "_apart"). */
static int plot_is_pin(const struct gb__plot_series *s)
{
	return strstr(s->key, "__pin") != NULL;
}

/* Whether a CPython series follows index i (the sentence's last comma). */
static int plot_more_cpy(const struct gb__plot_data *d, size_t i)
{
	for (; i < d->n; i++)
		if (plot_is_cpy(&d->s[i]))
			return 1;
	return 0;
}

/*
 * metrics.speedup; for a cell without it (a CPython result file may lack
 * it), the wall median of the serial cell of its kind (serial, or
 * cpython-serial) doing the same work at any task count
 * (gb_params_same_work_any_tasks), over its own.
 */
static double plot_speedup(json_t *results, json_t *cell)
{
	double s = gb__plot_get(cell, "metrics.speedup");
	double w = gb__plot_get(cell, "metrics.wall_s.median");
	const char *want = gb__res_is_cpython(cell) ? GB__RES_CPYTHON "serial" : "serial";
	json_t *c;
	size_t i;

	if (!isnan(s) || !(w > 0))
		return s;
	json_array_foreach(results, i, c)
	{
		double sw = gb__plot_get(c, "metrics.wall_s.median");
		if (strcmp(gb__res_str(c, "model"), want) != 0 || !gb_cell_is_ok(c) ||
		    strcmp(gb__res_str(c, "workload"), gb__res_str(cell, "workload")) != 0 ||
		    !gb_params_same_work_any_tasks(json_object_get(c, "params"),
		                                   json_object_get(cell, "params")) ||
		    !(sw > 0))
			continue;
		return gb_speedup(sw, w);
	}
	return NAN;
}

/* The sentence of the chart being drawn: appends, as gb__plot_cat. */
#define plot_say(r, ...) gb__plot_cat((r)->ch->sentence, sizeof((r)->ch->sentence), __VA_ARGS__)

/* gb__plot_ci, the coverage noted for the chart's legend. */
static int plot_ci(struct gb__plot_run *r, json_t *cell, const char *key, double *lo, double *hi)
{
	double lv;

	if (gb__plot_ci(cell, key, lo, hi, &lv) != 0)
		return -ENOENT;
	if (!isnan(lv)) {
		r->lv_lo = fmin(r->lv_lo, lv);
		r->lv_hi = fmax(r->lv_hi, lv);
	}
	return 0;
}

/*
 * The interval of a speedup s: its own summary when the cell has one, else
 * s scaled by the interval of the cell's wall median (serial's median taken
 * as exact: the wider of the two uncertainties is the cell's own).
 */
static void plot_speedup_ci(struct gb__plot_run *r, json_t *cell, double s, double *lo, double *hi)
{
	double w = gb__plot_get(cell, "metrics.wall_s.median"), wl, wh;

	*lo = *hi = NAN;
	if (plot_ci(r, cell, "speedup", lo, hi) == 0)
		return;
	if (plot_ci(r, cell, "wall_s", &wl, &wh) == 0 && wl > 0 && wh > 0 && w > 0) {
		*lo = s * w / wh;
		*hi = s * w / wl;
	}
}

/* Whether the headline values of points p and q are the same within their intervals. */
static int plot_same(const struct gb__plot_chart_desc *cd, const struct gb__plot_pt *p,
                     const struct gb__plot_pt *q)
{
	double a = p->v[cd->ci_v], b = q->v[cd->ci_v];
	double al = p->v[cd->ci_lo], ah = p->v[cd->ci_hi], bl = q->v[cd->ci_lo],
	       bh = q->v[cd->ci_hi];

	if (isnan(a) || isnan(b))
		return 0;
	if (isnan(al) || isnan(ah) || isnan(bl) || isnan(bh))
		return fabs(a - b) <= 0.03 * fmax(fabs(a), fabs(b)); /* no interval: within 3% */
	return al <= bh && bl <= ah;
}

/* Whether series a and b coincide: two or more shared x, the same at each. */
static int plot_coincide(const struct gb__plot_chart_desc *cd, const struct gb__plot_series *a,
                         const struct gb__plot_series *b)
{
	size_t shared = 0;

	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++) {
			if (a->pt[i].x != b->pt[j].x)
				continue;
			if (!plot_same(cd, &a->pt[i], &b->pt[j]))
				return 0;
			shared++;
		}
	return shared >= 2;
}

/*
 * Series that sit on one another: named in the sentence, and each after the
 * first of a group given a dash of its own (r->dts) so the eye can follow it.
 */
static void plot_note_coincide(struct gb__plot_run *r, const struct gb__plot_chart_desc *cd)
{
	size_t n = r->d.n < 64 ? r->d.n : 64, group[64];

	if (!cd->ci_lo)
		return;
	for (size_t i = 0; i < n; i++)
		group[i] = i;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (group[j] == j && plot_coincide(cd, &r->d.s[i], &r->d.s[j]))
				group[j] = group[i];
	for (size_t g = 0, ng = 0; g < n; g++) {
		size_t m = 0, k = 0, dash = 0;

		for (size_t i = 0; i < n; i++)
			m += group[i] == g;
		if (m < 2 || group[g] != g)
			continue;
		if (ng++)
			plot_say(r, "; ");
		else
			plot_say(r, " Within their intervals these coincide in %s: ", cd->ci_what);
		for (size_t i = 0; i < n; i++) {
			if (group[i] != g)
				continue;
			plot_say(r, "%s%s",
			         k == 0       ? ""
			         : k + 1 == m ? " and "
			                      : ", ",
			         r->d.s[i].title);
			/* dash types 3 and 5: 2 is CPython's, 4 a pinned run's. */
			if (k++)
				r->dts[i] = dash++ % 2 ? 5 : 3;
		}
	}
	if (strstr(r->ch->sentence, " Within their intervals these coincide"))
		plot_say(r, " (told apart by marker and dash).");
}

/* The vars every chart from results shares: the intervals' note, the dashes. */
static void plot_common_vars(struct gb__plot_run *r, FILE *vf)
{
	char note[160];

	if (r->lv_lo > r->lv_hi)
		snprintf(note, sizeof(note), "%s", "");
	else if (r->lv_hi - r->lv_lo < 0.005)
		snprintf(note, sizeof(note), "bars: %.0f%% confidence interval of each median",
		         100 * r->lv_lo);
	else
		snprintf(note, sizeof(note),
		         "bars: confidence interval of each median (%.0f%% to %.0f%%)",
		         100 * r->lv_lo, 100 * r->lv_hi);
	gb__plot_var_str(vf, "ci_note", note);
	fputs("dts='", vf);
	for (size_t i = 0; i < r->d.n; i++)
		fprintf(vf, "%s%d", i ? " " : "", i < 64 ? r->dts[i] : 0);
	fputs("'; ", vf);
}

/* ---- the skeleton ---------------------------------------------------------- */

/*
 * Every chart has one shape: pick its cells, turn each into a point, give
 * up with a reason when too few are left, write the .dat file, derive the
 * sentence, add its own template vars, render. The six charts below are
 * only their parts of it (struct gb__plot_chart_desc).
 */
int gb__plot_chart_run(struct gb__plot_ctx *pc, json_t **sel, const struct gb__plot_chart_desc *cd)
{
	struct gb__plot_run r = {.pc = pc,
	                         .results = json_object_get(pc->doc, "results"),
	                         .tasks = NAN,
	                         .lv_lo = INFINITY,
	                         .lv_hi = -INFINITY};
	size_t n = gb__plot_select(r.results, &cd->pick, sel), vlen = 0;
	char *vars = NULL, dat[128];
	FILE *vf;
	int err = 0, drawable;

	r.ch = gb__plot_chart(pc, cd->title);
	if (!r.ch)
		return -ENOMEM;
	for (size_t i = 0; i < n && !err; i++)
		err = cd->point(&r, sel[i]);
	if (err)
		goto out;
	for (size_t i = 0; i < r.d.n; i++)
		for (size_t j = 0; j < r.d.s[i].n; j++)
			r.xmax = fmax(r.xmax, r.d.s[i].pt[j].x);
	drawable = cd->enough ? cd->enough(&r) : gb__plot_data_points(&r.d) > 0;
	if (!drawable) {
		gb__plot_skip(r.ch, cd->stem, cd->empty);
		goto out;
	}
	gb__plot_data_sort(&r.d);
	snprintf(dat, sizeof(dat), "%s.dat", cd->stem);
	err = gb__plot_data_write(pc, dat, &r.d, cd->columns);
	if (err)
		goto out;
	r.ch->sentence[0] = '\0';
	cd->sentence(&r);
	plot_note_coincide(&r, cd);
	vf = gb__plot_vars_open(pc, &vars, &vlen, cd->stem, &r.d);
	if (!vf) {
		err = -ENOMEM;
		goto out;
	}
	plot_common_vars(&r, vf);
	if (cd->vars)
		cd->vars(&r, vf);
	err = gb__plot_finish(pc, vf, &vars, cd->stem, cd->stem, r.ch);
out:
	gb__plot_data_free(&r.d);
	return err;
}

/* Adds a point of n values to the series of cell; -ENOMEM when out of memory. */
static int plot_addv(struct gb__plot_run *r, json_t *cell, double x, const double *v, size_t n)
{
	struct gb__plot_series *ps = gb__plot_series_get(&r->d, cell);

	return ps && gb__plot_series_addv(ps, x, v, n) == 0 ? 0 : -ENOMEM;
}

/* Adds a point to the series of cell; -ENOMEM when out of memory. */
static int plot_add(struct gb__plot_run *r, json_t *cell, double x, double v0, double v1, double v2,
                    double v3)
{
	struct gb__plot_series *ps = gb__plot_series_get(&r->d, cell);

	return ps && gb__plot_series_add(ps, x, v0, v1, v2, v3) == 0 ? 0 : -ENOMEM;
}

/* ---- CPU scaling ------------------------------------------------------------ */

static int cpu_point(struct gb__plot_run *r, json_t *cell)
{
	double t = gb__plot_get(cell, "params.tasks"), s = plot_speedup(r->results, cell), eff, lo,
	       hi;

	if (isnan(t) || isnan(s))
		return 0;
	eff = gb__plot_get(cell, "metrics.efficiency");
	plot_speedup_ci(r, cell, s, &lo, &hi);
	return plot_add(r, cell, t, s, isnan(eff) ? s / t : eff, lo, hi);
}

/* The largest task count the cores can run at once (else the largest). */
static double cpu_at(const struct gb__plot_run *r)
{
	double at = 0;

	for (size_t i = 0; i < r->d.n; i++)
		for (size_t j = 0; j < r->d.s[i].n; j++) {
			double t = r->d.s[i].pt[j].x;
			if ((r->pc->cores <= 0 || t <= r->pc->cores) && t > at)
				at = t;
		}
	return at <= 1 ? r->xmax : at;
}

static void cpu_sentence(struct gb__plot_run *r)
{
	const struct gb__plot_data *d = &r->d;
	const struct gb__plot_series *best = NULL, *worst = NULL, *tn = NULL;
	double bv = 0, wv = 0, tv = 0, at = cpu_at(r), cores = r->pc->cores;

	for (size_t i = 0; i < d->n; i++)
		for (size_t j = 0; j < d->s[i].n; j++) {
			double v = d->s[i].pt[j].v[0];
			if (d->s[i].pt[j].x != at || strcmp(d->s[i].key, "serial") == 0 ||
			    plot_is_cpy(&d->s[i]) || plot_is_pin(&d->s[i]))
				continue;
			if (!best || v > bv)
				best = &d->s[i], bv = v;
			if (!worst || v < wv)
				worst = &d->s[i], wv = v;
			if (strcmp(d->s[i].key, "threads_new") == 0)
				tn = &d->s[i], tv = v;
		}
	if (!best) {
		plot_say(r, "Speedup over serial against the number of tasks.");
	} else {
		plot_say(r, "At %.0f tasks the speedup over serial is %.2fx for %s", at, bv,
		         best->title);
		if (worst != best)
			plot_say(r, " and only %.2fx for %s", wv, worst->title);
		if (tn && tn != best && tn != worst)
			plot_say(r, "; %.2fx for %s", tv, tn->title);
		plot_say(r, "; the ideal is %.0fx.", cores > 0 ? fmin(at, cores) : at);
	}
	/* A pinned run is another experiment: said apart, never the model's point. */
	for (size_t i = 0, k = 0; i < d->n; i++)
		for (size_t j = 0; j < d->s[i].n; j++) {
			if (!plot_is_pin(&d->s[i]))
				continue;
			plot_say(r, "%s %.2fx for %s at %.0f tasks",
			         k++ ? "," : " Drawn apart, a run pinned with --cpus:",
			         d->s[i].pt[j].v[0], d->s[i].title, d->s[i].pt[j].x);
		}
	if (strchr(r->ch->sentence, '\0')[-1] != '.')
		plot_say(r, ".");
	/* Real CPython at the same task count, when its results are merged in. */
	for (size_t i = 0, k = 0; i < d->n; i++)
		for (size_t j = 0; j < d->s[i].n; j++) {
			if (!plot_is_cpy(&d->s[i]) || d->s[i].pt[j].x != at)
				continue;
			plot_say(r, "%s %.2fx for %s",
			         k++ ? "," : " Measured on real CPython:", d->s[i].pt[j].v[0],
			         d->s[i].title);
		}
	if (strchr(r->ch->sentence, '\0')[-1] != '.')
		plot_say(r, ".");
}

static void cpu_vars(struct gb__plot_run *r, FILE *vf)
{
	double cores = r->pc->cores;
	/* Room for the data and the reachable ideal, not for y = tasks up to 64. */
	double top = cores > 0 ? fmin(r->xmax, cores) : r->xmax;

	gb__plot_var_num(vf, "cores", cores);
	gb__plot_var_num(vf, "max_tasks", r->xmax);
	for (size_t i = 0; i < r->d.n; i++)
		for (size_t j = 0; j < r->d.s[i].n; j++)
			top = fmax(top,
			           fmax(r->d.s[i].pt[j].v[0],
			                isnan(r->d.s[i].pt[j].v[3]) ? 0 : r->d.s[i].pt[j].v[3]));
	gb__plot_var_num(vf, "y_top", top * 1.15 + 0.1);
}

/* ---- I/O scaling ------------------------------------------------------------ */

static int io_point(struct gb__plot_run *r, json_t *cell)
{
	double t = gb__plot_get(cell, "params.tasks");
	double wall = gb__plot_get(cell, "metrics.wall_s.median");
	double ideal = gb__plot_get(cell, "params.io_ops") * gb__plot_get(cell, "params.io_time_s");
	double mem = gb__plot_get(cell, "metrics.mem_per_task_kib");
	double over = ideal > 0 ? (wall / ideal - 1) * 100 : NAN;

	double wl = NAN, wh = NAN;

	if (isnan(t) || (isnan(over) && isnan(mem)))
		return 0;
	if (ideal > 0)
		plot_ci(r, cell, "wall_s", &wl, &wh);
	{
		const double v[6] = {
		        over, mem, wall, ideal, (wl / ideal - 1) * 100, (wh / ideal - 1) * 100};
		return plot_addv(r, cell, t, v, 6);
	}
}

static void io_sentence(struct gb__plot_run *r)
{
	const struct gb__plot_data *d = &r->d;
	const struct gb__plot_series *lo = NULL, *hi = NULL, *mlo = NULL, *mhi = NULL;
	double lov = 0, hiv = 0, lot = 0, hit = 0, mlov = 0, mhiv = 0;
	char a[32], b[32];

	for (size_t i = 0; i < d->n; i++) {
		const struct gb__plot_pt *last = &d->s[i].pt[d->s[i].n - 1];
		/* serial is the no-concurrency reference: (K-1) x 100% by design. */
		if (strcmp(d->s[i].key, "serial") == 0)
			continue;
		if (!isnan(last->v[0]) && (!lo || last->v[0] < lov))
			lo = &d->s[i], lov = last->v[0], lot = last->x;
		if (!isnan(last->v[0]) && (!hi || last->v[0] > hiv))
			hi = &d->s[i], hiv = last->v[0], hit = last->x;
		for (size_t j = 0; j < d->s[i].n; j++) {
			double m = d->s[i].pt[j].v[1];
			if (isnan(m))
				continue;
			if (!mlo || m < mlov)
				mlo = &d->s[i], mlov = m;
			if (!mhi || m > mhiv)
				mhi = &d->s[i], mhiv = m;
		}
	}
	plot_fmt_ratio(a, sizeof(a), lov);
	plot_fmt_ratio(b, sizeof(b), hiv);
	if (lo && hi && lo != hi)
		plot_say(r,
		         "At the most tasks each model ran, the wall time is %s%% above the ideal "
		         "for %s (%.0f tasks) and %s%% for %s (%.0f tasks)",
		         a, lo->title, lot, b, hi->title, hit);
	else if (lo)
		plot_say(r, "At %.0f tasks %s stay %s%% above the ideal wall time", lot, lo->title,
		         a);
	gb__res_fmt_num(a, sizeof(a), mlov);
	gb__res_fmt_num(b, sizeof(b), mhiv);
	if (mlo && mhi && mlo != mhi)
		plot_say(r, "%smemory per task ranges from %s KiB (%s) to %s KiB (%s).",
		         lo ? "; " : "", a, mlo->title, b, mhi->title);
	else if (lo)
		plot_say(r, ".");
	else
		plot_say(r, "Overhead above the ideal wall time and memory per task.");
}

/* ---- convoy ------------------------------------------------------------------ */

static int convoy_point(struct gb__plot_run *r, json_t *cell)
{
	double t = gb__plot_get(cell, "params.tasks");
	double p50 = gb__plot_get(cell, "metrics.latency_us.p50");
	double p99 = gb__plot_get(cell, "metrics.latency_us.p99");

	if (isnan(t) || t < 1 || (isnan(p50) && isnan(p99)))
		return 0;

	double v[6] = {p50, p99, NAN, NAN, NAN, NAN};

	plot_ci(r, cell, "latency_p50_us", &v[2], &v[3]);
	plot_ci(r, cell, "latency_p99_us", &v[4], &v[5]);
	/* The first task is the foreground: tasks - 1 run in the background. */
	return plot_addv(r, cell, t - 1, v, 6);
}

static void convoy_sentence(struct gb__plot_run *r)
{
	const struct gb__plot_data *d = &r->d;
	const struct gb__plot_series *most = NULL, *least = NULL;
	double mr = 0, lr = 0, m0 = 0, m1 = 0, l0 = 0, l1 = 0, maxb = r->xmax;
	char a[32], b[32], c[32], e[32], r1[32], r2[32];

	for (size_t i = 0; i < d->n; i++) {
		const struct gb__plot_pt *p = &d->s[i].pt[0], *q = &d->s[i].pt[d->s[i].n - 1];
		double ratio;
		if (d->s[i].n < 2 || p->x != 0 || q->x != maxb || !(p->v[1] > 0) ||
		    isnan(q->v[1]) || plot_is_cpy(&d->s[i]))
			continue;
		ratio = q->v[1] / p->v[1];
		if (!most || ratio > mr)
			most = &d->s[i], mr = ratio, m0 = p->v[1], m1 = q->v[1];
		if (!least || ratio < lr)
			least = &d->s[i], lr = ratio, l0 = p->v[1], l1 = q->v[1];
	}
	if (most && least && most != least) {
		gb__plot_fmt_us(a, sizeof(a), m0);
		gb__plot_fmt_us(b, sizeof(b), m1);
		gb__plot_fmt_us(c, sizeof(c), l0);
		gb__plot_fmt_us(e, sizeof(e), l1);
		plot_fmt_ratio(r1, sizeof(r1), mr);
		plot_fmt_ratio(r2, sizeof(r2), lr);
		plot_say(r,
		         "From 0 to %.0f background tasks, foreground p99 latency grows most "
		         "under %s (%s to %s, %sx) and least under %s (%s to %s, %sx).",
		         maxb, most->title, a, b, r1, least->title, c, e, r2);
	} else {
		plot_say(r,
		         "Foreground latency p50 and p99 with 0 to %.0f CPU-bound background "
		         "tasks.",
		         maxb);
	}
	/* Real CPython beside the simulation: how its p99 grows, series by series. */
	for (size_t i = 0, k = 0; i < d->n; i++) {
		const struct gb__plot_pt *p = &d->s[i].pt[0], *q = &d->s[i].pt[d->s[i].n - 1];
		if (!plot_is_cpy(&d->s[i]) || d->s[i].n < 2 || isnan(p->v[1]) || isnan(q->v[1]))
			continue;
		gb__plot_fmt_us(a, sizeof(a), p->v[1]);
		gb__plot_fmt_us(b, sizeof(b), q->v[1]);
		plot_say(r, "%s from %s to %s (%.0f to %.0f background tasks) for %s",
		         k++ ? "," : " On real CPython, p99 goes", a, b, p->x, q->x, d->s[i].title);
		if (!plot_more_cpy(d, i + 1))
			plot_say(r, ".");
	}
}

static void convoy_vars(struct gb__plot_run *r, FILE *vf)
{
	/* Both panels share one y range so p50 and p99 compare by eye. */
	double lo = INFINITY, hi = 0;

	gb__plot_var_num(vf, "max_bg", r->xmax);
	for (size_t i = 0; i < r->d.n; i++)
		for (size_t j = 0; j < r->d.s[i].n; j++)
			for (int k = 0; k < 2; k++) {
				double v = r->d.s[i].pt[j].v[k];
				if (v > 0 && v < lo)
					lo = v;
				if (v > hi)
					hi = v;
			}
	gb__plot_var_num(vf, "ymin", isinf(lo) ? 1 : lo);
	gb__plot_var_num(vf, "ymax", hi > 0 ? hi : 10);
}

/* ---- switch interval ------------------------------------------------------- */

static int si_point(struct gb__plot_run *r, json_t *cell)
{
	double si = gb__plot_get(cell, "params.switch_interval_s");
	double p50 = gb__plot_get(cell, "metrics.latency_us.p50");
	double p99 = gb__plot_get(cell, "metrics.latency_us.p99");
	double bps = gb__plot_get(cell, "metrics.bytecodes_per_s");

	if (!(si > 0) || (isnan(p50) && isnan(p99) && isnan(bps)))
		return 0;
	r->tasks = gb__plot_get(cell, "params.tasks");
	{
		double v[7] = {p50, p99, bps, NAN, NAN, NAN, NAN};

		plot_ci(r, cell, "latency_p50_us", &v[3], &v[4]);
		plot_ci(r, cell, "latency_p99_us", &v[5], &v[6]);
		return plot_addv(r, cell, si * 1e3, v, 7);
	}
}

/* One series (threads under gil new) with two intervals or more. */
static int si_enough(struct gb__plot_run *r)
{
	return r->d.n > 0 && r->d.s[0].n >= 2;
}

static void si_sentence(struct gb__plot_run *r)
{
	const struct gb__plot_pt *a = &r->d.s[0].pt[0], *b = &r->d.s[0].pt[r->d.s[0].n - 1];
	char l0[32], l1[32], r0[32], r1[32], x0[32], x1[32];

	gb__plot_fmt_us(l0, sizeof(l0), a->v[1]);
	gb__plot_fmt_us(l1, sizeof(l1), b->v[1]);
	gb__plot_fmt_rate(r0, sizeof(r0), a->v[2]);
	gb__plot_fmt_rate(r1, sizeof(r1), b->v[2]);
	gb__res_fmt_num(x0, sizeof(x0), a->x);
	gb__res_fmt_num(x1, sizeof(x1), b->x);
	plot_say(r,
	         "Raising the switch interval from %s ms to %s ms moves the foreground p99 "
	         "latency of threads (gil new) from %s to %s, and background throughput from "
	         "%s to %s bytecodes/s (%.0f tasks).",
	         x0, x1, l0, l1, r0, r1, r->tasks);
}

static void si_vars(struct gb__plot_run *r, FILE *vf)
{
	gb__plot_var_num(vf, "tasks", r->tasks);
	fputs("xs='", vf);
	for (size_t j = 0; j < r->d.s[0].n; j++)
		fprintf(vf, "%s%.6g", j ? " " : "", r->d.s[0].pt[j].x);
	fputs("'; ", vf);
}

/*
 * The two curves of the native-fraction chart, with N = min(tasks, cores)
 * and F the fraction of each task's work done with the GIL released:
 *   the bound min(N, 1 / (1 - F)): the GIL-held part (1 - F) is serial, so
 *     the whole takes at least (1 - F) of serial's time, and N threads can
 *     do no better than N times; no measurement can sit above it;
 *   Amdahl's law 1 / ((1 - F) + F / N), parallel part F over N: it assumes
 *     the GIL-held part never runs beside anything, while under a GIL one
 *     thread's GIL-held work does overlap another's native work. An
 *     estimate of no overlap, not a bound: measurements may land above it.
 */
static double plot_amdahl(double f, double n)
{
	return 1 / ((1 - f) + f / n);
}

static double plot_gil_ceiling(double f, double n)
{
	return f >= 1 ? n : fmin(n, 1 / (1 - f));
}

/* ---- native fraction ------------------------------------------------------- */

static int native_point(struct gb__plot_run *r, json_t *cell)
{
	double nf = gb__plot_get(cell, "params.native_fraction");
	double s = plot_speedup(r->results, cell), lo, hi;

	if (isnan(nf) || isnan(s))
		return 0;
	if (!gb__res_is_cpython(cell) || isnan(r->tasks))
		r->tasks = gb__plot_get(cell, "params.tasks");
	plot_speedup_ci(r, cell, s, &lo, &hi);
	return plot_add(r, cell, nf, s, lo, hi, NAN);
}

static int native_enough(struct gb__plot_run *r)
{
	gb__plot_data_prune(&r->d, 2);
	return gb__plot_data_points(&r->d) > 0;
}

/* The tasks that run at once: min(tasks, cores). */
static double native_lanes(const struct gb__plot_run *r)
{
	return r->pc->cores > 0 ? fmin(r->tasks, r->pc->cores) : r->tasks;
}

/* "37% below", "3% above", "at": a measurement against a curve. */
static void native_rel(char *buf, size_t len, double v, double curve)
{
	double d = curve > 0 ? 100 * (v / curve - 1) : NAN;

	if (isnan(d))
		snprintf(buf, len, "?");
	else if (fabs(d) < 0.5)
		snprintf(buf, len, "at");
	else
		snprintf(buf, len, "%.0f%% %s", fabs(d), d > 0 ? "above" : "below");
}

/*
 * Each point of the main series against both curves, from the numbers: how
 * far below (or above) the bound min(N, 1/(1-F)) and Amdahl's 1/((1-F)+F/N).
 * A point above the bound is said to be within its interval or not: only
 * noise, or a serial baseline slower than the threads', can put it there.
 */
static void native_sentence(struct gb__plot_run *r)
{
	const struct gb__plot_series *s = gb__plot_data_find(&r->d, "threads_new");
	double lanes = native_lanes(r);
	size_t above = 0, noise = 0, bare = 0;

	if (!s)
		s = &r->d.s[0];
	plot_say(r,
	         "N = %.0f threads at once (%.0f tasks, %.0f cores): the GIL-held part 1 - F "
	         "runs one thread at a time, so the speedup is at most min(N, 1/(1-F)); "
	         "Amdahl's law 1/((1-F)+F/N) assumes no overlap. %s:",
	         lanes, r->tasks, r->pc->cores, s->title);
	for (size_t j = 0; j < s->n; j++) {
		const struct gb__plot_pt *p = &s->pt[j];
		double bound = plot_gil_ceiling(p->x, lanes), am = plot_amdahl(p->x, lanes);
		char a[32], b[32];

		native_rel(a, sizeof(a), p->v[0], bound);
		native_rel(b, sizeof(b), p->v[0], am);
		plot_say(r, "%s F = %.3g %.2fx, %s the bound (%.2fx), %s Amdahl (%.2fx)",
		         j ? ";" : "", p->x, p->v[0], a, bound, b, am);
		if (p->v[0] > bound * 1.005) {
			above++;
			noise += !isnan(p->v[1]) && p->v[1] <= bound;
			bare += isnan(p->v[1]);
		}
	}
	if (!above)
		plot_say(r, ". Every point is under the bound");
	else
		plot_say(r,
		         ". %zu point%s above the bound: %zu within %s interval (noise), %zu "
		         "beyond it (a serial baseline slower than the threads' GIL-held work)%s",
		         above, above > 1 ? "s are" : " is", noise, above > 1 ? "their" : "its",
		         above - noise - bare, bare ? ", the rest without an interval" : "");
	for (size_t i = 0, k = 0; i < r->d.n; i++)
		for (size_t j = 0; j < r->d.s[i].n; j++) {
			const struct gb__plot_pt *p = &r->d.s[i].pt[j];
			char a[32];

			if (!plot_is_cpy(&r->d.s[i]))
				continue;
			native_rel(a, sizeof(a), p->v[0], plot_gil_ceiling(p->x, lanes));
			plot_say(r, "%s %.2fx at F = %.3g (%s the bound)",
			         k++ ? "," : "; measured on real CPython, threads reach", p->v[0],
			         p->x, a);
		}
	plot_say(r, ".");
}

static void native_vars(struct gb__plot_run *r, FILE *vf)
{
	gb__plot_var_num(vf, "tasks", r->tasks);
	gb__plot_var_num(vf, "lanes", native_lanes(r));
}

/* ---- cooperative yields ---------------------------------------------------- */

static int yield_point(struct gb__plot_run *r, json_t *cell)
{
	double ye = gb__plot_get(cell, "params.yield_every");
	double p50 = gb__plot_get(cell, "metrics.latency_us.p50");
	double p99 = gb__plot_get(cell, "metrics.latency_us.p99");

	if (isnan(ye) || ye < 0 || !(p50 > 0))
		return 0;
	if (ye > 0)
		r->tasks = gb__plot_get(cell, "params.tasks");
	double lo = NAN, hi = NAN;

	plot_ci(r, cell, "latency_p50_us", &lo, &hi);
	/* x = 0 is "never yields": the template draws it as a level, not a point. */
	return plot_add(r, cell, ye, p50, p99, lo, hi);
}

/* A model belongs here only if it was swept: some point with N > 0. */
static int yield_enough(struct gb__plot_run *r)
{
	for (size_t i = 0; i < r->d.n; i++)
		if (r->d.s[i].n && r->d.s[i].pt[r->d.s[i].n - 1].x <= 0)
			r->d.s[i].n = 0;
	gb__plot_data_prune(&r->d, 1);
	return gb__plot_data_points(&r->d) > 0;
}

static void yield_sentence(struct gb__plot_run *r)
{
	/* The story needs the never-yields level; without it, just the figures. */
	int all_never = 1;

	for (size_t i = 0; i < r->d.n; i++)
		all_never &= r->d.s[i].pt[0].x == 0;
	plot_say(r, "%s",
	         all_never ? "Yielding often cuts the foreground p50 latency of "
	                   : "Foreground p50 latency: ");
	for (size_t i = 0; i < r->d.n; i++) {
		const struct gb__plot_series *s = &r->d.s[i];
		const struct gb__plot_pt *never = s->pt[0].x == 0 ? &s->pt[0] : NULL;
		const struct gb__plot_pt *often = never && s->n > 1 ? &s->pt[1] : &s->pt[0];
		char a[32], b[32], x[32];

		gb__plot_fmt_us(b, sizeof(b), often->v[0]);
		snprintf(x, sizeof(x), "%.0f", often->x);
		if (never) {
			gb__plot_fmt_us(a, sizeof(a), never->v[0]);
			plot_say(r, "%s%s from %s (never yields) to %s (yields every %s bytecodes)",
			         i ? "; " : "", s->title, a, b, x);
		} else {
			plot_say(r, "%s%s %s (yields every %s bytecodes)", i ? "; " : "", s->title,
			         b, x);
		}
	}
	plot_say(r, " (%.0f tasks, one in the foreground).", r->tasks);
}

/* The Ns run, for the x tics: a sweep has few points, label each once. */
static void yield_xs(const struct gb__plot_data *d, FILE *vf)
{
	fputs("xs='", vf);
	for (size_t i = 0, k = 0; i < d->n; i++)
		for (size_t j = 0; j < d->s[i].n; j++) {
			double x = d->s[i].pt[j].x;
			int seen = 0;
			for (size_t m = 0; m < i; m++)
				for (size_t q = 0; q < d->s[m].n; q++)
					seen |= d->s[m].pt[q].x == x;
			for (size_t q = 0; q < j; q++)
				seen |= d->s[i].pt[q].x == x;
			if (x > 0 && !seen)
				fprintf(vf, "%s%.0f", k++ ? " " : "", x);
		}
	fputs("'; ", vf);
}

static void yield_vars(struct gb__plot_run *r, FILE *vf)
{
	double xlo = INFINITY, xhi = 0, ylo = INFINITY, yhi = 0;

	for (size_t i = 0; i < r->d.n; i++)
		for (size_t j = 0; j < r->d.s[i].n; j++) {
			const struct gb__plot_pt *p = &r->d.s[i].pt[j];
			if (p->x > 0) {
				xlo = fmin(xlo, p->x);
				xhi = fmax(xhi, p->x);
			}
			ylo = fmin(ylo, p->v[0]);
			yhi = fmax(yhi, p->v[0]);
		}
	/* Per series, whether it has a never-yields level: no legend entry without. */
	fputs("nevers='", vf);
	for (size_t i = 0; i < r->d.n; i++)
		fprintf(vf, "%s%d", i ? " " : "", r->d.s[i].pt[0].x == 0);
	fputs("'; ", vf);
	gb__plot_var_num(vf, "tasks", r->tasks);
	gb__plot_var_num(vf, "x_lo", xlo);
	gb__plot_var_num(vf, "x_hi", xhi);
	gb__plot_var_num(vf, "ymin", ylo);
	gb__plot_var_num(vf, "ymax", yhi);
	yield_xs(&r->d, vf);
}

/* ---- the list ----------------------------------------------------------------- */

static const char *const chart_tasks_gil[] = {"tasks", "gil", NULL};
static const char *const chart_si_keys[] = {"switch_interval_s", NULL};
static const char *const chart_native_keys[] = {"native_fraction", "gil", NULL};
static const char *const chart_yield_keys[] = {"yield_every", NULL};

/* In the order the report shows them. */
const struct gb__plot_chart_desc gb__plot_charts[] = {
        {"CPU scaling",
         "cpu_scaling",
         {.wl = "cpu", .free_keys = chart_tasks_gil, .no_cpython_serial = 1},
         "tasks speedup efficiency speedup_lo speedup_hi",
         "no ok cell of workload cpu has a speedup.",
         cpu_point,
         NULL,
         cpu_sentence,
         cpu_vars,
         0,
         2,
         3,
         "speedup"},
        {"I/O scaling",
         "io_scaling",
         {.wl = "io", .free_keys = chart_tasks_gil},
         "tasks overhead_pct mem_per_task_kib wall_s ideal_s overhead_lo overhead_hi",
         "no ok cell of workload io.",
         io_point,
         NULL,
         io_sentence,
         NULL,
         0,
         4,
         5,
         "overhead"},
        /* Cooperative models as they are by default: the yield sweep has its own chart. */
        {"Convoy effect",
         "convoy",
         {.wl = "background", .free_keys = chart_tasks_gil, .zero_key = "yield_every"},
         "background_tasks p50_us p99_us p50_lo p50_hi p99_lo p99_hi",
         "no ok cell of workload background has latencies.",
         convoy_point,
         NULL,
         convoy_sentence,
         convoy_vars,
         1,
         4,
         5,
         "p99 latency"},
        {"Switch interval",
         "switch_interval",
         {.wl = "background",
          .model = "threads",
          .gil = "new",
          .free_keys = chart_si_keys,
          .zero_key = "yield_every"},
         "switch_interval_ms p50_us p99_us bytecodes_per_s p50_lo p50_hi p99_lo p99_hi",
         "needs background cells of threads under gil new at two or more --switch-interval "
         "values.",
         si_point,
         si_enough,
         si_sentence,
         si_vars,
         0,
         0,
         0,
         NULL},
        {"Native fraction",
         "native_fraction",
         {.wl = "cpu",
          .model = "threads",
          .cpython = 1,
          .free_keys = chart_native_keys,
          .anchor_key = "native_fraction"},
         "native_fraction speedup speedup_lo speedup_hi",
         "needs cpu cells of threads with a speedup at two or more --native-fraction values.",
         native_point,
         native_enough,
         native_sentence,
         native_vars,
         0,
         1,
         2,
         "speedup"},
        /* Only the sweep's own points (yield_every > 0) vote on the other params. */
        {"Cooperative yields",
         "yield_every",
         {.wl = "background", .free_keys = chart_yield_keys, .anchor_key = "yield_every"},
         "yield_every (0 = never yields) p50_us p99_us p50_lo p50_hi",
         "needs background cells with --yield-every above 0 (the cooperative models' yield "
         "sweep).",
         yield_point,
         yield_enough,
         yield_sentence,
         yield_vars,
         0,
         2,
         3,
         "p50 latency"},
};

const size_t gb__plot_ncharts = sizeof(gb__plot_charts) / sizeof(gb__plot_charts[0]);
