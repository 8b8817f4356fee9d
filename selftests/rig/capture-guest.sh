#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# make reports, in the guest: the reports the reader's host tests read
# (tools/tests/reports/), each printed whole between markers on the TAP
# port: a cat reading /proc/vmviz/self, coreutils' sleep (dynamically
# linked), the shell that is /init, kthreadd, and the demo's parent with
# its fork, vfork, clone(CLONE_VM) and thread children; and the frame
# detail (/proc/vmviz/frames/PID) of the same cat, sleep, shell and kthreadd,
# and of the demo's parent and fork child after their writes
# (tools/tests/reports/frames-*/); and /proc/vmviz/kernel.
emit() {	# emit NAME FILE
	echo "# vmviz-capture begin $1"
	cat "$2"
	echo "# vmviz-capture end $1"
}

sfx=$(uname -r | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')-$(grep -q -w la57 /proc/cpuinfo && echo 5 || echo 4)
frames=
[ -d /proc/vmviz/frames ] && frames=1
capture() {	# capture NAME WHICH: /proc/vmviz/WHICH, and frames/WHICH if any
	cat /proc/vmviz/$2 >/tmp/$1.report
	emit "$1-$sfx.report" /tmp/$1.report
	if [ -n "$frames" ]; then
		cat /proc/vmviz/frames/$2 >/tmp/frames-$1.report
		emit "frames-$sfx/$1.report" /tmp/frames-$1.report
	fi
}

capture self self
sleep=sleep
[ -x /tests/dyn/sleep ] && sleep=/tests/dyn/sleep
$sleep 1000 &
pid=$!
sleep 1
echo $pid >/proc/vmviz/track
capture sleep $pid
kill $pid
echo 1 >/proc/vmviz/track
capture init 1
echo 2 >/proc/vmviz/track
capture kthread 2
if vmviz demo --save /tmp/demo >/dev/null 2>&1; then
	for f in parent fork vfork clone thread; do
		emit "demo-$sfx/$f.report" /tmp/demo/$f.report
	done
	for f in parent fork; do
		[ -f /tmp/demo/$f-frames.report ] &&
			emit "frames-$sfx/$f.report" /tmp/demo/$f-frames.report
	done
fi
# The kernel half (/proc/vmviz/kernel, read by this shell), with "-pti" in
# the name when page-table isolation is on: vmviz kernel's host test.
if [ -r /proc/vmviz/kernel ] && cat /proc/vmviz/kernel >/tmp/kernel.txt; then
	pti=
	grep -q ' pti 1 ' /tmp/kernel.txt && pti=-pti
	emit "kernel-$sfx$pti.txt" /tmp/kernel.txt
fi
