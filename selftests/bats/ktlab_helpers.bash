# shellcheck shell=bash
# Shared by the ktlab_*.bats files: `load ktlab_helpers`, then ktlab_setup
# from setup() and ktlab_teardown from teardown(). The binary is $KTLAB
# (default build/tools/ktlab/ktlab, run from the repository root).
#
# A fork costs ~0.2 s in the guest: apart from ktlab itself the helpers use
# bash builtins only.

# bats-support, bats-assert and the fork-free lab_sleep and lab_wait_for.
# shellcheck source=selftests/bats/lab_helpers.bash
source "${BASH_SOURCE[0]%/*}/lab_helpers.bash"

bats_require_minimum_version 1.5.0

KTLAB=${KTLAB:-build/tools/ktlab/ktlab}

# Item names of this test start with $P; teardown removes them.
ktlab_setup() {
	[[ -x $KTLAB ]] || fail "no ktlab binary at $KTLAB: build it first (make)"
	[[ -d $LAB ]] || fail "$LAB missing: is kthread_lab loaded?"
	P="kt${BATS_TEST_NUMBER}p$$"
}

ktlab_teardown() {
	local dir group
	for dir in "$LAB"/*/"$P"*/; do
		[[ -d $dir ]] && rmdir "$dir"
	done
	for group in "${LAB_GROUPS[@]}"; do
		echo 1 > "$LAB/$group/autostart"
	done
	return 0
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
