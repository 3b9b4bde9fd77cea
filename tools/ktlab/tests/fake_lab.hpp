// A fake configfs tree in a temporary directory, a Mutator that records, and
// one that acts as the module would.
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

using Attrs = std::vector<std::pair<std::string, std::string>>;

// A behaviour of the fake module: its parameters (writable, with their defaults,
// in the kernel's order) and any read-only values it appends to the snapshot.
struct FakeBehaviour {
    Attrs params;
    Attrs read_only;
};

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
    // One more group, whose items spawn_item() makes with these attributes.
    void add_behaviour(const std::string& name, FakeBehaviour behaviour);
    void set_file(const std::filesystem::path& rel, std::string_view content, bool readable = true) const;
    void set_read_only(const std::filesystem::path& rel) const;
    // An item with only the attributes given (plus behaviour, start and stop).
    void add_item(std::string_view behaviour, std::string_view name, const Attrs& attrs) const;
    // An item as the module's mkdir makes it: every common attribute with its
    // default and the behaviour's own, with the module's file modes.
    void spawn_item(const std::string& behaviour, const std::string& name) const;
    // The root `snapshot` as the module would print it for the items of spawn_item().
    void write_snapshot() const;
    [[nodiscard]] std::string read(const std::filesystem::path& rel) const;

private:
    std::filesystem::path scratch_;
    std::filesystem::path root_;
    std::map<std::string, FakeBehaviour> behaviours_;
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

// The module's side of a restore on a FakeLab: mkdir makes a whole item
// (spawn_item), a write to an attribute the item lacks is ENOENT, start and
// park change the state.
class FakeKernel final : public Mutator {
public:
    explicit FakeKernel(const FakeLab& lab) : lab_(lab) {}

    void make_dir(const std::filesystem::path& rel) override;
    void remove_dir(const std::filesystem::path& rel) override;
    void write(const std::filesystem::path& rel, std::string_view value) override;

private:
    const FakeLab& lab_;
};

// One ktlab invocation against a fake lab, its output captured.
struct CliResult {
    int status;
    std::string out;
    std::string err;
};
[[nodiscard]] CliResult run_ktlab(const std::filesystem::path& root, std::vector<std::string> args);

}  // namespace ktlab::testing
