#!/usr/bin/env bats
# The debug kernel (tools/vm/debug-kernel) and the runner's --debug-kernel
# mode.  selftests/check-debug runs these after building the kernel; a cold
# build takes 12-16 min, so setup_file builds it when it is missing.

bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

setup_file() {
	export REPO="$BATS_TEST_DIRNAME/../../.."
	REPO=$(cd "$REPO" && pwd)
	KDIR=$("$REPO/tools/vm/debug-kernel")
	RELEASE=$(cat "$KDIR/include/config/kernel.release")
	export KDIR RELEASE
}

vm() {
	"$REPO/tools/vm/run" --debug-kernel "$@"
}

@test "debug kernel: the cached build is up to date and holds every option of the fragment" {
	run "$REPO/tools/vm/debug-kernel" --check
	assert_success
	local line name missing=()
	while IFS= read -r line; do
		case $line in
		'# CONFIG_'*' is not set')
			name=${line#\# }
			! grep -q "^${name%% is not set}=" "$KDIR/.config" || missing+=("$line")
			;;
		'#'* | '') ;;
		*) grep -qxF "$line" "$KDIR/.config" || missing+=("$line") ;;
		esac
	done <"$REPO/tools/vm/debug-kernel.config"
	[ ${#missing[@]} = 0 ] || fail "not in $KDIR/.config: ${missing[*]}"
}

@test "debug kernel: a second run rebuilds nothing and prints the same tree" {
	run --separate-stderr "$REPO/tools/vm/debug-kernel"
	assert_success
	assert_output "$KDIR"
	# shellcheck disable=SC2154 # set by run --separate-stderr
	assert_equal "$stderr" ""
	run "$REPO/tools/vm/debug-kernel" --release
	assert_output "$RELEASE"
}

@test "debug kernel: an option whose dependency is missing fails the configuration, naming it" {
	# 9P_FS depends on INET; olddefconfig drops it without a word.
	grep -vx 'CONFIG_INET=y' "$REPO/tools/vm/debug-kernel.config" >"$BATS_TEST_TMPDIR/no-inet.config"
	run "$REPO/tools/vm/debug-kernel" --check-fragment "$BATS_TEST_TMPDIR/no-inet.config"
	assert_failure 1
	assert_output --partial "did not stick"
	assert_output --partial "CONFIG_9P_FS=y"
	# The cached build is left alone.
	run "$REPO/tools/vm/debug-kernel" --check
	assert_success
}

@test "debug kernel: boots with two CPUs, a real clocksource, and the checkers on" {
	# shellcheck disable=SC2016 # expanded in the guest
	run vm -- bash -c 'uname -r; nproc
		cat /sys/devices/system/clocksource/clocksource0/current_clocksource
		for f in kmemleak failslab fail_page_alloc fail_function; do
			test -e /sys/kernel/debug/$f && echo "have $f"
		done
		zcat /proc/config.gz | grep -x -e CONFIG_KASAN=y -e CONFIG_PROVE_LOCKING=y'
	assert_success
	assert_line --index 0 "$RELEASE"
	assert_line --index 1 2
	refute_line --index 2 --regexp 'jiffies'
	assert_line "have kmemleak"
	assert_line "have failslab"
	assert_line "have fail_page_alloc"
	assert_line "have fail_function"
	assert_line CONFIG_KASAN=y
	assert_line CONFIG_PROVE_LOCKING=y
}

@test "debug kernel: kthread_lab loads, runs a thread and unloads with no checker report" {
	run vm --load -- bash -c 'cd /sys/kernel/config/kthread_lab
		mkdir oneshot/t && cat oneshot/t/state && rmdir oneshot/t && cat version'
	assert_success
	assert_output --regexp '[0-9]+\.[0-9]+\.[0-9]+'
	refute_output --partial "kmemleak reports"
	refute_output --partial "reported a problem"
}

@test "debug kernel: a leak left by a module fails the run with kmemleak's report" {
	local dir="$REPO/build/kmod/$RELEASE/leak_module"
	mkdir -p "$dir"
	cp "$REPO"/tools/vm/tests/leak_module/{Kbuild,ktl_leak_on_load.c} "$dir/"
	make -s -C "$KDIR" M="$dir" modules
	run vm --load -- bash -c "insmod $dir/ktl_leak_on_load.ko && rmmod ktl_leak_on_load"
	assert_failure 1
	assert_output --partial "kmemleak reports unreferenced objects"
	assert_output --partial "unreferenced object"
	# kmemleak's hex dump shows the string the module left in it.
	assert_output --partial "ktl_leak_on_load"
}
