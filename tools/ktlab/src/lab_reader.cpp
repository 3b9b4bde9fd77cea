#include "lab_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "errors.hpp"

namespace ktlab {

namespace {

bool configfs_mounted(const std::filesystem::path& mounts)
{
    std::ifstream table{mounts};
    std::string line;
    while (std::getline(table, line)) {
        std::istringstream fields{line};
        std::string device;
        std::string mount_point;
        std::string type;
        fields >> device >> mount_point >> type;
        if (type == "configfs") {
            return true;
        }
    }
    return false;
}

// The snapshot's `parked` field is the item's `park` attribute.
std::string attribute_file_for_key(std::string_view key)
{
    return key == "parked" ? std::string{"park"} : std::string{key};
}

// The attribute files of an item in the order of its snapshot line: the common
// keys, then its behaviour's parameters as the kernel lists them. Only the common
// keys when the item has no line (or there is no snapshot).
std::vector<std::string> snapshot_order(const LabFs& lab, const ItemRef& item)
{
    std::vector<std::string> order;
    std::transform(common_keys().begin(), common_keys().end(), std::back_inserter(order), attribute_file_for_key);
    std::string text;
    try {
        text = lab.read("snapshot");
    } catch (const FsError&) {
        return order;
    }
    // Item lines start "<behaviour>/<name> " after a newline; names hold no white space.
    const std::string start = "\n" + item.id() + " ";
    const auto at = text.find(start);
    if (at == std::string::npos) {
        return order;
    }
    std::string_view line{text};
    line = line.substr(at + 1);
    line = line.substr(0, line.find('\n'));
    try {
        for (const auto& [key, value] : parse_item_line(line, 0).params()) {
            order.push_back(key);
        }
    } catch (const SnapshotError&) {
        // a line this ktlab cannot read: name order is still a fine order
    }
    return order;
}

}  // namespace

void ensure_lab(const LabFs& lab, const std::filesystem::path& mounts)
{
    if (lab.is_dir({})) {
        return;
    }
    const std::string root = lab.root().string();
    if (lab.root() == std::filesystem::path{default_root} && !configfs_mounted(mounts)) {
        throw Error(ExitCode::no_lab,
                    "configfs is not mounted at /sys/kernel/config (mount -t configfs none /sys/kernel/config)",
                    ENOENT);
    }
    throw Error(ExitCode::no_lab, fmt::format("{} does not exist: the kthread_lab module is not loaded (modprobe kthread_lab)", root),
                ENOENT);
}

std::vector<std::string> read_groups(const LabFs& lab)
{
    // experiments/ is a directory of the root too, and no behaviour.
    auto groups = lab.subdirs({});
    std::erase_if(groups, [&lab](const std::string& group) {
        return !lab.exists(std::filesystem::path{group} / "autostart");
    });
    return groups;
}

std::vector<ItemRef> list_items(const LabFs& lab)
{
    std::vector<ItemRef> items;
    for (const auto& group : read_groups(lab)) {
        for (auto& name : lab.subdirs(group)) {
            items.push_back({group, std::move(name)});
        }
    }
    return items;
}

ItemRef resolve_item(const LabFs& lab, std::string_view name)
{
    const auto slash = name.find('/');
    if (slash != std::string_view::npos) {
        ItemRef item{std::string{name.substr(0, slash)}, std::string{name.substr(slash + 1)}};
        if (!item.behaviour.empty() && !item.name.empty() && item.name.find('/') == std::string::npos &&
            lab.is_dir(item.path())) {
            return item;
        }
        throw Error(ExitCode::no_such_thread, fmt::format("no such thread: {}", name), ENOENT);
    }
    std::vector<ItemRef> matches;
    for (const auto& group : read_groups(lab)) {
        if (lab.is_dir(std::filesystem::path{group} / name)) {
            matches.push_back({group, std::string{name}});
        }
    }
    if (matches.empty()) {
        throw Error(ExitCode::no_such_thread, fmt::format("no such thread: {}", name), ENOENT);
    }
    if (matches.size() > 1) {
        std::vector<std::string> ids;
        std::transform(matches.begin(), matches.end(), std::back_inserter(ids), [](const auto& m) { return m.id(); });
        throw Error(ExitCode::no_such_thread,
                    fmt::format("thread name {} is ambiguous ({}): say BEHAVIOUR/NAME", name, fmt::join(ids, ", ")));
    }
    return matches.front();
}

std::vector<ThreadRecord> read_threads(const LabFs& lab)
{
    auto records = parse_snapshot(lab.read("snapshot"));
    // By behaviour, then name; the kernel already sends them so, and the check is cheap.
    auto by_id = [](const ThreadRecord& a, const ThreadRecord& b) {
        return std::tie(a.behaviour, a.name) < std::tie(b.behaviour, b.name);
    };
    if (!std::is_sorted(records.begin(), records.end(), by_id)) {
        std::sort(records.begin(), records.end(), by_id);
    }
    return records;
}

ThreadRecord read_item_attributes(const LabFs& lab, const ItemRef& item)
{
    auto canonical = snapshot_order(lab, item);
    auto files = lab.files(item.path());
    auto rank = [&canonical](const std::string& file) {
        return static_cast<std::size_t>(std::find(canonical.begin(), canonical.end(), file) - canonical.begin());
    };
    std::stable_sort(files.begin(), files.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    ThreadRecord record{item.behaviour, item.name, {}};
    for (const auto& file : files) {
        const auto rel = item.path() / file;
        if (!lab.readable(rel)) {
            continue;
        }
        record.attrs.emplace_back(file, lab.read_value(rel));
    }
    return record;
}

std::map<std::string, std::set<std::string>> read_writable_attributes(const LabFs& lab,
                                                                     const std::vector<ItemRef>& items)
{
    std::map<std::string, std::set<std::string>> writable;
    for (const auto& item : items) {
        if (writable.contains(item.behaviour)) {
            continue;
        }
        try {
            std::set<std::string> names;
            for (auto& file : lab.files(item.path())) {
                if (lab.writable(item.path() / file)) {
                    names.insert(std::move(file));
                }
            }
            writable.emplace(item.behaviour, std::move(names));
        } catch (const FsError& error) {
            if (error.sys_errno() != ENOENT) {
                throw;
            }
            // removed meanwhile: another item of its behaviour may answer
        }
    }
    return writable;
}

std::set<std::string> read_features(const LabFs& lab)
{
    std::istringstream words{lab.read_value("features")};
    std::set<std::string> features;
    std::string word;
    while (words >> word) {
        features.insert(word);
    }
    return features;
}

}  // namespace ktlab
