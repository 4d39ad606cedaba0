#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare a replay of penguin's kmods tests with the table they came from.

Usage: penguin-replay.py LABEL TABLE RESULTS LIVE FINAL PENGUIN_LOG

TABLE is tests/penguin/test_kmods.table (penguin's cases); RESULTS the
guest's result lines (KMODS-REPLAY|id|ret=N errno=E|loaded=yes|no, or
for a params row the lists read back); LIVE the host's copy of the 9p
share taken while the guest ran (modules.log, modules.jsonl); FINAL the
share after the guest ended; PENGUIN_LOG the collector's --penguin
modules.log of the same records. Prints TAP lines; exit 0 if all passed.
"""

import json
import sys

COLS = ("id", "test", "allow", "deny", "call", "path", "image", "ret",
        "loaded", "name", "decision", "rule", "row", "differs")


def read_table(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("|")
            if len(parts) != len(COLS):
                sys.exit("%s: %d columns in %r" % (path, len(parts), line))
            row = dict(zip(COLS, parts))
            row["penguin"] = dict(row)
            diff = {}
            if row["differs"] != "-":
                for item in row["differs"].split(","):
                    key, _, val = item.partition("=")
                    diff[key] = val
            # igloo_kmods' expected values: penguin's, with the
            # documented differences applied.
            for key, val in diff.items():
                if key != "penguin_row":
                    row[key] = val
            row["penguin_row"] = diff.get("penguin_row",
                                          row["penguin"]["row"])
            row["diff"] = diff
            rows.append(row)
    return rows


def read_results(path):
    got = {}
    with open(path, "rb") as f:
        for raw in f:
            parts = raw.decode("utf-8", "replace").strip().split("|")
            if parts[0] == "KMODS-REPLAY" and len(parts) == 4:
                got[parts[1]] = (parts[2], parts[3])
            elif parts[0] == "KMODS-INITS" and len(parts) == 2:
                got["inits"] = parts[1]
    return got


def read_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "surrogateescape").splitlines()
    except OSError:
        return None


def main():
    label, table, results, live, final, penguin_log = sys.argv[1:7]
    rows = read_table(table)
    got = read_results(results)
    failed = 0

    def report(ok, text, why=()):
        nonlocal failed
        print("%s - %s %s" % ("ok" if ok else "not ok", label, text))
        for line in why:
            print("#   %s" % line)
        if not ok:
            failed += 1

    try:
        with open(live + "/modules.jsonl") as f:
            records = [json.loads(l) for l in f if l.strip()]
    except (OSError, ValueError) as err:
        records = []
        print("# cannot read %s/modules.jsonl: %s" % (live, err))
    loads = [r for r in records if r.get("event") == "load"]

    calls = [r for r in rows if r["call"] != "params"]
    k = 0
    for row in rows:
        why = []
        res = got.get(row["id"])
        if res is None:
            why.append("the guest did not report it")
        elif row["call"] == "params":
            want = ("allowlist=" + row["allow"], "denylist=" + row["deny"])
            if res != want:
                why.append("lists read %s, penguin's are %s" % (res, want))
        else:
            want_call = "ret=%s errno=0" % row["ret"]
            if res[0] != want_call:
                why.append("the call returned '%s', expected '%s'" %
                           (res[0], want_call))
            if res[1] != "loaded=" + row["loaded"]:
                why.append("%s, expected loaded=%s" % (res[1], row["loaded"]))
        if row["call"] != "params":
            rec = loads[k] if k < len(loads) else None
            k += 1
            syscall = "finit_module" if row["call"] == "finit" \
                else "init_module"
            path = "" if row["call"] == "init-nopath" else row["path"]
            want = {"syscall": syscall, "name": row["name"],
                    "decision": row["decision"], "rule": row["rule"],
                    "path": path, "ret": int(row["ret"])}
            if rec is None:
                why.append("no record")
            else:
                for key, val in want.items():
                    if rec.get(key) != val:
                        why.append("record %s is %r, expected %r" %
                                   (key, rec.get(key), val))
        note = ""
        if row["diff"]:
            note = " (differs from penguin on purpose: %s)" % ", ".join(
                "%s %r, penguin %r" % (key, val, row["penguin"].get(
                    "row" if key == "penguin_row" else key))
                for key, val in row["diff"].items())
        report(not why, "replay %s: %s%s" % (row["id"], row["test"], note),
               why)
    if len(loads) != len(calls):
        report(False, "%d load records for %d calls" % (len(loads),
                                                        len(calls)))

    # Each module the table lets load ran its init (the images other than
    # igloo print "ikm_dash_name: init ran"), and no other did.
    n = sum(1 for r in calls if r["loaded"] == "yes" and r["image"] != "igloo")
    report(got.get("inits") == str(n), "the init of the %d loads the table "
           "lets through ran, and no other" % n,
           ["%s init lines" % got.get("inits")] if got.get("inits") != str(n)
           else ())

    # modules.log as the host read it while the guest ran.
    want = [r["row"] for r in calls if r["row"] != "-"]
    log = read_lines(live + "/modules.log")
    report(log == want, "modules.log read from the share while the guest "
           "ran has the table's %d lines, in order" % len(want),
           ["got %r" % log, "want %r" % want] if log != want else ())

    # Item 6: every line penguin writes is there, byte for byte.
    same = [r for r in calls if r["penguin"]["row"] != "-"]
    mismatched = [r["id"] for r in same if r["row"] != r["penguin"]["row"]]
    ok = log is not None and not mismatched and \
        [l for l in log if l in {r["row"] for r in same}] == \
        [r["penguin"]["row"] for r in same]
    report(ok, "modules.log: the %d lines penguin writes are byte-identical "
           "and in penguin's order" % len(same),
           ["rows that differ: %s" % mismatched] if not ok else ())

    # The collector's --penguin output.
    want = [r["penguin_row"] for r in calls if r["penguin_row"] != "-"]
    plog = read_lines(penguin_log)
    report(plog == want, "igloo-kmods-collect --penguin writes penguin's "
           "%d lines" % len(want),
           ["got %r" % plog, "want %r" % want] if plog != want else ())

    # What the host read while the guest ran is what the share holds at
    # the end (the guest wrote nothing more).
    same = all(read_lines("%s/%s" % (live, f)) is not None and
               read_lines("%s/%s" % (live, f)) ==
               read_lines("%s/%s" % (final, f))
               for f in ("modules.log", "modules.jsonl"))
    report(same, "the host's read during the run equals the share's final "
           "modules.log and modules.jsonl")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
