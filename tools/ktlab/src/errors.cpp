#include "errors.hpp"

#include <utility>

#include <fmt/format.h>

#include "errno_names.hpp"

namespace ktlab {

std::string_view exit_code_kind(ExitCode code)
{
    switch (code) {
    case ExitCode::ok: return "ok";
    case ExitCode::usage: return "usage";
    case ExitCode::no_lab: return "no_lab";
    case ExitCode::no_such_thread: return "no_such_thread";
    case ExitCode::refused: return "refused";
    case ExitCode::timed_out: return "timed_out";
    case ExitCode::permission: return "permission";
    case ExitCode::not_empty: return "not_empty";
    case ExitCode::incomplete: return "incomplete";
    case ExitCode::io: return "io";
    case ExitCode::interrupted: return "interrupted";
    }
    return "unknown";
}

Error::Error(ExitCode code, const std::string& message, int sys_errno, std::string attribute)
    : std::runtime_error(message), code_(code), sys_errno_(sys_errno), attribute_(std::move(attribute))
{
}

FsError::FsError(std::string operation, std::string path, int sys_errno)
    : std::runtime_error(fmt::format("{} {}: {}", operation, path, describe_errno(sys_errno))),
      operation_(std::move(operation)), path_(std::move(path)), sys_errno_(sys_errno)
{
}

}  // namespace ktlab
