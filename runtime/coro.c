/*
 * coro.c - stackful coroutines: stacks, the first entry, the switch
 * (through gb__coro_jump in coro_switch_<arch>.S), and the guard-page
 * fault report. Scheduling (which coroutine runs next) is the model's.
 *
 * Stacks: one anonymous mapping per coroutine, MAP_NORESERVE, so only the
 * pages a coroutine touches become resident. Below the stack lies a
 * CORO_GUARD-byte guard: MADV_GUARD_INSTALL where the kernel has it
 * (Linux 6.13+: no extra VMA, so neighbouring stacks can merge and 100 000
 * coroutines stay far below vm.max_map_count), else an mprotect(PROT_NONE)
 * range (two VMAs per coroutine: about 32 000 coroutines with the default
 * vm.max_map_count of 65530; beyond that gb_coro_create returns -ENOMEM).
 *
 * Overflow: the guard faults; gb_coro_guard_install's SIGSEGV handler,
 * on an alternate signal stack, compares the fault address with the guard
 * of the coroutine running on that thread (a thread-local pointer, set on
 * every switch), prints one line and exits with status 2. Any other fault
 * gets the previous action back and happens again.
 *
 * Sanitizers: ASan and TSan are told about every switch (fiber API), so
 * sanitized builds of the models and tests work.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gilbench/coro.h>

#if defined(__SANITIZE_ADDRESS__)
#define CORO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORO_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CORO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CORO_TSAN 1
#endif
#endif

#ifdef CORO_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old,
                                     size_t *size_old);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
#endif
#ifdef CORO_TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
#endif

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

#define CORO_GUARD     (16u * 1024u) /* several pages: a big frame must not jump it */
#define CORO_STACK_MIN (16u * 1024u)
#define CORO_STACK_MAX (1024u * 1024u * 1024u)
#define CORO_ALTSTACK  (64u * 1024u)

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "gilbench coroutines need x86-64 or aarch64 (runtime/coro_switch_*.S)"
#endif

struct gb_coro {
	void *sp;                  /* saved stack pointer while suspended */
	struct gb_coro *last_from; /* who switched here last: where fn's return goes */
	gb_coro_fn fn;
	void *arg;
	char *map; /* guard + stack; NULL for a thread's main context */
	size_t map_len;
	uintptr_t guard_lo, guard_hi;
	size_t stack_size;
	int finished;
#ifdef CORO_ASAN
	void *asan_fake;
	const void *asan_bottom;
	size_t asan_size;
#endif
#ifdef CORO_TSAN
	void *tsan_fiber;
	int tsan_owned;
#endif
};

void gb__coro_jump(void **save_sp, void *new_sp);
void gb__coro_trampoline(void);

/* initial-exec: a plain %fs-relative access, cheap on every switch and
 * safe to read in a signal handler. */
#define CORO_TLS __thread __attribute__((tls_model("initial-exec")))
static CORO_TLS struct gb_coro coro_main_ctx;
static CORO_TLS int coro_main_ready;
static CORO_TLS struct gb_coro *coro_current;

static size_t coro_page(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096u;
}

size_t gb_coro_stack_min(void)
{
	return CORO_STACK_MIN;
}

size_t gb_coro_stack_max(void)
{
	return CORO_STACK_MAX;
}

struct gb_coro *gb_coro_main(void)
{
	if (!coro_main_ready) {
		coro_main_ready = 1;
#ifdef CORO_TSAN
		coro_main_ctx.tsan_fiber = __tsan_get_current_fiber();
#endif
	}
	return &coro_main_ctx;
}

/* What every switch does around the jump, for the sanitizers. */
static inline void coro_before(struct gb_coro *from, struct gb_coro *to, int from_ends)
{
#ifdef CORO_ASAN
	__sanitizer_start_switch_fiber(from_ends ? NULL : &from->asan_fake, to->asan_bottom,
	                               to->asan_size);
#endif
#ifdef CORO_TSAN
	__tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
}

/* Back in `self`, switched to by self->last_from. */
static inline void coro_after(struct gb_coro *self)
{
#ifdef CORO_ASAN
	struct gb_coro *prev = self->last_from;
	__sanitizer_finish_switch_fiber(self->asan_fake, &prev->asan_bottom, &prev->asan_size);
#endif
	(void)self;
}

static void coro_entry(struct gb_coro *self)
{
	struct gb_coro *to;

	coro_after(self);
	self->fn(self, self->arg);
	self->finished = 1;
	to = self->last_from;
	to->last_from = self;
	coro_current = to->map ? to : NULL;
	coro_before(self, to, 1);
	gb__coro_jump(&self->sp, to->sp);
	abort(); /* a finished coroutine was resumed */
}

void gb_coro_switch(struct gb_coro *from, struct gb_coro *to)
{
	to->last_from = from;
	coro_current = to->map ? to : NULL;
	coro_before(from, to, 0);
	gb__coro_jump(&from->sp, to->sp);
	coro_after(from);
}

int gb_coro_finished(const struct gb_coro *coro)
{
	return coro->finished;
}

static void coro_frame(struct gb_coro *c)
{
	uintptr_t top = (uintptr_t)c->map + c->map_len;
	void **sp = (void **)top;

#if defined(__x86_64__)
	/* Popped by gb__coro_jump: r15 r14 r13 r12 rbx rbp, then ret. */
	*--sp = (void *)gb__coro_trampoline;
	*--sp = NULL;               /* rbp */
	*--sp = (void *)coro_entry; /* rbx */
	*--sp = c;                  /* r12 */
	*--sp = NULL;               /* r13 */
	*--sp = NULL;               /* r14 */
	*--sp = NULL;               /* r15 */
#elif defined(__aarch64__)
	/* The 176-byte frame gb__coro_jump restores: x19 x20 ... x29 x30 d8-d15. */
	sp -= 22;
	memset(sp, 0, 22 * sizeof(*sp));
	sp[0] = c;                            /* x19 */
	sp[1] = (void *)coro_entry;           /* x20 */
	sp[11] = (void *)gb__coro_trampoline; /* x30 */
#endif
	c->sp = sp;
}

int gb_coro_create(struct gb_coro **out, size_t stack_size, gb_coro_fn fn, void *arg)
{
	size_t page = coro_page(), guard, size;
	struct gb_coro *c;
	int err;

	*out = NULL;
	if (stack_size == 0)
		stack_size = GB_CORO_STACK_DEFAULT;
	if (stack_size < CORO_STACK_MIN || stack_size > CORO_STACK_MAX || !fn)
		return -EINVAL;
	size = (stack_size + page - 1) / page * page;
	guard = (CORO_GUARD + page - 1) / page * page;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->map = mmap(NULL, guard + size, PROT_READ | PROT_WRITE,
	              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (c->map == MAP_FAILED) {
		err = -errno;
		goto fail_map;
	}
	c->map_len = guard + size;
	if (madvise(c->map, guard, MADV_GUARD_INSTALL) != 0 &&
	    mprotect(c->map, guard, PROT_NONE) != 0) {
		err = -errno;
		goto fail_guard;
	}
	c->guard_lo = (uintptr_t)c->map;
	c->guard_hi = (uintptr_t)c->map + guard;
	c->stack_size = size;
	c->fn = fn;
	c->arg = arg;
#ifdef CORO_ASAN
	c->asan_bottom = c->map + guard;
	c->asan_size = size;
#endif
#ifdef CORO_TSAN
	c->tsan_fiber = __tsan_create_fiber(0);
	c->tsan_owned = 1;
#endif
	coro_frame(c);
	*out = c;
	return 0;

fail_guard:
	munmap(c->map, guard + size);
fail_map:
	free(c);
	return err == -ENOMEM || err == -EAGAIN ? -ENOMEM : err;
}

void gb_coro_destroy(struct gb_coro *coro)
{
	if (!coro || !coro->map)
		return;
	if (coro_current == coro)
		coro_current = NULL;
#ifdef CORO_ASAN
	/* Frames left poisoned must not haunt whoever maps these pages next. */
	__asan_unpoison_memory_region(coro->map + (coro->guard_hi - coro->guard_lo),
	                              coro->stack_size);
#endif
#ifdef CORO_TSAN
	if (coro->tsan_owned)
		__tsan_destroy_fiber(coro->tsan_fiber);
#endif
	munmap(coro->map, coro->map_len);
	free(coro);
}

/* --- The guard-page report --- */

static struct sigaction coro_old_segv;
static pthread_once_t coro_handler_once = PTHREAD_ONCE_INIT;
static int coro_handler_err;
static pthread_key_t coro_altstack_key;
static pthread_once_t coro_key_once = PTHREAD_ONCE_INIT;
static int coro_key_err;

static size_t coro_utoa(char *buf, size_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* Set before any coroutine runs; read in the signal handler. */
static _Atomic(gb_coro_overflow_fn) coro_overflow_hook;

void gb_coro_set_overflow_hook(gb_coro_overflow_fn fn)
{
	atomic_store(&coro_overflow_hook, fn);
}

static void coro_segv(int sig, siginfo_t *si, void *uctx)
{
	const struct gb_coro *c = coro_current;
	uintptr_t addr = (uintptr_t)si->si_addr;

	if (c && addr >= c->guard_lo && addr < c->guard_hi) {
		/* Only async-signal-safe calls from here on. */
		static const char head[] = "gilbench: coroutine stack overflow (";
		gb_coro_overflow_fn hook = atomic_load(&coro_overflow_hook);

		if (hook)
			hook(c->stack_size);
		static const char tail[] = " bytes)\n";
		char line[96];
		size_t n = sizeof(head) - 1;

		memcpy(line, head, n);
		n += coro_utoa(line + n, c->stack_size);
		memcpy(line + n, tail, sizeof(tail) - 1);
		n += sizeof(tail) - 1;
		if (write(STDERR_FILENO, line, n) < 0) {
			/* nothing better to do */
		}
		_exit(2);
	}
	/* Not ours: give the fault back to whoever had it, and let it recur. */
	sigaction(SIGSEGV, &coro_old_segv, NULL);
	(void)sig;
	(void)uctx;
}

static void coro_install_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = coro_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &coro_old_segv) != 0)
		coro_handler_err = -errno;
}

static void coro_altstack_free(void *mem)
{
	stack_t off = {.ss_flags = SS_DISABLE};

	sigaltstack(&off, NULL);
	munmap(mem, CORO_ALTSTACK);
}

static void coro_key_create(void)
{
	coro_key_err = -pthread_key_create(&coro_altstack_key, coro_altstack_free);
}

int gb_coro_guard_install(void)
{
	stack_t cur;

	/* The handler needs a stack of its own: the faulting one is full. */
	if (sigaltstack(NULL, &cur) != 0)
		return -errno;
	if (cur.ss_flags & SS_DISABLE) {
		stack_t ss = {.ss_size = CORO_ALTSTACK};
		pthread_once(&coro_key_once, coro_key_create);
		if (coro_key_err)
			return coro_key_err;
		ss.ss_sp = mmap(NULL, CORO_ALTSTACK, PROT_READ | PROT_WRITE,
		                MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (ss.ss_sp == MAP_FAILED)
			return -errno;
		if (sigaltstack(&ss, NULL) != 0) {
			int err = -errno;
			munmap(ss.ss_sp, CORO_ALTSTACK);
			return err;
		}
		pthread_setspecific(coro_altstack_key, ss.ss_sp);
	}
	pthread_once(&coro_handler_once, coro_install_handler);
	return coro_handler_err;
}
