#include "watch.hpp"

#include <cerrno>
#include <cstdio>
#include <ctime>

#include <poll.h>
#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "format.hpp"
#include "lab_reader.hpp"

namespace ktlab {

namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void on_stop_signal(int /*signal*/)
{
    stop_requested = 1;
}

// Alternate screen and hidden cursor while interactive, like top.
class AlternateScreen {
public:
    AlternateScreen() { write_out("\x1b[?1049h\x1b[?25l"); }
    AlternateScreen(const AlternateScreen&) = delete;
    AlternateScreen& operator=(const AlternateScreen&) = delete;
    AlternateScreen(AlternateScreen&&) = delete;
    AlternateScreen& operator=(AlternateScreen&&) = delete;
    ~AlternateScreen() { write_out("\x1b[?25h\x1b[?1049l"); }

private:
    static void write_out(const char* text)
    {
        (void)std::fputs(text, stdout);
        (void)std::fflush(stdout);
    }
};

std::string clock_now()
{
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    ::localtime_r(&now, &local);
    return fmt::format("{:%H:%M:%S}", local);
}

}  // namespace

std::map<std::string, double> RateTracker::update(const std::vector<ThreadRecord>& threads, Clock::time_point now)
{
    std::map<std::string, double> rates;
    std::map<std::string, Sample> current;
    for (const auto& thread : threads) {
        const auto loops = thread.get_int("loops");
        if (!loops) {
            continue;
        }
        const Sample sample{thread.get_int("pid"), *loops};
        current.emplace(thread.id(), sample);
        if (!previous_time_) {
            continue;
        }
        const auto before = previous_.find(thread.id());
        const double seconds = std::chrono::duration<double>(now - *previous_time_).count();
        if (before == previous_.end() || before->second.pid != sample.pid || seconds <= 0.0 ||
            sample.loops < before->second.loops) {
            continue;
        }
        rates.emplace(thread.id(), static_cast<double>(sample.loops - before->second.loops) / seconds);
    }
    previous_ = std::move(current);
    previous_time_ = now;
    return rates;
}

TerminalRawMode::TerminalRawMode(int fd) : fd_(fd)
{
    if (::tcgetattr(fd_, &saved_) != 0) {
        return;
    }
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    active_ = ::tcsetattr(fd_, TCSANOW, &raw) == 0;
}

TerminalRawMode::~TerminalRawMode()
{
    if (active_) {
        ::tcsetattr(fd_, TCSANOW, &saved_);
    }
}

StopSignals::StopSignals()
{
    stop_requested = 0;
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &saved_int_);
    ::sigaction(SIGTERM, &action, &saved_term_);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &block, &saved_mask_);
}

StopSignals::~StopSignals()
{
    ::sigaction(SIGINT, &saved_int_, nullptr);
    ::sigaction(SIGTERM, &saved_term_, nullptr);
    ::sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
}

bool StopSignals::raised() noexcept
{
    return stop_requested != 0;
}

std::optional<char> StopSignals::wait(std::chrono::milliseconds timeout, int input_fd) const
{
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout;
    sigset_t unblocked = saved_mask_;
    sigdelset(&unblocked, SIGINT);
    sigdelset(&unblocked, SIGTERM);
    while (!raised()) {
        const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return std::nullopt;
        }
        const timespec wait_for{static_cast<time_t>(left.count() / 1'000'000'000),
                                static_cast<long>(left.count() % 1'000'000'000)};
        pollfd input{input_fd, POLLIN, 0};
        const int ready = ::ppoll(&input, input_fd >= 0 ? 1 : 0, &wait_for, &unblocked);
        if (ready > 0 && (input.revents & POLLIN) != 0) {
            char key = 0;
            if (::read(input_fd, &key, 1) == 1) {
                return key;
            }
            return std::nullopt;  // end of input: just keep refreshing
        }
        if (ready < 0 && errno != EINTR) {
            return std::nullopt;
        }
    }
    return std::nullopt;
}

void run_watch(const LabFs& lab, const WatchOptions& options)
{
    const StopSignals signals;
    const bool interactive = !options.json && ::isatty(STDOUT_FILENO) != 0 && ::isatty(STDIN_FILENO) != 0;
    std::optional<TerminalRawMode> raw_mode;
    std::optional<AlternateScreen> screen;
    if (interactive) {
        raw_mode.emplace(STDIN_FILENO);
        screen.emplace();
    }
    RateTracker tracker;
    for (long long refresh = 1; !StopSignals::raised(); ++refresh) {
        const auto threads = read_threads(lab);
        const auto rates = tracker.update(threads, RateTracker::Clock::now());
        if (options.json) {
            nlohmann::ordered_json frame;
            frame["time"] = clock_now();
            frame["threads"] = nlohmann::ordered_json::array();
            for (const auto& thread : threads) {
                auto object = thread_to_json(thread);
                const auto rate = rates.find(thread.id());
                object["loops_per_s"] = rate == rates.end() ? nlohmann::ordered_json(nullptr)
                                                            : nlohmann::ordered_json(rate->second);
                frame["threads"].push_back(std::move(object));
            }
            fmt::print("{}\n", frame.dump());
        } else {
            const std::string title =
                fmt::format("ktlab watch  {}  {} thread(s), every {:g} s{}", clock_now(), threads.size(),
                            std::chrono::duration<double>(options.interval).count(),
                            interactive ? "  (q or Ctrl-C quits)" : "");
            // Home and clear when interactive; a blank line between refreshes otherwise.
            fmt::print("{}{}\n{}", interactive ? "\x1b[H\x1b[2J" : (refresh > 1 ? "\n" : ""), title,
                       render_thread_table(threads, &rates));
        }
        (void)std::fflush(stdout);
        if (options.count && refresh >= *options.count) {
            break;
        }
        const auto key = signals.wait(options.interval, interactive ? STDIN_FILENO : -1);
        if (key.has_value() && (*key == 'q' || *key == 'Q')) {
            break;
        }
    }
}

}  // namespace ktlab
