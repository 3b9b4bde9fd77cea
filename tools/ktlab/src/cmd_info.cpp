// watch, features and version.
#include <charconv>
#include <chrono>
#include <cmath>
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
    double interval_s = 1.0;
    std::optional<long long> count;
};

constexpr double shortest_interval_s = 0.01;
constexpr double longest_interval_s = 3600.0;

// Seconds as watch(1) takes them: a decimal number, fractions allowed. Empty
// when TEXT is one in range, else why not (nan and inf included).
std::string check_interval(const std::string& text)
{
    double seconds = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, seconds);
    if (error != std::errc{} || stop != end || !std::isfinite(seconds) || seconds < shortest_interval_s ||
        seconds > longest_interval_s) {
        return fmt::format("'{}' is not a number of seconds from {} to {}", text, shortest_interval_s,
                           longest_interval_s);
    }
    return {};
}

void run_watch_command(const Context& ctx, const WatchCliOptions& cli)
{
    const LabFs lab{ctx.root};
    ensure_lab(lab);
    WatchOptions options;
    options.interval = std::chrono::round<std::chrono::milliseconds>(std::chrono::duration<double>{cli.interval_s});
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
    sub->add_option("-n,--interval", options->interval_s,
                    "Seconds between refreshes, fractions allowed (-n 0.5); 0.01 to 3600")
        ->type_name("SECONDS")
        ->check(CLI::Validator(check_interval, ""))
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
