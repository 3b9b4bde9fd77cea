// The thin filesystem layer: every system call ktlab makes on the configfs tree.
// Paths are relative to the root given at construction (--root), so tests can
// point it at an ordinary directory tree.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/types.h>
#include <unistd.h>

namespace ktlab {

// Owns a file descriptor; closes it on every path out.
class UniqueFd {
public:
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~UniqueFd()
    {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    // close() reports deferred write errors; call it where they matter.
    int close() noexcept { return ::close(std::exchange(fd_, -1)); }

private:
    int fd_;
};

// open(2) with O_CLOEXEC; throws FsError(what, path, errno) when it fails.
[[nodiscard]] UniqueFd open_or_throw(const std::filesystem::path& path, int flags, const char* what, mode_t mode = 0);

// The changes a restore makes; an interface so the unit tests can record them.
class Mutator {
public:
    Mutator() = default;
    Mutator(const Mutator&) = delete;
    Mutator& operator=(const Mutator&) = delete;
    Mutator(Mutator&&) = delete;
    Mutator& operator=(Mutator&&) = delete;
    virtual ~Mutator() = default;

    virtual void make_dir(const std::filesystem::path& rel) = 0;
    virtual void remove_dir(const std::filesystem::path& rel) = 0;
    virtual void write(const std::filesystem::path& rel, std::string_view value) = 0;
};

class LabFs final : public Mutator {
public:
    explicit LabFs(std::filesystem::path root);

    [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }
    [[nodiscard]] std::filesystem::path full(const std::filesystem::path& rel) const;

    // Whole content, read with one open file so a configfs attribute is one consistent fill.
    [[nodiscard]] std::string read(const std::filesystem::path& rel) const;
    // Content without the trailing newline.
    [[nodiscard]] std::string read_value(const std::filesystem::path& rel) const;
    // As read_value, but nullopt when the file does not exist.
    [[nodiscard]] std::optional<std::string> try_read_value(const std::filesystem::path& rel) const;

    // One write(2) of `value` plus a newline, as `echo value > file` does; configfs
    // hands each write to the attribute's store callback.
    void write(const std::filesystem::path& rel, std::string_view value) override;
    void make_dir(const std::filesystem::path& rel) override;
    void remove_dir(const std::filesystem::path& rel) override;

    [[nodiscard]] bool exists(const std::filesystem::path& rel) const;
    [[nodiscard]] bool is_dir(const std::filesystem::path& rel) const;
    // Sorted names of the subdirectories / regular files of a directory.
    [[nodiscard]] std::vector<std::string> subdirs(const std::filesystem::path& rel) const;
    [[nodiscard]] std::vector<std::string> files(const std::filesystem::path& rel) const;
    // Whether the file's mode grants reading to anyone (configfs write-only attributes do not).
    [[nodiscard]] bool readable(const std::filesystem::path& rel) const;
    // Whether it grants writing to anyone (configfs read-only attributes do not).
    [[nodiscard]] bool writable(const std::filesystem::path& rel) const;

private:
    [[nodiscard]] unsigned mode(const std::filesystem::path& rel) const;  // stat's st_mode

    std::filesystem::path root_;
};

// Writes `content` to `file` atomically: a temporary file in the same directory,
// fsync, rename over the target, fsync of the directory.
void save_file_atomically(const std::filesystem::path& file, std::string_view content);

// Reads a whole ordinary file (a save file); FsError when it cannot.
[[nodiscard]] std::string read_whole_file(const std::filesystem::path& file);

}  // namespace ktlab
