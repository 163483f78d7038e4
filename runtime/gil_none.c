/*
 * gil_none.c - free-threaded CPython (PEP 703): no global lock at all.
 * Acquire and release do nothing and count nothing; the free-threading
 * tax (cfg.overhead) is extra work per bytecode, applied by the
 * interpreter (env->overhead), not here.
 *
 * With a trace ring, acquire and release still record ACQUIRE and
 * DROP_VOLUNTARY, so a timeline shows the threads running at once.
 */
#include "gil_impl.h"

static int none_create(struct gb_gil *gil)
{
	gil->impl = NULL;
	return 0;
}

static void none_destroy(struct gb_gil *gil)
{
}

static void none_acquire(struct gb_gil_thread *t)
{
	t->holds = true;
	gb_gil_trace(t, GB_EV_ACQUIRE);
}

static void none_release(struct gb_gil_thread *t)
{
	t->holds = false;
	gb_gil_trace(t, GB_EV_DROP_VOLUNTARY);
}

static void none_check_slow(struct gb_gil_thread *t)
{
	t->countdown = t->countdown_reset;
}

const struct gb_gil_policy gb_gil_policy_none = {
        .name = "none",
        .summary = "free-threaded (PEP 703): no lock; optional per-bytecode overhead",
        .create = none_create,
        .destroy = none_destroy,
        .acquire = none_acquire,
        .release = none_release,
        .check_slow = none_check_slow,
};
