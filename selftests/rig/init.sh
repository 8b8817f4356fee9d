#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the test guest: load the module, run every selftest, unload,
# power off. The kernel console is ttyS0; TAP goes to ttyS1 so kernel
# messages never interleave with it.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/tests
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
exec >/dev/ttyS1 2>&1

n=0
tap() {	# tap STATUS NAME [# SKIP reason]
	n=$((n + 1))
	echo "$1 $n rig.$2"
}

mode=check
for w in $(cat /proc/cmdline); do
	case $w in vmviz_rig=*) mode=${w#vmviz_rig=} ;; esac
done

echo "# vmviz-rig kernel=$(uname -r) mode=$mode"
echo "# cpu la57: $(grep -c -w la57 /proc/cpuinfo)"

# Modules the tests need (zram for swap), in dependency order.
for m in $(cat /lib/vmviz-modules.list 2>/dev/null); do
	insmod "/lib/vmviz-modules/$m" || echo "# insmod $m failed"
done

# Swap on zram, so tests can push pages out with MADV_PAGEOUT.
if [ -e /sys/block/zram0 ] && echo 256M >/sys/block/zram0/disksize &&
   mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; then
	echo "# swap on zram0: $(grep SwapTotal /proc/meminfo)"
else
	echo "# no swap: zram unavailable"
fi

# The host's run.sh: a kernel that dies before this line is a boot flake.
echo "# vmviz-rig insmod"

if [ "$mode" = warn ] || [ "$mode" = atomic ]; then
	# The detector checks: a module that WARNs on load, or sleeps in
	# atomic context; the host expects to find the splat on the console.
	insmod /warn_on_load.ko how=$mode
	echo "# vmviz-rig done"
	sync
	poweroff -f
fi

# The mmap_lock events of the hold counts (selftests/vt_holds.h): the boot
# turned them on where it could (run.sh says why); elsewhere now, while
# nothing else runs, without the cmdline recorder (its sched_wakeup
# tracepoint is the hottest site to patch). Recording stays off until a
# test starts it; the events stay on to the end.
tr=/sys/kernel/tracing
[ -d $tr/events ] || tr=/sys/kernel/debug/tracing
if [ -d $tr/events/mmap_lock/mmap_lock_released ]; then
	echo 0 >$tr/tracing_on
	for e in mmap_lock_acquire_returned mmap_lock_released; do
		f=$tr/events/mmap_lock/$e/enable
		if [ "$(cat $f)" != 1 ]; then
			echo 0 >$tr/options/record-cmd
			echo 1 >$f
		fi
	done
fi

# The suite tests the track mode's controls: all=0. late/modes_test
# tests the default, a file for every process.
if insmod /vmviz.ko all=0; then
	tap ok insmod
else
	tap "not ok" insmod
fi
[ -x /tests/rig-env.sh ] && . /tests/rig-env.sh

if [ "$mode" = demo ]; then
	# make demo: the reader's demo and a few views; the host prints them.
	sh /demo.sh
	echo "# vmviz-rig done"
	sync
	poweroff -f
fi

if [ "$mode" = capture ]; then
	# make reports: reports of a few processes for the reader's host tests.
	sh /capture.sh
	echo "# vmviz-rig done"
	sync
	poweroff -f
fi

if [ "$mode" = bench ]; then
	# make bench (selftests/rig/bench.sh): the benchmark, not the selftests.
	echo "# cpu $(grep -m 1 'model name' /proc/cpuinfo) x $(grep -c ^processor /proc/cpuinfo)"
	echo "# thp $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
	[ -s /tests/bench.args ] && /tests/vmviz_bench $(cat /tests/bench.args)
	# What a file for every process costs: the fork loop per mode.
	[ -f /tests/forkbench.args ] && /tests/vmviz_forkbench $(cat /tests/forkbench.args)
	echo "# vmviz-rig done"
	sync
	poweroff -f
fi

for t in /tests/*_test; do
	[ -x "$t" ] || continue
	echo "# run $(basename "$t")"
	"$t"
	echo "# exit $(basename "$t") $?"
done
# Tests that unload and reload the module themselves, after the others.
for t in /tests/late/*_test; do
	[ -x "$t" ] || continue
	echo "# run late/$(basename "$t")"
	"$t"
	echo "# exit late/$(basename "$t") $?"
done

if rmmod vmviz; then
	tap ok rmmod
else
	tap "not ok" rmmod
fi
if [ ! -e /proc/vmviz ]; then
	tap ok proc_vmviz_gone_after_rmmod
else
	tap "not ok" proc_vmviz_gone_after_rmmod
fi
if insmod /vmviz.ko && [ -d /proc/vmviz ] && rmmod vmviz; then
	tap ok reload
else
	tap "not ok" reload
fi
# Debug kernels: after the soak and the unloads, nothing vmviz allocated
# may be left. kmemleak names a freed module's code only by address.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >/tmp/kmemleak
	leaks=$(grep -c '^unreferenced object' /tmp/kmemleak)
	ours=$(grep -cE 'vmviz|\] 0xffffffff[a-f]' /tmp/kmemleak)
	echo "# vmviz-figures kmemleak objects=$leaks vmviz=$ours"
	sed -n '1,40s/^/# kmemleak: /p' /tmp/kmemleak
	if [ "$ours" = 0 ]; then
		tap ok kmemleak_nothing_from_vmviz
	else
		tap "not ok" kmemleak_nothing_from_vmviz
	fi
fi
echo "# vmviz-rig done"
sync
poweroff -f
