// Reading the lab: which threads exist and their attributes, with errors in words.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lab_fs.hpp"
#include "snapshot.hpp"

namespace ktlab {

inline constexpr std::string_view default_root = "/sys/kernel/config/kthread_lab";

// A thread item: <group>/<name> under the root.
struct ItemRef {
    std::string behaviour;
    std::string name;
    [[nodiscard]] std::string id() const { return behaviour + "/" + name; }
    [[nodiscard]] std::filesystem::path path() const { return std::filesystem::path{behaviour} / name; }
};

// Throws Error(no_lab) saying whether configfs is unmounted or the module is not loaded.
// `mounts` is the mount table to consult (/proc/self/mounts normally).
void ensure_lab(const LabFs& lab, const std::filesystem::path& mounts = "/proc/self/mounts");

// The behaviour groups: the directories directly under the root that hold autostart.
[[nodiscard]] std::vector<std::string> read_groups(const LabFs& lab);
// Every thread item, sorted by id.
[[nodiscard]] std::vector<ItemRef> list_items(const LabFs& lab);

// "busy/a" or a plain "a" that is unique across groups; Error(no_such_thread) otherwise.
[[nodiscard]] ItemRef resolve_item(const LabFs& lab, std::string_view name);

// All threads from one read of the root `snapshot` attribute.
[[nodiscard]] std::vector<ThreadRecord> read_threads(const LabFs& lab);

// Every readable attribute of one item, for `show`: in the snapshot's order (the
// common keys, then the behaviour's parameters), then the rest by name.
[[nodiscard]] ThreadRecord read_item_attributes(const LabFs& lab, const ItemRef& item);

// The writable attributes of each behaviour's items, learned from the directory
// of one of `items` per behaviour (all items of a behaviour have the same ones).
// A behaviour none of whose items could be listed is absent.
[[nodiscard]] std::map<std::string, std::set<std::string>> read_writable_attributes(const LabFs& lab,
                                                                                    const std::vector<ItemRef>& items);

[[nodiscard]] std::set<std::string> read_features(const LabFs& lab);

}  // namespace ktlab
