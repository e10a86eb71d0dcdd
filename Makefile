# SPDX-License-Identifier: GPL-2.0
# kwg: top-level build, test and install interface. See README.md.

PREFIX ?= /usr
DESTDIR ?=
SYSTEMDUNITDIR ?= /lib/systemd/system
KWG_CACHE ?= /var/cache/kwg
export KWG_CACHE

# The kernel to build against: KDIR wins, then KVER, then the running
# kernel's build tree, then the installed 6.1 headers (this machine cannot
# load modules, so its own kernel usually has none).
ifeq ($(KDIR),)
ifneq ($(KVER),)
KDIR := $(firstword $(wildcard /lib/modules/$(KVER)/build /usr/src/linux-headers-$(KVER)))
else ifneq ($(wildcard /lib/modules/$(shell uname -r)/build),)
KVER := $(shell uname -r)
KDIR := /lib/modules/$(KVER)/build
else
KVER := $(shell scripts/kernels.sh kver 6.1 2>/dev/null)
KDIR := /usr/src/linux-headers-$(KVER)
endif
endif
KVER ?= $(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null)

.PHONY: all module tools deps check kunit vmtest vmtest-stock difftest hosttest \
	vmtest-debug vmtest-kcsan vmtest-uml vmtest-long install uninstall clean demo bench profile deb debtest

all: module tools

module:
	@test -d "$(KDIR)" || { echo "no kernel build tree (KDIR=$(KDIR)); run make deps or set KVER/KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module modules

tools:
	$(MAKE) -C tools

deps:
	scripts/deps.sh

hosttest:
	$(MAKE) -C tools check

kunit:
	tests/kunit/run

vmtest:
	tests/vm/run-all

# Only the runs against Debian's stock module: they validate the suites.
vmtest-stock:
	KWG_MODULES=stock tests/vm/run-all

# The debug and long targets record each run that passes
# (tests/vm/record.sh) and skip it while nothing it depends on changes, so
# they can be taken in parts: KWG_RECORD_STATUS=1 lists what is left,
# KWG_RECORD_DIR= (empty) runs everything.
RECORD = KWG_RECORD_DIR=$${KWG_RECORD_DIR-$${KWG_CACHE:-/var/cache/kwg}/results}

# Every suite except the benchmarks, the long soaks included, with our
# module on a 6.1 kernel built with KASAN, kmemleak, lockdep, PROVE_RCU,
# DEBUG_OBJECTS and fault injection (scripts/debug-kernel.sh builds it once
# into the cache). Any report fails the run. Too long for make check: run it
# before resolving any module issue. The 100 teardown cycles are the one
# suite left to the UML build of the same configuration (vmtest-uml, ~50
# minutes there): this x86 guest under TCG answers netlink 20 to 30 times
# slower than UML, so they would take many hours here, where dp-teardown
# already deletes namespaces and devices and unloads the module under
# traffic.
DEBUG_ONLY_ON_UML = teardown-cycles
DEBUG_SUITES = $(filter-out $(DEBUG_ONLY_ON_UML),$(shell grep -L '^\# kwg-vm:.*bench' tests/vm/suites/*.sh | xargs -n1 basename | sed 's/\.sh$$//'))
vmtest-debug:
	scripts/debug-kernel.sh build kasan >/dev/null
	$(RECORD) KWG_KERNELS=kasan KWG_SUITES="$(DEBUG_SUITES)" tests/vm/run-all

# The traffic suites and the kernel fuzzers on a 6.1 kernel built with the
# data-race detector KCSAN.
KCSAN_SUITES = dp-basic dp-load dp-teardown soak fuzz-netlink fuzz-wire
vmtest-kcsan:
	scripts/debug-kernel.sh build kcsan >/dev/null
	$(RECORD) KWG_KERNELS=kcsan KWG_SUITES="$(KCSAN_SUITES)" tests/vm/run-all

# The kernel fuzzers at full size, 10^6 requests and 10^6 datagrams, and
# the 100 teardown cycles, on the KASAN/kmemleak/lockdep kernel built as a
# UML binary (tests/vm/debug/uml.config): it runs at the host's speed, where
# the x86 guest under TCG would take days for the fuzzers and hours for the
# cycles.
UML_SUITES = fuzz-netlink fuzz-wire teardown-cycles
vmtest-uml:
	scripts/debug-kernel.sh build uml >/dev/null
	$(RECORD) KWG_KERNELS=uml KWG_SUITES="$(UML_SUITES)" tests/vm/run-all

# The soaks that do not fit make check's budget ("long" in a suite's
# header), on both series against our module.
LONG_SUITES = $(shell grep -l '^\# kwg-vm:.* long' tests/vm/suites/*.sh | xargs -r -n1 basename | sed 's/\.sh$$//')
vmtest-long:
	$(RECORD) KWG_SUITES="$(LONG_SUITES)" tests/vm/run-all

# The differential tests: each scenario of tests/diff/scenarios on the stock
# module and on ours in one guest per series, their records compared
# (tests/vm/README.md, "Differential tests"). KWG_DIFF_PAIR=stock:stock
# is the self-test.
difftest:
	tests/diff/run

check:
	tests/check.sh

# The benchmark (bench/run): plain veth, the stock module, ours (outer
# batching on and off) and wireguard-go, one guest at a time, interleaved over ROUNDS rounds (default
# 3) on each series of KWG_KERNELS: TCP and UDP throughput, ping RTT,
# control-plane times, memory, CPU per GB and UDP-stack trips per MB. The
# report (medians, spread, ratio to stock; Markdown, JSON, PNG charts) goes
# to bench/results/. Then the VM suites marked "bench" (peer removal) on
# ours and stock, unless QUICK=1 (one short round, smaller sizes). Figures
# are reported, never judged: this machine is shared.
BENCH_SUITES = $(shell grep -l '^\# kwg-vm:.*bench' tests/vm/suites/*.sh | xargs -r -n1 basename | sed 's/\.sh$$//')
bench:
	QUICK="$(QUICK)" ROUNDS="$(ROUNDS)" bench/run
	[ "$(QUICK)" = 1 ] || KWG_SUITES="$(BENCH_SUITES)" KWG_MODULES="ours stock" tests/vm/run-all

# Where a data packet's CPU time goes (bench/profile): one TCP stream
# through stock, ours and ours with udp_batching=0 under perf in the guest,
# the samples sorted into kinds of work; a table per series in
# bench/results/. About 40 seconds per boot.
profile:
	bench/profile

demo:
	scripts/demo.sh

# kwg-dkms and kwg-tools .debs into build/deb/ (packaging/README.md).
deb:
	packaging/build-deb.sh $(CURDIR)/build/deb

# The .debs installed and purged in a clean Debian 12 root (debootstrap,
# cached in /var/cache/kwg/deb): ~14 min cold, ~5 warm, too long for make
# check's budget; run it before resolving an issue that touches packaging.
debtest:
	tests/deb/run

# The module goes to updates/, ahead of the in-tree one in depmod's order.
install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module INSTALL_MOD_DIR=updates modules_install
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	install -D -m 0755 tools/wg-quick $(DESTDIR)$(PREFIX)/bin/wg-quick
	install -D -m 0644 tools/man/wg-quick.8 $(DESTDIR)$(PREFIX)/share/man/man8/wg-quick.8
	install -D -m 0644 tools/completion/wg-quick $(DESTDIR)$(PREFIX)/share/bash-completion/completions/wg-quick
	mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's#/usr/bin/#$(PREFIX)/bin/#g' tools/systemd/wg-quick@.service > $(DESTDIR)$(SYSTEMDUNITDIR)/wg-quick@.service
	install -m 0644 tools/systemd/wg-quick.target $(DESTDIR)$(SYSTEMDUNITDIR)/
	sed 's#/usr/bin/#$(PREFIX)/bin/#g' tools/systemd/wg-reresolve@.service > $(DESTDIR)$(SYSTEMDUNITDIR)/wg-reresolve@.service
	install -m 0644 tools/systemd/wg-reresolve@.timer $(DESTDIR)$(SYSTEMDUNITDIR)/

uninstall:
	rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/updates/wireguard.ko*
	-depmod -b "$(or $(INSTALL_MOD_PATH),/)" $(KVER) 2>/dev/null
	$(MAKE) -C tools uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	rm -f $(DESTDIR)$(PREFIX)/bin/wg-quick \
		$(DESTDIR)$(PREFIX)/share/man/man8/wg-quick.8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/wg-quick \
		$(DESTDIR)$(SYSTEMDUNITDIR)/wg-quick@.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/wg-quick.target \
		$(DESTDIR)$(SYSTEMDUNITDIR)/wg-reresolve@.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/wg-reresolve@.timer

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/module clean 2>/dev/null
	-$(MAKE) -C tools clean
	-$(MAKE) -C tests/vm/probes clean
