#include "fake_lab.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli.hpp"
#include "errors.hpp"

namespace ktlab::testing {

namespace {

// What the module's mkdir gives every item, in snapshot order; `parked` is the `park` file.
const Attrs common_defaults{
    {"state", "created"},      {"pid", "100"},          {"cpu", "-1"},
    {"nice", "0"},             {"ran", "0"},            {"loops", "0"},
    {"retval", "0"},           {"stop_timeout_ms", "5000"}, {"stop_result", "none"},
    {"stop_latency_ns", "none"}, {"park", "0"},
};
const std::vector<std::string> read_only_common{"behaviour", "state", "pid", "ran", "loops", "stop_result",
                                                "stop_latency_ns"};

std::string first_line(const std::filesystem::path& file)
{
    std::ifstream in{file};
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

FakeLab::FakeLab()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "ktlab-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    scratch_ = pattern;
    root_ = scratch_ / "kthread_lab";
}

FakeLab::~FakeLab()
{
    std::error_code ignored;
    std::filesystem::permissions(scratch_, std::filesystem::perms::owner_all, ignored);
    std::filesystem::remove_all(scratch_, ignored);
}

void FakeLab::make_module(std::string_view features)
{
    std::filesystem::create_directories(root_);
    set_file("version", "1.0.0\n");
    set_file("features", std::string{features} + "\n");
    set_file("max_threads", "4096\n");
    add_behaviour("busy", {{{"honor_stop", "1"}, {"resched", "1"}}, {}});
    add_behaviour("wait", {{{"job_ms", "0"}, {"wait_mode", "sleep"}}, {}});
    add_behaviour("periodic", {{{"period_us", "1000"}, {"sleep_mode", "msleep"}}, {}});
    add_behaviour("oneshot", {});
}

void FakeLab::add_behaviour(const std::string& name, FakeBehaviour behaviour)
{
    std::filesystem::create_directories(root_ / name);
    set_file(std::filesystem::path{name} / "autostart", "1\n");
    behaviours_[name] = std::move(behaviour);
}

void FakeLab::set_file(const std::filesystem::path& rel, std::string_view content, bool readable) const
{
    const auto path = root_ / rel;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream{path} << content;
    if (!readable) {
        std::filesystem::permissions(path, std::filesystem::perms::owner_write);
    }
}

void FakeLab::set_read_only(const std::filesystem::path& rel) const
{
    using std::filesystem::perms;
    std::filesystem::permissions(root_ / rel, perms::owner_read | perms::group_read | perms::others_read);
}

void FakeLab::add_item(std::string_view behaviour, std::string_view name, const Attrs& attrs) const
{
    const auto item = std::filesystem::path{behaviour} / name;
    std::filesystem::create_directories(root_ / item);
    set_file(item / "behaviour", std::string{behaviour} + "\n");
    for (const auto& [key, value] : attrs) {
        set_file(item / key, value + "\n");
    }
    set_file(item / "start", "", false);
    set_file(item / "stop", "", false);
}

void FakeLab::spawn_item(const std::string& behaviour, const std::string& name) const
{
    const auto& kind = behaviours_.at(behaviour);
    Attrs attrs = common_defaults;
    attrs.insert(attrs.end(), kind.params.begin(), kind.params.end());
    attrs.insert(attrs.end(), kind.read_only.begin(), kind.read_only.end());
    add_item(behaviour, name, attrs);
    const auto item = std::filesystem::path{behaviour} / name;
    if (first_line(root_ / behaviour / "autostart") == "1") {
        set_file(item / "state", "running\n");
    }
    for (const auto& file : read_only_common) {
        set_read_only(item / file);
    }
    for (const auto& [key, value] : kind.read_only) {
        set_read_only(item / key);
    }
}

void FakeLab::write_snapshot() const
{
    std::vector<std::string> lines;
    for (const auto& [behaviour, kind] : behaviours_) {
        if (!std::filesystem::is_directory(root_ / behaviour)) {
            continue;
        }
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator{root_ / behaviour}) {
            if (entry.is_directory()) {
                names.push_back(entry.path().filename().string());
            }
        }
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            const auto item = root_ / behaviour / name;
            std::string line = fmt::format("{}/{} behaviour={}", behaviour, name, behaviour);
            for (const auto& [key, value] : common_defaults) {
                line += fmt::format(" {}={}", key == "park" ? "parked" : key, first_line(item / key));
            }
            for (const auto* extra : {&kind.params, &kind.read_only}) {
                for (const auto& [key, value] : *extra) {
                    line += fmt::format(" {}={}", key, first_line(item / key));
                }
            }
            lines.push_back(line);
        }
    }
    std::string text = "# kthread_lab snapshot v1 items=" + std::to_string(lines.size()) + "\n";
    for (const auto& line : lines) {
        text += line + "\n";
    }
    set_file("snapshot", text);
}

std::string FakeLab::read(const std::filesystem::path& rel) const
{
    std::ifstream in{root_ / rel};
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

void RecordingMutator::record(const Operation& op)
{
    const std::string text = op.describe();
    log.push_back(text);
    if (const auto failure = fail_on.find(text); failure != fail_on.end()) {
        throw FsError("fake", op.path.string(), failure->second);
    }
}

void RecordingMutator::make_dir(const std::filesystem::path& rel)
{
    record({Operation::Kind::make_dir, rel, {}});
}

void RecordingMutator::remove_dir(const std::filesystem::path& rel)
{
    record({Operation::Kind::remove_dir, rel, {}});
}

void RecordingMutator::write(const std::filesystem::path& rel, std::string_view value)
{
    record({Operation::Kind::write, rel, std::string{value}});
}

void FakeKernel::make_dir(const std::filesystem::path& rel)
{
    if (std::filesystem::exists(lab_.root() / rel)) {
        throw FsError("mkdir", rel.string(), EEXIST);
    }
    lab_.spawn_item(rel.parent_path().string(), rel.filename().string());
}

void FakeKernel::remove_dir(const std::filesystem::path& rel)
{
    if (std::filesystem::remove_all(lab_.root() / rel) == 0) {
        throw FsError("rmdir", rel.string(), ENOENT);
    }
}

void FakeKernel::write(const std::filesystem::path& rel, std::string_view value)
{
    if (!std::filesystem::exists(lab_.root() / rel)) {
        throw FsError("open", rel.string(), ENOENT);
    }
    const auto item = rel.parent_path();
    const auto attribute = rel.filename().string();
    if (attribute == "start") {
        lab_.set_file(item / "state", "running\n");
    } else if (attribute == "park") {
        lab_.set_file(item / "park", std::string{value} + "\n");
        lab_.set_file(item / "state", value == "1" ? "parked\n" : "running\n");
    } else if (attribute != "stop") {
        lab_.set_file(rel, std::string{value} + "\n");
    }
}

CliResult run_ktlab(const std::filesystem::path& root, std::vector<std::string> args)
{
    args.insert(args.begin(), {"ktlab", "--root", root.string()});
    std::vector<const char*> argv;
    argv.reserve(args.size());
    for (const auto& arg : args) {
        argv.push_back(arg.c_str());
    }
    ::testing::internal::CaptureStdout();
    ::testing::internal::CaptureStderr();
    const int status = run_cli(static_cast<int>(argv.size()), argv.data());
    std::string out = ::testing::internal::GetCapturedStdout();
    std::string err = ::testing::internal::GetCapturedStderr();
    return {status, std::move(out), std::move(err)};
}

}  // namespace ktlab::testing
