#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kthread_lab kselftests as one kselftest test (the pattern of
# kselftest/module.sh): loads kthread_lab when it is not loaded, skips with
# exit 4 and the reason when it cannot, runs the test programs as KTAP
# subtests, and unloads the module again if it loaded it.
#
# Usage: run_kthread_lab.sh [TEST...]   (default: every *_test program)
# Environment:
#   KTL_MODULE    a kthread_lab.ko to insmod (default: modprobe kthread_lab)
#   KTL_TEST_DIR  where the programs are (default: this script's directory)
set -euo pipefail

ksft_skip=4
root=/sys/kernel/config/kthread_lab
dir=${KTL_TEST_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

# The whole test skips: a KTAP plan of 0 with the reason, exit 4.
skip() {
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $ksft_skip
}

# Loads kthread_lab (and configfs, which it needs), or says why it cannot.
load() {
	local out
	[ "$(id -u)" = 0 ] || { echo "not root: loading kthread_lab needs root"; return 1; }
	modprobe -q configfs 2>/dev/null || true
	if ! mountpoint -q /sys/kernel/config; then
		out=$(mount -t configfs configfs /sys/kernel/config 2>&1) ||
			{ echo "cannot mount configfs: $out"; return 1; }
	fi
	if [ -n "${KTL_MODULE:-}" ]; then
		out=$(insmod "$KTL_MODULE" 2>&1) || { echo "insmod $KTL_MODULE: $out"; return 1; }
	else
		out=$(modprobe kthread_lab 2>&1) || { echo "modprobe kthread_lab: $out"; return 1; }
	fi
	[ -d "$root" ] || { echo "kthread_lab loaded, but $root is missing"; return 1; }
}

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=()
	for prog in "$dir"/*_test; do
		[ -x "$prog" ] && tests+=("${prog##*/}")
	done
fi
[ ${#tests[@]} -gt 0 ] || skip "no test program in $dir (build them: make -C $dir)"
for test in "${tests[@]}"; do
	[[ $test =~ ^[a-z_]+_test$ && -x $dir/$test ]] ||
		{ echo "run_kthread_lab.sh: no test program '$test' in $dir" >&2; exit 1; }
done

loaded_here=0
if [ ! -d "$root" ]; then
	why=$(load) || skip "kthread_lab is not loaded and cannot be: $why"
	loaded_here=1
fi

echo "TAP version 13"
echo "1..${#tests[@]}"
n=0 failed=0 skipped=0
for test in "${tests[@]}"; do
	n=$((n + 1))
	echo "# $test"
	started=$SECONDS
	set +e
	(cd "$dir" && "./$test") 2>&1 | sed -u 's/^/# /'
	status=${PIPESTATUS[0]}
	set -e
	echo "# $test: $((SECONDS - started)) s"
	case $status in
	0) echo "ok $n $test" ;;
	"$ksft_skip") echo "ok $n $test # SKIP every case skipped (reasons above)"; skipped=$((skipped + 1)) ;;
	*) echo "not ok $n $test # exit=$status"; failed=$((failed + 1)) ;;
	esac
done

if [ $loaded_here = 1 ] && ! out=$(rmmod kthread_lab 2>&1); then
	echo "# rmmod kthread_lab: $out"
	failed=$((failed + 1))
fi
echo "# Totals: pass:$((n - failed - skipped)) fail:$failed skip:$skipped"
[ $failed = 0 ] || exit 1
[ $skipped -lt $n ] || exit $ksft_skip
