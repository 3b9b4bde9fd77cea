// A fake configfs tree in a temporary directory, and a Mutator that records.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lab_fs.hpp"
#include "restore.hpp"

namespace ktlab::testing {

class FakeLab {
public:
    FakeLab();
    FakeLab(const FakeLab&) = delete;
    FakeLab& operator=(const FakeLab&) = delete;
    FakeLab(FakeLab&&) = delete;
    FakeLab& operator=(FakeLab&&) = delete;
    ~FakeLab();

    [[nodiscard]] const std::filesystem::path& root() const { return root_; }
    [[nodiscard]] const std::filesystem::path& scratch() const { return scratch_; }

    // Root files (version, features, max_threads) and one group per behaviour with autostart 1.
    void make_module(std::string_view features = "busy wait periodic oneshot park bind stop_timeout");
    void set_file(const std::filesystem::path& rel, std::string_view content, bool readable = true) const;
    void add_item(std::string_view behaviour, std::string_view name,
                  const std::vector<std::pair<std::string, std::string>>& attrs) const;
    [[nodiscard]] std::string read(const std::filesystem::path& rel) const;

private:
    std::filesystem::path scratch_;
    std::filesystem::path root_;
};

// Records every operation; fails the ones named in `fail_on` with the given errno.
class RecordingMutator final : public Mutator {
public:
    void make_dir(const std::filesystem::path& rel) override;
    void remove_dir(const std::filesystem::path& rel) override;
    void write(const std::filesystem::path& rel, std::string_view value) override;

    std::vector<std::string> log;                // Operation::describe() form
    std::map<std::string, int> fail_on;          // describe() -> errno

private:
    void record(const Operation& op);
};

}  // namespace ktlab::testing
