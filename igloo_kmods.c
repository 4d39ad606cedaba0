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

#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
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
#include <uapi/linux/module.h>

#include "compat.h"
#include "internal.h"
#include "policy.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4
#endif

/* The largest init_module image copied for checking; larger ones are not. */
#define KMODS_IMAGE_MAX		SZ_256M

/* Modules whose load was faked, remembered so that rmmod of them works. */
#define KMODS_FAKED_MAX		256

struct kmods_stats kmods_stats;

/* ---- Policy, set through module parameters ---- */

struct kmods_list_rcu {
	struct rcu_head rcu;
	struct kmods_list list;
};

static struct kmods_list_rcu __rcu *kmods_allow;
static struct kmods_list_rcu __rcu *kmods_deny;
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

/* Parameters are parsed before init runs; the lock binds only after. */
static bool kmods_live(void)
{
	return THIS_MODULE->state == MODULE_STATE_LIVE;
}

static int kmods_policy_writable(const struct kernel_param *kp)
{
	if (!capable(CAP_SYS_MODULE))
		return -EPERM;
	if (kmods_live() && READ_ONCE(kmods_locked)) {
		pr_err("policy is locked: refused a write to %s\n", kp->name);
		return -EPERM;
	}
	return 0;
}

static int kmods_list_set(const char *val, const struct kernel_param *kp)
{
	struct kmods_list_rcu __rcu **slot = kp->arg;
	struct kmods_list_rcu *new, *old;
	int err;

	err = kmods_policy_writable(kp);
	if (err)
		return err;
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	err = kmods_list_parse(val, &new->list);
	if (err) {
		kfree(new);
		return err;
	}
	mutex_lock(&kmods_policy_mutex);
	old = rcu_replace_pointer(*slot, new,
				  lockdep_is_held(&kmods_policy_mutex));
	mutex_unlock(&kmods_policy_mutex);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static int kmods_list_get(char *buf, const struct kernel_param *kp)
{
	struct kmods_list_rcu __rcu **slot = kp->arg;
	struct kmods_list_rcu *l;
	int len = 0;

	rcu_read_lock();
	l = rcu_dereference(*slot);
	if (l)
		len = kmods_list_format(&l->list, buf, PAGE_SIZE - 1);
	rcu_read_unlock();
	if (len < 0)
		return len;
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

static void kmods_list_free(void *arg)
{
	struct kmods_list_rcu __rcu **slot = arg;

	/* Called when the module is freed: no reader is left. */
	kfree(rcu_dereference_protected(*slot, true));
	RCU_INIT_POINTER(*slot, NULL);
}

static const struct kernel_param_ops kmods_list_ops = {
	.set = kmods_list_set,
	.get = kmods_list_get,
	.free = kmods_list_free,
};

module_param_cb(allowlist, &kmods_list_ops, &kmods_allow, 0644);
MODULE_PARM_DESC(allowlist,
		 "Comma-separated module names allowed to load (no .ko, no path)");
module_param_cb(denylist, &kmods_list_ops, &kmods_deny, 0644);
MODULE_PARM_DESC(denylist,
		 "Comma-separated module names always blocked; wins over allowlist");

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
	return scnprintf(buf, PAGE_SIZE, "%s\n",
			 kmods_mode_names[READ_ONCE(kmods_mode)]);
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
	if (v >= MAX_ERRNO)
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
	if (!lock) {
		if (!kmods_live() || !READ_ONCE(kmods_locked))
			return 0;
		pr_err("policy is locked until reboot: refused to unlock\n");
		return -EPERM;
	}
	if (READ_ONCE(kmods_locked))
		return 0;
	WRITE_ONCE(kmods_locked, true);
	/* From now on igloo_kmods stays loaded (kmods_init() at load time). */
	if (kmods_live())
		__module_get(THIS_MODULE);
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
	return scnprintf(buf, PAGE_SIZE, "%lld\n",
			 (long long)atomic64_read((atomic64_t *)kp->arg));
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
MODULE_PARM_DESC(vetoed, "Allowed attempts refused when the kernel named the module (read-only)");
module_param_cb(records, &kmods_counter_ops, &kmods_stats.records, 0444);
MODULE_PARM_DESC(records, "Records written to the stream (read-only)");
module_param_cb(dropped, &kmods_counter_ops, &kmods_stats.dropped, 0444);
MODULE_PARM_DESC(dropped, "Records lost because the stream was full (read-only)");

module_param(subbuf_size, uint, 0444);
MODULE_PARM_DESC(subbuf_size, "Bytes per record sub-buffer (load time only)");
module_param(n_subbufs, uint, 0444);
MODULE_PARM_DESC(n_subbufs, "Number of record sub-buffers (load time only)");

static enum kmods_rule kmods_decide(const char *name)
{
	enum kmods_rule rule;

	rcu_read_lock();
	rule = kmods_policy_decide(name, &rcu_dereference(kmods_allow)->list,
				   &rcu_dereference(kmods_deny)->list);
	rcu_read_unlock();
	return rule;
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

/* An allowed load in progress, for the MODULE_STATE_COMING check. */
struct kmods_loading {
	struct list_head node;
	struct task_struct *task;
	bool vetoed;
	char kernel_name[MODULE_NAME_LEN];
};

static LIST_HEAD(kmods_loading_list);
static DEFINE_SPINLOCK(kmods_loading_lock);

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
 * @comm: the caller's command name
 * @name: the module's name, or empty
 * @path: the module's file, or empty
 * @params: the module parameters, maybe truncated
 * @loading: entry on kmods_loading_list while the kernel loads
 * @image: init_module: the checked copy of the image, or NULL
 * @rec: scratch for kmods_attempt_emit()
 * @buf: scratch for paths and the command line
 *
 * The fields from @ts_ns to @params become struct kmods_record's.
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
	char comm[TASK_COMM_LEN];
	char name[KMODS_NAME_LEN];
	char path[KMODS_PATH_LEN];
	char params[KMODS_PARAMS_LEN];
	struct kmods_loading loading;
	void *image;
	struct kmods_record rec;
	char buf[PATH_MAX];
};

static struct kmods_attempt *kmods_attempt_new(const struct kmods_call *call)
{
	struct kmods_attempt *at = kzalloc(sizeof(*at), GFP_KERNEL);

	if (!at)
		return NULL;
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
	kvfree(at->image);
	kfree(at);
}

static u64 kmods_attempt_emit(struct kmods_attempt *at,
			      enum kmods_record_type type, u64 ref_seq)
{
	struct kmods_record *rec = &at->rec;

	BUILD_BUG_ON(TASK_COMM_LEN > KMODS_COMM_LEN);
	memset(rec, 0, sizeof(*rec));
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
};

static void kmods_attempt_log(const struct kmods_attempt *at)
{
	if (READ_ONCE(kmods_quiet))
		return;
	pr_info("%s%s %s [%s] by %s[%d]: %s (%s%s), returned %ld\n",
		kmods_syscall_names[at->call->hook->sys],
		at->flags & KMODS_F_COMPAT ? " (32-bit)" : "",
		at->path[0] ? at->path : "-", at->name[0] ? at->name : "?",
		at->comm, task_tgid_nr(current),
		kmods_decision_names[at->decision], kmods_rule_names[at->rule],
		at->mode == KMODS_MODE_MONITOR ? ", monitor" : "", at->ret);
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

static int kmods_read_file(void *ctx, u64 off, void *buf, size_t len)
{
	loff_t pos = off;
	ssize_t n = kernel_read(ctx, buf, len, &pos);

	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

/* Read the name from the image, falling back to the file name. */
static void kmods_name_image(struct kmods_attempt *at,
			     const struct kmods_image *img)
{
	int err = -ENOEXEC;

	if (img)
		err = kmods_image_name(img, at->name, sizeof(at->name),
				       &at->name_src);
	if (!err)
		return;
	at->name[0] = '\0';
	if (err == -EBADMSG) {
		/* The image names itself, badly: the kernel would use it. */
		at->flags |= KMODS_F_BAD_NAME;
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
	struct kmods_image img = { .read = kmods_read_file };
	struct file *file;
	char *path;

	at->load_flags = at->call->arg[2];
	file = fget((int)at->call->arg[0]);
	if (!file) {
		kmods_name_image(at, NULL);
		return;
	}
	path = d_path(&file->f_path, at->buf, sizeof(at->buf));
	if (!IS_ERR(path))
		kmods_set_path(at, path);
	at->image_size = i_size_read(file_inode(file));
	img.ctx = file;
	img.size = at->image_size;
	/* Read only what the kernel would read: a readable regular file. */
	if (!S_ISREG(file_inode(file)->i_mode) ||
	    !(file->f_mode & FMODE_READ)) {
		at->flags |= KMODS_F_IMAGE_FAULT;
		kmods_name_image(at, NULL);
	} else if (at->load_flags & MODULE_INIT_COMPRESSED_FILE) {
		/* Compressed: the kernel's name is checked at COMING. */
		kmods_name_image(at, NULL);
	} else {
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
	if (current->files) {
		char *found = kzalloc(PATH_MAX, GFP_KERNEL);
		struct kmods_fd_scan scan = {
			.tmp = at->buf, .found = found, .size = PATH_MAX,
		};

		if (!found)
			return;
		iterate_fd(current->files, 0, kmods_fd_match, &scan);
		if (found[0])
			kmods_set_path(at, found);
		kfree(found);
	}
}

static void kmods_inspect_init(struct kmods_attempt *at)
{
	struct kmods_user_image ui = {
		.base = (const char __user *)at->call->arg[0],
	};
	struct kmods_image img = {
		.read = kmods_read_user,
		.ctx = &ui,
		.size = at->call->arg[1],
	};

	/*
	 * Check a copy: another thread may rewrite the caller's buffer at
	 * any time. An allowed load then gets exactly this copy (see
	 * kmods_stable_image()). Images too large to copy are read in place
	 * and, if allowed, left to the kernel (which fails them too), and so
	 * are those of callers the kernel refuses anyway: they must not make
	 * the kernel allocate for them.
	 */
	if (at->decision != KMODS_DECISION_KERNEL &&
	    img.size && img.size <= KMODS_IMAGE_MAX) {
		at->image = kvmalloc(img.size, GFP_KERNEL);
		if (at->image && copy_from_user(at->image, ui.base, img.size)) {
			kvfree(at->image);
			at->image = NULL;
		}
	}
	if (at->image) {
		img.read = kmods_read_kernel;
		img.ctx = at->image;
	}
	at->image_size = img.size;
	kmods_init_path(at);
	kmods_name_image(at, &img);
}

/*
 * Put the checked copy of an init_module image in a fresh read-only
 * mapping of the caller and point the call at it, so that the kernel
 * loads the bytes the policy saw, whatever the caller's threads write.
 * Return: the mapping's address, or 0 if the call was left as it was.
 */
static unsigned long kmods_stable_image(struct kmods_attempt *at,
					struct kmods_call *call)
{
	size_t len = at->image_size;
	unsigned long addr;

	if (!at->image || !current->mm)
		return 0;
	addr = vm_mmap(NULL, 0, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(addr))
		return 0;
	/* A bad parameter pointer must stay bad, not land in the copy. */
	if (call->arg[2] - addr < PAGE_ALIGN(len)) {
		vm_munmap(addr, len);
		return 0;
	}
	/* Written as ptrace writes: the caller cannot write it. */
	if (access_process_vm(current, addr, at->image, len,
			      FOLL_FORCE | FOLL_WRITE) != len) {
		vm_munmap(addr, len);
		return 0;
	}
	call->arg[0] = addr;
	return addr;
}

static long kmods_load(const struct kmods_call *orig_call)
{
	const bool finit = orig_call->hook->sys == KMODS_SYS_FINIT_MODULE;
	struct kmods_call call = *orig_call;
	struct kmods_attempt *at;
	unsigned long stable;
	unsigned int block_errno;
	unsigned long flags;
	long ret;
	u64 seq;

	at = kmods_attempt_new(&call);
	if (!at)
		return -ENOMEM;
	/* The kernel refuses an unprivileged caller; its error is the answer. */
	if (!ns_capable_noaudit(&init_user_ns, CAP_SYS_MODULE))
		at->decision = KMODS_DECISION_KERNEL;
	if (finit)
		kmods_inspect_finit(at);
	else
		kmods_inspect_init(at);
	kmods_read_params(at, (const char __user *)call.arg[finit ? 1 : 2]);

	at->rule = kmods_decide(at->name);
	if (at->decision == KMODS_DECISION_KERNEL) {
		at->rule = KMODS_RULE_UNPRIVILEGED;
	} else if (at->mode == KMODS_MODE_MONITOR ||
		   kmods_rule_allows(at->rule)) {
		at->decision = KMODS_DECISION_ALLOW;
	} else {
		at->decision = KMODS_DECISION_BLOCK;
	}
	atomic64_inc(&kmods_stats.attempts);

	if (at->decision == KMODS_DECISION_BLOCK) {
		atomic64_inc(&kmods_stats.blocked);
		block_errno = READ_ONCE(kmods_block_errno);
		if (block_errno) {
			at->flags |= KMODS_F_ERRNO;
			at->ret = -(long)block_errno;
		} else if (at->name[0]) {
			kmods_faked_add(at->name);
		}
		kmods_attempt_emit(at, KMODS_REC_ATTEMPT, KMODS_SEQ_NONE);
		kmods_attempt_log(at);
		ret = at->ret;
		kmods_attempt_free(at);
		return ret;
	}

	if (at->decision == KMODS_DECISION_ALLOW)
		atomic64_inc(&kmods_stats.allowed);
	seq = kmods_attempt_emit(at, KMODS_REC_ATTEMPT, KMODS_SEQ_NONE);

	at->loading.task = current;
	spin_lock_irqsave(&kmods_loading_lock, flags);
	list_add(&at->loading.node, &kmods_loading_list);
	spin_unlock_irqrestore(&kmods_loading_lock, flags);

	stable = finit ? 0 : kmods_stable_image(at, &call);
	ret = kmods_call_original(&call);
	if (stable)
		vm_munmap(stable, at->image_size);

	spin_lock_irqsave(&kmods_loading_lock, flags);
	list_del(&at->loading.node);
	spin_unlock_irqrestore(&kmods_loading_lock, flags);

	at->ret = ret;
	at->kernel_ret = ret;
	if (at->loading.vetoed) {
		at->flags |= KMODS_F_VETOED;
		at->name_src = KMODS_NAME_KERNEL;
		at->rule = kmods_decide(at->loading.kernel_name);
		strscpy(at->name, at->loading.kernel_name, sizeof(at->name));
	}
	kmods_attempt_emit(at, KMODS_REC_RESULT, seq);
	kmods_attempt_log(at);
	kmods_attempt_free(at);
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

	len = kmods_strncpy_nofault(name, kmods_unload_name_arg(hook, regs),
				    sizeof(name));
	if (len <= 0 || len >= sizeof(name))
		return false;
	if (kmods_name_eq(name, KBUILD_MODNAME))
		return READ_ONCE(kmods_locked);
	return true;
}

static long kmods_unload(const struct kmods_call *call)
{
	struct kmods_attempt *at;
	long len, ret;

	at = kmods_attempt_new(call);
	if (!at)
		return -ENOMEM;
	len = strncpy_from_user(at->name, (const char __user *)call->arg[0],
				MODULE_NAME_LEN);
	at->load_flags = call->arg[1];
	at->name_src = KMODS_NAME_ARG;
	at->decision = KMODS_DECISION_BLOCK;
	if (len > 0 && len < MODULE_NAME_LEN &&
	    kmods_name_eq(at->name, KBUILD_MODNAME)) {
		/* The lock is one-way: it still holds. */
		at->rule = KMODS_RULE_LOCKED;
		at->ret = -EPERM;
		pr_err("policy is locked: refused to unload %s\n",
		       KBUILD_MODNAME);
	} else if (len > 0 && len < MODULE_NAME_LEN &&
		   ns_capable_noaudit(&init_user_ns, CAP_SYS_MODULE) &&
		   kmods_faked_find(at->name, true)) {
		at->rule = KMODS_RULE_FAKED;
		at->ret = 0;
	} else {
		/* Not a module whose load was faked: the kernel unloads it. */
		kfree(at);
		return kmods_call_original(call);
	}
	kmods_attempt_emit(at, KMODS_REC_UNLOAD, KMODS_SEQ_NONE);
	kmods_attempt_log(at);
	ret = at->ret;
	kfree(at);
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

static int kmods_pre_handler(struct kprobe *kp, struct pt_regs *regs)
{
	struct kmods_hook *hook = container_of(kp, struct kmods_hook, kp);

	/* kmods_call_original() calling the kernel's own entry: let it run. */
	if (within_module(kmods_entry_return_address(regs), THIS_MODULE))
		return kmods_let_through(kp, regs);
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
		err = register_kprobe(&hook->kp);
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
			hook->kp.symbol_name, err);
		unregister_kprobe(&hook->kp);
		return err;
	}
	hook->orig = (kmods_syscall_fn)kmods_code_address(start);
	if (!kmods_can_let_through(&hook->kp))
		pr_notice("%s: calls that go on are single-stepped\n",
			  hook->kp.symbol_name);
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
		if (kmods_hooks[i].orig)
			enable_kprobe(&kmods_hooks[i].kp);
	}
	return 0;
}

/* ---- The kernel's own name, checked where the kernel loads it ---- */

static int kmods_module_notify(struct notifier_block *nb, unsigned long state,
			       void *data)
{
	struct module *mod = data;
	struct kmods_loading *in;
	unsigned long flags;

	if (state == MODULE_STATE_LIVE) {
		/* Loaded for real: an rmmod of it is the kernel's again. */
		kmods_faked_find(mod->name, true);
		return NOTIFY_DONE;
	}
	if (state == MODULE_STATE_GOING) {
		kmods_coming_veto_end(mod);
		return NOTIFY_DONE;
	}
	if (state != MODULE_STATE_COMING ||
	    READ_ONCE(kmods_mode) == KMODS_MODE_MONITOR ||
	    kmods_rule_allows(kmods_decide(mod->name)))
		return NOTIFY_DONE;

	/*
	 * The policy allowed the name read from the image, but the kernel
	 * names the module otherwise: the image changed after the check, or
	 * names itself twice. Refuse it.
	 */
	spin_lock_irqsave(&kmods_loading_lock, flags);
	list_for_each_entry(in, &kmods_loading_list, node) {
		if (in->task == current) {
			in->vetoed = true;
			strscpy(in->kernel_name, mod->name,
				sizeof(in->kernel_name));
		}
	}
	spin_unlock_irqrestore(&kmods_loading_lock, flags);
	atomic64_inc(&kmods_stats.vetoed);
	pr_err("refused %s when the kernel loaded it\n", mod->name);
	return kmods_coming_veto(mod);
}

static struct notifier_block kmods_module_nb = {
	.notifier_call = kmods_module_notify,
};

/* ---- Module init and exit ---- */

static int kmods_lists_init(void)
{
	struct kmods_list_rcu __rcu **slots[] = { &kmods_allow, &kmods_deny };
	struct kmods_list_rcu *l;
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
	err = kmods_hooks_install();
	if (err)
		goto err_notifier;
	if (kmods_locked)
		__module_get(THIS_MODULE);
	pr_info("%s mode, block_errno %u%s\n",
		kmods_mode_names[kmods_mode], kmods_block_errno,
		kmods_locked ? ", locked" : "");
	return 0;

err_notifier:
	unregister_module_notifier(&kmods_module_nb);
err_records:
	kmods_records_exit();
	return err;
}

static void __exit kmods_exit(void)
{
	kmods_hooks_remove(KMODS_NR_HOOKS);
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
}

module_init(kmods_init);
module_exit(kmods_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("igloo_kmods developers");
MODULE_DESCRIPTION("In-guest kernel module policy and load log for penguin");
