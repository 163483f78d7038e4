/*
 * options.c - parses `gilbench run` and checks every value before anything
 * runs, so bad input costs one line and no output file. Expanding the
 * lists into cells is here too; running them is runner.c's job.
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

#include <gilbench/coro.h>

#include "export.h"
#include "log.h"
#include "parse.h"
#include "registry.h"
#include "workloads.h"

#ifndef GB_EXPORT_FORMATS
#define GB_EXPORT_FORMATS "json, gbench, bmf, gab, pyperf"
#endif

void gb_cli_usage_run(void)
{
	printf("usage: gilbench run [options]\n"
	       "\n"
	       "Runs every cell of the matrix (comma lists expand) and writes results JSON.\n"
	       "\n"
	       "matrix (comma lists):\n"
	       "  -m, --model LIST          models (default: all in-tree models)\n"
	       "  -w, --workload LIST       seed, cpu, io, background (default: all)\n"
	       "  -t, --tasks LIST          tasks per cell (default 2)\n"
	       "      --gil LIST            GIL policies: new, new312, legacy, priority, none\n"
	       "      --switch-interval LIST  seconds (default 0.005, as sys.setswitchinterval)\n"
	       "      --native-fraction LIST  share of cpu work with the GIL released (0..1)\n"
	       "      --placement LIST      compact, spread, none (default compact)\n"
	       "      --check-interval LIST legacy GIL: ticks between releases (default 100)\n"
	       "      --yield-every LIST    cooperative models: yield every N bytecodes (0 = "
	       "never)\n"
	       "workload knobs:\n"
	       "      --work N              cpu: total bytecodes (default 20000000)\n"
	       "      --io sleep|echo       io: blocking op kind (default sleep)\n"
	       "      --io-time SECONDS     io sleep length (default 0.1)\n"
	       "      --io-ops N            io: blocking ops per task (default 1)\n"
	       "      --burst N             background: bytecodes per background task\n"
	       "      --think SECONDS       background: pause between requests (default 0.001)\n"
	       "      --peer-delay SECONDS  echo peer's turnaround per request (default 0.00005)\n"
	       "      --check-every N       bytecodes between eval-breaker check points (default "
	       "1)\n"
	       "      --gil-overhead F      none GIL: extra work per bytecode (default 0)\n"
	       "      --stack-size BYTES    greenlets' shared stack, 16K to 1G (default 64K)\n"
	       "measurement:\n"
	       "      --cpus LIST           only these CPUs (OS indices, e.g. 0 or 0-3,6)\n"
	       "  -r, --reps N              repetitions (default 5, with --quick too)\n"
	       "      --warmup N            warm-up repetitions, not kept (default 1; --quick 0)\n"
	       "      --timeout SECONDS     per cell (default 60)\n"
	       "      --quick               less work per repetition, no warm-up\n"
	       "      --no-baseline         do not add serial cells to compute speedups\n"
	       "output:\n"
	       "  -o, --output FILE         write here (atomically, after every cell)\n"
	       "      --append              add the cells to an existing FILE\n"
	       "      --format F            " GB_EXPORT_FORMATS " (default json)\n"
	       "      --trace FILE          GIL trace of each cell's last repetition\n"
	       "      --trace-format F      csv or jsonl (default: jsonl for FILE.jsonl, else "
	       "csv)\n"
	       "      --plugin PATH.so      load an external model or GIL policy (repeatable)\n"
	       "  -q, --quiet               no progress line\n"
	       "  -h, --help                this text\n");
}

enum cli_opt {
	OPT_GIL = 256,
	OPT_INTERVAL,
	OPT_NATIVE,
	OPT_PLACEMENT,
	OPT_CPUS,
	OPT_WARMUP,
	OPT_TIMEOUT,
	OPT_QUICK,
	OPT_FORMAT,
	OPT_TRACE,
	OPT_PLUGIN,
	OPT_IO,
	OPT_IO_TIME,
	OPT_IO_OPS,
	OPT_BURST,
	OPT_THINK,
	OPT_CHECK_INTERVAL,
	OPT_CHECK_EVERY,
	OPT_YIELD_EVERY,
	OPT_STACK_SIZE,
	OPT_WORK,
	OPT_OVERHEAD,
	OPT_APPEND,
	OPT_NO_BASELINE,
	OPT_PEER_DELAY,
	OPT_TRACE_FORMAT,
};

static const struct option cli_longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"workload", required_argument, NULL, 'w'},
        {"tasks", required_argument, NULL, 't'},
        {"gil", required_argument, NULL, OPT_GIL},
        {"switch-interval", required_argument, NULL, OPT_INTERVAL},
        {"native-fraction", required_argument, NULL, OPT_NATIVE},
        {"placement", required_argument, NULL, OPT_PLACEMENT},
        {"cpus", required_argument, NULL, OPT_CPUS},
        {"reps", required_argument, NULL, 'r'},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"quick", no_argument, NULL, OPT_QUICK},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"trace", required_argument, NULL, OPT_TRACE},
        {"plugin", required_argument, NULL, OPT_PLUGIN},
        {"quiet", no_argument, NULL, 'q'},
        {"io", required_argument, NULL, OPT_IO},
        {"io-time", required_argument, NULL, OPT_IO_TIME},
        {"io-ops", required_argument, NULL, OPT_IO_OPS},
        {"burst", required_argument, NULL, OPT_BURST},
        {"think", required_argument, NULL, OPT_THINK},
        {"check-interval", required_argument, NULL, OPT_CHECK_INTERVAL},
        {"check-every", required_argument, NULL, OPT_CHECK_EVERY},
        {"yield-every", required_argument, NULL, OPT_YIELD_EVERY},
        {"stack-size", required_argument, NULL, OPT_STACK_SIZE},
        {"work", required_argument, NULL, OPT_WORK},
        {"gil-overhead", required_argument, NULL, OPT_OVERHEAD},
        {"append", no_argument, NULL, OPT_APPEND},
        {"no-baseline", no_argument, NULL, OPT_NO_BASELINE},
        {"peer-delay", required_argument, NULL, OPT_PEER_DELAY},
        {"trace-format", required_argument, NULL, OPT_TRACE_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

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

static int cli_list(struct gb_matrix *m, int opt, const char *name, const char *arg)
{
	char *items[GB_CLI_LIST_MAX];
	unsigned n, i;
	unsigned long long u;
	double d;

	if (cli_split(m, name, arg, items, &n) != 0)
		return 1;
	for (i = 0; i < n; i++) {
		const char *s = items[i];
		switch (opt) {
		case 'm':
			m->models[i] = gb_model_find(s);
			if (!m->models[i]) {
				gb_err("-m", "unknown model '%s' (see 'gilbench list')", s);
				return 1;
			}
			break;
		case 'w':
			if (gb_workload_parse(s, &m->workloads[i]) != 0) {
				gb_err("-w", "unknown workload '%s' (seed, cpu, io, background)",
				       s);
				return 1;
			}
			break;
		case 't':
			if (gb_parse_uint(s, 1, 10000000, &u) != 0)
				return cli_bad("-t", s, "a task count from 1 to 10000000");
			m->tasks[i] = (unsigned)u;
			break;
		case OPT_GIL:
			if (!gb_gil_policy_find(s)) {
				gb_err("--gil", "unknown GIL policy '%s' (see 'gilbench list')", s);
				return 1;
			}
			m->gils[i] = s;
			break;
		case OPT_INTERVAL:
			if (gb_parse_double(s, 1e-6, 10.0, &d) != 0)
				return cli_bad("--switch-interval", s,
				               "a time in seconds from 0.000001 to 10");
			m->intervals[i] = d;
			break;
		case OPT_NATIVE:
			if (gb_parse_double(s, 0.0, 1.0, &d) != 0 || d >= 1.0)
				return cli_bad("--native-fraction", s,
				               "a fraction from 0 to below 1");
			m->natives[i] = d;
			break;
		case OPT_PLACEMENT:
			if (gb_placement_parse(s, &m->placements[i]) != 0)
				return cli_bad("--placement", s, "compact, spread or none");
			break;
		case OPT_YIELD_EVERY:
			if (gb_parse_uint(s, 0, 1ull << 40, &u) != 0)
				return cli_bad("--yield-every", s, "a bytecode count (0 = never)");
			m->yields[i] = u;
			break;
		case OPT_CHECK_INTERVAL:
			if (gb_parse_uint(s, 1, 1000000, &u) != 0)
				return cli_bad("--check-interval", s, "a tick count from 1");
			m->checks[i] = (unsigned)u;
			break;
		}
	}
	switch (opt) {
	case 'm':
		m->nmodels = n;
		break;
	case 'w':
		m->nworkloads = n;
		break;
	case 't':
		m->ntasks = n;
		break;
	case OPT_GIL:
		m->ngils = n;
		break;
	case OPT_INTERVAL:
		m->nintervals = n;
		break;
	case OPT_NATIVE:
		m->nnatives = n;
		break;
	case OPT_PLACEMENT:
		m->nplacements = n;
		break;
	case OPT_YIELD_EVERY:
		m->nyields = n;
		break;
	case OPT_CHECK_INTERVAL:
		m->nchecks = n;
		break;
	}
	return 0;
}

static int cli_scalar(struct gb_matrix *m, int opt, const char *arg)
{
	unsigned long long u;
	double d;

	switch (opt) {
	case 'r':
		if (gb_parse_uint(arg, 1, 1000, &u) != 0)
			return cli_bad("-r", arg, "a repetition count from 1 to 1000");
		m->reps = (unsigned)u;
		break;
	case OPT_WARMUP:
		if (gb_parse_uint(arg, 0, 100, &u) != 0)
			return cli_bad("--warmup", arg, "a count from 0 to 100");
		m->warmup = (unsigned)u;
		break;
	case OPT_TIMEOUT:
		if (gb_parse_double(arg, 0.001, 86400.0, &d) != 0)
			return cli_bad("--timeout", arg, "a time in seconds above 0");
		m->timeout_s = d;
		break;
	case OPT_IO:
		if (strcmp(arg, "sleep") == 0)
			m->base.io = GB_IO_SLEEP;
		else if (strcmp(arg, "echo") == 0)
			m->base.io = GB_IO_ECHO;
		else
			return cli_bad("--io", arg, "sleep or echo");
		break;
	case OPT_IO_TIME:
		if (gb_parse_double(arg, 0.0, 3600.0, &d) != 0)
			return cli_bad("--io-time", arg, "a time in seconds");
		m->base.io_time_ns = (uint64_t)(d * 1e9 + 0.5);
		break;
	case OPT_IO_OPS:
		if (gb_parse_uint(arg, 1, 100000000, &u) != 0)
			return cli_bad("--io-ops", arg, "a count from 1");
		m->base.io_ops = (unsigned)u;
		break;
	case OPT_BURST:
		if (gb_parse_uint(arg, 1, 1ull << 50, &u) != 0)
			return cli_bad("--burst", arg, "a bytecode count from 1");
		m->base.burst = u;
		break;
	case OPT_WORK:
		if (gb_parse_uint(arg, 1, 1ull << 50, &u) != 0)
			return cli_bad("--work", arg, "a bytecode count from 1");
		m->base.work = u;
		break;
	case OPT_THINK:
		if (gb_parse_double(arg, 0.0, 60.0, &d) != 0)
			return cli_bad("--think", arg, "a time in seconds from 0 to 60");
		m->base.think_ns = (uint64_t)(d * 1e9 + 0.5);
		break;
	case OPT_PEER_DELAY:
		if (gb_parse_double(arg, 0.0, 1.0, &d) != 0)
			return cli_bad("--peer-delay", arg, "a time in seconds from 0 to 1");
		m->base.peer_delay_ns = (uint64_t)(d * 1e9 + 0.5);
		break;
	case OPT_CHECK_EVERY:
		if (gb_parse_uint(arg, 1, 1ull << 32, &u) != 0)
			return cli_bad("--check-every", arg, "a bytecode count from 1");
		m->base.check_every = (unsigned)(u > 0xffffffffu ? 0xffffffffu : u);
		break;
	case OPT_OVERHEAD:
		if (gb_parse_double(arg, 0.0, 100.0, &d) != 0)
			return cli_bad("--gil-overhead", arg, "a factor from 0 to 100");
		m->base.gil_overhead = d;
		break;
	case OPT_STACK_SIZE:
		if (gb_parse_size(arg, &u) != 0 || u == 0)
			return cli_bad("--stack-size", arg, "a size in bytes (K, M, G suffixes)");
		/* Checked here, not per cell: a cell would only be skipped. */
		if (u < gb_coro_stack_min() || u > gb_coro_stack_max()) {
			gb_err("--stack-size",
			       "%s is outside %zu (a page and what a greenlet needs) to %zu bytes",
			       arg, gb_coro_stack_min(), gb_coro_stack_max());
			return 1;
		}
		m->base.stack_size = (size_t)u;
		break;
	}
	return 0;
}

static int cli_expand(struct gb_matrix *m)
{
	size_t max = (size_t)m->nmodels * m->nworkloads * m->ntasks * m->ngils * m->nintervals *
	             m->nnatives * m->nplacements * m->nyields * m->nchecks;
	unsigned n = 0;

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
	for (unsigned a = 0; a < m->nmodels; a++)
		for (unsigned b = 0; b < m->nworkloads; b++)
			for (unsigned c = 0; c < m->ntasks; c++)
				for (unsigned d = 0; d < m->ngils; d++)
					for (unsigned e = 0; e < m->nintervals; e++)
						for (unsigned f = 0; f < m->nnatives; f++)
							for (unsigned g = 0; g < m->nplacements;
							     g++)
								for (unsigned h = 0; h < m->nyields;
								     h++)
									for (unsigned i = 0;
									     i < m->nchecks; i++) {
										struct gb_cell *cell =
										        &m->cells[n];
										cell->model =
										        m->models
										                [a];
										cell->p = m->base;
										cell->p.workload =
										        m->workloads
										                [b];
										cell->p.tasks =
										        m->tasks[c];
										cell->p.gil =
										        m->gils[d];
										cell->p.switch_interval_s =
										        m->intervals
										                [e];
										cell->p.native_fraction =
										        m->natives
										                [f];
										cell->placement =
										        m->placements
										                [g];
										cell->p.yield_every =
										        m->yields
										                [h];
										cell->p.check_interval =
										        m->checks
										                [i];
										cell->cpus =
										        m->cpus;
										cell->index = n;
										n++;
									}
	m->ncells = n;
	return 0;
}

int gb_cli_parse_run(int argc, char **argv, struct gb_matrix *m)
{
	size_t cmdlen = 0;
	int opt, rc, trace_format = -1;

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < argc; i++)
		cmdlen += strlen(argv[i]) + 1;
	m->argv_joined = calloc(1, cmdlen + 16);
	if (m->argv_joined) {
		strcpy(m->argv_joined, "gilbench");
		for (int i = 0; i < argc; i++) {
			strcat(m->argv_joined, " ");
			strcat(m->argv_joined, argv[i]);
		}
	}
	/* --quick changes defaults, so it is read before anything else. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--quick") == 0)
			m->quick = 1;
	gb_params_defaults(&m->base, m->quick);
	/* --quick shrinks the work, not the repetitions: with 3 a day's CI
	 * could never see a regression (the U test's smallest p is 0.1). */
	m->reps = 5;
	m->warmup = m->quick ? 0 : 1;
	m->timeout_s = 60.0;
	m->format = "json";
	m->baseline = 1;

	/* Plugins first: -m may name a model a plugin brings. */
	for (int i = 1; i < argc; i++) {
		const char *path = NULL;
		if (strcmp(argv[i], "--plugin") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strncmp(argv[i], "--plugin=", 9) == 0)
			path = argv[i] + 9;
		if (path && gb_plugin_load(path) != 0)
			return 1;
	}

	/* 0, not 1: glibc then forgets a cluster left half-read by an earlier parse. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":m:w:t:r:o:qh", cli_longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
		case 'w':
		case 't':
		case OPT_GIL:
		case OPT_INTERVAL:
		case OPT_NATIVE:
		case OPT_PLACEMENT:
		case OPT_YIELD_EVERY:
		case OPT_CHECK_INTERVAL:
			rc = cli_list(m, opt, argv[optind - 1], optarg);
			if (rc)
				return rc;
			break;
		case OPT_CPUS: {
			struct gb_topo *t = gb_topo_machine();
			hwloc_bitmap_t set = hwloc_bitmap_alloc();
			char why[256];
			int err = t && set ? gb_cpus_parse(t, optarg, set, why, sizeof(why))
			                   : -ENOMEM;
			hwloc_bitmap_free(set);
			if (err) {
				gb_err("--cpus", "%s", err == -ENOMEM ? "no topology" : why);
				return 1;
			}
			m->cpus = optarg;
			break;
		}
		case 'o':
			m->out = optarg;
			break;
		case OPT_FORMAT:
			m->format = optarg;
			break;
		case OPT_TRACE:
			m->trace = optarg;
			break;
		case OPT_TRACE_FORMAT:
			if (strcmp(optarg, "csv") == 0) {
				trace_format = GB_TRACE_CSV;
			} else if (strcmp(optarg, "jsonl") == 0) {
				trace_format = GB_TRACE_JSONL;
			} else {
				gb_err("--trace-format", "'%s' is not csv or jsonl", optarg);
				return 1;
			}
			break;
		case OPT_PLUGIN:
			break; /* loaded above */
		case 'q':
			m->quiet = 1;
			break;
		case OPT_QUICK:
			break;
		case OPT_APPEND:
			m->append = 1;
			break;
		case OPT_NO_BASELINE:
			m->baseline = 0;
			break;
		case 'h':
			gb_cli_usage_run();
			return -1;
		case ':':
			gb_err("run", "option %s needs a value", argv[optind - 1]);
			return 1;
		case '?':
			if (optopt) /* a short one, maybe inside a cluster like -qz */
				gb_err("run", "unknown option '-%c' (see 'gilbench run --help')",
				       optopt);
			else
				gb_err("run", "unknown option '%s' (see 'gilbench run --help')",
				       argv[optind - 1]);
			return 1;
		default:
			rc = cli_scalar(m, opt, optarg);
			if (rc)
				return rc;
			break;
		}
	}
	if (optind < argc) {
		gb_err("run", "unexpected argument '%s'", argv[optind]);
		return 1;
	}
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
	if (trace_format >= 0 && !m->trace) {
		gb_err("--trace-format", "needs --trace FILE");
		return 1;
	}
	m->trace_format = trace_format >= 0 ? (enum gb_trace_format)trace_format
	                                    : gb_trace_format_for(m->trace);

	/* Defaults for the dimensions not given. */
	if (!m->nmodels) {
		const struct gb_model_ops *const *all = gb_models();
		for (unsigned i = 0; all[i] && m->nmodels < GB_CLI_LIST_MAX; i++)
			m->models[m->nmodels++] = all[i];
	}
	if (!m->nworkloads)
		for (unsigned i = 0; i < GB_WL__COUNT; i++)
			m->workloads[m->nworkloads++] = (enum gb_workload)i;
	if (!m->ntasks)
		m->tasks[m->ntasks++] = m->base.tasks;
	if (!m->ngils)
		m->gils[m->ngils++] = m->base.gil;
	if (!m->nintervals)
		m->intervals[m->nintervals++] = m->base.switch_interval_s;
	if (!m->nnatives)
		m->natives[m->nnatives++] = m->base.native_fraction;
	if (!m->nplacements)
		m->placements[m->nplacements++] = GB_PLACE_COMPACT;
	if (!m->nyields)
		m->yields[m->nyields++] = m->base.yield_every;
	if (!m->nchecks)
		m->checks[m->nchecks++] = m->base.check_interval;
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
	memset(m, 0, sizeof(*m));
}
