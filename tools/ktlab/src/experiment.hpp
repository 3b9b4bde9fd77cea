// `ktlab experiment`: the results of the module's in-kernel experiments
// (experiments/<kind>/<name>/), how runs are split into chunks that fit the
// kernel's 25 s bound on a `run` write and how the chunks' results add up,
// and their presentation (table, JSON, CSV, the gnuplot data and script).
//
// ktlab keeps no list of result attributes: an item's read-only files are its
// results, "none", one integer (a count) or "min avg max p99" (statistics, ns).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ktlab {

// "min avg max p99", nanoseconds.
struct Stat {
    long long min = 0;
    long long avg = 0;
    long long max = 0;
    long long p99 = 0;
    bool operator==(const Stat&) const = default;
};

// One run's results, or several runs' combined, by attribute name; an
// attribute that read "none" is in neither map.
struct Results {
    std::map<std::string, long long> counts;
    std::map<std::string, Stat> stats;

    [[nodiscard]] long long count(const std::string& name) const;  // 0 when absent
    [[nodiscard]] std::optional<Stat> stat(const std::string& name) const;
};

// The count a statistic is taken over (its number of samples): first_run_ns
// over the rounds whose function ran (fn_ran), every other over `completed`.
[[nodiscard]] std::string stat_weight(std::string_view stat_name);

// Adds one result attribute's text to `results`; false when it is neither
// "none", an unsigned-or-signed integer nor four of them.
[[nodiscard]] bool add_result(Results& results, const std::string& name, std::string_view text);

// Two runs' results as one: counts add; for statistics min and max combine,
// avg is the mean weighted by each run's samples (stat_weight), and p99 is the
// largest of the runs' p99s, an upper bound of the p99 of all samples (at least
// 99% of each run's samples lie at or below it, so 99% of all do).
[[nodiscard]] Results combine(const Results& a, const Results& b);

// The `run` write's outcome: results and 0, or the partial results of a run
// the kernel ended at its 25 s bound (ETIMEDOUT).
struct ChunkOutcome {
    Results results;
    int sys_errno = 0;
};

// Splitting `total` units (race rounds, spawn threads) into runs.
struct ChunkPlan {
    long long total = 0;
    long long max_chunk = 100000;          // the count attribute's upper bound
    long long target_ns = 12'000'000'000;  // what a run should take: about half the kernel's bound
    long long fixed_ns = 0;                // a run's cost apart from its units (spawn's sleep)
    long long guess_unit_ns = 5'000'000;   // a unit's cost before the first run measured it
};

struct Chunked {
    Results results;
    int chunks = 0;
    int timeouts = 0;  // runs the kernel ended at 25 s (their completed units counted)
};

// Runs `run(count)` until `total` units completed: each run is sized to take
// about target_ns, estimated from the previous runs' elapsed_ns per completed
// unit; after an ETIMEDOUT the next run is at most half as large. Throws
// Error(timed_out) when a run completed nothing, Error(io) when a run that did
// not time out completed fewer units than asked.
[[nodiscard]] Chunked run_in_chunks(const std::function<ChunkOutcome(long long)>& run, const ChunkPlan& plan);

// One point of a race sweep: a placement and a delay, its combined results.
struct RacePoint {
    std::string placement;
    long long delay_ns = 0;
    Chunked outcome;
    std::map<std::string, std::string> parameters;  // the item's other parameters, as read
};

struct Machine {
    std::string kernel;  // uname -r
    long cpus = 0;       // online
};

struct RaceSweep {
    Machine machine;
    long long runs = 0;
    std::string delay_mode;
    std::vector<RacePoint> points;
};

// P(function ran) = fn_ran / completed; nullopt without completed rounds.
[[nodiscard]] std::optional<double> p_ran(const Results& results);

// One row per point: PLACEMENT, DELAY, RUNS, P(RAN), EINTR, FIRST_RUN_AVG, FIRST_RUN_P99.
[[nodiscard]] std::string render_race_table(const RaceSweep& sweep);
[[nodiscard]] nlohmann::ordered_json race_to_json(const RaceSweep& sweep);
// The rows as CSV: a header line, then one line per point (raw numbers, ns).
[[nodiscard]] std::string race_csv(const RaceSweep& sweep);
// Warnings for points that break eintr + fn_ran == completed or other == 0.
[[nodiscard]] std::vector<std::string> race_invariant_violations(const RaceSweep& sweep);

struct SpawnResult {
    Machine machine;
    long long threads = 0;
    Chunked outcome;
    std::map<std::string, std::string> parameters;
};

// A line of counts, then one row per statistic: MIN, AVG, MAX, P99.
[[nodiscard]] std::string render_spawn_table(const SpawnResult& spawn);
[[nodiscard]] nlohmann::ordered_json spawn_to_json(const SpawnResult& spawn);
[[nodiscard]] std::string spawn_csv(const SpawnResult& spawn);

// gnuplot's input for the P(ran) plot: one data block per placement (blocks
// separated by two blank lines, gnuplot's `index`), columns: x (delay in us;
// delay 0 drawn at zero_x_us), P(ran), delay_ns.
struct PlotInput {
    std::string data;
    std::string script;  // reads `data_file`, writes `svg_file`
};
[[nodiscard]] PlotInput race_plot(const RaceSweep& sweep, const std::string& data_file, const std::string& svg_file);

// A string as a gnuplot single-quoted literal ('' stands for ').
[[nodiscard]] std::string gnuplot_quote(std::string_view text);

}  // namespace ktlab
