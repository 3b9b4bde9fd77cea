# shellcheck shell=bash
# Shared by the ktlab_*.bats files: `load ktlab_helpers`, then ktlab_setup
# from setup() and lab_teardown from teardown(). The binary is $KTLAB
# (default build/tools/ktlab/ktlab, run from the repository root).
#
# A fork costs ~0.2 s in the guest: apart from ktlab itself the helpers use
# bash builtins only.

# bats-support, bats-assert, lab_setup, lab_teardown and the fork-free
# lab_sleep and lab_wait_for.
# shellcheck source=selftests/bats/lab_helpers.bash
source "${BASH_SOURCE[0]%/*}/lab_helpers.bash"

bats_require_minimum_version 1.5.0

KTLAB=${KTLAB:-build/tools/ktlab/ktlab}
[[ $KTLAB == /* ]] || KTLAB=$PWD/$KTLAB # lab_setup enters $LAB

# Item names of this test start with $P (lab_setup's $LAB_PREFIX);
# lab_teardown removes them.
ktlab_setup() {
	[[ -x $KTLAB ]] || fail "no ktlab binary at $KTLAB: build it first (make)"
	lab_setup
	# shellcheck disable=SC2034 # for the tests
	P=$LAB_PREFIX
}

# Fails unless the lab has no items at all (save/restore tests need it).
# Only behaviour groups (with autostart) hold threads: experiments/<kind>/
# is none.
ktlab_require_empty_lab() {
	local dir
	for dir in "$LAB"/*/*/; do
		[[ -f ${dir%/*/}/autostart ]] || continue
		[[ -d $dir ]] && fail "the lab is not empty ($dir): another test left threads behind"
	done
	return 0
}

# Asserts an attribute's value: ktlab_attr_is BEHAVIOUR/NAME ATTRIBUTE WANT
ktlab_attr_is() {
	local value
	read -r value < "$LAB/$1/$2"
	assert_equal "$value" "$3"
}

# True while process PID sleeps in clock_nanosleep (230) or nanosleep (35);
# the syscall line read is in ktlab_syscall.
# shellcheck disable=SC2034 # ktlab_syscall is for the caller's message
ktlab_sleeping() {
	local call=()
	ktlab_syscall=
	read -ra call < "/proc/$1/syscall" || return 1
	ktlab_syscall=${call[*]}
	[[ ${call[0]} == 230 || ${call[0]} == 35 ]]
}
