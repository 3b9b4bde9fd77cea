#include "errno_names.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ktlab {

namespace {

// Linux keeps errno values below 4096 (MAX_ERRNO); anything else is a plain number.
constexpr long long max_errno = 4095;

}  // namespace

std::string errno_name(int err)
{
    if (const char* name = strerrorname_np(err)) {
        return name;
    }
    return fmt::format("errno {}", err);
}

std::string describe_errno(int err)
{
    const char* text = strerrordesc_np(err);  // glibc 2.32+; bookworm has 2.36
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
