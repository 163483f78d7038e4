/*
 * cli.h - `gilbench run` options: parsing, checking, and expanding comma
 * lists into the matrix of cells.
 */
#ifndef GB_CLI_H
#define GB_CLI_H

#include <stddef.h>

#include "run.h"

#define GB_CLI_LIST_MAX 32

struct gb_matrix {
	/* Comma lists: each becomes a dimension of the matrix. */
	const struct gb_model_ops *models[GB_CLI_LIST_MAX];
	unsigned nmodels;
	enum gb_workload workloads[GB_CLI_LIST_MAX];
	unsigned nworkloads;
	unsigned tasks[GB_CLI_LIST_MAX];
	unsigned ntasks;
	const char *gils[GB_CLI_LIST_MAX];
	unsigned ngils;
	double intervals[GB_CLI_LIST_MAX];
	unsigned nintervals;
	double natives[GB_CLI_LIST_MAX];
	unsigned nnatives;
	enum gb_placement placements[GB_CLI_LIST_MAX];
	unsigned nplacements;
	uint64_t yields[GB_CLI_LIST_MAX];
	unsigned nyields;
	unsigned checks[GB_CLI_LIST_MAX];
	unsigned nchecks;

	struct gb_params base; /* every other knob */
	const char *cpus;
	unsigned reps, warmup;
	double timeout_s;
	int quick, quiet, append, baseline;
	const char *out;                   /* -o, NULL = stdout */
	const char *format;                /* json, gbench, bmf, gab, pyperf */
	const char *trace;                 /* --trace FILE */
	enum gb_trace_format trace_format; /* --trace-format, else by FILE's extension */
	char *argv_joined;                 /* the command, for context */
	char *strings;                     /* owned copies of list items */

	struct gb_cell *cells;
	unsigned ncells;
};

/* 0 ok, 1 bad input (one line printed), -1 --help was printed (exit 0). */
int gb_cli_parse_run(int argc, char **argv, struct gb_matrix *m);
void gb_cli_free(struct gb_matrix *m);
void gb_cli_usage_run(void);

#endif
