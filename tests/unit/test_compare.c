/*
 * test_compare.c - compare's verdict rules (docs/statistics.md, section
 * 3) through gb_compare on small in-memory documents: the threshold, the
 * Mann-Whitney significance, the grains (per task too), the worse
 * direction, cells that do not match, cells not compared, and the
 * serial-cells note. tests/cli/compare*.sh check the printed forms.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "compare.h"
#include "tap.h"

#define N 10

static const struct gb_compare_opts opts = {
        .threshold = 5, .alpha = 0.05, .base_name = "base", .new_name = "new"};

/* x[i] = v * (1 + i/1000): n samples around v with a small spread. */
static json_t *series(double v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_real(v * (1 + (double)i / 1000)));
	return a;
}

/* A cell with samples.<key> of n values around v (key NULL: no samples). */
static json_t *cell(const char *model, const char *wl, int tasks, const char *status,
                    const char *key, double v, size_t n)
{
	json_t *samples = json_object();

	if (key)
		json_object_set_new(samples, key, series(v, n));
	return json_pack("{s:s, s:s, s:s, s:{s:i, s:s, s:i}, s:o}", "model", model, "workload", wl,
	                 "status", status, "params", "tasks", tasks, "gil", "new", "reps", (int)n,
	                 "samples", samples);
}

static json_t *doc1(json_t *c)
{
	return json_pack("{s:i, s:{s:{s:i}}, s:[o]}", "schema_version", 1, "context", "topology",
	                 "pus", 2, "results", c);
}

/*
 * Compares one base cell with one new cell, both `model`/cpu with `tasks`,
 * metric `key` from bv to nv (n samples each). The row, or NULL; *res kept
 * for the caller to inspect and free. The documents are freed here: rows,
 * counts and the serial note are copies, only res->sides[].cells[].cell
 * would dangle, and these tests do not read it.
 */
static const struct gb_compare_row *one(struct gb_compare_result *res, const char *model, int tasks,
                                        const char *key, double bv, double nv, size_t n,
                                        const struct gb_compare_opts *o)
{
	json_t *b = doc1(cell(model, "cpu", tasks, "ok", key, bv, n));
	json_t *nw = doc1(cell(model, "cpu", tasks, "ok", key, nv, n));
	const struct gb_compare_row *row = NULL;

	if (gb_compare(b, nw, o, res) == 0 && res->nrows == 1)
		row = &res->rows[0];
	json_decref(b);
	json_decref(nw);
	return row;
}

static const char *verdict_of(const char *model, int tasks, const char *key, double bv, double nv,
                              size_t n, const struct gb_compare_opts *o, int *regression)
{
	struct gb_compare_result res;
	const struct gb_compare_row *row = one(&res, model, tasks, key, bv, nv, n, o);
	const char *v = row ? gb_compare_verdict_name(row->verdict) : "(no row)";

	*regression = row ? row->regression : -1;
	gb_compare_result_free(&res);
	return v;
}

static void test_threshold(void)
{
	struct gb_compare_opts wide = opts;
	int reg;

	ok(strcmp(verdict_of("threads", 2, "wall_s", 1.0, 1.2, N, &opts, &reg), "slower") == 0 &&
	           reg == 1,
	   "wall +20%%, 10 samples a side, threshold 5%%: slower, a regression");
	wide.threshold = 25;
	ok(strcmp(verdict_of("threads", 2, "wall_s", 1.0, 1.2, N, &wide, &reg), "no change") == 0 &&
	           reg == 0,
	   "the same +20%% with threshold 25%%: significant but within it, no change");
	wide.threshold = 19.9;
	ok(strcmp(verdict_of("threads", 2, "wall_s", 1.0, 1.2, N, &wide, &reg), "slower") == 0,
	   "threshold 19.9%%: +20%% is beyond it");
	ok(strcmp(verdict_of("threads", 2, "wall_s", 1.0, 1.04, N, &opts, &reg), "no change") == 0,
	   "wall +4%%, threshold 5%%: no change");
}

static void test_significance(void)
{
	struct gb_compare_result res;
	const struct gb_compare_row *row;
	int reg;

	/* 3 against 3 cannot reach p < 0.05 in a two-sided U test (min 0.1). */
	ok(strcmp(verdict_of("threads", 2, "wall_s", 1.0, 1.5, 3, &opts, &reg), "too noisy") == 0 &&
	           reg == 0,
	   "wall +50%% on 3 samples a side: too noisy, never a regression");
	row = one(&res, "threads", 2, "wall_s", 1.0, 1.0, N, &opts);
	ok(row && row->verdict == GB_COMPARE_NO_CHANGE && !row->significant && row->p > 0.5,
	   "identical samples: no change, not significant");
	ok(row && row->change_pct == 0, "identical samples: change 0%%");
	gb_compare_result_free(&res);
	row = one(&res, "threads", 2, "wall_s", 1.0, 1.2, N, &opts);
	ok(row && row->significant && row->p < 0.001 && row->b.n == N && row->n.n == N,
	   "separated samples: significant, p < 0.001, both sides' summaries");
	is_dbl(row ? row->change_pct : NAN, 20, 1e-6, "change of the medians in percent");
	gb_compare_result_free(&res);
	row = one(&res, "threads", 2, "wall_s", 0, 1.0, N, &opts);
	ok(row && isnan(row->change_pct), "base median 0, new not: change n/a (NaN)");
	gb_compare_result_free(&res);
}

static void test_direction(void)
{
	int reg;

	ok(strcmp(verdict_of("threads", 2, "wall_s", 1.0, 0.8, N, &opts, &reg), "faster") == 0 &&
	           reg == 0,
	   "wall -20%%: faster (up is worse)");
	ok(strcmp(verdict_of("threads", 2, "ops_per_s", 100, 120, N, &opts, &reg), "faster") == 0 &&
	           reg == 0,
	   "ops_per_s +20%%: faster (down is worse)");
	ok(strcmp(verdict_of("threads", 2, "ops_per_s", 100, 80, N, &opts, &reg), "slower") == 0 &&
	           reg == 1,
	   "ops_per_s -20%%: slower, a regression");
	ok(strcmp(verdict_of("threads", 2, "latency_p99_us", 100, 130, N, &opts, &reg), "slower") ==
	           0,
	   "latency_p99_us +30%%: slower");
}

static void test_grain(void)
{
	int reg;

	ok(strcmp(verdict_of("threads", 2, "gil_held_frac", 0.001, 0.005, N, &opts, &reg),
	          "no change") == 0,
	   "gil_held_frac 0.001 -> 0.005 (+400%%): within the grain 0.01, no change");
	ok(strcmp(verdict_of("threads", 2, "gil_held_frac", 0.1, 0.2, N, &opts, &reg), "slower") ==
	           0,
	   "gil_held_frac 0.1 -> 0.2: beyond the grain, slower");
	ok(strcmp(verdict_of("threads", 2, "cpu_s", 0.0001, 0.0009, N, &opts, &reg), "no change") ==
	           0,
	   "cpu_s 0.1 ms -> 0.9 ms: within the grain 1 ms, no change");
	/* mem_per_task_kib: 512 KiB for the cell, shared by its tasks. */
	ok(strcmp(verdict_of("threads", 1, "mem_per_task_kib", 1000, 1400, N, &opts, &reg),
	          "no change") == 0,
	   "mem/task +400 KiB with 1 task: within 512 KiB, no change");
	ok(strcmp(verdict_of("threads", 4, "mem_per_task_kib", 1000, 1400, N, &opts, &reg),
	          "slower") == 0,
	   "mem/task +400 KiB with 4 tasks: beyond 512/4 KiB, slower");
}

static void test_matching(void)
{
	struct gb_compare_result res;
	json_t *b = doc1(cell("threads", "cpu", 2, "ok", "wall_s", 1, N));
	json_t *nw = doc1(cell("processes", "cpu", 2, "ok", "wall_s", 1, N));

	ok(gb_compare(b, nw, &opts, &res) == 0, "no cell in common: not an error");
	ok(res.ncells == 0 && res.nrows == 0 && res.slower == 0, "no matched cells, no rows");
	ok(res.sides[0].n == 1 && res.sides[0].cells[0].match == -1 && res.sides[1].n == 1 &&
	           res.sides[1].cells[0].match == -1,
	   "each side's cell unmatched (only in base, only in new)");
	gb_compare_result_free(&res);
	json_decref(b);
	json_decref(nw);

	/* A matched cell that failed on one side is matched, not compared. */
	b = doc1(cell("threads", "cpu", 2, "ok", "wall_s", 1, N));
	nw = doc1(cell("threads", "cpu", 2, "failed", "wall_s", 1.5, N));
	ok(gb_compare(b, nw, &opts, &res) == 0 && res.ncells == 1 && res.nrows == 0 &&
	           res.sides[0].cells[0].match == 0 && !res.sides[0].cells[0].has_rows,
	   "a cell that failed on one side: matched, no rows, not compared");
	gb_compare_result_free(&res);
	json_decref(b);
	json_decref(nw);

	/* reps is volatile: cells differing only in it are one cell. */
	b = doc1(cell("threads", "cpu", 2, "ok", "wall_s", 1, N));
	nw = doc1(cell("threads", "cpu", 2, "ok", "wall_s", 1, N - 2));
	ok(gb_compare(b, nw, &opts, &res) == 0 && res.ncells == 1 && res.nrows == 1,
	   "cells that differ only in reps match");
	ok(gb_compare_find(&res, 0, "wall_s") == &res.rows[0] && !gb_compare_find(&res, 0, "cpu_s"),
	   "gb_compare_find: the wall_s row, no cpu_s row");
	gb_compare_result_free(&res);
	json_decref(b);
	json_decref(nw);
}

static void test_serial_note(void)
{
	struct gb_compare_result res;

	one(&res, "serial", 1, "wall_s", 1.0, 1.2, N, &opts);
	ok(res.serial_rows == 1 && res.serial_moved == 1, "serial/cpu wall +20%%: moved");
	is_dbl(res.serial_lo, 20, 1e-6, "serial note: lowest move");
	is_dbl(res.serial_hi, 20, 1e-6, "serial note: highest move");
	gb_compare_result_free(&res);
	one(&res, "serial", 1, "wall_s", 1.0, 1.01, N, &opts);
	ok(res.serial_rows == 1 && res.serial_moved == 0, "serial/cpu wall +1%%: no note");
	gb_compare_result_free(&res);
	one(&res, "threads", 1, "wall_s", 1.0, 1.2, N, &opts);
	ok(res.serial_rows == 0 && res.serial_moved == 0, "a threads cell is not a serial cell");
	gb_compare_result_free(&res);
	one(&res, "serial", 1, "cpu_s", 1.0, 1.2, N, &opts);
	ok(res.serial_rows == 0 && res.serial_moved == 0,
	   "only the serial cells' wall time counts");
	gb_compare_result_free(&res);
}

int main(void)
{
	test_threshold();
	test_significance();
	test_direction();
	test_grain();
	test_matching();
	test_serial_note();
	return gb_tap_done();
}
