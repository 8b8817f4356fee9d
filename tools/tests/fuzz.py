#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The reader's fuzzer: seeded mutants of saved reports through its views.

    fuzz.py VMVIZ [MUTANTS [SEED]]

VMVIZ should be built with -fsanitize=address,undefined (run.sh builds
one). Each mutant is a saved report (reports/crafted/base.report,
frames-parent.report, the demo's parent, frames-parent with the page
lines' ref and act fields as a newer module writes them, and tables-4.report,
frame detail with tables: upper lines, eff) changed once: a byte flipped, a
line dropped, doubled or swapped with the next, a hex digit or a decimal
count changed, a word replaced by another word of the report, the report
cut short, a name given hostile bytes. Most are refused (exit 6); those
that stay parseable (a digit changed in a PFN, an address or a count that
still adds up, another name) are read by the views. Every mutant goes
through three views (of overview, maps -J, pages, pages -r, pages ADDR,
explain ADDR, svg, compare with its original, mem and tables for frame
detail). The
kernel half's files (reports/kernel-*.txt) are mutated too, and go
through vmviz kernel, with and without --bytes -n.

A finding: an exit status other than 0, 1 and 6 (a signal, a sanitizer's
abort), a sanitizer report on stderr, or a raw control byte (other than
newline) on stdout or stderr. Prints the findings and a summary line with
how many mutants were parseable; exit 1 if any finding.
"""
import glob
import os
import random
import re
import subprocess
import sys
import tempfile

VMVIZ = sys.argv[1]
MUTANTS = int(sys.argv[2]) if len(sys.argv) > 2 else 300
SEED = int(sys.argv[3]) if len(sys.argv) > 3 else 1
SOURCES = ["reports/crafted/base.report", "reports/crafted/frames-parent.report",
           "reports/demo-6.12-4/parent.report"] + sorted(glob.glob("reports/kernel-*.txt")) + \
    ["reports/crafted/tables-4.report"]
HOSTILE = [b"\x1b[2J", b"<b/>", b"\\", b"\x9b", b"\xff\xfe", b"\xe2\x80\xae", b"%n%s"]
CONTROL = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]")


def with_ref_act(data):
    """frames-parent as a module with page-line fields 17, 18 writes it."""
    out = []
    for ln in data.split(b"\n"):
        w = ln.split()
        if ln.startswith(b"  ") and len(w) == 16:
            n, kind, fl = int(w[2]), w[11], w[12]
            if kind in (b"-", b"?"):
                ln += b" - -"
            else:
                ln += b" %d %d" % (n if fl[3:4] == b"R" else n - 1, n if fl[1:2] == b"A" else 0)
        out.append(ln)
    return b"\n".join(out)


def mutate(rnd, data):
    lines = data.split(b"\n")
    body = [i for i, l in enumerate(lines) if l.startswith((b"vma ", b"  ", b"sum "))]
    kind = rnd.randrange(9)
    i = rnd.choice(body) if body else rnd.randrange(len(lines))
    if kind == 0 and data:
        pos = rnd.randrange(len(data))
        return data[:pos] + bytes([data[pos] ^ (1 << rnd.randrange(8))]) + data[pos + 1:]
    if kind == 1:
        del lines[i]
    elif kind == 2:
        lines.insert(i, lines[i])
    elif kind == 3 and i + 1 < len(lines):
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    elif kind in (4, 5):
        # A digit changed in place: the line keeps its shape.
        digits = [m.start() for m in re.finditer(rb"[0-9a-f]", lines[i])]
        if digits:
            p = rnd.choice(digits)
            lines[i] = lines[i][:p] + rnd.choice(b"0123456789abcdef").to_bytes(1, "big") + \
                lines[i][p + 1:]
    elif kind == 6:
        words = data.split()
        w = lines[i].split(b" ")
        k = rnd.randrange(len(w))
        w[k] = rnd.choice(words)
        lines[i] = b" ".join(w)
    elif kind == 7:
        return data[:rnd.randrange(len(data))]
    else:
        w = lines[i].split(b" ")
        if lines[i].startswith(b"vma ") and len(w) > 4:
            w[4] = w[4] + rnd.choice(HOSTILE)
        lines[i] = b" ".join(w)
    return b"\n".join(lines)


def views(rnd, path, orig, frames):
    if open(orig, "rb").read(13) == b"vmviz-kernel ":
        return [["kernel", "-f", path], ["kernel", "--bytes", "-n", "-f", path]]
    v = [["-f", path], ["maps", "-J", "-f", path], ["pages", "-f", path],
         ["pages", "-r", "--total", "-f", path], ["svg", "-f", path],
         ["compare", "-f", orig, "-f", path], ["compare", "-J", "-f", path, "-f", orig],
         ["pages", "7f51fa2d7000", "-f", path], ["maps", "--state", "swap", "-s", "size",
                                                "-f", path],
         ["explain", "7f51fa2d7000", "-f", path],
         ["explain", "-J", "55ba83c3c000", "-f", path]]
    if frames:
        v += [["mem", "-f", path], ["mem", "-J", "-s", "pss", "-f", path],
              ["tables", "-f", path], ["pages", "-J", "-f", path]]
    return rnd.sample(v, 3)


def main():
    rnd = random.Random(SEED)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1", LC_ALL="C.UTF-8",
               COLUMNS="60")
    findings = parsed = runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.report")
        refact = os.path.join(tmp, "refact.report")
        with open(refact, "wb") as f:
            f.write(with_ref_act(open(SOURCES[1], "rb").read()))
        sources = SOURCES + [refact]
        for n in range(MUTANTS):
            src = sources[n % len(sources)]
            data = open(src, "rb").read()
            with open(path, "wb") as f:
                f.write(mutate(rnd, data))
            ok = False
            for args in views(rnd, path, src, b"detail frames" in data[:40]):
                p = subprocess.run([VMVIZ] + args, capture_output=True, env=env, timeout=60)
                runs += 1
                ok = ok or p.returncode == 0
                bad = p.returncode not in (0, 1, 6) or b"Sanitizer" in p.stderr or \
                    b"runtime error" in p.stderr or CONTROL.search(p.stdout) or \
                    CONTROL.search(p.stderr)
                if bad:
                    findings += 1
                    keep = os.path.join(tmp, "..", "vmviz-fuzz-%d-%d.report" % (SEED, n))
                    with open(path, "rb") as f, open(keep, "wb") as k:
                        k.write(f.read())
                    print("finding: mutant %d of %s, vmviz %s: exit %d, kept in %s\n%s" %
                          (n, src, " ".join(args), p.returncode, os.path.abspath(keep),
                           p.stderr[-800:].decode("utf-8", "replace")))
            parsed += ok
    print("fuzz: seed %d, %d mutants (%d parseable), %d view runs, %d findings" %
          (SEED, MUTANTS, parsed, runs, findings))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
