#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/config.sh: tests of collector/igloo-kmods-config, the penguin
# config.yaml reader.
#
#	- make -C collector builds it (with libyaml, installed if missing),
#	  next to igloo-kmods-collect
#	- every case of collector/tests/config/cases: exact stdout, stderr
#	  and exit status
#	- the same cases under ASan and UBSan
#	- its name checks agree with igloo_kmods' own list parser (policy.c,
#	  built for user space), and igloo_kmods reads back every list it
#	  prints
#	- the man page renders without warnings; --help names every option
#
# Prints TAP lines; exit 0 if all passed. Scratch files: build/config/.

set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

DIR=$KMODS_REPO/collector/tests/config
CASES=$DIR/cases
OUT=$KMODS_BUILD/config
BIN=$KMODS_REPO/collector/igloo-kmods-config

rm -rf "$OUT"
mkdir -p "$OUT"

# ---- build ---------------------------------------------------------------

if [ ! -f /usr/include/yaml.h ]; then
	(LOG=$OUT/apt.log kmods_apt_install libyaml-dev) 2>/dev/null
	if [ -f /usr/include/yaml.h ]; then
		echo "# libyaml-dev installed (set-up, not a test)"
	else
		not_ok "libyaml-dev is missing and could not be installed"
		detail "$OUT/apt.log"
		exit 1
	fi
fi

rm -f "$BIN"
if make -s -C "$KMODS_REPO/collector" >"$OUT/make.log" 2>&1 && \
   [ -x "$BIN" ] && [ -x "$KMODS_REPO/collector/igloo-kmods-collect" ]; then
	ok "make -C collector builds igloo-kmods-config and igloo-kmods-collect"
else
	not_ok "make -C collector did not build igloo-kmods-config"
	detail "$OUT/make.log"
	exit 1
fi
# Not "ldd | grep -q": with pipefail, grep's early exit fails the pipe.
libs=$(ldd "$BIN" 2>/dev/null || true)
if [[ $libs == *libyaml* ]]; then
	ok "igloo-kmods-config is linked with libyaml"
else
	not_ok "igloo-kmods-config is not linked with libyaml"
fi

ASAN=$OUT/igloo-kmods-config.asan
if cc -std=gnu11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -o "$ASAN" \
	"$KMODS_REPO/collector/igloo-kmods-config.c" -lyaml >"$OUT/asan-build.log" 2>&1; then
	:
else
	not_ok "igloo-kmods-config does not build with ASan and UBSan"
	detail "$OUT/asan-build.log"
	ASAN=
fi

LISTCHECK=$OUT/list-check
if ! cc -std=gnu11 -Wall -Wextra -Werror -O1 -I"$KMODS_REPO" \
	-I"$KMODS_REPO/include" -o "$LISTCHECK" "$DIR/list-check.c" \
	"$KMODS_REPO/policy.c" >"$OUT/list-check-build.log" 2>&1; then
	not_ok "list-check (policy.c in user space) does not build"
	detail "$OUT/list-check-build.log"
	LISTCHECK=
fi

# ---- the cases -------------------------------------------------------------

# run_cases BINARY QUIET: run every case; print a TAP line per case unless
# QUIET; set n_cases and n_bad.
run_cases()
{
	local bin=$1 quiet=$2 name='' args='' rc='' section='' line n=0

	n_cases=0
	n_bad=0
	# Each case becomes a directory: args, rc, stdin, stdout, stderr.
	rm -rf "$OUT/cases"
	mkdir -p "$OUT/cases"
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		"=== "*)
			n=$((n + 1))
			section=
			mkdir -p "$OUT/cases/$n"
			printf '%s\n' "${line#=== }" >"$OUT/cases/$n/name"
			: >"$OUT/cases/$n/stdout"
			: >"$OUT/cases/$n/stderr"
			echo - >"$OUT/cases/$n/args"
			echo 0 >"$OUT/cases/$n/rc"
			continue ;;
		"--- "*)
			section=${line#--- }
			: >"$OUT/cases/$n/$section"
			continue ;;
		esac
		if [ -n "$section" ]; then
			printf '%s\n' "$line" >>"$OUT/cases/$n/$section"
		elif [ "$n" -gt 0 ]; then
			case $line in
			"args: "*) printf '%s\n' "${line#args: }" >"$OUT/cases/$n/args" ;;
			"rc: "*) printf '%s\n' "${line#rc: }" >"$OUT/cases/$n/rc" ;;
			""|"#"*) ;;
			*) echo "not ok - $CASES: case $n: unexpected line '$line'"
			   failed=1 ;;
			esac
		fi
	done <"$CASES"

	for c in $(seq 1 "$n"); do
		local d=$OUT/cases/$c why=
		# Blank lines at the end of a section are not part of it.
		for f in stdin stdout stderr; do
			[ -f "$d/$f" ] || continue
			sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$d/$f"
		done
		name=$(cat "$d/name")
		args=$(sed "s|@DIR@|$DIR|g" "$d/args")
		sed -i "s|@DIR@|$DIR|g" "$d/stdout" "$d/stderr"
		local stdin=/dev/null
		[ ! -f "$d/stdin" ] || stdin=$d/stdin
		rc=0
		(cd "$OUT" && eval "\"\$bin\" $args") <"$stdin" >"$d/got.out" \
			2>"$d/got.err" || rc=$?
		# The sanitizers report on stderr: that is a difference too.
		[ "$rc" = "$(cat "$d/rc")" ] || why="exit status $rc, expected $(cat "$d/rc")"
		cmp -s "$d/got.out" "$d/stdout" || why="${why:+$why; }stdout differs"
		cmp -s "$d/got.err" "$d/stderr" || why="${why:+$why; }stderr differs"
		n_cases=$((n_cases + 1))
		if [ -z "$why" ]; then
			[ "$quiet" = 1 ] || ok "config: $name"
		else
			n_bad=$((n_bad + 1))
			[ "$quiet" = 1 ] && echo "#   case '$name' ($bin): $why" && continue
			not_ok "config: $name: $why"
			echo "#   args: $args"
			diff -u "$d/stdout" "$d/got.out" | tail -n +3 | detail /dev/stdin
			diff -u "$d/stderr" "$d/got.err" | tail -n +3 | detail /dev/stdin
		fi
	done
}

run_cases "$BIN" 0
[ "$n_bad" = 0 ] || failed=1
[ "$n_cases" -ge 50 ] || not_ok "only $n_cases cases found in $CASES"

if [ -n "$ASAN" ]; then
	ASAN_OPTIONS=detect_leaks=1 run_cases "$ASAN" 1
	if [ "$n_bad" = 0 ]; then
		ok "all $n_cases cases pass under ASan and UBSan (no report, no leak)"
	else
		not_ok "$n_bad of $n_cases cases differ under ASan and UBSan"
	fi
fi

# ---- agreement with penguin's loader -----------------------------------------

# collector/tests/config/penguin-loader.py models what penguin's own
# loader makes of a project's kmods settings (YAML 1.2 core schema,
# top-level kmods, patches merged in penguin's order, pydantic's lax
# types), written from penguin's sources and sharing no code with the
# tool. For every case that reads a config: where penguin refuses it, the
# tool refuses it; where penguin takes it, the tool prints that policy, or
# refuses only a name that igloo_kmods cannot hold (a path, a .ko file
# name, a character outside [A-Za-z0-9_-], a name that is too long, more
# names than igloo_kmods holds).
# penguin runs on pydantic 2 (Debian 12 ships 1.10): without it this
# check fails rather than passing unseen.
PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import sys, yaml, pydantic; sys.exit(int(pydantic.VERSION[0]) < 2)' 2>/dev/null; then
		PY=$p
		break
	fi
done
if [ -z "$PY" ]; then
	not_ok "no python3 with pydantic 2 and PyYAML: penguin's loader model cannot run"
else
	if "$PY" - "$OUT/cases" "$DIR/penguin-loader.py" "$DIR" >"$OUT/penguin.log" 2>&1 <<'EOF'
import json, os, re, shlex, subprocess, sys

root, loader, cdir = sys.argv[1:4]
NAME = re.compile(r"a file name, not a module name|a path, not a module name|"
                  r"is not allowed \(only|characters, at most|an empty name|"
                  r"more than \d+ different names")
bad = checked = 0

def fail(case, msg):
    global bad
    bad += 1
    print("#   %s: %s" % (case, msg))

for c in sorted(os.listdir(root), key=int):
    d = os.path.join(root, c)
    name = open(os.path.join(d, "name")).read().strip()
    args = shlex.split(open(os.path.join(d, "args")).read().replace("@DIR@", cdir))
    files = [a for a in args if a.endswith(".yaml")]
    proj = args[args.index("--project") + 1] if "--project" in args else None
    if os.path.exists(os.path.join(d, "stdin")) and not files:
        src = os.path.join(d, "stdin")
    elif len(files) == 1 and os.path.exists(files[0]):
        src = files[0]
        proj = proj or os.path.dirname(files[0])
    else:
        continue
    rc = int(open(os.path.join(d, "rc")).read())
    out = open(os.path.join(d, "got.out")).read()
    err = open(os.path.join(d, "got.err")).read()
    want = json.loads(subprocess.run([sys.executable, loader, src] + ([proj] if proj else []),
                                     capture_output=True, text=True).stdout)
    checked += 1
    if not want["ok"]:
        if rc == 0:
            fail(name, "penguin refuses it (%s), the tool prints a policy" % want["why"])
        continue
    if rc != 0:
        errs = [l for l in err.splitlines() if l.startswith("error:")]
        if not errs or not all(NAME.search(l) for l in errs):
            fail(name, "penguin takes it, the tool refuses it")
        continue
    got = {"allow": [], "deny": [], "quiet": False, "enabled": True}
    for line in out.splitlines():
        m = re.match(r"^echo '(.*)' > .*/(\w+)$", line)
        pairs = [m.groups()[::-1]] if m else \
            [w.split("=", 1) for w in line.split()[2:] if "=" in w]
        for k, v in pairs:
            if k in ("allowlist", "denylist"):
                k = "allow" if k == "allowlist" else "deny"
                if v.startswith("+"):
                    got[k] += v[1:].split(",")
                else:
                    got[k] = v.split(",") if v else []
            elif k == "quiet":
                got[k] = v == "1"
            elif k == "mode":
                got["enabled"] = v == "enforce"
    want.pop("ok")
    if not want["enabled"]:
        got = {"enabled": got["enabled"]}
    if got != want:
        fail(name, "penguin applies %r, the tool prints %r" % (want, got))
print("checked %d" % checked)
sys.exit(1 if bad or checked < 100 else 0)
EOF
	then
		ok "penguin's loader (modelled with PyYAML and pydantic $("$PY" -c 'import pydantic; print(pydantic.VERSION)')) agrees on every case ($(tail -n 1 "$OUT/penguin.log")): refused, or the same policy"
	else
		not_ok "penguin's loader reads some cases otherwise"
		detail "$OUT/penguin.log" 40
	fi
fi

# ---- agreement with igloo_kmods' own list parser -----------------------------

# yaml_dq TEXT: TEXT as a YAML double-quoted scalar
yaml_dq()
{
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\t'/\\t}
	printf '"%s"' "$s"
}

if [ -n "$LISTCHECK" ]; then
	long55=$(printf 'a%.0s' $(seq 55))
	long56=$(printf 'b%.0s' $(seq 56))
	candidates=(wireguard nf_conntrack xt_TCPMSS 8021q a A-b_c - _ "$long55"
		"$long56" vendor.ko vendor.ko.xz dir/vendor /abs "a b" " a" "a "
		"a,b" a.b "café" $'tab\there' "" "x;y" "a'b" 'a"b' '$x' '*')
	disagree=0
	for cand in "${candidates[@]}"; do
		printf 'plugins:\n  kmods:\n    allowlist: [%s]\n' "$(yaml_dq "$cand")" \
			>"$OUT/cand.yaml"
		tool=refused
		"$BIN" "$OUT/cand.yaml" >"$OUT/cand.out" 2>/dev/null && tool=accepted
		# The module takes it as this one name when it parses the
		# string as a list of exactly that name.
		mod=$("$LISTCHECK" "$cand")
		if [ "$mod" = "accepted 1 $cand" ]; then
			mod=accepted
		else
			mod="refused ($mod)"
		fi
		if [ "$tool" = accepted ] && \
		   [ "$(cat "$OUT/cand.out")" != "insmod igloo_kmods.ko allowlist=$cand" ]; then
			tool="accepted, but printed $(cat "$OUT/cand.out")"
		fi
		if [ "$tool" != "${mod%% *}" ]; then
			disagree=1
			echo "#   '$cand': igloo-kmods-config $tool, igloo_kmods $mod"
		fi
	done
	if [ "$disagree" = 0 ]; then
		ok "igloo-kmods-config and policy.c agree on ${#candidates[@]} names (valid, too long, .ko, paths, bad characters)"
	else
		not_ok "igloo-kmods-config and policy.c disagree on names"
	fi

	# Every list a passing case printed, read back by the module.
	bad=
	nlists=0
	for f in "$OUT"/cases/*/got.out; do
		grep -oE '(allowlist|denylist)=[^ ]*' "$f" 2>/dev/null
		sed -n "s|^echo '\\([^']*\\)' > .*/\\(allowlist\\|denylist\\)\$|x=\\1|p" "$f"
	done >"$OUT/lists"
	while IFS= read -r kv; do
		list=${kv#*=}
		nlists=$((nlists + 1))
		got=$("$LISTCHECK" "$list")
		case $got in
		"accepted "*) ;;
		*) bad="$bad '$list' ($got)" ;;
		esac
	done <"$OUT/lists"
	if [ -z "$bad" ] && [ "$nlists" -gt 10 ]; then
		ok "igloo_kmods' parser accepts all $nlists lists the cases printed"
	else
		not_ok "igloo_kmods' parser refuses printed lists (of $nlists):$bad"
	fi
fi

# ---- long lists ----------------------------------------------------------------

# 4,096 names of 55 characters (229 KiB of list): more than one insmod
# argument may carry (MAX_ARG_STRLEN, 128 KiB) and than one sysfs write
# (a page). The tool splits them into a first part and '+' appends; the
# parts must each fit, run through execve() and, read by igloo_kmods' own
# parser (list-check, which appends a '+' list to the one before it),
# give back all 4,096 names in order.
longest_of()	# longest_of WORD...: the length of the longest WORD
{
	local w n=0

	for w in "$@"; do
		[ "${#w}" -le "$n" ] || n=${#w}
	done
	echo "$n"
}
if [ -n "$LISTCHECK" ]; then
	awk 'BEGIN { printf "plugins:\n  kmods:\n    allowlist:\n";
		for (i = 0; i < 4096; i++) printf "      - m%054d\n", i }' \
		>"$OUT/long.yaml"
	awk 'BEGIN { for (i = 0; i < 4096; i++) printf "%sm%054d", i ? "," : "", i }' \
		>"$OUT/long.want"
	if "$BIN" "$OUT/long.yaml" >"$OUT/long.insmod" 2>"$OUT/long.err"; then
		read -r -a words <"$OUT/long.insmod"
		args=("${words[@]:2}")
		longest=$(longest_of "${args[@]}")
		got=$("$LISTCHECK" "${args[@]#allowlist=}" | tail -n 1)
		# execve() takes the line as printed (true for insmod).
		if [ "${#args[@]}" -ge 4 ] && [ "$longest" -lt 131072 ] && \
		   [ "$got" = "accepted 4096 $(cat "$OUT/long.want")" ] && \
		   /bin/true "${args[@]}"; then
			ok "4,096 long names: insmod line in ${#args[@]} arguments of at most $longest bytes, execve() takes it, igloo_kmods' parser reads back all 4,096"
		else
			not_ok "4,096 long names: insmod line (${#args[@]} arguments, longest $longest bytes) not read back whole: ${got:0:60}"
		fi
		# The control: the same list as one argument is refused.
		if /bin/true "allowlist=$(cat "$OUT/long.want")" 2>/dev/null; then
			not_ok "execve() took a 229 KiB argument: the split is not needed here"
		else
			ok "execve() refuses the same list as one argument (E2BIG): the split is needed"
		fi
	else
		not_ok "4,096 long names refused: $(head -c 200 "$OUT/long.err")"
	fi
	if "$BIN" --sysfs "$OUT/long.yaml" >"$OUT/long.sysfs" 2>"$OUT/long.err"; then
		sed -n "s|^echo '\([^']*\)' > .*/allowlist\$|\1|p" "$OUT/long.sysfs" \
			>"$OUT/long.writes"
		mapfile -t writes <"$OUT/long.writes"
		longest=$(longest_of "${writes[@]}")
		# The first write empties the allowlist; the last one holds it.
		got=$("$LISTCHECK" "${writes[@]}" | tail -n 1)
		if [ "${#writes[@]}" -ge 50 ] && [ "$longest" -lt 4095 ] && \
		   [ "$got" = "accepted 4096 $(cat "$OUT/long.want")" ]; then
			ok "4,096 long names: ${#writes[@]} sysfs writes of at most $longest bytes (under a page with the newline), read back whole"
		else
			not_ok "4,096 long names: sysfs writes (${#writes[@]}, longest $longest bytes) not read back whole: ${got:0:60}"
		fi
	else
		not_ok "4,096 long names refused with --sysfs: $(head -c 200 "$OUT/long.err")"
	fi
	awk 'BEGIN { printf "plugins:\n  kmods:\n    denylist:\n";
		for (i = 0; i < 16385; i++) printf "      - m%d\n", i }' \
		>"$OUT/toolong.yaml"
	head -n 16387 "$OUT/toolong.yaml" >"$OUT/max.yaml"
	rc=0
	"$BIN" "$OUT/toolong.yaml" >/dev/null 2>"$OUT/toolong.err" || rc=$?
	want="error: $OUT/toolong.yaml:16388:9: plugins.kmods.denylist[16384]: more than 16384 different names"
	if "$BIN" "$OUT/max.yaml" >"$OUT/max.out" 2>/dev/null && \
	   [ "$("$LISTCHECK" $(sed 's/ /\n/g' "$OUT/max.out" | sed -n 's/^denylist=//p') | tail -n 1 | cut -d' ' -f1-2)" = "accepted 16384" ] && \
	   [ "$rc" = 1 ] && [ "$(cat "$OUT/toolong.err")" = "$want" ]; then
		ok "16,384 names are accepted (igloo_kmods' limit); 16,385 are refused at the last"
	else
		not_ok "the 16,384-name limit: rc $rc, $(head -c 200 "$OUT/toolong.err")"
	fi
fi

# ---- documentation -----------------------------------------------------------

MAN=$KMODS_REPO/collector/igloo-kmods-config.1
if command -v groff >/dev/null; then
	if groff -man -Tutf8 -ww -z "$MAN" >"$OUT/man.err" 2>&1 && \
	   [ ! -s "$OUT/man.err" ] && \
	   groff -man -Tutf8 "$MAN" 2>/dev/null | grep 'igloo-kmods-config' > /dev/null; then
		ok "the man page renders without warnings (groff -man -ww)"
	else
		not_ok "the man page has groff warnings"
		detail "$OUT/man.err"
	fi
else
	not_ok "groff is missing: cannot check the man page"
fi

help=$("$BIN" --help 2>&1)
hrc=$?
missing=
for opt in --module --project --sysfs --help --version; do
	grep -q -- "$opt" <<<"$help" || missing="$missing $opt"
	grep -q -- "^\\.B.* \\\\-\\\\-${opt#--}\\|\\\\-\\\\-${opt#--}" "$MAN" || \
		missing="$missing $opt(man)"
done
if [ "$hrc" = 0 ] && [ -z "$missing" ] && grep -q '^Usage: igloo-kmods-config ' <<<"$help"; then
	ok "--help exits 0 and, like the man page, names every option"
else
	not_ok "--help (exit $hrc) or the man page lacks:$missing"
fi

exit $failed
