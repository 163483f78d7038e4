/*
 * report_json.c - turns raw samples into the result JSON: statistics per
 * metric, latency percentiles, GIL load, speedup against serial. It never
 * measures anything and never writes files (cmd_run.c does).
 */
#include "report_json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "identity.h"
#include "metrics.h"
#include "params.h"
#include "stats.h"
#include "status.h"

json_t *gb_report_doc_new(const char *command)
{
	json_t *ctx = gb_context_json();

	if (!ctx)
		return NULL;
	/* command: the first invocation (older readers); commands: every one that
	 * added cells (--append adds to it, cmd_run.c). */
	if (command) {
		json_object_set_new(ctx, "command", json_string(command));
		json_object_set_new(ctx, "commands", json_pack("[s]", command));
	}
	return json_pack("{s:i, s:o, s:[]}", "schema_version", 1, "context", ctx, "results");
}

/* The value of a row stored outside struct gb_params; NULL: none here. */
static json_t *rep_param_other(const struct gb_cell *cell, const struct gb_param_info *pi,
                               unsigned reps, unsigned warmup)
{
	switch (pi->id) {
	case GB_PARAM_PLACEMENT:
		return json_string(gb_placement_name(cell->placement));
	case GB_PARAM_CPUS:
		return json_string(cell->cpus ? cell->cpus : pi->sdef);
	case GB_PARAM_REPS:
		return json_integer((json_int_t)reps);
	case GB_PARAM_WARMUP:
		return json_integer((json_int_t)warmup);
	default:
		return NULL; /* bound_cpus, peer_cpus: the runner's, once measured */
	}
}

json_t *gb_report_params(const struct gb_cell *cell, unsigned reps, unsigned warmup)
{
	const struct gb_param_info *t = gb_params_table();
	json_t *o = json_object();

	for (unsigned i = 0; o && i < GB_PARAM__COUNT; i++) {
		const struct gb_param_info *pi = &t[i];
		json_t *v;

		if (pi->offset == GB_PARAM_NO_FIELD)
			v = rep_param_other(cell, pi, reps, warmup);
		else if (pi->type == GB_PT_STRING)
			v = json_string(
			        *(const char *const *)((const char *)&cell->p + pi->offset));
		else if (pi->type == GB_PT_ENUM)
			v = json_string(gb_param_enum_names(pi)[(int)gb_param_get(&cell->p, pi)]);
		else if (pi->type == GB_PT_REAL || pi->type == GB_PT_SECONDS)
			v = json_real(gb_param_get(&cell->p, pi));
		else
			v = json_integer((json_int_t)gb_param_get(&cell->p, pi));
		if (pi->offset == GB_PARAM_NO_FIELD && !v)
			continue;
		if (!v || json_object_set_new(o, pi->key, v)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

void gb_report_add_sample(json_t *samples, json_t *sample)
{
	const char *key;
	json_t *v;

	json_object_foreach(sample, key, v)
	{
		json_t *arr;
		if (!json_is_number(v))
			continue;
		arr = json_object_get(samples, key);
		if (!arr) {
			arr = json_array();
			json_object_set_new(samples, key, arr);
		}
		json_array_append(arr, v);
	}
}

/* The numbers of samples[key]; caller frees. NULL if absent or empty. */
static double *rep_values(json_t *samples, const char *key, size_t *n)
{
	json_t *arr = json_object_get(samples, key), *v;
	double *x;
	size_t i;

	*n = json_array_size(arr);
	if (!*n)
		return NULL;
	x = malloc(*n * sizeof(*x));
	if (!x)
		return NULL;
	json_array_foreach(arr, i, v) x[i] = json_number_value(v);
	return x;
}

/*
 * The summary object of samples[key]. "ci" is the interval of the median
 * with its coverage ci_level beside it; "ci95" is written as well only
 * when that coverage is 95% or more (6 samples or more), so that a reader
 * of ci95 never gets a 94% interval under that name (gb_summary_ci reads
 * either).
 */
static json_t *rep_summary(json_t *samples, const char *key, struct gb_summary *s)
{
	size_t n;
	double *x = rep_values(samples, key, &n);
	json_t *o;

	if (!x)
		return NULL;
	if (gb_stats_summarize(x, n, s) != 0) {
		free(x);
		return NULL;
	}
	free(x);
	o = json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:[f,f], s:f, s:f, s:i, s:b, s:b}", "n",
	              (json_int_t)s->n, "median", s->median, "mean", s->mean, "stddev", s->stddev,
	              "mad", s->mad, "min", s->min, "max", s->max, "ci", s->ci95_lo, s->ci95_hi,
	              "ci_level", s->ci_level, "cv", s->cv, "outliers", (int)s->outliers, "noisy",
	              s->noisy, "too_few", s->too_few);
	if (o && s->ci_level >= GB_STATS_CI_LEVEL)
		json_object_set_new(o, "ci95", json_pack("[f,f]", s->ci95_lo, s->ci95_hi));
	return o;
}

int gb_summary_ci(json_t *summary, double *lo, double *hi, double *level)
{
	json_t *ci = json_object_get(summary, "ci"), *lv = json_object_get(summary, "ci_level");

	if (json_array_size(ci) != 2)
		ci = json_object_get(summary, "ci95");
	if (json_array_size(ci) != 2 || !json_is_number(json_array_get(ci, 0)) ||
	    !json_is_number(json_array_get(ci, 1)))
		return -ENOENT;
	*lo = json_number_value(json_array_get(ci, 0));
	*hi = json_number_value(json_array_get(ci, 1));
	/* An older file's ci95 without ci_level: the level its n gave. */
	*level = json_is_number(lv) ? json_number_value(lv)
	                            : gb_stats_median_ci_level((size_t)json_integer_value(
	                                      json_object_get(summary, "n")));
	return 0;
}

/* A process that barely runs on the CPU has a cpu time made of fork and
 * exit costs: its spread is not the benchmark's, so it is not warned of. */
#define REP_CPU_WARN_SHARE 0.1

int gb_report_warns(json_t *cell, const char *key)
{
	json_t *sum = json_object_get(json_object_get(cell, "summaries"), key);
	const struct gb_metric *m = gb_metric_find(key);
	double cpu, wall;

	if (!m || !(m->flags & GB_METRIC_WARN) || !json_is_object(sum))
		return 0;
	if (!json_is_true(json_object_get(sum, "noisy")) &&
	    !json_is_true(json_object_get(sum, "too_few")))
		return 0;
	if (strcmp(key, "cpu_s") == 0) {
		cpu = json_number_value(json_object_get(sum, "median"));
		wall = json_number_value(json_object_get(
		        json_object_get(json_object_get(cell, "summaries"), "wall_s"), "median"));
		return wall > 0 && cpu >= REP_CPU_WARN_SHARE * wall;
	}
	return 1;
}

/* The summary of samples[key] alone: 1, or 0 if there are none. */
static int rep_values_summary(json_t *samples, const char *key, struct gb_summary *s)
{
	size_t n;
	double *x = rep_values(samples, key, &n);
	int ok;

	if (!x)
		return 0;
	ok = gb_stats_summarize(x, n, s) == 0;
	free(x);
	return ok;
}

static int rep_median(json_t *samples, const char *key, double *out)
{
	size_t n;
	double *x = rep_values(samples, key, &n);

	if (!x)
		return 0;
	*out = gb_stats_median(x, n);
	free(x);
	return 1;
}

static int rep_max(json_t *samples, const char *key, double *out)
{
	size_t n;
	double *x = rep_values(samples, key, &n);

	if (!x)
		return 0;
	*out = x[0];
	for (size_t i = 1; i < n; i++)
		if (x[i] > *out)
			*out = x[i];
	free(x);
	return 1;
}

static void rep_set_median(json_t *dst, const char *name, json_t *samples, const char *key)
{
	double v;
	if (rep_median(samples, key, &v))
		json_object_set_new(dst, name, json_real(v));
}

/* The group object of path "group.name" in metrics (NULL if none); group
 * is set to its name. A path without a dot is metrics itself. */
static json_t *rep_group(json_t *metrics, const char *path, char *group, size_t len)
{
	const char *dot = strchr(path, '.');

	if (!dot)
		return metrics;
	snprintf(group, len, "%.*s", (int)(dot - path), path);
	return json_object_get(metrics, group);
}

/*
 * metrics.<path> of every metric of metrics.def that has one: its median,
 * its largest sample, or (a summary) the summary already in sums. A path
 * "group.name" goes in the group object, made only when samples has the
 * group's GB_METRIC_GROUP key (latency_p50_us, gil_acquisitions).
 */
static void rep_set_metrics(json_t *metrics, json_t *samples, json_t *sums)
{
	char group[64];
	double v;

	for (size_t i = 0; i < gb_nmetric_defs; i++) {
		const struct gb_metric *m = &gb_metric_defs[i];

		if ((m->flags & GB_METRIC_GROUP) && json_object_get(samples, m->key) &&
		    !rep_group(metrics, m->path, group, sizeof(group)))
			json_object_set_new(metrics, group, json_object());
	}
	for (size_t i = 0; i < gb_nmetric_defs; i++) {
		const struct gb_metric *m = &gb_metric_defs[i];
		json_t *dst = m->path ? rep_group(metrics, m->path, group, sizeof(group)) : NULL;
		const char *name =
		        m->path && strchr(m->path, '.') ? strchr(m->path, '.') + 1 : m->path;

		if (!dst)
			continue;
		switch (m->reduce) {
		case GB_METRIC_REDUCE_SUMMARY:
			if (json_object_get(sums, m->key))
				json_object_set(dst, name, json_object_get(sums, m->key));
			break;
		case GB_METRIC_REDUCE_MEDIAN:
			rep_set_median(dst, name, samples, m->key);
			break;
		case GB_METRIC_REDUCE_MAX:
			if (rep_max(samples, m->key, &v))
				json_object_set_new(dst, name, json_real(v));
			break;
		default:
			break;
		}
	}
}

void gb_report_metrics(json_t *cell)
{
	json_t *samples = json_object_get(cell, "samples");
	json_t *metrics = json_object(), *warnings = json_array(), *sums = json_object(), *o;
	struct gb_summary s;

	/* Every compared metric gets its summary. */
	for (size_t i = 0; i < gb_nmetrics; i++) {
		const char *key = gb_metrics[i].key;

		if (!(o = rep_summary(samples, key, &s)))
			continue;
		json_object_set_new(sums, key, o);
	}
	json_object_set_new(cell, "summaries", sums);
	for (size_t i = 0; i < gb_nmetrics; i++) {
		const char *key = gb_metrics[i].key;
		char warn[256];

		if (!gb_report_warns(cell, key) || !rep_values_summary(samples, key, &s) ||
		    !gb_stats_warning(&s, key, warn, sizeof(warn)))
			continue;
		json_array_append_new(warnings, json_string(warn));
	}
	rep_set_metrics(metrics, samples, sums);
	json_object_set_new(cell, "metrics", metrics);
	if (json_array_size(warnings))
		json_object_set_new(cell, "warnings", warnings);
	else
		json_decref(warnings);
}

/* The ok cell of model `serial` doing the work of params in workload, or NULL. */
static json_t *rep_find_serial(json_t *doc, json_t *params, const char *workload,
                               const char *serial)
{
	json_t *results = json_object_get(doc, "results"), *c;
	size_t i;

	json_array_foreach(results, i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "model")), serial) != 0 ||
		    strcmp(json_string_value(json_object_get(c, "workload")), workload) != 0 ||
		    !gb_cell_is_ok(c))
			continue;
		if (gb_params_same_work(json_object_get(c, "params"), params))
			return c;
	}
	return NULL;
}

int gb_report_has_serial(json_t *doc, json_t *params, const char *workload)
{
	return rep_find_serial(doc, params, workload, "serial") != NULL;
}

/*
 * The serial cell a cell's speedup is against: cpython-serial for a cell
 * measured on real CPython (model cpython-...), as scripts/cpython/ sets
 * it; serial for the simulation's.
 */
static const char *rep_serial_model(json_t *cell)
{
	const char *model = json_string_value(json_object_get(cell, "model"));

	return model && strncmp(model, "cpython-", 8) == 0 ? "cpython-serial" : "serial";
}

double gb_speedup(double serial_wall, double wall)
{
	return serial_wall > 0 && wall > 0 ? serial_wall / wall : NAN;
}

void gb_report_speedups(json_t *doc, unsigned cpus)
{
	json_t *results = json_object_get(doc, "results"), *c;
	size_t i;

	json_array_foreach(results, i, c)
	{
		json_t *params = json_object_get(c, "params"), *samples, *metrics, *base, *arr, *v;
		const char *workload = json_string_value(json_object_get(c, "workload"));
		double ref, speedup, tasks;
		size_t j;

		if (!gb_cell_is_ok(c))
			continue;
		base = rep_find_serial(doc, params, workload, rep_serial_model(c));
		metrics = json_object_get(c, "metrics");
		samples = json_object_get(c, "samples");
		if (!base || !rep_median(json_object_get(base, "samples"), "wall_s", &ref))
			continue;
		arr = json_array();
		json_array_foreach(json_object_get(samples, "wall_s"), j, v)
		{
			double s = gb_speedup(ref, json_number_value(v));

			/* A sample with no speedup is 0 in the array: numbers only. */
			json_array_append_new(arr, json_real(isnan(s) ? 0.0 : s));
		}
		json_object_set_new(samples, "speedup", arr);
		if (!rep_median(samples, "speedup", &speedup))
			continue;
		{
			struct gb_summary sum;
			json_t *o = rep_summary(samples, "speedup", &sum);

			if (o && json_object_set_new(json_object_get(c, "summaries"), "speedup", o))
				o = NULL; /* no summaries object: an old cell; set_new freed o */
		}
		json_object_set_new(metrics, "speedup", json_real(speedup));
		tasks = (double)json_integer_value(json_object_get(params, "tasks"));
		if (tasks > cpus)
			tasks = cpus;
		if (tasks >= 1)
			json_object_set_new(metrics, "efficiency", json_real(speedup / tasks));
	}
}
