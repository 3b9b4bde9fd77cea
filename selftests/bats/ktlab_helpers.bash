# shellcheck shell=bash
# Shared by the ktlab_*.bats files: `load ktlab_helpers`, then ktlab_setup
# from setup() and ktlab_teardown from teardown(). The binary is $KTLAB
# (default build/tools/ktlab/ktlab, run from the repository root).
#
# A fork costs ~0.2 s in the guest: apart from ktlab itself the helpers use
# bash builtins only.

# The bats-assert functions used here, sourced directly (their load.bash forks).
for ktlab_lib in /usr/lib/bats/bats-support/src/*.bash \
	/usr/lib/bats/bats-assert/src/assert_{equal,success,failure,output,line}.bash; do
	# shellcheck source=/dev/null
	source "$ktlab_lib"
done
unset ktlab_lib

bats_require_minimum_version 1.5.0

KTLAB=${KTLAB:-build/tools/ktlab/ktlab}
LAB=${KTLAB_ROOT:-/sys/kernel/config/kthread_lab}
KTLAB_GROUPS=(busy wait periodic oneshot)

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
	for group in "${KTLAB_GROUPS[@]}"; do
		echo 1 > "$LAB/$group/autostart"
	done
	return 0
}

# Fails unless the lab has no items at all (save/restore tests need it).
ktlab_require_empty_lab() {
	local dir
	for dir in "$LAB"/*/*/; do
		[[ -d $dir ]] && fail "the lab is not empty ($dir): another test left threads behind"
	done
	return 0
}

# Sleeps without forking, by timing out a read on a FIFO nobody writes.
ktlab_sleep() {
	local fifo=${BATS_RUN_TMPDIR:-/tmp}/ktlab_sleep.fifo
	[[ -p $fifo ]] || mkfifo "$fifo"
	read -rt "$1" <> "$fifo" || true
}

# Polls FILE until it reads WANT: ktlab_wait_for FILE WANT [TIMEOUT_S=10]
ktlab_wait_for() {
	local file=$1 want=$2 timeout=${3:-10} value='' now deadline
	now=${EPOCHREALTIME//[.,]/}
	deadline=$((now + timeout * 1000000))
	while ((now < deadline)); do
		{ read -r value < "$file"; } 2> /dev/null || value=
		[[ $value == "$want" ]] && return 0
		ktlab_sleep 0.05
		now=${EPOCHREALTIME//[.,]/}
	done
	echo "# $file reads '$value' after ${timeout}s, wanted '$want'" >&2
	return 1
}

# Asserts an attribute's value: ktlab_attr_is BEHAVIOUR/NAME ATTRIBUTE WANT
ktlab_attr_is() {
	local value
	read -r value < "$LAB/$1/$2"
	assert_equal "$value" "$3"
}
