#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot one kernel in QEMU (software emulation) with 4- or 5-level paging,
# let /init run the selftests, and judge the run from the console and TAP.
# Usage: run.sh KERNEL PAGING [MODE]   (MODE: check, warn)
# Prints one summary line; exit 0 only for a clean run with no failure.
set -uo pipefail
. "$(dirname "$0")/common.sh"

k=$1 paging=$2 mode=${3:-check}
kver=$(kver_of "$k") || exit 1
out=$BUILD/runs/$k-$paging${mode:+-$mode}
[ "$mode" = check ] && out=$BUILD/runs/$k-$paging
mkdir -p "$out"
console=$out/console.log tap=$out/tap.log
rm -f "$console" "$tap"

case $paging in
4) cpu=max,la57=off ;;
5) cpu=max ;;
*) die "paging must be 4 or 5" ;;
esac
timeout_s=${VMVIZ_RUN_TIMEOUT:-900}

# hugetlb pools for the 2M and 1G leaf tests; the rest of RAM for the tests.
append="console=ttyS0 panic=-1 ignore_loglevel vmviz_rig=$mode"
# Emulated CPUs on a shared host can stall for seconds without any bug;
# a stall past a minute still fails the run.
append="$append rcupdate.rcu_cpu_stall_timeout=60"
append="$append hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=16"
append="$append transparent_hugepage=madvise"
# The soak's length in seconds and a fuzz seed to replay reach the tests
# through /init's environment.
for v in VMVIZ_SOAK_SECS VMVIZ_FUZZ_SEED; do
	[ -n "${!v:-}" ] && append="$append $v=${!v}"
done

timeout -k 5 "$timeout_s" qemu-system-x86_64 \
	-machine q35 -cpu "$cpu" -smp 2 -m 4096 \
	-kernel "$(image_dir_of "$k")/vmlinuz" \
	-initrd "$BUILD/kernels/$k/initramfs.cpio.gz" \
	-append "$append" \
	-display none -monitor none -no-reboot -nic none \
	-serial "file:$console" -serial "file:$tap" </dev/null >"$out/qemu.log" 2>&1
qemu_rc=$?

pass=$(grep -cE '^ok [0-9]+' "$tap" 2>/dev/null | head -n 1)
skip=$(grep -E '^ok [0-9]+.*# SKIP' "$tap" 2>/dev/null | wc -l)
fail=$(grep -cE '^not ok [0-9]+' "$tap" 2>/dev/null | head -n 1)
pass=$(( ${pass:-0} - skip ))
fail=${fail:-0}

# Any of these on the console fails the run.
splat='WARNING:|------------\[ cut here \]|BUG:|Oops|general protection fault|KASAN|'
splat+='possible circular locking|suspicious RCU usage|sleeping function called from invalid context|'
# kmemleak's own "N new suspected" line is judged by /init, which fails the
# run (TAP) when a leaked object comes from vmviz; leaks of the kernel's own
# boot code are listed in the TAP log, not counted here.
splat+='unreferenced object|Kernel panic|Call Trace:|'
splat+='possible recursive locking|inconsistent lock state|lock held when returning|'
splat+='detected stall|soft lockup|hung_task|INFO: task .* blocked|'
splat+='UBSAN:|BUG kmalloc|Poison overwritten|Redzone'
splats=$(grep -E "$splat" "$console" 2>/dev/null | head -n 5)

problems=""
[ $qemu_rc = 124 ] || [ $qemu_rc = 137 ] && problems+=" timed out after ${timeout_s}s;"
grep -q '^# vmviz-rig done' "$tap" 2>/dev/null || problems+=" guest did not finish;"
[ -n "$splats" ] && problems+=" console splat;"
[ "$fail" != 0 ] && problems+=" $fail failed;"

summary="$kver ${paging}-level: $pass passed, $fail failed, $skip skipped"
echo "$pass $fail $skip" >"$out/counts"

if [ "$mode" = warn ]; then
	# The detector check passes when the rig catches the deliberate WARN.
	if grep -q 'vmviz_warn_on_load' "$console" && [ -n "$splats" ]; then
		echo "$kver ${paging}-level detector: deliberate WARN caught"
		exit 0
	fi
	echo "$kver ${paging}-level detector: deliberate WARN NOT caught"
	tail -n 30 "$console"
	exit 1
fi

if [ -n "$problems" ]; then
	echo "$summary; FAILED:$problems (logs: $out)"
	[ -n "$splats" ] && echo "$splats" | sed 's/^/    console: /'
	grep -E '^not ok' "$tap" 2>/dev/null | sed 's/^/    /'
	if ! grep -q '^# vmviz-rig done' "$tap" 2>/dev/null || [ -n "$splats" ]; then
		echo "    --- console tail ---"
		tail -n 25 "$console" | sed 's/^/    /'
	fi
	exit 1
fi
echo "$summary"
