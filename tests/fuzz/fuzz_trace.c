/*
 * fuzz_trace.c - a GIL trace (`gilbench run --trace`, CSV or JSON lines)
 * as `gilbench plot --trace` reads it: the reader and the timeline built
 * from it (held, waiting, I/O and native spans per thread, drops), with
 * the data file and report written but gnuplot not run, once over the
 * whole trace and once through a --window. A refused trace prints one line
 * on stderr.
 */
#include <errno.h>
#include <stdlib.h>

#include "fuzz.h"
#include "plot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = gb_fuzz_file("trace.csv", data, size);
	struct gb__plot_ctx *pc = calloc(1, sizeof(*pc));
	int err, lines;

	if (!pc)
		return 0;
	pc->outdir = gb_fuzz_dir();
	pc->tpl_dir = gb_fuzz_dir();
	gb_fuzz_stderr_begin();
	err = gb__plot_timeline(pc, path, "gil_timeline");
	lines = gb_fuzz_stderr_end();
	if (err == -EINVAL && lines != 1)
		gb_fuzz_fail("a refused trace printed %d lines on stderr", lines);
	/* Again through --window: the check before drawing, then the clipping. */
	pc->has_window = 1;
	pc->win_lo = 0.01;
	pc->win_hi = 5;
	pc->ncharts = 0;
	gb_fuzz_stderr_begin();
	if (gb__plot_trace_check(pc, path) == 0)
		gb__plot_timeline(pc, path, "gil_timeline");
	gb_fuzz_stderr_end();
	free(pc);
	return 0;
}
