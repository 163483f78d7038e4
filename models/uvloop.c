/*
 * uvloop.c - the event loop under the asyncio and callbacks models, built
 * as CPython's BaseEventLoop._run_once is (research/gil.md section 6.1)
 * with libuv in the selector's place, as uvloop does: the ready queue and
 * the timer heap are ours, libuv only waits (one uv_timer armed for the
 * heap's earliest deadline, uv_poll for fds). Also the non-blocking echo
 * exchange all three libuv models use. Tasks, futures and the greenlet hub
 * live in the model files.
 *
 * Not modelled: cancelled timer handles (no program cancels one, so the
 * heap purge of _run_once has nothing to do), debug-mode slow callback
 * logging, call_soon_threadsafe.
 */
#include "uvloop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOOP_READY_MIN 64u
#define LOOP_HEAP_MIN  64u
#define LOOP_NS_PER_MS 1000000u

/* One loop per process runs at a time (one model run per forked child). */
static struct gb__loop_stats loop_last;

static void loop_wake_cb(uv_timer_t *t)
{
	/* Waking up the poll is all it is for. */
	(void)t;
}

static void loop_idle_cb(uv_idle_t *idle)
{
	/* Its being active is what matters: the poll does not wait. */
	(void)idle;
}

/*
 * Arms the wake timer for the heap's earliest deadline, as CPython's
 * selector computes its timeout: (when - now) rounded up to whole ms, so a
 * sleep never ends early and overshoots by less than a ms. libuv takes the
 * poll timeout from its own clock, read at the start of the iteration and
 * truncated to ms: a timer started in the prepare phase gives the poll
 * exactly this timeout. Returns 0 if the deadline has passed.
 */
static int loop_wake_arm(struct gb__loop *l)
{
	uint64_t now = gb_clock_now_ns(), ms;

	if (l->heap[0].when_ns <= now)
		return 0;
	ms = (l->heap[0].when_ns - now + LOOP_NS_PER_MS - 1) / LOOP_NS_PER_MS;
	uv_timer_start(&l->wake, loop_wake_cb, ms, 0);
	return 1;
}

/*
 * Just before the poll of an iteration that may block. Re-arms the wake
 * timer from the clock as it is now (the ms libuv waits must be counted
 * from here, not from before its timers ran); if the deadline has passed
 * meanwhile, an active idle handle makes the poll's timeout zero.
 */
static void loop_prepare_cb(uv_prepare_t *prepare)
{
	struct gb__loop *l = prepare->data;

	if (!l->blocking || !l->heap_len)
		return;
	if (!loop_wake_arm(l)) {
		uv_idle_start(&l->idle, loop_idle_cb);
		return;
	}
	if (uv_timer_get_due_in(&l->wake) > l->st.timeout_ms_max)
		l->st.timeout_ms_max = uv_timer_get_due_in(&l->wake);
}

int gb__loop_init(struct gb__loop *l, struct gb_gil_thread *gt)
{
	int err;

	memset(l, 0, sizeof(*l));
	l->gt = gt;
	err = uv_loop_init(&l->uv);
	if (err)
		return err;
	uv_timer_init(&l->uv, &l->wake);
	uv_prepare_init(&l->uv, &l->prepare);
	uv_idle_init(&l->uv, &l->idle);
	l->prepare.data = l;
	/* The prepare handle never keeps the loop alive; the idle handle does,
	 * while started: it is how an iteration that must not wait still polls. */
	uv_unref((uv_handle_t *)&l->prepare);
	uv_prepare_start(&l->prepare, loop_prepare_cb);
	return 0;
}

void gb__loop_last_stats(struct gb__loop_stats *out)
{
	*out = loop_last;
}

void gb__loop_close(struct gb__loop *l)
{
	loop_last = l->st;
	uv_close((uv_handle_t *)&l->wake, NULL);
	uv_close((uv_handle_t *)&l->prepare, NULL);
	uv_close((uv_handle_t *)&l->idle, NULL);
	/* Runs the close callbacks of the loop's handles, watches' included. */
	uv_run(&l->uv, UV_RUN_DEFAULT);
	uv_loop_close(&l->uv);
	free(l->ready);
	free(l->heap);
	l->ready = NULL;
	l->heap = NULL;
}

static int loop_ready_grow(struct gb__loop *l)
{
	size_t cap = l->ready_cap ? l->ready_cap * 2 : LOOP_READY_MIN;
	struct gb__handle *r = malloc(cap * sizeof(*r));

	if (!r)
		return -ENOMEM;
	/* Unwrap the ring into the new array, oldest first. */
	for (size_t i = 0; i < l->ready_len; i++)
		r[i] = l->ready[(l->ready_head + i) & (l->ready_cap - 1)];
	free(l->ready);
	l->ready = r;
	l->ready_cap = cap;
	l->ready_head = 0;
	return 0;
}

void gb__loop_call_soon(struct gb__loop *l, gb__loop_fn fn, void *arg)
{
	if (l->ready_len == l->ready_cap && loop_ready_grow(l) != 0) {
		if (!l->err)
			l->err = -ENOMEM;
		return;
	}
	l->ready[(l->ready_head + l->ready_len) & (l->ready_cap - 1)] =
	        (struct gb__handle){.fn = fn, .arg = arg};
	l->ready_len++;
}

static int loop_timer_before(const struct gb__timer *a, const struct gb__timer *b)
{
	return a->when_ns < b->when_ns || (a->when_ns == b->when_ns && a->seq < b->seq);
}

void gb__loop_call_later(struct gb__loop *l, uint64_t delay_ns, gb__loop_fn fn, void *arg)
{
	struct gb__timer t = {
	        .when_ns = gb_clock_now_ns() + delay_ns, .seq = l->seq++, .fn = fn, .arg = arg};
	size_t i;

	if (l->heap_len == l->heap_cap) {
		size_t cap = l->heap_cap ? l->heap_cap * 2 : LOOP_HEAP_MIN;
		struct gb__timer *h = realloc(l->heap, cap * sizeof(*h));
		if (!h) {
			if (!l->err)
				l->err = -ENOMEM;
			return;
		}
		l->heap = h;
		l->heap_cap = cap;
	}
	/* heapq.heappush: sift up. */
	for (i = l->heap_len++; i > 0; i = (i - 1) / 2) {
		size_t parent = (i - 1) / 2;
		if (!loop_timer_before(&t, &l->heap[parent]))
			break;
		l->heap[i] = l->heap[parent];
	}
	l->heap[i] = t;
}

static struct gb__timer loop_heap_pop(struct gb__loop *l)
{
	struct gb__timer top = l->heap[0], last = l->heap[--l->heap_len];
	size_t i = 0, n = l->heap_len;

	/* heapq.heappop: move the last entry down from the root. */
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && loop_timer_before(&l->heap[c + 1], &l->heap[c]))
			c++;
		if (!loop_timer_before(&l->heap[c], &last))
			break;
		l->heap[i] = l->heap[c];
		i = c;
	}
	if (n)
		l->heap[i] = last;
	return top;
}

int gb__loop_stalled(const struct gb__loop *l)
{
	return l->ready_len == 0 && l->heap_len == 0 && l->watching == 0;
}

/* How the poll of this iteration may wait: 1 = it may block. */
static int loop_arm_wait(struct gb__loop *l)
{
	if (l->ready_len)
		return 0; /* timeout = 0: ready handles must not wait for I/O */
	if (!l->heap_len)
		return l->watching != 0; /* block until an fd is ready */
	/* Started here so that the uv loop is alive; loop_prepare_cb re-arms it. */
	return loop_wake_arm(l);
}

int gb__loop_run_once(struct gb__loop *l)
{
	size_t ntodo;
	int block;

	if (l->err)
		return l->err;
	l->st.iterations++;
	block = loop_arm_wait(l);
	l->blocking = block;
	l->st.polls++;
	if (block) {
		/* select() runs inside Py_BEGIN_ALLOW_THREADS. */
		l->st.blocking_polls++;
		if (l->gt) {
			gb_gil_release(l->gt);
			gb_gil_trace(l->gt, GB_EV_IO_START);
		}
		uv_run(&l->uv, UV_RUN_ONCE);
		if (l->gt) {
			gb_gil_trace(l->gt, GB_EV_IO_END);
			gb_gil_acquire(l->gt);
		}
		uv_timer_stop(&l->wake);
	} else {
		/* selector.select(0): asyncio polls in every iteration, and so does
		 * uv_run under uvloop. The active idle handle keeps the uv loop
		 * alive, so the run reaches its poll even with nothing to wait for. */
		uv_idle_start(&l->idle, loop_idle_cb);
		uv_run(&l->uv, UV_RUN_NOWAIT);
	}
	uv_idle_stop(&l->idle);
	l->blocking = 0;
	if (l->heap_len) {
		uint64_t now = gb_clock_now_ns();
		while (l->heap_len && l->heap[0].when_ns <= now) {
			struct gb__timer t = loop_heap_pop(l);
			l->st.timers++;
			gb__loop_call_soon(l, t.fn, t.arg);
		}
	}
	/* The snapshot: what this iteration's handles schedule runs in the next. */
	ntodo = l->ready_len;
	while (ntodo--) {
		struct gb__handle h = l->ready[l->ready_head];
		l->ready_head = (l->ready_head + 1) & (l->ready_cap - 1);
		l->ready_len--;
		l->st.callbacks++;
		h.fn(h.arg);
	}
	return l->err;
}

static void loop_watch_fire(void *arg)
{
	struct gb__watch *w = arg;

	w->queued = 0;
	if (w->events)
		w->fn(w->arg);
}

static void loop_watch_cb(uv_poll_t *p, int status, int events)
{
	struct gb__watch *w = p->data;

	/* On an error status the callback's own send/recv reports it. libuv
	 * polls again when a batch of events fills its array, so the same fd
	 * can be reported twice in one poll: queue one handle, not two. */
	(void)status;
	(void)events;
	if (w->queued)
		return;
	w->queued = 1;
	gb__loop_call_soon(w->loop, loop_watch_fire, w);
}

int gb__watch_start(struct gb__loop *l, struct gb__watch *w, int fd, int events, gb__loop_fn fn,
                    void *arg)
{
	int err;

	if (!w->inited) {
		err = uv_poll_init(&l->uv, &w->poll, fd);
		if (err)
			return err;
		w->inited = 1;
		w->poll.data = w;
		w->loop = l;
		w->fd = fd;
	}
	w->fn = fn;
	w->arg = arg;
	err = uv_poll_start(&w->poll, events, loop_watch_cb);
	if (err)
		return err;
	if (!w->events)
		l->watching++;
	w->events = (uint8_t)events;
	return 0;
}

void gb__watch_stop(struct gb__watch *w)
{
	if (!w->events)
		return;
	uv_poll_stop(&w->poll);
	w->events = 0;
	w->loop->watching--;
}

void gb__watch_close(struct gb__watch *w)
{
	if (!w->inited)
		return;
	gb__watch_stop(w);
	uv_close((uv_handle_t *)&w->poll, NULL);
	w->inited = 0;
}

const char *gb__mem_check(const char *model, unsigned tasks, size_t per_task)
{
	static __thread char why[200];
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	double need = (double)tasks * (double)per_task, have;

	if (pages <= 0 || page <= 0)
		return NULL;
	have = (double)pages * (double)page;
	if (need <= have)
		return NULL;
	snprintf(why, sizeof(why),
	         "%s: %u tasks need at least %.1f GiB resident (%zu bytes each), more than the "
	         "machine's %.1f GiB",
	         model, tasks, need / 1073741824.0, per_task, have / 1073741824.0);
	return why;
}

void gb__task_sum(struct gb_task *sum, const struct gb_task *first, size_t n, size_t stride)
{
	const char *p = (const char *)first;

	memset(sum, 0, sizeof(*sum));
	for (size_t i = 0; i < n; i++, p += stride) {
		const struct gb_task *t = (const struct gb_task *)p;
		sum->n.bytecodes += t->n.bytecodes;
		sum->n.native_units += t->n.native_units;
		sum->n.blocking_ops += t->n.blocking_ops;
		sum->n.yields += t->n.yields;
	}
}

/* What the peer sends back is never looked at: send zeros, read into scratch. */
static const char loop_zeros[GB_UV_SCRATCH];

static int loop_io_errno(int e)
{
	if (e == EAGAIN || e == EWOULDBLOCK)
		return -EAGAIN;
	if (e == ECONNRESET)
		return -EPIPE;
	return -e;
}

int gb__echo_send(int fd, uint64_t len, uint64_t *off)
{
	while (*off < len) {
		size_t n = len - *off < GB_UV_SCRATCH ? (size_t)(len - *off) : GB_UV_SCRATCH;
		ssize_t w = send(fd, loop_zeros, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return loop_io_errno(errno);
		}
		*off += (uint64_t)w;
	}
	return 0;
}

int gb__echo_recv(int fd, uint64_t len, uint64_t *off, char *scratch)
{
	while (*off < len) {
		size_t n = len - *off < GB_UV_SCRATCH ? (size_t)(len - *off) : GB_UV_SCRATCH;
		ssize_t r = recv(fd, scratch, n, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return loop_io_errno(errno);
		}
		if (r == 0)
			return -EPIPE;
		*off += (uint64_t)r;
	}
	return 0;
}
