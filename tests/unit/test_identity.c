/*
 * test_identity.c - bench/identity: which params make a cell's identity,
 * and the merge of cells one file holds twice (as `make bench` sweeps
 * that re-run a cell produce): samples concatenated in file order,
 * recomputed metrics, failed duplicates left out with a note, everything
 * else untouched.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "identity.h"
#include "report_json.h"
#include "tap.h"

/* The params that say what work a cell does: a serial cell with the same
 * ones is its speedup baseline (report_json.c). */
#define WORK                                                                                       \
	"\"work\": 1000, \"native_fraction\": 0, \"io\": \"sleep\", \"io_time_s\": 0.1, "          \
	"\"io_ops\": 1, \"burst\": 1, \"think_s\": 0.001, \"check_every\": 1, \"echo_bytes\": "    \
	"64, "                                                                                     \
	"\"peer_delay_s\": 0.00005, "

static const char *doc_text =
        "{\"schema_version\": 1, \"context\": {\"topology\": {\"pus\": 2}},"
        " \"results\": ["
        "  {\"model\": \"threads\", \"workload\": \"cpu\", \"status\": \"ok\","
        "   \"params\": {" WORK "\"tasks\": 2, \"gil\": \"new\", \"reps\": 3, \"warmup\": 1,"
        "     \"bound_cpus\": \"0,1\"},"
        "   \"samples\": {\"wall_s\": [1.0, 1.1, 1.2], \"cpu_s\": [2, 2, 2]}},"
        "  {\"model\": \"serial\", \"workload\": \"cpu\", \"status\": \"ok\","
        "   \"params\": {" WORK "\"tasks\": 2, \"gil\": \"new\", \"reps\": 3, \"warmup\": 1},"
        "   \"samples\": {\"wall_s\": [2.0, 2.0, 2.0], \"cpu_s\": [2, 2, 2]}},"
        "  {\"model\": \"threads\", \"workload\": \"cpu\", \"status\": \"failed\","
        "   \"error\": \"crashed\", \"params\": {" WORK
        "\"tasks\": 2, \"gil\": \"new\", \"reps\": 5},"
        "   \"samples\": {}},"
        "  {\"model\": \"threads\", \"workload\": \"cpu\", \"status\": \"ok\","
        "   \"params\": {" WORK "\"tasks\": 2, \"gil\": \"new\", \"reps\": 2, \"warmup\": 0,"
        "     \"bound_cpus\": \"1,0\"},"
        "   \"samples\": {\"wall_s\": [1.3, 0.9], \"cpu_s\": [2, 2]}},"
        "  {\"model\": \"threads\", \"workload\": \"cpu\", \"status\": \"ok\","
        "   \"params\": {\"tasks\": 4, \"gil\": \"new\", \"reps\": 1},"
        "   \"samples\": {\"wall_s\": [0.7], \"cpu_s\": [2]}},"
        "  {\"model\": \"asyncio\", \"workload\": \"io\", \"status\": \"timeout\","
        "   \"error\": \"timed out\", \"params\": {\"tasks\": 2}, \"samples\": {}},"
        "  {\"model\": \"asyncio\", \"workload\": \"io\", \"status\": \"failed\","
        "   \"error\": \"crashed\", \"params\": {\"tasks\": 2}, \"samples\": {}}"
        " ]}";

static json_t *at(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "results"), i);
}

static void test_identity(json_t *doc)
{
	json_t *a = json_deep_copy(at(doc, 0)), *b = json_deep_copy(at(doc, 3)), *id;

	ok(gb_param_is_volatile("bound_cpus") && gb_param_is_volatile("reps") &&
	           gb_param_is_volatile("warmup"),
	   "bound_cpus, reps and warmup are volatile");
	ok(!gb_param_is_volatile("tasks") && !gb_param_is_volatile("gil"), "tasks, gil are not");
	ok(gb_cell_same(a, b), "cells differing only in volatile params are the same");
	ok(!gb_cell_same(a, at(doc, 4)), "another task count is another cell");
	ok(!gb_cell_same(a, at(doc, 1)), "another model is another cell");
	json_object_set_new(json_object_get(b, "params"), "io", json_string("echo"));
	ok(!gb_cell_same(a, b) && !gb_cell_same(b, a), "a param one side lacks tells cells apart");
	id = gb_cell_ident_params(a);
	ok(id && json_object_size(id) == 12 && json_object_get(id, "tasks") &&
	           json_object_get(id, "gil") && !json_object_get(id, "reps") &&
	           !json_object_get(id, "bound_cpus") && !json_object_get(id, "warmup"),
	   "identity params: all but the volatile ones");
	json_decref(id);
	json_decref(a);
	json_decref(b);
}

static void test_merge(json_t *orig)
{
	json_t *doc = json_deep_copy(orig), *m, *w, *warn;
	size_t merged = 99;
	int rc = gb_results_merge_duplicates(doc, &merged);

	is_int(rc, 0, "merge returns 0");
	is_int(merged, 3, "three repeats removed (threads t=2 twice, asyncio io once)");
	is_int(json_array_size(json_object_get(doc, "results")), 4, "four cells left");
	m = at(doc, 0);
	w = json_object_get(json_object_get(m, "samples"), "wall_s");
	ok(json_array_size(w) == 5 && json_number_value(json_array_get(w, 3)) == 1.3 &&
	           json_number_value(json_array_get(w, 4)) == 0.9,
	   "wall samples concatenated in file order");
	is_int(json_array_size(json_object_get(json_object_get(m, "samples"), "cpu_s")), 5,
	       "every samples array concatenated");
	is_int(json_integer_value(json_object_get(json_object_get(m, "params"), "reps")), 5,
	       "params.reps = the samples kept");
	ok(!strcmp(json_string_value(json_object_get(json_object_get(m, "params"), "bound_cpus")),
	           "0,1"),
	   "bound_cpus compared as sets: 1,0 is the 0,1 already there");
	w = json_pack("[i,i]", 0, 3);
	ok(json_equal(json_object_get(m, "merged_from"), w),
	   "merged_from lists the ok cells merged");
	json_decref(w);
	is_dbl(json_number_value(json_object_get(
	               json_object_get(json_object_get(m, "metrics"), "wall_s"), "median")),
	       1.1, 1e-12, "metrics recomputed: median of the 5");
	is_int(json_integer_value(json_object_get(
	               json_object_get(json_object_get(m, "metrics"), "wall_s"), "n")),
	       5, "metrics n = 5");
	warn = json_object_get(m, "warnings");
	ok(json_is_array(warn) &&
	           strstr(json_string_value(json_array_get(warn, json_array_size(warn) - 1)),
	                  "results[2] is the same cell with status failed: crashed; left out"),
	   "the failed repeat is named in the merged cell's warnings");
	/* speedup recomputed against the serial cell's median, 2.0 */
	w = json_object_get(json_object_get(m, "samples"), "speedup");
	ok(json_array_size(w) == 5 && json_number_value(json_array_get(w, 0)) == 2.0,
	   "speedup samples recomputed for the merged cell");
	ok(!strcmp(json_string_value(json_object_get(at(doc, 1), "model")), "serial") &&
	           !json_object_get(at(doc, 1), "merged_from"),
	   "a cell without repeats is left as it was, in its place");
	ok(!strcmp(json_string_value(json_object_get(at(doc, 3), "status")), "timeout"),
	   "when no repeat ran, the first is kept");
	json_decref(doc);

	doc = json_deep_copy(orig);
	json_array_remove(json_object_get(doc, "results"), 6);
	json_array_remove(json_object_get(doc, "results"), 3);
	json_array_remove(json_object_get(doc, "results"), 2);
	json_t *before = json_deep_copy(doc);
	rc = gb_results_merge_duplicates(doc, &merged);
	ok(rc == 0 && merged == 0 && json_equal(doc, before),
	   "no repeats: nothing merged, the document unchanged");
	json_decref(before);
	ok(!json_object_get(at(doc, 0), "merged_from"), "no merged_from without a merge");
	json_decref(doc);
}

/* bound_cpus of merged cells: distinct sets joined, "0-1" not taken for
 * part of "10-11" (a strstr would). */
static void test_merge_bound(void)
{
	json_t *doc =
	        json_pack("{s:i, s:{}, s:[{s:s, s:s, s:s, s:{s:i, s:s}, s:{s:[f]}},"
	                  "{s:s, s:s, s:s, s:{s:i, s:s}, s:{s:[f]}}, {s:s, s:s, s:s, s:{s:i, s:s}, "
	                  "s:{s:[f]}}]}",
	                  "schema_version", 1, "context", "results", "model", "threads", "workload",
	                  "cpu", "status", "ok", "params", "tasks", 2, "bound_cpus", "10-11",
	                  "samples", "wall_s", 1.0, "model", "threads", "workload", "cpu", "status",
	                  "ok", "params", "tasks", 2, "bound_cpus", "0-1", "samples", "wall_s", 1.0,
	                  "model", "threads", "workload", "cpu", "status", "ok", "params", "tasks",
	                  2, "bound_cpus", "11,10", "samples", "wall_s", 1.0);
	size_t merged = 0;
	const char *b;

	ok(doc && gb_results_merge_duplicates(doc, &merged) == 0 && merged == 2,
	   "three runs of one cell merged");
	b = json_string_value(json_object_get(json_object_get(at(doc, 0), "params"), "bound_cpus"));
	ok(b && strcmp(b, "10-11;0-1") == 0, "bound_cpus 10-11 then 0-1 (then 11,10 again): %s",
	   b ? b : "(none)");
	json_decref(doc);
}

/* A cell measured on real CPython takes its speedup against cpython-serial. */
static void test_speedup_kind(void)
{
#define SP_CELL(model, wall)                                                                       \
	"{\"model\": \"" model "\", \"workload\": \"cpu\", \"status\": \"ok\", \"params\": {" WORK \
	"\"tasks\": 2}, \"samples\": {\"wall_s\": [" wall "]}, \"metrics\": {}}"
	json_t *doc = json_loads(
	        "{\"schema_version\": 1, \"context\": {}, \"results\": [" SP_CELL(
	                "serial",
	                "1.0") "," SP_CELL("cpython-serial",
	                                   "3.0") "," SP_CELL("threads",
	                                                      "0.5") "," SP_CELL("cpython-threads",
	                                                                         "1.5") "]}",
	        0, NULL);
#undef SP_CELL

	if (!ok(doc != NULL, "speedup document parses"))
		return;
	gb_report_speedups(doc, 2);
	is_dbl(json_number_value(
	               json_object_get(json_object_get(at(doc, 2), "metrics"), "speedup")),
	       2.0, 1e-12, "threads: against serial (1.0 / 0.5)");
	is_dbl(json_number_value(
	               json_object_get(json_object_get(at(doc, 3), "metrics"), "speedup")),
	       2.0, 1e-12, "cpython-threads: against cpython-serial (3.0 / 1.5), not serial");
	json_decref(doc);
}

int main(void)
{
	json_error_t jerr;
	json_t *doc = json_loads(doc_text, 0, &jerr);

	if (!doc) {
		ok(0, "test document parses: %s (line %d)", jerr.text, jerr.line);
		return gb_tap_done();
	}
	test_identity(doc);
	test_merge(doc);
	test_merge_bound();
	test_speedup_kind();
	is_dbl(gb_speedup(2.0, 0.5), 4.0, 1e-12, "speedup: serial wall over wall");
	ok(isnan(gb_speedup(2.0, 0)) && isnan(gb_speedup(0, 1.0)) && isnan(gb_speedup(-1, 1)),
	   "no speedup from a wall that is not positive");
	json_decref(doc);
	return gb_tap_done();
}
