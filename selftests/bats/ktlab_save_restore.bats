#!/usr/bin/env bats
# ktlab save / clear / restore against the real module.
# These tests need the whole lab: they fail if another test left threads.

load ktlab_helpers

setup() {
	ktlab_setup
	ktlab_require_empty_lab
	SAVE=$BATS_TEST_TMPDIR/lab.json
}

teardown() {
	lab_teardown
}

# A lab with one thread in each interesting configuration.
make_varied_lab() {
	run -0 "$KTLAB" spawn busy "${P}spin" --cpu 0 --set resched=1 --set nice=3
	run -0 "$KTLAB" spawn wait "${P}idle" --no-start --set retval=42 --set job_ms=10 --set stop_timeout_ms=900
	run -0 "$KTLAB" spawn periodic "${P}tick" --set period_us=200000 --set sleep_mode=hrtimer
	run -0 "$KTLAB" park "${P}tick"
	run -0 "$KTLAB" spawn oneshot "${P}once" --set retval=7
	lab_wait_for "$LAB/oneshot/${P}once/state" exited
	echo 0 > "$LAB/wait/autostart"
}

@test "save -> clear -> restore gives the same tree" {
	make_varied_lab
	run -0 "$KTLAB" save "$SAVE"
	assert_output "saved 4 thread(s) to $SAVE"
	local before
	before=$(< "$SAVE")
	[[ $before == *'"state": "parked"'* && $before == *'"state": "created"'* && $before == *'"state": "exited"'* ]]

	run -0 "$KTLAB" clear
	assert_line "removed busy/${P}spin"
	[[ ! -e $LAB/busy/${P}spin ]]
	echo 1 > "$LAB/wait/autostart"

	run -0 "$KTLAB" restore "$SAVE"
	assert_output "restored 4 thread(s)"
	lab_wait_for "$LAB/oneshot/${P}once/state" exited
	ktlab_attr_is "busy/${P}spin" cpu 0
	ktlab_attr_is "busy/${P}spin" state running
	ktlab_attr_is "wait/${P}idle" state created
	ktlab_attr_is "periodic/${P}tick" state parked
	ktlab_attr_is wait autostart 0

	run -0 "$KTLAB" save "$SAVE.again"
	assert_equal "$(< "$SAVE.again")" "$before"
}

@test "restore refuses a non-empty lab unless --clear-existing" {
	run -0 "$KTLAB" spawn wait "${P}a"
	run -0 "$KTLAB" save "$SAVE"
	run -0 "$KTLAB" set "${P}a" retval=5
	run -7 "$KTLAB" restore "$SAVE"
	assert_output "ktlab: the lab is not empty: 1 thread(s) exist (wait/${P}a); use --clear-existing to replace them"
	ktlab_attr_is "wait/${P}a" retval 5
	run -0 "$KTLAB" restore --clear-existing "$SAVE"
	ktlab_attr_is "wait/${P}a" retval 0
	ktlab_attr_is "wait/${P}a" state running
}

@test "restore --dry-run checks against features and changes nothing" {
	cat > "$SAVE" <<-JSON
	{"format": "kthread_lab-config", "version": 1, "groups": [],
	 "threads": [
	  {"behaviour": "wait", "name": "${P}ok", "state": "running", "params": {"wait_mode": "spin"}},
	  {"behaviour": "teleport", "name": "${P}t", "state": "running"},
	  {"behaviour": "busy", "name": "${P}far", "state": "running", "cpu": 4000},
	  {"behaviour": "wait", "name": "${P}old", "state": "stopped"}]}
	JSON
	run -8 "$KTLAB" restore --dry-run "$SAVE"
	assert_line --index 0 "dry run: nothing was changed; a restore would do:"
	assert_line "  mkdir wait/${P}ok"
	assert_line "  write wait/${P}ok/wait_mode=spin"
	assert_line "  write wait/${P}ok/start=1"
	assert_line "would skip teleport/${P}t: behaviour 'teleport' is not supported by this module"
	assert_line "would skip busy/${P}far: it is bound to CPU 4000, which is not online here"
	assert_line "would skip wait/${P}old: it was stopped when saved; a stopped thread is not recreated"
	[[ ! -e $LAB/wait/${P}ok ]]
	ktlab_attr_is wait autostart 1
}

@test "restore reports a thread the kernel refuses and restores the rest" {
	cat > "$SAVE" <<-JSON
	{"format": "kthread_lab-config", "version": 1,
	 "threads": [
	  {"behaviour": "wait", "name": "${P}bad", "state": "running", "nice": 99},
	  {"behaviour": "wait", "name": "${P}good", "state": "running"}]}
	JSON
	run -8 "$KTLAB" restore "$SAVE"
	assert_line "restored 1 thread(s)"
	assert_line "failed wait/${P}bad: write wait/${P}bad/nice=99 failed: ERANGE (Numerical result out of range)"
	[[ ! -e $LAB/wait/${P}bad ]]
	ktlab_attr_is "wait/${P}good" state running
	ktlab_attr_is wait autostart 1
	run -0 "$KTLAB" rm --all --json
	assert_output --partial "\"wait/${P}good\""
}

@test "restore of an invalid file is a usage error; save to a bad place is exit 9" {
	echo '{"format": "something-else"}' > "$SAVE"
	run -1 "$KTLAB" restore "$SAVE"
	assert_output "ktlab: invalid save file $SAVE: \"format\" is not \"kthread_lab-config\": not a ktlab save file"
	run -9 "$KTLAB" save /tmp/no-such-dir/lab.json
	assert_output --partial "ktlab: cannot save to /tmp/no-such-dir/lab.json"
}

@test "restore of a file with a value of the wrong JSON type is exit 1 naming its path, never an abort" {
	echo '{"format": "kthread_lab-config", "version": 1, "module_version": 5, "threads": []}' > "$SAVE"
	run -1 "$KTLAB" restore "$SAVE"
	assert_output "ktlab: invalid save file $SAVE: \$.module_version: must be a string, not 5"
	printf '{"format": "kthread_lab-config", "version": 1, "threads": [{"behaviour": "busy", "name": "%s", "state": "running", "cpu": 18446744073709551615}]}\n' "${P}x" > "$SAVE"
	run -1 "$KTLAB" restore "$SAVE"
	assert_output "ktlab: invalid save file $SAVE: \$.threads[0].cpu: must be an integer from -1 to 2147483647, not 18446744073709551615"
	[[ ! -e $LAB/busy/${P}x ]]
}
