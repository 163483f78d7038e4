/*
 * test_coro.c - stackful coroutines: switching back and forth, finishing,
 * nesting, stack bounds and alignment, the stack pool (reuse, its bound,
 * batched unmapping) by its counters, shared stacks (greenlet's slicing:
 * every coroutine's frames survive the others), and the guard report on
 * own, pooled, slab-neighbour and shared stacks (in forked children,
 * since it ends the process).
 */
#include <errno.h>
#include <signal.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gilbench/coro.h>

#include "tap.h"

static int rc; /* tap.h macros evaluate their arguments twice */

struct pingpong {
	struct gb_coro *main, *co;
	unsigned value;
	int steps;
};

static void pingpong_fn(struct gb_coro *self, void *arg)
{
	struct pingpong *p = arg;

	for (int i = 0; i < p->steps; i++) {
		p->value = p->value * 2 + 1;
		gb_coro_switch(self, p->main);
	}
}

static void test_pingpong(void)
{
	struct pingpong p = {.main = gb_coro_main(), .steps = 1000};
	int resumes = 0;

	rc = gb_coro_create(&p.co, 0, pingpong_fn, &p);
	is_int(rc, 0, "create with the default stack");
	if (rc)
		return;
	ok(!gb_coro_finished(p.co), "not finished before it starts");
	while (!gb_coro_finished(p.co)) {
		unsigned before = p.value;
		gb_coro_switch(p.main, p.co);
		if (!gb_coro_finished(p.co) && p.value != before * 2 + 1)
			break;
		resumes++;
	}
	is_int(resumes, 1001, "1000 round trips, then the return switches back once more");
	ok(gb_coro_finished(p.co), "finished after fn returned");
	gb_coro_destroy(p.co);
}

/* Three coroutines passing a token around a ring, then back to main. */
struct ring {
	struct gb_coro *main, *co[3];
	int token;
	char trail[64];
};

static void ring_fn(struct gb_coro *self, void *arg)
{
	struct ring *r = arg;
	int me = self == r->co[0] ? 0 : self == r->co[1] ? 1 : 2;

	for (int round = 0; round < 3; round++) {
		size_t n = strlen(r->trail);
		r->trail[n] = (char)('a' + me);
		r->trail[n + 1] = '\0';
		r->token++;
		gb_coro_switch(self, me == 2 ? r->main : r->co[me + 1]);
	}
}

static void test_ring(void)
{
	struct ring r = {.main = gb_coro_main()};

	for (int i = 0; i < 3; i++) {
		rc = gb_coro_create(&r.co[i], 32 * 1024, ring_fn, &r);
		if (rc)
			break;
	}
	is_int(rc, 0, "three coroutines");
	if (rc)
		return;
	for (int round = 0; round < 3; round++)
		gb_coro_switch(r.main, r.co[0]);
	ok(strcmp(r.trail, "abcabcabc") == 0, "coroutines switch to each other (%s)", r.trail);
	is_int(r.token, 9, "token passed nine times");
	for (int i = 0; i < 3; i++)
		gb_coro_destroy(r.co[i]);
}

static void align_fn(struct gb_coro *self, void *arg)
{
	uintptr_t *out = arg;
	alignas(16) volatile double d[2] = {1.5, 2.25};
	char buf[64];

	out[0] = (uintptr_t)&d[0];
	/* Varargs with doubles use aligned SSE stores: a misaligned stack crashes here. */
	snprintf(buf, sizeof(buf), "%.2f %.3f", d[0], d[1]);
	out[1] = strcmp(buf, "1.50 2.250") == 0;
	gb_coro_switch(self, gb_coro_main());
}

static void test_alignment(void)
{
	struct gb_coro *co;
	uintptr_t out[2] = {0};

	rc = gb_coro_create(&co, 16 * 1024, align_fn, out);
	is_int(rc, 0, "minimum-size stack");
	if (rc)
		return;
	gb_coro_switch(gb_coro_main(), co);
	is_int(out[0] % 16, 0, "16-byte aligned locals on a coroutine stack");
	ok(out[1], "printf of doubles works on a coroutine stack");
	gb_coro_destroy(co); /* suspended, never finished: allowed, frames discarded */
}

static void nop_fn(struct gb_coro *self, void *arg)
{
}

static void test_bounds(void)
{
	struct gb_coro *co = (struct gb_coro *)&co;

	ok(gb_coro_stack_min() >= 8192 && gb_coro_stack_min() <= 65536, "stack min %zu",
	   gb_coro_stack_min());
	is_int(gb_coro_stack_max(), 1024u * 1024u * 1024u, "stack max 1 GiB");
	rc = gb_coro_create(&co, gb_coro_stack_min() - 1, nop_fn, NULL);
	is_int(rc, -EINVAL, "a stack below the minimum");
	ok(co == NULL, "no coroutine on error");
	rc = gb_coro_create(&co, gb_coro_stack_max() + 1, nop_fn, NULL);
	is_int(rc, -EINVAL, "a stack above the maximum");
	rc = gb_coro_create(&co, 65536, NULL, NULL);
	is_int(rc, -EINVAL, "no function");
	rc = gb_coro_create(&co, gb_coro_stack_max(), nop_fn, NULL);
	is_int(rc, 0, "a 1 GiB stack: only address space until touched");
	gb_coro_switch(gb_coro_main(), co);
	ok(gb_coro_finished(co), "it ran");
	gb_coro_destroy(co);
	gb_coro_destroy(NULL);
}

static void test_many(void)
{
	enum { N = 2000 };
	struct gb_coro **co = calloc(N, sizeof(*co));
	int made = 0, finished = 0;

	for (; made < N; made++)
		if (gb_coro_create(&co[made], 16 * 1024, nop_fn, NULL) != 0)
			break;
	is_int(made, N, "2000 coroutines");
	for (int i = 0; i < made; i++) {
		gb_coro_switch(gb_coro_main(), co[i]);
		finished += gb_coro_finished(co[i]);
		gb_coro_destroy(co[i]);
	}
	is_int(finished, made, "all of them ran to the end");
	free(co);
}

/* --- the pool --- */

static void test_pool(void)
{
	struct gb_coro_pool_stats a, b;
	enum { N = 2000 };
	struct gb_coro **co = calloc(N, sizeof(*co));
	int made = 0, ran = 0;

	gb_coro_pool_drain();
	gb_coro_pool_stats(&a);
	is_int(a.idle, 0, "a drained pool holds nothing");
	for (int i = 0; i < 1000; i++) {
		struct gb_coro *c;
		if (gb_coro_create(&c, 64 * 1024, nop_fn, NULL) != 0)
			break;
		gb_coro_switch(gb_coro_main(), c);
		ran += gb_coro_finished(c);
		gb_coro_destroy(c);
	}
	is_int(ran, 1000, "1000 coroutines created, run and destroyed one after another");
	gb_coro_pool_stats(&b);
	ok(b.mapped - a.mapped <= 64, "they took at most one slab of stacks (%llu mapped)",
	   (unsigned long long)(b.mapped - a.mapped));
	is_int(b.slabs - a.slabs, 1, "with one mmap");
	ok(b.reused - a.reused >= 999, "the other creates were served by the pool (%llu)",
	   (unsigned long long)(b.reused - a.reused));

	/* Many alive at once, then all destroyed: the pool keeps a bounded part. */
	gb_coro_pool_stats(&a);
	for (; made < N; made++)
		if (gb_coro_create(&co[made], 64 * 1024, nop_fn, NULL) != 0)
			break;
	is_int(made, N, "2000 coroutines alive at once");
	for (int i = 0; i < made; i++)
		gb_coro_destroy(co[i]);
	gb_coro_pool_stats(&b);
	ok(b.idle_bytes <= 2u * 16u * 1024u * 1024u,
	   "idle stacks stay within the pool's bound (%zu bytes in %zu stacks)", b.idle_bytes,
	   b.idle);
	ok(b.unmapped > a.unmapped, "the excess was unmapped (%llu stacks)",
	   (unsigned long long)(b.unmapped - a.unmapped));
	ok((b.munmaps - a.munmaps) * 8 < b.unmapped - a.unmapped,
	   "adjacent stacks were unmapped together (%llu stacks in %llu calls)",
	   (unsigned long long)(b.unmapped - a.unmapped),
	   (unsigned long long)(b.munmaps - a.munmaps));
	gb_coro_pool_drain();
	gb_coro_pool_stats(&b);
	is_int(b.idle, 0, "drain empties the pool");
	is_int(b.mapped, b.unmapped, "and every stack mapped was unmapped");

	/* A 1 GiB stack is never kept idle. */
	gb_coro_pool_stats(&a);
	if (gb_coro_create(&co[0], gb_coro_stack_max(), nop_fn, NULL) == 0) {
		gb_coro_destroy(co[0]);
		gb_coro_pool_stats(&b);
		is_int(b.idle, 0, "a 1 GiB stack is unmapped at once");
	}
	free(co);
}

/* --- shared stacks --- */

struct sliced {
	struct gb_coro *co;
	unsigned id, depth, yields, resumed;
	int bad;
};

static struct gb_coro *sl_main;

/* depth frames of 256 bytes with a pattern each, checked after the yields. */
static unsigned sl_descend(struct sliced *s, unsigned depth)
{
	volatile unsigned char buf[256];
	unsigned sum = 0;

	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(s->id * 31u + depth * 7u + i);
	if (depth == 0) {
		for (unsigned y = 0; y < s->yields; y++) {
			gb_coro_switch(s->co, sl_main);
			s->resumed++;
		}
	} else {
		sum = sl_descend(s, depth - 1);
	}
	for (unsigned i = 0; i < sizeof(buf); i++) {
		if (buf[i] != (unsigned char)(s->id * 31u + depth * 7u + i))
			s->bad = 1;
		sum += buf[i];
	}
	return sum;
}

static void sl_fn(struct gb_coro *self, void *arg)
{
	struct sliced *s = arg;

	(void)sl_descend(s, s->depth);
}

static struct gb_coro *sl_other;

static void sl_busy_fn(struct gb_coro *self, void *arg)
{
	*(int *)arg = gb_coro_ready(sl_other);
}

static void test_shared(void)
{
	enum { K = 20, Y = 5 };
	struct sliced s[K];
	struct gb_coro_stack *stack;
	struct gb_coro_stack_stats st;
	int readied = 0, finished = 0, bad = 0, busy = 0;
	unsigned resumed = 0;
	struct gb_coro *a;

	sl_main = gb_coro_main();
	rc = gb_coro_stack_create(&stack, 64 * 1024);
	is_int(rc, 0, "a shared stack");
	if (rc)
		return;
	for (unsigned i = 0; i < K; i++) {
		s[i] = (struct sliced){.id = i, .depth = 1 + i % 7, .yields = Y};
		rc = gb_coro_create_on(&s[i].co, stack, sl_fn, &s[i]);
		if (rc)
			break;
	}
	is_int(rc, 0, "20 coroutines on it");
	if (rc)
		return;
	/* Round-robin: each runs until it yields, so every switch in needs the
	 * one before saved and its own frames back. */
	for (unsigned round = 0; round <= Y; round++)
		for (unsigned i = 0; i < K; i++) {
			if (gb_coro_ready(s[i].co) == 0)
				readied++;
			gb_coro_switch(sl_main, s[i].co);
		}
	for (unsigned i = 0; i < K; i++) {
		finished += gb_coro_finished(s[i].co);
		bad += s[i].bad;
		resumed += s[i].resumed;
		gb_coro_destroy(s[i].co);
	}
	is_int(readied, K * (Y + 1), "every switch in was made ready");
	is_int(finished, K, "all of them ran to the end");
	is_int(resumed, K * Y, "each was resumed after each of its yields");
	is_int(bad, 0, "no frame was changed by the others' turns");
	gb_coro_stack_stats(stack, &st);
	is_int(st.saves, (uint64_t)K * Y, "one save per suspended coroutine left for another");
	is_int(st.restores, (uint64_t)K * Y, "one restore per resumption");
	ok(st.max_live >= 7 * 256 && st.max_live < 16 * 1024,
	   "the deepest live part is what the frames need (%zu bytes)", st.max_live);

	/* Readying a coroutine of the stack one is running on cannot work. */
	rc = gb_coro_create_on(&a, stack, sl_busy_fn, &busy);
	rc = rc ? rc : gb_coro_create_on(&sl_other, stack, nop_fn, NULL);
	if (rc == 0) {
		gb_coro_ready(sl_other);
		gb_coro_ready(a);
		gb_coro_switch(sl_main, a);
		is_int(busy, -EBUSY, "gb_coro_ready across the running stack: -EBUSY");
		gb_coro_destroy(a);
		gb_coro_destroy(sl_other);
	}
	gb_coro_stack_destroy(stack);
}

/* --- the guard page --- */

static int deep(int n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	pad[511] = (char)n;
	if (n == 0)
		return pad[0];
	return deep(n - 1) + pad[511];
}

static void overflow_fn(struct gb_coro *self, void *arg)
{
	*(int *)arg = deep(1 << 20); /* 512 MiB of frames: far past 64 KiB */
}

static void null_fn(struct gb_coro *self, void *arg)
{
	*(volatile int *)(uintptr_t)arg = 1;
}

enum child_stack { CHILD_OWN, CHILD_POOLED, CHILD_SLAB_MIDDLE, CHILD_SHARED };

static enum child_stack child_stack;

/* The coroutine the child runs fn on, on the stack child_stack names. */
static int child_coro(struct gb_coro **co, gb_coro_fn fn, void *arg)
{
	struct gb_coro *other[3];
	struct gb_coro_stack *stack;

	switch (child_stack) {
	case CHILD_OWN:
		return gb_coro_create(co, 64 * 1024, fn, arg);
	case CHILD_POOLED:
		/* A stack back from the pool keeps its guard. */
		if (gb_coro_create(&other[0], 64 * 1024, nop_fn, NULL) != 0)
			return -1;
		gb_coro_destroy(other[0]);
		return gb_coro_create(co, 64 * 1024, fn, arg);
	case CHILD_SLAB_MIDDLE:
		/* Between two neighbours of one slab: the fault is in its own guard. */
		gb_coro_pool_drain();
		if (gb_coro_create(&other[0], 64 * 1024, nop_fn, NULL) != 0 ||
		    gb_coro_create(co, 64 * 1024, fn, arg) != 0 ||
		    gb_coro_create(&other[1], 64 * 1024, nop_fn, NULL) != 0)
			return -1;
		return 0;
	case CHILD_SHARED:
		if (gb_coro_stack_create(&stack, 64 * 1024) != 0)
			return -1;
		return gb_coro_create_on(co, stack, fn, arg);
	}
	return -1;
}

/* Runs fn on a coroutine in a child; its exit status and stderr. */
static int child_run(gb_coro_fn fn, void *arg, int *status, char *err, size_t cap)
{
	int pfd[2];
	pid_t pid;
	ssize_t n;
	size_t got = 0;

	if (pipe(pfd) != 0)
		return -errno;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct gb_coro *co;
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		if (gb_coro_guard_install() != 0 || child_coro(&co, fn, arg) != 0)
			_exit(90);
		gb_coro_switch(gb_coro_main(), co);
		_exit(0);
	}
	close(pfd[1]);
	while (got + 1 < cap && (n = read(pfd[0], err + got, cap - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(pfd[0]);
	waitpid(pid, status, 0);
	return 0;
}

static void test_guard(void)
{
	char err[4096];
	int status = 0, result = 0;

	rc = gb_coro_guard_install();
	is_int(rc, 0, "guard handler installs");
	rc = gb_coro_guard_install();
	is_int(rc, 0, "... and installing again is harmless");

	rc = child_run(overflow_fn, &result, &status, err, sizeof(err));
	is_int(rc, 0, "overflow child ran");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 2,
	   "deep recursion in a coroutine: the child exits with status 2 (status %#x)", status);
	ok(strstr(err, "gilbench: coroutine stack overflow (65536 bytes)") != NULL,
	   "and says so on stderr (%.80s)", err);

	for (child_stack = CHILD_POOLED; child_stack <= CHILD_SHARED; child_stack++) {
		static const char *const what[] = {"", "a pooled stack", "a slab's middle stack",
		                                   "a shared stack"};
		rc = child_run(overflow_fn, &result, &status, err, sizeof(err));
		ok(rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 2 &&
		           strstr(err, "gilbench: coroutine stack overflow (65536 bytes)"),
		   "an overflow on %s is reported (status %#x, %.80s)", what[child_stack], status,
		   err);
	}
	child_stack = CHILD_OWN;

	rc = child_run(null_fn, NULL, &status, err, sizeof(err));
	is_int(rc, 0, "null-pointer child ran");
	ok(!strstr(err, "coroutine stack overflow"), "another fault is not called an overflow");
	ok((WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) ||
	           (WIFEXITED(status) && WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 2),
	   "another fault keeps its own outcome (status %#x)", status);
}

int main(void)
{
	test_pingpong();
	test_ring();
	test_alignment();
	test_bounds();
	test_many();
	test_pool();
	test_shared();
	test_guard();
	return gb_tap_done();
}
