/* SPDX-License-Identifier: GPL-2.0 */
/*
 * igloo_kmods internals shared by the module's own files.
 */
#ifndef _IGLOO_KMODS_INTERNAL_H
#define _IGLOO_KMODS_INTERNAL_H

#include <linux/atomic.h>
#include <linux/types.h>

#include <uapi/linux/igloo_kmods.h>

/* kmods_record_emit() result for a record that was dropped. */
#define KMODS_SEQ_NONE	U64_MAX

/**
 * struct kmods_stats - counters shown in /sys/module/igloo_kmods/parameters
 * @attempts: init_module and finit_module calls seen
 * @allowed: attempts passed to the kernel's own load
 * @blocked: attempts refused by the policy
 * @vetoed: attempts let through, then refused at the kernel's copy or
 *	at MODULE_STATE_COMING
 * @records: records written to the stream
 * @dropped: records lost because the stream was full
 */
struct kmods_stats {
	atomic64_t attempts;
	atomic64_t allowed;
	atomic64_t blocked;
	atomic64_t vetoed;
	atomic64_t records;
	atomic64_t dropped;
};

extern struct kmods_stats kmods_stats;

int kmods_records_init(size_t subbuf_size, size_t n_subbufs);
void kmods_records_exit(void);
u64 kmods_record_emit(struct kmods_record *rec);

#endif /* _IGLOO_KMODS_INTERNAL_H */
