/*
 * plot.h - what the files of `gilbench plot` share: series of points, the
 * choice of cells, running a template, the chart list the report is built
 * from. Internal to bench/plot*.c; not a contract.
 */
#ifndef GB_PLOT_H
#define GB_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "report_md.h"

#define GB__PLOT_MAXCHARTS 32
#define GB__PLOT_NV        8

/*
 * One point of a series: x and up to GB__PLOT_NV values (NAN = missing):
 * a chart's medians, then the bounds of their confidence intervals.
 */
struct gb__plot_pt {
	double x;
	double v[GB__PLOT_NV];
};

struct gb__plot_series {
	char key[64];    /* style key: "threads_new" */
	char title[128]; /* legend: "threads (gil new)" */
	struct gb__plot_pt *pt;
	size_t n, cap;
};

struct gb__plot_data {
	struct gb__plot_series *s;
	size_t n, cap;
};

struct gb__plot_ctx {
	const char *outdir;
	const char *tpl_dir;
	char gnuplot[4096];
	int png, svg;
	json_t *doc;  /* the results charted (several files merged) */
	json_t *base; /* the compare chart's base, or NULL */
	const char *base_path;
	const char *const *sources; /* the result files merged into doc */
	size_t nsources;
	char machine[512];
	double cores;
	struct gb_report_chart charts[GB__PLOT_MAXCHARTS];
	size_t ncharts;
	int failed;     /* a gnuplot run failed: exit 1 after drawing the rest */
	int has_window; /* --window START_MS:END_MS: the timelines show only that */
	double win_lo, win_hi;
};

/* ---- plot_util.c: series ---- */

/* The series of `cell` in d (its key and title from gb__res_series), made if new. */
struct gb__plot_series *gb__plot_series_get(struct gb__plot_data *d, json_t *cell);
/* Adds a point; a second point at the same x replaces the first. */
int gb__plot_series_add(struct gb__plot_series *s, double x, double v0, double v1, double v2,
                        double v3);
/* The same with n values (the rest NAN). */
int gb__plot_series_addv(struct gb__plot_series *s, double x, const double *v, size_t n);
/* Points by x, series by gb__res_rank (serial, threads by policy, processes, ...). */
void gb__plot_data_sort(struct gb__plot_data *d);
void gb__plot_data_free(struct gb__plot_data *d);
/* Drops series with fewer than `min` points (a sweep of one value says nothing). */
void gb__plot_data_prune(struct gb__plot_data *d, size_t min);
size_t gb__plot_data_points(const struct gb__plot_data *d);
struct gb__plot_series *gb__plot_data_find(struct gb__plot_data *d, const char *key);
/* DIR/name for writing (path receives the full path); NULL after one error line. */
FILE *gb__plot_open(struct gb__plot_ctx *pc, const char *name, char *path, size_t len);
int gb__plot_close(FILE *f, const char *path);
/* DIR/name: one gnuplot block per series, its title on the first line. */
int gb__plot_data_write(struct gb__plot_ctx *pc, const char *name, const struct gb__plot_data *d,
                        const char *columns);

/* ---- plot_util.c: choosing cells ---- */

/* Which cells a chart draws. */
struct gb__plot_pick {
	const char *wl;               /* workload */
	const char *model;            /* NULL: every model */
	int cpython;                  /* with model: its cpython- twin too */
	const char *gil;              /* NULL: every policy */
	const char *const *free_keys; /* the chart's axes: not held at one value */
	const char *zero_key;         /* leave out cells where this param is not 0 */
	const char *anchor_key;       /* only cells where it is not 0 vote (a sweep) */
	int no_cpython_serial;        /* leave out cpython-serial (1x by definition) */
};

/*
 * The ok cells pk asks for into out (room for every result), reduced model
 * by model so that each param not in free_keys holds its most common value.
 * Returns how many.
 */
size_t gb__plot_select(json_t *results, const struct gb__plot_pick *pk, json_t **out);
/* The number at a dotted path of a cell, or NAN. */
double gb__plot_get(json_t *cell, const char *path);
/*
 * The confidence interval of the median of metric `key` (a metrics.def key:
 * "wall_s", "latency_p99_us", "speedup") into *lo, *hi and its coverage
 * into *level: summaries.<key> when the cell has it (a merged cell does),
 * else metrics.<key> when that is a summary object (wall_s), else the
 * summary of samples.<key> (gb_stats_summarize, as the run computes it).
 * 0, or -ENOENT (bounds NAN).
 */
int gb__plot_ci(json_t *cell, const char *key, double *lo, double *hi, double *level);

/* ---- plot_util.c: templates ---- */

/* gnuplot -e assignments: a quoted string, a number. */
void gb__plot_var_str(FILE *f, const char *name, const char *value);
void gb__plot_var_num(FILE *f, const char *name, double value);
/*
 * A memstream for a chart's vars (*vars, *vlen; gb__plot_finish closes it)
 * that already holds dat = the full path of DIR/stem.dat (gnuplot runs in
 * our directory, not DIR) and, given d, keys = its series' style keys in
 * data-file order. NULL when out of memory.
 */
FILE *gb__plot_vars_open(struct gb__plot_ctx *pc, char **vars, size_t *vlen, const char *stem,
                         const struct gb__plot_data *d);
/* The next chart slot of the report, or NULL when all are taken. */
struct gb_report_chart *gb__plot_chart(struct gb__plot_ctx *pc, const char *title);
/* A chart with no data: a note on stderr, and why in the report. */
void gb__plot_skip(struct gb_report_chart *ch, const char *stem, const char *why);
/* Runs template tpl into DIR/stem.{png,svg} with vars; one error line on failure. */
int gb__plot_render(struct gb__plot_ctx *pc, const char *tpl, const char *stem, const char *vars,
                    struct gb_report_chart *ch);
/*
 * Closes the memstream vf holding the chart's vars, renders, frees them. A
 * failed gnuplot is flagged in pc and returns 0 so the other charts go on.
 */
int gb__plot_finish(struct gb__plot_ctx *pc, FILE *vf, char **vars, const char *tpl,
                    const char *stem, struct gb_report_chart *ch);

/* ---- plot_util.c: numbers in sentences ---- */

/* Appends to a sentence; a full buffer just stops growing. */
void gb__plot_cat(char *buf, size_t len, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* "80 µs", "5.2 ms", "1.5 s". */
void gb__plot_fmt_us(char *buf, size_t len, double us);
/* "36M", "1.2k". */
void gb__plot_fmt_rate(char *buf, size_t len, double r);

/* ---- plot.c: what the fuzz targets drive too ---- */

/*
 * The results of several files (names[i] is docs[i]'s path, or NULL) as one
 * document: each file's repeated cells merged by gb_results_merge_duplicates;
 * files that hold a cell another file holds too keep their cells apart, each
 * tagged "_source" (file stem, or host when hosts differ) and "_source_n".
 * Each cell gets "_context", its file's context. 0 or -errno.
 */
int gb__plot_merge(json_t **docs, size_t ndocs, const char *const *names, json_t **out);
/* Every chart of pc: from the results (if have_results), a timeline per
 * trace, the compare chart against pc->base. sel has room for every result
 * cell and one more. */
int gb__plot_all(struct gb__plot_ctx *pc, json_t **sel, int have_results, const char *const *traces,
                 size_t ntraces);

/* ---- plot_charts.c: the chart skeleton and the charts drawn from results ---- */

/* One chart while it is drawn: what the skeleton and the chart's parts share. */
struct gb__plot_run {
	struct gb__plot_ctx *pc;
	json_t *results; /* pc->doc's */
	struct gb_report_chart *ch;
	struct gb__plot_data d;
	double xmax;         /* the largest x of any point, once the points are in */
	double tasks;        /* a chart's task count, as its point() sets it; NAN until */
	double lv_lo, lv_hi; /* the coverage of the intervals drawn (lv_lo > lv_hi: none) */
	int dts[64];         /* per series: a dash type apart from its look-alikes, or 0 */
};

/*
 * A chart drawn from the results: which cells (pick), what each becomes
 * (point), when there is enough to draw (enough; NULL = any point), the
 * .dat header (columns), the report's reason when not drawn (empty), the
 * sentence and the template vars of its own (vars; NULL = none beyond dat
 * and keys). stem names the .dat file, the template and the image.
 */
struct gb__plot_chart_desc {
	const char *title;
	const char *stem;
	struct gb__plot_pick pick;
	const char *columns;
	const char *empty;
	int (*point)(struct gb__plot_run *r, json_t *cell); /* 0, or -ENOMEM */
	int (*enough)(struct gb__plot_run *r);
	void (*sentence)(struct gb__plot_run *r);
	void (*vars)(struct gb__plot_run *r, FILE *vf);
	/* The headline median v[ci_v] and its interval v[ci_lo]..v[ci_hi] (ci_lo 0:
	 * none): series whose intervals overlap at every x they share are said to
	 * coincide, and drawn with dashes of their own. */
	int ci_v, ci_lo, ci_hi;
	const char *ci_what; /* "speedup", "p99 latency": what coincides */
};

/* The charts drawn from results, in the report's order. */
extern const struct gb__plot_chart_desc gb__plot_charts[];
extern const size_t gb__plot_ncharts;

/* Draws one chart (or records why not). sel has room for every result. 0 or -errno. */
int gb__plot_chart_run(struct gb__plot_ctx *pc, json_t **sel, const struct gb__plot_chart_desc *cd);

/* ---- the other charts ---- */
int gb__plot_compare(struct gb__plot_ctx *pc);
int gb__plot_timeline(struct gb__plot_ctx *pc, const char *trace_path, const char *stem);
/*
 * Reads a trace (CSV or JSON lines) as the timeline would, and checks that
 * pc's --window starts inside it: 0, or -errno after one line.
 */
int gb__plot_trace_check(const struct gb__plot_ctx *pc, const char *trace_path);

#endif
