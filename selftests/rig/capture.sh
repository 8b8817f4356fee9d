#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make reports: boot 6.12 (4- and 5-level paging) with the module and write
# the reports the reader's host tests read into tools/tests/reports/, from
# real guests. Then `UPDATE=1 tools/tests/run.sh` makes the goldens anew.
# CAPTURE_KERNEL= and CAPTURE_PAGING= pick other runs, CAPTURE_DEST= another
# folder.
set -uo pipefail
. "$(dirname "$0")/common.sh"

k=${CAPTURE_KERNEL:-6.12}
"$RIG_DIR/setup.sh" "$k" || exit 1
make -s -C "$TOP" userspace || die "building the reader and the selftests failed"
"$RIG_DIR/build.sh" "$k" || exit 1
"$RIG_DIR/mkinitramfs.sh" "$k" || exit 1
dest=${CAPTURE_DEST:-$TOP/tools/tests/reports}
for p in ${CAPTURE_PAGING:-4 5}; do
	"$RIG_DIR/run.sh" "$k" "$p" capture >&2 || die "the capture run failed"
	tap=$BUILD/runs/$k-$p-capture/tap.log
	# Every file between its markers, carriage returns of the port removed.
	tr -d '\r' <"$tap" | awk -v dest="$dest" '
		/^# vmviz-capture begin / { f = dest "/" $4; d = f; sub(/\/[^\/]*$/, "", d)
			system("mkdir -p \"" d "\""); printf "" > f; next }
		/^# vmviz-capture end / { close(f); print "captured " f > "/dev/stderr"; f = ""; next }
		f != "" { print >> f }'
done
