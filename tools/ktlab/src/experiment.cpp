#include "experiment.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "format.hpp"
#include "snapshot.hpp"

namespace ktlab {

namespace {

using ordered_json = nlohmann::ordered_json;

constexpr double ns_per_us = 1e3;

std::vector<std::string_view> split_words(std::string_view text)
{
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto start = text.find_first_not_of(" \t\n", pos);
        if (start == std::string_view::npos) {
            break;
        }
        const auto end = std::min(text.find_first_of(" \t\n", start), text.size());
        words.push_back(text.substr(start, end - start));
        pos = end;
    }
    return words;
}

// The weighted mean of two means, rounded toward zero as the kernel rounds its avg.
long long weighted_mean(long long avg_a, long long n_a, long long avg_b, long long n_b)
{
    const auto sum = static_cast<long double>(avg_a) * static_cast<long double>(n_a) +
                     static_cast<long double>(avg_b) * static_cast<long double>(n_b);
    return static_cast<long long>(std::trunc(sum / static_cast<long double>(n_a + n_b)));
}

ordered_json stat_to_json(const Stat& stat)
{
    return {{"min", stat.min}, {"avg", stat.avg}, {"max", stat.max}, {"p99", stat.p99}};
}

ordered_json results_to_json(const Results& results)
{
    ordered_json out = ordered_json::object();
    for (const auto& [name, value] : results.counts) {
        out[name] = value;
    }
    for (const auto& [name, stat] : results.stats) {
        out[name] = stat_to_json(stat);
    }
    return out;
}

ordered_json parameters_to_json(const std::map<std::string, std::string>& parameters)
{
    ordered_json out = ordered_json::object();
    for (const auto& [name, value] : parameters) {
        out[name] = value_to_json(value);
    }
    return out;
}

ordered_json machine_to_json(const Machine& machine)
{
    return {{"kernel", machine.kernel}, {"cpus", machine.cpus}};
}

std::string format_p(std::optional<double> p)
{
    return p ? fmt::format("{:.3f}", *p) : std::string{"-"};
}

std::string stat_cell(const Results& results, const std::string& name, long long Stat::*field)
{
    const auto stat = results.stat(name);
    return stat ? format_duration_ns((*stat).*field) : std::string{"-"};
}

std::string csv_stat(const Results& results, const std::string& name, long long Stat::*field)
{
    const auto stat = results.stat(name);
    return stat ? std::to_string((*stat).*field) : std::string{};
}

bool several_placements(const RaceSweep& sweep)
{
    std::set<std::string> placements;
    for (const auto& point : sweep.points) {
        placements.insert(point.placement);
    }
    return placements.size() > 1;
}

std::string machine_line(const Machine& machine)
{
    return fmt::format("kernel {}, {} CPU{}", machine.kernel, machine.cpus, machine.cpus == 1 ? "" : "s");
}

// A note under a table whose figures combine several runs.
std::string chunk_note(int max_chunks)
{
    if (max_chunks <= 1) {
        return {};
    }
    return fmt::format("(some figures combine up to {} runs: avg is their weighted mean, p99 the largest "
                       "of their p99s, an upper bound)\n",
                       max_chunks);
}

}  // namespace

long long Results::count(const std::string& name) const
{
    const auto found = counts.find(name);
    return found == counts.end() ? 0 : found->second;
}

std::optional<Stat> Results::stat(const std::string& name) const
{
    const auto found = stats.find(name);
    if (found == stats.end()) {
        return std::nullopt;
    }
    return found->second;
}

std::string stat_weight(std::string_view stat_name)
{
    return stat_name == "first_run_ns" ? "fn_ran" : "completed";
}

bool add_result(Results& results, const std::string& name, std::string_view text)
{
    const auto words = split_words(text);
    if (words.size() == 1 && words[0] == "none") {
        return true;
    }
    std::vector<long long> numbers;
    for (const auto word : words) {
        const auto number = parse_int(word);
        if (!number) {
            return false;
        }
        numbers.push_back(*number);
    }
    if (numbers.size() == 1) {
        results.counts[name] = numbers[0];
        return true;
    }
    constexpr std::size_t stat_fields = 4;
    if (numbers.size() == stat_fields) {
        results.stats[name] = Stat{numbers[0], numbers[1], numbers[2], numbers[3]};
        return true;
    }
    return false;
}

Results combine(const Results& a, const Results& b)
{
    Results out = a;
    for (const auto& [name, value] : b.counts) {
        out.counts[name] += value;
    }
    for (const auto& [name, stat_b] : b.stats) {
        const auto found = out.stats.find(name);
        if (found == out.stats.end()) {
            out.stats.emplace(name, stat_b);
            continue;
        }
        Stat& stat = found->second;
        const std::string weight = stat_weight(name);
        const long long n_a = std::max(a.count(weight), 0LL);
        const long long n_b = std::max(b.count(weight), 0LL);
        stat.avg = n_a + n_b > 0 ? weighted_mean(stat.avg, n_a, stat_b.avg, n_b) : (stat.avg + stat_b.avg) / 2;
        stat.min = std::min(stat.min, stat_b.min);
        stat.max = std::max(stat.max, stat_b.max);
        stat.p99 = std::max(stat.p99, stat_b.p99);
    }
    return out;
}

Chunked run_in_chunks(const std::function<ChunkOutcome(long long)>& run, const ChunkPlan& plan)
{
    Chunked out;
    long long remaining = plan.total;
    double unit_ns = static_cast<double>(std::max(plan.guess_unit_ns, 1LL));
    long long limit = std::max(plan.max_chunk, 1LL);
    const double budget_ns = static_cast<double>(std::max(plan.target_ns - plan.fixed_ns, plan.target_ns / 4));
    while (remaining > 0) {
        const auto wanted = static_cast<long long>(std::llround(budget_ns / unit_ns));
        const long long size = std::clamp(wanted, 1LL, std::min(limit, remaining));
        const ChunkOutcome outcome = run(size);
        const long long completed = std::min(outcome.results.count("completed"), remaining);
        out.results = out.chunks == 0 ? outcome.results : combine(out.results, outcome.results);
        ++out.chunks;
        const long long elapsed = outcome.results.count("elapsed_ns");
        if (completed > 0 && elapsed > 0) {
            unit_ns = std::max(1.0, static_cast<double>(std::max(elapsed - plan.fixed_ns, 0LL)) /
                                        static_cast<double>(completed));
        }
        if (outcome.sys_errno == ETIMEDOUT) {
            ++out.timeouts;
            if (completed <= 0) {
                throw Error(ExitCode::timed_out,
                            fmt::format("a run of {} completed nothing within the kernel's bound (ETIMEDOUT)", size),
                            ETIMEDOUT, "run");
            }
            limit = std::max(completed / 2, 1LL);
        } else if (completed != size) {
            throw Error(ExitCode::io, fmt::format("a run of {} reported {} completed", size, completed));
        }
        remaining -= completed;
    }
    return out;
}

std::optional<double> p_ran(const Results& results)
{
    const long long completed = results.count("completed");
    if (completed <= 0) {
        return std::nullopt;
    }
    return static_cast<double>(results.count("fn_ran")) / static_cast<double>(completed);
}

std::string render_race_table(const RaceSweep& sweep)
{
    const bool with_placement = several_placements(sweep);
    std::vector<std::string> headers{"DELAY", "RUNS", "P(RAN)", "EINTR", "FIRST_RUN_AVG", "FIRST_RUN_P99"};
    if (with_placement) {
        headers.insert(headers.begin(), "PLACEMENT");
    }
    Table table{headers};
    int max_chunks = 0;
    for (const auto& point : sweep.points) {
        const Results& results = point.outcome.results;
        std::vector<std::string> row{format_duration_ns(point.delay_ns), std::to_string(results.count("completed")),
                                     format_p(p_ran(results)), std::to_string(results.count("eintr")),
                                     stat_cell(results, "first_run_ns", &Stat::avg),
                                     stat_cell(results, "first_run_ns", &Stat::p99)};
        if (with_placement) {
            row.insert(row.begin(), point.placement);
        }
        table.add_row(std::move(row));
        max_chunks = std::max(max_chunks, point.outcome.chunks);
    }
    std::string placement;
    if (!with_placement && !sweep.points.empty()) {
        placement = fmt::format(", placement {}", sweep.points.front().placement);
    }
    return fmt::format("race: {} runs per delay, delay_mode {}{}; {}\n", sweep.runs, sweep.delay_mode, placement,
                       machine_line(sweep.machine)) +
           table.render() + chunk_note(max_chunks);
}

ordered_json race_to_json(const RaceSweep& sweep)
{
    ordered_json points = ordered_json::array();
    for (const auto& point : sweep.points) {
        const auto p = p_ran(point.outcome.results);
        points.push_back({{"placement", point.placement},
                          {"delay_ns", point.delay_ns},
                          {"runs", point.outcome.results.count("completed")},
                          {"p_ran", p ? ordered_json(*p) : ordered_json(nullptr)},
                          {"chunks", point.outcome.chunks},
                          {"timeouts", point.outcome.timeouts},
                          {"results", results_to_json(point.outcome.results)},
                          {"parameters", parameters_to_json(point.parameters)}});
    }
    return {{"experiment", "race"},
            {"machine", machine_to_json(sweep.machine)},
            {"runs", sweep.runs},
            {"delay_mode", sweep.delay_mode},
            {"points", points}};
}

std::string race_csv(const RaceSweep& sweep)
{
    std::string out = "placement,delay_mode,delay_ns,runs,fn_ran,eintr,other,p_ran,first_run_avg_ns,first_run_p99_ns,"
                      "chunks\n";
    for (const auto& point : sweep.points) {
        const Results& results = point.outcome.results;
        const auto p = p_ran(results);
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", point.placement, sweep.delay_mode, point.delay_ns,
                           results.count("completed"), results.count("fn_ran"), results.count("eintr"),
                           results.count("other"), p ? fmt::format("{:.3f}", *p) : std::string{},
                           csv_stat(results, "first_run_ns", &Stat::avg),
                           csv_stat(results, "first_run_ns", &Stat::p99), point.outcome.chunks);
    }
    return out;
}

std::vector<std::string> race_invariant_violations(const RaceSweep& sweep)
{
    std::vector<std::string> warnings;
    for (const auto& point : sweep.points) {
        const Results& results = point.outcome.results;
        const long long completed = results.count("completed");
        const long long fn_ran = results.count("fn_ran");
        const long long eintr = results.count("eintr");
        const long long other = results.count("other");
        if (eintr + fn_ran != completed || other != 0) {
            warnings.push_back(fmt::format("placement {} delay {} ns: eintr {} + fn_ran {} != completed {} or "
                                           "other {} != 0: kthread_stop() did not return -EINTR exactly when "
                                           "the function never ran",
                                           point.placement, point.delay_ns, eintr, fn_ran, completed, other));
        }
    }
    return warnings;
}

std::string render_spawn_table(const SpawnResult& spawn)
{
    const Results& results = spawn.outcome.results;
    Table table{{"PER THREAD", "MIN", "AVG", "MAX", "P99"}};
    for (const auto& [name, stat] : results.stats) {
        table.add_row({name, format_duration_ns(stat.min), format_duration_ns(stat.avg), format_duration_ns(stat.max),
                       format_duration_ns(stat.p99)});
    }
    const std::string sleep = spawn.parameters.contains("sleep_before_stop_ms")
                                  ? fmt::format(", sleep_before_stop_ms {}", spawn.parameters.at("sleep_before_stop_ms"))
                                  : std::string{};
    return fmt::format("spawn: {} threads, {} completed in {} run{} ({}){}; {}\n", spawn.threads,
                       results.count("completed"), spawn.outcome.chunks, spawn.outcome.chunks == 1 ? "" : "s",
                       format_duration_ns(results.count("elapsed_ns")), sleep, machine_line(spawn.machine)) +
           table.render() + chunk_note(spawn.outcome.chunks);
}

ordered_json spawn_to_json(const SpawnResult& spawn)
{
    return {{"experiment", "spawn"},
            {"machine", machine_to_json(spawn.machine)},
            {"threads", spawn.threads},
            {"chunks", spawn.outcome.chunks},
            {"timeouts", spawn.outcome.timeouts},
            {"results", results_to_json(spawn.outcome.results)},
            {"parameters", parameters_to_json(spawn.parameters)}};
}

std::string spawn_csv(const SpawnResult& spawn)
{
    const Results& results = spawn.outcome.results;
    std::string out = "statistic,samples,min_ns,avg_ns,max_ns,p99_ns\n";
    for (const auto& [name, stat] : results.stats) {
        out += fmt::format("{},{},{},{},{},{}\n", name, results.count(stat_weight(name)), stat.min, stat.avg, stat.max,
                           stat.p99);
    }
    return out;
}

std::string gnuplot_quote(std::string_view text)
{
    std::string out = "'";
    for (const char c : text) {
        if (c == '\'') {
            out += "''";
        } else if (c == '\n' || c == '\r') {
            out += ' ';
        } else {
            out += c;
        }
    }
    out += '\'';
    return out;
}

PlotInput race_plot(const RaceSweep& sweep, const std::string& data_file, const std::string& svg_file)
{
    // Delays are on a log axis; 0 has no place on one, so it is drawn a
    // quarter of the smallest other delay to the left, its tic labelled "0".
    long long smallest = 0;
    long long largest = 0;
    for (const auto& point : sweep.points) {
        if (point.delay_ns > 0 && (smallest == 0 || point.delay_ns < smallest)) {
            smallest = point.delay_ns;
        }
        largest = std::max(largest, point.delay_ns);
    }
    const bool log_axis = smallest > 0;
    const double zero_x = log_axis ? static_cast<double>(smallest) / ns_per_us / 4 : 0.0;

    std::vector<std::string> placements;
    for (const auto& point : sweep.points) {
        if (std::find(placements.begin(), placements.end(), point.placement) == placements.end()) {
            placements.push_back(point.placement);
        }
    }
    PlotInput input;
    std::vector<std::string> curves;
    for (const auto& placement : placements) {
        if (!curves.empty()) {
            input.data += "\n\n";
        }
        input.data += fmt::format("# placement {}\n# delay_us p_ran delay_ns\n", placement);
        for (const auto& point : sweep.points) {
            const auto p = p_ran(point.outcome.results);
            if (point.placement != placement || !p) {
                continue;
            }
            const double x = point.delay_ns == 0 ? zero_x : static_cast<double>(point.delay_ns) / ns_per_us;
            input.data += fmt::format("{} {:.4f} {}\n", x, *p, point.delay_ns);
        }
        curves.push_back(fmt::format("{} index {} using 1:2 with linespoints linewidth 2 pointtype 7 title {}",
                                     curves.empty() ? gnuplot_quote(data_file) : std::string{"''"}, curves.size(),
                                     gnuplot_quote("placement " + placement)));
    }
    std::ostringstream script;
    script << "set terminal svg size 800,480 dynamic noenhanced font 'sans,12' background '#ffffff'\n"
           << "set output " << gnuplot_quote(svg_file) << "\n"
           << "set title " << gnuplot_quote(fmt::format("kthread_stop() after kthread_run(): {} runs per point, "
                                                        "delay_mode {}, {}",
                                                        sweep.runs, sweep.delay_mode, machine_line(sweep.machine)))
           << "\n"
           << "set xlabel 'delay from kthread_run() returning to the kthread_stop() call (us)'\n"
           << "set ylabel 'P(function ran)'\n"
           << "set yrange [-0.02:1.02]\n"
           << "set grid\n"
           << "set key outside right top\n";
    if (log_axis) {
        // From just left of the zero to just right of the largest delay.
        script << "set logscale x\n"
               << "set xrange [" << zero_x / 2 << ":" << static_cast<double>(largest) / ns_per_us * 2 << "]\n"
               << "set xtics add ('0' " << zero_x << ")\n";
    }
    script << "plot ";
    for (std::size_t i = 0; i < curves.size(); ++i) {
        script << (i > 0 ? ", \\\n     " : "") << curves[i];
    }
    script << "\n";
    input.script = script.str();
    return input;
}

}  // namespace ktlab
