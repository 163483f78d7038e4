/*
 * table.h - the readable table of a run's cells, one row per cell: the
 * summary `gilbench run` prints at its end, `gilbench show`, and run's
 * --export-markdown / --export-csv files. Its metric columns are the rows
 * of metrics.def flagged TABLE; its labels are gb_cell_label's.
 */
#ifndef GB_TABLE_H
#define GB_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum gb_table_format {
	GB_TABLE_TEXT,     /* aligned columns for a terminal */
	GB_TABLE_MARKDOWN, /* a GitHub table */
	GB_TABLE_CSV,      /* RFC 4180: a header row, one row per cell, numbers unformatted */
	GB_TABLE_JSON,     /* an array of row objects */
};

/* "text", "markdown", "csv" or "json": 0 and *out, or -EINVAL. */
int gb_table_format_parse(const char *s, enum gb_table_format *out);

/*
 * Writes the table of doc's results[first..] to f: columns cell, status,
 * reps, then each TABLE metric of metrics.def that some of the cells have
 * (a summary's median with its interval and the interval's level), and in
 * csv and json the error of a cell that did not run. 0, or -errno.
 */
int gb_table_write(FILE *f, json_t *doc, size_t first, enum gb_table_format fmt);

/* The same table in a malloc'd string (*len its length); NULL on out of memory. */
char *gb_table_text(json_t *doc, size_t first, enum gb_table_format fmt, size_t *len);

/*
 * One line per cell of results[first..] that is not ok: "skipped:
 * threads/seed tasks=3: <its error>". Returns the number of lines.
 */
size_t gb_table_problems(FILE *f, json_t *doc, size_t first);

#endif
