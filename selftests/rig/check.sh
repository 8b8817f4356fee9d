#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: set up, build, boot every kernel in 4- and 5-level paging, run
# the selftests in each, prove the console detector, and sum up.
# KERNELS="6.1 6.12 6.12-rt 7.2" and PAGING="4 5" pick a subset.
set -uo pipefail
. "$(dirname "$0")/common.sh"

kernels=${KERNELS:-$ALL_KERNELS}
pagings=${PAGING:-$ALL_PAGING}
jobs=${VMVIZ_JOBS:-2}

"$RIG_DIR/setup.sh" $kernels || exit 1
make -s -C "$TOP" userspace || die "building the selftests and tools failed"
# The reader's host-side tests (saved reports, no guest); counted below.
mkdir -p "$BUILD/runs/host"
rm -f "$BUILD/runs/host/counts"
COUNTS=$BUILD/runs/host/counts "$TOP/tools/tests/run.sh" >"$BUILD/runs/host/tap.log" 2>&1
# The kernel-half walker (module/kwalk.c) on the host, over a model of the
# debug kernel's KASAN shadow in 4- and 5-level paging.
sim_rc=0
make -s -C "$TOP/selftests/kwalk-sim" run >"$BUILD/runs/host/kwalk-sim.log" 2>&1 || sim_rc=1

for k in $kernels; do
	"$RIG_DIR/build.sh" "$k" || exit 1
	# What khalf_stress_test loads and unloads.
	"$RIG_DIR/build.sh" "$k" churn || exit 1
done
# The detector checks, 4-level: the WARN module on the first kernel, and a
# sleep in atomic context on PREEMPT_RT (without it in KERNELS, on the first
# kernel that counts preemption: Debian's 5.10 is built without
# PREEMPT_COUNT, so preempt_disable() there is invisible to the scheduler).
detector_k=${kernels%% *}
atomic_k=""
for k in $kernels; do
	[ "$k" = 5.10 ] || [ -n "$atomic_k" ] || atomic_k=$k
done
case " $kernels " in *" 6.12-rt "*) atomic_k=6.12-rt ;; esac
"$RIG_DIR/build.sh" "$detector_k" warn || exit 1
if [ -n "$atomic_k" ]; then
	"$RIG_DIR/build.sh" "$atomic_k" warn || exit 1
fi
for k in $kernels; do
	"$RIG_DIR/mkinitramfs.sh" "$k" || exit 1
done

# Boot the runs, $jobs at a time; each writes its summary to a file.
runs=()
for k in $kernels; do
	for p in $(pagings_of "$k" "$pagings"); do
		runs+=("$k $p check")
	done
done
runs+=("$detector_k 4 warn")
[ -n "$atomic_k" ] && runs+=("$atomic_k 4 atomic")

mkdir -p "$BUILD/runs"
i=0
for r in "${runs[@]}"; do
	set -- $r
	( "$RIG_DIR/run.sh" "$1" "$2" "$3" >"$BUILD/runs/summary.$i" 2>&1
	  echo $? >"$BUILD/runs/rc.$i" ) &
	i=$((i + 1))
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
done
wait

total_pass=0 total_fail=0 total_skip=0 bad=0 flakes=0
i=0
for r in "${runs[@]}"; do
	set -- $r
	cat "$BUILD/runs/summary.$i"
	d=$BUILD/runs/$1-$2-$3
	[ "$3" = check ] && d=$BUILD/runs/$1-$2
	[ -f "$d/flake" ] && flakes=$((flakes + 1))
	rc=$(cat "$BUILD/runs/rc.$i" 2>/dev/null || echo 1)
	[ "$rc" = 0 ] || bad=$((bad + 1))
	if [ "$3" = check ]; then
		d=$BUILD/runs/$1-$2
		if [ -f "$d/counts" ]; then
			read -r p f s <"$d/counts"
			total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
			total_skip=$((total_skip + s))
		fi
		[ "$rc" = 0 ] || [ "${f:-0}" != 0 ] || total_fail=$((total_fail + 1))
	else
		[ "$rc" = 0 ] || total_fail=$((total_fail + 1))
	fi
	i=$((i + 1))
done
if [ -f "$BUILD/runs/host/counts" ]; then
	read -r p f s <"$BUILD/runs/host/counts"
	echo "host: reader tests: $p passed, $f failed, $s skipped"
	grep -E '^not ok' "$BUILD/runs/host/tap.log" | sed 's/^/    /'
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
else
	echo "host: reader tests did not run (log: $BUILD/runs/host/tap.log)"
	total_fail=$((total_fail + 1))
fi
if [ $sim_rc = 0 ]; then
	echo "host: kwalk-sim: the walk's leaves equal the model's (4- and 5-level)"
	total_pass=$((total_pass + 1))
else
	echo "host: kwalk-sim FAILED (log: $BUILD/runs/host/kwalk-sim.log)"
	total_fail=$((total_fail + 1))
fi
# A kernel that died before /init loaded anything of ours was booted once
# more (run.sh); say how often, so emulator noise stays visible.
[ $flakes = 0 ] || echo "boot flakes: $flakes run(s) booted a second time (logs: */console.flake.log)"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ $bad = 0 ] && [ $total_fail = 0 ]
