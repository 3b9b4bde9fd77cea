// Text and JSON presentation of threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

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
// `show` output: one "key: value unit" line per attribute.
[[nodiscard]] std::string render_attributes(const ThreadRecord& thread);

// Integers become numbers, `none` null, anything else stays a string.
[[nodiscard]] nlohmann::json value_to_json(std::string_view value);
[[nodiscard]] nlohmann::ordered_json thread_to_json(const ThreadRecord& thread);
// `ls --json`: {"threads": [...]} with one compact thread object per line. Built
// thread by thread, never as one document: 10,000 threads must list in well under a second.
[[nodiscard]] std::string threads_to_json_text(const std::vector<ThreadRecord>& threads);

}  // namespace ktlab
