/*
 * identity.h - what makes two result cells the same cell (model, workload
 * and params without the volatile keys), and merging the cells of one
 * document that share an identity.
 */
#ifndef GB_IDENTITY_H
#define GB_IDENTITY_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/*
 * Params that change between runs of the same cell (GB_PAR_VOLATILE in
 * host/params.def: bound_cpus, peer_cpus, reps, warmup). They are not part
 * of a cell's identity.
 */
int gb_param_is_volatile(const char *key);

/* Volatile, or a knob only the simulator has (GB_PAR_SIM: gil, placement,
 * ...): what a cell of real CPython is paired without. */
int gb_param_is_simulator_only(const char *key);

/*
 * 1 when two params objects do the same work: every GB_PAR_WORK key of
 * host/params.def equal on both (numbers to 1e-9, whichever program wrote
 * them) or absent from both. A serial cell that does a cell's work is its
 * speedup baseline.
 */
int gb_params_same_work(json_t *pa, json_t *pb);
/* The same, whatever the task counts: a cpu cell's total work W does not
 * depend on how many tasks share it, so neither does serial's wall. */
int gb_params_same_work_any_tasks(json_t *pa, json_t *pb);

/* qsort order of param names in a cell's label: tasks, gil, then by name. */
int gb_param_label_order(const void *pa, const void *pb);

/* A param's value as a label shows it: strings bare, numbers in %.15g,
 * anything else as compact JSON. */
void gb_param_put_value(FILE *f, json_t *v);

/* The params of `cell` without the volatile keys (new reference), or NULL. */
json_t *gb_cell_ident_params(json_t *cell);

/* 1 when a and b are the same cell: same model, workload and identity params. */
int gb_cell_same(json_t *a, json_t *b);

/*
 * A string equal for two cells exactly when gb_cell_same says they are the
 * same cell (model, workload, and the identity params as compact JSON with
 * sorted keys): a key for hashing. malloc'd; NULL on out of memory.
 */
char *gb_cell_id(json_t *cell);

/*
 * Leaves one cell per identity in doc's results (a file written by several
 * `run --append` sweeps can hold the same cell twice). Cells that share an
 * identity become one, at the place of the first:
 *   - the ok ones are merged: every samples array concatenated in file
 *     order, params.reps = the samples kept, bound_cpus the distinct values
 *     joined by ';', "merged_from" = their indices, metrics recomputed;
 *     a duplicate that is not ok is left out, with a line in the merged
 *     cell's warnings;
 *   - if none is ok, the first is kept.
 * Sets *merged to the number of cells removed. 0, or -ENOMEM.
 */
int gb_results_merge_duplicates(json_t *doc, size_t *merged);

#endif
