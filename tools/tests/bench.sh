#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reader's benchmark (make -C tools bench): every view over a generated
# report of 200,000 VMAs and 2,000,000 page lines (genreport.py; its frame
# detail for mem and tables, a second mm of it for compare, its frame detail
# with tables for explain and the upper lines' parse), with the peak
# RSS (/usr/bin/time -v) and the wall time of each, and the parse rate in
# MB/s. Prints the figures against the targets of issue 20 (RSS under 64 MB
# for pages, maps, mem, tables, explain and their JSON; under 256 MB for overview,
# svg and compare; pages under 10 s). Figures, not a test: it exits 0
# whatever they are, unless a view fails.
#   VMAS=N PAGES=M tools/tests/bench.sh     a smaller or larger report
#   BENCH_DIR=DIR                           keep the reports there
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vmviz=${VMVIZ:-$here/../vmviz}
vmas=${VMAS:-200000}
pages=${PAGES:-2000000}
dir=${BENCH_DIR:-$(mktemp -d)}
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir"
[ -x /usr/bin/time ] || { echo "bench.sh: needs /usr/bin/time (GNU time)"; exit 1; }
[ -x "$vmviz" ] || { echo "bench.sh: no $vmviz: make -C tools"; exit 1; }
export NO_COLOR=1 COLUMNS=120 LC_ALL=C.UTF-8

a=$dir/a.report b=$dir/b.report f=$dir/frames.report t=$dir/tables.report
for r in "$a:--seed 1" "$b:--seed 2 --mm 1111111111111111" "$f:--frames --seed 1" \
	 "$t:--tables --seed 1"; do
	out=${r%%:*}
	[ -s "$out" ] && continue
	# shellcheck disable=SC2086
	"$here/genreport.py" --vmas "$vmas" --pages "$pages" ${r#*:} >"$out" || exit 1
done
size=$(stat -c %s "$a")
printf 'report: %d VMAs, %d page lines, %d bytes (%.1f MB); frame detail %.1f MB\n' \
	"$vmas" "$pages" "$size" "$(echo "$size / 1000000" | bc -l)" \
	"$(echo "$(stat -c %s "$f") / 1000000" | bc -l)"
printf '# wall time is shared with whatever else runs; CPU is user + sys\n'
printf '%-22s %8s %8s %7s %8s %8s\n' VIEW RSS_MB WALL_S CPU_S CPU_MB/S TARGET
failed=0
# run NAME LIMIT_MB INPUT_BYTES VMVIZ-ARGS...
run() {
	local name=$1 limit=$2 bytes=$3 rss wall cpu rc=0
	shift 3
	/usr/bin/time -v -o "$dir/time" "$vmviz" "$@" >/dev/null 2>"$dir/err" || rc=$?
	if [ "$rc" != 0 ]; then
		echo "$name: exit $rc: $(head -c 300 "$dir/err")"
		failed=1
		return
	fi
	rss=$(awk '/Maximum resident set size/ { print $6 }' "$dir/time")
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$dir/time" |
	       awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$dir/time")
	printf '%-22s %8.1f %8.2f %7.2f %8.0f %8s %s\n' "$name" "$(echo "$rss / 1024" | bc -l)" \
		"$wall" "$cpu" "$(echo "$bytes / 1000000 / ($cpu + 0.001)" | bc -l)" "<${limit}MB" \
		"$([ "$((rss / 1024))" -lt "$limit" ] && echo ok || echo OVER)"
}
fs=$(stat -c %s "$f")
run pages 64 "$size" pages -f "$a"
run "pages -J" 64 "$size" pages -J -f "$a"
run "pages -r" 64 "$size" pages -r -f "$a"
run "pages --total" 64 "$size" pages --total -f "$a"
run maps 64 "$size" maps -f "$a"
run "maps -J" 64 "$size" maps -J -f "$a"
run mem 64 "$fs" mem -f "$f"
run "mem -J" 64 "$fs" mem -J -f "$f"
run "mem --sort pss" 64 "$fs" mem --sort pss -f "$f"
run tables 64 "$fs" tables -f "$f"
run "tables -J" 64 "$fs" tables -J -f "$f"
ts=$(stat -c %s "$t")
run "pages (tables)" 64 "$ts" pages -o START,EFF -f "$t"
run explain 64 "$ts" explain -f "$t" 100001000
run "explain -J" 64 "$ts" explain -J -f "$t" 100001000
run overview 256 "$size" -f "$a"
run "overview --all" 256 "$size" --all -f "$a"
run "overview -J" 256 "$size" -J -f "$a"
run svg 256 "$size" svg -f "$a"
run compare 256 "$((2 * size))" compare -f "$a" -f "$b"
run "compare -J" 256 "$((2 * size))" compare -J -f "$a" -f "$b"
exit $failed
