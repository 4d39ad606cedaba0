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
#elif defined(CONFIG_ARM64)
/* Compat tasks use the same __arm64_sys_* entries for these calls. */
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
#define KMODS_SYS_PREFIX		"sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
#define kmods_entry_return_address(r)	((r)->ARM_lr)
#define kmods_entry_arg0(r)		((r)->ARM_r0)
#elif defined(CONFIG_MIPS)
#define KMODS_SYS_PREFIX		"sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
#define kmods_entry_return_address(r)	((r)->regs[31])
#define kmods_entry_arg0(r)		((r)->regs[4])
#elif defined(CONFIG_PPC) && !defined(KMODS_PTREGS_SYSCALLS)
#define KMODS_SYS_PREFIX		"sys_"
#define KMODS_HAVE_COMPAT_HOOKS		0
#define kmods_entry_return_address(r)	((r)->link)
#define kmods_entry_arg0(r)		((r)->gpr[3])
#else
#error "igloo_kmods: this architecture's registers are not described yet"
#endif

/*
 * Features probed in the kernel headers by Kbuild:
 *
 * KMODS_HAVE_ROBUST_COMING_NOTIFIER: a module notifier can veto a load at
 * MODULE_STATE_COMING (5.10 on, blocking_notifier_call_chain_robust()).
 *
 * KMODS_HAVE_COPY_FROM_USER_NOFAULT: 5.8 on; probe_user_read() before.
 */
#ifndef KMODS_HAVE_COPY_FROM_USER_NOFAULT
#define copy_from_user_nofault probe_user_read
#endif

#endif /* _IGLOO_KMODS_COMPAT_H */
