#include "stop.hpp"

#include <algorithm>
#include <cerrno>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "errors.hpp"

namespace ktlab {

namespace {

using Clock = std::chrono::steady_clock;

// Short first, so a stop that is about to complete is seen at once; capped so a
// long wait costs a few reads a second.
constexpr std::chrono::milliseconds first_poll{2};
constexpr std::chrono::milliseconds longest_poll{50};

// One `stop` write: the kernel waits up to the item's stop_timeout_ms and
// answers ETIMEDOUT when kthread_stop() has not returned by then.
StopOutcome write_stop(Mutator& writer, const ItemRef& item)
{
    try {
        writer.write(item.path() / "stop", "1");
    } catch (const FsError& error) {
        if (error.sys_errno() != ETIMEDOUT) {
            throw;
        }
        return StopOutcome::timed_out;
    }
    return StopOutcome::stopped;
}

}  // namespace

bool poll_until(const LabFs& reader, const std::filesystem::path& file, std::string_view want,
                Clock::time_point deadline)
{
    auto step = first_poll;
    for (;;) {
        if (reader.read_value(file) == want) {
            return true;
        }
        const auto now = Clock::now();
        if (now >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::min<Clock::duration>(step, deadline - now));
        step = std::min(step * 2, longest_poll);
    }
}

StopOutcome stop_thread(Mutator& writer, const LabFs& reader, const ItemRef& item, const StopRequest& request)
{
    if (!request.wait) {
        return write_stop(writer, item);
    }
    const auto deadline = Clock::now() + *request.wait;
    const auto per_write = std::min(*request.wait, request.write_limit);
    writer.write(item.path() / "stop_timeout_ms", std::to_string(per_write.count()));
    const StopOutcome written = write_stop(writer, item);
    if (written == StopOutcome::stopped || *request.wait <= request.write_limit) {
        return written;
    }
    // kthread_stop() stays pending. Waiting for it in another write would hold
    // the item's files again, so read `state` instead.
    return poll_until(reader, item.path() / "state", "stopped", deadline) ? StopOutcome::stopped
                                                                          : StopOutcome::timed_out;
}

Error stop_timeout_error(const LabFs& lab, const ItemRef& item, std::optional<long long> waited_ms)
{
    const auto waited = waited_ms ? std::to_string(*waited_ms)
                                  : lab.try_read_value(item.path() / "stop_timeout_ms").value_or("?");
    const std::string release =
        lab.exists(item.path() / "release")
            ? fmt::format("'ktlab set {} release=1' to let it leave its loop (then the stop completes), ", item.id())
            : std::string{};
    return {ExitCode::timed_out,
            fmt::format("kthread_stop({}) did not return within {} ms (ETIMEDOUT): the thread is still stopping, its "
                        "function does not return. Run {}'ktlab stop' again to keep waiting, or 'ktlab rm' it",
                        item.id(), waited, release),
            ETIMEDOUT, "stop"};
}

}  // namespace ktlab
