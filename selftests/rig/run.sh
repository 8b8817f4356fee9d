#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot one kernel in QEMU (software emulation) with 4- or 5-level paging,
# let /init run the selftests, and judge the run from the console and TAP.
# Usage: run.sh KERNEL PAGING [MODE]
#   MODE: check (the selftests), warn (detector: a module that WARNs on load),
#   atomic (detector: a module that sleeps in atomic context), demo, bench.
# A boot whose kernel dies or hangs before /init starts loading a module
# (a TCG boot flake) is booted once more and reported as a flake; anything
# after that point is judged. Prints one summary line; exit 0 only for a
# clean run with no failure.
set -uo pipefail
. "$(dirname "$0")/common.sh"

k=$1 paging=$2 mode=${3:-check}
kver=$(kver_of "$k") || exit 1
out=$BUILD/runs/$k-$paging${mode:+-$mode}
[ "$mode" = check ] && out=$BUILD/runs/$k-$paging
[ -n "${VMVIZ_RUN_DIR:-}" ] && out=$VMVIZ_RUN_DIR
initrd=${VMVIZ_INITRD:-$BUILD/kernels/$k/initramfs.cpio.gz}
mkdir -p "$out"
console=$out/console.log tap=$out/tap.log
rm -f "$console" "$tap" "$out"/*.flake.log "$out/flake" "$out/guest-secs"

case $paging in
4) cpu=max,la57=off ;;
5) cpu=max ;;
*) die "paging must be 4 or 5" ;;
esac
timeout_s=${VMVIZ_RUN_TIMEOUT:-900}
# /init prints "# vmviz-rig insmod" before it loads any module of ours; a
# kernel that has not got there by then is stuck in boot, not in our code.
boot_timeout_s=${VMVIZ_BOOT_TIMEOUT:-300}

# hugetlb pools for the 2M and 1G leaf tests; the rest of RAM for the tests.
append="console=ttyS0 panic=-1 ignore_loglevel vmviz_rig=$mode"
# Emulated CPUs on a shared host can stall without any bug: with eight TCG
# guests on two host cores, 5-level guests (one vCPU per NUMA node) saw
# their RCU kthread starved for 60 s ("rcu_preempt kthread starved for
# 15021 jiffies"). A stall past three minutes still fails the run; a
# reader that never leaves an RCU section stalls for ever.
append="$append rcupdate.rcu_cpu_stall_timeout=180"
# The same for the workqueue watchdog of the debug kernel (WQ_WATCHDOG, 30 s
# by default): a per-CPU kworker of a guest whose vCPU the host starves
# waits in that run queue for as long (vmstat_update "stuck for 30s" in a
# 5-level debug run beside three other guests on two cores, during a loop
# of 2000 forks; no vmviz work was running). Three minutes still fail.
append="$append workqueue.watchdog_thresh=180"
# And for the soft-lockup detector (20 s by default): the debug kernel's own
# ptdump of a 5-level kernel half under KASAN (tables_test reads
# page_tables/current_kernel as its truth) ran past 21 s on a vCPU the
# host starved, four guests on two cores ("soft lockup - CPU#0 stuck for
# 21s! [tables_test]", every frame ptdump's; the same test passed on a
# quieter host). Two minutes, below the RCU stall's three, still fail.
append="$append watchdog_thresh=60"
append="$append hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=16"
append="$append transparent_hugepage=madvise"
# The mmap_lock events that the hold counts read (selftests/vt_holds.h) are
# enabled at boot, before the second CPU runs: enabling a tracepoint later
# patches kernel text (text_poke_bp()) while the other vCPU runs it, and
# under TCG that vCPU once still hit the int3 of a finished patch ("Oops:
# int3" in try_to_wake_up(), the cmdline recorder's sched_wakeup site,
# once in about 25 runs of manyvmas_test). 5.10 has no such events; 7.2
# dies early in boot with the parameter (no console output), so init.sh
# enables them there before any test runs.
events=mmap_lock:mmap_lock_acquire_returned,mmap_lock:mmap_lock_released
case $k in
5.10 | 7.2) ;;
*) append="$append trace_event=$events" ;;
esac
# More kernel parameters for a developer's run (e.g. VMVIZ_APPEND=pti=on).
[ -n "${VMVIZ_APPEND:-}" ] && append="$append $VMVIZ_APPEND"
# The soak's, the frame races' and the kernel-half stress's lengths in
# seconds and the seeds to replay the soak and the fuzz reach the tests
# through /init's environment.
for v in VMVIZ_SOAK_SECS VMVIZ_SOAK_SEED VMVIZ_FUZZ_SEED VMVIZ_KSTRESS_SECS \
	 VMVIZ_RACE_SECS; do
	[ -n "${!v:-}" ] && append="$append $v=${!v}"
done

# Two NUMA nodes of 2 GiB and one CPU each for the 5-level runs (every
# kernel with frame detail has one): the frame detail's node field is
# checked against numa_maps there. VMVIZ_NUMA=0 boots them with one node.
# Each CPU is a socket of its own: two cores of one socket (sharing a
# cache) on two nodes make the kernel WARN about the topology at boot.
smp=2
numa=()
if [ "$paging" = 5 ] && [ "${VMVIZ_NUMA:-1}" = 1 ]; then
	smp=2,sockets=2,cores=1,threads=1
	numa=(-object memory-backend-ram,id=m0,size=2048M
	      -object memory-backend-ram,id=m1,size=2048M
	      -numa node,nodeid=0,cpus=0,memdev=m0
	      -numa node,nodeid=1,cpus=1,memdev=m1)
fi

# To see the flake handling work: VMVIZ_FIRST_BOOT_APPEND=rdinit=/nonexistent
# makes the first boot die before /init (the second boots normally).
first_append=${VMVIZ_FIRST_BOOT_APPEND:-}

# boot [EXTRA]: one QEMU run; returns QEMU's status (124 when it was killed for
# time). Kills the guest early when /init never reaches its first insmod.
boot() {
	local qpid start rc extra=${1:-}

	rm -f "$console" "$tap"
	start=$SECONDS
	timeout -k 5 "$timeout_s" qemu-system-x86_64 \
		-machine q35 -cpu "$cpu" -smp "$smp" -m 4096 "${numa[@]}" \
		-kernel "$(image_dir_of "$k")/vmlinuz" \
		-initrd "$initrd" \
		-append "$append${extra:+ $extra}" \
		-display none -monitor none -no-reboot -nic none \
		-serial "file:$console" -serial "file:$tap" </dev/null >"$out/qemu.log" 2>&1 &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null; do
		if ! reached_insmod && [ $((SECONDS - start)) -ge "$boot_timeout_s" ]; then
			echo "rig: no insmod after ${boot_timeout_s}s of boot: stopping the guest" >>"$console"
			kill "$qpid" 2>/dev/null
			break
		fi
		sleep 1
	done
	wait "$qpid"
	rc=$?
	echo $((SECONDS - start)) >>"$out/guest-secs"
	return $rc
}

reached_insmod() { grep -q '^# vmviz-rig insmod' "$tap" 2>/dev/null; }

# The console as judged: the emulated 8250's "irq N: nobody cared ...
# Disabling IRQ #N" report (the second serial port's threaded handler under
# TCG; vmviz has no interrupt handler) is left out only when the report's
# handler list names serial8250_interrupt and no other splat's first line
# falls inside it. Everything else is kept.
SPLAT_HEAD='WARNING:|------------\[ cut here \]|BUG:|Oops|general protection fault|KASAN|UBSAN:|Kernel panic|possible circular locking|suspicious RCU usage|sleeping function called from invalid context|scheduling while atomic'
judged_console() {
	tr -d '\r' <"$console" 2>/dev/null | HEAD=$SPLAT_HEAD awk -v noise="$out/noise" '
		BEGIN { head = ENVIRON["HEAD"] }
		function flush(drop) {
			if (drop) { print blk_first >> noise; nblk = 0; return }
			for (i = 1; i <= nblk; i++) print blk[i]
			nblk = 0
		}
		/irq [0-9]+: nobody cared/ && !inblk { inblk = 1; nblk = 0; uart = 0; other = 0; blk_first = $0 }
		inblk {
			blk[++nblk] = $0
			if ($0 ~ /serial8250_interrupt/) uart = 1
			if (nblk > 1 && $0 ~ head) other = 1
			if ($0 ~ /Disabling IRQ #[0-9]+/) { inblk = 0; flush(uart && !other) }
			next
		}
		{ print }
		END { if (inblk) flush(0) }'
}

# Any of these on the (judged) console fails the run.
splat=$SPLAT_HEAD'|'
# kmemleak's own "N new suspected" line is judged by /init, which fails the
# run (TAP) when a leaked object comes from vmviz; leaks of the kernel's own
# boot code are listed in the TAP log, not counted here.
splat+='unreferenced object|Call Trace:|'
splat+='possible recursive locking|inconsistent lock state|lock held when returning|'
# Lock splats of PREEMPT_RT (sleeping spinlocks are rt_mutexes) and of
# lockdep, where the kernel has it.
splat+='DEBUG_LOCKS_WARN_ON|bad unlock balance|held lock freed|lock held at task exit|'
splat+='possible irq lock inversion|Preemption disabled at|'
splat+='detected stall|soft lockup|hard LOCKUP|hung_task|INFO: task .* blocked|'
splat+='BUG kmalloc|Poison overwritten|Redzone'

flake=""
boot "$first_append"
qemu_rc=$?
if ! reached_insmod; then
	# Died or hung before /init loaded anything of ours: a boot flake
	# under emulation, not the module's. Keep its logs; boot once more.
	why=$(tr -d '\r' <"$console" 2>/dev/null | grep -m 1 -E "$splat|rig: no insmod" | cut -c 1-120)
	flake="boot flake before insmod (${why:-no console output}; booted again)"
	mv "$console" "$out/console.flake.log" 2>/dev/null
	mv "$tap" "$out/tap.flake.log" 2>/dev/null
	echo "$flake" >"$out/flake"
	boot
	qemu_rc=$?
fi

pass=$(grep -cE '^ok [0-9]+' "$tap" 2>/dev/null | head -n 1)
skip=$(grep -E '^ok [0-9]+.*# SKIP' "$tap" 2>/dev/null | wc -l)
fail=$(grep -cE '^not ok [0-9]+' "$tap" 2>/dev/null | head -n 1)
pass=$(( ${pass:-0} - skip ))
fail=${fail:-0}

rm -f "$out/noise"
judged_console | grep -E "$splat" >"$out/splats"
splats=$(head -n 5 "$out/splats")
noise=""
[ -s "$out/noise" ] && noise="$(wc -l <"$out/noise") emulated-UART 'irq nobody cared' report(s) set aside"

problems=""
[ $qemu_rc = 124 ] || [ $qemu_rc = 137 ] && problems+=" timed out after ${timeout_s}s;"
reached_insmod || problems+=" kernel died before insmod twice;"
grep -q '^# vmviz-rig done' "$tap" 2>/dev/null || problems+=" guest did not finish;"
[ -n "$splats" ] && problems+=" console splat;"
[ "$fail" != 0 ] && problems+=" $fail failed;"

notes=""
[ -n "$flake" ] && notes+="; $flake"
[ -n "$noise" ] && notes+="; $noise"
summary="$kver ${paging}-level: $pass passed, $fail failed, $skip skipped"
echo "$pass $fail $skip" >"$out/counts"

# The detector checks pass when the rig catches the deliberate splat, and
# (atomic) when it is the line an RT kernel prints for a sleep in atomic
# context.
case $mode in
warn)
	if grep -q 'vmviz_warn_on_load' "$console" && [ -n "$splats" ]; then
		echo "$kver ${paging}-level detector: deliberate WARN caught$notes"
		exit 0
	fi
	echo "$kver ${paging}-level detector: deliberate WARN NOT caught$notes"
	tail -n 30 "$console"
	exit 1
	;;
atomic)
	if grep -q 'vmviz_warn_on_load: sleeping' "$console" &&
	   grep -qE 'scheduling while atomic|sleeping function called from invalid context' "$out/splats"; then
		echo "$kver ${paging}-level detector: deliberate sleep in atomic context caught$notes"
		exit 0
	fi
	echo "$kver ${paging}-level detector: deliberate sleep in atomic context NOT caught$notes"
	tail -n 30 "$console"
	exit 1
	;;
esac

if [ -n "$problems" ]; then
	echo "$summary; FAILED:$problems$notes (logs: $out)"
	[ -n "$splats" ] && echo "$splats" | sed 's/^/    console: /'
	grep -E '^not ok' "$tap" 2>/dev/null | sed 's/^/    /'
	if ! grep -q '^# vmviz-rig done' "$tap" 2>/dev/null || [ -n "$splats" ]; then
		echo "    --- console tail ---"
		tail -n 25 "$console" | sed 's/^/    /'
	fi
	exit 1
fi
echo "$summary$notes"
