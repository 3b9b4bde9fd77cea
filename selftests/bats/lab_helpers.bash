# shellcheck shell=bash
# Shared by the kthread_lab bats files: `load lab_helpers`, then call
# lab_setup from setup() and lab_teardown from teardown().
#
# Every fork in the guest costs ~0.2 s, so the helpers use bash builtins
# only (read, echo, printf, [[ ]]): polling never forks.

# bats-support and the bats-assert functions used here, sourced directly:
# their load.bash runs `$(dirname ...)` per file, a dozen forks per test in
# the guest, and parsing all of bats-assert costs another half second.
for lab_lib in /usr/lib/bats/bats-support/src/*.bash \
	/usr/lib/bats/bats-assert/src/assert_{equal,success,failure,output,line}.bash; do
	# shellcheck source=/dev/null
	source "$lab_lib"
done
unset lab_lib

# wait_for, wait_until and wait_sleep, shared with the demo and the benchmark.
# shellcheck source=tools/lib/wait.bash
source "${BASH_SOURCE[0]%/*}/../../tools/lib/wait.bash"

LAB=${KTLAB_ROOT:-/sys/kernel/config/kthread_lab}
LAB_GROUPS=(busy wait periodic oneshot)

# Enters $LAB, so tests type the guide's relative paths. Item names of this
# test start with $LAB_PREFIX; teardown sweeps them.
lab_setup() {
	cd "$LAB" || fail "$LAB missing: is kthread_lab loaded?"
	LAB_PREFIX="bats${BATS_TEST_NUMBER}p$$"
	read -r LAB_SAVED_MAX_THREADS < "$LAB/max_threads"
}

lab_teardown() {
	local dir group
	for dir in "$LAB"/*/"$LAB_PREFIX"*/; do
		[[ -d $dir ]] && rmdir "$dir"
	done
	for group in "${LAB_GROUPS[@]}"; do
		echo 1 > "$LAB/$group/autostart"
	done
	if [[ -n ${LAB_SAVED_MAX_THREADS:-} ]]; then
		echo "$LAB_SAVED_MAX_THREADS" > "$LAB/max_threads"
	fi
	return 0
}

# Sleeps without forking.
lab_sleep() {
	wait_sleep "$1"
}

# Polls FILE until it reads WANT: lab_wait_for FILE WANT [TIMEOUT_S=10]
lab_wait_for() {
	wait_for -t "${3:-10}" "$1" "$2"
}

# True when numeric FILE reads at least MIN; the value read is in lab_value.
lab_reads_at_least() {
	lab_value=0
	{ read -r lab_value < "$1"; } 2> /dev/null || lab_value=0
	((lab_value >= $2))
}

# Polls a numeric FILE until it is at least MIN: lab_wait_ge FILE MIN [TIMEOUT_S]
lab_wait_ge() {
	local lab_value=0 timeout=${3:-10}
	wait_until -q -t "$timeout" lab_reads_at_least "$1" "$2" && return 0
	echo "# $1 reads '$lab_value' after ${timeout}s, wanted >= $2" >&2
	return 1
}

# True when /proc/PID is gone: the thread exited and was reaped.
lab_gone() {
	[[ ! -e /proc/$1 ]]
}

# Polls until /proc/PID is gone: lab_wait_gone PID [TIMEOUT_S]
lab_wait_gone() {
	wait_until -q -t "${2:-10}" lab_gone "$1"
}

# Reads one attribute into the variable named VAR: lab_read VAR FILE
# shellcheck disable=SC2034 # a nameref: the caller's variable is the output
lab_read() {
	local -n lab_read_into=$1
	read -r lab_read_into < "$2"
}

# Writes as a user does with echo, without a subshell. Sets lab_status and
# lab_error (the shell's message, e.g. "... write error: Invalid argument").
# shellcheck disable=SC2034 # lab_status and lab_error are for the caller
lab_echo() {
	local errfile=${BATS_TEST_TMPDIR:-/tmp}/lab_echo.err
	if { echo "$1" > "$2"; } 2> "$errfile"; then
		lab_status=0
	else
		# shellcheck disable=SC2320 # echo's status is the write's status
		lab_status=$?
	fi
	lab_error=
	read -r lab_error < "$errfile" || true
}

# Field N (1-based, as in proc(5)) of /proc/PID/stat into the variable
# named VAR, skipping the comm: lab_proc_stat VAR PID N
# shellcheck disable=SC2034 # a nameref: the caller's variable is the output
lab_proc_stat() {
	local -n lab_stat_into=$1
	local stat fields
	read -r stat < "/proc/$2/stat"
	read -ra fields <<< "${stat##*) }"
	lab_stat_into=${fields[$3 - 3]}
}

# Asserts that `echo VALUE > FILE` fails with MESSAGE (strerror text, as the
# shell prints it) and leaves FILE reading as before when it is readable.
lab_echo_fails() {
	local value=$1 file=$2 message=$3 before='' after='' readable=1
	{ read -r before < "$file"; } 2> /dev/null || readable=0
	lab_echo "$value" "$file"
	(( lab_status != 0 )) || fail "echo '$value' > $file succeeded"
	[[ $lab_error == *"$message"* ]] ||
		fail "echo '$value' > $file: '$lab_error', wanted '$message'"
	if (( readable )); then
		read -r after < "$file"
		assert_equal "$after" "$before"
	fi
}
