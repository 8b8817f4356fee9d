#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug guest kernel (KASAN, KFENCE, lockdep, PROVE_RCU, DEBUG_VM,
# DEBUG_VM_PGFLAGS, PAGE_TABLE_CHECK, kmemleak, fault injection...) from
# Debian's linux-source-6.12 package, small enough for a 2-core machine:
# x86_64_defconfig, minus graphics, sound, wireless and network drivers, plus
# what the rig and the tests need.
#
# Whatever point release of linux-source-6.12 Debian ships is built (apt's
# candidate, e.g. 6.12.118); its release (e.g. 6.12.118-vmviz-debug) comes
# from the unpacked tree and is printed and recorded in $DEBUG_DIR/release,
# where kver_of debug (common.sh) reads it. The tree stays in the cache (the
# module builds against it); the bzImage goes where image_dir_of expects a
# kernel. Built once; a second run says what is built and does nothing,
# unless the config recipe below changed (then it rebuilds, from the source
# Debian ships then) or VMVIZ_DEBUG_REBUILD=1 asks for a rebuild from the
# current source. Usage: debug-kernel.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"

top=$DEBUG_DIR
tree=$top/build
# A debug kernel counts as built when its release, the source package it
# came from and the config recipe it was built with are recorded, and its
# bzImage is in place.
built_file=$top/built

# The config: x86_64_defconfig plus these, in the tree (the working dir).
# Its text is the recipe: a change to it rebuilds the kernel.
configure_tree() {
	make -s x86_64_defconfig
	cfg() { scripts/config "$@"; }
	# Identity: the module's vermagic must match this tree.
	cfg --set-str LOCALVERSION "$DEBUG_LOCALVERSION" -d LOCALVERSION_AUTO
	# What the rig and the tests need: hugetlbfs (shared hugetlb page
	# tables), userfaultfd and FUSE (a target whose mmap lock is stuck
	# behind a fault that is never answered).
	cfg -e MODULES -e MODULE_UNLOAD -e PROC_FS -e SYSFS -e DEVTMPFS -e TMPFS \
	    -e BLK_DEV_INITRD -e RD_GZIP -e SERIAL_8250 -e SERIAL_8250_CONSOLE \
	    -e X86_5LEVEL -e TRANSPARENT_HUGEPAGE -e HUGETLBFS -e HUGETLB_PAGE \
	    -e SWAP -e ZSMALLOC -e ZRAM -e CRYPTO_LZO -e CRYPTO_LZ4 \
	    -e IO_URING -e CHECKPOINT_RESTORE -e MEM_SOFT_DIRTY -e USERFAULTFD -e USER_NS -e NAMESPACES \
	    -e PID_NS -e MIGRATION -e COMPACTION -e KSM -e X86_INTEL_MEMORY_PROTECTION_KEYS \
	    -e DEBUG_FS -e ACPI -e ANON_VMA_NAME -e PROC_PAGE_MONITOR -e SHMEM \
	    -e FUSE_FS
	# The debug options this kernel exists for.
	cfg -e KASAN -e KASAN_GENERIC -e KASAN_INLINE \
	    -e PROVE_LOCKING -e PROVE_RCU -e DEBUG_LOCKDEP -e DEBUG_ATOMIC_SLEEP \
	    -e DEBUG_VM -e DEBUG_VM_PGFLAGS -e PAGE_TABLE_CHECK -e PAGE_TABLE_CHECK_ENFORCED \
	    -e DEBUG_KMEMLEAK -d DEBUG_KMEMLEAK_DEFAULT_OFF -d DEBUG_KMEMLEAK_AUTO_SCAN \
	    --set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 65536 \
	    -e DEBUG_LIST -e DEBUG_OBJECTS -e DEBUG_OBJECTS_FREE -e DEBUG_OBJECTS_RCU_HEAD \
	    -e HARDENED_USERCOPY -e UBSAN -e UBSAN_BOUNDS \
	    -e SOFTLOCKUP_DETECTOR -e DETECT_HUNG_TASK -e WQ_WATCHDOG \
	    -e DEBUG_INFO_NONE -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -d DEBUG_INFO_BTF \
	    -e STACKTRACE
	# KFENCE rather than DEBUG_PAGEALLOC: debug_pagealloc=on unmaps every
	# freed page from the direct map (which it also forces down to 4K
	# pages) and flushes the TLB on every page allocation and free; under
	# TCG each flush empties QEMU's software TLB, on a kernel KASAN
	# already makes several times slower. KFENCE guards one sampled slab
	# allocation per interval with guard pages and costs next to nothing
	# between samples: 10 ms here (the default is 100 ms; a guest command
	# line's kfence.sample_interval= overrides it). Static keys off: each
	# sample would patch kernel text with IPIs, slow and flaky under TCG.
	# Its reports start "BUG: KFENCE:", which run.sh's console check
	# counts as a splat ("BUG:").
	cfg -e KFENCE --set-val KFENCE_SAMPLE_INTERVAL 10 -d KFENCE_STATIC_KEYS \
	    -d KFENCE_DEFERRABLE
	# The kernel's own page-table dump, a truth to compare against:
	# /sys/kernel/debug/page_tables/ (Debian's kernels lack it).
	cfg -e PTDUMP_DEBUGFS
	# Fault injection for the load, track and all-mode paths: failslab and
	# fail_page_alloc, driven through /sys/kernel/debug/fail*/ (the
	# stacktrace filter lets a run fail only allocations made from the
	# module's addresses: require-start/require-end).
	cfg -e FAULT_INJECTION -e FAILSLAB -e FAIL_PAGE_ALLOC -e FAULT_INJECTION_DEBUG_FS \
	    -e FAULT_INJECTION_STACKTRACE_FILTER
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
	local o lacks=""
	for o in KASAN PROVE_LOCKING PROVE_RCU DEBUG_ATOMIC_SLEEP DEBUG_VM DEBUG_VM_PGFLAGS \
		 PAGE_TABLE_CHECK DEBUG_KMEMLEAK KFENCE PTDUMP_DEBUGFS \
		 FAILSLAB FAIL_PAGE_ALLOC FAULT_INJECTION_DEBUG_FS FAULT_INJECTION_STACKTRACE_FILTER \
		 MODULES X86_5LEVEL TRANSPARENT_HUGEPAGE HUGETLBFS ZRAM SWAP \
		 IO_URING MEM_SOFT_DIRTY USERFAULTFD FUSE_FS USER_NS MIGRATION KSM \
		 X86_INTEL_MEMORY_PROTECTION_KEYS DEBUG_FS SERIAL_8250_CONSOLE BLK_DEV_INITRD; do
		grep -q "^CONFIG_$o=y" .config || lacks="$lacks CONFIG_$o"
	done
	grep -q '^CONFIG_KFENCE_SAMPLE_INTERVAL=10$' .config ||
		lacks="$lacks CONFIG_KFENCE_SAMPLE_INTERVAL=10"
	[ -z "$lacks" ] || die "debug kernel config lacks$lacks"
}
recipe=$(declare -f configure_tree | sha256sum | cut -c 1-16)

# The version of linux-source-6.12 apt would fetch now (its candidate, from
# the host's own package lists); empty if apt knows none.
debian_source_version() {
	apt-cache policy linux-source-6.12 2>/dev/null |
		awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'
}

# already_built: true, saying which, when the recorded build is complete and
# was made with this recipe (and no rebuild is asked for).
already_built() {
	local rel src rcp shipped
	[ -s "$built_file" ] && [ -s "$top/release" ] || return 1
	read -r rel src rcp <"$built_file"
	[ "$rel" = "$(cat "$top/release")" ] && [ -f "$CACHE/images/$rel/vmlinuz" ] || return 1
	if [ "$rcp" != "$recipe" ]; then
		say "debug kernel $rel was built with another config recipe: rebuilding"
		return 1
	fi
	[ "${VMVIZ_DEBUG_REBUILD:-0}" = 1 ] && return 1
	shipped=$(debian_source_version)
	say "debug kernel $rel is built (from linux-source-6.12 $src)"
	if [ -n "$shipped" ] && [ "$shipped" != "$src" ]; then
		say "Debian now ships linux-source-6.12 $shipped: VMVIZ_DEBUG_REBUILD=1 $0 builds it"
	fi
	return 0
}

already_built && exit 0

# Host tools the kernel build needs, Debian packages only.
HOST_PKGS="bc flex bison libelf-dev libssl-dev gcc make perl xz-utils cpio kmod"
# shellcheck disable=SC2086
need_packages $HOST_PKGS

# One build at a time: clones share the cache.
mkdir -p "$top"
exec 8>"$top/lock"
flock 8
already_built && exit 0

# The source package: the version Debian ships now, from the cache if it
# has it (setup.sh fetches it for checkpatch), else downloaded with apt.
# Without a candidate (no package lists), the newest cached one.
want=$(debian_source_version)
deb=""
for d in "$CACHE/debs/linux-source-6.12_"*.deb; do
	[ -f "$d" ] || continue
	[ -z "$want" ] || [ "$(dpkg-deb -f "$d" Version)" = "$want" ] || continue
	deb=$d
done
if [ -z "$deb" ] && [ -z "$want" ]; then
	deb=$(ls "$CACHE/debs/linux-source-6.12_"*.deb 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$deb" ]; then
	say "downloading linux-source-6.12${want:+ $want}"
	mkdir -p "$CACHE/debs"
	(cd "$CACHE/debs" && apt-get -o APT::Sandbox::User=root download -q \
		"linux-source-6.12${want:+=$want}" >/dev/null) ||
		die "apt-get download linux-source-6.12 failed"
	deb=$(ls "$CACHE/debs/linux-source-6.12_"*.deb | sort -V | tail -n 1)
fi
src=$(dpkg-deb -f "$deb" Version)

# Nothing may use the tree while it changes: kver_of debug fails until the
# new kernel is in place.
rm -f "$top/release" "$built_file"

start=$(date +%s)
if [ ! -f "$tree/Makefile" ] || [ "$(cat "$top/source" 2>/dev/null)" != "$src" ]; then
	say "unpacking linux-source-6.12 $src into $tree"
	rm -rf "$tree" "$top/deb" "$top/source"
	mkdir -p "$tree" "$top/deb"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$top/deb" --wildcards '*/linux-source-6.12*.tar.xz'
	tar -xJf "$top"/deb/usr/src/linux-source-6.12*.tar.xz -C "$tree" --strip-components=1
	rm -rf "$top/deb"
	echo "$src" >"$top/source"
fi
unpacked=$(date +%s)

cd "$tree"
# The release this tree builds: its Makefile's VERSION.PATCHLEVEL.SUBLEVEL
# (and EXTRAVERSION) with the LOCALVERSION the config sets.
kver=$(make -s kernelversion)$DEBUG_LOCALVERSION
img=$CACHE/images/$kver
say "debug kernel $kver from linux-source-6.12 $src"

if [ ! -f .config.vmviz ] || [ "$(cat .config.recipe 2>/dev/null)" != "$recipe" ]; then
	rm -f .config.vmviz .config.recipe
	configure_tree
	cp .config .config.vmviz
	echo "$recipe" >.config.recipe
fi
configured=$(date +%s)

say "building the debug kernel in $tree (nice -n 19 make -j${VMVIZ_KJOBS:-2}; log $top/build.log)"
nice -n 19 make -j"${VMVIZ_KJOBS:-2}" >"$top/build.log" 2>&1 ||
	{ tail -n 40 "$top/build.log" >&2; die "debug kernel build failed"; }
built=$(date +%s)
release=$(make -s kernelrelease)
[ "$release" = "$kver" ] ||
	die "debug kernel release is $release, but the tree's Makefile and LOCALVERSION say $kver"

# Images of debug kernels built before from other releases are stale.
for d in "$CACHE"/images/*"$DEBUG_LOCALVERSION"; do
	[ -d "$d" ] && [ "$d" != "$img" ] && rm -rf "$d"
done
mkdir -p "$img"
cp arch/x86/boot/bzImage "$img/vmlinuz"
{
	echo "release $kver (linux-source-6.12 $src)"
	echo "unpack $((unpacked - start)) s"
	echo "configure $((configured - unpacked)) s"
	echo "build $((built - configured)) s (make -j${VMVIZ_KJOBS:-2}, $(nproc) cpus)"
	echo "tree $(du -sh "$tree" | cut -f1)"
} | tee "$top/cost" >&2
echo "$kver $src $recipe" >"$built_file.new"
mv "$built_file.new" "$built_file"
echo "$kver" >"$top/release.new"
mv "$top/release.new" "$top/release"
say "built debug kernel $kver (linux-source-6.12 $src): $img/vmlinuz"
