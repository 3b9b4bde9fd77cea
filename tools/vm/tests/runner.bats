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
