#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make reports/ (format 2, what the reader reads) from reports-v1/ (format-1
# reports captured in the rig's guests) with v1to2.py. The demo's reports
# were read one after the other: each gets its own time, 1 ms apart, in the
# order the demo reads them. Run from anywhere; see README.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
rm -rf reports
mkdir -p reports
for f in reports-v1/*.report; do
	./v1to2.py "$f" "reports/${f#reports-v1/}"
done
for d in reports-v1/demo-*/; do
	d=${d%/}
	out=reports/${d#reports-v1/}
	mkdir -p "$out"
	ms=0
	for n in parent fork vfork clone thread; do
		./v1to2.py --time "$(printf '1764171300.%09d' $((ms * 1000000)))" \
			"$d/$n.report" "$out/$n.report"
		ms=$((ms + 1))
	done
done
