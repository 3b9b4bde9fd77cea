#!/usr/bin/env bats
# The guide's three classic mistakes and the stop-after-exit pattern, typed
# as Documentation/kthread_lab.rst shows them ("Three classic mistakes",
# "Stopping a thread that already exited"). Item names carry a per-test
# prefix; where the guide waits with `sleep`, the tests poll instead.
# shellcheck disable=SC2154 # lab_read and lab_proc_stat assign by name

setup() {
	load lab_helpers
	lab_setup
}

teardown() {
	lab_teardown
}

@test "case 1: a loop that never checks the stop flag times out, release ends it" {
	item=busy/${LAB_PREFIX}stubborn
	mkdir "$item"
	echo 0 > "$item/honor_stop"
	echo 42 > "$item/retval"
	echo 1000 > "$item/stop_timeout_ms"
	lab_wait_ge "$item/loops" 1
	lab_echo_fails 1 "$item/stop" "Connection timed out"
	run cat "$item/state"
	assert_output stopping
	lab_read loops "$item/loops"
	lab_wait_ge "$item/loops" $((loops + 1))
	echo 1 > "$item/release"
	lab_wait_for "$item/state" stopped
	run cat "$item/state" "$item/stop_result"
	assert_output $'stopped\n42'
	rmdir "$item"
}

@test "case 2: stop before the function ran gives -4 and ran 0" {
	echo 0 > busy/autostart
	item=busy/${LAB_PREFIX}early
	mkdir "$item"
	run cat "$item/state"
	assert_output created
	echo 1 > "$item/stop"
	run cat "$item/stop_result" "$item/ran"
	assert_output $'-4\n0'
	rmdir "$item"
	echo 1 > busy/autostart
}

# Stops ITEM just after one of its ticks, so that an msleep() has a whole
# period left; the latency lands in $latency.
stop_after_tick() {
	local item=$1 loops
	lab_wait_ge "$item/loops" 1
	lab_read loops "$item/loops"
	lab_wait_ge "$item/loops" $((loops + 1))
	echo 1 > "$item/stop"
	lab_read latency "$item/stop_latency_ns"
}

@test "case 3: a stop waits out msleep() but ends an interruptible sleep at once" {
	slow=periodic/${LAB_PREFIX}slow
	quick=periodic/${LAB_PREFIX}quick
	quick2=periodic/${LAB_PREFIX}quick2
	mkdir "$slow" "$quick" "$quick2"
	# 4 s: a slow guest's userspace may take a second or more to see the
	# tick and write stop, and the msleep() must still have most of its
	# period left when the stop comes
	echo 4000000 > "$slow/period_us"
	echo interruptible > "$quick/sleep_mode"
	echo interruptible > "$quick2/sleep_mode"
	stop_after_tick "$slow"
	slow_latency=$latency
	# the faster of two, as a stalled emulator can delay any one stop
	stop_after_tick "$quick"
	quick_latency=$latency
	stop_after_tick "$quick2"
	if (( latency < quick_latency )); then quick_latency=$latency; fi
	echo "# stop_latency_ns: msleep $slow_latency, interruptible $quick_latency" >&3
	# relative to each other and to the period, never absolute
	(( slow_latency > 2 * quick_latency ))
	(( slow_latency > 1000000000 ))	# a quarter of the msleep() period
	run cat "$slow/stop_result" "$quick/stop_result" "$quick2/stop_result"
	assert_output $'0\n0\n0'
	rmdir "$slow" "$quick" "$quick2"
}

@test "a stop after the thread exited by itself is safe and reports retval" {
	echo 0 > oneshot/autostart
	item=oneshot/${LAB_PREFIX}once
	mkdir "$item"
	echo 7 > "$item/retval"
	echo 1 > "$item/start"
	echo 1 > oneshot/autostart
	lab_wait_for "$item/state" exited
	lab_read pid "$item/pid"
	lab_wait_gone "$pid"
	echo 1 > "$item/stop"
	run cat "$item/stop_result"
	assert_output 7
	rmdir "$item"
}

@test "wait pattern: the thread's return value reaches the stopper" {
	item=wait/${LAB_PREFIX}result
	mkdir "$item"
	echo 42 > "$item/retval"
	lab_wait_for "$item/state" running
	echo 1 > "$item/stop"
	run cat "$item/state" "$item/stop_result"
	assert_output $'stopped\n42'
	rmdir "$item"
}
