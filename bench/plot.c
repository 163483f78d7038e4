/*
 * plot.c - `gilbench plot`: charts from result files and GIL traces. For
 * each chart it picks the cells that feed it, flattens them into a gnuplot
 * .dat file in the output directory, runs the chart's template from
 * scripts/plot/ (fork/exec, parameters passed with -e), and derives the one
 * sentence report_md.c prints under it.
 *
 * It is not responsible for how a chart looks (the templates and the
 * shared scripts/plot/style.gp are), nor for any statistics: medians, CIs
 * and speedups come from the result file as the harness computed them.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "report_md.h"
#include "results_io.h"

#ifndef GB_SOURCE_DIR
#define GB_SOURCE_DIR "."
#endif

#define PLOT_MAXCHARTS 32
#define PLOT_NV        4
#define PLOT_TL_ROWS   32

/* One point of a series: x and up to PLOT_NV values (NAN = missing). */
struct plot_pt {
	double x;
	double v[PLOT_NV];
};

struct plot_series {
	char key[64];    /* style key: "threads_new" */
	char title[128]; /* legend: "threads (gil new)" */
	struct plot_pt *pt;
	size_t n, cap;
};

struct plot_data {
	struct plot_series *s;
	size_t n, cap;
};

struct plot_ctx {
	const char *outdir;
	const char *tpl_dir;
	char gnuplot[4096];
	int png, svg;
	json_t *doc;  /* the results charted (several files merged) */
	json_t *base; /* the compare chart's base, or NULL */
	const char *base_path;
	char machine[512];
	double cores;
	struct gb_report_chart charts[PLOT_MAXCHARTS];
	size_t ncharts;
	int failed; /* a gnuplot run failed: exit 1 after drawing the rest */
};

/* ---- series ------------------------------------------------------------ */

static struct plot_series *plot_series_get(struct plot_data *d, json_t *cell)
{
	char key[64], title[128];

	gb__res_series(cell, key, sizeof(key), title, sizeof(title));
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->s[i].key, key) == 0)
			return &d->s[i];
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		struct plot_series *s = realloc(d->s, cap * sizeof(*s));
		if (!s)
			return NULL;
		d->s = s;
		d->cap = cap;
	}
	struct plot_series *s = &d->s[d->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->key, sizeof(s->key), "%s", key);
	snprintf(s->title, sizeof(s->title), "%s", title);
	return s;
}

/* A second point at the same x replaces the first: the later file wins. */
static int plot_series_add(struct plot_series *s, double x, double v0, double v1, double v2,
                           double v3)
{
	struct plot_pt p = {x, {v0, v1, v2, v3}};

	for (size_t i = 0; i < s->n; i++)
		if (s->pt[i].x == x) {
			s->pt[i] = p;
			return 0;
		}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct plot_pt *pt = realloc(s->pt, cap * sizeof(*pt));
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
	double x = ((const struct plot_pt *)a)->x, y = ((const struct plot_pt *)b)->x;
	return (x > y) - (x < y);
}

static int plot_series_cmp(const void *a, const void *b)
{
	const struct plot_series *x = a, *y = b;
	int rx = gb__res_rank(x->key), ry = gb__res_rank(y->key);
	return rx != ry ? rx - ry : strcmp(x->key, y->key);
}

static void plot_data_sort(struct plot_data *d)
{
	for (size_t i = 0; i < d->n; i++)
		qsort(d->s[i].pt, d->s[i].n, sizeof(struct plot_pt), plot_pt_cmp);
	qsort(d->s, d->n, sizeof(*d->s), plot_series_cmp);
}

static void plot_data_free(struct plot_data *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->s[i].pt);
	free(d->s);
	memset(d, 0, sizeof(*d));
}

/* Drops series with fewer than `min` points (a sweep of one value says nothing). */
static void plot_data_prune(struct plot_data *d, size_t min)
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

static size_t plot_data_points(const struct plot_data *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->s[i].n;
	return n;
}

static struct plot_series *plot_data_find(struct plot_data *d, const char *key)
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

static FILE *plot_open(struct plot_ctx *pc, const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", pc->outdir, name);
	f = fopen(path, "w");
	if (!f)
		gb_err(path, "cannot write: %s", strerror(errno));
	return f;
}

static int plot_close(FILE *f, const char *path)
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
static int plot_data_write(struct plot_ctx *pc, const char *name, const struct plot_data *d,
                           const char *columns)
{
	char path[4096];
	FILE *f = plot_open(pc, name, path, sizeof(path));

	if (!f)
		return -EIO;
	fprintf(f, "# gilbench plot: %s\n# one block per series; columns: %s\n", name, columns);
	for (size_t i = 0; i < d->n; i++) {
		const struct plot_series *s = &d->s[i];
		fprintf(f, "%s\"%s\"\n", i ? "\n\n" : "", s->title);
		for (size_t j = 0; j < s->n; j++) {
			fprintf(f, "%.9g", s->pt[j].x);
			for (int k = 0; k < PLOT_NV; k++)
				plot_num_out(f, s->pt[j].v[k]);
			fputc('\n', f);
		}
	}
	return plot_close(f, path);
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

/*
 * Keeps, among the cells of one model, those whose params not in free_keys
 * take their most common value. A sweep run beside the main matrix (say
 * native_fraction for threads at 2 tasks) then stays out of the charts of
 * another axis, and the charts of its own axis pick the sweep's task count.
 */
static void plot_mode_filter(json_t **cells, size_t n, const char *model,
                             const char *const *free_keys)
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
		if (plot_in(free_keys, k) || !gb__res_param_is_identity(k) ||
		    strcmp(k, "cpus") == 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			json_t *v;
			size_t c = 0;
			if (!cells[i] || strcmp(gb__res_str(cells[i], "model"), model) != 0)
				continue;
			v = json_object_get(json_object_get(cells[i], "params"), k);
			if (!v)
				continue;
			for (size_t j = 0; j < n; j++) {
				json_t *w;
				if (!cells[j] || strcmp(gb__res_str(cells[j], "model"), model) != 0)
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
 * The ok cells of workload `wl` (of `model` and `gil` when given), reduced
 * by plot_mode_filter model by model. `out` holds json_array_size(results).
 */
static size_t plot_select(json_t *results, const char *wl, const char *model, const char *gil,
                          const char *const *free_keys, json_t **out)
{
	size_t n = 0, m = 0, nm = 0, i;
	const char **models;
	json_t *cell;

	json_array_foreach(results, i, cell)
	{
		const char *g = gb__res_str(cell, "params.gil");
		if (strcmp(gb__res_str(cell, "status"), "ok") != 0 ||
		    strcmp(gb__res_str(cell, "workload"), wl) != 0)
			continue;
		if (model && strcmp(gb__res_str(cell, "model"), model) != 0)
			continue;
		if (gil && (!g || strcmp(g, gil) != 0))
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
		plot_mode_filter(out, n, models[i], free_keys);
	free(models);
	for (i = 0; i < n; i++)
		if (out[i])
			out[m++] = out[i];
	return m;
}

static double plot_get(json_t *cell, const char *path)
{
	double v;
	return gb__res_num(cell, path, &v) == 0 ? v : NAN;
}

/* ---- running gnuplot --------------------------------------------------- */

static int plot_find_gnuplot(struct plot_ctx *pc)
{
	const char *path = getenv("PATH");

	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (n && n < sizeof(pc->gnuplot) - 9) {
			snprintf(pc->gnuplot, sizeof(pc->gnuplot), "%.*s/gnuplot", (int)n, path);
			if (access(pc->gnuplot, X_OK) == 0)
				return 0;
		}
		path += n + (path[n] == ':');
	}
	return -ENOENT;
}

/* A gnuplot string literal: single quotes, an inner quote doubled. */
static void plot_var_str(FILE *f, const char *name, const char *value)
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

static void plot_var_num(FILE *f, const char *name, double value)
{
	fprintf(f, "%s=%.17g; ", name, value);
}

/* Runs gnuplot on `script` with the assignments `vars`; one line on failure. */
static int plot_exec(struct plot_ctx *pc, const char *vars, const char *script)
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
static int plot_render(struct plot_ctx *pc, const char *tpl, const char *stem, const char *vars,
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
		plot_var_str(f, "term", exts[i]);
		plot_var_str(f, "out", path);
		plot_var_str(f, "tpl_dir", pc->tpl_dir);
		plot_var_str(f, "machine", pc->machine);
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

static struct gb_report_chart *plot_chart(struct plot_ctx *pc, const char *title)
{
	struct gb_report_chart *ch;

	if (pc->ncharts == PLOT_MAXCHARTS)
		return NULL;
	ch = &pc->charts[pc->ncharts++];
	memset(ch, 0, sizeof(*ch));
	ch->title = title;
	return ch;
}

static void plot_skip(struct gb_report_chart *ch, const char *stem, const char *why)
{
	fprintf(stderr, "gilbench: plot: note: no %s chart: %s\n", stem, why);
	snprintf(ch->sentence, sizeof(ch->sentence), "%s", why);
}

/* The .dat file, by full path: gnuplot runs in our working directory, not DIR. */
static void plot_var_dat(struct plot_ctx *pc, FILE *f, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", pc->outdir, name);
	plot_var_str(f, "dat", path);
}

/* Series keys, space-separated, in data-file order: the templates' style lookup. */
static void plot_var_keys(FILE *f, const struct plot_data *d)
{
	fputs("keys='", f);
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s%s", i ? " " : "", d->s[i].key);
	fputs("'; ", f);
}

/* Hands the finished vars to plot_render and frees them. */
static int plot_finish(struct plot_ctx *pc, FILE *vf, char **vars, const char *tpl,
                       const char *stem, struct gb_report_chart *ch)
{
	int err;

	/* open_memstream publishes the buffer only at fclose: read *vars after. */
	if (fclose(vf) != 0) {
		free(*vars);
		*vars = NULL;
		return -ENOMEM;
	}
	err = plot_render(pc, tpl, stem, *vars, ch);
	free(*vars);
	*vars = NULL;
	/* A failed render is reported and flagged; the other charts still go on. */
	return err == -EIO ? 0 : err;
}

/* "80 µs", "5.2 ms", "1.5 s": latencies span six decades in one sentence. */
static void plot_fmt_us(char *buf, size_t len, double us)
{
	if (us < 1000)
		snprintf(buf, len, "%.0f µs", us);
	else if (us < 1e6)
		snprintf(buf, len, "%.3g ms", us / 1e3);
	else
		snprintf(buf, len, "%.3g s", us / 1e6);
}

static void plot_fmt_rate(char *buf, size_t len, double r)
{
	if (r >= 1e9)
		snprintf(buf, len, "%.3gG", r / 1e9);
	else if (r >= 1e6)
		snprintf(buf, len, "%.3gM", r / 1e6);
	else if (r >= 1e3)
		snprintf(buf, len, "%.3gk", r / 1e3);
	else
		snprintf(buf, len, "%.3g", r);
}

/* ---- the charts ---------------------------------------------------------- */

static int plot_cpu_scaling(struct plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"tasks", "gil", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = plot_chart(pc, "CPU scaling");
	struct plot_data d = {0};
	size_t n = plot_select(results, "cpu", NULL, NULL, free_keys, sel);
	double maxt = 0, at = 0;
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double t = plot_get(sel[i], "params.tasks"),
		       s = plot_get(sel[i], "metrics.speedup");
		struct plot_series *ps;
		if (isnan(t) || isnan(s))
			continue;
		ps = plot_series_get(&d, sel[i]);
		if (!ps ||
		    plot_series_add(ps, t, s, plot_get(sel[i], "metrics.efficiency"), NAN, NAN))
			goto out;
		maxt = fmax(maxt, t);
	}
	if (!plot_data_points(&d)) {
		plot_skip(ch, "cpu_scaling", "no ok cell of workload cpu has a speedup.");
		err = 0;
		goto out;
	}
	plot_data_sort(&d);
	err = plot_data_write(pc, "cpu_scaling.dat", &d, "tasks speedup efficiency");
	if (err)
		goto out;

	/* The sentence speaks of the largest task count the cores can run at once. */
	for (size_t i = 0; i < d.n; i++)
		for (size_t j = 0; j < d.s[i].n; j++) {
			double t = d.s[i].pt[j].x;
			if ((pc->cores <= 0 || t <= pc->cores) && t > at)
				at = t;
		}
	if (at <= 1)
		at = maxt;
	{
		const struct plot_series *best = NULL, *worst = NULL, *tn = NULL;
		double bv = 0, wv = 0, tv = 0;
		size_t off;
		for (size_t i = 0; i < d.n; i++)
			for (size_t j = 0; j < d.s[i].n; j++) {
				double v = d.s[i].pt[j].v[0];
				if (d.s[i].pt[j].x != at || strcmp(d.s[i].key, "serial") == 0)
					continue;
				if (!best || v > bv)
					best = &d.s[i], bv = v;
				if (!worst || v < wv)
					worst = &d.s[i], wv = v;
				if (strcmp(d.s[i].key, "threads_new") == 0)
					tn = &d.s[i], tv = v;
			}
		if (!best) {
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "Speedup over serial against the number of tasks.");
		} else {
			off = (size_t)snprintf(
			        ch->sentence, sizeof(ch->sentence),
			        "At %.0f tasks the speedup over serial is %.2fx for %s", at, bv,
			        best->title);
			if (worst != best)
				off += (size_t)snprintf(ch->sentence + off,
				                        sizeof(ch->sentence) - off,
				                        " and only %.2fx for %s", wv, worst->title);
			if (tn && tn != best && tn != worst)
				off += (size_t)snprintf(ch->sentence + off,
				                        sizeof(ch->sentence) - off,
				                        "; %.2fx for %s", tv, tn->title);
			snprintf(ch->sentence + off, sizeof(ch->sentence) - off,
			         "; the ideal is %.0fx.", pc->cores > 0 ? fmin(at, pc->cores) : at);
		}
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	plot_var_dat(pc, vf, "cpu_scaling.dat");
	plot_var_keys(vf, &d);
	plot_var_num(vf, "cores", pc->cores);
	plot_var_num(vf, "max_tasks", maxt);
	{
		/* Room for the data and the reachable ideal, not for y = tasks up to 64. */
		double top = pc->cores > 0 ? fmin(maxt, pc->cores) : maxt;
		for (size_t i = 0; i < d.n; i++)
			for (size_t j = 0; j < d.s[i].n; j++)
				top = fmax(top, d.s[i].pt[j].v[0]);
		plot_var_num(vf, "y_top", top * 1.15 + 0.1);
	}
	err = plot_finish(pc, vf, &vars, "cpu_scaling", "cpu_scaling", ch);
out:
	plot_data_free(&d);
	return err;
}

static int plot_io_scaling(struct plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"tasks", "gil", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = plot_chart(pc, "I/O scaling");
	struct plot_data d = {0};
	size_t n = plot_select(results, "io", NULL, NULL, free_keys, sel);
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double t = plot_get(sel[i], "params.tasks");
		double wall = plot_get(sel[i], "metrics.wall_s.median");
		double ideal =
		        plot_get(sel[i], "params.io_ops") * plot_get(sel[i], "params.io_time_s");
		double mem = plot_get(sel[i], "metrics.mem_per_task_kib");
		double over = ideal > 0 ? (wall / ideal - 1) * 100 : NAN;
		struct plot_series *ps;
		if (isnan(t) || (isnan(over) && isnan(mem)))
			continue;
		ps = plot_series_get(&d, sel[i]);
		if (!ps || plot_series_add(ps, t, over, mem, wall, ideal))
			goto out;
	}
	if (!plot_data_points(&d)) {
		plot_skip(ch, "io_scaling", "no ok cell of workload io.");
		err = 0;
		goto out;
	}
	plot_data_sort(&d);
	err = plot_data_write(pc, "io_scaling.dat", &d,
	                      "tasks overhead_pct mem_per_task_kib wall_s ideal_s");
	if (err)
		goto out;

	{
		const struct plot_series *lo = NULL, *hi = NULL, *mlo = NULL, *mhi = NULL;
		double lov = 0, hiv = 0, lot = 0, hit = 0, mlov = 0, mhiv = 0;
		size_t off = 0;
		for (size_t i = 0; i < d.n; i++) {
			const struct plot_pt *last = &d.s[i].pt[d.s[i].n - 1];
			/* serial is the no-concurrency reference: (K-1) x 100% by design. */
			if (strcmp(d.s[i].key, "serial") == 0)
				continue;
			if (!isnan(last->v[0]) && (!lo || last->v[0] < lov))
				lo = &d.s[i], lov = last->v[0], lot = last->x;
			if (!isnan(last->v[0]) && (!hi || last->v[0] > hiv))
				hi = &d.s[i], hiv = last->v[0], hit = last->x;
			for (size_t j = 0; j < d.s[i].n; j++) {
				double m = d.s[i].pt[j].v[1];
				if (isnan(m))
					continue;
				if (!mlo || m < mlov)
					mlo = &d.s[i], mlov = m;
				if (!mhi || m > mhiv)
					mhi = &d.s[i], mhiv = m;
			}
		}
		if (lo && hi && lo != hi)
			off = (size_t)snprintf(
			        ch->sentence, sizeof(ch->sentence),
			        "At the most tasks each model ran, the wall time is %.3g%% above "
			        "the ideal for %s (%.0f tasks) and %.3g%% for %s (%.0f tasks)",
			        lov, lo->title, lot, hiv, hi->title, hit);
		else if (lo)
			off = (size_t)snprintf(ch->sentence, sizeof(ch->sentence),
			                       "At %.0f tasks %s stay %.3g%% above the ideal wall "
			                       "time",
			                       lot, lo->title, lov);
		if (mlo && mhi && mlo != mhi)
			snprintf(ch->sentence + off, sizeof(ch->sentence) - off,
			         "%smemory per task ranges from %.3g KiB (%s) to %.3g KiB (%s).",
			         off ? "; " : "", mlov, mlo->title, mhiv, mhi->title);
		else if (off)
			snprintf(ch->sentence + off, sizeof(ch->sentence) - off, ".");
		else
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "Overhead above the ideal wall time and memory per task.");
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	plot_var_dat(pc, vf, "io_scaling.dat");
	plot_var_keys(vf, &d);
	err = plot_finish(pc, vf, &vars, "io_scaling", "io_scaling", ch);
out:
	plot_data_free(&d);
	return err;
}

static int plot_convoy(struct plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"tasks", "gil", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = plot_chart(pc, "Convoy effect");
	struct plot_data d = {0};
	size_t n = plot_select(results, "background", NULL, NULL, free_keys, sel);
	double maxb = 0;
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double t = plot_get(sel[i], "params.tasks");
		double p50 = plot_get(sel[i], "metrics.latency_us.p50");
		double p99 = plot_get(sel[i], "metrics.latency_us.p99");
		struct plot_series *ps;
		if (isnan(t) || t < 1 || (isnan(p50) && isnan(p99)))
			continue;
		ps = plot_series_get(&d, sel[i]);
		/* The first task is the foreground: tasks - 1 run in the background. */
		if (!ps || plot_series_add(ps, t - 1, p50, p99, NAN, NAN))
			goto out;
		maxb = fmax(maxb, t - 1);
	}
	if (!plot_data_points(&d)) {
		plot_skip(ch, "convoy", "no ok cell of workload background has latencies.");
		err = 0;
		goto out;
	}
	plot_data_sort(&d);
	err = plot_data_write(pc, "convoy.dat", &d, "background_tasks p50_us p99_us");
	if (err)
		goto out;

	{
		const struct plot_series *most = NULL, *least = NULL;
		double mr = 0, lr = 0, m0 = 0, m1 = 0, l0 = 0, l1 = 0;
		for (size_t i = 0; i < d.n; i++) {
			const struct plot_pt *a = &d.s[i].pt[0], *b = &d.s[i].pt[d.s[i].n - 1];
			double r;
			if (d.s[i].n < 2 || a->x != 0 || b->x != maxb || !(a->v[1] > 0) ||
			    isnan(b->v[1]))
				continue;
			r = b->v[1] / a->v[1];
			if (!most || r > mr)
				most = &d.s[i], mr = r, m0 = a->v[1], m1 = b->v[1];
			if (!least || r < lr)
				least = &d.s[i], lr = r, l0 = a->v[1], l1 = b->v[1];
		}
		if (most && least && most != least) {
			char a[32], b[32], c[32], e[32];
			plot_fmt_us(a, sizeof(a), m0);
			plot_fmt_us(b, sizeof(b), m1);
			plot_fmt_us(c, sizeof(c), l0);
			plot_fmt_us(e, sizeof(e), l1);
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "From 0 to %.0f background tasks, foreground p99 latency grows "
			         "most under %s (%s to %s, %.3gx) and least under %s (%s to %s, "
			         "%.3gx).",
			         maxb, most->title, a, b, mr, least->title, c, e, lr);
		} else {
			snprintf(ch->sentence, sizeof(ch->sentence),
			         "Foreground latency p50 and p99 with 0 to %.0f CPU-bound "
			         "background tasks.",
			         maxb);
		}
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	plot_var_dat(pc, vf, "convoy.dat");
	plot_var_keys(vf, &d);
	plot_var_num(vf, "max_bg", maxb);
	{
		/* Both panels share one y range so p50 and p99 compare by eye. */
		double lo = INFINITY, hi = 0;
		for (size_t i = 0; i < d.n; i++)
			for (size_t j = 0; j < d.s[i].n; j++)
				for (int k = 0; k < 2; k++) {
					double v = d.s[i].pt[j].v[k];
					if (v > 0 && v < lo)
						lo = v;
					if (v > hi)
						hi = v;
				}
		plot_var_num(vf, "ymin", isinf(lo) ? 1 : lo);
		plot_var_num(vf, "ymax", hi > 0 ? hi : 10);
	}
	err = plot_finish(pc, vf, &vars, "convoy", "convoy", ch);
out:
	plot_data_free(&d);
	return err;
}

static int plot_switch_interval(struct plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"switch_interval_s", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = plot_chart(pc, "Switch interval");
	struct plot_data d = {0};
	size_t n = plot_select(results, "background", "threads", "new", free_keys, sel);
	double tasks = NAN;
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double si = plot_get(sel[i], "params.switch_interval_s");
		double p50 = plot_get(sel[i], "metrics.latency_us.p50");
		double p99 = plot_get(sel[i], "metrics.latency_us.p99");
		double bps = plot_get(sel[i], "metrics.bytecodes_per_s");
		struct plot_series *ps;
		if (!(si > 0) || (isnan(p50) && isnan(p99) && isnan(bps)))
			continue;
		ps = plot_series_get(&d, sel[i]);
		if (!ps || plot_series_add(ps, si * 1e3, p50, p99, bps, NAN))
			goto out;
		tasks = plot_get(sel[i], "params.tasks");
	}
	if (d.n == 0 || d.s[0].n < 2) {
		plot_skip(ch, "switch_interval",
		          "needs background cells of threads under gil new at two or more "
		          "--switch-interval values.");
		err = 0;
		goto out;
	}
	plot_data_sort(&d);
	err = plot_data_write(pc, "switch_interval.dat", &d,
	                      "switch_interval_ms p50_us p99_us bytecodes_per_s");
	if (err)
		goto out;
	{
		const struct plot_pt *a = &d.s[0].pt[0], *b = &d.s[0].pt[d.s[0].n - 1];
		char l0[32], l1[32], r0[32], r1[32];
		plot_fmt_us(l0, sizeof(l0), a->v[1]);
		plot_fmt_us(l1, sizeof(l1), b->v[1]);
		plot_fmt_rate(r0, sizeof(r0), a->v[2]);
		plot_fmt_rate(r1, sizeof(r1), b->v[2]);
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "Raising the switch interval from %.3g ms to %.3g ms moves the "
		         "foreground p99 latency of threads (gil new) from %s to %s, and "
		         "background throughput from %s to %s bytecodes/s (%.0f tasks).",
		         a->x, b->x, l0, l1, r0, r1, tasks);
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	plot_var_dat(pc, vf, "switch_interval.dat");
	plot_var_keys(vf, &d);
	plot_var_num(vf, "tasks", tasks);
	fputs("xs='", vf);
	for (size_t j = 0; j < d.s[0].n; j++)
		fprintf(vf, "%s%.6g", j ? " " : "", d.s[0].pt[j].x);
	fputs("'; ", vf);
	err = plot_finish(pc, vf, &vars, "switch_interval", "switch_interval", ch);
out:
	plot_data_free(&d);
	return err;
}

static int plot_native_fraction(struct plot_ctx *pc, json_t **sel)
{
	static const char *const free_keys[] = {"native_fraction", "gil", NULL};
	json_t *results = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = plot_chart(pc, "Native fraction");
	struct plot_data d = {0};
	size_t n = plot_select(results, "cpu", "threads", NULL, free_keys, sel);
	double tasks = NAN, lanes;
	char *vars = NULL;
	size_t vlen = 0;
	FILE *vf;
	int err = -ENOMEM;

	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		double nf = plot_get(sel[i], "params.native_fraction");
		double s = plot_get(sel[i], "metrics.speedup");
		struct plot_series *ps;
		if (isnan(nf) || isnan(s))
			continue;
		ps = plot_series_get(&d, sel[i]);
		if (!ps || plot_series_add(ps, nf, s, NAN, NAN, NAN))
			goto out;
		tasks = plot_get(sel[i], "params.tasks");
	}
	plot_data_prune(&d, 2);
	if (!plot_data_points(&d)) {
		plot_skip(ch, "native_fraction",
		          "needs cpu cells of threads with a speedup at two or more "
		          "--native-fraction values.");
		err = 0;
		goto out;
	}
	plot_data_sort(&d);
	err = plot_data_write(pc, "native_fraction.dat", &d, "native_fraction speedup");
	if (err)
		goto out;

	lanes = pc->cores > 0 ? fmin(tasks, pc->cores) : tasks;
	{
		const struct plot_series *s = plot_data_find(&d, "threads_new");
		const struct plot_pt *p;
		if (!s)
			s = &d.s[0];
		p = &s->pt[s->n - 1];
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "With %.3g of the work outside the GIL, %s reach %.2fx serial against "
		         "an Amdahl bound of %.2fx for %.0f tasks on %.0f cores.",
		         p->x, s->title, p->v[0], 1 / ((1 - p->x) + p->x / lanes), tasks,
		         pc->cores);
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	plot_var_dat(pc, vf, "native_fraction.dat");
	plot_var_keys(vf, &d);
	plot_var_num(vf, "tasks", tasks);
	plot_var_num(vf, "lanes", lanes);
	err = plot_finish(pc, vf, &vars, "native_fraction", "native_fraction", ch);
out:
	plot_data_free(&d);
	return err;
}

/* ---- compare ------------------------------------------------------------- */

struct plot_row {
	json_t *base, *cell;
	double b, blo, bhi, nw, nlo, nhi; /* wall medians and ci95 bounds */
};

static int plot_ci(json_t *cell, double *med, double *lo, double *hi)
{
	json_t *ci = json_object_get(json_object_get(json_object_get(cell, "metrics"), "wall_s"),
	                             "ci95");

	if (gb__res_num(cell, "metrics.wall_s.median", med) != 0 || !(*med > 0))
		return -ENOENT;
	*lo = *hi = *med;
	if (json_array_size(ci) == 2 && json_is_number(json_array_get(ci, 0)) &&
	    json_is_number(json_array_get(ci, 1))) {
		*lo = json_number_value(json_array_get(ci, 0));
		*hi = json_number_value(json_array_get(ci, 1));
	}
	return 0;
}

/* The params that tell a workload's cells apart, found once per workload. */
struct plot_vary {
	const char *wl;
	const char *keys[16];
	size_t n;
};

static void plot_row_label(json_t *results, json_t *cell, struct plot_vary *cache, size_t *ncache,
                           char *buf, size_t len)
{
	const char *wl = gb__res_str(cell, "workload");
	const char **vary = NULL;
	size_t nv = 0, off;
	char key[64], title[128], v[128];

	for (size_t i = 0; i < *ncache && !vary; i++)
		if (strcmp(cache[i].wl, wl) == 0)
			vary = cache[i].keys, nv = cache[i].n;
	if (!vary) {
		struct plot_vary *c = &cache[(*ncache)++];
		c->wl = wl;
		c->n = gb__res_varying(results, wl, c->keys, 16);
		vary = c->keys;
		nv = c->n;
	}
	double t = plot_get(cell, "params.tasks");

	gb__res_series(cell, key, sizeof(key), title, sizeof(title));
	off = (size_t)snprintf(buf, len, "%s  %s", wl, title);
	if (!isnan(t) && off < len)
		off += (size_t)snprintf(buf + off, len - off, "  tasks=%.0f", t);
	for (size_t i = 0; i < nv && off < len; i++) {
		json_t *pv = json_object_get(json_object_get(cell, "params"), vary[i]);
		if (!pv)
			continue;
		gb__res_value_text(pv, v, sizeof(v));
		off += (size_t)snprintf(buf + off, len - off, "  %s=%s", vary[i], v);
	}
	/* The label is a quoted gnuplot string in the .dat file. */
	for (char *p = buf; *p; p++)
		if (*p == '"')
			*p = '\'';
}

static int plot_compare(struct plot_ctx *pc)
{
	json_t *bres = json_object_get(pc->base, "results");
	json_t *nres = json_object_get(pc->doc, "results");
	struct gb_report_chart *ch = plot_chart(pc, "Base vs new");
	size_t nb = json_array_size(bres), nn = json_array_size(nres), nrows = 0, i;
	char **bids = calloc(nb ? nb : 1, sizeof(char *));
	struct plot_row *rows = calloc(nn ? nn : 1, sizeof(*rows));
	struct plot_vary *vcache = calloc(nn ? nn : 1, sizeof(*vcache));
	size_t nvcache = 0;
	char path[4096], *vars = NULL;
	size_t vlen = 0;
	json_t *cell;
	FILE *f, *vf;
	int err = -ENOMEM;

	if (!ch || !bids || !rows || !vcache)
		goto out;
	json_array_foreach(bres, i, cell)
	{
		if (strcmp(gb__res_str(cell, "status"), "ok") == 0 &&
		    !(bids[i] = gb__res_cell_id(cell)))
			goto out;
	}
	json_array_foreach(nres, i, cell)
	{
		struct plot_row *r = &rows[nrows];
		char *id;
		if (strcmp(gb__res_str(cell, "status"), "ok") != 0 ||
		    plot_ci(cell, &r->nw, &r->nlo, &r->nhi) != 0)
			continue;
		id = gb__res_cell_id(cell);
		if (!id)
			goto out;
		for (size_t j = 0; j < nb; j++)
			if (bids[j] && strcmp(bids[j], id) == 0 &&
			    plot_ci(json_array_get(bres, j), &r->b, &r->blo, &r->bhi) == 0) {
				r->base = json_array_get(bres, j);
				r->cell = cell;
			}
		free(id);
		nrows += r->cell != NULL;
	}
	if (!nrows) {
		plot_skip(ch, "compare", "no ok cell is in both the base and the new results.");
		err = 0;
		goto out;
	}

	f = plot_open(pc, "compare.dat", path, sizeof(path));
	if (!f) {
		err = -EIO;
		goto out;
	}
	fprintf(f, "# gilbench plot: compare.dat; wall time relative to the base median\n"
	           "# row base base_ci_lo base_ci_hi new new_ci_lo new_ci_hi key label\n");
	{
		size_t slower = 0, faster = 0, big = 0;
		double bigc = 0;
		char label[256];
		for (i = 0; i < nrows; i++) {
			struct plot_row *r = &rows[i];
			char key[64], title[128];
			double c = r->nw / r->b - 1;
			gb__res_series(r->cell, key, sizeof(key), title, sizeof(title));
			plot_row_label(nres, r->cell, vcache, &nvcache, label, sizeof(label));
			/* First row on top. */
			fprintf(f, "%zu %.9g %.9g %.9g %.9g %.9g %.9g %s \"%s\"\n", nrows - i, 1.0,
			        r->blo / r->b, r->bhi / r->b, r->nw / r->b, r->nlo / r->b,
			        r->nhi / r->b, key, label);
			slower += r->nlo > r->bhi;
			faster += r->nhi < r->blo;
			if (fabs(c) > fabs(bigc))
				bigc = c, big = i;
		}
		err = plot_close(f, path);
		if (err)
			goto out;
		plot_row_label(nres, rows[big].cell, vcache, &nvcache, label, sizeof(label));
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "Of %zu cells in both runs, %zu got slower and %zu faster with "
		         "non-overlapping 95%% confidence intervals; the largest change is "
		         "%+.1f%% (%s). Base: `%s`.",
		         nrows, slower, faster, bigc * 100, label,
		         pc->base_path ? pc->base_path : "?");
	}

	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	plot_var_dat(pc, vf, "compare.dat");
	plot_var_num(vf, "rows", (double)nrows);
	/* Rows stay readable at any count: the chart grows with them. */
	plot_var_num(vf, "height", (double)(nrows * 24 + 170 > 500 ? nrows * 24 + 170 : 500));
	plot_var_str(vf, "base_name",
	             gb__res_str(pc->base, "context.date") ? gb__res_str(pc->base, "context.date")
	                                                   : "base");
	err = plot_finish(pc, vf, &vars, "compare", "compare", ch);
out:
	if (bids)
		for (i = 0; i < nb; i++)
			free(bids[i]);
	free(bids);
	free(rows);
	free(vcache);
	return err;
}

/* ---- GIL timeline ---------------------------------------------------------- */

enum plot_ev {
	PLOT_EV_REQUEST,
	PLOT_EV_ACQUIRE,
	PLOT_EV_FORCED,
	PLOT_EV_VOLUNTARY,
	PLOT_EV_DROPREQ,
	PLOT_EV_IOS,
	PLOT_EV_IOE
};

static const char *const plot_ev_names[] = {"request",        "acquire",      "drop_forced",
                                            "drop_voluntary", "drop_request", "io_start",
                                            "io_end"};

struct plot_event {
	double t_ns;
	size_t thread; /* index into plot_trace.names */
	size_t seq;    /* file order, to keep the sort stable */
	enum plot_ev ev;
};

struct plot_trace {
	char label[512];
	char (*names)[32];
	size_t nthreads;
	struct plot_event *ev;
	size_t nev, cap;
};

static int plot_event_cmp(const void *a, const void *b)
{
	const struct plot_event *x = a, *y = b;
	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int plot_trace_thread(struct plot_trace *tr, const char *name, size_t *out)
{
	for (size_t i = 0; i < tr->nthreads; i++)
		if (strcmp(tr->names[i], name) == 0) {
			*out = i;
			return 0;
		}
	void *p = realloc(tr->names, (tr->nthreads + 1) * sizeof(*tr->names));
	if (!p)
		return -ENOMEM;
	tr->names = p;
	snprintf(tr->names[tr->nthreads], sizeof(tr->names[0]), "%s", name);
	*out = tr->nthreads++;
	return 0;
}

/* Reads a trace CSV; one line naming file:line on the first thing wrong. */
static int plot_trace_load(const char *path, struct plot_trace *tr)
{
	char *line = NULL, where[4200];
	size_t cap = 0, lineno = 0;
	int header = 0, err = 0;
	ssize_t len;
	FILE *f = fopen(path, "r");

	if (!f) {
		err = -errno;
		gb_err(path, "cannot read: %s", strerror(-err));
		return err;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *t, *th, *ev, *end;
		size_t k, idx;
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		if (len == 0)
			continue;
		if (line[0] == '#') {
			if (!tr->label[0] && !header)
				snprintf(tr->label, sizeof(tr->label), "%s",
				         line + 1 + strspn(line + 1, " "));
			continue;
		}
		if (!header) {
			if (strcmp(line, "t_ns,thread,event") != 0) {
				gb_err(where, "not a gilbench trace: expected the header "
				              "'t_ns,thread,event'");
				err = -EINVAL;
				goto out;
			}
			header = 1;
			continue;
		}
		t = line;
		th = strchr(t, ',');
		ev = th ? strchr(th + 1, ',') : NULL;
		if (!th || !ev || strchr(ev + 1, ',')) {
			gb_err(where, "expected 3 fields t_ns,thread,event");
			err = -EINVAL;
			goto out;
		}
		*th++ = '\0';
		*ev++ = '\0';
		errno = 0;
		double tns = strtod(t, &end);
		if (end == t || *end || errno || !(tns >= 0) || isinf(tns)) {
			gb_err(where, "t_ns '%s' is not a time in ns", t);
			err = -EINVAL;
			goto out;
		}
		if (!*th || strlen(th) >= sizeof(tr->names[0])) {
			gb_err(where, "thread '%s' is empty or longer than 31 characters", th);
			err = -EINVAL;
			goto out;
		}
		for (k = 0; k < sizeof(plot_ev_names) / sizeof(plot_ev_names[0]); k++)
			if (strcmp(ev, plot_ev_names[k]) == 0)
				break;
		if (k == sizeof(plot_ev_names) / sizeof(plot_ev_names[0])) {
			gb_err(where,
			       "unknown event '%s' (want request, acquire, drop_forced, "
			       "drop_voluntary, drop_request, io_start or io_end)",
			       ev);
			err = -EINVAL;
			goto out;
		}
		for (char *p = th; *p; p++)
			if (*p == ' ' || *p == '\t')
				*p = '_';
		err = plot_trace_thread(tr, th, &idx);
		if (err)
			goto out;
		if (tr->nev == tr->cap) {
			size_t ncap = tr->cap ? 2 * tr->cap : 1024;
			struct plot_event *p = realloc(tr->ev, ncap * sizeof(*p));
			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			tr->ev = p;
			tr->cap = ncap;
		}
		tr->ev[tr->nev] =
		        (struct plot_event){.t_ns = tns, .thread = idx, .seq = tr->nev, .ev = k};
		tr->nev++;
	}
	if (ferror(f)) {
		err = -EIO;
		gb_err(path, "read error");
	} else if (!header) {
		gb_err(path, "not a gilbench trace: no 't_ns,thread,event' header");
		err = -EINVAL;
	} else if (!tr->nev) {
		gb_err(path, "the trace has no events");
		err = -EINVAL;
	}
out:
	free(line);
	fclose(f);
	if (!err)
		qsort(tr->ev, tr->nev, sizeof(*tr->ev), plot_event_cmp);
	return err;
}

static void plot_trace_free(struct plot_trace *tr)
{
	free(tr->names);
	free(tr->ev);
	memset(tr, 0, sizeof(*tr));
}

/* Row order: threads by numeric id when they all are numbers, else by first event. */
static int plot_trace_numeric(const struct plot_trace *tr)
{
	for (size_t i = 0; i < tr->nthreads; i++) {
		char *end;
		strtol(tr->names[i], &end, 10);
		if (end == tr->names[i] || *end)
			return 0;
	}
	return 1;
}

struct plot_tl_state {
	double hold0, wait0, io0, held, first, last;
	int holding, waiting, in_io;
	unsigned acq, forced;
};

static int plot_timeline(struct plot_ctx *pc, const char *trace_path, const char *stem)
{
	struct gb_report_chart *ch = plot_chart(pc, "GIL timeline");
	struct plot_trace tr = {0};
	struct plot_tl_state *st = NULL;
	size_t *row = NULL, counts[5] = {0}, nrows;
	int numeric;
	FILE *blk[5] = {0};
	char *btext[5] = {0};
	size_t blen[5] = {0};
	static const char *const bname[5] = {"held: t0_ms t1_ms row", "waiting: t0_ms t1_ms row",
	                                     "io: t0_ms t1_ms row", "forced drop: t_ms row",
	                                     "drop request: t_ms row"};
	char path[4096], name[300], *vars = NULL;
	size_t vlen = 0;
	double t_end, t0;
	unsigned acq = 0, forced = 0;
	FILE *f, *vf;
	int err;

	if (!ch)
		return -ENOMEM;
	err = plot_trace_load(trace_path, &tr);
	if (err)
		goto out;
	err = -ENOMEM;
	st = calloc(tr.nthreads, sizeof(*st));
	row = calloc(tr.nthreads, sizeof(*row));
	if (!st || !row)
		goto out;
	/*
	 * Rows from the top: thread 0 (or the first seen) first. Past
	 * PLOT_TL_ROWS threads a timeline is no longer readable: draw the
	 * first ones (row 0 = not drawn) and say so.
	 */
	numeric = plot_trace_numeric(&tr);
	nrows = tr.nthreads < PLOT_TL_ROWS ? tr.nthreads : PLOT_TL_ROWS;
	for (size_t i = 0; i < tr.nthreads; i++) {
		size_t rank = 0;
		for (size_t j = 0; j < tr.nthreads; j++)
			rank += numeric ? strtol(tr.names[j], NULL, 10) <
			                          strtol(tr.names[i], NULL, 10)
			                : j < i;
		row[i] = rank < nrows ? nrows - rank : 0;
	}
	if (nrows < tr.nthreads)
		fprintf(stderr,
		        "gilbench: %s: note: %zu threads; the timeline shows the first %zu\n",
		        trace_path, tr.nthreads, nrows);
	for (int b = 0; b < 5; b++) {
		blk[b] = open_memstream(&btext[b], &blen[b]);
		if (!blk[b])
			goto out;
		fprintf(blk[b], "# %s\n", bname[b]);
	}

	t0 = tr.ev[0].t_ns;
	t_end = tr.ev[tr.nev - 1].t_ns;
	for (size_t i = 0; i < tr.nthreads; i++)
		st[i].first = -1;
	for (size_t e = 0; e < tr.nev; e++) {
		const struct plot_event *ev = &tr.ev[e];
		struct plot_tl_state *s = &st[ev->thread];
		double t = (ev->t_ns - t0) / 1e6, r = (double)row[ev->thread];
		if (!row[ev->thread])
			continue;
		if (s->first < 0)
			s->first = t;
		s->last = t;
		switch (ev->ev) {
		case PLOT_EV_REQUEST:
			if (!s->holding && !s->waiting)
				s->waiting = 1, s->wait0 = t;
			break;
		case PLOT_EV_ACQUIRE:
			if (s->waiting)
				fprintf(blk[1], "%.6f %.6f %g\n", s->wait0, t, r), counts[1]++;
			s->waiting = 0;
			s->holding = 1;
			s->hold0 = t;
			s->acq++;
			acq++;
			break;
		case PLOT_EV_FORCED:
		case PLOT_EV_VOLUNTARY:
			/* A ring that wrapped may open with a drop: nothing to draw for it. */
			if (s->holding) {
				fprintf(blk[0], "%.6f %.6f %g\n", s->hold0, t, r), counts[0]++;
				s->held += t - s->hold0;
			}
			s->holding = 0;
			if (ev->ev == PLOT_EV_FORCED) {
				fprintf(blk[3], "%.6f %g\n", t, r), counts[3]++;
				s->forced++;
				forced++;
			}
			break;
		case PLOT_EV_DROPREQ:
			fprintf(blk[4], "%.6f %g\n", t, r), counts[4]++;
			break;
		case PLOT_EV_IOS:
			s->in_io = 1;
			s->io0 = t;
			break;
		case PLOT_EV_IOE:
			if (s->in_io)
				fprintf(blk[2], "%.6f %.6f %g\n", s->io0, t, r), counts[2]++;
			s->in_io = 0;
			break;
		}
	}
	t_end = (t_end - t0) / 1e6;
	for (size_t i = 0; i < tr.nthreads; i++) {
		double r = (double)row[i];
		if (!r)
			continue;
		if (st[i].holding) {
			fprintf(blk[0], "%.6f %.6f %g\n", st[i].hold0, t_end, r), counts[0]++;
			st[i].held += t_end - st[i].hold0;
		}
		if (st[i].waiting)
			fprintf(blk[1], "%.6f %.6f %g\n", st[i].wait0, t_end, r), counts[1]++;
		if (st[i].in_io)
			fprintf(blk[2], "%.6f %.6f %g\n", st[i].io0, t_end, r), counts[2]++;
	}

	snprintf(name, sizeof(name), "%s.dat", stem);
	f = plot_open(pc, name, path, sizeof(path));
	if (!f) {
		err = -EIO;
		goto out;
	}
	fprintf(f,
	        "# gilbench plot: GIL timeline of %s (%s); times in ms from the first "
	        "event\n",
	        trace_path, tr.label[0] ? tr.label : "no cell label");
	for (int b = 0; b < 5; b++) {
		if (fclose(blk[b]) != 0) {
			blk[b] = NULL;
			fclose(f);
			goto out;
		}
		blk[b] = NULL;
		/* An empty block would merge with the next: "?" keeps its index. */
		fprintf(f, "%s%s%s", b ? "\n\n" : "", btext[b],
		        counts[b] ? "" : (b < 3 ? "? ? ?\n" : "? ?\n"));
	}
	err = plot_close(f, path);
	if (err)
		goto out;

	{
		size_t top = 0;
		for (size_t i = 1; i < tr.nthreads; i++)
			if (st[i].held > st[top].held)
				top = i;
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "Over %.3g ms, %zu threads took the GIL %u times and %u of the drops "
		         "were forced; thread %s held it longest (%.0f%% of the time)%s%s.",
		         t_end, tr.nthreads, acq, forced, tr.names[top],
		         t_end > 0 ? 100 * st[top].held / t_end : 0, tr.label[0] ? ". Cell: " : "",
		         tr.label);
	}

	err = -ENOMEM;
	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	snprintf(name, sizeof(name), "%s.dat", stem);
	plot_var_dat(pc, vf, name);
	plot_var_num(vf, "rows", (double)nrows);
	plot_var_num(vf, "t_end", t_end);
	plot_var_num(vf, "height", (double)(nrows > 6 ? 140 + 60 * nrows : 500));
	plot_var_str(vf, "cell", tr.label);
	{
		/* The held bars take the colour of the traced model (threads, gil X). */
		char key[64] = "threads_new";
		const char *g = strstr(tr.label, "gil=");
		const char *m = strstr(tr.label, "model=");
		if (m && strncmp(m + 6, "threads", 7) != 0)
			snprintf(key, sizeof(key), "%.*s", (int)strcspn(m + 6, " ,"), m + 6);
		else if (g)
			snprintf(key, sizeof(key), "threads_%.*s", (int)strcspn(g + 4, " ,"),
			         g + 4);
		plot_var_str(vf, "held_key", key);
	}
	{
		/* Words for gnuplot's word(): the loader made names blank-free. */
		char labels[4096];
		size_t off = 0;
		labels[0] = '\0';
		for (size_t r = nrows; r >= 1; r--)
			for (size_t i = 0; i < tr.nthreads; i++)
				if (row[i] == r && off < sizeof(labels))
					off += (size_t)snprintf(labels + off, sizeof(labels) - off,
					                        "%s%s", r == nrows ? "" : " ",
					                        tr.names[i]);
		plot_var_str(vf, "row_labels", labels);
	}
	plot_var_str(vf, "row_prefix", numeric ? "thread " : "");
	for (int b = 0; b < 5; b++) {
		char v[16];
		snprintf(v, sizeof(v), "n%d", b);
		plot_var_num(vf, v, (double)counts[b]);
	}
	err = plot_finish(pc, vf, &vars, "gil_timeline", stem, ch);
	if (!err)
		snprintf(ch->sentence + strlen(ch->sentence),
		         sizeof(ch->sentence) - strlen(ch->sentence), " Trace: `%s`.", trace_path);
out:
	for (int b = 0; b < 5; b++) {
		if (blk[b])
			fclose(blk[b]);
		free(btext[b]);
	}
	free(st);
	free(row);
	plot_trace_free(&tr);
	return err;
}

/* ---- the command --------------------------------------------------------- */

static void plot_usage(FILE *f)
{
	fprintf(f,
	        "usage: gilbench plot RESULTS.json... [-o DIR] [--trace FILE.csv]... "
	        "[--base BASE.json]\n"
	        "                     [--format png,svg] [--templates DIR]\n\n"
	        "Draws charts from result files (and GIL traces) with gnuplot: DIR/<chart>.png\n"
	        "and .svg, the .dat files behind them, and DIR/report.md.\n\n"
	        "  -o, --output DIR    where to write (created if missing; default .)\n"
	        "  --trace FILE.csv    a trace from 'gilbench run --trace': a GIL timeline "
	        "chart\n"
	        "                      (repeatable; gil_timeline, gil_timeline_2, ...)\n"
	        "  --base BASE.json    draw the compare chart of BASE against the results\n"
	        "                      (with exactly two RESULTS and no --base, the first is "
	        "the base)\n"
	        "  --format LIST       png, svg or png,svg (default png,svg)\n"
	        "  --templates DIR     the gnuplot templates (default $GILBENCH_PLOT_DIR, else\n"
	        "                      %s/scripts/plot)\n"
	        "  -h, --help          this text\n\n"
	        "Several RESULTS files are merged (a cell in a later file replaces the same "
	        "cell\nin an earlier one). Charts with no data are skipped with a note. Needs "
	        "gnuplot\n(Debian package gnuplot-nox). See docs/charts.md.\n",
	        GB_SOURCE_DIR);
}

static int plot_parse_format(struct plot_ctx *pc, const char *s)
{
	pc->png = pc->svg = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n == 3 && strncmp(s, "png", 3) == 0)
			pc->png = 1;
		else if (n == 3 && strncmp(s, "svg", 3) == 0)
			pc->svg = 1;
		else {
			gb_err("plot", "--format: unknown format '%.*s' (want png, svg or png,svg)",
			       (int)n, s);
			return -EINVAL;
		}
		s += n + (s[n] == ',');
	}
	if (!pc->png && !pc->svg) {
		gb_err("plot", "--format: empty list (want png, svg or png,svg)");
		return -EINVAL;
	}
	return 0;
}

static int plot_mkdirs(const char *dir)
{
	char buf[4096];
	size_t len = strlen(dir);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char c = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -errno;
		buf[i] = c;
	}
	struct stat sb;
	if (stat(dir, &sb) != 0)
		return -errno;
	return S_ISDIR(sb.st_mode) ? 0 : -ENOTDIR;
}

/* Merges the results of several files into one document; later cells win. */
static int plot_merge(json_t **docs, size_t ndocs, json_t **out)
{
	json_t *merged = json_object(), *results = json_array();
	char **ids = NULL;
	size_t nids = 0, cap = 0;
	int err = -ENOMEM;

	if (!merged || !results)
		goto fail;
	json_object_set(merged, "schema_version", json_object_get(docs[0], "schema_version"));
	json_object_set(merged, "context", json_object_get(docs[0], "context"));
	for (size_t d = 0; d < ndocs; d++) {
		size_t i;
		json_t *cell;
		json_array_foreach(json_object_get(docs[d], "results"), i, cell)
		{
			char *id = gb__res_cell_id(cell);
			size_t j;
			if (!id)
				goto fail;
			for (j = 0; j < nids; j++)
				if (strcmp(ids[j], id) == 0)
					break;
			if (j < nids) {
				free(id);
				json_array_set(results, j, cell);
				continue;
			}
			if (nids == cap) {
				char **p = realloc(ids, (cap ? 2 * cap : 64) * sizeof(*p));
				if (!p) {
					free(id);
					goto fail;
				}
				ids = p;
				cap = cap ? 2 * cap : 64;
			}
			ids[nids++] = id;
			json_array_append(results, cell);
		}
	}
	json_object_set_new(merged, "results", results);
	results = NULL;
	*out = merged;
	merged = NULL;
	err = 0;
fail:
	for (size_t i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	json_decref(results);
	json_decref(merged);
	return err;
}

static const char *plot_templates(const char *opt)
{
	const char *env = getenv("GILBENCH_PLOT_DIR");

	if (opt)
		return opt;
	if (env && *env)
		return env;
	return GB_SOURCE_DIR "/scripts/plot";
}

int gb_cmd_plot(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"trace", required_argument, NULL, 't'},
	        {"base", required_argument, NULL, 'b'},
	        {"format", required_argument, NULL, 'f'},
	        {"templates", required_argument, NULL, 'T'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct plot_ctx *pc = calloc(1, sizeof(*pc));
	const char **traces = calloc((size_t)argc + 1, sizeof(char *));
	json_t **docs = calloc((size_t)argc + 1, sizeof(json_t *));
	json_t **sel = NULL;
	const char *base_path = NULL, *tpl_opt = NULL;
	const char **sources = NULL;
	size_t ntraces = 0, ndocs = 0, nsrc = 0, nfiles;
	char path[4096];
	int opt, rc = 1, err;

	if (!pc || !traces || !docs) {
		gb_err("plot", "out of memory");
		goto out;
	}
	pc->outdir = ".";
	pc->png = pc->svg = 1;
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			pc->outdir = optarg;
			break;
		case 't':
			traces[ntraces++] = optarg;
			break;
		case 'b':
			base_path = optarg;
			break;
		case 'f':
			if (plot_parse_format(pc, optarg))
				goto out;
			break;
		case 'T':
			tpl_opt = optarg;
			break;
		case 'h':
			plot_usage(stdout);
			rc = 0;
			goto out;
		case ':':
			gb_err("plot", "option '%s' needs a value", argv[optind - 1]);
			goto out;
		default:
			gb_err("plot", "unknown option '%s' (try 'gilbench plot --help')",
			       argv[optind - 1]);
			goto out;
		}
	}
	nfiles = (size_t)(argc - optind);
	if (!nfiles && !ntraces) {
		gb_err("plot", "no result file given (try 'gilbench plot --help')");
		goto out;
	}

	pc->tpl_dir = plot_templates(tpl_opt);
	snprintf(path, sizeof(path), "%s/style.gp", pc->tpl_dir);
	if (access(path, R_OK) != 0) {
		gb_err(pc->tpl_dir,
		       "no gnuplot templates here (style.gp: %s); use --templates "
		       "DIR or GILBENCH_PLOT_DIR",
		       strerror(errno));
		goto out;
	}
	if (plot_find_gnuplot(pc) != 0) {
		gb_err("plot", "gnuplot not found in PATH: install the gnuplot-nox package "
		               "(scripts/install-deps does)");
		goto out;
	}

	for (size_t i = 0; i < nfiles; i++) {
		if (gb_results_load(argv[optind + (int)i], &docs[ndocs]) != 0)
			goto out;
		ndocs++;
	}
	if (base_path) {
		if (gb_results_load(base_path, &pc->base) != 0)
			goto out;
		pc->base_path = base_path;
	} else if (ndocs == 2) {
		/* Two files and no --base: the first is the base, the charts show the second. */
		pc->base = docs[0];
		pc->base_path = argv[optind];
		docs[0] = NULL;
	}
	sources = calloc(nfiles + 1, sizeof(char *));
	if (!sources)
		goto out;
	for (size_t i = 0; i < nfiles; i++)
		if (docs[i])
			sources[nsrc++] = argv[optind + (int)i];

	if (nsrc) {
		json_t **live = docs + (ndocs - nsrc);
		if (plot_merge(live, nsrc, &pc->doc) != 0) {
			gb_err("plot", "out of memory");
			goto out;
		}
	} else {
		pc->doc = json_pack("{s:i, s:{}, s:[]}", "schema_version", 1, "context", "results");
		if (!pc->doc)
			goto out;
	}
	gb__res_machine(pc->doc, pc->machine, sizeof(pc->machine));
	gb__res_num(pc->doc, "context.topology.cores", &pc->cores);

	err = plot_mkdirs(pc->outdir);
	if (err) {
		gb_err(pc->outdir, "cannot create the output directory: %s", strerror(-err));
		goto out;
	}

	sel = calloc(json_array_size(json_object_get(pc->doc, "results")) + 1, sizeof(json_t *));
	if (!sel)
		goto out;
	err = 0;
	if (nsrc) {
		if (!err)
			err = plot_cpu_scaling(pc, sel);
		if (!err)
			err = plot_io_scaling(pc, sel);
		if (!err)
			err = plot_convoy(pc, sel);
		if (!err)
			err = plot_switch_interval(pc, sel);
		if (!err)
			err = plot_native_fraction(pc, sel);
	}
	for (size_t i = 0; i < ntraces && !err; i++) {
		char stem[64];
		if (i == 0)
			snprintf(stem, sizeof(stem), "gil_timeline");
		else
			snprintf(stem, sizeof(stem), "gil_timeline_%zu", i + 1);
		err = plot_timeline(pc, traces[i], stem);
	}
	if (!err && pc->base && nsrc)
		err = plot_compare(pc);
	if (err) {
		if (err == -ENOMEM)
			gb_err("plot", "out of memory");
		goto out;
	}

	snprintf(path, sizeof(path), "%s/report.md", pc->outdir);
	if (gb_report_md_write(path, pc->doc, sources, nsrc, pc->charts, pc->ncharts) != 0)
		goto out;
	rc = pc->failed ? 1 : 0;
out:
	if (docs)
		for (size_t i = 0; i < ndocs; i++)
			json_decref(docs[i]);
	if (pc) {
		json_decref(pc->doc);
		json_decref(pc->base);
	}
	free(docs);
	free(traces);
	free(sources);
	free(sel);
	free(pc);
	return rc;
}
