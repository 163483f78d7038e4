/*
 * show.c - `gilbench show RESULTS.json...`: a saved run as a readable
 * table, as `pyperf show` prints one: repeated cells merged (the one merge,
 * gb_results_merge_duplicates), then bench/results/table.c's table in
 * text, markdown, csv or json, and in text a line per cell that did not
 * run. Loading and checking a file is results_io's; judging is compare's.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "identity.h"
#include "log.h"
#include "results_io.h"
#include "suggest.h"
#include "table.h"

static void show_usage(FILE *f)
{
	fprintf(f, "usage: gilbench show RESULTS.json... [options]\n"
	           "\n"
	           "Prints each result file as a table, one row per cell (repeated cells\n"
	           "merged): status, repetitions, the wall median with its confidence\n"
	           "interval and that interval's level, the speedup and each workload's\n"
	           "headline (ops/s, latency p50/p99), then a line per cell skipped or failed.\n"
	           "\n"
	           "  -f, --format F   text (default), markdown, csv or json (machine-readable)\n"
	           "  -h, --help       this text\n"
	           "\n"
	           "Exit status: 0, or 1 when a file cannot be read (one line each).\n");
}

static const struct option show_opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* One file: loaded, merged, printed. 0, or 1 (its line printed). */
static int show_file(const char *path, enum gb_table_format fmt, int heading)
{
	json_t *doc = NULL;
	size_t merged = 0;
	int rc = 0;

	if (gb_results_load(path, &doc) != 0)
		return 1;
	if (gb_results_merge_duplicates(doc, &merged) != 0) {
		gb_err(path, "out of memory");
		json_decref(doc);
		return 1;
	}
	if (heading && fmt == GB_TABLE_TEXT)
		printf("%s:\n", path);
	else if (heading && fmt == GB_TABLE_MARKDOWN)
		printf("### %s\n\n", path);
	if (gb_table_write(stdout, doc, 0, fmt) != 0) {
		gb_err(path, "out of memory");
		rc = 1;
	}
	if (fmt == GB_TABLE_TEXT) {
		gb_table_problems(stdout, doc, 0);
		if (merged)
			printf("(%zu repeated cell%s merged)\n", merged, merged == 1 ? "" : "s");
	}
	json_decref(doc);
	return rc;
}

int gb_cmd_show(int argc, char **argv)
{
	enum gb_table_format fmt = GB_TABLE_TEXT;
	int c, rc = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", show_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (gb_table_format_parse(optarg, &fmt) != 0) {
				gb_err("show", "--format: '%s' is not text, markdown, csv or json",
				       optarg);
				return 1;
			}
			break;
		case 'h':
			show_usage(stdout);
			return 0;
		case ':':
			gb_err("show", "option '%s' needs a value", argv[optind - 1]);
			return 1;
		default: {
			char hint[96];

			gb_err("show", "unknown option '%s'%s", argv[optind - 1],
			       gb_suggest_option_hint(hint, sizeof(hint), argv[optind - 1],
			                              show_opts, " (see 'gilbench show --help')"));
			return 1;
		}
		}
	}
	if (optind >= argc) {
		gb_err("show", "expected a result file (try 'gilbench show --help')");
		return 1;
	}
	/* json: one array per file would not be one document, so one file only */
	if (fmt == GB_TABLE_JSON && argc - optind > 1) {
		gb_err("show", "--format json prints one file at a time");
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		if (i > optind && fmt != GB_TABLE_CSV)
			putchar('\n');
		rc |= show_file(argv[i], fmt, argc - optind > 1);
	}
	return rc;
}
