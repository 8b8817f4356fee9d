#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the module for one kernel of the matrix, in a private copy of the
# sources under build/, so kernels never share objects. Warnings are fatal
# here (VMVIZ_WERROR=1), as in make lint; a user's build keeps them warnings.
# Usage: build.sh KERNEL [warn|churn]   (warn: the rig's WARN-on-load module;
#   churn: the module the kernel-half stress loads in a loop)
set -euo pipefail
. "$(dirname "$0")/common.sh"

k=$1
kver=$(kver_of "$k")
out=$BUILD/kernels/$k
if [ "${2:-}" = warn ]; then
	src=$out/warn
	ko=warn_on_load.ko
	rm -rf "$src"
	mkdir -p "$src"
	cp "$RIG_DIR"/warn/* "$src/"
elif [ "${2:-}" = churn ]; then
	src=$out/churn
	ko=vmviz_churn.ko
	rm -rf "$src"
	mkdir -p "$src"
	cp "$RIG_DIR"/churn/* "$src/"
else
	src=$out/src
	ko=module/vmviz.ko
	rm -rf "$src"
	mkdir -p "$src"
	cp -r "$TOP/Kbuild" "$TOP/module" "$src/"
fi

if in_chroot "$k"; then
	# One chroot build at a time: clones share the cached chroot.
	croot=$(chroot_of "$k")
	exec 9>"$CACHE/chroot.lock"
	flock 9
	mnt=$croot/vmviz-build
	mkdir -p "$mnt"
	mountpoint -q "$croot/proc" || mount -t proc proc "$croot/proc"
	mountpoint -q "$mnt" || mount --bind "$src" "$mnt"
	rc=0
	chroot "$croot" make -s -C "/usr/src/linux-headers-$kver" M=/vmviz-build VMVIZ_WERROR=1 modules \
		>"$out/build.log" 2>&1 || rc=$?
	umount "$mnt"
	umount "$croot/proc"
	flock -u 9
else
	rc=0
	make -s -C "$(kdir_of "$k")" M="$src" VMVIZ_WERROR=1 modules >"$out/build.log" 2>&1 || rc=$?
fi
if [ $rc != 0 ]; then
	cat "$out/build.log" >&2
	die "module build for $kver failed"
fi
cp "$src/$ko" "$out/"
