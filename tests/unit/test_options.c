/*
 * test_options.c - bench/run/options.c, the `gilbench run` parser: its
 * defaults (full and --quick), ranges and list expansion are those of
 * host/params.def's table, row by row, so a default or range changed in
 * the parser alone, or a row the parser ignores, fails here. And the keys
 * that JSON params, identity and "same work" see are the table's rows.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gilbench/gil.h>

#include "identity.h"
#include "options.h"
#include "params.h"
#include "report_json.h"
#include "tap.h"

/* Parses argv (NULL-terminated, argv[0] "run"); the matrix is the caller's to free. */
static int parse(const char **argv, struct gb_matrix *m)
{
	char *copy[32];
	int argc = 0;

	for (; argv[argc]; argc++)
		copy[argc] = (char *)argv[argc];
	copy[argc] = NULL;
	return gb_cli_parse_run(argc, copy, m);
}

/* Seconds go through ns in the struct: equal to a nanosecond. */
static int num_eq(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* A row's value in a cell, compared with the table's default for it. */
static int cell_has_default(const struct gb_cell *c, const struct gb_param_info *pi, int quick)
{
	if (pi->id == GB_PARAM_PLACEMENT)
		return (int)c->placement == gb_param_enum_index(pi, pi->sdef);
	if (pi->offset == GB_PARAM_NO_FIELD)
		return 1; /* the matrix's (reps, warmup) or the runner's: checked apart */
	if (pi->type == GB_PT_STRING)
		return strcmp(*(const char *const *)((const char *)&c->p + pi->offset), pi->sdef) ==
		       0;
	if (pi->type == GB_PT_ENUM)
		return (int)gb_param_get(&c->p, pi) == gb_param_enum_index(pi, pi->sdef);
	return num_eq(gb_param_get(&c->p, pi), quick ? pi->quick_def : pi->def);
}

static void test_defaults(int quick)
{
	const char *argv[] = {"run", "-m", "serial", "-w", "cpu", quick ? "--quick" : NULL, NULL};
	const struct gb_param_info *t = gb_params_table();
	struct gb_matrix m;

	is_int(parse(argv, &m), 0, quick ? "--quick parses" : "no options parse");
	is_int(m.ncells, 1, "one model, one workload: one cell");
	for (unsigned i = 0; i < GB_PARAM__COUNT && m.ncells; i++)
		ok(cell_has_default(&m.cells[0], &t[i], quick), "%s: %s default of params.def",
		   t[i].key, quick ? "the --quick" : "the");
	is_int(m.reps, quick ? t[GB_PARAM_REPS].quick_def : t[GB_PARAM_REPS].def, "reps default");
	is_int(m.warmup, quick ? t[GB_PARAM_WARMUP].quick_def : t[GB_PARAM_WARMUP].def,
	       "warmup default");
	gb_cli_free(&m);
}

/* The value of a row's option in the one cell (or the matrix). */
static double parsed_value(const struct gb_matrix *m, const struct gb_param_info *pi)
{
	if (pi->id == GB_PARAM_REPS)
		return m->reps;
	if (pi->id == GB_PARAM_WARMUP)
		return m->warmup;
	if (pi->id == GB_PARAM_MIN_REPS)
		return m->min_reps;
	if (pi->id == GB_PARAM_MAX_REPS)
		return m->max_reps;
	if (pi->id == GB_PARAM_TARGET_CI)
		return m->target_ci;
	return gb_param_get(&m->cells[0].p, pi);
}

/* 0 when `gilbench run --OPT value` parses, 1 when it is refused. */
static int try_value(const struct gb_param_info *pi, const char *value, double *got)
{
	char opt[64];
	const char *argv[] = {"run", "-m", "serial", "-w", "cpu", opt, value, NULL};
	struct gb_matrix m;
	int rc;

	snprintf(opt, sizeof(opt), "--%s", pi->option);
	rc = parse(argv, &m);
	if (rc == 0 && got)
		*got = parsed_value(&m, pi);
	gb_cli_free(&m);
	return rc;
}

/* Every numeric row: its min and max are taken, just outside them refused. */
static void test_ranges(void)
{
	const struct gb_param_info *t = gb_params_table();
	char buf[64];
	double got;

	for (unsigned i = 0; i < GB_PARAM__COUNT; i++) {
		const struct gb_param_info *pi = &t[i];
		int integer = pi->type == GB_PT_UINT || pi->type == GB_PT_SIZE;

		if (!pi->option || pi->type == GB_PT_ENUM || pi->type == GB_PT_STRING)
			continue;
		snprintf(buf, sizeof(buf), integer ? "%.0f" : "%.17g", pi->min);
		got = -1;
		ok(try_value(pi, buf, &got) == 0 && num_eq(got, pi->min),
		   "--%s %s (its min) is taken", pi->option, buf);
		snprintf(buf, sizeof(buf), integer ? "%.0f" : "%.17g",
		         integer ? pi->min - 1 : pi->min - fmax(1e-7, fabs(pi->min) * 0.5));
		ok(try_value(pi, buf, NULL) == 1, "--%s %s (below its min) is refused", pi->option,
		   buf);
		snprintf(buf, sizeof(buf), integer ? "%.0f" : "%.17g", pi->max);
		if (pi->flags & GB_PAR_MAX_OPEN) {
			ok(try_value(pi, buf, NULL) == 1, "--%s %s (its open max) is refused",
			   pi->option, buf);
		} else {
			got = -1;
			ok(try_value(pi, buf, &got) == 0 && num_eq(got, pi->max),
			   "--%s %s (its max) is taken", pi->option, buf);
		}
		snprintf(buf, sizeof(buf), integer ? "%.0f" : "%.17g",
		         integer ? pi->max + 1 : pi->max * 1.5 + 1e-6);
		ok(try_value(pi, buf, NULL) == 1, "--%s %s (above its max) is refused", pi->option,
		   buf);
	}
}

/* Lists expand in params.def order, the last list innermost. */
static void test_lists(void)
{
	const char *argv[] = {"run", "-m",    "serial,threads",    "-w",          "cpu",
	                      "-t",  "1,2,4", "--switch-interval", "0.001,0.002", NULL};
	struct gb_matrix m;

	is_int(parse(argv, &m), 0, "lists parse");
	is_int(m.ncells, 2 * 3 * 2, "2 models x 3 task counts x 2 intervals");
	if (m.ncells == 12) {
		ok(strcmp(m.cells[0].model->name, "serial") == 0 &&
		           strcmp(m.cells[6].model->name, "threads") == 0,
		   "models outermost");
		is_int(m.cells[2].p.tasks, 2, "then tasks");
		ok(m.cells[0].p.switch_interval_s == 0.001 &&
		           m.cells[1].p.switch_interval_s == 0.002,
		   "the switch interval innermost");
		is_int(m.cells[11].index, 11, "cells are numbered in order");
	}
	gb_cli_free(&m);
}

static void test_repeated(void)
{
	const char *argv[] = {"run", "-m", "serial", "-w",   "cpu",    "-t",     "1,2",
	                      "-t",  "3",  "--work", "5000", "--work", "700000", NULL};
	const char *bad[] = {"run", "-t", "1,,x", NULL};
	struct gb_matrix m;

	is_int(parse(argv, &m), 0, "repeated options parse");
	is_int(m.ncells, 1, "a repeated list option: the last list counts");
	if (m.ncells) {
		is_int(m.cells[0].p.tasks, 3, "... its value");
		is_int(m.cells[0].p.work, 700000, "a repeated knob: the last value counts");
	}
	gb_cli_free(&m);
	is_int(parse(bad, &m), 1, "a bad item in a list is refused");
	gb_cli_free(&m);
}

/* A params object with key's value changed (a number +1, a string other). */
static json_t *with_changed(json_t *params, const char *key)
{
	json_t *c = json_deep_copy(params), *v = json_object_get(c, key);

	if (json_is_integer(v))
		json_object_set_new(c, key, json_integer(json_integer_value(v) + 1));
	else if (json_is_number(v))
		json_object_set_new(c, key, json_real(json_number_value(v) + 1));
	else
		json_object_set_new(c, key, json_string("other"));
	return c;
}

/* The JSON params hold every row (bound_cpus, peer_cpus: once measured);
 * a change of a row's value changes the work exactly if it is GB_PAR_WORK,
 * the identity exactly if it is not GB_PAR_VOLATILE. */
static void test_json_keys(void)
{
	const char *argv[] = {"run", "-m", "serial", "-w", "cpu", NULL};
	const struct gb_param_info *t = gb_params_table();
	struct gb_matrix m;
	json_t *p, *cell;

	if (parse(argv, &m) != 0 || !m.ncells) {
		ok(0, "the default cell parses");
		gb_cli_free(&m);
		return;
	}
	p = gb_report_params(&m.cells[0], m.reps, m.warmup);
	json_object_set_new(p, "bound_cpus", json_string("0"));
	json_object_set_new(p, "peer_cpus", json_string("1"));
	/* the runner's too, of a cell with adaptive repetitions */
	json_object_set_new(p, "min_reps", json_integer(5));
	json_object_set_new(p, "max_reps", json_integer(30));
	json_object_set_new(p, "target_ci_pct", json_real(2));
	json_object_set_new(p, "reps_stop", json_string("target"));
	is_int(json_object_size(p), GB_PARAM__COUNT, "params has one key per row");
	cell = json_pack("{s:s, s:s, s:O}", "model", "serial", "workload", "cpu", "params", p);
	for (unsigned i = 0; i < GB_PARAM__COUNT; i++) {
		json_t *q = with_changed(p, t[i].key);
		json_t *other = json_pack("{s:s, s:s, s:o}", "model", "serial", "workload", "cpu",
		                          "params", q);

		ok(json_object_get(p, t[i].key) != NULL, "params.%s is written", t[i].key);
		is_int(gb_params_same_work(p, q), !(t[i].flags & GB_PAR_WORK),
		       "same work unless a work key changes");
		is_int(gb_params_same_work_any_tasks(p, q),
		       !(t[i].flags & GB_PAR_WORK) || t[i].id == GB_PARAM_TASKS,
		       "same work at any task count");
		is_int(gb_cell_same(cell, other), !!(t[i].flags & GB_PAR_VOLATILE),
		       "same cell unless an identity key changes");
		json_decref(other);
	}
	json_decref(cell);
	json_decref(p);
	gb_cli_free(&m);
}

/*
 * The GIL library below the harness has its own defaults (a zeroed config
 * is a valid GIL, as gil.h promises): the same as params.def's, so a cell
 * with default params and a model that passes zero agree. And its floor of
 * the switch interval is params.def's minimum.
 */
static void test_gil_defaults(void)
{
	struct gb_gil_config cfg = {0};
	struct gb_gil *gil = NULL;

	if (gb_gil_create(&cfg, &gil) != 0) {
		ok(0, "a zeroed GIL config is a GIL");
		return;
	}
	is_dbl(gil->cfg.switch_interval_s, gb_param_at(GB_PARAM_SWITCH_INTERVAL)->def, 1e-12,
	       "the GIL's default switch interval is params.def's");
	is_int(gil->cfg.check_interval, gb_param_at(GB_PARAM_CHECK_INTERVAL)->def,
	       "the GIL's default check interval is params.def's");
	gb_gil_destroy(gil);
	cfg.switch_interval_s = gb_param_at(GB_PARAM_SWITCH_INTERVAL)->min / 10;
	if (gb_gil_create(&cfg, &gil) == 0) {
		is_dbl(gil->cfg.switch_interval_s, gb_param_at(GB_PARAM_SWITCH_INTERVAL)->min,
		       1e-15, "the GIL's floor of the switch interval is params.def's min");
		gb_gil_destroy(gil);
	}
}

int main(void)
{
	/* Refusals print their one line; the TAP lines are on stdout. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	test_defaults(0);
	test_defaults(1);
	test_ranges();
	test_lists();
	test_repeated();
	test_json_keys();
	test_gil_defaults();
	return gb_tap_done();
}
