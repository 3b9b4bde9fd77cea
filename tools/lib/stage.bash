# shellcheck shell=bash
# Programs the guest runs many times, copied into the guest's tmpfs first.
# Run from the repository's 9p mount (cache=mmap), every start of a program
# reads its pages over 9p again: `ktlab --version` took 1.1-1.9 s there
# against 0.5-0.6 s for a copy in /tmp, side by side in one loaded guest.
# Sourced by selftests/guest-suite, tools/bench/guest-bench and
# tools/experiments/guest-run; only ever run inside the guest.
#
#   stage_program PATH   prints the path of PATH's copy (debug info left out)

stage_program() {
	local src=$1 dir=${KTL_STAGE_DIR:-/tmp/ktl-stage} dst
	dst=$dir/${src##*/}
	mkdir -p "$dir"
	if ! objcopy --strip-debug "$src" "$dst" 2>/dev/null; then
		cp "$src" "$dst"
	fi
	printf '%s\n' "$dst"
}
