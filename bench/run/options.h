/*
 * options.h - `gilbench run` options: parsing, checking, and expanding comma
 * lists into the matrix of cells.
 */
#ifndef GB_CLI_H
#define GB_CLI_H

#include <stddef.h>

#include "run.h"

#define GB_CLI_LIST_MAX 32

/* One value of a comma list: a number (an enum's index) or a string. */
union gb_cli_value {
	double num;
	const char *str;
};

struct gb_matrix {
	/* Comma lists: each becomes a dimension of the matrix. The models and
	 * workloads, then one per GB_PAR_LIST row of host/params.def. */
	const struct gb_model_ops *models[GB_CLI_LIST_MAX];
	unsigned nmodels;
	enum gb_workload workloads[GB_CLI_LIST_MAX];
	unsigned nworkloads;
	struct gb_cli_dim {
		union gb_cli_value v[GB_CLI_LIST_MAX];
		unsigned n;
	} dims[GB_PARAM__COUNT];

	struct gb_params base; /* every other knob */
	const char *cpus;
	hwloc_bitmap_t cpuset; /* --cpus parsed once (owned), NULL without --cpus */
	unsigned reps, warmup;
	/* Adaptive repetitions (--min-reps, --max-reps, --target-ci; any of
	 * them turns it on): reps is then unused, and a cell repeats from
	 * min_reps to max_reps until the median's interval of wall_s is
	 * within target_ci percent of it. */
	int adaptive;
	unsigned min_reps, max_reps;
	double target_ci;
	unsigned given; /* 1u << gb_param_id of the measurement options given */
	double timeout_s;
	int quick, quiet, append, baseline;
	const char *out;                    /* -o, NULL = stdout */
	const char *format;                 /* json, gbench, bmf, gab, pyperf */
	const char *trace;                  /* --trace FILE */
	const char *export_md, *export_csv; /* --export-markdown/--export-csv FILE: the table */
	enum gb_trace_format trace_format;  /* --trace-format, else by FILE's extension */
	char *argv_joined;                  /* the command, for context */
	char *strings;                      /* owned copies of list items */

	struct gb_cell *cells;
	unsigned ncells;
};

/*
 * 0 ok, 1 bad input (one line printed), -1 --help was printed (exit 0).
 * The options, their ranges and defaults are host/params.def's rows.
 */
int gb_cli_parse_run(int argc, char **argv, struct gb_matrix *m);
void gb_cli_free(struct gb_matrix *m);
void gb_cli_usage_run(void);

#endif
