#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Craft hostile module images from a real test module.

Usage: mkimages.py MODULE.ko OUTDIR [OTHER.ko]

Writes, next to each other in OUTDIR, copies of MODULE.ko broken one way
each (32/64-bit, either byte order):
  shoff-past-end.ko   section header table starts past the end of the file
  shnum-huge.ko       e_shnum 0xfeff: the table runs past the end
  shstrndx-bad.ko     e_shstrndx beyond the section count
  modinfo-nonul.ko    .modinfo's last byte is not NUL
  name-long.ko        .modinfo name= of 60 characters (>= MODULE_NAME_LEN)
  name-slash.ko       .modinfo name= with a '/'
  name-ctrl.ko        .modinfo name= with a newline
  name-mismatch.ko    .modinfo and .gnu.linkonce.this_module disagree
  ikm_marx.ko         both names' last letter changed to 'x': the same
                      module under another name, for the TOCTOU race
  ei-version-0/MODULE.ko
                      OTHER.ko with e_ident[EI_VERSION] zeroed (the kernel
                      loads it; igloo_kmods' ELF reader does not), under
                      MODULE's file name

Modules built for kernels before 5.x (4.10, penguin's default) have no
.modinfo name=: their only name is .gnu.linkonce.this_module's, and the
name-* images change that one instead (name-long: the whole field, with no
NUL). name-mismatch needs two names and is not written for them.
"""

import os
import struct
import sys


class Elf:
    def __init__(self, data):
        self.data = bytearray(data)
        if self.data[:4] != b"\x7fELF":
            raise ValueError("not an ELF file")
        self.is64 = self.data[4] == 2
        self.end = "<" if self.data[5] == 1 else ">"
        if self.is64:
            self.shoff_at, self.shoff_fmt = 0x28, "Q"
            self.shentsize_at = 0x3A
            self.shnum_at, self.shstrndx_at = 0x3C, 0x3E
        else:
            self.shoff_at, self.shoff_fmt = 0x20, "I"
            self.shentsize_at = 0x2E
            self.shnum_at, self.shstrndx_at = 0x30, 0x32

    def get(self, fmt, off):
        return struct.unpack_from(self.end + fmt, self.data, off)[0]

    def put(self, fmt, off, value):
        struct.pack_into(self.end + fmt, self.data, off, value)

    def sections(self):
        shoff = self.get(self.shoff_fmt, self.shoff_at)
        shentsize = self.get("H", self.shentsize_at)
        shnum = self.get("H", self.shnum_at)
        shstrndx = self.get("H", self.shstrndx_at)
        secs = []
        for i in range(shnum):
            base = shoff + i * shentsize
            name = self.get("I", base)
            if self.is64:
                off, size = self.get("Q", base + 0x18), self.get("Q", base + 0x20)
            else:
                off, size = self.get("I", base + 0x10), self.get("I", base + 0x14)
            secs.append((name, off, size))
        strtab = secs[shstrndx]
        named = {}
        for name, off, size in secs:
            start = strtab[1] + name
            end = self.data.index(b"\0", start)
            named[self.data[start:end].decode()] = (off, size)
        return named

    def has_modinfo_name(self):
        off, size = self.sections()[".modinfo"]
        return (self.data[off:off + 5] == b"name=" or
                self.data.find(b"\0name=", off, off + size) >= 0)

    def modinfo_name_at(self):
        off, size = self.sections()[".modinfo"]
        if self.data[off:off + 5] == b"name=":
            return off + 5
        pos = self.data.index(b"\0name=", off, off + size) + 1
        return pos + 5

    def name_at(self):
        """The name the module goes by: .modinfo's, else this_module's."""
        if self.has_modinfo_name():
            return self.modinfo_name_at()
        return self.this_module_name_at()

    def this_module_name_at(self):
        off, _ = self.sections()[".gnu.linkonce.this_module"]
        return off + (24 if self.is64 else 12)


def variants(orig):
    def fresh():
        return Elf(orig)

    e = fresh()
    e.put(e.shoff_fmt, e.shoff_at, len(e.data) + 4096)
    yield "shoff-past-end.ko", e

    e = fresh()
    e.put("H", e.shnum_at, 0xFEFF)
    yield "shnum-huge.ko", e

    e = fresh()
    e.put("H", e.shstrndx_at, e.get("H", e.shnum_at) + 5)
    yield "shstrndx-bad.ko", e

    e = fresh()
    off, size = e.sections()[".modinfo"]
    e.data[off + size - 1] = ord("x")
    yield "modinfo-nonul.ko", e

    e = fresh()
    if e.has_modinfo_name():
        at = e.modinfo_name_at()
        e.data[at:at + 61] = b"n" * 60 + b"\0"
    else:
        # MODULE_NAME_LEN: 64 - sizeof(unsigned long)
        at = e.this_module_name_at()
        e.data[at:at + (56 if e.is64 else 60)] = b"n" * (56 if e.is64 else 60)
    yield "name-long.ko", e

    for fname, char in (("name-slash.ko", b"/"), ("name-ctrl.ko", b"\n")):
        e = fresh()
        at = e.name_at()
        e.data[at + 3:at + 4] = char
        yield fname, e

    e = fresh()
    at = e.this_module_name_at()
    name_end = e.data.index(b"\0", at)
    e.data[name_end - 1] = ord("x")
    if e.has_modinfo_name():
        yield "name-mismatch.ko", e
        at = e.modinfo_name_at()
        name_end = e.data.index(b"\0", at)
        e.data[name_end - 1] = ord("x")
    yield "ikm_marx.ko", e


def main():
    src, outdir = sys.argv[1:3]
    os.makedirs(outdir, exist_ok=True)
    with open(src, "rb") as f:
        orig = f.read()
    for name, elf in variants(orig):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(elf.data)
    if len(sys.argv) > 3:
        with open(sys.argv[3], "rb") as f:
            other = Elf(f.read())
        other.data[6] = 0   # EI_VERSION
        os.makedirs(os.path.join(outdir, "ei-version-0"), exist_ok=True)
        with open(os.path.join(outdir, "ei-version-0",
                               os.path.basename(src)), "wb") as f:
            f.write(other.data)


if __name__ == "__main__":
    main()
