#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Set-up from nothing: host packages, kernel images, linux-source extracts and
# the unstable chroot for 7.2. Everything downloaded is cached; a second run
# downloads nothing. Usage: setup.sh [KERNEL...]
set -euo pipefail
. "$(dirname "$0")/common.sh"

kernels=${*:-$ALL_KERNELS}

HOST_PKGS="qemu-system-x86 busybox-static cpio debootstrap sparse xz-utils
	libsmartcols-dev librsvg2-bin gcc make perl libc6-dev pkg-config kmod python3"
for k in $kernels; do
	in_chroot "$k" || [ "$k" = debug ] || HOST_PKGS="$HOST_PKGS linux-headers-$(kver_of "$k")"
done

# shellcheck disable=SC2086
need_packages $HOST_PKGS

mkdir -p "$CACHE/debs" "$CACHE/images"

# Fetch a package file into the cache (once) and unpack it into $2.
fetch_unpack() {
	local pkg=$1 dest=$2 deb
	deb=$(ls "$CACHE/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		say "downloading $pkg"
		(cd "$CACHE/debs" && apt-get -o APT::Sandbox::User=root download -q "$pkg" >/dev/null) ||
			die "apt-get download $pkg failed"
		deb=$(ls "$CACHE/debs/${pkg}_"*.deb | head -n 1)
	fi
	mkdir -p "$dest"
	dpkg-deb -x "$deb" "$dest"
}

# kselftest headers and checkpatch from linux-source-6.12, just those paths.
if [ ! -f "$CHECKPATCH" ] || [ ! -f "$KSELFTEST_INC/kselftest_harness.h" ]; then
	tmp=$(mktemp -d)
	fetch_unpack linux-source-6.12 "$tmp"
	tarball=$(ls "$tmp"/usr/src/linux-source-6.12*.tar.xz | head -n 1)
	say "extracting checkpatch and kselftest headers"
	mkdir -p "$SRC"
	tar -xJf "$tarball" -C "$SRC" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h'
	rm -rf "$tmp"
fi

# The unstable chroot that builds the 7.2 module and holds its image package.
setup_chroot() {
	local kver=$1 mirror
	if [ ! -x "$CHROOT/usr/bin/gcc" ] || [ ! -d "$CHROOT/usr/src/linux-headers-$kver" ]; then
		[ "$(id -u)" = 0 ] || die "building the unstable chroot needs root"
		mirror=$(apt_mirror)
		if [ ! -x "$CHROOT/usr/bin/apt-get" ]; then
			say "debootstrapping unstable into $CHROOT (about 75 s)"
			rm -rf "$CHROOT"
			debootstrap --variant=minbase unstable "$CHROOT" "$mirror" >"$CACHE/debootstrap.log" 2>&1 ||
				die "debootstrap failed, see $CACHE/debootstrap.log"
		fi
		say "installing the 7.2 headers and compiler in the chroot"
		chroot "$CHROOT" /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false update -q &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			gcc make libc6-dev linux-headers-$kver" >"$CACHE/chroot-apt.log" 2>&1 ||
			die "apt in the chroot failed, see $CACHE/chroot-apt.log"
	fi
	# The kernel is in linux-binary-*, its modules (zram) in linux-modules-*.
	local d
	d=$(image_dir_of 7.2)
	if [ ! -f "$d/vmlinuz" ] || [ ! -d "$d/usr/lib/modules/$kver/kernel" ]; then
		say "downloading linux-binary-$kver and linux-modules-$kver"
		mkdir -p "$CHROOT/tmp/debs" "$d"
		chroot "$CHROOT" /bin/sh -c "cd /tmp/debs && apt-get -o APT::Sandbox::User=root download -q \
			linux-binary-$kver linux-modules-$kver" >/dev/null ||
			die "apt-get download of the $kver packages failed"
		for deb in "$CHROOT"/tmp/debs/linux-*.deb; do
			cp "$deb" "$CACHE/debs/"
			dpkg-deb -x "$deb" "$d"
		done
		rm -f "$d/usr/lib/modules/$kver/modules.dep"
		ln -sf "usr/lib/modules/$kver/vmlinuz" "$d/vmlinuz"
	fi
}

# Debian 11's 5.10: headers and gcc-10 in a bullseye chroot; its image
# package (a real one there, kernel and modules) downloaded in it.
setup_bullseye() {
	local kver=$1 dir d deb
	dir=$(chroot_of 5.10)
	suite_chroot "$dir" bullseye gcc make libc6-dev "linux-headers-$kver"
	d=$(image_dir_of 5.10)
	if [ ! -f "$d/vmlinuz" ]; then
		say "downloading linux-image-$kver"
		mkdir -p "$dir/tmp/debs" "$d"
		chroot "$dir" /bin/sh -c "cd /tmp/debs && apt-get -o APT::Sandbox::User=root download -q \
			linux-image-$kver" >/dev/null ||
			die "apt-get download of linux-image-$kver failed"
		deb=$(ls "$dir"/tmp/debs/linux-image-"$kver"_*.deb | head -n 1)
		cp "$deb" "$CACHE/debs/"
		dpkg-deb -x "$deb" "$d"
		ln -sf "boot/vmlinuz-$kver" "$d/vmlinuz"
	fi
}

for k in $kernels; do
	kver=$(kver_of "$k")
	if [ "$k" = 5.10 ]; then
		setup_bullseye "$kver"
		continue
	fi
	if in_chroot "$k"; then
		setup_chroot "$kver"
		continue
	fi
	[ "$k" = debug ] && continue
	d=$(image_dir_of "$k")
	if [ ! -f "$d/vmlinuz" ]; then
		fetch_unpack "linux-image-$kver" "$d"
		for v in "$d/boot/vmlinuz-$kver" "$d/usr/lib/modules/$kver/vmlinuz"; do
			[ -f "$v" ] && ln -sf "${v#"$d"/}" "$d/vmlinuz"
		done
		[ -f "$d/vmlinuz" ] || die "no vmlinuz in linux-image-$kver"
	fi
done
say "set-up complete (cache: $CACHE)"
