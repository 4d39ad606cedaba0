#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Documentation/check-docs.sh: checks that the documentation is well formed
# and matches the code. One TAP line per check; exit 0 if all passed.
#
#	- every Documentation/*.rst parses as reStructuredText with docutils
#	  (python3-docutils, installed if missing), warnings counted as errors
#	- the ABI files pass the kernel's scripts/get_abi.pl validate (from
#	  Debian's linux-source-6.1, as tests/static-checks.sh uses), have
#	  every field of Documentation/ABI/README in order, and their text is
#	  valid reStructuredText too
#	- every parameter modinfo -p lists for igloo_kmods.ko, built for 6.1
#	  (kmods_build_module), has an ABI entry and a row in igloo_kmods.rst,
#	  and every ABI entry a parameter
#	- the record format table of igloo_kmods.rst gives every field of
#	  struct kmods_record with the offset and size the compiler gives it
#	- the outcome table of threat-model.rst is, byte for byte, what
#	  tests/hostile/doc-table.py prints for the hostile runs' tables kept
#	  in tests/hostile/table-<kernel>.txt (the KMODS-TABLE lines of a
#	  run's build/run/hostile-<kernel>/table.txt), and each of those
#	  comes from the kernel the hostile tiers boot today
#
# Scratch files: build/docs/.

set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../tests/tap.sh"
TAP_PREFIX="docs: "

DOC=$KMODS_REPO/Documentation
ABI_SYSFS=$DOC/ABI/testing/sysfs-module-igloo_kmods
ABI_DEBUGFS=$DOC/ABI/testing/debugfs-igloo_kmods
ABI_DEV=$DOC/ABI/testing/dev-igloo_kmods
OUT=$KMODS_BUILD/docs

rm -rf "$OUT"
mkdir -p "$OUT"

# ---- reStructuredText ------------------------------------------------------

PY=$(kmods_python_with docutils python3-docutils "$OUT/apt.log")

# rst_check FILE LABEL: FILE parses with no message of level WARNING or up
rst_check()
{
	if "$PY" - "$1" >"$OUT/rst.log" 2>&1 <<'EOF'
import sys
import docutils.core
import docutils.nodes
import docutils.parsers.rst.roles
import docutils.utils

# Sphinx's cross-reference roles, which the kernel's documentation build
# (and get_abi.pl rest) uses, are not docutils'.
for role in ("ref", "doc"):
    docutils.parsers.rst.roles.register_generic_role(role,
                                                    docutils.nodes.emphasis)

src = open(sys.argv[1], encoding="utf-8").read()
try:
    docutils.core.publish_doctree(
        src, source_path=sys.argv[1],
        settings_overrides={"report_level": 2, "halt_level": 2,
                            "warning_stream": sys.stderr})
except docutils.utils.SystemMessage as e:
    print(e)
    sys.exit(1)
EOF
	then
		ok "$2 parses as reStructuredText (docutils $("$PY" -c 'import docutils; print(docutils.__version__)'), warnings are errors)"
	else
		not_ok "$2 does not parse cleanly as reStructuredText"
		detail "$OUT/rst.log"
	fi
}

if [ -z "$PY" ]; then
	not_ok "no python3 with docutils (python3-docutils could not be installed)"
	detail "$OUT/apt.log" 10
else
	n=0
	for f in "$DOC"/*.rst; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		rst_check "$f" "${f#"$KMODS_REPO"/}"
	done
	[ "$n" -gt 0 ] || not_ok "no .rst file in Documentation/"
	for f in igloo_kmods.rst benchmark.rst; do
		[ -f "$DOC/$f" ] || not_ok "Documentation/$f is missing"
	done
fi

# ---- ABI files -------------------------------------------------------------

tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
[ -n "$tarball" ] || "$KMODS_TESTS/setup.sh" >/dev/null 2>&1 || true
tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
GET_ABI=
if [ -n "$tarball" ] && \
   tar -xJf "$tarball" -C "$OUT" --strip-components=1 \
	linux-source-6.1/scripts/get_abi.pl 2>"$OUT/tar.log"; then
	GET_ABI=$OUT/scripts/get_abi.pl
fi
if [ -z "$GET_ABI" ]; then
	not_ok "scripts/get_abi.pl is not available (linux-source-6.1)"
else
	if perl "$GET_ABI" --dir "$DOC/ABI" validate >"$OUT/abi.log" 2>&1 && \
	   [ ! -s "$OUT/abi.log" ]; then
		ok "scripts/get_abi.pl validate: the ABI files are well formed"
	else
		not_ok "scripts/get_abi.pl validate complains"
		detail "$OUT/abi.log"
	fi
	# get_abi.pl turns the entries into the ReST of the kernel's ABI book.
	if perl "$GET_ABI" --dir "$DOC/ABI" rest >"$OUT/abi.rst" 2>"$OUT/abi-rest.log" && \
	   [ -s "$OUT/abi.rst" ] && [ -n "$PY" ]; then
		rst_check "$OUT/abi.rst" "the ABI entries (get_abi.pl rest)"
	else
		not_ok "get_abi.pl rest failed"
		detail "$OUT/abi-rest.log"
	fi
fi

# Every entry: What, Date, KernelVersion, Contact, Description, Users in
# the order of Documentation/ABI/README.
if python3 - "$ABI_SYSFS" "$ABI_DEBUGFS" "$ABI_DEV" >"$OUT/fields.log" 2>&1 <<'EOF'
import re, sys

want = ["What", "Date", "KernelVersion", "Contact", "Description", "Users"]
bad = 0
for path in sys.argv[1:]:
    entries, cur = [], None
    for n, line in enumerate(open(path), 1):
        m = re.match(r"^([A-Za-z]+):(\s|$)", line)
        if not m:
            if line.strip() and not line.startswith(("\t", " ")):
                print("%s:%d: not a field and not indented" % (path, n))
                bad += 1
            continue
        if m.group(1) == "What":
            cur = {"line": n, "fields": [], "values": {}}
            entries.append(cur)
        if cur is None:
            print("%s:%d: field before the first What:" % (path, n))
            bad += 1
            continue
        cur["fields"].append(m.group(1))
        cur["values"][m.group(1)] = line.split(":", 1)[1].strip()
    if not entries:
        print("%s: no entry" % path)
        bad += 1
    for e in entries:
        if e["fields"] != want:
            print("%s:%d: fields %s, want %s" % (path, e["line"], e["fields"], want))
            bad += 1
        v = e["values"]
        if v.get("Date") != "November 2026" or v.get("KernelVersion") != "6.1" \
                or v.get("Contact") != "igloo_kmods developers":
            print("%s:%d: Date/KernelVersion/Contact are %r/%r/%r" %
                  (path, e["line"], v.get("Date"), v.get("KernelVersion"),
                   v.get("Contact")))
            bad += 1
    print("%s: %d entries" % (path, len(entries)))
sys.exit(1 if bad else 0)
EOF
then
	ok "every ABI entry has What, Date (November 2026), KernelVersion (6.1), Contact, Description, Users"
else
	not_ok "ABI entries lack fields"
	detail "$OUT/fields.log"
fi

# misc_device_named FILE NAME: print 1 when FILE defines a struct
# miscdevice whose .name is NAME (or KBUILD_MODNAME, for NAME igloo_kmods)
# and registers it with misc_register(), else 0. (Not a count of the word
# "miscdevice": the #include line has it too.)
misc_device_named()
{
	awk -v want="$2" '
	/^static struct miscdevice [A-Za-z0-9_]+ = \{$/ {
		var = $4; inside = 1; next
	}
	inside && /^};/ { inside = 0 }
	inside && $1 == ".name" {
		n = $3; sub(/,$/, "", n)
		if (n == "\"" want "\"" || (n == "KBUILD_MODNAME" && want == "igloo_kmods"))
			named[var] = 1
	}
	match($0, /misc_register\(&[A-Za-z0-9_]+\)/) {
		v = substr($0, RSTART + 15, RLENGTH - 16)
		if (v in named)
			found = 1
	}
	END { print found ? 1 : 0 }' "$1"
}

for spec in "$ABI_DEBUGFS:/sys/kernel/debug/igloo_kmods/records0" \
	    "$ABI_DEV:/dev/igloo_kmods"; do
	f=${spec%%:*}
	what=${spec#*:}
	# The path must also be the one record.c creates.
	case $what in
	/dev/*) in_code=$(misc_device_named "$KMODS_REPO/record.c" "${what#/dev/}") ;;
	*) in_code=$(grep -c 'relay_open("records"' "$KMODS_REPO/record.c") ;;
	esac
	if grep -q "^What:[[:space:]]*$what\$" "$f" && [ "$in_code" -gt 0 ]; then
		ok "${f#"$KMODS_REPO"/} documents $what, which record.c creates"
	else
		not_ok "${f#"$KMODS_REPO"/} has no entry for $what (or record.c does not create it)"
	fi
done

# ---- parameters against a built module ----------------------------------

if ! (kmods_build_module 6.1 && echo "$KMODS_KO" >"$OUT/ko") >"$OUT/build.log" 2>&1; then
	not_ok "igloo_kmods does not build for 6.1 (kmods_build_module 6.1)"
	detail "$OUT/build.log"
else
	ko=$(cat "$OUT/ko")
	modinfo -p "$ko" | sed -n 's/^\([A-Za-z0-9_]*\):.*/\1/p' | sort -u >"$OUT/params"
	sed -n 's|^What:[[:space:]]*/sys/module/igloo_kmods/parameters/\(.*\)$|\1|p' \
		"$ABI_SYSFS" | sort -u >"$OUT/abi-params"
	missing=$(comm -23 "$OUT/params" "$OUT/abi-params" | tr '\n' ' ')
	stale=$(comm -13 "$OUT/params" "$OUT/abi-params" | tr '\n' ' ')
	n=$(wc -l <"$OUT/params")
	if [ "$n" -gt 0 ] && [ -z "$missing" ] && [ -z "$stale" ]; then
		ok "all $n parameters modinfo -p lists have an entry in ${ABI_SYSFS#"$KMODS_REPO"/}, and no other"
	else
		not_ok "ABI entries and modinfo -p differ: no entry for: ${missing:-none}; no parameter for: ${stale:-none}"
	fi
	missing=
	while read -r p; do
		grep -q "^   \* - \`\`$p\`\`\$" "$DOC/igloo_kmods.rst" || missing="$missing $p"
	done <"$OUT/params"
	if [ -z "$missing" ]; then
		ok "igloo_kmods.rst has a row for each of the $n parameters"
	else
		not_ok "igloo_kmods.rst lacks a row for:$missing"
	fi
fi

# ---- the record format table against the header ------------------------------

if python3 - "$KMODS_REPO/include/uapi/linux/igloo_kmods.h" \
	"$DOC/igloo_kmods.rst" "$OUT" >"$OUT/record.log" 2>&1 <<'EOF'
import os, re, subprocess, sys

hdr, rst, out = sys.argv[1:4]
body = re.search(r"struct kmods_record \{(.*?)\};", open(hdr).read(), re.S).group(1)
fields = [re.sub(r"\[.*", "", l.split()[-1].rstrip(";"))
          for l in body.splitlines() if l.strip().endswith(";")]
# Rows of the table: "* - offset", "- size", "- ``field``"
text = open(rst).read()
rows = re.findall(r"^   \* - (\d+)\n     - (\d+)\n     - ``(\w+)``", text, re.M)
doc = {f: (int(o), int(s)) for o, s, f in rows}
src = os.path.join(out, "offsets.c")
with open(src, "w") as c:
    c.write("#include <stdio.h>\n#include <stddef.h>\n#include <linux/igloo_kmods.h>\n")
    c.write("int main(void)\n{\n\tstruct kmods_record r;\n\n")
    for f in fields:
        c.write('\tprintf("%%s %%zu %%zu\\n", "%s", offsetof(struct kmods_record, %s), sizeof(r.%s));\n' % (f, f, f))
    c.write("\treturn 0;\n}\n")
exe = os.path.join(out, "offsets")
subprocess.check_call(["cc", "-I" + os.path.dirname(os.path.dirname(hdr)),
                       "-o", exe, src])
bad = 0
for line in subprocess.check_output([exe], text=True).splitlines():
    f, o, s = line.split()
    if f not in doc:
        print("field %s is not in the table" % f)
        bad += 1
    elif doc[f] != (int(o), int(s)):
        print("field %s: the table says offset %d size %d, the compiler %s %s"
              % (f, doc[f][0], doc[f][1], o, s))
        bad += 1
for f in doc:
    if f not in fields:
        print("the table has %s, which struct kmods_record has not" % f)
        bad += 1
print("%d fields" % len(fields))
sys.exit(1 if bad or not fields else 0)
EOF
then
	ok "the record table of igloo_kmods.rst matches struct kmods_record ($(tail -n 1 "$OUT/record.log"): offsets and sizes)"
else
	not_ok "the record table of igloo_kmods.rst and struct kmods_record differ"
	detail "$OUT/record.log"
fi

# ---- the threat model's outcome table against the hostile runs -----------

tables=()
for v in $KMODS_FLAVOURS; do
	tables+=("$v=$KMODS_REPO/tests/hostile/table-$v.txt")
done
if python3 "$KMODS_REPO/tests/hostile/doc-table.py" "${tables[@]}" \
	> "$OUT/table.want" 2> "$OUT/table.log" &&
   python3 - "$DOC/threat-model.rst" "$OUT/table.want" \
	> "$OUT/table.got" 2>> "$OUT/table.log" <<'EOF' &&
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
want = open(sys.argv[2], encoding="utf-8").read().splitlines()
# The table starts with a rule whose next line is want's heading.
for i in range(1, len(lines)):
    if lines[i] == want[1] and lines[i - 1].startswith("="):
        print("\n".join(lines[i - 1:i - 1 + len(want)]))
        sys.exit(0)
print("no table with the heading '%s'" % want[1], file=sys.stderr)
sys.exit(1)
EOF
   diff -u "$OUT/table.got" "$OUT/table.want" >> "$OUT/table.log"; then
	ok "threat-model.rst's outcome table is doc-table.py's for $KMODS_FLAVOURS ($(grep -c '^[a-z]' "$OUT/table.want") cases)"
else
	not_ok "threat-model.rst's outcome table differs from doc-table.py's for tests/hostile/table-*.txt"
	detail "$OUT/table.log"
fi
# Each kept table is from the kernel its file names.
for v in $KMODS_FLAVOURS; do
	kmods_kernel_info "$v"
	f=$KMODS_REPO/tests/hostile/table-$v.txt
	if grep -qx "KMODS-KERNEL|$KABI" "$f" 2>/dev/null; then
		ok "tests/hostile/table-$v.txt is from $KABI"
	else
		not_ok "tests/hostile/table-$v.txt is not from $KABI ($(grep '^KMODS-KERNEL' "$f" 2>/dev/null || echo 'no KMODS-KERNEL line'))"
	fi
done

exit $failed
