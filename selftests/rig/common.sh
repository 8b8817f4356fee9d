# SPDX-License-Identifier: GPL-2.0
# Shared settings of the QEMU test rig: the kernel matrix, the cache, the mirror.
# Sourced by the other rig scripts; defines variables and small helpers only.

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$RIG_DIR/../.." && pwd)

# Downloads and builds that do not depend on this clone live outside it.
CACHE=${VMVIZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmviz}
# Per-clone products: modules, initramfs images, console logs, TAP.
BUILD=${VMVIZ_BUILD:-$TOP/build}

# The kernel matrix: short name, release, where its headers come from.
# 6.1, 6.12 and 6.12-rt (PREEMPT_RT) are in bookworm; 7.2 only in unstable,
# built in a chroot.
ALL_KERNELS="5.10 6.1 6.12 6.12-rt 7.2"
ALL_PAGING="4 5"

# pagings_of KERNEL [WANTED]: the paging modes to boot it in. 5.10 has no
# 5-level paging in Debian's build (CONFIG_X86_5LEVEL unset).
pagings_of() {
	local p
	for p in ${2:-$ALL_PAGING}; do
		[ "$1" = 5.10 ] && [ "$p" = 5 ] && continue
		echo "$p"
	done
}

kver_of() {
	case $1 in
	5.10) echo 5.10.0-46-amd64 ;;
	6.1) echo 6.1.0-56-amd64 ;;
	6.12) echo 6.12.117+deb12-amd64 ;;
	6.12-rt) echo 6.12.117+deb12-rt-amd64 ;;
	7.2) echo 7.2.13+deb14-amd64 ;;
	debug) debug_kver ;;
	*) echo "unknown kernel '$1' (known: $ALL_KERNELS)" >&2; return 1 ;;
	esac
}

# The debug kernel (debug-kernel.sh) is built from whatever point release of
# linux-source-6.12 Debian ships when it is built (6.12.117, then 6.12.118,
# ...), so its release is never written here: debug-kernel.sh derives it from
# the unpacked tree (make kernelversion, plus DEBUG_LOCALVERSION), checks it
# against the built tree's make kernelrelease, and records it in
# $DEBUG_DIR/release once the bzImage is in place. The module build dir
# (kdir_of), the image dir (image_dir_of), the initramfs and the run
# summaries all take it from there.
DEBUG_DIR=$CACHE/debug-kernel
DEBUG_LOCALVERSION=-vmviz-debug
debug_kver() {
	if [ -s "$DEBUG_DIR/release" ]; then
		cat "$DEBUG_DIR/release"
		return 0
	fi
	echo "no debug kernel built in $DEBUG_DIR (selftests/rig/debug-kernel.sh builds it; make check-debug runs it)" >&2
	return 1
}

# Kernels that live in a chroot rather than on the host: 7.2 in unstable,
# 5.10 in bullseye (its own gcc-10).
in_chroot() { [ "$1" = 7.2 ] || [ "$1" = 5.10 ]; }

CHROOT=$CACHE/unstable-chroot
# chroot_of KERNEL: the cached chroot that builds its module.
chroot_of() {
	case $1 in
	5.10) echo "$CACHE/bullseye-chroot" ;;
	*) echo "$CHROOT" ;;
	esac
}
# suite_of KERNEL: the Debian suite that has its headers.
suite_of() {
	case $1 in
	5.10) echo bullseye ;;
	7.2) echo unstable ;;
	*) echo bookworm ;;
	esac
}
SRC=$CACHE/linux-source
KSELFTEST_INC=$SRC/tools/testing/selftests
CHECKPATCH=$SRC/scripts/checkpatch.pl

kdir_of() {
	local kver
	kver=$(kver_of "$1") || return 1
	if [ "$1" = debug ]; then
		echo "$DEBUG_DIR/build"
	elif in_chroot "$1"; then
		echo "$(chroot_of "$1")/usr/src/linux-headers-$kver"
	else
		echo "/usr/src/linux-headers-$kver"
	fi
}

# The unpacked kernel image package: vmlinuz and lib/modules.
image_dir_of() { echo "$CACHE/images/$(kver_of "$1")"; }

# The main Debian mirror, read from the host's apt configuration (deb822 or
# one-line form); never written into a file. apt_mirror security: the
# security archive's.
apt_mirror() {
	local uri want=${1:-main}

	uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
	      awk '/^URIs:/ { print $2 }' | grep -v '^$' | apt_mirror_pick "$want")
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		      awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; next } }' |
		      apt_mirror_pick "$want")
	fi
	[ -n "$uri" ] || { echo "no Debian $want mirror found in /etc/apt" >&2; return 1; }
	echo "$uri"
}
apt_mirror_pick() {
	if [ "$1" = security ]; then
		grep security | head -n 1
	else
		grep -v security | head -n 1
	fi
}

die() { echo "rig: $*" >&2; exit 1; }

# Install the Debian packages of "$@" that are missing, or stop naming them
# when not root. Packages only: no suite is ever added to apt's sources.
need_packages() {
	local p missing=""

	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	[ "$(id -u)" = 0 ] ||
		die "not root, and these Debian packages are missing:$missing (install them, or run as root)"
	say "installing:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false update -q >/dev/null
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null ||
		die "apt-get install$missing failed"
}
say() { echo "rig: $*" >&2; }

# suite_chroot DIR SUITE PACKAGE...: a minbase chroot of a Debian release
# in the cache (debootstrap from the host's mirror; for a stable release
# also its -updates and -security suites, the security URI from the host's
# sources too), with PACKAGE... installed. The host's sources are never
# touched. Also used by dkms-test.sh.
suite_chroot() {
	local dir=$1 suite=$2 mirror security missing="" p
	shift 2
	if [ -x "$dir/usr/bin/apt-get" ]; then
		for p in "$@"; do
			chroot "$dir" dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
				grep -q 'ok installed' || missing="$missing $p"
		done
		[ -n "$missing" ] || return 0
	fi
	[ "$(id -u)" = 0 ] || die "building the $suite chroot needs root"
	mirror=$(apt_mirror)
	if [ ! -x "$dir/usr/bin/apt-get" ]; then
		say "debootstrapping $suite into $dir (a few minutes)"
		rm -rf "$dir"
		debootstrap --variant=minbase "$suite" "$dir" "$mirror" >"$CACHE/debootstrap-$suite.log" 2>&1 ||
			die "debootstrap failed, see $CACHE/debootstrap-$suite.log"
		# Kernel image packages (the headers' dependencies) would make
		# an initramfs for a chroot that never boots: minutes each.
		chroot "$dir" dpkg-divert --local --rename --add /usr/sbin/update-initramfs >/dev/null &&
			ln -sf /bin/true "$dir/usr/sbin/update-initramfs"
		if [ "$suite" != unstable ]; then
			security=$(apt_mirror security)
			{
				echo "deb $mirror $suite main"
				echo "deb $mirror $suite-updates main"
				echo "deb $security $suite-security main"
			} >"$dir/etc/apt/sources.list"
		fi
	fi
	say "installing in the $suite chroot:${missing:- $*}"
	chroot "$dir" /bin/sh -c "DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false update -q &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $*" \
		>"$CACHE/chroot-apt-$suite.log" 2>&1 ||
		die "apt in the $suite chroot failed, see $CACHE/chroot-apt-$suite.log"
}
