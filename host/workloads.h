/*
 * workloads.h - the workloads as task-program builders. Models never
 * re-implement a workload; they run these programs.
 */
#ifndef GB_WORKLOADS_H
#define GB_WORKLOADS_H

#include <gilbench/model.h>

#include "params.h"

/* The programs of one cell: progs[i] is task i's (programs may be shared). */
struct gb_workload_set {
	const struct gb_program **progs;
	unsigned ntasks;
	unsigned background; /* tasks flagged GB_PF_BACKGROUND */
	int needs_echo;      /* some program has an ECHO op */
	/* Owned storage behind progs. */
	struct gb_program *owned;
	struct gb_op *ops;
};

/* Builds the programs for p. 0 or -errno (-EINVAL with a reason in why). */
int gb_workload_build(const struct gb_params *p, struct gb_workload_set *out, char *why,
                      size_t why_len);
void gb_workload_free(struct gb_workload_set *ws);

/* Ideal wall time (s) of an io cell, for the overhead above it; 0 if n/a. */
double gb_workload_ideal_s(const struct gb_params *p);

/* A workload's name ("?" if none), and the workload a name means (-EINVAL). */
const char *gb_workload_name(enum gb_workload w);
int gb_workload_parse(const char *s, enum gb_workload *out);

#endif
