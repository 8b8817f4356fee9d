#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: checkpatch --strict on module/ and tools/, and a sparse build of
# the module (C=2) against the 6.12 headers. Any warning fails.
set -uo pipefail
. "$(dirname "$0")/common.sh"

"$RIG_DIR/setup.sh" 6.12 >/dev/null || exit 1
command -v sparse >/dev/null || die "sparse is missing: apt-get install sparse"

rc=0
# The reader is userspace: it has no compiler_attributes.h, so tools/vmviz.h
# defines __printf() itself, spelled out as checkpatch would have the
# kernel not spell it (PREFER_DEFINED_ATTRIBUTE_MACRO); everything else as
# for the module.
for dir in module tools; do
	ignore=FILE_PATH_CHANGES
	[ "$dir" = tools ] && ignore=$ignore,PREFER_DEFINED_ATTRIBUTE_MACRO
	files=$(cd "$TOP" && ls "$dir"/*.[ch] 2>/dev/null)
	# shellcheck disable=SC2086
	if ! (cd "$TOP" && perl "$CHECKPATCH" --strict --no-tree --terse --show-types \
		--ignore "$ignore" -f $files); then
		rc=1
	fi
done

out=$BUILD/lint
rm -rf "$out"
mkdir -p "$out"
cp -r "$TOP/Kbuild" "$TOP/module" "$out/"
make -s -C "$(kdir_of 6.12)" M="$out" VMVIZ_WERROR=1 C=2 CF="-D__CHECK_ENDIAN__" modules >"$out/sparse.log" 2>&1 || rc=1
if grep -E 'warning|error' "$out/sparse.log"; then
	rc=1
fi
[ $rc = 0 ] && echo "lint: checkpatch and sparse clean"
exit $rc
