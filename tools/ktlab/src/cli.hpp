// ktlab's command line: argument parsing (CLI11), the commands, exit codes.
#pragma once

namespace ktlab {

// Runs one ktlab invocation; returns the process exit status (see ExitCode).
int run_cli(int argc, const char* const* argv);

}  // namespace ktlab
