// SPDX-License-Identifier: GPL-2.0
/*
 * igloo_kmods record stream.
 *
 * With CONFIG_RELAY and CONFIG_DEBUG_FS the stream is one relay channel
 * with a single global buffer, /sys/kernel/debug/igloo_kmods/records0, in
 * no-overwrite mode. Kernels without them (penguin's own) get the same
 * byte stream from a read-only character device, /dev/igloo_kmods, backed
 * by a ring of whole records; building with KMODS_TRANSPORT=chardev picks
 * it everywhere, and it is the fallback where the relay file cannot be
 * made (a kernel booted with debugfs=off or debugfs=no-mount). Either way
 * a record that does not fit is dropped and counted, never waited for:
 * the caller of init_module must not block on a slow reader. Reads
 * drain what is there and return 0 when nothing is; poll() says when
 * there is more.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "compat.h"
#include "internal.h"

#if IS_ENABLED(CONFIG_RELAY) && IS_ENABLED(CONFIG_DEBUG_FS) && \
	!defined(KMODS_FORCE_CHARDEV)
#define KMODS_RELAY_TRANSPORT 1
#endif

static DEFINE_SPINLOCK(kmods_record_lock);
static u64 kmods_next_seq;	/* under kmods_record_lock */
static u32 kmods_instance;

#ifdef KMODS_RELAY_TRANSPORT

#include <linux/debugfs.h>
#include <linux/relay.h>

static struct dentry *kmods_debugfs_dir;
static struct rchan *kmods_chan;

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

static int kmods_relay_init(size_t subbuf_size, size_t n_subbufs)
{
	/* debugfs=off or no-mount: nobody could read the relay file. */
	if (!debugfs_initialized())
		return -ENODEV;
	kmods_debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(kmods_debugfs_dir))
		return PTR_ERR(kmods_debugfs_dir);
	kmods_chan = relay_open("records", kmods_debugfs_dir, subbuf_size,
				n_subbufs, &kmods_relay_callbacks, NULL);
	if (!kmods_chan) {
		debugfs_remove(kmods_debugfs_dir);
		return -ENOMEM;
	}
	return 0;
}

static void kmods_relay_exit(void)
{
	relay_close(kmods_chan);
	debugfs_remove(kmods_debugfs_dir);
}

/*
 * Not relay_reserve(): it moves the buffer's write offset before the
 * caller fills the slot, and relay_file_read() on another CPU trusts that
 * offset, so a reader could copy out (and consume) a record that is still
 * zeros. Here the slot is filled first and the offset is published after
 * it, as relay_write() does, with the barrier that relay_write() leaves to
 * x86's store order. The channel has one global buffer, which every CPU's
 * pointer names.
 */

/* Called with kmods_record_lock held. Return: the slot, or NULL if full. */
static void *kmods_relay_slot(size_t len)
{
	struct rchan_buf *buf = *this_cpu_ptr(kmods_chan->buf);

	if (unlikely(buf->offset + len > kmods_chan->subbuf_size) &&
	    !relay_switch_subbuf(buf, len))
		return NULL;
	return buf->data + buf->offset;
}

/* Called with kmods_record_lock held, once the slot is written. */
static void kmods_relay_publish(size_t len)
{
	struct rchan_buf *buf = *this_cpu_ptr(kmods_chan->buf);

	smp_wmb();	/* the record's bytes before the offset that shows them */
	WRITE_ONCE(buf->offset, buf->offset + len);
}

#endif /* KMODS_RELAY_TRANSPORT */

/* ---- The character device ---- */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

/*
 * A ring of bytes holding whole records. Writers append under
 * kmods_record_lock; the one reader copies out without it (writers never
 * touch unread bytes) and then advances the tail under it.
 *
 * The head and tail counters only give the fill level (their difference
 * is right across their wrap). Where the next record goes and where the
 * reader is are kept apart, as offsets into the ring: the ring is a
 * multiple of the record size, not a power of two, so a counter taken
 * modulo the ring size would leave the record boundaries when the counter
 * wraps (2^32 mod 696 = 16 on 32-bit kernels) and write past the ring.
 */
static char *kmods_ring;
static size_t kmods_ring_size;
static size_t kmods_ring_head;	/* total bytes written, under the lock */
static size_t kmods_ring_tail;	/* total bytes read, under the lock */
static size_t kmods_ring_wpos;	/* next record's offset, under the lock */
static size_t kmods_ring_rpos;	/* the reader's offset, under the lock */
static DECLARE_WAIT_QUEUE_HEAD(kmods_ring_wait);
static DEFINE_MUTEX(kmods_ring_read_mutex);
static atomic_t kmods_ring_open = ATOMIC_INIT(0);

static size_t kmods_ring_used(void)
{
	size_t head, tail;
	unsigned long flags;

	spin_lock_irqsave(&kmods_record_lock, flags);
	head = kmods_ring_head;
	tail = kmods_ring_tail;
	spin_unlock_irqrestore(&kmods_record_lock, flags);
	return head - tail;
}

static int kmods_ring_open_file(struct inode *inode, struct file *file)
{
	/* One reader: two would each see half of the stream. */
	if (atomic_cmpxchg(&kmods_ring_open, 0, 1))
		return -EBUSY;
	return nonseekable_open(inode, file);
}

static int kmods_ring_release(struct inode *inode, struct file *file)
{
	atomic_set(&kmods_ring_open, 0);
	return 0;
}

/* The reader is done with @len bytes: writers may reuse them. */
static void kmods_ring_consume(size_t len)
{
	unsigned long flags;

	spin_lock_irqsave(&kmods_record_lock, flags);
	kmods_ring_tail += len;
	kmods_ring_rpos += len;
	if (kmods_ring_rpos >= kmods_ring_size)
		kmods_ring_rpos -= kmods_ring_size;
	spin_unlock_irqrestore(&kmods_record_lock, flags);
}

static ssize_t kmods_ring_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	size_t done = 0, avail, off, chunk;

	mutex_lock(&kmods_ring_read_mutex);
	while (done < count) {
		avail = kmods_ring_used();
		if (!avail)
			break;
		off = READ_ONCE(kmods_ring_rpos);	/* only we move it */
		chunk = min3(count - done, avail, kmods_ring_size - off);
		if (copy_to_user(ubuf + done, kmods_ring + off, chunk)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		kmods_ring_consume(chunk);
		done += chunk;
	}
	mutex_unlock(&kmods_ring_read_mutex);
	return done;
}

static __poll_t kmods_ring_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &kmods_ring_wait, wait);
	return kmods_ring_used() ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations kmods_ring_fops = {
	.owner = THIS_MODULE,
	.open = kmods_ring_open_file,
	.release = kmods_ring_release,
	.read = kmods_ring_read,
	.poll = kmods_ring_poll,
};

static struct miscdevice kmods_ring_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KBUILD_MODNAME,
	.fops = &kmods_ring_fops,
	.mode = 0400,
};

/* A ring of @size bytes rounded down to whole records, empty. */
static int kmods_ring_alloc(size_t size)
{
	kmods_ring_size = size - size % sizeof(struct kmods_record);
	kmods_ring_head = 0;
	kmods_ring_tail = 0;
	kmods_ring_wpos = 0;
	kmods_ring_rpos = 0;
	kmods_ring = vmalloc(kmods_ring_size);
	return kmods_ring ? 0 : -ENOMEM;
}

static void kmods_ring_free(void)
{
	vfree(kmods_ring);
	kmods_ring = NULL;
}

static int kmods_ring_init(size_t subbuf_size, size_t n_subbufs)
{
	int err;

	/* The same memory as the relay buffers. */
	err = kmods_ring_alloc(subbuf_size * n_subbufs);
	if (err)
		return err;
	err = misc_register(&kmods_ring_dev);
	if (err)
		kmods_ring_free();
	return err;
}

static void kmods_ring_exit(void)
{
	misc_deregister(&kmods_ring_dev);
	kmods_ring_free();
}

/* Called with kmods_record_lock held. Return: the slot, or NULL if full. */
static void *kmods_ring_slot(size_t len)
{
	if (kmods_ring_size - (kmods_ring_head - kmods_ring_tail) < len)
		return NULL;
	/* Records are whole: the ring size is a multiple of theirs. */
	return kmods_ring + kmods_ring_wpos;
}

/*
 * Called with kmods_record_lock held, once the slot is written. The
 * reader takes the lock to read the head, so it never sees the head
 * before the bytes.
 */
static void kmods_ring_publish(size_t len)
{
	kmods_ring_head += len;
	kmods_ring_wpos += len;
	if (kmods_ring_wpos >= kmods_ring_size)
		kmods_ring_wpos -= kmods_ring_size;
}

/* ---- The transport in use ---- */

#ifdef KMODS_RELAY_TRANSPORT
static bool kmods_on_relay;
#else
#define kmods_on_relay false
#endif

static int kmods_transport_init(size_t subbuf_size, size_t n_subbufs)
{
#ifdef KMODS_RELAY_TRANSPORT
	int err = kmods_relay_init(subbuf_size, n_subbufs);

	if (!err) {
		kmods_on_relay = true;
		return 0;
	}
	pr_notice("no relay file (%d): records go to /dev/%s\n", err,
		  kmods_ring_dev.name);
#endif
	return kmods_ring_init(subbuf_size, n_subbufs);
}

static void kmods_transport_exit(void)
{
#ifdef KMODS_RELAY_TRANSPORT
	if (kmods_on_relay) {
		kmods_relay_exit();
		kmods_on_relay = false;
		return;
	}
#endif
	kmods_ring_exit();
}

/* Called with kmods_record_lock held. Return: the slot, or NULL if full. */
static void *kmods_transport_slot(size_t len)
{
#ifdef KMODS_RELAY_TRANSPORT
	if (kmods_on_relay)
		return kmods_relay_slot(len);
#endif
	return kmods_ring_slot(len);
}

/* Called with kmods_record_lock held, once the slot is written. */
static void kmods_transport_publish(size_t len)
{
#ifdef KMODS_RELAY_TRANSPORT
	if (kmods_on_relay) {
		kmods_relay_publish(len);
		return;
	}
#endif
	kmods_ring_publish(len);
}

static void kmods_transport_wake(void)
{
	if (!kmods_on_relay)
		wake_up_interruptible(&kmods_ring_wait);
}

/**
 * kmods_records_init() - create the record stream
 * @subbuf_size: bytes per relay sub-buffer (at least one record)
 * @n_subbufs: number of sub-buffers; the character device's ring is as
 *	large as all sub-buffers together
 *
 * Context: Process context, from module init.
 * Return: 0 or a negative errno.
 */
int kmods_records_init(size_t subbuf_size, size_t n_subbufs)
{
	BUILD_BUG_ON(sizeof(struct kmods_record) != KMODS_RECORD_SIZE);

	if (subbuf_size < sizeof(struct kmods_record) || n_subbufs < 2 ||
	    subbuf_size > SZ_64M / n_subbufs)
		return -EINVAL;
	kmods_instance = get_random_u32();
	return kmods_transport_init(subbuf_size, n_subbufs);
}

/**
 * kmods_records_exit() - remove the record stream
 *
 * Context: Process context, from module exit, after the last writer.
 */
void kmods_records_exit(void)
{
	kmods_transport_exit();
}

/**
 * kmods_record_emit() - stamp a record and append it to the stream
 * @rec: the record; its header fields, @seq, @dropped and @csum are set
 *	here
 *
 * Sequence numbers are given only to records that are written, so the
 * stream has no gaps of its own making; a record that finds the stream
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
	slot = kmods_transport_slot(sizeof(*rec));
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
	kmods_transport_publish(sizeof(*rec));
	atomic64_inc(&kmods_stats.records);
	spin_unlock_irqrestore(&kmods_record_lock, flags);
	kmods_transport_wake();
	return seq;
}
