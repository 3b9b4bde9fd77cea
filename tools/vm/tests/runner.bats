#!/usr/bin/env bats
# The VM runner's contract, tested against a real guest boot.
# KTL_TEST_KERNEL selects the guest kernel (default: the runner's default).

bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

setup_file() {
	export REPO="$BATS_TEST_DIRNAME/../../.."
	REPO=$(cd "$REPO" && pwd)
	export KERNEL="${KTL_TEST_KERNEL:-$("$REPO/tools/vm/kernels" | sed -n 1p)}"
}

vm() {
	"$REPO/tools/vm/run" --kernel "$KERNEL" "$@"
}

@test "runner: --help explains the options" {
	run "$REPO/tools/vm/run" --help
	assert_success
	assert_output --partial "Usage: tools/vm/run"
	assert_output --partial "--load"
}

@test "runner: exits with the command's status" {
	run vm -- false
	assert_equal "$status" 1
	run vm -- bash -c 'exit 7'
	assert_equal "$status" 7
}

@test "runner: passes stdout and stderr through separately, in the current directory" {
	cd "$REPO/selftests"
	run --separate-stderr vm -- bash -c 'pwd; uname -r; echo to-stderr >&2'
	assert_success
	assert_equal "${lines[0]}" "$REPO/selftests"
	assert_equal "${lines[1]}" "$KERNEL"
	# shellcheck disable=SC2154 # set by run --separate-stderr
	assert_equal "$stderr" "to-stderr"
}

@test "runner: host root read-only, repository writable, /tmp a fresh tmpfs, /dev/fd present" {
	local marker="$REPO/build/runner-test-marker.$$"
	local host_tmp_file
	host_tmp_file=$(mktemp /tmp/ktl-host-only.XXXXXX)
	rm -f "$marker"
	run vm -- bash -c "touch /usr/ktl-x 2>/dev/null && echo usr-writable;
		touch '$marker' && echo repo-writable;
		stat -f -c %T /tmp; test -e '$host_tmp_file' && echo host-tmp-visible;
		test -e /dev/fd/0 && echo dev-fd"
	rm -f "$host_tmp_file"
	assert_success
	refute_output --partial usr-writable
	assert_line repo-writable
	assert_line tmpfs
	refute_output --partial host-tmp-visible
	assert_line dev-fd
	[ -e "$marker" ]
	rm -f "$marker"
}

@test "runner: a kernel warning in the guest fails the run and is printed" {
	make -s -C "$REPO" testmod KVER="$KERNEL" >/dev/null 2>&1
	run vm -- insmod "$REPO/build/kmod/$KERNEL/warn_module/ktl_warn_on_load.ko"
	assert_failure 1
	assert_output --partial "the guest kernel reported a problem"
	assert_output --partial "WARNING:"
	assert_output --partial "ktl_warn_on_load"
}

@test "runner: a guest that panics is reported as dead, never as success" {
	run vm -- bash -c 'echo c > /proc/sysrq-trigger; exit 0'
	assert_failure 125
	assert_output --partial "the guest died"
}

@test "runner: a command that outlives --timeout is killed with exit 124" {
	run vm --timeout 15 -- sleep 600
	assert_failure 124
	assert_output --partial "timed out after 15s"
}

@test "runner: --load loads the module and an item left behind fails the unload" {
	run vm --load -- cat /sys/kernel/config/kthread_lab/version
	assert_success
	assert_output --regexp '^[0-9]+\.[0-9]+\.[0-9]+'
	run vm --load -- mkdir /sys/kernel/config/kthread_lab/oneshot/left-behind
	assert_failure 1
	assert_output --partial "rmmod kthread_lab failed"
}

# Runs the runner with stdout and stderr into a file rather than a pipe,
# bounded by SECONDS: a runner that hangs, or leaves a process holding its
# output open, then fails the test instead of hanging it.  Sets status and
# output like bats' run.
run_bounded() {
	local seconds=$1
	shift
	status=0
	timeout "$seconds" "$@" >"$BATS_TEST_TMPDIR/run.out" 2>&1 </dev/null || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/run.out")
}

# A stand-in for qemu-system-x86_64, first in PATH: BEHAVIOUR is "exit"
# (fails at once, as QEMU does on an option it refuses) or "hang" (never
# opens the guest's outputs).  It leaves a file saying it ran.  The
# runner's control directory goes under the test's own, so that
# assert_no_process_left finds what is left.
fake_qemu() {
	export TMPDIR=$BATS_TEST_TMPDIR
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/qemu-system-x86_64" <<EOF
#!/bin/bash
: >"$BATS_TEST_TMPDIR/qemu-ran"
case $1 in
exit) echo "qemu-system-x86_64: fake failure" >&2; exit 1 ;;
hang) exec sleep 600 ;;
esac
EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/qemu-system-x86_64"
	export PATH="$BATS_TEST_TMPDIR/bin:$PATH"
}

# No process of this test (a relay, a QEMU) outlives the runner.
assert_no_process_left() {
	local left
	left=$(pgrep -af "$BATS_TEST_TMPDIR" || true)
	[ -z "$left" ] || {
		pkill -f "$BATS_TEST_TMPDIR" || true
		fail "processes left behind: $left"
	}
}

@test "runner: a bad --mem, --smp, --timeout or missing value is refused at once with 125" {
	fake_qemu exit
	local args
	for args in "--mem 1Q" "--mem 64K" "--mem -1" "--smp 0" "--smp two" "--timeout 0" "--accel xen" "--mem"; do
		# shellcheck disable=SC2086 # one word an option
		run_bounded 30 "$REPO/tools/vm/run" --kernel "$KERNEL" $args -- true
		assert_equal "$status" 125
		assert_output --regexp "vm/run: --(mem|smp|timeout|accel)"
		[ ! -e "$BATS_TEST_TMPDIR/qemu-ran" ] || fail "QEMU was started for '$args'"
	done
	assert_no_process_left
}

@test "runner: a QEMU that exits before the guest starts ends the run with 125, no process left" {
	fake_qemu exit
	run_bounded 60 "$REPO/tools/vm/run" --kernel "$KERNEL" --accel tcg -- true
	assert_equal "$status" 125
	assert_output --partial "fake failure"
	assert_output --partial "the guest died"
	assert_no_process_left
}

@test "runner: --timeout applies when QEMU never opens the guest's outputs, no process left" {
	fake_qemu hang
	run_bounded 60 "$REPO/tools/vm/run" --kernel "$KERNEL" --accel tcg --timeout 3 -- true
	assert_equal "$status" 124
	assert_output --partial "timed out after 3s"
	assert_no_process_left
}

@test "runner: a module modprobe cannot resolve fails the run before the boot" {
	fake_qemu exit
	local modprobe
	modprobe=$(command -v modprobe)
	cat >"$BATS_TEST_TMPDIR/bin/modprobe" <<EOF
#!/bin/bash
for arg; do
	[ "\$arg" != 9p ] || { echo "modprobe: FATAL: Module 9p not found" >&2; exit 1; }
done
exec $modprobe "\$@"
EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/modprobe"
	# A fresh cache, so that the initramfs is built.
	KTL_VM_CACHE="$BATS_TEST_TMPDIR/vm" run_bounded 120 "$REPO/tools/vm/run" --kernel "$KERNEL" --accel tcg -- true
	assert_equal "$status" 125
	assert_output --partial "modprobe cannot resolve 9p"
	[ ! -e "$BATS_TEST_TMPDIR/qemu-ran" ] || fail "the guest was booted without 9p"
	assert_no_process_left
}
