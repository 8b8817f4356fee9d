#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side tests of the reader: every view of the saved reports in
# reports/ (captured in the rig's guests) against the golden outputs in
# golden/, JSON through a real parser, SVG through a real renderer, and the
# error exits. TAP on stdout; COUNTS=FILE gets "passed failed skipped".
# UPDATE=1 rewrites the golden files instead of comparing.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vmviz=${VMVIZ:-$here/../vmviz}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1 COLUMNS=200 LC_ALL=C
n=0 pass=0 fail=0 skip=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n host.$1"; }
not_ok() {
	n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n host.$1"
	[ -f "$tmp/err" ] && sed 's/^/# /' "$tmp/err" | head -n 20
}
skip() { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n host.$1 # SKIP $2"; }

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
# not empty unless KEY ends in '?'.
json() {
	local name=$1 key=$2
	shift 2
	if "$@" >"$tmp/json" 2>"$tmp/err" &&
	   python3 -c 'import json, sys; k = sys.argv[2]; d = json.load(open(sys.argv[1])); l = d[k.rstrip("?")]; assert isinstance(l, list) and (l or k.endswith("?")), "empty"' \
		"$tmp/json" "$key" 2>"$tmp/err"; then
		ok "$name"
	else
		not_ok "$name"
	fi
}

# status NAME WANT PATTERN CMD...: exit status WANT, stderr matching PATTERN.
status() {
	local name=$1 want=$2 pattern=$3 rc=0
	shift 3
	"$@" >/dev/null 2>"$tmp/err" || rc=$?
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

for r in reports/*.report reports/demo-*/parent.report; do
	b=${r#reports/}
	b=${b%.report}
	b=${b//\//-}
	golden "$b.overview" "$vmviz" --file "$r"
	golden "$b.maps" "$vmviz" maps --file "$r"
	golden "$b.maps.all" "$vmviz" maps -r -o START,END,SIZE,PERM,OFFSET,SEG,PRESENT,DIRTY,ACCESSED,WRITABLE,HUGE,SWAPPED,NONPRESENT,ANON,PKEY,FLAGS,VMFLAGS,PROT,PROTFLAGS,RUNS,NAME --file "$r"
	golden "$b.pages" "$vmviz" pages --file "$r"
	nonempty=?
	grep -q '^vma ' "$r" && nonempty=
	json "$b.maps.json" "vmas$nonempty" "$vmviz" maps -J -o +FLAGS,ANON,PKEY --file "$r"
	if grep -q '^vma ' "$r"; then
		json "$b.pages.json" pages "$vmviz" pages -J --file "$r"
	fi
	# The picture as SVG, rendered to PNG by a real renderer.
	strip=$(awk '$1 == "vma" && / seg heap / { split($2, a, "-"); print a[1]; exit }' "$r")
	if ! command -v rsvg-convert >/dev/null; then
		skip "$b.svg" "no rsvg-convert (apt-get install librsvg2-bin)"
	elif "$vmviz" svg --file "$r" $strip >"$tmp/map.svg" 2>"$tmp/err" &&
	     rsvg-convert -o "$tmp/map.png" "$tmp/map.svg" 2>"$tmp/err" &&
	     [ "$(head -c 8 "$tmp/map.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	     [ "$(stat -c %s "$tmp/map.png")" -gt 1000 ]; then
		ok "$b.svg"
	else
		not_ok "$b.svg"
	fi
done

# Page-table views of one address and of a range: runs cut to fit.
d=reports/demo-6.12-4
if [ -d "$d" ]; then
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
	   [ "$(grep -c '^verdict: one address space (thread, vfork or CLONE_VM child)$' "$tmp/thread")" = 1 ]; then
		ok demo.verdicts
	else
		not_ok demo.verdicts
	fi
	# The JSON total row carries the verdict.
	if "$vmviz" compare -J -f "$d/parent.report" -f "$d/vfork.report" |
	   python3 -c 'import json, sys; t = json.load(sys.stdin)["compare"][-1]; assert t["name"] == "total" and t["samemm"] is True and t["verdict"].startswith("one address space"), t' 2>"$tmp/err"; then
		ok demo.compare.json_total
	else
		not_ok demo.compare.json_total
	fi
fi

# Colour: only when asked, or on a terminal without NO_COLOR.
r=reports/self-6.12-4.report
"$vmviz" --color=always -f "$r" >"$tmp/always"
"$vmviz" -f "$r" >"$tmp/auto"
if grep -q $'\033\\[' "$tmp/always"; then ok color.always; else not_ok color.always; fi
if ! grep -q $'\033' "$tmp/auto"; then ok color.not_a_tty; else not_ok color.not_a_tty; fi

# Errors: clear messages and their exit codes (vmviz.8).
sed '1s/.*/vmviz-format 2/' "$r" >"$tmp/v2.report"
status error.unknown_version 6 "format version 2 is not known" "$vmviz" maps -f "$tmp/v2.report"
sed '5s/^/bogus /' "$r" >"$tmp/bad.report"
status error.malformed_line 6 "line 5 does not follow format 1" "$vmviz" maps -f "$tmp/bad.report"
head -c -1 "$r" >"$tmp/trunc.report"
status error.truncated 6 "not terminated" "$vmviz" maps -f "$tmp/trunc.report"
echo hello >"$tmp/junk"
status error.not_a_report 6 "not a vmviz report" "$vmviz" -f "$tmp/junk"
status error.no_file 1 "cannot open" "$vmviz" -f "$tmp/none"
status error.bad_column 1 "unknown column for maps: BOGUS" "$vmviz" maps -o START,BOGUS -f "$r"
status error.bad_pid 1 "not a PID" "$vmviz" maps 12x
status error.compare_needs_two 1 "compare needs two PIDs" "$vmviz" compare -f "$r"
if [ -e /proc/vmviz ]; then
	skip error.module_not_loaded "/proc/vmviz exists on this host"
else
	status error.module_not_loaded 2 "the vmviz module is not loaded" "$vmviz" maps 1
fi

# --help, the man page and the completion name the same columns and commands.
"$vmviz" --help >"$tmp/help"
missing=""
for c in $(awk '/^Columns of/ { on = 1; next } on && NF > 1 && $1 ~ /^[A-Z0-9]+$/ { print $1 }' "$tmp/help" | sort -u); do
	grep -q "^\\.B $c\$\|^\\.BR $c \|\\\\fB$c\\\\fR" ../vmviz.8 || missing="$missing $c"
done
if [ -z "$missing" ] && [ "$(grep -c '^ ' "$tmp/help")" -gt 40 ]; then
	ok help.columns_in_man_page
else
	echo "columns in --help but not in vmviz.8:$missing" >"$tmp/err"
	not_ok help.columns_in_man_page
fi
rm -f "$tmp/err"
missing=""
for w in maps pages compare svg demo --file --output --json --raw --noheadings --color --save; do
	grep -q -- "$w" ../vmviz.bash-completion && grep -q -- "$w" "$tmp/help" &&
		grep -q -- "${w#--}" ../vmviz.8 || missing="$missing $w"
done
if [ -z "$missing" ]; then ok help.completion_and_man_agree; else
	echo "missing:$missing" >"$tmp/err"; not_ok help.completion_and_man_agree; fi

echo "1..$n"
echo "# host reader tests: $pass passed, $fail failed, $skip skipped"
[ -n "${COUNTS:-}" ] && echo "$pass $fail $skip" >"$COUNTS"
[ "$fail" = 0 ]
