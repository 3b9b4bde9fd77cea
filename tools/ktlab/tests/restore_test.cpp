#include "restore.hpp"

#include <algorithm>
#include <cerrno>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "fake_lab.hpp"

namespace ktlab {
namespace {

using testing::FakeLab;
using testing::RecordingMutator;

SavedThread thread(std::string behaviour, std::string name, std::string state)
{
    return {std::move(behaviour), std::move(name), std::move(state), -1, 0, 0, 5000, {}};
}

class RestoreTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        fake.make_module();
        fake.set_file("wait/autostart", "0\n");
    }

    [[nodiscard]] LabState state() const
    {
        fake.set_file("../cpu_online", "0-1\n");
        return read_lab_state(LabFs{fake.root()}, fake.scratch() / "cpu_online");
    }

    // As state(), knowing what a busy item's directory lists (as when the lab has
    // one to look at): its writable attributes, the parameters among them.
    [[nodiscard]] LabState state_with_busy_items() const
    {
        auto lab_state = state();
        lab_state.writable_attributes["busy"] = {"cpu", "nice", "retval", "stop_timeout_ms", "start", "stop",
                                                 "park", "release", "honor_stop", "resched"};
        return lab_state;
    }

    static std::vector<std::string> describe(const std::vector<Operation>& ops)
    {
        std::vector<std::string> out;
        std::transform(ops.begin(), ops.end(), std::back_inserter(out), [](const auto& op) { return op.describe(); });
        return out;
    }

    FakeLab fake;
};

TEST_F(RestoreTest, ReadsTheLabState)
{
    fake.add_item("busy", "old", {});
    const auto lab_state = state();
    EXPECT_TRUE(lab_state.features.contains("bind"));
    EXPECT_EQ(lab_state.groups.size(), 4U);
    ASSERT_EQ(lab_state.existing.size(), 1U);
    EXPECT_EQ(lab_state.existing[0].id(), "busy/old");
    EXPECT_EQ(lab_state.group_autostart.at("busy"), 1);
    EXPECT_EQ(lab_state.group_autostart.at("wait"), 0);
    EXPECT_EQ(lab_state.max_threads, 4096);
    EXPECT_EQ(lab_state.online_cpus, (std::set<long long>{0, 1}));
}

TEST_F(RestoreTest, BindsAndConfiguresBeforeStartingThenRestoresAutostart)
{
    LabConfig config;
    config.groups = {{"busy", 1}};
    auto spin = thread("busy", "spin", "running");
    spin.cpu = 1;
    spin.params = {{"resched", "0"}, {"honor_stop", "1"}};
    config.threads = {spin};
    const auto plan = plan_restore(config, state(), {});
    EXPECT_EQ(describe(plan.prepare), (std::vector<std::string>{"write busy/autostart=0"}));
    ASSERT_EQ(plan.items.size(), 1U);
    EXPECT_EQ(describe(plan.items[0].operations),
              (std::vector<std::string>{"mkdir busy/spin", "write busy/spin/cpu=1", "write busy/spin/nice=0",
                                        "write busy/spin/retval=0", "write busy/spin/stop_timeout_ms=5000",
                                        "write busy/spin/honor_stop=1", "write busy/spin/resched=0",
                                        "write busy/spin/start=1"}));
    EXPECT_EQ(describe(plan.finish), (std::vector<std::string>{"write busy/autostart=1"}));
    EXPECT_TRUE(plan.skipped.empty());
}

TEST_F(RestoreTest, CreatedStaysCreatedAndParkedIsParkedAfterStart)
{
    LabConfig config;
    config.threads = {thread("wait", "idle", "created"), thread("periodic", "p", "parked"),
                      thread("oneshot", "o", "exited")};
    const auto plan = plan_restore(config, state(), {});
    ASSERT_EQ(plan.items.size(), 3U);
    const auto idle = describe(plan.items[0].operations);
    EXPECT_EQ(std::count(idle.begin(), idle.end(), "write wait/idle/start=1"), 0);
    const auto parked = describe(plan.items[1].operations);
    EXPECT_EQ(parked[parked.size() - 2], "write periodic/p/start=1");
    EXPECT_EQ(parked.back(), "write periodic/p/park=1");
    EXPECT_EQ(describe(plan.items[2].operations).back(), "write oneshot/o/start=1");
    // wait/autostart is already 0: not written before, put back to 0 after.
    EXPECT_EQ(describe(plan.prepare), (std::vector<std::string>{"write oneshot/autostart=0", "write periodic/autostart=0"}));
    EXPECT_EQ(describe(plan.finish), (std::vector<std::string>{"write oneshot/autostart=1", "write periodic/autostart=1",
                                                               "write wait/autostart=0"}));
}

TEST_F(RestoreTest, SavedAutostartIsRestoredEvenForUnusedGroups)
{
    LabConfig config;
    config.groups = {{"wait", 1}, {"busy", 1}};
    const auto plan = plan_restore(config, state(), {});
    EXPECT_TRUE(plan.prepare.empty());
    EXPECT_EQ(describe(plan.finish), (std::vector<std::string>{"write wait/autostart=1"}));
}

TEST_F(RestoreTest, RefusesANonEmptyLab)
{
    fake.add_item("busy", "old", {});
    try {
        (void)plan_restore({}, state(), {});
        FAIL() << "no exception";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::not_empty);
        EXPECT_NE(std::string{error.what()}.find("busy/old"), std::string::npos);
        EXPECT_NE(std::string{error.what()}.find("--clear-existing"), std::string::npos);
    }
}

TEST_F(RestoreTest, ClearExistingRemovesFirst)
{
    fake.add_item("busy", "old", {});
    LabConfig config;
    config.threads = {thread("busy", "old", "running")};
    const auto plan = plan_restore(config, state(), {.clear_existing = true});
    EXPECT_EQ(describe(plan.prepare), (std::vector<std::string>{"rmdir busy/old", "write busy/autostart=0"}));
    EXPECT_EQ(plan.items.size(), 1U);
}

TEST_F(RestoreTest, SkipsWhatThisModuleCannotRecreateWithReasons)
{
    fake.set_file("features", "busy wait periodic\n");
    LabConfig config;
    auto bound = thread("busy", "bound", "running");
    bound.cpu = 1;
    auto offline = thread("wait", "offline", "running");
    offline.cpu = 7;
    auto unknown_param = thread("busy", "param", "running");
    unknown_param.params = {{"warp_speed", "9"}};
    config.threads = {thread("oneshot", "o", "running"), thread("periodic", "parked", "parked"),
                      thread("wait", "done", "stopped"), thread("nosuch", "x", "running"), bound, offline,
                      thread("busy", "weird", "dancing"), unknown_param, thread("wait", "fine", "running"),
                      thread("wait", "fine", "running")};
    const auto plan = plan_restore(config, state_with_busy_items(), {});
    std::map<std::string, std::string> reasons;
    for (const auto& skipped : plan.skipped) {
        reasons[skipped.id] = skipped.reason;
    }
    // Every module parks and binds: parked and bound threads need no feature token.
    ASSERT_EQ(plan.items.size(), 3U);
    EXPECT_EQ(plan.items[0].id, "periodic/parked");
    EXPECT_EQ(plan.items[1].id, "busy/bound");
    EXPECT_EQ(plan.items[2].id, "wait/fine");
    EXPECT_EQ(reasons.size(), 7U);
    EXPECT_EQ(reasons["oneshot/o"], "behaviour 'oneshot' is not supported by this module");
    EXPECT_EQ(reasons["nosuch/x"], "behaviour 'nosuch' is not supported by this module");
    EXPECT_EQ(reasons["wait/done"], "it was stopped when saved; a stopped thread is not recreated");
    EXPECT_EQ(reasons["busy/weird"], "unknown state 'dancing'");
    EXPECT_EQ(reasons["wait/fine"], "it appears more than once in the file");
    EXPECT_EQ(plan.skipped.size(), 7U);
}

TEST_F(RestoreTest, OfflineCpuAndUnknownParameterAreSkipped)
{
    LabConfig config;
    auto offline = thread("wait", "offline", "running");
    offline.cpu = 7;
    auto unknown_param = thread("busy", "param", "running");
    unknown_param.params = {{"warp_speed", "9"}};
    config.threads = {offline, unknown_param};
    const auto plan = plan_restore(config, state_with_busy_items(), {});
    ASSERT_EQ(plan.skipped.size(), 2U);
    EXPECT_EQ(plan.skipped[0].reason, "it is bound to CPU 7, which is not online here");
    EXPECT_EQ(plan.skipped[1].reason, "unknown parameter 'warp_speed' for behaviour busy");
    EXPECT_TRUE(plan.items.empty());
    EXPECT_TRUE(plan.prepare.empty());
}

TEST_F(RestoreTest, AStopTimeoutLongerThanAStopWriteMayWaitIsRestoredAsTheLimitWithAWarning)
{
    LabConfig config;
    auto slow = thread("wait", "slow", "created");
    slow.stop_timeout_ms = 600000;
    auto limit = thread("wait", "limit", "created");
    limit.stop_timeout_ms = 30000;
    config.threads = {limit, slow};
    const auto plan = plan_restore(config, state(), {});
    ASSERT_EQ(plan.items.size(), 2U);
    const auto ops = describe(plan.items[1].operations);
    EXPECT_EQ(std::count(ops.begin(), ops.end(), "write wait/slow/stop_timeout_ms=30000"), 1);
    EXPECT_EQ(plan.warnings, (std::vector<std::string>{
                                 "$.threads[1].stop_timeout_ms: 600000 ms is more than a stop write may wait; "
                                 "wait/slow gets 30000 ('ktlab stop --timeout' waits longer by polling)"}));
    RecordingMutator recorder;
    EXPECT_EQ(execute_restore(plan, recorder, false).warnings, plan.warnings);
}

TEST_F(RestoreTest, OnlyOneshotIsRecreatedAsExited)
{
    LabConfig config;
    config.threads = {thread("oneshot", "o", "exited"), thread("busy", "released", "exited")};
    const auto plan = plan_restore(config, state(), {});
    ASSERT_EQ(plan.items.size(), 1U);
    EXPECT_EQ(plan.items[0].id, "oneshot/o");
    ASSERT_EQ(plan.skipped.size(), 1U);
    EXPECT_EQ(plan.skipped[0].id, "busy/released");
}

TEST_F(RestoreTest, StopsAtMaxThreads)
{
    fake.set_file("max_threads", "2\n");
    LabConfig config;
    config.threads = {thread("wait", "a", "created"), thread("wait", "b", "created"), thread("wait", "c", "created")};
    const auto plan = plan_restore(config, state(), {});
    EXPECT_EQ(plan.items.size(), 2U);
    ASSERT_EQ(plan.skipped.size(), 1U);
    EXPECT_EQ(plan.skipped[0].reason, "it would exceed max_threads=2");
}

TEST_F(RestoreTest, ExecutesInPlanOrder)
{
    LabConfig config;
    config.threads = {thread("oneshot", "o", "running")};
    const auto plan = plan_restore(config, state(), {});
    RecordingMutator recorder;
    const auto report = execute_restore(plan, recorder, false);
    EXPECT_TRUE(report.complete());
    EXPECT_EQ(report.restored, (std::vector<std::string>{"oneshot/o"}));
    ASSERT_GE(recorder.log.size(), 4U);
    EXPECT_EQ(recorder.log.front(), "write oneshot/autostart=0");
    EXPECT_EQ(recorder.log[1], "mkdir oneshot/o");
    EXPECT_EQ(recorder.log[recorder.log.size() - 2], "write oneshot/o/start=1");
    EXPECT_EQ(recorder.log.back(), "write oneshot/autostart=1");
}

TEST_F(RestoreTest, FailedItemIsRemovedAgainAndOthersContinue)
{
    LabConfig config;
    auto bad = thread("busy", "bad", "running");
    bad.nice = 99;
    config.threads = {bad, thread("busy", "good", "running")};
    const auto plan = plan_restore(config, state(), {});
    RecordingMutator recorder;
    recorder.fail_on["write busy/bad/nice=99"] = ERANGE;
    const auto report = execute_restore(plan, recorder, false);
    EXPECT_FALSE(report.complete());
    EXPECT_EQ(report.restored, (std::vector<std::string>{"busy/good"}));
    ASSERT_EQ(report.failed.size(), 1U);
    EXPECT_EQ(report.failed[0].id, "busy/bad");
    EXPECT_EQ(report.failed[0].reason, "write busy/bad/nice=99 failed: ERANGE (Numerical result out of range)");
    const auto removed = std::find(recorder.log.begin(), recorder.log.end(), "rmdir busy/bad");
    ASSERT_NE(removed, recorder.log.end());
    EXPECT_EQ(*std::next(removed), "mkdir busy/good");
    EXPECT_EQ(recorder.log.back(), "write busy/autostart=1");
}

TEST_F(RestoreTest, AbortOnErrorStopsButStillRestoresAutostart)
{
    LabConfig config;
    config.threads = {thread("busy", "a", "running"), thread("busy", "b", "running")};
    const auto plan = plan_restore(config, state(), {});
    RecordingMutator recorder;
    recorder.fail_on["mkdir busy/a"] = ENOSPC;
    const auto report = execute_restore(plan, recorder, true);
    EXPECT_TRUE(report.aborted);
    EXPECT_TRUE(report.restored.empty());
    ASSERT_EQ(report.skipped.size(), 1U);
    EXPECT_EQ(report.skipped[0].id, "busy/b");
    EXPECT_EQ(std::count(recorder.log.begin(), recorder.log.end(), "rmdir busy/a"), 0);  // mkdir never succeeded
    EXPECT_EQ(std::count(recorder.log.begin(), recorder.log.end(), "mkdir busy/b"), 0);
    EXPECT_EQ(recorder.log.back(), "write busy/autostart=1");
}

TEST_F(RestoreTest, FailedPreparationThrowsAfterRestoringAutostart)
{
    fake.add_item("busy", "old", {});
    LabConfig config;
    config.threads = {thread("busy", "a", "running")};
    const auto plan = plan_restore(config, state(), {.clear_existing = true});
    RecordingMutator recorder;
    recorder.fail_on["rmdir busy/old"] = EBUSY;
    EXPECT_THROW((void)execute_restore(plan, recorder, false), FsError);
    EXPECT_EQ(recorder.log, (std::vector<std::string>{"rmdir busy/old", "write busy/autostart=1"}));
}

TEST_F(RestoreTest, PlanAndReportAsJson)
{
    LabConfig config;
    config.threads = {thread("wait", "w", "created"), thread("wait", "s", "stopped")};
    const auto plan = plan_restore(config, state(), {});
    const auto json = plan_to_json(plan);
    EXPECT_EQ(json["items"][0]["id"], "wait/w");
    EXPECT_EQ(json["items"][0]["operations"][0], "mkdir wait/w");
    EXPECT_EQ(json["skipped"][0]["id"], "wait/s");
    RecordingMutator recorder;
    recorder.fail_on["mkdir wait/w"] = EEXIST;
    const auto report = report_to_json(execute_restore(plan, recorder, false));
    EXPECT_EQ(report["failed"][0]["errno"], "EEXIST");
    EXPECT_EQ(report["complete"], false);
}

TEST(CpuList, ParsesRangesAndLists)
{
    EXPECT_EQ(parse_cpu_list("0-3,5\n"), (std::set<long long>{0, 1, 2, 3, 5}));
    EXPECT_EQ(parse_cpu_list("0"), (std::set<long long>{0}));
    EXPECT_EQ(parse_cpu_list("3-1"), std::nullopt);
    EXPECT_EQ(parse_cpu_list("a"), std::nullopt);
}

}  // namespace
}  // namespace ktlab
