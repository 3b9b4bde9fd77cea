// `ktlab watch`: a refreshing table of all threads with loop rates.
#pragma once

#include <chrono>
#include <csignal>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <termios.h>

#include "lab_fs.hpp"
#include "snapshot.hpp"

namespace ktlab {

// Loops per second of each thread between two consecutive snapshots. A thread
// whose pid changed (removed and recreated under the same name) starts over.
class RateTracker {
public:
    using Clock = std::chrono::steady_clock;
    std::map<std::string, double> update(const std::vector<ThreadRecord>& threads, Clock::time_point now);

private:
    struct Sample {
        std::optional<long long> pid;
        long long loops = 0;
    };
    std::map<std::string, Sample> previous_;
    std::optional<Clock::time_point> previous_time_;
};

// Puts a terminal into non-canonical, no-echo mode; the destructor restores it.
// Ctrl-C still raises SIGINT (ISIG stays on).
class TerminalRawMode {
public:
    explicit TerminalRawMode(int fd);
    TerminalRawMode(const TerminalRawMode&) = delete;
    TerminalRawMode& operator=(const TerminalRawMode&) = delete;
    TerminalRawMode(TerminalRawMode&&) = delete;
    TerminalRawMode& operator=(TerminalRawMode&&) = delete;
    ~TerminalRawMode();

private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

// Catches SIGINT and SIGTERM into a flag and keeps them blocked except inside
// wait(), so a signal can never slip in between checking the flag and sleeping.
class StopSignals {
public:
    StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    StopSignals(StopSignals&&) = delete;
    StopSignals& operator=(StopSignals&&) = delete;
    ~StopSignals();

    [[nodiscard]] static bool raised() noexcept;
    // Waits up to `timeout` for a signal or input on `input_fd` (-1: none).
    // Returns the key read, if any.
    [[nodiscard]] std::optional<char> wait(std::chrono::milliseconds timeout, int input_fd) const;

private:
    sigset_t saved_mask_{};
    struct sigaction saved_int_ {};
    struct sigaction saved_term_ {};
};

struct WatchOptions {
    std::chrono::milliseconds interval{1000};
    std::optional<long long> count;  // refreshes before exiting; forever when unset
    bool json = false;
};

// Runs until q, Ctrl-C, SIGTERM or `count` refreshes. Interactive (clearing the
// screen, reading keys) when stdout and stdin are terminals.
void run_watch(const LabFs& lab, const WatchOptions& options);

}  // namespace ktlab
