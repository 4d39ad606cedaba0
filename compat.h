/* SPDX-License-Identifier: GPL-2.0 */
/*
 * igloo_kmods: every architecture and kernel-version difference, in one
 * place. The rest of the module tests the names defined here.
 */
#ifndef _IGLOO_KMODS_COMPAT_H
#define _IGLOO_KMODS_COMPAT_H

#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/uaccess.h>

/*
 * System call entry points. With CONFIG_ARCH_HAS_SYSCALL_WRAPPER (x86_64
 * and arm64 from 4.17 on) the hooked symbol takes the caller's user
 * struct pt_regs; without it, the system call arguments themselves.
 */
#ifdef CONFIG_ARCH_HAS_SYSCALL_WRAPPER
#define KMODS_PTREGS_SYSCALLS 1
typedef long (*kmods_syscall_fn)(const struct pt_regs *regs);
#else
typedef long (*kmods_syscall_fn)(unsigned long a0, unsigned long a1,
				 unsigned long a2);
#endif

#if defined(CONFIG_X86_64)
/* __x64_sys_*: user registers di, si, dx; __ia32_sys_*: bx, cx, dx. */
#define KMODS_SYS_PREFIX		"__x64_sys_"
#define KMODS_COMPAT_SYS_PREFIX		"__ia32_sys_"
#define KMODS_HAVE_COMPAT_HOOKS		IS_ENABLED(CONFIG_IA32_EMULATION)
static inline void kmods_sc_args(const struct pt_regs *r, bool compat,
				 unsigned long *a)
{
	if (compat) {
		/* A 32-bit caller's arguments, zero-extended as __ia32_sys_*. */
		a[0] = (u32)r->bx;
		a[1] = (u32)r->cx;
		a[2] = (u32)r->dx;
	} else {
		a[0] = r->di;
		a[1] = r->si;
		a[2] = r->dx;
	}
}

/* Put arguments where a __x64_sys_* entry reads them. */
static inline void kmods_sc_set_args(struct pt_regs *r, const unsigned long *a)
{
	r->di = a[0];
	r->si = a[1];
	r->dx = a[2];
}

/* At function entry the return address is on top of the stack. */
#define kmods_entry_return_address(r) \
	(*(unsigned long *)kernel_stack_pointer(r))
#define kmods_entry_arg0(r)		((r)->di)
#elif defined(CONFIG_X86_32)
/*
 * __ia32_sys_*: the caller's registers bx, cx, dx; the kernel's own
 * functions take their first argument in ax (-mregparm=3).
 */
#define KMODS_SYS_PREFIX		"__ia32_sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
static inline void kmods_sc_args(const struct pt_regs *r, bool compat,
				 unsigned long *a)
{
	a[0] = r->bx;
	a[1] = r->cx;
	a[2] = r->dx;
}

static inline void kmods_sc_set_args(struct pt_regs *r, const unsigned long *a)
{
	r->bx = a[0];
	r->cx = a[1];
	r->dx = a[2];
}

#define kmods_entry_return_address(r) \
	(*(unsigned long *)kernel_stack_pointer(r))
#define kmods_entry_arg0(r)		((r)->ax)
#elif defined(CONFIG_ARM64)
/*
 * Compat (AArch32) tasks use the same __arm64_sys_* entries for these
 * calls; kmods_attempt_new() tells them by in_compat_syscall(). The kprobe
 * is a BRK on the entry's PACIASP (or BTI): BRK is a valid branch target,
 * and the redirect is an exception return, so PAC and BTI hold.
 */
#define KMODS_SYS_PREFIX		"__arm64_sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
static inline void kmods_sc_args(const struct pt_regs *r, bool compat,
				 unsigned long *a)
{
	a[0] = r->regs[0];
	a[1] = r->regs[1];
	a[2] = r->regs[2];
}

static inline void kmods_sc_set_args(struct pt_regs *r, const unsigned long *a)
{
	r->regs[0] = a[0];
	r->regs[1] = a[1];
	r->regs[2] = a[2];
}

#define kmods_entry_return_address(r)	((r)->regs[30])
#define kmods_entry_arg0(r)		((r)->regs[0])
#elif defined(CONFIG_ARM)
/* sys_*(): arguments in r0-r2, the return address in lr at entry. */
#define KMODS_SYS_PREFIX		"sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
#define kmods_entry_return_address(r)	((r)->ARM_lr)
#define kmods_entry_arg0(r)		((r)->ARM_r0)
#ifdef CONFIG_THUMB2_KERNEL
/*
 * Thumb-2 kernels (none of Debian's: not tested): code addresses carry
 * bit 0. A redirect sets the PC without it and the T bit; the original is
 * called through an address with it.
 */
#define KMODS_HAVE_REDIRECT
static inline void kmods_redirect(struct pt_regs *regs, unsigned long fn)
{
	regs->ARM_pc = fn & ~1UL;
	regs->ARM_cpsr |= PSR_T_BIT;
}

#define kmods_code_address(start)	((start) | 1UL)
#endif
#elif defined(CONFIG_MIPS)
/*
 * sys_*(): arguments in a0-a2 ($4-$6), the return address in $ra at
 * entry. o32 tasks on a 64-bit kernel (and n32 ones) call the same sys_*
 * entries; kmods_attempt_new() tells them by in_compat_syscall().
 */
#define KMODS_SYS_PREFIX		"sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
#define kmods_entry_return_address(r)	((r)->regs[31])
#define kmods_entry_arg0(r)		((r)->regs[4])

/*
 * A call that goes on to the original must not be single-stepped here.
 * MIPS runs the probe's handler and the step's setup in do_bp() with
 * interrupts enabled; an interrupt's softirq can run an RCU callback,
 * delayed_put_task_struct() -> kprobe_flush_task(), whose
 * kprobe_busy_end() clears current_kprobe in the middle of the step; the
 * step's break then finds no kprobe and the kernel dies ("Break
 * instruction in kernel code", seen on Debian's 4kc-malta and 5kc-malta
 * 6.1 kernels with plain kprobe_events too, once in a few hundred calls).
 * So the entry's first instruction, always a simple one (the stack
 * adjustment, or ftrace's "move at, ra"), is emulated and the probe
 * resumes after it, with no step at all. Anything else is stepped as
 * before (kmods_hook_place() says so in the kernel log).
 */
#define KMODS_HAVE_LET_THROUGH
static inline bool kmods_mips_emulate(union mips_instruction in,
				      struct pt_regs *regs, bool apply)
{
	unsigned long *r = regs->regs, v;
	unsigned int rd;

	switch (in.i_format.opcode) {
	case addiu_op:
		/* A 32-bit result, sign-extended (as on a 64-bit CPU). */
		v = (long)(int)(r[in.i_format.rs] + in.i_format.simmediate);
		rd = in.i_format.rt;
		break;
#ifdef CONFIG_64BIT
	case daddiu_op:
		v = r[in.i_format.rs] + in.i_format.simmediate;
		rd = in.i_format.rt;
		break;
#endif
	case spec_op:
		if (in.r_format.re)
			return false;
		switch (in.r_format.func) {
		case or_op:
			v = r[in.r_format.rs] | r[in.r_format.rt];
			break;
		case addu_op:
			v = (long)(int)(r[in.r_format.rs] + r[in.r_format.rt]);
			break;
#ifdef CONFIG_64BIT
		case daddu_op:
			v = r[in.r_format.rs] + r[in.r_format.rt];
			break;
#endif
		default:
			return false;
		}
		rd = in.r_format.rd;
		break;
	default:
		return false;
	}
	if (apply) {
		if (rd)
			r[rd] = v;
		regs->cp0_epc += 4;
	}
	return true;
}

/* Can @kp's instruction be emulated? Checked when the hook is placed. */
static inline bool kmods_can_let_through(const struct kprobe *kp)
{
	struct pt_regs scratch = {};

	return kmods_mips_emulate(kp->opcode, &scratch, false);
}

static inline int kmods_let_through(struct kprobe *kp, struct pt_regs *regs)
{
	/* 1: resume at regs->cp0_epc, past the emulated instruction. */
	return kmods_mips_emulate(kp->opcode, regs, true) ? 1 : 0;
}
#elif defined(CONFIG_PPC)
/*
 * sys_*(): the arguments in r3-r5 (with the 6.1 syscall wrapper, a pointer
 * to the caller's registers in r3, whose r3-r5 are the arguments); the
 * return address in the link register at entry.
 */
#define KMODS_SYS_PREFIX		"sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
#ifdef KMODS_PTREGS_SYSCALLS
static inline void kmods_sc_args(const struct pt_regs *r, bool compat,
				 unsigned long *a)
{
	a[0] = r->gpr[3];
	a[1] = r->gpr[4];
	a[2] = r->gpr[5];
}

static inline void kmods_sc_set_args(struct pt_regs *r, const unsigned long *a)
{
	r->gpr[3] = a[0];
	r->gpr[4] = a[1];
	r->gpr[5] = a[2];
}
#endif
#define kmods_entry_return_address(r)	((r)->link)
#define kmods_entry_arg0(r)		((r)->gpr[3])
#ifdef CONFIG_PPC64_ELF_ABI_V2
/*
 * The probe sits on the local entry point; an entry here is reached at
 * its global one, which computes the module's TOC from r12.
 */
#define KMODS_HAVE_REDIRECT
static inline void kmods_redirect(struct pt_regs *regs, unsigned long fn)
{
	regs->gpr[12] = fn;
	regs->nip = fn;
}
#elif defined(CONFIG_PPC64) && !(defined(_CALL_ELF) && _CALL_ELF == 2)
/*
 * ELFv1 (big-endian ppc64): a function pointer is a descriptor, not code,
 * so the redirect would jump into data and the original would be called
 * at its descriptor. Refuse the build until it is described here.
 */
#error "igloo_kmods: big-endian ppc64 (ELFv1 function descriptors) is not supported yet"
#endif
#else
#error "igloo_kmods: this architecture's registers are not described yet"
#endif

/*
 * The probe's pre-handler sends a call to one of our entries with
 * kmods_redirect(), or lets it go on to the probed function with
 * kmods_let_through(): 0 lets the kprobe single-step the instruction it
 * replaced; an architecture that cannot step safely emulates it instead
 * and returns 1. kmods_code_address() turns a function's start into an
 * address to call.
 */
#ifndef KMODS_HAVE_REDIRECT
#define kmods_redirect(regs, fn)	instruction_pointer_set(regs, fn)
#endif
#ifndef kmods_code_address
#define kmods_code_address(start)	(start)
#endif
#ifndef KMODS_HAVE_LET_THROUGH
static inline bool kmods_can_let_through(const struct kprobe *kp)
{
	return true;
}

static inline int kmods_let_through(struct kprobe *kp, struct pt_regs *regs)
{
	return 0;
}
#endif

/*
 * Features probed in the kernel headers by Kbuild:
 *
 * KMODS_HAVE_ROBUST_COMING_NOTIFIER: a module notifier can veto a load at
 * MODULE_STATE_COMING (5.10 on, blocking_notifier_call_chain_robust()).
 *
 * KMODS_HAVE_COPY_FROM_USER_NOFAULT: 5.8 on; probe_user_read() before.
 *
 * KMODS_HAVE_VM_FLAGS_SET: vm_flags_set() (6.3 on); vm_flags was written
 * directly before.
 */
#ifndef KMODS_HAVE_COPY_FROM_USER_NOFAULT
#define copy_from_user_nofault probe_user_read
#endif

#ifdef KMODS_HAVE_VM_FLAGS_SET
#define kmods_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#else
#define kmods_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

#endif /* _IGLOO_KMODS_COMPAT_H */
