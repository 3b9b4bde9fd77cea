# shellcheck shell=bash
# Polling with a deadline, without forking: in the emulated guest every fork
# costs ~0.2 s, so these use bash builtins only (read, printf, [[ ]]; one mkfifo
# the first time). Sourced by tools/demo/walkthrough, tools/bench/guest-bench and
# selftests/bats/lab_helpers.bash.
#
#   wait_for [-t SECONDS] [-q] [-c|-x] FILE WANT   until FILE reads WANT
#   wait_until [-t SECONDS] [-q] [-c|-x] [-m MESSAGE] COMMAND [ARGS...]
#                                                  until COMMAND succeeds
#
# They poll every 20 ms for at most SECONDS (default 10, fractions allowed).
# On time-out they print a line to stderr (unless -q) and return 1; with -c
# they return 0 (a demo that goes on anyway), with -x they exit the shell
# with status 1 (a script that cannot go on).

# Sleeps SECONDS without forking, by timing out a read on a FIFO nobody writes.
wait_sleep() {
	local fifo=${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/wait_sleep.fifo
	[[ -p $fifo ]] || mkfifo "$fifo" 2> /dev/null || [[ -p $fifo ]]
	read -rt "$1" <> "$fifo" || true
}

# Microseconds since the epoch into wait_now, from bash's own clock.
wait_clock() {
	wait_now=${EPOCHREALTIME//[.,]/}
}

# SECONDS (e.g. 10 or 0.5) as microseconds into wait_us.
wait_microseconds() {
	local whole=${1%%.*} fraction=
	[[ $1 == *.* ]] && fraction=${1#*.}
	fraction=${fraction}000000
	wait_us=$((10#${whole:-0} * 1000000 + 10#${fraction:0:6}))
}

# Options common to wait_for and wait_until into wait_timeout, wait_quiet,
# wait_on_timeout (fail, continue or exit) and wait_message; sets wait_shift
# to the number of words they took.
wait_options() {
	wait_timeout=10 wait_quiet=0 wait_on_timeout=fail wait_message='' wait_shift=0
	local OPTIND=1 opt
	while getopts ":t:qcxm:" opt; do
		case $opt in
		t) wait_timeout=$OPTARG ;;
		q) wait_quiet=1 ;;
		c) wait_on_timeout='continue' ;;
		x) wait_on_timeout='exit' ;;
		m) wait_message=$OPTARG ;;
		*)
			printf 'wait: unknown option -%s\n' "$OPTARG" >&2
			return 2
			;;
		esac
	done
	wait_shift=$((OPTIND - 1))
}

# What a time-out does, once the polling gave up.
wait_timed_out() {
	((wait_quiet)) || printf '%s\n' "$wait_message" >&2
	case $wait_on_timeout in
	continue) return 0 ;;
	exit) exit 1 ;;
	*) return 1 ;;
	esac
}

wait_until() {
	local wait_timeout wait_quiet wait_on_timeout wait_message wait_shift wait_now wait_us deadline
	wait_options "$@" || return
	shift "$wait_shift"
	[[ -n $wait_message ]] || wait_message="# '$*' still fails after ${wait_timeout}s"
	wait_microseconds "$wait_timeout"
	wait_clock
	deadline=$((wait_now + wait_us))
	until "$@"; do
		wait_clock
		((wait_now < deadline)) || {
			wait_timed_out
			return
		}
		wait_sleep 0.02
	done
}

# FILE's first line into wait_value ('' when it cannot be read); true when it is $2.
wait_reads() {
	wait_value=
	{ read -r wait_value < "$1"; } 2> /dev/null
	[[ $wait_value == "$2" ]]
}

wait_for() {
	local wait_timeout wait_quiet wait_on_timeout wait_message wait_shift wait_value=
	wait_options "$@" || return
	shift "$wait_shift"
	local file=$1 want=$2 status=0
	wait_until -q -t "$wait_timeout" wait_reads "$file" "$want" || status=$?
	((status == 0)) && return 0
	wait_message="# $file reads '$wait_value' after ${wait_timeout}s, wanted '$want'"
	wait_timed_out
}
