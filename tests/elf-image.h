/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elf-image.h - a minimal ELF writer for the tests of the ELF module-name
 * reader. It crafts kernel-module-like relocatable images, 32- or 64-bit,
 * little- or big-endian, and edits their header fields afterwards.
 *
 * Used by tests/unit/policy-test.c (user space) and by
 * tests/kunit/igloo_kmods_kunit.c (KUnit), which wrap it in their own
 * allocation and error handling: this header allocates nothing and never
 * aborts. Build an image in three steps:
 *
 *	elfimg_layout(&spec, &elf, scratch)	where everything goes, and
 *						elf.size
 *	elf.buf = <elf.size zeroed bytes>	the caller's allocation
 *	elfimg_write(&spec, &elf, scratch)	the bytes
 *
 * The scratch area holds the section table and contents until the write;
 * it is too big for the kernel stack.
 *
 * The image: the ELF header, the section contents, then the section
 * header table. Section 0 is the null section and .shstrtab comes last,
 * as ld does it (or at index 1 with @strtab_first). Sections get the
 * flags they have in real modules: .modinfo SHF_ALLOC ("A" in readelf
 * -S), .gnu.linkonce.this_module and .bss SHF_WRITE | SHF_ALLOC ("WA"),
 * .text SHF_ALLOC | SHF_EXECINSTR ("AX"), .shstrtab none.
 */
#ifndef _IGLOO_KMODS_TESTS_ELF_IMAGE_H
#define _IGLOO_KMODS_TESTS_ELF_IMAGE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
/* u8, u32 and u64, as policy.c has them in user space. */
#include "../policy.h"
#endif

#define ELFIMG_ET_REL		1
#define ELFIMG_SHT_PROGBITS	1
#define ELFIMG_SHT_STRTAB	3
#define ELFIMG_SHT_NOBITS	8
#define ELFIMG_SHF_WRITE	0x1
#define ELFIMG_SHF_ALLOC	0x2
#define ELFIMG_SHF_EXECINSTR	0x4
#define ELFIMG_MAX_EXTRA	4
/* Null, extras, .modinfo, this_module, .text, .bss, .shstrtab. */
#define ELFIMG_MAX_SECS		(6 + ELFIMG_MAX_EXTRA)
/* Most bytes of a this_module section. */
#define ELFIMG_MOD_MAX		256
#define ELFIMG_STRTAB_MAX	256

/*
 * One more .modinfo or .gnu.linkonce.this_module section, written ahead
 * of the spec's own: a second one of the same name, or a decoy without
 * SHF_ALLOC, which the kernel's find_sec() passes over.
 */
struct elfimg_extra {
	bool this_module;	/* a this_module section, not a .modinfo */
	bool no_alloc;		/* without SHF_ALLOC, unlike real modules */
	const char *modinfo;	/* .modinfo contents */
	size_t modinfo_len;	/* bytes of @modinfo */
	const char *mod_name;	/* name in this_module */
};

struct elfimg_spec {
	bool is64;
	bool msb;
	const char *modinfo;	/* .modinfo contents, or NULL for none */
	size_t modinfo_len;	/* bytes of @modinfo */
	const char *mod_name;	/* name in this_module, or NULL for none */
	size_t mod_size;	/* this_module size, 0 for the default */
	bool text_bss;		/* add a .text and a huge NOBITS .bss */
	bool strtab_first;	/* .shstrtab at index 1, not last */
	const struct elfimg_extra *extra;	/* sections before the others */
	unsigned int nr_extra;	/* entries in @extra */
};

struct elfimg {
	u8 *buf;		/* the caller's, of @size bytes */
	size_t size;
	bool is64;
	bool msb;
	u64 shoff;
	unsigned int shentsize;
	unsigned int shnum;
	/* Section indices, 0 when absent. */
	unsigned int modinfo;
	unsigned int mod;
	unsigned int text;
	unsigned int bss;
	unsigned int shstrtab;
	unsigned int extra[ELFIMG_MAX_EXTRA];	/* one per spec->extra */
};

struct elfimg_sec {
	const char *name;
	u32 type;
	u64 flags;
	const void *data;
	size_t len;		/* bytes in the file */
	u64 sh_size;		/* for NOBITS */
	unsigned int align;
	u64 offset;
	u32 name_off;
};

/* What elfimg_layout() works out for elfimg_write(). */
struct elfimg_scratch {
	struct elfimg_sec secs[ELFIMG_MAX_SECS];
	/* this_module contents: the spec's, then one per extra. */
	u8 mods[1 + ELFIMG_MAX_EXTRA][ELFIMG_MOD_MAX];
	char strtab[ELFIMG_STRTAB_MAX];
};

enum elfimg_eh_field { ELFIMG_EH_SHOFF, ELFIMG_EH_SHENTSIZE, ELFIMG_EH_SHNUM,
		       ELFIMG_EH_SHSTRNDX };
enum elfimg_sh_field { ELFIMG_SH_NAME, ELFIMG_SH_TYPE, ELFIMG_SH_OFFSET,
		       ELFIMG_SH_SIZE, ELFIMG_SH_FLAGS };

/* Store the low @width bytes of @v at @p, big-endian if @msb. */
static inline void elfimg_put(u8 *p, unsigned int width, u64 v, bool msb)
{
	unsigned int i;

	for (i = 0; i < width; i++)
		p[msb ? width - 1 - i : i] = v >> (8 * i);
}

/* The @width-byte value at @p, big-endian if @msb. */
static inline u64 elfimg_get(const u8 *p, unsigned int width, bool msb)
{
	unsigned int i;
	u64 v = 0;

	for (i = 0; i < width; i++)
		v |= (u64)p[msb ? width - 1 - i : i] << (8 * i);
	return v;
}

/* Where field @f of section header @index is, and its @width. */
static inline u8 *elfimg_sh_field(const struct elfimg *elf, unsigned int index,
				  enum elfimg_sh_field f, unsigned int *width)
{
	static const u8 off64[] = { 0x00, 0x04, 0x18, 0x20, 0x08 };
	static const u8 off32[] = { 0x00, 0x04, 0x10, 0x14, 0x08 };

	*width = f <= ELFIMG_SH_TYPE ? 4 : elf->is64 ? 8 : 4;
	return elf->buf + elf->shoff + index * elf->shentsize +
	       (elf->is64 ? off64[f] : off32[f]);
}

static inline void elfimg_set_sh(struct elfimg *elf, unsigned int index,
				 enum elfimg_sh_field f, u64 v)
{
	unsigned int width;
	u8 *p = elfimg_sh_field(elf, index, f, &width);

	elfimg_put(p, width, v, elf->msb);
}

static inline u64 elfimg_get_sh(const struct elfimg *elf, unsigned int index,
				enum elfimg_sh_field f)
{
	unsigned int width;
	u8 *p = elfimg_sh_field(elf, index, f, &width);

	return elfimg_get(p, width, elf->msb);
}

static inline void elfimg_set_eh(struct elfimg *elf, enum elfimg_eh_field f,
				 u64 v)
{
	static const u8 off64[] = { 0x28, 0x3a, 0x3c, 0x3e };
	static const u8 off32[] = { 0x20, 0x2e, 0x30, 0x32 };
	unsigned int width = f == ELFIMG_EH_SHOFF ? (elf->is64 ? 8 : 4) : 2;

	elfimg_put(elf->buf + (elf->is64 ? off64[f] : off32[f]), width, v,
		   elf->msb);
}

/* A .modinfo section holding @len bytes of @data. */
static inline struct elfimg_sec elfimg_modinfo_sec(const char *data,
						   size_t len)
{
	return (struct elfimg_sec){
		.name = ".modinfo", .type = ELFIMG_SHT_PROGBITS,
		.flags = ELFIMG_SHF_ALLOC, .data = data, .len = len,
		.align = 1,
	};
}

/*
 * A this_module section of @size bytes (0 for sizeof(struct module) on
 * the tests' targets, at most ELFIMG_MOD_MAX) naming @name, its contents
 * built in @buf, of ELFIMG_MOD_MAX zeroed bytes.
 */
static inline struct elfimg_sec elfimg_mod_sec(bool is64, const char *name,
					       size_t size, u8 *buf)
{
	/* struct module: state, list, then name[MODULE_NAME_LEN]. */
	size_t off = is64 ? 24 : 12, name_len = is64 ? 56 : 60;

	memcpy(buf + off, name, strnlen(name, name_len));
	return (struct elfimg_sec){
		.name = ".gnu.linkonce.this_module",
		.type = ELFIMG_SHT_PROGBITS,
		.flags = ELFIMG_SHF_WRITE | ELFIMG_SHF_ALLOC, .data = buf,
		.len = size ? size : is64 ? 128 : 96,
		.align = is64 ? 8 : 4,
	};
}

/* Put the sections of @spec in @s->secs; returns how many (with 0). */
static inline unsigned int elfimg_sections(const struct elfimg_spec *spec,
					   struct elfimg *elf,
					   struct elfimg_scratch *s)
{
	static const u8 text[16] = { 0xc3 };
	struct elfimg_sec *secs = s->secs;
	const struct elfimg_extra *x;
	unsigned int n = 1, i;

	for (i = 0; i < spec->nr_extra; i++) {
		x = &spec->extra[i];
		elf->extra[i] = n;
		if (x->this_module)
			secs[n] = elfimg_mod_sec(spec->is64, x->mod_name, 0,
						 s->mods[1 + i]);
		else
			secs[n] = elfimg_modinfo_sec(x->modinfo,
						     x->modinfo_len);
		if (x->no_alloc)
			secs[n].flags &= ~(u64)ELFIMG_SHF_ALLOC;
		n++;
	}
	if (spec->modinfo) {
		elf->modinfo = n;
		secs[n++] = elfimg_modinfo_sec(spec->modinfo,
					       spec->modinfo_len);
	}
	if (spec->mod_name) {
		elf->mod = n;
		secs[n++] = elfimg_mod_sec(spec->is64, spec->mod_name,
					   spec->mod_size, s->mods[0]);
	}
	if (spec->text_bss) {
		elf->text = n;
		secs[n++] = (struct elfimg_sec){
			.name = ".text", .type = ELFIMG_SHT_PROGBITS,
			.flags = ELFIMG_SHF_ALLOC | ELFIMG_SHF_EXECINSTR,
			.data = text, .len = sizeof(text), .align = 16,
		};
		elf->bss = n;
		secs[n++] = (struct elfimg_sec){
			.name = ".bss", .type = ELFIMG_SHT_NOBITS,
			.flags = ELFIMG_SHF_WRITE | ELFIMG_SHF_ALLOC,
			.sh_size = 0x40000000, .align = 64,
		};
	}
	if (spec->strtab_first) {
		/* Shift the others up; .shstrtab goes to index 1. */
		memmove(&secs[2], &secs[1], (n - 1) * sizeof(secs[0]));
		elf->modinfo += elf->modinfo ? 1 : 0;
		elf->mod += elf->mod ? 1 : 0;
		elf->text += elf->text ? 1 : 0;
		elf->bss += elf->bss ? 1 : 0;
		for (i = 0; i < spec->nr_extra; i++)
			elf->extra[i]++;
		elf->shstrtab = 1;
		n++;
	} else {
		elf->shstrtab = n++;
	}
	secs[elf->shstrtab] = (struct elfimg_sec){
		.name = ".shstrtab", .type = ELFIMG_SHT_STRTAB,
		.data = s->strtab, .align = 1,
	};
	return n;
}

/*
 * Lay out the image @spec describes: the sections in @s, the rest in
 * @elf, its size in elf->size; elf->buf is left NULL. Returns 0, or
 * -E2BIG if @spec asks for more than the scratch area holds.
 */
static inline int elfimg_layout(const struct elfimg_spec *spec,
				struct elfimg *elf, struct elfimg_scratch *s)
{
	struct elfimg_sec *secs = s->secs;
	size_t strtab_len = 1, pos, len;
	unsigned int n, i;

	if (spec->nr_extra > ELFIMG_MAX_EXTRA ||
	    spec->mod_size > ELFIMG_MOD_MAX)
		return -E2BIG;
	memset(s, 0, sizeof(*s));
	memset(elf, 0, sizeof(*elf));
	elf->is64 = spec->is64;
	elf->msb = spec->msb;
	elf->shentsize = spec->is64 ? 64 : 40;
	n = elfimg_sections(spec, elf, s);

	for (i = 1; i < n; i++) {
		secs[i].name_off = strtab_len;
		len = strlen(secs[i].name) + 1;
		if (len > sizeof(s->strtab) - strtab_len)
			return -E2BIG;
		memcpy(s->strtab + strtab_len, secs[i].name, len);
		strtab_len += len;
	}
	secs[elf->shstrtab].len = strtab_len;

	pos = spec->is64 ? 64 : 52;	/* e_ehsize */
	for (i = 1; i < n; i++) {
		pos = (pos + secs[i].align - 1) / secs[i].align * secs[i].align;
		secs[i].offset = pos;
		pos += secs[i].len;
	}
	pos = (pos + 7) & ~(size_t)7;
	elf->shoff = pos;
	elf->shnum = n;
	elf->size = pos + n * elf->shentsize;
	return 0;
}

/*
 * Write the image elfimg_layout() laid out for @spec into elf->buf, of
 * elf->size zeroed bytes.
 */
static inline void elfimg_write(const struct elfimg_spec *spec,
				struct elfimg *elf,
				const struct elfimg_scratch *s)
{
	const struct elfimg_sec *secs = s->secs;
	unsigned int i, ehsize = spec->is64 ? 64 : 52, w = spec->is64 ? 8 : 4;
	u8 *p = elf->buf, *sh;

	memcpy(p, "\177ELF", 4);
	p[4] = spec->is64 ? 2 : 1;		/* EI_CLASS */
	p[5] = spec->msb ? 2 : 1;		/* EI_DATA */
	p[6] = 1;				/* EI_VERSION */
	elfimg_put(p + 16, 2, ELFIMG_ET_REL, elf->msb);
	/* EM_MIPS for big-endian, EM_X86_64 or EM_ARM for little. */
	elfimg_put(p + 18, 2, spec->msb ? 8 : spec->is64 ? 62 : 40, elf->msb);
	elfimg_put(p + 20, 4, 1, elf->msb);	/* e_version */
	elfimg_put(p + (spec->is64 ? 52 : 40), 2, ehsize, elf->msb);
	elfimg_set_eh(elf, ELFIMG_EH_SHOFF, elf->shoff);
	elfimg_set_eh(elf, ELFIMG_EH_SHENTSIZE, elf->shentsize);
	elfimg_set_eh(elf, ELFIMG_EH_SHNUM, elf->shnum);
	elfimg_set_eh(elf, ELFIMG_EH_SHSTRNDX, elf->shstrtab);

	for (i = 1; i < elf->shnum; i++) {
		sh = p + elf->shoff + i * elf->shentsize;
		if (secs[i].len)
			memcpy(p + secs[i].offset, secs[i].data, secs[i].len);
		elfimg_put(sh, 4, secs[i].name_off, elf->msb);
		elfimg_put(sh + 4, 4, secs[i].type, elf->msb);
		elfimg_put(sh + 8, w, secs[i].flags, elf->msb);
		/* sh_addr is 0; offset and size follow it. */
		elfimg_put(sh + 8 + 2 * w, w, secs[i].offset, elf->msb);
		elfimg_put(sh + 8 + 3 * w, w,
			   secs[i].type == ELFIMG_SHT_NOBITS ?
			   secs[i].sh_size : secs[i].len, elf->msb);
		/* sh_addralign after sh_link and sh_info. */
		elfimg_put(sh + 16 + 4 * w, w, secs[i].align, elf->msb);
	}
}

#endif /* _IGLOO_KMODS_TESTS_ELF_IMAGE_H */
