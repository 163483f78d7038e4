/*
 * gilbench/coro.h - stackful coroutines: the stack switch under greenlets.
 *
 * Stacks come from mmap with a guard page below them; only the pages a
 * coroutine touches become resident. A stack overflow faults on the guard
 * page, and the fault is reported (gb_coro_guard_install) instead of
 * corrupting memory silently.
 */
#ifndef GILBENCH_CORO_H
#define GILBENCH_CORO_H

#include <stddef.h>

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

/* Frees the stack. A suspended coroutine's frames are simply discarded. */
void gb_coro_destroy(struct gb_coro *coro);

/* Saves the current context in `from` and runs `to`. */
void gb_coro_switch(struct gb_coro *from, struct gb_coro *to);

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
