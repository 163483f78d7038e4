/*
 * fuzz_cli.c - the `gilbench run` command line: the input is split at NUL
 * bytes into arguments after "run" and parsed with gb_cli_parse_run; every
 * argument is also fed to the number, size and CPU-list parsers. Checks:
 * no crash or leak, exactly one line on stderr when the parse refuses
 * (none when it accepts), and every accepted cell within the bounds of
 * host/params.def. --plugin arguments are dropped: loading arbitrary files is not
 * parsing.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "params.h"
#include "parse.h"
#include "fuzz.h"
#include "pin.h"

#define FZ_MAXARGS 48

static void fz_numbers(const char *s)
{
	struct gb_topo *t = gb_topo_machine();
	unsigned long long u;
	double d;
	char why[256];

	if (gb_parse_uint(s, 1, 10000000, &u) == 0 && (u < 1 || u > 10000000))
		gb_fuzz_fail("gb_parse_uint accepted %llu outside 1..10000000", u);
	if (gb_parse_double(s, 1e-6, 10.0, &d) == 0 && !(d >= 1e-6 && d <= 10.0))
		gb_fuzz_fail("gb_parse_double accepted %g outside 1e-6..10", d);
	if (gb_parse_size(s, &u) == 0) {
		/* The value must be the number times its suffix, not a wrapped one. */
		size_t len = strlen(s);
		unsigned shift = 0;
		switch (len ? s[len - 1] : 0) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'm':
		case 'M':
			shift = 20;
			break;
		case 'g':
		case 'G':
			shift = 30;
			break;
		}
		if ((u >> shift) != strtoull(s, NULL, 10) || ((u >> shift) << shift) != u)
			gb_fuzz_fail("gb_parse_size('%s') gave %llu", s, u);
	}
	if (t) {
		hwloc_bitmap_t set = hwloc_bitmap_alloc();
		why[0] = '\0';
		hwloc_const_bitmap_t all = hwloc_topology_get_topology_cpuset(t->topo);

		if (set && gb_cpus_parse(t, s, set, why, sizeof(why)) == 0 &&
		    hwloc_bitmap_iszero(set))
			gb_fuzz_fail("gb_cpus_parse accepted '%s' as an empty set", s);
		/* Even on refusal: an index past the machine costs memory and time. */
		if (set && !hwloc_bitmap_isincluded(set, all))
			gb_fuzz_fail("gb_cpus_parse('%s') set CPUs the machine does not have", s);
		hwloc_bitmap_free(set);
	}
}

/* Whether every numeric field of p is within its host/params.def range. */
static int fz_in_range(const struct gb_params *p)
{
	const struct gb_param_info *t = gb_params_table();

	for (unsigned k = 0; k < GB_PARAM__COUNT; k++) {
		double v;

		if (t[k].offset == GB_PARAM_NO_FIELD || t[k].type == GB_PT_ENUM ||
		    t[k].type == GB_PT_STRING)
			continue;
		v = gb_param_get(p, &t[k]);
		if (!(v >= t[k].min && v <= t[k].max) ||
		    ((t[k].flags & GB_PAR_MAX_OPEN) && v >= t[k].max))
			return 0;
	}
	return 1;
}

static void fz_check_cells(const struct gb_matrix *m)
{
	const struct gb_param_info *reps = gb_param_at(GB_PARAM_REPS);

	if (m->ncells == 0 || m->ncells > 200001)
		gb_fuzz_fail("%u cells", m->ncells);
	for (unsigned i = 0; i < m->ncells; i++) {
		const struct gb_cell *c = &m->cells[i];
		if (!c->model || !c->p.gil || !fz_in_range(&c->p))
			gb_fuzz_fail("cell %u out of bounds (tasks %u)", i, c->p.tasks);
	}
	if (m->reps < reps->min || m->reps > reps->max || !(m->timeout_s > 0))
		gb_fuzz_fail("reps %u timeout %g", m->reps, m->timeout_s);
}

/* What a parse decided, to compare two parses of the same command line. */
struct fz_outcome {
	int rc, lines;
	unsigned ncells, reps, warmup;
	double timeout_s;
	char out[64], format[16];
};

/*
 * One command line, parsed from fresh copies of its arguments that are
 * freed afterwards, as one process invocation would see them.
 */
static struct fz_outcome fz_parse_once(int argc, char **argv)
{
	struct fz_outcome o = {0};
	char *copy[FZ_MAXARGS + 2];
	struct gb_matrix m;

	for (int k = 0; k < argc; k++)
		copy[k] = strdup(argv[k]);
	copy[argc] = NULL;
	for (int k = 0; k < argc; k++)
		if (!copy[k])
			gb_fuzz_fail("out of memory");
	gb_fuzz_stderr_begin();
	o.rc = gb_cli_parse_run(argc, copy, &m);
	o.lines = gb_fuzz_stderr_end();
	if (o.rc == 1 && o.lines != 1)
		gb_fuzz_fail("a refused command line printed %d lines on stderr", o.lines);
	if (o.rc == 0 && o.lines != 0)
		gb_fuzz_fail("an accepted command line printed %d lines on stderr", o.lines);
	if (o.rc == 0) {
		fz_check_cells(&m);
		o.ncells = m.ncells;
		o.reps = m.reps;
		o.warmup = m.warmup;
		o.timeout_s = m.timeout_s;
		snprintf(o.out, sizeof(o.out), "%s", m.out ? m.out : "(stdout)");
		snprintf(o.format, sizeof(o.format), "%s", m.format);
	}
	gb_cli_free(&m);
	for (int k = 0; k < argc; k++)
		free(copy[k]);
	return o;
}

/* Forgets whatever getopt remembers: the clean state of a new process. */
static void fz_getopt_reset(void)
{
	char *argv[] = {"x", NULL};

	optind = 0;
	opterr = 0;
	while (getopt(1, argv, "") != -1)
		;
}

static int fz_same(const struct fz_outcome *a, const struct fz_outcome *b)
{
	return a->rc == b->rc && a->lines == b->lines && a->ncells == b->ncells &&
	       a->reps == b->reps && a->warmup == b->warmup && a->timeout_s == b->timeout_s &&
	       !strcmp(a->out, b->out) && !strcmp(a->format, b->format);
}

/*
 * A command line parsed in a clean process, then again right after the
 * previous command line: what that one left behind must not matter.
 */
static void fz_parse(int prev_argc, char **prev_argv, int argc, char **argv)
{
	struct fz_outcome clean, after;

	fz_getopt_reset();
	clean = fz_parse_once(argc, argv);
	if (!prev_argc)
		return;
	fz_parse_once(prev_argc, prev_argv);
	after = fz_parse_once(argc, argv);
	if (!fz_same(&clean, &after))
		gb_fuzz_fail("a command line parsed after another: rc %d then %d, %u then %u cells",
		             clean.rc, after.rc, clean.ncells, after.ncells);
}

/*
 * Arguments are separated by NUL bytes; an argument that is the single
 * byte 0x01 starts another command line, which is also parsed right
 * after the one before it (as a test or a long-lived caller would).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[FZ_MAXARGS + 2], *prev[FZ_MAXARGS + 2];
	int argc = 1, prev_argc = 0;
	size_t i = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "run";
	while (i <= size) {
		char *arg = buf + i;
		i += strlen(arg) + 1;
		if (strcmp(arg, "\x01") == 0 || argc == FZ_MAXARGS + 1) {
			argv[argc] = NULL;
			fz_parse(prev_argc, prev, argc, argv);
			memcpy(prev, argv, sizeof(argv));
			prev_argc = argc;
			argc = 1;
		}
		if (strcmp(arg, "\x01") == 0 || strstr(arg, "plugin"))
			continue;
		gb_fuzz_stderr_begin();
		fz_numbers(arg);
		gb_fuzz_stderr_end();
		argv[argc++] = arg;
	}
	argv[argc] = NULL;
	fz_parse(prev_argc, prev, argc, argv);
	free(buf);
	return 0;
}
