/*
 * workloads.c - builds the task programs of seed, cpu, io and background
 * (DESIGN.md section 3). It decides what work each task does, never how
 * the tasks are scheduled.
 */
#include "workloads.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Native chunks per cpu task: the GIL is released and re-taken this often. */
#define WL_NATIVE_CHUNKS 100
#define WL_SEED_BOB_NS   300000000ull
#define WL_SEED_ALICE_NS 100000000ull
/* With no background task the foreground makes this many requests. */
#define WL_FOREGROUND_ALONE 200

static int wl_alloc(struct gb_workload_set *ws, unsigned ntasks, unsigned nprogs, unsigned nops)
{
	memset(ws, 0, sizeof(*ws));
	ws->progs = calloc(ntasks, sizeof(*ws->progs));
	ws->owned = calloc(nprogs, sizeof(*ws->owned));
	ws->ops = calloc(nops, sizeof(*ws->ops));
	if (!ws->progs || !ws->owned || !ws->ops) {
		gb_workload_free(ws);
		return -ENOMEM;
	}
	ws->ntasks = ntasks;
	return 0;
}

void gb_workload_free(struct gb_workload_set *ws)
{
	free(ws->progs);
	free(ws->owned);
	free(ws->ops);
	memset(ws, 0, sizeof(*ws));
}

static int wl_seed(const struct gb_params *p, struct gb_workload_set *ws, char *why, size_t len)
{
	/* As the lecture's functions: sleep, print, return. bob is task 0. */
	static const char *const names[2] = {"bob", "alice"};
	static const char *const hello[2] = {"hello bob", "hello alice"};
	static const char *const done[2] = {"bob done!", "alice done!"};
	const uint64_t sleeps[2] = {WL_SEED_BOB_NS, WL_SEED_ALICE_NS};
	int err;

	if (p->tasks != 2) {
		snprintf(why, len, "the seed workload has exactly 2 tasks (bob and alice), not %u",
		         p->tasks);
		return -EINVAL;
	}
	err = wl_alloc(ws, 2, 2, 6);
	if (err)
		return err;
	for (unsigned i = 0; i < 2; i++) {
		struct gb_op *ops = &ws->ops[i * 3];
		ops[0] = (struct gb_op){.kind = GB_OP_SLEEP, .n = sleeps[i]};
		ops[1] = (struct gb_op){.kind = GB_OP_PRINT, .text = hello[i]};
		ops[2] = (struct gb_op){.kind = GB_OP_RETURN, .text = done[i]};
		ws->owned[i] =
		        (struct gb_program){.ops = ops, .n_ops = 3, .repeat = 1, .name = names[i]};
		ws->progs[i] = &ws->owned[i];
	}
	return 0;
}

/*
 * One cpu program of `work` units: a single COMPUTE, or WL_NATIVE_CHUNKS
 * chunks of COMPUTE then NATIVE whose sizes differ by at most one, so that
 * they add up to `work` exactly, each with its native share rounded.
 */
static void wl_cpu_program(struct gb_program *prog, struct gb_op *ops, uint64_t work,
                           double native_fraction)
{
	size_t n = 0;

	if (native_fraction <= 0.0) {
		ops[n++] = (struct gb_op){.kind = GB_OP_COMPUTE, .n = work};
	} else {
		uint64_t base = work / WL_NATIVE_CHUNKS, extra = work % WL_NATIVE_CHUNKS;
		for (unsigned k = 0; k < WL_NATIVE_CHUNKS; k++) {
			uint64_t chunk = base + (k < extra);
			uint64_t native = (uint64_t)((double)chunk * native_fraction + 0.5);
			if (native > chunk)
				native = chunk;
			ops[n++] = (struct gb_op){.kind = GB_OP_COMPUTE, .n = chunk - native};
			ops[n++] = (struct gb_op){.kind = GB_OP_NATIVE, .n = native};
		}
	}
	*prog = (struct gb_program){.ops = ops, .n_ops = n, .repeat = 1, .name = "worker"};
}

static int wl_cpu(const struct gb_params *p, struct gb_workload_set *ws)
{
	/* W = K * per_task + extra: the first `extra` tasks do one more unit. */
	uint64_t per_task = p->work / p->tasks, extra = p->work % p->tasks;
	const unsigned nops = 2 * WL_NATIVE_CHUNKS;
	int err = wl_alloc(ws, p->tasks, 2, 2 * nops);

	if (err)
		return err;
	/* Interleaved chunks, so the GIL is released throughout, as NumPy calls
	 * inside a Python loop release it. */
	wl_cpu_program(&ws->owned[0], ws->ops, per_task, p->native_fraction);
	wl_cpu_program(&ws->owned[1], ws->ops + nops, per_task + 1, p->native_fraction);
	for (unsigned i = 0; i < p->tasks; i++)
		ws->progs[i] = &ws->owned[i < extra ? 1 : 0];
	return 0;
}

static int wl_io(const struct gb_params *p, struct gb_workload_set *ws)
{
	int err = wl_alloc(ws, p->tasks, 1, 1);

	if (err)
		return err;
	if (p->io == GB_IO_ECHO) {
		ws->ops[0] = (struct gb_op){.kind = GB_OP_ECHO, .n = p->echo_bytes};
		ws->needs_echo = 1;
	} else {
		ws->ops[0] = (struct gb_op){.kind = GB_OP_SLEEP, .n = p->io_time_ns};
	}
	ws->owned[0] = (struct gb_program){.ops = ws->ops,
	                                   .n_ops = 1,
	                                   .repeat = p->io_ops,
	                                   .flags = p->io == GB_IO_ECHO ? GB_PF_LATENCY : 0,
	                                   .name = "io"};
	for (unsigned i = 0; i < p->tasks; i++)
		ws->progs[i] = &ws->owned[0];
	return 0;
}

static int wl_background(const struct gb_params *p, struct gb_workload_set *ws)
{
	int err = wl_alloc(ws, p->tasks, 2, 3);

	if (err)
		return err;
	/* Task 0: the latency-sensitive foreground, one request at a time. */
	ws->ops[0] = (struct gb_op){.kind = GB_OP_ECHO, .n = p->echo_bytes};
	ws->ops[1] = (struct gb_op){.kind = GB_OP_SLEEP, .n = p->think_ns};
	ws->owned[0] = (struct gb_program){.ops = ws->ops,
	                                   .n_ops = p->think_ns ? 2 : 1,
	                                   .repeat = p->tasks > 1 ? GB_REPEAT_UNTIL_STOP
	                                                          : WL_FOREGROUND_ALONE,
	                                   .flags = GB_PF_LATENCY,
	                                   .name = "foreground"};
	/* Tasks 1..K-1: a fixed burst each, so cooperative models still end. */
	ws->ops[2] = (struct gb_op){.kind = GB_OP_COMPUTE, .n = p->burst};
	ws->owned[1] = (struct gb_program){.ops = &ws->ops[2],
	                                   .n_ops = 1,
	                                   .repeat = 1,
	                                   .flags = GB_PF_BACKGROUND,
	                                   .name = "background"};
	ws->progs[0] = &ws->owned[0];
	for (unsigned i = 1; i < p->tasks; i++)
		ws->progs[i] = &ws->owned[1];
	ws->background = p->tasks - 1;
	ws->needs_echo = 1;
	return 0;
}

int gb_workload_build(const struct gb_params *p, struct gb_workload_set *out, char *why,
                      size_t why_len)
{
	if (p->tasks == 0) {
		snprintf(why, why_len, "a cell needs at least one task");
		return -EINVAL;
	}
	switch (p->workload) {
	case GB_WL_SEED:
		return wl_seed(p, out, why, why_len);
	case GB_WL_CPU:
		if (p->work < p->tasks * (uint64_t)WL_NATIVE_CHUNKS) {
			snprintf(why, why_len, "--work %llu is too small for %u tasks",
			         (unsigned long long)p->work, p->tasks);
			return -EINVAL;
		}
		return wl_cpu(p, out);
	case GB_WL_IO:
		return wl_io(p, out);
	case GB_WL_BACKGROUND:
		return wl_background(p, out);
	case GB_WL__COUNT:
		break;
	}
	snprintf(why, why_len, "unknown workload");
	return -EINVAL;
}

double gb_workload_ideal_s(const struct gb_params *p)
{
	if (p->workload == GB_WL_IO && p->io == GB_IO_SLEEP)
		return (double)p->io_ops * (double)p->io_time_ns * 1e-9;
	if (p->workload == GB_WL_SEED)
		return (double)WL_SEED_BOB_NS * 1e-9;
	return 0.0;
}

static const char *const wl_names[GB_WL__COUNT] = {
        [GB_WL_SEED] = "seed",
        [GB_WL_CPU] = "cpu",
        [GB_WL_IO] = "io",
        [GB_WL_BACKGROUND] = "background",
};

const char *gb_workload_name(enum gb_workload w)
{
	return (unsigned)w < GB_WL__COUNT ? wl_names[w] : "?";
}

int gb_workload_parse(const char *s, enum gb_workload *out)
{
	for (unsigned i = 0; i < GB_WL__COUNT; i++) {
		if (strcmp(s, wl_names[i]) == 0) {
			*out = (enum gb_workload)i;
			return 0;
		}
	}
	return -EINVAL;
}
