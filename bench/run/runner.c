/*
 * runner.c - the measurement loop: each repetition of a cell runs in its
 * own forked process group with a deadline, so a crash or hang becomes a
 * failed cell with a reason and the run goes on. The child measures one
 * repetition (wall, CPU, RSS, context switches, the run's counters) and
 * sends it back as one JSON object on a pipe. Statistics are report_json's.
 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gilbench/coro.h>

#include "log.h"
#include "metrics.h"
#include "params.h"
#include "registry.h"
#include "report_json.h"
#include "stats.h"
#include "status.h"

#define RUNNER_TRACE_PER_THREAD 65536

/* gcc says __SANITIZE_ADDRESS__; clang says __has_feature(address_sanitizer). */
#if defined(__has_feature)
#define RUNNER_HAS_FEATURE(x) __has_feature(x)
#else
#define RUNNER_HAS_FEATURE(x) 0
#endif

static volatile sig_atomic_t runner_interrupted;

/*
 * The progress line's state. The parent runs one repetition at a time and
 * redraws from its wait loop, so a plain static is enough.
 */
static struct runner_progress {
	const struct gb_matrix *m;
	int on;             /* stderr is a terminal and not --quiet */
	unsigned cell, rep; /* the cell and repetition running now */
	unsigned done;      /* cells whose repetitions have ended */
	unsigned finished;  /* of them, the ones not cut short by a signal */
	double t_start;     /* of the run */
	double t_cell;      /* start of the current cell */
	double t_drawn;     /* last redraw */
	unsigned vary;      /* 1u << gb_param_id: the list dimensions that vary */
} runner_prog;

static void runner_on_signal(int sig)
{
	runner_interrupted = sig;
}

static double runner_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

static long runner_rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, resident = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void runner_set(json_t *o, const char *k, double v)
{
	json_object_set_new(o, k, json_real(v));
}

/* ops_per_s: what the workload counts as its operations, per second. */
static double runner_ops(const struct gb_params *p, struct gb_run_shared *sh, double wall,
                         double bytecodes, double native, uint64_t nlat)
{
	if (wall <= 0)
		return 0.0;
	switch (p->workload) {
	case GB_WL_CPU:
		/* All the work: bytecodes (GIL held) and native units (released). */
		return (bytecodes + native) / wall;
	case GB_WL_BACKGROUND:
		return (double)nlat / wall;
	default:
		return (double)atomic_load(&sh->blocking_ops) / wall;
	}
}

/* The foreground's latency quantiles, from the shared histogram. */
static void runner_sample_latency(json_t *o, struct gb_run_shared *sh, uint64_t nlat)
{
	runner_set(o, GB_METRIC_KEY(latency_p50_us),
	           (double)gb_hist_quantile(&sh->latency, 0.50) / 1e3);
	runner_set(o, GB_METRIC_KEY(latency_p90_us),
	           (double)gb_hist_quantile(&sh->latency, 0.90) / 1e3);
	runner_set(o, GB_METRIC_KEY(latency_p99_us),
	           (double)gb_hist_quantile(&sh->latency, 0.99) / 1e3);
	runner_set(o, GB_METRIC_KEY(latency_max_us),
	           (double)gb_hist_quantile(&sh->latency, 1.0) / 1e3);
	runner_set(o, GB_METRIC_KEY(latency_count), (double)nlat);
}

/* The GIL's counters, and gil_load's fractions of the wall. */
static void runner_sample_gil(json_t *o, struct gb_run_shared *sh, double wall)
{
	double wall_ns = wall * 1e9, gils = (double)atomic_load(&sh->gils);
	uint64_t acq = atomic_load(&sh->gil_acquisitions);

	runner_set(o, GB_METRIC_KEY(gil_acquisitions), (double)acq);
	runner_set(o, GB_METRIC_KEY(gil_drop_requests),
	           (double)atomic_load(&sh->gil_drop_requests));
	runner_set(o, GB_METRIC_KEY(gil_forced_switches),
	           (double)atomic_load(&sh->gil_forced_drops));
	runner_set(o, GB_METRIC_KEY(gil_voluntary_drops),
	           (double)atomic_load(&sh->gil_voluntary_drops));
	runner_set(o, GB_METRIC_KEY(gil_switch_waits), (double)atomic_load(&sh->gil_switch_waits));
	runner_set(o, GB_METRIC_KEY(gil_futile_wakeups),
	           (double)atomic_load(&sh->gil_futile_wakeups));
	runner_set(o, GB_METRIC_KEY(gil_switches), (double)atomic_load(&sh->gil_switches));
	runner_set(o, GB_METRIC_KEY(gil_wait_max_us),
	           (double)atomic_load(&sh->gil_wait_max_ns) / 1e3);
	runner_set(o, GB_METRIC_KEY(gil_requested_acquisitions),
	           (double)atomic_load(&sh->gil_requested_acquisitions));
	runner_set(o, GB_METRIC_KEY(gil_count), gils);
	/*
	 * gil_load's fractions, per GIL and averaged over the GILs (one per
	 * process under `processes`), so they stay in [0,1]. A model whose
	 * GILs were never destroyed reports none: no fractions then, rather
	 * than sums that could mean several GILs.
	 */
	if (gils > 0 && wall_ns > 0) {
		runner_set(o, GB_METRIC_KEY(gil_held_frac),
		           (double)atomic_load(&sh->gils_held_ns) / (wall_ns * gils));
		runner_set(o, GB_METRIC_KEY(gil_wait_frac),
		           (double)atomic_load(&sh->gils_contended_ns) / (wall_ns * gils));
	} else if (!acq) {
		runner_set(o, GB_METRIC_KEY(gil_held_frac), 0.0);
		runner_set(o, GB_METRIC_KEY(gil_wait_frac), 0.0);
	}
	/* The sums: mean number of threads holding (one per GIL at most) and
	 * waiting at any moment. */
	runner_set(o, GB_METRIC_KEY(gil_holders_mean),
	           wall_ns > 0 ? (double)atomic_load(&sh->gil_hold_ns) / wall_ns : 0.0);
	runner_set(o, GB_METRIC_KEY(gil_waiters_mean),
	           wall_ns > 0 ? (double)atomic_load(&sh->gil_wait_ns) / wall_ns : 0.0);
}

/* Wall, CPU (the children's too), memory and context switches. */
static void runner_sample_os(json_t *o, struct gb_run *run, double wall, struct rusage *s0,
                             struct rusage *s1, struct rusage *c0, struct rusage *c1, long rss0)
{
	struct gb_run_shared *sh = run->sh;
	double cpu = tv_s(s1->ru_utime) + tv_s(s1->ru_stime) - tv_s(s0->ru_utime) -
	             tv_s(s0->ru_stime) + tv_s(c1->ru_utime) + tv_s(c1->ru_stime) -
	             tv_s(c0->ru_utime) - tv_s(c0->ru_stime);
	/* Forked task processes: what each did not share with this one. */
	double procs_kib = (double)atomic_load(&sh->procs_private_kib);
	long self = s1->ru_maxrss;

	runner_set(o, GB_METRIC_KEY(wall_s), wall);
	runner_set(o, GB_METRIC_KEY(cpu_s), cpu);
	runner_set(o, GB_METRIC_KEY(peak_rss_kib), (double)self + procs_kib);
	runner_set(o, GB_METRIC_KEY(mem_per_task_kib),
	           ((self > rss0 ? (double)(self - rss0) : 0.0) + procs_kib) /
	                   (double)run->ws.ntasks);
	if (atomic_load(&sh->procs_reported))
		runner_set(o, GB_METRIC_KEY(procs_private_kib), procs_kib);
	runner_set(o, GB_METRIC_KEY(ctx_voluntary),
	           (double)(s1->ru_nvcsw - s0->ru_nvcsw + c1->ru_nvcsw - c0->ru_nvcsw));
	runner_set(o, GB_METRIC_KEY(ctx_involuntary),
	           (double)(s1->ru_nivcsw - s0->ru_nivcsw + c1->ru_nivcsw - c0->ru_nivcsw));
}

/* The sample of one finished repetition, from the run's shared totals. */
static json_t *runner_sample(struct gb_run *run, double wall, struct rusage *s0, struct rusage *s1,
                             struct rusage *c0, struct rusage *c1, long rss0)
{
	const struct gb_params *p = gb_run_params(run);
	struct gb_run_shared *sh = run->sh;
	json_t *o = json_object();
	double bytecodes = (double)atomic_load(&sh->bytecodes);
	double native = (double)atomic_load(&sh->native_units);
	uint64_t nlat = gb_hist_count(&sh->latency);
	char bound[256];

	runner_sample_os(o, run, wall, s0, s1, c0, c1, rss0);
	runner_set(o, GB_METRIC_KEY(bytecodes_per_s), wall > 0 ? bytecodes / wall : 0.0);
	runner_set(o, GB_METRIC_KEY(ops_per_s), runner_ops(p, sh, wall, bytecodes, native, nlat));
	if (gb_workload_ideal_s(p) > 0)
		runner_set(o, GB_METRIC_KEY(overhead_ratio), wall / gb_workload_ideal_s(p) - 1.0);
	if (nlat)
		runner_sample_latency(o, sh, nlat);
	if (atomic_load(&sh->gil_acquisitions) || atomic_load(&sh->bytecodes))
		runner_sample_gil(o, sh, wall);
	runner_set(o, GB_METRIC_KEY(bytecodes), bytecodes);
	runner_set(o, GB_METRIC_KEY(blocking_ops), (double)atomic_load(&sh->blocking_ops));
	if (native > 0)
		runner_set(o, GB_METRIC_KEY(native_units), native);
	runner_set(o, GB_METRIC_KEY(yields), (double)atomic_load(&sh->yields));
	gb_run_bound_list(run, bound, sizeof(bound));
	json_object_set_new(o, "bound_cpus", json_string(bound));
	if (run->echo) {
		snprintf(bound, sizeof(bound), "%d", run->peer_pu);
		json_object_set_new(o, "peer_cpus",
		                    json_string(run->peer_pu >= 0 ? bound : "none"));
	}
	return o;
}

static int runner_measure(const struct gb_cell *cell, int demo, const char *trace_path,
                          enum gb_trace_format trace_fmt, json_t **sample, char *why,
                          size_t why_len)
{
	const struct gb_model_ops *m = cell->model;
	struct rusage s0, s1, c0, c1;
	struct gb_run run;
	void *state = NULL;
	double t0, t1;
	long rss0;
	int err;

	*sample = NULL;
	why[0] = '\0';
	err = gb_run_open(&run, cell, demo, trace_path ? RUNNER_TRACE_PER_THREAD : 0, why, why_len);
	if (err)
		return err;
	rss0 = runner_rss_kib();
	err = m->init(&state, &run);
	if (err) {
		snprintf(why, why_len, "%s: init: %s", m->name,
		         run.sh->error_set ? run.sh->error : strerror(-err));
		goto fail_init;
	}
	getrusage(RUSAGE_SELF, &s0);
	getrusage(RUSAGE_CHILDREN, &c0);
	t0 = runner_now();
	err = m->run(state, &run);
	t1 = runner_now();
	getrusage(RUSAGE_SELF, &s1);
	getrusage(RUSAGE_CHILDREN, &c1);
	m->fini(state);
	if (err) {
		snprintf(why, why_len, "%s: %s", m->name,
		         run.sh->error_set ? run.sh->error : strerror(-err));
		goto fail_init;
	}
	if (run.sh->error_set) {
		snprintf(why, why_len, "%s: %s", m->name, run.sh->error);
		err = -EIO;
		goto fail_init;
	}
	*sample = runner_sample(&run, t1 - t0, &s0, &s1, &c0, &c1, rss0);
	if (trace_path) {
		uint64_t lost = 0;
		int terr = gb_run_write_trace(&run, trace_path, trace_fmt, &lost);
		if (terr)
			gb_err(trace_path, "cannot write the trace: %s", strerror(-terr));
		else if (lost)
			gb_warn(trace_path,
			        "%llu trace events lost (a thread's ring keeps its newest %d; "
			        "the file says lost_events)",
			        (unsigned long long)lost, RUNNER_TRACE_PER_THREAD);
	}
	gb_run_close(&run);
	return 0;

fail_init:
	gb_run_close(&run);
	return err;
}

int gb_runner_once(const struct gb_cell *cell, int demo, json_t **sample, char *why, size_t why_len)
{
	return runner_measure(cell, demo, NULL, GB_TRACE_CSV, sample, why, why_len);
}

/* The repetition's result pipe, for the coroutine overflow report. */
static volatile sig_atomic_t runner_result_fd = -1;

/*
 * Called by the runtime's SIGSEGV handler when a coroutine overflows its
 * stack, just before the process exits: the cell's reason goes to the
 * parent as the repetition's result. Async-signal-safe: no stdio, no
 * allocation, one write(2) shorter than PIPE_BUF (atomic on a pipe).
 */
static void runner_on_overflow(size_t stack_bytes)
{
	static const char head[] = "{\"error\":\"coroutine stack overflow: stack of ";
	static const char tail[] = " bytes; raise --stack-size\"}";
	char msg[160], digits[24];
	size_t n = sizeof(head) - 1, k = 0;

	if (runner_result_fd < 0)
		return;
	memcpy(msg, head, n);
	do
		digits[k++] = (char)('0' + stack_bytes % 10);
	while ((stack_bytes /= 10) && k < sizeof(digits));
	while (k)
		msg[n++] = digits[--k];
	memcpy(msg + n, tail, sizeof(tail) - 1);
	n += sizeof(tail) - 1;
	if (write(runner_result_fd, msg, n) < 0) {
		/* the parent then reports the exit status alone */
	}
}

static void runner_write_all(int fd, const char *text, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
}

/*
 * {"error": why} built on the stack: a cell that ran out of memory (and
 * kept it) must still be able to say so, and jansson needs the heap.
 */
static void runner_send_error_noalloc(int fd, const char *why)
{
	char buf[1100];
	size_t n = 0;

	memcpy(buf, "{\"error\":\"", 10);
	n = 10;
	for (; *why && n < sizeof(buf) - 4; why++) {
		unsigned char c = (unsigned char)*why;
		if (c == '"' || c == '\\')
			buf[n++] = '\\';
		buf[n++] = c < 0x20 ? ' ' : (char)c;
	}
	memcpy(buf + n, "\"}", 2);
	runner_write_all(fd, buf, n + 2);
}

/* The forked child: measure once, send the sample or the error, exit. */
static void runner_child(const struct gb_cell *cell, int fd, const char *trace_path,
                         enum gb_trace_format trace_fmt, pid_t parent)
{
	char why[512];
	json_t *sample = NULL, *msg;
	char *text;
	int err;

	/* Dies with the harness, even a SIGKILLed one: no cell runs on unowned. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(3);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	runner_result_fd = fd;
	gb_coro_set_overflow_hook(runner_on_overflow);
	err = runner_measure(cell, 0, trace_path, trace_fmt, &sample, why, sizeof(why));
	if (err)
		msg = json_pack("{s:s}", "error", why[0] ? why : strerror(-err));
	else
		msg = json_pack("{s:o}", "sample", sample);
	text = json_dumps(msg, JSON_COMPACT);
	if (text)
		runner_write_all(fd, text, strlen(text));
	else if (err)
		runner_send_error_noalloc(fd, why[0] ? why : strerror(-err));
	else
		runner_send_error_noalloc(fd, "out of memory while sending the sample");
	_exit(err || !text ? 3 : 0);
}

/*
 * Under a sanitizer a crash (or a finding) ends the child with the
 * sanitizer's exit status instead of the signal; say so rather than
 * claim the model simply exited.
 */
static const char *runner_sanitizer_note(int status)
{
#if defined(__SANITIZE_THREAD__) || RUNNER_HAS_FEATURE(thread_sanitizer)
	const char *opts = getenv("TSAN_OPTIONS"), *name = "ThreadSanitizer";
	int code = 66;
#elif defined(__SANITIZE_ADDRESS__) || RUNNER_HAS_FEATURE(address_sanitizer)
	const char *opts = getenv("ASAN_OPTIONS"), *name = "AddressSanitizer";
	int code = 1;
#elif defined(GB_SANITIZED)
	const char *opts = getenv("UBSAN_OPTIONS"), *name = "UndefinedBehaviorSanitizer";
	int code = 1;
#else
	const char *opts = NULL, *name = NULL;
	int code = -1;
#endif
	static char note[128];
	const char *p = opts ? strstr(opts, "exitcode=") : NULL;

	if (p)
		code = atoi(p + 9);
	if (!name || status != code)
		return "";
	snprintf(note, sizeof(note), " (the exit status of %s: its report is on stderr)", name);
	return note;
}

/* A descriptor that polls readable when `pid` exits, or -1 (kernel < 5.3). */
static int runner_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/* Whether the child has exited; it stays a zombie for waitpid() to reap. */
static int runner_child_exited(pid_t pid, int pidfd, int pidfd_ready)
{
	siginfo_t si;

	if (pidfd >= 0)
		return pidfd_ready;
	memset(&si, 0, sizeof(si));
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* ---- the progress line ---------------------------------------------------- */

/* A list dimension's value in a cell, as the progress line shows it. */
static void runner_param_text(const struct gb_cell *c, const struct gb_param_info *pi, char *buf,
                              size_t len)
{
	if (pi->id == GB_PARAM_PLACEMENT)
		snprintf(buf, len, "%s", gb_placement_name(c->placement));
	else if (pi->type == GB_PT_STRING)
		snprintf(buf, len, "%s", *(const char *const *)((const char *)&c->p + pi->offset));
	else if (pi->type == GB_PT_ENUM)
		snprintf(buf, len, "%s", gb_param_enum_names(pi)[(int)gb_param_get(&c->p, pi)]);
	else if (pi->type == GB_PT_UINT)
		snprintf(buf, len, "%.0f", gb_param_get(&c->p, pi));
	else
		snprintf(buf, len, "%g%s", gb_param_get(&c->p, pi), pi->unit);
}

/* The list dimensions (GB_PAR_LIST rows of params.def) whose value varies. */
static unsigned runner_vary(const struct gb_matrix *m)
{
	const struct gb_param_info *t = gb_params_table();
	unsigned v = 0;

	_Static_assert(GB_PARAM__COUNT <= 32, "runner_prog.vary is a 32-bit mask");
	for (unsigned k = 0; k < GB_PARAM__COUNT; k++) {
		char a[64], b[64];

		if (!(t[k].flags & GB_PAR_LIST))
			continue;
		runner_param_text(&m->cells[0], &t[k], a, sizeof(a));
		for (unsigned i = 1; i < m->ncells && !(v & (1u << k)); i++) {
			runner_param_text(&m->cells[i], &t[k], b, sizeof(b));
			if (strcmp(a, b) != 0)
				v |= 1u << k;
		}
	}
	return v;
}

static void runner_fmt_time(char *buf, size_t len, double s)
{
	long t = (long)(s + 0.5);

	if (t < 60)
		snprintf(buf, len, "%lds", t);
	else if (t < 3600)
		snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
}

/* Columns of the terminal on stderr; 80 when it does not say. */
static size_t runner_columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/*
 * "[i/N] model/workload <the params that vary> rep r/R elapsed ETA", cut to
 * the terminal's width: a line that wraps cannot be redrawn with \r.
 */
static void runner_progress_draw(void)
{
	struct runner_progress *p = &runner_prog;
	const struct gb_cell *c = &p->m->cells[p->cell];
	double now = runner_now(), el = now - p->t_start;
	char line[512], t1[32], t2[32];
	size_t off, cols = runner_columns();

	if (!p->on)
		return;
	off = (size_t)snprintf(line, sizeof(line), "[%u/%u] %s/%s", p->cell + 1, p->m->ncells,
	                       c->model->name, gb_workload_name(c->p.workload));
#define RUNNER_ADD(...)                                                                            \
	do {                                                                                       \
		if (off < sizeof(line))                                                            \
			off += (size_t)snprintf(line + off, sizeof(line) - off, __VA_ARGS__);      \
	} while (0)
	for (unsigned k = 0; k < GB_PARAM__COUNT; k++) {
		char v[64];

		if (!(p->vary & (1u << k)))
			continue;
		runner_param_text(c, gb_param_at((enum gb_param_id)k), v, sizeof(v));
		RUNNER_ADD(" %s=%s", gb_param_at((enum gb_param_id)k)->label, v);
	}
	runner_fmt_time(t1, sizeof(t1), el);
	/* Warm-up and kept repetitions counted apart: "rep 1/3" is the first
	 * of the 3 kept, not the warm-up. */
	if (p->rep < p->m->warmup)
		RUNNER_ADD("  warm-up %u/%u", p->rep + 1, p->m->warmup);
	else if (p->m->adaptive)
		RUNNER_ADD("  rep %u/<=%u", p->rep - p->m->warmup + 1, p->m->max_reps);
	else
		RUNNER_ADD("  rep %u/%u", p->rep - p->m->warmup + 1, p->m->reps);
	RUNNER_ADD("  elapsed %s", t1);
	/* The average finished cell for each cell left, less what the running
	 * one has already spent of it; unknown before a cell has finished. */
	if (p->done) {
		double avg = (p->t_cell - p->t_start) / p->done, in_cell = now - p->t_cell;
		double eta =
		        avg * (p->m->ncells - p->done - 1) + (avg > in_cell ? avg - in_cell : 0);

		runner_fmt_time(t2, sizeof(t2), eta);
		RUNNER_ADD("  ETA %s", t2);
	} else {
		RUNNER_ADD("  ETA unknown");
	}
#undef RUNNER_ADD
	if (off >= sizeof(line))
		off = sizeof(line) - 1;
	if (off > cols - 1)
		off = cols - 1;
	fprintf(stderr, "\r\033[K%.*s", (int)off, line);
	fflush(stderr);
	p->t_drawn = now;
}

/* From the wait loop: a redraw about once a second while a cell runs. */
static void runner_progress_tick(void)
{
	if (runner_prog.on && runner_now() - runner_prog.t_drawn >= 1.0)
		runner_progress_draw();
}

/* Before a line of its own on stderr, the progress line is wiped. */
static void runner_progress_clear(void)
{
	if (runner_prog.on)
		fprintf(stderr, "\r\033[K");
}

/* Forks the repetition's child in its own process group; *rfd reads its result. */
static int runner_spawn(const struct gb_cell *cell, const char *trace_path,
                        enum gb_trace_format trace_fmt, pid_t *pid, int *rfd, char *why,
                        size_t why_len)
{
	pid_t parent = getpid();
	int pfd[2];

	fflush(NULL);
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		snprintf(why, why_len, "pipe: %s", strerror(errno));
		return -errno;
	}
	*pid = fork();
	if (*pid < 0) {
		snprintf(why, why_len, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (*pid == 0) {
		setpgid(0, 0);
		close(pfd[0]);
		runner_child(cell, pfd[1], trace_path, trace_fmt, parent);
	}
	setpgid(*pid, *pid);
	close(pfd[1]);
	*rfd = pfd[0];
	return 0;
}

/* What the wait for a child gathered: its output and how the wait ended. */
struct runner_wait {
	char *buf;
	size_t len, cap;
	int timed_out;
};

/* Reads what the child writes until it has exited (or the deadline, or a
 * signal), redrawing the progress line. */
static void runner_wait(pid_t pid, int rfd, double deadline, struct runner_wait *w)
{
	int pidfd = runner_pidfd_open(pid), gone = 0;

	for (;;) {
		double left = deadline - runner_now();
		struct pollfd pf[2] = {{.fd = rfd, .events = POLLIN},
		                       {.fd = pidfd, .events = POLLIN}};
		int r, ms;

		runner_progress_tick();
		if (runner_interrupted)
			break;
		if (left <= 0) {
			w->timed_out = 1;
			break;
		}
		ms = left > 1.0 ? 1000 : (int)(left * 1000) + 1;
		if (pidfd < 0 && ms > 100)
			ms = 100; /* no pidfd: look for the child's exit every 100 ms */
		r = gone ? 1 : poll(pf, pidfd >= 0 ? 2 : 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		/*
		 * EOF alone is not enough: a process the model forked may hold
		 * the pipe open after the cell process died. Once the cell
		 * process has exited, all it wrote is in the pipe: read that,
		 * without waiting for an EOF that may never come.
		 */
		if (!gone && runner_child_exited(pid, pidfd, pidfd >= 0 && pf[1].revents)) {
			gone = 1;
			fcntl(rfd, F_SETFL, O_NONBLOCK);
			continue;
		}
		if (r <= 0)
			continue;
		if (w->len + 4096 > w->cap) {
			char *nb = realloc(w->buf, w->cap + 65536);
			if (!nb)
				break;
			w->buf = nb;
			w->cap += 65536;
		}
		ssize_t n = read(rfd, w->buf + w->len, w->cap - w->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EOF, or all the exited child wrote is read */
		w->len += (size_t)n;
	}
	if (pidfd >= 0)
		close(pidfd);
}

/* Reaps the child (killed first if it must not go on) and its whole group. */
static int runner_reap(pid_t pid, int kill_first)
{
	int wstatus = 0;

	if (kill_first)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	/*
	 * Grandchildren (the processes model) die with the group, and come
	 * back to us to be reaped (we are their subreaper): none is left to
	 * init, as a zombie or running on.
	 */
	kill(-pid, SIGKILL);
	for (;;) {
		pid_t r = waitpid(-pid, NULL, 0);
		if (r < 0 && errno != EINTR)
			break;
	}
	return wstatus;
}

/* The repetition's outcome from how its child ended and what it sent. */
static int runner_verdict(struct runner_wait *w, int wstatus, json_t **sample,
                          enum gb_cell_status *status, char *why, size_t why_len)
{
	json_t *msg;

	if (w->timed_out) {
		*status = GB_CELL_TIMEOUT;
		snprintf(why, why_len, "timed out");
		return -ETIMEDOUT;
	}
	if (runner_interrupted) {
		snprintf(why, why_len, "interrupted by signal %d (%s)", (int)runner_interrupted,
		         strsignal(runner_interrupted));
		return -EINTR;
	}
	if (WIFSIGNALED(wstatus)) {
		snprintf(why, why_len, "crashed: killed by signal %d (%s)", WTERMSIG(wstatus),
		         strsignal(WTERMSIG(wstatus)));
		return -ECHILD;
	}
	msg = w->buf ? (w->buf[w->len] = '\0', json_loads(w->buf, 0, NULL)) : NULL;
	if (json_is_object(json_object_get(msg, "sample")) && WEXITSTATUS(wstatus) == 0) {
		*sample = json_incref(json_object_get(msg, "sample"));
		json_decref(msg);
		return 0;
	}
	if (json_is_string(json_object_get(msg, "error")))
		snprintf(why, why_len, "%s", json_string_value(json_object_get(msg, "error")));
	else
		snprintf(why, why_len, "exited with status %d and no result%s",
		         WEXITSTATUS(wstatus), runner_sanitizer_note(WEXITSTATUS(wstatus)));
	json_decref(msg);
	return -EIO;
}

/*
 * Runs one repetition in a child; returns 0 with *sample, or fills status
 * (GB_CELL_FAILED, GB_CELL_TIMEOUT) and why.
 */
static int runner_rep(const struct gb_cell *cell, double deadline, const char *trace_path,
                      enum gb_trace_format trace_fmt, json_t **sample, enum gb_cell_status *status,
                      char *why, size_t why_len)
{
	struct runner_wait w = {0};
	pid_t pid = 0;
	int rfd = -1, err, wstatus;

	*sample = NULL;
	*status = GB_CELL_FAILED;
	err = runner_spawn(cell, trace_path, trace_fmt, &pid, &rfd, why, why_len);
	if (err)
		return err;
	runner_wait(pid, rfd, deadline, &w);
	close(rfd);
	wstatus = runner_reap(pid, w.timed_out || runner_interrupted);
	err = runner_verdict(&w, wstatus, sample, status, why, why_len);
	free(w.buf);
	return err;
}

static char *runner_trace_path(const struct gb_matrix *m, const struct gb_cell *c)
{
	const char *dot;
	char *s = NULL;

	if (!m->trace)
		return NULL;
	if (m->ncells == 1)
		return strdup(m->trace);
	dot = strrchr(m->trace, '.');
	if (!dot || strchr(dot, '/'))
		dot = m->trace + strlen(m->trace);
	if (asprintf(&s, "%.*s-%u-%s-%s%s", (int)(dot - m->trace), m->trace, c->index,
	             c->model->name, gb_workload_name(c->p.workload), dot) < 0)
		return NULL;
	return s;
}

/*
 * Why the cell cannot run, in why (empty if it can): its programs cannot be
 * built, or the model does not run them. Returns the status a refusal
 * gets: GB_CELL_SKIPPED, or GB_CELL_FAILED when out of memory (a failure of this run,
 * not a cell that cannot be).
 */
static enum gb_cell_status runner_cell_refusal(const struct gb_cell *cell, char *why,
                                               size_t why_len)
{
	struct gb_workload_set ws;
	const char *reason;
	int berr = gb_workload_build(&cell->p, &ws, why, why_len);

	if (berr) {
		if (!why[0])
			snprintf(why, why_len, "cannot build the workload's programs: %s",
			         strerror(-berr));
		return berr == -ENOMEM ? GB_CELL_FAILED : GB_CELL_SKIPPED;
	}
	gb_workload_free(&ws);
	if (!(cell->model->workloads & GB_WL_BIT(cell->p.workload)))
		snprintf(why, why_len, "model %s does not run the %s workload", cell->model->name,
		         gb_workload_name(cell->p.workload));
	else if (cell->model->unsupported && (reason = cell->model->unsupported(&cell->p)))
		snprintf(why, why_len, "%s", reason);
	return GB_CELL_SKIPPED;
}

/* What the kept repetitions say of the CPUs: bound_cpus joined, peer_cpus. */
static void runner_note_cpus(json_t *sample, char *bound, size_t blen, char *peer, size_t plen)
{
	const char *b = json_string_value(json_object_get(sample, "bound_cpus"));
	const char *pc = json_string_value(json_object_get(sample, "peer_cpus"));

	if (pc && !peer[0])
		snprintf(peer, plen, "%s", pc);
	if (b && b[0] && strlen(bound) + strlen(b) + 2 < blen && !gb_cpus_lists_have(bound, b)) {
		if (bound[0])
			strcat(bound, ";");
		strcat(bound, b);
	}
}

/*
 * After kept repetition `kept`: NULL to go on, else why the repetitions
 * stop: "fixed" (-r reached), "target" or "max" (adaptive).
 */
static const char *runner_reps_stop(const struct gb_matrix *m, json_t *samples, unsigned kept)
{
	json_t *arr = json_object_get(samples, GB_METRIC_KEY(wall_s)), *v;
	double x[1000];
	size_t i, n = 0;

	if (!m->adaptive)
		return kept >= m->reps ? "fixed" : NULL;
	json_array_foreach(arr, i, v) if (n < sizeof(x) / sizeof(x[0])) x[n++] =
	        json_number_value(v);
	switch (gb_stats_reps_enough(x, n, m->min_reps, m->max_reps, m->target_ci)) {
	case GB_STATS_REPS_TARGET:
		return "target";
	case GB_STATS_REPS_MAX:
		return "max";
	default:
		return kept >= m->max_reps ? "max" : NULL;
	}
}

/* How the repetitions went, into params: reps as run and why they stopped. */
static void runner_note_reps(const struct gb_matrix *m, json_t *params, unsigned kept,
                             const char *stop)
{
	/* Fixed ones (-r) write none of it: a file as before, reps_stop absent means fixed. */
	if (!m->adaptive)
		return;
	if (kept) /* a cell that failed before keeping one says its cap */
		json_object_set_new(params, "reps", json_integer(kept));
	json_object_set_new(params, "min_reps", json_integer(m->min_reps));
	json_object_set_new(params, "max_reps", json_integer(m->max_reps));
	json_object_set_new(params, "target_ci_pct", json_real(m->target_ci));
	if (stop)
		json_object_set_new(params, "reps_stop", json_string(stop));
}

/*
 * The warm-up and kept repetitions of a runnable cell, into res: its
 * samples, the CPUs it ran on, and its status (with metrics if ok). -r
 * runs a fixed count; adaptive repetitions run until runner_reps_stop
 * says the interval is narrow enough or the cap is reached. The trace is
 * of the last repetition: with adaptive ones, each kept one writes it over.
 */
static void runner_cell_reps(const struct gb_matrix *m, const struct gb_cell *cell, json_t *res)
{
	json_t *params = json_object_get(res, "params"), *samples = json_object();
	enum gb_cell_status status = GB_CELL_OK;
	char why[512] = "", bound[512] = "", peer[32] = "";
	double deadline = runner_now() + m->timeout_s;
	const char *stop = NULL;
	unsigned kept = 0;
	char *trace = NULL;

	for (unsigned r = 0; !stop; r++) {
		json_t *sample;
		int err;

		runner_prog.rep = r;
		runner_progress_tick();
		if (!trace && (r + 1 == m->warmup + m->reps || (m->adaptive && r >= m->warmup)))
			trace = runner_trace_path(m, cell);
		err = runner_rep(cell, deadline, trace, m->trace_format, &sample, &status, why,
		                 sizeof(why));
		if (err) {
			if (status == GB_CELL_TIMEOUT)
				snprintf(why, sizeof(why), "timed out after %g s (--timeout)",
				         m->timeout_s);
			break;
		}
		if (r >= m->warmup) {
			runner_note_cpus(sample, bound, sizeof(bound), peer, sizeof(peer));
			gb_report_add_sample(samples, sample);
			stop = runner_reps_stop(m, samples, ++kept);
		}
		json_decref(sample);
	}
	free(trace);
	runner_note_reps(m, params, kept, stop);
	json_object_set_new(params, "bound_cpus", json_string(bound[0] ? bound : "none"));
	if (peer[0])
		json_object_set_new(params, "peer_cpus", json_string(peer));
	json_object_set_new(res, "samples", samples);
	if (why[0]) {
		json_object_set_new(res, "status", json_string(gb_cell_status_name(status)));
		json_object_set_new(res, "error", json_string(why));
		json_object_set_new(res, "metrics", json_object());
		return;
	}
	json_object_set_new(res, "status", json_string(gb_cell_status_name(GB_CELL_OK)));
	gb_report_metrics(res);
}

static json_t *runner_cell(const struct gb_matrix *m, const struct gb_cell *cell)
{
	json_t *res = json_pack("{s:s, s:s, s:o}", "model", cell->model->name, "workload",
	                        gb_workload_name(cell->p.workload), "params",
	                        gb_report_params(cell, m->reps, m->warmup));
	enum gb_cell_status status;
	char why[512] = "";

	status = runner_cell_refusal(cell, why, sizeof(why));
	if (!why[0]) {
		runner_cell_reps(m, cell, res);
		return res;
	}
	json_object_set_new(res, "status", json_string(gb_cell_status_name(status)));
	json_object_set_new(res, "error", json_string(why));
	json_object_set_new(res, "samples", json_object());
	json_object_set_new(res, "metrics", json_object());
	return res;
}

int gb_runner_run(struct gb_matrix *m, json_t *doc, int (*save)(json_t *doc, void *arg),
                  void *save_arg)
{
	struct sigaction sa = {.sa_handler = runner_on_signal}, old_int, old_term, old_hup;
	json_t *results = json_object_get(doc, "results");
	int rc = 0;

	memset(&runner_prog, 0, sizeof(runner_prog));
	runner_prog.m = m;
	runner_prog.on = !m->quiet && isatty(STDERR_FILENO);
	runner_prog.t_start = runner_now();
	runner_prog.vary = m->ncells ? runner_vary(m) : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	/* Orphans of a cell (a model's forked processes) are re-parented here. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (unsigned i = 0; i < m->ncells && !runner_interrupted; i++) {
		json_t *cell;
		const char *st;

		runner_prog.cell = i;
		runner_prog.rep = 0;
		runner_prog.t_cell = runner_now();
		runner_progress_draw();
		cell = runner_cell(m, &m->cells[i]);
		runner_prog.done++;
		/* A cell the signal cut short is kept, failed, but did not finish. */
		if (!runner_interrupted || gb_cell_status(cell) == GB_CELL_OK ||
		    gb_cell_status(cell) == GB_CELL_SKIPPED)
			runner_prog.finished++;
		st = json_string_value(json_object_get(cell, "status"));
		if (gb_cell_status(cell) == GB_CELL_FAILED ||
		    gb_cell_status(cell) == GB_CELL_TIMEOUT) {
			rc = 2;
			runner_progress_clear();
			gb_err(m->cells[i].model->name, "%s %s: %s",
			       json_string_value(json_object_get(cell, "workload")), st,
			       json_string_value(json_object_get(cell, "error")));
		}
		json_array_append_new(results, cell);
		if (save && save(doc, save_arg) != 0) {
			rc = 1;
			break;
		}
	}
	runner_progress_clear();
	runner_prog.on = 0;
	/* The interrupted cell is a failed cell ("interrupted by ..."): status 2. */
	if (runner_interrupted) {
		gb_err("run", "interrupted by signal %d (%s): %u finished cell%s kept",
		       (int)runner_interrupted, strsignal(runner_interrupted), runner_prog.finished,
		       runner_prog.finished == 1 ? "" : "s");
		if (rc == 0)
			rc = 2;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	return rc;
}
