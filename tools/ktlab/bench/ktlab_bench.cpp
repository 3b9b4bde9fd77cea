// `make bench`'s measurements that need one process driving configfs fast
// (a shell pays ~0.1-0.2 s of process start-up per command in the emulated
// guest). Run as root inside the guest with the module loaded; each
// subcommand writes its samples as CSV into --out and appends its figures,
// one "key value" line each, to --out/metrics.txt. tools/bench/report turns
// those into the report. Every figure is measured beside its in-kernel
// baseline (experiments/spawn, driven through configfs here) in the same run.
//
//   stop      stop latency per periodic sleep mode, modes and the floor
//             (an in-kernel kthread_stop() from idle) interleaved
//   spawn     mkdir -> running per item against experiments/spawn; with
//             --ls-runs also `ktlab ls --json` against `cat snapshot`;
//             memory per thread from /proc/meminfo and /proc/slabinfo
//   lateness  tick lateness of periodic items at a short period
//   idle      CPU time of a sleeping and a spinning wait thread
#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "format.hpp"
#include "lab_fs.hpp"
#include "lab_reader.hpp"
#include "snapshot.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): posix_spawn needs it

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double ms_since(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

long long ns_between(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

void progress(const std::string& line)
{
    fmt::print(stderr, "bench: {}\n", line);
    (void)std::fflush(stderr);
}

// Nearest-rank percentile of sorted samples (p in 0..100).
double percentile(const std::vector<double>& sorted, double p)
{
    if (sorted.empty()) {
        return std::nan("");
    }
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

double mean(const std::vector<double>& values)
{
    if (values.empty()) {
        return std::nan("");
    }
    double sum = 0;
    for (const double v : values) {
        sum += v;
    }
    return sum / static_cast<double>(values.size());
}

// The figures of one run: appended to <out>/metrics.txt as "key value" lines.
class Metrics {
public:
    explicit Metrics(const fs::path& dir) : file_(dir / "metrics.txt", std::ios::app) {}
    template <typename T>
    void put(const std::string& key, T value)
    {
        file_ << key << ' ' << value << '\n';
        file_.flush();
    }
    // n, p50, p99, max, avg, min of some samples under `prefix`.
    void put_stats(const std::string& prefix, std::vector<double> samples)
    {
        std::sort(samples.begin(), samples.end());
        put(prefix + "_n", samples.size());
        if (samples.empty()) {
            return;
        }
        put(prefix + "_min", fmt::format("{:.0f}", samples.front()));
        put(prefix + "_p50", fmt::format("{:.0f}", percentile(samples, 50)));
        put(prefix + "_avg", fmt::format("{:.0f}", mean(samples)));
        put(prefix + "_p99", fmt::format("{:.0f}", percentile(samples, 99)));
        put(prefix + "_max", fmt::format("{:.0f}", samples.back()));
    }

private:
    std::ofstream file_;
};

// "min avg max p99" as the experiments and lateness_ns show them.
struct Stat4 {
    double min = 0, avg = 0, max = 0, p99 = 0;
};

std::optional<Stat4> parse_stat4(const std::string& text)
{
    std::istringstream in{text};
    Stat4 s;
    if (!(in >> s.min >> s.avg >> s.max >> s.p99)) {
        return std::nullopt;
    }
    return s;
}

void sleep_ms(double ms)
{
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
}

// Polls `file` until it reads `want` (every 1 ms, at most `limit_s`).
void wait_for(const ktlab::LabFs& lab, const fs::path& file, const std::string& want, double limit_s = 60)
{
    const auto start = Clock::now();
    while (lab.read_value(file) != want) {
        if (ms_since(start) > limit_s * 1000) {
            throw std::runtime_error(fmt::format("{} did not read '{}' within {} s", file.string(), want, limit_s));
        }
        sleep_ms(1);
    }
}

// A short attribute's first line, read into a small buffer: LabFs::read
// starts with a 64 KiB buffer, whose zeroing is a cost of its own when
// polled under emulation.
std::string read_short(const fs::path& path)
{
    std::array<char, 64> buf{};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw ktlab::FsError("open", path.string(), errno);
    }
    const ssize_t got = ::read(fd, buf.data(), buf.size());
    const int err = errno;
    ::close(fd);
    if (got < 0) {
        throw ktlab::FsError("read", path.string(), err);
    }
    std::string text(buf.data(), static_cast<std::size_t>(got));
    if (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    return text;
}

// As wait_for, without sleeping: sched_yield() between reads.  Returns
// how many reads it took.
int wait_for_yielding(const ktlab::LabFs& lab, const fs::path& file, const std::string& want, double limit_s = 60)
{
    const auto start = Clock::now();
    const auto path = lab.full(file);
    int reads = 1;
    while (read_short(path) != want) {
        if (ms_since(start) > limit_s * 1000) {
            throw std::runtime_error(fmt::format("{} did not read '{}' within {} s", file.string(), want, limit_s));
        }
        sched_yield();
        ++reads;
    }
    return reads;
}

// Restores a lab setting on every path out.
class SavedSetting {
public:
    SavedSetting(ktlab::LabFs& lab, fs::path file) : lab_(lab), file_(std::move(file)), value_(lab.read_value(file_))
    {
    }
    SavedSetting(const SavedSetting&) = delete;
    SavedSetting& operator=(const SavedSetting&) = delete;
    SavedSetting(SavedSetting&&) = delete;
    SavedSetting& operator=(SavedSetting&&) = delete;
    ~SavedSetting()
    {
        try {
            lab_.write(file_, value_);
        } catch (const std::exception& error) {
            fmt::print(stderr, "ktlab_bench: restoring {}: {}\n", file_.string(), error.what());
        }
    }

private:
    ktlab::LabFs& lab_;
    fs::path file_;
    std::string value_;
};

// Items this process made, removed on every path out (rmdir stops a thread).
class Items {
public:
    explicit Items(ktlab::LabFs& lab) : lab_(lab) {}
    Items(const Items&) = delete;
    Items& operator=(const Items&) = delete;
    Items(Items&&) = delete;
    Items& operator=(Items&&) = delete;
    ~Items()
    {
        for (const auto& item : items_) {
            try {
                lab_.remove_dir(item);
            } catch (const std::exception& error) {
                fmt::print(stderr, "ktlab_bench: cleaning up: {}\n", error.what());
            }
        }
    }
    void make(const fs::path& item)
    {
        lab_.make_dir(item);
        items_.push_back(item);
    }
    void remove(const fs::path& item)
    {
        lab_.remove_dir(item);
        std::erase(items_, item);
    }
    // Forgets them: the caller removes them itself, timing it.
    std::vector<fs::path> release() { return std::exchange(items_, {}); }
    [[nodiscard]] const std::vector<fs::path>& all() const { return items_; }

private:
    ktlab::LabFs& lab_;
    std::vector<fs::path> items_;
};

// ---- experiments/spawn, the in-kernel baseline ----

struct SpawnResult {
    long long completed = 0;
    double elapsed_ns = 0;
    Stat4 create, wake_to_run, stop;
    bool timed_out = false;  // the run hit its 25 s bound: the figures cover `completed`
};

SpawnResult run_spawn_experiment(ktlab::LabFs& lab, const fs::path& exp, long long threads, long long sleep_ms)
{
    lab.write(exp / "threads", std::to_string(threads));
    lab.write(exp / "sleep_before_stop_ms", std::to_string(sleep_ms));
    SpawnResult r;
    try {
        lab.write(exp / "run", "1");
    } catch (const ktlab::FsError& error) {
        if (error.sys_errno() != ETIMEDOUT) {
            throw;
        }
        r.timed_out = true;
    }
    r.completed = std::stoll(lab.read_value(exp / "completed"));
    r.elapsed_ns = std::stod(lab.read_value(exp / "elapsed_ns"));
    const auto get = [&](const char* name) {
        const auto s = parse_stat4(lab.read_value(exp / name));
        if (!s) {
            throw std::runtime_error(fmt::format("experiments/spawn: {} has no figures", name));
        }
        return *s;
    };
    r.create = get("create_ns");
    r.wake_to_run = get("wake_to_run_ns");
    r.stop = get("stop_ns");
    return r;
}

// ---- stop ----

int cmd_stop(ktlab::LabFs& lab, const fs::path& out, int rounds, long long period_us, long long floor_sleep_ms,
             unsigned seed)
{
    Metrics metrics{out};
    std::ofstream csv(out / "stop.csv");
    csv << "round,mode,phase_ms,stop_ns\n";
    const std::vector<std::string> modes{"msleep", "interruptible", "hrtimer", "floor"};
    std::map<std::string, std::vector<double>> samples;
    std::mt19937 rng{seed};
    std::uniform_real_distribution<double> phase_ms(0.0, static_cast<double>(period_us) / 1000.0);
    SavedSetting autostart{lab, "periodic/autostart"};
    lab.write("periodic/autostart", "0");
    Items items{lab};
    const fs::path floor_exp = "experiments/spawn/bench-floor";
    items.make(floor_exp);

    for (int round = 0; round < rounds; ++round) {
        auto order = modes;
        std::shuffle(order.begin(), order.end(), rng);
        for (const auto& mode : order) {
            double stop_ns = 0;
            double phase = 0;
            if (mode == "floor") {
                // One thread asleep for floor_sleep_ms, so the CPUs are idle
                // when kthread_stop() wakes it, as for the lab's stops.
                const auto r = run_spawn_experiment(lab, floor_exp, 1, floor_sleep_ms);
                stop_ns = r.stop.max;
            } else {
                const fs::path item = fmt::format("periodic/bench-stop-{}", mode);
                items.make(item);
                lab.write(item / "period_us", std::to_string(period_us));
                lab.write(item / "sleep_mode", mode);
                lab.write(item / "start", "1");
                const auto started = Clock::now();
                wait_for(lab, item / "ran", "1");
                // a uniformly random point of the period since the thread's first instruction
                phase = phase_ms(rng);
                const double waited = ms_since(started);
                sleep_ms(std::max(0.0, phase - waited));
                lab.write(item / "stop", "1");
                stop_ns = std::stod(lab.read_value(item / "stop_latency_ns"));
                const auto result = lab.read_value(item / "stop_result");
                if (result != "0") {
                    throw std::runtime_error(fmt::format("{}: stop_result {}", item.string(), result));
                }
                items.remove(item);
            }
            samples[mode].push_back(stop_ns);
            csv << fmt::format("{},{},{:.1f},{:.0f}\n", round, mode, phase, stop_ns);
        }
        if ((round + 1) % 10 == 0 || round + 1 == rounds) {
            progress(fmt::format("stop latency: {}/{} rounds", round + 1, rounds));
        }
    }
    for (const auto& mode : modes) {
        metrics.put_stats("stop_" + mode + "_ns", samples[mode]);
    }
    metrics.put("stop_period_us", period_us);
    metrics.put("stop_floor_sleep_ms", floor_sleep_ms);
    return 0;
}

// ---- memory ----

struct MemSample {
    std::map<std::string, long long> meminfo_kb;    // MemAvailable, KernelStack, Slab, ...
    std::map<std::string, long long> slab_bytes;    // per cache: active objects * object size
};

MemSample read_memory()
{
    MemSample m;
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    long long value = 0;
    std::string unit;
    std::string line;
    while (std::getline(meminfo, line)) {
        std::istringstream in{line};
        if (in >> key >> value) {
            key.pop_back();  // the colon
            m.meminfo_kb[key] = value;
        }
    }
    std::ifstream slabinfo("/proc/slabinfo");
    while (std::getline(slabinfo, line)) {
        if (line.starts_with("slabinfo") || line.starts_with('#')) {
            continue;
        }
        std::istringstream in{line};
        std::string name;
        long long active = 0;
        long long total = 0;
        long long objsize = 0;
        long long per_slab = 0;
        long long pages_per_slab = 0;
        if (in >> name >> active >> total >> objsize >> per_slab >> pages_per_slab) {
            // whole slabs: what the cache holds from the page allocator
            const long long slab_bytes = pages_per_slab * 4096;
            const long long slabs = per_slab > 0 ? (total + per_slab - 1) / per_slab : 0;
            m.slab_bytes[name] = slabs * slab_bytes;
        }
    }
    return m;
}

// Per-thread deltas between two samples into metrics under `prefix`.
void put_memory_delta(Metrics& metrics, const std::string& prefix, const MemSample& before, const MemSample& after,
                      long long n, std::ofstream& csv)
{
    const auto kb = [&](const char* key) {
        const auto b = before.meminfo_kb.find(key);
        const auto a = after.meminfo_kb.find(key);
        return (a == after.meminfo_kb.end() || b == before.meminfo_kb.end()) ? 0LL : a->second - b->second;
    };
    const auto per = static_cast<double>(n);
    // MemAvailable drops by what the threads took
    metrics.put(prefix + "_memavailable_b", fmt::format("{:.0f}", -1024.0 * static_cast<double>(kb("MemAvailable")) / per));
    metrics.put(prefix + "_kernelstack_b", fmt::format("{:.0f}", 1024.0 * static_cast<double>(kb("KernelStack")) / per));
    metrics.put(prefix + "_slab_b", fmt::format("{:.0f}", 1024.0 * static_cast<double>(kb("Slab")) / per));
    metrics.put(prefix + "_pagetables_b", fmt::format("{:.0f}", 1024.0 * static_cast<double>(kb("PageTables")) / per));
    long long slab_total = 0;
    long long kmalloc_total = 0;
    long long configfs_total = 0;
    for (const auto& [cache, bytes] : after.slab_bytes) {
        const auto b = before.slab_bytes.find(cache);
        const long long delta = bytes - (b == before.slab_bytes.end() ? 0 : b->second);
        slab_total += delta;
        if (cache.starts_with("kmalloc-")) {
            kmalloc_total += delta;
        }
        // what configfs makes per item: its dirents, the directory's dentry and inode
        if (cache == "configfs_dir_cache" || cache == "dentry" || cache == "inode_cache") {
            configfs_total += delta;
        }
        // the caches that moved by more than 64 bytes a thread
        if (std::llabs(delta) > 64 * n) {
            csv << fmt::format("{},{},{:.0f}\n", prefix, cache, static_cast<double>(delta) / per);
        }
    }
    metrics.put(prefix + "_slabcaches_b", fmt::format("{:.0f}", static_cast<double>(slab_total) / per));
    metrics.put(prefix + "_kmalloc_b", fmt::format("{:.0f}", static_cast<double>(kmalloc_total) / per));
    metrics.put(prefix + "_configfs_b", fmt::format("{:.0f}", static_cast<double>(configfs_total) / per));
}

// ---- spawn (and scale) ----

// Runs `args`, stdout to `out_fd`; returns the exit status.
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

// Tasks whose name starts with ktl_ (the lab's and the experiments' threads).
int count_lab_tasks()
{
    int n = 0;
    DIR* proc = opendir("/proc");
    if (proc == nullptr) {
        throw ktlab::FsError("opendir", "/proc", errno);
    }
    while (const dirent* entry = readdir(proc)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') {
            continue;
        }
        std::ifstream comm(fmt::format("/proc/{}/comm", entry->d_name));
        std::string name;
        if (std::getline(comm, name) && name.starts_with("ktl_")) {
            ++n;
        }
    }
    closedir(proc);
    return n;
}

struct LsOptions {
    int runs = 0;
    std::string ktlab;
};

void measure_ls(ktlab::LabFs& lab, Metrics& metrics, const std::string& prefix, long long expected,
                const LsOptions& ls)
{
    const std::vector<std::string> command{ls.ktlab, "--root", lab.root().string(), "ls", "--json"};
    {
        // the listing is complete and parses
        std::string path = "/tmp/ktlab-bench-XXXXXX";
        const int fd = mkstemp(path.data());
        if (fd < 0) {
            throw ktlab::FsError("mkstemp", path, errno);
        }
        const int status = run_program(command, fd);
        close(fd);
        const auto listing = nlohmann::json::parse(ktlab::read_whole_file(path));
        unlink(path.c_str());
        if (status != 0 || std::cmp_not_equal(listing.at("threads").size(), expected)) {
            throw std::runtime_error(fmt::format("ktlab ls --json: status {}, {} threads listed, {} expected", status,
                                                 listing.at("threads").size(), expected));
        }
    }
    // closed on every way out, a failed run or a failed read alike
    const ktlab::UniqueFd devnull = ktlab::open_or_throw("/dev/null", O_WRONLY, "open");
    // one run of a program, its output thrown away: how many milliseconds it took
    const auto timed_run = [&devnull](const std::vector<std::string>& args, std::string_view what) {
        const auto start = Clock::now();
        if (run_program(args, devnull.get()) != 0) {
            throw std::runtime_error(fmt::format("{} failed", what));
        }
        return ms_since(start);
    };
    std::vector<double> ls_ms;
    std::vector<double> read_ms;
    std::vector<double> parse_ms;
    std::vector<double> json_ms;
    std::vector<double> startup_ms;
    std::vector<double> cat_ms;
    std::size_t bytes = 0;
    // the attribute read by a program that does nothing else: the same
    // process start and the same read as ktlab's, without the tool's work
    const std::vector<std::string> cat{"/bin/cat", (lab.root() / "snapshot").string()};
    // interleaved, so both see the same conditions
    for (int run = 0; run < ls.runs; ++run) {
        ls_ms.push_back(timed_run(command, "ktlab ls --json"));
        startup_ms.push_back(timed_run({ls.ktlab, "--version"}, "ktlab --version"));
        cat_ms.push_back(timed_run(cat, "cat snapshot"));
        auto start = Clock::now();
        const std::string text = lab.read("snapshot");
        read_ms.push_back(ms_since(start));
        bytes = text.size();
        start = Clock::now();
        const auto threads = ktlab::parse_snapshot(text);
        parse_ms.push_back(ms_since(start));
        start = Clock::now();
        const std::string json = ktlab::threads_to_json_text(threads);
        json_ms.push_back(ms_since(start));
    }
    metrics.put_stats(prefix + "_ls_json_ms", ls_ms);
    metrics.put_stats(prefix + "_snapshot_read_ms", read_ms);
    metrics.put_stats(prefix + "_snapshot_parse_ms", parse_ms);
    metrics.put_stats(prefix + "_json_render_ms", json_ms);
    metrics.put_stats(prefix + "_ktlab_version_ms", startup_ms);
    metrics.put_stats(prefix + "_cat_snapshot_ms", cat_ms);
    metrics.put(prefix + "_snapshot_bytes", bytes);
}

// The same number of mkdirs and rmdirs, with the same names, in a fresh
// directory on tmpfs: what the system call and the VFS cost from this
// process with no file system work behind them.  A configfs mkdir that
// starts a thread cannot cost less than this plus the in-kernel creation.
void measure_tmpfs_mkdir(Metrics& metrics, const fs::path& tmpfs_dir, long long items)
{
    struct statfs fs_info {};
    if (statfs(tmpfs_dir.c_str(), &fs_info) != 0) {
        throw ktlab::FsError("statfs", tmpfs_dir.string(), errno);
    }
    if (fs_info.f_type != TMPFS_MAGIC) {
        progress(fmt::format("spawn: {} is not a tmpfs: no tmpfs baseline", tmpfs_dir.string()));
        return;
    }
    std::string dir = (tmpfs_dir / "ktlab-bench-XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) {
        throw ktlab::FsError("mkdtemp", dir, errno);
    }
    progress(fmt::format("spawn: {} mkdirs and rmdirs on tmpfs ({})", items, dir));
    std::vector<std::string> names;
    names.reserve(static_cast<std::size_t>(items));
    for (long long i = 0; i < items; ++i) {
        names.push_back(fmt::format("{}/bench{:06}", dir, i));
    }
    std::vector<double> mkdir_ns;
    std::vector<double> rmdir_ns;
    mkdir_ns.reserve(names.size());
    rmdir_ns.reserve(names.size());
    int errors = 0;
    for (const auto& name : names) {
        const auto t0 = Clock::now();
        errors += ::mkdir(name.c_str(), 0755) != 0 ? 1 : 0;
        mkdir_ns.push_back(static_cast<double>(ns_between(t0, Clock::now())));
    }
    for (const auto& name : names) {
        const auto t0 = Clock::now();
        errors += ::rmdir(name.c_str()) != 0 ? 1 : 0;
        rmdir_ns.push_back(static_cast<double>(ns_between(t0, Clock::now())));
    }
    ::rmdir(dir.c_str());
    if (errors != 0) {
        throw std::runtime_error(fmt::format("tmpfs baseline: {} mkdirs or rmdirs failed in {}", errors, dir));
    }
    const std::string prefix = fmt::format("tmpfs_{}", items);
    metrics.put_stats(prefix + "_mkdir_ns", mkdir_ns);
    metrics.put_stats(prefix + "_rmdir_ns", rmdir_ns);
}

struct SpawnOptions {
    long long items = 1000;
    std::string behaviour = "wait";
    bool baseline = true;
    fs::path tmpfs_dir = "/dev/shm";
    bool memory = false;
    int stop_threads = 8;
    bool stop_all = true;
    LsOptions ls;
};

int cmd_spawn(ktlab::LabFs& lab, const fs::path& out, const SpawnOptions& opt)
{
    Metrics metrics{out};
    const std::string prefix = fmt::format("spawn_{}_{}", opt.behaviour, opt.items);
    std::ofstream memcsv(out / "memory.csv", std::ios::app);
    if (!ktlab::list_items(lab).empty()) {
        throw std::runtime_error("the lab is not empty; run 'ktlab clear' first");
    }
    std::optional<SavedSetting> max_threads;
    if (std::stoll(lab.read_value("max_threads")) < opt.items + 2) {
        max_threads.emplace(lab, "max_threads");
        lab.write("max_threads", std::to_string(opt.items + 2));
    }

    if (opt.baseline) {
        // The in-kernel baseline: the same number of threads made, woken and
        // waited for one by one; with --memory they stay asleep a while so
        // that a sampler sees what they hold.
        progress(fmt::format("spawn: in-kernel baseline, {} threads", opt.items));
        Items exps{lab};
        const fs::path exp = fmt::format("experiments/spawn/bench-{}", opt.items);
        exps.make(exp);
        const MemSample before = read_memory();
        std::atomic<bool> done{false};
        MemSample peak = before;
        std::thread sampler;
        if (opt.memory) {
            sampler = std::thread([&] {
                while (!done.load()) {
                    sleep_ms(200);
                    MemSample now = read_memory();
                    // the most kernel stacks: the most threads alive (MemAvailable
                    // moves with the page cache too much to tell)
                    if (now.meminfo_kb["KernelStack"] > peak.meminfo_kb["KernelStack"]) {
                        peak = std::move(now);
                    }
                }
            });
        }
        SpawnResult r;
        try {
            r = run_spawn_experiment(lab, exp, opt.items, opt.memory ? 4000 : 0);
        } catch (...) {
            done = true;
            if (sampler.joinable()) {
                sampler.join();
            }
            throw;
        }
        done = true;
        if (sampler.joinable()) {
            sampler.join();
        }
        const std::string bp = fmt::format("baseline_spawn_{}", opt.items);
        metrics.put(bp + "_completed", r.completed);
        metrics.put(bp + "_timed_out", r.timed_out ? 1 : 0);
        metrics.put(bp + "_create_avg_ns", r.create.avg);
        metrics.put(bp + "_create_p99_ns", r.create.p99);
        metrics.put(bp + "_wake_to_run_avg_ns", r.wake_to_run.avg);
        metrics.put(bp + "_wake_to_run_p99_ns", r.wake_to_run.p99);
        metrics.put(bp + "_stop_avg_ns", r.stop.avg);
        metrics.put(bp + "_elapsed_ns", r.elapsed_ns);
        if (opt.memory && r.completed > 0) {
            put_memory_delta(metrics, "mem_bare_kthread", before, peak, r.completed, memcsv);
        }
    }

    if (opt.baseline) {
        measure_tmpfs_mkdir(metrics, opt.tmpfs_dir, opt.items);
    }

    SavedSetting autostart{lab, fs::path{opt.behaviour} / "autostart"};
    // busy threads would each burn a CPU: they are measured as created
    const bool start = opt.behaviour != "busy";
    lab.write(fs::path{opt.behaviour} / "autostart", start ? "1" : "0");
    Items items{lab};
    std::vector<double> mkdir_ns(static_cast<std::size_t>(opt.items));
    std::vector<double> ran_ns(static_cast<std::size_t>(opt.items));
    // reads of `ran` until it said 1: more than one when the thread had not
    // run yet as mkdir returned
    std::vector<double> ran_reads(static_cast<std::size_t>(opt.items));
    std::vector<double> ran_reread_ns(static_cast<std::size_t>(opt.items));
    const MemSample before = read_memory();
    progress(fmt::format("spawn: {} {} items through configfs", opt.items, opt.behaviour));
    const auto all_start = Clock::now();
    for (long long i = 0; i < opt.items; ++i) {
        const fs::path item = fs::path{opt.behaviour} / fmt::format("bench{:06}", i);
        const auto t0 = Clock::now();
        items.make(item);
        const auto t1 = Clock::now();
        // its function has run: `ran` reads 1. Re-read at once, yielding
        // the CPU: a sleep between reads would add its own wake-up.
        if (start) {
            ran_reads[static_cast<std::size_t>(i)] = wait_for_yielding(lab, item / "ran", "1");
        }
        const auto t2 = Clock::now();
        if (start) {
            // the same read again, its file looked up already: what one
            // read of an attribute costs without configfs making its inode
            read_short(lab.full(item / "ran"));
            ran_reread_ns[static_cast<std::size_t>(i)] = static_cast<double>(ns_between(t2, Clock::now()));
        }
        mkdir_ns[static_cast<std::size_t>(i)] = static_cast<double>(ns_between(t0, t1));
        ran_ns[static_cast<std::size_t>(i)] = static_cast<double>(ns_between(t0, t2));
        if ((i + 1) % 1000 == 0 && opt.items >= 5000) {
            progress(fmt::format("spawn: {}/{} made ({:.0f} s)", i + 1, opt.items, ms_since(all_start) / 1000));
        }
    }
    const double spawn_all_ms = ms_since(all_start);
    if (opt.memory) {
        sleep_ms(500);
        put_memory_delta(metrics, fmt::format("mem_{}", opt.behaviour), before, read_memory(), opt.items, memcsv);
    }
    metrics.put(prefix + "_all_ms", fmt::format("{:.0f}", spawn_all_ms));
    metrics.put_stats(prefix + "_mkdir_ns", mkdir_ns);
    metrics.put_stats(prefix + "_to_ran_ns", ran_ns);
    if (start) {
        metrics.put(prefix + "_ran_reads_avg", fmt::format("{:.2f}", mean(ran_reads)));
        metrics.put_stats(prefix + "_ran_reread_ns", ran_reread_ns);
    }

    if (opt.ls.runs > 0) {
        progress(fmt::format("scale: ktlab ls --json and the raw snapshot read, {} runs each", opt.ls.runs));
        measure_ls(lab, metrics, prefix, opt.items, opt.ls);
    }

    // stop all, then remove all, each timed
    std::vector<double> stop_ns(static_cast<std::size_t>(opt.items));
    std::vector<double> rmdir_ns(static_cast<std::size_t>(opt.items));
    const auto made = items.release();
    if (opt.stop_all) {
        progress(fmt::format("spawn: stopping {} items", made.size()));
    }
    auto phase_start = Clock::now();
    // Stop writes from several threads at once, as `ktlab stop` of many
    // items would: each write waits for its own kthread_stop(), and one at a
    // time 10,000 of them would take minutes of emulated wake-ups.
    std::atomic<int> stop_errors{0};
    std::atomic<std::size_t> next{0};
    {
        std::vector<std::jthread> stoppers;
        stoppers.reserve(static_cast<std::size_t>(opt.stop_threads));
        for (int t = 0; t < opt.stop_threads; ++t) {
            stoppers.emplace_back([&] {
                ktlab::LabFs mine{lab.root()};
                for (std::size_t i = next++; i < made.size(); i = next++) {
                    const auto t0 = Clock::now();
                    try {
                        if (opt.stop_all && start && opt.behaviour != "oneshot") {
                            mine.write(made[i] / "stop", "1");
                        }
                    } catch (const ktlab::FsError& error) {
                        ++stop_errors;
                        fmt::print(stderr, "ktlab_bench: {}\n", error.what());
                    }
                    stop_ns[i] = static_cast<double>(ns_between(t0, Clock::now()));
                }
            });
        }
    }
    const double stop_all_ms = ms_since(phase_start);
    progress(fmt::format("spawn: removing {} items", made.size()));
    phase_start = Clock::now();
    int rmdir_errors = 0;
    for (std::size_t i = 0; i < made.size(); ++i) {
        const auto t0 = Clock::now();
        try {
            lab.remove_dir(made[i]);
        } catch (const ktlab::FsError& error) {
            ++rmdir_errors;
            fmt::print(stderr, "ktlab_bench: {}\n", error.what());
        }
        rmdir_ns[i] = static_cast<double>(ns_between(t0, Clock::now()));
    }
    const double rmdir_all_ms = ms_since(phase_start);
    metrics.put(prefix + "_stop_all_ms", fmt::format("{:.0f}", stop_all_ms));
    metrics.put(prefix + "_rmdir_all_ms", fmt::format("{:.0f}", rmdir_all_ms));
    metrics.put_stats(prefix + "_stop_write_ns", stop_ns);
    metrics.put_stats(prefix + "_rmdir_ns", rmdir_ns);
    metrics.put(prefix + "_errors", stop_errors.load() + rmdir_errors);
    // nothing left: no item, no ktl_ task (rmdir waits for the stop; poll briefly for stragglers)
    int left = count_lab_tasks();
    for (int i = 0; i < 50 && left > 0; ++i) {
        sleep_ms(100);
        left = count_lab_tasks();
    }
    metrics.put(prefix + "_tasks_left", left);
    metrics.put(prefix + "_items_left", ktlab::list_items(lab).size());

    std::ofstream csv(out / fmt::format("spawn-{}-{}.csv", opt.behaviour, opt.items));
    csv << "index,mkdir_ns,to_ran_ns,stop_write_ns,rmdir_ns\n";
    for (std::size_t i = 0; i < made.size(); ++i) {
        csv << fmt::format("{},{:.0f},{:.0f},{:.0f},{:.0f}\n", i, mkdir_ns[i], ran_ns[i], stop_ns[i], rmdir_ns[i]);
    }
    return (stop_errors.load() + rmdir_errors + left) == 0 ? 0 : 1;
}

// ---- lateness ----

int cmd_lateness(ktlab::LabFs& lab, const fs::path& out, const std::vector<std::string>& modes, long long period_us,
                 int seconds, const std::string& tag)
{
    Metrics metrics{out};
    SavedSetting autostart{lab, "periodic/autostart"};
    lab.write("periodic/autostart", "0");
    Items items{lab};
    std::vector<fs::path> paths;
    for (const auto& mode : modes) {
        const fs::path item = fmt::format("periodic/bench-late-{}", mode);
        items.make(item);
        lab.write(item / "period_us", std::to_string(period_us));
        lab.write(item / "sleep_mode", mode);
        paths.push_back(item);
    }
    for (const auto& item : paths) {
        lab.write(item / "start", "1");
    }
    // lateness_ns's p99 covers the latest 1024 ticks: read it about once per
    // 1024 periods and average the windows' p99s
    const double window_ms = std::max(200.0, static_cast<double>(period_us) * 1024 / 1000.0);
    std::vector<std::vector<double>> p99s(paths.size());
    const auto start = Clock::now();
    while (ms_since(start) < seconds * 1000.0) {
        sleep_ms(std::min(window_ms, seconds * 1000.0 - ms_since(start) + 1));
        for (std::size_t i = 0; i < paths.size(); ++i) {
            if (const auto s = parse_stat4(lab.read_value(paths[i] / "lateness_ns"))) {
                p99s[i].push_back(s->p99);
            }
        }
    }
    for (std::size_t i = 0; i < paths.size(); ++i) {
        const auto s = parse_stat4(lab.read_value(paths[i] / "lateness_ns"));
        const std::string hist = lab.read(paths[i] / "lateness_hist");
        const std::string loops = lab.read_value(paths[i] / "loops");
        lab.write(paths[i] / "stop", "1");
        if (!s) {
            throw std::runtime_error(fmt::format("{}: no ticks", paths[i].string()));
        }
        const std::string p = fmt::format("late_{}_{}", tag, modes[i]);
        metrics.put(p + "_ticks", loops);
        metrics.put(p + "_min_ns", s->min);
        metrics.put(p + "_avg_ns", s->avg);
        metrics.put(p + "_max_ns", s->max);
        metrics.put(p + "_p99_ns", fmt::format("{:.0f}", mean(p99s[i])));
        metrics.put(p + "_p99_windows", p99s[i].size());
        std::ofstream csv(out / fmt::format("lateness-hist-{}-{}.txt", tag, modes[i]));
        csv << hist;
    }
    return 0;
}

// ---- idle ----

// utime + stime of a task, in clock ticks.
long long cpu_ticks(int pid)
{
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string text;
    std::getline(stat, text);
    // fields after the command's closing parenthesis: state is field 3
    std::istringstream in{text.substr(text.rfind(')') + 2)};
    std::vector<std::string> fields;
    std::string field;
    while (in >> field) {
        fields.push_back(field);
    }
    // utime, stime are fields 14, 15: 12 and 13 after the state
    if (fields.size() < 13) {
        throw std::runtime_error(fmt::format("/proc/{}/stat: too short", pid));
    }
    return std::stoll(fields[11]) + std::stoll(fields[12]);
}

int cmd_idle(ktlab::LabFs& lab, const fs::path& out, int seconds)
{
    Metrics metrics{out};
    SavedSetting autostart{lab, "wait/autostart"};
    lab.write("wait/autostart", "1");
    Items items{lab};
    const std::vector<std::string> modes{"sleep", "spin"};
    std::vector<int> pids;
    for (const auto& mode : modes) {
        const fs::path item = fmt::format("wait/bench-idle-{}", mode);
        items.make(item);
        lab.write(item / "wait_mode", mode);
        wait_for(lab, item / "ran", "1");
        pids.push_back(std::stoi(lab.read_value(item / "pid")));
    }
    const long hz = sysconf(_SC_CLK_TCK);
    std::vector<long long> before;
    before.reserve(pids.size());
    for (const int pid : pids) {
        before.push_back(cpu_ticks(pid));
    }
    const auto start = Clock::now();
    sleep_ms(seconds * 1000.0);
    const double elapsed_s = ms_since(start) / 1000;
    for (std::size_t i = 0; i < pids.size(); ++i) {
        const double cpu_s = static_cast<double>(cpu_ticks(pids[i]) - before[i]) / static_cast<double>(hz);
        metrics.put(fmt::format("idle_{}_cpu_pct", modes[i]), fmt::format("{:.3f}", 100.0 * cpu_s / elapsed_s));
    }
    metrics.put("idle_seconds", fmt::format("{:.1f}", elapsed_s));
    metrics.put("idle_clk_tck", hz);
    return 0;
}

}  // namespace

int run(int argc, char** argv)
{
    CLI::App app{"make bench's configfs-driven measurements (run in the guest as root)", "ktlab_bench"};
    app.require_subcommand(1);
    std::string root{ktlab::default_root};
    std::string out_dir = ".";
    app.add_option("--root", root, "Lab root")->envname("KTLAB_ROOT")->capture_default_str();
    app.add_option("--out", out_dir, "Directory for the CSVs and metrics.txt")->capture_default_str();

    auto* stop = app.add_subcommand("stop", "Stop latency per sleep mode beside the in-kernel floor");
    int rounds = 50;
    long long period_us = 1000000;
    long long floor_sleep_ms = 200;
    unsigned seed = 1;
    stop->add_option("--rounds", rounds, "Stops per mode")->check(CLI::Range(1, 10000))->capture_default_str();
    stop->add_option("--period-us", period_us, "Period")->check(CLI::Range(1000LL, 10000000LL))->capture_default_str();
    stop->add_option("--floor-sleep-ms", floor_sleep_ms, "How long the floor's thread sleeps before its stop")
        ->check(CLI::Range(1LL, 10000LL))
        ->capture_default_str();
    stop->add_option("--seed", seed, "Random phases' seed")->capture_default_str();

    auto* spawn = app.add_subcommand("spawn", "mkdir -> running per item against experiments/spawn");
    SpawnOptions sopt;
    spawn->add_option("--items,-n", sopt.items, "Items")->check(CLI::Range(1LL, 100000LL))->capture_default_str();
    spawn->add_option("--behaviour", sopt.behaviour, "Behaviour group")->capture_default_str();
    spawn->add_flag("!--no-baseline", sopt.baseline, "Skip the in-kernel and the tmpfs baselines");
    spawn->add_option("--tmpfs-dir", sopt.tmpfs_dir, "Where the tmpfs baseline makes its directories")
        ->capture_default_str();
    spawn->add_option("--stop-threads", sopt.stop_threads, "Threads writing `stop` at once")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    spawn->add_flag("!--no-stop", sopt.stop_all, "Remove the items without a `stop` write first");
    spawn->add_flag("--memory", sopt.memory, "Memory per thread from meminfo and slabinfo deltas");
    spawn->add_option("--ls-runs", sopt.ls.runs, "Timed runs of ktlab ls --json (0: none)")->capture_default_str();
    sopt.ls.ktlab = "build/tools/ktlab/ktlab";
    spawn->add_option("--ktlab", sopt.ls.ktlab, "ktlab binary")->capture_default_str();

    auto* lateness = app.add_subcommand("lateness", "Tick lateness of periodic items");
    std::vector<std::string> modes{"hrtimer"};
    long long late_period_us = 1000;
    int late_seconds = 30;
    std::string tag = "alone";
    lateness->add_option("--modes", modes, "Sleep modes, one item each, all at once")->delimiter(',');
    lateness->add_option("--period-us", late_period_us, "Period")->capture_default_str();
    lateness->add_option("--seconds", late_seconds, "Duration")->capture_default_str();
    lateness->add_option("--tag", tag, "Name of this run in the figures")->capture_default_str();

    auto* idle = app.add_subcommand("idle", "CPU time of a sleeping and a spinning wait thread");
    int idle_seconds = 10;
    idle->add_option("--seconds", idle_seconds, "Duration")->capture_default_str();

    CLI11_PARSE(app, argc, argv);

    ktlab::LabFs lab{root};
    ktlab::ensure_lab(lab);
    const fs::path out{out_dir};
    fs::create_directories(out);
    if (*stop) {
        return cmd_stop(lab, out, rounds, period_us, floor_sleep_ms, seed);
    }
    if (*spawn) {
        return cmd_spawn(lab, out, sopt);
    }
    if (*lateness) {
        return cmd_lateness(lab, out, modes, late_period_us, late_seconds, tag);
    }
    return cmd_idle(lab, out, idle_seconds);
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
