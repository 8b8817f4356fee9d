#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side tests of the reader: every view of the saved reports in
# reports/ against the golden outputs in golden/, JSON through a real
# parser, SVG through a real renderer (and its pixels read back), the
# refusals of format 2 (versions, truncation at every line), escaping of
# hostile names, widths, folding, options and the error exits.
# TAP on stdout; COUNTS=FILE gets "passed failed skipped".
# UPDATE=1 rewrites the golden files instead of comparing (see README).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vmviz=${VMVIZ:-$here/../vmviz}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1 COLUMNS=80 LC_ALL=C
n=0 pass=0 fail=0 skip=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n host.$1"; rm -f "$tmp/err"; }
not_ok() {
	n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n host.$1"
	[ -f "$tmp/err" ] && sed 's/^/# /' "$tmp/err" | head -n 20
	rm -f "$tmp/err"
}
skip() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n host.$1 # SKIP $2"; }
# check NAME COMMAND...: ok if COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@" >>"$tmp/err" 2>&1; then ok "$name"; else not_ok "$name"; fi
}

# golden NAME CMD...: CMD's stdout must equal golden/NAME.
golden() {
	local name=$1
	shift
	if ! "$@" >"$tmp/out" 2>"$tmp/err"; then
		not_ok "$name"
		return
	fi
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$tmp/out" "golden/$name"
		ok "$name"
	elif diff -u "golden/$name" "$tmp/out" >"$tmp/err" 2>&1; then
		ok "$name"
	else
		not_ok "$name"
	fi
}

# json NAME KEY CMD...: CMD's output must parse as JSON, with the array KEY,
# not empty unless KEY ends in '?'; every value that looks like a number
# must be one (no "12", no "4K" strings but in named hex fields).
json() {
	local name=$1 key=$2
	shift 2
	if "$@" >"$tmp/json" 2>"$tmp/err" &&
	   python3 - "$tmp/json" "$key" 2>"$tmp/err" <<'EOF'; then
import json, re, sys
d = json.load(open(sys.argv[1]))
k = sys.argv[2]
rows = d[k.rstrip("?")]
assert isinstance(rows, list) and (rows or k.endswith("?")), "empty"
hexes = {"perm", "boot", "mm", "name", "comm", "source", "kernel", "verdict", "state",
         "step", "level", "seg", "vma", "layout", "kind", "active"}
def walk(v, key=""):
    if isinstance(v, dict):
        for k2, v2 in v.items():
            walk(v2, k2)
    elif isinstance(v, list):
        for v2 in v:
            walk(v2, key)
    elif isinstance(v, str) and key not in hexes and not re.fullmatch(r"[0-9a-f]{10}|[0-9a-f]{16}", v):
        assert not re.fullmatch(r"-?[0-9.]+[BKMGTPE]?", v) and v != "-", \
            f"{key}: {v!r} should be a number or null"
        assert not re.fullmatch(r"[0-9]+(,[0-9]+)+", v), f"{key}: {v!r} should be an array"
walk(d)
EOF
		ok "$name"
	else
		not_ok "$name"
	fi
}

# status NAME WANT PATTERN CMD...: exit status WANT, stderr matching PATTERN.
status() {
	local name=$1 want=$2 pattern=$3 rc=0
	shift 3
	"$@" >"$tmp/stdout" 2>"$tmp/err" || rc=$?
	if [ "$rc" = "$want" ] && grep -q -- "$pattern" "$tmp/err"; then
		ok "$name"
	else
		echo "exit $rc, wanted $want and '$pattern'" >>"$tmp/err"
		not_ok "$name"
	fi
}

# Relative paths: report names show in the output, golden files stay portable.
cd "$here" || exit 1
vmviz=$(cd "$(dirname "$vmviz")" && pwd)/$(basename "$vmviz")
mkdir -p golden
[ -x "$vmviz" ] || { echo "Bail out! no $vmviz: make -C tools"; exit 1; }

# svg_ok NAME SVG: renders to a PNG of the size the SVG says, not blank.
svg_ok() {
	local name=$1 svg=$2 w h
	if ! command -v rsvg-convert >/dev/null; then
		skip "$name" "no rsvg-convert (apt-get install librsvg2-bin)"
		return
	fi
	w=$(sed -n 's/^<svg .* width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$svg")
	if rsvg-convert -o "$tmp/map.png" "$svg" 2>"$tmp/err" &&
	   [ "$(./png.py "$tmp/map.png" 2>>"$tmp/err")" = "$w" ] &&
	   [ "$(./png.py "$tmp/map.png" 5 5)" = "#ffffff" ]; then
		ok "$name"
	else
		echo "PNG size $(./png.py "$tmp/map.png" 2>&1), SVG says $w" >>"$tmp/err"
		not_ok "$name"
	fi
}

for r in reports/*.report reports/demo-*/parent.report; do
	b=${r#reports/}
	b=${b%.report}
	b=${b//\//-}
	golden "$b.overview" "$vmviz" --file "$r"
	golden "$b.maps" "$vmviz" maps --file "$r"
	golden "$b.maps.all" "$vmviz" maps -r -o START,END,SIZE,PERM,OFFSET,SEG,PRESENT,DIRTY,ACCESSED,WRITABLE,HUGE,SWAPPED,NONPRESENT,ANON,PKEY,FLAGS,VMFLAGS,PROT,PROTFLAGS,RUNS,RAM,SWAP,NAME --file "$r"
	golden "$b.pages" "$vmviz" pages --file "$r"
	nonempty=?
	grep -q '^vma ' "$r" && nonempty=
	json "$b.maps.json" "vmas$nonempty" "$vmviz" maps -J -o +FLAGS,ANON,PKEY,PRESENT,OFFSET --file "$r"
	json "$b.pages.json" "pages$nonempty" "$vmviz" pages -J -o +BYTES,SWAPTYPE,SD --file "$r"
	json "$b.overview.json" "segments$nonempty" "$vmviz" -J --file "$r"
	# The picture as SVG, rendered to PNG by a real renderer.
	strip=$(awk '$1 == "vma" && / seg heap / { split($2, a, "-"); print a[1]; exit }' "$r")
	if "$vmviz" svg --file "$r" $strip >"$tmp/map.svg" 2>"$tmp/err"; then
		svg_ok "$b.svg" "$tmp/map.svg"
	else
		not_ok "$b.svg"
	fi
done

# Page-table views of one address and of a range: runs cut to fit.
d=reports/demo-6.12-4
addr=$(awk '$1 == "vma" && / \[stack\] / { split($2, a, "-"); print a[2]; exit }' "$d/parent.report")
addr=$(printf '%x' $((0x$addr - 4096)))
golden demo.pages.addr "$vmviz" pages -r -n --file "$d/parent.report" "$addr"
golden demo.pages.range "$vmviz" pages --file "$d/parent.report" 0x0-0x7fffffffffff
for c in fork vfork clone thread; do
	golden "demo.compare.$c" "$vmviz" compare --file "$d/parent.report" --file "$d/$c.report"
	json "demo.compare.$c.json" compare "$vmviz" compare -J --file "$d/parent.report" --file "$d/$c.report"
done
# Whole outputs to files first: grep -q would cut a pipe (pipefail).
"$vmviz" compare -f "$d/parent.report" -f "$d/fork.report" >"$tmp/fork" 2>&1
"$vmviz" compare -f "$d/parent.report" -f "$d/thread.report" >"$tmp/thread" 2>&1
if grep -q '^verdict: fork child: [1-9][0-9]* pages still shared copy-on-write, [1-9][0-9]* diverged$' "$tmp/fork" &&
   [ "$(grep -c '^verdict: one address space (thread, vfork or CLONE_VM child)' "$tmp/thread")" = 1 ]; then
	ok demo.verdicts
else
	not_ok demo.verdicts
fi
# The JSON total row carries the verdict; every row says whether one mm.
check demo.compare.json_samemm_every_row python3 -c '
import json, subprocess, sys
for other, same in (("vfork", True), ("fork", False)):
    d = json.loads(subprocess.check_output([sys.argv[1], "compare", "-J", "-f", sys.argv[2] + "/parent.report", "-f", sys.argv[2] + "/" + other + ".report"]))
    rows = d["compare"]
    assert all(r["samemm"] is same for r in rows), other
    assert d["total"]["name"] == "total" and d["total"]["verdict"], d["total"]
    assert all(r["name"] != "total" and r["verdict"] is None for r in rows), other
    assert d["relation"] == ("same-mm" if same else "other-mm")
    boots = [r["boot"] for r in d["reports"]]
    assert len(boots[0]) == 36 and boots[0] == boots[1], boots
' "$vmviz" "$d"

# Format 2: crafted reports (craft.py) of what saved reports lack.
c=reports/crafted
golden crafted.steps.pages "$vmviz" pages -o START,END,COUNT,LEAF,STATE,PFN,STEP -f "$c/steps.report" 7f0000000000-7f0001000000
golden crafted.steps.compare "$vmviz" compare -f "$c/steps.report" -f "$c/steps-b.report"
golden crafted.later.compare "$vmviz" compare -o +VMA -f "$c/base.report" -f "$c/later.report"
golden crafted.otherboot.compare "$vmviz" compare -f "$c/base.report" -f "$c/otherboot.report"
golden crafted.kthread.compare "$vmviz" compare -f "$c/base.report" -f reports/kthread-6.12-4.report
golden crafted.partial.overview "$vmviz" -f "$c/partial.report"
golden crafted.steps.svg "$vmviz" svg -f "$c/steps.report" 7f0000800000
# PFN of each page by the spec's formula: - descends by entry, ascends inside one.
"$vmviz" pages -r -n -o PFN -f "$c/steps.report" 7f0000201000 >"$tmp/a" 2>&1
"$vmviz" pages -r -n -o PFN -f "$c/steps.report" 7f0000402000-7f0000403000 >"$tmp/b" 2>&1
"$vmviz" pages -r -n -o PFN -f "$c/steps.report" 7f0000802000+1000 >"$tmp/c" 2>&1
if [ "$(cat "$tmp/a")" = 0000200200 ] && [ "$(cat "$tmp/b")" = 0000200000 ] &&
   [ "$(cat "$tmp/c")" = 00000011fe ]; then
	ok format2.pfn_step_minus
else
	cat "$tmp/a" "$tmp/b" "$tmp/c" >"$tmp/err"
	not_ok format2.pfn_step_minus
fi
# The same frames as one '-' run and as '+' lines of one entry: all the same.
"$vmviz" compare -r -o START,SAME,DIVERGED,ONLY1,ONLY2 -f "$c/steps.report" -f "$c/steps-b.report" >"$tmp/out" 2>&1
if grep -q '^00007f0000000000 1536 0 0 0$' "$tmp/out" && grep -q '^00007f0000800000 9 0 0 0$' "$tmp/out"; then
	ok format2.compare_step_minus
else
	cp "$tmp/out" "$tmp/err"
	not_ok format2.compare_step_minus
fi
grep -q '^   one mm_struct, read twice (2 is 90 s later): the differences are' \
	golden/crafted.later.compare && ! grep -qi 'fork\|copy-on-write pending' golden/crafted.later.compare &&
	grep -q '^verdict: one address space (the same process), read again 90 s later' golden/crafted.later.compare &&
	ok compare.over_time_words || not_ok compare.over_time_words
# The zero page two processes map is named, not counted copy-on-write;
# with a filter, the verdict and the table each say what they are of.
"$vmviz" compare -r -n -o START,SAME,COW,ZERO -f "$c/steps.report" -f "$c/steps-b.report" --range 7f0000804000+1000 >"$tmp/out" 2>&1
"$vmviz" compare --name '\[heap]' -f "$c/base.report" -f "$c/later.report" >"$tmp/b" 2>&1
if [ "$(cat "$tmp/out")" = "00007f0000800000 9 0 3
 9 0 3" ] && grep -q '^     and the shared zero page 3 (read as zeros: shared, not a copy)$' golden/crafted.steps.compare &&
   grep -q '^verdict (all VMAs): ' "$tmp/b" && grep -q '^the counts and verdict above are of all VMAs; the table below only of' "$tmp/b"; then
	ok compare.zero_page_and_filter_scopes
else
	cat "$tmp/out" "$tmp/b" >"$tmp/err"; not_ok compare.zero_page_and_filter_scopes
fi
grep -q 'from different boots' golden/crafted.otherboot.compare && ok compare.other_boot || not_ok compare.other_boot
# Over time (issue 20): the words' "N pages changed" and each count line
# equal the sums of the table's columns (the default columns say it all).
check compare.over_time_words_equal_table python3 - "$vmviz" "$c/base.report" "$c/later.report" "$d/parent.report" "$d/thread.report" <<'EOF'
import re, subprocess, sys
vm = sys.argv[1]
for a, b in ((sys.argv[2], sys.argv[3]), (sys.argv[4], sys.argv[5])):
    out = subprocess.check_output([vm, "compare", "--width", "200", "-f", a, "-f", b], text=True)
    words = dict(re.findall(r"^   ([a-z ]+(?: since 1)?): +(\d+) pages? ", out, re.M))
    changed = int(re.search(r"read again .*?: (\d+) pages? changed", out, re.S).group(1))
    head, *rows = [l.split() for l in out.split("\n\n")[-1].strip().split("\n")]
    total = dict(zip(head[3:], rows[-1]))
    cols = ("DIVERGED", "ONLY1", "ONLY2", "SWAPOUT", "SWAPIN")
    assert sum(int(total[k]) for k in cols) == changed, (total, changed)
    assert [int(words[k]) for k in ("changed frame", "gone since 1", "faulted in since 1",
            "swapped out", "swapped in")] == [int(total[k]) for k in cols], (words, total)
    assert all(sum(int(r[head.index(k)]) for r in rows[:-1]) == int(total[k]) for k in cols)
EOF
# Two boots (issue 20): "not comparable", both kernels and paging modes
# named, null counts in JSON.
sed '2s/kernel 6.12.117+deb12-amd64/kernel 7.2.13+deb14-amd64/' reports/sleep-6.12-5.report >"$tmp/boot2.report"
check compare.other_boot_not_comparable python3 - "$vmviz" reports/sleep-6.12-4.report "$tmp/boot2.report" <<'EOF'
import json, subprocess, sys
vm, a, b = sys.argv[1:4]
out = subprocess.check_output([vm, "compare", "--width", "200", "-f", a, "-f", b], text=True)
assert "not comparable" in out, out
assert "1: boot 7ece0540-dbb5-4e4f-a27b-61c0c6caa175, kernel 6.12.117+deb12-amd64, 4-level paging" in out, out
assert "2: boot 72ba5d5f-f91f-4a1c-b3e9-2d5e5834b483, kernel 7.2.13+deb14-amd64, 5-level paging" in out, out
assert "verdict: from different boots (1: kernel 6.12.117+deb12-amd64, 4-level paging; 2: kernel 7.2.13+deb14-amd64, 5-level paging)" in out
d = json.loads(subprocess.check_output([vm, "compare", "-J", "-f", a, "-f", b]))
assert d["relation"] == "other-boot" and "not comparable" in d["total"]["verdict"]
for r in d["compare"] + [d["total"]]:
    assert all(r[k] is None for k in ("same", "cow", "diverged", "only1", "only2", "zero")), r
EOF
status compare.frames_without_frame_detail 1 "--frames: the report has no frame detail" "$vmviz" compare --frames -f "$c/base.report" -f "$c/later.report"
status pages.frames_without_frame_detail 1 "--frames: the report has no frame detail" "$vmviz" pages --frames -f "$c/base.report"
grep -q '^   2 has no address space' golden/crafted.kthread.compare &&
	! grep -q 'two mm_structs' golden/crafted.kthread.compare && ok compare.kthread || not_ok compare.kthread
# A VMA that grew between the reads is one row, not two sharing a start.
"$vmviz" compare -r -n -o START,END,VMA -f "$c/base.report" -f "$c/later.report" >"$tmp/out"
if [ "$(awk '{ print $1 }' "$tmp/out" | sort | uniq -d | grep -c .)" = 0 ] &&
   grep -q '^0000000040527000 000000004054b000 resized$' "$tmp/out"; then
	ok compare.grown_vma_one_row
else
	cp "$tmp/out" "$tmp/err"
	not_ok compare.grown_vma_one_row
fi

# Frame detail (/proc/vmviz/frames/PID): real ones captured by make reports
# (reports/frames-*/), and hand-made ones by the spec (craft.py frames).
for fr in reports/frames-*/*.report; do
	[ -e "$fr" ] || continue
	b=${fr#reports/}
	b=${b%.report}
	b=${b//\//-}
	golden "$b.mem" "$vmviz" mem --file "$fr"
	golden "$b.tables" "$vmviz" tables --file "$fr"
	golden "$b.pages" "$vmviz" pages --file "$fr"
	nonempty=?
	grep -q '^vma ' "$fr" && nonempty=
	json "$b.mem.json" "vmas$nonempty" "$vmviz" mem -J -o +SIZE,SEG,SHCLEAN,SHDIRTY,PRCLEAN,PRDIRTY,SWAPPSS,COWCOPY,COWREUSE --file "$fr"
	json "$b.tables.json" tables "$vmviz" tables -J --file "$fr"
	json "$b.pages.json" "pages$nonempty" "$vmviz" pages -J --file "$fr"
done
for fd in reports/frames-*/; do
	[ -e "$fd/parent.report" ] || continue
	fd=${fd%/}
	b=${fd#reports/}
	golden "$b.compare" "$vmviz" compare -f "$fd/parent.report" -f "$fd/fork.report"
	json "$b.compare.json" compare "$vmviz" compare -J -f "$fd/parent.report" -f "$fd/fork.report"
done
# Real frame detail agrees with itself: the total row is the sum of the rows
# (Rss is exact in kB), PTE entries in page lines are the used PTE entries.
check frames.real_reports_agree python3 -c '
import glob, json, subprocess, sys
for f in glob.glob("reports/frames-*/*.report"):
    m = json.loads(subprocess.check_output([sys.argv[1], "mem", "-J", "-o", "RSS,SWAP,NAME", "-f", f]))
    assert m["total"]["rss"] == sum(r["rss"] for r in m["vmas"]) == m["rollup"]["rss"], f
    t = json.loads(subprocess.check_output([sys.argv[1], "tables", "-J", "-f", f]))
    p = json.loads(subprocess.check_output([sys.argv[1], "pages", "-J", "-o", "LEVEL,COUNT", "-f", f]))
    assert t["tables"][0]["used"] == sum(r["count"] for r in p["pages"] if r["level"] == "pte"), f
    assert t["total"]["bytes"] == t["pgtables"], f
' "$vmviz"
fp=$c/frames-parent.report fk=$c/frames-fork.report
golden crafted.frames.mem "$vmviz" mem -f "$fp"
golden crafted.frames.mem_sort_pss "$vmviz" mem -s pss -o START,PERM,RSS,PSS,USS,NAME -f "$fp"
golden crafted.frames.mem_filter "$vmviz" mem --name '*libc*' -o +SHCLEAN,PRCLEAN -f "$fp"
golden crafted.frames.mem_all "$vmviz" mem -r -o START,END,SIZE,PERM,SEG,RSS,PSS,PSSDIRTY,PSSANON,PSSFILE,PSSSHMEM,SHCLEAN,SHDIRTY,PRCLEAN,PRDIRTY,REFERENCED,ANONYMOUS,KSM,LAZYFREE,ANONHUGE,SHMEMPMD,FILEPMD,SWAP,SWAPPSS,LOCKED,USS,COWCOPY,COWREUSE,NAME -f "$fp"
golden crafted.frames.tables "$vmviz" tables -f "$fp"
golden crafted.frames.pages "$vmviz" pages -f "$fp"
golden crafted.frames.compare "$vmviz" compare -f "$fp" -f "$fk"
golden crafted.frames.compare_copy "$vmviz" compare -r -o START,COW,COPY1,REUSE1,COPY2,REUSE2,NAME -f "$fp" -f "$fk"
json crafted.frames.mem.json vmas "$vmviz" mem -J -f "$fp"
json crafted.frames.tables.json tables "$vmviz" tables -J -f "$fp"
json crafted.frames.pages.json pages "$vmviz" pages -J -o +ORDER,NODE,MAP,MAPHI,KIND -f "$fp"
json crafted.frames.compare.json compare "$vmviz" compare -J -f "$fp" -f "$fk"
fits_80() { "$@" >"$tmp/out" 2>"$tmp/err" && [ -s "$tmp/out" ] && ! awk 'length($0) > 80' "$tmp/out" | grep -q .; }
check frames.mem_fits_80 fits_80 env -u COLUMNS "$vmviz" mem -f "$fp"
check frames.tables_fits_80 fits_80 env -u COLUMNS "$vmviz" tables -f "$fp"
check frames.pages_fits_80 fits_80 env -u COLUMNS "$vmviz" pages -f "$fp"
check frames.compare_fits_80 fits_80 env -u COLUMNS "$vmviz" compare -f "$fp" -f "$fk"
# The total row is the rollup line's; a filter sums the rows shown; --sort orders.
check frames.mem_json_total_is_rollup python3 -c '
import json, subprocess, sys
vm, fp = sys.argv[1:3]
d = json.loads(subprocess.check_output([vm, "mem", "-J", "-o", "RSS,PSS,USS,SWAP,NAME", "-f", fp]))
roll = {l.split()[i]: int(l.split()[i + 1]) for l in open(fp, newline="") if l.startswith("rollup ") for i in range(2, 48, 2)}
tot = d["total"]
assert tot["name"].startswith("total ("), tot
for k in ("rss", "pss", "uss", "swap"):
    assert tot[k] == roll[k] * 1024 == d["rollup"][k], (k, tot[k], roll[k])
assert d["rollup"]["start"] == d["report"] and False or True
rows = d["vmas"]
assert sum(r["rss"] for r in rows) == tot["rss"]
s = json.loads(subprocess.check_output([vm, "mem", "-J", "-s", "pss", "--seg", "mmap", "-f", fp]))
p = [r["pss"] for r in s["vmas"]]
assert p == sorted(p, reverse=True) and s["total"]["pss"] == sum(p), p
assert s["total"]["name"].endswith(" shown)")
' "$vmviz" "$fp"
# JSON numbers (issue 20): LEAF in bytes, OFFSET in bytes, HIST an array.
check json.numbers_leaf_offset_hist python3 -c '
import json, subprocess, sys
vm, fp, st = sys.argv[1:4]
p = json.loads(subprocess.check_output([vm, "pages", "-J", "--total", "-o", "LEVEL,LEAF,COUNT,BYTES", "-f", st]))
size = {"pte": 4096, "pmd": 2 << 20, "pud": 1 << 30}
assert all(r["leaf"] == size[r["level"]] and r["bytes"] == r["leaf"] * r["count"] for r in p["pages"])
assert {r["leaf"] for r in p["pages"]} == {4096, 2 << 20}, p["pages"]
assert p["total"]["leaf"] == 4096 and p["total"]["count"] * 4096 == p["total"]["bytes"], p["total"]
m = json.loads(subprocess.check_output([vm, "maps", "-J", "-o", "START,OFFSET", "-f", fp]))
offs = [int(l.split()[3], 16) for l in open(fp) if l.startswith("vma ")]
assert [r["offset"] for r in m["vmas"]] == offs and any(offs), offs
t = json.loads(subprocess.check_output([vm, "tables", "-J", "-f", fp]))
for r in t["tables"][:3]:
    assert isinstance(r["hist"], list) and sum(r["hist"]) == r["count"], r
    assert r["hist"] == [r["h%d" % (1 << i >> 1)] for i in range(11)], r
' "$vmviz" "$fp" "$c/steps.report"
check frames.tables_json_levels python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "tables", "-J", "-f", sys.argv[2]]))
rows = d["tables"]
assert [r["level"] for r in rows] == ["pte", "pmd", "pud", "deposited"], rows
assert d["total"]["level"] == "total", d["total"]
assert d["total"]["bytes"] == d["pgtables"] == sum(r["bytes"] for r in rows)
assert all(sum(r[h] for h in ("h0", "h1", "h2", "h4", "h8", "h16", "h32", "h64", "h128", "h256", "h512")) == r["count"] for r in rows[:3])
' "$vmviz" "$fp"
"$vmviz" compare -f "$fp" -f "$fk" >"$tmp/out" 2>&1
if grep -q '^     in 1: copy [0-9]* pages\{0,1\}, reuse [0-9]*$' "$tmp/out" &&
   grep -q '^verdict: fork child: .* a write$' "$tmp/out"; then
	ok frames.compare_copy_reuse_words
else
	cp "$tmp/out" "$tmp/err"; not_ok frames.compare_copy_reuse_words
fi
"$vmviz" compare -f "$d/parent.report" -f "$d/fork.report" >"$tmp/out" 2>&1
grep -q 'a write would\|reuse' "$tmp/out" && not_ok frames.plain_compare_unchanged || ok frames.plain_compare_unchanged
status frames.mem_needs_frame_detail 1 "no frame detail: mem reads /proc/vmviz/frames/PID" "$vmviz" mem -f "$r"
status frames.tables_needs_frame_detail 1 "no frame detail: tables reads" "$vmviz" tables -f "$r"
status frames.frames_option_not_on_maps 2 "maps: option --frames does not apply" "$vmviz" maps --frames -f "$r"
status frames.sort_unknown_column 2 "--sort: unknown column for mem: BOGUS" "$vmviz" mem -s BOGUS -f "$fp"
status frames.sort_unknown_column 2 "--sort: unknown column for maps: pss" "$vmviz" maps -s pss -f "$fp"
# --sort in every table view: numbers largest first, text in order, ties by address.
check sort.every_table_view python3 -c '
import json, subprocess, sys
vm, fp, fk = sys.argv[1:4]
def rows(*a):
    d = json.loads(subprocess.check_output([vm] + list(a)))
    return d[[k for k in d if isinstance(d[k], list) and k != "reports"][0]]
m = rows("maps", "-J", "-s", "size", "-f", fp)
want = sorted(m, key=lambda r: (-r["size"], int(r["start"], 16)))
assert m == want and len(m) == open(fp).read().count("\nvma "), [r["size"] for r in m]
n = rows("maps", "-J", "-s", "name", "-f", fp)
assert [r["name"] for r in n] == sorted(r["name"] for r in n)
p = rows("pages", "-J", "-s", "count", "-f", fp)
assert [r["count"] for r in p] == sorted((r["count"] for r in p), reverse=True)
c = rows("compare", "-J", "-s", "diverged", "-f", fp, "-f", fk)
assert [r["diverged"] for r in c] == sorted((r["diverged"] for r in c), reverse=True)
' "$vmviz" "$fp" "$fk"
# Malformed frame detail: refused with exit 6, naming what was expected.
bad_frames() {	# NAME PATTERN SED-SCRIPT
	sed "$3" "$fp" >"$tmp/t.report"
	status "frames.refused.$1" 6 "$2" "$vmviz" maps -f "$tmp/t.report"
}
bad_frames detail_other "expected detail frames" '2s/detail frames/detail pages/'
bad_frames detail_extra "expected detail frames" '2s/detail frames/detail frames more/'
bad_frames detail_late "line 3 does not follow format 2: expected the task line" '2{h;d};3G'
bad_frames page_no_frame_fields "a page line of frame detail" '0,/^  pte /s/ - file  L--R------ 0 0 2$/ -/'
bad_frames page_kind "a page line of frame detail" '0,/^  pte /s/ file  L--R------/ page  L--R------/'
bad_frames page_flag_letter "a page line of frame detail" '0,/^  pte /s/ L--R------ / Q--R------ /'
bad_frames page_flag_place "a page line of frame detail" '0,/^  pte /s/ L--R------ / -L-R------ /'
bad_frames page_map_lo_hi "a page line of frame detail" '0,/^  pte /s/ L--R------ 0 0 2$/ L--R------ 0 0 3-2/'
bad_frames page_no_frame_but_order "a page line of frame detail" '0,/^  pte /s/ file  L--R------ 0 0 2$/ -     ---------- 0 - -/'
bad_frames page_frame_no_map "a page line of frame detail" '0,/^  pte /s/ L--R------ 0 0 2$/ L--R------ 0 0 -/'
bad_frames page_hidden_with_order "a page line of frame detail" '0,/^  pte /s/ file  L--R------ 0 0 2$/ ?     ---------- 0 0 -/'
bad_frames page_hidden_no_node "a page line of frame detail" '0,/^  pte /s/ file  L--R------ 0 0 2$/ ?     ---------- - - -/'
# A reader without /proc/kpageflags access sees kind ? and the node only.
sed 's/^\(  p[tm][ed] .*\) [a-z][a-z]*  *[-A-Z]\{10\} [0-9]* \([0-9]*\) [-0-9]*$/\1 ?     ---------- - \2 -/' "$fp" >"$tmp/hidden.report"
check frames.hidden_frames_accepted sh -c '"$1" pages --frames -f "$2" >"$3" && grep -q " ? " "$3" && ! grep -q " anon \| file " "$3"' _ "$vmviz" "$tmp/hidden.report" "$tmp/hidden.out"
bad_frames sum_no_smaps "a sum line of frame detail" '0,/^sum /s/ rss .*//'
bad_frames sum_smaps_order "a sum line of frame detail" '0,/^sum /s/ rss \([0-9]*\) pss \([0-9]*\)/ pss \2 rss \1/'
bad_frames table_order "a table line: pte, pmd, pud" '/^table pte /{h;d};/^table pmd /G'
bad_frames table_hist "a table line whose count, used, min, max, histogram and bytes agree" 's/^\(table pte count [0-9]* used [0-9]* min [0-9]* max [0-9]* hist \)0,/\11,/'
bad_frames table_bytes "histogram and bytes agree" '/^table pmd /s/ bytes [0-9]*$/ bytes 1/'
bad_frames table_missing "expected a table line" '/^table pud /d'
bad_frames pgtables_missing "expected the pgtables line" '/^pgtables /d'
bad_frames rollup_missing "expected the rollup line" '/^rollup /d'
bad_frames rollup_range "a rollup range from the first VMA's start" 's/^rollup 0000/rollup 0001/'
bad_frames vma_after_tables "expected the pgtables line" '/^pgtables /i\
vma 00007fff8c5d7000-00007fff8c5d8000 rw-p 0000000000000000 [anon] seg mmap flags 0000000000100073 vm rd prot 0000000000000025 protflags P-U--A----N anon 0 pkey 0'
bad_frames end_before_tables "expected a vma, page, sum or table line" '/^table /,/^rollup /d'
sed '0,/^  pte /s/ L--R------ 0 0 2$/ L--R------ 0 0 1-3/' "$fp" >"$tmp/t.report"
"$vmviz" pages -r -n -o MAP,MAPHI -f "$tmp/t.report" >"$tmp/out" 2>"$tmp/err"
"$vmviz" pages -J -o MAP,MAPHI -f "$tmp/t.report" >"$tmp/json" 2>>"$tmp/err"
if [ "$(head -n 1 "$tmp/out")" = "1-3 3" ] && grep -q '"map": 1,' "$tmp/json" &&
   grep -q '"maphi": 3' "$tmp/json"; then
	ok frames.map_lo_hi
else
	cat "$tmp/out" >>"$tmp/err"; not_ok frames.map_lo_hi
fi
sed '/^detail frames$/d; / rss [0-9]* pss /s/ rss .*//; /^  /s/ \(-\|[0-9]*\) [a-z-]* *[-LAURDWSMPX]\{10\} [-0-9]* [-0-9]* [-0-9]*$/ \1/; /^table \|^pgtables \|^rollup /d' "$fp" >"$tmp/t.report"
if "$vmviz" maps -f "$tmp/t.report" >"$tmp/a" 2>"$tmp/err" && "$vmviz" maps -f "$fp" >"$tmp/b" 2>>"$tmp/err" &&
   cmp -s "$tmp/a" "$tmp/b"; then
	ok frames.plain_of_the_same_reads_the_same
else
	not_ok frames.plain_of_the_same_reads_the_same
fi
# Fields 17 and 18 of page lines, ref and act (docs/FORMAT.md): added to
# frames-parent as a module that has them writes them (R set: ref is the
# count; else some entries of longer runs), shown and checked.
python3 - "$fp" >"$tmp/refact.report" <<'EOF'
import sys
for ln in open(sys.argv[1]).read().rstrip("\n").split("\n"):
    w = ln.split()
    if ln.startswith("  ") and len(w) == 16:
        n, kind, fl = int(w[2]), w[11], w[12]
        if kind in ("-", "?"):
            ln += " - -"
        else:
            ln += " %d %d" % (n if fl[3] == "R" else n - 1, n if fl[1] == "A" else 0)
    print(ln)
EOF
check frames.ref_act_shown python3 - "$vmviz" "$tmp/refact.report" <<'EOF'
import json, subprocess, sys
vm, f = sys.argv[1:3]
lines = [l.split() for l in open(f) if l.startswith("  ")]
d = json.loads(subprocess.check_output([vm, "pages", "-J", "-o", "START,COUNT,REF,ACT", "-f", f]))
want = [(int(w[2]), None if w[16] == "-" else int(w[16]), None if w[17] == "-" else int(w[17])) for w in lines]
assert [(r["count"], r["ref"], r["act"]) for r in d["pages"]] == want, d["pages"][:3]
assert any(r["ref"] not in (0, r["count"], None) for r in d["pages"]), "no partial run"
text = subprocess.check_output([vm, "pages", "--width", "100", "-f", f], text=True)
assert text.split("\n")[0].split()[6:10] == ["FFLAGS", "REF", "ACT", "MAP"], text.split("\n")[0]
EOF
bad_refact() {	# NAME SED-SCRIPT: the edited line refused, naming ref and act
	sed "$2" "$tmp/refact.report" >"$tmp/t.report"
	status "frames.refused.$1" 6 "then ref and act" "$vmviz" pages -f "$tmp/t.report"
}
bad_refact ref_over_count '0,/^  pte .* 5 0$/s/ 5 0$/ 6 0/'
bad_refact ref_not_all_with_r '0,/^  pte .* L--R------ 0 0 2 5 0$/s/ 5 0$/ 4 0/'
bad_refact ref_all_without_r '0,/ LA--D----X 0 0 1 1 2$/s/ 1 2$/ 2 2/'
bad_refact act_missing '0,/^  pte .* 5 0$/s/ 5 0$/ 5/'
bad_refact ref_without_frame '0,/ anon  LA--D----X 0 0 1 1 2$/s/ anon  LA--D----X 0 0 1 1 2$/ -     ---------- - - - 0 0/'
sed '0,/ anon  LA--D----X 0 0 1 1 2$/s/ anon  LA--D----X 0 0 1 1 2$/ -     ---------- - - - - -/' "$tmp/refact.report" >"$tmp/t.report"
check frames.ref_act_dash_without_frame "$vmviz" pages -f "$tmp/t.report"
bad_refact ref_not_decimal '0,/^  pte .* 5 0$/s/ 5 0$/ 5x 0/'
sed '/^table /s/$/ newfield 1/; /^rollup /s/$/ newfield 1/; /^pgtables /s/$/ newfield 1/; /^  /s/$/ 7/; /^sum /s/$/ more 2/' "$tmp/refact.report" >"$tmp/t.report"
"$vmviz" mem -f "$fp" >"$tmp/a" 2>&1
if "$vmviz" mem -f "$tmp/t.report" >"$tmp/b" 2>"$tmp/err" && cmp -s "$tmp/a" "$tmp/b"; then
	ok frames.fields_added_at_line_ends_ignored
else
	not_ok frames.fields_added_at_line_ends_ignored
fi

# Frame detail with tables ("detail frames tables"): upper lines between a
# VMA line and its sum line, field 19 (eff) on page lines. tables-4 and
# tables-5 are the captured frames-6.12-*/parent reports made so by
# craft.py tables (4-level with PTI and the heap's pmd entry read-only;
# 5-level with p4d lines and 256T pgd entries).
t4=$c/tables-4.report t5=$c/tables-5.report
for t in "$t4" "$t5" "$c/explain.report"; do
	b=$(basename "$t" .report)
	bad=""
	for v in "" maps pages mem tables; do
		# shellcheck disable=SC2086
		"$vmviz" $v -f "$t" >"$tmp/out" 2>>"$tmp/err" || bad="$bad [$v]"
	done
	if [ -z "$bad" ]; then ok "tables.accepted.$b"; else
		echo "refused by:$bad" >>"$tmp/err"; not_ok "tables.accepted.$b"; fi
done
# The same views of a tables file as of the frame detail it was made from.
# (pages: without REF and ACT, which the tables file has and its source not)
for v in maps "pages -o START,COUNT,LEAF,STATE,PFN,KIND,FFLAGS,MAP,NAME" mem tables; do
	# shellcheck disable=SC2086
	"$vmviz" $v -f reports/frames-6.12-5/parent.report >"$tmp/a" 2>&1
	# shellcheck disable=SC2086
	"$vmviz" $v -f "$t5" 2>&1 | sed "s|$t5|reports/frames-6.12-5/parent.report|" >"$tmp/b"
	if cmp -s "$tmp/a" "$tmp/b"; then ok "tables.same_${v%% *}.as_frames"; else
		diff "$tmp/a" "$tmp/b" | head >"$tmp/err"; not_ok "tables.same_${v%% *}.as_frames"; fi
done
check tables.crafted_have_what_is_tested python3 - "$t4" "$t5" "$c/explain.report" <<'EOF2'
import sys
t4, t5, ex = (open(f).read() for f in sys.argv[1:])
assert t4.split("\n")[1] == "detail frames tables"
up = [ln.split() for ln in t4.split("\n") if ln.startswith("  upper ")]
assert {u[1] for u in up} == {"pgd", "pud", "pmd"}, "4-level: pgd pud pmd"
assert any(u[1] == "pgd" and u[8] != "-" and u[5][10] == "N" for u in up), "PTI ucopy"
assert any(int(u[3]) > 1 for u in up), "a run of entries"
eff = [ln.split()[18] for ln in t4.split("\n") if ln.startswith("  pte ")]
assert "=" in eff and "-UN" in eff, "eff = and 3 columns"
up5 = [ln.split() for ln in t5.split("\n") if ln.startswith("  upper ")]
assert any(u[1] == "p4d" and u[4] == "512G" for u in up5), "p4d"
assert any(u[1] == "pgd" and u[4] == "256T" for u in up5), "256T pgd"
effx = [ln.split()[18] for ln in ex.split("\n") if ln.startswith("  pte ") and " swap " in ln]
assert effx == ["-"], effx
# The same entry under two neighbouring VMAs.
lines = t4.split("\n")
firsts = [u for u in up if u[1] == "pmd"]
assert len({u[2] for u in firsts}) < len(firsts), "a pmd entry repeated under the next VMA"
EOF2
# Upper lines before the page lines of their VMA: order with page lines
# does not matter (a line is printed when its run ends).
python3 - "$t4" >"$tmp/t.report" <<'EOF2'
import sys
out, ups, vma = [], [], None
for ln in open(sys.argv[1]).read().rstrip("\n").split("\n"):
    if ln.startswith("vma "):
        vma = len(out)
    if ln.startswith("  upper "):
        out.insert(vma + 1, ln)
        vma += 1
        continue
    out.append(ln)
print("\n".join(out))
EOF2
check tables.uppers_before_pages_accepted "$vmviz" pages -f "$tmp/t.report"
# Fields added at the end of upper lines are ignored.
sed '/^  upper /s/$/ 5 more/' "$t4" >"$tmp/t.report"
check tables.upper_fields_added_ignored "$vmviz" pages -f "$tmp/t.report"

# Malformed upper lines and eff: refused with exit 6, naming what was expected.
bad_tables() {	# NAME PATTERN SED-SCRIPT [REPORT]
	sed "$3" "${4:-$t4}" >"$tmp/t.report"
	status "tables.refused.$1" 6 "$2" "$vmviz" maps -f "$tmp/t.report"
}
bad_tables detail_word "expected detail frames, or detail frames tables" '2s/.*/detail frames tablez/'
bad_tables detail_more "expected detail frames, or detail frames tables" '2s/$/ more/'
bad_tables upper_in_plain_frames "upper lines only in frame detail with tables" '2s/.*/detail frames/'
bad_tables upper_in_report "expected .*upper lines only in frame detail with tables" '2d; /^  upper /s/$//; s/ rss [0-9]* pss .*//; /^table \|^pgtables \|^rollup /d'
bad_tables level "an upper line's level: pgd, pud or pmd" '0,/^  upper pud /s/^  upper pud /  upper pxd /'
bad_tables level_p4d_4level "p4d only with 5-level paging" '0,/^  upper pud /s/^  upper pud /  upper p4d /'
bad_tables level_5 "an upper line's level: pgd, p4d, pud or pmd" '0,/^  upper pud /s/^  upper pud /  upper pte /' "$t5"
bad_tables size_pud "the span of one pud entry with 4-level paging: 1G" '0,/^  upper pud /s/ 1G / 2M /'
bad_tables size_pgd_5 "the span of one pgd entry with 5-level paging: 256T" '0,/^  upper pgd /s/ 256T / 512G /' "$t5"
bad_tables size_pgd_4 "the span of one pgd entry with 4-level paging: 512G" '0,/^  upper pgd /s/ 512G / 256T /'
bad_tables unaligned "START and END aligned to the span" '0,/^  upper pmd /s/^\(  upper pmd [0-9a-f]\{12\}\)000/\1001/'
bad_tables count "count: the entries its range covers" '0,/^  upper pmd /s/      1 2M /      2 2M /'
bad_tables range_outside_vma "an upper range overlapping its VMA" '0,/^  upper pmd /s/^  upper pmd [0-9a-f-]*/  upper pmd 0000000000200000-0000000000400000/'
bad_tables flags_letter "upper flags of 11 columns" '0,/^  upper pmd /s/ PWU--AD---- / PWX--AD---- /'
bad_tables flags_short "upper flags of 11 columns" '0,/^  upper pmd /s/ PWU--AD---- / PWU--AD--- /'
bad_tables flags_h "never H" '0,/^  upper pmd /s/ PWU--AD---- / PWU--ADH--- /'
bad_tables table "a pfn of 10 lower-case hex digits" '0,/^  upper pmd /s/ \([0-9a-f]\{10\}\) + -$/ 0\1 + -/'
bad_tables step "step: +, - or =" '0,/^  upper pmd /s/ + -$/ * -/'
bad_tables step_minus "keeps its tables within 10 hex digits" '/^  upper pmd .*      2 2M /s/ [0-9a-f]\{10\} + -$/ 0000000000 - -/'
bad_tables before_vma "an upper line only between a vma line and its sum line" '0,/^vma /{/^vma /i\
  upper pgd 0000000000000000-0000008000000000      1 512G PWU--AD---N 0000001000 + PWU--AD----
}'
bad_tables after_sum "an upper line only between a vma line and its sum line" '0,/^sum /{/^sum /a\
  upper pgd 0000558000000000-0000560000000000      1 512G PWU--AD---N 00000010ab + PWU--AD----
}'
bad_tables out_of_order "upper lines of one level in address order" '0,/^  upper pmd /{/^  upper pmd /p}'
bad_tables ucopy_on_pud "ucopy - (a user copy only on pgd lines)" '0,/^  upper pud /s/ + -$/ + PWU--AD----/'
bad_tables ucopy_shape "ucopy: the 11 flag columns of the user copy" '0,/^  upper pgd /s/ + PWU--AD----$/ + PWU--ADH---/'
bad_tables too_few_fields "an upper line: upper, level, range, count" '0,/^  upper pgd /s/ + PWU--AD----$/ +/'
bad_tables eff_missing "a page line's eff after act" '0,/^  pte /s/ [-=WUN]*$//'
bad_tables eff_own_as_columns "a page line's eff after act" '0,/^  pte .* =$/s/ =$/ -UN/'
bad_tables eff_grants_w "a page line's eff after act" '0,/^  pte .*P-U--A----N.* =$/s/ =$/ WUN/'
bad_tables eff_drops_n "a page line's eff after act" '0,/^  pte .*P-U--A----N.* =$/s/ =$/ -U-/'
bad_tables eff_bad_letter "a page line's eff after act" '0,/^  pte .* =$/s/ =$/ -UX/'
bad_tables eff_dash_present "a page line's eff after act" '0,/^  pte .* =$/s/ =$/ -/'
bad_tables eff_columns_on_swap "a page line's eff after act" '/ swap /s/ -$/ -U-/' "$c/explain.report"
bad_tables eff_equal_on_swap "a page line's eff after act" '/ swap /s/ -$/ =/' "$c/explain.report"
bad_tables eff_on_marker "a page line's eff after act" '/ guard /s/ -$/ =/' "$c/explain.report"
# A plain detail frames file keeps its 18 fields: no eff wanted there.
check tables.old_frames_18_fields_accepted "$vmviz" pages -f "$tmp/refact.report"
check tables.eff_column python3 - "$vmviz" "$t4" <<'EOF2'
import json, subprocess, sys
vm, t4 = sys.argv[1:3]
d = json.loads(subprocess.check_output([vm, "pages", "-J", "-o", "START,FLAGS,EFF,NAME", "-f", t4]))
lines = [l.split() for l in open(t4) if l.startswith("  ") and not l.startswith("  upper ")]
assert len(d["pages"]) == len(lines)
for p, w in zip(d["pages"], lines):
    own = w[5][1] + w[5][2] + w[5][10]
    assert p["eff"] == (own if w[18] == "=" else w[18]), (p, w)
assert any(p["eff"] == "-UN" and p["name"] == "[heap]" for p in d["pages"])
EOF2

# vmviz explain ADDR: each case of its rules (vmviz.8, EXPLAIN) in
# crafted/explain.report (craft.py explain: VMAs at 7f0000000000), and the
# gap, hole and kernel half around them; verdicts read from its JSON.
ex=$c/explain.report
check explain.verdicts python3 - "$vmviz" "$ex" "$t5" "$c/base.report" reports/kthread-6.12-4.report <<'EOF2'
import json, subprocess, sys
vm, ex, t5, base, kthread = sys.argv[1:6]
def explain(f, addr):
    return json.loads(subprocess.run([vm, "explain", "-J", "-f", f, addr], check=True,
                                     capture_output=True, text=True).stdout)
# address: (where, state, read, write, exec, a word of each why)
cases = {
    "present_rw": ("7f0000000123", "vma", "present", "ok", "ok", "sigsegv",
                   ("present", "writable", "not executable")),
    "cow_copy": ("7f0000001000", "vma", "present", "ok", "fault", "sigsegv",
                 ("present", "copies it", "not executable")),
    "cow_reuse": ("7f0000002fff", "vma", "present", "ok", "fault", "sigsegv",
                  ("present", "reuses it in place", "not executable")),
    "zero_page": ("7f0000003000", "vma", "present", "ok", "fault", "sigsegv",
                  ("present", "zero page", "not executable")),
    "swap": ("7f0000004000", "vma", "swap", "fault", "fault", "sigsegv",
             ("from swap", "from swap", "not executable")),
    "numa_protnone": ("7f0000005000", "vma", "protnone", "fault", "fault", "sigsegv",
                      ("NUMA hinting", "NUMA hinting", "not executable")),
    "migration": ("7f0000006000", "vma", "migr-r", "fault", "fault", "sigsegv",
                  ("migration", "migration", "not executable")),
    "uffd_wp_marker": ("7f0000007000", "vma", "uffd-wp", "fault", "fault", "sigsegv",
                       ("write-protected", "handler", "not executable")),
    "guard": ("7f0000008000", "vma", "guard", "sigsegv", "sigsegv", "sigsegv",
              ("guard", "guard", "not executable")),
    "poisoned": ("7f0000009000", "vma", "poisoned", "sigbus", "sigbus", "sigsegv",
                 ("poisoned", "poisoned", "not executable")),
    "unpopulated": ("7f000000a000", "vma", None, "fault", "fault", "sigsegv",
                    ("not populated", "not populated", "not executable")),
    "prot_none_vma": ("7f0000020000", "vma", None, "sigsegv", "sigsegv", "sigsegv",
                      ("PROT_NONE", "PROT_NONE", "PROT_NONE")),
    "pkey": ("7f0000030000", "vma", "present", "ok", "ok", "sigsegv",
             ("present", "writable", "not executable")),
    "text": ("7f0000040000", "vma", "present", "ok", "sigsegv", "ok",
             ("present", "not writable", "executable")),
    "nx_page_exec": ("7f0000041000", "vma", "present", "ok", "sigsegv", "sigsegv",
                     ("present", "not writable", "no-execute")),
    "shared_write_notify": ("7f0000050000", "vma", "present", "ok", "fault", "sigsegv",
                            ("present", "write-notify", "not executable")),
    "gap": ("7f0000100000", "gap", None, "sigsegv", "sigsegv", "sigsegv",
            ("no VMA", "no VMA", "no VMA")),
    "kernel_half": ("ffffffff81000000", "kernel", None, "sigsegv", "sigsegv", "sigsegv",
                    ("kernel", "kernel", "kernel")),
    "hole": ("0x0000900000000000", "hole", None, "sigsegv", "sigsegv", "sigsegv",
             ("canonical", "canonical", "canonical")),
    "stack_grows": ("7ffe81e00000", "gap", None, "fault", "fault", "sigsegv",
                    ("grows down", "grows down", "not executable")),
}
bad = []
for name, (addr, where, state, r, w, x, whys) in cases.items():
    d = explain(ex, addr)
    got = (d["where"], d["leaf"] and d["leaf"]["state"], *(a["verdict"] for a in d["access"]))
    if got != (where, state, r, w, x):
        bad.append(f"{name}: {got}, wanted {(where, state, r, w, x)}")
    for a, word in zip(d["access"], whys):
        if word not in a["why"]:
            bad.append(f"{name}: {a['access']}: {a['why']!r} does not say {word!r}")
    if d["address"] != "%016x" % int(addr, 16):
        bad.append(f"{name}: address {d['address']}")
d = explain(ex, "7f0000030000")
assert d["pkey"] == 3 and d["vma"]["pkey"] == 3, d["pkey"]
assert explain(ex, "7f0000000000")["pkey"] == 0
# The path: every level, the table of the entry at ADDR, the PTI user copy.
d = explain(ex, "7f0000001000")
assert [p["level"] for p in d["path"]] == ["pgd", "pud", "pmd"], d["path"]
assert d["path"][0]["ucopy"] == "PWU--AD----" and d["path"][0]["flags"][10] == "N"
assert d["path"][2]["size"] == 2 << 20 and d["path"][2]["start"] == "00007f0000000000"
assert d["detail"] == "tables" and d["effective"] == "-UN" and d["leaf"]["pfn"] == "0000150001"
assert d["frame"]["kind"] == "anon" and d["frame"]["map"] == 2, d["frame"]
assert d["below"]["name"] == "[heap]" and d["above"]["start"] == "00007f0000020000"
# The table of the entry at ADDR in a run of two pmd entries, step +.
ln = next(l.split() for l in open(ex) if l.startswith("  upper pmd ") and l.split()[3] == "2")
second = int(ln[2][:16], 16) + (2 << 20)
d = subprocess.run([vm, "explain", "-J", "-f", ex, "%x" % (second + 0x1000)], capture_output=True, text=True)
dd = json.loads(d.stdout)
pmd = [p for p in dd["path"] if p["level"] == "pmd"]
assert pmd and pmd[0]["table"] == "%010x" % (int(ln[6], 16) + 1), (pmd, ln)
assert pmd[0]["start"] == "%016x" % second
# The heap of tables-5: eff under a p4d; 5-level pgd entries span 256T.
heap = next(l.split()[1][:16] for l in open(t5) if l.startswith("vma ") and " [heap] " in l)
d = explain(t5, heap)
assert [p["level"] for p in d["path"]] == ["pgd", "p4d", "pud", "pmd"], d["path"]
assert d["path"][0]["size"] == 1 << 48 and d["path"][0]["ucopy"] is None
# A report: no path, no frame, the leaf's own bits; a kthread: no mm.
heap = next(l.split()[1][:16] for l in open(base) if l.startswith("vma ") and " [heap] " in l)
d = explain(base, heap)
assert d["detail"] == "report" and d["path"] == [] and d["frame"] is None, d
assert d["effective"] == "WUN" and [a["verdict"] for a in d["access"]] == ["ok", "ok", "sigsegv"]
d = explain(kthread, "1000")
assert d["where"] == "none" and d["vma"] is None and d["access"][0]["verdict"] == "sigsegv"
assert not bad, "\n".join(bad)
EOF2
# The frame of ADDR's own 4K page: as pages ADDR works it out from the
# run's first frame and its step (- runs of 2M and 4K entries, = runs).
check explain.pfn_as_pages_addr python3 - "$vmviz" "$c/steps.report" <<'EOF2'
import json, re, subprocess, sys
vm, f = sys.argv[1:3]
n = 0
for ln in open(f):
    if not ln.startswith("  ") or " present " not in ln:
        continue
    w = ln.split()
    s, e = (int(x, 16) for x in w[1].split("-"))
    for a in sorted(a for a in {s, s + 0x1000, (s + e) // 2 & ~0xfff, e - 0x1000} if a < e):
        d = json.loads(subprocess.check_output([vm, "explain", "-J", "-f", f, "%x" % a]))
        p = subprocess.run([vm, "pages", "-r", "-o", "PFN", "-n", "-f", f, "%x" % a],
                           capture_output=True, text=True, check=True).stdout.split()
        t = subprocess.run([vm, "pages", "-f", f, "%x" % a], capture_output=True,
                           text=True).stdout
        m = re.search(r"frame ([0-9a-f]{10})", t)
        want = m.group(1) if m else p[0]
        assert d["leaf"]["pfn"] == want, (hex(a), d["leaf"]["pfn"], want)
        n += 1
assert n > 10, n
EOF2
json explain.json access "$vmviz" explain -J -f "$ex" 7f0000001000
json explain.json_gap access "$vmviz" explain -J -f "$ex" 7f0000100000
json explain.json_report access "$vmviz" explain -J -f "$c/base.report" 0
golden crafted.explain.cow "$vmviz" explain -f "$ex" 7f0000001000
golden crafted.explain.pkey "$vmviz" explain -f "$ex" 0x7f0000030abc
golden crafted.explain.gap "$vmviz" explain -f "$ex" 7f0000100000
golden crafted.explain.protnone "$vmviz" explain -f "$ex" 7f0000005000
golden crafted.explain.kernel "$vmviz" explain -f "$ex" ffffffff81000000
golden crafted.explain.report "$vmviz" explain -f "$c/base.report" 7f4972040000
status explain.addr_malformed 2 "explain: not an address (hex, 0x optional" "$vmviz" explain -f "$ex" 7f00zz
status explain.addr_too_long 2 "explain: not an address" "$vmviz" explain -f "$ex" 17f0000000000000000
status explain.addr_range 2 "explain: not an address" "$vmviz" explain -f "$ex" 7f0000000000-7f0000001000
status explain.no_addr 2 "explain needs ADDR" "$vmviz" explain -f "$ex"
status explain.no_pid 2 "explain needs a PID and ADDR" "$vmviz" explain 7f0000000000
status explain.extra 2 "explain: extra argument" "$vmviz" explain -f "$ex" 7f0000000000 1
status explain.pid_and_file 2 "explain: extra argument" "$vmviz" explain -f "$ex" 1 7f0000000000
status explain.two_files 2 "explain reads one report" "$vmviz" explain -f "$ex" -f "$ex" 7f0000000000
status explain.no_output_option 2 "explain: option --output does not apply" "$vmviz" explain -o START -f "$ex" 7f0000000000
status explain.bad_pid 2 "not a PID" "$vmviz" explain 12x 7f0000000000
sed '0,/^  upper pgd /s/ 512G / 1G /' "$ex" >"$tmp/t.report"
status explain.malformed_report 6 "the span of one pgd entry" "$vmviz" explain -f "$tmp/t.report" 7f0000000000
# Live: ADDR is checked before anything is read; then the module is needed.
status explain.addr_before_pid 2 "explain: not an address" "$vmviz" explain 1 nothex
if [ -e /proc/vmviz ]; then
	skip explain.module_not_loaded "/proc/vmviz exists on this host"
else
	status explain.module_not_loaded 7 "the vmviz module is not loaded" "$vmviz" explain 1 1000
	status explain.self_module_not_loaded 7 "the vmviz module is not loaded" "$vmviz" explain self 1000
fi
# Hostile names (hostile.report): escaped, never raw.
hv=$(awk '$1 == "vma" && /\\033/ { print substr($2, 1, 16); exit }' "$c/hostile.report")
if "$vmviz" explain -f "$c/hostile.report" "$hv" >"$tmp/out" 2>"$tmp/err" &&
   ! LC_ALL=C grep -q "$(printf '\033')" "$tmp/out" && grep -q '\\033' "$tmp/out"; then
	ok explain.hostile_name_escaped
else
	cat "$tmp/out" >>"$tmp/err"; not_ok explain.hostile_name_escaped
fi
# Memory stays bounded: a report ten times larger costs no more than 2 MB more.
./genreport.py --vmas 2000 --pages 20000 --tables >"$tmp/es.report" &&
./genreport.py --vmas 20000 --pages 200000 --tables >"$tmp/el.report" ||
	echo "Bail out! genreport.py"
check explain.generated_tables_read python3 - "$vmviz" "$tmp/es.report" <<'EOF2'
import json, subprocess, sys
vm, f = sys.argv[1:3]
lines = open(f).read().split("\n")
ups = sum(1 for l in lines if l.startswith("  upper "))
assert lines[1] == "detail frames tables" and ups > 2000, ups
d = json.loads(subprocess.check_output([vm, "pages", "-J", "-o", "START,EFF", "-f", f]))
assert len(d["pages"]) == sum(1 for l in lines if l.startswith("  pte ")), len(d["pages"])
last = next(l for l in reversed(lines) if l.startswith("  pte ") and " present " in l)
d = json.loads(subprocess.check_output([vm, "explain", "-J", "-f", f, last.split()[1][:16]]))
assert [p["level"] for p in d["path"]] == ["pgd", "pud", "pmd"] and d["effective"], d
EOF2
check explain.memory_bounded python3 - "$vmviz" "$tmp/es.report" "$tmp/el.report" <<'EOF2'
import subprocess, sys
vm, small, large = sys.argv[1:4]
def rss(f):
    out = subprocess.check_output([sys.executable, "-c", """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
""", vm, "explain", "-f", f, "7f0000001000"])
    return int(out)
a, b = rss(small), rss(large)
assert b - a < 2048, (a, b)
EOF2

# Version: exactly "vmviz-format 2"; anything else refused with exit 6.
# (base.report: a fixed report the checks below know line by line.)
r=$c/base.report
sed '1s/.*/vmviz-format 1/' "$r" >"$tmp/v.report"
status format2.version_1 6 "the report is format 1; this vmviz reads format 2" "$vmviz" maps -f "$tmp/v.report"
for v in 1x 1.1 +2 0x2 02 4294967298 18446744073709551618 "2 " " 2" 2.0 3 ""; do
	sed "1s/.*/vmviz-format $v/" "$r" >"$tmp/v.report"
	status "format2.version_refused.'$v'" 6 "report format '.*' is not known to this vmviz (it reads format 2 only)" \
		"$vmviz" maps -f "$tmp/v.report"
done
# Truncated at every line boundary, and inside the last lines: refused.
for t in "$r" reports/kthread-6.12-4.report "$c/steps.report" "$c/frames-fork.report"; do
	lines=$(wc -l <"$t") bad=""
	for ((k = 0; k < lines; k++)); do
		head -n "$k" "$t" >"$tmp/t.report"
		rc=0
		"$vmviz" maps -f "$tmp/t.report" >/dev/null 2>"$tmp/msg" || rc=$?
		if [ "$k" -gt 0 ] && { [ "$rc" != 6 ] || ! grep -q "truncated report" "$tmp/msg"; }; then
			bad="$bad $k"
		fi
		[ "$k" = 0 ] && [ "$rc" != 6 ] && bad="$bad 0"
	done
	size=$(stat -c %s "$t")
	for ((k = size - 60; k < size; k++)); do
		head -c "$k" "$t" >"$tmp/t.report"
		"$vmviz" maps -f "$tmp/t.report" >/dev/null 2>"$tmp/msg" && bad="$bad byte$k"
	done
	if [ -z "$bad" ]; then ok "format2.truncated_everywhere.${t##*/}"; else
		echo "accepted or wrong message when cut after lines:$bad" >"$tmp/err"
		not_ok "format2.truncated_everywhere.${t##*/}"; fi
done
# The end line must count what was read.
grep -v '^  pte 0000000000585000' "$r" >"$tmp/t.report"
status format2.page_line_lost 6 "line 52 does not follow format 2: expected present 0, what its page lines add up to (the line says 86)" "$vmviz" maps -f "$tmp/t.report"
sed 's/^end vmas 10 pagelines 20$/end vmas 10 pagelines 21/' "$r" >"$tmp/t.report"
status format2.end_counts_pages 6 "truncated report (its end line counts 10 VMA and 21 page lines, 10 and 20 were read)" "$vmviz" maps -f "$tmp/t.report"
sed 's/^end vmas 10 /end vmas 11 /' "$r" >"$tmp/t.report"
status format2.end_counts_vmas 6 "truncated report" "$vmviz" maps -f "$tmp/t.report"
sed '$a\
vma 00007fff8c5d7000-00007fff8c5d8000 rw-p 0000000000000000 [anon] seg mmap flags 0000000000100073 vm rd prot 0000000000000025 protflags P-U--A----N anon 0 pkey 0' "$r" >"$tmp/t.report"
status format2.nothing_after_end 6 "expected nothing after the end line" "$vmviz" maps -f "$tmp/t.report"
awk '!/^sum 00000000005e2000/' "$r" >"$tmp/t.report"
status format2.sum_missing 6 "line 63 does not follow format 2: expected a sum line for the VMA before, then this vma line" "$vmviz" maps -f "$tmp/t.report"
sed 's/^sum 00000000005e2000-00000000005e5000/sum 00000000005e2000-00000000005e6000/' "$r" >"$tmp/t.report"
status format2.sum_outside_vma 6 "expected a sum range: the part of its VMA its page lines cover" "$vmviz" maps -f "$tmp/t.report"
sed 's/ anon 1 pkey 0$/ anon 1 pkey 0 newfield 3/; 2s/$/ newfield x/; /^  /s/$/ 1/; /^sum /s/$/ more 1/' "$r" >"$tmp/t.report"
"$vmviz" maps -f "$r" >"$tmp/a" 2>&1
if "$vmviz" maps -f "$tmp/t.report" >"$tmp/b" 2>"$tmp/err" && cmp -s "$tmp/a" "$tmp/b"; then
	ok format2.fields_added_at_line_ends_ignored
else
	not_ok format2.fields_added_at_line_ends_ignored
fi
sed 's/ anon 1 pkey 0$/ anon 1/' "$r" >"$tmp/t.report"
status format2.vma_without_pkey 6 "a vma line: range, perm, offset, name, 7 pairs ending at pkey" "$vmviz" maps -f "$tmp/t.report"
sed '4s/active own/active 79c65d002b6730eb/' "$r" >"$tmp/t.report"
status format2.mm_active_hash 6 "line 4 does not follow format 2" "$vmviz" maps -f "$tmp/t.report"
sed '2s/boot 3b9f6c2e-/boot 3B9F6C2E-/' "$r" >"$tmp/t.report"
status format2.report_line_boot 6 "line 2 does not follow format 2" "$vmviz" maps -f "$tmp/t.report"
sed '2d' "$r" >"$tmp/t.report"
status format2.report_line_missing 6 "expected the report line" "$vmviz" maps -f "$tmp/t.report"
sed 's/ present  PWU--AD---N 000014404b + / weird    PWU--AD---N 000014404b + /' "$r" >"$tmp/t.report"
status format2.unknown_state 6 "line 60 does not follow format 2" "$vmviz" maps -f "$tmp/t.report"
sed 's/ 000014404b + 1 0 -$/ 000014404b * 1 0 -/' "$r" >"$tmp/t.report"
status format2.bad_step 6 "line 60 does not follow format 2: expected a step of +, - or =" "$vmviz" maps -f "$tmp/t.report"
printf 'vmviz-format 2\nreport kernel x boot 3b9f6c2e-4a1d-4c55-9e0f-1d2c3b4a5f60 time 1.000000000 boottime 1.000000000\ntask pid 1\0 tgid 1\n' >"$tmp/t.report"
status format2.nul_byte 6 "a NUL byte" "$vmviz" maps -f "$tmp/t.report"

# Escaping: a hostile comm, file name and kernel release reach no output raw.
h=$c/hostile.report hf=$c/frames-hostile.report
cp "$h" "$tmp/ev$(printf '\033')[31mil.report"
bad=""
for args in "-f $h" "maps -f $h" "maps -r -f $h" "maps -n -f $h" "pages -f $h" "pages -r -f $h" \
	    "compare -f $h -f $r" "compare -r -f $h -f $r" "compare -f $r -f $h" "svg -f $h 40527000" \
	    "maps -J -f $h" "pages -J -f $h" "-J -f $h" "compare -J -f $h -f $r" \
	    "mem -f $hf" "mem -r -f $hf" "mem -J -f $hf" "tables -f $hf" "pages -f $hf" \
	    "pages -J -f $hf" "compare -f $hf -f $fp"; do
	# shellcheck disable=SC2086
	"$vmviz" $args >"$tmp/out" 2>&1
	if LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$tmp/out" ||
	   grep -q "$(printf '\302\233\|\342\200\256')" "$tmp/out"; then
		bad="$bad [$args]"
	fi
done
"$vmviz" maps -f "$tmp/ev"*.report -o BOGUS >"$tmp/out" 2>&1
LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$tmp/out" && bad="$bad [file name in a message]"
sed '5s/^/bogus /; 3s/comm .*/comm ev\o033x/' "$h" >"$tmp/t.report"
"$vmviz" maps -f "$tmp/t.report" >"$tmp/out" 2>&1
LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$tmp/out" && bad="$bad [a bad line in a message]"
if [ -z "$bad" ]; then ok escape.no_control_byte_in_any_view; else
	echo "control bytes in:$bad" >"$tmp/err"; not_ok escape.no_control_byte_in_any_view; fi
check escape.json_keeps_the_name python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "maps", "-J", "-f", sys.argv[2]]))
assert d["report"]["comm"] == "ev\x1b[31mil\nx", d["report"]["comm"]
assert any(v["name"].startswith("/tmp/a\x1b]0;pwned\x07b\rc") for v in d["vmas"])
' "$vmviz" "$h"
golden escape.overview "$vmviz" -f "$h"
# Hostile values (ESC, <b/>, quotes, &, control bytes, C1): in names,
# escaped as the module escapes them, through every view (no raw control
# byte, JSON keeps them, the SVG parses as XML); raw in every field with a
# documented set or shape (perm, seg, layout, states, flags, counts,
# ranges...), refused with exit 6, the line and what was expected.
check escape.hostile_names_every_view ./hostile.py "$vmviz" names
check validate.every_field_refused ./hostile.py "$vmviz" fields
# VMAs overlapping or out of order, and a partial VMA shown again (allowed).
sed 's/^vma 0000000040527000-0000000040549000 /vma 00000000005eb000-0000000040549000 /' "$r" >"$tmp/t.report"
status validate.vmas_overlap 6 "line 69 does not follow format 2: expected VMAs not overlapping" "$vmviz" maps -f "$tmp/t.report"
python3 -c 'import sys; l = open(sys.argv[1]).read().split("\n"); sys.stdout.write("\n".join(l[:63] + l[68:72] + l[63:68] + l[72:]))' "$r" >"$tmp/t.report"
status validate.vmas_out_of_order 6 "line 68 does not follow format 2: expected VMAs in address order" "$vmviz" maps -f "$tmp/t.report"
"$vmviz" maps -f "$c/partial.report" >/dev/null 2>"$tmp/err" && ok validate.partial_vma_accepted || not_ok validate.partial_vma_accepted
# Sums that disagree with their page lines: 2^64 - 1 pages once read as ~16E.
sed 's/^\(sum 0000000040527000-0000000040549000 present\) [0-9]*/\1 18446744073709551615/' "$r" >"$tmp/t.report"
status validate.sum_present_huge 6 "line 72 does not follow format 2: expected present 2, what its page lines add up to (the line says 18446744073709551615)" "$vmviz" svg -f "$tmp/t.report"
# Tables: escaped once, in octal (libsmartcols would escape a \x again).
"$vmviz" maps --width 200 -f "$h" >"$tmp/out"
if grep -qF ' /tmp/a\033]0;pwned\007b\015c\342\200\256d\\e f\302\2332J' "$tmp/out" &&
   ! grep -qF '\x5c' "$tmp/out"; then
	ok escape.table_octal_once
else
	cp "$tmp/out" "$tmp/err"; not_ok escape.table_octal_once
fi

# Widths: 80 columns by default, COLUMNS and --width, a visible cut.
fits() {
	local name=$1 width=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	if [ -s "$tmp/out" ] && awk -v w="$width" 'length($0) > w { print "line " NR " is " length($0) " columns"; bad = 1 } END { exit bad }' "$tmp/out" >"$tmp/err"; then
		ok "$name"
	else
		not_ok "$name"
	fi
}
unset COLUMNS
fits width.overview_default_80 80 "$vmviz" -f "$d/parent.report"
fits width.maps_default_80 80 "$vmviz" maps -f "$d/parent.report"
fits width.pages_default_80 80 "$vmviz" pages -f "$d/parent.report"
fits width.compare_default_80 80 "$vmviz" compare -f "$d/parent.report" -f "$d/fork.report"
fits width.compare_over_time_80 80 "$vmviz" compare -f "$r" -f "$c/later.report"
COLUMNS=80 fits width.overview_columns_80 80 "$vmviz" -f "$d/parent.report"
COLUMNS=80 fits width.maps_columns_80 80 "$vmviz" maps -f "$d/parent.report"
COLUMNS=64 fits width.maps_columns_64 64 "$vmviz" maps -f "$d/parent.report"
fits width.maps_width_option 70 "$vmviz" maps --width 70 -f "$d/parent.report"
COLUMNS=64 "$vmviz" maps -f "$d/parent.report" >"$tmp/out"
if grep -q ' \.\.\.[^ ]*\.so\.6$' "$tmp/out"; then ok width.cut_is_marked; else
	cp "$tmp/out" "$tmp/err"; not_ok width.cut_is_marked; fi
"$vmviz" maps --width 300 -f "$d/parent.report" >"$tmp/out"
if grep -q ' /lib/x86_64-linux-gnu/libc.so.6$' "$tmp/out"; then ok width.wide_not_cut; else
	cp "$tmp/out" "$tmp/err"; not_ok width.wide_not_cut; fi
export COLUMNS=80

# Locale: UTF-8 names as text on a UTF-8 locale, measured by wcwidth (a CJK
# character takes two columns), escaped on others; a path of 1,200 bytes
# keeps its file name when cut.
python3 - "$c/base.report" >"$tmp/utf8.report" <<'EOF'
import sys
long = "/" + "d" * 1200 + "/libkeep.so"
for ln in open(sys.argv[1]).read().rstrip("\n").split("\n"):
    ln = ln.replace(" [heap] ", " /tmp/\u4e2d\u6587\u540d\u5b57\u76ee\u5f55/\u6587\u4ef6\u540d\u5b57\u5f88\u957f\u5f88\u957f\u5f88\u957f.so ")
    if ln.startswith("vma 0000000000400000-"):
        ln = ln.replace(" /bin/busybox ", " " + long + " ")
    print(ln)
EOF
cols_ok() {	# WIDTH FILE: no line wider than WIDTH terminal columns
	python3 - "$1" "$2" <<'EOF'
import sys, unicodedata
w = int(sys.argv[1])
for n, ln in enumerate(open(sys.argv[2], encoding="utf-8").read().split("\n"), 1):
    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in ln)
    assert cols <= w, f"line {n} is {cols} columns: {ln}"
EOF
}
bad=""
for args in "-f $tmp/utf8.report" "maps -f $tmp/utf8.report" "pages -f $tmp/utf8.report"; do
	# shellcheck disable=SC2086
	LC_ALL=C.UTF-8 "$vmviz" $args >"$tmp/out" 2>>"$tmp/err" || bad="$bad [$args: exit]"
	grep -q '很长\.so' "$tmp/out" || bad="$bad [$args: no UTF-8 text]"
	cols_ok 80 "$tmp/out" 2>>"$tmp/err" || bad="$bad [$args: wider than 80]"
	grep -q 'libkeep\.so' "$tmp/out" || bad="$bad [$args: file name cut]"
	# shellcheck disable=SC2086
	LC_ALL=C "$vmviz" $args >"$tmp/out" 2>>"$tmp/err"
	LC_ALL=C grep -q "$(printf '[\200-\377]')" "$tmp/out" && bad="$bad [$args: raw UTF-8 in the C locale]"
	grep -q '\.\.\.\(\\[0-3][0-7][0-7]\)*\\351\\225\\277\.so' "$tmp/out" || bad="$bad [$args: not escaped, or cut inside an escape, in the C locale]"
done
for args in "maps -f $tmp/utf8.report" "pages -f $tmp/utf8.report"; do
	# shellcheck disable=SC2086
	LC_ALL=C.UTF-8 "$vmviz" --width 75 $args >"$tmp/out" 2>>"$tmp/err"
	cols_ok 75 "$tmp/out" 2>>"$tmp/err" || bad="$bad [$args: wider than 75]"
done
if [ -z "$bad" ]; then ok locale.utf8_names_widths_and_escapes; else
	echo "$bad" >>"$tmp/err"; not_ok locale.utf8_names_widths_and_escapes; fi

# 60 columns (issue 20): every view of every saved report (and of the
# UTF-8 one above, in a UTF-8 locale) with --width 60 and with COLUMNS=60,
# no line wider than 60 terminal columns (wcwidth: a CJK character takes
# two); names cut keep their file name.
mkdir -p "$tmp/w60"
k=0
w60() {	# VMVIZ-ARGS...: its output, both ways, into $tmp/w60/K.{a,b}
	k=$((k + 1))
	echo "$*" >"$tmp/w60/$k.args"
	LC_ALL=C.UTF-8 "$vmviz" --width 60 "$@" >"$tmp/w60/$k.a" 2>/dev/null || rm -f "$tmp/w60/$k.a"
	COLUMNS=60 LC_ALL=C.UTF-8 "$vmviz" "$@" >"$tmp/w60/$k.b" 2>/dev/null || rm -f "$tmp/w60/$k.b"
}
for f in reports/*.report reports/demo-*/*.report reports/frames-*/*.report "$c"/*.report "$tmp/utf8.report"; do
	for v in "" --all "--seg heap" "--perm x" maps "maps --total" pages "pages --total" mem tables; do
		# shellcheck disable=SC2086
		w60 $v -f "$f"
	done
done
for p in "$d/parent.report $d/fork.report" "$d/parent.report $d/thread.report" \
	 "$c/base.report $c/later.report" "$c/base.report $c/otherboot.report" \
	 "$c/base.report reports/kthread-6.12-4.report" "$fp $fk" "$c/steps.report $c/steps-b.report" \
	 "$c/hostile.report $c/base.report" "reports/sleep-6.12-4.report reports/sleep-6.12-5.report"; do
	# shellcheck disable=SC2086
	set -- $p
	w60 compare -f "$1" -f "$2"
	w60 compare --name '*lib*' -f "$1" -f "$2"
done
w60 pages -f "$c/steps.report" 7f0000201000
for a in 7f0000000123 7f0000001000 7f0000004000 7f0000005000 7f0000007000 7f000000a000 \
	 7f0000020000 7f0000030000 7f0000041000 7f0000050000 7f0000100000 ffffffff81000000 \
	 900000000000 7ffe81e00000; do
	w60 explain -f "$c/explain.report" "$a"
done
for f in "$c/base.report" "$c/hostile.report" "$c/frames-hostile.report" "$c/tables-5.report" \
	 reports/kthread-6.12-4.report "$tmp/utf8.report"; do
	heap=$(awk '$1 == "vma" && / seg heap / { print substr($2, 1, 16); exit }' "$f")
	w60 explain -f "$f" "${heap:-1000}"
	w60 explain -f "$f" 1000
done
# The kernel half's regions in the overview (--khalf).
for kf in reports/kernel-*.txt; do
	lv=${kf#reports/kernel-6.12-}
	for v in "" --all "--seg heap"; do
		# shellcheck disable=SC2086
		w60 $v --khalf "$kf" -f "reports/sleep-6.12-${lv%%[-.]*}.report"
	done
done
check width.every_view_fits_60 python3 - "$tmp/w60" <<'EOF'
import glob, sys, unicodedata
outs = sorted(glob.glob(sys.argv[1] + "/*.[ab]"))
args = {f: " " + open(f[:-2] + ".args").read().strip() for f in outs}
assert len(outs) > 500, len(outs)
assert len({a.split(" -f")[0] for a in args.values()}) >= 10, "too few views"
bad = []
for f in outs:
    for n, ln in enumerate(open(f, encoding="utf-8").read().split("\n"), 1):
        cols = sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in ln)
        if cols > 60:
            bad.append(f"{args[f]}: line {n}, {cols} columns: {ln}")
assert not bad, "\n".join(bad[:10])
keep = [f for f in outs if args[f].split(" -f")[0] in ("", " maps", " pages") and args[f].endswith("utf8.report")]
assert len(keep) == 6 and all("libkeep.so" in open(f, encoding="utf-8").read() for f in keep), keep
EOF

# Folding: 20,000 alternating VMAs (thread stacks and guards) fit a screen.
./craft.py many 20000 "$tmp/many.report"
"$vmviz" -f "$tmp/many.report" >"$tmp/out" 2>"$tmp/err"
lines=$(wc -l <"$tmp/out")
if [ "$lines" -lt 100 ] && grep -q '| 20000 x \[anon\] rw-p/---p ' "$tmp/out"; then
	ok "fold.overview_under_100_lines ($lines)"
else
	echo "$lines lines" >>"$tmp/err"; not_ok fold.overview_under_100_lines
fi
"$vmviz" --all -f "$tmp/many.report" >"$tmp/out" 2>"$tmp/err"
if [ "$(grep -c '| \[anon\]' "$tmp/out")" = 20000 ]; then ok fold.all_shows_every_vma; else not_ok fold.all_shows_every_vma; fi
"$vmviz" svg -f "$tmp/many.report" >"$tmp/many.svg" 2>"$tmp/err"
if [ "$(grep -c '<rect x="130"' "$tmp/many.svg")" -lt 20 ]; then svg_ok fold.svg "$tmp/many.svg"; else
	not_ok fold.svg; fi
# A fold of 10 4K VMAs 1 MiB apart maps 40K (its span with the gaps is ~9M).
python3 - "$c/base.report" >"$tmp/fold.report" <<'EOF'
import re, sys
lines = open(sys.argv[1]).read().rstrip("\n").split("\n")
i = next(k for k, ln in enumerate(lines) if " [vvar] " in ln)
block = []
for j in range(10):
    s = 0x7f0000000000 + j * 0x100000
    block += [f"vma {s:016x}-{s + 0x1000:016x} rw-p 0000000000000000 [anon] seg mmap flags 0000000008100073 vm rd,wr,mr,mw,me,ac,sd prot 8000000000000025 protflags P-U--A----N anon 1 pkey 0",
              f"sum {s:016x}-{s + 0x1000:016x} present 0 dirty 0 accessed 0 writable 0 huge 0 swapped 0 nonpresent 0"]
lines = lines[:i] + block + lines[i:]
print("\n".join(re.sub(r"^end vmas [0-9]+", "end vmas 20", ln) for ln in lines))
EOF
"$vmviz" -f "$tmp/fold.report" >"$tmp/out" 2>"$tmp/err"
"$vmviz" svg -f "$tmp/fold.report" >"$tmp/fold.svg" 2>>"$tmp/err"
if grep -q '| 10 x \[anon\] *rw-p  *40K  *0B  *|$' "$tmp/out" &&
   grep -q '10 VMAs: mmap rw-p \[anon\] (40K mapped, 0B in RAM, 0B in swap; a span of ~9M with the gaps)' "$tmp/fold.svg"; then
	ok fold.mapped_bytes_not_span
else
	grep '10 x\|10 VMAs' "$tmp/out" "$tmp/fold.svg" >>"$tmp/err"; not_ok fold.mapped_bytes_not_span
fi
"$vmviz" maps -f "$tmp/many.report" -n >"$tmp/out"
[ "$(wc -l <"$tmp/out")" = 20000 ] && ok fold.maps_one_row_per_vma || not_ok fold.maps_one_row_per_vma

# SVG: rendered, its pixels are the colours the legend names.
if command -v rsvg-convert >/dev/null; then
	"$vmviz" svg -f "$c/steps.report" 7f0000800000 >"$tmp/s.svg" &&
		rsvg-convert -o "$tmp/s.png" "$tmp/s.svg"
	# A strip cell: its rect's x, y; a box: its rect's x + 5, y + 5.
	cell() { awk -v i="$1" '/^<rect x="[0-9]+" y="[0-9]+" width="8" height="8"/ { if (++n == i) { match($0, /x="[0-9]+" y="[0-9]+"/); split(substr($0, RSTART, RLENGTH), a, "\""); print a[2] + 3, a[4] + 3 } }' "$tmp/s.svg"; }
	# shellcheck disable=SC2046
	px=$(./png.py "$tmp/s.png" $(cell 1) $(cell 5) $(cell 8) $(cell 12) $(cell 16) | tr '\n' ' ')
	legend=$(grep -o 'fill="#[0-9a-f]*" stroke="#333333"/><text x="[0-9]*" y="[0-9]*">[^<]*' "$tmp/s.svg" | sed 's/fill="\(#[0-9a-f]*\)".*>/\1 /' | sort -u)
	missing=""
	for col in $(grep -o 'fill="#[0-9a-f]*"' "$tmp/s.svg" | sort -u | sed 's/fill="\(.*\)"/\1/'); do
		case $col in "#ffffff" | "#333333" | "#555555" | "#999999") continue ;; esac
		grep -q "^$col " <<<"$legend" || missing="$missing $col"
	done
	if [ "$px" = "#40b040 #4070d0 #404040 #f0a040 #eeeeee " ] && [ -z "$missing" ]; then
		ok svg.pixels_and_legend
	else
		echo "pixels: $px; colours not in the legend:$missing" >"$tmp/err"
		not_ok svg.pixels_and_legend
	fi
	"$vmviz" svg -f reports/kthread-6.12-4.report >"$tmp/k.svg"
	if grep -q 'no address space' "$tmp/k.svg"; then svg_ok svg.kthread_not_blank "$tmp/k.svg"; else
		not_ok svg.kthread_not_blank; fi
	"$vmviz" svg -f "$tmp/many.report" 7e0000001000 >"$tmp/m.svg"
	if grep -q 'one cell a 4K page, 256 pages' "$tmp/m.svg" && grep -q '(end)</text>' "$tmp/m.svg"; then
		ok svg.strip_axis
	else
		not_ok svg.strip_axis
	fi
else
	skip svg.pixels_and_legend "no rsvg-convert"
fi

# pages ADDR: the run holding it, whole, or why there is none.
golden pages.addr_own_entry "$vmviz" pages -f "$r" 0000000000431234
# ADDR's own frame: in a run of 3 descending 2M entries, and inside a 4K run.
"$vmviz" pages -f "$c/steps.report" 7f0000201000 >"$tmp/out" 2>&1
run=$(awk '$1 == "pte" && $3 > 3 && $8 == "+" { print $2, $7; exit }' reports/demo-6.12-4/parent.report)
"$vmviz" pages -r -n -o START,COUNT,PFN -f reports/demo-6.12-4/parent.report "$(printf '%x' $((0x${run%%-*} + 0x2000)))" >"$tmp/b" 2>&1
want=$(printf '%016x 1 %010x' $((0x${run%%-*} + 0x2000)) $((0x${run##* } + 2)))
if grep -q '^7f0000200000 7f0000400000     1   2M present rw-u 0000200200 \[anon\]$' "$tmp/out" &&
   grep -q '^00007f0000201000 is base page 1 of this 2M entry: frame 0000200201$' "$tmp/out" &&
   [ "$(cat "$tmp/b")" = "$want" ]; then
	ok pages.addr_own_frame
else
	{ cat "$tmp/out" "$tmp/b"; echo "wanted $want"; } >"$tmp/err"; not_ok pages.addr_own_frame
fi
status pages.addr_no_vma 1 "in no VMA: unmapped, between 00000000005ec000 and 0000000040527000" "$vmviz" pages -f "$r" 1000000
status pages.addr_no_entry 1 "in VMA 0000000040527000-0000000040549000 \[heap\], but no page-table entry" "$vmviz" pages -f "$r" 40540000
status pages.addr_kernel 1 "not a user address" "$vmviz" pages -f "$r" ffffffffffffffff
status pages.addr_unread 1 "in a part not read: the VMA changed while the report was read" "$vmviz" pages -f "$c/partial.report" 40528000
status pages.addr_kthread 1 "the task has no address space" "$vmviz" pages -f reports/kthread-6.12-4.report 1000
golden pages.range_plus_len "$vmviz" pages -f "$r" 5e0000+3000

# Sizes: exact or said to be inexact; one page is "1 page".
sed 's/^segment data   00000000005db708-00000000005e4710 size 36872B$/segment data   00000000005db708-00000000005dc710 size 4104B/' "$r" >"$tmp/t.report"
"$vmviz" -f "$tmp/t.report" >"$tmp/out"
if grep -q '^  data  0000005db708-0000005dc710   4.01K' "$tmp/out"; then ok size.4104_is_not_4K; else
	grep data "$tmp/out" >"$tmp/err"; not_ok size.4104_is_not_4K; fi
cat golden/* >"$tmp/all"
if grep -n '\b1 \(pages\|tasks\|references\|VMAs\|runs\)\b' "$tmp/all" >"$tmp/err"; then not_ok grammar.one_page; else ok grammar.one_page; fi
"$vmviz" maps -f reports/kthread-6.12-4.report >"$tmp/out" 2>&1
grep -q 'kernel thread.*no address space' "$tmp/out" && ok maps.kthread_says_why || not_ok maps.kthread_says_why

# Filters and totals: by name, segment, permission, state, range.
golden filter.maps_seg_total "$vmviz" maps -f "$r" --seg data,bss --total
golden filter.maps_name_perm "$vmviz" maps -f "$r" --name '*busybox' --perm x
golden filter.pages_state_total "$vmviz" pages -f "$c/steps.report" --state swap,guard --total
golden filter.compare_range "$vmviz" compare -rn -o +VMA -f "$r" -f "$c/later.report" --range 40527000+1000
# pages --total: entries of 2M and 4K do not add up; base pages do, labelled, uncut.
"$vmviz" pages --total -o COUNT,LEAF,BYTES,NAME -f "$c/steps.report" 7f0000000000-7f0000810000 >"$tmp/out" 2>&1
COLUMNS=60 "$vmviz" pages --total -f "$d/parent.report" >"$tmp/b" 2>&1
if [ "$(tail -n 1 "$tmp/out" | tr -s ' ')" = " 1549 4K 6.1M total (7 runs, COUNT in 4K pages)" ] &&
   tail -n 1 "$tmp/b" | grep -q ' total (61 runs, COUNT in 4K pages)$'; then
	ok filter.pages_total_in_base_pages
else
	cat "$tmp/out" "$tmp/b" >"$tmp/err"; not_ok filter.pages_total_in_base_pages
fi
json filter.maps_total.json vmas "$vmviz" maps -J --total --state swap -f "$c/steps.report"
"$vmviz" maps -r -n -o NAME --name '\[heap]' -f "$r" >"$tmp/out"
[ "$(cat "$tmp/out")" = "[heap]" ] && ok filter.name_brackets || not_ok filter.name_brackets
status filter.state_not_on_compare 2 "compare: option --state does not apply" "$vmviz" compare --state swap -f "$r" -f "$r"
status filter.bad_perm 2 "--perm takes letters of rwxsp" "$vmviz" maps --perm q -f "$r"
# Filter values outside their documented sets are refused with the valid ones.
status filter.seg_unknown 2 "--seg: unknown value 'stak'; valid values: code, data, bss, heap, mmap, stack, image, vdso, vvar, special" "$vmviz" maps --seg stak -f "$r"
status filter.state_unknown 2 "--state: unknown value 'swapped'; valid values: present, protnone, swap," "$vmviz" maps --state swapped -f "$r"
status filter.pages_state_unknown 2 "--state: unknown value 'bogus'" "$vmviz" pages --state bogus -f "$r"
status filter.seg_trailing_comma 2 "--seg: a list ends with a comma" "$vmviz" maps --seg heap, -f "$r"
status filter.perm_empty 2 "--perm takes letters of rwxsp" "$vmviz" maps --perm '' -f "$r"
# An empty result says so, in words (stderr with -r or -n).
"$vmviz" maps --seg stack --perm x -f "$r" >"$tmp/a" 2>&1
"$vmviz" pages --state swap -f "$r" >"$tmp/b" 2>&1
"$vmviz" pages -r --state swap -f "$r" >"$tmp/c" 2>"$tmp/d"
if [ "$(cat "$tmp/a")" = "no VMA matches --seg stack --perm x" ] &&
   [ "$(cat "$tmp/b")" = "no page run matches --state swap" ] && [ ! -s "$tmp/c" ] &&
   [ "$(cat "$tmp/d")" = "vmviz: no page run matches --state swap" ]; then
	ok filter.empty_result_in_words
else
	cat "$tmp/a" "$tmp/b" "$tmp/c" "$tmp/d" >"$tmp/err"; not_ok filter.empty_result_in_words
fi

# The overview and svg with a filter (issue 20): exactly the VMAs maps lists
# with it (boxes counted with --all, the SVG's by their RAM bars), the VMAs
# left out counted in the gaps' words, the SVG well-formed; none, in words.
bad=""
set -f	# --name *lib* as a word, not a file name pattern
for f in "$d/parent.report" reports/sleep-6.12-5.report "$c/steps.report" "$r"; do
	all=$("$vmviz" maps -rn -o START -f "$f" | wc -l)
	for flt in "--seg heap" "--name *lib*" "--perm x" "--perm rw" "--seg mmap,stack --perm w" \
		   "--range 7f0000000000-7fffffffffff" "--state present" "--state swap" "--seg vvar --perm w"; do
		# shellcheck disable=SC2086
		want=$("$vmviz" maps -rn -o START $flt -f "$f" | wc -l)
		# shellcheck disable=SC2086
		"$vmviz" --all $flt -f "$f" >"$tmp/o" 2>>"$tmp/err" || bad="$bad [$f $flt: overview exit]"
		# shellcheck disable=SC2086
		"$vmviz" svg --all $flt -f "$f" >"$tmp/s" 2>"$tmp/e" || bad="$bad [$f $flt: svg exit]"
		# shellcheck disable=SC2086
		"$vmviz" $flt -f "$f" >"$tmp/fo" 2>>"$tmp/err" || bad="$bad [$f $flt: folded exit]"
		boxes=$(grep -E '^  .{16} \|' "$tmp/o" | grep -cv '| kernel half\|| canonical hole')
		rects=$(grep -c 'fill="#eeeeee" stroke="#999999"' "$tmp/s")
		hid=$(sed -n 's/^ *: \([0-9]*\) VMAs\{0,1\} hidden.*/\1/p' "$tmp/o" | awk '{ s += $1 } END { print s + 0 }')
		shid=$(sed -n 's/.*>\([0-9]*\) VMAs\{0,1\} hidden.*/\1/p' "$tmp/s" | awk '{ s += $1 } END { print s + 0 }')
		words=$flt
		[ "${flt#--name }" = "$flt" ] || words="--name '${flt#--name }'"
		lo=${flt#--range } hi=${flt##*-}
		[ "$lo" = "$flt" ] || words="in $(printf '%016x-%016x' "0x${lo%-*}" "0x$hi")"
		[ "$boxes" = "$want" ] || bad="$bad [$f $flt: overview $boxes boxes, maps $want]"
		[ "$rects" = "$want" ] || bad="$bad [$f $flt: svg $rects boxes, maps $want]"
		[ $((hid + want)) = "$all" ] || bad="$bad [$f $flt: overview hides $hid of $all]"
		[ $((shid + want)) = "$all" ] || bad="$bad [$f $flt: svg hides $shid of $all]"
		grep -qxF "drawn: $want of them, those matching $words" "$tmp/fo" ||
			bad="$bad [$f $flt: no 'drawn: $want' line]"
		grep -qF "drawn: $want of $all VMA$([ "$all" = 1 ] || echo s), those matching ${words//\'/\&apos;};" "$tmp/s" ||
			bad="$bad [$f $flt: no 'drawn: $want' in the SVG]"
		if command -v xmllint >/dev/null; then
			xmllint --noout "$tmp/s" 2>>"$tmp/err" || bad="$bad [$f $flt: svg not XML]"
		fi
		if [ "$want" = 0 ]; then
			grep -qxF "no VMA matches $words" "$tmp/o" || bad="$bad [$f $flt: overview silent]"
			grep -qF ">no VMA matches ${words//\'/\&apos;}</text>" "$tmp/s" || bad="$bad [$f $flt: svg silent]"
			[ "$(cat "$tmp/e")" = "vmviz: no VMA matches $words" ] || bad="$bad [$f $flt: stderr]"
		else
			! grep -q "no VMA matches" "$tmp/o" "$tmp/s" "$tmp/e" || bad="$bad [$f $flt: says none]"
		fi
	done
done
set +f
if [ -z "$bad" ]; then ok filter.picture_draws_what_maps_lists; else
	echo "$bad" >>"$tmp/err"; not_ok filter.picture_draws_what_maps_lists; fi
golden filter.overview_seg_heap "$vmviz" --seg heap -f "$d/parent.report"
golden filter.overview_none "$vmviz" --seg stack --perm x -f "$r"
golden filter.svg_name "$vmviz" svg --name '*libc*' -f "$d/parent.report"
"$vmviz" svg --name '*lib*' --perm r -f "$d/parent.report" >"$tmp/map.svg" 2>"$tmp/err" &&
	svg_ok filter.svg_renders "$tmp/map.svg" || not_ok filter.svg_renders
# A fold stops at a VMA the filter hid: libc's five VMAs are not one box.
"$vmviz" --name '*lib*' --perm r -f "$d/parent.report" >"$tmp/out"
if grep -q '| .*libc\.so\.6 ' "$tmp/out" && ! grep -q ' x .*lib' "$tmp/out" &&
   grep -q '^drawn: 15 of them' "$tmp/out"; then
	ok filter.fold_within_drawn
else
	cp "$tmp/out" "$tmp/err"; not_ok filter.fold_within_drawn
fi
# The name as typed goes through the escaping of each sink.
"$vmviz" svg --name $'<b>&\033[2J' -f "$r" >"$tmp/map.svg" 2>"$tmp/e"
"$vmviz" --name $'<b>&\033[2J' -f "$r" >"$tmp/out" 2>>"$tmp/err"
if { ! command -v xmllint >/dev/null || xmllint --noout "$tmp/map.svg" 2>>"$tmp/err"; } &&
   ! grep -q $'\033' "$tmp/map.svg" "$tmp/out" "$tmp/e" &&
   grep -q '&lt;b&gt;&amp;' "$tmp/map.svg" && grep -q "^no VMA matches --name '<b>&" "$tmp/out"; then
	ok filter.picture_name_escaped
else
	cat "$tmp/out" "$tmp/e" >>"$tmp/err"; not_ok filter.picture_name_escaped
fi
status filter.overview_seg_unknown 2 "--seg: unknown value 'stak'; valid values: code, data," "$vmviz" --seg stak -f "$r"
status filter.svg_state_unknown 2 "--state: unknown value 'bogus'; valid values: present," "$vmviz" svg --state bogus -f "$r"
status filter.svg_bad_perm 2 "--perm takes letters of rwxsp" "$vmviz" svg --perm q -f "$r"
status filter.overview_json 2 "overview: --json has no VMAs to filter" "$vmviz" -J --seg heap -f "$r"
status filter.not_on_tables 2 "tables: option --seg does not apply" "$vmviz" tables --seg heap -f "$fp"

# Colour: only when asked, or on a terminal without NO_COLOR.
"$vmviz" --color=always -f "$r" >"$tmp/always"
"$vmviz" -f "$r" >"$tmp/auto"
if grep -q $'\033\\[' "$tmp/always"; then ok color.always; else not_ok color.always; fi
if ! grep -q $'\033' "$tmp/auto"; then ok color.not_a_tty; else not_ok color.not_a_tty; fi

# Options that do nothing for a command are refused, before any output.
status option.json_on_svg 2 "svg: option --json does not apply" "$vmviz" svg -J -f "$r"
status option.output_on_overview 2 "overview: option --output does not apply" "$vmviz" -o NAME -f "$r"
status option.raw_on_overview 2 "overview: option --raw does not apply" "$vmviz" -r -f "$r"
status option.raw_on_svg 2 "svg: option --raw does not apply" "$vmviz" svg -r -f "$r"
status option.save_on_maps 2 "maps: option --save does not apply" "$vmviz" maps --save /tmp -f "$r"
status option.color_on_maps 2 "maps: option --color does not apply" "$vmviz" maps --color=never -f "$r"
status option.bad_column_nothing_printed 2 "unknown column for compare: BOGUS" "$vmviz" compare -o BOGUS -f "$r" -f "$r"
[ ! -s "$tmp/stdout" ] && ok option.bad_column_stdout_empty || not_ok option.bad_column_stdout_empty
"$vmviz" compare -rn -f "$d/parent.report" -f "$d/fork.report" >"$tmp/out"
if ! grep -q 'verdict\|mm_struct\|^1:' "$tmp/out" && [ "$(head -c 1 "$tmp/out")" != " " ]; then
	ok option.compare_raw_no_prose
else
	not_ok option.compare_raw_no_prose
fi
status option.getopt_names_vmviz 2 "^vmviz: unrecognized option '--bogus'" "$vmviz" --bogus
status option.output_empty 2 "--output takes a list of columns, not ''" "$vmviz" maps -o '' -f "$r"
status option.output_plus_only 2 "--output takes a list of columns, not '+'" "$vmviz" maps -o + -f "$r"
status option.unknown_command 2 "^vmviz: unknown command 'bogus': type one of overview, maps, pages, compare, mem, tables, explain, svg, demo, watch, kernel, or a PID" "$vmviz" bogus
status option.color_word_apart 2 "^vmviz: overview: extra argument 'always' (--color takes WHEN after '=': --color=always)$" "$vmviz" --color always -f "$r"
"$vmviz" maps --bytes -o SIZE,RAM -n -r -f "$r" >"$tmp/out"
[ "$(head -n 1 "$tmp/out")" = "4096 4096" ] && ok option.bytes || not_ok option.bytes

# watch: its arguments (reading live needs the module: the guest's reader_test).
status watch.needs_pid 2 "watch needs a PID" "$vmviz" watch
status watch.not_self 2 "watch takes a PID, not self" "$vmviz" watch self
status watch.bad_seconds 2 "SECONDS is a number from 0.1 to 86400" "$vmviz" watch 1 0.01
status watch.file_twice 2 "watch reads one report" "$vmviz" watch -f "$r" -f "$r"
# shellcheck disable=SC2016
check watch.help_no_self sh -c '"$1" watch --help | grep -q -- "-J, --json" &&
	"$1" watch --help | grep -q -- "-f, --file REPORT" && "$1" watch --help | grep -q "not .self."' _ "$vmviz"
# watch -J: JSON lines, a line a read, from a FIFO that gets three reports;
# each line after the first has what compare -J says of the same two.
# A report is written to the FIFO once the read before has been printed
# (PATTERN counts the reads printed): two writers never meet in one read.
watch_fifo() {	# OUT PATTERN ARGS...: watch --file FIFO ARGS, fed base, later, base
	local out=$1 pattern=$2
	shift 2
	local feeder rc
	rm -f "$tmp/fifo" "$out" && mkfifo "$tmp/fifo" && : >"$out" || return 1
	(
		k=0
		for f in "$r" "$c/later.report" "$r"; do
			# Bounded: a reader that is gone leaves no writer blocked.
			# shellcheck disable=SC2016
			timeout 20 sh -c 'cat "$1" >"$2"' _ "$f" "$tmp/fifo" || exit
			k=$((k + 1))
			for ((t = 0; t < 400; t++)); do
				[ "$(grep -c "$pattern" "$out")" -ge "$k" ] && break
				sleep 0.05
			done
		done
	) &
	feeder=$!
	timeout 30 "$vmviz" watch --count 2 "$@" -f "$tmp/fifo" 0.1 >"$out" 2>>"$tmp/err"
	rc=$?
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	return $rc
}
if watch_fifo "$tmp/wj" '^{"read"' -J -o +SWAPOUT,SWAPIN && python3 - "$vmviz" "$tmp/wj" "$r" "$c/later.report" 2>>"$tmp/err" <<'PY'; then
import json, subprocess, sys
vm, out, base, later = sys.argv[1:5]
lines = open(out).read().split("\n")
assert lines[-1] == "" and len(lines) == 4, lines
d = [json.loads(l) for l in lines[:3]]
assert d[0]["read"] == 1 and d[0]["report"]["comm"] == "sleep" and len(d[0]) == 2, d[0]
for k, (a, b) in ((1, (base, later)), (2, (later, base))):
    w = d[k]
    c = json.loads(subprocess.check_output([vm, "compare", "-J", "-o", "+SWAPOUT,SWAPIN", "-f", a, "-f", b]))
    assert w["read"] == k + 1 and w["relation"] == c["relation"] == "same-mm", w
    assert w["interval"] == c["interval"] and w["total"] == c["total"], (w["total"], c["total"])
    changed = [r for r in c["compare"] if r["vma"] != "both" or any(r[x] for x in ("diverged", "only1", "only2", "swapout", "swapin"))]
    assert w["changed"] == changed and changed, (w["changed"], changed)
    assert w["vmas"] == {"mapped": 1, "unmapped": 1, "resized": 1}, w["vmas"]
PY
	ok watch.json_lines
else
	not_ok watch.json_lines
fi
if watch_fifo "$tmp/wt" '^watching\|^== read' && grep -q '^== read 3 ==$' "$tmp/wt" && grep -q '^watching pid 158 (sleep) every 0.1 s' "$tmp/wt" &&
   [ "$(grep -c '^verdict: one address space (the same process), read again 90 s' "$tmp/wt")" = 2 ]; then
	ok watch.file_text
else
	cat "$tmp/wt" >>"$tmp/err"; not_ok watch.file_text
fi
status watch.bad_count 2 "--count takes a positive number" "$vmviz" watch --count 0 1
if [ ! -e /proc/vmviz ]; then
	status watch.module_not_loaded 7 "the vmviz module is not loaded" "$vmviz" watch --count 1 1 0.1
fi

# Errors: clear messages and their exit codes (vmviz.8).
echo hello >"$tmp/junk"
status error.not_a_report 6 "not a vmviz report" "$vmviz" -f "$tmp/junk"
status error.no_file 1 "cannot open" "$vmviz" -f "$tmp/none"
status error.bad_column 2 "unknown column for maps: BOGUS" "$vmviz" maps -o START,BOGUS -f "$r"
status error.bad_pid 2 "not a PID" "$vmviz" maps 12x
status error.bad_pid_escaped 2 'not a PID: .12\\033\[2J' "$vmviz" maps "12$(printf '\033')[2J"
status error.compare_needs_two 2 "compare needs two PIDs" "$vmviz" compare -f "$r"
if [ -e /proc/vmviz ]; then
	skip error.module_not_loaded "/proc/vmviz exists on this host"
else
	status error.module_not_loaded 7 "the vmviz module is not loaded" "$vmviz" maps 1
fi

# One option table: --help, the man page and the completion agree with it.
"$vmviz" --help >"$tmp/help"
optre='/^Options:/,/^$/s/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z]*\).*/\2/p'
opts=$(sed -n "$optre" "$tmp/help" | sort -u)
maps_opts=$("$vmviz" maps --help | sed -n "$optre" | sort -u)
missing=""
for o in $opts; do
	grep -q -- "\\\\-\\\\-${o#--}" ../vmviz.8 || missing="$missing man:$o"
done
for c in $(awk '/^Columns of/ { on = 1; next } /^$/ { on = 0 } on && $1 ~ /^[A-Z][A-Z0-9]*$/ { print $1 }' "$tmp/help" | sort -u); do
	grep -q "^\\.B $c\$" ../vmviz.8 || missing="$missing man:$c"
done
for cmd in maps pages compare mem tables explain svg demo watch kernel; do
	grep -q "^\\.B $cmd\$" ../vmviz.8 || missing="$missing man:$cmd"
done
if [ -z "$missing" ] && [ -n "$opts" ]; then ok help.man_page_has_every_option_and_column; else
	echo "missing:$missing" >"$tmp/err"; not_ok help.man_page_has_every_option_and_column; fi
# The completion asks vmviz itself: run it as bash would.
complete_words() {
	PATH="$(dirname "$vmviz"):$PATH" bash -c '
		source ../vmviz.bash-completion
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_vmviz vmviz "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		[ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}"' vmviz "$@" | sort | tr '\n' ' '
}
got=$(complete_words vmviz maps --)
want=$(echo "$maps_opts" | sort | tr '\n' ' ')
[ "$got" = "$want" ] && ok completion.options_from_the_table || {
	echo "completion: $got; --help: $want" >"$tmp/err"; not_ok completion.options_from_the_table; }
got=$(complete_words vmviz --color = n)
[ "$got" = "never " ] && ok completion.color_equals || {
	echo "got '$got'" >"$tmp/err"; not_ok completion.color_equals; }
got=$(complete_words vmviz maps -o '')
if ! grep -qw '[0-9]' <<<"$got" && grep -qw NAME <<<"$got" && grep -qw RAM <<<"$got"; then
	ok completion.columns
else
	echo "got '$got'" >"$tmp/err"; not_ok completion.columns
fi
got=$(complete_words vmviz svg --j)
[ -z "$got" ] && ok completion.only_options_of_the_command || {
	echo "got '$got'" >"$tmp/err"; not_ok completion.only_options_of_the_command; }
# explain: a PID (or self), then ADDR, which nothing completes; with --file
# only ADDR.
got=$(complete_words vmviz explain '')
got2=$(complete_words vmviz explain 1 '')
got3=$(complete_words vmviz explain -f x.report '')
if grep -qw self <<<"$got" && [ -z "$got2" ] && [ -z "$got3" ]; then ok completion.explain; else
	echo "got '$got' '$got2' '$got3'" >"$tmp/err"; not_ok completion.explain; fi

# The one option table (main.c) against --help of vmviz and of every
# command, the man page's OPTIONS entries and their Commands: lines, the
# --seg/--state values, and the completion run as bash runs it (drift.py).
check help.drift_option_table ./drift.py "$vmviz" ..

# The streaming core (issue 20): generated reports (genreport.py, as the
# benchmark makes them) read through a pipe and from files; compare's merge
# of two streams against the page lines counted here, 4K by 4K.
./genreport.py --vmas 3000 --pages 30000 --seed 1 >"$tmp/g1.report" &&
./genreport.py --vmas 3000 --pages 30000 --seed 2 --mm 1111111111111111 >"$tmp/g2.report" &&
./genreport.py --vmas 300 --pages 3000 --frames >"$tmp/gf.report" || echo "Bail out! genreport.py"
check stream.pages_from_a_pipe python3 -c '
import json, subprocess, sys
vm, g = sys.argv[1:3]
text = open(g).read()
d = json.loads(subprocess.run([vm, "pages", "-J", "-f", "-"], input=text, text=True,
                              capture_output=True, check=True).stdout)
lines = [l for l in text.splitlines() if l.startswith("  ")]
assert len(d["pages"]) == len(lines), (len(d["pages"]), len(lines))
assert [int(p["start"], 16) for p in d["pages"]] == [int(l.split()[1][:16], 16) for l in lines]
m = json.loads(subprocess.check_output([vm, "maps", "-J", "--total", "-f", g]))
assert len(m["vmas"]) == text.count("\nvma ") and "total" in m, len(m["vmas"])
' "$vmviz" "$tmp/g1.report"
check stream.compare_merge_counts python3 -c '
import json, subprocess, sys
vm, g1, g2 = sys.argv[1:4]
def pages(f):
    out, vma = {}, None
    for l in open(f):
        w = l.split()
        if l.startswith("vma "):
            vma = w[2]
        elif l.startswith("  "):
            s, e = (int(x, 16) for x in w[1].split("-"))
            for k, a in enumerate(range(s, e, 4096)):
                out[a] = (w[4], int(w[6], 16) + k, vma, w[5])
    return out
a, b = pages(g1), pages(g2)
same = sum(1 for x in a if x in b and a[x][1] == b[x][1] and a[x][0] == b[x][0])
swap = sum(1 for x in a if x in b and a[x][0] != b[x][0])
div = sum(1 for x in a if x in b and a[x][0] == b[x][0] and a[x][1] != b[x][1])
d = json.loads(subprocess.check_output([vm, "compare", "-J", "-o", "+SWAPOUT,SWAPIN", "-f", g1, "-f", g2]))
t = d["total"]
assert (t["same"], t["diverged"], t["only1"], t["only2"]) == \
    (same, div, len(set(a) - set(b)), len(set(b) - set(a))), (t, same, div)
assert t["swapout"] + t["swapin"] == swap, (t, swap)
assert sum(r["same"] for r in d["compare"]) == same
' "$vmviz" "$tmp/g1.report" "$tmp/g2.report"
# Every view of a frame-detail report read once: mem sorted by a key.
check stream.mem_sorted_total python3 -c '
import json, subprocess, sys
vm, g = sys.argv[1:3]
d = json.loads(subprocess.check_output([vm, "mem", "-J", "-s", "rss", "-f", g]))
rss = [r["rss"] for r in d["vmas"]]
assert rss == sorted(rss, reverse=True) and sum(rss) == d["total"]["rss"] == d["rollup"]["rss"]
' "$vmviz" "$tmp/gf.report"

# vmviz kernel (issue 19) over /proc/vmviz/kernel as guests wrote it
# (reports/kernel-*.txt, from make reports): the view against its golden;
# each region's mapped bytes and W+X against the file's own sum lines, and
# every page line in exactly one leaf row (both copies' lines when PTI);
# every cut of the file refused (status 6); a PID refused.
for f in reports/kernel-*.txt; do
	[ -f "$f" ] || continue
	b=$(basename "$f" .txt)
	golden "$b.kernel" "$vmviz" kernel -f "$f"
	check "kernel.sums.$b" python3 -c '
import subprocess, sys
vm, path = sys.argv[1:3]
size = {"pte": 4096, "pmd": 2 << 20, "pud": 1 << 30}
regs, lines, pti, copy = [[], []], [], 0, -1
for ln in open(path):
    w = ln.split()
    if w[0] == "geometry":
        pti = int(w[4])
    elif w[0] == "pgd":
        copy += 1
    elif w[0] == "sum":
        b = int(w[3]) * 4096 + int(w[5]) * (2 << 20) + int(w[7]) * (1 << 30)
        regs[copy].append((w[1], b, int(w[9]) * 4096))
    elif ln.startswith("  "):
        lines.append((copy, w[0], w[1], w[4], w[5]))
out = subprocess.check_output([vm, "kernel", "--bytes", "-n", "-f", path], text=True)
rows = [r.split() for r in out.splitlines()]
regrows = [r for r in rows if not r[0].startswith(("pte", "pmd", "pud", "..."))]
leafrows = [r for r in rows if r[0] in size]
assert len(regrows) == len(regs[0]), (len(regrows), len(regs[0]))
for i, r in enumerate(regrows):
    name, b, wx = regs[0][i]
    assert r[0] == name and (r[4] == "skipped" or int(r[4]) == b), (r, name, b)
    if pti:
        assert r[5] == "skipped" or int(r[5]) == regs[1][i][1], (r, regs[1][i])
    uwx = regs[1][i][2] if pti else 0
    assert r[5 + pti] == ("-" if not wx + uwx else str(wx + uwx)), (r, wx, uwx)
want = {}
for c, lv, rng, fl, ef in lines:
    a, e = rng.split("-")
    want[(c, lv, a, e, fl, ef)] = want.get((c, lv, a, e, fl, ef), 0) + 1
seen = 0
for r in leafrows:
    a, e = r[4], r[5]
    e = "%016x" % ((int(e, 16) + 1) % (1 << 64)) if e != "f" * 16 else e
    copies = {"both": (0, 1), "kernel": (0,), "user": (1,)}[r[10]] if pti else (0,)
    for c in copies:
        k = (c, r[0], a, e, r[7], r[8])
        assert want.get(k), (r, k)
        want[k] -= 1
        seen += 1
assert seen == len(lines), (seen, len(lines))
' "$vmviz" "$f"
	n_lines=$(wc -l <"$f")
	bad=0
	for ((i = 1; i < n_lines; i++)); do
		head -n "$i" "$f" >"$tmp/cut.txt"
		"$vmviz" kernel -f "$tmp/cut.txt" >/dev/null 2>&1
		[ $? = 6 ] || { echo "cut at line $i: not refused with 6" >>"$tmp/err"; bad=1; }
	done
	[ $bad = 0 ] && ok "kernel.cut.$b" || not_ok "kernel.cut.$b"
done
"$vmviz" kernel 1 >/dev/null 2>&1
[ $? = 2 ] && ok kernel.takes_no_pid || not_ok kernel.takes_no_pid

# The kernel half's regions in the overview and svg: --khalf with a saved
# report (the captures above with the sleep report of the same paging: from
# another boot, which the words say), against goldens; the rows, the JSON
# and the SVG's boxes against the file's region and sum lines (the kernel's
# copy), tiling the half; the SVG rendered.
for kf in reports/kernel-*.txt; do
	[ -f "$kf" ] || continue
	b=$(basename "$kf" .txt)
	lv=${b#kernel-6.12-}
	rep=reports/sleep-6.12-${lv%%-*}.report
	golden "$b.overview" "$vmviz" --khalf "$kf" -f "$rep"
	golden "$b.svg" "$vmviz" svg --khalf "$kf" -f "$rep"
	if "$vmviz" svg --khalf "$kf" -f "$rep" >"$tmp/k.svg" 2>"$tmp/err"; then
		svg_ok "khalf.svg_renders.$b" "$tmp/k.svg"
	else
		not_ok "khalf.svg_renders.$b"
	fi
	json "$b.overview.json" segments "$vmviz" -J --khalf "$kf" -f "$rep"
	check "khalf.regions.$b" python3 - "$vmviz" "$kf" "$rep" <<'EOF'
import json, re, subprocess, sys
vm, kf, rep = sys.argv[1:4]
regs, usum, copy, end = [], [], -1, 1 << 64
for ln in open(kf):
    w = ln.split()
    if w[0] == "geometry":
        half, pti = int(w[6].split("-")[0], 16), w[4] == "1"
    elif w[0] == "pgd":
        copy += 1
    elif w[0] == "region" and copy == 0:
        s, e = (int(x, 16) for x in w[2].split("-"))
        regs.append({"name": w[1], "start": s, "last": e - 1 if e != end - 1 else e})
    elif w[0] == "sum":
        b = int(w[3]) * 4096 + int(w[5]) * (2 << 20) + int(w[7]) * (1 << 30)
        if copy == 0:
            regs[-1]["mapped"] = b
        else:
            usum.append(b)
assert regs[0]["start"] == half and regs[-1]["last"] == end - 1
assert all(a["last"] + 1 == b["start"] for a, b in zip(regs, regs[1:]))
d = json.loads(subprocess.check_output([vm, "-J", "--khalf", kf, "-f", rep]))
k = d["kernel_half"]
assert k["source"] == kf and k["live"] is False and k["pti"] is pti, k
assert k["levels"] == d["geometry"]["levels"]
assert len(k["regions"]) == len(regs), (len(k["regions"]), len(regs))
for j, r in zip(k["regions"], regs):
    assert j["name"] == r["name"] and int(j["start"], 16) == r["start"], (j, r)
    assert int(j["last"], 16) == r["last"] and j["size"] == r["last"] - r["start"] + 1, (j, r)
    assert j["mapped"] == r["mapped"] and j["unused"] == (r["name"] == "gap"), (j, r)
    assert j["skip"] is None
if pti:
    assert [j["user_mapped"] for j in k["regions"]] == usum
else:
    assert all("user_mapped" not in j for j in k["regions"])
assert sum(j["size"] for j in k["regions"]) == end - half
# The text: a row per region inside the kernel half's box, highest first.
out = subprocess.check_output([vm, "--khalf", kf, "-f", rep], text=True)
box = out.split("| kernel half (no user access)", 1)[1].split("+---", 1)[0]
rows = re.findall(r"^  ([0-9a-f]{16}) \|  (\S+) +(\S+) +(\S*) *\|$", box, re.M)
want = [(r["start"], "unused" if r["name"] == "gap" else r["name"]) for r in reversed(regs)]
assert [(int(a, 16), n) for a, n, _, _ in rows] == want, rows
assert all((m == "") == (n == "unused") for _, n, _, m in rows), rows
assert "kernel half: its regions from " + kf in " ".join(out.split())
assert "from another boot" in out
# The SVG: a box per region, the names and the unused gaps.
svg = subprocess.check_output([vm, "svg", "--khalf", kf, "-f", rep], text=True)
names = re.findall(r">kernel ([a-z_0-9-]+) \(", svg)
assert names == [r["name"] for r in reversed(regs) if r["name"] != "gap"], names
assert len(re.findall(r">unused \(", svg)) == sum(r["name"] == "gap" for r in regs)
assert ">kernel half: " in svg and "(no user access)" in svg
EOF
done
# Without --khalf, a saved report keeps the one box: no words, no rows, no
# "kernel_half" in JSON (the goldens of every report above say the same).
r4=reports/sleep-6.12-4.report
"$vmviz" -f "$r4" >"$tmp/a" 2>&1
"$vmviz" -J -f "$r4" >"$tmp/b" 2>&1
"$vmviz" svg -f "$r4" >"$tmp/c" 2>&1
if grep -q '| kernel half (no user access) ' "$tmp/a" && ! grep -q 'its regions\|^  [0-9a-f]\{16\} |' "$tmp/a" &&
   ! grep -q kernel_half "$tmp/b" && ! grep -q '>kernel half: \|>unused (' "$tmp/c"; then
	ok khalf.saved_report_alone_one_box
else
	cat "$tmp/a" >>"$tmp/err"; not_ok khalf.saved_report_alone_one_box
fi
# A region not read (skip REASON: here ldt as another process reads it)
# says so in each view.
sed '7s/$/ skip other-mm/' reports/kernel-6.12-5.txt >"$tmp/skip.txt"
r5=reports/sleep-6.12-5.report
"$vmviz" --khalf "$tmp/skip.txt" -f "$r5" >"$tmp/a" 2>&1
"$vmviz" svg --khalf "$tmp/skip.txt" -f "$r5" >"$tmp/b" 2>&1
"$vmviz" -J --khalf "$tmp/skip.txt" -f "$r5" >"$tmp/c" 2>&1
if grep -q '^  ff10000000000000 |  ldt  *256T skipped  *|$' "$tmp/a" &&
   grep -q '>kernel ldt (256T, skipped: other-mm)</text>' "$tmp/b" &&
   grep -q '{"name": "ldt", .* "skip": "other-mm"}' "$tmp/c"; then
	ok khalf.skipped_region
else
	cat "$tmp/a" >>"$tmp/err"; not_ok khalf.skipped_region
fi
# Refused: a cut or malformed file (kernel.c's validator: status 6 with the
# line), a report given for it, one of the other paging mode (status 2), a
# file that does not open (1), --khalf on a view that draws no picture (2).
head -n 12 reports/kernel-6.12-5.txt >"$tmp/cut.txt"
sed '7s/^region ldt /region <b>\o033 /' reports/kernel-6.12-5.txt >"$tmp/bad.txt"
sed '3s/ levels 5 / levels 6 /' reports/kernel-6.12-5.txt >"$tmp/geo.txt"
status khalf.cut 6 "cut.txt: no end line: the file was cut" "$vmviz" --khalf "$tmp/cut.txt" -f reports/sleep-6.12-5.report
status khalf.cut_svg 6 "cut.txt: no end line: the file was cut" "$vmviz" svg --khalf "$tmp/cut.txt" -f reports/sleep-6.12-5.report
status khalf.cut_json 6 "cut.txt: no end line: the file was cut" "$vmviz" -J --khalf "$tmp/cut.txt" -f reports/sleep-6.12-5.report
status khalf.hostile_name 6 "bad.txt: line 7: not 'region NAME START-END size SIZE \[skip REASON\]'" "$vmviz" --khalf "$tmp/bad.txt" -f reports/sleep-6.12-5.report
status khalf.bad_geometry 6 "geo.txt: line 3: not 'geometry levels 4|5" "$vmviz" svg --khalf "$tmp/geo.txt" -f reports/sleep-6.12-5.report
status khalf.a_report 6 "not a kernel-half file of format 1" "$vmviz" --khalf "$r4" -f "$r4"
status khalf.other_paging 2 "^vmviz: --khalf reports/kernel-6.12-5.txt: a kernel half of 5-level paging (from ff00000000000000), the report's is 4-level (from ffff800000000000)$" "$vmviz" --khalf reports/kernel-6.12-5.txt -f "$r4"
status khalf.no_file 1 "$tmp/none.txt: No such file" "$vmviz" svg --khalf "$tmp/none.txt" -f "$r4"
status khalf.not_on_maps 2 "maps: option --khalf does not apply" "$vmviz" maps --khalf reports/kernel-6.12-5.txt -f "$r4"
[ ! -s "$tmp/stdout" ] && ok khalf.refused_prints_nothing || not_ok khalf.refused_prints_nothing
# The file's name goes through each sink's escaping.
hk="$tmp/k<&"$'\033'"[2J.txt"
cp reports/kernel-6.12-4-pti.txt "$hk"
"$vmviz" svg --khalf "$hk" -f "$r4" >"$tmp/h.svg" 2>"$tmp/err"
"$vmviz" --khalf "$hk" -f "$r4" >"$tmp/h.txt" 2>>"$tmp/err"
"$vmviz" -J --khalf "$hk" -f "$r4" >"$tmp/h.json" 2>>"$tmp/err"
if { ! command -v xmllint >/dev/null || xmllint --noout "$tmp/h.svg" 2>>"$tmp/err"; } &&
   ! grep -q $'\033' "$tmp/h.svg" "$tmp/h.txt" "$tmp/h.json" && grep -q 'k&lt;&amp;' "$tmp/h.svg" &&
   grep -qF 'k<&\033[2J.txt' "$tmp/h.txt" &&
   python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["kernel_half"]["source"] == sys.argv[2]' "$tmp/h.json" "$hk" 2>>"$tmp/err"; then
	ok khalf.file_name_escaped
else
	cat "$tmp/h.txt" >>"$tmp/err"; not_ok khalf.file_name_escaped
fi
# Live (a PID): /proc/vmviz/kernel, as this reader's page tables hold it,
# when it opens; else the one box, silently, status 0. Here in a mount
# namespace whose /proc is a tmpfs holding a saved report as vmviz/self:
# the kernel file there, absent, refused (mode 000 to a root without
# CAP_DAC_OVERRIDE, as the module's EPERM is to a reader without
# CAP_SYS_ADMIN), and malformed (refused as with --khalf: status 6).
if unshare -rm true 2>/dev/null && command -v setpriv >/dev/null; then
	"$vmviz" -f "$r4" >"$tmp/one.txt" 2>&1
	"$vmviz" -J -f "$r4" >"$tmp/one.json" 2>&1
	# shellcheck disable=SC2016
	unshare -rm sh -c '
		vm=$1 rep=$2 kf=$3 out=$4
		mount -t tmpfs none /proc && mkdir /proc/vmviz && cp "$rep" /proc/vmviz/self || exit 9
		cp "$kf" /proc/vmviz/kernel
		"$vm" self >"$out/live.txt" 2>&1; echo $? >>"$out/live.rc"
		"$vm" svg self >"$out/live.svg" 2>&1; echo $? >>"$out/live.rc"
		"$vm" -J self >"$out/live.json" 2>&1; echo $? >>"$out/live.rc"
		chmod 000 /proc/vmviz/kernel
		run() { setpriv --bounding-set -all --inh-caps -all "$vm" "$@"; }
		run self >"$out/refused.txt" 2>&1; echo $? >>"$out/refused.rc"
		run svg self >"$out/refused.svg" 2>&1; echo $? >>"$out/refused.rc"
		run -J self >"$out/refused.json" 2>&1; echo $? >>"$out/refused.rc"
		rm /proc/vmviz/kernel
		"$vm" self >"$out/absent.txt" 2>&1; echo $? >>"$out/absent.rc"
		"$vm" svg self >"$out/absent.svg" 2>&1; echo $? >>"$out/absent.rc"
		"$vm" -J self >"$out/absent.json" 2>&1; echo $? >>"$out/absent.rc"
		head -n 12 "$kf" >/proc/vmviz/kernel
		"$vm" self >"$out/bad.txt" 2>&1; echo $? >>"$out/bad.rc"
	' _ "$vmviz" "$r4" reports/kernel-6.12-4-pti.txt "$tmp" 2>>"$tmp/err"
	bad=""
	[ "$(cat "$tmp/live.rc" 2>/dev/null | tr '\n' ' ')" = "0 0 0 " ] || bad="$bad [live status]"
	tr '\n' ' ' <"$tmp/live.txt" | tr -s ' ' | grep -qF "kernel half: its regions as this reader's page tables hold it (/proc/vmviz/kernel: alike in every process but ldt)" || bad="$bad [live words]"
	grep -q '^  ffffffffa3c00000 |  text ' "$tmp/live.txt" || bad="$bad [live rows]"
	grep -q '>kernel text (46M, ' "$tmp/live.svg" || bad="$bad [live svg]"
	python3 -c 'import json, sys; k = json.load(open(sys.argv[1]))["kernel_half"]; assert k["live"] is True and k["source"] == "/proc/vmviz/kernel"' "$tmp/live.json" 2>>"$tmp/err" || bad="$bad [live json]"
	for w in refused absent; do
		[ "$(cat "$tmp/$w.rc" 2>/dev/null | tr '\n' ' ')" = "0 0 0 " ] || bad="$bad [$w status]"
		cmp -s "$tmp/$w.txt" "$tmp/one.txt" || bad="$bad [$w: not the one box as saved]"
		# The report's source differs: /proc/vmviz/self, not the file.
		cmp -s <(grep -v '"source": ' "$tmp/$w.json") <(grep -v '"source": ' "$tmp/one.json") ||
			bad="$bad [$w: JSON not as saved]"
		grep -q '>kernel half (' "$tmp/$w.svg" && ! grep -q '>unused (' "$tmp/$w.svg" || bad="$bad [$w svg]"
	done
	[ "$(cat "$tmp/bad.rc" 2>/dev/null)" = 6 ] && grep -q '^vmviz: /proc/vmviz/kernel: no end line' "$tmp/bad.txt" || bad="$bad [malformed live file]"
	if [ -z "$bad" ]; then ok khalf.live_read_or_one_box; else
		echo "$bad" >>"$tmp/err"; not_ok khalf.live_read_or_one_box; fi
else
	skip khalf.live_read_or_one_box "no unshare -rm (user and mount namespaces) or setpriv"
fi

# The fuzzer (issue 20): seeded mutants of saved reports, parseable ones
# included, through the views of a reader built with ASan and UBSan; a
# bounded number (FUZZ_MUTANTS, 200; FUZZ_SEED, 1): 0 findings wanted.
# shellcheck disable=SC2046
if cc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-D_GNU_SOURCE $(pkg-config --cflags smartcols) -o "$tmp/vmviz-asan" ../*.c \
	$(pkg-config --libs smartcols) -pthread >"$tmp/err" 2>&1; then
	check fuzz.asan_ubsan ./fuzz.py "$tmp/vmviz-asan" "${FUZZ_MUTANTS:-200}" "${FUZZ_SEED:-1}"
else
	skip fuzz.asan_ubsan "the compiler cannot build with -fsanitize=address,undefined"
fi

echo "1..$n"
echo "# host reader tests: $pass passed, $fail failed, $skip skipped"
[ -n "${COUNTS:-}" ] && echo "$pass $fail $skip" >"$COUNTS"
[ "$fail" = 0 ]
