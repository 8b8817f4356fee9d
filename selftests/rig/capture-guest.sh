#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# make reports, in the guest: the reports the reader's host tests read
# (tools/tests/reports/), each printed whole between markers on the TAP
# port: a cat reading /proc/vmviz/self, coreutils' sleep (dynamically
# linked), the shell that is /init, kthreadd, and the demo's parent with
# its fork, vfork, clone(CLONE_VM) and thread children.
emit() {	# emit NAME FILE
	echo "# vmviz-capture begin $1"
	cat "$2"
	echo "# vmviz-capture end $1"
}

sfx=$(uname -r | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')-$(grep -q -w la57 /proc/cpuinfo && echo 5 || echo 4)
cat /proc/vmviz/self >/tmp/self.report
emit "self-$sfx.report" /tmp/self.report
sleep=sleep
[ -x /tests/dyn/sleep ] && sleep=/tests/dyn/sleep
$sleep 1000 &
pid=$!
sleep 1
echo $pid >/proc/vmviz/track
cat /proc/vmviz/$pid >/tmp/sleep.report
emit "sleep-$sfx.report" /tmp/sleep.report
kill $pid
echo 1 >/proc/vmviz/track
cat /proc/vmviz/1 >/tmp/init.report
emit "init-$sfx.report" /tmp/init.report
echo 2 >/proc/vmviz/track
cat /proc/vmviz/2 >/tmp/kthread.report
emit "kthread-$sfx.report" /tmp/kthread.report
if vmviz demo --save /tmp/demo >/dev/null 2>&1; then
	for f in parent fork vfork clone thread; do
		emit "demo-$sfx/$f.report" /tmp/demo/$f.report
	done
fi
