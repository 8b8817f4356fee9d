#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tabulate the reliability figures the guests printed ("# vmviz-figures"
# TAP comments) in the last make check / make check-debug runs, one row per
# kernel and paging mode, as a Markdown table. Usage: figures.sh [RUNDIR...]
set -uo pipefail
. "$(dirname "$0")/common.sh"

dirs=("$@")
[ ${#dirs[@]} = 0 ] && dirs=("$BUILD"/runs/*-[45])

# val FILE KIND KEY: the value of KEY on the KIND figures line.
val() {
	grep -m1 "^# vmviz-figures $2 " "$1" 2>/dev/null | tr -d '\r' |
		tr ' ' '\n' | awk -F= -v k="$3" '$1 == k { print $2 }'
}

echo "| run | soak s | reads | MB read | parse fail | kernel addr | mutations | forks | thread exits | short-lived targets | killed mid-read | exits during read | untrack under reader | errors | unloads under load | held files EIO | fuzz inputs | odd reads | kmemleak (vmviz) | passed/failed | splats |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for d in "${dirs[@]}"; do
	t=$d/tap.log c=$d/console.log
	[ -f "$t" ] || continue
	k=$(sed -n 's/^# vmviz-rig kernel=\([^ ]*\).*/\1/p' "$t" | head -n 1)
	p=${d##*-}
	read -r pass fail _ <"$d/counts" 2>/dev/null || { pass=?; fail=?; }
	bytes=$(val "$t" soak bytes)
	mb=$([ -n "$bytes" ] && awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
	leak=$(val "$t" kmemleak vmviz)
	# run.sh's judged splat lines (emulated-UART noise set aside).
	if [ -f "$d/splats" ]; then
		splats=$(wc -l <"$d/splats")
	else
		splats=$(grep -cE 'WARNING:|BUG:|Oops|KASAN|UBSAN:|circular locking|suspicious RCU|sleeping function|unreferenced object|Call Trace:|soft lockup|hung_task' "$c" 2>/dev/null)
	fi
	echo "| $k $p-level | $(val "$t" soak secs) | $(val "$t" soak reads) | $mb |" \
	     "$(val "$t" soak parse_fail) | $(val "$t" soak kaddr_lines) |" \
	     "$(val "$t" soak mutations) | $(val "$t" soak forks) | $(val "$t" soak thread_exits) |" \
	     "$(val "$t" soak short_targets) | $(val "$t" soak killed_mid_read) | $(val "$t" soak exits_during_read) |" \
	     "$(val "$t" soak track_churn) | $(val "$t" soak errors) |" \
	     "$(val "$t" unload unloads) | $(val "$t" unload held_eio)/$(val "$t" unload held_files) |" \
	     "$(val "$t" fuzz inputs) | $(val "$t" oddreads reads) | ${leak:-n/a} | $pass/$fail | ${splats:-0} |"
done
