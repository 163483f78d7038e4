/*
 * interp.c - the simulated interpreter: runs a task program's ops in
 * place and stops where the task needs the world (a blocking op, a yield,
 * the end). How a task waits, and who runs meanwhile, is the model's
 * business; this file only promises that the GIL is held whenever a
 * bytecode runs and released around native work and blocking calls.
 *
 * A "bytecode" is INTERP_ROUNDS rounds of an xorshift-multiply chain on
 * the task's own state (task->work). Each round depends on the previous
 * one, so the compiler can neither drop nor vectorise it, and the cost is
 * fixed by latency, not by the data. INTERP_ROUNDS is set so a bytecode
 * costs about what one CPython bytecode does (tens of ns); `gilbench
 * micro` reports the real figure (op "bytecode").
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gilbench/interp.h>

#define INTERP_ROUNDS 10
#define INTERP_FIX    65536u /* overhead as a fixed-point fraction of a round */
#define INTERP_CHUNK  4096u

static inline uint64_t interp_round(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x * 0x2545f4914f6cdd1dull;
}

static inline uint64_t interp_bytecode(uint64_t x)
{
	for (int r = 0; r < INTERP_ROUNDS; r++)
		x = interp_round(x);
	return x;
}

void gb_task_init(struct gb_task *task, const struct gb_program *prog, unsigned id,
                  struct gb_gil_thread *gt)
{
	*task = (struct gb_task){
	        .prog = prog,
	        .gt = gt,
	        .id = id,
	        /* Any odd seed: xorshift never leaves 0, so avoid it. */
	        .work = 0x9e3779b97f4a7c15ull ^ ((uint64_t)id << 1) ^ 1u,
	        .at_body_start = 1,
	};
}

void gb_interp_compute(struct gb_task *task, const struct gb_interp_env *env, uint64_t n)
{
	struct gb_gil_thread *gt = task->gt;
	uint32_t every = env->check_every ? env->check_every : 1;
	uint32_t since = task->since_check;
	uint64_t x = task->work;
	/* (1 + overhead) times the work: whole extra rounds, and the fraction
	 * of one carried in `acc` so that small overheads are not lost. */
	double extra_rounds = env->overhead > 0 ? env->overhead * INTERP_ROUNDS : 0.0;
	uint64_t extra_whole = (uint64_t)extra_rounds;
	uint32_t extra_frac = (uint32_t)((extra_rounds - (double)extra_whole) * INTERP_FIX);
	uint32_t acc = 0;

	if (extra_rounds == 0.0) {
		for (uint64_t i = 0; i < n; i++) {
			x = interp_bytecode(x);
			if (gt && ++since >= every) {
				since = 0;
				gb_gil_check(gt);
			}
		}
	} else {
		for (uint64_t i = 0; i < n; i++) {
			x = interp_bytecode(x);
			for (uint64_t r = 0; r < extra_whole; r++)
				x = interp_round(x);
			acc += extra_frac;
			if (acc >= INTERP_FIX) {
				acc -= INTERP_FIX;
				x = interp_round(x);
			}
			if (gt && ++since >= every) {
				since = 0;
				gb_gil_check(gt);
			}
		}
	}
	task->work = x;
	task->since_check = since;
	task->n.bytecodes += n;
}

void gb_interp_native_work(uint64_t n)
{
	uint64_t x = 0x2545f4914f6cdd1dull ^ n;

	for (uint64_t i = 0; i < n; i++)
		x = interp_bytecode(x);
	/* The result is unused: tell the compiler it is not. */
	__asm__ volatile("" : : "r"(x));
}

static int interp_more(const struct gb_task *task, const struct gb_interp_env *env)
{
	const struct gb_program *prog = task->prog;

	if (!prog || prog->n_ops == 0)
		return 0;
	/* The first body runs even if the stop flag is already set: a foreground
	 * that starts after its background ended still makes its one request,
	 * so a cell has a latency however the tasks happened to be scheduled. */
	if (prog->repeat == GB_REPEAT_UNTIL_STOP)
		return env->stop &&
		       (task->iter == 0 || !atomic_load_explicit(env->stop, memory_order_relaxed));
	return task->iter < prog->repeat;
}

/* The blocking op the previous step returned has been completed by the model. */
static void interp_complete_block(struct gb_task *task, const struct gb_interp_env *env)
{
	if (task->pending == GB_STEP_ECHO && (task->prog->flags & GB_PF_LATENCY) && env->latency)
		env->latency(env->ctx, task, gb_clock_now_ns() - task->block_t0);
	task->n.blocking_ops++;
	task->pending = 0;
}

/* COMPUTE: to the end of the op, or to the next yield point (--yield-every). */
static int interp_compute_op(struct gb_task *task, const struct gb_interp_env *env,
                             const struct gb_op *op)
{
	uint64_t left = op->n - task->op_done;

	if (env->yield_every && left > env->yield_every) {
		gb_interp_compute(task, env, env->yield_every);
		task->op_done += env->yield_every;
		task->n.yields++;
		return GB_STEP_YIELD;
	}
	gb_interp_compute(task, env, left);
	task->op_done = 0;
	task->pc++;
	return -1;
}

/* NATIVE: the work runs with the GIL released, as a NumPy call's does. */
static void interp_native_op(struct gb_task *task, const struct gb_op *op)
{
	if (task->gt) {
		gb_gil_release(task->gt);
		gb_gil_trace(task->gt, GB_EV_NATIVE_START);
	}
	gb_interp_native_work(op->n);
	if (task->gt) {
		gb_gil_trace(task->gt, GB_EV_NATIVE_END);
		gb_gil_acquire(task->gt);
	}
	task->n.native_units += op->n;
}

/*
 * Runs the op at task->pc: -1 when the task goes on with its next op, else
 * the step to return to the model (the op's pc is already past it).
 */
static int interp_op(struct gb_task *task, const struct gb_interp_env *env, const struct gb_op *op)
{
	switch (op->kind) {
	case GB_OP_COMPUTE:
		return interp_compute_op(task, env, op);
	case GB_OP_NATIVE:
		interp_native_op(task, op);
		break;
	case GB_OP_SLEEP:
	case GB_OP_ECHO:
		task->block_arg = op->n;
		task->pending = op->kind == GB_OP_SLEEP ? GB_STEP_SLEEP : GB_STEP_ECHO;
		task->pc++;
		if (op->kind == GB_OP_ECHO)
			task->block_t0 = gb_clock_now_ns();
		return task->pending;
	case GB_OP_PRINT:
		if (env->print)
			env->print(env->ctx, task, op->text ? op->text : "");
		break;
	case GB_OP_RETURN:
		if (env->ret)
			env->ret(env->ctx, task, op->text ? op->text : "");
		break;
	case GB_OP_YIELD:
		task->n.yields++;
		task->pc++;
		return GB_STEP_YIELD;
	default:
		/* An op this build does not know: nothing to run. */
		break;
	}
	task->pc++;
	return -1;
}

enum gb_step gb_interp_step(struct gb_task *task, const struct gb_interp_env *env)
{
	const struct gb_program *prog = task->prog;

	if (task->done)
		return GB_STEP_DONE;
	if (task->pending)
		interp_complete_block(task, env);
	for (;;) {
		int step;

		if (task->at_body_start) {
			if (!interp_more(task, env))
				break;
			task->at_body_start = 0;
		}
		if (task->pc >= prog->n_ops) {
			task->iter++;
			task->pc = 0;
			task->at_body_start = 1;
			continue;
		}
		step = interp_op(task, env, &prog->ops[task->pc]);
		if (step >= 0)
			return (enum gb_step)step;
	}
	task->done = 1;
	if (env->done)
		env->done(env->ctx, task);
	return GB_STEP_DONE;
}

static int interp_sleep(uint64_t ns)
{
	struct timespec dl;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	ns += (uint64_t)dl.tv_nsec;
	dl.tv_sec += (time_t)(ns / 1000000000u);
	dl.tv_nsec = (long)(ns % 1000000000u);
	/* An absolute deadline: a signal does not stretch the sleep. */
	while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL)) == EINTR)
		;
	return -rc;
}

static ssize_t interp_write(int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

	if (n < 0 && errno == ENOTSOCK)
		n = write(fd, buf, len);
	return n;
}

/* 0 to retry the call that failed with errno, or -errno to give up. A
 * non-blocking fd (a model may share it with an event loop) gets a poll. */
static int interp_retry(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};

	if (errno == EINTR)
		return 0;
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		return -errno;
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Writes `bytes` to the echo peer and reads as many back. */
/* sock.sendall(): `bytes` bytes to the peer. */
static int interp_send(int fd, uint64_t bytes)
{
	static const char out[INTERP_CHUNK];
	uint64_t sent = 0;
	int err;

	while (sent < bytes) {
		size_t len = bytes - sent < INTERP_CHUNK ? (size_t)(bytes - sent) : INTERP_CHUNK;
		ssize_t n = interp_write(fd, out, len);
		if (n < 0) {
			if ((err = interp_retry(fd, POLLOUT)))
				return err;
			continue;
		}
		sent += (uint64_t)n;
	}
	return 0;
}

/* sock.recv() until the whole reply is in. */
static int interp_recv(int fd, uint64_t bytes)
{
	char in[INTERP_CHUNK];
	uint64_t got = 0;
	int err;

	while (got < bytes) {
		size_t len = bytes - got < INTERP_CHUNK ? (size_t)(bytes - got) : INTERP_CHUNK;
		ssize_t n = read(fd, in, len);
		if (n < 0) {
			if ((err = interp_retry(fd, POLLIN)))
				return err;
			continue;
		}
		if (n == 0)
			return -EPIPE;
		got += (uint64_t)n;
	}
	return 0;
}

/* One blocking call between Py_BEGIN_ALLOW_THREADS and Py_END_ALLOW_THREADS. */
static int interp_released(struct gb_gil_thread *gt, int (*call)(int, uint64_t), int fd,
                           uint64_t arg)
{
	int err;

	if (gt) {
		gb_gil_release(gt);
		gb_gil_trace(gt, GB_EV_IO_START);
	}
	err = call(fd, arg);
	if (gt) {
		gb_gil_trace(gt, GB_EV_IO_END);
		gb_gil_acquire(gt);
	}
	return err;
}

static int interp_sleep_call(int fd, uint64_t ns)
{
	(void)fd;
	return interp_sleep(ns);
}

int gb_interp_block(struct gb_task *task, enum gb_step step, int echo_fd)
{
	struct gb_gil_thread *gt = task->gt;
	int err;

	if (step != GB_STEP_SLEEP && step != GB_STEP_ECHO)
		return -EINVAL;
	if (step == GB_STEP_ECHO) {
		if (task->block_arg > GB_INTERP_ECHO_MAX)
			return -EINVAL;
		if (echo_fd < 0)
			return echo_fd == -1 ? -EBADF : echo_fd;
	}
	if (step == GB_STEP_SLEEP)
		return interp_released(gt, interp_sleep_call, -1, task->block_arg);
	/* As Python's sock.sendall() then sock.recv(): two calls, each releasing
	 * the GIL, so a waiting thread can take it twice per request. */
	err = interp_released(gt, interp_send, echo_fd, task->block_arg);
	if (!err)
		err = interp_released(gt, interp_recv, echo_fd, task->block_arg);
	return err;
}
