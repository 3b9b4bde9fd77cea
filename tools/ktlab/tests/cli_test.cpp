// The whole command line against a fake configfs tree: exit codes, JSON, messages.
#include "cli.hpp"

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "fake_lab.hpp"

namespace ktlab {
namespace {

using testing::FakeLab;

using Result = testing::CliResult;

class CliTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        fake.make_module();
        fake.add_item("busy", "spin", {{"state", "running"}, {"nice", "0"}, {"stop_timeout_ms", "5000"}});
        fake.set_file("snapshot",
                      "# kthread_lab snapshot v1 items=1\n"
                      "busy/spin behaviour=busy state=running pid=5 cpu=-1 nice=0 ran=1 loops=9 retval=0 "
                      "stop_timeout_ms=5000 stop_result=none stop_latency_ns=none parked=0 honor_stop=1 resched=1\n");
    }

    [[nodiscard]] Result run(std::vector<std::string> args) const
    {
        return testing::run_ktlab(fake.root(), std::move(args));
    }

    FakeLab fake;
};

TEST_F(CliTest, LsJsonComesFromTheSnapshot)
{
    const auto result = run({"ls", "--json"});
    ASSERT_EQ(result.status, 0) << result.err;
    const auto json = nlohmann::json::parse(result.out);
    ASSERT_EQ(json["threads"].size(), 1U);
    EXPECT_EQ(json["threads"][0]["id"], "busy/spin");
    EXPECT_EQ(json["threads"][0]["loops"], 9);
    EXPECT_TRUE(json["threads"][0]["stop_result"].is_null());
}

TEST_F(CliTest, StatusIsLs)
{
    const auto result = run({"status"});
    EXPECT_EQ(result.status, 0);
    EXPECT_NE(result.out.find("spin  busy"), std::string::npos);
}

TEST_F(CliTest, StatusOfANamedThreadIsItsRowOnly)
{
    fake.add_item("wait", "w", {});
    fake.set_file("snapshot",
                  "# kthread_lab snapshot v1 items=2\n"
                  "busy/spin behaviour=busy state=running pid=5 cpu=-1 nice=0 ran=1 loops=9 retval=0 "
                  "stop_timeout_ms=5000 stop_result=none stop_latency_ns=none parked=0 honor_stop=1 resched=1\n"
                  "wait/w behaviour=wait state=created pid=6 cpu=-1 nice=0 ran=0 loops=0 retval=0 "
                  "stop_timeout_ms=5000 stop_result=none stop_latency_ns=none parked=0 job_ms=0 wait_mode=sleep\n");
    const auto status = run({"status", "spin"});
    ASSERT_EQ(status.status, 0) << status.err;
    EXPECT_EQ(status.out, "NAME  BEHAVIOUR  STATE    PID  CPU  RAN  LOOPS  STOP_RESULT  STOP_LATENCY\n"
                          "spin  busy       running    5   -1    1      9            -             -\n");
    const auto json = nlohmann::json::parse(run({"ls", "wait/w", "--json"}).out);
    ASSERT_EQ(json["threads"].size(), 1U);
    EXPECT_EQ(json["threads"][0]["id"], "wait/w");
    EXPECT_EQ(run({"status"}).out.find("\nw "), run({"ls"}).out.find("\nw "));  // no name: every thread
    const auto ghost = run({"status", "ghost"});
    EXPECT_EQ(ghost.status, static_cast<int>(ExitCode::no_such_thread));
    EXPECT_EQ(ghost.err, "ktlab: no such thread: ghost\n");
}

TEST_F(CliTest, WatchIntervalIsInSecondsWithFractions)
{
    const auto half = run({"watch", "-n", "0.01", "--count", "1"});
    ASSERT_EQ(half.status, 0) << half.err;
    EXPECT_NE(half.out.find(", every 0.01 s"), std::string::npos) << half.out;
    EXPECT_EQ(run({"watch", "-n", "1e-2", "--count", "1"}).status, 0);
    for (const char* refused : {"0.001", "3601", "0", "-1", "nan", "inf", "0x10", "1s", ""}) {
        const auto result = run({"watch", "--interval", refused, "--count", "1"});
        EXPECT_EQ(result.status, static_cast<int>(ExitCode::usage)) << refused;
        EXPECT_NE(result.err.find(fmt::format("'{}' is not a number of seconds from 0.01 to 3600", refused)),
                  std::string::npos)
            << result.err;
    }
    const auto help = run({"watch", "--help"});
    EXPECT_NE(help.out.find("-n,--interval"), std::string::npos);
    EXPECT_NE(help.out.find("Seconds between refreshes, fractions allowed (-n 0.5)"), std::string::npos);
}

TEST_F(CliTest, MissingLabIsExitTwo)
{
    const auto result = run({"--root", (fake.scratch() / "absent").string(), "ls"});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::no_lab));
    EXPECT_NE(result.err.find("module is not loaded"), std::string::npos);
}

TEST_F(CliTest, UnknownThreadIsExitThreeWithJsonError)
{
    const auto result = run({"show", "ghost", "--json"});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::no_such_thread));
    EXPECT_TRUE(result.out.empty());
    const auto json = nlohmann::json::parse(result.err);
    EXPECT_EQ(json["error"]["kind"], "no_such_thread");
    EXPECT_EQ(json["error"]["exit_code"], 3);
    EXPECT_EQ(json["error"]["message"], "no such thread: ghost");
}

TEST_F(CliTest, UsageErrorsAreExitOne)
{
    EXPECT_EQ(run({}).status, 1);
    EXPECT_EQ(run({"frobnicate"}).status, 1);
    EXPECT_EQ(run({"show"}).status, 1);
    EXPECT_EQ(run({"rm"}).status, 1);
    EXPECT_EQ(run({"rm", "spin", "--all"}).status, 1);
    EXPECT_EQ(run({"stop", "spin", "--timeout", "0"}).status, 1);
    const auto json = run({"--json", "show"});
    EXPECT_EQ(json.status, 1);
    EXPECT_EQ(nlohmann::json::parse(json.err)["error"]["kind"], "usage");
}

TEST_F(CliTest, HelpIsExitZero)
{
    const auto result = run({"stop", "--help"});
    EXPECT_EQ(result.status, 0);
    EXPECT_NE(result.out.find("--timeout"), std::string::npos);
}

TEST_F(CliTest, SetWritesAttributesInOrder)
{
    const auto result = run({"set", "spin", "nice=5", "stop_timeout_ms=100"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(fake.read("busy/spin/nice"), "5\n");
    EXPECT_EQ(fake.read("busy/spin/stop_timeout_ms"), "100\n");
}

TEST_F(CliTest, SetUnknownAttributeChangesNothing)
{
    const auto result = run({"set", "busy/spin", "nice=7", "warp=9"});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::usage));
    EXPECT_NE(result.err.find("busy/spin has no attribute 'warp'"), std::string::npos);
    EXPECT_EQ(fake.read("busy/spin/nice"), "0\n");
}

TEST_F(CliTest, SetRefusesAStopTimeoutLongerThanAStopWriteMayWaitWithoutWriting)
{
    const auto result = run({"set", "spin", "nice=3", "stop_timeout_ms=30001"});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::refused));
    EXPECT_EQ(result.err, "ktlab: stop_timeout_ms=30001 for busy/spin is more than 30000 ms, the longest a stop write "
                          "may wait (ERANGE); 'ktlab stop busy/spin --timeout 30001' waits longer by polling\n");
    EXPECT_EQ(fake.read("busy/spin/nice"), "0\n");
    EXPECT_EQ(fake.read("busy/spin/stop_timeout_ms"), "5000\n");
    EXPECT_EQ(run({"set", "spin", "stop_timeout_ms=30000"}).status, 0);
    EXPECT_EQ(fake.read("busy/spin/stop_timeout_ms"), "30000\n");
    EXPECT_EQ(run({"spawn", "wait", "w", "--set", "stop_timeout_ms=600000"}).status,
              static_cast<int>(ExitCode::refused));
    EXPECT_FALSE(std::filesystem::exists(fake.root() / "wait/w"));
}

TEST_F(CliTest, StopWithALongTimeoutWritesTheLongestStopTimeoutAWriteMayWait)
{
    const auto result = run({"stop", "spin", "--timeout", "45000"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(fake.read("busy/spin/stop_timeout_ms"), "30000\n");
    EXPECT_EQ(fake.read("busy/spin/stop"), "1\n");
    EXPECT_EQ(run({"stop", "spin", "--timeout", "600001"}).status, static_cast<int>(ExitCode::usage));
}

TEST_F(CliTest, SetRejectsMalformedPairs)
{
    EXPECT_EQ(run({"set", "spin", "nice"}).status, 1);
    EXPECT_EQ(run({"set", "spin", "=3"}).status, 1);
    EXPECT_EQ(run({"set", "spin", "../../version=3"}).status, 1);
}

TEST_F(CliTest, RmResolvesAllNamesBeforeRemovingAny)
{
    fake.add_item("wait", "w", {});
    const auto result = run({"rm", "w", "ghost"});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::no_such_thread));
    EXPECT_TRUE(std::filesystem::exists(fake.root() / "wait/w"));
}

TEST_F(CliTest, SaveWritesAValidConfigAndDryRunRefusesNonEmptyLab)
{
    const auto file = (fake.scratch() / "lab.json").string();
    const auto saved = run({"save", file});
    ASSERT_EQ(saved.status, 0) << saved.err;
    EXPECT_EQ(saved.out, "saved 1 thread(s) to " + file + "\n");
    const auto refused = run({"restore", "--dry-run", file});
    EXPECT_EQ(refused.status, static_cast<int>(ExitCode::not_empty));
    EXPECT_NE(refused.err.find("the lab is not empty"), std::string::npos);
    const auto dry = run({"restore", "--dry-run", "--clear-existing", "--json", file});
    ASSERT_EQ(dry.status, 0) << dry.err;
    const auto plan = nlohmann::json::parse(dry.out);
    EXPECT_EQ(plan["dry_run"], true);
    EXPECT_EQ(plan["prepare"][0], "rmdir busy/spin");
    EXPECT_EQ(plan["items"][0]["operations"].back(), "write busy/spin/start=1");
    EXPECT_TRUE(std::filesystem::exists(fake.root() / "busy/spin"));  // dry run changed nothing
}

TEST_F(CliTest, RestoreWarnsThatAStopTimeoutAboveTheLimitIsRestoredAsTheLimit)
{
    const auto file = fake.scratch() / "old.json";
    fake.set_file("../old.json", R"({"format": "kthread_lab-config", "version": 1, "threads": [
        {"behaviour": "wait", "name": "slow", "state": "created", "stop_timeout_ms": 600000}]})");
    const auto result = run({"restore", "--dry-run", "--clear-existing", file.string()});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.err, "ktlab: warning: $.threads[0].stop_timeout_ms: 600000 ms is more than a stop write may "
                          "wait; wait/slow gets 30000 ('ktlab stop --timeout' waits longer by polling)\n");
    EXPECT_NE(result.out.find("  write wait/slow/stop_timeout_ms=30000\n"), std::string::npos);
    const auto json = run({"restore", "--dry-run", "--clear-existing", "--json", file.string()});
    EXPECT_TRUE(json.err.empty());
    EXPECT_EQ(nlohmann::json::parse(json.out)["warnings"].size(), 1U);
}

TEST_F(CliTest, RestoreOfAnInvalidFileIsAUsageError)
{
    const auto file = fake.scratch() / "bad.json";
    fake.set_file("../bad.json", R"({"format":"kthread_lab-config","version":1,"threads":[{"name":"x"}]})");
    const auto result = run({"restore", file.string()});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::usage));
    EXPECT_NE(result.err.find("invalid save file"), std::string::npos);
    EXPECT_EQ(run({"restore", (fake.scratch() / "none.json").string()}).status, static_cast<int>(ExitCode::io));
}

TEST_F(CliTest, RestoreOfAFileWithAWrongTypeIsExitOneNamingTheJsonPath)
{
    const auto file = fake.scratch() / "typed.json";
    fake.set_file("../typed.json", R"({"format": 5, "version": 1, "threads": []})");
    const auto format = run({"restore", file.string()});
    EXPECT_EQ(format.status, static_cast<int>(ExitCode::usage));
    EXPECT_EQ(format.err, "ktlab: invalid save file " + file.string() + ": $.format: must be a string, not 5\n");
    fake.set_file("../typed.json", R"({"format": "kthread_lab-config", "version": 1, "module_version": [1],
                                       "threads": []})");
    const auto module_version = run({"restore", "--json", file.string()});
    EXPECT_EQ(module_version.status, static_cast<int>(ExitCode::usage));
    const auto error = nlohmann::json::parse(module_version.err)["error"];
    EXPECT_EQ(error["kind"], "usage");
    EXPECT_NE(error["message"].get<std::string>().find("$.module_version: must be a string, not an array"),
              std::string::npos);
}

TEST_F(CliTest, RestoreRefusesACpuOutOfRangeInsteadOfReadingItAsAnyCpu)
{
    const auto file = fake.scratch() / "cpu.json";
    fake.set_file("../cpu.json", R"({"format": "kthread_lab-config", "version": 1, "threads": [
        {"behaviour": "busy", "name": "far", "state": "running", "cpu": 18446744073709551615}]})");
    const auto result = run({"restore", "--dry-run", "--clear-existing", file.string()});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::usage));
    EXPECT_NE(result.err.find("$.threads[0].cpu: must be an integer from -1 to 2147483647, not 18446744073709551615"),
              std::string::npos)
        << result.err;
    EXPECT_TRUE(result.out.empty());
}

TEST_F(CliTest, JsonErrorsSurviveNamesThatAreNotUtf8)
{
    const auto result = run({"show", "\xff\xfe", "--json"});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::no_such_thread));
    const auto error = nlohmann::json::parse(result.err)["error"];
    EXPECT_EQ(error["kind"], "no_such_thread");
}

TEST(RunGuarded, AnExceptionThatEscapesACommandIsReportedWithTheIoExitCode)
{
    ::testing::internal::CaptureStderr();
    const int status = run_guarded(false, []() -> int { throw std::logic_error("boom"); });
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "ktlab: unexpected error: boom\n");
    EXPECT_EQ(status, static_cast<int>(ExitCode::io));
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(run_guarded(true, []() -> int { throw 42; }), static_cast<int>(ExitCode::io));
    const auto error = nlohmann::json::parse(::testing::internal::GetCapturedStderr())["error"];
    EXPECT_EQ(error["kind"], "io");
    EXPECT_EQ(error["exit_code"], 9);
    EXPECT_EQ(run_guarded(false, [] { return 8; }), 8);
}

TEST_F(CliTest, WatchPrintsCountRefreshesWhenNotATerminal)
{
    const auto result = run({"watch", "--count", "2", "--interval", "0.01"});
    ASSERT_EQ(result.status, 0) << result.err;
    std::size_t titles = 0;
    for (auto at = result.out.find("ktlab watch"); at != std::string::npos; at = result.out.find("ktlab watch", at + 1)) {
        ++titles;
    }
    EXPECT_EQ(titles, 2U);
    EXPECT_NE(result.out.find("LOOPS/S"), std::string::npos);
}

TEST_F(CliTest, WatchJsonIsOneObjectPerLine)
{
    const auto result = run({"watch", "--count", "2", "--interval", "0.01", "--json"});
    ASSERT_EQ(result.status, 0) << result.err;
    const auto newline = result.out.find('\n');
    const auto second = nlohmann::json::parse(result.out.substr(newline + 1));
    EXPECT_EQ(second["threads"][0]["loops_per_s"], 0.0);
}

TEST_F(CliTest, FeaturesAndVersion)
{
    const auto features = nlohmann::json::parse(run({"features", "--json"}).out);
    EXPECT_EQ(features["features"].size(), 7U);
    const auto version = run({"version"});
    EXPECT_EQ(version.status, 0);
    EXPECT_NE(version.out.find("kthread_lab module 1.0.0"), std::string::npos);
}

TEST_F(CliTest, VersionWithoutModuleStillNamesTheTool)
{
    const auto result = run({"--root", (fake.scratch() / "absent").string(), "version"});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::no_lab));
    EXPECT_NE(result.out.find("ktlab "), std::string::npos);
    EXPECT_NE(result.out.find("not loaded"), std::string::npos);
}

TEST_F(CliTest, SpawnOfUnknownBehaviourListsTheGroups)
{
    const auto result = run({"spawn", "lazy", "x"});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::usage));
    EXPECT_NE(result.err.find("no behaviour 'lazy' (available: busy, oneshot, periodic, wait)"), std::string::npos);
}

TEST_F(CliTest, KtlabRootEnvironmentSelectsTheLab)
{
    ::setenv("KTLAB_ROOT", fake.root().c_str(), 1);
    std::vector<const char*> argv{"ktlab", "ls", "--json"};
    ::testing::internal::CaptureStdout();
    const int status = run_cli(static_cast<int>(argv.size()), argv.data());
    const auto out = ::testing::internal::GetCapturedStdout();
    ::unsetenv("KTLAB_ROOT");
    EXPECT_EQ(status, 0);
    EXPECT_EQ(nlohmann::json::parse(out)["threads"].size(), 1U);
}

}  // namespace
}  // namespace ktlab
