/*
 * run.h - one repetition of one cell: what the harness lends a model
 * (struct gb_run, behind the gb_run_* functions of model.h) and what it
 * gathers while the model runs.
 */
#ifndef GB_RUN_H
#define GB_RUN_H

#include <stdatomic.h>
#include <stdint.h>

#include <gilbench/model.h>

#include "hist.h"
#include "pin.h"
#include "workloads.h"

/* A point of the matrix. */
struct gb_cell {
	const struct gb_model_ops *model;
	struct gb_params p;
	enum gb_placement placement;
	const char *cpus;            /* --cpus list as given (the params JSON), or NULL */
	hwloc_const_bitmap_t cpuset; /* the same list, parsed once by the CLI; NULL: all */
	unsigned index;              /* position in the matrix */
};

#define GB_RUN_CPU_WORDS 16 /* up to 1024 CPUs recorded in bound_cpus */

/* Totals written by tasks, threads and forked children: MAP_SHARED. */
struct gb_run_shared {
	atomic_int stop;
	atomic_uint background_left;
	_Atomic uint64_t bytecodes, native_units, blocking_ops, yields, tasks_done, prints;
	_Atomic uint64_t gil_acquisitions, gil_hold_ns, gil_wait_ns, gil_wait_max_ns,
	        gil_drop_requests, gil_forced_drops, gil_voluntary_drops, gil_switch_waits,
	        gil_futile_wakeups, gil_switches, gil_requested_acquisitions;
	/* Per GIL, from each GIL's report at destroy (struct gb_gil_stats). */
	_Atomic uint64_t gils, gils_held_ns, gils_contended_ns;
	/* Forked task processes' private memory at their end (gb_run_collect_process). */
	_Atomic uint64_t procs_reported, procs_private_kib;
	/* Trace records that did not make it to the trace (ring overflow, write error). */
	_Atomic uint64_t trace_lost;
	_Atomic uint64_t bound[GB_RUN_CPU_WORDS];
	atomic_int pin_failed;
	atomic_int error_set;
	char error[256];
	struct gb_hist latency;
};

struct gb_run {
	const struct gb_cell *cell;
	struct gb_workload_set ws;
	struct gb_run_shared *sh;
	struct gb_topo *topo;
	unsigned *pu_order; /* placement order of PUs; NULL under "none" */
	unsigned npu;
	int *echo_fds;
	struct gb_echo *echo;
	int demo;
	int owner_pid;
	int peer_pu; /* the echo peer's PU (-1: unbound or no peer) */
	/*
	 * Trace: every thread's ring, in this process or a forked task process,
	 * is appended as struct gb_run_trace_rec records to one memfd (O_APPEND,
	 * shared across fork), so nothing needs the parent's memory.
	 */
	size_t trace_capacity;
	int trace_fd;
};

/* A trace record as collected: the ring's record plus the process it came from. */
struct gb_run_trace_rec {
	uint64_t ns;
	int32_t pid;
	uint32_t thread;
	uint32_t event;
	uint32_t pad;
};

enum gb_trace_format { GB_TRACE_CSV, GB_TRACE_JSONL };

/*
 * Builds the run of a cell: programs, shared totals, placement, echo peer.
 * 0, or -errno with a reason in why.
 */
int gb_run_open(struct gb_run *run, const struct gb_cell *cell, int demo, size_t trace_capacity,
                char *why, size_t why_len);
void gb_run_close(struct gb_run *run);

/* The PU task slot i runs on (-1: unbound). The echo peer takes the slot
 * after the model's OS threads: 1 for one-thread models, else ntasks. */
int gb_run_slot_pu(const struct gb_run *run, unsigned slot);

/*
 * Writes the collected trace, sorted by time, as CSV (t_ns,thread,event)
 * or JSON lines (docs/runtime.md). *lost gets the count of events lost to
 * ring overflow (also written into the file). 0 or -errno.
 */
int gb_run_write_trace(const struct gb_run *run, const char *path, enum gb_trace_format fmt,
                       uint64_t *lost);
/* The format a trace path asks for by its extension: .jsonl or else CSV. */
enum gb_trace_format gb_trace_format_for(const char *path);

/* The CPUs bound so far, as a list string ("0-1"). */
void gb_run_bound_list(const struct gb_run *run, char *buf, size_t len);

#endif
