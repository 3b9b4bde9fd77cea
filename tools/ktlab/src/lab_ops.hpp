// The lab as the commands use it: each system call's failure turned into an
// Error a person can act on, with the one errno -> exit code mapping.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "lab_fs.hpp"
#include "lab_reader.hpp"
#include "snapshot.hpp"

namespace ktlab {

// Whether the failed call read the lab or asked the kernel for a change.
enum class Access { read, change };

// The one errno -> exit code mapping: EACCES and EPERM are permission,
// ETIMEDOUT timed_out; anything else is refused for a change (the kernel said
// no) and io for a read. ENOENT means something different at each call (no such
// thread, no such attribute, already gone): callers decide it first.
[[nodiscard]] ExitCode exit_code_for(int sys_errno, Access access);

// How to put a failure in words.
struct Failure {
    std::string target;     // what was touched: "busy/a", "busy/a/nice"
    Access access = Access::read;
    std::string refusal;    // what the kernel refused: "nice=99 for busy/a", "to create busy/a"
    std::string detail;     // after the errno: ": it already exists"
    std::string attribute;  // for the JSON error's "attribute"
};

// A read of `target` (what a refusal is then does not matter).
[[nodiscard]] Failure reading(std::string target);
// A change of `target` that the kernel may refuse: "the kernel refused <refusal>: <errno><detail>".
[[nodiscard]] Failure changing(std::string target, std::string refusal, std::string detail = {},
                               std::string attribute = {});

// A failed system call on the lab, in words, with its exit code.
[[nodiscard]] Error lab_error(const FsError& error, const Failure& failure);

// A failed write of one attribute: no such thread, no such attribute, or the
// errno, the attribute and the value.
[[nodiscard]] Error attribute_error(const LabFs& lab, const FsError& error, const ItemRef& item,
                                    std::string_view attribute, std::string_view value);

// Writes one attribute of an item; throws attribute_error's Error.
void write_attribute(LabFs& lab, const ItemRef& item, std::string_view attribute, std::string_view value);

// As write_attribute, explaining the state-dependent refusals (EALREADY, EBUSY,
// EOPNOTSUPP) with the item's state or behaviour.
void write_attribute_explained(LabFs& lab, const ItemRef& item, std::string_view attribute, std::string_view value);

// The thread a NAME or BEHAVIOUR/NAME names, once the lab is known to be there.
[[nodiscard]] ItemRef resolve(const LabFs& lab, std::string_view name);

// mkdir of a new item; EEXIST and ENOSPC explained.
void make_item(LabFs& lab, const ItemRef& item);

// rmdir of an item; false when it was already gone.
[[nodiscard]] bool remove_item(LabFs& lab, const ItemRef& item);

// Every readable attribute of an item; no_such_thread when it is gone.
[[nodiscard]] ThreadRecord read_item_or_vanished(const LabFs& lab, const ItemRef& item);

// A failed read of an item: no_such_thread when it is gone, else as lab_error.
[[nodiscard]] Error vanished_or(const LabFs& lab, const FsError& error, const ItemRef& item);

// All threads from the snapshot; an unreadable snapshot is an io Error.
[[nodiscard]] std::vector<ThreadRecord> read_threads_or_fail(const LabFs& lab);

// Sets a group's autostart to 0 for as long as it lives, so a new thread can be
// bound and configured before it first runs; puts the old value back afterwards.
class AutostartOff {
public:
    AutostartOff(LabFs& lab, const std::string& group);
    AutostartOff(const AutostartOff&) = delete;
    AutostartOff& operator=(const AutostartOff&) = delete;
    AutostartOff(AutostartOff&&) = delete;
    AutostartOff& operator=(AutostartOff&&) = delete;
    ~AutostartOff();

private:
    LabFs& lab_;
    std::filesystem::path file_;
    std::optional<std::string> saved_;
};

}  // namespace ktlab
