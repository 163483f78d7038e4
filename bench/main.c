/*
 * main.c - the gilbench executable: picks the subcommand and exits with
 * its status. Everything else lives in the subcommands (bench/cmd_*.c).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"

struct main_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct main_cmd main_cmds[] = {
        {"list", gb_cmd_list, "list models, workloads and GIL policies"},
        {"run", gb_cmd_run, "run a matrix of cells and write results JSON"},
        {"demo", gb_cmd_demo, "run the lecture's bob/alice program under a model"},
        {"micro", gb_cmd_micro, "time the suite's own primitives against baselines"},
        {"compare", gb_cmd_compare, "compare two result files; exit 3 on a regression"},
        {"export", gb_cmd_export, "convert a result file for other benchmark tools"},
        {"plot", gb_cmd_plot, "draw charts from result files with gnuplot"},
        {"fidelity", gb_cmd_fidelity, "simulated vs real CPython ratios; exit 3 if one departs"},
};

static void main_usage(FILE *f)
{
	fprintf(f, "usage: gilbench <command> [options]   (gilbench <command> --help)\n\n"
	           "commands:\n");
	for (size_t i = 0; i < sizeof(main_cmds) / sizeof(main_cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", main_cmds[i].name, main_cmds[i].summary);
	fprintf(f, "\n  --version  print the version\n  --help     this text\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		gb_err(NULL, "no command given");
		main_usage(stderr);
		return 1;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		main_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("gilbench %s\n", GB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(main_cmds) / sizeof(main_cmds[0]); i++)
		if (strcmp(argv[1], main_cmds[i].name) == 0)
			return main_cmds[i].fn(argc - 1, argv + 1);
	gb_err(argv[1], "unknown command (try 'gilbench --help')");
	return 1;
}
