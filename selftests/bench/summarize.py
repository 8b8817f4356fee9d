#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Format 2 tables of docs/BENCHMARKS.md from make bench's results files.

usage: summarize.py NEW_RESULTS [BEFORE_RESULTS]
       summarize.py --cross LABEL=NEW_RESULTS[:BEFORE_RESULTS] ...
       summarize.py --frames LABEL=NEW_RESULTS[:FORMAT2_RESULTS[:PRE_RESULTS]] ...
       summarize.py --rerun BOOT1_RESULTS [BOOT2_RESULTS]
       summarize.py --boots BOOT1_RESULTS [BOOT2_RESULTS [BOOT3_RESULTS]]

NEW_RESULTS is one boot's results-*.txt (vmviz_bench output); BEFORE_RESULTS
the same kernel's run on the old module, for bytes per page before/after.
Prints markdown: per-N table, per-variant medians, and the points that miss
the targets of issue 9. --frames: the frame detail (frames/PID) against
smaps and smaps_rollup per point and kernel, and the default report's
report/pagemap beside the format 2 run's (FORMAT2_RESULTS) and a run on the
module before the frame detail (PRE_RESULTS) at the same N.
--rerun: the points (VARIANT:LOG2N,...) the next boot runs again under
issue 21's rule, "no N above 1.5x its target in two boots out of three"
(TARGETS): after one boot those above 1.5x a target; after two, those
above a target in one of the two (a third boot decides them).
--boots: per point and target above 1.5x it in any boot, the ratio in
each boot, and whether it missed in two boots (the rule's verdict).
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


def hold(r, rd, median=False):
    """The lock-hold cell of reader rd: longest (and median) ms, (holds)."""
    h = r.get("hold_" + rd)
    if not h:
        return "-"
    if h.get("target_mm") != "1":
        return "?"
    if not median:
        return f"{float(h['max_us']) / 1e3:.1f} ({h['holds']})"
    if h["holds"] == "0":
        return "0 holds"
    return f"{float(h['max_us']) / 1e3:.1f} / {float(h['p50_us']) / 1e3:.2f} ({h['holds']})"


def num(a, k):
    try:
        return float(a[k])
    except (KeyError, TypeError, ValueError):
        return None


def fmt(x, nd=2):
    return "n/a" if x is None else f"{x:.{nd}f}"


def ms(a, k):
    return f"{float(a[k]) / 1e3:.0f}" if a and k in a else "-"


def log2(n):
    return n.bit_length() - 1


def main():
    new = parse(sys.argv[1])
    old = parse(sys.argv[2]) if len(sys.argv) > 2 else {}
    print("| variant | N | report/pagemap | report/smaps | B/page before | B/page after "
          "| report hold ms: longest / median (holds) | smaps | pagemap "
          "| worst mmap/munmap stall ms: idle | under report | under smaps |")
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

        s = r.get("benchstall", {})
        print(f"| {v} | 2^{log2(n)} | {fmt(rp)} | {fmt(rs)} | {fmt(before)} | "
              f"{fmt(num(b, 'vmviz_bytes_per_page'))} | {hold(r, 'vmviz', True)} | {hold(r, 'smaps', True)} | "
              f"{hold(r, 'pagemap', True)} | {ms(s, 'idle_max_us')} | {ms(s, 'vmviz_max_us')} | "
              f"{ms(s, 'smaps_max_us')} |")
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


VARIANTS = ["anon4k", "thp", "zero", "file", "sparse", "wide"]


def cross(specs):
    """--cross LABEL=NEW[:BEFORE] ...: one table of all runs side by side."""
    runs = []
    for spec in specs:
        label, files = spec.split("=", 1)
        new, _, before = files.partition(":")
        runs.append((label, parse(new), parse(before) if before else {}))
    print("Median report/pagemap over N (largest; median report/smaps):")
    print()
    print("| variant | " + " | ".join(l for l, _, _ in runs) + " |")
    print("|---|" + "--:|" * len(runs))
    for v in VARIANTS:
        cells = []
        for _, new, _ in runs:
            p = [num(r["bench"], "vmviz_per_pagemap") for (vv, n), r in new.items()
                 if vv == v and "bench" in r]
            s = [num(r["bench"], "vmviz_per_smaps") for (vv, n), r in new.items()
                 if vv == v and "bench" in r]
            p = [x for x in p if x is not None and x >= 0]
            s = [x for x in s if x is not None]
            if not s:
                cells.append("-")
                continue
            cells.append((f"{statistics.median(p):.2f} ({max(p):.2f}; " if p else "n/a (")
                         + f"{statistics.median(s):.2f})")
        print(f"| {v} | " + " | ".join(cells) + " |")
    print()
    print("Target's mmap+munmap stalls while a reader loops, over all points of a run:")
    print()
    print("| run | points | report's worst > smaps's | of those above the idle worst "
          "| worst idle ms | worst under report ms | worst under smaps ms "
          "| mean stall µs idle / report / smaps (median over N) |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    for label, new, _ in runs:
        st = [r["benchstall"] for r in new.values() if "benchstall" in r]
        if not st:
            continue
        f = lambda a, k: float(a[k])
        longer = [a for a in st if f(a, "vmviz_max_us") > f(a, "smaps_max_us")]
        above = [a for a in longer if f(a, "vmviz_max_us") > f(a, "idle_max_us")]
        med = lambda k: statistics.median(f(a, k) for a in st)
        print(f"| {label} | {len(st)} | {len(longer)} | {len(above)} | "
              f"{max(f(a, 'idle_max_us') for a in st) / 1e3:.0f} | "
              f"{max(f(a, 'vmviz_max_us') for a in st) / 1e3:.0f} | "
              f"{max(f(a, 'smaps_max_us') for a in st) / 1e3:.0f} | "
              f"{med('idle_avg_us'):.0f} / {med('vmviz_avg_us'):.0f} / {med('smaps_avg_us'):.0f} |")
    print()
    print("Bytes per mapped page, before (format 1) -> after (format 2):")
    print()
    ns = sorted({n for _, new, _ in runs for (v, n) in new})
    print("| variant | N | " + " | ".join(l for l, _, _ in runs) + " |")
    print("|---|--:|" + "--:|" * len(runs))
    for v in VARIANTS:
        for n in ns:
            cells, any_ = [], False
            for _, new, old in runs:
                a = new.get((v, n), {}).get("bench")
                b = old.get((v, n), {}).get("bench")
                if a:
                    any_ = True
                bb = fmt(num(b, "vmviz_bytes_per_page")) if b else "-"
                aa = fmt(num(a, "vmviz_bytes_per_page")) if a else "-"
                cells.append(f"{bb} → {aa}")
            if any_:
                print(f"| {v} | 2^{log2(n)} | " + " | ".join(cells) + " |")
    print()
    print("PFN pairs of neighbouring present 4K PTEs, summed over N "
          "(asc / desc / rep / inter / other), run breaks, page lines / runs:")
    print()
    print("| run | variant | pairs asc / desc / rep / inter / other | breaks asc / desc / rep / inter / other | present pte lines / +1,-1,= runs |")
    print("|---|---|--:|--:|--:|")
    for label, new, _ in runs:
        for v in VARIANTS + ["real-vmviz", "real-busybox-sh"]:
            rows = [r["benchpfn"] for (vv, n), r in new.items() if vv == v and "benchpfn" in r]
            if not rows:
                continue
            cls = ["asc", "desc", "rep", "inter", "other"]
            pairs = [sum(int(r["pair_" + c]) for r in rows) for c in cls]
            brk = [sum(int(r["break_" + c]) for r in rows) for c in cls]
            lines = sum(int(r["ptelines"]) for r in rows)
            runs_ = sum(int(r["pfnruns"]) for r in rows)
            print(f"| {label} | {v} | {' / '.join(map(str, pairs))} | "
                  f"{' / '.join(map(str, brk))} | {lines} / {runs_} |")


def frames(specs):
    """--frames LABEL=NEW[:FORMAT2[:PRE]] ...: the frame detail's tables.

    FORMAT2 is the kernel's format 2 run (docs/bench/results-*-fmt2.txt),
    PRE a run of the same benchmark on the module before the frame detail:
    their report/pagemap at the same N is set beside this run's.
    """
    runs = []
    for spec in specs:
        label, files = spec.split("=", 1)
        new, *olds = files.split(":")
        olds = [parse(f) if f else {} for f in olds] + [{}, {}]
        runs.append((label, parse(new), olds[0], olds[1]))
    pos = lambda x: x if x is not None and x >= 0 else None
    order = lambda kv: (VARIANTS.index(kv[0][0]) if kv[0][0] in VARIANTS else 9, kv[0][1])

    def ratio(rows, key, n):
        b = rows.get(n, {}).get("bench")
        return pos(num(b, key)) if b else None

    for label, new, fmt2, pre in runs:
        print(f"#### {label}")
        print()
        print("| variant | N | frames/smaps | frames/rollup | smaps/rollup | frames/report "
              "| report/pagemap | before frames | format 2 | frames B/page "
              "| frames hold ms: longest (holds) | smaps | rollup |")
        print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for (v, n), r in sorted(new.items(), key=order):
            b = r.get("bench")
            if not b or pos(num(b, "frames_per_smaps")) is None:
                continue

            print(f"| {v} | 2^{log2(n)} | {fmt(num(b, 'frames_per_smaps'))} | "
                  f"{fmt(num(b, 'frames_per_rollup'))} | {fmt(num(b, 'smaps_per_rollup'))} | "
                  f"{fmt(num(b, 'frames_per_vmviz'))} | {fmt(pos(num(b, 'vmviz_per_pagemap')))} | "
                  f"{fmt(ratio(pre, 'vmviz_per_pagemap', (v, n)))} | "
                  f"{fmt(ratio(fmt2, 'vmviz_per_pagemap', (v, n)))} | "
                  f"{fmt(num(b, 'frames_bytes_per_page'))} | {hold(r, 'frames')} | "
                  f"{hold(r, 'smaps')} | {hold(r, 'rollup')} |")
        print()

    def medians(title, key, olds=None):
        print(title)
        print()
        print("| variant | " + " | ".join(l for l, *_ in runs) + " |")
        print("|---|" + "--:|" * len(runs))
        for v in VARIANTS:
            cells = []
            for _, new, fmt2, pre in runs:
                ns = [n for (vv, n), r in new.items() if vv == v and "bench" in r]
                xs = [x for x in (ratio(new, key, (v, n)) for n in ns) if x is not None]
                m = lambda xs: f"{statistics.median(xs):.2f}" if xs else "n/a"
                if olds is None:
                    cells.append(f"{m(xs)} ({min(xs):.2f}-{max(xs):.2f})" if xs else "-")
                    continue
                ps = [x for x in (ratio(pre, key, (v, n)) for n in ns) if x is not None]
                fs = [x for x in (ratio(fmt2, key, (v, n)) for n in ns) if x is not None]
                cells.append(f"{m(xs)} / {m(ps)} / {m(fs)}" if xs else "-")
            print(f"| {v} | " + " | ".join(cells) + " |")
        print()

    medians("Median frames/smaps over N (lowest-highest):", "frames_per_smaps")
    medians("Median frames/smaps_rollup over N (lowest-highest):", "frames_per_rollup")
    medians("Median frames/report over N (lowest-highest):", "frames_per_vmviz")
    medians("Median report/pagemap over N: this run / before the frame detail / "
            "format 2 (the same N only):", "vmviz_per_pagemap", olds=True)
    medians("Median report/smaps over N, the same way (wide has no pagemap figure):",
            "vmviz_per_smaps", olds=True)


# Issue 21's targets: (ratio, bound, variants it applies to). The dense
# report's bound is the top of its range before the issue (0.14-0.79x).
DENSE = ("anon4k", "thp", "zero", "file")
TARGETS = (
    ("frames_per_smaps", 1.0, DENSE + ("sparse", "wide")),
    ("frames_per_rollup", 1.5, DENSE + ("sparse", "wide")),
    ("vmviz_per_smaps", 1.0, ("sparse", "wide")),
    ("vmviz_per_pagemap", 0.79, DENSE),
)
BAD = 1.5       # a point misses when a ratio is above BAD times its bound


def over(rows):
    """{(variant, n): {ratio key: value}} of the ratios above BAD x bound."""
    out = {}
    for (v, n), r in rows.items():
        b = r.get("bench")
        for key, bound, variants in TARGETS:
            x = num(b, key) if b and v in variants else None
            if x is not None and x > BAD * bound:
                out.setdefault((v, n), {})[key] = x
    return out


def point(vn):
    return f"{vn[0]}:{log2(vn[1])}"


def rerun(paths):
    first = over(parse(paths[0]))
    if len(paths) == 1:
        todo = first
    else:
        rows2 = parse(paths[1])
        second = over(rows2)
        # Above a bound in one of the two boots that ran it: undecided.
        todo = {vn for vn in set(first) | set(second) if vn in rows2 and
                any((k in first.get(vn, {})) != (k in second.get(vn, {}))
                    for k in set(first.get(vn, {})) | set(second.get(vn, {})))}
    print(",".join(sorted(point(vn) for vn in todo)))


def boots(paths):
    rows = [parse(p) for p in paths]
    missed = [over(r) for r in rows]
    keys = sorted({(vn, k) for m in missed for vn in m for k in m[vn]},
                  key=lambda x: (x[0][0], x[0][1], x[1]))
    bound = {k: b for k, b, _ in TARGETS}
    print("| point | ratio | bound | " + " | ".join(f"boot {i + 1}" for i in range(len(rows)))
          + " | verdict |")
    print("|---|---|--:|" + "--:|" * len(rows) + "---|")
    for vn, k in keys:
        cells, n_over = [], 0
        for r, m in zip(rows, missed):
            b = r.get(vn, {}).get("bench")
            x = num(b, k) if b else None
            cells.append("-" if x is None else fmt(x))
            n_over += k in m.get(vn, {})
        n_run = sum(c != "-" for c in cells)
        if n_over >= 2:
            verdict = f"**missed** in {n_over} boots"
        elif n_run - n_over >= 2:
            verdict = f"within 1.5x in {n_run - n_over} boots"
        else:
            verdict = f"undecided ({n_run} boot{'s' if n_run > 1 else ''})"
        print(f"| {point(vn)} | {k.replace('_per_', '/').replace('vmviz', 'report')} "
              f"| {bound[k]} | " + " | ".join(cells) + f" | {verdict} |")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--rerun":
        rerun(sys.argv[2:])
    elif len(sys.argv) > 2 and sys.argv[1] == "--boots":
        boots(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--cross":
        cross(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "--frames":
        frames(sys.argv[2:])
    else:
        main()
