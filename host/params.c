/*
 * params.c - the table of params.def, and the defaults, field access and
 * number formatting every reader of it shares. It parses nothing typed by
 * a user (bench/run/options.c does) and writes no JSON (report_json.c).
 */
#include "params.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <gilbench/coro.h>

#include "pin.h"

/* Filled once, on first use: a range may be a function's answer (the stack
 * size's), and the placement names are pin.c's. */
static struct gb_param_info params_tab[GB_PARAM__COUNT];
static const char *params_placement[GB_PLACE_NONE + 2];
static pthread_once_t params_once = PTHREAD_ONCE_INIT;

static void params_init(void)
{
	unsigned i = 0;

	/* A row stored outside struct gb_params; one inside is that, plus its field. */
#define GB_PARAM_X(id, ...)                                                                        \
	params_tab[i++] = (struct gb_param_info){GB_PARAM_##id, __VA_ARGS__, GB_PARAM_NO_FIELD, 0};
#define GB_PARAM(id, key, lopt, sopt, type, flags, group, min, max, def, quick, sdef, unit, wl,    \
                 label, arg, what, help, field)                                                    \
	GB_PARAM_X(id, key, lopt, sopt, type, flags, group, min, max, def, quick, sdef, unit, wl,  \
	           label, arg, what, help)                                                         \
	params_tab[i - 1].offset = offsetof(struct gb_params, field);                              \
	params_tab[i - 1].size = sizeof(((struct gb_params *)0)->field);
#include "params.def"
#undef GB_PARAM
#undef GB_PARAM_X
	for (int k = 0; k <= GB_PLACE_NONE; k++)
		params_placement[k] = gb_placement_name((enum gb_placement)k);
}

const struct gb_param_info *gb_params_table(void)
{
	pthread_once(&params_once, params_init);
	return params_tab;
}

const struct gb_param_info *gb_param_at(enum gb_param_id id)
{
	return (unsigned)id < GB_PARAM__COUNT ? &gb_params_table()[id] : NULL;
}

const struct gb_param_info *gb_param_find(const char *key)
{
	const struct gb_param_info *t = gb_params_table();

	for (unsigned i = 0; i < GB_PARAM__COUNT; i++)
		if (strcmp(t[i].key, key) == 0)
			return &t[i];
	return NULL;
}

const char *const *gb_param_enum_names(const struct gb_param_info *pi)
{
	/* In the order of enum gb_io_kind; placement's are pin.c's. */
	static const char *const io[] = {"sleep", "echo", NULL};

	gb_params_table();
	if (pi->id == GB_PARAM_IO)
		return io;
	if (pi->id == GB_PARAM_PLACEMENT)
		return params_placement;
	return NULL;
}

int gb_param_enum_index(const struct gb_param_info *pi, const char *name)
{
	const char *const *names = gb_param_enum_names(pi);

	for (int i = 0; names && names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

double gb_param_get(const struct gb_params *p, const struct gb_param_info *pi)
{
	const char *f = (const char *)p + pi->offset;

	switch (pi->type) {
	case GB_PT_REAL: {
		double d;
		memcpy(&d, f, sizeof(d));
		return d;
	}
	case GB_PT_SECONDS: {
		uint64_t ns;
		memcpy(&ns, f, sizeof(ns));
		return (double)ns * 1e-9;
	}
	case GB_PT_ENUM: {
		int e; /* an enum's storage: int on every ABI gilbench builds for */
		memcpy(&e, f, sizeof(e));
		return (double)e;
	}
	default:
		break;
	}
	if (pi->size == sizeof(uint64_t)) {
		uint64_t u;
		memcpy(&u, f, sizeof(u));
		return (double)u;
	}
	unsigned u;
	memcpy(&u, f, sizeof(u));
	return (double)u;
}

void gb_param_set(struct gb_params *p, const struct gb_param_info *pi, double v)
{
	char *f = (char *)p + pi->offset;

	switch (pi->type) {
	case GB_PT_REAL:
		memcpy(f, &v, sizeof(v));
		return;
	case GB_PT_SECONDS: {
		uint64_t ns = (uint64_t)(v * 1e9 + 0.5);
		memcpy(f, &ns, sizeof(ns));
		return;
	}
	case GB_PT_ENUM: {
		int e = (int)v;
		memcpy(f, &e, sizeof(e));
		return;
	}
	default:
		break;
	}
	if (pi->size == sizeof(uint64_t)) {
		uint64_t u = (uint64_t)v;
		memcpy(f, &u, sizeof(u));
	} else {
		unsigned u = (unsigned)v;
		memcpy(f, &u, sizeof(u));
	}
}

void gb_params_defaults(struct gb_params *p, int quick)
{
	const struct gb_param_info *t = gb_params_table();

	_Static_assert(sizeof(enum gb_io_kind) == sizeof(int), "gb_param_get reads enums as int");
	_Static_assert(sizeof(size_t) == sizeof(uint64_t), "gb_param_get reads size_t as 64 bits");
	memset(p, 0, sizeof(*p));
	p->workload = GB_WL_SEED;
	for (unsigned i = 0; i < GB_PARAM__COUNT; i++) {
		if (t[i].offset == GB_PARAM_NO_FIELD)
			continue;
		if (t[i].type == GB_PT_STRING)
			memcpy((char *)p + t[i].offset, &t[i].sdef, sizeof(t[i].sdef));
		else if (t[i].type == GB_PT_ENUM)
			gb_param_set(p, &t[i], gb_param_enum_index(&t[i], t[i].sdef));
		else
			gb_param_set(p, &t[i], quick ? t[i].quick_def : t[i].def);
	}
}

void gb_param_fmt_num(char *buf, size_t len, double v, int size)
{
	static const char suffix[] = "KMG";

	if (size && v >= 1024) {
		double u = v;
		int k = -1;

		while (k < 2 && fmod(u, 1024) == 0 && u >= 1024) {
			u /= 1024;
			k++;
		}
		if (k >= 0) {
			snprintf(buf, len, "%.0f%c", u, suffix[k]);
			return;
		}
	}
	if (v == floor(v) && fabs(v) < 1e17) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	/* Enough decimals for the value, none trailing: 0.00005, not 5e-05. */
	snprintf(buf, len, "%.12f", v);
	for (char *e = buf + strlen(buf) - 1; e > buf && *e == '0'; e--)
		*e = '\0';
}
