#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: boot each kernel with vmviz_rig=bench, run selftests/bench's
# vmviz_bench in the guest, and turn its output into tables and a graph.
# KERNELS= (default: 6.1 6.12 7.2) and PAGING= (default: 4) pick the runs;
# BENCH_ARGS= is passed to vmviz_bench (e.g. "-v zero -a 12 -b 16"),
# BENCH_TAG= names the files written into docs/bench.
# Not part of make check: timing is never a pass/fail test.
set -uo pipefail
. "$(dirname "$0")/common.sh"

# Not $ALL_KERNELS: 5.10 has no frame detail and 6.12-rt no THP.
kernels=${KERNELS:-6.1 6.12 7.2}
pagings=${PAGING:-4}
mem=${VMVIZ_BENCH_MEM:-6144}
timeout_s=${VMVIZ_BENCH_TIMEOUT:-5400}
args=${BENCH_ARGS:--r 3 -t 1 -P 40}
# BENCH_TAG=NAME keeps the files written into docs/bench apart from others.
tag=${BENCH_TAG:+-$BENCH_TAG}
# BENCH_BOOTS=3: issue 21's rule, "no N above 1.5x its target in two boots
# out of three": the points above 1.5x a target in the first boot run again
# in a second, those above in one of the two in a third (summarize.py
# --rerun decides, --boots gives the verdicts); results-...-bootN.txt.
boots=${BENCH_BOOTS:-1}
out_top=$BUILD/bench$tag
docs=$TOP/docs/bench

# BENCH_TABLES=RESULTS only prints the tables of a results file again.
if [ -z "${BENCH_TABLES:-}" ]; then
"$RIG_DIR/setup.sh" $kernels || exit 1
make -s -C "$TOP/selftests/bench" || die "building vmviz_bench failed"
# The reader goes into the initramfs (mkinitramfs.sh) when built: the PFN
# patterns of a real dynamically linked process are measured on it.
make -s -C "$TOP/tools" || die "building the reader failed"
mkdir -p "$out_top" "$docs"

# A second archive with the benchmark, appended to the rig's initramfs: the
# kernel unpacks concatenated archives in order.
# extra_archive ARGS FORK_ARGS OUT
extra_archive() {
	local extra=$out_top/extra
	rm -rf "$extra"
	mkdir -p "$extra/tests"
	cp "$TOP/selftests/bench/vmviz_bench" "$TOP/selftests/bench/vmviz_forkbench" "$extra/tests/"
	echo "$1" >"$extra/tests/bench.args"
	# FORK_ARGS: the fork loop's (vmviz_forkbench); FORK_ARGS=off skips
	# it, BENCH_ARGS=off the page-table benchmark.
	[ "$1" = off ] && : >"$extra/tests/bench.args"
	[ "$2" = off ] || echo "$2" >"$extra/tests/forkbench.args"
	(cd "$extra" && find . | cpio -o -H newc --quiet) | gzip -1 >"$3"
}
fork_args=${FORK_ARGS:--n 20000 -r 3 -B 1000,10000,50000 -b 2000}
extra_archive "$args" "$fork_args" "$out_top/extra.cpio.gz"
fi

# The awk functions of the tables below: kv(LINE, A) splits a result line's
# key=value fields into A, ms(X) prints milliseconds, n/a where X < 0.
awk_lib='
	function kv(line, a,   i, n, f, p) {
		delete a
		n = split(line, f, " ")
		for (i = 2; i <= n; i++) {
			p = index(f[i], "=")
			if (p) a[substr(f[i], 1, p - 1)] = substr(f[i], p + 1)
		}
	}
	function ms(x) { return x < 0 ? "n/a" : sprintf("%.1f", x) }
'

# One table per run, from the "bench", "benchmem" and "benchstall" lines.
table() {	# table RESULTS
	awk "$awk_lib"'
	$1 == "bench" { kv($0, a); k = a["variant"] " " a["n"]; order[++nk] = k
		fr = "frames_ms" in a && a["frames_ms"] >= 0
		row[k] = sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
			a["variant"], a["n"], ms(a["vmviz_ms"]), ms(a["pagemap_ms"]),
			ms(a["smaps_ms"]),
			a["vmviz_per_pagemap"] < 0 ? "n/a" : sprintf("%.2f", a["vmviz_per_pagemap"]),
			sprintf("%.2f", a["vmviz_per_smaps"]),
			fr ? sprintf("%.2f", a["frames_per_smaps"]) : "n/a",
			fr ? sprintf("%.2f", a["frames_per_rollup"]) : "n/a",
			a["vmviz_bytes_per_page"],
			fr ? a["frames_bytes_per_page"] : "n/a",
			fr && a["vmviz_bytes"] > 0 ? sprintf("%.2f", a["frames_bytes"] / a["vmviz_bytes"]) : "n/a",
			a["pagemap_ms"] < 0 ? "n/a" : sprintf("%.2f", a["pagemap_bytes"] / a["n"])) }
	$1 == "benchmem" { kv($0, a); k = a["variant"] " " a["n"]
		mem[k] = sprintf(" %s / %s | %s / %s |", a["vmviz_slab_b"], a["vmviz_free_b"],
			a["smaps_slab_b"], a["smaps_free_b"]) }
	$1 == "benchstall" { kv($0, a); k = a["variant"] " " a["n"]
		stall[k] = sprintf(" %s | %s | %s |", a["idle_max_us"], a["vmviz_max_us"],
			a["smaps_max_us"]) }
	END {
		print "| variant | N pages | vmviz ms | pagemap ms | smaps ms | vmviz/pagemap | vmviz/smaps | frames/smaps | frames/rollup | vmviz B/page | frames B/page | frames B / vmviz B | pagemap B/page | reader kernel B (slab / MemFree) vmviz | smaps | mmap stall max µs idle | under vmviz | under smaps |"
		print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
		for (i = 1; i <= nk; i++) print row[order[i]] mem[order[i]] stall[order[i]]
	}' "$1"
}

# The mmap lock holds of one read each ("benchhold" lines) and the PFN
# patterns ("benchpfn" lines), as two more tables.
holds_table() {	# holds_table RESULTS
	awk "$awk_lib"'
	$1 == "benchhold" { kv($0, a); k = a["variant"] " " a["n"]
		if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
		c[k, a["reader"]] = a["target_mm"] == 1 ? sprintf(" %s | %s | %s |", a["holds"], a["max_us"], a["p99_us"]) : " ? | ? | ? |" }
	END {
		print "| variant | N pages | vmviz holds | longest µs | p99 µs | smaps holds | longest µs | p99 µs | pagemap holds | longest µs | p99 µs |"
		print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
		for (i = 1; i <= nk; i++) {
			k = order[i]; split(k, f, " ")
			printf "| %s | %s |%s%s%s\n", f[1], f[2], c[k, "vmviz"],
				(k SUBSEP "smaps") in c ? c[k, "smaps"] : " - | - | - |",
				(k SUBSEP "pagemap") in c ? c[k, "pagemap"] : " - | - | - |"
		}
	}' "$1"
}

# The frame detail (/proc/vmviz/frames/PID) beside smaps and smaps_rollup,
# and the default report beside pagemap, from the same "bench" lines.
frames_table() {	# frames_table RESULTS
	awk "$awk_lib"'
	function r2(x) { return x == "" || x < 0 ? "n/a" : sprintf("%.2f", x) }
	BEGIN {
		print "| variant | N pages | frames ms | smaps ms | smaps_rollup ms | vmviz ms | frames/smaps | frames/rollup | smaps/rollup | frames/vmviz | vmviz/pagemap | frames B/page |"
		print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	}
	$1 == "bench" { kv($0, a)
		if (!("frames_ms" in a)) next
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			a["variant"], a["n"], ms(a["frames_ms"]), ms(a["smaps_ms"]),
			ms(a["rollup_ms"]), ms(a["vmviz_ms"]), r2(a["frames_per_smaps"]),
			r2(a["frames_per_rollup"]), r2(a["smaps_per_rollup"]),
			r2(a["frames_per_vmviz"]), r2(a["vmviz_per_pagemap"]),
			a["frames_ms"] < 0 ? "n/a" : a["frames_bytes_per_page"] }' "$1"
}

# Targets of many one-page VMAs ("benchvmas" lines): the report against
# maps, smaps and smaps_rollup, and the target's longest mmap+munmap while
# nothing reads it and while each file is read, same boot.
vmas_table() {	# vmas_table RESULTS
	awk "$awk_lib"'
	function r2(x) { return x == "" || x < 0 ? "n/a" : sprintf("%.2f", x) }
	function us(x) { return x == "" ? "-" : sprintf("%.1f", x / 1000) }
	BEGIN { n = 0 }
	$1 == "benchvmas" { kv($0, a)
		if (!n++) {
			print "| VMAs | maps lines | vmviz ms | maps ms | smaps ms | smaps_rollup ms | vmviz/smaps | vmviz/maps | mmap+munmap stall ms: idle | under vmviz | under maps | under smaps |"
			print "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
		}
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			a["vmas"], a["maps_lines"], ms(a["vmviz_ms"]), ms(a["maps_ms"]),
			ms(a["smaps_ms"]), ms(a["rollup_ms"]), r2(a["vmviz_per_smaps"]),
			r2(a["vmviz_per_maps"]), us(a["idle_max_us"]), us(a["vmviz_max_us"]),
			us(a["maps_max_us"]), us(a["smaps_max_us"]) }' "$1"
}

# The fork loop per mode ("benchfork") and with parked processes around
# ("benchforkbg"): machine CPU time against the module unloaded, same boot.
fork_table() {	# fork_table RESULTS
	awk "$awk_lib"'
	BEGIN {
		print "| what | forks | wall s | machine CPU s | wall / unloaded | machine CPU / unloaded | the loop'"'"'s own CPU s | module upkeep ms | upkeep / own CPU | upkeep µs per event | full scans |"
		print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	}
	$1 == "benchfork" { kv($0, a)
		printf "| %s, %s rounds | %s | %s | %s | %s | %s | %s | %s | %s | | |\n", a["mode"],
			a["rounds"], a["n"] * a["rounds"], a["wall_s"], a["cpu_s"],
			a["wall_ratio"], a["cpu_ratio"], a["own_cpu_s"],
			a["mode"] == "default" ? sprintf("%.1f", a["upkeep_s"] * 1000) : "-",
			a["mode"] == "default" ? sprintf("%.3f%%", a["upkeep_per_own_cpu"] * 100) : "-" }
	$1 == "benchforkrun" && / procs=/ { kv($0, a)
		if (a["mode"] != "default") next
		printf "| default mode, %s files | %s | %s | %s | | | %s | %s | %.3f%% | %s | %s |\n",
			a["files"], a["n"], a["wall_s"], a["cpu_s"], a["own_cpu_s"], a["upkeep_ms"],
			a["upkeep_per_own_cpu"] * 100, a["upkeep_per_event_us"], a["scans"] }
	$1 == "benchforkbg" { kv($0, a)
		printf "| the same against unloaded, %s processes parked | %s | | %s vs %s | %s | %s | | | | | |\n",
			a["procs"], a["n"], a["cpu_default_s"], a["cpu_unloaded_s"],
			a["wall_ratio"], a["cpu_ratio"] }' "$1"
}

pfn_table() {	# pfn_table RESULTS
	awk "$awk_lib"'
	$1 == "benchpfn" { kv($0, a)
		printf "| %s | %s | %s | %s | %s | %s | %s / %s / %s / %s / %s | %s / %s / %s / %s / %s |\n",
			a["variant"], a["n"], a["pages4k"], a["pfnruns"], a["ptelines"],
			(a["pfnruns"] > 0 ? sprintf("%.2f", a["ptelines"] / a["pfnruns"]) : "n/a"),
			a["pair_asc"], a["pair_desc"], a["pair_rep"], a["pair_inter"], a["pair_other"],
			a["break_asc"], a["break_desc"], a["break_rep"], a["break_inter"], a["break_other"] }
	BEGIN {
		print "| variant | N pages | present 4K PTEs | +1/-1/= runs in pagemap | present pte lines | lines / runs | neighbour pairs asc / desc / rep / inter / other | run breaks asc / desc / rep / inter / other |"
		print "|---|--:|--:|--:|--:|--:|--:|--:|"
	}' "$1"
}

# The growth curve: time against N, log-log, one panel per variant, drawn
# straight into SVG so it needs nothing but awk.
graph() {	# graph RESULTS TITLE
	awk -v title="$2" '
	function lx(n) { return log(n) / log(2) }
	function ly(t) { return log(t) / log(10) }
	$1 == "bench" {
		for (i = 2; i <= NF; i++) { p = index($i, "="); a[substr($i, 1, p - 1)] = substr($i, p + 1) }
		v = a["variant"]
		if (!(v in seen)) { seen[v] = 1; vs[++nv] = v }
		k = ++np[v]; N[v, k] = a["n"]
		T[v, k, 1] = a["vmviz_ms"]; T[v, k, 2] = a["pagemap_ms"]; T[v, k, 3] = a["smaps_ms"]
		for (r = 1; r <= 3; r++) if (T[v, k, r] > 0) {
			if (!have || ly(T[v, k, r]) < ymin) ymin = ly(T[v, k, r])
			if (!have || ly(T[v, k, r]) > ymax) ymax = ly(T[v, k, r])
			have = 1
		}
	}
	END {
		ymin = int(ymin) - (ymin < 0 ? 1 : 0); ymax = int(ymax) + 1
		cols = 3; pw = 330; ph = 250; rows = int((nv + cols - 1) / cols)
		W = cols * pw + 20; H = rows * ph + 70
		split("#d62728 #1f77b4 #2ca02c", colr, " "); split("vmviz pagemap smaps", name, " ")
		printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H
		printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		printf "<text x=\"10\" y=\"20\" font-size=\"14\">%s</text>\n", title
		for (r = 1; r <= 3; r++)
			printf "<rect x=\"%d\" y=\"30\" width=\"12\" height=\"4\" fill=\"%s\"/><text x=\"%d\" y=\"36\">%s</text>\n", 10 + (r - 1) * 90, colr[r], 26 + (r - 1) * 90, name[r]
		for (j = 1; j <= nv; j++) {
			v = vs[j]; ox = 10 + ((j - 1) % cols) * pw; oy = 50 + int((j - 1) / cols) * ph
			x0 = ox + 50; x1 = ox + pw - 15; y0 = oy + ph - 40; y1 = oy + 20
			printf "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n", x0, oy + 12, v
			printf "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n", x0, y1, x1 - x0, y0 - y1
			for (e = 12; e <= 22; e += 2) {
				x = x0 + (e - 12) / 10 * (x1 - x0)
				printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">2^%d</text>\n", x, y1, x, y0, x, y0 + 14, e
			}
			for (e = ymin; e <= ymax; e++) {
				y = y0 - (e - ymin) / (ymax - ymin) * (y0 - y1)
				printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g ms</text>\n", x0, y, x1, y, x0 - 3, y + 4, 10 ^ e
			}
			printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">N mapped pages</text>\n", (x0 + x1) / 2, y0 + 28
			for (r = 1; r <= 3; r++) {
				pts = ""
				for (k = 1; k <= np[v]; k++) if (T[v, k, r] > 0) {
					x = x0 + (lx(N[v, k]) - 12) / 10 * (x1 - x0)
					y = y0 - (ly(T[v, k, r]) - ymin) / (ymax - ymin) * (y0 - y1)
					pts = pts sprintf("%.1f,%.1f ", x, y)
					printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n", x, y, colr[r]
				}
				if (pts != "") printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", pts, colr[r]
			}
		}
		print "</svg>"
	}' "$1"
}

if [ -n "${BENCH_TABLES:-}" ]; then
	table "$BENCH_TABLES"
	echo
	holds_table "$BENCH_TABLES"
	echo
	pfn_table "$BENCH_TABLES"
	echo
	frames_table "$BENCH_TABLES"
	echo
	vmas_table "$BENCH_TABLES"
	echo
	fork_table "$BENCH_TABLES"
	exit 0
fi

# run_boot KERNEL PAGING OUT EXTRA NAME: one boot of the benchmark, its
# tables, and into docs/bench results-NAME.txt and the graph growth-NAME.svg.
run_boot() {
	local k=$1 p=$2 out=$3 extra=$4 res=$5 cpu start
	case $p in
	4) cpu=max,la57=off ;;
	5) cpu=max ;;
	*) die "paging must be 4 or 5" ;;
	esac
	mkdir -p "$out"
	cat "$BUILD/kernels/$k/initramfs.cpio.gz" "$extra" >"$out/initramfs.cpio.gz"
	say "bench: $(kver_of "$k") ${p}-level paging, ${mem} MiB (log: $out/tap.log)"
	start=$(date +%s)
	timeout -k 5 "$timeout_s" qemu-system-x86_64 \
		-machine q35 -cpu "$cpu" -smp 2 -m "$mem" \
		-kernel "$(image_dir_of "$k")/vmlinuz" \
		-initrd "$out/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 ignore_loglevel vmviz_rig=bench transparent_hugepage=madvise" \
		-display none -monitor none -no-reboot \
		-serial "file:$out/console.log" -serial "file:$out/tap.log" \
		</dev/null >"$out/qemu.log" 2>&1
	say "bench: $k ${p}-level took $(($(date +%s) - start)) s"
	tr -d '\r' <"$out/tap.log" | grep -E '^(bench|benchmem|benchstall|# )' >"$out/results.txt"
	if ! grep -q '^# vmviz-rig done' "$out/results.txt"; then
		say "bench: $k ${p}-level did not finish (see $out)"
		rc=1
	fi
	{
		echo "### $(kver_of "$k"), ${p}-level paging"
		echo
		grep -E '^# (cpu|thp|bench mem)' "$out/results.txt" | sed 's/^# /    /'
		echo
		table "$out/results.txt"
		echo
		holds_table "$out/results.txt"
		echo
		pfn_table "$out/results.txt"
		echo
		frames_table "$out/results.txt"
		echo
		vmas_table "$out/results.txt"
		echo
		fork_table "$out/results.txt"
	} | tee "$out/table.md"
	graph "$out/results.txt" "vmviz bench: time to read everything vs N, $(kver_of "$k") ${p}-level (TCG)" \
		>"$docs/growth-$res.svg"
	cp "$out/results.txt" "$docs/results-$res.txt"
}

summarize=$TOP/selftests/bench/summarize.py
rc=0
for k in $kernels; do
	"$RIG_DIR/build.sh" "$k" || exit 1
	"$RIG_DIR/mkinitramfs.sh" "$k" || exit 1
	for p in $pagings; do
		name=$k-${p}level$tag
		run_boot "$k" "$p" "$out_top/$k-$p" "$out_top/extra.cpio.gz" "$name"
		files=$docs/results-$name.txt
		for b in $(seq 2 "$boots"); do
			# shellcheck disable=SC2086 # the boots' files, in order
			pts=$(python3 "$summarize" --rerun $files)
			if [ -z "$pts" ]; then
				say "bench: $k ${p}-level: no point to run again after boot $((b - 1))"
				break
			fi
			say "bench: $k ${p}-level boot $b runs again: $pts"
			extra_archive "$args -o $pts" off "$out_top/extra-boot$b.cpio.gz"
			run_boot "$k" "$p" "$out_top/$k-$p-boot$b" "$out_top/extra-boot$b.cpio.gz" \
				"$name-boot$b"
			rm -f "$docs/growth-$name-boot$b.svg"	# a few points: no curve
			files="$files $docs/results-$name-boot$b.txt"
		done
		if [ "$boots" -gt 1 ]; then
			echo "#### $(kver_of "$k") ${p}-level: points above 1.5x a target, per boot"
			echo
			# shellcheck disable=SC2086
			python3 "$summarize" --boots $files | tee "$out_top/$k-$p/boots.md"
		fi
	done
done
echo "host: $(grep -m 1 'model name' /proc/cpuinfo | sed 's/.*: //') x $(nproc), qemu TCG"
exit $rc
