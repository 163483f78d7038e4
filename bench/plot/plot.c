/*
 * plot.c - `gilbench plot`: options, loading and merging result files, and
 * calling each chart in turn (plot_charts.c, plot_compare.c,
 * plot_timeline.c), then the report (report_md.c).
 *
 * It is not responsible for how a chart looks (the templates and the
 * shared scripts/plot/style.gp are), nor for any statistics.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "identity.h"
#include "log.h"
#include "plot.h"
#include "report_md.h"
#include "results_io.h"

#ifndef GB_SOURCE_DIR
#define GB_SOURCE_DIR "."
#endif

/* ---- running gnuplot --------------------------------------------------- */

static int plot_find_gnuplot(struct gb__plot_ctx *pc)
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
/* ---- the command --------------------------------------------------------- */

static void plot_usage(FILE *f)
{
	fprintf(f,
	        "usage: gilbench plot RESULTS.json... [-o DIR] [--trace FILE]... "
	        "[--base BASE.json]\n"
	        "                     [--window START_MS:END_MS] [--format png,svg] "
	        "[--templates DIR]\n\n"
	        "Draws charts from result files (and GIL traces) with gnuplot: DIR/<chart>.png\n"
	        "and .svg, the .dat files behind them, and DIR/report.md.\n\n"
	        "  -o, --output DIR    where to write (created if missing; default .)\n"
	        "  --trace FILE        a trace from 'gilbench run --trace' (CSV or JSON lines):\n"
	        "                      a GIL timeline chart (repeatable; gil_timeline,\n"
	        "                      gil_timeline_2, ...)\n"
	        "  --window A:B        the timelines show only A ms to B ms after the first\n"
	        "                      event (a long trace is otherwise drawn as each thread's\n"
	        "                      held fraction per time bin past 3000 events a thread)\n"
	        "  --base BASE.json    draw the compare chart of BASE against the results\n"
	        "                      (the only way to compare: several RESULTS are drawn\n"
	        "                      together)\n"
	        "  --format LIST       png, svg or png,svg (default png,svg)\n"
	        "  --templates DIR     the gnuplot templates (default $GILBENCH_PLOT_DIR, else\n"
	        "                      %s/scripts/plot)\n"
	        "  -h, --help          this text\n\n"
	        "Several RESULTS files are drawn together: a cell repeated within one file is\n"
	        "one cell, the samples of its runs merged; a cell that two files both hold\n"
	        "stays two, and the series of those files name their file (or host, when the\n"
	        "hosts differ). Results of real CPython (models cpython-*) are drawn over the\n"
	        "simulation's. Every input is checked before anything is written. Charts\n"
	        "with no data are skipped with a note. Needs gnuplot (Debian package\n"
	        "gnuplot-nox). See docs/charts.md.\n",
	        GB_SOURCE_DIR);
}

static int plot_parse_format(struct gb__plot_ctx *pc, const char *s)
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

/* --window START_MS:END_MS, 0 <= START < END: 0, or -EINVAL after one line. */
static int plot_parse_window(struct gb__plot_ctx *pc, const char *s)
{
	char *end, *mid;

	errno = 0;
	pc->win_lo = strtod(s, &mid);
	if (mid != s && *mid == ':') {
		pc->win_hi = strtod(mid + 1, &end);
		if (end != mid + 1 && !*end && !errno && pc->win_lo >= 0 &&
		    pc->win_hi > pc->win_lo && !isinf(pc->win_hi)) {
			pc->has_window = 1;
			return 0;
		}
	}
	gb_err("plot", "--window: '%s' is not START_MS:END_MS with 0 <= START < END", s);
	return -EINVAL;
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

/*
 * Each cell of doc gets "_context", its file's context, once files are
 * merged: a CPython cell's legend names the Python version from it.
 */
static int plot_link_context(json_t *doc)
{
	json_t *ctx = json_object_get(doc, "context"), *cell;
	size_t i;

	if (!json_is_object(ctx))
		return 0;
	json_array_foreach(json_object_get(doc, "results"), i, cell)
	{
		if (json_is_object(cell) && json_object_set(cell, "_context", ctx) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* Whether two result files hold one cell in common (same model, workload, params). */
static int plot_share_cell(json_t *a, json_t *b)
{
	json_t *ca, *cb;
	size_t i, j;
	int found = 0;

	json_array_foreach(json_object_get(a, "results"), i, ca)
	{
		char *ida = gb_cell_id(ca);
		json_array_foreach(json_object_get(b, "results"), j, cb)
		{
			char *idb = gb_cell_id(cb);
			found |= ida && idb && strcmp(ida, idb) == 0;
			free(idb);
			if (found)
				break;
		}
		free(ida);
		if (found)
			break;
	}
	return found;
}

/* The name a file's series carry: "host-b" when hosts differ, else the file's stem. */
static void plot_source_label(json_t **docs, size_t ndocs, const int *shared,
                              const char *const *names, size_t d, char *buf, size_t len)
{
	const char *host = gb__res_str(docs[d], "context.host"), *name, *slash;
	int hosts_differ = 0;

	for (size_t e = 0; e < ndocs; e++) {
		const char *h = gb__res_str(docs[e], "context.host");
		hosts_differ |= shared[e] && (!h || !host || strcmp(h, host) != 0);
	}
	if (hosts_differ && host && *host) {
		snprintf(buf, len, "%s", host);
		return;
	}
	if (!names) {
		snprintf(buf, len, "file %zu", d + 1);
		return;
	}
	name = names[d];
	slash = strrchr(name, '/');
	name = slash ? slash + 1 : name;
	snprintf(buf, len, "%.*s",
	         (int)(strlen(name) > 5 && strcmp(name + strlen(name) - 5, ".json") == 0
	                       ? strlen(name) - 5
	                       : strlen(name)),
	         name);
}

/*
 * One file's cells into results, its own repeated cells merged; tagged
 * "_source" (label) and "_source_n" (n) when n > 0. 0 or -ENOMEM.
 */
static int plot_add_file(json_t *results, json_t *doc, const char *label, size_t n)
{
	json_t *one = json_pack("{s:O}", "results", json_object_get(doc, "results")), *cell;
	json_t *copy = json_array();
	size_t i, merged;
	int err = -ENOMEM;

	if (!one || !copy || json_array_extend(copy, json_object_get(doc, "results")))
		goto out;
	/* The file's own array is not reordered: merge a copy of it. */
	json_object_set(one, "results", copy);
	if ((err = gb_results_merge_duplicates(one, &merged)) != 0)
		goto out;
	err = -ENOMEM;
	json_array_foreach(json_object_get(one, "results"), i, cell)
	{
		if (n && json_is_object(cell) &&
		    (json_object_set_new(cell, "_source", json_string(label)) ||
		     json_object_set_new(cell, "_source_n", json_integer((json_int_t)n))))
			goto out;
	}
	err = json_array_extend(results, json_object_get(one, "results")) ? -ENOMEM : 0;
out:
	json_decref(copy);
	json_decref(one);
	return err;
}

/*
 * The files' results in one document. A file that shares no cell with
 * another adds its cells (its own repeated cells merged as every reader
 * merges them, identity.c); files that hold the same cell are different
 * runs of it, kept apart: each of their cells says its file (or host), so
 * each file's series is its own.
 */
int gb__plot_merge(json_t **docs, size_t ndocs, const char *const *names, json_t **out)
{
	json_t *merged = json_object(), *results = json_array();
	int *shared = calloc(ndocs + 1, sizeof(int));
	size_t nshared = 0;
	int err = -ENOMEM;

	if (!merged || !results || !shared)
		goto fail;
	json_object_set(merged, "schema_version", json_object_get(docs[0], "schema_version"));
	/* The machine is the simulation's: a CPython-only file does not name it. */
	json_object_set(merged, "context", json_object_get(docs[0], "context"));
	for (size_t d = ndocs; d-- > 0;) {
		size_t i;
		json_t *cell;
		json_array_foreach(json_object_get(docs[d], "results"), i, cell)
		{
			if (!gb__res_is_cpython(cell))
				json_object_set(merged, "context",
				                json_object_get(docs[d], "context"));
		}
	}
	for (size_t d = 0; d < ndocs; d++)
		for (size_t e = d + 1; e < ndocs; e++)
			if (plot_share_cell(docs[d], docs[e]))
				shared[d] = shared[e] = 1;
	for (size_t d = 0; d < ndocs; d++) {
		char label[256];

		plot_source_label(docs, ndocs, shared, names, d, label, sizeof(label));
		if (plot_link_context(docs[d]) ||
		    (err = plot_add_file(results, docs[d], label, shared[d] ? ++nshared : 0)))
			goto fail;
	}
	err = -ENOMEM;
	json_object_set_new(merged, "results", results);
	results = NULL;
	*out = merged;
	merged = NULL;
	err = 0;
fail:
	free(shared);
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

/*
 * Every chart: those drawn from the results (if there are any), a GIL
 * timeline per trace, and the compare chart against pc->base. sel has room
 * for every result cell and one more. The fuzz targets call it too.
 */
int gb__plot_all(struct gb__plot_ctx *pc, json_t **sel, int have_results, const char *const *traces,
                 size_t ntraces)
{
	int err = 0;

	for (size_t c = 0; have_results && c < gb__plot_ncharts && !err; c++)
		err = gb__plot_chart_run(pc, sel, &gb__plot_charts[c]);
	for (size_t i = 0; i < ntraces && !err; i++) {
		char stem[64];

		if (i == 0)
			snprintf(stem, sizeof(stem), "gil_timeline");
		else
			snprintf(stem, sizeof(stem), "gil_timeline_%zu", i + 1);
		err = gb__plot_timeline(pc, traces[i], stem);
	}
	if (!err && pc->base && have_results)
		err = gb__plot_compare(pc);
	return err;
}

/* What the command line asks for, besides what goes into the context. */
struct plot_args {
	const char **traces; /* argc + 1 slots */
	size_t ntraces;
	const char *base_path, *tpl_opt;
	char *const *files; /* the RESULTS operands */
	size_t nfiles;
};

/* The options into pc and a: 0, 1 after one error line, -1 for --help (printed). */
static int plot_parse(int argc, char **argv, struct gb__plot_ctx *pc, struct plot_args *a)
{
	static const struct option longopts[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"trace", required_argument, NULL, 't'},
	        {"base", required_argument, NULL, 'b'},
	        {"format", required_argument, NULL, 'f'},
	        {"templates", required_argument, NULL, 'T'},
	        {"window", required_argument, NULL, 'w'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int opt;

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
			a->traces[a->ntraces++] = optarg;
			break;
		case 'b':
			a->base_path = optarg;
			break;
		case 'f':
			if (plot_parse_format(pc, optarg))
				return 1;
			break;
		case 'T':
			a->tpl_opt = optarg;
			break;
		case 'w':
			if (plot_parse_window(pc, optarg))
				return 1;
			break;
		case 'h':
			plot_usage(stdout);
			return -1;
		case ':':
			gb_err("plot", "option '%s' needs a value", argv[optind - 1]);
			return 1;
		default:
			gb_err("plot", "unknown option '%s' (try 'gilbench plot --help')",
			       argv[optind - 1]);
			return 1;
		}
	}
	a->files = argv + optind;
	a->nfiles = (size_t)(argc - optind);
	if (!a->nfiles && !a->ntraces) {
		gb_err("plot", "no result file given (try 'gilbench plot --help')");
		return 1;
	}
	return 0;
}

/* The templates (pc->tpl_dir) and gnuplot (pc->gnuplot): 0, or 1 after one line. */
static int plot_tools(struct gb__plot_ctx *pc, const char *tpl_opt)
{
	char path[4096];

	pc->tpl_dir = plot_templates(tpl_opt);
	snprintf(path, sizeof(path), "%s/style.gp", pc->tpl_dir);
	if (access(path, R_OK) != 0) {
		gb_err(pc->tpl_dir,
		       "no gnuplot templates here (style.gp: %s); use --templates "
		       "DIR or GILBENCH_PLOT_DIR",
		       strerror(errno));
		return 1;
	}
	if (plot_find_gnuplot(pc) != 0) {
		gb_err("plot", "gnuplot not found in PATH: install the gnuplot-nox package "
		               "(scripts/install-deps does)");
		return 1;
	}
	return 0;
}

/*
 * The base of the compare chart: --base, and only --base (several RESULTS
 * are drawn together, never compared). Its repeated cells are merged as
 * the results' are. 0, or 1 after one line.
 */
static int plot_base(struct gb__plot_ctx *pc, const struct plot_args *a)
{
	json_t *one = NULL;

	if (!a->base_path)
		return 0;
	if (gb_results_load(a->base_path, &pc->base) != 0)
		return 1;
	pc->base_path = a->base_path;
	if (gb__plot_merge(&pc->base, 1, NULL, &one) != 0) {
		gb_err("plot", "out of memory");
		return 1;
	}
	json_decref(pc->base);
	pc->base = one;
	return 0;
}

/*
 * pc->doc: the files in docs merged (gb__plot_merge), each named in
 * sources[] with its context in contexts[] (room for every file); an empty
 * document when there are none. 0, or 1 after one line.
 */
static int plot_doc(struct gb__plot_ctx *pc, const struct plot_args *a, json_t **docs, size_t ndocs,
                    const char **sources, json_t **contexts)
{
	size_t nsrc = 0;

	for (size_t i = 0; i < a->nfiles; i++)
		if (docs[i]) {
			contexts[nsrc] = json_object_get(docs[i], "context");
			sources[nsrc++] = a->files[i];
		}
	pc->sources = sources;
	pc->nsources = nsrc;
	if (nsrc) {
		if (gb__plot_merge(docs, nsrc, sources, &pc->doc) != 0) {
			gb_err("plot", "out of memory");
			return 1;
		}
	} else {
		pc->doc = json_pack("{s:i, s:{}, s:[]}", "schema_version", 1, "context", "results");
		if (!pc->doc)
			return 1;
	}
	gb__res_machine(pc->doc, pc->machine, sizeof(pc->machine));
	gb__res_num(pc->doc, "context.topology.cores", &pc->cores);
	return 0;
}

/*
 * The charts and report.md into pc->outdir: 0, or 1 (after one line).
 * Every input is read before anything is written (the result files are
 * already loaded): a bad trace leaves no charts behind.
 */
static int plot_draw(struct gb__plot_ctx *pc, const struct plot_args *a, json_t **contexts)
{
	json_t **sel;
	char path[4096];
	int err = 0;

	for (size_t i = 0; i < a->ntraces; i++)
		if (gb__plot_trace_check(pc, a->traces[i]) != 0)
			return 1;
	err = plot_mkdirs(pc->outdir);
	if (err) {
		gb_err(pc->outdir, "cannot create the output directory: %s", strerror(-err));
		return 1;
	}
	sel = calloc(json_array_size(json_object_get(pc->doc, "results")) + 1, sizeof(json_t *));
	if (!sel)
		return 1;
	err = gb__plot_all(pc, sel, pc->nsources > 0, a->traces, a->ntraces);
	free(sel);
	if (err) {
		if (err == -ENOMEM)
			gb_err("plot", "out of memory");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/report.md", pc->outdir);
	if (gb_report_md_write(path, pc->doc, pc->sources, contexts, pc->nsources, pc->charts,
	                       pc->ncharts) != 0)
		return 1;
	return pc->failed ? 1 : 0;
}

int gb_cmd_plot(int argc, char **argv)
{
	struct gb__plot_ctx *pc = calloc(1, sizeof(*pc));
	struct plot_args a = {.traces = calloc((size_t)argc + 1, sizeof(char *))};
	json_t **docs = calloc((size_t)argc + 1, sizeof(json_t *)), **contexts = NULL;
	const char **sources = NULL;
	size_t ndocs = 0;
	int rc = 1;

	if (!pc || !a.traces || !docs) {
		gb_err("plot", "out of memory");
		goto out;
	}
	rc = plot_parse(argc, argv, pc, &a);
	if (rc) {
		rc = rc < 0 ? 0 : 1;
		goto out;
	}
	rc = 1;
	if (plot_tools(pc, a.tpl_opt))
		goto out;
	for (size_t i = 0; i < a.nfiles; i++) {
		if (gb_results_load(a.files[i], &docs[ndocs]) != 0)
			goto out;
		ndocs++;
	}
	sources = calloc(a.nfiles + 1, sizeof(char *));
	contexts = calloc(a.nfiles + 1, sizeof(json_t *));
	if (!sources || !contexts || plot_base(pc, &a) ||
	    plot_doc(pc, &a, docs, ndocs, sources, contexts))
		goto out;
	rc = plot_draw(pc, &a, contexts);
out:
	for (size_t i = 0; docs && i < ndocs; i++)
		json_decref(docs[i]);
	if (pc) {
		json_decref(pc->doc);
		json_decref(pc->base);
	}
	free(docs);
	free(a.traces);
	free(sources);
	free(contexts);
	free(pc);
	return rc;
}
