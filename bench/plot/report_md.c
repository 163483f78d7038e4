/*
 * report_md.c - the markdown report of `gilbench plot`: the machine, one
 * table per workload, the warnings the harness attached to cells, and each
 * chart with the sentence plot.c derived from its data. It reads only what
 * the result file already holds (medians, CIs, metrics); it computes no
 * statistics and draws nothing.
 */
#include "report_md.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "log.h"
#include "metrics.h"
#include "results_io.h"
#include "stats.h"
#include "status.h"
#include "warnings.h"

/* The value at a dotted path ("metrics.wall_s.median"), or NULL. */
static json_t *res_path(json_t *obj, const char *path)
{
	char part[64];
	const char *p = path;

	while (obj && *p) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		obj = json_is_object(obj) ? json_object_get(obj, part) : NULL;
		p += n;
		if (*p == '.')
			p++;
	}
	return obj;
}

int gb__res_num(json_t *obj, const char *path, double *out)
{
	json_t *v = res_path(obj, path);

	if (!json_is_number(v))
		return -ENOENT;
	*out = json_number_value(v);
	return 0;
}

const char *gb__res_str(json_t *obj, const char *path)
{
	return json_string_value(res_path(obj, path));
}

/* Style keys are gnuplot words: keep them to [A-Za-z0-9_]. */
static void report_keyify(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			*s = '_';
}

/* "CPython 3.11" from the context of the file the cell came from (plot.c links it). */
static void report_python(json_t *cell, char *buf, size_t len)
{
	const char *v = gb__res_str(cell, "_context.python_version");
	size_t n = 0;

	if (!v)
		v = gb__res_str(cell, "params.python_version");
	if (!v || !*v) {
		snprintf(buf, len, "CPython");
		return;
	}
	/* "3.11.2 (main, ...)": major.minor is what tells runs apart. */
	for (int dots = 0; v[n] && v[n] != ' '; n++)
		if (v[n] == '.' && ++dots == 2)
			break;
	snprintf(buf, len, "CPython %.*s", (int)n, v);
}

/*
 * A cell of a file that holds cells another file charted with it also holds
 * (plot.c tags it "_source" and "_source_n"): its series is that file's,
 * "threads (gil new) [host-b]", key "threads_new__s2" (style.gp draws it in
 * the model's colour with its own dash and a hollow point).
 */
static void report_source(json_t *cell, char *key, size_t keylen, char *title, size_t titlelen)
{
	const char *src = gb__res_str(cell, "_source");
	double n = 0;
	size_t kl = strlen(key), tl = strlen(title);

	if (!src || gb__res_num(cell, "_source_n", &n) != 0)
		return;
	snprintf(key + kl, keylen - kl, "__s%.0f", n);
	snprintf(title + tl, titlelen - tl, " [%s]", src);
}

const char *gb__res_base_model(json_t *cell)
{
	const char *model = gb__res_str(cell, "model");

	if (!model)
		return "?";
	return strncmp(model, GB__RES_CPYTHON, strlen(GB__RES_CPYTHON)) == 0 &&
	                       model[strlen(GB__RES_CPYTHON)]
	               ? model + strlen(GB__RES_CPYTHON)
	               : model;
}

int gb__res_is_cpython(json_t *cell)
{
	const char *model = gb__res_str(cell, "model");

	return model && gb__res_base_model(cell) != model;
}

void gb__res_series(json_t *cell, char *key, size_t keylen, char *title, size_t titlelen)
{
	const char *model = gb__res_base_model(cell);
	const char *gil = gb__res_str(cell, "params.gil");

	if (gb__res_is_cpython(cell)) {
		char py[64];
		report_python(cell, py, sizeof(py));
		/* CPython's threads run under its own GIL: the new one unless told. */
		if (strcmp(model, "threads") == 0) {
			const char *g = gil && *gil ? gil : "new";
			snprintf(key, keylen, "cpy_threads_%s", g);
			if (strcmp(g, "new") == 0)
				snprintf(title, titlelen, "threads (%s)", py);
			else
				snprintf(title, titlelen, "threads (%s, gil %s)", py, g);
		} else {
			snprintf(key, keylen, "cpy_%s", model);
			snprintf(title, titlelen, "%s (%s)", model, py);
		}
	} else if (strcmp(model, "threads") == 0 && gil) {
		snprintf(key, keylen, "%s_%s", model, gil);
		snprintf(title, titlelen, "%s (gil %s)", model, gil);
	} else {
		snprintf(key, keylen, "%s", model);
		snprintf(title, titlelen, "%s", model);
	}
	report_keyify(key);
	report_source(cell, key, keylen, title, titlelen);
}

int gb__res_rank(const char *key)
{
	/* The order of scripts/plot/style.gp's gb_keys; keep the two in step. */
	static const char *const order[] = {
	        "serial",       "threads_new",      "threads_new312", "threads_legacy",
	        "threads_none", "threads_priority", "threads_fifo",   "threads",
	        "processes",    "greenlets",        "asyncio",        "callbacks",
	};
	int cpy = strncmp(key, "cpy_", 4) == 0, r = 100;
	size_t n;

	if (cpy)
		key += 4;
	/* A variant ("threads_legacy__pin", "serial__s2") ranks with its model. */
	n = strstr(key, "__") ? (size_t)(strstr(key, "__") - key) : strlen(key);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strlen(order[i]) == n && strncmp(key, order[i], n) == 0)
			r = (int)i;
	if (r == 100 && strncmp(key, "threads_", 8) == 0)
		r = 7;
	/* A CPython series right after the simulated one it is compared with. */
	return 2 * r + cpy;
}

void gb__res_machine(json_t *doc, char *buf, size_t len)
{
	json_t *ctx = json_object_get(doc, "context");
	const char *cpu = gb__res_str(ctx, "cpu_model");
	const char *host = gb__res_str(ctx, "host");
	const char *date = gb__res_str(ctx, "date");
	const char *ver = gb__res_str(ctx, "gilbench_version");
	const char *sha = gb__res_str(ctx, "git_sha");
	double cores = 0, pus = 0;
	size_t off = 0;

	gb__res_num(ctx, "topology.cores", &cores);
	gb__res_num(ctx, "topology.pus", &pus);
	off += (size_t)snprintf(buf, len, "%s", cpu && *cpu ? cpu : "unknown CPU");
	if (cores > 0 && off < len)
		off += (size_t)snprintf(buf + off, len - off, " · %.0f cores, %.0f PUs", cores,
		                        pus);
	if (host && *host && off < len)
		off += (size_t)snprintf(buf + off, len - off, " · %s", host);
	if (date && *date && off < len)
		off += (size_t)snprintf(buf + off, len - off, " · %.10s", date);
	if (ver && off < len)
		off += (size_t)snprintf(buf + off, len - off, " · gilbench %s", ver);
	if (sha && *sha && off < len)
		snprintf(buf + off, len - off, " (%.7s)", sha);
}

/* Markdown table cells may not hold '|' or line breaks. */
static void report_cell_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void report_value(FILE *f, json_t *v)
{
	char buf[256];

	gb__res_value_text(v, buf, sizeof(buf));
	report_cell_text(f, buf);
}

/* Trailing zeros (and a bare point) off a fixed-point number. */
static void report_trim(char *buf)
{
	char *e;

	if (!strchr(buf, '.'))
		return;
	e = buf + strlen(buf);
	while (e > buf && e[-1] == '0')
		*--e = '\0';
	if (e > buf && e[-1] == '.')
		e[-1] = '\0';
}

/* A param as given (0.00005, not 5e-05): fixed point, trailing zeros off. */
static void report_exact(char *buf, size_t len, double x)
{
	snprintf(buf, len, "%.15g", x);
	if (strchr(buf, 'e') && fabs(x) >= 1e-12 && fabs(x) < 1e15) {
		int dec = 15 - (int)floor(log10(fabs(x)));
		snprintf(buf, len, "%.*f", dec < 0 ? 0 : dec, x);
		report_trim(buf);
	}
}

void gb__res_fmt_num(char *buf, size_t len, double x)
{
	double a = fabs(x);

	if (isnan(x))
		snprintf(buf, len, "?");
	else if (isinf(x))
		snprintf(buf, len, "%s", x < 0 ? "-inf" : "inf");
	else if (a >= 1e12)
		snprintf(buf, len, "%.0fG", x / 1e9);
	else if (a >= 1e9)
		snprintf(buf, len, "%.3gG", x / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%.3gM", x / 1e6);
	else if (a >= 1e4)
		snprintf(buf, len, "%.3gk", x / 1e3);
	else if (a >= 100)
		snprintf(buf, len, "%.0f", x);
	else if (a >= 1e-4 || a == 0)
		snprintf(buf, len, "%.3g", x);
	else {
		/* %g turns to 1.2e-05 below 1e-4: three significant digits, fixed. */
		int dec = 2 - (int)floor(log10(a));
		snprintf(buf, len, "%.*f", dec > 20 ? 20 : dec, x);
		report_trim(buf);
	}
}

void gb__res_value_text(json_t *v, char *buf, size_t len)
{
	char *s;

	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		report_exact(buf, len, json_real_value(v));
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if ((s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY))) {
		snprintf(buf, len, "%s", s);
		free(s);
	} else
		snprintf(buf, len, "?");
}

/* Three significant figures, with k/M so ops/s and rates stay short. */
static void report_num(FILE *f, double x)
{
	char buf[64];

	gb__res_fmt_num(buf, sizeof(buf), x);
	fputs(buf, f);
}

static void report_machine(FILE *f, json_t *ctx)
{
	static const char *const plain[][2] = {
	        {"cpu_model", "CPU"},
	        {"kernel", "kernel"},
	        {"compiler", "compiler"},
	        {"host", "host"},
	        {"date", "date"},
	        {"hwloc_version", "hwloc"},
	        {"gilbench_version", "gilbench"},
	        {"git_sha", "git"},
	};
	json_t *topo = json_object_get(ctx, "topology");
	json_t *caches = json_object_get(topo, "caches");
	double v;

	fputs("## Machine\n\n| | |\n|---|---|\n", f);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		const char *s = gb__res_str(ctx, plain[i][0]);
		if (!s || !*s)
			continue;
		fprintf(f, "| %s | ", plain[i][1]);
		report_cell_text(f, s);
		fputs(" |\n", f);
	}
	if (json_is_object(topo)) {
		fputs("| topology |", f);
		if (!gb__res_num(topo, "packages", &v))
			fprintf(f, " %.0f package%s,", v, v == 1 ? "" : "s");
		if (!gb__res_num(topo, "cores", &v))
			fprintf(f, " %.0f cores,", v);
		if (!gb__res_num(topo, "pus", &v))
			fprintf(f, " %.0f PUs,", v);
		if (!gb__res_num(topo, "numa_nodes", &v))
			fprintf(f, " %.0f NUMA node%s", v, v == 1 ? "" : "s");
		fputs(" |\n", f);
	}
	if (json_array_size(caches)) {
		size_t i;
		json_t *c;
		fputs("| caches |", f);
		json_array_foreach(caches, i, c)
		{
			double lvl = 0, kib = 0, cnt = 0;
			const char *type = gb__res_str(c, "type");
			gb__res_num(c, "level", &lvl);
			gb__res_num(c, "size_kib", &kib);
			gb__res_num(c, "count", &cnt);
			fprintf(f, "%s L%.0f%s %.0f KiB x%.0f", i ? "," : "", lvl,
			        type && strcmp(type, "data") == 0          ? "d"
			        : type && strcmp(type, "instruction") == 0 ? "i"
			                                                   : "",
			        kib, cnt);
		}
		fputs(" |\n", f);
	}
	fputs("\n", f);
}

/*
 * The columns of a workload table, each shown only if some cell has it:
 * metrics.def's report columns, in their order. A speedup (unit x) is
 * shown as "1.23x", a fraction with two decimals.
 */
#define REPORT_NCOLS GB_METRIC_NCOLUMNS

/* The value of column c (0-based) in cell: 0, or -ENOENT. */
static int report_col_num(json_t *cell, size_t c, double *v)
{
	const struct gb_metric *m = gb_metric_column((unsigned)c + 1);
	char path[128];

	if (!m || gb_metric_value_path(m, path, sizeof(path)) != 0)
		return -ENOENT;
	return gb__res_num(cell, path, v);
}

static const char *report_col_unit(size_t c)
{
	const struct gb_metric *m = gb_metric_column((unsigned)c + 1);

	return m ? m->unit : "";
}

size_t gb__res_varying(json_t *results, const char *wl, const char **keys, size_t cap)
{
	size_t n = 0, i;
	json_t *cell;

	json_array_foreach(results, i, cell)
	{
		const char *k;
		json_t *v;
		if (strcmp(gb__res_str(cell, "workload"), wl) != 0)
			continue;
		json_object_foreach(json_object_get(cell, "params"), k, v)
		{
			int seen = 0, differs = 0;
			size_t j;
			json_t *other;
			if (gb_param_is_volatile(k) || strcmp(k, "tasks") == 0 ||
			    strcmp(k, "gil") == 0)
				continue;
			for (size_t m = 0; m < n; m++)
				seen |= strcmp(keys[m], k) == 0;
			if (seen || n == cap)
				continue;
			json_array_foreach(results, j, other)
			{
				if (strcmp(gb__res_str(other, "workload"), wl) != 0)
					continue;
				json_t *ov = json_object_get(json_object_get(other, "params"), k);
				if (!ov || !json_equal(ov, v))
					differs = 1;
			}
			if (differs)
				keys[n++] = k;
		}
	}
	return n;
}

/* Whether cell is of workload wl and of the series titled `title`. */
static int report_in_series(json_t *cell, const char *wl, const char *title)
{
	char k[64], tt[128];

	if (strcmp(gb__res_str(cell, "workload"), wl) != 0)
		return 0;
	gb__res_series(cell, k, sizeof(k), tt, sizeof(tt));
	return strcmp(tt, title) == 0;
}

/*
 * The identity params whose values differ between the cells of one series
 * of workload wl (tasks first): what names a cell within its series.
 */
static size_t report_series_varying(json_t *results, const char *wl, const char *title,
                                    const char **keys, size_t cap)
{
	size_t n = 0, i, j;
	json_t *cell, *other;

	json_array_foreach(results, i, cell)
	{
		const char *k;
		json_t *v;
		if (!report_in_series(cell, wl, title))
			continue;
		json_object_foreach(json_object_get(cell, "params"), k, v)
		{
			int seen = 0, differs = 0;
			if (gb_param_is_volatile(k) || n == cap)
				continue;
			for (size_t m = 0; m < n; m++)
				seen |= strcmp(keys[m], k) == 0;
			if (seen)
				continue;
			json_array_foreach(results, j, other)
			{
				json_t *ov;
				if (!report_in_series(other, wl, title))
					continue;
				ov = json_object_get(json_object_get(other, "params"), k);
				differs |= !ov || !json_equal(ov, v);
			}
			if (!differs)
				continue;
			if (strcmp(k, "tasks") == 0 && n) {
				keys[n++] = keys[0];
				keys[0] = k;
			} else {
				keys[n++] = k;
			}
		}
	}
	return n;
}

/*
 * A class of warning: a noise warning's metric and kind, without the
 * numbers (they differ from cell to cell and would make every warning its
 * own line; the group holds their ranges), or any other warning's text,
 * which is its own class.
 */
struct report_wclass {
	int noise;
	struct gb_warn_group g; /* noise: its metric and kind */
	const char *text;       /* other: the text (borrowed from a cell) */
};

static int report_has_class(json_t *cell, const struct report_wclass *c)
{
	size_t i;
	json_t *t;

	if (c->noise)
		return gb_warn_group_has(&c->g, cell);
	json_array_foreach(json_object_get(cell, "warnings"), i, t)
	{
		if (json_is_string(t) && strcmp(json_string_value(t), c->text) == 0)
			return 1;
	}
	return 0;
}

static int report_same_class(const struct report_wclass *a, const struct report_wclass *b)
{
	if (a->noise != b->noise)
		return 0;
	if (a->noise)
		return a->g.kind == b->g.kind && strcmp(a->g.metric, b->g.metric) == 0;
	return strcmp(a->text, b->text) == 0;
}

/*
 * The classes of the warnings of workload wl's cells, in the order first
 * met, into cls[0..cap); *nok = its ok cells. Returns how many.
 */
static size_t report_classes(json_t *results, const char *wl, struct report_wclass *cls, size_t cap,
                             size_t *nok)
{
	size_t n = 0, i, j;
	json_t *cell, *t;

	*nok = 0;
	json_array_foreach(results, i, cell)
	{
		if (strcmp(gb__res_str(cell, "workload"), wl) != 0)
			continue;
		*nok += gb_cell_is_ok(cell);
		json_array_foreach(json_object_get(cell, "warnings"), j, t)
		{
			struct report_wclass c = {.text = json_string_value(t)};
			struct gb_warn w;
			int seen = 0;

			if (!c.text)
				continue;
			if ((c.noise = gb_warn_of_text(cell, c.text, &w)))
				gb_warn_group_init(&c.g, w.metric, w.kind);
			for (size_t k = 0; k < n; k++)
				seen |= report_same_class(&cls[k], &c);
			if (!seen && n < cap)
				cls[n++] = c;
		}
	}
	return n;
}

/*
 * The head of a warning line: a noise class with the range of its numbers
 * over the workload's cells, "wall_s: cv above 5% (5.5% to 33%); 3
 * repetitions, 20 to 988 needed to detect a 5% change"; another as its text.
 */
static void report_warn_head(FILE *f, json_t *results, const char *wl, struct report_wclass *c)
{
	struct gb_warn w;
	size_t i;
	json_t *cell;

	fputs("- `", f);
	if (!c->noise) {
		report_cell_text(f, c->text);
		fputs("`", f);
		return;
	}
	json_array_foreach(results, i, cell)
	{
		if (strcmp(gb__res_str(cell, "workload"), wl) == 0 &&
		    gb_warn_of(cell, c->g.metric, &w) && w.kind == c->g.kind)
			gb_warn_group_add(&c->g, &w);
	}
	fprintf(f, "%s`: ", c->g.metric);
	if (c->g.kind == GB_WARN_NOISY) {
		fprintf(f, "cv above %.0f%% (", 100 * GB_STATS_NOISY_CV);
		gb_warn_put_range(f, 100 * c->g.cv_lo, 100 * c->g.cv_hi, "%.1f%%");
		fputs(")", f);
		/* A noisy cell's text names its repetitions only when they are too few. */
		if (!c->g.nfew)
			return;
		fputs("; ", f);
	}
	gb_warn_put_range(f, (double)c->g.few.n_lo, (double)c->g.few.n_hi, "%.0f");
	fputs(" repetitions, ", f);
	gb_warn_put_need(f, c->g.few.need_lo, c->g.few.need_hi);
	fputs(" needed to detect a 5% change", f);
}

/* with: a cell of class c; else an ok cell that is not. */
static int report_pick(json_t *cell, const struct report_wclass *c, int with)
{
	if (with)
		return report_has_class(cell, c);
	return gb_cell_is_ok(cell) && !report_has_class(cell, c);
}

/* "serial: tasks=1, 2, 4" or "threads (gil new): tasks=2 native_fraction=0.5, ...". */
static void report_warned_series(FILE *f, json_t *results, const char *wl, const char *title,
                                 const struct report_wclass *c, int with)
{
	const char *vary[16];
	size_t nv = report_series_varying(results, wl, title, vary, 16), i, k, nout = 0;
	json_t *cell;

	report_cell_text(f, title);
	json_array_foreach(results, i, cell)
	{
		json_t *params = json_object_get(cell, "params");
		if (!report_in_series(cell, wl, title) || !report_pick(cell, c, with) || !nv)
			continue;
		fputs(nout == 0 ? ": " : ", ", f);
		for (k = 0; k < nv; k++) {
			json_t *pv = json_object_get(params, vary[k]);
			if (!pv)
				continue;
			/* One param: "tasks=1, 2, 4" reads better than "tasks=1, tasks=2". */
			if (nv > 1 || nout == 0)
				fprintf(f, "%s%s=", k ? " " : "", vary[k]);
			report_value(f, pv);
		}
		nout++;
	}
}

/* The cells of class c, or the ok cells without it, series by series. */
static void report_warned_cells(FILE *f, json_t *results, const char *wl,
                                const struct report_wclass *c, int with)
{
	char done[64][128];
	size_t ndone = 0, i;
	json_t *cell;

	json_array_foreach(results, i, cell)
	{
		char key[64], title[128];
		int seen = 0;
		if (strcmp(gb__res_str(cell, "workload"), wl) != 0 || !report_pick(cell, c, with))
			continue;
		gb__res_series(cell, key, sizeof(key), title, sizeof(title));
		for (size_t m = 0; m < ndone; m++)
			seen |= strcmp(done[m], title) == 0;
		if (seen || ndone == 64)
			continue;
		snprintf(done[ndone], sizeof(done[0]), "%s", title);
		fputs(ndone ? "; " : "", f);
		ndone++;
		report_warned_series(f, results, wl, title, c, with);
	}
}

/*
 * One line per class of warning (metric and kind) and the cells it concerns,
 * grouped by series: the harness attaches near-identical texts to many cells
 * ("3 repetitions, 4 needed to detect a 5% change", "... 7 needed ..."), and
 * a hundred such lines would hide the one that is different.
 */
static void report_warnings(FILE *f, json_t *results, const char *wl)
{
	struct report_wclass cls[64];
	size_t nok, ncls = report_classes(results, wl, cls, 64, &nok), i;
	json_t *cell;

	if (!ncls)
		return;
	fputs("Warnings (one line per metric and kind of warning, the range of its numbers, then "
	      "the cells it concerns):\n\n",
	      f);
	for (size_t k = 0; k < ncls; k++) {
		size_t count = 0, count_ok = 0;
		int with, in;

		json_array_foreach(results, i, cell)
		{
			in = strcmp(gb__res_str(cell, "workload"), wl) == 0 &&
			     report_has_class(cell, &cls[k]);
			count += in;
			count_ok += in && gb_cell_is_ok(cell);
		}
		report_warn_head(f, results, wl, &cls[k]);
		if (count == nok && count_ok == nok && nok > 1) {
			fprintf(f, ": every ok cell (%zu)\n", count);
			continue;
		}
		/*
		 * Name the fewer: the cells that have it, or the ok cells that do
		 * not, when there are some (1 of 1 has no "except" to name).
		 */
		with = count * 2 <= nok || count_ok >= nok;
		fprintf(f, " (%zu of %zu ok cells): %s", count, nok,
		        with ? "" : "every ok cell except ");
		report_warned_cells(f, results, wl, &cls[k], with);
		fputs("\n", f);
	}
	fputs("\n", f);
}

/*
 * The params that tell a row from the others of its series and that the
 * row does not show yet: serial run under two GIL policies is two cells
 * whose series title ("serial") does not name the policy, so the row does
 * (", gil=legacy"), as it does any other identity param that differs.
 */
static void report_row_apart(FILE *f, json_t *results, const char *wl, json_t *cell,
                             const char *title, const char *const *vary, size_t nvary)
{
	const char *keys[16];
	size_t n = report_series_varying(results, wl, title, keys, 16);
	json_t *params = json_object_get(cell, "params");

	for (size_t k = 0; k < n; k++) {
		json_t *pv = json_object_get(params, keys[k]);
		int shown = strcmp(keys[k], "tasks") == 0;

		for (size_t m = 0; m < nvary; m++)
			shown |= strcmp(vary[m], keys[k]) == 0;
		if (shown || !pv)
			continue;
		fprintf(f, ", %s=", keys[k]);
		report_value(f, pv);
	}
}

static void report_workload(FILE *f, json_t *results, const char *wl)
{
	const char *vary[16];
	size_t nvary = gb__res_varying(results, wl, vary, 16), i;
	int has[REPORT_NCOLS] = {0};
	int nwarn = 0;
	json_t *cell;
	double v;

	json_array_foreach(results, i, cell)
	{
		if (strcmp(gb__res_str(cell, "workload"), wl) != 0)
			continue;
		for (size_t c = 0; c < REPORT_NCOLS; c++)
			has[c] |= report_col_num(cell, c, &v) == 0;
	}

	fprintf(f, "### Workload `%s`\n\n| model | params | status |", wl);
	for (size_t c = 0; c < REPORT_NCOLS; c++)
		if (has[c])
			fprintf(f, " %s |", gb_metric_column((unsigned)c + 1)->col_head);
	fputs("\n|---|---|---|", f);
	for (size_t c = 0; c < REPORT_NCOLS; c++)
		if (has[c])
			fputs("--:|", f);
	fputs("\n", f);

	json_array_foreach(results, i, cell)
	{
		char key[64], title[128];
		const char *status = gb__res_str(cell, "status");
		const char *error = gb__res_str(cell, "error");
		json_t *params = json_object_get(cell, "params");

		if (strcmp(gb__res_str(cell, "workload"), wl) != 0)
			continue;
		gb__res_series(cell, key, sizeof(key), title, sizeof(title));
		fputs("| ", f);
		report_cell_text(f, title);
		fputs(" | ", f);
		if (json_object_get(params, "tasks")) {
			fputs("tasks=", f);
			report_value(f, json_object_get(params, "tasks"));
		}
		for (size_t k = 0; k < nvary; k++) {
			json_t *pv = json_object_get(params, vary[k]);
			if (!pv)
				continue;
			fprintf(f, ", %s=", vary[k]);
			report_value(f, pv);
		}
		report_row_apart(f, results, wl, cell, title, vary, nvary);
		fputs(" | ", f);
		report_cell_text(f, status);
		if (error && *error) {
			fputs(": ", f);
			report_cell_text(f, error);
		}
		fputs(" |", f);
		for (size_t c = 0; c < REPORT_NCOLS; c++) {
			if (!has[c])
				continue;
			if (report_col_num(cell, c, &v) != 0)
				fputs(" |", f);
			else if (strcmp(report_col_unit(c), "x") == 0)
				fprintf(f, " %.2fx |", v);
			else if (strcmp(report_col_unit(c), "fraction") == 0)
				fprintf(f, " %.2f |", v);
			else {
				fputc(' ', f);
				report_num(f, v);
				fputs(" |", f);
			}
		}
		fputs("\n", f);
		nwarn += (int)json_array_size(json_object_get(cell, "warnings"));
	}
	fputs("\n", f);
	if (nwarn)
		report_warnings(f, results, wl);
}

/* context.commands (every invocation that wrote the file), else context.command. */
static size_t report_commands(json_t *ctx, const char **out, size_t n, size_t cap)
{
	json_t *list = json_object_get(ctx, "commands"), *c;
	const char *one = gb__res_str(ctx, "command");
	size_t i;

	if (json_array_size(list)) {
		json_array_foreach(list, i, c)
		{
			int seen = 0;
			if (!json_is_string(c) || !*json_string_value(c))
				continue;
			for (size_t j = 0; j < n; j++)
				seen |= strcmp(out[j], json_string_value(c)) == 0;
			if (!seen && n < cap)
				out[n++] = json_string_value(c);
		}
		return n;
	}
	if (one && *one && n < cap) {
		for (size_t j = 0; j < n; j++)
			if (strcmp(out[j], one) == 0)
				return n;
		out[n++] = one;
	}
	return n;
}

/* The sources and every command that made them. */
static void report_sources(FILE *f, json_t *ctx, const char *const *sources,
                           json_t *const *contexts, size_t nsources)
{
	const char *cmds[256];
	size_t ncmds = 0, i;

	if (nsources) {
		fputs("Results from", f);
		for (i = 0; i < nsources; i++)
			fprintf(f, "%s `%s`", i ? "," : "", sources[i]);
		fputs(".", f);
	}
	for (i = 0; i < nsources; i++)
		ncmds = report_commands(contexts ? contexts[i] : ctx, cmds, ncmds,
		                        sizeof(cmds) / sizeof(cmds[0]));
	if (ncmds == 1) {
		fprintf(f, " Produced by `%s`.\n\n", cmds[0]);
	} else if (ncmds > 1) {
		fprintf(f, " Produced by these %zu commands:\n\n```\n", ncmds);
		for (i = 0; i < ncmds; i++)
			fprintf(f, "%s\n", cmds[i]);
		fputs("```\n\n", f);
	} else {
		fputs("\n\n", f);
	}
}

/* A table per workload, in the order the workloads first appear. */
static void report_results(FILE *f, json_t *results)
{
	const char *wls[64];
	size_t nwl = 0, i;
	json_t *cell;

	json_array_foreach(results, i, cell)
	{
		const char *wl = gb__res_str(cell, "workload");
		int seen = 0;
		for (size_t j = 0; j < nwl; j++)
			seen |= strcmp(wls[j], wl) == 0;
		if (!seen && nwl < sizeof(wls) / sizeof(wls[0]))
			wls[nwl++] = wl;
	}
	if (!nwl)
		return;
	fputs("## Results\n\nMedians over repetitions; an empty entry means the metric "
	      "does not apply to that cell.\n\n",
	      f);
	for (i = 0; i < nwl; i++)
		report_workload(f, results, wls[i]);
}

/* Each drawn chart with its sentence, then those not drawn and why. */
static void report_charts(FILE *f, const struct gb_report_chart *charts, size_t ncharts)
{
	int skipped = 0;

	if (ncharts)
		fputs("## Charts\n\n", f);
	for (size_t i = 0; i < ncharts; i++) {
		if (!charts[i].file[0]) {
			skipped = 1;
			continue;
		}
		fprintf(f, "### %s\n\n![%s](%s)\n\n%s\n\n", charts[i].title, charts[i].title,
		        charts[i].file, charts[i].sentence);
	}
	if (!skipped)
		return;
	fputs("Not drawn:\n\n", f);
	for (size_t i = 0; i < ncharts; i++)
		if (!charts[i].file[0])
			fprintf(f, "- %s: %s\n", charts[i].title, charts[i].sentence);
	fputs("\n", f);
}

int gb_report_md_write(const char *path, json_t *doc, const char *const *sources,
                       json_t *const *contexts, size_t nsources,
                       const struct gb_report_chart *charts, size_t ncharts)
{
	json_t *ctx = json_object_get(doc, "context");
	size_t len = 0;
	char *text = NULL;
	int err;
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		err = -errno;
		gb_err(path, "cannot build the report: %s", strerror(-err));
		return err;
	}
	fputs("# gilbench report\n\n", f);
	report_sources(f, ctx, sources, contexts, nsources);
	if (json_is_object(ctx) && json_object_size(ctx))
		report_machine(f, ctx);
	report_results(f, json_object_get(doc, "results"));
	report_charts(f, charts, ncharts);
	if (fclose(f) != 0) {
		free(text);
		gb_err(path, "cannot build the report: out of memory");
		return -ENOMEM;
	}
	err = gb_text_write_atomic(path, text, len);
	free(text);
	return err;
}
