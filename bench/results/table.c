/*
 * table.c - the table of result cells, one row per cell, in text,
 * markdown, csv or json: what run prints at its end, what `gilbench show`
 * prints of a saved file, and run's --export-markdown/--export-csv. The
 * metric columns are metrics.def's rows flagged TABLE (shown when some
 * cell has them), a summary's interval is read through gb_summary_ci and
 * a cell is named by gb_cell_label. It does not load, merge or write files
 * (the callers do) and judges nothing (compare does).
 */
#include "table.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "report_json.h"
#include "status.h"
#include "warnings.h"

#define TB_MAXCOLS 64

/* The grid of one table: n strings, row after row of ncols, row 0 the headings. */
struct tb_grid {
	char **s;
	size_t n, ncols, cap;
};

static int tb_put(struct tb_grid *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int tb_put(struct tb_grid *g, const char *fmt, ...)
{
	va_list ap;
	char *str = NULL;
	int n;

	if (g->n >= g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		char **ns = realloc(g->s, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		g->s = ns;
		g->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&str, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	g->s[g->n++] = str;
	return 0;
}

static void tb_grid_free(struct tb_grid *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->s[i]);
	free(g->s);
}

int gb_table_format_parse(const char *s, enum gb_table_format *out)
{
	static const char *const names[] = {"text", "markdown", "csv", "json"};

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum gb_table_format)i;
			return 0;
		}
	return -EINVAL;
}

/* metrics.<a.b> of a cell: the object at a dotted path, or NULL. */
static json_t *tb_path(json_t *o, const char *path)
{
	char part[96];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		o = json_object_get(o, part);
		path += n + (path[n] == '.');
	}
	return o;
}

/* The summary object (or value) of metric m in a cell's metrics. */
static json_t *tb_metric(json_t *cell, const struct gb_metric *m)
{
	return m->path ? tb_path(json_object_get(cell, "metrics"), m->path) : NULL;
}

/* m's headline value in cell: the median of a summary, else the number. */
static int tb_value(json_t *cell, const struct gb_metric *m, double *v)
{
	json_t *o = tb_metric(cell, m);

	if (json_is_object(o))
		o = json_object_get(o, "median");
	if (!json_is_number(o))
		return 0;
	*v = json_number_value(o);
	return 1;
}

/* The TABLE metrics that some cell of results[first..] has, in metrics.def order. */
static size_t tb_columns(json_t *results, size_t first, const struct gb_metric **cols)
{
	size_t n = 0;
	double v;

	for (size_t i = 0; i < gb_nmetric_defs && n < TB_MAXCOLS; i++) {
		const struct gb_metric *m = &gb_metric_defs[i];
		int has = 0;

		if (!(m->flags & GB_METRIC_TABLE))
			continue;
		for (size_t c = first; c < json_array_size(results) && !has; c++)
			has = tb_value(json_array_get(results, c), m, &v);
		if (has)
			cols[n++] = m;
	}
	return n;
}

/* The cell's label in a malloc'd string. */
static char *tb_label(json_t *results, size_t first, json_t *cell)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	gb_cell_label(f, results, first, cell);
	fclose(f);
	return buf;
}

/*
 * csv's unformatted numbers: the 10 significant digits a result file holds
 * (results_io.c writes them so), the fewest that give that value back, so
 * run's --export-csv and `show --format csv` of its file agree.
 */
static void tb_exact(char *buf, size_t len, double v)
{
	double file;

	snprintf(buf, len, "%.10g", v);
	file = strtod(buf, NULL);
	for (int p = 1; p <= 10; p++) {
		snprintf(buf, len, "%.*g", p, file);
		if (strtod(buf, NULL) == file)
			return;
	}
}

/* The headings: text and markdown say units, csv names keys. */
static int tb_headings(struct tb_grid *g, const struct gb_metric **cols, size_t ncols, int csv)
{
	int err = csv ? tb_put(g, "cell") || tb_put(g, "model") || tb_put(g, "workload") ||
	                          tb_put(g, "status") || tb_put(g, "reps") || tb_put(g, "reps_stop")
	              : tb_put(g, "cell") || tb_put(g, "status") || tb_put(g, "reps");

	for (size_t i = 0; i < ncols && !err; i++) {
		const struct gb_metric *m = cols[i];
		int summary = m->reduce == GB_METRIC_REDUCE_SUMMARY;

		if (csv)
			err = tb_put(g, "%s", m->key) ||
			      (summary &&
			       (tb_put(g, "%s_ci_lo", m->key) || tb_put(g, "%s_ci_hi", m->key) ||
			        tb_put(g, "%s_ci_level", m->key)));
		else
			err = tb_put(g, "%s", m->col_head ? m->col_head : m->key) ||
			      (summary && tb_put(g, "interval (level)"));
	}
	return err || (csv && tb_put(g, "error")) ? -ENOMEM : 0;
}

/* One metric's cells of a row. */
static int tb_row_metric(struct tb_grid *g, json_t *cell, const struct gb_metric *m, int csv)
{
	double v, lo, hi, level;
	int has = tb_value(cell, m, &v);
	int ci = has && gb_summary_ci(tb_metric(cell, m), &lo, &hi, &level) == 0;
	char a[40], b[40], c[40];

	if (!has)
		return tb_put(g, "%s", "") ||
		       (m->reduce == GB_METRIC_REDUCE_SUMMARY &&
		        (csv ? tb_put(g, "%s", "") || tb_put(g, "%s", "") || tb_put(g, "%s", "")
		             : tb_put(g, "%s", "")));
	if (csv) {
		tb_exact(a, sizeof(a), v);
		if (tb_put(g, "%s", a))
			return -ENOMEM;
		if (m->reduce != GB_METRIC_REDUCE_SUMMARY)
			return 0;
		if (!ci)
			return tb_put(g, "%s", "") || tb_put(g, "%s", "") || tb_put(g, "%s", "");
		tb_exact(a, sizeof(a), lo);
		tb_exact(b, sizeof(b), hi);
		tb_exact(c, sizeof(c), level);
		return tb_put(g, "%s", a) || tb_put(g, "%s", b) || tb_put(g, "%s", c);
	}
	if (tb_put(g, strcmp(m->unit, "x") == 0 ? "%.2fx" : "%.4g", v))
		return -ENOMEM;
	if (m->reduce != GB_METRIC_REDUCE_SUMMARY)
		return 0;
	return ci ? tb_put(g, "%.4g to %.4g (%.4g%%)", lo, hi, 100 * level) : tb_put(g, "%s", "");
}

/* The row of one cell. */
static int tb_row(struct tb_grid *g, json_t *results, size_t first, json_t *cell,
                  const struct gb_metric **cols, size_t ncols, int csv)
{
	json_t *params = json_object_get(cell, "params");
	const char *stop = json_string_value(json_object_get(params, "reps_stop"));
	const char *err = json_string_value(json_object_get(cell, "error"));
	/* the repetitions kept, as run: none for a cell that did not run */
	size_t reps = json_array_size(json_object_get(json_object_get(cell, "samples"), "wall_s"));
	char *label = tb_label(results, first, cell);
	int rc;

	if (!label)
		return -ENOMEM;
	rc = tb_put(g, "%s", label);
	free(label);
	if (csv)
		rc = rc || tb_put(g, "%s", json_string_value(json_object_get(cell, "model"))) ||
		     tb_put(g, "%s", json_string_value(json_object_get(cell, "workload")));
	rc = rc || tb_put(g, "%s", gb_cell_status_name(gb_cell_status(cell)));
	/* adaptive repetitions say why they stopped; fixed ones need not */
	if (csv)
		rc = rc || tb_put(g, "%zu", reps) || tb_put(g, "%s", stop ? stop : "");
	else if (stop)
		rc = rc || tb_put(g, "%zu (%s)", reps, stop);
	else
		rc = rc || tb_put(g, "%zu", reps);
	for (size_t i = 0; i < ncols && !rc; i++)
		rc = tb_row_metric(g, cell, cols[i], csv);
	if (csv && !rc)
		rc = tb_put(g, "%s", err ? err : "");
	return rc ? -ENOMEM : 0;
}

/* Display width of s: UTF-8 continuation bytes (µ) take no column. */
static size_t tb_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
static void tb_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void tb_print(FILE *f, const struct tb_grid *g, enum gb_table_format fmt)
{
	size_t w[TB_MAXCOLS * 4 + 8] = {0}, nc = g->ncols, rows = g->n / nc;

	for (size_t i = 0; i < rows * nc; i++)
		if (tb_width(g->s[i]) > w[i % nc])
			w[i % nc] = tb_width(g->s[i]);
	for (size_t r = 0; r < rows; r++) {
		size_t last = nc; /* text: no padding after the row's last non-empty cell */

		while (fmt == GB_TABLE_TEXT && last > 1 && !g->s[r * nc + last - 1][0])
			last--;
		for (size_t c = 0; c < last; c++) {
			const char *s = g->s[r * nc + c];
			int pad = (int)(w[c] - tb_width(s));

			if (fmt == GB_TABLE_CSV) {
				if (c)
					fputc(',', f);
				tb_csv_field(f, s);
			} else if (fmt == GB_TABLE_MARKDOWN) {
				fputs("| ", f);
				for (const char *p = s; *p; p++)
					fputs(*p == '|' ? "\\|" : (char[2]){*p, 0}, f);
				fprintf(f, "%*s ", pad, "");
			} else {
				fprintf(f, c + 1 < last ? "%s%*s  " : "%s", s,
				        c + 1 < last ? pad : 0, "");
			}
		}
		fputs(fmt == GB_TABLE_MARKDOWN ? "|\n" : "\n", f);
		if (r == 0 && fmt == GB_TABLE_MARKDOWN) {
			for (size_t c = 0; c < nc; c++)
				fprintf(f, "| %s ", c < 3 ? ":--" : "--:");
			fputs("|\n", f);
		}
	}
}

/* One row object of the json format: the numbers, not their text. */
static json_t *tb_json_row(json_t *results, size_t first, json_t *cell,
                           const struct gb_metric **cols, size_t ncols)
{
	char *label = tb_label(results, first, cell);
	json_t *params = json_object_get(cell, "params");
	size_t reps = json_array_size(json_object_get(json_object_get(cell, "samples"), "wall_s"));
	json_t *row = json_pack("{s:s?, s:O?, s:O?, s:s, s:I, s:O?}", "cell", label, "model",
	                        json_object_get(cell, "model"), "workload",
	                        json_object_get(cell, "workload"), "status",
	                        gb_cell_status_name(gb_cell_status(cell)), "reps", (json_int_t)reps,
	                        "reps_stop", json_object_get(params, "reps_stop"));
	double v, lo, hi, level;

	free(label);
	for (size_t i = 0; row && i < ncols; i++) {
		if (!tb_value(cell, cols[i], &v))
			continue;
		if (gb_summary_ci(tb_metric(cell, cols[i]), &lo, &hi, &level) == 0)
			json_object_set_new(row, cols[i]->key,
			                    json_pack("{s:f, s:[f,f], s:f}", "median", v, "ci", lo,
			                              hi, "ci_level", level));
		else
			json_object_set_new(row, cols[i]->key, json_real(v));
	}
	if (row && json_object_get(cell, "error"))
		json_object_set(row, "error", json_object_get(cell, "error"));
	return row;
}

static int tb_write_json(FILE *f, json_t *results, size_t first, const struct gb_metric **cols,
                         size_t ncols)
{
	json_t *rows = json_array();
	int rc = rows ? 0 : -ENOMEM;

	for (size_t i = first; !rc && i < json_array_size(results); i++)
		if (json_array_append_new(
		            rows,
		            tb_json_row(results, first, json_array_get(results, i), cols, ncols)))
			rc = -ENOMEM;
	if (!rc && (json_dumpf(rows, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) ||
	            fputc('\n', f) == EOF))
		rc = -EIO;
	json_decref(rows);
	return rc;
}

int gb_table_write(FILE *f, json_t *doc, size_t first, enum gb_table_format fmt)
{
	json_t *results = json_object_get(doc, "results");
	const struct gb_metric *cols[TB_MAXCOLS];
	size_t ncols = tb_columns(results, first, cols);
	struct tb_grid g = {0};
	int csv = fmt == GB_TABLE_CSV, rc;

	if (fmt == GB_TABLE_JSON)
		return tb_write_json(f, results, first, cols, ncols);
	rc = tb_headings(&g, cols, ncols, csv);
	g.ncols = g.n;
	for (size_t i = first; !rc && i < json_array_size(results); i++)
		rc = tb_row(&g, results, first, json_array_get(results, i), cols, ncols, csv);
	if (!rc)
		tb_print(f, &g, fmt);
	tb_grid_free(&g);
	return rc;
}

char *gb_table_text(json_t *doc, size_t first, enum gb_table_format fmt, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	if (gb_table_write(f, doc, first, fmt) != 0) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

size_t gb_table_problems(FILE *f, json_t *doc, size_t first)
{
	json_t *results = json_object_get(doc, "results");
	size_t n = 0;

	for (size_t i = first; i < json_array_size(results); i++) {
		json_t *cell = json_array_get(results, i);
		const char *err = json_string_value(json_object_get(cell, "error"));

		if (gb_cell_is_ok(cell))
			continue;
		fprintf(f, "%s: ", gb_cell_status_name(gb_cell_status(cell)));
		gb_cell_label(f, results, first, cell);
		fprintf(f, ": %s\n", err ? err : "no reason given");
		n++;
	}
	return n;
}
