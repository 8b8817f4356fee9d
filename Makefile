# SPDX-License-Identifier: GPL-2.0
# vmviz: the module (out-of-tree kbuild), the reader, the selftests and the
# QEMU rig that runs them on real Debian kernels.

KDIR ?= /lib/modules/$(shell uname -r)/build
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

# The same tests on a debug build of 6.12 (KASAN, lockdep, PROVE_RCU,
# DEBUG_VM, PAGE_TABLE_CHECK, kmemleak), 4- and 5-level paging. The first
# run builds that kernel into the cache: see docs/RELIABILITY.md for what it
# costs.
check-debug:
	selftests/rig/debug-kernel.sh
	KERNELS=debug VMVIZ_RUN_TIMEOUT=$${VMVIZ_RUN_TIMEOUT:-2400} selftests/rig/check.sh

# The figures of the last runs (soak, unload, fuzz, kmemleak) as a table.
figures:
	@selftests/rig/figures.sh

lint:
	selftests/rig/lint.sh

clean:
	-test -d "$(KDIR)" && $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean
	rm -f module/*.o module/*.ko module/*.mod* module/.*.cmd module/modules.order
	rm -f Module.symvers modules.order .*.cmd
	$(MAKE) -C tools clean
	$(MAKE) -C selftests clean
	rm -rf build

.PHONY: all module userspace tools selftests check check-debug figures lint clean
