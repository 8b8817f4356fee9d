#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pack the guest's initramfs for one kernel: static busybox, /init, the
# module, the selftests and the kernel modules they need.
# Usage: mkinitramfs.sh KERNEL [MODULE IMAGE]
#   MODULE IMAGE: pack MODULE (e.g. a DKMS-built vmviz.ko) instead of the
#   tree's build, into IMAGE instead of the kernel's initramfs.cpio.gz.
set -euo pipefail
. "$(dirname "$0")/common.sh"

k=$1
kver=$(kver_of "$k")
out=$BUILD/kernels/$k
ko=${2:-$out/vmviz.ko}
image=${3:-$out/initramfs.cpio.gz}
root=${image%.cpio.gz}.d
[ $# -ge 3 ] || root=$out/initramfs
img=$(image_dir_of "$k")
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,proc,sys,dev,tmp,tests,lib/vmviz-modules}

cp /bin/busybox "$root/bin/busybox"
cp "$RIG_DIR/init.sh" "$root/init"
chmod 755 "$root/init"
cp "$ko" "$root/vmviz.ko"
[ -f "$out/warn_on_load.ko" ] && cp "$out/warn_on_load.ko" "$root/"
[ -f "$out/vmviz_churn.ko" ] && cp "$out/vmviz_churn.ko" "$root/"
# VMVIZ_TESTS="a_test b_test": only those (for a developer's quick run).
picked() { [ -z "${VMVIZ_TESTS:-}" ] || [[ " $VMVIZ_TESTS " == *" $(basename "$1") "* ]]; }
for t in "$TOP"/selftests/*_test "$TOP"/selftests/rig-env.sh; do
	[ -f "$t" ] && { picked "$t" || [[ $t == *.sh ]]; } && cp "$t" "$root/tests/"
done
mkdir -p "$root/tests/late"
for t in "$TOP"/selftests/late/*_test; do
	[ -f "$t" ] && picked "$t" && cp "$t" "$root/tests/late/"
done
if [ -x "$TOP/tools/vmviz" ]; then
	cp "$TOP/tools/vmviz" "$root/bin/vmviz"
	# The reader links libsmartcols dynamically (Debian ships no .a):
	# its libraries and the dynamic loader, at the paths ldd names.
	for lib in $(ldd "$TOP/tools/vmviz" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	cp "$RIG_DIR/demo-guest.sh" "$root/demo.sh"
	cp "$RIG_DIR/capture-guest.sh" "$root/capture.sh"
fi
# A dynamically linked program for the tests that need one (coreutils'
# sleep, against the host's libc), with its libraries.
mkdir -p "$root/tests/dyn"
cp /usr/bin/sleep "$root/tests/dyn/sleep"
for lib in $(ldd /usr/bin/sleep | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

# Kernel modules from the image package, decompressed, dependencies first.
moddir=$(ls -d "$img"/lib/modules/"$kver" "$img"/usr/lib/modules/"$kver" 2>/dev/null | head -n 1 || true)
if [ -n "$moddir" ]; then
	# Debian's packages leave modules.dep to depmod at install time.
	[ -f "$moddir/modules.dep" ] || depmod -b "${moddir%/lib/modules/*}" "$kver" 2>/dev/null
	: >"$root/lib/vmviz-modules.list"
	want="zram fuse"
	declare -A seen=()
	add_mod() {	# depth-first: dependencies before the module
		local name=$1 path deps d
		[ -n "${seen[$name]:-}" ] && return
		seen[$name]=1
		path=$(grep -E "(^|/)$name\.ko(\.xz|\.zst)?:" "$moddir/modules.dep" | head -n 1) || return 0
		deps=${path#*:}
		path=${path%%:*}
		for d in $deps; do
			d=$(basename "$d")
			add_mod "${d%%.ko*}"
		done
		case $path in
		*.xz) xz -dc "$moddir/$path" >"$root/lib/vmviz-modules/$name.ko" ;;
		*.zst) zstd -qdc "$moddir/$path" >"$root/lib/vmviz-modules/$name.ko" ;;
		*) cp "$moddir/$path" "$root/lib/vmviz-modules/$name.ko" ;;
		esac
		echo "$name.ko" >>"$root/lib/vmviz-modules.list"
	}
	for m in $want; do add_mod "$m"; done
fi

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$image"
