// The subcommands, one setup function each (CLI11's subcommand-in-files
// pattern): it adds the subcommand and its options to the app and a callback
// that runs it with the global options in the Context.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "errors.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace ktlab {

// What every command gets: the global options, and its outcome beyond success.
struct Context {
    bool json = false;
    std::string root;
    ExitCode status = ExitCode::ok;  // set by a command that succeeds only in part
};

// The one place commands write their results to standard output.
void print_text(std::string_view text);
void print_json(const nlohmann::ordered_json& value);

void setup_ls(CLI::App& app, Context& ctx);
void setup_show(CLI::App& app, Context& ctx);
void setup_spawn(CLI::App& app, Context& ctx);
void setup_start(CLI::App& app, Context& ctx);
void setup_set(CLI::App& app, Context& ctx);
void setup_park(CLI::App& app, Context& ctx);  // park and unpark
void setup_stop(CLI::App& app, Context& ctx);
void setup_rm(CLI::App& app, Context& ctx);  // rm and clear
void setup_watch(CLI::App& app, Context& ctx);
void setup_save(CLI::App& app, Context& ctx);
void setup_restore(CLI::App& app, Context& ctx);
void setup_features(CLI::App& app, Context& ctx);
void setup_version(CLI::App& app, Context& ctx);
void setup_experiment(CLI::App& app, Context& ctx);  // experiment race, experiment spawn

}  // namespace ktlab
