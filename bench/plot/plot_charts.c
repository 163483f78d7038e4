/*
 * plot_charts.c - the charts drawn from result files: CPU scaling, I/O
 * scaling, convoy, switch interval, native fraction, cooperative yields.
 * Each picks its cells, writes its .dat file, derives the report's sentence
 * and runs its template. How a chart looks is the template's job
 * (scripts/plot/); the numbers are the result file's.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plot.h"
#include "report_json.h"
#include "report_md.h"
#include "status.h"

/* ---- helpers --------------------------------------------------------------- */

/* Appends to a sentence; a full buffer just stops growing. */
static void plot_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;

	if (off + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

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

/* Whether a CPython series follows index i (the sentence's last comma). */
static int plot_more_cpy(const struct gb__plot_data *d, size_t i)
{
	for (; i < d->n; i++)
		if (plot_is_cpy(&d->s[i]))
			return 1;
	return 0;
}

/* Whether two cells hold the same value (or both none) for param key. */
static int plot_same_param(json_t *a, json_t *b, const char *key)
{
	json_t *va = json_object_get(json_object_get(a, "params"), key);
	json_t *vb = json_object_get(json_object_get(b, "params"), key);

	if (!va || !vb)
		return !va && !vb;
	if (json_is_number(va) && json_is_number(vb))
		return json_number_value(va) == json_number_value(vb);
	return json_equal(va, vb);
}

/*
 * metrics.speedup; for a cell without it (a CPython result file may lack
 * it), the wall median of the serial cell of its kind (serial, or
 * cpython-serial) with the same work and native fraction, over its own.
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
		    !plot_same_param(c, cell, "work") ||
		    !plot_same_param(c, cell, "native_fraction") || !(sw > 0))
			continue;
		return gb_speedup(sw, w);
	}
	return NAN;
}

/* ---- the charts ---------------------------------------------------------- */

int gb__plot_cpu_scaling(struct gb__plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"tasks", "gil", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "CPU scaling");
	struct gb__plot_data d = {0};
	struct gb__plot_pick pk = {.wl = "cpu", .free_keys = free_keys, .no_cpython_serial = 1};
	size_t n = gb__plot_select(results, &pk, sel);
	double maxt = 0, at = 0;
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double t = gb__plot_get(sel[i], "params.tasks"), s = plot_speedup(results, sel[i]),
		       eff;
		struct gb__plot_series *ps;
		if (isnan(t) || isnan(s))
			continue;
		ps = gb__plot_series_get(&d, sel[i]);
		eff = gb__plot_get(sel[i], "metrics.efficiency");
		if (!ps || gb__plot_series_add(ps, t, s, isnan(eff) ? s / t : eff, NAN, NAN))
			goto out;
		maxt = fmax(maxt, t);
	}
	if (!gb__plot_data_points(&d)) {
		gb__plot_skip(ch, "cpu_scaling", "no ok cell of workload cpu has a speedup.");
		err = 0;
		goto out;
	}
	gb__plot_data_sort(&d);
	err = gb__plot_data_write(pc, "cpu_scaling.dat", &d, "tasks speedup efficiency");
	if (err)
		goto out;

	/* The sentence speaks of the largest task count the cores can run at once. */
	for (size_t i = 0; i < d.n; i++)
		for (size_t j = 0; j < d.s[i].n; j++) {
			double t = d.s[i].pt[j].x;
			if ((pc->cores <= 0 || t <= pc->cores) && t > at)
				at = t;
		}
	if (at <= 1)
		at = maxt;
	{
		const struct gb__plot_series *best = NULL, *worst = NULL, *tn = NULL;
		double bv = 0, wv = 0, tv = 0;
		for (size_t i = 0; i < d.n; i++)
			for (size_t j = 0; j < d.s[i].n; j++) {
				double v = d.s[i].pt[j].v[0];
				if (d.s[i].pt[j].x != at || strcmp(d.s[i].key, "serial") == 0 ||
				    plot_is_cpy(&d.s[i]))
					continue;
				if (!best || v > bv)
					best = &d.s[i], bv = v;
				if (!worst || v < wv)
					worst = &d.s[i], wv = v;
				if (strcmp(d.s[i].key, "threads_new") == 0)
					tn = &d.s[i], tv = v;
			}
		ch->sentence[0] = '\0';
		if (!best) {
			plot_cat(ch->sentence, sizeof(ch->sentence),
			         "Speedup over serial against the number of tasks.");
		} else {
			plot_cat(ch->sentence, sizeof(ch->sentence),
			         "At %.0f tasks the speedup over serial is %.2fx for %s", at, bv,
			         best->title);
			if (worst != best)
				plot_cat(ch->sentence, sizeof(ch->sentence),
				         " and only %.2fx for %s", wv, worst->title);
			if (tn && tn != best && tn != worst)
				plot_cat(ch->sentence, sizeof(ch->sentence), "; %.2fx for %s", tv,
				         tn->title);
			plot_cat(ch->sentence, sizeof(ch->sentence), "; the ideal is %.0fx.",
			         pc->cores > 0 ? fmin(at, pc->cores) : at);
		}
		/* Real CPython at the same task count, when its results are merged in. */
		for (size_t i = 0, k = 0; i < d.n; i++)
			for (size_t j = 0; j < d.s[i].n; j++) {
				if (!plot_is_cpy(&d.s[i]) || d.s[i].pt[j].x != at)
					continue;
				plot_cat(ch->sentence, sizeof(ch->sentence), "%s %.2fx for %s",
				         k++ ? "," : " Measured on real CPython:",
				         d.s[i].pt[j].v[0], d.s[i].title);
			}
		if (strchr(ch->sentence, '\0')[-1] != '.')
			plot_cat(ch->sentence, sizeof(ch->sentence), ".");
	}

	vf = gb__plot_vars_open(pc, &vars, &vlen, "cpu_scaling", &d);
	if (!vf)
		goto out;
	gb__plot_var_num(vf, "cores", pc->cores);
	gb__plot_var_num(vf, "max_tasks", maxt);
	{
		/* Room for the data and the reachable ideal, not for y = tasks up to 64. */
		double top = pc->cores > 0 ? fmin(maxt, pc->cores) : maxt;
		for (size_t i = 0; i < d.n; i++)
			for (size_t j = 0; j < d.s[i].n; j++)
				top = fmax(top, d.s[i].pt[j].v[0]);
		gb__plot_var_num(vf, "y_top", top * 1.15 + 0.1);
	}
	err = gb__plot_finish(pc, vf, &vars, "cpu_scaling", "cpu_scaling", ch);
out:
	gb__plot_data_free(&d);
	return err;
}

int gb__plot_io_scaling(struct gb__plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"tasks", "gil", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "I/O scaling");
	struct gb__plot_data d = {0};
	struct gb__plot_pick pk = {.wl = "io", .free_keys = free_keys};
	size_t n = gb__plot_select(results, &pk, sel);
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double t = gb__plot_get(sel[i], "params.tasks");
		double wall = gb__plot_get(sel[i], "metrics.wall_s.median");
		double ideal = gb__plot_get(sel[i], "params.io_ops") *
		               gb__plot_get(sel[i], "params.io_time_s");
		double mem = gb__plot_get(sel[i], "metrics.mem_per_task_kib");
		double over = ideal > 0 ? (wall / ideal - 1) * 100 : NAN;
		struct gb__plot_series *ps;
		if (isnan(t) || (isnan(over) && isnan(mem)))
			continue;
		ps = gb__plot_series_get(&d, sel[i]);
		if (!ps || gb__plot_series_add(ps, t, over, mem, wall, ideal))
			goto out;
	}
	if (!gb__plot_data_points(&d)) {
		gb__plot_skip(ch, "io_scaling", "no ok cell of workload io.");
		err = 0;
		goto out;
	}
	gb__plot_data_sort(&d);
	err = gb__plot_data_write(pc, "io_scaling.dat", &d,
	                          "tasks overhead_pct mem_per_task_kib wall_s ideal_s");
	if (err)
		goto out;

	{
		const struct gb__plot_series *lo = NULL, *hi = NULL, *mlo = NULL, *mhi = NULL;
		double lov = 0, hiv = 0, lot = 0, hit = 0, mlov = 0, mhiv = 0;
		size_t off = 0;
		for (size_t i = 0; i < d.n; i++) {
			const struct gb__plot_pt *last = &d.s[i].pt[d.s[i].n - 1];
			/* serial is the no-concurrency reference: (K-1) x 100% by design. */
			if (strcmp(d.s[i].key, "serial") == 0)
				continue;
			if (!isnan(last->v[0]) && (!lo || last->v[0] < lov))
				lo = &d.s[i], lov = last->v[0], lot = last->x;
			if (!isnan(last->v[0]) && (!hi || last->v[0] > hiv))
				hi = &d.s[i], hiv = last->v[0], hit = last->x;
			for (size_t j = 0; j < d.s[i].n; j++) {
				double m = d.s[i].pt[j].v[1];
				if (isnan(m))
					continue;
				if (!mlo || m < mlov)
					mlo = &d.s[i], mlov = m;
				if (!mhi || m > mhiv)
					mhi = &d.s[i], mhiv = m;
			}
		}
		char a[32], b[32];
		plot_fmt_ratio(a, sizeof(a), lov);
		plot_fmt_ratio(b, sizeof(b), hiv);
		if (lo && hi && lo != hi)
			off = (size_t)snprintf(
			        ch->sentence, sizeof(ch->sentence),
			        "At the most tasks each model ran, the wall time is %s%% above "
			        "the ideal for %s (%.0f tasks) and %s%% for %s (%.0f tasks)",
			        a, lo->title, lot, b, hi->title, hit);
		else if (lo)
			off = (size_t)snprintf(ch->sentence, sizeof(ch->sentence),
			                       "At %.0f tasks %s stay %s%% above the ideal wall "
			                       "time",
			                       lot, lo->title, a);
		gb__res_fmt_num(a, sizeof(a), mlov);
		gb__res_fmt_num(b, sizeof(b), mhiv);
		if (mlo && mhi && mlo != mhi)
			snprintf(ch->sentence + off, sizeof(ch->sentence) - off,
			         "%smemory per task ranges from %s KiB (%s) to %s KiB (%s).",
			         off ? "; " : "", a, mlo->title, b, mhi->title);
		else if (off)
			snprintf(ch->sentence + off, sizeof(ch->sentence) - off, ".");
		else
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "Overhead above the ideal wall time and memory per task.");
	}

	vf = gb__plot_vars_open(pc, &vars, &vlen, "io_scaling", &d);
	if (!vf)
		goto out;
	err = gb__plot_finish(pc, vf, &vars, "io_scaling", "io_scaling", ch);
out:
	gb__plot_data_free(&d);
	return err;
}

int gb__plot_convoy(struct gb__plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"tasks", "gil", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "Convoy effect");
	struct gb__plot_data d = {0};
	/* Cooperative models as they are by default: the yield sweep has its own chart. */
	struct gb__plot_pick pk = {
	        .wl = "background", .free_keys = free_keys, .zero_key = "yield_every"};
	size_t n = gb__plot_select(results, &pk, sel);
	double maxb = 0;
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double t = gb__plot_get(sel[i], "params.tasks");
		double p50 = gb__plot_get(sel[i], "metrics.latency_us.p50");
		double p99 = gb__plot_get(sel[i], "metrics.latency_us.p99");
		struct gb__plot_series *ps;
		if (isnan(t) || t < 1 || (isnan(p50) && isnan(p99)))
			continue;
		ps = gb__plot_series_get(&d, sel[i]);
		/* The first task is the foreground: tasks - 1 run in the background. */
		if (!ps || gb__plot_series_add(ps, t - 1, p50, p99, NAN, NAN))
			goto out;
		maxb = fmax(maxb, t - 1);
	}
	if (!gb__plot_data_points(&d)) {
		gb__plot_skip(ch, "convoy", "no ok cell of workload background has latencies.");
		err = 0;
		goto out;
	}
	gb__plot_data_sort(&d);
	err = gb__plot_data_write(pc, "convoy.dat", &d, "background_tasks p50_us p99_us");
	if (err)
		goto out;

	{
		const struct gb__plot_series *most = NULL, *least = NULL;
		double mr = 0, lr = 0, m0 = 0, m1 = 0, l0 = 0, l1 = 0;
		for (size_t i = 0; i < d.n; i++) {
			const struct gb__plot_pt *a = &d.s[i].pt[0], *b = &d.s[i].pt[d.s[i].n - 1];
			double r;
			if (d.s[i].n < 2 || a->x != 0 || b->x != maxb || !(a->v[1] > 0) ||
			    isnan(b->v[1]) || plot_is_cpy(&d.s[i]))
				continue;
			r = b->v[1] / a->v[1];
			if (!most || r > mr)
				most = &d.s[i], mr = r, m0 = a->v[1], m1 = b->v[1];
			if (!least || r < lr)
				least = &d.s[i], lr = r, l0 = a->v[1], l1 = b->v[1];
		}
		if (most && least && most != least) {
			char a[32], b[32], c[32], e[32], r1[32], r2[32];
			gb__plot_fmt_us(a, sizeof(a), m0);
			gb__plot_fmt_us(b, sizeof(b), m1);
			gb__plot_fmt_us(c, sizeof(c), l0);
			gb__plot_fmt_us(e, sizeof(e), l1);
			plot_fmt_ratio(r1, sizeof(r1), mr);
			plot_fmt_ratio(r2, sizeof(r2), lr);
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "From 0 to %.0f background tasks, foreground p99 latency grows "
			         "most under %s (%s to %s, %sx) and least under %s (%s to %s, "
			         "%sx).",
			         maxb, most->title, a, b, r1, least->title, c, e, r2);
		} else {
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "Foreground latency p50 and p99 with 0 to %.0f CPU-bound "
			         "background tasks.",
			         maxb);
		}
	}

	/* Real CPython beside the simulation: how its p99 grows, series by series. */
	for (size_t i = 0, k = 0; i < d.n; i++) {
		const struct gb__plot_pt *a = &d.s[i].pt[0], *b = &d.s[i].pt[d.s[i].n - 1];
		char v0[32], v1[32];
		if (!plot_is_cpy(&d.s[i]) || d.s[i].n < 2 || isnan(a->v[1]) || isnan(b->v[1]))
			continue;
		gb__plot_fmt_us(v0, sizeof(v0), a->v[1]);
		gb__plot_fmt_us(v1, sizeof(v1), b->v[1]);
		plot_cat(ch->sentence, sizeof(ch->sentence),
		         "%s from %s to %s (%.0f to %.0f background tasks) for %s",
		         k++ ? "," : " On real CPython, p99 goes", v0, v1, a->x, b->x,
		         d.s[i].title);
		if (!plot_more_cpy(&d, i + 1))
			plot_cat(ch->sentence, sizeof(ch->sentence), ".");
	}

	vf = gb__plot_vars_open(pc, &vars, &vlen, "convoy", &d);
	if (!vf)
		goto out;
	gb__plot_var_num(vf, "max_bg", maxb);
	{
		/* Both panels share one y range so p50 and p99 compare by eye. */
		double lo = INFINITY, hi = 0;
		for (size_t i = 0; i < d.n; i++)
			for (size_t j = 0; j < d.s[i].n; j++)
				for (int k = 0; k < 2; k++) {
					double v = d.s[i].pt[j].v[k];
					if (v > 0 && v < lo)
						lo = v;
					if (v > hi)
						hi = v;
				}
		gb__plot_var_num(vf, "ymin", isinf(lo) ? 1 : lo);
		gb__plot_var_num(vf, "ymax", hi > 0 ? hi : 10);
	}
	err = gb__plot_finish(pc, vf, &vars, "convoy", "convoy", ch);
out:
	gb__plot_data_free(&d);
	return err;
}

int gb__plot_switch_interval(struct gb__plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"switch_interval_s", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "Switch interval");
	struct gb__plot_data d = {0};
	struct gb__plot_pick pk = {.wl = "background",
	                           .model = "threads",
	                           .gil = "new",
	                           .free_keys = free_keys,
	                           .zero_key = "yield_every"};
	size_t n = gb__plot_select(results, &pk, sel);
	double tasks = NAN;
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double si = gb__plot_get(sel[i], "params.switch_interval_s");
		double p50 = gb__plot_get(sel[i], "metrics.latency_us.p50");
		double p99 = gb__plot_get(sel[i], "metrics.latency_us.p99");
		double bps = gb__plot_get(sel[i], "metrics.bytecodes_per_s");
		struct gb__plot_series *ps;
		if (!(si > 0) || (isnan(p50) && isnan(p99) && isnan(bps)))
			continue;
		ps = gb__plot_series_get(&d, sel[i]);
		if (!ps || gb__plot_series_add(ps, si * 1e3, p50, p99, bps, NAN))
			goto out;
		tasks = gb__plot_get(sel[i], "params.tasks");
	}
	if (d.n == 0 || d.s[0].n < 2) {
		gb__plot_skip(ch, "switch_interval",
		              "needs background cells of threads under gil new at two or more "
		              "--switch-interval values.");
		err = 0;
		goto out;
	}
	gb__plot_data_sort(&d);
	err = gb__plot_data_write(pc, "switch_interval.dat", &d,
	                          "switch_interval_ms p50_us p99_us bytecodes_per_s");
	if (err)
		goto out;
	{
		const struct gb__plot_pt *a = &d.s[0].pt[0], *b = &d.s[0].pt[d.s[0].n - 1];
		char l0[32], l1[32], r0[32], r1[32];
		gb__plot_fmt_us(l0, sizeof(l0), a->v[1]);
		gb__plot_fmt_us(l1, sizeof(l1), b->v[1]);
		gb__plot_fmt_rate(r0, sizeof(r0), a->v[2]);
		gb__plot_fmt_rate(r1, sizeof(r1), b->v[2]);
		char x0[32], x1[32];
		gb__res_fmt_num(x0, sizeof(x0), a->x);
		gb__res_fmt_num(x1, sizeof(x1), b->x);
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "Raising the switch interval from %s ms to %s ms moves the "
		         "foreground p99 latency of threads (gil new) from %s to %s, and "
		         "background throughput from %s to %s bytecodes/s (%.0f tasks).",
		         x0, x1, l0, l1, r0, r1, tasks);
	}

	vf = gb__plot_vars_open(pc, &vars, &vlen, "switch_interval", &d);
	if (!vf)
		goto out;
	gb__plot_var_num(vf, "tasks", tasks);
	fputs("xs='", vf);
	for (size_t j = 0; j < d.s[0].n; j++)
		fprintf(vf, "%s%.6g", j ? " " : "", d.s[0].pt[j].x);
	fputs("'; ", vf);
	err = gb__plot_finish(pc, vf, &vars, "switch_interval", "switch_interval", ch);
out:
	gb__plot_data_free(&d);
	return err;
}

/*
 * Two curves frame the native-fraction chart, with n = min(tasks, cores):
 * Amdahl's law 1 / ((1 - F) + F / n) assumes the GIL-held part never runs
 * beside anything, while under a GIL one thread's GIL-held work does overlap
 * another's native work; the real ceiling is min(n, 1 / (1 - F)) (the
 * GIL-held work is serial, the rest fills the other cores).
 */
static double plot_amdahl(double f, double n)
{
	return 1 / ((1 - f) + f / n);
}

static double plot_gil_ceiling(double f, double n)
{
	return f >= 1 ? n : fmin(n, 1 / (1 - f));
}

int gb__plot_native_fraction(struct gb__plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"native_fraction", "gil", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "Native fraction");
	struct gb__plot_data d = {0};
	struct gb__plot_pick pk = {.wl = "cpu",
	                           .model = "threads",
	                           .cpython = 1,
	                           .free_keys = free_keys,
	                           .anchor_key = "native_fraction"};
	size_t n = gb__plot_select(results, &pk, sel);
	double tasks = NAN, lanes;
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double nf = gb__plot_get(sel[i], "params.native_fraction");
		double s = plot_speedup(results, sel[i]);
		struct gb__plot_series *ps;
		if (isnan(nf) || isnan(s))
			continue;
		ps = gb__plot_series_get(&d, sel[i]);
		if (!ps || gb__plot_series_add(ps, nf, s, NAN, NAN, NAN))
			goto out;
		if (!gb__res_is_cpython(sel[i]) || isnan(tasks))
			tasks = gb__plot_get(sel[i], "params.tasks");
	}
	gb__plot_data_prune(&d, 2);
	if (!gb__plot_data_points(&d)) {
		gb__plot_skip(ch, "native_fraction",
		              "needs cpu cells of threads with a speedup at two or more "
		              "--native-fraction values.");
		err = 0;
		goto out;
	}
	gb__plot_data_sort(&d);
	err = gb__plot_data_write(pc, "native_fraction.dat", &d, "native_fraction speedup");
	if (err)
		goto out;

	lanes = pc->cores > 0 ? fmin(tasks, pc->cores) : tasks;
	{
		/*
		 * The sentence speaks of the F where the two curves differ most:
		 * there the measurement says how much of the overlap it gets.
		 */
		const struct gb__plot_series *s = gb__plot_data_find(&d, "threads_new");
		const struct gb__plot_pt *p = NULL;
		double gap = -1, am, ce;
		if (!s)
			s = &d.s[0];
		for (size_t j = 0; j < s->n; j++) {
			double g = plot_gil_ceiling(s->pt[j].x, lanes) -
			           plot_amdahl(s->pt[j].x, lanes);
			if (g > gap)
				gap = g, p = &s->pt[j];
		}
		am = plot_amdahl(p->x, lanes);
		ce = plot_gil_ceiling(p->x, lanes);
		ch->sentence[0] = '\0';
		plot_cat(ch->sentence, sizeof(ch->sentence),
		         "With F = %.3g of the work outside the GIL, %s reach %.2fx serial "
		         "(%.0f tasks, %.0f cores): ",
		         p->x, s->title, p->v[0], tasks, pc->cores);
		/* 3%: the noise of a median of a few repetitions on a shared machine. */
		if (p->v[0] > ce * 1.03)
			plot_cat(ch->sentence, sizeof(ch->sentence),
			         "above the GIL ceiling of %.2fx, which only noise or a slower "
			         "serial baseline explains",
			         ce);
		else if (p->v[0] >= am * 0.97)
			plot_cat(ch->sentence, sizeof(ch->sentence),
			         "%s Amdahl's no-overlap estimate (%.2fx) and the GIL ceiling "
			         "with perfect overlap (%.2fx), so native work overlaps GIL-held "
			         "work",
			         p->v[0] >= ce * 0.97 ? "at the top of the band between"
			                              : "between",
			         am, ce);
		else
			plot_cat(
			        ch->sentence, sizeof(ch->sentence),
			        "below even Amdahl's no-overlap estimate (%.2fx), so releasing and "
			        "re-taking the GIL costs more than the overlap gains",
			        am);
		for (size_t i = 0, k = 0; i < d.n; i++)
			for (size_t j = 0; j < d.s[i].n; j++) {
				if (!plot_is_cpy(&d.s[i]) || d.s[i].pt[j].x != p->x)
					continue;
				plot_cat(ch->sentence, sizeof(ch->sentence), "%s %.2fx for %s",
				         k++ ? "," : "; measured on real CPython:",
				         d.s[i].pt[j].v[0], d.s[i].title);
			}
		plot_cat(ch->sentence, sizeof(ch->sentence), ".");
	}

	vf = gb__plot_vars_open(pc, &vars, &vlen, "native_fraction", &d);
	if (!vf)
		goto out;
	gb__plot_var_num(vf, "tasks", tasks);
	gb__plot_var_num(vf, "lanes", lanes);
	err = gb__plot_finish(pc, vf, &vars, "native_fraction", "native_fraction", ch);
out:
	gb__plot_data_free(&d);
	return err;
}

int gb__plot_yield_every(struct gb__plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"yield_every", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "Cooperative yields");
	struct gb__plot_data d = {0};
	/* Only the sweep's own points (yield_every > 0) vote on the other params. */
	struct gb__plot_pick pk = {
	        .wl = "background", .free_keys = free_keys, .anchor_key = "yield_every"};
	size_t n = gb__plot_select(results, &pk, sel);
	double tasks = NAN, xlo = INFINITY, xhi = 0, ylo = INFINITY, yhi = 0;
	char *vars = NULL;
	size_t vlen = 0, j;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double ye = gb__plot_get(sel[i], "params.yield_every");
		double p50 = gb__plot_get(sel[i], "metrics.latency_us.p50");
		double p99 = gb__plot_get(sel[i], "metrics.latency_us.p99");
		struct gb__plot_series *ps;
		if (isnan(ye) || ye < 0 || !(p50 > 0))
			continue;
		ps = gb__plot_series_get(&d, sel[i]);
		/* x = 0 is "never yields": the template draws it as a level, not a point. */
		if (!ps || gb__plot_series_add(ps, ye, p50, p99, NAN, NAN))
			goto out;
		if (ye > 0)
			tasks = gb__plot_get(sel[i], "params.tasks");
	}
	/* A model belongs here only if it was swept: some point with N > 0. */
	for (size_t i = 0; i < d.n; i++)
		if (d.s[i].n && d.s[i].pt[d.s[i].n - 1].x <= 0)
			d.s[i].n = 0;
	gb__plot_data_prune(&d, 1);
	if (!gb__plot_data_points(&d)) {
		gb__plot_skip(ch, "yield_every",
		              "needs background cells with --yield-every above 0 (the "
		              "cooperative models' yield sweep).");
		err = 0;
		goto out;
	}
	for (size_t i = 0; i < d.n; i++)
		for (j = 0; j < d.s[i].n; j++) {
			const struct gb__plot_pt *p = &d.s[i].pt[j];
			if (p->x > 0) {
				xlo = fmin(xlo, p->x);
				xhi = fmax(xhi, p->x);
			}
			ylo = fmin(ylo, p->v[0]);
			yhi = fmax(yhi, p->v[0]);
		}
	gb__plot_data_sort(&d);
	err = gb__plot_data_write(pc, "yield_every.dat", &d,
	                          "yield_every (0 = never yields) p50_us p99_us");
	if (err)
		goto out;

	ch->sentence[0] = '\0';
	{
		/* The story needs the never-yields level; without it, just the figures. */
		int all_never = 1;
		for (size_t i = 0; i < d.n; i++)
			all_never &= d.s[i].pt[0].x == 0;
		plot_cat(ch->sentence, sizeof(ch->sentence), "%s",
		         all_never ? "Yielding often cuts the foreground p50 latency of "
		                   : "Foreground p50 latency: ");
	}
	for (size_t i = 0; i < d.n; i++) {
		const struct gb__plot_series *s = &d.s[i];
		const struct gb__plot_pt *never = s->pt[0].x == 0 ? &s->pt[0] : NULL;
		const struct gb__plot_pt *often = never && s->n > 1 ? &s->pt[1] : &s->pt[0];
		char a[32], b[32], x[32];
		gb__plot_fmt_us(b, sizeof(b), often->v[0]);
		snprintf(x, sizeof(x), "%.0f", often->x);
		if (never) {
			gb__plot_fmt_us(a, sizeof(a), never->v[0]);
			plot_cat(ch->sentence, sizeof(ch->sentence),
			         "%s%s from %s (never yields) to %s (yields every %s bytecodes)",
			         i ? "; " : "", s->title, a, b, x);
		} else {
			plot_cat(ch->sentence, sizeof(ch->sentence),
			         "%s%s %s (yields every %s bytecodes)", i ? "; " : "", s->title, b,
			         x);
		}
	}
	plot_cat(ch->sentence, sizeof(ch->sentence), " (%.0f tasks, one in the foreground).",
	         tasks);

	vf = gb__plot_vars_open(pc, &vars, &vlen, "yield_every", &d);
	if (!vf)
		goto out;
	/* Per series, whether it has a never-yields level: no legend entry without. */
	fputs("nevers='", vf);
	for (size_t i = 0; i < d.n; i++)
		fprintf(vf, "%s%d", i ? " " : "", d.s[i].pt[0].x == 0);
	fputs("'; ", vf);
	gb__plot_var_num(vf, "tasks", tasks);
	gb__plot_var_num(vf, "x_lo", xlo);
	gb__plot_var_num(vf, "x_hi", xhi);
	gb__plot_var_num(vf, "ymin", ylo);
	gb__plot_var_num(vf, "ymax", yhi);
	/* The Ns run, for the x tics: a sweep has few points, label each. */
	fputs("xs='", vf);
	for (size_t i = 0, k = 0; i < d.n; i++)
		for (j = 0; j < d.s[i].n; j++) {
			double x = d.s[i].pt[j].x;
			int seen = 0;
			for (size_t m = 0; m < i; m++)
				for (size_t q = 0; q < d.s[m].n; q++)
					seen |= d.s[m].pt[q].x == x;
			for (size_t q = 0; q < j; q++)
				seen |= d.s[i].pt[q].x == x;
			if (x > 0 && !seen)
				fprintf(vf, "%s%.0f", k++ ? " " : "", x);
		}
	fputs("'; ", vf);
	err = gb__plot_finish(pc, vf, &vars, "yield_every", "yield_every", ch);
out:
	gb__plot_data_free(&d);
	return err;
}
