#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug guest kernel (KASAN, lockdep, PROVE_RCU, DEBUG_VM,
# PAGE_TABLE_CHECK, kmemleak...) from Debian's linux-source-6.12 package,
# small enough for a 2-core machine: x86_64_defconfig, minus graphics, sound,
# wireless and network drivers, plus what the rig and the tests need.
# The tree stays in the cache (the module builds against it); the bzImage
# goes where image_dir_of expects a kernel. Built once; a second run is a
# no-op. Usage: debug-kernel.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"

kver=$(kver_of debug)
top=$CACHE/debug-kernel
tree=$(kdir_of debug)
img=$(image_dir_of debug)
stamp=$top/built.$kver

[ -f "$stamp" ] && [ -f "$img/vmlinuz" ] && exit 0

# Host tools the kernel build needs, Debian packages only.
HOST_PKGS="bc flex bison libelf-dev libssl-dev gcc make perl xz-utils cpio kmod"
# shellcheck disable=SC2086
need_packages $HOST_PKGS

# One build at a time: clones share the cache.
mkdir -p "$top"
exec 8>"$top/lock"
flock 8
[ -f "$stamp" ] && [ -f "$img/vmlinuz" ] && exit 0

deb=$(ls "$CACHE/debs/linux-source-6.12_"*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	say "downloading linux-source-6.12"
	mkdir -p "$CACHE/debs"
	(cd "$CACHE/debs" && apt-get -o APT::Sandbox::User=root download -q linux-source-6.12 >/dev/null) ||
		die "apt-get download linux-source-6.12 failed"
	deb=$(ls "$CACHE/debs/linux-source-6.12_"*.deb | head -n 1)
fi

start=$(date +%s)
if [ ! -f "$tree/Makefile" ]; then
	say "unpacking linux-source-6.12 into $tree"
	rm -rf "$tree" "$top/deb"
	mkdir -p "$tree" "$top/deb"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$top/deb" --wildcards '*/linux-source-6.12*.tar.xz'
	tar -xJf "$top"/deb/usr/src/linux-source-6.12*.tar.xz -C "$tree" --strip-components=1
	rm -rf "$top/deb"
fi
unpacked=$(date +%s)

cd "$tree"
if [ ! -f .config.vmviz ]; then
	make -s x86_64_defconfig
	cfg() { scripts/config "$@"; }
	# Identity: the module's vermagic must match this tree.
	cfg --set-str LOCALVERSION "-vmviz-debug" -d LOCALVERSION_AUTO
	# What the rig and the tests need.
	cfg -e MODULES -e MODULE_UNLOAD -e PROC_FS -e SYSFS -e DEVTMPFS -e TMPFS \
	    -e BLK_DEV_INITRD -e RD_GZIP -e SERIAL_8250 -e SERIAL_8250_CONSOLE \
	    -e X86_5LEVEL -e TRANSPARENT_HUGEPAGE -e HUGETLBFS -e HUGETLB_PAGE \
	    -e SWAP -e ZSMALLOC -e ZRAM -e CRYPTO_LZO -e CRYPTO_LZ4 \
	    -e IO_URING -e CHECKPOINT_RESTORE -e MEM_SOFT_DIRTY -e USERFAULTFD -e USER_NS -e NAMESPACES \
	    -e PID_NS -e MIGRATION -e COMPACTION -e X86_INTEL_MEMORY_PROTECTION_KEYS \
	    -e DEBUG_FS -e ACPI -e ANON_VMA_NAME -e PROC_PAGE_MONITOR -e SHMEM
	# The debug options this kernel exists for.
	cfg -e KASAN -e KASAN_GENERIC -e KASAN_INLINE \
	    -e PROVE_LOCKING -e PROVE_RCU -e DEBUG_LOCKDEP -e DEBUG_ATOMIC_SLEEP \
	    -e DEBUG_VM -e PAGE_TABLE_CHECK -e PAGE_TABLE_CHECK_ENFORCED \
	    -e DEBUG_KMEMLEAK -d DEBUG_KMEMLEAK_DEFAULT_OFF -d DEBUG_KMEMLEAK_AUTO_SCAN \
	    --set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 65536 \
	    -e DEBUG_LIST -e DEBUG_OBJECTS -e DEBUG_OBJECTS_FREE -e DEBUG_OBJECTS_RCU_HEAD \
	    -e HARDENED_USERCOPY -e UBSAN -e UBSAN_BOUNDS \
	    -e SOFTLOCKUP_DETECTOR -e DETECT_HUNG_TASK -e WQ_WATCHDOG \
	    -e DEBUG_INFO_NONE -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -d DEBUG_INFO_BTF \
	    -e STACKTRACE
	# Big subsystems no guest here uses: off, to keep the build short.
	cfg -d DRM -d SOUND -d SND -d WLAN -d WIRELESS -d CFG80211 -d MAC80211 \
	    -d NETDEVICES -d ETHERNET -d USB_SUPPORT -d NETFILTER -d NFS_FS \
	    -d NETWORK_FILESYSTEMS -d EXT4_FS -d SECURITY_SELINUX -d AGP \
	    -d FB -d INPUT_JOYSTICK -d INPUT_TABLET -d INPUT_TOUCHSCREEN \
	    -d HID -d MD -d ATA -d SCSI -d BLK_DEV_SD -d CDROM -d PCCARD \
	    -d IPV6 -d WIREGUARD -d BT -d RFKILL -d VIRTUALIZATION -d KVM \
	    -d XEN -d HYPERV -d EFI -d MODULE_SIG -d SECURITY -d AUDIT \
	    -d MICROCODE -d PERF_EVENTS_INTEL_UNCORE
	make -s olddefconfig
	for o in KASAN PROVE_LOCKING PROVE_RCU DEBUG_ATOMIC_SLEEP DEBUG_VM PAGE_TABLE_CHECK \
		 DEBUG_KMEMLEAK MODULES X86_5LEVEL TRANSPARENT_HUGEPAGE HUGETLBFS ZRAM SWAP \
		 IO_URING MEM_SOFT_DIRTY USERFAULTFD USER_NS MIGRATION \
		 X86_INTEL_MEMORY_PROTECTION_KEYS DEBUG_FS SERIAL_8250_CONSOLE BLK_DEV_INITRD; do
		grep -q "^CONFIG_$o=y" .config || lacks="${lacks:-} CONFIG_$o"
	done
	[ -z "${lacks:-}" ] || die "debug kernel config lacks$lacks"
	cp .config .config.vmviz
fi
configured=$(date +%s)

say "building the debug kernel in $tree (nice -n 19 make -j${VMVIZ_KJOBS:-2}; log $top/build.log)"
nice -n 19 make -j"${VMVIZ_KJOBS:-2}" >"$top/build.log" 2>&1 ||
	{ tail -n 40 "$top/build.log" >&2; die "debug kernel build failed"; }
built=$(date +%s)
[ "$(make -s kernelrelease)" = "$kver" ] ||
	die "debug kernel release is $(make -s kernelrelease), expected $kver"

mkdir -p "$img"
cp arch/x86/boot/bzImage "$img/vmlinuz"
{
	echo "unpack $((unpacked - start)) s"
	echo "configure $((configured - unpacked)) s"
	echo "build $((built - configured)) s (make -j${VMVIZ_KJOBS:-2}, $(nproc) cpus)"
	echo "tree $(du -sh "$tree" | cut -f1)"
} | tee "$top/cost" >&2
touch "$stamp"
