# SPDX-License-Identifier: GPL-2.0
#
# Included by Kbuild and tests/kunit/Kbuild: kernel features probed in the
# headers of the kernel built against, each a -DKMODS_HAVE_* that
# compat.h tests.
#
# Features probed in the kernel's headers (see compat.h): -D$(3) when
# $(1) is in one of the headers $(2) (under include/), or, kmods_probe_not,
# when it is in none.
kmods_probe = $(shell grep -qs '$(1)' $(addprefix $(srctree)/include/,$(2)) && echo -D$(3))
kmods_probe_not = $(shell grep -qs '$(1)' $(addprefix $(srctree)/include/,$(2)) || echo -D$(3))
ccflags-y += $(call kmods_probe,blocking_notifier_call_chain_robust,linux/notifier.h,KMODS_HAVE_ROBUST_COMING_NOTIFIER)
ccflags-y += $(call kmods_probe,copy_from_user_nofault,linux/uaccess.h,KMODS_HAVE_COPY_FROM_USER_NOFAULT)
ccflags-y += $(call kmods_probe,probe_user_read,linux/uaccess.h,KMODS_HAVE_PROBE_USER_READ)
ccflags-y += $(call kmods_probe,user_access_begin.ptr,linux/uaccess.h,KMODS_HAVE_USER_ACCESS_RANGE)
ccflags-y += $(call kmods_probe,ktime_get_boottime_ns,linux/timekeeping.h,KMODS_HAVE_BOOTTIME_NS)
ccflags-y += $(call kmods_probe,get_random_u32,linux/random.h,KMODS_HAVE_GET_RANDOM_U32)
ccflags-y += $(call kmods_probe,__vmalloc.unsigned long size$(comma) gfp_t gfp_mask$(comma) pgprot_t,linux/vmalloc.h,KMODS_HAVE_VMALLOC_PGPROT)
ccflags-y += $(call kmods_probe,kvmalloc,linux/mm.h linux/slab.h,KMODS_HAVE_KVMALLOC)
ccflags-y += $(call kmods_probe,kernel_read.struct file \*$(comma) void \*,linux/fs.h,KMODS_HAVE_KERNEL_READ_POS)
ccflags-y += $(call kmods_probe,__poll_t;,uapi/linux/types.h,KMODS_HAVE_POLL_T)
ccflags-y += $(if $(wildcard $(srctree)/include/linux/sched/mm.h),-DKMODS_HAVE_SCHED_MM_H)
# jprobes went with 4.18, when the architectures took over resetting
# current_kprobe after a pre-handler that returns 1.
ccflags-y += $(call kmods_probe_not,register_jprobe,linux/kprobes.h,KMODS_HAVE_KPROBE_SKIP_CLEANUP)
# Before 5.0, module_init() declares init_module as an alias without the
# __init function's attributes (upstream a6e60d84989f copies them), and
# gcc 9 and later warn about it in every module: not this module's to fix.
ccflags-y += $(if $(shell grep -s '__copy(initfn)' $(srctree)/include/linux/module.h),,$(call cc-disable-warning,missing-attributes))
ccflags-y += $(call kmods_probe,void vm_flags_set,linux/mm.h,KMODS_HAVE_VM_FLAGS_SET)
