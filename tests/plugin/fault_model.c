/*
 * fault_model.c - a test-only model that misbehaves on request, so the
 * reliability tests (tests/cli/faults.sh) can check what the harness does
 * with a cell that segfaults, aborts, hangs, exits early or runs out of
 * memory. GB_FAULT picks the fault; unset or "none", it runs its tasks one
 * after another like a correct model. The fault strikes mid-run: after the
 * first half of the tasks has run. It is never built into gilbench.
 *
 *   segv       a store to a PROT_NONE page (a real fault, not raise())
 *   abort      abort()
 *   hang       ignore SIGINT and SIGTERM and pause forever
 *   exit0      exit(0) with no result
 *   exit3      exit(3) with no result
 *   oom        lower RLIMIT_AS to GB_FAULT_AS_MB (default 64) MiB above what
 *              the process maps now, then malloc and touch memory until
 *              nothing more is given, hold all of it, report ENOMEM
 *   oom-hold   the same, but never give the memory back: the harness must
 *              report the cell with no memory left to do it
 *   fork-segv  fork a child that sleeps for an hour, then segfault
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gilbench/model.h>

/* Memory the oom fault holds on to: a singly linked list through the blocks. */
struct fault_block {
	struct fault_block *next;
};

struct fault_state {
	struct fault_block *held;
	size_t held_bytes;
	int keep; /* oom-hold: fini leaves the memory taken */
};

static int fault_init(void **state, struct gb_run *run)
{
	struct fault_state *s = calloc(1, sizeof(*s));

	(void)run;
	if (!s)
		return -ENOMEM;
	*state = s;
	return 0;
}

static int fault_task(struct gb_run *run, unsigned i)
{
	struct gb_interp_env env;
	struct gb_task task;
	enum gb_step step;

	gb_run_interp_env(run, &env);
	gb_task_init(&task, gb_run_program(run, i), i, NULL);
	while ((step = gb_interp_step(&task, &env)) != GB_STEP_DONE) {
		if (step == GB_STEP_YIELD)
			continue;
		int err = gb_interp_block(&task, step, gb_run_echo_fd(run, i));
		if (err)
			return err;
	}
	gb_run_collect_task(run, &task);
	return 0;
}

/* Virtual memory mapped now, from /proc (RLIMIT_AS counts the same thing). */
static size_t fault_vm_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* Allocates and touches blocks from 1 MiB down to 64 bytes until none is given. */
static int fault_oom(struct fault_state *s, struct gb_run *run)
{
	const char *mb = getenv("GB_FAULT_AS_MB");
	size_t room = (size_t)(mb ? strtoul(mb, NULL, 10) : 64) << 20;
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = fault_vm_bytes() + room;
	if (setrlimit(RLIMIT_AS, &rl) != 0) {
		gb_run_errorf(run, "setrlimit(RLIMIT_AS): %s", strerror(errno));
		return -errno;
	}
	for (size_t size = 1u << 20; size >= 64; size /= 2) {
		struct fault_block *b;

		while ((b = malloc(size))) {
			memset(b, 0xa5, size);
			b->next = s->held;
			s->held = b;
			s->held_bytes += size;
		}
	}
	gb_run_errorf(run, "malloc: out of memory after %zu MiB (RLIMIT_AS)", s->held_bytes >> 20);
	return -ENOMEM;
}

static int fault_strike(struct fault_state *s, struct gb_run *run, const char *mode)
{
	if (strcmp(mode, "segv") == 0 || strcmp(mode, "fork-segv") == 0) {
		volatile char *page;

		if (mode[0] == 'f' && fork() == 0) {
			sleep(3600);
			_exit(0);
		}
		page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED)
			return -errno;
		page[0] = 1;
		return -EFAULT; /* not reached */
	}
	if (strcmp(mode, "abort") == 0)
		abort();
	if (strcmp(mode, "hang") == 0) {
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		for (;;)
			pause();
	}
	if (strcmp(mode, "exit0") == 0)
		exit(0);
	if (strcmp(mode, "exit3") == 0)
		exit(3);
	if (strcmp(mode, "oom") == 0 || strcmp(mode, "oom-hold") == 0) {
		s->keep = mode[3] == '-';
		return fault_oom(s, run);
	}
	gb_run_errorf(run, "GB_FAULT: unknown fault '%s'", mode);
	return -EINVAL;
}

static int fault_run(void *state, struct gb_run *run)
{
	const char *mode = getenv("GB_FAULT");
	unsigned n = gb_run_tasks(run);
	int err;

	for (unsigned i = 0; i < n; i++) {
		if (i == n / 2 && mode && *mode && strcmp(mode, "none") != 0) {
			err = fault_strike(state, run, mode);
			if (err)
				return err;
		}
		err = fault_task(run, i);
		if (err)
			return err;
	}
	return 0;
}

static void fault_fini(void *state)
{
	struct fault_state *s = state;

	if (s->keep)
		return;
	while (s->held) {
		struct fault_block *next = s->held->next;
		free(s->held);
		s->held = next;
	}
	free(s);
}

const struct gb_model_ops gb_model_plugin = {
        .abi = GB_MODEL_ABI,
        .name = "fault",
        .summary = "test plugin: runs its tasks, or fails as GB_FAULT says",
        .workloads = GB_WL_BIT(GB_WL_SEED) | GB_WL_BIT(GB_WL_CPU) | GB_WL_BIT(GB_WL_IO),
        .init = fault_init,
        .run = fault_run,
        .fini = fault_fini,
};
