#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Tests for igloo-kmods-collect: builds the collector and tests/gen-records,
# feeds generated record streams through it and checks modules.log,
# modules.jsonl, the raw copy, messages and exit status. Prints a TAP plan
# (one test per t_begin of this file), "ok N - name" / "not ok N - name" /
# "ok N - name # SKIP why" lines and "N passed, N failed, N skipped".
#
# Environment:
#   IKC_BIN     collector to test (default: build ../igloo-kmods-collect)
#   IKC_RUNNER  command prefix for it, e.g. "qemu-mips-static"
#   IKC_GEN     record generator (default: build tests/gen-records)
#   PYTHON      python3 for the JSON and tty checks (default: python3)

# IKC_RUNNER and TIMEOUT are command prefixes: split on purpose.
# shellcheck disable=SC2086

set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
exp=$here/expected

T=$(mktemp -d "${TMPDIR:-/tmp}/ikc-test.XXXXXX") || exit 1
bg_pid=
cleanup() {
	[ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The plan: one test per t_begin line of this file.
echo "1..$(grep -c '^t_begin "' "$here/run.sh")"

n=0
passed=0
failed=0
skipped=0
name=
why=

# ---- test bookkeeping ----

t_begin() {
	name=$1
	why=
}

fail() {
	why="$why
#   $*"
}

t_end() {
	n=$((n + 1))
	if [ -n "${skip:-}" ]; then
		skipped=$((skipped + 1))
		echo "ok $n - $name # SKIP $skip"
		skip=
	elif [ -z "$why" ]; then
		passed=$((passed + 1))
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name$why"
	fi
}

# ---- helpers ----

if command -v timeout >/dev/null 2>&1; then
	TIMEOUT="timeout 20"
else
	TIMEOUT=
fi

# collect ARGS...: run the collector (stderr to $T/err), set $rc.
collect() {
	$TIMEOUT ${IKC_RUNNER:-} "$BIN" "$@" 2>"$T/err"
	rc=$?
}

# gen ARGS...: generate records to $T/in.bin.
gen() {
	"$GEN" "$@" >"$T/in.bin" || fail "gen-records $* failed"
}

expect_rc() {
	[ "$rc" = "$1" ] || fail "exit status $rc, expected $1"
}

# expect_err TEXT: stderr contains TEXT (fixed string).
expect_err() {
	grep -F -e "$1" "$T/err" >/dev/null ||
		fail "stderr lacks '$1'; got: $(cat "$T/err")"
}

# expect_file FILE EXPECTED_FILE
expect_file() {
	if ! cmp -s "$1" "$2"; then
		fail "$(basename "$1") differs from $(basename "$2"):"
		why="$why
$(diff "$2" "$1" 2>&1 | head -20 | sed 's/^/#     /')"
	fi
}

# expect_log TEXT: modules.log is exactly TEXT (printf format).
expect_log() {
	# shellcheck disable=SC2059
	printf "$1" >"$T/expected.log"
	expect_file "$T/out/modules.log" "$T/expected.log"
}

# count_lines FILE: print its line count, 0 if it does not exist.
count_lines() {
	if [ -f "$1" ]; then
		wc -l <"$1" | tr -d ' '
	else
		echo 0
	fi
}

expect_lines() {	# FILE COUNT
	got=$(count_lines "$1")
	[ "$got" = "$2" ] || fail "$(basename "$1"): $got lines, expected $2"
}

PYTHON=${PYTHON:-python3}
if command -v "$PYTHON" >/dev/null 2>&1; then
	# Resolve wrappers such as pyenv shims once: they are slow to start.
	PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') ||
		PYTHON=
else
	PYTHON=
fi
[ -n "$PYTHON" ] ||
	echo "# python3 not found: the JSON checks fail, the tty test is skipped"

# expect_json: every modules.jsonl line parses, with the documented keys.
expect_json() {
	if [ -z "$PYTHON" ]; then
		fail "python3 not found: modules.jsonl not parsed"
		return
	fi
	"$PYTHON" - "$T/out/modules.jsonl" <<'EOF' 2>"$T/pyerr" ||
import json, sys
keys = ["event", "instance", "seq", "result_seq", "ts_ns", "syscall",
	"compat", "pid", "tgid", "uid", "euid", "comm", "name",
	"name_source", "path", "params", "params_truncated",
	"path_truncated", "image_size", "load_flags", "decision", "rule",
	"mode", "ret", "kernel_ret", "result", "flags", "dropped"]
for line in open(sys.argv[1], encoding="ascii"):
	o = json.loads(line)
	assert list(o) == keys, "keys: %r" % list(o)
	assert o["event"] in ("load", "unload")
	assert isinstance(o["flags"], list)
	assert (o["kernel_ret"] is None) == (o["result"] != "done")
EOF
		fail "modules.jsonl content: $(tail -1 "$T/pyerr")"
}

# wait_lines FILE COUNT: wait up to 5 s for FILE to have COUNT lines.
wait_lines() {
	i=0
	while [ $i -lt 50 ]; do
		got=$(count_lines "$1")
		[ "$got" -ge "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "$(basename "$1"): $got lines after 5 s, expected $2"
	return 1
}

# wait_bg: wait up to 10 s for $bg_pid to exit; set $rc.
wait_bg() {
	i=0
	while kill -0 "$bg_pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$bg_pid" 2>/dev/null; then
		fail "collector still running after 10 s"
		kill -KILL "$bg_pid" 2>/dev/null
	fi
	wait "$bg_pid"
	rc=$?
	bg_pid=
}

# wait_err TEXT: wait up to 5 s for stderr ($T/err) to contain TEXT.
wait_err() {
	i=0
	while [ $i -lt 50 ]; do
		grep -F -e "$1" "$T/err" >/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "stderr lacks '$1' after 5 s; got: $(cat "$T/err")"
	return 1
}

# drop_record FILE K: FILE without its record K (the 696 bytes at K * 696).
drop_record() {
	head -c $(($2 * REC)) "$1"
	tail -c +$(( ($2 + 1) * REC + 1 )) "$1"
}

# damaged: run the collector on $T/in.bin from stdin, with -o $T/out and
# -r $T/raw, for same_in_pieces to compare with.
damaged() {
	rm -rf "$T/out" "$T/raw"
	collect -o "$T/out" -r "$T/raw" - <"$T/in.bin"
}

# pieces FILE SIZE: copy FILE to stdout SIZE bytes at a time, pausing
# between the pieces so that a reader gets them one by one.
pieces() {
	total=$(wc -c <"$1")
	i=0
	while [ $((i * $2)) -lt "$total" ]; do
		dd if="$1" bs="$2" skip="$i" count=1 2>/dev/null
		sleep 0.01
		i=$((i + 1))
	done
}

# Messages without the reason of a bad record: a bad magic that arrived
# in pieces is reported with the bytes there were.
no_reasons() {
	sed 's/\(record at offset [0-9]* (record [0-9]*)\): .*/\1/' "$@"
}

# same_in_pieces: after damaged, feed $T/in.bin to the collector with -f
# through a pipe in 100-byte pieces (696 = 6 * 100 + 96: headers are split
# at every place) and expect the same outputs, messages and exit status.
same_in_pieces() {
	rm -rf "$T/whole" "$T/whole.raw"
	mv "$T/out" "$T/whole"
	mv "$T/raw" "$T/whole.raw"
	no_reasons "$T/err" >"$T/whole.err"
	whole_rc=$rc
	pieces "$T/in.bin" 100 | {
		collect -f -o "$T/out" -r "$T/raw" -
		echo "$rc" >"$T/rc"
	}
	rc=$(cat "$T/rc")
	expect_rc "$whole_rc"
	expect_file "$T/out/modules.log" "$T/whole/modules.log"
	expect_file "$T/out/modules.jsonl" "$T/whole/modules.jsonl"
	expect_file "$T/raw" "$T/whole.raw"
	no_reasons "$T/err" >"$T/pieces.err"
	expect_file "$T/pieces.err" "$T/whole.err"
}

REC=696
SUMMARY="igloo-kmods-collect:"

# ---- build ----

t_begin "build collector and generator"
if [ -n "${IKC_BIN:-}" ]; then
	BIN=$IKC_BIN
else
	BIN=$top/igloo-kmods-collect
	make -s -C "$top" all >"$T/build.log" 2>&1 ||
		fail "make all failed: $(tail -5 "$T/build.log")"
fi
if [ -n "${IKC_GEN:-}" ]; then
	GEN=$IKC_GEN
else
	GEN=$top/tests/gen-records
	make -s -C "$top" tests/gen-records >"$T/build.log" 2>&1 ||
		fail "make tests/gen-records failed: $(tail -5 "$T/build.log")"
fi
[ -x "$BIN" ] || fail "no collector at $BIN"
[ -x "$GEN" ] || fail "no generator at $GEN"
t_end
if [ -n "$why" ]; then
	echo "$passed passed, $((failed)) failed"
	exit 1
fi

# ---- decoding ----

t_begin "normal stream: modules.log fallbacks, jsonl, summary"
gen normal
collect -o "$T/out" "$T/in.bin"
expect_rc 0
expect_log '/lib/modules/6.1.0/extra/foo.ko\nbar\n<unknown>\n/tmp/baz.ko\n'
expect_file "$T/out/modules.jsonl" "$exp/normal.jsonl"
expect_json
expect_err "$SUMMARY 5 records (4 attempts, 1 results, 0 unloads), 0 gaps, 0 dropped, 1 instances"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "unexpected messages: $(cat "$T/err")"
t_end

t_begin "--penguin: only the lines penguin's kmods plugin writes, raw"
rm -rf "$T/out"
gen normal
collect --penguin -o "$T/out" "$T/in.bin"
expect_rc 0
# penguin logs finit_module's path, and no attempt without a path
expect_log '/lib/modules/6.1.0/extra/foo.ko\n/tmp/baz.ko\n'
expect_file "$T/out/modules.jsonl" "$exp/normal.jsonl"
t_end

t_begin "hints: a list named the file, not the module, or the other way round"
rm -rf "$T/out"
gen hints
collect -o "$T/out" "$T/in.bin"
expect_rc 0
expect_log '/lib/modules/foo.ko\n/lib/modules/foo.ko\n/lib/snd-hda-intel.ko\n/x/bad.ko\n'
expect_json
expect_err "$SUMMARY 5 records (4 attempts, 1 results, 0 unloads)"
expect_err "$SUMMARY 4 attempts where a list matched the module's name and not its file's, or the other way round"
expect_err "$SUMMARY hint: allowlist names the file foo, not the module ikm_mark: entry ikm_mark would match"
expect_err "$SUMMARY hint: allowlist names the module snd_hda_intel, not the file snd-hda-intel: penguin's plugin would need entry snd-hda-intel"
expect_err "$SUMMARY hint: denylist names the file bad, not the module evil: entry evil would match"
# once each, after the summary line
[ "$(grep -c 'hint: ' "$T/err")" = 3 ] || fail "hints not once each: $(cat "$T/err")"
[ "$(sed -n 1p "$T/err" | grep -c ' records (')" = 1 ] || fail "summary not first: $(cat "$T/err")"
grep -q '"flags":\["allow_file"\]' "$T/out/modules.jsonl" || fail "jsonl lacks allow_file"
grep -q '"flags":\["allow_module"\]' "$T/out/modules.jsonl" || fail "jsonl lacks allow_module"
collect -q -o "$T/out" "$T/in.bin"
[ ! -s "$T/err" ] || fail "--quiet printed hints: $(cat "$T/err")"
t_end

t_begin "multi-byte values decode as little-endian"
rm -rf "$T/out"
gen bigvals
collect -o "$T/out" "$T/in.bin"
expect_rc 0
expect_log '/x/big.ko\na\n'
expect_file "$T/out/modules.jsonl" "$exp/bigvals.jsonl"
expect_json
expect_err "2 instances"
t_end

t_begin "stdin source, rerun truncates outputs"
gen normal
collect -o "$T/out" - <"$T/in.bin"
expect_rc 0
collect -o "$T/out" - <"$T/in.bin"
expect_rc 0
expect_lines "$T/out/modules.log" 4
expect_file "$T/out/modules.jsonl" "$exp/normal.jsonl"
t_end

t_begin "sequence gap is reported, exit 1"
rm -rf "$T/out"
gen gap
collect -o "$T/out" "$T/in.bin"
expect_rc 1
expect_err "sequence gap in instance 439041101: expected 2, got 300"
expect_err "3 records (3 attempts, 0 results, 0 unloads), 1 gaps, 0 dropped, 1 instances"
expect_log 'm0\nm1\nm300\n'
grep -q '"seq":300,' "$T/out/modules.jsonl" || fail "seq 300 not in jsonl"
expect_json
t_end

t_begin "guest drop counter increases are reported, exit 1"
rm -rf "$T/out"
gen drop
collect -o "$T/out" "$T/in.bin"
expect_rc 1
expect_err "guest dropped 2 records before seq 1 (2 in total)"
expect_err "guest dropped 3 records before seq 3 (5 in total)"
expect_err "0 gaps, 5 dropped, 1 instances"
expect_lines "$T/out/modules.jsonl" 4
t_end

t_begin "quiet mode: no messages, same exit status"
collect -q "$T/in.bin"
expect_rc 1
[ -s "$T/err" ] && fail "stderr not empty: $(cat "$T/err")"
t_end

t_begin "two instances, each from seq 0"
rm -rf "$T/out"
gen instances
collect -o "$T/out" "$T/in.bin"
expect_rc 0
expect_err "4 records (4 attempts, 0 results, 0 unloads), 0 gaps, 0 dropped, 2 instances"
expect_log 'a0\na1\nb0\nb1\n'
[ "$(grep -c '"instance":22,' "$T/out/modules.jsonl")" = 2 ] ||
	fail "instance 22 records missing"
t_end

t_begin "allowed attempt merged with its result"
rm -rf "$T/out"
gen merge
collect -o "$T/out" "$T/in.bin"
expect_rc 0
expect_log '/lib/modules/e1000.ko\n/tmp/evil.ko\n'
expect_file "$T/out/modules.jsonl" "$exp/merge.jsonl"
expect_json
expect_err "3 records (2 attempts, 1 results, 0 unloads)"
t_end

t_begin "pending allowed attempts at end and at instance change"
rm -rf "$T/out"
gen pending
collect -o "$T/out" "$T/in.bin"
expect_rc 0
expect_log 'slow\nnope\nfast\nold\nnew\n'
expect_file "$T/out/modules.jsonl" "$exp/pending.jsonl"
expect_json
expect_err "6 records (5 attempts, 1 results, 0 unloads), 0 gaps, 0 dropped, 3 instances"
t_end

t_begin "result without its attempt, repeated record"
rm -rf "$T/out"
gen orphan
collect -o "$T/out" "$T/in.bin"
expect_rc 1
expect_err "sequence gap in instance 439041101: expected 0, got 1"
expect_err "sequence error in instance 439041101: expected 2, got 1"
expect_err "result seq 1 for attempt seq 0, which is not awaiting one"
expect_err "2 records (0 attempts, 2 results, 0 unloads), 2 gaps"
[ -s "$T/out/modules.log" ] && fail "modules.log not empty"
[ "$(grep -c '"seq":0,"result_seq":1,.*"result":"done"' \
	"$T/out/modules.jsonl")" = 2 ] || fail "orphan results not in jsonl"
expect_json
t_end

t_begin "unload record"
rm -rf "$T/out"
gen unload
collect -o "$T/out" "$T/in.bin"
expect_rc 0
expect_log '/lib/dummy.ko\n'
expect_file "$T/out/modules.jsonl" "$exp/unload.jsonl"
expect_json
expect_err "2 records (1 attempts, 0 results, 1 unloads)"
t_end

t_begin "hostile strings are escaped, fields never overrun"
rm -rf "$T/out"
gen hostile
collect -o "$T/out" "$T/in.bin"
expect_rc 0
pp=$(printf '%256s' '' | tr ' ' p)
expect_log '/lib/a\\x0ab.ko\\x09\\x1b[31m\\x7f\\\\x41"\303\251\377\nn\\\\\\x02\n'"$pp"'\n'
expect_lines "$T/out/modules.log" 3
expect_file "$T/out/modules.jsonl" "$exp/hostile.jsonl"
LC_ALL=C grep -q "$(printf '[\200-\377]')" "$T/out/modules.jsonl" &&
	fail "modules.jsonl has non-ASCII bytes"
expect_json
t_end

t_begin "no -o: nothing written"
mkdir -p "$T/empty"
gen normal
(cd "$T/empty" && $TIMEOUT ${IKC_RUNNER:-} "$BIN" ../in.bin 2>"$T/err")
rc=$?
expect_rc 0
[ -z "$(ls -A "$T/empty")" ] || fail "files written: $(ls -A "$T/empty")"
t_end

t_begin "-o creates missing parent directories"
gen normal
collect -o "$T/deep/a/b" "$T/in.bin"
expect_rc 0
expect_lines "$T/deep/a/b/modules.log" 4
t_end

# ---- corruption ----
#
# A bad record is reported at its byte offset and costs only itself: the
# collector resynchronises at the next offset where a valid record starts,
# reports the bytes it skipped, and decodes the rest; the exit status is 2.

t_begin "bad checksum in record 2: offset 1392, skipped, the rest decoded"
gen normal --corrupt 2
damaged
expect_rc 2
expect_err "corrupt record at offset 1392 (record 2): bad checksum"
expect_err "skipped 696 bytes (offsets 1392-2087) to the next valid record"
expect_err "sequence gap in instance 439041101: expected 2, got 3"
expect_err "result seq 3 for attempt seq 2, which is not awaiting one"
expect_err "4 records (3 attempts, 1 results, 0 unloads), 1 gaps, 0 dropped, 1 instances, 1 corrupt regions (696 bytes skipped)"
expect_log '/lib/modules/6.1.0/extra/foo.ko\nbar\n/tmp/baz.ko\n'
expect_lines "$T/out/modules.jsonl" 4
expect_json
drop_record "$T/in.bin" 2 >"$T/good.bin"
expect_file "$T/raw" "$T/good.bin"
t_end

t_begin "bad magic in record 1: offset 696, the rest decoded"
rm -rf "$T/out"
gen normal --corrupt 1:0
collect -o "$T/out" "$T/in.bin"
expect_rc 2
expect_err "corrupt record at offset 696 (record 1): bad magic"
expect_err "skipped 696 bytes (offsets 696-1391) to the next valid record"
expect_log '/lib/modules/6.1.0/extra/foo.ko\n<unknown>\n/tmp/baz.ko\n'
t_end

t_begin "bad byte-order mark, version and size"
gen normal --corrupt 3:4
collect "$T/in.bin"
expect_rc 2
expect_err "offset 2088 (record 3): bad byte-order mark"
expect_err "skipped 696 bytes (offsets 2088-2783) to the next valid record"
gen normal --corrupt 0:6
collect "$T/in.bin"
expect_rc 2
expect_err "offset 0 (record 0): unsupported version 3 (expected 2)"
expect_err "skipped 696 bytes (offsets 0-695) to the next valid record"
expect_err "4 records (3 attempts, 1 results, 0 unloads)"
gen normal --corrupt 1:8
collect "$T/in.bin"
expect_rc 2
expect_err "offset 696 (record 1): bad size 697"
expect_err "4 records (3 attempts, 1 results, 0 unloads)"
t_end

t_begin "enum out of range under a valid checksum"
gen normal --bad-enum 3
collect "$T/in.bin"
expect_rc 2
expect_err "corrupt record at offset 2088 (record 3): bad rule 99"
expect_err "skipped 696 bytes (offsets 2088-2783) to the next valid record"
expect_err "4 records (4 attempts, 0 results, 0 unloads), 1 gaps"
t_end

t_begin "truncated last record: offset, exit 2"
rm -rf "$T/out"
gen normal --truncate 100
collect -o "$T/out" "$T/in.bin"
expect_rc 2
expect_err "truncated record at offset 2784 (record 4): 596 of 696 bytes"
expect_err "skipped 596 bytes (offsets 2784-3379) to the end of the stream"
expect_err "4 records (3 attempts, 1 results, 0 unloads), 0 gaps, 0 dropped, 1 instances, 1 corrupt regions (596 bytes skipped)"
expect_lines "$T/out/modules.log" 3
gen normal --truncate 694
collect "$T/in.bin"
expect_rc 2
expect_err "truncated record at offset 2784 (record 4): 2 of 696 bytes"
t_end

t_begin "corruption after an allowed attempt: it is logged as pending"
rm -rf "$T/out"
gen merge --corrupt 2
collect -o "$T/out" "$T/in.bin"
expect_rc 2
expect_err "offset 1392 (record 2): bad checksum"
expect_err "skipped 696 bytes (offsets 1392-2087) to the end of the stream"
sed -n 1p "$T/out/modules.jsonl" | grep -q '"seq":1,.*"result":null' ||
	fail "blocked attempt not first"
sed -n 2p "$T/out/modules.jsonl" | grep -q '"seq":0,.*"result":"pending"' ||
	fail "allowed attempt not pending"
expect_json
t_end

t_begin "zeroed record (a slot read before it was written): a gap, exit 2"
gen many --count 6 --zero 2
damaged
expect_rc 2
expect_err "corrupt record at offset 1392 (record 2): bad magic (expected 49 4b 4d 52 \"IKMR\", found 00 00 00 00)"
expect_err "skipped 696 bytes (offsets 1392-2087) to the next valid record"
expect_err "sequence gap in instance 439041101: expected 2, got 3"
expect_err "5 records (5 attempts, 0 results, 0 unloads), 1 gaps, 0 dropped, 1 instances, 1 corrupt regions (696 bytes skipped)"
expect_log 'mod0\nmod1\nmod3\nmod4\nmod5\n'
expect_json
drop_record "$T/in.bin" 2 >"$T/good.bin"
expect_file "$T/raw" "$T/good.bin"
same_in_pieces
t_end

t_begin "1000 bytes of garbage between records, then a bad record"
gen many --count 6 --garbage 2:1000 --corrupt 4
damaged
expect_rc 2
expect_err "corrupt record at offset 1392 (record 2): bad magic"
expect_err "skipped 1000 bytes (offsets 1392-2391) to the next valid record"
expect_err "corrupt record at offset 3784 (record 5): bad checksum"
expect_err "skipped 696 bytes (offsets 3784-4479) to the next valid record"
expect_err "sequence gap in instance 439041101: expected 4, got 5"
expect_err "5 records (5 attempts, 0 results, 0 unloads), 1 gaps, 0 dropped, 1 instances, 2 corrupt regions (1696 bytes skipped)"
grep -q "expected 2," "$T/err" && fail "garbage reported as a gap"
expect_log 'mod0\nmod1\nmod2\nmod3\nmod5\n'
expect_json
"$GEN" many --count 6 >"$T/good.bin"
drop_record "$T/good.bin" 4 >"$T/good5.bin"
expect_file "$T/raw" "$T/good5.bin"
same_in_pieces
t_end

t_begin "flipped name byte: that record skipped, the next decoded"
gen many --count 5 --corrupt 1:120
damaged
expect_rc 2
expect_err "corrupt record at offset 696 (record 1): bad checksum"
expect_err "skipped 696 bytes (offsets 696-1391) to the next valid record"
expect_err "sequence gap in instance 439041101: expected 1, got 2"
expect_err "4 records (4 attempts, 0 results, 0 unloads), 1 gaps"
expect_log 'mod0\nmod2\nmod3\nmod4\n'
grep -q lod1 "$T/out/modules.jsonl" && fail "damaged name in modules.jsonl"
same_in_pieces
t_end

t_begin "stray \"IKMR\" in garbage without a valid checksum is not taken"
gen many --count 5 --stray 2
damaged
expect_rc 2
expect_err "corrupt record at offset 1392 (record 2): bad magic"
expect_err "skipped 763 bytes (offsets 1392-2154) to the next valid record"
expect_err "5 records (5 attempts, 0 results, 0 unloads), 0 gaps, 0 dropped, 1 instances, 1 corrupt regions (763 bytes skipped)"
expect_log 'mod0\nmod1\nmod2\nmod3\nmod4\n'
grep -q invented "$T/out/modules.jsonl" && fail "stray record decoded"
"$GEN" many --count 5 >"$T/good.bin"
expect_file "$T/raw" "$T/good.bin"
same_in_pieces
t_end

t_begin "garbage, then a truncated record: one region to the end"
gen many --count 4 --garbage 3:100 --truncate 300
damaged
expect_rc 2
expect_err "corrupt record at offset 2088 (record 3): bad magic"
expect_err "truncated record at offset 2188 (record 3): 396 of 696 bytes"
expect_err "skipped 496 bytes (offsets 2088-2583) to the end of the stream"
expect_err "3 records (3 attempts, 0 results, 0 unloads), 0 gaps, 0 dropped, 1 instances, 1 corrupt regions (496 bytes skipped)"
expect_log 'mod0\nmod1\nmod2\n'
same_in_pieces
t_end

t_begin "garbage at the end of the stream, with stray magic"
gen many --count 3 --garbage 3:500 --stray 3
damaged
expect_rc 2
expect_err "corrupt record at offset 2088 (record 3): bad magic"
expect_err "truncated record at offset 3345 (record 4): 6 of 696 bytes"
expect_err "skipped 1263 bytes (offsets 2088-3350) to the end of the stream"
expect_err "3 records (3 attempts, 0 results, 0 unloads), 0 gaps, 0 dropped, 1 instances, 1 corrupt regions (1263 bytes skipped)"
expect_log 'mod0\nmod1\nmod2\n'
same_in_pieces
t_end

t_begin "quiet mode still reports corruption"
gen many --count 6 --zero 2
collect -q "$T/in.bin"
expect_rc 2
expect_err "corrupt record at offset 1392 (record 2)"
expect_err "skipped 696 bytes (offsets 1392-2087) to the next valid record"
[ "$(wc -l <"$T/err")" -eq 2 ] || fail "unexpected messages: $(cat "$T/err")"
t_end

# ---- raw output ----

t_begin "raw copy: byte-identical, appended"
rm -f "$T/raw"
gen hostile
collect -q -r "$T/raw" "$T/in.bin"
expect_rc 0
expect_file "$T/raw" "$T/in.bin"
collect -q -r "$T/raw" "$T/in.bin"
cat "$T/in.bin" "$T/in.bin" >"$T/twice.bin"
expect_file "$T/raw" "$T/twice.bin"
t_end

# ---- usage and I/O errors ----

t_begin "usage errors exit 64, --help and --version exit 0"
collect
expect_rc 64
collect a b
expect_rc 64
collect --bogus x
expect_rc 64
collect -o
expect_rc 64
$TIMEOUT ${IKC_RUNNER:-} "$BIN" --help >"$T/help" 2>"$T/err"
rc=$?
expect_rc 0
grep -q '^Usage: igloo-kmods-collect' "$T/help" || fail "--help: no usage"
$TIMEOUT ${IKC_RUNNER:-} "$BIN" --version >"$T/ver" 2>"$T/err"
rc=$?
expect_rc 0
grep -q '^igloo-kmods-collect ' "$T/ver" || fail "--version: no version"
t_end

t_begin "I/O errors exit 74"
collect "$T/does-not-exist"
expect_rc 74
expect_err "does-not-exist"
gen normal
: >"$T/afile"
collect -o "$T/afile/sub" "$T/in.bin"
expect_rc 74
collect "$T"	# a directory: read() fails with EISDIR
expect_rc 74
t_end

# ---- follow mode ----

t_begin "follow: records appended in steps, partial records wait, stop file"
rm -rf "$T/out" "$T/stop"
"$GEN" many --count 6 >"$T/all.bin"
head -c 1000 "$T/all.bin" >"$T/p1"
tail -c +1001 "$T/all.bin" | head -c 2000 >"$T/p2"
tail -c +3001 "$T/all.bin" >"$T/p3"
: >"$T/src"
${IKC_RUNNER:-} "$BIN" -f --stop-file "$T/stop" -o "$T/out" "$T/src" \
	2>"$T/err" &
bg_pid=$!
sleep 0.2
cat "$T/p1" >>"$T/src"
wait_lines "$T/out/modules.log" 1
cat "$T/p2" >>"$T/src"
wait_lines "$T/out/modules.log" 4 && expect_lines "$T/out/modules.jsonl" 4
cat "$T/p3" >>"$T/src"
touch "$T/stop"
wait_bg
expect_rc 0
expect_lines "$T/out/modules.log" 6
expect_err "6 records (6 attempts, 0 results, 0 unloads), 0 gaps, 0 dropped, 1 instances"
t_end

t_begin "follow: SIGTERM drains what is left"
rm -rf "$T/out"
head -c $((2 * REC)) "$T/all.bin" >"$T/src"
${IKC_RUNNER:-} "$BIN" -f -o "$T/out" "$T/src" 2>"$T/err" &
bg_pid=$!
wait_lines "$T/out/modules.log" 2
tail -c +$((2 * REC + 1)) "$T/all.bin" >>"$T/src"
kill -TERM "$bg_pid"
wait_bg
expect_rc 0
expect_lines "$T/out/modules.log" 6
t_end

t_begin "follow: SIGINT with a partial record left is a truncation"
rm -rf "$T/out"
head -c 1000 "$T/all.bin" >"$T/src"
${IKC_RUNNER:-} "$BIN" -f -o "$T/out" "$T/src" 2>"$T/err" &
bg_pid=$!
wait_lines "$T/out/modules.log" 1
kill -INT "$bg_pid"
wait_bg
expect_rc 2
expect_err "truncated record at offset 696 (record 1): 304 of 696 bytes"
expect_err "skipped 304 bytes (offsets 696-999) to the end of the stream"
t_end

t_begin "follow: a bad header is reported at once, a candidate waits"
rm -rf "$T/out" "$T/stop"
"$GEN" many --count 3 --zero 1 >"$T/all.bin"
head -c $((REC + 100)) "$T/all.bin" >"$T/src"
${IKC_RUNNER:-} "$BIN" -f --stop-file "$T/stop" -o "$T/out" "$T/src" \
	2>"$T/err" &
bg_pid=$!
wait_lines "$T/out/modules.log" 1
wait_err "corrupt record at offset 696 (record 1): bad magic"
# The rest of the zeros and 300 bytes of record 2, which must wait.
head -c $((2 * REC + 300)) "$T/all.bin" | tail -c +$((REC + 101)) >>"$T/src"
sleep 0.5
expect_lines "$T/out/modules.log" 1
grep -q skipped "$T/err" && fail "resynchronised on an incomplete record"
tail -c +$((2 * REC + 301)) "$T/all.bin" >>"$T/src"
wait_lines "$T/out/modules.log" 2
wait_err "skipped 696 bytes (offsets 696-1391) to the next valid record"
touch "$T/stop"
wait_bg
expect_rc 2
expect_log 'mod0\nmod2\n'
expect_err "2 records (2 attempts, 0 results, 0 unloads), 1 gaps, 0 dropped, 1 instances, 1 corrupt regions (696 bytes skipped)"
t_end

t_begin "follow: a pipe ends at EOF"
rm -rf "$T/out"
"$GEN" many --count 6 | { collect -f -o "$T/out" -; echo "$rc" >"$T/rc"; }
rc=$(cat "$T/rc")
expect_rc 0
expect_lines "$T/out/modules.log" 6
t_end

t_begin "many records through a pipe"
"$GEN" many --count 5000 | { collect -o "$T/out" -; echo "$rc" >"$T/rc"; }
rc=$(cat "$T/rc")
expect_rc 0
expect_lines "$T/out/modules.log" 5000
[ "$(tail -1 "$T/out/modules.log")" = mod4999 ] || fail "last line wrong"
t_end

# ---- ttys (needs python3 for a pty) ----

t_begin "tty: raw copy to a tty and reading from a tty pass bytes unchanged"
if [ -z "$PYTHON" ] || [ -n "${IKC_RUNNER:-}" ]; then
	skip="needs python3 and a native collector"
else
	gen hostile
	rm -rf "$T/out" "$T/stop"
	"$PYTHON" - "$BIN" "$T/in.bin" "$T/out" "$T/stop" >"$T/pyout" 2>&1 <<'EOF' ||
import os, select, subprocess, sys, termios, time
bin, infile, outdir, stop = sys.argv[1:5]
data = open(infile, "rb").read()

def drain(fd, want, secs=5):
	got = b""
	end = time.time() + secs
	while len(got) < want and time.time() < end:
		r, _, _ = select.select([fd], [], [], 0.1)
		if r:
			got += os.read(fd, 65536)
	return got

# 1: -r to a tty: must be put in raw mode (no \n -> \r\n). This process
# holds the port open too, as the collector's parent may (3).
m, s = os.openpty()
p = subprocess.Popen([bin, "-q", "-r", os.ttyname(s), infile])
got = drain(m, len(data))
if p.wait(10) != 0 or got != data:
	sys.exit("raw tty copy: rc %s, %d of %d bytes, equal %s" %
		 (p.returncode, len(got), len(data), got == data))
os.close(m); os.close(s)

# 2: a tty as SOURCE: raw mode while reading, restored at exit.
m, s = os.openpty()
p = subprocess.Popen([bin, "-q", "-f", "--stop-file", stop, "-o", outdir,
		      os.ttyname(s)])
end = time.time() + 5
while termios.tcgetattr(s)[3] & termios.ICANON and time.time() < end:
	time.sleep(0.02)
if termios.tcgetattr(s)[3] & termios.ICANON:
	sys.exit("source tty not put in raw mode")
os.write(m, data)
end = time.time() + 5
while time.time() < end:
	try:
		if len(open(outdir + "/modules.log", "rb").read().split(b"\n")) > 3:
			break
	except OSError:
		pass
	time.sleep(0.05)
open(stop, "w").close()
if p.wait(10) != 0:
	sys.exit("tty source: rc %d" % p.returncode)
if not termios.tcgetattr(s)[3] & termios.ICANON:
	sys.exit("source tty settings not restored")
EOF
		fail "$(cat "$T/pyout")"
	expect_lines "$T/out/modules.log" 3
	[ -f "$T/out/modules.jsonl" ] &&
		expect_file "$T/out/modules.jsonl" "$exp/hostile.jsonl"
fi
t_end

t_begin "tty: a forwarding port that another process holds open is refused"
if [ -z "$PYTHON" ] || [ -n "${IKC_RUNNER:-}" ]; then
	skip="needs python3 and a native collector"
else
	gen normal
	"$PYTHON" - "$BIN" "$T/in.bin" >"$T/pyout" 2>&1 <<'EOF' ||
import os, select, subprocess, sys, time
bin, infile = sys.argv[1:3]
# A pty whose slave a process of another session holds open, as
# penguin's root shell holds its serial port.
m, s = os.openpty()
name = os.ttyname(s)
holder = subprocess.Popen(["sleep", "30"], stdin=s, start_new_session=True)
os.close(s)
p = subprocess.run([bin, "-q", "-r", name, infile], capture_output=True)
holder.kill()
holder.wait()
got = b""
while select.select([m], [], [], 0.2)[0]:
	try:
		got += os.read(m, 65536)
	except OSError:
		break
err = p.stderr.decode()
if p.returncode != 74:
	sys.exit("exit status %d, expected 74: %s" % (p.returncode, err))
if "in use by pid %d (sleep)" % holder.pid not in err:
	sys.exit("message does not name the holder: %s" % err)
if got:
	sys.exit("%d bytes reached the busy port" % len(got))
EOF
		fail "$(cat "$T/pyout")"
fi
t_end

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
