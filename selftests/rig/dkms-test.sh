#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-dkms: the package route, tested the way a user takes it. Builds
# the packages (deb.sh), then per Debian release of the matrix (bookworm:
# 6.1, 6.12, 6.12-rt; unstable: 7.2; bullseye: 5.10) takes a clean chroot
# holding those kernels' headers and a compiler (a throwaway overlay over a
# cached chroot, which stays untouched), installs dkms and then
# ./vmviz-dkms_*.deb with apt-get, and lets DKMS build the module for every
# kernel there. It keeps each DKMS-built vmviz.ko, runs `dkms remove
# vmviz/VERSION --all` and purges the package, and checks that nothing of
# vmviz is left: no file named vmviz, none that mentions it, no DKMS tree.
# Then it boots each kernel once (4-level paging) with the DKMS-built
# module instead of the tree's and runs every selftest.
# Usage: dkms-test.sh [KERNEL...]   (default: KERNELS or the whole matrix)
set -uo pipefail
. "$(dirname "$0")/common.sh"

kernels=${*:-${KERNELS:-$ALL_KERNELS}}
[ "$(id -u)" = 0 ] || die "the DKMS test needs root (chroots, mounts)"

"$RIG_DIR/setup.sh" $kernels || exit 1
"$RIG_DIR/deb.sh" >/dev/null || die "make deb failed"
version=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
deb=$(ls "$BUILD"/deb/vmviz-dkms_"$version"_all.deb) || die "no vmviz-dkms package"
make -s -C "$TOP" userspace || die "building the selftests and tools failed"

out=$BUILD/dkms
rm -rf "$out"
mkdir -p "$out"

# The cached chroot of a release, with the headers of its kernels of the
# matrix (setup.sh makes the 7.2 and 5.10 ones; bookworm's is made here).
base_of() {
	case $1 in
	bookworm) echo "$CACHE/bookworm-chroot" ;;
	bullseye) chroot_of 5.10 ;;
	unstable) echo "$CHROOT" ;;
	esac
}

# In the overlay root $1: the file list, for a before/after comparison.
snapshot() { (cd "$1" && find . -xdev \( -path ./proc -o -path ./tmp -o -path ./var/cache -o -path ./var/log -o -path ./var/lib/apt -o -path ./var/lib/dpkg \) -prune -o -print | sort); }

fails=0
declare -A kos=()

# test_suite SUITE KERNEL...: install, build, collect, remove, check.
test_suite() {
	local suite=$1 base d root upper log k kver mod left status
	shift
	base=$(base_of "$suite")
	d=$out/$suite
	root=$d/root upper=$d/upper log=$d/log
	mkdir -p "$root" "$upper" "$d/work" "$CACHE/apt-archives/$suite/partial"
	if [ "$suite" = bookworm ]; then
		local hdrs="" k2
		for k2 in "$@"; do hdrs="$hdrs linux-headers-$(kver_of "$k2")"; done
		# shellcheck disable=SC2086
		suite_chroot "$base" bookworm gcc make libc6-dev $hdrs || return 1
	fi
	# The 7.2 module builds use the same lower directory: not meanwhile.
	exec 9>"$CACHE/chroot.lock"
	flock 9
	mount -t overlay overlay -o "lowerdir=$base,upperdir=$upper,workdir=$d/work" "$root" ||
		{ say "overlay mount failed"; return 1; }
	mount -t proc proc "$root/proc"
	mount --bind "$CACHE/apt-archives/$suite" "$root/var/cache/apt/archives"
	cp "$deb" "$root/tmp/"

	local rc=0
	chroot "$root" /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dkms" \
		>"$log" 2>&1 || rc=1
	snapshot "$root" >"$d/before"
	if [ $rc = 0 ]; then
		say "$suite: apt-get install ./$(basename "$deb") (DKMS builds for$(for k in "$@"; do printf ' %s' "$k"; done))"
		chroot "$root" /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/$(basename "$deb")" \
			>>"$log" 2>&1 || rc=1
	fi
	chroot "$root" dkms status >"$d/status" 2>&1
	cat "$d/status" >>"$log"
	for k in "$@"; do
		kver=$(kver_of "$k")
		# dkms 3 says "vmviz/1.0, KVER, ...", bullseye's dkms 2.8 "vmviz, 1.0, KVER, ...".
		status=$(grep -F -e "vmviz/$version, $kver, x86_64: installed" \
			-e "vmviz, $version, $kver, x86_64: installed" "$d/status")
		mod=$(ls "$root/lib/modules/$kver/updates/dkms/"vmviz.ko* 2>/dev/null | head -n 1)
		if [ -z "$status" ] || [ -z "$mod" ]; then
			echo "not ok dkms.$k.build: DKMS did not install vmviz for $kver (log: $log)"
			fails=$((fails + 1))
			continue
		fi
		mkdir -p "$out/$k"
		case $mod in
		*.xz) xz -dc "$mod" >"$out/$k/vmviz.ko" ;;
		*.zst) zstd -qdc "$mod" >"$out/$k/vmviz.ko" ;;
		*) cp "$mod" "$out/$k/vmviz.ko" ;;
		esac
		if modinfo -F vermagic "$out/$k/vmviz.ko" | grep -q "^$kver "; then
			echo "ok dkms.$k.build: $(basename "$mod") for $kver ($(sha256sum "$out/$k/vmviz.ko" | cut -c 1-12))"
			kos[$k]=$out/$k/vmviz.ko
		else
			echo "not ok dkms.$k.build: vermagic is not $kver"
			fails=$((fails + 1))
		fi
	done

	# Remove as a user would: dkms remove, then purge the package.
	chroot "$root" dkms remove "vmviz/$version" --all >>"$log" 2>&1 || rc=1
	left=$(cd "$root" && { ls -d var/lib/dkms/vmviz 2>/dev/null; find lib/modules usr/lib/modules -name 'vmviz.ko*' 2>/dev/null; grep -l vmviz lib/modules/*/modules.dep usr/lib/modules/*/modules.dep 2>/dev/null; })
	if [ -z "$left" ] && [ $rc = 0 ]; then
		echo "ok dkms.$suite.remove: dkms remove vmviz/$version --all left no module, DKMS tree or modules.dep line"
	else
		echo "not ok dkms.$suite.remove: left behind: ${left:-(dkms remove failed, log: $log)}"
		fails=$((fails + 1))
	fi
	chroot "$root" /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get purge -y -q vmviz-dkms" >>"$log" 2>&1 || rc=1
	snapshot "$root" >"$d/after"
	# New since dkms alone was installed: only what depmod regenerates, and
	# none of it may name vmviz.
	left=$(comm -13 "$d/before" "$d/after" | while read -r f; do
		case $f in *vmviz*) echo "$f"; continue ;; esac
		[ -f "$root/$f" ] && grep -q vmviz "$root/$f" 2>/dev/null && echo "$f"
	done)
	if [ -z "$left" ] && [ $rc = 0 ] && [ ! -e "$root/usr/src/vmviz-$version" ]; then
		echo "ok dkms.$suite.purge: after dkms remove and apt-get purge, nothing names vmviz ($(comm -13 "$d/before" "$d/after" | wc -l) new files, all depmod's)"
	else
		echo "not ok dkms.$suite.purge: left behind: $(echo "$left" | tr '\n' ' ')"
		fails=$((fails + 1))
	fi

	umount "$root/var/cache/apt/archives" "$root/proc" "$root"
	flock -u 9
	rm -rf "$upper" "$d/work"
}

declare -A by_suite=()
for k in $kernels; do
	s=$(suite_of "$k")
	by_suite[$s]="${by_suite[$s]:-} $k"
done
for s in bookworm unstable bullseye; do
	[ -n "${by_suite[$s]:-}" ] || continue
	# shellcheck disable=SC2086
	test_suite "$s" ${by_suite[$s]} || fails=$((fails + 1))
done

# One boot per kernel with the DKMS-built module.
for k in $kernels; do
	[ -n "${kos[$k]:-}" ] || continue
	"$RIG_DIR/mkinitramfs.sh" "$k" "${kos[$k]}" "$out/$k/initramfs.cpio.gz" || exit 1
	if VMVIZ_RUN_DIR=$BUILD/runs/dkms-$k VMVIZ_INITRD=$out/$k/initramfs.cpio.gz \
	   "$RIG_DIR/run.sh" "$k" 4 check >"$out/$k/summary" 2>&1; then
		echo "ok dkms.$k.boot: $(head -n 1 "$out/$k/summary")"
	else
		echo "not ok dkms.$k.boot:"
		sed 's/^/    /' "$out/$k/summary"
		fails=$((fails + 1))
	fi
done
[ $fails = 0 ] && echo "dkms: all passed" || echo "dkms: $fails failed"
[ $fails = 0 ]
