#!/usr/bin/env bats
# ktlab against the real module: every command and the documented errors.
# Run in the guest from the repository root: bats --tap selftests/bats/ktlab_*.bats

load ktlab_helpers

setup() {
	ktlab_setup
}

teardown() {
	lab_teardown
}

@test "version names ktlab and the loaded module" {
	local module
	read -r module < "$LAB/version"
	run -0 "$KTLAB" version
	assert_line --index 0 --regexp '^ktlab [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --index 1 "kthread_lab module $module"
	run -0 "$KTLAB" version --json
	assert_output --partial "\"module\": \"$module\""
}

@test "features lists the module's features, one per line and as JSON" {
	local features
	read -ra features < "$LAB/features"
	run -0 "$KTLAB" features
	assert_line "busy"
	assert_line "stop_timeout"
	assert_equal "${#lines[@]}" "${#features[@]}"
	run -0 "$KTLAB" --json features
	assert_output --partial '"snapshot"'
}

@test "spawn starts a thread and ls / status / ls --json show it" {
	run -0 "$KTLAB" spawn busy "${P}b"
	assert_output --regexp "^spawned busy/${P}b: state running, pid [0-9]+$"
	ktlab_attr_is "busy/${P}b" state running
	run -0 "$KTLAB" ls
	assert_line --index 0 --regexp '^NAME +BEHAVIOUR +STATE +PID +CPU +RAN +LOOPS +STOP_RESULT +STOP_LATENCY$'
	assert_line --regexp "^${P}b +busy +running +[0-9]+ +-1 +1 +[0-9]+ +- +-$"
	run -0 "$KTLAB" status
	assert_line --regexp "^${P}b +busy +running"
	run -0 "$KTLAB" ls --json
	assert_line --index 0 '{"threads": ['
	assert_line --regexp "^\\{\"id\":\"busy/${P}b\",\"name\":\"${P}b\",\"behaviour\":\"busy\",\"state\":\"running\",\"pid\":[0-9]+,.*\"honor_stop\":1,\"resched\":1\\},?$"
}

@test "status NAME prints that thread's row only" {
	run -0 "$KTLAB" spawn busy "${P}s"
	run -0 "$KTLAB" spawn wait "${P}t" --no-start
	run -0 "$KTLAB" status "${P}s"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp '^NAME +BEHAVIOUR +STATE'
	assert_line --index 1 --regexp "^${P}s +busy +running +[0-9]+ "
	run -0 "$KTLAB" status "wait/${P}t" --json
	assert_output --partial "\"id\":\"wait/${P}t\""
	[[ $output != *"busy/${P}s"* ]]
	run -3 "$KTLAB" status "${P}none"
	assert_output "ktlab: no such thread: ${P}none"
}

@test "show labels lateness and draws the lateness histogram as a bar chart" {
	run -0 "$KTLAB" spawn periodic "${P}p" --set period_us=1000 --set sleep_mode=hrtimer
	lab_wait_ge "$LAB/periodic/${P}p/loops" 20
	run -0 "$KTLAB" show "${P}p"
	assert_line --regexp '^lateness_ns +min [0-9.]+ (ns|us|ms|s)  avg [0-9.]+ (ns|us|ms|s)  max [0-9.]+ (ns|us|ms|s)  p99 [0-9.]+ (ns|us|ms|s)$'
	assert_line 'lateness_hist:'
	assert_line --regexp '^ +([0-9]+-[0-9]+|>=) [0-9]* ?(us|ms|s) +#+ +[0-9]+$'
}

@test "spawn --no-start then stop: -4 (EINTR), the function never ran" {
	run -0 "$KTLAB" spawn wait "${P}w" --no-start
	assert_output --partial "state created"
	ktlab_attr_is wait autostart 1
	run -0 "$KTLAB" stop "${P}w"
	assert_line --index 0 "wait/${P}w: stopped"
	assert_line --index 1 "stop_result: -4 (EINTR): the thread function never ran (stopped before it was first woken)"
	assert_line --index 2 --regexp '^stop latency: [0-9.]+ (ns|us|ms|s)$'
	ktlab_attr_is "wait/${P}w" ran 0
}

@test "spawn --cpu --set binds and configures before the thread runs" {
	run -0 "$KTLAB" spawn periodic "${P}p" --cpu 0 --set period_us=5000 --set sleep_mode=hrtimer --set nice=5
	ktlab_attr_is "periodic/${P}p" cpu 0
	ktlab_attr_is "periodic/${P}p" period_us 5000
	ktlab_attr_is "periodic/${P}p" sleep_mode hrtimer
	ktlab_attr_is "periodic/${P}p" nice 5
	ktlab_attr_is "periodic/${P}p" state running
	ktlab_attr_is periodic autostart 1
}

@test "spawn with a refused value fails, names it, and leaves nothing behind" {
	run -4 "$KTLAB" spawn busy "${P}x" --set nice=99
	assert_output "ktlab: the kernel refused nice=99 for busy/${P}x: ERANGE (Numerical result out of range)"
	[[ ! -e $LAB/busy/${P}x ]]
	ktlab_attr_is busy autostart 1
	run -4 "$KTLAB" spawn busy "${P}y" --cpu 4096
	assert_output --partial "cpu=4096"
	assert_output --partial "EINVAL"
	[[ ! -e $LAB/busy/${P}y ]]
}

@test "spawn errors: unknown behaviour, existing name" {
	run -1 "$KTLAB" spawn lazy "${P}l"
	assert_output "ktlab: no behaviour 'lazy' (available: busy, oneshot, periodic, wait)"
	run -0 "$KTLAB" spawn oneshot "${P}o"
	run -4 "$KTLAB" spawn oneshot "${P}o"
	assert_output "ktlab: the kernel refused to create oneshot/${P}o: EEXIST (File exists): it already exists"
}

@test "start wakes a created thread; a second start is EALREADY" {
	run -0 "$KTLAB" spawn wait "${P}s" --no-start
	run -0 "$KTLAB" start "wait/${P}s"
	assert_output --regexp "^started wait/${P}s: state running, pid [0-9]+$"
	run -4 "$KTLAB" start "${P}s"
	assert_output "ktlab: the kernel refused start=1 for wait/${P}s: EALREADY: its state is running"
}

@test "set writes attributes; unknown attribute and bad value are refused" {
	run -0 "$KTLAB" spawn wait "${P}t"
	run -0 "$KTLAB" set "${P}t" retval=42 stop_timeout_ms=1234
	assert_output "wait/${P}t: retval=42
wait/${P}t: stop_timeout_ms=1234"
	ktlab_attr_is "wait/${P}t" retval 42
	ktlab_attr_is "wait/${P}t" stop_timeout_ms 1234
	run -1 "$KTLAB" set "${P}t" warp=9
	assert_output "ktlab: wait/${P}t has no attribute 'warp'"
	run -4 "$KTLAB" set "${P}t" wait_mode=nap
	assert_output "ktlab: the kernel refused wait_mode=nap for wait/${P}t: EINVAL (Invalid argument)"
	ktlab_attr_is "wait/${P}t" wait_mode sleep
}

@test "park and unpark a busy thread; a wait thread cannot park" {
	run -0 "$KTLAB" spawn busy "${P}k"
	run -0 "$KTLAB" park "${P}k"
	assert_output --partial "parked busy/${P}k: state parked"
	ktlab_attr_is "busy/${P}k" park 1
	run -0 "$KTLAB" unpark "${P}k"
	assert_output --partial "unparked busy/${P}k: state running"
	run -0 "$KTLAB" spawn wait "${P}n"
	run -4 "$KTLAB" park "${P}n"
	assert_output "ktlab: the kernel refused park=1 for wait/${P}n: EOPNOTSUPP: wait threads cannot do that"
}

@test "stop reports the function's return value and latency, as text and JSON" {
	run -0 "$KTLAB" spawn wait "${P}r" --set retval=42
	run -0 "$KTLAB" stop "${P}r"
	assert_line --index 1 "stop_result: 42: the thread function returned 42"
	run -0 "$KTLAB" spawn wait "${P}j" --set retval=-5
	run -0 "$KTLAB" stop "${P}j" --json
	assert_output --partial '"stop_result": -5'
	assert_output --partial '"errno": "EIO"'
	assert_output --partial '"meaning": "-5 (EIO): the thread function returned -EIO"'
	assert_output --regexp '"stop_latency_ns": [0-9]+'
	run -4 "$KTLAB" stop "${P}j"
	assert_output "ktlab: wait/${P}j was already stopped (stop_result -5)"
}

@test "stop of a thread that ignores kthread_should_stop times out: exit 5" {
	run -0 "$KTLAB" spawn busy "${P}h" --set honor_stop=0
	run -5 "$KTLAB" stop "${P}h" --timeout 200
	assert_output --partial "ktlab: kthread_stop(busy/${P}h) did not return within 200 ms (ETIMEDOUT)"
	assert_output --partial "Run 'ktlab set busy/${P}h release=1' to let it leave its loop"
	ktlab_attr_is "busy/${P}h" state stopping
	run -5 --separate-stderr "$KTLAB" --json stop "${P}h"
	assert_equal "$output" ""
	# shellcheck disable=SC2154 # set by run --separate-stderr
	[[ $stderr == *'"kind":"timed_out","exit_code":5'*'"errno":"ETIMEDOUT","attribute":"stop"'* ]]
	# release is the way out; the pending stop then completes
	echo 1 > "$LAB/busy/${P}h/release"
	lab_wait_for "$LAB/busy/${P}h/state" stopped
}

@test "stop --timeout longer than a stop write may wait keeps waiting by polling the state" {
	run -0 "$KTLAB" spawn busy "${P}l" --set honor_stop=0
	local out=$BATS_TEST_TMPDIR/stop.out pid rc=0
	"$KTLAB" stop "${P}l" --timeout 120000 > "$out" 2>&1 &
	pid=$!
	lab_wait_for "$LAB/busy/${P}l/stop_timeout_ms" 30000
	lab_wait_for "$LAB/busy/${P}l/state" stopping
	# The write gives up after 30 s (ETIMEDOUT); ktlab then sleeps between reads of state.
	local ktlab_syscall=
	wait_until -q -t 90 ktlab_sleeping "$pid" ||
		fail "ktlab never started polling: /proc/$pid/syscall reads $ktlab_syscall"
	ktlab_attr_is "busy/${P}l" state stopping
	echo 1 > "$LAB/busy/${P}l/release"
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
	mapfile -t lines < "$out"
	assert_equal "${lines[0]}" "busy/${P}l: stopped"
	assert_equal "${lines[1]}" "stop_result: 0: the thread function returned 0 (success)"
	ktlab_attr_is "busy/${P}l" state stopped
}

@test "set refuses a stop_timeout_ms longer than a stop write may wait, before writing it" {
	run -0 "$KTLAB" spawn wait "${P}o"
	run -4 "$KTLAB" set "${P}o" stop_timeout_ms=30001
	assert_output "ktlab: stop_timeout_ms=30001 for wait/${P}o is more than 30000 ms, the longest a stop write may wait (ERANGE); 'ktlab stop wait/${P}o --timeout 30001' waits longer by polling"
	ktlab_attr_is "wait/${P}o" stop_timeout_ms 5000
}

@test "show lists every attribute with units; unknown and ambiguous names are exit 3" {
	run -0 "$KTLAB" spawn wait "${P}v" --no-start --set stop_timeout_ms=700
	run -0 "$KTLAB" show "${P}v"
	assert_line --index 0 --regexp "^thread +wait/${P}v$"
	assert_line --index 1 --regexp '^behaviour +wait$'
	assert_line --regexp '^stop_timeout_ms +700 ms$'
	assert_line --regexp '^job_ms +0 ms$'
	run -0 "$KTLAB" show "${P}v" --json
	assert_output --partial '"stop_timeout_ms": 700'
	run -3 "$KTLAB" show "${P}none"
	assert_output "ktlab: no such thread: ${P}none"
	run -3 --separate-stderr "$KTLAB" show "${P}none" --json
	assert_equal "$stderr" "{\"error\":{\"kind\":\"no_such_thread\",\"exit_code\":3,\"message\":\"no such thread: ${P}none\",\"errno\":\"ENOENT\",\"attribute\":null}}"
	run -0 "$KTLAB" spawn busy "${P}v" --no-start
	run -3 "$KTLAB" show "${P}v"
	assert_output "ktlab: thread name ${P}v is ambiguous (busy/${P}v, wait/${P}v): say BEHAVIOUR/NAME"
}

@test "rm removes threads in any state; a wrong name removes nothing" {
	run -0 "$KTLAB" spawn busy "${P}1" --set honor_stop=0
	run -0 "$KTLAB" spawn wait "${P}2" --no-start
	run -3 "$KTLAB" rm "${P}1" "${P}missing"
	[[ -d $LAB/busy/${P}1 ]]
	run -0 "$KTLAB" rm "${P}1" "wait/${P}2"
	assert_output "removed busy/${P}1
removed wait/${P}2"
	[[ ! -e $LAB/busy/${P}1 && ! -e $LAB/wait/${P}2 ]]
	run -1 "$KTLAB" rm
	assert_output --partial "give thread names or --all"
}

@test "watch -n 0.5 prints --count refreshes every half second with loop rates when not on a terminal" {
	run -0 "$KTLAB" spawn busy "${P}w"
	run -0 "$KTLAB" watch --count 2 -n 0.5
	local titles=0 line
	for line in "${lines[@]}"; do
		[[ $line == "ktlab watch "* ]] && titles=$((titles + 1))
	done
	assert_equal "$titles" 2
	assert_line --regexp '^ktlab watch .* thread\(s\), every 0\.5 s$'
	assert_line --regexp '^NAME +BEHAVIOUR +STATE +PID +CPU +RAN +LOOPS +LOOPS/S +STOP_RESULT +STOP_LATENCY$'
	# the second refresh has a rate for the spinning thread
	assert_line --regexp "^${P}w +busy +running( +[^ ]+){4} +[0-9.]+[kMG]?/s +- +-$"
}

@test "watch ends cleanly on SIGTERM" {
	local out=$BATS_TEST_TMPDIR/watch.out pid
	"$KTLAB" watch --interval 0.1 > "$out" 2>&1 &
	pid=$!
	wait_until -q -t 20 test -s "$out" || true # the first table, or give up waiting and check below
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0 # the handler ran: killed by the signal it would be 143
	[[ $(< "$out") == "ktlab watch "* ]]
}

@test "a missing lab is exit 2; a non-root user gets exit 6" {
	run -2 "$KTLAB" --root /tmp/no-such-lab ls
	assert_output "ktlab: /tmp/no-such-lab does not exist: the kthread_lab module is not loaded (modprobe kthread_lab)"
	KTLAB_ROOT=/tmp/no-such-lab run -2 "$KTLAB" --json ls
	assert_output --partial '"kind":"no_lab","exit_code":2'
	run -0 "$KTLAB" spawn wait "${P}u"
	run -6 setpriv --reuid=65534 --regid=65534 --clear-groups "$KTLAB" set "${P}u" retval=1
	assert_output --partial "permission denied"
	assert_output --partial "ktlab must run as root"
	run -6 setpriv --reuid=65534 --regid=65534 --clear-groups "$KTLAB" spawn wait "${P}v"
	[[ ! -e $LAB/wait/${P}v ]]
	# reading needs no privilege
	run -0 setpriv --reuid=65534 --regid=65534 --clear-groups "$KTLAB" show "${P}u"
}

@test "usage errors are exit 1 with help available" {
	run -1 "$KTLAB" frobnicate
	run -1 "$KTLAB" stop x --timeout 0
	run -0 "$KTLAB" stop --help
	assert_output --partial "--timeout"
	run -1 --separate-stderr "$KTLAB" --json show
	[[ $stderr == '{"error":{"kind":"usage","exit_code":1,'* ]]
}
