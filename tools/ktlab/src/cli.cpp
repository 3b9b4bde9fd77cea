#include "cli.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "errno_names.hpp"
#include "errors.hpp"
#include "format.hpp"
#include "lab_fs.hpp"
#include "lab_reader.hpp"
#include "restore.hpp"
#include "snapshot.hpp"
#include "stop.hpp"
#include "watch.hpp"

namespace ktlab {

namespace {

using ordered_json = nlohmann::ordered_json;

struct KeyValue {
    std::string key;
    std::string value;
};

// Turns a failed system call on the lab into an error a person can act on.
Error lab_error(const FsError& error, std::string_view target)
{
    const int err = error.sys_errno();
    switch (err) {
    case EACCES:
    case EPERM:
        return {ExitCode::permission,
                fmt::format("permission denied: {} {}: ktlab must run as root to change the lab", error.operation(),
                            target),
                err};
    case ETIMEDOUT:
        return {ExitCode::timed_out, fmt::format("{} {} timed out (ETIMEDOUT)", error.operation(), target), err};
    default:
        return {ExitCode::io, error.what(), err};
    }
}

// A failed write of one attribute of an item, in words: the errno, the attribute and the value.
Error attribute_error(const LabFs& lab, const FsError& error, const ItemRef& item, std::string_view attribute,
                      std::string_view value)
{
    const int err = error.sys_errno();
    if (err == ENOENT) {
        if (!lab.is_dir(item.path())) {
            return {ExitCode::no_such_thread, fmt::format("no such thread: {}", item.id()), err};
        }
        return {ExitCode::usage, fmt::format("{} has no attribute '{}'", item.id(), attribute), err,
                std::string{attribute}};
    }
    if (err == EACCES || err == EPERM || err == ETIMEDOUT) {
        const Error translated = lab_error(error, fmt::format("{}/{}", item.id(), attribute));
        return {translated.code(), translated.what(), err, std::string{attribute}};
    }
    return {ExitCode::refused,
            fmt::format("the kernel refused {}={} for {}: {}", attribute, value, item.id(), describe_errno(err)), err,
            std::string{attribute}};
}

// Writes one attribute of an item; a refusal names the errno, the attribute and the value.
void write_attribute(LabFs& lab, const ItemRef& item, std::string_view attribute, std::string_view value)
{
    try {
        lab.write(item.path() / attribute, value);
    } catch (const FsError& error) {
        throw attribute_error(lab, error, item, attribute, value);
    }
}

// A stop write may wait at most max_stop_timeout_ms: refuse a longer one before
// writing, as the kernel would (ERANGE), saying how to wait longer.
void check_setting(const ItemRef& item, const KeyValue& kv)
{
    if (kv.key != "stop_timeout_ms") {
        return;
    }
    if (const auto ms = parse_int(kv.value); ms && *ms > max_stop_timeout_ms) {
        throw Error(ExitCode::refused,
                    fmt::format("stop_timeout_ms={} for {} is more than {} ms, the longest a stop write may wait "
                                "(ERANGE); 'ktlab stop {} --timeout {}' waits longer by polling",
                                kv.value, item.id(), max_stop_timeout_ms, item.id(), *ms),
                    ERANGE, kv.key);
    }
}

KeyValue parse_key_value(std::string_view text)
{
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        throw Error(ExitCode::usage, fmt::format("'{}' is not KEY=VALUE", text));
    }
    KeyValue kv{std::string{text.substr(0, eq)}, std::string{text.substr(eq + 1)}};
    if (!valid_entry_name(kv.key)) {
        throw Error(ExitCode::usage, fmt::format("'{}' is not an attribute name", kv.key));
    }
    return kv;
}

// Sets a group's autostart to 0 for as long as it lives, so a new thread can be
// bound and configured before it first runs; puts the old value back afterwards.
class AutostartOff {
public:
    AutostartOff(LabFs& lab, std::string group) : lab_(lab), file_(std::filesystem::path{std::move(group)} / "autostart")
    {
        const auto current = lab_.try_read_value(file_);
        if (current && current != "0") {
            try {
                lab_.write(file_, "0");
            } catch (const FsError& error) {
                throw lab_error(error, file_.string());
            }
            saved_ = *current;
        }
    }
    AutostartOff(const AutostartOff&) = delete;
    AutostartOff& operator=(const AutostartOff&) = delete;
    AutostartOff(AutostartOff&&) = delete;
    AutostartOff& operator=(AutostartOff&&) = delete;
    ~AutostartOff()
    {
        if (!saved_) {
            return;
        }
        try {
            lab_.write(file_, *saved_);
        } catch (const FsError& error) {
            fmt::print(stderr, "ktlab: warning: could not restore {} to {}: {}\n", file_.string(), *saved_,
                       error.what());
        }
    }

private:
    LabFs& lab_;
    std::filesystem::path file_;
    std::optional<std::string> saved_;
};

class Commands {
public:
    Commands(const std::string& root, bool json) : lab_(root), json_(json) {}

    void ls()
    {
        ensure_lab(lab_);
        const auto threads = read_threads_or_fail();
        if (json_) {
            const std::string text = threads_to_json_text(threads);
            (void)std::fwrite(text.data(), 1, text.size(), stdout);
            return;
        }
        if (threads.empty()) {
            fmt::print("no threads\n");
            return;
        }
        fmt::print("{}", render_thread_table(threads));
    }

    void show(const std::string& name)
    {
        const auto item = resolve(name);
        ThreadRecord record;
        try {
            record = read_item_attributes(lab_, item);
        } catch (const FsError& error) {
            throw vanished_or(error, item);
        }
        if (json_) {
            print_json({{"thread", thread_to_json(record)}});
            return;
        }
        fmt::print("{}", render_attributes(record));
    }

    void spawn(const std::string& behaviour, const std::string& name, const std::vector<std::string>& settings,
               std::optional<long long> cpu, bool no_start)
    {
        ensure_lab(lab_);
        check_behaviour(behaviour);
        if (!valid_entry_name(name)) {
            throw Error(ExitCode::usage, fmt::format("'{}' is not a usable thread name", name));
        }
        std::vector<KeyValue> values;
        std::transform(settings.begin(), settings.end(), std::back_inserter(values), parse_key_value);
        const ItemRef item{behaviour, name};
        for (const auto& kv : values) {
            check_setting(item, kv);
        }
        const bool staged = cpu.has_value() || no_start || !values.empty();
        {
            std::optional<AutostartOff> autostart_off;
            if (staged) {
                autostart_off.emplace(lab_, behaviour);
            }
            make_item(item);
            try {
                if (cpu) {
                    write_attribute(lab_, item, "cpu", std::to_string(*cpu));
                }
                for (const auto& kv : values) {
                    write_attribute(lab_, item, kv.key, kv.value);
                }
                if (!no_start && lab_.read_value(item.path() / "state") == "created") {
                    write_attribute(lab_, item, "start", "1");
                }
            } catch (...) {
                // A spawn that fails leaves nothing behind.
                try {
                    lab_.remove_dir(item.path());
                } catch (const FsError& error) {
                    fmt::print(stderr, "ktlab: warning: could not remove {} again: {}\n", item.id(), error.what());
                }
                throw;
            }
        }
        report_thread("spawned", item);
    }

    void start(const std::string& name)
    {
        const auto item = resolve(name);
        write_attribute_explained(item, "start", "1");
        report_thread("started", item);
    }

    void set(const std::string& name, const std::vector<std::string>& settings)
    {
        const auto item = resolve(name);
        std::vector<KeyValue> values;
        std::transform(settings.begin(), settings.end(), std::back_inserter(values), parse_key_value);
        for (const auto& kv : values) {
            if (!lab_.exists(item.path() / kv.key)) {
                throw Error(ExitCode::usage, fmt::format("{} has no attribute '{}'", item.id(), kv.key), ENOENT,
                            kv.key);
            }
            check_setting(item, kv);
        }
        ordered_json applied = ordered_json::object();
        for (const auto& kv : values) {
            write_attribute(lab_, item, kv.key, kv.value);
            applied[kv.key] = kv.value;
            if (!json_) {
                fmt::print("{}: {}={}\n", item.id(), kv.key, kv.value);
            }
        }
        if (json_) {
            print_json({{"id", item.id()}, {"set", applied}});
        }
    }

    void park(const std::string& name, bool parked)
    {
        const auto item = resolve(name);
        write_attribute_explained(item, "park", parked ? "1" : "0");
        report_thread(parked ? "parked" : "unparked", item);
    }

    void stop(const std::string& name, std::optional<long long> timeout_ms)
    {
        const auto item = resolve(name);
        StopRequest request;
        if (timeout_ms) {
            request.wait = std::chrono::milliseconds{*timeout_ms};
        }
        StopOutcome outcome = StopOutcome::stopped;
        try {
            outcome = stop_thread(lab_, lab_, item, request);
        } catch (const FsError& error) {
            const auto attribute = std::filesystem::path{error.path()}.filename().string();
            if (attribute == "state") {
                throw vanished_or(error, item);  // reading it while waiting
            }
            const auto value = attribute == "stop" ? std::string{"1"}
                                                   : std::to_string(std::min(*timeout_ms, max_stop_timeout_ms));
            if (error.sys_errno() == EALREADY && attribute == "stop") {
                throw Error(ExitCode::refused,
                            fmt::format("{} was already stopped (stop_result {})", item.id(),
                                        lab_.try_read_value(item.path() / "stop_result").value_or("?")),
                            EALREADY, "stop");
            }
            throw attribute_error(lab_, error, item, attribute, value);
        }
        if (outcome == StopOutcome::timed_out) {
            const auto waited = timeout_ms ? std::to_string(*timeout_ms)
                                           : lab_.try_read_value(item.path() / "stop_timeout_ms").value_or("?");
            throw Error(ExitCode::timed_out,
                        fmt::format("kthread_stop({}) did not return within {} ms (ETIMEDOUT): the thread is "
                                    "still stopping, its function does not return. Run 'ktlab stop' again to "
                                    "keep waiting, or 'ktlab rm' it",
                                    item.id(), waited),
                        ETIMEDOUT, "stop");
        }
        const auto record = read_item_or_vanished(item);
        const auto result = record.get_int("stop_result");
        const auto latency = record.get_int("stop_latency_ns");
        std::optional<bool> ran;
        if (const auto value = record.get_int("ran")) {
            ran = *value != 0;
        }
        const std::string meaning = result ? describe_stop_result(*result, ran) : "no stop_result";
        if (json_) {
            ordered_json out;
            out["id"] = item.id();
            out["stop_result"] = result ? ordered_json(*result) : ordered_json(nullptr);
            out["errno"] = result && *result < 0 ? ordered_json(errno_name(static_cast<int>(-*result)))
                                                 : ordered_json(nullptr);
            out["meaning"] = meaning;
            out["ran"] = ran ? ordered_json(*ran) : ordered_json(nullptr);
            out["stop_latency_ns"] = latency ? ordered_json(*latency) : ordered_json(nullptr);
            print_json(out);
            return;
        }
        fmt::print("{}: stopped\nstop_result: {}\nstop latency: {}\n", item.id(), meaning,
                   latency ? format_duration_ns(*latency) : "unknown");
    }

    void rm(const std::vector<std::string>& names, bool all)
    {
        ensure_lab(lab_);
        std::vector<ItemRef> items;
        if (all) {
            items = list_items(lab_);
        } else {
            // Resolve every name first, so a typo removes nothing.
            std::transform(names.begin(), names.end(), std::back_inserter(items),
                           [this](const std::string& name) { return resolve(name); });
        }
        std::vector<std::string> removed;
        for (const auto& item : items) {
            try {
                lab_.remove_dir(item.path());
            } catch (const FsError& error) {
                if (error.sys_errno() == ENOENT) {
                    continue;  // already gone
                }
                if (error.sys_errno() == EACCES || error.sys_errno() == EPERM) {
                    throw lab_error(error, item.id());
                }
                throw Error(ExitCode::refused,
                            fmt::format("the kernel refused to remove {}: {}", item.id(),
                                        describe_errno(error.sys_errno())),
                            error.sys_errno());
            }
            removed.push_back(item.id());
            if (!json_) {
                fmt::print("removed {}\n", item.id());
            }
        }
        if (json_) {
            print_json({{"removed", removed}});
        } else if (all && removed.empty()) {
            fmt::print("no threads\n");
        }
    }

    void watch(long long interval_ms, std::optional<long long> count)
    {
        ensure_lab(lab_);
        WatchOptions options;
        options.interval = std::chrono::milliseconds{interval_ms};
        options.count = count;
        options.json = json_;
        try {
            run_watch(lab_, options);
        } catch (const SnapshotError& error) {
            throw Error(ExitCode::io, fmt::format("cannot read the snapshot: {}", error.what()));
        }
    }

    void save(const std::string& file)
    {
        ensure_lab(lab_);
        LabConfig config;
        config.module_version = lab_.try_read_value("version").value_or("");
        for (const auto& group : read_groups(lab_)) {
            SavedGroup saved{group, std::nullopt};
            if (const auto value = lab_.try_read_value(std::filesystem::path{group} / "autostart")) {
                saved.autostart = parse_int(*value);
            }
            config.groups.push_back(std::move(saved));
        }
        const auto threads = read_threads_or_fail();
        std::vector<ItemRef> items;
        std::transform(threads.begin(), threads.end(), std::back_inserter(items),
                       [](const ThreadRecord& thread) { return ItemRef{thread.behaviour, thread.name}; });
        const auto writable = read_writable_attributes(lab_, items);
        for (const auto& thread : threads) {
            const auto known = writable.find(thread.behaviour);
            config.threads.push_back(saved_thread_from(thread, known == writable.end() ? nullptr : &known->second));
        }
        try {
            save_file_atomically(file, config_to_json(config).dump(2) + "\n");
        } catch (const FsError& error) {
            throw Error(ExitCode::io, fmt::format("cannot save to {}: {}", file, error.what()), error.sys_errno());
        }
        if (json_) {
            print_json({{"file", file}, {"threads", config.threads.size()}});
            return;
        }
        fmt::print("saved {} thread(s) to {}\n", config.threads.size(), file);
    }

    // Returns false when the restore was incomplete.
    bool restore(const std::string& file, bool clear_existing, bool abort_on_error, bool dry_run)
    {
        LabConfig config;
        try {
            config = parse_config(read_whole_file(file));
        } catch (const FsError& error) {
            throw Error(ExitCode::io, fmt::format("cannot read {}: {}", file, error.what()), error.sys_errno());
        } catch (const ConfigError& error) {
            throw Error(ExitCode::usage, fmt::format("invalid save file {}: {}", file, error.what()));
        }
        ensure_lab(lab_);
        const auto plan = plan_restore(config, read_lab_state(lab_), RestoreOptions{clear_existing});
        if (!json_) {
            for (const auto& warning : plan.warnings) {
                fmt::print(stderr, "ktlab: warning: {}\n", warning);
            }
        }
        if (dry_run) {
            print_plan(plan);
            return plan.skipped.empty();
        }
        RestoreReport report;
        try {
            report = execute_restore(plan, lab_, abort_on_error);
        } catch (const FsError& error) {
            throw lab_error(error, "while preparing the restore");
        }
        print_report(report);
        return report.complete();
    }

    void features()
    {
        ensure_lab(lab_);
        const auto features = read_features(lab_);
        if (json_) {
            print_json({{"features", features}});
            return;
        }
        fmt::print("{}\n", fmt::join(features, "\n"));
    }

    void version()
    {
        std::optional<std::string> module_version;
        std::exception_ptr missing;
        try {
            ensure_lab(lab_);
            module_version = lab_.read_value("version");
        } catch (const Error&) {
            missing = std::current_exception();
        }
        if (json_) {
            print_json({{"ktlab", KTLAB_VERSION},
                        {"module", module_version ? ordered_json(*module_version) : ordered_json(nullptr)}});
        } else {
            fmt::print("ktlab {}\nkthread_lab module {}\n", KTLAB_VERSION, module_version.value_or("not loaded"));
        }
        if (missing) {
            std::rethrow_exception(missing);
        }
    }

private:
    LabFs lab_;
    bool json_;

    static void print_json(const ordered_json& value)
    {
        fmt::print("{}\n", value.dump(2, ' ', false, ordered_json::error_handler_t::replace));
    }

    ItemRef resolve(const std::string& name)
    {
        ensure_lab(lab_);
        return resolve_item(lab_, name);
    }

    void check_behaviour(const std::string& behaviour) const
    {
        const auto groups = read_groups(lab_);
        if (std::find(groups.begin(), groups.end(), behaviour) == groups.end()) {
            throw Error(ExitCode::usage,
                        fmt::format("no behaviour '{}' (available: {})", behaviour, fmt::join(groups, ", ")));
        }
    }

    void make_item(const ItemRef& item)
    {
        try {
            lab_.make_dir(item.path());
        } catch (const FsError& error) {
            const int err = error.sys_errno();
            if (err == EACCES || err == EPERM) {
                throw lab_error(error, item.id());
            }
            std::string why = describe_errno(err);
            if (err == EEXIST) {
                why += ": it already exists";
            } else if (err == ENOSPC) {
                why += fmt::format(": max_threads ({}) reached", lab_.try_read_value("max_threads").value_or("?"));
            }
            throw Error(ExitCode::refused, fmt::format("the kernel refused to create {}: {}", item.id(), why), err);
        }
    }

    // As write_attribute, explaining the state-dependent refusals with the state.
    void write_attribute_explained(const ItemRef& item, std::string_view attribute, std::string_view value)
    {
        try {
            write_attribute(lab_, item, attribute, value);
        } catch (const Error& error) {
            const int err = error.sys_errno();
            if (err != EALREADY && err != EBUSY && err != EOPNOTSUPP) {
                throw;
            }
            const auto state = lab_.try_read_value(item.path() / "state").value_or("unknown");
            std::string why = err == EOPNOTSUPP ? fmt::format("{} threads cannot do that", item.behaviour)
                                                : fmt::format("its state is {}", state);
            throw Error(ExitCode::refused,
                        fmt::format("the kernel refused {}={} for {}: {}: {}", attribute, value, item.id(),
                                    errno_name(err), why),
                        err, std::string{attribute});
        }
    }

    [[nodiscard]] Error vanished_or(const FsError& error, const ItemRef& item) const
    {
        if (error.sys_errno() == ENOENT && !lab_.is_dir(item.path())) {
            return {ExitCode::no_such_thread, fmt::format("no such thread: {}", item.id()), ENOENT};
        }
        return lab_error(error, item.id());
    }

    [[nodiscard]] ThreadRecord read_item_or_vanished(const ItemRef& item) const
    {
        try {
            return read_item_attributes(lab_, item);
        } catch (const FsError& error) {
            throw vanished_or(error, item);
        }
    }

    [[nodiscard]] std::vector<ThreadRecord> read_threads_or_fail() const
    {
        try {
            return read_threads(lab_);
        } catch (const SnapshotError& error) {
            throw Error(ExitCode::io, fmt::format("cannot read the snapshot: {}", error.what()));
        }
    }

    void report_thread(std::string_view verb, const ItemRef& item) const
    {
        const auto record = read_item_or_vanished(item);
        if (json_) {
            print_json({{"thread", thread_to_json(record)}});
            return;
        }
        fmt::print("{} {}: state {}, pid {}\n", verb, item.id(), record.get("state").value_or("?"),
                   record.get("pid").value_or("?"));
    }

    void print_plan(const RestorePlan& plan) const
    {
        if (json_) {
            auto out = plan_to_json(plan);
            out["dry_run"] = true;
            print_json(out);
            return;
        }
        fmt::print("dry run: nothing was changed; a restore would do:\n");
        auto show_ops = [](const std::vector<Operation>& ops) {
            for (const auto& op : ops) {
                fmt::print("  {}\n", op.describe());
            }
        };
        show_ops(plan.prepare);
        for (const auto& item : plan.items) {
            show_ops(item.operations);
        }
        show_ops(plan.finish);
        fmt::print("{} thread(s) would be restored\n", plan.items.size());
        for (const auto& skipped : plan.skipped) {
            fmt::print("would skip {}: {}\n", skipped.id, skipped.reason);
        }
    }

    void print_report(const RestoreReport& report) const
    {
        if (json_) {
            print_json(report_to_json(report));
            return;
        }
        fmt::print("restored {} thread(s)\n", report.restored.size());
        for (const auto& skipped : report.skipped) {
            fmt::print("skipped {}: {}\n", skipped.id, skipped.reason);
        }
        for (const auto& failed : report.failed) {
            fmt::print("failed {}: {}\n", failed.id, failed.reason);
        }
        if (report.aborted) {
            fmt::print("aborted after the first failure (--abort-on-error)\n");
        }
    }
};

void print_error(bool json, ExitCode code, std::string_view message, int sys_errno, std::string_view attribute)
{
    if (json) {
        ordered_json error;
        error["kind"] = exit_code_kind(code);
        error["exit_code"] = static_cast<int>(code);
        error["message"] = message;
        error["errno"] = sys_errno != 0 ? ordered_json(errno_name(sys_errno)) : ordered_json(nullptr);
        error["attribute"] = attribute.empty() ? ordered_json(nullptr) : ordered_json(attribute);
        fmt::print(stderr, "{}\n", ordered_json{{"error", error}}.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
        return;
    }
    fmt::print(stderr, "ktlab: {}\n", message);
}

// What escaped every command's own handling is a bug; say so and exit with the I/O code.
void report_unexpected(bool json, const char* what) noexcept
{
    try {
        (void)std::fflush(stdout);
        print_error(json, ExitCode::io, fmt::format("unexpected error: {}", what), 0, {});
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing is left to report with
    }
}

int run_parsed(int argc, const char* const* argv)
{
    CLI::App app{"ktlab: drive the kthread_lab kernel-thread lab through configfs", "ktlab"};
    app.fallthrough();  // --json and --root also after the command
    app.require_subcommand(1);
    app.set_version_flag("--version", KTLAB_VERSION);
    app.footer("Exit codes: 0 ok, 1 usage, 2 lab not available, 3 no such thread, 4 kernel refused,\n"
               "5 timed out, 6 permission denied, 7 lab not empty, 8 restore incomplete, 9 I/O error.\n"
               "See ktlab(1).");

    bool json = false;
    std::string root{default_root};
    app.add_flag("--json", json, "Machine-readable output; errors as JSON on stderr");
    app.add_option("--root", root, "configfs directory of the lab")
        ->envname("KTLAB_ROOT")
        ->capture_default_str()
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

    std::string name;
    std::string behaviour;
    std::vector<std::string> names;
    std::vector<std::string> settings;
    std::optional<long long> cpu;
    std::optional<long long> timeout_ms;
    std::optional<long long> count;
    long long interval_ms = 1000;
    bool no_start = false;
    bool all = false;
    bool clear_existing = false;
    bool abort_on_error = false;
    bool dry_run = false;
    std::string file;

    auto* ls = app.add_subcommand("ls", "List all threads, one row each");
    ls->alias("status");
    auto* show = app.add_subcommand("show", "Every attribute of one thread, with units");
    show->add_option("NAME", name, "Thread: NAME or BEHAVIOUR/NAME")->required();
    auto* spawn = app.add_subcommand("spawn", "Create a thread (bound and configured before it runs)");
    spawn->add_option("BEHAVIOUR", behaviour, "busy, wait, periodic, oneshot, ...")->required();
    spawn->add_option("NAME", name, "Name of the new thread")->required();
    spawn->add_option("--set", settings, "Set KEY=VALUE before the thread runs (repeatable)");
    spawn->add_option("--cpu", cpu, "Bind to this CPU before it runs")->check(CLI::NonNegativeNumber);
    spawn->add_flag("--no-start", no_start, "Leave it created, not started");
    auto* start = app.add_subcommand("start", "Wake a created thread");
    start->add_option("NAME", name, "Thread")->required();
    auto* set = app.add_subcommand("set", "Write attributes of a thread");
    set->add_option("NAME", name, "Thread")->required();
    set->add_option("KEY=VALUE", settings, "Attributes to write, in order")->required();
    auto* park = app.add_subcommand("park", "Park a thread (kthread_park)");
    park->add_option("NAME", name, "Thread")->required();
    auto* unpark = app.add_subcommand("unpark", "Unpark a parked thread");
    unpark->add_option("NAME", name, "Thread")->required();
    auto* stop = app.add_subcommand("stop", "kthread_stop() a thread and say what it returned");
    stop->add_option("NAME", name, "Thread")->required();
    stop->add_option("--timeout", timeout_ms,
                     "Wait up to MS ms (1..600000) for the thread to stop: sets stop_timeout_ms (at most 30000) "
                     "first, and polls the state for a longer wait")
        ->check(CLI::Range(1LL, max_stop_wait_ms));
    auto* rm = app.add_subcommand("rm", "Remove threads (stopping them)");
    auto* rm_names = rm->add_option("NAME", names, "Threads");
    auto* rm_all = rm->add_flag("--all", all, "Remove every thread");
    rm_names->excludes(rm_all);
    rm->callback([&] {
        if (names.empty() && !all) {
            throw CLI::ValidationError("rm", "give thread names or --all");
        }
    });
    auto* watch = app.add_subcommand("watch", "Live table of all threads with loop rates (q or Ctrl-C quits)");
    watch->add_option("--interval", interval_ms, "Refresh interval in ms")
        ->check(CLI::Range(10LL, 3600000LL))
        ->capture_default_str();
    watch->add_option("--count", count, "Exit after this many refreshes")->check(CLI::PositiveNumber);
    auto* save = app.add_subcommand("save", "Save the configuration as JSON (atomically)");
    save->add_option("FILE", file, "Output file")->required();
    auto* restore = app.add_subcommand("restore", "Recreate the threads of a save file");
    restore->add_option("FILE", file, "Save file")->required();
    restore->add_flag("--clear-existing", clear_existing, "Remove existing threads first");
    restore->add_flag("--abort-on-error", abort_on_error, "Stop at the first thread that fails");
    restore->add_flag("--dry-run", dry_run, "Check the file against the module's features; change nothing");
    auto* clear = app.add_subcommand("clear", "Remove every thread");
    auto* features = app.add_subcommand("features", "What this module supports");
    auto* version = app.add_subcommand("version", "Versions of ktlab and of the module");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
            return app.exit(error);
        }
        const bool json_requested = std::any_of(argv + 1, argv + argc, [](const char* arg) {
            return std::string_view{arg} == "--json";
        });
        if (json_requested) {
            print_error(true, ExitCode::usage, error.what(), 0, {});
        } else {
            fmt::print(stderr, "ktlab: {}\nRun with --help for more information.\n", error.what());
        }
        return static_cast<int>(ExitCode::usage);
    }

    try {
        Commands commands{root, json};
        bool complete = true;
        if (ls->parsed()) {
            commands.ls();
        } else if (show->parsed()) {
            commands.show(name);
        } else if (spawn->parsed()) {
            commands.spawn(behaviour, name, settings, cpu, no_start);
        } else if (start->parsed()) {
            commands.start(name);
        } else if (set->parsed()) {
            commands.set(name, settings);
        } else if (park->parsed() || unpark->parsed()) {
            commands.park(name, park->parsed());
        } else if (stop->parsed()) {
            commands.stop(name, timeout_ms);
        } else if (rm->parsed()) {
            commands.rm(names, all);
        } else if (clear->parsed()) {
            commands.rm({}, true);
        } else if (watch->parsed()) {
            commands.watch(interval_ms, count);
        } else if (save->parsed()) {
            commands.save(file);
        } else if (restore->parsed()) {
            complete = commands.restore(file, clear_existing, abort_on_error, dry_run);
        } else if (features->parsed()) {
            commands.features();
        } else if (version->parsed()) {
            commands.version();
        }
        if (std::fflush(stdout) != 0) {
            throw Error(ExitCode::io, fmt::format("cannot write the output: {}", describe_errno(errno)), errno);
        }
        return static_cast<int>(complete ? ExitCode::ok : ExitCode::incomplete);
    } catch (const Error& error) {
        (void)std::fflush(stdout);
        print_error(json, error.code(), error.what(), error.sys_errno(), error.attribute());
        return static_cast<int>(error.code());
    } catch (const FsError& error) {
        (void)std::fflush(stdout);
        const Error translated = lab_error(error, error.path());
        print_error(json, translated.code(), translated.what(), error.sys_errno(), {});
        return static_cast<int>(translated.code());
    }
}

}  // namespace

int run_guarded(bool json, const std::function<int()>& body)
{
    try {
        return body();
    } catch (const std::exception& error) {
        report_unexpected(json, error.what());
    } catch (...) {
        report_unexpected(json, "an exception of unknown type");
    }
    return static_cast<int>(ExitCode::io);
}

int run_cli(int argc, const char* const* argv)
{
    const bool json_requested =
        std::any_of(argv + 1, argv + argc, [](const char* arg) { return std::string_view{arg} == "--json"; });
    return run_guarded(json_requested, [argc, argv] { return run_parsed(argc, argv); });
}

}  // namespace ktlab
