/*
 * gil_fifo.c - an external GIL policy, loaded with --plugin: a ticket lock
 * that hands the GIL over in arrival order. A waiter that has waited one
 * switch interval with no switch asks the holder to drop, as the new GIL
 * does; the holder then queues behind everyone already waiting. It shows
 * that a GIL design can be tried without touching gilbench, and the tests
 * run it under the threads model.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <gilbench/model.h>

const unsigned gb_plugin_abi = GB_MODEL_ABI;

struct fifo {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t next_ticket; /* the ticket the next arrival gets */
	uint64_t serving;     /* the ticket that may take the GIL */
	int locked;
	struct gb_gil_thread *holder, *last;
	uint64_t switch_number;
};

static int fifo_create(struct gb_gil *gil)
{
	struct fifo *f = calloc(1, sizeof(*f));
	pthread_condattr_t attr;

	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cv, &attr);
	pthread_condattr_destroy(&attr);
	gil->impl = f;
	return 0;
}

static void fifo_destroy(struct gb_gil *gil)
{
	struct fifo *f = gil->impl;

	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static void fifo_acquire(struct gb_gil_thread *t)
{
	struct fifo *f = t->gil->impl;
	uint64_t t0 = gb_clock_fast_ns(), ticket;
	int switched, waits, asked = 0;

	pthread_mutex_lock(&f->mu);
	ticket = f->next_ticket++;
	waits = f->locked || f->serving != ticket;
	if (waits) {
		gb_gil_trace(t, GB_EV_REQUEST);
		gb_gil_account_wait_begin(t->gil);
	}
	while (f->locked || f->serving != ticket) {
		uint64_t seen = f->switch_number;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)(t->gil->interval_ns % 1000000000u);
		ts.tv_sec += (time_t)(t->gil->interval_ns / 1000000000u) + ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		int rc = pthread_cond_timedwait(&f->cv, &f->mu, &ts);
		if (rc == ETIMEDOUT && f->locked && f->switch_number == seen && f->holder) {
			atomic_fetch_or(&f->holder->breaker, GB_GIL_BREAK_DROP);
			t->c.drop_requests++;
			asked = 1;
			gb_gil_trace(t, GB_EV_DROP_REQUEST);
		} else if (rc == 0 && (f->locked || f->serving != ticket)) {
			t->c.futile_wakeups++;
		}
	}
	if (waits)
		gb_gil_account_wait_end(t->gil);
	if (asked)
		t->c.requested_acquisitions++;
	f->locked = 1;
	f->holder = t;
	switched = f->last != t;
	if (switched)
		f->switch_number++;
	f->last = t;
	pthread_mutex_unlock(&f->mu);
	uint64_t now = gb_clock_fast_ns();
	gb_gil_account_acquire(t, now, waits ? now - t0 : 0, switched);
}

static void fifo_drop(struct gb_gil_thread *t, int forced)
{
	struct fifo *f = t->gil->impl;

	gb_gil_account_release(t, forced);
	pthread_mutex_lock(&f->mu);
	f->locked = 0;
	f->holder = NULL;
	f->serving++;
	/* Every waiter checks its own ticket: wake them all, one will match. */
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static void fifo_release(struct gb_gil_thread *t)
{
	fifo_drop(t, 0);
}

static void fifo_check_slow(struct gb_gil_thread *t)
{
	t->countdown = t->countdown_reset;
	if (atomic_fetch_and(&t->breaker, ~GB_GIL_BREAK_DROP) & GB_GIL_BREAK_DROP) {
		fifo_drop(t, 1);
		fifo_acquire(t); /* a new ticket: behind everyone waiting */
	}
}

const struct gb_gil_policy gb_gil_policy_plugin = {
        .name = "fifo",
        .summary = "test plugin: a ticket lock, handed over in arrival order",
        .create = fifo_create,
        .destroy = fifo_destroy,
        .acquire = fifo_acquire,
        .release = fifo_release,
        .check_slow = fifo_check_slow,
};
