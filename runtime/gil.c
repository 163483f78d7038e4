/*
 * gil.c - the policy-independent half of the simulated GIL: the policy
 * table and plugin registry, config checking, create/attach and the thin
 * dispatch to a policy's ops, counters and trace helpers, and each GIL's
 * own totals (its threads' counters folded in at detach, reported at
 * destroy).
 *
 * It holds no locking logic: how the GIL is taken, handed over and
 * dropped is each policy's (runtime/gil_*.c). Dispatch is one indirect
 * call; the per-bytecode fast path (gb_gil_check in gil.h) never gets here.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gil_impl.h"

#define GIL_PLUGINS_MAX            16
#define GIL_DEFAULT_INTERVAL_S     0.005
#define GIL_DEFAULT_CHECK_INTERVAL 100u
#define GIL_MIN_INTERVAL_S         1e-6 /* sys.setswitchinterval clamps to 1 us too */
#define GIL_MAX_INTERVAL_S         1e6

const struct gb_gil_policy *const gb_gil_policies[] = {
#define GB__GIL_POLICY(n) &gb_gil_policy_##n,
#include "gil_policies.def"
#undef GB__GIL_POLICY
        NULL,
};

#define GIL_BUILTIN_COUNT (sizeof(gb_gil_policies) / sizeof(gb_gil_policies[0]) - 1)

/* Plugins register before any thread runs, but a lock keeps it simple and safe. */
static pthread_mutex_t gil_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct gb_gil_policy *gil_plugins[GIL_PLUGINS_MAX];
static size_t gil_nplugins;

const struct gb_gil_policy *gb_gil_policy_at(size_t i)
{
	const struct gb_gil_policy *p = NULL;

	if (i < GIL_BUILTIN_COUNT)
		return gb_gil_policies[i];
	i -= GIL_BUILTIN_COUNT;
	pthread_mutex_lock(&gil_reg_lock);
	if (i < gil_nplugins)
		p = gil_plugins[i];
	pthread_mutex_unlock(&gil_reg_lock);
	return p;
}

const struct gb_gil_policy *gb_gil_policy_find(const char *name)
{
	const struct gb_gil_policy *p;

	if (!name)
		return NULL;
	for (size_t i = 0; (p = gb_gil_policy_at(i)); i++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

int gb_gil_policy_register(const struct gb_gil_policy *policy)
{
	int err = 0;

	if (!policy || !policy->name || !policy->name[0] || !policy->create || !policy->destroy ||
	    !policy->acquire || !policy->release || !policy->check_slow)
		return -EINVAL;
	if (gb_gil_policy_find(policy->name))
		return -EEXIST;
	pthread_mutex_lock(&gil_reg_lock);
	if (gil_nplugins == GIL_PLUGINS_MAX)
		err = -ENOSPC;
	else
		gil_plugins[gil_nplugins++] = policy;
	pthread_mutex_unlock(&gil_reg_lock);
	return err;
}

static int gil_config_check(const struct gb_gil_config *in, struct gb_gil_config *out)
{
	*out = *in;
	if (isnan(in->switch_interval_s) || in->switch_interval_s < 0 ||
	    in->switch_interval_s > GIL_MAX_INTERVAL_S)
		return -EINVAL;
	if (isnan(in->overhead) || in->overhead < 0 || isinf(in->overhead))
		return -EINVAL;
	if (out->switch_interval_s == 0)
		out->switch_interval_s = GIL_DEFAULT_INTERVAL_S;
	if (out->switch_interval_s < GIL_MIN_INTERVAL_S)
		out->switch_interval_s = GIL_MIN_INTERVAL_S;
	if (out->check_interval == 0)
		out->check_interval = GIL_DEFAULT_CHECK_INTERVAL;
	return 0;
}

int gb_gil_create(const struct gb_gil_config *cfg, struct gb_gil **out)
{
	static const struct gb_gil_config zero;
	const struct gb_gil_policy *policy;
	struct gb_gil *gil;
	int err;

	*out = NULL;
	if (!cfg)
		cfg = &zero;
	policy = gb_gil_policy_find(cfg->policy ? cfg->policy : "new");
	if (!policy)
		return -ENOENT;
	gil = calloc(1, sizeof(*gil));
	if (!gil)
		return -ENOMEM;
	gil->book = aligned_alloc(GB_CACHE_LINE, sizeof(*gil->book));
	if (!gil->book) {
		err = -ENOMEM;
		goto fail_config;
	}
	memset(gil->book, 0, sizeof(*gil->book));
	atomic_init(&gil->book->contended_ns, 0);
	err = -pthread_mutex_init(&gil->book->fold_lock, NULL);
	if (err)
		goto fail_lock;
	err = gil_config_check(cfg, &gil->cfg);
	if (err)
		goto fail_check;
	gil->cfg.policy = policy->name;
	gil->policy = policy;
	gil->interval_ns = (uint64_t)llround(gil->cfg.switch_interval_s * 1e9);
	gb__clock_init();
	err = policy->create(gil);
	if (err)
		goto fail_check;
	*out = gil;
	return 0;

fail_check:
	pthread_mutex_destroy(&gil->book->fold_lock);
fail_lock:
	free(gil->book);
fail_config:
	free(gil);
	return err;
}

void gb_gil_stats_get(const struct gb_gil *gil, struct gb_gil_stats *out)
{
	struct gb__gil_book *b = gil->book;

	pthread_mutex_lock(&b->fold_lock);
	*out = b->folded;
	pthread_mutex_unlock(&b->fold_lock);
	out->contended_ns = atomic_load_explicit(&b->contended_ns, memory_order_relaxed);
}

void gb_gil_destroy(struct gb_gil *gil)
{
	struct gb_gil_stats st;

	if (!gil)
		return;
	gb_gil_stats_get(gil, &st);
	/* A GIL nobody used (the processes model checks the policy with one)
	 * is not a GIL of the run. */
	if (gil->cfg.report && st.threads)
		gil->cfg.report(gil->cfg.report_ctx, &st);
	gil->policy->destroy(gil);
	pthread_mutex_destroy(&gil->book->fold_lock);
	free(gil->book);
	free(gil);
}

/* At detach: t's counters become part of its GIL's. */
static void gil_fold(struct gb_gil *gil, const struct gb_gil_counters *c)
{
	struct gb_gil_stats *f = &gil->book->folded;

	pthread_mutex_lock(&gil->book->fold_lock);
	f->acquisitions += c->acquisitions;
	f->switches += c->switches;
	f->drop_requests += c->drop_requests;
	f->forced_switches += c->forced_drops;
	f->held_ns += c->hold_ns;
	f->wait_ns += c->wait_ns;
	pthread_mutex_unlock(&gil->book->fold_lock);
}

int gb_gil_thread_attach(struct gb_gil *gil, unsigned id, struct gb_gil_thread *t)
{
	int err;

	if (!gil || !t || (uintptr_t)t % GB_CACHE_LINE)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	atomic_init(&t->breaker, 0);
	t->gil = gil;
	t->id = id;
	t->countdown_reset = UINT32_MAX;
	if (gil->cfg.trace_capacity) {
		t->trace.recs = calloc(gil->cfg.trace_capacity, sizeof(*t->trace.recs));
		if (!t->trace.recs)
			return -ENOMEM;
		t->trace.capacity = gil->cfg.trace_capacity;
	}
	if (gil->policy->attach) {
		err = gil->policy->attach(t);
		if (err)
			goto fail_attach;
	}
	if (!t->countdown_reset)
		t->countdown_reset = UINT32_MAX;
	t->countdown = t->countdown_reset;
	pthread_mutex_lock(&gil->book->fold_lock);
	gil->book->folded.threads++;
	pthread_mutex_unlock(&gil->book->fold_lock);
	return 0;

fail_attach:
	free(t->trace.recs);
	t->trace.recs = NULL;
	t->trace.capacity = 0;
	t->gil = NULL;
	return err;
}

void gb_gil_thread_detach(struct gb_gil_thread *t)
{
	if (!t || !t->gil)
		return;
	if (t->holds) {
		/* A final release: a pending drop request must not make it wait. */
		atomic_fetch_and_explicit(&t->breaker, ~GB_GIL_BREAK_DROP, memory_order_relaxed);
		t->gil->policy->release(t);
	}
	if (t->gil->policy->detach)
		t->gil->policy->detach(t);
	gil_fold(t->gil, &t->c);
	free(t->trace.recs);
	t->trace.recs = NULL;
	t->trace.capacity = 0;
	t->gil = NULL;
}

/* Acquiring twice or releasing what is not held would deadlock or corrupt
 * the counts silently; it is a bug in the caller, so stop loudly. */
static void gil_misuse(const struct gb_gil_thread *t, const char *what)
{
	fprintf(stderr, "gilbench: gil: thread %u %s\n", t->id, what);
	abort();
}

void gb_gil_acquire(struct gb_gil_thread *t)
{
	if (__builtin_expect(t->holds, 0))
		gil_misuse(t, "acquires a GIL it already holds");
	t->gil->policy->acquire(t);
}

void gb_gil_release(struct gb_gil_thread *t)
{
	if (__builtin_expect(!t->holds, 0))
		gil_misuse(t, "releases a GIL it does not hold");
	t->gil->policy->release(t);
}

void gb_gil_check_slow(struct gb_gil_thread *t)
{
	t->gil->policy->check_slow(t);
}

void gb_gil_account_acquire(struct gb_gil_thread *t, uint64_t now, uint64_t waited_ns,
                            bool switched)
{
	gb__gil_account_acquire(t, now, waited_ns, switched);
}

void gb_gil_account_release(struct gb_gil_thread *t, bool forced)
{
	gb__gil_account_release(t, forced);
}

void gb_gil_account_wait_begin(struct gb_gil *gil)
{
	gb__gil_wait_begin(gil);
}

void gb_gil_account_wait_end(struct gb_gil *gil)
{
	gb__gil_wait_end(gil);
}

const char *gb_trace_event_name(enum gb_trace_event ev)
{
	static const char *const names[GB_EV__COUNT] = {
	        [GB_EV_REQUEST] = "request",
	        [GB_EV_ACQUIRE] = "acquire",
	        [GB_EV_DROP_FORCED] = "drop_forced",
	        [GB_EV_DROP_VOLUNTARY] = "drop_voluntary",
	        [GB_EV_DROP_REQUEST] = "drop_request",
	        [GB_EV_IO_START] = "io_start",
	        [GB_EV_IO_END] = "io_end",
	        [GB_EV_NATIVE_START] = "native_start",
	        [GB_EV_NATIVE_END] = "native_end",
	};

	if ((unsigned)ev >= GB_EV__COUNT)
		return "unknown";
	return names[ev];
}

void gb_gil_counters_add(struct gb_gil_counters *dst, const struct gb_gil_counters *src)
{
	dst->acquisitions += src->acquisitions;
	dst->hold_ns += src->hold_ns;
	dst->wait_ns += src->wait_ns;
	if (src->wait_max_ns > dst->wait_max_ns)
		dst->wait_max_ns = src->wait_max_ns;
	dst->drop_requests += src->drop_requests;
	dst->forced_drops += src->forced_drops;
	dst->voluntary_drops += src->voluntary_drops;
	dst->switch_waits += src->switch_waits;
	dst->futile_wakeups += src->futile_wakeups;
	dst->switches += src->switches;
	dst->requested_acquisitions += src->requested_acquisitions;
}
