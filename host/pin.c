/*
 * pin.c - hwloc topology, placement order and binding. This file is the
 * only user of hwloc: models reach binding through gb_run_pin(). It does
 * not decide which task gets which slot (run.c does: task i -> slot i).
 */
#include "pin.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gb_topo_load(struct gb_topo *t, const char *synthetic_desc)
{
	int err;

	memset(t, 0, sizeof(*t));
	if (hwloc_topology_init(&t->topo) != 0)
		return -ENOMEM;
	if (synthetic_desc) {
		if (hwloc_topology_set_synthetic(t->topo, synthetic_desc) != 0) {
			err = -EINVAL;
			goto fail_load;
		}
		t->synthetic = 1;
	}
	if (hwloc_topology_load(t->topo) != 0) {
		err = errno ? -errno : -EIO;
		goto fail_load;
	}
	return 0;

fail_load:
	hwloc_topology_destroy(t->topo);
	t->topo = NULL;
	return err;
}

void gb_topo_free(struct gb_topo *t)
{
	if (t->topo)
		hwloc_topology_destroy(t->topo);
	t->topo = NULL;
}

static pthread_once_t pin_once = PTHREAD_ONCE_INIT;
static struct gb_topo pin_machine;
static int pin_machine_ok;

static void pin_load_machine(void)
{
	pin_machine_ok = gb_topo_load(&pin_machine, NULL) == 0;
}

struct gb_topo *gb_topo_machine(void)
{
	pthread_once(&pin_once, pin_load_machine);
	return pin_machine_ok ? &pin_machine : NULL;
}

unsigned gb_topo_count(const struct gb_topo *t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t->topo, type);
	return n > 0 ? (unsigned)n : 0;
}

json_t *gb_topo_json(const struct gb_topo *t)
{
	static const hwloc_obj_type_t levels[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE,
	                                          HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE};
	json_t *caches = json_array();
	json_t *o;

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		/* One entry per (level, type) with the count of such caches. */
		hwloc_obj_cache_type_t kinds[] = {HWLOC_OBJ_CACHE_DATA, HWLOC_OBJ_CACHE_UNIFIED};
		for (size_t k = 0; k < 2; k++) {
			unsigned count = 0;
			hwloc_uint64_t size = 0;
			unsigned linesize = 0;
			hwloc_obj_t obj = NULL;
			while ((obj = hwloc_get_next_obj_by_type(t->topo, levels[i], obj))) {
				if (obj->attr->cache.type != kinds[k])
					continue;
				count++;
				size = obj->attr->cache.size;
				linesize = obj->attr->cache.linesize;
			}
			if (!count)
				continue;
			json_array_append_new(
			        caches,
			        json_pack("{s:i, s:s, s:I, s:i, s:i}", "level", (int)i + 1, "type",
			                  kinds[k] == HWLOC_OBJ_CACHE_DATA ? "data" : "unified",
			                  "size_kib", (json_int_t)(size / 1024), "line_bytes",
			                  (int)linesize, "count", (int)count));
		}
	}
	o = json_pack("{s:i, s:i, s:i, s:i, s:o}", "packages",
	              (int)gb_topo_count(t, HWLOC_OBJ_PACKAGE), "cores",
	              (int)gb_topo_count(t, HWLOC_OBJ_CORE), "pus",
	              (int)gb_topo_count(t, HWLOC_OBJ_PU), "numa_nodes",
	              (int)gb_topo_count(t, HWLOC_OBJ_NUMANODE), "caches", caches);
	return o;
}

int gb_placement_parse(const char *s, enum gb_placement *out)
{
	if (strcmp(s, "compact") == 0)
		*out = GB_PLACE_COMPACT;
	else if (strcmp(s, "spread") == 0)
		*out = GB_PLACE_SPREAD;
	else if (strcmp(s, "none") == 0)
		*out = GB_PLACE_NONE;
	else
		return -EINVAL;
	return 0;
}

const char *gb_placement_name(enum gb_placement p)
{
	switch (p) {
	case GB_PLACE_COMPACT:
		return "compact";
	case GB_PLACE_SPREAD:
		return "spread";
	case GB_PLACE_NONE:
		return "none";
	}
	return "?";
}

int gb_cpus_parse(const struct gb_topo *t, const char *list, hwloc_bitmap_t out, char *why,
                  size_t why_len)
{
	hwloc_const_bitmap_t all = hwloc_topology_get_topology_cpuset(t->topo);
	char *have = NULL;
	int id;

	/*
	 * hwloc's parser is lenient ("abc" gives an empty set, "-9" the index
	 * 2^32-9) and allocates up to the largest index it is given: check
	 * the syntax, and every index against the machine, before it runs.
	 */
	for (const char *p = list;; p++) {
		unsigned long lo, hi;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad_syntax;
		lo = hi = strtoul(p, &end, 10);
		p = end;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9')
				goto bad_syntax;
			hi = strtoul(p + 1, &end, 10);
			p = end;
			if (hi < lo)
				goto bad_syntax;
		}
		if (hi > (unsigned long)hwloc_bitmap_last(all)) {
			unsigned long first = lo > (unsigned long)hwloc_bitmap_last(all)
			                              ? lo
			                              : (unsigned long)hwloc_bitmap_last(all) + 1;
			hwloc_bitmap_list_asprintf(&have, all);
			snprintf(why, why_len, "CPU %lu does not exist on this machine (CPUs %s)",
			         first, have ? have : "?");
			free(have);
			return -EINVAL;
		}
		if (*p == '\0')
			break;
		if (*p != ',')
			goto bad_syntax;
	}
	if (gb_cpus_list_set(list, out) != 0) {
		snprintf(why, why_len, "'%s' is not a CPU list such as 0-3,6", list);
		return -EINVAL;
	}
	hwloc_bitmap_foreach_begin(id, out)
	{
		if (!hwloc_bitmap_isset(all, (unsigned)id)) {
			hwloc_bitmap_list_asprintf(&have, all);
			snprintf(why, why_len, "CPU %d does not exist on this machine (CPUs %s)",
			         id, have ? have : "?");
			free(have);
			return -EINVAL;
		}
	}
	hwloc_bitmap_foreach_end();
	return 0;

bad_syntax:
	snprintf(why, why_len, "'%s' is not a CPU list such as 0-3,6", list);
	return -EINVAL;
}

/* The cores in spread order: the j-th core of every package, then j+1. */
static unsigned pin_spread_cores(const struct gb_topo *t, hwloc_obj_t *cores, unsigned cap)
{
	unsigned npack = gb_topo_count(t, HWLOC_OBJ_PACKAGE);
	unsigned ncores = gb_topo_count(t, HWLOC_OBJ_CORE);
	unsigned n = 0;

	if (npack <= 1) {
		for (unsigned i = 0; i < ncores && n < cap; i++)
			cores[n++] = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_CORE, i);
		return n;
	}
	for (unsigned j = 0; n < ncores && n < cap; j++) {
		unsigned added = 0;
		for (unsigned p = 0; p < npack && n < cap; p++) {
			hwloc_obj_t pack = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PACKAGE, p);
			hwloc_obj_t c = hwloc_get_obj_inside_cpuset_by_type(t->topo, pack->cpuset,
			                                                    HWLOC_OBJ_CORE, j);
			if (c) {
				cores[n++] = c;
				added++;
			}
		}
		if (!added)
			break;
	}
	return n;
}

int gb_cpus_list_set(const char *list, hwloc_bitmap_t out)
{
	if (!list || !*list || hwloc_bitmap_list_sscanf(out, list) != 0)
		return -EINVAL;
	/* hwloc reads "x" as empty and an open "3-" as infinite: neither is a list. */
	if (hwloc_bitmap_iszero(out) || hwloc_bitmap_weight(out) < 0)
		return -EINVAL;
	return 0;
}

int gb_cpus_list_equal(const char *a, const char *b)
{
	hwloc_bitmap_t sa = hwloc_bitmap_alloc(), sb = hwloc_bitmap_alloc();
	int eq;

	if (sa && sb && gb_cpus_list_set(a, sa) == 0 && gb_cpus_list_set(b, sb) == 0)
		eq = hwloc_bitmap_isequal(sa, sb);
	else
		eq = a && b && strcmp(a, b) == 0;
	hwloc_bitmap_free(sa);
	hwloc_bitmap_free(sb);
	return eq;
}

int gb_cpus_lists_have(const char *joined, const char *list)
{
	char one[1024];

	while (joined && *joined) {
		size_t n = strcspn(joined, ";");

		if (n < sizeof(one)) {
			memcpy(one, joined, n);
			one[n] = '\0';
			if (gb_cpus_list_equal(one, list))
				return 1;
		}
		joined += n + (joined[n] == ';');
	}
	return 0;
}

int gb_placement_order(const struct gb_topo *t, enum gb_placement p, hwloc_const_bitmap_t allowed,
                       unsigned *os_index, unsigned cap)
{
	unsigned npu = gb_topo_count(t, HWLOC_OBJ_PU);
	unsigned n = 0;

	if (p != GB_PLACE_SPREAD || gb_topo_count(t, HWLOC_OBJ_CORE) == 0) {
		/* Compact (and none, for reporting): logical PU order fills a core first. */
		for (unsigned i = 0; i < npu && n < cap; i++) {
			hwloc_obj_t pu = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PU, i);
			if (!allowed || hwloc_bitmap_isset(allowed, pu->os_index))
				os_index[n++] = pu->os_index;
		}
	} else {
		unsigned ncores = gb_topo_count(t, HWLOC_OBJ_CORE);
		hwloc_obj_t *cores = calloc(ncores, sizeof(*cores));
		unsigned nc;

		if (!cores)
			return -ENOMEM;
		nc = pin_spread_cores(t, cores, ncores);
		/* Round r takes the r-th PU of every core: SMT siblings come last. */
		for (unsigned r = 0; n < cap; r++) {
			unsigned added = 0;
			for (unsigned c = 0; c < nc && n < cap; c++) {
				hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(
				        t->topo, cores[c]->cpuset, HWLOC_OBJ_PU, r);
				if (!pu)
					continue;
				added++;
				if (!allowed || hwloc_bitmap_isset(allowed, pu->os_index))
					os_index[n++] = pu->os_index;
			}
			if (!added)
				break;
		}
		free(cores);
	}
	return n ? (int)n : -EINVAL;
}

/* "0-3,6" from a cpu_set_t, into a caller's buffer: no allocation. */
static void pin_cpuset_list(const cpu_set_t *cs, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < CPU_SETSIZE && n < len; i++) {
		int j = i;

		if (!CPU_ISSET((size_t)i, cs))
			continue;
		while (j + 1 < CPU_SETSIZE && CPU_ISSET((size_t)j + 1, cs))
			j++;
		n += (size_t)snprintf(buf + n, len - n, j > i ? "%s%d-%d" : "%s%d", n ? "," : "", i,
		                      j);
		i = j;
	}
}

/*
 * A thread binds itself with pthread_setaffinity_np and a cpu_set_t on the
 * stack, not through hwloc: hwloc's Linux backend allocates a CPU set per
 * call and does not check it, so a cell out of memory (100000 threads
 * under RLIMIT_AS) crashed in it instead of failing with ENOMEM.
 */
static int pin_bind_thread(int pu_os_index, char *got, size_t got_len)
{
	cpu_set_t cs;
	int err;

	if (pu_os_index >= 0) {
		CPU_ZERO(&cs);
		CPU_SET((size_t)pu_os_index, &cs);
		err = pthread_setaffinity_np(pthread_self(), sizeof(cs), &cs);
		if (err)
			return -err;
	}
	if (got && got_len) {
		got[0] = '\0';
		if (pthread_getaffinity_np(pthread_self(), sizeof(cs), &cs) == 0)
			pin_cpuset_list(&cs, got, got_len);
	}
	return 0;
}

int gb_bind_self(const struct gb_topo *t, int pu_os_index, int process, char *got, size_t got_len)
{
	int flags = process ? HWLOC_CPUBIND_PROCESS : HWLOC_CPUBIND_THREAD;
	hwloc_bitmap_t set;
	char *s = NULL;
	int err = 0;

	if (!process && pu_os_index < CPU_SETSIZE)
		return pin_bind_thread(pu_os_index, got, got_len);
	set = hwloc_bitmap_alloc();
	if (!set)
		return -ENOMEM;
	if (pu_os_index >= 0) {
		hwloc_bitmap_only(set, (unsigned)pu_os_index);
		if (hwloc_set_cpubind(t->topo, set, flags) != 0) {
			err = errno ? -errno : -EINVAL;
			goto out;
		}
	}
	if (got && got_len) {
		got[0] = '\0';
		if (hwloc_get_cpubind(t->topo, set, flags) == 0 &&
		    hwloc_bitmap_list_asprintf(&s, set) >= 0) {
			snprintf(got, got_len, "%s", s);
			free(s);
		}
	}
out:
	hwloc_bitmap_free(set);
	return err;
}
