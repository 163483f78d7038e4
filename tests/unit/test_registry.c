/*
 * test_registry.c - every in-tree model passes the load-time checks, names
 * are unique, and the checks reject what they should.
 */
#include <string.h>

#include "registry.h"
#include "workloads.h"
#include "tap.h"

static int dummy_init(void **s, struct gb_run *r)
{
	return 0;
}
static int dummy_run(void *s, struct gb_run *r)
{
	return 0;
}
static void dummy_fini(void *s)
{
}

int main(void)
{
	const struct gb_model_ops *const *m = gb_models();
	char why[256];
	enum gb_workload w;
	unsigned n = 0;

	for (; m[n]; n++) {
		ok(gb_model_check(m[n], why, sizeof(why)) == 0, "model %s passes checks",
		   m[n]->name);
		ok(gb_model_find(m[n]->name) == m[n], "model %s is found by name", m[n]->name);
		for (unsigned j = 0; j < n; j++)
			ok(strcmp(m[j]->name, m[n]->name) != 0, "%s and %s differ", m[j]->name,
			   m[n]->name);
	}
	ok(n >= 1, "at least one model (%u)", n);
	ok(gb_model_find("serial") != NULL, "serial is in-tree");
	ok(gb_model_find("nosuch") == NULL, "unknown model is not found");

	struct gb_model_ops bad = {.abi = GB_MODEL_ABI + 1,
	                           .name = "x",
	                           .summary = "x",
	                           .workloads = GB_WL_ALL,
	                           .init = dummy_init,
	                           .run = dummy_run,
	                           .fini = dummy_fini};
	ok(gb_model_check(&bad, why, sizeof(why)) != 0 && strstr(why, "ABI"), "wrong ABI: %s", why);
	bad.abi = GB_MODEL_ABI;
	ok(gb_model_check(&bad, why, sizeof(why)) == 0, "fixed ABI passes");
	bad.workloads = 0;
	ok(gb_model_check(&bad, why, sizeof(why)) != 0, "no workloads: %s", why);
	bad.workloads = GB_WL_ALL;
	bad.run = NULL;
	ok(gb_model_check(&bad, why, sizeof(why)) != 0, "no run: %s", why);

	for (unsigned i = 0; i < GB_WL__COUNT; i++)
		ok(gb_workload_parse(gb_workload_name((enum gb_workload)i), &w) == 0 && w == i,
		   "workload %s round-trips", gb_workload_name((enum gb_workload)i));
	ok(gb_workload_parse("nosuch", &w) != 0, "unknown workload refused");
	return gb_tap_done();
}
