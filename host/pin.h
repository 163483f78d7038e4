/*
 * pin.h - the machine's topology (hwloc) and where each task runs.
 *
 * The topology is loaded once per process. A placement plan gives each
 * task slot a CPU set; binding applies one to the calling thread or
 * process and reports what the OS actually granted.
 */
#ifndef GB_PIN_H
#define GB_PIN_H

#include <hwloc.h>
#include <jansson.h>

enum gb_placement { GB_PLACE_COMPACT, GB_PLACE_SPREAD, GB_PLACE_NONE };

struct gb_topo {
	hwloc_topology_t topo;
	int synthetic;
};

/* The real machine (desc NULL) or a synthetic one ("pack:2 core:4 pu:2"). */
int gb_topo_load(struct gb_topo *t, const char *synthetic_desc);
void gb_topo_free(struct gb_topo *t);

/* The process-wide topology of this machine, loaded on first use; NULL on failure. */
struct gb_topo *gb_topo_machine(void);

/* {packages, cores, pus, numa_nodes, caches: [...]}; a new reference. */
json_t *gb_topo_json(const struct gb_topo *t);

unsigned gb_topo_count(const struct gb_topo *t, hwloc_obj_type_t type);

int gb_placement_parse(const char *s, enum gb_placement *out);
const char *gb_placement_name(enum gb_placement p);

/*
 * Parses a CPU list ("0", "0-3,6") of OS indices and checks each CPU exists
 * in t. 0, or -EINVAL after writing a reason into why[why_len].
 */
int gb_cpus_parse(const struct gb_topo *t, const char *list, hwloc_bitmap_t out, char *why,
                  size_t why_len);

/*
 * A CPU list ("0-1", "0,2-3") as a set, syntax only (no topology: a list a
 * result file holds may name another machine's CPUs). 0, or -EINVAL when
 * list is NULL, empty or not a list.
 */
int gb_cpus_list_set(const char *list, hwloc_bitmap_t out);

/*
 * 1 when two CPU lists name the same set ("0-1" and "0,1"; "0-1" is not
 * "10-11"). A text that is not a list ("none") equals only the same text.
 */
int gb_cpus_list_equal(const char *a, const char *b);

/*
 * 1 when one of the ';'-joined lists of `joined` ("0-1;2-3", as bound_cpus
 * holds the distinct bindings of several repetitions) is the set `list`.
 */
int gb_cpus_lists_have(const char *joined, const char *list);

/*
 * The PUs tasks may use, in placement order: compact fills a core's PUs
 * before the next core; spread takes one PU per core, cores alternating
 * across packages, before any core's second PU. `allowed` (NULL = all)
 * restricts the set. Returns the number of PUs written to os_index[] (at
 * most cap), or -EINVAL when the allowed set has no PU.
 */
int gb_placement_order(const struct gb_topo *t, enum gb_placement p, hwloc_const_bitmap_t allowed,
                       unsigned *os_index, unsigned cap);

/*
 * Binds the calling thread (process = 0) or process (process = 1) to the
 * single PU os_index, or under GB_PLACE_NONE to nothing. Writes the
 * binding then in force as a list string ("1") into got. 0 or -errno.
 */
int gb_bind_self(const struct gb_topo *t, int pu_os_index, int process, char *got, size_t got_len);

#endif
