#!/usr/bin/env bats
# selftests/kthread_lab as a kselftest target, proven the kernel's way:
# built by its lib.mk Makefile against linux-source-6.1's harness, and,
# copied into a kernel tree's tools/testing/selftests/, run by
# `make -C tools/testing/selftests TARGETS=kthread_lab run_tests` and by the
# run_kselftest.sh that `make ... install` writes, in a guest, with KTAP
# output that follows the kernel's conventions (selftests/ktap-check).
# The guest part is one boot running one quick program (oneshot_test) of
# the target: the whole suite runs in `make check` anyway.
# KTL_TEST_KERNEL selects the guest kernel (default: the runner's default).

bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

setup_file() {
	export REPO="$BATS_TEST_DIRNAME/.."
	REPO=$(cd "$REPO" && pwd)
	export KERNEL="${KTL_TEST_KERNEL:-$("$REPO/tools/vm/kernels" | sed -n 1p)}"
	export TREE="$REPO/build/ksft-tree" OUT="$REPO/build/ksft-tree/out"
	local ksft="$TREE/tools/testing/selftests" started=$SECONDS

	make -s -C "$REPO" linux-src
	make -s -C "$REPO" kmod KVER="$KERNEL" >/dev/null
	# An extracted kernel tree (the kselftest part of linux-source-6.1)
	# with the target copied in, as a developer would.
	rm -rf "$TREE"
	mkdir -p "$TREE" "$OUT"
	cp -a "$REPO/build/linux-src/." "$TREE/"
	mkdir "$ksft/kthread_lab"
	cp -a "$REPO"/selftests/kthread_lab/{Makefile,config,settings,*.c,*.h,*.sh} "$ksft/kthread_lab/"
	# Built on the host (compiling in an emulated guest takes minutes).
	make -s -C "$ksft" TARGETS=kthread_lab KTL_TESTS=oneshot_test >"$OUT/build.log" 2>&1
	make -s -C "$ksft" TARGETS=kthread_lab KTL_TESTS=oneshot_test install \
		KSFT_INSTALL_PATH="$TREE/install" >"$OUT/install.log" 2>&1

	# Output appended (>>): the kselftest runner writes each test's output
	# through its own append-mode open of /dev/stdout, which overwrites
	# the runner's own lines in a file opened without O_APPEND.
	cat >"$OUT/guest.sh" <<GUEST
#!/bin/bash
export KTL_MODULE=$REPO/build/kmod/$KERNEL/kthread_lab.ko
make -s -C $ksft TARGETS=kthread_lab KTL_TESTS=oneshot_test run_tests >>$OUT/run_tests.ktap 2>&1
echo \$? >$OUT/run_tests.status
[ ! -d /sys/kernel/config/kthread_lab ] || echo "kthread_lab still loaded" >$OUT/leftover
$TREE/install/run_kselftest.sh >>$OUT/run_kselftest.ktap 2>&1
echo \$? >$OUT/run_kselftest.status
[ ! -d /sys/kernel/config/kthread_lab ] || echo "kthread_lab still loaded" >>$OUT/leftover
KTL_MODULE=/nonexistent/kthread_lab.ko $TREE/install/run_kselftest.sh >>$OUT/skip.ktap 2>&1
echo \$? >$OUT/skip.status
GUEST
	"$REPO/tools/vm/run" --kernel "$KERNEL" --timeout 600 -- bash "$OUT/guest.sh" >"$OUT/guest.log" 2>&1 ||
		echo "the guest failed: $(tail -n 20 "$OUT/guest.log")" >"$OUT/guest.failed"
	echo "# kselftest-target: setup (host build, install, guest) took $((SECONDS - started)) s" >&3
}

guest_ok() {
	[ ! -e "$OUT/guest.failed" ] || { cat "$OUT/guest.failed"; return 1; }
}

@test "kselftest target: make -C selftests/kthread_lab builds every program against linux-source-6.1's harness" {
	local src name
	run make -C "$REPO/selftests/kthread_lab" OUTPUT="$REPO/build/selftests" -B -n
	assert_success
	for src in "$REPO"/selftests/kthread_lab/*_test.c; do
		name=$(basename "$src" .c)
		assert_line --regexp "^gcc .*-I$REPO/build/linux-src/tools/testing/selftests .*$name\.c .*-o $REPO/build/selftests/$name\$"
	done
	run make -s -C "$REPO/selftests/kthread_lab" OUTPUT="$REPO/build/selftests"
	assert_success
	for src in "$REPO"/selftests/kthread_lab/*_test.c; do
		[ -x "$REPO/build/selftests/$(basename "$src" .c)" ]
	done
}

@test "kselftest target: in a kernel tree, run_tests loads kthread_lab, runs the target, unloads it, in KTAP" {
	guest_ok
	run cat "$OUT/run_tests.ktap"
	assert_line "TAP version 13"
	assert_line "1..1"
	assert_line "# selftests: kthread_lab: run_kthread_lab.sh"
	assert_line "# ok 1 oneshot_test"
	assert_line "ok 1 selftests: kthread_lab: run_kthread_lab.sh"
	run "$REPO/selftests/ktap-check" "$OUT/run_tests.ktap"
	assert_success
	[ "$(cat "$OUT/run_tests.status")" = 0 ]
	[ ! -e "$OUT/leftover" ]
}

@test "kselftest target: install writes a run_kselftest.sh that runs it, in KTAP" {
	local f
	for f in run_kselftest.sh kselftest/runner.sh kthread_lab/run_kthread_lab.sh kthread_lab/oneshot_test; do
		[ -x "$TREE/install/$f" ]
	done
	[ -r "$TREE/install/kthread_lab/settings" ] && [ -r "$TREE/install/kthread_lab/config" ]
	run cat "$TREE/install/kselftest-list.txt"
	assert_output "kthread_lab:run_kthread_lab.sh"
	guest_ok
	run cat "$OUT/run_kselftest.ktap"
	assert_line "# ok 1 oneshot_test"
	assert_line "ok 1 selftests: kthread_lab: run_kthread_lab.sh"
	run "$REPO/selftests/ktap-check" "$OUT/run_kselftest.ktap"
	assert_success
	[ "$(cat "$OUT/run_kselftest.status")" = 0 ]
}

@test "kselftest target: a module that cannot be loaded makes it skip with exit 4 and the reason" {
	guest_ok
	run cat "$OUT/skip.ktap"
	assert_line --regexp "^# 1\.\.0 # SKIP kthread_lab is not loaded and cannot be: insmod /nonexistent/kthread_lab\.ko: .+"
	assert_line "ok 1 selftests: kthread_lab: run_kthread_lab.sh # SKIP"
	run "$REPO/selftests/ktap-check" "$OUT/skip.ktap"
	assert_success
}

@test "kselftest target: the KTAP check refuses a wrong plan, a skip without a reason, a stray line" {
	local good="$OUT/sample.ktap" bad="$OUT/bad.ktap"
	printf '%s\n' "TAP version 13" "1..2" "# selftests: x: a" "# TAP version 13" "# 1..1" \
		"# ok 1 case # SKIP no such device" "ok 1 selftests: x: a # SKIP" "ok 2 selftests: x: b" >"$good"
	run "$REPO/selftests/ktap-check" "$good"
	assert_success
	sed 's/^1\.\.2$/1..3/' "$good" >"$bad"
	run "$REPO/selftests/ktap-check" "$bad"
	assert_failure
	assert_output --partial "the plan says 3 results, there are 2"
	sed 's/ # SKIP no such device$/ # SKIP/' "$good" >"$bad"
	run "$REPO/selftests/ktap-check" "$bad"
	assert_failure
	assert_output --partial "skipped without a reason"
	sed 's/^ok 2 /ok 3 /' "$good" >"$bad"
	run "$REPO/selftests/ktap-check" "$bad"
	assert_failure
	assert_output --partial "result 3 where 2 was due"
	sed '2a stray' "$good" >"$bad"
	run "$REPO/selftests/ktap-check" "$bad"
	assert_failure
	assert_output --partial "neither KTAP nor a diagnostic: stray"
}
