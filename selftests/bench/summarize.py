#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Format 2 tables of docs/BENCHMARKS.md from make bench's results files.

usage: summarize.py NEW_RESULTS [BEFORE_RESULTS]

NEW_RESULTS is one boot's results-*.txt (vmviz_bench output); BEFORE_RESULTS
the same kernel's run on the old module, for bytes per page before/after.
Prints markdown: per-N table, per-variant medians, and the points that miss
the targets of issue 9.
"""
import statistics
import sys


def parse(path):
    rows = {}
    for line in open(path):
        f = line.split()
        if not f or f[0] not in ("bench", "benchmem", "benchstall", "benchhold", "benchpfn"):
            continue
        a = dict(x.split("=", 1) for x in f[1:] if "=" in x)
        key = (a["variant"], int(a["n"]))
        r = rows.setdefault(key, {})
        if f[0] == "benchhold":
            r["hold_" + a["reader"]] = a
        else:
            r[f[0]] = a
    return rows


def num(a, k):
    try:
        return float(a[k])
    except (KeyError, TypeError, ValueError):
        return None


def fmt(x, nd=2):
    return "n/a" if x is None else f"{x:.{nd}f}"


def log2(n):
    return n.bit_length() - 1


def main():
    new = parse(sys.argv[1])
    old = parse(sys.argv[2]) if len(sys.argv) > 2 else {}
    print("| variant | N | report/pagemap | report/smaps | B/page before | B/page after "
          "| longest hold µs report (holds) | smaps (holds) | pagemap (holds) "
          "| worst mmap/munmap stall µs idle | under report | under smaps |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    med = {}
    misses = []
    for (v, n), r in sorted(new.items(), key=lambda kv: (["anon4k", "thp", "zero", "file", "sparse", "wide"].index(kv[0][0]) if kv[0][0] in ["anon4k", "thp", "zero", "file", "sparse", "wide"] else 9, kv[0][1])):
        b = r.get("bench")
        if not b:
            continue
        rp = num(b, "vmviz_per_pagemap")
        rp = None if rp is None or rp < 0 else rp
        rs = num(b, "vmviz_per_smaps")
        med.setdefault(v, ([], []))
        if rp is not None:
            med[v][0].append(rp)
        med[v][1].append(rs)
        ob = old.get((v, n), {}).get("bench")
        before = num(ob, "vmviz_bytes_per_page") if ob else None

        def hold(rd):
            h = r.get("hold_" + rd)
            if not h:
                return "-"
            if h.get("target_mm") != "1":
                return "?"
            return f"{float(h['max_us']):.0f} ({h['holds']})"
        s = r.get("benchstall", {})
        print(f"| {v} | 2^{log2(n)} | {fmt(rp)} | {fmt(rs)} | {fmt(before)} | "
              f"{fmt(num(b, 'vmviz_bytes_per_page'))} | {hold('vmviz')} | {hold('smaps')} | "
              f"{hold('pagemap')} | {s.get('idle_max_us', '-')} | {s.get('vmviz_max_us', '-')} | "
              f"{s.get('smaps_max_us', '-')} |")
        if v in ("anon4k", "file", "zero") and rp is not None and rp > 1.5:
            misses.append(f"{v} 2^{log2(n)} report/pagemap {rp:.2f} > 1.5")
        if s and float(s["vmviz_max_us"]) > float(s["smaps_max_us"]):
            floor = float(s["vmviz_max_us"]) <= float(s["idle_max_us"])
            misses.append(f"{v} 2^{log2(n)} stall under report {s['vmviz_max_us']} µs > under smaps "
                          f"{s['smaps_max_us']} µs (idle {s['idle_max_us']}"
                          f"{': within the idle floor' if floor else ''})")
    print()
    print("| variant | median report/pagemap | max | median report/smaps |")
    print("|---|--:|--:|--:|")
    for v, (p, s) in med.items():
        print(f"| {v} | {fmt(statistics.median(p)) if p else 'n/a'} | "
              f"{fmt(max(p)) if p else 'n/a'} | {fmt(statistics.median(s))} |")
        if v in ("anon4k", "file", "zero") and p and statistics.median(p) > 1.0:
            misses.append(f"{v} median report/pagemap {statistics.median(p):.2f} > 1.0")
    print()
    print("Misses:" if misses else "Misses: none")
    for m in misses:
        print(f"- {m}")


if __name__ == "__main__":
    main()
