// ls (status), show, spawn, start, set, park and unpark.
#include <algorithm>
#include <cerrno>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "config.hpp"
#include "format.hpp"
#include "lab_ops.hpp"
#include "stop.hpp"

namespace ktlab {

namespace {

struct KeyValue {
    std::string key;
    std::string value;
};

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

std::vector<KeyValue> parse_settings(const std::vector<std::string>& settings)
{
    std::vector<KeyValue> values;
    std::transform(settings.begin(), settings.end(), std::back_inserter(values), parse_key_value);
    return values;
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

void check_behaviour(const LabFs& lab, const std::string& behaviour)
{
    const auto groups = read_groups(lab);
    if (std::find(groups.begin(), groups.end(), behaviour) == groups.end()) {
        throw Error(ExitCode::usage,
                    fmt::format("no behaviour '{}' (available: {})", behaviour, fmt::join(groups, ", ")));
    }
}

// "spawned busy/a: state running, pid 42", or the thread as JSON.
void report_thread(const Context& ctx, const LabFs& lab, std::string_view verb, const ItemRef& item)
{
    const auto record = read_item_or_vanished(lab, item);
    if (ctx.json) {
        print_json({{"thread", thread_to_json(record)}});
        return;
    }
    print_text(render_thread_line(verb, record));
}

// Only the threads `names` name (all when there are none); a name that names
// none is an error, as for every command that takes a thread.
std::vector<ThreadRecord> only_named(const LabFs& lab, std::vector<ThreadRecord> threads,
                                     const std::vector<std::string>& names)
{
    if (names.empty()) {
        return threads;
    }
    std::set<std::string> ids;
    for (const auto& name : names) {
        ids.insert(resolve_item(lab, name).id());
    }
    std::erase_if(threads, [&ids](const ThreadRecord& thread) { return !ids.contains(thread.id()); });
    return threads;
}

void run_ls(const Context& ctx, const std::vector<std::string>& names)
{
    const LabFs lab{ctx.root};
    ensure_lab(lab);
    if (ctx.json && names.empty()) {
        // every thread: straight from the snapshot's text, the kernel's read
        // being the only cost that grows with the threads (10,000 in the benchmark)
        std::optional<std::string> json;
        try {
            json = snapshot_to_json_text(lab.read("snapshot"));
        } catch (const SnapshotError& error) {
            throw Error(ExitCode::io, fmt::format("cannot read the snapshot: {}", error.what()));
        }
        if (json) {
            print_text(*json);
            return;
        }
    }
    const auto threads = only_named(lab, read_threads_or_fail(lab), names);
    if (ctx.json) {
        print_text(threads_to_json_text(threads));
        return;
    }
    print_text(threads.empty() ? std::string{"no threads\n"} : render_thread_table(threads));
}

void run_show(const Context& ctx, const std::string& name)
{
    const LabFs lab{ctx.root};
    const auto record = read_item_or_vanished(lab, resolve(lab, name));
    if (ctx.json) {
        print_json({{"thread", thread_to_json(record)}});
        return;
    }
    print_text(render_attributes(record));
}

struct SpawnOptions {
    std::string behaviour;
    std::string name;
    std::vector<std::string> settings;
    std::optional<long long> cpu;
    bool no_start = false;
};

// Creates, binds and configures the item; a failing step removes it again.
void create_configured(LabFs& lab, const ItemRef& item, const SpawnOptions& options,
                       const std::vector<KeyValue>& values)
{
    make_item(lab, item);
    try {
        if (options.cpu) {
            write_attribute(lab, item, "cpu", std::to_string(*options.cpu));
        }
        for (const auto& kv : values) {
            write_attribute(lab, item, kv.key, kv.value);
        }
        if (!options.no_start && lab.read_value(item.path() / "state") == "created") {
            write_attribute(lab, item, "start", "1");
        }
    } catch (...) {
        try {
            lab.remove_dir(item.path());
        } catch (const FsError& error) {
            fmt::print(stderr, "ktlab: warning: could not remove {} again: {}\n", item.id(), error.what());
        }
        throw;
    }
}

void run_spawn(const Context& ctx, const SpawnOptions& options)
{
    LabFs lab{ctx.root};
    ensure_lab(lab);
    check_behaviour(lab, options.behaviour);
    if (!valid_entry_name(options.name)) {
        throw Error(ExitCode::usage, fmt::format("'{}' is not a usable thread name", options.name));
    }
    const auto values = parse_settings(options.settings);
    const ItemRef item{options.behaviour, options.name};
    for (const auto& kv : values) {
        check_setting(item, kv);
    }
    {
        // Not woken on creation, so it is bound and configured before it first runs.
        std::optional<AutostartOff> autostart_off;
        if (options.cpu || options.no_start || !values.empty()) {
            autostart_off.emplace(lab, options.behaviour);
        }
        create_configured(lab, item, options, values);
    }
    report_thread(ctx, lab, "spawned", item);
}

void run_start(const Context& ctx, const std::string& name)
{
    LabFs lab{ctx.root};
    const auto item = resolve(lab, name);
    write_attribute_explained(lab, item, "start", "1");
    report_thread(ctx, lab, "started", item);
}

void run_set(const Context& ctx, const std::string& name, const std::vector<std::string>& settings)
{
    LabFs lab{ctx.root};
    const auto item = resolve(lab, name);
    const auto values = parse_settings(settings);
    for (const auto& kv : values) {
        if (!lab.exists(item.path() / kv.key)) {
            throw Error(ExitCode::usage, fmt::format("{} has no attribute '{}'", item.id(), kv.key), ENOENT, kv.key);
        }
        check_setting(item, kv);
    }
    nlohmann::ordered_json applied = nlohmann::ordered_json::object();
    for (const auto& kv : values) {
        write_attribute(lab, item, kv.key, kv.value);
        applied[kv.key] = kv.value;
        if (!ctx.json) {
            print_text(fmt::format("{}: {}={}\n", item.id(), kv.key, kv.value));
        }
    }
    if (ctx.json) {
        print_json({{"id", item.id()}, {"set", applied}});
    }
}

void run_park(const Context& ctx, const std::string& name, bool parked)
{
    LabFs lab{ctx.root};
    const auto item = resolve(lab, name);
    write_attribute_explained(lab, item, "park", parked ? "1" : "0");
    report_thread(ctx, lab, parked ? "parked" : "unparked", item);
}

// NAME of the thread a subcommand acts on, kept alive by its callback.
std::shared_ptr<std::string> add_name(CLI::App* sub, const char* help = "Thread")
{
    auto name = std::make_shared<std::string>();
    sub->add_option("NAME", *name, help)->required();
    return name;
}

}  // namespace

void setup_ls(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("ls", "List the threads, one row each (status NAME: one thread's row)");
    sub->alias("status");
    auto names = std::make_shared<std::vector<std::string>>();
    sub->add_option("NAME", *names, "Only these threads (NAME or BEHAVIOUR/NAME)");
    sub->callback([&ctx, names] { run_ls(ctx, *names); });
}

void setup_show(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("show", "Every attribute of one thread, with units");
    auto name = add_name(sub, "Thread: NAME or BEHAVIOUR/NAME");
    sub->callback([&ctx, name] { run_show(ctx, *name); });
}

void setup_spawn(CLI::App& app, Context& ctx)
{
    auto options = std::make_shared<SpawnOptions>();
    auto* sub = app.add_subcommand("spawn", "Create a thread (bound and configured before it runs)");
    sub->add_option("BEHAVIOUR", options->behaviour, "busy, wait, periodic, oneshot, ...")->required();
    sub->add_option("NAME", options->name, "Name of the new thread")->required();
    sub->add_option("--set", options->settings, "Set KEY=VALUE before the thread runs (repeatable)");
    sub->add_option("--cpu", options->cpu, "Bind to this CPU before it runs")->check(CLI::NonNegativeNumber);
    sub->add_flag("--no-start", options->no_start, "Leave it created, not started");
    sub->callback([&ctx, options] { run_spawn(ctx, *options); });
}

void setup_start(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("start", "Wake a created thread");
    auto name = add_name(sub);
    sub->callback([&ctx, name] { run_start(ctx, *name); });
}

void setup_set(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("set", "Write attributes of a thread");
    auto name = add_name(sub);
    auto settings = std::make_shared<std::vector<std::string>>();
    sub->add_option("KEY=VALUE", *settings, "Attributes to write, in order")->required();
    sub->callback([&ctx, name, settings] { run_set(ctx, *name, *settings); });
}

void setup_park(CLI::App& app, Context& ctx)
{
    auto* park = app.add_subcommand("park", "Park a thread (kthread_park)");
    auto parked = add_name(park);
    park->callback([&ctx, parked] { run_park(ctx, *parked, true); });
    auto* unpark = app.add_subcommand("unpark", "Unpark a parked thread");
    auto unparked = add_name(unpark);
    unpark->callback([&ctx, unparked] { run_park(ctx, *unparked, false); });
}

}  // namespace ktlab
