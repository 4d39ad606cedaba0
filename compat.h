/* SPDX-License-Identifier: GPL-2.0 */
/*
 * igloo_kmods: every architecture and kernel-version difference, in one
 * place. The rest of the module tests the names defined here.
 */
#ifndef _IGLOO_KMODS_COMPAT_H
#define _IGLOO_KMODS_COMPAT_H

#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/poll.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/random.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

/*
 * Kernel features that differ between the kernels supported (Linux 4.10,
 * penguin's default kernel, and later), each probed in the kernel's
 * headers by Kbuild and named once; the code tests the names:
 *
 * KMODS_HAVE_SCHED_MM_H: <linux/sched/mm.h> (4.11 on).
 * KMODS_HAVE_GET_RANDOM_U32: get_random_u32() (4.11); get_random_int().
 * KMODS_HAVE_KVMALLOC: kvmalloc() (4.12).
 * KMODS_HAVE_KERNEL_READ_POS: kernel_read(file, buf, count, &pos) (4.14).
 * KMODS_HAVE_POLL_T: __poll_t and the EPOLL* masks (4.16).
 * KMODS_HAVE_KPROBE_SKIP_CLEANUP: once a kprobe pre-handler returns 1 (it
 *	changed the instruction pointer), the architecture's kprobe handler
 *	resets current_kprobe and re-enables preemption itself (4.18, when
 *	jprobes went); before, the pre-handler had to.
 * KMODS_HAVE_BOOTTIME_NS: ktime_get_boottime_ns() (5.3); ktime_get_boot_ns().
 * KMODS_HAVE_PROBE_USER_READ: probe_user_read() (5.3 to 5.7).
 * KMODS_HAVE_COPY_FROM_USER_NOFAULT: its new name (5.8).
 * KMODS_HAVE_VMALLOC_PGPROT: __vmalloc() takes page protections too
 *	(before 5.8).
 * KMODS_HAVE_ROBUST_COMING_NOTIFIER: a module notifier can veto a load at
 *	MODULE_STATE_COMING (5.10, blocking_notifier_call_chain_robust()).
 * KMODS_HAVE_USER_ACCESS_RANGE: user_access_begin() takes the range it
 *	opens (5.0), for unsafe_get_user() inside it.
 */
#ifdef KMODS_HAVE_SCHED_MM_H
#include <linux/sched/mm.h>
#endif

/*
 * After the pre-handler changed the instruction pointer (kmods_redirect()
 * or kmods_let_through() returning 1), it returns kmods_kprobe_skip().
 * Before 4.18 the architecture's kprobe handler left current_kprobe set
 * (every architecture) and preemption disabled (x86 and MIPS, which
 * disable it around the pre-handler) for the pre-handler to undo; a
 * current_kprobe left set makes the next probe hit on that CPU look like
 * a recursive one, which is skipped and counted as missed. current_kprobe
 * is not exported then: kmods_kprobe_compat_init() finds it with
 * kallsyms (CONFIG_KALLSYMS_ALL, which penguin's kernels have).
 */
#ifdef KMODS_HAVE_KPROBE_SKIP_CLEANUP
static inline int kmods_kprobe_compat_init(void)
{
	return 0;
}

static inline int kmods_kprobe_skip(void)
{
	return 1;
}
#else
static inline struct kprobe * __percpu **kmods_current_kprobe_slot(void)
{
	static struct kprobe * __percpu *current_kprobe_ptr;

	return &current_kprobe_ptr;
}

static inline int kmods_kprobe_compat_init(void)
{
	unsigned long addr = kallsyms_lookup_name("current_kprobe");

	if (!addr) {
		pr_err("no current_kprobe in kallsyms (CONFIG_KALLSYMS_ALL is needed before 4.18)\n");
		return -ENOENT;
	}
	*kmods_current_kprobe_slot() = (struct kprobe * __percpu *)addr;
	return 0;
}

static inline int kmods_kprobe_skip(void)
{
	__this_cpu_write(**kmods_current_kprobe_slot(), NULL);
	/*
	 * No preempt_enable_no_resched() in modules. This runs in the
	 * breakpoint exception (x86: inside ist_enter(), MIPS: do_bp()),
	 * where preempt_enable() does not reschedule either.
	 */
	if (IS_ENABLED(CONFIG_X86) || IS_ENABLED(CONFIG_MIPS))
		preempt_enable();
	return 1;
}
#endif

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

#if defined(CONFIG_X86_64) && !defined(KMODS_PTREGS_SYSCALLS)
/*
 * Before 4.17: sys_*() takes the arguments themselves, and 32-bit callers
 * reach the same sys_* entries (kmods_attempt_new() tells them by
 * in_compat_syscall()).
 */
#define KMODS_SYS_PREFIX		"sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
#define kmods_entry_return_address(r) \
	(*(unsigned long *)kernel_stack_pointer(r))
#define kmods_entry_arg0(r)		((r)->di)
#elif defined(CONFIG_X86_64)
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
#elif defined(CONFIG_ARM64) && !defined(KMODS_PTREGS_SYSCALLS)
/* Before 4.19: sys_*() takes the arguments themselves, AArch32 too. */
#define KMODS_SYS_PREFIX		"sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
#define kmods_entry_return_address(r)	((r)->regs[30])
#define kmods_entry_arg0(r)		((r)->regs[0])
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
 * adjustment, ftrace's "move at, ra", or a tail call "j" with a nop in
 * its delay slot: 6.12's 64-bit __se_sys_init_module), is emulated and
 * the probe resumes after it (or at the jump's target), with no step at
 * all. Anything else is stepped as before (kmods_hook_place() says so in
 * the kernel log). @slot is the instruction after @in.
 */
#define KMODS_HAVE_LET_THROUGH
static inline bool kmods_mips_emulate(union mips_instruction in,
				      union mips_instruction slot,
				      struct pt_regs *regs, bool apply)
{
	unsigned long *r = regs->regs, v;
	unsigned int rd;

	switch (in.i_format.opcode) {
	case j_op:
		/* The target is in the delay slot's 256 MB region. */
		if (slot.word)
			return false;
		if (apply)
			regs->cp0_epc = ((regs->cp0_epc + 4) & ~0x0fffffffUL) |
					((unsigned long)in.j_format.target << 2);
		return true;
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

	return kmods_mips_emulate(kp->opcode, kp->addr[1], &scratch, false);
}

static inline int kmods_let_through(struct kprobe *kp, struct pt_regs *regs)
{
	/* 1: resume at regs->cp0_epc, past the emulated instruction. */
	return kmods_mips_emulate(kp->opcode, kp->addr[1], regs, true) ?
		kmods_kprobe_skip() : 0;
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
 * its global one, which computes the module's TOC from r12. The return
 * address goes through instruction_pointer_set(): from 5.14 on, 64-bit
 * Book3S returns from an interrupt through SRR0 as it was on entry unless
 * told it changed (regs_set_return_ip()). With probes on ftrace (Debian's
 * ppc64el) the ftrace caller returns to regs->nip itself; with trap
 * probes (penguin's kernels: no ftrace) a plain write of nip went back to
 * the probed function (PPC_RFI_SRR_DEBUG: "SRR0 was: ... should be: ...").
 */
#define KMODS_HAVE_REDIRECT
static inline void kmods_redirect(struct pt_regs *regs, unsigned long fn)
{
	regs->gpr[12] = fn;
	instruction_pointer_set(regs, fn);
}
#elif defined(CONFIG_PPC64) && !(defined(_CALL_ELF) && _CALL_ELF == 2)
/*
 * ELFv1 (big-endian ppc64 before 6.5, or with PPC64_BIG_ENDIAN_ELF_ABI_V2
 * off; penguin's 6.13 is ELFv2): a function pointer is a descriptor, not
 * code, so the redirect would jump into data and the original would be
 * called at its descriptor. Refuse the build until it is described here.
 */
#error "igloo_kmods: ppc64 ELFv1 is not supported (PPC64_BIG_ENDIAN_ELF_ABI_V2)"
#endif
#elif defined(CONFIG_RISCV) && defined(KMODS_PTREGS_SYSCALLS)
/*
 * __riscv_sys_*() (6.6 on): the caller's registers, whose orig_a0, a1 and
 * a2 are the arguments: the entry code has already put -ENOSYS in a0, and
 * the wrapper reads orig_a0. rv32 tasks on a 64-bit kernel reach the same
 * entries for these calls (no __riscv_compat_sys_* exists for them);
 * kmods_attempt_new() tells them by in_compat_syscall(). The return
 * address is in ra at entry.
 */
#define KMODS_SYS_PREFIX		"__riscv_sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
static inline void kmods_sc_args(const struct pt_regs *r, bool compat,
				 unsigned long *a)
{
	a[0] = r->orig_a0;
	a[1] = r->a1;
	a[2] = r->a2;
}

static inline void kmods_sc_set_args(struct pt_regs *r, const unsigned long *a)
{
	r->orig_a0 = a[0];
	r->a1 = a[1];
	r->a2 = a[2];
}

#define kmods_entry_return_address(r)	((r)->ra)
#define kmods_entry_arg0(r)		((r)->a0)
#elif defined(CONFIG_RISCV)
/* Before 6.6: sys_*() takes the arguments themselves, in a0-a2. */
#define KMODS_SYS_PREFIX		"sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
#define kmods_entry_return_address(r)	((r)->ra)
#define kmods_entry_arg0(r)		((r)->a0)
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
/*
 * KMODS_FTRACE_SITE_SIZE: the size of the call to __fentry__ that starts
 * a function where kprobes are carried by ftrace (KPROBE_FLAG_FTRACE),
 * for a probe to go just past it instead: x86's 5-byte call. Elsewhere 0:
 * the probe stays where register_kprobe() put it.
 */
#ifdef CONFIG_X86
#define KMODS_FTRACE_SITE_SIZE	5
#else
#define KMODS_FTRACE_SITE_SIZE	0
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
 * An allowed load whose module the kernel names otherwise is refused at
 * MODULE_STATE_COMING by kmods_coming_veto(). From 5.10 the notifier's
 * error fails the load before anything of the module runs. Before, the
 * notifier's answer is ignored: the module's init is replaced with one
 * that returns -EPERM, so do_init_module() fails and frees the module, and
 * its parameters (whose setters would be its code) and constructors are
 * dropped, so none of its code runs either. The caller gets -EPERM in
 * both cases. What is weaker (the module is listed, COMING, in
 * /proc/modules and /sys/module until freed, and its parameters are
 * reported as unknown) is in Documentation/threat-model.rst. igloo_kmods
 * holds a reference until the kernel has called the replacement, and
 * kmods_coming_veto_end() drops it at MODULE_STATE_GOING.
 *
 * KMODS_HAVE_VM_FLAGS_SET (Kbuild): vm_flags_set() (6.3 on); vm_flags was
 * written directly before.
 */
#ifdef KMODS_HAVE_ROBUST_COMING_NOTIFIER
static inline int kmods_coming_veto(struct module *mod)
{
	return notifier_from_errno(-EPERM);
}

static inline void kmods_coming_veto_end(struct module *mod)
{
}
#else
static inline int kmods_vetoed_init(void)
{
	return -EPERM;
}

static inline int kmods_coming_veto(struct module *mod)
{
	if (mod->init == kmods_vetoed_init)
		return NOTIFY_DONE;
	__module_get(THIS_MODULE);
	mod->num_kp = 0;
#ifdef CONFIG_CONSTRUCTORS
	mod->num_ctors = 0;
#endif
	mod->init = kmods_vetoed_init;
	return NOTIFY_DONE;
}

static inline void kmods_coming_veto_end(struct module *mod)
{
	if (mod->init == kmods_vetoed_init)
		module_put(THIS_MODULE);
}
#endif

/* Functions that older kernels have under another name or not at all. */
#ifdef KMODS_HAVE_VMALLOC_PGPROT
#define kmods_vmalloc(size, gfp)	__vmalloc(size, gfp, PAGE_KERNEL)
#else
#define kmods_vmalloc(size, gfp)	__vmalloc(size, gfp)
#endif

/* 5.10: a rate limit's flags in its initializer. */
#ifndef RATELIMIT_STATE_INIT_FLAGS
#define RATELIMIT_STATE_INIT_FLAGS(name, interval_init, burst_init, flags_init) { \
		.lock		= __RAW_SPIN_LOCK_UNLOCKED(name.lock),		  \
		.interval	= interval_init,				  \
		.burst		= burst_init,					  \
		.flags		= flags_init,					  \
	}
#endif

#ifndef KMODS_HAVE_GET_RANDOM_U32
#define get_random_u32 get_random_int
#endif

#ifndef KMODS_HAVE_BOOTTIME_NS
#define ktime_get_boottime_ns ktime_get_boot_ns
#endif

#ifndef KMODS_HAVE_KVMALLOC
static inline void *kvmalloc(size_t size, gfp_t flags)
{
	void *p = NULL;

	if (size <= PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER)
		p = kmalloc(size, flags | __GFP_NOWARN | __GFP_NORETRY);
	return p ? p : __vmalloc(size, flags | __GFP_HIGHMEM, PAGE_KERNEL);
}
#endif

#ifndef KMODS_HAVE_KERNEL_READ_POS
static inline ssize_t kmods_kernel_read(struct file *file, void *buf,
					size_t count, loff_t *pos)
{
	int n = kernel_read(file, *pos, buf, count);

	if (n > 0)
		*pos += n;
	return n;
}

#define kernel_read(file, buf, count, pos) \
	kmods_kernel_read(file, buf, count, pos)
#endif

#ifndef KMODS_HAVE_POLL_T
#define __poll_t	unsigned int
#define EPOLLIN		POLLIN
#define EPOLLRDNORM	POLLRDNORM
#endif

/* 5.5: rcu_replace_pointer(), a macro. */
#ifndef rcu_replace_pointer
#define rcu_replace_pointer(rcu_ptr, ptr, c)				\
({									\
	void __rcu **__slot = (void __rcu **)&(rcu_ptr);		\
	void *__old = rcu_dereference_protected(*__slot, (c));		\
	rcu_assign_pointer(*__slot, (ptr));				\
	__old;								\
})
#endif

/* Before 5.3, what probe_user_read() does. */
#ifndef KMODS_HAVE_COPY_FROM_USER_NOFAULT
#ifdef KMODS_HAVE_PROBE_USER_READ
#define copy_from_user_nofault probe_user_read
#else
static inline long copy_from_user_nofault(void *dst, const void __user *src,
					  size_t size)
{
	long ret;

	if (!access_ok(VERIFY_READ, src, size))
		return -EFAULT;
	pagefault_disable();
	ret = __copy_from_user_inatomic(dst, src, size);
	pagefault_enable();
	return ret ? -EFAULT : 0;
}
#endif
#endif

/*
 * kmods_user_words_differ(): do the @n words at @ubuf differ from those at
 * @kbuf? Read in place, without faulting (a page not there is a
 * difference), from any context: one user-access window for the lot,
 * rather than a copy and a memcmp() of each piece (for dummy.ko's 17,497
 * bytes on Debian's 6.1 under QEMU -icount: 9,692 guest instructions, four
 * words a step; 13,503 a word a step; 35,748 copied and compared,
 * Documentation/benchmark.rst). Both buffers are word-aligned. Without
 * user_access_begin() taking a range (5.0), -EOPNOTSUPP: the caller
 * copies instead.
 */
#ifdef KMODS_HAVE_USER_ACCESS_RANGE
#ifndef nmi_uaccess_okay
#define nmi_uaccess_okay()	true
#endif

static inline int kmods_user_words_differ(const unsigned long *kbuf,
					  const unsigned long __user *ubuf,
					  size_t n)
{
	unsigned long w, w1, w2, w3;
	size_t i;
	int ret = 0;

	if (!nmi_uaccess_okay())
		return 1;
	pagefault_disable();
	if (!user_access_begin(ubuf, n * sizeof(long))) {
		pagefault_enable();
		return 1;
	}
	/* Four words a step, their differences or'ed: one branch a step. */
	for (i = 0; i + 4 <= n; i += 4) {
		unsafe_get_user(w, &ubuf[i], fault);
		unsafe_get_user(w1, &ubuf[i + 1], fault);
		unsafe_get_user(w2, &ubuf[i + 2], fault);
		unsafe_get_user(w3, &ubuf[i + 3], fault);
		if ((w ^ kbuf[i]) | (w1 ^ kbuf[i + 1]) | (w2 ^ kbuf[i + 2]) |
		    (w3 ^ kbuf[i + 3])) {
			ret = 1;
			break;
		}
	}
	for (; !ret && i < n; i++) {
		unsafe_get_user(w, &ubuf[i], fault);
		if (w != kbuf[i])
			ret = 1;
	}
	user_access_end();
	pagefault_enable();
	return ret;
fault:
	user_access_end();
	pagefault_enable();
	return 1;
}
#else
static inline int kmods_user_words_differ(const unsigned long *kbuf,
					  const unsigned long __user *ubuf,
					  size_t n)
{
	return -EOPNOTSUPP;
}
#endif

#ifdef KMODS_HAVE_VM_FLAGS_SET
#define kmods_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#else
#define kmods_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#endif

#endif /* _IGLOO_KMODS_COMPAT_H */
