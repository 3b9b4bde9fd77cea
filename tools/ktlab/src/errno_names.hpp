// errno symbols and what kthread_stop()'s return value means, in words.
#pragma once

#include <optional>
#include <string>

namespace ktlab {

// "EINTR" for 4; "errno 4242" when the number has no name.
[[nodiscard]] std::string errno_name(int err);

// "EINVAL (Invalid argument)".
[[nodiscard]] std::string describe_errno(int err);

// "-4 (EINTR)" for a negative errno value, plain "42" otherwise.
[[nodiscard]] std::string format_stop_result(long long result);

// What kthread_stop() returning `result` tells about the thread, e.g.
// "-4 (EINTR): the thread function never ran". `ran` is the item's `ran`
// attribute when known: -EINTR is only the never-ran case if the function did not run.
[[nodiscard]] std::string describe_stop_result(long long result, std::optional<bool> ran);

}  // namespace ktlab
