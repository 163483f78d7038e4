/*
 * main.c - the gilbench executable: picks the subcommand and exits with
 * its status. Everything else lives in the subcommands (the cmd_ fronts of each
 * bench/ folder); `help CMD` and "did you mean" for a mistyped command are here.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "suggest.h"

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
        {"show", gb_cmd_show, "print a result file as a table of its cells"},
        {"compare", gb_cmd_compare, "compare two result files; exit 3 on a regression"},
        {"export", gb_cmd_export, "convert a result file for other benchmark tools"},
        {"plot", gb_cmd_plot, "draw charts from result files with gnuplot"},
        {"fidelity", gb_cmd_fidelity, "simulated vs real CPython ratios; exit 3 if one departs"},
};

#define MAIN_NCMDS (sizeof(main_cmds) / sizeof(main_cmds[0]))

static const struct main_cmd *main_find(const char *name)
{
	for (size_t i = 0; i < MAIN_NCMDS; i++)
		if (strcmp(name, main_cmds[i].name) == 0)
			return &main_cmds[i];
	return NULL;
}

static void main_unknown(const char *name)
{
	const char *names[MAIN_NCMDS + 1];
	char hint[96];

	for (size_t i = 0; i < MAIN_NCMDS; i++)
		names[i] = main_cmds[i].name;
	names[MAIN_NCMDS] = "help";
	if (*gb_suggest_hint(hint, sizeof(hint), name, names, MAIN_NCMDS + 1))
		gb_err(name, "unknown command%s", hint);
	else
		gb_err(name, "unknown command (try 'gilbench --help')");
}

static void main_usage(FILE *f)
{
	fprintf(f, "usage: gilbench <command> [options]   (gilbench <command> --help)\n\n"
	           "commands:\n");
	for (size_t i = 0; i < MAIN_NCMDS; i++)
		fprintf(f, "  %-8s %s\n", main_cmds[i].name, main_cmds[i].summary);
	fprintf(f, "  %-8s %s\n", "help", "gilbench help COMMAND: that command's --help");
	fprintf(f, "\n  --version  print the version\n  --help     this text\n");
}

/* `gilbench help [COMMAND]`, as git's: the command's own --help. */
static int main_help(int argc, char **argv)
{
	const struct main_cmd *c;
	char *args[3] = {NULL, "--help", NULL};

	if (argc < 3) {
		main_usage(stdout);
		return 0;
	}
	if (argc > 3) {
		gb_err("help", "one command at a time (gilbench help COMMAND)");
		return 1;
	}
	c = main_find(argv[2]);
	if (!c) {
		main_unknown(argv[2]);
		return 1;
	}
	args[0] = argv[2];
	return c->fn(2, args);
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
	if (strcmp(argv[1], "help") == 0)
		return main_help(argc, argv);
	if (main_find(argv[1]))
		return main_find(argv[1])->fn(argc - 1, argv + 1);
	main_unknown(argv[1]);
	return 1;
}
