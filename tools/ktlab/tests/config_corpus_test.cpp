// The save-file loader against malformed documents: every one must be refused
// with a ConfigError naming the JSONPath of the bad value, never with another
// exception, and nothing out of range may be wrapped into range.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config.hpp"

namespace ktlab {
namespace {

using nlohmann::json;

constexpr std::string_view not_a_save_file = R"("format" is not "kthread_lab-config": not a ktlab save file)";

// A valid save file using every field.
json valid_document()
{
    return json::parse(R"({
      "format": "kthread_lab-config", "version": 1, "module_version": "1.0.0",
      "groups": [{"behaviour": "busy", "autostart": 1}, {"behaviour": "wait", "autostart": 0}],
      "threads": [
        {"behaviour": "busy", "name": "spin", "state": "running", "cpu": -1, "nice": 0, "retval": 0,
         "stop_timeout_ms": 5000, "params": {"honor_stop": 1, "resched": 0}},
        {"behaviour": "periodic", "name": "tick", "state": "parked", "cpu": 1, "nice": -5, "retval": -4,
         "stop_timeout_ms": 100, "params": {"period_us": 1000, "sleep_mode": "hrtimer"}},
        {"behaviour": "teleport", "name": "t", "state": "created", "params": {"warp": 18446744073709551615}}
      ]})");
}

// The message of the ConfigError that parse_config throws, or a failure.
std::string refusal(std::string_view text)
{
    try {
        (void)parse_config(text);
    } catch (const ConfigError& error) {
        return error.what();
    } catch (const std::exception& error) {
        ADD_FAILURE() << "not a ConfigError: " << error.what() << "\n  document: " << text;
        return {};
    }
    ADD_FAILURE() << "accepted: " << text;
    return {};
}

struct Case {
    const char* what;
    std::string document;
    std::string message;  // the start of the error message: the JSONPath and what is wrong
};

// A document with one thread whose fields are `thread` (JSON object members).
std::string with_thread(const std::string& thread)
{
    return R"({"format": "kthread_lab-config", "version": 1, "threads": [)" + thread + "]}";
}

std::string with_top(const std::string& members)
{
    return R"({"format": "kthread_lab-config", "version": 1, )" + members + "}";
}

std::string repeated(std::string_view text, std::size_t times)
{
    std::string out;
    for (std::size_t i = 0; i < times; ++i) {
        out += text;
    }
    return out;
}

const std::string base_thread = R"("behaviour": "busy", "name": "a", "state": "running")";

std::vector<Case> corpus()
{
    const std::string ok = base_thread;
    return {
        {"a top level that is an array", "[]", "$: must be an object, not an array"},
        {"a top level that is a string", R"("x")", R"($: must be an object, not a string ("x"))"},
        {"a top level that is null", "null", "$: must be an object, not null"},
        {"format as a number", R"({"format": 5, "version": 1, "threads": []})", "$.format: must be a string, not 5"},
        {"format as an array", R"({"format": ["kthread_lab-config"], "version": 1, "threads": []})",
         "$.format: must be a string, not an array"},
        {"format as an object", R"({"format": {}, "threads": []})", "$.format: must be a string, not an object"},
        {"format as a boolean", R"({"format": true, "threads": []})", "$.format: must be a string, not true"},
        {"another format", R"({"format": "other", "version": 1, "threads": []})", std::string{not_a_save_file}},
        {"no format", R"({"version": 1, "threads": []})", std::string{not_a_save_file}},
        {"version as a string", R"({"format": "kthread_lab-config", "version": "1", "threads": []})",
         R"($.version: must be an integer from -2147483648 to 2147483647, not a string ("1"))"},
        {"version as a fraction", R"({"format": "kthread_lab-config", "version": 1.0, "threads": []})",
         "$.version: must be an integer from -2147483648 to 2147483647, not a fraction (1.0)"},
        {"version too large for any integer", R"({"format": "kthread_lab-config", "version": 18446744073709551615})",
         "$.version: must be an integer from -2147483648 to 2147483647, not 18446744073709551615"},
        {"no version", R"({"format": "kthread_lab-config", "threads": []})", "$.version: missing"},
        {"a later version", R"({"format": "kthread_lab-config", "version": 2, "threads": []})",
         "$.version: unsupported save file version 2 (this ktlab reads version 1)"},
        {"module_version as a number", with_top(R"("module_version": 5, "threads": [])"),
         "$.module_version: must be a string, not 5"},
        {"module_version as an object", with_top(R"("module_version": {"v": 1}, "threads": [])"),
         "$.module_version: must be a string, not an object"},
        {"groups as an object", with_top(R"("groups": {}, "threads": [])"),
         "$.groups: must be an array, not an object"},
        {"a group that is a number", with_top(R"("groups": [{"behaviour": "busy"}, 5], "threads": [])"),
         "$.groups[1]: must be an object, not 5"},
        {"a group without behaviour", with_top(R"("groups": [{"autostart": 1}], "threads": [])"),
         "$.groups[0].behaviour: missing"},
        {"a group behaviour as a number", with_top(R"("groups": [{"behaviour": 5}], "threads": [])"),
         "$.groups[0].behaviour: must be a string, not 5"},
        {"autostart 2", with_top(R"("groups": [{"behaviour": "busy", "autostart": 2}], "threads": [])"),
         "$.groups[0].autostart: must be an integer from 0 to 1, not 2"},
        {"autostart -1", with_top(R"("groups": [{"behaviour": "busy", "autostart": -1}], "threads": [])"),
         "$.groups[0].autostart: must be an integer from 0 to 1, not -1"},
        {"autostart as a boolean", with_top(R"("groups": [{"behaviour": "busy", "autostart": true}], "threads": [])"),
         "$.groups[0].autostart: must be an integer from 0 to 1, not true"},
        {"no threads", with_top(R"("groups": [])"), "$.threads: missing"},
        {"threads null", with_top(R"("threads": null)"), "$.threads: missing"},
        {"threads as an object", with_top(R"("threads": {"busy/a": {}})"),
         "$.threads: must be an array, not an object"},
        {"a thread that is null", with_top(R"("threads": [null])"), "$.threads[0]: must be an object, not null"},
        {"a thread that is an array", with_thread("{" + ok + "}, []"), "$.threads[1]: must be an object, not an array"},
        {"a thread without behaviour", with_thread(R"({"name": "a", "state": "running"})"),
         "$.threads[0].behaviour: missing"},
        {"a thread without name", with_thread(R"({"behaviour": "busy", "state": "running"})"),
         "$.threads[0].name: missing"},
        {"a thread without state", with_thread(R"({"behaviour": "busy", "name": "a"})"),
         "$.threads[0].state: missing"},
        {"a name as a number", with_thread(R"({"behaviour": "busy", "name": 7, "state": "running"})"),
         "$.threads[0].name: must be a string, not 7"},
        {"a name that leaves the group", with_thread(R"({"behaviour": "busy", "name": "../x", "state": "running"})"),
         R"($.threads[0].name: "../x" is not a usable name)"},
        {"a state as an array", with_thread(R"({"behaviour": "busy", "name": "a", "state": []})"),
         "$.threads[0].state: must be a string, not an array"},
        {"cpu 2^64-1, which used to read back as -1", with_thread("{" + ok + R"(, "cpu": 18446744073709551615})"),
         "$.threads[0].cpu: must be an integer from -1 to 2147483647, not 18446744073709551615"},
        {"cpu 2^63", with_thread("{" + ok + R"(, "cpu": 9223372036854775808})"),
         "$.threads[0].cpu: must be an integer from -1 to 2147483647, not 9223372036854775808"},
        {"cpu 2^64, a float to the parser", with_thread("{" + ok + R"(, "cpu": 18446744073709551616})"),
         "$.threads[0].cpu: must be an integer from -1 to 2147483647, not a fraction"},
        {"cpu 2^31", with_thread("{" + ok + R"(, "cpu": 2147483648})"),
         "$.threads[0].cpu: must be an integer from -1 to 2147483647, not 2147483648"},
        {"cpu -2", with_thread("{" + ok + R"(, "cpu": -2})"),
         "$.threads[0].cpu: must be an integer from -1 to 2147483647, not -2"},
        {"cpu below -2^63", with_thread("{" + ok + R"(, "cpu": -9223372036854775809})"),
         "$.threads[0].cpu: must be an integer from -1 to 2147483647, not a fraction"},
        {"cpu as a fraction", with_thread("{" + ok + R"(, "cpu": 1.5})"),
         "$.threads[0].cpu: must be an integer from -1 to 2147483647, not a fraction (1.5)"},
        {"cpu in exponent form", with_thread("{" + ok + R"(, "cpu": 1e0})"),
         "$.threads[0].cpu: must be an integer from -1 to 2147483647, not a fraction"},
        {"cpu as a string", with_thread("{" + ok + R"(, "cpu": "1"})"),
         R"($.threads[0].cpu: must be an integer from -1 to 2147483647, not a string ("1"))"},
        {"cpu as a boolean", with_thread("{" + ok + R"(, "cpu": false})"),
         "$.threads[0].cpu: must be an integer from -1 to 2147483647, not false"},
        {"nice 2^31", with_thread("{" + ok + R"(, "nice": 2147483648})"),
         "$.threads[0].nice: must be an integer from -2147483648 to 2147483647, not 2147483648"},
        {"nice below -2^31", with_thread("{" + ok + R"(, "nice": -2147483649})"),
         "$.threads[0].nice: must be an integer from -2147483648 to 2147483647, not -2147483649"},
        {"retval 2^32-1", with_thread("{" + ok + R"(, "retval": 4294967295})"),
         "$.threads[0].retval: must be an integer from -2147483648 to 2147483647, not 4294967295"},
        {"a negative stop_timeout_ms", with_thread("{" + ok + R"(, "stop_timeout_ms": -1})"),
         "$.threads[0].stop_timeout_ms: must be an integer from 0 to 4294967295, not -1"},
        {"stop_timeout_ms 2^32", with_thread("{" + ok + R"(, "stop_timeout_ms": 4294967296})"),
         "$.threads[0].stop_timeout_ms: must be an integer from 0 to 4294967295, not 4294967296"},
        {"stop_timeout_ms as a fraction", with_thread("{" + ok + R"(, "stop_timeout_ms": 0.5})"),
         "$.threads[0].stop_timeout_ms: must be an integer from 0 to 4294967295, not a fraction (0.5)"},
        {"params as an array", with_thread("{" + ok + R"(, "params": [1]})"),
         "$.threads[0].params: must be an object, not an array"},
        {"a parameter as a fraction", with_thread("{" + ok + R"(, "params": {"job_ms": 1.5}})"),
         "$.threads[0].params.job_ms: must be a string or an integer, not a fraction (1.5)"},
        {"a parameter as null", with_thread("{" + ok + R"(, "params": {"job_ms": null}})"),
         "$.threads[0].params.job_ms: must be a string or an integer, not null"},
        {"a parameter as a boolean", with_thread("{" + ok + R"(, "params": {"honor_stop": true}})"),
         "$.threads[0].params.honor_stop: must be a string or an integer, not true"},
        {"a parameter with white space", with_thread("{" + ok + R"(, "params": {"wait_mode": "spin now"}})"),
         R"($.threads[0].params.wait_mode: "spin now" contains white space or control characters)"},
        {"a parameter with a second line", with_thread("{" + ok + R"(, "params": {"wait_mode": "spin\nstop"}})"),
         R"($.threads[0].params.wait_mode: "spin\nstop" contains white space or control characters)"},
        {"a parameter name that leaves the item", with_thread("{" + ok + R"(, "params": {"../stop": 1}})"),
         R"($.threads[0].params["../stop"]: is not a usable parameter name)"},
        {"an unknown behaviour with garbage parameters",
         with_thread(R"({"behaviour": "teleport", "name": "t", "state": "running", "params": {"warp": {"speed": 9}}})"),
         "$.threads[0].params.warp: must be a string or an integer, not an object"},
        {"an unknown behaviour with an array parameter",
         with_thread(R"({"behaviour": "teleport", "name": "t", "state": "running", "params": {"to": ["mars"]}})"),
         "$.threads[0].params.to: must be a string or an integer, not an array"},
        {"a duplicated top-level key",
         R"({"format": "kthread_lab-config", "format": "kthread_lab-config", "version": 1, "threads": []})",
         "$.format: the key appears twice in the same object"},
        {"a duplicated thread key", with_thread(R"({"behaviour": "busy", "name": "a", "name": "b", "state": "running"})"),
         "$.threads[0].name: the key appears twice in the same object"},
        {"deep nesting inside threads", with_top(R"("threads": )" + std::string(100, '[') + std::string(100, ']')),
         "$.threads" + repeated("[0]", 15) + ": nested more than 16 levels deep"},
        {"deep nesting at the top", std::string(100000, '[') + std::string(100000, ']'),
         "$" + repeated("[0]", 16) + ": nested more than 16 levels deep"},
        {"an empty file", "", "$: not valid JSON: "},
        {"white space only", " \n\t ", "$: not valid JSON: "},
        {"a truncated thread", with_thread("{" + ok).substr(0, with_thread("{" + ok).size() - 2),
         "$.threads[0].state: not valid JSON: "},
        {"a truncated key", R"({"format": "kthread_lab-config", "vers)", "$.format: not valid JSON: "},
        {"junk after the document", with_top(R"("threads": [])") + " x", "$: not valid JSON: "},
        {"a second document", with_top(R"("threads": [])") + "{}", "$: not valid JSON: "},
        {"a comment", "// a save file\n" + with_top(R"("threads": [])"), "$: not valid JSON: "},
        {"a name that is not UTF-8", with_thread(R"({"behaviour": "busy", "name": ")" + std::string{"\xff\xfe"} + R"(", "state": "running"})"),
         "$.threads[0].name: not valid JSON: "},
        {"a truncated UTF-8 sequence", with_thread(R"({"behaviour": "busy", "name": "caf)" + std::string{"\xc3"} + R"(", "state": "running"})"),
         "$.threads[0].name: not valid JSON: "},
        {"a NUL byte in a string", with_thread(R"({"behaviour": "busy", "name": "a)" + std::string(1, '\0') + R"(b", "state": "running"})"),
         "$.threads[0].name: not valid JSON: "},
        {"NaN", with_thread("{" + ok + R"(, "cpu": NaN})"), "$.threads[0].cpu: not valid JSON: "},
        {"Infinity", with_thread("{" + ok + R"(, "nice": -Infinity})"), "$.threads[0].nice: not valid JSON: "},
        {"a number beyond double", with_thread("{" + ok + R"(, "retval": 1e400})"),
         "$.threads[0].retval: not valid JSON: number overflow parsing '1e400'"},
        {"single quotes", R"({'format': 'kthread_lab-config'})", "$: not valid JSON: "},
    };
}

TEST(ConfigCorpus, EveryMalformedDocumentIsRefusedWithTheJsonPathOfTheBadValue)
{
    for (const auto& c : corpus()) {
        const auto message = refusal(c.document);
        EXPECT_EQ(message.substr(0, c.message.size()), c.message) << c.what;
    }
}

TEST(ConfigCorpus, NumbersAtTheEdgesOfTheirRangesAreKeptExactly)
{
    const auto config = parse_config(with_thread(
        "{" + base_thread +
        R"(, "cpu": 2147483647, "nice": -2147483648, "retval": 2147483647, "stop_timeout_ms": 4294967295,)"
        R"( "params": {"big": 18446744073709551615, "small": -9223372036854775808}})"));
    const auto& thread = config.threads.at(0);
    EXPECT_EQ(thread.cpu, 2147483647);
    EXPECT_EQ(thread.nice, -2147483648LL);
    EXPECT_EQ(thread.retval, 2147483647);
    EXPECT_EQ(thread.stop_timeout_ms, 4294967295LL);
    EXPECT_EQ(thread.params.at("big"), "18446744073709551615");
    EXPECT_EQ(thread.params.at("small"), "-9223372036854775808");
}

TEST(ConfigCorpus, AThreadNamedTwiceIsLeftToThePlan)
{
    // Not malformed: restore skips the second one ("it appears more than once in the file").
    const auto config = parse_config(with_thread("{" + base_thread + "}, {" + base_thread + "}"));
    EXPECT_EQ(config.threads.size(), 2U);
}

// The JSONPath of a node reached through `pointer`, as the loader writes it.
std::string json_path(const json::json_pointer& pointer, const json& document)
{
    std::string path = "$";
    const json* node = &document;
    std::vector<std::string> tokens;
    for (auto p = pointer; !p.empty(); p = p.parent_pointer()) {
        tokens.insert(tokens.begin(), p.back());
    }
    for (const auto& token : tokens) {
        if (node->is_array()) {
            path += "[" + token + "]";
            node = &(*node)[std::stoul(token)];
        } else {
            path += "." + token;
            node = &(*node)[token];
        }
    }
    return path;
}

void collect_pointers(const json& node, const json::json_pointer& at, std::vector<json::json_pointer>& out)
{
    out.push_back(at);
    if (node.is_object()) {
        for (const auto& [key, value] : node.items()) {
            collect_pointers(value, at / key, out);
        }
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
            collect_pointers(node[i], at / i, out);
        }
    }
}

TEST(ConfigCorpus, ReplacingAnyValueWithAnyTypeIsRefusedAtThatPathOrRoundTrips)
{
    const json document = valid_document();
    ASSERT_NO_THROW((void)config_from_json(document));
    const std::vector<json> replacements{
        nullptr, true, false, 0, -1, 1, 2, 1.5, -0.0, 2147483648LL, -2147483649LL, 4294967296LL,
        std::uint64_t{18446744073709551615ULL}, "", "x", "../x", "a b", json::array(), json::array({1}),
        json::object(), json::object({{"k", "v"}}), std::string(4096, 'y'),
    };
    std::vector<json::json_pointer> pointers;
    collect_pointers(document, json::json_pointer{}, pointers);
    std::size_t refused = 0;
    std::size_t accepted = 0;
    for (const auto& pointer : pointers) {
        const std::string path = json_path(pointer, document);
        for (const auto& replacement : replacements) {
            json mutated = document;
            mutated[pointer] = replacement;
            const std::string text = mutated.dump();
            try {
                const auto config = parse_config(text);
                ++accepted;
                EXPECT_EQ(parse_config(config_to_json(config).dump()), config) << text;
            } catch (const ConfigError& error) {
                ++refused;
                const std::string message = error.what();
                const bool names_the_path = message.starts_with(path) &&
                                            (message.size() == path.size() || message[path.size()] == ':' ||
                                             message[path.size()] == '.' || message[path.size()] == '[');
                EXPECT_TRUE(names_the_path || message == not_a_save_file)
                    << path << " := " << replacement.dump() << ": " << message;
            } catch (const std::exception& error) {
                ADD_FAILURE() << path << " := " << replacement.dump() << ": " << error.what();
            }
        }
    }
    EXPECT_GT(refused, pointers.size());  // most replacements are wrong
    EXPECT_GT(accepted, 0U);              // and some are fine (a name for a name, null for an optional field)
}

TEST(ConfigCorpus, TruncatedAtEveryByteIsRefused)
{
    const std::string text = valid_document().dump(1);
    for (std::size_t length = 0; length < text.size(); ++length) {
        const auto message = refusal(std::string_view{text}.substr(0, length));
        EXPECT_TRUE(message.starts_with("$")) << length << ": " << message;
    }
}

TEST(ConfigCorpus, RandomByteMutationsNeverEscapeAsAnotherException)
{
    const std::string text = valid_document().dump();
    // A fixed seed on purpose: the same documents on every run, so a failure reproduces.
    std::mt19937 random{20261127};  // NOLINT(cert-msc32-c,cert-msc51-cpp)
    std::uniform_int_distribution<int> byte{0, 255};
    std::uniform_int_distribution<int> edit{0, 3};
    for (int round = 0; round < 5000; ++round) {
        std::string mutated = text;
        const int edits = 1 + round % 3;
        for (int i = 0; i < edits && !mutated.empty(); ++i) {
            std::uniform_int_distribution<std::size_t> at{0, mutated.size() - 1};
            const auto where = at(random);
            switch (edit(random)) {
            case 0: mutated[where] = static_cast<char>(byte(random)); break;
            case 1: mutated.erase(where, 1); break;
            case 2: mutated.insert(where, 1, static_cast<char>(byte(random))); break;
            default: mutated.insert(where, mutated.substr(where, 8)); break;  // repeat a piece
            }
        }
        try {
            const auto config = parse_config(mutated);
            EXPECT_EQ(parse_config(config_to_json(config).dump()), config) << mutated;
        } catch (const ConfigError& error) {
            const std::string message = error.what();
            EXPECT_TRUE(message.starts_with("$") || message == not_a_save_file) << message;
        } catch (const std::exception& error) {
            ADD_FAILURE() << error.what() << "\n  document: " << mutated;
        }
    }
}

}  // namespace
}  // namespace ktlab
