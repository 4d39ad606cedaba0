#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the outcome table of Documentation/threat-model.rst.

Usage: doc-table.py LABEL=TABLE.TXT...

Each TABLE.TXT is the table.txt of a run of tests/guest/hostile.sh
(KMODS-TABLE|<case>|<run>|<value> lines; runs: stock, monitor, allow,
default, errno). One row per case, one column per run, with the value
of the first kernel; a case where another kernel gave another value
says so in the row. Exits 1 if a case is missing from a table.
"""

import sys

RUNS = (("stock", "no igloo_kmods"), ("monitor", "monitor"),
        ("allow", "allowlist"), ("default", "default"),
        ("errno", "block_errno=1"))


def read_table(path):
    values, order = {}, []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\r\n").split("|")
            if len(parts) != 4 or parts[0] != "KMODS-TABLE":
                continue
            _, case, run, value = parts
            if run not in dict(RUNS):
                continue
            if case not in order:
                order.append(case)
            values[(case, run)] = value
    return values, order


def main():
    tables = []
    for arg in sys.argv[1:]:
        label, _, path = arg.partition("=")
        tables.append((label, read_table(path)))
    if not tables:
        sys.exit(__doc__)
    first_label, (first, order) = tables[0]
    rows, bad = [], 0
    for case in order:
        row = [case]
        for run, _ in RUNS:
            value = first.get((case, run), "-")
            others = []
            for label, (vals, _) in tables[1:]:
                other = vals.get((case, run))
                if other is None and value != "-":
                    bad = 1
                    print("%s: no %s/%s" % (label, case, run), file=sys.stderr)
                elif other is not None and other != value:
                    others.append("%s: %s" % (label, other))
            if others:
                value += " (" + ", ".join(others) + ")"
            row.append(value)
        rows.append(row)
    head = ["case"] + [title for _, title in RUNS]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    rule = " ".join("=" * w for w in widths)
    print(rule)
    print(" ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip())
    print(rule)
    for r in rows:
        print(" ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    print(rule)
    sys.exit(bad)


if __name__ == "__main__":
    main()
