/*
 * fidelity.c - the library (fidelity.h, gb_fidelity) and the thin front
 * of `gilbench fidelity SIM.json REAL.json`: pairs each real CPython cell
 * (model cpython-X, from scripts/cpython/reference.py) with the simulated
 * cell of model X doing the same work, computes the ratios both show
 * (speedup over serial, convoy latency over the switch interval, io
 * overhead, ...), their quotient, and a verdict against a tolerance; the
 * front prints them and exits 3 when a ratio departs beyond it.
 *
 * It compares ratios, never absolute times: the simulation's bytecode is not
 * CPython's, only the shape of the curves should agree. It reads result
 * files and prints a report; it runs nothing. The ratios are documented in
 * docs/methodology.md ("Fidelity"); keep the two in step.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "fidelity.h"
#include "identity.h"
#include "log.h"
#include "suggest.h"
#include "results_io.h"
#include "report_json.h"
#include "stats.h"
#include "status.h"

#define FID_PREFIX "cpython-"
/* The seed workload's ideal wall: bob's 0.3 s sleep (bench/workloads.c). */
#define FID_SEED_IDEAL_S 0.3

/* Shown in labels when they differ between cells of one workload. */
static const char *const fid_label_keys[] = {"native_fraction",
                                             "switch_interval_s",
                                             "io",
                                             "io_time_s",
                                             "io_ops",
                                             "burst",
                                             "work",
                                             "think_s",
                                             "yield_every",
                                             "echo_bytes",
                                             "peer_delay_s"};

#define FID_N(a) (sizeof(a) / sizeof((a)[0]))

enum fid_format { FID_TEXT, FID_MARKDOWN, FID_JSON };

/* The command's options: the comparison's and how to print it. */
struct fid_opts {
	struct gb_fidelity_opts f;
	enum fid_format format;
	const char *output;
};

/* One document as the library reads it. */
struct fid_side {
	const char *path; /* its name in messages */
	json_t *results;  /* borrowed */
};

/* ---- cells ------------------------------------------------------------------------ */

static const char *fid_str(json_t *cell, const char *key)
{
	return json_string_value(json_object_get(cell, key));
}

static int fid_is_ok(json_t *cell)
{
	return gb_cell_is_ok(cell);
}

/* Reals written by different programs (C's %.10g, Python's repr) compare
 * equal when they agree to 1e-9. */
static int fid_value_eq(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);

		return fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
	}
	return json_equal(a, b);
}

/* Every param both cells have, less the ignored ones, is equal. */
static int fid_same_work(json_t *sim, json_t *real)
{
	json_t *sp = json_object_get(sim, "params"), *rp = json_object_get(real, "params"), *rv;
	const char *key;

	json_object_foreach(rp, key, rv)
	{
		json_t *sv = json_object_get(sp, key);

		/* How a cell was run and the simulator's own knobs (the GIL,
		 * pinning, ...): a real CPython cell has none of them. */
		if (!gb_param_is_simulator_only(key) && sv && !fid_value_eq(sv, rv))
			return 0;
	}
	return 1;
}

static int fid_gil_like_cpython(json_t *sim)
{
	const char *gil = json_string_value(json_object_get(json_object_get(sim, "params"), "gil"));

	return !gil || strcmp(gil, "new") == 0 || strcmp(gil, "new312") == 0;
}

/*
 * The simulated cell for a real one: model X for cpython-X, same workload,
 * same work, a GIL policy CPython has (new or new312), preferring the
 * policy of the CPython version that ran (params.gil of the real cell).
 * -1 if none; *not_ok says whether one exists that did not end ok.
 */
static long fid_find_sim(const struct fid_side *sim, json_t *real, int *not_ok)
{
	const char *model = fid_str(real, "model") + strlen(FID_PREFIX);
	json_t *rgil = json_object_get(json_object_get(real, "params"), "gil"), *c;
	long fallback = -1;
	size_t i;

	*not_ok = 0;
	json_array_foreach(sim->results, i, c)
	{
		if (strcmp(fid_str(c, "model"), model) != 0 ||
		    strcmp(fid_str(c, "workload"), fid_str(real, "workload")) != 0 ||
		    !fid_gil_like_cpython(c) || !fid_same_work(c, real))
			continue;
		if (!fid_is_ok(c)) {
			*not_ok = 1;
			continue;
		}
		if (json_equal(json_object_get(json_object_get(c, "params"), "gil"), rgil))
			return (long)i;
		if (fallback < 0)
			fallback = (long)i;
	}
	return fallback;
}

/* The ok serial cell (model `serial`) of a side doing the work of `cell`. */
static json_t *fid_find_serial(const struct fid_side *side, json_t *cell, const char *serial)
{
	json_t *params = json_object_get(cell, "params"), *c;
	size_t i;

	json_array_foreach(side->results, i, c)
	{
		if (strcmp(fid_str(c, "model"), serial) != 0 ||
		    strcmp(fid_str(c, "workload"), fid_str(cell, "workload")) != 0 || !fid_is_ok(c))
			continue;
		if (gb_params_same_work(params, json_object_get(c, "params")))
			return c;
	}
	return NULL;
}

/* ---- ratios ----------------------------------------------------------------------- */

/*
 * Median of samples.<key> of the cell at results[idx]: 1 and *out, 0 when
 * absent or empty, -EINVAL (one line printed) when malformed.
 */
static int fid_median(const struct fid_side *side, json_t *cell, const char *key, double *out)
{
	json_t *samples = json_object_get(cell, "samples"), *arr, *v;
	size_t i, idx = 0;
	double *x;

	json_array_foreach(side->results, idx, v) if (v == cell) break;
	if (samples && !json_is_object(samples)) {
		gb_err(side->path, "malformed result file: results[%zu].samples is not an object",
		       idx);
		return -EINVAL;
	}
	arr = json_object_get(samples, key);
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		goto malformed;
	if (!json_array_size(arr))
		return 0;
	x = malloc(json_array_size(arr) * sizeof(*x));
	if (!x)
		return -ENOMEM;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_number(v)) {
			free(x);
			goto malformed;
		}
		x[i] = json_number_value(v);
	}
	*out = gb_stats_median(x, json_array_size(arr));
	free(x);
	return 1;
malformed:
	gb_err(side->path,
	       "malformed result file: results[%zu].samples.%s is not an array of numbers", idx,
	       key);
	return -EINVAL;
}

static double fid_param(json_t *cell, const char *key)
{
	json_t *v = json_object_get(json_object_get(cell, "params"), key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int fid_add_row(struct gb_fidelity_result *res, const struct gb_fidelity_row *row)
{
	if (res->nrows == res->caprows) {
		size_t cap = res->caprows ? 2 * res->caprows : 32;
		struct gb_fidelity_row *rows = realloc(res->rows, cap * sizeof(*rows));

		if (!rows)
			return -ENOMEM;
		res->rows = rows;
		res->caprows = cap;
	}
	res->rows[res->nrows++] = *row;
	return 0;
}

static int fid_add_note(struct gb_fidelity_result *res, size_t real, const char *why)
{
	/* Both ratios of a cell usually fail for one reason: say it once. */
	if (res->nnotes && res->notes[res->nnotes - 1].real == real &&
	    strcmp(res->notes[res->nnotes - 1].why, why) == 0)
		return 0;
	if (res->nnotes == res->capnotes) {
		size_t cap = res->capnotes ? 2 * res->capnotes : 16;
		struct gb_fidelity_note *notes = realloc(res->notes, cap * sizeof(*notes));

		if (!notes)
			return -ENOMEM;
		res->notes = notes;
		res->capnotes = cap;
	}
	res->notes[res->nnotes++] = (struct gb_fidelity_note){.real = real, .why = why};
	return 0;
}

/* What a ratio is computed from, on one side. */
enum fid_kind {
	FID_SPEEDUP,     /* serial wall / this wall */
	FID_LAT_OVER_SI, /* latency sample / (switch interval in us) */
	FID_WALL_OVER,   /* wall / a fixed ideal */
};

struct fid_def {
	const char *name;
	enum fid_kind kind;
	const char *sample; /* FID_LAT_OVER_SI: which latency */
};

/* One ratio on one side: 1 and *out, 0 if it cannot be had (why set), <0 on error. */
static int fid_side_ratio(const struct fid_side *side, json_t *cell, const struct fid_def *d,
                          const char *serial, double ideal, double *out, const char **why)
{
	double v, ref;
	int err;

	switch (d->kind) {
	case FID_SPEEDUP: {
		json_t *base = fid_find_serial(side, cell, serial);

		if (!base) {
			*why = "no serial cell doing the same work on one side (for the speedup)";
			return 0;
		}
		if ((err = fid_median(side, base, "wall_s", &ref)) <= 0 ||
		    (err = fid_median(side, cell, "wall_s", &v)) <= 0)
			goto missing;
		*out = gb_speedup(ref, v);
		break;
	}
	case FID_LAT_OVER_SI:
		if ((err = fid_median(side, cell, d->sample, &v)) <= 0)
			goto missing;
		*out = v / (fid_param(cell, "switch_interval_s") * 1e6);
		break;
	case FID_WALL_OVER:
		if ((err = fid_median(side, cell, "wall_s", &v)) <= 0)
			goto missing;
		*out = v / ideal;
		break;
	}
	if (!isfinite(*out) || *out <= 0) {
		*why = "a ratio is zero or not finite on one side";
		return 0;
	}
	return 1;
missing:
	if (err < 0)
		return err;
	*why = "samples missing on one side";
	return 0;
}

static const struct fid_def fid_def_speedup = {"speedup", FID_SPEEDUP, NULL};
static const struct fid_def fid_def_native = {"native_speedup", FID_SPEEDUP, NULL};
static const struct fid_def fid_def_io_speedup = {"io_speedup", FID_SPEEDUP, NULL};
static const struct fid_def fid_def_p50 = {"convoy_p50", FID_LAT_OVER_SI, "latency_p50_us"};
static const struct fid_def fid_def_p99 = {"convoy_p99", FID_LAT_OVER_SI, "latency_p99_us"};
static const struct fid_def fid_def_io = {"io_overhead", FID_WALL_OVER, NULL};
static const struct fid_def fid_def_seed = {"seed_overhead", FID_WALL_OVER, NULL};

/* The ratios a cell of this workload and params has (at most 2). */
static size_t fid_defs_for(json_t *real, const struct fid_def **defs, double *ideal)
{
	const char *w = fid_str(real, "workload");
	const char *model = fid_str(real, "model") + strlen(FID_PREFIX);
	int serial = strcmp(model, "serial") == 0;
	json_t *params = json_object_get(real, "params");
	const char *io = json_string_value(json_object_get(params, "io"));

	*ideal = 0;
	if (strcmp(w, "cpu") == 0 && !serial) {
		defs[0] =
		        fid_param(real, "native_fraction") > 0 ? &fid_def_native : &fid_def_speedup;
		return 1;
	}
	if (strcmp(w, "background") == 0 && fid_param(real, "tasks") >= 2) {
		defs[0] = &fid_def_p50;
		defs[1] = &fid_def_p99;
		return 2;
	}
	if (strcmp(w, "io") == 0 && io && strcmp(io, "echo") == 0 && !serial) {
		defs[0] = &fid_def_io_speedup;
		return 1;
	}
	if (strcmp(w, "io") == 0 && (!io || strcmp(io, "sleep") == 0)) {
		*ideal = fid_param(real, "io_ops") * fid_param(real, "io_time_s");
		defs[0] = &fid_def_io;
		return isfinite(*ideal) && *ideal > 0;
	}
	if (strcmp(w, "seed") == 0) {
		*ideal = FID_SEED_IDEAL_S;
		defs[0] = &fid_def_seed;
		return 1;
	}
	return 0;
}

static int fid_pair(const struct fid_side *sides, size_t si, size_t ri,
                    const struct gb_fidelity_opts *o, struct gb_fidelity_result *res)
{
	json_t *sim = json_array_get(sides[0].results, si);
	json_t *real = json_array_get(sides[1].results, ri);
	const struct fid_def *defs[2];
	double ideal;
	size_t n = fid_defs_for(real, defs, &ideal);

	for (size_t k = 0; k < n; k++) {
		struct gb_fidelity_row row = {.real = ri, .sim = si, .ratio = defs[k]->name};
		const char *why = NULL;
		int err;

		err = fid_side_ratio(&sides[0], sim, defs[k], "serial", ideal, &row.sim_v, &why);
		if (err > 0)
			err = fid_side_ratio(&sides[1], real, defs[k], FID_PREFIX "serial", ideal,
			                     &row.real_v, &why);
		if (err < 0)
			return err;
		if (err == 0) {
			if (fid_add_note(res, ri, why))
				return -ENOMEM;
			continue;
		}
		row.quotient = row.sim_v / row.real_v;
		row.agrees = fabs(row.quotient - 1) <= o->tolerance / 100;
		if (fid_add_row(res, &row))
			return -ENOMEM;
		if (row.agrees)
			res->agree++;
		else
			res->depart++;
	}
	return 0;
}

static int fid_run(const struct fid_side *sides, const struct gb_fidelity_opts *o,
                   struct gb_fidelity_result *res)
{
	size_t nreal = json_array_size(sides[1].results), i;
	json_t *c;

	res->only_real = calloc(nreal + 1, sizeof(*res->only_real));
	res->labels = calloc(nreal + 1, sizeof(*res->labels));
	res->sim_used = calloc(json_array_size(sides[0].results) + 1, sizeof(*res->sim_used));
	if (!res->only_real || !res->labels || !res->sim_used)
		return -ENOMEM;
	json_array_foreach(sides[1].results, i, c)
	{
		int not_ok, err;
		long si;

		if (strncmp(fid_str(c, "model"), FID_PREFIX, strlen(FID_PREFIX)) != 0)
			continue;
		si = fid_find_sim(&sides[0], c, &not_ok);
		/* A cell neither side ran (skipped, failed on both) says nothing. */
		if (!fid_is_ok(c)) {
			if (si >= 0 && fid_add_note(res, i, "the CPython cell did not end ok"))
				return -ENOMEM;
			continue;
		}
		if (si < 0) {
			if (not_ok && fid_add_note(res, i, "the simulated cell did not end ok"))
				return -ENOMEM;
			if (!not_ok)
				res->only_real[res->nonly++] = i;
			continue;
		}
		res->sim_used[si] = 1;
		res->pairs++;
		err = fid_pair(sides, (size_t)si, i, o, res);
		if (err)
			return err;
	}
	return 0;
}

/* ---- labels ----------------------------------------------------------------------- */

/* "threads/cpu tasks=2 native_fraction=0.5": the model without its prefix,
 * tasks, and the label keys whose values differ between the real cells of
 * the same workload. */
static int fid_label(const struct fid_side *real, size_t idx, char **out)
{
	json_t *cell = json_array_get(real->results, idx),
	       *params = json_object_get(cell, "params");
	const char *model = fid_str(cell, "model"), *w = fid_str(cell, "workload");
	size_t len, i;
	json_t *c;
	FILE *f = open_memstream(out, &len);

	if (!f)
		return -ENOMEM;
	if (strncmp(model, FID_PREFIX, strlen(FID_PREFIX)) == 0)
		model += strlen(FID_PREFIX);
	fprintf(f, "%s/%s", model, w);
	if (json_object_get(params, "tasks")) {
		fputs(" tasks=", f);
		gb_param_put_value(f, json_object_get(params, "tasks"));
	}
	for (size_t k = 0; k < FID_N(fid_label_keys); k++) {
		json_t *v = json_object_get(params, fid_label_keys[k]);
		int varies = 0;

		if (!v)
			continue;
		json_array_foreach(real->results, i, c)
		{
			json_t *cv =
			        json_object_get(json_object_get(c, "params"), fid_label_keys[k]);

			if (strcmp(fid_str(c, "workload"), w) == 0 &&
			    (!cv || !fid_value_eq(cv, v))) {
				varies = 1;
				break;
			}
		}
		if (varies) {
			fprintf(f, " %s=", fid_label_keys[k]);
			gb_param_put_value(f, v);
		}
	}
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

/* The label of every real cell a row, a note or only_real names. */
static int fid_labels(const struct fid_side *real, struct gb_fidelity_result *res)
{
	for (size_t k = 0; k < res->nrows + res->nnotes + res->nonly; k++) {
		size_t idx = k < res->nrows ? res->rows[k].real
		             : k < res->nrows + res->nnotes
		                     ? res->notes[k - res->nrows].real
		                     : res->only_real[k - res->nrows - res->nnotes];

		if (!res->labels[idx] && fid_label(real, idx, &res->labels[idx]))
			return -ENOMEM;
	}
	return 0;
}

/* ---- the library ------------------------------------------------------------------ */

int gb_fidelity(json_t *sim, json_t *real, const struct gb_fidelity_opts *o,
                struct gb_fidelity_result *out)
{
	struct fid_side sides[2] = {{.path = o->sim_name}, {.path = o->real_name}};
	size_t merged;
	int err;

	memset(out, 0, sizeof(*out));
	/* A cell repeated in a file (two sweeps sharing a point) is paired
	 * once, its samples merged as every reader merges them. */
	if (gb_results_merge_duplicates(sim, &merged) != 0 ||
	    gb_results_merge_duplicates(real, &merged) != 0)
		return -ENOMEM;
	sides[0].results = json_object_get(sim, "results");
	sides[1].results = json_object_get(real, "results");
	out->sim_results = sides[0].results;
	out->real_results = sides[1].results;
	out->nreal = json_array_size(sides[1].results);
	err = fid_run(sides, o, out);
	if (err)
		return err;
	for (size_t i = 0; i < json_array_size(sides[0].results); i++)
		out->sim_unpaired += !out->sim_used[i];
	return fid_labels(&sides[1], out);
}

void gb_fidelity_result_free(struct gb_fidelity_result *res)
{
	if (res->labels)
		for (size_t i = 0; i < res->nreal; i++)
			free(res->labels[i]);
	free(res->labels);
	free(res->rows);
	free(res->notes);
	free(res->only_real);
	free(res->sim_used);
	memset(res, 0, sizeof(*res));
}

/* ---- output ----------------------------------------------------------------------- */

static void fid_summary_line(FILE *f, const struct gb_fidelity_result *res,
                             const struct fid_opts *o, int markdown)
{
	if (markdown && res->depart)
		fprintf(f, "**%zu ratio%s depart%s**: ", res->depart, res->depart == 1 ? "" : "s",
		        res->depart == 1 ? "s" : "");
	fprintf(f, "%zu of %zu ratio%s agree within %g%% (%zu cell pair%s); %zu depart%s\n",
	        res->agree, res->nrows, res->nrows == 1 ? "" : "s", o->f.tolerance, res->pairs,
	        res->pairs == 1 ? "" : "s", res->depart, res->depart == 1 ? "s" : "");
}

static void fid_put_lists(FILE *f, const struct gb_fidelity_result *res, int markdown)
{
	const char *b = markdown ? "- " : "  ", *s = markdown ? "**" : "";
	size_t unpaired = res->sim_unpaired;

	if (res->nonly)
		fprintf(f, "\n%sCPython cells with no simulated counterpart (%zu):%s\n", s,
		        res->nonly, s);
	for (size_t i = 0; i < res->nonly; i++)
		fprintf(f, "%s%s\n", b, res->labels[res->only_real[i]]);
	if (res->nnotes)
		fprintf(f, "\n%snot compared (%zu):%s\n", s, res->nnotes, s);
	for (size_t i = 0; i < res->nnotes; i++)
		fprintf(f, "%s%s: %s\n", b, res->labels[res->notes[i].real], res->notes[i].why);
	if (unpaired)
		fprintf(f,
		        "\n%zu simulated cell%s no CPython counterpart (other models, GIL policies "
		        "or parameters)\n",
		        unpaired, unpaired == 1 ? " has" : "s have");
}

static void fid_put_text(FILE *f, const struct gb_fidelity_result *res, const struct fid_opts *o)
{
	static const char *const head[] = {"cell",    "ratio",    "simulated",
	                                   "CPython", "sim/real", "verdict"};
	int w[6];

	for (int c = 0; c < 6; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t r = 0; r < res->nrows; r++) {
		const char *l = res->labels[res->rows[r].real];

		if ((int)strlen(l) > w[0])
			w[0] = (int)strlen(l);
		if ((int)strlen(res->rows[r].ratio) > w[1])
			w[1] = (int)strlen(res->rows[r].ratio);
	}
	w[2] = w[3] = w[4] = 9;
	if (res->nrows)
		fprintf(f, "%-*s  %-*s  %*s  %*s  %*s  %s\n", w[0], head[0], w[1], head[1], w[2],
		        head[2], w[3], head[3], w[4], head[4], head[5]);
	for (size_t r = 0; r < res->nrows; r++) {
		const struct gb_fidelity_row *row = &res->rows[r];

		fprintf(f, "%-*s  %-*s  %*.4g  %*.4g  %*.3f  %s\n", w[0], res->labels[row->real],
		        w[1], row->ratio, w[2], row->sim_v, w[3], row->real_v, w[4], row->quotient,
		        row->agrees ? "agrees" : "departs");
	}
	if (res->nrows)
		fputc('\n', f);
	fid_summary_line(f, res, o, 0);
	fid_put_lists(f, res, 0);
}

static void fid_put_md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void fid_put_markdown(FILE *f, const struct gb_fidelity_result *res,
                             const struct fid_opts *o)
{
	fprintf(f, "### gilbench fidelity\n\n");
	fid_summary_line(f, res, o, 1);
	if (res->nrows)
		fprintf(f, "\n| cell | ratio | simulated | CPython | sim/real | verdict |\n"
		           "|:--|:--|--:|--:|--:|:--|\n");
	for (size_t r = 0; r < res->nrows; r++) {
		const struct gb_fidelity_row *row = &res->rows[r];
		fputs("| ", f);
		fid_put_md_cell(f, res->labels[row->real]);
		fprintf(f, " | %s | %.4g | %.4g | %.3f | %s |\n", row->ratio, row->sim_v,
		        row->real_v, row->quotient, row->agrees ? "agrees" : "**departs**");
	}
	fid_put_lists(f, res, 1);
}

static json_t *fid_json(const struct gb_fidelity_result *res, const struct fid_opts *o)
{
	json_t *rows = json_array(), *only = json_array(), *notes = json_array(), *doc;

	if (!rows || !only || !notes)
		goto fail;
	for (size_t r = 0; r < res->nrows; r++) {
		const struct gb_fidelity_row *row = &res->rows[r];
		json_t *real = json_array_get(res->real_results, row->real);
		const char *l = res->labels[row->real];
		json_t *e = json_pack(
		        "{s:s, s:O, s:O, s:O, s:s, s:f, s:f, s:f, s:s, s:b, s:I, s:I}", "cell", l,
		        "model", json_object_get(real, "model"), "workload",
		        json_object_get(real, "workload"), "params",
		        json_object_get(real, "params"), "ratio", row->ratio, "simulated",
		        row->sim_v, "cpython", row->real_v, "quotient", row->quotient, "verdict",
		        row->agrees ? "agrees" : "departs", "agrees", row->agrees, "sim_index",
		        (json_int_t)row->sim, "real_index", (json_int_t)row->real);
		if (!e || json_array_append_new(rows, e))
			goto fail;
	}
	for (size_t i = 0; i < res->nonly; i++) {
		if (json_array_append_new(only, json_string(res->labels[res->only_real[i]])))
			goto fail;
	}
	for (size_t i = 0; i < res->nnotes; i++) {
		const char *l = res->labels[res->notes[i].real];

		if (json_array_append_new(
		            notes, json_pack("{s:s, s:s}", "cell", l, "reason", res->notes[i].why)))
			goto fail;
	}
	doc = json_pack("{s:s, s:s, s:f, s:b, s:{s:I, s:I, s:I, s:I}, s:o, s:o, s:o, s:I}", "sim",
	                o->f.sim_name, "real", o->f.real_name, "tolerance_pct", o->f.tolerance,
	                "agree", res->depart == 0, "summary", "pairs", (json_int_t)res->pairs,
	                "ratios", (json_int_t)res->nrows, "agree", (json_int_t)res->agree, "depart",
	                (json_int_t)res->depart, "ratios", rows, "only_in_real", only,
	                "not_compared", notes, "sim_unpaired", (json_int_t)res->sim_unpaired);
	return doc;
fail:
	json_decref(rows);
	json_decref(only);
	json_decref(notes);
	return NULL;
}

/* ---- command ---------------------------------------------------------------------- */

static void fid_usage(FILE *f)
{
	fprintf(f,
	        "usage: gilbench fidelity SIM.json REAL.json [options]\n"
	        "\n"
	        "Pairs each CPython cell of REAL.json (model cpython-X, written by\n"
	        "scripts/cpython/reference.py) with the simulated cell of model X in SIM.json\n"
	        "doing the same work (GIL policy new or new312), and compares the ratios each\n"
	        "shows; absolute times are never compared. Exit status: 0 every ratio agrees,\n"
	        "3 one departs by more than the tolerance, 1 bad input or nothing to compare.\n"
	        "\n"
	        "  --tolerance PCT  largest |sim/real - 1| that agrees, in percent (default 25)\n"
	        "  -f, --format F   text (default), markdown or json\n"
	        "  -o, --output F   write there instead of stdout\n"
	        "  -h, --help       this text\n"
	        "\n"
	        "Ratios (medians over repetitions):\n"
	        "  speedup         cpu: serial wall / model wall (native_fraction 0)\n"
	        "  native_speedup  cpu: the same with native_fraction > 0\n"
	        "  convoy_p50/p99  background, tasks >= 2: foreground echo latency / switch "
	        "interval\n"
	        "  io_overhead     io sleep: wall / (io_ops x io_time)\n"
	        "  io_speedup      io echo: serial wall / model wall\n"
	        "  seed_overhead   seed: wall / 0.3 s (bob's sleep)\n"
	        "See docs/methodology.md, \"Fidelity\".\n");
}

static int fid_parse(int argc, char **argv, struct fid_opts *o)
{
	enum { OPT_TOLERANCE = 256 };
	static const struct option opts[] = {
	        {"tolerance", required_argument, NULL, OPT_TOLERANCE},
	        {"format", required_argument, NULL, 'f'},
	        {"output", required_argument, NULL, 'o'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	*o = (struct fid_opts){.f = {.tolerance = GB_FIDELITY_TOLERANCE_DEFAULT},
	                       .format = FID_TEXT,
	                       .output = "-"};
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_TOLERANCE:
			errno = 0;
			o->f.tolerance = strtod(optarg, &end);
			if (end != optarg && *end == '%')
				end++;
			if (end == optarg || *end || errno || !isfinite(o->f.tolerance)) {
				gb_err("fidelity", "--tolerance: '%s' is not a number", optarg);
				return 1;
			}
			if (o->f.tolerance < 0) {
				gb_err("fidelity", "--tolerance: must be 0 or more (percent)");
				return 1;
			}
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				o->format = FID_TEXT;
			else if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
				o->format = FID_MARKDOWN;
			else if (strcmp(optarg, "json") == 0)
				o->format = FID_JSON;
			else {
				gb_err("fidelity", "--format: '%s' is not text, markdown or json",
				       optarg);
				return 1;
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			fid_usage(stdout);
			return -1;
		default: {
			char hint[96];

			if (optopt && (optopt >= OPT_TOLERANCE || strchr("fo", optopt)))
				gb_err("fidelity", "option '%s' needs a value", argv[optind - 1]);
			else
				gb_err("fidelity", "unknown option '%s'%s", argv[optind - 1],
				       gb_suggest_option_hint(hint, sizeof(hint), argv[optind - 1],
				                              opts,
				                              " (try 'gilbench fidelity --help')"));
			return 1;
		}
		}
	}
	if (argc - optind != 2) {
		gb_err("fidelity",
		       "expected two result files, SIM.json and REAL.json, got %d (try --help)",
		       argc - optind);
		return 1;
	}
	o->f.sim_name = argv[optind];
	o->f.real_name = argv[optind + 1];
	return 0;
}

struct fid_out {
	const struct gb_fidelity_result *res;
	const struct fid_opts *o;
};

/* The text or markdown report, for gb_text_write_with. */
static int fid_put(FILE *f, void *arg)
{
	const struct fid_out *c = arg;

	if (c->o->format == FID_MARKDOWN)
		fid_put_markdown(f, c->res, c->o);
	else
		fid_put_text(f, c->res, c->o);
	return 0;
}

/* Prints res as o says: 0 or -errno, after saying why. */
static int fid_print(const struct gb_fidelity_result *res, const struct fid_opts *o)
{
	struct fid_out out = {res, o};
	int err;

	if (o->format == FID_JSON) {
		json_t *doc = fid_json(res, o);

		if (!doc)
			goto fail_nomem;
		err = gb_json_write_atomic(o->output, doc);
		json_decref(doc);
		return err ? err : 0;
	}
	return gb_text_write_with(o->output, "fidelity", fid_put, &out);
fail_nomem:
	gb_err("fidelity", "out of memory");
	return -ENOMEM;
}

int gb_cmd_fidelity(int argc, char **argv)
{
	struct gb_fidelity_result res = {0};
	json_t *docs[2] = {NULL, NULL};
	struct fid_opts o;
	int rc, err;

	rc = fid_parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : 1;
	rc = 1;
	/* Both files are read and checked before anything is printed. */
	if (gb_results_load(o.f.sim_name, &docs[0]) || gb_results_load(o.f.real_name, &docs[1]))
		goto out;
	err = gb_fidelity(docs[0], docs[1], &o.f, &res);
	if (err == -ENOMEM)
		gb_err("fidelity", "out of memory");
	if (err)
		goto out;
	if (res.pairs == 0) {
		gb_err("fidelity",
		       "no comparable cells: %s has no " FID_PREFIX
		       "MODEL cell doing the work of a simulated cell in %s",
		       o.f.real_name, o.f.sim_name);
		goto out;
	}
	if (fid_print(&res, &o) == 0)
		rc = res.depart ? 3 : 0;
out:
	gb_fidelity_result_free(&res);
	json_decref(docs[0]);
	json_decref(docs[1]);
	return rc;
}
