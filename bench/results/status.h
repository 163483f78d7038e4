/*
 * status.h - a result cell's status as an enum (status.def), and its
 * spelling in the result file.
 */
#ifndef GB_STATUS_H
#define GB_STATUS_H

#include <jansson.h>

enum gb_cell_status {
#define X(name, json) GB_CELL_##name,
#include "status.def"
#undef X
	GB_CELL_UNKNOWN /* no status, or a word status.def does not list */
};

/* "ok", "failed", ...; "unknown" for GB_CELL_UNKNOWN. */
const char *gb_cell_status_name(enum gb_cell_status st);

/* The status spelled s; GB_CELL_UNKNOWN for NULL or another word. */
enum gb_cell_status gb_cell_status_parse(const char *s);

/* The status of a result cell (its "status" key). */
enum gb_cell_status gb_cell_status(json_t *cell);

/* 1 when the cell's status is ok. */
int gb_cell_is_ok(json_t *cell);

#endif
