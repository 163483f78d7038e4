/*
 * test_report_md.c - what `gilbench plot` says in words: the result-file
 * helpers report_md.c shares with the charts (numbers as people read them,
 * never 3.16e+03; param values as given, 0.00005, not 5e-05; series keys,
 * titles and their order), the noise warnings as data (warnings.h) and
 * their summary lines in report.md, and the sentences of the charts drawn
 * from results (gnuplot not run: png and svg off).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "plot.h"
#include "report_md.h"
#include "stats.h"
#include "tap.h"
#include "warnings.h"

static void num_is(double x, const char *want)
{
	char buf[64];

	gb__res_fmt_num(buf, sizeof(buf), x);
	ok(strcmp(buf, want) == 0, "fmt_num(%.17g) = '%s' (want '%s')", x, buf, want);
}

static void value_is(json_t *v, const char *want)
{
	char buf[64];

	gb__res_value_text(v, buf, sizeof(buf));
	ok(strcmp(buf, want) == 0, "value_text = '%s' (want '%s')", buf, want);
	json_decref(v);
}

static void series_is(const char *cell_json, const char *want_key, const char *want_title)
{
	json_t *cell = json_loads(cell_json, 0, NULL);
	char key[64], title[128];

	gb__res_series(cell, key, sizeof(key), title, sizeof(title));
	ok(strcmp(key, want_key) == 0 && strcmp(title, want_title) == 0,
	   "series of %s = '%s' / '%s' (want '%s' / '%s')", cell_json, key, title, want_key,
	   want_title);
	json_decref(cell);
}

/* A summary object as report_json.c writes one, with its noise flags. */
static json_t *summary(double cv, int n)
{
	size_t need = gb_stats_reps_needed(cv, GB_STATS_DETECT_CHANGE, 0.05);

	return json_pack("{s:i, s:f, s:f, s:b, s:b}", "n", n, "median", 1.0, "cv", cv, "noisy",
	                 cv > GB_STATS_NOISY_CV, "too_few", (size_t)n < need);
}

/* An ok cpu cell: model, tasks, wall_s and cpu_s cvs (< 0: no summary), warning texts. */
static json_t *wcell(const char *model, int tasks, double wcv, double ccv, int n, json_t *warnings)
{
	json_t *sums = json_object();

	if (wcv >= 0)
		json_object_set_new(sums, "wall_s", summary(wcv, n));
	if (ccv >= 0)
		json_object_set_new(sums, "cpu_s", summary(ccv, n));
	return json_pack("{s:s, s:s, s:s, s:{s:i, s:s}, s:o, s:{s:{s:f}}, s:o}", "model", model,
	                 "workload", "cpu", "status", "ok", "params", "tasks", tasks, "gil", "new",
	                 "summaries", sums, "metrics", "wall_s", "median", 1.0, "warnings",
	                 warnings);
}

static void test_warn_data(void)
{
	/* The texts' numbers are wrong on purpose: the data is the summary's. */
	json_t *c = wcell("threads", 2, 0.1, 0.2, 3,
	                  json_pack("[s, s]", "wall_s: cv 99.0% above 5%; 1 repetitions",
	                            "latency_p50_us: cv 50.0% above 5%"));
	json_t *tight = wcell("threads", 4, 0.02, 0.02, 3, json_pack("[s]", "wall_s: 3 reps"));
	json_t *plenty = wcell("threads", 8, 0.06, -1, 40, json_pack("[s]", "wall_s: cv 6%"));
	json_t *old = json_pack("{s:s, s:s, s:{}, s:{s:{s:f, s:i, s:b, s:b}}, s:[s]}", "model",
	                        "serial", "status", "ok", "params", "metrics", "wall_s", "cv", 0.3,
	                        "n", 5, "noisy", 1, "too_few", 1, "warnings", "wall_s: cv 30%");
	struct gb_warn w;
	struct gb_warn_group g;
	size_t need10 = gb_stats_reps_needed(0.1, GB_STATS_DETECT_CHANGE, 0.05);

	ok(gb_warn_of(c, "wall_s", &w) && w.kind == GB_WARN_NOISY && w.cv == 0.1 && w.n == 3 &&
	           w.too_few && w.need == need10,
	   "wall_s: noisy, cv 0.1, 3 of %zu repetitions, from the summary not the text", need10);
	ok(!gb_warn_of(c, "cpu_s", &w), "cpu_s: noisy summary but no warning text: no warning");
	ok(!gb_warn_of(c, "latency_p50_us", &w), "a text with no summary behind it is no data");
	ok(!gb_warn_of_text(c, "latency_p50_us: cv 50.0% above 5%", &w),
	   "... so it is shown as a text of its own");
	ok(gb_warn_of_text(c, json_string_value(json_array_get(json_object_get(c, "warnings"), 0)),
	                   &w) &&
	           strcmp(w.metric, "wall_s") == 0,
	   "the cell's own wall_s text reads as the wall_s data");
	ok(gb_warn_of(tight, "wall_s", &w) && w.kind == GB_WARN_FEW && w.too_few,
	   "cv 2%%: tight, too few repetitions");
	ok(gb_warn_of(old, "wall_s", &w) && w.cv == 0.3 && w.n == 5,
	   "a file without summaries: wall_s from metrics");

	gb_warn_group_init(&g, "wall_s", GB_WARN_NOISY);
	ok(gb_warn_group_has(&g, c) && !gb_warn_group_has(&g, tight) &&
	           gb_warn_group_has(&g, plenty),
	   "group membership by metric and kind");
	gb_warn_of(c, "wall_s", &w);
	gb_warn_group_add(&g, &w);
	gb_warn_of(plenty, "wall_s", &w);
	ok(!w.too_few, "cv 6%% over 40 repetitions is noisy but not too few");
	gb_warn_group_add(&g, &w);
	ok(g.count == 2 && g.nfew == 1 && g.cv_lo == 0.06 && g.cv_hi == 0.1,
	   "group: two cells, one too few, cv 6%% to 10%%");
	ok(g.all.n_lo == 3 && g.all.n_hi == 40 && g.few.n_lo == 3 && g.few.n_hi == 3 &&
	           g.few.need_lo == need10 && g.few.need_hi == need10,
	   "group: repetitions 3 to 40 over all, 3 over the too-few ones");
	json_decref(c);
	json_decref(tight);
	json_decref(plenty);
	json_decref(old);
}

/* The whole of a file, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 16);
	if (buf)
		len = fread(buf, 1, (1 << 16) - 1, f);
	(void)len;
	fclose(f);
	return buf;
}

static void has_line(const char *text, const char *want)
{
	int len = (int)strcspn(want, "\n");

	ok(text && strstr(text, want), "report.md has the line: %.*s", len, want);
	if (text && !strstr(text, want))
		printf("# report.md:\n%s\n", text);
}

static void test_report_warnings(const char *dir)
{
	const char *note = "results[9] is the same cell with status failed: crashed; left out";
	json_t *doc = json_pack(
	        "{s:i, s:{}, s:[o, o, o, o, o]}", "schema_version", 1, "context", "results",
	        wcell("serial", 1, 0.01, 0.02, 3, json_pack("[s, s]", "cpu_s: few", note)),
	        wcell("threads", 1, 0.08, 0.02, 3,
	              json_pack("[s, s]", "wall_s: noisy", "cpu_s: few")),
	        wcell("threads", 2, 0.12, 0.02, 3,
	              json_pack("[s, s]", "wall_s: noisy", "cpu_s: few")),
	        wcell("threads", 4, 0.01, 0.02, 3, json_pack("[s]", "cpu_s: few")),
	        json_pack("{s:s, s:s, s:s, s:s, s:{s:i, s:s}, s:{}, s:[]}", "model", "threads",
	                  "workload", "cpu", "status", "failed", "error", "crashed", "params",
	                  "tasks", 8, "gil", "new", "metrics", "warnings"));
	char path[512], want[512], need[64];
	size_t n8 = gb_stats_reps_needed(0.08, GB_STATS_DETECT_CHANGE, 0.05);
	size_t n12 = gb_stats_reps_needed(0.12, GB_STATS_DETECT_CHANGE, 0.05);
	size_t n2 = gb_stats_reps_needed(0.02, GB_STATS_DETECT_CHANGE, 0.05);
	char *text;

	snprintf(path, sizeof(path), "%s/report.md", dir);
	ok(gb_report_md_write(path, doc, NULL, NULL, 0, NULL, 0) == 0, "report.md written");
	text = slurp(path);
	snprintf(need, sizeof(need), n8 == n12 ? "%zu" : "%zu to %zu", n8, n12);
	snprintf(want, sizeof(want),
	         "- `wall_s`: cv above 5%% (8.0%% to 12.0%%); 3 repetitions, %s needed to detect a "
	         "5%% change (2 of 4 ok cells): threads (gil new): tasks=1, 2\n",
	         need);
	has_line(text, want);
	/* cpu_s is tight (2%) in every ok cell, but 3 repetitions are too few. */
	ok(n2 > 3, "cv 2%%: 3 repetitions are too few (%zu needed)", n2);
	snprintf(want, sizeof(want),
	         "- `cpu_s`: 3 repetitions, %zu needed to detect a 5%% change: every ok cell (4)\n",
	         n2);
	has_line(text, want);
	snprintf(want, sizeof(want), "- `%s` (1 of 4 ok cells): serial\n", note);
	has_line(text, want);
	has_line(text, "| threads (gil new) | tasks=8 | failed: crashed |");
	free(text);
	unlink(path);
	json_decref(doc);

	/*
	 * Four of five: named by the one that does not have it. The 40
	 * repetitions of cv 6% are noisy but enough: its text names no
	 * repetitions, so the line's repetitions are the other three's.
	 */
	doc = json_pack("{s:i, s:{}, s:[o, o, o, o, o]}", "schema_version", 1, "context", "results",
	                wcell("threads", 1, 0.08, -1, 3, json_pack("[s]", "wall_s: noisy")),
	                wcell("threads", 2, 0.08, -1, 3, json_pack("[s]", "wall_s: noisy")),
	                wcell("threads", 4, 0.08, -1, 3, json_pack("[s]", "wall_s: noisy")),
	                wcell("threads", 8, 0.06, -1, 40, json_pack("[s]", "wall_s: noisy")),
	                wcell("threads", 16, 0.01, -1, 40, json_pack("[]")));
	ok(gb_report_md_write(path, doc, NULL, NULL, 0, NULL, 0) == 0, "report.md written");
	text = slurp(path);
	snprintf(want, sizeof(want),
	         "- `wall_s`: cv above 5%% (6.0%% to 8.0%%); 3 repetitions, %zu needed to detect a "
	         "5%% change (4 of 5 ok cells): every ok cell except threads (gil new): tasks=16\n",
	         n8);
	has_line(text, want);
	free(text);
	unlink(path);
	json_decref(doc);
}

/*
 * One ok cell, flagged: named, never "every ok cell except " and nothing.
 * serial under two GIL policies: two rows that say which is which.
 */
static void test_report_rows(const char *dir)
{
	json_t *doc = json_pack("{s:i, s:{}, s:[o]}", "schema_version", 1, "context", "results",
	                        wcell("serial", 1, 0.08, -1, 3, json_pack("[s]", "wall_s: noisy")));
	json_t *two = wcell("serial", 1, 0.01, -1, 3, json_pack("[]"));
	char path[512];
	char *text;

	snprintf(path, sizeof(path), "%s/report.md", dir);
	ok(gb_report_md_write(path, doc, NULL, NULL, 0, NULL, 0) == 0, "report.md written");
	text = slurp(path);
	ok(text && !strstr(text, "except"), "1 of 1 flagged: no 'except'");
	has_line(text, "(1 of 1 ok cells): serial\n");
	free(text);
	json_object_set_new(json_object_get(two, "params"), "gil", json_string("legacy"));
	json_array_append_new(json_object_get(doc, "results"), two);
	ok(gb_report_md_write(path, doc, NULL, NULL, 0, NULL, 0) == 0, "report.md written");
	text = slurp(path);
	has_line(text, "| serial | tasks=1, gil=new | ok |");
	has_line(text, "| serial | tasks=1, gil=legacy | ok |");
	free(text);
	unlink(path);
	json_decref(doc);
}

/* A cpu cell with a speedup, for the CPU scaling chart. */
static json_t *scell(const char *model, const char *gil, int tasks, double speedup)
{
	return json_pack("{s:s, s:s, s:s, s:{s:i, s:s}, s:{s:f, s:{s:f}}}", "model", model,
	                 "workload", "cpu", "status", "ok", "params", "tasks", tasks, "gil", gil,
	                 "metrics", "speedup", speedup, "wall_s", "median", 1.0 / speedup);
}

/* The sentence of chart desc over doc on 2 cores (no image drawn). */
static const char *chart_sentence(const char *dir, json_t *doc, size_t desc)
{
	static struct gb__plot_ctx pc;
	json_t *sel[64];

	memset(&pc, 0, sizeof(pc));
	pc.outdir = dir;
	pc.tpl_dir = dir;
	pc.doc = doc;
	pc.cores = 2;
	if (!ok(gb__plot_chart_run(&pc, sel, &gb__plot_charts[desc]) == 0 && pc.ncharts == 1,
	        "%s chart runs", gb__plot_charts[desc].title))
		return "";
	return pc.charts[0].sentence;
}

static void sentence_is(const char *got, const char *want)
{
	ok(strcmp(got, want) == 0, "sentence: '%s' (want '%s')", got, want);
}

/* A threads cpu cell at native fraction f with speedup sp, wall interval [lo, hi]. */
static json_t *ncell(double f, double sp, double lo, double hi)
{
	json_t *c = scell("threads", "new", 2, sp);

	json_object_set_new(json_object_get(c, "params"), "native_fraction", json_real(f));
	if (lo > 0)
		json_object_set_new(json_object_get(json_object_get(c, "metrics"), "wall_s"),
		                    "ci95", json_pack("[f, f]", lo, hi));
	return c;
}

/*
 * The native-fraction sentence against the bound min(N, 1/(1-F)) and
 * Amdahl's law, from the numbers: 2.06x at F = 0.5 on 2 cores is above the
 * bound, and its interval says whether noise explains it.
 */
static void test_native_sentence(const char *dir)
{
	json_t *doc = json_pack("{s:i, s:{}, s:[o, o]}", "schema_version", 1, "context", "results",
	                        ncell(0.25, 1.2, -1, -1), ncell(0.5, 2.06, -1, -1));
	const char *got;

	got = chart_sentence(dir, doc, 4);
	ok(strstr(got, "F = 0.25 1.20x, 10% below the bound (1.33x), 5% above Amdahl (1.14x)") !=
	           NULL,
	   "F = 0.25: below the bound, above Amdahl, by how much: %s", got);
	ok(strstr(got, "F = 0.5 2.06x, 3% above the bound (2.00x), 55% above Amdahl (1.33x)") !=
	           NULL,
	   "F = 0.5: above the bound, by how much");
	ok(strstr(got, "1 point is above the bound: 0 within its interval (noise), 0 beyond it") !=
	           NULL,
	   "the point above the bound is counted, without an interval to judge it");
	ok(strstr(got, "ceiling") == NULL && strstr(got, "under the ceiling") == NULL,
	   "no 'ceiling': the curves are named by what they are");
	json_decref(doc);
	/* Its wall median's interval reaches below the bound: noise. */
	doc = json_pack("{s:i, s:{}, s:[o, o]}", "schema_version", 1, "context", "results",
	                ncell(0.25, 1.2, -1, -1), ncell(0.5, 2.06, 0.47, 0.53));
	got = chart_sentence(dir, doc, 4);
	ok(strstr(got, "1 point is above the bound: 1 within its interval (noise)") != NULL,
	   "an interval reaching under the bound: noise: %s", got);
	json_decref(doc);
}

static void test_chart_sentences(const char *dir)
{
	json_t *doc =
	        json_pack("{s:i, s:{}, s:[o, o, o, o, o, o, o, o]}", "schema_version", 1, "context",
	                  "results", scell("serial", "new", 1, 1.0), scell("serial", "new", 2, 1.0),
	                  scell("threads", "new", 1, 0.99), scell("threads", "new", 2, 0.95),
	                  scell("threads", "legacy", 2, 0.7), scell("processes", "new", 1, 0.98),
	                  scell("processes", "new", 2, 1.9), scell("processes", "new", 4, 1.92));
	char path[512];
	json_t *pin;

	/* At 2 tasks (the cores), not 4: the best, the worst, then threads under new. */
	sentence_is(chart_sentence(dir, doc, 0),
	            "At 2 tasks the speedup over serial is 1.90x for processes and only 0.70x for "
	            "threads (gil legacy); 0.95x for threads (gil new); the ideal is 2x.");
	snprintf(path, sizeof(path), "%s/cpu_scaling.dat", dir);
	ok(access(path, R_OK) == 0, "cpu_scaling.dat written");
	unlink(path);
	/* A run pinned with --cpus 0 beside the ordinary one: apart, not its point. */
	pin = scell("threads", "legacy", 2, 0.99);
	json_object_set_new(json_object_get(pin, "params"), "cpus", json_string("0"));
	for (size_t i = 0; i < json_array_size(json_object_get(doc, "results")); i++)
		json_object_set_new(
		        json_object_get(json_array_get(json_object_get(doc, "results"), i),
		                        "params"),
		        "cpus", json_string("all"));
	json_array_append_new(json_object_get(doc, "results"), pin);
	sentence_is(
	        chart_sentence(dir, doc, 0),
	        "At 2 tasks the speedup over serial is 1.90x for processes and only 0.70x for "
	        "threads (gil legacy); 0.95x for threads (gil new); the ideal is 2x. Drawn "
	        "apart, a run pinned with --cpus: 0.99x for threads (gil legacy, --cpus 0) at 2 "
	        "tasks.");
	unlink(path);
	sentence_is(chart_sentence(dir, doc, 1), "no ok cell of workload io.");
	test_native_sentence(dir);
	sentence_is(chart_sentence(dir, doc, 3),
	            "needs background cells of threads under gil new at two or more "
	            "--switch-interval values.");
	json_decref(doc);
}

int main(void)
{
	char dir[] = "/tmp/gb_test_report_md.XXXXXX";

	if (!ok(mkdtemp(dir) != NULL, "a scratch directory"))
		return gb_tap_done();
	test_warn_data();
	test_report_warnings(dir);
	test_report_rows(dir);
	test_chart_sentences(dir);
	rmdir(dir);

	/* Numbers: three significant figures, k/M/G, never an exponent. */
	num_is(3160.4, "3160");
	num_is(2122.0, "2122");
	num_is(46321.0, "46.3k");
	num_is(35.3e6, "35.3M");
	num_is(1.5e9, "1.5G");
	num_is(2.5e13, "25000G");
	num_is(42.123, "42.1");
	num_is(0.0602, "0.0602");
	num_is(0.000125, "0.000125");
	num_is(0.0000125, "0.0000125");
	num_is(0.00000001234, "0.0000000123");
	num_is(-0.0000125, "-0.0000125");
	num_is(0, "0");

	/* Params as given. */
	value_is(json_real(5e-05), "0.00005");
	value_is(json_real(0.005), "0.005");
	value_is(json_real(0.25), "0.25");
	value_is(json_real(1e20), "1e+20");
	value_is(json_integer(30000000), "30000000");
	value_is(json_string("new"), "new");

	/* Series: threads split by policy, CPython twins keyed cpy_. */
	series_is("{\"model\":\"threads\",\"params\":{\"gil\":\"legacy\"}}", "threads_legacy",
	          "threads (gil legacy)");
	series_is("{\"model\":\"processes\",\"params\":{\"gil\":\"new\"}}", "processes",
	          "processes");
	series_is("{\"model\":\"cpython-threads\",\"params\":{},"
	          "\"_context\":{\"python_version\":\"3.11.2 (main, Mar 13 2023)\"}}",
	          "cpy_threads_new", "threads (CPython 3.11)");
	series_is("{\"model\":\"cpython-threads\",\"params\":{\"gil\":\"none\"},"
	          "\"_context\":{\"python_version\":\"3.13.0\"}}",
	          "cpy_threads_none", "threads (CPython 3.13, gil none)");
	series_is("{\"model\":\"cpython-asyncio\",\"params\":{}}", "cpy_asyncio",
	          "asyncio (CPython)");
	series_is("{\"model\":\"cpython-\",\"params\":{}}", "cpython_", "cpython-");
	series_is("{\"params\":{}}", "_", "?");
	/* A cell of one of several files holding the same cells: its file's series. */
	series_is("{\"model\":\"threads\",\"params\":{\"gil\":\"new\"},\"_source\":\"host-b\","
	          "\"_source_n\":2}",
	          "threads_new__s2", "threads (gil new) [host-b]");
	ok(gb__res_rank("threads_new__s2") / 2 == gb__res_rank("threads_new") / 2,
	   "a file's variant ranks with its model");

	/* Order: serial first, a CPython series right after its twin. */
	ok(gb__res_rank("serial") < gb__res_rank("threads_new"), "serial before threads");
	ok(gb__res_rank("threads_new") < gb__res_rank("cpy_threads_new") &&
	           gb__res_rank("cpy_threads_new") < gb__res_rank("threads_new312"),
	   "cpy_threads_new right after threads_new");
	ok(gb__res_rank("threads_bespoke") == gb__res_rank("threads"),
	   "an unknown policy ranks with the catch-all threads");
	ok(gb__res_rank("callbacks") < gb__res_rank("my_plugin"), "a plugin model last");
	return gb_tap_done();
}
