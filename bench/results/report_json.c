/*
 * report_json.c - turns raw samples into the result JSON: statistics per
 * metric, latency percentiles, GIL load, speedup against serial. It never
 * measures anything and never writes files (cmd_run.c does).
 */
#include "report_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "metrics.h"
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

json_t *gb_report_params(const struct gb_cell *cell, unsigned reps, unsigned warmup)
{
	const struct gb_params *p = &cell->p;

	return json_pack(
	        "{s:i, s:s, s:f, s:i, s:i, s:f, s:f, s:s, s:s, s:I, s:s, s:f, s:i, s:I, "
	        "s:f, s:I, s:I, s:i, s:f, s:i, s:i}",
	        "tasks", (int)p->tasks, "gil", p->gil, "switch_interval_s", p->switch_interval_s,
	        "check_interval", (int)p->check_interval, "check_every", (int)p->check_every,
	        "native_fraction", p->native_fraction, "gil_overhead", p->gil_overhead, "placement",
	        gb_placement_name(cell->placement), "cpus", cell->cpus ? cell->cpus : "all", "work",
	        (json_int_t)p->work, "io", p->io == GB_IO_ECHO ? "echo" : "sleep", "io_time_s",
	        (double)p->io_time_ns * 1e-9, "io_ops", (int)p->io_ops, "burst",
	        (json_int_t)p->burst, "think_s", (double)p->think_ns * 1e-9, "yield_every",
	        (json_int_t)p->yield_every, "stack_size", (json_int_t)p->stack_size, "echo_bytes",
	        (int)p->echo_bytes, "peer_delay_s", (double)p->peer_delay_ns * 1e-9, "reps",
	        (int)reps, "warmup", (int)warmup);
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
 * The summary object of samples[key]. ci95 keeps its name (charts and
 * older readers look for it); ci_level says what coverage it really has,
 * below 0.95 with 5 samples or fewer.
 */
static json_t *rep_summary(json_t *samples, const char *key, struct gb_summary *s)
{
	size_t n;
	double *x = rep_values(samples, key, &n);

	if (!x)
		return NULL;
	if (gb_stats_summarize(x, n, s) != 0) {
		free(x);
		return NULL;
	}
	free(x);
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:[f,f], s:f, s:f, s:i, s:b, s:b}",
	                 "n", (json_int_t)s->n, "median", s->median, "mean", s->mean, "stddev",
	                 s->stddev, "mad", s->mad, "min", s->min, "max", s->max, "ci95", s->ci95_lo,
	                 s->ci95_hi, "ci_level", s->ci_level, "cv", s->cv, "outliers",
	                 (int)s->outliers, "noisy", s->noisy, "too_few", s->too_few);
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

void gb_report_metrics(json_t *cell)
{
	static const char *const scalars[] = {
	        "ops_per_s",     "bytecodes_per_s", "peak_rss_kib",  "mem_per_task_kib",
	        "ctx_voluntary", "ctx_involuntary", "overhead_ratio"};
	json_t *samples = json_object_get(cell, "samples");
	json_t *metrics = json_object(), *warnings = json_array(), *sums = json_object(), *o;
	struct gb_summary s;
	double v;

	/* Every compared metric gets its summary; wall and cpu also where
	 * readers have always found them. */
	for (size_t i = 0; i < gb_nmetrics; i++) {
		const char *key = gb_metrics[i].key;

		if (!(o = rep_summary(samples, key, &s)))
			continue;
		json_object_set_new(sums, key, o);
		if (strcmp(key, "wall_s") == 0 || strcmp(key, "cpu_s") == 0)
			json_object_set(metrics, key, o);
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
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		rep_set_median(metrics, scalars[i], samples, scalars[i]);
	if (json_object_get(samples, "latency_p50_us")) {
		o = json_object();
		rep_set_median(o, "p50", samples, "latency_p50_us");
		rep_set_median(o, "p90", samples, "latency_p90_us");
		rep_set_median(o, "p99", samples, "latency_p99_us");
		rep_set_median(o, "mean", samples, "latency_mean_us");
		if (rep_max(samples, "latency_max_us", &v))
			json_object_set_new(o, "max", json_real(v));
		rep_set_median(o, "count", samples, "latency_count");
		json_object_set_new(metrics, "latency_us", o);
	}
	if (json_object_get(samples, "gil_acquisitions")) {
		o = json_object();
		rep_set_median(o, "acquisitions", samples, "gil_acquisitions");
		rep_set_median(o, "drop_requests", samples, "gil_drop_requests");
		rep_set_median(o, "forced_switches", samples, "gil_forced_switches");
		rep_set_median(o, "voluntary_drops", samples, "gil_voluntary_drops");
		rep_set_median(o, "switch_waits", samples, "gil_switch_waits");
		rep_set_median(o, "futile_wakeups", samples, "gil_futile_wakeups");
		rep_set_median(o, "switches", samples, "gil_switches");
		rep_set_median(o, "wait_max_us", samples, "gil_wait_max_us");
		rep_set_median(o, "held_frac", samples, "gil_held_frac");
		rep_set_median(o, "wait_frac", samples, "gil_wait_frac");
		rep_set_median(o, "holders_mean", samples, "gil_holders_mean");
		rep_set_median(o, "waiters_mean", samples, "gil_waiters_mean");
		rep_set_median(o, "requested_acquisitions", samples, "gil_requested_acquisitions");
		rep_set_median(o, "count", samples, "gil_count");
		json_object_set_new(metrics, "gil", o);
	}
	json_object_set_new(cell, "metrics", metrics);
	if (json_array_size(warnings))
		json_object_set_new(cell, "warnings", warnings);
	else
		json_decref(warnings);
}

/* The params that define the work done, whatever the model does with it. */
static const char *const rep_work_keys[] = {
        "tasks", "work",    "native_fraction", "io",         "io_time_s",   "io_ops",
        "burst", "think_s", "check_every",     "echo_bytes", "peer_delay_s"};

static int rep_same_work(json_t *a, json_t *b)
{
	for (size_t i = 0; i < sizeof(rep_work_keys) / sizeof(rep_work_keys[0]); i++)
		if (!json_equal(json_object_get(a, rep_work_keys[i]),
		                json_object_get(b, rep_work_keys[i])))
			return 0;
	return 1;
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
		if (rep_same_work(json_object_get(c, "params"), params))
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
