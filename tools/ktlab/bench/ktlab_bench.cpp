// Benchmark: how long `ktlab ls --json` takes with N threads in the lab.
// Creates N idle threads (wait behaviour, sleeping), runs ktlab R times, removes
// the threads again. Run it as root inside the guest with the module loaded.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "lab_fs.hpp"
#include "format.hpp"
#include "lab_reader.hpp"
#include "snapshot.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): posix_spawn needs it

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Runs `argv`, stdout to `out_fd`; returns the exit status.
int run_program(const std::vector<std::string>& args, int out_fd)
{
    std::vector<std::string> storage = args;
    std::vector<char*> argv;
    argv.reserve(storage.size() + 1);
    for (auto& arg : storage) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, argv.front(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) {
        throw ktlab::FsError("spawn", args.front(), err);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string capture_output(const std::vector<std::string>& args)
{
    std::string path = "/tmp/ktlab-bench-XXXXXX";
    const int fd = mkstemp(path.data());
    if (fd < 0) {
        throw ktlab::FsError("mkstemp", path, errno);
    }
    const int status = run_program(args, fd);
    close(fd);
    std::string text = ktlab::read_whole_file(path);
    unlink(path.c_str());
    if (status != 0) {
        throw std::runtime_error(fmt::format("{} exited with {}", args.front(), status));
    }
    return text;
}

// Where the time of one `ls --json` goes, measured inside this process.
void print_phases(const ktlab::LabFs& lab)
{
    auto start = Clock::now();
    const std::string text = lab.read("snapshot");
    const double read_ms = ms_since(start);
    start = Clock::now();
    const auto threads = ktlab::parse_snapshot(text);
    const double parse_ms = ms_since(start);
    start = Clock::now();
    const std::string json = ktlab::threads_to_json_text(threads);
    const double json_ms = ms_since(start);
    fmt::print("in-process: read snapshot {:.1f} ms ({} bytes), parse {:.1f} ms, JSON {:.1f} ms ({} bytes)\n", read_ms,
               text.size(), parse_ms, json_ms, json.size());
}

}  // namespace

int run(int argc, char** argv)
{
    CLI::App app{"Time `ktlab ls --json` against N threads", "ktlab_bench"};
    long long threads = 1000;
    int runs = 5;
    std::string ktlab_path = "build/tools/ktlab/ktlab";
    std::string root{ktlab::default_root};
    std::string group = "wait";
    std::optional<double> max_ms;
    app.add_option("--threads,-n", threads, "Threads to create")->check(CLI::Range(1LL, 100000LL))->capture_default_str();
    app.add_option("--runs,-r", runs, "Timed runs of ktlab ls --json")->check(CLI::Range(1, 1000))->capture_default_str();
    app.add_option("--ktlab", ktlab_path, "ktlab binary")->capture_default_str();
    app.add_option("--root", root, "Lab root")->envname("KTLAB_ROOT")->capture_default_str();
    app.add_option("--group", group, "Behaviour group of the threads (wait: they sleep)")->capture_default_str();
    app.add_option("--max-ms", max_ms, "Exit 1 if the median exceeds this");
    CLI11_PARSE(app, argc, argv);

    ktlab::LabFs lab{root};
    const std::filesystem::path autostart = std::filesystem::path{group} / "autostart";
    std::vector<std::filesystem::path> created;
    int exit_status = 0;
    std::optional<std::string> saved_autostart;
    std::optional<std::string> saved_max_threads;
    try {
        ktlab::ensure_lab(lab);
        if (!ktlab::list_items(lab).empty()) {
            fmt::print(stderr, "ktlab_bench: the lab is not empty; run 'ktlab clear' first\n");
            return 1;
        }
        // Running wait threads sleep interruptibly (no CPU, no hung-task
        // report, unlike threads left created) and stop at once.
        saved_autostart = lab.read_value(autostart);
        lab.write(autostart, "1");
        if (const auto limit = ktlab::parse_int(lab.read_value("max_threads")); limit && *limit < threads) {
            saved_max_threads = lab.read_value("max_threads");
            lab.write("max_threads", std::to_string(threads));
        }
        const auto create_start = Clock::now();
        for (long long i = 0; i < threads; ++i) {
            const auto item = std::filesystem::path{group} / fmt::format("bench{:06}", i);
            lab.make_dir(item);
            created.push_back(item);
        }
        const double create_ms = ms_since(create_start);
        fmt::print("created {} threads in {:.0f} ms\n", threads, create_ms);

        const std::vector<std::string> command{ktlab_path, "--root", root, "ls", "--json"};
        const auto listing = nlohmann::json::parse(capture_output(command));
        const auto listed = listing.at("threads").size();
        if (std::cmp_not_equal(listed, threads)) {
            throw std::runtime_error(fmt::format("ls --json listed {} threads, expected {}", listed, threads));
        }
        const int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        std::vector<double> times;
        for (int run = 0; run < runs; ++run) {
            const auto start = Clock::now();
            if (run_program(command, devnull) != 0) {
                throw std::runtime_error("ktlab ls --json failed");
            }
            times.push_back(ms_since(start));
        }
        close(devnull);
        std::sort(times.begin(), times.end());
        const double median = times[times.size() / 2];
        fmt::print("ktlab ls --json, {} threads, {} runs: min {:.1f} ms, median {:.1f} ms, max {:.1f} ms\n", threads,
                   runs, times.front(), median, times.back());
        print_phases(lab);
        if (max_ms && median > *max_ms) {
            fmt::print("FAIL: median {:.1f} ms exceeds {:.0f} ms\n", median, *max_ms);
            exit_status = 1;
        }
    } catch (const std::exception& error) {
        fmt::print(stderr, "ktlab_bench: {}\n", error.what());
        exit_status = 1;
    }
    const auto remove_start = Clock::now();
    for (const auto& item : created) {
        try {
            lab.remove_dir(item);
        } catch (const ktlab::FsError& error) {
            fmt::print(stderr, "ktlab_bench: {}\n", error.what());
            exit_status = 1;
        }
    }
    if (!created.empty()) {
        fmt::print("removed {} threads in {:.0f} ms\n", created.size(), ms_since(remove_start));
    }
    const std::pair<std::filesystem::path, std::optional<std::string>> settings[] = {
        {autostart, saved_autostart}, {"max_threads", saved_max_threads}};
    for (const auto& [file, value] : settings) {
        if (!value) {
            continue;
        }
        try {
            lab.write(file, *value);
        } catch (const ktlab::FsError& error) {
            fmt::print(stderr, "ktlab_bench: {}\n", error.what());
            exit_status = 1;
        }
    }
    return exit_status;
}

int main(int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const std::exception& error) {
        fmt::print(stderr, "ktlab_bench: {}\n", error.what());
        return 1;
    }
}
