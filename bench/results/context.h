/*
 * context.h - the "context" object of every output: host, CPU, kernel,
 * compiler, git sha, versions and the hwloc topology.
 */
#ifndef GB_CONTEXT_H
#define GB_CONTEXT_H

#include <jansson.h>

/* A new reference, or NULL on out of memory. */
json_t *gb_context_json(void);

#endif
