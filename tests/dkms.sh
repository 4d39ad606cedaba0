#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/dkms.sh: the DKMS round trip with Debian's own dkms, against every
# kernel whose headers tests/setup.sh installed (tests/setup.sh
# --print-kernels; 6.1 and 6.12 on Debian 12):
#
#	make dkms-install		sources to /usr/src/igloo_kmods-<ver>
#	dkms add igloo_kmods/<ver>
#	dkms build for a kernel without CONFIG_KPROBES: refused
#	(BUILD_EXCLUSIVE_CONFIG)
#	for each kernel:
#		dkms build   igloo_kmods/<ver> -k <abi>
#		dkms install igloo_kmods/<ver> -k <abi> --force
#		modinfo of the installed module: vermagic, every parameter
#		with a description, found by modinfo -k (depmod ran)
#	dkms remove igloo_kmods/<ver> --all
#
# and then checks that the machine is as it was: no igloo_kmods in the
# dkms tree, /usr/src or /lib/modules, and nothing left that the run
# created (depmod's index files and the DKMS signing key included).
# A half-finished earlier run is cleaned up first. Must run as root.
# Prints TAP lines; exit 0 if all passed. Logs: build/dkms/.

set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

PARAMS="allowlist denylist quiet mode block_errno lock attempts allowed
	blocked vetoed records dropped subbuf_size n_subbufs"

LOG=$KMODS_BUILD/dkms
step=0

# run DESCRIPTION COMMAND...: a TAP line for COMMAND; its output goes to a
# log file, whose end is shown when it fails.
run()
{
	local desc=$1 log rc
	shift
	step=$((step + 1))
	log=$LOG/$(printf '%02d' "$step")-$(printf '%s' "$1-$2" | tr -c 'A-Za-z0-9_.-' '_').log
	"$@" >"$log" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc)"
		echo "#   command: $*"
		tail -n 15 "$log" | sed 's/^/#   /'
		[ ! -f "$DKMS_TREE/igloo_kmods/$VER/build/make.log" ] || \
			tail -n 15 "$DKMS_TREE/igloo_kmods/$VER/build/make.log" | \
			sed 's/^/#   make.log: /'
	fi
	return "$rc"
}

# Entries of a directory, one per line (empty when it does not exist).
listing()
{
	[ -d "$1" ] || return 0
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort)
}

# The installed igloo_kmods module file for ABI, or nothing.
installed_ko()
{
	find "/lib/modules/$1/updates" -name 'igloo_kmods.ko*' 2>/dev/null | head -n 1
}

# Undo whatever an earlier (maybe interrupted) run left behind.
cleanup()
{
	local abi

	if dkms status igloo_kmods 2>/dev/null | grep . > /dev/null; then
		dkms remove "igloo_kmods/$VER" --all >>"$LOG/cleanup.log" 2>&1 || true
	fi
	rm -rf "${DKMS_TREE:?}/igloo_kmods" "/usr/src/igloo_kmods-$VER"
	for abi in $ABIS; do
		rm -f "/lib/modules/$abi/updates/dkms/igloo_kmods.ko"*
	done
}

[ "$(id -u)" = 0 ] || kmods_die "must run as root (dkms installs into /lib/modules)"
cd "$KMODS_REPO" || exit 1
rm -rf "$LOG"
mkdir -p "$LOG"

# Another apt run holding the dpkg lock is worth waiting for (5 minutes).
for try in $(seq 10); do
	kernels=$("$KMODS_TESTS/setup.sh" --print-kernels 2>"$LOG/setup.log") && break
	kernels=
	grep -q 'Could not get lock' "$LOG/setup.log" || break
	sleep 30
done
if [ -z "$kernels" ]; then
	echo "not ok - tests/setup.sh --print-kernels failed (tries: $try)"
	tail -n 10 "$LOG/setup.log" | sed 's/^/#   /'
	exit 1
fi
ABIS=$(awk '{ print $2 }' <<<"$kernels")
[ -n "$ABIS" ] || kmods_die "tests/setup.sh listed no kernel"
command -v dkms >/dev/null || kmods_die "dkms is not installed (tests/setup.sh)"

VER=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' dkms.conf)
[ -n "$VER" ] || kmods_die "dkms.conf has no PACKAGE_VERSION"
DKMS_TREE=/var/lib/dkms
echo "# dkms $(dkms --version | sed 's/^dkms-//'), igloo_kmods $VER, kernels: $(echo $ABIS)"

cleanup

# What the run may create and must remove again, as it was before the
# first run: a run that does not finish keeps this snapshot for the next.
STATE=$KMODS_BUILD/dkms.state
if [ ! -f "$STATE/complete" ]; then
	rm -rf "$STATE"
	mkdir -p "$STATE"
	[ ! -e "$DKMS_TREE/mok.key" ] || touch "$STATE/mok-existed"
	for abi in $ABIS; do
		listing "/lib/modules/$abi" >"$STATE/before-$abi.list"
	done
	ls -A /usr/src | LC_ALL=C sort >"$STATE/before-usr-src.list"
	touch "$STATE/complete"
else
	echo "# an earlier run did not finish: restoring the state it found"
fi

if run "make dkms-install copies the sources to /usr/src/igloo_kmods-$VER" \
	make -s dkms-install; then
	want=$( (printf '%s\n' Kbuild compat.mk Makefile dkms.conf ./*.c ./*.h | \
		grep -v '\.mod\.c$' | sed 's|^\./||'; find include -type f) | \
		LC_ALL=C sort)
	got=$(cd "/usr/src/igloo_kmods-$VER" && find . -type f | \
		sed 's|^\./||' | LC_ALL=C sort)
	if [ "$want" = "$got" ]; then
		ok "/usr/src/igloo_kmods-$VER holds exactly the DKMS sources ($(wc -l <<<"$got") files)"
	else
		not_ok "/usr/src/igloo_kmods-$VER holds other files than the DKMS sources"
		diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
	fi
fi

run "dkms add igloo_kmods/$VER" dkms add "igloo_kmods/$VER"

# BUILD_EXCLUSIVE_CONFIG: a kernel without CONFIG_KPROBES (the first
# kernel's .config without it, through --kernelsourcedir) is not built
# for: dkms says so and exits 77.
abi=${ABIS%%[[:space:]]*}
fake=$LOG/no-kprobes-kernel
mkdir -p "$fake"
grep -v '^CONFIG_KPROBES=' "/lib/modules/$abi/build/.config" >"$fake/.config"
cp "/lib/modules/$abi/build/Makefile" "$fake/"
rc=0
dkms build "igloo_kmods/$VER" -k "$abi" --kernelsourcedir "$fake" \
	>"$LOG/exclusive.log" 2>&1 || rc=$?
if [ "$rc" = 77 ] && grep -q 'BUILD_EXCLUSIVE' "$LOG/exclusive.log" && \
   [ -z "$(find "$DKMS_TREE/igloo_kmods/$VER" -name 'igloo_kmods.ko*' 2>/dev/null)" ]; then
	ok "dkms does not build for a kernel without CONFIG_KPROBES (BUILD_EXCLUSIVE_CONFIG, exit 77)"
else
	not_ok "dkms build for a kernel without CONFIG_KPROBES: exit $rc"
	tail -n 5 "$LOG/exclusive.log" | sed 's/^/#   /'
fi

for abi in $ABIS; do
	if ! run "dkms build igloo_kmods/$VER -k $abi" \
		dkms build "igloo_kmods/$VER" -k "$abi"; then
		continue
	fi
	built=$(find "$DKMS_TREE/igloo_kmods/$VER/$abi" -path '*/module/igloo_kmods.ko*' 2>/dev/null)
	status=$(dkms status "igloo_kmods/$VER" -k "$abi" 2>&1)
	if [ -n "$built" ] && grep -q ': built$' <<<"$status"; then
		ok "$abi: dkms status says built (${built#"$DKMS_TREE"/})"
	else
		not_ok "$abi: dkms build left no module (dkms status: $status)"
		continue
	fi
	run "dkms install igloo_kmods/$VER -k $abi" \
		dkms install "igloo_kmods/$VER" -k "$abi" --force || continue

	ko=$(installed_ko "$abi")
	if [ -z "$ko" ]; then
		not_ok "$abi: no igloo_kmods.ko under /lib/modules/$abi/updates"
		continue
	fi
	ok "$abi: installed as ${ko}"

	vermagic=$(modinfo -F vermagic "$ko" 2>&1)
	case $vermagic in
	"$abi "*) ok "$abi: modinfo vermagic is '$vermagic'" ;;
	*) not_ok "$abi: modinfo vermagic is '$vermagic', not $abi" ;;
	esac

	plist=$(modinfo -p "$ko" 2>&1)
	missing=
	for p in $PARAMS; do
		line=$(grep -m1 "^$p:" <<<"$plist")
		desc=${line#*:}
		desc=${desc%% (*)}
		[ -n "$line" ] && [ -n "${desc// /}" ] || missing="$missing $p"
	done
	n=$(wc -w <<<"$PARAMS")
	if [ -z "$missing" ]; then
		ok "$abi: modinfo -p shows all $n parameters, each with a description"
	else
		not_ok "$abi: modinfo -p lacks a parameter or its description:$missing"
		sed 's/^/#   /' <<<"$plist"
	fi

	found=$(modinfo -k "$abi" -F filename igloo_kmods 2>&1)
	if [ "$found" = "$ko" ]; then
		ok "$abi: depmod indexed it (modinfo -k $abi igloo_kmods finds $found)"
	else
		not_ok "$abi: modinfo -k $abi igloo_kmods gives '$found', not $ko"
	fi
done

run "dkms remove igloo_kmods/$VER --all" dkms remove "igloo_kmods/$VER" --all

# Leave the machine as it was found.
rm -rf "/usr/src/igloo_kmods-$VER"
[ -e "$STATE/mok-existed" ] || rm -f "$DKMS_TREE/mok.key" "$DKMS_TREE/mok.pub"
left=
for abi in $ABIS; do
	listing "/lib/modules/$abi" >"$LOG/after-$abi.list"
	# depmod's index files and the updates/dkms directories that the
	# install created, where there were none before.
	while read -r f; do
		case $f in
		./modules.*) rm -f "/lib/modules/$abi/$f" ;;
		esac
	done < <(comm -13 "$STATE/before-$abi.list" "$LOG/after-$abi.list")
	for d in updates/dkms updates; do
		grep -qx "./$d" "$STATE/before-$abi.list" || \
			rmdir "/lib/modules/$abi/$d" 2>/dev/null || true
	done
	listing "/lib/modules/$abi" >"$LOG/after-$abi.list"
	if ! cmp -s "$STATE/before-$abi.list" "$LOG/after-$abi.list"; then
		left="$left /lib/modules/$abi:$(comm -3 "$STATE/before-$abi.list" \
			"$LOG/after-$abi.list" | tr -d '\t' | tr '\n' ' ')"
	fi
done
ls -A /usr/src | LC_ALL=C sort >"$LOG/after-usr-src.list"
cmp -s "$STATE/before-usr-src.list" "$LOG/after-usr-src.list" || \
	left="$left /usr/src:$(comm -3 "$STATE/before-usr-src.list" "$LOG/after-usr-src.list" | tr -d '\t' | tr '\n' ' ')"
[ ! -e "$DKMS_TREE/igloo_kmods" ] || left="$left $DKMS_TREE/igloo_kmods"
if dkms status igloo_kmods 2>/dev/null | grep . > /dev/null; then
	left="$left (dkms status: $(dkms status igloo_kmods | tr '\n' ' '))"
fi
if [ -z "$left" ]; then
	rm -rf "$STATE"
	ok "the machine is left clean (dkms status, $DKMS_TREE, /usr/src, /lib/modules/<abi>)"
else
	not_ok "left behind:$left"
fi

exit $failed
