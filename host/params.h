/*
 * params.h - the table of a cell's parameters, made of params.def: each
 * one's JSON key, CLI option, type, range, defaults, unit, role and help.
 * Every reader of parameters (the CLI, the JSON writer, identity, "same
 * work", the progress line, `gilbench list --json`) iterates this table
 * rather than naming parameters itself.
 */
#ifndef GB_PARAMS_H
#define GB_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include <gilbench/model.h>

enum gb_param_type {
	GB_PT_UINT,    /* an unsigned integer */
	GB_PT_REAL,    /* a finite real */
	GB_PT_SECONDS, /* a real number of seconds on the CLI and in JSON, ns in the struct */
	GB_PT_SIZE,    /* bytes, with an optional K/M/G suffix on the CLI */
	GB_PT_ENUM,    /* one of a few names (io, placement) */
	GB_PT_STRING,  /* a name or list whose values another module checks */
};

enum gb_param_flags {
	GB_PAR_LIST = 1u << 0,     /* a comma list on the CLI: a matrix dimension */
	GB_PAR_VOLATILE = 1u << 1, /* how a cell ran, not which cell: not identity */
	GB_PAR_WORK = 1u << 2,     /* defines the work done: the "same work" keys */
	GB_PAR_SIM = 1u << 3,      /* the simulator's own knob: no CPython counterpart */
	GB_PAR_MAX_OPEN = 1u << 4, /* max itself is refused */
};

/* Where `run --help` shows the option. */
enum gb_param_group { GB_PG_MATRIX, GB_PG_KNOB, GB_PG_MEASURE, GB_PG_NONE };

enum gb_param_id {
#define GB_PARAM(id, ...)   GB_PARAM_##id,
#define GB_PARAM_X(id, ...) GB_PARAM_##id,
#include "params.def"
#undef GB_PARAM
#undef GB_PARAM_X
	GB_PARAM__COUNT
};

#define GB_PARAM_NO_FIELD ((size_t)-1)

struct gb_param_info {
	enum gb_param_id id;
	const char *key;    /* in a result cell's "params" */
	const char *option; /* long option without "--", or NULL */
	int short_opt;      /* 0: none */
	enum gb_param_type type;
	unsigned flags; /* enum gb_param_flags */
	enum gb_param_group group;
	double min, max;       /* accepted range (numbers) */
	double def, quick_def; /* numeric defaults (not of enums: sdef) */
	const char *sdef;      /* string default (enum and string types), or NULL */
	const char *unit;      /* "" if none */
	unsigned workloads;    /* GB_WL_BIT mask of the workloads that use it */
	const char *label;     /* the progress line's name */
	const char *arg;       /* the option's argument in --help */
	const char *what;      /* "a task count": the refusal's noun */
	const char *help;      /* --help text; %D the default, %R the range */
	size_t offset, size;   /* the field of struct gb_params, or GB_PARAM_NO_FIELD */
};

/* The table, in params.def order (GB_PARAM__COUNT rows). */
const struct gb_param_info *gb_params_table(void);
const struct gb_param_info *gb_param_at(enum gb_param_id id);
/* The row of a JSON key, or NULL. */
const struct gb_param_info *gb_param_find(const char *key);

/* The names an enum parameter takes, NULL-terminated (NULL for other types),
 * and the value a name means (-1: none). The default is sdef's value. */
const char *const *gb_param_enum_names(const struct gb_param_info *pi);
int gb_param_enum_index(const struct gb_param_info *pi, const char *name);

/*
 * A numeric field of p as the JSON shows it (seconds for GB_PT_SECONDS, the
 * index for an enum), and setting it from that value. Only for rows with a
 * field of a numeric or enum type.
 */
double gb_param_get(const struct gb_params *p, const struct gb_param_info *pi);
void gb_param_set(struct gb_params *p, const struct gb_param_info *pi, double v);

/* Defaults (full and --quick) for every field of struct gb_params. */
void gb_params_defaults(struct gb_params *p, int quick);

/*
 * A number as --help and refusals show it: integers in full, reals without
 * an exponent (0.00005), sizes of whole K/M/G with their suffix if `size`.
 */
void gb_param_fmt_num(char *buf, size_t len, double v, int size);

#endif
