/*
 * test_workloads.c - the programs each workload builds: the work adds up,
 * flags are where the harness expects them, bad shapes are refused.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "workloads.h"

static uint64_t prog_total(const struct gb_program *p, enum gb_op_kind kind)
{
	uint64_t n = 0;
	for (size_t i = 0; i < p->n_ops; i++)
		if (p->ops[i].kind == kind)
			n += p->ops[i].n;
	return n * p->repeat;
}

static void test_seed(struct gb_params p)
{
	struct gb_workload_set ws;
	char why[256];

	p.workload = GB_WL_SEED;
	ok(gb_workload_build(&p, &ws, why, sizeof(why)) == 0, "seed builds");
	is_int(ws.ntasks, 2, "seed has 2 tasks");
	ok(strcmp(ws.progs[0]->name, "bob") == 0 && strcmp(ws.progs[1]->name, "alice") == 0,
	   "bob is task 0, alice task 1");
	is_int(prog_total(ws.progs[0], GB_OP_SLEEP), 300000000, "bob sleeps 0.3 s");
	is_int(prog_total(ws.progs[1], GB_OP_SLEEP), 100000000, "alice sleeps 0.1 s");
	gb_workload_free(&ws);
	p.tasks = 3;
	ok(gb_workload_build(&p, &ws, why, sizeof(why)) == -EINVAL, "seed with 3 tasks: %s", why);
}

static void test_cpu(struct gb_params p)
{
	struct gb_workload_set ws;
	char why[256];
	uint64_t total = 0, c, nat;

	p.workload = GB_WL_CPU;
	p.tasks = 4;
	p.work = 1000000;
	ok(gb_workload_build(&p, &ws, why, sizeof(why)) == 0, "cpu builds");
	for (unsigned i = 0; i < ws.ntasks; i++)
		total += prog_total(ws.progs[i], GB_OP_COMPUTE);
	is_int(total, 1000000, "cpu work adds up to W");
	gb_workload_free(&ws);

	p.native_fraction = 0.9;
	ok(gb_workload_build(&p, &ws, why, sizeof(why)) == 0, "cpu with native builds");
	c = prog_total(ws.progs[0], GB_OP_COMPUTE);
	nat = prog_total(ws.progs[0], GB_OP_NATIVE);
	is_int(c + nat, 250000, "per-task work with native is W/K");
	ok(nat > 8 * c && nat < 10 * c, "native share about 0.9 (%llu vs %llu)",
	   (unsigned long long)nat, (unsigned long long)c);
	gb_workload_free(&ws);
}

/* W not divisible by K, nor each task's share by the native chunks: the
 * remainders are spread, so every unit of W is run, no more. */
static void test_cpu_remainders(struct gb_params p)
{
	static const uint64_t works[] = {1000003, 999999, 20000000, 1234567, 700};
	static const unsigned ks[] = {1, 3, 7, 2, 7};
	static const double fs[] = {0.0, 0.9, 0.5, 0.33, 0.1};
	struct gb_workload_set ws;
	char why[256];
	int exact = 1, spread = 1, share = 1;

	for (size_t w = 0; w < sizeof(works) / sizeof(works[0]); w++) {
		for (size_t f = 0; f < sizeof(fs) / sizeof(fs[0]); f++) {
			uint64_t sum = 0, natsum = 0, lo = UINT64_MAX, hi = 0;
			p.workload = GB_WL_CPU;
			p.work = works[w];
			p.tasks = ks[w];
			p.native_fraction = fs[f];
			if (gb_workload_build(&p, &ws, why, sizeof(why)) != 0) {
				exact = 0;
				continue;
			}
			for (unsigned i = 0; i < ws.ntasks; i++) {
				uint64_t c1 = prog_total(ws.progs[i], GB_OP_COMPUTE);
				uint64_t n1 = prog_total(ws.progs[i], GB_OP_NATIVE);
				sum += c1 + n1;
				natsum += n1;
				lo = c1 + n1 < lo ? c1 + n1 : lo;
				hi = c1 + n1 > hi ? c1 + n1 : hi;
			}
			if (sum != works[w]) {
				exact = 0;
				printf("#   W=%llu K=%u f=%g: %llu\n", (unsigned long long)works[w],
				       ks[w], fs[f], (unsigned long long)sum);
			}
			spread &= hi - lo <= 1;
			/* Rounded per chunk: at most half a unit off per chunk. */
			share &= fabs((double)natsum - fs[f] * (double)works[w]) <=
			         0.5 * 100 * ks[w] + 1e-9;
			gb_workload_free(&ws);
		}
	}
	ok(exact, "cpu: the tasks' work adds up to exactly W for every W, K, F tried");
	ok(spread, "cpu: tasks' shares differ by at most one unit");
	ok(share, "cpu: the native share is F of W, to within rounding per chunk");
}

static void test_io_background(struct gb_params p)
{
	struct gb_workload_set ws;
	char why[256];

	p.workload = GB_WL_IO;
	p.io = GB_IO_ECHO;
	p.io_ops = 7;
	ok(gb_workload_build(&p, &ws, why, sizeof(why)) == 0, "io echo builds");
	ok(ws.needs_echo && ws.progs[0]->repeat == 7 && ws.progs[0]->ops[0].kind == GB_OP_ECHO,
	   "io echo: 7 echoes per task, needs the peer");
	gb_workload_free(&ws);

	p.workload = GB_WL_BACKGROUND;
	p.tasks = 3;
	ok(gb_workload_build(&p, &ws, why, sizeof(why)) == 0, "background builds");
	is_int(ws.background, 2, "B = K - 1");
	ok(ws.progs[0]->flags & GB_PF_LATENCY, "task 0 records latency");
	ok(ws.progs[0]->repeat == GB_REPEAT_UNTIL_STOP, "foreground runs until stopped");
	ok((ws.progs[1]->flags & GB_PF_BACKGROUND) && (ws.progs[2]->flags & GB_PF_BACKGROUND),
	   "tasks 1.. are background");
	is_int(prog_total(ws.progs[1], GB_OP_COMPUTE), p.burst, "a fixed burst each");
	gb_workload_free(&ws);
	p.tasks = 1;
	ok(gb_workload_build(&p, &ws, why, sizeof(why)) == 0 && ws.progs[0]->repeat > 0,
	   "foreground alone makes a fixed number of requests");
	gb_workload_free(&ws);
	p.tasks = 0;
	ok(gb_workload_build(&p, &ws, why, sizeof(why)) == -EINVAL, "0 tasks refused");
}

int main(void)
{
	struct gb_params p;

	gb_params_defaults(&p, 0);
	test_seed(p);
	test_cpu(p);
	test_cpu_remainders(p);
	/* As the io and background checks always ran: after the cpu ones. */
	p.tasks = 4;
	p.work = 1000000;
	p.native_fraction = 0.9;
	test_io_background(p);
	return gb_tap_done();
}
