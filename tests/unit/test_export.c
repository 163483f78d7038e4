/*
 * test_export.c - every exporter's output checked against the rules its
 * consumer applies when reading it (../shared/research/harness.md §2):
 * compare.py and Bencher's cpp_google for gbench, Bencher's BMF schema,
 * github-action-benchmark's zod schema and one-direction-per-file for gab,
 * pyperf's loader (_bench.py, _metadata.py) for pyperf.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "export.h"
#include "metrics.h"
#include "stats.h"
#include "tap.h"

static const char *doc_text =
        "{\"schema_version\": 1,"
        " \"context\": {\"date\": \"2026-11-25T06:40:00Z\", \"host\": \"h\","
        "   \"cpu_model\": \"Test CPU\", \"kernel\": \"6.1.0\", \"compiler\": \"GNU 12.2.0\","
        "   \"git_sha\": \"abc123\", \"gilbench_version\": \"0.1.0\", \"hwloc_version\": \"2.9.0\","
        "   \"command\": \"\","
        "   \"topology\": {\"packages\": 1, \"cores\": 2, \"pus\": 4, \"numa_nodes\": 1,"
        "     \"caches\": [{\"level\": 1, \"type\": \"data\", \"size_kib\": 32, \"count\": 2},"
        "                {\"level\": 1, \"type\": \"instruction\", \"size_kib\": 32, \"count\": 2},"
        "                {\"level\": 3, \"type\": \"unified\", \"size_kib\": 8192, \"count\": "
        "1}]}},"
        " \"results\": ["
        "  {\"model\": \"threads\", \"workload\": \"cpu\", \"status\": \"ok\","
        "   \"params\": {\"tasks\": 2, \"gil\": \"new\", \"switch_interval_s\": 0.005,"
        "     \"placement\": \"compact\", \"cpus\": \"0-1\", \"bound_cpus\": [\"0\", \"1\"],"
        "     \"reps\": 5, \"warmup\": 1, \"native_fraction\": 0.0},"
        "   \"samples\": {\"wall_s\": [0.50, 0.52, 0.49, 0.51, 0.55],"
        "     \"cpu_s\": [0.99, 1.01, 0.97, 1.00, 1.05],"
        "     \"ops_per_s\": [200, 190, 205, 198, 180], \"speedup\": [1.9, 1.8, 1.95, 1.85, 1.7],"
        "     \"gil_wait_frac\": [0.4, 0.41, 0.39, 0.4, 0.42],"
        "     \"gil_held_frac\": [0.9, 0.91, 0.9, 0.89, 0.9],"
        "     \"gil_acquisitions\": [1000, 1010, 990, 1005, 1020],"
        "     \"gil_forced_switches\": [100, 101, 99, 100, 102]}},"
        "  {\"model\": \"asyncio\", \"workload\": \"background\", \"status\": \"ok\","
        "   \"params\": {\"tasks\": 3, \"gil\": \"none\", \"think_s\": 0.001},"
        "   \"samples\": {\"wall_s\": [0.2, 0.21, 0.19],"
        "     \"latency_p50_us\": [50, 52, 49], \"latency_p99_us\": [400, 420, 390]}},"
        "  {\"model\": \"processes\", \"workload\": \"cpu\", \"status\": \"failed\","
        "   \"error\": \"child killed by SIGSEGV\", \"params\": {\"tasks\": 2}, \"samples\": {}},"
        "  {\"model\": \"greenlets\", \"workload\": \"io\", \"status\": \"skipped\","
        "   \"error\": \"not built\", \"params\": {\"tasks\": 2}}"
        " ]}";

static char tmpdir[64];
/* tap.h evaluates its arguments twice: results go through here first. */
static int rc;

static json_t *load_out(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return json_load_file(path, 0, NULL);
}

static int write_fmt(json_t *doc, const char *fmt, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return gb_export_write(doc, fmt, path);
}

static int is_time_unit(const char *u)
{
	return u && (!strcmp(u, "ns") || !strcmp(u, "us") || !strcmp(u, "ms") || !strcmp(u, "s"));
}

static void test_names(json_t *doc)
{
	json_t *cell = json_array_get(json_object_get(doc, "results"), 0);
	char *name = gb_export_cell_name(cell), *name2;

	ok(name && strcmp(name, "threads/cpu/tasks=2/gil=new/cpus=0-1/native_fraction=0/"
	                        "placement=compact/switch_interval_s=0.005") == 0,
	   "cell name: model/workload, tasks and gil first, then sorted (%s)",
	   name ? name : "NULL");
	ok(name && !strstr(name, "bound_cpus") && !strstr(name, "reps") && !strstr(name, "warmup"),
	   "volatile params are not in the name");
	json_object_set_new(json_object_get(cell, "params"), "reps", json_integer(50));
	json_object_set_new(json_object_get(cell, "params"), "bound_cpus", json_pack("[s]", "3"));
	name2 = gb_export_cell_name(cell);
	ok(name && name2 && strcmp(name, name2) == 0, "name stable when volatile params change");
	json_object_set_new(json_object_get(cell, "params"), "reps", json_integer(5));
	free(name);
	free(name2);

	ok(gb_export_format_valid("gbench") && gb_export_format_valid("bmf") &&
	           gb_export_format_valid("gab") && gb_export_format_valid("pyperf"),
	   "the four formats are valid");
	ok(!gb_export_format_valid("csv") && !gb_export_format_valid("") &&
	           !gb_export_format_valid(NULL),
	   "others are not");
}

/* compare.py partitions by name; Bencher cpp_google needs context.caches,
 * and name + real_time + time_unit on every entry. */
static void test_gbench(json_t *doc)
{
	json_t *out, *ctx, *caches, *b, *e;
	const double wall[] = {0.50, 0.52, 0.49, 0.51, 0.55};
	size_t i, iters = 0, bad = 0, aggs = 0;
	unsigned seen_rep = 0;
	char *name = gb_export_cell_name(json_array_get(json_object_get(doc, "results"), 0));

	rc = write_fmt(doc, "gbench", "gb.json");
	is_int(rc, 0, "gbench written");
	out = load_out("gb.json");
	ok(json_is_object(out), "gbench: valid JSON object");
	ctx = json_object_get(out, "context");
	caches = json_object_get(ctx, "caches");
	ok(json_is_array(caches) && json_array_size(caches) == 3, "context.caches: 3 entries");
	e = json_array_get(caches, 0);
	ok(!strcmp(json_string_value(json_object_get(e, "type")), "Data") &&
	           json_integer_value(json_object_get(e, "level")) == 1 &&
	           json_integer_value(json_object_get(e, "size")) == 32 * 1024 &&
	           json_integer_value(json_object_get(e, "num_sharing")) == 2,
	   "L1d cache in GB's shape: Data, level 1, bytes, 4 PUs / 2 caches");
	e = json_array_get(caches, 2);
	ok(!strcmp(json_string_value(json_object_get(e, "type")), "Unified") &&
	           json_integer_value(json_object_get(e, "num_sharing")) == 4,
	   "L3 unified, shared by 4");
	ok(json_integer_value(json_object_get(ctx, "num_cpus")) == 4, "num_cpus from topology");

	b = json_object_get(out, "benchmarks");
	ok(json_is_array(b) && json_array_size(b) > 0, "benchmarks array");
	json_array_foreach(b, i, e)
	{
		const char *n = json_string_value(json_object_get(e, "name"));

		if (!n || !json_is_number(json_object_get(e, "real_time")) ||
		    !json_is_number(json_object_get(e, "cpu_time")) ||
		    !is_time_unit(json_string_value(json_object_get(e, "time_unit"))))
			bad++;
		if (n && (!strncmp(n, "processes/", 10) || !strncmp(n, "greenlets/", 10)))
			bad++;
		if (n && name && !strcmp(n, name)) {
			json_int_t r = json_integer_value(json_object_get(e, "repetition_index"));

			iters++;
			if (strcmp(json_string_value(json_object_get(e, "run_type")),
			           "iteration") ||
			    strcmp(json_string_value(json_object_get(e, "run_name")), name) ||
			    r < 0 || r >= 5 ||
			    fabs(json_number_value(json_object_get(e, "real_time")) -
			         wall[r] * 1e3) > 1e-9 ||
			    json_integer_value(json_object_get(e, "threads")) != 2 ||
			    !json_is_number(json_object_get(e, "gil_acquisitions")))
				bad++;
			else
				seen_rep |= 1u << r;
		}
		if (!strcmp(json_string_value(json_object_get(e, "run_type")), "aggregate")) {
			const char *an = json_string_value(json_object_get(e, "aggregate_name"));
			char want[512];

			aggs++;
			snprintf(want, sizeof(want), "%s_%s",
			         json_string_value(json_object_get(e, "run_name")), an ? an : "?");
			if (!an || strcmp(n, want) || json_object_get(e, "repetition_index"))
				bad++;
			if (an && !strcmp(an, "median") && name &&
			    !strcmp(json_string_value(json_object_get(e, "run_name")), name) &&
			    fabs(json_number_value(json_object_get(e, "real_time")) -
			         gb_stats_median(wall, 5) * 1e3) > 1e-9)
				bad++;
			if (an && !strcmp(an, "cv") &&
			    strcmp(json_string_value(json_object_get(e, "aggregate_unit")),
			           "percentage"))
				bad++;
		}
	}
	is_int(bad, 0, "every entry: name, real_time, cpu_time, time unit; no failed cell");
	is_int(iters, 5, "5 repetitions share the cell's name");
	is_int(seen_rep, 0x1f, "repetition_index 0..4");
	is_int(aggs, 8, "mean, median, stddev, cv for each of the 2 cells");
	json_decref(out);
	free(name);
}

static int is_slug(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

/* BMF: {benchmark: {measure: {value, lower_value?, upper_value?}}}. */
static void test_bmf(json_t *doc)
{
	json_t *out, *bench, *meas, *m;
	const char *bname, *mname;
	size_t bad = 0;
	char *name = gb_export_cell_name(json_array_get(json_object_get(doc, "results"), 0));
	const double wall[] = {0.50, 0.52, 0.49, 0.51, 0.55};

	rc = write_fmt(doc, "bmf", "bmf.json");
	is_int(rc, 0, "bmf written");
	out = load_out("bmf.json");
	ok(json_is_object(out) && json_object_size(out) == 2, "bmf: one benchmark per ok cell");
	json_object_foreach(out, bname, bench)
	{
		if (strlen(bname) > 1024 || !json_is_object(bench))
			bad++;
		json_object_foreach(bench, mname, meas)
		{
			double v = json_number_value(json_object_get(meas, "value"));
			json_t *lo = json_object_get(meas, "lower_value");
			json_t *hi = json_object_get(meas, "upper_value");

			if (!is_slug(mname) || !json_is_number(json_object_get(meas, "value")) ||
			    (lo && (!json_is_number(lo) || json_number_value(lo) > v)) ||
			    (hi && (!json_is_number(hi) || json_number_value(hi) < v)))
				bad++;
		}
	}
	is_int(bad, 0, "names <= 1024, measure slugs <= 64 chars, lower <= value <= upper");
	bench = json_object_get(out, name);
	m = json_object_get(bench, "latency");
	is_dbl(json_number_value(json_object_get(m, "value")), gb_stats_median(wall, 5) * 1e9, 1e-3,
	       "latency is the median wall time in ns");
	ok(json_object_get(bench, "throughput") && json_object_get(bench, "gil-wait-frac") &&
	           json_object_get(bench, "gil-held-frac") &&
	           json_object_get(bench, "gil-acquisitions") &&
	           json_object_get(bench, "gil-forced-switches"),
	   "throughput and the GIL measures are there");
	ok(json_object_get(
	           json_object_get(out, "asyncio/background/tasks=3/gil=none/think_s=0.001"),
	           "request-latency-p99-us") != NULL,
	   "foreground p99 latency of the background workload");
	json_decref(out);
	free(name);
}

/* github-action-benchmark: an array of {name, value, unit, range?, extra?},
 * one direction per file. */
static size_t gab_check(json_t *arr, const char *must_have)
{
	json_t *e;
	size_t i, bad = 0, found = 0;

	if (!json_is_array(arr))
		return 1000;
	json_array_foreach(arr, i, e)
	{
		const char *n = json_string_value(json_object_get(e, "name"));
		json_t *r = json_object_get(e, "range"), *x = json_object_get(e, "extra");

		if (!n || !json_is_number(json_object_get(e, "value")) ||
		    !json_is_string(json_object_get(e, "unit")) || (r && !json_is_string(r)) ||
		    (x && !json_is_string(x)))
			bad++;
		for (size_t j = 0; n && j < i; j++)
			if (!strcmp(n, json_string_value(
			                       json_object_get(json_array_get(arr, j), "name"))))
				bad++;
		if (n && strstr(n, must_have))
			found++;
	}
	return bad + (found ? 0 : 100);
}

static void test_gab(json_t *doc)
{
	json_t *small, *big, *e, *wall = NULL;
	size_t i, overlap = 0;
	char *name = gb_export_cell_name(json_array_get(json_object_get(doc, "results"), 0));
	char want[512];

	rc = gb_export_write(doc, "gab", "-");
	is_int(rc, -EINVAL, "gab to stdout is refused");
	rc = write_fmt(doc, "gab", "gab.json");
	is_int(rc, 0, "gab written");
	small = load_out("gab-smaller.json");
	big = load_out("gab-bigger.json");
	is_int(gab_check(small, " - wall"), 0, "smaller-is-better file: valid entries, has wall");
	is_int(gab_check(big, " - ops/s"), 0, "bigger-is-better file: valid entries, has ops/s");
	json_array_foreach(small, i, e)
	{
		const char *n = json_string_value(json_object_get(e, "name"));

		if (strstr(n, " - ops/s") || strstr(n, " - speedup"))
			overlap++;
	}
	json_array_foreach(big, i, e)
	{
		const char *n = json_string_value(json_object_get(e, "name"));

		if (strstr(n, " - wall") || strstr(n, " - cpu") || strstr(n, " - latency"))
			overlap++;
	}
	is_int(overlap, 0, "each metric in the file of its direction only");
	snprintf(want, sizeof(want), "%s - wall", name ? name : "?");
	json_array_foreach(small, i, e)
	{
		if (!strcmp(json_string_value(json_object_get(e, "name")), want))
			wall = e;
	}
	is_dbl(json_number_value(json_object_get(wall, "value")), 0.51, 1e-12,
	       "wall value = median");
	/* 5 samples: [min, max] covers the median 93.75% of the time, not 95% */
	ok(wall && strstr(json_string_value(json_object_get(wall, "range")), "(93.75% ci") &&
	           strstr(json_string_value(json_object_get(wall, "extra")),
	                  "93.75% ci of median: 0.49 .. 0.55"),
	   "range and extra give the interval's real level (%s)",
	   wall ? json_string_value(json_object_get(wall, "range")) : "none");
	json_decref(small);
	json_decref(big);

	rc = write_fmt(doc, "gab", "noext");
	is_int(rc, 0, "gab to a path without extension");
	small = load_out("noext-smaller");
	big = load_out("noext-bigger");
	ok(small && big, "noext-smaller and noext-bigger");
	json_decref(small);
	json_decref(big);
	free(name);
}

/* pyperf's loader: version "1.0", a name per benchmark, values > 0,
 * metadata values int/float/non-empty one-line str, unit in its set. */
static size_t pyperf_meta_bad(json_t *meta)
{
	const char *key;
	json_t *v;
	size_t bad = 0;

	json_object_foreach(meta, key, v)
	{
		if (json_is_string(v)) {
			const char *s = json_string_value(v);

			if (!*s || strpbrk(s, "\r\n"))
				bad++;
		} else if (!json_is_number(v)) {
			bad++;
		}
		if (!strcmp(key, "unit") &&
		    (!json_is_string(v) || (strcmp(json_string_value(v), "second") &&
		                            strcmp(json_string_value(v), "byte") &&
		                            strcmp(json_string_value(v), "integer"))))
			bad++;
		if (!strcmp(key, "loops") && (!json_is_integer(v) || json_integer_value(v) < 1))
			bad++;
		if (!strcmp(key, "date") &&
		    (!json_is_string(v) || strlen(json_string_value(v)) != 19 ||
		     json_string_value(v)[10] != ' '))
			bad++;
	}
	return bad;
}

static void test_pyperf(json_t *doc)
{
	const double wall[] = {0.50, 0.52, 0.49, 0.51, 0.55};
	json_t *out, *b, *bench, *runs, *run, *v;
	size_t i, j, k, bad = 0;

	rc = write_fmt(doc, "pyperf", "pp.json");
	is_int(rc, 0, "pyperf written");
	out = load_out("pp.json");
	ok(!strcmp(json_string_value(json_object_get(out, "version")), "1.0"), "version \"1.0\"");
	is_int(pyperf_meta_bad(json_object_get(out, "metadata")), 0,
	       "suite metadata passes pyperf's checks (empty command left out)");
	ok(!strcmp(json_string_value(json_object_get(json_object_get(out, "metadata"), "unit")),
	           "second"),
	   "unit second");
	b = json_object_get(out, "benchmarks");
	is_int(json_array_size(b), 2, "one benchmark per ok cell");
	json_array_foreach(b, i, bench)
	{
		const char *n = json_string_value(
		        json_object_get(json_object_get(bench, "metadata"), "name"));

		bad += pyperf_meta_bad(json_object_get(bench, "metadata"));
		if (!n || !*n)
			bad++;
		for (j = 0; n && j < i; j++)
			if (!strcmp(n, json_string_value(json_object_get(
			                       json_object_get(json_array_get(b, j), "metadata"),
			                       "name"))))
				bad++;
		runs = json_object_get(bench, "runs");
		if (!json_array_size(runs))
			bad++;
		json_array_foreach(runs, j, run)
		{
			if (!json_array_size(json_object_get(run, "values")))
				bad++;
			json_array_foreach(json_object_get(run, "values"), k,
			                   v) if (!json_is_number(v) || !(json_number_value(v) > 0))
			        bad++;
		}
	}
	is_int(bad, 0, "every benchmark named, unique, with runs of values > 0");
	/* one run per repetition (the runner forks each), values in order */
	runs = json_object_get(json_array_get(b, 0), "runs");
	bad = json_array_size(runs) != 5;
	json_array_foreach(runs, j, run)
	{
		v = json_object_get(run, "values");
		if (json_array_size(v) != 1 || json_number_value(json_array_get(v, 0)) != wall[j])
			bad++;
	}
	is_int(bad, 0, "5 runs of one raw wall sample each, in order");
	json_decref(out);

	/* pyperf rejects values <= 0: such a cell is left out, not written. */
	json_t *copy = json_deep_copy(doc);
	json_array_set_new(
	        json_object_get(json_object_get(json_array_get(json_object_get(copy, "results"), 1),
	                                        "samples"),
	                        "wall_s"),
	        0, json_real(0));
	rc = write_fmt(copy, "pyperf", "pp0.json");
	is_int(rc, 0, "pyperf with a zero sample");
	out = load_out("pp0.json");
	is_int(json_array_size(json_object_get(out, "benchmarks")), 1, "zero-sample cell left out");
	json_decref(out);
	json_decref(copy);
}

/*
 * A file where sweeps ran the same cell twice (threads/cpu: 5 + 3 samples,
 * other bound_cpus and reps) and once more failed: every format has one
 * benchmark for it, with all 8 samples.
 */
static void test_duplicates(json_t *doc)
{
	json_t *dup = json_deep_copy(doc), *results = json_object_get(dup, "results");
	json_t *again = json_deep_copy(json_array_get(results, 0)), *failed, *out, *e;
	char *name = gb_export_cell_name(json_array_get(results, 0));
	const char *bname;
	size_t i, iters = 0, bad = 0, same = 0;
	unsigned seen = 0;

	json_object_set_new(json_object_get(again, "params"), "bound_cpus", json_pack("[s]", "1"));
	json_object_set_new(json_object_get(again, "params"), "reps", json_integer(3));
	json_object_set_new(json_object_get(again, "samples"), "wall_s",
	                    json_pack("[f,f,f]", 0.6, 0.61, 0.62));
	json_object_set_new(json_object_get(again, "samples"), "cpu_s",
	                    json_pack("[f,f,f]", 1.2, 1.21, 1.22));
	json_object_del(json_object_get(again, "samples"), "ops_per_s");
	json_object_del(json_object_get(again, "samples"), "speedup");
	json_object_del(json_object_get(again, "samples"), "gil_wait_frac");
	json_object_del(json_object_get(again, "samples"), "gil_held_frac");
	json_object_del(json_object_get(again, "samples"), "gil_acquisitions");
	json_object_del(json_object_get(again, "samples"), "gil_forced_switches");
	failed = json_deep_copy(again);
	json_object_set_new(failed, "status", json_string("failed"));
	json_object_set_new(failed, "error", json_string("crashed"));
	json_array_append_new(results, again);
	json_array_append_new(results, failed);

	rc = write_fmt(dup, "gbench", "dgb.json");
	is_int(rc, 0, "gbench of a file with a repeated cell");
	out = load_out("dgb.json");
	json_array_foreach(json_object_get(out, "benchmarks"), i, e)
	{
		const char *rt = json_string_value(json_object_get(e, "run_type"));

		if (strcmp(json_string_value(json_object_get(e, "name")), name) ||
		    strcmp(rt, "iteration"))
			continue;
		iters++;
		json_int_t r = json_integer_value(json_object_get(e, "repetition_index"));
		if (r < 0 || r >= 8 || (seen & (1u << r)) ||
		    json_integer_value(json_object_get(e, "repetitions")) != 8)
			bad++;
		else
			seen |= 1u << r;
	}
	ok(iters == 8 && !bad && seen == 0xff,
	   "gbench: one family, repetitions 8, repetition_index 0..7 once each (%zu, %zu bad)",
	   iters, bad);
	json_decref(out);

	rc = write_fmt(dup, "bmf", "dbmf.json");
	out = load_out("dbmf.json");
	ok(rc == 0 && json_object_size(out) == 2, "bmf: one benchmark per cell, merged");
	json_object_foreach(out, bname, e) same += !strcmp(bname, name);
	/* median of 0.49 0.50 0.51 0.52 0.55 0.60 0.61 0.62 = 0.535 */
	is_dbl(json_number_value(json_object_get(
	               json_object_get(json_object_get(out, name), "latency"), "value")),
	       0.535e9, 1, "bmf: latency is the median of all 8 samples");
	json_decref(out);

	rc = write_fmt(dup, "pyperf", "dpp.json");
	out = load_out("dpp.json");
	same = 0;
	json_array_foreach(json_object_get(out, "benchmarks"), i, e)
	{
		if (!strcmp(json_string_value(
		                    json_object_get(json_object_get(e, "metadata"), "name")),
		            name)) {
			same++;
			iters = json_array_size(json_object_get(e, "runs"));
		}
	}
	ok(rc == 0 && same == 1 && iters == 8,
	   "pyperf: the name once (pyperf's loader refuses two), with 8 runs");
	json_decref(out);

	rc = write_fmt(dup, "gab", "dgab.json");
	out = load_out("dgab-smaller.json");
	is_int(gab_check(out, " - wall"), 0, "gab: names unique after the merge");
	json_decref(out);
	out = load_out("dgab-bigger.json");
	json_decref(out);
	json_decref(dup);
	free(name);
}

static void test_errors(json_t *doc)
{
	json_t *failed = json_deep_copy(doc), *bad = json_deep_copy(doc);
	json_t *results = json_object_get(failed, "results");
	const char *fmts[] = {"gbench", "bmf", "gab", "pyperf"};

	json_array_remove(results, 0);
	json_array_remove(results, 0);
	for (size_t i = 0; i < 4; i++) {
		char msg[64];

		snprintf(msg, sizeof(msg), "%s: only failed cells is -ENODATA", fmts[i]);
		rc = write_fmt(failed, fmts[i], "none.json");
		is_int(rc, -ENODATA, msg);
	}
	char none[256];
	snprintf(none, sizeof(none), "%s/none.json", tmpdir);
	ok(access(none, F_OK) != 0, "nothing written");
	json_array_set_new(
	        json_object_get(json_object_get(json_array_get(json_object_get(bad, "results"), 0),
	                                        "samples"),
	                        "cpu_s"),
	        1, json_string("fast"));
	rc = write_fmt(bad, "gbench", "bad.json");
	is_int(rc, -EINVAL, "a string among samples is -EINVAL");
	rc = write_fmt(doc, "csv", "x.csv");
	is_int(rc, -EINVAL, "unknown format is -EINVAL");
	json_decref(failed);
	json_decref(bad);
}

/*
 * metrics.def, the exporters' table since it replaced export.c's own: a
 * series in a gab file needs a direction, a Bencher measure a name short
 * enough, and the rows list --json hands scripts/cpython are all there.
 */
static void test_metrics_def(void)
{
	json_t *arr = gb_metrics_json(), *e;
	size_t i, bad = 0, nbmf = 0, ngab = 0;

	for (i = 0; i < gb_nmetric_defs; i++) {
		const struct gb_metric *m = &gb_metric_defs[i];

		nbmf += m->bmf != NULL;
		ngab += m->gab != NULL;
		if ((m->gab || m->bmf || m->compared) && m->worse == GB_METRIC_WORSE_NONE)
			bad++;
		if (m->bmf && strlen(m->bmf) > 64)
			bad++;
	}
	is_int(bad, 0, "every exported or compared metric has a worse direction, BMF names fit");
	is_int(nbmf, 20, "20 Bencher measures");
	is_int(ngab, 11, "11 gab series");
	for (unsigned c = 1; c <= GB_METRIC_NCOLUMNS; c++) {
		char path[128];
		const struct gb_metric *m = gb_metric_column(c);

		ok(m && m->col_head && gb_metric_value_path(m, path, sizeof(path)) == 0,
		   "report column %u: a metric with a heading and a value (%s)", c,
		   m ? m->key : "none");
	}
	ok(!gb_metric_column(GB_METRIC_NCOLUMNS + 1), "no report column past the last");
	is_int(json_array_size(arr), gb_nmetric_defs, "list --json: every metric");
	json_array_foreach(arr, i, e)
	{
		const char *key = json_string_value(json_object_get(e, "key"));
		if (key && strcmp(key, "speedup") == 0)
			ok(strcmp(json_string_value(json_object_get(e, "worse")), "down") == 0,
			   "list --json: speedup, down is worse");
		if (key && strcmp(key, "yields") == 0)
			ok(json_is_null(json_object_get(e, "worse")) &&
			           json_is_null(json_object_get(e, "path")),
			   "list --json: yields, no direction, not in metrics (null)");
	}
	json_decref(arr);
}

int main(void)
{
	json_error_t jerr;
	json_t *doc = json_loads(doc_text, 0, &jerr);
	const char *files[] = {"gb.json",         "bmf.json",      "gab-smaller.json",
	                       "gab-bigger.json", "noext-smaller", "noext-bigger",
	                       "pp.json",         "pp0.json",      "dgb.json",
	                       "dbmf.json",       "dpp.json",      "dgab-smaller.json",
	                       "dgab-bigger.json"};

	if (!doc) {
		ok(0, "test document parses: %s (line %d)", jerr.text, jerr.line);
		return gb_tap_done();
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gb_test_export.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		ok(0, "mkdtemp");
		return gb_tap_done();
	}
	test_names(doc);
	test_gbench(doc);
	test_bmf(doc);
	test_gab(doc);
	test_pyperf(doc);
	test_duplicates(doc);
	test_errors(doc);
	test_metrics_def();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	json_decref(doc);
	return gb_tap_done();
}
