// Errors a person can act on, and the exit codes documented in ktlab(1).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace ktlab {

enum class ExitCode : int {
    ok = 0,
    usage = 1,           // bad arguments, unknown attribute, invalid save file
    no_lab = 2,          // configfs not mounted or module not loaded
    no_such_thread = 3,  // or an ambiguous name
    refused = 4,         // the kernel refused a write (errno named)
    timed_out = 5,       // kthread_stop did not return within stop_timeout_ms
    permission = 6,      // not root
    not_empty = 7,       // restore into a lab that already has threads
    incomplete = 8,      // restore skipped or failed some threads
    io = 9,              // any other I/O error (save file, unexpected errno)
    interrupted = 130,   // SIGINT, SIGTERM or SIGHUP ended an experiment (128 + SIGINT)
};

[[nodiscard]] std::string_view exit_code_kind(ExitCode code);

// Thrown by commands; main() turns it into a message (or JSON) and the exit code.
class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string& message, int sys_errno = 0, std::string attribute = {});

    [[nodiscard]] ExitCode code() const noexcept { return code_; }
    [[nodiscard]] int sys_errno() const noexcept { return sys_errno_; }
    [[nodiscard]] const std::string& attribute() const noexcept { return attribute_; }

private:
    ExitCode code_;
    int sys_errno_;
    std::string attribute_;
};

// A failed system call of the filesystem layer, before it is given a meaning.
class FsError : public std::runtime_error {
public:
    FsError(std::string operation, std::string path, int sys_errno);

    [[nodiscard]] int sys_errno() const noexcept { return sys_errno_; }
    [[nodiscard]] const std::string& operation() const noexcept { return operation_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    std::string operation_;
    std::string path_;
    int sys_errno_;
};

}  // namespace ktlab
