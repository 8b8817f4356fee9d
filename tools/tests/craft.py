#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Crafted format-2 reports for the host tests, made from a saved one.

    craft.py BASE DIR     writes DIR/{steps,steps-b,hostile,later,otherboot,
                          partial}.report from BASE (a format-2 report of a
                          process: reports/sleep-6.12-4.report)
    craft.py many N OUT   writes OUT: BASE-free report of N VMAs alternating
                          rw-p [anon] and ---p [anon] (thread stacks and
                          their guard pages)

Each crafted report is BASE with one thing changed, said below; run.sh
checks what the reader makes of it. Deterministic: same input, same output.
"""
import sys

ESC = "\x1b"


def esc(s):
    """Escape as the module does: blank, tab, newline, backslash as \\ooo."""
    return "".join("\\%03o" % ord(c) if c in " \t\n\\" else c for c in s)


def lines_of(path):
    with open(path) as f:
        return f.read().rstrip("\n").split("\n")


def fix_end(lines):
    """Recount the end line."""
    body = [ln for ln in lines if not ln.startswith("end ")]
    vmas = sum(1 for ln in body if ln.startswith("vma "))
    pages = sum(1 for ln in body if ln.startswith("  "))
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


def main():
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
