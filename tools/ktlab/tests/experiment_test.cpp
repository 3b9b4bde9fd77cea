// ktlab experiment: result parsing, how runs add up, the chunking of a sweep
// into runs that fit the kernel's bound, the table, JSON, CSV and gnuplot input;
// the command line's refusals against a fake lab.
#include "experiment.hpp"

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "fake_lab.hpp"
#include "plot.hpp"

namespace ktlab {
namespace {

Results race_results(long long completed, long long fn_ran, Stat first_run, long long elapsed_ns = 1000)
{
    Results results;
    results.counts = {{"completed", completed}, {"fn_ran", fn_ran}, {"eintr", completed - fn_ran},
                      {"other", 0},         {"elapsed_ns", elapsed_ns}};
    results.stats = {{"first_run_ns", first_run}, {"stop_ns", Stat{10, 20, 30, 30}}};
    return results;
}

TEST(ExperimentResults, NoneIsAbsentOneNumberACountFourAStat)
{
    Results results;
    EXPECT_TRUE(add_result(results, "completed", "none\n"));
    EXPECT_TRUE(results.counts.empty());
    EXPECT_TRUE(add_result(results, "completed", "1000\n"));
    EXPECT_TRUE(add_result(results, "first_run_ns", "-2300 810000 9100000 2700000\n"));
    EXPECT_EQ(results.count("completed"), 1000);
    EXPECT_EQ(results.stat("first_run_ns"), (Stat{-2300, 810000, 9100000, 2700000}));
    EXPECT_EQ(results.count("absent"), 0);
    EXPECT_FALSE(results.stat("absent"));
}

TEST(ExperimentResults, AnythingElseIsRefused)
{
    Results results;
    EXPECT_FALSE(add_result(results, "x", "spin"));
    EXPECT_FALSE(add_result(results, "x", "1 2"));
    EXPECT_FALSE(add_result(results, "x", "1 2 3 4 5"));
    EXPECT_FALSE(add_result(results, "x", "1 2 three 4"));
    EXPECT_FALSE(add_result(results, "x", ""));
    EXPECT_TRUE(results.counts.empty());
    EXPECT_TRUE(results.stats.empty());
}

TEST(ExperimentResults, CombinedCountsAddAndStatsMergeByTheirOwnSamples)
{
    // first_run_ns is over fn_ran rounds: 100 at avg 1000, 300 at avg 2000.
    const Results a = race_results(1000, 100, Stat{5, 1000, 9000, 4000});
    const Results b = race_results(500, 300, Stat{-7, 2000, 8000, 6000});
    const Results sum = combine(a, b);
    EXPECT_EQ(sum.count("completed"), 1500);
    EXPECT_EQ(sum.count("fn_ran"), 400);
    EXPECT_EQ(sum.count("eintr"), 1100);
    EXPECT_EQ(sum.count("elapsed_ns"), 2000);
    EXPECT_EQ(sum.stat("first_run_ns"), (Stat{-7, 1750, 9000, 6000}));
    // stop_ns is over completed rounds; equal avgs stay equal.
    EXPECT_EQ(sum.stat("stop_ns"), (Stat{10, 20, 30, 30}));
}

TEST(ExperimentResults, AStatOnOneSideOnlyIsKept)
{
    Results a = race_results(10, 0, Stat{});
    a.stats.erase("first_run_ns");  // no function ran: "none"
    const Results b = race_results(10, 4, Stat{1, 2, 3, 3});
    EXPECT_EQ(combine(a, b).stat("first_run_ns"), (Stat{1, 2, 3, 3}));
    EXPECT_EQ(combine(b, a).stat("first_run_ns"), (Stat{1, 2, 3, 3}));
}

TEST(ExperimentResults, WeightsAreTheCountsTheAbiNames)
{
    EXPECT_EQ(stat_weight("first_run_ns"), "fn_ran");
    EXPECT_EQ(stat_weight("stop_ns"), "completed");
    EXPECT_EQ(stat_weight("create_ns"), "completed");
}

// A kernel that completes every run it is asked for, each unit costing unit_ns,
// but ends a run at 25 s with ETIMEDOUT as the module does.
struct FakeRuns {
    long long unit_ns;
    std::vector<long long> asked;

    ChunkOutcome operator()(long long size)
    {
        asked.push_back(size);
        constexpr long long bound_ns = 25'000'000'000;
        const long long fit = bound_ns / unit_ns;
        const long long done = std::min(size, fit);
        ChunkOutcome outcome;
        outcome.results = race_results(done, done / 2, Stat{1, 2, 3, 3}, done * unit_ns);
        outcome.sys_errno = done < size ? ETIMEDOUT : 0;
        return outcome;
    }
};

TEST(ExperimentChunks, ASmallSweepIsOneRun)
{
    FakeRuns runs{3'000'000, {}};
    ChunkPlan plan;
    plan.total = 1000;
    const Chunked out = run_in_chunks(std::ref(runs), plan);
    EXPECT_EQ(runs.asked, std::vector<long long>{1000});
    EXPECT_EQ(out.chunks, 1);
    EXPECT_EQ(out.results.count("completed"), 1000);
}

TEST(ExperimentChunks, ALongSweepIsSizedFromTheFirstRunsTime)
{
    FakeRuns runs{20'000'000, {}};  // 20 ms a round: 600 fit in the 12 s target
    ChunkPlan plan;
    plan.total = 2000;
    plan.guess_unit_ns = 20'000'000;
    const Chunked out = run_in_chunks(std::ref(runs), plan);
    EXPECT_EQ(runs.asked, (std::vector<long long>{600, 600, 600, 200}));
    EXPECT_EQ(out.timeouts, 0);
    EXPECT_EQ(out.results.count("completed"), 2000);
    EXPECT_EQ(out.results.count("fn_ran"), 1000);
}

TEST(ExperimentChunks, AfterATimeoutTheCompletedCountAndRunsAreSmaller)
{
    FakeRuns runs{100'000'000, {}};  // 100 ms a round, guessed at 5 ms: the first run times out
    ChunkPlan plan;
    plan.total = 1000;
    const Chunked out = run_in_chunks(std::ref(runs), plan);
    ASSERT_GE(runs.asked.size(), 2U);
    EXPECT_EQ(runs.asked[0], 1000);
    EXPECT_EQ(runs.asked[1], 120);  // 250 completed in 25 s: at most 125, and 12 s worth
    EXPECT_EQ(out.timeouts, 1);
    EXPECT_EQ(out.results.count("completed"), 1000);
}

TEST(ExperimentChunks, ARunThatCompletesNothingIsATimeout)
{
    auto nothing = [](long long) {
        ChunkOutcome outcome;
        outcome.results.counts = {{"completed", 0}};
        outcome.sys_errno = ETIMEDOUT;
        return outcome;
    };
    ChunkPlan plan;
    plan.total = 10;
    try {
        (void)run_in_chunks(nothing, plan);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::timed_out);
        EXPECT_EQ(error.sys_errno(), ETIMEDOUT);
    }
}

TEST(ExperimentChunks, ARunThatSucceedsShortIsAnError)
{
    auto short_run = [](long long size) {
        ChunkOutcome outcome;
        outcome.results.counts = {{"completed", size - 1}};
        return outcome;
    };
    ChunkPlan plan;
    plan.total = 10;
    EXPECT_THROW((void)run_in_chunks(short_run, plan), Error);
}

TEST(ExperimentChunks, NoRunIsLargerThanTheKernelTakes)
{
    FakeRuns runs{1000, {}};
    ChunkPlan plan;
    plan.total = 250000;
    plan.max_chunk = 100000;
    plan.guess_unit_ns = 1000;
    (void)run_in_chunks(std::ref(runs), plan);
    EXPECT_EQ(runs.asked, (std::vector<long long>{100000, 100000, 50000}));
}

RaceSweep two_placements()
{
    RaceSweep sweep;
    sweep.machine = {"6.1.0-57-amd64", 2};
    sweep.runs = 1000;
    sweep.delay_mode = "spin";
    Chunked any0{race_results(1000, 464, Stat{-500, 810000, 9000000, 2700000}), 1, 0};
    Chunked any1{race_results(1000, 1000, Stat{1, 2000, 3000, 2500}), 2, 1};
    Chunked same0{race_results(1000, 0, Stat{}), 1, 0};
    same0.results.stats.erase("first_run_ns");
    sweep.points = {{"any", 0, any0, {{"delay_mode", "spin"}}},
                    {"any", 1000000, any1, {{"delay_mode", "spin"}}},
                    {"same", 0, same0, {{"delay_mode", "spin"}}}};
    return sweep;
}

TEST(ExperimentRender, RaceTableHasOneRowPerPointAndAPlacementColumnWhenSeveral)
{
    const std::string table = render_race_table(two_placements());
    EXPECT_EQ(table, "race: 1000 runs per delay, delay_mode spin; kernel 6.1.0-57-amd64, 2 CPUs\n"
                     "PLACEMENT    DELAY  RUNS  P(RAN)  EINTR  FIRST_RUN_AVG  FIRST_RUN_P99\n"
                     "any           0 ns  1000   0.464    536         810 us        2.70 ms\n"
                     "any        1.00 ms  1000   1.000      0        2.00 us        2.50 us\n"
                     "same          0 ns  1000   0.000   1000              -              -\n"
                     "(some figures combine up to 2 runs: avg is their weighted mean, p99 the largest of "
                     "their p99s, an upper bound)\n");
    RaceSweep one = two_placements();
    one.points.resize(1);
    EXPECT_EQ(render_race_table(one), "race: 1000 runs per delay, delay_mode spin, placement any; kernel "
                                      "6.1.0-57-amd64, 2 CPUs\n"
                                      "DELAY  RUNS  P(RAN)  EINTR  FIRST_RUN_AVG  FIRST_RUN_P99\n"
                                      " 0 ns  1000   0.464    536         810 us        2.70 ms\n");
}

TEST(ExperimentRender, RaceJsonHasEveryResultAndNullForNone)
{
    const auto json = race_to_json(two_placements());
    EXPECT_EQ(json["experiment"], "race");
    EXPECT_EQ(json["machine"]["cpus"], 2);
    ASSERT_EQ(json["points"].size(), 3U);
    EXPECT_EQ(json["points"][0]["p_ran"], 0.464);
    EXPECT_EQ(json["points"][0]["results"]["first_run_ns"]["p99"], 2700000);
    EXPECT_EQ(json["points"][0]["results"]["other"], 0);
    EXPECT_EQ(json["points"][1]["chunks"], 2);
    EXPECT_FALSE(json["points"][2]["results"].contains("first_run_ns"));
    EXPECT_EQ(json["points"][2]["parameters"]["delay_mode"], "spin");
}

TEST(ExperimentRender, RaceCsvIsAHeaderAndOneLinePerPoint)
{
    EXPECT_EQ(race_csv(two_placements()),
              "placement,delay_mode,delay_ns,runs,fn_ran,eintr,other,p_ran,first_run_avg_ns,first_run_p99_ns,chunks\n"
              "any,spin,0,1000,464,536,0,0.464,810000,2700000,1\n"
              "any,spin,1000000,1000,1000,0,0,1.000,2000,2500,2\n"
              "same,spin,0,1000,0,1000,0,0.000,,,1\n");
}

TEST(ExperimentRender, TheInvariantIsChecked)
{
    RaceSweep sweep = two_placements();
    EXPECT_TRUE(race_invariant_violations(sweep).empty());
    sweep.points[1].outcome.results.counts["other"] = 1;
    const auto warnings = race_invariant_violations(sweep);
    ASSERT_EQ(warnings.size(), 1U);
    EXPECT_NE(warnings[0].find("delay 1000000 ns"), std::string::npos);
}

TEST(ExperimentRender, PlotDataHasOneBlockPerPlacementAndZeroOnTheLogAxis)
{
    const auto plot = race_plot(two_placements(), "/tmp/d'ata", "/tmp/out.svg");
    EXPECT_EQ(plot.data, "# placement any\n# delay_us p_ran delay_ns\n"
                         "250 0.4640 0\n"
                         "1000 1.0000 1000000\n"
                         "\n\n"
                         "# placement same\n# delay_us p_ran delay_ns\n"
                         "250 0.0000 0\n");
    EXPECT_NE(plot.script.find("set terminal svg"), std::string::npos);
    EXPECT_NE(plot.script.find("set output '/tmp/out.svg'\n"), std::string::npos);
    EXPECT_NE(plot.script.find("set logscale x\nset xrange [125:2000]\nset xtics add ('0' 250)\n"),
              std::string::npos);
    EXPECT_NE(plot.script.find("plot '/tmp/d''ata' index 0 using 1:2"), std::string::npos);
    EXPECT_NE(plot.script.find("'' index 1 using 1:2 with linespoints linewidth 2 pointtype 7 title 'placement same'"),
              std::string::npos);
}

TEST(ExperimentRender, OnlyDelayZeroIsALinearAxis)
{
    RaceSweep sweep = two_placements();
    sweep.points.erase(sweep.points.begin() + 1);
    const auto plot = race_plot(sweep, "d", "o");
    EXPECT_EQ(plot.script.find("logscale"), std::string::npos);
    EXPECT_NE(plot.data.find("\n0 0.4640 0\n"), std::string::npos);
}

TEST(ExperimentRender, GnuplotQuotingDoublesQuotesAndDropsNewlines)
{
    EXPECT_EQ(gnuplot_quote("a'b\nc"), "'a''b c'");
}

TEST(ExperimentRender, SpawnTableCsvAndJson)
{
    SpawnResult spawn;
    spawn.machine = {"6.12.117+deb12-amd64", 2};
    spawn.threads = 1000;
    spawn.outcome.chunks = 1;
    spawn.outcome.results.counts = {{"completed", 1000}, {"elapsed_ns", 4400000000}};
    spawn.outcome.results.stats = {{"create_ns", Stat{900000, 1800000, 9000000, 5000000}},
                                   {"stop_ns", Stat{65000, 1350000, 8000000, 4000000}}};
    spawn.parameters = {{"sleep_before_stop_ms", "0"}};
    EXPECT_EQ(render_spawn_table(spawn),
              "spawn: 1000 threads, 1000 completed in 1 run (4.40 s), sleep_before_stop_ms 0; kernel "
              "6.12.117+deb12-amd64, 2 CPUs\n"
              "PER THREAD      MIN      AVG      MAX      P99\n"
              "create_ns    900 us  1.80 ms  9.00 ms  5.00 ms\n"
              "stop_ns     65.0 us  1.35 ms  8.00 ms  4.00 ms\n");
    EXPECT_EQ(spawn_csv(spawn), "statistic,samples,min_ns,avg_ns,max_ns,p99_ns\n"
                                "create_ns,1000,900000,1800000,9000000,5000000\n"
                                "stop_ns,1000,65000,1350000,8000000,4000000\n");
    const auto json = spawn_to_json(spawn);
    EXPECT_EQ(json["results"]["create_ns"]["avg"], 1800000);
    EXPECT_EQ(json["parameters"]["sleep_before_stop_ms"], 0);
}

TEST(ExperimentPlot, FindProgramSearchesEachPathEntry)
{
    EXPECT_EQ(find_program("sh", "/nonexistent:/bin"), std::filesystem::path{"/bin/sh"});
    EXPECT_FALSE(find_program("sh", "/nonexistent"));
    EXPECT_FALSE(find_program("bin", "/"));  // a directory is no program
}

class ExperimentCliTest : public ::testing::Test {
protected:
    void SetUp() override { fake.make_module("busy wait periodic oneshot experiments"); }
    testing::FakeLab fake;
};

TEST_F(ExperimentCliTest, AModuleWithoutExperimentsIsAUsageErrorNamingTheFeature)
{
    const auto result = testing::run_ktlab(fake.root(), {"experiment", "race", "--runs", "10"});
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::usage));
    EXPECT_NE(result.err.find("has no experiments/race"), std::string::npos) << result.err;
    EXPECT_EQ(result.out, "");
}

TEST_F(ExperimentCliTest, BadOptionsAreUsageErrorsBeforeAnything)
{
    std::filesystem::create_directories(fake.root() / "experiments/race");
    for (const auto& args : std::vector<std::vector<std::string>>{{"experiment", "race", "--runs", "0"},
                                                                  {"experiment", "race", "--delays", "5,-1"},
                                                                  {"experiment", "race", "--delays", "x"},
                                                                  {"experiment", "spawn", "--threads", "-3"},
                                                                  {"experiment"}}) {
        const auto result = testing::run_ktlab(fake.root(), args);
        EXPECT_EQ(result.status, static_cast<int>(ExitCode::usage)) << args.back() << ": " << result.err;
    }
    EXPECT_TRUE(std::filesystem::is_empty(fake.root() / "experiments/race"));
}

TEST_F(ExperimentCliTest, SvgWithoutGnuplotFailsBeforeTheSweepAsJson)
{
    std::filesystem::create_directories(fake.root() / "experiments/race");
    const char* saved = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): single-threaded test
    const std::string path = saved != nullptr ? saved : "";
    ::setenv("PATH", "/nonexistent", 1);  // NOLINT(concurrency-mt-unsafe)
    const auto result =
        testing::run_ktlab(fake.root(), {"experiment", "race", "--svg", (fake.scratch() / "p.svg").string(), "--json"});
    ::setenv("PATH", path.c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
    EXPECT_EQ(result.status, static_cast<int>(ExitCode::io));
    const auto error = nlohmann::json::parse(result.err);
    EXPECT_NE(error["error"]["message"].get<std::string>().find("gnuplot-nox"), std::string::npos);
    EXPECT_TRUE(std::filesystem::is_empty(fake.root() / "experiments/race"));
}

}  // namespace
}  // namespace ktlab
