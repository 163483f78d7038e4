/*
 * coro_switch_x86_64.S - the stack switch under gb_coro_switch (System V
 * AMD64 ABI). It saves what a callee must preserve (rbx, rbp, r12-r15; the
 * return address is already on the stack), stores the stack pointer, loads
 * the other one and restores the same set. Nothing else: no signal mask
 * (what makes swapcontext a system call), no FP control words (coroutines
 * share the thread's rounding mode, which gilbench never changes).
 *
 *   void gb__coro_jump(void **save_sp, void *new_sp)
 *
 * A new coroutine's stack is laid out by coro.c so that the first jump
 * "returns" into gb__coro_trampoline with r12 = the coroutine and
 * rbx = its entry function.
 */
#if defined(__x86_64__) && defined(__ELF__)
	.text
	.globl	gb__coro_jump
	.hidden	gb__coro_jump
	.type	gb__coro_jump, @function
	.p2align 4
gb__coro_jump:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	gb__coro_jump, .-gb__coro_jump

	.globl	gb__coro_trampoline
	.hidden	gb__coro_trampoline
	.type	gb__coro_trampoline, @function
	.p2align 4
gb__coro_trampoline:
	/* rsp is 16-byte aligned here, so the call leaves the callee's frame
	 * aligned as the ABI wants. rbp = 0 ends backtraces here. */
	xorl	%ebp, %ebp
	movq	%r12, %rdi
	callq	*%rbx
	ud2	/* the entry function never returns */
	.size	gb__coro_trampoline, .-gb__coro_trampoline
#endif
	.section .note.GNU-stack,"",@progbits
