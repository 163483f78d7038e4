/*
 * cmd_demo.c - `gilbench demo MODEL`: the lecture's bob/alice program run
 * by a model, its output printed as Python prints it, then the wall time.
 * It measures once, in this process, with no statistics.
 */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "cmd.h"
#include "log.h"
#include "registry.h"
#include "runner.h"

int gb_cmd_demo(int argc, char **argv)
{
	struct gb_cell cell = {0};
	char why[512];
	json_t *sample = NULL;
	int err;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: gilbench demo MODEL\n\n"
		       "Runs the lecture's program (bob sleeps 0.3 s, alice 0.1 s; each prints\n"
		       "'hello NAME' and returns 'NAME done!') under MODEL and prints its output\n"
		       "in the order Python would, then the wall time.\n");
		return 0;
	}
	if (argc != 2) {
		gb_err("demo", "expected one model name (see 'gilbench list')");
		return 1;
	}
	cell.model = gb_model_find(argv[1]);
	if (!cell.model) {
		gb_err("demo", "unknown model '%s' (see 'gilbench list')", argv[1]);
		return 1;
	}
	if (!(cell.model->workloads & GB_WL_BIT(GB_WL_SEED))) {
		gb_err("demo", "model %s does not run the seed workload", argv[1]);
		return 1;
	}
	gb_params_defaults(&cell.p, 0);
	cell.p.workload = GB_WL_SEED;
	cell.p.tasks = 2;
	cell.placement = GB_PLACE_NONE;
	err = gb_runner_once(&cell, 1, &sample, why, sizeof(why));
	if (err) {
		gb_err("demo", "%s", why);
		return 2;
	}
	printf("(%s: %.3f s)\n", cell.model->name,
	       json_number_value(json_object_get(sample, "wall_s")));
	json_decref(sample);
	return 0;
}
