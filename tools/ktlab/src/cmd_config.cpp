// save and restore.
#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "config.hpp"
#include "format.hpp"
#include "lab_ops.hpp"
#include "restore.hpp"

namespace ktlab {

namespace {

// Every thread as a save records it: parameters are the snapshot's keys after
// the common ones that the behaviour's items let one write.
LabConfig read_config(const LabFs& lab)
{
    LabConfig config;
    config.module_version = lab.try_read_value("version").value_or("");
    for (const auto& group : read_groups(lab)) {
        SavedGroup saved{group, std::nullopt};
        if (const auto value = lab.try_read_value(std::filesystem::path{group} / "autostart")) {
            saved.autostart = parse_int(*value);
        }
        config.groups.push_back(std::move(saved));
    }
    const auto threads = read_threads_or_fail(lab);
    std::vector<ItemRef> items;
    std::transform(threads.begin(), threads.end(), std::back_inserter(items),
                   [](const ThreadRecord& thread) { return ItemRef{thread.behaviour, thread.name}; });
    const auto writable = read_writable_attributes(lab, items);
    for (const auto& thread : threads) {
        const auto known = writable.find(thread.behaviour);
        config.threads.push_back(saved_thread_from(thread, known == writable.end() ? nullptr : &known->second));
    }
    return config;
}

void run_save(const Context& ctx, const std::string& file)
{
    const LabFs lab{ctx.root};
    ensure_lab(lab);
    const auto config = read_config(lab);
    try {
        save_file_atomically(file, config_to_json(config).dump(2) + "\n");
    } catch (const FsError& error) {
        throw Error(ExitCode::io, fmt::format("cannot save to {}: {}", file, error.what()), error.sys_errno());
    }
    if (ctx.json) {
        print_json({{"file", file}, {"threads", config.threads.size()}});
        return;
    }
    print_text(fmt::format("saved {} thread(s) to {}\n", config.threads.size(), file));
}

struct RestoreOptionsCli {
    std::string file;
    bool clear_existing = false;
    bool abort_on_error = false;
    bool dry_run = false;
};

LabConfig load_config(const std::string& file)
{
    try {
        return parse_config(read_whole_file(file));
    } catch (const FsError& error) {
        throw Error(ExitCode::io, fmt::format("cannot read {}: {}", file, error.what()), error.sys_errno());
    } catch (const ConfigError& error) {
        throw Error(ExitCode::usage, fmt::format("invalid save file {}: {}", file, error.what()));
    }
}

// Returns the exit status: incomplete when a thread was (or would be) skipped or failed.
ExitCode run_restore(const Context& ctx, const RestoreOptionsCli& options)
{
    const auto config = load_config(options.file);
    LabFs lab{ctx.root};
    ensure_lab(lab);
    const auto plan = plan_restore(config, read_lab_state(lab), RestoreOptions{options.clear_existing});
    if (!ctx.json) {
        for (const auto& warning : plan.warnings) {
            fmt::print(stderr, "ktlab: warning: {}\n", warning);
        }
    }
    if (options.dry_run) {
        if (ctx.json) {
            auto out = plan_to_json(plan);
            out["dry_run"] = true;
            print_json(out);
        } else {
            print_text(render_plan(plan));
        }
        return plan.skipped.empty() ? ExitCode::ok : ExitCode::incomplete;
    }
    RestoreReport report;
    try {
        report = execute_restore(plan, lab, options.abort_on_error);
    } catch (const FsError& error) {
        throw lab_error(error, reading("while preparing the restore"));
    }
    if (ctx.json) {
        print_json(report_to_json(report));
    } else {
        print_text(render_report(report));
    }
    return report.complete() ? ExitCode::ok : ExitCode::incomplete;
}

}  // namespace

void setup_save(CLI::App& app, Context& ctx)
{
    auto file = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("save", "Save the configuration as JSON (atomically)");
    sub->add_option("FILE", *file, "Output file")->required();
    sub->callback([&ctx, file] { run_save(ctx, *file); });
}

void setup_restore(CLI::App& app, Context& ctx)
{
    auto options = std::make_shared<RestoreOptionsCli>();
    auto* sub = app.add_subcommand("restore", "Recreate the threads of a save file");
    sub->add_option("FILE", options->file, "Save file")->required();
    sub->add_flag("--clear-existing", options->clear_existing, "Remove existing threads first");
    sub->add_flag("--abort-on-error", options->abort_on_error, "Stop at the first thread that fails");
    sub->add_flag("--dry-run", options->dry_run, "Check the file against the module; change nothing");
    sub->callback([&ctx, options] { ctx.status = run_restore(ctx, *options); });
}

}  // namespace ktlab
