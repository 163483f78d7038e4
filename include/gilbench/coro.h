/*
 * gilbench/coro.h - stackful coroutines: the stack switch under greenlets.
 *
 * Stacks come from mmap with a guard below them; only the pages a
 * coroutine touches become resident. A stack overflow faults on the guard,
 * and the fault is reported (gb_coro_guard_install) instead of corrupting
 * memory silently. A destroyed coroutine's stack goes to a per-thread pool
 * (bounded) and serves the next gb_coro_create of that size.
 */
#ifndef GILBENCH_CORO_H
#define GILBENCH_CORO_H

#include <stddef.h>
#include <stdint.h>

struct gb_coro;

typedef void (*gb_coro_fn)(struct gb_coro *self, void *arg);

#define GB_CORO_STACK_DEFAULT (64u * 1024u)

/*
 * The smallest stack gb_coro_create accepts, and the largest: outside
 * these it returns -EINVAL.
 */
size_t gb_coro_stack_min(void);
size_t gb_coro_stack_max(void);

/* The calling thread's own context, to switch back to; one per OS thread. */
struct gb_coro *gb_coro_main(void);

/*
 * A coroutine that will run fn(self, arg) on first switch; stack_size 0
 * means GB_CORO_STACK_DEFAULT. 0, -EINVAL (size out of bounds, no fn) or
 * -ENOMEM (out of memory or of mappings, see docs/runtime.md).
 */
int gb_coro_create(struct gb_coro **out, size_t stack_size, gb_coro_fn fn, void *arg);

/*
 * Gives the stack back to the calling thread's pool (or unmaps it, past the
 * pool's bound). A suspended coroutine's frames are simply discarded.
 */
void gb_coro_destroy(struct gb_coro *coro);

/* What the calling thread's stack pool has done: for tests and micro. */
struct gb_coro_pool_stats {
	uint64_t slabs;    /* mmap calls made for stacks */
	uint64_t mapped;   /* stacks mapped */
	uint64_t reused;   /* gb_coro_create calls served from the pool */
	uint64_t unmapped; /* stacks unmapped */
	uint64_t munmaps;  /* munmap calls that did it */
	size_t idle;       /* stacks in the pool now */
	size_t idle_bytes; /* their mappings, guards included */
};
void gb_coro_pool_stats(struct gb_coro_pool_stats *out);

/* Unmaps every idle stack of the calling thread's pool (done at thread exit). */
void gb_coro_pool_drain(void);

/*
 * Saves the current context in `from` and runs `to`. A coroutine on a
 * shared stack must be made ready first (gb_coro_ready); the switch does it
 * if not, and aborts if it cannot.
 */
void gb_coro_switch(struct gb_coro *from, struct gb_coro *to);

/*
 * Shared stacks: greenlet's stack slicing. Coroutines created on one take
 * turns on it; when one is to run, the live part of the one that ran there
 * before ([its sp, top), typically a few hundred bytes) is copied to the
 * heap, and its own is copied back. A suspended coroutine then costs only
 * its live depth, not a page or more of stack of its own. Its stack memory
 * must not be used by others while it is suspended (as with greenlet).
 * stack_size bounds the depth any of them may reach, with one guard below.
 */
struct gb_coro_stack;

int gb_coro_stack_create(struct gb_coro_stack **out, size_t stack_size);
/* Destroy the coroutines on it first. */
void gb_coro_stack_destroy(struct gb_coro_stack *s);
int gb_coro_create_on(struct gb_coro **out, struct gb_coro_stack *s, gb_coro_fn fn, void *arg);

/*
 * Puts c's frames on its shared stack (saving those of the coroutine there
 * before): 0, -ENOMEM (no memory for that save), or -EBUSY when called from
 * a coroutine on the same stack (it would copy over its own frames). A
 * no-op for a coroutine with a stack of its own.
 */
int gb_coro_ready(struct gb_coro *c);

struct gb_coro_stack_stats {
	uint64_t saves, restores; /* copies out of and back onto the stack */
	uint64_t bytes_saved;
	size_t max_live; /* the deepest live part saved */
};
void gb_coro_stack_stats(const struct gb_coro_stack *s, struct gb_coro_stack_stats *out);

/* True once fn has returned (the coroutine switched back to its creator's
 * last switcher and must not be resumed). */
int gb_coro_finished(const struct gb_coro *coro);

/*
 * Installs a SIGSEGV handler on an alternate stack that, for a fault on a
 * coroutine guard page, writes "gilbench: coroutine stack overflow (N bytes)"
 * to stderr and exits the process with status 2. Other faults keep their
 * previous action. Idempotent. The alternate stack is per thread: call it
 * on every thread that runs coroutines. 0 or -errno.
 */
int gb_coro_guard_install(void);

/*
 * An optional hook the overflow handler calls, on the faulting thread's
 * alternate signal stack, before it writes its line and exits: it gets the
 * overflowed stack's size and must be async-signal-safe (write(2), no
 * stdio, no malloc). The harness uses it to hand the reason to the parent
 * of the repetition. NULL removes it. Process-wide.
 */
typedef void (*gb_coro_overflow_fn)(size_t stack_bytes);
void gb_coro_set_overflow_hook(gb_coro_overflow_fn fn);

#endif
