#include "format.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ktlab {
namespace {

ThreadRecord record(std::string behaviour, std::string name, std::vector<std::pair<std::string, std::string>> attrs)
{
    return {std::move(behaviour), std::move(name), std::move(attrs)};
}

TEST(Duration, PicksAReadableUnit)
{
    EXPECT_EQ(format_duration_ns(0), "0 ns");
    EXPECT_EQ(format_duration_ns(850), "850 ns");
    EXPECT_EQ(format_duration_ns(1'000), "1.00 us");
    EXPECT_EQ(format_duration_ns(12'345), "12.3 us");
    EXPECT_EQ(format_duration_ns(4'560'000), "4.56 ms");
    EXPECT_EQ(format_duration_ns(123'456'789), "123 ms");
    EXPECT_EQ(format_duration_ns(1'230'000'000), "1.23 s");
    EXPECT_EQ(format_duration_ns(5'000'000'000), "5.00 s");
}

TEST(Rate, PicksAReadablePrefix)
{
    EXPECT_EQ(format_rate(0.0), "0/s");
    EXPECT_EQ(format_rate(1.5), "1.50/s");
    EXPECT_EQ(format_rate(950.0), "950/s");
    EXPECT_EQ(format_rate(12'345.0), "12.3k/s");
    EXPECT_EQ(format_rate(4'560'000.0), "4.56M/s");
    EXPECT_EQ(format_rate(2e9), "2.00G/s");
}

TEST(Table, AlignsColumnsNumbersRight)
{
    Table table{{"NAME", "LOOPS"}};
    table.add_row({"a", "5"});
    table.add_row({"longer", "12345"});
    EXPECT_EQ(table.render(), "NAME    LOOPS\n"
                              "a           5\n"
                              "longer  12345\n");
}

TEST(Table, MixedColumnIsLeftAligned)
{
    Table table{{"X"}};
    table.add_row({"10"});
    table.add_row({"abc"});
    EXPECT_EQ(table.render(), "X\n10\nabc\n");
}

TEST(ThreadTable, ShowsStopResultWithErrnoAndLatency)
{
    const std::vector<ThreadRecord> threads{
        record("wait", "w", {{"state", "stopped"}, {"pid", "7"}, {"cpu", "-1"}, {"ran", "0"}, {"loops", "0"},
                             {"stop_result", "-4"}, {"stop_latency_ns", "2500000"}}),
    };
    const auto text = render_thread_table(threads);
    EXPECT_NE(text.find("NAME  BEHAVIOUR  STATE"), std::string::npos);
    EXPECT_NE(text.find("-4 (EINTR)"), std::string::npos);
    EXPECT_NE(text.find("2.50 ms"), std::string::npos);
    EXPECT_EQ(text.find("LOOPS/S"), std::string::npos);
}

TEST(ThreadTable, RatesAddAColumnAndMissingValuesAreDashes)
{
    const std::vector<ThreadRecord> threads{record("busy", "b", {{"state", "running"}, {"loops", "10"}})};
    const std::map<std::string, double> rates{{"busy/b", 2000.0}};
    const auto text = render_thread_table(threads, &rates);
    EXPECT_NE(text.find("LOOPS/S"), std::string::npos);
    EXPECT_NE(text.find("2.00k/s"), std::string::npos);
    EXPECT_NE(text.find(" - "), std::string::npos);
}

TEST(Units, AttributesGetTheirUnits)
{
    EXPECT_EQ(value_with_unit("stop_timeout_ms", "5000"), "5000 ms");
    EXPECT_EQ(value_with_unit("period_us", "1000"), "1000 us");
    EXPECT_EQ(value_with_unit("stop_latency_ns", "1500000"), "1500000 ns (1.50 ms)");
    EXPECT_EQ(value_with_unit("stop_latency_ns", "900"), "900 ns");
    EXPECT_EQ(value_with_unit("stop_latency_ns", "none"), "none");
    EXPECT_EQ(value_with_unit("lateness_ns", "1 2 3 4"), "1 2 3 4 ns");
    EXPECT_EQ(value_with_unit("stop_result", "-4"), "-4 (EINTR)");
    EXPECT_EQ(value_with_unit("state", "running"), "running");
}

TEST(Units, ShowRendersMultiLineValuesIndented)
{
    const auto text = render_attributes(record("periodic", "p", {{"period_us", "100"}, {"lateness_hist", "0 1\n10 2"}}));
    EXPECT_EQ(text, "thread         periodic/p\n"
                    "period_us      100 us\n"
                    "lateness_hist:\n"
                    "   0-10 us  ####################                      1\n"
                    "  >= 10 us  ########################################  2\n");
    const auto other = render_attributes(record("periodic", "p", {{"period_us", "100"}, {"notes_text", "0 1\n10 2"}}));
    EXPECT_EQ(other, "thread      periodic/p\n"
                     "period_us   100 us\n"
                     "notes_text:\n"
                     "  0 1\n"
                     "  10 2\n");
}

TEST(Lateness, IsLabelledMinAvgMaxP99InReadableUnits)
{
    EXPECT_EQ(render_lateness("197020 887503 3608810 3608810"), "min 197 us  avg 888 us  max 3.61 ms  p99 3.61 ms");
    EXPECT_EQ(render_lateness("none"), "none");
    const auto text = render_attributes(record("periodic", "p", {{"lateness_ns", "850 1500 2000000 1999999"}}));
    EXPECT_EQ(text, "thread       periodic/p\n"
                    "lateness_ns  min 850 ns  avg 1.50 us  max 2.00 ms  p99 2.00 ms\n");
}

TEST(Lateness, HistogramIsABarChartWithBucketRangesFromTheFirstToTheLastUsedBucket)
{
    // As the module prints it: zero-padded "<lower bound, us> <count>", 1-2-5 bounds.
    const std::string hist = "000000 000000\n000001 000000\n000002 000000\n000005 000000\n000010 000000\n"
                             "000020 000000\n000050 000000\n000100 000008\n000200 000002\n000500 000000\n"
                             "001000 000001\n002000 000000\n005000 000000\n010000 000000\n020000 000000\n"
                             "050000 000000\n100000 000000\n200000 000000\n500000 000000\n1000000 000000";
    EXPECT_EQ(render_histogram(hist), "   100-200 us  ########################################  8\n"
                                      "   200-500 us  ##########                                2\n"
                                      "  500-1000 us                                            0\n"
                                      "       1-2 ms  #####                                     1\n");
    EXPECT_EQ(render_histogram("000000 000000\n1000000 000003"), "  >= 1 s  ########################################  3\n");
    EXPECT_EQ(render_histogram("000000 000000\n000001 000000"), "  (no ticks yet)\n");
    EXPECT_EQ(render_histogram("0 1\nnot a bucket"), std::nullopt);
    EXPECT_EQ(render_histogram("10 1\n5 1"), std::nullopt);  // bounds must rise
}

TEST(Json, ValuesAreTyped)
{
    EXPECT_EQ(value_to_json("42"), 42);
    EXPECT_EQ(value_to_json("-4"), -4);
    EXPECT_TRUE(value_to_json("none").is_null());
    EXPECT_EQ(value_to_json("sleep"), "sleep");
    EXPECT_EQ(value_to_json("1 2 3"), "1 2 3");
}

TEST(Json, ThreadKeepsKernelOrderAfterIdentity)
{
    const auto json = thread_to_json(record("busy", "b", {{"behaviour", "busy"}, {"state", "running"}, {"loops", "3"}}));
    EXPECT_EQ(json.dump(), R"({"id":"busy/b","name":"b","behaviour":"busy","state":"running","loops":3})");
}

TEST(Json, ListingParsesBackToTheSameObjects)
{
    const std::vector<ThreadRecord> threads{
        record("busy", "plain", {{"behaviour", "busy"}, {"pid", "12"}, {"stop_result", "none"}, {"nice", "-3"},
                                 {"odd", "007"}, {"plus", "+5"}, {"mode", "hrtimer"}}),
        record("wait", "q\"uote\\back", {{"behaviour", "wait"}, {"ctl", std::string{"a\x01b\tc"}}}),
        record("oneshot", "caf\xc3\xa9", {{"bad_utf8", "x\xff"}}),
    };
    const auto parsed = nlohmann::json::parse(threads_to_json_text(threads));
    ASSERT_EQ(parsed["threads"].size(), threads.size());
    for (std::size_t i = 0; i < threads.size(); ++i) {
        const auto expected = nlohmann::json::parse(
            thread_to_json(threads[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        EXPECT_EQ(parsed["threads"][i], expected) << i;
    }
    EXPECT_EQ(parsed["threads"][0]["odd"], 7);
    EXPECT_EQ(parsed["threads"][1]["name"], "q\"uote\\back");
    EXPECT_EQ(parsed["threads"][2]["name"], "caf\xc3\xa9");
    EXPECT_EQ(parsed["threads"][2]["behaviour"], "oneshot");
}

TEST(Json, ListingHasOneThreadPerLine)
{
    EXPECT_EQ(threads_to_json_text({}), "{\"threads\": []}\n");
    const auto text = threads_to_json_text({record("busy", "a", {}), record("busy", "b", {})});
    EXPECT_EQ(text, "{\"threads\": [\n{\"id\":\"busy/a\",\"name\":\"a\",\"behaviour\":\"busy\"},\n"
                    "{\"id\":\"busy/b\",\"name\":\"b\",\"behaviour\":\"busy\"}\n]}\n");
}

// `ls --json` of every thread goes straight from the snapshot's text: it must
// say exactly what parsing the snapshot and listing its threads says.
TEST(Json, ListingFromTheSnapshotTextIsTheParsedListing)
{
    const std::vector<std::string> snapshots{
        "# kthread_lab snapshot v1 items=0\n",
        "# kthread_lab snapshot v1 items=3\n"
        "busy/a behaviour=busy state=running pid=12 cpu=-1 nice=-3 ran=1 loops=18446744073709551615 retval=0 "
        "stop_timeout_ms=5000 stop_result=none stop_latency_ns=none parked=0 resched=1\n"
        "periodic/q\"uote\\back behaviour=periodic state=stopped pid=13 stop_result=-4 odd=007 plus=+5 "
        "sleep_mode=hrtimer\n"
        "\n"
        "wait/caf\xc3\xa9 behaviour=wait ctl=a\x01b bad_utf8=x\xff id=shadowed name=shadowed\n",
    };
    for (const auto& text : snapshots) {
        const auto direct = snapshot_to_json_text(text);
        ASSERT_TRUE(direct.has_value()) << text;
        EXPECT_EQ(*direct, threads_to_json_text(parse_snapshot(text))) << text;
    }
}

// Quotes, backslashes and control bytes inside a name or value come back
// unchanged through a JSON parser.
TEST(Json, EscapedCharactersRoundTripThroughAJsonParser)
{
    const auto direct = snapshot_to_json_text("# kthread_lab snapshot v1 items=1\n"
                                              "periodic/q\"uote\\back behaviour=periodic ctl=a\x01b\x1f tail=x\"\n");
    ASSERT_TRUE(direct.has_value());
    const auto thread = nlohmann::json::parse(*direct).at("threads").at(0);
    EXPECT_EQ(thread.at("name"), "q\"uote\\back");
    EXPECT_EQ(thread.at("id"), "periodic/q\"uote\\back");
    EXPECT_EQ(thread.at("ctl"), "a\x01b\x1f");
    EXPECT_EQ(thread.at("tail"), "x\"");
}

TEST(Json, ListingFromTheSnapshotTextLeavesAnUnsortedOneToTheCaller)
{
    EXPECT_FALSE(snapshot_to_json_text("# kthread_lab snapshot v1 items=2\n"
                                       "wait/b behaviour=wait\n"
                                       "wait/a behaviour=wait\n")
                     .has_value());
    EXPECT_FALSE(snapshot_to_json_text("# kthread_lab snapshot v1 items=2\n"
                                       "wait/a behaviour=wait\n"
                                       "busy/b behaviour=busy\n")
                     .has_value());
}

TEST(Json, ListingFromTheSnapshotTextRefusesWhatParsingRefuses)
{
    for (const char* text : {"", "# kthread_lab snapshot v2 items=0\n", "# kthread_lab snapshot v1 items=2\nbusy/a behaviour=busy\n",
                             "# kthread_lab snapshot v1 items=1\nbusy/a behaviour=busy behaviour=busy\n",
                             "# kthread_lab snapshot v1 items=1\nbusy/a behaviour=wait\n",
                             "# kthread_lab snapshot v1 items=1\nbusy/a state\n",
                             "# kthread_lab snapshot v1 items=1\nbusy behaviour=busy\n"}) {
        EXPECT_THROW((void)snapshot_to_json_text(text), SnapshotError) << text;
        EXPECT_THROW((void)parse_snapshot(text), SnapshotError) << text;
    }
}

}  // namespace
}  // namespace ktlab
