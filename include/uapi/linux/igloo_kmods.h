/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * igloo_kmods record format, shared by the kernel module and the
 * user-space collector (igloo-kmods-collect).
 *
 * Every record has the same fixed size and layout. All multi-byte fields
 * are little-endian on the wire, whatever the byte order of the guest that
 * wrote them, so a record from a big-endian MIPS guest decodes unchanged on
 * an x86 host. The magic and the byte-order mark let a reader find and
 * check records in a raw byte stream; the checksum catches corruption.
 */
#ifndef _UAPI_LINUX_IGLOO_KMODS_H
#define _UAPI_LINUX_IGLOO_KMODS_H

#include <linux/types.h>

#define KMODS_RECORD_MAGIC	"IKMR"		/* bytes 'I' 'K' 'M' 'R' */
#define KMODS_RECORD_BOM	0xfeff		/* reads ff fe on the wire */
#define KMODS_RECORD_VERSION	2		/* 1: a byte-wise checksum */

#define KMODS_COMM_LEN		16
#define KMODS_NAME_LEN		64		/* >= MODULE_NAME_LEN */
#define KMODS_PATH_LEN		256
#define KMODS_PARAMS_LEN	256

/* What a record describes. */
enum kmods_record_type {
	KMODS_REC_ATTEMPT = 1,	/* a load attempt, written when decided */
	KMODS_REC_RESULT = 2,	/* the kernel's result of an allowed load */
	KMODS_REC_UNLOAD = 3,	/* a delete_module call this module answered */
};

/* Which system call was made. */
enum kmods_syscall {
	KMODS_SYS_INIT_MODULE = 1,
	KMODS_SYS_FINIT_MODULE = 2,
	KMODS_SYS_DELETE_MODULE = 3,
};

/* Where the module name came from. */
enum kmods_name_source {
	KMODS_NAME_NONE = 0,		/* no name could be read */
	KMODS_NAME_MODINFO = 1,		/* .modinfo "name=" */
	KMODS_NAME_THIS_MODULE = 2,	/* .gnu.linkonce.this_module */
	KMODS_NAME_PATH = 3,		/* the file name */
	KMODS_NAME_KERNEL = 4,		/* the kernel's own parsed name */
	KMODS_NAME_ARG = 5,		/* the delete_module argument */
};

/* What happened to the call. */
enum kmods_decision {
	KMODS_DECISION_ALLOW = 1,	/* passed to the kernel's own load */
	KMODS_DECISION_BLOCK = 2,	/* refused: faked success or -errno */
	KMODS_DECISION_KERNEL = 3,	/* left to the kernel: it refuses */
};

/* The rule that decided. */
enum kmods_rule {
	KMODS_RULE_BUILTIN = 1,		/* igloo, igloo_kmods: always allowed */
	KMODS_RULE_DENYLIST = 2,
	KMODS_RULE_ALLOWLIST = 3,
	KMODS_RULE_DEFAULT = 4,		/* on no list: blocked */
	KMODS_RULE_NO_NAME = 5,		/* no valid name could be read */
	KMODS_RULE_UNPRIVILEGED = 6,	/* caller lacks CAP_SYS_MODULE */
	KMODS_RULE_FAKED = 7,		/* unload of a module whose load was faked */
	KMODS_RULE_LOCKED = 8,		/* refused: the policy is locked */
	KMODS_RULE_BAD_CALL = 9,	/* arguments the kernel refuses */
};

/* Policy mode in force when the record was written. */
enum kmods_mode {
	KMODS_MODE_ENFORCE = 1,
	KMODS_MODE_MONITOR = 2,
};

/* Record flags. */
#define KMODS_F_COMPAT		(1U << 0) /* 32-bit caller on a 64-bit kernel */
#define KMODS_F_PATH_TRUNC	(1U << 1) /* path was cut to fit */
#define KMODS_F_PARAMS_TRUNC	(1U << 2) /* module parameters were cut */
#define KMODS_F_PARAMS_FAULT	(1U << 3) /* parameters could not be read */
#define KMODS_F_IMAGE_FAULT	(1U << 4) /* image could not be read */
#define KMODS_F_NOT_ELF		(1U << 5) /* image is not a usable ELF file */
#define KMODS_F_BAD_NAME	(1U << 6) /* image names the module badly */
#define KMODS_F_VETOED		(1U << 7) /* refused where the kernel loads it */
#define KMODS_F_ERRNO		(1U << 8) /* blocked with -block_errno */
/*
 * Reserved, never set: a call that finds igloo_kmods unloading gets
 * -EAGAIN and no record (the stream may be going away with it).
 */
#define KMODS_F_BUSY		(1U << 9)
/*
 * Where a list and penguin's plugin part: it matches a list entry against
 * the file's base name without ".ko", igloo_kmods against the module's
 * real name (@name). _FILE: the list has the file's name but does not
 * match the module (the entry that would is @name). _MODULE: the list
 * matches the module but has not the file's name (penguin's plugin would
 * need that name, the base name of @path without ".ko"). Informational:
 * the decision is @name's. Never set when @path was truncated.
 */
#define KMODS_F_ALLOW_FILE	(1U << 10) /* allowlist names file, not module */
#define KMODS_F_ALLOW_MODULE	(1U << 11) /* allowlist names module, not file */
#define KMODS_F_DENY_FILE	(1U << 12) /* denylist names file, not module */
#define KMODS_F_DENY_MODULE	(1U << 13) /* denylist names module, not file */
#define KMODS_F_HINTS		(KMODS_F_ALLOW_FILE | KMODS_F_ALLOW_MODULE | \
				 KMODS_F_DENY_FILE | KMODS_F_DENY_MODULE)

/**
 * struct kmods_record - one event, as written to the record stream
 * @magic: KMODS_RECORD_MAGIC, not NUL-terminated
 * @bom: KMODS_RECORD_BOM
 * @version: KMODS_RECORD_VERSION
 * @size: sizeof(struct kmods_record)
 * @csum: kmods_record_csum() of the record with this field zero
 * @instance: random number chosen when igloo_kmods was loaded
 * @type: enum kmods_record_type
 * @seq: sequence number within @instance, from 0, without gaps
 * @ts_ns: CLOCK_BOOTTIME of the attempt, in nanoseconds
 * @dropped: records dropped by this instance before this one
 * @ref_seq: for KMODS_REC_RESULT, the @seq of its attempt record
 * @image_size: init_module length, or the size of the finit_module file
 * @pid: caller's thread id
 * @tgid: caller's process id
 * @uid: caller's real uid (init namespace)
 * @euid: caller's effective uid (init namespace)
 * @flags: KMODS_F_*
 * @ret: value returned to the caller (a negative errno, or 0)
 * @kernel_ret: for allowed loads, the kernel's own result
 * @load_flags: finit_module or delete_module flags
 * @syscall: enum kmods_syscall
 * @name_src: enum kmods_name_source
 * @decision: enum kmods_decision
 * @rule: enum kmods_rule
 * @mode: enum kmods_mode
 * @reserved: zero
 * @comm: caller's command name, NUL-padded
 * @name: module name, NUL-padded (empty when none was read)
 * @path: module file path, NUL-padded (empty when unknown)
 * @params: module parameter string, NUL-padded
 */
struct kmods_record {
	char	magic[4];
	__le16	bom;
	__le16	version;
	__le32	size;
	__le32	csum;
	__le32	instance;
	__le32	type;
	__le64	seq;
	__le64	ts_ns;
	__le64	dropped;
	__le64	ref_seq;
	__le64	image_size;
	__le32	pid;
	__le32	tgid;
	__le32	uid;
	__le32	euid;
	__le32	flags;
	__le32	ret;
	__le32	kernel_ret;
	__le32	load_flags;
	__u8	syscall;
	__u8	name_src;
	__u8	decision;
	__u8	rule;
	__u8	mode;
	__u8	reserved[3];
	char	comm[KMODS_COMM_LEN];
	char	name[KMODS_NAME_LEN];
	char	path[KMODS_PATH_LEN];
	char	params[KMODS_PARAMS_LEN];
};

#define KMODS_RECORD_SIZE	696

/**
 * kmods_record_csum() - checksum of a record
 * @rec: the record; its @csum field must be zero
 *
 * 32-bit FNV-1a taken a little-endian 32-bit word at a time, each step
 * rotated left by 13 so that a change in a word's high bits reaches the
 * low bits of the next steps (a multiplication carries bits up only, and
 * two flips of one high bit in two words would cancel). One step per
 * word, rather than per byte as in format version 1, costs a third of
 * the instructions: some 1,000 for a record instead of 2,600.
 *
 * Return: the checksum, in CPU byte order.
 */
static inline __u32 kmods_record_csum(const struct kmods_record *rec)
{
	const unsigned char *p = (const unsigned char *)rec;
	__u32 hash = 2166136261U, w;
	unsigned int i;

	for (i = 0; i < sizeof(*rec); i += sizeof(w)) {
		__builtin_memcpy(&w, p + i, sizeof(w));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap32(w);
#endif
		hash = (hash ^ w) * 16777619U;
		hash = hash << 13 | hash >> 19;
	}
	return hash;
}

#endif /* _UAPI_LINUX_IGLOO_KMODS_H */
