#include "config.hpp"

#include <fmt/format.h>

namespace ktlab {

namespace {

using nlohmann::json;

std::optional<long long> optional_int(const json& object, const char* key, const std::string& where)
{
    const auto found = object.find(key);
    if (found == object.end() || found->is_null()) {
        return std::nullopt;
    }
    if (!found->is_number_integer()) {
        throw ConfigError(fmt::format("{}: \"{}\" must be an integer", where, key));
    }
    return found->get<long long>();
}

std::string required_string(const json& object, const char* key, const std::string& where)
{
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string()) {
        throw ConfigError(fmt::format("{}: \"{}\" must be a string", where, key));
    }
    return found->get<std::string>();
}

std::string required_name(const json& object, const char* key, const std::string& where)
{
    std::string name = required_string(object, key, where);
    if (!valid_entry_name(name)) {
        throw ConfigError(fmt::format("{}: \"{}\" is not a valid name: '{}'", where, key, name));
    }
    return name;
}

// Parameters are saved as the kernel prints them; numbers as JSON numbers for readability.
std::string param_value(const json& value, const std::string& where, const std::string& key)
{
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_number_integer()) {
        return std::to_string(value.get<long long>());
    }
    throw ConfigError(fmt::format("{}: parameter \"{}\" must be a string or an integer", where, key));
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

SavedThread saved_thread_from(const ThreadRecord& thread)
{
    SavedThread saved{thread.behaviour, thread.name, thread.get("state").value_or("running"), thread.get_int("cpu"),
                      thread.get_int("nice"), thread.get_int("retval"), thread.get_int("stop_timeout_ms"), {}};
    if (thread.get("parked") == std::optional<std::string>{"1"}) {
        saved.state = "parked";
    }
    for (const auto key : behaviour_params(thread.behaviour)) {
        if (auto value = thread.get(key)) {
            saved.params.emplace(std::string{key}, std::move(*value));
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

LabConfig config_from_json(const nlohmann::json& root)
{
    if (!root.is_object()) {
        throw ConfigError("the file is not a JSON object");
    }
    if (root.value("format", std::string{}) != config_format_name) {
        throw ConfigError(fmt::format(R"("format" is not "{}": not a ktlab save file)", config_format_name));
    }
    if (const auto version = optional_int(root, "version", "top level"); version != config_format_version) {
        throw ConfigError(fmt::format("unsupported save file version (this ktlab reads version {})",
                                      config_format_version));
    }
    LabConfig config;
    config.module_version = root.value("module_version", std::string{});
    const auto groups = root.find("groups");
    if (groups != root.end()) {
        if (!groups->is_array()) {
            throw ConfigError("\"groups\" must be an array");
        }
        for (std::size_t index = 0; index < groups->size(); ++index) {
            const auto& object = (*groups)[index];
            const std::string where = fmt::format("groups[{}]", index);
            if (!object.is_object()) {
                throw ConfigError(where + ": must be an object");
            }
            config.groups.push_back({required_name(object, "behaviour", where), optional_int(object, "autostart", where)});
        }
    }
    const auto threads = root.find("threads");
    if (threads == root.end() || !threads->is_array()) {
        throw ConfigError("\"threads\" must be an array");
    }
    for (std::size_t index = 0; index < threads->size(); ++index) {
        const auto& object = (*threads)[index];
        const std::string where = fmt::format("threads[{}]", index);
        if (!object.is_object()) {
            throw ConfigError(where + ": must be an object");
        }
        SavedThread thread{required_name(object, "behaviour", where),
                           required_name(object, "name", where),
                           required_string(object, "state", where),
                           optional_int(object, "cpu", where),
                           optional_int(object, "nice", where),
                           optional_int(object, "retval", where),
                           optional_int(object, "stop_timeout_ms", where),
                           {}};
        const auto params = object.find("params");
        if (params != object.end()) {
            if (!params->is_object()) {
                throw ConfigError(where + ": \"params\" must be an object");
            }
            for (const auto& [key, value] : params->items()) {
                if (!valid_entry_name(key)) {
                    throw ConfigError(fmt::format("{}: \"{}\" is not a valid parameter name", where, key));
                }
                thread.params.emplace(key, param_value(value, where, key));
            }
        }
        config.threads.push_back(std::move(thread));
    }
    return config;
}

LabConfig parse_config(std::string_view text)
{
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
        throw ConfigError(fmt::format("not valid JSON: {}", error.what()));
    }
    return config_from_json(root);
}

}  // namespace ktlab
