/*
 * echo_model.c - a small external model for the plugin tests: it runs the
 * tasks one after another in reverse order, with no GIL, using only the
 * functions the gilbench executable exports. Built twice: once right, once
 * with a wrong ABI number (GB_TEST_WRONG_ABI) that the loader must refuse.
 * GB_TEST_PLUGIN_MODE=crash or =hang makes it misbehave, to test that the
 * harness isolates a broken cell; =overflow recurses on a coroutine stack of
 * --stack-size bytes until the guard page stops it.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gilbench/coro.h>
#include <gilbench/model.h>

static int deep(int n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	pad[511] = (char)n;
	if (n == 0)
		return pad[0];
	return deep(n - 1) + pad[511];
}

static void overflow_fn(struct gb_coro *self, void *arg)
{
	(void)self;
	*(int *)arg = deep(1 << 20); /* 512 MiB of frames: past any --stack-size */
}

/* A greenlet that recurses too deep: the harness must name the reason. */
static int overflow(struct gb_run *run)
{
	struct gb_coro *co;
	int result = 0, err = gb_coro_guard_install();

	if (!err)
		err = gb_coro_create(&co, gb_run_params(run)->stack_size, overflow_fn, &result);
	if (err)
		return err;
	gb_coro_switch(gb_coro_main(), co);
	gb_coro_destroy(co); /* not reached: the guard page ends the process */
	return result ? 0 : -EFAULT;
}

static int reverse_init(void **state, struct gb_run *run)
{
	*state = run;
	return 0;
}

static int reverse_run(void *state, struct gb_run *run)
{
	struct gb_interp_env env;
	struct gb_task task;

	const char *mode = getenv("GB_TEST_PLUGIN_MODE");

	if (mode && strcmp(mode, "crash") == 0)
		raise(SIGSEGV);
	if (mode && strcmp(mode, "hang") == 0)
		for (;;)
			pause();
	if (mode && strcmp(mode, "overflow") == 0)
		return overflow(run);
	gb_run_interp_env(run, &env);
	for (unsigned i = gb_run_tasks(run); i-- > 0;) {
		enum gb_step step;

		gb_task_init(&task, gb_run_program(run, i), i, NULL);
		while ((step = gb_interp_step(&task, &env)) != GB_STEP_DONE) {
			if (step == GB_STEP_YIELD)
				continue;
			int err = gb_interp_block(&task, step, gb_run_echo_fd(run, i));
			if (err)
				return err;
		}
		gb_run_collect_task(run, &task);
	}
	return 0;
}

static void reverse_fini(void *state)
{
	(void)state;
}

#ifdef GB_TEST_WRONG_ABI
#define PLUGIN_ABI (GB_MODEL_ABI + 100)
#else
#define PLUGIN_ABI GB_MODEL_ABI
#endif

const struct gb_model_ops gb_model_plugin = {
        .abi = PLUGIN_ABI,
        .name = "reverse",
        .summary = "test plugin: tasks one after another, last first",
        .workloads = GB_WL_BIT(GB_WL_SEED) | GB_WL_BIT(GB_WL_CPU) | GB_WL_BIT(GB_WL_IO),
        .init = reverse_init,
        .run = reverse_run,
        .fini = reverse_fini,
};
