/*
 * uvloop.h - what the three libuv models share: an asyncio-style event
 * loop (a call_soon ready queue run by snapshot, a call_later timer heap,
 * fd readiness through libuv) for asyncio and callbacks, and the
 * non-blocking echo exchange every one of them, greenlets too, performs.
 */
#ifndef GB_MODELS_UVLOOP_H
#define GB_MODELS_UVLOOP_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include <gilbench/gil.h>
#include <gilbench/interp.h>

typedef void (*gb__loop_fn)(void *arg);

/* A call_soon Handle: asyncio's Handle(cb, args) without context. */
struct gb__handle {
	gb__loop_fn fn;
	void *arg;
};

/* A call_later TimerHandle; seq keeps equal deadlines first-in first-out. */
struct gb__timer {
	uint64_t when_ns; /* gb_clock_now_ns() clock */
	uint64_t seq;
	gb__loop_fn fn;
	void *arg;
};

/* Counters for tests and micro benchmarks: behaviour, not time. */
struct gb__loop_stats {
	uint64_t iterations;     /* _run_once calls */
	uint64_t callbacks;      /* handles run */
	uint64_t timers;         /* timer handles moved to the ready queue */
	uint64_t polls;          /* uv_run calls (select calls): one per iteration */
	uint64_t blocking_polls; /* of which could block (GIL released around them) */
	uint64_t timeout_ms_max; /* the longest poll timeout armed for a timer, in ms */
};

struct gb__loop {
	uv_loop_t uv;
	uv_timer_t wake;      /* armed for the heap's earliest deadline before a blocking poll */
	uv_prepare_t prepare; /* unreferenced: never keeps the uv loop alive */
	uv_idle_t idle;       /* started: the poll does not wait */
	struct gb_gil_thread *gt; /* released around a blocking poll; NULL: no GIL */
	struct gb__handle *ready; /* ring buffer, capacity a power of two */
	size_t ready_head, ready_len, ready_cap;
	struct gb__timer *heap; /* binary min-heap on (when_ns, seq) */
	size_t heap_len, heap_cap;
	uint64_t seq;
	unsigned watching; /* fds with a started watch */
	int err;           /* first failure (ENOMEM in call_soon...); sticky */
	int blocking;      /* inside the poll of an iteration that may block */
	struct gb__loop_stats st;
};

/* A reader or writer registration (add_reader/add_writer) for one fd. */
struct gb__watch {
	uv_poll_t poll;
	struct gb__loop *loop;
	gb__loop_fn fn;
	void *arg;
	int fd;
	uint8_t inited;
	uint8_t events; /* UV_READABLE / UV_WRITABLE being watched, 0 = stopped */
	uint8_t queued; /* its handle waits in the ready queue */
};

int gb__loop_init(struct gb__loop *l, struct gb_gil_thread *gt);
/* Closes every libuv handle of the loop; watches must be closed first. */
void gb__loop_close(struct gb__loop *l);

/* The stats of the loop this process closed last: for tests, which drive a
 * model through its ops table and cannot see its loop. */
void gb__loop_last_stats(struct gb__loop_stats *out);

/* Both record -ENOMEM in l->err on failure (run_once then returns it). */
void gb__loop_call_soon(struct gb__loop *l, gb__loop_fn fn, void *arg);
void gb__loop_call_later(struct gb__loop *l, uint64_t delay_ns, gb__loop_fn fn, void *arg);

/*
 * One BaseEventLoop._run_once: poll timeout 0 if anything is ready, else
 * until the earliest timer (rounded up to ms), else until an fd is ready;
 * poll, in every iteration, as selector.select is called (fd callbacks
 * append to the ready queue); move due timers to the ready queue; run the
 * handles that are ready now, and only those: a handle scheduled by one of
 * them waits for the next iteration. 0 or l->err.
 */
int gb__loop_run_once(struct gb__loop *l);

/* Nothing ready, no timer, no fd watched: the loop would wait forever. */
int gb__loop_stalled(const struct gb__loop *l);

/*
 * Watches fd for `events` (UV_READABLE or UV_WRITABLE); when it is ready
 * the loop appends fn(arg) to the ready queue, every iteration until
 * stopped (level-triggered, as selectors are). 0 or -errno.
 */
int gb__watch_start(struct gb__loop *l, struct gb__watch *w, int fd, int events, gb__loop_fn fn,
                    void *arg);
void gb__watch_stop(struct gb__watch *w);
/* uv_close; the memory must live until the loop has run its close callbacks
 * (gb__loop_close does). */
void gb__watch_close(struct gb__watch *w);

/*
 * NULL if `tasks` tasks of `per_task` resident bytes each fit in the
 * machine's physical memory, else why not: the model's init then fails the
 * cell with -ENOMEM, since past it the cell would only end by the OOM
 * killer, taking others along.
 */
const char *gb__mem_check(const char *model, unsigned tasks, size_t per_task);

/*
 * Sums the counters of n tasks laid out `stride` bytes apart into *sum, so
 * that a model with 100 000 tasks adds them to the run's shared totals with
 * one gb_run_collect_task, not 400 000 atomic adds.
 */
void gb__task_sum(struct gb_task *sum, const struct gb_task *first, size_t n, size_t stride);

/*
 * The echo exchange with the harness peer, one non-blocking step at a time:
 * *off counts bytes done. 0 when all `len` bytes went (came), -EAGAIN when
 * the socket would block, -EPIPE when the peer closed, else -errno.
 * Received bytes land in `scratch` (GB_UV_SCRATCH bytes).
 */
#define GB_UV_SCRATCH 4096u
int gb__echo_send(int fd, uint64_t len, uint64_t *off);
int gb__echo_recv(int fd, uint64_t len, uint64_t *off, char *scratch);

#endif
