/*
 * fidelity.h - the simulation against real CPython, as a library: pairs
 * each real cell (model cpython-X, from scripts/cpython/reference.py) with
 * the simulated cell of model X doing the same work, computes the ratios
 * both show and a verdict on their quotient. `gilbench fidelity`
 * (fidelity.c) prints the result. The ratios are documented in
 * docs/methodology.md ("Fidelity").
 */
#ifndef GB_FIDELITY_H
#define GB_FIDELITY_H

#include <stddef.h>

#include <jansson.h>

#define GB_FIDELITY_TOLERANCE_DEFAULT 25.0 /* percent */

struct gb_fidelity_opts {
	double tolerance; /* percent: the largest |sim/real - 1| that agrees */
	/* Names of the two documents in messages and in the json output. */
	const char *sim_name, *real_name;
};

/* One ratio of one pair of cells. */
struct gb_fidelity_row {
	size_t real, sim;  /* indices in the real and the simulated results[] */
	const char *ratio; /* "speedup", "convoy_p99", ... (static) */
	double sim_v, real_v, quotient;
	int agrees; /* |quotient - 1| within the tolerance */
};

/* A real cell, or one of its ratios, that could not be compared. */
struct gb_fidelity_note {
	size_t real;
	const char *why; /* static text */
};

struct gb_fidelity_result {
	json_t *sim_results, *real_results; /* borrowed from the documents */
	struct gb_fidelity_row *rows;
	size_t nrows, caprows;
	struct gb_fidelity_note *notes; /* not compared */
	size_t nnotes, capnotes;
	size_t *only_real; /* real cells with no simulated counterpart */
	size_t nonly;
	size_t pairs, agree, depart;
	size_t sim_unpaired; /* simulated cells no real cell paired with */
	/* Per real cell: "threads/cpu tasks=2 ..." for every cell a row, a
	 * note or only_real names; NULL for the others. */
	char **labels;
	size_t nreal;
	int *sim_used;
};

/*
 * Compares `sim` with `real` (loaded result documents, borrowed; their
 * repeated cells are merged in place, as gb_compare does). Fills
 * *out, which the caller frees with gb_fidelity_result_free whatever the
 * return. 0 (also when no pair was found: out->pairs is 0), -ENOMEM
 * (nothing printed) or -EINVAL (a malformed samples array, one line
 * printed).
 */
int gb_fidelity(json_t *sim, json_t *real, const struct gb_fidelity_opts *o,
                struct gb_fidelity_result *out);

void gb_fidelity_result_free(struct gb_fidelity_result *res);

#endif
