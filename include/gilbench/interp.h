/*
 * gilbench/interp.h - the simulated interpreter: runs a task program.
 *
 * gb_interp_step() executes ops in place (COMPUTE, NATIVE, PRINT, RETURN)
 * until the task needs the outside world: a blocking op (SLEEP, ECHO), a
 * yield, or its end. It then returns what the task waits for, and the model
 * decides how to wait: a thread blocks with the GIL released
 * (gb_interp_block), a greenlet switches to its hub, an asyncio task returns
 * to the loop. The next gb_interp_step() resumes after the blocking op.
 *
 * The task must hold the GIL (if it has one) when gb_interp_step() is
 * called, and holds it again when it returns.
 */
#ifndef GILBENCH_INTERP_H
#define GILBENCH_INTERP_H

#include <stdatomic.h>
#include <stdint.h>

#include "gil.h"
#include "program.h"

struct gb_task;

/* What the interpreter needs from the world; filled by gb_run_interp_env(). */
struct gb_interp_env {
	unsigned check_every;   /* bytecodes between check points (>= 1) */
	uint64_t yield_every;   /* cooperative models: yield after this many
	                           bytecodes of one COMPUTE op; 0 = never */
	double overhead;        /* extra work per bytecode (free-threading tax) */
	const atomic_int *stop; /* GB_REPEAT_UNTIL_STOP programs end when set */
	void *ctx;
	void (*print)(void *ctx, struct gb_task *task, const char *text);
	void (*ret)(void *ctx, struct gb_task *task, const char *value);
	void (*latency)(void *ctx, struct gb_task *task, uint64_t ns);
	void (*done)(void *ctx, struct gb_task *task);
};

enum gb_step {
	GB_STEP_DONE,  /* program finished (env->done was called) */
	GB_STEP_SLEEP, /* wait task->block_arg ns */
	GB_STEP_ECHO,  /* send task->block_arg bytes to the echo peer, read them back */
	GB_STEP_YIELD, /* let others run, then step again */
};

struct gb_task_counters {
	uint64_t bytecodes;
	uint64_t native_units;
	uint64_t blocking_ops; /* SLEEP + ECHO completed */
	uint64_t yields;
};

struct gb_task {
	const struct gb_program *prog;
	struct gb_gil_thread *gt; /* NULL: no GIL (single-threaded executors may omit it) */
	unsigned id;
	uint32_t pc;        /* next op */
	uint64_t iter;      /* body iterations done */
	uint64_t op_done;   /* progress inside the current COMPUTE (for yields) */
	uint64_t block_arg; /* ns or bytes of the pending blocking op */
	uint64_t block_t0;  /* when the pending ECHO started (latency) */
	struct gb_task_counters n;
	void *user; /* the model's own pointer (its task object) */

	/* The interpreter's own state: set by gb_task_init, not for models. */
	uint64_t work;         /* the CPU work chain's value, stored back so it is not dead */
	uint32_t since_check;  /* bytecodes since the last check point (spans ops) */
	uint8_t pending;       /* blocking op in flight: GB_STEP_SLEEP/ECHO, 0 = none */
	uint8_t at_body_start; /* the repeat/stop test is due before the next op */
	uint8_t done;          /* env->done was called */
};

void gb_task_init(struct gb_task *task, const struct gb_program *prog, unsigned id,
                  struct gb_gil_thread *gt);

enum gb_step gb_interp_step(struct gb_task *task, const struct gb_interp_env *env);

/* ECHO messages are at most this long (gb_interp_block returns -EINVAL above). */
#define GB_INTERP_ECHO_MAX (64u * 1024u)

/*
 * The thread way to complete a blocking op: release the GIL, sleep or talk
 * to the echo peer on echo_fd, re-acquire. 0 or -errno (the GIL is held
 * again either way): -EPIPE when the peer closed, -EINVAL for a bad step or
 * size, -EBADF for a negative echo_fd (a negative errno from
 * gb_run_echo_fd() is passed through).
 */
int gb_interp_block(struct gb_task *task, enum gb_step step, int echo_fd);

/* n bytecodes of real work, with check points; what COMPUTE runs. */
void gb_interp_compute(struct gb_task *task, const struct gb_interp_env *env, uint64_t n);

/* n native units (same work per unit as a bytecode), no check points. */
void gb_interp_native_work(uint64_t n);

#endif
