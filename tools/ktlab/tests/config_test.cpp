#include "config.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ktlab {
namespace {

LabConfig sample_config()
{
    LabConfig config;
    config.module_version = "1.0.0";
    config.groups = {{"busy", 1}, {"wait", 0}};
    config.threads = {
        {"busy", "spin", "running", -1, 0, 0, 5000, {{"honor_stop", "0"}, {"resched", "1"}}},
        {"periodic", "tick", "parked", 1, -5, 7, 100, {{"period_us", "1000"}, {"sleep_mode", "hrtimer"}}},
        {"oneshot", "once", "created", std::nullopt, std::nullopt, 42, std::nullopt, {}},
    };
    return config;
}

TEST(ConfigJson, RoundTripsThroughText)
{
    const auto config = sample_config();
    const auto text = config_to_json(config).dump(2);
    EXPECT_EQ(parse_config(text), config);
}

TEST(ConfigJson, NumbersAreSavedAsNumbersAndModesAsStrings)
{
    const auto json = config_to_json(sample_config());
    EXPECT_EQ(json["format"], "kthread_lab-config");
    EXPECT_EQ(json["version"], 1);
    EXPECT_EQ(json["threads"][1]["params"]["period_us"], 1000);
    EXPECT_EQ(json["threads"][1]["params"]["sleep_mode"], "hrtimer");
    EXPECT_EQ(json["threads"][1]["nice"], -5);
    EXPECT_FALSE(json["threads"][2].contains("cpu"));
}

TEST(ConfigJson, SavedFromSnapshotRecord)
{
    const ThreadRecord record{"busy", "b",
                              {{"behaviour", "busy"}, {"state", "running"}, {"pid", "9"}, {"cpu", "2"},
                               {"nice", "3"}, {"loops", "77"}, {"retval", "0"}, {"stop_timeout_ms", "250"},
                               {"stop_result", "none"}, {"parked", "1"}, {"honor_stop", "1"}, {"resched", "0"}}};
    const auto saved = saved_thread_from(record);
    EXPECT_EQ(saved.state, "parked");
    EXPECT_EQ(saved.cpu, 2);
    EXPECT_EQ(saved.nice, 3);
    EXPECT_EQ(saved.stop_timeout_ms, 250);
    EXPECT_EQ(saved.params, (std::map<std::string, std::string>{{"honor_stop", "1"}, {"resched", "0"}}));
}

TEST(ConfigJson, RejectsFilesThatAreNotSaves)
{
    EXPECT_THROW((void)parse_config("not json"), ConfigError);
    EXPECT_THROW((void)parse_config("[]"), ConfigError);
    EXPECT_THROW((void)parse_config(R"({"format":"other","version":1,"threads":[]})"), ConfigError);
    EXPECT_THROW((void)parse_config(R"({"format":"kthread_lab-config","version":2,"threads":[]})"), ConfigError);
    EXPECT_THROW((void)parse_config(R"({"format":"kthread_lab-config","version":1})"), ConfigError);
}

TEST(ConfigJson, ErrorNamesTheBadField)
{
    try {
        (void)parse_config(R"({"format":"kthread_lab-config","version":1,"threads":[
            {"behaviour":"busy","name":"a","state":"running"},
            {"behaviour":"busy","name":"b","state":"running","cpu":"two"}]})");
        FAIL() << "no exception";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string{error.what()},
                  R"($.threads[1].cpu: must be an integer from -1 to 2147483647, not a string ("two"))");
    }
}

TEST(ConfigJson, RejectsNamesThatEscapeTheLab)
{
    for (const auto* name : {R"("../x")", R"(".")", R"("")", R"("a/b")"}) {
        const std::string text = std::string{R"({"format":"kthread_lab-config","version":1,"threads":[{"behaviour":"busy","name":)"} +
                                 name + R"(,"state":"running"}]})";
        EXPECT_THROW((void)parse_config(text), ConfigError) << name;
    }
    EXPECT_THROW((void)parse_config(R"({"format":"kthread_lab-config","version":1,"threads":[
        {"behaviour":"busy","name":"a","state":"running","params":{"../stop":1}}]})"),
                 ConfigError);
}

TEST(ConfigJson, MissingOptionalFieldsStayUnset)
{
    const auto config = parse_config(R"({"format":"kthread_lab-config","version":1,"threads":[
        {"behaviour":"oneshot","name":"o","state":"created"}]})");
    ASSERT_EQ(config.threads.size(), 1U);
    EXPECT_FALSE(config.threads[0].cpu.has_value());
    EXPECT_TRUE(config.threads[0].params.empty());
    EXPECT_TRUE(config.groups.empty());
}

TEST(EntryName, RejectsPathTricks)
{
    EXPECT_TRUE(valid_entry_name("worker-1"));
    EXPECT_FALSE(valid_entry_name(""));
    EXPECT_FALSE(valid_entry_name("."));
    EXPECT_FALSE(valid_entry_name(".."));
    EXPECT_FALSE(valid_entry_name("a/b"));
}

}  // namespace
}  // namespace ktlab
