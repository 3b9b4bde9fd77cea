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
LINUX_SRC_FILES := \
	tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h \
	scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch scripts/extract-vmlinux

KSELFTEST_SRCS := $(wildcard selftests/kthread_lab/*_test.c)
KSELFTESTS := $(patsubst selftests/kthread_lab/%.c,$(BUILD)/selftests/%,$(KSELFTEST_SRCS))
KSELFTEST_CFLAGS := -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread \
	-I $(LINUX_SRC)/tools/testing/selftests -I selftests/kthread_lab
# The torture stress (`make torture`; guest-suite runs it too).
TORTURE := $(BUILD)/selftests/ktl_torture
TORTURE_SRCS := $(wildcard selftests/torture/*.c)
TORTURE_WORKERS ?= 8
TORTURE_SECONDS ?= 60

.PHONY: all modules clean modules_install install kmod testmod linux-src \
	selftests tools deps check check-debug demo lint bench torture

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
linux-src: $(LINUX_SRC)/.stamp
$(LINUX_SRC)/.stamp:
	@tar=$$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | tail -n 1); \
	test -n "$$tar" || { echo "linux-source-6.1 is not installed (run 'make deps')" >&2; exit 2; }; \
	mkdir -p $(LINUX_SRC) && \
	tar -xf "$$tar" -C $(LINUX_SRC) --strip-components=1 \
		$(addprefix linux-source-6.1/,$(LINUX_SRC_FILES))
	touch $@

selftests: $(KSELFTESTS) $(TORTURE)
$(TORTURE): $(TORTURE_SRCS) $(wildcard selftests/torture/*.h)
	@mkdir -p $(@D)
	$(CC) -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -o $@ $(TORTURE_SRCS)
$(BUILD)/selftests/%: selftests/kthread_lab/%.c $(wildcard selftests/kthread_lab/*.h) $(LINUX_SRC)/.stamp
	@mkdir -p $(@D)
	$(CC) $(KSELFTEST_CFLAGS) -o $@ $<

tools:
	cmake -S tools -B $(BUILD)/tools -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD)/tools -j2

install: tools
	cmake --install $(BUILD)/tools --prefix $(PREFIX)

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

# The torture stress on every guest kernel (KERNELS=... for some of them).
torture: deps
	@TORTURE_WORKERS=$(TORTURE_WORKERS) TORTURE_SECONDS=$(TORTURE_SECONDS) \
		selftests/torture/run $(KERNELS)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
