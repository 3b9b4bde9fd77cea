#include "lab_reader.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "errors.hpp"
#include "fake_lab.hpp"

namespace ktlab {
namespace {

using testing::FakeLab;

class LabReaderTest : public ::testing::Test {
protected:
    void SetUp() override { fake.make_module(); }
    FakeLab fake;
    LabFs lab{fake.root()};
};

TEST_F(LabReaderTest, MissingRootMeansModuleNotLoaded)
{
    const LabFs missing{fake.scratch() / "nothing"};
    try {
        ensure_lab(missing);
        FAIL() << "no exception";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::no_lab);
        EXPECT_NE(std::string{error.what()}.find("module is not loaded"), std::string::npos);
    }
    EXPECT_NO_THROW(ensure_lab(lab));
}

TEST_F(LabReaderTest, DefaultRootWithoutConfigfsMountSaysSo)
{
    const auto mounts = fake.scratch() / "mounts";
    std::ofstream{mounts} << "proc /proc proc rw 0 0\nsysfs /sys sysfs rw 0 0\n";
    const LabFs system_lab{std::filesystem::path{default_root}};
    if (system_lab.is_dir({})) {
        GTEST_SKIP() << "kthread_lab is loaded on this machine";
    }
    try {
        ensure_lab(system_lab, mounts);
        FAIL() << "no exception";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::no_lab);
        EXPECT_NE(std::string{error.what()}.find("configfs is not mounted"), std::string::npos);
    }
    std::ofstream{mounts, std::ios::app} << "configfs /sys/kernel/config configfs rw 0 0\n";
    try {
        ensure_lab(system_lab, mounts);
        FAIL() << "no exception";
    } catch (const Error& error) {
        EXPECT_NE(std::string{error.what()}.find("module is not loaded"), std::string::npos);
    }
}

TEST_F(LabReaderTest, ListsItemsSortedAcrossGroups)
{
    fake.add_item("wait", "w", {});
    fake.add_item("busy", "b2", {});
    fake.add_item("busy", "b1", {});
    const auto items = list_items(lab);
    ASSERT_EQ(items.size(), 3U);
    EXPECT_EQ(items[0].id(), "busy/b1");
    EXPECT_EQ(items[1].id(), "busy/b2");
    EXPECT_EQ(items[2].id(), "wait/w");
    EXPECT_EQ(read_groups(lab), (std::vector<std::string>{"busy", "oneshot", "periodic", "wait"}));
}

TEST_F(LabReaderTest, ExperimentsAreNoBehaviourGroupAndHoldNoThreads)
{
    std::filesystem::create_directories(fake.root() / "experiments" / "race" / "r1");
    std::filesystem::create_directories(fake.root() / "experiments" / "spawn");
    fake.add_item("wait", "w", {});
    EXPECT_EQ(read_groups(lab), (std::vector<std::string>{"busy", "oneshot", "periodic", "wait"}));
    const auto items = list_items(lab);
    ASSERT_EQ(items.size(), 1U);
    EXPECT_EQ(items[0].id(), "wait/w");
    EXPECT_THROW((void)resolve_item(lab, "race"), Error);
}

TEST_F(LabReaderTest, ResolvesPlainAndQualifiedNames)
{
    fake.add_item("wait", "w", {});
    EXPECT_EQ(resolve_item(lab, "w").id(), "wait/w");
    EXPECT_EQ(resolve_item(lab, "wait/w").id(), "wait/w");
}

TEST_F(LabReaderTest, UnknownNameIsNoSuchThread)
{
    for (const auto* name : {"nope", "busy/nope", "nogroup/w", "wait/", "/w", "wait/w/x"}) {
        try {
            (void)resolve_item(lab, name);
            FAIL() << name;
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), ExitCode::no_such_thread) << name;
        }
    }
}

TEST_F(LabReaderTest, AmbiguousNameListsTheCandidates)
{
    fake.add_item("busy", "x", {});
    fake.add_item("wait", "x", {});
    try {
        (void)resolve_item(lab, "x");
        FAIL() << "no exception";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::no_such_thread);
        EXPECT_NE(std::string{error.what()}.find("busy/x, wait/x"), std::string::npos);
    }
}

TEST_F(LabReaderTest, ReadsThreadsFromTheSnapshotAlone)
{
    // No item directories at all: only the snapshot can have produced these.
    fake.set_file("snapshot", "# kthread_lab snapshot v1 items=2\n"
                              "wait/z behaviour=wait state=created\n"
                              "busy/a behaviour=busy state=running\n");
    const auto threads = read_threads(lab);
    ASSERT_EQ(threads.size(), 2U);
    EXPECT_EQ(threads[0].id(), "busy/a");
    EXPECT_EQ(threads[1].id(), "wait/z");
}

TEST_F(LabReaderTest, MissingSnapshotIsAnErrorNotAnEmptyLab)
{
    fake.add_item("busy", "b", {{"state", "running"}});
    try {
        (void)read_threads(lab);
        FAIL() << "no exception";
    } catch (const FsError& error) {
        EXPECT_EQ(error.sys_errno(), ENOENT);
    }
}

TEST_F(LabReaderTest, BadSnapshotIsAnErrorNotAFallback)
{
    fake.set_file("snapshot", "garbage\n");
    EXPECT_THROW((void)read_threads(lab), SnapshotError);
}

TEST_F(LabReaderTest, ShowReadsEveryReadableAttributeOnly)
{
    fake.add_item("periodic", "p", {{"state", "running"}, {"lateness_hist", "0 1\n10 2"}});
    const auto record = read_item_attributes(lab, {"periodic", "p"});
    EXPECT_EQ(record.get("state"), "running");
    EXPECT_EQ(record.get("lateness_hist"), "0 1\n10 2");
    EXPECT_EQ(record.get("start"), std::nullopt);  // write-only
    EXPECT_EQ(record.get("stop"), std::nullopt);
}

TEST_F(LabReaderTest, ShowListsAttributesInSnapshotOrderThenByName)
{
    fake.add_item("wait", "w", {{"zeta", "1"}, {"wait_mode", "sleep"}, {"state", "created"}, {"park", "0"},
                                {"alpha", "2"}, {"job_ms", "0"}, {"pid", "3"}});
    // The parameters' order comes from the item's snapshot line.
    fake.set_file("snapshot", "# kthread_lab snapshot v1 items=1\n"
                              "wait/w behaviour=wait state=created pid=3 cpu=-1 nice=0 ran=0 loops=0 retval=0 "
                              "stop_timeout_ms=5000 stop_result=none stop_latency_ns=none parked=0 job_ms=0 "
                              "wait_mode=sleep\n");
    const auto record = read_item_attributes(lab, {"wait", "w"});
    std::vector<std::string> keys;
    for (const auto& [key, value] : record.attrs) {
        keys.push_back(key);
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"behaviour", "state", "pid", "park", "job_ms", "wait_mode", "alpha",
                                              "zeta"}));
}

TEST_F(LabReaderTest, FeaturesAreWords)
{
    fake.set_file("features", "busy  wait\npark\n");
    EXPECT_EQ(read_features(lab), (std::set<std::string>{"busy", "park", "wait"}));
}

TEST(LabFs, WriteAppendsNewlineLikeEcho)
{
    FakeLab fake;
    fake.make_module();
    LabFs lab{fake.root()};
    lab.write("max_threads", "10");
    EXPECT_EQ(fake.read("max_threads"), "10\n");
    EXPECT_EQ(lab.read_value("max_threads"), "10");
    EXPECT_EQ(lab.try_read_value("absent"), std::nullopt);
}

TEST(LabFs, ErrorsCarryErrno)
{
    FakeLab fake;
    fake.make_module();
    LabFs lab{fake.root()};
    try {
        lab.write("absent", "1");
        FAIL() << "no exception";
    } catch (const FsError& error) {
        EXPECT_EQ(error.sys_errno(), ENOENT);
        EXPECT_NE(std::string{error.what()}.find("ENOENT"), std::string::npos);
    }
    lab.make_dir("busy/x");
    EXPECT_TRUE(lab.is_dir("busy/x"));
    try {
        lab.make_dir("busy/x");
        FAIL() << "no exception";
    } catch (const FsError& error) {
        EXPECT_EQ(error.sys_errno(), EEXIST);
    }
    lab.remove_dir("busy/x");
    EXPECT_FALSE(lab.exists("busy/x"));
}

TEST(SaveFile, ReplacesAtomicallyAndLeavesNoTemporary)
{
    FakeLab fake;
    const auto file = fake.scratch() / "lab.json";
    std::ofstream{file} << "old";
    save_file_atomically(file, "new content\n");
    EXPECT_EQ(read_whole_file(file), "new content\n");
    std::size_t entries = 0;
    for (const auto& entry : std::filesystem::directory_iterator{fake.scratch()}) {
        (void)entry;
        ++entries;
    }
    EXPECT_EQ(entries, 1U);
    const auto perms = std::filesystem::status(file).permissions();
    EXPECT_NE(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
}

TEST(SaveFile, FailedRenameLeavesNoTemporary)
{
    FakeLab fake;
    // rename(2) cannot replace a directory with a file.
    const auto target = fake.scratch() / "taken";
    std::filesystem::create_directories(target);
    EXPECT_THROW(save_file_atomically(target, "new"), FsError);
    EXPECT_TRUE(std::filesystem::is_directory(target));
    std::size_t entries = 0;
    for (const auto& entry : std::filesystem::directory_iterator{fake.scratch()}) {
        (void)entry;
        ++entries;
    }
    EXPECT_EQ(entries, 1U);
}

}  // namespace
}  // namespace ktlab
