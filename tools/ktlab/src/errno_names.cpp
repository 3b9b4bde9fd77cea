#include "errno_names.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace ktlab {

namespace {

#ifndef KTLAB_HAVE_STRERRORNAME_NP
// Only for C libraries without strerrorname_np (glibc < 2.32): the errnos this lab produces.
constexpr std::array<std::pair<int, const char*>, 24> errno_table{{
    {EPERM, "EPERM"},     {ENOENT, "ENOENT"},     {ESRCH, "ESRCH"},         {EINTR, "EINTR"},
    {EIO, "EIO"},         {ENOMEM, "ENOMEM"},     {EACCES, "EACCES"},       {EFAULT, "EFAULT"},
    {EBUSY, "EBUSY"},     {EEXIST, "EEXIST"},     {ENOTDIR, "ENOTDIR"},     {EISDIR, "EISDIR"},
    {EINVAL, "EINVAL"},   {ENOSPC, "ENOSPC"},     {EROFS, "EROFS"},         {ERANGE, "ERANGE"},
    {ENOSYS, "ENOSYS"},   {ENOTEMPTY, "ENOTEMPTY"}, {ENAMETOOLONG, "ENAMETOOLONG"},
    {EOPNOTSUPP, "EOPNOTSUPP"}, {ETIMEDOUT, "ETIMEDOUT"}, {EALREADY, "EALREADY"},
    {EAGAIN, "EAGAIN"},   {ECHILD, "ECHILD"},
}};
#endif

// Linux keeps errno values below 4096 (MAX_ERRNO); anything else is a plain number.
constexpr long long max_errno = 4095;

}  // namespace

std::string errno_name(int err)
{
#ifdef KTLAB_HAVE_STRERRORNAME_NP
    if (const char* name = strerrorname_np(err)) {
        return name;
    }
#else
    for (const auto& [value, name] : errno_table) {
        if (value == err) {
            return name;
        }
    }
#endif
    return fmt::format("errno {}", err);
}

std::string describe_errno(int err)
{
#ifdef KTLAB_HAVE_STRERRORNAME_NP
    const char* text = strerrordesc_np(err);
#else
    const char* text = std::strerror(err);  // NOLINT(concurrency-mt-unsafe): single-threaded tool
#endif
    return fmt::format("{} ({})", errno_name(err), text != nullptr ? text : "unknown error");
}

std::string format_stop_result(long long result)
{
    if (result < 0 && result >= -max_errno) {
        return fmt::format("{} ({})", result, errno_name(static_cast<int>(-result)));
    }
    return fmt::format("{}", result);
}

std::string describe_stop_result(long long result, std::optional<bool> ran)
{
    const std::string shown = format_stop_result(result);
    if (result == -EINTR && ran != std::optional<bool>{true}) {
        return shown + ": the thread function never ran (stopped before it was first woken)";
    }
    if (result == 0) {
        return shown + ": the thread function returned 0 (success)";
    }
    if (result < 0 && result >= -max_errno) {
        return shown + fmt::format(": the thread function returned -{}", errno_name(static_cast<int>(-result)));
    }
    return shown + fmt::format(": the thread function returned {}", result);
}

}  // namespace ktlab
