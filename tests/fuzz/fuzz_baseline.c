/*
 * fuzz_baseline.c - a baseline (results/baselines/, or any BASE.json) as
 * `compare` and `plot --base` read it: the input is the base against a
 * real result file (tests/golden/compare/base.json), then the new side
 * against it (the format, text, markdown or json, picked by the input's
 * length), then the compare chart's data.
 * The loader is the same as for results (fuzz_results.c); what differs is
 * the matching of cells and the statistics on both sides.
 */
#include "fuzz_plot.h"
#include "cmd.h"
#include "results_io.h"

#define FZ_REAL GB_SOURCE_DIR "/tests/golden/compare/base.json"

static void fz_compare(const char *base, const char *new_, const char *format)
{
	char *argv[] = {"compare",      (char *)base, (char *)new_, "--format",
	                (char *)format, "-o",         "/dev/null",  NULL};
	int rc = gb_cmd_compare(7, argv);

	if (rc < 0 || rc > 3)
		gb_fuzz_fail("compare exited %d", rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = gb_fuzz_file("base.json", data, size);
	static const char *const formats[] = {"text", "markdown", "json"};
	json_t *base = NULL, *real = NULL;

	/* Each side and each format once: a compare loads both files anew. */
	gb_fuzz_stderr_begin();
	fz_compare(path, FZ_REAL, formats[size % 3]);
	fz_compare(FZ_REAL, path, formats[(size + 1) % 3]);
	if (gb_results_load(path, &base) == 0 && gb_results_load(FZ_REAL, &real) == 0)
		fz_plot(real, base, NULL);
	gb_fuzz_stderr_end();
	json_decref(base);
	json_decref(real);
	return 0;
}
