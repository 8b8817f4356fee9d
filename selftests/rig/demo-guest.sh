#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# make demo, in the guest: the reader's demo, then a few views of what it
# saved. Everything between the markers is what the host prints.
run() {
	echo
	echo "\$ $*"
	"$@" 2>&1
}

# The serial console is no terminal the tables can ask for its width.
export COLUMNS=150
echo "# vmviz-demo begin"
echo "vmviz on $(uname -r), $(grep -c -w la57 /proc/cpuinfo | sed 's/^0$/4-level/; s/^[1-9].*/5-level/') paging"
run vmviz demo --save /tmp/demo
d=/tmp/demo
run vmviz maps --file $d/parent.report
run vmviz maps --file $d/fork.report -o START,END,PERM,PRESENT,DIRTY,WRITABLE,NAME
stack=$(vmviz maps --file $d/parent.report -r -n -o START,END,NAME | awk '$3 == "[stack]" { print $1 "-" $2 }')
run vmviz pages --file $d/parent.report "$stack"
run vmviz compare --file $d/parent-fork.report --file $d/fork.report -o START,END,PERM,SAME,COW,SHARED,DIVERGED,NAME
if [ -f $d/parent-frames.report ]; then
	run vmviz mem --file $d/parent-frames.report --sort pss
	run vmviz mem --file $d/fork-frames.report -o START,PERM,RSS,PSS,USS,SHCLEAN,SHDIRTY,PRDIRTY,COWCOPY,COWREUSE,NAME
	run vmviz compare --file $d/parent-frames.report --file $d/fork-frames.report -o START,END,PERM,COW,COPY1,REUSE1,COPY2,REUSE2,NAME
	run vmviz tables --file $d/parent-frames.report
	# One address explained, level by level: the top page of the stack.
	run vmviz explain --file $d/parent-frames.report "$(printf %x $((0x${stack##*-} - 4096)))"
fi
# The other half: the kernel's, as this shell's page tables hold it.
if vmviz kernel >/tmp/kernel.out 2>&1; then
	echo
	echo "\$ vmviz kernel | head -40"
	head -40 /tmp/kernel.out
	cat /proc/vmviz/kernel >/tmp/kernel.txt
	run vmviz overview --khalf /tmp/kernel.txt --file $d/parent.report
fi
echo "# vmviz-demo end"
