// The saved configuration (`ktlab save` / `restore`), as JSON.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "snapshot.hpp"

namespace ktlab {

inline constexpr std::string_view config_format_name = "kthread_lab-config";
inline constexpr int config_format_version = 1;

struct SavedThread {
    std::string behaviour;
    std::string name;
    std::string state;  // running, created, parked, exited, stopping, stopped
    std::optional<long long> cpu;
    std::optional<long long> nice;
    std::optional<long long> retval;
    std::optional<long long> stop_timeout_ms;
    std::map<std::string, std::string> params;  // the behaviour's own parameters, written in name order

    [[nodiscard]] std::string id() const { return behaviour + "/" + name; }
    friend bool operator==(const SavedThread&, const SavedThread&) = default;
};

struct SavedGroup {
    std::string behaviour;
    std::optional<long long> autostart;
    friend bool operator==(const SavedGroup&, const SavedGroup&) = default;
};

struct LabConfig {
    std::string module_version;
    std::vector<SavedGroup> groups;
    std::vector<SavedThread> threads;
    friend bool operator==(const LabConfig&, const LabConfig&) = default;
};

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What a save records of a thread seen in the snapshot: the common fields and
// every parameter (key after the common ones), of any behaviour. With `writable`
// (the attributes the behaviour's items let one write), only the parameters
// among them: a value the kernel appends for reading only is not configuration.
[[nodiscard]] SavedThread saved_thread_from(const ThreadRecord& thread,
                                            const std::set<std::string>* writable = nullptr);

[[nodiscard]] nlohmann::ordered_json config_to_json(const LabConfig& config);
// Checks every field; throws ConfigError starting with the JSONPath of the bad
// value ("$.threads[3].cpu: must be an integer ...").
[[nodiscard]] LabConfig config_from_json(const nlohmann::json& document);
[[nodiscard]] LabConfig parse_config(std::string_view text);

// A usable configfs directory name: non-empty, no '/', not "." or "..".
[[nodiscard]] bool valid_entry_name(std::string_view name);

}  // namespace ktlab
