/*
 * cmd.h - the subcommands of the gilbench executable. Each returns the
 * process exit status (0 ok, 1 usage or input error, 2 a cell failed,
 * 3 compare found a regression or fidelity a ratio that departs); only
 * main() exits.
 */
#ifndef GB_CMD_H
#define GB_CMD_H

int gb_cmd_list(int argc, char **argv);
int gb_cmd_run(int argc, char **argv);
int gb_cmd_demo(int argc, char **argv);
int gb_cmd_micro(int argc, char **argv);
int gb_cmd_compare(int argc, char **argv);
int gb_cmd_export(int argc, char **argv);
int gb_cmd_plot(int argc, char **argv);
int gb_cmd_fidelity(int argc, char **argv);
int gb_cmd_show(int argc, char **argv);

#endif
