// Typed search attribute values to JSON and back.
#include "history/typed_attributes.hpp"

#include "visibility/literals.hpp"

#include <boost/json/array.hpp>

namespace perdure::detail {
namespace {

boost::json::value value_json(const typed_attribute& a) {
    return std::visit(
        [](const auto& v) -> boost::json::value {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::chrono::system_clock::time_point>) {
                return boost::json::string(format_rfc3339(std::chrono::time_point_cast<std::chrono::nanoseconds>(v)));
            } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                boost::json::array out;
                for (const auto& s : v) out.emplace_back(s);
                return out;
            } else {
                return boost::json::value(v);
            }
        },
        a.value);
}

std::optional<search_attribute_value> value_from(search_attribute_type type, const boost::json::value& v) {
    switch (type) {
    case search_attribute_type::keyword:
    case search_attribute_type::text:
        if (v.is_string()) return std::string(v.get_string());
        break;
    case search_attribute_type::integer:
        if (v.is_int64()) return v.get_int64();
        break;
    case search_attribute_type::floating:
        if (v.is_double()) return v.get_double();
        if (v.is_int64()) return static_cast<double>(v.get_int64());
        break;
    case search_attribute_type::boolean:
        if (v.is_bool()) return v.get_bool();
        break;
    case search_attribute_type::datetime:
        if (v.is_string())
            if (auto t = parse_rfc3339(v.get_string()))
                return std::chrono::time_point_cast<std::chrono::system_clock::duration>(*t);
        break;
    case search_attribute_type::keyword_list:
        if (v.is_array()) {
            std::vector<std::string> out;
            for (const auto& s : v.get_array())
                if (s.is_string()) out.emplace_back(s.get_string());
            return out;
        }
        break;
    }
    return std::nullopt;
}

}   // namespace

boost::json::object to_json(const typed_attributes& attrs) {
    boost::json::object out;
    for (const auto& [name, a] : attrs) out[name] = {{"type", to_string(a.type)}, {"value", value_json(a)}};
    return out;
}

typed_attributes typed_attributes_from_json(const boost::json::value& v) {
    typed_attributes out;
    if (!v.is_object()) return out;
    for (const auto& member : v.get_object()) {
        const auto* o = member.value().if_object();
        if (!o) continue;
        const auto* type_name = o->if_contains("type");
        const auto* value = o->if_contains("value");
        if (!type_name || !type_name->is_string() || !value) continue;
        try {
            const auto type = parse_search_attribute_type(type_name->get_string());
            if (auto typed = value_from(type, *value)) out[std::string(member.key())] = {type, std::move(*typed)};
        } catch (const std::exception&) {   // a type this build does not know: skipped
        }
    }
    return out;
}

void apply_upsert(typed_attributes& into, const boost::json::object& indexed_fields,
                  std::vector<std::string>& changed) {
    auto typed = typed_attributes_from_json(indexed_fields);
    for (const auto& member : indexed_fields) {
        std::string name(member.key());
        if (auto it = typed.find(name); it != typed.end())
            into[name] = std::move(it->second);
        else
            into.erase(name);   // a null value (or one this build cannot read) unsets it
        changed.push_back(std::move(name));
    }
}

search_attributes values_of(const typed_attributes& attrs) {
    search_attributes out;
    for (const auto& [name, a] : attrs) out.emplace(name, a.value);
    return out;
}

typed_attributes typed_by_value(const search_attributes& given) {
    typed_attributes out;
    for (const auto& [name, value] : given) {
        const auto type = std::visit(
            [](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::string>) return search_attribute_type::keyword;
                if constexpr (std::is_same_v<T, std::int64_t>) return search_attribute_type::integer;
                if constexpr (std::is_same_v<T, double>) return search_attribute_type::floating;
                if constexpr (std::is_same_v<T, bool>) return search_attribute_type::boolean;
                if constexpr (std::is_same_v<T, std::chrono::system_clock::time_point>)
                    return search_attribute_type::datetime;
                if constexpr (std::is_same_v<T, std::vector<std::string>>) return search_attribute_type::keyword_list;
            },
            value);
        out.emplace(name, typed_attribute{type, value});
    }
    return out;
}

}   // namespace perdure::detail
