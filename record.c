// SPDX-License-Identifier: GPL-2.0
/*
 * igloo_kmods record stream: one relay channel with a single global buffer
 * in debugfs (/sys/kernel/debug/igloo_kmods/records0), in no-overwrite
 * mode. A record that does not fit is dropped and counted, never waited
 * for: the caller of init_module must not block on a slow reader.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/random.h>
#include <linux/relay.h>
#include <linux/spinlock.h>

#include "internal.h"

static struct dentry *kmods_debugfs_dir;
static struct rchan *kmods_chan;
static DEFINE_SPINLOCK(kmods_record_lock);
static u64 kmods_next_seq;	/* under kmods_record_lock */
static u32 kmods_instance;

static struct dentry *kmods_create_buf_file(const char *filename,
					    struct dentry *parent,
					    umode_t mode, struct rchan_buf *buf,
					    int *is_global)
{
	/* One buffer for all CPUs keeps a single ordered stream. */
	*is_global = 1;
	return debugfs_create_file(filename, 0400, parent, buf,
				   &relay_file_operations);
}

static int kmods_remove_buf_file(struct dentry *dentry)
{
	debugfs_remove(dentry);
	return 0;
}

static int kmods_subbuf_start(struct rchan_buf *buf, void *subbuf,
			      void *prev_subbuf, size_t prev_padding)
{
	/* No-overwrite mode: refuse the switch while the reader lags. */
	return !relay_buf_full(buf);
}

static const struct rchan_callbacks kmods_relay_callbacks = {
	.subbuf_start = kmods_subbuf_start,
	.create_buf_file = kmods_create_buf_file,
	.remove_buf_file = kmods_remove_buf_file,
};

/**
 * kmods_records_init() - create the record stream
 * @subbuf_size: bytes per relay sub-buffer (at least one record)
 * @n_subbufs: number of sub-buffers
 *
 * Context: Process context, from module init.
 * Return: 0 or a negative errno.
 */
int kmods_records_init(size_t subbuf_size, size_t n_subbufs)
{
	BUILD_BUG_ON(sizeof(struct kmods_record) != KMODS_RECORD_SIZE);

	if (subbuf_size < sizeof(struct kmods_record) || n_subbufs < 2)
		return -EINVAL;
	kmods_instance = get_random_u32();
	kmods_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(kmods_debugfs_dir))
		return PTR_ERR(kmods_debugfs_dir);
	kmods_chan = relay_open("records", kmods_debugfs_dir, subbuf_size,
				n_subbufs, (struct rchan_callbacks *)
				&kmods_relay_callbacks, NULL);
	if (!kmods_chan) {
		debugfs_remove(kmods_debugfs_dir);
		return -ENOMEM;
	}
	return 0;
}

/**
 * kmods_records_exit() - flush and remove the record stream
 *
 * Context: Process context, from module exit, after the last writer.
 */
void kmods_records_exit(void)
{
	relay_close(kmods_chan);
	debugfs_remove(kmods_debugfs_dir);
}

/**
 * kmods_record_emit() - stamp a record and append it to the stream
 * @rec: the record; its header fields, @seq, @dropped and @csum are set
 *	here
 *
 * Sequence numbers are given only to records that are written, so the
 * stream has no gaps of its own making; a record that finds the buffer
 * full is counted in kmods_stats.dropped instead.
 *
 * Context: Any context; takes a spinlock with interrupts off.
 * Return: the record's sequence number, or KMODS_SEQ_NONE if it was
 * dropped.
 */
u64 kmods_record_emit(struct kmods_record *rec)
{
	unsigned long flags;
	void *slot;
	u64 seq;

	memcpy(rec->magic, KMODS_RECORD_MAGIC, sizeof(rec->magic));
	rec->bom = cpu_to_le16(KMODS_RECORD_BOM);
	rec->version = cpu_to_le16(KMODS_RECORD_VERSION);
	rec->size = cpu_to_le32(sizeof(*rec));
	rec->instance = cpu_to_le32(kmods_instance);

	spin_lock_irqsave(&kmods_record_lock, flags);
	slot = relay_reserve(kmods_chan, sizeof(*rec));
	if (!slot) {
		atomic64_inc(&kmods_stats.dropped);
		spin_unlock_irqrestore(&kmods_record_lock, flags);
		return KMODS_SEQ_NONE;
	}
	seq = kmods_next_seq++;
	rec->seq = cpu_to_le64(seq);
	rec->dropped = cpu_to_le64(atomic64_read(&kmods_stats.dropped));
	rec->csum = 0;
	rec->csum = cpu_to_le32(kmods_record_csum(rec));
	memcpy(slot, rec, sizeof(*rec));
	atomic64_inc(&kmods_stats.records);
	spin_unlock_irqrestore(&kmods_record_lock, flags);
	return seq;
}
