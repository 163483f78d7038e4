/*
 * plot_util.c - the machinery every chart of `gilbench plot` shares: series
 * of points and their .dat files, picking the cells a chart draws, running
 * a gnuplot template, and short number formats for the sentences. It draws
 * no chart itself and computes no statistics.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "identity.h"
#include "log.h"
#include "plot.h"
#include "report_json.h"
#include "report_md.h"
#include "stats.h"
#include "status.h"

/* ---- series ------------------------------------------------------------ */

/*
 * A cell gb__plot_select set apart ("_apart": its --cpus) is its own series,
 * "threads (gil legacy, --cpus 0)", key "threads_legacy__pin": a pinned run
 * is another experiment, never a point of the ordinary line.
 */
static void plot_apart(json_t *cell, char *key, size_t keylen, char *title, size_t titlelen)
{
	const char *cpus = gb__res_str(cell, "_apart");
	size_t kl = strlen(key), tl = strlen(title);

	if (!cpus)
		return;
	snprintf(key + kl, keylen - kl, "__pin");
	if (tl && title[tl - 1] == ')')
		snprintf(title + tl - 1, titlelen - tl + 1, ", --cpus %s)", cpus);
	else
		snprintf(title + tl, titlelen - tl, " (--cpus %s)", cpus);
}

struct gb__plot_series *gb__plot_series_get(struct gb__plot_data *d, json_t *cell)
{
	char key[64], title[128];

	gb__res_series(cell, key, sizeof(key), title, sizeof(title));
	plot_apart(cell, key, sizeof(key), title, sizeof(title));
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->s[i].key, key) == 0)
			return &d->s[i];
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		struct gb__plot_series *s = realloc(d->s, cap * sizeof(*s));
		if (!s)
			return NULL;
		d->s = s;
		d->cap = cap;
	}
	struct gb__plot_series *s = &d->s[d->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->key, sizeof(s->key), "%s", key);
	snprintf(s->title, sizeof(s->title), "%s", title);
	return s;
}

int gb__plot_series_add(struct gb__plot_series *s, double x, double v0, double v1, double v2,
                        double v3)
{
	const double v[4] = {v0, v1, v2, v3};

	return gb__plot_series_addv(s, x, v, 4);
}

/* A second point at the same x replaces the first: the later cell wins. */
int gb__plot_series_addv(struct gb__plot_series *s, double x, const double *v, size_t n)
{
	struct gb__plot_pt p = {.x = x};

	for (size_t k = 0; k < GB__PLOT_NV; k++)
		p.v[k] = k < n ? v[k] : NAN;

	for (size_t i = 0; i < s->n; i++)
		if (s->pt[i].x == x) {
			s->pt[i] = p;
			return 0;
		}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct gb__plot_pt *pt = realloc(s->pt, cap * sizeof(*pt));
		if (!pt)
			return -ENOMEM;
		s->pt = pt;
		s->cap = cap;
	}
	s->pt[s->n++] = p;
	return 0;
}

static int plot_pt_cmp(const void *a, const void *b)
{
	double x = ((const struct gb__plot_pt *)a)->x, y = ((const struct gb__plot_pt *)b)->x;
	return (x > y) - (x < y);
}

static int plot_series_cmp(const void *a, const void *b)
{
	const struct gb__plot_series *x = a, *y = b;
	int rx = gb__res_rank(x->key), ry = gb__res_rank(y->key);
	return rx != ry ? rx - ry : strcmp(x->key, y->key);
}

void gb__plot_data_sort(struct gb__plot_data *d)
{
	for (size_t i = 0; i < d->n; i++)
		qsort(d->s[i].pt, d->s[i].n, sizeof(struct gb__plot_pt), plot_pt_cmp);
	qsort(d->s, d->n, sizeof(*d->s), plot_series_cmp);
}

void gb__plot_data_free(struct gb__plot_data *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->s[i].pt);
	free(d->s);
	memset(d, 0, sizeof(*d));
}

/* Drops series with fewer than `min` points (a sweep of one value says nothing). */
void gb__plot_data_prune(struct gb__plot_data *d, size_t min)
{
	size_t j = 0;

	for (size_t i = 0; i < d->n; i++) {
		if (d->s[i].n >= min)
			d->s[j++] = d->s[i];
		else
			free(d->s[i].pt);
	}
	d->n = j;
}

size_t gb__plot_data_points(const struct gb__plot_data *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->s[i].n;
	return n;
}

struct gb__plot_series *gb__plot_data_find(struct gb__plot_data *d, const char *key)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->s[i].key, key) == 0)
			return &d->s[i];
	return NULL;
}

static void plot_num_out(FILE *f, double v)
{
	if (isnan(v))
		fputs(" ?", f);
	else
		fprintf(f, " %.9g", v);
}

FILE *gb__plot_open(struct gb__plot_ctx *pc, const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", pc->outdir, name);
	f = fopen(path, "w");
	if (!f)
		gb_err(path, "cannot write: %s", strerror(errno));
	return f;
}

int gb__plot_close(FILE *f, const char *path)
{
	if (ferror(f) | (fclose(f) != 0)) {
		gb_err(path, "cannot write: %s", strerror(errno ? errno : EIO));
		return -EIO;
	}
	return 0;
}

/*
 * One block per series (gnuplot `index i`), its title as the first line so
 * templates can use `title columnheader(1)`, separated by two blank lines.
 */
int gb__plot_data_write(struct gb__plot_ctx *pc, const char *name, const struct gb__plot_data *d,
                        const char *columns)
{
	char path[4096];
	FILE *f = gb__plot_open(pc, name, path, sizeof(path));

	if (!f)
		return -EIO;
	fprintf(f, "# gilbench plot: %s\n# one block per series; columns: %s\n", name, columns);
	for (size_t i = 0; i < d->n; i++) {
		const struct gb__plot_series *s = &d->s[i];
		fprintf(f, "%s\"%s\"\n", i ? "\n\n" : "", s->title);
		for (size_t j = 0; j < s->n; j++) {
			fprintf(f, "%.9g", s->pt[j].x);
			for (int k = 0; k < GB__PLOT_NV; k++)
				plot_num_out(f, s->pt[j].v[k]);
			fputc('\n', f);
		}
	}
	return gb__plot_close(f, path);
}

/* ---- selecting cells ----------------------------------------------------- */

static int plot_in(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static int plot_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The number a param holds, 0 when absent or not a number. */
static double plot_param(json_t *cell, const char *key)
{
	json_t *v = json_object_get(json_object_get(cell, "params"), key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

/* Whether cell i counts when the most common value of a param is sought. */
static int plot_counts(json_t *cell, const char *model, const struct gb__plot_pick *pk)
{
	if (!cell || strcmp(gb__res_str(cell, "model"), model) != 0)
		return 0;
	return !pk->anchor_key || plot_param(cell, pk->anchor_key) != 0;
}

/*
 * Keeps, among the cells of one model, those whose params not in free_keys
 * take their most common value. A sweep run beside the main matrix (say
 * native_fraction for threads at 2 tasks) then stays out of the charts of
 * another axis, and the charts of its own axis pick the sweep's task count.
 * With an anchor key, only the cells where it is not 0 (the sweep's own
 * points) vote: a sweep of three points is not outvoted by a matrix of four.
 */
static void plot_mode_filter(json_t **cells, size_t n, const char *model,
                             const struct gb__plot_pick *pk)
{
	const char *keys[64];
	size_t nkeys = 0;

	for (size_t i = 0; i < n; i++) {
		const char *k;
		json_t *v;
		if (!cells[i] || strcmp(gb__res_str(cells[i], "model"), model) != 0)
			continue;
		json_object_foreach(json_object_get(cells[i], "params"), k, v)
		{
			int seen = 0;
			for (size_t j = 0; j < nkeys; j++)
				seen |= strcmp(keys[j], k) == 0;
			if (!seen && nkeys < 64)
				keys[nkeys++] = k;
		}
	}
	qsort(keys, nkeys, sizeof(keys[0]), plot_strcmp_p);

	for (size_t kk = 0; kk < nkeys; kk++) {
		const char *k = keys[kk];
		json_t *best = NULL;
		size_t bestc = 0;

		/* cpus follows the task count in some placements: not an axis. */
		if (plot_in(pk->free_keys, k) || gb_param_is_volatile(k) || strcmp(k, "cpus") == 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			json_t *v;
			size_t c = 0;
			if (!plot_counts(cells[i], model, pk))
				continue;
			v = json_object_get(json_object_get(cells[i], "params"), k);
			if (!v)
				continue;
			for (size_t j = 0; j < n; j++) {
				json_t *w;
				if (!plot_counts(cells[j], model, pk))
					continue;
				w = json_object_get(json_object_get(cells[j], "params"), k);
				c += w && json_equal(v, w);
			}
			if (c > bestc) {
				best = v;
				bestc = c;
			}
		}
		if (!best)
			continue;
		for (size_t i = 0; i < n; i++) {
			json_t *v;
			if (!cells[i] || strcmp(gb__res_str(cells[i], "model"), model) != 0)
				continue;
			v = json_object_get(json_object_get(cells[i], "params"), k);
			if (v && !json_equal(v, best))
				cells[i] = NULL;
		}
	}
}

/*
 * Marks "_apart" (its cpus) each of the n cells whose --cpus differs from
 * the most common value among the cells of its series: the pinned run
 * beside an ordinary matrix (bench.sh's `--gil legacy --cpus 0`). cpus is
 * not one of the mode filter's axes (it follows the task count in some
 * placements), so without this both cells would land on one point.
 */
static void plot_mark_apart(json_t **cells, size_t n)
{
	char(*key)[64] = calloc(n + 1, sizeof(*key));

	if (!key)
		return;
	for (size_t i = 0; i < n; i++) {
		char title[128];
		json_object_del(cells[i], "_apart");
		gb__res_series(cells[i], key[i], sizeof(key[i]), title, sizeof(title));
	}
	for (size_t i = 0; i < n; i++) {
		const char *cpus = gb__res_str(cells[i], "params.cpus"), *best = cpus;
		size_t bestc = 0;

		for (size_t j = 0; cpus && j < n; j++) {
			const char *v = gb__res_str(cells[j], "params.cpus");
			size_t c = 0;
			if (!v || strcmp(key[i], key[j]) != 0)
				continue;
			for (size_t m = 0; m < n; m++) {
				const char *w = gb__res_str(cells[m], "params.cpus");
				c += w && strcmp(w, v) == 0 && strcmp(key[m], key[i]) == 0;
			}
			/* A tie keeps the default ("all"): the unpinned run is the ordinary one. */
			if (c > bestc || (c == bestc && strcmp(v, "all") == 0))
				best = v, bestc = c;
		}
		if (cpus && strcmp(best, cpus) != 0)
			json_object_set_new(cells[i], "_apart", json_string(cpus));
	}
	free(key);
}

size_t gb__plot_select(json_t *results, const struct gb__plot_pick *pk, json_t **out)
{
	size_t n = 0, m = 0, nm = 0, i;
	const char **models;
	json_t *cell;

	json_array_foreach(results, i, cell)
	{
		const char *g = gb__res_str(cell, "params.gil");
		const char *model = gb__res_str(cell, "model");
		if (!gb_cell_is_ok(cell) || strcmp(gb__res_str(cell, "workload"), pk->wl) != 0)
			continue;
		if (pk->model &&
		    strcmp(pk->cpython ? gb__res_base_model(cell) : model, pk->model) != 0)
			continue;
		if (pk->gil && (!g || strcmp(g, pk->gil) != 0))
			continue;
		if (pk->zero_key && plot_param(cell, pk->zero_key) != 0)
			continue;
		/* Real CPython's serial is 1x by definition: nothing to overlay. */
		if (pk->no_cpython_serial && gb__res_is_cpython(cell) &&
		    strcmp(gb__res_base_model(cell), "serial") == 0)
			continue;
		out[n++] = cell;
	}
	/* Models first: filtering NULLs entries out, and their names with them. */
	models = calloc(n + 1, sizeof(*models));
	if (!models)
		return 0;
	for (i = 0; i < n; i++) {
		const char *mi = gb__res_str(out[i], "model");
		size_t j;
		for (j = 0; j < nm; j++)
			if (strcmp(models[j], mi) == 0)
				break;
		if (j == nm)
			models[nm++] = mi;
	}
	for (i = 0; i < nm; i++)
		plot_mode_filter(out, n, models[i], pk);
	free(models);
	for (i = 0; i < n; i++)
		if (out[i])
			out[m++] = out[i];
	plot_mark_apart(out, m);
	return m;
}

double gb__plot_get(json_t *cell, const char *path)
{
	double v;
	return gb__res_num(cell, path, &v) == 0 ? v : NAN;
}

int gb__plot_ci(json_t *cell, const char *key, double *lo, double *hi, double *level)
{
	json_t *samples = json_object_get(json_object_get(cell, "samples"), key), *v;
	struct gb_summary sum;
	double *x;
	size_t n = 0, i;

	*lo = *hi = *level = NAN;
	if (gb_summary_ci(json_object_get(json_object_get(cell, "summaries"), key), lo, hi,
	                  level) == 0 ||
	    gb_summary_ci(json_object_get(json_object_get(cell, "metrics"), key), lo, hi, level) ==
	            0)
		return 0;
	if (!json_array_size(samples) || !(x = calloc(json_array_size(samples), sizeof(*x))))
		return -ENOENT;
	json_array_foreach(samples, i, v)
	{
		if (json_is_number(v))
			x[n++] = json_number_value(v);
	}
	if (n && gb_stats_summarize(x, n, &sum) == 0) {
		*lo = sum.ci95_lo;
		*hi = sum.ci95_hi;
		*level = sum.ci_level;
	}
	free(x);
	return isnan(*lo) ? -ENOENT : 0;
}

/* A gnuplot string literal: single quotes, an inner quote doubled. */
void gb__plot_var_str(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%s='", name);
	for (; *value; value++) {
		if (*value == '\'')
			fputc('\'', f);
		if (*value != '\n' && *value != '\r')
			fputc(*value, f);
	}
	fputs("'; ", f);
}

void gb__plot_var_num(FILE *f, const char *name, double value)
{
	fprintf(f, "%s=%.17g; ", name, value);
}

/* Runs gnuplot on `script` with the assignments `vars`; one line on failure. */
static int plot_exec(struct gb__plot_ctx *pc, const char *vars, const char *script)
{
	char buf[8192], *line, *end;
	size_t len = 0;
	int pfd[2], status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		gb_err("plot", "pipe: %s", strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int err = errno;
		close(pfd[0]);
		close(pfd[1]);
		gb_err("plot", "fork: %s", strerror(err));
		return -err;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, STDIN_FILENO);
			dup2(nul, STDOUT_FILENO);
		}
		dup2(pfd[1], STDERR_FILENO);
		execl(pc->gnuplot, "gnuplot", "-e", vars, script, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	/* Keep the tail: gnuplot's error is its last line, after any warnings. */
	for (;;) {
		ssize_t r;
		if (len == sizeof(buf) - 1) {
			memmove(buf, buf + sizeof(buf) / 2, len - sizeof(buf) / 2);
			len -= sizeof(buf) / 2;
		}
		r = read(pfd[0], buf + len, sizeof(buf) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(pfd[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			gb_err("plot", "waitpid: %s", strerror(errno));
			return -ECHILD;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;

	end = buf + len;
	while (end > buf && (end[-1] == '\n' || end[-1] == ' '))
		*--end = '\0';
	line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !*line)
		gb_err(script, "cannot run %s", pc->gnuplot);
	else
		gb_err(script, "gnuplot failed: %s", *line ? line : "no message");
	return -EIO;
}

/*
 * Renders template `tpl` once per format into DIR/stem.{png,svg}. `vars`
 * holds the chart's own assignments; the common ones go in front.
 */
int gb__plot_render(struct gb__plot_ctx *pc, const char *tpl, const char *stem, const char *vars,
                    struct gb_report_chart *ch)
{
	static const char *const exts[] = {"png", "svg"};
	const int want[] = {pc->png, pc->svg};
	char script[4096], path[4096];
	int err = 0;

	snprintf(script, sizeof(script), "%s/%s.gp", pc->tpl_dir, tpl);
	for (int i = 0; i < 2; i++) {
		char *all = NULL;
		size_t len = 0;
		FILE *f;

		if (!want[i])
			continue;
		f = open_memstream(&all, &len);
		if (!f)
			return -ENOMEM;
		snprintf(path, sizeof(path), "%s/%s.%s", pc->outdir, stem, exts[i]);
		gb__plot_var_str(f, "term", exts[i]);
		gb__plot_var_str(f, "out", path);
		gb__plot_var_str(f, "tpl_dir", pc->tpl_dir);
		gb__plot_var_str(f, "machine", pc->machine);
		fputs(vars, f);
		if (fclose(f) != 0) {
			free(all);
			return -ENOMEM;
		}
		err = plot_exec(pc, all, script);
		free(all);
		if (err) {
			/* No half-drawn chart left behind to be mistaken for a result. */
			unlink(path);
			pc->failed = 1;
			snprintf(ch->sentence, sizeof(ch->sentence), "gnuplot failed on %s.gp.",
			         tpl);
			return err;
		}
		if (!ch->file[0] || i == 0)
			snprintf(ch->file, sizeof(ch->file), "%s.%s", stem, exts[i]);
	}
	return 0;
}

struct gb_report_chart *gb__plot_chart(struct gb__plot_ctx *pc, const char *title)
{
	struct gb_report_chart *ch;

	if (pc->ncharts == GB__PLOT_MAXCHARTS)
		return NULL;
	ch = &pc->charts[pc->ncharts++];
	memset(ch, 0, sizeof(*ch));
	ch->title = title;
	return ch;
}

void gb__plot_skip(struct gb_report_chart *ch, const char *stem, const char *why)
{
	fprintf(stderr, "gilbench: plot: note: no %s chart: %s\n", stem, why);
	snprintf(ch->sentence, sizeof(ch->sentence), "%s", why);
}

/* The .dat file, by full path: gnuplot runs in our working directory, not DIR. */
FILE *gb__plot_vars_open(struct gb__plot_ctx *pc, char **vars, size_t *vlen, const char *stem,
                         const struct gb__plot_data *d)
{
	FILE *f = open_memstream(vars, vlen);
	char path[4096];

	if (!f)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.dat", pc->outdir, stem);
	gb__plot_var_str(f, "dat", path);
	if (d) {
		fputs("keys='", f);
		for (size_t i = 0; i < d->n; i++)
			fprintf(f, "%s%s", i ? " " : "", d->s[i].key);
		fputs("'; ", f);
	}
	return f;
}

/* Hands the finished vars to gb__plot_render and frees them. */
int gb__plot_finish(struct gb__plot_ctx *pc, FILE *vf, char **vars, const char *tpl,
                    const char *stem, struct gb_report_chart *ch)
{
	int err;

	/* open_memstream publishes the buffer only at fclose: read *vars after. */
	if (fclose(vf) != 0) {
		free(*vars);
		*vars = NULL;
		return -ENOMEM;
	}
	err = gb__plot_render(pc, tpl, stem, *vars, ch);
	free(*vars);
	*vars = NULL;
	/* A failed render is reported and flagged; the other charts still go on. */
	return err == -EIO ? 0 : err;
}

/* "80 µs", "5.2 ms", "1.5 s": latencies span six decades in one sentence. */
void gb__plot_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;

	if (off + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

void gb__plot_fmt_us(char *buf, size_t len, double us)
{
	char n[32];

	if (us < 1000) {
		snprintf(buf, len, "%.0f µs", us);
		return;
	}
	gb__res_fmt_num(n, sizeof(n), us < 1e6 ? us / 1e3 : us / 1e6);
	snprintf(buf, len, "%s %s", n, us < 1e6 ? "ms" : "s");
}

void gb__plot_fmt_rate(char *buf, size_t len, double r)
{
	gb__res_fmt_num(buf, len, r);
}
