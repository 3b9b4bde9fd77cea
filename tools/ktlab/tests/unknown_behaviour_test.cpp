// A behaviour ktlab has never heard of, with parameters it has never heard of:
// ls, show, save and restore learn them from the kernel.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config.hpp"
#include "errors.hpp"
#include "fake_lab.hpp"
#include "lab_fs.hpp"
#include "restore.hpp"

namespace ktlab {
namespace {

using testing::FakeBehaviour;
using testing::FakeKernel;
using testing::FakeLab;
using testing::run_ktlab;

constexpr std::string_view features = "busy wait periodic oneshot teleport park bind stop_timeout snapshot";

// teleport: two parameters, and a read-only value appended to the snapshot as a
// later module might ("new keys are only ever appended").
void make_module_with_teleport(FakeLab& lab)
{
    lab.make_module(features);
    lab.add_behaviour("teleport", FakeBehaviour{{{"warp", "1"}, {"destination", "earth"}}, {{"jumps", "0"}}});
}

std::string whole_file(const std::filesystem::path& file)
{
    std::ifstream in{file};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

class UnknownBehaviourTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        make_module_with_teleport(fake);
        kernel.make_dir("teleport/t");
        kernel.write("teleport/t/warp", "9");
        kernel.write("teleport/t/destination", "mars");
        kernel.write("teleport/t/jumps", "3");  // the module counting, not configuration
        fake.write_snapshot();
    }

    FakeLab fake;
    FakeKernel kernel{fake};
};

TEST_F(UnknownBehaviourTest, LsAndShowListItWithItsParametersInTheKernelsOrder)
{
    const auto ls = run_ktlab(fake.root(), {"ls"});
    ASSERT_EQ(ls.status, 0) << ls.err;
    EXPECT_NE(ls.out.find("\nt     teleport   running"), std::string::npos) << ls.out;
    const auto json = nlohmann::json::parse(run_ktlab(fake.root(), {"ls", "--json"}).out);
    EXPECT_EQ(json["threads"][0]["warp"], 9);
    EXPECT_EQ(json["threads"][0]["destination"], "mars");
    const auto show = run_ktlab(fake.root(), {"show", "t"});
    ASSERT_EQ(show.status, 0) << show.err;
    const auto park = show.out.find("\npark ");
    const auto warp = show.out.find("\nwarp ");
    const auto destination = show.out.find("\ndestination ");
    const auto jumps = show.out.find("\njumps ");
    ASSERT_NE(jumps, std::string::npos) << show.out;
    EXPECT_LT(park, warp);
    EXPECT_LT(warp, destination);  // the kernel's order, not the alphabet's
    EXPECT_LT(destination, jumps);
}

TEST_F(UnknownBehaviourTest, SaveKeepsItsParametersButNotWhatTheKernelOnlyReports)
{
    const auto file = fake.scratch() / "lab.json";
    const auto saved = run_ktlab(fake.root(), {"save", file.string()});
    ASSERT_EQ(saved.status, 0) << saved.err;
    const auto json = nlohmann::json::parse(whole_file(file));
    ASSERT_EQ(json["threads"].size(), 1U);
    EXPECT_EQ(json["threads"][0]["behaviour"], "teleport");
    EXPECT_EQ(json["threads"][0]["params"], nlohmann::json::parse(R"({"destination": "mars", "warp": 9})"));
}

TEST_F(UnknownBehaviourTest, SaveThenRestoreIntoAnEmptyLabRoundTrips)
{
    const auto first = fake.scratch() / "first.json";
    ASSERT_EQ(run_ktlab(fake.root(), {"save", first.string()}).status, 0);

    FakeLab empty;
    make_module_with_teleport(empty);
    const auto config = parse_config(whole_file(first));
    const auto plan = plan_restore(config, read_lab_state(LabFs{empty.root()}), {});
    ASSERT_EQ(plan.items.size(), 1U);
    std::vector<std::string> ops;
    for (const auto& op : plan.items[0].operations) {
        ops.push_back(op.describe());
    }
    EXPECT_EQ(ops, (std::vector<std::string>{"mkdir teleport/t", "write teleport/t/nice=0", "write teleport/t/retval=0",
                                             "write teleport/t/stop_timeout_ms=5000",
                                             "write teleport/t/destination=mars", "write teleport/t/warp=9",
                                             "write teleport/t/start=1"}));
    FakeKernel restorer{empty};
    EXPECT_TRUE(execute_restore(plan, restorer, false).complete());
    empty.write_snapshot();

    const auto second = empty.scratch() / "second.json";
    ASSERT_EQ(run_ktlab(empty.root(), {"save", second.string()}).status, 0);
    EXPECT_EQ(whole_file(second), whole_file(first));
}

TEST_F(UnknownBehaviourTest, ARestoredParameterItsItemsLackIsSkippedWhenTheLabShowsThem)
{
    LabConfig config;
    config.threads = {{"teleport", "u", "running", std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                       {{"colour", "red"}}}};
    // teleport/t is there to look at (and would be cleared first).
    const auto plan = plan_restore(config, read_lab_state(LabFs{fake.root()}), {.clear_existing = true});
    ASSERT_EQ(plan.skipped.size(), 1U);
    EXPECT_EQ(plan.skipped[0].reason, "unknown parameter 'colour' for behaviour teleport");
}

TEST_F(UnknownBehaviourTest, ARestoredParameterTheKernelLacksFailsOnlyThatThread)
{
    FakeLab empty;
    make_module_with_teleport(empty);
    LabConfig config;
    config.threads = {{"teleport", "u", "running", std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                       {{"colour", "red"}}},
                      {"teleport", "v", "running", std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                       {{"warp", "2"}}}};
    const auto plan = plan_restore(config, read_lab_state(LabFs{empty.root()}), {});
    ASSERT_EQ(plan.items.size(), 2U);  // nothing to look at: the kernel will tell
    FakeKernel restorer{empty};
    const auto report = execute_restore(plan, restorer, false);
    EXPECT_EQ(report.restored, (std::vector<std::string>{"teleport/v"}));
    ASSERT_EQ(report.failed.size(), 1U);
    EXPECT_EQ(report.failed[0].reason, "write teleport/u/colour=red failed: ENOENT (No such file or directory): "
                                       "this module's teleport threads have no attribute 'colour'");
    EXPECT_FALSE(std::filesystem::exists(empty.root() / "teleport/u"));
    EXPECT_EQ(empty.read("teleport/v/warp"), "2\n");
}

}  // namespace
}  // namespace ktlab
