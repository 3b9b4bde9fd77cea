#include "stop.hpp"

#include <cerrno>
#include <thread>

#include <gtest/gtest.h>

#include "errors.hpp"
#include "fake_lab.hpp"

namespace ktlab {
namespace {

using namespace std::chrono_literals;
using testing::FakeLab;
using testing::RecordingMutator;

class StopTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        fake.make_module();
        fake.add_item("busy", "spin", {{"state", "stopping"}, {"stop_timeout_ms", "5000"}});
        // The kernel's answer when kthread_stop() did not return within stop_timeout_ms.
        writer.fail_on["write busy/spin/stop=1"] = ETIMEDOUT;
    }

    FakeLab fake;
    LabFs reader{fake.root()};
    RecordingMutator writer;
    const ItemRef item{"busy", "spin"};
};

TEST_F(StopTest, WithoutAWaitOnlyTheStopIsWritten)
{
    writer.fail_on.clear();
    EXPECT_EQ(stop_thread(writer, reader, item, {}), StopOutcome::stopped);
    EXPECT_EQ(writer.log, (std::vector<std::string>{"write busy/spin/stop=1"}));
}

TEST_F(StopTest, AWaitWithinOneWriteIsTheWritesTimeoutAndIsNotPolled)
{
    fake.set_file("busy/spin/state", "stopped\n");  // a poll would have seen this
    EXPECT_EQ(stop_thread(writer, reader, item, {.wait = 200ms}), StopOutcome::timed_out);
    EXPECT_EQ(writer.log,
              (std::vector<std::string>{"write busy/spin/stop_timeout_ms=200", "write busy/spin/stop=1"}));
}

TEST_F(StopTest, ALongerWaitWritesTheLongestStopTimeoutThenPollsTheState)
{
    std::thread kernel{[this] {
        std::this_thread::sleep_for(20ms);
        fake.set_file("busy/spin/state", "stopped\n");
    }};
    const auto outcome = stop_thread(writer, reader, item, {.wait = 45000ms});
    kernel.join();
    EXPECT_EQ(outcome, StopOutcome::stopped);
    EXPECT_EQ(writer.log,
              (std::vector<std::string>{"write busy/spin/stop_timeout_ms=30000", "write busy/spin/stop=1"}));
}

TEST_F(StopTest, PollingGivesUpAtTheDeadlineNotBefore)
{
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(stop_thread(writer, reader, item, {.wait = 60ms, .write_limit = 5ms}), StopOutcome::timed_out);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 60ms);
    EXPECT_EQ(writer.log.front(), "write busy/spin/stop_timeout_ms=5");
}

TEST_F(StopTest, OtherRefusalsAreThrown)
{
    writer.fail_on["write busy/spin/stop=1"] = EALREADY;
    try {
        (void)stop_thread(writer, reader, item, {.wait = 45000ms});
        FAIL() << "no exception";
    } catch (const FsError& error) {
        EXPECT_EQ(error.sys_errno(), EALREADY);
    }
}

TEST_F(StopTest, AThreadRemovedWhileWaitingIsAnError)
{
    std::filesystem::remove_all(fake.root() / "busy/spin");
    EXPECT_THROW((void)stop_thread(writer, reader, item, {.wait = 45000ms}), FsError);
}

TEST_F(StopTest, ATimeOutNamesReleaseWhenTheThreadHasIt)
{
    const auto without = stop_timeout_error(reader, item, std::nullopt);
    EXPECT_EQ(without.code(), ExitCode::timed_out);
    EXPECT_EQ(std::string{without.what()},
              "kthread_stop(busy/spin) did not return within 5000 ms (ETIMEDOUT): the thread is still stopping, its "
              "function does not return. Run 'ktlab stop' again to keep waiting, or 'ktlab rm' it");
    fake.set_file("busy/spin/release", "", false);  // write-only, as the module has it
    const auto with = stop_timeout_error(reader, item, 45000);
    EXPECT_EQ(std::string{with.what()},
              "kthread_stop(busy/spin) did not return within 45000 ms (ETIMEDOUT): the thread is still stopping, its "
              "function does not return. Run 'ktlab set busy/spin release=1' to let it leave its loop (then the "
              "stop completes), 'ktlab stop' again to keep waiting, or 'ktlab rm' it");
    EXPECT_EQ(with.attribute(), "stop");
}

TEST(PollUntil, ReturnsAsSoonAsTheFileReadsTheValue)
{
    FakeLab fake;
    fake.make_module();
    fake.set_file("busy/x/state", "stopped\n");
    const LabFs reader{fake.root()};
    // A deadline already past: one read, no sleep.
    EXPECT_TRUE(poll_until(reader, "busy/x/state", "stopped", std::chrono::steady_clock::now() - 1s));
    EXPECT_FALSE(poll_until(reader, "busy/x/state", "running", std::chrono::steady_clock::now() - 1s));
}

}  // namespace
}  // namespace ktlab
