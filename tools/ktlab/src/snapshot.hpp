// The root `snapshot` attribute: every item's main fields in one read.
//   # kthread_lab snapshot v1 items=<N>
//   <behaviour>/<name> key=value key=value ...
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ktlab {

// One thread's attributes as the kernel printed them, in the kernel's order.
struct ThreadRecord {
    std::string behaviour;
    std::string name;
    std::vector<std::pair<std::string, std::string>> attrs;

    [[nodiscard]] std::string id() const { return behaviour + "/" + name; }
    [[nodiscard]] std::optional<std::string> get(std::string_view key) const;
    // nullopt when absent, `none` or not an integer.
    [[nodiscard]] std::optional<long long> get_int(std::string_view key) const;
    // The behaviour's own parameters: every key but the common ones, in the kernel's order.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> params() const;
};

class SnapshotError : public std::runtime_error {
public:
    SnapshotError(std::size_t line, const std::string& what);
    [[nodiscard]] std::size_t line() const noexcept { return line_; }

private:
    std::size_t line_;
};

inline constexpr int snapshot_version = 1;

// Keys every item has, in snapshot order; the keys after them are the behaviour's
// own parameters, whatever the behaviour (ktlab keeps no list of them).
[[nodiscard]] std::span<const std::string_view> common_keys();
[[nodiscard]] bool is_common_key(std::string_view key);

// Parses and checks a whole snapshot; throws SnapshotError naming the line.
[[nodiscard]] std::vector<ThreadRecord> parse_snapshot(std::string_view text);
// One item line ("<behaviour>/<name> key=value ..."), line_no for the messages.
[[nodiscard]] ThreadRecord parse_item_line(std::string_view line, std::size_t line_no);

// One item line with its fields pointing into the snapshot's text: what
// `ls --json` needs of 10,000 threads without a string per field.
struct ItemLineView {
    std::string_view behaviour;
    std::string_view name;
    std::vector<std::pair<std::string_view, std::string_view>> attrs;

    [[nodiscard]] std::optional<std::string_view> get(std::string_view key) const;
};

// parse_item_line's parse and checks into `out`, reusing its storage.
void parse_item_line_view(std::string_view line, std::size_t line_no, ItemLineView& out);
// Calls `visit` for each item line of a whole snapshot, in order, with
// parse_snapshot's checks (it throws the same SnapshotError).
void for_each_snapshot_item(std::string_view text, const std::function<void(const ItemLineView&)>& visit);

// Whole-decimal integer with optional sign, nothing else.
[[nodiscard]] std::optional<long long> parse_int(std::string_view text);

}  // namespace ktlab
