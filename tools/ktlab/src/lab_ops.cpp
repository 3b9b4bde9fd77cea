#include "lab_ops.hpp"

#include <cerrno>
#include <utility>

#include <fmt/format.h>

#include "errno_names.hpp"

namespace ktlab {

ExitCode exit_code_for(int sys_errno, Access access)
{
    switch (sys_errno) {
    case EACCES:
    case EPERM: return ExitCode::permission;
    case ETIMEDOUT: return ExitCode::timed_out;
    default: return access == Access::change ? ExitCode::refused : ExitCode::io;
    }
}

Failure reading(std::string target)
{
    Failure failure;
    failure.target = std::move(target);
    return failure;
}

Failure changing(std::string target, std::string refusal, std::string detail, std::string attribute)
{
    Failure failure;
    failure.target = std::move(target);
    failure.access = Access::change;
    failure.refusal = std::move(refusal);
    failure.detail = std::move(detail);
    failure.attribute = std::move(attribute);
    return failure;
}

Error lab_error(const FsError& error, const Failure& failure)
{
    const int err = error.sys_errno();
    const ExitCode code = exit_code_for(err, failure.access);
    std::string message;
    switch (code) {
    case ExitCode::permission:
        message = fmt::format("permission denied: {} {}: ktlab must run as root to change the lab",
                              error.operation(), failure.target);
        break;
    case ExitCode::timed_out:
        message = fmt::format("{} {} timed out (ETIMEDOUT)", error.operation(), failure.target);
        break;
    case ExitCode::refused:
        message = fmt::format("the kernel refused {}: {}{}", failure.refusal, describe_errno(err), failure.detail);
        break;
    default: message = error.what(); break;
    }
    return {code, message, err, failure.attribute};
}

Error attribute_error(const LabFs& lab, const FsError& error, const ItemRef& item, std::string_view attribute,
                      std::string_view value)
{
    if (error.sys_errno() == ENOENT) {
        if (!lab.is_dir(item.path())) {
            return {ExitCode::no_such_thread, fmt::format("no such thread: {}", item.id()), ENOENT};
        }
        return {ExitCode::usage, fmt::format("{} has no attribute '{}'", item.id(), attribute), ENOENT,
                std::string{attribute}};
    }
    return lab_error(error, changing(fmt::format("{}/{}", item.id(), attribute),
                                     fmt::format("{}={} for {}", attribute, value, item.id()), {},
                                     std::string{attribute}));
}

void write_attribute(LabFs& lab, const ItemRef& item, std::string_view attribute, std::string_view value)
{
    try {
        lab.write(item.path() / attribute, value);
    } catch (const FsError& error) {
        throw attribute_error(lab, error, item, attribute, value);
    }
}

void write_attribute_explained(LabFs& lab, const ItemRef& item, std::string_view attribute, std::string_view value)
{
    try {
        write_attribute(lab, item, attribute, value);
    } catch (const Error& error) {
        const int err = error.sys_errno();
        if (err != EALREADY && err != EBUSY && err != EOPNOTSUPP) {
            throw;
        }
        const auto state = lab.try_read_value(item.path() / "state").value_or("unknown");
        const std::string why = err == EOPNOTSUPP ? fmt::format("{} threads cannot do that", item.behaviour)
                                                  : fmt::format("its state is {}", state);
        throw Error(ExitCode::refused,
                    fmt::format("the kernel refused {}={} for {}: {}: {}", attribute, value, item.id(),
                                errno_name(err), why),
                    err, std::string{attribute});
    }
}

ItemRef resolve(const LabFs& lab, std::string_view name)
{
    ensure_lab(lab);
    return resolve_item(lab, name);
}

void make_item(LabFs& lab, const ItemRef& item)
{
    try {
        lab.make_dir(item.path());
    } catch (const FsError& error) {
        std::string detail;
        if (error.sys_errno() == EEXIST) {
            detail = ": it already exists";
        } else if (error.sys_errno() == ENOSPC) {
            detail = fmt::format(": max_threads ({}) reached", lab.try_read_value("max_threads").value_or("?"));
        }
        throw lab_error(error, changing(item.id(), fmt::format("to create {}", item.id()), detail));
    }
}

bool remove_item(LabFs& lab, const ItemRef& item)
{
    try {
        lab.remove_dir(item.path());
    } catch (const FsError& error) {
        if (error.sys_errno() == ENOENT) {
            return false;
        }
        throw lab_error(error, changing(item.id(), fmt::format("to remove {}", item.id())));
    }
    return true;
}

Error vanished_or(const LabFs& lab, const FsError& error, const ItemRef& item)
{
    if (error.sys_errno() == ENOENT && !lab.is_dir(item.path())) {
        return {ExitCode::no_such_thread, fmt::format("no such thread: {}", item.id()), ENOENT};
    }
    return lab_error(error, reading(item.id()));
}

ThreadRecord read_item_or_vanished(const LabFs& lab, const ItemRef& item)
{
    try {
        return read_item_attributes(lab, item);
    } catch (const FsError& error) {
        throw vanished_or(lab, error, item);
    }
}

std::vector<ThreadRecord> read_threads_or_fail(const LabFs& lab)
{
    try {
        return read_threads(lab);
    } catch (const SnapshotError& error) {
        throw Error(ExitCode::io, fmt::format("cannot read the snapshot: {}", error.what()));
    }
}

AutostartOff::AutostartOff(LabFs& lab, const std::string& group) : lab_(lab), file_(std::filesystem::path{group} / "autostart")
{
    const auto current = lab_.try_read_value(file_);
    if (current && current != "0") {
        try {
            lab_.write(file_, "0");
        } catch (const FsError& error) {
            throw lab_error(error, changing(file_.string(), fmt::format("autostart=0 for {}", group), {}, "autostart"));
        }
        saved_ = *current;
    }
}

AutostartOff::~AutostartOff()
{
    if (!saved_) {
        return;
    }
    try {
        lab_.write(file_, *saved_);
    } catch (const FsError& error) {
        fmt::print(stderr, "ktlab: warning: could not restore {} to {}: {}\n", file_.string(), *saved_, error.what());
    }
}

}  // namespace ktlab
