/*
 * test_summary_ci.c - what a summary's interval is called: "ci" with its
 * ci_level always, "ci95" only at 95% or more (6 samples and up), and
 * gb_summary_ci reading both new files and older ones (ci95 only).
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "report_json.h"
#include "stats.h"
#include "tap.h"

/* A cell with n samples of wall_s (and cpu_s), its summaries derived. */
static json_t *sci_cell(size_t n)
{
	json_t *cell = json_pack("{s:s, s:s, s:{s:i}, s:s, s:{s:[], s:[]}}", "model", "serial",
	                         "workload", "seed", "params", "tasks", 1, "status", "ok",
	                         "samples", "wall_s", "cpu_s");
	json_t *samples = json_object_get(cell, "samples");

	for (size_t i = 0; i < n; i++) {
		json_array_append_new(json_object_get(samples, "wall_s"),
		                      json_real(1.0 + 0.01 * (double)i));
		json_array_append_new(json_object_get(samples, "cpu_s"), json_real(0.5));
	}
	gb_report_metrics(cell);
	return cell;
}

static json_t *sci_wall(json_t *cell)
{
	return json_object_get(json_object_get(cell, "summaries"), "wall_s");
}

static void test_written(void)
{
	json_t *c3 = sci_cell(3), *c6 = sci_cell(6);
	double lo, hi, level;

	ok(json_array_size(json_object_get(sci_wall(c3), "ci")) == 2, "n=3: ci written");
	ok(!json_object_get(sci_wall(c3), "ci95"), "n=3: no ci95 (it would be a 75%% interval)");
	is_dbl(json_number_value(json_object_get(sci_wall(c3), "ci_level")), 0.75, 1e-12,
	       "n=3: ci_level");
	ok(json_array_size(json_object_get(sci_wall(c6), "ci95")) == 2, "n=6: ci95 written");
	ok(json_equal(json_object_get(sci_wall(c6), "ci95"), json_object_get(sci_wall(c6), "ci")),
	   "n=6: ci95 is ci");
	ok(!json_object_get(json_object_get(json_object_get(c3, "metrics"), "wall_s"), "ci95"),
	   "n=3: metrics.wall_s has no ci95 either");
	is_int(gb_summary_ci(sci_wall(c3), &lo, &hi, &level), 0, "n=3: gb_summary_ci");
	ok(lo == 1.0 && hi == 1.02 && level == 0.75, "n=3: [min, max] at 75%%");
	json_decref(c3);
	json_decref(c6);
}

static void test_old_files(void)
{
	json_t *old = json_pack("{s:i, s:f, s:[f,f]}", "n", 5, "median", 1.0, "ci95", 0.9, 1.1);
	json_t *none = json_pack("{s:i, s:f}", "n", 5, "median", 1.0);
	double lo = 0, hi = 0, level = 0;

	is_int(gb_summary_ci(old, &lo, &hi, &level), 0, "old file: ci95 read");
	ok(lo == 0.9 && hi == 1.1, "old file: its bounds");
	is_dbl(level, 0.9375, 1e-12, "old file without ci_level: the level of n=5");
	json_object_set_new(old, "ci_level", json_real(0.9375));
	json_object_set_new(old, "ci", json_pack("[f,f]", 0.8, 1.2));
	gb_summary_ci(old, &lo, &hi, &level);
	ok(lo == 0.8 && hi == 1.2, "ci is preferred to ci95");
	is_int(gb_summary_ci(none, &lo, &hi, &level), -ENOENT, "no interval: -ENOENT");
	is_dbl(gb_stats_median_ci_level(6), 0.96875, 1e-12, "level at n=6");
	json_decref(old);
	json_decref(none);
}

int main(void)
{
	test_written();
	test_old_files();
	return gb_tap_done();
}
