/*
 * gilbench/program.h - task programs: the data a workload hands to a model.
 *
 * A workload builds one program per task; a model only decides how the
 * tasks are scheduled and hand over. Programs are immutable once built and
 * may be shared by many tasks (100 000 io tasks share one program).
 */
#ifndef GILBENCH_PROGRAM_H
#define GILBENCH_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

enum gb_op_kind {
	GB_OP_COMPUTE, /* n bytecodes, GIL held, check point every check_every */
	GB_OP_NATIVE,  /* n native units with the GIL released (a NumPy call) */
	GB_OP_SLEEP,   /* time.sleep(n ns): GIL released around the wait */
	GB_OP_ECHO,    /* send n bytes to the echo peer, wait for the reply */
	GB_OP_PRINT,   /* print(text), GIL held */
	GB_OP_RETURN,  /* return text through the model's channel */
	GB_OP_YIELD,   /* gevent.sleep(0) / await asyncio.sleep(0) */
	GB_OP__COUNT
};

struct gb_op {
	enum gb_op_kind kind;
	uint64_t n;       /* bytecodes, units, ns or bytes, by kind */
	const char *text; /* PRINT and RETURN */
};

/* How often the body of a program runs. */
#define GB_REPEAT_UNTIL_STOP 0 /* until the run's stop flag is set (background) */

enum gb_program_flags {
	GB_PF_LATENCY = 1u << 0,    /* record each ECHO's latency into the run histogram */
	GB_PF_BACKGROUND = 1u << 1, /* counts toward "background done" when it ends */
};

struct gb_program {
	const struct gb_op *ops;
	size_t n_ops;
	uint64_t repeat;  /* body runs this many times; GB_REPEAT_UNTIL_STOP */
	unsigned flags;   /* enum gb_program_flags */
	const char *name; /* "bob", "alice", "worker": for demos and traces */
};

const char *gb_op_name(enum gb_op_kind kind);

#endif
