// Restore: a plan of filesystem operations computed from a save file and the
// lab's current state, then executed through a Mutator. Planning only reads,
// so --dry-run and the unit tests see exactly what a restore would do.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "config.hpp"
#include "lab_fs.hpp"
#include "lab_reader.hpp"

namespace ktlab {

struct Operation {
    enum class Kind { make_dir, remove_dir, write };
    Kind kind;
    std::filesystem::path path;
    std::string value;  // for write

    [[nodiscard]] std::string describe() const;  // "mkdir busy/a", "write busy/a/cpu=1"
    void apply(Mutator& target) const;
    friend bool operator==(const Operation&, const Operation&) = default;
};

struct ItemPlan {
    std::string id;
    std::vector<Operation> operations;  // mkdir first, then configuration, then start
};

struct SkippedItem {
    std::string id;
    std::string reason;
};

struct RestorePlan {
    std::vector<Operation> prepare;  // clear existing threads, group autostart 0
    std::vector<ItemPlan> items;
    std::vector<Operation> finish;   // group autostart as saved; always runs
    std::vector<SkippedItem> skipped;
    std::vector<std::string> warnings;  // values changed to fit this module
};

// What the planner needs to know about the running lab.
struct LabState {
    std::set<std::string> features;
    std::vector<std::string> groups;
    std::vector<ItemRef> existing;
    std::map<std::string, long long> group_autostart;
    std::optional<long long> max_threads;
    std::optional<std::set<long long>> online_cpus;
    // Per behaviour, the writable attributes of its items, when the lab has one to
    // look at; otherwise the kernel tells at restore time (ENOENT).
    std::map<std::string, std::set<std::string>> writable_attributes;
};

// Reads features, groups, items (and their writable attributes), autostart,
// max_threads and the online CPUs.
[[nodiscard]] LabState read_lab_state(const LabFs& lab,
                                      const std::filesystem::path& cpu_online = "/sys/devices/system/cpu/online");

// "0-3,5" -> {0,1,2,3,5}; nullopt if malformed.
[[nodiscard]] std::optional<std::set<long long>> parse_cpu_list(std::string_view text);

struct RestoreOptions {
    bool clear_existing = false;
};

// Throws Error(not_empty) when the lab has threads and clear_existing is off.
[[nodiscard]] RestorePlan plan_restore(const LabConfig& config, const LabState& state, const RestoreOptions& options);

struct FailedItem {
    std::string id;
    std::string operation;
    int sys_errno;
    std::string reason;
};

struct RestoreReport {
    std::vector<std::string> restored;
    std::vector<SkippedItem> skipped;
    std::vector<FailedItem> failed;
    std::vector<std::string> warnings;  // the plan's
    bool aborted = false;
    [[nodiscard]] bool complete() const { return skipped.empty() && failed.empty() && !aborted; }
};

// Runs the plan. A failing item is removed again (nothing half-configured stays) and
// reported; with abort_on_error the remaining items are not attempted. The finish
// operations run in every case.
[[nodiscard]] RestoreReport execute_restore(const RestorePlan& plan, Mutator& target, bool abort_on_error);

[[nodiscard]] nlohmann::ordered_json plan_to_json(const RestorePlan& plan);
[[nodiscard]] nlohmann::ordered_json report_to_json(const RestoreReport& report);

}  // namespace ktlab
