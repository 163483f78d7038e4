/*
 * plot_charts.c - the charts drawn from result files: CPU scaling, I/O
 * scaling, convoy, switch interval, native fraction. Each picks its cells,
 * writes its .dat file, derives the report's sentence and runs its template.
 * How a chart looks is the template's job (scripts/plot/).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plot.h"
#include "report_md.h"

/* ---- the charts ---------------------------------------------------------- */

int gb__plot_cpu_scaling(struct gb__plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"tasks", "gil", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "CPU scaling");
	struct gb__plot_data d = {0};
	size_t n = gb__plot_select(results, "cpu", NULL, NULL, free_keys, sel);
	double maxt = 0, at = 0;
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double t = gb__plot_get(sel[i], "params.tasks"),
		       s = gb__plot_get(sel[i], "metrics.speedup");
		struct gb__plot_series *ps;
		if (isnan(t) || isnan(s))
			continue;
		ps = gb__plot_series_get(&d, sel[i]);
		if (!ps || gb__plot_series_add(ps, t, s, gb__plot_get(sel[i], "metrics.efficiency"),
		                               NAN, NAN))
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
		size_t off;
		for (size_t i = 0; i < d.n; i++)
			for (size_t j = 0; j < d.s[i].n; j++) {
				double v = d.s[i].pt[j].v[0];
				if (d.s[i].pt[j].x != at || strcmp(d.s[i].key, "serial") == 0)
					continue;
				if (!best || v > bv)
					best = &d.s[i], bv = v;
				if (!worst || v < wv)
					worst = &d.s[i], wv = v;
				if (strcmp(d.s[i].key, "threads_new") == 0)
					tn = &d.s[i], tv = v;
			}
		if (!best) {
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "Speedup over serial against the number of tasks.");
		} else {
			off = (size_t)snprintf(
			        ch->sentence, sizeof(ch->sentence),
			        "At %.0f tasks the speedup over serial is %.2fx for %s", at, bv,
			        best->title);
			if (worst != best)
				off += (size_t)snprintf(ch->sentence + off,
				                        sizeof(ch->sentence) - off,
				                        " and only %.2fx for %s", wv, worst->title);
			if (tn && tn != best && tn != worst)
				off += (size_t)snprintf(ch->sentence + off,
				                        sizeof(ch->sentence) - off,
				                        "; %.2fx for %s", tv, tn->title);
			snprintf(ch->sentence + off, sizeof(ch->sentence) - off,
			         "; the ideal is %.0fx.", pc->cores > 0 ? fmin(at, pc->cores) : at);
		}
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	gb__plot_var_dat(pc, vf, "cpu_scaling.dat");
	gb__plot_var_keys(vf, &d);
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
	size_t n = gb__plot_select(results, "io", NULL, NULL, free_keys, sel);
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
		if (lo && hi && lo != hi)
			off = (size_t)snprintf(
			        ch->sentence, sizeof(ch->sentence),
			        "At the most tasks each model ran, the wall time is %.3g%% above "
			        "the ideal for %s (%.0f tasks) and %.3g%% for %s (%.0f tasks)",
			        lov, lo->title, lot, hiv, hi->title, hit);
		else if (lo)
			off = (size_t)snprintf(ch->sentence, sizeof(ch->sentence),
			                       "At %.0f tasks %s stay %.3g%% above the ideal wall "
			                       "time",
			                       lot, lo->title, lov);
		if (mlo && mhi && mlo != mhi)
			snprintf(ch->sentence + off, sizeof(ch->sentence) - off,
			         "%smemory per task ranges from %.3g KiB (%s) to %.3g KiB (%s).",
			         off ? "; " : "", mlov, mlo->title, mhiv, mhi->title);
		else if (off)
			snprintf(ch->sentence + off, sizeof(ch->sentence) - off, ".");
		else
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "Overhead above the ideal wall time and memory per task.");
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	gb__plot_var_dat(pc, vf, "io_scaling.dat");
	gb__plot_var_keys(vf, &d);
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
	size_t n = gb__plot_select(results, "background", NULL, NULL, free_keys, sel);
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
			    isnan(b->v[1]))
				continue;
			r = b->v[1] / a->v[1];
			if (!most || r > mr)
				most = &d.s[i], mr = r, m0 = a->v[1], m1 = b->v[1];
			if (!least || r < lr)
				least = &d.s[i], lr = r, l0 = a->v[1], l1 = b->v[1];
		}
		if (most && least && most != least) {
			char a[32], b[32], c[32], e[32];
			gb__plot_fmt_us(a, sizeof(a), m0);
			gb__plot_fmt_us(b, sizeof(b), m1);
			gb__plot_fmt_us(c, sizeof(c), l0);
			gb__plot_fmt_us(e, sizeof(e), l1);
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "From 0 to %.0f background tasks, foreground p99 latency grows "
			         "most under %s (%s to %s, %.3gx) and least under %s (%s to %s, "
			         "%.3gx).",
			         maxb, most->title, a, b, mr, least->title, c, e, lr);
		} else {
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "Foreground latency p50 and p99 with 0 to %.0f CPU-bound "
			         "background tasks.",
			         maxb);
		}
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	gb__plot_var_dat(pc, vf, "convoy.dat");
	gb__plot_var_keys(vf, &d);
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
	size_t n = gb__plot_select(results, "background", "threads", "new", free_keys, sel);
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
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "Raising the switch interval from %.3g ms to %.3g ms moves the "
		         "foreground p99 latency of threads (gil new) from %s to %s, and "
		         "background throughput from %s to %s bytecodes/s (%.0f tasks).",
		         a->x, b->x, l0, l1, r0, r1, tasks);
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	gb__plot_var_dat(pc, vf, "switch_interval.dat");
	gb__plot_var_keys(vf, &d);
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

int gb__plot_native_fraction(struct gb__plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"native_fraction", "gil", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = gb__plot_chart(pc, "Native fraction");
	struct gb__plot_data d = {0};
	size_t n = gb__plot_select(results, "cpu", "threads", NULL, free_keys, sel);
	double tasks = NAN, lanes;
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double nf = gb__plot_get(sel[i], "params.native_fraction");
		double s = gb__plot_get(sel[i], "metrics.speedup");
		struct gb__plot_series *ps;
		if (isnan(nf) || isnan(s))
			continue;
		ps = gb__plot_series_get(&d, sel[i]);
		if (!ps || gb__plot_series_add(ps, nf, s, NAN, NAN, NAN))
			goto out;
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
		const struct gb__plot_series *s = gb__plot_data_find(&d, "threads_new");
		const struct gb__plot_pt *p;
		if (!s)
			s = &d.s[0];
		p = &s->pt[s->n - 1];
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "With %.3g of the work outside the GIL, %s reach %.2fx serial against "
		         "an Amdahl bound of %.2fx for %.0f tasks on %.0f cores.",
		         p->x, s->title, p->v[0], 1 / ((1 - p->x) + p->x / lanes), tasks,
		         pc->cores);
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	gb__plot_var_dat(pc, vf, "native_fraction.dat");
	gb__plot_var_keys(vf, &d);
	gb__plot_var_num(vf, "tasks", tasks);
	gb__plot_var_num(vf, "lanes", lanes);
	err = gb__plot_finish(pc, vf, &vars, "native_fraction", "native_fraction", ch);
out:
	gb__plot_data_free(&d);
	return err;
}
