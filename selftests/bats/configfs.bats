#!/usr/bin/env bats
# The kthread_lab configfs workflows of Documentation/kthread_lab.rst, typed
# as a user does: mkdir, echo, cat, rmdir. The exhaustive checks of every
# attribute and errno are the kselftests in selftests/kthread_lab.
# shellcheck disable=SC2154 # lab_read and lab_proc_stat assign by name

setup() {
	load lab_helpers
	lab_setup
}

teardown() {
	lab_teardown
}

@test "the root shows version and features" {
	run cat version
	assert_success
	assert_output --regexp '^[0-9]+\.[0-9]+\.[0-9]+$'
	run cat features
	assert_success
	for feature in busy wait periodic oneshot park bind stop_timeout; do
		assert_output --regexp "(^| )$feature( |$)"
	done
}

@test "mkdir starts a thread; stop hands back its retval, once" {
	item=busy/${LAB_PREFIX}a
	mkdir "$item"
	lab_wait_for "$item/state" running
	lab_wait_ge "$item/loops" 1
	echo 7 > "$item/retval"
	echo 1 > "$item/stop"
	run cat "$item/state" "$item/stop_result"
	assert_output $'stopped\n7'
	lab_echo_fails 1 "$item/stop" "Operation already in progress"
	lab_echo_fails 1 "$item/start" "Operation already in progress"
	lab_echo_fails 5 "$item/retval" "Device or resource busy"
	rmdir "$item"
}

@test "park and unpark a periodic thread" {
	item=periodic/${LAB_PREFIX}p
	mkdir "$item"
	lab_wait_for "$item/state" running
	echo 1 > "$item/park"
	run cat "$item/state" "$item/park"
	assert_output $'parked\n1'
	lab_echo_fails 1 "$item/park" "Operation already in progress"
	echo 0 > "$item/park"
	lab_wait_for "$item/state" running
	rmdir "$item"
}

@test "bad writes fail with an errno, change nothing and are logged" {
	item=busy/${LAB_PREFIX}a
	mkdir "$item"
	lab_echo_fails 20 "$item/nice" "Numerical result out of range"
	run dmesg
	assert_output --partial "kthread_lab: $item: nice: 20 out of range"
	lab_echo_fails abc "$item/stop_timeout_ms" "Invalid argument"
	lab_echo_fails 10x "$item/stop_timeout_ms" "Invalid argument"
	lab_echo_fails 0 "$item/stop_timeout_ms" "Numerical result out of range"
	lab_echo_fails 2 "$item/honor_stop" "Numerical result out of range"
	lab_echo_fails 0 "$item/cpu" "Device or resource busy"
	run cat "$item/nice" "$item/stop_timeout_ms" "$item/honor_stop"
	assert_output $'0\n5000\n1'
	waiter=wait/${LAB_PREFIX}w
	mkdir "$waiter"
	lab_echo_fails 1 "$waiter/park" "Operation not supported"
	lab_echo_fails bogus "$waiter/wait_mode" "Invalid argument"
	rmdir "$item" "$waiter"
}

@test "mkdir beyond max_threads fails with ENOSPC" {
	read -r header < snapshot
	items=${header##*items=}
	echo $((items + 1)) > max_threads
	mkdir "wait/${LAB_PREFIX}one"
	run mkdir "wait/${LAB_PREFIX}two"
	assert_failure
	assert_output --partial "No space left on device"
	[[ ! -e wait/${LAB_PREFIX}two ]]
	rmdir "wait/${LAB_PREFIX}one"
}

@test "cpu and nice set before start show in /proc/PID/stat" {
	cpu=0
	[[ -e /sys/devices/system/cpu/cpu1 ]] && cpu=1
	echo 0 > busy/autostart
	item=busy/${LAB_PREFIX}pinned
	mkdir "$item"
	echo "$cpu" > "$item/cpu"
	echo 10 > "$item/nice"
	echo 1 > "$item/start"
	echo 1 > busy/autostart
	lab_wait_ge "$item/loops" 1
	lab_read pid "$item/pid"
	lab_proc_stat processor "$pid" 39
	lab_proc_stat nice "$pid" 19
	assert_equal "$processor" "$cpu"
	assert_equal "$nice" 10
	lab_echo_fails 0 "$item/cpu" "Device or resource busy"
	rmdir "$item"
}

@test "snapshot lists every item on one line" {
	echo 0 > busy/autostart
	mkdir "busy/${LAB_PREFIX}mm"
	run cat snapshot
	assert_success
	assert_line --index 0 --regexp '^# kthread_lab snapshot v1 items=[0-9]+$'
	assert_line --regexp "^busy/${LAB_PREFIX}mm behaviour=busy state=created pid=[0-9]+ cpu=-1 nice=0 ran=0 loops=0 retval=0 stop_timeout_ms=5000 stop_result=none stop_latency_ns=none parked=0 honor_stop=1 resched=1$"
	rmdir "busy/${LAB_PREFIX}mm"
}

@test "rmdir ends a thread that ignores the stop flag" {
	item=busy/${LAB_PREFIX}stubborn
	mkdir "$item"
	echo 0 > "$item/honor_stop"
	lab_wait_ge "$item/loops" 1
	lab_read pid "$item/pid"
	rmdir "$item"
	[[ ! -e $item ]]
	lab_wait_gone "$pid"
}

@test "attributes are writable by root only" {
	item=busy/${LAB_PREFIX}modes
	mkdir "$item"
	run stat -c '%a %U %n' max_threads busy/autostart snapshot \
		"$item/state" "$item/retval" "$item/stop" "$item/release"
	assert_output - <<-EOF
	644 root max_threads
	644 root busy/autostart
	444 root snapshot
	444 root $item/state
	644 root $item/retval
	200 root $item/stop
	200 root $item/release
	EOF
	rmdir "$item"
}
