/*
 * status.c - a cell's status between its enum and its result-file word.
 * The list is status.def; this file does not decide what a status means
 * for an exit code (runner.c and the cmd_ fronts do).
 */
#include "status.h"

#include <stddef.h>
#include <string.h>

static const char *const status_names[] = {
#define X(name, json) [GB_CELL_##name] = json,
#include "status.def"
#undef X
};

const char *gb_cell_status_name(enum gb_cell_status st)
{
	if ((size_t)st >= sizeof(status_names) / sizeof(status_names[0]))
		return "unknown";
	return status_names[st];
}

enum gb_cell_status gb_cell_status_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum gb_cell_status)i;
	return GB_CELL_UNKNOWN;
}

enum gb_cell_status gb_cell_status(json_t *cell)
{
	return gb_cell_status_parse(json_string_value(json_object_get(cell, "status")));
}

int gb_cell_is_ok(json_t *cell)
{
	return gb_cell_status(cell) == GB_CELL_OK;
}
