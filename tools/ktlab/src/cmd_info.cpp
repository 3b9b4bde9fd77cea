// watch, features and version.
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lab_ops.hpp"
#include "watch.hpp"

namespace ktlab {

namespace {

struct WatchCliOptions {
    long long interval_ms = 1000;
    std::optional<long long> count;
};

void run_watch_command(const Context& ctx, const WatchCliOptions& cli)
{
    const LabFs lab{ctx.root};
    ensure_lab(lab);
    WatchOptions options;
    options.interval = std::chrono::milliseconds{cli.interval_ms};
    options.count = cli.count;
    options.json = ctx.json;
    try {
        run_watch(lab, options);
    } catch (const SnapshotError& error) {
        throw Error(ExitCode::io, fmt::format("cannot read the snapshot: {}", error.what()));
    }
}

void run_features(const Context& ctx)
{
    const LabFs lab{ctx.root};
    ensure_lab(lab);
    const auto features = read_features(lab);
    if (ctx.json) {
        print_json({{"features", features}});
        return;
    }
    print_text(fmt::format("{}\n", fmt::join(features, "\n")));
}

// Prints ktlab's version even when the module is not there, then says so.
void run_version(const Context& ctx)
{
    const LabFs lab{ctx.root};
    std::optional<std::string> module_version;
    std::exception_ptr missing;
    try {
        ensure_lab(lab);
        module_version = lab.read_value("version");
    } catch (const Error&) {
        missing = std::current_exception();
    }
    if (ctx.json) {
        print_json({{"ktlab", KTLAB_VERSION},
                    {"module", module_version ? nlohmann::ordered_json(*module_version)
                                              : nlohmann::ordered_json(nullptr)}});
    } else {
        print_text(fmt::format("ktlab {}\nkthread_lab module {}\n", KTLAB_VERSION, module_version.value_or("not loaded")));
    }
    if (missing) {
        std::rethrow_exception(missing);
    }
}

}  // namespace

void setup_watch(CLI::App& app, Context& ctx)
{
    auto options = std::make_shared<WatchCliOptions>();
    auto* sub = app.add_subcommand("watch", "Live table of all threads with loop rates (q or Ctrl-C quits)");
    sub->add_option("--interval", options->interval_ms, "Refresh interval in ms")
        ->check(CLI::Range(10LL, 3600000LL))
        ->capture_default_str();
    sub->add_option("--count", options->count, "Exit after this many refreshes")->check(CLI::PositiveNumber);
    sub->callback([&ctx, options] { run_watch_command(ctx, *options); });
}

void setup_features(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("features", "What this module supports");
    sub->callback([&ctx] { run_features(ctx); });
}

void setup_version(CLI::App& app, Context& ctx)
{
    auto* sub = app.add_subcommand("version", "Versions of ktlab and of the module");
    sub->callback([&ctx] { run_version(ctx); });
}

}  // namespace ktlab
