#include "config.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ktlab {

namespace {

using nlohmann::json;

// A save file is four levels deep ($.threads[i].params.key); anything much
// deeper is not one, and refusing it early bounds the parser's work.
constexpr std::size_t max_depth = 16;
constexpr std::size_t shown_value_max = 40;

struct IntRange {
    long long min;
    long long max;
};

constexpr IntRange int32_range{std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()};
constexpr IntRange cpu_range{-1, std::numeric_limits<std::int32_t>::max()};  // -1: any CPU
constexpr IntRange uint32_range{0, std::numeric_limits<std::uint32_t>::max()};
constexpr IntRange flag_range{0, 1};

bool is_identifier(std::string_view key)
{
    auto identifier_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    };
    return !key.empty() && !(key.front() >= '0' && key.front() <= '9') &&
           std::all_of(key.begin(), key.end(), identifier_char);
}

// A JSON value as it would appear in the file, shortened; bad UTF-8 shows as U+FFFD.
std::string shown(const json& value)
{
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > shown_value_max) {
        text.resize(shown_value_max);
        text += "...";
    }
    return text;
}

std::string type_of(const json& value)
{
    switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return fmt::format("a string ({})", shown(value));
    case json::value_t::boolean: return shown(value);
    case json::value_t::number_float: return fmt::format("a fraction ({})", shown(value));
    default: return shown(value);
    }
}

// One value of the document and its JSONPath ($.threads[3].cpu), for messages.
class Node {
public:
    Node(const json& value, std::string path) : value_(value), path_(std::move(path)) {}

    [[nodiscard]] const json& value() const { return value_; }
    [[nodiscard]] const std::string& path() const { return path_; }

    [[noreturn]] void fail(std::string_view problem) const
    {
        throw ConfigError(fmt::format("{}: {}", path_, problem));
    }

    void expect_object() const
    {
        if (!value_.is_object()) {
            fail(fmt::format("must be an object, not {}", type_of(value_)));
        }
    }

    void expect_array() const
    {
        if (!value_.is_array()) {
            fail(fmt::format("must be an array, not {}", type_of(value_)));
        }
    }

    // The member `key`, or nullopt when it is absent or null.
    [[nodiscard]] std::optional<Node> find(std::string_view key) const
    {
        const auto found = value_.find(key);
        if (found == value_.end() || found->is_null()) {
            return std::nullopt;
        }
        return Node{*found, member_path(path_, key)};
    }

    [[nodiscard]] Node required(std::string_view key) const
    {
        auto node = find(key);
        if (!node) {
            throw ConfigError(fmt::format("{}: missing", member_path(path_, key)));
        }
        return std::move(*node);
    }

    [[nodiscard]] Node element(std::size_t index) const
    {
        return Node{value_.at(index), fmt::format("{}[{}]", path_, index)};
    }

    [[nodiscard]] std::string string() const
    {
        if (!value_.is_string()) {
            fail(fmt::format("must be a string, not {}", type_of(value_)));
        }
        return value_.get<std::string>();
    }

    [[nodiscard]] long long integer(IntRange range) const
    {
        const bool in_range =
            (value_.is_number_unsigned() &&
             value_.get<std::uint64_t>() <= static_cast<std::uint64_t>(range.max)) ||
            (value_.is_number_integer() && !value_.is_number_unsigned() && value_.get<std::int64_t>() >= range.min &&
             value_.get<std::int64_t>() <= range.max);
        if (!in_range) {
            fail(fmt::format("must be an integer from {} to {}, not {}", range.min, range.max, type_of(value_)));
        }
        return value_.is_number_unsigned() ? static_cast<long long>(value_.get<std::uint64_t>())
                                           : value_.get<std::int64_t>();
    }

    static std::string member_path(const std::string& parent, std::string_view key)
    {
        if (is_identifier(key)) {
            return fmt::format("{}.{}", parent, key);
        }
        return fmt::format("{}[{}]", parent, shown(json(std::string{key})));
    }

private:
    const json& value_;
    std::string path_;
};

std::optional<long long> optional_int(const Node& object, std::string_view key, IntRange range)
{
    const auto node = object.find(key);
    if (!node) {
        return std::nullopt;
    }
    return node->integer(range);
}

std::string required_name(const Node& object, std::string_view key)
{
    const Node node = object.required(key);
    std::string name = node.string();
    if (!valid_entry_name(name)) {
        node.fail(fmt::format("{} is not a usable name", shown(node.value())));
    }
    return name;
}

bool has_space_or_control(std::string_view text)
{
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == '\x7f'; });
}

// Parameters are saved as the kernel prints them; numbers as JSON numbers for readability.
std::string param_value(const Node& node)
{
    const json& value = node.value();
    if (value.is_string()) {
        std::string text = value.get<std::string>();
        if (has_space_or_control(text)) {
            node.fail(fmt::format("{} contains white space or control characters", shown(value)));
        }
        return text;
    }
    if (value.is_number_unsigned()) {
        return std::to_string(value.get<std::uint64_t>());
    }
    if (value.is_number_integer()) {
        return std::to_string(value.get<std::int64_t>());
    }
    node.fail(fmt::format("must be a string or an integer, not {}", type_of(value)));
}

void check_format(const Node& root)
{
    const auto format = root.find("format");
    if (format && !format->value().is_string()) {
        format->fail(fmt::format("must be a string, not {}", type_of(format->value())));
    }
    if (!format || format->value().get<std::string>() != config_format_name) {
        throw ConfigError(fmt::format(R"("format" is not "{}": not a ktlab save file)", config_format_name));
    }
    const Node version = root.required("version");
    if (version.integer(int32_range) != config_format_version) {
        version.fail(fmt::format("unsupported save file version {} (this ktlab reads version {})",
                                 shown(version.value()), config_format_version));
    }
}

SavedGroup group_from(const Node& object)
{
    object.expect_object();
    return {required_name(object, "behaviour"), optional_int(object, "autostart", flag_range)};
}

SavedThread thread_from(const Node& object)
{
    object.expect_object();
    SavedThread thread{required_name(object, "behaviour"),
                       required_name(object, "name"),
                       object.required("state").string(),
                       optional_int(object, "cpu", cpu_range),
                       optional_int(object, "nice", int32_range),
                       optional_int(object, "retval", int32_range),
                       optional_int(object, "stop_timeout_ms", uint32_range),
                       {}};
    if (const auto params = object.find("params")) {
        params->expect_object();
        for (const auto& [key, value] : params->value().items()) {
            const Node param{value, Node::member_path(params->path(), key)};
            if (!valid_entry_name(key)) {
                param.fail("is not a usable parameter name");
            }
            thread.params.emplace(key, param_value(param));
        }
    }
    return thread;
}

// Follows the parser through the document so that a syntax error, a duplicated
// key or too deep a nesting can be reported with the JSONPath where it happened.
class ParseTracker {
public:
    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed)
    {
        switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
            element_started();
            frames_.push_back({event == json::parse_event_t::array_start, 0, {}, {}});
            if (frames_.size() > max_depth) {
                throw ConfigError(fmt::format("{}: nested more than {} levels deep", path(), max_depth));
            }
            break;
        case json::parse_event_t::key: {
            auto& frame = frames_.back();
            frame.key = parsed.get<std::string>();
            if (!frame.keys.insert(frame.key).second) {
                throw ConfigError(fmt::format("{}: the key appears twice in the same object", path()));
            }
            break;
        }
        case json::parse_event_t::value: element_started(); break;
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end: frames_.pop_back(); break;
        }
        return true;
    }

    [[nodiscard]] std::string path() const
    {
        std::string out = "$";
        for (const auto& frame : frames_) {
            if (frame.array && frame.elements > 0) {
                out += fmt::format("[{}]", frame.elements - 1);
            } else if (!frame.array && !frame.key.empty()) {
                out = Node::member_path(out, frame.key);
            }
        }
        return out;
    }

private:
    struct Frame {
        bool array;
        std::size_t elements;
        std::string key;
        std::set<std::string> keys;
    };

    void element_started()
    {
        if (!frames_.empty() && frames_.back().array) {
            ++frames_.back().elements;
        }
    }

    std::vector<Frame> frames_;
};

// nlohmann's messages start with "[json.exception.parse_error.101] ".
std::string without_exception_id(std::string_view what)
{
    if (what.starts_with("[json.exception.")) {
        if (const auto end = what.find("] "); end != std::string_view::npos) {
            what.remove_prefix(end + 2);
        }
    }
    return std::string{what};
}

void put_optional(nlohmann::ordered_json& object, const char* key, const std::optional<long long>& value)
{
    if (value) {
        object[key] = *value;
    }
}

}  // namespace

bool valid_entry_name(std::string_view name)
{
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
           name.find('\0') == std::string_view::npos;
}

SavedThread saved_thread_from(const ThreadRecord& thread, const std::set<std::string>* writable)
{
    SavedThread saved{thread.behaviour, thread.name, thread.get("state").value_or("running"), thread.get_int("cpu"),
                      thread.get_int("nice"), thread.get_int("retval"), thread.get_int("stop_timeout_ms"), {}};
    if (thread.get("parked") == std::optional<std::string>{"1"}) {
        saved.state = "parked";
    }
    for (auto& [key, value] : thread.params()) {
        if (writable == nullptr || writable->contains(key)) {
            saved.params.emplace(std::move(key), std::move(value));
        }
    }
    return saved;
}

nlohmann::ordered_json config_to_json(const LabConfig& config)
{
    nlohmann::ordered_json root;
    root["format"] = config_format_name;
    root["version"] = config_format_version;
    root["module_version"] = config.module_version;
    root["groups"] = nlohmann::ordered_json::array();
    for (const auto& group : config.groups) {
        nlohmann::ordered_json object;
        object["behaviour"] = group.behaviour;
        put_optional(object, "autostart", group.autostart);
        root["groups"].push_back(std::move(object));
    }
    root["threads"] = nlohmann::ordered_json::array();
    for (const auto& thread : config.threads) {
        nlohmann::ordered_json object;
        object["behaviour"] = thread.behaviour;
        object["name"] = thread.name;
        object["state"] = thread.state;
        put_optional(object, "cpu", thread.cpu);
        put_optional(object, "nice", thread.nice);
        put_optional(object, "retval", thread.retval);
        put_optional(object, "stop_timeout_ms", thread.stop_timeout_ms);
        nlohmann::ordered_json params = nlohmann::ordered_json::object();
        for (const auto& [key, value] : thread.params) {
            if (const auto number = parse_int(value)) {
                params[key] = *number;
            } else {
                params[key] = value;
            }
        }
        object["params"] = std::move(params);
        root["threads"].push_back(std::move(object));
    }
    return root;
}

LabConfig config_from_json(const nlohmann::json& document)
{
    const Node root{document, "$"};
    root.expect_object();
    check_format(root);
    LabConfig config;
    if (const auto module_version = root.find("module_version")) {
        config.module_version = module_version->string();
    }
    if (const auto groups = root.find("groups")) {
        groups->expect_array();
        for (std::size_t index = 0; index < groups->value().size(); ++index) {
            config.groups.push_back(group_from(groups->element(index)));
        }
    }
    const Node threads = root.required("threads");
    threads.expect_array();
    for (std::size_t index = 0; index < threads.value().size(); ++index) {
        config.threads.push_back(thread_from(threads.element(index)));
    }
    return config;
}

LabConfig parse_config(std::string_view text)
{
    ParseTracker tracker;
    json root;
    try {
        root = json::parse(text, [&tracker](int depth, json::parse_event_t event, json& parsed) {
            return tracker(depth, event, parsed);
        });
    } catch (const json::exception& error) {
        throw ConfigError(fmt::format("{}: not valid JSON: {}", tracker.path(), without_exception_id(error.what())));
    }
    return config_from_json(root);
}

}  // namespace ktlab
