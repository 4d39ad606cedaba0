#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare what a guest run declared against what the host decoded.

Usage: check-records.py LABEL RESULTS OUTDIR [COLLECTOR_STDERR]

RESULTS is the guest's result channel (KMODS-EXPECT / KMODS-BULK /
KMODS-HINT / KMODS-RESULT / KMODS-DONE lines, see tests/guest/lib.sh);
OUTDIR holds the collector's modules.log and modules.jsonl. Every expected
record must be the next record in modules.jsonl (with at least the flags
an expectation names), modules.log must list exactly the expected load
attempts, in order, and every KMODS-HINT text must be a line of the
collector's summary (COLLECTOR_STDERR). Prints one TAP line per scenario plus one for
modules.log and one for the run's completion.
Exit status: 0 if all passed, 1 otherwise.
"""

import json
import sys

FIELDS = ("event", "syscall", "compat", "name", "decision", "rule", "ret",
          "path")


def parse_results(path):
    expects, results, done = [], {}, False
    order, hints = [], []
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").strip()
            parts = line.split("|")
            if parts[0] == "KMODS-EXPECT" and len(parts) in (10, 11):
                exp = dict(zip(("scenario",) + FIELDS, parts[1:10]))
                exp["flags"] = parts[10].split(",") if len(parts) == 11 \
                    else []
                expects.append(exp)
                if exp["scenario"] not in order:
                    order.append(exp["scenario"])
            elif parts[0] == "KMODS-BULK" and len(parts) == 3:
                # N load attempts of any content, e.g. a stress run
                for _ in range(int(parts[2])):
                    expects.append(dict(zip(("scenario",) + FIELDS + ("flags",),
                                            [parts[1], "load"] +
                                            ["*"] * (len(FIELDS) - 1) +
                                            [[]])))
                if parts[1] not in order:
                    order.append(parts[1])
            elif parts[0] == "KMODS-HINT" and len(parts) == 3:
                hints.append((parts[1], parts[2]))
            elif parts[0] == "KMODS-RESULT" and len(parts) >= 3:
                results[parts[1]] = (parts[2], "|".join(parts[3:]))
                if parts[1] not in order:
                    order.append(parts[1])
            elif parts[0] == "KMODS-DONE":
                done = True
    return expects, results, order, done, hints


def field_of(rec, field):
    value = rec.get(field)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def mismatch(exp, rec):
    """Return the first differing field as text, or None on a match."""
    for field in FIELDS:
        want = exp[field]
        if want == "*":
            continue
        got = field_of(rec, field)
        if got != want:
            return "%s is '%s', expected '%s'" % (field, got, want)
    for flag in exp.get("flags", []):
        if flag not in rec.get("flags", []):
            return "flags %s lack '%s'" % (rec.get("flags"), flag)
    if rec.get("decision") != "block" and rec.get("result") != "done":
        return "load passed to the kernel has no result record"
    return None


def describe(rec):
    return "%s %s %s %s/%s ret %s" % (
        rec.get("event"), rec.get("syscall"), rec.get("name"),
        rec.get("decision"), rec.get("rule"), rec.get("ret"))


def main():
    label, results_path, outdir = sys.argv[1:4]
    expects, results, order, done, hints = parse_results(results_path)
    summary = None
    if len(sys.argv) > 4:
        try:
            with open(sys.argv[4]) as f:
                summary = [line.split(": ", 1)[-1].rstrip("\n")
                           for line in f]
        except OSError:
            summary = []
    try:
        with open(outdir + "/modules.jsonl") as f:
            records = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as err:
        records = []
        print("# cannot read modules.jsonl: %s" % err)

    problems = {}

    def note(scenario, text):
        problems.setdefault(scenario, []).append(text)

    i = j = 0
    while i < len(expects):
        exp = expects[i]
        if j < len(records) and mismatch(exp, records[j]) is None:
            i += 1
            j += 1
            continue
        # An unexpected record in between? Look a few records ahead.
        ahead = next((k for k in range(j + 1, min(j + 4, len(records)))
                      if mismatch(exp, records[k]) is None), None)
        if ahead is not None:
            for k in range(j, ahead):
                note(exp["scenario"], "unexpected record: " +
                     describe(records[k]))
            j = ahead
            continue
        why = mismatch(exp, records[j]) if j < len(records) else "missing"
        note(exp["scenario"], "record %d (%s %s %s): %s" % (
            i + 1, exp["event"], exp["syscall"], exp["name"], why))
        i += 1
        if j < len(records):
            j += 1
    for scenario, text in hints:
        if summary is None:
            note(scenario, "no collector summary to find the hint in")
        elif text not in summary:
            note(scenario, "the collector's summary lacks '%s'" % text)
    last = expects[-1]["scenario"] if expects else "run"
    for k in range(j, len(records)):
        note(last, "unexpected record: " + describe(records[k]))

    failed = 0
    for scenario in order:
        status, reason = results.get(scenario, ("fail", "no guest result"))
        why = []
        if status != "ok":
            why.append("guest: " + reason)
        why += problems.get(scenario, [])
        if why:
            failed += 1
            print("not ok - %s %s" % (label, scenario))
            for text in why:
                print("#   %s" % text)
        else:
            print("ok - %s %s" % (label, scenario))

    want_log = [e["path"] or e["name"] or "<unknown>" for e in expects
                if e["event"] == "load"]
    try:
        with open(outdir + "/modules.log") as f:
            got_log = f.read().splitlines()
    except OSError:
        got_log = None
    log_ok = got_log is not None and len(got_log) == len(want_log) and all(
        w == "*" or w == g for w, g in zip(want_log, got_log))
    if log_ok:
        print("ok - %s modules.log lists the %d attempts in order" % (
            label, len(want_log)))
    else:
        failed += 1
        print("not ok - %s modules.log lists the attempts in order" % label)
        for k, (want, got) in enumerate(zip(want_log, got_log or [])):
            if want not in ("*", got):
                print("#   line %d is '%s', expected '%s'" % (k + 1, got,
                                                              want))
                break
        print("#   %s lines, expected %d" % (
            "no" if got_log is None else len(got_log), len(want_log)))

    if done:
        print("ok - %s guest finished every scenario" % label)
    else:
        failed += 1
        print("not ok - %s guest finished every scenario" % label)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
