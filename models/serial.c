/*
 * serial.c - the baseline model: every task runs to the end, one after
 * another, on the calling thread, holding an uncontended GIL. Blocking ops
 * block the whole program, as plain sequential Python does. It is the
 * reference every speedup is measured against.
 */
#include <errno.h>
#include <stdlib.h>

#include <gilbench/model.h>

struct serial_state {
	struct gb_gil *gil;
	struct gb_gil_thread gt;
	const char **results;
	unsigned nresults;
};

static void serial_ret(void *ctx, struct gb_task *task, const char *value)
{
	struct serial_state *s = task->user;
	s->results[s->nresults++] = value;
}

static int serial_init(void **state, struct gb_run *run)
{
	struct serial_state *s;
	struct gb_gil_config cfg;
	int err;

	s = aligned_alloc(GB_CACHE_LINE,
	                  (sizeof(*s) + GB_CACHE_LINE - 1) / GB_CACHE_LINE * GB_CACHE_LINE);
	if (!s)
		return -ENOMEM;
	*s = (struct serial_state){0};
	s->results = calloc(gb_run_tasks(run), sizeof(*s->results));
	if (!s->results) {
		err = -ENOMEM;
		goto fail_results;
	}
	gb_run_gil_config(run, &cfg);
	err = gb_gil_create(&cfg, &s->gil);
	if (err)
		goto fail_gil;
	*state = s;
	return 0;

fail_gil:
	free(s->results);
fail_results:
	free(s);
	return err;
}

static int serial_run(void *state, struct gb_run *run)
{
	struct serial_state *s = state;
	struct gb_interp_env env;
	struct gb_task task;
	int err;

	gb_run_interp_env(run, &env);
	env.ret = serial_ret;
	err = gb_gil_thread_attach(s->gil, 0, &s->gt);
	if (err)
		return err;
	gb_run_pin(run, 0);
	gb_gil_acquire(&s->gt);
	for (unsigned i = 0; i < gb_run_tasks(run) && !err; i++) {
		enum gb_step step;

		gb_task_init(&task, gb_run_program(run, i), i, &s->gt);
		task.user = s;
		while ((step = gb_interp_step(&task, &env)) != GB_STEP_DONE) {
			if (step == GB_STEP_YIELD)
				continue; /* nobody else to run */
			err = gb_interp_block(&task, step, gb_run_echo_fd(run, i));
			if (err) {
				gb_run_errorf(run, "task %u: blocking op failed: %s", i,
				              step == GB_STEP_ECHO ? "echo" : "sleep");
				break;
			}
		}
		gb_run_collect_task(run, &task);
	}
	gb_gil_release(&s->gt);
	for (unsigned i = 0; i < s->nresults; i++)
		gb_run_print(run, s->results[i]);
	gb_run_collect_gil(run, &s->gt);
	gb_gil_thread_detach(&s->gt);
	return err;
}

static void serial_fini(void *state)
{
	struct serial_state *s = state;

	gb_gil_destroy(s->gil);
	free(s->results);
	free(s);
}

static const char *serial_unsupported(const struct gb_params *p)
{
	/* The foreground runs until the background is done; one after the other,
	 * the background would never start. Alone (-t 1) it is the baseline. */
	if (p->workload == GB_WL_BACKGROUND && p->tasks > 1)
		return "serial runs one task after another: a foreground that runs until "
		       "the background ends would never end (use -t 1 for the baseline)";
	return NULL;
}

const struct gb_model_ops gb_model_serial = {
        .abi = GB_MODEL_ABI,
        .name = "serial",
        .summary = "one task after another on one thread: the baseline",
        .workloads = GB_WL_ALL,
        .flags = GB_MF_ONE_THREAD,
        .unsupported = serial_unsupported,
        .init = serial_init,
        .run = serial_run,
        .fini = serial_fini,
};
