#include "snapshot.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>

#include <fmt/format.h>

namespace ktlab {

namespace {

constexpr std::array<std::string_view, 12> common_key_list{
    "behaviour", "state", "pid", "cpu", "nice", "ran", "loops", "retval",
    "stop_timeout_ms", "stop_result", "stop_latency_ns", "parked",
};

std::vector<std::string_view> split_spaces(std::string_view line)
{
    std::vector<std::string_view> tokens;
    while (!line.empty()) {
        const auto start = line.find_first_not_of(' ');
        if (start == std::string_view::npos) {
            break;
        }
        line.remove_prefix(start);
        const auto end = std::min(line.find(' '), line.size());
        tokens.push_back(line.substr(0, end));
        line.remove_prefix(end);
    }
    return tokens;
}

std::size_t parse_header(std::string_view line)
{
    const auto tokens = split_spaces(line);
    if (tokens.size() < 5 || tokens[0] != "#" || tokens[1] != "kthread_lab" || tokens[2] != "snapshot") {
        throw SnapshotError(1, "not a kthread_lab snapshot header");
    }
    if (tokens[3] != fmt::format("v{}", snapshot_version)) {
        throw SnapshotError(1, fmt::format("unsupported snapshot version '{}' (this ktlab reads v{})", tokens[3],
                                           snapshot_version));
    }
    for (const auto token : std::span{tokens}.subspan(4)) {
        if (token.starts_with("items=")) {
            const auto count = parse_int(token.substr(6));
            if (!count || *count < 0) {
                throw SnapshotError(1, fmt::format("bad item count '{}'", token));
            }
            return static_cast<std::size_t>(*count);
        }
    }
    throw SnapshotError(1, "header has no items=<N>");
}

}  // namespace

SnapshotError::SnapshotError(std::size_t line, const std::string& what)
    : std::runtime_error(fmt::format("snapshot line {}: {}", line, what)), line_(line)
{
}

std::optional<std::string> ThreadRecord::get(std::string_view key) const
{
    const auto found = std::find_if(attrs.begin(), attrs.end(), [key](const auto& kv) { return kv.first == key; });
    if (found == attrs.end()) {
        return std::nullopt;
    }
    return found->second;
}

std::optional<long long> ThreadRecord::get_int(std::string_view key) const
{
    const auto value = get(key);
    return value ? parse_int(*value) : std::nullopt;
}

std::span<const std::string_view> common_keys()
{
    return common_key_list;
}

bool is_common_key(std::string_view key)
{
    return std::find(common_key_list.begin(), common_key_list.end(), key) != common_key_list.end();
}

std::vector<std::pair<std::string, std::string>> ThreadRecord::params() const
{
    std::vector<std::pair<std::string, std::string>> out;
    std::copy_if(attrs.begin(), attrs.end(), std::back_inserter(out),
                 [](const auto& kv) { return !is_common_key(kv.first); });
    return out;
}

std::optional<long long> parse_int(std::string_view text)
{
    if (text.starts_with("+") && !text.starts_with("+-")) {
        text.remove_prefix(1);
    }
    long long value = 0;
    const auto* const end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::string_view> ItemLineView::get(std::string_view key) const
{
    const auto found = std::find_if(attrs.begin(), attrs.end(), [key](const auto& kv) { return kv.first == key; });
    if (found == attrs.end()) {
        return std::nullopt;
    }
    return found->second;
}

void parse_item_line_view(std::string_view line, std::size_t line_no, ItemLineView& out)
{
    out.attrs.clear();
    const auto next_token = [&line]() {
        const auto start = line.find_first_not_of(' ');
        if (start == std::string_view::npos) {
            line = {};
            return std::string_view{};
        }
        line.remove_prefix(start);
        const auto end = std::min(line.find(' '), line.size());
        const auto token = line.substr(0, end);
        line.remove_prefix(end);
        return token;
    };
    const std::string_view id = next_token();
    const auto slash = id.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == id.size() ||
        id.find('/', slash + 1) != std::string_view::npos) {
        throw SnapshotError(line_no, fmt::format("'{}' is not <behaviour>/<name>", id));
    }
    out.behaviour = id.substr(0, slash);
    out.name = id.substr(slash + 1);
    for (auto token = next_token(); !token.empty(); token = next_token()) {
        const auto eq = token.find('=');
        if (eq == std::string_view::npos || eq == 0) {
            throw SnapshotError(line_no, fmt::format("'{}' is not key=value", token));
        }
        const auto key = token.substr(0, eq);
        if (out.get(key)) {
            throw SnapshotError(line_no, fmt::format("key '{}' appears twice", key));
        }
        out.attrs.emplace_back(key, token.substr(eq + 1));
    }
    const auto behaviour = out.get("behaviour");
    if (!behaviour) {
        throw SnapshotError(line_no, "no behaviour= field");
    }
    if (*behaviour != out.behaviour) {
        throw SnapshotError(line_no, fmt::format("behaviour={} under group '{}'", *behaviour, out.behaviour));
    }
}

namespace {

ThreadRecord to_record(const ItemLineView& view)
{
    ThreadRecord record{std::string{view.behaviour}, std::string{view.name}, {}};
    record.attrs.reserve(view.attrs.size());
    for (const auto& [key, value] : view.attrs) {
        record.attrs.emplace_back(std::string{key}, std::string{value});
    }
    return record;
}

}  // namespace

ThreadRecord parse_item_line(std::string_view line, std::size_t line_no)
{
    ItemLineView view;
    parse_item_line_view(line, line_no, view);
    return to_record(view);
}

void for_each_snapshot_item(std::string_view text, const std::function<void(const ItemLineView&)>& visit)
{
    ItemLineView view;
    std::size_t declared = 0;
    std::size_t seen = 0;
    std::size_t line_no = 0;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        const auto line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        ++line_no;
        if (line_no == 1) {
            declared = parse_header(line);
            continue;
        }
        if (line.find_first_not_of(' ') == std::string_view::npos) {
            continue;
        }
        parse_item_line_view(line, line_no, view);
        ++seen;
        visit(view);
    }
    if (line_no == 0) {
        throw SnapshotError(1, "empty snapshot");
    }
    if (seen != declared) {
        throw SnapshotError(line_no, fmt::format("header says items={} but {} item lines follow", declared, seen));
    }
}

std::vector<ThreadRecord> parse_snapshot(std::string_view text)
{
    std::vector<ThreadRecord> records;
    for_each_snapshot_item(text, [&records](const ItemLineView& view) { records.push_back(to_record(view)); });
    return records;
}

}  // namespace ktlab
