/*
 * gilbench/model.h - the plugin contract between the harness and a model.
 *
 * A model is a struct gb_model_ops: in-tree models are listed in
 * models/models.def and linked in; an external model is a shared object
 * exporting one symbol, GB_MODEL_SYMBOL, loaded with --plugin PATH.so.
 *
 * The harness owns clocks, pinning, the echo peer, statistics and output.
 * A model owns only how tasks are scheduled and hand over; it reaches the
 * harness through the gb_run_* functions below, never hwloc or jansson.
 */
#ifndef GILBENCH_MODEL_H
#define GILBENCH_MODEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "gil.h"
#include "interp.h"
#include "program.h"

/* Bump on any change to this file, gil.h, interp.h or program.h.
 * 2: per-GIL counters and report hook, requested_acquisitions, NATIVE trace
 *    events, gb_run_collect_process. */
#define GB_MODEL_ABI 2

#define GB_MODEL_SYMBOL "gb_model_plugin"

/*
 * A plugin may bring a GIL policy instead of (or as well as) a model: it
 * exports `const struct gb_gil_policy gb_gil_policy_plugin` and
 * `const unsigned gb_plugin_abi = GB_MODEL_ABI;`, and `--gil NAME` selects it.
 */
#define GB_GIL_POLICY_SYMBOL "gb_gil_policy_plugin"
#define GB_PLUGIN_ABI_SYMBOL "gb_plugin_abi"

enum gb_workload { GB_WL_SEED, GB_WL_CPU, GB_WL_IO, GB_WL_BACKGROUND, GB_WL__COUNT };
#define GB_WL_BIT(w) (1u << (w))
#define GB_WL_ALL    ((1u << GB_WL__COUNT) - 1)

enum gb_io_kind { GB_IO_SLEEP, GB_IO_ECHO };

/* One cell's parameters: the matrix point being measured. */
struct gb_params {
	enum gb_workload workload;
	unsigned tasks;           /* -t */
	const char *gil;          /* --gil policy name */
	double switch_interval_s; /* --switch-interval */
	unsigned check_interval;  /* --check-interval (legacy ticks) */
	unsigned check_every;     /* bytecodes between eval-breaker check points */
	double native_fraction;   /* --native-fraction */
	double gil_overhead;      /* --gil-overhead (none policy) */
	uint64_t work;            /* cpu: total bytecodes W */
	enum gb_io_kind io;       /* --io */
	uint64_t io_time_ns;      /* --io-time */
	unsigned io_ops;          /* io: blocking ops per task (R) */
	uint64_t burst;           /* background: bytecodes per background task */
	uint64_t think_ns;        /* background: pause between foreground requests */
	uint64_t yield_every;     /* --yield-every (cooperative models) */
	size_t stack_size;        /* --stack-size (greenlets) */
	unsigned echo_bytes;      /* bytes per ECHO */
	uint64_t peer_delay_ns;   /* --peer-delay: the echo peer's turnaround */
};

enum gb_model_flags {
	GB_MF_FORKS = 1u << 0,      /* tasks are processes */
	GB_MF_ONE_THREAD = 1u << 1, /* one OS thread by design (greenlets, loops) */
};

struct gb_run; /* what the harness lends a model for one repetition */

struct gb_model_ops {
	unsigned abi;        /* GB_MODEL_ABI */
	const char *name;    /* CLI and JSON key */
	const char *summary; /* one line for `gilbench list` */
	unsigned workloads;  /* GB_WL_BIT mask */
	unsigned flags;      /* enum gb_model_flags */

	/* NULL if the cell can run, else why not (recorded as "skipped"). */
	const char *(*unsupported)(const struct gb_params *p);
	/* Set-up outside the timed region. 0 or -errno. */
	int (*init)(void **state, struct gb_run *run);
	/* The timed region: run every task of gb_run_tasks() to the end. */
	int (*run)(void *state, struct gb_run *run);
	void (*fini)(void *state);
};

/* --- What the harness lends a model (bench/run.c) --- */

const struct gb_params *gb_run_params(const struct gb_run *run);
unsigned gb_run_tasks(const struct gb_run *run);
const struct gb_program *gb_run_program(const struct gb_run *run, unsigned task);

/* The GIL the cell asked for (policy, interval, trace); pass to gb_gil_create. */
void gb_run_gil_config(const struct gb_run *run, struct gb_gil_config *out);

/* The interpreter's hooks into this run: output, latency, stop flag. */
void gb_run_interp_env(struct gb_run *run, struct gb_interp_env *out);

/*
 * Binds the calling thread (or, in a forked child, process) to the CPU set
 * the placement policy gives `task`. 0 or -errno; the binding obtained is
 * recorded in the cell's params.
 */
int gb_run_pin(struct gb_run *run, unsigned task);

/* The task's connected socket to the harness echo peer (-errno if none). */
int gb_run_echo_fd(struct gb_run *run, unsigned task);

/* Adds a finished task's counters, and a thread's GIL counters and trace.
 * Safe from forked children: the totals live in shared memory. */
void gb_run_collect_task(struct gb_run *run, const struct gb_task *task);
void gb_run_collect_gil(struct gb_run *run, const struct gb_gil_thread *t);

/*
 * A forked task process calls this once, as it ends: its private memory
 * (Private_Clean + Private_Dirty of /proc/self/smaps_rollup: what it does
 * not share with the parent) is added to the cell's memory figures.
 */
void gb_run_collect_process(struct gb_run *run);

/* Records why the run failed; the model then returns a negative errno. */
void gb_run_errorf(struct gb_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A line of the simulated program's own output (print): to stdout in
 * `gilbench demo`, counted and dropped in `run`. The interp env's print hook
 * calls it; models call it to print results in the order their Python
 * analogue does.
 */
void gb_run_print(struct gb_run *run, const char *text);

#endif
