# kthread-lab.  On a fresh Debian/Ubuntu machine two commands do everything:
#   make demo    boots a guest, loads the module and narrates what it does
#   make check   installs what is missing, builds, runs every test
# See README.md for the rest.
SHELL := /bin/bash

# Kernel headers to build against.  Default: the newest installed Debian
# -amd64 headers, never `uname -r`: this machine's own kernel is no target.
# On a real machine: make KDIR=/lib/modules/$(uname -r)/build
KDIR ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
# The guest kernels of the test matrix (tools/vm/kernels prints the default).
KERNELS ?=
PREFIX ?= /usr/local
BUILD := build

LINUX_SRC := $(BUILD)/linux-src
# The kselftest framework (harness, lib.mk, runner, the selftests Makefile
# and what it includes) is enough of a kernel tree for the kthread_lab
# target to build and run in (selftests/kselftest-target proves it).
LINUX_SRC_FILES := \
	tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h \
	tools/testing/selftests/lib.mk \
	tools/testing/selftests/Makefile \
	tools/testing/selftests/run_kselftest.sh \
	tools/testing/selftests/kselftest/runner.sh \
	tools/testing/selftests/kselftest/module.sh \
	tools/testing/selftests/kselftest/prefix.pl \
	scripts/subarch.include \
	scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch scripts/extract-vmlinux scripts/kernel-doc
# Extracted again when the list changes.
LINUX_SRC_STAMP := $(LINUX_SRC)/.stamp-$(shell echo $(LINUX_SRC_FILES) | md5sum | cut -c1-8)

# The kselftests are built by their own kselftest Makefile (lib.mk), here
# into build/selftests: `make check` runs the same programs.
KSELFTEST_DIR := selftests/kthread_lab
# The torture stress (`make torture`; guest-suite runs it too).
TORTURE := $(BUILD)/selftests/ktl_torture
TORTURE_SRCS := $(wildcard selftests/torture/*.c)
TORTURE_WORKERS ?= 8
TORTURE_SECONDS ?= 60

.PHONY: all modules clean modules_install install kmod testmod linux-src \
	selftests tools deps check check-debug demo lint bench torture experiments

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

# One build tree per kernel release, so the test matrix never rebuilds back
# and forth: build/kmod/RELEASE/kthread_lab.ko.  KMOD_KDIR: the kernel tree
# to build against when it is not Debian's headers package (the debug
# kernel's O= tree, see tools/vm/debug-kernel).
KMOD_KDIR ?= /usr/src/linux-headers-$(KVER)
kmod:
	@test -n "$(KVER)" || { echo "make kmod: set KVER=<kernel release>" >&2; exit 2; }
	@mkdir -p $(BUILD)/kmod/$(KVER)
	@cp -a Kbuild driver $(BUILD)/kmod/$(KVER)/
	$(MAKE) -s -C $(KMOD_KDIR) M=$(CURDIR)/$(BUILD)/kmod/$(KVER) modules

# The module that warns on load, for the VM runner's own tests.
testmod:
	@test -n "$(KVER)" || { echo "make testmod: set KVER=<kernel release>" >&2; exit 2; }
	@mkdir -p $(BUILD)/kmod/$(KVER)/warn_module
	@cp -a selftests/warn_module/. $(BUILD)/kmod/$(KVER)/warn_module/
	$(MAKE) -s -C $(KMOD_KDIR) M=$(CURDIR)/$(BUILD)/kmod/$(KVER)/warn_module modules

# The few files taken from Debian's linux-source-6.1 package at build time
# (never copied into the repository).
linux-src: $(LINUX_SRC_STAMP)
$(LINUX_SRC_STAMP):
	@tar=$$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | tail -n 1); \
	test -n "$$tar" || { echo "linux-source-6.1 is not installed (run 'make deps')" >&2; exit 2; }; \
	rm -rf $(LINUX_SRC) && mkdir -p $(LINUX_SRC) && \
	tar -xf "$$tar" -C $(LINUX_SRC) --strip-components=1 \
		$(addprefix linux-source-6.1/,$(LINUX_SRC_FILES))
	touch $@

selftests: $(LINUX_SRC_STAMP) $(TORTURE)
	@mkdir -p $(BUILD)/selftests
	$(MAKE) -s -C $(KSELFTEST_DIR) OUTPUT=$(CURDIR)/$(BUILD)/selftests
$(TORTURE): $(TORTURE_SRCS) $(wildcard selftests/torture/*.h)
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -o $@ $(TORTURE_SRCS)

tools:
	cmake -S tools -B $(BUILD)/tools -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD)/tools -j2

# `make install` / `make uninstall`: ktlab, ktlab(1) and its bash completion
# under $(DESTDIR)$(PREFIX), and kthread_lab.ko for the kernel of KDIR under
# $(DESTDIR)/lib/modules/RELEASE/$(INSTALL_MOD_DIR).  depmod runs only on a
# real install (no DESTDIR): a staged tree is the packager's to index.
# The module is signed only where the kernel's signing key is at hand
# (Debian's headers have none; DKMS signs with the machine's MOK key).
.PHONY: uninstall dkms-source dkms-check doc-snippets
INSTALL_MOD_DIR ?= extra
KDIR_RELEASE = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
INSTALLED_TOOLS = $(DESTDIR)$(PREFIX)/bin/ktlab \
	$(DESTDIR)$(PREFIX)/share/man/man1/ktlab.1 \
	$(DESTDIR)$(PREFIX)/share/bash-completion/completions/ktlab
install: tools
	@test -n "$(KDIR_RELEASE)" || { echo "make install: no kernel headers at KDIR='$(KDIR)'" >&2; exit 2; }
	$(MAKE) -s kmod KVER=$(KDIR_RELEASE) KMOD_KDIR=$(KDIR)
	set -o pipefail; $(MAKE) -s -C $(KDIR) M=$(CURDIR)/$(BUILD)/kmod/$(KDIR_RELEASE) \
		INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) DEPMOD=true \
		$(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=) \
		modules_install 2>&1 | { grep -v -e '^Warning: modules_install: missing .System.map' \
			-e '^Skipping BTF generation' || true; }
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)/tools --prefix $(PREFIX)
	$(if $(DESTDIR),,depmod -a $(KDIR_RELEASE))

uninstall:
	@test -n "$(KDIR_RELEASE)" || { echo "make uninstall: no kernel headers at KDIR='$(KDIR)'" >&2; exit 2; }
	rm -f $(INSTALLED_TOOLS) \
		$(DESTDIR)/lib/modules/$(KDIR_RELEASE)/$(INSTALL_MOD_DIR)/kthread_lab.ko*
	-rmdir $(DESTDIR)/lib/modules/$(KDIR_RELEASE)/$(INSTALL_MOD_DIR) 2>/dev/null
	$(if $(DESTDIR),,depmod -a $(KDIR_RELEASE))

# DKMS (dkms.conf): `make dkms-source` puts the module's sources where
# `dkms add/build/install kthread-lab/VERSION` looks for them;
# `make dkms-check` builds them with dkms for every guest kernel in a
# throw-away DKMS tree.
DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
dkms-source:
	@test -n "$(DKMS_VERSION)" || { echo "make dkms-source: no PACKAGE_VERSION in dkms.conf" >&2; exit 2; }
	rm -rf $(DESTDIR)/usr/src/kthread-lab-$(DKMS_VERSION)
	mkdir -p $(DESTDIR)/usr/src/kthread-lab-$(DKMS_VERSION)
	cp -a dkms.conf Kbuild driver $(DESTDIR)/usr/src/kthread-lab-$(DKMS_VERSION)/

dkms-check:
	@selftests/dkms-check $(KERNELS)

# The shell snippets of README.md and Documentation/*.rst, run in a guest
# on each kernel (make check runs them in its guest suite).
doc-snippets:
	@for kernel in $(or $(KERNELS),$$(tools/vm/kernels)); do \
		tools/vm/run --kernel "$$kernel" --load -- selftests/doc-snippets || exit; \
	done

deps:
	@tools/deps

check: deps
	@selftests/check $(KERNELS)

# The guest suite under the debug kernel's checkers (also the last stage
# of `make check`).
check-debug: deps
	@selftests/check-debug

demo: deps
	@tools/demo/run

lint: deps
	@tools/lint

# The performance report (build/bench/report.md); KERNELS=... for some kernels.
bench: deps
	@tools/bench/run $(KERNELS)

# The in-kernel experiments on every guest kernel (KERNELS=... for some of
# them): Documentation/experiments/ and the guide's measured block.
experiments: deps
	@tools/experiments/run $(KERNELS)

# The torture stress on every guest kernel (KERNELS=... for some of them).
torture: deps
	@TORTURE_WORKERS=$(TORTURE_WORKERS) TORTURE_SECONDS=$(TORTURE_SECONDS) \
		selftests/torture/run $(KERNELS)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
