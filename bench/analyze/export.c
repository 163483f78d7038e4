/*
 * export.c - turns a gilbench result document into the files other
 * benchmark tools read (Google Benchmark JSON, Bencher Metric Format,
 * github-action-benchmark's two custom files, pyperf JSON), and the
 * `gilbench export` subcommand around it.
 *
 * It reads raw samples and recomputes what each format wants with
 * bench/stats, so an export never depends on how metrics were summarised
 * when the file was written. It does not run anything, and it does not
 * decide regressions (compare.c). The rules each consumer applies to its
 * input are in ../shared/research/harness.md section 2; the mapping is
 * described in docs/statistics.md.
 */
#include "export.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "identity.h"
#include "log.h"
#include "metrics.h"
#include "results_io.h"
#include "stats.h"
#include "status.h"

/*
 * The metrics each format carries are metrics.def's: a Bencher measure
 * where it names one (bmf), a gab series where it names one (gab, in the
 * file of its worse direction), a gbench counter with GB_METRIC_GBENCH.
 */
#define EXPORT_NMETRICS GB_METRIC_ID__COUNT /* = gb_nmetric_defs, as a constant */

static const char *const export_formats[] = {"gbench", "bmf", "gab", "pyperf"};

int gb_export_format_valid(const char *format)
{
	for (size_t i = 0; i < sizeof(export_formats) / sizeof(export_formats[0]); i++)
		if (format && strcmp(format, export_formats[i]) == 0)
			return 1;
	return 0;
}

/* ---- cell names ---------------------------------------------------------- */

/* The shortest text that reads back as the same double. */
static void export_fmt_num(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, len, "%.17g", v);
}

static int export_key_cmp(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	/* tasks and gil first: they are what a reader scans for. */
	int ra = strcmp(a, "tasks") == 0 ? 0 : strcmp(a, "gil") == 0 ? 1 : 2;
	int rb = strcmp(b, "tasks") == 0 ? 0 : strcmp(b, "gil") == 0 ? 1 : 2;

	if (ra != rb)
		return ra - rb;
	return strcmp(a, b);
}

static int export_append_value(FILE *f, json_t *v)
{
	char num[40];

	if (json_is_string(v)) {
		fputs(json_string_value(v), f);
	} else if (json_is_integer(v)) {
		fprintf(f, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		export_fmt_num(num, sizeof(num), json_real_value(v));
		fputs(num, f);
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

		if (!s)
			return -ENOMEM;
		fputs(s, f);
		free(s);
	}
	return 0;
}

char *gb_export_cell_name(json_t *cell)
{
	json_t *params = json_object_get(cell, "params"), *v;
	const char **keys = NULL, *key;
	size_t nkeys = 0, cap = json_object_size(params);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "%s/%s", json_string_value(json_object_get(cell, "model")),
	        json_string_value(json_object_get(cell, "workload")));
	if (cap) {
		keys = malloc(cap * sizeof(*keys));
		if (!keys)
			goto fail;
		json_object_foreach(params, key, v)
		{
			if (!gb_param_is_volatile(key))
				keys[nkeys++] = key;
		}
		qsort(keys, nkeys, sizeof(*keys), export_key_cmp);
	}
	for (size_t i = 0; i < nkeys; i++) {
		fprintf(f, "/%s=", keys[i]);
		if (export_append_value(f, json_object_get(params, keys[i])))
			goto fail;
	}
	free(keys);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
fail:
	free(keys);
	fclose(f);
	free(buf);
	return NULL;
}

/* ---- samples ------------------------------------------------------------- */

struct export_series {
	double *x;
	size_t n;
	struct gb_summary s;
};

/*
 * samples.<key> of cell `idx` as doubles, summarised. Absent or empty is
 * n = 0; anything but an array of numbers is malformed (one line, -EINVAL).
 */
static int export_series_get(json_t *cell, size_t idx, const char *key, struct export_series *out)
{
	json_t *arr = json_object_get(json_object_get(cell, "samples"), key), *v;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		goto malformed;
	if (json_array_size(arr) == 0)
		return 0;
	out->x = malloc(json_array_size(arr) * sizeof(*out->x));
	if (!out->x)
		return -ENOMEM;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_number(v)) {
			free(out->x);
			out->x = NULL;
			goto malformed;
		}
		out->x[i] = json_number_value(v);
	}
	out->n = json_array_size(arr);
	err = gb_stats_summarize(out->x, out->n, &out->s);
	if (err) {
		free(out->x);
		memset(out, 0, sizeof(*out));
	}
	return err;
malformed:
	gb_err("export", "results[%zu].samples.%s is not an array of numbers", idx, key);
	return -EINVAL;
}

static void export_series_free(struct export_series *s)
{
	free(s->x);
	s->x = NULL;
	s->n = 0;
}

/* A cell is exported when it ran and has wall-clock samples. */
static int export_cell_ok(json_t *cell)
{
	json_t *wall = json_object_get(json_object_get(cell, "samples"), "wall_s");

	return gb_cell_is_ok(cell) && json_is_array(wall) && json_array_size(wall) > 0;
}

/* json_object_set_new that turns a NULL value (NaN, no memory) into an error. */
static int export_set(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		return -ENOMEM;
	return json_object_set_new(obj, key, v) ? -ENOMEM : 0;
}

static json_t *export_real(double v)
{
	return isfinite(v) ? json_real(v) : NULL;
}

/* ---- gbench -------------------------------------------------------------- */

static const char *export_cache_type(const char *t)
{
	if (!t)
		return "Unified";
	if (strcmp(t, "data") == 0)
		return "Data";
	if (strcmp(t, "instruction") == 0)
		return "Instruction";
	return "Unified";
}

/*
 * Google Benchmark's context. Bencher's cpp_google refuses a file without
 * context.caches, so it is always there; num_sharing is PUs per cache
 * instance, exact on the symmetric machines hwloc reports here.
 */
static json_t *export_gb_context(json_t *ctx)
{
	json_t *out = json_object(), *caches = json_array(), *topo, *c, *v;
	const char *key;
	long long pus;
	size_t i;

	if (!out || !caches)
		goto fail;
	topo = json_object_get(ctx, "topology");
	pus = json_integer_value(json_object_get(topo, "pus"));
	json_array_foreach(json_object_get(topo, "caches"), i, c)
	{
		long long count = json_integer_value(json_object_get(c, "count"));
		json_t *e = json_pack(
		        "{s:s, s:I, s:I, s:I}", "type",
		        export_cache_type(json_string_value(json_object_get(c, "type"))), "level",
		        json_integer_value(json_object_get(c, "level")), "size",
		        (json_int_t)(json_number_value(json_object_get(c, "size_kib")) * 1024),
		        "num_sharing", (json_int_t)(count > 0 && pus > 0 ? pus / count : 0));

		if (!e || json_array_append_new(caches, e))
			goto fail;
	}
	if (json_object_set_new(out, "caches", caches))
		goto fail_caches_owned;
	caches = NULL;
	/* Every string of our context is kept, as GB's own custom context keys. */
	json_object_foreach(ctx, key, v)
	{
		if (json_is_string(v) && json_object_set(out, key, v))
			goto fail_caches_owned;
	}
	if (json_is_string(json_object_get(ctx, "host")) &&
	    json_object_set(out, "host_name", json_object_get(ctx, "host")))
		goto fail_caches_owned;
	if (pus > 0 && export_set(out, "num_cpus", json_integer(pus)))
		goto fail_caches_owned;
	if (export_set(out, "executable", json_string("gilbench")) ||
	    export_set(out, "library_version", json_string("gilbench " GB_VERSION)) ||
	    export_set(out, "json_schema_version", json_integer(1)))
		goto fail_caches_owned;
	return out;
fail:
	json_decref(caches);
fail_caches_owned:
	json_decref(out);
	return NULL;
}

/* The aggregates GB writes after the repetitions of a family. */
static int export_gb_aggregates(json_t *benchmarks, const char *name, size_t family,
                                json_int_t threads, const struct export_series *wall,
                                const struct export_series *cpu)
{
	static const char *const agg[] = {"mean", "median", "stddev", "cv"};
	char aname[1100];

	for (size_t a = 0; a < sizeof(agg) / sizeof(agg[0]); a++) {
		double rt, ct = 0;
		int is_cv = strcmp(agg[a], "cv") == 0;

		switch (a) {
		case 0:
			rt = wall->s.mean;
			ct = cpu->n ? cpu->s.mean : 0;
			break;
		case 1:
			rt = wall->s.median;
			ct = cpu->n ? cpu->s.median : 0;
			break;
		case 2:
			rt = wall->s.stddev;
			ct = cpu->n ? cpu->s.stddev : 0;
			break;
		default:
			rt = wall->s.cv;
			ct = cpu->n ? cpu->s.cv : 0;
			break;
		}
		if (!is_cv) {
			rt *= 1e3;
			ct *= 1e3;
		}
		snprintf(aname, sizeof(aname), "%s_%s", name, agg[a]);
		json_t *e = json_pack(
		        "{s:s, s:I, s:i, s:s, s:s, s:I, s:I, s:s, s:s, s:I, s:o, s:o, s:s}", "name",
		        aname, "family_index", (json_int_t)family, "per_family_instance_index", 0,
		        "run_name", name, "run_type", "aggregate", "repetitions",
		        (json_int_t)wall->n, "threads", threads, "aggregate_name", agg[a],
		        "aggregate_unit", is_cv ? "percentage" : "time", "iterations",
		        (json_int_t)wall->n, "real_time", export_real(rt), "cpu_time",
		        export_real(ct), "time_unit", "ms");

		if (!e || json_array_append_new(benchmarks, e))
			return -ENOMEM;
	}
	return 0;
}

static int export_gb_cell(json_t *benchmarks, json_t *cell, size_t idx, size_t family)
{
	struct export_series wall, cpu, counters[EXPORT_NMETRICS];
	json_int_t threads =
	        json_integer_value(json_object_get(json_object_get(cell, "params"), "tasks"));
	char *name = gb_export_cell_name(cell);
	int err;

	memset(counters, 0, sizeof(counters));
	memset(&cpu, 0, sizeof(cpu));
	if (!name)
		return -ENOMEM;
	err = export_series_get(cell, idx, "wall_s", &wall);
	if (!err)
		err = export_series_get(cell, idx, "cpu_s", &cpu);
	for (size_t m = 0; !err && m < EXPORT_NMETRICS; m++)
		if (gb_metric_defs[m].flags & GB_METRIC_GBENCH)
			err = export_series_get(cell, idx, gb_metric_defs[m].key, &counters[m]);
	if (err)
		goto out;
	if (threads < 1)
		threads = 1;

	/* One entry per repetition, all with the same name: compare.py's U test
	 * runs over the entries that share a name. */
	for (size_t r = 0; r < wall.n; r++) {
		json_t *e = json_pack(
		        "{s:s, s:I, s:i, s:s, s:s, s:I, s:I, s:I, s:i, s:o, s:o, s:s}", "name",
		        name, "family_index", (json_int_t)family, "per_family_instance_index", 0,
		        "run_name", name, "run_type", "iteration", "repetitions",
		        (json_int_t)wall.n, "repetition_index", (json_int_t)r, "threads", threads,
		        "iterations", 1, "real_time", export_real(wall.x[r] * 1e3), "cpu_time",
		        export_real(cpu.n == wall.n ? cpu.x[r] * 1e3 : 0), "time_unit", "ms");

		/* Counters go in as extra numeric fields, as user counters do. */
		for (size_t m = 0; e && m < EXPORT_NMETRICS; m++)
			if (counters[m].n == wall.n &&
			    export_set(e, gb_metric_defs[m].key, export_real(counters[m].x[r])))
				err = -ENOMEM;
		if (!e || err || json_array_append_new(benchmarks, e)) {
			err = -ENOMEM;
			goto out;
		}
	}

	err = export_gb_aggregates(benchmarks, name, family, threads, &wall, &cpu);
out:
	export_series_free(&wall);
	export_series_free(&cpu);
	for (size_t m = 0; m < EXPORT_NMETRICS; m++)
		export_series_free(&counters[m]);
	free(name);
	return err;
}

static int export_gbench(json_t *doc, json_t **out)
{
	json_t *res = json_object(), *benchmarks = json_array(), *cell;
	json_t *ctx = export_gb_context(json_object_get(doc, "context"));
	size_t i, family = 0;
	int err = -ENOMEM;

	if (!res || !benchmarks || !ctx)
		goto fail;
	json_array_foreach(json_object_get(doc, "results"), i, cell)
	{
		if (!export_cell_ok(cell))
			continue;
		err = export_gb_cell(benchmarks, cell, i, family++);
		if (err)
			goto fail;
	}
	err = -ENOMEM;
	if (json_object_set_new(res, "context", ctx)) {
		ctx = NULL;
		goto fail;
	}
	ctx = NULL;
	if (json_object_set_new(res, "benchmarks", benchmarks)) {
		benchmarks = NULL;
		goto fail;
	}
	*out = res;
	return 0;
fail:
	json_decref(ctx);
	json_decref(benchmarks);
	json_decref(res);
	return err;
}

/* ---- bmf ----------------------------------------------------------------- */

/*
 * value = median, bounds = the confidence interval of the median. BMF has
 * no field for its level: it is 95% or more from 6 repetitions, less below
 * (ci_level in the result file; docs/statistics.md).
 */
static int export_bmf(json_t *doc, json_t **out)
{
	json_t *res = json_object(), *cell;
	size_t i;
	int err = -ENOMEM;

	if (!res)
		return -ENOMEM;
	json_array_foreach(json_object_get(doc, "results"), i, cell)
	{
		json_t *bench;
		char *name;

		if (!export_cell_ok(cell))
			continue;
		name = gb_export_cell_name(cell);
		bench = json_object();
		if (!name || !bench || json_object_set_new(res, name, bench)) {
			free(name);
			err = -ENOMEM;
			goto fail;
		}
		free(name);
		for (size_t m = 0; m < EXPORT_NMETRICS; m++) {
			const struct gb_metric *em = &gb_metric_defs[m];
			struct export_series s;
			json_t *meas;

			if (!em->bmf)
				continue;
			err = export_series_get(cell, i, em->key, &s);
			if (err)
				goto fail;
			if (!s.n)
				continue;
			meas = json_pack("{s:o, s:o, s:o}", "value",
			                 export_real(s.s.median * em->bmf_scale), "lower_value",
			                 export_real(s.s.ci95_lo * em->bmf_scale), "upper_value",
			                 export_real(s.s.ci95_hi * em->bmf_scale));
			export_series_free(&s);
			if (!meas || json_object_set_new(bench, em->bmf, meas)) {
				err = -ENOMEM;
				goto fail;
			}
		}
	}
	*out = res;
	return 0;
fail:
	json_decref(res);
	return err;
}

/* ---- gab ----------------------------------------------------------------- */

/*
 * Direction is per file in github-action-benchmark, so one document per
 * direction. value = median; range = half the width of the confidence
 * interval of the median, with its real level (GAB shows it, does not use
 * it); extra = the distribution.
 */
static int export_gab(json_t *doc, int bigger, json_t **out)
{
	json_t *res = json_array(), *cell;
	size_t i;
	int err = -ENOMEM;

	if (!res)
		return -ENOMEM;
	json_array_foreach(json_object_get(doc, "results"), i, cell)
	{
		char *name;

		if (!export_cell_ok(cell))
			continue;
		name = gb_export_cell_name(cell);
		if (!name)
			goto fail;
		for (size_t m = 0; m < EXPORT_NMETRICS; m++) {
			const struct gb_metric *em = &gb_metric_defs[m];
			struct export_series s;
			char sname[1200], range[96], extra[256];
			json_t *e;

			/* Bigger is better exactly where down is worse. */
			if (!em->gab || (em->worse == GB_METRIC_WORSE_DOWN) != bigger)
				continue;
			err = export_series_get(cell, i, em->key, &s);
			if (err) {
				free(name);
				goto fail;
			}
			if (!s.n)
				continue;
			snprintf(sname, sizeof(sname), "%s - %s", name, em->gab);
			snprintf(range, sizeof(range), "± %.6g (%.4g%% ci of the median)",
			         (s.s.ci95_hi - s.s.ci95_lo) / 2, 100 * s.s.ci_level);
			snprintf(extra, sizeof(extra),
			         "n: %zu\n%.4g%% ci of median: %.6g .. %.6g\nmin: %.6g  max: %.6g\n"
			         "cv: %.2f%%%s",
			         s.n, 100 * s.s.ci_level, s.s.ci95_lo, s.s.ci95_hi, s.s.min,
			         s.s.max, 100 * s.s.cv, s.s.noisy ? " (noisy)" : "");
			e = json_pack("{s:s, s:s, s:o, s:s, s:s}", "name", sname, "unit", em->unit,
			              "value", export_real(s.s.median), "range", range, "extra",
			              extra);
			export_series_free(&s);
			if (!e || json_array_append_new(res, e)) {
				free(name);
				err = -ENOMEM;
				goto fail;
			}
		}
		free(name);
	}
	*out = res;
	return 0;
fail:
	json_decref(res);
	return err;
}

/* out.json -> out-smaller.json; the extension is looked for in the last
 * component only, and a leading dot is not an extension. */
static char *export_gab_path(const char *path, const char *suffix)
{
	const char *base = strrchr(path, '/'), *dot;
	char *res;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = path + strlen(path);
	if (asprintf(&res, "%.*s-%s%s", (int)(dot - path), path, suffix, dot) < 0)
		return NULL;
	return res;
}

/* ---- pyperf -------------------------------------------------------------- */

/* pyperf metadata values: int, float or a non-empty one-line string. */
static int export_pyperf_meta(json_t *meta, const char *key, json_t *v)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (!s[strspn(s, " \t")] || strpbrk(s, "\r\n"))
			return 0;
	} else if (!json_is_number(v)) {
		return 0;
	}
	return json_object_set(meta, key, v) ? -ENOMEM : 0;
}

/*
 * One benchmark per cell and one pyperf run per repetition: the runner
 * forks a fresh child for every repetition, as pyperf spawns a worker
 * process per run. Each object is attached before it is filled: one owner,
 * one decref.
 */
static int export_pyperf_cell(json_t *benchmarks, json_t *cell, size_t idx)
{
	struct export_series wall;
	json_t *bench, *bmeta, *runs, *v;
	const char *key;
	char *name = NULL;
	int err;

	err = export_series_get(cell, idx, "wall_s", &wall);
	if (err)
		return err;
	/* pyperf rejects a benchmark whose values are not all > 0. */
	if (wall.s.min <= 0) {
		gb_warn("export", "results[%zu]: a wall_s sample is not > 0; left out of pyperf",
		        idx);
		goto out;
	}
	err = -ENOMEM;
	name = gb_export_cell_name(cell);
	bench = json_object();
	if (!name || json_array_append_new(benchmarks, bench))
		goto out;
	bmeta = json_object();
	if (export_set(bench, "metadata", bmeta) || export_set(bmeta, "name", json_string(name)))
		goto out;
	runs = json_array();
	if (export_set(bench, "runs", runs))
		goto out;
	for (size_t r = 0; r < wall.n; r++)
		if (json_array_append_new(runs, json_pack("{s:[f]}", "values", wall.x[r])))
			goto out;
	json_object_foreach(json_object_get(cell, "params"), key, v)
	{
		char mkey[128];

		snprintf(mkey, sizeof(mkey), "param_%s", key);
		if (export_pyperf_meta(bmeta, mkey, v))
			goto out;
	}
	err = 0;
out:
	free(name);
	export_series_free(&wall);
	return err;
}

static int export_pyperf(json_t *doc, json_t **out)
{
	json_t *ctx = json_object_get(doc, "context"), *cell;
	json_t *res = json_object(), *meta = json_object(), *benchmarks = json_array();
	const char *date = json_string_value(json_object_get(ctx, "date"));
	long long pus =
	        json_integer_value(json_object_get(json_object_get(ctx, "topology"), "pus"));
	size_t i;
	int err = -ENOMEM;

	if (!res || !meta || !benchmarks)
		goto fail;
	if (export_set(meta, "unit", json_string("second")) ||
	    export_set(meta, "loops", json_integer(1)) ||
	    export_pyperf_meta(meta, "hostname", json_object_get(ctx, "host")) ||
	    export_pyperf_meta(meta, "cpu_model_name", json_object_get(ctx, "cpu_model")) ||
	    export_pyperf_meta(meta, "gilbench_version",
	                       json_object_get(ctx, "gilbench_version")) ||
	    export_pyperf_meta(meta, "git_sha", json_object_get(ctx, "git_sha")) ||
	    export_pyperf_meta(meta, "kernel", json_object_get(ctx, "kernel")) ||
	    export_pyperf_meta(meta, "compiler", json_object_get(ctx, "compiler")))
		goto fail;
	if (pus > 0 && export_set(meta, "cpu_count", json_integer(pus)))
		goto fail;
	/* pyperf parses dates with datetime.fromisoformat: "YYYY-MM-DD HH:MM:SS". */
	if (date && strlen(date) >= 19 && date[10] == 'T') {
		char d[20];

		memcpy(d, date, 19);
		d[19] = '\0';
		d[10] = ' ';
		if (export_set(meta, "date", json_string(d)))
			goto fail;
	}

	json_array_foreach(json_object_get(doc, "results"), i, cell)
	{
		if (!export_cell_ok(cell))
			continue;
		err = export_pyperf_cell(benchmarks, cell, i);
		if (err)
			goto fail;
	}
	err = -ENODATA;
	if (json_array_size(benchmarks) == 0)
		goto fail;
	err = -ENOMEM;
	if (export_set(res, "version", json_string("1.0")))
		goto fail;
	if (json_object_set_new(res, "metadata", meta)) {
		meta = NULL;
		goto fail;
	}
	meta = NULL;
	if (json_object_set_new(res, "benchmarks", benchmarks)) {
		benchmarks = NULL;
		goto fail;
	}
	*out = res;
	return 0;
fail:
	json_decref(benchmarks);
	json_decref(meta);
	json_decref(res);
	return err;
}

/* ---- entry points -------------------------------------------------------- */

/* What gb_export_write refuses before converting anything (one line each). */
static int export_check(json_t *results_doc, const char *format, const char *path)
{
	size_t i, exportable = 0;
	json_t *cell;

	if (!gb_export_format_valid(format)) {
		gb_err("export", "unknown format '%s' (gbench, bmf, gab, pyperf)",
		       format ? format : "");
		return -EINVAL;
	}
	if (!json_is_array(json_object_get(results_doc, "results"))) {
		gb_err("export", "not a result document: no results array");
		return -EINVAL;
	}
	json_array_foreach(json_object_get(results_doc, "results"), i, cell)
	{
		if (!json_is_string(json_object_get(cell, "status")) ||
		    !json_is_string(json_object_get(cell, "model")) ||
		    !json_is_string(json_object_get(cell, "workload"))) {
			gb_err("export", "results[%zu] lacks model, workload or status", i);
			return -EINVAL;
		}
		exportable += export_cell_ok(cell);
	}
	if (!exportable) {
		gb_err("export", "nothing to export: no cell ran with wall_s samples");
		return -ENODATA;
	}
	if (strcmp(format, "gab") == 0 && strcmp(path, "-") == 0) {
		gb_err("export",
		       "gab writes two files (smaller and bigger is better): give -o PATH");
		return -EINVAL;
	}
	return 0;
}

int gb_export_write(json_t *results_doc, const char *format, const char *path)
{
	json_t *doc = NULL, *doc2 = NULL, *merged = NULL;
	char *p1 = NULL, *p2 = NULL;
	size_t nmerged;
	int err = export_check(results_doc, format, path);

	if (err)
		return err;
	/*
	 * One benchmark per name: pyperf refuses two of one name, BMF keys
	 * collide, gbench would number repetitions twice. A cell that several
	 * sweeps ran is exported once with all its samples.
	 */
	merged = json_deep_copy(results_doc);
	if (!merged || gb_results_merge_duplicates(merged, &nmerged)) {
		gb_err("export", "out of memory");
		json_decref(merged);
		return -ENOMEM;
	}
	if (nmerged)
		gb_warn("export",
		        "%zu cell%s repeated a cell of the same file; their samples are merged",
		        nmerged, nmerged == 1 ? "" : "s");
	results_doc = merged;

	if (strcmp(format, "gbench") == 0)
		err = export_gbench(results_doc, &doc);
	else if (strcmp(format, "bmf") == 0)
		err = export_bmf(results_doc, &doc);
	else if (strcmp(format, "pyperf") == 0)
		err = export_pyperf(results_doc, &doc);
	else {
		err = export_gab(results_doc, 0, &doc);
		if (!err)
			err = export_gab(results_doc, 1, &doc2);
	}
	if (err == -ENOMEM)
		gb_err("export", "%s: out of memory", format);
	else if (err == -ENODATA)
		gb_err("export", "%s: no cell can be represented", format);
	if (err)
		goto out;

	if (!doc2) {
		err = gb_json_write_atomic(path, doc);
		goto out;
	}
	p1 = export_gab_path(path, "smaller");
	p2 = export_gab_path(path, "bigger");
	if (!p1 || !p2) {
		gb_err("export", "out of memory");
		err = -ENOMEM;
		goto out;
	}
	err = gb_json_write_atomic(p1, doc);
	if (!err)
		err = gb_json_write_atomic(p2, doc2);
out:
	free(p1);
	free(p2);
	json_decref(doc);
	json_decref(doc2);
	json_decref(merged);
	return err;
}

static void export_usage(FILE *f)
{
	fprintf(f, "usage: gilbench export RESULTS.json --format FORMAT [-o FILE]\n"
	           "\n"
	           "Converts a gilbench result file for other benchmark tools.\n"
	           "\n"
	           "  -f, --format FORMAT  gbench  Google Benchmark JSON (compare.py, Bencher "
	           "cpp_google)\n"
	           "                       bmf     Bencher Metric Format (bencher run --adapter "
	           "json)\n"
	           "                       gab     github-action-benchmark custom tools: writes\n"
	           "                               FILE-smaller.EXT (customSmallerIsBetter) and\n"
	           "                               FILE-bigger.EXT (customBiggerIsBetter)\n"
	           "                       pyperf  pyperf JSON (pyperf stats, hist, compare_to)\n"
	           "  -o, --output FILE    where to write (default: stdout; gab needs a file)\n"
	           "  -h, --help           this text\n");
}

int gb_cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"format", required_argument, NULL, 'f'},
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *format = NULL, *output = "-", *input = NULL;
	json_t *doc;
	int c, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			export_usage(stdout);
			return 0;
		default:
			if (optopt && strchr("fo", optopt))
				gb_err("export", "option '%s' needs a value", argv[optind - 1]);
			else
				gb_err("export",
				       "unknown option '%s' (try 'gilbench export --help')",
				       argv[optind - 1]);
			return 1;
		}
	}
	if (optind != argc - 1) {
		gb_err("export", optind >= argc ? "no result file given (try --help)"
		                                : "exactly one result file expected");
		return 1;
	}
	input = argv[optind];
	if (!format) {
		gb_err("export", "--format is required: gbench, bmf, gab or pyperf");
		return 1;
	}
	if (!gb_export_format_valid(format)) {
		gb_err("export", "unknown format '%s' (gbench, bmf, gab, pyperf)", format);
		return 1;
	}
	if (gb_results_load(input, &doc))
		return 1;
	err = gb_export_write(doc, format, output);
	json_decref(doc);
	return err ? 1 : 0;
}
