// ktlab's command line: argument parsing (CLI11), the commands, exit codes.
#pragma once

#include <functional>

namespace ktlab {

// Runs one ktlab invocation; returns the process exit status (see ExitCode).
// No exception escapes it.
int run_cli(int argc, const char* const* argv);

// The last resort around a command: returns body()'s status, or reports any
// exception that escaped it (as JSON on stderr when `json`) and returns
// ExitCode::io.
int run_guarded(bool json, const std::function<int()>& body);

}  // namespace ktlab
