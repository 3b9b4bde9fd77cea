// stop, rm and clear.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "format.hpp"
#include "lab_ops.hpp"
#include "stop.hpp"

namespace ktlab {

namespace {

struct StopOptions {
    std::string name;
    std::optional<long long> timeout_ms;
};

// A failed stop_timeout_ms or stop write, or a failed read of state while waiting.
Error stop_error(const LabFs& lab, const FsError& error, const ItemRef& item, const StopOptions& options)
{
    const auto attribute = std::filesystem::path{error.path()}.filename().string();
    if (attribute == "state") {
        return vanished_or(lab, error, item);
    }
    if (attribute == "stop" && error.sys_errno() == EALREADY) {
        return {ExitCode::refused,
                fmt::format("{} was already stopped (stop_result {})", item.id(),
                            lab.try_read_value(item.path() / "stop_result").value_or("?")),
                EALREADY, "stop"};
    }
    const auto value = attribute == "stop" ? std::string{"1"}
                                           : std::to_string(std::min(options.timeout_ms.value_or(0),
                                                                     max_stop_timeout_ms));
    return attribute_error(lab, error, item, attribute, value);
}

void run_stop(const Context& ctx, const StopOptions& options)
{
    LabFs lab{ctx.root};
    const auto item = resolve(lab, options.name);
    StopRequest request;
    if (options.timeout_ms) {
        request.wait = std::chrono::milliseconds{*options.timeout_ms};
    }
    StopOutcome outcome = StopOutcome::stopped;
    try {
        outcome = stop_thread(lab, lab, item, request);
    } catch (const FsError& error) {
        throw stop_error(lab, error, item, options);
    }
    if (outcome == StopOutcome::timed_out) {
        throw stop_timeout_error(lab, item, options.timeout_ms);
    }
    const auto record = read_item_or_vanished(lab, item);
    StopReport report{item.id(), record.get_int("stop_result"), std::nullopt, record.get_int("stop_latency_ns")};
    if (const auto ran = record.get_int("ran")) {
        report.ran = *ran != 0;
    }
    if (ctx.json) {
        print_json(stop_report_to_json(report));
        return;
    }
    print_text(render_stop_report(report));
}

void run_rm(const Context& ctx, const std::vector<std::string>& names, bool all)
{
    LabFs lab{ctx.root};
    ensure_lab(lab);
    std::vector<ItemRef> items;
    if (all) {
        items = list_items(lab);
    } else {
        // Resolve every name first, so a typo removes nothing.
        std::transform(names.begin(), names.end(), std::back_inserter(items),
                       [&lab](const std::string& name) { return resolve_item(lab, name); });
    }
    std::vector<std::string> removed;
    for (const auto& item : items) {
        if (!remove_item(lab, item)) {
            continue;  // already gone
        }
        removed.push_back(item.id());
        if (!ctx.json) {
            print_text(fmt::format("removed {}\n", item.id()));
        }
    }
    if (ctx.json) {
        print_json({{"removed", removed}});
    } else if (all && removed.empty()) {
        print_text("no threads\n");
    }
}

}  // namespace

void setup_stop(CLI::App& app, Context& ctx)
{
    auto options = std::make_shared<StopOptions>();
    auto* sub = app.add_subcommand("stop", "kthread_stop() a thread and say what it returned");
    sub->add_option("NAME", options->name, "Thread")->required();
    sub->add_option("--timeout", options->timeout_ms,
                    "Wait up to MS ms (1..600000) for the thread to stop: sets stop_timeout_ms (at most 30000) "
                    "first, and polls the state for a longer wait")
        ->type_name("MS")
        ->check(CLI::Range(1LL, max_stop_wait_ms));
    sub->callback([&ctx, options] { run_stop(ctx, *options); });
}

void setup_rm(CLI::App& app, Context& ctx)
{
    auto names = std::make_shared<std::vector<std::string>>();
    auto all = std::make_shared<bool>(false);
    auto* rm = app.add_subcommand("rm", "Remove threads (stopping them)");
    auto* names_option = rm->add_option("NAME", *names, "Threads");
    names_option->excludes(rm->add_flag("--all", *all, "Remove every thread"));
    rm->callback([&ctx, names, all] {
        if (names->empty() && !*all) {
            throw CLI::ValidationError("rm", "give thread names or --all");
        }
        run_rm(ctx, *names, *all);
    });
    auto* clear = app.add_subcommand("clear", "Remove every thread");
    clear->callback([&ctx] { run_rm(ctx, {}, true); });
}

}  // namespace ktlab
