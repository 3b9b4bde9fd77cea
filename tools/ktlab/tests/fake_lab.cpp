#include "fake_lab.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "errors.hpp"

namespace ktlab::testing {

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
    for (const auto* group : {"busy", "wait", "periodic", "oneshot"}) {
        std::filesystem::create_directories(root_ / group);
        set_file(std::filesystem::path{group} / "autostart", "1\n");
    }
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

void FakeLab::add_item(std::string_view behaviour, std::string_view name,
                       const std::vector<std::pair<std::string, std::string>>& attrs) const
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

}  // namespace ktlab::testing
