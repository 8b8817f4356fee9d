#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: set up as make check does (same code, same cache), boot one
# Debian kernel with the module, run the reader's demo and a few views in
# the guest, and print what they showed. DEMO_KERNEL=, DEMO_PAGING= pick.
set -uo pipefail
. "$(dirname "$0")/common.sh"

k=${DEMO_KERNEL:-6.12} paging=${DEMO_PAGING:-5}

"$RIG_DIR/setup.sh" "$k" || exit 1
make -s -C "$TOP" userspace || die "building the reader and the selftests failed"
"$RIG_DIR/build.sh" "$k" || exit 1
"$RIG_DIR/mkinitramfs.sh" "$k" || exit 1
say "booting $(kver_of "$k") with ${paging}-level paging in QEMU (software emulation: about a minute)"
rc=0
"$RIG_DIR/run.sh" "$k" "$paging" demo >&2 || rc=$?

# The guest's second serial port: the demo, between its markers; colour
# only for a terminal that wants it.
tap=$BUILD/runs/$k-$paging-demo/tap.log
out=$(sed -n '/^# vmviz-demo begin/,/^# vmviz-demo end/p' "$tap" 2>/dev/null |
      sed '1d;$d' | tr -d '\r')
[ -n "$out" ] || die "the guest printed no demo (logs: $BUILD/runs/$k-$paging-demo)"
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	printf '%s\n' "$out"
else
	printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*m//g'
fi
exit $rc
