// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz kmods_image_name() with the input as the module image.
 *
 * The read callback checks that every read lies inside the image; the
 * image is a heap copy of exactly its size, so a stray access is caught
 * by AddressSanitizer as well. Then:
 *  - the result is 0, -ENOEXEC, -ENOENT or -EBADMSG;
 *  - on success the name is valid and the source is .modinfo or
 *    this_module, and the same image read into a buffer of exactly
 *    strlen(name) + 1 bytes gives the same name, one byte less -EBADMSG;
 *  - a read error injected at any one of the calls the reader made is
 *    what the reader returns; except that an image whose .modinfo name
 *    is bad stays -EBADMSG whatever this_module holds, so a failed read
 *    of this_module does not matter then;
 *  - the reader with a scratch buffer of KMODS_SCRATCH_SIZE bytes (as
 *    the module reads files), of a size chosen by the input (pieces cut
 *    anywhere) and with none gives the same result, and a read error
 *    injected in either is returned as above;
 *  - the reader on the image in memory (kmods_image.base, as the module
 *    reads the kernel's copy of an image), with no scratch, gives the
 *    same result; its accesses are AddressSanitizer's to check;
 *  - with a need_modinfo hook: when it says yes, the result is the
 *    same; when it says no, the result is the same if it was not asked
 *    (no valid this_module name) and otherwise 0 with the name it was
 *    asked about, from this_module, which the run without the hook
 *    returns too unless its .modinfo is bad or disagrees (-EBADMSG) or
 *    its read fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

struct fuzz_image {
	const u8 *data;
	u64 size;
	unsigned int calls;
	unsigned int fail_at;		/* 1-based call to fail; 0: none */
	bool out_of_range;
};

static int fuzz_image_read(void *ctx, u64 off, void *buf, size_t len)
{
	struct fuzz_image *fi = ctx;

	fi->calls++;
	if (off >= fi->size || len > fi->size - off) {
		fi->out_of_range = true;
		kmods_fuzz_fail(__FILE__, __LINE__, "read outside the image");
		return -EDOM;
	}
	if (fi->calls == fi->fail_at)
		return -EFAULT;
	memcpy(buf, fi->data + off, len);
	return 0;
}

/* What the need_modinfo hook answers, and the name it was asked about. */
static bool fuzz_need_answer;
static unsigned int fuzz_need_calls;
static char fuzz_need_name[KMODS_NAME_LEN];

static bool fuzz_need_modinfo(const struct kmods_image *img, const char *name)
{
	(void)img;
	fuzz_need_calls++;
	snprintf(fuzz_need_name, sizeof(fuzz_need_name), "%s", name);
	return fuzz_need_answer;
}

/* As a scratch size: the image in memory (kmods_image.base). */
#define FUZZ_IN_MEMORY	((size_t)-1)

/*
 * The reader with a scratch of @scratch_size bytes (0: none; or the image
 * in memory, FUZZ_IN_MEMORY), read @fail_at
 * failing (0: none) and, if @need is set, the need_modinfo hook answering
 * *@need.
 */
static int fuzz_image_run_hook(struct fuzz_image *fi, unsigned int fail_at,
			       size_t scratch_size, const bool *need,
			       char *name, size_t size,
			       enum kmods_name_source *src)
{
	struct kmods_image img = {
		.read = fuzz_image_read,
		.ctx = fi,
		.size = fi->size,
		.need_modinfo = need ? fuzz_need_modinfo : NULL,
	};
	int err;

	if (need) {
		fuzz_need_answer = *need;
		fuzz_need_calls = 0;
		fuzz_need_name[0] = '\0';
	}

	/* Exactly its size: AddressSanitizer sees a write past it. */
	if (scratch_size == FUZZ_IN_MEMORY) {
		img.base = fi->data;
	} else if (scratch_size) {
		img.scratch = malloc(scratch_size);
		if (!img.scratch)
			abort();
		img.scratch_size = scratch_size;
	}
	fi->calls = 0;
	fi->fail_at = fail_at;
	fi->out_of_range = false;
	err = kmods_image_name(&img, name, size, src);
	free(img.scratch);
	return err;
}

static int fuzz_image_run_scratch(struct fuzz_image *fi,
				  unsigned int fail_at, size_t scratch_size,
				  char *name, size_t size,
				  enum kmods_name_source *src)
{
	return fuzz_image_run_hook(fi, fail_at, scratch_size, NULL, name, size,
				   src);
}

/* The reader with the need_modinfo hook answering @answer. */
static int fuzz_image_run_need(struct fuzz_image *fi, bool answer,
			       char *name, size_t size,
			       enum kmods_name_source *src)
{
	return fuzz_image_run_hook(fi, 0, KMODS_SCRATCH_SIZE, &answer, name,
				   size, src);
}

static int fuzz_image_run(struct fuzz_image *fi, unsigned int fail_at,
			  char *name, size_t size, enum kmods_name_source *src)
{
	return fuzz_image_run_scratch(fi, fail_at, KMODS_SCRATCH_SIZE, name,
				      size, src);
}

int kmods_fuzz_image(const u8 *data, size_t size)
{
	enum kmods_name_source src = KMODS_NAME_NONE, src2;
	struct fuzz_image fi = { .size = size };
	char name[KMODS_NAME_LEN], first[KMODS_NAME_LEN], *exact = NULL;
	unsigned int calls, i;
	size_t len, scratch;
	u8 *copy;
	int ret = 0, err, err0;

	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	fi.data = copy;

	memset(name, 0x5a, sizeof(name));
	err = fuzz_image_run(&fi, 0, name, sizeof(name), &src);
	calls = fi.calls;
	err0 = err;
	FUZZ_CHECK(!fi.out_of_range);
	FUZZ_CHECK(err == 0 || err == -ENOEXEC || err == -ENOENT ||
		   err == -EBADMSG);
	if (size >= 52)
		FUZZ_CHECK(calls >= 1);

	if (!err) {
		FUZZ_CHECK(memchr(name, '\0', sizeof(name)));
		FUZZ_CHECK(kmods_name_valid(name));
		FUZZ_CHECK(src == KMODS_NAME_MODINFO ||
			   src == KMODS_NAME_THIS_MODULE);
		memcpy(first, name, sizeof(first));

		len = strlen(name);
		exact = malloc(len + 1);
		if (!exact)
			goto out;
		err = fuzz_image_run(&fi, 0, exact, len + 1, &src2);
		FUZZ_CHECK(!fi.out_of_range);
		FUZZ_CHECK(err == 0 && src2 == src && !strcmp(exact, name));
		err = fuzz_image_run(&fi, 0, exact, len, &src2);
		FUZZ_CHECK(!fi.out_of_range);
		FUZZ_CHECK(err == -EBADMSG);
	}

	/* The need_modinfo hook, saying yes, then no. */
	err = fuzz_image_run_need(&fi, true, name, sizeof(name), &src2);
	FUZZ_CHECK(!fi.out_of_range && fuzz_need_calls <= 1);
	FUZZ_CHECK(err == err0);
	if (!err)
		FUZZ_CHECK(src2 == src && !strcmp(name, first));
	err = fuzz_image_run_need(&fi, false, name, sizeof(name), &src2);
	FUZZ_CHECK(!fi.out_of_range && fuzz_need_calls <= 1);
	if (!fuzz_need_calls) {
		FUZZ_CHECK(err == err0);
		if (!err)
			FUZZ_CHECK(src2 == src && !strcmp(name, first));
	} else {
		FUZZ_CHECK(err == 0 && src2 == KMODS_NAME_THIS_MODULE);
		FUZZ_CHECK(!strcmp(name, fuzz_need_name) &&
			   kmods_name_valid(name));
		FUZZ_CHECK(err0 == -EBADMSG ||
			   (!err0 && kmods_name_eq(first, name)));
	}

	/* Fail one of the reads; which one depends on the input. */
	if (calls) {
		err = fuzz_image_run(&fi, 1 + size % calls, name, sizeof(name),
				     &src2);
		FUZZ_CHECK(!fi.out_of_range);
		FUZZ_CHECK(err == -EFAULT ||
			   (err == -EBADMSG && err0 == -EBADMSG));
	}

	/* Without scratch, and with one of a size the input picks. */
	for (i = 0; i < 2; i++) {
		scratch = i ? 1 + (size * 7919 + (size ? data[size / 2] : 0)) %
				  3000 : 0;
		err = fuzz_image_run_scratch(&fi, 0, scratch, name,
					     sizeof(name), &src2);
		FUZZ_CHECK(!fi.out_of_range);
		FUZZ_CHECK(err == err0);
		if (!err && !err0)
			FUZZ_CHECK(src2 == src && !strcmp(name, first));
		if (fi.calls) {
			err = fuzz_image_run_scratch(&fi, 1 + size % fi.calls,
						     scratch, name,
						     sizeof(name), &src2);
			FUZZ_CHECK(!fi.out_of_range);
			FUZZ_CHECK(err == -EFAULT ||
				   (err == -EBADMSG && err0 == -EBADMSG));
		}
	}

	/* The image in memory, the kernel's copy's case. */
	err = fuzz_image_run_scratch(&fi, 0, FUZZ_IN_MEMORY, name, sizeof(name),
				     &src2);
	FUZZ_CHECK(!fi.out_of_range);
	FUZZ_CHECK(err == err0);
	if (!err && !err0)
		FUZZ_CHECK(src2 == src && !strcmp(name, first));
out:
	free(exact);
	free(copy);
	return ret;
}
