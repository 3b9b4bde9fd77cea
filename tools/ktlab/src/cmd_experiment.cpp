// experiment race and experiment spawn: sweeps of the module's in-kernel
// experiments (experiments/<kind>/<name>/), one item per invocation, made and
// removed by ktlab on every path.
#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "experiment.hpp"
#include "format.hpp"
#include "lab_ops.hpp"
#include "plot.hpp"

namespace ktlab {

namespace {

volatile std::sig_atomic_t interrupt_signal = 0;

extern "C" void on_interrupt(int signal)
{
    interrupt_signal = signal;
}

// SIGINT, SIGTERM and SIGHUP set a flag instead of killing ktlab, so the
// item is removed on the way out. No SA_RESTART: the module ends a run on
// any signal and the `run` write fails with EINTR.
class InterruptSignals {
public:
    InterruptSignals()
    {
        interrupt_signal = 0;
        struct sigaction action {};
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        for (std::size_t i = 0; i < signals_.size(); ++i) {
            ::sigaction(signals_.at(i), &action, &saved_.at(i));
        }
    }
    InterruptSignals(const InterruptSignals&) = delete;
    InterruptSignals& operator=(const InterruptSignals&) = delete;
    InterruptSignals(InterruptSignals&&) = delete;
    InterruptSignals& operator=(InterruptSignals&&) = delete;
    ~InterruptSignals()
    {
        for (std::size_t i = 0; i < signals_.size(); ++i) {
            ::sigaction(signals_.at(i), &saved_.at(i), nullptr);
        }
    }

    // Throws Error(interrupted) once a signal came.
    static void check()
    {
        if (interrupt_signal != 0) {
            throw Error(ExitCode::interrupted,
                        fmt::format("interrupted by {}: the experiment ended early, nothing is reported",
                                    sigabbrev_np(interrupt_signal) != nullptr
                                        ? fmt::format("SIG{}", sigabbrev_np(interrupt_signal))
                                        : std::string{"a signal"}));
        }
    }

private:
    std::array<int, 3> signals_{SIGINT, SIGTERM, SIGHUP};
    std::array<struct sigaction, 3> saved_{};
};

Machine this_machine()
{
    Machine machine;
    struct utsname names {};
    if (::uname(&names) == 0) {
        machine.kernel = static_cast<const char*>(names.release);
    }
    machine.cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    return machine;
}

// One experiment item, experiments/<kind>/ktlab<pid>, removed when it goes out of scope.
class ExperimentItem {
public:
    ExperimentItem(LabFs& lab, const std::string& kind) : lab_(lab), item_{"experiments/" + kind, {}}
    {
        ensure_lab(lab_);
        if (!lab_.is_dir(item_.behaviour)) {
            throw Error(ExitCode::usage, fmt::format("this kthread_lab module has no {} (its features lack "
                                                     "'experiments', or the kind is unknown)",
                                                     item_.behaviour));
        }
        for (int attempt = 0;; ++attempt) {
            item_.name = attempt == 0 ? fmt::format("ktlab{}", ::getpid()) : fmt::format("ktlab{}_{}", ::getpid(), attempt);
            try {
                lab_.make_dir(item_.path());
                break;
            } catch (const FsError& error) {
                constexpr int attempts = 8;
                if (error.sys_errno() != EEXIST || attempt + 1 == attempts) {
                    throw lab_error(error, changing(item_.id(), fmt::format("to create {}", item_.id())));
                }
            }
        }
    }
    ExperimentItem(const ExperimentItem&) = delete;
    ExperimentItem& operator=(const ExperimentItem&) = delete;
    ExperimentItem(ExperimentItem&&) = delete;
    ExperimentItem& operator=(ExperimentItem&&) = delete;
    ~ExperimentItem()
    {
        try {
            lab_.remove_dir(item_.path());
        } catch (const FsError& error) {
            fmt::print(stderr, "ktlab: warning: could not remove {}: {}\n", item_.id(), error.what());
        }
    }

    void set(const std::string& attribute, const std::string& value)
    {
        InterruptSignals::check();
        try {
            lab_.write(item_.path() / attribute, value);
        } catch (const FsError& error) {
            throw attribute_error(lab_, error, item_, attribute, value);
        }
    }

    // `run`: the results, partial after ETIMEDOUT.
    ChunkOutcome run()
    {
        InterruptSignals::check();
        ChunkOutcome outcome;
        try {
            lab_.write(item_.path() / "run", "1");
        } catch (const FsError& error) {
            InterruptSignals::check();
            if (error.sys_errno() != ETIMEDOUT) {
                throw attribute_error(lab_, error, item_, "run", "1");
            }
            outcome.sys_errno = ETIMEDOUT;
        }
        outcome.results = results();
        return outcome;
    }

    // Every result attribute: the item's read-only files.
    [[nodiscard]] Results results() const
    {
        Results results;
        for (const auto& [name, value] : read_files(false)) {
            if (!add_result(results, name, value)) {
                throw Error(ExitCode::io, fmt::format("{}/{} reads '{}': neither none, a number nor "
                                                      "\"min avg max p99\"",
                                                      item_.id(), name, value));
            }
        }
        return results;
    }

    // Every parameter (read-write file) but `except`.
    [[nodiscard]] std::map<std::string, std::string> parameters(const std::string& except) const
    {
        auto values = read_files(true);
        values.erase(except);
        return values;
    }

private:
    [[nodiscard]] std::map<std::string, std::string> read_files(bool writable) const
    {
        std::map<std::string, std::string> values;
        try {
            for (const auto& name : lab_.files(item_.path())) {
                const auto file = item_.path() / name;
                if (lab_.readable(file) && lab_.writable(file) == writable) {
                    values.emplace(name, lab_.read_value(file));
                }
            }
        } catch (const FsError& error) {
            throw lab_error(error, reading(item_.id()));
        }
        return values;
    }

    LabFs& lab_;
    ItemRef item_;
};

struct RaceOptions {
    std::vector<long long> delays{0, 1000, 2000, 5000, 10000, 20000, 50000, 100000};
    long long runs = 1000;
    std::string placement = "any";
    std::optional<std::string> delay_mode;
    std::string svg;
    std::string csv;
};

struct SpawnOptions {
    long long threads = 1000;
    std::optional<long long> sleep_before_stop_ms;
    std::string csv;
};

constexpr long long max_runs_per_write = 100000;  // the kernel's range of runs and threads
constexpr long long ns_per_ms = 1'000'000;
constexpr long long race_round_guess_ns = 5 * ns_per_ms;
constexpr long long spawn_thread_guess_ns = 10 * ns_per_ms;

// Progress on standard error, for a person watching a long sweep.
void progress(const std::string& text)
{
    if (::isatty(STDERR_FILENO) == 1) {
        fmt::print(stderr, "ktlab: {}\n", text);
    }
}

RaceSweep sweep_race(LabFs& lab, const RaceOptions& options)
{
    const std::vector<std::string> placements = options.placement == "all"
                                                    ? std::vector<std::string>{"any", "same", "other"}
                                                    : std::vector<std::string>{options.placement};
    RaceSweep sweep;
    sweep.machine = this_machine();
    sweep.runs = options.runs;
    ExperimentItem item{lab, "race"};
    // The kernel checks every value before the first run: a bad one fails at once.
    if (options.delay_mode) {
        item.set("delay_mode", *options.delay_mode);
    }
    for (const auto delay : options.delays) {
        item.set("delay_ns", std::to_string(delay));
    }
    for (const auto& placement : placements) {
        item.set("placement", placement);
    }
    // A round's cost besides its delay, from the last point: the first run of
    // the next point is sized by it.
    long long round_overhead_ns = race_round_guess_ns;
    for (const auto& placement : placements) {
        item.set("placement", placement);
        for (const auto delay : options.delays) {
            item.set("delay_ns", std::to_string(delay));
            ChunkPlan plan;
            plan.total = options.runs;
            plan.max_chunk = max_runs_per_write;
            plan.guess_unit_ns = delay + round_overhead_ns;
            RacePoint point{placement, delay, run_in_chunks(
                                                  [&item](long long size) {
                                                      item.set("runs", std::to_string(size));
                                                      return item.run();
                                                  },
                                                  plan),
                            item.parameters("runs")};
            const Results& results = point.outcome.results;
            if (results.count("completed") > 0) {
                round_overhead_ns =
                    std::max(results.count("elapsed_ns") / results.count("completed") - delay, 1LL);
            }
            progress(fmt::format("race placement {} delay {} ns: {} runs in {} write(s)", placement, delay,
                                 point.outcome.results.count("completed"), point.outcome.chunks));
            sweep.points.push_back(std::move(point));
        }
    }
    // What the kernel ran with: the default unless --delay-mode was given.
    const auto& ran_with = sweep.points.front().parameters;
    const auto mode = ran_with.find("delay_mode");
    sweep.delay_mode = mode != ran_with.end() ? mode->second : options.delay_mode.value_or("?");
    return sweep;
}

void run_race(const Context& ctx, const RaceOptions& options)
{
    LabFs lab{ctx.root};
    if (!options.svg.empty()) {
        require_gnuplot();  // before minutes of sweeping, not after
    }
    const InterruptSignals signals;
    const RaceSweep sweep = sweep_race(lab, options);
    for (const auto& warning : race_invariant_violations(sweep)) {
        fmt::print(stderr, "ktlab: warning: {}\n", warning);
    }
    if (!options.csv.empty()) {
        save_file_atomically(options.csv, race_csv(sweep));
    }
    if (!options.svg.empty()) {
        draw_race_svg(sweep, options.svg);
    }
    print_text(ctx.json ? json_text(race_to_json(sweep)) : render_race_table(sweep));
}

void run_spawn_experiment(const Context& ctx, const SpawnOptions& options)
{
    LabFs lab{ctx.root};
    const InterruptSignals signals;
    SpawnResult spawn;
    spawn.machine = this_machine();
    spawn.threads = options.threads;
    {
        ExperimentItem item{lab, "spawn"};
        if (options.sleep_before_stop_ms) {
            item.set("sleep_before_stop_ms", std::to_string(*options.sleep_before_stop_ms));
        }
        ChunkPlan plan;
        plan.total = options.threads;
        plan.max_chunk = max_runs_per_write;
        plan.fixed_ns = options.sleep_before_stop_ms.value_or(0) * ns_per_ms;
        plan.guess_unit_ns = spawn_thread_guess_ns;
        try {
            spawn.outcome = run_in_chunks(
                [&item](long long size) {
                    item.set("threads", std::to_string(size));
                    return item.run();
                },
                plan);
        } catch (const Error& error) {
            if (error.sys_errno() != ENOSPC) {
                throw;
            }
            throw Error(error.code(),
                        fmt::format("{}: the run's threads would pass max_threads ({}); raise it or ask for fewer",
                                    error.what(), lab.try_read_value("max_threads").value_or("?")),
                        ENOSPC, error.attribute());
        }
        spawn.parameters = item.parameters("threads");
    }
    if (!options.csv.empty()) {
        save_file_atomically(options.csv, spawn_csv(spawn));
    }
    print_text(ctx.json ? json_text(spawn_to_json(spawn)) : render_spawn_table(spawn));
}

void setup_race(CLI::App& parent, Context& ctx)
{
    auto options = std::make_shared<RaceOptions>();
    auto* sub = parent.add_subcommand("race", "When may kthread_stop() follow kthread_run()? P(function ran) per delay");
    sub->add_option("--delays", options->delays, "Delays from kthread_run() to kthread_stop(), ns, comma-separated")
        ->delimiter(',')
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    sub->add_option("--runs", options->runs, "Rounds per delay (split into writes the kernel's 25 s bound allows)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    sub->add_option("--placement", options->placement, "any, same, other, or all (one sweep each)")
        ->capture_default_str();
    sub->add_option("--delay-mode", options->delay_mode, "spin (default) or sleep");
    sub->add_option("--svg", options->svg, "Draw P(function ran) against the delay into FILE (gnuplot)")
        ->type_name("FILE");
    sub->add_option("--csv", options->csv, "Write the table's rows to FILE as CSV")->type_name("FILE");
    sub->callback([&ctx, options] { run_race(ctx, *options); });
}

void setup_spawn_experiment(CLI::App& parent, Context& ctx)
{
    auto options = std::make_shared<SpawnOptions>();
    auto* sub = parent.add_subcommand("spawn", "What a kernel thread costs: create, wake-to-run and stop times");
    sub->add_option("--threads", options->threads, "Threads to make (split into writes the 25 s bound allows)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    sub->add_option("--sleep-before-stop-ms", options->sleep_before_stop_ms,
                    "Let the CPUs go idle this long before the stops (each write)")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--csv", options->csv, "Write the statistics to FILE as CSV")->type_name("FILE");
    sub->callback([&ctx, options] { run_spawn_experiment(ctx, *options); });
}

}  // namespace

void setup_experiment(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("experiment", "Sweep the module's in-kernel experiments (race, spawn)");
    sub->require_subcommand(1);
    setup_race(*sub, ctx);
    setup_spawn_experiment(*sub, ctx);
}

}  // namespace ktlab
