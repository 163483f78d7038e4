/*
 * processes.c - the `processes` model: multiprocessing.Process with the fork
 * start method, and a SimpleQueue for results. One forked child per task;
 * each child creates its own (uncontended) GIL, pins itself, runs its
 * program, puts its RETURN value on the runtime's cross-process channel,
 * adds its counters, private memory, GIL totals and trace ring to the
 * run's shared totals and _exit()s.
 *
 * The parent owns the children's whole life: it reads results while they
 * run (so a full pipe never blocks a child), reaps every child on every
 * path (normal end, a child that fails or dies, fork failure, SIGINT or
 * SIGTERM), and says which child failed and how. Children die with it
 * (PR_SET_PDEATHSIG), so even a SIGKILLed parent leaves no orphan. It does
 * not time, place or build workloads: the harness does.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gilbench/chan.h>
#include <gilbench/model.h>

struct proc_child {
	pid_t pid;
	atomic_int reaped; /* read by the reader thread before it kills */
};

struct proc_state {
	struct gb_run *run;
	struct gb_chan *results;
	struct proc_child *kids;
	unsigned n, forked, live;
	/* Results in arrival order, printed once every child is reaped. */
	char **vals;
	size_t nvals, capvals;
	pthread_mutex_t lock; /* reaping vs the reader thread killing */
	int read_err;
};

/* What a child's result hook needs: where to put the value, whom to blame. */
struct proc_child_ctx {
	struct gb_run *run;
	struct gb_chan *results;
	unsigned id;
	int err;
};

/*
 * Set by the SIGINT/SIGTERM handler installed for the parent's wait. A
 * signal may land on another thread (the echo peer, the reader), so the
 * handler forwards it to the waiting thread to break its waitid().
 */
static volatile sig_atomic_t proc_signal;
static pthread_t proc_waiter;

static void proc_on_signal(int sig)
{
	int saved = errno;

	if (!proc_signal)
		proc_signal = sig;
	if (!pthread_equal(pthread_self(), proc_waiter))
		pthread_kill(proc_waiter, sig);
	errno = saved;
}

static void proc_ret(void *ctx, struct gb_task *task, const char *value)
{
	struct proc_child_ctx *c = task->user;
	int err;

	(void)ctx;
	err = gb_chan_put(c->results, value, strlen(value));
	if (err && !c->err) {
		c->err = err;
		gb_run_errorf(c->run, "task %u (pid %d): result put: %s", c->id, (int)getpid(),
		              strerror(-err));
	}
}

/* Runs task `id` in the forked child; the exit status says how it went. */
static int proc_child_run(struct gb_run *run, struct gb_chan *results, unsigned id)
{
	struct proc_child_ctx c = {.run = run, .results = results, .id = id};
	struct gb_gil_thread *gt;
	struct gb_interp_env env;
	struct gb_gil_config cfg;
	struct gb_gil *gil;
	struct gb_task task;
	enum gb_step step;
	int err;

	gt = aligned_alloc(GB_CACHE_LINE, sizeof(*gt));
	if (!gt)
		return 1;
	gb_run_gil_config(run, &cfg);
	err = gb_gil_create(&cfg, &gil);
	if (err) {
		gb_run_errorf(run, "task %u: GIL: %s", id, strerror(-err));
		return 1;
	}
	/* Thread id = task id: unique across the cell's processes, so their
	 * traces merge without clashes. */
	err = gb_gil_thread_attach(gil, id, gt);
	if (err) {
		gb_run_errorf(run, "task %u: GIL attach: %s", id, strerror(-err));
		return 1;
	}
	gb_run_pin(run, id);
	gb_run_interp_env(run, &env);
	env.ret = proc_ret;
	env.yield_every = 0;
	gb_gil_acquire(gt);
	gb_task_init(&task, gb_run_program(run, id), id, gt);
	task.user = &c;
	while ((step = gb_interp_step(&task, &env)) != GB_STEP_DONE) {
		if (step == GB_STEP_YIELD)
			continue; /* alone in its process: nobody to yield to */
		err = gb_interp_block(&task, step, gb_run_echo_fd(run, id));
		if (err) {
			gb_run_errorf(run, "task %u (pid %d): %s failed: %s", id, (int)getpid(),
			              step == GB_STEP_ECHO ? "echo" : "sleep", strerror(-err));
			break;
		}
	}
	gb_run_collect_task(run, &task);
	gb_gil_release(gt);
	/* Its memory as it ends its work, before anything is given back. */
	gb_run_collect_process(run);
	gb_run_collect_gil(run, gt);
	/* Destroying the GIL reports its own totals (held, contended) to the run;
	 * the rest _exit() returns, and the parent's memory is not ours. */
	gb_gil_thread_detach(gt);
	gb_gil_destroy(gil);
	return err || c.err ? 1 : 0;
}

static _Noreturn void proc_child_main(struct proc_state *s, pid_t parent, unsigned id,
                                      const struct sigaction *old_int,
                                      const struct sigaction *old_term, const sigset_t *old_mask)
{
	/* The parent's handlers are for the parent; the child dies as Python's would. */
	sigaction(SIGINT, old_int, NULL);
	sigaction(SIGTERM, old_term, NULL);
	pthread_sigmask(SIG_SETMASK, old_mask, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1); /* the parent died before prctl took effect */
	gb_chan_xproc_writer_side(s->results);
	_exit(proc_child_run(s->run, s->results, id));
}

static int proc_init(void **state, struct gb_run *run)
{
	struct gb_gil_config cfg;
	struct proc_state *s;
	struct gb_gil *gil;
	int err;

	/* Each child creates its own GIL; check the policy here, before any fork. */
	gb_run_gil_config(run, &cfg);
	err = gb_gil_create(&cfg, &gil);
	if (err) {
		gb_run_errorf(run, "GIL '%s': %s", cfg.policy ? cfg.policy : "new", strerror(-err));
		return err;
	}
	gb_gil_destroy(gil);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->run = run;
	s->n = gb_run_tasks(run);
	s->kids = calloc(s->n, sizeof(*s->kids));
	if (!s->kids) {
		err = -ENOMEM;
		goto fail_kids;
	}
	err = gb_chan_create_xproc(&s->results);
	if (err)
		goto fail_chan;
	err = -pthread_mutex_init(&s->lock, NULL);
	if (err)
		goto fail_lock;
	*state = s;
	return 0;

fail_lock:
	gb_chan_destroy(s->results);
fail_chan:
	free(s->kids);
fail_kids:
	free(s);
	return err;
}

/* Kills every child not reaped yet; a zombie ignores it, a reaped pid is skipped. */
static void proc_kill_all(struct proc_state *s)
{
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->forked; i++)
		if (!atomic_load(&s->kids[i].reaped))
			kill(s->kids[i].pid, SIGKILL);
	pthread_mutex_unlock(&s->lock);
}

static int proc_push(struct proc_state *s, const char *buf, size_t len)
{
	char *v;

	if (s->nvals == s->capvals) {
		size_t cap = s->capvals ? 2 * s->capvals : 16;
		char **nv = realloc(s->vals, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		s->vals = nv;
		s->capvals = cap;
	}
	v = strndup(buf, len);
	if (!v)
		return -ENOMEM;
	s->vals[s->nvals++] = v;
	return 0;
}

/*
 * The reader: SimpleQueue.get() in a loop until every writer is gone. A
 * broken stream means no child can be trusted to finish: kill them all, so
 * the waiter is not left waiting on a child blocked on a full pipe.
 */
static void *proc_reader(void *arg)
{
	struct proc_state *s = arg;
	char buf[GB_CHAN_MSG_MAX];
	size_t len;
	int err;

	for (;;) {
		err = gb_chan_get(s->results, buf, sizeof(buf), &len);
		if (err == -EINTR)
			continue;
		if (err)
			break;
		err = proc_push(s, buf, len);
		if (err)
			break;
	}
	if (err != -EPIPE) {
		s->read_err = err;
		proc_kill_all(s);
	}
	return NULL;
}

static void proc_describe(struct proc_state *s, unsigned i, int status)
{
	if (WIFEXITED(status))
		gb_run_errorf(s->run, "task %u (pid %d) exited with status %d", i,
		              (int)s->kids[i].pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		gb_run_errorf(s->run, "task %u (pid %d) killed by signal %d (%s)", i,
		              (int)s->kids[i].pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
}

/* Reaps child i, known to have ended (a zombie: waitpid does not block); 1 if it ended well. */
static int proc_reap(struct proc_state *s, unsigned i)
{
	int status = 0;
	pid_t r;

	/* Under the lock, so proc_kill_all never signals a pid already given back. */
	pthread_mutex_lock(&s->lock);
	do
		r = waitpid(s->kids[i].pid, &status, 0);
	while (r < 0 && errno == EINTR);
	atomic_store(&s->kids[i].reaped, 1);
	pthread_mutex_unlock(&s->lock);
	s->live--;
	if (r < 0) {
		gb_run_errorf(s->run, "task %u (pid %d): waitpid: %s", i, (int)s->kids[i].pid,
		              strerror(errno));
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	proc_describe(s, i, status);
	return 0;
}

static int proc_index(const struct proc_state *s, pid_t pid)
{
	for (unsigned i = 0; i < s->forked; i++)
		if (s->kids[i].pid == pid && !atomic_load(&s->kids[i].reaped))
			return (int)i;
	return -1;
}

/*
 * Blocks until one of our children has ended, without reaping it (WNOWAIT
 * only peeks, so a child of someone else is never reaped here). Returns its
 * index, -EINTR, -EAGAIN (a foreign child: ask again) or another -errno.
 * Once a foreign child shows up, P_ALL would keep returning it: wait for
 * ours one by one instead.
 */
static int proc_peek(struct proc_state *s, int *foreign)
{
	siginfo_t si;
	int r;

	memset(&si, 0, sizeof(si));
	if (!*foreign) {
		r = waitid(P_ALL, 0, &si, WEXITED | WNOWAIT);
	} else {
		unsigned k = 0;

		while (k < s->forked && atomic_load(&s->kids[k].reaped))
			k++;
		r = waitid(P_PID, (id_t)s->kids[k].pid, &si, WEXITED | WNOWAIT);
	}
	if (r < 0)
		return -errno;
	r = proc_index(s, si.si_pid);
	if (r < 0) {
		*foreign = 1;
		return -EAGAIN;
	}
	return r;
}

/*
 * Waits for every child, in the order they end, so that the first failure
 * is seen at once and the others are killed rather than waited for (a
 * foreground task never ends if its background task died). Returns 1 if
 * anything failed (given `failed` or found here), 0, or -errno if our
 * children went missing.
 */
static int proc_wait_all(struct proc_state *s, int failed)
{
	int foreign = 0, sig_seen = 0;

	while (s->live) {
		int i;

		if (proc_signal && !sig_seen) {
			sig_seen = 1;
			failed = 1;
			gb_run_errorf(s->run, "interrupted by signal %d (%s): children killed",
			              (int)proc_signal, strsignal(proc_signal));
			proc_kill_all(s);
		}
		i = proc_peek(s, &foreign);
		if (i == -EINTR || i == -EAGAIN)
			continue;
		if (i < 0) {
			/* ECHILD with children left: someone else reaped ours. */
			gb_run_errorf(s->run, "waiting for %u children: %s", s->live, strerror(-i));
			return i;
		}
		if (!proc_reap(s, (unsigned)i) && !failed) {
			failed = 1;
			proc_kill_all(s);
		}
	}
	return failed;
}

static int proc_run(void *state, struct gb_run *run)
{
	struct proc_state *s = state;
	struct sigaction sa = {.sa_handler = proc_on_signal}, old_int, old_term;
	sigset_t block, old_mask;
	pthread_t reader;
	pid_t self = getpid();
	int err = 0, failed, have_reader = 0;

	proc_signal = 0;
	proc_waiter = pthread_self();
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: the wait must see the signal */
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	/* Held back while forking, so a child never runs the parent's handler. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);
	/* What stdio holds now would otherwise be written again by every child. */
	fflush(NULL);
	for (; s->forked < s->n && !proc_signal; s->forked++) {
		pid_t pid = fork();

		if (pid == 0)
			proc_child_main(s, self, s->forked, &old_int, &old_term, &old_mask);
		if (pid < 0) {
			err = -errno;
			gb_run_errorf(run, "task %u of %u: fork: %s", s->forked, s->n,
			              strerror(errno));
			break;
		}
		s->kids[s->forked].pid = pid;
		s->live++;
	}
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	/* From now on only children hold the write end: EOF once they are all gone. */
	gb_chan_xproc_reader_side(s->results);
	failed = err != 0;
	if (failed)
		proc_kill_all(s);
	if (pthread_create(&reader, NULL, proc_reader, s) == 0) {
		have_reader = 1;
	} else {
		gb_run_errorf(run, "result reader thread: cannot start");
		failed = 1;
		proc_kill_all(s);
	}
	failed = proc_wait_all(s, failed);
	if (failed < 0) {
		err = failed;
		/* Ours went missing: make sure none is left behind. */
		proc_kill_all(s);
	}
	if (have_reader)
		pthread_join(reader, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (s->read_err && !failed) {
		gb_run_errorf(run, "result channel: %s", strerror(-s->read_err));
		failed = 1;
	}
	for (size_t i = 0; i < s->nvals; i++)
		if (!failed)
			gb_run_print(run, s->vals[i]);
	if (proc_signal) {
		int sig = proc_signal;
		/* The children are reaped; now let the signal do what it did before. */
		proc_signal = 0;
		raise(sig);
		return -EINTR;
	}
	if (err)
		return err;
	return failed ? -ECHILD : 0;
}

static void proc_fini(void *state)
{
	struct proc_state *s = state;

	for (size_t i = 0; i < s->nvals; i++)
		free(s->vals[i]);
	free(s->vals);
	pthread_mutex_destroy(&s->lock);
	gb_chan_destroy(s->results);
	free(s->kids);
	free(s);
}

const struct gb_model_ops gb_model_processes = {
        .abi = GB_MODEL_ABI,
        .name = "processes",
        .summary = "multiprocessing.Process (fork) + SimpleQueue: one process and GIL per task",
        .workloads = GB_WL_ALL,
        .flags = GB_MF_FORKS,
        .init = proc_init,
        .run = proc_run,
        .fini = proc_fini,
};
