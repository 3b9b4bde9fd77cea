// Text and JSON presentation: everything ktlab prints on standard output is
// rendered here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "snapshot.hpp"

namespace ktlab {

// 850 ns, 12.3 us, 4.56 ms, 1.23 s.
[[nodiscard]] std::string format_duration_ns(long long ns);
// 950/s, 12.3k/s, 4.56M/s.
[[nodiscard]] std::string format_rate(double per_second);

// Columns of text; numeric-looking cells are right-aligned.
class Table {
public:
    explicit Table(std::vector<std::string> headers);
    void add_row(std::vector<std::string> cells);
    [[nodiscard]] std::string render() const;

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// The `ls` table; `rates` (loops per second by thread id) adds the LOOPS/S column of `watch`.
[[nodiscard]] std::string render_thread_table(const std::vector<ThreadRecord>& threads,
                                              const std::map<std::string, double>* rates = nullptr);

// "stop_timeout_ms" "5000" -> "5000 ms"; stop_result gets its errno name.
[[nodiscard]] std::string value_with_unit(std::string_view key, std::string_view value);
// `show` output: one "key: value unit" line per attribute; lateness_ns labelled,
// a histogram (an attribute ending in _hist) as a bar chart.
[[nodiscard]] std::string render_attributes(const ThreadRecord& thread);
// "min 197 us  avg 888 us  max 3.61 ms  p99 3.61 ms" from lateness_ns's "<min> <avg> <max> <p99>" (ns).
[[nodiscard]] std::string render_lateness(std::string_view value);
// "<lower bound, us> <count>" lines as "  100-200 us  ########  8" lines, from the
// first to the last bucket that holds any; nullopt when the value is not such lines.
[[nodiscard]] std::optional<std::string> render_histogram(std::string_view value);

// Integers become numbers, `none` null, anything else stays a string.
[[nodiscard]] nlohmann::json value_to_json(std::string_view value);
[[nodiscard]] nlohmann::ordered_json thread_to_json(const ThreadRecord& thread);
// `ls --json`: {"threads": [...]} with one compact thread object per line. Built
// thread by thread, never as one document: 10,000 threads must list in well under a second.
[[nodiscard]] std::string threads_to_json_text(const std::vector<ThreadRecord>& threads);
// The same text straight from a snapshot's text, for `ls --json` of every
// thread; nullopt when the snapshot's items are not sorted by id (the caller
// then parses, sorts and uses threads_to_json_text). Throws SnapshotError.
[[nodiscard]] std::optional<std::string> snapshot_to_json_text(std::string_view snapshot);

// A JSON result as printed: indented, invalid UTF-8 replaced, a final newline.
[[nodiscard]] std::string json_text(const nlohmann::ordered_json& value);

// "spawned busy/a: state running, pid 42\n"
[[nodiscard]] std::string render_thread_line(std::string_view verb, const ThreadRecord& thread);

// What `ktlab stop` reports: kthread_stop()'s result, whether the function ran, the latency.
struct StopReport {
    std::string id;
    std::optional<long long> result;
    std::optional<bool> ran;
    std::optional<long long> latency_ns;
};
[[nodiscard]] std::string render_stop_report(const StopReport& report);
[[nodiscard]] nlohmann::ordered_json stop_report_to_json(const StopReport& report);

struct RestorePlan;
struct RestoreReport;
// `restore --dry-run`: the operations, then what would be skipped.
[[nodiscard]] std::string render_plan(const RestorePlan& plan);
// `restore`: how many were restored, then what was skipped or failed.
[[nodiscard]] std::string render_report(const RestoreReport& report);

}  // namespace ktlab
