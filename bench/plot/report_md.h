/*
 * report_md.h - the markdown report `gilbench plot` writes beside its
 * charts, and the few result-file helpers it shares with plot.c so that a
 * model is named, ordered and described the same way in tables and charts.
 */
#ifndef GB_REPORT_MD_H
#define GB_REPORT_MD_H

#include <stddef.h>

#include <jansson.h>

/* One chart the report embeds (or lists as not drawn when file is empty). */
struct gb_report_chart {
	const char *title;   /* "CPU scaling" */
	char file[256];      /* relative to the report: "cpu_scaling.png"; "" = not drawn */
	char sentence[2048]; /* what it shows, from the data; or why it was not drawn */
};

/*
 * Writes the report to `path` atomically: the source files and the commands
 * that made them (each context's "commands" list, else its "command";
 * contexts[i] is sources[i]'s), the machine (doc's context), a table per
 * workload of doc's results, warnings, then each chart with its sentence.
 * 0 or -errno (after one line on stderr).
 */
int gb_report_md_write(const char *path, json_t *doc, const char *const *sources,
                       json_t *const *contexts, size_t nsources,
                       const struct gb_report_chart *charts, size_t ncharts);

/* The number at a dotted path ("metrics.wall_s.median"): 0, or -ENOENT. */
int gb__res_num(json_t *obj, const char *path, double *out);

/* The string at a dotted path, or NULL. */
const char *gb__res_str(json_t *obj, const char *path);

/*
 * Result files measured on real CPython (scripts/cpython/) name their models
 * "cpython-threads", "cpython-processes", ...: the model they are compared with,
 * prefixed.
 */
#define GB__RES_CPYTHON "cpython-"

/* The model without the "cpython-" prefix: "threads" for cpython-threads. */
const char *gb__res_base_model(json_t *cell);

/* Whether the cell was measured on real CPython (model "cpython-..."). */
int gb__res_is_cpython(json_t *cell);

/*
 * A cell's series: key (no spaces, the style key of scripts/plot/style.gp:
 * "threads_new", "processes") and title ("threads (gil new)"). Threads are
 * split by GIL policy because the policy is what their story is about. A
 * CPython cell gets its simulated twin's key prefixed "cpy_" (same colour,
 * hollow point, dashed line) and a title with the Python version, from
 * "_context.python_version" (the context of the cell's file, which plot.c
 * links into each cell) or params.python_version: "threads (CPython 3.11)".
 */
void gb__res_series(json_t *cell, char *key, size_t keylen, char *title, size_t titlelen);

/*
 * Sort rank of a series key: serial, threads by policy, processes, ...; a
 * "cpy_" key right after its simulated twin.
 */
int gb__res_rank(const char *key);

/* The machine in one line (CPU model, cores, PUs, host, date, version). */
void gb__res_machine(json_t *doc, char *buf, size_t len);

/*
 * Identity params other than tasks and gil whose value differs between the
 * cells of workload `wl`: what a row label needs to tell two cells apart.
 * Fills keys[0..cap) (borrowed from results) and returns how many.
 */
size_t gb__res_varying(json_t *results, const char *wl, const char **keys, size_t cap);

/*
 * A number as people read it, three significant figures: 3160, 42.1,
 * 0.0602, 0.0000125, 35.3M, 12.4k; never 3.16e+03.
 */
void gb__res_fmt_num(char *buf, size_t len, double x);

/* A param value as short text: 2, 0.005, 0.00005, "new" without quotes. */
void gb__res_value_text(json_t *v, char *buf, size_t len);

#endif
