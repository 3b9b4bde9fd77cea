#include "format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "errno_names.hpp"
#include "restore.hpp"

namespace ktlab {

namespace {

// Three significant digits are enough to read at a glance.
std::string three_digits(double value)
{
    const double magnitude = std::fabs(value);
    if (magnitude == 0.0) {
        return "0";
    }
    if (magnitude >= 100.0) {
        return fmt::format("{:.0f}", value);
    }
    if (magnitude >= 10.0) {
        return fmt::format("{:.1f}", value);
    }
    return fmt::format("{:.2f}", value);
}

bool looks_numeric(std::string_view cell)
{
    if (cell.empty() || cell == "-") {
        return false;
    }
    const char first = cell.front();
    return (first >= '0' && first <= '9') || ((first == '-' || first == '+') && cell.size() > 1);
}

std::string optional_value(const ThreadRecord& thread, std::string_view key)
{
    return thread.get(key).value_or("-");
}

struct UnitRule {
    std::string_view suffix;
    std::string_view unit;
};

constexpr std::array<UnitRule, 3> unit_rules{{{"_ns", "ns"}, {"_us", "us"}, {"_ms", "ms"}}};

}  // namespace

std::string format_duration_ns(long long ns)
{
    constexpr double ns_per_us = 1e3;
    constexpr double ns_per_ms = 1e6;
    constexpr double ns_per_s = 1e9;
    const auto value = static_cast<double>(ns);
    const double magnitude = std::fabs(value);
    if (magnitude < ns_per_us) {
        return fmt::format("{} ns", ns);
    }
    if (magnitude < ns_per_ms) {
        return three_digits(value / ns_per_us) + " us";
    }
    if (magnitude < ns_per_s) {
        return three_digits(value / ns_per_ms) + " ms";
    }
    return three_digits(value / ns_per_s) + " s";
}

std::string format_rate(double per_second)
{
    constexpr double kilo = 1e3;
    constexpr double mega = 1e6;
    constexpr double giga = 1e9;
    const double magnitude = std::fabs(per_second);
    if (magnitude < kilo) {
        return three_digits(per_second) + "/s";
    }
    if (magnitude < mega) {
        return three_digits(per_second / kilo) + "k/s";
    }
    if (magnitude < giga) {
        return three_digits(per_second / mega) + "M/s";
    }
    return three_digits(per_second / giga) + "G/s";
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells)
{
    cells.resize(headers_.size());
    rows_.push_back(std::move(cells));
}

std::string Table::render() const
{
    std::vector<std::size_t> widths(headers_.size());
    std::vector<bool> right_aligned(headers_.size(), !rows_.empty());
    for (std::size_t col = 0; col < headers_.size(); ++col) {
        widths[col] = headers_[col].size();
        for (const auto& row : rows_) {
            widths[col] = std::max(widths[col], row[col].size());
            if (row[col] != "-" && !looks_numeric(row[col])) {
                right_aligned[col] = false;
            }
        }
    }
    std::string out;
    auto emit = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t col = 0; col < cells.size(); ++col) {
            if (col > 0) {
                line += "  ";
            }
            line += right_aligned[col] ? fmt::format("{:>{}}", cells[col], widths[col])
                                       : fmt::format("{:<{}}", cells[col], widths[col]);
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out += line;
        out += '\n';
    };
    emit(headers_);
    for (const auto& row : rows_) {
        emit(row);
    }
    return out;
}

std::string render_thread_table(const std::vector<ThreadRecord>& threads, const std::map<std::string, double>* rates)
{
    std::vector<std::string> headers{"NAME", "BEHAVIOUR", "STATE", "PID", "CPU", "RAN", "LOOPS"};
    if (rates != nullptr) {
        headers.emplace_back("LOOPS/S");
    }
    headers.emplace_back("STOP_RESULT");
    headers.emplace_back("STOP_LATENCY");
    Table table{std::move(headers)};
    for (const auto& thread : threads) {
        std::vector<std::string> row{thread.name,
                                     thread.behaviour,
                                     optional_value(thread, "state"),
                                     optional_value(thread, "pid"),
                                     optional_value(thread, "cpu"),
                                     optional_value(thread, "ran"),
                                     optional_value(thread, "loops")};
        if (rates != nullptr) {
            const auto rate = rates->find(thread.id());
            row.push_back(rate == rates->end() ? "-" : format_rate(rate->second));
        }
        const auto result = thread.get_int("stop_result");
        row.push_back(result ? format_stop_result(*result) : "-");
        const auto latency = thread.get_int("stop_latency_ns");
        row.push_back(latency ? format_duration_ns(*latency) : "-");
        table.add_row(std::move(row));
    }
    return table.render();
}

std::string value_with_unit(std::string_view key, std::string_view value)
{
    const auto number = parse_int(value);
    if (key == "stop_result" && number) {
        return format_stop_result(*number);
    }
    for (const auto& rule : unit_rules) {
        if (!key.ends_with(rule.suffix) || value == "none") {
            continue;
        }
        if (rule.unit == "ns" && number) {
            return *number < 1000 ? fmt::format("{} ns", value)
                                  : fmt::format("{} ns ({})", value, format_duration_ns(*number));
        }
        // Several numbers in one value share the unit.
        return fmt::format("{} {}", value, rule.unit);
    }
    return std::string{value};
}

namespace {

constexpr std::size_t histogram_bar_width = 40;
constexpr long long us_per_ms = 1000;
constexpr long long us_per_s = 1000000;

std::vector<std::string_view> lines_of(std::string_view text)
{
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto newline = std::min(text.find('\n'), text.size());
        lines.push_back(text.substr(0, newline));
        text.remove_prefix(std::min(newline + 1, text.size()));
    }
    return lines;
}

// Space-separated integers; empty when anything else is there.
std::vector<long long> numbers_of(std::string_view text)
{
    std::vector<long long> numbers;
    while (!text.empty()) {
        const auto space = std::min(text.find(' '), text.size());
        const auto number = parse_int(text.substr(0, space));
        if (!number) {
            return {};
        }
        numbers.push_back(*number);
        text.remove_prefix(std::min(space + 1, text.size()));
    }
    return numbers;
}

struct Bucket {
    long long lower_us;
    long long count;
};

// "<lower bound, us> <count>" lines; nullopt when the value is not that.
std::optional<std::vector<Bucket>> buckets_of(std::string_view value)
{
    std::vector<Bucket> buckets;
    for (const auto line : lines_of(value)) {
        const auto numbers = numbers_of(line);
        if (numbers.size() != 2 || numbers[1] < 0 || (!buckets.empty() && numbers[0] <= buckets.back().lower_us)) {
            return std::nullopt;
        }
        buckets.push_back({numbers[0], numbers[1]});
    }
    return buckets;
}

// "100-200 us", "1-2 ms", ">= 1 s": in the unit of the lower bound.
std::string bucket_range(long long lower_us, std::optional<long long> upper_us)
{
    const long long unit = lower_us < us_per_ms ? 1 : (lower_us < us_per_s ? us_per_ms : us_per_s);
    const std::string_view name = unit == 1 ? "us" : (unit == us_per_ms ? "ms" : "s");
    auto in_unit = [unit](long long us) { return fmt::format("{:g}", static_cast<double>(us) / static_cast<double>(unit)); };
    if (!upper_us) {
        return fmt::format(">= {} {}", in_unit(lower_us), name);
    }
    return fmt::format("{}-{} {}", in_unit(lower_us), in_unit(*upper_us), name);
}

}  // namespace

std::string render_lateness(std::string_view value)
{
    const auto numbers = numbers_of(value);
    if (numbers.size() != 4) {
        return std::string{value};  // "none" before the first tick
    }
    return fmt::format("min {}  avg {}  max {}  p99 {}", format_duration_ns(numbers[0]),
                       format_duration_ns(numbers[1]), format_duration_ns(numbers[2]), format_duration_ns(numbers[3]));
}

std::optional<std::string> render_histogram(std::string_view value)
{
    const auto buckets = buckets_of(value);
    if (!buckets) {
        return std::nullopt;
    }
    auto used = [](const Bucket& bucket) { return bucket.count > 0; };
    const auto first = std::find_if(buckets->begin(), buckets->end(), used);
    if (first == buckets->end()) {
        return std::string{"  (no ticks yet)\n"};
    }
    const auto last = std::find_if(buckets->rbegin(), buckets->rend(), used).base();
    long long most = 0;
    std::vector<std::string> ranges;
    for (auto bucket = first; bucket != last; ++bucket) {
        const auto next = std::next(bucket);
        ranges.push_back(bucket_range(bucket->lower_us, next == buckets->end() ? std::nullopt
                                                                               : std::optional{next->lower_us}));
        most = std::max(most, bucket->count);
    }
    std::size_t range_width = 0;
    for (const auto& range : ranges) {
        range_width = std::max(range_width, range.size());
    }
    std::string out;
    for (auto bucket = first; bucket != last; ++bucket) {
        const auto share = static_cast<double>(bucket->count) / static_cast<double>(most);
        const auto bar = bucket->count == 0
                             ? std::size_t{0}
                             : std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(
                                                            share * static_cast<double>(histogram_bar_width))));
        out += fmt::format("  {:>{}}  {:<{}}  {}\n", ranges[static_cast<std::size_t>(bucket - first)], range_width,
                           std::string(bar, '#'), histogram_bar_width, bucket->count);
    }
    return out;
}

std::string render_attributes(const ThreadRecord& thread)
{
    std::size_t width = std::string_view{"thread"}.size();
    for (const auto& [key, value] : thread.attrs) {
        width = std::max(width, key.size());
    }
    std::string out = fmt::format("{:<{}}  {}\n", "thread", width, thread.id());
    for (const auto& [key, value] : thread.attrs) {
        if (key == "lateness_ns") {
            out += fmt::format("{:<{}}  {}\n", key, width, render_lateness(value));
            continue;
        }
        if (value.find('\n') == std::string::npos) {
            out += fmt::format("{:<{}}  {}\n", key, width, value_with_unit(key, value));
            continue;
        }
        // Multi-line attributes go below their name: a histogram as a bar chart, others indented.
        out += fmt::format("{}:\n", key);
        if (auto chart = key.ends_with("_hist") ? render_histogram(value) : std::nullopt) {
            out += *chart;
            continue;
        }
        for (const auto line : lines_of(value)) {
            out += fmt::format("  {}\n", line);
        }
    }
    return out;
}

nlohmann::json value_to_json(std::string_view value)
{
    if (value == "none") {
        return nullptr;
    }
    if (const auto number = parse_int(value)) {
        return *number;
    }
    return std::string{value};
}

nlohmann::ordered_json thread_to_json(const ThreadRecord& thread)
{
    nlohmann::ordered_json object;
    object["id"] = thread.id();
    object["name"] = thread.name;
    if (!thread.get("behaviour")) {
        object["behaviour"] = thread.behaviour;
    }
    for (const auto& [key, value] : thread.attrs) {
        if (key != "id" && key != "name") {
            object[key] = value_to_json(value);
        }
    }
    return object;
}

namespace {

void append_json_string(std::string& out, std::string_view text)
{
    const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii) {
        // Names may hold any byte but '/' and white space; let nlohmann handle UTF-8 (and repair it).
        out += nlohmann::json(std::string{text}).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
    }
    // Runs that need no escape (all of a name or value, nearly always) are
    // copied whole: char by char this was a sixth of `ls --json`'s time.
    out += '"';
    std::size_t run = 0;
    for (std::size_t at = 0; at < text.size(); ++at) {
        const char c = text[at];
        if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) {
            continue;
        }
        out += text.substr(run, at - run);
        run = at + 1;
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else {
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        }
    }
    out += text.substr(run);
    out += '"';
}

}  // namespace

namespace {

// One thread's object, as thread_to_json makes it; `id` is scratch space.
template <typename Attrs>
void append_thread_json(std::string& out, std::string& id, std::string_view behaviour, std::string_view name,
                        const Attrs& attrs)
{
    id.assign(behaviour);
    id += '/';
    id += name;
    out += "{\"id\":";
    append_json_string(out, id);
    out += ",\"name\":";
    append_json_string(out, name);
    const bool has_behaviour =
        std::any_of(attrs.begin(), attrs.end(), [](const auto& kv) { return kv.first == "behaviour"; });
    if (!has_behaviour) {
        out += ",\"behaviour\":";
        append_json_string(out, behaviour);
    }
    for (const auto& [key, value] : attrs) {
        if (key == "id" || key == "name") {
            continue;
        }
        out += ',';
        append_json_string(out, key);
        out += ':';
        if (value == "none") {
            out += "null";
        } else if (const auto number = parse_int(value)) {
            char digits[24];
            const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), *number);
            out.append(std::begin(digits), ec == std::errc{} ? end : std::begin(digits));
        } else {
            append_json_string(out, value);
        }
    }
    out += '}';
}

constexpr std::size_t json_bytes_per_thread = 256;

}  // namespace

std::string threads_to_json_text(const std::vector<ThreadRecord>& threads)
{
    // Written directly rather than through a json object per thread: in the
    // emulated guest that was a third of the time of `ls --json` on 10,000 threads.
    // The unit tests check it parses back to exactly thread_to_json's objects.
    std::string out = "{\"threads\": [";
    out.reserve(threads.size() * json_bytes_per_thread);
    std::string id;
    const char* separator = "\n";
    for (const auto& thread : threads) {
        out += separator;
        separator = ",\n";
        append_thread_json(out, id, thread.behaviour, thread.name, thread.attrs);
    }
    out += threads.empty() ? "]}\n" : "\n]}\n";
    return out;
}

std::optional<std::string> snapshot_to_json_text(std::string_view snapshot)
{
    // One pass over the text, no string per field: the same output as
    // threads_to_json_text(parse_snapshot(snapshot)) when the kernel sent the
    // items sorted (it does); nullopt when it did not, for the caller to sort.
    std::string out = "{\"threads\": [";
    // The JSON of a thread is 1.3-1.4 times its snapshot line (10,000 wait
    // threads: 2.4 MB from 1.8 MB): room for it at once, as one more
    // reallocation touches the pages of a second, larger buffer.
    out.reserve(snapshot.size() + snapshot.size() / 2);
    std::string id;
    std::string_view last_behaviour;
    std::string_view last_name;
    bool sorted = true;
    bool any = false;
    for_each_snapshot_item(snapshot, [&](const ItemLineView& item) {
        if (!sorted) {
            return;
        }
        if (any && std::tie(item.behaviour, item.name) < std::tie(last_behaviour, last_name)) {
            sorted = false;
            return;
        }
        out += any ? ",\n" : "\n";
        any = true;
        last_behaviour = item.behaviour;
        last_name = item.name;
        append_thread_json(out, id, item.behaviour, item.name, item.attrs);
    });
    if (!sorted) {
        return std::nullopt;
    }
    out += any ? "\n]}\n" : "]}\n";
    return out;
}

std::string json_text(const nlohmann::ordered_json& value)
{
    return value.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string render_thread_line(std::string_view verb, const ThreadRecord& thread)
{
    return fmt::format("{} {}: state {}, pid {}\n", verb, thread.id(), thread.get("state").value_or("?"),
                       thread.get("pid").value_or("?"));
}

namespace {

std::string stop_meaning(const StopReport& report)
{
    return report.result ? describe_stop_result(*report.result, report.ran) : "no stop_result";
}

template <typename T>
nlohmann::ordered_json or_null(const std::optional<T>& value)
{
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

std::string render_operations(const std::vector<Operation>& operations)
{
    std::string out;
    for (const auto& op : operations) {
        out += fmt::format("  {}\n", op.describe());
    }
    return out;
}

}  // namespace

std::string render_stop_report(const StopReport& report)
{
    return fmt::format("{}: stopped\nstop_result: {}\nstop latency: {}\n", report.id, stop_meaning(report),
                       report.latency_ns ? format_duration_ns(*report.latency_ns) : "unknown");
}

nlohmann::ordered_json stop_report_to_json(const StopReport& report)
{
    nlohmann::ordered_json out;
    out["id"] = report.id;
    out["stop_result"] = or_null(report.result);
    out["errno"] = report.result && *report.result < 0
                       ? nlohmann::ordered_json(errno_name(static_cast<int>(-*report.result)))
                       : nlohmann::ordered_json(nullptr);
    out["meaning"] = stop_meaning(report);
    out["ran"] = or_null(report.ran);
    out["stop_latency_ns"] = or_null(report.latency_ns);
    return out;
}

std::string render_plan(const RestorePlan& plan)
{
    std::string out = "dry run: nothing was changed; a restore would do:\n";
    out += render_operations(plan.prepare);
    for (const auto& item : plan.items) {
        out += render_operations(item.operations);
    }
    out += render_operations(plan.finish);
    out += fmt::format("{} thread(s) would be restored\n", plan.items.size());
    for (const auto& skipped : plan.skipped) {
        out += fmt::format("would skip {}: {}\n", skipped.id, skipped.reason);
    }
    return out;
}

std::string render_report(const RestoreReport& report)
{
    std::string out = fmt::format("restored {} thread(s)\n", report.restored.size());
    for (const auto& skipped : report.skipped) {
        out += fmt::format("skipped {}: {}\n", skipped.id, skipped.reason);
    }
    for (const auto& failed : report.failed) {
        out += fmt::format("failed {}: {}\n", failed.id, failed.reason);
    }
    if (report.aborted) {
        out += "aborted after the first failure (--abort-on-error)\n";
    }
    return out;
}

}  // namespace ktlab
