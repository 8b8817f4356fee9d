#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb: build the Debian packages vmviz-dkms and vmviz from this tree
# with debhelper and dh-dkms (build dependencies installed from Debian
# packages when missing), then run lintian on them. The files tracked by
# git (or the whole tree outside git) are copied to build/deb/vmviz-VERSION
# first, so the clone itself is never written. Output: build/deb/*.deb,
# the .dsc and .changes, and lintian.log. Fails on a lintian error or
# warning that debian/*lintian-overrides does not explain.
set -euo pipefail
. "$(dirname "$0")/common.sh"

need_packages dpkg-dev debhelper dh-dkms fakeroot libsmartcols-dev pkg-config \
	python3 librsvg2-bin lintian

version=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
dkms_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
[ "$version" = "$dkms_version" ] ||
	die "debian/changelog says $version, dkms.conf says $dkms_version: keep them equal"
grep -q "usr/src/vmviz-$version/" "$TOP/debian/vmviz-dkms.install" ||
	die "debian/vmviz-dkms.install does not install into usr/src/vmviz-$version"

out=$BUILD/deb
src=$out/vmviz-$version
rm -rf "$out"
mkdir -p "$src"
if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
	 xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	 tar --null -T - -cf -) | tar -xf - -C "$src"
else
	tar -C "$TOP" --exclude=./build -cf - . | tar -xf - -C "$src"
fi

say "building vmviz $version (dpkg-buildpackage, log: $out/build.log)"
(cd "$src" && dpkg-buildpackage -us -uc >"$out/build.log" 2>&1) || {
	tail -n 30 "$out/build.log" >&2
	die "dpkg-buildpackage failed (log: $out/build.log)"
}
changes=$(ls "$out"/vmviz_"$version"_*.changes)
ls "$out"/*.deb

rc=0
lintian --fail-on error,warning --info --display-info --pedantic "$changes" >"$out/lintian.log" 2>&1 || rc=$?
if [ -s "$out/lintian.log" ]; then
	sed 's/^/lintian: /' "$out/lintian.log"
fi
[ $rc = 0 ] || die "lintian found errors or warnings (log: $out/lintian.log)"
say "lintian: no errors or warnings left unexplained (overrides: debian/*lintian-overrides)"
