#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make a large format-2 report for the reader's benchmark (bench.sh).

  genreport.py [--vmas N] [--pages M] [--frames | --tables] [--mm ID] [--seed S] > OUT

Writes a report of N VMAs (200,000 by default) and M page lines
(2,000,000) that follows docs/FORMAT.md and that the reader's validator
accepts: the header of reports/crafted/base.report (the mm id replaced by
--mm, so that two reports of one seed and two mm ids compare as a fork),
then VMAs in address order, each with its page lines (one 4K entry each,
a page apart, present or in swap) and a sum line that adds them up, and the
end line. --frames writes frame detail (/proc/vmviz/frames/PID): the frame
fields of page lines, the smaps fields of sum lines, the table, pgtables and
rollup lines; --tables frame detail with tables: "detail frames tables",
upper lines (pgd, pud, pmd runs over each VMA's pages), ref, act and eff
on page lines. --seed changes which frames and states the pages get (the
same seed gives the same report). Not committed: made at benchmark time.
"""
import argparse
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "reports", "crafted", "base.report")
SMAPS = ("rss pss pss_dirty pss_anon pss_file pss_shmem shared_clean shared_dirty "
         "private_clean private_dirty referenced anonymous ksm lazyfree anon_huge "
         "shmem_pmd file_pmd swap swap_pss locked uss cow_copy cow_reuse").split()
LIBS = ["libc.so.6", "libm.so.6", "libssl.so.3", "libcrypto.so.3", "libz.so.1",
        "libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0"]
# perm, seg, flags, vm, prot, protflags of the VMAs a library maps, in order
KINDS = [
    ("r--p", "image", "0000000008000071", "rd,mr,mw,me,sd", "8000000000000025", "P-U--A----N"),
    ("r-xp", "mmap", "0000000008000075", "rd,ex,mr,mw,me,sd", "0000000000000025", "P-U--A-----"),
    ("rw-p", "mmap", "0000000008100073", "rd,wr,mr,mw,me,ac,sd", "8000000000000027",
     "PWU--AD---N"),
    ("rw-p", "mmap", "0000000008100073", "rd,wr,mr,mw,me,ac,sd", "8000000000000027",
     "PWU--AD---N"),
]


def smaps(vals):
    return " ".join("%s %d" % (k, vals.get(k, 0)) for k in SMAPS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vmas", type=int, default=200000)
    ap.add_argument("--pages", type=int, default=2000000)
    ap.add_argument("--frames", action="store_true")
    ap.add_argument("--tables", action="store_true")
    ap.add_argument("--mm", default="79c65d002b6730eb")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.vmas < 1 or a.pages < 0:
        sys.exit("genreport.py: --vmas from 1, --pages from 0")
    a.frames = a.frames or a.tables
    rnd = random.Random(a.seed)
    out = sys.stdout
    w = out.write
    header = []
    with open(BASE) as f:
        for line in f:
            if line.startswith("vma "):
                break
            header.append(line)
    w(header[0])
    if a.frames:
        w("detail frames tables\n" if a.tables else "detail frames\n")
    for line in header[1:]:
        if line.startswith("mm id "):
            line = line.replace(line.split()[2], a.mm, 1)
        w(line)
    per = a.pages // a.vmas
    extra = a.pages - per * a.vmas
    start = 0x100000000
    first = start
    total = {k: 0 for k in SMAPS}
    npages = 0
    buf = []
    for i in range(a.vmas):
        n = per + (1 if i < extra else 0)
        size = (2 * n + 2) * 4096
        perm, seg, flags, vm, prot, pflags = KINDS[i % 4]
        lib = "/usr/lib/x86_64-linux-gnu/%d/%s" % (i // 32, LIBS[(i // 4) % len(LIBS)])
        name = lib if i % 4 != 3 else "[anon]"
        anon = 1 if perm == "rw-p" else 0
        buf.append("vma %016x-%016x %s %016x %s seg %s flags %s vm %s prot %s protflags %s "
                   "anon %d pkey 0\n" % (start, start + size, perm, (i % 4) * 0x1000,
                                         name, seg if name != "[anon]" else "mmap", flags,
                                         vm, prot, pflags, anon))
        cnt = dict(present=0, dirty=0, accessed=0, writable=0, swapped=0, nonpresent=0)
        for k in range(n):
            addr = start + (2 * k + 1) * 4096
            if anon and rnd.random() < 0.1:
                slot = rnd.randrange(1 << 30)
                line = "  pte %016x-%016x      1 4K swap     ----------- %010x + 0 0 0" % (
                    addr, addr + 4096, slot)
                if a.frames:
                    line += " -     ---------- - - -"
                if a.tables:
                    line += " - - -"
                cnt["swapped"] += 1
                cnt["nonpresent"] += 1
            else:
                pfn = rnd.randrange(1 << 24) if anon and rnd.random() < 0.5 else \
                    0x100000 + (i * 64 + k) % (1 << 24)
                line = "  pte %016x-%016x      1 4K present  %s %010x + %d 0 -" % (
                    addr, addr + 4096, pflags, pfn, anon)
                if a.frames:
                    line += (" anon  LAU-D----- 0 0 1" if anon else
                             " file  L--R------ 0 0 2")
                if a.tables:
                    line += " 0 1 =" if anon else " 1 0 ="
                cnt["present"] += 1
                cnt["accessed"] += 1
                if pflags[6] == "D":
                    cnt["dirty"] += 1
                if pflags[1] == "W":
                    cnt["writable"] += 1
            buf.append(line + "\n")
        npages += n
        if a.tables and n:
            lo, hi = start + 4096, start + (2 * n) * 4096
            for lv, sh, span, base in (("pmd", 21, "2M", 0x4000), ("pud", 30, "1G", 0x3000),
                                       ("pgd", 39, "512G", 0x1000)):
                s, e = lo >> sh, ((hi - 1) >> sh) + 1
                buf.append("  upper %s %016x-%016x %6d %s PWU--AD---- %010x + -\n" % (
                    lv, s << sh, e << sh, e - s, span, base + s))
        s = ("sum %016x-%016x present %d dirty %d accessed %d writable %d huge 0 "
             "swapped %d nonpresent %d" % (start, start + size, cnt["present"], cnt["dirty"],
                                           cnt["accessed"], cnt["writable"], cnt["swapped"],
                                           cnt["nonpresent"]))
        if a.frames:
            rss = 4 * cnt["present"]
            vals = dict(rss=rss, pss=rss if anon else rss // 2, referenced=rss,
                        swap=4 * cnt["swapped"], swap_pss=4 * cnt["swapped"])
            if anon:
                vals.update(pss_anon=rss, private_dirty=rss, pss_dirty=rss, anonymous=rss,
                            uss=rss)
            else:
                vals.update(pss_file=rss // 2, shared_clean=rss)
            for k in SMAPS:
                total[k] += vals.get(k, 0)
            s += " " + smaps(vals)
        buf.append(s + "\n")
        start += size
        if len(buf) > 4096:
            w("".join(buf))
            buf = []
    w("".join(buf))
    if a.frames:
        w("table pte count 1 used 1 min 1 max 1 hist 0,1,0,0,0,0,0,0,0,0,0 bytes 4096\n")
        w("table pmd count 1 used 1 min 1 max 1 hist 0,1,0,0,0,0,0,0,0,0,0 bytes 4096\n")
        w("table pud count 1 used 1 min 1 max 1 hist 0,1,0,0,0,0,0,0,0,0,0 bytes 4096\n")
        w("pgtables deposited 0 bytes 12288\n")
        w("rollup %016x-%016x %s\n" % (first, start, smaps(total)))
    w("end vmas %d pagelines %d\n" % (a.vmas, npages))


if __name__ == "__main__":
    main()
