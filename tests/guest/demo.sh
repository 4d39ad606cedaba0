#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo guest: boots like a penguin guest (igloo.ko first, then
# igloo_kmods with a policy), then plays a firmware init script that
# loads its vendor modules. It declares every record it expects, so the
# demo checks itself.

. /kmods/lib.sh

T=$KMODS_T
DUMMY=/lib/modules/$(uname -r)/kernel/drivers/net/dummy.ko
mkdir -p /lib/firmware-modules
FW=/lib/firmware-modules

begin demo
# penguin's preinit loads its own driver first.
run_rc 0 insmod $T/igloo.ko
kmods_load allowlist=dummy,ikm_other denylist=ikm_mark
echo "policy: allowlist=$(param allowlist) denylist=$(param denylist) mode=$(param mode)"

# The firmware's vendor modules: one renamed, one unknown.
cp $T/ikm_mark.ko $FW/nf_conntrack.ko
cp $T/ikm_dash_name.ko $FW/vendor_wifi.ko

for ko in $DUMMY $T/ikm_other.ko $T/ikm_mark.ko $FW/nf_conntrack.ko \
	$FW/vendor_wifi.ko; do
	insmod $ko
	echo "firmware: insmod $ko -> exit $?"
done
expect load finit_module false dummy allow allowlist 0 $DUMMY
expect load finit_module false ikm_other allow allowlist 0 $T/ikm_other.ko
expect load finit_module false ikm_mark block denylist 0 $T/ikm_mark.ko
expect load finit_module false ikm_mark block denylist 0 $FW/nf_conntrack.ko
expect load finit_module false ikm_dash_name block default 0 $FW/vendor_wifi.ko
check "dummy not loaded" loaded dummy
check "ikm_other not loaded" loaded ikm_other
check "denied ikm_mark loaded" not loaded ikm_mark
check "unknown vendor_wifi loaded" not loaded ikm_dash_name
echo "loaded now: $(ls /sys/module | grep -E '^(igloo|dummy|ikm_)' | tr '\n' ' ')"
echo "counters: attempts=$(param attempts) allowed=$(param allowed) blocked=$(param blocked) dropped=$(param dropped)"
kmods_unload
end
kmods_out "KMODS-DONE"
