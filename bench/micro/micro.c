/*
 * micro.c - `gilbench micro`: ns per op of the suite's own primitives (GIL
 * acquire+release and handoff, a bytecode, a coroutine switch, channels),
 * each beside a baseline measured in the same run (mutex, condvar
 * ping-pong, swapcontext, pipe ping-pong) and the ratio the runtime is
 * meant to stay under. It reports; it asserts nothing.
 *
 * The driver (calibration, repetitions, text and JSON) knows no op: ops
 * are rows of tables listed in micro_ops.def; this file's own table,
 * gb_micro_ops_runtime, is at the end.
 *
 * Method. Each op is calibrated so one repetition takes about
 * MICRO_REP_NS; then every op runs one repetition per round, for 7 rounds
 * by default (round-robin, so an op and its baseline see the same machine
 * load); we report the median and the min-max of the repetitions. A repetition's figure is the mean
 * ns per op, except for one-way latencies (GB_MICRO_LATENCY: GIL handoff and its condvar baseline),
 * where it is the median of single handoffs, since one preempted sample would otherwise dominate.
 * Ops that need two CPUs bind their two sides to two different CPUs of the allowed set.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <gilbench/chan.h>
#include <gilbench/coro.h>
#include <gilbench/gil.h>
#include <gilbench/interp.h>

#include "parse.h"
#include "cmd.h"
#include "context.h"
#include "log.h"
#include "suggest.h"
#include "micro.h"
#include "results_io.h"
#include "stats.h"

#define MICRO_REPS_DEFAULT     7
#define MICRO_REPS_MIN         5
#define MICRO_REPS_MAX         1000
#define MICRO_REP_NS           30000000.0 /* one repetition: about 30 ms */
#define MICRO_CALIBRATE_NS     4000000.0  /* stop calibrating once a call takes 4 ms */
#define MICRO_HANDOFF_PAUSE_NS 30000      /* let the waiter fall asleep before each handoff */
#define MICRO_MSG              16         /* bytes per channel/pipe message */

#define GB_MICRO_TABLE(t) extern const struct gb_micro_op t[];
#include "micro_ops.def"
#undef GB_MICRO_TABLE

static const struct gb_micro_op *const micro_tables[] = {
#define GB_MICRO_TABLE(t) t,
#include "micro_ops.def"
#undef GB_MICRO_TABLE
        NULL,
};

/* --- helpers for ops --- */

static int micro_cpus[2] = {-1, -1};

void gb_micro_pin(unsigned which)
{
	cpu_set_t set;

	if (which > 1 || micro_cpus[0] < 0 || micro_cpus[1] < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(micro_cpus[which], &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* 0 and the allowed set in *all, or -errno. */
static int micro_pick_cpus(cpu_set_t *all)
{
	int n = 0;

	if (sched_getaffinity(0, sizeof(*all), all) != 0)
		return -errno;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, all))
			micro_cpus[n++] = c;
	if (n < 2)
		micro_cpus[0] = micro_cpus[1] = -1;
	return 0;
}

static uint64_t micro_now(void)
{
	return gb_clock_now_ns();
}

static inline void micro_relax(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
	if (micro_cpus[0] < 0)
		sched_yield(); /* one CPU: spinning would only delay the other side */
}

static int micro_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* --- baselines --- */

static int op_base_mutex(const char *arg, uint64_t iters, double *ns, char *why, size_t wl)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	uint64_t t0 = micro_now();

	for (uint64_t i = 0; i < iters; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
	}
	*ns = (double)(micro_now() - t0) / (double)iters;
	pthread_mutex_destroy(&m);
	return 0;
}

static ucontext_t uc_main, uc_other;
static uint64_t uc_left;

static void uc_fn(void)
{
	while (uc_left--)
		swapcontext(&uc_other, &uc_main);
	swapcontext(&uc_other, &uc_main);
}

static int op_base_swapcontext(const char *arg, uint64_t iters, double *ns, char *why, size_t wl)
{
	size_t size = 64 * 1024;
	void *stack = malloc(size);
	uint64_t t0;

	if (!stack)
		return -ENOMEM;
	getcontext(&uc_other);
	uc_other.uc_stack.ss_sp = stack;
	uc_other.uc_stack.ss_size = size;
	uc_other.uc_link = NULL;
	makecontext(&uc_other, uc_fn, 0);
	uc_left = iters;
	t0 = micro_now();
	for (uint64_t i = 0; i <= iters; i++)
		swapcontext(&uc_main, &uc_other);
	*ns = (double)(micro_now() - t0) / (double)(2 * (iters + 1));
	free(stack);
	return 0;
}

/* Both directions of a ping-pong: gilbench channels, or two raw pipes. */
struct micro_pp {
	int use_chan;
	int to_child[2], to_parent[2];
	struct gb_chan *down, *up;
};

/* The child's side: answer every message until the parent closes. Never returns. */
static void micro_pp_child(struct micro_pp *pp)
{
	char buf[MICRO_MSG];
	size_t len;

	gb_micro_pin(1);
	if (pp->use_chan) {
		gb_chan_xproc_reader_side(pp->down);
		gb_chan_xproc_writer_side(pp->up);
		while (gb_chan_get(pp->down, buf, sizeof(buf), &len) == 0)
			if (gb_chan_put(pp->up, buf, len) != 0)
				break;
	} else {
		close(pp->to_child[1]);
		close(pp->to_parent[0]);
		while (read(pp->to_child[0], buf, sizeof(buf)) == (ssize_t)sizeof(buf))
			if (write(pp->to_parent[1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
				break;
	}
	_exit(0);
}

/* The parent's timed side: iters round trips. 0 or -errno. */
static int micro_pp_parent(struct micro_pp *pp, uint64_t iters, double *ns)
{
	char msg[MICRO_MSG] = "ping-pong-16byte";
	uint64_t t0;
	int err = 0;

	gb_micro_pin(0);
	if (pp->use_chan) {
		gb_chan_xproc_writer_side(pp->down);
		gb_chan_xproc_reader_side(pp->up);
	} else {
		close(pp->to_child[0]);
		close(pp->to_parent[1]);
		pp->to_child[0] = pp->to_parent[1] = -1;
	}
	t0 = micro_now();
	for (uint64_t i = 0; i < iters && !err; i++) {
		size_t len;
		if (pp->use_chan) {
			err = gb_chan_put(pp->down, msg, sizeof(msg));
			if (!err)
				err = gb_chan_get(pp->up, msg, sizeof(msg), &len);
		} else if (write(pp->to_child[1], msg, sizeof(msg)) != (ssize_t)sizeof(msg) ||
		           read(pp->to_parent[0], msg, sizeof(msg)) != (ssize_t)sizeof(msg)) {
			err = -EIO;
		}
	}
	*ns = (double)(micro_now() - t0) / (double)iters;
	return err;
}

/* Two processes bouncing MICRO_MSG bytes: a raw pipe, or gilbench channels. */
static int micro_pingpong(int use_chan, uint64_t iters, double *ns, char *why, size_t wl)
{
	struct micro_pp pp = {use_chan, {-1, -1}, {-1, -1}, NULL, NULL};
	int status, err = 0;
	pid_t pid;

	if (use_chan) {
		err = gb_chan_create_xproc(&pp.down);
		if (!err)
			err = gb_chan_create_xproc(&pp.up);
	} else if (pipe(pp.to_child) != 0 || pipe(pp.to_parent) != 0) {
		err = -errno;
	}
	if (err) {
		snprintf(why, wl, "pipe: %s", strerror(-err));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		snprintf(why, wl, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		micro_pp_child(&pp);
	err = micro_pp_parent(&pp, iters, ns);
	if (err)
		snprintf(why, wl, "round trip failed: %s", strerror(-err));
	if (use_chan)
		gb_chan_close_writer(pp.down);
	else
		close(pp.to_child[1]);
	pp.to_child[1] = -1;
	waitpid(pid, &status, 0);
out:
	for (int i = 0; i < 2; i++) {
		if (pp.to_child[i] >= 0)
			close(pp.to_child[i]);
		if (pp.to_parent[i] >= 0)
			close(pp.to_parent[i]);
	}
	gb_chan_destroy(pp.down);
	gb_chan_destroy(pp.up);
	return err;
}

static int op_base_pipe(const char *arg, uint64_t iters, double *ns, char *why, size_t wl)
{
	return micro_pingpong(0, iters, ns, why, wl);
}

static int op_chan_xproc(const char *arg, uint64_t iters, double *ns, char *why, size_t wl)
{
	return micro_pingpong(1, iters, ns, why, wl);
}

/* --- one-way handoffs: the GIL, or a bare condvar --- */

struct handoff {
	struct gb_gil *gil;       /* NULL: the condvar baseline */
	struct gb_gil_thread *gt; /* [2], cache-line aligned */
	pthread_mutex_t m;
	pthread_cond_t c;
	int owner;
	_Atomic int waiting[2];
	_Atomic uint64_t t_drop;
	_Atomic uint64_t done; /* handoffs completed */
	uint64_t iters;
	uint64_t *lat;
	pthread_barrier_t start;
};

struct handoff_arg {
	struct handoff *h;
	unsigned me;
};

static void handoff_take(struct handoff *h, unsigned me)
{
	if (h->gil) {
		gb_gil_acquire(&h->gt[me]);
		return;
	}
	pthread_mutex_lock(&h->m);
	while (h->owner != (int)me)
		pthread_cond_wait(&h->c, &h->m);
	pthread_mutex_unlock(&h->m);
}

static void handoff_give(struct handoff *h, unsigned me)
{
	if (h->gil) {
		gb_gil_release(&h->gt[me]);
		return;
	}
	pthread_mutex_lock(&h->m);
	h->owner = (int)(1 - me);
	pthread_cond_signal(&h->c);
	pthread_mutex_unlock(&h->m);
}

static void *handoff_main(void *p)
{
	struct handoff_arg *a = p;
	struct handoff *h = a->h;
	unsigned me = a->me;

	gb_micro_pin(me);
	if (me == 0)
		handoff_take(h, 0); /* thread 0 holds first */
	pthread_barrier_wait(&h->start);
	for (uint64_t k = 0; k < h->iters; k++) {
		unsigned giver = (unsigned)(k % 2);
		if (me != giver) {
			atomic_store(&h->waiting[me], 1);
			handoff_take(h, me);
			h->lat[k] = micro_now() - atomic_load(&h->t_drop);
			atomic_store(&h->waiting[me], 0);
			atomic_store(&h->done, k + 1);
		} else {
			uint64_t t;
			while (!atomic_load(&h->waiting[1 - me]))
				micro_relax();
			/* Make sure the other side is asleep in the wait, not still arriving. */
			t = micro_now();
			while (micro_now() - t < MICRO_HANDOFF_PAUSE_NS)
				micro_relax();
			atomic_store(&h->t_drop, micro_now());
			handoff_give(h, me);
			while (atomic_load(&h->done) < k + 1)
				micro_relax();
		}
	}
	/* Whoever holds it last lets go. */
	if (me == (unsigned)(h->iters % 2) && h->gil)
		gb_gil_release(&h->gt[me]);
	return NULL;
}

static int micro_handoff(const char *policy, uint64_t iters, double *ns, char *why, size_t wl)
{
	struct handoff h = {.iters = iters, .owner = 0};
	struct handoff_arg args[2] = {{&h, 0}, {&h, 1}};
	pthread_t tid[2];
	int err = 0;

	h.lat = calloc(iters, sizeof(*h.lat));
	h.gt = aligned_alloc(GB_CACHE_LINE, 2 * sizeof(*h.gt));
	if (!h.lat || !h.gt) {
		err = -ENOMEM;
		goto out;
	}
	if (policy) {
		struct gb_gil_config cfg = {.policy = policy};
		err = gb_gil_create(&cfg, &h.gil);
		if (err) {
			snprintf(why, wl, "GIL '%s': %s", policy, strerror(-err));
			goto out;
		}
		for (unsigned i = 0; i < 2 && !err; i++)
			err = gb_gil_thread_attach(h.gil, i, &h.gt[i]);
		if (err)
			goto out_gil;
	}
	pthread_mutex_init(&h.m, NULL);
	pthread_cond_init(&h.c, NULL);
	pthread_barrier_init(&h.start, NULL, 2);
	for (unsigned i = 0; i < 2; i++)
		pthread_create(&tid[i], NULL, handoff_main, &args[i]);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	qsort(h.lat, iters, sizeof(*h.lat), micro_cmp_u64);
	*ns = (double)h.lat[iters / 2];
	pthread_barrier_destroy(&h.start);
	pthread_cond_destroy(&h.c);
	pthread_mutex_destroy(&h.m);
	for (unsigned i = 0; policy && i < 2; i++)
		gb_gil_thread_detach(&h.gt[i]);
out_gil:
	gb_gil_destroy(h.gil);
out:
	free(h.lat);
	free(h.gt);
	return err;
}

static int op_base_condvar(const char *arg, uint64_t iters, double *ns, char *why, size_t wl)
{
	return micro_handoff(NULL, iters < 2 ? 2 : iters, ns, why, wl);
}

static int op_gil_handoff(const char *policy, uint64_t iters, double *ns, char *why, size_t wl)
{
	return micro_handoff(policy, iters < 2 ? 2 : iters, ns, why, wl);
}

/* --- the runtime's own ops --- */

static int op_gil_uncontended(const char *policy, uint64_t iters, double *ns, char *why, size_t wl)
{
	struct gb_gil_config cfg = {.policy = policy};
	struct gb_gil_thread *t = aligned_alloc(GB_CACHE_LINE, sizeof(*t));
	struct gb_gil *gil = NULL;
	uint64_t t0;
	int err;

	if (!t)
		return -ENOMEM;
	err = gb_gil_create(&cfg, &gil);
	if (!err)
		err = gb_gil_thread_attach(gil, 0, t);
	if (err) {
		snprintf(why, wl, "GIL '%s': %s", policy, strerror(-err));
		goto out;
	}
	t0 = micro_now();
	for (uint64_t i = 0; i < iters; i++) {
		gb_gil_acquire(t);
		gb_gil_release(t);
	}
	*ns = (double)(micro_now() - t0) / (double)iters;
	gb_gil_thread_detach(t);
out:
	gb_gil_destroy(gil);
	free(t);
	return err;
}

static int op_bytecode(const char *arg, uint64_t iters, double *ns, char *why, size_t wl)
{
	struct gb_gil_config cfg = {.policy = "new"};
	struct gb_interp_env env = {.check_every = 1};
	struct gb_gil_thread *t = aligned_alloc(GB_CACHE_LINE, sizeof(*t));
	struct gb_gil *gil = NULL;
	struct gb_task task;
	uint64_t t0;
	int err;

	if (!t)
		return -ENOMEM;
	err = gb_gil_create(&cfg, &gil);
	if (!err)
		err = gb_gil_thread_attach(gil, 0, t);
	if (err)
		goto out;
	gb_gil_acquire(t);
	gb_task_init(&task, NULL, 0, t);
	t0 = micro_now();
	gb_interp_compute(&task, &env, iters);
	*ns = (double)(micro_now() - t0) / (double)iters;
	gb_gil_release(t);
	gb_gil_thread_detach(t);
out:
	gb_gil_destroy(gil);
	free(t);
	return err;
}

static uint64_t coro_left;

static void coro_bouncer(struct gb_coro *self, void *arg)
{
	struct gb_coro *main_ctx = arg;

	while (coro_left--)
		gb_coro_switch(self, main_ctx);
}

static int op_coro_switch(const char *arg, uint64_t iters, double *ns, char *why, size_t wl)
{
	struct gb_coro *main_ctx = gb_coro_main(), *co;
	uint64_t t0, n = 0;
	int err = gb_coro_create(&co, 0, coro_bouncer, main_ctx);

	if (err)
		return err;
	coro_left = iters;
	t0 = micro_now();
	while (!gb_coro_finished(co)) {
		gb_coro_switch(main_ctx, co);
		n++;
	}
	*ns = (double)(micro_now() - t0) / (double)(2 * n);
	gb_coro_destroy(co);
	return 0;
}

static int op_chan_inproc(const char *arg, uint64_t iters, double *ns, char *why, size_t wl)
{
	struct gb_chan *ch;
	char msg[MICRO_MSG] = "ping-pong-16byte";
	size_t len;
	uint64_t t0;
	int err = gb_chan_create_inproc(&ch);

	if (err)
		return err;
	t0 = micro_now();
	for (uint64_t i = 0; i < iters && !err; i++) {
		err = gb_chan_put(ch, msg, sizeof(msg));
		if (!err)
			err = gb_chan_get(ch, msg, sizeof(msg), &len);
	}
	*ns = (double)(micro_now() - t0) / (double)iters;
	gb_chan_destroy(ch);
	return err;
}

const struct gb_micro_op gb_micro_ops_runtime[] = {
        {.name = "base_mutex", .fn = op_base_mutex},
        {.name = "base_condvar_pingpong", .flags = GB_MICRO_LATENCY, .fn = op_base_condvar},
        {.name = "base_swapcontext", .fn = op_base_swapcontext},
        {.name = "base_pipe_pingpong", .fn = op_base_pipe},
        {.name = "gil_uncontended_%s",
         .baseline = "base_mutex",
         .target = 2.0,
         .flags = GB_MICRO_EACH_POLICY,
         .fn = op_gil_uncontended},
        {.name = "gil_handoff_new",
         .baseline = "base_condvar_pingpong",
         .target = 1.5,
         .flags = GB_MICRO_LATENCY,
         .arg = "new",
         .fn = op_gil_handoff},
        {.name = "gil_handoff_new312",
         .baseline = "base_condvar_pingpong",
         .target = 1.5,
         .flags = GB_MICRO_LATENCY,
         .arg = "new312",
         .fn = op_gil_handoff},
        {.name = "gil_handoff_priority",
         .baseline = "base_condvar_pingpong",
         .target = 1.5,
         .flags = GB_MICRO_LATENCY,
         .arg = "priority",
         .fn = op_gil_handoff},
        {.name = "gil_handoff_legacy",
         .baseline = "base_condvar_pingpong",
         .target = 1.5,
         .flags = GB_MICRO_LATENCY,
         .arg = "legacy",
         .fn = op_gil_handoff},
        /* No gil_handoff_none: `none` has no lock to hand over. */
        {.name = "bytecode", .fn = op_bytecode},
        {.name = "coro_switch",
         .baseline = "base_swapcontext",
         .target = 0.1,
         .fn = op_coro_switch},
        {.name = "chan_inproc", .fn = op_chan_inproc},
        {.name = "chan_xproc",
         .baseline = "base_pipe_pingpong",
         .target = 1.5,
         .fn = op_chan_xproc},
        {0},
};

/* --- the driver --- */

struct micro_row {
	char name[64];
	const struct gb_micro_op *op;
	const char *arg;
	int selected, ran, failed;
	uint64_t iters; /* per repetition, from calibration */
	double *x;      /* one figure per repetition */
	double median, min, max;
};

struct micro_opts {
	int json;
	unsigned reps;
	const char *filter;
};

static void micro_usage(FILE *f)
{
	fprintf(f,
	        "usage: gilbench micro [--format text|json] [--reps N] [--filter TEXT]\n\n"
	        "Times the suite's own primitives (ns per op) beside baselines measured in\n"
	        "the same run, and shows each op's ratio to its baseline and target.\n\n"
	        "  --format F     text (default) or json: {\"context\", \"ops\": {NAME:\n"
	        "                 {median_ns, min_ns, max_ns, reps}}, \"targets\": {NAME:\n"
	        "                 {baseline, ratio, target_ratio, met}}} (--json: the same)\n"
	        "  --reps N       repetitions per op, %d to %d (default %d)\n"
	        "  --filter TEXT  only ops whose name contains TEXT (and their baselines)\n"
	        "  --help         this text\n",
	        MICRO_REPS_MIN, MICRO_REPS_MAX, MICRO_REPS_DEFAULT);
}

/* 0 ok, 1 bad input (one line printed), -1 help printed. */
static int micro_parse(int argc, char **argv, struct micro_opts *o)
{
	static const struct option longopts[] = {
	        {"json", no_argument, NULL, 'j'},       {"format", required_argument, NULL, 'F'},
	        {"reps", required_argument, NULL, 'r'}, {"filter", required_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct micro_opts){.reps = MICRO_REPS_DEFAULT};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hr:", longopts, NULL)) != -1) {
		unsigned long long v;
		switch (c) {
		case 'j': /* the older spelling of --format json */
			o->json = 1;
			break;
		case 'F':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				gb_err("micro", "--format: '%s' is not text or json", optarg);
				return 1;
			}
			o->json = strcmp(optarg, "json") == 0;
			break;
		case 'r':
			if (gb_parse_uint(optarg, MICRO_REPS_MIN, MICRO_REPS_MAX, &v) != 0) {
				gb_err("micro", "--reps: '%s' is not an integer from %d to %d",
				       optarg, MICRO_REPS_MIN, MICRO_REPS_MAX);
				return 1;
			}
			o->reps = (unsigned)v;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case 'h':
			micro_usage(stdout);
			return -1;
		case ':':
			gb_err("micro", "option '%s' needs a value", argv[optind - 1]);
			return 1;
		default: {
			char hint[96];

			gb_suggest_option_hint(hint, sizeof(hint), argv[optind - 1], longopts,
			                       " (try 'gilbench micro --help')");
			gb_err("micro", "unknown option '%s'%s", argv[optind - 1], hint);
			return 1;
		}
		}
	}
	if (optind < argc) {
		gb_err("micro", "unexpected argument '%s' (try 'gilbench micro --help')",
		       argv[optind]);
		return 1;
	}
	return 0;
}

/* Every op of every table, with EACH_POLICY rows expanded. */
static struct micro_row *micro_rows(size_t *n)
{
	struct micro_row *rows = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t t = 0; micro_tables[t]; t++) {
		for (const struct gb_micro_op *op = micro_tables[t]; op->name; op++) {
			size_t k = 0;
			do {
				const struct gb_gil_policy *p = NULL;
				struct micro_row *r;
				if (op->flags & GB_MICRO_EACH_POLICY) {
					p = gb_gil_policy_at(k);
					if (!p)
						break;
				}
				if (*n == cap) {
					cap = cap ? cap * 2 : 32;
					r = realloc(rows, cap * sizeof(*rows));
					if (!r) {
						free(rows);
						return NULL;
					}
					rows = r;
				}
				r = &rows[(*n)++];
				memset(r, 0, sizeof(*r));
				r->op = op;
				r->arg = p ? p->name : op->arg;
				snprintf(r->name, sizeof(r->name), op->name, p ? p->name : "");
			} while ((op->flags & GB_MICRO_EACH_POLICY) && ++k);
		}
	}
	return rows;
}

static struct micro_row *micro_find(struct micro_row *rows, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

static void micro_fail(struct micro_row *r, int err, const char *why)
{
	gb_err("micro", "%s: %s", r->name, why[0] ? why : strerror(-err));
	r->failed = 1;
}

/* Warms up and sizes one repetition of a row from how long a whole call takes. */
static int micro_calibrate(struct micro_row *r)
{
	uint64_t iters = 16;
	char why[256] = "";
	double ns = 0;

	for (;;) {
		uint64_t t0 = micro_now(), took;
		int err = r->op->fn(r->arg, iters, &ns, why, sizeof(why));
		took = micro_now() - t0;
		if (err) {
			micro_fail(r, err, why);
			return err;
		}
		if (took >= MICRO_CALIBRATE_NS || iters >= (1ull << 34)) {
			double per = (double)took / (double)iters;
			iters = (uint64_t)(MICRO_REP_NS / (per > 0.1 ? per : 0.1));
			r->iters = iters < 16 ? 16 : iters;
			return 0;
		}
		iters *= took * 8 < MICRO_CALIBRATE_NS ? 8 : 2;
	}
}

/* One repetition of a row, the rep-th. */
static int micro_rep(struct micro_row *r, unsigned rep)
{
	char why[256] = "";
	int err = r->op->fn(r->arg, r->iters, &r->x[rep], why, sizeof(why));

	if (err)
		micro_fail(r, err, why);
	return err;
}

static void micro_summarize(struct micro_row *r, unsigned reps)
{
	r->median = gb_stats_median(r->x, reps);
	r->min = r->max = r->x[0];
	for (unsigned i = 1; i < reps; i++) {
		if (r->x[i] < r->min)
			r->min = r->x[i];
		if (r->x[i] > r->max)
			r->max = r->x[i];
	}
	r->ran = 1;
}

static void micro_print_text(struct micro_row *rows, size_t n, unsigned reps)
{
	printf("gilbench micro: ns per op, median and min-max of %u repetitions; ", reps);
	if (micro_cpus[0] >= 0)
		printf("two-sided ops on CPUs %d and %d\n\n", micro_cpus[0], micro_cpus[1]);
	else
		printf("one CPU: two-sided ops share it\n\n");
	printf("%-26s %10s %21s  %-22s %7s %7s  %s\n", "op", "median", "min-max", "baseline",
	       "ratio", "target", "met");
	for (size_t i = 0; i < n; i++) {
		const struct micro_row *r = &rows[i], *b;
		char range[48];
		if (!r->ran)
			continue;
		snprintf(range, sizeof(range), "%.1f-%.1f", r->min, r->max);
		printf("%-26s %10.1f %21s", r->name, r->median, range);
		b = micro_find(rows, n, r->op->baseline);
		if (b && b->ran && b->median > 0) {
			double ratio = r->median / b->median;
			char target[16] = "-";
			if (r->op->target > 0)
				snprintf(target, sizeof(target), "<=%gx", r->op->target);
			printf("  %-22s %6.2fx %7s  %s", b->name, ratio, target,
			       r->op->target <= 0       ? "-"
			       : ratio <= r->op->target ? "yes"
			                                : "NO");
		} else if (r->op->baseline) {
			printf("  %-22s %7s %7s  %s", r->op->baseline, "n/a", "", "-");
		}
		printf("\n");
	}
}

static int micro_print_json(struct micro_row *rows, size_t n, unsigned reps)
{
	json_t *doc = json_object(), *ops = json_object(), *ctx = gb_context_json();
	json_t *targets = json_object();
	int err;

	if (!doc || !ops || !ctx || !targets) {
		json_decref(doc);
		json_decref(ops);
		json_decref(ctx);
		json_decref(targets);
		gb_err("micro", "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct micro_row *r = &rows[i], *b;
		if (!r->ran)
			continue;
		json_object_set_new(ops, r->name,
		                    json_pack("{s:f, s:f, s:f, s:I}", "median_ns", r->median,
		                              "min_ns", r->min, "max_ns", r->max, "reps",
		                              (json_int_t)reps));
		/* Beside "ops", whose shape DESIGN.md fixes: each target's verdict. */
		b = micro_find(rows, n, r->op->baseline);
		if (r->op->target > 0 && b && b->ran && b->median > 0) {
			double ratio = r->median / b->median;
			json_object_set_new(targets, r->name,
			                    json_pack("{s:s, s:f, s:f, s:b}", "baseline", b->name,
			                              "ratio", ratio, "target_ratio", r->op->target,
			                              "met", ratio <= r->op->target));
		}
	}
	json_object_set_new(doc, "context", ctx);
	json_object_set_new(doc, "ops", ops);
	json_object_set_new(doc, "targets", targets);
	err = gb_json_write_atomic("-", doc);
	json_decref(doc);
	return err;
}

static void *micro_nothing(void *arg)
{
	return arg;
}

int gb_cmd_micro(int argc, char **argv)
{
	struct micro_opts o;
	struct micro_row *rows;
	cpu_set_t all;
	pthread_t tid;
	size_t n, matched = 0;
	int rc, failed = 0, have_all;

	rc = micro_parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : 1;
	rows = micro_rows(&n);
	if (!rows) {
		gb_err("micro", "out of memory");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (o.filter && !strstr(rows[i].name, o.filter))
			continue;
		struct micro_row *b = micro_find(rows, n, rows[i].op->baseline);
		rows[i].selected = 1;
		if (b)
			b->selected = 1;
		matched++;
	}
	if (!matched) {
		gb_err("micro", "--filter '%s' matches no op", o.filter);
		free(rows);
		return 1;
	}
	/* glibc takes shortcuts in a process that never had a second thread;
	 * measure everything, baselines included, in a multi-threaded one. */
	if (pthread_create(&tid, NULL, micro_nothing, NULL) == 0)
		pthread_join(tid, NULL);
	have_all = micro_pick_cpus(&all) == 0;
	/*
	 * Calibrate every op, then run the repetitions round-robin: an op and
	 * its baseline are measured minutes apart otherwise, and on a shared
	 * machine the load changes in between.
	 */
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].selected)
			continue;
		rows[i].x = calloc(o.reps, sizeof(*rows[i].x));
		if (!rows[i].x || micro_calibrate(&rows[i]) != 0) {
			rows[i].failed = failed = 1;
			rows[i].selected = 0;
		}
		/* Ops may pin the calling thread: give it its CPUs back. */
		if (have_all)
			sched_setaffinity(0, sizeof(all), &all);
	}
	for (unsigned rep = 0; rep < o.reps; rep++) {
		for (size_t i = 0; i < n; i++) {
			if (!rows[i].selected)
				continue;
			if (micro_rep(&rows[i], rep) != 0) {
				failed = 1;
				rows[i].selected = 0;
			}
			if (have_all)
				sched_setaffinity(0, sizeof(all), &all);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (rows[i].selected)
			micro_summarize(&rows[i], o.reps);
	if (o.json)
		rc = micro_print_json(rows, n, o.reps);
	else
		micro_print_text(rows, n, o.reps);
	for (size_t i = 0; i < n; i++)
		free(rows[i].x);
	free(rows);
	if (rc)
		return 1;
	return failed ? 2 : 0;
}
