#include "lab_fs.hpp"

#include <algorithm>
#include <cerrno>
#include <memory>
#include <utility>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "errors.hpp"

namespace ktlab {

UniqueFd open_or_throw(const std::filesystem::path& path, int flags, const char* what, mode_t mode)
{
    UniqueFd fd{::open(path.c_str(), flags | O_CLOEXEC, mode)};
    if (!fd.valid()) {
        throw FsError(what, path.string(), errno);
    }
    return fd;
}

namespace {

// Reads straight into the string, growing it geometrically: a snapshot of
// 10,000 threads is ~2 MB and configfs hands it out in one fill.
std::string read_fd(const UniqueFd& fd, const std::filesystem::path& path)
{
    constexpr std::size_t first_chunk = std::size_t{64} * 1024;
    std::string content(first_chunk, '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == content.size()) {
            content.resize(content.size() * 2);
        }
        const ssize_t got = ::read(fd.get(), content.data() + used, content.size() - used);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw FsError("read", path.string(), errno);
        }
        if (got == 0) {
            content.resize(used);
            return content;
        }
        used += static_cast<std::size_t>(got);
    }
}

void write_all(const UniqueFd& fd, std::string_view data, const std::filesystem::path& path)
{
    while (!data.empty()) {
        const ssize_t put = ::write(fd.get(), data.data(), data.size());
        if (put < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw FsError("write", path.string(), errno);
        }
        data.remove_prefix(static_cast<std::size_t>(put));
    }
}

std::string strip_newline(std::string text)
{
    if (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    return text;
}

enum class EntryType { directory, regular };

std::vector<std::string> list_dir(const std::filesystem::path& path, EntryType wanted)
{
    std::unique_ptr<DIR, int (*)(DIR*)> dir{::opendir(path.c_str()), ::closedir};
    if (!dir) {
        throw FsError("opendir", path.string(), errno);
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(dir.get())) {
        const std::string_view name{static_cast<const char*>(entry->d_name)};
        if (name == "." || name == "..") {
            continue;
        }
        unsigned char type = entry->d_type;
        if (type == DT_UNKNOWN) {
            struct stat st {};
            if (::fstatat(::dirfd(dir.get()), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                type = S_ISDIR(st.st_mode) ? DT_DIR : (S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN);
            }
        }
        if ((wanted == EntryType::directory && type == DT_DIR) || (wanted == EntryType::regular && type == DT_REG)) {
            names.emplace_back(name);
        }
    }
    if (errno != 0) {
        throw FsError("readdir", path.string(), errno);
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

LabFs::LabFs(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path LabFs::full(const std::filesystem::path& rel) const
{
    return rel.empty() ? root_ : root_ / rel;
}

std::string LabFs::read(const std::filesystem::path& rel) const
{
    const auto path = full(rel);
    const UniqueFd fd = open_or_throw(path, O_RDONLY, "open");
    return read_fd(fd, path);
}

std::string LabFs::read_value(const std::filesystem::path& rel) const
{
    return strip_newline(read(rel));
}

std::optional<std::string> LabFs::try_read_value(const std::filesystem::path& rel) const
{
    try {
        return read_value(rel);
    } catch (const FsError& error) {
        if (error.sys_errno() == ENOENT) {
            return std::nullopt;
        }
        throw;
    }
}

void LabFs::write(const std::filesystem::path& rel, std::string_view value)
{
    const auto path = full(rel);
    // O_TRUNC as the shell's `>` does; configfs ignores it, an ordinary file needs it.
    UniqueFd fd = open_or_throw(path, O_WRONLY | O_TRUNC, "open");
    const std::string line = fmt::format("{}\n", value);
    write_all(fd, line, path);
    if (fd.close() != 0) {
        throw FsError("close", path.string(), errno);
    }
}

void LabFs::make_dir(const std::filesystem::path& rel)
{
    const auto path = full(rel);
    if (::mkdir(path.c_str(), 0755) != 0) {
        throw FsError("mkdir", path.string(), errno);
    }
}

void LabFs::remove_dir(const std::filesystem::path& rel)
{
    const auto path = full(rel);
    if (::rmdir(path.c_str()) != 0) {
        throw FsError("rmdir", path.string(), errno);
    }
}

bool LabFs::exists(const std::filesystem::path& rel) const
{
    struct stat st {};
    return ::stat(full(rel).c_str(), &st) == 0;
}

bool LabFs::is_dir(const std::filesystem::path& rel) const
{
    struct stat st {};
    return ::stat(full(rel).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> LabFs::subdirs(const std::filesystem::path& rel) const
{
    return list_dir(full(rel), EntryType::directory);
}

std::vector<std::string> LabFs::files(const std::filesystem::path& rel) const
{
    return list_dir(full(rel), EntryType::regular);
}

unsigned LabFs::mode(const std::filesystem::path& rel) const
{
    struct stat st {};
    if (::stat(full(rel).c_str(), &st) != 0) {
        throw FsError("stat", full(rel).string(), errno);
    }
    return st.st_mode;
}

bool LabFs::readable(const std::filesystem::path& rel) const
{
    return (mode(rel) & (S_IRUSR | S_IRGRP | S_IROTH)) != 0;
}

bool LabFs::writable(const std::filesystem::path& rel) const
{
    return (mode(rel) & (S_IWUSR | S_IWGRP | S_IWOTH)) != 0;
}

void save_file_atomically(const std::filesystem::path& file, std::string_view content)
{
    const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path{"."};
    std::string tmp_template = (dir / fmt::format(".{}.XXXXXX", file.filename().string())).string();
    UniqueFd fd{::mkostemp(tmp_template.data(), O_CLOEXEC)};
    if (!fd.valid()) {
        throw FsError("create temporary file in", dir.string(), errno);
    }
    const std::filesystem::path tmp{tmp_template};
    try {
        // mkstemp creates 0600; a configuration file is not secret.
        if (::fchmod(fd.get(), 0644) != 0) {
            throw FsError("chmod", tmp.string(), errno);
        }
        write_all(fd, content, tmp);
        if (::fsync(fd.get()) != 0) {
            throw FsError("fsync", tmp.string(), errno);
        }
        if (fd.close() != 0) {
            throw FsError("close", tmp.string(), errno);
        }
        if (::rename(tmp.c_str(), file.c_str()) != 0) {
            throw FsError("rename to", file.string(), errno);
        }
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    // The rename is durable only once the directory entry is on disk.
    const UniqueFd dir_fd = open_or_throw(dir, O_RDONLY | O_DIRECTORY, "open directory");
    if (::fsync(dir_fd.get()) != 0) {
        throw FsError("fsync", dir.string(), errno);
    }
}

std::string read_whole_file(const std::filesystem::path& file)
{
    const UniqueFd fd = open_or_throw(file, O_RDONLY, "open");
    return read_fd(fd, file);
}

}  // namespace ktlab
