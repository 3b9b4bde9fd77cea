#include "watch.hpp"

#include <gtest/gtest.h>

namespace ktlab {
namespace {

using namespace std::chrono_literals;

ThreadRecord thread(const std::string& name, const std::string& pid, const std::string& loops)
{
    return {"busy", name, {{"pid", pid}, {"loops", loops}}};
}

TEST(RateTracker, FirstSampleHasNoRates)
{
    RateTracker tracker;
    EXPECT_TRUE(tracker.update({thread("a", "1", "100")}, RateTracker::Clock::time_point{} + 1s).empty());
}

TEST(RateTracker, RateIsLoopDeltaOverTime)
{
    RateTracker tracker;
    const auto t0 = RateTracker::Clock::time_point{} + 10s;
    (void)tracker.update({thread("a", "1", "100"), thread("b", "2", "0")}, t0);
    const auto rates = tracker.update({thread("a", "1", "1100"), thread("b", "2", "0")}, t0 + 500ms);
    ASSERT_EQ(rates.size(), 2U);
    EXPECT_DOUBLE_EQ(rates.at("busy/a"), 2000.0);
    EXPECT_DOUBLE_EQ(rates.at("busy/b"), 0.0);
}

TEST(RateTracker, RecreatedThreadStartsOver)
{
    RateTracker tracker;
    const auto t0 = RateTracker::Clock::time_point{} + 10s;
    (void)tracker.update({thread("a", "1", "500")}, t0);
    EXPECT_TRUE(tracker.update({thread("a", "2", "600")}, t0 + 1s).empty());
    EXPECT_DOUBLE_EQ(tracker.update({thread("a", "2", "700")}, t0 + 2s).at("busy/a"), 100.0);
}

TEST(RateTracker, NewAndLoopLessThreadsHaveNoRate)
{
    RateTracker tracker;
    const auto t0 = RateTracker::Clock::time_point{} + 10s;
    (void)tracker.update({thread("a", "1", "5")}, t0);
    const auto rates = tracker.update({thread("a", "1", "5"), thread("new", "3", "9"),
                                       ThreadRecord{"busy", "noloops", {{"pid", "4"}}}},
                                      t0 + 1s);
    EXPECT_EQ(rates.size(), 1U);
    EXPECT_TRUE(rates.contains("busy/a"));
}

TEST(StopSignals, SigtermEndsTheWaitEarlyAndHandlersAreRestored)
{
    struct sigaction before {};
    ::sigaction(SIGTERM, nullptr, &before);
    {
        const StopSignals signals;
        EXPECT_FALSE(StopSignals::raised());
        ASSERT_EQ(::raise(SIGTERM), 0);  // blocked: stays pending until wait() unblocks it
        const auto start = std::chrono::steady_clock::now();
        (void)signals.wait(10s, -1);
        EXPECT_TRUE(StopSignals::raised());
        EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    }
    struct sigaction after {};
    ::sigaction(SIGTERM, nullptr, &after);
    EXPECT_EQ(before.sa_handler, after.sa_handler);
}

TEST(StopSignals, WaitTimesOutWithoutInput)
{
    const StopSignals signals;
    EXPECT_EQ(signals.wait(20ms, -1), std::nullopt);
    EXPECT_FALSE(StopSignals::raised());
}

TEST(StopSignals, ReturnsTheKeyPressed)
{
    std::array<int, 2> fds{};
    ASSERT_EQ(::pipe(fds.data()), 0);
    ASSERT_EQ(::write(fds[1], "q", 1), 1);
    const StopSignals signals;
    EXPECT_EQ(signals.wait(10s, fds[0]), 'q');
    ::close(fds[0]);
    ::close(fds[1]);
}

}  // namespace
}  // namespace ktlab
