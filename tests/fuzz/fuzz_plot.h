/*
 * fuzz_plot.h - what `gilbench plot` does with documents once they are
 * loaded, without gnuplot: fz_plot() merges them as gb_cmd_plot does and
 * runs every chart's data, the compare chart and the report with both
 * image formats off (gb__plot_render then draws nothing), so every .dat
 * file and report.md is still written, to the scratch directory. It calls
 * gb__plot_merge and gb__plot_all, the functions gb_cmd_plot calls.
 */
#ifndef GB_FUZZ_PLOT_H
#define GB_FUZZ_PLOT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "plot.h"
#include "report_md.h"

/* Charts of `doc` (a loaded result document, or NULL), the compare chart
 * against `base` (or NULL), the timeline of `trace` (a path, or NULL). */
static int fz_plot(json_t *doc, json_t *base, const char *trace)
{
	struct gb__plot_ctx *pc = calloc(1, sizeof(*pc));
	const char *sources[1] = {"results.json"};
	json_t *contexts[1] = {doc ? json_object_get(doc, "context") : NULL};
	json_t **sel = NULL;
	char path[700];
	int err = -ENOMEM;

	if (!pc)
		return -ENOMEM;
	pc->outdir = gb_fuzz_dir();
	pc->tpl_dir = gb_fuzz_dir();
	pc->base_path = "base.json";
	pc->sources = sources;
	pc->nsources = doc ? 1 : 0;
	if (base && gb__plot_merge(&base, 1, NULL, &pc->base) != 0)
		goto out;
	if (doc) {
		if (gb__plot_merge(&doc, 1, NULL, &pc->doc) != 0)
			goto out;
	} else {
		pc->doc = json_pack("{s:i, s:{}, s:[]}", "schema_version", 1, "context", "results");
		if (!pc->doc)
			goto out;
	}
	gb__res_machine(pc->doc, pc->machine, sizeof(pc->machine));
	gb__res_num(pc->doc, "context.topology.cores", &pc->cores);
	sel = calloc(json_array_size(json_object_get(pc->doc, "results")) + 1, sizeof(json_t *));
	if (!sel)
		goto out;
	err = gb__plot_all(pc, sel, doc != NULL, trace ? &trace : NULL, trace ? 1 : 0);
	if (!err) {
		snprintf(path, sizeof(path), "%s/report.md", pc->outdir);
		err = gb_report_md_write(path, pc->doc, sources, contexts, doc ? 1 : 0, pc->charts,
		                         pc->ncharts);
	}
out:
	json_decref(pc->doc);
	json_decref(pc->base);
	free(sel);
	free(pc);
	return err;
}

#endif
