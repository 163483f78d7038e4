/*
 * test_pin.c - placement on hwloc synthetic topologies, so the answer does
 * not depend on the machine the test runs on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pin.h"
#include "tap.h"

static void order_is(const char *desc, enum gb_placement p, const char *allowed,
                     const unsigned *want, int nwant)
{
	struct gb_topo t;
	unsigned got[64];
	hwloc_bitmap_t set = NULL;
	char why[128], name[160];
	int n, same;

	snprintf(name, sizeof(name), "%s %s%s%s", desc, gb_placement_name(p),
	         allowed ? " cpus=" : "", allowed ? allowed : "");
	if (!ok(gb_topo_load(&t, desc) == 0, "load synthetic %s", desc))
		return;
	if (allowed) {
		set = hwloc_bitmap_alloc();
		ok(gb_cpus_parse(&t, allowed, set, why, sizeof(why)) == 0, "parse %s", allowed);
	}
	n = gb_placement_order(&t, p, set, got, 64);
	is_int(n, nwant, name);
	same = n == nwant;
	for (int i = 0; same && i < n; i++)
		same = got[i] == want[i];
	if (!ok(same, "%s: order", name)) {
		for (int i = 0; i < n; i++)
			printf("#   got[%d] = %u\n", i, got[i]);
	}
	hwloc_bitmap_free(set);
	gb_topo_free(&t);
}

/* CPU lists as sets: bound_cpus of two runs of one cell, compared. */
static void cpus_sets(void)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();

	ok(gb_cpus_list_equal("0-1", "0-1"), "0-1 is 0-1");
	ok(gb_cpus_list_equal("0-1", "0,1"), "0-1 is the set 0,1");
	ok(gb_cpus_list_equal("2,0-1", "0-2"), "2,0-1 is the set 0-2");
	ok(!gb_cpus_list_equal("0-1", "10-11"), "0-1 is not 10-11");
	ok(!gb_cpus_list_equal("10-11", "0-1"), "10-11 is not 0-1");
	ok(!gb_cpus_list_equal("1", "11"), "1 is not 11");
	ok(!gb_cpus_list_equal("0-1", "0-2"), "0-1 is not 0-2");
	ok(gb_cpus_list_equal("none", "none"), "a text that is no list equals itself");
	ok(!gb_cpus_list_equal("none", "0"), "none is not 0");
	ok(!gb_cpus_lists_have("10-11", "0-1"), "10-11 does not hold 0-1 (strstr would say so)");
	ok(!gb_cpus_lists_have("10-11;2", "1"), "10-11;2 does not hold 1");
	ok(gb_cpus_lists_have("10-11;0,1", "0-1"), "10-11;0,1 holds 0-1");
	ok(gb_cpus_lists_have("3;1", "1"), "3;1 holds 1");
	ok(!gb_cpus_lists_have(NULL, "1"), "nothing holds nothing");
	ok(set && gb_cpus_list_set("0-3,6", set) == 0 && hwloc_bitmap_weight(set) == 5,
	   "0-3,6 is five CPUs");
	ok(gb_cpus_list_set("", set) == -EINVAL, "an empty list is not a list");
	ok(gb_cpus_list_set("none", set) == -EINVAL, "none is not a list");
	ok(gb_cpus_list_set("3-", set) == -EINVAL, "an open range is not a list");
	hwloc_bitmap_free(set);
}

/* Placement orders and --cpus on a synthetic 2 x 4 x 2 machine. */
static void orders(void)
{
	struct gb_topo t;
	json_t *j;
	char why[256];
	hwloc_bitmap_t set;

	/* 2 packages x 4 cores x 2 PUs: PU os index = logical index. */
	const char *big = "pack:2 core:4 pu:2";
	const unsigned compact[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	/* Spread: first PU of core 0 of each package, then core 1..., then SMT siblings. */
	const unsigned spread[16] = {0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15};
	const unsigned spread_cpus[4] = {0, 2, 1, 3};

	order_is(big, GB_PLACE_COMPACT, NULL, compact, 16);
	order_is(big, GB_PLACE_SPREAD, NULL, spread, 16);
	order_is(big, GB_PLACE_SPREAD, "0-3", spread_cpus, 4);
	order_is(big, GB_PLACE_COMPACT, "5,9", (const unsigned[]){5, 9}, 2);
	order_is("core:2 pu:1", GB_PLACE_SPREAD, NULL, (const unsigned[]){0, 1}, 2);
	order_is("core:2 pu:1", GB_PLACE_COMPACT, "1", (const unsigned[]){1}, 1);

	ok(gb_topo_load(&t, big) == 0, "load %s", big);
	j = gb_topo_json(&t);
	is_int(json_integer_value(json_object_get(j, "packages")), 2, "topology packages");
	is_int(json_integer_value(json_object_get(j, "cores")), 8, "topology cores");
	is_int(json_integer_value(json_object_get(j, "pus")), 16, "topology pus");
	ok(json_is_array(json_object_get(j, "caches")), "topology caches is an array");
	json_decref(j);

	set = hwloc_bitmap_alloc();
	ok(gb_cpus_parse(&t, "99", set, why, sizeof(why)) == -EINVAL && strstr(why, "CPU 99"),
	   "--cpus 99 refused: %s", why);
	ok(gb_cpus_parse(&t, "abc", set, why, sizeof(why)) == -EINVAL, "--cpus abc refused");
	ok(gb_cpus_parse(&t, "", set, why, sizeof(why)) == -EINVAL, "--cpus '' refused");
	ok(gb_cpus_parse(&t, "0-3,15", set, why, sizeof(why)) == 0 && hwloc_bitmap_weight(set) == 5,
	   "--cpus 0-3,15 gives 5 CPUs");
	hwloc_bitmap_free(set);
	gb_topo_free(&t);
}

/* NUMA nodes and caches with sizes, as context.topology records them. */
static void caches(void)
{
	struct gb_topo t;
	json_t *j;

	const char *mem = "pack:2 [numa(memory=1073741824)] l3:1(size=33554432) core:4 "
	                  "l2:1(size=1048576) l1d:1(size=49152) pu:2";
	if (ok(gb_topo_load(&t, mem) == 0, "load %s", mem)) {
		json_t *caches;
		int seen[4] = {0};

		j = gb_topo_json(&t);
		is_int(json_integer_value(json_object_get(j, "numa_nodes")), 2,
		       "topology numa_nodes");
		caches = json_object_get(j, "caches");
		for (size_t i = 0; i < json_array_size(caches); i++) {
			json_t *c = json_array_get(caches, i);
			int level = (int)json_integer_value(json_object_get(c, "level"));
			long long kib = json_integer_value(json_object_get(c, "size_kib"));
			long long count = json_integer_value(json_object_get(c, "count"));
			const char *type = json_string_value(json_object_get(c, "type"));

			if (level == 1 && kib == 48 && count == 8 && type && !strcmp(type, "data"))
				seen[1]++;
			if (level == 2 && kib == 1024 && count == 8 && type &&
			    !strcmp(type, "unified"))
				seen[2]++;
			if (level == 3 && kib == 32768 && count == 2 && type &&
			    !strcmp(type, "unified"))
				seen[3]++;
		}
		ok(seen[1] == 1, "caches: L1d 48 KiB x8");
		ok(seen[2] == 1, "caches: L2 1024 KiB x8");
		ok(seen[3] == 1, "caches: L3 32768 KiB x2");
		is_int((int)json_array_size(caches), 3, "caches: one entry per level and type");
		json_decref(j);
		gb_topo_free(&t);
	}
}

/* none, and binding on the real machine. */
static void machine(void)
{
	/* none binds nothing but still reports the PUs a task may run on. */
	order_is("core:2 pu:2", GB_PLACE_NONE, NULL, (const unsigned[]){0, 1, 2, 3}, 4);

	/* The real machine: binding to the first PU of the plan is obtained. */
	struct gb_topo *m = gb_topo_machine();
	unsigned order[1024];
	char got[64];
	ok(m != NULL, "machine topology loads");
	if (m) {
		int n = gb_placement_order(m, GB_PLACE_COMPACT, NULL, order, 1024);
		ok(n >= 1, "machine has PUs to place on (%d)", n);
		ok(gb_bind_self(m, (int)order[0], 0, got, sizeof(got)) == 0, "bind thread");
		char want[16];
		snprintf(want, sizeof(want), "%u", order[0]);
		ok(strcmp(got, want) == 0, "binding obtained is PU %s (got %s)", want, got);
		/* Under none (-1) nothing is bound: the binding read back is unchanged. */
		ok(gb_bind_self(m, -1, 0, got, sizeof(got)) == 0 && strcmp(got, want) == 0,
		   "placement none leaves the binding alone (got %s)", got);
	}
}

int main(void)
{
	cpus_sets();
	orders();
	caches();
	machine();
	return gb_tap_done();
}
