/*
 * run.c - struct gb_run: the harness side of the model contract. It lends
 * programs, pinning, the echo peer and the interpreter's hooks, and sums
 * what tasks, threads, GILs and task processes report into shared memory;
 * it gathers every thread's trace ring (forked ones too) and writes the
 * trace file. Timing the run is the runner's job.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "echo.h"
#include "file.h"

const struct gb_params *gb_run_params(const struct gb_run *run)
{
	return &run->cell->p;
}

unsigned gb_run_tasks(const struct gb_run *run)
{
	return run->ws.ntasks;
}

const struct gb_program *gb_run_program(const struct gb_run *run, unsigned task)
{
	return task < run->ws.ntasks ? run->ws.progs[task] : NULL;
}

/* A GIL of the run is destroyed: its own totals join the run's. */
static void run_gil_report(void *ctx, const struct gb_gil_stats *st)
{
	struct gb_run_shared *sh = ctx;

	atomic_fetch_add(&sh->gils, 1);
	atomic_fetch_add(&sh->gils_held_ns, st->held_ns);
	atomic_fetch_add(&sh->gils_contended_ns, st->contended_ns);
}

void gb_run_gil_config(const struct gb_run *run, struct gb_gil_config *out)
{
	const struct gb_params *p = &run->cell->p;

	memset(out, 0, sizeof(*out));
	out->policy = p->gil;
	out->switch_interval_s = p->switch_interval_s;
	out->check_interval = p->check_interval;
	out->overhead = p->gil_overhead;
	out->trace_capacity = run->trace_capacity;
	out->report = run_gil_report;
	out->report_ctx = run->sh;
}

static void run_env_print(void *ctx, struct gb_task *task, const char *text)
{
	gb_run_print(ctx, text);
}

static void run_env_latency(void *ctx, struct gb_task *task, uint64_t ns)
{
	struct gb_run *run = ctx;
	gb_hist_record(&run->sh->latency, ns);
}

static void run_env_done(void *ctx, struct gb_task *task)
{
	struct gb_run *run = ctx;

	atomic_fetch_add(&run->sh->tasks_done, 1);
	if (task->prog->flags & GB_PF_BACKGROUND) {
		if (atomic_fetch_sub(&run->sh->background_left, 1) == 1)
			atomic_store(&run->sh->stop, 1);
	}
}

void gb_run_interp_env(struct gb_run *run, struct gb_interp_env *out)
{
	const struct gb_params *p = &run->cell->p;

	memset(out, 0, sizeof(*out));
	out->check_every = p->check_every ? p->check_every : 1;
	out->yield_every = p->yield_every;
	out->overhead = p->gil && strcmp(p->gil, "none") == 0 ? p->gil_overhead : 0.0;
	out->stop = &run->sh->stop;
	out->ctx = run;
	out->print = run_env_print;
	out->ret = NULL;
	out->latency = run_env_latency;
	out->done = run_env_done;
}

int gb_run_slot_pu(const struct gb_run *run, unsigned slot)
{
	if (!run->pu_order || run->npu == 0)
		return -1;
	return (int)run->pu_order[slot % run->npu];
}

static void run_note_bound(struct gb_run *run, const char *list)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int id;

	if (!set)
		return;
	if (hwloc_bitmap_list_sscanf(set, list) == 0) {
		hwloc_bitmap_foreach_begin(id, set)
		{
			if (id < GB_RUN_CPU_WORDS * 64)
				atomic_fetch_or(&run->sh->bound[id / 64], 1ull << (id % 64));
		}
		hwloc_bitmap_foreach_end();
	}
	hwloc_bitmap_free(set);
}

int gb_run_pin(struct gb_run *run, unsigned task)
{
	char got[256];
	int err;

	if (!run->topo)
		return 0;
	err = gb_bind_self(run->topo, gb_run_slot_pu(run, task), getpid() != run->owner_pid, got,
	                   sizeof(got));
	if (err) {
		atomic_store(&run->sh->pin_failed, 1);
		return err;
	}
	run_note_bound(run, got);
	return 0;
}

void gb_run_bound_list(const struct gb_run *run, char *buf, size_t len)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	char *s = NULL;

	buf[0] = '\0';
	if (!set)
		return;
	for (unsigned w = 0; w < GB_RUN_CPU_WORDS; w++) {
		uint64_t bits = atomic_load(&run->sh->bound[w]);
		for (unsigned b = 0; b < 64; b++)
			if (bits & (1ull << b))
				hwloc_bitmap_set(set, w * 64 + b);
	}
	if (hwloc_bitmap_list_asprintf(&s, set) >= 0) {
		snprintf(buf, len, "%s", s);
		free(s);
	}
	hwloc_bitmap_free(set);
}

int gb_run_echo_fd(struct gb_run *run, unsigned task)
{
	if (!run->echo_fds || task >= run->ws.ntasks)
		return -ENOTCONN;
	return run->echo_fds[task];
}

void gb_run_collect_task(struct gb_run *run, const struct gb_task *task)
{
	struct gb_run_shared *sh = run->sh;

	atomic_fetch_add_explicit(&sh->bytecodes, task->n.bytecodes, memory_order_relaxed);
	atomic_fetch_add_explicit(&sh->native_units, task->n.native_units, memory_order_relaxed);
	atomic_fetch_add_explicit(&sh->blocking_ops, task->n.blocking_ops, memory_order_relaxed);
	atomic_fetch_add_explicit(&sh->yields, task->n.yields, memory_order_relaxed);
}

static void run_atomic_max(_Atomic uint64_t *dst, uint64_t v)
{
	uint64_t cur = atomic_load(dst);
	while (v > cur && !atomic_compare_exchange_weak(dst, &cur, v))
		;
}

/* Appends what a thread's ring still holds to the run's trace file. */
static void run_collect_trace(struct gb_run *run, const struct gb_trace_ring *ring)
{
	enum { CHUNK = 2048 };
	uint64_t n = ring->total < ring->capacity ? ring->total : ring->capacity;
	uint64_t first = ring->total - n, lost = ring->total - n;
	struct gb_run_trace_rec *buf;
	int32_t pid = (int32_t)getpid();

	if (!run->trace_capacity || !ring->capacity)
		return;
	buf = run->trace_fd >= 0 ? malloc(CHUNK * sizeof(*buf)) : NULL;
	if (!buf) {
		atomic_fetch_add(&run->sh->trace_lost, ring->total);
		return;
	}
	for (uint64_t i = first; i < ring->total;) {
		size_t k = 0, len;
		const char *p = (const char *)buf;

		for (; k < CHUNK && i < ring->total; k++, i++) {
			const struct gb_trace_rec *r = &ring->recs[i % ring->capacity];
			buf[k] = (struct gb_run_trace_rec){
			        .ns = r->ns, .pid = pid, .thread = r->thread, .event = r->event};
		}
		/* Whole records per write: O_APPEND keeps writers of other
		 * processes from landing inside one. */
		for (len = k * sizeof(*buf); len;) {
			ssize_t w = write(run->trace_fd, p, len);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				lost += len / sizeof(*buf) + (ring->total - i);
				i = ring->total;
				break;
			}
			p += w;
			len -= (size_t)w;
		}
	}
	free(buf);
	if (lost)
		atomic_fetch_add(&run->sh->trace_lost, lost);
}

void gb_run_collect_gil(struct gb_run *run, const struct gb_gil_thread *t)
{
	struct gb_run_shared *sh = run->sh;
	const struct gb_gil_counters *c = &t->c;

	atomic_fetch_add(&sh->gil_acquisitions, c->acquisitions);
	atomic_fetch_add(&sh->gil_hold_ns, c->hold_ns);
	atomic_fetch_add(&sh->gil_wait_ns, c->wait_ns);
	run_atomic_max(&sh->gil_wait_max_ns, c->wait_max_ns);
	atomic_fetch_add(&sh->gil_drop_requests, c->drop_requests);
	atomic_fetch_add(&sh->gil_forced_drops, c->forced_drops);
	atomic_fetch_add(&sh->gil_voluntary_drops, c->voluntary_drops);
	atomic_fetch_add(&sh->gil_switch_waits, c->switch_waits);
	atomic_fetch_add(&sh->gil_futile_wakeups, c->futile_wakeups);
	atomic_fetch_add(&sh->gil_switches, c->switches);
	atomic_fetch_add(&sh->gil_requested_acquisitions, c->requested_acquisitions);
	run_collect_trace(run, &t->trace);
}

/* Private_Clean + Private_Dirty of this process in KiB, or -1. */
static long run_private_kib(void)
{
	char line[256];
	long total = 0, v;
	int found = 0;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if ((sscanf(line, "Private_Clean: %ld kB", &v) == 1) ||
		    (sscanf(line, "Private_Dirty: %ld kB", &v) == 1)) {
			total += v;
			found++;
		}
	}
	fclose(f);
	return found == 2 ? total : -1;
}

void gb_run_collect_process(struct gb_run *run)
{
	long kib = run_private_kib();

	if (kib < 0)
		return; /* no smaps_rollup: the figure leaves this process out */
	atomic_fetch_add(&run->sh->procs_private_kib, (uint64_t)kib);
	atomic_fetch_add(&run->sh->procs_reported, 1);
}

void gb_run_errorf(struct gb_run *run, const char *fmt, ...)
{
	va_list ap;
	int expected = 0;

	/* The first error wins: later ones are usually its consequences. */
	if (!atomic_compare_exchange_strong(&run->sh->error_set, &expected, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(run->sh->error, sizeof(run->sh->error), fmt, ap);
	va_end(ap);
}

void gb_run_print(struct gb_run *run, const char *text)
{
	atomic_fetch_add(&run->sh->prints, 1);
	if (run->demo) {
		printf("%s\n", text);
		fflush(stdout);
	}
}

static int run_plan(struct gb_run *run, char *why, size_t why_len)
{
	const struct gb_cell *cell = run->cell;
	hwloc_bitmap_t allowed = NULL;
	unsigned npu;
	int n, err = 0;

	run->topo = gb_topo_machine();
	if (!run->topo || cell->placement == GB_PLACE_NONE)
		return 0;
	npu = gb_topo_count(run->topo, HWLOC_OBJ_PU);
	run->pu_order = calloc(npu ? npu : 1, sizeof(unsigned));
	if (!run->pu_order)
		return -ENOMEM;
	/* A cell made without the CLI (tests, plugins) may give only the list. */
	if (!cell->cpuset && cell->cpus) {
		allowed = hwloc_bitmap_alloc();
		if (!allowed)
			return -ENOMEM;
		err = gb_cpus_parse(run->topo, cell->cpus, allowed, why, why_len);
		if (err)
			goto out;
	}
	n = gb_placement_order(run->topo, cell->placement, allowed ? allowed : cell->cpuset,
	                       run->pu_order, npu);
	if (n < 0) {
		snprintf(why, why_len, "no CPU to place tasks on");
		err = n;
		goto out;
	}
	run->npu = (unsigned)n;
out:
	hwloc_bitmap_free(allowed);
	return err;
}

int gb_run_open(struct gb_run *run, const struct gb_cell *cell, int demo, size_t trace_capacity,
                char *why, size_t why_len)
{
	int err;

	memset(run, 0, sizeof(*run));
	run->cell = cell;
	run->demo = demo;
	run->owner_pid = getpid();
	run->trace_capacity = trace_capacity;
	run->trace_fd = -1;
	run->peer_pu = -1;
	run->sh = mmap(NULL, sizeof(*run->sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	               -1, 0);
	if (run->sh == MAP_FAILED) {
		run->sh = NULL;
		snprintf(why, why_len, "mmap: %s", strerror(errno));
		return -ENOMEM;
	}
	gb_hist_reset(&run->sh->latency);
	if (trace_capacity) {
		/* Shared across fork: task processes append their rings here too. */
		run->trace_fd = memfd_create("gilbench-trace", MFD_CLOEXEC);
		if (run->trace_fd < 0 || fcntl(run->trace_fd, F_SETFL, O_APPEND) != 0) {
			err = -errno;
			snprintf(why, why_len, "trace buffer: %s", strerror(errno));
			goto fail;
		}
	}
	err = gb_workload_build(&cell->p, &run->ws, why, why_len);
	if (err)
		goto fail;
	atomic_store(&run->sh->background_left, run->ws.background);
	err = run_plan(run, why, why_len);
	if (err)
		goto fail;
	if (run->ws.needs_echo) {
		run->echo_fds = malloc(run->ws.ntasks * sizeof(int));
		if (!run->echo_fds) {
			err = -ENOMEM;
			goto fail;
		}
		/* The peer takes the slot after the model's OS threads: a one-thread
		 * model uses slot 0 only, whatever its task count. */
		unsigned peer = cell->model->flags & GB_MF_ONE_THREAD ? 1 : run->ws.ntasks;
		run->peer_pu = gb_run_slot_pu(run, peer);
		err = gb_echo_start(&run->echo, run->ws.ntasks, run->echo_fds, run->peer_pu,
		                    cell->p.peer_delay_ns);
		if (err) {
			snprintf(why, why_len, "echo peer for %u tasks: %s", run->ws.ntasks,
			         strerror(-err));
			goto fail;
		}
	}
	return 0;

fail:
	if (err == -ENOMEM && !why[0])
		snprintf(why, why_len, "out of memory");
	gb_run_close(run);
	return err;
}

void gb_run_close(struct gb_run *run)
{
	if (run->echo)
		gb_echo_stop(run->echo);
	run->echo = NULL;
	free(run->echo_fds);
	run->echo_fds = NULL;
	gb_workload_free(&run->ws);
	free(run->pu_order);
	run->pu_order = NULL;
	if (run->trace_fd >= 0)
		close(run->trace_fd);
	run->trace_fd = -1;
	if (run->sh)
		munmap(run->sh, sizeof(*run->sh));
	run->sh = NULL;
}

enum gb_trace_format gb_trace_format_for(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n >= 6 && strcmp(path + n - 6, ".jsonl") == 0 ? GB_TRACE_JSONL : GB_TRACE_CSV;
}

static int run_trace_cmp(const void *a, const void *b)
{
	const struct gb_run_trace_rec *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->thread < y->thread ? -1 : x->thread > y->thread;
}

/* The records every thread appended, as written (whole records only). */
static int run_trace_read(const struct gb_run *run, struct gb_run_trace_rec **out, size_t *n)
{
	struct stat st;
	size_t len, off = 0;
	char *buf;

	*out = NULL;
	*n = 0;
	if (run->trace_fd < 0)
		return 0;
	if (fstat(run->trace_fd, &st) != 0)
		return -errno;
	len = (size_t)st.st_size / sizeof(**out) * sizeof(**out);
	if (!len)
		return 0;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	while (off < len) {
		ssize_t r = pread(run->trace_fd, buf + off, len - off, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return r < 0 ? -errno : -EIO;
		}
		off += (size_t)r;
	}
	*out = (struct gb_run_trace_rec *)buf;
	*n = len / sizeof(**out);
	return 0;
}

struct run_pt {
	int32_t pid;
	uint32_t thread;
};

static int run_pt_cmp(const void *a, const void *b)
{
	const struct run_pt *x = a, *y = b;

	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* CSV comments naming the process of each thread, when there are several. */
static void run_trace_csv_procs(FILE *f, const struct gb_run_trace_rec *r, size_t n)
{
	struct run_pt *p = malloc((n ? n : 1) * sizeof(*p));
	size_t np = 0, i;
	int several = 0;

	if (!p)
		return;
	for (i = 0; i < n; i++) {
		p[i] = (struct run_pt){r[i].pid, r[i].thread};
		several |= r[i].pid != r[0].pid;
	}
	if (several) {
		qsort(p, n, sizeof(*p), run_pt_cmp);
		for (i = 0; i < n; i++)
			if (!np || run_pt_cmp(&p[np - 1], &p[i]) != 0)
				p[np++] = p[i];
		for (i = 0; i < np; i++)
			fprintf(f, "# thread %u: pid %d\n", p[i].thread, (int)p[i].pid);
	}
	free(p);
}

int gb_run_write_trace(const struct gb_run *run, const char *path, enum gb_trace_format fmt,
                       uint64_t *lost)
{
	const struct gb_cell *c = run->cell;
	struct gb_run_trace_rec *r;
	char *buf = NULL;
	size_t len = 0, n;
	FILE *f;
	uint64_t t0;
	int err;

	*lost = atomic_load(&run->sh->trace_lost);
	err = run_trace_read(run, &r, &n);
	if (err)
		return err;
	f = open_memstream(&buf, &len);
	if (!f) {
		free(r);
		return -ENOMEM;
	}
	qsort(r, n, sizeof(*r), run_trace_cmp);
	t0 = n ? r[0].ns : 0;
	if (fmt == GB_TRACE_JSONL) {
		json_t *h = json_pack("{s:i, s:s, s:s, s:s, s:i, s:f, s:I, s:I, s:I}",
		                      "gilbench_trace", 1, "model", c->model->name, "workload",
		                      gb_workload_name(c->p.workload), "gil", c->p.gil, "tasks",
		                      (int)c->p.tasks, "switch_interval_s", c->p.switch_interval_s,
		                      "t0_ns", (json_int_t)t0, "events", (json_int_t)n,
		                      "lost_events", (json_int_t)*lost);
		char *line = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER |
		                                       JSON_REAL_PRECISION(12))
		               : NULL;
		if (line)
			fprintf(f, "%s\n", line);
		free(line);
		json_decref(h);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "{\"t_ns\":%llu,\"pid\":%d,\"thread\":%u,\"event\":\"%s\"}\n",
			        (unsigned long long)(r[i].ns - t0), (int)r[i].pid, r[i].thread,
			        gb_trace_event_name((enum gb_trace_event)r[i].event));
	} else {
		fprintf(f, "# model=%s workload=%s gil=%s tasks=%u switch_interval_s=%g\n",
		        c->model->name, gb_workload_name(c->p.workload), c->p.gil, c->p.tasks,
		        c->p.switch_interval_s);
		fprintf(f, "# lost_events=%llu\n", (unsigned long long)*lost);
		run_trace_csv_procs(f, r, n);
		fprintf(f, "t_ns,thread,event\n");
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%llu,%u,%s\n", (unsigned long long)(r[i].ns - t0), r[i].thread,
			        gb_trace_event_name((enum gb_trace_event)r[i].event));
	}
	free(r);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	err = gb_file_write_atomic(path, buf, len, NULL);
	free(buf);
	return err;
}
