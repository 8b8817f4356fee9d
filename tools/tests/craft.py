#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted format-2 reports for the host tests, made from a saved one.

    craft.py BASE DIR     writes DIR/{steps,steps-b,hostile,later,otherboot,
                          partial}.report from BASE (a format-2 report of a
                          process: reports/crafted/base.report, which is
                          the converted sleep-6.12-4 report, kept as it is
                          when reports/ gets real format-2 reports)
    craft.py tables FRAMES OUT [--pti] [--ro-heap]
                          writes OUT: FRAMES (a "detail frames" report) as
                          frame detail with tables: "detail frames tables",
                          upper lines on the path to each VMA's leaves
                          (kernel pgd copy with N under --pti, the user copy
                          in ucopy; the heap's pmd entry read-only with
                          --ro-heap), ref and act where missing, eff
    craft.py explain FRAMES OUT [--pti]
                          the same, with the VMAs of vmviz explain's cases
                          (explain()) at 7f0000000000
    craft.py many N OUT   writes OUT: BASE-free report of N VMAs alternating
                          rw-p [anon] and ---p [anon] (thread stacks and
                          their guard pages)
    craft.py frames A B OUTA OUTB
                          writes the frame detail (docs/FORMAT.md, "Frame
                          detail") of two reports of a parent and its fork
                          child, made up by the spec's rules: a frame is
                          mapped twice where both map it, file pages are
                          those not soft-dirty in a file VMA; the smaps
                          fields, the page-table tree and the rollup follow
                          from the page lines. Hand-made, for the reader's
                          tests until a guest captures real ones.

Each crafted report is BASE with one thing changed, said below; run.sh
checks what the reader makes of it. Deterministic: same input, same output.
"""
import sys

ESC = "\x1b"


def esc(s):
    """Escape as the module does: blank, backslash and every control byte
    (0x01-0x1f, 0x7f) as \\ooo."""
    return "".join("\\%03o" % ord(c) if c in " \\" or ord(c) < 0x20 or ord(c) == 0x7f
                   else c for c in s)


def lines_of(path):
    with open(path, newline="") as f:
        return f.read().rstrip("\n").split("\n")


def is_page(ln):
    """A page line (indented, not an upper line of frame detail with tables)."""
    return ln.startswith("  ") and not ln.startswith("  upper ")


def fix_sums(lines):
    """Recount each sum line from the page lines above it, as the module
    counts them (module/pgrun.c run_count()); smaps fields are kept."""
    out, acc = [], None
    for ln in lines:
        w = ln.split()
        if ln.startswith("  upper "):
            pass
        elif ln.startswith("vma "):
            acc = dict.fromkeys(("present", "dirty", "accessed", "writable", "huge",
                                 "swapped", "nonpresent"), 0)
        elif ln.startswith("  ") and acc is not None:
            s, e = (int(x, 16) for x in w[1].split("-"))
            pages, state, flags = (e - s) >> 12, w[4], w[5]
            if state == "swap":
                acc["swapped"] += pages
            if state not in ("present", "protnone"):
                acc["nonpresent"] += pages
            else:
                acc["present"] += pages
                acc["dirty"] += pages if flags[6] == "D" else 0
                acc["accessed"] += pages if flags[5] == "A" else 0
                acc["writable"] += pages if flags[1] == "W" and state == "present" else 0
                acc["huge"] += pages if w[0] != "pte" else 0
        elif ln.startswith("sum ") and acc is not None:
            for k, v in acc.items():
                ln = sub_word(ln, k, str(v))
        out.append(ln)
    return out


def fix_end(lines):
    """Recount the sum lines and the end line."""
    body = [ln for ln in fix_sums(lines) if not ln.startswith("end ")]
    vmas = sum(1 for ln in body if ln.startswith("vma "))
    pages = sum(1 for ln in body if is_page(ln))
    return body + [f"end vmas {vmas} pagelines {pages}"]


def sub_word(line, key, value):
    w = line.split(" ")
    w[w.index(key) + 1] = value
    return " ".join(w)


def vma_line(start, end, perm, name, seg="mmap", anon=1):
    flags = "0000000008100073" if "w" in perm else "0000000008100070"
    return (f"vma {start:016x}-{end:016x} {perm} 0000000000000000 {name} seg {seg} "
            f"flags {flags} vm rd,wr,mr,mw,me,ac,sd prot 8000000000000025 "
            f"protflags P-U--A----N anon {anon} pkey 0")


def page(level, start, end, count, size, state, flags, pfn, step, sd=1,
         swaptype="-"):
    return (f"  {level} {start:016x}-{end:016x} {count:6d} {size} {state:<8s} "
            f"{flags} {pfn:010x} {step} {sd} 0 {swaptype}")


def sum_line(start, end, present=0, swapped=0, nonpresent=0, huge=0):
    return (f"sum {start:016x}-{end:016x} present {present} dirty {present} "
            f"accessed {present} writable {present} huge {huge} swapped {swapped} "
            f"nonpresent {nonpresent}")


def insert_before_vvar(lines, block):
    i = next(i for i, ln in enumerate(lines) if ln.startswith("vma ") and " [vvar] " in ln)
    return lines[:i] + block + lines[i:]


STEP_BASE = 0x7f0000000000


def steps(lines, split):
    """A 4K run and a 2M run with step '-', a zero-page '=' run, and the
    markers of format 2 (uffd-wp, guard, poisoned). With split, the same
    frames one entry a line with step '+' (for compare)."""
    b = STEP_BASE
    block = [vma_line(b, b + 0x600000, "rw-p", "[anon]")]
    if split:
        for i in range(3):
            block.append(page("pmd", b + i * 0x200000, b + (i + 1) * 0x200000, 1, "2M",
                              "present", "PWU--ADH--N", 0x200400 - i * 0x200, "+"))
    else:
        block.append(page("pmd", b, b + 0x600000, 3, "2M", "present", "PWU--ADH--N",
                          0x200400, "-"))
    block.append(sum_line(b, b + 0x600000, present=1536, huge=1536))
    s = b + 0x800000
    block.append(vma_line(s, s + 0x10000, "rw-p", "[anon]"))
    if split:
        for i in range(4):
            block.append(page("pte", s + i * 0x1000, s + (i + 1) * 0x1000, 1, "4K",
                              "present", "PWU--AD---N", 0x1200 - i, "+"))
    else:
        block.append(page("pte", s, s + 0x4000, 4, "4K", "present", "PWU--AD---N",
                          0x1200, "-"))
    block += [
        page("pte", s + 0x4000, s + 0x7000, 3, "4K", "present", "P-U--A----N", 0x42, "="),
        page("pte", s + 0x7000, s + 0x8000, 1, "4K", "uffd-wp", "-" * 11, 0, "=", 0, "0"),
        page("pte", s + 0x8000, s + 0xa000, 2, "4K", "guard", "-" * 11, 0, "=", 0, "0"),
        page("pte", s + 0xa000, s + 0xb000, 1, "4K", "poisoned", "-" * 11, 0, "=", 0, "0"),
        page("pte", s + 0xb000, s + 0xd000, 2, "4K", "swap", "-" * 11, 0x300, "+", 1, "0"),
        sum_line(s, s + 0x10000, present=7, swapped=2, nonpresent=6),
    ]
    out = insert_before_vvar(lines, block)
    if split:
        out = [sub_word(ln, "id", "00000000000000aa") if ln.startswith("mm ") else ln
               for ln in out]
    return fix_end(out)


def hostile(lines):
    """comm, a file name and the kernel release with control bytes."""
    comm = "ev" + ESC + "[31mil\nx"
    fname = "/tmp/a" + ESC + "]0;pwned\x07b\rc\u202ed\\e f\x9b2J"
    out = []
    for ln in lines:
        if ln.startswith("report "):
            ln = sub_word(ln, "kernel", esc("6.12" + ESC + "[2J-evil"))
        elif ln.startswith("task "):
            ln = sub_word(ln, "comm", esc(comm))
        elif ln.startswith("vma ") and " [heap] " in ln:
            ln = ln.replace(" [heap] ", " " + esc(fname) + " ")
        out.append(ln)
    return out


def later(lines):
    """The same mm read 90 s later: the heap grew by two pages, both touched;
    one data page changed frame; one stack page swapped out; the bss VMA
    unmapped; a new [anon] VMA of 4 pages, 2 touched."""
    out = []
    skip = False
    for ln in lines:
        w = ln.split(" ")
        if skip and not ln.startswith("vma ") and not ln.startswith("end "):
            continue
        skip = False
        if ln.startswith("report "):
            ln = sub_word(ln, "time", "1764171324.012345678")
            ln = sub_word(ln, "boottime", "132.123456789")
        elif ln.startswith("vma ") and " seg bss " in ln:
            skip = True
            continue
        elif ln.startswith("vma ") and " [heap] " in ln:
            start = int(w[1].split("-")[0], 16)
            end = int(w[1].split("-")[1], 16) + 0x2000
            heap_end = end
            ln = ln.replace(w[1], f"{start:016x}-{end:016x}")
        elif ln.startswith("sum ") and int(w[1].split("-")[0], 16) == start_of(lines, "[heap]"):
            out.append(page("pte", heap_end - 0x2000, heap_end, 2, "4K", "present",
                            "PWU--AD---N", 0x150000, "+"))
            s = int(w[1].split("-")[0], 16)
            ln = sum_line(s, heap_end, present=4)
        elif ln.startswith("  pte 00000000005e3000-"):
            ln = ln.replace("000014405e", "0000150100")
        elif ln.startswith("  pte 00007fff8c5d5000-"):
            ln = page("pte", 0x7fff8c5d5000, 0x7fff8c5d6000, 1, "4K", "swap", "-" * 11,
                      0x77, "+", 1, "0")
        elif ln.startswith("vma ") and " [vvar] " in ln:
            n = 0x7f4972000000
            out += [vma_line(n, n + 0x4000, "rw-p", "[anon]"),
                    page("pte", n, n + 0x2000, 2, "4K", "present", "PWU--AD---N", 0x160000, "+"),
                    sum_line(n, n + 0x4000, present=2)]
        out.append(ln)
    return fix_end(out)


def start_of(lines, name):
    for ln in lines:
        if ln.startswith("vma ") and f" {name} " in ln:
            return int(ln.split(" ")[1].split("-")[0], 16)
    return -1


def otherboot(lines):
    return [sub_word(ln, "boot", "0f0e0d0c-0b0a-4908-8706-050403020100")
            if ln.startswith("report ") else ln for ln in lines]


def partial(lines):
    """The heap VMA changed while read: its sum covers its first page only."""
    out = []
    for ln in lines:
        w = ln.split(" ")
        if ln.startswith("sum ") and int(w[1].split("-")[0], 16) == start_of(lines, "[heap]"):
            s = int(w[1].split("-")[0], 16)
            ln = sum_line(s, s + 0x1000, present=1)
        elif ln.startswith("  pte 0000000040528000-"):
            continue
        out.append(ln)
    return fix_end(out)


def many(n, path):
    head = [
        "vmviz-format 2",
        "report kernel 6.12.117+deb12-amd64 boot 3b9f6c2e-4a1d-4c55-9e0f-1d2c3b4a5f60 "
        "time 1764171234.012345678 boottime 42.123456789",
        "task pid 4242 tgid 4242 kind process state S comm java",
        "mm id 00000000000000bb users 1 count 1 active own",
        "geometry page_size 4096 levels 4 task_size 00007ffffffff000 mmap_base "
        "00007f0000000000 mmap_window 00007ffffffff000 layout topdown",
        "space user   0000000000000000-00007fffffffffff size 128T",
        "space hole   0000800000000000-ffff7fffffffffff size 16776960T",
        "space kernel ffff800000000000-ffffffffffffffff size 128T",
    ]
    fields = ["task_size", "start_code", "end_code", "start_data", "end_data",
              "start_brk", "brk", "start_stack", "arg_start", "arg_end", "env_start",
              "env_end", "mmap_base"]
    head += [f"field {f:<11s} 0000000000000000" for f in fields]
    counters = ["total_vm", "locked_vm", "pinned_vm", "data_vm", "exec_vm", "stack_vm",
                "rss_file", "rss_anon", "rss_shmem", "swap_ents"]
    head += [f"counter {c:<9s} 0" for c in counters]
    segs = ["code", "data", "bss", "heap", "mmap", "stack", "args", "env", "vdso", "vvar"]
    head += [f"segment {s:<6s} 0000000000000000-0000000000000000 size 0B" for s in segs]
    body = []
    a = 0x7e0000000000
    npages = 0
    for i in range(n):
        size = 0x1000 if i % 2 == 0 else 0x100000
        perm = "---p" if i % 2 == 0 else "rw-p"
        body.append(vma_line(a, a + size, perm, "[anon]"))
        if i % 2:
            body.append(page("pte", a + size - 0x2000, a + size, 2, "4K", "present",
                             "PWU--AD---N", 0x100000 + 2 * i, "+"))
            npages += 1
            body.append(sum_line(a, a + size, present=2))
        else:
            body.append(sum_line(a, a + size))
        a += size
    body.append(f"end vmas {n} pagelines {npages}")
    with open(path, "w") as f:
        f.write("\n".join(head + body) + "\n")


def page_fields(ln):
    w = ln.split()
    start, end = (int(x, 16) for x in w[1].split("-"))
    return w, start, end


def entries(lines):
    """{address of each 4K page: pfn} of the present entries."""
    out = {}
    for ln in lines:
        if not ln.startswith("  "):
            continue
        w, start, end = page_fields(ln)
        if w[4] not in ("present", "protnone"):
            continue
        k = {"4K": 1, "2M": 512, "1G": 262144}[w[3]]
        pfn = int(w[6], 16)
        for i in range((end - start) >> 12):
            step = w[7]
            if step == "+":
                f = pfn + i
            elif step == "=":
                f = pfn + i % k
            else:
                f = pfn - i // k * k + i % k
            out[start + (i << 12)] = f
    return out


def frame_of(vma, w, addr, pfn, other):
    """kind, fflags, order, node, map of the entry at addr."""
    name, perm = vma[4], vma[2]
    if w[4] not in ("present", "protnone") or name.startswith("[vvar"):
        return ("-", "----------", "-", "-", "-")
    if name == "[vdso]":
        return ("other", "----------", "0", "0", "1")
    mapped = 2 if other.get(addr) == pfn else 1
    if name.startswith("/") and w[8] == "0":
        return ("file", "L--R------", "0", "0", str(mapped))
    kind = "shmem" if perm[3] == "s" else "anon"
    fl = "LA--D----" + ("X" if mapped == 1 and kind == "anon" else "-")
    return (kind, fl, "0", "0", str(mapped))


def smaps_add(acc, vma, w, fr):
    """Count one 4K entry as smaps does (acc: bytes, pss << 12)."""
    kind, fl, _, _, m = fr
    if w[4] in ("swap",):
        acc["swap"] += 4096
        acc["swap_pss"] += 4096 << 12
        return
    if kind == "-":
        return
    m = int(m)
    pss = (4096 << 12) // m
    dirty = w[5][6] == "D" or fl[4] == "D"
    acc["rss"] += 4096
    acc["pss"] += pss
    if dirty:
        acc["pss_dirty"] += pss
    acc[{"anon": "pss_anon", "shmem": "pss_shmem"}.get(kind, "pss_file")] += pss
    key = ("shared_" if m > 1 else "private_") + ("dirty" if dirty else "clean")
    acc[key] += 4096
    if w[5][5] == "A" or fl[3] == "R":
        acc["referenced"] += 4096
    if kind == "anon":
        acc["anonymous"] += 4096
        if vma[2][1] == "w" and vma[2][3] == "p" and w[5][1] != "W":
            acc["cow_reuse" if fl[9] == "X" else "cow_copy"] += 4096


SMAPS = ["rss", "pss", "pss_dirty", "pss_anon", "pss_file", "pss_shmem", "shared_clean",
         "shared_dirty", "private_clean", "private_dirty", "referenced", "anonymous", "ksm",
         "lazyfree", "anon_huge", "shmem_pmd", "file_pmd", "swap", "swap_pss", "locked",
         "uss", "cow_copy", "cow_reuse"]
SHIFTED = {"pss", "pss_dirty", "pss_anon", "pss_file", "pss_shmem", "swap_pss", "locked"}


def smaps_text(acc):
    acc = dict(acc)
    acc["uss"] = acc["private_clean"] + acc["private_dirty"]
    return " ".join(f"{k} {(acc[k] >> 12 if k in SHIFTED else acc[k]) >> 10}" for k in SMAPS)


def tables(lines, levels):
    """The table lines and the pgtables line of the page lines' tree."""
    pte, pmd, pud, p4d = {}, {}, {}, {}
    for ln in lines:
        if not ln.startswith("  "):
            continue
        w, start, end = page_fields(ln)
        size = {"4K": 1 << 12, "2M": 1 << 21, "1G": 1 << 30}[w[3]]
        for a in range(start, end, size):
            if w[0] == "pte":
                pte.setdefault(a >> 21, set()).add(a >> 12)
                pmd.setdefault(a >> 30, set()).add(("t", a >> 21))
            elif w[0] == "pmd":
                pmd.setdefault(a >> 30, set()).add(("l", a >> 21))
            else:
                pud.setdefault(a >> 39, set()).add(("l", a >> 30))
    for t in pmd:
        pud.setdefault(t >> 9, set()).add(("t", t))
    for t in pud:
        p4d.setdefault(t >> 9, set()).add(t)
    out, count = [], 0
    for name, tabs in (("pte", pte), ("pmd", pmd), ("pud", pud), ("p4d", p4d))[:levels - 1]:
        used = [len(v) for v in tabs.values()]
        hist = [0] * 11
        for u in used:
            hist[10 if u == 512 else u.bit_length()] += 1
        if name != "p4d":
            count += len(used)
        out.append(f"table {name} count {len(used)} used {sum(used)} "
                   f"min {min(used, default=0)} max {max(used, default=0)} "
                   f"hist {','.join(map(str, hist))} bytes {len(used) * 4096}")
    out.append(f"pgtables deposited 0 bytes {count * 4096}")
    return out


def frames(lines, other_lines):
    other = entries(other_lines)
    levels = int(next(ln for ln in lines if ln.startswith("geometry ")).split()[4])
    out, vma, acc, total, first, last = [lines[0], "detail frames"], None, None, None, 0, 0
    total = dict.fromkeys(SMAPS, 0)
    for ln in lines[1:]:
        if ln.startswith("end "):
            break
        if ln.startswith("vma "):
            vma = ln.split()
            acc = dict.fromkeys(SMAPS, 0)
            s, e = (int(x, 16) for x in vma[1].split("-"))
            first = first or s
            last = e
        if ln.startswith("sum "):
            for k in SMAPS:
                total[k] += acc[k]
            out.append(ln + " " + smaps_text(acc))
            continue
        if not ln.startswith("  "):
            out.append(ln)
            continue
        w, start, end = page_fields(ln)
        k = {"4K": 1, "2M": 512, "1G": 262144}[w[3]]
        pfns = entries([ln])
        runs = []
        for i in range((end - start) // (k << 12)):
            a = start + i * (k << 12)
            fr = frame_of(vma, w, a, pfns.get(a), other)
            for j in range(k):
                smaps_add(acc, vma, w, fr)
            if runs and runs[-1][1] == fr:
                runs[-1][2] += 1
            else:
                runs.append([a, fr, 1])
        for a, fr, n in runs:
            pfn = int(w[6], 16)
            i = (a - start) >> 12
            if w[7] == "+":
                pfn += i
            elif w[7] == "-":
                pfn -= i
            step = "+" if n == 1 and w[7] == "-" else w[7]
            out.append(f"  {w[0]} {a:016x}-{a + n * (k << 12):016x} {n:6d} {w[3]} "
                       f"{w[4]:<8s} {w[5]} {pfn:010x} {step} {w[8]} {w[9]} {w[10]} "
                       f"{fr[0]:<5s} {fr[1]} {fr[2]} {fr[3]} {fr[4]}")
    out += tables(lines, levels)
    out.append(f"rollup {first:016x}-{last:016x} {smaps_text(total)}")
    return fix_end(out)


# Frame detail with tables ("detail frames tables"): upper lines and eff.
UP_SHIFT = {4: (("pgd", 39), ("pud", 30), ("pmd", 21)),
            5: (("pgd", 48), ("p4d", 39), ("pud", 30), ("pmd", 21))}
UP_SIZE = {21: "2M", 30: "1G", 39: "512G", 48: "256T"}
UP_TABLE = {"pgd": 0x1000, "p4d": 0x2000, "pud": 0x3000, "pmd": 0x4000}
LEAF_LEVEL = {"pte": 4, "pmd": 3, "pud": 2}


def upper_flags(level, index, pti, ro):
    """Flags and ucopy of an upper entry: a table entry (P W U A D); under
    PTI the kernel copy of a pgd entry has N, the user copy not; entries
    in ro (level, index) lack W."""
    fl = "P" + ("-" if (level, index) in ro else "W") + "U--AD---"
    if level == "pgd" and pti:
        return fl + "N", fl + "-"
    return fl + "-", "-"


def ref_act(w, count):
    if len(w) >= 18:
        return w[16], w[17]
    if w[11] in ("-", "?"):
        return "-", "-"
    return (str(count) if w[12][3] == "R" else "0"), (str(count) if w[12][1] == "A" else "0")


def uppers(lines, pti=False, ro=()):
    """The frame detail of lines (a "detail frames" report) as a module with
    tables writes it: "detail frames tables", upper lines for the entries
    above each VMA's leaves (a pmd run printed once the page lines past it
    come, the levels above before the sum line), ref and act where they
    were missing, and eff (field 19) from the flags on the path."""
    levels = int(next(ln for ln in lines if ln.startswith("geometry ")).split()[4])
    geo = UP_SHIFT[levels]
    out, pages = [], None
    for ln in lines:
        if ln == "detail frames":
            out.append("detail frames tables")
        elif ln.startswith("vma "):
            out.append(ln)
            pages = []
        elif ln.startswith("  ") and pages is not None:
            pages.append(ln)
        elif ln.startswith("sum ") and pages is not None:
            out += upper_block(pages, geo, pti, ro) + [ln]
            pages = None
        else:
            out.append(ln)
    return fix_end(out)


def upper_block(pages, geo, pti, ro):
    ent = {lv: set() for lv, _ in geo}
    for ln in pages:
        w, start, end = page_fields(ln)
        size = {"4K": 1 << 12, "2M": 1 << 21, "1G": 1 << 30}[w[3]]
        for a in range(start, end, size):
            for lv, sh in geo[:len(geo) - (4 - LEAF_LEVEL[w[0]])]:
                ent[lv].add(a >> sh)
    runs = {}
    for lv, sh in geo:
        rs = []
        for i in sorted(ent[lv]):
            fl = upper_flags(lv, i, pti, ro)
            table = UP_TABLE[lv] + (i & 0xfff)
            if rs and rs[-1][1] == i and rs[-1][3] == fl and rs[-1][4] == table:
                rs[-1][1] += 1
                rs[-1][4] += 1
            else:
                rs.append([i, i + 1, table, fl, table + 1])
        runs[lv] = [f"  upper {lv} {s << sh:016x}-{e << sh:016x} {e - s:6d} {UP_SIZE[sh]} "
                    f"{fl[0]} {t:010x} + {fl[1]}" for s, e, t, fl, _ in rs]
        runs[lv + "_end"] = [e << sh for s, e, t, fl, _ in rs]
    out = []
    for ln in pages:
        w, start, end = page_fields(ln)
        while runs["pmd_end"] and runs["pmd_end"][0] <= start:
            out.append(runs["pmd"].pop(0))
            runs["pmd_end"].pop(0)
        # eff: W and U ANDed over the path, N ORed (the pgd's user copy under PTI).
        if w[4] in ("present", "protnone"):
            own = w[5][1] + w[5][2] + w[5][10]
            wun = [own[0] == "W", own[1] == "U", own[2] == "N"]
            for lv, sh in geo[:len(geo) - (4 - LEAF_LEVEL[w[0]])]:
                fl, uc = upper_flags(lv, start >> sh, pti, ro)
                fl = uc if uc != "-" else fl
                wun = [wun[0] and fl[1] == "W", wun[1] and fl[2] == "U", wun[2] or fl[10] == "N"]
            eff = ("W" if wun[0] else "-") + ("U" if wun[1] else "-") + ("N" if wun[2] else "-")
            eff = "=" if eff == own else eff
        else:
            eff = "-"
        count = int(w[2])
        ref, act = ref_act(w, count)
        out.append(" ".join(ln.split(" ")[:-len(w[16:]) or None] if len(w) > 16 else [ln])
                   + f" {ref} {act} {eff}")
    out += runs["pmd"]
    for lv, _ in geo[:-1]:
        out += runs[lv]
    return out


EXPLAIN_BASE = 0x7f0000000000


def ex_page(addr, state, flags, pfn, frame, sd=1, pkey=0, swaptype="-", step="+"):
    return (f"  pte {addr:016x}-{addr + 0x1000:016x}      1 4K {state:<8s} {flags} "
            f"{pfn:010x} {step} {sd} {pkey} {swaptype} {frame}")


def ex_vma(start, end, perm, name, flags, vm, prot, protflags, anon, pkey=0):
    return (f"vma {start:016x}-{end:016x} {perm} 0000000000000000 {name} seg mmap "
            f"flags {flags} vm {vm} prot {prot} protflags {protflags} anon {anon} pkey {pkey}")


def explain(lines):
    """The cases of vmviz explain, in VMAs at 7f0000000000 of a frame
    detail: a private writable VMA with a page in each state that
    matters (present writable, copy-on-write to copy and to reuse, the
    zero page, swap, NUMA hinting protnone, migration, a uffd-wp marker,
    a guard marker, a poisoned entry, pages not populated), a PROT_NONE
    VMA, one with protection key 3, a file's text with an NX page, and a
    shared file mapping with a read-only page (write-notify)."""
    b = EXPLAIN_BASE
    zero = dict.fromkeys(SMAPS, 0)
    nofr = "-     ---------- - - -"
    priv = ("0000000008100073", "rd,wr,mr,mw,me,ac,sd", "8000000000000025", "P-U--A----N")

    def summed(v, pages):
        s, e = (int(x, 16) for x in v.split()[1].split("-"))
        return [v] + pages + [f"sum {s:016x}-{e:016x} present 0 dirty 0 accessed 0 "
                              f"writable 0 huge 0 swapped 0 nonpresent 0 {smaps_text(zero)}"]
    block = summed(ex_vma(b, b + 0x10000, "rw-p", "[anon]", *priv, 1), [
        ex_page(b, "present", "PWU--AD---N", 0x150000, "anon  LA--D----X 0 0 1"),
        ex_page(b + 0x1000, "present", "P-U--A----N", 0x150001, "anon  LA--D----- 0 0 2"),
        ex_page(b + 0x2000, "present", "P-U--A----N", 0x150002, "anon  LA--D----X 0 0 1"),
        ex_page(b + 0x3000, "present", "P-U--A----N", 0x000200, "zero  ---------- 0 0 1"),
        ex_page(b + 0x4000, "swap", "-" * 11, 0x123, nofr, swaptype="0"),
        ex_page(b + 0x5000, "protnone", "-----AD-G--", 0x150005, "anon  LA--D----X 0 0 1"),
        ex_page(b + 0x6000, "migr-r", "-" * 11, 0x150006, nofr, swaptype="30"),
        ex_page(b + 0x7000, "uffd-wp", "-" * 11, 0, nofr, sd=0, swaptype="0", step="="),
        ex_page(b + 0x8000, "guard", "-" * 11, 0, nofr, sd=0, swaptype="0", step="="),
        ex_page(b + 0x9000, "poisoned", "-" * 11, 0, nofr, sd=0, swaptype="0", step="="),
    ])
    block += summed(ex_vma(b + 0x20000, b + 0x21000, "---p", "[anon]", "0000000008000070",
                           "mr,mw,me,sd", "0000000000000120", "-----A-----", 0), [])
    block += summed(ex_vma(b + 0x30000, b + 0x31000, "rw-p", "[anon]", "0000000308100073",
                           "rd,wr,mr,mw,me,ac,sd", "8000000000000025", "P-U--A----N", 1, 3), [
        ex_page(b + 0x30000, "present", "PWU--AD---N", 0x150030, "anon  LA--D----X 0 0 1",
                pkey=3)])
    block += summed(ex_vma(b + 0x40000, b + 0x42000, "r-xp", "/usr/lib/crafted.so",
                           "0000000008000075", "rd,ex,mr,mw,me,sd", "0000000000000025",
                           "P-U--A-----", 0), [
        ex_page(b + 0x40000, "present", "P-U--A-----", 0x150040, "file  L--R------ 0 0 2",
                sd=0),
        ex_page(b + 0x41000, "present", "P-U--A----N", 0x150041, "file  L--R------ 0 0 2",
                sd=0)])
    block += summed(ex_vma(b + 0x50000, b + 0x51000, "rw-s", "/dev/shm/crafted",
                           "00000000080000fb", "rd,wr,sh,mr,mw,me,ms,sd", "8000000000000027",
                           "PWU--A----N", 0), [
        ex_page(b + 0x50000, "present", "P-U--A----N", 0x150050, "shmem LA--D----- 0 0 2")])
    i = next(k for k, ln in enumerate(lines)
             if ln.startswith("vma ") and int(ln.split()[1][:16], 16) > b)
    return lines[:i] + block + lines[i:]


def main():
    if sys.argv[1] == "frames":
        a, b = lines_of(sys.argv[2]), lines_of(sys.argv[3])
        for text, path in ((frames(a, b), sys.argv[4]), (frames(b, a), sys.argv[5])):
            with open(path, "w") as f:
                f.write("\n".join(text) + "\n")
        return
    if sys.argv[1] in ("tables", "explain"):
        lines = lines_of(sys.argv[2])
        pti = "--pti" in sys.argv
        if sys.argv[1] == "explain":
            lines = explain(lines)
        ro = ()
        if "--ro-heap" in sys.argv:
            heap = next(ln for ln in lines if ln.startswith("vma ") and " [heap] " in ln)
            ro = (("pmd", int(heap.split()[1][:16], 16) >> 21),)
        with open(sys.argv[3], "w") as f:
            f.write("\n".join(uppers(lines, pti, ro)) + "\n")
        return
    if sys.argv[1] == "many":
        many(int(sys.argv[2]), sys.argv[3])
        return
    base, out = sys.argv[1], sys.argv[2]
    lines = lines_of(base)
    for name, text in (("steps", steps(lines, False)), ("steps-b", steps(lines, True)),
                       ("hostile", hostile(lines)), ("later", later(lines)),
                       ("otherboot", otherboot(lines)), ("partial", partial(lines))):
        with open(f"{out}/{name}.report", "w") as f:
            f.write("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
