/*
 * cmd_list.c - `gilbench list [--format json]`: the models, workloads and GIL
 * policies this build (and any --plugin) knows; with --json also the
 * parameters of host/params.def, so that tools read them, not copy them.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "suggest.h"
#include "metrics.h"
#include "params.h"
#include "registry.h"
#include "workloads.h"
#include "results_io.h"

/* A number of row pi as its JSON values are: integers, or reals. */
static json_t *list_num(const struct gb_param_info *pi, double v)
{
	if (pi->type == GB_PT_UINT || pi->type == GB_PT_SIZE)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* A row's default: a string for enums and strings, else a number. */
static json_t *list_default(const struct gb_param_info *pi, int quick)
{
	if (pi->type == GB_PT_ENUM || pi->type == GB_PT_STRING)
		return pi->sdef ? json_string(pi->sdef) : json_null();
	return list_num(pi, quick ? pi->quick_def : pi->def);
}

/*
 * host/params.def as data, for tools (scripts/cpython) that must not keep
 * a copy: each parameter's key, option, type, range, defaults, roles.
 */
static json_t *list_params(void)
{
	static const char *const types[] = {"uint", "real", "seconds", "size", "enum", "string"};
	const struct gb_param_info *t = gb_params_table();
	json_t *arr = json_array();

	for (unsigned i = 0; arr && i < GB_PARAM__COUNT; i++) {
		const struct gb_param_info *pi = &t[i];
		int numeric = pi->type != GB_PT_ENUM && pi->type != GB_PT_STRING;
		json_t *wl = json_array(), *names = json_array();
		const char *const *en = gb_param_enum_names(pi);
		char opt[64] = "";

		for (unsigned w = 0; w < GB_WL__COUNT; w++)
			if (pi->workloads & GB_WL_BIT(w))
				json_array_append_new(
				        wl, json_string(gb_workload_name((enum gb_workload)w)));
		for (unsigned k = 0; en && en[k]; k++)
			json_array_append_new(names, json_string(en[k]));
		if (pi->option)
			snprintf(opt, sizeof(opt), "--%s", pi->option);
		json_array_append_new(
		        arr,
		        json_pack("{s:s, s:o, s:s, s:b, s:s, s:o, s:o, s:o, s:o, s:b, s:b, s:b, "
		                  "s:b, s:o, s:o, s:s}",
		                  "key", pi->key, "option", opt[0] ? json_string(opt) : json_null(),
		                  "type", types[pi->type], "list", !!(pi->flags & GB_PAR_LIST),
		                  "unit", pi->unit, "default", list_default(pi, 0), "quick_default",
		                  list_default(pi, 1), "min",
		                  numeric ? list_num(pi, pi->min) : json_null(), "max",
		                  numeric ? list_num(pi, pi->max) : json_null(), "max_open",
		                  !!(pi->flags & GB_PAR_MAX_OPEN), "identity",
		                  !(pi->flags & GB_PAR_VOLATILE), "work",
		                  !!(pi->flags & GB_PAR_WORK), "simulator_only",
		                  !!(pi->flags & GB_PAR_SIM), "workloads", wl, "names", names,
		                  "help", pi->help));
	}
	return arr;
}

static json_t *list_json(void)
{
	const struct gb_model_ops *const *models = gb_models();
	json_t *jm = json_array(), *jw = json_array(), *jg = json_array();

	for (unsigned i = 0; models[i]; i++) {
		json_t *wl = json_array();
		for (unsigned w = 0; w < GB_WL__COUNT; w++)
			if (models[i]->workloads & GB_WL_BIT(w))
				json_array_append_new(
				        wl, json_string(gb_workload_name((enum gb_workload)w)));
		json_array_append_new(jm,
		                      json_pack("{s:s, s:s, s:o}", "name", models[i]->name,
		                                "summary", models[i]->summary, "workloads", wl));
	}
	for (unsigned w = 0; w < GB_WL__COUNT; w++)
		json_array_append_new(jw, json_string(gb_workload_name((enum gb_workload)w)));
	const struct gb_gil_policy *g;
	for (size_t i = 0; (g = gb_gil_policy_at(i)); i++)
		json_array_append_new(jg, json_pack("{s:s, s:s}", "name", g->name, "summary",
		                                    g->summary ? g->summary : ""));
	return json_pack("{s:o, s:o, s:o, s:o}", "models", jm, "workloads", jw, "gil_policies", jg,
	                 "params", list_params());
}

/* The options, for "did you mean" (parsed by hand: --plugin must come first). */
static const struct option list_opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},
        {"plugin", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

int gb_cmd_list(int argc, char **argv)
{
	const struct gb_model_ops *const *models;
	int as_json = 0;

	for (int i = 1; i < argc; i++) {
		const char *fmt = NULL;

		if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0)
			fmt = i + 1 < argc ? argv[++i] : "";
		else if (strncmp(argv[i], "--format=", 9) == 0)
			fmt = argv[i] + 9;
		if (fmt) {
			if (strcmp(fmt, "json") != 0 && strcmp(fmt, "text") != 0) {
				gb_err("list", "--format: '%s' is not text or json", fmt);
				return 1;
			}
			as_json = strcmp(fmt, "json") == 0;
		} else if (strcmp(argv[i], "--json") == 0) { /* the older spelling */
			as_json = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: gilbench list [--format text|json] [--plugin PATH.so]\n\n"
			       "Lists the models, workloads and GIL policies.\n\n"
			       "  -f, --format F    text (default) or json: also the parameters "
			       "and\n"
			       "                    metrics tables, machine-readable (--json: the "
			       "same)\n"
			       "  --plugin PATH.so  load an external model or GIL policy first\n");
			return 0;
		} else if (strcmp(argv[i], "--plugin") == 0 && i + 1 < argc) {
			if (gb_plugin_load(argv[++i]) != 0)
				return 1;
		} else {
			char hint[96];

			gb_err("list", "unknown option '%s'%s", argv[i],
			       gb_suggest_option_hint(hint, sizeof(hint), argv[i], list_opts,
			                              NULL));
			return 1;
		}
	}
	if (as_json) {
		json_t *doc = list_json();
		json_object_set_new(doc, "metrics", gb_metrics_json()); /* metrics.c */
		int rc = doc && gb_json_write_atomic("-", doc) == 0 ? 0 : 1;
		json_decref(doc);
		return rc;
	}
	models = gb_models();
	printf("models:\n");
	for (unsigned i = 0; models[i]; i++) {
		printf("  %-10s %s  [", models[i]->name, models[i]->summary);
		for (unsigned w = 0, first = 1; w < GB_WL__COUNT; w++) {
			if (!(models[i]->workloads & GB_WL_BIT(w)))
				continue;
			printf("%s%s", first ? "" : " ", gb_workload_name((enum gb_workload)w));
			first = 0;
		}
		printf("]\n");
	}
	printf("workloads:\n");
	for (unsigned w = 0; w < GB_WL__COUNT; w++)
		printf("  %s\n", gb_workload_name((enum gb_workload)w));
	printf("gil policies:\n");
	const struct gb_gil_policy *g;
	for (size_t i = 0; (g = gb_gil_policy_at(i)); i++)
		printf("  %-10s %s\n", g->name, g->summary ? g->summary : "");
	return 0;
}
