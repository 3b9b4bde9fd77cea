#include "cli.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "errno_names.hpp"
#include "errors.hpp"
#include "format.hpp"
#include "lab_ops.hpp"
#include "lab_reader.hpp"

namespace ktlab {

namespace {

using ordered_json = nlohmann::ordered_json;

void print_error(bool json, ExitCode code, std::string_view message, int sys_errno, std::string_view attribute)
{
    if (json) {
        ordered_json error;
        error["kind"] = exit_code_kind(code);
        error["exit_code"] = static_cast<int>(code);
        error["message"] = message;
        error["errno"] = sys_errno != 0 ? ordered_json(errno_name(sys_errno)) : ordered_json(nullptr);
        error["attribute"] = attribute.empty() ? ordered_json(nullptr) : ordered_json(attribute);
        fmt::print(stderr, "{}\n",
                   ordered_json{{"error", error}}.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
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

bool json_requested(int argc, const char* const* argv)
{
    return std::any_of(argv + 1, argv + argc, [](const char* arg) { return std::string_view{arg} == "--json"; });
}

// The global options and every subcommand.
void setup_app(CLI::App& app, Context& ctx)
{
    app.fallthrough();  // --json and --root also after the command
    app.require_subcommand(1);
    app.set_version_flag("--version", KTLAB_VERSION);
    app.footer("Exit codes: 0 ok, 1 usage, 2 lab not available, 3 no such thread, 4 kernel refused,\n"
               "5 timed out, 6 permission denied, 7 lab not empty, 8 restore incomplete, 9 I/O error,\n"
               "130 interrupted (an experiment, by a signal).\n"
               "See ktlab(1).");
    app.add_flag("--json", ctx.json, "Machine-readable output; errors as JSON on stderr");
    app.add_option("--root", ctx.root, "configfs directory of the lab")
        ->envname("KTLAB_ROOT")
        ->capture_default_str()
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    for (const auto setup : {setup_ls, setup_show, setup_spawn, setup_start, setup_set, setup_park, setup_stop,
                             setup_rm, setup_watch, setup_save, setup_restore, setup_features, setup_version,
                             setup_experiment}) {
        setup(app, ctx);
    }
}

// Parses the command line and runs the command (in its subcommand's callback).
int run_parsed(int argc, const char* const* argv)
{
    CLI::App app{"ktlab: drive the kthread_lab kernel-thread lab through configfs", "ktlab"};
    Context ctx{.json = false, .root = std::string{default_root}, .status = ExitCode::ok};
    setup_app(app, ctx);
    try {
        app.parse(argc, argv);
        if (std::fflush(stdout) != 0) {
            throw Error(ExitCode::io, fmt::format("cannot write the output: {}", describe_errno(errno)), errno);
        }
        return static_cast<int>(ctx.status);
    } catch (const CLI::ParseError& error) {
        if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
            return app.exit(error);  // --help, --version
        }
        if (json_requested(argc, argv)) {
            print_error(true, ExitCode::usage, error.what(), 0, {});
        } else {
            fmt::print(stderr, "ktlab: {}\nRun with --help for more information.\n", error.what());
        }
        return static_cast<int>(ExitCode::usage);
    } catch (const Error& error) {
        (void)std::fflush(stdout);
        print_error(ctx.json, error.code(), error.what(), error.sys_errno(), error.attribute());
        return static_cast<int>(error.code());
    } catch (const FsError& error) {
        (void)std::fflush(stdout);
        const Error translated = lab_error(error, reading(error.path()));
        print_error(ctx.json, translated.code(), translated.what(), error.sys_errno(), {});
        return static_cast<int>(translated.code());
    }
}

}  // namespace

void print_text(std::string_view text)
{
    (void)std::fwrite(text.data(), 1, text.size(), stdout);  // errors show at the final fflush
}

void print_json(const ordered_json& value)
{
    print_text(json_text(value));
}

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
    return run_guarded(json_requested(argc, argv), [argc, argv] { return run_parsed(argc, argv); });
}

}  // namespace ktlab
