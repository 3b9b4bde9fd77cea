// `ktlab stop`: kthread_stop() through the `stop` attribute, waiting longer than
// one write may by polling the item's state.
#pragma once

#include <chrono>
#include <optional>

#include "errors.hpp"
#include "lab_fs.hpp"
#include "lab_reader.hpp"

namespace ktlab {

// The longest a `stop` write may wait (the module's stop_timeout_ms limit): no
// configfs callback blocks longer, so an rmdir queued behind it is bounded too.
inline constexpr long long max_stop_timeout_ms = 30000;
// The longest `ktlab stop --timeout` waits.
inline constexpr long long max_stop_wait_ms = 600000;

struct StopRequest {
    // Wait this long for kthread_stop() to return; unset: the item's stop_timeout_ms.
    std::optional<std::chrono::milliseconds> wait;
    // The most one write may wait; a test may make it shorter.
    std::chrono::milliseconds write_limit{max_stop_timeout_ms};
};

enum class StopOutcome { stopped, timed_out };

// Writes stop_timeout_ms (the wait, at most write_limit) when a wait is given,
// then `stop`. When the write times out and the wait is longer than what it
// waited, polls `state` until it reads "stopped" or the wait's deadline passes.
// Other write failures are thrown (FsError), as is a failed read of `state`.
[[nodiscard]] StopOutcome stop_thread(Mutator& writer, const LabFs& reader, const ItemRef& item,
                                      const StopRequest& request);

// The time-out of a stop in words: how long it waited (`waited_ms`, or the item's
// stop_timeout_ms) and the ways out, naming `ktlab set NAME release=1` when the
// item has a `release` attribute (its behaviour's way out of a loop that ignores
// the stop).
[[nodiscard]] Error stop_timeout_error(const LabFs& lab, const ItemRef& item, std::optional<long long> waited_ms);

// Polls FILE every few milliseconds until it reads `want` (true) or `deadline`
// passes (false). Never sleeps past the deadline.
[[nodiscard]] bool poll_until(const LabFs& reader, const std::filesystem::path& file, std::string_view want,
                              std::chrono::steady_clock::time_point deadline);

}  // namespace ktlab
