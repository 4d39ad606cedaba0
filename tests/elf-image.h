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
 * .text SHF_ALLOC | SHF_EXECINSTR ("AX"), .shstrtab none. With @symtab,
 * a .symtab of three symbols (the null one, one in the first SHF_ALLOC
 * section, one SHN_ABS), its .strtab, and one relocation against the
 * first symbol at offset 0 of that section (.rela, or .rel with @rel)
 * come before .shstrtab, as the kernel's loader wants them.
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
#define ELFIMG_SHT_SYMTAB	2
#define ELFIMG_SHT_STRTAB	3
#define ELFIMG_SHT_RELA		4
#define ELFIMG_SHT_NOBITS	8
#define ELFIMG_SHT_REL		9
#define ELFIMG_SHN_ABS		0xfff1
#define ELFIMG_NR_SYMS		3
#define ELFIMG_SHF_WRITE	0x1
#define ELFIMG_SHF_ALLOC	0x2
#define ELFIMG_SHF_EXECINSTR	0x4
#define ELFIMG_MAX_EXTRA	4
/*
 * Null, extras, .modinfo, this_module, .text, .bss, .symtab, .strtab,
 * .rela, .shstrtab.
 */
#define ELFIMG_MAX_SECS		(9 + ELFIMG_MAX_EXTRA)
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
	bool symtab;		/* add .symtab, .strtab and a relocation */
	bool rel;		/* the relocation in .rel, not .rela */
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
	unsigned int symtab;
	unsigned int strtab;
	unsigned int rela;	/* .rela or .rel */
	unsigned int reltarget;	/* the section it relocates */
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
	u32 link;
	u32 info;
	unsigned int entsize;
	u64 offset;
	u32 name_off;
};

/* What elfimg_layout() works out for elfimg_write(). */
struct elfimg_scratch {
	struct elfimg_sec secs[ELFIMG_MAX_SECS];
	/* this_module contents: the spec's, then one per extra. */
	u8 mods[1 + ELFIMG_MAX_EXTRA][ELFIMG_MOD_MAX];
	char strtab[ELFIMG_STRTAB_MAX];
	u8 syms[ELFIMG_NR_SYMS * 24];	/* .symtab contents */
	u8 rela[24];			/* the relocation */
};

/* .strtab of the @symtab images: the symbols' names. */
static const char elfimg_symstr[] = "\0ikm_sym_a\0ikm_sym_b";

enum elfimg_eh_field { ELFIMG_EH_SHOFF, ELFIMG_EH_SHENTSIZE, ELFIMG_EH_SHNUM,
		       ELFIMG_EH_SHSTRNDX };
enum elfimg_sh_field { ELFIMG_SH_NAME, ELFIMG_SH_TYPE, ELFIMG_SH_OFFSET,
		       ELFIMG_SH_SIZE, ELFIMG_SH_FLAGS, ELFIMG_SH_LINK,
		       ELFIMG_SH_INFO };

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
	static const u8 off64[] = { 0x00, 0x04, 0x18, 0x20, 0x08, 0x28, 0x2c };
	static const u8 off32[] = { 0x00, 0x04, 0x10, 0x14, 0x08, 0x18, 0x1c };

	*width = f <= ELFIMG_SH_TYPE || f >= ELFIMG_SH_LINK ? 4 :
		 elf->is64 ? 8 : 4;
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

enum elfimg_sym_field { ELFIMG_SYM_NAME, ELFIMG_SYM_SHNDX };

/* Set field @f of symbol @index of a @symtab image. */
static inline void elfimg_set_sym(struct elfimg *elf, unsigned int index,
				  enum elfimg_sym_field f, u64 v)
{
	u8 *sym = elf->buf + elfimg_get_sh(elf, elf->symtab, ELFIMG_SH_OFFSET) +
		  index * (elf->is64 ? 24 : 16);

	if (f == ELFIMG_SYM_NAME)
		elfimg_put(sym, 4, v, elf->msb);
	else
		elfimg_put(sym + (elf->is64 ? 6 : 14), 2, v, elf->msb);
}

/*
 * Make the relocation of a @symtab image apply at @offset of its target
 * and name symbol @sym (type 1), r_info laid out as ELF64_R_INFO() or
 * ELF32_R_INFO() have it.
 */
static inline void elfimg_set_reloc(struct elfimg *elf, u64 offset, u64 sym)
{
	unsigned int w = elf->is64 ? 8 : 4;
	u8 *r = elf->buf + elfimg_get_sh(elf, elf->rela, ELFIMG_SH_OFFSET);

	elfimg_put(r, w, offset, elf->msb);
	if (elf->is64)
		elfimg_put(r + w, 8, (sym << 32) | 1, elf->msb);
	else
		elfimg_put(r + w, 4, (sym << 8) | 1, elf->msb);
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
	if (spec->symtab) {
		unsigned int w = spec->is64 ? 8 : 4;

		elf->symtab = n;
		secs[n++] = (struct elfimg_sec){
			.name = ".symtab", .type = ELFIMG_SHT_SYMTAB,
			.data = s->syms, .align = w,
			.len = ELFIMG_NR_SYMS * (spec->is64 ? 24 : 16),
			.entsize = spec->is64 ? 24 : 16,
		};
		elf->strtab = n;
		secs[n++] = (struct elfimg_sec){
			.name = ".strtab", .type = ELFIMG_SHT_STRTAB,
			.data = elfimg_symstr, .len = sizeof(elfimg_symstr),
			.align = 1,
		};
		elf->rela = n;
		secs[n++] = (struct elfimg_sec){
			.name = spec->rel ? ".rel" : ".rela",
			.type = spec->rel ? ELFIMG_SHT_REL : ELFIMG_SHT_RELA,
			.data = s->rela, .len = (spec->rel ? 2 : 3) * w,
			.align = w, .entsize = (spec->rel ? 2 : 3) * w,
		};
	}
	if (spec->strtab_first) {
		/* Shift the others up; .shstrtab goes to index 1. */
		memmove(&secs[2], &secs[1], (n - 1) * sizeof(secs[0]));
		elf->modinfo += elf->modinfo ? 1 : 0;
		elf->mod += elf->mod ? 1 : 0;
		elf->text += elf->text ? 1 : 0;
		elf->bss += elf->bss ? 1 : 0;
		elf->symtab += elf->symtab ? 1 : 0;
		elf->strtab += elf->strtab ? 1 : 0;
		elf->rela += elf->rela ? 1 : 0;
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
 * The symbols and the relocation of a @symtab image, once the section
 * indices are known: ikm_sym_a in the first SHF_ALLOC section (the
 * relocation's target), ikm_sym_b SHN_ABS.
 */
static inline void elfimg_symbols(const struct elfimg_spec *spec,
				  struct elfimg *elf, struct elfimg_scratch *s,
				  unsigned int n)
{
	unsigned int symsize = spec->is64 ? 24 : 16, w = spec->is64 ? 8 : 4;
	unsigned int shndx_at = spec->is64 ? 6 : 14, i;
	struct elfimg_sec *secs = s->secs;
	u8 *sym;

	for (i = 1; i < n && !elf->reltarget; i++) {
		if (secs[i].flags & ELFIMG_SHF_ALLOC)
			elf->reltarget = i;
	}
	secs[elf->symtab].link = elf->strtab;
	secs[elf->symtab].info = 1;	/* the first global symbol */
	secs[elf->rela].link = elf->symtab;
	secs[elf->rela].info = elf->reltarget;
	sym = s->syms + symsize;
	elfimg_put(sym, 4, 1, spec->msb);		/* "ikm_sym_a" */
	elfimg_put(sym + shndx_at, 2, elf->reltarget, spec->msb);
	sym += symsize;
	elfimg_put(sym, 4, 11, spec->msb);		/* "ikm_sym_b" */
	elfimg_put(sym + shndx_at, 2, ELFIMG_SHN_ABS, spec->msb);
	/* r_offset 0; r_info: symbol 1, type 1. */
	if (spec->is64)
		elfimg_put(s->rela + w, 8, (1ULL << 32) | 1, spec->msb);
	else
		elfimg_put(s->rela + w, 4, (1 << 8) | 1, spec->msb);
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
	if (spec->symtab)
		elfimg_symbols(spec, elf, s, n);

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
		elfimg_put(sh + 8 + 4 * w, 4, secs[i].link, elf->msb);
		elfimg_put(sh + 12 + 4 * w, 4, secs[i].info, elf->msb);
		elfimg_put(sh + 16 + 4 * w, w, secs[i].align, elf->msb);
		elfimg_put(sh + 16 + 5 * w, w, secs[i].entsize, elf->msb);
	}
}

/*
 * The symbol, string and relocation tables of a @symtab image, broken one
 * way each (or left alone), and what kmods_image_name() must answer: the
 * tables the kernel's loader reads without a check of its own. Shared by
 * the unit test and KUnit, which run each on every layout.
 */
struct elfimg_table_case {
	const char *desc;
	void (*apply)(struct elfimg *elf);
	int want;
};

static inline u64 elfimg_sh_size(const struct elfimg *elf, unsigned int i)
{
	return elfimg_get_sh(elf, i, ELFIMG_SH_SIZE);
}

static inline void elfimg_tc_none(struct elfimg *elf)
{
	(void)elf;
}

static inline void elfimg_tc_link_undef(struct elfimg *elf)
{
	elfimg_set_sh(elf, elf->symtab, ELFIMG_SH_LINK, 0);
}

static inline void elfimg_tc_link_shnum(struct elfimg *elf)
{
	elfimg_set_sh(elf, elf->symtab, ELFIMG_SH_LINK, elf->shnum);
}

static inline void elfimg_tc_link_progbits(struct elfimg *elf)
{
	elfimg_set_sh(elf, elf->symtab, ELFIMG_SH_LINK, elf->reltarget);
}

static inline void elfimg_tc_link_shstrtab(struct elfimg *elf)
{
	elfimg_set_sh(elf, elf->symtab, ELFIMG_SH_LINK, elf->shstrtab);
}

static inline void elfimg_tc_strtab_nonul(struct elfimg *elf)
{
	elf->buf[elfimg_get_sh(elf, elf->strtab, ELFIMG_SH_OFFSET) +
		 elfimg_sh_size(elf, elf->strtab) - 1] = 'x';
}

static inline void elfimg_tc_strtab_empty(struct elfimg *elf)
{
	elfimg_set_sh(elf, elf->strtab, ELFIMG_SH_SIZE, 0);
}

static inline void elfimg_tc_strtab_nobits(struct elfimg *elf)
{
	elfimg_set_sh(elf, elf->strtab, ELFIMG_SH_TYPE, ELFIMG_SHT_NOBITS);
}

static inline void elfimg_tc_strtab_past_end(struct elfimg *elf)
{
	elfimg_set_sh(elf, elf->strtab, ELFIMG_SH_SIZE, elf->size -
		      elfimg_get_sh(elf, elf->strtab, ELFIMG_SH_OFFSET) + 1);
}

static inline void elfimg_tc_symtab_past_end(struct elfimg *elf)
{
	elfimg_set_sh(elf, elf->symtab, ELFIMG_SH_OFFSET, elf->size - 8);
}

static inline void elfimg_tc_two_symtabs(struct elfimg *elf)
{
	elfimg_set_sh(elf, elf->rela, ELFIMG_SH_TYPE, ELFIMG_SHT_SYMTAB);
}

static inline void elfimg_tc_name_at_size(struct elfimg *elf)
{
	elfimg_set_sym(elf, 2, ELFIMG_SYM_NAME, elfimg_sh_size(elf, elf->strtab));
}

static inline void elfimg_tc_name_last(struct elfimg *elf)
{
	elfimg_set_sym(elf, 2, ELFIMG_SYM_NAME,
		       elfimg_sh_size(elf, elf->strtab) - 1);
}

static inline void elfimg_tc_name_sym0(struct elfimg *elf)
{
	elfimg_set_sym(elf, 0, ELFIMG_SYM_NAME, 0xffffffff);
}

static inline void elfimg_tc_shndx_shnum(struct elfimg *elf)
{
	elfimg_set_sym(elf, 1, ELFIMG_SYM_SHNDX, elf->shnum);
}

static inline void elfimg_tc_shndx_last(struct elfimg *elf)
{
	elfimg_set_sym(elf, 1, ELFIMG_SYM_SHNDX, elf->shnum - 1);
}

static inline void elfimg_tc_shndx_loreserve(struct elfimg *elf)
{
	elfimg_set_sym(elf, 1, ELFIMG_SYM_SHNDX, 0xff00);
}

static inline void elfimg_tc_shndx_xindex(struct elfimg *elf)
{
	elfimg_set_sym(elf, 1, ELFIMG_SYM_SHNDX, 0xffff);
}

static inline void elfimg_tc_shndx_special(struct elfimg *elf)
{
	/* SHN_UNDEF, SHN_COMMON, SHN_LIVEPATCH; symbol 2 is SHN_ABS. */
	elfimg_set_sym(elf, 0, ELFIMG_SYM_SHNDX, 0);
	elfimg_set_sym(elf, 1, ELFIMG_SYM_SHNDX, 0xfff2);
	elfimg_set_sym(elf, 2, ELFIMG_SYM_SHNDX, 0xff20);
}

static inline void elfimg_tc_reloc_at_size(struct elfimg *elf)
{
	elfimg_set_reloc(elf, elfimg_sh_size(elf, elf->reltarget), 1);
}

static inline void elfimg_tc_reloc_last(struct elfimg *elf)
{
	elfimg_set_reloc(elf, elfimg_sh_size(elf, elf->reltarget) - 1, 2);
}

static inline void elfimg_tc_reloc_nsyms(struct elfimg *elf)
{
	elfimg_set_reloc(elf, 0, ELFIMG_NR_SYMS);
}

static inline void elfimg_tc_reloc_huge_sym(struct elfimg *elf)
{
	elfimg_set_reloc(elf, 0, elf->is64 ? 0xffffffffULL : 0xffffff);
}

/* Relocations the loader skips: their target is not a loaded section. */
static inline void elfimg_tc_reloc_target_shnum(struct elfimg *elf)
{
	elfimg_set_reloc(elf, ~0ULL, ELFIMG_NR_SYMS);
	elfimg_set_sh(elf, elf->rela, ELFIMG_SH_INFO, elf->shnum);
}

static inline void elfimg_tc_reloc_target_noalloc(struct elfimg *elf)
{
	elfimg_set_reloc(elf, ~0ULL, ELFIMG_NR_SYMS);
	elfimg_set_sh(elf, elf->rela, ELFIMG_SH_INFO, elf->strtab);
}

static const struct elfimg_table_case elfimg_table_cases[] = {
	{ "valid", elfimg_tc_none, 0 },
	{ "symtab sh_link SHN_UNDEF", elfimg_tc_link_undef, -ENOEXEC },
	{ "symtab sh_link e_shnum", elfimg_tc_link_shnum, -ENOEXEC },
	{ "symtab sh_link to PROGBITS", elfimg_tc_link_progbits, -ENOEXEC },
	{ "symtab sh_link to .shstrtab", elfimg_tc_link_shstrtab, 0 },
	{ "strtab without final NUL", elfimg_tc_strtab_nonul, -ENOEXEC },
	{ "strtab empty", elfimg_tc_strtab_empty, -ENOEXEC },
	{ "strtab NOBITS", elfimg_tc_strtab_nobits, -ENOEXEC },
	{ "strtab past the end", elfimg_tc_strtab_past_end, -ENOEXEC },
	{ "symtab past the end", elfimg_tc_symtab_past_end, -ENOEXEC },
	{ "two symtabs", elfimg_tc_two_symtabs, -ENOEXEC },
	{ "st_name at strtab size", elfimg_tc_name_at_size, -ENOEXEC },
	{ "st_name at strtab's last byte", elfimg_tc_name_last, 0 },
	{ "symbol 0 st_name 0xffffffff", elfimg_tc_name_sym0, -ENOEXEC },
	{ "st_shndx e_shnum", elfimg_tc_shndx_shnum, -ENOEXEC },
	{ "st_shndx last section", elfimg_tc_shndx_last, 0 },
	{ "st_shndx SHN_LORESERVE", elfimg_tc_shndx_loreserve, -ENOEXEC },
	{ "st_shndx SHN_XINDEX", elfimg_tc_shndx_xindex, -ENOEXEC },
	{ "st_shndx UNDEF, COMMON, LIVEPATCH", elfimg_tc_shndx_special, 0 },
	{ "r_offset at target size", elfimg_tc_reloc_at_size, -ENOEXEC },
	{ "r_offset at target's last byte", elfimg_tc_reloc_last, 0 },
	{ "r_info symbol nsyms", elfimg_tc_reloc_nsyms, -ENOEXEC },
	{ "r_info symbol huge", elfimg_tc_reloc_huge_sym, -ENOEXEC },
	{ "relocation of section e_shnum", elfimg_tc_reloc_target_shnum, 0 },
	{ "relocation of a non-ALLOC section", elfimg_tc_reloc_target_noalloc,
	  0 },
};

#endif /* _IGLOO_KMODS_TESTS_ELF_IMAGE_H */
