# SPDX-License-Identifier: GPL-2.0
#
# igloo_kmods: user targets. The kernel build itself is driven by Kbuild.
#
#   make                       build igloo_kmods.ko for the running kernel
#   make KDIR=/path/to/build   ... for another kernel tree
#   make demo                  boot a guest and show a policy at work
#   make check                 run every test tier
#   make sparse checkpatch     static checks
#   make ARCH=arm64            igloo_kmods.ko for Debian's stock 6.1 arm64
#                              kernel (also armhf armel mipsel mips64el
#                              ppc64el i386, or aarch64 arm mips mips64
#                              ppc64le i686): headers fetched into
#                              ~/.cache/igloo_kmods on first use (mipseb:
#                              a big-endian kernel built there), the module
#                              built in build/kmods/<abi>/ (make cross
#                              ARCH=... too; tests/arch.sh --build-only)
#   make ARCH=riscv64          ... for penguin's 6.13 architectures
#                              (also powerpc: 32-bit big-endian, mips64eb;
#                              powerpc64 stops with an #error): against a
#                              6.12 kernel built in the cache (powerpc64:
#                              a 6.12 tree configured and modules_prepare'd
#                              there)
#   make cross-check           the guest scenarios on every one of those
#                              architectures under QEMU (tests/arch.sh)

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

# ARCH naming another architecture: build for its Debian kernel instead.
KMODS_CROSS_ARCH := $(filter arm64 aarch64 armhf arm armel mipsel mips mipseb \
		      mips64el mips64 ppc64el ppc64le i386 i686 \
		      riscv64 riscv powerpc ppc powerpc64 ppc64 mips64eb,$(ARCH))
ifneq ($(KMODS_CROSS_ARCH),)
.DEFAULT_GOAL := cross
endif

all: module collector

module:
ifneq ($(KMODS_CROSS_ARCH),)
	$(MAKE) cross
else
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
endif

# The kernel build gets its own ARCH and CROSS_COMPILE (tests/cross/lib.sh),
# not this make's.
cross:
	@test -n "$(KMODS_CROSS_ARCH)" || { echo "make cross: set ARCH to one of arm64 armhf armel mipsel mips64el mipseb ppc64el i386 riscv64 powerpc powerpc64 mips64eb" >&2; exit 1; }
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		tests/arch.sh --build-only --arch $(KMODS_CROSS_ARCH)

cross-check:
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL tests/arch.sh

collector:
	$(MAKE) -C collector

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

checkpatch:
	tests/static-checks.sh

demo:
	tests/demo.sh

check:
	tests/run.sh

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C collector clean

.PHONY: all module collector sparse checkpatch demo check modules_install clean
.PHONY: cross cross-check

# make dkms-install: copy what DKMS builds from (Kbuild, compat.mk,
# Makefile, dkms.conf, the module's *.c and *.h, include/) to
# $(DESTDIR)/usr/src/igloo_kmods-<PACKAGE_VERSION of dkms.conf>/, replacing
# an older copy; then `dkms add igloo_kmods/<version>` (tests/dkms.sh).
dkms-install:
	@set -e; \
	ver=$$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$$/\1/p' dkms.conf); \
	test -n "$$ver" || { echo "dkms.conf: no PACKAGE_VERSION" >&2; exit 1; }; \
	dest="$(DESTDIR)/usr/src/igloo_kmods-$$ver"; \
	rm -rf "$$dest"; \
	mkdir -p "$$dest"; \
	cp -p Kbuild compat.mk Makefile dkms.conf \
		$(filter-out %.mod.c,$(wildcard *.c)) $(wildcard *.h) "$$dest/"; \
	cp -pR include "$$dest/"; \
	echo "installed the igloo_kmods $$ver sources in $$dest"

# make bench: the performance measurements (tests/bench.sh; not part of
# make check), written to Documentation/benchmark.rst.
bench:
	tests/bench.sh

.PHONY: dkms-install bench
