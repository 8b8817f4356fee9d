# SPDX-License-Identifier: GPL-2.0
# vmviz: the module (out-of-tree kbuild), the reader, the selftests and the
# QEMU rig that runs them on real Debian kernels.

KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
export PREFIX DESTDIR
VMVIZ_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/vmviz
export VMVIZ_CACHE

all: module userspace

module:
	@test -d "$(KDIR)" || { echo "no kernel build tree at $(KDIR): install the headers or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

userspace: tools selftests

tools:
	$(MAKE) -C tools

selftests:
	$(MAKE) -C selftests KSELFTEST_INC="$(VMVIZ_CACHE)/linux-source/tools/testing/selftests"

# Boots Debian 6.1, 6.12 and 7.2 in QEMU, 4- and 5-level paging, and runs
# every selftest in each. KERNELS= and PAGING= pick a subset.
check:
	selftests/rig/check.sh

# On a fresh Debian 12 machine as root: set up as check does, boot one
# kernel in QEMU and show the reader's demo (DEMO_KERNEL=, DEMO_PAGING=).
demo:
	selftests/rig/demo.sh

# The same tests on a debug build of 6.12 (KASAN, KFENCE, lockdep, PROVE_RCU,
# DEBUG_VM, PAGE_TABLE_CHECK, kmemleak, fault injection), 4- and 5-level
# paging, with the soak's stress run for VMVIZ_SOAK_SECS (600) per paging
# mode, each frame race for VMVIZ_RACE_SECS (120) and the late
# fault-injection test. The first run builds that kernel
# into the cache: see docs/RELIABILITY.md for what it costs.
check-debug:
	selftests/rig/debug-kernel.sh
	KERNELS=debug VMVIZ_SOAK_SECS=$${VMVIZ_SOAK_SECS:-600} \
		VMVIZ_KSTRESS_SECS=$${VMVIZ_KSTRESS_SECS:-600} \
		VMVIZ_RACE_SECS=$${VMVIZ_RACE_SECS:-120} \
		VMVIZ_RUN_TIMEOUT=$${VMVIZ_RUN_TIMEOUT:-4200} selftests/rig/check.sh

# The reports the reader's host tests read (tools/tests/reports/), captured
# anew in 6.12 guests; then UPDATE=1 tools/tests/run.sh for the goldens.
reports:
	selftests/rig/capture.sh

# The figures of the last runs (soak, unload, fuzz, kmemleak) as a table.
figures:
	@selftests/rig/figures.sh

lint:
	selftests/rig/lint.sh

# The module into /lib/modules/KVER (INSTALL_MOD_PATH=DESTDIR), and the
# reader, its man page and bash completion under PREFIX. For rebuilds on
# kernel upgrades, dkms.conf: see README.md.
install: install-module install-tools

install-module: module
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" INSTALL_MOD_PATH="$(DESTDIR)" modules_install

install-tools: tools
	$(MAKE) -C tools install

# Debian packages vmviz-dkms (module source + dkms.conf) and vmviz (the
# reader) from this tree, with lintian: build/deb/*.deb. See README.md.
deb:
	selftests/rig/deb.sh

# The package route per kernel: make deb, apt-get install ./vmviz-dkms_*.deb
# in a clean chroot with the kernels' headers, DKMS builds, one boot per
# kernel with the DKMS-built module, dkms remove leaves nothing. KERNELS=.
check-dkms:
	selftests/rig/dkms-test.sh

# Boots each kernel with the benchmark instead of the selftests and writes
# tables and graphs (docs/BENCHMARKS.md). Not part of check: timing never
# passes or fails anything. KERNELS=, PAGING= (default 4), BENCH_ARGS=.
bench:
	selftests/rig/bench.sh

clean:
	-test -d "$(KDIR)" && $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean
	rm -f module/*.o module/*.ko module/*.mod* module/.*.cmd module/modules.order
	rm -f Module.symvers modules.order .*.cmd
	$(MAKE) -C tools clean
	$(MAKE) -C selftests clean
	$(MAKE) -C selftests/bench clean
	rm -rf build

.PHONY: all module userspace tools selftests check check-debug figures demo lint reports \
	deb check-dkms bench install install-module install-tools clean
