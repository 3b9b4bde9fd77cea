#include "snapshot.hpp"

#include <gtest/gtest.h>

namespace ktlab {
namespace {

constexpr std::string_view two_items =
    "# kthread_lab snapshot v1 items=2\n"
    "busy/spin behaviour=busy state=running pid=101 cpu=-1 nice=0 ran=1 loops=42 retval=0 "
    "stop_timeout_ms=5000 stop_result=none stop_latency_ns=none parked=0 honor_stop=1 resched=1\n"
    "wait/w1 behaviour=wait state=stopped pid=102 cpu=1 nice=-5 ran=0 loops=0 retval=-16 "
    "stop_timeout_ms=100 stop_result=-4 stop_latency_ns=1234 parked=0 job_ms=0 wait_mode=sleep\n";

TEST(Snapshot, ParsesItemsInOrderWithAllFields)
{
    const auto threads = parse_snapshot(two_items);
    ASSERT_EQ(threads.size(), 2U);
    EXPECT_EQ(threads[0].id(), "busy/spin");
    EXPECT_EQ(threads[0].get("state"), "running");
    EXPECT_EQ(threads[0].get_int("loops"), 42);
    EXPECT_EQ(threads[0].get("stop_result"), "none");
    EXPECT_EQ(threads[0].get_int("stop_result"), std::nullopt);
    EXPECT_EQ(threads[0].attrs.size(), common_keys().size() + 2);
    EXPECT_EQ(threads[0].attrs.front().first, "behaviour");
    EXPECT_EQ(threads[1].name, "w1");
    EXPECT_EQ(threads[1].get_int("stop_result"), -4);
    EXPECT_EQ(threads[1].get_int("nice"), -5);
    EXPECT_EQ(threads[1].get("wait_mode"), "sleep");
    EXPECT_EQ(threads[1].get("missing"), std::nullopt);
}

TEST(Snapshot, EmptyLabHasOnlyTheHeader)
{
    EXPECT_TRUE(parse_snapshot("# kthread_lab snapshot v1 items=0\n").empty());
    EXPECT_TRUE(parse_snapshot("# kthread_lab snapshot v1 items=0").empty());
}

TEST(Snapshot, ToleratesNoFinalNewlineAndExtraHeaderTokens)
{
    const auto threads = parse_snapshot("# kthread_lab snapshot v1 items=1 future=yes\noneshot/o behaviour=oneshot state=exited");
    ASSERT_EQ(threads.size(), 1U);
    EXPECT_EQ(threads[0].get("state"), "exited");
}

TEST(Snapshot, RejectsWrongHeader)
{
    EXPECT_THROW((void)parse_snapshot(""), SnapshotError);
    EXPECT_THROW((void)parse_snapshot("busy/a behaviour=busy\n"), SnapshotError);
    EXPECT_THROW((void)parse_snapshot("# kthread_lab snapshot v2 items=0\n"), SnapshotError);
    EXPECT_THROW((void)parse_snapshot("# kthread_lab snapshot v1\n"), SnapshotError);
    EXPECT_THROW((void)parse_snapshot("# kthread_lab snapshot v1 items=-1\n"), SnapshotError);
}

TEST(Snapshot, RejectsCountMismatch)
{
    EXPECT_THROW((void)parse_snapshot("# kthread_lab snapshot v1 items=3\nbusy/a behaviour=busy\n"), SnapshotError);
}

TEST(Snapshot, ErrorNamesTheLine)
{
    try {
        (void)parse_snapshot("# kthread_lab snapshot v1 items=2\nbusy/a behaviour=busy\nbusy/b state\n");
        FAIL() << "no exception";
    } catch (const SnapshotError& error) {
        EXPECT_EQ(error.line(), 3U);
        EXPECT_NE(std::string{error.what()}.find("line 3"), std::string::npos);
    }
}

TEST(Snapshot, RejectsMalformedItemLines)
{
    const std::string header = "# kthread_lab snapshot v1 items=1\n";
    EXPECT_THROW((void)parse_snapshot(header + "noslash behaviour=busy\n"), SnapshotError);
    EXPECT_THROW((void)parse_snapshot(header + "/a behaviour=busy\n"), SnapshotError);
    EXPECT_THROW((void)parse_snapshot(header + "busy/ behaviour=busy\n"), SnapshotError);
    EXPECT_THROW((void)parse_snapshot(header + "busy/a/b behaviour=busy\n"), SnapshotError);
    EXPECT_THROW((void)parse_snapshot(header + "busy/a =1 behaviour=busy\n"), SnapshotError);
    EXPECT_THROW((void)parse_snapshot(header + "busy/a behaviour=busy state=a state=b\n"), SnapshotError);
    EXPECT_THROW((void)parse_snapshot(header + "busy/a state=running\n"), SnapshotError);
    EXPECT_THROW((void)parse_snapshot(header + "busy/a behaviour=wait\n"), SnapshotError);
}

TEST(Snapshot, ValueMayBeEmptyOrContainEquals)
{
    const auto threads = parse_snapshot("# kthread_lab snapshot v1 items=1\nbusy/a behaviour=busy x= y=a=b\n");
    EXPECT_EQ(threads[0].get("x"), "");
    EXPECT_EQ(threads[0].get("y"), "a=b");
}

TEST(Snapshot, ParametersAreTheKeysAfterTheCommonOnesInKernelOrder)
{
    using Params = std::vector<std::pair<std::string, std::string>>;
    const auto threads = parse_snapshot(two_items);
    EXPECT_EQ(threads[0].params(), (Params{{"honor_stop", "1"}, {"resched", "1"}}));
    EXPECT_EQ(threads[1].params(), (Params{{"job_ms", "0"}, {"wait_mode", "sleep"}}));
    const auto others = parse_snapshot(
        "# kthread_lab snapshot v1 items=2\n"
        "oneshot/o behaviour=oneshot state=exited pid=1 cpu=-1 nice=0 ran=1 loops=1 retval=0 stop_timeout_ms=5000 "
        "stop_result=none stop_latency_ns=none parked=0\n"
        "teleport/t behaviour=teleport state=running pid=2 cpu=-1 nice=0 ran=1 loops=3 retval=0 stop_timeout_ms=5000 "
        "stop_result=none stop_latency_ns=none parked=0 warp=9 destination=mars\n");
    EXPECT_TRUE(others[0].params().empty());
    EXPECT_EQ(others[1].params(), (Params{{"warp", "9"}, {"destination", "mars"}}));
    EXPECT_TRUE(is_common_key("stop_timeout_ms"));
    EXPECT_FALSE(is_common_key("warp"));
}

TEST(ParseInt, AcceptsOnlyWholeDecimals)
{
    EXPECT_EQ(parse_int("0"), 0);
    EXPECT_EQ(parse_int("-4"), -4);
    EXPECT_EQ(parse_int("+7"), 7);
    EXPECT_EQ(parse_int("9223372036854775807"), 9223372036854775807LL);
    EXPECT_EQ(parse_int(""), std::nullopt);
    EXPECT_EQ(parse_int("-"), std::nullopt);
    EXPECT_EQ(parse_int("+-3"), std::nullopt);
    EXPECT_EQ(parse_int("12abc"), std::nullopt);
    EXPECT_EQ(parse_int(" 1"), std::nullopt);
    EXPECT_EQ(parse_int("none"), std::nullopt);
    EXPECT_EQ(parse_int("99999999999999999999"), std::nullopt);
}

}  // namespace
}  // namespace ktlab
