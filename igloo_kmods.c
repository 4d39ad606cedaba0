// SPDX-License-Identifier: GPL-2.0
/*
 * igloo_kmods: decide, inside the guest kernel, which kernel modules a
 * rehosted firmware may load, and log every attempt.
 *
 * kprobes on the init_module, finit_module and delete_module system call
 * entries send each call to an entry function here, which reads the
 * module's real name from its image, applies the policy and either runs
 * the kernel's own load or refuses it (by default faking success, as
 * penguin's host-side kmods plugin does). Every attempt becomes a record
 * on the stream in record.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/elf.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <uapi/linux/module.h>

#include "compat.h"
#include "internal.h"
#include "policy.h"

/*
 * The finit_module flags the kernel knows: any other bit is refused with
 * EINVAL before the file is looked at. MODULE_INIT_COMPRESSED_FILE came
 * in 5.17 (4.10 has only the first two); without CONFIG_MODULE_DECOMPRESS
 * it is refused (EOPNOTSUPP) once the file is read.
 */
#ifdef MODULE_INIT_COMPRESSED_FILE
#define KMODS_FINIT_FLAGS	(MODULE_INIT_IGNORE_MODVERSIONS | \
				 MODULE_INIT_IGNORE_VERMAGIC | \
				 MODULE_INIT_COMPRESSED_FILE)
#define KMODS_HAVE_DECOMPRESS	IS_ENABLED(CONFIG_MODULE_DECOMPRESS)
#else
#define KMODS_FINIT_FLAGS	(MODULE_INIT_IGNORE_MODVERSIONS | \
				 MODULE_INIT_IGNORE_VERMAGIC)
#define KMODS_HAVE_DECOMPRESS	0
#endif

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4
#endif

/*
 * A user address no caller can map: the top page is the kernel's on
 * every architecture, so access_ok() refuses it and strndup_user() fails
 * with EFAULT. Calls the kernel refuses anyway get it as their parameter
 * string (see kmods_bad_call()).
 */
#define KMODS_NO_USER_ADDR	((unsigned long)-PAGE_SIZE)

/* The largest block_errno: ERESTARTSYS (512) and up are kernel-internal. */
#define KMODS_ERRNO_MAX		511

/* Modules whose load was faked, remembered so that rmmod of them works. */
#define KMODS_FAKED_MAX		256

struct kmods_stats kmods_stats;

/*
 * make KMODS_PROFILE=1 (tests/bench.sh's profile): the time spent in each
 * part of kmods_load(), summed over the calls and printed when igloo_kmods
 * is unloaded. Under QEMU -icount one nanosecond is one guest instruction.
 * Without KMODS_PROFILE all of this compiles to nothing.
 */
enum kmods_prof_part {
	KMODS_PROF_LOAD,	/* kmods_load(), a blocked attempt */
	KMODS_PROF_ALLOC,	/* kmods_attempt_new() */
	KMODS_PROF_INSPECT,	/* the call's arguments, the file, the name */
	KMODS_PROF_NAME,	/* ... of which the ELF read and parse */
	KMODS_PROF_READ,	/* ... of which the file reads */
	KMODS_PROF_PARAMS,	/* the parameter string */
	KMODS_PROF_DECIDE,	/* the policy decision */
	KMODS_PROF_RECORD,	/* the record and the log line */
	KMODS_PROF_FREE,	/* kmods_attempt_free() */
	KMODS_PROF_CLOCK,	/* two clock reads back to back */
	KMODS_PROF_ALLOWED,	/* kmods_load(), an allowed attempt */
	KMODS_PROF_KERNEL,	/* the kernel's own load, allowed */
	KMODS_PROF_CHECK,	/* ... of which the kernel's copy checked */
	KMODS_PROF_COMPARE,	/* ... of which compared with the caller's */
	KMODS_PROF_RESULT,	/* the result record, the log line, free */
	KMODS_PROF_NR
};

#ifdef KMODS_PROFILE
static const char *const kmods_prof_names[KMODS_PROF_NR] = {
	"load", "alloc", "inspect", "name", "read", "params", "decide", "record",
	"free", "clock", "allowed", "kernel", "check", "compare", "result",
};

static atomic64_t kmods_prof_ns[KMODS_PROF_NR];
static atomic64_t kmods_prof_calls[KMODS_PROF_NR];
static atomic64_t kmods_prof_peak;	/* largest allocation of a call */

static void kmods_prof_mem(u64 bytes)
{
	u64 old = atomic64_read(&kmods_prof_peak);

	while (bytes > old) {
		u64 seen = atomic64_cmpxchg(&kmods_prof_peak, old, bytes);

		if (seen == old)
			break;
		old = seen;
	}
}

/* NMI-safe: kmods_copy_check() runs in the probe on load_module(). */
static u64 kmods_prof_now(void)
{
	return ktime_get_mono_fast_ns();
}

static void kmods_prof_add(enum kmods_prof_part part, u64 start)
{
	atomic64_add(kmods_prof_now() - start, &kmods_prof_ns[part]);
	atomic64_inc(&kmods_prof_calls[part]);
}

static void kmods_prof_print(void)
{
	int i;

	for (i = 0; i < KMODS_PROF_NR; i++)
		pr_info("profile %s %lld %lld\n", kmods_prof_names[i],
			atomic64_read(&kmods_prof_calls[i]),
			atomic64_read(&kmods_prof_ns[i]));
	pr_info("profile peak_bytes 1 %lld\n", atomic64_read(&kmods_prof_peak));
}
#else
static inline u64 kmods_prof_now(void)
{
	return 0;
}

static inline void kmods_prof_add(enum kmods_prof_part part, u64 start)
{
}

static inline void kmods_prof_print(void)
{
}

static inline void kmods_prof_mem(u64 bytes)
{
}
#endif

/* ---- Policy, set through module parameters ---- */

static struct kmods_list __rcu *kmods_allow;
static struct kmods_list __rcu *kmods_deny;
static DEFINE_MUTEX(kmods_policy_mutex);
static bool kmods_quiet;
static int kmods_mode = KMODS_MODE_ENFORCE;
static unsigned int kmods_block_errno;
static bool kmods_locked;
static unsigned int subbuf_size = 128 * 1024;
static unsigned int n_subbufs = 8;

static const char *const kmods_mode_names[] = {
	[KMODS_MODE_ENFORCE] = "enforce",
	[KMODS_MODE_MONITOR] = "monitor",
};

/*
 * Is this insmod's own parameter line being parsed? load_module() parses
 * it before it creates the module's sysfs files (parse_args() before
 * mod_sysfs_setup()), and there the parameters may come in any order.
 * Every later write comes through sysfs, including one racing with
 * kmods_init(), and the lock binds it from the moment the lock is set.
 */
static bool kmods_parsing_insmod_args(void)
{
	return !THIS_MODULE->mkobj.kobj.state_in_sysfs;
}

/* The lock's reference on igloo_kmods, taken once. */
static void kmods_lock_hold(void)
{
	static atomic_t held = ATOMIC_INIT(0);

	if (!atomic_xchg(&held, 1))
		__module_get(THIS_MODULE);
}

static int kmods_policy_writable(const struct kernel_param *kp)
{
	if (!capable(CAP_SYS_MODULE))
		return -EPERM;
	if (!kmods_parsing_insmod_args() && READ_ONCE(kmods_locked)) {
		pr_err("policy is locked: refused a write to %s\n", kp->name);
		return -EPERM;
	}
	return 0;
}

/* Lists may be large (KMODS_LIST_MAX names): kmalloc, else vmalloc. */
static struct kmods_list *kmods_list_alloc(size_t size)
{
	struct kmods_list *l = NULL;

	if (size <= PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER)
		l = kzalloc(size, GFP_KERNEL | __GFP_NOWARN);
	return l ? l : vzalloc(size);
}

/*
 * A write replaces the list; one that starts with '+' appends to it
 * ("+a,b" adds a and b), so that a list longer than one sysfs write (a
 * page) is built by one write and appends, and insmod takes
 * "allowlist=a,b allowlist=+c" alike. Either way the new list is built
 * whole, beside the old one, and swapped in with one pointer store:
 * a reader sees the old list or the new one, never a part of either.
 */
static int kmods_list_set(const char *val, const struct kernel_param *kp)
{
	struct kmods_list __rcu **slot = kp->arg;
	struct kmods_list *new, *old;
	bool append = val[0] == '+';
	size_t size;
	int err;

	err = kmods_policy_writable(kp);
	if (err)
		return err;
	/*
	 * sysfs passes at most a page of a write, and reports the rest as
	 * not written: a cut list must not pass for the whole one.
	 */
	if (!kmods_parsing_insmod_args() && strnlen(val, PAGE_SIZE) >= PAGE_SIZE)
		return -E2BIG;
	mutex_lock(&kmods_policy_mutex);
	old = rcu_dereference_protected(*slot,
					lockdep_is_held(&kmods_policy_mutex));
	err = kmods_list_size(append ? old : NULL, val + append, &size);
	if (err)
		goto out;
	new = kmods_list_alloc(size);
	if (!new) {
		err = -ENOMEM;
		goto out;
	}
	err = kmods_list_parse(append ? old : NULL, val + append, new, size);
	if (err) {
		kvfree(new);
		goto out;
	}
	rcu_assign_pointer(*slot, new);
	mutex_unlock(&kmods_policy_mutex);
	if (old) {
		synchronize_rcu();
		kvfree(old);
	}
	return 0;
out:
	mutex_unlock(&kmods_policy_mutex);
	return err;
}

/*
 * Where a parameter's newline comes from: 6.1 and later end each value
 * in the param_get_*() functions and the sysfs show adds none; 4.10's
 * param_attr_show() appends one to what the get gave. Read off
 * param_get_bool() once, at init, so that every value of ours ends with
 * exactly one newline on either kind of kernel.
 */
static bool kmods_show_adds_newline;

static void __init kmods_newline_probe(void)
{
	bool v = false;
	const struct kernel_param kp = { .arg = &v };
	char *page = (char *)get_zeroed_page(GFP_KERNEL);
	int n;

	if (!page)
		return;
	n = param_get_bool(page, &kp);
	WRITE_ONCE(kmods_show_adds_newline, n > 0 && page[n - 1] != '\n');
	free_page((unsigned long)page);
}

/* End a parameter's value, @len bytes of the page @buf; its new length. */
static int kmods_param_end(char *buf, int len)
{
	if (!READ_ONCE(kmods_show_adds_newline) && len < PAGE_SIZE - 1) {
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	return len;
}

/* A list longer than a page cannot be read back (ENOSPC). */
static int kmods_list_get(char *buf, const struct kernel_param *kp)
{
	struct kmods_list __rcu **slot = kp->arg;
	struct kmods_list *l;
	int len = 0;

	rcu_read_lock();
	l = rcu_dereference(*slot);
	if (l)
		len = kmods_list_format(l, buf, PAGE_SIZE - 1);
	rcu_read_unlock();
	if (len < 0)
		return len;
	buf[len] = '\0';
	return kmods_param_end(buf, len);
}

static void kmods_list_free(void *arg)
{
	struct kmods_list __rcu **slot = arg;

	/* Called when the module is freed: no reader is left. */
	kvfree(rcu_dereference_protected(*slot, true));
	RCU_INIT_POINTER(*slot, NULL);
}

static const struct kernel_param_ops kmods_list_ops = {
	.set = kmods_list_set,
	.get = kmods_list_get,
	.free = kmods_list_free,
};

module_param_cb(allowlist, &kmods_list_ops, &kmods_allow, 0644);
MODULE_PARM_DESC(allowlist,
		 "Comma-separated module names allowed to load (no .ko, no path); a leading + appends");
module_param_cb(denylist, &kmods_list_ops, &kmods_deny, 0644);
MODULE_PARM_DESC(denylist,
		 "Comma-separated module names always blocked; wins over allowlist; a leading + appends");

static int kmods_bool_set(const char *val, const struct kernel_param *kp)
{
	int err = kmods_policy_writable(kp);

	return err ? err : param_set_bool(val, kp);
}

static const struct kernel_param_ops kmods_bool_ops = {
	.set = kmods_bool_set,
	.get = param_get_bool,
};

module_param_cb(quiet, &kmods_bool_ops, &kmods_quiet, 0644);
MODULE_PARM_DESC(quiet, "1: log only errors to the kernel log; 0: one line per attempt");

static int kmods_mode_set(const char *val, const struct kernel_param *kp)
{
	int err = kmods_policy_writable(kp);
	int mode;

	if (err)
		return err;
	for (mode = KMODS_MODE_ENFORCE; mode <= KMODS_MODE_MONITOR; mode++) {
		if (sysfs_streq(val, kmods_mode_names[mode])) {
			WRITE_ONCE(kmods_mode, mode);
			return 0;
		}
	}
	return -EINVAL;
}

static int kmods_mode_get(char *buf, const struct kernel_param *kp)
{
	return kmods_param_end(buf, scnprintf(buf, PAGE_SIZE, "%s",
			       kmods_mode_names[READ_ONCE(kmods_mode)]));
}

static const struct kernel_param_ops kmods_mode_ops = {
	.set = kmods_mode_set,
	.get = kmods_mode_get,
};

module_param_cb(mode, &kmods_mode_ops, NULL, 0644);
MODULE_PARM_DESC(mode, "enforce (default): block what the policy blocks; monitor: log only");

static int kmods_errno_set(const char *val, const struct kernel_param *kp)
{
	int err = kmods_policy_writable(kp);
	unsigned int v;

	if (err)
		return err;
	err = kstrtouint(val, 0, &v);
	if (err)
		return err;
	/*
	 * Only errno values user space knows: 512 and up (ERESTARTSYS and the
	 * rest of include/linux/errno.h) are the kernel's own and would leak
	 * out or restart the call.
	 */
	if (v > KMODS_ERRNO_MAX)
		return -EINVAL;
	WRITE_ONCE(kmods_block_errno, v);
	return 0;
}

static const struct kernel_param_ops kmods_errno_ops = {
	.set = kmods_errno_set,
	.get = param_get_uint,
};

module_param_cb(block_errno, &kmods_errno_ops, &kmods_block_errno, 0644);
MODULE_PARM_DESC(block_errno,
		 "0 (default): a blocked load returns success; N: it returns -N");

static int kmods_lock_set(const char *val, const struct kernel_param *kp)
{
	bool lock;
	int err;

	if (!capable(CAP_SYS_MODULE))
		return -EPERM;
	err = kstrtobool(val, &lock);
	if (err)
		return err;
	if (kmods_parsing_insmod_args()) {
		/* "lock=1 ... lock=0" on one line: the last one counts. */
		WRITE_ONCE(kmods_locked, lock);
		return 0;
	}
	if (!lock) {
		if (!READ_ONCE(kmods_locked))
			return 0;
		pr_err("policy is locked until reboot: refused to unlock\n");
		return -EPERM;
	}
	if (READ_ONCE(kmods_locked))
		return 0;
	WRITE_ONCE(kmods_locked, true);
	/*
	 * From now on igloo_kmods stays loaded, even if this write raced
	 * with kmods_init() (which holds it for a lock given to insmod).
	 */
	kmods_lock_hold();
	pr_notice("policy locked until reboot\n");
	return 0;
}

static const struct kernel_param_ops kmods_lock_ops = {
	.set = kmods_lock_set,
	.get = param_get_bool,
};

module_param_cb(lock, &kmods_lock_ops, &kmods_locked, 0644);
MODULE_PARM_DESC(lock, "1: freeze the policy and keep igloo_kmods loaded until reboot (one-way)");

static int kmods_counter_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static int kmods_counter_get(char *buf, const struct kernel_param *kp)
{
	return kmods_param_end(buf, scnprintf(buf, PAGE_SIZE, "%lld",
			       (long long)atomic64_read((atomic64_t *)kp->arg)));
}

static const struct kernel_param_ops kmods_counter_ops = {
	.set = kmods_counter_set,
	.get = kmods_counter_get,
};

module_param_cb(attempts, &kmods_counter_ops, &kmods_stats.attempts, 0444);
MODULE_PARM_DESC(attempts, "Load attempts seen (read-only)");
module_param_cb(allowed, &kmods_counter_ops, &kmods_stats.allowed, 0444);
MODULE_PARM_DESC(allowed, "Attempts passed to the kernel's load (read-only)");
module_param_cb(blocked, &kmods_counter_ops, &kmods_stats.blocked, 0444);
MODULE_PARM_DESC(blocked, "Attempts refused by the policy (read-only)");
module_param_cb(vetoed, &kmods_counter_ops, &kmods_stats.vetoed, 0444);
MODULE_PARM_DESC(vetoed, "Attempts let through, then refused at the kernel's copy or name (read-only)");
module_param_cb(records, &kmods_counter_ops, &kmods_stats.records, 0444);
MODULE_PARM_DESC(records, "Records written to the stream (read-only)");
module_param_cb(dropped, &kmods_counter_ops, &kmods_stats.dropped, 0444);
MODULE_PARM_DESC(dropped, "Records lost because the stream was full (read-only)");

module_param(subbuf_size, uint, 0444);
MODULE_PARM_DESC(subbuf_size, "Bytes per record sub-buffer (load time only)");
module_param(n_subbufs, uint, 0444);
MODULE_PARM_DESC(n_subbufs, "Number of record sub-buffers (load time only)");

/*
 * The rule for @name and, with @file (penguin's name for the file) and
 * @hints, where the lists would match the file otherwise (KMODS_F_*
 * hints), both from the same lists.
 */
static enum kmods_rule kmods_decide_hints(const char *name, const char *file,
					  u32 *hints)
{
	const struct kmods_list *allow, *deny;
	enum kmods_rule rule;

	rcu_read_lock();
	allow = rcu_dereference(kmods_allow);
	deny = rcu_dereference(kmods_deny);
	rule = kmods_policy_check(name, file, allow, deny, hints);
	rcu_read_unlock();
	return rule;
}

static enum kmods_rule kmods_decide(const char *name)
{
	return kmods_decide_hints(name, NULL, NULL);
}

/* ---- Modules whose load was faked ---- */

static char kmods_faked[KMODS_FAKED_MAX][MODULE_NAME_LEN];
static unsigned int kmods_faked_next;
static DEFINE_SPINLOCK(kmods_faked_lock);

static int kmods_faked_index(const char *name)
{
	int i;

	lockdep_assert_held(&kmods_faked_lock);
	for (i = 0; i < KMODS_FAKED_MAX; i++) {
		if (kmods_faked[i][0] && kmods_name_eq(kmods_faked[i], name))
			return i;
	}
	return -1;
}

static void kmods_faked_add(const char *name)
{
	unsigned long flags;

	spin_lock_irqsave(&kmods_faked_lock, flags);
	if (kmods_faked_index(name) < 0) {
		/* When full, the oldest entry gives way. */
		strscpy(kmods_faked[kmods_faked_next], name, MODULE_NAME_LEN);
		kmods_faked_next = (kmods_faked_next + 1) % KMODS_FAKED_MAX;
	}
	spin_unlock_irqrestore(&kmods_faked_lock, flags);
}

/* Is @name faked? With @take, it is forgotten too. */
static bool kmods_faked_find(const char *name, bool take)
{
	unsigned long flags;
	int i;

	spin_lock_irqsave(&kmods_faked_lock, flags);
	i = kmods_faked_index(name);
	if (i >= 0 && take)
		kmods_faked[i][0] = '\0';
	spin_unlock_irqrestore(&kmods_faked_lock, flags);
	return i >= 0;
}

/* ---- Hooks ---- */

enum kmods_hook_id {
	KMODS_HOOK_INIT,
	KMODS_HOOK_FINIT,
	KMODS_HOOK_DELETE,
#if KMODS_HAVE_COMPAT_HOOKS
	KMODS_HOOK_INIT_COMPAT,
	KMODS_HOOK_FINIT_COMPAT,
	KMODS_HOOK_DELETE_COMPAT,
#endif
	KMODS_NR_HOOKS
};

/**
 * struct kmods_hook - one probed system call entry
 * @symbols: candidate symbol names, NULL-terminated; the first that can be
 *	probed is used
 * @sys: which system call
 * @compat: the 32-bit entry of a 64-bit kernel
 * @native: for @compat, the hook whose original takes forwarded calls
 * @entry: where the probe sends the call
 * @required: init fails when this hook cannot be placed
 * @kp: the kprobe
 * @name: the function probed, one of @symbols
 * @orig: the start of the probed function, for calling the original
 */
struct kmods_hook {
	const char *const symbols[3];
	enum kmods_syscall sys;
	bool compat;
	enum kmods_hook_id native;
	void *entry;
	bool required;
	struct kprobe kp;
	const char *name;
	kmods_syscall_fn orig;
};

static struct kmods_hook kmods_hooks[KMODS_NR_HOOKS];

/* The arguments of one intercepted call. */
struct kmods_call {
	const struct kmods_hook *hook;
	unsigned long arg[3];
#ifdef KMODS_PTREGS_SYSCALLS
	const struct pt_regs *regs;
#endif
};

/*
 * Run the kernel's own system call. The probe on it sees a return address
 * inside this module and lets the call through (kmods_pre_handler()).
 *
 * On x86 with IBT, @orig is the function's first byte, its ENDBR64 (see
 * kmods_hook_place()); kp.addr lies past it and is never called. The
 * __ia32_sys_* entries have their ENDBR sealed at boot, so a 32-bit call
 * is never made to them indirectly: it goes to the 64-bit entry with the
 * arguments in the 64-bit registers.
 */
static noinline long kmods_call_original(const struct kmods_call *call)
{
	const struct kmods_hook *hook = call->hook;
	long ret;

#ifdef KMODS_PTREGS_SYSCALLS
	/* The arguments go in a copy: kmods_load() may have changed them. */
	struct pt_regs regs = *call->regs;

	kmods_sc_set_args(&regs, call->arg);
	if (KMODS_HAVE_COMPAT_HOOKS && hook->compat)
		hook = &kmods_hooks[hook->native];
	ret = hook->orig(&regs);
#else
	ret = hook->orig(call->arg[0], call->arg[1], call->arg[2]);
#endif
	/* Not a tail call: the original must return into this module. */
	barrier();
	return ret;
}

/* ---- One load attempt ---- */

/**
 * struct kmods_loading - an attempt handed to the kernel, while it loads
 * @slot: its index in kmods_inflight[], or -1
 * @vetoed: refused at MODULE_STATE_COMING (kmods_module_notify())
 * @copy_refused: the kernel's copy of the image was refused
 *	(kmods_copy_pre_handler()): the kernel was made to fail the load
 *	before its loader parsed anything
 * @renamed: the kernel's copy, or the kernel at MODULE_STATE_COMING, named
 *	the module otherwise than the image checked, or not at all
 * @kernel_name: the name in the kernel's copy, or empty
 */
struct kmods_loading {
	int slot;
	bool vetoed;
	bool copy_refused;
	bool renamed;
	char kernel_name[KMODS_NAME_LEN];
};

/**
 * struct kmods_attempt - what is known of one intercepted call
 * @call: the call
 * @ts_ns: when it was made (CLOCK_BOOTTIME)
 * @image_size: init_module length or finit_module file size
 * @flags: KMODS_F_*
 * @ret: what the caller gets
 * @kernel_ret: the kernel's own result, for calls passed to it
 * @load_flags: finit_module or delete_module flags
 * @name_src: where @name came from
 * @decision: what was done
 * @rule: the rule that decided
 * @mode: the mode in force
 * @name_rule: the refusing rule for which the name reader skipped
 *	.modinfo (kmods_need_modinfo()), or 0
 * @comm: the caller's command name
 * @name: the module's name, or empty
 * @path: the module's file, or empty
 * @params: the module parameters, maybe truncated
 * @bad_call: the kernel refuses these arguments before loading anything
 * @loading: what the kernel's side said, while the kernel loads
 * @rec: scratch for kmods_attempt_emit()
 * @buf: scratch for paths, the command line and the ELF reader
 *
 * The fields from @ts_ns to @params become struct kmods_record's. @rec and
 * @buf come last and are not zeroed (kmods_attempt_new()).
 */
struct kmods_attempt {
	const struct kmods_call *call;
	u64 ts_ns;
	u64 image_size;
	u32 flags;
	long ret;
	long kernel_ret;
	u32 load_flags;
	enum kmods_name_source name_src;
	enum kmods_decision decision;
	enum kmods_rule rule;
	enum kmods_mode mode;
	enum kmods_rule name_rule;
	char comm[TASK_COMM_LEN];
	char name[KMODS_NAME_LEN];
	char path[KMODS_PATH_LEN];
	char params[KMODS_PARAMS_LEN];
	bool bad_call;
	struct kmods_loading loading;
	struct kmods_record rec;
	char buf[KMODS_SCRATCH_SIZE];
};

/*
 * Attempts kept for reuse. An attempt is about 10 KiB, which kmalloc()
 * takes from the page allocator, and Debian's kernels zero every
 * allocation (init_on_alloc): some 16,000 guest instructions a call. The
 * last KMODS_POOL_SIZE freed are kept instead (at most 64 KiB at rest).
 */
#define KMODS_POOL_SIZE		4

static DEFINE_SPINLOCK(kmods_pool_lock);
static struct kmods_attempt *kmods_pool[KMODS_POOL_SIZE];
static unsigned int kmods_pool_count;

/*
 * Does the caller's buffer still hold, byte for byte, the @len bytes the
 * kernel copied from it to @copy? A copy taken while another thread
 * rewrote the buffer can mix two images whose tables are each whole:
 * the reader cannot tell it from a module (its symbols and relocations
 * are in bounds, but name the other image's), and a struct module made
 * of both has run the other's bytes as its exit function. Read without
 * faulting (from the probe; the kernel has just read every page), in
 * place a word at a time where the kernel has the means and the buffer
 * is aligned, else @size bytes at a time into @buf; fail closed: a page
 * gone is a change.
 */
static bool kmods_copy_changed(const u8 *copy, const char __user *ubuf,
			       size_t len, u8 *buf, size_t size)
{
	size_t off = 0, n;
	int ret;

	/* The kernel's copy is page-aligned; in place where the buffer is. */
	if (IS_ALIGNED((unsigned long)ubuf | (unsigned long)copy,
		       sizeof(long))) {
		off = round_down(len, sizeof(long));
		ret = kmods_user_words_differ((const unsigned long *)copy,
					      (const unsigned long __user *)ubuf,
					      off / sizeof(long));
		if (ret > 0)
			return true;
		if (ret < 0)
			off = 0;
	}
	for (; off < len; off += n) {
		n = min(len - off, size);
		if (copy_from_user_nofault(buf, ubuf + off, n) ||
		    memcmp(buf, copy + off, n))
			return true;
	}
	return false;
}

/*
 * The attempts handed to the kernel, for the checks made where the kernel
 * loads them: of its copy of the image, from the probe on load_module()
 * (which may be an int3 handler, NMI-like: no locks there), and at
 * MODULE_STATE_COMING. A task claims a free slot by writing itself into
 * @task, and only that task writes the slot or frees its attempt, so a
 * task finds its own slot without a lock: a slot holding current is
 * current's. Beyond KMODS_INFLIGHT calls in the kernel at once, the rest
 * are checked at MODULE_STATE_COMING only, by name.
 */
#define KMODS_INFLIGHT	64

static struct {
	struct task_struct *task;
	struct kmods_attempt *at;
} kmods_inflight[KMODS_INFLIGHT];

static int kmods_inflight_add(struct kmods_attempt *at)
{
	int i;

	for (i = 0; i < KMODS_INFLIGHT; i++) {
		if (!cmpxchg(&kmods_inflight[i].task, NULL, current)) {
			WRITE_ONCE(kmods_inflight[i].at, at);
			return i;
		}
	}
	pr_warn_ratelimited("more than %d loads in the kernel at once: the kernel's copy is not checked\n",
			    KMODS_INFLIGHT);
	return -1;
}

static void kmods_inflight_del(int slot)
{
	if (slot < 0)
		return;
	WRITE_ONCE(kmods_inflight[slot].at, NULL);
	/* The slot is free once @at is cleared, for the next cmpxchg(). */
	smp_store_release(&kmods_inflight[slot].task, NULL);
}

/* The attempt that current handed to the kernel, or NULL. */
static struct kmods_attempt *kmods_loading_attempt(void)
{
	int i;

	for (i = 0; i < KMODS_INFLIGHT; i++) {
		if (READ_ONCE(kmods_inflight[i].task) == current)
			return READ_ONCE(kmods_inflight[i].at);
	}
	return NULL;
}

static struct kmods_attempt *kmods_attempt_new(const struct kmods_call *call)
{
	struct kmods_attempt *at = NULL;

	spin_lock(&kmods_pool_lock);
	if (kmods_pool_count)
		at = kmods_pool[--kmods_pool_count];
	spin_unlock(&kmods_pool_lock);
	if (!at)
		at = kmalloc(sizeof(*at), GFP_KERNEL);
	if (!at)
		return NULL;
	/* @rec and @buf are scratch, written before they are read. */
	BUILD_BUG_ON(offsetof(struct kmods_attempt, buf) <
		     offsetof(struct kmods_attempt, rec));
	memset(at, 0, offsetof(struct kmods_attempt, rec));
	at->call = call;
	at->ts_ns = ktime_get_boottime_ns();
	at->mode = READ_ONCE(kmods_mode);
	/* arm64, mips64: 32-bit callers share the native entries. */
	if (call->hook->compat || in_compat_syscall())
		at->flags |= KMODS_F_COMPAT;
	get_task_comm(at->comm, current);
	return at;
}

static void kmods_attempt_free(struct kmods_attempt *at)
{
	spin_lock(&kmods_pool_lock);
	if (kmods_pool_count < KMODS_POOL_SIZE) {
		kmods_pool[kmods_pool_count++] = at;
		at = NULL;
	}
	spin_unlock(&kmods_pool_lock);
	kfree(at);
}

static void kmods_pool_exit(void)
{
	while (kmods_pool_count)
		kfree(kmods_pool[--kmods_pool_count]);
}

static u64 kmods_attempt_emit(struct kmods_attempt *at,
			      enum kmods_record_type type, u64 ref_seq)
{
	struct kmods_record *rec = &at->rec;

	BUILD_BUG_ON(TASK_COMM_LEN > KMODS_COMM_LEN);
	/* The strings after @comm are copied whole: NUL-padded already. */
	memset(rec, 0, offsetof(struct kmods_record, name));
	rec->type = cpu_to_le32(type);
	rec->ts_ns = cpu_to_le64(at->ts_ns);
	rec->ref_seq = cpu_to_le64(ref_seq);
	rec->image_size = cpu_to_le64(at->image_size);
	rec->pid = cpu_to_le32(task_pid_nr(current));
	rec->tgid = cpu_to_le32(task_tgid_nr(current));
	rec->uid = cpu_to_le32(from_kuid_munged(&init_user_ns, current_uid()));
	rec->euid = cpu_to_le32(from_kuid_munged(&init_user_ns,
						 current_euid()));
	rec->flags = cpu_to_le32(at->flags);
	rec->ret = cpu_to_le32((u32)at->ret);
	rec->kernel_ret = cpu_to_le32((u32)at->kernel_ret);
	rec->load_flags = cpu_to_le32(at->load_flags);
	rec->syscall = at->call->hook->sys;
	rec->name_src = at->name_src;
	rec->decision = at->decision;
	rec->rule = at->rule;
	rec->mode = at->mode;
	memcpy(rec->comm, at->comm, sizeof(at->comm));
	memcpy(rec->name, at->name, sizeof(rec->name));
	memcpy(rec->path, at->path, sizeof(rec->path));
	memcpy(rec->params, at->params, sizeof(rec->params));
	return kmods_record_emit(rec);
}

static const char *const kmods_syscall_names[] = {
	[KMODS_SYS_INIT_MODULE] = "init_module",
	[KMODS_SYS_FINIT_MODULE] = "finit_module",
	[KMODS_SYS_DELETE_MODULE] = "delete_module",
};

static const char *const kmods_decision_names[] = {
	[KMODS_DECISION_ALLOW] = "allowed",
	[KMODS_DECISION_BLOCK] = "blocked",
	[KMODS_DECISION_KERNEL] = "left to the kernel",
};

static const char *const kmods_rule_names[] = {
	[KMODS_RULE_BUILTIN] = "builtin",
	[KMODS_RULE_DENYLIST] = "denylist",
	[KMODS_RULE_ALLOWLIST] = "allowlist",
	[KMODS_RULE_DEFAULT] = "default",
	[KMODS_RULE_NO_NAME] = "no name",
	[KMODS_RULE_UNPRIVILEGED] = "unprivileged",
	[KMODS_RULE_FAKED] = "faked load",
	[KMODS_RULE_LOCKED] = "locked",
	[KMODS_RULE_BAD_CALL] = "bad call",
};

/*
 * Copy @s to @dst escaped as the collector escapes modules.log: "\\" for
 * a backslash, "\xNN" for a control byte or DEL, so that a file name can
 * never start a line of its own in the kernel log. @dst holds 4 bytes for
 * each of @s's. Return: the byte after the copy's NUL.
 */
static char *kmods_log_escape(char *dst, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;

	for (; (c = *s); s++) {
		if (c == '\\') {
			*dst++ = '\\';
			*dst++ = '\\';
		} else if (c < 0x20 || c == 0x7f) {
			*dst++ = '\\';
			*dst++ = 'x';
			*dst++ = hex[c >> 4];
			*dst++ = hex[c & 15];
		} else {
			*dst++ = c;
		}
	}
	*dst++ = '\0';
	return dst;
}

/*
 * Where the lists and penguin's plugin part, with the entry that would
 * match (kmods_policy_check()), as "; hint: ..." clauses into @buf.
 * Names and file names here are valid module names: nothing to escape.
 */
static void kmods_hint_text(const struct kmods_attempt *at, char *buf,
			    size_t size)
{
	static const struct {
		u32 flag;
		const char *list;
		bool file;
	} hints[] = {
		{ KMODS_F_ALLOW_FILE, "allowlist", true },
		{ KMODS_F_ALLOW_MODULE, "allowlist", false },
		{ KMODS_F_DENY_FILE, "denylist", true },
		{ KMODS_F_DENY_MODULE, "denylist", false },
	};
	char file[MODULE_NAME_LEN];
	size_t pos = 0;
	unsigned int i;

	buf[0] = '\0';
	if (!(at->flags & KMODS_F_HINTS) ||
	    kmods_penguin_name(at->path, file, sizeof(file)))
		return;
	for (i = 0; i < ARRAY_SIZE(hints); i++) {
		if (!(at->flags & hints[i].flag))
			continue;
		if (hints[i].file)
			pos += scnprintf(buf + pos, size - pos,
					 "; hint: %s names the file %s, not the module %s: entry %s would match",
					 hints[i].list, file, at->name,
					 at->name);
		else
			pos += scnprintf(buf + pos, size - pos,
					 "; hint: %s names the module %s, not the file %s: penguin's plugin would need entry %s",
					 hints[i].list, at->name, file, file);
	}
}

static void kmods_attempt_log(struct kmods_attempt *at)
{
	char *path, *name, *comm, *hint;

	if (READ_ONCE(kmods_quiet))
		return;
	/* at->buf is free by now, and large enough for all three. */
	BUILD_BUG_ON(4 * (KMODS_PATH_LEN + KMODS_NAME_LEN + TASK_COMM_LEN) + 512 >
		     sizeof(at->buf));
	path = at->buf;
	name = kmods_log_escape(path, at->path[0] ? at->path : "-");
	comm = kmods_log_escape(name, at->name[0] ? at->name : "?");
	hint = kmods_log_escape(comm, at->comm);
	kmods_hint_text(at, hint, at->buf + sizeof(at->buf) - hint);
	pr_info("%s%s %s [%s] by %s[%d]: %s (%s%s), returned %ld%s\n",
		kmods_syscall_names[at->call->hook->sys],
		at->flags & KMODS_F_COMPAT ? " (32-bit)" : "",
		path, name, comm, task_tgid_nr(current),
		kmods_decision_names[at->decision], kmods_rule_names[at->rule],
		at->mode == KMODS_MODE_MONITOR ? ", monitor" : "", at->ret,
		hint);
}

static void kmods_set_path(struct kmods_attempt *at, const char *path)
{
	if (strscpy(at->path, path, sizeof(at->path)) < 0)
		at->flags |= KMODS_F_PATH_TRUNC;
}

static void kmods_read_params(struct kmods_attempt *at,
			      const char __user *uargs)
{
	long len = strncpy_from_user(at->params, uargs, sizeof(at->params));

	if (len < 0) {
		at->params[0] = '\0';
		at->flags |= KMODS_F_PARAMS_FAULT;
	} else if (len == sizeof(at->params)) {
		at->params[sizeof(at->params) - 1] = '\0';
		at->flags |= KMODS_F_PARAMS_TRUNC;
	}
}

struct kmods_user_image {
	const char __user *base;
};

static int kmods_read_user(void *ctx, u64 off, void *buf, size_t len)
{
	const struct kmods_user_image *ui = ctx;

	return copy_from_user(buf, ui->base + off, len) ? -EFAULT : 0;
}

static int kmods_read_kernel(void *ctx, u64 off, void *buf, size_t len)
{
	memcpy(buf, (const char *)ctx + off, len);
	return 0;
}

/*
 * A finit_module file. Its first bytes are read once (kmods_file_head())
 * for the ELF magic check and the parser's ELF header, so that a blocked
 * dummy.ko costs five kernel_read() calls in all: the head, the section
 * headers, the section names, .modinfo and this_module's name.
 */
struct kmods_file_image {
	struct file *file;
	size_t head_len;
	u8 head[64];
};

static int kmods_read_file(void *ctx, u64 off, void *buf, size_t len)
{
	struct kmods_file_image *fi = ctx;
	u64 t0 = kmods_prof_now();
	loff_t pos = off;
	ssize_t n;

	if (off < fi->head_len && len <= fi->head_len - off) {
		memcpy(buf, fi->head + off, len);
		return 0;
	}
	n = kernel_read(fi->file, buf, len, &pos);
	kmods_prof_add(KMODS_PROF_READ, t0);
	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

static void kmods_file_head(struct kmods_file_image *fi, u64 size)
{
	size_t len = min_t(u64, size, sizeof(fi->head));
	loff_t pos = 0;

	/* On a short read or an error the reads go to the file. */
	if (kernel_read(fi->file, fi->head, len, &pos) == len)
		fi->head_len = len;
}

/*
 * Would the kernel's loader refuse this image before parsing it? It wants
 * at least an ELF header (of the kernel's own class) that starts with the
 * ELF magic (init_module: copy_module_from_user(); both: the ELF checks
 * at the start of load_module()). Return: 0 if it has both, -ENOEXEC if
 * not, the read's error if the start cannot be read.
 */
static int kmods_image_start(const struct kmods_image *img)
{
	unsigned char ident[SELFMAG];
	int err;

	if (img->size < sizeof(struct elfhdr))
		return -ENOEXEC;
	err = img->read(img->ctx, 0, ident, sizeof(ident));
	if (err)
		return err;
	return memcmp(ident, ELFMAG, SELFMAG) ? -ENOEXEC : 0;
}

struct kmods_name_image {
	struct kmods_image img;
	struct kmods_attempt *at;
};

/*
 * .modinfo is read only for a name the policy lets load (or in monitor
 * mode, whose records say what enforcing would do): a name it refuses is
 * refused whatever .modinfo says, and a large module's .modinfo costs
 * more than all the rest of a refusal. The rule is kept, for
 * kmods_attempt_decide().
 */
static bool kmods_need_modinfo(const struct kmods_image *img,
			       const char *name)
{
	struct kmods_attempt *at =
		container_of(img, struct kmods_name_image, img)->at;
	enum kmods_rule rule;

	if (at->mode == KMODS_MODE_MONITOR)
		return true;
	rule = kmods_decide(name);
	if (kmods_rule_allows(rule))
		return true;
	at->name_rule = rule;
	return false;
}

/*
 * Read the name from the image, falling back to the file name. With
 * at->buf as its scratch the reader takes the section headers, their
 * names and .modinfo in one read each, rather than one per section and
 * name. at->buf is free by then: the path and command line were copied.
 */
static void kmods_name_image(struct kmods_attempt *at,
			     const struct kmods_image *img)
{
	u64 t0 = kmods_prof_now();
	struct kmods_name_image scratch = { .at = at };
	int err = -ENOEXEC;

	if (img) {
		scratch.img = *img;
		scratch.img.scratch = at->buf;
		scratch.img.scratch_size = sizeof(at->buf);
		scratch.img.need_modinfo = kmods_need_modinfo;
		err = kmods_image_name(&scratch.img, at->name,
				       sizeof(at->name), &at->name_src);
		kmods_prof_add(KMODS_PROF_NAME, t0);
	}
	if (!err)
		return;
	at->name[0] = '\0';
	if (err == -EBADMSG) {
		/* The image names itself, badly: the kernel would use it. */
		at->flags |= KMODS_F_BAD_NAME;
		return;
	}
	/*
	 * An ELF image the reader cannot parse (EI_VERSION zeroed, say) may
	 * still be one the kernel loads, under a name of its own: the file
	 * name must not speak for it. It has no name (blocked, no_name).
	 */
	if (err != -ENOENT && img && !kmods_image_start(img)) {
		at->flags |= err == -ENOEXEC ? KMODS_F_NOT_ELF :
					       KMODS_F_IMAGE_FAULT;
		return;
	}
	if (err == -ENOEXEC)
		at->flags |= KMODS_F_NOT_ELF;
	else if (err != -ENOENT)
		at->flags |= KMODS_F_IMAGE_FAULT;
	if (at->path[0] &&
	    !kmods_name_from_path(at->path, at->name, sizeof(at->name)))
		at->name_src = KMODS_NAME_PATH;
	else
		at->name[0] = '\0';
}

static void kmods_inspect_finit(struct kmods_attempt *at)
{
	struct kmods_file_image fi = {};
	/* The kernel reads the file again itself: see kmods_image.name_only. */
	struct kmods_image img = { .read = kmods_read_file, .ctx = &fi,
				   .name_only = true };
	struct file *file;
	char *path;

	at->load_flags = at->call->arg[2];
	/*
	 * The kernel's order (6.1, 6.12; 4.10 alike): unknown flags, then
	 * the fd (kernel_read_file_from_fd()), then the file
	 * (kernel_read_file(): a regular file, deny_write_access(), a size
	 * of 1 to INT_MAX bytes), then the image (load_module()).
	 * A write-only fd is refused: with EBADF by 6.1 and 6.12, with
	 * ETXTBSY by 4.10's deny_write_access() (the fd is a writer).
	 * Compressed files are decompressed first; what they hold is not
	 * looked at here (the kernel's name is checked at COMING).
	 */
	if ((at->load_flags & ~KMODS_FINIT_FLAGS) ||
	    ((at->load_flags & MODULE_INIT_COMPRESSED_FILE) &&
	     !KMODS_HAVE_DECOMPRESS))
		at->bad_call = true;
	file = fget((int)at->call->arg[0]);
	if (!file) {
		at->bad_call = true;
		kmods_name_image(at, NULL);
		return;
	}
	path = d_path(&file->f_path, at->buf, sizeof(at->buf));
	if (!IS_ERR(path))
		kmods_set_path(at, path);
	at->image_size = i_size_read(file_inode(file));
	fi.file = file;
	img.size = at->image_size;
	/* Read only what the kernel would read: a readable regular file. */
	if (!S_ISREG(file_inode(file)->i_mode) ||
	    !(file->f_mode & FMODE_READ)) {
		at->bad_call = true;
		at->flags |= KMODS_F_IMAGE_FAULT;
		kmods_name_image(at, NULL);
	} else if (atomic_read(&file_inode(file)->i_writecount) > 0 ||
		   at->image_size <= 0 || at->image_size > INT_MAX) {
		/* Open for writing (ETXTBSY), empty or too large (EINVAL). */
		at->bad_call = true;
		kmods_name_image(at, NULL);
	} else if (at->load_flags & MODULE_INIT_COMPRESSED_FILE ||
		   at->decision == KMODS_DECISION_KERNEL) {
		/*
		 * Compressed: the kernel's name is checked at COMING. A caller
		 * the kernel refuses: the file name is enough for the record.
		 */
		kmods_name_image(at, NULL);
	} else {
		kmods_file_head(&fi, img.size);
		if (kmods_image_start(&img) == -ENOEXEC)
			at->bad_call = true;
		kmods_name_image(at, &img);
	}
	fput(file);
}

struct kmods_fd_scan {
	char *tmp;
	char *found;
	size_t size;
};

static int kmods_fd_match(const void *ctx, struct file *file, unsigned int fd)
{
	const struct kmods_fd_scan *scan = ctx;
	char *path = d_path(&file->f_path, scan->tmp, scan->size);

	if (!IS_ERR(path) && kmods_path_is_module(path))
		strscpy(scan->found, path, scan->size);
	return 0;
}

/*
 * init_module gets no path. Like penguin's plugin, use the last argument
 * of the caller's command line that names a module file, or else an open
 * module file of the caller.
 */
static void kmods_init_path(struct kmods_attempt *at)
{
	struct mm_struct *mm = current->mm;
	const char *arg;
	size_t len;

	if (!mm)
		return;
	len = min_t(unsigned long, READ_ONCE(mm->arg_end) - READ_ONCE(mm->arg_start),
		    sizeof(at->buf));
	if (!copy_from_user(at->buf, (const char __user *)mm->arg_start, len)) {
		arg = kmods_cmdline_module(at->buf, len);
		if (arg) {
			kmods_set_path(at, arg);
			return;
		}
	}
	/* Not for a caller the kernel refuses anyway: it walks every file. */
	if (current->files && at->decision != KMODS_DECISION_KERNEL) {
		struct kmods_fd_scan scan = {
			.tmp = at->buf, .found = at->buf + PATH_MAX,
			.size = PATH_MAX,
		};

		BUILD_BUG_ON(sizeof(at->buf) < 2 * PATH_MAX);
		scan.found[0] = '\0';
		iterate_fd(current->files, 0, kmods_fd_match, &scan);
		if (scan.found[0])
			kmods_set_path(at, scan.found);
	}
}

/*
 * Could the kernel copy @len bytes from @base? One byte of each page is
 * read, not the image: the pages are readable as a whole or not at all.
 * Return: 0, or -EFAULT (what copy_module_from_user() answers).
 */
static int kmods_user_readable(const char __user *base, size_t len)
{
	unsigned long addr = (unsigned long)base;
	unsigned long last = addr + len - 1;
	char c;

	if (!len)
		return 0;
	if (last < addr)
		return -EFAULT;
	for (;;) {
		if (get_user(c, (const char __user *)addr))
			return -EFAULT;
		if ((addr | (PAGE_SIZE - 1)) >= last)
			return 0;
		addr = (addr | (PAGE_SIZE - 1)) + 1;
		cond_resched();
	}
}

/*
 * The caller's buffer is read in place, a range at a time, for the name
 * alone: it may change at any time, and the kernel copies it again
 * itself. What the kernel loads is its own copy, which is checked whole
 * before the kernel's loader parses it (kmods_copy_pre_handler()).
 */
static void kmods_inspect_init(struct kmods_attempt *at)
{
	struct kmods_user_image ui = {
		.base = (const char __user *)at->call->arg[0],
	};
	struct kmods_image img = {
		.read = kmods_read_user,
		.ctx = &ui,
		.size = at->call->arg[1],
		.name_only = true,
	};

	kmods_prof_mem(sizeof(*at));
	at->image_size = img.size;
	kmods_init_path(at);
	if (at->decision == KMODS_DECISION_KERNEL) {
		/* The kernel refuses the caller: no parse. */
		kmods_name_image(at, NULL);
		return;
	}
	/*
	 * The kernel refuses an image shorter than an ELF header, one it
	 * cannot copy whole (EFAULT) and one without the ELF magic before it
	 * parses anything: copy_module_from_user(), then the ELF checks at
	 * the start of load_module().
	 */
	if (kmods_image_start(&img) || kmods_user_readable(ui.base, img.size))
		at->bad_call = true;
	kmods_name_image(at, &img);
}

/*
 * A call that the kernel refuses before it loads anything is not a module
 * load, and gets the kernel's own answer in every mode: the policy and
 * its faked success are for modules. kmods_inspect_finit() and
 * kmods_inspect_init() find the refusals that come before the image is
 * parsed; here are the parameters, which load_module() copies late
 * (strndup_user(), after the module is laid out and named, before
 * MODULE_STATE_COMING, in 4.10, 6.1 and 6.12 alike). Those are judged only
 * for images read and named here: an image with the ELF magic that
 * cannot be read stays the policy's (blocked), never the kernel's parser's.
 *
 * The check is replicated only to tell such calls apart; the answer is
 * the kernel's, from the kernel's own code with the caller's arguments, so
 * that its errno, its order of checks and the LSM hooks in between stay
 * exactly the stock kernel's on every version. The call is made with a
 * parameter pointer no caller can map (KMODS_NO_USER_ADDR): should another
 * thread make it loadable after the check (dup2() a module onto the fd,
 * close the writer, map the image), the kernel still fails it in
 * strndup_user(), before the module can run. So nothing that reaches the
 * kernel this way can load a module, on any kernel, with or without the
 * notifier's veto; the caller then gets EFAULT.
 */
static bool kmods_bad_call(struct kmods_attempt *at, struct kmods_call *call)
{
	const unsigned int uargs = at->call->hook->sys ==
				   KMODS_SYS_FINIT_MODULE ? 1 : 2;

	if (!at->bad_call &&
	    (at->name_src == KMODS_NAME_MODINFO ||
	     at->name_src == KMODS_NAME_THIS_MODULE) &&
	    !(at->flags & KMODS_F_BAD_NAME) &&
	    !strnlen_user((const char __user *)call->arg[uargs], ~0UL >> 1))
		at->bad_call = true;
	if (!at->bad_call)
		return false;
	call->arg[uargs] = KMODS_NO_USER_ADDR;
	return true;
}

/*
 * Callers without CAP_SYS_MODULE, whom the kernel refuses anyway, cost no
 * image copy, ELF parse or file walk (their records name the file only),
 * and only so many of them a second get records at all: a loop of them
 * must not flood the stream or the allocator.
 */
static struct ratelimit_state kmods_unprivileged_rs =
	RATELIMIT_STATE_INIT_FLAGS(kmods_unprivileged_rs, 5 * HZ, 50,
				   RATELIMIT_MSG_ON_RELEASE);

/*
 * The rule for the attempt's name, and where the lists would have
 * matched its file name otherwise, as penguin's plugin matches (hint
 * flags; the path must be whole for that).
 */
static enum kmods_rule kmods_attempt_decide(struct kmods_attempt *at)
{
	char file[MODULE_NAME_LEN];
	enum kmods_rule rule;
	u32 hints = 0;

	if (!at->path[0] || (at->flags & KMODS_F_PATH_TRUNC) ||
	    kmods_penguin_name(at->path, file, sizeof(file)))
		file[0] = '\0';
	rule = kmods_decide_hints(at->name, file, &hints);
	/*
	 * A name whose .modinfo was not read stays refused, by the rule that
	 * refused it then, should the lists have changed since.
	 */
	if (at->name_rule && kmods_rule_allows(rule))
		rule = at->name_rule;
	at->flags |= hints;
	return rule;
}

/* Refuse @at: its caller gets the faked success, or block_errno. */
static void kmods_block(struct kmods_attempt *at)
{
	unsigned int block_errno = READ_ONCE(kmods_block_errno);

	at->decision = KMODS_DECISION_BLOCK;
	atomic64_inc(&kmods_stats.blocked);
	if (block_errno) {
		at->flags |= KMODS_F_ERRNO;
		at->ret = -(long)block_errno;
	} else {
		at->ret = 0;
		if (at->name[0])
			kmods_faked_add(at->name);
	}
}

/*
 * The kernel has answered @ret to an attempt handed to it. Its copy of an
 * init_module image may have been refused (kmods_copy_pre_handler()):
 * the record then has no name, as for an image that cannot be parsed, and
 * an allowed attempt is blocked, its caller answered as for any blocked
 * load. At MODULE_STATE_COMING the kernel may have named the module
 * otherwise than the image read here did (a rewritten or compressed
 * finit_module file): the record gives the kernel's name, and a refusal
 * there is the kernel's answer.
 */
static void kmods_loaded(struct kmods_attempt *at, long ret)
{
	const struct kmods_loading *in = &at->loading;

	at->ret = ret;
	at->kernel_ret = ret;
	if (in->renamed) {
		strscpy(at->name, in->kernel_name, sizeof(at->name));
		at->name_src = at->name[0] ? KMODS_NAME_KERNEL :
					     KMODS_NAME_NONE;
		if (!at->name[0])
			at->flags |= KMODS_F_NOT_ELF;
		/* The rule and the hints are the copy's name's. */
		at->name_rule = 0;
		at->flags &= ~KMODS_F_HINTS;
		if (at->decision == KMODS_DECISION_ALLOW)
			at->rule = kmods_attempt_decide(at);
	}
	if (in->copy_refused) {
		at->flags |= KMODS_F_VETOED;
		if (at->decision == KMODS_DECISION_ALLOW)
			kmods_block(at);
	} else if (in->vetoed) {
		at->flags |= KMODS_F_VETOED;
		at->name_src = KMODS_NAME_KERNEL;
		at->rule = kmods_decide(in->kernel_name);
		strscpy(at->name, in->kernel_name, sizeof(at->name));
	}
}

static long kmods_load(const struct kmods_call *orig_call)
{
	const bool finit = orig_call->hook->sys == KMODS_SYS_FINIT_MODULE;
	struct kmods_call call = *orig_call;
	struct kmods_attempt *at;
	bool unprivileged, allowed;
	long ret;
	u64 seq, t0, t;

	/* The kernel refuses an unprivileged caller; its error is the answer. */
	unprivileged = !ns_capable_noaudit(&init_user_ns, CAP_SYS_MODULE);
	if (unprivileged && !__ratelimit(&kmods_unprivileged_rs)) {
		/* Counted; its attempt and result records count as dropped. */
		atomic64_inc(&kmods_stats.attempts);
		atomic64_add(2, &kmods_stats.dropped);
		return kmods_call_original(&call);
	}
	t0 = kmods_prof_now();
	kmods_prof_add(KMODS_PROF_CLOCK, kmods_prof_now());
	t = kmods_prof_now();
	at = kmods_attempt_new(&call);
	if (!at)
		return -ENOMEM;
	kmods_prof_add(KMODS_PROF_ALLOC, t);
	if (unprivileged)
		at->decision = KMODS_DECISION_KERNEL;
	t = kmods_prof_now();
	if (finit)
		kmods_inspect_finit(at);
	else
		kmods_inspect_init(at);
	kmods_prof_add(KMODS_PROF_INSPECT, t);
	t = kmods_prof_now();
	kmods_read_params(at, (const char __user *)call.arg[finit ? 1 : 2]);
	kmods_prof_add(KMODS_PROF_PARAMS, t);

	t = kmods_prof_now();
	at->rule = kmods_attempt_decide(at);
	if (at->decision == KMODS_DECISION_KERNEL) {
		at->rule = KMODS_RULE_UNPRIVILEGED;
	} else if (kmods_bad_call(at, &call)) {
		at->decision = KMODS_DECISION_KERNEL;
		at->rule = KMODS_RULE_BAD_CALL;
	} else if (at->mode == KMODS_MODE_MONITOR ||
		   kmods_rule_allows(at->rule)) {
		at->decision = KMODS_DECISION_ALLOW;
	} else {
		at->decision = KMODS_DECISION_BLOCK;
	}
	if (at->decision == KMODS_DECISION_KERNEL)
		at->flags &= ~KMODS_F_HINTS;
	atomic64_inc(&kmods_stats.attempts);
	kmods_prof_add(KMODS_PROF_DECIDE, t);

	if (at->decision == KMODS_DECISION_BLOCK) {
		kmods_block(at);
		t = kmods_prof_now();
		kmods_attempt_emit(at, KMODS_REC_ATTEMPT, KMODS_SEQ_NONE);
		kmods_attempt_log(at);
		kmods_prof_add(KMODS_PROF_RECORD, t);
		ret = at->ret;
		t = kmods_prof_now();
		kmods_attempt_free(at);
		kmods_prof_add(KMODS_PROF_FREE, t);
		kmods_prof_add(KMODS_PROF_LOAD, t0);
		return ret;
	}

	seq = kmods_attempt_emit(at, KMODS_REC_ATTEMPT, KMODS_SEQ_NONE);

	at->loading.slot = kmods_inflight_add(at);
	t = kmods_prof_now();
	ret = kmods_call_original(&call);
	kmods_prof_add(KMODS_PROF_KERNEL, t);
	kmods_inflight_del(at->loading.slot);

	kmods_loaded(at, ret);
	ret = at->ret;
	allowed = at->decision == KMODS_DECISION_ALLOW;
	if (allowed)
		atomic64_inc(&kmods_stats.allowed);
	t = kmods_prof_now();
	kmods_attempt_emit(at, KMODS_REC_RESULT, seq);
	kmods_attempt_log(at);
	kmods_attempt_free(at);
	kmods_prof_add(KMODS_PROF_RESULT, t);
	if (allowed)
		kmods_prof_add(KMODS_PROF_ALLOWED, t0);
	return ret;
}

/* ---- delete_module ---- */

static const char __user *kmods_unload_name_arg(const struct kmods_hook *hook,
						const struct pt_regs *regs)
{
#ifdef KMODS_PTREGS_SYSCALLS
	unsigned long a[3];

	kmods_sc_args((const void *)kmods_entry_arg0(regs), hook->compat, a);
	return (const char __user *)a[0];
#else
	return (const char __user *)kmods_entry_arg0(regs);
#endif
}

/*
 * strncpy_from_user_nofault() is not exported: copy the page the string
 * starts in, then the next one only if the string goes on.
 */
static long kmods_strncpy_nofault(char *dst, const char __user *src,
				  size_t size)
{
	size_t first = min_t(size_t, size,
			     PAGE_SIZE - offset_in_page((unsigned long)src));
	const char *nul;

	if (copy_from_user_nofault(dst, src, first))
		return -EFAULT;
	if (!memchr(dst, '\0', first) && first < size &&
	    copy_from_user_nofault(dst + first, src + first, size - first))
		return -EFAULT;
	nul = memchr(dst, '\0', size);
	return nul ? nul - dst : size;
}

/*
 * Called from the probe, which may be an int3 handler (NMI-like: no
 * locks here): should this delete_module call come here? Every call but
 * one for igloo_kmods itself does, since its module might be one whose
 * load was faked (kmods_unload() looks, and passes the others on). An
 * rmmod of igloo_kmods comes here only once the policy is locked (then it
 * is refused): otherwise it goes straight to the kernel, which must never
 * unload igloo_kmods under a call running in it.
 */
static bool kmods_unload_is_ours(const struct kmods_hook *hook,
				 struct pt_regs *regs)
{
	char name[MODULE_NAME_LEN];
	long len;

	/*
	 * Locked, every call comes here, to have its name read once and
	 * decided on: a name that cannot be read without faulting now (a
	 * page not yet touched) may well be igloo_kmods' by the time the
	 * kernel faults it in.
	 */
	if (READ_ONCE(kmods_locked))
		return true;
	len = kmods_strncpy_nofault(name, kmods_unload_name_arg(hook, regs),
				    sizeof(name));
	if (len <= 0 || len >= sizeof(name))
		return false;
	return !kmods_name_eq(name, KBUILD_MODNAME);
}

/*
 * Memory that kmods_user_map() maps into a caller: vmalloc's whole
 * pages, the tail of the last one zeroed, since the caller can read it.
 */
static void *kmods_pages_alloc(size_t size)
{
	/* The whole pages, so that FORTIFY_SOURCE sees the tail is ours. */
	void *buf = kmods_vmalloc(PAGE_ALIGN(size), GFP_KERNEL | __GFP_NOWARN);

	if (buf)
		memset(buf + size, 0, PAGE_ALIGN(size) - size);
	return buf;
}

/*
 * A read-only view of kmods_pages_alloc() memory: its pages are mapped,
 * so what the caller reads there is what igloo_kmods read. The file is
 * opened read-only and mapped shared, so the mapping never has VM_WRITE
 * or VM_MAYWRITE: mprotect(PROT_WRITE) fails (EACCES), and so do ptrace
 * and /proc/PID/mem writes (FOLL_FORCE writes only copy-on-write
 * mappings). It is not inherited by fork() and cannot be grown.
 */
static int kmods_image_mmap(struct file *file, struct vm_area_struct *vma)
{
	char *buf = file->private_data;
	unsigned long off, len = vma->vm_end - vma->vm_start;
	int err;

	if (vma->vm_pgoff || (vma->vm_flags & (VM_WRITE | VM_MAYWRITE)))
		return -EACCES;
	kmods_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	for (off = 0; off < len; off += PAGE_SIZE) {
		err = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page(buf + off));
		if (err)
			return err;
	}
	return 0;
}

static const struct file_operations kmods_image_fops = {
	.owner = THIS_MODULE,
	.mmap = kmods_image_mmap,
};

/*
 * Map @len bytes of @buf (from kmods_pages_alloc(), kept until the
 * mapping is gone) read-only into the caller, where it cannot be written
 * (kmods_image_mmap()). Another thread of the caller can still unmap it
 * and map something else at the same address before the kernel reads it;
 * Documentation/threat-model.rst says what holds then.
 * Return: the mapping's address, or an errno as IS_ERR_VALUE().
 */
static unsigned long kmods_user_map(void *buf, size_t len)
{
	struct file *file;
	unsigned long addr;

	if (!current->mm)
		return (unsigned long)-EFAULT;
	file = anon_inode_getfile("[igloo_kmods]", &kmods_image_fops, buf,
				  O_RDONLY);
	if (IS_ERR(file))
		return (unsigned long)PTR_ERR(file);
	addr = vm_mmap(file, 0, len, PROT_READ, MAP_SHARED, 0);
	fput(file);
	return addr;
}

/*
 * Pass a delete_module call on to the kernel with the name read here
 * (@name), never the caller's memory again, and without O_TRUNC. A forced
 * unload ignores module references: the one this call holds while it runs
 * in igloo_kmods and the one the lock takes. Without O_TRUNC, even a name
 * that became igloo_kmods' (see kmods_user_map() for what a caller can
 * still do) only gets -EWOULDBLOCK. Return: the kernel's result.
 */
static long kmods_unload_pass(struct kmods_call *call, const char *name)
{
	size_t len = strlen(name) + 1;
	unsigned long addr;
	char *copy;
	long ret;

	copy = kmods_pages_alloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, name, len);
	addr = kmods_user_map(copy, len);
	if (IS_ERR_VALUE(addr)) {
		vfree(copy);
		return (long)addr;
	}
	call->arg[0] = addr;
	call->arg[1] &= ~(unsigned long)O_TRUNC;
	ret = kmods_call_original(call);
	vm_munmap(addr, len);
	vfree(copy);
	return ret;
}

static long kmods_unload(const struct kmods_call *orig_call)
{
	struct kmods_call call = *orig_call;
	struct kmods_attempt *at;
	bool named, faked, locked_out;
	long len, ret;

	at = kmods_attempt_new(&call);
	if (!at)
		return -ENOMEM;
	/* Read once: the kernel gets this copy (kmods_unload_pass()). */
	len = strncpy_from_user(at->name, (const char __user *)call.arg[0],
				MODULE_NAME_LEN);
	named = len > 0 && len < MODULE_NAME_LEN;
	if (!named)
		at->name[0] = '\0';
	at->load_flags = call.arg[1];
	at->name_src = KMODS_NAME_ARG;
	at->decision = KMODS_DECISION_BLOCK;
	/*
	 * The lock is one-way: it still holds. A name that cannot be read
	 * is taken for igloo_kmods' (fail closed).
	 */
	locked_out = READ_ONCE(kmods_locked) &&
		     (!named || kmods_name_eq(at->name, KBUILD_MODNAME));
	if (!named && !locked_out) {
		/* Not locked: the kernel gives its own error for the name. */
		kmods_attempt_free(at);
		return kmods_call_original(&call);
	}
	if (locked_out) {
		at->rule = KMODS_RULE_LOCKED;
		at->ret = -EPERM;
		pr_err("policy is locked: refused to unload %s\n",
		       named ? KBUILD_MODNAME : "a module whose name cannot be read");
	} else {
		faked = ns_capable_noaudit(&init_user_ns, CAP_SYS_MODULE) &&
			kmods_faked_find(at->name, false);
		/*
		 * Even a name whose load was faked goes to the kernel first: a
		 * module of that name may really be loaded (loaded before, or
		 * the blocked load was of a loaded name), and then this is its
		 * rmmod. Only "no such module" means the faked one.
		 */
		ret = kmods_unload_pass(&call, at->name);
		if (!faked || ret != -ENOENT) {
			if (faked && !ret)
				kmods_faked_find(at->name, true);
			kmods_attempt_free(at);
			return ret;
		}
		kmods_faked_find(at->name, true);
		at->rule = KMODS_RULE_FAKED;
		at->ret = 0;
	}
	kmods_attempt_emit(at, KMODS_REC_UNLOAD, KMODS_SEQ_NONE);
	kmods_attempt_log(at);
	ret = at->ret;
	kmods_attempt_free(at);
	return ret;
}

/* ---- Probes ---- */

static long kmods_dispatch(const struct kmods_hook *hook,
			   const struct pt_regs *regs, unsigned long a0,
			   unsigned long a1, unsigned long a2)
{
	struct kmods_call call = { .hook = hook };
	long ret;

#ifdef KMODS_PTREGS_SYSCALLS
	call.regs = regs;
	kmods_sc_args(regs, hook->compat, call.arg);
#else
	call.arg[0] = a0;
	call.arg[1] = a1;
	call.arg[2] = a2;
#endif

	/*
	 * Hold igloo_kmods while a call runs in it; the short windows before
	 * this and after module_put() are covered in kmods_exit().
	 */
	if (!try_module_get(THIS_MODULE))
		return -EAGAIN;
	if (hook->sys == KMODS_SYS_DELETE_MODULE)
		ret = kmods_unload(&call);
	else
		ret = kmods_load(&call);
	module_put(THIS_MODULE);
	return ret;
}

#ifdef KMODS_PTREGS_SYSCALLS
#define KMODS_DEFINE_ENTRY(id)						\
static long kmods_entry_##id(const struct pt_regs *regs)		\
{									\
	return kmods_dispatch(&kmods_hooks[id], regs, 0, 0, 0);		\
}
#else
#define KMODS_DEFINE_ENTRY(id)						\
static long kmods_entry_##id(unsigned long a0, unsigned long a1,	\
			     unsigned long a2)				\
{									\
	return kmods_dispatch(&kmods_hooks[id], NULL, a0, a1, a2);	\
}
#endif

KMODS_DEFINE_ENTRY(KMODS_HOOK_INIT)
KMODS_DEFINE_ENTRY(KMODS_HOOK_FINIT)
KMODS_DEFINE_ENTRY(KMODS_HOOK_DELETE)
#if KMODS_HAVE_COMPAT_HOOKS
KMODS_DEFINE_ENTRY(KMODS_HOOK_INIT_COMPAT)
KMODS_DEFINE_ENTRY(KMODS_HOOK_FINIT_COMPAT)
KMODS_DEFINE_ENTRY(KMODS_HOOK_DELETE_COMPAT)
#endif

#define KMODS_HOOK(id, prefix, call, nr, is_compat, native_id, req)	\
	[id] = {							\
		.symbols = { prefix #call, NULL },			\
		.sys = nr,						\
		.compat = is_compat,					\
		.native = native_id,					\
		.entry = kmods_entry_##id,				\
		.required = req,					\
	}

static struct kmods_hook kmods_hooks[KMODS_NR_HOOKS] = {
	KMODS_HOOK(KMODS_HOOK_INIT, KMODS_SYS_PREFIX, init_module,
		   KMODS_SYS_INIT_MODULE, false, KMODS_HOOK_INIT, true),
	KMODS_HOOK(KMODS_HOOK_FINIT, KMODS_SYS_PREFIX, finit_module,
		   KMODS_SYS_FINIT_MODULE, false, KMODS_HOOK_FINIT, true),
	KMODS_HOOK(KMODS_HOOK_DELETE, KMODS_SYS_PREFIX, delete_module,
		   KMODS_SYS_DELETE_MODULE, false, KMODS_HOOK_DELETE, false),
#if KMODS_HAVE_COMPAT_HOOKS
	KMODS_HOOK(KMODS_HOOK_INIT_COMPAT, KMODS_COMPAT_SYS_PREFIX, init_module,
		   KMODS_SYS_INIT_MODULE, true, KMODS_HOOK_INIT, true),
	KMODS_HOOK(KMODS_HOOK_FINIT_COMPAT, KMODS_COMPAT_SYS_PREFIX,
		   finit_module, KMODS_SYS_FINIT_MODULE, true,
		   KMODS_HOOK_FINIT, true),
	KMODS_HOOK(KMODS_HOOK_DELETE_COMPAT, KMODS_COMPAT_SYS_PREFIX,
		   delete_module, KMODS_SYS_DELETE_MODULE, true,
		   KMODS_HOOK_DELETE, false),
#endif
};

/* Set by the probe when a call from this module passes it. */
static bool kmods_probe_fired;

static int kmods_pre_handler(struct kprobe *kp, struct pt_regs *regs)
{
	struct kmods_hook *hook = container_of(kp, struct kmods_hook, kp);

	/* kmods_call_original() calling the kernel's own entry: let it run. */
	if (within_module(kmods_entry_return_address(regs), THIS_MODULE)) {
		WRITE_ONCE(kmods_probe_fired, true);
		return kmods_let_through(kp, regs);
	}
	if (hook->sys == KMODS_SYS_DELETE_MODULE &&
	    !kmods_unload_is_ours(hook, regs))
		return kmods_let_through(kp, regs);
	kmods_redirect(regs, (unsigned long)hook->entry);
	return kmods_kprobe_skip();
}

/*
 * Never called (the pre-handler skips the original or lets it run), but
 * its presence makes an ftrace-based kprobe register as modifying the
 * instruction pointer, so a second redirector on the same function is
 * refused with -EBUSY instead of bouncing calls into this one.
 */
static void kmods_post_handler(struct kprobe *kp, struct pt_regs *regs,
			       unsigned long flags)
{
}

/* The start of the function containing @addr ("sym+0x4/0x60"). */
static int kmods_function_start(unsigned long addr, unsigned long *start)
{
	char sym[KSYM_SYMBOL_LEN], *plus, *slash;
	unsigned long off;
	int err;

	sprint_symbol(sym, addr);
	plus = strrchr(sym, '+');
	slash = plus ? strchr(plus, '/') : NULL;
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	err = kstrtoul(plus + 1, 0, &off);
	if (err)
		return err;
	if (off > 16)	/* a probe on a function start, maybe past ENDBR */
		return -EINVAL;
	*start = addr - off;
	return 0;
}

/*
 * register_kprobe(), but never on ftrace: a probe that ftrace carries
 * keeps an ftrace_ops armed, and while one is, every module load pays
 * for it in ftrace_module_enable(), which matches each new function
 * against the armed ops (some 7,000 to 11,000 guest instructions per
 * load of dummy.ko on Debian's 6.1 with one tracefs kprobe armed on an
 * unrelated function, tests/bench.sh under -icount; an allowed load of
 * dummy.ko costs igloo_kmods about 25,000 of its own). Where ftrace would
 * carry it, the probe goes past the __fentry__ call, an instruction that
 * changes no register or stack slot, so the probe sees the same entry
 * state: there it is an int3 (or a jump) that ftrace knows nothing of.
 */
static int kmods_register_kprobe(struct kprobe *kp)
{
	struct kprobe again = {
		.pre_handler = kp->pre_handler,
		.post_handler = kp->post_handler,
		.flags = kp->flags & KPROBE_FLAG_DISABLED,
	};
	int err = register_kprobe(kp);

	if (err || !KMODS_FTRACE_SITE_SIZE ||
	    !(kp->flags & KPROBE_FLAG_FTRACE))
		return err;
	again.addr = (kprobe_opcode_t *)((unsigned long)kp->addr +
					 KMODS_FTRACE_SITE_SIZE);
	unregister_kprobe(kp);
	*kp = again;
	return register_kprobe(kp);
}

static int kmods_hook_place(struct kmods_hook *hook)
{
	unsigned long start;
	int err = -ENOENT;
	int i;

	for (i = 0; hook->symbols[i]; i++) {
		memset(&hook->kp, 0, sizeof(hook->kp));
		hook->kp.symbol_name = hook->symbols[i];
		hook->kp.pre_handler = kmods_pre_handler;
		hook->kp.post_handler = kmods_post_handler;
		hook->kp.flags = KPROBE_FLAG_DISABLED;
		err = kmods_register_kprobe(&hook->kp);
		hook->name = hook->symbols[i];
		if (!err)
			break;
	}
	if (err) {
		pr_warn("cannot probe %s: %d\n", hook->symbols[0], err);
		return err;
	}
	/*
	 * With IBT, kp.addr is past the function's ENDBR64; the original is
	 * called at the function's start so that the indirect call lands
	 * on the ENDBR.
	 */
	err = kmods_function_start((unsigned long)hook->kp.addr, &start);
	if (err) {
		pr_warn("cannot find the start of %s: %d\n",
			hook->name, err);
		unregister_kprobe(&hook->kp);
		return err;
	}
	hook->orig = (kmods_syscall_fn)kmods_code_address(start);
	if (!kmods_can_let_through(&hook->kp))
		pr_notice("%s: calls that go on are single-stepped\n",
			  hook->name);
	return 0;
}

static void kmods_hooks_remove(int n)
{
	while (n--) {
		if (kmods_hooks[n].orig)
			unregister_kprobe(&kmods_hooks[n].kp);
		kmods_hooks[n].orig = NULL;
	}
}

/*
 * Does a call to @hook's function reach its probe? finit_module(-1, NULL,
 * 0) is refused by the kernel (EBADF, or EPERM) before it does anything.
 */
static bool kmods_hook_fires(struct kmods_hook *hook)
{
	struct kmods_call call = { .hook = hook, .arg = { -1UL, 0, 0 } };
#ifdef KMODS_PTREGS_SYSCALLS
	struct pt_regs regs = {};

	call.regs = &regs;
#endif
	WRITE_ONCE(kmods_probe_fired, false);
	kmods_call_original(&call);
	return READ_ONCE(kmods_probe_fired);
}

static int kmods_hooks_install(void)
{
	struct kmods_hook *hook;
	int i, err;

	for (i = 0; i < KMODS_NR_HOOKS; i++) {
		hook = &kmods_hooks[i];
		if (hook->compat && !kmods_hooks[hook->native].orig)
			continue;	/* nothing to forward to */
		err = kmods_hook_place(hook);
		if (err && hook->required) {
			kmods_hooks_remove(i);
			return err;
		}
	}
	for (i = 0; i < KMODS_NR_HOOKS; i++) {
		hook = &kmods_hooks[i];
		if (!hook->orig)
			continue;
		err = enable_kprobe(&hook->kp);
		if (err) {
			/* Another user of the function, say: nothing enforced. */
			pr_err("cannot arm the probe on %s: %d\n",
			       hook->name, err);
			goto err_remove;
		}
	}
	/*
	 * enable_kprobe() succeeds without arming anything while kprobes are
	 * disarmed as a whole (debugfs kprobes/enabled = 0): check that a
	 * call does reach the probe.
	 */
	if (!kmods_hook_fires(&kmods_hooks[KMODS_HOOK_FINIT])) {
		pr_err("the probe on %s does not fire (kprobes disabled?): nothing would be enforced\n",
		       kmods_hooks[KMODS_HOOK_FINIT].name);
		err = -ENODEV;
		goto err_remove;
	}
	return 0;

err_remove:
	kmods_hooks_remove(KMODS_NR_HOOKS);
	return err;
}

/* ---- The kernel's own name, checked where the kernel loads it ---- */

static int kmods_module_notify(struct notifier_block *nb, unsigned long state,
			       void *data)
{
	struct module *mod = data;
	struct kmods_attempt *at;
	struct kmods_loading *in;
	bool refuse;

	if (state == MODULE_STATE_LIVE) {
		/* Loaded for real: an rmmod of it is the kernel's again. */
		kmods_faked_find(mod->name, true);
		return NOTIFY_DONE;
	}
	if (state == MODULE_STATE_GOING) {
		kmods_coming_veto_end(mod);
		return NOTIFY_DONE;
	}
	if (state != MODULE_STATE_COMING)
		return NOTIFY_DONE;
	refuse = READ_ONCE(kmods_mode) != KMODS_MODE_MONITOR &&
		 !kmods_rule_allows(kmods_decide(mod->name));

	/*
	 * The record has the name the kernel gives the module: a
	 * finit_module file rewritten after igloo_kmods read it, or one it
	 * could not read (compressed), may name another module. If the
	 * policy refuses that name (the image changed after the check, or
	 * names itself twice), the module is refused here.
	 */
	at = kmods_loading_attempt();
	if (at) {
		in = &at->loading;
		if (strcmp(mod->name, at->name)) {
			in->renamed = true;
			strscpy(in->kernel_name, mod->name,
				sizeof(in->kernel_name));
		}
		if (refuse) {
			in->vetoed = true;
			strscpy(in->kernel_name, mod->name,
				sizeof(in->kernel_name));
		}
	}
	if (!refuse)
		return NOTIFY_DONE;
	atomic64_inc(&kmods_stats.vetoed);
	pr_err("refused %s when the kernel loaded it\n", mod->name);
	return kmods_coming_veto(mod);
}

static struct notifier_block kmods_module_nb = {
	.notifier_call = kmods_module_notify,
};

/* ---- The kernel's own copy, checked before its loader reads it ---- */

/*
 * load_module(info, uargs, flags) finds the kernel's copy of the image in
 * info->hdr and info->len. struct load_info is the kernel's own, and its
 * head changed: 4.10's starts with hdr and len, later kernels put mod,
 * then name too, before them. The pair is found among those heads by
 * what it must hold: a vmalloc address (the kernel's copy, or the image
 * it decompressed, always is one) and the length the caller gave.
 */
static unsigned long *kmods_copy_len(unsigned long *info, u64 len)
{
	int i;

	for (i = 0; i < 3; i++)
		if (info[i + 1] == len && is_vmalloc_addr((void *)info[i]))
			return &info[i + 1];
	return NULL;
}

/*
 * The kernel has copied an init_module image that igloo_kmods handed on,
 * and its loader is about to parse that copy: read it as the caller's
 * bytes were read, and with the symbol, string and relocation tables that
 * the loader trusts. A copy that cannot be parsed, or (for a load that
 * may go on) names another module than the buffer did or differs from
 * the buffer, is refused here: its length is set to 0, and the loader
 * fails it (ENOEXEC) before it reads a byte. kmods_loaded() says what the
 * caller gets. The copy is the kernel's, so what was checked is what
 * loads, with no copy of igloo_kmods' own. Monitor mode refuses nothing.
 */
static void kmods_copy_check(struct pt_regs *regs)
{
	unsigned long *info = (unsigned long *)kmods_entry_arg0(regs);
	struct kmods_attempt *at = kmods_loading_attempt();
	struct kmods_loading *in;
	struct kmods_image img = { .read = kmods_read_kernel };
	enum kmods_name_source src;
	unsigned long *len;
	u64 t0, t;
	int err;

	if (!at || at->call->hook->sys != KMODS_SYS_INIT_MODULE ||
	    at->mode == KMODS_MODE_MONITOR)
		return;
	t0 = kmods_prof_now();
	in = &at->loading;
	len = kmods_copy_len(info, at->image_size);
	if (!len) {
		pr_warn_once("cannot find the image in load_module()'s arguments: init_module images are checked by name only\n");
		return;
	}
	/* The kernel's own copy: read in place. */
	img.ctx = (void *)len[-1];
	img.base = img.ctx;
	img.size = *len;
	/* Without the magic, the loader refuses it before parsing it. */
	if (kmods_image_start(&img))
		return;
	err = kmods_image_name(&img, in->kernel_name, sizeof(in->kernel_name),
			       &src);
	/*
	 * A load that may go on must be of the image checked: a copy that
	 * names another module (the buffer was rewritten after igloo_kmods
	 * read it), or that differs from the buffer (torn by such writes
	 * while the kernel copied it), is no image the caller held when it
	 * was checked, as one that cannot be parsed. A bad call fails before
	 * the module can run: only its parse matters.
	 */
	if (!err && at->decision == KMODS_DECISION_ALLOW) {
		t = kmods_prof_now();
		if (strcmp(in->kernel_name, at->name) ||
		    kmods_copy_changed(img.base, (const char __user *)
				       at->call->arg[0], img.size,
				       (u8 *)at->buf, sizeof(at->buf)))
			err = -ENOEXEC;
		kmods_prof_add(KMODS_PROF_COMPARE, t);
	}
	if (err) {
		in->kernel_name[0] = '\0';
		in->renamed = true;
		*len = 0;
		in->copy_refused = true;
		atomic64_inc(&kmods_stats.vetoed);
	}
	kmods_prof_add(KMODS_PROF_CHECK, t0);
}

/*
 * The probe resumes past load_module()'s first instruction, emulated where
 * a single step is not safe (MIPS: see kmods_let_through()).
 */
static int kmods_copy_pre_handler(struct kprobe *kp, struct pt_regs *regs)
{
	kmods_copy_check(regs);
	return kmods_let_through(kp, regs);
}

static struct kprobe kmods_copy_kp = {
	.symbol_name = "load_module",
	.pre_handler = kmods_copy_pre_handler,
};

static bool kmods_copy_probed;

static void kmods_copy_probe_place(void)
{
	int err = kmods_register_kprobe(&kmods_copy_kp);

	if (err) {
		pr_warn("cannot probe load_module: %d; init_module images are checked by name only\n",
			err);
		return;
	}
	kmods_copy_probed = true;
	if (!kmods_can_let_through(&kmods_copy_kp))
		pr_notice("load_module: calls are single-stepped\n");
}

/* ---- Module init and exit ---- */

static int kmods_lists_init(void)
{
	struct kmods_list __rcu **slots[] = { &kmods_allow, &kmods_deny };
	struct kmods_list *l;
	int i;

	/* A list never given as a parameter starts empty. */
	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		if (rcu_access_pointer(*slots[i]))
			continue;
		l = kzalloc(sizeof(*l), GFP_KERNEL);
		if (!l)
			return -ENOMEM;
		rcu_assign_pointer(*slots[i], l);
	}
	return 0;
}

static int __init kmods_init(void)
{
	int err;

	kmods_newline_probe();
	err = kmods_lists_init();
	if (err)
		return err;
	err = kmods_kprobe_compat_init();
	if (err)
		return err;
	err = kmods_records_init(subbuf_size, n_subbufs);
	if (err) {
		pr_err("cannot create the record stream: %d\n", err);
		return err;
	}
	err = register_module_notifier(&kmods_module_nb);
	if (err)
		goto err_records;
	kmods_copy_probe_place();
	err = kmods_hooks_install();
	if (err)
		goto err_copy;
	if (READ_ONCE(kmods_locked))
		kmods_lock_hold();
	pr_info("%s mode, block_errno %u%s\n",
		kmods_mode_names[kmods_mode], kmods_block_errno,
		kmods_locked ? ", locked" : "");
	return 0;

err_copy:
	if (kmods_copy_probed)
		unregister_kprobe(&kmods_copy_kp);
	unregister_module_notifier(&kmods_module_nb);
err_records:
	kmods_records_exit();
	return err;
}

static void __exit kmods_exit(void)
{
	kmods_hooks_remove(KMODS_NR_HOOKS);
	if (kmods_copy_probed)
		unregister_kprobe(&kmods_copy_kp);
	/*
	 * A task may still be between a probe and the try_module_get() of
	 * its entry, or past the module_put(): neither window sleeps, so
	 * once every task has passed a voluntary context switch (or, without
	 * preemption, every CPU a quiescent state) none is left in our text.
	 */
#ifdef CONFIG_TASKS_RCU
	synchronize_rcu_tasks();
#else
	synchronize_rcu();
#endif
	unregister_module_notifier(&kmods_module_nb);
	kmods_records_exit();
	kmods_pool_exit();
	kmods_prof_print();
}

module_init(kmods_init);
module_exit(kmods_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("igloo_kmods developers");
MODULE_DESCRIPTION("In-guest kernel module policy and load log for penguin");
