/*
 * options.c - parses `gilbench run` and checks every value before anything
 * runs, so bad input costs one line and no output file. Expanding the
 * lists into cells is here too; running them is runner.c's job. The
 * parameters' options, ranges, defaults and help lines are rows of
 * host/params.def: this file names only the options that are no parameter
 * (models, workloads, output) and the checks another module owns (a GIL
 * policy's name, a CPU list).
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "log.h"
#include "params.h"
#include "parse.h"
#include "registry.h"
#include "suggest.h"
#include "workloads.h"

#ifndef GB_EXPORT_FORMATS
#define GB_EXPORT_FORMATS "json, gbench, bmf, gab, pyperf"
#endif

/* Options that are no parameter; a parameter's option is OPT_PARAM + its id. */
enum cli_opt {
	OPT_TIMEOUT = 256,
	OPT_QUICK,
	OPT_FORMAT,
	OPT_TRACE,
	OPT_PLUGIN,
	OPT_APPEND,
	OPT_NO_BASELINE,
	OPT_TRACE_FORMAT,
	OPT_EXPORT_MD,
	OPT_EXPORT_CSV,
	OPT_PARAM = 512,
};

static const struct option cli_fixed_opts[] = {
        {"model", required_argument, NULL, 'm'},
        {"workload", required_argument, NULL, 'w'},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"quick", no_argument, NULL, OPT_QUICK},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"trace", required_argument, NULL, OPT_TRACE},
        {"plugin", required_argument, NULL, OPT_PLUGIN},
        {"quiet", no_argument, NULL, 'q'},
        {"append", no_argument, NULL, OPT_APPEND},
        {"no-baseline", no_argument, NULL, OPT_NO_BASELINE},
        {"trace-format", required_argument, NULL, OPT_TRACE_FORMAT},
        {"export-markdown", required_argument, NULL, OPT_EXPORT_MD},
        {"export-csv", required_argument, NULL, OPT_EXPORT_CSV},
        {"help", no_argument, NULL, 'h'},
};

#define CLI_NFIXED          (sizeof(cli_fixed_opts) / sizeof(cli_fixed_opts[0]))
#define CLI_TIMEOUT_DEFAULT 60.0

/* ---- help ---------------------------------------------------------------- */

/* A row's default as --help shows it: "1; --quick 0" when --quick differs. */
static void cli_fmt_default(char *buf, size_t len, const struct gb_param_info *pi)
{
	char a[48], b[48];

	if (pi->type == GB_PT_ENUM || pi->type == GB_PT_STRING) {
		snprintf(buf, len, "%s", pi->sdef ? pi->sdef : "");
		return;
	}
	gb_param_fmt_num(a, sizeof(a), pi->def, pi->type == GB_PT_SIZE);
	if (pi->quick_def == pi->def) {
		snprintf(buf, len, "%s", a);
		return;
	}
	gb_param_fmt_num(b, sizeof(b), pi->quick_def, pi->type == GB_PT_SIZE);
	snprintf(buf, len, "%s; --quick %s", a, b);
}

/* "MIN to MAX", or "MIN to below MAX" when MAX itself is refused. */
static void cli_fmt_range(char *buf, size_t len, const struct gb_param_info *pi)
{
	char a[48], b[48];

	gb_param_fmt_num(a, sizeof(a), pi->min, pi->type == GB_PT_SIZE);
	gb_param_fmt_num(b, sizeof(b), pi->max, pi->type == GB_PT_SIZE);
	snprintf(buf, len, "%s to %s%s", a, pi->flags & GB_PAR_MAX_OPEN ? "below " : "", b);
}

static void cli_usage_line(const char *left, const char *text)
{
	int n = (int)strlen(left);

	printf("%-*s%s\n", n < 28 ? 28 : n + 2, left, text);
}

/* A row's help line, with %D (the default) and %R (the range) filled in. */
static void cli_usage_param(const struct gb_param_info *pi)
{
	char left[64], text[256], fill[128];
	size_t off = 0;

	if (pi->short_opt)
		snprintf(left, sizeof(left), "  -%c, --%s %s", pi->short_opt, pi->option, pi->arg);
	else
		snprintf(left, sizeof(left), "      --%s %s", pi->option, pi->arg);
	for (const char *h = pi->help; *h && off + 1 < sizeof(text); h++) {
		if (h[0] == '%' && (h[1] == 'D' || h[1] == 'R')) {
			if (*++h == 'D')
				cli_fmt_default(fill, sizeof(fill), pi);
			else
				cli_fmt_range(fill, sizeof(fill), pi);
			off += (size_t)snprintf(text + off, sizeof(text) - off, "%s", fill);
			if (off >= sizeof(text))
				off = sizeof(text) - 1;
			continue;
		}
		text[off++] = *h;
	}
	text[off] = '\0';
	cli_usage_line(left, text);
}

static void cli_usage_group(enum gb_param_group g)
{
	const struct gb_param_info *t = gb_params_table();

	for (unsigned i = 0; i < GB_PARAM__COUNT; i++)
		if (t[i].group == g && t[i].option)
			cli_usage_param(&t[i]);
}

void gb_cli_usage_run(void)
{
	printf("usage: gilbench run [options]\n"
	       "\n"
	       "Runs every cell of the matrix (comma lists expand) and writes results JSON.\n"
	       "\n"
	       "matrix (comma lists):\n");
	cli_usage_line("  -m, --model LIST", "models (default: all in-tree models)");
	cli_usage_line("  -w, --workload LIST", "seed, cpu, io, background (default: all)");
	cli_usage_group(GB_PG_MATRIX);
	printf("workload knobs:\n");
	cli_usage_group(GB_PG_KNOB);
	printf("measurement:\n");
	cli_usage_group(GB_PG_MEASURE);
	printf("      --timeout SECONDS     per cell (default %g)\n", CLI_TIMEOUT_DEFAULT);
	printf("      --quick               less work per repetition, no warm-up\n"
	       "      --no-baseline         do not add serial cells to compute speedups\n"
	       "output:\n"
	       "  -o, --output FILE         write here (atomically, after every cell)\n"
	       "      --append              add the cells to an existing FILE\n"
	       "      --format F            " GB_EXPORT_FORMATS " (default json)\n"
	       "      --export-markdown FILE  the table of the run's cells, as markdown\n"
	       "      --export-csv FILE     the same table as csv (one row per cell)\n"
	       "      --trace FILE          GIL trace of each cell's last repetition\n"
	       "      --trace-format F      csv or jsonl (default: jsonl for FILE.jsonl, else "
	       "csv)\n"
	       "      --plugin PATH.so      load an external model or GIL policy (repeatable)\n"
	       "  -q, --quiet               no progress line and no table, only the lines of\n"
	       "                            cells skipped or failed\n"
	       "\n"
	       "At the end a table of the run's cells (and a line per cell skipped or\n"
	       "failed, with its reason) goes to stdout, or to stderr when the results do.\n"
	       "  -h, --help                this text\n");
}

/* The getopt tables: the fixed options, then every row with an option. */
static void cli_build_opts(struct option *longopts, char *shortopts, size_t shortlen)
{
	const struct gb_param_info *t = gb_params_table();
	size_t n = CLI_NFIXED, off;

	memcpy(longopts, cli_fixed_opts, sizeof(cli_fixed_opts));
	off = (size_t)snprintf(shortopts, shortlen, ":m:w:o:qh");
	for (unsigned i = 0; i < GB_PARAM__COUNT; i++) {
		if (!t[i].option)
			continue;
		longopts[n++] =
		        (struct option){t[i].option, required_argument, NULL,
		                        t[i].short_opt ? t[i].short_opt : OPT_PARAM + (int)i};
		if (t[i].short_opt && off + 3 < shortlen)
			off += (size_t)snprintf(shortopts + off, shortlen - off,
			                        "%c:", t[i].short_opt);
	}
	longopts[n] = (struct option){NULL, 0, NULL, 0};
}

/* The row an option code stands for, or NULL. */
static const struct gb_param_info *cli_param_of(int opt)
{
	const struct gb_param_info *t = gb_params_table();

	if (opt >= OPT_PARAM && opt < OPT_PARAM + GB_PARAM__COUNT)
		return &t[opt - OPT_PARAM];
	for (unsigned i = 0; i < GB_PARAM__COUNT; i++)
		if (t[i].short_opt && t[i].short_opt == opt)
			return &t[i];
	return NULL;
}

/* ---- values -------------------------------------------------------------- */

/* Splits a comma list into items; the copy is kept for the matrix's life. */
static int cli_split(struct gb_matrix *m, const char *opt, const char *arg, char **items,
                     unsigned *n)
{
	char *copy = strdup(arg), *save = NULL, *tok;

	if (!copy)
		return -ENOMEM;
	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n >= GB_CLI_LIST_MAX) {
			gb_err(opt, "more than %d values", GB_CLI_LIST_MAX);
			free(copy);
			return -EINVAL;
		}
		items[(*n)++] = tok;
	}
	if (*n == 0) {
		gb_err(opt, "empty list");
		free(copy);
		return -EINVAL;
	}
	/* Chain the copies so gb_cli_free can release them: a tiny arena. */
	char **link = malloc(sizeof(char *) * 2);
	if (!link) {
		free(copy);
		return -ENOMEM;
	}
	link[0] = copy;
	link[1] = m->strings;
	m->strings = (char *)link;
	return 0;
}

/* " (did you mean 'X'?)", else " (see 'gilbench list')". */
static const char *cli_hint(char *buf, size_t len, const char *word, const char *const *names,
                            size_t n)
{
	if (!*gb_suggest_hint(buf, len, word, names, n))
		snprintf(buf, len, " (see 'gilbench list')");
	return buf;
}

static int cli_bad(const char *opt, const char *val, const char *what)
{
	gb_err(opt, "'%s' is not %s", val, what);
	return 1;
}

static int cli_check_output(const char *opt, const char *path)
{
	char *dir, *slash;
	struct stat st;
	int ok;

	if (!*path) {
		gb_err(opt, "the path is empty");
		return -EINVAL;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		gb_err(opt, "cannot write %s: it is a directory", path);
		return -EISDIR;
	}
	/* A device or FIFO is written in place: only it must be writable. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (access(path, W_OK) == 0)
			return 0;
		gb_err(opt, "cannot write %s: %s", path, strerror(errno));
		return -errno;
	}
	/* Room for "." when there is no slash: strdup("x") is two bytes. */
	dir = calloc(1, strlen(path) + 2);
	if (!dir)
		return -ENOMEM;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	ok = access(dir, W_OK | X_OK) == 0;
	if (!ok)
		gb_err(opt, "cannot write %s: directory %s: %s", path, dir, strerror(errno));
	free(dir);
	return ok ? 0 : -errno;
}

/* "'X' is not a task count from 1 to 10000000": the row's words and range. */
static int cli_bad_range(const char *opt, const char *val, const struct gb_param_info *pi)
{
	char range[128];

	cli_fmt_range(range, sizeof(range), pi);
	gb_err(opt, "'%s' is not %s from %s", val, pi->what, range);
	return 1;
}

/* A string row's value, checked by the module that knows its names. */
static int cli_string(const char *opt, const struct gb_param_info *pi, const char *s)
{
	if (pi->id == GB_PARAM_GIL && !gb_gil_policy_find(s)) {
		const char *names[64];
		size_t n = 0;
		char hint[96];

		for (; n < sizeof(names) / sizeof(names[0]) && gb_gil_policy_at(n); n++)
			names[n] = gb_gil_policy_at(n)->name;
		gb_err(opt, "unknown GIL policy '%s'%s", s,
		       cli_hint(hint, sizeof(hint), s, names, n));
		return 1;
	}
	return 0;
}

/* --cpus: the list parsed, once, into the set every cell runs on. 0 or 1. */
static int cli_cpuset(struct gb_matrix *m, const char *opt, const char *s)
{
	struct gb_topo *t = gb_topo_machine();
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	char why[256];
	int err = t && set ? gb_cpus_parse(t, s, set, why, sizeof(why)) : -ENOMEM;

	if (err) {
		hwloc_bitmap_free(set);
		gb_err(opt, "%s", err == -ENOMEM ? "no topology" : why);
		return 1;
	}
	hwloc_bitmap_free(m->cpuset); /* a repeated option: the last one counts */
	m->cpuset = set;
	return 0;
}

/* Parses one value of row pi, in its type and range. 0, or 1 (refused). */
static int cli_value(const char *opt, const struct gb_param_info *pi, const char *s,
                     union gb_cli_value *out)
{
	unsigned long long u;
	double d;
	int e;

	switch (pi->type) {
	case GB_PT_UINT:
		if (gb_parse_uint(s, (unsigned long long)pi->min, (unsigned long long)pi->max, &u))
			return cli_bad_range(opt, s, pi);
		out->num = (double)u;
		return 0;
	case GB_PT_REAL:
	case GB_PT_SECONDS:
		if (gb_parse_double(s, pi->min, pi->max, &d) != 0 ||
		    ((pi->flags & GB_PAR_MAX_OPEN) && d >= pi->max))
			return cli_bad_range(opt, s, pi);
		out->num = d;
		return 0;
	case GB_PT_SIZE:
		if (gb_parse_size(s, &u) != 0 || u == 0)
			return cli_bad(opt, s, pi->what);
		/* Checked here, not per cell: a cell would only be skipped. */
		if ((double)u < pi->min || (double)u > pi->max) {
			gb_err(opt, "%s is outside %.0f bytes to %.0f bytes", s, pi->min, pi->max);
			return 1;
		}
		out->num = (double)u;
		return 0;
	case GB_PT_ENUM:
		e = gb_param_enum_index(pi, s);
		if (e < 0)
			return cli_bad(opt, s, pi->what);
		out->num = e;
		return 0;
	case GB_PT_STRING:
		out->str = s;
		return cli_string(opt, pi, s);
	}
	return 1;
}

/* Puts a value of row pi into a cell (the matrix's base is a cell's p too). */
static void cli_apply(struct gb_matrix *m, struct gb_cell *c, const struct gb_param_info *pi,
                      union gb_cli_value v)
{
	if (pi->offset != GB_PARAM_NO_FIELD) {
		if (pi->type == GB_PT_STRING)
			memcpy((char *)&c->p + pi->offset, &v.str, sizeof(v.str));
		else
			gb_param_set(&c->p, pi, v.num);
		return;
	}
	switch (pi->id) {
	case GB_PARAM_PLACEMENT:
		c->placement = (enum gb_placement)(int)v.num;
		break;
	case GB_PARAM_CPUS:
		m->cpus = v.str;
		break;
	case GB_PARAM_REPS:
		m->reps = (unsigned)v.num;
		break;
	case GB_PARAM_WARMUP:
		m->warmup = (unsigned)v.num;
		break;
	case GB_PARAM_MIN_REPS:
		m->min_reps = (unsigned)v.num;
		break;
	case GB_PARAM_MAX_REPS:
		m->max_reps = (unsigned)v.num;
		break;
	case GB_PARAM_TARGET_CI:
		m->target_ci = v.num;
		break;
	default:
		break;
	}
}

/* The option's name as refusals give it: -t if it has a short one. */
static void cli_opt_name(char *buf, size_t len, const struct gb_param_info *pi)
{
	if (pi->short_opt)
		snprintf(buf, len, "-%c", pi->short_opt);
	else
		snprintf(buf, len, "--%s", pi->option);
}

/* A parameter's option: a list becomes a dimension, a scalar sets the base. */
static int cli_param(struct gb_matrix *m, const struct gb_param_info *pi, const char *arg)
{
	struct gb_cli_dim *dim = &m->dims[pi->id];
	char *items[GB_CLI_LIST_MAX], opt[48];
	union gb_cli_value v;
	struct gb_cell base = {.p = m->base};
	unsigned n;

	cli_opt_name(opt, sizeof(opt), pi);
	m->given |= 1u << pi->id;
	if (!(pi->flags & GB_PAR_LIST)) {
		if (cli_value(opt, pi, arg, &v) ||
		    (pi->id == GB_PARAM_CPUS && cli_cpuset(m, opt, arg)))
			return 1;
		cli_apply(m, &base, pi, v);
		m->base = base.p;
		return 0;
	}
	if (cli_split(m, opt, arg, items, &n) != 0)
		return 1;
	for (unsigned i = 0; i < n; i++)
		if (cli_value(opt, pi, items[i], &dim->v[i]))
			return 1;
	dim->n = n; /* a repeated option: the last one counts */
	return 0;
}

static int cli_models(struct gb_matrix *m, const char *arg)
{
	char *items[GB_CLI_LIST_MAX];
	unsigned n;

	if (cli_split(m, "-m", arg, items, &n) != 0)
		return 1;
	for (unsigned i = 0; i < n; i++) {
		m->models[i] = gb_model_find(items[i]);
		if (!m->models[i]) {
			const struct gb_model_ops *const *all = gb_models();
			const char *names[GB_CLI_LIST_MAX * 4];
			size_t k = 0;
			char hint[96];

			for (; all[k] && k < sizeof(names) / sizeof(names[0]); k++)
				names[k] = all[k]->name;
			gb_err("-m", "unknown model '%s'%s", items[i],
			       cli_hint(hint, sizeof(hint), items[i], names, k));
			return 1;
		}
	}
	m->nmodels = n;
	return 0;
}

static int cli_workloads(struct gb_matrix *m, const char *arg)
{
	char *items[GB_CLI_LIST_MAX];
	unsigned n;

	if (cli_split(m, "-w", arg, items, &n) != 0)
		return 1;
	for (unsigned i = 0; i < n; i++) {
		if (gb_workload_parse(items[i], &m->workloads[i]) != 0) {
			const char *names[GB_WL__COUNT];
			char hint[96];

			for (unsigned k = 0; k < GB_WL__COUNT; k++)
				names[k] = gb_workload_name((enum gb_workload)k);
			if (!*gb_suggest_hint(hint, sizeof(hint), items[i], names, GB_WL__COUNT))
				snprintf(hint, sizeof(hint), " (seed, cpu, io, background)");
			gb_err("-w", "unknown workload '%s'%s", items[i], hint);
			return 1;
		}
	}
	m->nworkloads = n;
	return 0;
}

static int cli_timeout(struct gb_matrix *m, const char *arg)
{
	double d;

	if (gb_parse_double(arg, 0.001, 86400.0, &d) != 0)
		return cli_bad("--timeout", arg, "a time in seconds above 0");
	m->timeout_s = d;
	return 0;
}

/* ---- the matrix ---------------------------------------------------------- */

/* A dimension not given: the one value the base (the defaults) has. */
static void cli_dim_default(struct gb_matrix *m, const struct gb_param_info *pi)
{
	struct gb_cli_dim *dim = &m->dims[pi->id];

	if (dim->n)
		return;
	dim->n = 1;
	if (pi->offset == GB_PARAM_NO_FIELD)
		dim->v[0].num = gb_param_enum_index(pi, pi->sdef); /* placement */
	else if (pi->type == GB_PT_STRING)
		memcpy(&dim->v[0].str, (const char *)&m->base + pi->offset, sizeof(dim->v[0].str));
	else
		dim->v[0].num = gb_param_get(&m->base, pi);
}

static void cli_defaults_dims(struct gb_matrix *m)
{
	const struct gb_param_info *t = gb_params_table();

	if (!m->nmodels) {
		const struct gb_model_ops *const *all = gb_models();
		for (unsigned i = 0; all[i] && m->nmodels < GB_CLI_LIST_MAX; i++)
			m->models[m->nmodels++] = all[i];
	}
	if (!m->nworkloads)
		for (unsigned i = 0; i < GB_WL__COUNT; i++)
			m->workloads[m->nworkloads++] = (enum gb_workload)i;
	for (unsigned i = 0; i < GB_PARAM__COUNT; i++)
		if (t[i].flags & GB_PAR_LIST)
			cli_dim_default(m, &t[i]);
}

/*
 * Every combination, models outermost, then workloads, then the list rows
 * in params.def order (the last one innermost): cell k's index in each
 * dimension is k's digit in the mixed radix of the dimensions' sizes.
 */
static int cli_expand(struct gb_matrix *m)
{
	const struct gb_param_info *t = gb_params_table();
	size_t max = (size_t)m->nmodels * m->nworkloads;

	for (unsigned i = 0; i < GB_PARAM__COUNT; i++)
		if (t[i].flags & GB_PAR_LIST)
			max *= m->dims[i].n;
	if (max > 100000) {
		gb_err("run", "the matrix has %zu cells; at most 100000", max);
		return 1;
	}
	/* Room for the serial baselines that may be added. */
	m->cells = calloc(max * 2 + 1, sizeof(*m->cells));
	if (!m->cells) {
		gb_err("run", "out of memory");
		return 1;
	}
	for (size_t k = 0; k < max; k++) {
		struct gb_cell *cell = &m->cells[k];
		size_t rest = k;

		cell->p = m->base;
		cell->placement = GB_PLACE_COMPACT;
		for (unsigned i = GB_PARAM__COUNT; i-- > 0;) {
			if (!(t[i].flags & GB_PAR_LIST))
				continue;
			cli_apply(m, cell, &t[i], m->dims[i].v[rest % m->dims[i].n]);
			rest /= m->dims[i].n;
		}
		cell->p.workload = m->workloads[rest % m->nworkloads];
		cell->model = m->models[rest / m->nworkloads];
		cell->cpus = m->cpus;
		cell->cpuset = m->cpuset;
		cell->index = (unsigned)k;
	}
	m->ncells = (unsigned)max;
	return 0;
}

/* ---- the command line ------------------------------------------------------ */

/* "gilbench run ...": the command as context.command records it. */
static void cli_join_argv(struct gb_matrix *m, int argc, char **argv)
{
	size_t cmdlen = 0;

	for (int i = 0; i < argc; i++)
		cmdlen += strlen(argv[i]) + 1;
	m->argv_joined = calloc(1, cmdlen + 16);
	if (!m->argv_joined)
		return;
	strcpy(m->argv_joined, "gilbench");
	for (int i = 0; i < argc; i++) {
		strcat(m->argv_joined, " ");
		strcat(m->argv_joined, argv[i]);
	}
}

/* The defaults, which --quick changes: so it is looked for first. */
static void cli_defaults(struct gb_matrix *m, int argc, char **argv)
{
	const struct gb_param_info *reps = gb_param_at(GB_PARAM_REPS);
	const struct gb_param_info *warmup = gb_param_at(GB_PARAM_WARMUP);

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--quick") == 0)
			m->quick = 1;
	gb_params_defaults(&m->base, m->quick);
	m->reps = (unsigned)(m->quick ? reps->quick_def : reps->def);
	m->min_reps = (unsigned)gb_param_at(GB_PARAM_MIN_REPS)->def;
	m->max_reps = (unsigned)gb_param_at(GB_PARAM_MAX_REPS)->def;
	m->target_ci = gb_param_at(GB_PARAM_TARGET_CI)->def;
	m->warmup = (unsigned)(m->quick ? warmup->quick_def : warmup->def);
	m->timeout_s = CLI_TIMEOUT_DEFAULT;
	m->format = "json";
	m->baseline = 1;
}

/* Plugins first: -m may name a model a plugin brings. */
static int cli_plugins(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *path = NULL;
		if (strcmp(argv[i], "--plugin") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strncmp(argv[i], "--plugin=", 9) == 0)
			path = argv[i] + 9;
		if (path && gb_plugin_load(path) != 0)
			return 1;
	}
	return 0;
}

/* An option getopt does not know, with the nearest one it does. 1. */
static int cli_unknown_option(char **argv)
{
	struct option longopts[CLI_NFIXED + GB_PARAM__COUNT + 1];
	char shortopts[64], hint[96];

	if (optopt) { /* a short one, maybe inside a cluster like -qz */
		gb_err("run", "unknown option '-%c' (see 'gilbench run --help')", optopt);
		return 1;
	}
	cli_build_opts(longopts, shortopts, sizeof(shortopts));
	gb_suggest_option_hint(hint, sizeof(hint), argv[optind - 1], longopts,
	                       " (see 'gilbench run --help')");
	gb_err("run", "unknown option '%s'%s", argv[optind - 1], hint);
	return 1;
}

/* One option getopt returned: 0, 1 (refused), -1 (--help printed). */
static int cli_option(struct gb_matrix *m, int opt, char **argv, int *trace_format)
{
	const struct gb_param_info *pi = cli_param_of(opt);

	if (pi)
		return cli_param(m, pi, optarg);
	switch (opt) {
	case 'm':
		return cli_models(m, optarg);
	case 'w':
		return cli_workloads(m, optarg);
	case OPT_TIMEOUT:
		return cli_timeout(m, optarg);
	case 'o':
		m->out = optarg;
		return 0;
	case OPT_FORMAT:
		m->format = optarg;
		return 0;
	case OPT_TRACE:
		m->trace = optarg;
		return 0;
	case OPT_EXPORT_MD:
		m->export_md = optarg;
		return 0;
	case OPT_EXPORT_CSV:
		m->export_csv = optarg;
		return 0;
	case OPT_TRACE_FORMAT:
		if (strcmp(optarg, "csv") == 0)
			*trace_format = GB_TRACE_CSV;
		else if (strcmp(optarg, "jsonl") == 0)
			*trace_format = GB_TRACE_JSONL;
		else
			return cli_bad("--trace-format", optarg, "csv or jsonl");
		return 0;
	case 'q':
		m->quiet = 1;
		return 0;
	case OPT_APPEND:
		m->append = 1;
		return 0;
	case OPT_NO_BASELINE:
		m->baseline = 0;
		return 0;
	case OPT_PLUGIN: /* loaded before */
	case OPT_QUICK:  /* read before */
		return 0;
	case 'h':
		gb_cli_usage_run();
		return -1;
	case ':':
		gb_err("run", "option %s needs a value", argv[optind - 1]);
		return 1;
	default: /* '?' */
		return cli_unknown_option(argv);
	}
}

/*
 * Fixed (-r) or adaptive repetitions (any of --min-reps, --max-reps,
 * --target-ci): not both. A bound not given follows the one given
 * (--max-reps 3 alone means at most 3, so at least 3 too). 0 or 1.
 */
static int cli_check_reps(struct gb_matrix *m)
{
	unsigned adaptive =
	        (1u << GB_PARAM_MIN_REPS) | (1u << GB_PARAM_MAX_REPS) | (1u << GB_PARAM_TARGET_CI);

	m->adaptive = (m->given & adaptive) != 0;
	if (!m->adaptive)
		return 0;
	if (m->given & (1u << GB_PARAM_REPS)) {
		gb_err("-r", "fixed repetitions; --min-reps, --max-reps and --target-ci "
		             "make them adaptive: give one or the other");
		return 1;
	}
	if (m->min_reps > m->max_reps) {
		if (m->given & (1u << GB_PARAM_MIN_REPS) && m->given & (1u << GB_PARAM_MAX_REPS)) {
			gb_err("--min-reps", "%u is more than --max-reps %u", m->min_reps,
			       m->max_reps);
			return 1;
		}
		if (m->given & (1u << GB_PARAM_MAX_REPS))
			m->min_reps = m->max_reps;
		else
			m->max_reps = m->min_reps;
	}
	m->reps = m->max_reps; /* the most a cell may take (the trace's last one) */
	return 0;
}

/* What only the whole command line can say: formats, files, --trace-format. */
static int cli_check_outputs(struct gb_matrix *m, int trace_format)
{
	if (strcmp(m->format, "json") != 0 && !gb_export_format_valid(m->format)) {
		gb_err("--format", "unknown format '%s' (" GB_EXPORT_FORMATS ")", m->format);
		return 1;
	}
	/* Two files cannot share stdout: refused now, not after the whole run. */
	if (strcmp(m->format, "gab") == 0 && (!m->out || strcmp(m->out, "-") == 0)) {
		gb_err("--format",
		       "gab writes two files (smaller and bigger is better): give -o PATH");
		return 1;
	}
	if (m->append && (!m->out || strcmp(m->format, "json") != 0)) {
		gb_err("--append", "needs -o FILE and the json format");
		return 1;
	}
	if (m->out && strcmp(m->out, "-") != 0 && cli_check_output("-o", m->out) != 0)
		return 1;
	if (m->trace && cli_check_output("--trace", m->trace) != 0)
		return 1;
	if (m->export_md && cli_check_output("--export-markdown", m->export_md) != 0)
		return 1;
	if (m->export_csv && cli_check_output("--export-csv", m->export_csv) != 0)
		return 1;
	if (trace_format >= 0 && !m->trace) {
		gb_err("--trace-format", "needs --trace FILE");
		return 1;
	}
	m->trace_format = trace_format >= 0 ? (enum gb_trace_format)trace_format
	                                    : gb_trace_format_for(m->trace);
	return 0;
}

int gb_cli_parse_run(int argc, char **argv, struct gb_matrix *m)
{
	struct option longopts[CLI_NFIXED + GB_PARAM__COUNT + 1];
	char shortopts[64];
	int opt, rc, trace_format = -1;

	memset(m, 0, sizeof(*m));
	cli_join_argv(m, argc, argv);
	cli_defaults(m, argc, argv);
	if (cli_plugins(argc, argv))
		return 1;
	cli_build_opts(longopts, shortopts, sizeof(shortopts));
	/* 0, not 1: glibc then forgets a cluster left half-read by an earlier parse. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		rc = cli_option(m, opt, argv, &trace_format);
		if (rc)
			return rc;
	}
	if (optind < argc) {
		gb_err("run", "unexpected argument '%s'", argv[optind]);
		return 1;
	}
	if (cli_check_outputs(m, trace_format) || cli_check_reps(m))
		return 1;
	cli_defaults_dims(m);
	return cli_expand(m);
}

void gb_cli_free(struct gb_matrix *m)
{
	char **link = (char **)m->strings;

	while (link) {
		char **next = (char **)link[1];
		free(link[0]);
		free(link);
		link = next;
	}
	free(m->cells);
	free(m->argv_joined);
	hwloc_bitmap_free(m->cpuset);
	memset(m, 0, sizeof(*m));
}
