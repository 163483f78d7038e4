/*
 * fuzz_results.c - a result file, as every reader takes it: the loader
 * (gb_results_load: one line on stderr when it refuses), then what each
 * command does with a loaded document: `run --append` (speedups, serial
 * baseline lookup), `export` in every format, `plot` (every chart's data
 * and the markdown report; gnuplot is not run). Baselines and compare are
 * fuzz_baseline.c's.
 */
#include "fuzz_plot.h"
#include "export.h"
#include "report_json.h"
#include "results_io.h"

static const char *const fz_formats[] = {"gbench", "bmf", "pyperf", "gab"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = gb_fuzz_file("results.json", data, size);
	char out[700];
	json_t *doc = NULL, *r;
	size_t i;
	int err, lines;

	gb_fuzz_stderr_begin();
	err = gb_results_load(path, &doc);
	lines = gb_fuzz_stderr_end();
	if (err && lines != 1)
		gb_fuzz_fail("a refused result file printed %d lines on stderr", lines);
	if (err)
		return 0;
	if (!json_is_array(json_object_get(doc, "results")))
		gb_fuzz_fail("a loaded document without a results array");

	gb_fuzz_stderr_begin();
	/* run --append: a serial baseline is looked up for each cell, speedups redone */
	json_array_foreach(json_object_get(doc, "results"), i, r)
	        gb_report_has_serial(doc, json_object_get(r, "params"), "cpu");
	gb_report_speedups(doc, 2);
	for (size_t f = 0; f < sizeof(fz_formats) / sizeof(fz_formats[0]); f++) {
		snprintf(out, sizeof(out), "%s/export.json", gb_fuzz_dir());
		gb_export_write(doc, fz_formats[f], f == 3 ? out : "-");
	}
	fz_plot(doc, NULL, NULL);
	gb_fuzz_stderr_end();
	json_decref(doc);
	return 0;
}
