/*
 * coro.c - stackful coroutines: stacks and their pool, the first entry,
 * the switch (through gb__coro_jump in coro_switch_<arch>.S), and the
 * guard-page fault report. Scheduling (which coroutine runs next) is the
 * model's.
 *
 * Stacks: anonymous MAP_NORESERVE memory, so only the pages a coroutine
 * touches become resident. Below each stack lies a CORO_GUARD-byte guard:
 * MADV_GUARD_INSTALL where the kernel has it (Linux 6.13+: no extra VMA,
 * so neighbouring stacks can merge and 100 000 coroutines stay far below
 * vm.max_map_count), else an mprotect(PROT_NONE) range (two VMAs per
 * coroutine: about 32 000 coroutines with the default vm.max_map_count of
 * 65530; beyond that gb_coro_create returns -ENOMEM).
 *
 * The pool (per OS thread, so no lock and nothing to fork around): a
 * destroyed coroutine's stack, guard and touched pages kept, waits for the
 * next gb_coro_create of the same size, which then makes no system call,
 * as greenlet reuses its heap. A miss maps a slab of several stacks with
 * one mmap and installs their guards with one process_madvise. Idle stacks
 * are bounded by CORO_POOL_BYTES of mapping; past twice that, the oldest
 * are unmapped, adjacent ones with one munmap (each munmap is a TLB flush).
 *
 * Shared stacks (greenlet's stack slicing): coroutines created on one take
 * turns on it. gb_coro_ready copies the live part of the coroutine that ran
 * there last ([sp, top), a few hundred bytes) to the heap and copies back
 * the part of the one about to run; it runs on another stack (the hub's),
 * never on the one it copies. A suspended coroutine then costs its live
 * depth instead of a page: 100 000 of them touch 4x fewer pages, and the
 * first touch of a page is the dominant cost of spawning them (20-30 us
 * under the dev box's hypervisor, pre-faulting included; see
 * docs/models.md).
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
#include <sys/syscall.h>
#include <sys/uio.h>
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
/* Idle stacks kept per thread, in bytes of mapping (guards included): at
 * the default 64 KiB, about 200 stacks, and at most this much resident. */
#define CORO_POOL_BYTES  (16u * 1024u * 1024u)
#define CORO_SLAB_MAX    64u   /* stacks per mmap on a pool miss */
#define CORO_BUCKETS     4     /* stack sizes pooled at once (the hub's, the tasks') */
#define CORO_IDLE_MAX    1024u /* destroyed coroutines a shared stack keeps for reuse */
#define CORO_FRAME_BYTES 256u  /* at least what coro_frame lays out */

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
	struct gb_coro *pool_next; /* while idle in the pool */
	/* Stack slicing (greenlet's way): the coroutine runs on a shared stack,
	 * and its live part [sp, top) waits in `save` while another runs. */
	struct gb_coro_stack *shared; /* NULL: a stack of its own (map) */
	char *save;
	size_t save_len, save_cap;
	int fresh; /* shared, never run: its first frame is laid out on entry */
#ifdef CORO_ASAN
	void *asan_fake;
	const void *asan_bottom;
	size_t asan_size;
	int asan_clean; /* destroy need not unpoison the stack: its owner did */
#endif
#ifdef CORO_TSAN
	void *tsan_fiber;
	int tsan_owned;
	pid_t tsan_pid; /* the process it was made in: a forked child makes its own */
#endif
};

struct gb_coro_stack {
	struct gb_coro *mem;      /* a coroutine that never runs, owning the mapping */
	struct gb_coro *occupant; /* whose frames are on the stack now */
	char *top;
	struct gb_coro *idle; /* destroyed coroutines, save buffer kept, for the next */
	size_t nidle;
	size_t asan_depth; /* ASan: below top - asan_depth no suspended frame ever lay */
	struct gb_coro_stack_stats st;
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
	coro_current = to->guard_hi ? to : NULL;
	coro_before(self, to, 1);
	gb__coro_jump(&self->sp, to->sp);
	abort(); /* a finished coroutine was resumed */
}

void gb_coro_switch(struct gb_coro *from, struct gb_coro *to)
{
	if (to->shared && to->shared->occupant != to && gb_coro_ready(to) != 0) {
		static const char msg[] = "gilbench: coroutine: no memory to save a shared stack, "
		                          "or a switch across it (call gb_coro_ready first)\n";
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* aborting anyway */
		}
		abort();
	}
	to->last_from = from;
	coro_current = to->guard_hi ? to : NULL;
	coro_before(from, to, 0);
	gb__coro_jump(&from->sp, to->sp);
	coro_after(from);
}

int gb_coro_finished(const struct gb_coro *coro)
{
	return coro->finished;
}

/* Lays out the first frame below `top`: the first jump enters coro_entry. */
static void coro_frame(struct gb_coro *c, char *top)
{
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

/* --- Stacks and their pool --- */

struct coro_bucket {
	size_t map_len;       /* 0: unused */
	struct gb_coro *head; /* LIFO: the most recently used stack first */
	size_t n;
};

struct coro_pool {
	struct coro_bucket b[CORO_BUCKETS];
	size_t idle_bytes;
	int registered; /* the thread-exit drain is set up */
	struct gb_coro_pool_stats st;
};

static CORO_TLS struct coro_pool coro_pool;
static pthread_key_t coro_pool_key;
static pthread_once_t coro_pool_once = PTHREAD_ONCE_INIT;
static int coro_pool_key_err;

static size_t coro_map_len(size_t stack_size, size_t *guard_out)
{
	size_t page = coro_page();
	size_t guard = (CORO_GUARD + page - 1) / page * page;

	if (guard_out)
		*guard_out = guard;
	return guard + (stack_size + page - 1) / page * page;
}

/* Small stacks only: one 1 GiB stack must not sit idle, nor fill a slab. */
static int coro_poolable(size_t map_len)
{
	return map_len <= CORO_POOL_BYTES / 4;
}

static struct coro_bucket *coro_bucket(size_t map_len, int claim)
{
	struct coro_bucket *spare = NULL;

	for (int i = 0; i < CORO_BUCKETS; i++) {
		struct coro_bucket *b = &coro_pool.b[i];
		if (b->map_len == map_len)
			return b;
		if (!spare && b->n == 0)
			spare = b;
	}
	if (!claim || !spare)
		return NULL;
	spare->map_len = map_len;
	spare->head = NULL;
	return spare;
}

#ifdef CORO_TSAN
/* A fiber for c, kept across reuse (creating one costs milliseconds), but
 * not across fork: the parent's fibers are dead threads to the child. */
static void coro_tsan_fiber(struct gb_coro *c)
{
	pid_t pid = getpid();

	if (c->tsan_owned && c->tsan_pid == pid)
		return;
	c->tsan_fiber = __tsan_create_fiber(0);
	c->tsan_owned = 1;
	c->tsan_pid = pid;
}

static void coro_tsan_drop(struct gb_coro *c)
{
	if (c->tsan_owned && c->tsan_pid == getpid())
		__tsan_destroy_fiber(c->tsan_fiber);
	c->tsan_owned = 0;
}
#endif

/* The struct of an unmapped stack, with its TSan fiber. */
static void coro_free(struct gb_coro *c)
{
#ifdef CORO_TSAN
	coro_tsan_drop(c);
#endif
	free(c);
}

static int coro_addr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)(*(struct gb_coro *const *)a)->map;
	uintptr_t y = (uintptr_t)(*(struct gb_coro *const *)b)->map;

	return x < y ? -1 : x > y;
}

/* Unmaps n stacks, adjacent ones with one call: stacks of a slab, and slabs
 * mapped one after another, lie next to each other. */
static void coro_unmap(struct gb_coro **cs, size_t n)
{
	size_t i = 0;

	qsort(cs, n, sizeof(*cs), coro_addr_cmp);
	while (i < n) {
		char *start = cs[i]->map, *end = start + cs[i]->map_len;
		size_t j = i + 1;
		while (j < n && cs[j]->map == end)
			end += cs[j++]->map_len;
		munmap(start, (size_t)(end - start));
		coro_pool.st.munmaps++;
		coro_pool.st.unmapped += j - i;
		for (; i < j; i++)
			coro_free(cs[i]);
	}
}

/* Keeps the `keep` most recently used bytes of idle stacks, unmaps the rest. */
static void coro_pool_trim(size_t keep)
{
	struct gb_coro **cs, *c, *rest[CORO_BUCKETS];
	size_t n = 0, kept = 0;

	for (int i = 0; i < CORO_BUCKETS; i++) {
		struct coro_bucket *b = &coro_pool.b[i];
		struct gb_coro **link = &b->head;
		size_t nk = 0;
		while (*link && kept + b->map_len <= keep) {
			kept += b->map_len;
			nk++;
			link = &(*link)->pool_next;
		}
		rest[i] = *link;
		*link = NULL;
		n += b->n - nk;
		b->n = nk;
	}
	coro_pool.idle_bytes = kept;
	cs = n ? malloc(n * sizeof(*cs)) : NULL;
	n = 0;
	for (int i = 0; i < CORO_BUCKETS; i++) {
		while ((c = rest[i])) {
			rest[i] = c->pool_next;
			if (cs) {
				cs[n++] = c;
			} else {
				/* No memory for the batch: one call each still frees them. */
				munmap(c->map, c->map_len);
				coro_pool.st.munmaps++;
				coro_pool.st.unmapped++;
				coro_free(c);
			}
		}
	}
	if (cs) {
		coro_unmap(cs, n);
		free(cs);
	}
}

static void coro_pool_thread_exit(void *pool)
{
	(void)pool;
	gb_coro_pool_drain();
}

static void coro_pool_key_create(void)
{
	coro_pool_key_err = pthread_key_create(&coro_pool_key, coro_pool_thread_exit);
}

static void coro_pool_put(struct gb_coro *c)
{
	struct coro_bucket *b = coro_poolable(c->map_len) ? coro_bucket(c->map_len, 1) : NULL;

	if (!coro_pool.registered) {
		/* A thread that ends leaves no idle stacks behind. */
		pthread_once(&coro_pool_once, coro_pool_key_create);
		if (!coro_pool_key_err && pthread_setspecific(coro_pool_key, &coro_pool) == 0)
			coro_pool.registered = 1;
	}
	if (!b || !coro_pool.registered) {
		coro_unmap(&c, 1);
		return;
	}
	c->pool_next = b->head;
	b->head = c;
	b->n++;
	coro_pool.idle_bytes += c->map_len;
	/* Hysteresis: trim rarely, and many stacks at a time. */
	if (coro_pool.idle_bytes > 2 * CORO_POOL_BYTES)
		coro_pool_trim(CORO_POOL_BYTES);
}

static struct gb_coro *coro_pool_take(size_t map_len)
{
	struct coro_bucket *b = coro_bucket(map_len, 0);
	struct gb_coro *c;

	if (!b || !b->head)
		return NULL;
	c = b->head;
	b->head = c->pool_next;
	b->n--;
	coro_pool.idle_bytes -= map_len;
	coro_pool.st.reused++;
	return c;
}

/*
 * madvise(advice) on n ranges, one per stack of a slab: one process_madvise
 * call where the kernel takes any advice for the calling process (6.13+),
 * else one madvise each. 0 or -errno of the first failing madvise.
 */
static int coro_madvise_slab(char *base, size_t n, size_t map_len, size_t off, size_t len,
                             int advice)
{
	struct iovec iov[CORO_SLAB_MAX];

	for (size_t i = 0; i < n; i++)
		iov[i] = (struct iovec){.iov_base = base + i * map_len + off, .iov_len = len};
#if defined(SYS_pidfd_open) && defined(SYS_process_madvise)
	if (n > 1) {
		/* Opened for each slab, not cached: a forked child must advise
		 * its own memory, not its parent's. */
		int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
		if (pidfd >= 0) {
			long r = syscall(SYS_process_madvise, pidfd, iov, n, advice, 0);
			close(pidfd);
			if (r == (long)(n * len))
				return 0;
			/* Refused or partial: both advices may be given twice. */
		}
	}
#endif
	for (size_t i = 0; i < n; i++)
		if (madvise(iov[i].iov_base, len, advice) != 0)
			return -errno;
	return 0;
}

/* Maps up to CORO_SLAB_MAX stacks at once: *out gets one, the pool the rest. */
static int coro_slab(size_t stack_size, struct gb_coro **out)
{
	struct gb_coro *cs[CORO_SLAB_MAX];
	size_t guard, map_len = coro_map_len(stack_size, &guard), n = 1;
	char *base;
	int err;

	if (coro_poolable(map_len) && coro_bucket(map_len, 1)) {
		n = CORO_POOL_BYTES / 2 / map_len;
		n = n > CORO_SLAB_MAX ? CORO_SLAB_MAX : n ? n : 1;
	}
	for (;;) {
		base = mmap(NULL, n * map_len, PROT_READ | PROT_WRITE,
		            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (base != MAP_FAILED)
			break;
		if (n == 1)
			return errno == ENOMEM || errno == EAGAIN ? -ENOMEM : -errno;
		n = 1; /* the room for a slab is gone; one stack may still fit */
	}
	coro_pool.st.slabs++;
	for (size_t i = 0; i < n; i++) {
		cs[i] = calloc(1, sizeof(*cs[i]));
		if (!cs[i]) {
			while (i--)
				free(cs[i]);
			err = -ENOMEM;
			goto fail_map;
		}
		cs[i]->map = base + i * map_len;
		cs[i]->map_len = map_len;
		cs[i]->guard_lo = (uintptr_t)cs[i]->map;
		cs[i]->guard_hi = (uintptr_t)cs[i]->map + guard;
		cs[i]->stack_size = map_len - guard;
	}
	err = coro_madvise_slab(base, n, map_len, 0, guard, MADV_GUARD_INSTALL);
	if (err) {
		/* A kernel before 6.13: a PROT_NONE range per guard. */
		for (size_t i = 0; i < n; i++)
			if (mprotect(cs[i]->map, guard, PROT_NONE) != 0) {
				err = errno == ENOMEM || errno == EAGAIN ? -ENOMEM : -errno;
				goto fail_structs;
			}
	}
	coro_pool.st.mapped += n;
	*out = cs[0];
	for (size_t i = 1; i < n; i++)
		coro_pool_put(cs[i]);
	return 0;

fail_structs:
	for (size_t i = 0; i < n; i++)
		free(cs[i]);
fail_map:
	munmap(base, n * map_len);
	coro_pool.st.munmaps++;
	return err;
}

int gb_coro_create(struct gb_coro **out, size_t stack_size, gb_coro_fn fn, void *arg)
{
	struct gb_coro *c;
	int err;

	*out = NULL;
	if (stack_size == 0)
		stack_size = GB_CORO_STACK_DEFAULT;
	if (stack_size < CORO_STACK_MIN || stack_size > CORO_STACK_MAX || !fn)
		return -EINVAL;
	c = coro_pool_take(coro_map_len(stack_size, NULL));
	if (!c) {
		err = coro_slab(stack_size, &c);
		if (err)
			return err;
	}
	c->fn = fn;
	c->arg = arg;
	c->finished = 0;
	c->last_from = NULL;
	c->pool_next = NULL;
#ifdef CORO_ASAN
	c->asan_fake = NULL;
	c->asan_bottom = c->map + (c->guard_hi - c->guard_lo);
	c->asan_size = c->stack_size;
#endif
#ifdef CORO_TSAN
	coro_tsan_fiber(c);
#endif
	coro_frame(c, c->map + c->map_len);
	*out = c;
	return 0;
}

void gb_coro_destroy(struct gb_coro *coro)
{
	if (!coro || (!coro->map && !coro->shared))
		return; /* NULL, or a thread's main context */
	if (coro_current == coro)
		coro_current = NULL;
	if (coro->shared) {
		struct gb_coro_stack *s = coro->shared;
		if (s->occupant == coro) {
#ifdef CORO_ASAN
			/* Its frames stay where they are, poisoned redzones and all. */
			if (!coro->finished && (size_t)(s->top - (char *)coro->sp) > s->asan_depth)
				s->asan_depth = (size_t)(s->top - (char *)coro->sp);
#endif
			s->occupant = NULL;
		}
		/* Kept for the next gb_coro_create_on: spawn then costs no malloc,
		 * as greenlet's does not once its free lists are warm (nor a TSan
		 * fiber, whose creation costs milliseconds). */
		if (s->nidle < CORO_IDLE_MAX) {
			coro->pool_next = s->idle;
			s->idle = coro;
			s->nidle++;
			return;
		}
#ifdef CORO_TSAN
		coro_tsan_drop(coro);
#endif
		free(coro->save);
		free(coro);
		return;
	}
#ifdef CORO_ASAN
	/* Frames left poisoned must not haunt the stack's next coroutine. */
	if (!coro->asan_clean)
		__asan_unpoison_memory_region(coro->map + (coro->guard_hi - coro->guard_lo),
		                              coro->stack_size);
	coro->asan_clean = 0;
#endif
	/* A pooled stack keeps its TSan fiber: creating one costs milliseconds. */
	coro_pool_put(coro);
}

void gb_coro_pool_drain(void)
{
	coro_pool_trim(0);
	for (int i = 0; i < CORO_BUCKETS; i++)
		coro_pool.b[i].map_len = 0;
}

void gb_coro_pool_stats(struct gb_coro_pool_stats *out)
{
	*out = coro_pool.st;
	out->idle = 0;
	for (int i = 0; i < CORO_BUCKETS; i++)
		out->idle += coro_pool.b[i].n;
	out->idle_bytes = coro_pool.idle_bytes;
}

/* --- Shared stacks: greenlet's stack slicing --- */

static void coro_never_runs(struct gb_coro *self, void *arg)
{
	(void)self;
	(void)arg;
}

int gb_coro_stack_create(struct gb_coro_stack **out, size_t stack_size)
{
	struct gb_coro_stack *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	err = gb_coro_create(&s->mem, stack_size, coro_never_runs, NULL);
	if (err) {
		free(s);
		return err;
	}
	s->top = s->mem->map + s->mem->map_len;
	*out = s;
	return 0;
}

void gb_coro_stack_destroy(struct gb_coro_stack *s)
{
	if (!s)
		return;
#ifdef CORO_ASAN
	/* Only suspended frames leave poison behind: no need to unpoison all of
	 * a stack that may be 1 GiB (128 MiB of shadow). */
	__asan_unpoison_memory_region(s->top - s->asan_depth, s->asan_depth);
	s->mem->asan_clean = 1;
#endif
	while (s->idle) {
		struct gb_coro *c = s->idle;
		s->idle = c->pool_next;
#ifdef CORO_TSAN
		coro_tsan_drop(c);
#endif
		free(c->save);
		free(c);
	}
	gb_coro_destroy(s->mem);
	free(s);
}

void gb_coro_stack_stats(const struct gb_coro_stack *s, struct gb_coro_stack_stats *out)
{
	*out = s->st;
}

int gb_coro_create_on(struct gb_coro **out, struct gb_coro_stack *s, gb_coro_fn fn, void *arg)
{
	struct gb_coro *c;

	*out = NULL;
	if (!s || !fn)
		return -EINVAL;
	if (s->idle) {
		char *save;
		size_t cap;
#ifdef CORO_TSAN
		void *fiber;
		pid_t pid;
#endif
		c = s->idle;
		s->idle = c->pool_next;
		s->nidle--;
		save = c->save;
		cap = c->save_cap;
#ifdef CORO_TSAN
		fiber = c->tsan_fiber;
		pid = c->tsan_pid;
#endif
		memset(c, 0, sizeof(*c));
		c->save = save;
		c->save_cap = cap;
#ifdef CORO_TSAN
		c->tsan_fiber = fiber;
		c->tsan_owned = 1;
		c->tsan_pid = pid;
#endif
	} else {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
	}
	c->shared = s;
	c->fresh = 1;
	c->fn = fn;
	c->arg = arg;
	/* An overflow hits the shared stack's guard, and is reported as ours. */
	c->guard_lo = s->mem->guard_lo;
	c->guard_hi = s->mem->guard_hi;
	c->stack_size = s->mem->stack_size;
#ifdef CORO_ASAN
	c->asan_bottom = (const char *)s->mem->guard_hi;
	c->asan_size = c->stack_size;
#endif
#ifdef CORO_TSAN
	coro_tsan_fiber(c);
#endif
	*out = c;
	return 0;
}

/*
 * ASan: frames copied in and out carry their poisoned redzones with them no
 * more. Made plain memory: the `len` bytes below top about to be copied,
 * and everything down to where any suspended frame ever lay, so that no
 * stale redzone of another coroutine's frames is left under the next one's
 * (redzone checks are lost there, no false report is made).
 */
static void coro_unpoison(struct gb_coro_stack *s, size_t len)
{
#ifdef CORO_ASAN
	if (len > s->asan_depth)
		s->asan_depth = len;
	__asan_unpoison_memory_region(s->top - s->asan_depth, s->asan_depth);
#else
	(void)s;
	(void)len;
#endif
}

int gb_coro_ready(struct gb_coro *c)
{
	struct gb_coro_stack *s = c->shared;
	struct gb_coro *o;

	if (!s || s->occupant == c)
		return 0;
	/* The copies below would overwrite the caller's own frames. */
	if (coro_current && coro_current->shared == s)
		return -EBUSY;
	o = s->occupant;
	if (o && !o->finished) {
		size_t len = (size_t)(s->top - (char *)o->sp);
		coro_unpoison(s, len);
		if (len > o->save_cap) {
			size_t cap = (len + 255) & ~(size_t)255;
			char *buf = realloc(o->save, cap);
			if (!buf)
				return -ENOMEM;
			o->save = buf;
			o->save_cap = cap;
		}
		memcpy(o->save, o->sp, len);
		o->save_len = len;
		s->st.saves++;
		s->st.bytes_saved += len;
		if (len > s->st.max_live)
			s->st.max_live = len;
	}
	s->occupant = NULL;
	if (c->fresh) {
		coro_unpoison(s, CORO_FRAME_BYTES);
		coro_frame(c, s->top);
		c->fresh = 0;
	} else {
		coro_unpoison(s, c->save_len);
		memcpy(c->sp, c->save, c->save_len);
		s->st.restores++;
	}
	s->occupant = c;
	return 0;
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
