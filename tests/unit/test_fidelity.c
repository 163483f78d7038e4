/*
 * test_fidelity.c - fidelity's pairing and verdict rules (docs/
 * methodology.md, "Fidelity") through gb_fidelity on small in-memory
 * documents: which simulated cell a CPython cell pairs with, each ratio,
 * the tolerance, and the cells that cannot be compared.
 * tests/cli/fidelity.sh checks the printed forms.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fidelity.h"
#include "tap.h"

static const struct gb_fidelity_opts opts = {
        .tolerance = 25, .sim_name = "sim", .real_name = "real"};

/* A cell from its parts, params and samples as JSON object text. */
static json_t *cell(const char *model, const char *wl, const char *status, const char *params,
                    const char *samples)
{
	char buf[1024];
	json_error_t e;
	json_t *c;

	snprintf(buf, sizeof(buf),
	         "{\"model\": \"%s\", \"workload\": \"%s\", \"status\": \"%s\", \"params\": %s,"
	         " \"samples\": %s}",
	         model, wl, status, params, samples);
	c = json_loads(buf, 0, &e);
	if (!c)
		fprintf(stderr, "# bad test cell: %s\n", e.text);
	return c;
}

/* A document of the cells given, NULL-terminated; takes them. */
static json_t *doc(json_t *first, ...)
{
	json_t *results = json_array();
	va_list ap;

	va_start(ap, first);
	for (json_t *c = first; c; c = va_arg(ap, json_t *))
		json_array_append_new(results, c);
	va_end(ap);
	return json_pack("{s:i, s:{}, s:o}", "schema_version", 1, "context", "results", results);
}

#define CPU2 "{\"tasks\": 2, \"work\": 1000, \"native_fraction\": 0, \"gil\": \"new\"}"
/* A serial cell does the work of the cell of the same tasks. */
#define CPU1 "{\"tasks\": 2, \"work\": 1000, \"native_fraction\": 0}"

/* sim threads/cpu: serial 1.0 s, threads `sim_wall`; real: 2.0 s and `real_wall`. */
static void speedup_docs(double sim_wall, double real_wall, json_t **sim, json_t **real)
{
	char s[64];

	snprintf(s, sizeof(s), "{\"wall_s\": [%g, %g, %g]}", sim_wall, sim_wall, sim_wall);
	*sim = doc(cell("serial", "cpu", "ok", CPU1, "{\"wall_s\": [1, 1, 1]}"),
	           cell("threads", "cpu", "ok", CPU2, s), NULL);
	snprintf(s, sizeof(s), "{\"wall_s\": [%g, %g, %g]}", real_wall, real_wall, real_wall);
	*real = doc(cell("cpython-serial", "cpu", "ok", CPU1, "{\"wall_s\": [2, 2, 2]}"),
	            cell("cpython-threads", "cpu", "ok", CPU2, s), NULL);
}

static void test_speedup(void)
{
	struct gb_fidelity_result res;
	struct gb_fidelity_opts tight = opts;
	json_t *sim, *real;

	/* sim speedup 1/1.25 = 0.8; real 2/2 = 1.0: quotient 0.8. */
	speedup_docs(1.25, 2.0, &sim, &real);
	ok(gb_fidelity(sim, real, &opts, &res) == 0, "gb_fidelity: 0");
	ok(res.pairs == 2 && res.nrows == 1, "two pairs, one ratio: the serial cells pair too, "
	                                     "with no ratio of their own");
	ok(res.nrows == 1 && strcmp(res.rows[0].ratio, "speedup") == 0, "cpu cell: speedup");
	is_dbl(res.nrows ? res.rows[0].sim_v : NAN, 0.8, 1e-9, "simulated speedup serial/model");
	is_dbl(res.nrows ? res.rows[0].real_v : NAN, 1.0, 1e-9, "CPython speedup serial/model");
	is_dbl(res.nrows ? res.rows[0].quotient : NAN, 0.8, 1e-9, "quotient sim/real");
	ok(res.nrows && res.rows[0].agrees && res.agree == 1 && res.depart == 0,
	   "|0.8 - 1| within 25%%: agrees");
	ok(res.labels[1] && strcmp(res.labels[1], "threads/cpu tasks=2") == 0,
	   "label: model without cpython-, tasks (got '%s')", res.labels[1] ? res.labels[1] : "");
	gb_fidelity_result_free(&res);
	tight.tolerance = 19;
	ok(gb_fidelity(sim, real, &tight, &res) == 0 && res.nrows == 1 && !res.rows[0].agrees &&
	           res.depart == 1,
	   "tolerance 19%%: |0.8 - 1| departs");
	gb_fidelity_result_free(&res);
	json_decref(sim);
	json_decref(real);

	speedup_docs(0.4, 2.0, &sim, &real);
	ok(gb_fidelity(sim, real, &opts, &res) == 0 && res.nrows == 1 && !res.rows[0].agrees,
	   "quotient 2.5: departs");
	gb_fidelity_result_free(&res);
	json_decref(sim);
	json_decref(real);
}

static void test_other_ratios(void)
{
	struct gb_fidelity_result res;
	json_t *sim = doc(
	        cell("threads", "background", "ok",
	             "{\"tasks\": 2, \"switch_interval_s\": 0.005, \"gil\": \"new\"}",
	             "{\"wall_s\": [1], \"latency_p50_us\": [5000], \"latency_p99_us\": [10000]}"),
	        cell("threads", "io", "ok",
	             "{\"tasks\": 1, \"io\": \"sleep\", \"io_ops\": 10, \"io_time_s\": 0.01}",
	             "{\"wall_s\": [0.11]}"),
	        cell("threads", "seed", "ok", "{\"tasks\": 3}", "{\"wall_s\": [0.33]}"), NULL);
	json_t *real = doc(
	        cell("cpython-threads", "background", "ok",
	             "{\"tasks\": 2, \"switch_interval_s\": 0.005}",
	             "{\"wall_s\": [1], \"latency_p50_us\": [5000], \"latency_p99_us\": [20000]}"),
	        cell("cpython-threads", "io", "ok",
	             "{\"tasks\": 1, \"io\": \"sleep\", \"io_ops\": 10, \"io_time_s\": 0.01}",
	             "{\"wall_s\": [0.1]}"),
	        cell("cpython-threads", "seed", "ok", "{\"tasks\": 3}", "{\"wall_s\": [0.3]}"),
	        NULL);

	ok(gb_fidelity(sim, real, &opts, &res) == 0 && res.pairs == 3 && res.nrows == 4,
	   "background, io, seed: three pairs, four ratios");
	if (res.nrows == 4) {
		ok(strcmp(res.rows[0].ratio, "convoy_p50") == 0 &&
		           fabs(res.rows[0].sim_v - 1) < 1e-9 &&
		           fabs(res.rows[0].quotient - 1) < 1e-9,
		   "convoy_p50: latency / switch interval, 1 on both sides");
		ok(strcmp(res.rows[1].ratio, "convoy_p99") == 0 &&
		           fabs(res.rows[1].real_v - 4) < 1e-9 && !res.rows[1].agrees,
		   "convoy_p99: 2 against 4, departs");
		ok(strcmp(res.rows[2].ratio, "io_overhead") == 0 &&
		           fabs(res.rows[2].sim_v - 1.1) < 1e-9 && res.rows[2].agrees,
		   "io_overhead: wall / (io_ops x io_time)");
		ok(strcmp(res.rows[3].ratio, "seed_overhead") == 0 &&
		           fabs(res.rows[3].sim_v - 1.1) < 1e-9 &&
		           fabs(res.rows[3].real_v - 1) < 1e-9,
		   "seed_overhead: wall / 0.3 s");
	}
	gb_fidelity_result_free(&res);
	json_decref(sim);
	json_decref(real);
}

static void test_pairing(void)
{
	struct gb_fidelity_result res;
	/* The real cell ran CPython's new312: the simulated new312 cell is preferred
	 * over new, and legacy (not CPython's) is never paired. */
	json_t *sim = doc(
	        cell("serial", "cpu", "ok", CPU1, "{\"wall_s\": [1]}"),
	        cell("threads", "cpu", "ok",
	             "{\"tasks\": 2, \"work\": 1000, \"native_fraction\": 0, \"gil\": \"legacy\"}",
	             "{\"wall_s\": [0.1]}"),
	        cell("threads", "cpu", "ok",
	             "{\"tasks\": 2, \"work\": 1000, \"native_fraction\": 0, \"gil\": \"new\"}",
	             "{\"wall_s\": [0.2]}"),
	        cell("threads", "cpu", "ok",
	             "{\"tasks\": 2, \"work\": 1000, \"native_fraction\": 0, \"gil\": \"new312\"}",
	             "{\"wall_s\": [1]}"),
	        cell("threads", "cpu", "ok", "{\"tasks\": 4, \"work\": 1000, \"gil\": \"new\"}",
	             "{\"wall_s\": [1]}"),
	        NULL);
	json_t *real = doc(
	        cell("cpython-serial", "cpu", "ok", CPU1, "{\"wall_s\": [1]}"),
	        cell("cpython-threads", "cpu", "ok",
	             "{\"tasks\": 2, \"work\": 1000, \"native_fraction\": 0, \"gil\": \"new312\"}",
	             "{\"wall_s\": [1]}"),
	        /* a repeat of the same real cell: merged with it, paired once */
	        cell("cpython-threads", "cpu", "ok",
	             "{\"tasks\": 2, \"work\": 1000, \"native_fraction\": 0, \"gil\": \"new312\"}",
	             "{\"wall_s\": [1]}"),
	        cell("cpython-threads", "cpu", "ok", "{\"tasks\": 8, \"work\": 1000}",
	             "{\"wall_s\": [1]}"),
	        cell("cpython-processes", "cpu", "ok", "{\"tasks\": 2, \"work\": 1000}",
	             "{\"wall_s\": [1]}"),
	        cell("threads", "cpu", "ok", "{\"tasks\": 2, \"work\": 1000}", "{\"wall_s\": [1]}"),
	        NULL);

	ok(gb_fidelity(sim, real, &opts, &res) == 0, "gb_fidelity: 0");
	ok(res.pairs == 2 && res.nrows == 1,
	   "serial and threads tasks=2 pair; one ratio (%zu, %zu)", res.pairs, res.nrows);
	ok(res.nrows == 1 && res.rows[0].sim == 3 && res.rows[0].real == 1,
	   "threads tasks=2 pairs with the new312 cell");
	ok(json_array_size(json_object_get(real, "results")) == 5 &&
	           json_array_size(json_object_get(
	                   json_object_get(json_array_get(json_object_get(real, "results"), 1),
	                                   "samples"),
	                   "wall_s")) == 2,
	   "the repeated real cell is merged into one, with both samples");
	ok(res.nrows == 1 && fabs(res.rows[0].quotient - 1) < 1e-9, "new312's speedup 1 vs 1");
	ok(res.nonly == 2 && res.only_real[0] == 2 && res.only_real[1] == 3,
	   "tasks=8 and cpython-processes have no simulated counterpart");
	ok(res.sim_unpaired == 3, "legacy, new and tasks=4 simulated cells unpaired (got %zu)",
	   res.sim_unpaired);
	gb_fidelity_result_free(&res);
	json_decref(sim);
	json_decref(real);

	/* A GIL policy CPython does not have is no counterpart, even alone. */
	sim = doc(
	        cell("threads", "cpu", "ok",
	             "{\"tasks\": 2, \"work\": 1000, \"native_fraction\": 0, \"gil\": \"legacy\"}",
	             "{\"wall_s\": [1]}"),
	        NULL);
	real = doc(cell("cpython-threads", "cpu", "ok", "{\"tasks\": 2, \"work\": 1000}",
	                "{\"wall_s\": [1]}"),
	           NULL);
	ok(gb_fidelity(sim, real, &opts, &res) == 0 && res.pairs == 0 && res.nonly == 1 &&
	           res.sim_unpaired == 1,
	   "a simulated legacy-GIL cell is not paired with a CPython cell");
	gb_fidelity_result_free(&res);
	json_decref(sim);
	json_decref(real);
}

static void test_not_compared(void)
{
	struct gb_fidelity_result res;
	json_t *sim = doc(cell("threads", "cpu", "ok", CPU2, "{\"wall_s\": [1]}"),
	                  cell("threads", "seed", "failed", "{\"tasks\": 3}", "{}"),
	                  cell("threads", "io", "ok",
	                       "{\"tasks\": 1, \"io\": \"sleep\", \"io_ops\": 1, \"io_time_s\": 1}",
	                       "{\"wall_s\": [1]}"),
	                  NULL);
	json_t *real = doc(
	        cell("cpython-threads", "cpu", "ok", CPU2, "{\"wall_s\": [1]}"),
	        cell("cpython-threads", "seed", "ok", "{\"tasks\": 3}", "{\"wall_s\": [1]}"),
	        cell("cpython-threads", "io", "failed",
	             "{\"tasks\": 1, \"io\": \"sleep\", \"io_ops\": 1, \"io_time_s\": 1}", "{}"),
	        NULL);

	ok(gb_fidelity(sim, real, &opts, &res) == 0 && res.pairs == 1 && res.nrows == 0,
	   "one pair (cpu), no ratio");
	ok(res.nnotes == 3, "three notes (got %zu)", res.nnotes);
	if (res.nnotes == 3) {
		ok(res.notes[0].real == 0 && strstr(res.notes[0].why, "no serial cell"),
		   "cpu with no serial cell: no speedup (%s)", res.notes[0].why);
		ok(res.notes[1].real == 1 &&
		           strstr(res.notes[1].why, "simulated cell did not end ok"),
		   "seed: the simulated cell failed (%s)", res.notes[1].why);
		ok(res.notes[2].real == 2 &&
		           strstr(res.notes[2].why, "CPython cell did not end ok"),
		   "io: the CPython cell failed (%s)", res.notes[2].why);
	}
	ok(res.labels[2] && strstr(res.labels[2], "threads/io") == res.labels[2],
	   "noted cells are labelled");
	gb_fidelity_result_free(&res);
	json_decref(sim);
	json_decref(real);

	sim = doc(cell("threads", "cpu", "ok", CPU2, "{\"wall_s\": [1]}"), NULL);
	real = doc(cell("cpython-asyncio", "cpu", "ok", CPU2, "{\"wall_s\": [1]}"), NULL);
	ok(gb_fidelity(sim, real, &opts, &res) == 0 && res.pairs == 0 && res.nonly == 1,
	   "no comparable cells: pairs 0 (the command says so and exits 1)");
	gb_fidelity_result_free(&res);
	json_decref(sim);
	json_decref(real);
}

int main(void)
{
	test_speedup();
	test_other_ratios();
	test_pairing();
	test_not_compared();
	return gb_tap_done();
}
