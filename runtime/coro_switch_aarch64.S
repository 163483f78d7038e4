/*
 * coro_switch_aarch64.S - the stack switch under gb_coro_switch (AAPCS64).
 * It saves the callee-saved registers (x19-x28, fp, lr, d8-d15) in a
 * 176-byte frame on the current stack, stores sp, loads the other stack
 * and restores the same frame from it. No signal mask, no FPCR (see the
 * x86-64 file). Assembled but not run by the developers' x86-64 machines.
 *
 *   void gb__coro_jump(void **save_sp, void *new_sp)
 *
 * A new coroutine's frame is laid out by coro.c so that the restore
 * "returns" (lr) into gb__coro_trampoline with x19 = the coroutine and
 * x20 = its entry function.
 */
#if defined(__aarch64__) && defined(__ELF__)
	.text
	.globl	gb__coro_jump
	.hidden	gb__coro_jump
	.type	gb__coro_jump, %function
	.p2align 4
gb__coro_jump:
	sub	sp, sp, #176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mov	x9, sp
	str	x9, [x0]
	mov	sp, x1
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #176
	ret
	.size	gb__coro_jump, .-gb__coro_jump

	.globl	gb__coro_trampoline
	.hidden	gb__coro_trampoline
	.type	gb__coro_trampoline, %function
	.p2align 4
gb__coro_trampoline:
	mov	x29, #0
	mov	x30, #0
	mov	x0, x19
	blr	x20
	brk	#0
	.size	gb__coro_trampoline, .-gb__coro_trampoline
#endif
	.section .note.GNU-stack,"",%progbits
