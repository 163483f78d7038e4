/*
 * runner.h - runs the cells of a matrix, each repetition in a forked
 * child with a deadline, and files the results into the document.
 */
#ifndef GB_RUNNER_H
#define GB_RUNNER_H

#include <jansson.h>

#include "options.h"

/*
 * Runs every cell of m, appending one result per cell to doc's results
 * and calling `save` after each (for the incremental, atomic write).
 * Returns 0 if all ran, 2 if a cell failed or timed out, 130 if
 * interrupted (SIGINT/SIGTERM; the finished cells are kept).
 */
int gb_runner_run(struct gb_matrix *m, json_t *doc, int (*save)(json_t *doc, void *arg),
                  void *save_arg);

/* One repetition in this process (no fork): for demos and tests. */
int gb_runner_once(const struct gb_cell *cell, int demo, json_t **sample, char *why,
                   size_t why_len);

#endif
