#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Convert a saved format-1 vmviz report to format 2 (/work/spec-v2.md).

A stop-gap until reports captured from a module that speaks format 2
replace the ones in reports/: the reader reads only format 2.

    v1to2.py [--time SEC.NSEC] [--boot UUID] [--kernel RELEASE] IN OUT

What it changes, and nothing else:
  - line 1 becomes "vmviz-format 2";
  - a "report" line follows it, with fixed values (--kernel defaults to the
    Debian release of the kernel named in the file name, 6.1, 6.12 or 7.2;
    --boot and --time to fixed values, so the output is reproducible);
  - the mm line: format 1's hashed id stays the id (16 hex digits, equal
    for one mm as ctx_id is), users and count lose the one reference each
    that vmviz held while reading, and active becomes own (it equalled the
    id), none, or other;
  - each vma line loses its seven counts, which go to a "sum" line over the
    VMA's whole range after its page lines;
  - an "end vmas N pagelines N" line is appended.

How the test data is made (tools/tests/README):
    tools/tests/v1to2.py reports-v1/X.report reports/X.report
"""
import argparse
import re
import sys

KERNELS = {
    "6.1": "6.1.0-56-amd64",
    "6.12": "6.12.117+deb12-amd64",
    "7.2": "7.2.13+deb14-amd64",
}
COUNTS = ("present", "dirty", "accessed", "writable", "huge", "swapped",
          "nonpresent")


def convert(lines, kernel, boot, time, boottime):
    out = []
    nvmas = npages = 0
    pending = None          # the sum line of the VMA being read

    def flush():
        nonlocal pending
        if pending:
            out.append(pending)
            pending = None

    if not lines or lines[0] != "vmviz-format 1":
        raise ValueError("not a format-1 report")
    out.append("vmviz-format 2")
    out.append(f"report kernel {kernel} boot {boot} time {time} "
               f"boottime {boottime}")
    for line in lines[1:]:
        w = line.split(" ")
        if w[0] == "mm":
            mm_id, users, count, active = w[2], int(w[4]), int(w[6]), w[8]
            if mm_id != "none":
                users, count = max(users - 1, 0), max(count - 1, 0)
            active = ("none" if active == "none" else
                      "own" if active == mm_id else "other")
            out.append(f"mm id {mm_id} users {users} count {count} "
                       f"active {active}")
        elif w[0] == "vma":
            flush()
            nvmas += 1
            head, _, tail = line.partition(" present ")
            vals = dict(zip(tail.split(" ")[1::2], tail.split(" ")[2::2]))
            vals["present"] = tail.split(" ")[0]
            out.append(head)
            pending = f"sum {w[1]} " + " ".join(
                f"{k} {vals[k]}" for k in COUNTS)
        elif line.startswith("  "):
            npages += 1
            out.append(line)
        else:
            out.append(line)
    flush()
    out.append(f"end vmas {nvmas} pagelines {npages}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel")
    ap.add_argument("--boot", default="3b9f6c2e-4a1d-4c55-9e0f-1d2c3b4a5f60")
    ap.add_argument("--time", default="1764171234.012345678")
    ap.add_argument("--boottime", default="42.123456789")
    ap.add_argument("input")
    ap.add_argument("output")
    a = ap.parse_args()
    kernel = a.kernel
    if not kernel:
        m = re.search(r"(?:^|[-/])(6\.1|6\.12|7\.2)-[45]", a.input)
        kernel = KERNELS[m.group(1)] if m else KERNELS["6.12"]
    with open(a.input) as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    try:
        out = convert(lines, kernel, a.boot, a.time, a.boottime)
    except (ValueError, IndexError) as e:
        sys.exit(f"{a.input}: {e}")
    with open(a.output, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
