#include "plot.hpp"

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "errno_names.hpp"
#include "errors.hpp"
#include "lab_fs.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace ktlab {

namespace {

// A private temporary directory, removed with its content on every path out.
class TempDir {
public:
    TempDir()
    {
        const char* tmp = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe): single-threaded tool
        std::string pattern = fmt::format("{}/ktlab-plot.XXXXXX", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw FsError("create temporary directory", pattern, errno);
        }
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    TempDir(TempDir&&) = delete;
    TempDir& operator=(TempDir&&) = delete;
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

// Runs `program script` and waits; Error(io) unless it exits with 0.
void run_gnuplot(const std::filesystem::path& program, const std::filesystem::path& script)
{
    std::vector<std::string> args{program.string(), script.string()};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ);
    if (spawned != 0) {
        throw Error(ExitCode::io, fmt::format("cannot run {}: {}", program.string(), describe_errno(spawned)), spawned);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw Error(ExitCode::io, fmt::format("waiting for gnuplot: {}", describe_errno(errno)), errno);
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw Error(ExitCode::io,
                    WIFEXITED(status) ? fmt::format("gnuplot failed (exit status {})", WEXITSTATUS(status))
                                      : fmt::format("gnuplot died (signal {})", WTERMSIG(status)));
    }
}

std::filesystem::path gnuplot_or_fail()
{
    const char* path_env = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): single-threaded tool
    auto program = find_program("gnuplot", path_env != nullptr ? path_env : "");
    if (!program) {
        throw Error(ExitCode::io, "--svg needs gnuplot, which is not on PATH: install the Debian package "
                                  "gnuplot-nox (make deps does)");
    }
    return *program;
}

}  // namespace

std::optional<std::filesystem::path> find_program(std::string_view name, std::string_view path_env)
{
    while (true) {
        const auto colon = path_env.find(':');
        const std::string_view dir = path_env.substr(0, colon);
        const std::filesystem::path candidate = std::filesystem::path{dir.empty() ? "." : dir} / name;
        if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) {
            return candidate;
        }
        if (colon == std::string_view::npos) {
            return std::nullopt;
        }
        path_env.remove_prefix(colon + 1);
    }
}

void require_gnuplot()
{
    (void)gnuplot_or_fail();
}

void draw_race_svg(const RaceSweep& sweep, const std::filesystem::path& svg_file)
{
    const auto program = gnuplot_or_fail();
    const TempDir dir;
    const auto data = dir.path() / "race.dat";
    const auto script = dir.path() / "race.gp";
    const auto drawn = dir.path() / "race.svg";
    const PlotInput input = race_plot(sweep, data.string(), drawn.string());
    save_file_atomically(data, input.data);
    save_file_atomically(script, input.script);
    run_gnuplot(program, script);
    save_file_atomically(svg_file, read_whole_file(drawn));
}

}  // namespace ktlab
