/*
 * identity.c - the identity of a result cell (gb_cell_same, and gb_cell_id
 * as its hash key) and the merge of cells that share one. Every reader
 * that needs one entry per cell (compare, export, fidelity, plot) calls
 * gb_results_merge_duplicates() on what it loaded. It does not read files
 * (results_io.c) and does not compute statistics itself (report_json.c
 * recomputes the merged cell's metrics and speedups).
 */
#include "identity.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "pin.h"
#include "report_json.h"
#include "status.h"

int gb_param_is_volatile(const char *key)
{
	const struct gb_param_info *pi = gb_param_find(key);

	return pi && (pi->flags & GB_PAR_VOLATILE);
}

int gb_param_is_simulator_only(const char *key)
{
	const struct gb_param_info *pi = gb_param_find(key);

	return pi && (pi->flags & (GB_PAR_VOLATILE | GB_PAR_SIM));
}

/* Reals written by different programs (C's %.10g, Python's repr) are equal
 * when they agree to 1e-9; an integer and a real of one value too. */
static int id_value_eq(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);

		return fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
	}
	return json_equal(a, b);
}

static int id_same_work(json_t *pa, json_t *pb, int any_tasks)
{
	const struct gb_param_info *t = gb_params_table();

	for (unsigned i = 0; i < GB_PARAM__COUNT; i++) {
		json_t *a, *b;

		if (!(t[i].flags & GB_PAR_WORK) || (any_tasks && t[i].id == GB_PARAM_TASKS))
			continue;
		a = json_object_get(pa, t[i].key);
		b = json_object_get(pb, t[i].key);
		if ((a || b) && !id_value_eq(a, b))
			return 0;
	}
	return 1;
}

int gb_params_same_work(json_t *pa, json_t *pb)
{
	return id_same_work(pa, pb, 0);
}

int gb_params_same_work_any_tasks(json_t *pa, json_t *pb)
{
	return id_same_work(pa, pb, 1);
}

/* The first two rows of params.def lead a label: tasks, then gil. */
static int id_label_rank(const char *key)
{
	const struct gb_param_info *pi = gb_param_find(key);

	return pi && pi->id == GB_PARAM_TASKS ? 0 : pi && pi->id == GB_PARAM_GIL ? 1 : 2;
}

int gb_param_label_order(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	int ra = id_label_rank(a), rb = id_label_rank(b);

	return ra != rb ? ra - rb : strcmp(a, b);
}

void gb_param_put_value(FILE *f, json_t *v)
{
	if (json_is_string(v)) {
		fputs(json_string_value(v), f);
	} else if (json_is_integer(v)) {
		fprintf(f, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		fprintf(f, "%.15g", json_real_value(v));
	} else {
		char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

		fputs(s ? s : "?", f);
		free(s);
	}
}

json_t *gb_cell_ident_params(json_t *cell)
{
	json_t *out = json_object(), *v;
	const char *key;

	if (!out)
		return NULL;
	json_object_foreach(json_object_get(cell, "params"), key, v)
	{
		if (!gb_param_is_volatile(key) && json_object_set(out, key, v)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

static int id_str_eq(json_t *a, json_t *b, const char *key)
{
	const char *x = json_string_value(json_object_get(a, key));
	const char *y = json_string_value(json_object_get(b, key));

	return x && y && strcmp(x, y) == 0;
}

int gb_cell_same(json_t *a, json_t *b)
{
	json_t *pa = json_object_get(a, "params"), *pb = json_object_get(b, "params"), *v;
	const char *key;

	if (!id_str_eq(a, b, "model") || !id_str_eq(a, b, "workload"))
		return 0;
	/* Every identity key of one side has an equal value on the other. */
	json_object_foreach(pa, key, v)
	{
		if (!gb_param_is_volatile(key) && !json_equal(v, json_object_get(pb, key)))
			return 0;
	}
	json_object_foreach(pb, key, v)
	{
		if (!gb_param_is_volatile(key) && !json_object_get(pa, key))
			return 0;
	}
	return 1;
}

char *gb_cell_id(json_t *cell)
{
	json_t *params = gb_cell_ident_params(cell);
	char *p, *id = NULL;

	if (!params)
		return NULL;
	/* Sorted keys and 17 significant digits: equal text exactly when the
	 * values are json_equal (two zeros of other signs aside). */
	p = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	json_decref(params);
	if (!p)
		return NULL;
	if (asprintf(&id, "%s\x1f%s\x1f%s", json_string_value(json_object_get(cell, "model")),
	             json_string_value(json_object_get(cell, "workload")), p) < 0)
		id = NULL;
	free(p);
	return id;
}

/* Appends every samples array of `from` to those of `into`. */
static int id_concat_samples(json_t *into, json_t *from)
{
	json_t *dst = json_object_get(into, "samples"), *arr;
	const char *key;

	if (!json_is_object(dst)) {
		dst = json_object();
		if (!dst || json_object_set_new(into, "samples", dst))
			return -ENOMEM;
	}
	json_object_foreach(json_object_get(from, "samples"), key, arr)
	{
		json_t *d = json_object_get(dst, key);

		if (!json_is_array(arr))
			continue;
		if (!json_is_array(d)) {
			if (json_object_set(dst, key, arr))
				return -ENOMEM;
			continue;
		}
		if (json_array_extend(d, arr))
			return -ENOMEM;
	}
	return 0;
}

/* bound_cpus of every merged cell, distinct values joined by ';'. */
static int id_join_bound(json_t *params, json_t *from)
{
	const char *have = json_string_value(json_object_get(params, "bound_cpus"));
	const char *add =
	        json_string_value(json_object_get(json_object_get(from, "params"), "bound_cpus"));
	char *joined;
	int err;

	if (!add || gb_cpus_lists_have(have, add))
		return 0;
	if (!have)
		return json_object_set_new(params, "bound_cpus", json_string(add)) ? -ENOMEM : 0;
	if (asprintf(&joined, "%s;%s", have, add) < 0)
		return -ENOMEM;
	err = json_object_set_new(params, "bound_cpus", json_string(joined)) ? -ENOMEM : 0;
	free(joined);
	return err;
}

/* The cell that replaces group[0..n) (indices into results, ascending). */
static json_t *id_merge_group(json_t *results, const size_t *group, size_t n)
{
	json_t *merged = NULL, *from = json_array(), *notes = json_array(), *params, *w;
	size_t i;

	if (!from || !notes)
		goto fail;
	for (i = 0; i < n; i++) {
		json_t *c = json_array_get(results, group[i]);
		char note[512];

		if (!gb_cell_is_ok(c)) {
			const char *err = json_string_value(json_object_get(c, "error"));

			snprintf(note, sizeof(note),
			         "results[%zu] is the same cell with status %s%s%s; left out of "
			         "the merge",
			         group[i], json_string_value(json_object_get(c, "status")),
			         err ? ": " : "", err ? err : "");
			if (json_array_append_new(notes, json_string(note)))
				goto fail;
			continue;
		}
		if (json_array_append_new(from, json_integer((json_int_t)group[i])))
			goto fail;
		if (!merged) {
			merged = json_deep_copy(c);
			if (!merged)
				goto fail;
			continue;
		}
		if (id_concat_samples(merged, c) ||
		    id_join_bound(json_object_get(merged, "params"), c))
			goto fail;
	}
	if (!merged) {
		/* None ran: the first stands for the group, as it did in the file. */
		json_decref(from);
		json_decref(notes);
		return json_incref(json_array_get(results, group[0]));
	}
	params = json_object_get(merged, "params");
	w = json_object_get(json_object_get(merged, "samples"), "wall_s");
	if (json_is_object(params) && json_is_array(w) &&
	    json_object_set_new(params, "reps", json_integer((json_int_t)json_array_size(w))))
		goto fail;
	if (json_object_set_new(merged, "merged_from", from)) {
		from = NULL;
		goto fail;
	}
	from = NULL;
	gb_report_metrics(merged);
	if (json_array_size(notes)) {
		json_t *warn = json_object_get(merged, "warnings");

		if (!warn) {
			warn = json_array();
			if (!warn || json_object_set_new(merged, "warnings", warn))
				goto fail;
		}
		if (json_array_extend(warn, notes))
			goto fail;
	}
	json_decref(notes);
	return merged;
fail:
	json_decref(merged);
	json_decref(from);
	json_decref(notes);
	return NULL;
}

int gb_results_merge_duplicates(json_t *doc, size_t *merged)
{
	json_t *results = json_object_get(doc, "results"), *out = NULL, *seen = NULL;
	size_t n = json_array_size(results), *next = NULL, *group = NULL, removed = 0;
	char *taken = NULL;
	unsigned cpus;
	int err = -ENOMEM;

	*merged = 0;
	if (n < 2)
		return 0;
	taken = calloc(n, 1);
	next = malloc(n * sizeof(*next));
	group = malloc(n * sizeof(*group));
	seen = json_object(); /* cell id -> index of the group's last cell */
	out = json_array();
	if (!taken || !next || !group || !seen || !out)
		goto out;
	/* Chain each cell to the next of its identity: one pass, hashed ids. */
	for (size_t i = 0; i < n; i++) {
		char *id = gb_cell_id(json_array_get(results, i));
		json_t *last;

		if (!id)
			goto out;
		next[i] = SIZE_MAX;
		last = json_object_get(seen, id);
		if (last)
			next[json_integer_value(last)] = i;
		if (json_object_set_new(seen, id, json_integer((json_int_t)i))) {
			free(id);
			goto out;
		}
		free(id);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(results, i), *m;
		size_t ng = 0;

		if (taken[i])
			continue;
		for (size_t j = i; j != SIZE_MAX; j = next[j]) {
			taken[j] = 1;
			group[ng++] = j;
		}
		m = ng == 1 ? json_incref(c) : id_merge_group(results, group, ng);
		if (!m || json_array_append_new(out, m))
			goto out;
		removed += ng - 1;
	}
	if (removed) {
		if (json_object_set(doc, "results", out))
			goto out;
		/* Speedups of merged cells, and of cells whose serial was merged. */
		cpus = (unsigned)json_integer_value(json_object_get(
		        json_object_get(json_object_get(doc, "context"), "topology"), "pus"));
		gb_report_speedups(doc, cpus ? cpus : 1);
	}
	*merged = removed;
	err = 0;
out:
	json_decref(out);
	json_decref(seen);
	free(group);
	free(next);
	free(taken);
	return err;
}
