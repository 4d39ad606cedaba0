# SPDX-License-Identifier: GPL-2.0
#
# igloo_kmods: user targets. The kernel build itself is driven by Kbuild.
#
#   make                       build igloo_kmods.ko for the running kernel
#   make KDIR=/path/to/build   ... for another kernel tree
#   make demo                  boot a guest and show a policy at work
#   make check                 run every test tier
#   make sparse checkpatch     static checks

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

all: module collector

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

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
