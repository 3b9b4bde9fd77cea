#!/usr/bin/env bats
# ktlab experiment against the real module: the sweep's table, JSON, CSV and
# SVG, and the experiment item ktlab makes being gone on every path. Few
# rounds per point (guest userspace is slow); no timing is asserted.
# Run in the guest from the repository root: bats --tap selftests/bats/experiment.bats

load ktlab_helpers

setup() {
	ktlab_setup
	[[ -d $LAB/experiments/race ]] || skip "this module has no experiments (features lacks 'experiments')"
	OUT=$BATS_TEST_TMPDIR
}

teardown() {
	local dir
	for dir in "$LAB"/experiments/*/ktlab*/; do
		[[ -d $dir ]] && rmdir "$dir"
	done
	lab_teardown
}

# Fails when ktlab left an experiment item behind.
no_item_left() {
	local dir
	for dir in "$LAB"/experiments/*/ktlab*/; do
		[[ -d $dir ]] && fail "ktlab left $dir behind"
	done
	return 0
}

@test "experiment race prints one row per delay, the runs asked for each" {
	run -0 --separate-stderr "$KTLAB" experiment race --delays 0,1000,2000000 --runs 20
	assert_equal "${#lines[@]}" 5
	assert_line --index 0 --regexp '^race: 20 runs per delay, delay_mode spin, placement any; kernel .+, [0-9]+ CPUs?$'
	assert_line --index 1 --regexp '^ *DELAY +RUNS +P\(RAN\) +EINTR +FIRST_RUN_AVG +FIRST_RUN_P99$'
	assert_line --index 2 --regexp '^ +0 ns +20 +[01]\.[0-9]{3} +[0-9]+ +'
	assert_line --index 3 --regexp '^ *1\.00 us +20 +[01]\.[0-9]{3} +[0-9]+ +'
	assert_line --index 4 --regexp '^ *2\.00 ms +20 +[01]\.[0-9]{3} +[0-9]+ +'
	no_item_left
}

@test "experiment race --json parses and every point keeps eintr + fn_ran == completed, other == 0" {
	command -v jq > /dev/null || skip "jq is not installed (make deps installs it)"
	run -0 --separate-stderr "$KTLAB" experiment race --delays 0,50000 --runs 20 --json
	echo "$output" > "$OUT/race.json"
	run -0 jq -e '.experiment == "race" and (.points | length == 2) and
		all(.points[]; .runs == 20 and .results.completed == 20 and
			.results.eintr + .results.fn_ran == .results.completed and .results.other == 0 and
			.p_ran == .results.fn_ran / .results.completed)' "$OUT/race.json"
	run -0 jq -r '[.points[].delay_ns] | map(tostring) | join(",")' "$OUT/race.json"
	assert_output "0,50000"
	no_item_left
}

@test "experiment race --placement all --svg --csv: valid SVG with a plotted path, CSV header and rows" {
	command -v gnuplot > /dev/null || skip "gnuplot is not installed (make deps installs gnuplot-nox)"
	command -v xmllint > /dev/null || skip "xmllint is not installed (make deps installs libxml2-utils)"
	local placements=all rows=6 cpus
	cpus=$(nproc)
	if ((cpus < 2)); then
		placements=any rows=2 # placement other needs a second CPU (EINVAL)
	fi
	run -0 --separate-stderr "$KTLAB" experiment race --delays 0,1000000 --runs 20 --placement "$placements" \
		--delay-mode sleep --svg "$OUT/race.svg" --csv "$OUT/race.csv"
	run -0 xmllint --noout "$OUT/race.svg"
	run -0 xmllint --xpath 'count(//*[local-name()="path"])' "$OUT/race.svg"
	((output > 0)) || fail "no <path> in the SVG"
	run -0 xmllint --xpath 'name(/*)' "$OUT/race.svg"
	assert_output svg
	mapfile -t lines < "$OUT/race.csv"
	assert_equal "${lines[0]}" "placement,delay_mode,delay_ns,runs,fn_ran,eintr,other,p_ran,first_run_avg_ns,first_run_p99_ns,chunks"
	assert_equal "${#lines[@]}" $((rows + 1))
	[[ ${lines[1]} =~ ^any,sleep,0,20,[0-9]+,[0-9]+,0,[01]\.[0-9]{3}, ]] || fail "first row: ${lines[1]}"
	if ((rows == 6)); then
		[[ ${lines[6]} == other,sleep,1000000,20,* ]] || fail "last row: ${lines[6]}"
	fi
	no_item_left
}

@test "experiment spawn prints create, wake-to-run and stop statistics per thread" {
	run -0 --separate-stderr "$KTLAB" experiment spawn --threads 20
	assert_line --index 0 --regexp '^spawn: 20 threads, 20 completed in 1 run \(.+\), sleep_before_stop_ms 0; kernel '
	assert_line --index 1 --regexp '^PER THREAD +MIN +AVG +MAX +P99$'
	assert_line --regexp '^create_ns +[0-9.]+ [num]?s +'
	assert_line --regexp '^wake_to_run_ns +[0-9.-]+ [num]?s +'
	assert_line --regexp '^stop_ns +[0-9.]+ [num]?s +'
	if command -v jq > /dev/null; then
		run -0 --separate-stderr "$KTLAB" experiment spawn --threads 10 --sleep-before-stop-ms 1 --json
		echo "$output" > "$OUT/spawn.json"
		run -0 jq -e '.results.completed == 10 and .parameters.sleep_before_stop_ms == 1 and
			(.results.stop_ns | .min <= .avg and .avg <= .max)' "$OUT/spawn.json"
	fi
	no_item_left
}

@test "a value the kernel refuses fails with exit 4 naming it, and the item is gone" {
	run -4 --separate-stderr "$KTLAB" experiment race --runs 5 --delay-mode nap
	# shellcheck disable=SC2154 # set by run --separate-stderr
	[[ $stderr =~ ^ktlab:\ the\ kernel\ refused\ delay_mode=nap\ for\ experiments/race/ktlab[0-9_]+:\ EINVAL ]] ||
		fail "not the refusal: $stderr"
	run -4 --separate-stderr "$KTLAB" experiment race --runs 5 --delays 0,2000000000
	[[ $stderr == *"delay_ns=2000000000"*"ERANGE"* ]] || fail "no delay_ns ERANGE in: $stderr"
	no_item_left
}

@test "SIGINT ends a sweep with exit 130 and ktlab removes its item" {
	local pid status=0
	"$KTLAB" experiment race --delays 100000000 --delay-mode sleep --runs 1000 > "$OUT/out" 2> "$OUT/err" &
	pid=$!
	wait_until -t 60 -m "# no experiment item of pid $pid appeared" \
		test -d "$LAB/experiments/race/ktlab$pid" || fail "ktlab made no item"
	kill -INT "$pid"
	wait "$pid" || status=$?
	assert_equal "$status" 130
	run cat "$OUT/err"
	assert_output --partial "interrupted by SIGINT"
	no_item_left
}
