// The public search-attribute functions: Temporal's type names, and checking a value against its
// attribute's type with a message that names both.
#include <perdure/search_attributes.hpp>

#include "visibility/literals.hpp"

#include <perdure/error.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace perdure {
namespace {

constexpr std::array<std::pair<search_attribute_type, std::string_view>, 7> type_names{{
    {search_attribute_type::keyword, "Keyword"},
    {search_attribute_type::text, "Text"},
    {search_attribute_type::integer, "Int"},
    {search_attribute_type::floating, "Double"},
    {search_attribute_type::boolean, "Bool"},
    {search_attribute_type::datetime, "Datetime"},
    {search_attribute_type::keyword_list, "KeywordList"},
}};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

/// The value as a message shows it: strings quoted, at most 64 bytes of them.
std::string shown(const search_attribute_value& v) {
    const auto quoted = [](std::string_view s) {
        return "\"" + std::string(s.substr(0, 64)) + (s.size() > 64 ? "...\"" : "\"");
    };
    switch (v.index()) {
    case 0: return quoted(std::get<0>(v));
    case 1: return std::to_string(std::get<1>(v));
    case 2: {
        const double d = std::get<2>(v);
        if (!std::isfinite(d)) return std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
        char buf[32];
        const auto r = std::to_chars(buf, buf + sizeof buf, d);
        return std::string(buf, r.ptr);
    }
    case 3: return std::get<3>(v) ? "true" : "false";
    case 4: return "a time";
    default: return "a list of strings";
    }
}

[[noreturn]] void mismatch(std::string_view name, search_attribute_type type, const std::string& value,
                           std::string_view what) {
    throw invalid_argument("search attribute '" + std::string(name) + "' is " + std::string(to_string(type)) + "; " +
                           value + " is not " + std::string(what));
}

std::string_view expected(search_attribute_type type) {
    switch (type) {
    case search_attribute_type::keyword:
    case search_attribute_type::text: return "a string";
    case search_attribute_type::integer: return "an integer";
    case search_attribute_type::floating: return "a finite number";
    case search_attribute_type::boolean: return "true or false";
    case search_attribute_type::datetime: return "an RFC 3339 time";
    case search_attribute_type::keyword_list: return "a list of strings";
    }
    return "valid";
}

}   // namespace

std::string_view to_string(search_attribute_type t) noexcept {
    for (const auto& [type, name] : type_names)
        if (type == t) return name;
    return "Unspecified";
}

search_attribute_type parse_search_attribute_type(std::string_view name) {
    for (const auto& [type, spelled] : type_names)
        if (iequals(spelled, name)) return type;
    throw invalid_argument("unknown search attribute type '" + std::string(name.substr(0, 64)) +
                           "'; use Keyword, Text, Int, Double, Bool, Datetime or KeywordList");
}

void validate_search_attribute(std::string_view name, search_attribute_type type, const search_attribute_value& value) {
    bool ok = false;
    switch (type) {
    case search_attribute_type::keyword:
    case search_attribute_type::text: ok = std::holds_alternative<std::string>(value); break;
    case search_attribute_type::integer: ok = std::holds_alternative<std::int64_t>(value); break;
    case search_attribute_type::floating:
        ok = std::holds_alternative<std::int64_t>(value) ||
             (std::holds_alternative<double>(value) && std::isfinite(std::get<double>(value)));
        break;
    case search_attribute_type::boolean: ok = std::holds_alternative<bool>(value); break;
    case search_attribute_type::datetime:
        ok = std::holds_alternative<std::chrono::system_clock::time_point>(value);
        break;
    case search_attribute_type::keyword_list: ok = std::holds_alternative<std::vector<std::string>>(value); break;
    }
    if (!ok) mismatch(name, type, shown(value), expected(type));
}

search_attribute_value parse_search_attribute_value(std::string_view name, search_attribute_type type,
                                                    std::string_view text) {
    const auto fail = [&]() -> search_attribute_value {
        mismatch(name, type, shown(std::string(text)), expected(type));
    };
    const char* const first = text.data();
    const char* const last = text.data() + text.size();
    switch (type) {
    case search_attribute_type::keyword:
    case search_attribute_type::text: return std::string(text);
    case search_attribute_type::keyword_list: return std::vector<std::string>{std::string(text)};
    case search_attribute_type::integer: {
        std::int64_t v = 0;
        const auto r = std::from_chars(first, last, v);
        return r.ec == std::errc{} && r.ptr == last && !text.empty() ? search_attribute_value(v) : fail();
    }
    case search_attribute_type::floating: {
        double v = 0;
        const auto r = std::from_chars(first, last, v);
        return r.ec == std::errc{} && r.ptr == last && !text.empty() && std::isfinite(v) ? search_attribute_value(v)
                                                                                         : fail();
    }
    case search_attribute_type::boolean:
        if (iequals(text, "true")) return true;
        if (iequals(text, "false")) return false;
        return fail();
    case search_attribute_type::datetime:
        if (const auto t = detail::parse_rfc3339(text))
            return std::chrono::time_point_cast<std::chrono::system_clock::duration>(*t);
        return fail();
    }
    return fail();
}

}   // namespace perdure
