#include "restore.hpp"

#include <algorithm>
#include <cerrno>
#include <exception>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <fmt/ranges.h>

#include "errno_names.hpp"
#include "errors.hpp"
#include "stop.hpp"

namespace ktlab {

namespace {

constexpr long long any_cpu = -1;
constexpr std::size_t named_existing_limit = 5;

Operation make_dir(const std::filesystem::path& path)
{
    return {Operation::Kind::make_dir, path, {}};
}

Operation write(const std::filesystem::path& path, std::string value)
{
    return {Operation::Kind::write, path, std::move(value)};
}

bool starts_thread(std::string_view state)
{
    return state == "running" || state == "parked" || state == "exited";
}

// Why `thread` cannot be recreated here, or nullopt when it can.
std::optional<std::string> reason_to_skip(const SavedThread& thread, const LabState& state)
{
    const auto& features = state.features;
    if (std::find(state.groups.begin(), state.groups.end(), thread.behaviour) == state.groups.end() ||
        !features.contains(thread.behaviour)) {
        return fmt::format("behaviour '{}' is not supported by this module", thread.behaviour);
    }
    if (thread.state == "stopping" || thread.state == "stopped") {
        return fmt::format("it was {} when saved; a stopped thread is not recreated", thread.state);
    }
    if (thread.state != "created" && !starts_thread(thread.state)) {
        return fmt::format("unknown state '{}'", thread.state);
    }
    if (thread.state == "exited" && thread.behaviour != "oneshot") {
        return std::string{"it had exited when saved (released); started again it would run, not exit"};
    }
    if (thread.cpu && *thread.cpu != any_cpu && state.online_cpus && !state.online_cpus->contains(*thread.cpu)) {
        return fmt::format("it is bound to CPU {}, which is not online here", *thread.cpu);
    }
    const auto known = state.writable_attributes.find(thread.behaviour);
    for (const auto& [key, value] : thread.params) {
        if (known != state.writable_attributes.end() && !known->second.contains(key)) {
            return fmt::format("unknown parameter '{}' for behaviour {}", key, thread.behaviour);
        }
    }
    return std::nullopt;
}

// A stop write may wait at most max_stop_timeout_ms; a longer saved wait (older
// modules allowed 600000) is restored as that limit, with a warning.
std::optional<long long> fitted_stop_timeout(const SavedThread& thread, std::size_t index,
                                             std::vector<std::string>& warnings)
{
    if (!thread.stop_timeout_ms || *thread.stop_timeout_ms <= max_stop_timeout_ms) {
        return thread.stop_timeout_ms;
    }
    warnings.push_back(fmt::format("$.threads[{}].stop_timeout_ms: {} ms is more than a stop write may wait; {} gets "
                                   "{} ('ktlab stop --timeout' waits longer by polling)",
                                   index, *thread.stop_timeout_ms, thread.id(), max_stop_timeout_ms));
    return max_stop_timeout_ms;
}

ItemPlan plan_item(const SavedThread& thread)
{
    const std::filesystem::path item = std::filesystem::path{thread.behaviour} / thread.name;
    ItemPlan plan{thread.id(), {make_dir(item)}};
    auto& ops = plan.operations;
    // While the thread is `created` it can still be bound and configured.
    if (thread.cpu && *thread.cpu != any_cpu) {
        ops.push_back(write(item / "cpu", std::to_string(*thread.cpu)));
    }
    if (thread.nice) {
        ops.push_back(write(item / "nice", std::to_string(*thread.nice)));
    }
    if (thread.retval) {
        ops.push_back(write(item / "retval", std::to_string(*thread.retval)));
    }
    if (thread.stop_timeout_ms) {
        ops.push_back(write(item / "stop_timeout_ms", std::to_string(*thread.stop_timeout_ms)));
    }
    for (const auto& [key, value] : thread.params) {
        ops.push_back(write(item / key, value));
    }
    if (starts_thread(thread.state)) {
        ops.push_back(write(item / "start", "1"));
    }
    if (thread.state == "parked") {
        ops.push_back(write(item / "park", "1"));
    }
    return plan;
}

nlohmann::ordered_json operations_to_json(const std::vector<Operation>& operations)
{
    auto array = nlohmann::ordered_json::array();
    for (const auto& op : operations) {
        array.push_back(op.describe());
    }
    return array;
}

nlohmann::ordered_json skipped_to_json(const std::vector<SkippedItem>& skipped)
{
    auto array = nlohmann::ordered_json::array();
    for (const auto& item : skipped) {
        array.push_back({{"id", item.id}, {"reason", item.reason}});
    }
    return array;
}

}  // namespace

std::string Operation::describe() const
{
    switch (kind) {
    case Kind::make_dir: return fmt::format("mkdir {}", path.string());
    case Kind::remove_dir: return fmt::format("rmdir {}", path.string());
    case Kind::write: return fmt::format("write {}={}", path.string(), value);
    }
    return "?";
}

void Operation::apply(Mutator& target) const
{
    switch (kind) {
    case Kind::make_dir: target.make_dir(path); break;
    case Kind::remove_dir: target.remove_dir(path); break;
    case Kind::write: target.write(path, value); break;
    }
}

std::optional<std::set<long long>> parse_cpu_list(std::string_view text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    std::set<long long> cpus;
    while (!text.empty()) {
        const auto comma = std::min(text.find(','), text.size());
        const auto range = text.substr(0, comma);
        text.remove_prefix(std::min(comma + 1, text.size()));
        const auto dash = range.find('-');
        const auto first = parse_int(range.substr(0, dash));
        const auto last = dash == std::string_view::npos ? first : parse_int(range.substr(dash + 1));
        if (!first || !last || *first < 0 || *last < *first) {
            return std::nullopt;
        }
        for (long long cpu = *first; cpu <= *last; ++cpu) {
            cpus.insert(cpu);
        }
    }
    return cpus;
}

LabState read_lab_state(const LabFs& lab, const std::filesystem::path& cpu_online)
{
    LabState state;
    state.features = read_features(lab);
    state.groups = read_groups(lab);
    state.existing = list_items(lab);
    state.writable_attributes = read_writable_attributes(lab, state.existing);
    for (const auto& group : state.groups) {
        if (const auto value = lab.try_read_value(std::filesystem::path{group} / "autostart")) {
            if (const auto number = parse_int(*value)) {
                state.group_autostart[group] = *number;
            }
        }
    }
    if (const auto value = lab.try_read_value("max_threads")) {
        state.max_threads = parse_int(*value);
    }
    try {
        state.online_cpus = parse_cpu_list(read_whole_file(cpu_online));
    } catch (const FsError&) {
        state.online_cpus.reset();  // unknown: leave the check to the kernel
    }
    return state;
}

RestorePlan plan_restore(const LabConfig& config, const LabState& state, const RestoreOptions& options)
{
    if (!state.existing.empty() && !options.clear_existing) {
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < std::min(state.existing.size(), named_existing_limit); ++i) {
            ids.push_back(state.existing[i].id());
        }
        throw Error(ExitCode::not_empty,
                    fmt::format("the lab is not empty: {} thread(s) exist ({}{}); use --clear-existing to replace them",
                                state.existing.size(), fmt::join(ids, ", "),
                                state.existing.size() > named_existing_limit ? ", ..." : ""));
    }
    RestorePlan plan;
    if (options.clear_existing) {
        for (const auto& item : state.existing) {
            plan.prepare.push_back({Operation::Kind::remove_dir, item.path(), {}});
        }
    }
    std::set<std::string> seen;
    std::set<std::string> used_groups;
    for (std::size_t index = 0; index < config.threads.size(); ++index) {
        SavedThread thread = config.threads[index];
        if (!seen.insert(thread.id()).second) {
            plan.skipped.push_back({thread.id(), "it appears more than once in the file"});
            continue;
        }
        if (auto reason = reason_to_skip(thread, state)) {
            plan.skipped.push_back({thread.id(), std::move(*reason)});
            continue;
        }
        if (state.max_threads && std::cmp_greater_equal(plan.items.size(), *state.max_threads)) {
            plan.skipped.push_back({thread.id(), fmt::format("it would exceed max_threads={}", *state.max_threads)});
            continue;
        }
        used_groups.insert(thread.behaviour);
        thread.stop_timeout_ms = fitted_stop_timeout(thread, index, plan.warnings);
        plan.items.push_back(plan_item(thread));
    }
    // With autostart 0 a new thread stays `created` until we have bound and configured it.
    for (const auto& group : used_groups) {
        const auto current = state.group_autostart.find(group);
        if (current == state.group_autostart.end() || current->second != 0) {
            plan.prepare.push_back(write(std::filesystem::path{group} / "autostart", "0"));
        }
    }
    for (const auto& group : state.groups) {
        const auto saved = std::find_if(config.groups.begin(), config.groups.end(),
                                        [&](const SavedGroup& g) { return g.behaviour == group; });
        const auto current = state.group_autostart.find(group);
        std::optional<long long> target;
        if (saved != config.groups.end() && saved->autostart) {
            target = saved->autostart;
        } else if (current != state.group_autostart.end()) {
            target = current->second;
        }
        const bool changed_by_prepare = used_groups.contains(group);
        const bool differs = current == state.group_autostart.end() || current->second != target;
        if (target && (changed_by_prepare || differs)) {
            plan.finish.push_back(write(std::filesystem::path{group} / "autostart", std::to_string(*target)));
        }
    }
    return plan;
}

RestoreReport execute_restore(const RestorePlan& plan, Mutator& target, bool abort_on_error)
{
    RestoreReport report;
    report.skipped = plan.skipped;
    report.warnings = plan.warnings;
    std::exception_ptr prepare_failure;
    try {
        for (const auto& op : plan.prepare) {
            op.apply(target);
        }
    } catch (...) {
        prepare_failure = std::current_exception();
    }
    for (const auto& item : plan.items) {
        if (prepare_failure) {
            break;
        }
        if (report.aborted) {
            report.skipped.push_back({item.id, "not attempted: an earlier thread failed (--abort-on-error)"});
            continue;
        }
        bool created = false;
        bool failed = false;
        for (const auto& op : item.operations) {
            try {
                op.apply(target);
                created = created || op.kind == Operation::Kind::make_dir;
            } catch (const FsError& error) {
                std::string reason = fmt::format("{} failed: {}", op.describe(), describe_errno(error.sys_errno()));
                if (created && error.sys_errno() == ENOENT && op.kind == Operation::Kind::write) {
                    reason += fmt::format(": this module's {} threads have no attribute '{}'",
                                          item.operations.front().path.parent_path().string(),
                                          op.path.filename().string());
                }
                if (created) {
                    try {
                        target.remove_dir(item.operations.front().path);
                    } catch (const FsError& cleanup) {
                        reason += fmt::format("; removing it again failed: {}", describe_errno(cleanup.sys_errno()));
                    }
                }
                report.failed.push_back({item.id, op.describe(), error.sys_errno(), std::move(reason)});
                report.aborted = abort_on_error;
                failed = true;
                break;
            }
        }
        if (!failed) {
            report.restored.push_back(item.id);
        }
    }
    for (const auto& op : plan.finish) {
        try {
            op.apply(target);
        } catch (const FsError& error) {
            report.failed.push_back({op.path.parent_path().string(), op.describe(), error.sys_errno(),
                                     fmt::format("{} failed: {}", op.describe(), describe_errno(error.sys_errno()))});
        }
    }
    if (prepare_failure) {
        std::rethrow_exception(prepare_failure);
    }
    return report;
}

nlohmann::ordered_json plan_to_json(const RestorePlan& plan)
{
    nlohmann::ordered_json json;
    json["prepare"] = operations_to_json(plan.prepare);
    json["items"] = nlohmann::ordered_json::array();
    for (const auto& item : plan.items) {
        json["items"].push_back({{"id", item.id}, {"operations", operations_to_json(item.operations)}});
    }
    json["finish"] = operations_to_json(plan.finish);
    json["skipped"] = skipped_to_json(plan.skipped);
    json["warnings"] = plan.warnings;
    return json;
}

nlohmann::ordered_json report_to_json(const RestoreReport& report)
{
    nlohmann::ordered_json json;
    json["restored"] = report.restored;
    json["skipped"] = skipped_to_json(report.skipped);
    json["failed"] = nlohmann::ordered_json::array();
    for (const auto& failure : report.failed) {
        json["failed"].push_back({{"id", failure.id},
                                  {"operation", failure.operation},
                                  {"errno", errno_name(failure.sys_errno)},
                                  {"reason", failure.reason}});
    }
    json["warnings"] = report.warnings;
    json["aborted"] = report.aborted;
    json["complete"] = report.complete();
    return json;
}

}  // namespace ktlab
