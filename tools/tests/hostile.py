#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile values in every field of every line type, through every view.

    hostile.py VMVIZ names    names (kernel release, comm, VMA names) that
                              carry ESC, <b/>, quotes, & and control bytes,
                              escaped in the report as the module escapes
                              them: accepted, and every view's output holds
                              no raw control byte, its JSON parses and keeps
                              the name, its SVG parses as XML with the name
                              as text
    hostile.py VMVIZ fields   the same values, raw, in every field that has a
                              documented set or shape (perm, seg, layout,
                              states, flags, counts...): each refused with
                              exit 6, the line number and what was expected,
                              in a message with no raw control byte

Reads reports/crafted/base.report, frames-parent.report and tables-4.report
(frame detail with tables: upper lines, eff; run from tools/tests). Prints one line per failure; exit 1 if any.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

XMLLINT = shutil.which("xmllint")

VMVIZ = sys.argv[1]
BASE = "reports/crafted/base.report"
FRAMES = "reports/crafted/frames-parent.report"
TABLES = "reports/crafted/tables-4.report"
RAW = ["\x1b[2J", "<b/>", '"q"', "\x01", "a&b'c", "\x7f", "\u009b"]
# What a terminal must never get: C0 controls but newline, DEL, C1 as UTF-8.
CONTROL = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
failures = []


def esc(s):
    """As the module escapes names: blank, backslash, control bytes as \\ooo."""
    return "".join("\\%03o" % ord(c) if c in " \\" or ord(c) < 0x20 or ord(c) == 0x7f
                   else c for c in s)


def lines_of(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape").rstrip("\n").split("\n")


def write(lines, path):
    with open(path, "wb") as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))


def run(args):
    p = subprocess.run([VMVIZ] + args, capture_output=True, env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout, p.stderr


def set_word(line, i, value):
    """Word i of a line (split on single blanks of the leading words)."""
    lead = len(line) - len(line.lstrip(" "))
    w = line[lead:].split()
    w[i] = value
    return " " * lead + " ".join(w)


def names(tmp):
    name = "/tmp/x" + "".join(RAW) + "<b/>"
    comm = "c" + "".join(RAW)
    rel = "6.12" + "".join(RAW)
    out = []
    for path, target in ((BASE, "h.report"), (FRAMES, "hf.report"), (TABLES, "ht.report")):
        lines = []
        for ln in lines_of(path):
            if ln.startswith("report "):
                ln = set_word(ln, 2, esc(rel))
            elif ln.startswith("task "):
                ln = set_word(ln, 10, esc(comm))
            elif ln.startswith("vma "):
                ln = set_word(ln, 4, esc(name))
            lines.append(ln)
        write(lines, os.path.join(tmp, target))
        out.append(os.path.join(tmp, target))
    h, hf, ht = out
    heap = next(ln.split()[1].split("-")[0] for ln in lines_of(h) if " seg heap " in ln)
    views = [
        [], ["--all"], ["-J"], ["maps"], ["maps", "-r"], ["maps", "-n"], ["maps", "-J"],
        ["explain", heap], ["explain", "-J", heap],
        ["maps", "--total", "-o", "+FLAGS,PROTFLAGS"], ["pages"], ["pages", "-r"],
        ["pages", "-J"], ["pages", "--total"], ["pages", heap], ["compare", "-f", BASE],
        ["compare", "-r", "-f", BASE], ["compare", "-J", "-f", BASE], ["svg", heap], ["svg"],
    ]
    fviews = [["mem"], ["mem", "-r"], ["mem", "-J"], ["mem", "-n"],
              ["tables"], ["tables", "-J"], ["pages"], ["pages", "-J"],
              ["compare", "-f", FRAMES], ["compare", "-J", "-f", FRAMES]]
    theap = next(ln.split()[1].split("-")[0] for ln in lines_of(ht) if " seg heap " in ln)
    tviews = fviews + [["explain", theap], ["explain", "-J", theap]]
    for report, vs in ((h, views), (hf, fviews), (ht, tviews)):
        for v in vs:
            args = v[:1] + ["-f", report] + v[1:] if v else ["-f", report]
            rc, out_b, err_b = run(args)
            what = "vmviz " + " ".join(a if a != report else "HOSTILE" for a in args)
            if rc:
                failures.append(f"{what}: exit {rc}: {err_b[:200]!r}")
                continue
            if CONTROL.search(out_b) or CONTROL.search(err_b):
                m = CONTROL.search(out_b) or CONTROL.search(err_b)
                failures.append(f"{what}: a raw control byte {m.group()!r}")
            if "-J" in v:
                try:
                    d = json.loads(out_b)
                except ValueError as e:
                    failures.append(f"{what}: JSON does not parse: {e}")
                    continue
                text = json.dumps(d, ensure_ascii=False)
                if comm not in json.dumps(d, ensure_ascii=False) and \
                        json.dumps(comm, ensure_ascii=False)[1:-1] not in text:
                    failures.append(f"{what}: the comm does not come back from the JSON")
                reps = [d.get("report")] + d.get("reports", [])
                if not any(r and r.get("comm") == comm and r.get("kernel") == rel for r in reps):
                    failures.append(f"{what}: comm or kernel not kept: {reps[0]}")
            if v[:1] == ["svg"]:
                # xmllint, where there is one, as issue 20 tried it.
                if XMLLINT:
                    lint = subprocess.run([XMLLINT, "--noout", "-"], input=out_b,
                                          capture_output=True)
                    if lint.returncode:
                        failures.append(f"{what}: xmllint rejects the SVG: {lint.stderr[:200]!r}")
                try:
                    root = ET.fromstring(out_b)
                except ET.ParseError as e:
                    failures.append(f"{what}: SVG does not parse as XML: {e}")
                    continue
                if any(el.tag.endswith("}b") or el.tag == "b" for el in root.iter()):
                    failures.append(f"{what}: <b/> became an element")
                alltext = "".join(root.itertext())
                if "<b/>" not in alltext or '"q"' not in alltext:
                    failures.append(f"{what}: the name is not in the SVG's text")


# (what, line predicate, word index): fields with a documented set or shape.
FIELDS = [
    ("report boot", lambda ln: ln.startswith("report "), 4),
    ("report time", lambda ln: ln.startswith("report "), 6),
    ("task pid", lambda ln: ln.startswith("task "), 2),
    ("task kind", lambda ln: ln.startswith("task "), 6),
    ("task state", lambda ln: ln.startswith("task "), 8),
    ("task comm raw", lambda ln: ln.startswith("task "), 10),
    ("mm id", lambda ln: ln.startswith("mm "), 2),
    ("mm users", lambda ln: ln.startswith("mm "), 4),
    ("mm active", lambda ln: ln.startswith("mm "), 8),
    ("geometry page_size", lambda ln: ln.startswith("geometry "), 2),
    ("geometry levels", lambda ln: ln.startswith("geometry "), 4),
    ("geometry task_size", lambda ln: ln.startswith("geometry "), 6),
    ("geometry layout", lambda ln: ln.startswith("geometry "), 12),
    ("space name", lambda ln: ln.startswith("space hole"), 1),
    ("space range", lambda ln: ln.startswith("space hole"), 2),
    ("space size", lambda ln: ln.startswith("space user"), 4),
    ("field name", lambda ln: ln.startswith("field brk "), 1),
    ("field value", lambda ln: ln.startswith("field brk "), 2),
    ("counter name", lambda ln: ln.startswith("counter rss_anon "), 1),
    ("counter value", lambda ln: ln.startswith("counter rss_anon "), 2),
    ("segment name", lambda ln: ln.startswith("segment heap "), 1),
    ("segment range", lambda ln: ln.startswith("segment heap "), 2),
    ("segment size", lambda ln: ln.startswith("segment heap "), 4),
    ("vma range", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 1),
    ("vma perm", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 2),
    ("vma offset", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 3),
    ("vma name raw", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 4),
    ("vma seg", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 6),
    ("vma flags", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 8),
    ("vma vm", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 10),
    ("vma prot", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 12),
    ("vma protflags", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 14),
    ("vma anon", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 16),
    ("vma pkey", lambda ln: ln.startswith("vma ") and " seg heap " in ln, 18),
    ("page level", lambda ln: ln.startswith("  pte "), 0),
    ("page range", lambda ln: ln.startswith("  pte "), 1),
    ("page count", lambda ln: ln.startswith("  pte "), 2),
    ("page size", lambda ln: ln.startswith("  pte "), 3),
    ("page state", lambda ln: ln.startswith("  pte "), 4),
    ("page flags", lambda ln: ln.startswith("  pte "), 5),
    ("page pfn", lambda ln: ln.startswith("  pte "), 6),
    ("page step", lambda ln: ln.startswith("  pte "), 7),
    ("page sd", lambda ln: ln.startswith("  pte "), 8),
    ("page pkey", lambda ln: ln.startswith("  pte "), 9),
    ("page swaptype", lambda ln: ln.startswith("  pte "), 10),
    ("sum range", lambda ln: ln.startswith("sum "), 1),
    ("sum present", lambda ln: ln.startswith("sum "), 3),
    ("sum dirty", lambda ln: ln.startswith("sum "), 5),
    ("sum nonpresent", lambda ln: ln.startswith("sum "), 15),
    ("end vmas", lambda ln: ln.startswith("end "), 2),
    ("end pagelines", lambda ln: ln.startswith("end "), 4),
]
FRAME_FIELDS = [
    ("detail", lambda ln: ln.startswith("detail "), 1),
    ("page kind", lambda ln: ln.startswith("  pte "), 11),
    ("page fflags", lambda ln: ln.startswith("  pte "), 12),
    ("page order", lambda ln: ln.startswith("  pte "), 13),
    ("page map", lambda ln: ln.startswith("  pte "), 15),
    ("sum rss", lambda ln: ln.startswith("sum "), 17),
    ("table level", lambda ln: ln.startswith("table "), 1),
    ("table hist", lambda ln: ln.startswith("table "), 11),
    ("pgtables", lambda ln: ln.startswith("pgtables "), 2),
    ("rollup range", lambda ln: ln.startswith("rollup "), 1),
]
UPPER = lambda ln: ln.startswith("  upper pgd ")  # noqa: E731
TABLE_FIELDS = [
    ("detail tables", lambda ln: ln.startswith("detail "), 2),
    ("upper level", UPPER, 1),
    ("upper range", UPPER, 2),
    ("upper count", UPPER, 3),
    ("upper size", UPPER, 4),
    ("upper flags", UPPER, 5),
    ("upper table", UPPER, 6),
    ("upper step", UPPER, 7),
    ("upper ucopy", UPPER, 8),
    ("upper pud ucopy", lambda ln: ln.startswith("  upper pud "), 8),
    ("page eff", lambda ln: ln.startswith("  pte "), 18),
]
# Values of the right shape that contradict the format.
WRONG = {
    "vma perm": ["rwxx", "r-x", "RW-P", "rw-ps"], "vma seg": ["stak", "HEAP", "heap2"],
    "geometry layout": ["bottomup", "none"], "page state": ["swapped", "Present"],
    "page flags": ["PWU--AD---", "WPU--AD---N"], "vma protflags": ["Q-U--A----N"],
    "vma vm": ["rd,zz", "rd,,wr", "rd,"], "page level": ["pmd"], "page size": ["2M"],
    "sum present": ["18446744073709551615"], "vma pkey": ["16"], "page swaptype": ["0"],
    "task state": ["Q"], "space size": ["127T"], "segment size": ["1B"],
    "vma range": ["0000000000400000-0000000000401000"],
    "upper level": ["p4d", "pte"], "upper size": ["1G", "256T"], "upper count": ["2"],
    "upper flags": ["PWU--ADH---", "PWU--AD---"], "upper ucopy": ["PWU--ADH---", "X"],
    "upper pud ucopy": ["PWU--AD----"], "upper step": ["*"], "page eff": ["WUN", "-", "W-N"],
    "upper range": ["0000000000000000-0000010000000000"], "detail tables": ["table"],
}


def fields(tmp):
    views = [["maps"], [], ["pages"], ["svg"], ["-J"], ["maps", "-J"]]
    for report, table, all_views in ((BASE, FIELDS, ("vma perm", "vma seg", "geometry layout")),
                                     (FRAMES, FRAME_FIELDS, ()),
                                     (TABLES, TABLE_FIELDS, ())):
        base = lines_of(report)
        for what, pred, i in table:
            k = next(k for k, ln in enumerate(base) if pred(ln))
            # Markup and quotes are fine in names: only control bytes are not.
            raw = [v for v in RAW if re.search("[\x00-\x1f\x7f]", v)] \
                if what.endswith(" raw") else RAW
            for value in raw + WRONG.get(what, []):
                lines = list(base)
                try:
                    lines[k] = set_word(lines[k], i, value)
                except IndexError:
                    failures.append(f"{what}: line {k + 1} has no word {i}")
                    break
                path = os.path.join(tmp, "f.report")
                write(lines, path)
                for v in (views if what in all_views else views[:1]):
                    rc, out_b, err_b = run(v[:1] + ["-f", path] + v[1:])
                    label = f"{what} = {value!r} (line {k + 1}, vmviz {' '.join(v) or 'overview'})"
                    if rc != 6:
                        failures.append(f"{label}: exit {rc}, not 6")
                    elif not re.search(rb"line %d does not follow format 2: expected " % (k + 1)
                                       + rb"|truncated report \(its end line counts", err_b):
                        failures.append(f"{label}: message {err_b[:300]!r}")
                    if CONTROL.search(err_b) or CONTROL.search(out_b):
                        failures.append(f"{label}: a raw control byte in the message")
                    if out_b:
                        failures.append(f"{label}: printed something: {out_b[:80]!r}")


with tempfile.TemporaryDirectory() as tmp:
    {"names": names, "fields": fields}[sys.argv[2]](tmp)
for f in failures:
    print(f)
sys.exit(1 if failures else 0)
